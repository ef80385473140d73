package store_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// queueFixture is a partnership with cases at every point the inbox and my
// work distinguish: waiting for the contact, waiting for the outcome, past
// the outcome, a missing child waiting or not, a child from abroad placed
// (its 72-hour window) waiting or not, a British child placed (no window).
type queueFixture struct {
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	clock *storetest.Clock
	svc   *casework.Service
	p     storetest.Partnership
	ids   map[string]string // kind → case id
}

func newQueueFixture(t *testing.T, db *store.DB) *queueFixture {
	t.Helper()
	clock := storetest.NewClock(storetest.Start)
	f := &queueFixture{t: t, ctx: context.Background(), db: db, clock: clock, svc: storetest.Service(t, db, clock),
		p: storetest.NewPartnership(t, db, clock), ids: map[string]string{}}
	kinds := []string{"raised", "contact", "outcome", "missing-raised", "missing-outcome", "abroad-raised", "abroad-outcome", "british-raised",
		"raised-2", "contact-2", "outcome-2", "raised-3", "contact-3"}
	for _, k := range kinds {
		f.ids[k] = f.raise(strings.HasPrefix(k, "british"))
	}
	for _, k := range kinds {
		id := f.ids[k]
		switch {
		case strings.HasPrefix(k, "contact"):
			f.contact(id)
		case strings.HasSuffix(k, "outcome") || strings.HasPrefix(k, "outcome"):
			f.contact(id)
			f.outcome(id)
		}
		switch {
		case strings.HasPrefix(k, "missing"):
			f.act(id, pathway.ReportMissing{StartedAt: f.clock.Now().Add(-time.Hour), Circumstances: "Not back from school", PoliceInformed: true})
		case strings.HasPrefix(k, "abroad"), strings.HasPrefix(k, "british"):
			f.act(id, pathway.StartPlacement{StartedAt: f.clock.Now().Add(-time.Hour), PlacementType: "foster-care", Address: "1 Larch Road, Northtown"})
		}
		f.clock.Advance(time.Minute)
	}
	return f
}

func (f *queueFixture) raise(british bool) string {
	f.t.Helper()
	c := storetest.ValidConcern(f.clock.Now())
	if british {
		c.Child.Nationality = "British"
	}
	id, err := f.svc.RaiseConcern(f.ctx, f.p.Teacher, c)
	if err != nil {
		f.t.Fatal(err)
	}
	f.clock.Advance(time.Minute) // every case raised at its own time, so both orders are total
	return id
}

func (f *queueFixture) version(id string) int {
	f.t.Helper()
	var v int
	if err := f.db.View(f.ctx, func(tx *store.Tx) error {
		c, _, err := tx.LoadCase(id)
		v = c.Version
		return err
	}); err != nil {
		f.t.Fatal(err)
	}
	return v
}

func (f *queueFixture) contact(id string) {
	f.t.Helper()
	if _, err := f.svc.RecordContact(f.ctx, f.p.CSWorker, id, f.version(id), "phone", "Called the referrer"); err != nil {
		f.t.Fatal(err)
	}
}

func (f *queueFixture) outcome(id string) {
	f.t.Helper()
	if err := f.svc.RecordOutcome(f.ctx, f.p.CSWorker, id, f.version(id), "strategy-discussion", "Strategy discussion tomorrow at 10am"); err != nil {
		f.t.Fatal(err)
	}
}

func (f *queueFixture) act(id string, cmd pathway.Command) {
	f.t.Helper()
	if err := f.svc.Act(f.ctx, f.p.SocialWorker, id, f.version(id), cmd); err != nil {
		f.t.Fatalf("%s: %v", pathway.CommandName(cmd), err)
	}
}

// inboxPages walks the whole inbox of v page by page (size n), calling
// between(page) after each page.
func (f *queueFixture) inboxPages(v casework.Viewer, now time.Time, n int, between func(page int)) []store.CaseSummary {
	f.t.Helper()
	var all []store.CaseSummary
	var at *store.Cursor
	for page := 0; ; page++ {
		var list []store.CaseSummary
		var links store.Page
		if err := f.db.View(f.ctx, func(tx *store.Tx) (err error) {
			list, links, err = tx.InboxPage(v.User.ID, v.User.OrgID, now, at, n)
			return err
		}); err != nil {
			f.t.Fatal(err)
		}
		if len(list) > n {
			f.t.Fatalf("page %d lists %d cases, more than its size %d", page, len(list), n)
		}
		all = append(all, list...)
		if links.Next == nil {
			return all
		}
		if page > 100 {
			f.t.Fatal("the inbox pages never end")
		}
		if between != nil {
			between(page)
		}
		at = links.Next
	}
}

func (f *queueFixture) inboxByScan(v casework.Viewer, now time.Time) []store.CaseSummary {
	f.t.Helper()
	var list []store.CaseSummary
	if err := f.db.View(f.ctx, func(tx *store.Tx) (err error) {
		list, err = tx.InboxByScan(v.User.ID, v.User.OrgID, now, 500)
		return err
	}); err != nil {
		f.t.Fatal(err)
	}
	return list
}

func caseIDs(list []store.CaseSummary) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.ID
	}
	return out
}

func (f *queueFixture) names(ids []string) string {
	kind := map[string]string{}
	for k, id := range f.ids {
		kind[id] = k
	}
	var out []string
	for _, id := range ids {
		out = append(out, kind[id])
	}
	return strings.Join(out, ", ")
}

// The queue lists exactly what the old scan of every waiting case listed,
// in the same order, with the same columns: now, while the placements'
// windows are open, and after they have closed.
func TestTheInboxQueueListsExactlyWhatTheScanOfEveryCaseListed(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		f := newQueueFixture(t, db)
		for _, at := range []time.Duration{0, 80 * time.Hour} {
			now := f.clock.Now().Add(at)
			want := f.inboxByScan(f.p.CSWorker, now)
			for _, n := range []int{1, 2, 5, 50} {
				got := f.inboxPages(f.p.CSWorker, now, n, nil)
				if !slices.Equal(caseIDs(got), caseIDs(want)) {
					t.Fatalf("%s later, pages of %d list\n  %s\nthe scan listed\n  %s", at, n, f.names(caseIDs(got)), f.names(caseIDs(want)))
				}
				for i := range got {
					if fmt.Sprint(got[i]) != fmt.Sprint(want[i]) {
						t.Fatalf("%s: the queue gives %+v, the scan %+v", f.names([]string{got[i].ID}), got[i], want[i])
					}
				}
			}
			if at == 0 && (len(want) < 8 || want[0].ID != f.ids["missing-raised"] && want[0].ID != f.ids["missing-outcome"]) {
				t.Fatalf("the fixture does not cover the inbox: %s", f.names(caseIDs(want)))
			}
		}
		for _, v := range []casework.Viewer{f.p.Teacher, f.p.PoliceLead} {
			if got := f.inboxPages(v, f.clock.Now(), 5, nil); len(got) != 0 {
				t.Errorf("%s, outside Children's Services, has an inbox of %d cases", v.User.Name, len(got))
			}
		}
	})
}

// My work and the overdue count list what the scan of every running clock
// did, for the front door, a social worker and their manager; a risk window
// that has closed is no longer listed as work.
func TestMyWorkAndTheOverdueCountFromTheQueueMatchTheScanOfEveryClock(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		f := newQueueFixture(t, db)
		for _, at := range []time.Duration{0, 30 * time.Hour, 80 * time.Hour} {
			now := f.clock.Now().Add(at)
			for _, v := range []casework.Viewer{f.p.CSWorker, f.p.SocialWorker, f.p.Manager, f.p.Teacher, f.p.PoliceLead} {
				manager := v.User.Role == pathway.RoleManager
				var want, got []store.WorkItem
				var wantN, gotN int
				if err := db.View(f.ctx, func(tx *store.Tx) error {
					all, err := tx.WorkByScan(v.User.ID, v.User.OrgID, manager, 500)
					if err != nil {
						return err
					}
					for _, w := range all {
						if !w.Window || now.Before(w.DueAt) {
							want = append(want, w)
						}
					}
					if wantN, err = tx.OverdueByScan(v.User.ID, v.User.OrgID, manager, now); err != nil {
						return err
					}
					var at *store.Cursor
					for {
						page, links, err := tx.WorkPage(v.User.ID, v.User.OrgID, manager, now, at, 3)
						if err != nil {
							return err
						}
						got = append(got, page...)
						if links.Next == nil {
							break
						}
						at = links.Next
					}
					gotN, err = tx.OverdueCount(v.User.ID, v.User.OrgID, manager, now)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				key := func(w store.WorkItem) string { return w.CaseID + "/" + w.ClockID }
				sortByDue := func(ws []store.WorkItem) {
					slices.SortStableFunc(ws, func(a, b store.WorkItem) int {
						if a.Window != b.Window {
							if a.Window {
								return -1
							}
							return 1
						}
						return a.DueAt.Compare(b.DueAt)
					})
				}
				sortByDue(want) // the scan's order among equal deadlines was not defined
				sortByDue(got)
				if len(got) != len(want) {
					t.Fatalf("%s, %s later: the queue lists %d deadlines, the scan %d", v.User.Name, at, len(got), len(want))
				}
				wantSet, gotSet := map[string]string{}, map[string]string{}
				for i := range want {
					wantSet[key(want[i])] = fmt.Sprint(want[i])
					gotSet[key(got[i])] = fmt.Sprint(got[i])
					if !want[i].DueAt.Equal(got[i].DueAt) || want[i].Window != got[i].Window {
						t.Fatalf("%s, %s later: deadline %d is %+v, the scan has %+v", v.User.Name, at, i, got[i], want[i])
					}
				}
				for k, w := range wantSet {
					if gotSet[k] != w {
						t.Fatalf("%s, %s later: the queue gives %s, the scan %s", v.User.Name, at, gotSet[k], w)
					}
				}
				if gotN != wantN {
					t.Fatalf("%s, %s later: %d overdue from the queue, %d from the scan", v.User.Name, at, gotN, wantN)
				}
				if at == 30*time.Hour && v.User.ID == f.p.CSWorker.User.ID && wantN == 0 {
					t.Fatal("the fixture has nothing overdue for the front door")
				}
			}
		}
	})
}

// Walking the inbox page by page while cases change between pages lists
// every case that did not change exactly once and in order, never one
// twice at the same place; Previous walks the same pages back.
func TestPagingThroughTheInboxListsEveryCaseOnceInOrderWhileCasesChange(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		f := newQueueFixture(t, db)
		now := f.clock.Now()
		before := caseIDs(f.inboxByScan(f.p.CSWorker, now))
		changed := map[string]bool{}
		var fresh string
		walked := f.inboxPages(f.p.CSWorker, now, 2, func(page int) {
			switch page {
			case 0: // the outcome of a case still to come takes it out of the inbox
				changed[f.ids["contact-3"]] = true
				f.outcome(f.ids["contact-3"])
			case 1: // a case already listed changes its deadline; a new one arrives
				changed[f.ids["raised"]] = true
				f.contact(f.ids["raised"])
				fresh = f.raise(false)
				changed[fresh] = true
			}
		})
		seen := map[string]int{}
		for _, id := range caseIDs(walked) {
			seen[id]++
		}
		var unchangedBefore, unchangedWalked []string
		for _, id := range before {
			if !changed[id] {
				unchangedBefore = append(unchangedBefore, id)
			}
		}
		for _, id := range caseIDs(walked) {
			if !changed[id] {
				unchangedWalked = append(unchangedWalked, id)
			}
		}
		if !slices.Equal(unchangedWalked, unchangedBefore) {
			t.Fatalf("the cases that did not change were listed\n  %s\nwant each once, in order\n  %s", f.names(unchangedWalked), f.names(unchangedBefore))
		}
		if seen[f.ids["contact-3"]] != 0 {
			t.Error("a case that left the inbox before its page was listed")
		}
		for id, n := range seen {
			if n > 1 && !changed[id] {
				t.Errorf("%s listed %d times", f.names([]string{id}), n)
			}
		}

		// Back from the last page to the first with Previous, nothing changing.
		var pages [][]string
		var at *store.Cursor
		var last store.Page
		for {
			var list []store.CaseSummary
			if err := db.View(f.ctx, func(tx *store.Tx) (err error) {
				list, last, err = tx.InboxPage(f.p.CSWorker.User.ID, f.p.CSWorker.User.OrgID, now, at, 3)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			pages = append(pages, caseIDs(list))
			if last.Next == nil {
				break
			}
			at = last.Next
		}
		for i := len(pages) - 2; i >= 0; i-- {
			if last.Prev == nil {
				t.Fatalf("page %d has no Previous link", i+2)
			}
			var list []store.CaseSummary
			if err := db.View(f.ctx, func(tx *store.Tx) (err error) {
				list, last, err = tx.InboxPage(f.p.CSWorker.User.ID, f.p.CSWorker.User.OrgID, now, last.Prev, 3)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(caseIDs(list), pages[i]) {
				t.Fatalf("Previous to page %d lists %s, going forward it listed %s", i+1, f.names(caseIDs(list)), f.names(pages[i]))
			}
		}
		if last.Prev != nil {
			t.Error("the first page has a Previous link")
		}
	})
}

// A cursor the pages did not give is refused as invalid input, never read.
func TestAMadeUpOrCutShortCursorIsRefusedAsInvalid(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		f := newQueueFixture(t, db)
		var next string
		if err := db.View(f.ctx, func(tx *store.Tx) error {
			_, links, err := tx.InboxPage(f.p.CSWorker.User.ID, f.p.CSWorker.User.OrgID, f.clock.Now(), nil, 2)
			if links.Next != nil {
				next = links.Next.String()
			}
			return err
		}); err != nil || next == "" {
			t.Fatalf("no next page: %v", err)
		}
		for _, bad := range []string{"x", next[:len(next)/2], "W10", "WyJhIl0", strings.Repeat("A", 2000), next + "%00", "eyJhIjoxfQ"} {
			for _, field := range []string{"after", "before"} {
				_, err := store.ParseCursor(field, bad)
				if waymark.ErrorCode(err) != waymark.EINVALID {
					t.Errorf("cursor %.20q: %v, want EINVALID", bad, err)
				}
			}
		}
		// A Next link's cursor is not one of a Previous link.
		if _, err := store.ParseCursor("before", next); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("a Next link's cursor passed as before: %v, want EINVALID", err)
		}
	})
}

// A queue row never shows a case to someone who may not know it: with the
// team's member row gone, the case leaves the inbox and my work although
// its queue rows remain.
func TestAQueueRowOfACaseTheViewerMayNotKnowIsNeverListed(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		f := newQueueFixture(t, db)
		hidden := f.ids["raised-2"]
		if _, err := db.SQL().ExecContext(f.ctx, `DELETE FROM case_members WHERE case_id = $1 AND member_kind = 'org'`, hidden); err != nil {
			t.Fatal(err)
		}
		var queued int
		if err := db.SQL().QueryRowContext(f.ctx, `SELECT COUNT(*) FROM queue_items WHERE case_id = $1`, hidden).Scan(&queued); err != nil || queued == 0 {
			t.Fatalf("the case has %d queue rows (%v): the test needs some", queued, err)
		}
		for _, n := range []int{1, 50} {
			if got := caseIDs(f.inboxPages(f.p.CSWorker, f.clock.Now(), n, nil)); slices.Contains(got, hidden) {
				t.Fatalf("pages of %d: the inbox lists a case Children's Services is no longer a member of", n)
			}
		}
		for _, v := range []casework.Viewer{f.p.CSWorker, f.p.Manager} {
			var work []store.WorkItem
			var overdue, before int
			if err := db.View(f.ctx, func(tx *store.Tx) (err error) {
				if work, _, err = tx.WorkPage(v.User.ID, v.User.OrgID, v.User.Role == pathway.RoleManager, f.clock.Now(), nil, 50); err != nil {
					return err
				}
				if overdue, err = tx.OverdueCount(v.User.ID, v.User.OrgID, v.User.Role == pathway.RoleManager, f.clock.Now().Add(30*time.Hour)); err != nil {
					return err
				}
				before, err = tx.OverdueByScan(v.User.ID, v.User.OrgID, v.User.Role == pathway.RoleManager, f.clock.Now().Add(30*time.Hour))
				return err
			}); err != nil {
				t.Fatal(err)
			}
			for _, w := range work {
				if w.CaseID == hidden {
					t.Fatalf("%s's work lists a deadline of a case their team is no longer a member of", v.User.Name)
				}
			}
			if overdue != before {
				t.Fatalf("%s: %d overdue, the scan counted %d", v.User.Name, overdue, before)
			}
		}
	})
}

// `waymark verify` checks the queue rows against the sealed events: a row
// inserted (to put a case in front of someone) or deleted (to hide one from
// its team) is named; rebuilding the read models puts them right.
func TestVerifyFindsAForgedOrDeletedQueueRowAndRebuildRestoresThem(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		f := newQueueFixture(t, db)
		if _, err := db.Verify(f.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("the fixture does not verify: %v", err)
		}
		target := f.ids["raised"]
		var due time.Time
		if err := db.SQL().QueryRowContext(f.ctx, `SELECT due_at FROM queue_items WHERE case_id = $1 AND queue = 'inbox'`, target).Scan(&due); err != nil {
			t.Fatal(err)
		}
		tampers := []struct{ name, sql string }{
			{"a row putting the case on the teacher's work", `INSERT INTO queue_items(queue, owner_id, lane, due_at, tie_at, case_id, item_id, until_at)
				SELECT 'work.user', '` + f.p.Teacher.User.ID + `', lane, due_at, tie_at, case_id, 'notify', until_at FROM queue_items WHERE case_id = $1 AND queue = 'inbox'`},
			{"a row putting the case in another organisation's inbox", `INSERT INTO queue_items(queue, owner_id, lane, due_at, tie_at, case_id, item_id, until_at)
				SELECT queue, 'org-police', lane, due_at, tie_at, case_id, item_id, until_at FROM queue_items WHERE case_id = $1 AND queue = 'inbox'`},
			{"the case's inbox row deleted", `DELETE FROM queue_items WHERE case_id = $1 AND queue = 'inbox'`},
			{"the case moved to the front of the inbox", `UPDATE queue_items SET lane = 1 WHERE case_id = $1 AND queue = 'inbox'`},
			{"a row for a case with no history", `INSERT INTO queue_items(queue, owner_id, lane, due_at, tie_at, case_id, item_id, until_at)
				SELECT queue, owner_id, lane, due_at, tie_at, 'case-made-up', item_id, until_at FROM queue_items WHERE case_id = $1 AND queue = 'inbox'`},
		}
		for _, tc := range tampers {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := db.SQL().ExecContext(f.ctx, tc.sql, target); err != nil {
					t.Fatal(err)
				}
				_, err := db.Verify(f.ctx, store.VerifyOptions{ReadModels: true})
				var te *store.TamperError
				if !errors.As(err, &te) || !strings.Contains(te.Reason, "queue_items") && !strings.Contains(te.Reason, "no history") {
					t.Fatalf("verify says %v, want the queue row named", err)
				}
				// Rebuilding refuses a database with rows of a case that has no
				// history: those are taken out by hand.
				if _, err := db.SQL().ExecContext(f.ctx, `DELETE FROM queue_items WHERE case_id = 'case-made-up'`); err != nil {
					t.Fatal(err)
				}
				if _, err := f.svc.RebuildReadModels(f.ctx); err != nil {
					t.Fatal(err)
				}
				if _, err := db.Verify(f.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
					t.Fatalf("after rebuilding: %v", err)
				}
				if got, want := caseIDs(f.inboxPages(f.p.CSWorker, f.clock.Now(), 50, nil)), caseIDs(f.inboxByScan(f.p.CSWorker, f.clock.Now())); !slices.Equal(got, want) {
					t.Fatalf("after rebuilding the inbox lists %s, want %s", f.names(got), f.names(want))
				}
			})
		}
	})
}

// Queue rows name cases, clocks, people and organisations by id, and
// times: never the child.
func TestQueueRowsHoldNothingThatNamesAChild(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		f := newQueueFixture(t, db)
		child := storetest.ValidConcern(f.clock.Now()).Child
		rows, err := db.SQL().QueryContext(f.ctx, `SELECT queue || ' ' || owner_id || ' ' || case_id || ' ' || item_id FROM queue_items`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			n++
			for _, name := range append([]string{child.GivenNames, child.FamilyName}, child.Aliases...) {
				if name != "" && strings.Contains(strings.ToLower(s), strings.ToLower(name)) {
					t.Fatalf("queue row %q holds the child's name", s)
				}
			}
		}
		if n == 0 {
			t.Fatal("no queue rows")
		}
	})
}

// A database upgraded to the queues gets from the migration exactly the
// rows Waymark writes itself, so it verifies and lists the same at once.
func TestTheQueueMigrationFillsTheRowsWaymarkWouldHaveWritten(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		f := newQueueFixture(t, db)
		f.clock.Advance(80 * time.Hour) // and a window that has closed since
		f.contact(f.ids["raised-3"])
		rows := func() []string {
			t.Helper()
			got, err := db.SQL().QueryContext(f.ctx, `SELECT queue, owner_id, lane, due_at, tie_at, case_id, item_id, until_at FROM queue_items`)
			if err != nil {
				t.Fatal(err)
			}
			defer got.Close()
			var out []string
			for got.Next() {
				var q, o, c, i string
				var lane int
				var due, tie, until time.Time
				if err := got.Scan(&q, &o, &lane, &due, &tie, &c, &i, &until); err != nil {
					t.Fatal(err)
				}
				out = append(out, fmt.Sprintln(q, o, lane, due.UTC(), tie.UTC(), c, i, until.UTC()))
			}
			slices.Sort(out)
			return out
		}
		written := rows()
		migration, err := os.ReadFile(filepath.Join("migrations", string(db.Dialect), "0017_queues.sql"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().ExecContext(f.ctx, `DELETE FROM queue_items`); err != nil {
			t.Fatal(err)
		}
		for _, stmt := range strings.Split(string(migration), ";\n") {
			if strings.Contains(stmt, "INSERT INTO queue_items") {
				if _, err := db.SQL().ExecContext(f.ctx, stmt); err != nil {
					t.Fatalf("%v\n%s", err, stmt)
				}
			}
		}
		if filled := rows(); !slices.Equal(filled, written) {
			t.Fatalf("the migration fills\n%s\nWaymark wrote\n%s", strings.Join(filled, ""), strings.Join(written, ""))
		}
		if _, err := db.Verify(f.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatal(err)
		}
	})
}

// A queue row only says where to look: whose deadline it is comes from the
// clock itself, as the scan of every clock decided it. Rows forged to put
// other people's and other teams' deadlines on a referrer's work (one of
// them a placement's missing-risk window) show none of them, make no page
// link, and add nothing to the overdue count.
func TestAForgedWorkRowNeverShowsSomeoneElsesDeadline(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		f := newQueueFixture(t, db)
		teach := f.p.Teacher
		for _, q := range []struct{ queue, owner string }{{"work.user", teach.User.ID}, {"work.team", teach.User.OrgID}} {
			res, err := db.SQL().ExecContext(f.ctx, `INSERT INTO queue_items(queue, owner_id, lane, due_at, tie_at, case_id, item_id, until_at)
				SELECT DISTINCT $1, $2, lane, due_at, tie_at, case_id, item_id, until_at FROM queue_items
				WHERE queue LIKE 'work.%' AND case_id IN (SELECT case_id FROM case_members WHERE member_id = $3)`, q.queue, q.owner, teach.User.ID)
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				t.Fatalf("no %s rows were forged: the test needs some", q.queue)
			}
		}
		for _, at := range []time.Duration{0, 30 * time.Hour} {
			now := f.clock.Now().Add(at)
			var want []store.WorkItem
			var wantN, gotN int
			var got []store.WorkItem
			if err := db.View(f.ctx, func(tx *store.Tx) error {
				all, err := tx.WorkByScan(teach.User.ID, teach.User.OrgID, false, 500)
				if err != nil {
					return err
				}
				for _, w := range all {
					if !w.Window || now.Before(w.DueAt) {
						want = append(want, w)
					}
				}
				if wantN, err = tx.OverdueByScan(teach.User.ID, teach.User.OrgID, false, now); err != nil {
					return err
				}
				if gotN, err = tx.OverdueCount(teach.User.ID, teach.User.OrgID, false, now); err != nil {
					return err
				}
				var at *store.Cursor
				for range 100 {
					page, links, err := tx.WorkPage(teach.User.ID, teach.User.OrgID, false, now, at, 1)
					if err != nil {
						return err
					}
					got = append(got, page...)
					for _, c := range []*store.Cursor{links.Next, links.Prev} {
						if c == nil {
							continue
						}
						b, err := base64.RawURLEncoding.DecodeString(c.String())
						if err != nil {
							return err
						}
						var parts []any
						if err := json.Unmarshal(b, &parts); err != nil {
							return err
						}
						if !slices.ContainsFunc(want, func(w store.WorkItem) bool { return w.CaseID == parts[4] && w.ClockID == parts[5] }) {
							return fmt.Errorf("a page link names case %v clock %v, which is not the teacher's work", parts[4], parts[5])
						}
					}
					if links.Next == nil {
						break
					}
					at = links.Next
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			for _, w := range got {
				if !slices.ContainsFunc(want, func(x store.WorkItem) bool { return x.CaseID == w.CaseID && x.ClockID == w.ClockID }) {
					t.Errorf("%s later: the teacher's work shows %q on case %s, owned by %q", at, w.Label, w.CaseID, w.OwnerName)
				}
			}
			if len(got) != len(want) {
				t.Errorf("%s later: the teacher's work shows %d deadlines, the scan %d", at, len(got), len(want))
			}
			if gotN != wantN {
				t.Errorf("%s later: %d overdue from the queue, %d from the scan", at, gotN, wantN)
			}
		}
	})
}

// The inbox asks each case whether it waits on the viewer's Children's
// Services team, as the scan of every case did: rows forged to put a case
// past its outcome in the inbox, to make a child who is not missing urgent,
// or to give a referrer's organisation an inbox list nothing and make no
// page link.
func TestAForgedInboxRowListsNoCaseThatIsNotWaiting(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		f := newQueueFixture(t, db)
		now := f.clock.Now()
		want := f.inboxByScan(f.p.CSWorker, now)
		forge := func(queue, owner, caseID string) {
			t.Helper()
			if _, err := db.SQL().ExecContext(f.ctx, `INSERT INTO queue_items(queue, owner_id, lane, due_at, tie_at, case_id, item_id, until_at)
				VALUES ($1, $2, 1, $3, $3, $4, '', $5)`, queue, owner, storetest.Start.Add(-time.Hour), caseID, time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)); err != nil {
				t.Fatal(err)
			}
		}
		cs := f.p.CSWorker.User.OrgID
		forge("inbox", cs, f.ids["outcome"])          // past its outcome
		forge("inbox.urgent", cs, f.ids["raised-2"])  // not missing, not placed
		forge("inbox.urgent", cs, f.ids["outcome-2"]) // neither, and past its outcome
		for _, k := range []string{"raised", "outcome", "missing-outcome"} {
			forge("inbox", f.p.Teacher.User.OrgID, f.ids[k])
			forge("inbox.urgent", f.p.Teacher.User.OrgID, f.ids[k])
		}
		for _, n := range []int{1, 50} {
			if got := f.inboxPages(f.p.CSWorker, now, n, nil); !slices.Equal(caseIDs(got), caseIDs(want)) {
				t.Fatalf("pages of %d list\n  %s\nthe scan listed\n  %s", n, f.names(caseIDs(got)), f.names(caseIDs(want)))
			}
		}
		var links store.Page
		var got []store.CaseSummary
		if err := db.View(f.ctx, func(tx *store.Tx) (err error) {
			got, links, err = tx.InboxPage(f.p.Teacher.User.ID, f.p.Teacher.User.OrgID, now, nil, 1)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != 0 || links != (store.Page{}) {
			t.Fatalf("the referrer's organisation has an inbox: %d cases, links %+v", len(got), links)
		}
	})
}

// An inbox page asks the viewer's member rows and their seals once, in the
// walk that chooses the page, and lists the cases from what that found: the
// list rows are not checked against the member rows a second time.
func TestAnInboxPageReadsTheViewersMemberRowsOnce(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		f := newQueueFixture(t, db)
		var mu sync.Mutex
		memberReads := 0
		db.ObserveStatements(func(q string, _ int64) {
			if strings.Contains(q, "FROM case_members m") {
				mu.Lock()
				memberReads++
				mu.Unlock()
			}
		})
		var page []store.CaseSummary
		err := db.View(f.ctx, func(tx *store.Tx) (err error) {
			page, _, err = tx.InboxPage(f.p.CSWorker.User.ID, f.p.CSWorker.User.OrgID, f.clock.Now(), nil, 50)
			return err
		})
		db.ObserveStatements(nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			t.Fatal("the inbox is empty: the test needs cases in it")
		}
		if memberReads != 1 {
			t.Errorf("one inbox page of %d cases read the member rows %d times, want once", len(page), memberReads)
		}
	})
}
