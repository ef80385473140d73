package store

import (
	"fmt"

	"waymark/internal/pathway"
)

// PartnershipLeads lists the active users who lead the safeguarding
// partnership: they join a case while an escalation on it is open (§8.6).
func (t *Tx) PartnershipLeads() ([]User, error) { return t.partnershipLeads("") }

// partnershipLeads lists the active partnership leads, of one partnership
// when partnershipID is not empty (PartnershipLeadsOf).
func (t *Tx) partnershipLeads(partnershipID string) ([]User, error) {
	q := `SELECT ` + userColumns + ` FROM users u JOIN organisations o ON o.id = u.org_id
		WHERE u.role = $1 AND NOT u.disabled`
	args := []any{pathway.RolePartnershipLead}
	if partnershipID != "" {
		q += ` AND o.partnership_id = $2`
		args = append(args, partnershipID)
	}
	rows, err := t.query(q+` ORDER BY u.name, u.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: listing partnership leads: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: scanning partnership lead: %w", err)
		}
		if t.userSealed(u) { // an altered row joins no case (identity.go)
			out = append(out, u)
		}
	}
	return out, rows.Err()
}

// EscalatedCases lists the first limit cases the user may know about
// (§6.5) that have an escalation open, the one waiting longest first
// (EscalatedPage, listwalk.go, gives the pages after).
func (t *Tx) EscalatedCases(userID, orgID string, limit int) ([]CaseSummary, error) {
	out, _, err := t.EscalatedPage(userID, orgID, nil, limit)
	return out, err
}
