package casework

import (
	"maps"
	"sync"
	"time"
)

// Workers records when each background job of this process last finished
// a run without error, for /metrics (web/metrics.go): an on-call engineer
// is told when one has stopped. It also counts the single sign-on
// re-checks that could not reach the identity provider. The zero value is
// ready to use.
type Workers struct {
	mu   sync.Mutex
	last map[string]time.Time

	// Single sign-on re-checks (ssorecheck.go), at a request or in the
	// sweep: how many reached the provider and how many could not, since
	// the sweep last ended, and how many could not in all.
	ssoReached, ssoMissed int
	ssoUnreachable        uint64
}

// Worker names.
const (
	WorkerAlertMailer   = "alert_mailer"   // RunAlertMailer
	WorkerCheckpoint    = "checkpoint"     // the signed checkpoints of cmd/waymark (their time is read from the audit log)
	WorkerErasureLedger = "erasure_ledger" // cmd/waymark's sync of the erasure ledger with the database, every --erasure-ledger-sync
	WorkerSSORecheck    = "sso_recheck"    // RunSingleSignOnRechecks, every minute with --sso-recheck: its run counts only when the provider answered
	WorkerReminders     = "reminders"      // RunReminders: scans deadlines and sends email reminders (reminders.go)
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

// ssoAsked counts one single sign-on re-check: reached is false when the
// provider could not be asked.
func (w *Workers) ssoAsked(reached bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if reached {
		w.ssoReached++
		return
	}
	w.ssoMissed++
	w.ssoUnreachable++
}

// takeSSOTally is how many re-checks reached the provider and how many
// could not since it was last called (by the sweep, as it ends).
func (w *Workers) takeSSOTally() (reached, missed int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	reached, missed = w.ssoReached, w.ssoMissed
	w.ssoReached, w.ssoMissed = 0, 0
	return reached, missed
}

// SSOUnreachable is how many single sign-on re-checks of this process
// could not reach the identity provider, for /metrics.
func (w *Workers) SSOUnreachable() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ssoUnreachable
}
