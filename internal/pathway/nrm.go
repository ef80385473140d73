package pathway

import (
	"slices"
	"time"
)

// NRMState is the child's referral into the National Referral Mechanism: the
// submission by the lead First Responder, the Home Office reference, further
// information sent, the Reasonable and Conclusive Grounds decisions and any
// reconsideration of a negative one (§8.1–8.10). History is never edited: an
// overturned decision stays in Decisions beside the one that replaced it.
type NRMState struct {
	Submission          *NRMSubmission       `json:"submission,omitempty"`
	HomeOfficeReference string               `json:"homeOfficeReference,omitempty"` // §8.7: emailed back on receipt
	ReferenceReceivedOn string               `json:"referenceReceivedOn,omitempty"` // YYYY-MM-DD
	FurtherInformation  []FurtherInformation `json:"furtherInformation,omitempty"`
	ReasonableGrounds   *GroundsDecision     `json:"reasonableGrounds,omitempty"` // the decision that stands now
	ConclusiveGrounds   *GroundsDecision     `json:"conclusiveGrounds,omitempty"` // the decision that stands now
	Decisions           []GroundsDecision    `json:"decisions,omitempty"`         // every decision, oldest first
	Reconsiderations    []Reconsideration    `json:"reconsiderations,omitempty"`  // §8.9, oldest first
	// EarliestConclusiveGrounds is the first day a Conclusive Grounds decision
	// may be made (YYYY-MM-DD), fixed when the positive Reasonable Grounds
	// decision was recorded, under the rule that applied on its date (national).
	EarliestConclusiveGrounds string `json:"earliestConclusiveGrounds,omitempty"`
	// Contributions are what those outside the team gave for the referral (§8.5, nrm_contribution.go).
	Contributions []NRMContribution `json:"contributions,omitempty"`
}

// NRMSubmission is the record that the lead First Responder submitted the
// NRM referral for the child (§8.2, §8.5, §8.7). No consent is recorded: none
// is needed for a child (§8.3).
type NRMSubmission struct {
	SubmittedAt time.Time `json:"submittedAt"`
	Via         string    `json:"via"`
	// MeetingAgreed: a multi-agency meeting had decided to submit (§8.4, §8.5).
	MeetingAgreed bool `json:"meetingAgreed"`
	// ReasonWithoutMeeting says why it was submitted without that decision.
	ReasonWithoutMeeting string    `json:"reasonWithoutMeeting,omitempty"`
	LeadOrgID            string    `json:"leadOrgId"`
	LeadOrgName          string    `json:"leadOrgName"`
	By                   Party     `json:"by"`
	RecordedAt           time.Time `json:"recordedAt"`

	// Declaration is the form's declaration and whether the NRM was explained (§8.3).
	Declaration NRMDeclaration `json:"declaration"`

	// Routing is who makes the decisions and why (panel.go); nil for a
	// submission recorded before Waymark routed them (the Single Competent
	// Authority: NRMState.DecisionRouting).
	Routing *DecisionRouting `json:"routing,omitempty"`
}

// FurtherInformation is evidence sent to the Home Office after the referral (§8.7).
type FurtherInformation struct {
	Seq     int    `json:"seq"`
	SentOn  string `json:"sentOn"` // YYYY-MM-DD
	Summary string `json:"summary"`
	By      Party  `json:"by"`
}

// Grounds of an NRM decision (national guidance).
const (
	ReasonableGrounds = "reasonable-grounds"
	ConclusiveGrounds = "conclusive-grounds"
)

// Outcomes of an NRM decision.
const (
	DecisionPositive = "positive"
	DecisionNegative = "negative"
)

// Outcomes of a reconsideration (§8.9).
const (
	ReconsiderationUpheld     = "upheld"     // the negative decision stands
	ReconsiderationOverturned = "overturned" // the decision is now positive
)

// GroundsDecision is one Reasonable or Conclusive Grounds decision of the
// Single Competent Authority, as it was recorded on the case.
type GroundsDecision struct {
	Grounds   string `json:"grounds"`
	Outcome   string `json:"outcome"`
	DecidedOn string `json:"decidedOn"` // YYYY-MM-DD, the date on the decision letter
	// Reconsideration is the seq of the request whose outcome made this
	// decision (§8.9); zero for a first decision.
	Reconsideration int       `json:"reconsideration,omitempty"`
	Seq             int       `json:"seq"`
	RecordedAt      time.Time `json:"recordedAt"`
	RecordedBy      Party     `json:"recordedBy"`
	DecisionMaking
}

// DecisionMaking is who made a decision, on what reasons and under which
// versions of the guidance and the form (panel.go). A decision recorded
// before Waymark kept it has none: it was the Single Competent Authority's.
type DecisionMaking struct {
	Maker                string      `json:"maker,omitempty"` // MakerSCA, MakerIECA or MakerPanel; "" is MakerSCA
	PanelName            string      `json:"panelName,omitempty"`
	Reasons              string      `json:"reasons,omitempty"` // the panel's written reasons
	Present              []PanelSeat `json:"present,omitempty"` // the panel members present
	GuidanceVersion      string      `json:"guidanceVersion,omitempty"`
	PilotGuidanceVersion string      `json:"pilotGuidanceVersion,omitempty"`
	FormVersion          string      `json:"formVersion,omitempty"`
}

// Positive reports whether the decision was positive.
func (d GroundsDecision) Positive() bool { return d.Outcome == DecisionPositive }

// Label is the decision in words: "Reasonable Grounds: positive".
func (d GroundsDecision) Label() string {
	return GroundsLabel(d.Grounds) + ": " + d.Outcome
}

// DecidedOnLabel is the decision date as practitioners write it.
func (d GroundsDecision) DecidedOnLabel() string { return nrmDayLabel(d.DecidedOn) }

// Reconsideration is a request that the Home Office look again at a negative
// decision, which any organisation on the case may make (§8.9).
type Reconsideration struct {
	Seq                 int              `json:"seq"`
	Grounds             string           `json:"grounds"` // the decision to reconsider
	RequestedAt         time.Time        `json:"requestedAt"`
	By                  Party            `json:"by"`
	EventsSinceReferral string           `json:"eventsSinceReferral,omitempty"`
	GuidanceMisapplied  string           `json:"guidanceMisapplied,omitempty"`
	IndicatorsAdded     []AddedIndicator `json:"indicatorsAdded,omitempty"`
	CatalogVersion      string           `json:"catalogVersion"`
	ChildsViews         string           `json:"childsViews,omitempty"`
	Outcome             string           `json:"outcome,omitempty"`   // "" while waiting
	DecidedOn           string           `json:"decidedOn,omitempty"` // YYYY-MM-DD
}

// AddedIndicator is an indicator cited in a reconsideration request as the
// catalogue named it then (§8.9: cited as in the referral form's table).
type AddedIndicator struct {
	ID      string `json:"id"`
	Label   string `json:"label"`
	Section string `json:"section"`
}

// Open reports whether the Home Office has not yet answered the request.
func (r Reconsideration) Open() bool { return r.Outcome == "" }

// Submitted reports whether the NRM referral has been submitted.
func (s NRMState) Submitted() bool { return s.Submission != nil }

// ICTGEligible: a child entered into the NRM becomes eligible for the
// Independent Child Trafficking Guardian service (§8.10(3)).
func (s NRMState) ICTGEligible() bool { return s.Submission != nil }

// ICTGEligibleFrom is when the child became eligible for an ICTG (§8.10(3));
// zero before the NRM referral.
func (s NRMState) ICTGEligibleFrom() time.Time {
	if s.Submission == nil {
		return time.Time{}
	}
	return s.Submission.SubmittedAt
}

// Decision is the standing decision on grounds, or nil.
func (s NRMState) Decision(grounds string) *GroundsDecision {
	switch grounds {
	case ReasonableGrounds:
		return s.ReasonableGrounds
	case ConclusiveGrounds:
		return s.ConclusiveGrounds
	}
	return nil
}

// OpenReconsideration is the request still waiting for the Home Office, or nil.
func (s NRMState) OpenReconsideration() *Reconsideration {
	for i := range s.Reconsiderations {
		if s.Reconsiderations[i].Open() {
			r := s.Reconsiderations[i]
			return &r
		}
	}
	return nil
}

// NegativeDecision is the standing negative decision that a reconsideration
// could be asked for, or nil (§8.9).
func (s NRMState) NegativeDecision() *GroundsDecision {
	for _, d := range []*GroundsDecision{s.ConclusiveGrounds, s.ReasonableGrounds} {
		if d != nil && !d.Positive() {
			return d
		}
	}
	return nil
}

// EarliestConclusiveGroundsLabel is the first day a Conclusive Grounds
// decision may be made, in words; empty before a positive Reasonable Grounds.
func (s NRMState) EarliestConclusiveGroundsLabel() string {
	return nrmDayLabel(s.EarliestConclusiveGrounds)
}

// Status is where the NRM referral stands, in one sentence for the case page.
func (s NRMState) Status() string {
	rg, cg := s.ReasonableGrounds, s.ConclusiveGrounds
	open := s.OpenReconsideration()
	switch {
	case s.Submission == nil:
		return "Not submitted"
	case open != nil:
		return "Reconsideration of the " + GroundsLabel(open.Grounds) + " decision requested – waiting for the Home Office (§8.9)"
	case cg != nil && cg.Positive():
		return "Positive Conclusive Grounds decision"
	case cg != nil:
		return "Negative Conclusive Grounds decision – any organisation on the case may ask for a reconsideration (§8.9)"
	case rg != nil && rg.Positive():
		return "Positive Reasonable Grounds decision – waiting for the Conclusive Grounds decision"
	case rg != nil:
		return "Negative Reasonable Grounds decision – any organisation on the case may ask for a reconsideration (§8.9)"
	}
	return "Submitted – waiting for the Reasonable Grounds decision"
}

// SentOnLabel is the day the information was sent, in words.
func (f FurtherInformation) SentOnLabel() string { return nrmDayLabel(f.SentOn) }

// RouteLabel is how the referral was submitted, in words.
func (s NRMSubmission) RouteLabel() string { return NRMRouteLabel(s.Via) }

// ReferenceReceivedOnLabel is the day the Home Office reference arrived, in words.
func (s NRMState) ReferenceReceivedOnLabel() string { return nrmDayLabel(s.ReferenceReceivedOn) }

// OutcomeLabel is the Home Office's answer in words; empty while waiting.
func (r Reconsideration) OutcomeLabel() string {
	for _, o := range ReconsiderationOutcomes() {
		if o.Value == r.Outcome {
			return o.Text
		}
	}
	return r.Outcome
}

// GroundsLabel names the decision the request is about.
func (r Reconsideration) GroundsLabel() string { return GroundsLabel(r.Grounds) }

// DecidedOnLabel is when the Home Office answered the request, in words.
func (r Reconsideration) DecidedOnLabel() string { return nrmDayLabel(r.DecidedOn) }

// GroundsLabel is the decision's name in words.
func GroundsLabel(g string) string {
	switch g {
	case ReasonableGrounds:
		return "Reasonable Grounds"
	case ConclusiveGrounds:
		return "Conclusive Grounds"
	}
	return g
}

// nrmRoutes are the ways an NRM referral reaches the Home Office (§8.7).
var nrmRoutes = []struct{ Value, Text string }{
	{"online-form", "The online NRM referral form"},
	{"offline-form", "The offline form, completed and sent to a First Responder who submitted it"},
}

// NRMRoutes lists how an NRM referral can be submitted (§8.7).
func NRMRoutes() []struct{ Value, Text string } { return nrmRoutes }

// NRMRouteLabel is the route in words; an unknown value comes back unchanged.
func NRMRouteLabel(v string) string {
	for _, r := range nrmRoutes {
		if r.Value == v {
			return r.Text
		}
	}
	return v
}

// DecisionOutcomes lists the outcomes of a Reasonable or Conclusive Grounds decision.
func DecisionOutcomes() []struct{ Value, Text string } {
	return []struct{ Value, Text string }{{DecisionPositive, "Positive"}, {DecisionNegative, "Negative"}}
}

// ReconsiderationOutcomes lists how the Home Office can answer a reconsideration (§8.9).
func ReconsiderationOutcomes() []struct{ Value, Text string } {
	return []struct{ Value, Text string }{
		{ReconsiderationUpheld, "Upheld: the negative decision stands"},
		{ReconsiderationOverturned, "Overturned: the decision is now positive"},
	}
}

// members: the lead First Responder organisation joins the case when it
// submits the referral (§8.5).
func (s *NRMState) members(c *Case) []Member {
	if s.Submission == nil || s.Submission.LeadOrgID == "" {
		return nil
	}
	return []Member{{Kind: "org", ID: s.Submission.LeadOrgID, Role: MemberFirstResponder}}
}

// flags: the NRM sets none of the facts every view shows first.
func (s *NRMState) flags(c *Case, now time.Time, f *Flags) {}

// Event types of the NRM referral.
const (
	EventNRMSubmitted                   = "nrm_submitted"
	EventHomeOfficeReferenceRecorded    = "nrm_reference_recorded"
	EventNRMFurtherInformationSent      = "nrm_further_information_sent"
	EventNRMDecisionRecorded            = "nrm_decision_recorded"
	EventNRMReconsiderationRequested    = "nrm_reconsideration_requested"
	EventNRMReconsiderationOutcomeKnown = "nrm_reconsideration_outcome"
)

// nrmEvents lists the event types of the NRM referral, its decisions and reconsiderations.
func nrmEvents() []eventDecoder {
	return []eventDecoder{
		decoderOf[NRMSubmitted](),
		decoderOf[HomeOfficeReferenceRecorded](),
		decoderOf[NRMFurtherInformationSent](),
		decoderOf[NRMDecisionRecorded](),
		decoderOf[NRMReconsiderationRequested](),
		decoderOf[NRMReconsiderationOutcome](),
	}
}

// NRMSubmitted is the NRM referral submitted by the lead First Responder (§8.5, §8.7).
type NRMSubmitted struct {
	SubmittedAt          time.Time `json:"submittedAt"`
	Via                  string    `json:"via"`
	MeetingAgreed        bool      `json:"meetingAgreed"`
	ReasonWithoutMeeting string    `json:"reasonWithoutMeeting,omitempty"`
	LeadOrgID            string    `json:"leadOrgId"`
	LeadOrgName          string    `json:"leadOrgName"`
	// Declaration is absent from submissions recorded before it was asked.
	Declaration NRMDeclaration `json:"declaration"`
	// Routing: who makes the decisions (panel.go); absent before it was recorded.
	Routing *DecisionRouting `json:"routing,omitempty"`
}

// HomeOfficeReferenceRecorded is the reference the Home Office emailed back (§8.7).
type HomeOfficeReferenceRecorded struct {
	Reference  string `json:"reference"`
	ReceivedOn string `json:"receivedOn"`
}

// NRMFurtherInformationSent is new evidence sent to the Home Office (§8.7).
type NRMFurtherInformationSent struct {
	SentOn  string `json:"sentOn"`
	Summary string `json:"summary"`
}

// NRMDecisionRecorded is a Reasonable or Conclusive Grounds decision.
type NRMDecisionRecorded struct {
	Grounds   string `json:"grounds"`
	Outcome   string `json:"outcome"`
	DecidedOn string `json:"decidedOn"`
	// EarliestConclusiveGrounds is set by a positive Reasonable Grounds
	// decision: the first day the Conclusive Grounds decision may be made.
	EarliestConclusiveGrounds string `json:"earliestConclusiveGrounds,omitempty"`
	DecisionMaking
}

// NRMReconsiderationRequested asks the Home Office to look again at a negative decision (§8.9).
type NRMReconsiderationRequested struct {
	Grounds             string           `json:"grounds"`
	EventsSinceReferral string           `json:"eventsSinceReferral,omitempty"`
	GuidanceMisapplied  string           `json:"guidanceMisapplied,omitempty"`
	IndicatorsAdded     []AddedIndicator `json:"indicatorsAdded,omitempty"`
	CatalogVersion      string           `json:"catalogVersion"`
	ChildsViews         string           `json:"childsViews,omitempty"`
}

// NRMReconsiderationOutcome is the Home Office's answer to a reconsideration
// request; an overturned decision is replaced by a positive one (§8.9).
type NRMReconsiderationOutcome struct {
	Request   int    `json:"request"` // seq of the request
	Grounds   string `json:"grounds"`
	Outcome   string `json:"outcome"`
	DecidedOn string `json:"decidedOn"`
	// EarliestConclusiveGrounds: an overturned Reasonable Grounds decision
	// starts the wait before the Conclusive Grounds decision.
	EarliestConclusiveGrounds string `json:"earliestConclusiveGrounds,omitempty"`
	DecisionMaking
}

func (NRMSubmitted) eventType() string                { return EventNRMSubmitted }
func (HomeOfficeReferenceRecorded) eventType() string { return EventHomeOfficeReferenceRecorded }
func (NRMFurtherInformationSent) eventType() string   { return EventNRMFurtherInformationSent }
func (NRMDecisionRecorded) eventType() string         { return EventNRMDecisionRecorded }
func (NRMReconsiderationRequested) eventType() string { return EventNRMReconsiderationRequested }
func (NRMReconsiderationOutcome) eventType() string {
	return EventNRMReconsiderationOutcomeKnown
}

// The folds below never write through slices or pointers the earlier state
// shares: Apply is pure.

func (d NRMSubmitted) apply(c *Case, e Event) {
	c.NRM.Submission = &NRMSubmission{SubmittedAt: d.SubmittedAt, Via: d.Via, MeetingAgreed: d.MeetingAgreed,
		ReasonWithoutMeeting: d.ReasonWithoutMeeting, LeadOrgID: d.LeadOrgID, LeadOrgName: d.LeadOrgName, Declaration: d.Declaration, By: e.Actor, RecordedAt: e.At}
	if d.Routing != nil {
		r := *d.Routing
		c.NRM.Submission.Routing = &r
	}
}

func (d HomeOfficeReferenceRecorded) apply(c *Case, e Event) {
	c.NRM.HomeOfficeReference, c.NRM.ReferenceReceivedOn = d.Reference, d.ReceivedOn
}

func (d NRMFurtherInformationSent) apply(c *Case, e Event) {
	c.NRM.FurtherInformation = append(slices.Clip(c.NRM.FurtherInformation), FurtherInformation{Seq: e.Seq, SentOn: d.SentOn, Summary: d.Summary, By: e.Actor})
}

func (d NRMDecisionRecorded) apply(c *Case, e Event) {
	c.NRM.standDecision(GroundsDecision{Grounds: d.Grounds, Outcome: d.Outcome, DecidedOn: d.DecidedOn, Seq: e.Seq, RecordedAt: e.At, RecordedBy: e.Actor,
		DecisionMaking: d.DecisionMaking.clone()}, d.EarliestConclusiveGrounds)
}

func (d NRMReconsiderationRequested) apply(c *Case, e Event) {
	c.NRM.Reconsiderations = append(slices.Clip(c.NRM.Reconsiderations), Reconsideration{Seq: e.Seq, Grounds: d.Grounds, RequestedAt: e.At, By: e.Actor,
		EventsSinceReferral: d.EventsSinceReferral, GuidanceMisapplied: d.GuidanceMisapplied, IndicatorsAdded: slices.Clone(d.IndicatorsAdded),
		CatalogVersion: d.CatalogVersion, ChildsViews: d.ChildsViews})
}

func (d NRMReconsiderationOutcome) apply(c *Case, e Event) {
	rs := slices.Clone(c.NRM.Reconsiderations)
	for i := range rs {
		if rs[i].Seq == d.Request {
			rs[i].Outcome, rs[i].DecidedOn = d.Outcome, d.DecidedOn
		}
	}
	c.NRM.Reconsiderations = rs
	if d.Outcome == ReconsiderationOverturned {
		c.NRM.standDecision(GroundsDecision{Grounds: d.Grounds, Outcome: DecisionPositive, DecidedOn: d.DecidedOn, Reconsideration: d.Request,
			Seq: e.Seq, RecordedAt: e.At, RecordedBy: e.Actor, DecisionMaking: d.DecisionMaking.clone()}, d.EarliestConclusiveGrounds)
	}
}

// standDecision makes dec the standing decision on its grounds and keeps it in the history.
func (s *NRMState) standDecision(dec GroundsDecision, earliestCG string) {
	s.Decisions = append(slices.Clip(s.Decisions), dec)
	switch dec.Grounds {
	case ReasonableGrounds:
		s.ReasonableGrounds = &dec
		if dec.Positive() {
			s.EarliestConclusiveGrounds = earliestCG
		}
	case ConclusiveGrounds:
		s.ConclusiveGrounds = &dec
	}
}

// Timeline lines: what happened, never what the evidence says.

func (d NRMSubmitted) summary(e Event) string {
	s := "NRM referral submitted by " + d.LeadOrgName + " (" + NRMRouteLabel(d.Via) + ")"
	if !d.MeetingAgreed {
		s += " without a multi-agency meeting decision to submit"
	}
	return s
}

func (d HomeOfficeReferenceRecorded) summary(e Event) string {
	return "Home Office NRM reference recorded: " + d.Reference
}

func (d NRMFurtherInformationSent) summary(e Event) string {
	return "Further information sent to the Home Office on " + nrmDayLabel(d.SentOn)
}

func (d NRMDecisionRecorded) summary(e Event) string {
	return GroundsLabel(d.Grounds) + " decision recorded: " + d.Outcome + " (decided " + nrmDayLabel(d.DecidedOn) + " by " + MakerLabel(d.Maker, d.PanelName) + ")"
}

func (d NRMReconsiderationRequested) summary(e Event) string {
	return "Reconsideration of the " + GroundsLabel(d.Grounds) + " decision requested by " + e.Actor.OrgName
}

func (d NRMReconsiderationOutcome) summary(e Event) string {
	if d.Outcome == ReconsiderationOverturned {
		return "Reconsideration: the " + GroundsLabel(d.Grounds) + " decision was overturned and is now positive (decided " + nrmDayLabel(d.DecidedOn) + ")"
	}
	return "Reconsideration: the negative " + GroundsLabel(d.Grounds) + " decision was upheld (decided " + nrmDayLabel(d.DecidedOn) + ")"
}

// nrmDayLabel turns YYYY-MM-DD into "2 January 2006"; anything else comes back unchanged.
func nrmDayLabel(day string) string {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		return day
	}
	return t.Format("2 January 2006")
}
