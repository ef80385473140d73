package storetest_test

import (
	"context"
	"database/sql"
	"net/url"
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
// test changed only rows, and that test finds it as a schema migrated from
// scratch: every table's rows and every sequence the same, under a name of
// its own, with a session left over from the last test unable to write
// into it. A test that changed a table or its statistics leaves nothing
// behind for the next (pgkeep.go).
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
	// contents is every table's rows and the sequence's next value.
	contents := func(t *testing.T, db *store.DB) map[string]string {
		out := map[string]string{}
		rows, err := db.SQL().Query(`SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`)
		if err != nil {
			t.Fatal(err)
		}
		var tables []string
		for rows.Next() {
			var name string
			rows.Scan(&name)
			tables = append(tables, name)
		}
		rows.Close()
		for _, table := range tables {
			q := `SELECT COALESCE(string_agg(to_jsonb(x)::text, E'\n' ORDER BY to_jsonb(x)::text), '') FROM ` + table + ` x`
			switch table { // but for when the migrations ran
			case "schema_migrations":
				q = `SELECT string_agg(version, ',' ORDER BY version) FROM schema_migrations`
			case "partnerships":
				q = `SELECT string_agg((to_jsonb(x) - 'created_at')::text, E'\n' ORDER BY x.id) FROM partnerships x`
			}
			var all string
			if err := db.SQL().QueryRow(q).Scan(&all); err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			out[table] = all
		}
		var seq string
		if err := db.SQL().QueryRow(`SELECT nextval('contact_reference_seq')::text`).Scan(&seq); err != nil {
			t.Fatal(err)
		}
		out["contact_reference_seq"] = seq
		return out
	}
	latest := func(t *testing.T) string {
		versions, err := storetest.SQLite(t).MigrationVersions()
		if err != nil || len(versions) == 0 {
			t.Fatalf("migrations: %v, %v", versions, err)
		}
		return versions[len(versions)-1]
	}
	var used string
	var usedOID int64
	var leftOver *sql.DB
	t.Run("writes", func(t *testing.T) {
		db := storetest.Postgres(t)
		storetest.NewPartnership(t, db, storetest.NewClock(storetest.Start))
		for _, q := range []string{`SELECT nextval('contact_reference_seq')`, `DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)`} {
			if _, err := db.SQL().Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		used = schemaOf(t, db)
		if err := db.SQL().QueryRow(`SELECT oid FROM pg_namespace WHERE nspname = current_schema()`).Scan(&usedOID); err != nil {
			t.Fatal(err)
		}
		// A session that does not close with the test's stores, and is not
		// named after the schema, as a helper's own connection might be.
		u, err := url.Parse(os.Getenv(storetest.EnvDatabaseURL))
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", used)
		u.RawQuery = q.Encode()
		if leftOver, err = sql.Open("pgx", u.String()); err != nil {
			t.Fatal(err)
		}
		if err := leftOver.Ping(); err != nil {
			t.Fatal(err)
		}
	})
	defer leftOver.Close()
	var altered string
	t.Run("finds it fresh", func(t *testing.T) {
		db := storetest.Postgres(t)
		s := schemaOf(t, db)
		if s == used {
			t.Fatalf("the kept schema is still named %s", s)
		}
		var oid int64
		if err := db.SQL().QueryRow(`SELECT oid FROM pg_namespace WHERE nspname = current_schema()`).Scan(&oid); err != nil || oid != usedOID {
			t.Fatalf("schema %s (%d, %v) is not the one the last subtest left (%d): it was not kept", s, oid, err, usedOID)
		}
		got := contents(t, db)
		want := contents(t, storetest.PostgresAt(t, latest(t)))
		for table, rows := range want {
			if got[table] != rows {
				t.Errorf("%s: the kept schema holds\n%s\nwant, as migrated from scratch,\n%s", table, got[table], rows)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%d tables and sequences, want %d", len(got), len(want))
		}
		if _, err := leftOver.Exec(`INSERT INTO organisations (id) VALUES ('late')`); err == nil {
			t.Error("a session left from the last test wrote into a table under the kept schema's old name")
		}
		if _, err := db.SQL().Exec(`CREATE INDEX zz_kept ON organisations (name)`); err != nil {
			t.Fatal(err)
		}
		altered = s
	})
	t.Run("not after a change of shape", func(t *testing.T) {
		db := storetest.Postgres(t)
		var n int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM pg_namespace WHERE nspname = $1`, altered).Scan(&n); err != nil || n != 0 {
			t.Fatalf("schema %s, whose test added an index, is still there (%d, %v)", altered, n, err)
		}
		if _, err := db.SQL().Exec(`ANALYZE organisations`); err != nil {
			t.Fatal(err)
		}
		altered = schemaOf(t, db)
	})
	t.Run("not after ANALYZE", func(t *testing.T) {
		var n int
		if err := storetest.Postgres(t).SQL().QueryRow(`SELECT COUNT(*) FROM pg_namespace WHERE nspname = $1`, altered).Scan(&n); err != nil || n != 0 {
			t.Fatalf("schema %s, whose test ran ANALYZE, is still there (%d, %v)", altered, n, err)
		}
	})
}
