package e2e

import (
	"strings"
	"testing"
	"time"
)

// The directory of support and key contacts through its pages, without
// JavaScript and with axe-core on every page (§9.4, §9.5, annex): a
// practitioner reads it, every entry saying when it was last checked; the
// administrator corrects an entry, first with a date still to come (the
// error summary), then with the day they checked it.
func TestDirectoryThroughThePages(t *testing.T) {
	b := newBrowserFor(t, false, 4*time.Minute)
	b.signIn(teacherEmail, teacherName)
	b.open("/directory")
	b.expectHeading("Directory of support and key contacts")
	b.expectText("Independent Child Trafficking Guardian (ICTG) service: professional advice line", "0800 043 4303", "Check before use", "Last checked")

	// The reference data on the concern form's pages (§3.3, §4.5–§4.9, §5.2, §8.7).
	b.open("/concerns/new")
	b.submit()
	draft := strings.TrimSuffix(b.path(), "/child")
	b.open(draft + "/exploitation")
	b.expectText("Be aware of gender bias", "The stages of grooming")
	b.open(draft + "/indicators")
	b.expectText("Circumstances that make a child more vulnerable")
	b.open(draft + "/evidence")
	b.expectText("The Reasonable Grounds test, as worded since")
	b.signOut()

	b.signIn(adminEmail, adminName)
	b.open("/directory/ceop/edit")
	b.expectHeading("Change CEOP (Child Exploitation and Online Protection)")
	b.fillDate("lastChecked", time.Now().AddDate(0, 0, 2))
	b.choose("checkBeforeUse", "yes")
	if status := b.submit(); status != 422 {
		t.Errorf("a check date still to come: status %d, want 422", status)
	}
	b.expectErrorSummary("lastChecked")
	b.open("/directory/ceop/edit") // afresh: the refused answers are still in the inputs
	b.fillDate("lastChecked", time.Now())
	b.choose("checkBeforeUse", "yes")
	if status := b.submit(); status != 200 {
		t.Fatalf("saving the entry: status %d; the page says %s", status, b.errorSummary())
	}
	b.expectText("Directory entry saved")
	b.signOut()

	// §6.8, §9.4: Eastshire has the ICTG service, so a child the demo
	// referred to the NRM is prompted for an ICTG referral on the case page.
	b.signIn(socialWorkerEmail, socialWorkerName)
	b.open("/cases")
	follow(b, childLink("Sophie Lambert"))
	b.expectText("Refer to the ICTG service", "Record the ICTG referral")
	b.signOut()
}
