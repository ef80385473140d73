package nrm_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"waymark/internal/nrm"
)

// pdftotext reads a PDF's text back as poppler does: what a reader gets by
// copying from the document. Without poppler-utils the test is skipped,
// loudly, except in CI, which must have it (.ci/run installs it).
func pdftotext(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is not installed: CI must install poppler-utils to check what the NRM PDF reads as")
		}
		t.Skip("SKIPPED: pdftotext is not installed (apt-get install poppler-utils); the PDF's text is not checked")
	}
	path := filepath.Join(t.TempDir(), "draft.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// readBack is a line as a reader would compare it: poppler writes a
// right-to-left run between embedding marks, and gives Arabic in the
// presentation forms it was drawn in, which compatibility normalisation
// (NFKC) takes back to the letters typed.
func readBack(line string) string {
	line = strings.Map(func(r rune) rune {
		if (r >= 0x202A && r <= 0x202E) || r == 0x200E || r == 0x200F {
			return -1
		}
		return r
	}, line)
	return strings.TrimSpace(norm.NFKC.String(line))
}

// withAnswers is the groomed girl's referral with the given answers typed
// over the given fields.
func withAnswers(t *testing.T, answers map[string]string) nrm.Draft {
	t.Helper()
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	c, _ := mustCase(t, "groomed-girl")
	d := nrm.Assemble(c, cat, now)
	shown := map[string]bool{}
	for _, f := range d.Fields() {
		shown[f.ID] = f.Shown && f.Counts()
	}
	var edits []nrm.Edit
	for id, v := range answers {
		if !shown[id] {
			t.Fatalf("field %s is not on this child's route", id)
		}
		edits = append(edits, nrm.Edit{Field: id, Version: 1, Value: v, SavedAt: now})
	}
	return nrm.ApplyEdits(d, edits)
}

// Names and text in the scripts children referred in England write them in
// read back out of the PDF as they were typed (after NFC, which is how the
// same name typed with combining accents is stored by most keyboards):
// Arabic shaped and in right-to-left order, Ethiopic (Tigrinya, Amharic)
// and Chinese in fonts that have their glyphs, Vietnamese tone marks and
// Albanian letters whole.
func TestNRMPDFKeepsEveryScriptReadable(t *testing.T) {
	names := []struct{ script, field, typed string }{
		{"Arabic", "pv-name-first-name", "محمد عبد الله"},
		{"Arabic with lam-alef", "pv-name-last-name", "علاء الدين"},
		{"Tigrinya", "pv-name-nickname", "ሰላም ተስፋይ"},
		{"Amharic", "fr-details-first-name", "አበበ በቀለ"},
		{"Vietnamese", "fr-details-last-name", "Nguyễn Thị Hương"},
		{"Vietnamese typed decomposed", "local-authority-contacted-about-child-local-authority-first-name", norm.NFD.String("Trần Văn Đức")},
		{"Albanian", "local-authority-contacted-about-child-local-authority-last-name", "Arbër Gjeçi, Ëlira Çela"},
		{"Chinese", "pv-interpreter-requirements-language", "王小明，普通话"},
		{"Persian", "birthplace", "پرویز چگینی"},
	}
	answers := map[string]string{}
	for _, n := range names {
		answers[n.field] = n.typed
	}
	d := withAnswers(t, answers)
	pdf, err := nrm.PDF(d)
	if err != nil {
		t.Fatalf("the PDF failed: %v", err)
	}
	if again, _ := nrm.PDF(d); !bytes.Equal(again, pdf) {
		t.Errorf("the same draft in several scripts rendered to different PDFs")
	}
	for _, face := range []string{"/BaseFont /utf8notosansarabic", "/BaseFont /utf8notosansethiopic", "/BaseFont /utf8droidsansfallback"} {
		if !bytes.Contains(pdf, []byte(face)) {
			t.Errorf("the PDF does not embed %s, which the names need", strings.TrimPrefix(face, "/BaseFont /utf8"))
		}
	}
	text := pdftotext(t, pdf)
	lines := map[string]string{} // read back -> as extracted
	for _, l := range strings.Split(text, "\n") {
		lines[readBack(l)] = l
	}
	for _, n := range names {
		want := norm.NFKC.String(norm.NFC.String(n.typed))
		got, ok := lines[want]
		if !ok {
			t.Errorf("%s: %q does not read back from the PDF as a line of its own; the text is:\n%s", n.script, want, text)
			continue
		}
		if strings.HasPrefix(n.script, "Arabic") || n.script == "Persian" {
			for _, r := range got {
				if r > 0x0621 && r <= 0x064A || r == 0x067E || r == 0x0686 || r == 0x06AF || r == 0x06CC { // hamza (U+0621) never joins
					t.Errorf("%s: %q is drawn with the unjoined letter %U, not its contextual form", n.script, got, r)
					break
				}
			}
		}
	}
	if strings.Contains(text, "\uFFFD") {
		t.Errorf("a placeholder stands in for a character an embedded font has:\n%s", text)
	}
}

// emoji are the characters no font Waymark embeds can draw, and the
// sequences that make one picture out of several: a zero-width-joiner
// family, a flag, a skin tone, a variation selector, a keycap; with a
// private-use character in and outside the Basic Multilingual Plane,
// a Latin letter with marks stacked on it, and a letter outside the Basic
// Multilingual Plane (a rare Han character some names use).
const emoji = "Ama 🙂 👨\u200d👩\u200d👧\u200d👦 🇬🇧 👍🏽 ❤️ 1️⃣ \uE000 \U000F0001 Z\u0351\u0352\u0357o\u0300\u0301\u0302 𠀋"

// One emoji, in any field of any type, no longer stops the PDF: each
// character no font has is drawn as U+FFFD, once per picture a reader sees,
// and the document says what the mark means. Every page keeps its marking
// and the case reference.
func TestAnEmojiInAnyFieldStillMakesAPDF(t *testing.T) {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	c, _ := mustCase(t, "groomed-girl")
	d := nrm.Assemble(c, cat, now)
	var edits []nrm.Edit
	firstOfType := map[string]nrm.Edit{}
	for _, f := range d.Fields() {
		if f.Shown && f.Counts() {
			e := nrm.Edit{Field: f.ID, Version: 1, Value: emoji, SavedAt: now}
			edits = append(edits, e)
			if _, ok := firstOfType[f.Type]; !ok {
				firstOfType[f.Type] = e
			}
		}
	}
	for _, typ := range []string{nrm.TypeText, nrm.TypeTextarea, nrm.TypeRadio, nrm.TypeCheckboxGroup, nrm.TypeSelect, nrm.TypeDate, nrm.TypeFile} {
		e, ok := firstOfType[typ]
		if !ok {
			t.Fatalf("no %s field on the route to type an emoji into", typ)
		}
		if _, err := nrm.PDF(nrm.ApplyEdits(d, []nrm.Edit{e})); err != nil {
			t.Errorf("an emoji in the %s field %s: the PDF failed: %v", typ, e.Field, err)
		}
	}
	all := nrm.ApplyEdits(d, edits)
	pdf, err := nrm.PDF(all)
	if err != nil {
		t.Fatalf("an emoji in every field: the PDF failed: %v", err)
	}
	text := pdftotext(t, pdf)
	// The answer reads back with one placeholder per picture; the heart, the
	// keycap's digit (its enclosing mark is a placeholder) and the stacked
	// marks are in DejaVu Sans.
	want := "Ama \uFFFD \uFFFD \uFFFD \uFFFD ❤ 1\uFFFD \uFFFD \uFFFD " + norm.NFC.String("Z\u0351\u0352\u0357o\u0300\u0301\u0302") + " \uFFFD"
	shown := 0 // an emoji for a choice hides the questions that hang on it
	for _, f := range all.Fields() {
		if f.Shown && f.Counts() {
			shown++
		}
	}
	if n := strings.Count(text, want); n != shown {
		t.Errorf("the answer reads back as %q in %d of the %d fields shown; the text is:\n%s", want, n, shown, text)
	}
	if !strings.Contains(text, "Characters this document cannot show") {
		t.Errorf("the PDF does not say what the placeholder means")
	}
	pages := strings.Split(strings.TrimRight(text, "\f\n"), "\f")
	for i, pg := range pages {
		if !strings.Contains(pg, nrm.Marking) || !strings.Contains(pg, "Case "+all.CaseReference) {
			t.Errorf("page %d lacks the marking or the case reference", i+1)
		}
	}
}

// The plain-text export is for pasting into the Home Office form: it keeps
// every character a worker typed, byte for byte, whatever the PDF had to
// draw instead: no normalisation, no placeholder, no reordering.
func TestTextExportKeepsCharactersExactly(t *testing.T) {
	values := map[string]string{
		"pv-name-first-name":    emoji,
		"pv-name-last-name":     norm.NFD.String("Trần Văn Đức"),
		"pv-name-nickname":      "علاء الدين (Alaa) ١٢٣",
		"fr-details-first-name": "ሰላም ተስፋይ፡ አበበ",
		"birthplace":            "王小明 \u200d\u200c\ufe0f e\u0301",
	}
	text := string(nrm.Text(withAnswers(t, values)))
	for id, v := range values {
		if !strings.Contains(text, "--- answer ---\n"+v+"\n--- end ---") {
			t.Errorf("%s: the text export does not hold %q exactly", id, v)
		}
	}
	if strings.ContainsRune(text, unicode.ReplacementChar) {
		t.Errorf("the text export has a replacement character none of the answers had")
	}
}
