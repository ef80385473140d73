package store

import (
	"context"
	"sync"
	"time"
)

// readGate lets a SQLite file's case write go first for the processor.
//
// Every request's audit entry is written on the one write connection
// (auditbatch.go), so while a case write holds it (a raise compares the
// child with up to 20 earlier records, a note rewrites the case's read
// models) every request that has read what it shows waits for that write
// to end. On a machine of two cores the write used to share them with two
// reads and the rest of the server, and under load a raise's ran five to
// six times as long as alone. So while a case write holds the write
// connection, at most one read transaction is let in: reads already
// running go on, and a new one waits until none is running or the write
// it found has ended, and no longer than readYieldMax by its timer (a
// saturated processor may take a little longer to run it again)
// (docs/architecture.md, "Writes go first"; docs/performance.md, "Reads
// make way for a case write").
//
// What closes it. A write closes the gate from its first appended event
// (Tx.AppendEvents) to its end: the events are what a case write is, and a
// raise's and a note's costly part (the read models, the comparisons) comes
// after them. A write that appends no event (a sign-in, a session's
// once-a-minute touch, a reminder sent, an audit batch) leaves it open.
//
// What a read waits for. The one write it found closing the gate, not the
// next: where case writes come back to back, a read held for one goes in
// when it ends, instead of waiting out its limit behind the writes that
// follow.
//
// How long it may stay closed. The gate holds reads back only while it has
// budget: readYieldMax at most, spent while a case write holds the write
// connection (from when it took the connection, not from its first event:
// a note's load of the case comes before it) and earned back, at the same
// pace, while none does. So it holds them back for at most 50 ms at a
// stretch, and where case writes hold the connection more than half the
// time (an API client writing flat out) it holds them back for at most as
// long as the connection was free: it costs the reads little once writes
// leave them little time.
//
// Only SQLite files with a write connection of their own have a gate.
type readGate struct {
	mu      sync.Mutex
	running int           // read transactions let in and not yet ended
	writing bool          // a case write holds the write connection
	writes  uint64        // case writes that have closed the gate, the holding one included
	waiting int           // reads waiting at the gate (tests)
	changed chan struct{} // closed, and made anew, when running falls or a write ends
	maxWait time.Duration // readYieldMax, or a test's: the longest wait, and the most budget

	budget time.Duration    // how long the gate may still hold reads back
	since  time.Time        // when budget was last brought up to date
	now    func() time.Time // time.Now, or a test's clock

	// The write holding the connection now: when it took it, and the
	// budget then. Its first event spends the budget from then on
	// (write), whatever reads counted in between as free.
	tookAt     time.Time
	tookBudget time.Duration

	held     int64         // reads that waited at the gate (metrics)
	heldTime time.Duration // how long they waited in all
}

// readYieldMax is the longest a read waits at the gate by its timer (and
// the most budget the gate holds). A raise's write
// under load held the connection 41–46 ms on average (docs/performance.md);
// a read held past this goes in beside the write rather than wait longer.
const readYieldMax = 50 * time.Millisecond

// gateMinBudget is the least budget for which the gate holds a read back:
// below it the wait would be a timer of microseconds, counted as a read
// held for nothing.
const gateMinBudget = time.Millisecond

func newReadGate() *readGate {
	return &readGate{changed: make(chan struct{}), maxWait: readYieldMax, budget: readYieldMax, since: time.Now(), now: time.Now}
}

// account brings the budget up to date: spent while a case write held the
// write connection, earned while none did, never above maxWait; g.mu is
// held.
func (g *readGate) account() {
	now := g.now()
	d := now.Sub(g.since)
	g.since = now
	if g.writing {
		g.budget = max(g.budget-d, 0)
	} else {
		g.budget = min(g.budget+d, g.maxWait)
	}
}

// enter waits, if a case write holds the write connection, a read is
// running and the gate has budget, until the read or that write ends, at
// most maxWait or the budget, or until ctx is done (the read's own begin
// then fails on ctx). Each enter is followed by one leave.
func (g *readGate) enter(ctx context.Context) {
	g.mu.Lock()
	g.account()
	if g.writing && g.running > 0 && g.budget >= gateMinBudget {
		found, start := g.writes, time.Now()
		t := time.NewTimer(min(g.maxWait, g.budget))
		for g.writing && g.writes == found && g.running > 0 {
			ch := g.changed
			g.waiting++
			g.mu.Unlock()
			stop := false
			select {
			case <-ch:
			case <-t.C:
				stop = true
			case <-ctx.Done():
				stop = true
			}
			g.mu.Lock()
			g.waiting--
			if stop {
				break
			}
		}
		t.Stop()
		g.held++
		g.heldTime += time.Since(start)
	}
	g.running++
	g.mu.Unlock()
}

// leave ends a read let in by enter.
func (g *readGate) leave() {
	g.mu.Lock()
	g.running--
	g.wake()
	g.mu.Unlock()
}

// took marks a write (any) taking the write connection: if it turns out a
// case write, its budget is spent from now.
func (g *readGate) took() {
	g.mu.Lock()
	g.account()
	g.tookAt, g.tookBudget = g.since, g.budget
	g.mu.Unlock()
}

// write closes the gate for the case write holding the write connection
// until the function it returns is called; the budget is spent from when
// that write took the connection (took). One write at a time holds the
// connection (the writer queue), so one write at a time calls it: writing
// is a flag, not a count.
func (g *readGate) write() (done func()) {
	g.mu.Lock()
	now := g.now()
	g.budget = max(g.tookBudget-now.Sub(g.tookAt), 0)
	g.since = now
	g.writing = true
	g.writes++
	g.mu.Unlock()
	return func() {
		g.mu.Lock()
		g.account()
		g.writing = false
		g.wake()
		g.mu.Unlock()
	}
}

// wake tells the waiting reads to look again; g.mu is held.
func (g *readGate) wake() {
	close(g.changed)
	g.changed = make(chan struct{})
}

// busy reports whether a case write holds the write connection now.
func (g *readGate) busy() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.writing
}

// ReadGateStats is how many reads waited at a SQLite file's read gate, and
// for how long in all, since the file was opened (web/metrics.go).
type ReadGateStats struct {
	Waits int64
	Wait  time.Duration
}

// ReadGate reports the read gate's counts; ok is false where there is no
// gate (PostgreSQL, or a file on one shared connection).
func (db *DB) ReadGate() (s ReadGateStats, ok bool) {
	g := db.gate
	if g == nil {
		return s, false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return ReadGateStats{Waits: g.held, Wait: g.heldTime}, true
}

// closeGate closes the read gate for the rest of this write, if it has not
// already (AppendEvents: the write is a case write).
func (t *Tx) closeGate() {
	if t.openGate != nil || t.readOnly || t.db == nil || t.db.gate == nil {
		return
	}
	t.openGate = t.db.gate.write()
}
