package casework

import (
	"reflect"
	"strconv"
	"testing"
	"time"

	"waymark/internal/stats"
)

// Every field of the rows counted is in a report's digest: json leaves
// out unexported fields, and a field left out would serve a report kept
// for other figures.
func TestEveryFieldCountedIsInTheStatisticsDigest(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[stats.CaseRow](), reflect.TypeFor[stats.EventRow](), reflect.TypeFor[stats.Period](), reflect.TypeFor[statisticsInputs]()} {
		for f := range typ.Fields() {
			if !f.IsExported() || f.Tag.Get("json") == "-" {
				t.Errorf("%s.%s is not in the digest", typ.Name(), f.Name)
			}
		}
	}
}

// Any change to what the figures follow from is another digest: one row's
// field, the threshold, the rounding, the partnership, the cuts or the day.
func TestAChangeToAnyInputIsANewStatisticsDigest(t *testing.T) {
	year, _ := stats.ParsePeriod("2026")
	base := func() statisticsInputs {
		return statisticsInputs{
			Cases:  []stats.CaseRow{{Partnership: "p", RaisedMonth: "2026-03", ExploitationTypes: []string{"criminal"}, Nationality: "Albanian"}},
			Events: []stats.EventRow{{Partnership: "p", Month: "2026-03", Kind: stats.EventClock, Detail: "contact-24h", Outcome: stats.ClockMet}},
			Cuts:   []stats.Period{year}, Threshold: 5, Round: 5, Name: "Eastshire", Slug: "eastshire", Day: "2026-12-05",
		}
	}
	d0, ok := base().digest()
	if !ok {
		t.Fatal("no digest")
	}
	for name, change := range map[string]func(*statisticsInputs){
		"a case's nationality": func(in *statisticsInputs) { in.Cases[0].Nationality = "British" },
		"a case's types":       func(in *statisticsInputs) { in.Cases[0].ExploitationTypes = []string{"sexual"} },
		"another case":         func(in *statisticsInputs) { in.Cases = append(in.Cases, in.Cases[0]) },
		"a clock's outcome":    func(in *statisticsInputs) { in.Events[0].Outcome = stats.ClockMissed },
		"the threshold":        func(in *statisticsInputs) { in.Threshold = 10 },
		"the rounding":         func(in *statisticsInputs) { in.Round = 0 },
		"the partnership":      func(in *statisticsInputs) { in.Name, in.Slug = "Southshire", "southshire" },
		"the day":              func(in *statisticsInputs) { in.Day = "2026-12-06" },
		"the end of a cut":     func(in *statisticsInputs) { in.Cuts[0].To = in.Cuts[0].To.Add(-24 * time.Hour) },
		"a cut more":           func(in *statisticsInputs) { in.Cuts = append(in.Cuts, year) },
	} {
		in := base()
		change(&in)
		if d, _ := in.digest(); d == d0 {
			t.Errorf("after changing %s the digest is the same", name)
		}
	}
}

// The kept reports are the last few: the oldest is forgotten first, and a
// report is served only under its own digest.
func TestOnlyTheLastFewPublishedReportsAreKept(t *testing.T) {
	p := newPublishedStatistics(2)
	digest := func(day string) [32]byte {
		d, _ := statisticsInputs{Day: day}.digest()
		return d
	}
	for _, day := range []string{"1", "2", "3"} {
		p.put(digest(day), stats.Report{Partnership: day})
	}
	if _, ok := p.get(digest("1")); ok {
		t.Error("the oldest report is still kept")
	}
	for _, day := range []string{"2", "3"} {
		if r, ok := p.get(digest(day)); !ok || r.Partnership != day {
			t.Errorf("report %s: %+v, %v", day, r, ok)
		}
	}
	if _, ok := p.get(digest("4")); ok {
		t.Error("a report served under a digest it was not kept under")
	}
	var none *publishedStatistics
	none.put(digest("1"), stats.Report{})
	if _, ok := none.get(digest("1")); ok {
		t.Error("a service without the cache served a report")
	}
}

// BenchmarkStatisticsDigest is what a look at kept statistics costs over
// counting and protecting them again: the digest of a year's rows.
func BenchmarkStatisticsDigest(b *testing.B) {
	year, _ := stats.ParsePeriod("2026")
	for _, n := range []int{1_000, 10_000} {
		in := statisticsInputs{Cuts: []stats.Period{year}, Threshold: 5, Name: "Eastshire", Slug: "eastshire", Day: "2026-12-05"}
		for i := range n {
			month := "2026-" + []string{"01", "04", "07", "10"}[i%4]
			in.Cases = append(in.Cases, stats.CaseRow{Partnership: "p", RaisedMonth: month, ContactMonth: month, ExploitationTypes: []string{"criminal", "sexual"}[i%2:],
				AgeBand: stats.AgeBand12to15, Gender: "female", Nationality: "Albanian", ReferrerKind: "school", NRMOn: month + "-15", FirstResponderName: "Eastshire Police",
				DecisionMaker: "sca", RGOutcome: "positive", RGOn: month + "-20"})
			in.Events = append(in.Events, stats.EventRow{Partnership: "p", Month: month, Kind: stats.EventClock, Detail: "contact-24h", Outcome: stats.ClockMet, DueOn: month + "-02"})
		}
		b.Run(strconv.Itoa(n)+"-cases", func(b *testing.B) {
			for b.Loop() {
				if _, ok := in.digest(); !ok {
					b.Fatal("no digest")
				}
			}
		})
	}
}
