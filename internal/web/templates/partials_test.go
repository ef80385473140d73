package templates

import (
	"bytes"
	"html/template"
	"strings"
	"testing"
)

// The shapes the web package passes; the partials only read their fields.
type fieldError struct{ Field, Message string }

type navItem struct {
	Href, Text string
	Current    bool
}

type page struct {
	Title   string
	User    any
	Nav     []navItem
	CSRF    string
	Errors  []fieldError
	Flash   string
	Overdue int
	Data    any

	Restored string
	Timer    any
}

type option struct{ Value, Text, Hint string }

func parse(t *testing.T) *template.Template {
	t.Helper()
	tmpl, err := template.New("partials").Funcs(Funcs()).ParseFS(FS, "partials.tmpl", "timeout.tmpl") // the layout includes the time-out warning
	if err != nil {
		t.Fatalf("parsing templates: %v", err)
	}
	return tmpl
}

func render(t *testing.T, name string, data any) string {
	t.Helper()
	var b bytes.Buffer
	if err := parse(t).ExecuteTemplate(&b, name, data); err != nil {
		t.Fatalf("executing %q: %v", name, err)
	}
	return b.String()
}

func args(t *testing.T, pairs ...any) map[string]any {
	t.Helper()
	m, err := dict(pairs...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func assertContains(t *testing.T, html string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(html, want) {
			t.Errorf("want %q in:\n%s", want, html)
		}
	}
}

func assertLacks(t *testing.T, html string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(html, u) {
			t.Errorf("did not want %q in:\n%s", u, html)
		}
	}
}

var emailMissing = []fieldError{{Field: "email", Message: "Enter an email address"}}

func TestInputShowsItsErrorAndPointsToIt(t *testing.T) {
	html := render(t, "input", args(t, "Name", "email", "Label", "Email address", "Hint", "Your work email",
		"Type", "email", "Autocomplete", "email", "Width", "govuk-input--width-20", "Errors", emailMissing))
	assertContains(t, html,
		`class="govuk-form-group govuk-form-group--error"`,
		`<label class="govuk-label" for="email">Email address</label>`,
		`<div id="email-hint" class="govuk-hint">Your work email</div>`,
		`<p id="email-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> Enter an email address</p>`,
		`class="govuk-input govuk-input--width-20 govuk-input--error"`,
		`id="email" name="email" type="email"`,
		`autocomplete="email"`,
		`aria-describedby="email-hint email-error"`)
}

func TestInputWithoutAnErrorIsNotMarkedAsOne(t *testing.T) {
	otherFieldWrong := []fieldError{{Field: "phone", Message: "Enter a phone number"}}
	html := render(t, "input", args(t, "Name", "email", "Label", "Email address", "Hint", "Your work email",
		"Value", "a@example.org", "Errors", otherFieldWrong))
	assertContains(t, html, `aria-describedby="email-hint"`, `value="a@example.org"`, `type="text"`)
	assertLacks(t, html, "--error", "govuk-error-message", "Enter a phone number")

	bare := render(t, "input", args(t, "Name", "email", "Label", "Email address"))
	assertLacks(t, bare, "aria-describedby", "govuk-hint", "value=")
}

func TestInputCanBeThePageHeading(t *testing.T) {
	html := render(t, "input", args(t, "Name", "name", "Label", "What is the child’s name?", "IsPageHeading", true))
	assertContains(t, html, `<h1 class="govuk-label-wrapper"><label class="govuk-label govuk-label--l" for="name">What is the child’s name?</label></h1>`)
}

func TestInputEscapesWhatTheUserTyped(t *testing.T) {
	html := render(t, "input", args(t, "Name", "name", "Label", "Name", "Value", `"><script>alert(1)</script>`))
	assertLacks(t, html, "<script>")
	assertContains(t, html, `value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`)
}

func TestErrorSummaryLinksEachErrorToItsField(t *testing.T) {
	html := render(t, "error-summary", page{Errors: []fieldError{
		{Field: "email", Message: "Enter an email address"},
		{Field: "dob", Message: "Date of birth must be in the past"},
	}})
	assertContains(t, html,
		`data-module="govuk-error-summary"`,
		`<div role="alert">`,
		`<h2 class="govuk-error-summary__title">There is a problem</h2>`,
		`<li><a href="#email">Enter an email address</a></li>`,
		`<li><a href="#dob">Date of birth must be in the past</a></li>`)

	if html := render(t, "error-summary", page{}); strings.TrimSpace(html) != "" {
		t.Errorf("error summary without errors rendered:\n%s", html)
	}
}

func TestTextareaWithAMaximumIsACharacterCount(t *testing.T) {
	html := render(t, "textarea", args(t, "Name", "detail", "Label", "What happened?", "Hint", "Say who told you",
		"Value", "Seen at the station", "MaxLength", 500, "Errors", []fieldError{{"detail", "Enter what happened"}}))
	assertContains(t, html,
		`class="govuk-form-group govuk-character-count govuk-form-group--error" data-module="govuk-character-count" data-maxlength="500"`,
		`class="govuk-textarea govuk-js-character-count govuk-textarea--error" id="detail" name="detail" rows="5"`,
		`aria-describedby="detail-info detail-hint detail-error"`,
		`>Seen at the station</textarea>`,
		`<div id="detail-info" class="govuk-hint govuk-character-count__message">You can enter up to 500 characters</div>`)

	plain := render(t, "textarea", args(t, "Name", "detail", "Label", "What happened?", "Rows", 8))
	assertContains(t, plain, `rows="8"`)
	assertLacks(t, plain, "character-count", "aria-describedby", "--error")
}

func TestDateInputNamesItsThreeFields(t *testing.T) {
	html := render(t, "date-input", args(t, "Name", "dob", "Legend", "Date of birth", "Hint", "For example, 27 3 2012",
		"Day", "27", "Month", "3", "Year", "2012", "Errors", []fieldError{{"dob", "Date of birth must be in the past"}}))
	assertContains(t, html,
		`<fieldset class="govuk-fieldset" role="group" aria-describedby="dob-hint dob-error">`,
		`id="dob" name="dob-day" type="text" inputmode="numeric" value="27"`,
		`id="dob-month" name="dob-month" type="text" inputmode="numeric" value="3"`,
		`id="dob-year" name="dob-year" type="text" inputmode="numeric" value="2012"`,
		`<label class="govuk-label govuk-date-input__label" for="dob">Day</label>`,
		`govuk-input--width-4 govuk-input--error`)
	if n := strings.Count(html, "govuk-input--error"); n != 3 {
		t.Errorf("want the 3 date fields marked in error, got %d", n)
	}

	clean := render(t, "date-input", args(t, "Name", "dob", "Legend", "Date of birth"))
	assertLacks(t, clean, "--error", "aria-describedby", "value=")
}

func TestRadiosCheckTheSelectedItem(t *testing.T) {
	for name, items := range map[string]any{
		"maps":    []any{args(t, "Value", "yes", "Text", "Yes", "Hint", "Start a strategy discussion"), args(t, "Value", "no", "Text", "No")},
		"structs": []option{{"yes", "Yes", "Start a strategy discussion"}, {"no", "No", ""}},
	} {
		t.Run(name, func(t *testing.T) {
			html := render(t, "radios", args(t, "Name", "threshold", "Legend", "Is the threshold met?", "Items", items,
				"Selected", "no", "Inline", true, "IsPageHeading", true))
			assertContains(t, html,
				`<h1 class="govuk-fieldset__heading">Is the threshold met?</h1>`,
				`class="govuk-radios govuk-radios--inline" data-module="govuk-radios"`,
				`id="threshold" name="threshold" type="radio" value="yes" aria-describedby="threshold-item-hint">`,
				`<div id="threshold-item-hint" class="govuk-hint govuk-radios__hint">Start a strategy discussion</div>`,
				`id="threshold-1" name="threshold" type="radio" value="no" checked>`,
				`<label class="govuk-label govuk-radios__label" for="threshold-1">No</label>`)
			assertLacks(t, html, `value="yes" checked`, "--error")
		})
	}
}

func TestRadiosShowTheirError(t *testing.T) {
	html := render(t, "radios", args(t, "Name", "threshold", "Legend", "Is the threshold met?",
		"Items", []any{args(t, "Value", "yes", "Text", "Yes")},
		"Errors", []fieldError{{"threshold", "Select yes if the threshold is met"}}))
	assertContains(t, html,
		`class="govuk-form-group govuk-form-group--error"`,
		`<fieldset class="govuk-fieldset" aria-describedby="threshold-error">`,
		`<span class="govuk-visually-hidden">Error:</span> Select yes if the threshold is met`)
	assertLacks(t, html, "checked")
}

func TestCheckboxesCheckEverySelectedItem(t *testing.T) {
	html := render(t, "checkboxes", args(t, "Name", "agencies", "Legend", "Who attended?",
		"Items", []option{{"police", "Police", ""}, {"health", "Health", "GP or school nurse"}, {"education", "Education", ""}},
		"Selected", map[string]bool{"police": true, "education": true}))
	assertContains(t, html,
		`data-module="govuk-checkboxes"`,
		`id="agencies" name="agencies" type="checkbox" value="police" checked>`,
		`id="agencies-1" name="agencies" type="checkbox" value="health" aria-describedby="agencies-1-item-hint">`,
		`id="agencies-2" name="agencies" type="checkbox" value="education" checked>`)
	if n := strings.Count(html, " checked"); n != 2 {
		t.Errorf("want 2 boxes checked, got %d", n)
	}
}

func TestSelectMarksTheSelectedOption(t *testing.T) {
	html := render(t, "select", args(t, "Name", "agency", "Label", "Lead agency",
		"Items", []any{args(t, "Value", "", "Text", "Choose an agency"), args(t, "Value", "police", "Text", "Police"), args(t, "Value", "health", "Text", "Health")},
		"Selected", "health", "Errors", []fieldError{{"agency", "Choose the lead agency"}}))
	assertContains(t, html,
		`<select class="govuk-select govuk-select--error" id="agency" name="agency" aria-describedby="agency-error">`,
		`<option value="health" selected>Health</option>`,
		`<option value="police">Police</option>`)
	if n := strings.Count(html, " selected"); n != 1 {
		t.Errorf("want 1 option selected, got %d", n)
	}
}

func TestSummaryListChangeLinksNameWhatTheyChange(t *testing.T) {
	html := render(t, "summary-list", args(t, "Rows", []any{
		args(t, "Key", "Name", "Value", "Sam Smith", "ChangeHref", "/concerns/1/name"),
		args(t, "Key", "Reference", "Value", "C-0001"),
	}))
	assertContains(t, html,
		`<dt class="govuk-summary-list__key">Name</dt>`,
		`<dd class="govuk-summary-list__value">Sam Smith</dd>`,
		`<a class="govuk-link" href="/concerns/1/name">Change<span class="govuk-visually-hidden"> Name</span></a>`,
		`class="govuk-summary-list__row govuk-summary-list__row--no-actions"`)
	if n := strings.Count(html, "govuk-summary-list__actions"); n != 1 {
		t.Errorf("want 1 change link, got %d", n)
	}
}

func TestSmallComponents(t *testing.T) {
	tests := []struct {
		name  string
		data  any
		wants []string
	}{
		{"csrf", page{CSRF: "tok3n"}, []string{`<input type="hidden" name="csrf_token" value="tok3n">`}},
		{"button", args(t, "Text", "Save and continue"), []string{`<button type="submit" class="govuk-button" data-module="govuk-button">Save and continue</button>`}},
		{"button", args(t, "Text", "Save as draft", "Secondary", true, "Name", "action", "Value", "draft"), []string{`class="govuk-button govuk-button--secondary"`, `name="action" value="draft">Save as draft</button>`}},
		{"warning-text", args(t, "Text", "Do not contact the family before the strategy discussion."), []string{`<span class="govuk-visually-hidden">Warning</span> Do not contact the family`}},
		{"notification-banner", args(t, "Text", "The meeting is on Monday."), []string{`role="region"`, `>Important</h2>`, `The meeting is on Monday.`}},
		{"notification-banner", args(t, "Text", "Concern saved", "Success", true), []string{`govuk-notification-banner--success" role="alert"`, `>Success</h2>`}},
		{"tag", args(t, "Text", "Overdue", "Colour", "red"), []string{`<strong class="govuk-tag govuk-tag--red">Overdue</strong>`}},
		{"back-link", args(t, "Href", "/concerns"), []string{`<a href="/concerns" class="govuk-back-link">Back</a>`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertContains(t, render(t, tt.name, tt.data), tt.wants...)
		})
	}
}

func TestLayoutForASignedInPractitioner(t *testing.T) {
	html := render(t, "layout", page{
		Title:  "Record a concern",
		User:   struct{ Name string }{"Alex"},
		Nav:    []navItem{{Href: "/", Text: "Home"}, {Href: "/concerns", Text: "Concerns", Current: true}},
		CSRF:   "tok3n",
		Errors: emailMissing,
		Flash:  "Concern saved",
	})
	assertContains(t, html,
		`<!DOCTYPE html>`,
		`<html lang="en-GB" class="govuk-template">`,
		`<title>Error: Record a concern – Waymark</title>`,
		`<link rel="stylesheet" href="/assets/govuk.css">`,
		`<link rel="stylesheet" href="/assets/waymark.css">`,
		`<body class="govuk-template__body">`,
		`<a href="#main-content" class="govuk-skip-link"`,
		`<a href="/" class="govuk-generic-header__homepage-link">Waymark</a>`,
		`<a class="govuk-service-navigation__link" href="/concerns" aria-current="page"><strong class="govuk-service-navigation__active-fallback">Concerns</strong></a>`,
		`<a class="govuk-service-navigation__link" href="/">Home</a>`,
		`<form method="post" action="/sign-out" class="wm-sign-out"><input type="hidden" name="csrf_token" value="tok3n">`,
		`OFFICIAL-SENSITIVE`,
		`<main class="govuk-main-wrapper" id="main-content">`,
		`govuk-notification-banner--success`,
		`Concern saved`,
		`<a class="govuk-footer__link" href="/accessibility">Accessibility</a>`,
		`<a class="govuk-footer__link" href="/privacy">Privacy</a>`,
		`<script type="module" src="/assets/waymark.js"></script>`)
	// Not on gov.uk: no crown, no GOV.UK header, no licence line; no inline script for the CSP.
	assertLacks(t, html, "govuk-header", "crown", "Open Government Licence", "<script>")
	if n := strings.Count(html, "<script"); n != 1 {
		t.Errorf("want only the waymark.js script, got %d script elements", n)
	}
}

func TestLayoutWhenSignedOut(t *testing.T) {
	html := render(t, "layout", page{Title: "Sign in"})
	assertContains(t, html, `<title>Sign in – Waymark</title>`)
	assertLacks(t, html, "sign-out", "csrf_token", "govuk-service-navigation", "Error:", "govuk-notification-banner")
}

func TestPageContentFillsTheLayout(t *testing.T) {
	tmpl := parse(t)
	if _, err := tmpl.New("page").Parse(`{{define "content"}}<h1 class="govuk-heading-l">{{.Title}}</h1>{{template "error-summary" .}}{{end}}`); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, "layout", page{Title: "Concerns", Errors: emailMissing}); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	main := html[strings.Index(html, `<main`):strings.Index(html, `</main>`)]
	assertContains(t, main, `<h1 class="govuk-heading-l">Concerns</h1>`, `href="#email"`)
}

func TestEveryPartialRendersWithNilOrMissingData(t *testing.T) {
	takesThePage := map[string]bool{"layout": true, "layout-start": true, "layout-end": true, "csrf": true, "error-summary": true, "content": true}
	for _, partial := range parse(t).Templates() {
		name := partial.Name()
		if name == "partials" || strings.HasSuffix(name, ".tmpl") {
			continue
		}
		inputs := map[string]any{"nil": nil, "empty dict": map[string]any{}}
		if takesThePage[name] {
			inputs = map[string]any{"empty page": page{}}
			if !strings.HasPrefix(name, "layout") {
				inputs["nil"] = nil
			}
		}
		for label, data := range inputs {
			t.Run(name+"/"+label, func(t *testing.T) {
				assertLacks(t, render(t, name, data), "<no value>", "<nil>")
			})
		}
	}
}

func TestErrForFindsAFieldsMessage(t *testing.T) {
	type ptrError struct{ Field, Message string }
	tests := []struct {
		name string
		errs any
		want string
	}{
		{"nil", nil, ""},
		{"slice of structs", emailMissing, "Enter an email address"},
		{"slice of pointers", []*ptrError{nil, {"email", "Enter an email address"}}, "Enter an email address"},
		{"slice of maps", []any{map[string]any{"Field": "email", "Message": "Enter an email address"}}, "Enter an email address"},
		{"map of messages", map[string]string{"email": "Enter an email address"}, "Enter an email address"},
		{"another field", []fieldError{{"phone", "Enter a phone number"}}, ""},
		{"empty", []fieldError{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errFor(tt.errs, "email"); got != tt.want {
				t.Errorf("errFor = %q, want %q", got, tt.want)
			}
			if got := hasErr(tt.errs, "email"); got != (tt.want != "") {
				t.Errorf("hasErr = %v", got)
			}
		})
	}
}

func TestDictRejectsBadPairs(t *testing.T) {
	if _, err := dict("Name"); err == nil {
		t.Error("dict with an odd number of arguments: want an error")
	}
	if _, err := dict(1, "x"); err == nil {
		t.Error("dict with a non-string key: want an error")
	}
}

// A Previous or Next link met on its own (a screen reader's list of links,
// the foot of a long page on a phone) says which list it pages, as GOV.UK's
// block pagination does with a label under the link.
func TestPaginationLinksSayWhichListTheyPage(t *testing.T) {
	html := render(t, "pagination", args(t, "Prev", "/cases?cursor=b", "Next", "/cases?cursor=a", "Label", "Pages of your cases", "What", "Your cases"))
	assertContains(t, html,
		`<nav class="govuk-pagination govuk-pagination--block" aria-label="Pages of your cases">`,
		`<span class="govuk-pagination__link-title">Previous page</span><span class="govuk-visually-hidden">:</span>`,
		`<span class="govuk-pagination__link-title">Next page</span><span class="govuk-visually-hidden">:</span>`,
		`<span class="govuk-pagination__link-label">Your cases</span>`,
		`href="/cases?cursor=b" rel="prev"`, `href="/cases?cursor=a" rel="next"`)
	if strings.Count(html, `govuk-pagination__link-label`) != 2 {
		t.Errorf("want a label under each link:\n%s", html)
	}
}
