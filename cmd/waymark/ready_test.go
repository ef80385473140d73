package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark/internal/crypt"
	"waymark/internal/notify"
	"waymark/internal/notify/notifytest"
	"waymark/internal/web"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serveFresh runs `serve` in this process on a fresh SQLite database with a
// master key of its own, with more flags, and returns its URL and its log.
// (The one place that says how a test serves a fresh database.)
func serveFresh(t *testing.T, extra ...string) (string, *lockedBuffer) {
	t.Helper()
	return serveOn(t, filepath.Join(t.TempDir(), "data"), extra...)
}

// serveOn runs `serve` in this process on the data folder dataDir with a
// new master key of its own (unless extra names another key file).
func serveOn(t *testing.T, dataDir string, extra ...string) (string, *lockedBuffer) {
	t.Helper()
	keys := filepath.Join(t.TempDir(), "keys")
	line, err := crypt.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keys, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "waymark.db")); os.IsNotExist(err) {
		newDatabase(t, "--data", dataDir) // serve does not make a database (waymark migrate --create does)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	logs := &lockedBuffer{}
	done := make(chan error, 1)
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", dataDir, "--master-key-file", keys, "--log-format", "text"}, extra...)
	go func() {
		done <- run(ctx, args, getenv(nil), strings.NewReader(""), pw, logs)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve exited with %v\n%s", err, logs)
		}
	})
	sc := bufio.NewScanner(pr)
	url := ""
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "Waymark is listening on "); ok {
			url, _, _ = strings.Cut(rest, " ")
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if url == "" {
		t.Fatalf("serve did not print its address:\n%s", logs)
	}
	return url, logs
}

// With an SMTP relay configured that does not answer, serve says so as it
// starts, naming the relay, rather than at the first alert; /readyz says not
// ready, naming the check but not the relay.
func TestServeWarnsAtStartAndIsNotReadyWhileTheSMTPRelayDoesNotAnswer(t *testing.T) {
	relay := notifytest.FreeAddr(t)
	url, logs := serveFresh(t, "--smtp-addr", relay, "--smtp-from", "waymark@partnership.example", "--public-url", "https://waymark.partnership.example")
	if l := logs.String(); !strings.Contains(l, "WARNING: the SMTP relay does not answer") || !strings.Contains(l, relay) {
		t.Fatalf("serve's start-up log does not warn about the relay:\n%s", l)
	}
	resp, err := http.Get(url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string
		Failed []string
	}
	raw, _ := io.ReadAll(resp.Body)
	json.Unmarshal(raw, &body)
	if resp.StatusCode != http.StatusServiceUnavailable || len(body.Failed) != 1 || body.Failed[0] != "smtp" || strings.Contains(string(raw), relay) {
		t.Fatalf("GET /readyz with the relay down: %d %s", resp.StatusCode, raw)
	}
}

// The relay's check recovers: once a relay answers at that address, the
// next check (at most ReadyEvery after the last) passes.
func TestTheSMTPReadinessCheckRecoversWhenTheRelayAnswers(t *testing.T) {
	addr := notifytest.FreeAddr(t)
	check := smtpReadyCheck(&notify.Mailer{Addr: addr, From: "waymark@partnership.example"})
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if err, _ := check.Result(context.Background(), start); err == nil {
		t.Fatal("no relay, and the check passed")
	}
	notifytest.NewAt(t, addr)
	if err, ran := check.Result(context.Background(), start.Add(time.Second)); err == nil || ran {
		t.Fatalf("asked again within %s: %v, ran %v", web.ReadyEvery, err, ran)
	}
	if err, ran := check.Result(context.Background(), start.Add(web.ReadyEvery)); err != nil || !ran {
		t.Fatalf("relay up, %s later: %v, ran %v", web.ReadyEvery, err, ran)
	}
}

// With a relay that answers, serve starts without a warning about it and
// is ready.
func TestServeIsReadyWithAnSMTPRelayThatAnswers(t *testing.T) {
	relay := notifytest.New(t)
	url, logs := serveFresh(t, "--smtp-addr", relay.Addr, "--smtp-from", "waymark@partnership.example", "--public-url", "https://waymark.partnership.example")
	resp, err := http.Get(url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(raw), `"smtp":"ok"`) || strings.Contains(logs.String(), "SMTP relay does not answer") {
		t.Fatalf("GET /readyz with the relay up: %d %s\n%s", resp.StatusCode, raw, logs)
	}
}

// Started with a key file that lacks the key the data keys are wrapped
// under, serve would answer every case read with an error: /readyz says it
// is not ready, naming the master keys check but not the key.
func TestServeWithAKeyFileMissingTheKeyInUseIsNotReady(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	_, stop := startDemoWith(t, dir) // data under the demo key
	stop()
	demoKey, err := os.ReadFile(filepath.Join(dir, DemoKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	demoID, _, _ := strings.Cut(strings.TrimSpace(string(demoKey[strings.LastIndex(strings.TrimSpace(string(demoKey)), "\n")+1:])), ":")
	url, logs := serveOn(t, dir) // a key file of its own, without the demo key
	resp, err := http.Get(url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(raw), `"failed":["master_keys"]`) || strings.Contains(string(raw), demoID) {
		t.Fatalf("GET /readyz without the key in use: %d %s", resp.StatusCode, raw)
	}
	if !strings.Contains(logs.String(), demoID) {
		t.Fatalf("the log does not name the missing key %s:\n%s", demoID, logs)
	}
}
