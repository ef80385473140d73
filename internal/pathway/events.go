package pathway

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// Event types in the case log.
const (
	EventConcernRaised   = "concern_raised"
	EventContactRecorded = "contact_recorded"
	EventOutcomeRecorded = "outcome_recorded"
)

// Event is one entry in a case's append-only log. History is never edited:
// a correction is a new event whose Corrects names the seq it corrects (§7.5).
type Event struct {
	CaseID   string
	Seq      int
	Type     string
	At       time.Time
	Actor    Party
	Corrects int
	Data     EventData
	Clocks   []ClockChange
}

// EventData is the payload of one event type. Each type says how it folds
// into the case and how it reads on the timeline.
type EventData interface {
	eventType() string
	apply(c *Case, e Event)
	summary(e Event) string
}

// eventDecoder decodes the stored payload of one event type.
type eventDecoder struct {
	eventType string
	decode    func([]byte) (EventData, []ClockChange, error)
}

func decoderOf[T EventData]() eventDecoder {
	var zero T
	// One pass over the stored payload, its data decoded straight into T
	// (a payload was read twice, as a whole and then its data again).
	return eventDecoder{eventType: zero.eventType(), decode: func(b []byte) (EventData, []ClockChange, error) {
		var p struct {
			Data   *T            `json:"data"`
			Clocks []ClockChange `json:"clocks,omitempty"`
		}
		if err := json.Unmarshal(b, &p); err != nil {
			return nil, nil, err
		}
		if p.Data == nil { // "data": null, as an event without data is stored
			var zero T
			return zero, p.Clocks, nil
		}
		return *p.Data, p.Clocks, nil
	}}
}

// newEventRegistry maps each event type of the areas to its decoder.
func newEventRegistry(areas ...[]eventDecoder) map[string]func([]byte) (EventData, []ClockChange, error) {
	r := map[string]func([]byte) (EventData, []ClockChange, error){}
	for _, area := range areas {
		for _, d := range area {
			if _, dup := r[d.eventType]; dup {
				panic("pathway: event type registered twice: " + d.eventType)
			}
			r[d.eventType] = d.decode
		}
	}
	return r
}

// eventDecoders is every event type the log can hold, area by area: the
// one list a new event type is added to.
var eventDecoders = newEventRegistry(
	concernEvents(),
	teamEvents(),
	strategyEvents(),
	meetingEvents(),
	nrmEvents(),
	contributionEvents(),
	safetyEvents(),
	placementEvents(),
	abroadEvents(),
	ageEvents(),
	justiceEvents(),
	clientEvents(),
	supervisionEvents(),
	placesEvents(),
	situationEvents(),
	abroadRecordEvents(),    // support_abroad_records.go
	voiceEvents(),           // support_voice.go
	familyEvents(),          // family.go
	immediateActionEvents(), // immediate_actions.go
	householdEvents(),       // household.go
	section47Events(),       // section47.go
	caseLinkEvents(),        // case_links.go
	entityEvents(),          // entities.go
	handOverEvents(),        // partnerships.go
)

// EventTypes lists every registered event type.
func EventTypes() []string {
	out := make([]string, 0, len(eventDecoders))
	for t := range eventDecoders {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// concernEvents lists the event types of the concern, contact and outcome.
func concernEvents() []eventDecoder {
	return []eventDecoder{
		decoderOf[ConcernRaised](),
		decoderOf[ContactRecorded](),
		decoderOf[OutcomeRecorded](),
	}
}

// ConcernRaised opens a case (§6.2, §8.5).
type ConcernRaised struct {
	Concern              Concern `json:"concern"`
	ChildrensServicesOrg string  `json:"childrensServicesOrg"`
}

// ContactRecorded is Children's Services acknowledging the concern with a reference.
type ContactRecorded struct {
	Contact Contact `json:"contact"`
}

// OutcomeRecorded is the outcome given to the referrer.
type OutcomeRecorded struct {
	Outcome Outcome `json:"outcome"`
}

func (ConcernRaised) eventType() string   { return EventConcernRaised }
func (ContactRecorded) eventType() string { return EventContactRecorded }
func (OutcomeRecorded) eventType() string { return EventOutcomeRecorded }

func (d ConcernRaised) apply(c *Case, e Event) {
	c.ID = e.CaseID
	c.Stage = StageConcernRaised
	c.RaisedAt = e.At
	c.Referrer = e.Actor
	c.Concern = d.Concern
	c.ChildrensServicesOrg = d.ChildrensServicesOrg
}

func (d ContactRecorded) apply(c *Case, e Event) {
	ct := d.Contact
	c.Contact = &ct
	c.Stage = StageContactRecorded
}

func (d OutcomeRecorded) apply(c *Case, e Event) {
	o := d.Outcome
	c.Outcome = &o
	c.Stage = StageOutcomeGiven
}

func (ConcernRaised) summary(e Event) string {
	return "Concern raised by " + e.Actor.Name + " (" + e.Actor.OrgName + ")"
}

func (d ContactRecorded) summary(e Event) string {
	return "Contact recorded by Children's Services – reference " + d.Contact.Reference
}

func (d OutcomeRecorded) summary(e Event) string {
	return "Outcome given: " + OutcomeLabel(d.Outcome.Decision)
}

// storedPayload is the JSON stored in the log for an event: its data and
// its clock changes.
type storedPayload struct {
	Data   EventData     `json:"data"`
	Clocks []ClockChange `json:"clocks,omitempty"`
}

// EncodePayload turns the event's data and clock changes into the JSON
// stored in the log, in one pass (the data was encoded, then read again to
// be copied into the payload: the same bytes).
func EncodePayload(e Event) ([]byte, error) {
	b, err := json.Marshal(storedPayload{Data: e.Data, Clocks: e.Clocks})
	if err != nil {
		return nil, fmt.Errorf("pathway: encoding %s: %w", e.Type, err)
	}
	return b, nil
}

// DecodePayload fills e.Data and e.Clocks from the stored JSON for e.Type.
func DecodePayload(e *Event, payload []byte) error {
	decode, ok := eventDecoders[e.Type]
	if !ok {
		return fmt.Errorf("pathway: unknown event type %q", e.Type)
	}
	data, clocks, err := decode(payload)
	if err != nil {
		return fmt.Errorf("pathway: decoding %s payload: %w", e.Type, err)
	}
	e.Data = data
	e.Clocks = clocks
	return nil
}

// Summary is a one-line description of the event for the case timeline.
func (e Event) Summary() string {
	if e.Data == nil {
		return e.Type
	}
	return e.Data.summary(e)
}

// Apply folds one event into the case. It is total: events already in the
// log were accepted by Decide, so Apply never refuses.
func Apply(c Case, e Event) Case {
	if e.Data != nil {
		e.Data.apply(&c, e)
	}
	c.Clocks = applyClocks(c.Clocks, e.Clocks)
	c.Version = e.Seq
	return c
}

func applyClocks(clocks []Clock, changes []ClockChange) []Clock {
	if len(changes) > 0 {
		clocks = append([]Clock(nil), clocks...) // never write through the caller's slice: Apply is pure
	}
	for _, ch := range changes {
		if ch.Start != nil {
			clocks = append(clocks, *ch.Start)
			continue
		}
		for i := range clocks {
			if clocks[i].ID == ch.Stop && clocks[i].StoppedAt == nil {
				at := ch.At
				clocks[i].StoppedAt = &at
			}
		}
	}
	return clocks
}

// Replay folds a whole log into a case.
func Replay(events []Event) Case {
	var c Case
	for _, e := range events {
		c = Apply(c, e)
	}
	return c
}
