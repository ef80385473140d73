package nrm_test

import (
	"strings"
	"testing"
	"time"

	"waymark/internal/nrm"
)

func input(t *testing.T, key string) nrm.HOInput {
	t.Helper()
	for _, in := range nrm.ChildRoute() {
		if in.Key == key {
			return in
		}
	}
	t.Fatalf("no input %s", key)
	return nrm.HOInput{}
}

// The count follows the form's child route: 111 inputs, of which the towns
// page (10 towns and a box) or the countries page (10 countries and a box)
// drop out when exploitation happened only overseas or only in the UK.
func TestTheCountTakesEveryInputOnTheChildsRouteOnce(t *testing.T) {
	if n := len(nrm.ChildRoute()); n != 111 {
		t.Fatalf("the child route has %d inputs, want the form's 111", n)
	}
	for where, want := range map[string]int{nrm.BranchUK: 100, nrm.BranchOverseas: 100, nrm.BranchBoth: 111} {
		if n := len(nrm.RouteFor(where)); n != want {
			t.Errorf("exploitation %s: %d inputs on the route, want %d", where, n, want)
		}
	}
	if in := input(t, "why-report-now"); in.FollowUp() {
		t.Error("why-report-now is a page of its own in the form's code, not a follow-up box")
	}
	if in := input(t, "reported-to-police-crime-reference"); in.Parent != "reported-to-police" || in.ParentIs != "yes" {
		t.Errorf("the crime reference follows reported-to-police=yes, got %s=%s", in.Parent, in.ParentIs)
	}
}

// The form counts length as JavaScript does: an emoji is two, and each line
// break reaches it as CR+LF.
func TestLengthIsCountedAsTheFormCountsIt(t *testing.T) {
	for v, want := range map[string]int{"abc": 3, "a\nb": 4, "a\r\nb": 4, "é": 1, "😀": 2} {
		if got := nrm.JSLength(v); got != want {
			t.Errorf("JSLength(%q) = %d, want %d", v, got, want)
		}
	}
	in := input(t, "family")
	if err := nrm.ValidAnswer(in, strings.Repeat("😀", 7500), cat.HOLists, time.Now()); err != nil {
		t.Errorf("15,000 UTF-16 units are within the limit: %v", err)
	}
	if err := nrm.ValidAnswer(in, strings.Repeat("😀", 7501), cat.HOLists, time.Now()); err == nil {
		t.Error("15,002 UTF-16 units pass the form's limit")
	}
}

// A list answer is valid only as an exact entry of its list; a radio answer
// only as one of its values; dates, emails and numbers by the form's rules.
func TestAnAnswerIsValidOnlyAsTheFormWouldAcceptIt(t *testing.T) {
	today := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		key, value string
		valid      bool
	}{
		{"pv-nationality", "Eritrean", true},
		{"pv-nationality", "Eritrean (his own account)", false},
		{"local-authority-contacted-about-child-local-authority-name", "Bristol City Council", true},
		{"local-authority-contacted-about-child-local-authority-name", "Eastshire County Council Children's Services", false},
		{"where-exploitation-happened-uk-city-4", "Bristol", true},
		{"where-exploitation-happened-uk-city-4", "bristol", false},
		{"pv-gender", "female", true},
		{"pv-gender", "girl", false},
		{"pv-dob", "2013-11-20", true},
		{"pv-dob", "2026-03-04", true},
		{"pv-dob", "2026-03-05", false},
		{"pv-dob", "1899-12-31", false},
		{"pv-dob", "20/11/2013", false},
		{"fr-alternative-contact", "team.inbox@bristol.example", true},
		{"fr-alternative-contact", "the team inbox", false},
		{"does-pv-have-children-yes-amount", "2", true},
		{"does-pv-have-children-yes-amount", "two", false},
		{"details-last-contact", "He phoned her on 25 February.", true},
		{"details-last-contact", "He messaged her from jay@mail.com", false},
		{"details-last-contact", "He messaged her from jay@mail.example", true}, // a seven-letter ending is no address to the form
		{"details-last-contact", "She said.then he left", false},
		{"details-last-contact", "She said. Then he left", true},
		{"fr-alternative-contact", "a..b@bristol.example", false},
		{"fr-alternative-contact", "team@bristol", false},
		{"types-of-exploitation-prostitution", "true", true},
		{"types-of-exploitation-prostitution", "yes", false},
	}
	for _, c := range cases {
		err := nrm.ValidAnswer(input(t, c.key), c.value, cat.HOLists, today)
		if (err == nil) != c.valid {
			t.Errorf("%s = %q: valid %v, want %v (%v)", c.key, c.value, err == nil, c.valid, err)
		}
	}
}

// An input counts when the proposal is valid and correct: free text by its
// key facts, exact answers exactly, and an input the story leaves blank
// only when it is left blank. A follow-up counts even when its parent is
// not answered.
func TestAnInputCountsOnlyWhenValidAndCorrect(t *testing.T) {
	c, now := mustCase(t, "groomed-girl")
	d := nrm.Assemble(c, cat, now)
	want, err := nrm.ParseExpected([]byte(`{"case": "t", "answers": {
		"where-exploitation-happened": "uk",
		"pv-gender": "female",
		"pv-name-first-name": "AMA",
		"pv-nationality": "Ghanaian",
		"family": {"facts": ["mother"]},
		"pv-name-nickname": ""}}`), cat.HOLists)
	if err != nil {
		t.Fatal(err)
	}
	m := nrm.Measure(d, want, cat.HOLists, now)
	byKey := map[string]nrm.Judged{}
	for _, j := range m.Inputs {
		byKey[j.Input.Key] = j
	}
	if len(m.Inputs) != 100 {
		t.Errorf("%d inputs counted on a UK route, want 100", len(m.Inputs))
	}
	if j := byKey["pv-gender"]; !j.Good() {
		t.Errorf("pv-gender: %+v", j)
	}
	if j := byKey["pv-name-first-name"]; !j.Good() {
		t.Errorf("a name compares without regard to case: %+v", j)
	}
	if j := byKey["pv-name-nickname"]; !j.Good() || !j.ExpectedBlank {
		t.Errorf("a nickname the story leaves blank counts when left blank: %+v", j)
	}
	if _, ok := byKey["where-exploitation-happened-uk-city-10"]; !ok {
		t.Error("the tenth town is an input of the UK route")
	}
	if _, ok := byKey["where-exploitation-happened-overseas-country-1"]; ok {
		t.Error("a country counted on a UK-only route")
	}
	if _, ok := byKey["does-pv-have-children-yes-amount"]; !ok {
		t.Error("a follow-up counts whatever its parent's answer")
	}
	all, n := m.All()
	some, na := m.Answerable()
	if na >= n || some > all {
		t.Errorf("the figure without expected blanks (%d/%d) must leave them out of both sides (%d/%d)", some, na, all, n)
	}
}

// Waymark's draft keeps the form's own input keys, every one of them; the
// only differences are the exploitation boxes, one group in the draft, and
// the consent page, which asks a child nothing.
func TestTheDraftsFieldsAreTheFormsInputs(t *testing.T) {
	c, now := mustCase(t, "groomed-girl")
	noField, noInput := nrm.UnmappedInputs(nrm.Assemble(c, cat, now))
	t.Logf("inputs of the form with no field in the draft: %v", noField)
	t.Logf("fields of the draft that are no input of the form: %v", noInput)
	for _, k := range noField {
		t.Errorf("the form's input %s has no field in the draft", k)
	}
	for _, k := range noInput {
		if k != "pv-want-to-submit-nrm" {
			t.Errorf("the draft's field %s is no input of the form", k)
		}
	}
}
