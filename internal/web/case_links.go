package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// Earlier records of the child and links between cases (issue 14 §1): the
// team triaging a concern sees that a likely earlier record exists, how
// strong the match is and whom to ask, and asks that record's team to link
// the two; the other team confirms or declines; either side undoes a wrong
// link. Who may do each is pathway's answer (case_links.go), read here from
// casework.CaseLinks. A viewer is never shown the reference or content of a
// case they are not a member of (§6.5).

// earlierRecordView is one possible earlier record as the page shows it.
type earlierRecordView struct {
	N                 int
	Strength          string
	Percent           string
	Agrees, Disagrees []string
	AskOrg            string
	AskLeads          []string // the leads of the earlier case's partnership
	OtherPartnership  string   // the earlier case's partnership, when not this case's
	Member            bool     // the viewer is on that case too
	Reference         string   // only when Member
	Href              string   // only when Member
	Action            string   // where "Ask to link" posts
	Field             string   // the reason's field id, unique on the page
	Reason            string   // what was typed, when the page is shown again
	Asked, Linked     bool     // a request is waiting, or the cases are linked
}

// linkRequestView is a request to link, asked or received.
type linkRequestView struct {
	N             int
	ID            string
	OrgName       string
	Reason        string
	By, When      string
	Status        string
	AnsweredBy    string
	DeclineReason string
	ConfirmAction string
	DeclineAction string
	DeclineField  string
	DeclineValue  string
}

// caseLinkView is a confirmed link, in force or undone.
type caseLinkView struct {
	N            int
	ID           string
	Reference    string
	Href         string
	OrgName      string
	By, When     string
	Unlinked     bool
	UnlinkedBy   string
	UnlinkReason string
	UnlinkAction string
	UnlinkField  string
	UnlinkValue  string
}

// linksView is the panel of earlier records and links, on the case
// overview and on the case's own page of them.
type linksView struct {
	CaseID     string
	Errors     []waymark.FieldError
	CanRequest bool
	Earlier    []earlierRecordView
	// On the overview: how many possible earlier records the stored hint
	// holds and how strong the strongest is (casework.EarlierSummary);
	// EarlierHeld says the probing limit held the search.
	EarlierFound     int
	EarlierStrongest string
	EarlierHeld      bool
	Asked            []linkRequestView
	Received         []linkRequestView
	Answered         []linkRequestView
	CanAnswer        bool
	AnswerRefusal    string
	Links            []caseLinkView
	CanUnlink        bool
	PartnershipLeads []string
}

// linksPage is /cases/{id}/earlier-records.
type linksPage struct {
	Case  caseData
	Nav   []areaLink
	Links linksView
}

func linksPath(caseID string) string { return "/cases/" + caseID + "/earlier-records" }

// newLinksView turns what casework returned into the panel. typed holds
// what was typed into the form shown again with an error, by field id.
func newLinksView(l casework.CaseLinks, typed map[string]string) linksView {
	id := l.CaseID
	out := linksView{CaseID: id, CanRequest: l.MayRequest == nil, CanAnswer: l.MayAnswer == nil, CanUnlink: l.MayUnlink == nil,
		PartnershipLeads: l.PartnershipLeads, EarlierFound: l.Summary.Found, EarlierStrongest: l.Summary.Strongest,
		EarlierHeld: l.EarlierHeld || l.Summary.Held}
	if l.MayAnswer != nil {
		out.AnswerRefusal = waymark.ErrorMessage(l.MayAnswer)
	}
	for i, r := range l.Earlier {
		v := earlierRecordView{N: i + 1, Strength: r.Strength, Percent: percentLikely(r.Probability), Agrees: r.Agrees,
			Disagrees: r.Disagrees, AskOrg: r.AskOrg, AskLeads: r.AskLeads, OtherPartnership: r.OtherPartnership, Member: r.Member, Field: fmt.Sprintf("reason-%d", i+1)}
		if r.Member {
			v.Reference, v.Href = r.Reference, "/cases/"+r.CaseID
		}
		v.Action = linksPath(id) + "/" + url.PathEscape(r.Handle) + "/link"
		v.Reason = typed[v.Field]
		if i < len(l.EarlierState) {
			v.Asked, v.Linked = l.EarlierState[i] == pathway.LinkPending, l.EarlierState[i] == pathway.LinkConfirmed
		}
		out.Earlier = append(out.Earlier, v)
	}
	request := func(n int, r pathway.LinkRequest) linkRequestView {
		v := linkRequestView{N: n, ID: r.ID, OrgName: r.OtherOrgName, Reason: r.Reason, By: r.By.Name + " (" + r.By.OrgName + ")",
			When: r.At.In(pathway.London).Format("2 January 2006 at 3:04pm"), Status: linkStatusLabel(r.Status), DeclineReason: r.DeclineReason}
		if r.AnsweredBy.Name != "" {
			v.AnsweredBy = r.AnsweredBy.Name + " (" + r.AnsweredBy.OrgName + ")"
		}
		base := "/cases/" + id + "/links/" + url.PathEscape(r.ID)
		v.ConfirmAction, v.DeclineAction = base+"/confirm", base+"/decline"
		v.DeclineField = fmt.Sprintf("decline-%d", n)
		v.DeclineValue = typed[v.DeclineField]
		return v
	}
	for i, r := range l.Asked {
		out.Asked = append(out.Asked, request(i+1, r))
	}
	for i, r := range l.Received {
		out.Received = append(out.Received, request(i+1, r))
	}
	for i, r := range l.Answered {
		out.Answered = append(out.Answered, request(i+1, r))
	}
	for i, k := range l.Links {
		v := caseLinkView{N: i + 1, ID: k.ID, Reference: k.OtherReference, Href: "/cases/" + k.OtherCaseID, OrgName: k.OtherOrgName,
			By: k.By.Name + " (" + k.By.OrgName + ")", When: k.At.In(pathway.London).Format("2 January 2006 at 3:04pm"),
			Unlinked: k.Unlinked, UnlinkReason: k.UnlinkReason, UnlinkField: fmt.Sprintf("unlink-%d", i+1)}
		if v.Reference == "" {
			v.Reference = "No reference yet"
		}
		if k.Unlinked {
			v.UnlinkedBy = k.UnlinkedBy.Name + " (" + k.UnlinkedBy.OrgName + ")"
		}
		v.UnlinkAction = "/cases/" + id + "/links/" + url.PathEscape(k.ID) + "/unlink"
		v.UnlinkValue = typed[v.UnlinkField]
		out.Links = append(out.Links, v)
	}
	return out
}

func linkStatusLabel(s string) string {
	switch s {
	case pathway.LinkPending:
		return "Waiting for an answer"
	case pathway.LinkConfirmed:
		return "Confirmed: the same child"
	case pathway.LinkDeclinedStatus:
		return "Declined"
	}
	return s
}

// percentLikely is a match probability as a page says it: never 100%
// or 0%, which would claim a certainty the model does not have.
func percentLikely(p float64) string {
	switch n := math.Round(p * 100); {
	case n >= 100:
		return "over 99%"
	case n <= 0:
		return "under 1%"
	default:
		return fmt.Sprintf("%.0f%%", n)
	}
}

// overviewLinks is the panel for the case overview: shown to the team
// only, and only when there is something in it. An error reading it is
// logged and the overview shown without it.
func (s *Server) overviewLinks(r *http.Request, v casework.Viewer, view casework.CaseView) *linksView {
	if s.svc.SeesCaseLinks(view, v) != nil {
		return nil
	}
	l, err := s.svc.CaseLinksOverview(r.Context(), v, view.Case.ID) // the stored summary: no comparison
	if err != nil {
		s.log.Error("reading the case's earlier records", "err", err, "request_id", requestID(r.Context()))
		return nil
	}
	lv := newLinksView(l, nil)
	if lv.EarlierFound == 0 && !lv.EarlierHeld && len(lv.Received) == 0 && len(lv.Links) == 0 && len(lv.Asked) == 0 {
		return nil
	}
	return &lv
}

// handleCaseLinks shows the case's possible earlier records, requests and links.
func (s *Server) handleCaseLinks(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	s.renderCaseLinks(w, r, v, http.StatusOK, nil, nil)
}

func (s *Server) renderCaseLinks(w http.ResponseWriter, r *http.Request, v casework.Viewer, status int, errs []waymark.FieldError, typed map[string]string) {
	id := r.PathValue("id")
	view, err := s.svc.Case(r.Context(), v, id)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	l, err := s.svc.CaseLinks(r.Context(), v, id)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	d := s.caseData(view, v)
	lv := newLinksView(l, typed)
	lv.Errors = errs
	flash := ""
	switch r.URL.Query().Get("done") {
	case "requested":
		flash = "Request sent. The other team will confirm or decline it."
	case "confirmed":
		flash = "Link confirmed: each team can now see the other case"
	case "declined":
		flash = "Request declined"
	case "unlinked":
		flash = "Link removed: the other team no longer sees this case"
	}
	s.render(w, r, status, "case-links", Page{Title: caseTitle(view.Case, "Earlier records and links"), Errors: errs, Flash: flash,
		Data: linksPage{Case: d, Nav: caseNav(d, "earlier-records"), Links: lv}})
}

// afterLinkForm redirects after a change, or shows the page again with the
// problem against the form's own field.
func (s *Server) afterLinkForm(w http.ResponseWriter, r *http.Request, v casework.Viewer, err error, done, field string) {
	if err == nil {
		http.Redirect(w, r, linksPath(r.PathValue("id"))+"?done="+done, http.StatusSeeOther)
		return
	}
	code := waymark.ErrorCode(err)
	if code != waymark.EINVALID && code != waymark.ECONFLICT && code != waymark.EFORBIDDEN {
		s.failErr(w, r, err)
		return
	}
	errs := []waymark.FieldError{{Field: field, Message: waymark.ErrorMessage(err)}}
	for _, f := range waymark.ErrorFields(err) {
		errs[0].Message = f.Message
		break
	}
	s.renderCaseLinks(w, r, v, statusFor(code), errs, map[string]string{field: r.FormValue(field)})
}

// formField is the field id a form posted as, checked against its shape so
// that an id from the request is never written into the page unchecked.
func formField(r *http.Request, prefix string) string {
	f := r.FormValue("field")
	if !strings.HasPrefix(f, prefix) || len(f) > len(prefix)+4 || strings.Trim(f[len(prefix):], "0123456789") != "" {
		return prefix + "1"
	}
	return f
}

// Each form's reason is named by its own field id (reason-1, decline-2,
// unlink-1), so that an error is shown against the form it belongs to.

func (s *Server) handleRequestLink(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	field := formField(r, "reason-")
	err := s.svc.RequestLink(r.Context(), v, r.PathValue("id"), r.PathValue("handle"), r.FormValue(field))
	s.afterLinkForm(w, r, v, err, "requested", field)
}

func (s *Server) handleConfirmLink(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	err := s.svc.ConfirmLink(r.Context(), v, r.PathValue("id"), r.PathValue("link"))
	s.afterLinkForm(w, r, v, err, "confirmed", formField(r, "decline-"))
}

func (s *Server) handleDeclineLink(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	field := formField(r, "decline-")
	err := s.svc.DeclineLink(r.Context(), v, r.PathValue("id"), r.PathValue("link"), r.FormValue(field))
	s.afterLinkForm(w, r, v, err, "declined", field)
}

func (s *Server) handleUnlink(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	field := formField(r, "unlink-")
	err := s.svc.Unlink(r.Context(), v, r.PathValue("id"), r.PathValue("link"), r.FormValue(field))
	s.afterLinkForm(w, r, v, err, "unlinked", field)
}

// The API: the same use cases, as JSON.

type apiEarlierRecord struct {
	Handle          string   `json:"handle"`
	Strength        string   `json:"strength"`
	Probability     float64  `json:"probability"`
	Weight          float64  `json:"weight"`
	Agrees          []string `json:"agrees"`
	Disagrees       []string `json:"disagrees"`
	AskOrganisation string   `json:"askOrganisation"`
	Member          bool     `json:"member"`
	Reference       string   `json:"reference,omitempty"`
}

type apiLinkRequest struct {
	ID            string `json:"id"`
	Organisation  string `json:"organisation"`
	Reason        string `json:"reason"`
	By            string `json:"by"`
	At            string `json:"at"`
	Status        string `json:"status"`
	DeclineReason string `json:"declineReason,omitempty"`
}

type apiCaseLink struct {
	ID           string `json:"id"`
	Reference    string `json:"reference"`
	Organisation string `json:"organisation"`
	At           string `json:"at"`
	Unlinked     bool   `json:"unlinked"`
	UnlinkReason string `json:"unlinkReason,omitempty"`
}

func (s *Server) handleAPIEarlierRecords(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	l, err := s.svc.CaseLinks(r.Context(), v, r.PathValue("id"))
	if err == nil && l.MayRequest != nil {
		err = l.MayRequest
	}
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	out := struct {
		EarlierRecords   []apiEarlierRecord `json:"earlierRecords"`
		PartnershipLeads []string           `json:"partnershipLeads"`
	}{EarlierRecords: []apiEarlierRecord{}, PartnershipLeads: append([]string{}, l.PartnershipLeads...)}
	for _, e := range l.Earlier {
		a := apiEarlierRecord{Handle: e.Handle, Strength: e.Strength, Probability: e.Probability, Weight: e.Weight, Agrees: append([]string{}, e.Agrees...),
			Disagrees: append([]string{}, e.Disagrees...), AskOrganisation: e.AskOrg, Member: e.Member}
		if e.Member {
			a.Reference = e.Reference
		}
		out.EarlierRecords = append(out.EarlierRecords, a)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) writeAPILinks(w http.ResponseWriter, r *http.Request, v casework.Viewer, status int) {
	l, err := s.svc.CaseLinks(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	out := struct {
		Asked    []apiLinkRequest `json:"asked"`
		Received []apiLinkRequest `json:"received"`
		Answered []apiLinkRequest `json:"answered"`
		Links    []apiCaseLink    `json:"links"`
	}{[]apiLinkRequest{}, []apiLinkRequest{}, []apiLinkRequest{}, []apiCaseLink{}}
	req := func(q pathway.LinkRequest) apiLinkRequest {
		return apiLinkRequest{ID: q.ID, Organisation: q.OtherOrgName, Reason: q.Reason, By: q.By.Name + " (" + q.By.OrgName + ")",
			At: q.At.UTC().Format("2006-01-02T15:04:05Z"), Status: q.Status, DeclineReason: q.DeclineReason}
	}
	for _, q := range l.Asked {
		out.Asked = append(out.Asked, req(q))
	}
	for _, q := range l.Received {
		out.Received = append(out.Received, req(q))
	}
	for _, q := range l.Answered {
		out.Answered = append(out.Answered, req(q))
	}
	for _, k := range l.Links {
		out.Links = append(out.Links, apiCaseLink{ID: k.ID, Reference: k.OtherReference, Organisation: k.OtherOrgName,
			At: k.At.UTC().Format("2006-01-02T15:04:05Z"), Unlinked: k.Unlinked, UnlinkReason: k.UnlinkReason})
	}
	writeJSON(w, status, out)
}

func (s *Server) handleAPILinks(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	s.writeAPILinks(w, r, v, http.StatusOK)
}

// apiReason reads {"reason": "..."}.
func apiReason(r *http.Request) (string, error) {
	var in struct {
		Reason string `json:"reason"`
	}
	err := decodeJSON(r, &in)
	return in.Reason, err
}

func (s *Server) handleAPIRequestLink(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	reason, err := apiReason(r)
	if err == nil {
		err = s.svc.RequestLink(r.Context(), v, r.PathValue("id"), r.PathValue("handle"), reason)
	}
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	s.writeAPILinks(w, r, v, http.StatusCreated)
}

func (s *Server) handleAPIConfirmLink(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if err := s.svc.ConfirmLink(r.Context(), v, r.PathValue("id"), r.PathValue("link")); err != nil {
		s.problemErr(w, r, err)
		return
	}
	s.writeAPILinks(w, r, v, http.StatusOK)
}

func (s *Server) handleAPIDeclineLink(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	reason, err := apiReason(r)
	if err == nil {
		err = s.svc.DeclineLink(r.Context(), v, r.PathValue("id"), r.PathValue("link"), reason)
	}
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	s.writeAPILinks(w, r, v, http.StatusOK)
}

func (s *Server) handleAPIUnlink(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	reason, err := apiReason(r)
	if err == nil {
		err = s.svc.Unlink(r.Context(), v, r.PathValue("id"), r.PathValue("link"), reason)
	}
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	s.writeAPILinks(w, r, v, http.StatusOK)
}
