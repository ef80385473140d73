package store

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// openToFile counts the connections open to a SQLite file: the read pool's,
// the write connection and the background checkpoint's.
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
func busyFile(t *testing.T, ctx context.Context) (*DB, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "waymark.db")
	db, err := Open(ctx, file)
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
	return db, file
}

// A server fallen quiet closes the connections of its pools that nothing
// is using, so that SQLite's memory outside the Go heap is handed back; a
// transaction running keeps its own, the checkpoint's connection stays
// (restore's check that the file is in use needs it), the pools keep
// their idle connections again afterwards, and the next reads and writes
// open connections with the same settings.
func TestClosingIdleConnectionsClosesThePoolsOnesNotInUse(t *testing.T) {
	ctx := context.Background()
	db, _ := busyFile(t, ctx)
	if err := db.View(ctx, func(tx *Tx) error {
		db.CloseIdle()
		if r, w, c := db.openToFile(); r != 1 || w != 0 || c != 1 {
			t.Errorf("while a read runs: %d read, %d write and %d checkpoint connections open, want 1 (the read's), 0 and 1", r, w, c)
		}
		var n int
		return tx.queryRow(`SELECT COUNT(*) FROM sqlite_master`).Scan(&n)
	}); err != nil {
		t.Fatalf("a read whose connection was left to it: %v", err)
	}
	db.CloseIdle()
	if r, w, c := db.openToFile(); r != 0 || w != 0 || c != 1 {
		t.Fatalf("quiet: %d read, %d write and %d checkpoint connections open, want 0, 0 and 1", r, w, c)
	}
	// Every read connection at once, then a write: each is kept when idle.
	reads := db.sql.Stats().MaxOpenConnections
	var wg sync.WaitGroup
	held := make(chan struct{})
	for range reads {
		wg.Go(func() {
			if err := db.View(ctx, func(*Tx) error { <-held; return nil }); err != nil {
				t.Error(err)
			}
		})
	}
	for db.sql.Stats().InUse < reads { // polling: the reads take their connections
		time.Sleep(time.Millisecond)
	}
	close(held)
	wg.Wait()
	fillWAL(t, db, 1)
	if st := db.sql.Stats(); st.Idle != reads {
		t.Fatalf("after %d reads at once: %d read connections kept idle, want %d (the pool's limit put back)", reads, st.Idle, reads)
	}
	if st := db.wsql.Stats(); st.Idle != 1 {
		t.Fatalf("after a write: %d write connections kept idle, want 1", st.Idle)
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

// The background checkpoint's connection stays open however long the
// store stands unused, while the pools close theirs.
func TestTheCheckpointsConnectionStaysOpenWhileTheStoreIs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db, _ := busyFile(t, t.Context())
		time.Sleep(5 * time.Minute) // fake time: nobody uses the database
		synctest.Wait()
		if r, w, c := db.openToFile(); r != 0 || w != 0 || c != 1 {
			t.Fatalf("after a quiet five minutes: %d read, %d write and %d checkpoint connections open, want 0, 0 and 1", r, w, c)
		}
	})
}

// inUseHelperFile names the file the helper below checks, in a process of
// its own: a process does not see its own locks, and `waymark restore`
// is another process.
const inUseHelperFile = "WAYMARK_TEST_IN_USE_FILE"

func TestHelperReportsWhetherTheFileIsInUse(t *testing.T) {
	file := os.Getenv(inUseHelperFile)
	if file == "" {
		t.Skip("run by TestARestoreSeesAQuietServerStillHasTheFileOpen in a process of its own")
	}
	inUse, err := SQLiteInUse(file)
	fmt.Printf("in use: %v, %v\n", inUse, err)
}

// `waymark restore` refuses while a server has the database open, however
// quiet it has fallen: after it closed its idle connections, the
// checkpoint's still holds the -shm file's lock that restore looks for.
func TestARestoreSeesAQuietServerStillHasTheFileOpen(t *testing.T) {
	ctx := context.Background()
	db, file := busyFile(t, ctx)
	db.CloseIdle()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperReportsWhetherTheFileIsInUse$", "-test.count=1")
	cmd.Env = append(os.Environ(), inUseHelperFile+"="+file)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the helper process: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "in use: true, <nil>") {
		t.Fatalf("another process asked whether the quiet server's file is in use:\n%s\nwant it in use", out)
	}
}

// Activity counts the transactions begun and says whether one is running,
// for serve's loop that closes idle connections once they stop.
func TestActivityCountsTransactionsAndSaysWhenOneRuns(t *testing.T) {
	ctx := context.Background()
	db, _ := busyFile(t, ctx)
	begun, busy := db.Activity()
	if busy {
		t.Fatal("busy with no transaction running")
	}
	if err := db.View(ctx, func(*Tx) error {
		if n, busy := db.Activity(); n != begun+1 || !busy {
			t.Errorf("during a read: %d begun and busy %v, want %d and true", n, busy, begun+1)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(*Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if n, busy := db.Activity(); n != begun+2 || busy {
		t.Fatalf("after a read and a write: %d begun and busy %v, want %d and false", n, busy, begun+2)
	}
}
