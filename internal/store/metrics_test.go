package store_test

import (
	"sync"
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// The counts behind /metrics: an alert email still to be tried is pending,
// one given up after its last try is failed, one sent or for someone since
// disabled is neither; a running deadline counts as overdue once passed
// and as due soon within the window, and not at all once its case is
// closed. Counts only: nothing in Gauges names a case or a person.
func TestTheCountsBehindMetricsSayWhatIsWaitingAndWhatIsLate(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		clock := storetest.NewClock(storetest.Start)
		p := storetest.NewPartnership(t, db, clock)
		svc := storetest.Service(t, db, clock)
		id, err := svc.RaiseConcern(ctx, p.Teacher, storetest.ValidConcern(clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		now := clock.Now()
		alert := func(id, user string) {
			if err := db.Update(ctx, func(tx *store.Tx) error {
				return tx.InsertAlert(store.Alert{ID: id, Kind: store.AlertMachineClientCreated, RecipientUserID: user, CreatedAt: now.Add(-time.Hour)})
			}); err != nil {
				t.Fatal(err)
			}
		}
		alert("alert-pending", p.CSAdmin.User.ID)
		alert("alert-failed", p.CSAdmin.User.ID)
		alert("alert-sent", p.CSAdmin.User.ID)
		alert("alert-disabled", p.GPDoctor.User.ID)
		for _, q := range []string{
			`UPDATE alerts SET email_attempts = 10 WHERE id = 'alert-failed'`,
			`UPDATE alerts SET emailed_at = created_at WHERE id = 'alert-sent'`,
		} {
			if _, err := db.SQL().Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.SetDisabled(p.GPDoctor.User.ID, true, now) }); err != nil {
			t.Fatal(err)
		}
		g, err := db.ReadGauges(ctx, now, 2*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if g.MailPending != 1 || g.MailFailed != 1 || g.MailOldestPending == nil || !g.MailOldestPending.Equal(now.Add(-time.Hour)) {
			t.Fatalf("mail queue: %d pending, %d failed, oldest %v", g.MailPending, g.MailFailed, g.MailOldestPending)
		}
		if g.AuditEntries == 0 || g.LastVerified != nil || g.LastCheckpoint != nil {
			t.Fatalf("audit: %d entries, verified %v, checkpoint %v", g.AuditEntries, g.LastVerified, g.LastCheckpoint)
		}
		var due time.Time
		if err := db.SQL().QueryRow(`SELECT due_at FROM clocks WHERE case_id = $1 AND stopped_at IS NULL AND NOT risk_window ORDER BY due_at LIMIT 1`, id).Scan(&due); err != nil {
			t.Fatal(err)
		}
		sum := func(m map[string]int) (n int) {
			for _, v := range m {
				n += v
			}
			return n
		}
		g, _ = db.ReadGauges(ctx, due.Add(-time.Hour), 2*time.Hour)
		if sum(g.ClocksDueSoon) == 0 || sum(g.ClocksOverdue) != 0 {
			t.Fatalf("an hour before the first deadline: due soon %v, overdue %v", g.ClocksDueSoon, g.ClocksOverdue)
		}
		g, _ = db.ReadGauges(ctx, due.Add(365*24*time.Hour), 2*time.Hour)
		if sum(g.ClocksOverdue) == 0 || sum(g.ClocksDueSoon) != 0 {
			t.Fatalf("a year after: due soon %v, overdue %v", g.ClocksDueSoon, g.ClocksOverdue)
		}
		if _, err := db.SQL().Exec(`UPDATE cases SET closed = TRUE WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		g, _ = db.ReadGauges(ctx, due.Add(365*24*time.Hour), 2*time.Hour)
		if sum(g.ClocksOverdue) != 0 {
			t.Fatalf("a closed case's deadlines counted: %v", g.ClocksOverdue)
		}
		if err := db.RecordVerified(ctx, now, g.AuditEntries); err != nil {
			t.Fatal(err)
		}
		if g, _ = db.ReadGauges(ctx, now, 2*time.Hour); g.LastVerified == nil || !g.LastVerified.Equal(now) {
			t.Fatalf("last verified %v", g.LastVerified)
		}
	})
}

// A transaction that cannot get a connection counts as waiting until it
// does (waymark_db_pool_waiting).
func TestATransactionWaitingForAConnectionIsCounted(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		db.SQL().SetMaxOpenConns(1)
		held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go db.View(ctx, func(*store.Tx) error { close(held); <-release; return nil })
		<-held
		var once sync.Once
		free := func() { once.Do(func() { close(release) }) }
		t.Cleanup(free)
		go func() { done <- db.View(ctx, func(*store.Tx) error { return nil }) }()
		deadline := time.Now().Add(10 * time.Second)
		for db.Waiting() != 1 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond) // polling for the second transaction to queue, not timing it
		}
		if n := db.Waiting(); n != 1 {
			t.Fatalf("%d waiting while the only connection is held, want 1", n)
		}
		free()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if n := db.Waiting(); n != 0 {
			t.Fatalf("%d waiting once it was served", n)
		}
	})
}

// Someone who can write to the database but holds no master key, and whose
// tampering `waymark verify --record` would find, must not be able to
// silence the alert on waymark_audit_last_verified_timestamp_seconds (or
// the checkpoint's) with an entry of their own: only an entry the audit
// log's seal vouches for counts, and a forged newest one counts as none.
func TestAForgedVerificationEntryDoesNotSilenceTheAlert(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		now := storetest.Start
		if err := db.RecordVerified(ctx, now, 0); err != nil {
			t.Fatal(err)
		}
		g, err := db.ReadGauges(ctx, now, 2*time.Hour)
		if err != nil || g.LastVerified == nil || !g.LastVerified.Equal(now) {
			t.Fatalf("a genuine verification: %v, %v", g.LastVerified, err)
		}
		var key string
		if err := db.SQL().QueryRow(`SELECT key_id FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&key); err != nil {
			t.Fatal(err)
		}
		future := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
		for _, action := range []string{"audit.verified", "checkpoint.signed"} {
			if _, err := db.SQL().Exec(`INSERT INTO audit_log(seq, at, actor_id, org_id, case_id, action, detail, prev_hash, hash, key_id, heads, request_id)
				VALUES ((SELECT MAX(seq) FROM audit_log) + 1000, $1, 'system', '', '', $2, 'forged', 'x', 'y', $3, '', '')`, future, action, key); err != nil {
				t.Fatal(err)
			}
		}
		g, err = db.ReadGauges(ctx, now, 2*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if g.LastVerified != nil && g.LastVerified.After(now) {
			t.Errorf("a forged entry says the history was verified at %v", g.LastVerified)
		}
		if g.LastCheckpoint != nil && g.LastCheckpoint.After(now) {
			t.Errorf("a forged entry says a checkpoint was signed at %v", g.LastCheckpoint)
		}
		// Rewriting the genuine entry's time breaks its seal just the same.
		if _, err := db.SQL().Exec(`DELETE FROM audit_log WHERE detail = 'forged'`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(`UPDATE audit_log SET at = $1 WHERE action = 'audit.verified'`, future); err != nil {
			t.Fatal(err)
		}
		if g, err = db.ReadGauges(ctx, now, 2*time.Hour); err != nil || (g.LastVerified != nil && g.LastVerified.After(now)) {
			t.Errorf("a re-dated entry says the history was verified at %v (%v)", g.LastVerified, err)
		}
	})
}
