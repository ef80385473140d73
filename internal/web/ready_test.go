package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"waymark/internal/crypt"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

func (e *testEnv) readyz() (int, readyBody, string) {
	e.t.Helper()
	rec := e.serve(httptest.NewRequest("GET", "/readyz", nil))
	var b readyBody
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
		e.t.Fatalf("GET /readyz: %d %q: %v", rec.Code, rec.Body, err)
	}
	return rec.Code, b, rec.Body.String()
}

// A replica whose key file lacks the key that wrapped the data answers
// every case read with an error: /readyz says it is not ready, naming the
// check and no key; the answer is kept for ReadyEvery, so polling stays
// cheap, and the replica is ready again within that once the key is back.
func TestReadyzIsNotReadyWhenTheMasterKeysCannotOpenTheDataKeys(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.raiseCase()
		if code, b, body := e.readyz(); code != http.StatusOK || b.Status != "ready" || b.Checks["master_keys"] != "ok" {
			t.Fatalf("with its key: %d %s", code, body)
		}
		good := db.KeyRing()
		line, err := crypt.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		other, err := crypt.ParseKeys(line)
		if err != nil {
			t.Fatal(err)
		}
		db.SetKeyRing(other) // restarted with a key file missing the key in use
		e.clock.Advance(ReadyEvery)
		code, b, body := e.readyz()
		if code != http.StatusServiceUnavailable || b.Status != "not ready" || len(b.Failed) != 1 || b.Failed[0] != "master_keys" {
			t.Fatalf("without the key that wrapped the data: %d %s", code, body)
		}
		for _, secret := range append(good.IDs(), other.IDs()...) {
			if strings.Contains(body, secret) {
				t.Fatalf("/readyz names master key %s: %s", secret, body)
			}
		}
		db.SetKeyRing(good)
		if code, _, _ := e.readyz(); code != http.StatusServiceUnavailable {
			t.Fatalf("the answer was not kept: %d", code)
		}
		e.clock.Advance(ReadyEvery)
		if code, _, body := e.readyz(); code != http.StatusOK {
			t.Fatalf("with the key back, after %s: %d %s", ReadyEvery, code, body)
		}
	})
}

// A check the command adds (the SMTP relay) is asked at most every
// ReadyEvery: not ready while it fails, ready again once it passes.
func TestReadyzAsksAnAddedCheckAtMostEveryThirtySeconds(t *testing.T) {
	var calls int
	relayDown := true
	check := &ReadyCheck{Name: "smtp", Failed: "the SMTP relay does not answer", Check: func(context.Context) error {
		calls++
		if relayDown {
			return errors.New("notify: connecting to 10.0.0.5:25: connection refused")
		}
		return nil
	}}
	e := newEnv(t, storetest.SQLite(t), func(c *Config) { c.Ready = []*ReadyCheck{check} })
	code, b, body := e.readyz()
	if code != http.StatusServiceUnavailable || len(b.Failed) != 1 || b.Failed[0] != "smtp" || strings.Contains(body, "10.0.0.5") {
		t.Fatalf("relay down: %d %s", code, body)
	}
	relayDown = false
	for range 3 {
		e.readyz()
	}
	if calls != 1 {
		t.Fatalf("the check ran %d times within %s", calls, ReadyEvery)
	}
	e.clock.Advance(ReadyEvery)
	if code, b, body := e.readyz(); code != http.StatusOK || b.Checks["smtp"] != "ok" || calls != 2 {
		t.Fatalf("relay back: %d %s (%d runs)", code, body, calls)
	}
}
