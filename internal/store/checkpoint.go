package store

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// WAL checkpoints run beside the writers, not inside a commit.
//
// Left to itself, SQLite copies the WAL back into the database file
// (a checkpoint) in whichever commit takes the WAL past 1,000 pages, and
// that commit returns only when the pages are written and the database file
// synced. In Waymark every write, and the group-committed audit entries of
// every read, take this process's write lock in turn (Update), so while one
// commit checkpointed, every request waiting for its audit entry waited
// too: at a million cases a checkpoint writes pages scattered over tens of
// gigabytes. So one connection of the store's own checkpoints in the
// background, PASSIVE (it takes no lock a writer or a reader waits for), at
// most every checkpointEvery after a commit, and the writable connections
// raise the automatic checkpoint from 1,000 pages to
// walInlineCheckpointPages, which the background one keeps the WAL below
// while writes come at a service's pace.
//
// The automatic checkpoint is raised, not turned off, because a checkpoint
// alone does not make the WAL smaller: SQLite starts the WAL again from its
// beginning only when a write transaction begins after a checkpoint has
// copied every frame. A writer that never pauses (a seed, a migration, a
// bulk import) always begins its next transaction before the background
// checkpoint has caught up, so the WAL would grow without end (a 300,000-case
// seed filled the disk that way). Past walInlineCheckpointPages the
// committing writer checkpoints the little the background one has not
// copied, as SQLite always did, and its next transaction starts the WAL
// again.
//
// Durability is unchanged: a commit is durable once its frames are synced
// to the WAL (synchronous=FULL), which is before Commit returns, whether or
// not a checkpoint has run; after a crash SQLite replays the WAL when the
// file is next opened. When the database closes, the last connection
// checkpoints what is left and removes the WAL, as before.

// walInlineCheckpointPages is the WAL's size, in pages (16 MB of 4 KB
// pages), past which a commit checkpoints as SQLite's automatic
// checkpoint does.
const walInlineCheckpointPages = 4096

// walSizeLimit is the size, in bytes, the WAL file is cut back to when
// SQLite starts it again: without it the file keeps the largest size it
// ever reached (a seed's or a migration's transaction) until the database
// is closed.
const walSizeLimit = 64 << 20

// checkpointEvery is the longest a committed page waits in the WAL for the
// background checkpoint, and the least time between two checkpoints.
const checkpointEvery = time.Second

// walCheckpointer is the background checkpoint of a writable SQLite file.
type walCheckpointer struct {
	conn  *sql.DB       // one connection of its own, never the pool's
	every atomic.Int64  // nanoseconds: checkpointEvery (shorter in tests, set while the loop runs: setEvery)
	kick  chan struct{} // a commit happened since the last checkpoint (buffer of one)
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once // close may be called more than once (DB.Close is)

	// running is held while a checkpoint of this process runs (the
	// background one, or an erasure's scrub): SQLite lets one checkpoint
	// at a time hold the WAL and refuses a second at once. closed, under
	// running, says conn is closed: a scrub then runs on the pool.
	running sync.Mutex
	closed  bool

	// A scrub is pending (pending) while scrubWanted, counted up each
	// time an erasure's scrub did not finish (a long reader held the WAL,
	// the request ended) and once at the start (a WAL a killed process
	// left may hold erased pages), is past scrubDone, the count a scrub
	// that finished had seen when it took the write queue. The loop tries
	// a pending scrub until one finishes, whether or not writes come, so
	// the erased pages do not stay in the WAL. A try that finds the WAL
	// held waits scrubGap before the next, doubling up to scrubGapMost:
	// each try may hold the writes up to scrubTry.
	scrubWanted, scrubDone atomic.Int64
	scrubReset             atomic.Bool                                  // a scrub finished outside the loop: start the gaps again
	scrub                  func(context.Context) (busy bool, err error) // DB.scrubOnce
	scrubNext              time.Time                                    // the loop's own: no try before
	scrubGap               time.Duration
	now                    func() time.Time // time.Now (tests)

	mu   sync.Mutex
	last checkpointResult // the last checkpoint's result, for tests and metrics
	runs int64
	err  error // the last checkpoint's error, if it failed
}

// setEvery sets the least time between two checkpoints (tests shorten it).
func (c *walCheckpointer) setEvery(d time.Duration) { c.every.Store(int64(d)) }

// interval is the least time between two checkpoints.
func (c *walCheckpointer) interval() time.Duration { return time.Duration(c.every.Load()) }

// checkpointResult is what SQLite reports of a checkpoint: whether a
// reader or writer kept it from finishing, the WAL's frames and how many of
// them are now in the database file.
type checkpointResult struct {
	Busy         bool
	LogFrames    int
	Checkpointed int
}

// startCheckpointer opens the checkpoint's own connection with dsn and
// starts the loop; call stop before closing the pool. scrub is the
// erasure's scrub, tried again after a checkpoint while one is pending.
// It is stored in *into before its loop starts: the loop's scrub reads it
// there (DB.scrubOnce).
func startCheckpointer(into **walCheckpointer, dsn string, scrub func(context.Context) (bool, error)) {
	conn := sql.OpenDB(cachingConnector{dsn: dsn})
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	// Never closed while the store is open, unlike the pools' (and
	// DB.CloseIdle leaves it alone): this connection's lock on the -shm
	// file is how `waymark restore` sees that a quiet serve still has the
	// database open (SQLiteInUse); with every connection closed, SQLite
	// removes the -wal and -shm files and a restore would replace the
	// file under the running server.
	c := &walCheckpointer{conn: conn, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}), scrub: scrub, now: time.Now}
	// A process killed while a scrub was pending left it undone: the
	// loop truncates the WAL it left, a checkpoint interval after the
	// start, writes or none.
	c.scrubWanted.Store(1)
	c.setEvery(checkpointEvery)
	*into = c
	go c.loop()
}

// scrubGapLeast and scrubGapMost bound the wait between the background
// checkpoint's tries of a pending scrub that find the WAL held.
const (
	scrubGapLeast = time.Second
	scrubGapMost  = time.Minute
)

// scrubLater has the loop try the scrub again until one finishes.
func (c *walCheckpointer) scrubLater() {
	if c != nil {
		c.scrubWanted.Add(1)
		c.committed() // wake the loop
	}
}

// pending says a scrub is still to be done.
func (c *walCheckpointer) pending() bool { return c.scrubWanted.Load() > c.scrubDone.Load() }

// ScrubPending says an erasure's scrub of a SQLite file is still to be
// done: the erased case's old pages may still be in the WAL until it is
// (docs/architecture.md). The background checkpoint tries it until one
// finishes, and one is pending for a moment after every start. Always
// false on PostgreSQL.
func (db *DB) ScrubPending() bool {
	return db.checkpointer != nil && db.checkpointer.pending()
}

// scrubbed records that a scrub finished, covering what was wanted when
// it took the write queue (wanted): a scrub wanted after that, for an
// erasure committed later, stays pending.
func (c *walCheckpointer) scrubbed(wanted int64) {
	for {
		done := c.scrubDone.Load()
		if wanted <= done || c.scrubDone.CompareAndSwap(done, wanted) {
			break
		}
	}
	c.scrubReset.Store(true)
}

// retryScrub tries a pending scrub once, unless the last try found the WAL
// held less than scrubGap ago; it stays pending while readers or another
// checkpoint keep it from finishing.
func (c *walCheckpointer) retryScrub() {
	if c.scrubReset.Swap(false) {
		c.scrubGap, c.scrubNext = 0, time.Time{}
	}
	if !c.pending() || c.scrub == nil || c.now().Before(c.scrubNext) {
		return
	}
	busy, err := c.scrub(context.Background())
	if err == nil && !busy {
		c.scrubGap, c.scrubNext = 0, time.Time{}
		return
	}
	c.scrubGap = min(max(2*c.scrubGap, scrubGapLeast), scrubGapMost)
	c.scrubNext = c.now().Add(c.scrubGap)
	if err != nil {
		slog.Warn("trying again to checkpoint and truncate the WAL after an erasure failed; it is tried again later", "err", err, "next_in", c.scrubGap)
	}
}

// committed tells the checkpointer a commit added frames to the WAL. It
// never blocks.
func (c *walCheckpointer) committed() {
	if c == nil {
		return
	}
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *walCheckpointer) loop() {
	defer close(c.done)
	failing := false
	for {
		// While a scrub is pending, the loop wakes for it too, not only
		// for a commit: a quiet service would otherwise keep an erased
		// case's pages in the WAL until someone wrote.
		var retry <-chan time.Time
		var timer *time.Timer
		if c.pending() && c.scrub != nil {
			timer = time.NewTimer(max(c.scrubNext.Sub(c.now()), c.interval()))
			retry = timer.C
		}
		select {
		case <-c.stop:
			stopTimer(timer)
			return
		case <-retry:
			c.retryScrub()
			continue
		case <-c.kick:
			stopTimer(timer)
		}
		// Frames gather for checkpointEvery, so one checkpoint (and one
		// sync of the database file) takes many commits' pages.
		t := time.NewTimer(c.interval())
		select {
		case <-c.stop:
			t.Stop()
			return
		case <-t.C:
		}
		// A failure is said once, and so is the first success after it:
		// the WAL then grows until a commit passes the threshold.
		_, err := c.checkpoint(context.Background())
		c.retryScrub()
		switch {
		case err != nil && !failing:
			slog.Warn("the background WAL checkpoint failed; commits past the threshold checkpoint instead", "err", err)
		case err == nil && failing:
			slog.Info("the background WAL checkpoint works again")
		}
		failing = err != nil
	}
}

// checkpoint runs one PASSIVE checkpoint now and records its result.
func (c *walCheckpointer) checkpoint(ctx context.Context) (checkpointResult, error) {
	var r checkpointResult
	var busy int
	c.running.Lock()
	err := c.conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &r.LogFrames, &r.Checkpointed)
	c.running.Unlock()
	r.Busy = busy != 0
	c.mu.Lock()
	c.runs++
	c.last, c.err = r, err
	c.mu.Unlock()
	return r, err
}

// close stops the loop and closes the checkpoint's connection. What is
// still in the WAL is checkpointed by the last connection of the pool to
// close.
func (c *walCheckpointer) close() {
	if c == nil {
		return
	}
	c.once.Do(func() {
		close(c.stop)
		<-c.done
		// A last try of a pending scrub: another process may keep the
		// file open (a check, a backup), and then the WAL is not removed
		// when this one closes.
		if c.pending() && c.scrub != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			c.scrub(ctx)
			cancel()
		}
		c.running.Lock() // a scrub running on conn finishes first
		c.closed = true
		c.conn.Close()
		c.running.Unlock()
	})
}

// checkpointWAL runs the background checkpoint's PASSIVE checkpoint at
// once, on its own connection, and reports it; for tests. On
// PostgreSQL, or a SQLite database opened read-only or in memory, it does
// nothing.
func (db *DB) checkpointWAL(ctx context.Context) (checkpointResult, error) {
	if db.checkpointer == nil {
		return checkpointResult{}, nil
	}
	return db.checkpointer.checkpoint(ctx)
}

// backgroundCheckpoints reports how many background checkpoints have run
// and the last one's result and error.
func (db *DB) backgroundCheckpoints() (runs int64, last checkpointResult, err error) {
	c := db.checkpointer
	if c == nil {
		return 0, checkpointResult{}, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.runs, c.last, c.err
}

func stopTimer(t *time.Timer) {
	if t != nil {
		t.Stop()
	}
}
