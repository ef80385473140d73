package casework_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// escalationsByScan is the escalations list as it was read before the read
// model: every case of the partnership lead's escalated list replayed from
// its history, its open escalations kept, longest waiting first.
func escalationsByScan(t *testing.T, p *partnership, lead casework.Viewer) []casework.EscalatedCase {
	t.Helper()
	var out []casework.EscalatedCase
	if err := p.db.View(p.ctx, func(tx *store.Tx) error {
		var at *store.Cursor
		for {
			cases, page, err := tx.EscalatedPage(lead.User.ID, lead.User.OrgID, at, store.PageSize)
			if err != nil {
				return err
			}
			for _, cs := range cases {
				c, _, err := tx.LoadCase(cs.ID)
				if err != nil {
					return err
				}
				ec := casework.EscalatedCase{CaseSummary: cs}
				for _, e := range c.Meetings.Escalations {
					if e.Open() {
						ec.Open = append(ec.Open, e)
					}
				}
				if len(ec.Open) > 0 {
					out = append(out, ec)
				}
			}
			if page.Next == nil {
				return nil
			}
			at = page.Next
		}
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// escalationsListed is every page of the lead's escalations list.
func escalationsListed(t *testing.T, p *partnership, lead casework.Viewer) []casework.EscalatedCase {
	t.Helper()
	var out []casework.EscalatedCase
	var at *store.Cursor
	for range 100 {
		list, page, err := p.svc.EscalationsPage(p.ctx, lead, at)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, list...)
		if page.Next == nil {
			return out
		}
		at = page.Next
	}
	t.Fatal("the escalations list does not end")
	return nil
}

func sameEscalatedLists(t *testing.T, what string, want, got []casework.EscalatedCase) {
	t.Helper()
	w, _ := json.Marshal(want)
	g, _ := json.Marshal(got)
	if string(w) != string(g) {
		t.Fatalf("%s: the escalations list is\n%s\nwant (read from each case's history)\n%s", what, g, w)
	}
}

// The escalations list reads each listed case's open escalations from the
// read model kept with its events, not by replaying the case's history;
// what it shows is exactly what the history gives (every open escalation,
// its reason, level and steps; none resolved; the longest waiting first),
// while escalations are raised, moved up and resolved, and when the read
// model is behind (a placeholder left by migration 0022) the history is
// read instead.
func TestTheEscalationsListShowsExactlyTheOpenEscalationsEachCaseHistoryGives(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		mp := addMeetingPeople(t, p)
		var ids []string
		for range 4 {
			id := meetingCase(p)
			convene(p, id, "first.responder@police.example")
			p.meetingMustAct(p.SocialWorker, id, recordHeld(pathway.NRMDoNotSubmit, ""))
			ids = append(ids, id)
		}
		quiet := meetingCase(p) // never escalated
		for i, id := range ids {
			p.clock.Advance(time.Hour)
			p.meetingMustAct(p.Teacher, id, pathway.RaiseEscalation{Reason: "The indicators meet the threshold (case " + string(rune('A'+i)) + ")."})
		}
		check := func(what string) {
			t.Helper()
			want := escalationsByScan(t, p, mp.Lead)
			got := escalationsListed(t, p, mp.Lead)
			sameEscalatedLists(t, what, want, got)
			for _, c := range got {
				if c.ID == quiet {
					t.Fatalf("%s: a case never escalated is listed", what)
				}
			}
		}
		check("four raised")
		if len(escalationsListed(t, p, mp.Lead)) != 4 {
			t.Fatal("the four escalated cases are not all listed")
		}
		p.clock.Advance(time.Hour)
		p.meetingMustAct(p.Teacher, ids[1], pathway.EscalateFurther{Note: "Line managers could not agree."})
		check("one moved up")
		p.clock.Advance(time.Hour)
		p.meetingMustAct(p.SocialWorker, ids[2], pathway.ResolveEscalation{Outcome: pathway.EscalationOtherResolution, Note: "Agreed to meet again."})
		check("one resolved")
		if got := escalationsListed(t, p, mp.Lead); len(got) != 3 {
			t.Fatalf("%d cases listed after one was resolved, want 3", len(got))
		}
		// Behind (as after migration 0022, before the case's next event):
		// the history decides, and the page shows the same.
		if _, err := db.SQL().ExecContext(p.ctx, `UPDATE case_escalations SET version = 0, body = '' WHERE case_id = $1`, ids[0]); err != nil {
			t.Fatal(err)
		}
		check("one row a placeholder")
		if _, err := db.SQL().ExecContext(p.ctx, `UPDATE case_escalations SET version = version - 1 WHERE case_id = $1`, ids[1]); err != nil {
			t.Fatal(err)
		}
		check("one row from an older version")
		// The list names the cases in its audit entry, as before.
		var detail string
		if err := db.SQL().QueryRowContext(p.ctx, `SELECT detail FROM audit_log WHERE actor_id = $1 AND action = 'case.listed' ORDER BY seq DESC LIMIT 1`, mp.Lead.User.ID).Scan(&detail); err != nil {
			t.Fatal(err)
		}
		for _, c := range escalationsByScan(t, p, mp.Lead) {
			if !strings.Contains(detail, c.ID) {
				t.Fatalf("the audit entry %q does not name listed case %s", detail, c.ID)
			}
		}
	})
}
