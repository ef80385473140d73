package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"waymark/internal/audit"
	"waymark/internal/pathway"
)

// gateFile opens a new SQLite file of the default pool (one write
// connection, two for reads), migrated, whose reads make way for case
// writes; a read waits at most maxWait.
func gateFile(t *testing.T, maxWait time.Duration) *DB {
	t.Helper()
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if db.gate == nil {
		t.Fatal("a SQLite file with a write connection of its own has no read gate")
	}
	db.gate.maxWait, db.gate.budget = maxWait, maxWait
	return db
}

// within waits for ch to close, failing the test after 10 s: what it
// waits for would otherwise never come.
func within(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: not within 10 s", what)
	}
}

// holdingRead starts a read that runs until end is closed; it returns once
// the read is running, and a channel closed when it has ended.
func holdingRead(t *testing.T, db *DB, end <-chan struct{}) (ended <-chan struct{}) {
	t.Helper()
	in, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		if err := db.View(context.Background(), func(tx *Tx) error {
			close(in)
			<-end
			return nil
		}); err != nil {
			t.Error(err)
		}
	}()
	within(t, in, "the first read to start")
	return done
}

// newCaseIDs numbers the cases the tests' writes file.
var newCaseIDs atomic.Int64

// appendFirstEvent files a new case's first event, as a raise does.
func appendFirstEvent(tx *Tx) error {
	id := fmt.Sprintf("case-gate-%d", newCaseIDs.Add(1))
	return tx.AppendEvents(id, 0, []pathway.Event{{CaseID: id, Seq: 1, Type: pathway.EventConcernRaised, At: time.Now()}})
}

// holdingWrite starts a write (a case write, which appends an event, or
// with caseWrite false one that appends none, as a sign-in) that holds the
// write connection until end is closed.
func holdingWrite(t *testing.T, db *DB, caseWrite bool, end <-chan struct{}) (ended <-chan struct{}) {
	t.Helper()
	in, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		if err := db.Update(context.Background(), func(tx *Tx) error {
			if caseWrite {
				if err := appendFirstEvent(tx); err != nil {
					close(in)
					return err
				}
			}
			close(in)
			<-end
			return nil
		}); err != nil {
			t.Error(err)
		}
	}()
	within(t, in, "the write to start")
	return done
}

// quickRead starts a read that ends at once, and returns a channel closed
// once its function has run.
func quickRead(t *testing.T, db *DB) <-chan struct{} {
	ran := make(chan struct{})
	go func() {
		if err := db.View(context.Background(), func(tx *Tx) error {
			var one int
			if err := tx.queryRow(`SELECT 1`).Scan(&one); err != nil {
				return err
			}
			close(ran)
			return nil
		}); err != nil {
			t.Error(err)
		}
	}()
	return ran
}

// waitersAtGate waits until n reads wait at the gate.
func waitersAtGate(t *testing.T, db *DB, n int) {
	t.Helper()
	heldAtGate(t, db.gate, n)
}

// gateState reads what read returns of g, under g's lock.
func gateState[T any](g *readGate, read func(*readGate) T) T {
	g.mu.Lock()
	defer g.mu.Unlock()
	return read(g)
}

// held is a write (a case write, or one appending no event) holding the write
// connection and, started after it, a read let in beside it; each holds
// until its end is closed.
type held struct {
	endWrite, endFirst chan struct{}
	wrote, first       <-chan struct{}
}

func writeThenRead(t *testing.T, db *DB, caseWrite bool) *held {
	t.Helper()
	h := &held{endWrite: make(chan struct{}), endFirst: make(chan struct{})}
	h.wrote = holdingWrite(t, db, caseWrite, h.endWrite)
	h.first = holdingRead(t, db, h.endFirst) // let in: no other read was running
	return h
}

// finish ends the read and the write, and waits for both.
func (h *held) finish(t *testing.T) {
	t.Helper()
	close(h.endFirst)
	close(h.endWrite)
	within(t, h.first, "the first read to end")
	within(t, h.wrote, "the write to end")
}

func TestWhileACaseWriteHoldsTheWriteConnectionOneReadRunsAtATime(t *testing.T) {
	db := gateFile(t, time.Minute)
	h := writeThenRead(t, db, true)
	endWrite, endFirst, wrote, first := h.endWrite, h.endFirst, h.wrote, h.first
	second := quickRead(t, db)
	waitersAtGate(t, db, 1)
	select {
	case <-second:
		t.Fatal("a second read ran beside a read and a case write")
	default:
	}
	// The running read ends: the second goes in, the write still holding.
	close(endFirst)
	within(t, first, "the first read to end")
	within(t, second, "the second read, once the first ended")
	close(endWrite)
	within(t, wrote, "the write to end")
	// With no write, reads go in side by side again.
	endA := make(chan struct{})
	a := holdingRead(t, db, endA)
	within(t, quickRead(t, db), "a read beside a read, with no write")
	close(endA)
	within(t, a, "the read to end")
}

func TestAReadHeldForACaseWriteGoesInWhenTheWriteEnds(t *testing.T) {
	db := gateFile(t, time.Minute)
	h := writeThenRead(t, db, true)
	if st, _ := db.ReadGate(); st.Waits != 0 {
		t.Fatalf("the gate counts %d reads held before any was", st.Waits)
	}
	second := quickRead(t, db)
	waitersAtGate(t, db, 1)
	close(h.endWrite)
	within(t, h.wrote, "the write to end")
	within(t, second, "the second read, once the write ended")
	close(h.endFirst)
	within(t, h.first, "the first read to end")
	// The metrics count the read held, and its wait.
	if st, ok := db.ReadGate(); !ok || st.Waits != 1 || st.Wait <= 0 {
		t.Errorf("the gate counts %d reads held for %v (gate %v), want 1 for some time", st.Waits, st.Wait, ok)
	}
}

func TestAReadWaitsForTheCaseWriteItFoundNotTheNext(t *testing.T) {
	db := gateFile(t, time.Minute)
	h := writeThenRead(t, db, true)
	second := quickRead(t, db)
	waitersAtGate(t, db, 1)
	// The write the read found ends and the next case write takes the
	// connection before the read looks again (the writer queue hands it
	// straight on): the read goes in, rather than wait behind every write
	// that follows.
	g := db.gate
	g.mu.Lock()
	g.writes++ // writing stays true: the next write holds
	g.wake()
	g.mu.Unlock()
	within(t, second, "the second read, once the write it found ended")
	h.finish(t)
}

// clockedGate is a gate on its own, on a clock the test moves, with a
// minute's limit and budget.
func clockedGate(t *testing.T) (g *readGate, advance func(time.Duration)) {
	t.Helper()
	g = newReadGate()
	g.maxWait, g.budget = time.Minute, time.Minute
	return g, onTestClock(g)
}

// onTestClock puts g on a clock that moves only when the test advances it.
func onTestClock(g *readGate) (advance func(time.Duration)) {
	var mu sync.Mutex
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	g.mu.Lock()
	g.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	g.since = g.now()
	g.mu.Unlock()
	return func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
}

// entering lets a read in at g on a goroutine of its own; the channel
// closes once it is in.
func entering(g *readGate) <-chan struct{} {
	in := make(chan struct{})
	go func() {
		g.enter(context.Background())
		close(in)
	}()
	return in
}

// heldAtGate waits until n reads wait at g.
func heldAtGate(t *testing.T, g *readGate, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		w := gateState(g, func(g *readGate) int { return g.waiting })
		if w == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d reads wait at the gate, want %d", w, n)
		}
		runtime.Gosched()
	}
}

// caseWrite is a case write taking the write connection and appending its
// first event at once; it returns what ends it.
func caseWrite(g *readGate) (done func()) {
	g.took()
	return g.write()
}

func TestAHeldReadStaysOutWhileAnotherReadStillRuns(t *testing.T) {
	g, _ := clockedGate(t)
	g.enter(context.Background()) // two reads running (one let in before
	g.enter(context.Background()) // the write, one beside it at its limit)
	done := caseWrite(g)
	defer done()
	in := entering(g)
	heldAtGate(t, g, 1)
	g.leave() // one of the two ends: the other still runs
	// The held read is woken and must wait on; give it every chance to
	// go in wrongly (a read let in would make two running).
	for end := time.Now().Add(50 * time.Millisecond); time.Now().Before(end); runtime.Gosched() {
		if running := gateState(g, func(g *readGate) int { return g.running }); running != 1 {
			t.Fatalf("a held read went in beside a running read and a case write (%d running)", running)
		}
	}
	g.leave()
	within(t, in, "the held read, once no read ran")
	g.leave()
}

func TestAReadHeldForOneCaseWriteGoesInWhenTheNextBegins(t *testing.T) {
	g, _ := clockedGate(t)
	g.enter(context.Background())
	first := caseWrite(g)
	in := entering(g)
	heldAtGate(t, g, 1)
	first()
	next := caseWrite(g) // at once, as the writer queue hands it on
	defer next()
	within(t, in, "the read once the write it found had ended")
	g.leave()
	g.leave()
}

func TestAReadWaitsNoLongerThanTheGatesBudgetLeft(t *testing.T) {
	g, advance := clockedGate(t)
	g.enter(context.Background())
	done := caseWrite(g)
	defer done()
	advance(time.Minute - 100*time.Millisecond)                 // 100 ms of budget left
	within(t, entering(g), "a read with 100 ms of budget left") // not its minute's limit
	g.leave()
	g.leave()
}

func TestTheBudgetIsSpentFromWhenACaseWriteTookTheConnection(t *testing.T) {
	g, advance := clockedGate(t)
	g.enter(context.Background())
	g.took()
	advance(time.Minute)          // loading the case, before the first event
	g.enter(context.Background()) // a read let in meanwhile counts nothing as free
	done := g.write()
	defer done()
	budget := budgetOf(g)
	if budget != 0 {
		t.Errorf("a case write that held the connection a minute before its first event left %v of budget, want none", budget)
	}
	within(t, entering(g), "a read once the budget was spent")
	for range 3 {
		g.leave()
	}
}

func TestTheBudgetIsEarnedBackAtThePaceItWasSpent(t *testing.T) {
	g, advance := clockedGate(t)
	g.enter(context.Background())
	done := caseWrite(g)
	advance(2 * time.Minute) // the whole budget spent as the write ends
	done()
	advance(time.Millisecond) // the connection free for a millisecond
	done = caseWrite(g)
	defer done()
	budget := budgetOf(g)
	if budget != time.Millisecond {
		t.Errorf("after a millisecond with the connection free the gate has %v of budget, want 1ms", budget)
	}
	within(t, entering(g), "a read with a millisecond of budget")
	g.leave()
	g.leave()
}

func TestACaseWriteClosesTheGateFromItsFirstEventToItsEnd(t *testing.T) {
	db := gateFile(t, time.Minute)
	fail := errors.New("refused after its event")
	for _, outcome := range []error{nil, fail} {
		err := db.Update(t.Context(), func(tx *Tx) error {
			if db.gate.busy() {
				t.Error("a write closed the gate before it appended an event")
			}
			if err := appendFirstEvent(tx); err != nil {
				return err
			}
			if !db.gate.busy() {
				t.Error("a write that appended an event left the gate open")
			}
			return outcome
		})
		if !errors.Is(err, outcome) {
			t.Fatalf("the write returned %v, want %v", err, outcome)
		}
		if db.gate.busy() {
			t.Errorf("the gate is still closed after a write that returned %v", outcome)
		}
	}
}

func TestAReadWaitsForACaseWriteNoLongerThanItsLimit(t *testing.T) {
	db := gateFile(t, time.Millisecond)
	h := writeThenRead(t, db, true)
	// Both still hold: the second read goes in once its millisecond is up.
	within(t, quickRead(t, db), "the second read, after its wait")
	h.finish(t)
}

func TestAReadInsideAWriteIsNotHeldByIt(t *testing.T) {
	db := gateFile(t, time.Minute)
	endFirst := make(chan struct{})
	first := holdingRead(t, db, endFirst)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := db.Update(context.Background(), func(tx *Tx) error {
			if err := appendFirstEvent(tx); err != nil {
				return err
			}
			if !db.gate.busy() {
				t.Error("the case write left the gate open")
			}
			return db.View(context.Background(), func(tx *Tx) error {
				var one int
				return tx.queryRow(`SELECT 1`).Scan(&one)
			})
		}); err != nil {
			t.Error(err)
		}
	}()
	within(t, done, "a write whose function reads, beside a running read")
	close(endFirst)
	within(t, first, "the first read to end")
}

func TestAWriteThatAppendsNoEventDoesNotHoldReadsBack(t *testing.T) {
	db := gateFile(t, time.Minute)
	h := writeThenRead(t, db, false) // a sign-in, a session's touch
	within(t, quickRead(t, db), "a read beside a read and a write of no event")
	h.finish(t)
}

func TestOnlyAFileWithAWriteConnectionOfItsOwnHasAReadGate(t *testing.T) {
	one, err := Open(t.Context(), filepath.Join(t.TempDir(), "waymark.db"), OpenOptions{MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	if one.gate != nil {
		t.Error("a file on one shared connection has a read gate: its reads and writes take turns already")
	}
}

func TestTheAuditWritersOwnBatchesLeaveTheGateOpen(t *testing.T) {
	db := gateFile(t, time.Minute)
	inBatch, endBatch := make(chan struct{}), make(chan struct{})
	var ended sync.Once
	endIt := func() { ended.Do(func() { close(endBatch) }) }
	defer endIt() // a failure below must not leave the batch holding Close
	var once bool
	db.audits.inBatch = func() {
		if !once {
			once = true
			close(inBatch)
			<-endBatch
		}
	}
	endFirst := make(chan struct{})
	first := holdingRead(t, db, endFirst)
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		if err := db.ViewAudited(context.Background(), func(tx *Tx) (audit.Entry, error) {
			return audit.Entry{At: time.Now(), ActorID: "u1", Action: "case.viewed", Detail: "read gate"}, nil
		}); err != nil {
			t.Error(err)
		}
	}()
	within(t, inBatch, "the audit writer to take its batch")
	if db.gate.busy() {
		t.Error("an audit batch closed the read gate")
	}
	within(t, quickRead(t, db), "a read beside a read and an audit batch")
	endIt()
	within(t, recorded, "the audited read to be recorded")
	close(endFirst)
	within(t, first, "the first read to end")
}

func TestAReadsLimitHoldsAcrossWakeUps(t *testing.T) {
	db := gateFile(t, 100*time.Millisecond)
	h := writeThenRead(t, db, true)
	second := quickRead(t, db)
	waitersAtGate(t, db, 1)
	// Other reads end beside the one holding, each waking the waiting
	// read, which finds the gate still closed: its limit runs from its
	// first wait, not from the last wake-up.
	deadline := time.Now().Add(10 * time.Second)
	for done := false; !done; {
		db.gate.mu.Lock()
		db.gate.wake()
		db.gate.mu.Unlock()
		select {
		case <-second:
			done = true
		default:
			if time.Now().After(deadline) {
				t.Fatal("a read woken again and again waited past its limit")
			}
			runtime.Gosched()
		}
	}
	h.finish(t)
}

func TestAPanickingReadOrWriteLeavesTheGateAsItFoundIt(t *testing.T) {
	db := gateFile(t, time.Minute)
	boom := func(run func()) {
		defer func() { _ = recover() }()
		run()
	}
	boom(func() { _ = db.View(context.Background(), func(tx *Tx) error { panic("read") }) })
	boom(func() {
		_ = db.Update(context.Background(), func(tx *Tx) error {
			if err := appendFirstEvent(tx); err != nil {
				return err
			}
			panic("write")
		})
	})
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	_ = db.View(cancelled, func(tx *Tx) error { return nil })
	_ = db.Update(cancelled, func(tx *Tx) error { return nil })
	db.gate.mu.Lock()
	defer db.gate.mu.Unlock()
	if db.gate.running != 0 || db.gate.writing || db.gate.waiting != 0 {
		t.Errorf("the gate counts %d reads running and %d waiting, and a write holding: %v; want none", db.gate.running, db.gate.waiting, db.gate.writing)
	}
}

func TestTheGateHoldsReadsBackOnlyWhileItHasBudget(t *testing.T) {
	db := gateFile(t, time.Minute)
	advance := onTestClock(db.gate)

	// A case write has held the write connection for as long as the
	// gate's whole budget: a new read goes in at once beside the running
	// one, not after a wait.
	h := writeThenRead(t, db, true)
	advance(time.Minute)
	within(t, quickRead(t, db), "a read once the gate's budget was spent")
	h.finish(t)
	if st, _ := db.ReadGate(); st.Waits != 0 {
		t.Errorf("%d reads were held with no budget left", st.Waits)
	}

	// The connection free for as long again earns the budget back: the
	// next case write holds a new read back.
	advance(time.Minute)
	h = writeThenRead(t, db, true)
	second := quickRead(t, db)
	waitersAtGate(t, db, 1)
	h.finish(t)
	within(t, second, "the held read, once the write ended")
}

// budgetOf reads g's budget.
func budgetOf(g *readGate) time.Duration {
	return gateState(g, func(g *readGate) time.Duration { return g.budget })
}

func TestAReadDuringACaseWritesLoadEarnsTheGateNothing(t *testing.T) {
	g, advance := clockedGate(t)
	g.enter(context.Background())
	done := caseWrite(g)
	advance(2 * time.Minute) // the whole budget spent
	done()
	advance(10 * time.Millisecond) // the connection free: 10 ms earned
	g.took()
	advance(30 * time.Millisecond) // the next write loads its case
	g.enter(context.Background())  // a read meanwhile, which brings the budget up to date
	done = g.write()
	defer done()
	if b := budgetOf(g); b != 0 {
		t.Errorf("a write that loaded its case for 30 ms, with 10 ms of budget, left %v; want none", b)
	}
	g.leave()
	g.leave()
}

func TestACaseWritesLoadIsSpentOnce(t *testing.T) {
	g, advance := clockedGate(t)
	g.took()
	advance(10 * time.Second) // before its first event
	done := g.write()
	advance(10 * time.Second) // after it
	g.enter(context.Background())
	if b := budgetOf(g); b != 40*time.Second {
		t.Errorf("a write 20 s into its hold left %v of a minute's budget, want 40s", b)
	}
	g.leave()
	done()
}

func TestAWriteSpendsTheBudgetFromWhenUpdateGaveItTheConnection(t *testing.T) {
	db := gateFile(t, time.Minute)
	g := db.gate
	advance := onTestClock(g)
	var left time.Duration
	if err := db.Update(t.Context(), func(tx *Tx) error {
		advance(time.Minute) // a minute's load before the first event
		if err := appendFirstEvent(tx); err != nil {
			return err
		}
		left = budgetOf(g)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("a case write that held the connection a minute before its first event left %v of budget, want none", left)
	}
}

func TestTheGateHoldsNoReadForLessThanAMillisecondOfBudget(t *testing.T) {
	g, advance := clockedGate(t)
	g.enter(context.Background())
	done := caseWrite(g)
	defer done()
	advance(time.Minute - time.Microsecond)
	g.enter(context.Background()) // at once, and not counted as held
	if held := gateState(g, func(g *readGate) int64 { return g.held }); held != 0 {
		t.Errorf("the gate counted %d reads held with a microsecond of budget, want none", held)
	}
	g.leave()
	g.leave()
}
