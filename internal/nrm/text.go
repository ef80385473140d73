package nrm

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"waymark/internal/pathway"
)

// Marking is the protective marking on every document (and every page of
// the PDF): it holds a child's details (§6.5).
const Marking = "OFFICIAL-SENSITIVE"

// Text renders the draft as plain text for a person to read and copy from:
// a contents list, then each section and page of the form in its order with
// every question on the child's route and its answer ready to paste, the
// declaration, and what is still to do. It is the same for the same draft,
// byte for byte.
func Text(d Draft) []byte {
	var b strings.Builder
	problems := Check(d)
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	rule := strings.Repeat("=", 72)
	sections := documentSections(d)

	line("%s", Marking)
	line("")
	for _, l := range heading(d, problems) {
		line("%s", l)
	}
	line("")
	line("%s", howToUse(d))
	line("In this text each answer sits between a line '--- answer ---' and a line '--- end ---': copy what lies between.")
	line("")
	line("Contents")
	for _, c := range contents(d, sections) {
		line("  %s", c)
	}
	for i, s := range sections {
		line("")
		line("%s", rule)
		line("%d. %s", i+1, s.Title)
		line("%s", rule)
		for _, p := range s.Pages {
			if !pageInDocument(p) {
				continue
			}
			line("")
			line("%s", p.Title)
			line("%s", strings.Repeat("-", utf8.RuneCountInString(p.Title)))
			if p.Note != "" {
				line("%s", p.Note)
			}
			for _, f := range p.Fields {
				if !inDocument(f) {
					continue
				}
				line("")
				if !sameWords(f.Label, p.Title) { // a page's only question often repeats its heading
					line("%s", f.Label)
				}
				if !f.Counts() {
					line("%s", f.Hint)
					continue
				}
				switch {
				case f.Answered():
					if how := HowToCopy(f); how != "" {
						line("%s:", how)
					}
					line("--- answer ---")
					line("%s", f.Display())
					line("--- end ---")
				case f.Required:
					line("%s", strings.TrimSpace("Not answered yet. "+f.Source))
				default:
					line("Optional: left blank.")
				}
				for _, pr := range problems {
					if pr.Field == f.ID && pr.Kind != ProblemMissing {
						line("Check: %s", pr.Message)
					}
				}
			}
		}
	}
	if dec := d.Declaration; dec != nil {
		line("")
		line("%s", rule)
		line("%d. %s", len(sections)+1, DeclarationTitle)
		line("%s", rule)
		for _, para := range dec.Paragraphs() {
			line("")
			line("%s", para)
		}
	}
	line("")
	line("%s", rule)
	line("Still to do")
	line("%s", rule)
	todo := 0
	for _, pr := range problems {
		if pr.Blocking {
			line("- %s", pr.Message)
			todo++
		}
	}
	if todo == 0 {
		line("Nothing: every answer the form needs is here.")
	}
	line("")
	line("%s", Marking)
	return []byte(b.String())
}

// inDocument reports whether a field is on the child's route, and so in the
// documents; questions the route skips, and answers kept but off the route,
// are left out.
func inDocument(f Field) bool { return f.Shown }

// sameWords reports whether a question says what its page's heading says.
func sameWords(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// pageInDocument reports whether any question of the page is in the documents.
func pageInDocument(p Page) bool { return slices.ContainsFunc(p.Fields, inDocument) }

// documentSections are the sections with any page in the documents.
func documentSections(d Draft) []Section {
	var out []Section
	for _, s := range d.Sections {
		if slices.ContainsFunc(s.Pages, pageInDocument) {
			out = append(out, s)
		}
	}
	return out
}

// contents lists the documents' sections as numbered, then the declaration
// and what is still to do.
func contents(d Draft, sections []Section) []string {
	var out []string
	for i, s := range sections {
		out = append(out, fmt.Sprintf("%d. %s", i+1, s.Title))
	}
	if d.Declaration != nil {
		out = append(out, fmt.Sprintf("%d. %s", len(sections)+1, DeclarationTitle))
	}
	return append(out, "Still to do")
}

// howToUse opens every document: what it is for and how to use it.
func howToUse(d Draft) string {
	if d.Kind == Referral {
		return "A First Responder copies each answer below into the question of the same name on the Home Office's online form, page by page. An organisation that is not a First Responder sends this draft to the lead First Responder, who submits the referral (§8.2, §8.7). Questions the child's route skips are left out."
	}
	return "Send this request to the Single Competent Authority with the case's Home Office reference. Any organisation on the case may ask for a reconsideration (§8.9)."
}

// HowToCopy says, in plain words, how an answer goes into the form when it
// is not simply pasted: an entry chosen from one of the form's lists, or
// files uploaded. It is empty for an answer that is pasted, ticked or chosen
// as it reads.
func HowToCopy(f Field) string {
	switch f.Type {
	case TypeSelect:
		return "Choose this entry from the form's list"
	case TypeFile:
		return "Upload these documents on the form"
	}
	return ""
}

// heading is the block that opens every document.
func heading(d Draft, problems []Problem) []string {
	out := []string{
		d.Kind.Title() + ": draft prepared by Waymark",
		"Case reference: " + d.CaseReference,
	}
	if d.HomeOfficeReference != "" {
		out = append(out, "Home Office NRM reference: "+d.HomeOfficeReference)
	}
	out = append(out, "Prepared on "+d.AssembledAt.In(pathway.London).Format("2 January 2006 at 3:04pm")+" from the case as it stood then.")
	out = append(out, "Written for version "+d.FormVersion+" of the form.")
	filled, total := answeredOnRoute(d)
	blocking := 0
	for _, p := range problems {
		if p.Blocking {
			blocking++
		}
	}
	out = append(out, fmt.Sprintf("Answered: %d of the %d questions on this child's route. Problems to resolve: %d.", filled, total, blocking))
	return out
}

func answeredOnRoute(d Draft) (answered, total int) {
	for _, f := range d.Fields() {
		if f.Shown && f.Counts() {
			total++
			if f.Answered() {
				answered++
			}
		}
	}
	return answered, total
}
