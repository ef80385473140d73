// Package storetest gives tests real, freshly migrated databases: a SQLite
// file in the test's temporary directory always, and an isolated PostgreSQL
// schema whenever TEST_DATABASE_URL is set, so that the same test runs
// against both stores (ARCHITECTURE.md: "the same test suite runs against
// both stores").
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx", for the schema set-up connection

	"waymark/internal/store"
)

// EnvDatabaseURL names the variable holding the PostgreSQL server to test
// against, e.g. postgres://app_test:app_test@127.0.0.1:5432/app_test?sslmode=disable.
const EnvDatabaseURL = "TEST_DATABASE_URL"

// Named is one open store and the name its subtests run under.
type Named struct {
	Name string // "sqlite" or "postgres"
	DB   *store.DB
}

var skippedPostgres sync.Once

// WantPostgres reports whether TEST_DATABASE_URL is set. When it is not,
// it fails the test under CI=true (CI must never go green on SQLite alone)
// and otherwise says loudly, once per test binary, that PostgreSQL was skipped.
func WantPostgres(t testing.TB) bool {
	t.Helper()
	if os.Getenv(EnvDatabaseURL) != "" {
		return true
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("storetest: %s is not set but CI=true: the PostgreSQL store tests must run in CI (see CI-RECIPES.md section A)", EnvDatabaseURL)
	}
	skippedPostgres.Do(func() {
		msg := fmt.Sprintf("storetest: !!! %s is not set: PostgreSQL store tests were SKIPPED; only SQLite was tested !!!", EnvDatabaseURL)
		t.Log(msg)
		fmt.Fprintln(os.Stderr, msg)
	})
	return false
}

// Stores returns a freshly migrated SQLite database and, when
// TEST_DATABASE_URL is set, a freshly migrated PostgreSQL schema of its own.
// Everything is closed and dropped when the test ends.
func Stores(t testing.TB) []Named {
	t.Helper()
	stores := []Named{{Name: "sqlite", DB: SQLite(t)}}
	if WantPostgres(t) {
		stores = append(stores, Named{Name: "postgres", DB: Postgres(t)})
	}
	return stores
}

// ForEachStore runs fn as a subtest named "sqlite", then "postgres" when
// TEST_DATABASE_URL is set, each with its own fresh database.
func ForEachStore(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	open := map[string]func(testing.TB) *store.DB{"sqlite": SQLite, "postgres": Postgres}
	names := []string{"sqlite"}
	if WantPostgres(t) {
		names = append(names, "postgres")
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) { fn(t, open[name](t)) })
	}
}

// SQLite opens and migrates a new SQLite database in t.TempDir(), which
// encrypts case data under KeyRing.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	return SQLiteAt(t, "")
}

// SQLiteAt is SQLite migrated only up to the version upTo ("0007"), for
// tests of a migration; "" migrates fully.
//
// The file starts as a copy of one migrated once per test process for
// each upTo (migratedSQLite): running some forty migrations for every test
// cost about 40 ms each, most of a short test's time. MigrateTo then finds
// nothing pending, as it would for a database a server restarts on.
func SQLiteAt(t testing.TB, upTo string) *store.DB {
	t.Helper()
	db, _ := sqliteOpened(t, upTo, store.OpenOptions{})
	return db
}

// SQLiteWith is SQLite opened with opts (a short BusyWait, say), and the
// path of its file, for a test that opens the file a second time as
// another process would.
func SQLiteWith(t testing.TB, opts store.OpenOptions) (*store.DB, string) {
	t.Helper()
	return sqliteOpened(t, "", opts)
}

func sqliteOpened(t testing.TB, upTo string, opts store.OpenOptions) (*store.DB, string) {
	t.Helper()
	ctx := context.Background()
	image, err := migratedSQLite(upTo)
	if err != nil {
		t.Fatalf("storetest: migrating a template sqlite database: %v", err)
	}
	file := filepath.Join(sqliteDir(t), "waymark.db")
	if err := os.WriteFile(file, image, 0o600); err != nil {
		t.Fatalf("storetest: writing sqlite database: %v", err)
	}
	db, err := store.Open(ctx, file, opts)
	if err != nil {
		t.Fatalf("storetest: opening sqlite: %v", err)
	}
	db.SetKeyRing(KeyRing())
	t.Cleanup(func() { db.Close() })
	if err := db.MigrateTo(ctx, upTo); err != nil {
		t.Fatalf("storetest: migrating sqlite: %v", err)
	}
	return db, file
}

// EnvSQLiteDir names the folder the SQLite test databases are made in; by
// default a memory-backed one (sqliteDir).
const EnvSQLiteDir = "WAYMARK_TEST_SQLITE_DIR"

// sqliteDir is a new folder for one test's SQLite database, removed when
// the test ends: under $WAYMARK_TEST_SQLITE_DIR when set, else under
// /dev/shm when that is a memory file system with a gigabyte free, else
// t.TempDir(). These are tests of the rules, the use cases and the pages,
// on real SQLite with the production pragmas; what synchronous=FULL
// promises is tested by the reliability tests, which run the server on
// disk. On disk, the thousands of commits of a package's tests each wait
// for fsync, and packages run side by side wait on each other's: the
// short run of internal/store took 41 s on disk and 16 s in memory.
func sqliteDir(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvSQLiteDir)
	if base == "" && shmUsable() {
		base = "/dev/shm"
	}
	if base == "" {
		return t.TempDir()
	}
	dir, err := os.MkdirTemp(base, "waymark-test-")
	if err != nil {
		t.Fatalf("storetest: making a folder under %s: %v", base, err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) }) // after the database closes: cleanups run last first
	return dir
}

var shmUsable = sync.OnceValue(func() bool {
	if !memoryBacked("/dev/shm") {
		return false
	}
	sweepStale("/dev/shm", 24*time.Hour)
	return true
})

// sweepStale removes the test folders under dir older than age: a test
// process killed by -timeout or a signal runs no cleanup, and on a memory
// file system its databases would hold memory until the machine restarts.
func sweepStale(dir string, age time.Duration) {
	old, _ := filepath.Glob(filepath.Join(dir, "waymark-test-*"))
	for _, d := range old {
		if st, err := os.Lstat(d); err == nil && st.IsDir() && time.Since(st.ModTime()) > age {
			os.RemoveAll(d)
		}
	}
}

// migrated holds, for each upTo, the bytes of a SQLite file migrated to
// it and closed (so with no WAL beside it).
var migrated sync.Map // upTo -> *migratedImage

type migratedImage struct {
	once  sync.Once
	bytes []byte
	err   error
}

func migratedSQLite(upTo string) ([]byte, error) {
	v, _ := migrated.LoadOrStore(upTo, new(migratedImage))
	m := v.(*migratedImage)
	m.once.Do(func() { m.bytes, m.err = migrateSQLiteFile(upTo) })
	return m.bytes, m.err
}

func migrateSQLiteFile(upTo string) ([]byte, error) {
	dir, err := os.MkdirTemp("", "waymark-template-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "waymark.db")
	ctx := context.Background()
	db, err := store.Open(ctx, file)
	if err != nil {
		return nil, err
	}
	if err := db.MigrateTo(ctx, upTo); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.Close(); err != nil { // the last connection's close checkpoints the WAL into the file
		return nil, err
	}
	if _, err := os.Stat(file + "-wal"); err == nil {
		return nil, fmt.Errorf("the closed template left a WAL beside it")
	}
	return os.ReadFile(file)
}

// Postgres gives the test a schema of its own (t_<random hex>) on the server
// at TEST_DATABASE_URL, opens the store with search_path set to that schema
// only (pgx sends unknown URL parameters as run-time parameters), and
// migrates it. When the test ends the schema is emptied and kept for the
// next test of the process, or dropped if the test changed more than its
// rows (pgkeep.go). Tests never see each other's rows.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	return PostgresAt(t, "")
}

// PostgresAt is Postgres migrated only up to the version upTo ("0007"), for
// tests of a migration; "" migrates fully.
func PostgresAt(t testing.TB, upTo string) *store.DB {
	t.Helper()
	base := os.Getenv(EnvDatabaseURL)
	if base == "" {
		t.Fatalf("storetest: %s is not set", EnvDatabaseURL)
	}
	if !strings.HasPrefix(base, "postgres://") && !strings.HasPrefix(base, "postgresql://") {
		t.Fatalf("storetest: %s must be a postgres:// URL", EnvDatabaseURL)
	}
	ctx := context.Background()
	var u, schema string
	if upTo == "" {
		u, schema = keptSchema(t, base)
	} else {
		u, schema = emptySchema(t, base)
	}
	db, err := store.Open(ctx, u)
	if err != nil {
		t.Fatalf("storetest: opening postgres schema %s: %v", schema, err)
	}
	db.SetKeyRing(KeyRing())
	t.Cleanup(func() { db.Close() })
	var current string
	if err := db.SQL().QueryRowContext(ctx, `SELECT current_schema()`).Scan(&current); err != nil || current != schema {
		t.Fatalf("storetest: connection is in schema %q (err %v), want %q: search_path was not applied", current, err, schema)
	}
	if err := db.MigrateTo(ctx, upTo); err != nil {
		t.Fatalf("storetest: migrating postgres schema %s: %v", schema, err)
	}
	if upTo == "" {
		admin, err := keepAdmin()
		if err == nil {
			err = kept.migrated(admin, schema)
		}
		if err != nil {
			t.Fatalf("storetest: reading freshly migrated schema %s: %v", schema, err)
		}
	}
	return db
}

// emptySchema creates a schema of its own (t_<random hex>) on the server at
// base, dropped when the test ends, and returns base pointed at it
// (search_path: pgx sends unknown URL parameters as run-time parameters)
// and its sessions named after it (application_name).
func emptySchema(t testing.TB, base string) (string, string) {
	t.Helper()
	ctx := context.Background()
	schema := "t_" + randomHex(8)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("storetest: connecting to postgres: %v", err)
	}
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		t.Fatalf("storetest: creating schema %s: %v", schema, err)
	}
	// Cleanups run last-registered first: a store opened later closes before the schema is dropped.
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("storetest: dropping schema %s: %v", schema, err)
		}
	})
	return schemaURL(t, base, schema), schema
}

// ForEachEmpty runs fn as a subtest named "sqlite", then "postgres" when
// TEST_DATABASE_URL is set, each given the address of a database that has
// nothing in it yet: a SQLite file path that does not exist, or a
// PostgreSQL schema of its own with no tables. It is for tests of creating
// and migrating a database.
func ForEachEmpty(t *testing.T, fn func(t *testing.T, url string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "waymark.db")) })
	if WantPostgres(t) {
		t.Run("postgres", func(t *testing.T) {
			u, _ := emptySchema(t, os.Getenv(EnvDatabaseURL))
			fn(t, u)
		})
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// Reopen opens a second handle on the same database as db — the same SQLite
// file, or the same PostgreSQL schema — as another replica of the service
// would. It is closed when the test ends.
func Reopen(t testing.TB, db *store.DB) *store.DB {
	t.Helper()
	ctx := context.Background()
	var target string
	switch db.Dialect {
	case store.SQLite:
		var seq int
		var name string
		if err := db.SQL().QueryRowContext(ctx, `SELECT seq, name, file FROM pragma_database_list WHERE name = 'main'`).Scan(&seq, &name, &target); err != nil {
			t.Fatalf("storetest: finding the sqlite file: %v", err)
		}
	default:
		var schema string
		if err := db.SQL().QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			t.Fatalf("storetest: finding the postgres schema: %v", err)
		}
		target = schemaURL(t, os.Getenv(EnvDatabaseURL), schema)
	}
	other, err := store.Open(ctx, target)
	if err != nil {
		t.Fatalf("storetest: opening a second handle: %v", err)
	}
	other.SetKeyRing(KeyRing())
	t.Cleanup(func() { other.Close() })
	return other
}

// HoldWriteLock opens the SQLite file as another process would and takes
// its write lock (BEGIN IMMEDIATE), as a second serve or a command on the
// same file can; the returned function lets it go.
func HoldWriteLock(t testing.TB, file string) (release func()) {
	t.Helper()
	other, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), `BEGIN IMMEDIATE`); err != nil {
		t.Fatalf("storetest: taking the write lock from a second connection: %v", err)
	}
	return func() {
		if _, err := conn.ExecContext(context.Background(), `ROLLBACK`); err != nil {
			t.Errorf("storetest: letting the write lock go: %v", err)
		}
		conn.Close()
	}
}
