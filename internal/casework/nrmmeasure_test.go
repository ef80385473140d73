package casework_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/catalog"
	"waymark/internal/demo"
	"waymark/internal/nrm"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// demoTarget is issue 12's target for each demo case that has reached the
// NRM stage: at least 70 % of the inputs on its route valid and correct,
// counted without the inputs its story leaves blank. Each case is held to
// it.
const demoTarget = 70

// atNRMStage: a meeting agreed to refer the child, or the referral is made
// (§8.5, §8.7).
func atNRMStage(c pathway.Case) bool {
	_, submit, _ := c.Meetings.NRMDecision()
	return submit || c.NRM.Submission != nil
}

func slug(name string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(name), " ", "-"))
}

// The honest count of the demo partnership's referrals: each demo case that
// has reached the NRM stage, opened by the police First Responder who is to
// submit it, counted input by input on its route against answers written
// from its story (testdata/nrm-demo/<child>.json, from internal/demo's
// stories). The figure goes to docs/performance.md; run with -v to see it.
func TestDemoReferralsAreCountedAgainstAnswersWrittenFromTheirStories(t *testing.T) {
	db := storetest.SQLite(t)
	clock := storetest.NewClock(time.Date(2026, 3, 11, 10, 0, 0, 0, time.UTC))
	svc := storetest.Service(t, db, clock)
	ctx := context.Background()
	if err := demo.Seed(ctx, svc, clock.Now); err != nil {
		t.Fatal(err)
	}
	var police casework.Viewer
	var cases []pathway.Case
	err := db.View(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByEmail("first.responder@eastshire-police.example")
		if err != nil {
			return err
		}
		police = casework.Viewer{User: u}
		ids, err := tx.CaseIDs()
		if err != nil {
			return err
		}
		for _, id := range ids {
			c, _, err := tx.LoadCase(id)
			if err != nil {
				return err
			}
			if atNRMStage(c) {
				cases = append(cases, c)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 3 {
		t.Fatalf("%d demo cases at the NRM stage, want the three the demo takes there", len(cases))
	}
	lists := catalog.MustLoad().HOLists
	var good, total, goodA, totalA int
	var below []string
	var all []nrm.Measurement
	for _, c := range cases {
		name := c.Concern.Child.FullName()
		data, err := os.ReadFile(filepath.Join("testdata", "nrm-demo", slug(name)+".json"))
		if err != nil {
			t.Errorf("%s (%s, born %s) has reached the NRM stage and needs expected answers written from its story: %v",
				name, c.Reference(), c.Concern.Child.DateOfBirth, err)
			continue
		}
		want, err := nrm.ParseExpected(data, lists)
		if err != nil {
			t.Fatal(err)
		}
		view, err := svc.NRMDraft(ctx, police, c.ID, nrm.Referral, "honest count")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		m := nrm.Measure(view.Draft, want, lists, clock.Now())
		all = append(all, m)
		g, n := m.All()
		ga, na := m.Answerable()
		good, total, goodA, totalA = good+g, total+n, goodA+ga, totalA+na
		var b strings.Builder
		fmt.Fprintf(&b, "%s, %s (%s): %d of %d inputs valid and correct (%d%%); without the %d expected blank: %d of %d (%d%%)\n",
			view.Draft.CaseReference, name, m.Where, g, n, nrm.Percent(g, n), n-na, ga, na, nrm.Percent(ga, na))
		for _, j := range m.Missed() {
			p := j.Proposed
			if len(p) > 60 {
				p = p[:60] + "…"
			}
			fmt.Fprintf(&b, "    %-62s %s; proposed %q; expected %s\n", j.Input.Key, j.Why, p, j.Expected)
		}
		t.Log(b.String())
		if pc := nrm.Percent(ga, na); pc < demoTarget {
			below = append(below, fmt.Sprintf("%s %d%%", name, pc))
		}
	}
	t.Logf("demo cases at the NRM stage: %d of %d inputs valid and correct (%d%%); without the expected blanks %d of %d (%d%%)",
		good, total, nrm.Percent(good, total), goodA, totalA, nrm.Percent(goodA, totalA))
	t.Log(nrm.MissedAcross(all))
	if len(below) > 0 {
		t.Errorf("below issue 12's target of %d%% valid and correct (without expected blanks): %s", demoTarget, strings.Join(below, ", "))
	}
}
