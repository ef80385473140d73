package pathway

import (
	"time"

	"waymark"
)

// Area is the part of the pathway a command belongs to.
type Area string

// Areas of the pathway, in the order the case's pages show them.
const (
	AreaConcern           Area = "concern"            // §6.2, §8.5, annex step 1
	AreaChildrensServices Area = "childrens-services" // annex step 1
	AreaStrategy          Area = "strategy"           // §6.7
	AreaMeetings          Area = "meetings"           // §6.8, §8.5
	AreaNRM               Area = "nrm"                // §8.1–8.9
	AreaDecisions         Area = "decisions"          // national guidance, §8.6 escalations, §8.9
	AreaSupport           Area = "support"            // §6.9–6.12
	AreaAbroad            Area = "abroad"             // §7.1–7.7
	AreaAge               Area = "age"                // §7.4
	AreaMissing           Area = "missing"            // §7.1
	AreaPeople            Area = "people"             // §6.5, §7.5
)

// Areas lists every area in order.
func Areas() []Area {
	return []Area{AreaConcern, AreaChildrensServices, AreaStrategy, AreaMeetings, AreaNRM, AreaDecisions,
		AreaSupport, AreaAbroad, AreaAge, AreaMissing, AreaPeople}
}

// Label is the area in practitioners' words.
func (a Area) Label() string {
	switch a {
	case AreaConcern:
		return "Concern"
	case AreaChildrensServices:
		return "Children's Services"
	case AreaStrategy:
		return "Strategy discussion and Section 47"
	case AreaMeetings:
		return "Multi-agency meetings"
	case AreaNRM:
		return "National Referral Mechanism (NRM)"
	case AreaDecisions:
		return "NRM decisions"
	case AreaSupport:
		return "Support"
	case AreaAbroad:
		return "Child from abroad"
	case AreaAge:
		return "Age assessment"
	case AreaMissing:
		return "Missing episodes"
	case AreaPeople:
		return "People and notes"
	}
	return string(a)
}

// CatalogueEntry is one case command with the area it belongs to.
type CatalogueEntry struct {
	Command Command // the zero value: its guard reads the case, never the answers
	Area    Area
}

// Name is the command's stable name (CommandName).
func (e CatalogueEntry) Name() string { return CommandName(e.Command) }

// NewCatalogue lists every command given to an existing case, with its area.
// RaiseConcern is not one: it makes the case.
func NewCatalogue() []CatalogueEntry {
	return []CatalogueEntry{
		{RecordContact{}, AreaChildrensServices},
		{RecordOutcome{}, AreaChildrensServices},
		{CorrectChildDetails{}, AreaConcern},
		{CorrectEntry{}, AreaConcern},
		{RecordChildOrigin{}, AreaConcern},        // places.go
		{RecordExploitationPlaces{}, AreaConcern}, // places.go
		{RecordFamilySuspicion{}, AreaConcern},    // family.go
		{RecordImmediateAction{}, AreaConcern},    // immediate_actions.go
		{CloseCase{}, AreaConcern},
		{ReopenCase{}, AreaConcern},

		{RecordStrategyDiscussion{}, AreaStrategy},
		{RecordLinkedPerson{}, AreaPeople},
		{PlanInterview{}, AreaStrategy},
		{BookInterpreter{}, AreaStrategy},
		{RecordSituation{}, AreaStrategy},
		{RecordHousehold{}, AreaPeople},     // household.go
		{StartSection47{}, AreaStrategy},    // section47.go
		{CompleteSection47{}, AreaStrategy}, // section47.go

		{ConveneMeeting{}, AreaMeetings},
		{RecordMeetingHeld{}, AreaMeetings},
		{RecordDisruptionPower{}, AreaMeetings},
		{AddMeetingAction{}, AreaMeetings},
		{RecordUnrelatedChildConsidered{}, AreaMeetings}, // household.go
		{CompleteMeetingAction{}, AreaMeetings},
		{RaiseEscalation{}, AreaDecisions},
		{EscalateFurther{}, AreaDecisions},
		{ResolveEscalation{}, AreaDecisions},

		{SubmitNRMReferral{}, AreaNRM},
		{RecordHomeOfficeReference{}, AreaNRM},
		{RecordNRMFurtherInformation{}, AreaNRM},
		{ContributeToNRM{}, AreaNRM},
		{UseNRMContribution{}, AreaNRM},

		{RecordReasonableGrounds{}, AreaDecisions},
		{RecordConclusiveGrounds{}, AreaDecisions},
		{RequestNRMReconsideration{}, AreaDecisions},
		{RecordNRMReconsiderationOutcome{}, AreaDecisions},

		{RecordSupport{}, AreaSupport},
		{UpdateSupport{}, AreaSupport},
		{AgreeCarePlan{}, AreaSupport},
		{StartPlacement{}, AreaSupport},
		{ChangeWhereaboutsConfidentiality{}, AreaSupport},
		{GrantWhereaboutsAccess{}, AreaSupport},
		{RevokeWhereaboutsAccess{}, AreaSupport},
		{RecordWhereChildIsNow{}, AreaSupport}, // places.go
		// support_abroad_records.go, support_voice.go
		{SharePoliceInformation{}, AreaSupport},
		{NameKeyWorker{}, AreaSupport},
		{RecordChildsWishes{}, AreaSupport},
		{RecordNRMExplained{}, AreaSupport},
		{RecordNRMOutcomeTold{}, AreaSupport},

		// The child in the criminal justice system (support_criminal.go).
		{RecordRightsTold{}, AreaSupport},
		{RecordVictimLiaisonOfficer{}, AreaSupport},
		{RecordSuspectedOffence{}, AreaSupport},
		{RecordDefenceTold{}, AreaSupport},
		{RecordCrimeReference{}, AreaSupport},

		{RecordChildFromAbroad{}, AreaAbroad},
		{RecordRepatriationRisk{}, AreaAbroad},
		{RecordFamilyTracing{}, AreaAbroad},
		{RecordUKVIConcern{}, AreaAbroad},
		{RecordUKVIConfirmation{}, AreaAbroad},
		// support_abroad_records.go
		{RecordUKVIContact{}, AreaAbroad},
		{SeekOverseasInformation{}, AreaAbroad},
		{RecordOverseasReply{}, AreaAbroad},
		{RecordDocumentSeen{}, AreaAbroad},

		{RequestAgeAssessment{}, AreaAge},
		{CompleteAgeAssessment{}, AreaAge},
		// support_abroad_records.go
		{RecordAgeDecision{}, AreaAge},
		{CommunicateAgeDecision{}, AreaAge},

		{ReportMissing{}, AreaMissing},
		{RecordFound{}, AreaMissing},
		{RecordReturnInterview{}, AreaMissing},

		{AddNote{}, AreaPeople},
		{AssignWorker{}, AreaPeople},
		{RecordSupervision{}, AreaPeople},
		{GiveClientAccess{}, AreaPeople},
		{RecordEntity{}, AreaPeople},             // entities.go
		{RemoveEntity{}, AreaPeople},             // entities.go
		{RecordEntityDisruption{}, AreaMeetings}, // entities.go
		{WithdrawClientAccess{}, AreaPeople},
	}
}

// Availability says whether a command is open to an actor on a case now,
// and why not when it is not.
type Availability struct {
	Name    string // CommandName
	Area    Area
	Allowed bool
	Reason  string // the refusal in plain words, when not allowed
}

// Allows says whether the actor may give a command of cmd's kind to the
// case now, whatever their answers: their standing on the case (MayGive,
// by a.Membership), then the command's guard. Someone outside the team is
// judged on the case as they see it, then on the whole case, as DecideFor
// decides. A nil answer means Decide will not refuse the command for who
// asks or for the state of the case, only for its answers.
func (p *Pathway) Allows(c Case, a Actor, cmd Command, now time.Time) error {
	if c.Version == 0 {
		return waymark.Errorf(waymark.ENOTFOUND, "Case not found")
	}
	if err := MayGive(a.Membership, a, cmd); err != nil {
		return err
	}
	now = now.UTC()
	if !a.Membership.Team() {
		if err := cmd.guard(p, c.ForOutsider(a.UserID), a, now); err != nil {
			return err
		}
	}
	return cmd.guard(p, c, a, now)
}

// Available lists every case command with whether the actor may give it now
// and, when not, why. It is the one answer to "what may this person do
// next": pages, the API and work lists all ask it.
func (p *Pathway) Available(c Case, a Actor, now time.Time) []Availability {
	out := make([]Availability, 0, len(p.catalogue()))
	for _, e := range p.catalogue() {
		av := Availability{Name: e.Name(), Area: e.Area, Allowed: true}
		if err := p.Allows(c, a, e.Command, now); err != nil {
			av.Allowed, av.Reason = false, waymark.ErrorMessage(err)
		}
		out = append(out, av)
	}
	return out
}

func (p *Pathway) catalogue() []CatalogueEntry {
	if p.commands == nil { // a Pathway made without New
		return NewCatalogue()
	}
	return p.commands
}

// nextSteps are what the procedure expects next, in its order: the first
// whose case condition holds and that the actor may do is their next step.
var nextSteps = []struct {
	due func(c Case) bool
	cmd Command
}{
	// annex step 1: the contact and its reference, then the outcome within 24 hours.
	{func(c Case) bool { return c.Contact == nil }, RecordContact{}},
	{func(c Case) bool { return c.Outcome == nil }, RecordOutcome{}},
	// §7.1: a missing child comes first: found, then the return interview.
	{func(c Case) bool { return c.Safety.OpenEpisode() != nil }, RecordFound{}},
	{func(c Case) bool { return RecordReturnInterview{}.guard(nil, c, Actor{}, time.Time{}) == nil }, RecordReturnInterview{}},
	// §6.7: a strategy discussion when the outcome called for one.
	{func(c Case) bool {
		return outcomeIs(c, "strategy-discussion") && len(c.Strategy.Discussions) == 0
	}, RecordStrategyDiscussion{}},
	// §6.8, §8.5: the multi-agency meeting decides the plan and the NRM referral.
	{func(c Case) bool {
		wants := outcomeIs(c, "multi-agency-meeting") || len(c.Strategy.Discussions) > 0
		return wants && len(c.Meetings.Meetings) == 0 && c.NRM.Submission == nil
	}, ConveneMeeting{}},
	{func(c Case) bool { return c.Meetings.aMeetingAwaitsItsRecord() == nil }, RecordMeetingHeld{}},
	// §6.8: a child unrelated to their household: the meeting considers moving them.
	{func(c Case) bool { return c.UnrelatedChildAwaitsMeeting() }, RecordUnrelatedChildConsidered{}},
	// §8.5: the lead First Responder submits once the meeting agreed to.
	{func(c Case) bool {
		decided, submit, _ := c.Meetings.NRMDecision()
		return decided && submit && c.NRM.Submission == nil
	}, SubmitNRMReferral{}},
	// §8.7: the Home Office's reference, then its decisions (national guidance).
	{func(c Case) bool { return c.NRM.Submission != nil && c.NRM.HomeOfficeReference == "" }, RecordHomeOfficeReference{}},
	// §8.10(6): the referral puts the police under a duty to investigate: their crime record.
	{func(c Case) bool { return c.CrimeReferenceDue() }, RecordCrimeReference{}},
	// (In a pilot site the local panel decides instead, on its own pages: panel.go.)
	{func(c Case) bool {
		return c.NRM.Submission != nil && c.NRM.ReasonableGrounds == nil && !c.NRM.DecisionRouting().ByPanel()
	}, RecordReasonableGrounds{}},
	// §8.3: the child and their guardian hear each decision as it comes, long before the next.
	{func(c Case) bool { return len(c.OutcomesNotTold()) > 0 }, RecordNRMOutcomeTold{}},
	{func(c Case) bool {
		rg := c.NRM.ReasonableGrounds
		return rg != nil && rg.Positive() && c.NRM.ConclusiveGrounds == nil && !c.NRM.DecisionRouting().ByPanel()
	}, RecordConclusiveGrounds{}},
	// §6.10, §8.10(5): a positive Conclusive Grounds decision goes to the child's defence.
	{func(c Case) bool { return c.DefenceDue() }, RecordDefenceTold{}},
	// §8.9: an open reconsideration waits for the Home Office's answer.
	{func(c Case) bool { return c.NRM.OpenReconsideration() != nil && !c.NRM.DecisionRouting().ByPanel() }, RecordNRMReconsiderationOutcome{}},
	// §8.3: what the NRM is.
	{func(c Case) bool { return c.NRMExplanationOwed() }, RecordNRMExplained{}},
	// §4.11, §7.5: immigration legal advice for a child from abroad, at once.
	{func(c Case) bool { return c.ImmigrationAdviceOwed() }, RecordSupport{}},
	// §7.4: the decision about assessing age is communicated to the Home Office.
	{func(c Case) bool { return c.Support.AbroadRecords.AgeDecisionNotCommunicated() != nil }, CommunicateAgeDecision{}},
}

// NextStep is the one command the procedure expects next from this actor on
// this case (its Availability), or false when nothing waits on them.
func (p *Pathway) NextStep(c Case, a Actor, now time.Time) (Availability, bool) {
	if c.Version == 0 || c.Safety.Closed != nil {
		return Availability{}, false
	}
	area := map[string]Area{}
	for _, e := range p.catalogue() {
		area[e.Name()] = e.Area
	}
	for _, s := range nextSteps {
		if !s.due(c) {
			continue
		}
		if p.Allows(c, a, s.cmd, now) == nil {
			return Availability{Name: CommandName(s.cmd), Area: area[CommandName(s.cmd)], Allowed: true}, true
		}
	}
	return Availability{}, false
}

// Expects says whether the procedure expects cmd of this actor on this case
// now: it is a step due on the case (nextSteps) and the actor may give it,
// whichever step comes first for them (NextStep).
func (p *Pathway) Expects(c Case, a Actor, cmd Command, now time.Time) bool {
	if c.Version == 0 || c.Safety.Closed != nil {
		return false
	}
	for _, s := range nextSteps {
		if CommandName(s.cmd) == CommandName(cmd) && s.due(c) && p.Allows(c, a, s.cmd, now) == nil {
			return true
		}
	}
	return false
}

func outcomeIs(c Case, decision string) bool {
	return c.Outcome != nil && c.Outcome.Decision == decision
}
