package e2e

import (
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"waymark/internal/access"
)

// Emergency access (§6.5) in a real browser without JavaScript, axe-core on
// every page: the youth worker, outside a case, asks for it with a reason
// and their password, sees the case with the banner saying until when, and
// the partnership lead finds the reason on the alerts page.
func TestBreakGlassGivesEmergencyAccessAndAlertsTheLead(t *testing.T) {
	b := newBrowser(t, false)

	// A case of the teacher's that has a reference.
	b.signIn(teacherEmail, teacherName)
	b.nav("/cases")
	links := regexp.MustCompile(`href="(/cases/[0-9a-f]{24})"`).FindAllStringSubmatch(b.html(), -1)
	var path, ref string
	for i := len(links) - 1; i >= 0 && ref == ""; i-- {
		b.open(links[i][1])
		if m := referencePattern.FindString(b.text("main .govuk-caption-l")); m != "" {
			path, ref = links[i][1], m
		}
	}
	if ref == "" {
		t.Fatal("no case of the teacher's has a reference")
	}
	b.signOut()

	const reason = "The child has turned up at our youth project late at night and says they cannot go home"
	b.signIn(youthEmail, youthName)
	if status := b.open(path); status != 404 {
		t.Fatalf("the youth worker opening %s: %d, want 404", path, status)
	}
	b.click(`main a[href="/break-glass"]`)
	b.expectHeading("Emergency access to a case")
	b.fill("case", ref)
	b.fill("reason", reason)
	b.fill("confirm", demoPassword)
	if status := b.submit(); status != 200 {
		t.Fatalf("asking for emergency access: %d", status)
	}
	if b.path() != path {
		t.Fatalf("after emergency access the browser is at %s, want %s", b.path(), path)
	}
	b.expectText("You have emergency access until")
	b.signOut()

	b.signIn(partnershipLeadEmail, partnershipLeadName)
	b.nav("/alerts")
	b.expectHeading("Alerts")
	b.expectText(reason, youthName, ref)
	if !strings.Contains(b.text("main"), "Active") {
		t.Error("the alert does not say the access is still active")
	}
	b.signOut()
}

// Setting up two-step verification at a first sign-in, in a real browser
// without JavaScript, axe-core on every page. The manager's authenticator is
// removed with "waymark user reset-mfa" (a lost phone), as an administrator
// would; later tests that sign in as the manager use the new secret
// (setUpAuthenticator).
func TestFirstSignInSetsUpTwoStepVerification(t *testing.T) {
	b := newBrowser(t, false)
	cmd := exec.Command(filepath.Join(server.tmp, "waymark"), "user", "reset-mfa", "--email", managerEmail, "--data", filepath.Join(server.tmp, "data"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("waymark user reset-mfa: %v\n%s", err, out)
	}
	b.open("/sign-in")
	b.fill("email", managerEmail)
	b.fill("password", demoPassword)
	b.submit()
	b.expectHeading("Set up two-step verification")
	link, err := url.Parse(b.attr(`main a[href^="otpauth://"]`, "href"))
	if err != nil || link.Query().Get("secret") == "" {
		t.Fatalf("no otpauth link with a secret: %q %v", link, err)
	}
	secret := link.Query().Get("secret")
	b.expectText(access.GroupSecret(secret))
	step := access.TOTPStep(time.Now())
	code, err := access.TOTPAtStep(secret, step)
	if err != nil {
		t.Fatal(err)
	}
	setUpAuthenticator(managerEmail, secret, step)
	b.fill("code", code)
	b.submit()
	b.expectHeading("Save your recovery codes")
	if n := strings.Count(b.html(), "<li><code>"); n != access.RecoveryCodeCount {
		t.Errorf("%d recovery codes shown, want %d", n, access.RecoveryCodeCount)
	}
	b.click(`main a.govuk-button`)
	b.expectHeading("Hello, Tom Brennan") // the demo manager
	b.signOut()
}
