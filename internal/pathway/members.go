package pathway

// Membership roles on a case. Only members see a case at all (§6.5).
const (
	MemberReferrer          = "referrer"           // the practitioner who raised the concern
	MemberChildrensServices = "childrens_services" // the Children's Services team that received it
	MemberWorker            = "worker"             // assigned to work the case (§6.7)
	MemberInvitee           = "invitee"            // invited to a multi-agency meeting (§6.8)
	MemberFirstResponder    = "first_responder"    // the lead First Responder organisation (§8.5)
	MemberPartnership       = "partnership"        // the partnership lead, while an escalation is open (§8.6)
	MemberBreakGlass        = "break_glass"        // emergency access with a written reason, for a few hours (§6.5)
	MemberLinkedCase        = "linked_case"        // the team of a case confirmed to be about the same child (case_links.go)
	MemberPartnershipShare  = "partnership_share"  // another partnership's Children's Services team the case is shared with (partnerships.go)
)

// Member is a user or a whole organisation team with need to know (§6.5).
type Member struct {
	Kind string // "user", "org" or MemberKindClient
	ID   string
	Role string
}

// Covers reports whether the member entry is this person (a user or a
// machine client, by id) or their organisation's team. The one place that
// matches a party against the members (§6.5); an empty organisation id
// matches no team.
func (m Member) Covers(userID, orgID string) bool {
	switch m.Kind {
	case "user", MemberKindClient:
		return m.ID != "" && m.ID == userID
	case "org":
		return orgID != "" && m.ID == orgID
	}
	return false
}

// Members lists who has need to know about the case.
func Members(c Case) []Member {
	ms := []Member{{Kind: "user", ID: c.Referrer.UserID, Role: MemberReferrer}}
	if c.ChildrensServicesOrg != "" {
		ms = append(ms, Member{Kind: "org", ID: c.ChildrensServicesOrg, Role: MemberChildrensServices})
	}
	for _, w := range c.Workers {
		ms = append(ms, Member{Kind: "user", ID: w.UserID, Role: MemberWorker})
	}
	for _, a := range c.areas() {
		ms = append(ms, a.members(&c)...)
	}
	return ms
}

// Membership is how a viewer relates to a case.
type Membership struct {
	Roles []string
}

// Is reports whether the viewer holds role on the case.
func (m Membership) Is(role string) bool {
	for _, r := range m.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Team reports whether the viewer works the case (not only referred it or
// was invited to a meeting about it).
func (m Membership) Team() bool {
	for _, r := range TeamRoles() {
		if m.Is(r) {
			return true
		}
	}
	return false
}

// TeamRoles are the membership roles of those who work the case and see all
// of it (§6.5); every other member is an outsider (Case.ForOutsider). Case
// lists decide a viewer's standing from the same roles (store.summarySelect).
func TeamRoles() []string {
	return []string{MemberChildrensServices, MemberWorker, MemberFirstResponder, MemberPartnership, MemberBreakGlass, MemberPartnershipShare}
}

// VisibleTo says whether an event appears on the viewer's timeline. A referrer
// outside Children's Services sees what they recorded, the reference and the
// outcome, and nothing of the team's internal work (§6.5).
func VisibleTo(e Event, m Membership, viewerUserID string) bool {
	if m.Team() || m.Is(MemberLinkedCase) { // a linked team sees the whole history (case_links.go)
		return true
	}
	switch e.Type {
	case EventConcernRaised, EventContactRecorded, EventOutcomeRecorded:
		return true
	}
	if sharedWithParticipant(e, viewerUserID) { // meeting invitees, action owners, who escalated (§6.8, §8.6)
		return true
	}
	if nrmDecisionEvent(e) && SeesNRMDecisions(m) { // §8.5, §8.9
		return true
	}
	return e.Actor.UserID == viewerUserID
}
