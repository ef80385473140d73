package nrm

import (
	"bytes"
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"
)

// LetterPDF renders a short letter (a decision letter of the local decision
// panel, pathway.DecisionLetter) with the fonts and marking of the NRM
// documents: a title, then paragraphs. The metadata names the letter and
// the case, never the child; the same letter gives the same bytes.
func LetterPDF(title, caseRef string, at time.Time, paragraphs []string) ([]byte, error) {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetCompression(false)
	p.SetCreationDate(at)
	p.SetModificationDate(at)
	p.SetTitle(title+", case "+caseRef, true)
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
		p.SetFont(pdfFont, "B", 9)
		p.CellFormat(87, 5, Marking, "", 0, "L", false, 0, "")
		p.SetFont(pdfFont, "", 9)
		p.CellFormat(87, 5, "Case "+caseRef, "", 1, "R", false, 0, "")
		p.Line(18, 16, 192, 16)
		p.SetY(22)
	})
	p.SetFooterFunc(func() {
		p.SetY(-15)
		p.SetFont(pdfFont, "", 8)
		p.CellFormat(174, 5, fmt.Sprintf("%s · Page %d of {nb}", Marking, p.PageNo()), "", 0, "C", false, 0, "")
	})
	p.AddPage()
	w := newTextWriter(p)
	w.block("B", 16, 8, title, false)
	p.Ln(2)
	w.block("", 10, 5, at.Format("2 January 2006"), false)
	for _, para := range paragraphs {
		p.Ln(3)
		w.block("", 11, 5.5, para, false)
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("nrm: rendering the letter: %w", err)
	}
	return buf.Bytes(), nil
}
