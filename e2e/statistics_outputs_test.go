package e2e

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// The partnership's annual report (issue 15 §1, §1.5, §8.10(4)): the
// partnership lead opens it, sees the charts with their tables and the
// held-back figures as [c], the page passes axe-core at 320 CSS px, and every
// download the page links to (CSV, XLSX, ODS, PDF) arrives named by the
// partnership and period and opens.
func TestPartnershipLeadOpensTheAnnualReportAndDownloadsEachExport(t *testing.T) {
	b := newBrowserFor(t, true, 3*time.Minute)
	b.signIn(partnershipLeadEmail, partnershipLeadName)
	// The demo publishes by calendar year, counting the year in progress to
	// today (its cases are all from the last few days).
	year := strconv.Itoa(time.Now().Year())
	b.open("/statistics/annual-report?period=" + year)
	if !strings.Contains(b.title(), "Annual report") {
		b.fatalf("the annual report's title is %q", b.title())
	}
	if !b.exists(`svg[role="img"] title`) || !b.exists(`svg desc`) || !b.exists(`figure + .wm-stats-table table caption`) {
		b.fatalf("the annual report's charts have no accessible name, description or data table")
	}
	b.expectText("[c]", year+", to today (the year so far, provisional)", "Sources of the national figures")
	b.narrowAxe("annual-report")

	// Printed, the page keeps its charts and tables and drops the
	// navigation, the period form and the download links.
	if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		b.fatalf("emulating print: %v", err)
	}
	shown := run(b, "reading what prints", chromedp.Evaluate[[]bool](`['#downloads', 'form.wm-no-print', '.govuk-service-navigation', 'svg.wm-chart', '.wm-stats-table table']
		.map(s => { const e = document.querySelector(s); return !!e && getComputedStyle(e).display !== 'none'; })`))
	if len(shown) != 5 || shown[0] || shown[1] || shown[2] || !shown[3] || !shown[4] {
		b.fatalf("printed, the annual report shows downloads, form, navigation, chart, table = %v", shown)
	}
	if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		b.fatalf("ending print emulation: %v", err)
	}

	links := run(b, "reading the download links", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('#downloads a')).map(a => a.getAttribute('href'))`))
	if len(links) != 4 {
		b.fatalf("the annual report links %d downloads, want 4: %q", len(links), links)
	}
	type download struct {
		Status      int    `json:"status"`
		Type        string `json:"type"`
		Disposition string `json:"disposition"`
		Body        string `json:"body"` // base64
	}
	want := map[string]string{".pdf": "application/pdf", ".csv": "text/csv; charset=utf-8",
		".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".ods": "application/vnd.oasis.opendocument.spreadsheet"}
	seen := map[string]bool{}
	for _, href := range links {
		d := runFor(b, time.Minute, "downloading "+href, chromedp.Evaluate[download](`fetch(`+jsString(href)+`, {credentials: 'same-origin'}).then(async r => {
			const bytes = new Uint8Array(await r.arrayBuffer());
			let s = ''; for (const c of bytes) s += String.fromCharCode(c);
			return {status: r.status, type: r.headers.get('Content-Type'), disposition: r.headers.get('Content-Disposition'), body: btoa(s)};
		})`, chromedp.EvalAwaitPromise))
		ext := href[strings.LastIndex(href[:strings.Index(href, "?")], "."):strings.Index(href, "?")]
		seen[ext] = true
		if d.Status != 200 || d.Type != want[ext] || !strings.HasPrefix(d.Disposition, `attachment; filename="waymark-statistics-`) || !strings.Contains(d.Disposition, "-"+year) || !strings.HasSuffix(d.Disposition, ext+`"`) {
			b.fatalf("%s: %d %q %q", href, d.Status, d.Type, d.Disposition)
		}
		body, err := base64.StdEncoding.DecodeString(d.Body)
		if err != nil {
			b.fatalf("%s: %v", href, err)
		}
		switch ext {
		case ".pdf":
			if !bytes.HasPrefix(body, []byte("%PDF-")) || !bytes.Contains(body, []byte("%%EOF")) {
				b.fatalf("%s is not a PDF", href)
			}
		case ".csv":
			rd := csv.NewReader(bytes.NewReader(body))
			rd.FieldsPerRecord = -1
			if _, err := rd.ReadAll(); err != nil || !bytes.Contains(body, []byte("[c]")) {
				b.fatalf("%s: %v\n%s", href, err, body)
			}
		case ".xlsx":
			f, err := excelize.OpenReader(bytes.NewReader(body))
			if err != nil || len(f.GetSheetList()) < 2 {
				b.fatalf("%s does not open: %v", href, err)
			}
			f.Close()
		case ".ods":
			z, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
			if err != nil || z.File[0].Name != "mimetype" {
				b.fatalf("%s does not open: %v", href, err)
			}
		}
	}
	if len(seen) != 4 {
		b.fatalf("downloads seen: %v", seen)
	}
	b.signOut()
}

func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`)
	return "'" + r.Replace(s) + "'"
}
