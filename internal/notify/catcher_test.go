package notify_test

import (
	"strings"
	"testing"
	"time"

	"waymark/internal/notify"
)

// The demo's mail catcher takes mail through a real SMTP conversation and
// shows each person only the mail addressed to them.
func TestTheDemoMailCatcherKeepsEachPersonsMailApart(t *testing.T) {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	c, err := notify.StartCatcher("127.0.0.1:0", func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	m := &notify.Mailer{Addr: c.Addr, From: "Waymark demo <waymark@demo.example>"}
	msg := notify.ReminderMessage("due_soon", 2, "http://127.0.0.1:8080/my-work")
	msg.ID = "reminder-abc"
	if err := m.Send(t.Context(), "sam@demo.example", msg); err != nil {
		t.Fatal(err)
	}
	if err := m.Send(t.Context(), "kim@demo.example", notify.ReminderMessage("digest", 1, "http://127.0.0.1:8080/my-work")); err != nil {
		t.Fatal(err)
	}
	got := c.Mails("sam@demo.example")
	if len(got) != 1 || got[0].Subject != "Something in Waymark is due soon" || !strings.Contains(got[0].Body, "You have 2 things due soon in Waymark.") ||
		!strings.HasPrefix(got[0].MessageID, "<waymark-reminder-abc@") || !got[0].ReceivedAt.Equal(now) {
		t.Fatalf("Sam's mail: %+v", got)
	}
	if all := c.Mails(""); len(all) != 2 || all[0].To != "kim@demo.example" {
		t.Fatalf("all mail, newest first: %+v", all)
	}
}
