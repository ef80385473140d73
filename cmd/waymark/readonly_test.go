package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"waymark/internal/store"
)

// checkingCommands are the commands docs/security.md says never write, as
// run against the data folder dir.
func checkingCommands(dir string) [][]string {
	return [][]string{
		{"verify", "--data", dir},
		{"audit", "verify", "--data", dir},
		{"keys", "check", "--data", dir},
		{"check", "--data", dir},
		{"checkpoint", "--public-key", "--data", dir},
		{"migrate", "--dry-run", "--data", dir},
	}
}

// copiedWhileInUse is a data folder copied, database, -wal and -shm, while
// another connection held the database open with audit entries in the WAL
// that the main file does not hold yet (as a copy taken while a server ran,
// or the files a crashed server left). It returns the folder and how many
// audit entries the database holds.
func copiedWhileInUse(t *testing.T) (dir string, entries int) {
	t.Helper()
	live := stoppedDemo(t)
	file := filepath.Join(live, "waymark.db")
	held, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	held.SetMaxOpenConns(1)
	var before int
	if err := held.QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	// A signed checkpoint writes an audit entry. The held connection keeps
	// the WAL from being removed when the command closes, and its read,
	// open meanwhile, keeps the command's last scrub (store: a scrub is
	// pending at every start) from truncating it.
	reading, err := held.Begin()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := reading.QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"checkpoint", "--data", live}, env(nil), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := reading.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := held.QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&entries); err != nil || entries <= before {
		t.Fatalf("%d audit entries after a checkpoint, %d before (%v)", entries, before, err)
	}
	dir = filepath.Join(t.TempDir(), "copy")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	names, err := os.ReadDir(live)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(live, n.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if info, err := os.Stat(filepath.Join(dir, "waymark.db-wal")); err != nil || info.Size() == 0 {
		t.Fatalf("the copy holds no WAL frames: %v %v", info, err)
	}
	return dir, entries
}

// sqliteBytes are the bytes of the database and of the WAL and -shm beside it
// ("" for a file that is not there).
func sqliteBytes(t *testing.T, file string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, f := range []string{file, file + "-wal", file + "-shm"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		got[filepath.Base(f)] = string(b)
	}
	return got
}

// A checking command run against a copy of a database in use changes none
// of its three files: it neither checkpoints the WAL into the main file nor
// removes the WAL nor rebuilds the -shm, and still reads what the WAL holds.
func TestCheckingCommandsLeaveADatabaseCopiedWhileInUseAsItWas(t *testing.T) {
	dir, entries := copiedWhileInUse(t)
	file := filepath.Join(dir, "waymark.db")
	for _, args := range checkingCommands(dir) {
		name := strings.Join(args[:len(args)-2], " ")
		before := sqliteBytes(t, file)
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, env(nil), nil, &out, &errOut)
		if name != "check" && err != nil { // check also judges the configuration, which the demo's is not
			t.Fatalf("%s: %v\n%s%s", name, err, out.String(), errOut.String())
		}
		if !strings.Contains(out.String()+errOut.String(), "opened the") {
			t.Fatalf("%s did not open the database: %v\n%s%s", name, err, out.String(), errOut.String())
		}
		after := sqliteBytes(t, file)
		for f := range before {
			if before[f] != after[f] {
				t.Errorf("%s changed %s (%d bytes before, %d after)", name, f, len(before[f]), len(after[f]))
			}
		}
		if name == "audit verify" {
			m := regexp.MustCompile(`verified: (\d+) entries`).FindStringSubmatch(out.String())
			if m == nil || m[1] != strconv.Itoa(entries) {
				t.Errorf("audit verify said %q, want %d entries (those in the WAL too)", out.String(), entries)
			}
		}
	}
}

// While a server has the database open, a checking command reads it beside
// the server and sees its newest writes.
func TestCheckingCommandsReadADatabaseAServerHasOpen(t *testing.T) {
	live := stoppedDemo(t)
	file := filepath.Join(live, "waymark.db")
	server, err := store.OpenExisting(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	if err := run(context.Background(), []string{"checkpoint", "--data", live}, env(nil), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var entries int
	if err := server.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&entries); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"audit", "verify", "--data", live}, env(nil), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "verified: "+strconv.Itoa(entries)+" entries") {
		t.Fatalf("audit verify said %q, want %d entries", out.String(), entries)
	}
}

// Beside a database with no WAL and no -shm (a server stopped cleanly), a
// checking command leaves the main file as it was; SQLite may make an empty
// WAL and a -shm beside it, which hold nothing.
func TestCheckingCommandsLeaveACleanlyStoppedDatabaseAsItWas(t *testing.T) {
	dir := stoppedDemo(t)
	file := filepath.Join(dir, "waymark.db")
	if _, err := os.Stat(file + "-wal"); !os.IsNotExist(err) {
		t.Fatalf("the stopped demo left a WAL: %v", err)
	}
	before, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"audit", "verify", "--data", dir}, env(nil), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Fatal("audit verify changed the database file")
	}
	if info, err := os.Stat(file + "-wal"); err == nil && info.Size() != 0 {
		t.Fatalf("audit verify left a WAL of %d bytes", info.Size())
	}
}
