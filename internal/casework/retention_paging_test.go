package casework_test

import (
	"slices"
	"testing"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// retentionByScan is the review's two lists and its audit count as they
// were read before they were paged: every closed case and every unsent
// draft due, in one statement each, and a COUNT over the audit log.
func retentionByScan(t *testing.T, p *partnership, now time.Time, pol casework.RetentionPolicy) (cases, drafts []string, auditCount int) {
	t.Helper()
	read := func(q string, args ...any) []string {
		rows, err := p.db.SQL().QueryContext(p.ctx, q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			out = append(out, id)
		}
		return out
	}
	cases = read(`SELECT c.id FROM cases c
		WHERE c.closed AND c.closed_at IS NOT NULL AND c.closed_at < $1
		AND c.id NOT IN (SELECT case_id FROM erasures)
		AND NOT EXISTS (SELECT 1 FROM retention_decisions r WHERE r.item_kind = 'closed-case' AND r.item_id = c.id AND r.keep_until > $2)
		ORDER BY c.closed_at, c.id`, now.AddDate(-pol.ClosedCaseYears, 0, 0).UTC(), now.UTC())
	drafts = read(`SELECT d.id FROM concern_drafts d
		WHERE d.submitted_case_id IS NULL AND d.updated_at < $1
		AND NOT EXISTS (SELECT 1 FROM retention_decisions r WHERE r.item_kind = 'unsent-draft' AND r.item_id = d.id AND r.keep_until > $2)
		ORDER BY d.updated_at, d.id`, now.AddDate(0, 0, -pol.UnsentDraftDays).UTC(), now.UTC())
	auditCount = p.count(`SELECT COUNT(*) FROM audit_log WHERE at < $1`, now.AddDate(-pol.AuditYears, 0, 0).UTC())
	return cases, drafts, auditCount
}

// walkReview pages through one of the review's lists with the given page
// size, forwards to the end and then backwards to the start, and returns
// the ids in list order each way.
func walkReview(t *testing.T, p *partnership, limit int, page func(tx *store.Tx, at *store.Cursor, limit int) ([]string, store.Page, error)) (forwards, backwards []string) {
	t.Helper()
	if err := p.db.View(p.ctx, func(tx *store.Tx) error {
		var at *store.Cursor
		var last store.Page
		var lastIDs []string
		for range 100 {
			ids, pg, err := page(tx, at, limit)
			if err != nil {
				return err
			}
			if len(ids) > limit {
				t.Fatalf("a page of %d holds %d", limit, len(ids))
			}
			forwards = append(forwards, ids...)
			last, lastIDs = pg, ids
			if pg.Next == nil {
				break
			}
			at = pg.Next
		}
		// Back from the last page to the first, through the Prev links.
		back := [][]string{lastIDs}
		at = last.Prev
		for at != nil {
			ids, pg, err := page(tx, at, limit)
			if err != nil {
				return err
			}
			back = append([][]string{ids}, back...)
			at = pg.Prev
		}
		for _, ids := range back {
			backwards = append(backwards, ids...)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return forwards, backwards
}

// The retention review's lists are walked a page at a time from a cursor,
// and its count of old audit entries is found by two index probes; what it
// lists is exactly what the old unpaged statements listed: every closed
// case and every unsent draft due, in the same order, each once, forwards
// and back, whatever the page size; a record kept for another period is on
// no page; and the count is the COUNT it replaced, at every cutoff.
func TestTheRetentionReviewIsPagedAndListsExactlyWhatTheWholeScanListed(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		lead, _ := p.privacyLead()
		pol := casework.RetentionPolicy{ClosedCaseYears: 1, UnsentDraftDays: 10, AuditYears: 1}
		p.svc.Retention = pol
		var closed []string
		for i := range 5 {
			id := p.raiseChild(dumpChildren[i%len(dumpChildren)], false)
			p.contact(id)
			p.outcome(id)
			p.closeCase(id)
			closed = append(closed, id)
			p.clock.Advance(time.Hour)
		}
		var drafts []string
		for i := range 7 {
			v := p.Colleague
			if i%2 == 1 {
				v = p.Teacher
			}
			d, err := p.svc.NewDraft(p.ctx, v)
			if err != nil {
				t.Fatal(err)
			}
			drafts = append(drafts, d.ID)
			if i == 3 {
				p.clock.Advance(0) // two drafts saved in the same instant: the id breaks the tie
			} else {
				p.clock.Advance(time.Minute)
			}
		}
		p.clock.Advance(400 * 24 * time.Hour)
		if err := p.svc.KeepRecord(p.ctx, lead, casework.ReviewClosedCase, closed[2], "Court proceedings continue"); err != nil {
			t.Fatal(err)
		}
		if err := p.svc.KeepRecord(p.ctx, lead, casework.ReviewUnsentDraft, drafts[4], "Needed for a complaint"); err != nil {
			t.Fatal(err)
		}
		now := p.clock.Now()
		wantCases, wantDrafts, wantAudit := retentionByScan(t, p, now, pol)
		if len(wantCases) != 4 || len(wantDrafts) != 6 || slices.Contains(wantCases, closed[2]) || slices.Contains(wantDrafts, drafts[4]) {
			t.Fatalf("the fixture: %d cases and %d drafts due", len(wantCases), len(wantDrafts))
		}
		casesPage := func(tx *store.Tx, at *store.Cursor, limit int) ([]string, store.Page, error) {
			list, pg, err := tx.ClosedCasesDuePage("default", now.AddDate(-pol.ClosedCaseYears, 0, 0), now, at, limit)
			var ids []string
			for _, c := range list {
				ids = append(ids, c.CaseID)
			}
			return ids, pg, err
		}
		draftsPage := func(tx *store.Tx, at *store.Cursor, limit int) ([]string, store.Page, error) {
			list, pg, err := tx.UnsentDraftsDuePage("default", now.AddDate(0, 0, -pol.UnsentDraftDays), now, at, limit)
			var ids []string
			for _, d := range list {
				ids = append(ids, d.DraftID)
			}
			return ids, pg, err
		}
		for _, limit := range []int{1, 2, 3, 4, 50} {
			if fw, bw := walkReview(t, p, limit, casesPage); !slices.Equal(fw, wantCases) || (limit < len(wantCases) && !slices.Equal(bw, wantCases)) {
				t.Fatalf("closed cases, pages of %d: forwards %v, backwards %v, want %v", limit, fw, bw, wantCases)
			}
			if fw, bw := walkReview(t, p, limit, draftsPage); !slices.Equal(fw, wantDrafts) || (limit < len(wantDrafts) && !slices.Equal(bw, wantDrafts)) {
				t.Fatalf("drafts, pages of %d: forwards %v, backwards %v, want %v", limit, fw, bw, wantDrafts)
			}
		}

		// The service's first page is the whole of each list here, and the
		// audit count is the COUNT it replaced.
		page, err := p.svc.RetentionReviewPage(p.ctx, lead, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		var gotCases, gotDrafts []string
		gotAudit := 0
		for _, it := range page.Items {
			switch it.Kind {
			case casework.ReviewClosedCase:
				gotCases = append(gotCases, it.ID)
			case casework.ReviewUnsentDraft:
				gotDrafts = append(gotDrafts, it.ID)
			case casework.ReviewAuditLog:
				gotAudit = it.Count
			}
		}
		if !slices.Equal(gotCases, wantCases) || !slices.Equal(gotDrafts, wantDrafts) || gotAudit != wantAudit || wantAudit == 0 ||
			page.Cases.Next != nil || page.Drafts.Next != nil {
			t.Fatalf("the review: cases %v drafts %v audit %d (%+v), want %v %v %d", gotCases, gotDrafts, gotAudit, page, wantCases, wantDrafts, wantAudit)
		}
		// The count at every cutoff the log's own times give.
		rows, err := db.SQL().QueryContext(p.ctx, `SELECT DISTINCT at FROM audit_log ORDER BY at`)
		if err != nil {
			t.Fatal(err)
		}
		var times []time.Time
		for rows.Next() {
			var at time.Time
			if err := rows.Scan(&at); err != nil {
				t.Fatal(err)
			}
			times = append(times, at, at.Add(time.Microsecond), at.Add(-time.Microsecond)) // the store keeps times to the microsecond
		}
		rows.Close()
		if err := db.View(p.ctx, func(tx *store.Tx) error {
			for _, cutoff := range times {
				n, _, err := tx.AuditEntriesBefore(cutoff)
				if err != nil {
					return err
				}
				if want := p.count(`SELECT COUNT(*) FROM audit_log WHERE at < $1`, cutoff.UTC()); n != want {
					t.Fatalf("audit entries before %s: %d, want %d", cutoff, n, want)
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
}

// A page link of the review is only a place in its lists: a garbled one is
// refused as invalid input, and a forged one (any time and id) lists only
// records that are due, from that place on — never a record kept for
// another period, never one that is not due — and the review stays for
// partnership leads and administrators.
func TestARetentionReviewCursorOnlyMovesWithinWhatIsDue(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		lead, _ := p.privacyLead()
		pol := casework.RetentionPolicy{ClosedCaseYears: 1, UnsentDraftDays: 10, AuditYears: 1}
		p.svc.Retention = pol
		var drafts []string
		for range 4 {
			d, err := p.svc.NewDraft(p.ctx, p.Colleague)
			if err != nil {
				t.Fatal(err)
			}
			drafts = append(drafts, d.ID)
			p.clock.Advance(time.Minute)
		}
		p.clock.Advance(11 * 24 * time.Hour)
		if err := p.svc.KeepRecord(p.ctx, lead, casework.ReviewUnsentDraft, drafts[1], "Needed for a complaint"); err != nil {
			t.Fatal(err)
		}
		young, err := p.svc.NewDraft(p.ctx, p.Colleague) // not due for ten days
		if err != nil {
			t.Fatal(err)
		}
		_, due, _ := retentionByScan(t, p, p.clock.Now(), pol)
		for _, bad := range []string{"", "x", "not base64!", "YXxub3QgYSB0aW1lfGlk", string(make([]byte, 400))} {
			if _, err := store.ParseCursor("cursor", bad); waymark.ErrorCode(err) != waymark.EINVALID {
				t.Fatalf("cursor %q: %v, want invalid input", bad, err)
			}
		}
		forged := []store.Cursor{
			{At: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), ID: "a"},
			{At: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), ID: "z", Before: true},
			{At: p.clock.Now(), ID: young.ID, Before: true},
			{At: p.clock.Now().AddDate(-1, 0, 0), ID: drafts[1]},
			{At: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), ID: "'; DROP TABLE cases; --"},
		}
		for _, c := range forged {
			c := c
			page, err := p.svc.RetentionReviewPage(p.ctx, lead, &c, &c)
			if err != nil {
				t.Fatalf("cursor %+v: %v", c, err)
			}
			for _, it := range page.Items {
				if it.Kind == casework.ReviewUnsentDraft && !slices.Contains(due, it.ID) {
					t.Fatalf("cursor %+v listed draft %s, which is not due", c, it.ID)
				}
			}
			if c.Before && c.At.Year() == 9999 {
				var got []string
				for _, it := range page.Items {
					if it.Kind == casework.ReviewUnsentDraft {
						got = append(got, it.ID)
					}
				}
				if !slices.Equal(got, due) {
					t.Fatalf("the page before the end: %v, want %v", got, due)
				}
			}
		}
		for _, v := range []casework.Viewer{p.Teacher, p.SocialWorker, p.Colleague} {
			c := store.Cursor{At: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), ID: "a"}
			if _, err := p.svc.RetentionReviewPage(p.ctx, v, &c, &c); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
				t.Fatalf("%s with a cursor: %v, want forbidden", v.User.Name, err)
			}
		}
	})
}
