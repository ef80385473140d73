package pathway

// ForOutsider is the case as a member outside the team sees it — the
// referrer, or a meeting invitee (§6.5): their concern, the reference and
// outcome, the meetings (each shown only to its participants), where the child
// is placed (its address already removed when confidential and not granted,
// §7.6), and only the
// deadlines that are theirs or about telling them the outcome. The team's
// strategy, NRM, support and safety work, its notes and its workers are left
// out. Warnings and flags are computed from the whole case beforehand, so a
// missing child is still flagged on their view.
func (c Case) ForOutsider(userID string) Case {
	out := Case{
		ID: c.ID, Version: c.Version, Stage: c.Stage, RaisedAt: c.RaisedAt, Referrer: c.Referrer,
		ChildrensServicesOrg: c.ChildrensServicesOrg, Concern: c.Concern, Contact: c.Contact, Outcome: c.Outcome,
		Meetings: c.Meetings,
	}
	out.Support.Placements = c.Support.Placements
	for _, cl := range c.Clocks {
		if cl.Kind == ClockNotifyChildrensServices || cl.Kind == ClockOutcomeToReferrer || (cl.OwnerUserID != "" && cl.OwnerUserID == userID) {
			out.Clocks = append(out.Clocks, cl)
		}
	}
	return out
}
