package nrm

import (
	"time"

	"waymark/internal/pathway"
)

// Declaration is what the First Responder confirms on the form's last page
// before sending the referral, and whether the NRM was explained to the
// child and to their parent, guardian or carer (§8.3). Before the submission
// is recorded it says what will be asked; afterwards, what was answered.
type Declaration struct {
	Text             string    `json:"text"`     // the declaration, in Waymark's words
	Recorded         bool      `json:"recorded"` // answered when the submission was recorded
	Made             bool      `json:"made"`
	ExplainedToChild string    `json:"explainedToChild,omitempty"` // in words
	ExplainedToCarer string    `json:"explainedToCarer,omitempty"` // in words
	NotExplainedWhy  string    `json:"notExplainedWhy,omitempty"`
	RecordedBy       string    `json:"recordedBy,omitempty"` // who recorded the submission, and their organisation
	RecordedAt       time.Time `json:"recordedAt,omitzero"`
}

// DeclarationTitle heads the declaration in every document.
const DeclarationTitle = "The declaration, and explaining the NRM to the child"

// Title heads the declaration in every document.
func (Declaration) Title() string { return DeclarationTitle }

// declarationOf is what the case holds of the declaration.
func declarationOf(c pathway.Case) *Declaration {
	d := &Declaration{Text: pathway.NRMDeclarationText}
	s := c.NRM.Submission
	if s == nil {
		return d
	}
	d.Recorded, d.RecordedAt = true, s.RecordedAt
	d.RecordedBy = s.By.Name
	if s.By.OrgName != "" {
		d.RecordedBy += " (" + s.By.OrgName + ")"
	}
	if dec := s.Declaration; dec.Made {
		d.Made = true
		d.ExplainedToChild, d.ExplainedToCarer, d.NotExplainedWhy = dec.ExplainedToChildLabel(), dec.ExplainedToCarerLabel(), dec.NotExplainedWhy
	}
	return d
}

// Paragraphs are the declaration as a document says it, in plain words.
func (d Declaration) Paragraphs() []string {
	quoted := "“" + d.Text + "”"
	switch {
	case !d.Recorded:
		return []string{
			"Before you send the referral, the form's last page asks you to confirm that what you are sending is right as far as you know, and that the child has been told how their information will be used. In Waymark's words:",
			quoted,
			"When you record the submission in Waymark, you will be asked whether you made this declaration, and whether the NRM, and what being referred means for them, was explained to the child and to their parent, guardian or carer in a way they understand (§8.3).",
		}
	case !d.Made:
		return []string{"The submission was recorded by " + d.RecordedBy + " before Waymark asked about the declaration and explaining the NRM."}
	}
	out := []string{
		"Recorded with the submission by " + d.RecordedBy + " on " + d.RecordedAt.In(pathway.London).Format("2 January 2006") + ".",
		"The declaration was made on the form: " + quoted,
		"Explained to the child: " + d.ExplainedToChild + ".",
		"Explained to their parent, guardian or carer: " + d.ExplainedToCarer + ".",
	}
	if d.NotExplainedWhy != "" {
		out = append(out, "Why not yet: "+d.NotExplainedWhy)
	}
	return out
}
