package stats

import (
	"bytes"
	"fmt"
	"math"

	"github.com/go-pdf/fpdf"
)

// AnnualReportPDF is the partnership's annual report as an A4 PDF: the same
// charts and tables as the printable page, drawn with fpdf (the library the
// NRM documents use). A held-back figure is the text "[c]" and has no bar.
// The fonts are the embedded DejaVu faces (nrm.Fonts), so any partnership
// name prints; the same Report gives the same bytes.
func AnnualReportPDF(r Report, extra []Table, caveat string, regular, bold []byte) ([]byte, error) {
	const font = "dejavu"
	p := fpdf.New("P", "mm", "A4", "")
	p.SetCompression(true)
	p.SetCreationDate(r.Generated)
	p.SetModificationDate(r.Generated)
	p.SetTitle("Statistics: "+r.Partnership+", "+r.Period.Label, true)
	p.SetAuthor("Waymark", true)
	p.SetCreator("Waymark", true)
	p.SetProducer("Waymark", true)
	p.SetLang("en-GB")
	p.AddUTF8FontFromBytes(font, "", regular)
	p.AddUTF8FontFromBytes(font, "B", bold)
	p.SetMargins(18, 18, 18)
	p.SetAutoPageBreak(true, 18)
	p.AliasNbPages("")
	p.SetFooterFunc(func() {
		p.SetY(-13)
		p.SetFont(font, "", 8)
		p.SetTextColor(0x0b, 0x0c, 0x0c)
		p.CellFormat(120, 5, r.Partnership+": "+r.Period.Label, "", 0, "L", false, 0, "")
		p.CellFormat(54, 5, fmt.Sprintf("Page %d of {nb}", p.PageNo()), "", 0, "R", false, 0, "")
	})
	p.AddPage()
	p.SetTextColor(0x0b, 0x0c, 0x0c)
	p.SetFont(font, "B", 20)
	p.MultiCell(0, 9, "Statistics for "+r.Partnership, "", "L", false)
	p.SetFont(font, "", 12)
	p.MultiCell(0, 6, r.Period.Label, "", "L", false)
	p.Ln(2)
	p.SetFont(font, "", 10)
	p.MultiCell(0, 5, fmt.Sprintf("%s marks a figure held back: fewer than %d, a figure that would let one be worked out, or a rate or median on fewer than %d children.", HeldBackMark, r.Threshold, r.Threshold), "", "L", false)
	if r.RoundTo > 1 {
		p.MultiCell(0, 5, fmt.Sprintf("Totals are rounded to the nearest %d.", r.RoundTo), "", "L", false)
	}
	p.MultiCell(0, 5, "Generated "+r.Generated.UTC().Format("2 January 2006 15:04 UTC")+".", "", "L", false)

	tables := append(append([]Table{}, r.Tables...), extra...)
	for _, t := range tables {
		p.Ln(4)
		if p.GetY() > 230 {
			p.AddPage()
		}
		p.SetFont(font, "B", 14)
		p.MultiCell(0, 7, t.Title, "", "L", false)
		p.Ln(1)
		pdfChart(p, font, ChartOf(t))
		p.Ln(2)
		pdfTable(p, font, t)
		p.SetFont(font, "", 9)
		for _, n := range t.Notes {
			p.MultiCell(0, 4.5, n, "", "L", false)
		}
	}
	if caveat != "" {
		p.Ln(3)
		p.SetFont(font, "B", 11)
		p.MultiCell(0, 6, "About the national figures", "", "L", false)
		p.SetFont(font, "", 9)
		p.MultiCell(0, 4.5, caveat, "", "L", false)
	}
	var b bytes.Buffer
	if err := p.Output(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// pdfChart draws the chart's bars: label, bar, figure; "[c]" and no bar
// where a figure is held back; the second series hatched.
func pdfChart(p *fpdf.Fpdf, font string, c Chart) {
	const labelW, barsW, barH = 58.0, 80.0, 5.0
	left, _, _, _ := p.GetMargins()
	scale := c.scale()
	p.SetFont(font, "", 9)
	if len(c.Series) > 1 {
		for s, name := range c.Series {
			y := p.GetY()
			pdfBar(p, left+labelW+2, y, 4, 4, s)
			p.SetXY(left+labelW+8, y-0.5)
			p.CellFormat(0, 5, name, "", 1, "L", false, 0, "")
		}
		p.Ln(1)
	}
	for _, g := range c.Groups {
		need := float64(len(g.Bars))*(barH+1) + 2
		if p.GetY()+need > 275 {
			p.AddPage()
		}
		top := p.GetY()
		p.SetXY(left, top)
		p.MultiCell(labelW, 4.5, g.Label, "", "R", false)
		labelBottom := p.GetY()
		for i, b := range g.Bars {
			y := top + float64(i)*(barH+1)
			text := FigureText(b.Value)
			if len(c.Series) > 1 {
				text = c.Series[b.Series] + ": " + text
			}
			x := left + labelW + 2
			if !b.Value.Suppressed {
				w := math.Max(magnitude(b.Value)/scale*barsW, 0)
				if w > 0 {
					pdfBar(p, x, y, w, barH, b.Series)
				}
				x += w
			}
			p.SetXY(x+1, y)
			p.CellFormat(0, barH, text, "", 0, "L", false, 0, "")
		}
		p.SetY(math.Max(labelBottom, top+float64(len(g.Bars))*(barH+1)) + 1)
	}
}

func pdfBar(p *fpdf.Fpdf, x, y, w, h float64, series int) {
	if series%2 == 0 {
		p.SetFillColor(0x1d, 0x70, 0xb8)
		p.Rect(x, y, w, h, "F")
		return
	}
	p.SetFillColor(0x50, 0x5a, 0x5f)
	p.Rect(x, y, w, h, "F")
	// Hatching, so the series differ by more than colour.
	p.SetDrawColor(0xff, 0xff, 0xff)
	p.SetLineWidth(0.4)
	p.ClipRect(x, y, w, h, false)
	for d := -h; d < w; d += 1.6 {
		p.Line(x+d, y+h, x+d+h, y)
	}
	p.ClipEnd()
	p.SetDrawColor(0, 0, 0)
	p.SetLineWidth(0.2)
}

// pdfTable draws the table's grid as the exports have it.
func pdfTable(p *fpdf.Fpdf, font string, t Table) {
	rows := grid(t)
	if len(rows) == 0 {
		return
	}
	cols := len(rows[0])
	first := 62.0
	rest := (174.0 - first) / math.Max(float64(cols-1), 1)
	p.SetDrawColor(0xb1, 0xb4, 0xb6)
	for i, line := range rows {
		if p.GetY() > 270 {
			p.AddPage()
		}
		style := ""
		if i == 0 || (i == len(rows)-1 && line[0].text == "Total") {
			style = "B"
		}
		p.SetFont(font, style, 8.5)
		for j := 0; j < cols; j++ {
			s := ""
			if j < len(line) {
				s = line[j].String()
				if line[j].shown != "" {
					s = line[j].shown
				}
			}
			w, align := rest, "R"
			if j == 0 {
				w, align = first, "L"
			}
			if i == 0 && j > 0 {
				align = "R"
			}
			p.CellFormat(w, 6, fitText(p, s, w-1), "B", 0, align, false, 0, "")
		}
		p.Ln(6)
	}
}

// fitText shortens a header to the cell's width, ending "…"; a figure is
// never shortened (columns are wide enough for any).
func fitText(p *fpdf.Fpdf, s string, w float64) string {
	if p.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && p.GetStringWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
