package e2e

import (
	"strings"
	"testing"
	"time"
)

// What the team learns of the child's situation, what a referrer adds to a
// concern, and a person's own work details, through their pages in a real
// browser without JavaScript: axe-core on every page, each checked at 320
// CSS pixels wide, and a mistake shown in the error summary (§8.5, §8.7,
// §8.8). Nothing here changes a demo case: the situation page is only
// refused, the concern stays a draft, and the details are the GP's.
func TestSituationConcernAndWorkDetailsPages(t *testing.T) {
	b := newBrowserFor(t, false, 4*time.Minute)

	b.signIn(socialWorkerEmail, socialWorkerName)
	b.nav("/cases")
	follow(b, childLink("Kayla Morris"))
	b.expectHeading("Kayla Morris")
	casePath := b.path()
	b.open(casePath + "/strategy")
	b.expectText("What we know of the child's situation", "At a multi-agency meeting")
	b.startAction(casePath, "situation", "Record what we know of the child's situation")
	if got := b.value("livingConditions"); !strings.Contains(got, "children's home") {
		t.Errorf("the page does not start from the answers so far: living conditions %q", got)
	}
	b.narrow("situation")
	b.fill("birthplace", strings.Repeat("Eastshire ", 30))
	if status := b.submit(); status != 422 {
		b.fatalf("saving without saying where it was learnt: status %d, want 422", status)
	}
	b.expectErrorSummary("learntAt")
	b.expectErrorSummary("birthplace")
	b.narrow("situation-error")
	b.signOut()

	b.signIn(gpEmail, gpName)
	b.open("/concerns/new")
	b.submit()
	draft := strings.TrimSuffix(b.path(), "/child")
	b.open(draft)
	b.expectText("What the child told you (optional)", "Optional")
	b.open(draft + "/told")
	b.expectHeading("What the child told you")
	b.narrow("concern-told")

	b.open("/account/profile")
	b.expectHeading("Your work details")
	b.fill("workPhone", "ring the surgery")
	if status := b.submit(); status != 422 {
		b.fatalf("saving a phone number that is not one: status %d, want 422", status)
	}
	b.expectErrorSummary("workPhone")
	b.narrow("profile-error")
	b.setValue("workPhone", "")
	b.fill("jobTitle", "GP partner")
	b.fill("workPhone", "01632 960 777")
	if status := b.submit(); status != 200 {
		b.fatalf("saving the work details: status %d; the page says: %s", status, b.errorSummary())
	}
	b.expectText("Your work details are saved")
	if got := b.value("jobTitle"); got != "GP partner" {
		t.Errorf("the job title after saving is %q", got)
	}
}
