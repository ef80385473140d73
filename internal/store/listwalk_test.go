package store_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// listWorld is a partnership with a mixed set of cases: raised by two
// schools' teachers and a GP, some with a reference and an outcome, names
// shared between children, a few escalated or closed, one member row
// forged for a colleague who may not know the case.
type listWorld struct {
	ctx    context.Context
	db     *store.DB
	clock  *storetest.Clock
	svc    *casework.Service
	p      storetest.Partnership
	ids    []string
	forged string // the case a forged member row claims the colleague may know
}

var listGiven = []string{"Amira", "Bilal", "Amira", "Chloé", "Dritan", "Amelia"}
var listFamily = []string{"Example", "O'Brien", "Sample", "Example-Smith", "Exampleton"}

func newListWorld(t *testing.T, db *store.DB, n int) *listWorld {
	t.Helper()
	w := &listWorld{ctx: context.Background(), db: db, clock: storetest.NewClock(storetest.Start)}
	w.svc = storetest.Service(t, db, w.clock)
	w.p = storetest.NewPartnership(t, db, w.clock)
	for i := range n {
		w.clock.Advance(time.Minute)
		c := storetest.ValidConcern(w.clock.Now())
		c.Child.GivenNames = listGiven[i%len(listGiven)]
		c.Child.FamilyName = listFamily[(i/2)%len(listFamily)]
		c.Child.Aliases = []string{fmt.Sprintf("Kid%d", i%4)}
		referrer := []casework.Viewer{w.p.Teacher, w.p.GPDoctor, w.p.Teacher, w.p.Colleague}[i%4]
		id, err := w.svc.RaiseConcern(w.ctx, referrer, c)
		if err != nil {
			t.Fatalf("raising case %d: %v", i, err)
		}
		w.ids = append(w.ids, id)
		if i%3 != 0 {
			w.clock.Advance(time.Minute)
			if _, err := w.svc.RecordContact(w.ctx, w.p.CSWorker, id, 1, "phone", "Called back"); err != nil {
				t.Fatalf("contact on case %d: %v", i, err)
			}
		}
		if i%3 == 2 {
			w.clock.Advance(time.Minute)
			if err := w.svc.RecordOutcome(w.ctx, w.p.CSWorker, id, 2, "strategy-discussion", "Strategy discussion tomorrow"); err != nil {
				t.Fatalf("outcome on case %d: %v", i, err)
			}
		}
	}
	// The escalations list reads only the read model: mark a few cases as
	// an escalation would, raised when they were last updated (the old
	// query's order).
	for i, id := range w.ids {
		if i%4 == 1 {
			w.exec(t, `UPDATE cases SET open_escalations = 1 WHERE id = $1`, id)
			w.exec(t, `UPDATE case_viewers SET escalated_since = (SELECT updated_at FROM cases WHERE cases.id = case_viewers.case_id) WHERE case_id = $1`, id)
		}
	}
	// A member row (and its list row) written behind Waymark's back: the
	// colleague is not a member of a case the teacher raised.
	w.forged = w.ids[0]
	w.exec(t, `INSERT INTO case_members(case_id, member_kind, member_id, role, seal_key, mac) VALUES ($1, 'user', $2, $3, 'k', 'forged')`, w.forged, w.p.Colleague.User.ID, pathway.MemberWorker)
	w.exec(t, `INSERT INTO case_viewers(case_id, viewer, updated_at) SELECT id, $2, updated_at FROM cases WHERE id = $1`, w.forged, "p:"+w.p.Colleague.User.ID)
	w.exec(t, `INSERT INTO search_viewer_tokens(viewer, token_hash, raised_at, case_id) SELECT $2, s.token_hash, c.raised_at, c.id FROM search_tokens s JOIN cases c ON c.id = s.case_id WHERE c.id = $1`, w.forged, "p:"+w.p.Colleague.User.ID)
	return w
}

func (w *listWorld) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := w.db.SQL().ExecContext(w.ctx, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func (w *listWorld) viewers() []casework.Viewer {
	return []casework.Viewer{w.p.CSWorker, w.p.SocialWorker, w.p.Teacher, w.p.Colleague, w.p.GPDoctor, w.p.PoliceLead}
}

func (w *listWorld) view(t *testing.T, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := w.db.Update(w.ctx, fn); err != nil {
		t.Fatal(err)
	}
}

// Before the lists walked an index they filtered every case the viewer may
// know; the walks must list exactly the same cases, with the same details,
// in the same order, to every kind of viewer. Search lists what its
// definition gives (SearchOracle): every case the viewer may know that
// matches every word, newest raised first.
func TestCaseListsSearchAndEscalationsListExactlyWhatTheirDefinitionsGive(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newListWorld(t, db, 40)
		queries := w.searchQueries(t)
		for _, v := range w.viewers() {
			for _, limit := range []int{500, 7, 1} {
				w.view(t, func(tx *store.Tx) error {
					want, err := tx.OldCasesFor(v.User.ID, v.User.OrgID, limit)
					if err != nil {
						return err
					}
					got, err := tx.CasesFor(v.User.ID, v.User.OrgID, limit)
					if err != nil {
						return err
					}
					sameList(t, fmt.Sprintf("%s's cases (limit %d)", v.User.Name, limit), want, got)
					want, err = tx.OldEscalatedCases(v.User.ID, v.User.OrgID, limit)
					if err != nil {
						return err
					}
					got, err = tx.EscalatedCases(v.User.ID, v.User.OrgID, limit)
					if err != nil {
						return err
					}
					sameList(t, fmt.Sprintf("%s's escalated cases (limit %d)", v.User.Name, limit), want, got)
					for _, q := range queries {
						want, err := tx.SearchOracle(v.User.ID, v.User.OrgID, q)
						if err != nil {
							return err
						}
						got, err := tx.SearchCases(v.User.ID, v.User.OrgID, q, limit)
						if err != nil {
							return err
						}
						sameList(t, fmt.Sprintf("%s's search for %q (limit %d)", v.User.Name, q, limit), want[:min(limit, len(want))], got)
					}
					return nil
				})
			}
		}
	})
}

// searchQueries are names, prefixes, several words, references and parts
// of one, and words nothing matches.
func (w *listWorld) searchQueries(t *testing.T) []string {
	t.Helper()
	ref := ""
	if err := w.db.SQL().QueryRowContext(w.ctx, `SELECT reference FROM cases WHERE reference IS NOT NULL ORDER BY reference LIMIT 1`).Scan(&ref); err != nil {
		t.Fatal(err)
	}
	return []string{"amira", "ami", "AMIRA example", "example", "exa", "o'brien", "obrien", "smith", "example-smith", "chloe", "chloé",
		"kid1", "kid", "cs-", "cs", "2026", ref, ref[len(ref)-4:], "amira " + ref[len(ref)-3:], ref[len(ref)-3:] + " amira", "c", "-", "%", "_", "zzz",
		"amelia exampleton", "ex am pl e s a", "example amira kid0", "smith-example"}
}

// Search, paged: following the Next links from the first page lists what
// its definition gives, each case once and in order, and the Previous
// links from each page give the page before it again.
func TestSearchPagedBothWaysListsWhatItsDefinitionGives(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newListWorld(t, db, 40)
		for _, v := range w.viewers() {
			for _, q := range w.searchQueries(t) {
				var want []store.CaseSummary
				w.view(t, func(tx *store.Tx) (err error) { want, err = tx.SearchOracle(v.User.ID, v.User.OrgID, q); return err })
				list := func(tx *store.Tx, at *store.Cursor) (casePage, error) {
					return asPage(tx.SearchPage(v.User.ID, v.User.OrgID, q, at, 3))
				}
				seen, pages := pageThrough(t, w, list, nil)
				what := fmt.Sprintf("%s's search for %q, page by page", v.User.Name, q)
				sameList(t, what, want, seen)
				if pages[0].Prev != nil {
					t.Errorf("%s: the first page has a Previous link", what)
				}
				for i := len(pages) - 1; i > 0; i-- {
					if pages[i].Prev == nil {
						t.Fatalf("%s: page %d has no Previous link", what, i)
					}
					var back casePage
					w.view(t, func(tx *store.Tx) (err error) { back, err = list(tx, pages[i].Prev); return err })
					sameList(t, fmt.Sprintf("%s, back to page %d", what, i-1), pages[i-1].Cases, back.Cases)
					if back.Next == nil || (i-1 > 0) != (back.Prev != nil) {
						t.Errorf("%s, back to page %d: links %+v", what, i-1, back.Page)
					}
				}
			}
		}
	})
}

func sameList(t *testing.T, what string, want, got []store.CaseSummary) {
	t.Helper()
	if len(want) == 0 && len(got) == 0 {
		return // nil or empty: no list tells them apart
	}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("%s: listed %v, want %v", what, summaryIDs(got), summaryIDs(want))
	}
}

func summaryIDs(list []store.CaseSummary) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.ID
	}
	return out
}

// casePage is one page of a case list and the cursors either side.
type casePage struct {
	Cases []store.CaseSummary
	store.Page
}

func asPage(cases []store.CaseSummary, p store.Page, err error) (casePage, error) {
	return casePage{Cases: cases, Page: p}, err
}

// pageThrough follows the Next cursors of a list from its first page,
// changing cases between pages with between (given the page number).
func pageThrough(t *testing.T, w *listWorld, list func(tx *store.Tx, at *store.Cursor) (casePage, error), between func(page int)) (seen []store.CaseSummary, pages []casePage) {
	t.Helper()
	var at *store.Cursor
	for page := 0; page < 200; page++ {
		var p casePage
		w.view(t, func(tx *store.Tx) (err error) { p, err = list(tx, at); return err })
		seen = append(seen, p.Cases...)
		pages = append(pages, p)
		if p.Next == nil {
			return seen, pages
		}
		// Through its text, as a link carries it.
		c, err := store.ParseCursor("cursor", p.Next.String())
		if err != nil || !reflect.DeepEqual(c, *p.Next) {
			t.Fatalf("cursor %+v read back as %+v, %v", *p.Next, c, err)
		}
		at = &c
		if between != nil {
			between(page)
		}
	}
	t.Fatal("the pages never ended")
	return nil, nil
}

// Keyset pages: every case is listed once and in order, even when cases
// are updated or raised between one page and the next, and the Previous
// links give the same pages back.
func TestPagingThroughACaseListListsEveryCaseOnceInOrderWhileCasesChange(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newListWorld(t, db, 23)
		// Two cases updated at the same instant: the id breaks the tie.
		w.exec(t, `UPDATE cases SET updated_at = (SELECT updated_at FROM cases WHERE id = $1) WHERE id = $2`, w.ids[5], w.ids[6])
		w.exec(t, `UPDATE case_viewers SET updated_at = (SELECT updated_at FROM cases WHERE id = $1) WHERE case_id = $2`, w.ids[5], w.ids[6])
		v := w.p.CSWorker
		var all []store.CaseSummary
		w.view(t, func(tx *store.Tx) (err error) { all, err = tx.OldCasesFor(v.User.ID, v.User.OrgID, 500); return err })
		changed := map[string]bool{}
		seen, pages := pageThrough(t, w, func(tx *store.Tx, at *store.Cursor) (casePage, error) {
			return asPage(tx.CasesPage(v.User.ID, v.User.OrgID, at, 4))
		}, func(page int) {
			// A case further down the list is updated (it moves to the
			// top, which this walk has passed) and a new one is raised.
			id := w.ids[page]
			w.clock.Advance(time.Minute)
			if _, err := w.svc.RecordContact(w.ctx, w.p.CSWorker, id, w.versionOf(t, id), "phone", "Again"); err != nil {
				if err := w.svc.RecordOutcome(w.ctx, w.p.CSWorker, id, w.versionOf(t, id), "strategy-discussion", "Strategy discussion tomorrow"); err != nil {
					w.exec(t, `UPDATE cases SET updated_at = $2 WHERE id = $1`, id, w.clock.Now())
					w.exec(t, `UPDATE case_viewers SET updated_at = $2 WHERE case_id = $1`, id, w.clock.Now())
				}
			}
			changed[id] = true
			if _, err := w.svc.RaiseConcern(w.ctx, w.p.Teacher, storetest.ValidConcern(w.clock.Now())); err != nil {
				t.Fatal(err)
			}
		})
		count := map[string]int{}
		for i, c := range seen {
			count[c.ID]++
			if count[c.ID] > 1 {
				t.Fatalf("case %s listed twice", c.ID)
			}
			if i > 0 && (c.UpdatedAt.After(seen[i-1].UpdatedAt) || c.UpdatedAt.Equal(seen[i-1].UpdatedAt) && c.ID > seen[i-1].ID) {
				t.Fatalf("listed out of order at %d: %v then %v", i, seen[i-1].UpdatedAt, c.UpdatedAt)
			}
		}
		for _, c := range all {
			if !changed[c.ID] && count[c.ID] != 1 {
				t.Errorf("case %s, unchanged, listed %d times", c.ID, count[c.ID])
			}
		}
		// Back from the last page: the Previous links give the pages before.
		for i := len(pages) - 1; i > 0; i-- {
			if pages[i].Prev == nil {
				t.Fatalf("page %d has no Previous link", i)
			}
			var back casePage
			w.view(t, func(tx *store.Tx) (err error) {
				back, err = asPage(tx.CasesPage(v.User.ID, v.User.OrgID, pages[i].Prev, 4))
				return err
			})
			if back.Next == nil || len(back.Cases) == 0 || back.Cases[len(back.Cases)-1].UpdatedAt.Before(pages[i].Cases[0].UpdatedAt) {
				t.Fatalf("the page before page %d: %v (next %v)", i, summaryIDs(back.Cases), back.Next)
			}
		}
		if pages[0].Prev != nil {
			t.Fatal("the first page has a Previous link")
		}
	})
}

func (w *listWorld) versionOf(t *testing.T, id string) int {
	t.Helper()
	var n int
	if err := w.db.SQL().QueryRowContext(w.ctx, `SELECT version FROM cases WHERE id = $1`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// §6.5: a case the viewer may not know (here, one a forged member row and
// list row claim for them) is on no page of any list, however it is paged.
func TestACaseTheViewerMayNotKnowIsOnNoPageOfAnyList(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newListWorld(t, db, 12)
		v := w.p.Colleague
		w.exec(t, `UPDATE case_viewers SET escalated_since = updated_at WHERE case_id = $1`, w.forged)
		w.exec(t, `UPDATE cases SET open_escalations = 1 WHERE id = $1`, w.forged)
		lists := map[string]func(tx *store.Tx, at *store.Cursor) (casePage, error){
			"cases": func(tx *store.Tx, at *store.Cursor) (casePage, error) {
				return asPage(tx.CasesPage(v.User.ID, v.User.OrgID, at, 1))
			},
			"escalations": func(tx *store.Tx, at *store.Cursor) (casePage, error) {
				return asPage(tx.EscalatedPage(v.User.ID, v.User.OrgID, at, 1))
			},
			"search by name": func(tx *store.Tx, at *store.Cursor) (casePage, error) {
				return asPage(tx.SearchPage(v.User.ID, v.User.OrgID, "amira", at, 1))
			},
			"search by reference": func(tx *store.Tx, at *store.Cursor) (casePage, error) {
				return asPage(tx.SearchPage(v.User.ID, v.User.OrgID, "cs", at, 1))
			},
		}
		for name, list := range lists {
			seen, _ := pageThrough(t, w, list, nil)
			for _, c := range seen {
				if c.ID == w.forged {
					t.Fatalf("%s: the forged case is listed", name)
				}
				if c.ID != "" && !slices.Contains(w.ids, c.ID) {
					t.Fatalf("%s: an unknown case %s", name, c.ID)
				}
			}
		}
		// Nor does a cursor made up to point at it reveal anything.
		var p casePage
		w.view(t, func(tx *store.Tx) (err error) {
			p, err = asPage(tx.CasesPage(v.User.ID, v.User.OrgID, &store.Cursor{At: w.clock.Now().Add(time.Hour), ID: w.forged}, 100))
			return err
		})
		for _, c := range p.Cases {
			if c.ID == w.forged {
				t.Fatal("a made-up cursor listed the forged case")
			}
		}
	})
}

// A cursor that Waymark did not make is a clear error naming the field.
func TestABadCursorIsAnInvalidInputErrorNotAFailure(t *testing.T) {
	good := store.Cursor{At: storetest.Start, ID: "case-1"}.String()
	for _, bad := range []string{"x", "!!!", good[:10], "YXxub3QtYS10aW1lfGlk", "enx8aWQ", string(make([]byte, 400))} {
		_, err := store.ParseCursor("cursor", bad)
		if waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("cursor %q: %v, want EINVALID", bad, err)
		}
		if fe := waymark.ErrorFields(err); len(fe) != 1 || fe[0].Field != "cursor" {
			t.Errorf("cursor %q: fields %+v", bad, fe)
		}
	}
}

// A count cursor (the network's, ordered by how many cases have each
// entity, two or more) carries any whole count a page can end on and an
// id, and nothing else: a count below two, negative, fractional or absurd,
// or a time, lane, item or backward way, is a clear error naming the
// field; the other lists' cursors still refuse any part but 0 or 1.
func TestACountCursorCarriesAWholeCountAndNothingElse(t *testing.T) {
	for _, n := range []int{2, 3, 40, 1 << 30} {
		c := store.Cursor{Part: n, ID: "9f86d081884c7d659a2feaa0c55ad015"}
		got, err := store.ParseCountCursor("cursor", c.String())
		if err != nil || got.Part != n || got.ID != c.ID {
			t.Errorf("count %d: %+v, %v", n, got, err)
		}
	}
	if _, err := store.ParseCursor("cursor", store.Cursor{Part: 2, ID: "x"}.String()); waymark.ErrorCode(err) != waymark.EINVALID {
		t.Errorf("a list cursor with part 2: %v, want EINVALID", err)
	}
	made := func(fields string) string { return base64.RawURLEncoding.EncodeToString([]byte(`[` + fields + `]`)) }
	const zero = `"0001-01-01T00:00:00Z"`
	if c, err := store.ParseCountCursor("cursor", made(`7,0,`+zero+`,`+zero+`,"abc","","a"`)); err != nil || c.Part != 7 {
		t.Fatalf("a count cursor made by hand with count 7: %+v, %v", c, err)
	}
	for _, fields := range []string{
		`0,0,` + zero + `,` + zero + `,"abc","","a"`, `1,0,` + zero + `,` + zero + `,"abc","","a"`, // a list cursor's part
		`-1,0,` + zero + `,` + zero + `,"abc","","a"`, `2.5,0,` + zero + `,` + zero + `,"abc","","a"`,
		`1073741825,0,` + zero + `,` + zero + `,"abc","","a"`, `1e300,0,` + zero + `,` + zero + `,"abc","","a"`,
		`2,1,` + zero + `,` + zero + `,"abc","","a"`,           // a lane
		`2,0,` + zero + `,` + zero + `,"abc","","b"`,           // backwards
		`2,0,` + zero + `,` + zero + `,"abc","x","a"`,          // an item
		`2,0,"2026-01-01T00:00:00Z",` + zero + `,"abc","","a"`, // a time
	} {
		_, err := store.ParseCountCursor("cursor", made(fields))
		if fe := waymark.ErrorFields(err); waymark.ErrorCode(err) != waymark.EINVALID || len(fe) != 1 || fe[0].Field != "cursor" {
			t.Errorf("count cursor [%s]: %v, want EINVALID naming cursor", fields, err)
		}
	}
}

// The plans on SQLite (whose planner does not depend on the number of
// rows until ANALYZE is run): every page walks case_viewers by the viewer's
// index, or a search the viewer's entries of a word in search_viewer_tokens,
// and never scans cases or the viewer's members.
func TestEveryListPageIsAnIndexWalkOnSQLite(t *testing.T) {
	db := storetest.SQLite(t)
	w := newListWorld(t, db, 6)
	v := w.p.CSWorker
	var plans []string
	stop := store.WatchListQueries(func(q string, args []any) {
		rows, err := db.SQL().QueryContext(w.ctx, `EXPLAIN QUERY PLAN `+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		plans = append(plans, strings.Join(plan, "\n"))
	})
	defer stop()
	at := &store.Cursor{At: w.clock.Now(), ID: w.ids[3]}
	w.view(t, func(tx *store.Tx) error {
		for _, c := range []*store.Cursor{nil, at, {At: at.At, ID: at.ID, Before: true}} {
			if _, _, err := tx.CasesPage(v.User.ID, v.User.OrgID, c, 10); err != nil {
				return err
			}
			if _, _, err := tx.EscalatedPage(v.User.ID, v.User.OrgID, c, 10); err != nil {
				return err
			}
			for _, q := range []string{"amira", "amira example", "example-smith", "cs-2026", "amira 2026"} {
				if _, _, err := tx.SearchPage(v.User.ID, v.User.OrgID, q, c, 10); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if len(plans) < 18 {
		t.Fatalf("%d plans", len(plans))
	}
	for _, plan := range plans {
		t.Log(plan)
		for _, line := range strings.Split(plan, "\n") {
			// p, w3 and w4 are a page's own few rows, u the two walks'
			// together. A walk goes in order and stops at the page: it is
			// never read whole into a list of its own (SCAN v, SCAN e) to
			// be sorted.
			if strings.HasPrefix(line, "SCAN ") && line != "SCAN p" && line != "SCAN u" && line != "SCAN w3" && line != "SCAN w4" {
				t.Errorf("a list page scans a table:\n%s", plan)
			}
		}
		if !strings.Contains(plan, "case_viewers_walk") && !strings.Contains(plan, "case_viewers_escalated") && !strings.Contains(plan, "SEARCH e USING PRIMARY KEY (viewer=? AND token_hash=?") {
			t.Errorf("a list page walks no list index:\n%s", plan)
		}
	}
}

// A person's alerts come a page at a time, newest first, each once, the
// id breaking ties between alerts made at the same instant; nobody else's
// alert is on any page.
func TestAlertsArePagedNewestFirstEachOnce(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := storetest.NewClock(storetest.Start)
		p := storetest.NewPartnership(t, db, clock)
		var want []string
		err := db.Update(ctx, func(tx *store.Tx) error {
			for i := range 11 {
				for _, to := range []string{p.Manager.User.ID, p.CSWorker.User.ID} {
					id := fmt.Sprintf("alert-%02d-%s", i, to)
					if err := tx.InsertAlert(store.Alert{ID: id, Kind: store.AlertMachineClientRevoked, RecipientUserID: to, CreatedAt: storetest.Start.Add(time.Duration(i/2) * time.Minute)}); err != nil {
						return err
					}
					if to == p.Manager.User.ID {
						want = append(want, id)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Reverse(want) // newest first; the higher id first at the same instant
		var got []string
		var at *store.Cursor
		var pages []store.Page
		for range 10 {
			var list []store.Alert
			var page store.Page
			if err := db.Update(ctx, func(tx *store.Tx) (err error) { list, page, err = tx.AlertsPage(p.Manager.User.ID, at, 3); return err }); err != nil {
				t.Fatal(err)
			}
			for _, a := range list {
				got = append(got, a.ID)
			}
			pages = append(pages, page)
			if page.Next == nil {
				break
			}
			at = page.Next
		}
		if !slices.Equal(got, want) {
			t.Fatalf("paged alerts %v, want %v", got, want)
		}
		var back []store.Alert
		if err := db.Update(ctx, func(tx *store.Tx) (err error) {
			back, _, err = tx.AlertsPage(p.Manager.User.ID, pages[1].Prev, 3)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(back) != 3 || back[0].ID != want[0] || back[2].ID != want[2] {
			t.Fatalf("the page before the second: %v", back)
		}
	})
}

// A page looks up the case and next deadline of its own rows only. The
// viewer's own walk and their organisation's each read a page and one;
// when a person's own cases are not their organisation's newest (a
// social worker whose cases are older than their team's latest), the
// two together hold more rows than that,
// and the merge keeps only the first page and one before anything is
// looked up.
func TestAPageLooksUpOnlyItsOwnRowsWhenTheViewersTwoWalksDiffer(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newListWorld(t, db, 24)
		v := w.p.SocialWorker
		const limit = 3
		// The social worker is assigned the oldest cases; then the team's
		// newest are raised, which are not theirs.
		for _, id := range w.ids[:2*(limit+1)] {
			view, err := w.svc.Case(w.ctx, w.p.CSWorker, id)
			if err != nil {
				t.Fatal(err)
			}
			w.clock.Advance(time.Minute)
			if err := w.svc.Act(w.ctx, w.p.CSWorker, id, view.Case.Version, pathway.AssignWorker{WorkerEmail: "social.worker@cs.example"}); err != nil {
				t.Fatalf("assigning case %s: %v", id, err)
			}
		}
		for i := range limit + 1 {
			w.clock.Advance(time.Minute)
			c := storetest.ValidConcern(w.clock.Now())
			c.Child.Aliases = []string{"Kid1"}
			if _, err := w.svc.RaiseConcern(w.ctx, w.p.Teacher, c); err != nil {
				t.Fatalf("raising new case %d: %v", i, err)
			}
		}
		var either int // the rows of the two walks together, as the old page joined them all
		err := db.SQL().QueryRowContext(w.ctx, `SELECT COUNT(*) FROM (
			SELECT * FROM (SELECT case_id, updated_at FROM case_viewers WHERE viewer = $1 ORDER BY updated_at DESC, case_id DESC LIMIT $3) AS a
			UNION SELECT * FROM (SELECT case_id, updated_at FROM case_viewers WHERE viewer = $2 ORDER BY updated_at DESC, case_id DESC LIMIT $3) AS b) AS u`,
			"p:"+v.User.ID, "o:"+v.User.OrgID, limit+1).Scan(&either)
		if err != nil {
			t.Fatal(err)
		}
		if either <= limit+1 {
			t.Fatalf("the worker's newest cases are their team's: the two walks hold %d rows together, so this world tests nothing", either)
		}
		var looked []int
		stop := store.WatchListQueries(func(q string, args []any) {
			rows, err := db.SQL().QueryContext(w.ctx, q, args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				n++
			}
			looked = append(looked, n)
		})
		defer stop()
		var cases, found []store.CaseSummary
		w.view(t, func(tx *store.Tx) error {
			var err error
			if cases, _, err = tx.CasesPage(v.User.ID, v.User.OrgID, nil, limit); err != nil {
				return err
			}
			found, _, err = tx.SearchPage(v.User.ID, v.User.OrgID, "kid1", nil, limit)
			return err
		})
		if len(cases) != limit || len(found) == 0 {
			t.Fatalf("%d cases and %d found, want a full page of cases and some found", len(cases), len(found))
		}
		// And they are the right rows: the first of what each list's
		// definition gives.
		var wantCases, wantFound []store.CaseSummary
		w.view(t, func(tx *store.Tx) error {
			var err error
			if wantCases, err = tx.OldCasesFor(v.User.ID, v.User.OrgID, limit); err != nil {
				return err
			}
			wantFound, err = tx.SearchOracle(v.User.ID, v.User.OrgID, "kid1")
			return err
		})
		ids := func(cs []store.CaseSummary) []string {
			out := make([]string, len(cs))
			for i, c := range cs {
				out[i] = c.ID
			}
			return out
		}
		if got, want := ids(cases), ids(wantCases); !slices.Equal(got, want) {
			t.Errorf("the case list's first page is %v, want %v", got, want)
		}
		if len(wantFound) > limit {
			wantFound = wantFound[:limit]
		}
		if got, want := ids(found), ids(wantFound); !slices.Equal(got, want) {
			t.Errorf("the search's first page is %v, want %v", got, want)
		}
		if len(looked) < 2 || looked[0] != limit+1 {
			t.Fatalf("the pages looked up %v rows, want %d for the case list (the two walks hold %d)", looked, limit+1, either)
		}
		for _, n := range looked {
			if n > limit+1 {
				t.Errorf("a page looked up %d rows, more than a page and one (%d)", n, limit+1)
			}
		}
	})
}

// A case_viewers row, or a search entry, whose case is gone (only a hand on
// the file makes one; verify reports it) takes no place on a page: paging
// two at a time past it still lists every case the viewer may know, and
// the escalations and a search likewise, rather than ending the list a
// page early.
func TestARowOfTheListsWhoseCaseIsGoneDoesNotEndTheListEarly(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newListWorld(t, db, 24)
		v := w.p.CSWorker // every case, through the organisation's rows
		walk := func(list func(tx *store.Tx, at *store.Cursor) ([]store.CaseSummary, store.Page, error)) []string {
			var ids []string
			var at *store.Cursor
			for range 50 {
				var cs []store.CaseSummary
				var p store.Page
				w.view(t, func(tx *store.Tx) error {
					var err error
					cs, p, err = list(tx, at)
					return err
				})
				for _, c := range cs {
					ids = append(ids, c.ID)
				}
				if p.Next == nil {
					return ids
				}
				at = p.Next
			}
			t.Fatal("the walk did not end")
			return nil
		}
		lists := []struct {
			name string
			list func(tx *store.Tx, at *store.Cursor) ([]store.CaseSummary, store.Page, error)
		}{
			{"the case list", func(tx *store.Tx, at *store.Cursor) ([]store.CaseSummary, store.Page, error) {
				return tx.CasesPage(v.User.ID, v.User.OrgID, at, 2)
			}},
			{"the escalations", func(tx *store.Tx, at *store.Cursor) ([]store.CaseSummary, store.Page, error) {
				return tx.EscalatedPage(v.User.ID, v.User.OrgID, at, 2)
			}},
			{"a search by name", func(tx *store.Tx, at *store.Cursor) ([]store.CaseSummary, store.Page, error) {
				return tx.SearchPage(v.User.ID, v.User.OrgID, "kid1", at, 2)
			}},
			{"a search by two names", func(tx *store.Tx, at *store.Cursor) ([]store.CaseSummary, store.Page, error) {
				return tx.SearchPage(v.User.ID, v.User.OrgID, "kid1 exam", at, 2)
			}},
		}
		before := make([][]string, len(lists))
		for i, l := range lists {
			if before[i] = walk(l.list); len(before[i]) < 3 {
				t.Fatalf("%s lists %d cases to Children's Services: too few to page", l.name, len(before[i]))
			}
		}
		// Newest of all, escalated earliest and raised last, so that each
		// heads its walk: a list row and the search entries of a case
		// that has every name searched for.
		later := w.clock.Now().Add(time.Hour).UTC()
		w.exec(t, `INSERT INTO case_viewers(case_id, viewer, updated_at, escalated_since) VALUES ($1, $2, $3, $4)`,
			"gone-case", "o:"+v.User.OrgID, later, storetest.Start.Add(-time.Hour).UTC())
		w.exec(t, `INSERT INTO search_viewer_tokens(viewer, token_hash, raised_at, case_id)
			SELECT viewer, token_hash, $2, 'gone-case' FROM search_viewer_tokens WHERE case_id = $1`, before[3][0], later)
		for i, l := range lists {
			if got := walk(l.list); !slices.Equal(got, before[i]) {
				t.Errorf("%s with a row whose case is gone: %v, want %v", l.name, got, before[i])
			}
		}
	})
}
