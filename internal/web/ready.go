package web

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// Readiness (docs/operations.md "Readiness"). /readyz answers 200 only when
// this replica can do its work: the database answers, the configured master
// keys open the data keys in use (else every case read would fail), and any
// check the command adds (the SMTP relay) passes. A load balancer takes a
// replica that is not ready out of rotation; the JSON body names the failed
// checks with fixed words, never an address, a key id or an error's text
// (/readyz needs no sign-in): the log has the detail.

// ReadyEvery is how long a check's answer is kept, so /readyz stays cheap
// under a load balancer's polling and recovers within this once fixed.
const ReadyEvery = 30 * time.Second

// ReadyCheck is one thing /readyz asks, its answer kept for Every.
type ReadyCheck struct {
	Name   string                          // in the JSON body: "master_keys", "smtp"
	Failed string                          // what the body says when it fails: fixed words, no detail
	Every  time.Duration                   // how long an answer is kept (ReadyEvery when zero)
	Check  func(ctx context.Context) error // the detail goes to the log only

	mu  sync.Mutex
	at  time.Time
	ran bool
	err error
}

// Result is the check's answer as of now: kept from the last run when that
// is recent enough, else run again (at most one run at a time); ran says
// whether it ran now.
func (c *ReadyCheck) Result(ctx context.Context, now time.Time) (err error, ran bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	every := c.Every
	if every == 0 {
		every = ReadyEvery
	}
	if c.ran && now.Sub(c.at) < every && !now.Before(c.at) {
		return c.err, false
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c.err, c.at, c.ran = c.Check(ctx), now, true
	return c.err, true
}

func (s *Server) masterKeysCheck() *ReadyCheck {
	return &ReadyCheck{Name: "master_keys", Failed: "the configured master keys cannot open the data keys in use",
		Check: s.db.CheckMasterKeys}
}

type readyBody struct {
	Status string            `json:"status"` // "ready" or "not ready"
	Failed []string          `json:"failed,omitempty"`
	Checks map[string]string `json:"checks"`
}

func (s *Server) handleReadyz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := readyBody{Status: "ready", Checks: map[string]string{"database": "ok"}}
		fail := func(name, why string) {
			body.Status = "not ready"
			body.Failed = append(body.Failed, name)
			body.Checks[name] = why
		}
		if err := s.db.Ping(r.Context()); err != nil {
			s.log.Error("not ready: the database does not answer", "err", err)
			fail("database", "the database does not answer")
		} else {
			for _, c := range s.ready {
				err, ran := c.Result(r.Context(), s.now())
				if err != nil {
					if ran {
						s.log.Error("not ready", "check", c.Name, "err", err)
					}
					fail(c.Name, c.Failed)
					continue
				}
				body.Checks[c.Name] = "ok"
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if body.Status != "ready" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(body)
	})
}
