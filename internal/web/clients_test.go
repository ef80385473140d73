package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Finding 1 of issue 8: POST /api/v1/tokens took another person's email
// and returned a token that read every case they could see. It now makes
// a token of the caller's own only; naming someone else is refused and
// nothing is stored.
func TestAnAdministratorCannotMintATokenThatActsAsSomeoneElseThroughTheAPI(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		doc := loadOpenAPI(t)
		id := e.raiseCase()
		admin := e.signInAPI("admin@cs.example")
		before := e.count("api_tokens")
		rec := e.api("POST", "/api/v1/tokens", admin, map[string]any{"userEmail": "front.door@cs.example", "name": "Theirs", "scopes": []string{"cases:read"}, "expiresInDays": 30})
		p := mustProblem(t, rec, http.StatusUnprocessableEntity)
		if _, ok := fieldErrorFor(p, "userEmail"); !ok || e.count("api_tokens") != before {
			t.Fatalf("a token for someone else: %s (tokens %d → %d)", rec.Body, before, e.count("api_tokens"))
		}
		checkDocumentedResponse(t, doc, "POST /api/v1/tokens", rec)

		own := e.api("POST", "/api/v1/tokens", admin, map[string]any{"name": "Mine", "scopes": []string{"cases:read"}, "expiresInDays": 30})
		checkDocumentedResponse(t, doc, "POST /api/v1/tokens", own)
		var tok struct{ Token string }
		decodeInto(t, own, &tok)
		if own.Code != http.StatusCreated {
			t.Fatalf("the administrator's own token: %d %s", own.Code, own.Body)
		}
		if rec := e.api("GET", "/api/v1/cases/"+id, tok.Token, nil); rec.Code != http.StatusNotFound {
			t.Fatalf("the administrator's token reads a case: %d", rec.Code)
		}
		list := e.api("GET", "/api/v1/tokens", admin, nil)
		checkDocumentedResponse(t, doc, "GET /api/v1/tokens", list)
		if list.Code != http.StatusOK || strings.Contains(list.Body.String(), tok.Token) || !strings.Contains(list.Body.String(), `"Mine"`) {
			t.Fatalf("the administrator's tokens: %d %s", list.Code, list.Body)
		}
	})
}

// A token used to sign out is ended, as a session is; a revoked token is
// refused at its next request.
func TestSigningOutOrRevokingEndsAnAPITokenAtOnce(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		doc := loadOpenAPI(t)
		sess := e.signInAPI("social.worker@cs.example")
		make := func() (string, string) {
			rec := e.api("POST", "/api/v1/tokens", sess, map[string]any{"name": "Script", "scopes": []string{"cases:read"}, "expiresInDays": 7})
			var out struct {
				Token    string
				APIToken struct{ ID string }
			}
			decodeInto(t, rec, &out)
			if rec.Code != http.StatusCreated {
				t.Fatalf("making a token: %d %s", rec.Code, rec.Body)
			}
			return out.Token, out.APIToken.ID
		}
		tok, _ := make()
		if rec := e.api("DELETE", "/api/v1/sessions/current", tok, nil); rec.Code != http.StatusNoContent {
			t.Fatalf("signing out with a token: %d %s", rec.Code, rec.Body)
		}
		if rec := e.api("GET", "/api/v1/cases", tok, nil); rec.Code != http.StatusUnauthorized {
			t.Fatalf("the token survived signing out with it: %d", rec.Code)
		}
		tok, id := make()
		other := e.signInAPI("front.door@cs.example")
		if rec := e.api("DELETE", "/api/v1/tokens/"+id, other, nil); rec.Code != http.StatusNotFound {
			t.Fatalf("a colleague revoking the token: %d", rec.Code)
		}
		rec := e.api("DELETE", "/api/v1/tokens/"+id, sess, nil)
		checkDocumentedResponse(t, doc, "DELETE /api/v1/tokens/{id}", rec)
		if rec.Code != http.StatusNoContent {
			t.Fatalf("revoking: %d %s", rec.Code, rec.Body)
		}
		if rec := e.api("GET", "/api/v1/cases", tok, nil); rec.Code != http.StatusUnauthorized {
			t.Fatalf("a revoked token still works: %d", rec.Code)
		}
		// The person's session is theirs: it still works, and signing out ends it.
		if rec := e.api("DELETE", "/api/v1/sessions/current", sess, nil); rec.Code != http.StatusNoContent {
			t.Fatalf("signing out: %d", rec.Code)
		}
		if rec := e.api("GET", "/api/v1/cases", sess, nil); rec.Code != http.StatusUnauthorized {
			t.Fatalf("the session survived signing out: %d", rec.Code)
		}
	})
}

// collectOnThePage has the custodian, in the browser, collect the client's
// token on their own page after confirming who they are; it returns the token.
func (e *testEnv) collectOnThePage(custodianEmail, clientID string) string {
	e.t.Helper()
	b := e.browser()
	b.signIn(custodianEmail)
	page := b.get("/account/machine-clients")
	checkPageHygiene(e.t, "machine clients in your care", page)
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), clientID) {
		e.t.Fatalf("the custodian's page: %d, client %s listed: %v", page.Code, clientID, strings.Contains(page.Body.String(), clientID))
	}
	rec := b.post("/account/machine-clients/token", url.Values{"csrf_token": {hiddenInput(page.Body.String(), "csrf_token")}, "client": {clientID}, "confirm": {storetest.Password}})
	checkPageHygiene(e.t, "machine client token issued", rec)
	m := clientTokenField.FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusCreated || m == nil {
		e.t.Fatalf("collecting the token: %d %s", rec.Code, snippet(rec))
	}
	return m[1]
}

// collectThroughTheAPI has the custodian collect the client's token through
// the API, confirming who they are in the request.
func (e *testEnv) collectThroughTheAPI(doc *oaDoc, custodianEmail, clientID string) string {
	e.t.Helper()
	sess := e.signInAPI(custodianEmail)
	rec := e.api("POST", "/api/v1/machine-clients/"+clientID+"/token", sess, map[string]string{"password": storetest.Password})
	if doc != nil {
		checkDocumentedResponse(e.t, *doc, "POST /api/v1/machine-clients/{id}/token", rec)
	}
	var out struct{ Token string }
	decodeInto(e.t, rec, &out)
	if rec.Code != http.StatusCreated || out.Token == "" {
		e.t.Fatalf("collecting the token through the API: %d %s", rec.Code, rec.Body)
	}
	return out.Token
}

var clientTokenField = regexp.MustCompile(`id="new-token"[^>]*value="([^"]+)"`)
var clientIDText = regexp.MustCompile(`Id (client-[0-9a-f]+)`)

// Machine clients through the pages: the administrator confirms who they
// are, makes one (with a GOV.UK error summary for bad answers), sees its
// token once; the client sees no case until the case's team gives it
// access on the case's page, and nothing once access is withdrawn or the
// client revoked. The partnership lead finds both on the alerts page.
func TestMachineClientsThroughThePages(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		doc := loadOpenAPI(t)
		lead := e.meetingPartnershipLead()
		id := e.raiseCase()
		admin := e.browser()
		admin.signIn("admin@cs.example")
		if home := admin.get("/"); !strings.Contains(home.Body.String(), `href="/admin/machine-clients"`) {
			t.Error("the administrator has no link to the machine clients")
		}
		e.clock.Advance(6 * time.Minute)
		page := admin.get("/admin/machine-clients")
		checkPageHygiene(t, "machine clients", page)
		if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), "Confirm it is you") || strings.Contains(page.Body.String(), "Make a machine client") {
			t.Fatalf("without a recent confirmation the page shows more than the confirmation: %d", page.Code)
		}
		csrf := hiddenInput(page.Body.String(), "csrf_token")
		if rec := admin.post("/admin/machine-clients/confirm", url.Values{"csrf_token": {csrf}, "confirm": {"not my password"}}); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `href="#confirm"`) {
			t.Fatalf("a wrong password: %d", rec.Code)
		}
		if rec := admin.post("/admin/machine-clients/confirm", url.Values{"csrf_token": {csrf}, "confirm": {storetest.Password}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("confirming: %d", rec.Code)
		}
		bad := admin.post("/admin/machine-clients", url.Values{"csrf_token": {csrf}, "organisation": {""}, "name": {""}, "expiresInDays": {"forever"}})
		for _, field := range []string{"organisation", "name", "scopes", "expiresInDays"} {
			if bad.Code != http.StatusUnprocessableEntity || !strings.Contains(bad.Body.String(), `href="#`+field+`"`) {
				t.Errorf("bad answers: %d, no error for %s in the summary", bad.Code, field)
			}
		}
		if e.count("machine_clients") != 0 {
			t.Fatal("a client made from bad answers")
		}
		made := admin.post("/admin/machine-clients", url.Values{"csrf_token": {csrf}, "organisation": {"org-cs"}, "name": {"Case system link"}, "scopes": {"cases:write"}, "expiresInDays": {"30"},
			"custodianEmail": {"front.door@cs.example"}})
		checkPageHygiene(t, "machine client made", made)
		im := clientIDText.FindStringSubmatch(made.Body.String())
		if made.Code != http.StatusCreated || im == nil || clientTokenField.MatchString(made.Body.String()) {
			t.Fatalf("making a client: %d (a token shown to the administrator: %v)", made.Code, clientTokenField.MatchString(made.Body.String()))
		}
		clientID := im[1]
		token := e.collectOnThePage("front.door@cs.example", clientID)
		if list := admin.get("/admin/machine-clients"); strings.Contains(list.Body.String(), token) {
			t.Fatal("the token is shown to the administrator")
		}

		cases := e.api("GET", "/api/v1/cases", token, nil)
		if cases.Code != http.StatusOK || strings.Contains(cases.Body.String(), id) {
			t.Fatalf("the new client lists cases: %d %s", cases.Code, cases.Body)
		}
		if rec := e.api("GET", "/api/v1/cases/"+id, token, nil); rec.Code != http.StatusNotFound {
			t.Fatalf("the new client reads a case: %d", rec.Code)
		}

		sw := e.browser()
		sw.signIn("social.worker@cs.example")
		casePage := sw.get("/cases/" + id + "/people").Body.String()
		if !strings.Contains(casePage, "/actions/give-client-access") {
			t.Fatal("the case page does not offer giving a machine client access")
		}
		scsrf := sw.csrf("/cases/" + id + "/actions/give-client-access")
		version := hiddenInput(sw.get("/cases/"+id+"/actions/give-client-access").Body.String(), "version")
		if rec := sw.post("/cases/"+id+"/actions/give-client-access", url.Values{"csrf_token": {scsrf}, "version": {version}, "clientId": {clientID}, "reason": {"Copies the outcome into the council's case system"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("giving access: %d %s", rec.Code, snippet(rec))
		}
		if page := sw.get("/cases/" + id + "/people").Body.String(); !strings.Contains(page, "Machine clients with access") || !strings.Contains(page, "Case system link") {
			t.Error("the case page does not show the team which machine clients have access")
		}
		got := e.api("GET", "/api/v1/cases/"+id, token, nil)
		if got.Code != http.StatusOK {
			t.Fatalf("the client reading the case it was given: %d", got.Code)
		}
		checkDocumentedResponse(t, doc, "GET /api/v1/cases/{id}", got)

		version = hiddenInput(sw.get("/cases/"+id+"/actions/withdraw-client-access").Body.String(), "version")
		if rec := sw.post("/cases/"+id+"/actions/withdraw-client-access", url.Values{"csrf_token": {scsrf}, "version": {version}, "clientId": {clientID}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("withdrawing access: %d %s", rec.Code, snippet(rec))
		}
		if rec := e.api("GET", "/api/v1/cases/"+id, token, nil); rec.Code != http.StatusNotFound {
			t.Fatalf("after withdrawal the client reads the case: %d", rec.Code)
		}

		if rec := admin.post("/admin/machine-clients/"+clientID+"/revoke", url.Values{"csrf_token": {csrf}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("revoking: %d", rec.Code)
		}
		if rec := e.api("GET", "/api/v1/cases", token, nil); rec.Code != http.StatusUnauthorized {
			t.Fatalf("a revoked client still works: %d", rec.Code)
		}

		lb := e.browser()
		lb.signIn(lead.User.Email)
		alerts := lb.get("/alerts").Body.String()
		for _, want := range []string{"Case system link", clientID, "Made by", "Revoked"} {
			if !strings.Contains(alerts, want) {
				t.Errorf("the alerts page lacks %q", want)
			}
		}
	})
}

// Machine clients through the API: only an administrator's session that
// confirmed who they are recently; the token works until revoked.
func TestMachineClientsThroughTheAPI(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		doc := loadOpenAPI(t)
		admin := e.signInAPI("admin@cs.example")
		worker := e.signInAPI("front.door@cs.example")
		body := map[string]any{"organisationId": "org-police", "name": "Police link", "scopes": []string{"cases:read"}, "expiresInDays": 30, "custodianEmail": "first.responder@police.example"}
		if rec := e.api("POST", "/api/v1/machine-clients", worker, body); rec.Code != http.StatusForbidden {
			t.Fatalf("a worker making a client: %d", rec.Code)
		}
		e.clock.Advance(6 * time.Minute)
		stale := e.api("GET", "/api/v1/machine-clients", admin, nil)
		checkDocumentedResponse(t, doc, "GET /api/v1/machine-clients", mustProblemRec(t, stale, http.StatusForbidden))
		confirm := e.api("POST", "/api/v1/sessions/current/reauthenticate", admin, map[string]string{"password": storetest.Password})
		checkDocumentedResponse(t, doc, "POST /api/v1/sessions/current/reauthenticate", confirm)
		if confirm.Code != http.StatusNoContent {
			t.Fatalf("confirming: %d %s", confirm.Code, confirm.Body)
		}
		made := e.api("POST", "/api/v1/machine-clients", admin, body)
		checkDocumentedResponse(t, doc, "POST /api/v1/machine-clients", made)
		var out struct {
			Token  string
			Client struct{ ID string }
		}
		decodeInto(t, made, &out)
		if made.Code != http.StatusCreated || !strings.HasPrefix(out.Client.ID, "client-") || out.Token != "" {
			t.Fatalf("making a client: %d %s", made.Code, made.Body)
		}
		out.Token = e.collectThroughTheAPI(&doc, "first.responder@police.example", out.Client.ID)
		list := e.api("GET", "/api/v1/machine-clients", admin, nil)
		checkDocumentedResponse(t, doc, "GET /api/v1/machine-clients", list)
		if list.Code != http.StatusOK || !strings.Contains(list.Body.String(), out.Client.ID) || strings.Contains(list.Body.String(), out.Token) {
			t.Fatalf("the list: %d %s", list.Code, list.Body)
		}
		if rec := e.api("GET", "/api/v1/cases", out.Token, nil); rec.Code != http.StatusOK {
			t.Fatalf("the client's token: %d", rec.Code)
		}
		if rec := e.api("POST", "/api/v1/cases", out.Token, storetest.ValidConcern(e.clock.Now())); rec.Code != http.StatusForbidden {
			t.Fatalf("a machine client raising a concern: %d", rec.Code)
		}
		revoke := e.api("POST", "/api/v1/machine-clients/"+out.Client.ID+"/revoke", admin, nil)
		checkDocumentedResponse(t, doc, "POST /api/v1/machine-clients/{id}/revoke", revoke)
		if revoke.Code != http.StatusNoContent {
			t.Fatalf("revoking: %d %s", revoke.Code, revoke.Body)
		}
		if rec := e.api("GET", "/api/v1/cases", out.Token, nil); rec.Code != http.StatusUnauthorized {
			t.Fatalf("a revoked client still works: %d", rec.Code)
		}
	})
}

func mustProblemRec(t *testing.T, rec *httptest.ResponseRecorder, status int) *httptest.ResponseRecorder {
	t.Helper()
	mustProblem(t, rec, status)
	return rec
}

// A person's own tokens in the browser: made after confirming who they are
// (GOV.UK error summary for bad answers), shown once, listed, and revoked
// with effect at the token's next request.
func TestOwnAPITokensThroughThePages(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		b.signIn("dsl@northfield.example")
		page := b.get("/account/tokens")
		checkPageHygiene(t, "own tokens", page)
		if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), "You have no API tokens") {
			t.Fatalf("the tokens page: %d", page.Code)
		}
		csrf := hiddenInput(page.Body.String(), "csrf_token")
		e.clock.Advance(6 * time.Minute)
		bad := b.post("/account/tokens", url.Values{"csrf_token": {csrf}, "name": {""}, "expiresInDays": {"a year"}})
		for _, field := range []string{"name", "scopes", "expiresInDays"} {
			if bad.Code != http.StatusUnprocessableEntity || !strings.Contains(bad.Body.String(), `href="#`+field+`"`) {
				t.Errorf("bad answers: %d, no error for %s in the summary", bad.Code, field)
			}
		}
		good := url.Values{"csrf_token": {csrf}, "name": {"My script"}, "scopes": {"cases:read"}, "expiresInDays": {"7"}}
		if rec := b.post("/account/tokens", good); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), `href="#confirm"`) || e.count("api_tokens") != 0 {
			t.Fatalf("without confirming who they are: %d", rec.Code)
		}
		good.Set("confirm", storetest.Password)
		made := b.post("/account/tokens", good)
		m := clientTokenField.FindStringSubmatch(made.Body.String())
		if made.Code != http.StatusCreated || m == nil {
			t.Fatalf("making a token: %d", made.Code)
		}
		if rec := e.api("GET", "/api/v1/cases", m[1], nil); rec.Code != http.StatusOK {
			t.Fatalf("the new token: %d", rec.Code)
		}
		list := b.get("/account/tokens").Body.String()
		action := regexp.MustCompile(`action="(/account/tokens/[0-9a-f]+/revoke)"`).FindStringSubmatch(list)
		if action == nil || strings.Contains(list, m[1]) {
			t.Fatal("the list offers no revoke, or shows the token again")
		}
		if rec := b.post(action[1], url.Values{"csrf_token": {csrf}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("revoking: %d", rec.Code)
		}
		if rec := e.api("GET", "/api/v1/cases", m[1], nil); rec.Code != http.StatusUnauthorized {
			t.Fatalf("a revoked token still works: %d", rec.Code)
		}
	})
}
