package stats

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Exports of a Report: CSV, XLSX and ODS of every table, with the same
// suppression as the page ("[c]", never a number), named by Report.FileName
// (the partnership and period, never a child), and safe to open in a
// spreadsheet: a text cell that a spreadsheet would take for a formula is
// neutralised (NeutraliseCell), and in XLSX and ODS every text cell is
// written as text, never as a formula.

// NeutraliseCell makes a text cell safe from formula injection: one that
// starts with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe, so a spreadsheet shows it as text and never evaluates it.
func NeutraliseCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// exportCell is one cell of an exported grid: text, or a number (Count,
// Percent, Median) written as one so a spreadsheet can sum it.
type exportCell struct {
	text   string
	num    float64
	isNum  bool
	numStr string
	shown  string // as pages and the PDF write it (FigureText)
}

func textCell(s string) exportCell { return exportCell{text: NeutraliseCell(s)} }

func valueCell(v Value) exportCell {
	if v.Suppressed {
		return exportCell{text: HeldBackMark, shown: HeldBackMark}
	}
	switch v.Kind {
	case Percent, Median:
		s := strconv.FormatFloat(v.F, 'f', 1, 64)
		f, _ := strconv.ParseFloat(s, 64)
		return exportCell{num: f, isNum: true, numStr: s, shown: FigureText(v)}
	}
	return exportCell{num: float64(v.N), isNum: true, numStr: strconv.Itoa(v.N), shown: FigureText(v)}
}

func (c exportCell) String() string {
	if c.isNum {
		return c.numStr
	}
	return c.text
}

// grid is a table as rows of cells: a header row, a row per table row (with
// its total when published) and the totals row when published.
func grid(t Table) [][]exportCell {
	head := []exportCell{textCell(t.RowHeader)}
	for _, c := range t.Cols {
		head = append(head, textCell(c))
	}
	if t.RowTotals != nil {
		head = append(head, textCell("Total"))
	}
	out := [][]exportCell{head}
	for r, row := range t.Rows {
		line := []exportCell{textCell(row)}
		for c := range t.Cols {
			line = append(line, valueCell(cell(t, r, c)))
		}
		if t.RowTotals != nil {
			v := Value{Suppressed: true}
			if r < len(t.RowTotals) {
				v = t.RowTotals[r]
			}
			line = append(line, valueCell(v))
		}
		out = append(out, line)
	}
	if t.ColTotals != nil || (t.Total != nil && t.RowTotals != nil) {
		line := []exportCell{textCell("Total")}
		for c := range t.Cols {
			v := Value{Suppressed: true}
			if c < len(t.ColTotals) {
				v = t.ColTotals[c]
			}
			if t.ColTotals == nil {
				line = append(line, textCell(""))
				continue
			}
			line = append(line, valueCell(v))
		}
		if t.RowTotals != nil {
			if t.Total != nil {
				line = append(line, valueCell(*t.Total))
			} else {
				line = append(line, textCell(""))
			}
		}
		out = append(out, line)
	} else if t.Total != nil {
		out = append(out, []exportCell{textCell("Total"), valueCell(*t.Total)})
	}
	return out
}

// about is what every export says first: whose figures, for when, and what
// "[c]" means.
func about(r Report) [][]string {
	rows := [][]string{
		{"Partnership", r.Partnership},
		{"Period", r.Period.Label},
		{"Generated", r.Generated.UTC().Format("2006-01-02 15:04 UTC")},
		{HeldBackMark, fmt.Sprintf("Held back: fewer than %d, or a figure that would let one be worked out, or a rate or median on fewer than %d.", r.Threshold, r.Threshold)},
	}
	if r.RoundTo > 1 {
		rows = append(rows, []string{"Rounding", fmt.Sprintf("Totals are rounded to the nearest %d.", r.RoundTo)})
	}
	return rows
}

// ExportTable is the table of r with the given id.
func ExportTable(r Report, id string) (Table, bool) {
	for _, t := range r.Tables {
		if t.ID == id {
			return t, true
		}
	}
	return Table{}, false
}

// CSV is one table as CSV: the header row, the rows and the totals, nothing
// else, so it loads straight into a spreadsheet or a program.
func CSV(t Table) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, line := range grid(t) {
		rec := make([]string, len(line))
		for i, c := range line {
			rec[i] = c.String()
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return b.Bytes()
}

// CSVAll is every table of r in one CSV: what the figures are, then each
// table under its title, with its notes, a blank line between tables.
func CSVAll(r Report) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, row := range about(r) {
		_ = w.Write([]string{NeutraliseCell(row[0]), NeutraliseCell(row[1])})
	}
	for _, t := range r.Tables {
		_ = w.Write([]string{""})
		_ = w.Write([]string{NeutraliseCell(t.Title)})
		for _, line := range grid(t) {
			rec := make([]string, len(line))
			for i, c := range line {
				rec[i] = c.String()
			}
			_ = w.Write(rec)
		}
		for _, n := range t.Notes {
			_ = w.Write([]string{NeutraliseCell("Note: " + n)})
		}
	}
	w.Flush()
	return b.Bytes()
}

// sheetNames gives each table a sheet name a spreadsheet accepts: at most 31
// characters, none of []:*?/\, unique, and not starting with an apostrophe.
func sheetNames(r Report) []string {
	seen := map[string]bool{"About": true}
	var names []string
	for i, t := range r.Tables {
		base := strings.Map(func(c rune) rune {
			if strings.ContainsRune(`[]:*?/\'`, c) {
				return '-'
			}
			return c
		}, t.ID)
		if base == "" {
			base = "table"
		}
		if len(base) > 28 {
			base = base[:28]
		}
		name := base
		for n := 2; seen[strings.ToLower(name)]; n++ {
			name = fmt.Sprintf("%s-%d", base, n)
		}
		_ = i
		seen[strings.ToLower(name)] = true
		names = append(names, name)
	}
	return names
}

// XLSX is every table of r as a workbook: an "About" sheet, then a sheet per
// table with its title, its grid and its notes. Numbers are numbers; every
// text cell is written as a string, never a formula, and is neutralised too.
func XLSX(r Report) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "About"); err != nil {
		return nil, err
	}
	for i, row := range about(r) {
		for j, s := range row {
			if err := f.SetCellStr("About", cellName(j, i+1), NeutraliseCell(s)); err != nil {
				return nil, err
			}
		}
	}
	for i, name := range sheetNames(r) {
		t := r.Tables[i]
		if _, err := f.NewSheet(name); err != nil {
			return nil, err
		}
		if err := f.SetCellStr(name, "A1", NeutraliseCell(t.Title)); err != nil {
			return nil, err
		}
		row := 2
		for _, line := range grid(t) {
			for j, c := range line {
				var err error
				if c.isNum {
					err = f.SetCellFloat(name, cellName(j, row), c.num, -1, 64)
				} else {
					err = f.SetCellStr(name, cellName(j, row), c.text)
				}
				if err != nil {
					return nil, err
				}
			}
			row++
		}
		for _, n := range t.Notes {
			row++
			if err := f.SetCellStr(name, cellName(0, row-1), NeutraliseCell("Note: "+n)); err != nil {
				return nil, err
			}
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// cellName is the A1 name of column c (from 0) and row r (from 1).
func cellName(c, r int) string {
	n, _ := excelize.CoordinatesToCellName(c+1, r)
	return n
}

// ODS is every table of r as an OpenDocument spreadsheet: the same sheets as
// XLSX. No well-kept Go library writes ODS (docs/architecture.md), so it is
// written here with archive/zip and encoding/xml: the uncompressed mimetype
// first, as the standard requires, then the manifest and content.xml. Text
// cells are office:value-type="string" and no cell carries a table:formula.
func ODS(r Report) ([]byte, error) {
	var content bytes.Buffer
	content.WriteString(xml.Header)
	content.WriteString(`<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>`)
	sheet := func(name string, rows [][]exportCell) {
		content.WriteString(`<table:table table:name="` + xmlEscape(name) + `">`)
		width := 1
		for _, r := range rows {
			width = max(width, len(r))
		}
		fmt.Fprintf(&content, `<table:table-column table:number-columns-repeated="%d"/>`, width)
		for _, line := range rows {
			content.WriteString(`<table:table-row>`)
			for _, c := range line {
				if c.isNum {
					fmt.Fprintf(&content, `<table:table-cell office:value-type="float" office:value="%s"><text:p>%s</text:p></table:table-cell>`, c.numStr, c.numStr)
				} else {
					content.WriteString(`<table:table-cell office:value-type="string"><text:p>` + xmlEscape(c.text) + `</text:p></table:table-cell>`)
				}
			}
			content.WriteString(`</table:table-row>`)
		}
		content.WriteString(`</table:table>`)
	}
	var aboutRows [][]exportCell
	for _, row := range about(r) {
		aboutRows = append(aboutRows, []exportCell{textCell(row[0]), textCell(row[1])})
	}
	sheet("About", aboutRows)
	for i, name := range sheetNames(r) {
		t := r.Tables[i]
		rows := [][]exportCell{{textCell(t.Title)}}
		rows = append(rows, grid(t)...)
		for _, n := range t.Notes {
			rows = append(rows, []exportCell{textCell("Note: " + n)})
		}
		sheet(name, rows)
	}
	content.WriteString(`</office:spreadsheet></office:body></office:document-content>`)

	var b bytes.Buffer
	z := zip.NewWriter(&b)
	mt, err := z.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store, Modified: r.Generated})
	if err != nil {
		return nil, err
	}
	if _, err := mt.Write([]byte(odsMimeType)); err != nil {
		return nil, err
	}
	files := []struct{ name, body string }{
		{"META-INF/manifest.xml", xml.Header + `<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">` +
			`<manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="` + odsMimeType + `"/>` +
			`<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>` +
			`<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>` +
			`</manifest:manifest>`},
		{"styles.xml", xml.Header + `<office:document-styles xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.2"/>`},
		{"content.xml", content.String()},
	}
	for _, f := range files {
		w, err := z.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: r.Generated})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte(f.body)); err != nil {
			return nil, err
		}
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

const odsMimeType = "application/vnd.oasis.opendocument.spreadsheet"

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
