package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/nrm"
	"waymark/internal/pathway"
)

// Contributions to the NRM referral (§8.5, annex). The person who raised the
// concern and meeting invitees give what they know through an action (its
// question page and API operation), and read back their own words on the
// case's NRM page (nrm-contrib.tmpl); the team sees each contribution beside
// the draft's questions it answers, and uses it as given or edited.

// contributeSlug is the action by which someone outside the team gives information.
const contributeSlug = "nrm-contribute"

func addNRMContributionActions(set *actionSet) {
	addAction[pathway.ContributeToNRM](set, action{
		Slug: contributeSlug, Title: "Give information for the NRM referral", Section: "§8.5", Group: nrmGroup,
		Intro: "The lead First Responder writes the child's referral to the Home Office. Tell them what you know, in your own words: " +
			"they see who said what, and use it in the referral. What you give is kept as you wrote it; to add or correct something, give more.",
		Button: "Give this information",
		Fields: []field{
			{Name: "topic", Label: "What is your information about?", Kind: kindRadios, Options: contributionTopicOptions},
			{Name: "text", Label: "What you know", Hint: "Say what you saw or were told, when, and by whom. Use the child's own words where you remember them.",
				Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 8},
		},
	})
}

func contributionTopicOptions(*Server, casework.CaseView) []option {
	var out []option
	for _, t := range pathway.NRMContributionTopics() {
		out = append(out, option{t.ID, t.Question})
	}
	return out
}

// contributionView is one contribution as the team sees it beside a question.
type contributionView struct {
	Seq              int
	Question         string
	Text             string
	Who, Org, When   string
	Uses             []string // where the team used it
	Field, FieldName string   // the question it is shown beside
	UseAction        string   // where "Use this answer" posts
	FormID           string   // the form of its own that button belongs to on the draft's page
	EditHref         string   // "Edit, then use"
	CanUse           bool
}

func contributionPath(caseID string, seq int) string {
	return "/cases/" + caseID + "/nrm-contributions/" + strconv.Itoa(seq)
}

// contributionViews are the contributions for one field of the draft, with
// where their buttons lead; back is where to return once one is used.
func contributionViews(view casework.NRMDraftView, caseID string, f nrm.Field, back string) []contributionView {
	var out []contributionView
	for _, c := range (pathway.NRMState{Contributions: view.Contributions}).ContributionsFor(f.ID) {
		cv := contributionView{Seq: c.Seq, Question: c.TopicQuestion(), Text: c.Text, Who: c.By.Name, Org: c.By.OrgName,
			When: c.At.In(pathway.London).Format("2 January 2006 at 3:04pm"), Field: f.ID, FieldName: f.Label, CanUse: view.ContributionsOpen}
		q := url.Values{"field": {f.ID}, "back": {back}}
		cv.UseAction = contributionPath(caseID, c.Seq) + "/use?" + q.Encode()
		cv.FormID = "wm-use-" + strconv.Itoa(c.Seq) + "-" + f.ID
		cv.EditHref = contributionPath(caseID, c.Seq) + "/edit?" + q.Encode()
		for _, u := range c.Uses {
			how := "as given"
			if u.Edited {
				how = "edited"
			}
			label := u.Field
			if uf, ok := view.Draft.Field(u.Field); ok {
				label = uf.Label
			}
			cv.Uses = append(cv.Uses, "Used in '"+label+"' (version "+strconv.Itoa(u.FieldVersion)+"), "+how+", by "+u.By.Name+" on "+u.At.In(pathway.London).Format("2 January 2006 at 3:04pm"))
		}
		out = append(out, cv)
	}
	return out
}

type contributionsPage struct {
	CaseHref, DraftHref, Reference string
	Questions                      []contributionQuestion
	Warnings                       []pathway.Warning // the case's (§1.2, §7.4, §8.5)
}

type contributionQuestion struct {
	Field, Label, Value, Href string
	Contributions             []contributionView
}

// handleNRMContributions lists every contribution beside the draft's
// questions it is for, for the team to use (§8.5). The page reads the draft,
// which only the team may open: to anyone else it does not exist (§6.5).
func (s *Server) handleNRMContributions(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	id := r.PathValue("id")
	view, err := s.svc.NRMDraft(r.Context(), v, id, nrm.Referral, "contributions")
	if err != nil {
		s.failContribution(w, r, err)
		return
	}
	p := contributionsPage{CaseHref: "/cases/" + id, DraftHref: nrmPath(id, nrm.Referral), Reference: view.Draft.CaseReference, Warnings: view.Warnings}
	for _, sec := range view.Draft.Sections {
		for _, pg := range sec.Pages {
			for _, f := range pg.Fields {
				cs := contributionViews(view, id, f, "list")
				if len(cs) == 0 {
					continue
				}
				p.Questions = append(p.Questions, contributionQuestion{Field: f.ID, Label: f.Label, Value: f.Value,
					Href: nrmPath(id, nrm.Referral) + "/" + sec.ID + "#" + f.ID, Contributions: cs})
			}
		}
	}
	flash := ""
	if r.URL.Query().Get("used") != "" {
		flash = "The contribution is in the draft"
	}
	s.render(w, r, http.StatusOK, "nrm-contributions", Page{Title: "Contributions to the NRM referral – case " + view.Draft.CaseReference, Flash: flash, Data: p})
}

// failContribution answers the team-only pages: someone outside the team is
// told there is no such page, as for a case they cannot see (§6.5).
func (s *Server) failContribution(w http.ResponseWriter, r *http.Request, err error) {
	if waymark.ErrorCode(err) == waymark.EFORBIDDEN {
		s.fail(w, r, http.StatusNotFound, "Page not found. This case has no such page: go back to the case overview.")
		return
	}
	s.failErr(w, r, err)
}

type contributionEditPage struct {
	Contribution contributionView
	Current      string
	Value        string
	Action       string
	BackHref     string
}

// contributionFor finds the contribution and field a use names, on the draft.
func contributionFor(view casework.NRMDraftView, caseID string, r *http.Request) (contributionView, *nrm.Field, bool) {
	seq, err := strconv.Atoi(r.PathValue("seq"))
	f, ok := view.Draft.Field(r.FormValue("field"))
	if err != nil || !ok {
		return contributionView{}, nil, false
	}
	for _, c := range contributionViews(view, caseID, *f, backOf(r)) {
		if c.Seq == seq {
			return c, f, true
		}
	}
	return contributionView{}, nil, false
}

var backSection = regexp.MustCompile(`^[a-z0-9-]{1,40}$`)

// backOf is where a use returns: the contributions page, or a section of the draft.
func backOf(r *http.Request) string {
	if b := r.FormValue("back"); backSection.MatchString(b) {
		return b
	}
	return "list"
}

func backHref(caseID, back, field string) string {
	if back == "list" {
		return "/cases/" + caseID + "/nrm-contributions"
	}
	return nrmPath(caseID, nrm.Referral) + "/" + back + "#" + field
}

// handleNRMContributionEdit is "Edit, then use": the contributor's words
// added to the answer, in a box to edit before it is saved.
func (s *Server) handleNRMContributionEdit(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	id := r.PathValue("id")
	view, err := s.svc.NRMDraft(r.Context(), v, id, nrm.Referral, "contribution "+r.PathValue("seq"))
	if err != nil {
		s.failContribution(w, r, err)
		return
	}
	s.renderContributionEdit(w, r, view, id, http.StatusOK, "", nil)
}

func (s *Server) renderContributionEdit(w http.ResponseWriter, r *http.Request, view casework.NRMDraftView, id string, status int, value string, errs []waymark.FieldError) {
	c, f, ok := contributionFor(view, id, r)
	if !ok {
		s.fail(w, r, http.StatusNotFound, "There is no such contribution for that question. Go back to the NRM draft.")
		return
	}
	if value == "" {
		value = casework.AnswerWithContribution(f.Value, c.Text)
	}
	q := url.Values{"field": {f.ID}, "version": {strconv.Itoa(f.Version)}, "back": {backOf(r)}, "edited": {"1"}}
	p := contributionEditPage{Contribution: c, Current: f.Value, Value: value, Action: contributionPath(id, c.Seq) + "/use?" + q.Encode(), BackHref: backHref(id, backOf(r), f.ID)}
	s.render(w, r, status, "nrm-contribution-edit", Page{Title: "Edit, then use: " + f.Label, Errors: errs, Data: p})
}

// handleNRMContributionUse saves a contribution into the draft: as given
// ("Use this answer") or as edited ("Edit, then use").
func (s *Server) handleNRMContributionUse(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	id := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "The answers could not be read. Go back and try again.")
		return
	}
	seq, err := strconv.Atoi(r.PathValue("seq"))
	if err != nil {
		s.fail(w, r, http.StatusNotFound, "There is no such contribution.")
		return
	}
	field := r.FormValue("field")
	// The version matters to an edit only: used as given, their words go
	// after the answer as it is now (casework.UseNRMContribution).
	version, err := strconv.Atoi(r.FormValue("version"))
	if err != nil {
		version = -1
	}
	use := casework.NRMContributionUse{Contribution: seq, Field: field, ExpectedVersion: version}
	edited := r.FormValue("edited") == "1"
	if edited {
		use.Value = r.PostFormValue("answer")
		err = waymark.Invalid([]waymark.FieldError{{Field: "answer", Message: "Write the answer to use, or go back to use their words as given"}})
	}
	if !edited || strings.TrimSpace(use.Value) != "" {
		err = s.svc.UseNRMContribution(r.Context(), v, id, use)
	}
	if err == nil {
		back := backOf(r)
		if back == "list" {
			http.Redirect(w, r, "/cases/"+id+"/nrm-contributions?used=1", http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, nrmPath(id, nrm.Referral)+"/"+back+"#"+url.PathEscape(use.Field), http.StatusSeeOther)
		return
	}
	code := waymark.ErrorCode(err)
	if code != waymark.EINVALID && code != waymark.ECONFLICT {
		s.failContribution(w, r, err)
		return
	}
	// Shown again to edit: on a conflict with the newer answer read afresh.
	view, rerr := s.svc.NRMDraft(r.Context(), v, id, nrm.Referral, "contribution "+r.PathValue("seq")+" after a refusal")
	if rerr != nil {
		s.failContribution(w, r, rerr)
		return
	}
	value := use.Value
	if code == waymark.ECONFLICT {
		value = ""
	}
	errs := waymark.ErrorFields(err)
	for i := range errs {
		errs[i].Field = "answer"
	}
	if len(errs) == 0 {
		errs = []waymark.FieldError{{Field: "answer", Message: waymark.ErrorMessage(err)}}
	}
	s.renderContributionEdit(w, r, view, id, statusFor(code), value, errs)
}
