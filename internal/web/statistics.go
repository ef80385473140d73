package web

import (
	"net/http"
	"strconv"
	"strings"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/stats"
)

// The partnership's statistics (issue 15, §1.5, §8.10(4)): the page and the
// API give the Report casework publishes under disclosure control; nothing
// here counts or sees a true figure.

// statisticsPeriod reads ?period=, defaulting to the latest year with
// figures published in the partnership's kind of year (casework decides).
func (s *Server) statisticsPeriod(r *http.Request) (string, stats.Period, error) {
	q := strings.TrimSpace(r.URL.Query().Get("period"))
	if q == "" {
		v, _ := viewerFrom(r.Context())
		_, latest, _, err := s.svc.StatisticsYears(r.Context(), v)
		if err != nil {
			return q, stats.Period{}, err
		}
		q = latest
	}
	p, ok := stats.ParsePeriod(q)
	if !ok {
		return q, p, waymark.Invalid([]waymark.FieldError{{Field: "period",
			Message: "Enter the period as a calendar year like 2025 or a financial year like 2025-26"}})
	}
	return q, p, nil
}

// statCell is a published figure as the page shows it.
type statCell struct {
	Text       string
	Suppressed bool
	Rounded    bool
}

func statText(v stats.Value) statCell {
	switch {
	case v.Suppressed:
		return statCell{Text: "[c]", Suppressed: true}
	case v.Kind == stats.Percent:
		return statCell{Text: strconv.FormatFloat(v.F, 'f', -1, 64) + "%"}
	case v.Kind == stats.Median:
		return statCell{Text: strconv.FormatFloat(v.F, 'f', -1, 64) + " days"}
	}
	return statCell{Text: groupThousands(v.N), Rounded: v.Rounded}
}

func groupThousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 || len(s) <= 3 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// statTable is one table of the Report as the page lays it out.
type statTable struct {
	Table     stats.Table
	Cols      []string
	Rows      []statRow
	ColTotals []statCell // with the table total last, when published
	HasTotals bool       // a total column
}

type statRow struct {
	Header string
	Cells  []statCell
}

func statTables(rep stats.Report) []statTable {
	out := make([]statTable, 0, len(rep.Tables))
	for _, t := range rep.Tables {
		st := statTable{Table: t, Cols: t.Cols, HasTotals: t.RowTotals != nil || (t.Total != nil && t.ColTotals == nil && len(t.Cols) > 1)}
		for i, row := range t.Cells {
			sr := statRow{Header: t.Rows[i]}
			for _, v := range row {
				sr.Cells = append(sr.Cells, statText(v))
			}
			if t.RowTotals != nil {
				sr.Cells = append(sr.Cells, statText(t.RowTotals[i]))
			}
			st.Rows = append(st.Rows, sr)
		}
		switch {
		case t.ColTotals != nil:
			for _, v := range t.ColTotals {
				st.ColTotals = append(st.ColTotals, statText(v))
			}
			if t.Total != nil && t.RowTotals != nil {
				st.ColTotals = append(st.ColTotals, statText(*t.Total))
			}
		case t.Total != nil:
			st.ColTotals = []statCell{statText(*t.Total)}
		}
		out = append(out, st)
	}
	return out
}

// statisticsData is the page's data. Report is there whole for the charts
// and export links (the "statistics-outputs" template).
type statisticsData struct {
	Period  string
	Report  stats.Report
	Tables  []statTable
	Choices []periodChoice
	Shown   bool
}

type periodChoice struct{ Value, Text string }

// periodChoices are the recent years offered as links: the partnership's
// kind of year, with figures published.
func (s *Server) periodChoices(r *http.Request) []periodChoice {
	v, _ := viewerFrom(r.Context())
	_, _, recent, err := s.svc.StatisticsYears(r.Context(), v)
	if err != nil {
		return nil
	}
	var out []periodChoice
	for _, v := range recent {
		if p, ok := stats.ParsePeriod(v); ok {
			out = append(out, periodChoice{v, p.Label})
		}
	}
	return out
}

func (s *Server) handleStatistics(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	const title = "Statistics"
	if !v.SeesStatistics() {
		s.failErr(w, r, waymark.Errorf(waymark.EFORBIDDEN, "The partnership's statistics are for the partnership lead and analysts."))
		return
	}
	q, p, err := s.statisticsPeriod(r)
	d := statisticsData{Period: q, Choices: s.periodChoices(r)}
	if err != nil {
		s.render(w, r, http.StatusBadRequest, "statistics", Page{Title: "Error: " + title, Errors: waymark.ErrorFields(err), Data: d})
		return
	}
	rep, err := s.svc.StatisticsReport(r.Context(), v, p)
	if waymark.ErrorCode(err) == waymark.EINVALID {
		// A year of the other kind, not begun, or with no quarter ended.
		s.render(w, r, http.StatusBadRequest, "statistics", Page{Title: "Error: " + title, Errors: waymark.ErrorFields(err), Data: d})
		return
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	d.Report, d.Tables, d.Shown = rep, statTables(rep), true
	s.render(w, r, http.StatusOK, "statistics", Page{Title: title + ": " + rep.Period.Label, Data: d})
}

// apiStatValue is a published figure in the API: value is null when it is
// suppressed.
type apiStatValue struct {
	Kind       string   `json:"kind"`
	Value      *float64 `json:"value"`
	Suppressed bool     `json:"suppressed"`
	Rounded    bool     `json:"rounded,omitempty"`
}

func apiStat(v stats.Value) apiStatValue {
	out := apiStatValue{Kind: [...]string{"count", "percent", "median"}[v.Kind], Suppressed: v.Suppressed, Rounded: v.Rounded}
	if !v.Suppressed {
		f := v.F
		if v.Kind == stats.Count {
			f = float64(v.N)
		}
		out.Value = &f
	}
	return out
}

func apiStats(vs []stats.Value) []apiStatValue {
	if vs == nil {
		return nil
	}
	out := make([]apiStatValue, len(vs))
	for i, v := range vs {
		out[i] = apiStat(v)
	}
	return out
}

type apiStatTable struct {
	ID        string           `json:"id"`
	Title     string           `json:"title"`
	RowHeader string           `json:"rowHeader"`
	Rows      []string         `json:"rows"`
	Cols      []string         `json:"cols"`
	Cells     [][]apiStatValue `json:"cells"`
	RowTotals []apiStatValue   `json:"rowTotals,omitempty"`
	ColTotals []apiStatValue   `json:"colTotals,omitempty"`
	Total     *apiStatValue    `json:"total,omitempty"`
	Notes     []string         `json:"notes"`
}

func (s *Server) handleAPIStatistics(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.SeesStatistics() {
		s.problemErr(w, r, waymark.Errorf(waymark.EFORBIDDEN, "The partnership's statistics are for the partnership lead and analysts."))
		return
	}
	_, p, err := s.statisticsPeriod(r)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	rep, err := s.svc.StatisticsReport(r.Context(), v, p)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	tables := make([]apiStatTable, 0, len(rep.Tables))
	for _, t := range rep.Tables {
		at := apiStatTable{ID: t.ID, Title: t.Title, RowHeader: t.RowHeader, Rows: t.Rows, Cols: t.Cols, Cells: [][]apiStatValue{},
			RowTotals: apiStats(t.RowTotals), ColTotals: apiStats(t.ColTotals), Notes: t.Notes}
		if at.Notes == nil {
			at.Notes = []string{}
		}
		for _, row := range t.Cells {
			at.Cells = append(at.Cells, apiStats(row))
		}
		if t.Total != nil {
			tv := apiStat(*t.Total)
			at.Total = &tv
		}
		tables = append(tables, at)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"partnership": rep.Partnership,
		"period":      map[string]any{"slug": rep.Period.Slug, "label": rep.Period.Label, "from": rep.Period.From, "to": rep.Period.To},
		"generated":   rep.Generated,
		"threshold":   rep.Threshold,
		"roundTo":     rep.RoundTo,
		"tables":      tables,
	})
}
