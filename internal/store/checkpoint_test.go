package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"waymark/internal/audit"
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
	if testing.Short() {
		t.Skip("grows a WAL past its limit: in the full run")
	}
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
	db.checkpointer.setEvery(time.Millisecond)
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

// openMigrated opens (creating) a SQLite file in a temporary folder,
// migrated, closed when the test ends.
func openMigrated(t *testing.T) (*DB, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "waymark.db")
	db, err := Open(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, file
}

// holdLongRead starts a read that holds its snapshot (of the filler table)
// until the returned end is called, which waits for it to finish; end may
// be called more than once.
func holdLongRead(t *testing.T, db *DB) (end func()) {
	t.Helper()
	holding, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- db.View(context.Background(), func(tx *Tx) error {
			var n int
			if err := tx.queryRow(`SELECT COUNT(*) FROM filler`).Scan(&n); err != nil {
				return err
			}
			close(holding)
			<-release
			return nil
		})
	}()
	select {
	case <-holding:
	case err := <-done:
		t.Fatalf("the long read: %v", err)
	}
	var once sync.Once
	end = func() {
		once.Do(func() {
			close(release)
			if err := <-done; err != nil {
				t.Error(err)
			}
		})
	}
	t.Cleanup(end)
	return end
}

// §9: an erasure's scrub cannot truncate the WAL while a reader of an older
// snapshot is reading, and tries again until the reader is done. While it
// waits, writes, the audit entry every page waits for, and reads all go
// ahead: it holds no connection of the reads' pool (two by default) and
// does not sit on the write lock waiting for the reader.
func TestAnErasuresScrubLetsWritesAndReadsGoWhileItWaits(t *testing.T) {
	ctx := context.Background()
	db, file := openMigrated(t)
	fillWAL(t, db, 20)
	if readers := db.sql.Stats().MaxOpenConnections; readers != 2 {
		t.Fatalf("the reads' pool has %d connections, want the default of 2", readers)
	}

	// A long read holds a snapshot; a write after it gives the WAL frames
	// that reader keeps the scrub from truncating.
	endRead := holdLongRead(t, db)
	fillWAL(t, db, 1)

	// The scrub's first pause comes after a try the reader kept from
	// finishing; until the reader is done it keeps trying.
	paused, tries := make(chan struct{}), 0
	db.scrubPause = func(ctx context.Context) error {
		if tries++; tries == 1 {
			close(paused)
		}
		return scrubRetryPause(ctx)
	}
	scrubbed := make(chan error, 1)
	go func() { scrubbed <- db.Scrub(ctx) }()
	select {
	case <-paused:
	case err := <-scrubbed:
		t.Fatalf("the scrub finished while a reader held an older snapshot (%v): the test proves nothing", err)
	case <-time.After(5 * time.Second):
		t.Fatal("the scrub's first try did not answer within 5 s: it waited for the reader, holding the write lock")
	}

	short, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	for range 3 { // each lands while the scrub is between tries or in one
		if err := db.Update(short, func(tx *Tx) error {
			return tx.AppendAudit(audit.Entry{At: time.Now(), ActorID: "user-1", Action: "test.write"})
		}); err != nil {
			t.Fatalf("a write while the scrub waited for a reader: %v", err)
		}
		if err := db.RecordAudit(short, audit.Entry{At: time.Now(), ActorID: "user-1", Action: "test.read"}); err != nil {
			t.Fatalf("a page's audit entry while the scrub waited for a reader: %v", err)
		}
		if err := db.View(short, func(tx *Tx) error {
			var n int
			return tx.queryRow(`SELECT COUNT(*) FROM filler`).Scan(&n)
		}); err != nil {
			t.Fatalf("a read while the scrub waited for a reader: %v", err)
		}
	}
	select {
	case err := <-scrubbed:
		t.Fatalf("the scrub finished while the reader still held its snapshot: %v", err)
	default:
	}

	endRead()
	if err := <-scrubbed; err != nil {
		t.Fatalf("the scrub, once the long read ended: %v", err)
	}
	if st, err := os.Stat(file + "-wal"); err != nil || st.Size() != 0 {
		t.Fatalf("after the scrub the WAL is %v (%v), want emptied", st.Size(), err)
	}
}

// A scrub that comes as the database closes runs on the pool, whose last
// connection checkpoints anyway, rather than fail on the background
// checkpoint's connection, closed first.
func TestAScrubWhileTheDatabaseClosesDoesNotFail(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fillWAL(t, db, 5)
	db.checkpointer.close()
	if err := db.Scrub(context.Background()); err != nil {
		t.Fatalf("a scrub after the background checkpoint closed: %v", err)
	}
}

// §9: an erasure's scrub waits its turn among this process's writes, so
// writes coming back to back do not keep it from the WAL until it gives up.
func TestAnErasuresScrubTakesItsTurnAmongTheWrites(t *testing.T) {
	ctx := context.Background()
	db, _ := openMigrated(t)
	fillWAL(t, db, 5)
	db.scrubPatience = 300 * time.Millisecond
	holding, release, written := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		written <- db.Update(ctx, func(tx *Tx) error {
			if _, err := tx.exec(`INSERT INTO filler (x) VALUES ('a long write')`); err != nil {
				return err
			}
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	scrubbed := make(chan error, 1)
	go func() { scrubbed <- db.Scrub(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for db.writer.queued() == 0 {
		select {
		case err := <-scrubbed:
			close(release)
			<-written
			t.Fatalf("the scrub ended (%v) while a write held the lock, without waiting its turn", err)
		default:
		}
		if time.Now().After(deadline) {
			close(release)
			<-written
			t.Fatal("the scrub never queued behind the write")
		}
		runtime.Gosched() // polling for a state, not timing
	}
	close(release)
	if err := <-written; err != nil {
		t.Fatal(err)
	}
	if err := <-scrubbed; err != nil {
		t.Fatalf("the scrub after its turn: %v", err)
	}
	if db.checkpointer.pending() {
		t.Fatal("the scrub succeeded but is still pending")
	}
}

// §9: a scrub that gives up while a long reader holds the WAL (an export, a
// backup) is tried again by the background checkpoint, writes or none,
// so the erased content does not stay in the WAL's old frames.
func TestAScrubGivenUpIsTriedAgainUntilTheErasedBytesAreGone(t *testing.T) {
	ctx := context.Background()
	db, file := openMigrated(t)
	db.checkpointer.setEvery(10 * time.Millisecond) // before any commit kicks the loop
	db.scrubPatience = 300 * time.Millisecond
	fillWAL(t, db, 5)

	endRead := holdLongRead(t, db)
	const marker = "ERASED-CHILD-NAME-4711"
	for _, q := range []string{`INSERT INTO filler (x) VALUES ('` + marker + `')`, `DELETE FROM filler WHERE x = '` + marker + `'`} {
		if err := db.Update(ctx, func(tx *Tx) error { _, err := tx.exec(q); return err }); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Scrub(ctx); err == nil {
		t.Fatal("the scrub truncated the WAL while a reader held an older snapshot: the test proves nothing")
	}
	if !db.ScrubPending() {
		t.Fatal("a scrub that gave up left nothing pending (as /metrics reports it)")
	}
	endRead()
	// One more write, then nothing: the loop tries the pending scrub
	// whether or not writes come, after the gap its tries while the
	// reader held the WAL left (a second or more, scrubGapLeast).
	fillWAL(t, db, 1)
	deadline := time.Now().Add(20 * time.Second)
	for db.ScrubPending() {
		if time.Now().After(deadline) {
			t.Fatal("the pending scrub was not done within 20 s of the reader ending")
		}
		runtime.Gosched() // polling for a state, not timing
	}
	for _, name := range []string{file, file + "-wal"} {
		b, err := os.ReadFile(name)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if strings.Contains(string(b), marker) {
			t.Errorf("%s still holds the erased content after the scrub was done", filepath.Base(name))
		}
	}
}

// §9: a scrub that ends for any other reason (the person closed the page
// and the request's context ended, the write queue or SQLite refused) is
// tried again by the background checkpoint too.
func TestAScrubWhoseRequestEndedIsTriedAgainLater(t *testing.T) {
	db, _ := openMigrated(t)
	fillWAL(t, db, 5)
	c := db.checkpointer
	c.scrubDone.Store(c.scrubWanted.Load()) // what a start leaves pending (below)
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	if err := db.Scrub(ended); err == nil {
		t.Fatal("a scrub whose request had ended succeeded: the test proves nothing")
	}
	if !c.pending() {
		t.Fatal("a scrub whose request ended left nothing pending")
	}
}

// walWithErasedMarker makes a database whose WAL's old frames hold a row
// since deleted, as a process killed before its scrub leaves it, and
// returns its path.
func walWithErasedMarker(t *testing.T, marker string) string {
	t.Helper()
	db, file := openMigrated(t)
	c := db.checkpointer
	c.scrubDone.Store(c.scrubWanted.Load()) // this process's own start scrub is not the one tested
	for _, q := range []string{`CREATE TABLE IF NOT EXISTS filler (x TEXT)`, `INSERT INTO filler (x) VALUES ('` + marker + `')`, `DELETE FROM filler WHERE x = '` + marker + `'`} {
		if err := db.Update(context.Background(), func(tx *Tx) error { _, err := tx.exec(q); return err }); err != nil {
			t.Fatal(err)
		}
	}
	// Copied while it is open, as the files stand after a kill.
	dir := t.TempDir()
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(file + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "waymark.db"+suffix), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "waymark.db-wal")); !strings.Contains(string(b), marker) {
		t.Fatal("the copied WAL does not hold the marker: the test proves nothing")
	}
	return filepath.Join(dir, "waymark.db")
}

// §9: a process killed while a scrub was pending (or before its scrub
// ran) leaves erased pages in the WAL's old frames, which SQLite keeps at
// the next start until they are overwritten. So every start has a scrub
// pending, which the background checkpoint does a second after the start,
// even if the service only reads.
func TestAStartTruncatesTheWALAKilledProcessMayHaveLeft(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a process mid-write and waits for the background checkpoint: in the full run")
	}
	const marker = "ERASED-BEFORE-A-KILL-0815"
	file := walWithErasedMarker(t, marker)
	db, err := Open(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !db.checkpointer.pending() {
		t.Fatal("a start has no scrub pending")
	}
	deadline := time.Now().Add(20 * time.Second)
	for db.checkpointer.pending() { // no write at all meanwhile
		if time.Now().After(deadline) {
			t.Fatal("the start's scrub was not done within 20 s")
		}
		runtime.Gosched() // polling for a state, not timing
	}
	if b, _ := os.ReadFile(file + "-wal"); strings.Contains(string(b), marker) {
		t.Fatal("the WAL still holds the erased content after the start's scrub")
	}
}

// §9: a process that closes with a scrub pending tries it once more: when
// another process keeps the file open (a check, a backup), the WAL is not
// removed at the close, and its old frames would keep the erased content.
func TestClosingWithAScrubPendingTriesItOnceMore(t *testing.T) {
	const marker = "ERASED-BEFORE-A-CLOSE-4242"
	file := walWithErasedMarker(t, marker)
	other, err := openSQLiteChecking(file) // another process's read-only open
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Ping(); err != nil {
		t.Fatal(err)
	}
	db, err := Open(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil { // at once: the start's scrub is still pending
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(file + "-wal"); strings.Contains(string(b), marker) {
		t.Fatal("the WAL still holds the erased content after a close with a scrub pending")
	}
}

// While the WAL stays held (an hour-long backup), the background
// checkpoint's tries of a pending scrub, each of which may hold the writes
// up to scrubTry, come further and further apart: 1 s, 2 s, 4 s … up to a
// minute, and at once again after one succeeds.
func TestAPendingScrubIsTriedLessOftenWhileTheWALStaysHeld(t *testing.T) {
	now := time.Date(2026, 12, 6, 18, 0, 0, 0, time.UTC)
	var tries []time.Time
	busy := true
	var c *walCheckpointer
	c = &walCheckpointer{now: func() time.Time { return now }, scrub: func(context.Context) (bool, error) {
		tries = append(tries, now)
		if !busy {
			c.scrubbed(c.scrubWanted.Load())
		}
		return busy, nil
	}}
	c.scrubLater()
	for range 600 { // a checkpoint every second for ten minutes
		c.retryScrub()
		now = now.Add(time.Second)
	}
	var gaps []time.Duration
	for i := 1; i < len(tries); i++ {
		gaps = append(gaps, tries[i].Sub(tries[i-1]))
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second, time.Minute}
	for i, w := range want {
		if i >= len(gaps) || gaps[i] != w {
			t.Fatalf("gaps between tries %v, want %v then a minute each", gaps, want)
		}
	}
	for _, g := range gaps[len(want):] {
		if g != time.Minute {
			t.Fatalf("gaps between tries %v, want at most a minute", gaps)
		}
	}
	busy = false
	now = now.Add(time.Minute)
	c.retryScrub()
	if c.pending() {
		t.Fatal("a try that succeeded left the scrub pending")
	}
	c.scrubLater()
	n := len(tries)
	c.retryScrub()
	if len(tries) != n+1 {
		t.Fatal("a new pending scrub waited for the old gap")
	}
}
