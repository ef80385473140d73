package store_test

import (
	"context"
	"strings"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// A database opened for a checking command refuses a write in any of its
// transactions: SQLite's connections are read-only, PostgreSQL's sessions
// start with default_transaction_read_only=on.
func TestADatabaseOpenedReadOnlyRefusesAWrite(t *testing.T) {
	storetest.ForEachEmpty(t, func(t *testing.T, url string) {
		ctx := context.Background()
		migrated(t, url)
		db, err := store.OpenExisting(ctx, url, store.OpenOptions{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		tx, err := db.SQL().BeginTx(ctx, nil) // not asked to be read-only
		if err != nil {
			t.Fatal(err)
		}
		_, err = tx.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES ('9999_never', '2030-01-01T00:00:00Z')`)
		if err == nil {
			err = tx.Commit()
		} else {
			tx.Rollback()
		}
		if err == nil {
			t.Fatal("a database opened read-only took an INSERT")
		}
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = '9999_never'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d rows written (%v)", n, err)
		}
	})
}

// A checking command given the URL of a primary and its standby finds the
// primary as serve does (target_session_attrs=read-write asks each server
// whether its session is read-only), and is still refused every write.
func TestAReadOnlyOpenStillFindsTheReadWriteServer(t *testing.T) {
	storetest.ForEachEmpty(t, func(t *testing.T, url string) {
		if !strings.HasPrefix(url, "postgres") {
			t.Skip("PostgreSQL: a URL that picks its server")
		}
		ctx := context.Background()
		migrated(t, url)
		sep := "?"
		if strings.Contains(url, "?") {
			sep = "&"
		}
		db, err := store.OpenExisting(ctx, url+sep+"target_session_attrs=read-write", store.OpenOptions{ReadOnly: true})
		if err != nil {
			t.Fatalf("opening the read-write server read-only: %v", err)
		}
		defer db.Close()
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n == 0 {
			t.Fatalf("reading: %d rows, %v", n, err)
		}
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ('9999_never', '2030-01-01T00:00:00Z')`); err == nil {
			t.Fatal("a database opened read-only took an INSERT")
		}
	})
}

// A checking command may reach PostgreSQL through a pooler in transaction
// mode (PgBouncer, docs/operations.md "Connection pool"), which hands one
// server session to one client's transaction and then to the next client's,
// serve's among them. Its read-only default must come with its own
// connection (a start-up parameter, which such a pooler refuses), never be
// SET on a server session: that would make the next replica's writes fail
// there, and leave the checking command's own transactions writable on the
// sessions it was not SET on.
func TestAReadOnlyOpenSetsNothingOnTheServerSession(t *testing.T) {
	storetest.ForEachEmpty(t, func(t *testing.T, url string) {
		if !strings.HasPrefix(url, "postgres") {
			t.Skip("PostgreSQL: server sessions a pooler shares")
		}
		ctx := context.Background()
		migrated(t, url)
		db, err := store.OpenExisting(ctx, url, store.OpenOptions{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var setting, source string
		if err := db.SQL().QueryRowContext(ctx, `SELECT setting, source FROM pg_settings WHERE name = 'default_transaction_read_only'`).Scan(&setting, &source); err != nil {
			t.Fatal(err)
		}
		if setting != "on" {
			t.Fatalf("default_transaction_read_only is %s, from %q; want on, from the client's start-up parameters", setting, source)
		}
		// RESET ALL (a pooler's server_reset_query in session mode does as
		// much) puts every SET back: a start-up parameter stays.
		c, err := db.SQL().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.ExecContext(ctx, `RESET ALL`); err != nil {
			t.Fatal(err)
		}
		if _, err := c.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ('9999_never', '2030-01-01T00:00:00Z')`); err == nil {
			t.Fatal("after RESET ALL a session of a database opened read-only took an INSERT")
		}
	})
}

// migrated makes the empty database at url Waymark's, then closes it.
func migrated(t *testing.T, url string) {
	t.Helper()
	ctx := context.Background()
	made, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer made.Close()
	if _, err := made.ApplyMigrations(ctx, ""); err != nil {
		t.Fatal(err)
	}
}
