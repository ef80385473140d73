package e2e

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// API tokens and machine clients through their pages in a real browser,
// axe-core on every page, each page also checked at 320 CSS pixels wide:
// a person makes and revokes a token of their own; the administrator makes a
// machine client naming a custodian; the custodian collects its token once
// and re-issues it; the Children's Services worker gives it access to a case
// and withdraws it; the administrator revokes it; and the partnership lead
// finds it all on the alerts page (§6.5).
func TestMachineClientsAndTokensWithJavaScript(t *testing.T) {
	machineClientsEndToEnd(t, true)
}

// The same without JavaScript: every form is a plain HTML form.
func TestMachineClientsAndTokensWithoutJavaScript(t *testing.T) {
	machineClientsEndToEnd(t, false)
}

func machineClientsEndToEnd(t *testing.T, js bool) {
	b := newBrowserFor(t, js, 5*time.Minute)
	suffix := map[bool]string{true: "with JavaScript", false: "without JavaScript"}[js]
	clientName := "Eastshire case management link " + suffix
	tokenName := "Reporting script " + suffix

	// The administrator confirms who they are and makes a client.
	b.signIn(adminEmail, adminName)
	b.open("/admin/machine-clients")
	b.expectHeading("Machine clients")
	b.narrow("machine-clients-empty")
	// Signing in has just confirmed who they are; a wrong answer in the
	// form's "Confirm it is you" asks again, as after a few minutes.
	b.fill("name", clientName)
	b.fill("confirm", "not my password")
	if status := b.submit(); status != 422 {
		t.Errorf("making a client with a wrong password: status %d, want 422", status)
	}
	b.expectErrorSummary("confirm")
	if !b.exists(`form[action="/admin/machine-clients/confirm"]`) {
		b.fatalf("a wrong password does not ask the administrator to confirm who they are")
	}
	b.confirmMachineClientsAdmin()
	b.setValue("organisation", selectValue(b, "organisation", "Children's Services"))
	b.fill("name", clientName)
	b.tick("scopes") // read
	b.setValue("expiresInDays", "")
	b.fill("expiresInDays", "30")
	b.fill("custodianEmail", "nobody@nowhere.example")
	if status := b.submit(); status != 422 {
		t.Errorf("making a client with an unknown custodian: status %d, want 422", status)
	}
	b.expectErrorSummary("custodianEmail")
	b.narrow("machine-clients-error")
	b.setValue("custodianEmail", "")
	b.fill("custodianEmail", csEmail)
	if b.exists(`[id="scopes"]`) && !b.checked("scopes") {
		b.tick("scopes")
	}
	if status := b.submit(); status != 201 {
		b.fatalf("making the machine client: status %d, want 201", status)
	}
	b.expectText(clientName+" made", csName)
	id := regexp.MustCompile(`client-[0-9a-z]+`).FindString(b.text("main .govuk-panel__body"))
	if id == "" {
		b.fatalf("no client id in the confirmation panel")
	}
	b.narrow("machine-clients-made")
	b.open("/admin/machine-clients")
	b.expectText(clientName, "token not collected")
	b.narrow("machine-clients-listed")
	b.signOut()

	// The custodian makes, lists and revokes a token of their own.
	b.signIn(csEmail, csName)
	b.open("/account/tokens")
	b.expectHeading("Your API tokens")
	b.narrow("own-tokens")
	b.fill("name", tokenName)
	b.tick("scopes")
	b.fill("confirm", "not my password")
	if status := b.submit(); status != 422 {
		t.Errorf("making a token with a wrong password: status %d, want 422", status)
	}
	b.expectErrorSummary("confirm")
	b.narrow("own-tokens-error")
	if got := b.value("name"); got != tokenName {
		t.Errorf("after the wrong password the name field holds %q, want %q", got, tokenName)
	}
	if !b.checked("scopes") {
		b.tick("scopes")
	}
	b.fill("confirm", demoPassword)
	if status := b.submit(); status != 201 {
		b.fatalf("making a token: status %d, want 201", status)
	}
	b.expectText("Token " + tokenName + " made")
	if tok := b.value("new-token"); len(tok) < 20 {
		t.Errorf("the new token %q looks too short", tok)
	}
	b.narrow("own-tokens-made")
	b.open("/account/tokens")
	b.expectText(tokenName, "Active")
	if strings.Contains(b.html(), `id="new-token"`) {
		t.Error("the token is shown again after leaving the page")
	}
	b.click(`main form[action^="/account/tokens/"] button[type="submit"]`)
	b.expectText("The token was revoked", "Revoked")
	b.narrow("own-tokens-revoked")

	// The custodian collects the client's token once, then re-issues it.
	b.click(`main a[href="/account/machine-clients"]`)
	b.expectHeading("Machine clients in your care")
	b.expectText(clientName, "Not collected yet")
	b.narrow("custodian-clients")
	b.tick(radioFor(b, "client", id))
	b.fill("confirm", "not my password")
	if status := b.submit(); status != 422 {
		t.Errorf("collecting a token with a wrong password: status %d, want 422", status)
	}
	b.expectErrorSummary("confirm")
	b.tick(radioFor(b, "client", id))
	b.fill("confirm", demoPassword)
	if status := b.submit(); status != 201 {
		b.fatalf("collecting the client's token: status %d, want 201", status)
	}
	b.expectText("Token for " + clientName + " issued")
	first := b.value("new-token")
	b.narrow("custodian-token")
	b.open("/account/machine-clients")
	if strings.Contains(b.html(), first) {
		t.Error("the collected token is shown again after leaving the page")
	}
	b.expectText("Issued")
	b.tick(radioFor(b, "client", id))
	if b.exists(`[id="confirm"]`) {
		b.fill("confirm", demoPassword)
	}
	if status := b.submit(); status != 201 {
		b.fatalf("re-issuing the client's token: status %d, want 201", status)
	}
	if again := b.value("new-token"); again == first || again == "" {
		t.Errorf("re-issuing gave %q, want a new token", again)
	}

	// The Children's Services worker gives the client access to a case, and withdraws it.
	b.nav("/cases")
	cases := regexp.MustCompile(`href="(/cases/[0-9a-f]{24})"`).FindAllStringSubmatch(b.html(), -1)
	if len(cases) == 0 {
		b.fatalf("the Children's Services worker has no case")
	}
	casePath := cases[0][1]
	if status := b.open(casePath + "/actions/give-client-access"); status != 200 {
		b.fatalf("opening give-client-access: status %d", status)
	}
	b.narrow("give-client-access")
	b.fill("clientId", id)
	b.fill("reason", "The council's case management system keeps the child's record")
	if status := b.submit(); status >= 400 {
		b.fatalf("giving the client access: status %d", status)
	}
	b.narrow("case-with-client")
	if status := b.open(casePath + "/actions/withdraw-client-access"); status != 200 {
		b.fatalf("opening withdraw-client-access: status %d", status)
	}
	b.narrow("withdraw-client-access")
	b.setValue("clientId", selectValue(b, "clientId", clientName))
	if status := b.submit(); status >= 400 {
		b.fatalf("withdrawing the client's access: status %d", status)
	}
	if status := b.open(casePath + "/actions/withdraw-client-access"); status < 400 && b.exists(`select[id="clientId"]`) {
		if still := run(b, "reading the clients", chromedp.Evaluate[bool](fmt.Sprintf(
			`Array.from(document.getElementById("clientId").options).some(o => o.text.includes(%q))`, clientName))); still {
			t.Errorf("%s still has access to the case after it was withdrawn", clientName)
		}
	}
	b.signOut()

	// The administrator revokes it.
	b.signIn(adminEmail, adminName)
	b.open("/admin/machine-clients")
	b.confirmMachineClientsAdmin()
	b.click(fmt.Sprintf(`main form[action="/admin/machine-clients/%s/revoke"] button[type="submit"]`, id))
	if b.exists(`form[action="/admin/machine-clients/confirm"]`) {
		b.confirmMachineClientsAdmin()
		b.click(fmt.Sprintf(`main form[action="/admin/machine-clients/%s/revoke"] button[type="submit"]`, id))
	}
	b.expectText("The machine client was revoked")
	b.narrow("machine-clients-revoked")
	b.signOut()

	// The partnership lead sees every step on the alerts page.
	b.signIn(partnershipLeadEmail, partnershipLeadName)
	b.nav("/alerts")
	b.expectHeading("Alerts")
	b.expectText(clientName, "custodian "+csName, "Token collected or re-issued", "Revoked by "+adminName)
	b.narrow("alerts")

	// An address with odd characters is a plain 404 page, not a crash.
	if status := b.open("/cases/%00abc"); status != 404 {
		t.Errorf("/cases/%%00abc: status %d, want 404", status)
	}
	b.narrow("not-found")
}

// confirmMachineClientsAdmin answers "Confirm it is you" on the machine
// clients page, if it is asked: first wrongly, to see the error summary.
func (b *browser) confirmMachineClientsAdmin() {
	b.t.Helper()
	if !b.exists(`form[action="/admin/machine-clients/confirm"]`) {
		return
	}
	b.narrow("machine-clients-confirm")
	b.fill("confirm", "not my password")
	if status := b.submit(); status != 422 {
		b.t.Errorf("confirming with a wrong password: status %d, want 422", status)
	}
	b.expectErrorSummary("confirm")
	b.fill("confirm", demoPassword)
	b.submit()
	b.expectHeading("Machine clients")
	if b.exists(`form[action="/admin/machine-clients/confirm"]`) {
		b.fatalf("still asked to confirm after entering the right password")
	}
}

// expectErrorSummary checks the page has a GOV.UK error summary whose
// links lead to the field with this id.
func (b *browser) expectErrorSummary(field string) {
	b.t.Helper()
	if !b.exists(`.govuk-error-summary a[href="#` + field + `"]`) {
		msg := "(none)"
		if b.exists(".govuk-error-summary") {
			msg = b.text(".govuk-error-summary")
		}
		b.fatalf("no error summary linking to #%s; the summary is %s", field, msg)
	}
	if !strings.HasPrefix(b.title(), "Error: ") {
		b.t.Errorf("the title %q does not start with Error: on a page with errors", b.title())
	}
}

// selectValue is the value of the option of the select with this id whose
// text contains the text.
func selectValue(b *browser, id, text string) string {
	b.t.Helper()
	v := run(b, "finding the option "+text, chromedp.Evaluate[string](fmt.Sprintf(
		`(Array.from(document.getElementById(%q).options).find(o => o.text.includes(%q)) || {value: ""}).value`, id, text)))
	if v == "" {
		b.fatalf("#%s has no option containing %q", id, text)
	}
	return v
}

// setValue sets a field's value directly, as choosing an option or clearing
// a field would.
func (b *browser) setValue(id, value string) {
	b.t.Helper()
	run(b, "setting #"+id, chromedp.Evaluate[bool](fmt.Sprintf(
		`(() => { const e = document.getElementById(%q); e.value = %q; return e.value === %q; })()`, id, value, value)))
	if got := b.value(id); got != value {
		b.fatalf("#%s holds %q after setting it to %q", id, got, value)
	}
}

// radioFor is the id of the radio button named name with this value.
func radioFor(b *browser, name, value string) string {
	b.t.Helper()
	id := run(b, "finding the radio for "+value, chromedp.Evaluate[string](fmt.Sprintf(
		`(document.querySelector('input[type=radio][name=%q][value=%q]') || {id: ""}).id`, name, value)))
	if id == "" {
		b.fatalf("no radio button %s=%s", name, value)
	}
	return id
}

// wide restores the usual window and waits until the page has been laid out
// for it: its sign-out button is shown again, since a click before then can miss the button it aims at.
func (b *browser) wide() {
	b.t.Helper()
	b.do("restoring the viewport", chromedp.EmulateViewport(1024, 768))
	run(b, "waiting for the wide layout", chromedp.Poll[bool](
		`window.innerWidth === 1024 && document.documentElement.clientWidth > 320 &&
		 (s => !s || s.getClientRects().length > 0)(document.querySelector('form.wm-sign-out button'))`,
		chromedp.WithPollingTimeout(5*time.Second)))
}

// narrowWidth is the narrowest viewport the service supports, in CSS pixels
// (WCAG 2.2 reflow, 1.4.10).
const narrowWidth = 320

// narrow shows the page at narrowWidth and checks that nothing makes it
// scroll sideways, then restores the usual window. When E2E_SCREENSHOTS is
// set it saves a screenshot of the narrow page under the name.
func (b *browser) narrow(name string) {
	b.t.Helper()
	b.do("narrowing the viewport", chromedp.EmulateViewport(narrowWidth, 800))
	defer b.wide()
	width := run(b, "measuring the page", chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if width > narrowWidth {
		wide := run(b, "finding what is too wide", chromedp.Evaluate[[]string](fmt.Sprintf(
			`Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > %d && !Array.from(e.children).some(c => c.getBoundingClientRect().right > %d)).slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).replace(/ +/g, '.') : '') + ' right=' + Math.round(e.getBoundingClientRect().right) + (e.closest('table') ? ' in table ' + JSON.stringify((e.closest('table').caption || {}).textContent || '') : ''))`,
			narrowWidth, narrowWidth)))
		b.t.Errorf("at %d CSS px wide %s (%s) is %d px wide; too wide: %s", narrowWidth, b.location(), name, width, strings.Join(wide, ", "))
	}
	if b.shots != "" {
		png := runFor(b, cmp.Or(b.slowWait, stepTimeout), "taking a narrow screenshot", chromedp.FullScreenshot(100))
		file := fmt.Sprintf("%s-narrow-%s.png", unsafeChars.ReplaceAllString(b.t.Name(), "-"), name)
		if err := os.WriteFile(filepath.Join(b.shots, file), png, 0o644); err != nil {
			b.t.Errorf("saving screenshot: %v", err)
		}
	}
}
