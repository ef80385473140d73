package web

import (
	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// The supervising manager's note on a case (§6.8, pathway/supervision.go),
// listed on the manager's home (homes.go).
func init() {
	registerAction[pathway.RecordSupervision](action{
		Slug: "supervision", Title: "Record supervision", Section: "§6.8", Group: "Notes and people",
		Intro:  "As the supervising manager, record what you reviewed with the social worker and what you decided. Only the case's team sees it.",
		Button: "Save supervision note",
		Fields: []field{{Name: "text", Label: "Supervision note", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 8}},
		Offer: func(v casework.CaseView, viewer casework.Viewer) bool {
			return viewer.SeesTeamCaseload() && v.Membership.Team() && viewer.User.OrgID == v.Case.ChildrensServicesOrg
		},
	})
}
