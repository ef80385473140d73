package store_test

import (
	"testing"
	"testing/synctest"
	"time"

	"waymark/internal/store"
)

// A SQLite database held only in memory lives as long as a connection to
// it: the pool's closing of connections left unused for a minute (which
// hands a quiet server's page caches back) must not close its last one
// and lose everything written to it.
func TestAnInMemorySQLiteDatabaseOutlastsAQuietMinute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		db, err := store.Open(ctx, ":memory:", store.OpenOptions{MaxConns: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.SQL().ExecContext(ctx, `CREATE TABLE kept (x INTEGER); INSERT INTO kept VALUES (1)`); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Minute) // fake time: nobody uses the database
		synctest.Wait()
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM kept`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("after a quiet five minutes: %d rows, %v", n, err)
		}
	})
}

// A SQLite file's connections left unused for a minute are closed, and
// the next use opens one afresh with the same settings.
func TestAQuietSQLiteFilesConnectionsCloseAndReopenAlike(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		db, err := store.Open(ctx, t.TempDir()+"/quiet.db")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.Update(ctx, func(*store.Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if _, open := db.Connections(); open != 2 {
			t.Fatalf("%d connections open after a read and a write, want 2 (one of the pool, the write connection)", open)
		}
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		if _, open := db.Connections(); open != 0 {
			t.Fatalf("%d connections open after a quiet five minutes, want 0 (the write connection too)", open)
		}
		var fk, secure int
		if err := db.SQL().QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := db.SQL().QueryRowContext(ctx, `PRAGMA secure_delete`).Scan(&secure); err != nil {
			t.Fatal(err)
		}
		if fk != 1 || secure != 1 {
			t.Fatalf("a reopened connection: foreign_keys %d, secure_delete %d; want 1 and 1 (an erasure overwrites)", fk, secure)
		}
	})
}
