package casework

import (
	"maps"
	"sync"
	"time"
)

// Workers records when each background job of this process last finished
// a run without error, for /metrics (web/metrics.go): an on-call engineer
// is told when one has stopped. The zero value is ready to use.
type Workers struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// Worker names.
const (
	WorkerAlertMailer   = "alert_mailer"   // RunAlertMailer
	WorkerCheckpoint    = "checkpoint"     // the signed checkpoints of cmd/waymark (their time is read from the audit log)
	WorkerErasureLedger = "erasure_ledger" // cmd/waymark's sync of the erasure ledger with the database, every --erasure-ledger-sync
)

// Expect names a job this process runs, before its first run: until it
// succeeds it is reported as never having run.
func (w *Workers) Expect(name string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.last == nil {
		w.last = map[string]time.Time{}
	}
	if _, ok := w.last[name]; !ok {
		w.last[name] = time.Time{}
	}
}

// Ran records a successful run of the job at at.
func (w *Workers) Ran(name string, at time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.last == nil {
		w.last = map[string]time.Time{}
	}
	w.last[name] = at
}

// Last is when each expected job last succeeded (the zero time: never).
func (w *Workers) Last() map[string]time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return maps.Clone(w.last)
}
