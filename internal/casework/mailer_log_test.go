package casework_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/notify"
	"waymark/internal/notify/notifytest"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// When the mailer gives up on an alert email after its last try it says
// so in the log, as an error an on-call engineer can alert on: the alert,
// the number of tries and the last error, and of the member of staff it
// was for only their email domain. Tries before the last are warnings.
func TestTheMailerLogsAnErrorWhenItGivesUpOnAnEmail(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		var logs bytes.Buffer
		p.svc.Log = slog.New(slog.NewJSONHandler(&logs, nil))
		relay := notifytest.New(t)
		relay.SetFailing(true)
		p.svc.Access.Mailer = &notify.Mailer{Addr: relay.Addr, From: "waymark@partnership.example"}
		p.lead()
		id := p.raise()
		if _, _, err := p.svc.BreakGlass(p.ctx, p.GPDoctor, p.session(p.GPDoctor), id, emergencyReason); err != nil {
			t.Fatal(err)
		}
		for range store.AlertEmailAttempts + 2 {
			if _, err := p.svc.DeliverAlertEmails(p.ctx); err != nil {
				t.Fatal(err)
			}
			p.clock.Advance(time.Hour) // past the claim's lease
		}
		var warnings, gaveUp int
		for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("log line %q: %v", line, err)
			}
			switch {
			case rec["level"] == "WARN" && strings.HasPrefix(rec["msg"].(string), "alert email not sent"):
				warnings++
			case rec["level"] == "ERROR" && strings.HasPrefix(rec["msg"].(string), "alert email given up"):
				gaveUp++
				if rec["alert"] == "" || rec["attempts"] != float64(store.AlertEmailAttempts) || rec["last_error"] == "" || rec["recipient_domain"] != "partnership.example" {
					t.Errorf("the give-up line lacks what an engineer needs: %s", line)
				}
			}
		}
		if warnings != store.AlertEmailAttempts-1 || gaveUp != 1 {
			t.Fatalf("%d warnings and %d give-ups, want %d and 1:\n%s", warnings, gaveUp, store.AlertEmailAttempts-1, logs.String())
		}
		if strings.Contains(logs.String(), "lead@") {
			t.Fatalf("the log names the recipient's address:\n%s", logs.String())
		}
	})
}

// The mailer's loop records each run that succeeds, for /metrics.
func TestTheAlertMailerRecordsItsLastSuccessfulRun(t *testing.T) {
	var w casework.Workers
	w.Expect(casework.WorkerAlertMailer)
	if at, ok := w.Last()[casework.WorkerAlertMailer]; !ok || !at.IsZero() {
		t.Fatalf("an expected job that never ran: %v %v", at, ok)
	}
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	w.Ran(casework.WorkerAlertMailer, now)
	if at := w.Last()[casework.WorkerAlertMailer]; !at.Equal(now) {
		t.Fatalf("last run %v", at)
	}
}
