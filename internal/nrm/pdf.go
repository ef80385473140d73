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

// PDF renders the draft as an A4 document: the offline version of the form
// for an organisation that is not a First Responder to send to one, and for
// the case file (§8.2, §8.7). Every page carries the protective marking, the
// case reference and its number. The same draft gives the same bytes: the
// creation date is the draft's and the fonts are embedded.
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

	text("B", 18, 0, 0, 0, d.Kind.Title()+": draft")
	gap(2)
	for _, l := range heading(d, problems)[1:] { // the first line is the title above
		text("", 10, 0, 0, 0, l)
	}
	gap(3)
	if d.Kind == Referral {
		text("", 10, 0, 0, 0, "How to use this document: a First Responder copies each answer into the field of the same name on the Home Office online form, page by page. An organisation that is not a First Responder sends it to the lead First Responder, who submits the referral (§8.2, §8.7). Fields the child's route skips are left out.")
	} else {
		text("", 10, 0, 0, 0, "How to use this document: send it to the Single Competent Authority with the case's Home Office reference. Any organisation on the case may ask for a reconsideration (§8.9).")
	}

	for i, s := range d.Sections {
		gap(5)
		text("B", 14, 0, 0, 0, fmt.Sprintf("%d. %s", i+1, s.Title))
		for _, pg := range s.Pages {
			if !pg.PageShown() {
				continue
			}
			gap(3)
			text("B", 11, 0, 0, 0, pageTitle(d, pg))
			if pg.Note != "" {
				text("", 9, 80, 80, 80, pg.Note)
			}
			for _, f := range pg.Fields {
				if !f.Shown {
					continue
				}
				gap(2)
				text("B", 10, 0, 0, 0, f.Label)
				text("", 8, 80, 80, 80, fieldFacts(f))
				if !f.Counts() {
					text("", 9.5, 0, 0, 0, f.Hint)
					continue
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
				default:
					p.SetTextColor(80, 80, 80)
					w.block("", 10, 5, "Optional, left blank", true)
				}
				for _, pr := range problems {
					if pr.Field == f.ID {
						text("", 8.5, 212, 53, 28, "Check: "+pr.Message)
					}
				}
			}
		}
	}

	gap(6)
	text("B", 14, 0, 0, 0, "Still to do")
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
		text("B", 14, 0, 0, 0, "Characters this document cannot show")
		text("", 10, 0, 0, 0, "Each \uFFFD above stands for a character none of this document's fonts can draw, such as an emoji. The plain-text download of this draft keeps every character exactly as it was typed.")
	}

	var out bytes.Buffer
	if err := p.Output(&out); err != nil {
		return nil, fmt.Errorf("nrm: rendering the PDF: %w", err)
	}
	return out.Bytes(), nil
}
