package nrm_test

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"waymark/internal/nrm"
	"waymark/internal/pathway"
)

// specText is the small print of a form description, which a person
// copying answers has no use for: field keys, kinds, limits and paths.
var specText = []string{"Field ", "one line, required", "several lines, required", "up to 15,000 characters",
	"a line break counting as 2", "form page /", "choose from the form's list of", "nothing to answer", "NOT ANSWERED YET"}

// The text and the PDF read as documents for people: the questions and
// answers, and how to enter an answer only where it is not simply pasted,
// never the form's specification (field keys, kinds, limits, paths).
func TestTheDocumentsCarryNoSpecificationText(t *testing.T) {
	for _, sc := range sampleCases {
		c := sc.build(t)
		for _, d := range []nrm.Draft{nrm.Assemble(c, cat, sc.now), nrm.AssembleReconsideration(c, cat, sc.now)} {
			pdf, err := nrm.PDF(d)
			if err != nil {
				t.Fatal(err)
			}
			var shown []string
			for _, page := range pdfPages(t, pdf) {
				shown = append(shown, page...)
			}
			for name, doc := range map[string]string{"text": string(nrm.Text(d)), "PDF": normalised(strings.Join(shown, "\n"))} {
				for _, s := range specText {
					if strings.Contains(doc, s) {
						t.Errorf("%s %s %s: says %q, which is the form's specification, not the document", sc.name, d.Kind, name, s)
					}
				}
				for _, f := range d.Fields() {
					if strings.Contains(f.ID, "-") && strings.Contains(doc, f.ID) {
						t.Errorf("%s %s %s: names the form's field key %q", sc.name, d.Kind, name, f.ID)
					}
				}
				// A list question says which entry to choose.
				for _, f := range d.Fields() {
					if f.Shown && f.Type == nrm.TypeSelect && f.Answered() && !strings.Contains(doc, "Choose this entry from the form's list") {
						t.Errorf("%s %s %s: the list answer to %q does not say to choose it from the form's list", sc.name, d.Kind, name, f.Label)
					}
				}
			}
		}
	}
}

// Each document opens with its contents: every section, numbered, then the
// declaration (for a referral) and what is still to do, in that order.
func TestTheDocumentsOpenWithTheirContents(t *testing.T) {
	c, now := mustCase(t, "county-lines-boy")
	d := nrm.Assemble(c, cat, now)
	text := string(nrm.Text(d))
	contents, body, ok := strings.Cut(text, "\n1. "+d.Sections[0].Title+"\n")
	if !ok {
		t.Fatalf("the text has no heading for its first section %q", d.Sections[0].Title)
	}
	_, list, ok := strings.Cut(contents, "\nContents\n")
	if !ok {
		t.Fatal("the text has no contents list")
	}
	at := 0
	for i, s := range d.Sections {
		entry := "  " + strconv.Itoa(i+1) + ". " + s.Title + "\n"
		j := strings.Index(list[at:], entry)
		if j < 0 {
			t.Fatalf("the contents list does not have %q after position %d", entry, at)
		}
		at += j + len(entry)
	}
	for _, last := range []string{strconv.Itoa(len(d.Sections)+1) + ". " + nrm.DeclarationTitle, "Still to do"} {
		if j := strings.Index(list[at:], last); j < 0 {
			t.Errorf("the contents list does not end with %q", last)
		}
		if !strings.Contains(body, "\n"+last+"\n") {
			t.Errorf("the text has no heading %q", last)
		}
	}

	pdf, err := nrm.PDF(d)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(pdf, []byte("/Type /Outlines")); n != 1 {
		t.Errorf("the PDF has %d outlines (bookmarks), want its contents as one", n)
	}
	if n := bytes.Count(pdf, []byte("/Subtype /Link")); n < len(d.Sections)+2 {
		t.Errorf("the PDF's contents has %d links, want one to each of its %d sections, the declaration and what is still to do", n, len(d.Sections))
	}
}

// In the PDF each level of heading is visibly smaller than the one above:
// the title, a section, a page of the form, a question.
func TestThePDFHeadingsStepDownInSize(t *testing.T) {
	c, now := mustCase(t, "county-lines-boy")
	d := nrm.Assemble(c, cat, now)
	pdf, err := nrm.PDF(d)
	if err != nil {
		t.Fatal(err)
	}
	sizes := shownSizes(t, pdf)
	page := d.Sections[1].Pages[1] // the local authority: a page whose question is not its title
	levels := []struct{ what, text string }{
		{"title", d.Kind.Title() + ": draft"},
		{"section", "2. " + d.Sections[1].Title},
		{"page", page.Title},
		{"question", page.Fields[0].Label},
	}
	prev := 0.0
	for i, l := range levels {
		size, ok := sizes[l.text]
		if !ok {
			t.Fatalf("the PDF does not show the %s %q on its own line", l.what, l.text)
		}
		if i > 0 && size > prev-1.5 {
			t.Errorf("the %s %q is set at %.1f pt, not visibly smaller than the %s above it (%.1f pt)", l.what, l.text, size, levels[i-1].what, prev)
		}
		prev = size
	}
}

// shownSizes maps each string the PDF shows to the font size it is last set in.
func shownSizes(t *testing.T, pdf []byte) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	tf := regexp.MustCompile(`([\d.]+) Tf`)
	streamRe := regexp.MustCompile(`(?s)<<([^>]*?)>>\s*stream\r?\n`)
	for _, loc := range streamRe.FindAllSubmatchIndex(pdf, -1) {
		dict := string(pdf[loc[2]:loc[3]])
		m := regexp.MustCompile(`/Length (\d+)`).FindStringSubmatch(dict)
		n, _ := strconv.Atoi(m[1])
		data := pdf[loc[1] : loc[1]+n]
		if strings.Contains(dict, "/FlateDecode") {
			r, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				continue
			}
			data, _ = io.ReadAll(r)
		}
		if !bytes.Contains(data, []byte(" Tf")) {
			continue
		}
		for i := 0; i < len(data); i++ {
			if data[i] != '(' {
				continue
			}
			s, next := literal(data, i)
			if f := tf.FindAllSubmatch(data[:i], -1); len(f) > 0 {
				size, _ := strconv.ParseFloat(string(f[len(f)-1][1]), 64)
				out[decodeUTF16(t, s)] = size // the last time it is shown: a section's heading comes after its contents entry
			}
			i = next
		}
	}
	return out
}

// Before the submission the referral says what the First Responder will
// confirm; after it, what they confirmed, and whether the NRM was explained
// to the child and their parent, guardian or carer (§8.3).
func TestTheReferralCarriesTheDeclaration(t *testing.T) {
	before, now := mustCase(t, "county-lines-boy")
	text := string(nrm.Text(nrm.Assemble(before, cat, now)))
	for _, want := range []string{nrm.DeclarationTitle, pathway.NRMDeclarationText, "you will be asked whether you made this declaration", "§8.3"} {
		if !strings.Contains(text, want) {
			t.Errorf("before the submission, the referral does not say %q", want)
		}
	}

	after, now := mustCase(t, "child-from-abroad") // submitted, and the NRM explained to both
	d := nrm.Assemble(after, cat, now)
	text = string(nrm.Text(d))
	for _, want := range []string{"The declaration was made on the form", "Explained to the child: Yes, in a way they understood.",
		"Explained to their parent, guardian or carer: Yes, in a way they understood."} {
		if !strings.Contains(text, want) {
			t.Errorf("after the submission, the referral does not say %q", want)
		}
	}
	pdf, err := nrm.PDF(d)
	if err != nil {
		t.Fatal(err)
	}
	var shown []string
	for _, page := range pdfPages(t, pdf) {
		shown = append(shown, page...)
	}
	if body := normalised(strings.Join(shown, " ")); !strings.Contains(body, "Explained to the child: Yes, in a way they understood.") {
		t.Error("the PDF does not say whether the NRM was explained to the child")
	}
	if r := nrm.AssembleReconsideration(after, cat, now); r.Declaration != nil || strings.Contains(string(nrm.Text(r)), nrm.DeclarationTitle) {
		t.Error("a reconsideration request carries the referral's declaration")
	}
}
