package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"waymark/internal/storetest"
)

// ledger is what the clients were told. Every write answered 2xx must be in
// the database at the end; every write refused (4xx) must not be; a write
// whose answer never came (the server died) may be either.
type ledger struct {
	mu      sync.Mutex
	cases   map[string]bool            // case id -> raised (201)
	notes   map[string]map[string]bool // case id -> note text -> true acknowledged, false refused
	unknown int
	acked   int
}

func (l *ledger) ackCase(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cases[id] = true
	l.acked++
}

func (l *ledger) note(id, text string, acked bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.notes[id] == nil {
		l.notes[id] = map[string]bool{}
	}
	l.notes[id][text] = acked
	if acked {
		l.acked++
	}
}

// The crash test: clients write through the API without pause while the
// server is killed with SIGKILL at random moments (seeded: set
// WAYMARK_CRASH_SEED to replay a run) and started again. Afterwards every
// acknowledged write is there, nothing refused is, the case lists agree with
// the logs, and `waymark audit verify` passes.
//
// On PostgreSQL this uses the shared test server, which CI starts with
// fsync=off and synchronous_commit=off for speed. That does not weaken this
// test: it kills the application, not the database, and a transaction
// PostgreSQL has reported committed is visible to every later transaction
// for as long as the database server keeps running, whatever those settings.
// They matter only when the database server or the machine fails, which
// TestAcknowledgedWritesSurviveADatabaseCrash covers on a server of its own
// with PostgreSQL's durable defaults. On SQLite the application is the
// database: killing it is the database crash, and synchronous=FULL with WAL
// is what the store opens.
func TestAcknowledgedWritesSurviveSIGKILL(t *testing.T) {
	rng := crashRand(t)
	forEachTarget(t, func(t *testing.T, tg *target) {
		s := seed(t, tg.open(t))
		tg.release(t)
		srv := startServe(t, tg.url)
		var base atomic.Value
		base.Store(srv.url)
		crashWhileWriting(t, tg, s, rng, func() string { return base.Load().(string) }, "kill", func() {
			srv.kill()
			srv = startServe(t, tg.url)
			base.Store(srv.url)
		}, func() { srv.stop(t) })
	})
}

// crashRand is the source of the crash times, seeded from the clock unless
// WAYMARK_CRASH_SEED replays a run.
func crashRand(t *testing.T) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("WAYMARK_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (WAYMARK_CRASH_SEED=%d replays the crash times)", seed, seed)
	return rand.New(rand.NewPCG(seed, 0x5eed))
}

// crashWhileWriting runs the writers against the server at base, calls
// crash (which must leave a server answering at base again) five times at
// random moments, then stops the writers and the server and checks that
// nothing acknowledged was lost and nothing refused was saved.
func crashWhileWriting(t *testing.T, tg *target, s seeded, rng *rand.Rand, base func() string, what string, crash, stop func()) {
	l := &ledger{cases: map[string]bool{}, notes: map[string]map[string]bool{}}
	ctx, stopWriting := context.WithCancel(context.Background())
	var writers sync.WaitGroup
	const nWriters = 4
	for w := range nWriters {
		writers.Go(func() { write(ctx, t, w, newClient(s.tokens[s.p.CSWorker.User.ID], base), l) })
	}
	const crashes = 5
	for k := range crashes {
		time.Sleep(time.Duration(150+rng.IntN(450)) * time.Millisecond) // the random moment of the crash
		crash()
		t.Logf("%s %d: %d writes acknowledged so far", what, k+1, ackedSoFar(l))
	}
	// Some writes after the last restart, and on a busy machine (where a
	// restart takes most of the time between crashes) enough of them for
	// the check below to mean something, within a minute.
	time.Sleep(300 * time.Millisecond)
	for deadline := time.Now().Add(time.Minute); ackedSoFar(l) < 20 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	stopWriting()
	writers.Wait()

	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.cases) < nWriters || l.acked < 20 {
		t.Fatalf("only %d cases and %d writes acknowledged: the test did not exercise the server", len(l.cases), l.acked)
	}
	// Every acknowledged case and note is there, through the API.
	c := newClient(s.tokens[s.p.CSWorker.User.ID], base)
	for id := range l.cases {
		var status int
		var body []byte
		var err error
		for range 100 { // the first requests after a database crash may meet a dead connection
			if status, body, err = c.do("GET", "/api/v1/cases/"+id, nil); err == nil && status < 500 && status != http.StatusTooManyRequests {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err != nil || status != http.StatusOK {
			t.Errorf("acknowledged case %s: GET %d %v %s", id, status, err, body)
			continue
		}
		var got apiCase
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, n := range got.Notes {
			have[n.Text] = true
		}
		for text, acked := range l.notes[id] {
			if acked && !have[text] {
				t.Errorf("case %s: acknowledged note %q is lost", id, text)
			}
			if !acked && have[text] {
				t.Errorf("case %s: refused note %q was saved", id, text)
			}
		}
	}
	stop()
	// The store agrees, and every case's list entry is at its log's version.
	db := tg.open(t)
	cases, audited := snapshot(t, db)
	for id := range l.cases {
		if _, ok := cases[id]; !ok {
			t.Errorf("acknowledged case %s has no events", id)
		}
	}
	for id, events := range cases {
		var version int
		if err := db.SQL().QueryRow(`SELECT version FROM cases WHERE id = $1`, id).Scan(&version); err != nil || version != len(events) {
			t.Errorf("case %s: list entry at version %d (%v), log has %d events", id, version, err, len(events))
		}
	}
	tg.release(t)
	out, err := waymark(t, "audit", "verify", "--database", tg.url)
	if err != nil {
		t.Fatalf("waymark audit verify after %d crashes: %v\n%s", crashes, err, out)
	}
	t.Logf("%d crashes (%s): %d writes acknowledged, %d with no answer, %d cases, audit chain of %d entries intact",
		crashes, what, l.acked, l.unknown, len(cases), audited)
}

func ackedSoFar(l *ledger) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.acked
}

// write is one client: it raises concerns and adds notes to them, each with
// the version it last read, until ctx ends. Transport errors (the server was
// killed) are retried against whatever server is up.
func write(ctx context.Context, t *testing.T, w int, c *client, l *ledger) {
	versions := map[string]int{} // case id -> version last read; -1 when unknown
	var mine []string
	n := 0
	pause := func() {
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Millisecond): // the server is restarting: try again soon
		}
	}
	for ctx.Err() == nil {
		n++
		if len(mine) == 0 || n%6 == 0 {
			status, body, err := c.do("POST", "/api/v1/cases", storetest.ValidConcern(time.Now()))
			switch {
			case err != nil:
				l.mu.Lock()
				l.unknown++
				l.mu.Unlock()
				pause()
			case status == http.StatusCreated:
				var got apiCase
				if err := json.Unmarshal(body, &got); err != nil || got.ID == "" {
					t.Errorf("raising a concern: 201 with %s", body)
					return
				}
				l.ackCase(got.ID)
				mine = append(mine, got.ID)
				versions[got.ID] = got.Version
			case status >= 500, status == http.StatusTooManyRequests:
				pause() // the database went away under the request, or slow down
			default:
				t.Errorf("raising a concern: %d %s", status, body)
				return
			}
			continue
		}
		id := mine[n%len(mine)]
		if versions[id] < 0 {
			status, body, err := c.do("GET", "/api/v1/cases/"+id, nil)
			if err != nil || status >= 500 || status == http.StatusTooManyRequests {
				pause()
				continue
			}
			var got apiCase
			if status != http.StatusOK || json.Unmarshal(body, &got) != nil {
				t.Errorf("reading case %s: %d %s", id, status, body)
				return
			}
			versions[id] = got.Version
		}
		text := fmt.Sprintf("writer %d note %d", w, n)
		status, body, err := c.do("POST", "/api/v1/cases/"+id+"/actions/note", map[string]any{"expectedVersion": versions[id], "text": text})
		switch {
		case err != nil:
			l.mu.Lock()
			l.unknown++
			l.mu.Unlock()
			versions[id] = -1 // it may or may not have been saved: read again
			pause()
		case status == http.StatusOK:
			var got apiCase
			if err := json.Unmarshal(body, &got); err != nil {
				t.Errorf("adding a note: 200 with %s", body)
				return
			}
			l.note(id, text, true)
			versions[id] = got.Version
		case status == http.StatusConflict:
			l.note(id, text, false)
			versions[id] = -1
		case status == http.StatusTooManyRequests: // refused too: must not be saved
			l.note(id, text, false)
			pause()
		case status >= 500: // the outcome is unknown, as when no answer came
			l.mu.Lock()
			l.unknown++
			l.mu.Unlock()
			versions[id] = -1
			pause()
		default:
			t.Errorf("adding a note: %d %s", status, body)
			return
		}
	}
}
