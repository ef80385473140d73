package e2e

import (
	"bytes"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// §8.7: the team keeps the documents the NRM referral uploads on the case.
// A social worker adds a scan from the case's NRM referral page with the
// GOV.UK file upload, sees it listed, downloads it as it was; a program
// named as a PDF is refused with an error summary. Without JavaScript, as
// the upload needs none.
func TestADocumentIsUploadedToTheCaseAndDownloadedAsItWas(t *testing.T) {
	b := newBrowser(t, false)
	b.signIn(socialWorkerEmail, socialWorkerName)
	b.nav("/cases")
	follow(b, childLink("Chloe Sutton")) // a demo case no other browser test changes
	nrmPage := b.path() + "/nrm"
	b.open(nrmPage)
	b.expectText("Documents", "The case holds no documents yet.")

	dir := t.TempDir()
	scan := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("% a scanned risk assessment\n"), 4000)...)
	pdf := filepath.Join(dir, "Risk assessment.pdf")
	exe := filepath.Join(dir, "minutes.pdf")
	if err := os.WriteFile(pdf, scan, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, append([]byte("MZ\x90\x00"), make([]byte, 2000)...), 0o600); err != nil {
		t.Fatal(err)
	}

	// A program named .pdf is refused, by its content.
	b.do("choosing the program", chromedp.SetUploadFiles(byID("file"), []string{exe}))
	if status := b.click(`form[action$="/documents"] button[type="submit"]`); status != 422 {
		b.fatalf("the program named .pdf was answered %d, want 422", status)
	}
	b.expectErrorSummary("file")
	b.expectText("The selected file must be a PDF, DOC, DOCX, JPG or PNG")

	// The scan is kept and listed.
	b.fill("what", "Risk assessment by the school, 3 March 2026")
	b.do("choosing the scan", chromedp.SetUploadFiles(byID("file"), []string{pdf}))
	b.click(`form[action$="/documents"] button[type="submit"]`)
	if !strings.HasSuffix(b.path(), "/nrm") {
		b.fatalf("after the upload the browser is at %s, want the NRM referral page", b.path())
	}
	b.expectText("Risk assessment.pdf was added to the case", "Risk assessment by the school, 3 March 2026", "PDF", socialWorkerName)

	// And downloads as it was, as an attachment that is never sniffed.
	href := b.attr(`#documents ~ table a[download]`, "href")
	if !strings.HasPrefix(href, b.path()+"/documents/") && !strings.Contains(href, "/documents/") {
		b.fatalf("the document's link is %q", href)
	}
	resp, body := b.nrmGet(b.nrmClient(), href)
	if resp.StatusCode != 200 || !bytes.Equal(body, scan) {
		b.fatalf("the download: %d, %d bytes of %d", resp.StatusCode, len(body), len(scan))
	}
	if got := resp.Header.Get("Content-Type"); got != "application/pdf" {
		t.Errorf("the download's type is %q", got)
	}
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options is %q", got)
	}
	disp, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || params["filename"] != "Risk assessment.pdf" {
		t.Errorf("Content-Disposition is %q", resp.Header.Get("Content-Disposition"))
	}
}
