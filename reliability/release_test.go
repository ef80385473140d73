package reliability

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// lastReleaseCommit is the commit the last release (v0.9.0) was tagged on.
// A clone without tags builds the last release from it. When a newer
// release is tagged, set this to its commit.
const lastReleaseCommit = "4be8b913a87da2ad0836aacacb57035af84f95e0"

// lastRelease finds the newest v* tag (else lastReleaseCommit), writes its
// source into a temporary folder with git archive and builds its
// cmd/waymark. Without git history to build from, it fails under CI=true
// (CI must always prove the upgrade) and skips otherwise.
func lastRelease(t *testing.T) (binary, name string) {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) (string, error) {
		cmd := exec.Command("git", append([]string{"-C", root}, args...)...)
		out, err := cmd.Output()
		return strings.TrimSpace(string(out)), err
	}
	unavailable := func(why string) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf("the last release cannot be built (%s), and CI=true: fetch the tags or the history (git fetch --tags)", why)
		}
		t.Skipf("the last release cannot be built: %s", why)
	}
	ref := ""
	if tags, err := git("tag", "--list", "v*", "--sort=-v:refname"); err == nil && tags != "" {
		ref = strings.Fields(tags)[0]
	} else {
		if _, err := git("cat-file", "-e", lastReleaseCommit+"^{commit}"); err != nil {
			git("fetch", "--quiet", "origin", lastReleaseCommit) // a shallow clone: fetch the one commit
		}
		if _, err := git("cat-file", "-e", lastReleaseCommit+"^{commit}"); err != nil {
			unavailable("no v* tag, and commit " + lastReleaseCommit + " is not in this clone")
		}
		ref = lastReleaseCommit
	}
	src := t.TempDir()
	archive := exec.Command("git", "-C", root, "archive", "--format=tar", ref)
	untar := exec.Command("tar", "-x", "-C", src)
	pipe, err := archive.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	untar.Stdin = pipe
	if err := untar.Start(); err != nil {
		t.Fatal(err)
	}
	if err := archive.Run(); err != nil {
		unavailable(fmt.Sprintf("git archive %s: %v", ref, err))
	}
	if err := untar.Wait(); err != nil {
		t.Fatalf("unpacking %s: %v", ref, err)
	}
	binary = filepath.Join(t.TempDir(), "waymark-"+ref)
	build := exec.Command("go", "build", "-buildvcs=false", "-ldflags", "-X main.version="+ref, "-o", binary, "./cmd/waymark")
	build.Dir = src
	build.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the last release (%s): %v\n%s", ref, err, out)
	}
	return binary, ref
}

// runBinary runs one command of the given program and returns its output.
func runBinary(t *testing.T, bin, stdin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := programCommand(ctx, bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// runDemo runs a release's demo on the database until it has seeded it and
// listens, then stops it as an operator would (SIGTERM).
func runDemo(t *testing.T, bin string, args ...string) {
	t.Helper()
	cmd := programCommand(context.Background(), bin, append([]string{"demo", "--addr", "127.0.0.1:0", "--log-level", "warn"}, args...)...)
	errs := &syncBuffer{}
	cmd.Stderr = errs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	running := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		seen := false
		for sc.Scan() {
			if !seen && strings.Contains(sc.Text(), "Waymark demo is running at ") {
				seen = true
				running <- true
			}
		}
		if !seen {
			running <- false
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() { exited <- cmd.Wait() }()
	select {
	case ok := <-running:
		if !ok {
			<-exited
			t.Fatalf("the last release's demo stopped before running:\n%s", errs)
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the last release's demo did not start within 60s:\n%s", errs)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the last release's demo did not stop on SIGTERM:\n%s", errs)
	}
}

var auditEntries = regexp.MustCompile(`audit log verified: (\d+) entries`)

// A database made and written by the last release (its demo partnership
// and cases, an organisation and a user added with its commands, all
// encrypted under the operator's master key) is upgraded by this build's
// `waymark migrate`; `waymark verify` then proves the whole history, every
// case reads back, the audit chain has lost nothing, and the service starts.
func TestTheLastReleasesDatabaseUpgradesToThisBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the last release: not under -short")
	}
	old, release := lastRelease(t)
	waymarkBinary(t) // this build, built first so that its build is not timed against the release's
	upgrade := func(t *testing.T, url string, raw *sql.DB) {
		data := privateDir(t)
		db := []string{"--database", url, "--data", data}
		// 1. The last release makes the database and writes to it.
		if out, err := runBinary(t, old, "", append([]string{"migrate"}, db...)...); err != nil {
			t.Fatalf("%s migrate: %v\n%s", release, err, out)
		}
		runDemo(t, old, db...)
		if out, err := runBinary(t, old, "", append([]string{"org", "add", "--id", "org-upgrade", "--name", "Upgrade Academy", "--kind", "school"}, db...)...); err != nil {
			t.Fatalf("%s org add: %v\n%s", release, err, out)
		}
		if out, err := runBinary(t, old, "a long enough password 2026\n", append([]string{"user", "add", "--email", "up.teacher@upgrade.example", "--name", "Una Teacher", "--role", "practitioner", "--org", "org-upgrade"}, db...)...); err != nil {
			t.Fatalf("%s user add: %v\n%s", release, err, out)
		}
		out, err := runBinary(t, old, "", append([]string{"audit", "verify"}, db...)...)
		m := auditEntries.FindStringSubmatch(out)
		if err != nil || m == nil {
			t.Fatalf("%s audit verify: %v\n%s", release, err, out)
		}
		entries, _ := strconv.Atoi(m[1])
		var cases int
		if err := raw.QueryRow(`SELECT COUNT(*) FROM cases`).Scan(&cases); err != nil || cases == 0 {
			t.Fatalf("the last release wrote %d cases (%v)", cases, err)
		}

		// 2. This build upgrades it, and proves it.
		if out, err := waymark(t, append([]string{"migrate", "--dry-run"}, db...)...); err != nil {
			t.Fatalf("migrate --dry-run: %v\n%s", err, out)
		}
		if out, err := waymark(t, append([]string{"migrate"}, db...)...); err != nil || !strings.Contains(out, "database is at schema "+store.LatestSchema()) {
			t.Fatalf("migrate: %v\n%s", err, out)
		}
		if out, err := waymark(t, append([]string{"verify"}, db...)...); err != nil || !strings.Contains(out, fmt.Sprintf("%d cases with", cases)) {
			t.Fatalf("verify after the upgrade: %v\n%s", err, out)
		}
		out, err = waymark(t, append([]string{"audit", "verify"}, db...)...)
		if m := auditEntries.FindStringSubmatch(out); err != nil || m == nil {
			t.Fatalf("audit verify after the upgrade: %v\n%s", err, out)
		} else if n, _ := strconv.Atoi(m[1]); n < entries {
			t.Fatalf("the audit chain has %d entries after the upgrade, had %d", n, entries)
		}
		up, err := store.OpenExisting(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		up.SetKeyRing(keyRing(t))
		got, _ := snapshot(t, up)
		up.Close()
		if len(got) != cases {
			t.Errorf("%d cases read back after the upgrade, the last release wrote %d", len(got), cases)
		}
		for id, events := range got {
			if len(events) == 0 || events[0] == "erased" {
				t.Errorf("case %s does not read back after the upgrade: %v", id, events)
			}
		}
		// The user the last release added can be managed by this build.
		if out, err := waymark(t, append([]string{"user", "disable", "--email", "up.teacher@upgrade.example"}, db...)...); err != nil {
			t.Fatalf("user disable after the upgrade: %v\n%s", err, out)
		}
		srv := startServe(t, url)
		srv.stop(t)
	}
	t.Run("sqlite", func(t *testing.T) {
		file := filepath.Join(privateDir(t), "waymark.db")
		raw, err := sql.Open("sqlite", file) // connects at its first query, once the last release has made the file
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		upgrade(t, file, raw)
	})
	if storetest.WantPostgres(t) {
		t.Run("postgres", func(t *testing.T) {
			db, url := emptySchema(t)
			defer db.Close()
			upgrade(t, url, db.SQL())
		})
	}
}
