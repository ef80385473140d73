package casework_test

import (
	"context"
	"testing"
	"time"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

func TestMissingChildIsListedFirstInTheInboxAndFlaggedEverywhere(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := storetest.NewClock(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
		svc := storetest.Service(t, db, clock)
		p := storetest.NewPartnership(t, db, clock)
		first, err := svc.RaiseConcern(ctx, p.Teacher, storetest.ValidConcern(clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		second, err := svc.RaiseConcern(ctx, p.Teacher, storetest.ValidConcern(clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		err = svc.Act(ctx, p.SocialWorker, second, 1, pathway.ReportMissing{StartedAt: clock.Now().Add(-time.Hour), Circumstances: "Not back from school", PoliceInformed: true})
		if err != nil {
			t.Fatal(err)
		}
		inbox, _, err := svc.InboxPage(ctx, p.CSWorker, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(inbox) != 2 || inbox[0].ID != second || !inbox[0].Missing || inbox[1].ID != first {
			t.Fatalf("inbox %+v: want the missing child first and flagged", inbox)
		}
		view, err := svc.Case(ctx, p.Teacher, second)
		if err != nil {
			t.Fatal(err)
		}
		if len(view.Warnings) == 0 || view.Warnings[0].Kind != "missing" {
			t.Fatalf("the referrer's view warns %+v, want the missing warning first", view.Warnings)
		}
	})
}

func TestOverdueDeadlinesReachTheTeamAndTheirManagerButNotOutsiders(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := storetest.NewClock(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
		svc := storetest.Service(t, db, clock)
		p := storetest.NewPartnership(t, db, clock)
		id, err := svc.RaiseConcern(ctx, p.Teacher, storetest.ValidConcern(clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(25 * time.Hour) // the 24-hour notify clock has run out (§8.5)
		for _, v := range []struct {
			name string
			n    int
			who  func() (int, error)
		}{
			{"front door", 1, func() (int, error) { return svc.OverdueCount(ctx, p.CSWorker) }},
			{"manager", 1, func() (int, error) { return svc.OverdueCount(ctx, p.Manager) }},
			{"police", 0, func() (int, error) { return svc.OverdueCount(ctx, p.PoliceLead) }},
			{"GP", 0, func() (int, error) { return svc.OverdueCount(ctx, p.GPDoctor) }},
		} {
			n, err := v.who()
			if err != nil || n != v.n {
				t.Errorf("%s: overdue %d (%v), want %d", v.name, n, err, v.n)
			}
		}
		work, _, err := svc.MyWorkPage(ctx, p.Manager, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(work) != 1 || work[0].CaseID != id || !work[0].DueAt.Before(clock.Now()) {
			t.Fatalf("manager's work %+v", work)
		}
		if work, _, _ := svc.MyWorkPage(ctx, p.GPDoctor, nil); len(work) != 0 {
			t.Fatalf("a GP outside the case sees its deadlines: %+v", work)
		}
	})
}

func TestCorrectingTheChildsNameKeepsTheOriginalAndUpdatesSearch(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := storetest.NewClock(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
		svc := storetest.Service(t, db, clock)
		p := storetest.NewPartnership(t, db, clock)
		id, err := svc.RaiseConcern(ctx, p.Teacher, storetest.ValidConcern(clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		err = svc.Act(ctx, p.CSWorker, id, 1, pathway.CorrectChildDetails{GivenNames: "Zainab", FamilyName: "Quartermaine", Reason: "Told us her real name"})
		if err != nil {
			t.Fatal(err)
		}
		found, _, err := svc.SearchPage(ctx, p.CSWorker, "quartermaine", nil)
		if err != nil || len(found) != 1 || found[0].ID != id {
			t.Fatalf("search after correction: %+v %v", found, err)
		}
		view, err := svc.Case(ctx, p.CSWorker, id)
		if err != nil {
			t.Fatal(err)
		}
		first := view.Events[0].Data.(pathway.ConcernRaised)
		if first.Concern.Child.GivenNames == "Zainab" {
			t.Fatal("the correction rewrote the concern as first recorded")
		}
	})
}
