package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// desktopWidth is the wide viewport the case workspace is checked at.
const desktopWidth = 1280

// The case workspace as a social worker meets it, without JavaScript, on
// the demo's child from abroad whose age is uncertain: the overview with
// its flags as headings, the stage labelled and one next step, then every
// page of its side navigation, each checked with axe-core at 1280 and at
// 320 CSS px, where nothing may scroll sideways; the timeline's filters
// are a plain GET form. The overview's height at 1280 px is logged.
func TestTheCaseWorkspaceAtDesktopAndPhoneWidths(t *testing.T) {
	b := newBrowser(t, false)
	b.signIn(socialWorkerEmail, socialWorkerName)
	b.nav("/cases")
	follow(b, childLink("Dawit"))
	overview := b.path()

	b.do("widening the viewport", chromedp.EmulateViewport(desktopWidth, 800))
	b.axeHere("overview")
	height := run(b, "measuring the overview", chromedp.Evaluate[int](`document.documentElement.scrollHeight`))
	t.Logf("the case overview (%s) is %d px tall at %d CSS px", overview, height, desktopWidth)
	if n := run(b, "counting next steps", chromedp.Evaluate[int](`document.querySelectorAll('main .wm-next-step').length`)); n != 1 {
		t.Errorf("the overview highlights %d next steps, want 1", n)
	}
	if !b.exists(`main .wm-flag h3`) || !b.exists(`main h2`) {
		t.Error("the overview shows no flag as a heading")
	}
	if got := b.summaryValue("Stage"); got == "" {
		t.Error("the overview's stage has no label")
	}
	b.narrowAxe("overview")

	pages := b.sideNav()
	for _, want := range []string{"/concern", "/children-services", "/abroad", "/age", "/timeline"} {
		if !strings.Contains(strings.Join(pages, " "), overview+want) {
			t.Errorf("the side navigation has no %s: %v", want, pages)
		}
	}
	for _, href := range pages[1:] {
		b.open(href) // checked with axe-core at the usual width
		b.do("widening the viewport", chromedp.EmulateViewport(desktopWidth, 800))
		b.axeHere(href)
		b.narrowAxe(strings.TrimPrefix(href, overview+"/"))
	}

	b.open(overview + "/timeline")
	b.setValue("area", "children-services")
	b.click(`main form.wm-filter button[type="submit"]`)
	if p := b.location(); !strings.Contains(p, "area=children-services") {
		t.Errorf("the timeline's filter went to %s", p)
	}
	b.expectText("Showing", "Contact recorded")
}

// axeHere runs axe-core on the page as it is now, at the viewport set.
func (b *browser) axeHere(what string) {
	b.t.Helper()
	for _, v := range b.runAxe() {
		b.t.Errorf("axe violation on %s (%s): %s (%s): %s", b.location(), what, v.ID, v.Impact, v.Help)
	}
}
