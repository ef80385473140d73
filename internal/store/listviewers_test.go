package store_test

import (
	"database/sql"
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// escalateCase holds a strategy meeting on the case that decides against an
// NRM, and the referrer escalates the disagreement (§8.5, §8.6).
func (f *queueFixture) escalateCase(id string) {
	f.t.Helper()
	yes := true
	steps := []struct {
		v   casework.Viewer
		cmd pathway.Command
	}{
		{f.p.SocialWorker, pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: f.clock.Now().Add(-time.Hour), InviteeEmails: []string{f.p.PoliceLead.User.Email}}},
		{f.p.SocialWorker, pathway.RecordMeetingHeld{AttendeeEmails: []string{"social.worker@cs.example", "first.responder@police.example"}, NRMDecision: pathway.NRMDoNotSubmit,
			ChildProtectionConference: &yes, ChildProtectionPlan: &yes, InformationSharedWithPolice: &yes}},
		{f.p.Teacher, pathway.RaiseEscalation{Reason: "The indicators meet the threshold for an NRM."}},
	}
	for _, st := range steps {
		f.clock.Advance(time.Minute)
		if err := f.svc.Act(f.ctx, st.v, id, f.versionFor(st.v, id), st.cmd); err != nil {
			f.t.Fatalf("%s: %v", pathway.CommandName(st.cmd), err)
		}
	}
}

// versionFor is the version of the case as v sees it (a referrer sees
// only some of its events).
func (f *queueFixture) versionFor(v casework.Viewer, id string) int {
	f.t.Helper()
	var h pathway.History
	if err := f.db.View(f.ctx, func(tx *store.Tx) error {
		m, err := tx.Membership(id, v.User.ID, v.User.OrgID)
		if err != nil {
			return err
		}
		c, events, err := tx.LoadCase(id)
		h = pathway.HistoryFor(c, events, m, v.User.ID)
		return err
	}); err != nil {
		f.t.Fatal(err)
	}
	return h.Version
}

// listsOf is every page a viewer's lists show, first pages only.
func (f *queueFixture) listsOf(v casework.Viewer) []casePage {
	f.t.Helper()
	var out []casePage
	if err := f.db.View(f.ctx, func(tx *store.Tx) error {
		for _, list := range []func() (casePage, error){
			func() (casePage, error) { return asPage(tx.CasesPage(v.User.ID, v.User.OrgID, nil, 100)) },
			func() (casePage, error) { return asPage(tx.EscalatedPage(v.User.ID, v.User.OrgID, nil, 100)) },
			func() (casePage, error) { return asPage(tx.SearchPage(v.User.ID, v.User.OrgID, "cs", nil, 100)) },
		} {
			p, err := list()
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	}); err != nil {
		f.t.Fatal(err)
	}
	return out
}

// `waymark verify` compares every case's case_viewers rows, which "Your
// cases", search and the escalations list walk, with what its sealed events
// give: a row deleted (the case hidden from its team), forged (a list
// pointed at a case its viewer is not in), or moved in time (the case
// taken off the escalations list, or buried in the list) is named, as are
// rows of a case with no history; rebuilding the read models puts them
// right.
func TestVerifyNamesACaseViewersRowDeletedForgedOrChangedAndRebuildPutsThemRight(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		f := newQueueFixture(t, db)
		target := f.ids["outcome"]
		f.escalateCase(target)
		if _, err := db.Verify(f.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("the fixture does not verify: %v", err)
		}
		viewers := []casework.Viewer{f.p.SocialWorker, f.p.Teacher, f.p.Colleague, f.p.CSWorker}
		before := map[string][]casePage{}
		for _, v := range viewers {
			before[v.User.ID] = f.listsOf(v)
		}
		if len(before[f.p.Teacher.User.ID][1].Cases) != 1 {
			t.Fatalf("the teacher's escalations list: %v, want the escalated case", summaryIDs(before[f.p.Teacher.User.ID][1].Cases))
		}
		tampers := []struct{ name, sql, on, named string }{
			{"every row of the case deleted", `DELETE FROM case_viewers WHERE case_id = $1`, target, target},
			{"one member's row deleted", `DELETE FROM case_viewers WHERE case_id = $1 AND viewer = (SELECT MIN(viewer) FROM case_viewers WHERE case_id = $1)`, target, target},
			{"a row forged for a colleague outside the case", `INSERT INTO case_viewers(case_id, viewer, updated_at, escalated_since)
				SELECT case_id, 'p:` + f.p.Colleague.User.ID + `', updated_at, escalated_since FROM case_viewers WHERE case_id = $1 AND viewer = 'p:` + f.p.Teacher.User.ID + `'`, target, target},
			{"its escalation cleared", `UPDATE case_viewers SET escalated_since = NULL WHERE case_id = $1`, target, target},
			{"its escalation moved to the front of the list", `UPDATE case_viewers SET escalated_since = (SELECT raised_at FROM cases WHERE id = $1) WHERE case_id = $1`, target, target},
			{"an escalation given to a case with none", `UPDATE case_viewers SET escalated_since = updated_at WHERE case_id = $1`, f.ids["raised"], f.ids["raised"]},
			{"its last activity moved", `UPDATE case_viewers SET updated_at = (SELECT raised_at FROM cases WHERE id = $1) WHERE case_id = $1`, target, target},
			{"rows of a case with no history", `INSERT INTO case_viewers(case_id, viewer, updated_at)
				SELECT 'case-made-up', viewer, updated_at FROM case_viewers WHERE case_id = $1`, target, "case-made-up"},
		}
		for _, tc := range tampers {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := db.SQL().ExecContext(f.ctx, tc.sql, tc.on); err != nil {
					t.Fatal(err)
				}
				_, err := db.Verify(f.ctx, store.VerifyOptions{ReadModels: true})
				var te *store.TamperError
				if !errors.As(err, &te) || !strings.Contains(te.Reason, "case_viewers") || te.CaseID != tc.named {
					t.Fatalf("verify says %v, want the case_viewers rows of %s named", err, tc.named)
				}
				// Rows of a case with no history are taken out, as a rebuild
				// refuses a database that has them.
				if err := db.Update(f.ctx, func(tx *store.Tx) error { return tx.DeleteOrphanReadModels() }); err != nil {
					t.Fatal(err)
				}
				if _, err := f.svc.RebuildReadModels(f.ctx); err != nil {
					t.Fatal(err)
				}
				if _, err := db.Verify(f.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
					t.Fatalf("after rebuilding: %v", err)
				}
				for _, v := range viewers {
					if after := f.listsOf(v); !reflect.DeepEqual(after, before[v.User.ID]) {
						t.Fatalf("after rebuilding %s's lists are %+v, want %+v", v.User.Name, after, before[v.User.ID])
					}
				}
			})
		}
	})
}

// A row of case_viewers only says where to look: one forged for a viewer
// outside a case must show them nothing, not even through the links to the
// pages either side. Every page of "Your cases", the escalations list and
// search is the same, cursors and all, with the forged rows as without
// them, and no cursor names a case the viewer is not in or its last
// activity.
func TestNoListCursorCarriesACaseAForgedViewerRowPointsAt(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newListWorld(t, db, 24)
		v := w.p.Colleague
		// Without forged list rows (the forged member row stays: its seal
		// does not match, so it counts for nothing either way).
		w.exec(t, `DELETE FROM case_viewers WHERE viewer = $1 AND case_id = $2`, "p:"+v.User.ID, w.forged)
		// Two of the colleague's own cases (every fourth one is theirs) on
		// the escalations list, so it has pages to walk.
		for _, id := range []string{w.ids[3], w.ids[11]} {
			w.exec(t, `UPDATE case_viewers SET escalated_since = updated_at WHERE case_id = $1`, id)
		}
		var mine []string
		w.view(t, func(tx *store.Tx) error {
			all, err := tx.OldCasesFor(v.User.ID, v.User.OrgID, 500)
			mine = summaryIDs(all)
			return err
		})
		if len(mine) == 0 || len(mine) == len(w.ids) {
			t.Fatalf("the colleague knows %d cases of %d", len(mine), len(w.ids))
		}
		type walked struct {
			pages []casePage
			back  []casePage // the page each Previous link gives
		}
		lists := map[string]func(tx *store.Tx, at *store.Cursor, n int) (casePage, error){
			"cases": func(tx *store.Tx, at *store.Cursor, n int) (casePage, error) {
				return asPage(tx.CasesPage(v.User.ID, v.User.OrgID, at, n))
			},
			"escalations": func(tx *store.Tx, at *store.Cursor, n int) (casePage, error) {
				return asPage(tx.EscalatedPage(v.User.ID, v.User.OrgID, at, n))
			},
			"search by name": func(tx *store.Tx, at *store.Cursor, n int) (casePage, error) {
				return asPage(tx.SearchPage(v.User.ID, v.User.OrgID, "amira", at, n))
			},
			"search by reference": func(tx *store.Tx, at *store.Cursor, n int) (casePage, error) {
				return asPage(tx.SearchPage(v.User.ID, v.User.OrgID, "cs", at, n))
			},
		}
		walkAll := func() map[string]walked {
			out := map[string]walked{}
			for name, list := range lists {
				for _, n := range []int{1, 2, 5} {
					var wk walked
					_, wk.pages = pageThrough(t, w, func(tx *store.Tx, at *store.Cursor) (casePage, error) { return list(tx, at, n) }, nil)
					for _, p := range wk.pages {
						var back casePage
						if p.Prev != nil {
							w.view(t, func(tx *store.Tx) (err error) { back, err = list(tx, p.Prev, n); return err })
						}
						wk.back = append(wk.back, back)
					}
					out[name+" "+strings.Repeat("·", n)] = wk
				}
			}
			return out
		}
		want := walkAll()

		// Rows forged for the colleague for every case they are not in,
		// every other one as if escalated.
		for i, id := range w.ids {
			if !slicesContains(mine, id) {
				w.exec(t, `INSERT INTO case_viewers(case_id, viewer, updated_at, escalated_since) SELECT id, $2, updated_at, CASE WHEN $3 THEN updated_at END FROM cases WHERE id = $1`,
					id, "p:"+v.User.ID, i%2 == 0)
				w.exec(t, `INSERT INTO search_viewer_tokens(viewer, token_hash, raised_at, case_id) SELECT $2, s.token_hash, c.raised_at, c.id FROM search_tokens s JOIN cases c ON c.id = s.case_id WHERE c.id = $1 ON CONFLICT DO NOTHING`,
					id, "p:"+v.User.ID)
			}
		}
		got := walkAll()
		for name, wk := range got {
			if !reflect.DeepEqual(wk.pages, want[name].pages) {
				t.Errorf("%s: with forged rows the pages are %s, without them %s", name, pageString(wk.pages), pageString(want[name].pages))
			}
			if !reflect.DeepEqual(wk.back, want[name].back) {
				t.Errorf("%s: with forged rows the Previous links give %s, without them %s", name, pageString(wk.back), pageString(want[name].back))
			}
			for _, p := range append(wk.pages, wk.back...) {
				for _, c := range []*store.Cursor{p.Next, p.Prev} {
					if c == nil {
						continue
					}
					raw, _ := base64.RawURLEncoding.DecodeString(c.String())
					if !slicesContains(mine, c.ID) {
						t.Fatalf("%s: a cursor (%s) names case %s, which the colleague is not in", name, raw, c.ID)
					}
				}
			}
		}
	})
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func pageString(pages []casePage) string {
	var b strings.Builder
	for _, p := range pages {
		b.WriteString("[")
		b.WriteString(strings.Join(summaryIDs(p.Cases), " "))
		if p.Prev != nil {
			b.WriteString(" prev " + p.Prev.ID)
		}
		if p.Next != nil {
			b.WriteString(" next " + p.Next.ID)
		}
		b.WriteString("] ")
	}
	return b.String()
}

// An erased case keeps its member rows and its place in its members' lists;
// its events can no longer be read, so its case_viewers rows are compared
// with the member and case rows its erasure record seals: a row forged, or
// its open escalation cleared, is named.
func TestVerifyNamesAChangedCaseViewersRowOfAnErasedCase(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		f := newQueueFixture(t, db)
		withLedger(t, db)
		target := f.ids["outcome"]
		f.escalateCase(target)
		if err := erase(t, db, target); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Verify(f.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("the erased case does not verify: %v", err)
		}
		tampers := []struct{ name, sql string }{
			{"a row forged for a colleague outside the case", `INSERT INTO case_viewers(case_id, viewer, updated_at, escalated_since)
				SELECT case_id, 'p:` + f.p.Colleague.User.ID + `', updated_at, escalated_since FROM case_viewers WHERE case_id = $1 AND viewer = 'p:` + f.p.Teacher.User.ID + `'`},
			{"its escalation cleared", `UPDATE case_viewers SET escalated_since = NULL WHERE case_id = $1`},
			{"one member's row deleted", `DELETE FROM case_viewers WHERE case_id = $1 AND viewer = (SELECT MIN(viewer) FROM case_viewers WHERE case_id = $1)`},
		}
		type row struct {
			viewer string
			at     time.Time
			since  sql.NullTime
		}
		var kept []row
		rows, err := db.SQL().QueryContext(f.ctx, `SELECT viewer, updated_at, escalated_since FROM case_viewers WHERE case_id = $1`, target)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.viewer, &r.at, &r.since); err != nil {
				t.Fatal(err)
			}
			kept = append(kept, r)
		}
		rows.Close()
		for _, tc := range tampers {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := db.SQL().ExecContext(f.ctx, tc.sql, target); err != nil {
					t.Fatal(err)
				}
				_, err := db.Verify(f.ctx, store.VerifyOptions{ReadModels: true})
				var te *store.TamperError
				if !errors.As(err, &te) || !strings.Contains(te.Reason, "case_viewers") || te.CaseID != target {
					t.Fatalf("verify says %v, want the erased case's case_viewers rows named", err)
				}
				// Put the rows back as erasure left them.
				if _, err := db.SQL().ExecContext(f.ctx, `DELETE FROM case_viewers WHERE case_id = $1`, target); err != nil {
					t.Fatal(err)
				}
				for _, r := range kept {
					if _, err := db.SQL().ExecContext(f.ctx, `INSERT INTO case_viewers(case_id, viewer, updated_at, escalated_since) VALUES ($1, $2, $3, $4)`, target, r.viewer, r.at, r.since); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := db.Verify(f.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
					t.Fatalf("with the rows put back: %v", err)
				}
			})
		}
	})
}
