package casework

import (
	"context"

	"waymark/internal/nrm"
	"waymark/internal/store"
)

// NRMContextForTest returns the NRM draft's context for the case as v would
// have it assembled.
func (s *Service) NRMContextForTest(ctx context.Context, v Viewer, caseID string) (nrm.Context, error) {
	var nc nrm.Context
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		c, _, err := tx.LoadCase(caseID)
		if err != nil {
			return err
		}
		nc, err = s.nrmContext(tx, v, c)
		return err
	})
	return nc, err
}
