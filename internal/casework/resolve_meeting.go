package casework

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sort"
	"strings"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/catalog"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// resolveMeeting looks up whom the multi-agency meeting's commands name:
// people by email, organisations by id, and for an escalation the
// partnership leads (§6.8, §8.5, §8.6).
func resolveMeeting(tx *store.Tx, cat *catalog.Catalog, c pathway.Case, cmd pathway.Command) (pathway.Command, error) {
	switch cmd := cmd.(type) {
	case pathway.ConveneMeeting:
		return resolveInvitees(tx, c, cmd)
	case pathway.RecordMeetingHeld:
		org, err := resolveLeadOrganisation(tx, cat, c, cmd.LeadOrgID)
		if err != nil {
			return nil, err
		}
		cmd.LeadOrg = org
		cmd.Staff, err = resolveAttendees(tx, c, cmd)
		return cmd, err
	case pathway.AddMeetingAction:
		return resolveActionOwner(tx, c, cmd)
	case pathway.RaiseEscalation:
		// The leads of the case's own partnership (partnerships.go), not
		// every partnership's on the deployment (§8.6).
		p, err := tx.CasePartnership(c)
		if err != nil {
			return nil, err
		}
		leads, err := tx.PartnershipLeadsOf(p)
		if err != nil {
			return nil, err
		}
		for _, u := range leads {
			cmd.PartnershipLeads = append(cmd.PartnershipLeads, partyOf(u))
		}
		return cmd, nil
	case pathway.ResolveEscalation:
		org, err := resolveLeadOrganisation(tx, cat, c, cmd.LeadOrgID)
		cmd.LeadOrg = org
		return cmd, err
	}
	return cmd, nil
}

func partyOf(u store.User) pathway.Party {
	return pathway.Party{UserID: u.ID, Name: u.Name, OrgID: u.OrgID, OrgName: u.Org.Name}
}

// activeUserByEmail finds an active user of a partnership the case may
// name (casePartnerships); ok is false when there is none, as for an
// address nobody has.
func activeUserByEmail(tx *store.Tx, c pathway.Case, email string) (store.User, bool, error) {
	u, err := tx.UserByEmail(email)
	if waymark.ErrorCode(err) == waymark.ENOTFOUND || (err == nil && u.Disabled) {
		return store.User{}, false, nil
	}
	if err != nil {
		return store.User{}, false, err
	}
	if ok, err := namesOnCase(tx, c, u.OrgID); err != nil || !ok {
		return store.User{}, false, err
	}
	return u, true, nil
}

// namesOnCase reports whether the case may name organisation org, or a
// person of it.
func namesOnCase(tx *store.Tx, c pathway.Case, org string) (bool, error) {
	allowed, err := casePartnerships(tx, c)
	if err != nil {
		return false, err
	}
	return inCasePartnerships(tx, allowed, org)
}

// resolveInvitees turns each email into a person, naming every email that
// matches no active user so they can all be put right at once.
func resolveInvitees(tx *store.Tx, c pathway.Case, cmd pathway.ConveneMeeting) (pathway.Command, error) {
	if len(cmd.InviteeEmails) > pathway.MaxInvitees {
		return cmd, nil // the pathway reports the long list without a look-up per line
	}
	var unknown []string
	cmd.Invitees = nil
	cmd.InviteeRoles = map[string]pathway.MeetingRoles{}
	for _, email := range cmd.InviteeEmails {
		u, ok, err := activeUserByEmail(tx, c, strings.TrimSpace(email))
		if err != nil {
			return nil, err
		}
		if !ok {
			unknown = append(unknown, strings.TrimSpace(email))
			continue
		}
		cmd.Invitees = append(cmd.Invitees, partyOf(u))
		cmd.InviteeRoles[u.ID] = meetingRolesOf(c, u)
	}
	if len(unknown) > 0 {
		what := "There is no active Waymark user with the email address " + unknown[0]
		if len(unknown) > 1 {
			what = "There are no active Waymark users with the email addresses " + strings.Join(unknown, ", ")
		}
		return nil, waymark.Invalid([]waymark.FieldError{{Field: "inviteeEmails", Message: what + ". Check them, or ask an administrator to add the people you want to invite"}})
	}
	return cmd, nil
}

// meetingRolesOf says whether a person is one of those §6.8 expects at the
// meeting: the police, or a manager of the case's Children's Services.
func meetingRolesOf(c pathway.Case, u store.User) pathway.MeetingRoles {
	return pathway.MeetingRoles{
		Police:             u.Org.Kind == "police",
		SupervisingManager: u.Role == pathway.RoleManager && u.Org.ChildrensServices && u.OrgID == c.ChildrensServicesOrg,
	}
}

// resolveAttendees looks up the staff chosen as attending, by user id, and
// anyone else named by email. Whoever is not found is left out, for the
// pathway to report against the answer that named them.
func resolveAttendees(tx *store.Tx, c pathway.Case, cmd pathway.RecordMeetingHeld) (map[string]pathway.StaffAttendee, error) {
	out := map[string]pathway.StaffAttendee{}
	if len(cmd.AttendeeIDs)+len(cmd.AttendeeEmails) > 4*pathway.MaxInvitees {
		return out, nil // the pathway reports the long list without a look-up per line
	}
	for _, choice := range cmd.AttendeeIDs {
		id, ok := pathway.AttendeeUserID(choice)
		if !ok {
			continue
		}
		u, err := tx.UserByID(id)
		if waymark.ErrorCode(err) == waymark.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		if ok, err := namesOnCase(tx, c, u.OrgID); err != nil {
			return nil, err
		} else if !ok {
			continue
		}
		out[strings.TrimSpace(choice)] = pathway.StaffAttendee{Party: partyOf(u), Roles: meetingRolesOf(c, u)}
	}
	for _, email := range cmd.AttendeeEmails {
		email = strings.TrimSpace(email)
		if email == "" || len(email) > 320 {
			continue
		}
		u, ok, err := activeUserByEmail(tx, c, email)
		if err != nil {
			return nil, err
		}
		if ok {
			out[email] = pathway.StaffAttendee{Party: partyOf(u), Roles: meetingRolesOf(c, u)}
		}
	}
	return out, nil
}

func resolveActionOwner(tx *store.Tx, c pathway.Case, cmd pathway.AddMeetingAction) (pathway.Command, error) {
	email := strings.TrimSpace(cmd.OwnerEmail)
	if email == "" {
		return cmd, nil // the pathway reports the missing answer
	}
	u, ok, err := activeUserByEmail(tx, c, email)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, waymark.Invalid([]waymark.FieldError{{Field: "ownerEmail", Message: "There is no active Waymark user with the email address " + email + ". Check it, or give the action to someone who has an account"}})
	}
	cmd.Owner = partyOf(u)
	return cmd, nil
}

// resolveLeadOrganisation looks up the organisation a command names; the
// pathway checks it is a First Responder (IsFirstResponder, against the
// catalogue cat). An unknown id, or one of a partnership the case may not
// name, resolves to nothing.
func resolveLeadOrganisation(tx *store.Tx, cat *catalog.Catalog, c pathway.Case, id string) (pathway.LeadOrganisation, error) {
	id = strings.TrimSpace(id)
	if id == "" || len(id) > 100 {
		return pathway.LeadOrganisation{}, nil
	}
	o, err := tx.OrganisationByID(id)
	if waymark.ErrorCode(err) == waymark.ENOTFOUND {
		return pathway.LeadOrganisation{}, nil
	}
	if err != nil {
		return pathway.LeadOrganisation{}, err
	}
	if ok, err := namesOnCase(tx, c, o.ID); err != nil || !ok {
		return pathway.LeadOrganisation{}, err
	}
	return pathway.LeadOrganisation{ID: o.ID, Name: o.Name, FirstResponder: IsFirstResponder(cat, o)}, nil
}

// EscalatedCase is a case with at least one open escalation, as the
// partnership lead's list shows it (§8.6).
type EscalatedCase struct {
	store.CaseSummary
	Open []pathway.Escalation // the open escalations, oldest first
}

// Oldest is the escalation that has waited longest.
func (e EscalatedCase) Oldest() pathway.Escalation {
	if len(e.Open) == 0 {
		return pathway.Escalation{}
	}
	return e.Open[0]
}

// EscalationsPage lists one page of the cases with open escalations that
// the partnership lead is a member of (§6.5, §8.6), the longest-waiting
// first, and audits the listing: the first page when at is nil, else the
// page after (or before) the cursor, with the cursors either side.
func (s *Service) EscalationsPage(ctx context.Context, v Viewer, at *store.Cursor) ([]EscalatedCase, store.Page, error) {
	if v.User.Role != pathway.RolePartnershipLead {
		return nil, store.Page{}, waymark.Errorf(waymark.EFORBIDDEN, "The list of open escalations is for the partnership lead. Cases you work on that are escalated show an 'Escalated' tag under 'Your cases'.")
	}
	if err := v.require(ScopeRead); err != nil {
		return nil, store.Page{}, err
	}
	var out []EscalatedCase
	var page store.Page
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		out = nil
		cases, p, err := tx.EscalatedPage(v.User.ID, v.User.OrgID, at, store.PageSize)
		if err != nil {
			return audit.Entry{}, err
		}
		// Each case's open escalations come from the read model kept with
		// its events (store.OpenEscalations): one statement for the page,
		// not a replay of every listed case's history. A case whose row is
		// not there at its current version is read from its history.
		page = p
		open, err := tx.OpenEscalations(cases)
		if err != nil {
			return audit.Entry{}, err
		}
		ids := make([]string, 0, len(cases))
		for _, cs := range cases {
			ec := EscalatedCase{CaseSummary: cs, Open: open[cs.ID]}
			if ec.Open == nil {
				c, _, err := tx.LoadCase(cs.ID)
				if err != nil {
					return audit.Entry{}, err
				}
				ec.Open = store.OpenEscalationsOf(c)
			}
			if len(ec.Open) == 0 {
				continue // the read model is behind the log; the log wins
			}
			out = append(out, ec)
			ids = append(ids, cs.ID)
		}
		// The page is in this order already (store.EscalatedPage); the log
		// decides should the read model be behind it.
		sort.SliceStable(out, func(i, j int) bool { return out[i].Oldest().RaisedAt.Before(out[j].Oldest().RaisedAt) })
		return s.auditEntry(v, "", audit.ActionCaseListed, "escalations: "+strings.Join(ids, ",")), nil
	})
	return out, page, err
}

// MeetingLeadOrganisations lists the designated First Responder
// organisations (§8.2, annex) a meeting of case c can name as lead: those
// of the partnerships the case may name (casePartnerships), never
// another's.
func (s *Service) MeetingLeadOrganisations(ctx context.Context, c pathway.Case) ([]store.Organisation, error) {
	var out []store.Organisation
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		allowed, err := casePartnerships(tx, c)
		if err != nil {
			return err
		}
		// Only the case's partnerships' organisations are read (a national
		// deployment holds every area's schools and surgeries), each
		// partnership's in the database's name order; a shared case's, of
		// two or more partnerships, are then put in one name order.
		for _, p := range slices.Sorted(maps.Keys(allowed)) {
			orgs, err := tx.PartnershipOrganisations(p)
			if err != nil {
				return err
			}
			for _, o := range orgs {
				if o = s.withFirstResponder(o); o.FirstResponder {
					out = append(out, o)
				}
			}
		}
		if len(allowed) > 1 {
			slices.SortStableFunc(out, func(a, b store.Organisation) int {
				return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
			})
		}
		return nil
	})
	return out, err
}
