package web

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// The sign-in for scripts that docs/api.md walks through: a person signs in
// once with their password and a code, makes an API token of their own in
// the same minute (signing in confirmed who they are), signs the session
// out, and the script then works with the token alone for as long as it
// lasts: no code is asked of it again, so one-use codes never stop it.
func TestAScriptWorksWithAnAPITokenLongAfterTheCodeItWasMadeWith(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		doc := loadOpenAPI(t)
		id := e.raiseCase()

		session := e.signInAPI("front.door@cs.example")
		rec := e.api("POST", "/api/v1/tokens", session, map[string]any{"name": "Nightly deadline report", "scopes": []string{"cases:write"}, "expiresInDays": 90})
		checkDocumentedResponse(t, doc, "POST /api/v1/tokens", rec)
		var made struct {
			Token     string
			TokenType string
		}
		decodeInto(t, rec, &made)
		if rec.Code != http.StatusCreated || made.Token == "" || made.TokenType != "Bearer" {
			t.Fatalf("making the token straight after signing in: %d %s", rec.Code, rec.Body)
		}
		if rec := e.api("DELETE", "/api/v1/sessions/current", session, nil); rec.Code != http.StatusNoContent {
			t.Fatalf("signing the session out: %d %s", rec.Code, rec.Body)
		}

		// Days later, long past the session's limits and every code's step.
		e.clock.Advance(20 * 24 * time.Hour)
		if rec := e.api("GET", "/api/v1/cases", session, nil); rec.Code != http.StatusUnauthorized {
			t.Errorf("the session still works: %d", rec.Code)
		}
		rec = e.api("GET", "/api/v1/cases/"+id, made.Token, nil)
		checkDocumentedResponse(t, doc, "GET /api/v1/cases/{id}", rec)
		if rec.Code != http.StatusOK {
			t.Fatalf("reading the case with the token: %d %s", rec.Code, rec.Body)
		}
		rec = e.api("POST", "/api/v1/cases/"+id+"/actions/note", made.Token,
			map[string]any{"expectedVersion": e.versionAs(made.Token, id), "text": "Checked by the nightly report."})
		checkDocumentedResponse(t, doc, "POST /api/v1/cases/{id}/actions/note", rec)
		if rec.Code != http.StatusOK {
			t.Fatalf("writing with the token: %d %s", rec.Code, rec.Body)
		}

		// Past its 90 days it stops, with the problem a script can act on.
		e.clock.Advance(71 * 24 * time.Hour)
		rec = e.api("GET", "/api/v1/cases/"+id, made.Token, nil)
		checkDocumentedResponse(t, doc, "GET /api/v1/cases/{id}", rec)
		mustProblem(t, rec, http.StatusUnauthorized)
	})
}

// The document says how a script signs in, and the guide it points to
// walks through it.
func TestOpenAPIDescribesHowAScriptSignsIn(t *testing.T) {
	d := loadOpenAPI(t)
	bearer, _ := obj(obj(obj(d["components"])["securitySchemes"])["bearerAuth"])["description"].(string)
	guide, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{"POST /api/v1/sessions", "POST /api/v1/tokens", "POST /api/v1/machine-clients/{id}/token"} {
		if d.operations()[op] == nil {
			t.Errorf("%s is not documented", op)
		}
		_, path, _ := strings.Cut(op, " ")
		if !strings.Contains(bearer, path) {
			t.Errorf("the bearerAuth scheme does not mention %s", path)
		}
		if !strings.Contains(string(guide), path) {
			t.Errorf("docs/api.md does not mention %s", path)
		}
	}
	if !strings.Contains(bearer, "docs/api.md") || !strings.Contains(string(guide), "curl ") {
		t.Errorf("the scheme should point to docs/api.md, and the guide show curl")
	}
}
