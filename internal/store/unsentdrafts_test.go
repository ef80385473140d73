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
// people never sent (§4.3), oldest first, page by page. It walks its own
// partnership's unsent drafts by last save (migration 0044): the drafts
// another partnership leaves unreviewed are never read, and the plan reads
// neither every unsent draft nor the walk of every partnership's drafts it
// replaced, and sorts nothing.
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

		// Southshire's drafts filed under Northshire behind Waymark's back,
		// or a Southshire writer moved into Northshire's school (their
		// sealed row says otherwise): Northshire's review leaves those
		// drafts out and reads on past them, so every page is full and no
		// later draft is lost.
		behindWaymarksBack(t, db, `UPDATE concern_drafts SET partnership_id = 'default' WHERE user_id = '`+south[0]+`'`)
		behindWaymarksBack(t, db, `UPDATE users SET org_id = 'org-school-default' WHERE id = '`+south[1]+`'`)
		behindWaymarksBack(t, db, `UPDATE concern_drafts SET partnership_id = 'default' WHERE user_id = '`+south[1]+`'`)
		for _, limit := range []int{1, 2, 5} {
			if got := reviewDrafts(t, db, "default", cutoff, now, limit); !slices.Equal(got, wantNorth) {
				t.Errorf("Northshire's review, pages of %d, with Southshire's drafts filed under it behind Waymark's back: %q, want %q", limit, got, wantNorth)
			}
		}

		analyze(t, db, "concern_drafts", "users", "organisations", "retention_decisions")
		if seen == "" {
			t.Fatal("the review's query was not seen")
		}
		plan := queryPlan(t, db, `SET LOCAL enable_seqscan = off`, seen, cutoff, now, 26, time.Time{}, "", "south")
		planWalks(t, plan, "concern_drafts_unsent_walk_by_partnership", []string{"SCAN d"}, "Seq Scan on concern_drafts", "concern_drafts_unsent_walk ", "USE TEMP B-TREE", "Sort")
	})
}

// BenchmarkUnsentDraftsDuePage times the first page of one partnership's
// unsent drafts due for review: among 10 or 150 partnerships whose people
// have each left 40 drafts unreviewed, interleaved in time (the time should
// not grow with the number of partnerships), and in one partnership whose
// four people have left 20,000, or whose 1,000 people have left 20 each
// (nor with its own drafts).
//
//	go test ./internal/store -run '^$' -bench UnsentDraftsDuePage -benchtime 2000x
func BenchmarkUnsentDraftsDuePage(b *testing.B) {
	for _, c := range []struct {
		name                          string
		partnerships, writers, drafts int
	}{{"partnerships=10", 10, 4, 40}, {"partnerships=150", 150, 4, 40}, {"one-partnership-20000-drafts", 1, 4, 20000},
		{"one-partnership-1000-writers-20000-drafts", 1, 1000, 20000}} {
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
						writers := addPartnershipWithWriters(b, db, id, c.writers, now)
						if err := db.Update(ctx, func(tx *store.Tx) error {
							for i := range c.drafts {
								if err := saveDraft(tx, fmt.Sprintf("draft-%s-%05d", id, i), writers[i%c.writers], longAgo.Add(time.Duration(i*c.partnerships+p)*time.Second)); err != nil {
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

// reviewIDs is the first page of a partnership's unsent drafts due.
func reviewIDs(t *testing.T, db *store.DB, partnership string, now time.Time) []string {
	t.Helper()
	return reviewDrafts(t, db, partnership, now.AddDate(0, 0, -30), now, 25)
}

// A draft is filed under its writer's partnership, and goes where they go
// (§4.3): when their organisation moves to another partnership, or their
// identity provider puts them in an organisation of another, the drafts
// they never sent leave the old partnership's retention review for the
// new one's. Verify names a draft filed anywhere else, and rebuild files
// every draft again.
func TestADraftGoesWithItsWriterToAnotherPartnershipsReview(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := storetest.Start
		north := addPartnershipWithWriters(t, db, "default", 1, now)
		south := addPartnershipWithWriters(t, db, "south", 1, now)
		if _, err := db.SealIdentityAsFound(ctx, now); err != nil {
			t.Fatal(err)
		}
		update := func(fn func(tx *store.Tx) error) {
			t.Helper()
			if err := db.Update(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		update(func(tx *store.Tx) error { return saveDraft(tx, "draft-n", north[0], now.AddDate(-1, 0, 0)) })
		update(func(tx *store.Tx) error { return saveDraft(tx, "draft-s", south[0], now.AddDate(-1, 0, 0)) })
		verifyNames(t, db)
		check := func(when string, wantNorth, wantSouth []string) {
			t.Helper()
			if got := reviewIDs(t, db, "default", now); !slices.Equal(got, wantNorth) {
				t.Errorf("%s: Northshire's review %q, want %q", when, got, wantNorth)
			}
			if got := reviewIDs(t, db, "south", now); !slices.Equal(got, wantSouth) {
				t.Errorf("%s: Southshire's review %q, want %q", when, got, wantSouth)
			}
			if _, err := db.Verify(ctx, store.VerifyOptions{ReadModels: true}); err != nil {
				t.Errorf("%s: verify: %v", when, err)
			}
		}
		check("saved", []string{"draft-n"}, []string{"draft-s"})

		update(func(tx *store.Tx) error { return tx.SetOrganisationPartnership("org-school-default", "south") })
		check("Northshire's school moved to Southshire", nil, []string{"draft-n", "draft-s"})
		update(func(tx *store.Tx) error { return tx.SetOrganisationPartnership("org-school-default", "default") })
		check("and back", []string{"draft-n"}, []string{"draft-s"})

		update(func(tx *store.Tx) error {
			return tx.SetUserAccess(south[0], "org-school-default", "practitioner", "Writer moved")
		})
		check("Southshire's writer put in Northshire's school", []string{"draft-n", "draft-s"}, nil)

		// Filed elsewhere behind Waymark's back: verify names it; no
		// review lists it where it does not belong; rebuild puts it back.
		behindWaymarksBack(t, db, `UPDATE concern_drafts SET partnership_id = 'south' WHERE id = 'draft-n'`)
		if _, err := db.Verify(ctx, store.VerifyOptions{ReadModels: true}); err == nil || !strings.Contains(err.Error(), "concern draft draft-n") {
			t.Errorf("verify of a draft filed elsewhere: %v", err)
		}
		if got := reviewIDs(t, db, "south", now); len(got) != 0 {
			t.Errorf("Southshire's review lists Northshire's drafts filed under it: %q", got)
		}
		update(func(tx *store.Tx) error { return tx.RefileDrafts() })
		check("rebuilt", []string{"draft-n", "draft-s"}, nil)
	})
}

// Upgrading files each draft under its writer's organisation's
// partnership as it is then (migration 0044).
func TestUpgradingFilesEachDraftUnderItsWritersPartnership(t *testing.T) {
	forEachStoreAtWithTwoPartnerships(t, "0043", func(t *testing.T, o oldRelease) {
		for _, u := range []struct{ id, org string }{{"u-north", "org-north-cs"}, {"u-south", "org-south-cs"}} {
			o.exec(`INSERT INTO users(id, org_id, email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $1, 'social-worker', 'x', $4)`, u.id, u.org, u.id+"@cs.example", o.now)
		}
		o.exec(`INSERT INTO concern_drafts(id, user_id, data, version, created_at, updated_at) VALUES
			('d-north', 'u-north', 'x', 1, $1, $1), ('d-south', 'u-south', 'x', 1, $1, $1)`, o.now)
		o.upgrade()
		rows, err := o.db.SQL().QueryContext(o.ctx, `SELECT id, partnership_id FROM concern_drafts ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var id, p string
			if err := rows.Scan(&id, &p); err != nil {
				t.Fatal(err)
			}
			got = append(got, id+" "+p)
		}
		if want := []string{"d-north default", "d-south south"}; !slices.Equal(got, want) {
			t.Errorf("drafts filed as %q, want %q", got, want)
		}
	})
}
