package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The keyboard tests press keys and never click: Tab and Shift+Tab move the
// focus, Enter follows a link or presses a button, Space ticks a checkbox,
// opens a group or presses a button, the arrow keys choose within a group of
// radios or a list (as a keyboard user does), and text is typed key by key.

// maxTabs is how many Tab presses may pass looking for one control: more
// means the control is not in the tab order.
const maxTabs = 120

// focused describes the element with the focus, for failure messages.
func (b *browser) focused() string {
	b.t.Helper()
	return run(b, "reading the focus", chromedp.Evaluate[string](
		`(e => e ? e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + (e.innerText || e.value || '').trim().slice(0, 40) : 'nothing')(document.activeElement)`))
}

// tabTo presses Tab, or Shift+Tab when the control is before the focus,
// until the focus is on the first element matching the CSS selector. It
// fails if the control is not reached: not in the tab order, or hidden.
func (b *browser) tabTo(sel string) {
	b.t.Helper()
	// -1: the control is before the focus; 1: after it, or nothing has the focus.
	dir := run(b, "finding "+sel, chromedp.Evaluate[int](fmt.Sprintf(`(() => {
		const t = document.querySelector(%q), f = document.activeElement;
		if (!t) return 0;
		if (!f || f === document.body || f === t) return 1;
		return f.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_PRECEDING ? -1 : 1;
	})()`, sel)))
	if dir == 0 {
		b.fatalf("there is no %s on the page", sel)
	}
	var opts []chromedp.KeyOption
	if dir < 0 {
		opts = append(opts, chromedp.KeyModifiers(chromedp.ModifierShift))
	}
	at := fmt.Sprintf(`document.activeElement && document.activeElement.matches(%q)`, sel)
	for range maxTabs {
		if run(b, "reading the focus", chromedp.Evaluate[bool](at)) {
			return
		}
		b.do("pressing Tab", press(kb.Tab, opts...))
	}
	b.fatalf("%d presses of Tab did not reach %s; the focus is on %s", maxTabs, sel, b.focused())
}

// tabToID is tabTo the element with this id.
func (b *browser) tabToID(id string) { b.t.Helper(); b.tabTo(`[id="` + id + `"]`) }

// press is chromedp.KeyEvent as a keyboard sends a key: one keyDown that
// carries the character, then keyUp. (KeyEvent sends the character as an
// event of its own, which then reaches whatever the keyDown moved the focus
// to: Enter on a link to a checkbox would press Enter on the checkbox too.)
func press(keys string, opts ...chromedp.KeyOption) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, r := range keys {
			var down *input.DispatchKeyEventParams
			for _, k := range kb.Encode(r) {
				for _, o := range opts {
					o(k)
				}
				switch k.Type {
				case kb.KeyDown:
					down = k
					continue
				case kb.KeyChar:
					down.Text, down.UnmodifiedText = k.Text, k.UnmodifiedText
					continue
				}
				if down.Text == "" {
					down.Type = input.DispatchKeyEventTypeRawKeyDown // a key that types nothing
				}
				if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, *down); err != nil {
					return err
				}
				if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, *k); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// key presses keys on the focused element, for a press that stays on the page.
func (b *browser) key(keys string) {
	b.t.Helper()
	b.do("pressing "+fmt.Sprintf("%q", keys), press(keys))
}

// keyLoads presses a key that loads a new page (Enter on a link or a
// submit button, Space on a link styled as a button), and checks that page.
func (b *browser) keyLoads(keys string) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, press(keys))
	if err != nil {
		b.fatalf("pressing %q on %s and waiting for the next page: %v", keys, b.focused(), err)
	}
	return b.landed(resp)
}

// typeInto tabs to the field with this id and types the text.
func (b *browser) typeInto(id, text string) {
	b.t.Helper()
	b.tabToID(id)
	b.key(text)
	if got := b.value(id); got != text {
		b.fatalf("#%s holds %q after typing %q into it", id, got, text)
	}
}

// ticked reports whether the checkbox or radio with this id is ticked, read
// by script rather than by DOM node, which focus and scrolling can renew.
func (b *browser) ticked(id string) bool {
	b.t.Helper()
	return run(b, "reading whether #"+id+" is ticked", chromedp.Evaluate[bool](fmt.Sprintf(`!!(document.getElementById(%q) || {}).checked`, id)))
}

// tickByKey tabs to the checkbox with this id and ticks it with Space.
func (b *browser) tickByKey(id string) {
	b.t.Helper()
	b.tabToID(id)
	b.key(" ")
	if !b.ticked(id) {
		b.fatalf("#%s is not ticked after pressing Space on it", id)
	}
}

// chooseByKey tabs into the group of radios and presses the down arrow
// until the radio with this id is chosen (the tab order holds one radio of a
// group: the chosen one, or the first).
func (b *browser) chooseByKey(id string) {
	b.t.Helper()
	name := b.attr(`[id="`+id+`"]`, "name")
	b.tabTo(fmt.Sprintf(`input[type=radio][name=%q]`, name))
	if !run(b, "reading the focused radio", chromedp.Evaluate[bool](`document.activeElement.checked`)) {
		b.key(" ") // the first radio has the focus but is not chosen yet
	}
	for range 20 {
		if b.ticked(id) {
			return
		}
		b.key(kb.ArrowDown)
	}
	b.fatalf("the arrow keys did not choose #%s", id)
}

// followByKey tabs to the link or button matching the selector and presses
// Enter, which loads a page.
func (b *browser) followByKey(sel string) int64 {
	b.t.Helper()
	b.tabTo(sel)
	return b.keyLoads(kb.Enter)
}

// submitByKey tabs to the main form's submit button and presses Enter.
func (b *browser) submitByKey() int64 {
	b.t.Helper()
	return b.followByKey(`#main-content form[method="post"] button[type="submit"]`)
}

// signInByKey signs in with the keyboard alone.
func (b *browser) signInByKey(email, name string) {
	b.t.Helper()
	if b.pages == 0 || b.path() != "/sign-in" {
		b.open("/sign-in")
	}
	b.typeInto("email", email)
	b.typeInto("password", demoPassword)
	if status := b.submitByKey(); status != 200 {
		b.fatalf("signing in as %s: status %d", email, status)
	}
	b.expectHeading("Enter the code from your authenticator app")
	b.typeInto("code", demoCode(email))
	if status := b.submitByKey(); status != 200 {
		b.fatalf("entering %s's code: status %d", email, status)
	}
	b.expectHeading("Hello, " + name)
}

// signOutByKey presses Sign out in the header with Enter.
func (b *browser) signOutByKey() {
	b.t.Helper()
	b.followByKey(`form.wm-sign-out button[type="submit"]`)
	b.expectHeading("Sign in to Waymark")
}

// Each role's main journey with the keyboard alone: the teacher raises a
// concern, Children's Services record the contact and the outcome, the
// social worker adds a note to the case, and the administrator adds a
// member of staff. Every page on the way is checked with axe-core; the skip
// link and the Space key on a link styled as a button work.
func TestEachRolesMainJourneyWithTheKeyboardAlone(t *testing.T) {
	b := newBrowserFor(t, true, 10*time.Minute)
	const given, family = "Keyon", "Tabbard"

	// The teacher raises a concern. The skip link is the first stop.
	b.open("/sign-in")
	b.key(kb.Tab)
	if f := b.focused(); !strings.HasPrefix(f, "a Skip to main content") {
		t.Errorf("the first Tab reaches %s, want the skip link", f)
	}
	b.signInByKey(teacherEmail, teacherName)
	// "Raise a concern about a child" is a link styled as a button: Space presses it.
	b.tabTo(`main a.govuk-button[href="/concerns/new"]`)
	b.keyLoads(" ")
	b.expectHeading("Raise a concern about a child")
	b.submitByKey()
	b.expectHeading("About the child")
	b.typeInto("givenNames", given)
	b.typeInto("familyName", family)
	b.typeInto("estimatedAge", "14")
	b.chooseByKey("gender-1")
	b.typeInto("currentLocation", "School office")
	b.submitByKey()
	b.expectHeading("What happened")
	when := time.Now().Add(-time.Hour).In(london(t))
	b.typeInto("identifiedAt", fmt.Sprint(when.Day()))
	b.typeInto("identifiedAt-month", fmt.Sprint(int(when.Month())))
	b.typeInto("identifiedAt-year", fmt.Sprint(when.Year()))
	b.typeInto("identifiedTime", when.Format("15:04"))
	b.typeInto("identifiedWhere", "Northfield Academy")
	b.typeInto("summary", "He said a man makes him carry parcels.")
	b.chooseByKey("immediateRisk-1") // No
	b.submitByKey()
	b.expectHeading("Suspected exploitation")
	b.tickByKey("exploitationTypes-2") // Criminal exploitation
	b.chooseByKey("familySuspected-1") // No
	b.submitByKey()

	// Indicators: sent with none ticked, the error summary's link is followed
	// with Enter, to the first checkbox, in its group shown open.
	b.expectHeading("Indicators you observed")
	if status := b.submitByKey(); status != 422 {
		t.Errorf("sending no indicators: status %d, want 422", status)
	}
	link := `.govuk-error-summary__list a`
	b.tabTo(link)
	target := strings.TrimPrefix(b.attr(link, "href"), "#")
	b.key(kb.Enter)
	b.waitFocus(target)
	if !b.ticked(target) {
		b.key(" ")
	}
	if !b.ticked(target) {
		b.fatalf("Space on #%s, reached from the error summary, did not tick it", target)
	}
	// A group still closed opens with Enter on its summary.
	b.tabTo(`main details:not([open]) summary`)
	b.key(kb.Enter)
	b.submitByKey()
	b.expectHeading("What you saw for each indicator")
	b.typeInto("evidence-"+strings.TrimPrefix(target, "ind-"), "Seen with a new phone.")
	b.submitByKey()
	b.expectHeading("Which immediate actions have you taken?")
	b.tickByKey("immediateActions-7") // Tell the safeguarding lead
	b.submitByKey()
	b.expectHeading("Check your answers before sending")
	b.followByKey(`form[action$="/check"] button[type="submit"]`)
	b.expectHeading(given + " " + family)
	casePath := b.path()
	b.signOutByKey()

	// Children's Services record the contact and the outcome.
	b.signInByKey(csEmail, csName)
	b.followByKey(`.govuk-service-navigation__link[href="/inbox"]`)
	b.followByKey(`main table a[href="` + casePath + `"]`)
	b.expectHeading(given + " " + family)
	b.followByKey(`a.govuk-button[href="` + casePath + `/contact"]`)
	b.expectHeading("Record the contact")
	b.chooseByKey("method") // Phone call to the safeguarding team
	b.typeInto("note", "The school phoned.")
	b.submitByKey()
	b.expectHeading(given + " " + family)
	b.expectText("Contact recorded")
	b.followByKey(`a.govuk-button[href="` + casePath + `/outcome"]`)
	b.expectHeading("Record the outcome")
	b.chooseByKey("decision") // Strategy discussion to be held
	b.typeInto("nextStep", "Strategy discussion tomorrow.")
	b.submitByKey()
	b.expectText("Outcome recorded", "Strategy discussion tomorrow.")
	b.signOutByKey()

	// The social worker adds a note to the case: an action on the case.
	b.signInByKey("social.worker@eastshire.example", "Grace Adeyemi")
	b.followByKey(`.govuk-service-navigation__link[href="/cases"]`)
	b.followByKey(`main a[href="` + casePath + `"]`)
	// Notes live on the case's "People and notes" page.
	b.followByKey(`main a[href="` + casePath + `/people"]`)
	b.followByKey(`main a[href="` + casePath + `/actions/note"]`)
	b.typeInto("text", "Spoke to the school; he is safe at home tonight.")
	b.submitByKey()
	b.expectHeading(given + " " + family)
	b.followByKey(`main a#saved-area`)
	b.expectText("he is safe at home tonight")
	b.signOutByKey()

	// The administrator adds a member of staff.
	b.signInByKey("admin@eastshire.example", "Alex Morgan")
	b.followByKey(`.govuk-service-navigation__link[href="/admin/staff"]`)
	b.followByKey(`main a[href="/admin/staff/new"]`)
	b.typeInto("name", "Kim Keyboard")
	b.typeInto("email", "kim.keyboard@eastshire.example")
	// A closed select takes the next option with the down arrow.
	b.tabToID("organisation")
	b.key(kb.ArrowDown)
	if got := b.value("organisation"); got == "" {
		b.fatalf("the down arrow on the organisation list chose nothing")
	}
	b.chooseByKey("role")
	b.submitByKey()
	b.expectText("Kim Keyboard")
	b.signOutByKey()
}
