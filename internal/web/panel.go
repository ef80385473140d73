package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// The local decision panel's pages and API (casework/panel.go): its list
// of referrals, each referral's evidence pack with the decision form, the
// decision letters, and the administrators' page of who sits on it.

type panelListData struct {
	Partnership string // whose panel: the viewer's own partnership's name
	Cases       []pathway.PanelEvidence
}

func (s *Server) handlePanel(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	list, err := s.svc.PanelCases(r.Context(), v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	name, err := s.svc.PartnershipName(r.Context(), v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "panel", Page{Title: "Local decision panel", Data: panelListData{Partnership: name, Cases: list}})
}

// panelCaseData is the evidence pack page.
type panelCaseData struct {
	E         pathway.PanelEvidence
	Panel     []store.PanelMember
	Threshold string
	Grounds   string // the decision the form makes; "" when none is due
	Reconsid  *pathway.Reconsideration
	Outcomes  []map[string]string
	Members   []map[string]string
	Present   map[string]bool
	Form      map[string]string
	Audiences []map[string]string
}

func (s *Server) panelCasePage(w http.ResponseWriter, r *http.Request, v casework.Viewer, status int, f url.Values, errs []waymark.FieldError, flash string) {
	id := r.PathValue("id")
	e, panel, err := s.svc.PanelEvidence(r.Context(), v, id)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	d := panelCaseData{E: e, Panel: panel, Present: map[string]bool{}, Form: map[string]string{}, Audiences: optionItems(pathway.LetterAudiences())}
	switch e.Next {
	case pathway.ReasonableGrounds, pathway.ConclusiveGrounds:
		d.Grounds = e.Next
		d.Threshold = pathway.Threshold(e.Next)
		d.Outcomes = optionItems(pathway.DecisionOutcomes())
	case "reconsideration":
		d.Reconsid = e.OpenReconsideration()
		d.Threshold = pathway.Threshold(d.Reconsid.Grounds)
		d.Outcomes = optionItems(pathway.ReconsiderationOutcomes())
	}
	for _, m := range panel {
		d.Members = append(d.Members, map[string]string{"Value": m.User.ID, "Text": m.User.Name + " (" + pathway.PanelRoleLabel(m.Seat) + ", " + m.User.Org.Name + ")"})
	}
	for k, vs := range f {
		if len(vs) > 0 {
			d.Form[k] = vs[0]
		}
	}
	for _, p := range f["present"] {
		d.Present[p] = true
	}
	s.render(w, r, status, "panel-case", Page{Title: "Evidence pack", Errors: errs, Flash: flash, Data: d})
}

func (s *Server) handlePanelCase(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	flash := ""
	if r.URL.Query().Get("done") == "decided" {
		flash = "The panel's decision is recorded. Send the decision letters below."
	}
	s.panelCasePage(w, r, v, http.StatusOK, restoredForm(r), nil, flash)
}

// handlePanelDecision records the panel's decision: parse, validate, store, respond.
func (s *Server) handlePanelDecision(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "The answers could not be read. Go back and try again.")
		return
	}
	f := r.PostForm
	id := r.PathValue("id")
	d, probs := panelDecisionFrom(f)
	var err error
	if len(probs) > 0 {
		err = probs.Err()
	} else {
		err = s.svc.RecordPanelDecision(r.Context(), v, id, d)
	}
	if err == nil {
		http.Redirect(w, r, "/panel/cases/"+url.PathEscape(id)+"?done=decided", http.StatusSeeOther)
		return
	}
	if waymark.ErrorCode(err) != waymark.EINVALID {
		s.failErr(w, r, err)
		return
	}
	fields := waymark.ErrorFields(err)
	if len(fields) == 0 {
		fields = []waymark.FieldError{{Field: "outcome", Message: waymark.ErrorMessage(err)}}
	}
	s.panelCasePage(w, r, v, http.StatusUnprocessableEntity, f, fields, "")
}

// panelDecisionFrom reads the decision form.
func panelDecisionFrom(f url.Values) (casework.PanelDecision, waymark.Problems) {
	var probs waymark.Problems
	d := casework.PanelDecision{Reconsideration: f.Get("reconsideration") == "yes", Grounds: f.Get("grounds"), Outcome: f.Get("outcome"),
		Reasons: f.Get("reasons"), Present: f["present"]}
	day, ok, msg := parseDateParts(f.Get("decidedOn-day"), f.Get("decidedOn-month"), f.Get("decidedOn-year"))
	switch {
	case !ok:
		probs.Add("decidedOn", "The date of the decision %s", msg)
	case !day.IsZero():
		d.DecidedOn = day.Format(time.DateOnly)
	}
	return d, probs
}

// handlePanelLetter serves a decision letter: /panel/cases/{id}/letters/{seq}/{file}
// where file is "<audience>.pdf" or "<audience>.txt". Named by the case, never the child.
func (s *Server) handlePanelLetter(api bool) func(http.ResponseWriter, *http.Request, casework.Viewer) {
	return func(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
		fail := s.failErr
		if api {
			fail = s.problemErr
		}
		id := r.PathValue("id")
		seq, _ := strconv.Atoi(r.PathValue("seq"))
		audience, format, _ := strings.Cut(r.PathValue("file"), ".")
		if format != casework.LetterPDF && format != casework.LetterText {
			fail(w, r, waymark.Errorf(waymark.ENOTFOUND, "A decision letter is a .pdf or a .txt file."))
			return
		}
		body, err := s.svc.PanelLetter(r.Context(), v, id, seq, audience, format)
		if err != nil {
			fail(w, r, err)
			return
		}
		ct := "text/plain; charset=utf-8"
		if format == casework.LetterPDF {
			ct = "application/pdf"
		}
		writeNRMDocument(w, casework.NRMDocument{Body: body, ContentType: ct, Name: "decision-letter-" + id + "-" + strconv.Itoa(seq) + "-" + audience + "." + format}, false)
	}
}

// The roster page.

type panelRosterData struct {
	Partnership string // whose panel: the viewer's own partnership's name
	Members     []store.PanelMember
	Seats       []map[string]string
	Form        map[string]string
}

func (s *Server) panelRosterPage(w http.ResponseWriter, r *http.Request, v casework.Viewer, status int, f url.Values, errs []waymark.FieldError, flash string) {
	list, err := s.svc.PanelRoster(r.Context(), v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	name, err := s.svc.PartnershipName(r.Context(), v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	d := panelRosterData{Partnership: name, Members: list, Seats: append(optionItems(pathway.PanelRoles), map[string]string{"Value": "none", "Text": "Take them off the panel"}), Form: map[string]string{}}
	for k, vs := range f {
		if len(vs) > 0 {
			d.Form[k] = vs[0]
		}
	}
	s.render(w, r, status, "panel-roster", Page{Title: "Local decision panel members", Errors: errs, Flash: flash, Data: d})
}

func (s *Server) handlePanelRoster(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	flash := ""
	if r.URL.Query().Get("done") == "seated" {
		flash = "The panel is updated"
	}
	s.panelRosterPage(w, r, v, http.StatusOK, restoredForm(r), nil, flash)
}

func (s *Server) handlePanelSeat(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.ManagesSettings() {
		s.failErr(w, r, casework.ErrSettingsManagers)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "The answers could not be read. Go back and try again.")
		return
	}
	f := r.PostForm
	seat := f.Get("seat")
	var err error
	switch seat {
	case "":
		err = waymark.Invalid([]waymark.FieldError{{Field: "seat", Message: "Select the seat on the panel, or take them off it"}})
	case "none":
		seat = ""
		fallthrough
	default:
		err = s.svc.SeatPanelMember(r.Context(), v, f.Get("email"), seat)
	}
	if err == nil {
		http.Redirect(w, r, "/admin/panel?done=seated", http.StatusSeeOther)
		return
	}
	if waymark.ErrorCode(err) != waymark.EINVALID {
		s.failErr(w, r, err)
		return
	}
	s.panelRosterPage(w, r, v, http.StatusUnprocessableEntity, f, waymark.ErrorFields(err), "")
}

// The API.

func (s *Server) handleAPIPanelCases(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	list, err := s.svc.PanelCases(r.Context(), v)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	if list == nil {
		list = []pathway.PanelEvidence{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"cases": list})
}

func (s *Server) handleAPIPanelCase(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	e, _, err := s.svc.PanelEvidence(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

// handleAPIPanelDecision records a decision (reconsideration false) or the
// answer to a reconsideration (true): two operations, one use case.
func (s *Server) handleAPIPanelDecision(reconsideration bool) func(http.ResponseWriter, *http.Request, casework.Viewer) {
	return func(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
		s.apiPanelDecision(w, r, v, reconsideration)
	}
}

func (s *Server) apiPanelDecision(w http.ResponseWriter, r *http.Request, v casework.Viewer, reconsideration bool) {
	var in struct {
		Grounds   string   `json:"grounds"`
		Outcome   string   `json:"outcome"`
		DecidedOn string   `json:"decidedOn"`
		Reasons   string   `json:"reasons"`
		Present   []string `json:"present"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.problemErr(w, r, err)
		return
	}
	id := r.PathValue("id")
	err := s.svc.RecordPanelDecision(r.Context(), v, id, casework.PanelDecision{Reconsideration: reconsideration, Grounds: in.Grounds, Outcome: in.Outcome,
		DecidedOn: in.DecidedOn, Reasons: in.Reasons, Present: in.Present})
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	e, _, err := s.svc.PanelEvidence(r.Context(), v, id)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, e)
}

type apiPanelMember struct {
	UserID  string `json:"userId"`
	Name    string `json:"name"`
	OrgName string `json:"orgName"`
	Seat    string `json:"seat"`
}

func (s *Server) handleAPIPanelMembers(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	list, err := s.svc.PanelRoster(r.Context(), v)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	out := []apiPanelMember{}
	for _, m := range list {
		out = append(out, apiPanelMember{UserID: m.User.ID, Name: m.User.Name, OrgName: m.User.Org.Name, Seat: m.Seat})
	}
	writeJSON(w, http.StatusOK, map[string]any{"members": out})
}

func (s *Server) handleAPIPanelSeat(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.ManagesSettings() {
		s.problemErr(w, r, casework.ErrSettingsManagers)
		return
	}
	var in struct {
		Email string `json:"email"`
		Seat  string `json:"seat"` // "" takes them off the panel
	}
	if err := decodeJSON(r, &in); err != nil {
		s.problemErr(w, r, err)
		return
	}
	if err := s.svc.SeatPanelMember(r.Context(), v, in.Email, in.Seat); err != nil {
		s.problemErr(w, r, err)
		return
	}
	s.handleAPIPanelMembers(w, r, v)
}
