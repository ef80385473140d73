package web

import (
	"errors"
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

// Machine clients (administrators, after confirming who they are) and a
// person's own API tokens (casework/clients.go). Nobody makes a credential
// that acts as someone else.

type machineClientsData struct {
	NeedConfirm bool // the administrator must confirm who they are first
	HasPassword bool
	SSOConfirm  string
	Clients     []store.MachineClient
	Orgs        []map[string]string
	Scopes      []map[string]string
	Form        map[string]string
	NewClient   *store.MachineClient // made: its custodian collects the token, never the administrator
	Now         time.Time
}

var clientScopeItems = []map[string]string{
	{"Value": casework.ScopeRead, "Text": "Read the cases it is given", "Hint": casework.ScopeRead},
	{"Value": casework.ScopeWrite, "Text": "Read the cases it is given and add notes to them", "Hint": casework.ScopeWrite},
}

// machineClientsPage renders the page: the confirmation form when the
// administrator has not re-authenticated recently, else the list and the
// form to add a client.
func (s *Server) machineClientsPage(w http.ResponseWriter, r *http.Request, v casework.Viewer, status int, d machineClientsData, errs []waymark.FieldError, flash string) {
	token, _ := r.Context().Value(keyToken).(string)
	d.HasPassword = v.SignsInWithPassword()
	d.Scopes = clientScopeItems
	d.Now = s.now()
	if s.svc.Access.OIDC != nil {
		d.SSOConfirm = "/sign-in/sso/confirm?next=" + url.QueryEscape("/admin/machine-clients")
	}
	if d.Form == nil {
		d.Form = map[string]string{"expiresInDays": "90"}
	}
	if !d.NeedConfirm {
		clients, err := s.svc.MachineClients(r.Context(), v, token)
		switch {
		case errors.Is(err, casework.ErrReauthenticate):
			d.NeedConfirm = true
		case err != nil:
			s.failErr(w, r, err)
			return
		}
		d.Clients = clients
	}
	if !d.NeedConfirm {
		orgs, err := s.svc.MachineClientOrganisations(r.Context(), v)
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		d.Orgs = []map[string]string{{"Value": "", "Text": "Choose an organisation"}}
		for _, o := range orgs {
			d.Orgs = append(d.Orgs, map[string]string{"Value": o.ID, "Text": o.Name})
		}
	}
	s.render(w, r, status, "machine-clients", Page{Title: "Machine clients", Errors: errs, Flash: flash, Data: d})
}

func (s *Server) handleMachineClients(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.ManagesMachineClients() {
		s.failErr(w, r, casework.ErrMachineClientsAdmin)
		return
	}
	flash := map[string]string{"revoked": "The machine client was revoked: its token no longer works"}[r.URL.Query().Get("done")]
	s.machineClientsPage(w, r, v, http.StatusOK, machineClientsData{}, nil, flash)
}

// confirmFromForm re-authenticates with the form's "confirm" answer, if
// any, showing the machine clients page again when it is wrong. It reports
// false when it has answered the request itself.
func (s *Server) confirmFromForm(w http.ResponseWriter, r *http.Request, v casework.Viewer, d machineClientsData) bool {
	return s.formConfirm(w, r, v, func(status int, errs []waymark.FieldError) {
		d.NeedConfirm = true
		s.machineClientsPage(w, r, v, status, d, errs, "")
	})
}

var errConfirmFirst = []waymark.FieldError{{Field: "confirm", Message: "Enter your password or a code from your authenticator app to confirm it is you"}}

// handleMachineClientsConfirm is the confirmation form's answer.
func (s *Server) handleMachineClientsConfirm(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.ManagesMachineClients() {
		s.failErr(w, r, casework.ErrMachineClientsAdmin)
		return
	}
	if r.PostFormValue("confirm") == "" {
		s.machineClientsPage(w, r, v, http.StatusUnprocessableEntity, machineClientsData{NeedConfirm: true}, errConfirmFirst, "")
		return
	}
	if !s.confirmFromForm(w, r, v, machineClientsData{}) {
		return
	}
	http.Redirect(w, r, "/admin/machine-clients", http.StatusSeeOther)
}

// handleMachineClientCreate makes a client and shows its token once.
func (s *Server) handleMachineClientCreate(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.ManagesMachineClients() {
		s.failErr(w, r, casework.ErrMachineClientsAdmin)
		return
	}
	f := r.PostForm
	d := machineClientsData{Form: map[string]string{"organisation": f.Get("organisation"), "name": f.Get("name"), "scopes": f.Get("scopes"),
		"expiresInDays": f.Get("expiresInDays"), "custodianEmail": f.Get("custodianEmail")}}
	if !s.confirmFromForm(w, r, v, d) {
		return
	}
	in := casework.NewMachineClient{OrgID: f.Get("organisation"), Name: f.Get("name"), CustodianEmail: f.Get("custodianEmail")}
	if sc := f.Get("scopes"); sc != "" {
		in.Scopes = []string{sc}
	}
	var probs waymark.Problems
	if days, err := strconv.Atoi(strings.TrimSpace(f.Get("expiresInDays"))); err == nil {
		in.TTL = time.Duration(days) * 24 * time.Hour
	} else {
		probs.Add("expiresInDays", "Enter the number of days until it expires, as a whole number from 1 to 366")
	}
	token, _ := r.Context().Value(keyToken).(string)
	c, err := s.svc.CreateMachineClient(r.Context(), v, token, in)
	if err != nil && waymark.ErrorCode(err) == waymark.EINVALID {
		for _, fe := range waymark.ErrorFields(err) {
			if fe.Field != "expiresInDays" || len(probs) == 0 {
				probs = append(probs, fe)
			}
		}
	}
	switch {
	case errors.Is(err, casework.ErrReauthenticate):
		d.NeedConfirm = true
		s.machineClientsPage(w, r, v, http.StatusForbidden, d, errConfirmFirst, "")
		return
	case len(probs) > 0:
		s.machineClientsPage(w, r, v, http.StatusUnprocessableEntity, d, probs, "")
		return
	case err != nil:
		s.failErr(w, r, err)
		return
	}
	// No token here: the custodian collects it on a page of their own.
	s.machineClientsPage(w, r, v, http.StatusCreated, machineClientsData{NewClient: &c}, nil, "Machine client "+c.Name+" made")
}

// handleMachineClientRevoke revokes a client at once.
func (s *Server) handleMachineClientRevoke(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.ManagesMachineClients() {
		s.failErr(w, r, casework.ErrMachineClientsAdmin)
		return
	}
	if !s.confirmFromForm(w, r, v, machineClientsData{}) {
		return
	}
	token, _ := r.Context().Value(keyToken).(string)
	err := s.svc.RevokeMachineClient(r.Context(), v, token, r.PathValue("id"))
	switch {
	case errors.Is(err, casework.ErrReauthenticate):
		s.machineClientsPage(w, r, v, http.StatusForbidden, machineClientsData{NeedConfirm: true}, errConfirmFirst, "")
		return
	case err != nil:
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/machine-clients?done=revoked", http.StatusSeeOther)
}

// API.

type apiMachineClient struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	Organisation   string     `json:"organisation"`
	OrgID          string     `json:"organisationId"`
	Scopes         []string   `json:"scopes"`
	CreatedAt      time.Time  `json:"createdAt"`
	CreatedBy      string     `json:"createdBy"`
	ExpiresAt      time.Time  `json:"expiresAt"`
	RevokedAt      *time.Time `json:"revokedAt,omitempty"`
	Active         bool       `json:"active"`
	Custodian      string     `json:"custodian"`
	CustodianEmail string     `json:"custodianEmail"`
	TokenIssuedAt  *time.Time `json:"tokenIssuedAt,omitempty"`
}

func machineClientJSON(c store.MachineClient, now time.Time) apiMachineClient {
	return apiMachineClient{ID: c.ID, Name: c.Name, Organisation: c.OrgName, OrgID: c.OrgID, Scopes: c.Scopes, CreatedAt: c.CreatedAt,
		CreatedBy: c.CreatedByName, ExpiresAt: c.ExpiresAt, RevokedAt: c.RevokedAt, Active: c.Active(now),
		Custodian: c.CustodianName, CustodianEmail: c.CustodianEmail, TokenIssuedAt: c.TokenIssuedAt}
}

// confirmation is the part of an administrative API body that confirms
// who is asking: the person's password or a code from their authenticator
// app, either of which may be left out while a recent confirmation stands.
type confirmation struct {
	Password string `json:"password"`
	TOTP     string `json:"totp"`
}

func (c *confirmation) confirmationPart() *confirmation { return c }

// confirmedRequest is a request body that embeds a confirmation.
type confirmedRequest interface{ confirmationPart() *confirmation }

// confirmed takes the steps every administrative API handler takes, in this
// order (the authorization matrix counts on it): decode the body into in
// (a body holding nothing but the confirmation may be empty), ask may whether
// v may do this at all, then re-authenticate with what the body confirmed.
// It answers the problem itself and returns false when any step fails;
// otherwise it returns the session's token for the use case.
func (s *Server) confirmed(w http.ResponseWriter, r *http.Request, v casework.Viewer, in confirmedRequest, may func(casework.Viewer) error) (string, bool) {
	if _, bare := in.(*confirmation); !bare || r.ContentLength != 0 {
		if err := decodeJSON(r, in); err != nil {
			s.problemErr(w, r, err)
			return "", false
		}
	}
	if err := may(v); err != nil {
		s.problemErr(w, r, err)
		return "", false
	}
	c := in.confirmationPart()
	if !s.apiConfirm(w, r, v, c.Password, c.TOTP) {
		return "", false
	}
	token, _ := r.Context().Value(keyToken).(string)
	return token, true
}

func managesStaff(v casework.Viewer) error {
	if !v.ManagesStaff() {
		return casework.ErrStaffAdmin
	}
	return nil
}

func managesMachineClients(v casework.Viewer) error {
	if !v.ManagesMachineClients() {
		return casework.ErrMachineClientsAdmin
	}
	return nil
}

// apiConfirm re-authenticates with a password or code sent in the body, if any.
func (s *Server) apiConfirm(w http.ResponseWriter, r *http.Request, v casework.Viewer, password, totp string) bool {
	confirm := totp
	if confirm == "" {
		confirm = password
	}
	if confirm == "" {
		return true
	}
	token, _ := r.Context().Value(keyToken).(string)
	if err := s.svc.Reauthenticate(r.Context(), v, token, confirm); err != nil {
		s.problemErr(w, r, err)
		return false
	}
	return true
}

func (s *Server) handleAPIReauthenticate(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	var in confirmation
	if err := decodeJSON(r, &in); err != nil {
		s.problemErr(w, r, err)
		return
	}
	if in.Password == "" && in.TOTP == "" {
		s.problemErr(w, r, &waymark.Error{Code: waymark.EINVALID, Message: "Send your password, or a code from your authenticator app as totp",
			Fields: []waymark.FieldError{{Field: "password", Message: "Send your password, or a code from your authenticator app as totp"}}})
		return
	}
	if !s.apiConfirm(w, r, v, in.Password, in.TOTP) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleAPIMachineClients(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	token, _ := r.Context().Value(keyToken).(string)
	cs, err := s.svc.MachineClients(r.Context(), v, token)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	out := make([]apiMachineClient, 0, len(cs))
	for _, c := range cs {
		out = append(out, machineClientJSON(c, s.now()))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleAPIMachineClientCreate(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	var in struct {
		OrganisationID string   `json:"organisationId"`
		Name           string   `json:"name"`
		Scopes         []string `json:"scopes"`
		ExpiresInDays  int      `json:"expiresInDays"`
		CustodianEmail string   `json:"custodianEmail"`
		confirmation
	}
	token, ok := s.confirmed(w, r, v, &in, managesMachineClients)
	if !ok {
		return
	}
	c, err := s.svc.CreateMachineClient(r.Context(), v, token, casework.NewMachineClient{OrgID: in.OrganisationID, Name: in.Name, Scopes: in.Scopes,
		TTL: time.Duration(in.ExpiresInDays) * 24 * time.Hour, CustodianEmail: in.CustodianEmail})
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	// No token: the custodian collects it (POST /api/v1/machine-clients/{id}/token).
	writeJSON(w, http.StatusCreated, map[string]any{"client": machineClientJSON(c, s.now())})
}

// handleAPIMachineClientToken gives the client's custodian its token, once;
// calling it again re-issues it and the old token stops at once.
func (s *Server) handleAPIMachineClientToken(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	var in confirmation
	token, ok := s.confirmed(w, r, v, &in, inPerson)
	if !ok {
		return
	}
	tok, c, err := s.svc.IssueMachineClientToken(r.Context(), v, token, r.PathValue("id"))
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": tok, "tokenType": "Bearer", "client": machineClientJSON(c, s.now())})
}

// inPerson refuses API tokens and machine clients' tokens.
func inPerson(v casework.Viewer) error {
	if v.IsMachineClient() || v.Scopes != nil {
		return waymark.Errorf(waymark.EFORBIDDEN, "This needs you signed in in person (POST /api/v1/sessions), not an API token or a machine client's token")
	}
	return nil
}

func (s *Server) handleAPIMachineClientRevoke(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	var in confirmation
	token, ok := s.confirmed(w, r, v, &in, managesMachineClients)
	if !ok {
		return
	}
	if err := s.svc.RevokeMachineClient(r.Context(), v, token, r.PathValue("id")); err != nil {
		s.problemErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// A person's own API tokens.

type apiToken struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Scopes    []string   `json:"scopes"`
	CreatedAt time.Time  `json:"createdAt"`
	ExpiresAt time.Time  `json:"expiresAt"`
	RevokedAt *time.Time `json:"revokedAt,omitempty"`
	Active    bool       `json:"active"`
}

func tokenJSON(a store.APIToken, now time.Time) apiToken {
	return apiToken{ID: a.ID, Name: a.Name, Scopes: a.Scopes, CreatedAt: a.CreatedAt, ExpiresAt: a.ExpiresAt, RevokedAt: a.RevokedAt,
		Active: a.RevokedAt == nil && now.Before(a.ExpiresAt)}
}

func (s *Server) handleAPICreateToken(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	var in struct {
		Name          string   `json:"name"`
		Scopes        []string `json:"scopes"`
		ExpiresInDays int      `json:"expiresInDays"`
		confirmation
	}
	token, ok := s.confirmed(w, r, v, &in, notAnAPIToken)
	if !ok {
		return
	}
	tok, a, err := s.svc.CreateAPIToken(r.Context(), v, token, in.Name, in.Scopes, time.Duration(in.ExpiresInDays)*24*time.Hour)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": tok, "tokenType": "Bearer", "apiToken": tokenJSON(a, s.now())})
}

func notAnAPIToken(v casework.Viewer) error {
	if v.Scopes != nil {
		return waymark.Errorf(waymark.EFORBIDDEN, "An API token cannot make another: sign in with POST /api/v1/sessions to make one")
	}
	return nil
}

func (s *Server) handleAPITokens(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	ts, err := s.svc.APITokens(r.Context(), v)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	out := make([]apiToken, 0, len(ts))
	for _, a := range ts {
		out = append(out, tokenJSON(a, s.now()))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleAPIRevokeToken(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if err := s.svc.RevokeAPIToken(r.Context(), v, r.PathValue("id")); err != nil {
		s.problemErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// A person's own API tokens, through the pages.

type ownTokensData struct {
	Tokens      []store.APIToken
	HasPassword bool
	SSOConfirm  string
	Scopes      []map[string]string
	Form        map[string]string
	NewToken    string // shown once, never stored
	NewName     string
	Now         time.Time
}

var ownScopeItems = []map[string]string{
	{"Value": casework.ScopeRead, "Text": "Read the cases you can see", "Hint": casework.ScopeRead},
	{"Value": casework.ScopeWrite, "Text": "Read and change the cases you can see, as you", "Hint": casework.ScopeWrite},
}

func (s *Server) ownTokensPage(w http.ResponseWriter, r *http.Request, v casework.Viewer, status int, d ownTokensData, errs []waymark.FieldError, flash string) {
	tokens, err := s.svc.APITokens(r.Context(), v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	d.Tokens, d.Scopes, d.Now, d.HasPassword = tokens, ownScopeItems, s.now(), v.SignsInWithPassword()
	if s.svc.Access.OIDC != nil {
		d.SSOConfirm = "/sign-in/sso/confirm?next=" + url.QueryEscape("/account/tokens")
	}
	if d.Form == nil {
		d.Form = map[string]string{"expiresInDays": "30"}
	}
	s.render(w, r, status, "own-tokens", Page{Title: "Your API tokens", Errors: errs, Flash: flash, Data: d})
}

func (s *Server) handleOwnTokens(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	flash := map[string]string{"revoked": "The token was revoked: it no longer works"}[r.URL.Query().Get("done")]
	s.ownTokensPage(w, r, v, http.StatusOK, ownTokensData{}, nil, flash)
}

// handleOwnTokenCreate makes a token of the person's own and shows it once.
func (s *Server) handleOwnTokenCreate(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	f := r.PostForm
	d := ownTokensData{Form: map[string]string{"name": f.Get("name"), "scopes": f.Get("scopes"), "expiresInDays": f.Get("expiresInDays")}}
	token, _ := r.Context().Value(keyToken).(string)
	if confirm := f.Get("confirm"); confirm != "" {
		if err := s.svc.Reauthenticate(r.Context(), v, token, confirm); err != nil {
			if waymark.ErrorCode(err) == waymark.EINVALID {
				s.ownTokensPage(w, r, v, http.StatusUnprocessableEntity, d, waymark.ErrorFields(err), "")
				return
			}
			s.failErr(w, r, err)
			return
		}
	}
	var scopes []string
	if sc := f.Get("scopes"); sc != "" {
		scopes = []string{sc}
	}
	var probs waymark.Problems
	days, derr := strconv.Atoi(strings.TrimSpace(f.Get("expiresInDays")))
	if derr != nil {
		probs.Add("expiresInDays", "Enter the number of days until it expires, as a whole number from 1 to 366")
	}
	tok, a, err := s.svc.CreateAPIToken(r.Context(), v, token, f.Get("name"), scopes, time.Duration(days)*24*time.Hour)
	if waymark.ErrorCode(err) == waymark.EINVALID {
		for _, fe := range waymark.ErrorFields(err) {
			if fe.Field != "expiresInDays" || derr == nil {
				probs = append(probs, fe)
			}
		}
	}
	switch {
	case len(probs) > 0:
		s.ownTokensPage(w, r, v, http.StatusUnprocessableEntity, d, probs, "")
		return
	case errors.Is(err, casework.ErrReauthenticate):
		s.ownTokensPage(w, r, v, http.StatusForbidden, d, errConfirmFirst, "")
		return
	case err != nil:
		s.failErr(w, r, err)
		return
	}
	s.ownTokensPage(w, r, v, http.StatusCreated, ownTokensData{NewToken: tok, NewName: a.Name}, nil, "Token "+a.Name+" made")
}

// handleOwnTokenRevoke revokes one of the person's own tokens at once.
func (s *Server) handleOwnTokenRevoke(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if err := s.svc.RevokeAPIToken(r.Context(), v, r.PathValue("id")); err != nil {
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, "/account/tokens?done=revoked", http.StatusSeeOther)
}

// Machine clients in a custodian's care, through the pages: the custodian
// collects (or re-issues) each client's token after confirming who they are.

type custodianClientsData struct {
	Clients     []store.MachineClient
	HasPassword bool
	SSOConfirm  string
	NewToken    string // shown once, never stored
	NewClient   *store.MachineClient
	Items       []map[string]string // the active clients, for the form
	Now         time.Time
}

func (s *Server) custodianClientsPage(w http.ResponseWriter, r *http.Request, v casework.Viewer, status int, d custodianClientsData, errs []waymark.FieldError, flash string) {
	clients, err := s.svc.MachineClientsInCustody(r.Context(), v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	d.Clients, d.Now, d.HasPassword = clients, s.now(), v.SignsInWithPassword()
	for _, c := range clients {
		if c.Active(d.Now) {
			hint := "Not collected yet"
			if c.TokenIssuedAt != nil {
				hint = "Re-issue: the token issued " + c.TokenIssuedAt.In(pathway.London).Format("2 January 2006 at 3:04pm") + " stops at once"
			}
			d.Items = append(d.Items, map[string]string{"Value": c.ID, "Text": c.Name + " (" + c.ID + ")", "Hint": hint})
		}
	}
	if s.svc.Access.OIDC != nil {
		d.SSOConfirm = "/sign-in/sso/confirm?next=" + url.QueryEscape("/account/machine-clients")
	}
	s.render(w, r, status, "custodian-clients", Page{Title: "Machine clients in your care", Errors: errs, Flash: flash, Data: d})
}

func (s *Server) handleCustodianClients(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	s.custodianClientsPage(w, r, v, http.StatusOK, custodianClientsData{}, nil, "")
}

// handleCustodianToken collects (or re-issues) a client's token and shows it once.
func (s *Server) handleCustodianToken(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	token, _ := r.Context().Value(keyToken).(string)
	if confirm := r.PostFormValue("confirm"); confirm != "" {
		if err := s.svc.Reauthenticate(r.Context(), v, token, confirm); err != nil {
			if waymark.ErrorCode(err) == waymark.EINVALID {
				s.custodianClientsPage(w, r, v, http.StatusUnprocessableEntity, custodianClientsData{}, waymark.ErrorFields(err), "")
				return
			}
			s.failErr(w, r, err)
			return
		}
	}
	id := r.PostFormValue("client")
	if id == "" {
		s.custodianClientsPage(w, r, v, http.StatusUnprocessableEntity, custodianClientsData{},
			[]waymark.FieldError{{Field: "client", Message: "Choose the machine client whose token you are collecting"}}, "")
		return
	}
	tok, c, err := s.svc.IssueMachineClientToken(r.Context(), v, token, id)
	switch {
	case errors.Is(err, casework.ErrReauthenticate):
		s.custodianClientsPage(w, r, v, http.StatusForbidden, custodianClientsData{}, errConfirmFirst, "")
		return
	case err != nil:
		s.failErr(w, r, err)
		return
	}
	// The token is in this page only: never in a link, never stored.
	s.custodianClientsPage(w, r, v, http.StatusCreated, custodianClientsData{NewToken: tok, NewClient: &c}, nil, "Token for "+c.Name+" issued")
}
