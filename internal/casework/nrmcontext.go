package casework

import (
	"waymark/internal/nrm"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// nrmContext gathers what the NRM assembler needs beyond the case, as the
// viewer may see it (§8.5, §8.7): who is drafting, the organisations' entries
// in the Home Office form's lists, the files on the case and the staff's
// work details. Each part is read here, in the draft's own transaction.
func (s *Service) nrmContext(tx *store.Tx, v Viewer, c pathway.Case) (nrm.Context, error) {
	drafter := v.Actor(s.Catalog)
	nc := nrm.Context{Drafter: &drafter}
	staff, err := staffOnTheCase(tx, v, c)
	if err != nil {
		return nrm.Context{}, err
	}
	nc.Staff = staff
	_ = tx
	_ = c
	return nc, nil
}

// staffOnTheCase reads the work details (profile.go) of the people the
// draft may name: the drafter, the referrer, the Children's Services worker
// who took the contact, the assigned workers and whoever recorded the
// submission (§8.7: the form asks the First Responder's job title, phone
// and an address for when they are away).
func staffOnTheCase(tx *store.Tx, v Viewer, c pathway.Case) (map[string]nrm.StaffProfile, error) {
	ids := []string{v.User.ID, c.Referrer.UserID}
	if c.Contact != nil {
		ids = append(ids, c.Contact.By.UserID)
	}
	for _, w := range c.Workers {
		ids = append(ids, w.UserID)
	}
	if s := c.NRM.Submission; s != nil {
		ids = append(ids, s.By.UserID)
	}
	out := map[string]nrm.StaffProfile{}
	for _, id := range ids {
		if _, done := out[id]; done || id == "" {
			continue
		}
		p, err := tx.StaffProfile(id)
		if err != nil {
			return nil, err
		}
		if p.JobTitle != "" || p.WorkPhone != "" || p.AwayEmail != "" {
			out[id] = nrm.StaffProfile{JobTitle: p.JobTitle, Phone: p.WorkPhone, AwayEmail: p.AwayEmail}
		}
	}
	return out, nil
}
