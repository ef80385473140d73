package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"waymark/internal/storetest"
)

// Every page's footer links to help and contact (GOV.UK Service Standard,
// point 3), which gives the partnership's details as configured, and says
// whom to ask when none are.
func TestEveryPageLinksToHelpWithThePartnershipsContactDetails(t *testing.T) {
	db := storetest.SQLite(t)
	e := newEnv(t, db, func(c *Config) {
		c.Contact = Contact{Name: "the partnership business support team", Email: "help@partnership.example", Phone: "01632 960 123", Hours: "Monday to Friday, 9am to 5pm"}
	})
	b := e.browser()
	for _, path := range []string{"/sign-in", "/accessibility", "/nothing-here"} {
		if page := b.get(path).Body.String(); !strings.Contains(page, `<a class="govuk-footer__link" href="/help">Help and contact</a>`) {
			t.Errorf("GET %s has no Help and contact link in its footer", path)
		}
	}
	b.signIn("dsl@northfield.example")
	if page := b.get("/").Body.String(); !strings.Contains(page, `href="/help"`) {
		t.Error("the signed-in home page has no Help and contact link")
	}
	rec := b.get("/help")
	page := rec.Body.String()
	if rec.Code != http.StatusOK || pageTitle(page) != "Help and contact – Waymark" {
		t.Fatalf("GET /help: %d, title %q", rec.Code, pageTitle(page))
	}
	for _, want := range []string{"the partnership business support team", `href="mailto:help@partnership.example"`, "01632 960 123", "Monday to Friday, 9am to 5pm", "call 999"} {
		if !strings.Contains(page, want) {
			t.Errorf("the help page does not show %q", want)
		}
	}

	bare := newEnv(t, storetest.SQLite(t)).browser().get("/help").Body.String()
	if strings.Contains(bare, "mailto:") || !strings.Contains(bare, "ask your organisation") {
		t.Error("with no contact details set, the help page should say whom to ask instead")
	}
}

// The favicon is served with its content type and cached for a day, and
// every page links to it.
func TestTheFaviconIsServedAndLinkedFromEveryPage(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	for path, typ := range map[string]string{
		"/favicon.ico":                       "image/x-icon",
		"/assets/icons/favicon.svg":          "image/svg+xml",
		"/assets/icons/apple-touch-icon.png": "image/png",
	} {
		rec := e.serve(httpGet(path))
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != typ || rec.Body.Len() == 0 {
			t.Errorf("GET %s: %d, Content-Type %q, %d bytes; want 200, %s", path, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len(), typ)
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=86400" {
			t.Errorf("GET %s: Cache-Control %q, want a day's public caching", path, cc)
		}
	}
	page := e.browser().get("/sign-in").Body.String()
	for _, link := range []string{`<link rel="icon" sizes="48x48" href="/favicon.ico">`, `href="/assets/icons/favicon.svg" type="image/svg+xml"`, `<link rel="apple-touch-icon"`} {
		if !strings.Contains(page, link) {
			t.Errorf("the layout does not link %s", link)
		}
	}
}

// Sending the indicators page with nothing ticked: the error summary links
// to the first checkbox, which is in a group shown open, and the error is
// tied to that group's fieldset, so that following the link reaches a field
// a person can tick (WCAG 3.3.1).
func TestIndicatorsErrorLinksToACheckboxInAnOpenGroup(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	b := e.browser()
	b.signIn("dsl@northfield.example")
	draft, csrf := b.newDraft()
	form := b.get("/concerns/" + draft + "/indicators").Body.String()
	rec := b.post("/concerns/"+draft+"/indicators", url.Values{"csrf_token": {csrf}, "version": {hiddenInput(form, "version")}})
	page := rec.Body.String()
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("sending no indicators: %d, want 422", rec.Code)
	}
	link := regexp.MustCompile(`govuk-error-summary__list">\s*<li><a href="#([^"]+)"`).FindStringSubmatch(page)
	if link == nil {
		t.Fatalf("the error summary has no link:\n%s", page)
	}
	target := regexp.MustCompile(`<input class="govuk-checkboxes__input" id="` + regexp.QuoteMeta(link[1]) + `"`)
	if !target.MatchString(page) {
		t.Errorf("the error summary links to #%s, which is not a checkbox on the page", link[1])
	}
	// The first group, holding that checkbox, is open; the others are not.
	first := strings.Index(page, `<details class="govuk-details"`)
	if first < 0 || !strings.HasPrefix(page[first:], `<details class="govuk-details" open>`) {
		t.Error("the group holding the linked checkbox is not open")
	}
	if i := target.FindStringIndex(page); i != nil && strings.Contains(page[first:i[0]], "</details>") {
		t.Error("the linked checkbox is not in the first group")
	}
	if !strings.Contains(page, `<fieldset class="govuk-fieldset" aria-describedby="indicators-error">`) || !strings.Contains(page, `<p id="indicators-error" class="govuk-error-message">`) {
		t.Error("the error message is not tied to the group's fieldset")
	}
	if !strings.Contains(page, "govuk-form-group--error") {
		t.Error("the indicators are not marked as in error")
	}
}
