package casework_test

import (
	"testing"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §6.5: the team's hidden work neither shows to a referrer nor makes their
// version stale (pathway.History). A save that loses the race to append to
// the case against such hidden work is tried again, so the referrer is not
// told "someone else saved this case at the same time" — which would tell
// them the team had just written. A write they can see still conflicts.
func TestAReferrersSaveRacingAHiddenTeamWriteIsNotRefused(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		if db.Dialect != store.Postgres {
			t.Skip("SQLite takes its write lock when a write begins, so two saves to a case never interleave")
		}
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)

		// The team's write lands after the referrer's save has read the
		// case and decided, before it appends: the race, made certain.
		race := func(team func()) {
			fired := false
			casework.SetBeforeAppend(p.svc, func() {
				if !fired {
					fired = true
					team()
				}
			})
		}
		race(func() {
			if err := p.svc.Act(p.ctx, p.CSWorker, id, p.version(id), pathway.AddNote{Text: "Police visited the address."}); err != nil {
				t.Fatal(err)
			}
		})
		before := p.version(id)
		if err := p.svc.Act(p.ctx, p.Teacher, id, p.versionFor(p.Teacher, id), pathway.AddNote{Text: "She was absent today."}); err != nil {
			t.Fatalf("the referrer's note, racing a hidden team note: %v", err)
		}
		if after := p.version(id); after != before+2 {
			t.Fatalf("version %d → %d, want both notes saved", before, after)
		}

		// A write the referrer can see (the outcome) makes their version stale.
		race(func() {
			if err := p.svc.RecordOutcome(p.ctx, p.CSWorker, id, p.version(id), "assessment", "Assessment this week"); err != nil {
				t.Fatal(err)
			}
		})
		err := p.svc.Act(p.ctx, p.Teacher, id, p.versionFor(p.Teacher, id), pathway.AddNote{Text: "Back at school."})
		wantCode(t, err, waymark.ECONFLICT)
	})
}
