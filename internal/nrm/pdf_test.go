package nrm_test

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"waymark/internal/nrm"
)

// pdfPages reads the text back out of a PDF: each page's content stream is
// inflated and the strings it shows (Tj and TJ) are decoded from the
// UTF-16BE that an embedded Unicode font is addressed in. Enough of PDF for
// what Waymark writes, and no more.
func pdfPages(t *testing.T, pdf []byte) [][]string {
	t.Helper()
	streamRe := regexp.MustCompile(`(?s)<<([^>]*?)>>\s*stream\r?\n`)
	var pages [][]string
	for _, loc := range streamRe.FindAllSubmatchIndex(pdf, -1) {
		dict := string(pdf[loc[2]:loc[3]])
		m := regexp.MustCompile(`/Length (\d+)`).FindStringSubmatch(dict)
		if m == nil {
			t.Fatalf("a stream has no length: %s", dict)
		}
		n, _ := strconv.Atoi(m[1])
		data := pdf[loc[1] : loc[1]+n]
		if strings.Contains(dict, "/FlateDecode") {
			r, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				continue // not ours to read (a font program is checked by its own length)
			}
			if data, err = io.ReadAll(r); err != nil {
				t.Fatalf("inflating a stream: %v", err)
			}
		}
		if !bytes.Contains(data, []byte("BT ")) || !(bytes.Contains(data, []byte("Tj")) || bytes.Contains(data, []byte("TJ"))) {
			continue
		}
		pages = append(pages, shownStrings(t, data))
	}
	return pages
}

// shownStrings lists the strings a content stream shows, in order.
func shownStrings(t *testing.T, content []byte) []string {
	var out []string
	for i := 0; i < len(content); i++ {
		if content[i] != '(' {
			continue
		}
		s, next := literal(content, i)
		i = next
		rest := strings.TrimLeft(string(content[next+1:min(next+8, len(content))]), " ")
		if strings.HasPrefix(rest, "Tj") || strings.HasPrefix(rest, "]") || strings.HasPrefix(rest, "(") || strings.HasPrefix(rest, "-") {
			out = append(out, decodeUTF16(t, s))
		}
	}
	return out
}

// literal reads the PDF literal string that opens at content[at], with its
// escapes, and returns it and the index of its closing parenthesis.
func literal(content []byte, at int) ([]byte, int) {
	var b []byte
	depth := 0
	for i := at + 1; i < len(content); i++ {
		c := content[i]
		switch {
		case c == '\\' && i+1 < len(content):
			i++
			switch e := content[i]; e {
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case '0', '1', '2', '3', '4', '5', '6', '7':
				v := 0
				for k := 0; k < 3 && i < len(content) && content[i] >= '0' && content[i] <= '7'; k++ {
					v = v*8 + int(content[i]-'0')
					i++
				}
				i--
				b = append(b, byte(v))
			default:
				b = append(b, e)
			}
		case c == '(':
			depth++
			b = append(b, c)
		case c == ')' && depth > 0:
			depth--
			b = append(b, c)
		case c == ')':
			return b, i
		default:
			b = append(b, c)
		}
	}
	return b, len(content)
}

func decodeUTF16(t *testing.T, b []byte) string {
	if len(b)%2 != 0 {
		t.Fatalf("a shown string of %d bytes is not UTF-16: %q", len(b), b)
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(u))
}

func normalised(s string) string { return strings.Join(strings.Fields(s), " ") }

// The PDF says what the draft says: its text, read back out of the file,
// holds every shown field's label and answer in the form's order, and every
// page carries the marking, the case reference and its page number.
func TestThePDFTextReadsBackAsTheDraft(t *testing.T) {
	for _, sc := range sampleCases {
		t.Run(sc.name, func(t *testing.T) {
			c := sc.build(t)
			for _, d := range []nrm.Draft{nrm.Assemble(c, cat, sc.now), nrm.AssembleReconsideration(c, cat, sc.now)} {
				pdf, err := nrm.PDF(d)
				if err != nil {
					t.Fatal(err)
				}
				pages := pdfPages(t, pdf)
				if len(pages) < 2 {
					t.Fatalf("%s: %d pages read back", d.Kind, len(pages))
				}
				var body []string
				for i, strs := range pages {
					header := []string{nrm.Marking, "Case " + d.CaseReference}
					footer := []string{d.Kind.Title() + " draft", nrm.Marking, fmt.Sprintf("Page %d of %d", i+1, len(pages))}
					if len(strs) < len(header)+len(footer) {
						t.Fatalf("%s page %d shows only %q", d.Kind, i+1, strs)
					}
					if got := strs[:2]; got[0] != header[0] || got[1] != header[1] {
						t.Errorf("%s page %d opens with %q, want the marking and the case reference %q", d.Kind, i+1, got, header)
					}
					if got := strs[len(strs)-3:]; strings.Join(got, "|") != strings.Join(footer, "|") {
						t.Errorf("%s page %d ends with %q, want %q", d.Kind, i+1, got, footer)
					}
					body = append(body, strs[2:len(strs)-3]...)
				}
				text := normalised(strings.Join(body, "\n"))
				at := 0
				for _, f := range d.Fields() {
					if !f.Shown {
						continue
					}
					wants := []string{f.Label}
					switch {
					case !f.Counts():
						wants = append(wants, f.Hint)
					case f.Answered():
						wants = append(wants, f.Display())
					case f.Required:
						wants = append(wants, "Not answered yet")
					}
					for _, w := range wants {
						i := strings.Index(text[at:], normalised(w))
						if i < 0 {
							t.Fatalf("%s: %s: %q is not in the PDF's text after position %d", d.Kind, f.ID, normalised(w), at)
						}
						at += i + len(normalised(w))
					}
				}
			}
		})
	}
}

// The same draft renders to the same bytes: the creation date is the
// draft's, and nothing in the file depends on when or where it was made.
func TestDocumentsAreTheSameEveryTime(t *testing.T) {
	c, now := mustCase(t, "county-lines-boy")
	d := nrm.Assemble(c, cat, now)
	first, err := nrm.PDF(d)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		again, _ := nrm.PDF(nrm.Assemble(c, cat, now))
		if sha256.Sum256(again) != sha256.Sum256(first) {
			t.Fatal("rendering the same draft twice gave different PDFs")
		}
		if !bytes.Equal(nrm.Text(d), nrm.Text(nrm.Assemble(c, cat, now))) {
			t.Fatal("rendering the same draft twice gave different text")
		}
	}
	if !bytes.Contains(first, []byte("/CreationDate (D:20260224")) {
		t.Errorf("the PDF's creation date is not the draft's")
	}
	if !bytes.Contains(first, []byte("/FontFile2")) {
		t.Errorf("the PDF does not embed its font")
	}
}

// The document's metadata names the case, never the child (§6.5).
func TestThePDFMetadataNeverNamesTheChild(t *testing.T) {
	c, now := mustCase(t, "groomed-girl")
	pdf, err := nrm.PDF(nrm.Assemble(c, cat, now))
	if err != nil {
		t.Fatal(err)
	}
	// The bookmarks have titles too (the sections'); the document's own
	// title is in its information dictionary, written last.
	titles := regexp.MustCompile(`/Title \(([^)]*)\)`).FindAllSubmatch(pdf, -1)
	if titles == nil {
		t.Fatal("the PDF has no title")
	}
	info := titles[len(titles)-1]
	title := decodeUTF16(t, bytes.TrimPrefix(info[1], []byte{0xfe, 0xff}))
	if !strings.Contains(title, "CS-2026-000311") || strings.Contains(title, "Ama") || strings.Contains(title, "Boateng") {
		t.Errorf("PDF title %q: want the case reference and not the child's name", title)
	}
}
