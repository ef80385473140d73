// Package stats counts the partnership's pathway for people who plan and
// commission services (§1.5, §8.10(4)) and publishes the counts under
// disclosure control, so that no published figure, table, chart or export
// lets anyone work out a small number of children.
//
// This file is the contract between the parts that count (counting and
// disclosure control) and the parts that show what was counted (pages,
// charts, CSV, XLSX, ODS and PDF). A Report is only ever built by Publish,
// after disclosure control: a suppressed Value carries no number at all, so
// nothing that renders a Report can leak what was held back.
package stats

import "time"

// Period is the span a report covers: From inclusive, To exclusive, both
// midnight UK time. Label is how people say it ("2025", "2025 to 2026",
// "April to June 2025") and Slug its form in file names ("2025",
// "2025-04-to-2026-03").
type Period struct {
	From  time.Time
	To    time.Time
	Label string
	Slug  string
}

// Kind is what a Value measures.
type Kind int

const (
	Count   Kind = iota // a number of children, cases or events
	Percent             // a share, 0 to 100, of a denominator that is itself published
	Median              // a median number of days
)

// Value is one published figure. When Suppressed is true, N and F are zero
// and mean nothing: the true figure never reaches the Report.
type Value struct {
	Kind       Kind
	N          int     // Count: the number published (after any rounding)
	F          float64 // Percent or Median
	Suppressed bool    // held back ("[c]"): a small count, one that would reveal one, or a rate or median on too few
	Rounded    bool    // N is rounded (totals where the partnership asks for rounding)
}

// Table is one published table. Cells[r][c] is the figure for Rows[r] and
// Cols[c]. RowTotals, ColTotals and Total are published when present (not
// nil); every disclosure-control rule and check treats them as part of the
// table, and treats tables that share a margin (the same children counted by
// a different breakdown) as one system.
type Table struct {
	ID        string // stable and file-name safe: "referrals-by-exploitation-type"
	Title     string
	RowHeader string // what the rows are: "Exploitation type"
	Rows      []string
	Cols      []string
	Cells     [][]Value
	RowTotals []Value
	ColTotals []Value
	Total     *Value
	Notes     []string // what is counted, and how ("A child referred for two types is counted under each.")
}

// Report is everything published for one partnership (or the whole
// deployment) and one period: the page, its charts, its exports and the
// annual report all render exactly this.
type Report struct {
	Partnership     string // the partnership's name as the settings give it
	PartnershipSlug string // file-name safe
	Period          Period
	Generated       time.Time
	Threshold       int // counts below this are suppressed (default 5)
	RoundTo         int // totals are rounded to this base when above 1 (0 or 1: not rounded)
	Tables          []Table
}

// FileName is the name of an export of r with the given extension ("csv",
// "xlsx", "ods", "pdf"): the partnership and the period, never a child.
func (r Report) FileName(table, ext string) string {
	name := "waymark-statistics-" + r.PartnershipSlug + "-" + r.Period.Slug
	if table != "" {
		name += "-" + table
	}
	return name + "." + ext
}

// ParsePeriod reads the year a page or export asks for, in the forms the
// Home Office and partnerships publish by: "2025" (a calendar year, as the
// Home Office's end-of-year summaries) or "2025-26" (a financial year, April
// to March, as annual reports). There are no quarters: a year and its
// quarters published side by side give small counts away by differencing
// (series.go). Dates are UK dates.
func ParsePeriod(s string) (Period, bool) {
	uk, err := time.LoadLocation("Europe/London")
	if err != nil {
		uk = time.UTC
	}
	var y, y2 int
	switch {
	case len(s) == 4 && scanInt(s, &y):
		from := time.Date(y, time.January, 1, 0, 0, 0, 0, uk)
		return Period{From: from, To: from.AddDate(1, 0, 0), Label: s, Slug: s}, y >= 2000 && y <= 2100
	case len(s) == 7 && s[4] == '-' && s[5] != 'Q' && scanInt(s[:4], &y) && scanInt(s[5:], &y2):
		if (y+1)%100 != y2 || y < 2000 || y > 2100 {
			return Period{}, false
		}
		from := time.Date(y, time.April, 1, 0, 0, 0, 0, uk)
		return Period{From: from, To: from.AddDate(1, 0, 0), Label: "April " + s[:4] + " to March " + itoa(y+1), Slug: s}, true
	}
	return Period{}, false
}

func scanInt(s string, n *int) bool {
	if s == "" {
		return false
	}
	v := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
		v = v*10 + int(r-'0')
	}
	*n = v
	return true
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
