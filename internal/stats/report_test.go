package stats

import "testing"

func TestPeriodsArePublishedByCalendarOrFinancialYearNeverByQuarter(t *testing.T) {
	for in, want := range map[string]string{
		"2025":    "2025",
		"2025-26": "April 2025 to March 2026",
	} {
		p, ok := ParsePeriod(in)
		if !ok || p.Label != want || !p.From.Before(p.To) {
			t.Errorf("ParsePeriod(%q) = %+v, %v; want label %q", in, p, ok, want)
		}
	}
	for _, bad := range []string{"", "25", "2025-27", "2025-Q2", "2025-Q5", "1999", "20x5", "2025-Q0"} {
		if _, ok := ParsePeriod(bad); ok {
			t.Errorf("ParsePeriod(%q) accepted", bad)
		}
	}
	r := Report{PartnershipSlug: "northshire", Period: Period{Slug: "2025"}}
	if got := r.FileName("referrals", "csv"); got != "waymark-statistics-northshire-2025-referrals.csv" {
		t.Errorf("FileName = %q", got)
	}
}
