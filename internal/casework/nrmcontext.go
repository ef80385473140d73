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
	if err := s.nrmListMappings(tx, v, c, &nc); err != nil {
		return nc, err
	}
	_ = tx
	_ = c
	return nc, nil
}
