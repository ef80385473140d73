package pathway

import (
	"encoding/json"
	"fmt"
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

// EventData is the payload of one event type.
type EventData interface{ eventType() string }

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

type storedPayload struct {
	Data   json.RawMessage `json:"data"`
	Clocks []ClockChange   `json:"clocks,omitempty"`
}

// EncodePayload turns the event's data and clock changes into the JSON stored in the log.
func EncodePayload(e Event) ([]byte, error) {
	data, err := json.Marshal(e.Data)
	if err != nil {
		return nil, fmt.Errorf("pathway: encoding %s: %w", e.Type, err)
	}
	return json.Marshal(storedPayload{Data: data, Clocks: e.Clocks})
}

// DecodePayload fills e.Data and e.Clocks from the stored JSON for e.Type.
func DecodePayload(e *Event, payload []byte) error {
	var sp storedPayload
	if err := json.Unmarshal(payload, &sp); err != nil {
		return fmt.Errorf("pathway: decoding %s payload: %w", e.Type, err)
	}
	var data EventData
	switch e.Type {
	case EventConcernRaised:
		var d ConcernRaised
		err := json.Unmarshal(sp.Data, &d)
		data = d
		if err != nil {
			return fmt.Errorf("pathway: decoding %s: %w", e.Type, err)
		}
	case EventContactRecorded:
		var d ContactRecorded
		err := json.Unmarshal(sp.Data, &d)
		data = d
		if err != nil {
			return fmt.Errorf("pathway: decoding %s: %w", e.Type, err)
		}
	case EventOutcomeRecorded:
		var d OutcomeRecorded
		err := json.Unmarshal(sp.Data, &d)
		data = d
		if err != nil {
			return fmt.Errorf("pathway: decoding %s: %w", e.Type, err)
		}
	default:
		return fmt.Errorf("pathway: unknown event type %q", e.Type)
	}
	e.Data = data
	e.Clocks = sp.Clocks
	return nil
}

// Summary is a one-line description of the event for the case timeline.
func (e Event) Summary() string {
	switch d := e.Data.(type) {
	case ConcernRaised:
		return "Concern raised by " + e.Actor.Name + " (" + e.Actor.OrgName + ")"
	case ContactRecorded:
		return "Contact recorded by Children's Services – reference " + d.Contact.Reference
	case OutcomeRecorded:
		return "Outcome given: " + OutcomeLabel(d.Outcome.Decision)
	}
	return e.Type
}

// Apply folds one event into the case. It is total: events already in the
// log were accepted by Decide, so Apply never refuses.
func Apply(c Case, e Event) Case {
	switch d := e.Data.(type) {
	case ConcernRaised:
		c.ID = e.CaseID
		c.Stage = StageConcernRaised
		c.RaisedAt = e.At
		c.Referrer = e.Actor
		c.Concern = d.Concern
		c.ChildrensServicesOrg = d.ChildrensServicesOrg
	case ContactRecorded:
		ct := d.Contact
		c.Contact = &ct
		c.Stage = StageContactRecorded
	case OutcomeRecorded:
		o := d.Outcome
		c.Outcome = &o
		c.Stage = StageOutcomeGiven
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
