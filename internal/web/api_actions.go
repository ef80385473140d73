package web

import (
	"net/http"

	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// caseActionJSON is one thing that can be done to a case, as the pathway
// answers for the caller: whether they may do it now, and why not.
type caseActionJSON struct {
	Slug      string  `json:"slug"`
	Title     string  `json:"title"`
	Command   string  `json:"command"`
	Area      string  `json:"area"`
	AreaLabel string  `json:"areaLabel"`
	Allowed   bool    `json:"allowed"`
	Reason    *string `json:"reason"`
	NextStep  bool    `json:"nextStep"`
}

type caseActionsJSON struct {
	CaseID   string           `json:"caseId"`
	Version  int              `json:"version"`
	NextStep *string          `json:"nextStep"` // the slug of the next step, or null
	Actions  []caseActionJSON `json:"actions"`
}

// ownPageActions are the commands with pages of their own (annex step 1).
var ownPageActions = map[string]struct{ Slug, Title string }{
	pathway.CommandName(pathway.RecordContact{}): {"contact", "Record the contact and issue a reference"},
	pathway.CommandName(pathway.RecordOutcome{}): {"outcome", "Record the outcome"},
	// §8.5: the team uses contributions beside the draft's questions (nrm_contrib.go).
	pathway.CommandName(pathway.UseNRMContribution{}): {"nrm-contributions", "Use contributions in the NRM referral draft"},
}

// handleAPICaseActions answers what the caller may do to the case now: every
// action with the pathway's answer and its reason (§6.5: a non-member gets
// 404, as for the case itself; the read is audited as one).
func (s *Server) handleAPICaseActions(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	view, err := s.svc.Case(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	slugOf := map[string]struct{ Slug, Title string }{}
	for k, o := range ownPageActions {
		slugOf[k] = o
	}
	for _, slug := range s.actions.order {
		a := s.actions.bySlug[slug]
		slugOf[a.command] = struct{ Slug, Title string }{a.Slug, a.Title}
	}
	out := caseActionsJSON{CaseID: view.Case.ID, Version: view.Case.Version, Actions: []caseActionJSON{}}
	for _, av := range view.Actions {
		page, ok := slugOf[av.Name]
		if !ok {
			continue
		}
		a := caseActionJSON{Slug: page.Slug, Title: page.Title, Command: av.Name, Area: string(av.Area), AreaLabel: av.Area.Label(), Allowed: av.Allowed}
		if !av.Allowed {
			reason := av.Reason
			a.Reason = &reason
		}
		if view.HasNextStep && view.NextStep.Name == av.Name {
			a.NextStep = true
			slug := page.Slug
			out.NextStep = &slug
		}
		out.Actions = append(out.Actions, a)
	}
	writeJSON(w, http.StatusOK, out)
}
