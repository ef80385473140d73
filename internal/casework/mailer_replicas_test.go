package casework_test

import (
	"strings"
	"testing"
	"time"

	"waymark/internal/notify"
	"waymark/internal/notify/notifytest"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// breakGlassAlert makes one alert email waiting to be sent: a lead, and a
// doctor outside a case who breaks the glass on it.
func breakGlassAlert(t *testing.T, p *partnership) {
	t.Helper()
	p.lead()
	id := p.raise()
	if _, _, err := p.svc.BreakGlass(p.ctx, p.GPDoctor, p.session(p.GPDoctor), id, emergencyReason); err != nil {
		t.Fatal(err)
	}
}

// A relay that takes the message and then hangs up instead of answering
// QUIT has still taken it: the alert is recorded as emailed, and no later
// round (on this replica or another) sends it again.
func TestAnAlertEmailTheRelayAcceptedIsNotSentAgainWhenTheRelayHangsUpAtQuit(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		relay := notifytest.New(t)
		relay.SetHangUpOnQuit(true)
		p.svc.Access.Mailer = &notify.Mailer{Addr: relay.Addr, From: "waymark@partnership.example"}
		breakGlassAlert(t, p)
		if n, err := p.svc.DeliverAlertEmails(p.ctx); n != 1 || err != nil {
			t.Fatalf("sent %d, %v", n, err)
		}
		p.clock.Advance(time.Hour) // long after any claim has lapsed
		if n, err := p.svc.DeliverAlertEmails(p.ctx); n != 0 || err != nil {
			t.Fatalf("sent %d more, %v", n, err)
		}
		mails := relay.Mails()
		if len(mails) != 1 {
			t.Fatalf("the lead got %d emails, want 1", len(mails))
		}
		if !strings.Contains(mails[0].Data, "Message-ID: <waymark-") {
			t.Errorf("the email's Message-ID is not the alert's:\n%s", mails[0].Data)
		}
	})
}

// A replica that claimed an alert's email and died before recording the
// outcome holds it only for the claim's lease, twice the longest a send can
// take: after that another replica sends it, and not a moment before, while
// the first could still be talking to the relay.
func TestAnAlertEmailClaimedByAReplicaThatDiedIsSentByAnotherOnceTheLeaseHasPassed(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		relay := notifytest.New(t)
		p.svc.Access.Mailer = &notify.Mailer{Addr: relay.Addr, From: "waymark@partnership.example"}
		breakGlassAlert(t, p)
		lease := p.svc.AlertEmailLease()
		if lease != 2*notify.DefaultTimeout {
			t.Fatalf("lease %s, want twice the send timeout (%s)", lease, 2*notify.DefaultTimeout)
		}
		// The replica that dies: it claims, and never sends nor records.
		if err := db.Update(p.ctx, func(tx *store.Tx) error {
			got, err := tx.ClaimAlertEmails(p.clock.Now(), lease, 1, store.AlertEmailAttempts)
			if err == nil && len(got) != 1 {
				t.Fatalf("claimed %d alerts", len(got))
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		p.clock.Advance(lease - time.Second)
		if n, err := p.svc.DeliverAlertEmails(p.ctx); n != 0 || err != nil {
			t.Fatalf("sent %d while the claim could still be sending, %v", n, err)
		}
		p.clock.Advance(2 * time.Second)
		if n, err := p.svc.DeliverAlertEmails(p.ctx); n != 1 || err != nil {
			t.Fatalf("sent %d once the lease had passed, %v", n, err)
		}
		if len(relay.Mails()) != 1 {
			t.Fatalf("%d emails", len(relay.Mails()))
		}
	})
}

// An alert for someone disabled since is not sent, and does not keep the
// alerts behind it waiting.
func TestAnAlertForADisabledLeadDoesNotHoldUpTheOthers(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		relay := notifytest.New(t)
		p.svc.Access.Mailer = &notify.Mailer{Addr: relay.Addr, From: "waymark@partnership.example"}
		breakGlassAlert(t, p) // alerts user-lead
		if err := p.svc.DisableUser(p.ctx, "lead@partnership.example"); err != nil {
			t.Fatal(err)
		}
		p.clock.Advance(time.Second)
		if err := db.Update(p.ctx, func(tx *store.Tx) error {
			return tx.InsertAlert(store.Alert{ID: "alert-second", Kind: store.AlertBreakGlass, RecipientUserID: p.Manager.User.ID, CreatedAt: p.clock.Now()})
		}); err != nil {
			t.Fatal(err)
		}
		if n, err := p.svc.DeliverAlertEmails(p.ctx); n != 1 || err != nil {
			t.Fatalf("sent %d, %v", n, err)
		}
		mails := relay.Mails()
		if len(mails) != 1 || mails[0].To[0] != p.Manager.User.Email {
			t.Fatalf("emails: %+v", mails)
		}
	})
}
