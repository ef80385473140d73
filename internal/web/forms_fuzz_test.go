package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// Fuzz targets for every decoder of what people and clients send: the
// concern form's pages, GOV.UK date and time inputs, the generic action
// form, the JSON body of every API operation and of every action. Seeds are
// in testdata/fuzz and below; `go test` runs them as ordinary tests, and
// docs/testing.md says how to fuzz for longer. The properties: nothing
// panics; a refusal is a *waymark.Error (or field problems) with a message;
// what is accepted comes back the same through the way it is shown again.

// FuzzConcernStep: one concern page's answers, as posted.
func FuzzConcernStep(f *testing.F) {
	for _, seed := range []struct{ slug, form string }{
		{"child", "givenNames=Amira&familyName=Example&aliases=Mimi%0AMia&dateOfBirth-day=5&dateOfBirth-month=3&dateOfBirth-year=2012&gender=female&nationality=Albanian&languages=Albanian%0AEnglish&currentLocation=School"},
		{"child", "givenNames=+&estimatedAge=15&ageUncertain=yes"},
		{"child", "dateOfBirth-day=31&dateOfBirth-month=2&dateOfBirth-year=2012&estimatedAge=x"},
		{"encounter", "identifiedAt-day=10&identifiedAt-month=3&identifiedAt-year=2026&identifiedTime=2%3A30pm&identifiedWhere=School&summary=Seen&immediateRisk=yes&policeInformed=yes&policeReference=NP-1"},
		{"encounter", "identifiedAt-day=&identifiedAt-month=3&identifiedAt-year=2026&identifiedTime=25%3A00&immediateRisk=maybe"},
		{"exploitation", "exploitationTypes=criminal.county-lines&exploitationTypes=sexual&familySuspected=unknown"},
		{"indicators", "indicators=general.missing-episodes&indicators=x"},
		{"evidence", "indicators=general.missing-episodes&indicators=x&evidence-general.missing-episodes=Seen+twice"},
		{"actions", "immediateActions=police-999"},
		{"nowhere", "a=b"},
	} {
		f.Add(seed.slug, seed.form)
	}
	f.Fuzz(func(t *testing.T, slug, query string) {
		form, _ := url.ParseQuery(query)
		a := casework.DraftAnswers{Raw: map[string]string{}}
		var probs waymark.Problems
		if slug == "evidence" { // the indicators page comes first
			applyStep(&a, "indicators", form, &probs)
		}
		applyStep(&a, slug, form, &probs)
		for _, p := range probs {
			if p.Field == "" || strings.TrimSpace(p.Message) == "" {
				t.Fatalf("a problem without a field or message: %+v", p)
			}
		}
		if len(probs) > 0 {
			return
		}
		// Accepted answers are shown again as the page's inputs; posting the
		// page back unchanged gives the same answers.
		again := casework.DraftAnswers{Raw: map[string]string{}}
		var probs2 waymark.Problems
		shown := pagePost(slug, a)
		if slug == "evidence" { // the evidence page explains the indicators chosen before
			again.Concern.Indicators = append([]pathway.ObservedIndicator(nil), a.Concern.Indicators...)
			for i := range again.Concern.Indicators {
				again.Concern.Indicators[i].Evidence = ""
			}
		}
		applyStep(&again, slug, shown, &probs2)
		if len(probs2) > 0 {
			t.Fatalf("answers accepted from %q are refused when shown again as %q: %v", query, shown.Encode(), probs2)
		}
		if !reflect.DeepEqual(normalConcern(a.Concern), normalConcern(again.Concern)) {
			t.Fatalf("answers change when shown again:\n posted %q\n saved  %+v\n shown  %q\n saved  %+v", query, a.Concern, shown.Encode(), again.Concern)
		}
	})
}

// pagePost is what a page posts when sent back unchanged: its inputs filled
// from the answers as formValues fills them, its boxes ticked as saved.
func pagePost(slug string, a casework.DraftAnswers) url.Values {
	out := url.Values{}
	for k, v := range formValues(a) {
		if v != "" {
			out.Set(k, v)
		}
	}
	c := a.Concern
	switch slug {
	case "exploitation":
		out["exploitationTypes"] = c.ExploitationTypes
	case "indicators":
		for _, in := range c.Indicators {
			out.Add("indicators", in.ID)
		}
	case "actions":
		out["immediateActions"] = c.ImmediateActions
	case "evidence":
		for _, in := range c.Indicators {
			out.Set("evidence-"+in.ID, in.Evidence)
		}
	}
	return out
}

// normalConcern makes nil and empty lists alike, which the pages cannot tell apart.
func normalConcern(c pathway.Concern) pathway.Concern {
	for _, l := range []*[]string{&c.Child.Aliases, &c.Child.Languages, &c.ExploitationTypes, &c.ImmediateActions} {
		if len(*l) == 0 {
			*l = nil
		}
	}
	if len(c.Indicators) == 0 {
		c.Indicators = nil
	}
	return c
}

// FuzzDateParts: a GOV.UK date input (day, month, year boxes).
func FuzzDateParts(f *testing.F) {
	for _, s := range [][3]string{{"5", "3", "2012"}, {"31", "2", "2012"}, {"", "", ""}, {"1", "", "2020"}, {"01", "01", "0001"}, {"1", "1", "-001"}, {"1", "1", "+200"}, {" 7 ", "12", "1999"}, {"0", "0", "0000"}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, day, month, year string) {
		d, ok, msg := parseDateParts(day, month, year)
		if !ok {
			if strings.TrimSpace(msg) == "" {
				t.Fatal("a refused date without a message")
			}
			return
		}
		if d.IsZero() {
			if strings.TrimSpace(day+month+year) != "" {
				t.Fatalf("%q/%q/%q accepted as no date", day, month, year)
			}
			return
		}
		if d.Year() < 0 || d.Year() > 9999 {
			t.Fatalf("%q/%q/%q accepted as %s: a year must have 4 digits", day, month, year, d.Format("2006-01-02"))
		}
		// The date as stored, and shown again in the boxes, reads back the same.
		stored := d.Format("2006-01-02")
		parts := strings.Split(stored, "-")
		if len(parts) != 3 {
			t.Fatalf("%q/%q/%q stored as %q, which the form cannot show again", day, month, year, stored)
		}
		d2, ok2, _ := parseDateParts(strings.TrimLeft(parts[2], "0"), strings.TrimLeft(parts[1], "0"), parts[0])
		if !ok2 || !d2.Equal(d) {
			t.Fatalf("%q/%q/%q → %s → %v %v", day, month, year, stored, d2, ok2)
		}
	})
}

// FuzzTimeOfDay: the time box ("14:30", "2:30pm", "9am").
func FuzzTimeOfDay(f *testing.F) {
	for _, s := range []string{"14:30", "2:30pm", "2.30 pm", "9am", "12am", "12pm", "0:00", "23:59", "24:00", "13pm", "", "٣:٣٠"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, m, ok := parseTimeOfDay(s)
		if !ok {
			return
		}
		if h < 0 || h > 23 || m < 0 || m > 59 {
			t.Fatalf("%q accepted as %d:%d", s, h, m)
		}
		shown := fmt.Sprintf("%02d:%02d", h, m)
		h2, m2, ok2 := parseTimeOfDay(shown)
		if !ok2 || h2 != h || m2 != m {
			t.Fatalf("%q → %s → %d:%d %v", s, shown, h2, m2, ok2)
		}
	})
}

// FuzzActionForm: any action's page answers become its command's JSON
// (formToJSON), which its decoder must always accept.
func FuzzActionForm(f *testing.F) {
	slugs := testActions.sortedSlugs()
	for i, slug := range slugs {
		a := testActions.bySlug[slug]
		form := url.Values{}
		for _, fd := range a.Fields {
			switch fd.Kind {
			case kindDate, kindDateTime:
				form.Set(fd.Name+"-day", "10")
				form.Set(fd.Name+"-month", "3")
				form.Set(fd.Name+"-year", "2026")
				form.Set(fd.Name+"-time", "9:15am")
			case kindNumber:
				form.Set(fd.Name, "3")
			case kindYesNo:
				form.Set(fd.Name, "yes")
			case kindLines:
				form.Set(fd.Name, "one\ntwo")
			default:
				form.Set(fd.Name, "x")
			}
		}
		f.Add(uint(i), form.Encode())
	}
	f.Add(uint(0), "text=%00%ff")
	f.Fuzz(func(t *testing.T, n uint, query string) {
		a := testActions.bySlug[slugs[n%uint(len(slugs))]]
		form, _ := url.ParseQuery(query)
		body, probs := a.formToJSON(form)
		for _, p := range probs {
			if p.Field == "" || strings.TrimSpace(p.Message) == "" {
				t.Fatalf("%s: a problem without a field or message: %+v", a.Slug, p)
			}
		}
		if len(probs) > 0 {
			return
		}
		cmd, err := a.decode(body)
		if err != nil {
			t.Fatalf("%s: the form %q gave JSON %s that its own decoder refuses: %v", a.Slug, query, body, err)
		}
		roundTrip(t, a, cmd)
	})
}

// roundTrip: an accepted command, sent again as JSON, decodes to the same.
func roundTrip(t *testing.T, a *action, cmd pathway.Command) {
	t.Helper()
	b, err := json.Marshal(cmd)
	if err != nil {
		t.Fatalf("%s: encoding %+v: %v", a.Slug, cmd, err)
	}
	cmd2, err := a.decode(b)
	if err != nil {
		t.Fatalf("%s: %s, encoded from an accepted command, is refused: %v", a.Slug, b, err)
	}
	b2, _ := json.Marshal(cmd2)
	if !bytes.Equal(b, b2) {
		t.Fatalf("%s: accepted command changes when sent again:\n %s\n %s", a.Slug, b, b2)
	}
}

// mustBeUserError: every refusal of a body is a *waymark.Error that says
// what is wrong.
func mustBeUserError(t *testing.T, what string, body []byte, err error) {
	t.Helper()
	var we *waymark.Error
	if !errors.As(err, &we) || strings.TrimSpace(we.Message) == "" || (we.Code != waymark.EINVALID && we.Code != codeTooLarge && we.Code != codeUnsupportedType) {
		t.Fatalf("%s: %q refused with %T %v: want an EINVALID *waymark.Error with a message", what, body, err, err)
	}
}

// FuzzActionJSON: the body of POST /api/v1/cases/{id}/actions/{action},
// through each action's decoder.
func FuzzActionJSON(f *testing.F) {
	slugs := testActions.sortedSlugs()
	for i, slug := range slugs {
		b, _ := json.Marshal(testActions.bySlug[slug].example)
		f.Add(uint(i), b)
	}
	for _, s := range []string{`{"text":"A note."}`, `{"text":1}`, `{"unknown":true}`, `{} {}`, `[`, `null`, `{"workerEmail":"a@b"}`, `{"at":"yesterday"}`} {
		f.Add(uint(0), []byte(s))
	}
	f.Fuzz(func(t *testing.T, n uint, body []byte) {
		a := testActions.bySlug[slugs[n%uint(len(slugs))]]
		cmd, err := a.decode(body)
		if err != nil {
			mustBeUserError(t, a.Slug, body, err)
			return
		}
		roundTrip(t, a, cmd)
	})
}

// FuzzAPIBody: decodeJSON, the reader of every API body, with a concern
// (the richest body) as the destination.
func FuzzAPIBody(f *testing.F) {
	valid, _ := json.Marshal(pathway.Concern{Child: pathway.Child{GivenNames: "Amira", DateOfBirth: "2012-03-05"}, IdentifiedAt: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), Summary: "Seen."})
	for _, s := range []string{string(valid), `{"child":{"givenNames":1}}`, `{"identifiedAt":"10/03/2026"}`, `{"nope":1}`, ``, `   `, `{}{}`, `{"child":{"aliases":["a",null]}}`} {
		f.Add([]byte(s), "application/json")
	}
	f.Add([]byte(`{}`), "text/plain")
	// Text the rule refuses, duplicate keys and bytes that are not UTF-8 (input.go).
	for _, s := range []string{`{"summary":"a\u0000b"}`, "{\"summary\":\"a\u202eb\"}", `{"summary":"a","summary":"b"}`, `{"child":{"givenNames":"a","givenNames":"b"}}`,
		"{\"summary\":\"caf\xe9\"}", `{"summary":"\ud800"}`, `{"summary":"\ufffd"}`, `{"child":{"givenNames":"a\nb"}}`} {
		f.Add([]byte(s), "application/json; charset=utf-8")
	}
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		decode := func(b []byte) (pathway.Concern, error) {
			r := httptest.NewRequest("POST", "/api/v1/cases", bytes.NewReader(b))
			if contentType != "" {
				r.Header.Set("Content-Type", contentType)
			}
			var c pathway.Concern
			return c, decodeJSON(r, &c)
		}
		c, err := decode(body)
		if err != nil {
			mustBeUserError(t, "concern", body, err)
			return
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("encoding an accepted concern: %v", err)
		}
		c2, err := decode(b)
		if err != nil {
			t.Fatalf("%s, encoded from an accepted concern, is refused: %v", b, err)
		}
		if b2, _ := json.Marshal(c2); !bytes.Equal(b, b2) {
			t.Fatalf("accepted concern changes when sent again:\n %s\n %s", b, b2)
		}
	})
}
