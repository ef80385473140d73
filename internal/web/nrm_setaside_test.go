package web

import (
	"net/http"
	"strings"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §7.4: when the age answer changes to 'no', the page about the local
// authority leaves the route. Its answers are kept, and the section page
// shows them as set aside; the copy view leaves them out.
func TestNRMAnswersOffTheRouteAreShownAsSetAside(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id, _ := e.nrmReadyCase()
		b := e.browser()
		b.signIn("social.worker@cs.example")

		path := "/cases/" + id + "/nrm-draft/age"
		form := sectionForm(t, b.get(path).Body.String())
		form.Set("local-authority-contacted-about-child-local-authority-phone", "01632 960000")
		if rec := b.post(path, form); rec.Code != http.StatusSeeOther {
			t.Fatalf("POST %s: %d %s", path, rec.Code, snippet(rec))
		}
		if page := b.get(path).Body.String(); strings.Contains(page, "Set aside") {
			t.Fatal("an answer on a child's route is shown as set aside")
		}

		form = sectionForm(t, b.get(path).Body.String())
		form.Set("pv-under-age", "no")
		if rec := b.post(path, form); rec.Code != http.StatusSeeOther {
			t.Fatalf("POST %s: %d %s", path, rec.Code, snippet(rec))
		}
		page := b.get(path).Body.String()
		if !strings.Contains(page, "Set aside") || inputValue(page, "local-authority-contacted-about-child-local-authority-phone") != "01632 960000" {
			t.Fatalf("after 'no' the local authority's phone is not kept and shown as set aside: %s", page)
		}
		if copyView := b.get("/cases/" + id + "/nrm-draft/copy").Body.String(); strings.Contains(copyView, "01632 960000") {
			t.Error("the copy view shows a set-aside answer")
		}
	})
}
