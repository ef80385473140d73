package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// Hand-over of a case between partnerships (issue 14, "Across areas";
// §4.3, §7.1). The rules are pathway/partnerships.go; the use cases
// casework/handovers.go. The lead of the case's partnership proposes at
// /cases/{id}/handover; the receiving partnership's lead answers at
// /partnership/handovers/{handover}, seeing the proposal and never the
// case until they agree (§6.5). Anyone else is told "not found".

type handOverRow struct {
	ID, Kind, Partner, By, When, Reason, Status, Answer, ReceivingOrg string
	WithdrawAction                                                    string
	Unanswerable                                                      string // why nobody could answer it now (pathway.HandOverUnanswerable)
}

type caseHandOverPage struct {
	CaseID, Reference, Partnership string
	Kinds                          []radioItem
	Partnerships                   []option
	Kind, To, Reason               string
	CanPropose                     bool
	Refusal                        string
	HandOvers                      []handOverRow
	Pending                        bool
}

func handOverStatusLabel(s string) string {
	switch s {
	case pathway.HandOverStatusPending:
		return "Waiting for an answer"
	case pathway.HandOverStatusAgreed:
		return "Agreed"
	case pathway.HandOverStatusDeclined:
		return "Declined"
	case pathway.HandOverStatusWithdrawn:
		return "Withdrawn"
	}
	return s
}

// radioItem is one radio button with its hint.
type radioItem struct{ Value, Text, Hint string }

func handOverKinds() []radioItem {
	return []radioItem{{Value: pathway.HandOverShare, Text: "Share the case", Hint: "The other partnership's team joins; the case stays with this partnership"},
		{Value: pathway.HandOverTransfer, Text: "Transfer the case", Hint: "The case moves to the other partnership; this partnership's team leaves it"}}
}

func whenLondon(h pathway.HandOver) string {
	return h.At.In(pathway.London).Format("2 January 2006 at 3:04pm")
}

func (s *Server) handleCaseHandOver(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	s.renderCaseHandOver(w, r, v, http.StatusOK, nil)
}

func (s *Server) renderCaseHandOver(w http.ResponseWriter, r *http.Request, v casework.Viewer, status int, errs []waymark.FieldError) {
	id := r.PathValue("id")
	h, err := s.svc.CaseHandOvers(r.Context(), v, id)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	p := caseHandOverPage{CaseID: h.CaseID, Reference: h.Reference, Partnership: h.Partnership, Kinds: handOverKinds(),
		Partnerships: []option{{Value: "", Text: "Select a partnership"}}, CanPropose: h.MayPropose == nil}
	if errs != nil {
		p.Kind, p.To, p.Reason = r.FormValue("kind"), r.FormValue("partnership"), r.FormValue("reason")
	}
	if h.MayPropose != nil {
		p.Refusal = waymark.ErrorMessage(h.MayPropose)
	}
	for _, o := range h.Others {
		p.Partnerships = append(p.Partnerships, option{Value: o.ID, Text: o.Name})
	}
	for _, x := range h.HandOvers {
		row := handOverRow{ID: x.ID, Kind: pathway.HandOverKindLabel(x.Kind), Partner: x.ToName, By: x.By.Name + " (" + x.By.OrgName + ")", When: whenLondon(x),
			Reason: x.Reason, Status: handOverStatusLabel(x.Status), Answer: x.AnswerReason, ReceivingOrg: x.ReceivingOrgName}
		if x.Status == pathway.HandOverStatusPending {
			row.WithdrawAction = "/cases/" + id + "/handover/" + url.PathEscape(x.ID) + "/withdraw"
			row.Unanswerable = h.Unanswerable
			p.Pending = true
		}
		p.HandOvers = append(p.HandOvers, row)
	}
	flash := ""
	switch r.URL.Query().Get("done") {
	case "proposed":
		flash = "Hand-over proposed. The other partnership's lead will agree or decline it."
	case "withdrawn":
		flash = "Hand-over withdrawn"
	}
	title := "Hand over the case to another partnership"
	s.render(w, r, status, "case-handover", Page{Title: title, Errors: errs, Flash: flash, Data: p})
}

func (s *Server) handleProposeHandOver(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	id := r.PathValue("id")
	err := s.svc.ProposeHandOver(r.Context(), v, id, r.FormValue("kind"), r.FormValue("partnership"), r.FormValue("reason"))
	s.afterForm(w, r, err, "/cases/"+id+"/handover?done=proposed", "kind", func(status int, errs []waymark.FieldError) {
		s.renderCaseHandOver(w, r, v, status, errs)
	})
}

func (s *Server) handleWithdrawHandOver(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	id := r.PathValue("id")
	err := s.svc.WithdrawHandOver(r.Context(), v, id, r.PathValue("handover"), r.FormValue("withdraw-reason"))
	s.afterForm(w, r, err, "/cases/"+id+"/handover?done=withdrawn", "withdraw-reason", func(status int, errs []waymark.FieldError) {
		for i := range errs {
			errs[i].Field = "withdraw-reason"
		}
		s.renderCaseHandOver(w, r, v, status, errs)
	})
}

// afterForm redirects to next after a change, or calls again with the
// problems, each against its field (field when the problem names none).
func (s *Server) afterForm(w http.ResponseWriter, r *http.Request, err error, next, field string, again func(int, []waymark.FieldError)) {
	if err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	code := waymark.ErrorCode(err)
	if code != waymark.EINVALID && code != waymark.ECONFLICT && code != waymark.EFORBIDDEN {
		s.failErr(w, r, err)
		return
	}
	errs := waymark.ErrorFields(err)
	if len(errs) == 0 {
		errs = []waymark.FieldError{{Field: field, Message: waymark.ErrorMessage(err)}}
	}
	again(statusFor(code), errs)
}

// The receiving side.

type incomingRow struct {
	ID, Kind, From, By, When, Reason, Status, Answer, ReceivingOrg string
	Href, CaseHref, Reference                                      string
}

type incomingPage struct {
	Rows  []incomingRow
	Links []partnershipLinkRow
}

// partnershipLinkRow is a request to link one of the partnership's cases,
// for its lead: who asks and why, never the case (§6.5).
type partnershipLinkRow struct {
	N                            int
	From, By, When, Reason       string
	ConfirmAction, DeclineAction string
	DeclineField                 string
}

type incomingOnePage struct {
	Row           incomingRow
	CanAnswer     bool
	Orgs          []option
	Org, Reason   string
	AgreeAction   string
	DeclineAction string
}

func newIncomingRow(h casework.IncomingHandOver) incomingRow {
	return incomingRow{ID: h.ID, Kind: pathway.HandOverKindLabel(h.Kind), From: h.FromName, By: h.By.Name + " (" + h.By.OrgName + ")",
		When: h.At.In(pathway.London).Format("2 January 2006 at 3:04pm"), Reason: h.Reason, Status: handOverStatusLabel(h.Status),
		Answer: h.AnswerReason, ReceivingOrg: h.ReceivingOrgName, Href: "/partnership/handovers/" + url.PathEscape(h.ID),
		CaseHref: map[bool]string{true: "/cases/" + h.CaseID}[h.CaseID != ""], Reference: h.Reference}
}

func (s *Server) handleIncomingHandOvers(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	// A case id typed into the "propose" box goes to that case's page,
	// which answers "not found" to anyone but the lead of its partnership.
	if c := strings.TrimSpace(r.URL.Query().Get("case")); c != "" {
		http.Redirect(w, r, "/cases/"+url.PathEscape(c)+"/handover", http.StatusSeeOther)
		return
	}
	in, err := s.svc.IncomingHandOvers(r.Context(), v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.renderIncomingHandOvers(w, r, v, http.StatusOK, in, nil)
}

func (s *Server) renderIncomingHandOvers(w http.ResponseWriter, r *http.Request, v casework.Viewer, status int, in []casework.IncomingHandOver, errs []waymark.FieldError) {
	var p incomingPage
	for _, h := range in {
		p.Rows = append(p.Rows, newIncomingRow(h))
	}
	links, err := s.svc.PartnershipLinkRequests(r.Context(), v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	for i, l := range links {
		base := "/partnership/link-requests/" + url.PathEscape(l.CaseID) + "/" + url.PathEscape(l.LinkID)
		p.Links = append(p.Links, partnershipLinkRow{N: i + 1, From: l.FromOrgName, By: l.By.Name + " (" + l.By.OrgName + ")",
			When: l.At.In(pathway.London).Format("2 January 2006 at 3:04pm"), Reason: l.Reason, ConfirmAction: base + "/confirm", DeclineAction: base + "/decline",
			DeclineField: "decline-" + strconv.Itoa(i+1)})
	}
	flash := ""
	switch r.URL.Query().Get("done") {
	case "confirmed":
		flash = "Link confirmed: each team can now see the other case"
	case "declined":
		flash = "Request declined"
	}
	s.render(w, r, status, "handovers", Page{Title: "Hand-overs between partnerships", Errors: errs, Flash: flash, Data: p})
}

// handleLeadConfirmLink is the lead of the earlier case's partnership
// confirming a link request from their list (casework answerLink).
func (s *Server) handleLeadConfirmLink(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	err := s.svc.ConfirmLink(r.Context(), v, r.PathValue("id"), r.PathValue("link"))
	s.afterLeadLinkForm(w, r, v, err, "confirmed", "decline-1")
}

func (s *Server) handleLeadDeclineLink(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	field := formField(r, "decline-")
	err := s.svc.DeclineLink(r.Context(), v, r.PathValue("id"), r.PathValue("link"), r.FormValue(field))
	s.afterLeadLinkForm(w, r, v, err, "declined", field)
}

func (s *Server) afterLeadLinkForm(w http.ResponseWriter, r *http.Request, v casework.Viewer, err error, done, field string) {
	s.afterForm(w, r, err, "/partnership/handovers?done="+done, field, func(status int, errs []waymark.FieldError) {
		for i := range errs {
			errs[i].Field = field
		}
		in, err := s.svc.IncomingHandOvers(r.Context(), v)
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		s.renderIncomingHandOvers(w, r, v, status, in, errs)
	})
}

func (s *Server) handleIncomingHandOver(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	s.renderIncomingHandOver(w, r, v, http.StatusOK, nil)
}

func (s *Server) renderIncomingHandOver(w http.ResponseWriter, r *http.Request, v casework.Viewer, status int, errs []waymark.FieldError) {
	id := r.PathValue("handover")
	h, err := s.svc.IncomingHandOverByID(r.Context(), v, id)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	base := "/partnership/handovers/" + url.PathEscape(id)
	p := incomingOnePage{Row: newIncomingRow(h), CanAnswer: h.MayAnswer == nil, AgreeAction: base + "/agree", DeclineAction: base + "/decline",
		Orgs: []option{{Value: "", Text: "Select a team"}}}
	for _, o := range h.ReceivingOrgs {
		p.Orgs = append(p.Orgs, option{Value: o.ID, Text: o.Name})
	}
	if errs != nil {
		p.Org, p.Reason = r.FormValue("org"), r.FormValue("reason")
	}
	flash := ""
	switch r.URL.Query().Get("done") {
	case "agreed":
		flash = "Hand-over agreed: your team is now on the case"
	case "declined":
		flash = "Hand-over declined"
	}
	s.render(w, r, status, "handover", Page{Title: "Hand-over from " + h.FromName, Errors: errs, Flash: flash, Data: p})
}

func (s *Server) handleAgreeHandOver(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	id := r.PathValue("handover")
	err := s.svc.AgreeHandOver(r.Context(), v, id, r.FormValue("org"))
	s.afterForm(w, r, err, "/partnership/handovers/"+url.PathEscape(id)+"?done=agreed", "org", func(status int, errs []waymark.FieldError) {
		s.renderIncomingHandOver(w, r, v, status, errs)
	})
}

func (s *Server) handleDeclineHandOver(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	id := r.PathValue("handover")
	err := s.svc.DeclineHandOver(r.Context(), v, id, r.FormValue("reason"))
	s.afterForm(w, r, err, "/partnership/handovers/"+url.PathEscape(id)+"?done=declined", "reason", func(status int, errs []waymark.FieldError) {
		s.renderIncomingHandOver(w, r, v, status, errs)
	})
}

// The API: the same use cases, as JSON.

type apiHandOver struct {
	ID               string `json:"id"`
	Kind             string `json:"kind"`
	From             string `json:"fromPartnership"`
	To               string `json:"toPartnership,omitempty"`
	By               string `json:"by"`
	At               string `json:"at"`
	Reason           string `json:"reason"`
	Status           string `json:"status"`
	AnswerReason     string `json:"answerReason,omitempty"`
	ReceivingOrgName string `json:"receivingOrganisation,omitempty"`
	CaseID           string `json:"caseId,omitempty"`
	// Unanswerable, on a hand-over still waiting, says why nobody could
	// answer it now (pathway.HandOverUnanswerable).
	Unanswerable string `json:"unanswerable,omitempty"`
}

const apiTime = "2006-01-02T15:04:05Z"

func (s *Server) writeAPICaseHandOvers(w http.ResponseWriter, r *http.Request, v casework.Viewer, status int) {
	h, err := s.svc.CaseHandOvers(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	out := struct {
		Partnership string        `json:"partnership"`
		HandOvers   []apiHandOver `json:"handOvers"`
	}{Partnership: h.Partnership, HandOvers: []apiHandOver{}}
	for _, x := range h.HandOvers {
		out.HandOvers = append(out.HandOvers, apiHandOver{ID: x.ID, Kind: x.Kind, From: x.FromName, To: x.ToName, By: x.By.Name + " (" + x.By.OrgName + ")",
			At: x.At.UTC().Format(apiTime), Reason: x.Reason, Status: x.Status, AnswerReason: x.AnswerReason, ReceivingOrgName: x.ReceivingOrgName})
		if x.Status == pathway.HandOverStatusPending {
			out.HandOvers[len(out.HandOvers)-1].Unanswerable = h.Unanswerable
		}
	}
	writeJSON(w, status, out)
}

func (s *Server) handleAPICaseHandOvers(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	s.writeAPICaseHandOvers(w, r, v, http.StatusOK)
}

func (s *Server) handleAPIProposeHandOver(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	var in struct {
		Kind        string `json:"kind"`
		Partnership string `json:"partnership"`
		Reason      string `json:"reason"`
	}
	err := decodeJSON(r, &in)
	if err == nil {
		err = s.svc.ProposeHandOver(r.Context(), v, r.PathValue("id"), in.Kind, in.Partnership, in.Reason)
	}
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	s.writeAPICaseHandOvers(w, r, v, http.StatusCreated)
}

func (s *Server) handleAPIWithdrawHandOver(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	reason, err := apiReason(r)
	if err == nil {
		err = s.svc.WithdrawHandOver(r.Context(), v, r.PathValue("id"), r.PathValue("handover"), reason)
	}
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	s.writeAPICaseHandOvers(w, r, v, http.StatusOK)
}

func apiIncoming(h casework.IncomingHandOver) apiHandOver {
	return apiHandOver{ID: h.ID, Kind: h.Kind, From: h.FromName, To: h.ReceivingPartnership, By: h.By.Name + " (" + h.By.OrgName + ")", At: h.At.UTC().Format(apiTime),
		Reason: h.Reason, Status: h.Status, AnswerReason: h.AnswerReason, ReceivingOrgName: h.ReceivingOrgName, CaseID: h.CaseID}
}

func (s *Server) handleAPIIncomingHandOvers(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	in, err := s.svc.IncomingHandOvers(r.Context(), v)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	out := struct {
		HandOvers []apiHandOver `json:"handOvers"`
	}{HandOvers: []apiHandOver{}}
	for _, h := range in {
		out.HandOvers = append(out.HandOvers, apiIncoming(h))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) writeAPIIncoming(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	h, err := s.svc.IncomingHandOverByID(r.Context(), v, r.PathValue("handover"))
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiIncoming(h))
}

func (s *Server) handleAPIIncomingHandOver(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	s.writeAPIIncoming(w, r, v)
}

func (s *Server) handleAPIAgreeHandOver(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	var in struct {
		Organisation string `json:"organisation"`
	}
	err := decodeJSON(r, &in)
	if err == nil {
		err = s.svc.AgreeHandOver(r.Context(), v, r.PathValue("handover"), in.Organisation)
	}
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	s.writeAPIIncoming(w, r, v)
}

func (s *Server) handleAPIDeclineHandOver(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	reason, err := apiReason(r)
	if err == nil {
		err = s.svc.DeclineHandOver(r.Context(), v, r.PathValue("handover"), reason)
	}
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	s.writeAPIIncoming(w, r, v)
}
