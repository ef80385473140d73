package stats

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// Charts for people who would rather look than read (§1.5, §8.10(4)): bar
// charts drawn on the server as SVG, so they need no JavaScript, print as
// they show, and say everything they show in text as well. A chart only ever
// draws what a Report publishes: a suppressed figure has no bar at all, only
// the mark "[c]", so no length on the page stands for a number held back.

// Suppressed is the mark a held-back figure carries everywhere it is shown.
const HeldBackMark = "[c]"

// FigureText is a published figure as pages, charts and the PDF write it:
// "1,234", "61.5%", "12.5 days", or "[c]" when held back.
func FigureText(v Value) string {
	if v.Suppressed {
		return HeldBackMark
	}
	switch v.Kind {
	case Percent:
		return strconv.FormatFloat(v.F, 'f', 1, 64) + "%"
	case Median:
		return strconv.FormatFloat(v.F, 'f', 1, 64) + " days"
	}
	return groupThousands(v.N)
}

func groupThousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + groupThousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Bar is one bar of a chart: its figure and, for a chart of several series,
// which series it belongs to.
type Bar struct {
	Series int
	Value  Value
}

// BarGroup is one row of a chart: its label and a bar per series.
type BarGroup struct {
	Label string
	Bars  []Bar
}

// Chart is a horizontal bar chart: one group of bars per row of a table.
type Chart struct {
	ID     string // unique on the page; the SVG's ids derive from it
	Title  string
	Desc   string // what the chart shows, in words, beside the data table that follows it
	Series []string
	Groups []BarGroup
	Caveat string // said under the chart when it compares unlike figures
}

// ChartOf is the chart of a published table: a bar per row, of the row
// totals when the table has them, of its only column when it has one, and
// otherwise a group of bars per row, one for each column of the same kind.
func ChartOf(t Table) Chart {
	c := Chart{ID: "chart-" + t.ID, Title: t.Title}
	switch {
	case len(t.Cols) == 1:
		c.Series = []string{t.Cols[0]}
		for r, row := range t.Rows {
			c.Groups = append(c.Groups, BarGroup{Label: row, Bars: []Bar{{Value: cell(t, r, 0)}}})
		}
	case t.RowTotals != nil:
		c.Series = []string{"Total"}
		for r, row := range t.Rows {
			var v Value
			if r < len(t.RowTotals) {
				v = t.RowTotals[r]
			}
			c.Groups = append(c.Groups, BarGroup{Label: row, Bars: []Bar{{Value: v}}})
		}
	default:
		// The columns that share the first column's kind: a chart's bars
		// share one scale, so a percentage never stands beside a count.
		var cols []int
		for i := range t.Cols {
			if len(t.Rows) > 0 && cell(t, 0, i).Kind == cell(t, 0, 0).Kind {
				cols = append(cols, i)
			}
		}
		for _, i := range cols {
			c.Series = append(c.Series, t.Cols[i])
		}
		for r, row := range t.Rows {
			g := BarGroup{Label: row}
			for s, i := range cols {
				g.Bars = append(g.Bars, Bar{Series: s, Value: cell(t, r, i)})
			}
			c.Groups = append(c.Groups, g)
		}
	}
	c.Desc = describe(c)
	return c
}

func cell(t Table, r, c int) Value {
	if r < len(t.Cells) && c < len(t.Cells[r]) {
		return t.Cells[r][c]
	}
	return Value{Suppressed: true}
}

// describe says in words what each bar shows, in the order drawn.
func describe(c Chart) string {
	var parts []string
	for _, g := range c.Groups {
		var bars []string
		for _, b := range g.Bars {
			s := FigureText(b.Value)
			if b.Value.Suppressed {
				s = "held back ([c])"
			}
			if len(c.Series) > 1 {
				s = c.Series[b.Series] + " " + s
			}
			bars = append(bars, s)
		}
		parts = append(parts, g.Label+": "+strings.Join(bars, ", "))
	}
	d := "Bar chart of " + strings.Join(c.Series, " and ") + ". " + strings.Join(parts, "; ") + "."
	return d
}

// The drawing's measures, in SVG user units.
const (
	chartWidth  = 640
	labelWidth  = 210 // row labels, right-aligned before the bars
	barsLeft    = labelWidth + 10
	barsWidth   = 300 // the longest bar; its figure follows it
	barHeight   = 22
	barGap      = 4
	groupGap    = 14
	lineHeight  = 16
	labelChars  = 28 // a row label wraps at about this many characters
	legendEntry = 22
)

// Fills: GOV.UK blue and dark grey, each at least 4.5:1 against white and
// the text beside them; the second series is also hatched and every bar is
// labelled with its series and figure, so colour never carries meaning alone.
var seriesFill = []string{"#1d70b8", "url(#%s-hatch)"}

// Scale is the largest figure the bars are drawn against: 100 for
// percentages, otherwise the largest published figure. Held-back figures
// play no part in it, so the scale says nothing about them either.
func (c Chart) scale() float64 {
	max := 0.0
	for _, g := range c.Groups {
		for _, b := range g.Bars {
			if b.Value.Suppressed {
				continue
			}
			if b.Value.Kind == Percent {
				return 100
			}
			max = math.Max(max, magnitude(b.Value))
		}
	}
	if max == 0 {
		return 1
	}
	return max
}

func magnitude(v Value) float64 {
	if v.Kind == Count {
		return float64(v.N)
	}
	return v.F
}

// SVG draws the chart: role="img" named by its <title> and described by its
// <desc> (aria-labelledby both), every bar labelled in text with its figure,
// a held-back figure drawn as the text "[c]" with no bar. The page puts the
// chart's data table straight after it.
func (c Chart) SVG() string {
	id := safeID(c.ID)
	esc := html.EscapeString
	var b strings.Builder
	y := 8
	legend := len(c.Series) > 1
	if legend {
		y += legendEntry*len(c.Series) + 8
	}
	type placed struct {
		lines []string
		y     int
		bars  []Bar
	}
	var rows []placed
	for _, g := range c.Groups {
		lines := wrap(g.Label, labelChars)
		h := len(g.Bars)*(barHeight+barGap) - barGap
		if lh := len(lines) * lineHeight; lh > h {
			h = lh
		}
		rows = append(rows, placed{lines: lines, y: y, bars: g.Bars})
		y += h + groupGap
	}
	height := y
	scale := c.scale()
	// The drawing is as wide as its longest bar and figure need, so no text
	// runs past its edge; the page scales it to the column.
	width := chartWidth
	for _, g := range c.Groups {
		for _, bar := range g.Bars {
			text := FigureText(bar.Value)
			if legend {
				text = c.Series[bar.Series] + ": " + text
			}
			w := barsLeft + 6 + textWidth(text) + 8
			if !bar.Value.Suppressed {
				w += int(math.Round(magnitude(bar.Value) / scale * barsWidth))
			}
			width = max(width, w)
		}
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="wm-chart" role="img" aria-labelledby="%s-title %s-desc" viewBox="0 0 %d %d" width="100%%" preserveAspectRatio="xMinYMin meet" focusable="false">`, id, id, width, height)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, esc(c.Title), id, esc(c.Desc))
	fmt.Fprintf(&b, `<defs><pattern id="%s-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#505a5f"/><line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern></defs>`, id)
	b.WriteString(`<g font-family="Arial, Helvetica, sans-serif" font-size="14" fill="#0b0c0c">`)
	if legend {
		for s, name := range c.Series {
			ly := 8 + s*legendEntry
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="16" height="16" fill="%s" stroke="#0b0c0c"/><text x="%d" y="%d">%s</text>`,
				barsLeft, ly, fill(s, id), barsLeft+22, ly+13, esc(name))
		}
	}
	for _, r := range rows {
		for i, line := range r.lines {
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, labelWidth, r.y+14+i*lineHeight, esc(line))
		}
		for i, bar := range r.bars {
			by := r.y + i*(barHeight+barGap)
			text := FigureText(bar.Value)
			if legend {
				text = c.Series[bar.Series] + ": " + text
			}
			if bar.Value.Suppressed {
				// No bar: a figure held back has no length on the page.
				fmt.Fprintf(&b, `<text x="%d" y="%d" class="wm-chart__held">%s</text>`, barsLeft, by+15, esc(text))
				continue
			}
			w := int(math.Round(magnitude(bar.Value) / scale * barsWidth))
			if w < 1 && magnitude(bar.Value) > 0 {
				w = 1
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`, barsLeft, by, w, barHeight, fill(bar.Series, id))
			fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`, barsLeft+w+6, by+15, esc(text))
		}
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="4" x2="%d" y2="%d" stroke="#0b0c0c"/>`, barsLeft, barsLeft, height-4)
	b.WriteString(`</g></svg>`)
	return b.String()
}

func fill(series int, id string) string {
	f := seriesFill[series%len(seriesFill)]
	if strings.Contains(f, "%s") {
		return fmt.Sprintf(f, id)
	}
	return f
}

// safeID keeps letters, digits and hyphens, so an id is valid in SVG and
// CSS and never carries markup.
func safeID(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return "c" + b.String()
	}
	return b.String()
}

// wrap splits a label into lines of about n characters at spaces.
func wrap(s string, n int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len([]rune(line))+1+len([]rune(w)) > n {
			lines = append(lines, line)
			line = w
			continue
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	return lines
}

// textWidth is a generous estimate of the width of s at 14px in Arial.
func textWidth(s string) int { return len([]rune(s)) * 8 }
