package nrm

import (
	"bytes"
	_ "embed"
	"math"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
	"github.com/go-text/typesetting/bidi"
	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
	"github.com/go-text/typesetting/font/opentype/tables"
	"github.com/go-text/typesetting/segmenter"
	xbidi "golang.org/x/text/unicode/bidi"
	"golang.org/x/text/unicode/norm"
)

// How the PDF sets any text a worker or a child's record may hold, in any
// script (fonts/README.md: the fonts and their licences).
//
// The PDF library draws a string by its code points through one font's
// character map, one font at a time, left to right. So each string is made
// ready here: normalised (NFC), Arabic letters shaped into their contextual
// presentation forms (lam-alef ligatures included), broken into lines,
// each line put into visual order by the Unicode bidirectional algorithm,
// and cut into runs by the embedded font that has the glyphs. A character
// no embedded font has (an emoji, a private-use code point, a character
// outside the Basic Multilingual Plane, which the PDF library cannot
// address) is drawn as U+FFFD, the replacement character, once per
// user-perceived character; the document then says what that mark means.
// The plain-text export keeps every character as it was typed.

var (
	//go:embed fonts/NotoSansArabic-Regular.ttf
	fontArabic []byte
	//go:embed fonts/NotoSansEthiopic-Regular.ttf
	fontEthiopic []byte
	//go:embed fonts/DroidSansFallbackFull.ttf
	fontCJK []byte
)

// placeholder stands for a character no embedded font can draw.
const placeholder = '\uFFFD'

// The faces, in the order they are tried. The fallback faces have no bold:
// a bold run in their scripts is set in their regular face.
const (
	faceRegular = iota
	faceBold
	faceArabic
	faceEthiopic
	faceCJK
	faceCount
)

type fontFace struct {
	family, style string
	file          []byte
	// width holds, for each code point of the Basic Multilingual Plane, its
	// advance in thousandths of the font size as the PDF library reckons it,
	// or noGlyph.
	width []uint16
}

const noGlyph = math.MaxUint16

// faces are parsed once, on the first PDF, and only read afterwards.
var faces = sync.OnceValue(loadFaces)

func loadFaces() [faceCount]fontFace {
	fs := [faceCount]fontFace{
		faceRegular:  {family: pdfFont, style: "", file: fontRegular},
		faceBold:     {family: pdfFont, style: "B", file: fontBold},
		faceArabic:   {family: "notosansarabic", file: fontArabic},
		faceEthiopic: {family: "notosansethiopic", file: fontEthiopic},
		faceCJK:      {family: "droidsansfallback", file: fontCJK},
	}
	for i := range fs {
		w, err := advances(fs[i].file)
		if err != nil {
			panic("nrm: an embedded font does not parse: " + err.Error()) // the files are fixed at build time
		}
		fs[i].width = w
	}
	return fs
}

// advances reads a TrueType font's character map and horizontal metrics
// (and nothing else: its outlines are the PDF library's business) into a
// width table for the Basic Multilingual Plane, rounded as the PDF library
// rounds them (1000 / units per em, to the nearest).
func advances(file []byte) ([]uint16, error) {
	ld, err := ot.NewLoader(bytes.NewReader(file))
	if err != nil {
		return nil, err
	}
	table := func(tag string) []byte {
		if err != nil {
			return nil
		}
		var b []byte
		b, err = ld.RawTable(ot.MustNewTag(tag))
		return b
	}
	head, _, err := tables.ParseHead(table("head"))
	if err != nil {
		return nil, err
	}
	maxp, _, err := tables.ParseMaxp(table("maxp"))
	if err != nil {
		return nil, err
	}
	hhea, _, err := tables.ParseHhea(table("hhea"))
	if err != nil {
		return nil, err
	}
	long := int(hhea.NumOfLongMetrics)
	hmtx, _, err := tables.ParseHmtx(table("hmtx"), long, max(int(maxp.NumGlyphs)-long, 0))
	if err != nil {
		return nil, err
	}
	raw, _, err := tables.ParseCmap(table("cmap"))
	if err != nil {
		return nil, err
	}
	cmap, _, err := font.ProcessCmap(raw, 0)
	if err != nil {
		return nil, err
	}
	scale := 1000 / float64(head.Upem())
	w := make([]uint16, 0x10000)
	for r := range w {
		w[r] = noGlyph
	}
	for it := cmap.Iter(); it.Next(); {
		r, gid := it.Char()
		if r <= 0 || r >= 0xFFFF || (r >= 0xD800 && r <= 0xDFFF) || gid == 0 {
			continue
		}
		adv := max(float64(hmtx.Advance(tables.GlyphID(gid))), 0)
		w[r] = uint16(min(math.Round(scale*adv), noGlyph-1))
	}
	return w, nil
}

// has reports whether face f draws r.
func (f *fontFace) has(r rune) bool { return r < 0x10000 && r >= 0 && f.width[r] != noGlyph }

// textWriter sets text on a page with the faces above, adding a fallback
// face to the document the first time it is needed, so a document that
// needs none stays as small and as quick to make as before.
type textWriter struct {
	p            *fpdf.Fpdf
	faces        *[faceCount]fontFace
	added        [faceCount]bool
	placeholders int
	bidi         bidi.Paragraph
}

func newTextWriter(p *fpdf.Fpdf) *textWriter {
	fs := faces()
	w := &textWriter{p: p, faces: &fs}
	w.added[faceRegular], w.added[faceBold] = true, true
	return w
}

func (w *textWriter) use(face int, size float64) {
	f := &w.faces[face]
	if !w.added[face] {
		w.p.AddUTF8FontFromBytes(f.family, f.style, f.file)
		w.added[face] = true
	}
	w.p.SetFont(f.family, f.style, size)
}

// piece is text set in one face: a cluster, or a run of clusters on a line.
type piece struct {
	face  int
	text  string
	width int // thousandths of the font size
	space bool
	// breakBefore: a line may end just before this piece.
	breakBefore bool
	level       bidi.Level
}

// block sets s as MultiCell would (the full width between the margins,
// lines of height h, left aligned, with the background filled or not) but
// for any Unicode text, in the given style ("" or "B") and size (points).
func (w *textWriter) block(style string, size, h float64, s string, fill bool) {
	p := w.p
	primary := faceRegular
	if style == "B" {
		primary = faceBold
	}
	w.use(primary, size)
	pageW, _ := p.GetPageSize()
	left, _, right, _ := p.GetMargins()
	cellW := pageW - right - p.GetX()
	cm := p.GetCellMargin()
	_, unit := p.GetFontSize() // the size in millimetres, which widths scale by
	wmax := int(math.Ceil((cellW - 2*cm) * 1000 / unit))
	if !utf8.ValidString(s) {
		w.placeholders++ // each invalid byte is drawn as U+FFFD
	}
	for _, para := range setParagraphs(s) {
		lines, rtl := w.lines(para, primary, wmax)
		for _, line := range lines {
			w.drawLine(line, rtl, primary, size, unit, cellW, h, fill)
		}
	}
	p.SetX(left)
}

// lineBreaks: every way of ending a line becomes "\n"; a carriage return
// alone is dropped and a tab is a space, as MultiCell has them.
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "", "\u2028", "\n", "\u2029", "\n", "\u0085", "\n", "\t", " ")

// setParagraphs makes s ready to set: valid UTF-8 (an invalid byte becomes
// U+FFFD), composed (NFC, so a name typed with combining accents meets the
// font's precomposed letters), and split at line breaks, dropping the
// trailing ones as MultiCell does.
func setParagraphs(s string) []string {
	s = strings.ToValidUTF8(s, string(placeholder))
	s = norm.NFC.String(s)
	s = lineBreaks.Replace(s)
	s = strings.TrimRight(s, "\n")
	return strings.Split(s, "\n")
}

// lines shapes a paragraph, breaks it into lines no wider than wmax and
// puts each line into visual order; rtl says the paragraph is written
// right to left (its first strong character is, UAX #9 rule P2).
func (w *textWriter) lines(para string, primary, wmax int) (lines [][]piece, rtl bool) {
	if out, ok := w.plainLines(para, primary, wmax); ok {
		return out, false
	}
	runes := []rune(para)
	mixed := false
	for _, r := range runes {
		if isRTL(r) {
			mixed = true
			break
		}
	}
	if mixed {
		runes = shapeArabic(runes)
		for i, r := range runes {
			// A directional override would draw what follows it backwards,
			// which can make a sentence read as something else: it counts
			// as an embedding instead, which keeps each run's own order.
			switch r {
			case 0x202D: // left-to-right override
				runes[i] = 0x202A
			case 0x202E: // right-to-left override
				runes[i] = 0x202B
			}
		}
		rtl = firstStrongIsRTL(runes)
	}
	levels := make([]bidi.Level, len(runes))
	if mixed {
		runs := w.bidi.Segment(runes, bidi.Neutral)
		for i := range runs.NumRuns() {
			run := runs.Run(i)
			for k := run.Start; k < run.End && k < len(levels); k++ {
				levels[k] = run.Level
			}
		}
	}
	clusters := w.clusters(runes, levels, primary)
	var out [][]piece
	for _, l := range breakLines(len(clusters), wmax,
		func(i int) int { return clusters[i].width },
		func(i int) bool { return clusters[i].space },
		func(i int) bool { return clusters[i].breakBefore }) {
		out = append(out, visual(clusters[l[0]:l[1]]))
	}
	return out, rtl
}

// firstStrongIsRTL: the first character with a strong direction, outside
// isolates, is right to left (UAX #9 rules P2 and P3).
func firstStrongIsRTL(rs []rune) bool {
	isolates := 0
	for _, r := range rs {
		switch p, _ := xbidi.LookupRune(r); p.Class() {
		case xbidi.LRI, xbidi.RLI, xbidi.FSI:
			isolates++
		case xbidi.PDI:
			isolates = max(isolates-1, 0)
		case xbidi.L:
			if isolates == 0 {
				return false
			}
		case xbidi.R, xbidi.AL:
			if isolates == 0 {
				return true
			}
		}
	}
	return false
}

// plainLines breaks a paragraph that needs nothing but the text's own face
// and no reordering (most of any draft) without cutting it into clusters.
func (w *textWriter) plainLines(para string, primary, wmax int) ([][]piece, bool) {
	face := &w.faces[primary]
	ascii := true
	for i := 0; i < len(para); i++ {
		if c := para[i]; c >= utf8.RuneSelf {
			ascii = false
		} else if c < 0x20 || c == 0x7F || face.width[c] == noGlyph {
			return nil, false
		}
	}
	if ascii { // one byte a character: no need to decode
		return splitPlain(len(para), wmax, primary,
			func(i int) int { return int(face.width[para[i]]) },
			func(i int) bool { return para[i] == ' ' },
			func(a, b int) string { return para[a:b] }), true
	}
	runes := []rune(para)
	for _, r := range runes {
		if !plain(r) || !face.has(r) {
			return nil, false
		}
	}
	return splitPlain(len(runes), wmax, primary,
		func(i int) int { return int(face.width[runes[i]]) },
		func(i int) bool { return runes[i] == ' ' },
		func(a, b int) string { return string(runes[a:b]) }), true
}

// splitPlain breaks n plain characters into lines of one piece each.
func splitPlain(n, wmax, face int, width func(int) int, space func(int) bool, text func(a, b int) string) [][]piece {
	var out [][]piece
	for _, l := range breakLines(n, wmax, width, space, func(i int) bool { return space(i-1) && !space(i) }) {
		if l[0] == l[1] {
			out = append(out, nil)
			continue
		}
		wd := 0
		for i := l[0]; i < l[1]; i++ {
			wd += width(i)
		}
		out = append(out, []piece{{face: face, text: text(l[0], l[1]), width: wd}})
	}
	return out
}

// plain: r is a user-perceived character on its own, written left to
// right, and a line breaks after it only if it is U+0020 (Latin, Greek and
// Cyrillic letters without combining marks, Vietnamese precomposed, general
// punctuation and currency signs).
func plain(r rune) bool {
	switch {
	case r == ' ':
		return true
	case r < 0x20 || (r >= 0x7F && r < 0xA0) || r == 0xAD || breakingSpace(r):
		return false
	case r < 0x0300 || (r >= 0x0370 && r < 0x0483) || (r >= 0x048A && r < 0x0530) || (r >= 0x1E00 && r < 0x2000):
		return true
	case (r >= 0x2010 && r < 0x2028) || (r >= 0x2030 && r < 0x205F) || (r >= 0x20A0 && r < 0x20C0):
		return true
	}
	return false
}

// breakLines is where a paragraph of n items breaks, greedily, as
// MultiCell does: a line ends at the last break opportunity before the item
// that would overflow wmax, or, in a word longer than the line, before that
// item (a line always holds one item). Spaces may overhang the margin and
// are dropped from the end of a line. An empty paragraph is one empty line.
func breakLines(n, wmax int, width func(int) int, space, breakBefore func(int) bool) [][2]int {
	var out [][2]int
	for start := 0; ; {
		end, used, brk := start, 0, -1
		for end < n {
			if end > start && breakBefore(end) {
				brk = end
			}
			wd := width(end)
			if !space(end) && end > start && used+wd > wmax {
				break
			}
			used += wd
			end++
		}
		cut := end
		if end < n && brk > start {
			cut = brk
		}
		last := cut
		for last > start && space(last-1) {
			last--
		}
		out = append(out, [2]int{start, last})
		start = cut
		if start >= n {
			return out
		}
	}
}

// clusters cuts the runes into user-perceived characters and picks the
// face for each.
func (w *textWriter) clusters(runes []rune, levels []bidi.Level, primary int) []piece {
	var out []piece
	add := func(at int, cl []rune) {
		out = append(out, w.cluster(cl, levels[at], primary)...)
	}
	simple := true
	for _, r := range runes {
		if r >= 0x300 {
			simple = false
			break
		}
	}
	if simple {
		for i := range runes {
			add(i, runes[i:i+1])
		}
	} else {
		var seg segmenter.Segmenter
		seg.Init(runes)
		for it := seg.GraphemeIterator(); it.Next(); {
			g := it.Grapheme()
			add(g.Offset, g.Text)
		}
	}
	for i := range out {
		if i == 0 {
			continue
		}
		prev, cur := out[i-1], out[i]
		out[i].breakBefore = (prev.space && !cur.space) ||
			(!cur.space && !prev.space && (ideographic(firstRune(cur.text)) || ideographic(lastRune(prev.text))) && !closing(firstRune(cur.text))) ||
			(!cur.space && (lastRune(prev.text) == 0x1361 || lastRune(prev.text) == 0x1362))
	}
	return out
}

// cluster sets one user-perceived character: in the first face that has
// all of it, or its base in the face that has that and a placeholder for
// the marks no face has, or one placeholder for the whole.
func (w *textWriter) cluster(cl []rune, level bidi.Level, primary int) []piece {
	drawn := make([]rune, 0, len(cl))
	for _, r := range cl {
		if !ignorable(r) {
			drawn = append(drawn, r)
		}
	}
	if len(drawn) == 0 {
		return nil // only invisible format characters: nothing to draw
	}
	space := len(drawn) == 1 && breakingSpace(drawn[0])
	if space {
		drawn[0] = ' '
	}
	order := w.order(drawn[0], primary)
	if level%2 == 1 {
		for i, r := range drawn {
			if m, ok := mirrored[r]; ok {
				drawn[i] = m
			}
		}
	}
	for _, f := range order {
		if wd, ok := w.widthIn(f, drawn); ok {
			return []piece{{face: f, text: string(drawn), width: wd, space: space, level: level}}
		}
	}
	ph := w.placeholder(primary, level)
	for _, f := range order {
		if wd, ok := w.widthIn(f, drawn[:1]); ok && !unicode.Is(unicode.Cc, drawn[0]) {
			return []piece{{face: f, text: string(drawn[:1]), width: wd, level: level}, ph}
		}
	}
	return []piece{ph}
}

func (w *textWriter) placeholder(primary int, level bidi.Level) piece {
	w.placeholders++
	return piece{face: primary, text: string(placeholder), width: int(w.faces[primary].width[placeholder]), level: level}
}

// widthIn is the width of rs in face f, if f has every one of them.
func (w *textWriter) widthIn(f int, rs []rune) (int, bool) {
	face := &w.faces[f]
	total := 0
	for _, r := range rs {
		if unicode.Is(unicode.Cc, r) || !face.has(r) {
			return 0, false
		}
		total += int(face.width[r])
	}
	return total, true
}

// order is the faces to try for a cluster: Arabic in Noto Sans Arabic
// first, so that a word is drawn in one design; anything else in the text's
// own face first.
func (w *textWriter) order(base rune, primary int) []int {
	if arabicScript(base) {
		return []int{faceArabic, primary, faceRegular, faceEthiopic, faceCJK}
	}
	return []int{primary, faceRegular, faceArabic, faceEthiopic, faceCJK}
}

// visual puts a line's clusters into display order (UAX #9 rule L2): from
// the highest level down to the lowest odd one, each run at that level or
// above is reversed. A cluster keeps its marks after its base (rule L3).
// Neighbouring clusters in the same face are then joined into one piece.
func visual(line []piece) []piece {
	var hi, lowOdd bidi.Level = 0, 127
	for _, c := range line {
		hi = max(hi, c.level)
		if c.level%2 == 1 {
			lowOdd = min(lowOdd, c.level)
		}
	}
	vis := append([]piece(nil), line...)
	for lvl := hi; lvl >= lowOdd && lvl > 0; lvl-- {
		for i := 0; i < len(vis); {
			if vis[i].level < lvl {
				i++
				continue
			}
			j := i
			for j < len(vis) && vis[j].level >= lvl {
				j++
			}
			for a, b := i, j-1; a < b; a, b = a+1, b-1 {
				vis[a], vis[b] = vis[b], vis[a]
			}
			i = j
		}
	}
	var out []piece
	for _, c := range vis {
		if n := len(out); n > 0 && out[n-1].face == c.face {
			out[n-1].text += c.text
			out[n-1].width += c.width
			continue
		}
		out = append(out, piece{face: c.face, text: c.text, width: c.width})
	}
	return out
}

// drawLine sets one line, left aligned, or right aligned in a right-to-left
// paragraph. A line all in the text's own face is one cell, exactly as
// MultiCell makes it; otherwise the background is laid first and each piece
// set after the one before.
func (w *textWriter) drawLine(line []piece, rtl bool, primary int, size, unit, cellW, h float64, fill bool) {
	p := w.p
	align := "L"
	if rtl {
		align = "R"
	}
	if len(line) == 0 || (len(line) == 1 && line[0].face == primary) {
		text := ""
		if len(line) == 1 {
			text = line[0].text
		}
		p.CellFormat(cellW, h, text, "", 2, align, fill, 0, "")
		return
	}
	x0 := p.GetX()
	p.CellFormat(cellW, h, "", "", 0, "L", fill, 0, "") // breaks the page first when the line does not fit
	y := p.GetY()
	cm := p.GetCellMargin()
	p.SetCellMargin(0)
	x := x0 + cm
	if rtl {
		width := 0
		for _, pc := range line {
			width += pc.width
		}
		x = x0 + cellW - cm - float64(width)*unit/1000
	}
	for _, pc := range line {
		w.use(pc.face, size)
		p.SetXY(x, y)
		pw := float64(pc.width) * unit / 1000
		p.CellFormat(pw, h, pc.text, "", 0, "L", false, 0, "")
		x += pw
	}
	p.SetCellMargin(cm)
	w.use(primary, size)
	p.SetXY(x0, y+h)
}

// shapeArabic replaces each Arabic letter by its presentation form for the
// way it joins its neighbours, and lam followed by alef by their ligature,
// where Unicode encodes one. Marks between letters are transparent.
func shapeArabic(rs []rune) []rune {
	joining := func(r rune) byte {
		if t, ok := arabicJoining[r]; ok {
			return t
		}
		if r == 0x200D {
			return 'C'
		}
		if unicode.In(r, unicode.Mn, unicode.Me) || (unicode.Is(unicode.Cf, r) && r != 0x200C) {
			return 'T'
		}
		return 'U'
	}
	neighbour := func(i, step int) byte {
		for k := i + step; k >= 0 && k < len(rs); k += step {
			if t := joining(rs[k]); t != 'T' {
				return t
			}
		}
		return 'U'
	}
	out := make([]rune, 0, len(rs))
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		t := joining(r)
		if t != 'D' && t != 'R' {
			out = append(out, r)
			continue
		}
		prev := neighbour(i, -1)
		joinsPrev := prev == 'D' || prev == 'L' || prev == 'C'
		if r == 0x0644 && i+1 < len(rs) {
			if lig, ok := lamAlef[rs[i+1]]; ok {
				if joinsPrev {
					out = append(out, lig[1])
				} else {
					out = append(out, lig[0])
				}
				i++
				continue
			}
		}
		next := neighbour(i, 1)
		joinsNext := t == 'D' && (next == 'D' || next == 'R' || next == 'C')
		forms, ok := arabicForms[r]
		if !ok {
			out = append(out, r)
			continue
		}
		form := 0 // isolated
		switch {
		case joinsPrev && joinsNext:
			form = 3
		case joinsPrev:
			form = 1
		case joinsNext:
			form = 2
		}
		if forms[form] == 0 {
			form = 0
		}
		if forms[form] == 0 {
			out = append(out, r)
			continue
		}
		out = append(out, forms[form])
	}
	return out
}

// isRTL: r is written right to left, or may start a right-to-left run.
func isRTL(r rune) bool {
	return (r >= 0x0590 && r <= 0x08FF) || (r >= 0xFB1D && r <= 0xFDFF) || (r >= 0xFE70 && r <= 0xFEFF) ||
		(r >= 0x10800 && r <= 0x10FFF) || (r >= 0x1E800 && r <= 0x1EFFF) ||
		r == 0x200F || r == 0x061C || r == 0x202B || r == 0x202E || r == 0x2067
}

func arabicScript(r rune) bool {
	return (r >= 0x0600 && r <= 0x08FF) || (r >= 0xFB50 && r <= 0xFDFF) || (r >= 0xFE70 && r <= 0xFEFF)
}

// ideographic: text in this script has no spaces, so a line may break
// before or after any of its characters.
func ideographic(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF)
}

// closing punctuation does not start a line.
func closing(r rune) bool { return unicode.In(r, unicode.Pe, unicode.Pf, unicode.Po) }

// ignorable characters change how others are drawn but have no glyph of
// their own (joiners, variation selectors, direction marks, the byte order
// mark, tags): they are left out of the drawing, never shown as missing.
func ignorable(r rune) bool {
	if r >= 0x0600 && r <= 0x0605 || r == 0x06DD || r == 0x070F || r == 0x08E2 || r == 0x110BD || r == 0x110CD {
		return false // prepended concatenation marks are visible
	}
	return unicode.In(r, unicode.Cf, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point)
}

// breakingSpace: a space a line may break after.
func breakingSpace(r rune) bool {
	return unicode.IsSpace(r) && r != 0x00A0 && r != 0x2007 && r != 0x202F
}

// mirrored are the characters drawn as their mirror image in right-to-left
// text (Bidi_Mirroring_Glyph, the ones a name or a sentence holds).
var mirrored = map[rune]rune{
	'(': ')', ')': '(', '[': ']', ']': '[', '{': '}', '}': '{', '<': '>', '>': '<',
	'«': '»', '»': '«', '‹': '›', '›': '‹',
}

func firstRune(s string) rune { r, _ := utf8.DecodeRuneInString(s); return r }
func lastRune(s string) rune  { r, _ := utf8.DecodeLastRuneInString(s); return r }
