package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"waymark/internal/audit"
)

// What /metrics reads from the store (web/metrics.go): how long
// transactions and statements take, as they happen, and a few counts read
// on a scrape. Counts only: nothing here names a case, a child or a person.

// Timings is told how long each transaction ("update", "view") and each
// statement ("exec", "query") took. It must be cheap: it runs on every one.
type Timings interface {
	ObserveTransaction(kind string, d time.Duration)
	ObserveStatement(kind string, d time.Duration)
}

type timingsBox struct{ t Timings }

// SetTimings sends the durations of transactions and statements to t (nil: nowhere).
func (db *DB) SetTimings(t Timings) { db.timings.Store(&timingsBox{t}) }

func (db *DB) timingsOf() Timings {
	if b := db.timings.Load(); b != nil {
		return b.t
	}
	return nil
}

// timedTx reports a transaction begun at start; call it deferred.
func (db *DB) timedTx(kind string, start time.Time) {
	if t := db.timingsOf(); t != nil {
		t.ObserveTransaction(kind, time.Since(start))
	}
}

// timedStatement reports a statement begun at start; call it deferred.
func (db *DB) timedStatement(kind string, start time.Time) {
	if t := db.timingsOf(); t != nil {
		t.ObserveStatement(kind, time.Since(start))
	}
}

// begin starts a transaction, counting it as waiting while the pool has
// no connection free for it (BeginTx blocks until one is).
func (db *DB) begin(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	return db.beginOn(ctx, db.sql, opts)
}

// beginOn is begin on pool p (the pool, or the write connection).
func (db *DB) beginOn(ctx context.Context, p *sql.DB, opts *sql.TxOptions) (*sql.Tx, error) {
	db.begun.Add(1)
	db.waiting.Add(1)
	defer db.waiting.Add(-1)
	return p.BeginTx(ctx, opts)
}

// Waiting is how many transactions are waiting for a database connection now.
func (db *DB) Waiting() int64 { return db.waiting.Load() }

// AlertEmailAttempts is how many times an alert's email is tried before it
// is given up (casework.DeliverAlertEmails).
const AlertEmailAttempts = 10

// Gauges are the counts /metrics reports, read in one snapshot.
type Gauges struct {
	MailPending       int        // alert emails not yet sent that will still be tried (to recipients not disabled)
	MailFailed        int        // alert emails given up after AlertEmailAttempts tries
	MailOldestPending *time.Time // when the oldest pending one was raised, or nil
	AuditEntries      int64      // the audit chain's length
	LastVerified      *time.Time // the newest audit.verified entry, or nil
	LastCheckpoint    *time.Time // the newest checkpoint.signed entry, or nil
	// Running deadlines by clock kind (pathway.ClockKind): passed, and due
	// within the window asked for. Risk windows are not deadlines and are
	// not counted; nor are closed or erased cases.
	ClocksOverdue map[string]int
	ClocksDueSoon map[string]int
	// Email reminders (reminders.go): those due to go now and not yet
	// sent, when the oldest of them was due, and those given up in the
	// last day after every try failed.
	RemindersDue       int
	RemindersOldestDue *time.Time
	RemindersGivenUp   int
}

// ReadGauges reads the counts behind /metrics at now; clocks due before
// now+dueWithin are "due soon".
func (db *DB) ReadGauges(ctx context.Context, now time.Time, dueWithin time.Duration) (Gauges, error) {
	g := Gauges{ClocksOverdue: map[string]int{}, ClocksDueSoon: map[string]int{}}
	err := db.View(ctx, func(t *Tx) error {
		// An alert for someone since disabled is never emailed
		// (ClaimAlertEmails): it is neither waiting nor failed.
		if err := t.queryRow(`SELECT COALESCE(SUM(CASE WHEN a.email_attempts < $1 THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN a.email_attempts >= $1 THEN 1 ELSE 0 END), 0)
			FROM alerts a JOIN users u ON u.id = a.recipient_user_id WHERE a.emailed_at IS NULL AND NOT u.disabled`, AlertEmailAttempts).Scan(&g.MailPending, &g.MailFailed); err != nil {
			return fmt.Errorf("store: counting alert emails: %w", err)
		}
		var err error
		if g.MailOldestPending, err = t.firstTime(`SELECT a.created_at FROM alerts a JOIN users u ON u.id = a.recipient_user_id
			WHERE a.emailed_at IS NULL AND a.email_attempts < $1 AND NOT u.disabled ORDER BY a.created_at LIMIT 1`, AlertEmailAttempts); err != nil {
			return err
		}
		if err := t.queryRow(`SELECT seq FROM audit_head WHERE id = 1`).Scan(&g.AuditEntries); err != nil {
			return fmt.Errorf("store: reading audit head: %w", err)
		}
		// Literal actions, so that both stores use the partial indexes
		// audit_verified and audit_checkpoints (migration 0014).
		if g.LastVerified, err = t.sealedAuditTime(`SELECT seq, at, actor_id, org_id, case_id, action, detail, prev_hash, hash, key_id, heads, request_id
			FROM audit_log WHERE action = 'audit.verified' ORDER BY seq DESC LIMIT 1`); err != nil {
			return err
		}
		if g.LastCheckpoint, err = t.sealedAuditTime(`SELECT seq, at, actor_id, org_id, case_id, action, detail, prev_hash, hash, key_id, heads, request_id
			FROM audit_log WHERE action = 'checkpoint.signed' ORDER BY seq DESC LIMIT 1`); err != nil {
			return err
		}
		// Both by the reminders_pending index (done_at, not_before).
		if err := t.queryRow(`SELECT COUNT(*) FROM reminders WHERE done_at IS NULL AND not_before <= $1`, utc(now)).Scan(&g.RemindersDue); err != nil {
			return fmt.Errorf("store: counting reminders: %w", err)
		}
		if g.RemindersOldestDue, err = t.firstTime(`SELECT not_before FROM reminders WHERE done_at IS NULL AND not_before <= $1 ORDER BY not_before LIMIT 1`, utc(now)); err != nil {
			return err
		}
		if err := t.queryRow(`SELECT COUNT(*) FROM reminders WHERE done_at >= $1 AND outcome = $2`, utc(now.Add(-24*time.Hour)), ReminderGivenUp).Scan(&g.RemindersGivenUp); err != nil {
			return fmt.Errorf("store: counting reminders given up: %w", err)
		}
		rows, err := t.query(`SELECT k.kind, COALESCE(SUM(CASE WHEN k.due_at < $1 THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN k.due_at >= $1 THEN 1 ELSE 0 END), 0)
			FROM clocks k JOIN cases c ON c.id = k.case_id
			WHERE k.stopped_at IS NULL AND NOT k.risk_window AND k.due_at < $2 AND NOT c.closed
			AND k.case_id NOT IN (SELECT case_id FROM erasures)
			GROUP BY k.kind`, utc(now), utc(now.Add(dueWithin)))
		if err != nil {
			return fmt.Errorf("store: counting clocks: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var kind string
			var overdue, soon int
			if err := rows.Scan(&kind, &overdue, &soon); err != nil {
				return err
			}
			g.ClocksOverdue[kind], g.ClocksDueSoon[kind] = overdue, soon
		}
		return rows.Err()
	})
	return g, err
}

// sealedAuditTime is the time of the audit entry q gives, or nil when it
// gives none or when the entry's seal does not vouch for it. The newest
// verification or checkpoint silences an alert: a row written into the
// database without the master key (dated in the future, or an old entry
// re-dated) must count as none, so that the alert fires rather than
// staying quiet while the history it would have checked is tampered with.
// Only the entry's own seal is checked here (`waymark verify` checks the
// whole chain).
func (t *Tx) sealedAuditTime(q string) (*time.Time, error) {
	var e audit.Entry
	err := t.queryRow(q).Scan(&e.Seq, &e.At, &e.ActorID, &e.OrgID, &e.CaseID, &e.Action, &e.Detail, &e.PrevHash, &e.Hash, &e.KeyID, &e.Heads, &e.RequestID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: reading metrics: %w", err)
	}
	var head, keyedFrom int64
	if err := t.queryRow(`SELECT seq, keyed_from FROM audit_head WHERE id = 1`).Scan(&head, &keyedFrom); err != nil {
		return nil, fmt.Errorf("store: reading metrics: %w", err)
	}
	if e.Seq > head {
		return nil, nil // past the chain's end: not written by Waymark
	}
	if keyedFrom == 0 || e.Seq < keyedFrom {
		if e.KeyID != "" || audit.Hash(e.PrevHash, e) != e.Hash {
			return nil, nil
		}
	} else {
		ring := t.ring()
		if ring == nil || e.KeyID == "" {
			return nil, nil
		}
		key, err := ring.SealKey(e.KeyID)
		if err != nil || !audit.EventMACEqual(audit.MAC(key, e.PrevHash, e, keyedFrom), e.Hash) {
			return nil, nil
		}
	}
	at := e.At.UTC()
	return &at, nil
}

// firstTime is the time in the first row q gives, or nil when it gives none.
func (t *Tx) firstTime(q string, args ...any) (*time.Time, error) {
	var at time.Time
	err := t.queryRow(q, args...).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: reading metrics: %w", err)
	}
	at = at.UTC()
	return &at, nil
}

// RecordVerified appends an audit.verified entry: `waymark verify` or
// `waymark audit verify` found a chain of entries entries intact at at.
// Monitoring reads the newest (Gauges.LastVerified).
func (db *DB) RecordVerified(ctx context.Context, at time.Time, entries int64) error {
	return db.Update(ctx, func(t *Tx) error {
		return t.AppendAudit(audit.Entry{At: at, ActorID: "system", Action: audit.ActionVerified, Detail: fmt.Sprintf("%d entries, chain intact", entries)})
	})
}
