package web

import "waymark/internal/pathway"

// The supervising manager's note on a case (§6.8, pathway/supervision.go),
// listed on the manager's home (homes.go).
func addSupervisionActions(set *actionSet) {
	addAction[pathway.RecordSupervision](set, action{
		Slug: "supervision", Title: "Record supervision", Section: "§6.8", Group: "Notes and people",
		Intro:  "As the supervising manager, record what you reviewed with the social worker and what you decided. Only the case's team sees it.",
		Button: "Save supervision note",
		Fields: []field{{Name: "text", Label: "Supervision note", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 8}},
	})
}
