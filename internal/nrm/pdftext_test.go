package nrm

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

// Every presentation form the shaping draws is the letter it replaces
// (compatibility decomposition), and every lam-alef ligature is lam and its
// alef: a copy from the PDF normalises back to what was typed.
func TestArabicFormsAreTheLettersTheyStandFor(t *testing.T) {
	for letter, forms := range arabicForms {
		if _, joins := arabicJoining[letter]; !joins && forms[1] != 0 {
			t.Errorf("%U has a final form but no joining type", letter)
		}
		for i, f := range forms {
			if f != 0 && norm.NFKC.String(string(f)) != norm.NFKC.String(string(letter)) {
				t.Errorf("form %d of %U is %U, which normalises to %q", i, letter, f, norm.NFKC.String(string(f)))
			}
		}
	}
	for alef, lig := range lamAlef {
		for _, f := range lig {
			if norm.NFKC.String(string(f)) != "\u0644"+string(alef) {
				t.Errorf("the lam-alef ligature %U is not lam and %U", f, alef)
			}
		}
	}
}

// Shaping follows each letter's joining type: a dual-joining letter between
// two others is medial; a right-joining one (alef, dal, reh, waw) ends the
// join, so the letter after it starts afresh; marks are transparent; lam
// then alef becomes one ligature.
func TestArabicLettersTakeTheFormOfTheirPlaceInTheWord(t *testing.T) {
	for _, c := range []struct{ typed, want string }{
		{"محمد", "\uFEE3\uFEA4\uFEE4\uFEAA"},
		{"دار", "\uFEA9\uFE8D\uFEAD"},
		{"سلام", "\uFEB3\uFEFC\uFEE1"},
		{"لا", "\uFEFB"},
		{"بَب", "\uFE91\u064E\uFE90"},
		{"ب ب", "\uFE8F \uFE8F"},
		{"پرویز", "\uFB58\uFEAE\uFEED\uFBFE\uFEB0"},
	} {
		if got := string(shapeArabic([]rune(c.typed))); got != c.want {
			t.Errorf("%s shapes to %+q, want %+q", c.typed, got, c.want)
		}
	}
}

// A line is drawn left to right, so right-to-left text is put into visual
// order (UAX #9): an Arabic name comes out reversed, a Latin word in it
// keeps its own order, and brackets are mirrored. Each run is in the face
// that has its glyphs; a paragraph that starts right to left is set against
// the right edge. A directional override does not turn text backwards.
func TestRightToLeftLinesAreDrawnInVisualOrder(t *testing.T) {
	w := newTextWriter(nil)
	for _, c := range []struct {
		typed string
		rtl   bool
		want  []piece
	}{
		{"محمد abc", true, []piece{{face: faceRegular, text: "abc "}, {face: faceArabic, text: "\uFEAA\uFEE4\uFEA4\uFEE3"}}},
		{"(سلام)", true, []piece{{face: faceRegular, text: "("}, {face: faceArabic, text: "\uFEE1\uFEFC\uFEB3"}, {face: faceRegular, text: ")"}}},
		{"\u202eevil.exe\u202c", false, []piece{{face: faceRegular, text: "evil.exe"}}},
		{"Ama ሰላም 王", false, []piece{{face: faceRegular, text: "Ama "}, {face: faceEthiopic, text: "ሰላም"}, {face: faceRegular, text: " "}, {face: faceCJK, text: "王"}}},
	} {
		lines, rtl := w.lines(c.typed, faceRegular, 100000)
		if len(lines) != 1 {
			t.Fatalf("%s: %d lines", c.typed, len(lines))
		}
		if rtl != c.rtl {
			t.Errorf("%s: right to left %v, want %v", c.typed, rtl, c.rtl)
		}
		var got []piece
		for _, p := range lines[0] {
			got = append(got, piece{face: p.face, text: p.text})
		}
		if len(got) != len(c.want) {
			t.Errorf("%s is drawn as %+v, want %+v", c.typed, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s is drawn as %+v, want %+v", c.typed, got, c.want)
				break
			}
		}
	}
}
