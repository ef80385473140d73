package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// searchFixture is a partnership with children of the same name raised by
// different organisations.
type searchFixture struct {
	ctx   context.Context
	db    *store.DB
	clock *storetest.Clock
	svc   *casework.Service
	p     storetest.Partnership
}

func newSearchFixture(t *testing.T, db *store.DB) *searchFixture {
	t.Helper()
	f := &searchFixture{ctx: context.Background(), db: db, clock: storetest.NewClock(storetest.Start)}
	f.svc = storetest.Service(t, db, f.clock)
	f.p = storetest.NewPartnership(t, db, f.clock)
	return f
}

func (f *searchFixture) raise(t *testing.T, by casework.Viewer, given, family string, aliases ...string) string {
	t.Helper()
	f.clock.Advance(time.Minute)
	c := storetest.ValidConcern(f.clock.Now())
	c.Child.GivenNames, c.Child.FamilyName, c.Child.Aliases = given, family, aliases
	id, err := f.svc.RaiseConcern(f.ctx, by, c)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// found is what v's search for q lists, every page of it.
func (f *searchFixture) found(t *testing.T, v casework.Viewer, q string) []string {
	t.Helper()
	var out []string
	var at *store.Cursor
	for range 100 {
		var cases []store.CaseSummary
		var page store.Page
		if err := f.db.View(f.ctx, func(tx *store.Tx) (err error) {
			cases, page, err = tx.SearchPage(v.User.ID, v.User.OrgID, q, at, 2)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		out = append(out, summaryIDs(cases)...)
		if page.Next == nil {
			return out
		}
		at = page.Next
	}
	t.Fatal("the pages never ended")
	return nil
}

func (f *searchFixture) wantFound(t *testing.T, v casework.Viewer, q string, want ...string) {
	t.Helper()
	if got := f.found(t, v, q); !slices.Equal(got, want) && (len(got) > 0 || len(want) > 0) {
		t.Errorf("%s's search for %q lists %v, want %v", v.User.Name, q, got, want)
	}
}

// viewerTokens is every search_viewer_tokens row, one line each, in order.
func (f *searchFixture) viewerTokens(t *testing.T) []string {
	t.Helper()
	rows, err := f.db.SQL().QueryContext(f.ctx, `SELECT viewer, token_hash, raised_at, case_id FROM search_viewer_tokens ORDER BY viewer, token_hash, case_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var viewer, hash, id string
		var at time.Time
		if err := rows.Scan(&viewer, &hash, &at, &id); err != nil {
			t.Fatal(err)
		}
		out = append(out, viewer+" "+hash+" "+at.UTC().Format(time.RFC3339Nano)+" "+id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *searchFixture) verify(t *testing.T) error {
	t.Helper()
	_, err := f.db.Verify(f.ctx, store.VerifyOptions{ReadModels: true})
	return err
}

// §6.5: search lists only cases the viewer may know. A child of the same
// name raised by another organisation is not found by the referrer of the
// first; Children's Services, a member of both, finds both, newest raised
// first; a colleague of the referrer finds neither.
func TestSearchFindsACaseOnlyForThoseWhoMayKnowIt(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		f := newSearchFixture(t, db)
		school := f.raise(t, f.p.Teacher, "Amira", "Example")
		gp := f.raise(t, f.p.GPDoctor, "Amira", "Example")
		other := f.raise(t, f.p.GPDoctor, "Bilal", "Sample")
		f.wantFound(t, f.p.Teacher, "amira", school)
		f.wantFound(t, f.p.Teacher, "ami exa", school)
		f.wantFound(t, f.p.GPDoctor, "amira", gp)
		f.wantFound(t, f.p.CSWorker, "amira", gp, school)
		f.wantFound(t, f.p.CSWorker, "example amira", gp, school)
		f.wantFound(t, f.p.CSWorker, "sample", other)
		f.wantFound(t, f.p.Colleague, "amira")
		f.wantFound(t, f.p.PoliceLead, "amira")
		if err := f.verify(t); err != nil {
			t.Fatal(err)
		}
	})
}

// A corrected name or alias (§6.3: ChildDetailsCorrected) is what search
// finds from the moment it is recorded: the old name no longer finds the
// case, the new one and its prefixes do, and the rows are what verify
// derives from the case's events.
func TestACorrectedNameIsWhatSearchFindsAtOnce(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		f := newSearchFixture(t, db)
		id := f.raise(t, f.p.Teacher, "Amira", "Example", "Mimi")
		f.wantFound(t, f.p.Teacher, "mimi", id)
		var version int
		if err := db.SQL().QueryRowContext(f.ctx, `SELECT version FROM cases WHERE id = $1`, id).Scan(&version); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Minute)
		if err := f.svc.Act(f.ctx, f.p.CSWorker, id, version, pathway.CorrectChildDetails{GivenNames: "Marisol", FamilyName: "Example", Aliases: []string{"Sol"}, Reason: "Told us her real name"}); err != nil {
			t.Fatal(err)
		}
		for _, v := range []casework.Viewer{f.p.Teacher, f.p.CSWorker} {
			f.wantFound(t, v, "amira")
			f.wantFound(t, v, "mimi")
			f.wantFound(t, v, "marisol", id)
			f.wantFound(t, v, "mar exa", id)
			f.wantFound(t, v, "sol", id)
		}
		if err := f.verify(t); err != nil {
			t.Fatal(err)
		}
	})
}

// An erased case (§9) is found by nobody: its search entries go with its
// search tokens, in the same transaction.
func TestAnErasedCaseIsFoundByNobody(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		f := newSearchFixture(t, db)
		erased := f.raise(t, f.p.Teacher, "Amira", "Example")
		kept := f.raise(t, f.p.Teacher, "Amira", "Sample")
		if err := db.Update(f.ctx, func(tx *store.Tx) error {
			return tx.EraseCase(store.Erasure{CaseID: erased, At: f.clock.Now(), By: f.p.Manager.User.ID, Reason: "Raised about the wrong child", LegalBasis: "Article 17(1)(d)"})
		}); err != nil {
			t.Fatal(err)
		}
		f.wantFound(t, f.p.Teacher, "amira", kept)
		f.wantFound(t, f.p.CSWorker, "amira", kept)
		f.wantFound(t, f.p.CSWorker, "example")
		if n := count(t, db, `SELECT COUNT(*) FROM search_viewer_tokens WHERE case_id = $1`, erased); n != 0 {
			t.Fatalf("the erased case keeps %d search entries", n)
		}
		if err := f.verify(t); err != nil {
			t.Fatal(err)
		}
	})
}

// `waymark verify` compares search_viewer_tokens with the case_viewers and
// search_tokens rows it is made of: a row deleted (the case hidden from a
// member's search), inserted (search pointed at a case its viewer is not
// in) or moved in time is named with its case; `waymark rebuild` writes
// exactly the rows the write path wrote.
func TestVerifyNamesAnAlteredSearchEntryAndRebuildWritesTheSameRows(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		f := newSearchFixture(t, db)
		target := f.raise(t, f.p.Teacher, "Amira", "Example-Smith", "Kid")
		f.raise(t, f.p.GPDoctor, "Bilal", "Sample")
		if _, err := f.svc.RecordContact(f.ctx, f.p.CSWorker, target, 1, "phone", "Called back"); err != nil {
			t.Fatal(err)
		}
		want := f.viewerTokens(t)
		if len(want) == 0 {
			t.Fatal("no search entries")
		}
		if err := f.verify(t); err != nil {
			t.Fatalf("the fixture does not verify: %v", err)
		}
		colleague := "p:" + f.p.Colleague.User.ID
		tampers := []struct{ name, sql string }{
			{"a member's row deleted", `DELETE FROM search_viewer_tokens WHERE case_id = $1 AND viewer = (SELECT MIN(viewer) FROM case_viewers WHERE case_id = $1)`},
			{"a row forged for a colleague outside the case", `INSERT INTO search_viewer_tokens(viewer, token_hash, raised_at, case_id)
				SELECT '` + colleague + `', token_hash, raised_at, case_id FROM search_viewer_tokens WHERE case_id = $1 AND viewer = 'p:` + f.p.Teacher.User.ID + `'`},
			{"a row moved in time", `UPDATE search_viewer_tokens SET raised_at = (SELECT updated_at FROM cases WHERE id = $1) WHERE case_id = $1`},
			{"every row deleted", `DELETE FROM search_viewer_tokens WHERE case_id = $1`},
		}
		for _, tc := range tampers {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := db.SQL().ExecContext(f.ctx, tc.sql, target); err != nil {
					t.Fatal(err)
				}
				var te *store.TamperError
				if err := f.verify(t); !errors.As(err, &te) || !strings.Contains(te.Reason, "search_viewer_tokens") || te.CaseID != target {
					t.Fatalf("verify says %v, want the search_viewer_tokens rows of %s named", err, target)
				}
				if _, err := f.svc.RebuildReadModels(f.ctx); err != nil {
					t.Fatal(err)
				}
				if got := f.viewerTokens(t); !slices.Equal(got, want) {
					t.Fatalf("after a rebuild:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				if err := f.verify(t); err != nil {
					t.Fatalf("after a rebuild: %v", err)
				}
			})
		}
	})
}

// Migration 0023 fills search_viewer_tokens from the case_viewers and
// search_tokens rows already there: exactly the rows the write path
// writes, so search finds every case as before the upgrade.
func TestMigration0023FillsSearchByViewerAsTheWritePathDoes(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		f := newSearchFixture(t, db)
		id := f.raise(t, f.p.Teacher, "Amira", "Example-Smith", "Kid")
		f.raise(t, f.p.GPDoctor, "Bilal", "Sample")
		if _, err := f.svc.RecordContact(f.ctx, f.p.CSWorker, id, 1, "phone", "Called back"); err != nil {
			t.Fatal(err)
		}
		want := f.viewerTokens(t)
		// The database as it was at 0022.
		for _, q := range []string{`DROP TABLE search_viewer_tokens`, `CREATE INDEX search_tokens_hash ON search_tokens(token_hash, case_id)`,
			`DELETE FROM schema_migrations WHERE version = '0023_search_viewer_tokens'`} {
			if _, err := db.SQL().ExecContext(f.ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := db.Migrate(f.ctx); err != nil {
			t.Fatal(err)
		}
		if got := f.viewerTokens(t); !slices.Equal(got, want) {
			t.Fatalf("after the migration:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		f.wantFound(t, f.p.CSWorker, "smith", id)
		if err := f.verify(t); err != nil {
			t.Fatal(err)
		}
	})
}
