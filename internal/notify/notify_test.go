package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"waymark/internal/notify"
	"waymark/internal/notify/notifytest"
)

func TestAlertEmailGoesThroughSMTPAndSaysOnlyThatThereIsSomething(t *testing.T) {
	relay := notifytest.New(t)
	m := &notify.Mailer{Addr: relay.Addr, From: "Waymark <waymark@partnership.example>"}
	msg := notify.AlertMessage("https://waymark.partnership.example/alerts")
	if err := m.Send(context.Background(), "partnership.lead@cs.example", msg); err != nil {
		t.Fatalf("sending: %v", err)
	}
	mails := relay.Wait(1, 5*time.Second)
	if len(mails) != 1 {
		t.Fatalf("%d emails arrived", len(mails))
	}
	got := mails[0]
	if got.From != "waymark@partnership.example" || len(got.To) != 1 || got.To[0] != "partnership.lead@cs.example" {
		t.Fatalf("envelope from %q to %v", got.From, got.To)
	}
	for _, want := range []string{"Subject: There is something for you in Waymark", "https://waymark.partnership.example/alerts", "Content-Type: text/plain; charset=utf-8"} {
		if !strings.Contains(got.Data, want) {
			t.Errorf("email lacks %q:\n%s", want, got.Data)
		}
	}
}

func TestMailerRefusesHeaderInjectionInTheRecipient(t *testing.T) {
	relay := notifytest.New(t)
	m := &notify.Mailer{Addr: relay.Addr, From: "waymark@partnership.example"}
	if err := m.Send(context.Background(), "lead@cs.example\r\nBcc: exploiter@evil.example", notify.AlertMessage("https://w.example/alerts")); err == nil {
		t.Fatal("a recipient with a header in it was accepted")
	}
	if n := len(relay.Mails()); n != 0 {
		t.Fatalf("%d emails sent", n)
	}
}

// A relay that is not there is found out by a probe (connect, EHLO, QUIT)
// that sends nothing; once one answers at that address, the probe passes.
func TestProbeFindsOutWhetherTheRelayAnswersAndSendsNothing(t *testing.T) {
	addr := notifytest.FreeAddr(t)
	m := &notify.Mailer{Addr: addr, From: "waymark@partnership.example"}
	if err := m.Probe(context.Background()); err == nil || !strings.Contains(err.Error(), addr) {
		t.Fatalf("probing an absent relay: %v", err)
	}
	relay := notifytest.NewAt(t, addr)
	if err := m.Probe(context.Background()); err != nil {
		t.Fatalf("probing a relay that answers: %v", err)
	}
	if n := len(relay.Mails()); n != 0 {
		t.Fatalf("the probe sent %d emails", n)
	}
}
