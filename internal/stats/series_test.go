package stats_test

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"waymark/internal/stats"
)

// Differencing (docs/statistics.md, "Periods"): the year so far is
// published at the end of each quarter, so an attacker holds every cut of a
// year at once and knows that a count never falls as the year goes on.

// seriesView is everything the cuts of one year publish, to one attacker:
// each cut's page, with its figures named by cut, and for every figure
// published in two consecutive cuts the fact that the later is the earlier
// plus something not negative.
func seriesView(raws []stats.Raw, reps []stats.Report) *attack {
	all := &attack{known: map[string]int64{}, unknown: map[string]bool{}, least: map[string]bool{}, most: map[string]int64{}}
	name := func(i int, k string) string { return strconv.Itoa(i) + ":" + k }
	for i := range raws {
		a := view(raws[i], reps[i])
		for k, v := range a.known {
			all.known[name(i, k)] = v
		}
		for k := range a.unknown {
			all.unknown[name(i, k)] = true
		}
		for k := range a.least {
			all.least[name(i, k)] = true
		}
		for k, m := range a.most {
			all.most[name(i, k)] = m
		}
		for _, s := range a.sums {
			var parts, whole []string
			for _, k := range s[0] {
				parts = append(parts, name(i, k))
			}
			for _, k := range s[1] {
				whole = append(whole, name(i, k))
			}
			all.sums = append(all.sums, [2][]string{parts, whole})
		}
		// What each figure grew by since every earlier cut: over one
		// quarter these are the relations an attacker uses; over more they
		// follow from those, and are named only to check that a small one
		// is never worked out.
		for j := range i {
			for k := range raws[i].Values {
				if _, ok := raws[j].Values[k]; !ok {
					continue
				}
				if raws[j].Closed[k] {
					// A quarter that had ended is counted again the same:
					// the attacker may take it as equal.
					all.sums = append(all.sums, [2][]string{{name(j, k)}, {name(i, k)}})
					continue
				}
				grew := "grew:" + strconv.Itoa(j) + ":" + name(i, k)
				all.unknown[grew] = true
				all.sums = append(all.sums, [2][]string{{name(j, k), grew}, {name(i, k)}})
			}
		}
	}
	return all
}

// rise is the true growth a "grew:j:i:key" quantity stands for.
func rise(raws []stats.Raw, grew string) int {
	rest := grew[len("grew:"):]
	c := 0
	for rest[c] != ':' {
		c++
	}
	j, _ := strconv.Atoi(rest[:c])
	later := rest[c+1:]
	c = 0
	for later[c] != ':' {
		c++
	}
	i, _ := strconv.Atoi(later[:c])
	k := later[c+1:]
	return raws[i].Values[k] - raws[j].Values[k]
}

// yearCuts counts one random partnership's 2025 at the end of each quarter.
func yearCuts(rng *rand.Rand, n int) []stats.Raw {
	cs, es := randomRows(rng, n)
	o := options()
	year, _ := stats.ParsePeriod("2025")
	var raws []stats.Raw
	for _, c := range stats.Cuts(year, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)) {
		o.Period = c
		raws = append(raws, stats.Tally(cs, es, o))
	}
	return raws
}

func truth(raws []stats.Raw, k string) int {
	for i := range raws {
		p := strconv.Itoa(i) + ":"
		if len(k) > len(p) && k[:len(p)] == p {
			return raws[i].Values[k[len(p):]]
		}
	}
	return -1
}

func TestNoSuppressedCellCanBeWorkedOutFromTheYearsQuarterlyCuts(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 2026))
	suppressed, trials := 0, 25
	if testing.Short() {
		trials = 1
	}
	for trial := range trials {
		raws := yearCuts(rng, 5+rng.IntN(150))
		if len(raws) != 4 {
			t.Fatalf("a year that has ended has %d cuts, want 4", len(raws))
		}
		threshold := 3 + rng.IntN(8)
		var reps []stats.Report
		for i := range raws {
			reps = append(reps, stats.PublishSeries(raws[:i+1], stats.Config{Threshold: threshold}))
		}
		a := seriesView(raws, reps)
		suppressed += len(a.unknown)
		for k, v := range a.recover() {
			if strings.HasPrefix(k, "grew:") {
				// What a figure grew by between two cuts: a small rise is a
				// small count of children, and must not be worked out.
				if r := rise(raws, k); r > 0 && r < threshold {
					t.Errorf("trial %d (threshold %d): from the four cuts the attacker worked out %s = %d (true %d)", trial, threshold, k, v, r)
				}
				continue
			}
			t.Errorf("trial %d (threshold %d): from the four cuts the attacker worked out %s = %d (true %d)", trial, threshold, k, v, truth(raws, k))
		}
	}
	if suppressed == 0 {
		t.Fatal("no trial suppressed anything")
	}
}

func TestCutsProtectedOneByOneGiveCountsAwayByDifferencing(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 2026))
	recovered, trials := 0, 25
	if testing.Short() {
		trials = 6
	}
	for range trials {
		raws := yearCuts(rng, 5+rng.IntN(150))
		var reps []stats.Report
		for _, r := range raws {
			reps = append(reps, stats.Publish(r, stats.Config{Threshold: 5}))
		}
		for k, v := range seriesView(raws, reps).recover() {
			if strings.HasPrefix(k, "grew:") {
				continue
			}
			if int64(truth(raws, k)) != v {
				t.Fatalf("the attacker is unsound: it worked out %s = %d, but it is %d", k, v, truth(raws, k))
			}
			recovered++
		}
	}
	if recovered == 0 {
		t.Fatal("protecting each cut on its own let the attacker recover nothing: the series test could not fail")
	}
	t.Logf("%d held-back counts recovered by differencing cuts protected one by one", recovered)
}

func TestAYearInProgressIsCountedToItsLastCompleteQuarter(t *testing.T) {
	fy, _ := stats.ParsePeriod("2026-27")
	uk := fy.From.Location()
	if cuts := stats.Cuts(fy, time.Date(2026, 6, 30, 23, 0, 0, 0, uk)); len(cuts) != 0 {
		t.Fatalf("before its first quarter ends, %d cuts", len(cuts))
	}
	cuts := stats.Cuts(fy, time.Date(2026, 12, 3, 9, 0, 0, 0, uk))
	if len(cuts) != 2 {
		t.Fatalf("on 3 December, %d cuts, want 2 (to June, to September)", len(cuts))
	}
	last := cuts[1]
	if !last.To.Equal(time.Date(2026, 10, 1, 0, 0, 0, 0, uk)) || last.Label != "April 2026 to March 2027, April to September 2026 (the year so far)" {
		t.Errorf("the year so far: %v %q", last.To, last.Label)
	}
	if got := stats.YearSlug(stats.YearFinancial, time.Date(2027, 2, 1, 0, 0, 0, 0, uk)); got != "2026-27" {
		t.Errorf("the financial year of February 2027: %s", got)
	}
}

// A share in a later cut, set against the same share in an earlier one,
// gives how many of the decisions in between were in time: 5 of 10 to
// March and 7 of 20 to June say that 2 of April to June's 10 were (found
// by the hostile review). The later share is held back.
func TestAShareIsHeldBackWhenWhatWasAddedToItIsASmallCount(t *testing.T) {
	share := func(num, den int) stats.Raw {
		return stats.Raw{Values: map[string]int{}, Rates: []stats.RawRate{{Table: "timeliness", Row: "Reasonable Grounds decisions within 5 working days",
			Kind: stats.Percent, Num: num, Den: den, F: 100 * float64(num) / float64(den)}}}
	}
	shown := func(r stats.Report) stats.Value {
		for _, tb := range r.Tables {
			if tb.ID == "timeliness" {
				return tb.Cells[0][0]
			}
		}
		t.Fatal("no timeliness table")
		return stats.Value{}
	}
	if v := shown(stats.PublishSeries([]stats.Raw{share(5, 10)}, stats.Config{Threshold: 5})); v.Suppressed {
		t.Fatalf("5 of 10 on its own is held back")
	}
	if v := shown(stats.PublishSeries([]stats.Raw{share(5, 10), share(7, 20)}, stats.Config{Threshold: 5})); !v.Suppressed {
		t.Errorf("7 of 20 after 5 of 10 is shown as %v%%: 2 of the 10 decisions in between were in time", v.F)
	}
	if v := shown(stats.PublishSeries([]stats.Raw{share(5, 10), share(10, 20)}, stats.Config{Threshold: 5})); v.Suppressed {
		t.Errorf("10 of 20 after 5 of 10 (5 in time and 5 not in between) is held back")
	}
}

// The comparison with the national figures shows the partnership's share
// of children referred for each type out of every concern raised: the type
// table has no total of its own, as a child can be counted under two types
// (found by the hostile review, where every share was held back).
func TestTheNationalComparisonShowsThePartnershipsShare(t *testing.T) {
	cs, es := randomRows(rand.New(rand.NewPCG(7, 1000)), 1000)
	rep := stats.Publish(stats.Tally(cs, es, options()), stats.Config{Threshold: 5})
	n, err := stats.NationalFigures()
	if err != nil {
		t.Fatal(err)
	}
	cmp, ok := stats.ComparisonTable(rep, n)
	if !ok || len(cmp.Cells) == 0 {
		t.Fatalf("no comparison: %+v", cmp)
	}
	if v := cmp.Cells[0][0]; v.Suppressed || v.F <= 0 || v.F >= 100 {
		t.Errorf("the partnership's share of %s is %+v, want a share of 1,000 children", cmp.Rows[0], v)
	}
}
