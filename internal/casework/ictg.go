package casework

import (
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// ictgPrompt is the team's prompt to refer the child to the ICTG service,
// or nil: the pathway decides (pathway.ICTGReferralDue) from the case and
// the dated settings of the case's partnership.
func ictgPrompt(tx *store.Tx, c pathway.Case) (*pathway.ICTGPrompt, error) {
	settings, err := caseSettings(tx, c)
	if err != nil {
		return nil, err
	}
	if p, ok := pathway.ICTGReferralDue(c, settings); ok {
		return &p, nil
	}
	return nil, nil
}

// caseSettings are the dated settings of the case's partnership.
func caseSettings(tx *store.Tx, c pathway.Case) (pathway.DatedSettings, error) {
	p, err := tx.CasePartnership(c)
	if err != nil {
		return nil, err
	}
	return tx.Settings(p)
}
