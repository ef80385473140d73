package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// With JavaScript, an NRM draft answer is saved while it is typed: no
// Continue is needed for it to survive a closed tab.
func TestNRMDraftIsSavedWhileItIsTyped(t *testing.T) {
	b := newBrowserFor(t, true, nrmTimeout)
	b.signIn(socialWorkerEmail, socialWorkerName)
	b.nav("/cases")
	follow(b, childLink(nrmChild))
	b.expectHeading(nrmChild)
	section := b.path() + "/nrm-draft/" + nrmSection
	b.open(section)
	const typed = " Seen again near the station."
	b.do("typing into #"+nrmField, chromedp.SendKeys(byID(nrmField), typed))
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(b.text("#wm-autosave-status"), "saved at") {
		if time.Now().After(deadline) {
			b.fatalf("no autosave after typing; the status says %q", b.text("#wm-autosave-status"))
		}
		b.do("waiting for the autosave", chromedp.Sleep(200*time.Millisecond)) // polling the page's own status, not timing a result
	}
	b.open(section) // as if the tab had been closed and opened again
	if got := b.value(nrmField); !strings.Contains(got, strings.TrimSpace(typed)) {
		t.Errorf("after reopening, the answer is %q, want it to hold what was typed", got)
	}
}
