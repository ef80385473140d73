package pathway

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark"
)

// Escalation is a disagreement between practitioners about whether to submit
// an NRM referral, taken up the partnership's escalation steps (§8.5, §8.6).
type Escalation struct {
	ID               string
	Seq              int
	RaisedAt         time.Time
	RaisedBy         Party
	Reason           string
	Level            int
	LevelSince       time.Time
	Steps            []EscalationStep
	PartnershipLeads []Party
	Resolution       *EscalationResolution
}

// EscalationStep is one move to the next level, with why.
type EscalationStep struct {
	Seq   int
	At    time.Time
	By    Party
	Level int
	Note  string
}

// EscalationResolution is how the disagreement ended.
type EscalationResolution struct {
	Seq         int
	At          time.Time
	By          Party
	Outcome     string
	Note        string
	LeadOrgID   string
	LeadOrgName string
}

// OutcomeLabel is the resolution's outcome in words.
func (r EscalationResolution) OutcomeLabel() string {
	return meetingOptionText(escalationOutcomes, r.Outcome)
}

// Open reports whether the escalation is still unresolved.
func (e Escalation) Open() bool { return e.Resolution == nil }

// LevelLabel is the escalation's current step in words.
func (e Escalation) LevelLabel() string { return EscalationLevelLabel(e.Level) }

// The steps of the escalation procedure (§8.6), in our words: the people
// who disagree try first, then their senior managers, then the partnership.
const (
	EscalationPractitioners   = 1
	EscalationSeniorManagers  = 2
	EscalationPartnership     = 3
	escalationLevels          = 3
	EscalationSubmit          = "submit"
	EscalationDoNotSubmit     = "do-not-submit"
	EscalationOtherResolution = "other"
)

// EscalationLevelLabel names a step of the escalation procedure (§8.6).
func EscalationLevelLabel(level int) string {
	switch level {
	case EscalationPractitioners:
		return "Level 1 – the practitioners who disagree and their line managers"
	case EscalationSeniorManagers:
		return "Level 2 – senior managers of the agencies involved"
	case EscalationPartnership:
		return "Level 3 – the safeguarding children partnership"
	}
	return fmt.Sprintf("Level %d", level)
}

var escalationOutcomes = []struct{ Value, Text string }{
	{EscalationSubmit, "An NRM referral is to be submitted"},
	{EscalationDoNotSubmit, "An NRM referral is not to be submitted"},
	{EscalationOtherResolution, "Another outcome (say what in the note)"},
}

// EscalationOutcomes lists how an escalation can end.
func EscalationOutcomes() []struct{ Value, Text string } { return escalationOutcomes }

// Escalation returns the escalation with id.
func (s MeetingState) Escalation(id string) (Escalation, bool) {
	for _, e := range s.Escalations {
		if e.ID == id {
			return e, true
		}
	}
	return Escalation{}, false
}

// EscalationRaised: a member disagrees about NRM submission (§8.5). The
// partnership leads found in the directory become members while it is open.
type EscalationRaised struct {
	EscalationID     string  `json:"escalationId"`
	Reason           string  `json:"reason"`
	PartnershipLeads []Party `json:"partnershipLeads"`
}

// EscalationMovedUp: the disagreement goes to the next step (§8.6).
type EscalationMovedUp struct {
	EscalationID string   `json:"escalationId"`
	Level        int      `json:"level"`
	Note         string   `json:"note"`
	SharedWith   []string `json:"sharedWith"` // whoever raised it
}

// EscalationResolved: the disagreement ended with an outcome (§8.6).
type EscalationResolved struct {
	EscalationID string   `json:"escalationId"`
	Outcome      string   `json:"outcome"`
	Note         string   `json:"note"`
	LeadOrgID    string   `json:"leadOrgId"`
	LeadOrgName  string   `json:"leadOrgName"`
	SharedWith   []string `json:"sharedWith"`
}

func (EscalationRaised) eventType() string   { return EventEscalationRaised }
func (EscalationMovedUp) eventType() string  { return EventEscalationMovedUp }
func (EscalationResolved) eventType() string { return EventEscalationResolved }

// The person who raised an escalation sees it raised (their own event) and
// every later step.
func (d EscalationMovedUp) sharedWith() []string  { return d.SharedWith }
func (d EscalationResolved) sharedWith() []string { return d.SharedWith }

func (d EscalationRaised) apply(c *Case, e Event) {
	c.Meetings.Escalations = append(slices.Clone(c.Meetings.Escalations), Escalation{
		ID: d.EscalationID, Seq: e.Seq, RaisedAt: e.At, RaisedBy: e.Actor, Reason: d.Reason,
		Level: EscalationPractitioners, LevelSince: e.At, PartnershipLeads: slices.Clone(d.PartnershipLeads),
	})
}

func (s *MeetingState) updateEscalation(id string, change func(e *Escalation)) {
	i := slices.IndexFunc(s.Escalations, func(e Escalation) bool { return e.ID == id })
	if i < 0 {
		return
	}
	s.Escalations = slices.Clone(s.Escalations)
	change(&s.Escalations[i])
}

func (d EscalationMovedUp) apply(c *Case, e Event) {
	c.Meetings.updateEscalation(d.EscalationID, func(x *Escalation) {
		x.Level, x.LevelSince = d.Level, e.At
		x.Steps = append(slices.Clone(x.Steps), EscalationStep{Seq: e.Seq, At: e.At, By: e.Actor, Level: d.Level, Note: d.Note})
	})
}

func (d EscalationResolved) apply(c *Case, e Event) {
	c.Meetings.updateEscalation(d.EscalationID, func(x *Escalation) {
		x.Resolution = &EscalationResolution{Seq: e.Seq, At: e.At, By: e.Actor, Outcome: d.Outcome, Note: d.Note, LeadOrgID: d.LeadOrgID, LeadOrgName: d.LeadOrgName}
	})
}

func (d EscalationRaised) summary(e Event) string {
	return "Disagreement about NRM submission escalated (" + EscalationLevelLabel(EscalationPractitioners) + ")"
}

func (d EscalationMovedUp) summary(e Event) string {
	return "Escalation moved up to " + EscalationLevelLabel(d.Level)
}

func (d EscalationResolved) summary(e Event) string {
	return "Escalation resolved: " + meetingOptionText(escalationOutcomes, d.Outcome)
}

// RaiseEscalation starts the escalation procedure for a disagreement about
// NRM submission (§8.5). The use case finds the partnership leads.
type RaiseEscalation struct {
	Reason           string  `json:"reason"`
	PartnershipLeads []Party `json:"-"` // filled by the use case: every active partnership lead
}

// EscalateFurther takes an open escalation to the next step (§8.6).
type EscalateFurther struct {
	EscalationID string `json:"escalationId"`
	Note         string `json:"note"`
}

// ResolveEscalation records how an escalation ended (§8.6). When the outcome
// is that the NRM is to be submitted and no lead First Responder was named
// before, LeadOrgID names one; the use case resolves it.
type ResolveEscalation struct {
	EscalationID string           `json:"escalationId"`
	Outcome      string           `json:"outcome"`
	Note         string           `json:"note"`
	LeadOrgID    string           `json:"leadOrgId"`
	LeadOrg      LeadOrganisation `json:"-"`
}

func (RaiseEscalation) commandName() string   { return "raise escalation" }
func (EscalateFurther) commandName() string   { return "escalate further" }
func (ResolveEscalation) commandName() string { return "resolve escalation" }

// actorHasNeedToKnow: anyone with need to know may disagree (§8.5).
func actorHasNeedToKnow(c Case, a Actor) bool {
	for _, m := range Members(c) {
		if m.Covers(a.UserID, a.OrgID) {
			return true
		}
	}
	return false
}

// guard says who may give RaiseEscalation and whether the case allows it now.
func (RaiseEscalation) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if !actorHasNeedToKnow(c, a) {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only people involved in the case can escalate a disagreement about it.")
	}
	if err := notClosed(c); err != nil {
		return err
	}
	for _, e := range c.Meetings.Escalations {
		if e.Open() && e.RaisedBy.UserID == a.UserID {
			return waymark.Errorf(waymark.ECONFLICT, "You already have an escalation open on this case, raised on %s and now at level %d. Move it to the next level instead of raising another.",
				e.RaisedAt.In(London).Format("2 January 2006"), e.Level)
		}
	}
	return escalationIsAboutWhetherToSubmit(c, a)
}

func (cmd RaiseEscalation) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	if strings.TrimSpace(cmd.Reason) == "" {
		probs.Add("reason", "Enter what you disagree with about submitting an NRM referral, and why")
	}
	checkLength(&probs, "reason", "The reason", cmd.Reason, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(EscalationRaised{EscalationID: fmt.Sprintf("escalation-%d", c.Version+1), Reason: strings.TrimSpace(cmd.Reason), PartnershipLeads: cmd.PartnershipLeads})}, nil
}

// openEscalationFor finds the open escalation a command names; with no id,
// the only one open.
func (s MeetingState) openEscalationFor(id string) (Escalation, error) {
	if id == "" {
		var open []Escalation
		for _, e := range s.Escalations {
			if e.Open() {
				open = append(open, e)
			}
		}
		switch len(open) {
		case 0:
			return Escalation{}, waymark.Errorf(waymark.EINVALID, "There is no open escalation on this case.")
		case 1:
			return open[0], nil
		}
		return Escalation{}, waymark.Invalid([]waymark.FieldError{{Field: "escalationId", Message: "Select which escalation you mean: more than one is open"}})
	}
	e, ok := s.Escalation(id)
	if !ok {
		return Escalation{}, waymark.Invalid([]waymark.FieldError{{Field: "escalationId", Message: "Select an escalation of this case"}})
	}
	if !e.Open() {
		return Escalation{}, waymark.Errorf(waymark.ECONFLICT, "This escalation was already resolved on %s: %s.", e.Resolution.At.In(London).Format("2 January 2006"), strings.ToLower(e.Resolution.OutcomeLabel()))
	}
	return e, nil
}

// guard says who may give EscalateFurther and whether the case allows it now.
func (EscalateFurther) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if !actorHasNeedToKnow(c, a) {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only people involved in the case can escalate a disagreement about it.")
	}
	for _, e := range c.Meetings.Escalations {
		if e.Open() && e.Level < escalationLevels {
			return nil
		}
	}
	return waymark.Errorf(waymark.EINVALID, "No open escalation on this case can move to a next level: the partnership is the last step (§8.6).")
}

func (cmd EscalateFurther) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	e, err := c.Meetings.openEscalationFor(cmd.EscalationID)
	if err != nil {
		return nil, err
	}
	// §8.6: the partnership is the last step; it settles the disagreement.
	if e.Level >= escalationLevels {
		return nil, waymark.Errorf(waymark.EINVALID, "This escalation is already with the safeguarding children partnership, the last step (§8.6). The partnership lead records how it is resolved.")
	}
	var probs waymark.Problems
	if strings.TrimSpace(cmd.Note) == "" {
		probs.Add("note", "Enter what was tried at this level and why it did not settle the disagreement")
	}
	checkLength(&probs, "note", "The note", cmd.Note, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(EscalationMovedUp{EscalationID: e.ID, Level: e.Level + 1, Note: strings.TrimSpace(cmd.Note), SharedWith: meetingPartyIDs([]Party{e.RaisedBy})})}, nil
}

// partnershipSettlesTheLastStep: once a disagreement reaches the partnership,
// only the partnership lead records how it ends (§8.6).
func partnershipSettlesTheLastStep(e Escalation, a Actor) error {
	if e.Level >= EscalationPartnership && a.Role != RolePartnershipLead {
		return waymark.Errorf(waymark.EFORBIDDEN, "This escalation is with the safeguarding children partnership (§8.6): only the partnership lead can record how it is resolved. Add a case note with your view for them.")
	}
	return nil
}

// guard says who may give ResolveEscalation and whether the case allows it now.
func (ResolveEscalation) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if !actorHasNeedToKnow(c, a) {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only people involved in the case can record how an escalation about it ended.")
	}
	var refusal error = waymark.Errorf(waymark.EINVALID, "No escalation is open on this case.")
	for _, e := range c.Meetings.Escalations {
		if e.Open() {
			if refusal = partnershipSettlesTheLastStep(e, a); refusal == nil {
				return nil
			}
		}
	}
	return refusal
}

func (cmd ResolveEscalation) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	e, err := c.Meetings.openEscalationFor(cmd.EscalationID)
	if err != nil {
		return nil, err
	}
	if err := partnershipSettlesTheLastStep(e, a); err != nil {
		return nil, err
	}
	var probs waymark.Problems
	if !meetingIsOption(escalationOutcomes, cmd.Outcome) {
		probs.Add("outcome", "Select how the disagreement was resolved")
	}
	if strings.TrimSpace(cmd.Note) == "" {
		probs.Add("note", "Enter what was agreed, by whom, and why")
	}
	checkLength(&probs, "note", "The note", cmd.Note, MaxNarrative)
	var lead LeadOrganisation
	if cmd.Outcome == EscalationSubmit {
		if strings.TrimSpace(cmd.LeadOrgID) == "" {
			id, name := c.Meetings.leadOrg()
			if id == "" {
				probs.Add("leadOrgId", "No lead First Responder organisation has been named yet. Select the one that will submit the NRM referral")
			}
			lead = LeadOrganisation{ID: id, Name: name, FirstResponder: true}
		} else if l, ok := checkLeadFirstResponder(&probs, "leadOrgId", cmd.LeadOrgID, cmd.LeadOrg); ok {
			lead = l
		}
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(EscalationResolved{
		EscalationID: e.ID, Outcome: cmd.Outcome, Note: strings.TrimSpace(cmd.Note), LeadOrgID: lead.ID, LeadOrgName: lead.Name,
		SharedWith: meetingPartyIDs([]Party{e.RaisedBy}),
	})}, nil
}

// escalationIsAboutWhetherToSubmit: the escalation settles a disagreement
// about whether to submit an NRM referral (§8.5, §8.6). There is one to have
// once Children's Services have given their outcome or arranged the
// multi-agency meeting that decides it, and none once the referral is
// submitted: a Home Office decision is reconsidered instead (§8.9). The
// submission is the team's to know (§6.5): everyone is refused, but only the
// team is told why.
func escalationIsAboutWhetherToSubmit(c Case, a Actor) error {
	if c.NRM.Submission != nil && (a.Membership.Team() || strategyTeamMember(c, a)) {
		return waymark.Errorf(waymark.EINVALID, "The NRM referral has been submitted, so there is no disagreement about submitting it left to escalate (§8.6). To challenge a Home Office decision, ask for a reconsideration (§8.9).")
	}
	if c.NRM.Submission != nil {
		return waymark.Errorf(waymark.EINVALID, "There is no disagreement about the NRM referral left to escalate on this case (§8.6). Tell the social worker your view, or add a case note.")
	}
	if c.Outcome == nil && len(c.Meetings.Meetings) == 0 {
		return waymark.Errorf(waymark.EINVALID, "A disagreement about submitting an NRM referral is escalated once Children's Services have given their outcome or arranged the multi-agency meeting (STRAT or MARM) that decides it (§8.5, §8.6). Until then, tell them your view.")
	}
	return nil
}
