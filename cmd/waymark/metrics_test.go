package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// startDemoWithMetrics runs the demo with extra flags and returns its URL and
// the URL of its separate metrics listener ("" when it has none).
func startDemoWithMetrics(t *testing.T, args ...string) (site, metrics string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"demo", "--addr", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "data"), "--log-level", "warn"}, args...), getenv(nil), strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("demo exited with %v", err)
		}
	})
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "Metrics are served on "); ok {
			metrics = u
		}
		if u, ok := strings.CutPrefix(sc.Text(), "Waymark demo is running at "); ok {
			site = u
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if site == "" {
		t.Fatal("demo did not print its address")
	}
	return site, metrics
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// --metrics-addr serves /metrics on a listener of its own, and only
// there: the main listener answers 404.
func TestMetricsAreServedOnTheirOwnListener(t *testing.T) {
	site, metrics := startDemoWithMetrics(t, "--metrics-addr", "127.0.0.1:0")
	if metrics == "" || !strings.HasSuffix(metrics, "/metrics") {
		t.Fatalf("no metrics listener announced: %q", metrics)
	}
	if code, body := get(t, metrics, ""); code != 200 || !strings.Contains(body, "waymark_build_info") || !strings.Contains(body, "waymark_audit_chain_entries") {
		t.Fatalf("GET %s: %d\n%s", metrics, code, body)
	}
	if code, _ := get(t, strings.TrimSuffix(metrics, "/metrics")+"/sign-in", ""); code != 404 {
		t.Errorf("the metrics listener serves pages: %d", code)
	}
	if code, _ := get(t, site+"/metrics", ""); code != 404 {
		t.Errorf("the main listener serves /metrics with no token configured: %d", code)
	}
}

// --metrics-token-file puts /metrics behind a bearer token on both
// listeners; a scrape without it is refused.
func TestMetricsBehindATokenRefuseAnUnauthenticatedScrape(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "metrics-token")
	const token = "5f0c2d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b"
	if err := os.WriteFile(file, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	site, metrics := startDemoWithMetrics(t, "--metrics-token-file", file, "--metrics-addr", "127.0.0.1:0")
	for _, url := range []string{site + "/metrics", metrics} {
		if code, body := get(t, url, ""); code != 401 || strings.Contains(body, "waymark_") {
			t.Errorf("GET %s without the token: %d\n%s", url, code, body)
		}
		if code, _ := get(t, url, "not-the-token"); code != 401 {
			t.Errorf("GET %s with another token: %d", url, code)
		}
		if code, body := get(t, url, token); code != 200 || !strings.Contains(body, "waymark_build_info") {
			t.Errorf("GET %s with the token: %d", url, code)
		}
	}
}

// A separate metrics listener without a token on every address of the
// machine (":9090", 0.0.0.0, [::]) answers anyone on any network it is on,
// the public one included: serve refuses it, and check lists it. A named
// address (the monitoring network's, or loopback) or a token is accepted.
func TestAnOpenMetricsListenerOnEveryNetworkStopsStartUp(t *testing.T) {
	for _, addr := range []string{":9090", "0.0.0.0:9090", "[::]:9090"} {
		c := config{addr: "127.0.0.1:8080", metrics: metricsConfig{addr: addr}}
		if err := c.checkListen(); err == nil || !strings.Contains(err.Error(), "--metrics-token-file") {
			t.Errorf("--metrics-addr %s without a token: %v", addr, err)
		}
		c.metrics.tokenFile = "token"
		if err := c.checkListen(); err != nil {
			t.Errorf("--metrics-addr %s with a token: %v", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:9090", "10.0.0.5:9090", "[::1]:9090"} {
		c := config{addr: "127.0.0.1:8080", metrics: metricsConfig{addr: addr}}
		if err := c.checkListen(); err != nil {
			t.Errorf("--metrics-addr %s: %v", addr, err)
		}
	}
	err := run(context.Background(), []string{"serve", "--data", filepath.Join(t.TempDir(), "data"), "--metrics-addr", "0.0.0.0:0"}, env(nil), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "refusing to serve /metrics without a token") {
		t.Errorf("serve --metrics-addr 0.0.0.0:0: %v", err)
	}
}

// A token too short to be secret, one other users can read, or a missing
// file, stops start-up.
func TestAWeakMetricsTokenStopsStartUp(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short")
	os.WriteFile(short, []byte("letmein\n"), 0o600)
	shared := filepath.Join(dir, "shared")
	os.WriteFile(shared, []byte(strings.Repeat("k", 40)), 0o600)
	if err := os.Chmod(shared, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{short, shared, filepath.Join(dir, "missing")} {
		c := metricsConfig{tokenFile: file}
		if _, err := c.token(); err == nil || !strings.Contains(err.Error(), "--metrics-token-file") {
			t.Errorf("token file %s: %v", file, err)
		}
	}
}

// `waymark audit verify --record` and `waymark verify --record` note in
// the audit log when they pass (waymark_audit_last_verified_timestamp_seconds
// reads it), and the note verifies with the rest; without --record, or
// when the verification fails, nothing is written.
func TestPassingVerificationsAreRecordedForMonitoringWhenAsked(t *testing.T) {
	path := auditedDatabase(t)
	count := func() (verified, all int) {
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.QueryRow(`SELECT COUNT(*) FILTER (WHERE action = 'audit.verified'), COUNT(*) FROM audit_log`).Scan(&verified, &all); err != nil {
			t.Fatal(err)
		}
		return verified, all
	}
	_, before := count()
	var out bytes.Buffer
	for _, args := range [][]string{{"audit", "verify", "--database", path}, {"verify", "--database", path}} {
		if err := run(context.Background(), args, getenv(nil), nil, &out, &out); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
	}
	if v, all := count(); v != 0 || all != before {
		t.Fatalf("checking commands without --record wrote %d entries (%d audit.verified)", all-before, v)
	}
	for i, args := range [][]string{{"audit", "verify", "--record", "--database", path}, {"verify", "--record", "--database", path}, {"audit", "verify", "--record", "--database", path}} {
		out.Reset()
		if err := run(context.Background(), args, getenv(nil), nil, &out, &out); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
		if v, _ := count(); v != i+1 {
			t.Fatalf("after %v: %d audit.verified entries, want %d\n%s", args, v, i+1, out.String())
		}
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := run(context.Background(), []string{"audit", "verify", "--record", "--database", path}, getenv(nil), nil, io.Discard, io.Discard); err == nil {
		t.Fatal("a tampered chain verified")
	}
	if v, _ := count(); v != 3 {
		t.Fatalf("a failed verification was recorded: %d entries", v)
	}
}
