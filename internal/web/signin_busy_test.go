package web

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"waymark/internal/access"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// When too many sign-ins already wait for a password check, the page and
// the API answer at once 429 with Retry-After and say so plainly, rather
// than hold the request in an endless queue.
func TestASignInRefusedWhileTooManyWaitSaysTryAgainInAMoment(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var hashes atomic.Int64
		e.svc.PasswordCheck = func(string, string) (bool, error) { return false, access.ErrHashBusy }
		for _, api := range []bool{false, true} {
			a := e.tryPassword(api, "198.51.100.7", "dsl@northfield.example", storetest.Password, &hashes)
			if a.Status != http.StatusTooManyRequests || a.RetryAfter != "1" {
				t.Errorf("api %v: status %d, Retry-After %q, want 429 and 1", api, a.Status, a.RetryAfter)
			}
			want := "Too many people are signing in at once. Try again in a moment."
			if !api {
				want = "Too many people are signing in at once. Your password was not checked."
			}
			if !strings.Contains(a.Body, want) {
				t.Errorf("api %v: the answer does not say why:\n%s", api, a.Body)
			}
			if !api && (!strings.Contains(a.Body, "Wait a few seconds, type your password again and select Sign in.") ||
				!strings.Contains(a.Body, `value="EMAIL"`) || strings.Contains(a.Body, storetest.Password) || strings.Contains(a.Body, "govuk-error-message") ||
				strings.Contains(a.Body, "govuk-input--error")) {
				t.Errorf("the page does not say what to do, loses the email address , shows the password or marks a field wrong:\n%s", a.Body)
			}
		}
	})
}
