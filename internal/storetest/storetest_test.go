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
