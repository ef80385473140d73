package nrm_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"waymark/internal/nrm"
)

// goldenTarget is issue 12's target for the golden cases: at least 80 % of
// the inputs on their routes answered valid and correct, counted without
// the inputs their stories leave blank (§8.7, §8.8).
const goldenTarget = 80

// goldenFloor is the least each golden case is held to on its own: the
// target itself, which every case now reaches (the figure per case is
// logged).
const goldenFloor = 80

func loadExpected(t testing.TB, path string) nrm.Expected {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	e, err := nrm.ParseExpected(data, cat.HOLists)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return e
}

// measureGolden assembles the golden case's referral as its drafter would
// see it and counts it against the expected answers.
func measureGolden(t testing.TB, gc goldenCase) nrm.Measurement {
	t.Helper()
	want := loadExpected(t, filepath.Join("testdata", "golden", gc.name+".json"))
	d := nrm.AssembleWith(nrm.Referral, gc.build(t), cat, gc.now, gc.ctx())
	return nrm.Measure(d, want, cat.HOLists, gc.now)
}

// Report is the count of one case as the tests print it.
func report(m nrm.Measurement) string {
	g, n := m.All()
	ga, na := m.Answerable()
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %d of %d inputs on the route valid and correct (%d%%); without the %d expected blank: %d of %d (%d%%)\n",
		m.Case, m.Where, g, n, nrm.Percent(g, n), n-na, ga, na, nrm.Percent(ga, na))
	for _, j := range m.Missed() {
		p := j.Proposed
		if len(p) > 70 {
			p = p[:70] + "…"
		}
		fmt.Fprintf(&b, "    %-62s %s; proposed %q; expected %s\n", j.Input.Key, j.Why, p, j.Expected)
	}
	return b.String()
}

// The golden cases are counted input by input against answers written from
// their stories, and the figure is printed per case (go test -v). Issue 12
// sets the target at 80 % valid and correct for each.
func TestGoldenCasesAreCountedAgainstAnswersWrittenFromTheirStories(t *testing.T) {
	var good, total, goodA, totalA int
	var below []string
	var all []nrm.Measurement
	for _, gc := range goldenCases {
		m := measureGolden(t, gc)
		all = append(all, m)
		t.Log(report(m))
		g, n := m.All()
		ga, na := m.Answerable()
		good, total, goodA, totalA = good+g, total+n, goodA+ga, totalA+na
		if pc := nrm.Percent(ga, na); pc < goldenTarget {
			below = append(below, fmt.Sprintf("%s %d%%", m.Case, pc))
			if pc < goldenFloor {
				t.Errorf("%s: %d%% valid and correct without the expected blanks, below the floor of %d%%", m.Case, pc, goldenFloor)
			}
		}
	}
	t.Logf("golden cases: %d of %d inputs valid and correct (%d%%); without the expected blanks %d of %d (%d%%)",
		good, total, nrm.Percent(good, total), goodA, totalA, nrm.Percent(goodA, totalA))
	t.Log(nrm.MissedAcross(all))
	if pc := nrm.Percent(goodA, totalA); pc < goldenTarget {
		t.Errorf("the golden cases are %d%% valid and correct without the expected blanks, below issue 12's target of %d%%", pc, goldenTarget)
	}
	if len(below) > 0 {
		t.Logf("cases below the %d%% target on their own (without expected blanks): %s", goldenTarget, strings.Join(below, ", "))
	}
}

// Every question every route asks has an expected answer written for it,
// so nothing is counted right by default; only follow-ups and the optional
// inputs may be left out, meaning blank.
func TestGoldenAnswersAnswerEveryQuestionOnTheRoute(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	if err != nil || len(files) < 5 {
		t.Fatalf("want at least five golden cases (the two §5.2 studies and three more), have %d: %v", len(files), err)
	}
	for _, f := range files {
		e := loadExpected(t, f)
		for _, in := range nrm.RouteFor(e.Answers[nrm.WhereKey].Exact) {
			if _, ok := e.Answers[in.Key]; !ok && in.Required && !in.FollowUp() && in.Type != "checkbox" {
				t.Errorf("%s: no expected answer for %s", f, in.Key)
			}
			// A follow-up is answered only when its parent's answer leads to it.
			if a := e.Answers[in.Key]; in.FollowUp() && !a.Blank() && e.Answers[in.Parent].Exact != in.ParentIs {
				t.Errorf("%s: %s is answered, but %s is not %q", f, in.Key, in.Parent, in.ParentIs)
			}
		}
	}
}
