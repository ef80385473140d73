package pathway

import "slices"

// ForOutsider is the case as a member outside the team sees it — the
// referrer, or a meeting invitee (§6.5): their concern, the reference and
// outcome, the meetings they were invited to with those meetings' actions,
// actions they own and escalations they raised (§6.8, §8.6), where the child
// is placed (its address already removed when confidential and not granted,
// §7.6), and only the deadlines OutsiderSeesClock. The team's strategy, NRM,
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
	for _, cl := range c.Clocks {
		if OutsiderSeesClock(cl, userID) {
			out.Clocks = append(out.Clocks, cl)
		}
	}
	return out
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
