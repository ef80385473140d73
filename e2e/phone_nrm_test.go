package e2e

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// On a 320 px phone, without JavaScript, the pages issue 12 added fit
// without scrolling sideways and axe-core finds nothing on them (every
// page load runs it): the NRM page's documents section and its refused
// upload, the team's contributions page, a referrer's contribution form
// and an organisation's Home Office entries. Nothing is saved: the upload
// is refused and the forms are only opened.
func TestTheNRMPagesFitAPhone(t *testing.T) {
	b := newBrowserFor(t, false, 4*time.Minute)
	b.signIn(socialWorkerEmail, socialWorkerName)
	b.nav("/cases")
	follow(b, childLink(contribChild))
	casePath := b.path()
	b.open(casePath + "/nrm")
	b.expectText("Documents")
	b.narrowAxe("nrm-documents")
	exe := filepath.Join(t.TempDir(), "minutes.pdf")
	if err := os.WriteFile(exe, append([]byte("MZ\x90\x00"), make([]byte, 2000)...), 0o600); err != nil {
		t.Fatal(err)
	}
	b.do("choosing the program", chromedp.SetUploadFiles(byID("file"), []string{exe}))
	if status := b.click(`form[action$="/documents"] button[type="submit"]`); status != 422 {
		b.fatalf("the program named .pdf was answered %d, want 422", status)
	}
	b.expectErrorSummary("file")
	b.narrowAxe("nrm-documents-error")
	b.open(casePath + "/nrm-contributions")
	b.expectHeading("Contributions to the NRM referral")
	b.narrowAxe("nrm-contributions")
	b.signOut()

	b.signIn(youthEmail, youthName)
	b.open(casePath + "/actions/nrm-contribute")
	b.expectHeading("Give information for the NRM referral")
	b.narrowAxe("nrm-contribute")
	if status := b.submit(); status != 422 {
		b.fatalf("giving nothing: status %d, want 422", status)
	}
	b.narrowAxe("nrm-contribute-error")
	b.signOut()

	b.signIn(adminEmail, adminName)
	b.open("/admin/organisations/org-eastshire-police")
	b.narrowAxe("organisation-ho-lists")
}
