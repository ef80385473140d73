package casework_test

import (
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/notify"
	"waymark/internal/notify/notifytest"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Email reminders (issue 15 §2). The partnership's clock starts on a
// Tuesday at 09:00 (storetest.Start, London time = UTC in March); the
// concern a test raises was identified two hours earlier, so its §8.5
// clock (24 hours, an emergency one) falls due on Wednesday at 07:00.

func withRelay(t *testing.T, svc *casework.Service) *notifytest.Server {
	t.Helper()
	relay := notifytest.New(t)
	svc.Access.Mailer = &notify.Mailer{Addr: relay.Addr, From: "waymark@partnership.example"}
	svc.Access.PublicURL = "https://waymark.partnership.example"
	return relay
}

// actionClock gives the case a deadline owned by a person that is not an
// emergency: a meeting action (§6.8), counted in days.
func actionClock(t *testing.T, p *partnership, caseID, clockID string, owner casework.Viewer, started, due time.Time) {
	t.Helper()
	if _, err := p.db.SQL().ExecContext(p.ctx, `INSERT INTO clocks(case_id, clock_id, kind, label, owner_org_id, owner_user_id, started_at, due_at, risk_window)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, caseID, clockID, string(pathway.ClockMeetingAction), "Meeting action", owner.User.OrgID, owner.User.ID,
		started.UTC(), due.UTC(), false); err != nil {
		t.Fatal(err)
	}
	// The work queues' rows for it, as the projection writes them (store/queue.go).
	never := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	for queue, owner := range map[string]string{"work.user": owner.User.ID, "work.staff": owner.User.OrgID} {
		if _, err := p.db.SQL().ExecContext(p.ctx, `INSERT INTO queue_items(queue, owner_id, lane, due_at, tie_at, case_id, item_id, until_at)
			VALUES ($1, $2, 1, $3, $4, $5, $6, $7)`, queue, owner, due.UTC(), started.UTC(), caseID, clockID, never); err != nil {
			t.Fatal(err)
		}
	}
}

// round runs one scan and one delivery, as each tick of RunReminders does.
func round(t *testing.T, svc *casework.Service) int {
	t.Helper()
	if _, err := svc.ScanReminders(t.Context()); err != nil {
		t.Fatal(err)
	}
	n, err := svc.DeliverReminders(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func mailsTo(relay *notifytest.Server, addr, subject string) []notifytest.Mail {
	var out []notifytest.Mail
	for _, m := range relay.Mails() {
		if len(m.To) == 1 && m.To[0] == addr && (subject == "" || strings.Contains(m.Data, "Subject: "+subject)) {
			out = append(out, m)
		}
	}
	return out
}

var messageID = regexp.MustCompile(`Message-ID: <([^>]+)>`)

func tuesday(h, m int) time.Time   { return time.Date(2026, 3, 10, h, m, 0, 0, time.UTC) }
func wednesday(h, m int) time.Time { return time.Date(2026, 3, 11, h, m, 0, 0, time.UTC) }

// A deadline counted in working days does not wake its owner at 3 a.m.:
// its "due soon" waits for the working morning, by which time it is
// overdue and the overdue reminder goes instead. The §8.5 clock, counted
// in hours because a child may be at risk now, reminds at 3 a.m. all the
// same.
func TestNoReminderAtThreeInTheMorningForAWorkingDayClock(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		relay := withRelay(t, p.svc)
		id := p.raise()
		actionClock(t, p, id, "action-1", p.SocialWorker, tuesday(6, 0), wednesday(6, 0)) // due soon from 02:00
		p.clock.Set(wednesday(3, 0))
		round(t, p.svc)
		if got := mailsTo(relay, p.SocialWorker.User.Email, ""); len(got) != 0 {
			t.Fatalf("the social worker was emailed at 3 a.m. about a working-day deadline: %+v", got)
		}
		if got := mailsTo(relay, p.Manager.User.Email, "Something in Waymark is due soon"); len(got) != 1 {
			t.Fatalf("the §8.5 clock's reminder reached the manager %d times at 3 a.m., want 1", len(got))
		}
		p.clock.Set(wednesday(7, 59))
		if n, err := p.svc.DeliverReminders(p.ctx); err != nil || len(mailsTo(relay, p.SocialWorker.User.Email, "")) != 0 {
			t.Fatalf("sent %d before the working day began, %v", n, err)
		}
		p.clock.Set(wednesday(8, 0))
		round(t, p.svc)
		if got := mailsTo(relay, p.SocialWorker.User.Email, "Something in Waymark is overdue"); len(got) != 1 {
			t.Fatalf("at 08:00 the social worker got %d overdue reminders, want 1", len(got))
		}
		if got := mailsTo(relay, p.SocialWorker.User.Email, "Something in Waymark is due soon"); len(got) != 0 {
			t.Fatalf("a due-soon reminder went after the deadline had passed")
		}
	})
}

// A manager cannot turn off the alert that their team missed a deadline
// (§6.7): it goes although they turned every reminder off, while the
// owner, who turned overdue reminders off, gets none.
func TestOverdueReminderReachesTheManagerEvenIfTheyOptedOut(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		relay := withRelay(t, p.svc)
		none := store.ReminderPreferences{}
		for _, v := range []casework.Viewer{p.Manager, p.SocialWorker} {
			if err := p.svc.SetReminderPreferences(p.ctx, v, none); err != nil {
				t.Fatal(err)
			}
		}
		id := p.raise()
		actionClock(t, p, id, "action-1", p.SocialWorker, tuesday(9, 0), tuesday(15, 0))
		p.clock.Set(tuesday(15, 30))
		round(t, p.svc)
		got := mailsTo(relay, p.Manager.User.Email, "")
		if len(got) != 1 || !strings.Contains(got[0].Data, "Your team has 1 thing overdue in Waymark.") {
			t.Fatalf("the manager got %+v, want one overdue alert", got)
		}
		if got := mailsTo(relay, p.SocialWorker.User.Email, ""); len(got) != 0 {
			t.Fatalf("the social worker opted out and still got %d emails", len(got))
		}
	})
}

// A reminder tells how many things and where to sign in: no child's name,
// no case reference or id, no reason (docs/security.md).
func TestReminderEmailsCarryNoChildDetails(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		relay := withRelay(t, p.svc)
		id := p.raise()
		ref := p.contact(id)
		actionClock(t, p, id, "action-1", p.SocialWorker, tuesday(9, 0), tuesday(15, 0))
		p.clock.Set(tuesday(11, 0)) // due soon, and the digest
		round(t, p.svc)
		p.clock.Set(tuesday(15, 1)) // overdue
		round(t, p.svc)
		mails := relay.Mails()
		if len(mails) < 3 {
			t.Fatalf("only %d emails", len(mails))
		}
		for _, m := range mails {
			for _, secret := range []string{"Amira", "Example", ref, id, "action-1", "Meeting action", "Albanian"} {
				if strings.Contains(m.Data, secret) {
					t.Errorf("an email to %v carries %q:\n%s", m.To, secret, m.Data)
				}
			}
			if !strings.Contains(m.Data, "https://waymark.partnership.example/my-work") {
				t.Errorf("an email has no link to My work:\n%s", m.Data)
			}
		}
	})
}

// "Due soon" comes 4 hours before a 24-hour clock falls due (the default
// lead, docs/operations.md), not earlier, and once however often the
// scanner runs.
func TestADueSoonReminderComesFourHoursBeforeATwentyFourHourClockAndOnce(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		relay := withRelay(t, p.svc)
		id := p.raise()
		actionClock(t, p, id, "action-1", p.SocialWorker, tuesday(10, 0), wednesday(10, 0))
		subject := "Something in Waymark is due soon"
		p.clock.Set(wednesday(5, 59))
		round(t, p.svc)
		if got := mailsTo(relay, p.SocialWorker.User.Email, ""); len(got) != 0 {
			t.Fatalf("due soon went more than 4 hours before the deadline")
		}
		p.clock.Set(wednesday(6, 0)) // due soon, but before working hours: held
		round(t, p.svc)
		if got := mailsTo(relay, p.SocialWorker.User.Email, ""); len(got) != 0 {
			t.Fatalf("due soon went before working hours")
		}
		p.clock.Set(wednesday(8, 0))
		for range 3 {
			round(t, p.svc)
			p.clock.Advance(time.Minute)
		}
		if got := mailsTo(relay, p.SocialWorker.User.Email, subject); len(got) != 1 {
			t.Fatalf("due soon went %d times, want once", len(got))
		}
	})
}

// The digest counts My work once a working day, in the morning.
func TestTheDailyDigestCountsMyWorkOnceAWorkingDay(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		relay := withRelay(t, p.svc)
		id := p.raise()
		actionClock(t, p, id, "action-1", p.SocialWorker, tuesday(9, 0), time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC))
		actionClock(t, p, id, "action-2", p.SocialWorker, tuesday(9, 0), time.Date(2026, 3, 21, 9, 0, 0, 0, time.UTC))
		subject := "Your work in Waymark today" // the two actions and the team's §8.5 clock
		p.clock.Set(tuesday(10, 0))
		round(t, p.svc)
		p.clock.Set(tuesday(17, 0))
		round(t, p.svc)
		got := mailsTo(relay, p.SocialWorker.User.Email, subject)
		if len(got) != 1 || !strings.Contains(got[0].Data, "You have 3 things on your work list in Waymark today.") {
			t.Fatalf("digests: %+v", got)
		}
		p.clock.Set(time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)) // a Saturday
		round(t, p.svc)
		if got := mailsTo(relay, p.SocialWorker.User.Email, subject); len(got) != 1 {
			t.Fatalf("a digest went on a Saturday")
		}
		if err := p.svc.SetReminderPreferences(p.ctx, p.SocialWorker, store.ReminderPreferences{DueSoon: true, Overdue: true}); err != nil {
			t.Fatal(err)
		}
		p.clock.Set(time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)) // Monday
		round(t, p.svc)
		if got := mailsTo(relay, p.SocialWorker.User.Email, subject); len(got) != 1 {
			t.Fatalf("a digest went to someone who turned it off")
		}
	})
}

// A relay that refuses is tried again, after a backoff, and the reminder
// goes once it answers.
func TestAReminderTheRelayRefusedIsTriedAgainAfterABackoff(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		relay := withRelay(t, p.svc)
		id := p.raise()
		actionClock(t, p, id, "action-1", p.SocialWorker, tuesday(9, 0), tuesday(15, 0))
		p.clock.Set(tuesday(15, 30))
		relay.SetFailing(true)
		if n := round(t, p.svc); n != 0 {
			t.Fatalf("sent %d through a failing relay", n)
		}
		relay.SetFailing(false)
		if n, err := p.svc.DeliverReminders(p.ctx); n != 0 || err != nil {
			t.Fatalf("tried again at once (sent %d, %v): no backoff", n, err)
		}
		p.clock.Advance(pathway.ReminderBackoff(1))
		if n, err := p.svc.DeliverReminders(p.ctx); n == 0 || err != nil {
			t.Fatalf("sent %d after the backoff, %v", n, err)
		}
		if got := mailsTo(relay, p.SocialWorker.User.Email, "Something in Waymark is overdue"); len(got) != 1 {
			t.Fatalf("the owner got %d overdue reminders, want 1", len(got))
		}
	})
}

// Two replicas scanning and sending at once send each reminder once.
func TestTwoReplicasSendEachReminderOnce(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		relay := withRelay(t, p.svc)
		other := storetest.Service(t, storetest.Reopen(t, db), p.clock)
		other.Access.Mailer, other.Access.PublicURL = p.svc.Access.Mailer, p.svc.Access.PublicURL
		for range 3 {
			id := p.raise()
			actionClock(t, p, id, "action-1", p.SocialWorker, tuesday(9, 0), tuesday(15, 0))
		}
		p.clock.Set(tuesday(15, 30))
		var wg sync.WaitGroup
		for _, svc := range []*casework.Service{p.svc, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 3 {
					if _, err := svc.ScanReminders(p.ctx); err != nil {
						t.Error(err)
					}
					if _, err := svc.DeliverReminders(p.ctx); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		seen := map[string]int{}
		for _, m := range relay.Mails() {
			id := messageID.FindStringSubmatch(m.Data)
			if id == nil {
				t.Fatalf("no Message-ID:\n%s", m.Data)
			}
			seen[id[1]]++
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("%s was sent %d times", id, n)
			}
		}
		// 3 overdue to the owner, 3 to the manager, the digests.
		if got := mailsTo(relay, p.SocialWorker.User.Email, "Something in Waymark is overdue"); len(got) != 3 {
			t.Errorf("the owner got %d overdue reminders, want 3", len(got))
		}
		if got := mailsTo(relay, p.Manager.User.Email, "Something your team has in Waymark is overdue"); len(got) != 3 {
			t.Errorf("the manager got %d overdue alerts, want 3", len(got))
		}
	})
}

// A replica killed mid-send (its connection dropped in the middle of the
// message, before the final dot, and its database gone) leaves its claim:
// the other replica sends the reminder once the lease has passed, not
// before, and the relay ends with exactly one complete copy.
func TestReminderIsSentOnceWhenOneReplicaDiesMidSend(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		relay := withRelay(t, p.svc)
		if err := p.svc.SetReminderPreferences(p.ctx, p.SocialWorker, store.ReminderPreferences{Overdue: true}); err != nil {
			t.Fatal(err)
		}
		id := p.raise()
		actionClock(t, p, id, "action-1", p.SocialWorker, tuesday(9, 0), tuesday(15, 0))
		p.clock.Set(tuesday(15, 30))
		// Only the owner's reminder is in the outbox: the others are done.
		if _, err := p.svc.ScanReminders(p.ctx); err != nil {
			t.Fatal(err)
		}
		var target string
		var others []string
		rows, err := db.SQL().QueryContext(p.ctx, `SELECT id, kind, recipient_user_id FROM reminders`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var rid, kind, user string
			if err := rows.Scan(&rid, &kind, &user); err != nil {
				t.Fatal(err)
			}
			if kind == string(pathway.ReminderOverdue) && user == p.SocialWorker.User.ID {
				target = rid
			} else {
				others = append(others, rid)
			}
		}
		rows.Close()
		if err := db.Update(p.ctx, func(tx *store.Tx) error {
			for _, o := range others {
				if err := tx.FinishReminder(o, store.ReminderStale, p.clock.Now()); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if target == "" {
			t.Fatal("no overdue reminder for the owner")
		}

		dying := storetest.Service(t, storetest.Reopen(t, db), p.clock)
		dying.Access.Mailer, dying.Access.PublicURL = p.svc.Access.Mailer, p.svc.Access.PublicURL
		held, release := relay.HoldMidData()
		done := make(chan error, 1)
		go func() { _, err := dying.DeliverReminders(p.ctx); done <- err }()
		<-held // mid-message, before the final dot
		dying.DB.Close()
		release() // the line drops: nothing accepted, nothing recorded
		<-done

		if n, err := p.svc.DeliverReminders(p.ctx); n != 0 || err != nil {
			t.Fatalf("sent %d while the dead replica's claim could still be sending, %v", n, err)
		}
		p.clock.Advance(p.svc.AlertEmailLease() + time.Second)
		if n, err := p.svc.DeliverReminders(p.ctx); n != 1 || err != nil {
			t.Fatalf("sent %d once the lease had passed, %v", n, err)
		}
		p.clock.Advance(time.Hour)
		if n, err := p.svc.DeliverReminders(p.ctx); n != 0 || err != nil {
			t.Fatalf("sent %d more, %v", n, err)
		}
		mails := relay.Mails()
		if len(mails) != 1 || !strings.Contains(mails[0].Data, "Message-ID: <waymark-reminder-"+target+"@") {
			t.Fatalf("the relay holds %d complete messages, want exactly this reminder once: %+v", len(mails), mails)
		}
		if err := db.View(p.ctx, func(tx *store.Tx) error {
			outcome, attempts, err := tx.ReminderOutcome(target)
			if err == nil && (outcome != store.ReminderSent || attempts != 2) {
				t.Errorf("outcome %q after %d tries, want sent after 2", outcome, attempts)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	})
}
