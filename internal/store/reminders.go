package store

import (
	"database/sql"
	"fmt"
	"time"

	"waymark/internal/pathway"
)

// Reminders (migration 0039): the outbox of email reminders and each
// person's choice of which they receive. casework/reminders.go fills and
// empties it.

// Reminder is one reminder email to send.
type Reminder struct {
	ID              string // a hash of its key: the same on every replica
	Kind            pathway.ReminderKind
	RecipientUserID string
	CaseID, ClockID string // for a clock's reminder; never in the email
	Count           int
	Emergency       bool
	CreatedAt       time.Time
	NotBefore       time.Time
	Attempts        int // this one included, when claimed
}

// Reminder outcomes, once a reminder is done with.
const (
	ReminderSent     = "sent"
	ReminderOptedOut = "opted_out" // its recipient turned the kind off
	ReminderDisabled = "disabled"  // its recipient's account was disabled
	ReminderStale    = "stale"     // its clock stopped (or its due-soon passed) before it could go
	ReminderGivenUp  = "given_up"  // every try failed
)

// ReminderAttempts is how many times a reminder is tried.
const ReminderAttempts = 10

// EnqueueReminder adds the reminder unless one with its id is there
// already; it reports whether it added it.
func (t *Tx) EnqueueReminder(r Reminder) (bool, error) {
	res, err := t.exec(`INSERT INTO reminders(id, kind, recipient_user_id, case_id, clock_id, item_count, emergency, created_at, not_before)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
		r.ID, string(r.Kind), r.RecipientUserID, r.CaseID, r.ClockID, r.Count, r.Emergency, utc(r.CreatedAt), utc(r.NotBefore))
	if err != nil {
		return false, fmt.Errorf("store: saving reminder: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// ClaimReminders takes up to limit reminders that are not done, may go at
// now, have tries left and are not being sent by another replica (a claim
// older than lease is taken over), marking them claimed.
func (t *Tx) ClaimReminders(now time.Time, lease time.Duration, limit int) ([]Reminder, error) {
	skip := ""
	if t.dialect == Postgres {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := t.query(`UPDATE reminders SET claimed_at = $1, attempts = attempts + 1
		WHERE id IN (SELECT id FROM reminders WHERE done_at IS NULL AND not_before <= $1 AND attempts < $4
			AND (claimed_at IS NULL OR claimed_at < $2) ORDER BY not_before, id LIMIT $3`+skip+`)
		RETURNING id, kind, recipient_user_id, case_id, clock_id, item_count, emergency, created_at, not_before, attempts`,
		utc(now), utc(now.Add(-lease)), limit, ReminderAttempts)
	if err != nil {
		return nil, fmt.Errorf("store: claiming reminders: %w", err)
	}
	defer rows.Close()
	var out []Reminder
	for rows.Next() {
		var r Reminder
		var kind string
		if err := rows.Scan(&r.ID, &kind, &r.RecipientUserID, &r.CaseID, &r.ClockID, &r.Count, &r.Emergency, &r.CreatedAt, &r.NotBefore, &r.Attempts); err != nil {
			return nil, err
		}
		r.Kind = pathway.ReminderKind(kind)
		r.CreatedAt, r.NotBefore = r.CreatedAt.UTC(), r.NotBefore.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// FinishReminder records what became of a claimed reminder.
func (t *Tx) FinishReminder(id, outcome string, at time.Time) error {
	_, err := t.exec(`UPDATE reminders SET done_at = $2, outcome = $3 WHERE id = $1`, id, utc(at), outcome)
	return err
}

// RetryReminder releases a claimed reminder whose send failed, to be tried
// again from notBefore.
func (t *Tx) RetryReminder(id string, notBefore time.Time) error {
	_, err := t.exec(`UPDATE reminders SET claimed_at = NULL, not_before = $2 WHERE id = $1`, id, utc(notBefore))
	return err
}

// ReminderOutcome is a reminder's outcome ("" while pending) and tries, for tests and support.
func (t *Tx) ReminderOutcome(id string) (outcome string, attempts int, err error) {
	err = t.queryRow(`SELECT outcome, attempts FROM reminders WHERE id = $1`, id).Scan(&outcome, &attempts)
	if err == sql.ErrNoRows {
		return "", 0, nil
	}
	return outcome, attempts, err
}

// RemindedSince lists the people who have had a reminder of kind written
// for them since the time given (the digest's scan skips them).
func (t *Tx) RemindedSince(kind pathway.ReminderKind, since time.Time) (map[string]bool, error) {
	ids, err := t.userIDs(`SELECT DISTINCT recipient_user_id FROM reminders WHERE kind = $1 AND created_at >= $2`, string(kind), utc(since))
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// ReminderPreferences is which reminders a person receives.
type ReminderPreferences struct {
	DueSoon, Overdue, Digest bool
}

// AllReminders is everyone's choice until they make their own.
var AllReminders = ReminderPreferences{DueSoon: true, Overdue: true, Digest: true}

// Receives reports whether a person with these preferences gets kind.
func (p ReminderPreferences) Receives(kind pathway.ReminderKind) bool {
	switch kind {
	case pathway.ReminderDueSoon:
		return p.DueSoon
	case pathway.ReminderOverdue:
		return p.Overdue
	case pathway.ReminderDigest:
		return p.Digest
	}
	return !kind.Optional() // a manager's overdue alert cannot be turned off
}

// ReminderPreferencesOf returns the person's choices: all on when they made none.
func (t *Tx) ReminderPreferencesOf(userID string) (ReminderPreferences, error) {
	p := AllReminders
	err := t.queryRow(`SELECT due_soon, overdue, digest FROM reminder_preferences WHERE user_id = $1`, userID).Scan(&p.DueSoon, &p.Overdue, &p.Digest)
	if err == sql.ErrNoRows {
		return AllReminders, nil
	}
	if err != nil {
		return p, fmt.Errorf("store: reading reminder preferences: %w", err)
	}
	return p, nil
}

// SetReminderPreferences stores the person's choices.
func (t *Tx) SetReminderPreferences(userID string, p ReminderPreferences, at time.Time) error {
	_, err := t.exec(`INSERT INTO reminder_preferences(user_id, due_soon, overdue, digest, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (user_id) DO UPDATE SET due_soon = excluded.due_soon, overdue = excluded.overdue, digest = excluded.digest, updated_at = excluded.updated_at`,
		userID, p.DueSoon, p.Overdue, p.Digest, utc(at))
	if err != nil {
		return fmt.Errorf("store: saving reminder preferences: %w", err)
	}
	return nil
}

// ReminderClock is a running deadline the reminder scanner looks at, with
// who should hear of it. It carries no child details.
type ReminderClock struct {
	CaseID, ClockID string
	Kind            pathway.ClockKind
	StartedAt       time.Time
	DueAt           time.Time
	OwnerUserID     string
	OwnerOrgID      string
	ImmediateRisk   bool
}

// ReminderClocks lists the running deadlines (not windows) due between
// from and to, by the index of running deadlines (migration 0040). The
// conditions are written out, not bound, so that both stores see that the
// partial index covers them.
func (t *Tx) ReminderClocks(from, to time.Time) ([]ReminderClock, error) {
	rows, err := t.query(`SELECT k.case_id, k.clock_id, k.kind, k.started_at, k.due_at, k.owner_user_id, k.owner_org_id, c.immediate_risk
		FROM clocks k JOIN cases c ON c.id = k.case_id
		WHERE k.stopped_at IS NULL AND NOT k.risk_window AND k.due_at >= $1 AND k.due_at <= $2 ORDER BY k.due_at, k.case_id, k.clock_id`,
		utc(from), utc(to))
	if err != nil {
		return nil, fmt.Errorf("store: reading deadlines for reminders: %w", err)
	}
	defer rows.Close()
	var out []ReminderClock
	for rows.Next() {
		var c ReminderClock
		var kind string
		if err := rows.Scan(&c.CaseID, &c.ClockID, &kind, &c.StartedAt, &c.DueAt, &c.OwnerUserID, &c.OwnerOrgID, &c.ImmediateRisk); err != nil {
			return nil, err
		}
		c.Kind = pathway.ClockKind(kind)
		c.StartedAt, c.DueAt = c.StartedAt.UTC(), c.DueAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// ClockDue returns the case's clock's due time and whether it is still running.
func (t *Tx) ClockDue(caseID, clockID string) (due time.Time, running bool, err error) {
	var stopped sql.NullTime
	err = t.queryRow(`SELECT due_at, stopped_at FROM clocks WHERE case_id = $1 AND clock_id = $2`, caseID, clockID).Scan(&due, &stopped)
	if err == sql.ErrNoRows {
		return time.Time{}, false, nil
	}
	return due.UTC(), err == nil && !stopped.Valid, err
}

// AssignedWorkerIDs lists the enabled workers assigned to the case (§6.7) who belong to org.
func (t *Tx) AssignedWorkerIDs(caseID, orgID string) ([]string, error) {
	return t.userIDs(`SELECT DISTINCT u.id FROM case_members w JOIN users u ON u.id = w.member_id
		WHERE w.member_kind = 'user' AND w.role = $1 AND w.case_id = $2 AND u.org_id = $3 AND u.disabled = $4 ORDER BY u.id`,
		string(pathway.MemberWorker), caseID, orgID, false)
}

// ManagerIDs lists the enabled managers of the organisation.
func (t *Tx) ManagerIDs(orgID string) ([]string, error) {
	return t.userIDs(`SELECT id FROM users WHERE org_id = $1 AND role = $2 AND disabled = $3 ORDER BY id`, orgID, string(pathway.RoleManager), false)
}

// CaseworkUsers lists the enabled people who may have work on My work:
// everyone but administrators and analysts, with their organisation and
// whether they manage it.
func (t *Tx) CaseworkUsers() ([]User, error) {
	rows, err := t.query(`SELECT id, org_id, role FROM users WHERE disabled = $1 ORDER BY id`, false)
	if err != nil {
		return nil, fmt.Errorf("store: listing people for the digest: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var u User
		if err := rows.Scan(&u.ID, &u.OrgID, &u.Role); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// WorkCount counts the user's running deadlines and open windows (My
// work), up to OverdueCap, walking the queues as OverdueCount does.
func (t *Tx) WorkCount(userID, orgID string, manager bool, now time.Time) (int, error) {
	w := pathway.Worker{UserID: userID, OrgID: orgID, Manager: manager}
	keys, err := t.qwalk(workSources(w, now), nil, nil, OverdueCap-1, t.ownClocks(w), userID, orgID, nil)
	if err != nil {
		return 0, fmt.Errorf("store: counting work: %w", err)
	}
	return min(len(keys), OverdueCap), nil
}

func (t *Tx) userIDs(q string, args ...any) ([]string, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: listing people: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
