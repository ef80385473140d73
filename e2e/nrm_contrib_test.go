package e2e

import (
	"strings"
	"testing"
)

// The demo case the contribution test works on (internal/demo/stories.go): a
// labour exploitation concern the youth worker raised, whose NRM referral is
// not submitted. No other browser test uses it.
const (
	contribChild = "Jayden Price"
	contribWords = "Jayden told me he sleeps on a mattress in the back room of the car wash on Saturdays, " +
		"with two older boys, because the boss wants them there early on Sunday."
)

// §8.5, annex: the person who raised the concern gives the lead First
// Responder what they know; the team sees who said it beside the question it
// answers and uses it in the NRM draft. The contributor never sees the draft.
func TestAReferrersContributionIsUsedInTheNRMDraft(t *testing.T) {
	b := newBrowserFor(t, true, nrmTimeout)
	b.signIn(youthEmail, youthName)
	b.nav("/cases")
	follow(b, childLink(contribChild))
	b.expectHeading(contribChild)
	casePath := b.path()

	// Their NRM page: the questions asked of them, then the question page.
	b.click(`nav.moj-side-navigation a[href="` + casePath + `/nrm"]`)
	b.expectText("What the lead First Responder would like to know", "Where and how the child was living", "Nothing yet.")
	b.click(`main a[href="` + casePath + `/actions/nrm-contribute"]`)
	b.expectHeading("Give information for the NRM referral")
	b.tick(radioFor(b, "topic", "living-conditions"))
	b.fill("text", contribWords)
	if status := b.submit(); status != 200 {
		b.fatalf("giving the information: status %d", status)
	}
	b.expectHeading(contribChild)
	b.open(casePath + "/nrm")
	b.expectText(contribWords)
	if b.exists(`main a[href="` + casePath + `/nrm-draft"]`) {
		t.Error("the youth worker's NRM page links the team's draft")
	}
	// The team's page of contributions does not exist for them.
	if status := b.open(casePath + "/nrm-contributions"); status != 404 {
		t.Errorf("the youth worker opening the team's contributions: %d, want 404", status)
	}
	b.signOut()

	// The team: the contribution beside its question, used as given.
	b.signIn(socialWorkerEmail, socialWorkerName)
	b.open(casePath + "/nrm")
	b.click(`main a[href="` + casePath + `/nrm-contributions"]`)
	b.expectHeading("Contributions to the NRM referral")
	b.expectText("Their living conditions", youthName, contribWords)
	b.click(`main form[action*="/nrm-contributions/"] button[type="submit"]`)
	b.expectHeading("Contributions to the NRM referral")
	if got := b.text(".govuk-notification-banner--success"); !strings.Contains(got, "The contribution is in the draft") {
		t.Errorf("after using it the banner says %q", got)
	}
	b.expectText("Used in 'Their living conditions' (version 1), as given, by " + socialWorkerName)

	// The draft's answer holds their words, saved as a new version.
	b.open(casePath + "/nrm-draft/exploitation")
	if got := b.value("living-conditions"); !strings.Contains(got, contribWords) {
		t.Errorf("the draft's living conditions hold %q, want the youth worker's words", got)
	}
	b.expectText("Saved by "+socialWorkerName, "What others told you for this question")

	// Edit, then use: the edited words become the answer.
	b.click(`main a[href*="/nrm-contributions/"][href*="/edit"]`)
	b.expectHeading("Edit, then use: Their living conditions")
	edited := "The youth worker was told: " + contribWords
	b.fill("answer", edited)
	if status := b.submit(); status != 200 {
		b.fatalf("using the edited answer: status %d", status)
	}
	if p := b.path(); p != casePath+"/nrm-draft/exploitation" {
		t.Errorf("after Edit, then use the browser is on %s, want the draft's section", p)
	}
	if got := b.value("living-conditions"); got != edited {
		t.Errorf("the draft's living conditions hold %q, want the edited words", got)
	}
	b.expectText("(version 2), edited, by " + socialWorkerName)
	b.signOut()
}
