package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// A note sent while another process holds the database's write lock for
// longer than a write waits: in a real browser with no JavaScript, the page
// says Waymark is busy (503, Retry-After), holds the note, passes axe-core
// at desktop width and at 320 CSS px, and its Try again button, pressed
// once the lock is free, saves the note as typed.
func TestANoteSentWhileTheDatabaseIsBusyIsKeptAndSentAgainWithoutJavaScript(t *testing.T) {
	requirements(t)
	db, file := storetest.SQLiteWith(t, store.OpenOptions{BusyWait: 200 * time.Millisecond})
	s := newScreensOn(t, db)
	id := s.raise()
	b := s.browser(false)
	s.signIn(b, "front.door@cs.example", "Fola Front")
	b.open("/cases/" + id + "/actions/note")
	note := "He said the older boys call him 'the runner' & keep his phone at night <in the flat>"
	b.fill("text", note)

	release := storetest.HoldWriteLock(t, file)
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#main-content form[method="post"] button[type="submit"]`)))
	cancel()
	if err != nil {
		release()
		b.fatalf("sending the note while busy: %v", err)
	}
	b.pages++
	if resp.Status != 503 {
		release()
		b.fatalf("the note while busy: status %d, want 503", resp.Status)
	}
	if ra, _ := resp.Headers["Retry-After"].(string); ra == "" {
		t.Errorf("the busy page has no Retry-After: %v", resp.Headers)
	}
	b.expectHeading("Waymark is busy")
	b.expectText("nothing of yours has been saved", "What you sent is kept on this page", "Try again")
	for _, v := range b.runAxe() {
		t.Errorf("axe violation on the busy page: %s (%s): %s", v.ID, v.Impact, v.Help)
	}
	b.narrowAxe("busy")
	release()

	if status := b.submit(); status != 200 {
		b.fatalf("Try again once the lock was free: status %d", status)
	}
	b.open("/cases/" + id + "/people")
	b.expectText(note)
}
