package pathway

import (
	"fmt"
	"strings"
	"time"

	"waymark/internal/catalog"
)

// The panel's evidence pack (issue 13, need to know §6.5): what a panel
// member who is not on the case may see of it, and nothing more. It holds
// what the decision needs: who the child is, the signs seen and the account
// given, the referral and the decisions and requests so far, and the
// national clocks. It leaves out where the child lives or is placed, the
// people linked to them, the team's meetings, notes and plans, and the
// documents: none of these is needed to decide whether there are grounds.

// PanelEvidence is the evidence pack of one referral.
type PanelEvidence struct {
	CaseID      string   `json:"caseId"`
	ChildName   string   `json:"childName"`
	DateOfBirth string   `json:"dateOfBirth,omitempty"`
	Gender      string   `json:"gender,omitempty"`
	Nationality string   `json:"nationality,omitempty"`
	Languages   []string `json:"languages,omitempty"`

	IdentifiedAt      time.Time           `json:"identifiedAt"`
	Summary           string              `json:"summary"`
	ExploitationTypes []string            `json:"exploitationTypes"` // labels
	Indicators        []EvidenceIndicator `json:"indicators"`

	SubmittedAt        time.Time            `json:"submittedAt"`
	ReferringOrg       string               `json:"firstResponder"` // the lead First Responder organisation
	ReferringOrgID     string               `json:"-"`
	Routing            DecisionRouting      `json:"routing"`
	FurtherInformation []FurtherInformation `json:"furtherInformation,omitempty"`
	Decisions          []GroundsDecision    `json:"decisions,omitempty"`
	Reconsiderations   []Reconsideration    `json:"reconsiderations,omitempty"`

	// The national clocks: the Reasonable Grounds target, and the first day
	// a Conclusive Grounds decision may be made.
	ReasonableGroundsDue      *time.Time `json:"reasonableGroundsDue,omitempty"`
	EarliestConclusiveGrounds string     `json:"earliestConclusiveGrounds,omitempty"`

	// What the panel may decide now.
	Next string `json:"next"` // "reasonable-grounds", "conclusive-grounds", "reconsideration" or ""
}

// EvidenceIndicator is a sign seen, as the catalogue names it, with what was seen.
type EvidenceIndicator struct {
	Label    string `json:"label"`
	Section  string `json:"section,omitempty"`
	Evidence string `json:"evidence"`
}

// Standing is the standing decision on grounds, or nil.
func (e PanelEvidence) Standing(grounds string) *GroundsDecision {
	var out *GroundsDecision
	for i := range e.Decisions {
		if e.Decisions[i].Grounds == grounds {
			out = &e.Decisions[i]
		}
	}
	return out
}

// OpenReconsideration is the request waiting for the panel, or nil.
func (e PanelEvidence) OpenReconsideration() *Reconsideration {
	for i := range e.Reconsiderations {
		if e.Reconsiderations[i].Open() {
			return &e.Reconsiderations[i]
		}
	}
	return nil
}

// EvidencePack builds the pack from a referral the panel decides; ok is
// false for any other case (the panel learns nothing of it).
func EvidencePack(cat *catalog.Catalog, c Case) (PanelEvidence, bool) {
	s := c.NRM.Submission
	if s == nil || !c.NRM.DecisionRouting().ByPanel() {
		return PanelEvidence{}, false
	}
	ch := c.Concern.Child
	e := PanelEvidence{CaseID: c.ID, ChildName: ch.FullName(), DateOfBirth: ch.DateOfBirth, Gender: ch.Gender, Nationality: ch.Nationality,
		Languages: append([]string(nil), ch.Languages...), IdentifiedAt: c.Concern.IdentifiedAt, Summary: c.Concern.Summary,
		SubmittedAt: s.SubmittedAt, ReferringOrg: s.LeadOrgName, ReferringOrgID: s.LeadOrgID, Routing: c.NRM.DecisionRouting(),
		FurtherInformation:        append([]FurtherInformation(nil), c.NRM.FurtherInformation...),
		Decisions:                 append([]GroundsDecision(nil), c.NRM.Decisions...),
		Reconsiderations:          append([]Reconsideration(nil), c.NRM.Reconsiderations...),
		EarliestConclusiveGrounds: c.NRM.EarliestConclusiveGrounds}
	for _, id := range c.Concern.ExploitationTypes {
		label := id
		if cat != nil {
			if t, ok := cat.ExploitationType(id); ok {
				label = t.Label
			}
		}
		e.ExploitationTypes = append(e.ExploitationTypes, label)
	}
	for _, o := range c.Concern.Indicators {
		ind := EvidenceIndicator{Label: o.ID, Evidence: o.Evidence}
		if cat != nil {
			if i, ok := cat.Indicator(o.ID); ok {
				ind.Label, ind.Section = i.Label, i.Section
			}
		}
		e.Indicators = append(e.Indicators, ind)
	}
	if cl, ok := c.RunningClock(ClockNRMReasonableGrounds); ok {
		due := cl.DueAt
		e.ReasonableGroundsDue = &due
	}
	switch {
	case c.NRM.OpenReconsideration() != nil:
		e.Next = "reconsideration"
	case c.NRM.ReasonableGrounds == nil:
		e.Next = ReasonableGrounds
	case c.NRM.ReasonableGrounds.Positive() && c.NRM.ConclusiveGrounds == nil:
		e.Next = ConclusiveGrounds
	}
	return e, true
}

// Letter audiences: a decision letter is written for each.
const (
	LetterFirstResponder = "first-responder"
	LetterChild          = "child"
	LetterGuardian       = "guardian"
)

// LetterAudiences lists who a decision letter is written for.
func LetterAudiences() []struct{ Value, Text string } {
	return []struct{ Value, Text string }{
		{LetterFirstResponder, "The First Responder"},
		{LetterChild, "The child"},
		{LetterGuardian, "The child's parent, guardian or carer"},
	}
}

// Letter is a decision letter in plain language.
type Letter struct {
	Title      string
	Paragraphs []string
}

// Text is the letter as plain text.
func (l Letter) Text() string {
	return l.Title + "\n\n" + strings.Join(l.Paragraphs, "\n\n") + "\n"
}

// DecisionLetter writes the letter telling audience of decision d, or ok
// false for an audience Waymark does not write for.
func DecisionLetter(e PanelEvidence, d GroundsDecision, audience string) (Letter, bool) {
	panel := d.MakerLabel()
	positive := d.Positive()
	l := Letter{Title: fmt.Sprintf("%s decision: %s", GroundsLabel(d.Grounds), d.Outcome)}
	var what, next string
	switch {
	case d.Grounds == ReasonableGrounds && positive:
		what = "there are reasonable grounds to believe that %s may be a victim of modern slavery"
		next = "This is not the final decision. The panel will make a Conclusive Grounds decision, no sooner than " + nrmDayLabel(e.EarliestConclusiveGrounds) + ". Until then support continues."
	case d.Grounds == ReasonableGrounds:
		what = "there are not reasonable grounds, on what it has seen so far, to believe that %s is a victim of modern slavery"
		next = "If there is more information, or you think the decision is wrong, the First Responder or anyone working with the child can ask the panel to reconsider it."
	case positive:
		what = "it is more likely than not that %s is a victim of modern slavery"
		next = "This is the panel's final decision on the referral. Support for the child carries on through the people already working with them."
	default:
		what = "it is not more likely than not that %s is a victim of modern slavery"
		next = "If there is more information, or you think the decision is wrong, the First Responder or anyone working with the child can ask the panel to reconsider it."
	}
	date := d.DecidedOnLabel()
	switch audience {
	case LetterFirstResponder:
		l.Paragraphs = []string{
			"To: " + e.ReferringOrg + ", First Responder for the National Referral Mechanism referral submitted on " + e.SubmittedAt.In(London).Format("2 January 2006") + ".",
			fmt.Sprintf("On %s %s decided that "+what+".", date, panel, e.ChildName),
			"The test the panel applied: " + Threshold(d.Grounds),
			"The panel's reasons: " + d.Reasons,
			next,
			"Please tell the child and their parent, guardian or carer in a way they understand; separate letters for them are ready in Waymark.",
		}
	case LetterChild:
		l.Paragraphs = []string{
			"Dear " + firstName(e.ChildName) + ",",
			"A group of people whose job is to keep children safe has looked at what happened to you. They are called " + panel + ".",
			fmt.Sprintf("On %s they decided that "+what+".", date, "you"),
			next,
			"This decision is not about whether you did anything wrong. You can ask your social worker, or the adult you trust, any questions about this letter.",
		}
	case LetterGuardian:
		l.Paragraphs = []string{
			"To the parent, guardian or carer of " + e.ChildName + ",",
			"When there are worries that a child has been exploited, professionals refer them to the National Referral Mechanism so that they can get the right help. " + panel + " makes the decisions on these referrals in this area.",
			fmt.Sprintf("On %s the panel decided that "+what+".", date, e.ChildName),
			"The panel's reasons, in brief: " + d.Reasons,
			next,
			"If you have questions, contact the child's social worker or " + e.ReferringOrg + ".",
		}
	default:
		return Letter{}, false
	}
	return l, true
}

func firstName(full string) string {
	if f := strings.Fields(full); len(f) > 0 {
		return f[0]
	}
	return full
}
