package casework

import (
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// ictgPrompt is the team's prompt to refer the child to the ICTG service,
// or nil: the pathway decides (pathway.ICTGReferralDue) from the case and
// the partnership's dated settings.
func ictgPrompt(tx *store.Tx, c pathway.Case) (*pathway.ICTGPrompt, error) {
	settings, err := tx.Settings()
	if err != nil {
		return nil, err
	}
	if p, ok := pathway.ICTGReferralDue(c, settings); ok {
		return &p, nil
	}
	return nil, nil
}
