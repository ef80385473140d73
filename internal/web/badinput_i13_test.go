package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// A script feeding bad input to the panel, settings and directory API gets
// a problem document and nothing is saved: no 500, no half-recorded
// decision (§8.5), and a case the panel does not decide answers as missing.
func TestNewAPIEndpointsAnswerBadInputWithAProblemAndSaveNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.pilotCase(func(*pathway.Concern) {})
		other := e.raiseCase()
		chair := e.signInAPI("colleague@northfield.example")
		admin := e.signInAPI("admin@cs.example")
		huge := strings.Repeat("x", 2<<20)
		bodies := []any{"{", "[]", `{"grounds": 5}`, `{"outcome":"positive","unknown":1}`, `{"decidedOn":"9999-99-99","grounds":"reasonable-grounds","outcome":"positive","reasons":"r","present":["user-colleague","user-cs-worker","user-police","user-gp"]}`,
			`{"decidedOn":"1900-01-01","grounds":"reasonable-grounds","outcome":"positive","reasons":"r","present":["user-colleague","user-cs-worker","user-police","user-gp"]}`,
			`{"present":[1,2]}`, `{"reasons":"` + huge + `"}`, `null`, `{"present":null}`, `{"grounds":"conclusive-grounds","outcome":"positive","decidedOn":"2026-01-01","reasons":"r","present":["user-colleague","user-colleague","user-colleague","user-colleague"]}`}
		for _, path := range []struct{ method, path, tok string }{
			{"POST", "/api/v1/panel/cases/" + id + "/decisions", chair},
			{"POST", "/api/v1/panel/cases/" + id + "/reconsiderations", chair},
			{"POST", "/api/v1/panel/cases/" + other + "/decisions", chair},
			{"POST", "/api/v1/panel/members", admin},
			{"POST", "/api/v1/settings", admin},
			{"POST", "/api/v1/directory", admin},
			{"PUT", "/api/v1/directory/ictg-advice-line", admin},
			{"PUT", "/api/v1/directory/nope", admin},
		} {
			for _, b := range bodies {
				rec := e.api(path.method, path.path, path.tok, b)
				s := ""
				if bs, ok := b.(string); ok && len(bs) < 200 {
					s = bs
				}
				if rec.Code >= 500 || (rec.Code < 400) {
					t.Errorf("%s %s %q -> %d %.300s", path.method, path.path, s, rec.Code, rec.Body.String())
				}
			}
		}
		for _, p := range []string{"/api/v1/panel/cases/" + id + "/letters/1/child.txt", "/api/v1/panel/cases/" + id + "/letters/abc/child.txt", "/api/v1/panel/cases/" + id + "/letters/99999999999999999999/x.pdf",
			"/api/v1/panel/cases/" + strings.Repeat("a", 100), "/api/v1/panel/cases/" + other} {
			rec := e.api("GET", p, chair, nil)
			if rec.Code >= 500 {
				t.Errorf("GET %s -> %d", p, rec.Code)
			}
		}
		if ev, _, err := e.svc.PanelEvidence(context.Background(), e.p.Colleague, id); err != nil || len(ev.Decisions) != 0 {
			t.Fatalf("bad input left a decision: %+v, %v", ev.Decisions, err)
		}
		if rec := e.api("GET", "/api/v1/panel/cases/"+other, chair, nil); rec.Code != http.StatusNotFound {
			t.Fatalf("a case the panel does not decide: %d", rec.Code)
		}
	})
}
