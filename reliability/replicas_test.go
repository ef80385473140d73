package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/notify/notifytest"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Past one machine: two or more `waymark serve` replicas over one
// PostgreSQL, as docs/operations.md "Running highly available" sets them
// up. What already held and was tested before these tests:
//   - TestNginxInFrontOfTwoReplicas: a balancer spreads requests over two
//     replicas, a web session made through it survives one replica
//     stopping, and the sign-in throttle is not dodged with a made-up
//     client address;
//   - TestRotatingTheMasterKeyAcrossTwoReplicasKeepsEveryCaseReadableOnBoth:
//     a case raised through either replica reads through the other, at
//     every step of a rolling key rotation;
//   - TestAcknowledgedWritesSurviveSIGKILL: one replica, killed and
//     restarted, loses no acknowledged write.
// What the tests below add: each replica addressed directly, a client
// alternating between them (no balancer stickiness to hide behind), API
// sessions, the throttle, alert emails and SIGKILL with two replicas.

// pgReplicas is a PostgreSQL schema of the test's own, seeded, that
// replicas are started on.
type pgReplicas struct {
	db  *store.DB
	url string
	s   seeded
}

func newPGReplicas(t *testing.T) *pgReplicas {
	t.Helper()
	if testing.Short() {
		t.Skip("starts two replicas of the real program: not under -short")
	}
	if !storetest.WantPostgres(t) {
		t.Skip("TEST_DATABASE_URL is not set: replicas share a PostgreSQL")
	}
	db := storetest.Postgres(t)
	db.SetKeyRing(keyRing(t))
	return &pgReplicas{db: db, url: schemaURL(t, db), s: seed(t, db)}
}

// replica starts one `waymark serve` on the shared database, with an erasure
// ledger of its own (name tells the replicas apart, and is the same for a
// restart of one), as each replica has on its own disk in production.
func (r *pgReplicas) replica(t *testing.T, name string, extra ...string) *server {
	t.Helper()
	args := []string{"serve", "--addr", "127.0.0.1:0", "--database", r.url, "--log-level", "warn", "--log-format", "text",
		"--api-rate-limit", "0", "--erasure-ledger", ledgerFor(t, r.url+"#"+name)}
	return runServe(t, append(args, extra...))
}

func (r *pgReplicas) client(v casework.Viewer, base func() string) *client {
	return newClient(r.s.tokens[v.User.ID], base)
}

// at is a base URL function for one server.
func at(s *server) func() string { return func() string { return s.url } }

// signIn signs a person in through the API of the server at base, with
// password and code, and returns the session's bearer token.
func signIn(t *testing.T, db *store.DB, base string, email string) string {
	t.Helper()
	c := newClient("", func() string { return base })
	status, body, err := c.do("POST", "/api/v1/sessions", map[string]string{"email": email, "password": storetest.Password,
		"totp": storetest.Code(db, email, time.Now())})
	if err != nil || status != http.StatusCreated {
		t.Fatalf("signing in %s at %s: %d %v %s", email, base, status, err, body)
	}
	var got struct{ Token string }
	if err := json.Unmarshal(body, &got); err != nil || got.Token == "" {
		t.Fatalf("signing in: %s", body)
	}
	return got.Token
}

func raise(t *testing.T, c *client) apiCase {
	t.Helper()
	status, body, err := c.do("POST", "/api/v1/cases", storetest.ValidConcern(time.Now()))
	if err != nil || status != http.StatusCreated {
		t.Fatalf("raising a concern: %d %v %s", status, err, body)
	}
	var got apiCase
	if err := json.Unmarshal(body, &got); err != nil || got.ID == "" {
		t.Fatalf("raising a concern: %s", body)
	}
	return got
}

// A client that alternates between two replicas at every request sees, on
// each, what it has just written through the other: the case it raised on
// one reads on the other at the very next request, with every note, and is
// in the other's inbox; a note added on the other with the version it read
// there is accepted, and a stale version is refused there as a conflict.
// Nothing is kept in a replica's memory that another replica's write
// could leave stale.
func TestTwoReplicasShareTheLoadAndEachReadsWhatTheOtherJustWrote(t *testing.T) {
	r := newPGReplicas(t)
	replicas := []*server{r.replica(t, "a"), r.replica(t, "b")}
	for round := range 6 {
		w, o := replicas[round%2], replicas[(round+1)%2]
		created := raise(t, r.client(r.s.p.Teacher, at(w)))
		cs := r.client(r.s.p.CSWorker, at(o))
		status, body, err := cs.do("GET", "/api/v1/cases/"+created.ID, nil)
		if err != nil || status != http.StatusOK {
			t.Fatalf("round %d: the case raised on one replica, read at once on the other: %d %v %s", round, status, err, body)
		}
		status, body, err = cs.do("GET", "/api/v1/inbox", nil)
		if err != nil || status != http.StatusOK || !strings.Contains(string(body), created.ID) {
			t.Fatalf("round %d: the other replica's inbox lacks the case just raised: %d %v %s", round, status, err, body)
		}
		version := created.Version
		for n := range 4 { // notes alternating: each written on one, read back on the other
			wr, rd := replicas[(round+n)%2], replicas[(round+n+1)%2]
			text := fmt.Sprintf("round %d note %d", round, n)
			status, body, err := r.client(r.s.p.CSWorker, at(wr)).do("POST", "/api/v1/cases/"+created.ID+"/actions/note",
				map[string]any{"expectedVersion": version, "text": text})
			if err != nil || status != http.StatusOK {
				t.Fatalf("round %d: a note with the version read on the other replica: %d %v %s", round, status, err, body)
			}
			var got apiCase
			json.Unmarshal(body, &got)
			status, body, err = r.client(r.s.p.CSWorker, at(rd)).do("GET", "/api/v1/cases/"+created.ID, nil)
			var read apiCase
			if err != nil || status != http.StatusOK || json.Unmarshal(body, &read) != nil {
				t.Fatalf("round %d: reading back: %d %v %s", round, status, err, body)
			}
			if read.Version != got.Version || !hasNote(read, text) {
				t.Fatalf("round %d: the note acknowledged at version %d on one replica is not what the next read on the other shows (version %d, notes %+v)",
					round, got.Version, read.Version, read.Notes)
			}
			// The version before is stale everywhere now.
			status, _, err = r.client(r.s.p.CSWorker, at(rd)).do("POST", "/api/v1/cases/"+created.ID+"/actions/note",
				map[string]any{"expectedVersion": version, "text": text + " (stale)"})
			if err != nil || status != http.StatusConflict {
				t.Fatalf("round %d: a note with a version the other replica already moved past: %d %v, want 409", round, status, err)
			}
			version = got.Version
		}
	}
}

func hasNote(c apiCase, text string) bool {
	for _, n := range c.Notes {
		if n.Text == text {
			return true
		}
	}
	return false
}

// A session made by signing in on one replica works on the other, and
// signing out on the other ends it on the first at its next request:
// sessions live in the database, not in a replica. So does the step
// between password and code: a person may give one to each replica.
func TestASessionMadeOnOneReplicaWorksOnTheOtherAndSigningOutEndsItOnBoth(t *testing.T) {
	r := newPGReplicas(t)
	a, b := r.replica(t, "a"), r.replica(t, "b")
	token := signIn(t, r.db, a.url, r.s.p.SocialWorker.User.Email)
	onA, onB := newClient(token, at(a)), newClient(token, at(b))
	for i, c := range []*client{onB, onA, onB} {
		if status, body, err := c.do("GET", "/api/v1/cases", nil); err != nil || status != http.StatusOK {
			t.Fatalf("request %d with the session made on the first replica: %d %v %s", i+1, status, err, body)
		}
	}
	if status, body, err := onB.do("DELETE", "/api/v1/sessions/current", nil); err != nil || status != http.StatusNoContent {
		t.Fatalf("signing out on the second replica: %d %v %s", status, err, body)
	}
	for name, c := range map[string]*client{"first": onA, "second": onB} {
		if status, _, err := c.do("GET", "/api/v1/cases", nil); err != nil || status != http.StatusUnauthorized {
			t.Errorf("the session signed out on the second replica answered %d (%v) on the %s, want 401", status, err, name)
		}
	}

	// In the browser: the password on one replica, the code on the other,
	// the pages after on either. (Cookies are kept per host, not per port,
	// as a browser keeps them for one site behind a balancer.)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(u string, form url.Values) (int, string) {
		t.Helper()
		resp, err := browser.PostForm(u, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	u := r.s.p.Manager.User
	if status, body := post(a.url+"/sign-in", url.Values{"email": {u.Email}, "password": {storetest.Password}}); status != http.StatusOK || !strings.Contains(body, `name="code"`) {
		t.Fatalf("the password on the first replica: %d\n%s", status, body)
	}
	if status, body := post(b.url+"/sign-in/code", url.Values{"code": {storetest.Code(r.db, u.Email, time.Now())}}); status != http.StatusSeeOther {
		t.Fatalf("the code on the second replica: %d\n%s", status, body)
	}
	for _, srv := range []*server{a, b} {
		resp, err := browser.Get(srv.url + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), u.Name) {
			t.Fatalf("the home page on %s, signed in across both: %d", srv.url, resp.StatusCode)
		}
	}
}

// Wrong passwords spread over two replicas add up: after the free
// attempts, alternating between them, the right password is refused on
// both for a while. The throttle is in the database (casework/throttle.go);
// the per-address request limit (--sign-in-rate-limit) is per replica, and
// is not what stops this (the test stays well under it).
func TestTheSignInThrottleCountsFailuresOnEveryReplica(t *testing.T) {
	r := newPGReplicas(t)
	replicas := []*server{r.replica(t, "a"), r.replica(t, "b")}
	email := r.s.p.Teacher.User.Email
	free := casework.DefaultThrottle.AccountSource.Free
	for i := range free {
		c := newClient("", at(replicas[i%2]))
		status, body, err := c.do("POST", "/api/v1/sessions", map[string]string{"email": email, "password": "not the password at all", "totp": "000000"})
		if err != nil || status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d %v %s", i+1, status, err, body)
		}
	}
	for i, srv := range replicas {
		c := newClient("", at(srv))
		status, body, err := c.do("POST", "/api/v1/sessions", map[string]string{"email": email, "password": storetest.Password,
			"totp": storetest.Code(r.db, email, time.Now())})
		if err != nil || status != http.StatusTooManyRequests {
			t.Errorf("replica %d: after %d wrong passwords spread over both replicas, the right one answered %d (%v), want 429: %s",
				i+1, free, status, err, body)
		}
	}
}

// An alert email is sent once across two replicas, even when the replica
// sending it is killed mid-send.
//
//  1. Killed before the relay took the message (held at DATA): nothing was
//     sent, and the other replica sends it once the claim's lease (twice
//     --smtp-timeout) has passed. One email.
//  2. Killed after the relay took it (250 to the data) while the relay
//     holds QUIT: the sender recorded the send before QUIT, so the other
//     replica, long after the lease, sends nothing. One email. (Before,
//     the record waited for QUIT's answer: killed there, the email went
//     twice.)
//
// What is left: a kill in the moment between the relay's 250 and the
// commit of the record, one database round trip, sends the email again
// after the lease, with the same Message-ID (docs/operations.md "Running
// highly available"). No test can place a SIGKILL inside that moment.
func TestAnAlertEmailIsSentOnceAcrossReplicasWhenItsSenderIsKilledMidSend(t *testing.T) {
	r := newPGReplicas(t)
	ctx := context.Background()
	lead := store.User{ID: "user-lead", OrgID: r.s.p.ChildrensServices.ID, Email: "lead@partnership.example", Name: "Lee Lead",
		Role: pathway.RolePartnershipLead, CreatedAt: time.Now().UTC()}
	if err := r.db.Update(ctx, func(tx *store.Tx) error { return tx.InsertUser(lead) }); err != nil {
		t.Fatal(err)
	}
	relay := notifytest.New(t)
	const sendTimeout = 3 * time.Second // the claim's lease is twice this
	mail := []string{"--smtp-addr", relay.Addr, "--smtp-from", "Waymark <waymark@partnership.example>",
		"--public-url", "https://waymark.partnership.example", "--smtp-timeout", sendTimeout.String(), "--log-level", "info"}
	teacher := r.client(r.s.p.Teacher, nil)

	// breakGlass: the doctor, outside the case, asks for emergency access
	// through srv; the lead's alert is made there and that replica's
	// mailer is woken at once. It returns the alert's id.
	var session string
	breakGlass := func(srv *server) string {
		t.Helper()
		teacher.base = at(srv)
		c := raise(t, teacher)
		if session == "" {
			session = signIn(t, r.db, srv.url, r.s.p.GPDoctor.User.Email)
		}
		doctor := newClient(session, at(srv))
		status, body, err := doctor.do("POST", "/api/v1/break-glass", map[string]string{"case": c.ID,
			"reason": "The child has gone missing tonight and police need the history now", "password": storetest.Password})
		if err != nil || status != http.StatusCreated {
			t.Fatalf("breaking the glass: %d %v %s", status, err, body)
		}
		var id string
		if err := r.db.SQL().QueryRow(`SELECT a.id FROM alerts a JOIN break_glass_grants g ON g.id = a.grant_id WHERE g.case_id = $1`, c.ID).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	type row struct {
		emailed  bool
		attempts int
		claimed  *time.Time
	}
	alertRow := func(id string) row {
		t.Helper()
		var emailed, claimed *time.Time
		var rw row
		if err := r.db.SQL().QueryRow(`SELECT emailed_at, email_attempts, email_claimed_at FROM alerts WHERE id = $1`, id).Scan(&emailed, &rw.attempts, &claimed); err != nil {
			t.Fatal(err)
		}
		rw.emailed, rw.claimed = emailed != nil, claimed
		return rw
	}
	// waitFor polls until ok holds (the replicas work on their own clocks).
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("waited 60s for %s", what)
			}
			time.Sleep(50 * time.Millisecond) // polling the replicas' work, not timing it
		}
	}
	sentFor := func(alertID string) int {
		n := 0
		for _, m := range relay.Mails() {
			if strings.Contains(m.Data, "Message-ID: <waymark-"+alertID+"@") {
				n++
			}
		}
		return n
	}

	replicas := map[string]*server{"a": r.replica(t, "a", mail...), "b": r.replica(t, "b", mail...)}
	// sender waits until a replica's connection is held by the relay at
	// DATA and says which replica it is (whichever mailer claimed the
	// email first: the one the grant woke, almost always).
	sender := func(held <-chan string) string {
		t.Helper()
		select {
		case from := <-held:
			_, port, _ := strings.Cut(from, ":")
			for name, srv := range replicas {
				if ownsSocket(t, srv.cmd.Process.Pid, port) {
					return name
				}
			}
			t.Fatalf("no replica owns the connection from %s", from)
		case <-time.After(60 * time.Second):
			t.Fatal("no replica reached the relay with the alert email")
		}
		return ""
	}
	other := map[string]string{"a": "b", "b": "a"}

	// 1. Killed before the relay took the message.
	held, release := relay.Hold("DATA")
	first := breakGlass(replicas["a"])
	victim := sender(held)
	replicas[victim].kill()
	release() // the relay sees the connection gone: it took nothing
	waitFor("the other replica to send the email of the alert whose sender was killed", func() bool { return alertRow(first).emailed })
	if n := sentFor(first); n != 1 {
		t.Fatalf("alert 1 (sender killed at DATA): %d emails delivered, want exactly 1", n)
	}
	if rw := alertRow(first); rw.attempts != 2 {
		t.Errorf("alert 1: %d attempts recorded, want 2 (the killed one and the one that sent it)", rw.attempts)
	}

	// 2. Killed after the relay took the message, while it holds QUIT.
	replicas[victim] = r.replica(t, victim, mail...)
	held, release = relay.Hold("QUIT")
	second := breakGlass(replicas[victim])
	select {
	case <-held:
	case <-time.After(60 * time.Second):
		t.Fatal("no replica reached QUIT with the alert email")
	}
	waitFor("the sender to record the email the relay accepted, before QUIT is answered", func() bool { return alertRow(second).emailed })
	// The sender has gone on (it does not wait for QUIT's answer), so its
	// connection does not name it: its log does. The line is written just
	// after the record commits, and reaches the test through a pipe, so it
	// can lag the row: wait for it.
	victim = ""
	waitFor("a replica to log sending alert "+second, func() bool {
		for name, srv := range replicas {
			for line := range strings.Lines(srv.out.String()) {
				if strings.Contains(line, "alert email sent") && strings.Contains(line, second) {
					victim = name
				}
			}
		}
		return victim != ""
	})
	replicas[victim].kill()
	release()
	// Past the lease of that claim, by the database's clock, and then one
	// more alert through the survivor: the round that sends it would have
	// taken the second alert's email too, were it not recorded as sent.
	claimed := *alertRow(second).claimed
	waitFor("the claim's lease to pass", func() bool {
		var now time.Time
		r.db.SQL().QueryRow(`SELECT now()`).Scan(&now)
		return now.After(claimed.Add(2*sendTimeout + time.Second))
	})
	third := breakGlass(replicas[other[victim]])
	waitFor("the survivor to send the third alert's email", func() bool { return alertRow(third).emailed })
	for i, id := range []string{first, second, third} {
		if n := sentFor(id); n != 1 {
			t.Errorf("alert %d: %d emails delivered, want exactly 1", i+1, n)
		}
	}
	if n := len(relay.Mails()); n != 3 {
		t.Errorf("%d emails delivered for 3 alerts", n)
	}
}

// ownsSocket reports whether process pid has open the TCP socket whose
// local port is port (Linux: /proc/net/tcp names the socket's inode, and
// the process's open files name the inodes of its sockets).
func ownsSocket(t *testing.T, pid int, port string) bool {
	t.Helper()
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(":%04X", p)
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) > 9 && strings.HasSuffix(f[1], want) {
				inodes["socket:["+f[9]+"]"] = true
			}
		}
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return false
	}
	for _, fd := range fds {
		if link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); err == nil && inodes[link] {
			return true
		}
	}
	return false
}

// Killing one replica under load loses no acknowledged write: writers
// spread every request over both replicas (whichever are up), one replica
// is killed with SIGKILL at random moments and started again while the
// other carries on; afterwards every write acknowledged by either is there,
// nothing refused is, the case lists agree with the logs, and the audit
// chain verifies.
func TestKillingOneReplicaUnderLoadLosesNoAcknowledgedWrite(t *testing.T) {
	r := newPGReplicas(t)
	rng := crashRand(t)
	names := []string{"a", "b"}
	var mu sync.Mutex
	up := []*server{r.replica(t, "a"), r.replica(t, "b")}
	var next int
	base := func() string { // round robin over the replicas that are up
		mu.Lock()
		defer mu.Unlock()
		next++
		for i := range up {
			if s := up[(next+i)%len(up)]; s != nil {
				return s.url
			}
		}
		return "http://127.0.0.1:1" // none up: the request fails and is retried
	}
	kills := 0
	tg := &target{name: "postgres, two replicas", url: r.url, pg: r.db}
	crashWhileWriting(t, tg, r.s, rng, base, "kill one replica", func() {
		i := kills % 2
		kills++
		mu.Lock()
		victim := up[i]
		mu.Unlock()
		victim.kill()
		mu.Lock()
		up[i] = nil // the balancer's health check takes it out…
		mu.Unlock()
		restarted := r.replica(t, names[i])
		mu.Lock()
		up[i] = restarted // …and back once it is ready again
		mu.Unlock()
	}, func() {
		mu.Lock()
		defer mu.Unlock()
		for _, s := range up {
			s.stop(t)
		}
	})
}
