package pathway

import (
	"strings"
	"time"

	"waymark"
)

// Supervision: the social worker's supervising manager takes part in the
// decisions on the case (§6.8) and records the supervision on it: what was
// reviewed and what was decided. It is the team's own record: no one
// outside the team sees it (VisibleTo).

// EventSupervisionRecorded is the type of SupervisionRecorded.
const EventSupervisionRecorded = "supervision_recorded"

// supervisionEvents lists the event type of supervision.
func supervisionEvents() []eventDecoder {
	return []eventDecoder{decoderOf[SupervisionRecorded]()}
}

// SupervisionRecorded is a manager's supervision note on the case (§6.8).
type SupervisionRecorded struct {
	Text string `json:"text"`
}

func (SupervisionRecorded) eventType() string { return EventSupervisionRecorded }

func (d SupervisionRecorded) apply(c *Case, e Event) {
	c.Supervision = append(c.Supervision, Note{Seq: e.Seq, At: e.At, By: e.Actor, Text: d.Text})
}

func (SupervisionRecorded) summary(e Event) string { return "Supervision recorded" }

// RecordSupervision records a supervision note on the case (§6.8).
type RecordSupervision struct {
	Text string `json:"text"`
}

func (RecordSupervision) commandName() string { return "record supervision" }

// guard says who may give RecordSupervision: the manager of the case's own
// Children's Services team, on a case open or closed (§6.8).
func (RecordSupervision) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	return onlyTheTeamsManagerSupervises(c, a)
}

func (cmd RecordSupervision) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	text := strings.TrimSpace(cmd.Text)
	var probs waymark.Problems
	if text == "" {
		probs.Add("text", "Enter what was reviewed and decided in supervision")
	}
	checkLength(&probs, "text", "The supervision note", text, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(SupervisionRecorded{Text: text})}, nil
}

// onlyTheTeamsManagerSupervises: supervision is the supervising manager's,
// in the case's own Children's Services team (§6.8).
func onlyTheTeamsManagerSupervises(c Case, a Actor) error {
	if a.Role != RoleManager || !a.InChildrensServices || a.OrgID != c.ChildrensServicesOrg {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only a manager of the case's Children's Services team records supervision. Ask the team's manager.")
	}
	return nil
}
