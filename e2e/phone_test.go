package e2e

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The widths every page is checked at: a small phone (WCAG 1.4.10's 320 CSS
// px) and a desk.
const deskWidth = 1280

// demoRoles is every demo user, one a role (internal/demo/demo.go), with
// the page their main work starts from.
var demoRoles = []struct{ email, name string }{
	{teacherEmail, teacherName},
	{csEmail, csName},
	{"social.worker@eastshire.example", "Grace Adeyemi"},
	{"manager@eastshire.example", "Tom Brennan"},
	{"first.responder@eastshire-police.example", "Chris Lawson"},
	{"partnership.lead@eastshire.example", "Ruth Castellano"},
	{"admin@eastshire.example", "Alex Morgan"},
}

// caseID is a case id in a path (/cases/case-… or a UUID), so that one
// kind of page is visited once per case, not once per link to it.
var caseID = regexp.MustCompile(`/cases/[^/]+`)

// pageKind is what makes two paths the same kind of page for one person:
// the path with its case, person or draft id taken out, except the case
// page itself, which is visited for every case (each case shows different
// tables and warnings).
func pageKind(path string) string {
	path, _, _ = strings.Cut(path, "?")
	if strings.Count(path, "/") == 2 && strings.HasPrefix(path, "/cases/") {
		return path
	}
	k := caseID.ReplaceAllString(path, "/cases/{id}")
	for _, p := range []string{"/admin/staff/", "/subject-access/", "/concerns/", "/directory/"} {
		if rest, ok := strings.CutPrefix(k, p); ok && rest != "new" {
			parts := strings.SplitN(rest, "/", 2)
			parts[0] = "{id}"
			k = p + strings.Join(parts, "/")
		}
	}
	return k
}

// reachable is every link on the page to another page of the service
// a person reads in the browser (no downloads, API or assets).
func (b *browser) reachable() []string {
	b.t.Helper()
	hrefs := run(b, "reading the links", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('a[href]:not([download])')).map(a => a.href)`))
	var paths []string
	for _, h := range hrefs {
		u, err := url.Parse(h)
		if err != nil || !strings.HasPrefix(h, b.base+"/") {
			continue
		}
		p := u.Path
		if strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/assets/") ||
			strings.HasSuffix(p, ".pdf") || strings.HasSuffix(p, ".txt") ||
			strings.HasSuffix(p, ".csv") || strings.HasSuffix(p, ".xlsx") || strings.HasSuffix(p, ".ods") {
			continue
		}
		if u.RawQuery != "" {
			p += "?" + u.RawQuery
		}
		paths = append(paths, p)
	}
	return paths
}

// fits checks the page at this width: nothing scrolls sideways and, with
// axe, axe-core finds nothing. It returns the page's width, for the log.
func (b *browser) fits(width int, axe bool) int {
	b.t.Helper()
	b.do("setting the viewport", chromedp.EmulateViewport(int64(width), 800))
	// Let the page lay itself out at the new width, and its scripts see it.
	run(b, "waiting for two frames", chromedp.Evaluate[bool](`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, chromedp.EvalAwaitPromise))
	got := run(b, "measuring the page", chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if got > width {
		wide := run(b, "finding what is too wide", chromedp.Evaluate[[]string](fmt.Sprintf(
			`Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > %d && !Array.from(e.children).some(c => c.getBoundingClientRect().right > %d)).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).replace(/ +/g, '.') : '') + ' right=' + Math.round(e.getBoundingClientRect().right))`,
			width, width)))
		b.t.Errorf("at %d CSS px %s is %d px wide: %s", width, b.location(), got, strings.Join(wide, ", "))
	}
	// A table that does not stack scrolls in its own labelled region, which a
	// keyboard can reach while it scrolls (waymark.js).
	for _, problem := range run(b, "checking the tables", chromedp.Evaluate[[]string](`
		Array.from(document.querySelectorAll('main table.govuk-table:not(.wm-stack-table)')).flatMap(t => {
			const r = t.parentElement, name = (t.caption ? t.caption.textContent : '').trim().slice(0, 60) || t.outerHTML.slice(0, 60);
			if (document.body.classList.contains('js-enabled') && !(r.matches('.wm-table-scroll[role=region][aria-label]'))) return ['table "' + name + '" is in no labelled scrolling region'];
			if (r.scrollWidth > r.clientWidth && r.getAttribute('tabindex') !== '0') return ['the region of table "' + name + '" scrolls (' + r.scrollWidth + ' px in ' + r.clientWidth + ') but cannot take the focus'];
			return [];
		})`)) {
		b.t.Errorf("at %d CSS px on %s: %s", width, b.location(), problem)
	}
	if !axe {
		return got
	}
	for _, v := range b.runAxe() {
		var targets []string
		for _, n := range v.Nodes {
			targets = append(targets, fmt.Sprintf("%v  %s", n.Target, n.HTML))
		}
		b.t.Errorf("axe violation at %d px on %s: %s (%s): %s\n    %s", width, b.location(), v.ID, v.Impact, v.Help, strings.Join(targets, "\n    "))
	}
	return got
}

// sweep visits every page reachable by links from where the browser is,
// one of each kind (pageKind), and checks each at both widths.
func (b *browser) sweep(who string, seen map[string]bool) {
	b.t.Helper()
	queue := []string{b.path()}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[pageKind(p)] {
			continue
		}
		seen[pageKind(p)] = true
		b.open(p) // checked with axe-core at deskWidth as it lands
		narrow, desk := b.fits(narrowWidth, true), b.fits(deskWidth, false)
		b.t.Logf("width %s %s: %d at %d px, %d at %d px", who, p, narrow, narrowWidth, desk, deskWidth)
		for _, next := range b.reachable() {
			if !seen[pageKind(next)] && !slices.Contains(queue, next) {
				queue = append(queue, next)
			}
		}
	}
}

// Every page a person can reach by following links, as every role of the
// demo, and the error pages, fits a 320 CSS px phone with nothing scrolling
// sideways (WCAG 1.4.10) and a desk at 1280 px, and axe-core finds nothing at
// either width. Wide tables fold into rows or scroll inside their own
// labelled region, never widening the page.
func TestEveryPageFitsAPhoneAndADesk(t *testing.T) {
	b := newBrowserFor(t, true, 25*time.Minute)
	b.slowWait = time.Minute
	b.do("setting the viewport", chromedp.EmulateViewport(deskWidth, 800))

	// Signed out: the sign-in page, the footer's pages and a page not found.
	b.open("/sign-in")
	b.sweep("signed out", map[string]bool{})
	if status := b.open("/no-such-page"); status != 404 {
		t.Errorf("/no-such-page answered %d, want 404", status)
	}
	b.fits(narrowWidth, true)
	b.fits(deskWidth, false)

	for _, r := range demoRoles {
		b.signIn(r.email, r.name)
		// Signing out is a form, never a link, so the sweep stays signed in.
		seen := map[string]bool{"/sign-in": true}
		b.sweep(r.email, seen)
		if r.email == teacherEmail {
			// The concern form's pages, reached from a draft (a form starts it).
			b.open("/concerns/new")
			b.submit()
			b.sweep(r.email, seen)
		}
		// A page this person may not see, and a case that is not there.
		for _, p := range []string{"/admin/staff", "/cases/no-such-case"} {
			if status := b.open(p); status < 400 {
				continue
			}
			b.fits(narrowWidth, true)
			b.fits(deskWidth, false)
		}
		b.open("/")
		b.signOut()
	}
}

// A table too wide for a 320 CSS px phone scrolls sideways inside its own
// region, named after the table's caption, and never widens the page; the
// region takes the focus while it scrolls, so the arrow keys scroll it
// (WCAG 1.4.10, 2.1.1). The organisations table is made too wide here by
// a long word in one cell, as a long name or address would.
func TestAWideTableScrollsInItsOwnRegionNotThePage(t *testing.T) {
	b := newBrowser(t, true)
	b.signIn("admin@eastshire.example", "Alex Morgan")
	b.do("widening the viewport", chromedp.EmulateViewport(deskWidth, 800))
	b.open("/admin/organisations")
	type region struct {
		Role, Label, Tabindex string
		Scrolls               bool
		Page                  int
	}
	read := `(() => {
		const r = document.querySelector('main .wm-table-scroll');
		if (!r) return {page: document.documentElement.scrollWidth};
		return {role: r.getAttribute('role') || '', label: r.getAttribute('aria-label') || '', tabindex: r.getAttribute('tabindex') || '',
			scrolls: r.scrollWidth > r.clientWidth, page: document.documentElement.scrollWidth};
	})()`
	run(b, "widening a cell", chromedp.Evaluate[bool](`(() => {
		document.querySelector('main table.govuk-table:not(.wm-stack-table) td').textContent = 'W'.repeat(25);
		return true;
	})()`))
	// At a desk the table fits: its region is no tab stop.
	if got := run(b, "reading the region", chromedp.Evaluate[region](read)); got.Scrolls || got.Tabindex != "" {
		t.Errorf("at %d px the table's region: %+v; want one that neither scrolls nor takes the focus", deskWidth, got)
	}
	// Turned to a phone's width, it scrolls in its region.
	b.do("narrowing the viewport", chromedp.EmulateViewport(narrowWidth, 800))
	run(b, "waiting for two frames", chromedp.Evaluate[bool](`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, chromedp.EvalAwaitPromise))
	got := run(b, "reading the region", chromedp.Evaluate[region](read))
	if got.Page > narrowWidth {
		t.Errorf("a wide table widens the page to %d CSS px", got.Page)
	}
	if got.Role != "region" || got.Label == "" || !got.Scrolls || got.Tabindex != "0" {
		b.fatalf("the wide table's container: %+v; want a focusable, labelled region that scrolls", got)
	}
	b.tabTo(".wm-table-scroll")
	b.key(kb.ArrowRight)
	b.key(kb.ArrowRight)
	// Scrolling may be animated: wait for it to start.
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('.wm-table-scroll').scrollLeft > 0`)); err != nil {
		t.Errorf("the right arrow key does not scroll the table's region: %v", err)
	}
	b.fits(narrowWidth, true)
}

// Without JavaScript no table is wrapped in a scrolling region, so on a
// 320 CSS px phone a long word in a table breaks instead of widening the page.
func TestAWideTableFitsAPhoneWithoutJavaScript(t *testing.T) {
	b := newBrowser(t, false)
	b.signIn("admin@eastshire.example", "Alex Morgan")
	b.open("/admin/organisations")
	b.do("narrowing the viewport", chromedp.EmulateViewport(narrowWidth, 800))
	b.setScripts(true) // for the test's own script only: the page's ran, or not, as it loaded
	page := run(b, "widening a cell", chromedp.Evaluate[int](`(() => {
		document.querySelector('main table.govuk-table td').textContent = 'W'.repeat(120);
		return document.documentElement.scrollWidth;
	})()`))
	b.setScripts(false)
	if page > narrowWidth {
		t.Errorf("without JavaScript a long word in a table widens the page to %d CSS px", page)
	}
}
