package web

import (
	"context"
	"strings"

	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// Strategy discussion, Section 47, the people around the child, interviews
// and interpreters (§6.7, §7.4–7.6).
func addStrategyActions(set *actionSet) {
	addAction[pathway.RecordLinkedPerson](set, action{
		Slug: "linked-person", Title: "Record a person linked to the child", Section: "§6.7, §7.5", Group: "People around the child",
		Intro: "Record family, carers, sponsors and adults found with the child. They are never users of Waymark: recording them " +
			"keeps them out of the child's interviews and stops them being used to interpret.",
		Button: "Record the person",
		Fields: []field{
			{Name: "name", Label: "Their name", Hint: "Or the name they gave. Write it as they spell it.", Kind: kindText},
			{Name: "relationship", Label: "How are they linked to the child?", Kind: kindRadios, Options: strategyOptions(pathway.Relationships())},
			{Name: "notes", Label: "Notes (optional)", Hint: "For example, how they came to be with the child, or what they claim.", Kind: kindTextarea, MaxLength: pathway.MaxNarrative},
		},
	})
	addAction[pathway.RecordStrategyDiscussion](set, action{
		Slug: "strategy-discussion", Title: "Record the strategy discussion", Section: "§6.7", Group: "Strategy discussion and Section 47",
		Intro:  "Record who took part and what was decided about a Section 47 enquiry and a joint interview with the child.",
		Button: "Record the discussion",
		Fields: []field{
			{Name: "heldAt", Label: "When was the strategy discussion held?", Kind: kindDateTime},
			{Name: "participants", Label: "Who took part?", Hint: "One on each line, as name, organisation. For example: Sam Social, Northshire Children's Services", Kind: kindLines, Rows: 5},
			{Name: "section47", Label: "Was a Section 47 enquiry decided?", Kind: kindYesNo, Required: true},
			{Name: "jointInterview", Label: "Was a joint interview of the child agreed?", Kind: kindYesNo, Required: true},
			{Name: "notes", Label: "Notes of the discussion (optional)", Kind: kindTextarea, MaxLength: pathway.MaxNarrative},
		},
	})
	addAction[pathway.PlanInterview](set, action{
		Slug: "interview-plan", Title: "Plan an interview with the child", Section: "§6.7, §7.6", Group: "Interviews and interpreters",
		Intro: "The child is always interviewed apart from parents, carers, sponsors and anyone claiming to be a relative: " +
			"none of them may be in the room.",
		Button: "Save the plan",
		Fields: []field{
			{Name: "plannedFor", Label: "When will the interview be held?", Kind: kindDateTime},
			{Name: "interviewers", Label: "Who will interview the child?", Hint: "One name on each line.", Kind: kindLines},
			{Name: "present", Label: "Who else will be present? (optional)", Hint: "One name on each line, for example an independent advocate.", Kind: kindLines},
			{Name: "interpreterId", Label: "Interpreter (optional)", Hint: "From the partnership's register of approved, DBS-checked interpreters.", Kind: kindSelect,
				Options: interpreterOptions("No interpreter needed")},
		},
	})
	addAction[pathway.BookInterpreter](set, action{
		Slug: "book-interpreter", Title: "Book an interpreter for the child", Section: "§6.7, §7.5", Group: "Interviews and interpreters",
		Intro: "Use only professional interpreters from the register, never family, friends or anyone found with the child. " +
			"Offer the child a choice of gender, check the dialect, and keep the same interpreter unless the child asks for a change.",
		Button: "Book the interpreter",
		Fields: []field{
			{Name: "interpreterId", Label: "Interpreter", Hint: "Shown with the languages, dialects and gender on the register.", Kind: kindSelect,
				Options: interpreterOptions("Choose an interpreter")},
			{Name: "genderPreference", Label: "Which interpreter would the child prefer?", Hint: "Ask the child (§7.5).", Kind: kindRadios, Options: strategyOptions(pathway.GenderPreferences())},
			{Name: "language", Label: "Language the child needs", Kind: kindText},
			{Name: "dialect", Label: "Dialect the child speaks", Hint: "Small differences in dialect can change what the child's words are taken to mean.", Kind: kindText},
			{Name: "childAskedForChange", Label: "Did the child ask for a different interpreter?", Hint: "Answer no if this is the child's first interpreter.", Kind: kindYesNo, Required: true},
			{Name: "changeReason", Label: "Why did the child ask for a different interpreter?", Hint: "Only needed when they asked.", Kind: kindTextarea, MaxLength: pathway.MaxNarrative},
		},
	})
}

func strategyOptions(opts []struct{ Value, Text string }) func(*Server, casework.CaseView) []option {
	return func(*Server, casework.CaseView) []option {
		out := make([]option, 0, len(opts))
		for _, o := range opts {
			out = append(out, option{Value: o.Value, Text: o.Text})
		}
		return out
	}
}

// interpreterOptions lists the active register entries fit to interpret for
// a child (§6.7), each with what the child's choice depends on (§7.5).
func interpreterOptions(none string) func(*Server, casework.CaseView) []option {
	return func(s *Server, v casework.CaseView) []option {
		out := []option{{Value: "", Text: none}}
		register, err := s.svc.InterpreterRegister(context.Background())
		if err != nil {
			s.log.Error("reading the interpreter register", "err", err)
			return out
		}
		for _, i := range register {
			if i.Active && i.Professional && i.Approved && i.DBSCheckedOn != "" {
				out = append(out, option{Value: i.ID, Text: describeInterpreter(i)})
			}
		}
		return out
	}
}

// describeInterpreter is an entry as a booking shows it: "Elira Hoxha – Albanian (Gheg), female".
func describeInterpreter(i store.Interpreter) string {
	s := i.Name + " – " + strings.Join(i.Languages, ", ")
	if len(i.Dialects) > 0 {
		s += " (" + strings.Join(i.Dialects, ", ") + ")"
	}
	for _, g := range pathway.InterpreterGenders() {
		if g.Value == i.Gender {
			s += ", " + strings.ToLower(g.Text)
		}
	}
	return s
}
