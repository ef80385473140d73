// Package pathway is the safeguarding procedure as pure code: the state of a
// case, the events that change it, the commands users give, and the rules
// (Decide) and folds (Apply) between them. Nothing here does I/O.
package pathway

import (
	"time"
)

// Stage is where a case stands on the pathway (PATHWAY.md §3).
type Stage string

// Stages of the pathway built so far.
const (
	StageConcernRaised   Stage = "concern_raised"   // §8.5: waiting for Children's Services
	StageContactRecorded Stage = "contact_recorded" // annex: reference given, outcome due in 24h
	StageOutcomeGiven    Stage = "outcome_given"    // annex: referrer told the outcome
)

// Label is the stage in practitioners' words.
func (s Stage) Label() string {
	switch s {
	case StageConcernRaised:
		return "Concern raised – waiting for Children's Services"
	case StageContactRecorded:
		return "Contact recorded – outcome due"
	case StageOutcomeGiven:
		return "Outcome given"
	}
	return string(s)
}

// Party is a person acting for an organisation.
type Party struct {
	UserID  string `json:"userId"`
	Name    string `json:"name"`
	OrgID   string `json:"orgId"`
	OrgName string `json:"orgName"`
}

// Child is who the concern is about. The person is handled as a child when
// their age is uncertain (§7.4).
type Child struct {
	GivenNames      string   `json:"givenNames"`
	FamilyName      string   `json:"familyName"`
	Aliases         []string `json:"aliases,omitempty"`
	DateOfBirth     string   `json:"dateOfBirth,omitempty"`  // YYYY-MM-DD, when known
	EstimatedAge    int      `json:"estimatedAge,omitempty"` // years, when the date of birth is not known
	AgeUncertain    bool     `json:"ageUncertain"`
	Gender          string   `json:"gender"`
	Nationality     string   `json:"nationality"`
	Languages       []string `json:"languages,omitempty"`
	Dialect         string   `json:"dialect,omitempty"`
	CurrentLocation string   `json:"currentLocation"` // where the child is now
}

// FullName is the child's name as practitioners write it.
func (c Child) FullName() string {
	switch {
	case c.GivenNames == "":
		return c.FamilyName
	case c.FamilyName == "":
		return c.GivenNames
	}
	return c.GivenNames + " " + c.FamilyName
}

// ObservedIndicator is one indicator from the catalogue with what was seen (§5).
type ObservedIndicator struct {
	ID       string `json:"id"`
	Evidence string `json:"evidence"`
}

// Concern is what the practitioner who spotted the signs records (§5, §6.2–6.4, §8.5).
type Concern struct {
	Child             Child               `json:"child"`
	IdentifiedAt      time.Time           `json:"identifiedAt"`
	IdentifiedWhere   string              `json:"identifiedWhere"`
	Summary           string              `json:"summary"`
	ImmediateRisk     bool                `json:"immediateRisk"`
	PoliceInformed    bool                `json:"policeInformed"`
	PoliceReference   string              `json:"policeReference,omitempty"`
	ExploitationTypes []string            `json:"exploitationTypes"`
	Indicators        []ObservedIndicator `json:"indicators"`
	CatalogVersion    string              `json:"catalogVersion"`
	FamilySuspected   bool                `json:"familySuspected"`
	// FamilySuspicion is the answer itself: "yes", "no" or "unknown" (not
	// known is never stored as no). Empty in concerns raised before it was
	// kept, which read from FamilySuspected (family.go).
	FamilySuspicion  string   `json:"familySuspicion,omitempty"`
	ImmediateActions []string `json:"immediateActions"`
	// Facts are what the child told the referrer, or the referrer saw, of
	// the child's situation (situation.go, ConcernFacts).
	Facts []FactAnswer `json:"facts,omitempty"`
}

// Contact is Children's Services' acknowledgement of a concern (annex step 1).
type Contact struct {
	Reference  string    `json:"reference"`
	ReceivedAt time.Time `json:"receivedAt"`
	Method     string    `json:"method"`
	Note       string    `json:"note,omitempty"`
	By         Party     `json:"by"`
}

// Outcome is what Children's Services decided and told the referrer (annex step 1).
type Outcome struct {
	Decision string    `json:"decision"`
	NextStep string    `json:"nextStep"`
	GivenAt  time.Time `json:"givenAt"`
	By       Party     `json:"by"`
	// Who the outcome was discussed with, and why not the police or the
	// referrer (§6.2, outcome_consulted.go); empty in outcomes recorded before.
	Consulted            []string `json:"consulted,omitempty"`
	ConsultedOthersNames string   `json:"consultedOthersNames,omitempty"`
	NotConsultedReason   string   `json:"notConsultedReason,omitempty"`
}

// Case is the state of one case, folded from its events.
type Case struct {
	ID                   string
	Version              int // seq of the last event applied; 0 for a new case
	Stage                Stage
	RaisedAt             time.Time
	Referrer             Party
	ChildrensServicesOrg string
	Concern              Concern
	Contact              *Contact
	Outcome              *Outcome
	Clocks               []Clock
	Workers              []Party // social workers and others assigned to the case (§6.7)
	Notes                []Note
	Supervision          []Note // supervision by the team's managers (supervision.go)

	// The later stages of the pathway, each kept beside its rules.
	Strategy StrategyState // strategy discussion, s47, interviews, interpreters (§6.7, §7.5)
	Meetings MeetingState  // multi-agency meetings, actions, escalations (§6.8, §8.5, §8.6)
	NRM      NRMState      // NRM submission, decisions, reconsideration (§8.1–8.10)
	Support  SupportState  // support, children from abroad, age, placement (§6.9–6.12, §7)
	Safety   SafetyState   // missing episodes, closure, corrections (§4.3, §7.1–7.4)
	Clients  ClientState   // machine clients given access by the team (§6.5)
	Places   PlacesState   // nationality, country of birth and places from the Home Office lists (places.go)
	Family   FamilyState   // the team's answers on whether the family is suspected (family.go, §1.2)
	// ImmediateActions are the §6.4 actions recorded after the concern (immediate_actions.go).
	ImmediateActions ImmediateActionState
	// Household is who the child lives with, and the meeting's consideration
	// of a child unrelated to it (household.go, §6.8).
	Household HouseholdState
	// Links are the requests and links to other cases about the same child (case_links.go).
	Links CaseLinkState
	// HandOvers are proposals to share or transfer the case to another
	// partnership (partnerships.go).
	HandOvers HandOverState

	// Situation is what the team has learnt of the child's situation, the
	// exploiters and the child's background (situation.go, §8.8).
	Situation SituationState

	// Entity is the exploiters' people, addresses, phones, vehicles and
	// handles the team recorded (entities.go, §6.8, §8.8).
	Entity EntityState
}

// Note is a case note written by a team member: disclosures come in
// instalments and careful notes protect the child's credibility (§7.5).
type Note struct {
	Seq  int       `json:"seq"`
	At   time.Time `json:"at"`
	By   Party     `json:"by"`
	Text string    `json:"text"`
}

// area is one part of the pathway's state. Each says who its events make
// members of the case and which flags every view must show.
type area interface {
	members(c *Case) []Member
	flags(c *Case, now time.Time, f *Flags)
}

func (c *Case) areas() []area {
	return []area{&c.Strategy, &c.Meetings, &c.NRM, &c.Support, &c.Safety, &c.Clients, &c.Links, &c.HandOvers}
}

// Flags are the facts every view and list of a case shows first.
type Flags struct {
	FamilySuspected         bool
	FamilyNotKnown          bool // nobody knows yet whether the family is involved (family.go)
	AgeUncertain            bool
	ImmediateRisk           bool
	Missing                 bool      // a missing episode is open (§4.3, §7.1)
	HighMissingRiskUntil    time.Time // first 72 hours of a placement of a child from abroad (§4.3)
	Closed                  bool
	OpenEscalations         int
	WhereaboutsConfidential bool // §7.6
}

// Flags computes the case's flags at now.
func (c *Case) Flags(now time.Time) Flags {
	f := Flags{FamilySuspected: c.FamilySuspected(), FamilyNotKnown: c.FamilySuspicion() == FamilySuspectedUnknown, AgeUncertain: c.Concern.Child.AgeUncertain, ImmediateRisk: c.Concern.ImmediateRisk}
	for _, a := range c.areas() {
		a.flags(c, now, &f)
	}
	return f
}

// Reference is the Children's Services reference, once issued.
func (c Case) Reference() string {
	if c.Contact == nil {
		return ""
	}
	return c.Contact.Reference
}

// Warning is something every view of the case must show.
type Warning struct {
	Kind string
	Text string
}

// Warnings lists what every view of the case must show first.
func (c *Case) Warnings() []Warning { return c.WarningsAt(time.Time{}) }

// WarningsAt lists the warnings, including those that depend on the time.
func (c *Case) WarningsAt(now time.Time) []Warning {
	var ws []Warning
	f := c.Flags(now)
	if f.Missing {
		ws = append(ws, Warning{"missing", "The child is missing now. Police must be told at once; record where they are found and hold a return interview (§7.1)."})
	}
	if !f.HighMissingRiskUntil.IsZero() && now.Before(f.HighMissingRiskUntil) {
		ws = append(ws, Warning{"high-missing-risk", "Highest risk of going missing: the first 72 hours of this placement, until " + f.HighMissingRiskUntil.In(London).Format("2 January at 3:04pm") + " (§4.3)."})
	}
	if c.Concern.ImmediateRisk {
		ws = append(ws, Warning{"immediate-risk", "Immediate risk of harm was reported. Police must be involved and the child kept safe where they are until Children's Services and police direct otherwise (§8.5)."})
	}
	if w, ok := c.familyWarning(); ok {
		ws = append(ws, w)
	}
	if c.Concern.Child.AgeUncertain {
		ws = append(ws, Warning{"age-uncertain", "Age uncertain – treat as a child until an age assessment decides otherwise (§7.4)."})
	}
	if f.WhereaboutsConfidential {
		ws = append(ws, Warning{"whereabouts-confidential", "The child's whereabouts are confidential: never share where they are living (§7.6)."})
	}
	if f.Closed {
		ws = append(ws, Warning{"closed", "This case is closed. Reopen it to record new work."})
	}
	return ws
}
