package e2e

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"waymark/internal/access"
	"waymark/internal/demo"
)

// testTimeout bounds each test, browser included.
const testTimeout = 120 * time.Second

// browser is one headless Chromium with a fresh profile, driven by one test.
// Every page it lands on is checked with axe-core and, when E2E_SCREENSHOTS
// is set, saved as a full-page PNG.
type browser struct {
	t     *testing.T
	ctx   context.Context
	base  string
	axe   string
	shots string
	noJS  bool // page scripts are turned off
	// slowWait bounds one axe-core run or full-page screenshot, stepTimeout
	// when zero: a list of a hundred cards takes longer on a busy machine.
	slowWait time.Duration
	pages    int
	began    time.Time
}

// newBrowser starts Chromium for the test. With js false, scripts are turned
// off in the tab (Emulation.setScriptExecutionDisabled), as for a user who
// has JavaScript disabled; axe and the test's own queries still run, because
// DevTools evaluation is not page script.
func newBrowser(t *testing.T, js bool) *browser {
	t.Helper()
	return newBrowserFor(t, js, testTimeout)
}

// newBrowserFor is newBrowser for a test that may run for up to timeout, such
// as one that follows a case along the whole pathway.
func newBrowserFor(t *testing.T, js bool, timeout time.Duration) *browser {
	t.Helper()
	axe := requirements(t)
	return newBrowserOn(t, js, timeout, axe, baseURL(t))
}

// newBrowserOn is newBrowserFor against the server at base instead of the
// shared demo, such as one a test started in its own process with its own
// data (screens_test.go).
func newBrowserOn(t *testing.T, js bool, timeout time.Duration, axe, base string) *browser {
	t.Helper()
	actx, cancelA := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), // fresh profile, removed after the browser exits
		chromedp.WindowSize(1024, 768))
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	b := &browser{t: t, ctx: ctx, base: base, axe: axe, shots: os.Getenv("E2E_SCREENSHOTS"), noJS: !js, began: time.Now()}
	if b.shots != "" {
		if err := os.MkdirAll(b.shots, 0o755); err != nil {
			t.Fatalf("creating E2E_SCREENSHOTS folder: %v", err)
		}
	}
	// The first Run binds the browser's life to its context, so start the
	// browser with the test's context before any action gets a shorter one.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	if b.noJS {
		b.setScripts(false)
	}
	return b
}

// fatalf stops the test, saying which page the browser was on.
func (b *browser) fatalf(format string, args ...any) {
	b.t.Helper()
	msg := fmt.Sprintf(format, args...) + "\n  on page: " + b.location()
	if errs := serverErrors(); errs != "" {
		msg += "\n  the server logged:\n" + errs
	}
	b.t.Fatal(msg)
}

func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	run(b, what, chromedp.Steps(steps...))
}

// stepTimeout bounds one query or action, so that a missing element fails
// the test quickly instead of waiting for the test's timeout.
const stepTimeout = 15 * time.Second

// run runs one action with stepTimeout and stops the test if it fails.
func run[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	return runFor(b, stepTimeout, what, a)
}

// runFor is run with its own timeout.
func runFor[T any](b *browser, timeout time.Duration, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.fatalf("%s: %v", what, err)
	}
	return v
}

// location is the page's URL, or what went wrong getting it.
func (b *browser) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return fmt.Sprintf("(unknown: %v)", err)
	}
	return loc
}

// path is the path of the page's URL, without the query.
func (b *browser) path() string {
	b.t.Helper()
	u, err := url.Parse(b.location())
	if err != nil {
		b.fatalf("reading the page URL: %v", err)
	}
	return u.Path
}

// open navigates to path and checks the page it lands on. It returns the
// HTTP status of the page.
func (b *browser) open(path string) int64 {
	b.t.Helper()
	return b.landed(run(b, "opening "+path, chromedp.NavigateResponse(b.base+path)))
}

// follow clicks a link or a submit button that loads a new page, waits for
// it, and checks it. It returns the HTTP status of the page.
//
// A mouse click lands on the coordinates the element had a moment before; on
// a busy machine a late reflow (after the viewport changes back from narrow,
// say) can move the element so that the click hits nothing. When no document
// request left the browser, nothing was sent, so pressing Enter on the
// focused element instead cannot submit anything twice.
func follow[S chromedp.Selectable](b *browser, sel S) int64 {
	b.t.Helper()
	resp, sent, err := followOnce(b, chromedp.Click(sel))
	if err != nil && !sent {
		b.t.Logf("clicking %v loaded nothing and sent no request (%v); pressing Enter on it instead", sel, err)
		resp, _, err = followOnce(b, chromedp.Steps(chromedp.Focus(sel), chromedp.KeyEvent("\r")))
	}
	if err != nil {
		b.fatalf("clicking %v and waiting for the next page: %v", sel, err)
	}
	return b.landed(resp)
}

// followOnce runs act, waits for the page it loads, and says whether a
// document request was sent meanwhile.
func followOnce(b *browser, act chromedp.Action[chromedp.Void]) (*network.Response, bool, error) {
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	var sent atomic.Bool
	if err := chromedp.Listen(ctx, func(ev any) {
		if r, ok := ev.(*network.EventRequestWillBeSent); ok && r.Type == network.ResourceTypeDocument {
			sent.Store(true)
		}
	}); err != nil {
		return nil, false, err
	}
	resp, err := chromedp.RunResponse(ctx, act)
	return resp, sent.Load(), err
}

// click follows a CSS selector.
func (b *browser) click(sel string) int64 {
	b.t.Helper()
	return follow(b, chromedp.CSS(sel))
}

// submit presses the form's submit button in the page's main content.
func (b *browser) submit() int64 {
	b.t.Helper()
	return b.click(`#main-content form[method="post"] button[type="submit"]`)
}

// byID selects an element by id with an attribute selector, so that ids with
// dots (indicator ids such as ind-general.few-possessions) need no escaping.
func byID(id string) chromedp.CSS {
	return chromedp.CSS(`[id="` + id + `"]`)
}

// fill types into the empty input or textarea with this id, and checks the
// field then holds exactly what was typed. Long texts are set in one go (with
// input and change events), because SendKeys sends three key events a
// character and the run must stay fast on a small machine.
func (b *browser) fill(id, value string) {
	b.t.Helper()
	if len(value) > 40 {
		b.do("setting the value of #"+id, chromedp.SetValue(byID(id), value))
	} else {
		b.do("typing into #"+id, chromedp.SendKeys(byID(id), value))
	}
	if got := b.value(id); got != value {
		b.fatalf("#%s holds %q after typing %q into it", id, got, value)
	}
}

// tick clicks the radio button or checkbox with this id, and checks that it
// is then checked. If the control is inside a closed GOV.UK details component
// (such as a group of indicators), it first opens it by clicking its summary,
// as a user would.
func (b *browser) tick(id string) {
	b.t.Helper()
	b.openDetailsAround(id)
	b.do("clicking #"+id, chromedp.Click(byID(id)))
	if !b.checked(id) {
		b.fatalf("#%s is not checked after clicking it", id)
	}
}

// openDetailsAround clicks the summary of each closed <details> element
// holding the element with this id, outermost first, so that it is shown.
func (b *browser) openDetailsAround(id string) {
	b.t.Helper()
	closed := run(b, "looking for closed details around #"+id, chromedp.Evaluate[int](fmt.Sprintf(
		`(() => { let n = 0; for (let e = document.getElementById(%q); e; e = e.parentElement) { if (e.tagName === 'DETAILS' && !e.open) n++; } return n; })()`, id)))
	for range closed {
		summary := chromedp.Search(`(//*[@id="` + id + `"]/ancestor::details[not(@open)])[1]/summary`)
		b.do("opening the details around #"+id, chromedp.Click(summary))
	}
}

func (b *browser) value(id string) string {
	b.t.Helper()
	return run(b, "reading the value of #"+id, chromedp.Value(byID(id)))
}

func (b *browser) checked(id string) bool {
	b.t.Helper()
	return run(b, "reading whether #"+id+" is checked", chromedp.JavascriptAttribute[bool](byID(id), "checked"))
}

// text is the visible text of the first element matching the CSS selector.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return run(b, "reading the text of "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// html is the whole document as the browser holds it.
func (b *browser) html() string {
	b.t.Helper()
	return run(b, "reading the page's HTML", chromedp.OuterHTML(chromedp.CSS("html")))
}

// exists reports whether an element matches the CSS selector now.
func (b *browser) exists(sel string) bool {
	b.t.Helper()
	return run(b, "looking for "+sel, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))) > 0
}

func (b *browser) expectHeading(want string) {
	b.t.Helper()
	if got := strings.TrimSpace(b.text("main h1")); got != want {
		b.fatalf("page heading is %q, want %q", got, want)
	}
}

// expectText checks that the main content shows every one of the texts.
func (b *browser) expectText(wants ...string) {
	b.t.Helper()
	main := b.text("main")
	for _, w := range wants {
		if !strings.Contains(main, w) {
			b.t.Errorf("page %s does not show %q; it shows:\n%s", b.location(), w, indent(main))
		}
	}
}

func indent(s string) string {
	if len(s) > 3000 {
		s = s[:3000] + "…"
	}
	return "    | " + strings.ReplaceAll(s, "\n", "\n    | ")
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// landed checks the page the browser has just loaded, whose response is
// resp: it must not be a server error, and axe-core must find no violation.
// It saves a screenshot when E2E_SCREENSHOTS is set, and returns the status.
func (b *browser) landed(resp *network.Response) int64 {
	b.t.Helper()
	b.pages++
	loc := b.location()
	if resp == nil {
		b.fatalf("no HTTP response for the page")
	}
	if resp.Status >= 500 {
		b.fatalf("the server answered %d %s", resp.Status, resp.StatusText)
	}
	if b.noJS {
		// waymark.js marks the body when it runs; read the attribute from the
		// DOM tree, not with script.
		if class := b.attr("body", "class"); strings.Contains(class, "js-enabled") {
			b.fatalf("JavaScript ran although it is turned off: body class is %q", class)
		}
	}
	start := time.Now()
	vs := b.runAxe()
	b.t.Logf("%5.1fs page %02d %s: %d, axe found %d violations in %s", time.Since(b.began).Seconds(), b.pages, strings.TrimPrefix(loc, b.base), resp.Status, len(vs), time.Since(start).Round(time.Millisecond))
	for _, v := range vs {
		var targets []string
		for _, n := range v.Nodes {
			targets = append(targets, fmt.Sprintf("%v  %s", n.Target, n.HTML))
		}
		b.t.Errorf("axe violation on %s: %s (%s): %s\n    %s", loc, v.ID, v.Impact, v.Help, strings.Join(targets, "\n    "))
	}
	if b.shots != "" {
		png := runFor(b, cmp.Or(b.slowWait, stepTimeout), "taking a screenshot", chromedp.FullScreenshot(100)) // quality 100 is PNG
		name := fmt.Sprintf("%s-%02d-%s.png", unsafeChars.ReplaceAllString(b.t.Name(), "-"), b.pages, slug(strings.TrimPrefix(loc, b.base)))
		if err := os.WriteFile(filepath.Join(b.shots, name), png, 0o644); err != nil {
			b.t.Errorf("saving screenshot: %v", err)
		}
	}
	return resp.Status
}

// runAxe injects axe-core into the page and runs it. Runtime.evaluate is not
// subject to the page's CSP, so axe can be injected as it is (CI-RECIPES B).
func (b *browser) runAxe() []axeViolation {
	b.t.Helper()
	if b.noJS {
		// axe.run's promise never settles while scripts are turned off (its
		// timers do not fire), so turn them on just for axe. The page's own
		// scripts ran (or not) when it was parsed, so they stay off: landed
		// is only called once the page has loaded.
		b.setScripts(true)
		defer b.setScripts(false)
	}
	b.do("injecting axe-core", chromedp.Evaluate[chromedp.Void](b.axe))
	return runFor(b, cmp.Or(b.slowWait, stepTimeout), "running axe-core", chromedp.Evaluate[[]axeViolation](
		`axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)`,
		chromedp.EvalAwaitPromise))
}

func (b *browser) setScripts(on bool) {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
		b.fatalf("turning JavaScript %s: %v", map[bool]string{true: "on", false: "off"}[on], err)
	}
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9]+`)

func slug(s string) string {
	s = strings.Trim(unsafeChars.ReplaceAllString(s, "-"), "-")
	if len(s) > 60 {
		s = s[:60]
	}
	if s == "" {
		s = "home"
	}
	return s
}

// signIn signs in through the sign-in page and checks the home page greets
// the user by name.
func (b *browser) signIn(email, name string) {
	b.t.Helper()
	if b.pages == 0 || b.path() != "/sign-in" { // signing out lands on the sign-in page already
		b.open("/sign-in")
	}
	b.expectHeading("Sign in to Waymark")
	b.fill("email", email)
	b.fill("password", demoPassword)
	if status := b.submit(); status != 200 {
		b.fatalf("signing in as %s: status %d", email, status)
	}
	b.expectHeading("Enter the code from your authenticator app") // two-step verification
	b.fill("code", demoCode(email))
	if status := b.submit(); status != 200 {
		b.fatalf("entering %s's code: status %d", email, status)
	}
	b.expectHeading("Hello, " + name)
}

var (
	codesMu   sync.Mutex
	usedSteps = map[string]int64{}
	// newSecrets are the authenticator secrets people set up afresh in a
	// test (TestFirstSignInSetsUpTwoStepVerification): later sign-ins use them.
	newSecrets = map[string]string{}
)

// setUpAuthenticator records that email's authenticator now has secret,
// and that the code of step was used with it.
func setUpAuthenticator(email, secret string, step int64) {
	codesMu.Lock()
	defer codesMu.Unlock()
	newSecrets[email] = secret
	usedSteps[email] = max(usedSteps[email], step)
}

// demoCode is the code the demo users' authenticator shows (demo.TOTPSecret).
// Each code is accepted once, a 30-second step either side of now: signing
// the same person in again soon takes the next step's code, or waits for it.
func demoCode(email string) string {
	codesMu.Lock()
	defer codesMu.Unlock()
	// The current step, not the oldest one the server still accepts: a code
	// of the step before would be refused if a step boundary passed between
	// now and the server's check. A step already used by this person is
	// refused as a replay, so after one the next is waited for.
	step := max(access.TOTPStep(time.Now()), usedSteps[email]+1)
	if wait := time.Until(time.Unix((step-access.TOTPSkew)*int64(access.TOTPPeriod/time.Second), 0)); wait > 0 {
		time.Sleep(wait)
	}
	usedSteps[email] = step
	secret := demo.TOTPSecret
	if s, ok := newSecrets[email]; ok {
		secret = s
	}
	code, _ := access.TOTPAtStep(secret, step)
	return code
}

// signOut presses Sign out in the header.
func (b *browser) signOut() {
	b.t.Helper()
	b.click(`form.wm-sign-out button[type="submit"]`)
	b.expectHeading("Sign in to Waymark")
}

// nav follows the link in the service navigation with this href.
func (b *browser) nav(href string) int64 {
	b.t.Helper()
	return b.click(`.govuk-service-navigation__link[href="` + href + `"]`)
}

// title is the document's title.
func (b *browser) title() string {
	b.t.Helper()
	return run(b, "reading the page title", chromedp.Title())
}

// attr is an attribute of the first element matching the CSS selector.
func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	return run(b, "reading the attributes of "+sel, chromedp.Attributes(chromedp.CSS(sel)))[name]
}

// waitFocus waits until the element with this id has the focus.
func (b *browser) waitFocus(id string) {
	b.t.Helper()
	run(b, "waiting for #"+id+" to have the focus", chromedp.Poll[bool](
		fmt.Sprintf(`document.activeElement && document.activeElement.id === %q`, id),
		chromedp.WithPollingTimeout(5*time.Second)))
}

// expectWarnings checks that the page has a GOV.UK warning text containing
// each of the texts.
func (b *browser) expectWarnings(wants ...string) {
	b.t.Helper()
	got := run(b, "reading the warnings", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('main .govuk-warning-text__text')).map(e => e.innerText)`))
	for _, w := range wants {
		found := false
		for _, g := range got {
			if strings.Contains(g, w) {
				found = true
			}
		}
		if !found {
			b.t.Errorf("page %s has no warning %q; its warnings are %q", b.location(), w, got)
		}
	}
}

// childLink selects the link with exactly this text in a table of the main
// content (an XPath query through DOM.performSearch).
func childLink(name string) chromedp.Search {
	return chromedp.Search(`//main//table//a[normalize-space(.)="` + name + `"]`)
}

// clickInPage clicks without waiting for a page load, for a click that stays on the page.
func clickInPage(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.CSS(sel))
}

var londonOnce struct {
	sync.Once
	loc *time.Location
	err error
}

// london is the service's time zone: dates typed into the forms are London time.
func london(t *testing.T) *time.Location {
	t.Helper()
	londonOnce.Do(func() { londonOnce.loc, londonOnce.err = time.LoadLocation("Europe/London") })
	if londonOnce.err != nil {
		t.Fatalf("loading Europe/London: %v", londonOnce.err)
	}
	return londonOnce.loc
}
