package nrm

import (
	"fmt"
	"strings"

	"waymark/internal/pathway"
)

// Marking is the protective marking on every document (and every page of
// the PDF): it holds a child's details (§6.5).
const Marking = "OFFICIAL-SENSITIVE"

// Text renders the draft as plain text: every field on the child's route in
// the form's order, its answer between markers ready to paste, and what is
// still to do. It is the same for the same draft, byte for byte.
func Text(d Draft) []byte {
	var b strings.Builder
	problems := Check(d)
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	rule := strings.Repeat("=", 72)

	line("%s", Marking)
	line("")
	for _, l := range heading(d, problems) {
		line("%s", l)
	}
	line("")
	line("Copy each answer into the field of the same name on the form, page by page.")
	line("Each answer sits between a line '--- answer ---' and a line '--- end ---'.")
	for i, s := range d.Sections {
		line("")
		line("%s", rule)
		line("%d. %s", i+1, s.Title)
		line("%s", rule)
		for _, p := range s.Pages {
			if !p.PageShown() {
				continue
			}
			line("")
			line("%s", pageTitle(d, p))
			if p.Note != "" {
				line("%s", p.Note)
			}
			for _, f := range p.Fields {
				if !f.Shown {
					continue
				}
				line("")
				line("%s", f.Label)
				line("%s", fieldFacts(f))
				if !f.Counts() {
					line("%s", f.Hint)
					continue
				}
				line("--- answer ---")
				if f.Answered() {
					line("%s", f.Display())
				} else if f.Required {
					line("NOT ANSWERED YET")
				} else {
					line("(optional, left blank)")
				}
				line("--- end ---")
				for _, pr := range problems {
					if pr.Field == f.ID {
						line("Check: %s", pr.Message)
					}
				}
			}
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
	out = append(out, "Form version "+d.FormVersion+".")
	filled, total := answeredOnRoute(d)
	blocking := 0
	for _, p := range problems {
		if p.Blocking {
			blocking++
		}
	}
	out = append(out, fmt.Sprintf("Answered: %d of the %d fields on this child's route. Problems to resolve: %d.", filled, total, blocking))
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

// pageTitle names a page as the form does: its step, and its path when the
// form has one.
func pageTitle(d Draft, p Page) string {
	if d.Kind == Referral {
		return fmt.Sprintf("Step %d: %s (form page %s)", p.Step, p.Title, p.Path)
	}
	return fmt.Sprintf("Part %d: %s", p.Step, p.Title)
}

// fieldFacts is the small print under a field's label: its key on the
// form, its kind, whether it is required and its limit.
func fieldFacts(f Field) string {
	parts := []string{"Field " + f.ID}
	switch f.Type {
	case TypeText:
		parts = append(parts, "one line")
	case TypeTextarea:
		parts = append(parts, "several lines")
	case TypeRadio:
		parts = append(parts, "choose one")
	case TypeCheckboxGroup:
		parts = append(parts, "tick all that apply")
	case TypeSelect:
		parts = append(parts, "choose from the form's list of "+f.List)
	case TypeDate:
		parts = append(parts, "day, month and year")
	case TypeFile:
		parts = append(parts, "files to upload")
	case TypeInfo:
		return strings.Join(append(parts, "nothing to answer"), ", ") + "."
	}
	if f.Required {
		parts = append(parts, "required")
	} else {
		parts = append(parts, "optional")
	}
	if f.Limit > 0 {
		parts = append(parts, fmt.Sprintf("up to %s characters, a line break counting as 2", thousands(f.Limit)))
	}
	return strings.Join(parts, ", ") + "."
}
