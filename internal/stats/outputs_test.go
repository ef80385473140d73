package stats

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// sampleReport has a held-back cell, a held-back total, percentages and
// labels that a spreadsheet would take for formulas.
func sampleReport() Report {
	c := func(n int) Value { return Value{Kind: Count, N: n} }
	held := Value{Kind: Count, Suppressed: true}
	total := c(40)
	return Report{
		Partnership: "Northshire", PartnershipSlug: "northshire",
		Period:    Period{Label: "April 2025 to March 2026", Slug: "2025-26"},
		Generated: time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC), Threshold: 5,
		Tables: []Table{{
			ID: "referrals-by-exploitation-type", Title: "NRM referrals by exploitation type", RowHeader: "Exploitation type",
			Rows:      []string{"Criminal exploitation", "Sexual exploitation", "=HYPERLINK(\"http://evil\")", "Organ harvesting"},
			Cols:      []string{"Children referred"},
			Cells:     [][]Value{{c(22)}, {c(9)}, {held}, {held}},
			ColTotals: []Value{total}, Total: &total,
			Notes: []string{"+SUM(A1:A9) is not a formula here."},
		}, {
			ID: "timeliness", Title: "Reasonable Grounds within 5 working days", RowHeader: "Decision-maker",
			Rows:  []string{"@Single Competent Authority", "-Local panel", "\tTabbed", "\rReturned"},
			Cols:  []string{"Decisions", "Within 5 working days (%)"},
			Cells: [][]Value{{c(18), {Kind: Percent, F: 61.1}}, {held, {Kind: Percent, Suppressed: true}}, {c(7), {Kind: Percent, F: 57.1}}, {c(6), {Kind: Percent, F: 50}}},
		}},
	}
}

// dangerous says whether a text cell would be taken for a formula.
func dangerous(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

func TestChartsAreAccessibleAndDrawNoBarForAHeldBackFigure(t *testing.T) {
	r := sampleReport()
	svg := ChartOf(r.Tables[0]).SVG()
	for _, want := range []string{`role="img"`, `aria-labelledby="chart-referrals-by-exploitation-type-title chart-referrals-by-exploitation-type-desc"`,
		`<title id="chart-referrals-by-exploitation-type-title">NRM referrals by exploitation type</title>`, `<desc id=`, `>22</text>`, `>[c]</text>`, "held back ([c])"} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %q:\n%s", want, svg)
		}
	}
	if strings.Contains(svg, "<script") || strings.Contains(svg, `=HYPERLINK("`) {
		t.Errorf("chart carries script or unescaped text:\n%s", svg)
	}
	var doc struct {
		Rects []struct {
			Width string `xml:"width,attr"`
			Fill  string `xml:"fill,attr"`
		} `xml:"g>rect"`
	}
	if err := xml.Unmarshal([]byte(svg), &doc); err != nil {
		t.Fatalf("chart is not well-formed XML: %v", err)
	}
	// Two published figures, two bars: the held-back rows have none.
	bars := 0
	for _, rc := range doc.Rects {
		if rc.Fill == "#1d70b8" {
			bars++
		}
	}
	if bars != 2 {
		t.Errorf("chart draws %d bars, want 2 (one per published figure)", bars)
	}
}

func TestAChartOfSeveralSeriesLabelsEachBarWithItsSeries(t *testing.T) {
	tb := Table{ID: "x", Title: "Shares", RowHeader: "Type", Rows: []string{"Criminal"}, Cols: []string{"Partnership (%)", "UK (%)"},
		Cells: [][]Value{{{Kind: Percent, F: 55}, {Kind: Percent, F: 49}}}}
	svg := ChartOf(tb).SVG()
	for _, want := range []string{"Partnership (%): 55.0%", "UK (%): 49.0%", "url(#chart-x-hatch)"} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %q, so colour alone would tell the series apart", want)
		}
	}
}

func TestChartGolden(t *testing.T) {
	tb := Table{ID: "g", Title: "T", RowHeader: "R", Rows: []string{"A", "B"}, Cols: []string{"N"},
		Cells: [][]Value{{{Kind: Count, N: 10}}, {{Kind: Count, Suppressed: true}}}}
	got := ChartOf(tb).SVG()
	want := `<svg xmlns="http://www.w3.org/2000/svg" class="wm-chart" role="img" aria-labelledby="chart-g-title chart-g-desc" viewBox="0 0 640 80" width="100%" preserveAspectRatio="xMinYMin meet" focusable="false">` +
		`<title id="chart-g-title">T</title><desc id="chart-g-desc">Bar chart of N. A: 10; B: held back ([c]).</desc>` +
		`<defs><pattern id="chart-g-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#505a5f"/><line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern></defs>` +
		`<g font-family="Arial, Helvetica, sans-serif" font-size="14" fill="#0b0c0c">` +
		`<text x="210" y="22" text-anchor="end">A</text><rect x="220" y="8" width="300" height="22" fill="#1d70b8"/><text x="526" y="23">10</text>` +
		`<text x="210" y="58" text-anchor="end">B</text><text x="220" y="59" class="wm-chart__held">[c]</text>` +
		`<line x1="220" y1="4" x2="220" y2="76" stroke="#0b0c0c"/></g></svg>`
	if got != want {
		t.Errorf("chart changed:\n got %s\nwant %s", got, want)
	}
}

func TestNeutraliseCellStopsFormulaInjection(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx", "Criminal": "Criminal", "": ""} {
		if got := NeutraliseCell(in); got != want {
			t.Errorf("NeutraliseCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCSVExportKeepsSuppressionAndIsSafeFromFormulas(t *testing.T) {
	r := sampleReport()
	for name, body := range map[string][]byte{"one": CSV(r.Tables[0]), "all": CSVAll(r), "two": CSV(r.Tables[1])} {
		rd := csv.NewReader(bytes.NewReader(body))
		rd.FieldsPerRecord = -1
		recs, err := rd.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		held := 0
		for _, rec := range recs {
			for _, f := range rec {
				if dangerous(f) {
					t.Errorf("%s: cell %q would run as a formula", name, f)
				}
				if f == "[c]" {
					held++
				}
			}
		}
		if held == 0 {
			t.Errorf("%s: no [c] cell", name)
		}
	}
	recs, _ := csv.NewReader(bytes.NewReader(CSV(r.Tables[0]))).ReadAll()
	want := [][]string{{"Exploitation type", "Children referred"}, {"Criminal exploitation", "22"}, {"Sexual exploitation", "9"},
		{`'=HYPERLINK("http://evil")`, "[c]"}, {"Organ harvesting", "[c]"}, {"Total", "40"}}
	if len(recs) != len(want) {
		t.Fatalf("CSV = %q", recs)
	}
	for i := range want {
		if strings.Join(recs[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d = %q, want %q", i, recs[i], want[i])
		}
	}
	if got := r.FileName("", "csv"); got != "waymark-statistics-northshire-2025-26.csv" {
		t.Errorf("file name %q", got)
	}
}

func TestXLSXExportReadsBackWithSuppressionAndTextCells(t *testing.T) {
	r := sampleReport()
	body, err := XLSX(r)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if strings.Join(sheets, ",") != "About,referrals-by-exploitation-ty,timeliness" {
		t.Errorf("sheets = %q", sheets)
	}
	check := func(sheet, cellRef, want string, typ excelize.CellType) {
		t.Helper()
		got, err := f.GetCellValue(sheet, cellRef)
		if err != nil || got != want {
			t.Errorf("%s!%s = %q, %v; want %q", sheet, cellRef, got, err, want)
		}
		ct, _ := f.GetCellType(sheet, cellRef)
		if ct != typ {
			t.Errorf("%s!%s type %v, want %v", sheet, cellRef, ct, typ)
		}
		if fm, _ := f.GetCellFormula(sheet, cellRef); fm != "" {
			t.Errorf("%s!%s has formula %q", sheet, cellRef, fm)
		}
	}
	s := sheets[1]
	check(s, "A2", "Exploitation type", excelize.CellTypeSharedString)
	check(s, "B3", "22", excelize.CellTypeUnset)
	check(s, "A5", `'=HYPERLINK("http://evil")`, excelize.CellTypeSharedString)
	check(s, "B5", "[c]", excelize.CellTypeSharedString)
	check(s, "B7", "40", excelize.CellTypeUnset)
	check(sheets[2], "A3", "'@Single Competent Authority", excelize.CellTypeSharedString)
	check(sheets[2], "C3", "61.1", excelize.CellTypeUnset)
	check(sheets[2], "C4", "[c]", excelize.CellTypeSharedString)
	for _, sh := range sheets {
		rows, _ := f.GetRows(sh)
		for _, row := range rows {
			for _, v := range row {
				if dangerous(v) {
					t.Errorf("%s: cell %q would run as a formula", sh, v)
				}
			}
		}
	}
}

// odsCells reads every sheet of an ODS file: its name and rows of cells,
// each with its value type and text.
func odsCells(t *testing.T, body []byte) map[string][][][2]string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	if z.File[0].Name != "mimetype" || z.File[0].Method != zip.Store {
		t.Fatalf("first entry %q (method %d), want mimetype stored", z.File[0].Name, z.File[0].Method)
	}
	var content []byte
	for _, f := range z.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		switch f.Name {
		case "mimetype":
			if string(b) != "application/vnd.oasis.opendocument.spreadsheet" {
				t.Errorf("mimetype %q", b)
			}
		case "content.xml":
			content = b
		}
	}
	var doc struct {
		Tables []struct {
			Name string `xml:"name,attr"`
			Rows []struct {
				Cells []struct {
					Type    string `xml:"value-type,attr"`
					Formula string `xml:"formula,attr"`
					P       string `xml:"p"`
				} `xml:"table-cell"`
			} `xml:"table-row"`
		} `xml:"body>spreadsheet>table"`
	}
	if err := xml.Unmarshal(content, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string][][][2]string{}
	for _, tb := range doc.Tables {
		var rows [][][2]string
		for _, r := range tb.Rows {
			var row [][2]string
			for _, c := range r.Cells {
				if c.Formula != "" {
					t.Errorf("cell %q carries a formula", c.P)
				}
				row = append(row, [2]string{c.Type, c.P})
			}
			rows = append(rows, row)
		}
		out[tb.Name] = rows
	}
	return out
}

func TestODSExportReadsBackWithSuppressionAndTextCells(t *testing.T) {
	r := sampleReport()
	body, err := ODS(r)
	if err != nil {
		t.Fatal(err)
	}
	sheets := odsCells(t, body)
	if len(sheets) != 3 {
		t.Fatalf("sheets = %v", sheets)
	}
	ref := sheets["referrals-by-exploitation-ty"]
	for _, tc := range []struct {
		r, c      int
		typ, text string
	}{{2, 1, "float", "22"}, {4, 0, "string", `'=HYPERLINK("http://evil")`}, {4, 1, "string", "[c]"}, {6, 1, "float", "40"}} {
		got := ref[tc.r][tc.c]
		if got != [2]string{tc.typ, tc.text} {
			t.Errorf("cell %d,%d = %q, want %s %q", tc.r, tc.c, got, tc.typ, tc.text)
		}
	}
	for name, rows := range sheets {
		for _, row := range rows {
			for _, c := range row {
				if dangerous(c[1]) {
					t.Errorf("%s: cell %q would run as a formula", name, c[1])
				}
			}
		}
	}
}

func TestAnnualReportPDFOpens(t *testing.T) {
	r := sampleReport()
	nat, err := NationalFigures()
	if err != nil {
		t.Fatal(err)
	}
	cmp, _ := ComparisonTable(r, nat)
	body, err := AnnualReportPDF(r, []Table{cmp, nat.ChildrenByYearTable()}, nat.Caveat, testFont(t), testFont(t))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(body, []byte("%PDF-")) || !bytes.Contains(body, []byte("%%EOF")) {
		t.Fatalf("not a PDF: %q", body[:min(20, len(body))])
	}
	// What a reader copies from it: the titles, the figures, [c] for the
	// held-back ones and the national figures' source.
	text := pdftotext(t, body)
	for _, want := range []string{"Statistics for Northshire", "NRM referrals by exploitation type", "[c]", "22", "Share of child referrals by exploitation type", "gov.uk"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}
}

// pdftotext reads a PDF's text back as poppler does; skipped loudly without
// poppler-utils, except in CI, which installs it (.ci/run).
func pdftotext(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is not installed: CI must install poppler-utils")
		}
		t.Skip("SKIPPED: pdftotext is not installed (apt-get install poppler-utils); the PDF's text is not checked")
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
