package nrm

import (
	"bytes"
	_ "embed"
	"fmt"

	"github.com/go-pdf/fpdf"
)

// DejaVu Sans, embedded so that every PDF looks the same wherever it is made
// and holds any accented name (fonts/README.md: source and licence).
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

const pdfFont = "dejavu"

// PDF renders the draft as an A4 document for people: for a First Responder
// to copy from, for an organisation that is not one to send to the lead
// First Responder, and for the case file (§8.2, §8.7). It opens with a
// contents list (also the file's bookmarks), and its headings step down in
// size from the title to sections, pages and questions. Every page carries
// the protective marking, the case reference and its number. The same draft
// gives the same bytes: the creation date is the draft's and the fonts are
// embedded.
func PDF(d Draft) ([]byte, error) {
	problems := Check(d)
	p := fpdf.New("P", "mm", "A4", "")
	p.SetCatalogSort(true)
	// Page text is left uncompressed: the file is about twice the size, and
	// rendering a long case takes half the time (docs/performance.md).
	p.SetCompression(false)
	p.SetCreationDate(d.AssembledAt)
	p.SetModificationDate(d.AssembledAt)
	// The metadata names the document and the case, never the child.
	p.SetTitle(d.Kind.Title()+" draft, case "+d.CaseReference, true)
	p.SetSubject(Marking, true)
	p.SetAuthor("Waymark", true)
	p.SetCreator("Waymark", true)
	p.SetProducer("Waymark", true)
	p.SetLang("en-GB")
	p.AddUTF8FontFromBytes(pdfFont, "", fontRegular)
	p.AddUTF8FontFromBytes(pdfFont, "B", fontBold)
	p.SetMargins(18, 22, 18)
	p.SetAutoPageBreak(true, 20)
	p.AliasNbPages("")
	p.SetHeaderFunc(func() {
		p.SetY(10)
		p.SetTextColor(0, 0, 0)
		p.SetFont(pdfFont, "B", 9)
		p.CellFormat(87, 5, Marking, "", 0, "L", false, 0, "")
		p.SetFont(pdfFont, "", 9)
		p.CellFormat(87, 5, "Case "+d.CaseReference, "", 1, "R", false, 0, "")
		p.SetDrawColor(0, 0, 0)
		p.Line(18, 16, 192, 16)
		p.SetY(22)
	})
	p.SetFooterFunc(func() {
		p.SetY(-15)
		p.SetTextColor(0, 0, 0)
		p.SetFont(pdfFont, "", 8)
		p.CellFormat(58, 5, d.Kind.Title()+" draft", "", 0, "L", false, 0, "")
		p.SetFont(pdfFont, "B", 8)
		p.CellFormat(58, 5, Marking, "", 0, "C", false, 0, "")
		p.SetFont(pdfFont, "", 8)
		p.CellFormat(58, 5, fmt.Sprintf("Page %d of {nb}", p.PageNo()), "", 0, "R", false, 0, "")
	})
	p.AddPage()
	w := newTextWriter(p)

	text := func(style string, size float64, r, g, b int, s string) {
		p.SetTextColor(r, g, b)
		w.block(style, size, size*0.5, s, false)
	}
	gap := func(mm float64) { p.Ln(mm) }

	// Heading sizes, in points: each level visibly smaller than the one above.
	const (
		titleSize    = 20
		sectionSize  = 15
		pageSize     = 12.5
		questionSize = 10
	)
	sections := documentSections(d)
	// Each contents entry links to its heading, which is also a bookmark.
	links := map[string]int{}
	_, pageH := p.GetPageSize()
	anchor := func(title string, level int) {
		if p.GetY() > pageH-50 { // a heading is not left alone at the foot of a page
			p.AddPage()
		}
		p.SetLink(links[title], -1, -1)
		p.Bookmark(title, level, -1)
	}

	text("B", titleSize, 0, 0, 0, d.Kind.Title()+": draft")
	gap(2)
	for _, l := range heading(d, problems)[1:] { // the first line is the title above
		text("", 10, 0, 0, 0, l)
	}
	gap(3)
	text("", 10, 0, 0, 0, howToUse(d))
	gap(4)
	text("B", sectionSize, 0, 0, 0, "Contents")
	gap(1)
	for _, c := range contents(d, sections) {
		links[c] = p.AddLink()
		page, top := p.PageNo(), p.GetY()
		text("", 10.5, 29, 112, 184, c)
		if p.PageNo() == page {
			p.Link(18, top, 174, p.GetY()-top, links[c])
		}
	}
	entries := contents(d, sections)

	for i, s := range sections {
		gap(6)
		anchor(entries[i], 0)
		text("B", sectionSize, 0, 0, 0, entries[i])
		for _, pg := range s.Pages {
			if !pageInDocument(pg) {
				continue
			}
			gap(3)
			text("B", pageSize, 0, 0, 0, pg.Title)
			if pg.Note != "" {
				text("", 9, 80, 80, 80, pg.Note)
			}
			for _, f := range pg.Fields {
				if !inDocument(f) {
					continue
				}
				gap(2)
				if !sameWords(f.Label, pg.Title) {
					text("B", questionSize, 0, 0, 0, f.Label)
				}
				if !f.Counts() {
					text("", 9.5, 0, 0, 0, f.Hint)
					continue
				}
				if how := HowToCopy(f); how != "" && f.Answered() {
					text("", 9, 80, 80, 80, how+":")
				}
				gap(1)
				p.SetFillColor(243, 242, 241)
				switch {
				case f.Answered():
					p.SetTextColor(0, 0, 0)
					w.block("", 10, 5, f.Display(), true)
				case f.Required:
					p.SetTextColor(212, 53, 28)
					w.block("B", 10, 5, "Not answered yet", true)
					if f.Source != "" {
						text("", 8.5, 80, 80, 80, f.Source)
					}
				default:
					p.SetTextColor(80, 80, 80)
					w.block("", 10, 5, "Optional, left blank", true)
				}
				for _, pr := range problems {
					if pr.Field == f.ID && pr.Kind != ProblemMissing {
						text("", 8.5, 212, 53, 28, "Check: "+pr.Message)
					}
				}
			}
		}
	}

	if dec := d.Declaration; dec != nil {
		title := entries[len(sections)]
		gap(6)
		anchor(title, 0)
		text("B", sectionSize, 0, 0, 0, title)
		for _, para := range dec.Paragraphs() {
			gap(2)
			text("", 10, 0, 0, 0, para)
		}
	}

	gap(6)
	anchor("Still to do", 0)
	text("B", sectionSize, 0, 0, 0, "Still to do")
	todo := 0
	for _, pr := range problems {
		if pr.Blocking {
			text("", 9.5, 0, 0, 0, "- "+pr.Message)
			todo++
		}
	}
	if todo == 0 {
		text("", 10, 0, 0, 0, "Nothing: every answer the form needs is here.")
	}
	if w.placeholders > 0 {
		gap(6)
		text("B", sectionSize, 0, 0, 0, "Characters this document cannot show")
		text("", 10, 0, 0, 0, "Each \uFFFD above stands for a character none of this document's fonts can draw, such as an emoji. The plain-text download of this draft keeps every character exactly as it was typed.")
	}

	var out bytes.Buffer
	if err := p.Output(&out); err != nil {
		return nil, fmt.Errorf("nrm: rendering the PDF: %w", err)
	}
	return out.Bytes(), nil
}
