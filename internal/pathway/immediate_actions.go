package pathway

import (
	"strings"
	"time"

	"waymark"
	"waymark/internal/catalog"
)

// Immediate actions (§6.4): the checklist a practitioner works through when a
// potential child victim is identified (catalogue, immediate-actions.json).
// Those not ticked on the concern stay outstanding on the case until someone
// records each done, or not needed with the reason (RecordImmediateAction).

// What became of an immediate action.
const (
	ImmediateActionTakenOnConcern = "taken-on-concern" // ticked on the concern
	ImmediateActionDone           = "done"
	ImmediateActionNotNeeded      = "not-needed"
	ImmediateActionOutstanding    = "outstanding"
)

var immediateActionOutcomes = []struct{ Value, Text string }{
	{ImmediateActionDone, "Done"},
	{ImmediateActionNotNeeded, "Not needed"},
}

// ImmediateActionOutcomes lists what can be recorded of an outstanding immediate action.
func ImmediateActionOutcomes() []struct{ Value, Text string } { return immediateActionOutcomes }

// ImmediateActionState is what was recorded of the immediate actions after the concern.
type ImmediateActionState struct {
	Records []ImmediateActionRecord `json:"records,omitempty"`
}

// ImmediateActionRecord is one immediate action recorded done or not needed.
type ImmediateActionRecord struct {
	Seq    int       `json:"seq"`
	At     time.Time `json:"at"`
	By     Party     `json:"by"`
	Action string    `json:"action"` // the catalogue's id
	Status string    `json:"status"` // done or not-needed
	Reason string    `json:"reason"`
}

// ImmediateActionStatus is one item of the §6.4 checklist on a case, with
// where it stands.
type ImmediateActionStatus struct {
	ID      string    `json:"id"`
	Label   string    `json:"label"`
	Section string    `json:"section"`
	Status  string    `json:"status"` // taken-on-concern, done, not-needed or outstanding
	Reason  string    `json:"reason,omitempty"`
	At      time.Time `json:"at"` // when it was recorded; the zero time while outstanding, or when ticked on the concern
	By      *Party    `json:"by,omitempty"`
}

// Outstanding says whether nobody has yet recorded the action done or not needed.
func (s ImmediateActionStatus) Outstanding() bool { return s.Status == ImmediateActionOutstanding }

// ImmediateActions is every item of the §6.4 checklist on the case, in the
// catalogue's order, with where each stands.
func ImmediateActions(cat *catalog.Catalog, c Case) []ImmediateActionStatus {
	out := make([]ImmediateActionStatus, 0, len(cat.ImmediateActions))
	for _, ia := range cat.ImmediateActions {
		st := ImmediateActionStatus{ID: ia.ID, Label: ia.Label, Section: ia.Section, Status: ImmediateActionOutstanding}
		for _, id := range c.Concern.ImmediateActions {
			if id == ia.ID {
				st.Status = ImmediateActionTakenOnConcern
			}
		}
		for _, r := range c.ImmediateActions.Records {
			if r.Action == ia.ID {
				by := r.By
				st.Status, st.Reason, st.At, st.By = r.Status, r.Reason, r.At, &by
			}
		}
		out = append(out, st)
	}
	return out
}

// OutstandingImmediateActions are the checklist's items nobody has recorded yet (§6.4).
func OutstandingImmediateActions(cat *catalog.Catalog, c Case) []ImmediateActionStatus {
	var out []ImmediateActionStatus
	for _, s := range ImmediateActions(cat, c) {
		if s.Outstanding() {
			out = append(out, s)
		}
	}
	return out
}

// EventImmediateActionRecorded is the type of ImmediateActionRecorded.
const EventImmediateActionRecorded = "immediate_action_recorded"

// immediateActionEvents lists the event types of the immediate actions.
func immediateActionEvents() []eventDecoder {
	return []eventDecoder{decoderOf[ImmediateActionRecorded]()}
}

// ImmediateActionRecorded is an outstanding immediate action recorded done
// or not needed, with the reason (§6.4).
type ImmediateActionRecorded struct {
	Action string `json:"action"`
	Status string `json:"status"`
	Reason string `json:"reason"`
}

func (ImmediateActionRecorded) eventType() string { return EventImmediateActionRecorded }

func (d ImmediateActionRecorded) apply(c *Case, e Event) {
	c.ImmediateActions.Records = append(c.ImmediateActions.Records, ImmediateActionRecord{
		Seq: e.Seq, At: e.At, By: e.Actor, Action: d.Action, Status: d.Status, Reason: d.Reason})
}

func (d ImmediateActionRecorded) summary(e Event) string {
	if d.Status == ImmediateActionNotNeeded {
		return "Immediate action recorded as not needed"
	}
	return "Immediate action recorded as done"
}

// RecordImmediateAction records an outstanding immediate action done or not
// needed, with the reason (§6.4).
type RecordImmediateAction struct {
	Action string `json:"action"`
	Status string `json:"status"`
	Reason string `json:"reason"`
}

func (RecordImmediateAction) commandName() string { return "record immediate action" }

// guard: the practitioner who raised the concern undertakes the immediate
// actions (§6.4), and Children's Services follow them up; while any is
// outstanding, on an open case.
func (RecordImmediateAction) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if canManageCase(a) != nil && a.UserID != c.Referrer.UserID {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only the practitioner who raised the concern or Children's Services record the immediate actions. Ask the case's social worker.")
	}
	if err := notClosed(c); err != nil {
		return err
	}
	if len(OutstandingImmediateActions(p.Catalog, c)) == 0 {
		return waymark.Errorf(waymark.EINVALID, "Every immediate action on this case is already recorded (§6.4).")
	}
	return nil
}

func (cmd RecordImmediateAction) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	action := strings.TrimSpace(cmd.Action)
	outstanding := false
	for _, s := range OutstandingImmediateActions(p.Catalog, c) {
		outstanding = outstanding || s.ID == action
	}
	if !outstanding {
		probs.Add("action", "Select one of the immediate actions still outstanding on this case (§6.4)")
	}
	if cmd.Status != ImmediateActionDone && cmd.Status != ImmediateActionNotNeeded {
		probs.Add("status", "Select whether the action was done or was not needed")
	}
	reason := strings.TrimSpace(cmd.Reason)
	if reason == "" {
		if cmd.Status == ImmediateActionNotNeeded {
			probs.Add("reason", "Enter why the action is not needed for this child")
		} else {
			probs.Add("reason", "Enter what was done, by whom and when")
		}
	}
	checkLength(&probs, "reason", "The reason", reason, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(ImmediateActionRecorded{Action: action, Status: cmd.Status, Reason: reason})}, nil
}
