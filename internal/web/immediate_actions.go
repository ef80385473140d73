package web

import (
	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// Immediate actions (§6.4, pathway/immediate_actions.go): those not ticked on
// the concern stay on the case overview as outstanding until someone records
// each done, or not needed with the reason.
func addImmediateActionActions(set *actionSet) {
	addAction[pathway.RecordImmediateAction](set, action{
		Slug: "immediate-action", Title: "Record an immediate action", Section: "§6.4", Group: "Closing and corrections",
		Intro:  "Record an immediate action that was not ticked when the concern was raised: that it has been done, or that it is not needed for this child, and why.",
		Button: "Save the immediate action",
		Fields: []field{
			{Name: "action", Label: "Which immediate action?", Kind: kindRadios, Options: func(s *Server, v casework.CaseView) []option {
				var out []option
				for _, a := range pathway.OutstandingImmediateActions(s.cat, v.Case) {
					out = append(out, option{a.ID, a.Label})
				}
				return out
			}},
			{Name: "status", Label: "Was it done, or is it not needed?", Kind: kindRadios, Options: func(*Server, casework.CaseView) []option {
				var out []option
				for _, o := range pathway.ImmediateActionOutcomes() {
					out = append(out, option{o.Value, o.Text})
				}
				return out
			}},
			{Name: "reason", Label: "What was done, or why it is not needed", Hint: "Who did it and when; or why this child does not need it.", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 4},
		},
	})
}

// immediateActionsView is the overview's list of the §6.4 checklist: the
// items still outstanding, and whether the viewer may record one.
type immediateActionsView struct {
	Outstanding []pathway.ImmediateActionStatus
	Recorded    []pathway.ImmediateActionStatus // done or not needed after the concern
	Href        string                          // the action's page, when the viewer may record one
}

func (s *Server) immediateActionsOf(view casework.CaseView) immediateActionsView {
	var out immediateActionsView
	for _, a := range pathway.ImmediateActions(s.cat, view.Case) {
		switch a.Status {
		case pathway.ImmediateActionOutstanding:
			out.Outstanding = append(out.Outstanding, a)
		case pathway.ImmediateActionDone, pathway.ImmediateActionNotNeeded:
			out.Recorded = append(out.Recorded, a)
		}
	}
	if view.Action(pathway.CommandName(pathway.RecordImmediateAction{})).Allowed {
		out.Href = "/cases/" + view.Case.ID + "/actions/immediate-action"
	}
	return out
}
