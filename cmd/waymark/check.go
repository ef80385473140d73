package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/catalog"
	"waymark/internal/store"
)

// runCheck is `waymark check`: it checks the configuration serve would run
// with, and the database's connection and schema, and lists every problem
// it finds. It migrates, creates, seals and encrypts nothing: an operator
// can run it against production before an upgrade.
func runCheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	c.flags(fs, getenv, "127.0.0.1:8080") // as serve would run
	var problems []string
	var problem func(err error)
	problem = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok { // errors.Join: each its own problem
			for _, e := range j.Unwrap() {
				problem(e)
			}
			return
		}
		if err != nil {
			problems = append(problems, err.Error())
		}
	}
	if err := c.parse(fs, args); err != nil {
		if c.cmdline == nil { // the command line itself did not parse, or -h
			return err
		}
		problems = append(problems, strings.Split(err.Error(), "\n")...)
	}
	c.mode = openCheck
	c.privacy.mode = keysRequired
	_, err := c.logger(io.Discard)
	problem(err)
	_, err = c.clockConfig()
	problem(err)
	problem(c.privacy.retention.Validate())
	problem(c.checkListen())
	problem(c.checkIntervals())
	problem(c.checkStaff())
	problem(c.checkSessions())
	problem(c.metrics.check())
	if c.tls.cert != "" && c.tls.key != "" {
		_, err := loadPair(c.tls.cert, c.tls.key)
		problem(err)
	}
	_, err = c.maxConns()
	problem(err)
	if cat, err := catalog.Load(); err != nil {
		problem(err)
	} else {
		// Access settings: SMTP, single sign-on file, break-glass, rate
		// limits, validated on a service that is thrown away.
		_, err := c.applyAccess(casework.New(nil, cat, time.Now, nil), nil, slog.New(slog.DiscardHandler))
		problem(err)
	}
	for _, p := range c.checkDatabase(ctx) {
		problem(p)
	}
	for _, w := range c.warnings {
		fmt.Fprintln(stdout, "warning:", w)
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stdout, "problem:", p)
		}
		if len(problems) == 1 {
			return errors.New("the configuration has 1 problem (listed above); nothing was changed")
		}
		return fmt.Errorf("the configuration has %d problems (listed above); nothing was changed", len(problems))
	}
	fmt.Fprintln(stdout, "configuration and database: no problems found")
	return nil
}

// checkDatabase connects to the database and reports its schema state
// without migrating it or creating it.
func (c *config) checkDatabase(ctx context.Context) []error {
	if c.database == "" {
		if _, err := os.Stat(c.dataDir); err != nil {
			return []error{fmt.Errorf("no database: the data folder %s does not exist (and no --database or WAYMARK_DATABASE_URL is set)", c.dataDir)}
		}
	}
	url, err := c.databaseURL()
	if err != nil {
		return []error{err}
	}
	c.location = databaseLocation(url)
	var problems []error
	// As serve would: PostgreSQL needs an erasure ledger (erasure.go).
	c.erasure.required = true
	if _, err := c.ledgerPath(url); err != nil {
		problems = append(problems, err)
	}
	ring, err := c.keyRing(url)
	if err != nil {
		problems = append(problems, err)
	} else if ring == nil && !c.privacy.insecure {
		problems = append(problems, errors.New("no master key is configured (WAYMARK_MASTER_KEY_FILE or WAYMARK_MASTER_KEY): serve would refuse to start"))
	}
	conns, _ := c.maxConns()
	db, err := store.OpenExisting(ctx, url, store.OpenOptions{MaxConns: conns, ReadOnly: true})
	if err != nil {
		return append(problems, fmt.Errorf("%s: %w", c.location, err))
	}
	defer db.Close()
	fmt.Fprintf(c.out, "waymark: opened the %s\n", c.location)
	// A schema newer than this build is refused by SchemaState itself.
	if err := db.RequireCurrent(ctx); err != nil {
		return append(problems, fmt.Errorf("the %s: %w", c.location, err))
	}
	if err := db.CheckSchema(ctx); err != nil {
		problems = append(problems, err)
	}
	orgs, err := countOrganisations(ctx, db)
	if err != nil {
		problems = append(problems, err)
	} else if orgs == 0 {
		problems = append(problems, fmt.Errorf("the %s holds no partnership (no organisations): add one with `waymark org add`, or point at the right database", c.location))
	}
	if needs, err := db.NeedsSealing(ctx); err != nil {
		problems = append(problems, err)
	} else if needs {
		problems = append(problems, errors.New("the case history carries no seals yet: run `waymark seal-history` once, with the service stopped"))
	}
	if ring != nil {
		db.SetKeyRing(ring)
		if err := db.CheckKeysMatch(ctx); err != nil {
			problems = append(problems, err)
		}
		if r, err := db.KeyReport(ctx); err != nil {
			problems = append(problems, err)
		} else {
			for _, u := range r.Uses {
				if !u.Configured {
					problems = append(problems, fmt.Errorf("master key %s wraps %d data keys but is not configured: those records cannot be read", u.MasterKeyID, u.DataKeys))
				}
			}
		}
	}
	if orgs > 0 && (ring != nil || c.privacy.insecure) {
		problems = append(problems, frontDoorProblem(ctx, db, c.frontDoor))
	}
	return problems
}

// frontDoorProblem says why no concern could be sent on this database with
// --childrens-services-org as configured, or nil: the rule the service
// applies to every concern it sends (store.Tx.ChildrensServicesOrg), asked
// before the first concern rather than at it.
func frontDoorProblem(ctx context.Context, db *store.DB, named string) error {
	db.SetChildrensServicesOrg(named)
	err := db.View(ctx, func(tx *store.Tx) error {
		// Each partnership with organisations sends its concerns to its own
		// Children's Services team (store.Tx.ChildrensServicesOrgFor).
		ps, err := tx.Partnerships()
		if err != nil {
			return err
		}
		checked := false
		for _, p := range ps {
			orgs, err := tx.PartnershipOrganisations(p.ID)
			if err != nil {
				return err
			}
			if len(orgs) == 0 {
				continue
			}
			checked = true
			if _, err := tx.ChildrensServicesOrgFor(p.ID); err != nil {
				return err
			}
		}
		if !checked {
			_, err = tx.ChildrensServicesOrg()
		}
		return err
	})
	switch {
	case err == nil:
		return nil
	case waymark.ErrorCode(err) == waymark.EINTERNAL:
		return err
	case named != "":
		return fmt.Errorf("--childrens-services-org %q names no organisation marked as Children's Services (or its row was altered behind Waymark's back): no concern can be sent until it names one", named)
	case waymark.ErrorCode(err) == waymark.ENOTFOUND:
		return errors.New("no organisation is marked as Children's Services: no concern can be sent until one is (`waymark org add … --childrens-services`)")
	}
	return errors.New("more than one organisation is marked as Children's Services and --childrens-services-org (WAYMARK_CHILDRENS_SERVICES_ORG) names none: no concern can be sent until it names one")
}
