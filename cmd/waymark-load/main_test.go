package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestTargetIsLoopbackUnlessAllowed(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:8080", "http://localhost:9000/", "https://[::1]:8443", "http://127.0.0.2:80"} {
		if _, err := checkTarget(ok, false); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://10.0.0.5:8080", "http://example.org", "ftp://127.0.0.1", "127.0.0.1:8080",
		"http://127.0.0.1:8080/api", "http://u:p@127.0.0.1", "http://127.0.0.1?x=1", "http://"} {
		if _, err := checkTarget(bad, false); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if _, err := checkTarget("http://staging.example:8080", true); err != nil {
		t.Errorf("explicit remote target refused with --allow-remote: %v", err)
	}
}

func TestFlagsAreBounded(t *testing.T) {
	for _, args := range [][]string{
		{"--duration", "11m"}, {"--duration", "0s"}, {"--concurrency", "0"}, {"--concurrency", "65"},
		{"--max-requests", "0"}, {"--max-requests", "1000001"}, {"--mix", "case=1,delete=1"}, {"--mix", "case=0"},
		{"--mix", "case=1,case=2"}, {"--url", "http://192.0.2.1:8080"}, {"extra"},
	} {
		if _, err := parseFlags(args, &bytes.Buffer{}); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
	c, err := parseFlags(nil, &bytes.Buffer{})
	if err != nil || c.duration != 30*time.Second || c.concurrency != 8 || c.target.String() != "http://127.0.0.1:8080" {
		t.Fatalf("defaults: %+v, %v", c, err)
	}
}

func TestPercentileIsNearestRank(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 50 * time.Millisecond, 95: 95 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond} {
		if got := percentile(d, p); got != want {
			t.Errorf("p%v = %s, want %s", p, got, want)
		}
	}
	if percentile(nil, 50) != 0 || percentile(d[:1], 99) != time.Millisecond {
		t.Error("edge cases")
	}
}

// A fake Waymark: the tool signs in, reads the catalogue and the inbox, then
// runs the mix and stops by itself, reporting each operation and the errors.
func TestRunAgainstFakeServer(t *testing.T) {
	var raised, opened, listed atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/sessions", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Email, Password string }
		json.NewDecoder(r.Body).Decode(&in)
		if in.Password != "pw-for-test-only" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"token":"tok-%s"}`, in.Email)
	})
	mux.HandleFunc("DELETE /api/v1/sessions/current", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /api/v1/catalog", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"indicators":[{"id":"i1"}],"exploitationTypes":[{"id":"e1"}],"immediateActions":[{"id":"a1"}]}`)
	})
	mux.HandleFunc("GET /api/v1/inbox", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok-cs@example" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		listed.Add(1)
		fmt.Fprint(w, `{"cases":[{"id":"c1"},{"id":"c2"}]}`)
	})
	mux.HandleFunc("GET /api/v1/cases/{id}", func(w http.ResponseWriter, r *http.Request) {
		opened.Add(1)
		if r.PathValue("id") == "c2" {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"detail":"Case not found"}`)
			return
		}
		fmt.Fprint(w, `{"id":"c1"}`)
	})
	mux.HandleFunc("POST /api/v1/cases", func(w http.ResponseWriter, r *http.Request) {
		var c struct {
			ExploitationTypes []string `json:"exploitationTypes"`
		}
		json.NewDecoder(r.Body).Decode(&c)
		if len(c.ExploitationTypes) != 1 || c.ExploitationTypes[0] != "e1" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		n := raised.Add(1)
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":"new-%d"}`, n)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	var out bytes.Buffer
	start := time.Now()
	err := run(context.Background(), []string{"--url", srv.URL, "--duration", "300ms", "--concurrency", "3", "--max-requests", "5000",
		"--referrer", "ref@example", "--cs-user", "cs@example", "--password", "pw-for-test-only"}, &out, &out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("run took %s: it must stop by itself after --duration", took)
	}
	report := out.String()
	for _, want := range []string{"case ", "inbox ", "raise ", "p95 ms", "errors by status:", "case 404:", "Case not found"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if raised.Load() == 0 || opened.Load() == 0 || listed.Load() < 2 {
		t.Errorf("raised %d, opened %d, listed %d: the mix did not run", raised.Load(), opened.Load(), listed.Load())
	}
	if total := raised.Load() + opened.Load() + listed.Load(); total > 5001 {
		t.Errorf("%d requests, more than --max-requests", total)
	}
}
