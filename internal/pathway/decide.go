package pathway

import (
	"strings"
	"time"

	"waymark"
	"waymark/internal/catalog"
)

// Roles a user can hold in their organisation (PATHWAY.md §2).
const (
	RolePractitioner      = "practitioner"
	RoleChildrensServices = "childrens_services_worker"
	RoleSocialWorker      = "social_worker"
	RoleManager           = "manager"
	RoleFirstResponder    = "first_responder_lead"
	RolePartnershipLead   = "partnership_lead"
	RoleAdministrator     = "administrator"
	RoleAnalyst           = "analyst" // statistics only, no case access (statistics.go)
)

// Roles lists every role in the order screens show them.
var Roles = []string{RolePractitioner, RoleChildrensServices, RoleSocialWorker, RoleManager, RoleFirstResponder, RolePartnershipLead, RoleAdministrator, RoleAnalyst}

// RoleLabel is a role in practitioners' words.
func RoleLabel(r string) string {
	switch r {
	case RolePractitioner:
		return "Practitioner"
	case RoleChildrensServices:
		return "Children's Services worker"
	case RoleSocialWorker:
		return "Social worker"
	case RoleManager:
		return "Manager"
	case RoleFirstResponder:
		return "First Responder lead"
	case RolePartnershipLead:
		return "Partnership lead"
	case RoleAdministrator:
		return "Administrator"
	case RoleAnalyst:
		return "Analyst"
	}
	return r
}

// Actor is who gives a command, with what their organisation is and how
// they stand on the case.
type Actor struct {
	Party
	Role                string
	InChildrensServices bool // the organisation is the partnership's Children's Services
	InFirstResponderOrg bool // the organisation is a designated First Responder (§8.2)
	// Membership is how the actor stands on the case (§6.5), as the case's
	// members and any emergency access give it; the use case fills it when
	// it loads the case. Available and DecideFor decide by it whether the
	// actor works the case or only sees their own part of it.
	Membership Membership
	// LeadsCasePartnership: the actor is a lead of the case's partnership
	// (partnerships.go), filled by the use case where it matters.
	LeadsCasePartnership bool
}

// Command is something a user asks to do to a case. Each command checks its
// own rules beside its definition, in two parts: guard says who may give it
// and whether the case allows it now (role, organisation, stage, closure,
// what is already done), whatever the answers; decide checks the answers and
// makes the events. Decide always asks the guard first, so a command whose
// guard refuses is refused.
type Command interface {
	commandName() string
	guard(p *Pathway, c Case, a Actor, now time.Time) error
	decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error)
}

// RaiseConcern opens a case for a child (§6.2, §8.5).
type RaiseConcern struct {
	CaseID               string
	Concern              Concern
	ChildrensServicesOrg string
}

// RecordContact acknowledges the concern and issues the reference (annex step 1).
type RecordContact struct {
	Reference string // issued by the caller from the partnership's sequence
	Method    string
	Note      string
}

// RecordOutcome tells the referrer what Children's Services decided (annex step 1).
type RecordOutcome struct {
	Decision string
	NextStep string
	// Who the outcome was discussed with (§6.2, outcome_consulted.go).
	Consulted            []string `json:"consulted,omitempty"`
	ConsultedOthersNames string   `json:"consultedOthersNames,omitempty"`
	NotConsultedReason   string   `json:"notConsultedReason,omitempty"`
}

func (RaiseConcern) commandName() string  { return "raise concern" }
func (RecordContact) commandName() string { return "record contact" }
func (RecordOutcome) commandName() string { return "record outcome" }

// Pathway decides commands against the procedure's rules.
type Pathway struct {
	Catalog  *catalog.Catalog
	Clocks   ClockConfig
	commands []CatalogueEntry // every case command (NewCatalogue)
}

// New returns a Pathway with the catalogue and the default clock lengths.
func New(cat *catalog.Catalog) *Pathway {
	return &Pathway{Catalog: cat, Clocks: DefaultClocks, commands: NewCatalogue()}
}

// Decide checks cmd against every rule and returns the events to append, or a
// refusal (*waymark.Error) that tells the user what to do instead.
func (p *Pathway) Decide(c Case, actor Actor, cmd Command, now time.Time) ([]Event, error) {
	if cmd == nil {
		return nil, waymark.Errorf(waymark.EINTERNAL, "no command")
	}
	if _, isRaise := cmd.(RaiseConcern); !isRaise && c.Version == 0 {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "Case not found")
	}
	if actor.Role == RoleMachineClient {
		if err := machineClientMay(cmd); err != nil {
			return nil, err
		}
	}
	if err := cmd.guard(p, c, actor, now.UTC()); err != nil {
		return nil, err
	}
	events, err := cmd.decide(p, c, actor, now.UTC())
	if err != nil {
		return nil, err
	}
	for i := range events {
		if events[i].CaseID == "" {
			events[i].CaseID = c.ID
		}
		events[i].Seq = c.Version + i + 1
		events[i].At = now.UTC()
		events[i].Actor = actor.Party
		events[i].Type = events[i].Data.eventType()
	}
	return events, nil
}

// newEvent is an event ready for Decide to number and stamp.
func newEvent(data EventData, clocks ...ClockChange) Event {
	return Event{Type: data.eventType(), Data: data, Clocks: clocks}
}

// guard: a concern opens a new case; anyone who works with children may raise one (§6.2).
func (RaiseConcern) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if c.Version != 0 {
		return waymark.Errorf(waymark.ECONFLICT, "This case has already been raised.")
	}
	return nil
}

func (cmd RaiseConcern) decide(p *Pathway, c Case, actor Actor, now time.Time) ([]Event, error) {
	concern := NormaliseConcern(cmd.Concern)
	concern.CatalogVersion = p.Catalog.Version
	if err := p.ValidateConcern(concern, now); err != nil {
		return nil, err
	}
	if cmd.ChildrensServicesOrg == "" {
		return nil, waymark.Errorf(waymark.EINTERNAL, "no Children's Services organisation to send the concern to")
	}
	e := newEvent(ConcernRaised{Concern: concern, ChildrensServicesOrg: cmd.ChildrensServicesOrg},
		// §8.5: Children's Services must know within 24 hours of the child being identified.
		startClock(ClockNotifyChildrensServices, "notify-1", concern.IdentifiedAt, p.Clocks.NotifyChildrensServices))
	e.CaseID = cmd.CaseID
	return []Event{e}, nil
}

// guard says who may give RecordContact and whether the case allows it now.
func (RecordContact) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := onlyChildrensServicesRecordContact(a); err != nil {
		return err
	}
	if c.Contact != nil {
		return waymark.Errorf(waymark.ECONFLICT, "Contact was already recorded with reference %s. Record the outcome instead.", c.Contact.Reference)
	}
	return nil
}

func (cmd RecordContact) decide(p *Pathway, c Case, actor Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	if !validContactMethod(cmd.Method) {
		probs.Add("method", "Select how the concern reached Children's Services")
	}
	checkLength(&probs, "note", "The note", cmd.Note, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	changes := []ClockChange{
		// annex: the outcome is due to the referrer within 24 hours of the contact.
		startClock(ClockOutcomeToReferrer, "outcome-1", now, p.Clocks.OutcomeToReferrer),
	}
	if cl, ok := c.RunningClock(ClockNotifyChildrensServices); ok {
		changes = append([]ClockChange{stopClock(cl.ID, now)}, changes...)
	}
	return []Event{newEvent(ContactRecorded{Contact: Contact{Reference: cmd.Reference, ReceivedAt: now, Method: cmd.Method, Note: cmd.Note, By: actor.Party}}, changes...)}, nil
}

// guard says who may give RecordOutcome and whether the case allows it now.
func (RecordOutcome) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := onlyChildrensServicesRecordContact(a); err != nil {
		return err
	}
	if c.Contact == nil {
		return waymark.Errorf(waymark.EINVALID, "Record the contact first: the referrer needs the reference before the outcome.")
	}
	if c.Outcome != nil {
		return waymark.Errorf(waymark.ECONFLICT, "The outcome was already given on %s.", c.Outcome.GivenAt.In(London).Format("2 January 2006 at 15:04"))
	}
	return nil
}

func (cmd RecordOutcome) decide(p *Pathway, c Case, actor Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	if OutcomeLabel(cmd.Decision) == cmd.Decision {
		probs.Add("decision", "Select the outcome of the contact")
	}
	if cmd.NextStep == "" {
		probs.Add("nextStep", "Enter the next step, so the referrer knows what happens now")
	}
	checkLength(&probs, "nextStep", "The next step", cmd.NextStep, MaxNarrative)
	validateConsultation(&probs, cmd)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	var changes []ClockChange
	if cl, ok := c.RunningClock(ClockOutcomeToReferrer); ok {
		changes = append(changes, stopClock(cl.ID, now))
	}
	return []Event{newEvent(OutcomeRecorded{Outcome: Outcome{Decision: cmd.Decision, NextStep: cmd.NextStep, GivenAt: now, By: actor.Party,
		Consulted: trimList(cmd.Consulted), ConsultedOthersNames: strings.TrimSpace(cmd.ConsultedOthersNames), NotConsultedReason: strings.TrimSpace(cmd.NotConsultedReason)}}, changes...)}, nil
}

// onlyChildrensServicesRecordContact: the contact and its outcome belong to the
// Children's Services team that received the concern (annex step 1).
func onlyChildrensServicesRecordContact(a Actor) error {
	if !a.InChildrensServices {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only Children's Services can record the contact and its outcome. If you raised this concern, you will see the reference and outcome here when they are recorded.")
	}
	return nil
}

// Contact methods.
var contactMethods = []struct{ Value, Text string }{
	{"phone", "Phone call to the safeguarding team"},
	{"online-form", "Online referral form"},
	{"email", "Secure email"},
	{"in-person", "In person"},
}

// ContactMethods lists how a concern can reach Children's Services.
func ContactMethods() []struct{ Value, Text string } { return contactMethods }

func validContactMethod(m string) bool {
	for _, cm := range contactMethods {
		if cm.Value == m {
			return true
		}
	}
	return false
}

var outcomes = []struct{ Value, Text string }{
	{"strategy-discussion", "Strategy discussion to be held (§6.7)"},
	{"multi-agency-meeting", "Multi-agency meeting (STRAT or MARM) to be arranged (§8.5)"},
	{"assessment", "Child and family assessment"},
	{"already-open", "Already open: passed to the allocated social worker"},
	{"transferred", "Another local authority is responsible: transferred to them"},
	{"advice-given", "Advice given: no further Children's Services action"},
}

// Outcomes lists what Children's Services can decide on a contact.
func Outcomes() []struct{ Value, Text string } { return outcomes }

// OutcomeLabel is the outcome in words; an unknown value comes back unchanged.
func OutcomeLabel(v string) string {
	for _, o := range outcomes {
		if o.Value == v {
			return o.Text
		}
	}
	return v
}

// CommandName is the command's name in words, for audit and messages.
func CommandName(cmd Command) string {
	if cmd == nil {
		return "unknown"
	}
	return cmd.commandName()
}
