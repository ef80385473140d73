package casework

import (
	"archive/zip"
	"bytes"
	"testing"
)

func zipOf(t *testing.T, names ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(bytes.Repeat([]byte("<w:p>text</w:p>"), 500))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func compoundFile(streams ...string) []byte {
	b := append([]byte(nil), oleMagic...)
	b = append(b, make([]byte, 600)...)
	for _, s := range streams {
		for _, r := range s {
			b = append(b, byte(r), 0)
		}
		b = append(b, make([]byte, 64)...)
	}
	return b
}

// sniff feeds the file to the sniffer piece by piece, as a network would.
func sniff(b []byte, piece int) (DocumentType, bool) {
	var s typeSniffer
	for len(b) > 0 {
		n := min(piece, len(b))
		s.Write(b[:n])
		b = b[n:]
	}
	return s.Type()
}

// §8.7: the form takes PDF, DOC, DOCX, JPG and PNG; a file is known by its
// content, never by its name.
func TestADocumentsTypeIsToldFromItsContent(t *testing.T) {
	cases := []struct {
		name string
		file []byte
		want string // "" for refused
	}{
		{"a PDF", []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj"), "application/pdf"},
		{"a PDF after a few stray bytes", append([]byte("\r\n  "), []byte("%PDF-1.4\n")...), ""},
		{"a PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "image/png"},
		{"a JPG", []byte("\xff\xd8\xff\xe0\x00\x10JFIF"), "image/jpeg"},
		{"a DOCX", zipOf(t, "[Content_Types].xml", "_rels/.rels", "word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"a DOC", compoundFile("Root Entry", "WordDocument", "1Table"), "application/msword"},
		{"a spreadsheet (XLSX)", zipOf(t, "[Content_Types].xml", "xl/workbook.xml"), ""},
		{"a zip of Word files' parts without a content types entry", zipOf(t, "word/document.xml"), ""},
		{"a spreadsheet (XLS)", compoundFile("Root Entry", "Workbook"), ""},
		{"a program", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), ""},
		{"a web page naming a PDF", []byte("<!DOCTYPE html><html><body>%PDF-</body>"), ""},
		{"plain text", []byte("Notes of the meeting"), ""},
	}
	for _, tc := range cases {
		for _, piece := range []int{1, 7, 1 << 20} {
			got, ok := sniff(tc.file, piece)
			if tc.want == "" && ok || tc.want != "" && got.ContentType != tc.want {
				t.Errorf("%s, in pieces of %d: %q (%v), want %q", tc.name, piece, got.ContentType, ok, tc.want)
			}
		}
	}
}

func TestADocumentDownloadsUnderASafeNameOfItsType(t *testing.T) {
	pdf, png := DocumentTypeOf("application/pdf"), DocumentTypeOf("image/png")
	cases := []struct {
		name string
		t    DocumentType
		want string
	}{
		{"Risk assessment.PDF", pdf, "Risk assessment.PDF"},
		{"scan.pdf", png, "scan.png"}, // a PNG named .pdf is a PNG
		{"minutes", pdf, "minutes.pdf"},
		{`C:\Users\sam\report.v2`, pdf, "report.v2.pdf"},
		{"../../etc/passwd", pdf, "passwd.pdf"},
		{"a\"b;c\r\nd.pdf", pdf, "a_b_c__d.pdf"},
		{"\u202egnp.exe", pdf, "_gnp.exe.pdf"},
		{"...", pdf, "document.pdf"},
	}
	for _, tc := range cases {
		if got := DocumentFileName(tc.name, tc.t); got != tc.want {
			t.Errorf("%q as %s: %q, want %q", tc.name, tc.t.Label, got, tc.want)
		}
	}
}

// §8.7: a DOCX cut short (its upload broken off, or a file saved half-way)
// is refused, not kept to be sent to the Home Office as a Word document no
// one can open: a whole one ends with the zip's end of central directory.
func TestATruncatedDOCXIsRefused(t *testing.T) {
	docx := zipOf(t, "[Content_Types].xml", "_rels/.rels", "word/document.xml")
	for _, cut := range []int{len(docx) / 2, len(docx) - 23, len(docx) - 1} {
		for _, piece := range []int{1, 7, 4096, len(docx)} {
			if ty, ok := sniff(docx[:cut], piece); ok {
				t.Errorf("cut at %d of %d, in pieces of %d: kept as %s", cut, len(docx), piece, ty.Label)
			}
		}
	}
	for _, piece := range []int{1, 7, 4096, len(docx)} {
		if _, ok := sniff(docx, piece); !ok {
			t.Errorf("the whole DOCX in pieces of %d is refused", piece)
		}
	}
}
