package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// addPartnershipWithWriters adds partnership id with one school and writers
// people in it, and returns their user ids.
func addPartnershipWithWriters(t testing.TB, db *store.DB, id string, writers int, now time.Time) []string {
	t.Helper()
	var users []string
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		if id != "default" {
			if err := tx.InsertPartnership(store.Partnership{ID: id, Name: "Partnership " + id, Slug: id, CreatedAt: now}); err != nil {
				return err
			}
		}
		org := "org-school-" + id
		if err := tx.InsertOrganisation(store.Organisation{ID: org, Name: "School of " + id, Kind: "school", CreatedAt: now}); err != nil {
			return err
		}
		if err := tx.SetOrganisationPartnership(org, id); err != nil {
			return err
		}
		for i := range writers {
			u := fmt.Sprintf("user-%s-%d", id, i)
			if err := tx.InsertUser(store.User{ID: u, OrgID: org, Email: u + "@school.example", Name: "Writer " + u, Role: "practitioner", PasswordHash: "x", CreatedAt: now}); err != nil {
				return err
			}
			users = append(users, u)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return users
}

// saveDraft starts a draft by user, last saved at.
func saveDraft(tx *store.Tx, id, user string, at time.Time) error {
	return tx.InsertDraft(store.Draft{ID: id, UserID: user, Data: []byte(`{"child_name":"A child"}`), CreatedAt: at})
}

// reviewDrafts walks a partnership's review of unsent drafts forwards in
// pages of limit, then back from the last page by the Previous links, and
// returns the drafts of the forward walk, failing the test if the walk back
// does not list the same ones.
func reviewDrafts(t *testing.T, db *store.DB, partnership string, cutoff, now time.Time, limit int) []string {
	t.Helper()
	walk := func(at *store.Cursor, back bool) (pages [][]string, last *store.Cursor) {
		for range 100 {
			var ids []string
			var page store.Page
			if err := db.View(context.Background(), func(tx *store.Tx) error {
				due, pg, err := tx.UnsentDraftsDuePage(partnership, cutoff, now, at, limit)
				for _, d := range due {
					ids = append(ids, d.DraftID)
				}
				page = pg
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if len(ids) > limit {
				t.Fatalf("%s: a page of %d drafts, limit %d", partnership, len(ids), limit)
			}
			pages = append(pages, ids)
			next := page.Next
			if back {
				next = page.Prev
			}
			if next == nil {
				return pages, page.Prev
			}
			at = next
		}
		t.Fatalf("%s, pages of %d: the walk does not end", partnership, limit)
		return nil, nil
	}
	forwards, prev := walk(nil, false)
	var got []string
	for i, p := range forwards {
		if i < len(forwards)-1 && len(p) != limit {
			t.Errorf("%s, pages of %d: page %d has %d drafts before the last page", partnership, limit, i+1, len(p))
		}
		got = append(got, p...)
	}
	if prev != nil && len(forwards) > 1 {
		backwards, _ := walk(prev, true)
		var back []string
		for _, p := range slices.Backward(backwards) {
			back = append(back, p...)
		}
		if want := got[:len(got)-len(forwards[len(forwards)-1])]; !slices.Equal(back, want) {
			t.Errorf("%s, pages of %d, walked back from the last page: %q, want %q", partnership, limit, back, want)
		}
	}
	return got
}

// A partnership lead's retention review lists the concern drafts its own
// people never sent (§4.3), oldest first, page by page. It starts from the
// partnership's own organisations and people and walks each writer's unsent
// drafts by last save: the drafts another partnership leaves unreviewed
// are never read, and the plan reads neither every unsent draft nor the
// walk of every partnership's drafts it replaced (migration 0044).
func TestEachPartnershipsReviewReadsOnlyItsOwnPeoplesUnsentDrafts(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := storetest.Start
		longAgo := now.AddDate(-1, 0, 0)
		north := addPartnershipWithWriters(t, db, "default", 2, now)
		south := addPartnershipWithWriters(t, db, "south", 2, now)
		if _, err := db.SealIdentityAsFound(ctx, now); err != nil {
			t.Fatal(err)
		}
		var wantNorth, wantSouth []string
		err := db.Update(ctx, func(tx *store.Tx) error {
			for i := range 12 {
				// The two partnerships' drafts interleave in time, and
				// each partnership's two writers interleave too.
				at := longAgo.Add(time.Duration(i) * time.Hour)
				n, s := fmt.Sprintf("draft-n%02d", i), fmt.Sprintf("draft-s%02d", i)
				if err := saveDraft(tx, n, north[i%2], at); err != nil {
					return err
				}
				if err := saveDraft(tx, s, south[i%2], at); err != nil {
					return err
				}
				wantNorth, wantSouth = append(wantNorth, n), append(wantSouth, s)
			}
			// Two saved in the same instant: the id breaks the tie.
			if err := saveDraft(tx, "draft-n12", north[1], longAgo.Add(11*time.Hour)); err != nil {
				return err
			}
			wantNorth = append(wantNorth, "draft-n12")
			// Neither a sent draft nor a recent one is due.
			if err := saveDraft(tx, "draft-sent", north[0], longAgo); err != nil {
				return err
			}
			if err := tx.MarkDraftSubmitted("draft-sent", "case-1"); err != nil {
				return err
			}
			return saveDraft(tx, "draft-recent", north[0], now)
		})
		if err != nil {
			t.Fatal(err)
		}

		var seen string
		var mu sync.Mutex
		db.ObserveStatements(func(s string, _ int64) {
			mu.Lock()
			defer mu.Unlock()
			if strings.HasPrefix(strings.TrimSpace(s), "SELECT d.id, d.user_id") && strings.Contains(s, "'unsent-draft'") {
				seen = s
			}
		})
		cutoff := now.AddDate(0, 0, -30)
		for _, c := range []struct {
			partnership string
			want        []string
		}{{"default", wantNorth}, {"south", wantSouth}} {
			for _, limit := range []int{1, 5, 25} {
				if got := reviewDrafts(t, db, c.partnership, cutoff, now, limit); !slices.Equal(got, c.want) {
					t.Errorf("%s's review, pages of %d: %q, want %q", c.partnership, limit, got, c.want)
				}
			}
		}
		db.ObserveStatements(nil)

		// A writer of Southshire moved into Northshire's school behind
		// Waymark's back is in neither (their sealed row says otherwise):
		// Northshire's review leaves their drafts out and reads on past
		// them, so every page is full and no later draft is lost.
		behindWaymarksBack(t, db, `UPDATE users SET org_id = 'org-school-default' WHERE id = '`+south[1]+`'`)
		for _, limit := range []int{1, 2, 5} {
			if got := reviewDrafts(t, db, "default", cutoff, now, limit); !slices.Equal(got, wantNorth) {
				t.Errorf("Northshire's review, pages of %d, with a writer moved in behind Waymark's back: %q, want %q", limit, got, wantNorth)
			}
		}
		behindWaymarksBack(t, db, `UPDATE users SET org_id = 'org-school-south' WHERE id = '`+south[1]+`'`)

		analyze(t, db, "concern_drafts", "users", "organisations", "retention_decisions")
		if seen == "" {
			t.Fatal("the review's query was not seen")
		}
		plan := queryPlan(t, db, `SET LOCAL enable_seqscan = off`, seen, cutoff, now, 26, time.Time{}, "", "south")
		planWalks(t, plan, "concern_drafts_unsent_by_writer", []string{"SCAN d"}, "Seq Scan on concern_drafts", "concern_drafts_unsent_walk")
	})
}

// BenchmarkUnsentDraftsDuePage times the first page of one partnership's
// unsent drafts due for review: among 10 or 150 partnerships whose people
// have each left 40 drafts unreviewed, interleaved in time (the time should
// not grow with the number of partnerships), and in one partnership whose
// four people have left 20,000 (it should not grow with its own drafts
// either).
//
//	go test ./internal/store -run '^$' -bench UnsentDraftsDuePage -benchtime 2000x
func BenchmarkUnsentDraftsDuePage(b *testing.B) {
	for _, c := range []struct {
		name                 string
		partnerships, drafts int
	}{{"partnerships=10", 10, 40}, {"partnerships=150", 150, 40}, {"one-partnership-20000-drafts", 1, 20000}} {
		b.Run(c.name, func(b *testing.B) {
			for name, open := range map[string]func(testing.TB) *store.DB{"sqlite": storetest.SQLite, "postgres": storetest.Postgres} {
				b.Run(name, func(b *testing.B) {
					if name == "postgres" && !storetest.WantPostgres(b) {
						b.Skip("no PostgreSQL")
					}
					db := open(b)
					ctx := context.Background()
					now := storetest.Start
					longAgo := now.AddDate(-1, 0, 0)
					for p := range c.partnerships {
						id := fmt.Sprintf("p%03d", p)
						if p == 0 {
							id = "default"
						}
						writers := addPartnershipWithWriters(b, db, id, 4, now)
						if err := db.Update(ctx, func(tx *store.Tx) error {
							for i := range c.drafts {
								if err := saveDraft(tx, fmt.Sprintf("draft-%s-%05d", id, i), writers[i%4], longAgo.Add(time.Duration(i*c.partnerships+p)*time.Second)); err != nil {
									return err
								}
							}
							return nil
						}); err != nil {
							b.Fatal(err)
						}
					}
					if _, err := db.SealIdentityAsFound(ctx, now); err != nil {
						b.Fatal(err)
					}
					for _, table := range []string{"concern_drafts", "users", "organisations", "retention_decisions"} {
						if _, err := db.SQL().ExecContext(ctx, `ANALYZE `+table); err != nil {
							b.Fatal(err)
						}
					}
					cutoff := now.AddDate(0, 0, -30)
					b.ResetTimer()
					for range b.N {
						if err := db.View(ctx, func(tx *store.Tx) error {
							due, _, err := tx.UnsentDraftsDuePage("default", cutoff, now, nil, 25)
							if err == nil && len(due) != 25 {
								err = fmt.Errorf("a page of %d drafts, want 25", len(due))
							}
							return err
						}); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
