package pathway

// Whose work a running deadline is ("My work"): the person who must act on
// it, or, with no person named, the team that must; and the managers of the
// organisation it belongs to, who see their staff's deadlines run late.

// DeadlineOwner is who must act on a running deadline: a person and the
// organisation they work for, or, with no person named, a team.
type DeadlineOwner struct {
	UserID string
	OrgID  string
}

// Owner is who must act on the clock: the person named on it, with the
// organisation it names or else the one they work for (personOrg, "" when
// not known), or the team it names, or else the Children's Services team
// that holds the case (holdingTeam).
func (cl Clock) Owner(holdingTeam, personOrg string) DeadlineOwner {
	o := DeadlineOwner{UserID: cl.OwnerUserID, OrgID: cl.OwnerOrgID}
	switch {
	case o.OrgID != "":
	case o.UserID != "" && personOrg != "":
		o.OrgID = personOrg // a person's deadline belongs to their organisation, whose managers see it run late
	default:
		o.OrgID = holdingTeam
	}
	return o
}

// WorkAudience is a group that sees a deadline as its work: one person, one
// team, or the managers of one organisation.
type WorkAudience struct {
	Kind string // AudiencePerson, AudienceTeam or AudienceManagers
	ID   string // the person's id, or the organisation's
}

// The kinds of WorkAudience.
const (
	AudiencePerson   = "person"
	AudienceTeam     = "team"
	AudienceManagers = "managers"
)

// Audiences are the groups who see the deadline as their work: the person
// who owns it and their organisation's managers or, with no person named,
// the whole team that owns it (its managers among them).
func (o DeadlineOwner) Audiences() []WorkAudience {
	var out []WorkAudience
	add := func(kind, id string) {
		if id != "" {
			out = append(out, WorkAudience{Kind: kind, ID: id})
		}
	}
	if o.UserID != "" {
		add(AudiencePerson, o.UserID)
		add(AudienceManagers, o.OrgID)
	} else {
		add(AudienceTeam, o.OrgID)
	}
	return out
}

// Worker is someone asking for their work: a person, the organisation
// they work for, and whether they manage it.
type Worker struct {
	UserID  string
	OrgID   string
	Manager bool
}

// Audiences are the groups the worker is in: themselves, their team and,
// for a manager, their organisation's managers.
func (w Worker) Audiences() []WorkAudience {
	out := []WorkAudience{{Kind: AudiencePerson, ID: w.UserID}, {Kind: AudienceTeam, ID: w.OrgID}}
	if w.Manager {
		out = append(out, WorkAudience{Kind: AudienceManagers, ID: w.OrgID})
	}
	return out
}

// IsWorkOf says whether the deadline is the worker's work: it is their
// own, or their team's with no person named, or, for a manager, anyone's
// in their organisation. The lists ask it (store: the check of every
// page's deadlines and of the overdue count); the queues they walk are
// those of the audiences, which agree with it.
func (o DeadlineOwner) IsWorkOf(w Worker) bool {
	switch {
	case o.UserID == "":
		return o.OrgID != "" && o.OrgID == w.OrgID // their team's, with no person named
	case o.UserID == w.UserID:
		return true // their own
	default:
		return w.Manager && o.OrgID != "" && o.OrgID == w.OrgID // a manager's, of their organisation
	}
}
