package pathway

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark"
)

// ClockMeetingAction is an action the multi-agency meeting gave a named
// person, due by the end of its due date (§6.8).
const ClockMeetingAction ClockKind = "meeting_action"

// MeetingAction is one action agreed at a meeting, with its owner (§6.8).
type MeetingAction struct {
	ID             string
	Seq            int
	MeetingID      string
	Text           string
	Owner          Party
	DueOn          string // YYYY-MM-DD, London
	ClockID        string
	ContactsFamily bool
	AddedBy        Party
	AddedAt        time.Time
	DoneAt         *time.Time
	DoneBy         *Party
	DoneNote       string
}

// Done reports whether the action has been marked done.
func (a MeetingAction) Done() bool { return a.DoneAt != nil }

// Action returns the meeting action with id.
func (s MeetingState) Action(id string) (MeetingAction, bool) {
	for _, a := range s.Actions {
		if a.ID == id {
			return a, true
		}
	}
	return MeetingAction{}, false
}

// MeetingActionAdded: the meeting gave someone an action with a due date.
type MeetingActionAdded struct {
	ActionID       string   `json:"actionId"`
	MeetingID      string   `json:"meetingId"`
	Text           string   `json:"text"`
	Owner          Party    `json:"owner"`
	DueOn          string   `json:"dueOn"`
	ContactsFamily bool     `json:"contactsFamily"`
	SharedWith     []string `json:"sharedWith"` // the meeting's invitees and the owner
}

// MeetingActionDone: the action's owner (or the social worker) marked it done.
type MeetingActionDone struct {
	ActionID   string   `json:"actionId"`
	Note       string   `json:"note"`
	SharedWith []string `json:"sharedWith"`
}

func (MeetingActionAdded) eventType() string { return EventMeetingActionAdded }
func (MeetingActionDone) eventType() string  { return EventMeetingActionDone }

func (d MeetingActionAdded) sharedWith() []string { return d.SharedWith }
func (d MeetingActionDone) sharedWith() []string  { return d.SharedWith }

func (d MeetingActionAdded) apply(c *Case, e Event) {
	c.Meetings.Actions = append(slices.Clone(c.Meetings.Actions), MeetingAction{
		ID: d.ActionID, Seq: e.Seq, MeetingID: d.MeetingID, Text: d.Text, Owner: d.Owner, DueOn: d.DueOn,
		ClockID: meetingActionClockID(d.ActionID), ContactsFamily: d.ContactsFamily, AddedBy: e.Actor, AddedAt: e.At,
	})
}

func (d MeetingActionDone) apply(c *Case, e Event) {
	s := &c.Meetings
	i := slices.IndexFunc(s.Actions, func(a MeetingAction) bool { return a.ID == d.ActionID })
	if i < 0 {
		return
	}
	s.Actions = slices.Clone(s.Actions)
	at, by := e.At, e.Actor
	s.Actions[i].DoneAt, s.Actions[i].DoneBy, s.Actions[i].DoneNote = &at, &by, d.Note
}

func (d MeetingActionAdded) summary(e Event) string {
	return fmt.Sprintf("Meeting action given to %s (%s), due %s", d.Owner.Name, d.Owner.OrgName, meetingDueOnLabel(d.DueOn))
}

func (d MeetingActionDone) summary(e Event) string { return "Meeting action marked done" }

func meetingDueOnLabel(day string) string {
	t, err := time.ParseInLocation("2006-01-02", day, London)
	if err != nil {
		return day
	}
	return t.Format("2 January 2006")
}

func meetingActionClockID(actionID string) string { return "clock-" + actionID }

// AddMeetingAction records an action the meeting agreed, owned by the person
// with OwnerEmail, due by the end of DueOn (§6.8). The use case resolves the owner.
type AddMeetingAction struct {
	MeetingID      string `json:"meetingId"`
	Text           string `json:"text"`
	OwnerEmail     string `json:"ownerEmail"`
	DueOn          string `json:"dueOn"`
	ContactsFamily *bool  `json:"contactsFamily"`
	Owner          Party  `json:"-"` // filled by the use case from OwnerEmail
}

// CompleteMeetingAction marks an action done, stopping its clock.
type CompleteMeetingAction struct {
	ActionID string `json:"actionId"`
	Note     string `json:"note"`
}

func (AddMeetingAction) commandName() string      { return "add meeting action" }
func (CompleteMeetingAction) commandName() string { return "complete meeting action" }

// EndOfDay is the last second of day (YYYY-MM-DD) in London: an action due
// on a day is on time until that day is over.
func EndOfDay(day string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", day, London)
	if err != nil {
		return time.Time{}, err
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 23, 59, 59, 0, London).UTC(), nil
}

// guard says who may give AddMeetingAction and whether the case allows it now.
func (AddMeetingAction) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := canRecordMeeting(a); err != nil {
		return err
	}
	if err := notClosed(c); err != nil {
		return err
	}
	return c.Meetings.aMeetingWasHeld("its actions")
}

func (cmd AddMeetingAction) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	m, err := c.Meetings.meetingFor(cmd.MeetingID, true)
	if err != nil {
		return nil, err
	}
	if m.Held == nil {
		return nil, waymark.Errorf(waymark.EINVALID, "Record what the %s agreed first, then its actions (§6.8).", m.Title())
	}
	var probs waymark.Problems
	text := strings.TrimSpace(cmd.Text)
	if text == "" {
		probs.Add("text", "Enter what is to be done")
	}
	checkLength(&probs, "text", "The action", text, MaxEvidence)
	switch {
	case strings.TrimSpace(cmd.OwnerEmail) == "":
		probs.Add("ownerEmail", "Enter the email address of the person who owns this action")
	case cmd.Owner.UserID == "":
		return nil, waymark.Errorf(waymark.EINTERNAL, "action owner was not resolved")
	default:
		if err := actionOwnerHasNeedToKnow(c, cmd.Owner); err != "" {
			probs.Add("ownerEmail", "%s", err)
		}
	}
	var due time.Time
	if cmd.DueOn == "" {
		probs.Add("dueOn", "Enter the date the action is due")
	} else if due, err = EndOfDay(cmd.DueOn); err != nil {
		probs.Add("dueOn", "The due date must be a real date")
	} else if due.Before(now) {
		probs.Add("dueOn", "The due date must be today or later")
	} else if due.After(now.AddDate(1, 0, 1)) {
		probs.Add("dueOn", "The due date must be within a year; review longer work at a later meeting")
	}
	if cmd.ContactsFamily == nil {
		probs.Add("contactsFamily", "Select yes or no: does this action involve contacting the child's family or carers?")
	} else if *cmd.ContactsFamily {
		if err := familyIsNotToldWhileSuspected(c); err != "" {
			probs.Add("contactsFamily", "%s", err)
		}
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	id := fmt.Sprintf("action-%d", c.Version+1)
	clock := newClock(ClockMeetingAction, meetingActionClockID(id), "Meeting action owned by "+cmd.Owner.Name, "§6.8", now, due)
	clock.Start.OwnerUserID, clock.Start.OwnerName, clock.Start.OwnerOrgID = cmd.Owner.UserID, cmd.Owner.Name, cmd.Owner.OrgID
	shared := meetingPartyIDs(m.Invitees, []Party{cmd.Owner})
	events := []Event{newEvent(MeetingActionAdded{
		ActionID: id, MeetingID: m.ID, Text: text, Owner: cmd.Owner, DueOn: cmd.DueOn, ContactsFamily: *cmd.ContactsFamily,
		SharedWith: shared,
	}, clock)}
	// §8.5: an action to submit the NRM recorded after the submission was
	// done by it; it does not wait for anyone.
	if s := c.NRM.Submission; s != nil && actionSubmitsTheNRM(text) {
		events = append(events, newEvent(MeetingActionDone{ActionID: id, SharedWith: shared,
			Note: "Done: the NRM referral was submitted on " + s.SubmittedAt.In(London).Format("2 January 2006") + "."}, stopClock(clock.Start.ID, now)))
	}
	return events, nil
}

// familyIsNotToldWhileSuspected: when the family or carers may be the
// exploiters, no one raises the concerns with them (annex, §1.2).
// "Not known" is treated as suspected until the team answers (family.go).
func familyIsNotToldWhileSuspected(c Case) string {
	if !c.familyMayBeInvolved() {
		return ""
	}
	if !c.FamilySuspected() {
		return "Nobody knows yet whether the child's family or carers are involved, so this action cannot contact them (annex, §1.2). Record whether the family is suspected first, or plan the action without contacting them"
	}
	return "The child's family or carers are suspected of involvement, so this action cannot contact them (annex, §1.2). Plan the child's safety through the police and Children's Services instead, and record that as the action"
}

// actionOwnerHasNeedToKnow: an action goes to someone who already knows of the
// case — a member, or someone invited to a meeting about it (§6.5).
func actionOwnerHasNeedToKnow(c Case, owner Party) string {
	for _, m := range Members(c) {
		if m.Covers(owner.UserID, owner.OrgID) {
			return ""
		}
	}
	return owner.Name + " is not a member of this case, so they cannot see the action. Invite them to a meeting about the case, or give the action to someone who is a member (§6.5)"
}

// guard says who may give CompleteMeetingAction and whether the case allows it now.
func (CompleteMeetingAction) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	var open []MeetingAction
	for _, act := range c.Meetings.Actions {
		if act.Done() {
			continue
		}
		open = append(open, act)
		if act.Owner.UserID == a.UserID || canRecordMeeting(a) == nil {
			return nil
		}
	}
	switch {
	case len(c.Meetings.Actions) == 0:
		return waymark.Errorf(waymark.EINVALID, "No meeting has any actions yet (§6.8).")
	case len(open) == 0:
		return waymark.Errorf(waymark.ECONFLICT, "Every meeting action on this case is already marked done.")
	case len(open) == 1:
		return waymark.Errorf(waymark.EFORBIDDEN, "Only %s, who owns this action, or the social worker can mark it done. Ask them to mark it done, or add a case note.", open[0].Owner.Name)
	}
	return waymark.Errorf(waymark.EFORBIDDEN, "Only an action's owner or the social worker can mark it done (§6.8). Ask them to mark it done, or add a case note.")
}

func (cmd CompleteMeetingAction) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	act, ok := c.Meetings.Action(cmd.ActionID)
	if !ok {
		return nil, waymark.Invalid([]waymark.FieldError{{Field: "actionId", Message: "Select an action of this case"}})
	}
	if act.Owner.UserID != a.UserID && canRecordMeeting(a) != nil {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Only %s, who owns this action, or the social worker can mark it done. Ask them to mark it done, or add a case note.", act.Owner.Name)
	}
	if act.Done() {
		return nil, waymark.Errorf(waymark.ECONFLICT, "This action was already marked done on %s.", act.DoneAt.In(London).Format("2 January 2006"))
	}
	var probs waymark.Problems
	checkLength(&probs, "note", "The note", cmd.Note, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	var shared []Party
	if m, ok := c.Meetings.Meeting(act.MeetingID); ok {
		shared = m.Invitees
	}
	return []Event{newEvent(MeetingActionDone{ActionID: act.ID, Note: strings.TrimSpace(cmd.Note), SharedWith: meetingPartyIDs(shared, []Party{act.Owner})},
		stopClock(act.ClockID, now))}, nil
}
