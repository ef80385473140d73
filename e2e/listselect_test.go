package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// listChild is a demo case at the NRM whose nationality the demo has already
// chosen as British: choosing it again changes nothing the other tests read.
const listChild = "Kayla Morris"

// §8.7, WCAG 2.2: with JavaScript, the select of one of the Home Office
// form's lists becomes a type-ahead (an editable combobox with a list popup)
// that the keyboard alone drives and that announces how many entries match;
// text that names no entry is posted as typed and refused with a GOV.UK
// error, never dropped; the page fits 320 px; axe-core finds nothing on each
// page, the popup open included.
func TestTheListAutocompleteWithJavaScript(t *testing.T) {
	b := newBrowserFor(t, true, 4*time.Minute)
	b.signIn(socialWorkerEmail, socialWorkerName)
	b.nav("/cases")
	follow(b, childLink(listChild))
	b.expectHeading(listChild)
	page := b.path() + "/actions/child-origin"
	b.open(page)

	if b.attr("#nationality", "role") != "combobox" || !b.exists(`select[name="nationality"][hidden]`) {
		b.fatalf("the nationality select was not enhanced: %s", b.focused())
	}
	if got := b.value("nationality"); got != "British" {
		t.Errorf("the type-ahead starts with %q, want the entry chosen before, British", got)
	}
	// Text that names no entry is refused by the server, with an error that
	// leads back to the type-ahead.
	b.clearInput("nationality")
	b.tabToID("nationality")
	b.key("Eastshire")
	if b.attr("#nationality", "aria-expanded") != "false" || !strings.Contains(b.text(`#nationality ~ [role="status"]`), "No entry matches") {
		t.Errorf("typing what no entry holds: expanded %q, status %q", b.attr("#nationality", "aria-expanded"), b.text(`#nationality ~ [role="status"]`))
	}
	if status := b.submit(); status != 422 {
		b.fatalf("posting text that is no entry: status %d, want 422", status)
	}
	b.expectErrorSummary("nationality")
	b.expectText("Choose the nationality from the Home Office form's list")
	if got := b.value("nationality"); got != "Eastshire" {
		t.Errorf("after the refusal the type-ahead holds %q, want what was typed", got)
	}

	// Typing narrows the list and announces it; the arrows and Enter choose.
	b.clearInput("nationality")
	b.tabToID("nationality")
	b.key("brit")
	if b.attr("#nationality", "aria-expanded") != "true" {
		b.fatalf("typing did not open the list of entries")
	}
	if status := b.text(`#nationality ~ [role="status"]`); !strings.Contains(status, "entries available") {
		t.Errorf("the status announces %q", status)
	}
	if first := b.text(`#nationality-listbox [role="option"]`); first != "British" {
		t.Errorf("the first entry for 'brit' is %q, want British", first)
	}
	b.axeNow("the list of entries open")
	b.narrow("list-autocomplete-open")
	b.key(kb.ArrowDown)
	if active := b.attr("#nationality", "aria-activedescendant"); active != "nationality-option-0" {
		t.Errorf("ArrowDown made %q active, want the first entry", active)
	}
	b.key(kb.Enter)
	if got, chosen := b.value("nationality"), b.value("nationality-select"); got != "British" || chosen != "British" {
		b.fatalf("after Enter the type-ahead says %q and the select holds %q, want British", got, chosen)
	}
	if b.attr("#nationality", "aria-expanded") != "false" {
		t.Error("the list stays open after choosing")
	}
	b.tabToID("countryOfBirth")
	b.key("united k")
	b.key(kb.ArrowDown)
	b.key(kb.Enter)
	if got := b.value("countryOfBirth-select"); got != "United Kingdom" {
		t.Errorf("the country of birth chosen by keyboard is %q", got)
	}
	if status := b.submit(); status != 200 || !strings.HasSuffix(b.path(), strings.TrimSuffix(page, "/actions/child-origin")) {
		b.fatalf("saving the choices: status %d, on %s", status, b.path())
	}
	b.open(strings.TrimSuffix(page, "/actions/child-origin") + "/concern")
	b.expectText("In their words: British")
}

// §8.7: without JavaScript, every list is a plain GOV.UK select of every
// entry, with its label and hint, that posts the entry: here the
// administrator maps the partnership, then a case's places are chosen.
func TestTheListSelectWithoutJavaScript(t *testing.T) {
	b := newBrowserFor(t, false, 4*time.Minute)
	b.signIn(adminEmail, adminName)
	b.open("/admin/organisations/partnership")
	b.expectHeading("The partnership in the Home Office lists")
	if b.exists(`[role="combobox"]`) || !b.exists(`select#hoPoliceForce option[value="Suffolk Constabulary"]`) {
		b.fatalf("without JavaScript the police force is not a plain select of the list")
	}
	b.narrow("partnership-lists")
	b.setValue("hoLocalAuthority", "Suffolk County Council")
	b.setValue("hoPoliceForce", "Suffolk Constabulary")
	if status := b.submit(); status != 200 {
		b.fatalf("saving the partnership's entries: status %d", status)
	}
	b.expectText("The partnership's entries in the Home Office lists are saved")
	b.signOut()

	b.signIn(socialWorkerEmail, socialWorkerName)
	b.nav("/cases")
	follow(b, childLink(listChild))
	b.expectHeading(listChild)
	casePath := b.path()
	b.open(casePath + "/actions/exploitation-places")
	if !b.exists(`select#ukTowns option[value="Ipswich"][selected]`) || !b.exists(`select#ukTowns-2`) || !b.exists(`label[for="ukTowns-2"]`) {
		b.fatalf("the towns are not plain selects showing the demo's choice")
	}
	b.narrow("exploitation-places")
	b.setValue("ukTowns-2", "Felixstowe")
	if status := b.submit(); status != 200 {
		b.fatalf("saving the towns: status %d", status)
	}
	b.open(casePath + "/concern")
	b.expectText("UK: Ipswich, Felixstowe")
}

// clearInput empties the text input with this id, as selecting its text and
// deleting it would.
func (b *browser) clearInput(id string) {
	b.t.Helper()
	run(b, "clearing #"+id, chromedp.Evaluate[bool](fmt.Sprintf(
		`(() => { const e = document.getElementById(%q); e.value = ''; e.dispatchEvent(new Event('input', {bubbles: true})); return true; })()`, id)))
}

// axeNow runs axe-core on the page as it stands, such as with a popup open,
// and reports each violation.
func (b *browser) axeNow(what string) {
	b.t.Helper()
	for _, v := range b.runAxe() {
		var targets []string
		for _, n := range v.Nodes {
			targets = append(targets, n.HTML)
		}
		b.t.Errorf("axe violation on %s with %s: %s (%s): %s\n    %s", b.location(), what, v.ID, v.Impact, v.Help, strings.Join(targets, "\n    "))
	}
}
