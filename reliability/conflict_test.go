package reliability

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"waymark/internal/storetest"
)

// Many people save to the same case at the same moment, each with the
// version they read: exactly one save wins each version, every other one is
// told 409 Conflict, and nothing is lost — the case ends with exactly one
// event per 2xx. Through the HTTP API of the real program, on both stores.
func TestConcurrentSavesToOneCaseLoseNothing(t *testing.T) {
	const clients, rounds = 20, 8
	forEachTarget(t, func(t *testing.T, tg *target) {
		s := seed(t, tg.open(t))
		tg.release(t)
		srv := startServe(t, tg.url)
		base := func() string { return srv.url }
		// Everyone in Children's Services is a member of the case through
		// their organisation; the clients take turns at the three of them.
		tokens := []string{s.tokens[s.p.CSWorker.User.ID], s.tokens[s.p.SocialWorker.User.ID], s.tokens[s.p.Manager.User.ID]}
		raiser := newClient(tokens[0], base)
		status, body, err := raiser.do("POST", "/api/v1/cases", storetest.ValidConcern(time.Now()))
		if err != nil || status != http.StatusCreated {
			t.Fatalf("raising the case: %d %v %s", status, err, body)
		}
		var c apiCase
		if err := json.Unmarshal(body, &c); err != nil {
			t.Fatal(err)
		}
		version, wins := c.Version, 0
		for round := range rounds {
			start := make(chan struct{})
			var wg sync.WaitGroup
			var mu sync.Mutex
			statuses := map[int]int{}
			var won []string
			for i := range clients {
				cl := newClient(tokens[i%len(tokens)], base)
				wg.Go(func() {
					text := fmt.Sprintf("round %d client %d", round, i)
					<-start // all at once
					status, body, err := cl.do("POST", "/api/v1/cases/"+c.ID+"/actions/note", map[string]any{"expectedVersion": version, "text": text})
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						t.Errorf("client %d: %v", i, err)
						return
					}
					statuses[status]++
					switch status {
					case http.StatusOK:
						won = append(won, text)
					case http.StatusConflict:
					default:
						t.Errorf("client %d: %d %s", i, status, body)
					}
				})
			}
			close(start)
			wg.Wait()
			if statuses[http.StatusOK] != 1 || statuses[http.StatusConflict] != clients-1 {
				t.Fatalf("round %d at version %d: statuses %v, want exactly one 200 and %d× 409", round, version, statuses, clients-1)
			}
			wins++
			status, body, err := raiser.do("GET", "/api/v1/cases/"+c.ID, nil)
			if err != nil || status != http.StatusOK {
				t.Fatalf("reading the case: %d %v %s", status, err, body)
			}
			if err := json.Unmarshal(body, &c); err != nil {
				t.Fatal(err)
			}
			if c.Version != version+1 || len(c.Notes) != wins || c.Notes[len(c.Notes)-1].Text != won[0] {
				t.Fatalf("after round %d: version %d with %d notes (last %+v); want version %d with %d notes, the last %q",
					round, c.Version, len(c.Notes), c.Notes, version+1, wins, won[0])
			}
			version = c.Version
		}
		srv.stop(t)
		cases, _ := snapshot(t, tg.open(t))
		if got := len(cases[c.ID]); got != 1+wins {
			t.Fatalf("the case's log has %d events; want the concern and one per 2xx: %d", got, 1+wins)
		}
		if out, err := waymark(t, "audit", "verify", "--database", tg.url); err != nil {
			t.Fatalf("waymark audit verify: %v\n%s", err, out)
		}
	})
}
