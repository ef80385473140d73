package web

import (
	"net/http"
	"strings"
	"testing"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// TestAnEntityWithABadBodySavesNothing: an unknown kind or role, a value
// of the wrong type, a text-direction override, a control character or a
// value far too long is refused as a problem document, and nothing is
// recorded on the case or filed among its entity keys (§6.8, §8.8).
func TestAnEntityWithABadBodySavesNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.meetingCase(nil)
		tok := e.signInAPI(e.p.SocialWorker.User.Email)
		before := e.count("entity_keys")
		for _, body := range []any{
			map[string]any{"kind": "spaceship", "value": "07700 900123", "role": pathway.EntityRoleContact},
			map[string]any{"kind": pathway.EntityPhone, "value": "07700 900123", "role": "overlord"},
			map[string]any{"kind": pathway.EntityPhone, "value": 7700900123, "role": pathway.EntityRoleContact},
			map[string]any{"kind": pathway.EntityPerson, "value": "Big \u202eMan", "role": pathway.EntityRoleContact},
			map[string]any{"kind": pathway.EntityPerson, "value": "Big\x07Man", "role": pathway.EntityRoleContact},
			map[string]any{"kind": pathway.EntityPerson, "value": strings.Repeat("M", 100000), "role": pathway.EntityRoleContact},
			map[string]any{"kind": pathway.EntityPhone, "value": "", "role": pathway.EntityRoleContact},
		} {
			b := body.(map[string]any)
			b["expectedVersion"] = e.versionAs(tok, id)
			rec := e.api("POST", "/api/v1/cases/"+id+"/actions/record-entity", tok, b)
			if rec.Code < 400 || rec.Code >= 500 {
				t.Errorf("%.60v: %d %s", b, rec.Code, rec.Body)
			}
		}
		if n := e.count("entity_keys"); n != before {
			t.Errorf("refused entities left %d entity keys", n-before)
		}
		var out struct{ Entities []any }
		decodeInto(t, e.api("GET", "/api/v1/cases/"+id+"/entities", tok, nil), &out)
		if len(out.Entities) != 0 {
			t.Errorf("refused entities were recorded: %+v", out.Entities)
		}
		// The referrer and a worker on no case are refused or not found.
		mustProblem(t, e.api("GET", "/api/v1/cases/"+id+"/entities", e.signInAPI(e.p.Teacher.User.Email), nil), http.StatusForbidden)
		mustProblem(t, e.api("GET", "/api/v1/cases/"+id+"/entities", e.signInAPI(e.p.GPDoctor.User.Email), nil), http.StatusNotFound)
		mustProblem(t, e.api("GET", "/api/v1/network", e.signInAPI(e.p.SocialWorker.User.Email), nil), http.StatusForbidden)
	})
}
