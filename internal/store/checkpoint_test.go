package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// fillWAL commits n small transactions of about a page each through Update,
// the way the service writes.
func fillWAL(t *testing.T, db *DB, n int) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.SQL().Exec(`CREATE TABLE IF NOT EXISTS filler (x TEXT)`); err != nil {
		t.Fatal(err)
	}
	row := strings.Repeat("x", 3000)
	for i := range n {
		if err := db.Update(ctx, func(tx *Tx) error {
			_, err := tx.exec(`INSERT INTO filler (x) VALUES (?)`, fmt.Sprintf("%d%s", i, row))
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// Every writable connection of the pool leaves checkpoints to the
// background while the WAL is small: SQLite's own would run inside
// whichever commit took the WAL past 1,000 pages, holding the write lock
// (and every request waiting on it) while it wrote and synced the database
// file. Past walInlineCheckpointPages a commit checkpoints after all, so a
// writer that never pauses, which the background checkpoint never catches,
// still has its WAL started again instead of growing until the disk is full.
func TestACommitCheckpointsOnlyAWALTheBackgroundLetGrowLarge(t *testing.T) {
	file := filepath.Join(t.TempDir(), "waymark.db")
	db, err := Open(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The background checkpoint is stopped, as if it never caught up:
	// only a commit could checkpoint.
	db.checkpointer.close()
	db.checkpointer = nil

	// Hold every connection of the pool, and the write connection, at
	// once so the pragma is seen on each.
	ctx := context.Background()
	var conns []interface{ Close() error }
	var held []*sql.Conn
	for range db.SQL().Stats().MaxOpenConnections {
		c, err := db.SQL().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	w, err := db.WriteSQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	held = append(held, w)
	if len(held) < 2 || db.WriteSQL() == db.SQL() {
		t.Fatalf("%d connections, the write connection its own: %v", len(held), db.WriteSQL() != db.SQL())
	}
	for _, c := range held {
		var pages int
		if err := c.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&pages); err != nil {
			t.Fatal(err)
		}
		if pages != walInlineCheckpointPages {
			t.Fatalf("a pool connection checkpoints after %d pages; want %d", pages, walInlineCheckpointPages)
		}
		var limit int64
		if err := c.QueryRowContext(ctx, `PRAGMA journal_size_limit`).Scan(&limit); err != nil {
			t.Fatal(err)
		}
		if limit != walSizeLimit {
			t.Fatalf("a pool connection cuts its WAL back to %d bytes; want %d", limit, walSizeLimit)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Close()
	}

	walPages := func() int64 {
		st, err := os.Stat(file + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		return st.Size() / 4096
	}
	below := walInlineCheckpointPages * 3 / 4
	fillWAL(t, db, below)
	if got := walPages(); got < int64(below) {
		t.Fatalf("the WAL holds %d pages after %d one-page commits: a commit checkpointed it below %d pages", got, below, walInlineCheckpointPages)
	}
	fillWAL(t, db, 3*walInlineCheckpointPages)
	if got := walPages(); got > walInlineCheckpointPages*5/4 {
		t.Fatalf("the WAL grew to %d pages under commits that never paused; want it started again near %d", got, walInlineCheckpointPages)
	}
	var rows int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM filler`).Scan(&rows); err != nil || rows != below+3*walInlineCheckpointPages {
		t.Fatalf("rows %d, %v", rows, err)
	}
}

// The background connection checkpoints what the commits left in the WAL,
// without being asked, and a database closed and opened again holds every
// committed row.
func TestTheBackgroundCheckpointCopiesTheWALIntoTheFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "waymark.db")
	db, err := Open(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	// Set before the first commit kicks the loop (the kick orders it).
	db.checkpointer.every = time.Millisecond
	fillWAL(t, db, 300)

	deadline := time.Now().Add(20 * time.Second)
	for {
		runs, last, err := db.backgroundCheckpoints()
		if err != nil {
			t.Fatal(err)
		}
		if runs > 0 && !last.Busy && last.LogFrames > 0 && last.Checkpointed == last.LogFrames {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s: %d background checkpoints, the last %+v; want one that copied every frame", runs, last)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Asked directly, the same checkpoint finds nothing left to copy.
	r, err := db.checkpointWAL(context.Background())
	if err != nil || r.Busy || r.Checkpointed != r.LogFrames {
		t.Fatalf("checkpoint %+v, %v", r, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file + "-wal"); !os.IsNotExist(err) {
		t.Fatalf("the WAL is still there after the database closed: %v", err)
	}
	db, err = Open(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM filler`).Scan(&rows); err != nil || rows != 300 {
		t.Fatalf("rows %d, %v", rows, err)
	}
}

// Databases the checkpoint does not belong to: PostgreSQL, read-only and
// in-memory SQLite have none, and asking does nothing.
func TestOnlyAWritableSQLiteFileHasABackgroundCheckpoint(t *testing.T) {
	file := filepath.Join(t.TempDir(), "waymark.db")
	db, err := Open(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	fillWAL(t, db, 1)
	db.Close()
	ro, err := Open(context.Background(), file, OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if ro.checkpointer != nil {
		t.Fatal("a read-only database has a checkpoint of its own")
	}
	if r, err := ro.checkpointWAL(context.Background()); err != nil || r != (checkpointResult{}) {
		t.Fatalf("read-only checkpoint: %+v, %v", r, err)
	}
}

// §9: an erasure's scrub waits for every reader of an older snapshot
// before it truncates the WAL, up to the busy timeout of 10 s. It waits on
// the background checkpoint's own connection, so a short page read meanwhile
// still finds a connection of the reads' pool, of which there are two by
// default, while a long read holds the other.
func TestAnErasuresScrubDoesNotHoldAReadConnection(t *testing.T) {
	file := filepath.Join(t.TempDir(), "waymark.db")
	ctx := context.Background()
	db, err := Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fillWAL(t, db, 20)
	readers := db.sql.Stats().MaxOpenConnections
	if readers != 2 {
		t.Fatalf("the reads' pool has %d connections, want the default of 2", readers)
	}

	// A long read holds a snapshot; a write after it gives the WAL frames
	// that reader keeps the scrub from copying back.
	holding, release, longDone := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		longDone <- db.View(ctx, func(tx *Tx) error {
			var n int
			if err := tx.queryRow(`SELECT COUNT(*) FROM filler`).Scan(&n); err != nil {
				return err
			}
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	released := false
	defer func() {
		if !released {
			close(release)
			<-longDone
		}
	}()
	fillWAL(t, db, 1)

	scrubbed := make(chan error, 1)
	go func() { scrubbed <- db.Scrub(ctx) }()
	// The scrub is waiting once its checkpoint has a connection: the
	// checkpoint's own, or (were it to use the pool) the reads' other one.
	deadline := time.Now().Add(5 * time.Second)
	for db.checkpointer.conn.Stats().InUse == 0 && db.sql.Stats().InUse < readers {
		if time.Now().After(deadline) {
			t.Fatal("the scrub never began its checkpoint")
		}
		runtime.Gosched()
	}
	select {
	case err := <-scrubbed:
		t.Fatalf("the scrub finished while a reader held an older snapshot (%v): the test proves nothing", err)
	default:
	}

	short, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := db.View(short, func(tx *Tx) error {
		var n int
		return tx.queryRow(`SELECT COUNT(*) FROM filler`).Scan(&n)
	}); err != nil {
		t.Fatalf("a short read while the scrub waited behind a long one: %v", err)
	}

	close(release)
	released = true
	if err := <-longDone; err != nil {
		t.Fatal(err)
	}
	if err := <-scrubbed; err != nil {
		t.Fatalf("the scrub, once the long read ended: %v", err)
	}
}
