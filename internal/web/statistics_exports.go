package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/nrm"
	"waymark/internal/pathway"
	"waymark/internal/stats"
)

// What shows the partnership's statistics (§1.5, §8.10(4), issue 15): the
// printable annual-report page with its charts and tables, the same as a
// PDF, and the CSV, XLSX and ODS exports. Every one asks casework for the
// published Report (StatisticsReport decides who may see it and audits each
// view and download) and renders exactly that Report: a held-back figure is
// "[c]" everywhere and never a number.

// annualReportPeriod reads ?period=, defaulting to the last whole year of
// the partnership's kind, as annual reports are published. A period that cannot be
// read is answered with a GOV.UK error summary (422).
func (s *Server) annualReportPeriod(w http.ResponseWriter, r *http.Request, v casework.Viewer) (stats.Period, bool) {
	q := strings.TrimSpace(r.URL.Query().Get("period"))
	if q == "" {
		// The last whole year of the partnership's kind, as annual reports
		// are published; the year so far when none has ended yet.
		if _, _, recent, err := s.svc.StatisticsYears(r.Context(), v); err == nil {
			q = recent[0]
			for _, y := range recent {
				if p, ok := stats.ParsePeriod(y); ok && !p.To.After(s.now()) {
					q = y
					break
				}
			}
		}
	}
	p, ok := stats.ParsePeriod(q)
	if !ok && !pathway.MaySeeStatistics(v.User.Role) {
		// Someone who may not see the statistics gets the same refusal
		// (and audit entry) whatever period they asked for.
		_, err := s.svc.StatisticsReport(r.Context(), v, stats.Period{})
		s.failErr(w, r, err)
		return stats.Period{}, false
	}
	if !ok {
		s.render(w, r, http.StatusUnprocessableEntity, "statistics-annual-report", Page{
			Title:  "Annual report",
			Errors: []waymark.FieldError{{Field: "period", Message: "Enter the period as a calendar year like 2025 or a financial year like 2025-26"}},
			Data:   annualReportView{PeriodInput: q},
		})
		return stats.Period{}, false
	}
	return p, true
}

// statisticsReport is the published Report for the request's period, or
// false when the answer (refusal or bad period) has been written.
func (s *Server) statisticsReport(w http.ResponseWriter, r *http.Request, v casework.Viewer) (stats.Report, bool) {
	p, ok := s.annualReportPeriod(w, r, v)
	if !ok {
		return stats.Report{}, false
	}
	rep, err := s.svc.StatisticsReport(r.Context(), v, p)
	if waymark.ErrorCode(err) == waymark.EINVALID {
		// A year of the other kind, not begun, or with no quarter ended.
		s.render(w, r, http.StatusUnprocessableEntity, "statistics-annual-report", Page{
			Title: "Annual report", Errors: waymark.ErrorFields(err),
			Data: annualReportView{PeriodInput: strings.TrimSpace(r.URL.Query().Get("period"))},
		})
		return stats.Report{}, false
	}
	if err != nil {
		s.failErr(w, r, err)
		return stats.Report{}, false
	}
	return rep, true
}

func writeDownload(w http.ResponseWriter, contentType, name string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

const (
	contentTypeCSV  = "text/csv; charset=utf-8"
	contentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	contentTypeODS  = "application/vnd.oasis.opendocument.spreadsheet"
	contentTypePDF  = "application/pdf"
)

// handleStatisticsExport: GET /statistics/export.{csv,xlsx,ods}?period=P[&table=ID].
// CSV of one table when table is given, else of every table; XLSX and ODS
// always hold every table, a sheet each.
func (s *Server) handleStatisticsExport(ext string) func(http.ResponseWriter, *http.Request, casework.Viewer) {
	return func(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
		rep, ok := s.statisticsReport(w, r, v)
		if !ok {
			return
		}
		tableID := r.URL.Query().Get("table")
		if tableID != "" && ext != "csv" {
			tableID = ""
		}
		switch ext {
		case "csv":
			if tableID != "" {
				t, ok := stats.ExportTable(rep, tableID)
				if !ok {
					s.fail(w, r, http.StatusNotFound, "There is no such table in these statistics.")
					return
				}
				writeDownload(w, contentTypeCSV, rep.FileName(t.ID, "csv"), stats.CSV(t))
				return
			}
			writeDownload(w, contentTypeCSV, rep.FileName("", "csv"), stats.CSVAll(rep))
		case "xlsx":
			body, err := stats.XLSX(rep)
			if err != nil {
				s.failErr(w, r, err)
				return
			}
			writeDownload(w, contentTypeXLSX, rep.FileName("", "xlsx"), body)
		case "ods":
			body, err := stats.ODS(rep)
			if err != nil {
				s.failErr(w, r, err)
				return
			}
			writeDownload(w, contentTypeODS, rep.FileName("", "ods"), body)
		}
	}
}

// annualReportView is the annual-report page's data.
type annualReportView struct {
	PeriodInput string
	Report      stats.Report
	Sections    []statsSection
	National    []statsSection // the national figures and the comparison
	Caveat      string
	Sources     []stats.NationalSource
	Unconfirmed []string
	Links       map[string]string // "csv", "xlsx", "ods", "pdf"
}

// statsSection is one chart and the data table that follows it.
type statsSection struct {
	ID, Title, RowHeader string
	SVG                  template.HTML
	Cols                 []string
	HasRowTotals         bool
	Rows                 []statsRow
	Totals               *statsRow
	Notes                []string
	CSV                  string // the table's own CSV, for the partnership's tables
}

type statsRow struct {
	Label string
	Cells []string
	Total string
}

func sectionOf(t stats.Table, csvHref string) statsSection {
	sec := statsSection{ID: t.ID, Title: t.Title, RowHeader: t.RowHeader, Cols: t.Cols, HasRowTotals: t.RowTotals != nil, Notes: t.Notes, CSV: csvHref}
	// The SVG is built by stats.Chart.SVG, which escapes every text it
	// draws; nothing else goes into it.
	sec.SVG = template.HTML(stats.ChartOf(t).SVG())
	for r, label := range t.Rows {
		row := statsRow{Label: label}
		for c := range t.Cols {
			v := stats.Value{Suppressed: true}
			if r < len(t.Cells) && c < len(t.Cells[r]) {
				v = t.Cells[r][c]
			}
			row.Cells = append(row.Cells, stats.FigureText(v))
		}
		if t.RowTotals != nil && r < len(t.RowTotals) {
			row.Total = stats.FigureText(t.RowTotals[r])
		}
		sec.Rows = append(sec.Rows, row)
	}
	if t.ColTotals != nil || t.Total != nil {
		tot := statsRow{Label: "Total"}
		for c := range t.Cols {
			if c < len(t.ColTotals) {
				tot.Cells = append(tot.Cells, stats.FigureText(t.ColTotals[c]))
			} else {
				tot.Cells = append(tot.Cells, "")
			}
		}
		if t.Total != nil {
			tot.Total = stats.FigureText(*t.Total)
			if t.RowTotals == nil && t.ColTotals == nil && len(tot.Cells) > 0 {
				tot.Cells[0] = tot.Total
			}
		}
		sec.Totals = &tot
	}
	return sec
}

func statisticsLink(path, period string, extra ...string) string {
	q := url.Values{"period": {period}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return path + "?" + q.Encode()
}

// annualReport builds the page's view of rep and the national figures.
func (s *Server) annualReport(rep stats.Report) (annualReportView, []stats.Table, string) {
	slug := rep.Period.Slug
	view := annualReportView{PeriodInput: slug, Report: rep, Links: map[string]string{
		"csv":  statisticsLink("/statistics/export.csv", slug),
		"xlsx": statisticsLink("/statistics/export.xlsx", slug),
		"ods":  statisticsLink("/statistics/export.ods", slug),
		"pdf":  statisticsLink("/statistics/annual-report.pdf", slug),
	}}
	for _, t := range rep.Tables {
		view.Sections = append(view.Sections, sectionOf(t, statisticsLink("/statistics/export.csv", slug, "table", t.ID)))
	}
	var extra []stats.Table
	nat, err := stats.NationalFigures()
	if err != nil {
		s.log.Error("reading the national figures", "err", err)
		return view, nil, ""
	}
	if cmp, ok := stats.ComparisonTable(rep, nat); ok {
		extra = append(extra, cmp)
	}
	extra = append(extra, nat.ChildrenByYearTable())
	for _, t := range extra {
		view.National = append(view.National, sectionOf(t, ""))
	}
	view.Caveat = nat.Caveat
	for _, y := range nat.Years {
		view.Sources = append(view.Sources, y.Sources...)
		if y.NotConfirmed != "" {
			view.Unconfirmed = append(view.Unconfirmed, strconv.Itoa(y.Year)+": "+y.NotConfirmed)
		}
	}
	return view, extra, nat.Caveat
}

// handleAnnualReport: GET /statistics/annual-report?period=2025-26, the
// printable page (GOV.UK patterns, no JavaScript, print styles in waymark.css).
func (s *Server) handleAnnualReport(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	rep, ok := s.statisticsReport(w, r, v)
	if !ok {
		return
	}
	view, _, _ := s.annualReport(rep)
	s.render(w, r, http.StatusOK, "statistics-annual-report", Page{Title: "Annual report: " + rep.Period.Label, Data: view})
}

// handleAnnualReportPDF: GET /statistics/annual-report.pdf?period=2025-26,
// the same charts and tables as a PDF.
func (s *Server) handleAnnualReportPDF(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	rep, ok := s.statisticsReport(w, r, v)
	if !ok {
		return
	}
	_, extra, caveat := s.annualReport(rep)
	regular, bold := nrm.Fonts()
	body, err := stats.AnnualReportPDF(rep, extra, caveat, regular, bold)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	writeDownload(w, contentTypePDF, rep.FileName("annual-report", "pdf"), body)
}
