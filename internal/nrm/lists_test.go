package nrm_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"waymark/internal/catalog"
	"waymark/internal/nrm"
	"waymark/internal/pathway"
)

// The form's list questions take only the exact value of one of their
// list's entries (§8.7: what the form refuses cannot be transferred).

// refusedProposals is every proposal of the draft the form would refuse,
// on the route or not, as text for a failure message.
func refusedProposals(d nrm.Draft) []string {
	var out []string
	for _, p := range nrm.ProposalRefusals(d) {
		out = append(out, p.Field+": "+p.Message)
	}
	return out
}

// Nothing Waymark proposes for the sample cases is refused by the form:
// every list answer is an entry of its list, every choice one of the
// form's, and every text within the form's rules, whatever the
// administrator has mapped and whoever is drafting.
func TestNoProposalBreaksAFormRule(t *testing.T) {
	lists := catalog.MustLoadHOLists()
	mapped := nrm.Context{
		Organisations: map[string]nrm.HOMapping{
			"org-police": {Organisation: "Bedfordshire Police", PoliceForce: "Bedfordshire Police"},
			"org-cs":     {Organisation: "Bedford Borough Council", LocalAuthority: "Bedford Borough Council"},
			"org-border": {Organisation: "Home Office - UK Border Force UKBF"},
		},
		Partnership: nrm.HOMapping{LocalAuthority: "Bedford Borough Council", PoliceForce: "Bedfordshire Police"},
	}
	type sample struct {
		name string
		c    pathway.Case
		now  time.Time
	}
	var samples []sample
	for _, sc := range sampleCases {
		c, now := mustCase(t, sc.name)
		samples = append(samples, sample{sc.name, c, now})
	}
	busy, now := busyCase(t)
	samples = append(samples, sample{"busy", busy, now})
	for _, sc := range samples {
		c, now := sc.c, sc.now
		for _, ctx := range []nrm.Context{{}, mapped, {Drafter: &policeLead}} {
			for _, k := range []nrm.Kind{nrm.Referral, nrm.Reconsideration} {
				d := nrm.AssembleWith(k, c, cat, now, ctx)
				if refused := refusedProposals(d); len(refused) > 0 {
					t.Errorf("%s %s: the form would refuse:\n%s", sc.name, k, strings.Join(refused, "\n"))
				}
				for _, f := range d.Fields() {
					if f.Type == nrm.TypeSelect && f.Proposed != "" && !lists.Has(f.HOList, f.Proposed) {
						t.Errorf("%s: %s proposes %q, not an entry of %s", sc.name, f.ID, f.Proposed, f.HOList)
					}
				}
			}
		}
	}
}

func TestEverySelectNamesItsList(t *testing.T) {
	for _, ff := range formFields(nrm.FormFor(nrm.Referral)) {
		if ff.Type == nrm.TypeSelect && !slices.Contains(catalog.HOListNames, ff.HOList) {
			t.Errorf("%s names no Home Office list", ff.ID)
		}
	}
}

func formFields(f *nrm.Form) []nrm.FormField {
	var out []nrm.FormField
	for _, s := range f.Sections {
		for _, p := range s.Pages {
			out = append(out, p.Fields...)
		}
	}
	return out
}

// A list answer the team types is reported unless it is exactly an entry:
// not its case, not words around it.
func TestAListAnswerMustBeExactlyAnEntry(t *testing.T) {
	for _, v := range []string{"Eritrean (his own account)", "eritrean", " Eritrean x"} {
		d := draftWith(t, map[string]string{"pv-nationality": v})
		wantProblem(t, d, "pv-nationality", nrm.ProblemNotListed, true, "not an entry of the form's list of nationalities", "'Eritrean'")
	}
	d := draftWith(t, map[string]string{"pv-nationality": "Eritrean", "reported-to-police-police-forces": "Cleveland Police"})
	wantNoProblem(t, d, "pv-nationality")
	wantNoProblem(t, d, "reported-to-police-police-forces")
	d = draftWith(t, map[string]string{"reported-to-police-police-forces": "Westmere Police"})
	wantProblem(t, d, "reported-to-police-police-forces", nrm.ProblemNotListed, true, "police forces")
}

// What the case says for a list question is proposed only when it names
// an entry outright; otherwise the answer stays empty and what the case
// says is kept beside it with the nearest entries (§8.8: the child's own
// words are not lost).
func TestAProposalThatIsNoEntryBecomesASuggestion(t *testing.T) {
	c, now := mustCase(t, "child-from-abroad")
	c.Concern.Child.Nationality = "Eritrean (his own account)"
	f := field(t, nrm.Assemble(c, cat, now), "pv-nationality")
	if f.Proposed != "" || f.Value != "" {
		t.Fatalf("%q is offered as the answer", f.Value)
	}
	if f.Suggestion != "Eritrean (his own account)" || !slices.Contains(f.Nearest, "Eritrean") || !strings.Contains(f.Source, "'Eritrean'") {
		t.Errorf("suggestion %q, nearest %q, source %q: want what the case says, with 'Eritrean' near it", f.Suggestion, f.Nearest, f.Source)
	}
	// Spelled differently but naming the entry outright: the entry's value.
	c.Concern.Child.Nationality = "eritrean"
	if f := field(t, nrm.Assemble(c, cat, now), "pv-nationality"); f.Proposed != "Eritrean" || f.Suggestion != "" {
		t.Errorf("'eritrean' proposes %q (suggestion %q), want the entry 'Eritrean'", f.Proposed, f.Suggestion)
	}
}

func field(t *testing.T, d nrm.Draft, id string) nrm.Field {
	t.Helper()
	f, ok := d.Field(id)
	if !ok {
		t.Fatalf("no field %s", id)
	}
	return *f
}

// The First Responder organisation, the local authority and the police
// force come from how an administrator mapped each organisation, once; an
// organisation not mapped yet gives no answer and says so.
func TestTheOrganisationsComeFromTheAdministratorsMapping(t *testing.T) {
	c, now := mustCase(t, "county-lines-boy") // lead First Responder: Westmere Police
	const org, la, police = "user-organisation", "local-authority-contacted-about-child-local-authority-name", "reported-to-police-police-forces"

	d := nrm.AssembleWith(nrm.Referral, c, cat, now, nrm.Context{})
	for _, id := range []string{org, la, police} {
		if f := field(t, d, id); f.Proposed != "" || !strings.Contains(f.Source, "An administrator maps each organisation") {
			t.Errorf("%s unmapped: proposes %q; source %q", id, f.Proposed, f.Source)
		}
	}
	// 'Westmere Police' shares only the word 'police' with every force:
	// no force is nearer than another, so none is suggested.
	if f := field(t, d, police); f.Suggestion != "Westmere Police" || len(f.Nearest) > 0 {
		t.Errorf("police force: suggestion %q, nearest %q; want no force suggested for a shared word", f.Suggestion, f.Nearest)
	}

	ctx := nrm.Context{Organisations: map[string]nrm.HOMapping{
		"org-police": {Organisation: "Bedfordshire Police", PoliceForce: "Bedfordshire Police"},
		"org-cs":     {Organisation: "Bedford Borough Council", LocalAuthority: "Bedford Borough Council"},
	}}
	d = nrm.AssembleWith(nrm.Referral, c, cat, now, ctx)
	for id, want := range map[string]string{org: "Bedfordshire Police", la: "Bedford Borough Council", police: "Bedfordshire Police"} {
		if f := field(t, d, id); f.Proposed != want {
			t.Errorf("%s = %q, want %q from the mapping; source %q", id, f.Proposed, want, f.Source)
		}
	}

	// Without the organisations' own entries, the partnership's.
	d = nrm.AssembleWith(nrm.Referral, c, cat, now, nrm.Context{Partnership: nrm.HOMapping{LocalAuthority: "Luton Borough Council", PoliceForce: "Cleveland Police"}})
	for id, want := range map[string]string{org: "", la: "Luton Borough Council", police: "Cleveland Police"} {
		if f := field(t, d, id); f.Proposed != want {
			t.Errorf("%s = %q, want %q from the partnership", id, f.Proposed, want)
		}
	}

	// A mapping that is not an entry (a list changed since) is not offered.
	d = nrm.AssembleWith(nrm.Referral, c, cat, now, nrm.Context{Partnership: nrm.HOMapping{LocalAuthority: "Westmere"}})
	if f := field(t, d, la); f.Proposed != "" || f.Suggestion != "Westmere" {
		t.Errorf("a mapped value that is no entry: proposed %q, suggestion %q", f.Proposed, f.Suggestion)
	}
}

// §7.4: the route follows the age answer. When it changes to 'no', the
// child-only page (the local authority contacted) leaves the route: its
// answers are kept but set aside, not counted, checked or sent, and come
// back when the answer changes back.
func TestChangingTheAgeAnswerSetsAsideTheChildOnlyPage(t *testing.T) {
	c, now := mustCase(t, "county-lines-boy")
	base := nrm.Assemble(c, cat, now)
	const phone = "local-authority-contacted-about-child-local-authority-phone"
	child := nrm.ApplyEdits(base, []nrm.Edit{{Field: phone, Version: 1, Value: "01632 960000"}})
	if f := field(t, child, phone); !f.Shown || f.SetAside {
		t.Fatalf("for a child the local authority's phone is on the route: %+v", f)
	}
	_, before := nrm.Coverage(child)

	adult := nrm.ApplyEdits(base, []nrm.Edit{{Field: phone, Version: 1, Value: "01632 960000"}, {Field: "pv-under-age", Version: 1, Value: "no"}})
	f := field(t, adult, phone)
	if f.Shown || !f.SetAside || f.Value != "01632 960000" {
		t.Fatalf("after 'no': shown %v, set aside %v, value %q: want kept and set aside", f.Shown, f.SetAside, f.Value)
	}
	for _, id := range []string{"local-authority-contacted-about-child-local-authority-first-name", "local-authority-contacted-about-child-local-authority-last-name"} {
		if f := field(t, adult, id); !f.SetAside {
			t.Errorf("%s, proposed %q, is not set aside", id, f.Value)
		}
	}
	if f := field(t, adult, "local-authority-contacted-about-child-local-authority-email"); f.SetAside {
		t.Error("an empty answer off the route is set aside: nothing is kept")
	}
	for _, p := range nrm.Check(adult) {
		if strings.HasPrefix(p.Field, "local-authority-contacted-about-child") {
			t.Errorf("a set-aside answer is checked: %+v", p)
		}
	}
	wantProblem(t, adult, "pv-under-age", nrm.ProblemRoute, true, "adult route", "set aside")
	if _, after := nrm.Coverage(adult); after != before-5 {
		t.Errorf("%d fields on the route after 'no', %d before: the five local authority answers still count", after, before)
	}
	if text := string(nrm.Text(adult)); strings.Contains(text, "01632 960000") || strings.Contains(text, phone) {
		t.Error("the text export carries a set-aside answer")
	}

	back := nrm.ApplyEdits(base, []nrm.Edit{{Field: phone, Version: 1, Value: "01632 960000"}, {Field: "pv-under-age", Version: 2, Value: "not-sure"}})
	if f := field(t, back, phone); !f.Shown || f.SetAside || f.Value != "01632 960000" {
		t.Errorf("back to 'not sure': %+v, want the kept answer on the route again", f)
	}
}

// Check reports an answer the team types that the form would refuse, and
// ProposalRefusals reports the same of a proposal, on the route or not.
func TestProposalRefusalsSaysWhatTheFormWouldRefuse(t *testing.T) {
	c, now := mustCase(t, "groomed-girl")
	c.Concern.Child.DateOfBirth = now.AddDate(1, 0, 0).Format("2006-01-02")
	d := nrm.Assemble(c, cat, now)
	f := field(t, d, "pv-dob")
	if f.Proposed != "" || f.Suggestion == "" || !strings.Contains(f.Source, "in the future") {
		t.Errorf("a date of birth in the future: proposed %q, suggestion %q, source %q", f.Proposed, f.Suggestion, f.Source)
	}
	if refused := refusedProposals(d); len(refused) > 0 {
		t.Errorf("refused proposals: %q", refused)
	}

	// Evidence that holds an address is not offered in a box that refuses one.
	c, now = mustCase(t, "county-lines-boy")
	// The evidence is what is proposed here, not a last contact recorded as a fact.
	c.Situation.Recorded = slices.DeleteFunc(c.Situation.Recorded, func(r pathway.RecordedFact) bool { return r.Fact == pathway.FactLastContactDetail })
	for i, o := range c.Concern.Indicators {
		if o.ID == "general.unexplained-contact-from-adults" || o.ID == "general.phone-but-no-money" {
			c.Concern.Indicators[i].Evidence = "Messages from dex@line.uk every night."
		}
	}
	c.Concern.Indicators = append(c.Concern.Indicators, pathway.ObservedIndicator{ID: "general.unexplained-contact-from-adults", Evidence: "Messages from dex@line.uk every night."})
	d = nrm.Assemble(c, cat, now)
	f = field(t, d, "details-last-contact")
	if f.Proposed != "" || !strings.Contains(f.Suggestion, "dex@line.uk") || !strings.Contains(f.Source, "'dex@line.uk'") {
		t.Errorf("details-last-contact: proposed %q, suggestion %q, source %q", f.Proposed, f.Suggestion, f.Source)
	}
	if refused := refusedProposals(d); len(refused) > 0 {
		t.Errorf("refused proposals: %q", refused)
	}
}
