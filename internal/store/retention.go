package store

import (
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// Retention (docs/operations.md): records past their retention period are
// listed for a person to review; nothing is deleted by itself.

// ClosedCaseDue is a closed case past its retention period.
type ClosedCaseDue struct {
	CaseID    string
	Reference string
	ClosedAt  time.Time
}

// ClosedCasesDuePage lists one page of the closed, unerased cases of one
// partnership (their Children's Services organisation's) closed before
// cutoff that nobody has decided to keep past now, oldest closure first:
// the first page when at is nil, else the page after (or before) the
// cursor. It walks the partnership's part of closed_cases_walk (migration
// 0043) from the cursor and stops after limit+1 cases; the only rows it
// passes over are the partnership's own cases kept for longer. Each case
// is checked again as it is read: not erased, still closed, and its
// organisation still in the partnership.
func (t *Tx) ClosedCasesDuePage(partnershipID string, cutoff, now time.Time, at *Cursor, limit int) ([]ClosedCaseDue, Page, error) {
	if limit <= 0 {
		limit = PageSize
	}
	dir, cmp, edge := keyset(false, at)
	// The inner query is the walk, and stops after limit+1 rows; the outer
	// one joins those few to their cases. (Written as one join, PostgreSQL
	// read every due case of the partnership and sorted them: 934 buffers
	// against 211 for a page of the 100,000-case seed.) A row whose case
	// or organisation says otherwise (only a row changed behind Waymark's
	// back, which verify names) is read but not listed, and the walk reads
	// on past it, so the page is still full.
	q := `SELECT k.case_id, COALESCE(c.reference, ''), k.closed_at, COALESCE(c.cs_org_id, ''),
			CASE WHEN c.closed AND EXISTS (SELECT 1 FROM organisations o WHERE o.id = c.cs_org_id AND o.partnership_id = $6) THEN 1 ELSE 0 END FROM (
			SELECT case_id, closed_at FROM closed_cases k
			WHERE k.partnership_id = $6 AND k.closed_at < $1 AND (k.closed_at, k.case_id) ` + cmp + ` ($4, $5)
			AND NOT EXISTS (SELECT 1 FROM erasures e WHERE e.case_id = k.case_id)
			AND NOT EXISTS (SELECT 1 FROM retention_decisions r WHERE r.item_kind = 'closed-case' AND r.item_id = k.case_id AND r.keep_until > $2)
			ORDER BY k.closed_at` + dir + `, k.case_id` + dir + ` LIMIT $3) k
		LEFT JOIN cases c ON c.id = k.case_id
		ORDER BY k.closed_at` + dir + `, k.case_id` + dir
	type row struct {
		ClosedCaseDue
		org    string
		listed bool
	}
	key := func(c row) (Cursor, error) { return Cursor{At: utc(c.ClosedAt), ID: c.CaseID}, nil }
	read := func(from *Cursor) ([]row, *Cursor, error) {
		if from != nil {
			edge = []any{utc(from.At), from.ID}
		}
		rows, err := t.query(q, utc(cutoff), utc(now), limit+1, edge[0], edge[1], partnershipID)
		if err != nil {
			return nil, nil, fmt.Errorf("store: listing closed cases due for review: %w", err)
		}
		var out []row
		for rows.Next() {
			var c row
			var listed int
			if err := rows.Scan(&c.CaseID, &c.Reference, &c.ClosedAt, &c.org, &listed); err != nil {
				rows.Close()
				return nil, nil, err
			}
			c.ClosedAt = c.ClosedAt.UTC()
			c.listed = listed == 1
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(out) <= limit {
			return out, nil, err
		}
		next, err := key(out[len(out)-1])
		return out, &next, err
	}
	// A case whose organisation was moved into this partnership behind
	// Waymark's back (its seal covers its partnership) is left out too, and
	// so is one whose cases row names an organisation its sealed members
	// do not (cs_org_id and the closed_cases row both changed).
	keep := func(rows []row) ([]row, error) {
		var orgs []string
		of := map[string]string{}
		for _, c := range rows {
			if c.listed {
				orgs = append(orgs, c.org)
				of[c.CaseID] = c.org
			}
		}
		sealed, err := t.sealedOrgs(orgs)
		if err != nil {
			return nil, err
		}
		theirs, err := t.sealedChildrensServices(of)
		if err != nil {
			return nil, err
		}
		var kept []row
		for _, c := range rows {
			if c.listed && sealed[c.org] && theirs[c.CaseID] {
				kept = append(kept, c)
			}
		}
		return kept, nil
	}
	kept, err := walkKept(limit, read, keep, func(c row) string { return c.CaseID })
	if err != nil {
		return nil, Page{}, err
	}
	page, links, err := pageOf(kept, at, limit, key)
	out := make([]ClosedCaseDue, len(page))
	for i, c := range page {
		out[i] = c.ClosedCaseDue
	}
	return out, links, err
}

// ClosedCaseIsDue reports whether the case is on the partnership's review
// list at now: its own, closed, unerased, closed before cutoff, and not kept
// past now.
func (t *Tx) ClosedCaseIsDue(partnershipID, id string, cutoff, now time.Time) (bool, error) {
	var org string
	err := t.queryRow(`SELECT c.cs_org_id FROM closed_cases k JOIN cases c ON c.id = k.case_id
		WHERE k.case_id = $1 AND k.partnership_id = $4 AND k.closed_at < $2 AND c.closed
		AND NOT EXISTS (SELECT 1 FROM erasures e WHERE e.case_id = k.case_id)
		AND NOT EXISTS (SELECT 1 FROM retention_decisions r WHERE r.item_kind = 'closed-case' AND r.item_id = k.case_id AND r.keep_until > $3)
		AND EXISTS (SELECT 1 FROM organisations o WHERE o.id = c.cs_org_id AND o.partnership_id = $4)`,
		id, utc(cutoff), utc(now), partnershipID).Scan(&org)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: checking a closed case for review: %w", err)
	}
	sealed, err := t.sealedOrgs([]string{org})
	if err != nil || !sealed[org] {
		return false, err
	}
	theirs, err := t.sealedChildrensServices(map[string]string{id: org})
	return theirs[id], err
}

// sealedChildrensServices says, for each case and the organisation its
// cases row names as its Children's Services, whether a case_members row
// with a matching seal says so too. The cases row is a read model anyone
// with the database file can change; the member row is sealed at the
// case's version, so it cannot be made to name another organisation.
func (t *Tx) sealedChildrensServices(orgOf map[string]string) (map[string]bool, error) {
	byOrg := map[string][]string{}
	for id, org := range orgOf {
		byOrg[org] = append(byOrg[org], id)
	}
	out := map[string]bool{}
	for _, org := range sortedKeys(setOf(slices.Collect(maps.Values(orgOf)))) {
		roles, err := t.sealedMemberships(byOrg[org], "", org)
		if err != nil {
			return nil, err
		}
		for id, rs := range roles {
			if slices.Contains(rs, pathway.MemberChildrensServices) {
				out[id] = true
			}
		}
	}
	return out, nil
}

// saveClosedCase keeps a case's closed_cases row (migration 0043): one
// while the case is closed (closedAt not nil), filed under the partnership
// of its Children's Services organisation, and none while it is open or
// has no such organisation. An event that changes neither runs one query
// and writes nothing. A write on PostgreSQL first takes the share lock on
// the organisation's row and reads again, as saveEntityKeys does, so an
// organisation's move to another partnership (SetOrganisationPartnership)
// either waits for this save and moves its row, or this save waits for the
// move and files the row where the case is now.
func (t *Tx) saveClosedCase(caseID string, closedAt *time.Time, fresh bool) error {
	if closedAt == nil {
		if fresh {
			return nil
		}
		if _, err := t.exec(`DELETE FROM closed_cases WHERE case_id = $1`, caseID); err != nil {
			return fmt.Errorf("store: taking a reopened case off the retention review: %w", err)
		}
		return nil
	}
	read := func(lock string) (partnership string, same bool, err error) {
		if partnership, err = t.filedPartnership(caseID, lock); err != nil || fresh {
			return partnership, partnership == "", err
		}
		var p string
		var at any // a value that is no time (written behind Waymark's back) is written again, not a failure
		switch err := t.queryRow(`SELECT partnership_id, closed_at FROM closed_cases WHERE case_id = $1`, caseID).Scan(&p, &at); {
		case errors.Is(err, sql.ErrNoRows):
			return partnership, partnership == "", nil
		case err != nil:
			return "", false, fmt.Errorf("store: reading a case's closed_cases row: %w", err)
		}
		stored, ok := at.(time.Time)
		return partnership, p == partnership && ok && stored.Equal(*closedAt), nil
	}
	partnership, same, err := read("")
	if err != nil || same {
		return err
	}
	if t.dialect == Postgres && !t.readOnly {
		if partnership, same, err = read(" FOR SHARE OF o"); err != nil || same {
			return err
		}
	}
	if partnership == "" {
		_, err = t.exec(`DELETE FROM closed_cases WHERE case_id = $1`, caseID)
	} else {
		_, err = t.exec(`INSERT INTO closed_cases(case_id, partnership_id, closed_at) VALUES ($1, $2, $3)
			ON CONFLICT (case_id) DO UPDATE SET partnership_id = excluded.partnership_id, closed_at = excluded.closed_at`, caseID, partnership, utc(*closedAt))
	}
	if err != nil {
		return fmt.Errorf("store: filing a closed case for the retention review: %w", err)
	}
	return nil
}

// ClearClosedCases deletes every closed_cases row (`waymark rebuild`, which
// then writes each closed case's row again: a row whose time was written
// in another spelling compares equal and would otherwise stay).
func (t *Tx) ClearClosedCases() error {
	if _, err := t.exec(`DELETE FROM closed_cases`); err != nil {
		return fmt.Errorf("store: clearing closed_cases: %w", err)
	}
	return nil
}

// checkClosedCases: closed_cases holds exactly the closed, unerased cases
// with a Children's Services organisation, each at its closure and filed
// under that organisation's partnership (verify, once every case's row was
// checked against its events). A row missing hides a case from its
// partnership's retention review; one misfiled shows it to another's.
func (t *Tx) checkClosedCases() error {
	const want = `SELECT c.id AS case_id, o.partnership_id, c.closed_at FROM cases c JOIN organisations o ON o.id = c.cs_org_id
		WHERE c.closed AND c.closed_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM erasures e WHERE e.case_id = c.id)`
	const have = `SELECT case_id, partnership_id, closed_at FROM closed_cases`
	for _, q := range []struct{ sql, reason string }{
		{want + ` EXCEPT ` + have, "it is closed but closed_cases does not list it at its closure under its Children's Services organisation's partnership, so its partnership's retention review would not show it (a row was deleted or changed)"},
		{have + ` EXCEPT ` + want, "closed_cases lists it for a retention review it is not due for: it is open, erased, or filed under a partnership or closure that is not its own (a row was inserted or changed)"},
	} {
		var id string
		switch err := t.queryRow(`SELECT case_id FROM (` + q.sql + `) x LIMIT 1`).Scan(&id); {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("store: checking closed_cases: %w", err)
		default:
			return t.tamper(id, 0, 0, q.reason)
		}
	}
	return nil
}

// DraftDue is a concern draft never sent, untouched past its retention period.
type DraftDue struct {
	DraftID   string
	UserID    string
	UserName  string
	UpdatedAt time.Time
	seal      identitySeal // over the draft and its writer (draftseal.go)
}

// UnsentDraftsDuePage lists one page of the drafts of one partnership's
// people (by their organisation) never sent and last saved before cutoff
// that nobody has decided to keep past now, oldest first. It walks the
// partnership's own unsent drafts by last save from the cursor
// (concern_drafts_unsent_walk_by_partnership, migration 0044) and stops
// after limit+1: whatever the other partnerships leave unreviewed, and
// however many of its own are due, it reads about a page.
func (t *Tx) UnsentDraftsDuePage(partnershipID string, cutoff, now time.Time, at *Cursor, limit int) ([]DraftDue, Page, error) {
	if limit <= 0 {
		limit = PageSize
	}
	dir, cmp, edge := keyset(false, at)
	q := `SELECT d.id, d.user_id, COALESCE(u.name, ''), d.updated_at, d.seal_key, d.mac FROM concern_drafts d LEFT JOIN users u ON u.id = d.user_id
		WHERE d.partnership_id = $6 AND d.submitted_case_id IS NULL AND d.updated_at < $1 AND (d.updated_at, d.id) ` + cmp + ` ($4, $5)
		AND NOT EXISTS (SELECT 1 FROM retention_decisions r WHERE r.item_kind = 'unsent-draft' AND r.item_id = d.id AND r.keep_until > $2)
		ORDER BY d.updated_at` + dir + `, d.id` + dir + ` LIMIT $3`
	key := func(d DraftDue) (Cursor, error) { return Cursor{At: utc(d.UpdatedAt), ID: d.DraftID}, nil }
	read := func(from *Cursor) ([]DraftDue, *Cursor, error) {
		if from != nil {
			edge = []any{utc(from.At), from.ID}
		}
		rows, err := t.query(q, utc(cutoff), utc(now), limit+1, edge[0], edge[1], partnershipID)
		if err != nil {
			return nil, nil, fmt.Errorf("store: listing drafts due for review: %w", err)
		}
		var all []DraftDue
		for rows.Next() {
			var d DraftDue
			if err := rows.Scan(&d.DraftID, &d.UserID, &d.UserName, &d.UpdatedAt, &d.seal.keyID, &d.seal.mac); err != nil {
				rows.Close()
				return nil, nil, err
			}
			d.UpdatedAt = d.UpdatedAt.UTC()
			all = append(all, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(all) <= limit {
			return all, nil, err
		}
		next, err := key(all[len(all)-1])
		return all, &next, err
	}
	// The writer's row and organisation as Waymark sealed them must say
	// the partnership too: a draft whose writer was moved behind
	// Waymark's back is left out, and the walk reads on past it, so the
	// page is still full and the drafts after it still listed. So is a
	// draft whose own seal does not name its writer (given to someone
	// else behind Waymark's back).
	owners := map[string]bool{}
	keep := func(rows []DraftDue) ([]DraftDue, error) {
		var out []DraftDue
		for _, d := range rows {
			if !t.draftSealed(d.DraftID, d.UserID, d.seal) {
				continue
			}
			in, seen := owners[d.UserID]
			if !seen {
				var err error
				if in, err = t.draftWriterIn(d.UserID, partnershipID); err != nil {
					return nil, err
				}
				owners[d.UserID] = in
			}
			if in {
				out = append(out, d)
			}
		}
		return out, nil
	}
	kept, err := walkKept(limit, read, keep, func(d DraftDue) string { return d.DraftID })
	if err != nil {
		return nil, Page{}, err
	}
	return pageOf(kept, at, limit, key)
}

// AuditEntriesBefore counts the audit entries older than cutoff and gives
// the oldest one's time, in two probes of indexes whatever the log's size:
// the chain's first entry (by seq), and the last entry recorded before the
// cutoff (audit_at, migration 0018). The count is the stretch of the chain
// between them. The chain's seqs have no gaps: each entry takes the head's
// seq plus one (chainEntries), nothing in Waymark deletes an entry (the
// review lists old entries, it never removes them), and `waymark audit
// verify` names any entry missing from the chain. As entries are recorded
// in the order they happen, every entry of that stretch is older than the
// cutoff; one stamped out of order (a clock put back) is counted with the
// stretch of the chain it sits in, which is the part a retention decision
// about the chain would cover.
func (t *Tx) AuditEntriesBefore(cutoff time.Time) (int, *time.Time, error) {
	// The latest time before the cutoff, then the last entry at that time:
	// each a walk of audit_at that stops at its first entry.
	var last int64
	err := t.queryRow(`SELECT seq FROM audit_log WHERE at = (SELECT at FROM audit_log WHERE at < $1 ORDER BY at DESC LIMIT 1) ORDER BY seq DESC LIMIT 1`, utc(cutoff)).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("store: finding the last audit entry before the cutoff: %w", err)
	}
	var first int64
	var oldest time.Time
	if err := t.queryRow(`SELECT seq, at FROM audit_log ORDER BY seq LIMIT 1`).Scan(&first, &oldest); err != nil {
		return 0, nil, fmt.Errorf("store: reading the oldest audit entry: %w", err)
	}
	oldest = oldest.UTC()
	return int(last - first + 1), &oldest, nil
}

// RetentionDecision is a person's decision to keep a record for longer.
type RetentionDecision struct {
	Kind      string // closed-case or unsent-draft
	ItemID    string
	DecidedAt time.Time
	DecidedBy string
	KeepUntil time.Time
	Note      string
}

// RecordRetentionDecision keeps a record off the review list until KeepUntil.
func (t *Tx) RecordRetentionDecision(d RetentionDecision) error {
	_, err := t.exec(`INSERT INTO retention_decisions(item_kind, item_id, decided_at, decided_by, keep_until, note) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (item_kind, item_id, decided_at, decided_by) DO UPDATE SET keep_until = excluded.keep_until, note = excluded.note`,
		d.Kind, d.ItemID, utc(d.DecidedAt), d.DecidedBy, utc(d.KeepUntil), d.Note)
	if err != nil {
		return fmt.Errorf("store: recording retention decision: %w", err)
	}
	return nil
}

// UnsentDraft returns the owner and last save of an unsent draft written by
// someone of the partnership, for review; any other is not found. It asks
// what the review's list asks: filed under the partnership (migration
// 0044), and its writer's sealed rows in it.
func (t *Tx) UnsentDraft(partnershipID, id string) (DraftDue, error) {
	d := DraftDue{DraftID: id}
	err := t.queryRow(`SELECT d.user_id, COALESCE(u.name, ''), d.updated_at, d.seal_key, d.mac FROM concern_drafts d LEFT JOIN users u ON u.id = d.user_id
		WHERE d.id = $1 AND d.submitted_case_id IS NULL AND d.partnership_id = $2`, id, partnershipID).Scan(&d.UserID, &d.UserName, &d.UpdatedAt, &d.seal.keyID, &d.seal.mac)
	d.UpdatedAt = d.UpdatedAt.UTC()
	if err != nil {
		return d, notFound(err, "There is no unsent draft with that id")
	}
	if !t.draftSealed(id, d.UserID, d.seal) {
		return DraftDue{}, waymark.Errorf(waymark.ENOTFOUND, "There is no unsent draft with that id")
	}
	if in, err := t.draftWriterIn(d.UserID, partnershipID); err != nil {
		return DraftDue{}, err
	} else if !in {
		return DraftDue{}, waymark.Errorf(waymark.ENOTFOUND, "There is no unsent draft with that id")
	}
	return d, nil
}

// writersPartnership is the partnership of a person's organisation, a
// draft's filing (migration 0044); "" for a person not found. On
// PostgreSQL it share-locks the person's row, then their organisation's,
// each in a statement of its own: a move of either under way commits
// first and is read here (one statement over both would, once the
// person's row moved, find their old organisation no longer matches and
// return nothing).
func (t *Tx) writersPartnership(userID string) (string, error) {
	lock := ""
	if t.dialect == Postgres {
		lock = ` FOR SHARE`
	}
	var org, p string
	err := t.queryRow(`SELECT org_id FROM users WHERE id = $1`+lock, userID).Scan(&org)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: reading a writer's organisation: %w", err)
	}
	if err := t.queryRow(`SELECT partnership_id FROM organisations WHERE id = $1`+lock, org).Scan(&p); err != nil {
		return "", fmt.Errorf("store: reading a writer's partnership: %w", err)
	}
	return p, nil
}

// refileDraftsOf files again, under the partnership of their
// organisation as it is now, the drafts of the people who match where
// (a condition on users u, with args).
func (t *Tx) refileDraftsOf(where string, args ...any) error {
	if _, err := t.exec(`UPDATE concern_drafts SET partnership_id = COALESCE((SELECT o.partnership_id FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.id = concern_drafts.user_id), '')
		WHERE user_id IN (SELECT u.id FROM users u WHERE `+where+`)`, args...); err != nil {
		return fmt.Errorf("store: filing drafts under their writers' partnership: %w", err)
	}
	return nil
}

// RefileDrafts files every draft again under its writer's partnership
// (`waymark rebuild`).
func (t *Tx) RefileDrafts() error { return t.refileDraftsOf(`TRUE`) }

// checkDraftFiling: every draft is filed under its writer's
// organisation's partnership (verify).
func (t *Tx) checkDraftFiling() error {
	var id string
	switch err := t.queryRow(`SELECT d.id FROM concern_drafts d LEFT JOIN users u ON u.id = d.user_id LEFT JOIN organisations o ON o.id = u.org_id
		WHERE d.partnership_id <> COALESCE(o.partnership_id, '') LIMIT 1`).Scan(&id); {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("store: checking the drafts' filing: %w", err)
	default:
		return t.tamper("", 0, 0, "concern draft "+id+" is filed under a partnership that is not its writer's organisation's, so the wrong retention review would list it (a row was changed)")
	}
}

// draftWriterIn reports whether a draft's writer belongs to the
// partnership by their sealed row and their organisation's (identity.go):
// a person or organisation moved behind Waymark's back does not.
func (t *Tx) draftWriterIn(userID, partnershipID string) (bool, error) {
	u, err := t.UserByID(userID)
	if waymark.ErrorCode(err) == waymark.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return u.Org.PartnershipID == partnershipID, nil
}

// DeleteUnsentDraft deletes a draft that was never sent, and destroys its
// data key, so any copy of it (a backup) cannot be read either.
func (t *Tx) DeleteUnsentDraft(id string, at time.Time) error {
	res, err := t.exec(`DELETE FROM concern_drafts WHERE id = $1 AND submitted_case_id IS NULL`, id)
	if err != nil {
		return fmt.Errorf("store: deleting draft: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound(sql.ErrNoRows, "There is no unsent draft with that id")
	}
	if _, err := t.exec(`UPDATE data_keys SET master_key_id = '', wrapped = '', destroyed_at = $2 WHERE owner_kind = 'draft' AND owner_id = $1 AND destroyed_at IS NULL`, id, utc(at)); err != nil {
		return fmt.Errorf("store: destroying the draft's key: %w", err)
	}
	delete(t.keys, ownerName(ownerDraft, id))
	// Into the erasure ledger before the transaction commits, so that a
	// backup or dump from before the deletion does not bring it back.
	t.draftsDeleted = append(t.draftsDeleted, LedgerEntry{Kind: LedgerDraftDeleted, Draft: id, At: at})
	return nil
}

// CaseIDByReference finds a case by its Children's Services reference.
func (t *Tx) CaseIDByReference(ref string) (string, error) {
	var id string
	err := t.queryRow(`SELECT id FROM cases WHERE reference = $1`, ref).Scan(&id)
	return id, notFound(err, "There is no case with that reference")
}

// CaseRow is a case's row in the read model, as a subject-access export shows it.
type CaseRow struct {
	ID, Reference, Stage, ChildName        string
	ReferrerUserID, ReferrerOrgID, CSOrgID string
	RaisedAt, UpdatedAt                    time.Time
	ClosedAt                               *time.Time
	Version                                int
	Closed, Missing, Erased                bool
}

// CaseRowByID reads a case's read-model row, the child's name decrypted.
func (t *Tx) CaseRowByID(id string) (CaseRow, error) {
	var r CaseRow
	var closed sql.NullTime
	var master, wrapped string
	var erased bool
	err := t.queryRow(`SELECT c.id, COALESCE(c.reference, ''), c.stage, c.child_name, c.referrer_user_id, c.referrer_org_id, c.cs_org_id,
		c.raised_at, c.updated_at, c.closed_at, c.version, c.closed, c.missing, `+caseKeyColumns+` FROM cases c`+caseKeyJoin+` WHERE c.id = $1`, id).
		Scan(&r.ID, &r.Reference, &r.Stage, &r.ChildName, &r.ReferrerUserID, &r.ReferrerOrgID, &r.CSOrgID,
			&r.RaisedAt, &r.UpdatedAt, &closed, &r.Version, &r.Closed, &r.Missing, &master, &wrapped, &erased)
	if err != nil {
		return r, notFound(err, "Case not found")
	}
	r.RaisedAt, r.UpdatedAt, r.ClosedAt = r.RaisedAt.UTC(), r.UpdatedAt.UTC(), timePtr(closed)
	r.Erased = erased
	r.ChildName, err = t.openChildName(id, r.ChildName, master, wrapped, erased)
	return r, err
}

// CaseMembers lists a case's members as the read model holds them.
func (t *Tx) CaseMembers(caseID string) ([][3]string, error) {
	rows, err := t.query(`SELECT member_kind, member_id, role FROM case_members WHERE case_id = $1 ORDER BY member_kind, member_id, role`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][3]string
	for rows.Next() {
		var m [3]string
		if err := rows.Scan(&m[0], &m[1], &m[2]); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
