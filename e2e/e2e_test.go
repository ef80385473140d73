package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/London on machines without a zoneinfo database

	"waymark/internal/demo"
)

const demoPassword = demo.Password

// The demo users the tests sign in as (internal/demo/demo.go).
const (
	teacherEmail = "teacher@northfield.example"
	teacherName  = "Hannah Okafor"
	csEmail      = "cs.worker@eastshire.example"
	csName       = "Sam Whitfield"
	gpEmail      = "gp@riverside.example"
	gpName       = "Dr Priya Raman"
	youthEmail   = "youth.worker@opendoor.example"
	youthName    = "Jamie Fletcher"
)

// The child of the concern the teacher raises. The name is in no demo story.
const (
	childGiven  = "Arben"
	childFamily = "Krasniqi"
	childName   = childGiven + " " + childFamily
)

// The indicators the teacher ticks, with what they saw for each.
var indicators = []struct{ id, evidence string }{
	{"general.large-sums-of-money", "On 3 March he showed a classmate about £300 in cash in the Year 9 cloakroom."},
	{"general.missing-episodes", "Absent without explanation three Mondays in a row; his aunt said he was 'visiting friends'."},
	{"general.phone-but-no-money", "Has two phones, one new, but cannot pay for school lunch."},
}

// raisedCase is the case TestTeacherRaisesConcern… sent, for the tests after it.
var raisedCase struct{ path, child string }

var referencePattern = regexp.MustCompile(`CS-(\d{4})-\d{6}`)

func TestTeacherRaisesConcernAndChildrensServicesGivesReferenceAndOutcome(t *testing.T) {
	b := newBrowser(t, true)

	// The teacher raises the concern.
	b.signIn(teacherEmail, teacherName)
	b.nav("/concerns/new")
	b.expectHeading("Raise a concern about a child")
	b.click(`form[action="/concerns"] button[type="submit"]`)
	b.expectHeading("About the child")
	if p := b.path(); !strings.HasSuffix(p, "/child") {
		b.fatalf("Start now went to %s, want the child page of a new draft", p)
	}

	// The child page, with "where is the child now" left empty first.
	b.fill("givenNames", childGiven)
	b.fill("familyName", childFamily)
	b.fill("aliases", "Beni\nAK")
	b.fill("estimatedAge", "15")
	b.tick("ageUncertain")
	b.tick("gender-1") // Male
	b.fill("nationality", "Albanian")
	b.fill("languages", "Albanian\nEnglish")
	b.fill("dialect", "Gheg")
	if status := b.submit(); status != 422 {
		t.Errorf("saving the child page without where the child is now: status %d, want 422", status)
	}
	b.expectHeading("About the child")
	if !b.exists(`.govuk-error-summary`) {
		b.fatalf("no GOV.UK error summary after leaving 'Where is the child now?' empty")
	}
	link := `.govuk-error-summary__list a[href="#currentLocation"]`
	if !b.exists(link) {
		b.fatalf("the error summary has no link to #currentLocation; it says: %s", b.text(".govuk-error-summary"))
	}
	if got := b.text(link); !strings.Contains(got, "Enter where the child is now") {
		t.Errorf("error summary link says %q, want it to ask where the child is now", got)
	}
	if !b.exists(`#currentLocation-error`) || !b.exists(`#currentLocation.govuk-input--error`) {
		t.Errorf("the field 'Where is the child now?' is not marked as in error")
	}
	if title := b.title(); !strings.HasPrefix(title, "Error: ") {
		t.Errorf("page title %q does not start with 'Error: '", title)
	}
	for id, want := range map[string]string{
		"givenNames": childGiven, "familyName": childFamily, "aliases": "Beni\nAK", "estimatedAge": "15",
		"nationality": "Albanian", "languages": "Albanian\nEnglish", "dialect": "Gheg", "currentLocation": "",
	} {
		if got := b.value(id); got != want {
			t.Errorf("after the error, #%s holds %q, want the answer typed before: %q", id, got, want)
		}
	}
	for _, id := range []string{"ageUncertain", "gender-1"} {
		if !b.checked(id) {
			t.Errorf("after the error, #%s is no longer ticked", id)
		}
	}
	// The summary's link takes the user to the field (GOV.UK Frontend focuses it).
	b.do("following the error summary link", clickInPage(link))
	b.waitFocus("currentLocation")
	b.fill("currentLocation", "In the school's medical room with the school nurse")
	if status := b.submit(); status != 200 {
		t.Errorf("saving the child page: status %d, want 200", status)
	}

	// What happened: two hours ago, in London time.
	b.expectHeading("What happened")
	when := time.Now().Add(-2 * time.Hour).In(london(t))
	b.fill("identifiedAt", fmt.Sprint(when.Day()))
	b.fill("identifiedAt-month", fmt.Sprint(int(when.Month())))
	b.fill("identifiedAt-year", fmt.Sprint(when.Year()))
	b.fill("identifiedTime", when.Format("15:04"))
	b.fill("identifiedWhere", "Northfield Academy, Year 9 classroom")
	b.fill("summary", "Arben told me an older man he calls 'uncle' makes him carry packages to Eastport after school. He was frightened and said he owes them money.")
	b.tick("immediateRisk") // Yes
	b.tick("policeInformed")
	b.fill("policeReference", "EP-2026-0042")
	b.submit()

	// Suspected exploitation: two types, family suspected.
	b.expectHeading("Suspected exploitation")
	b.tick("exploitationTypes-2") // Criminal exploitation
	b.tick("exploitationTypes-3") // County lines
	b.tick("familySuspected")     // Yes
	b.submit()

	// Indicators: three.
	b.expectHeading("Indicators you observed")
	for _, in := range indicators {
		b.tick("ind-" + in.id)
	}
	b.submit()

	// Evidence: a note for each indicator.
	b.expectHeading("What you saw for each indicator")
	for _, in := range indicators {
		b.fill("evidence-"+in.id, in.evidence)
	}
	b.submit()

	// Immediate actions.
	b.expectHeading("Which immediate actions have you taken?")
	b.tick("immediateActions")   // Assess whether the child is at risk right now
	b.tick("immediateActions-2") // Call the police
	b.tick("immediateActions-7") // Tell the safeguarding lead
	b.submit()

	// Check your answers.
	b.expectHeading("Check your answers before sending")
	b.expectText(childName, "Beni, AK", "Estimated age 15 (age uncertain", "Male", "Albanian", "Gheg",
		"In the school's medical room with the school nurse",
		"Northfield Academy, Year 9 classroom", "Yes – police informed: Yes",
		"Criminal exploitation", "County lines drug supply", "Yes – do not contact the family",
		"Carries a lot of cash or several bank cards", indicators[0].evidence, indicators[2].evidence,
		"Tell your organisation's modern slavery or safeguarding lead",
		"You suspect the family or carers. Do not tell them about this concern.")
	b.click(`form[action$="/check"] button[type="submit"]`)

	// The case page.
	b.expectHeading(childName)
	if got := b.text(".govuk-notification-banner--success"); !strings.Contains(got, "Your concern has been sent to Children's Services") {
		t.Errorf("success banner says %q", got)
	}
	b.expectWarnings("Family or carers are suspected", "Age uncertain", "Immediate risk")
	b.expectText("Reference not issued yet")
	casePath := b.path()
	if !regexp.MustCompile(`^/cases/[^/]+$`).MatchString(casePath) {
		b.fatalf("sending the concern landed on %s, want /cases/ID", casePath)
	}
	raisedCase.path, raisedCase.child = casePath, childName
	b.signOut()

	// Children's Services records the contact and the outcome.
	b.signIn(csEmail, csName)
	b.nav("/inbox")
	b.expectHeading("Children's Services inbox")
	follow(b, childLink(childName))
	if p := b.path(); p != casePath {
		b.fatalf("the inbox link for %s went to %s, want %s", childName, p, casePath)
	}
	b.expectHeading(childName)
	b.expectWarnings("Family or carers are suspected", "Age uncertain", "Immediate risk")

	b.click(`a.govuk-button[href="` + casePath + `/contact"]`)
	b.expectHeading("Record the contact")
	b.tick("method") // Phone call to the safeguarding team
	b.fill("note", "Mrs Okafor phoned the duty desk; police already informed.")
	b.submit()
	b.expectHeading(childName)
	banner := b.text(".govuk-notification-banner--success")
	m := referencePattern.FindStringSubmatch(banner)
	if m == nil {
		b.fatalf("after recording the contact the banner says %q, want a reference CS-<year>-NNNNNN", banner)
	}
	ref := m[0]
	if year := fmt.Sprint(time.Now().In(london(t)).Year()); m[1] != year {
		t.Errorf("reference %s is not of this year (%s)", ref, year)
	}
	if got := b.text(".govuk-caption-l"); got != "Children's Services reference "+ref {
		t.Errorf("case caption is %q, want the reference %s", got, ref)
	}
	b.open(casePath + "/children-services") // the contact in full is on Children's Services' page of the case
	b.expectText("Phone call to the safeguarding team")
	b.open(casePath)

	outcomeNext := "A strategy discussion with police and school is set for tomorrow at 10am. Keep Arben in school and do not contact his aunt."
	b.click(`a.govuk-button[href="` + casePath + `/outcome"]`)
	b.expectHeading("Record the outcome")
	b.tick("decision") // Strategy discussion to be held (§6.7)
	b.fill("nextStep", outcomeNext)
	b.submit()
	b.expectHeading(childName)
	b.expectText("Outcome recorded", "Strategy discussion to be held (§6.7)", outcomeNext)
	b.signOut()

	// The teacher sees the reference, the outcome and the next step.
	b.signIn(teacherEmail, teacherName)
	b.nav("/cases")
	b.expectHeading("Your cases")
	follow(b, childLink(childName))
	b.expectHeading(childName)
	b.expectText("Children's Services reference "+ref, "Strategy discussion to be held (§6.7)", outcomeNext)
	b.signOut()
}

func TestOtherOrganisationGets404ForTheCase(t *testing.T) {
	b := newBrowser(t, true)
	path, child := raisedCase.path, raisedCase.child
	if path == "" {
		// Run on its own: take a case the teacher raised in the demo.
		b.signIn(teacherEmail, teacherName)
		b.nav("/cases")
		sel := `main table a[href^="/cases/"]`
		path = b.attr(sel, "href")
		child = strings.TrimSpace(b.text(sel))
		b.signOut()
	}

	b.signIn(gpEmail, gpName)
	if status := b.open(path); status != 404 {
		t.Errorf("GP opening %s: status %d, want 404", path, status)
	}
	b.expectHeading("Page not found")
	html := b.html()
	for _, name := range strings.Fields(child) {
		if strings.Contains(html, name) {
			t.Errorf("the GP's 404 page for %s mentions %q from the child's name %q", path, name, child)
		}
	}
	b.signOut()
}

func TestPagesWorkWithoutJavaScript(t *testing.T) {
	b := newBrowser(t, false)
	b.signIn(youthEmail, youthName) // every page checks that waymark.js did not run
	b.nav("/concerns/new")
	b.expectHeading("Raise a concern about a child")
	b.click(`form[action="/concerns"] button[type="submit"]`)
	b.expectHeading("About the child")
	b.fill("givenNames", "Dana")
	b.fill("estimatedAge", "14")
	b.tick("gender") // Female
	b.fill("currentLocation", "At the youth project with a youth worker")
	if status := b.submit(); status != 200 {
		t.Errorf("saving the child page without JavaScript: status %d, want 200", status)
	}
	b.expectHeading("What happened")
	if p := b.path(); !strings.HasSuffix(p, "/encounter") {
		t.Errorf("after the child page the browser is on %s, want the encounter page", p)
	}
	b.signOut()
}
