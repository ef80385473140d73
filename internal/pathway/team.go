package pathway

import (
	"strings"
	"time"

	"waymark"
)

// Event types for the team's own work on a case.
const (
	EventWorkerAssigned = "worker_assigned"
	EventNoteAdded      = "note_added"
)

// teamEvents lists the event types of the team and its notes.
func teamEvents() []eventDecoder {
	return []eventDecoder{
		decoderOf[WorkerAssigned](),
		decoderOf[NoteAdded](),
	}
}

// WorkerAssigned makes a practitioner a member of the case (§6.7).
type WorkerAssigned struct {
	Worker Party `json:"worker"`
}

// NoteAdded is a note on the case (§7.5).
type NoteAdded struct {
	Text string `json:"text"`
}

func (WorkerAssigned) eventType() string { return EventWorkerAssigned }
func (NoteAdded) eventType() string      { return EventNoteAdded }

func (d WorkerAssigned) apply(c *Case, e Event) {
	for _, w := range c.Workers {
		if w.UserID == d.Worker.UserID {
			return
		}
	}
	c.Workers = append(c.Workers, d.Worker)
}

func (d NoteAdded) apply(c *Case, e Event) {
	c.Notes = append(c.Notes, Note{Seq: e.Seq, At: e.At, By: e.Actor, Text: d.Text})
}

func (d WorkerAssigned) summary(e Event) string {
	return d.Worker.Name + " (" + d.Worker.OrgName + ") assigned to the case"
}

func (NoteAdded) summary(e Event) string { return "Case note added" }

// AssignWorker adds a worker to the case. The caller resolves the worker's
// identity from the directory and passes it in Worker.
type AssignWorker struct {
	WorkerEmail string `json:"workerEmail"`
	Worker      Party  `json:"-"` // filled by the use case from WorkerEmail
	WorkerRole  string `json:"-"`
}

// AddNote records a note on the case.
type AddNote struct {
	Text string `json:"text"`
}

func (AssignWorker) commandName() string { return "assign worker" }
func (AddNote) commandName() string      { return "add note" }

// canManageCase: assigning people is for the Children's Services team (§6.7).
func canManageCase(a Actor) error {
	if !a.InChildrensServices {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only Children's Services can do this. Ask the case's social worker.")
	}
	return nil
}

// guard says who may give AssignWorker and whether the case allows it now.
func (AssignWorker) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := canManageCase(a); err != nil {
		return err
	}
	return notClosed(c)
}

func (cmd AssignWorker) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	if cmd.Worker.UserID == "" {
		return nil, waymark.Invalid([]waymark.FieldError{{Field: "workerEmail", Message: "Enter the email address of a Waymark user to assign"}})
	}
	for _, w := range c.Workers {
		if w.UserID == cmd.Worker.UserID {
			return nil, waymark.Invalid([]waymark.FieldError{{Field: "workerEmail", Message: w.Name + " is already assigned to this case"}})
		}
	}
	return []Event{newEvent(WorkerAssigned{Worker: cmd.Worker})}, nil
}

// guard says who may give AddNote and whether the case allows it now.
func (AddNote) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	return nil // every member may add a note (§7.5), on a closed case too
}

func (cmd AddNote) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	text := strings.TrimSpace(cmd.Text)
	var probs waymark.Problems
	if text == "" {
		probs.Add("text", "Enter the note")
	}
	checkLength(&probs, "text", "The note", text, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(NoteAdded{Text: text})}, nil
}

// notClosed: a closed case takes no new work until it is reopened (§7.4).
func notClosed(c Case) error {
	if c.Flags(time.Time{}).Closed {
		return waymark.Errorf(waymark.EINVALID, "This case is closed. Reopen it first, giving the reason, then record the new work.")
	}
	return nil
}
