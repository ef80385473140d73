package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// An NRM draft section is saved while it is typed (nrm-autosave.js): each
// save returns the new field versions, so the next one builds on it, and a
// save over someone else's newer answer is refused, never an overwrite.
func TestNRMDraftIsSavedAsItIsTyped(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id, _ := e.nrmReadyCase()
		b := e.browser()
		b.signIn("social.worker@cs.example")
		path := "/cases/" + id + "/nrm-draft/background"
		page := b.get(path)
		if !strings.Contains(page.Body.String(), "/assets/nrm-autosave.js") || !strings.Contains(page.Body.String(), "data-wm-autosave") {
			t.Fatal("the section page does not load the autosave script")
		}
		form := sectionForm(t, page.Body.String())
		autosave := func(f map[string][]string) *httptest.ResponseRecorder {
			r := httptest.NewRequest("POST", path, strings.NewReader(url.Values(f).Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("X-Waymark-Autosave", "1")
			r.Header.Set("Sec-Fetch-Site", "same-origin")
			return b.do(r)
		}
		form.Set("birthplace", "Shkod")
		first := autosave(form)
		if first.Code != http.StatusOK {
			t.Fatalf("autosave: %d %s", first.Code, first.Body)
		}
		var got struct {
			SavedAt string `json:"savedAt"`
			Fields  map[string]struct {
				Version int    `json:"version"`
				Shown   string `json:"shown"`
			} `json:"fields"`
		}
		if err := json.Unmarshal(first.Body.Bytes(), &got); err != nil || got.Fields["birthplace"].Version != 1 || got.SavedAt == "" {
			t.Fatalf("autosave answer %s (%v)", first.Body, err)
		}
		// The next keystrokes carry the versions the first save returned.
		stale := map[string][]string{}
		for k, v := range form {
			stale[k] = append([]string(nil), v...)
		}
		form.Set("version-birthplace", "1")
		form.Set("shown-birthplace", got.Fields["birthplace"].Shown)
		form.Set("birthplace", "Shkodër, Albania")
		if second := autosave(form); second.Code != http.StatusOK {
			t.Fatalf("second autosave: %d %s", second.Code, second.Body)
		}
		if again := b.get(path); inputValue(again.Body.String(), "birthplace") != "Shkodër, Albania" {
			t.Fatalf("after autosaving, the page shows %q", inputValue(again.Body.String(), "birthplace"))
		}
		// A tab still holding version 0 cannot overwrite what was saved.
		stale["birthplace"] = []string{"Tirana"}
		conflict := autosave(stale)
		if conflict.Code != http.StatusConflict || !strings.HasPrefix(conflict.Header().Get("Content-Type"), "application/problem+json") {
			t.Fatalf("stale autosave: %d %s", conflict.Code, conflict.Body)
		}
	})
}
