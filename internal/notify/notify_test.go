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

// Once the relay has answered 250 to the end of the message, the message is
// sent, whatever happens at QUIT: a relay that hangs up there instead of
// answering must not make Send report a failure, or the alert mailer tries
// again and the lead gets the email twice.
func TestAMessageTheRelayAcceptedIsSentEvenIfTheRelayHangsUpAtQuit(t *testing.T) {
	relay := notifytest.New(t)
	relay.SetHangUpOnQuit(true)
	m := &notify.Mailer{Addr: relay.Addr, From: "waymark@partnership.example"}
	if err := m.Send(context.Background(), "lead@cs.example", notify.AlertMessage("https://w.example/alerts")); err != nil {
		t.Fatalf("Send reported %v for a message the relay accepted", err)
	}
	if n := len(relay.Mails()); n != 1 {
		t.Fatalf("%d emails accepted", n)
	}
}

// Send does not wait for the answer to QUIT: a relay that stalls there
// (held until the test ends) cannot keep the sender from recording that the
// message went, which is what a replica killed at that moment would lose.
func TestSendDoesNotWaitForTheAnswerToQuit(t *testing.T) {
	relay := notifytest.New(t)
	held, _ := relay.Hold("QUIT")
	m := &notify.Mailer{Addr: relay.Addr, From: "waymark@partnership.example"}
	if err := m.Send(context.Background(), "lead@cs.example", notify.AlertMessage("https://w.example/alerts")); err != nil {
		t.Fatal(err)
	}
	<-held // Send returned while the relay still sat on QUIT
	if n := len(relay.Mails()); n != 1 {
		t.Fatalf("%d emails accepted", n)
	}
}

// Every try of one alert's email carries the same Message-ID, made from the
// alert's id, so a second copy can be recognised as the same message.
func TestAMessageWithAnIDKeepsItsMessageIDAcrossTries(t *testing.T) {
	relay := notifytest.New(t)
	m := &notify.Mailer{Addr: relay.Addr, From: "Waymark <waymark@partnership.example>"}
	msg := notify.AlertMessage("https://w.example/alerts")
	msg.ID = "01J9ALERT\r\nBcc: x@evil.example"
	for range 2 {
		if err := m.Send(context.Background(), "lead@cs.example", msg); err != nil {
			t.Fatal(err)
		}
	}
	mails := relay.Mails()
	if len(mails) != 2 {
		t.Fatalf("%d emails accepted", len(mails))
	}
	for _, got := range mails {
		if !strings.Contains(got.Data, "Message-ID: <waymark-01J9ALERTBccxevil.example@partnership.example>\r\n") || strings.Contains(got.Data, "\nBcc:") {
			t.Fatalf("Message-ID not made from the id alone:\n%s", got.Data)
		}
	}
}
