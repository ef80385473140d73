package casework

import (
	"strings"

	"waymark"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// resolveWhereaboutsGrantee finds the user a GrantWhereaboutsAccess names by
// email, and whether they already have need to know about the case (§6.5):
// the pathway refuses access to the whereabouts for anyone who has not.
func resolveWhereaboutsGrantee(tx *store.Tx, c pathway.Case, cmd pathway.Command) (pathway.Command, error) {
	g, ok := cmd.(pathway.GrantWhereaboutsAccess)
	if !ok {
		return cmd, nil
	}
	email := strings.TrimSpace(g.Email)
	if email == "" {
		return g, nil // the pathway reports the missing answer
	}
	u, ok, err := activeUserByEmail(tx, c, email) // another partnership's person is nobody here
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, waymark.Invalid([]waymark.FieldError{{Field: "email", Message: "There is no active Waymark user with that email address. Check it, or ask an administrator to add them"}})
	}
	if pathway.SeesNoCaseData(u.Role) {
		return nil, waymark.Invalid([]waymark.FieldError{{Field: "email", Message: "Administrators manage Waymark and never see case data. Give access to the practitioner who needs to know where the child is"}})
	}
	m, err := tx.Membership(c.ID, u.ID, u.OrgID)
	if err != nil {
		return nil, err
	}
	g.User = pathway.Party{UserID: u.ID, Name: u.Name, OrgID: u.OrgID, OrgName: u.Org.Name}
	g.IsMember = len(m.Roles) > 0
	return g, nil
}
