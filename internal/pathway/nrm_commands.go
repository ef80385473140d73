package pathway

import (
	"fmt"
	"strings"
	"time"

	"waymark"
)

// Clocks of the NRM referral (PATHWAY.md §5, national guidance).
const (
	// ClockNRMReasonableGrounds is the Home Office's target for the Reasonable
	// Grounds decision, in working days from the submission.
	ClockNRMReasonableGrounds ClockKind = "nrm_reasonable_grounds"
	// ClockNRMEarliestConclusiveGrounds is the minimum wait after a positive
	// Reasonable Grounds decision before the Conclusive Grounds decision: a
	// window, not a deadline.
	ClockNRMEarliestConclusiveGrounds ClockKind = "nrm_earliest_conclusive_grounds"
)

// SubmitNRMReferral records that the NRM referral was submitted to the Home
// Office (§8.1–8.5, §8.7). There is deliberately no consent answer: none is
// needed to refer a child (§8.3).
type SubmitNRMReferral struct {
	SubmittedAt          time.Time `json:"submittedAt"`
	Via                  string    `json:"via"`
	ReasonWithoutMeeting string    `json:"reasonWithoutMeeting"`
	// The form's declaration, and whether the NRM was explained to the child
	// and their parent, guardian or carer (§8.3): nrm_declaration.go.
	DeclarationMade  bool   `json:"declarationMade"`
	ExplainedToChild string `json:"explainedToChild"`
	ExplainedToCarer string `json:"explainedToCarer"`
	NotExplainedWhy  string `json:"notExplainedWhy"`
	// AgreedLeadName is the name of the organisation a meeting agreed as lead
	// First Responder, looked up by the use case for the refusal message.
	AgreedLeadName string `json:"-"`
	// Settings are the partnership's dated settings, filled by the use case,
	// from which the decisions are routed (panel.go).
	Settings DatedSettings `json:"-"`
}

// RecordHomeOfficeReference records the reference the Home Office emailed back (§8.7).
type RecordHomeOfficeReference struct {
	Reference  string `json:"reference"`
	ReceivedOn string `json:"receivedOn"` // YYYY-MM-DD
}

// RecordNRMFurtherInformation records new evidence sent to the Home Office after the referral (§8.7).
type RecordNRMFurtherInformation struct {
	SentOn  string `json:"sentOn"` // YYYY-MM-DD
	Summary string `json:"summary"`
}

// RecordReasonableGrounds records the Reasonable Grounds decision.
type RecordReasonableGrounds struct {
	Outcome   string `json:"outcome"`
	DecidedOn string `json:"decidedOn"`       // YYYY-MM-DD
	Maker     string `json:"maker,omitempty"` // MakerSCA (the default) or MakerIECA: who decided (panel.go)
}

// RecordConclusiveGrounds records the Conclusive Grounds decision.
type RecordConclusiveGrounds struct {
	Outcome   string `json:"outcome"`
	DecidedOn string `json:"decidedOn"`       // YYYY-MM-DD
	Maker     string `json:"maker,omitempty"` // MakerSCA (the default) or MakerIECA: who decided (panel.go)
}

// RequestNRMReconsideration records a request that the Home Office look again
// at a negative decision, with what §8.9 says it should contain.
type RequestNRMReconsideration struct {
	Decision            string   `json:"decision"` // ReasonableGrounds or ConclusiveGrounds
	EventsSinceReferral string   `json:"eventsSinceReferral"`
	GuidanceMisapplied  string   `json:"guidanceMisapplied"`
	IndicatorsAdded     []string `json:"indicatorsAdded"`
	ChildsViews         string   `json:"childsViews"`
}

// RecordNRMReconsiderationOutcome records the Home Office's answer to the open
// reconsideration request (§8.9).
type RecordNRMReconsiderationOutcome struct {
	Outcome   string `json:"outcome"`   // ReconsiderationUpheld or ReconsiderationOverturned
	DecidedOn string `json:"decidedOn"` // YYYY-MM-DD
}

func (SubmitNRMReferral) commandName() string           { return "record nrm submission" }
func (RecordHomeOfficeReference) commandName() string   { return "record home office reference" }
func (RecordNRMFurtherInformation) commandName() string { return "record nrm further information" }
func (RecordReasonableGrounds) commandName() string     { return "record reasonable grounds decision" }
func (RecordConclusiveGrounds) commandName() string     { return "record conclusive grounds decision" }
func (RequestNRMReconsideration) commandName() string   { return "request nrm reconsideration" }
func (RecordNRMReconsiderationOutcome) commandName() string {
	return "record nrm reconsideration outcome"
}

// onlyAFirstResponderSubmitsTheNRM: only designated First Responder
// organisations can refer a child into the NRM; anyone else drafts (§8.2, annex).
func onlyAFirstResponderSubmitsTheNRM(a Actor) error {
	if !a.InFirstResponderOrg {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only a designated First Responder organisation can record the NRM submission (§8.2), and %s is not one. Prepare the referral draft in Waymark and send its PDF to the lead First Responder to submit.", nrmOrgName(a))
	}
	return nil
}

// onlyTheAgreedLeadSubmitsTheNRM: when the multi-agency meeting agreed the
// lead First Responder, that organisation submits, with input from the others (§8.5).
func onlyTheAgreedLeadSubmitsTheNRM(a Actor, leadOrgID, leadName string) error {
	if leadOrgID == "" || a.OrgID == leadOrgID {
		return nil
	}
	if leadName == "" {
		leadName = "the organisation the meeting chose"
	}
	return waymark.Errorf(waymark.EFORBIDDEN, "Only %s was agreed as lead First Responder at the multi-agency meeting, so only they can record the NRM submission (§8.5). Ask them to submit it; you can prepare the referral draft in Waymark and send them its PDF.", leadName)
}

// submissionWithoutMeetingNeedsAReason: a child's NRM referral normally
// follows a multi-agency meeting's decision; without one the reason is
// recorded (§8.4, §8.5), and a disagreement goes to escalation (§8.6).
func submissionWithoutMeetingNeedsAReason(probs *waymark.Problems, decided, submit bool, reason string) {
	switch {
	case reason != "":
	case decided && submit:
	case decided:
		probs.Add("reasonWithoutMeeting", "The multi-agency meeting decided not to submit an NRM referral. Explain why it is being submitted anyway; a disagreement about submitting should also go through the escalation procedure (§8.5, §8.6)")
	default:
		probs.Add("reasonWithoutMeeting", "No multi-agency meeting has decided to submit an NRM referral. Explain why it is being submitted without one, for example the child was about to be moved out of the area (§8.4, §8.5)")
	}
}

func nrmOrgName(a Actor) string {
	if a.OrgName == "" {
		return "your organisation"
	}
	return a.OrgName
}

// decide never reads the child's age or an age assessment: an open age
// assessment must not hold up the NRM referral (§7.4).
// guard says who may give SubmitNRMReferral and whether the case allows it now.
func (SubmitNRMReferral) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := notClosed(c); err != nil {
		return err
	}
	if err := onlyAFirstResponderSubmitsTheNRM(a); err != nil {
		return err
	}
	if decided, submit, leadOrgID := c.Meetings.NRMDecision(); decided && submit {
		id, name := c.Meetings.leadOrg()
		if id != leadOrgID {
			name = ""
		}
		if err := onlyTheAgreedLeadSubmitsTheNRM(a, leadOrgID, name); err != nil {
			return err
		}
	}
	if s := c.NRM.Submission; s != nil {
		return waymark.Errorf(waymark.ECONFLICT, "%s already recorded the NRM submission of %s. Record the Home Office reference, further information or a decision instead.",
			s.LeadOrgName, s.SubmittedAt.In(London).Format("2 January 2006 at 15:04"))
	}
	return nil
}

func (cmd SubmitNRMReferral) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	decided, submit, leadOrgID := c.Meetings.NRMDecision()
	if decided && submit {
		if err := onlyTheAgreedLeadSubmitsTheNRM(a, leadOrgID, cmd.AgreedLeadName); err != nil {
			return nil, err
		}
	}
	reason := strings.TrimSpace(cmd.ReasonWithoutMeeting)
	via := strings.TrimSpace(cmd.Via)
	var probs waymark.Problems
	switch {
	case cmd.SubmittedAt.IsZero():
		probs.Add("submittedAt", "Enter the date and time the NRM referral was submitted")
	case cmd.SubmittedAt.After(now):
		probs.Add("submittedAt", "The date and time of submission must be in the past. Record the submission once it has been made")
	case cmd.SubmittedAt.Before(c.Concern.IdentifiedAt):
		probs.Add("submittedAt", "The submission cannot be before the child was identified on %s. Check the date", c.Concern.IdentifiedAt.In(London).Format("2 January 2006 at 15:04"))
	}
	if NRMRouteLabel(via) == via {
		probs.Add("via", "Select how the NRM referral was submitted")
	}
	submissionWithoutMeetingNeedsAReason(&probs, decided, submit, reason)
	checkLength(&probs, "reasonWithoutMeeting", "The reason", reason, MaxNarrative)
	declaration := theDeclarationIsMadeAndTheNRMExplained(&probs, cmd)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	at := cmd.SubmittedAt.UTC()
	routing := RouteDecisions(c, cmd.Settings, at)
	who := "Home Office"
	if routing.ByPanel() {
		who = "local panel"
	}
	// national: the decision maker aims to decide Reasonable Grounds within a number of working days.
	target := newClock(ClockNRMReasonableGrounds, fmt.Sprintf("nrm-rg-%d", c.Version+1),
		fmt.Sprintf("Reasonable Grounds decision (%s target: %d working days)", who, p.Clocks.RGTargetWorkingDays), "national guidance",
		at, p.Catalog.Holidays.AddWorkingDays(at, p.Clocks.RGTargetWorkingDays))
	target.Start.OwnerOrgID = a.OrgID
	return append([]Event{newEvent(NRMSubmitted{SubmittedAt: at, Via: via, MeetingAgreed: decided && submit, ReasonWithoutMeeting: reason,
		LeadOrgID: a.OrgID, LeadOrgName: a.OrgName, Declaration: declaration, Routing: &routing}, target)}, theSubmissionDoesTheMeetingsAction(c, now)...), nil
}

// theSubmissionDoesTheMeetingsAction: a meeting's action to submit the NRM
// referral is done once the submission is recorded (§6.8, §8.5), so it
// stops waiting and its clock stops.
func theSubmissionDoesTheMeetingsAction(c Case, now time.Time) []Event {
	var events []Event
	for _, act := range c.Meetings.Actions {
		if act.Done() || !actionSubmitsTheNRM(act.Text) {
			continue
		}
		var shared []Party
		if m, ok := c.Meetings.Meeting(act.MeetingID); ok {
			shared = m.Invitees
		}
		events = append(events, newEvent(MeetingActionDone{ActionID: act.ID, Note: "Done: the NRM referral was submitted.",
			SharedWith: meetingPartyIDs(shared, []Party{act.Owner})}, stopClock(act.ClockID, now)))
	}
	return events
}

// actionSubmitsTheNRM says whether a meeting action's words are the
// action to submit the NRM referral (§8.5): they name the NRM (or the
// National Referral Mechanism) and submitting, making or completing it. The
// one test of it, used by the submission and by an action added after it.
func actionSubmitsTheNRM(text string) bool {
	t := strings.ToLower(text)
	if !strings.Contains(t, "nrm") && !strings.Contains(t, "national referral mechanism") {
		return false
	}
	for _, verb := range []string{"submit", "make", "complete"} {
		if strings.Contains(t, verb) {
			return true
		}
	}
	return false
}

// nrmSubmittedFirst: the Home Office answers a referral; nothing comes back before it.
func nrmSubmittedFirst(c Case, what string) error {
	if c.NRM.Submission == nil {
		return waymark.Errorf(waymark.EINVALID, "Record the NRM submission first: %s follows the referral (§8.7).", what)
	}
	return nil
}

// homeOfficeAnswersReachTheLead: the Home Office replies to the First
// Responder who referred (§8.7); Children's Services holds the case and may
// record the reply too, as may whoever asked for a reconsideration (§8.9).
func homeOfficeAnswersReachTheLead(c Case, a Actor, alsoOrg string) error {
	s := c.NRM.Submission
	if a.InChildrensServices || a.OrgID == s.LeadOrgID || (alsoOrg != "" && a.OrgID == alsoOrg) {
		return nil
	}
	return waymark.Errorf(waymark.EFORBIDDEN, "Only %s, which submitted the NRM referral, or Children's Services can record what the Home Office sent (§8.7). Forward it to them.", s.LeadOrgName)
}

// nrmDay reads a YYYY-MM-DD answer as the start of that day in London. It
// adds a problem when the answer is missing, not a real date, in the future
// or before notBefore (when not zero, a London day too).
func nrmDay(probs *waymark.Problems, field, what, v string, now, notBefore time.Time, notBeforeWhat string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		probs.Add(field, "Enter %s", what)
		return time.Time{}, false
	}
	day, err := time.ParseInLocation("2006-01-02", v, London)
	if err != nil {
		probs.Add(field, "%s must be a real date, for example 27 3 2026", nrmUpperFirst(what))
		return time.Time{}, false
	}
	if day.After(nrmLondonDay(now)) {
		probs.Add(field, "%s must be today or in the past", nrmUpperFirst(what))
		return time.Time{}, false
	}
	if !notBefore.IsZero() && day.Before(notBefore) {
		probs.Add(field, "%s cannot be before %s (%s). Check the date", nrmUpperFirst(what), notBeforeWhat, notBefore.Format("2 January 2006"))
		return time.Time{}, false
	}
	return day, true
}

// nrmLondonDay is the start of t's day in London.
func nrmLondonDay(t time.Time) time.Time {
	y, m, d := t.In(London).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, London)
}

func nrmUpperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// guard says who may give RecordHomeOfficeReference and whether the case allows it now.
func (RecordHomeOfficeReference) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := notClosed(c); err != nil {
		return err
	}
	if err := nrmSubmittedFirst(c, "the Home Office reference"); err != nil {
		return err
	}
	if err := homeOfficeAnswersReachTheLead(c, a, ""); err != nil {
		return err
	}
	if c.NRM.HomeOfficeReference != "" {
		return waymark.Errorf(waymark.ECONFLICT, "The Home Office reference %s was already recorded. If it was wrong, correct that entry on the timeline.", c.NRM.HomeOfficeReference)
	}
	return nil
}

func (cmd RecordHomeOfficeReference) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	ref := strings.TrimSpace(cmd.Reference)
	var probs waymark.Problems
	if ref == "" {
		probs.Add("reference", "Enter the reference the Home Office sent, as it appears in their email")
	}
	checkLength(&probs, "reference", "The reference", ref, MaxShortText)
	day, _ := nrmDay(&probs, "receivedOn", "the date the reference arrived", cmd.ReceivedOn, now, nrmLondonDay(c.NRM.Submission.SubmittedAt), "the submission")
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(HomeOfficeReferenceRecorded{Reference: ref, ReceivedOn: day.Format("2006-01-02")})}, nil
}

// decide: anyone on the case may send the Home Office what has come to light (§8.7, §8.9).
// guard says who may give RecordNRMFurtherInformation and whether the case allows it now.
func (RecordNRMFurtherInformation) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := notClosed(c); err != nil {
		return err
	}
	return nrmSubmittedFirst(c, "further information")
}

func (cmd RecordNRMFurtherInformation) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	summary := strings.TrimSpace(cmd.Summary)
	var probs waymark.Problems
	day, _ := nrmDay(&probs, "sentOn", "the date it was sent", cmd.SentOn, now, nrmLondonDay(c.NRM.Submission.SubmittedAt), "the submission")
	if summary == "" {
		probs.Add("summary", "Describe what was sent to the Home Office and why it matters")
	}
	checkLength(&probs, "summary", "The summary", summary, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(NRMFurtherInformationSent{SentOn: day.Format("2006-01-02"), Summary: summary})}, nil
}

func validDecisionOutcome(probs *waymark.Problems, outcome string) {
	if outcome != DecisionPositive && outcome != DecisionNegative {
		probs.Add("outcome", "Select whether the decision was positive or negative")
	}
}

// earliestConclusiveGrounds is the first day a Conclusive Grounds decision
// may follow a positive Reasonable Grounds decision made on rgDay (a London
// day), with the window clock that shows it (national guidance).
func (p *Pathway) earliestConclusiveGrounds(c Case, rgDay time.Time, leadOrgID string) (time.Time, ClockChange) {
	days := p.Clocks.CGMinimumDays(time.Date(rgDay.Year(), rgDay.Month(), rgDay.Day(), 0, 0, 0, 0, time.UTC))
	earliest := rgDay.AddDate(0, 0, days)
	ch := newClock(ClockNRMEarliestConclusiveGrounds, fmt.Sprintf("nrm-cg-%d", c.Version+1),
		fmt.Sprintf("Earliest Conclusive Grounds decision (%d days after the positive Reasonable Grounds decision)", days), "national guidance", rgDay, earliest)
	ch.Start.Window = true
	ch.Start.OwnerOrgID = leadOrgID
	return earliest, ch
}

// guard says who may give RecordReasonableGrounds and whether the case allows it now.
func (RecordReasonableGrounds) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := notClosed(c); err != nil {
		return err
	}
	if err := nrmSubmittedFirst(c, "a Reasonable Grounds decision"); err != nil {
		return err
	}
	if err := homeOfficeAnswersReachTheLead(c, a, ""); err != nil {
		return err
	}
	if err := theHomeOfficeDecidesOnlyWhatItWasSent(c); err != nil {
		return err
	}
	if rg := c.NRM.ReasonableGrounds; rg != nil {
		return waymark.Errorf(waymark.ECONFLICT, "The Reasonable Grounds decision was already recorded (%s, decided %s). If the Home Office changed it after a reconsideration, record the reconsideration's outcome instead.", rg.Outcome, rg.DecidedOnLabel())
	}
	return nil
}

func (cmd RecordReasonableGrounds) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	outcome := strings.TrimSpace(cmd.Outcome)
	var probs waymark.Problems
	validDecisionOutcome(&probs, outcome)
	maker := homeOfficeMaker(&probs, cmd.Maker)
	day, _ := nrmDay(&probs, "decidedOn", "the date of the decision", cmd.DecidedOn, now, nrmLondonDay(c.NRM.Submission.SubmittedAt), "the NRM submission")
	if err := probs.Err(); err != nil {
		return nil, err
	}
	data := NRMDecisionRecorded{Grounds: ReasonableGrounds, Outcome: outcome, DecidedOn: day.Format("2006-01-02")}
	data.Maker = maker
	versions(&data, data.DecidedOn, false)
	var changes []ClockChange
	if cl, ok := c.RunningClock(ClockNRMReasonableGrounds); ok {
		// The target is met or missed on the day of the decision, not the day it was typed in.
		stop := day
		if stop.Before(cl.StartedAt) {
			stop = cl.StartedAt
		}
		changes = append(changes, stopClock(cl.ID, stop))
	}
	if outcome == DecisionPositive {
		earliest, window := p.earliestConclusiveGrounds(c, day, c.NRM.Submission.LeadOrgID)
		data.EarliestConclusiveGrounds = earliest.Format("2006-01-02")
		changes = append(changes, window)
	}
	return []Event{newEvent(data, changes...)}, nil
}

// guard says who may give RecordConclusiveGrounds and whether the case allows it now.
func (RecordConclusiveGrounds) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := notClosed(c); err != nil {
		return err
	}
	if err := nrmSubmittedFirst(c, "a Conclusive Grounds decision"); err != nil {
		return err
	}
	if err := homeOfficeAnswersReachTheLead(c, a, ""); err != nil {
		return err
	}
	if err := theHomeOfficeDecidesOnlyWhatItWasSent(c); err != nil {
		return err
	}
	if err := conclusiveGroundsFollowsAPositiveReasonableGrounds(c.NRM.ReasonableGrounds); err != nil {
		return err
	}
	if cg := c.NRM.ConclusiveGrounds; cg != nil {
		return waymark.Errorf(waymark.ECONFLICT, "The Conclusive Grounds decision was already recorded (%s, decided %s). If the Home Office changed it after a reconsideration, record the reconsideration's outcome instead.", cg.Outcome, cg.DecidedOnLabel())
	}
	return nil
}

func (cmd RecordConclusiveGrounds) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	rg := c.NRM.ReasonableGrounds
	outcome := strings.TrimSpace(cmd.Outcome)
	var probs waymark.Problems
	validDecisionOutcome(&probs, outcome)
	maker := homeOfficeMaker(&probs, cmd.Maker)
	rgDay, _ := time.ParseInLocation("2006-01-02", rg.DecidedOn, London)
	day, ok := nrmDay(&probs, "decidedOn", "the date of the decision", cmd.DecidedOn, now, rgDay, "the positive Reasonable Grounds decision")
	if ok {
		conclusiveGroundsWaitsForTheMinimumPeriod(&probs, c.NRM, rgDay, day)
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	var changes []ClockChange
	if cl, ok := c.RunningClock(ClockNRMEarliestConclusiveGrounds); ok {
		changes = append(changes, stopClock(cl.ID, cl.DueAt)) // the wait ran its full length
	}
	data := NRMDecisionRecorded{Grounds: ConclusiveGrounds, Outcome: outcome, DecidedOn: day.Format("2006-01-02")}
	data.Maker = maker
	versions(&data, data.DecidedOn, false)
	return []Event{newEvent(data, changes...)}, nil
}

// conclusiveGroundsFollowsAPositiveReasonableGrounds: only a positive
// Reasonable Grounds decision leads on to a Conclusive Grounds decision (national guidance).
func conclusiveGroundsFollowsAPositiveReasonableGrounds(rg *GroundsDecision) error {
	switch {
	case rg == nil:
		return waymark.Errorf(waymark.EINVALID, "Record the Reasonable Grounds decision first: a Conclusive Grounds decision follows a positive one.")
	case !rg.Positive():
		return waymark.Errorf(waymark.EINVALID, "The Reasonable Grounds decision of %s was negative, so no Conclusive Grounds decision follows it. If there are grounds, ask for a reconsideration (§8.9).", rg.DecidedOnLabel())
	}
	return nil
}

// conclusiveGroundsWaitsForTheMinimumPeriod: the Conclusive Grounds decision
// comes no sooner than the minimum period after the positive Reasonable
// Grounds decision (30 days, 45 before 30 January 2023; national guidance).
func conclusiveGroundsWaitsForTheMinimumPeriod(probs *waymark.Problems, s NRMState, rgDay, cgDay time.Time) {
	earliest, err := time.ParseInLocation("2006-01-02", s.EarliestConclusiveGrounds, London)
	if err != nil || !cgDay.Before(earliest) {
		return
	}
	days := int(earliest.Sub(rgDay).Hours()/24 + 0.5)
	probs.Add("decidedOn", "A Conclusive Grounds decision can be made no earlier than %s: %d days after the positive Reasonable Grounds decision of %s. Check the date on the decision letter",
		earliest.Format("2 January 2006"), days, rgDay.Format("2 January 2006"))
}

// decide: any organisation on the case may ask, not only First Responders (§8.9).
// guard says who may give RequestNRMReconsideration and whether the case allows it now.
func (RequestNRMReconsideration) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := notClosed(c); err != nil {
		return err
	}
	if err := nrmSubmittedFirst(c, "a reconsideration"); err != nil {
		return err
	}
	if c.NRM.NegativeDecision() == nil {
		return waymark.Errorf(waymark.EINVALID, "A reconsideration can only follow a negative decision (§8.9), and this case has none. Send new information as further information instead.")
	}
	if open := c.NRM.OpenReconsideration(); open != nil {
		return waymark.Errorf(waymark.ECONFLICT, "%s asked for a reconsideration of the %s decision on %s and the Home Office has not answered yet. Record its outcome first, or send what is new as further information.",
			open.By.OrgName, GroundsLabel(open.Grounds), open.RequestedAt.In(London).Format("2 January 2006"))
	}
	return nil
}

func (cmd RequestNRMReconsideration) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	grounds := strings.TrimSpace(cmd.Decision)
	if grounds != ReasonableGrounds && grounds != ConclusiveGrounds {
		return nil, waymark.Invalid([]waymark.FieldError{{Field: "decision", Message: "Select the decision you are asking the Home Office to reconsider"}})
	}
	if err := reconsiderationFollowsANegativeDecision(c.NRM, grounds); err != nil {
		return nil, err
	}
	events := strings.TrimSpace(cmd.EventsSinceReferral)
	guidance := strings.TrimSpace(cmd.GuidanceMisapplied)
	views := strings.TrimSpace(cmd.ChildsViews)
	indicators := trimList(cmd.IndicatorsAdded)
	var probs waymark.Problems
	if events == "" && guidance == "" && len(indicators) == 0 {
		probs.Add("eventsSinceReferral", "Give the grounds for a reconsideration: what has happened since the referral, guidance the decision misapplied, or indicators to add. The Home Office reconsiders only where there are grounds (§8.9)")
	}
	checkLength(&probs, "eventsSinceReferral", "What has happened since the referral", events, MaxNarrative)
	checkLength(&probs, "guidanceMisapplied", "The guidance misapplied", guidance, MaxNarrative)
	checkLength(&probs, "childsViews", "The child's views", views, MaxNarrative)
	var added []AddedIndicator
	for _, id := range indicators {
		ind, ok := p.Catalog.Indicator(id)
		if !ok {
			probs.Add("indicatorsAdded", "Select indicators from the catalogue (%q is not in catalogue version %s)", clip(id), p.Catalog.Version)
			break
		}
		added = append(added, AddedIndicator{ID: ind.ID, Label: ind.Label, Section: ind.Section})
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(NRMReconsiderationRequested{Grounds: grounds, EventsSinceReferral: events, GuidanceMisapplied: guidance,
		IndicatorsAdded: added, CatalogVersion: p.Catalog.Version, ChildsViews: views})}, nil
}

// reconsiderationFollowsANegativeDecision: a reconsideration is asked for
// only after a negative decision (§8.9).
func reconsiderationFollowsANegativeDecision(s NRMState, grounds string) error {
	d := s.Decision(grounds)
	switch {
	case d == nil:
		return waymark.Errorf(waymark.EINVALID, "There is no %s decision on this case to reconsider. A reconsideration can only follow a negative decision (§8.9); until then, send new information as further information.", GroundsLabel(grounds))
	case d.Positive():
		return waymark.Errorf(waymark.EINVALID, "The %s decision of %s was positive, and a reconsideration can only follow a negative decision (§8.9). Send any new information as further information instead.", GroundsLabel(grounds), d.DecidedOnLabel())
	}
	return nil
}

// guard says who may give RecordNRMReconsiderationOutcome and whether the case allows it now.
func (RecordNRMReconsiderationOutcome) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := notClosed(c); err != nil {
		return err
	}
	if err := nrmSubmittedFirst(c, "a reconsideration"); err != nil {
		return err
	}
	open := c.NRM.OpenReconsideration()
	if open == nil {
		return waymark.Errorf(waymark.EINVALID, "No reconsideration is waiting for an answer. Ask for one first, after a negative decision (§8.9).")
	}
	if err := theHomeOfficeDecidesOnlyWhatItWasSent(c); err != nil {
		return err
	}
	return homeOfficeAnswersReachTheLead(c, a, open.By.OrgID)
}

func (cmd RecordNRMReconsiderationOutcome) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	open := c.NRM.OpenReconsideration()
	outcome := strings.TrimSpace(cmd.Outcome)
	var probs waymark.Problems
	if outcome != ReconsiderationUpheld && outcome != ReconsiderationOverturned {
		probs.Add("outcome", "Select whether the Home Office upheld or overturned the %s decision", GroundsLabel(open.Grounds))
	}
	day, _ := nrmDay(&probs, "decidedOn", "the date of the Home Office's answer", cmd.DecidedOn, now, nrmLondonDay(open.RequestedAt), "the request")
	if err := probs.Err(); err != nil {
		return nil, err
	}
	data := NRMReconsiderationOutcome{Request: open.Seq, Grounds: open.Grounds, Outcome: outcome, DecidedOn: day.Format("2006-01-02")}
	if d := c.NRM.Decision(open.Grounds); d != nil {
		data.Maker = d.Maker // the authority that made the decision reconsiders it
	}
	data.versions(data.DecidedOn, false)
	var changes []ClockChange
	if outcome == ReconsiderationOverturned && open.Grounds == ReasonableGrounds {
		// The overturned decision is now a positive Reasonable Grounds decision: the wait starts from it.
		earliest, window := p.earliestConclusiveGrounds(c, day, c.NRM.Submission.LeadOrgID)
		data.EarliestConclusiveGrounds = earliest.Format("2006-01-02")
		changes = append(changes, window)
	}
	return []Event{newEvent(data, changes...)}, nil
}
