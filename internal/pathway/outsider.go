package pathway

import (
	"fmt"
	"slices"
	"time"

	"waymark"
)

// ForOutsider is the case as a member outside the team sees it — the
// referrer, or a meeting invitee (§6.5): their concern, the reference and
// outcome, the meetings they were invited to with those meetings' actions,
// actions they own and escalations they raised (§6.8, §8.6), where the child
// is placed (its address already removed when confidential and not granted,
// §7.6), their own contributions to the NRM referral (§8.5) and only the
// deadlines OutsiderSeesClock. The team's strategy, NRM,
// support and safety work, its notes, its workers and every meeting the
// viewer was not invited to are left out, so nothing built from this case can
// show them. Warnings and flags are computed from the whole case beforehand,
// so a missing child is still flagged on their view.
//
// The stored entry numbers of meetings, actions and escalations are dropped
// (set to 0): they count the team's entries, and an outsider's timeline is
// numbered in their own scheme (History).
func (c Case) ForOutsider(userID string) Case {
	out := Case{
		ID: c.ID, Version: c.Version, Stage: c.Stage, RaisedAt: c.RaisedAt, Referrer: c.Referrer,
		ChildrensServicesOrg: c.ChildrensServicesOrg, Concern: c.Concern, Contact: c.Contact, Outcome: c.Outcome,
		Meetings: c.Meetings.forParticipant(userID),
	}
	out.Support.Placements = c.Support.Placements
	out.Family.Answer = c.Family.Answer       // the flag, for their safety (annex); not who changed it or why
	out.ImmediateActions = c.ImmediateActions // the referrer undertakes them (§6.4)
	if c.Meetings.invitedToAMeeting(userID) { // §8.5, §8.9: SeesNRMDecisions
		out.NRM = c.NRM.forInvitee(userID)
	}
	out.NRM.Contributions = c.NRM.contributionsBy(userID) // their own words only (§8.5)
	for _, cl := range c.Clocks {
		if OutsiderSeesClock(cl, userID) {
			out.Clocks = append(out.Clocks, cl)
		}
	}
	out.aliasIDs(out.Meetings.outsiderAliases())
	return out
}

// outsiderAliases gives each meeting, action and escalation an outsider sees
// an id of their own: the stored ids ("meeting-6") are made from the case's
// version when each was created, so they would count the team's entries.
// An alias numbers only what the viewer sees, in order ("meeting-v1"); a
// command they give names it, and DecideFor reads it back (realIDs).
func (s MeetingState) outsiderAliases() map[string]string {
	alias := map[string]string{}
	for i, m := range s.Meetings {
		alias[m.ID] = fmt.Sprintf("meeting-v%d", i+1)
	}
	for i, a := range s.Actions {
		alias[a.ID] = fmt.Sprintf("action-v%d", i+1)
		alias[a.ClockID] = meetingActionClockID(alias[a.ID])
	}
	for i, e := range s.Escalations {
		alias[e.ID] = fmt.Sprintf("escalation-v%d", i+1)
	}
	return alias
}

// aliasIDs renames the meetings, actions, escalations and action clocks of
// an outsider's case by alias.
func (c *Case) aliasIDs(alias map[string]string) {
	rename := func(id string) string {
		if a, ok := alias[id]; ok {
			return a
		}
		return id
	}
	s := &c.Meetings
	for i := range s.Meetings {
		s.Meetings[i].ID = rename(s.Meetings[i].ID)
	}
	for i := range s.Actions {
		a := &s.Actions[i]
		a.ID, a.MeetingID, a.ClockID = rename(a.ID), rename(a.MeetingID), rename(a.ClockID)
	}
	for i := range s.Escalations {
		s.Escalations[i].ID = rename(s.Escalations[i].ID)
	}
	c.Clocks = slices.Clone(c.Clocks)
	for i := range c.Clocks {
		c.Clocks[i].ID = rename(c.Clocks[i].ID)
	}
}

// realIDs reads the ids an outsider's command names (aliases, as their case
// shows them) back into the stored ids, for deciding on the whole case. An id
// that is no alias of theirs stays as it is and names nothing they can see.
func realIDs(cmd Command, alias map[string]string) Command {
	real := map[string]string{}
	for r, a := range alias {
		real[a] = r
	}
	back := func(id string) string {
		if r, ok := real[id]; ok {
			return r
		}
		return id
	}
	switch c := cmd.(type) {
	case CompleteMeetingAction:
		c.ActionID = back(c.ActionID)
		return c
	case EscalateFurther:
		c.EscalationID = back(c.EscalationID)
		return c
	case ResolveEscalation:
		c.EscalationID = back(c.EscalationID)
		return c
	}
	return cmd
}

// OutsiderClockKinds are the deadlines every member outside the team sees:
// those about telling them the outcome (§8.5, annex step 1). Besides these an
// outsider sees only the clocks they own (a meeting action's).
func OutsiderClockKinds() []ClockKind {
	return []ClockKind{ClockNotifyChildrensServices, ClockOutcomeToReferrer}
}

// OutsiderSeesClock says whether a member outside the team, userID, may see
// the clock. Case lists ask the same question of the store (store.summarySelect
// is built from OutsiderClockKinds).
func OutsiderSeesClock(cl Clock, userID string) bool {
	return slices.Contains(OutsiderClockKinds(), cl.Kind) || (cl.OwnerUserID != "" && cl.OwnerUserID == userID)
}

// forParticipant keeps what userID takes part in, as their timeline does
// (VisibleTo): the meetings they were invited to, the actions of those
// meetings and the actions they own, and the escalations they raised.
func (s MeetingState) forParticipant(userID string) MeetingState {
	var out MeetingState
	if userID == "" {
		return out
	}
	invited := map[string]bool{}
	for _, m := range s.Meetings {
		if !slices.Contains(meetingPartyIDs(m.Invitees), userID) {
			continue
		}
		invited[m.ID] = true
		m.Seq = 0
		m.Powers = slices.Clone(m.Powers)
		for i := range m.Powers {
			m.Powers[i].Seq = 0
		}
		if m.Held != nil {
			r := *m.Held
			r.Seq = 0
			m.Held = &r
		}
		out.Meetings = append(out.Meetings, m)
	}
	for _, a := range s.Actions {
		if invited[a.MeetingID] || a.Owner.UserID == userID {
			a.Seq = 0
			out.Actions = append(out.Actions, a)
		}
	}
	for _, e := range s.Escalations {
		if e.RaisedBy.UserID != userID {
			continue
		}
		e.Seq = 0
		e.Steps = slices.Clone(e.Steps)
		for i := range e.Steps {
			e.Steps[i].Seq = 0
		}
		if e.Resolution != nil {
			r := *e.Resolution
			r.Seq = 0
			e.Resolution = &r
		}
		out.Escalations = append(out.Escalations, e)
	}
	return out
}

// notOffered is the one answer a member outside the team gets for a command
// that is not theirs to give (§6.5). It is the answer for an action that does
// not exist, and it is given before anything about the case is looked at, so
// it tells them nothing of the team's work: not whether an NRM referral was
// submitted, nor who owns an action they cannot see.
func notOffered() error {
	return waymark.Errorf(waymark.ENOTFOUND, "There is no such action on this case.")
}

// MayGive says whether a member with membership m may give cmd to the case at
// all. The team may give any command (the pathway's rules then decide it);
// someone outside the team only what is theirs to do: a note, a correction of
// what they can see or of the child's details they gave, marking their own
// meeting action done, escalating a disagreement and following it
// through, and giving the lead First Responder information for the NRM
// referral (§6.5, §6.8, §7.5, §8.5, §8.6). The contact and outcome pass too: they
// are refused by who asks, or by the contact and outcome an outsider sees, so
// their answers tell nothing hidden. A machine client adds notes only.
// It depends on nothing but the membership and the command.
func MayGive(m Membership, a Actor, cmd Command) error {
	if a.Role == RoleMachineClient {
		if err := machineClientMay(cmd); err != nil {
			return err
		}
	}
	if m.Team() {
		return nil
	}
	if readsOnlyAsALinkedTeam(m) { // case_links.go
		return notOffered()
	}
	switch cmd.(type) {
	case AddNote, CorrectEntry, CorrectChildDetails, CompleteMeetingAction, RaiseEscalation, EscalateFurther, ResolveEscalation,
		RecordContact, RecordOutcome, ContributeToNRM, RecordImmediateAction:
		return nil
	case RequestNRMReconsideration:
		if SeesNRMDecisions(m) { // §8.9: any organisation on the case may ask
			return nil
		}
	}
	return notOffered()
}

// DecideFor decides cmd for a member whose standing on the case is m. A
// command someone outside the team may give is decided first against the
// case as they see it (ForOutsider), so what it names — an action, an
// escalation — is looked for only among what they can see, and a refusal is
// the one they would get if the team's hidden work did not exist. It is then
// decided against the whole case, whose events are the ones written (so a
// rule the hidden work changed, such as a closed case, still holds).
func (p *Pathway) DecideFor(c Case, m Membership, a Actor, cmd Command, now time.Time) ([]Event, error) {
	if err := MayGive(m, a, cmd); err != nil {
		return nil, err
	}
	if m.Team() {
		return p.Decide(c, a, cmd, now)
	}
	seen := c.ForOutsider(a.UserID)
	// An escalation left unnamed is the only open one they can see, not the
	// only open one on the case.
	switch ec := cmd.(type) {
	case EscalateFurther:
		if ec.EscalationID == "" {
			if e, err := seen.Meetings.openEscalationFor(""); err == nil {
				ec.EscalationID = e.ID
				cmd = ec
			}
		}
	case ResolveEscalation:
		if ec.EscalationID == "" {
			if e, err := seen.Meetings.openEscalationFor(""); err == nil {
				ec.EscalationID = e.ID
				cmd = ec
			}
		}
	}
	if _, err := p.Decide(seen, a, cmd, now); err != nil {
		return nil, err
	}
	// What they named is read back from their ids to the stored ones; an id
	// that is not one of their aliases was refused above as naming nothing.
	return p.Decide(c, a, realIDs(cmd, c.Meetings.forParticipant(a.UserID).outsiderAliases()), now)
}
