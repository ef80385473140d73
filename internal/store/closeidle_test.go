package store

import (
	"context"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"
)

// open counts the connections open to a SQLite file: the read pool's, the
// write connection and the background checkpoint's.
func (db *DB) openToFile() (read, write, checkpoint int) {
	read = db.sql.Stats().OpenConnections
	if db.wsql != nil {
		write = db.wsql.Stats().OpenConnections
	}
	if db.checkpointer != nil {
		checkpoint = db.checkpointer.conn.Stats().OpenConnections
	}
	return read, write, checkpoint
}

// busyFile opens a SQLite file and uses every connection to it: a read, a
// write, and a checkpoint on the background checkpoint's own connection.
func busyFile(t *testing.T, ctx context.Context) *DB {
	t.Helper()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.View(ctx, func(*Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	fillWAL(t, db, 3)
	if _, err := db.checkpointWAL(ctx); err != nil {
		t.Fatal(err)
	}
	if r, w, c := db.openToFile(); r == 0 || w != 1 || c != 1 {
		t.Fatalf("after a read, writes and a checkpoint: %d read, %d write and %d checkpoint connections open, want some, 1 and 1", r, w, c)
	}
	return db
}

// A server fallen quiet closes every connection to its file that nothing
// is using, the checkpoint's included, so that SQLite's memory outside the
// Go heap is handed back; a transaction running keeps its own, and the
// next reads and writes open connections with the same settings.
func TestClosingIdleConnectionsClosesEveryOneNotInUse(t *testing.T) {
	ctx := context.Background()
	db := busyFile(t, ctx)
	if err := db.View(ctx, func(tx *Tx) error {
		db.CloseIdle()
		if r, w, c := db.openToFile(); r != 1 || w != 0 || c != 0 {
			t.Errorf("while a read runs: %d read, %d write and %d checkpoint connections open, want 1 (the read's), 0 and 0", r, w, c)
		}
		var n int
		return tx.queryRow(`SELECT COUNT(*) FROM sqlite_master`).Scan(&n)
	}); err != nil {
		t.Fatalf("a read whose connection was left to it: %v", err)
	}
	db.CloseIdle()
	if r, w, c := db.openToFile(); r != 0 || w != 0 || c != 0 {
		t.Fatalf("quiet: %d read, %d write and %d checkpoint connections open, want none", r, w, c)
	}
	fillWAL(t, db, 1)
	if _, err := db.checkpointWAL(ctx); err != nil {
		t.Fatalf("a checkpoint after its connection was closed: %v", err)
	}
	var fk, secure int
	if err := db.wsql.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil {
		t.Fatal(err)
	}
	if err := db.wsql.QueryRowContext(ctx, `PRAGMA secure_delete`).Scan(&secure); err != nil {
		t.Fatal(err)
	}
	if fk != 1 || secure != 1 {
		t.Fatalf("the write connection opened again: foreign_keys %d, secure_delete %d; want 1 and 1", fk, secure)
	}
}

// A database held only in memory lives as long as a connection to it:
// closing idle connections leaves it alone.
func TestClosingIdleConnectionsKeepsADatabaseHeldInMemory(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, ":memory:", OpenOptions{MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.sql.ExecContext(ctx, `CREATE TABLE kept (x INTEGER); INSERT INTO kept VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	db.CloseIdle()
	var n int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM kept`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("after closing idle connections: %d rows, %v", n, err)
	}
}

// The background checkpoint's connection, like the pools', is closed once
// it has stood unused for sqliteIdleClose.
func TestTheCheckpointsConnectionClosesWhenUnused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		db := busyFile(t, ctx)
		time.Sleep(sqliteIdleClose + 10*time.Second) // fake time: nobody uses the database
		synctest.Wait()
		if _, _, c := db.openToFile(); c != 0 {
			t.Fatalf("%d checkpoint connections open after a quiet %v, want 0", c, sqliteIdleClose+10*time.Second)
		}
	})
}
