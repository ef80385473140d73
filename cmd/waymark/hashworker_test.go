package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"waymark/internal/access"
)

// TestServeChecksPasswordsInAWorkerAtALowerPriority: serve starts one
// password hash worker, a process of its own at access.HashWorkerNice; a
// sign-in's password check runs there, not in serve's process; and the
// worker ends with serve.
func TestServeChecksPasswordsInAWorkerAtALowerPriority(t *testing.T) {
	url, stop := startDemoWith(t, filepath.Join(t.TempDir(), "data"))
	workers := hashWorkers(t)
	if len(workers) != 1 {
		t.Fatalf("serve runs %d hash workers, want 1", len(workers))
	}
	pid := workers[0]
	if nice := statField(t, pid, 19); nice != access.HashWorkerNice {
		t.Errorf("the hash worker runs at nice %d, want %d", nice, access.HashWorkerNice)
	}
	before := statField(t, pid, 14) + statField(t, pid, 15)
	body := `{"email":"nobody-here@cs.example","password":"not the demo password","totp":"123456"}`
	resp, err := http.Post(url+"/api/v1/sessions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a sign-in with a wrong password: %d", resp.StatusCode)
	}
	// A DefaultArgon2 hash takes tenths of a second of processor time
	// anywhere: the worker's clock ticks (hundredths) show it ran there.
	if after := statField(t, pid, 14) + statField(t, pid, 15); after-before < 3 {
		t.Errorf("the worker used %d hundredths of a second of processor time for a sign-in's hash: it was not checked there", after-before)
	}
	stop()
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
		t.Errorf("the hash worker %d still runs after serve ended", pid)
	}
}

// hashWorkers lists this process's children started as hash workers.
func hashWorkers(t *testing.T) []int {
	t.Helper()
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", os.Getpid()))
	var out []int
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, s := range strings.Fields(string(b)) {
			pid, _ := strconv.Atoi(s)
			env, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
			if bytes.Contains(env, []byte("\x00"+access.HashWorkerEnv+"=1\x00")) || bytes.HasPrefix(env, []byte(access.HashWorkerEnv+"=1\x00")) || bytes.HasSuffix(env, []byte("\x00"+access.HashWorkerEnv+"=1")) {
				out = append(out, pid)
			}
		}
	}
	return out
}

// statField is field n (from 1) of /proc/PID/stat.
func statField(t *testing.T, pid, n int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:])) // f[0] is field 3
	v, err := strconv.Atoi(f[n-3])
	if err != nil {
		t.Fatal(err)
	}
	return v
}
