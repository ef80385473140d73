package reliability

import (
	"strings"
	"testing"
	"time"

	"waymark/internal/notify/notifytest"
)

// A reminder is sent once and only once when two replicas run and one is
// killed mid-send, checked against a real SMTP server (issue 15 §3): two
// `serve` processes on one PostgreSQL, the relay holding the first
// reminder's message in the middle of its data (before the final dot);
// the process sending it is SIGKILLed there, and the other sends that
// reminder once its claim's lease has passed. In the end every reminder
// the database records as sent reached the relay exactly once.
//
// The reminder: the §8.5 clock (24 hours, an emergency one, so it goes at
// any hour) of a concern identified two hours ago, due soon at once with a
// 23-hour lead (--reminder-leads).
func TestAReminderIsSentOnceWhenTwoReplicasRunAndOneIsKilledMidSend(t *testing.T) {
	r := newPGReplicas(t)
	relay := notifytest.New(t)
	const sendTimeout = 3 * time.Second // the claim's lease is twice this
	args := []string{"--smtp-addr", relay.Addr, "--smtp-from", "Waymark <waymark@partnership.example>",
		"--public-url", "https://waymark.partnership.example", "--smtp-timeout", sendTimeout.String(),
		"--reminder-interval", "10s", "--reminder-leads", "24h=23h,*=24h"}
	held, release := relay.HoldMidData()
	replicas := map[string]*server{"a": r.replica(t, "a", args...), "b": r.replica(t, "b", args...)}
	raise(t, r.client(r.s.p.Teacher, at(replicas["a"])))

	var victim string
	select {
	case from := <-held:
		_, port, _ := strings.Cut(from, ":")
		for name, srv := range replicas {
			if ownsSocket(t, srv.cmd.Process.Pid, port) {
				victim = name
			}
		}
		if victim == "" {
			t.Fatalf("no replica owns the connection from %s", from)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("no replica reached the relay with a reminder")
	}
	replicas[victim].kill()
	release() // the relay sees the connection gone mid-data: it took nothing

	count := func(q string) int {
		t.Helper()
		var n int
		if err := r.db.SQL().QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	deadline := time.Now().Add(90 * time.Second)
	for count(`SELECT COUNT(*) FROM reminders WHERE done_at IS NULL`) > 0 || count(`SELECT COUNT(*) FROM reminders WHERE attempts = 2 AND outcome = 'sent'`) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("waited 90s for the surviving replica to send every reminder, the killed one's too")
		}
		time.Sleep(100 * time.Millisecond) // polling the replicas' work, not timing it
	}
	var killed string
	if err := r.db.SQL().QueryRow(`SELECT id FROM reminders WHERE attempts = 2 AND outcome = 'sent'`).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	mails := relay.Mails()
	if sent := count(`SELECT COUNT(*) FROM reminders WHERE outcome = 'sent'`); len(mails) != sent {
		t.Errorf("the relay has %d messages for %d reminders sent", len(mails), sent)
	}
	seen := map[string]int{}
	for _, m := range mails {
		if i := strings.Index(m.Data, "Message-ID: <waymark-reminder-"); i >= 0 {
			id, _, _ := strings.Cut(m.Data[i+len("Message-ID: <waymark-reminder-"):], "@")
			seen[id]++
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("reminder %s reached the relay %d times", id, n)
		}
	}
	if seen[killed] != 1 {
		t.Errorf("the reminder whose sender was killed mid-send reached the relay %d times, want 1", seen[killed])
	}
}
