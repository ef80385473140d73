package web

import (
	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// The Children's Services steps before any action: they have pages of
// their own (/cases/{id}/contact, /cases/{id}/outcome), not action pages.
var (
	contactStep = &action{Slug: "contact", Title: "Record the contact and issue a reference", Section: "annex step 1"}
	outcomeStep = &action{Slug: "outcome", Title: "Record the outcome", Section: "annex step 2"}
)

// nextStepView is the one step the case overview highlights for the
// viewer: the pathway's answer (casework fills CaseView.NextStep from
// pathway.NextStep), shown as the contact or outcome page or as an action
// page; nil when nothing waits on them.
func (s *Server) nextStepView(view casework.CaseView) *action {
	if !view.HasNextStep {
		return nil
	}
	switch view.NextStep.Name {
	case pathway.CommandName(pathway.RecordContact{}):
		return contactStep
	case pathway.CommandName(pathway.RecordOutcome{}):
		return outcomeStep
	}
	return s.nextStep(view)
}

// nextStepHref is where the highlighted step's button goes.
func nextStepHref(caseID string, a *action) string {
	if a == contactStep || a == outcomeStep {
		return "/cases/" + caseID + "/" + a.Slug
	}
	return "/cases/" + caseID + "/actions/" + a.Slug
}
