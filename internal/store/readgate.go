package store

import (
	"context"
	"sync"
	"time"
)

// readGate lets a SQLite file's write go first for the processor.
//
// Every request's audit entry is written on the one write connection
// (auditbatch.go), so while a case write holds it (a raise compares the
// child with up to 20 earlier records, a note rewrites the case's read
// models) every request that has read what it shows waits for that write
// to end. On a machine of two cores the write used to share them with two
// reads and the rest of the server, and under load a raise's ran five to
// six times as long as alone. So while a write holds the write connection,
// at most one read transaction is let in: reads already running go on, and
// a new one waits until none is running or the write has ended, and never
// longer than readYieldMax (docs/architecture.md, "Writes go first";
// docs/performance.md, "Reads make way for a case write").
//
// Every write closes the gate (case writes, and the service's own: a
// sign-in, a session's once-a-minute touch, a reminder sent) but the audit
// entries' own batches: they are short, and holding reads back for them
// would hold back the entries that follow. Only SQLite files with a write
// connection of their own have a gate.
type readGate struct {
	mu      sync.Mutex
	running int           // read transactions let in and not yet ended
	writing int           // writes (not audit batches) holding the write connection: 0 or 1
	waiting int           // reads waiting at the gate (tests)
	changed chan struct{} // closed, and made anew, when running or writing falls
	maxWait time.Duration // readYieldMax, or a test's
}

// readYieldMax is the longest a read waits at the gate. A raise's write
// under load held the connection 41–46 ms on average (docs/performance.md);
// a read held past this goes in beside the write rather than wait longer.
const readYieldMax = 50 * time.Millisecond

func newReadGate() *readGate {
	return &readGate{changed: make(chan struct{}), maxWait: readYieldMax}
}

// enter waits, if a write holds the write connection and a read is
// running, until the read or the write ends, at most maxWait, or until ctx
// is done (the read's own begin then fails on ctx). Each enter is
// followed by one leave.
func (g *readGate) enter(ctx context.Context) {
	var timeout <-chan time.Time
	g.mu.Lock()
	for g.writing > 0 && g.running > 0 {
		ch := g.changed
		g.waiting++
		g.mu.Unlock()
		if timeout == nil {
			t := time.NewTimer(g.maxWait)
			defer t.Stop()
			timeout = t.C
		}
		stop := false
		select {
		case <-ch:
		case <-timeout:
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

// write marks a write as holding the write connection until the
// function it returns is called.
func (g *readGate) write() (done func()) {
	g.mu.Lock()
	g.writing++
	g.mu.Unlock()
	return func() {
		g.mu.Lock()
		g.writing--
		g.wake()
		g.mu.Unlock()
	}
}

// wake tells the waiting reads to look again; g.mu is held.
func (g *readGate) wake() {
	close(g.changed)
	g.changed = make(chan struct{})
}

// busy reports whether a write holds the write connection now.
func (g *readGate) busy() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.writing > 0
}
