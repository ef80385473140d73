package web

import "waymark/internal/casework"

// The Children's Services steps before any action: they have pages of
// their own (/cases/{id}/contact, /cases/{id}/outcome), not action pages.
var (
	contactStep = &action{Slug: "contact", Title: "Record the contact and issue a reference", Section: "annex step 1"}
	outcomeStep = &action{Slug: "outcome", Title: "Record the outcome", Section: "annex step 2"}
)

// nextStepAreas are the areas in the order the pathway meets them, as far
// as a next step goes: notes, people, closing and a missing report are
// always open and never the step the procedure waits for.
var nextStepAreas = []string{"children-services", "strategy", "meetings", "nrm", "decisions", "support", "abroad", "age"}

// nextStep is the one step the case overview highlights for the viewer,
// or nil when there is none for them.
//
// For now it is read from what the page offers: the contact and the
// outcome first, then the first offered action of the earliest area, passing
// over a strategy discussion or a meeting the case already has.
// pathway's NextStep replaces it.
func nextStep(view casework.CaseView, viewer casework.Viewer) *action {
	c := view.Case
	if view.Membership.Team() && viewer.User.Org.ChildrensServices {
		switch {
		case c.Contact == nil:
			return contactStep
		case c.Outcome == nil:
			return outcomeStep
		}
	}
	done := map[string]bool{
		"strategy-discussion": len(c.Strategy.Discussions) > 0,
		"convene-meeting":     len(c.Meetings.Meetings) > 0,
	}
	groups := offered(view, viewer)
	d := caseData{View: view, IsTeam: view.Membership.Team(), Offered: groups}
	for _, slug := range nextStepAreas {
		if area, _ := areaBySlug(slug); !area.applies(d) {
			continue
		}
		for _, g := range areaActions(groups, slug) {
			for _, a := range g.Actions {
				if !done[a.Slug] {
					return a
				}
			}
		}
	}
	return nil
}

// nextStepHref is where the highlighted step's button goes.
func nextStepHref(caseID string, a *action) string {
	if a == contactStep || a == outcomeStep {
		return "/cases/" + caseID + "/" + a.Slug
	}
	return "/cases/" + caseID + "/actions/" + a.Slug
}
