package store

import (
	"database/sql"
	"fmt"
	"time"
)

// WorkItem is one running deadline on "my work".
type WorkItem struct {
	CaseID      string
	Reference   string
	ChildName   string
	Missing     bool
	ClockID     string
	Label       string
	OwnerUserID string
	OwnerName   string
	DueAt       time.Time
	Window      bool
}

// workFilter selects running clocks on cases the user may know about (§6.5)
// that are theirs: owned by them, owned by their team, or — for a manager —
// owned by anyone in their organisation.
const workFilter = ` FROM clocks k JOIN cases c ON c.id = k.case_id` + caseKeyJoin + `
	LEFT JOIN users ou ON ou.id = k.owner_user_id
	WHERE k.stopped_at IS NULL AND` + memberFilter + `
	AND (k.owner_user_id = $1 OR (k.owner_user_id = '' AND k.owner_org_id = $2) OR ($3 AND k.owner_org_id = $2))`

// WorkFor lists the user's running deadlines, the most overdue first.
func (t *Tx) WorkFor(userID, orgID string, manager bool, limit int) ([]WorkItem, error) {
	rows, err := t.query(`SELECT c.id, COALESCE(c.reference, ''), c.child_name, c.missing, k.clock_id, k.label, k.owner_user_id,
		COALESCE(ou.name, ''), k.due_at, k.risk_window, `+caseKeyColumns+workFilter+` ORDER BY k.risk_window DESC, k.due_at LIMIT $4`, userID, orgID, manager, limit)
	if err != nil {
		return nil, fmt.Errorf("store: listing work: %w", err)
	}
	defer rows.Close()
	var out []WorkItem
	for rows.Next() {
		var w WorkItem
		var master, wrapped string
		var erased bool
		if err := rows.Scan(&w.CaseID, &w.Reference, &w.ChildName, &w.Missing, &w.ClockID, &w.Label, &w.OwnerUserID, &w.OwnerName, &w.DueAt, &w.Window,
			&master, &wrapped, &erased); err != nil {
			return nil, err
		}
		if w.ChildName, err = t.openChildName(w.CaseID, w.ChildName, master, wrapped, erased); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	ids := make([]string, len(out))
	for i, w := range out {
		ids[i] = w.CaseID
	}
	ok, err := t.sealedMemberships(ids, userID, orgID)
	if err != nil {
		return nil, err
	}
	kept := out[:0]
	for _, w := range out {
		if len(ok[w.CaseID]) > 0 { // a member row whose seal does not match gives nothing (cases.go)
			kept = append(kept, w)
		}
	}
	return kept, nil
}

// OverdueCount counts the user's deadlines that have passed.
func (t *Tx) OverdueCount(userID, orgID string, manager bool, now time.Time) (int, error) {
	var n sql.NullInt64
	err := t.queryRow(`SELECT COUNT(*)`+workFilter+` AND NOT k.risk_window AND k.due_at < $4`, userID, orgID, manager, utc(now)).Scan(&n)
	return int(n.Int64), err
}
