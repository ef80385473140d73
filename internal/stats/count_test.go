package stats_test

import (
	"testing"

	"waymark/internal/stats"
)

func find(t *testing.T, rep stats.Report, id string) stats.Table {
	t.Helper()
	for _, tb := range rep.Tables {
		if tb.ID == id {
			return tb
		}
	}
	t.Fatalf("no table %s", id)
	return stats.Table{}
}

// §8.7: the Reasonable Grounds decision is due within 5 working days of the
// referral, counted on the clocks' calendar: the Easter bank holidays of
// 2025 (18 and 21 April) are not working days.
func TestReasonableGroundsWithinFiveWorkingDaysSkipsBankHolidays(t *testing.T) {
	var cs []stats.CaseRow
	for range 10 { // referred Thursday 17 April; the fifth working day is Monday 28 April
		cs = append(cs, stats.CaseRow{RaisedMonth: "2025-04", NRMOn: "2025-04-17", RGOutcome: "positive", RGOn: "2025-04-28"})
	}
	for range 5 { // a day late
		cs = append(cs, stats.CaseRow{RaisedMonth: "2025-04", NRMOn: "2025-04-17", RGOutcome: "negative", RGOn: "2025-04-29"})
	}
	rep := stats.Publish(stats.Tally(cs, nil, options()), stats.Config{})
	tl := find(t, rep, "timeliness")
	if v := tl.Cells[0][0]; v.Suppressed || v.Kind != stats.Percent || v.F < 66.6 || v.F > 66.7 {
		t.Fatalf("share within 5 working days: %+v, want 66.7%%", v)
	}
}

// No rate is published on fewer than the threshold, nor one that, with its
// denominator, would give a small count.
func TestNoRateOnFewerThanTheThreshold(t *testing.T) {
	var cs []stats.CaseRow
	for range 8 {
		cs = append(cs, stats.CaseRow{RaisedMonth: "2025-04", NRMOn: "2025-04-01", RGOutcome: "positive", RGOn: "2025-04-02"})
	}
	cs = append(cs, stats.CaseRow{RaisedMonth: "2025-04", NRMOn: "2025-04-01", RGOutcome: "positive", RGOn: "2025-05-30"})
	rep := stats.Publish(stats.Tally(cs, nil, options()), stats.Config{})
	if v := find(t, rep, "timeliness").Cells[0][0]; !v.Suppressed {
		t.Fatalf("8 of 9 within 5 working days is published (%+v): it gives the one that was not", v)
	}
	if v := find(t, rep, "timeliness").Cells[1][0]; !v.Suppressed {
		t.Fatalf("a median of no Conclusive Grounds decisions is published: %+v", v)
	}
}

// Totals are rounded where the partnership asks for it, and marked so.
func TestTotalsAreRoundedWhereConfigured(t *testing.T) {
	var cs []stats.CaseRow
	for range 23 {
		cs = append(cs, stats.CaseRow{RaisedMonth: "2025-04", Gender: "female", AgeBand: stats.AgeBand12to15})
	}
	rep := stats.Publish(stats.Tally(cs, nil, options()), stats.Config{RoundTo: 5})
	tb := find(t, rep, "concerns-by-age-and-gender")
	if v := tb.Total; v == nil || v.N != 25 || !v.Rounded {
		t.Fatalf("total %+v, want 25 rounded", v)
	}
	if v := tb.Cells[1][0]; v.N != 23 || v.Rounded {
		t.Fatalf("a cell %+v, want 23 unrounded", v)
	}
}
