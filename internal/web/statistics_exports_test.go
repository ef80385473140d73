package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"waymark/internal/pathway"
	"waymark/internal/stats"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// The partnership lead's annual report (§1.5, §8.10(4)): charts and their
// tables, held-back figures as [c], the national comparison with its sources,
// and each export named by partnership and period and audited.
func TestAnnualReportShowsChartsTablesAndHeldBackFiguresForThePartnershipLead(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		lead := e.meetingPartnershipLead()
		e.statisticsSettings(stats.YearFinancial, "today")
		b := e.browser()
		b.signIn(lead.User.Email)
		before := e.count("audit_log")
		rec := b.get("/statistics/annual-report?period=2025-26")
		page := rec.Body.String()
		if rec.Code != http.StatusOK {
			t.Fatalf("annual report: %d %s", rec.Code, page)
		}
		checkPageHygiene(t, "annual report", rec)
		if e.count("audit_log") <= before {
			t.Error("viewing the annual report was not audited")
		}
		for _, want := range []string{"April 2025 to March 2026", `role="img"`, `<title id="chart-concerns-by-exploitation-type-title">`,
			`<caption class="govuk-table__caption govuk-table__caption--s" id="concerns-by-exploitation-type-caption">`, "[c]</td>", ">[c]</text>",
			"/statistics/export.xlsx?period=2025-26", "/statistics/annual-report.pdf?period=2025-26", "https://www.gov.uk/government/statistics/",
			"Share of child referrals by exploitation type", "could not be confirmed"} {
			if !strings.Contains(page, want) {
				t.Errorf("the annual report lacks %s", want)
			}
		}
		if strings.Contains(page, "<script>") {
			t.Error("the annual report carries inline script")
		}

		period, _ := stats.ParsePeriod("2025-26")
		rep, err := e.svc.StatisticsReport(context.Background(), lead, period)
		if err != nil || len(rep.Tables) == 0 {
			t.Fatalf("StatisticsReport: %v", err)
		}
		one := rep.Tables[len(rep.Tables)-1].ID
		for _, d := range []struct{ path, ctype, name string }{
			{"/statistics/export.csv?period=2025-26", "text/csv; charset=utf-8", rep.FileName("", "csv")},
			{"/statistics/export.csv?period=2025-26&table=" + one, "text/csv; charset=utf-8", rep.FileName(one, "csv")},
			{"/statistics/export.xlsx?period=2025-26", contentTypeXLSX, rep.FileName("", "xlsx")},
			{"/statistics/export.ods?period=2025-26", contentTypeODS, rep.FileName("", "ods")},
			{"/statistics/annual-report.pdf?period=2025-26", contentTypePDF, rep.FileName("annual-report", "pdf")},
		} {
			if !strings.HasPrefix(d.name, "waymark-statistics-"+rep.PartnershipSlug+"-2025-26") {
				t.Errorf("export named %q, not by partnership and period", d.name)
			}
			before := e.count("audit_log")
			rec := b.get(d.path)
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != d.ctype ||
				rec.Header().Get("Content-Disposition") != `attachment; filename="`+d.name+`"` {
				t.Errorf("%s: %d %q %q", d.path, rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Content-Disposition"))
				continue
			}
			if e.count("audit_log") <= before {
				t.Errorf("%s was not audited", d.path)
			}
			body := rec.Body.Bytes()
			switch {
			case strings.HasSuffix(d.name, ".csv"):
				rd := csv.NewReader(bytes.NewReader(body))
				rd.FieldsPerRecord = -1
				if recs, err := rd.ReadAll(); err != nil || !strings.Contains(string(body), "[c]") {
					t.Errorf("%s: %v %q", d.path, err, recs)
				}
			case strings.HasSuffix(d.name, ".xlsx"):
				f, err := excelize.OpenReader(bytes.NewReader(body))
				if err != nil {
					t.Errorf("%s: %v", d.path, err)
					continue
				}
				heldBack := false
				for _, sheet := range f.GetSheetList() {
					rows, _ := f.GetRows(sheet)
					for _, row := range rows {
						heldBack = heldBack || slices.Contains(row, "[c]")
					}
				}
				if !heldBack {
					t.Errorf("%s holds no held-back figure [c]", d.path)
				}
				f.Close()
			case strings.HasSuffix(d.name, ".ods"):
				if _, err := zip.NewReader(bytes.NewReader(body), int64(len(body))); err != nil {
					t.Errorf("%s: %v", d.path, err)
				}
			default:
				if !bytes.HasPrefix(body, []byte("%PDF-")) {
					t.Errorf("%s is not a PDF", d.path)
				}
			}
		}
		if rec := b.get("/statistics/export.csv?period=2025-26&table=nonsense"); rec.Code != http.StatusNotFound {
			t.Errorf("an unknown table: %d", rec.Code)
		}
	})
}

func TestAnnualReportAsksAgainForAPeriodItCannotRead(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		lead := e.meetingPartnershipLead()
		b := e.browser()
		b.signIn(lead.User.Email)
		for _, path := range []string{"/statistics/annual-report?period=2025-27", "/statistics/export.xlsx?period=last+year", "/statistics/annual-report.pdf?period=2025-Q5"} {
			rec := b.get(path)
			page := rec.Body.String()
			if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(page, "govuk-error-summary") || !strings.Contains(page, `href="#period"`) || !strings.Contains(page, `id="period"`) {
				t.Errorf("%s: %d, want the error summary linking to the period:\n%s", path, rec.Code, page)
			}
		}
		sw := e.browser()
		sw.signIn(e.p.SocialWorker.User.Email)
		if rec := sw.get("/statistics/export.csv?period=2025"); rec.Code != http.StatusForbidden || strings.Contains(rec.Body.String(), "[c]") {
			t.Errorf("the social worker gets %d from the statistics export", rec.Code)
		}
	})
}

// statisticsSettings has the partnership publish by kind of year and count
// the year in progress to soFar ("quarter" or "today").
func (e *testEnv) statisticsSettings(kind, soFar string) {
	e.t.Helper()
	err := e.db.Update(context.Background(), func(tx *store.Tx) error {
		for _, ch := range []pathway.SettingChange{
			{Key: pathway.SettingStatisticsYear, Value: kind},
			{Key: pathway.SettingStatisticsYearSoFar, Value: soFar},
		} {
			ch.From, ch.Reason, ch.RecordedBy, ch.RecordedAt = "2000-01-01", "How the test partnership publishes", "user-admin", e.clock.Now()
			if _, err := tx.AppendSetting(pathway.DefaultPartnership, ch); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
}
