package store

import (
	"fmt"
	"time"

	"waymark/internal/pathway"
)

// The inbox, my work and the overdue count as they were read before the
// queues (migration 0017): by scanning every waiting case and every running
// clock. Kept here only as the reference the queue tests compare with.

// Inbox lists the cases waiting on the Children's Services team of orgID,
// the clock due soonest (most overdue) first.
// A missing child, or one in the first 72 hours of a placement, is listed
// too, first of all (§4.3, §7.1).
func (t *Tx) InboxByScan(userID, orgID string, now time.Time, limit int) ([]CaseSummary, error) {
	return t.summaries(summarySelect+` WHERE`+memberFilter+` AND c.cs_org_id = $2
		AND (c.stage IN ('concern_raised', 'contact_recorded') OR c.missing OR c.high_missing_risk_until > $4)
		ORDER BY CASE WHEN c.missing OR c.high_missing_risk_until > $4 THEN 0 ELSE 1 END,
			CASE WHEN k.due_at IS NULL THEN 1 ELSE 0 END, k.due_at, c.raised_at LIMIT $3`, userID, orgID, limit, utc(now))
}

// workScan selects running clocks on cases the user may know about
// (§6.5); which of them are the user's work is pathway's rule
// (pathway.DeadlineOwner.IsWorkOf).
const workScan = ` FROM clocks k JOIN cases c ON c.id = k.case_id` + caseKeyJoin + `
	LEFT JOIN users ou ON ou.id = k.owner_user_id
	WHERE k.stopped_at IS NULL AND` + memberFilter

// WorkFor lists the user's running deadlines, the most overdue first.
func (t *Tx) WorkByScan(userID, orgID string, manager bool, limit int) ([]WorkItem, error) {
	worker := pathway.Worker{UserID: userID, OrgID: orgID, Manager: manager}
	rows, err := t.query(`SELECT c.id, COALESCE(c.reference, ''), c.child_name, c.missing, k.clock_id, k.label, k.owner_user_id, k.owner_org_id,
		COALESCE(ou.name, ''), k.due_at, k.risk_window, k.kind, `+caseKeyColumns+workScan+` ORDER BY k.risk_window DESC, k.due_at`, userID, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: listing work: %w", err)
	}
	defer rows.Close()
	var out []WorkItem
	for rows.Next() {
		var w WorkItem
		var ownerOrg, master, wrapped string
		var erased bool
		if err := rows.Scan(&w.CaseID, &w.Reference, &w.ChildName, &w.Missing, &w.ClockID, &w.Label, &w.OwnerUserID, &ownerOrg, &w.OwnerName, &w.DueAt, &w.Window, &w.Kind,
			&master, &wrapped, &erased); err != nil {
			return nil, err
		}
		if !(pathway.DeadlineOwner{UserID: w.OwnerUserID, OrgID: ownerOrg}).IsWorkOf(worker) || len(out) == limit {
			continue
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
func (t *Tx) OverdueByScan(userID, orgID string, manager bool, now time.Time) (int, error) {
	worker := pathway.Worker{UserID: userID, OrgID: orgID, Manager: manager}
	rows, err := t.query(`SELECT k.owner_user_id, k.owner_org_id`+workScan+` AND NOT k.risk_window AND k.due_at < $3`, userID, orgID, utc(now))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var owner pathway.DeadlineOwner
		if err := rows.Scan(&owner.UserID, &owner.OrgID); err != nil {
			return 0, err
		}
		if owner.IsWorkOf(worker) {
			n++
		}
	}
	return n, rows.Err()
}
