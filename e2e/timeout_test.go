package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"waymark/internal/storetest"
)

// pastTheTimeOut moves the server's clock past the idle time-out: the
// session ends without the test waiting for it.
func (s *screens) pastTheTimeOut() { s.clock.Advance(s.svc.SessionIdle + time.Minute) }

// submitAfterTheTimeOut lets the session end, submits the page's form, and
// checks that the sign-in page says the answers are kept.
func (s *screens) submitAfterTheTimeOut(b *browser) {
	b.t.Helper()
	s.pastTheTimeOut()
	if status := b.submit(); status != 401 {
		b.fatalf("submitting after the session ended: status %d, want 401 and the sign-in page", status)
	}
	b.expectHeading("Sign in to Waymark")
	b.expectText("your answers have not been saved yet")
}

// signInAgain signs in on the sign-in page the expired form showed, and
// checks it goes back to the form, saying its answers are not saved yet.
func (s *screens) signInAgain(b *browser, email, heading string) {
	b.t.Helper()
	b.fill("email", email)
	b.fill("password", storetest.Password)
	if status := b.submit(); status != 200 {
		b.fatalf("signing in again as %s: status %d", email, status)
	}
	b.fill("code", storetest.NextCode(s.db, email, s.clock))
	if status := b.submit(); status != 200 {
		b.fatalf("entering %s's code: status %d", email, status)
	}
	b.expectHeading(heading)
	b.expectText("They have not been saved yet")
}

// radioChecked says whether the radio button name=value is selected.
func (b *browser) radioChecked(name, value string) bool {
	b.t.Helper()
	return run(b, "reading the radio "+name+"="+value, chromedp.Evaluate[bool](fmt.Sprintf(
		`!!document.querySelector('input[type=radio][name=%q][value=%q]:checked')`, name, value)))
}

// For each kind of form — the concern journey, the contact, the outcome, a
// case action (the note), an NRM draft section, and an administrator's form —
// the answers typed before the session ended are on the form again after
// signing in, not yet saved (WCAG 2.2.1, 3.3.7). Without JavaScript, so the
// NRM page's autosave cannot save them first.
func TestEveryKindOfFormKeepsItsAnswersAcrossSigningInAgain(t *testing.T) {
	s := newScreens(t)
	id := s.raise()
	b := s.browser(false)
	const cs, csName = "front.door@cs.example", "Fola Front"
	s.signIn(b, cs, csName)

	// The contact (§6.2).
	b.open("/cases/" + id + "/contact")
	b.tick("method-1")
	b.fill("note", "Rang the school nurse at 10:05; she saw bruising on his wrist")
	s.submitAfterTheTimeOut(b)
	s.signInAgain(b, cs, "Record the contact")
	if got := b.value("note"); got != "Rang the school nurse at 10:05; she saw bruising on his wrist" || !b.checked("method-1") {
		t.Errorf("the contact form after signing in again: note %q, method ticked %v", got, b.checked("method-1"))
	}
	if status := b.submit(); status != 200 || b.path() != "/cases/"+id {
		b.fatalf("submitting the restored contact: status %d, now on %s", status, b.path())
	}

	// The outcome (§6.3).
	b.open("/cases/" + id + "/outcome")
	b.tick("decision-1")
	decision := run(b, "reading the first decision", chromedp.Evaluate[string](`document.getElementById('decision-1').value`))
	b.fill("nextStep", "Strategy discussion with the police tomorrow at 9")
	s.submitAfterTheTimeOut(b)
	s.signInAgain(b, cs, "Record the outcome")
	if got := b.value("nextStep"); got != "Strategy discussion with the police tomorrow at 9" || !b.radioChecked("decision", decision) {
		t.Errorf("the outcome form after signing in again: next step %q, decision %s ticked %v", got, decision, b.radioChecked("decision", decision))
	}

	// A case action: the note (§7.5), through the one mechanism every action page shares.
	b.open("/cases/" + id + "/actions/note")
	note := "He said the older boys call him 'the runner' and keep his phone at night"
	b.fill("text", note)
	s.submitAfterTheTimeOut(b)
	s.signInAgain(b, cs, "Add a case note")
	if got := b.value("text"); got != note {
		t.Errorf("the note after signing in again: %q", got)
	}

	// An NRM draft section (§8.7).
	b.open("/cases/" + id + "/nrm-draft/" + nrmSection)
	answer := "Made to carry packages between two flats in Harbourton after school, four nights a week"
	b.fill(nrmField, answer)
	heading := b.text("h1")
	s.submitAfterTheTimeOut(b)
	s.signInAgain(b, cs, heading)
	if got := b.value(nrmField); got != answer {
		t.Errorf("the NRM section after signing in again: %q", got)
	}
	b.signOut()

	// The concern journey, as the teacher.
	const teacher, teacherName = "dsl@northfield.example", "Tara Teacher"
	s.signIn(b, teacher, teacherName)
	b.nav("/concerns/new")
	b.click(`form[action="/concerns"] button[type="submit"]`)
	b.expectHeading("About the child")
	b.fill("givenNames", "Luan")
	b.fill("familyName", "Berisha")
	b.fill("currentLocation", "In the head of year's office")
	s.submitAfterTheTimeOut(b)
	s.signInAgain(b, teacher, "About the child")
	if g, f, l := b.value("givenNames"), b.value("familyName"), b.value("currentLocation"); g != "Luan" || f != "Berisha" || l != "In the head of year's office" {
		t.Errorf("the child page after signing in again: %q %q, %q", g, f, l)
	}
	b.signOut()

	// An administrator's form: the interpreter register (§7.5).
	const admin, adminName = "admin@cs.example", "Ada Admin"
	s.signIn(b, admin, adminName)
	b.open("/admin/interpreters")
	b.fill("name", "Drita Hoxha")
	b.fill("languages", "Albanian")
	s.submitAfterTheTimeOut(b)
	s.signInAgain(b, admin, "Interpreter register")
	if got := b.value("name"); got != "Drita Hoxha" {
		t.Errorf("the interpreter register after signing in again: name %q", got)
	}
}

// The time-out warning: a modal dialog opens before the session ends, takes
// focus, says how long is left, and passes axe while open; "Stay signed in",
// by keyboard (Escape) or by pressing it, extends the session on the server.
// The browser's clock is moved forward by replacing Date.now, the server's
// by the test clock: nothing waits for real time to pass but the dialog's
// one-second tick.
func TestTheTimeOutWarningOffersToStaySignedIn(t *testing.T) {
	s := newScreens(t)
	id := s.raise()
	b := s.browser(true)
	s.signIn(b, "front.door@cs.example", "Fola Front")
	b.open("/cases/" + id + "/actions/note")
	b.fill("text", "Typed while the warning opens")
	b.do("focusing the note", chromedp.Focus(byID("text")))

	warn := func(what string) {
		b.t.Helper()
		ends := run(b, "reading when the session ends", chromedp.Evaluate[int](`Number(document.getElementById('wm-timeout').dataset.endsIn)`))
		before := run(b, "reading when the warning opens", chromedp.Evaluate[int](`Number(document.getElementById('wm-timeout').dataset.warnBefore)`))
		s.clock.Advance(time.Duration(ends-before+10) * time.Second)
		b.do("moving the browser's clock to the warning ("+what+")", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
			`(() => { const real = window.__realNow || Date.now.bind(Date); window.__realNow = real; const skew = (window.__skew || 0) + %d; window.__skew = skew; Date.now = () => real() + skew; })()`,
			(ends-before+10)*1000)))
		b.do("waiting for the warning", chromedp.WaitVisible(`#wm-timeout`))
		if focused := run(b, "reading the focus", chromedp.Evaluate[string](`document.activeElement.id`)); focused != "wm-timeout-title" {
			t.Errorf("%s: the warning opened but focus is on %q, not its heading", what, focused)
		}
		if live := b.text("[data-wm-timeout-live]"); !strings.Contains(live, "You will be signed out in") {
			t.Errorf("%s: the live region says %q", what, live)
		}
		if vs := b.runAxe(); len(vs) > 0 {
			for _, v := range vs {
				t.Errorf("%s: axe violation with the warning open: %s: %s", what, v.ID, v.Help)
			}
		}
	}
	stayed := func(what string) {
		b.t.Helper()
		b.do("waiting for the warning to close", chromedp.WaitNotVisible(`#wm-timeout`))
		if focused := run(b, "reading the focus", chromedp.Evaluate[string](`document.activeElement.id`)); focused != "text" {
			t.Errorf("%s: after staying signed in, focus is on %q, not back on the note", what, focused)
		}
	}

	warn("first")
	b.do("pressing Escape", chromedp.KeyEvent("\u001b"))
	stayed("Escape")

	warn("second")
	b.do("pressing Stay signed in", chromedp.Click(`[data-wm-timeout-stay]`))
	stayed("Stay signed in")
	if got := b.value("text"); got != "Typed while the warning opens" {
		t.Errorf("the note lost its text while the warning was open: %q", got)
	}

	// On the server, well past the idle time-out since the last page but
	// not since staying signed in: still signed in.
	s.clock.Advance(20 * time.Minute)
	b.open("/")
	b.expectHeading("Hello, Fola Front")
}
