package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

func getenv(map[string]string) func(string) string {
	return func(string) string { return "" }
}

// startDemo runs the real program's demo command on a free port and returns
// its URL once /healthz answers.
func startDemo(t *testing.T, dataDir string) string {
	t.Helper()
	url, _ := startDemoWith(t, dataDir)
	return url
}

// startDemoWith is startDemo with more flags; stop ends the demo (and waits
// for it) before the test does.
func startDemoWith(t *testing.T, dataDir string, extra ...string) (url string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"demo", "--addr", "127.0.0.1:0", "--data", dataDir, "--log-level", "warn"}, extra...), getenv(nil), strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("demo exited with %v", err)
			}
		})
	}
	t.Cleanup(stop)
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "Waymark demo is running at "); ok {
			url = u
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if url == "" {
		t.Fatal("demo did not print its address")
	}
	for range 100 {
		resp, err := http.Get(url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return url, stop
			}
		}
		time.Sleep(20 * time.Millisecond) // polling readiness, not timing a result
	}
	t.Fatal("demo never became healthy")
	return "", stop
}

func TestDemoStartsOnAFreshDataFolderAndIsReady(t *testing.T) {
	url := startDemo(t, filepath.Join(t.TempDir(), "data"))
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/sign-in": 200, "/metrics": 404} { // metrics: metrics_test.go
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
	}
}

func TestDemoDataIsKeptBetweenRuns(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	newDatabase(t, "--data", dir)
	startDemo(t, dir) // seeds
	var out bytes.Buffer
	if err := run(context.Background(), []string{"rebuild", "--data", dir}, getenv(nil), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "rebuilt read models of 14 cases") {
		t.Fatalf("after the demo ran, rebuild said %q", out.String())
	}
}

// auditedDatabase returns a SQLite file holding the demo partnership, whose
// seeding wrote a few dozen audit entries.
func auditedDatabase(t *testing.T) string {
	t.Helper()
	return filepath.Join(seededDemoCopy(t), "waymark.db")
}

// seededDemoCopy is a data folder as the demo leaves it once it has seeded
// and stopped: a copy of one this test process seeds once, for the tests
// that need seeded, audited data and not the demo's start itself (each
// start cost about half a second). The tests of the start run their own.
func seededDemoCopy(t *testing.T) string {
	t.Helper()
	src, err := seededDemoFolder()
	if err != nil {
		t.Fatalf("seeding the demo once: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "data")
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		to := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(to, info.Mode().Perm())
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, info.Mode().Perm()) // the key's 0600 kept
	})
	if err != nil {
		t.Fatalf("copying the seeded demo: %v", err)
	}
	return dir
}

// seededDemoFolder runs the demo once in a folder TestMain removes, until
// it says it is running (it seeds before it listens), then stops it.
var seededDemoFolder = sync.OnceValues(func() (string, error) {
	root, err := os.MkdirTemp("", "waymark-demo-seeded-")
	if err != nil {
		return "", err
	}
	demoTemplateRoot = root
	data := filepath.Join(root, "data")
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--addr", "127.0.0.1:0", "--data", data, "--log-level", "warn"}, getenv(nil), strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	running := false
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "Waymark demo is running at ") {
			running = true
			break
		}
	}
	go io.Copy(io.Discard, pr)
	cancel()
	if err := <-done; err != nil {
		return "", err
	}
	if !running {
		return "", errors.New("the demo stopped before it said it was running")
	}
	return data, nil
})

// demoTemplateRoot is the folder seededDemoFolder made, if it ran.
var demoTemplateRoot string

func TestAuditVerifyNamesTheFirstTamperedEntry(t *testing.T) {
	tests := []struct {
		name   string
		tamper string
		want   string
	}{
		{"altered", `UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 7`, "entry 7"},
		{"deleted", `DELETE FROM audit_log WHERE seq = 5`, "entry 6"},
		{"reordered", `UPDATE audit_log SET action = CASE seq WHEN 3 THEN (SELECT action FROM audit_log WHERE seq = 4) ELSE (SELECT action FROM audit_log WHERE seq = 3) END,
			case_id = CASE seq WHEN 3 THEN (SELECT case_id FROM audit_log WHERE seq = 4) ELSE (SELECT case_id FROM audit_log WHERE seq = 3) END,
			detail = CASE seq WHEN 3 THEN (SELECT detail FROM audit_log WHERE seq = 4) ELSE (SELECT detail FROM audit_log WHERE seq = 3) END WHERE seq IN (3, 4)`, "entry 3"},
		{"truncated", `DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)`, "removed from the end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := auditedDatabase(t)
			var out bytes.Buffer
			if err := run(context.Background(), []string{"audit", "verify", "--database", path}, getenv(nil), nil, &out, io.Discard); err != nil {
				t.Fatalf("untouched chain does not verify: %v", err)
			}
			// With a busy timeout, as any second process would have: CI
			// twice met the database locked here, just after the verify
			// (the cause was not found; a lock held for a moment by a
			// connection of the verify as it closes would do it).
			db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(tt.tamper); err != nil {
				t.Fatal(err)
			}
			db.Close()
			out.Reset()
			err = run(context.Background(), []string{"audit", "verify", "--database", path}, getenv(nil), nil, &out, io.Discard)
			if err == nil {
				t.Fatalf("tampered chain verified: %s", out.String())
			}
			if !strings.Contains(out.String(), tt.want) {
				t.Fatalf("report %q does not name %q", out.String(), tt.want)
			}
		})
	}
}

// `audit verify` says how many entries a second it checked, from its own
// start to its answer, so an operator can compare a run with the figure in
// docs/performance.md.
func TestAuditVerifySaysHowManyEntriesASecondItChecked(t *testing.T) {
	path := auditedDatabase(t)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"audit", "verify", "--database", path}, getenv(nil), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^audit log verified: \d+ entries, chain intact \(in \d+\.\d\d s, \d+ entries a second\)\n$`).MatchString(out.String()) {
		t.Fatalf("said %q", out.String())
	}
	for _, tc := range []struct {
		n    int64
		took time.Duration
		want string
	}{
		{500_000, time.Second, "in 1.00 s, 500000 entries a second"},
		{197_067, 394 * time.Millisecond, "in 0.39 s, 500170 entries a second"},
		{0, 3 * time.Millisecond, "in 0.00 s"},
	} {
		if got := verifyRate(tc.n, tc.took); got != tc.want {
			t.Errorf("%d entries in %v: %q, want %q", tc.n, tc.took, got, tc.want)
		}
	}
}

func TestUnknownCommandSaysHowToUseWaymark(t *testing.T) {
	var errOut bytes.Buffer
	err := run(context.Background(), []string{"launch"}, getenv(nil), nil, io.Discard, &errOut)
	if err == nil || !strings.Contains(errOut.String(), "Usage: waymark") {
		t.Fatalf("err=%v stderr=%q", err, errOut.String())
	}
}

func TestNRMTimingsAreConfigurableWithTheirHistory(t *testing.T) {
	c := config{rgTarget: 7, cgMinimum: "45,2023-01-30:30,2027-04-01:40"}
	cfg, err := c.clockConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RGTargetWorkingDays != 7 {
		t.Fatalf("RG target %d, want 7", cfg.RGTargetWorkingDays)
	}
	for day, want := range map[string]int{"2023-01-29": 45, "2023-01-30": 30, "2027-03-31": 30, "2027-04-01": 40} {
		d, _ := time.Parse("2006-01-02", day)
		if got := cfg.CGMinimumDays(d); got != want {
			t.Errorf("CG minimum for an RG decision on %s = %d, want %d", day, got, want)
		}
	}
	for _, bad := range []string{"x", "45,2023-01-30", "45,2023-01-30:30,2022-01-01:10", "45,2023-01-30:-1"} {
		if _, err := (&config{rgTarget: 5, cgMinimum: bad}).clockConfig(); err == nil {
			t.Errorf("--cg-minimum-days %q was accepted", bad)
		}
	}
}
