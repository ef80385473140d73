package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// A review of machine clients and personal API tokens found: an
// administrator could read a child's case through a machine client they
// made, since they alone saw its token (A); a read-only token could list
// and revoke its owner's other tokens (B); the audit could not tell a read
// through a token from one in the browser (C); and unknown bearer tokens
// were never limited, each costing two write transactions (D).

// auditRow is one audit entry as the tests read it.
type auditRow struct{ Actor, Case, Action, Detail string }

// auditSince returns the audit entries after seq from, oldest first.
func (e *testEnv) auditSince(from int64) []auditRow {
	e.t.Helper()
	rows, err := e.db.SQL().Query(`SELECT actor_id, COALESCE(case_id, ''), action, detail FROM audit_log WHERE seq > $1 ORDER BY seq`, from)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []auditRow
	for rows.Next() {
		var a auditRow
		if err := rows.Scan(&a.Actor, &a.Case, &a.Action, &a.Detail); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func (e *testEnv) auditHead() int64 {
	e.t.Helper()
	var n int64
	if err := e.db.SQL().QueryRow(`SELECT COALESCE(MAX(seq), 0) FROM audit_log`).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// caseVersion is the case's version as the holder of token is shown it.
func (e *testEnv) caseVersion(id, token string) int {
	e.t.Helper()
	rec := e.api("GET", "/api/v1/cases/"+id, token, nil)
	var c struct{ Version int }
	if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil || rec.Code != http.StatusOK {
		e.t.Fatalf("reading the case: %d %s", rec.Code, rec.Body)
	}
	return c.Version
}

// giveClientAccess has the case's social worker give the client access.
func (e *testEnv) giveClientAccess(id, clientID string) {
	e.t.Helper()
	sw := e.signInAPI("social.worker@cs.example")
	rec := e.api("POST", "/api/v1/cases/"+id+"/actions/give-client-access", sw, map[string]any{"expectedVersion": e.caseVersion(id, sw), "clientId": clientID, "reason": "Copies the outcome into the council's case system"})
	if rec.Code != http.StatusOK && rec.Code != http.StatusCreated {
		e.t.Fatalf("giving the client access: %d %s", rec.Code, rec.Body)
	}
}

// makeClientAsAdmin has the administrator make a machine client through the
// API and returns the whole answer and the client's id.
func (e *testEnv) makeClientAsAdmin(admin, custodianEmail string) (*httptest.ResponseRecorder, string) {
	e.t.Helper()
	rec := e.api("POST", "/api/v1/machine-clients", admin, map[string]any{"organisationId": "org-cs", "name": "Case system link",
		"scopes": []string{"cases:write"}, "expiresInDays": 30, "custodianEmail": custodianEmail})
	var out struct{ Client struct{ ID string } }
	decodeInto(e.t, rec, &out)
	return rec, out.Client.ID
}

// A. The administrator makes the client record and can revoke it, but no
// answer they get holds its token, they cannot collect it, cannot name
// themselves (or anyone outside the owning organisation) its custodian,
// and a client whose custodian becomes an administrator stops working.
func TestAnAdministratorNeverHoldsAMachineClientsToken(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		doc := loadOpenAPI(t)
		id := e.raiseCase()
		admin := e.signInAPI("admin@cs.example")

		for _, who := range []string{"admin@cs.example", "dsl@northfield.example", "nobody@nowhere.example"} {
			rec, _ := e.makeClientAsAdmin(admin, who)
			p := mustProblem(t, rec, http.StatusUnprocessableEntity)
			if _, ok := fieldErrorFor(p, "custodianEmail"); !ok {
				t.Errorf("custodian %s: %s", who, rec.Body)
			}
		}
		if n := e.count("machine_clients"); n != 0 {
			t.Fatalf("%d clients made with a custodian who may not hold the token", n)
		}

		made, clientID := e.makeClientAsAdmin(admin, "front.door@cs.example")
		checkDocumentedResponse(t, doc, "POST /api/v1/machine-clients", made)
		var answer map[string]json.RawMessage
		decodeInto(t, made, &answer)
		if made.Code != http.StatusCreated || clientID == "" {
			t.Fatalf("making a client: %d %s", made.Code, made.Body)
		}
		if _, ok := answer["token"]; ok {
			t.Fatalf("the administrator was given the client's token: %s", made.Body)
		}

		// Through the pages: no token in the page either.
		b := e.browser()
		b.signIn("admin@cs.example")
		csrf := b.csrf("/admin/machine-clients")
		page := b.post("/admin/machine-clients", url.Values{"csrf_token": {csrf}, "organisation": {"org-cs"}, "name": {"Second link"}, "scopes": {"cases:read"},
			"expiresInDays": {"30"}, "custodianEmail": {"social.worker@cs.example"}})
		if page.Code != http.StatusCreated || clientTokenField.MatchString(page.Body.String()) {
			t.Fatalf("the page that makes a client: %d, shows a token: %v", page.Code, clientTokenField.MatchString(page.Body.String()))
		}

		// The administrator cannot collect it, in either way.
		if rec := e.api("POST", "/api/v1/machine-clients/"+clientID+"/token", admin, map[string]string{"password": storetest.Password}); rec.Code != http.StatusForbidden {
			t.Fatalf("the administrator collecting the token through the API: %d %s", rec.Code, rec.Body)
		}
		mine := b.get("/account/machine-clients")
		if rec := b.post("/account/machine-clients/token", url.Values{"csrf_token": {hiddenInput(mine.Body.String(), "csrf_token")}, "client": {clientID}, "confirm": {storetest.Password}}); rec.Code != http.StatusForbidden || clientTokenField.MatchString(rec.Body.String()) {
			t.Fatalf("the administrator collecting the token on the page: %d", rec.Code)
		}

		// The custodian collects it; the team gives the client the case.
		token := e.collectThroughTheAPI(&doc, "front.door@cs.example", clientID)
		e.giveClientAccess(id, clientID)
		if rec := e.api("GET", "/api/v1/cases/"+id, token, nil); rec.Code != http.StatusOK {
			t.Fatalf("the client reading the case it was given: %d", rec.Code)
		}
		// Nothing the administrator holds reads it.
		if rec := e.api("GET", "/api/v1/cases/"+id, admin, nil); rec.Code != http.StatusNotFound {
			t.Fatalf("the administrator's session reads the case: %d", rec.Code)
		}
		if list := e.api("GET", "/api/v1/machine-clients", admin, nil); list.Code != http.StatusOK || strings.Contains(list.Body.String(), token) {
			t.Fatalf("the administrator's list: %d (holds the token: %v)", list.Code, strings.Contains(list.Body.String(), token))
		}
		// A custodian who becomes an administrator may no longer hold it:
		// the client stops at its next request.
		if _, err := db.SQL().Exec(`UPDATE users SET role = 'administrator' WHERE email = 'front.door@cs.example'`); err != nil {
			t.Fatal(err)
		}
		if rec := e.api("GET", "/api/v1/cases/"+id, token, nil); rec.Code != http.StatusUnauthorized {
			t.Fatalf("a client whose custodian is now an administrator: %d", rec.Code)
		}
		// The administrator still revokes clients.
		if rec := e.api("POST", "/api/v1/machine-clients/"+clientID+"/revoke", admin, nil); rec.Code != http.StatusNoContent {
			t.Fatalf("revoking: %d %s", rec.Code, rec.Body)
		}
	})
}

// A. The custodian collects the token once, on their own page after
// confirming who they are; nobody else can; re-issuing stops the old token
// at once; the partnership lead is told; and every audit entry the client
// writes names its custodian.
func TestTheCustodianCollectsTheTokenOnceAndIsNamedInTheAudit(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		doc := loadOpenAPI(t)
		lead := e.meetingPartnershipLead()
		id := e.raiseCase()
		admin := e.signInAPI("admin@cs.example")
		_, clientID := e.makeClientAsAdmin(admin, "front.door@cs.example")

		// Someone else of the organisation is not its custodian.
		other := e.signInAPI("social.worker@cs.example")
		if rec := e.api("POST", "/api/v1/machine-clients/"+clientID+"/token", other, map[string]string{"password": storetest.Password}); rec.Code != http.StatusNotFound {
			t.Fatalf("someone other than the custodian collecting the token: %d %s", rec.Code, rec.Body)
		}
		// The custodian must have confirmed who they are recently.
		custodian := e.signInAPI("front.door@cs.example")
		e.clock.Advance(6 * time.Minute)
		if rec := e.api("POST", "/api/v1/machine-clients/"+clientID+"/token", custodian, nil); rec.Code != http.StatusForbidden {
			t.Fatalf("collecting without confirming: %d %s", rec.Code, rec.Body)
		}
		// Nor through a token of their own.
		personal := e.api("POST", "/api/v1/tokens", custodian, map[string]any{"name": "Script", "scopes": []string{"cases:write"}, "expiresInDays": 7, "password": storetest.Password})
		var pt struct{ Token string }
		decodeInto(t, personal, &pt)
		if rec := e.api("POST", "/api/v1/machine-clients/"+clientID+"/token", pt.Token, map[string]string{"password": storetest.Password}); rec.Code != http.StatusForbidden {
			t.Fatalf("collecting with a personal API token: %d %s", rec.Code, rec.Body)
		}

		first := e.collectOnThePage("front.door@cs.example", clientID)
		b := e.browser()
		b.signIn("front.door@cs.example")
		if again := b.get("/account/machine-clients"); strings.Contains(again.Body.String(), first) || !strings.Contains(again.Body.String(), "Re-issue") {
			t.Fatal("the token is shown again, or the page does not offer re-issuing it")
		}

		e.giveClientAccess(id, clientID)
		from := e.auditHead()
		if rec := e.api("GET", "/api/v1/cases/"+id, first, nil); rec.Code != http.StatusOK {
			t.Fatalf("the client reading its case: %d", rec.Code)
		}
		if rec := e.api("POST", "/api/v1/cases/"+id+"/actions/note", first, map[string]any{"expectedVersion": e.caseVersion(id, first), "text": "Copied to record 4471"}); rec.Code != http.StatusOK && rec.Code != http.StatusCreated {
			t.Fatalf("the client adding a note: %d %s", rec.Code, rec.Body)
		}
		var byClient int
		for _, a := range e.auditSince(from) {
			if a.Actor != clientID {
				continue
			}
			byClient++
			if !strings.Contains(a.Detail, "custodian user-cs-worker") {
				t.Errorf("%s by the client does not name its custodian: %q", a.Action, a.Detail)
			}
		}
		if byClient < 3 {
			t.Fatalf("only %d audit entries by the client", byClient)
		}

		// Re-issuing: the old token stops at once, the new one works.
		second := e.collectThroughTheAPI(&doc, "front.door@cs.example", clientID)
		if rec := e.api("GET", "/api/v1/cases/"+id, first, nil); rec.Code != http.StatusUnauthorized {
			t.Fatalf("the old token after re-issuing: %d", rec.Code)
		}
		if rec := e.api("GET", "/api/v1/cases/"+id, second, nil); rec.Code != http.StatusOK {
			t.Fatalf("the re-issued token: %d", rec.Code)
		}
		var issued []auditRow
		for _, a := range e.auditSince(0) {
			if a.Action == "machine_client.token_issued" {
				issued = append(issued, a)
			}
		}
		if len(issued) != 2 || issued[0].Actor != "user-cs-worker" || !strings.Contains(issued[0].Detail, "collected") || !strings.Contains(issued[1].Detail, "re-issued") {
			t.Fatalf("the audit of the token's collection: %+v", issued)
		}

		lb := e.browser()
		lb.signIn(lead.User.Email)
		alerts := lb.get("/alerts").Body.String()
		if n := strings.Count(alerts, "Token collected or re-issued by its custodian Fola Front"); n != 2 {
			t.Errorf("the lead's alerts show %d collections of the token, want 2", n)
		}
		if !strings.Contains(alerts, "; custodian Fola Front") {
			t.Error("the lead's alert of the client's making does not name its custodian")
		}
	})
}

// B. Listing, making and revoking tokens need a session: a token of any
// scope cannot, though it can still end itself.
func TestATokenCannotManageTokens(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		sess := e.signInAPI("social.worker@cs.example")
		mk := func(scope string) (string, string) {
			rec := e.api("POST", "/api/v1/tokens", sess, map[string]any{"name": "Script " + scope, "scopes": []string{scope}, "expiresInDays": 7})
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
		ro, _ := mk("cases:read")
		rw, rwID := mk("cases:write")
		for name, tok := range map[string]string{"read-only": ro, "read-write": rw} {
			if rec := e.api("GET", "/api/v1/tokens", tok, nil); rec.Code != http.StatusForbidden {
				t.Errorf("a %s token listing tokens: %d %s", name, rec.Code, rec.Body)
			}
			if rec := e.api("POST", "/api/v1/tokens", tok, map[string]any{"name": "x", "scopes": []string{"cases:read"}, "expiresInDays": 3}); rec.Code != http.StatusForbidden {
				t.Errorf("a %s token making a token: %d", name, rec.Code)
			}
		}
		if rec := e.api("DELETE", "/api/v1/tokens/"+rwID, ro, nil); rec.Code != http.StatusForbidden {
			t.Fatalf("the read-only token revoking the write token: %d %s", rec.Code, rec.Body)
		}
		if rec := e.api("GET", "/api/v1/cases", rw, nil); rec.Code != http.StatusOK {
			t.Fatalf("the write token after the refused revocation: %d", rec.Code)
		}
		// A token ends itself.
		if rec := e.api("DELETE", "/api/v1/sessions/current", ro, nil); rec.Code != http.StatusNoContent {
			t.Fatalf("a token signing itself out: %d %s", rec.Code, rec.Body)
		}
		if rec := e.api("GET", "/api/v1/cases", ro, nil); rec.Code != http.StatusUnauthorized {
			t.Fatalf("the token after ending itself: %d", rec.Code)
		}
		// The session manages them.
		if rec := e.api("GET", "/api/v1/tokens", sess, nil); rec.Code != http.StatusOK {
			t.Fatalf("the session listing tokens: %d", rec.Code)
		}
		if rec := e.api("DELETE", "/api/v1/tokens/"+rwID, sess, nil); rec.Code != http.StatusNoContent {
			t.Fatalf("the session revoking a token: %d", rec.Code)
		}
	})
}

// C. Every audit entry made through a personal token names the token by
// its id (never the token itself); one made in a session names none; the
// audit chain still verifies.
func TestReadsThroughAPersonalTokenAreAuditedAsThatToken(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		sess := e.signInAPI("social.worker@cs.example")
		rec := e.api("POST", "/api/v1/tokens", sess, map[string]any{"name": "Script", "scopes": []string{"cases:read"}, "expiresInDays": 3})
		var out struct {
			Token    string
			APIToken struct{ ID string }
		}
		decodeInto(t, rec, &out)
		from := e.auditHead()
		e.api("GET", "/api/v1/cases/"+id, out.Token, nil)
		e.api("GET", "/api/v1/cases", out.Token, nil)
		viaToken := e.auditSince(from)
		from = e.auditHead()
		e.api("GET", "/api/v1/cases/"+id, sess, nil)
		viaSession := e.auditSince(from)
		if len(viaToken) < 2 || len(viaSession) != 1 {
			t.Fatalf("audit entries: %d through the token, %d through the session", len(viaToken), len(viaSession))
		}
		for _, a := range viaToken {
			if !strings.Contains(a.Detail, "via token "+out.APIToken.ID) || strings.Contains(a.Detail, out.Token) {
				t.Errorf("%s through the token: detail %q, want it to name token %s", a.Action, a.Detail, out.APIToken.ID)
			}
		}
		if a := viaSession[0]; a.Action != "case.viewed" || strings.Contains(a.Detail, "via token") {
			t.Errorf("a read in a session: %+v", a)
		}
		if _, err := db.VerifyAudit(func() error { return nil }); err != nil {
			t.Fatalf("the audit chain: %v", err)
		}
	})
}

// D. Unknown bearer tokens from one address meet a limit, 429 with
// Retry-After, before the database is asked; the address is the proxy's
// header when one is configured; other addresses and the per-token limit
// are untouched, and unknown tokens make no per-token bucket.
func TestManyUnknownBearerTokensFromOneAddressAreRateLimited(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.srv.limits.BearerFailuresPerIP = e.limiter(3)
		e.srv.limits.APIPerToken = e.limiter(100)
		e.srv.limits.ClientIPHeader = "X-Forwarded-For"
		good := e.signInAPI("social.worker@cs.example")
		send := func(token, remote, xff string) *httptest.ResponseRecorder {
			r := httptest.NewRequest("GET", "/api/v1/cases", nil)
			r.RemoteAddr = remote + ":40000"
			r.Header.Set("Authorization", "Bearer "+token)
			if xff != "" {
				r.Header.Set("X-Forwarded-For", xff)
			}
			return e.serve(r)
		}
		guess := func(i int) string { return "guess-" + strings.Repeat("x", i+1) }
		buckets := len(e.srv.limits.APIPerToken.keys)
		// Three guesses through different proxy hops, one client address.
		for i := range 3 {
			if rec := send(guess(i), "10.0.0."+string(rune('1'+i)), "203.0.113.7"); rec.Code != http.StatusUnauthorized {
				t.Fatalf("guess %d: %d", i+1, rec.Code)
			}
		}
		sessionsBefore := e.count("sessions")
		rec := send(guess(3), "10.0.0.9", "198.51.100.1, 203.0.113.7")
		p := mustProblem(t, rec, http.StatusTooManyRequests)
		if rec.Header().Get("Retry-After") == "" || !strings.Contains(p.Detail, "not valid") {
			t.Fatalf("the fourth guess: Retry-After %q, %q", rec.Header().Get("Retry-After"), p.Detail)
		}
		if len(e.srv.limits.APIPerToken.keys) != buckets {
			t.Errorf("unknown tokens made %d per-token buckets", len(e.srv.limits.APIPerToken.keys)-buckets)
		}
		if e.count("sessions") != sessionsBefore {
			t.Error("a refused guess changed the sessions")
		}
		// Another address is not held up; a good token from it works.
		if rec := send(good, "10.0.0.1", "198.51.100.4"); rec.Code != http.StatusOK {
			t.Fatalf("another address: %d", rec.Code)
		}
		// A minute later the address may try again.
		e.clock.Advance(time.Minute)
		if rec := send(guess(4), "10.0.0.1", "203.0.113.7"); rec.Code != http.StatusUnauthorized {
			t.Fatalf("after a minute: %d", rec.Code)
		}
	})
}
