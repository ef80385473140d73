package reliability

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Three processes running `waymark migrate --create` on one new database at
// the same moment (replicas' start-up scripts, say) all succeed, and each
// migration is applied once: the migration lock works across processes,
// not only across one process's connections.
func TestThreeProcessesMigratingANewDatabaseAtOnceApplyEachMigrationOnce(t *testing.T) {
	run := func(t *testing.T, url string) {
		waymarkBinary(t)
		outs := make([]string, 3)
		errs := make([]error, 3)
		var wg sync.WaitGroup
		for i := range outs {
			wg.Go(func() { outs[i], errs[i] = waymark(t, "migrate", "--create", "--database", url) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("process %d: %v\n%s", i, err, outs[i])
			}
		}
		db, err := store.OpenExisting(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		known, err := db.MigrationVersions()
		if err != nil {
			t.Fatal(err)
		}
		var rows, distinct int
		if err := db.SQL().QueryRow(`SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).Scan(&rows, &distinct); err != nil {
			t.Fatal(err)
		}
		if rows != len(known) || distinct != len(known) {
			t.Fatalf("schema_migrations has %d rows (%d versions), want each of the %d migrations once", rows, distinct, len(known))
		}
		if err := db.RequireCurrent(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("sqlite", func(t *testing.T) { run(t, filepath.Join(privateDir(t), "waymark.db")) })
	if storetest.WantPostgres(t) {
		t.Run("postgres", func(t *testing.T) {
			db, url := emptySchema(t)
			db.Close()
			run(t, url)
		})
	}
}
