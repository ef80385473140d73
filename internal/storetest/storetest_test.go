package storetest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

func TestEachStoreIsFreshlyMigratedAndEmpty(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		v, err := db.SchemaVersion(context.Background())
		if err != nil || v == "" {
			t.Fatalf("schema version %q, %v: not migrated", v, err)
		}
		var n int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM organisations`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("organisations: %d rows, %v; want an empty database", n, err)
		}
	})
}

// Each PostgreSQL test gets a schema of its own, so rows written by one are
// invisible to another and nothing is left behind in public.
func TestPostgresStoresAreIsolatedSchemas(t *testing.T) {
	if !storetest.WantPostgres(t) {
		t.Skip("TEST_DATABASE_URL is not set")
	}
	a, b := storetest.Postgres(t), storetest.Postgres(t)
	clock := storetest.NewClock(storetest.Start)
	storetest.NewPartnership(t, a, clock)
	var schemaA, schemaB string
	var inA, inB, inPublic int
	a.SQL().QueryRow(`SELECT current_schema()`).Scan(&schemaA)
	b.SQL().QueryRow(`SELECT current_schema()`).Scan(&schemaB)
	if schemaA == schemaB || schemaA == "public" {
		t.Fatalf("schemas %q and %q: want two private schemas", schemaA, schemaB)
	}
	a.SQL().QueryRow(`SELECT COUNT(*) FROM organisations`).Scan(&inA)
	b.SQL().QueryRow(`SELECT COUNT(*) FROM organisations`).Scan(&inB)
	a.SQL().QueryRow(`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&inPublic)
	if inA != 4 || inB != 0 || inPublic != 0 {
		t.Fatalf("organisations: %d in A, %d in B, %d tables in public; want 4, 0, 0", inA, inB, inPublic)
	}
}

func TestClockMovesOnlyWhenTold(t *testing.T) {
	c := storetest.NewClock(storetest.Start)
	if !c.Now().Equal(storetest.Start) {
		t.Fatalf("now = %s, want %s", c.Now(), storetest.Start)
	}
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() { c.Advance(time.Minute); _ = c.Now() })
	}
	wg.Wait()
	if got := c.Now().Sub(storetest.Start); got != 100*time.Minute {
		t.Fatalf("advanced by %s, want 100m", got)
	}
}

func TestValidConcernIsAccepted(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		clock := storetest.NewClock(storetest.Start)
		p := storetest.NewPartnership(t, db, clock)
		svc := storetest.Service(t, db, clock)
		if _, err := svc.RaiseConcern(context.Background(), p.Teacher, storetest.ValidConcern(clock.Now())); err != nil {
			t.Fatalf("ValidConcern refused: %v", err)
		}
	})
}

// A SQLite test database is made in the folder WAYMARK_TEST_SQLITE_DIR
// names, from the migrated template, written through the production
// pragmas (a WAL beside it), and its folder is gone when the test ends.
func TestASQLiteTestDatabaseIsMadeWhereToldAndRemovedAfter(t *testing.T) {
	base := t.TempDir()
	t.Setenv(storetest.EnvSQLiteDir, base)
	var file string
	t.Run("a test", func(t *testing.T) {
		db := storetest.SQLite(t)
		if err := db.SQL().QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(file, base+string(filepath.Separator)) {
			t.Fatalf("the database is %s, not under %s", file, base)
		}
		var mode string
		if err := db.SQL().QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
			t.Fatalf("journal mode %q, %v", mode, err)
		}
		if _, err := db.SQL().Exec(`INSERT INTO partnerships (id, name, slug, created_at) VALUES ('p', 'P', 'p', '2026-01-01T00:00:00Z')`); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(file + "-wal"); err != nil {
			t.Fatalf("no WAL beside the database after a write: %v", err)
		}
	})
	if _, err := os.Stat(filepath.Dir(file)); !os.IsNotExist(err) {
		t.Fatalf("the test's folder is still there: %v", err)
	}
	// Another test starts from the template again: nothing of the first.
	var n int
	if err := storetest.SQLite(t).SQL().QueryRow(`SELECT COUNT(*) FROM partnerships WHERE id = 'p'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the first test's partnership is in a new database (%d), %v", n, err)
	}
}

// A fully migrated PostgreSQL schema is kept for the next test when its
// test changed only rows, and that test finds it as a fresh one: no rows but
// the migrations', its sequences where they started. A test that changed a
// table leaves nothing behind for the next (pgkeep.go).
func TestAKeptPostgresSchemaIsAsFreshAsANewOne(t *testing.T) {
	if !storetest.WantPostgres(t) {
		t.Skip("TEST_DATABASE_URL is not set")
	}
	schemaOf := func(t *testing.T, db *store.DB) string {
		var s string
		if err := db.SQL().QueryRow(`SELECT current_schema()`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	count := func(t *testing.T, db *store.DB, q string) int {
		var n int
		if err := db.SQL().QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	var fresh struct{ migrations, partnerships, seq int }
	var used string
	t.Run("writes", func(t *testing.T) {
		db := storetest.Postgres(t)
		fresh.migrations = count(t, db, `SELECT COUNT(*) FROM schema_migrations`)
		fresh.partnerships = count(t, db, `SELECT COUNT(*) FROM partnerships`)
		fresh.seq = count(t, db, `SELECT nextval('contact_reference_seq')`)
		storetest.NewPartnership(t, db, storetest.NewClock(storetest.Start))
		if _, err := db.SQL().Exec(`DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)`); err != nil {
			t.Fatal(err)
		}
		if count(t, db, `SELECT COUNT(*) FROM organisations`) == 0 {
			t.Fatal("the partnership wrote no organisations")
		}
		used = schemaOf(t, db)
	})
	var altered string
	t.Run("finds it fresh", func(t *testing.T) {
		db := storetest.Postgres(t)
		if s := schemaOf(t, db); s != used {
			t.Fatalf("schema %s, want the kept %s", s, used)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM organisations`); n != 0 {
			t.Fatalf("%d organisations left from the last test", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log`); n != 0 {
			t.Fatalf("%d audit entries left from the last test", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM schema_migrations`); n != fresh.migrations {
			t.Fatalf("%d migrations recorded, want %d", n, fresh.migrations)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM partnerships`); n != fresh.partnerships {
			t.Fatalf("%d partnerships, want the migrations' %d", n, fresh.partnerships)
		}
		if n := count(t, db, `SELECT nextval('contact_reference_seq')`); n != fresh.seq {
			t.Fatalf("the contact reference sequence gave %d, want %d as in a new schema", n, fresh.seq)
		}
		if _, err := db.SQL().Exec(`CREATE INDEX zz_kept ON organisations (name)`); err != nil {
			t.Fatal(err)
		}
		altered = schemaOf(t, db)
	})
	t.Run("not after a change of shape", func(t *testing.T) {
		db := storetest.Postgres(t)
		if s := schemaOf(t, db); s == altered {
			t.Fatalf("schema %s was kept though its test added an index", s)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM pg_namespace WHERE nspname = '`+altered+`'`); n != 0 {
			t.Fatalf("schema %s was not dropped", altered)
		}
	})
}
