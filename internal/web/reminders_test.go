package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"waymark/internal/notify"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// A person chooses which email reminders they get on a page of plain HTML
// checkboxes, all ticked until they choose; unticking them all is an
// answer, not a mistake. A manager is told that their team's overdue
// alerts cannot be turned off (issue 15 §2).
func TestAPersonChoosesTheirRemindersAndAManagerIsToldWhatCannotBeTurnedOff(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		b.signIn("social.worker@cs.example")
		page := b.get("/account/reminders")
		body := page.Body.String()
		if page.Code != http.StatusOK || strings.Count(body, `name="kinds"`) != 3 || strings.Count(body, " checked") != 3 {
			t.Fatalf("GET /account/reminders: %d, want three ticked boxes\n%s", page.Code, body)
		}
		csrf := hiddenInput(body, "csrf_token")
		saved := b.post("/account/reminders", url.Values{"csrf_token": {csrf}, "kinds": {"digest"}})
		if saved.Code != http.StatusSeeOther || saved.Header().Get("Location") != "/account/reminders?done=saved" {
			t.Fatalf("saving: %d %s", saved.Code, saved.Header().Get("Location"))
		}
		if body := b.get("/account/reminders?done=saved").Body.String(); strings.Count(body, " checked") != 1 || !strings.Contains(body, "Your reminder choices are saved") {
			t.Errorf("the saved choice is not shown:\n%s", body)
		}
		if none := b.post("/account/reminders", url.Values{"csrf_token": {csrf}}); none.Code != http.StatusSeeOther {
			t.Fatalf("turning every reminder off: %d", none.Code)
		}
		if err := db.View(t.Context(), func(tx *store.Tx) error {
			p, err := tx.ReminderPreferencesOf("user-social-worker")
			if err == nil && p != (store.ReminderPreferences{}) {
				t.Errorf("stored %+v, want none", p)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		m := e.browser()
		m.signIn("manager@cs.example")
		if body := m.get("/account/reminders").Body.String(); !strings.Contains(body, "You cannot turn this off") {
			t.Errorf("the manager is not told their overdue alerts cannot be turned off:\n%s", body)
		}
	})
}

// The API reads and replaces the same choices; a machine client has none.
func TestTheAPIReadsAndChangesReminderChoices(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		token := e.signInAPI("social.worker@cs.example")
		rec := e.api("PUT", "/api/v1/account/reminders", token, map[string]any{"dueSoon": false, "overdue": true, "digest": false})
		var got map[string]bool
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &got) != nil ||
			got["dueSoon"] || !got["overdue"] || got["digest"] || !got["managerOverdueAlwaysOn"] {
			t.Fatalf("PUT: %d %s", rec.Code, rec.Body)
		}
		if rec := e.api("GET", "/api/v1/account/reminders", token, nil); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"dueSoon": false`) {
			t.Fatalf("GET: %d %s", rec.Code, rec.Body)
		}
	})
}

// The demo's mail page shows a signed-in person only the mail sent to
// them, and is not there at all outside the demo.
func TestTheDemoMailPageShowsOnlyYourOwnMail(t *testing.T) {
	db := storetest.SQLite(t)
	catcher, err := notify.StartCatcher("127.0.0.1:0", time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { catcher.Close() })
	m := &notify.Mailer{Addr: catcher.Addr, From: "waymark@demo.example"}
	for _, to := range []string{"social.worker@cs.example", "manager@cs.example"} {
		msg := notify.ReminderMessage("overdue", 1, "http://127.0.0.1/my-work")
		msg.ID = "reminder-" + strings.Split(to, "@")[0]
		if err := m.Send(t.Context(), to, msg); err != nil {
			t.Fatal(err)
		}
	}
	e := newEnv(t, db, func(c *Config) { c.DemoMail = &DemoMail{Catcher: catcher} })
	b := e.browser()
	if rec := b.get("/demo/mail"); rec.Code == http.StatusOK {
		t.Fatal("the demo mail page is shown to someone not signed in")
	}
	b.signIn("social.worker@cs.example")
	body := b.get("/demo/mail").Body.String()
	if !strings.Contains(body, "waymark-reminder-social.worker") || strings.Contains(body, "manager@cs.example") {
		t.Fatalf("the social worker's demo mail:\n%s", body)
	}
	plain := newEnv(t, storetest.SQLite(t))
	pb := plain.browser()
	pb.signIn("social.worker@cs.example")
	if rec := pb.get("/demo/mail"); rec.Code != http.StatusNotFound {
		t.Fatalf("/demo/mail outside the demo: %d", rec.Code)
	}
}
