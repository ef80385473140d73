package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

// Migrations change the schema of a database that several replicas (and an
// operator's `waymark migrate`) may open at the same moment. They run under
// a lock held for the whole run, and read what is applied only once they
// hold it, so each migration is applied exactly once however many processes
// start together:
//
//   - PostgreSQL: a session advisory lock (pg_advisory_lock) on one
//     dedicated connection, keyed by the schema, so that two Waymark
//     installations in different schemas of one database do not wait for
//     each other. Each migration then commits in its own transaction on that
//     connection.
//   - SQLite: one BEGIN IMMEDIATE transaction (the DSN's _txlock) holding
//     the database's write lock for the whole run: every migration commits
//     together or not at all, and another process waits (for up to
//     migrationWait) rather than failing.
//
// A database at a schema newer than the newest migration this build carries
// is refused, by Migrate and by every command that opens it: an older
// binary does not know what the newer schema means for its writes.

// migrationLockKey is the first key of the PostgreSQL advisory lock (the
// second is a hash of the schema name): "Waymark migrations", arbitrary.
const migrationLockKey int32 = 0x57_4d_4d_47 // "WMMG"

// migrationWait is how long a process waits for another's migrations.
const migrationWait = 10 * time.Minute

// NoDatabaseError is OpenExisting's answer when there is no Waymark
// database at the address: a SQLite file that does not exist, or a
// PostgreSQL schema (or SQLite file) without schema_migrations.
type NoDatabaseError struct{ Where string }

func (e *NoDatabaseError) Error() string {
	return fmt.Sprintf("no Waymark database at %s: run `waymark migrate --create` to make one", e.Where)
}

// SchemaTooNewError refuses a database migrated by a newer release: one
// whose newest migration is past this build's, or that holds a migration
// this build does not carry at all (a release filled a gap in the numbers).
type SchemaTooNewError struct {
	At      string   // the newest migration applied to the database ("0019")
	Knows   string   // the newest migration this build carries ("0013")
	Unknown []string // migrations applied that this build does not carry, when none is newer
}

func (e *SchemaTooNewError) Error() string {
	if len(e.Unknown) > 0 {
		return fmt.Sprintf("this database has migrations this Waymark does not know (%s), applied by a newer release: run that release", strings.Join(e.Unknown, ", "))
	}
	return fmt.Sprintf("this database is at schema %s, this Waymark knows up to %s: run the newer release", e.At, e.Knows)
}

// PendingError refuses a database whose schema is behind this build's.
type PendingError struct{ Pending []string }

func (e *PendingError) Error() string {
	s := "s"
	if len(e.Pending) == 1 {
		s = ""
	}
	return fmt.Sprintf("%d migration%s pending (%s): run `waymark migrate`", len(e.Pending), s, strings.Join(e.Pending, ", "))
}

// SchemaState is where a database's schema stands against this build.
type SchemaState struct {
	Applied string   // newest migration applied ("" when none)
	Knows   string   // newest migration this build carries
	Pending []string // migrations this build carries that are not applied, oldest first
}

// schemaNumber is the number of a migration version: "0013_sealed_identity" → "0013".
func schemaNumber(v string) string { n, _, _ := strings.Cut(v, "_"); return n }

// LatestSchema is the number of the newest migration this build carries ("0013").
func LatestSchema() string {
	newest := ""
	for _, d := range []Dialect{SQLite, Postgres} {
		if vs, err := migrationVersions(d); err == nil && len(vs) > 0 && schemaNumber(vs[len(vs)-1]) > newest {
			newest = schemaNumber(vs[len(vs)-1])
		}
	}
	return newest
}

func migrationVersions(d Dialect) ([]string, error) {
	return (&DB{Dialect: d}).MigrationVersions()
}

// OpenExisting is Open for a database that must already be a Waymark
// database: it never creates a SQLite file, and returns *NoDatabaseError
// when the file is missing or the database has no schema_migrations table.
func OpenExisting(ctx context.Context, url string, options ...OpenOptions) (*DB, error) {
	if file, ok := sqlitePath(url); ok {
		if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
			return nil, &NoDatabaseError{Where: file}
		}
	}
	db, err := openDB(ctx, url, false, options...)
	if err != nil {
		return nil, err
	}
	ok, err := db.hasMigrationsTable(ctx, db.sql)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: reading the schema: %w", err)
	}
	if !ok {
		db.Close()
		return nil, &NoDatabaseError{Where: Where(url)}
	}
	return db, nil
}

// sqlitePath is the file a SQLite url names (false for PostgreSQL, and for
// in-memory and file: URLs, which name no plain file).
func sqlitePath(url string) (string, bool) {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return "", false
	}
	file := strings.TrimPrefix(url, "sqlite:")
	if strings.HasPrefix(file, ":memory:") || strings.HasPrefix(file, "file:") {
		return "", false
	}
	return file, true
}

// Where names a database for messages, without its password: the SQLite
// file, or the PostgreSQL host, database and schema.
func Where(dbURL string) string {
	if file, ok := sqlitePath(dbURL); ok {
		return file
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		return "the configured PostgreSQL database"
	}
	s := "PostgreSQL database " + strings.TrimPrefix(u.Path, "/") + " on " + u.Host
	if sp := u.Query().Get("search_path"); sp != "" {
		s += " (schema " + sp + ")"
	}
	return s
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (db *DB) hasMigrationsTable(ctx context.Context, q querier) (bool, error) {
	var ok bool
	var err error
	if db.Dialect == Postgres {
		err = q.QueryRowContext(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&ok)
	} else {
		var n int
		err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n)
		ok = n > 0
	}
	return ok, err
}

// appliedMigrations lists the versions applied, or none without the table.
func (db *DB) appliedMigrations(ctx context.Context, q querier) (map[string]bool, string, error) {
	applied := map[string]bool{}
	if ok, err := db.hasMigrationsTable(ctx, q); err != nil || !ok {
		return applied, "", err
	}
	rows, err := q.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	newest := ""
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, "", err
		}
		applied[v] = true
		newest = max(newest, v)
	}
	return applied, newest, rows.Err()
}

// state compares what is applied with what this build carries, and refuses
// a schema newer than it knows.
func (db *DB) state(ctx context.Context, q querier) (SchemaState, error) {
	known, err := db.MigrationVersions()
	if err != nil {
		return SchemaState{}, err
	}
	applied, newest, err := db.appliedMigrations(ctx, q)
	if err != nil {
		return SchemaState{}, fmt.Errorf("store: reading schema_migrations: %w", err)
	}
	st := SchemaState{Applied: newest}
	if len(known) > 0 {
		st.Knows = known[len(known)-1]
	}
	if newest != "" && schemaNumber(newest) > schemaNumber(st.Knows) {
		return st, &SchemaTooNewError{At: schemaNumber(newest), Knows: schemaNumber(st.Knows)}
	}
	carried := map[string]bool{}
	for _, v := range known {
		carried[v] = true
		if !applied[v] {
			st.Pending = append(st.Pending, v)
		}
	}
	var unknown []string
	for v := range applied {
		if !carried[v] {
			unknown = append(unknown, v)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return st, &SchemaTooNewError{At: schemaNumber(newest), Knows: schemaNumber(st.Knows), Unknown: unknown}
	}
	return st, nil
}

// SchemaState reports where the database's schema stands, changing
// nothing; a schema newer than this build knows is *SchemaTooNewError.
func (db *DB) SchemaState(ctx context.Context) (SchemaState, error) {
	return db.state(ctx, db.sql)
}

// RequireCurrent refuses a schema newer than this build knows
// (*SchemaTooNewError) or behind it (*PendingError).
func (db *DB) RequireCurrent(ctx context.Context) error {
	st, err := db.SchemaState(ctx)
	if err != nil {
		return err
	}
	if len(st.Pending) > 0 {
		return &PendingError{Pending: st.Pending}
	}
	return nil
}

// Migrate applies the embedded migrations not yet applied, in order, under
// the migration lock.
func (db *DB) Migrate(ctx context.Context) error { return db.MigrateTo(ctx, "") }

// MigrateTo is Migrate stopping after version upTo ("0002" or
// "0002_pathway"); "" applies every migration. See backup.go.
func (db *DB) MigrateTo(ctx context.Context, upTo string) error {
	_, err := db.ApplyMigrations(ctx, upTo)
	return err
}

// ApplyMigrations is MigrateTo returning the versions it applied (none
// when another process applied them first).
func (db *DB) ApplyMigrations(ctx context.Context, upTo string) ([]string, error) {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migrating: %w", err)
	}
	defer conn.Close()
	var applied []string
	if db.Dialect == Postgres {
		applied, err = db.migratePostgres(ctx, conn, upTo)
	} else {
		applied, err = db.migrateSQLite(ctx, conn, upTo)
	}
	if err != nil {
		var tooNew *SchemaTooNewError
		if errors.As(err, &tooNew) {
			return applied, err
		}
		return applied, fmt.Errorf("store: migrating: %w", err)
	}
	return applied, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`

func (db *DB) migratePostgres(ctx context.Context, conn *sql.Conn, upTo string) (applied []string, err error) {
	const schemaKey = `hashtext(coalesce(current_schema(), ''))`
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1, `+schemaKey+`)`, migrationLockKey); err != nil {
		return nil, fmt.Errorf("taking the migration lock: %w", err)
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var released bool
		if err := conn.QueryRowContext(uctx, `SELECT pg_advisory_unlock($1, `+schemaKey+`)`, migrationLockKey).Scan(&released); err != nil || !released {
			// A session still holding the lock must never go back to the
			// pool: closing it is what releases the lock then.
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	if _, err := conn.ExecContext(ctx, createMigrationsTable); err != nil {
		return nil, fmt.Errorf("creating schema_migrations: %w", err)
	}
	st, err := db.state(ctx, conn)
	if err != nil {
		return nil, err
	}
	for _, version := range st.Pending {
		if !migrationWithin(version, upTo) {
			break
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return applied, err
		}
		if err := db.applyOne(ctx, tx, version); err != nil {
			tx.Rollback()
			return applied, err
		}
		if err := tx.Commit(); err != nil {
			return applied, fmt.Errorf("applying %s: %w", version, err)
		}
		applied = append(applied, version)
	}
	return applied, nil
}

func (db *DB) migrateSQLite(ctx context.Context, conn *sql.Conn, upTo string) ([]string, error) {
	// Wait for another process's migrations rather than failing on the
	// usual busy timeout; put the usual one back for the pool.
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, migrationWait.Milliseconds())); err != nil {
		return nil, err
	}
	defer conn.ExecContext(context.Background(), fmt.Sprintf(`PRAGMA busy_timeout = %d`, db.busyWait.Milliseconds())) // as the DSN sets it (store.go)
	// BEGIN IMMEDIATE (the DSN's _txlock): the write lock, held until the commit.
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("taking the migration lock: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, createMigrationsTable); err != nil {
		return nil, fmt.Errorf("creating schema_migrations: %w", err)
	}
	st, err := db.state(ctx, tx)
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, version := range st.Pending {
		if !migrationWithin(version, upTo) {
			break
		}
		if err := db.applyOne(ctx, tx, version); err != nil {
			return nil, err
		}
		applied = append(applied, version)
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return applied, nil
}

func (db *DB) applyOne(ctx context.Context, tx *sql.Tx, version string) error {
	body, err := migrations.ReadFile(path.Join("migrations", string(db.Dialect), version+".sql"))
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("applying %s: %w", version, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, applied_at) VALUES ($1, $2)`, version, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return fmt.Errorf("recording %s: %w", version, err)
	}
	return nil
}

// SchemaVersion is the newest migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (string, error) {
	var v sql.NullString
	err := db.sql.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v)
	return v.String, err
}
