package casework

import (
	"waymark"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// resolveNRMAgreedLead names the organisation a multi-agency meeting agreed
// as lead First Responder, so that a refusal to anyone else can say who to
// ask (§8.5). The pathway decides; this only looks the name up.
func resolveNRMAgreedLead(tx *store.Tx, c pathway.Case, cmd pathway.Command) (pathway.Command, error) {
	sub, ok := cmd.(pathway.SubmitNRMReferral)
	if !ok {
		return cmd, nil
	}
	decided, submit, leadOrgID := c.Meetings.NRMDecision()
	if !decided || !submit || leadOrgID == "" {
		return sub, nil
	}
	o, err := tx.OrganisationByID(leadOrgID) // a row whose seal fails is not found, and names nobody
	if waymark.ErrorCode(err) == waymark.ENOTFOUND {
		return sub, nil
	}
	if err != nil {
		return nil, err
	}
	sub.AgreedLeadName = o.Name
	return sub, nil
}
