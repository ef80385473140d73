package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"waymark/internal/buildinfo"
	"waymark/internal/store"
)

// Commands do not change the schema unless asked. `waymark migrate`
// applies pending migrations (and, with --create, makes the database);
// `serve --migrate` applies them at start for a single-instance install;
// `demo` makes and migrates its own database. Every other command opens
// the database as it is and refuses one that is missing, behind this build
// or ahead of it (docs/operations.md, "Upgrades").

// schemaPolicy says what opening may do to the database's schema.
type schemaPolicy int

const (
	schemaCurrent schemaPolicy = iota // refuse a missing database and a schema behind this build
	schemaMigrate                     // apply pending migrations under the lock (migrate, serve --migrate, a restore's copy)
	schemaCreate                      // and make the database when there is none (migrate --create, demo)
)

// schemaConfig is the schema part of config.
type schemaConfig struct {
	policy  schemaPolicy
	applied []string // the migrations opening applied
	atStart bool     // serve --migrate
}

// openSchema opens the database at url as c.schema.policy allows.
func openSchema(ctx context.Context, c *config, url string, log *slog.Logger) (*store.DB, error) {
	if c.schema.atStart && c.schema.policy == schemaCurrent {
		c.schema.policy = schemaMigrate
	}
	conns, err := c.maxConns()
	if err != nil {
		return nil, err
	}
	var db *store.DB
	if c.schema.policy == schemaCreate {
		db, err = store.Open(ctx, url, store.OpenOptions{MaxConns: conns})
	} else {
		db, err = store.OpenExisting(ctx, url, store.OpenOptions{MaxConns: conns, ReadOnly: c.readOnly && c.schema.policy == schemaCurrent})
	}
	if err != nil {
		return nil, err
	}
	st, err := db.SchemaState(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(st.Pending) == 0 {
		return db, nil
	}
	switch c.schema.policy {
	case schemaMigrate, schemaCreate:
		applied, err := db.ApplyMigrations(ctx, "")
		if err != nil {
			db.Close()
			return nil, err
		}
		c.schema.applied = applied
		if len(applied) > 0 {
			log.Info("applied migrations", "versions", strings.Join(applied, ","))
		}
	default:
		db.Close()
		return nil, &store.PendingError{Pending: st.Pending}
	}
	return db, nil
}

// runMigrate is `waymark migrate [--dry-run] [--create]`.
func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	c.flags(fs, getenv, "")
	dryRun := fs.Bool("dry-run", false, "list the migrations that would be applied, and change nothing")
	create := fs.Bool("create", false, "make the database when there is none yet (a new SQLite file, or the tables in an empty PostgreSQL database)")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("migrate takes no arguments, not %q", strings.Join(fs.Args(), " "))
	}
	if *dryRun {
		return migrateDryRun(ctx, &c, *create, stdout)
	}
	c.mode = openUpgrade // the first step of an upgrade, before seal-history
	c.schema.policy = schemaMigrate
	if *create {
		c.schema.policy = schemaCreate
	}
	db, _, err := openWithLog(ctx, &c, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	if len(c.schema.applied) > 0 {
		fmt.Fprintf(stdout, "applied %d migrations: %s\n", len(c.schema.applied), strings.Join(c.schema.applied, ", "))
	} else {
		fmt.Fprintln(stdout, "no migrations to apply")
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database is at schema %s (%s)\n", v, db.Dialect)
	if needs, err := db.NeedsSealing(ctx); err != nil {
		return err
	} else if needs {
		fmt.Fprintln(stdout, "its case history carries no seals yet: run `waymark seal-history` once, with the service stopped, before starting it (docs/operations.md)")
	}
	return nil
}

// migrateDryRun lists what `waymark migrate` would apply. It opens the
// database directly: nothing is created, migrated, encrypted or sealed.
func migrateDryRun(ctx context.Context, c *config, create bool, stdout io.Writer) error {
	url, err := c.databaseURL()
	if err != nil {
		return err
	}
	db, err := store.OpenExisting(ctx, url, store.OpenOptions{ReadOnly: true})
	var none *store.NoDatabaseError
	if errors.As(err, &none) && create {
		known, err := (&store.DB{Dialect: dialectOf(url)}).MigrationVersions()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "there is no Waymark database at %s yet: `waymark migrate --create` would make one and apply %d migrations:\n", none.Where, len(known))
		for _, v := range known {
			fmt.Fprintf(stdout, "  %s\n", v)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", databaseLocation(url), err)
	}
	defer db.Close()
	if c.out != nil {
		fmt.Fprintf(c.out, "waymark: opened the %s\n", databaseLocation(url))
	}
	st, err := db.SchemaState(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database is at schema %s (%s); this Waymark knows up to %s\n", st.Applied, db.Dialect, st.Knows)
	if len(st.Pending) == 0 {
		fmt.Fprintln(stdout, "no migrations pending")
		return nil
	}
	fmt.Fprintf(stdout, "%d migrations pending (nothing was changed: run `waymark migrate` to apply them):\n", len(st.Pending))
	for _, v := range st.Pending {
		fmt.Fprintf(stdout, "  %s\n", v)
	}
	return nil
}

func dialectOf(url string) store.Dialect {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return store.Postgres
	}
	return store.SQLite
}

// runVersion is `waymark version`.
func runVersion(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if _, err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("version takes no arguments, not %q", strings.Join(fs.Args(), " "))
	}
	fmt.Fprintf(stdout, "waymark %s\nnewest schema: %s\n", buildinfo.Version(), store.LatestSchema())
	return nil
}

// serveSchemaFlags gives serve its --migrate flag; demo always makes and
// migrates its own database.
func (c *config) serveSchemaFlags(fs *flag.FlagSet, demo bool) {
	if demo {
		c.schema.policy = schemaCreate
		return
	}
	fs.BoolVar(&c.schema.atStart, "migrate", false, "apply pending database migrations at start, under the migration lock: for a single-instance install; "+
		"with replicas, run `waymark migrate` once instead (WAYMARK_MIGRATE)")
}
