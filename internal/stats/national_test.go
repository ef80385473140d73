package stats

import (
	"strings"
	"testing"

	"waymark/internal/nrm"
)

func testFont(t *testing.T) []byte {
	t.Helper()
	regular, _ := nrm.Fonts()
	return regular
}

func TestNationalFiguresCarryTheirGovUKSource(t *testing.T) {
	n, err := NationalFigures()
	if err != nil {
		t.Fatal(err)
	}
	years := map[int]NationalYear{}
	for _, y := range n.Years {
		years[y.Year] = y
		if len(y.Sources) == 0 {
			t.Errorf("%d has no source", y.Year)
		}
		for _, s := range y.Sources {
			if !strings.HasPrefix(s.URL, "https://www.gov.uk/government/statistics/") || s.Title == "" || s.Seen == "" {
				t.Errorf("%d: source %+v is not a gov.uk publication with a title and where it was seen", y.Year, s)
			}
		}
		if y.Children == nil && y.NotConfirmed == "" {
			t.Errorf("%d: no child figure and no word on why", y.Year)
		}
	}
	for y := 2019; y <= 2024; y++ {
		if _, ok := years[y]; !ok {
			t.Errorf("no entry for %d", y)
		}
	}
	if c := years[2023].Children; c == nil || *c != 7432 {
		t.Errorf("2023 child referrals = %v, want 7,432 (end of year summary 2023)", c)
	}
	if c := years[2019].Children; c == nil || *c != 4550 {
		t.Errorf("2019 child referrals = %v, want 4,550 (end of year summary 2019, as quoted by ECPAT UK)", c)
	}
	tb := n.ChildrenByYearTable()
	if len(tb.Rows) != 5 || !strings.Contains(strings.Join(tb.Notes, " "), "could be confirmed: 2024.") {
		t.Errorf("table by year = %v, notes %q", tb.Rows, tb.Notes)
	}
}

func TestComparisonWithTheNationalFiguresHoldsBackSharesOnHeldBackCounts(t *testing.T) {
	n, _ := NationalFigures()
	r := sampleReport()
	cmp, ok := ComparisonTable(r, n)
	if !ok || len(cmp.Rows) != 1 || cmp.Rows[0] != "Criminal exploitation" {
		t.Fatalf("comparison = %+v, %v", cmp, ok)
	}
	if got := FigureText(cmp.Cells[0][0]); got != "55.0%" {
		t.Errorf("partnership share = %s, want 55.0%% (22 of 40)", got)
	}
	if got := FigureText(cmp.Cells[0][1]); got != "43.0%" {
		t.Errorf("national share = %s, want 43.0%% (2022)", got)
	}
	notes := strings.Join(cmp.Notes, " ")
	if !strings.Contains(notes, "gov.uk") || !strings.Contains(notes, "counted differently") {
		t.Errorf("comparison does not state its source and caveat: %s", notes)
	}
	// A held-back total holds back every share.
	held := Value{Kind: Count, Suppressed: true}
	r.Tables[0].Total, r.Tables[0].ColTotals = &held, []Value{held}
	cmp, _ = ComparisonTable(r, n)
	if !cmp.Cells[0][0].Suppressed {
		t.Errorf("share published on a held-back total: %+v", cmp.Cells[0][0])
	}
	// Below the threshold, too.
	small := Value{Kind: Count, N: 4}
	r.Tables[0].Total, r.Tables[0].ColTotals = &small, []Value{small}
	cmp, _ = ComparisonTable(r, n)
	if !cmp.Cells[0][0].Suppressed {
		t.Errorf("share published on fewer than the threshold: %+v", cmp.Cells[0][0])
	}
}
