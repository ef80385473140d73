package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A person's email reminder choices, and the demo's mail, through their
// pages in a real browser without JavaScript: axe-core on every page, each
// checked at 320 CSS pixels wide (issue 15 §2). All reminders are on until
// the person chooses; unticking one and saving keeps it off.
func TestReminderChoicesAndTheDemoMailPage(t *testing.T) {
	b := newBrowserFor(t, false, 3*time.Minute)
	b.signIn(gpEmail, gpName)
	b.open("/account/reminders")
	b.expectHeading("Email reminders")
	for _, id := range []string{"kinds", "kinds-1", "kinds-2"} {
		if !b.checked(id) {
			b.fatalf("#%s is not ticked before the person chose", id)
		}
	}
	b.narrow("reminders")
	b.do("unticking the digest", chromedp.Click(byID("kinds-2")))
	if status := b.submit(); status != 200 {
		b.fatalf("saving the reminder choices: status %d", status)
	}
	b.expectText("Your reminder choices are saved", "Managers are always emailed")
	if b.checked("kinds-2") || !b.checked("kinds") {
		b.fatalf("the saved choices are not shown")
	}
	b.open("/demo/mail")
	b.expectHeading("Demo mail")
	b.narrow("demo-mail")
}
