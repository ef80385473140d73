package stats

import (
	"math"
	"slices"
	"strconv"
	"time"
)

// Periods and differencing (docs/statistics.md, "Periods").
//
// A page protected on its own can still give a child away by differencing:
// the year so far seen in June and again in September differ by exactly the
// children counted in between, and a calendar year and a financial year
// overlap by nine months. So a partnership publishes by one kind of year
// (its reporting year, a dated setting), never by quarters or by the other
// kind of year, and a year still in progress is counted only to the end of
// its last complete quarter: it changes four times a year, not every day.
// Those cumulative cuts of one year (to the end of the first quarter, the
// second, the third and the whole year) are the only periods that overlap,
// and disclosure control treats them as one system: each cut is published
// under suppression that also defends the cuts published before it, whose
// own suppression is taken as already public.

// Reporting years.
const (
	YearCalendar  = "calendar"  // January to December, as the Home Office's end-of-year summaries
	YearFinancial = "financial" // April to March, as most partnerships' annual reports
)

// YearKind is the kind of year a parsed period is: YearCalendar or
// YearFinancial.
func (p Period) YearKind() string {
	if p.From.Month() == time.April {
		return YearFinancial
	}
	return YearCalendar
}

// YearSlug is the period form of the reporting year of kind that holds
// day: "2025" or "2025-26".
func YearSlug(kind string, day time.Time) string {
	y := day.Year()
	if kind != YearFinancial {
		return strconv.Itoa(y)
	}
	if day.Month() < time.April {
		y--
	}
	return strconv.Itoa(y) + "-" + twoDigits((y+1)%100)
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// Cuts are the cumulative periods year p is published as on now: from the
// year's start to the end of each of its quarters that has ended, in order.
// The last is what is published now (the whole year once it has ended);
// none means no quarter of it has ended yet.
func Cuts(p Period, now time.Time) []Period {
	now = now.In(p.From.Location())
	var out []Period
	for q := 1; q <= 4; q++ {
		to := p.From.AddDate(0, 3*q, 0)
		if to.After(now) || to.After(p.To) {
			break
		}
		c := Period{From: p.From, To: to, Label: p.Label, Slug: p.Slug}
		if q < 4 {
			c.Label = p.Label + ", " + p.From.Format("January") + " to " + to.AddDate(0, 0, -1).Format("January 2006") + " (the year so far)"
			c.Slug = p.Slug + "-to-" + to.AddDate(0, 0, -1).Format("2006-01")
		}
		out = append(out, c)
	}
	return out
}

// PublishSeries publishes the last of raws, the cumulative cuts of one
// year in order (Cuts), under disclosure control that also defends every
// earlier cut: the earlier cuts' suppression is what they would have been
// published with, and nothing the last one publishes, together with them
// and with counts never falling as the year goes on, pins a count any of
// them held back.
func PublishSeries(raws []Raw, c Config) Report {
	if len(raws) == 0 {
		return Report{}
	}
	t := c.Threshold
	if t <= 0 {
		t = DefaultThreshold
	}
	held := SuppressSeries(raws, t, c.PrimaryOnly)
	// A share set against the same share in an earlier cut gives what
	// was added to it in between: hold it back when that is a small count
	// (of decisions in time, or not).
	heldRates := map[string]bool{}
	last := raws[len(raws)-1]
	for _, rr := range last.Rates {
		if rr.Kind != Percent {
			continue
		}
		for _, earlier := range raws[:len(raws)-1] {
			for _, er := range earlier.Rates {
				if rateKey(er) != rateKey(rr) {
					continue
				}
				in, out := rr.Num-er.Num, (rr.Den-rr.Num)-(er.Den-er.Num)
				if (in > 0 && in < t) || (out > 0 && out < t) {
					heldRates[rateKey(rr)] = true
				}
			}
		}
	}
	return publishHeld(last, held, heldRates, c)
}

// seriesKey names key of cut i in the joint system of a series.
func seriesKey(i int, key string) string { return strconv.Itoa(i) + "\x1e" + key }

// SuppressSeries is the set of keys of the last of raws that disclosure
// control holds back, given that each earlier cut was published with its
// own SuppressSeries of the cuts before it.
func SuppressSeries(raws []Raw, threshold int, primaryOnly bool) map[string]bool {
	if threshold <= 0 {
		threshold = DefaultThreshold
	}
	if primaryOnly {
		return Suppress(raws[len(raws)-1], threshold, true)
	}
	// What each cut held back, as it was published: the first on its own,
	// each later one defending those before it.
	frozen := []map[string]bool{Suppress(raws[0], threshold, false)}
	for i := 1; i < len(raws); i++ {
		frozen = append(frozen, suppressCut(raws[:i+1], frozen, threshold))
	}
	return frozen[len(frozen)-1]
}

// suppressCut is what the last of raws holds back, given what each earlier
// cut held back (frozen).
func suppressCut(raws []Raw, frozen []map[string]bool, threshold int) map[string]bool {
	last := len(raws) - 1

	var eqs []equation
	vals := map[string]int{}
	held := map[string]bool{}
	smallRise := map[string]bool{}
	listed := map[string]bool{}
	most := map[string]int64{}
	for i, r := range raws {
		for k := range r.Listed {
			listed[seriesKey(i, k)] = true
		}
		for k, m := range smallAlone(r, threshold, seriesKey(i, "")) {
			most[k] = m
		}
		for _, e := range Equations(r) {
			pe := equation{coef: e.coef}
			for _, k := range e.keys {
				pe.keys = append(pe.keys, seriesKey(i, k))
			}
			eqs = append(eqs, pe)
		}
		for _, k := range published(r) {
			vals[seriesKey(i, k)] = r.Values[k]
		}
		if i < last {
			for k := range frozen[i] {
				held[seriesKey(i, k)] = true
			}
		}
	}
	// Counts never fall as the year goes on: a count in one cut is the same
	// count in the cut before it plus what was counted in between (a slack
	// no one sees). An attacker knows this, so the system does; and what
	// was counted in between is itself defended when it is small.
	for i := 1; i <= last; i++ {
		prev := published(raws[i-1])
		for _, k := range published(raws[i]) {
			if _, ok := slices.BinarySearch(prev, k); !ok {
				continue
			}
			if raws[i-1].Closed[k] && raws[i-1].Values[k] == raws[i].Values[k] {
				// A quarter that had ended: counted again, the same.
				eqs = append(eqs, equation{keys: []string{seriesKey(i, k), seriesKey(i-1, k)}, coef: []int64{1, -1}})
				continue
			}
			s := "slack\x1e" + seriesKey(i, k)
			held[s] = true
			// What a figure grew by in a quarter is a count of children
			// too: when it is small it must not be worked out either (5
			// children to the end of March and 8 to the end of June would
			// say that 3 were counted in between).
			if rise := raws[i].Values[k] - raws[i-1].Values[k]; rise > 0 && rise < threshold {
				smallRise[s] = true
			}
			eqs = append(eqs, equation{keys: []string{seriesKey(i, k), seriesKey(i-1, k), s}, coef: []int64{1, -1, -1}})
		}
	}
	// The same over two or three quarters (the year to September less the
	// year to March): these follow from the quarterly rises, so they tell
	// an attacker nothing new, but a small one must not be worked out
	// either, so it is named in the system as a quantity to defend.
	for i := 0; i <= last; i++ {
		for j := i + 2; j <= last; j++ {
			from := published(raws[i])
			for _, k := range published(raws[j]) {
				if _, ok := slices.BinarySearch(from, k); !ok {
					continue
				}
				if rise := raws[j].Values[k] - raws[i].Values[k]; rise > 0 && rise < threshold {
					s := "span\x1e" + strconv.Itoa(i) + "\x1e" + seriesKey(j, k)
					held[s], smallRise[s] = true, true
					eqs = append(eqs, equation{keys: []string{seriesKey(j, k), seriesKey(i, k), s}, coef: []int64{1, -1, -1}})
				}
			}
		}
	}

	for _, e := range eqs {
		for _, k := range e.keys {
			if isExtra(k) {
				held[k] = true
			}
		}
	}
	lastKeys := published(raws[last])
	// A quarter that had ended by the cut before is shown as it was there:
	// held back if it was held back, else the same number, already public.
	inherited := map[string]bool{}
	if last > 0 {
		for _, k := range lastKeys {
			if raws[last-1].Closed[k] {
				if v, ok := raws[last-1].Values[k]; ok && v == raws[last].Values[k] {
					inherited[seriesKey(last, k)] = true
					held[seriesKey(last, k)] = frozen[last-1][k]
				}
			}
		}
	}
	for _, k := range lastKeys {
		if v := raws[last].Values[k]; v > 0 && v < threshold && !inherited[seriesKey(last, k)] {
			held[seriesKey(last, k)] = true
		}
	}
	totals := map[string]bool{}
	for _, e := range Equations(raws[last]) {
		totals[seriesKey(last, e.keys[len(e.keys)-1])] = true
	}
	mayHold := func(k string) bool {
		return !held[k] && !isExtra(k) && !inherited[k] && len(k) > len(seriesKey(last, "")) && k[:len(seriesKey(last, ""))] == seriesKey(last, "")
	}
	score := func(k string) int {
		s := vals[k]
		if s == 0 {
			s += 1 << 40
		}
		if totals[k] {
			s += 1 << 20
		}
		return s
	}
	// Each pass that makes progress holds back at least one more of the
	// last cut's counts, so the loop ends within len(lastKeys)+1 passes:
	// with nothing pinned, or with every count of the last cut that may be
	// held already held (what is pinned then was public before this cut).
	for {
		var pinned []string
		for _, k := range Pinned(eqs, vals, held, listed, most) {
			if !isExtra(k) || smallRise[k] {
				pinned = append(pinned, k)
			}
		}
		if len(pinned) == 0 {
			break
		}
		// For each pinned count, hold back one more count of the last cut:
		// the cheapest in an equation with the pinned one, else in an
		// equation with a count that shares one with it (an earlier cut's
		// figure is pinned through the last cut's same figure), else the
		// cheapest the last cut still shows. Several at a time: each pass
		// solves the whole system again.
		progress := false
		for _, x := range pinned {
			best, bestScore := "", math.MaxInt
			consider := func(keys []string) {
				for _, k := range keys {
					if mayHold(k) && score(k) < bestScore {
						best, bestScore = k, score(k)
					}
				}
			}
			near := map[string]bool{x: true}
			for _, e := range eqs {
				if slices.Contains(e.keys, x) {
					consider(e.keys)
					for _, k := range e.keys {
						near[k] = true
					}
				}
			}
			if best == "" {
				for _, e := range eqs {
					for _, k := range e.keys {
						if near[k] {
							consider(e.keys)
							break
						}
					}
				}
			}
			if best == "" {
				for _, k := range lastKeys {
					consider([]string{seriesKey(last, k)})
				}
			}
			if best != "" {
				held[best], progress = true, true
			}
		}
		if !progress {
			break
		}
	}
	out := map[string]bool{}
	for _, k := range lastKeys {
		if held[seriesKey(last, k)] {
			out[k] = true
		}
	}
	return out
}
