package e2e

import (
	"strconv"
	"testing"
	"time"
)

// The partnership's statistics (issue 15, §1.5, §8.10(4)) through the page,
// without JavaScript and with axe-core on every page, also at 320 CSS
// pixels: the partnership lead opens the year of the demo's dozen concerns,
// whose small cells are shown as [c] with the rule explained, and a period
// Waymark cannot read gets the error summary.
func TestTheLeadSeesSuppressedStatistics(t *testing.T) {
	b := newBrowserFor(t, false, 3*time.Minute)
	b.signIn(partnershipLeadEmail, "Ruth Castellano")
	b.nav("/statistics")
	year := strconv.Itoa(time.Now().Year())
	b.open("/statistics?period=" + year)
	b.expectHeading("Statistics: " + year + ", to today (the year so far, provisional)") // the demo counts to today
	b.expectText("Concerns raised, by age and gender", "[c]", "held back to protect the children counted", "Reasonable Grounds decisions within 5 working days")
	b.narrowAxe("statistics-year")

	if status := b.open("/statistics?period=last-year"); status != 400 {
		t.Errorf("a period Waymark cannot read: status %d, want 400", status)
	}
	b.expectErrorSummary("period")
	b.narrowAxe("statistics-error")
	b.signOut()
}
