package stats

import (
	_ "embed"
	"encoding/json"
	"strconv"
	"strings"
)

// The Home Office's published National Referral Mechanism figures for
// children, shipped so a partnership can set its own beside the country's
// (§1.5). Only figures found in a gov.uk publication or a source clearly
// quoting one are shipped, each with its source; what could not be confirmed
// is said in the file (data/nrm_national_children.json, docs/statistics.md).

//go:embed data/nrm_national_children.json
var nationalJSON []byte

// NationalSource is the publication a national figure comes from.
type NationalSource struct {
	Title     string `json:"title"`
	URL       string `json:"url"`
	Published string `json:"published"`
	Says      string `json:"says"`
	Seen      string `json:"seen"` // "gov.uk", or who quoted it
}

// NationalType is a published figure for one exploitation type.
type NationalType struct {
	Type              string   `json:"type"`
	Children          *int     `json:"children,omitempty"`
	PercentOfChildren *float64 `json:"percentOfChildren,omitempty"`
}

// NationalYear is one calendar year's published figures.
type NationalYear struct {
	Year               int              `json:"year"`
	Children           *int             `json:"children,omitempty"`
	ChildrenPercent    *float64         `json:"childrenPercent,omitempty"`
	AllReferrals       *int             `json:"allReferrals,omitempty"`
	ByExploitationType []NationalType   `json:"byExploitationType,omitempty"`
	Sources            []NationalSource `json:"sources"`
	Revised            string           `json:"revised,omitempty"`
	NotConfirmed       string           `json:"notConfirmed,omitempty"`
}

// National is the shipped set of national figures.
type National struct {
	Title     string         `json:"title"`
	Geography string         `json:"geography"`
	Caveat    string         `json:"caveat"`
	Years     []NationalYear `json:"years"`
}

// NationalFigures reads the shipped national figures.
func NationalFigures() (National, error) {
	var n National
	err := json.Unmarshal(nationalJSON, &n)
	return n, err
}

// ChildrenByYearTable is the national child referrals by year, as a table
// like the partnership's own. A year whose child figure was not confirmed is
// left out, and a note says so.
func (n National) ChildrenByYearTable() Table {
	t := Table{ID: "national-child-referrals-by-year", Title: "Children referred to the NRM in the " + n.Geography + ", by year",
		RowHeader: "Year", Cols: []string{"Children referred (" + n.Geography + ")"}}
	var missing []string
	for _, y := range n.Years {
		if y.Children == nil {
			missing = append(missing, strconv.Itoa(y.Year))
			continue
		}
		t.Rows = append(t.Rows, strconv.Itoa(y.Year))
		t.Cells = append(t.Cells, []Value{{Kind: Count, N: *y.Children}})
	}
	t.Notes = append(t.Notes, "Home Office figures as first published: potential victims who claimed exploitation as children.")
	if len(missing) > 0 {
		t.Notes = append(t.Notes, "Not shown, because no published figure could be confirmed: "+strings.Join(missing, ", ")+".")
	}
	return t
}

// LatestTypeYear is the latest year that publishes a share of child
// referrals by exploitation type.
func (n National) LatestTypeYear() (NationalYear, bool) {
	for i := len(n.Years) - 1; i >= 0; i-- {
		for _, t := range n.Years[i].ByExploitationType {
			if t.PercentOfChildren != nil {
				return n.Years[i], true
			}
		}
	}
	return NationalYear{}, false
}

// ComparisonTable sets the partnership's share of child referrals by
// exploitation type beside the national share for the latest year that
// publishes one. The partnership's shares are worked out only from figures
// its Report publishes: a type whose count is held back, or whose total is
// held back, rounded or below the threshold, has its share held back too, so
// no rate is published on fewer children than the threshold. A type the
// Home Office did not publish is said to be so in words, never drawn.
// The second result is false when the Report has no table by exploitation
// type or no national year publishes a share.
func ComparisonTable(r Report, n National) (Table, bool) {
	ny, ok := n.LatestTypeYear()
	if !ok {
		return Table{}, false
	}
	var src *Table
	for i := range r.Tables {
		if strings.Contains(r.Tables[i].ID, "exploitation-type") && len(r.Tables[i].Cols) > 0 {
			src = &r.Tables[i]
			break
		}
	}
	if src == nil {
		return Table{}, false
	}
	var total Value
	switch {
	case src.Total != nil:
		total = *src.Total
	case len(src.ColTotals) > 0:
		total = src.ColTotals[0]
	default:
		// A child referred for two types is counted under each, so the
		// table has no total of its own: the share is of every concern
		// raised, as published in the other tables of concerns.
		total = Value{Suppressed: true}
		for i := range r.Tables {
			if strings.HasPrefix(r.Tables[i].ID, "concerns-by-") && r.Tables[i].Total != nil {
				total = *r.Tables[i].Total
				break
			}
		}
	}
	share := func(v Value) Value {
		if v.Suppressed || total.Suppressed || total.Rounded || v.Rounded || total.Kind != Count || v.Kind != Count || total.N < r.Threshold || total.N == 0 {
			return Value{Kind: Percent, Suppressed: true}
		}
		return Value{Kind: Percent, F: float64(v.N) * 100 / float64(total.N)}
	}
	year := strconv.Itoa(ny.Year)
	t := Table{
		ID:        "comparison-exploitation-type-national",
		Title:     "Share of child referrals by exploitation type: " + r.Partnership + " and the " + n.Geography,
		RowHeader: "Exploitation type",
		Cols:      []string{r.Partnership + ", " + r.Period.Label + " (%)", n.Geography + ", " + year + " (%)"},
	}
	var unpublished []string
	for i, row := range src.Rows {
		var nat *NationalType
		for j := range ny.ByExploitationType {
			if sameType(ny.ByExploitationType[j].Type, row) && ny.ByExploitationType[j].PercentOfChildren != nil {
				nat = &ny.ByExploitationType[j]
			}
		}
		if nat == nil {
			unpublished = append(unpublished, row)
			continue
		}
		t.Rows = append(t.Rows, row)
		t.Cells = append(t.Cells, []Value{share(cell(*src, i, 0)), {Kind: Percent, F: *nat.PercentOfChildren}})
	}
	t.Notes = append(t.Notes,
		"The partnership's share is of the concerns raised in the period (every child its practitioners raised a concern about, referred to the NRM or not) with the type recorded; the national share is of children referred to the NRM. A child with two types is counted under each, so shares may add to more than 100.",
		"A share is held back ([c]) when its count or the total is held back, rounded or fewer than "+strconv.Itoa(r.Threshold)+".")
	if len(unpublished) > 0 {
		t.Notes = append(t.Notes, "The "+n.Geography+" share for "+year+" was not found published for: "+strings.Join(unpublished, ", ")+"; those types are not compared.")
	}
	t.Notes = append(t.Notes, n.Caveat)
	for _, s := range ny.Sources {
		t.Notes = append(t.Notes, "Source: "+s.Title+", "+s.URL+".")
	}
	return t, len(t.Rows) > 0
}

// sameType says whether two names are the same exploitation type, however
// each side words it ("Criminal exploitation", "criminal").
func sameType(a, b string) bool {
	norm := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		s = strings.TrimSuffix(s, " exploitation")
		return s
	}
	return norm(a) == norm(b)
}
