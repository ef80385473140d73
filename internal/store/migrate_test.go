package store_test

import (
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Several replicas starting at once against a new database, each with its
// own handle (its own connections, as separate processes would have), all
// succeed, and every migration is applied exactly once: the migration lock
// (PostgreSQL's advisory lock, SQLite's write lock) makes the others wait
// and then find nothing left to do.
func TestReplicasStartingAtOnceApplyEachMigrationExactlyOnce(t *testing.T) {
	storetest.ForEachEmpty(t, func(t *testing.T, url string) {
		const replicas = 4
		handles := make([]*store.DB, replicas)
		for i := range handles {
			db, err := store.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			handles[i] = db
		}
		start := make(chan struct{})
		errs := make([]error, replicas)
		applied := make([][]string, replicas)
		var wg sync.WaitGroup
		for i, db := range handles {
			wg.Go(func() {
				<-start
				applied[i], errs[i] = db.ApplyMigrations(ctx, "")
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("replica %d: %v", i, err)
			}
		}
		known, err := handles[0].MigrationVersions()
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, a := range applied {
			total += len(a)
		}
		if total != len(known) {
			t.Errorf("the replicas applied %d migrations between them, want each of the %d once: %v", total, len(known), applied)
		}
		db := handles[0]
		for _, v := range known {
			if n := count(t, db, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, v); n != 1 {
				t.Errorf("migration %s recorded %d times", v, n)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM schema_migrations`); n != len(known) {
			t.Errorf("schema_migrations has %d rows, want %d", n, len(known))
		}
		if err := db.RequireCurrent(ctx); err != nil {
			t.Error(err)
		}
		if err := db.CheckSchema(ctx); err != nil {
			t.Error(err)
		}
	})
}

// A binary refuses a database that a newer release has migrated: it does
// not know what the newer schema means for its writes. Migrate refuses
// before changing anything, and so does every command's opening check.
func TestADatabaseAtANewerSchemaThanThisBuildKnowsIsRefused(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		knows := store.LatestSchema()
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO schema_migrations(version, applied_at) VALUES ('0999_from_the_future', '2030-01-01T00:00:00Z')`); err != nil {
			t.Fatal(err)
		}
		want := "this database is at schema 0999, this Waymark knows up to " + knows + ": run the newer release"
		for name, err := range map[string]error{"Migrate": db.Migrate(ctx), "RequireCurrent": db.RequireCurrent(ctx)} {
			var tooNew *store.SchemaTooNewError
			if !errors.As(err, &tooNew) || err.Error() != want {
				t.Errorf("%s on a newer schema: %v, want %q", name, err, want)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM schema_migrations`); n != len(mustVersions(t, db))+1 {
			t.Errorf("schema_migrations changed: %d rows", n)
		}
	})
}

// A database behind this build is named as such, with the migrations it
// lacks, and nothing is applied by asking.
func TestADatabaseBehindThisBuildListsItsPendingMigrations(t *testing.T) {
	dbs := []*store.DB{storetest.SQLiteAt(t, "0010")}
	if storetest.WantPostgres(t) {
		dbs = append(dbs, storetest.PostgresAt(t, "0010"))
	}
	for _, db := range dbs {
		st, err := db.SchemaState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		known := mustVersions(t, db)
		if !strings.HasPrefix(st.Applied, "0010") || len(st.Pending) != len(known)-10 || !strings.HasPrefix(st.Pending[0], "0011") {
			t.Fatalf("state %+v", st)
		}
		err = db.RequireCurrent(ctx)
		var pending *store.PendingError
		if !errors.As(err, &pending) || !strings.Contains(err.Error(), "migrations pending") || !strings.Contains(err.Error(), "run `waymark migrate`") {
			t.Fatalf("RequireCurrent behind: %v", err)
		}
		if v, _ := db.SchemaVersion(ctx); !strings.HasPrefix(v, "0010") {
			t.Fatalf("asking migrated the database to %s", v)
		}
	}
}

// OpenExisting never makes a database: a missing SQLite file stays
// missing, and a PostgreSQL schema without Waymark's tables is not one.
func TestOpeningWhereThereIsNoWaymarkDatabaseMakesNone(t *testing.T) {
	storetest.ForEachEmpty(t, func(t *testing.T, url string) {
		_, err := store.OpenExisting(ctx, url)
		var none *store.NoDatabaseError
		if !errors.As(err, &none) || !strings.Contains(err.Error(), "no Waymark database at ") || !strings.Contains(err.Error(), "run `waymark migrate --create` to make one") {
			t.Fatalf("OpenExisting on nothing: %v", err)
		}
		if strings.Contains(err.Error(), "app_test@") || strings.Contains(err.Error(), ":app_test") {
			t.Errorf("the message shows the connection's credentials: %v", err)
		}
		if !strings.HasPrefix(url, "postgres") {
			if _, err := os.Stat(url); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("a file was left behind at %s: %v", url, err)
			}
		}
		db, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		again, err := store.OpenExisting(ctx, url)
		if err != nil {
			t.Fatalf("OpenExisting on a migrated database: %v", err)
		}
		again.Close()
	})
}

func mustVersions(t *testing.T, db *store.DB) []string {
	t.Helper()
	vs, err := db.MigrationVersions()
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// Row-level security is PostgreSQL's other way, besides triggers and rules,
// to change behind Waymark's back what its statements see and write (a
// policy that hides the rows of one kind of alert, or refuses some audit
// entries): a policy, or security turned on for a table, that no migration
// made is refused at start-up like a trigger.
func TestARowLevelSecurityPolicyNoMigrationMadeIsRefused(t *testing.T) {
	if !storetest.WantPostgres(t) {
		t.Skip("PostgreSQL only: SQLite has no row-level security")
	}
	db := storetest.Postgres(t)
	for _, q := range []string{
		`ALTER TABLE alerts ENABLE ROW LEVEL SECURITY`,
		`ALTER TABLE alerts FORCE ROW LEVEL SECURITY`,
		`CREATE POLICY zz_hide ON alerts USING (kind <> 'break_glass')`,
	} {
		if _, err := db.SQL().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	err := db.CheckSchema(ctx)
	if err == nil || !strings.Contains(err.Error(), "zz_hide on alerts") {
		t.Fatalf("a policy hiding rows: %v", err)
	}
	if _, err := db.SQL().ExecContext(ctx, `DROP POLICY zz_hide ON alerts`); err != nil {
		t.Fatal(err)
	}
	// Security on with no policy hides every row from everyone but a
	// superuser.
	if err := db.CheckSchema(ctx); err == nil || !strings.Contains(err.Error(), "row-level security on alerts") {
		t.Fatalf("row-level security turned on: %v", err)
	}
	if _, err := db.SQL().ExecContext(ctx, `ALTER TABLE alerts NO FORCE ROW LEVEL SECURITY`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, `ALTER TABLE alerts DISABLE ROW LEVEL SECURITY`); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatal(err)
	}
}

// A release that fills a gap in the migration numbers (this build carries
// 0014 and 0016, the next one adds 0015) leaves the newest number where it
// was: a migration applied that this build does not carry still means a
// newer release wrote the schema, and this build refuses it as it refuses
// a higher number.
func TestADatabaseHoldingAMigrationThisBuildDoesNotCarryIsRefused(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO schema_migrations(version, applied_at) VALUES ('0001_filled_gap', '2030-01-01T00:00:00Z')`); err != nil {
			t.Fatal(err)
		}
		for name, err := range map[string]error{"Migrate": db.Migrate(ctx), "RequireCurrent": db.RequireCurrent(ctx)} {
			var tooNew *store.SchemaTooNewError
			if !errors.As(err, &tooNew) || !strings.Contains(err.Error(), "0001_filled_gap") || !strings.Contains(err.Error(), "newer release") {
				t.Errorf("%s with a migration this build does not carry: %v", name, err)
			}
		}
	})
}

// A function of the database's own called from a CHECK constraint, a
// column default or an index expression runs on every write to that table,
// as a trigger does, and can do what a trigger can (PostgreSQL does not
// hold such functions to being free of side effects). None of Waymark's
// migrations calls one: start-up refuses it like a trigger.
func TestAFunctionCalledFromAConstraintDefaultOrIndexIsRefused(t *testing.T) {
	if !storetest.WantPostgres(t) {
		t.Skip("PostgreSQL only: SQLite has no functions of the database's own")
	}
	db := storetest.Postgres(t)
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatalf("a freshly migrated database: %v", err)
	}
	if _, err := db.SQL().ExecContext(ctx, `CREATE FUNCTION zz_watch(a TEXT) RETURNS BOOLEAN LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN RETURN true; END $$`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ add, drop string }{
		{`ALTER TABLE audit_log ADD CONSTRAINT zz_check CHECK (zz_watch(actor_id))`, `ALTER TABLE audit_log DROP CONSTRAINT zz_check`},
		{`ALTER TABLE audit_log ALTER COLUMN request_id SET DEFAULT (zz_watch('x'))::text`, `ALTER TABLE audit_log ALTER COLUMN request_id SET DEFAULT ''`},
		{`CREATE INDEX zz_index ON audit_log ((zz_watch(action)))`, `DROP INDEX zz_index`},
	} {
		if _, err := db.SQL().ExecContext(ctx, c.add); err != nil {
			t.Fatalf("%s: %v", c.add, err)
		}
		if err := db.CheckSchema(ctx); err == nil || !strings.Contains(err.Error(), "zz_watch") {
			t.Errorf("%s: %v", c.add, err)
		}
		if _, err := db.SQL().ExecContext(ctx, c.drop); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatal(err)
	}
}

// An index the migrations create and the database lacks (a seed stopped
// while building them, or one dropped by hand) makes reads scan whole
// tables without a word: `waymark verify` names it, on both stores.
func TestVerifyNamesAnIndexTheMigrationsCreateThatIsMissing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		if err := db.CheckIndexes(ctx); err != nil {
			t.Fatalf("a freshly migrated database: %v", err)
		}
		// 0018 dropped alerts_recipient and 0023 search_tokens_hash: a
		// dropped index is not expected back.
		for _, q := range []string{`DROP INDEX case_events_plain`} {
			if _, err := db.SQL().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		err := db.CheckIndexes(ctx)
		var ie *store.IndexError
		if !errors.As(err, &ie) || len(ie.Missing) != 1 || ie.Missing[0] != "case_events_plain on case_events" {
			t.Fatalf("with case_events_plain dropped: %v", err)
		}
		if _, err := db.Verify(ctx, store.VerifyOptions{}); !errors.As(err, &ie) {
			t.Fatalf("verify with an index missing: %v", err)
		}
	})
}
