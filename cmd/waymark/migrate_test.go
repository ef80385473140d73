package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"waymark/internal/crypt"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// newDatabase makes a Waymark database as an operator does before the
// first start, `waymark migrate --create`, with the given --data or
// --database flags. Tests that start a command on a new database call it.
func newDatabase(t *testing.T, flags ...string) {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), append([]string{"migrate", "--create"}, flags...), env(nil), nil, &out, &out); err != nil {
		t.Fatalf("waymark migrate --create: %v\n%s", err, out.String())
	}
}

// privateDataDir is a data folder Waymark accepts (0700), not yet holding a database.
func privateDataDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

// keyFile writes a new master key file (0600) and returns its path.
func keyFile(t *testing.T) string {
	t.Helper()
	line, err := crypt.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "waymark.keys")
	if err := os.WriteFile(path, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Where there is no Waymark database, every command but `migrate --create`
// and `demo` refuses, names where it looked and how to make one, and
// leaves nothing behind: no empty SQLite file, no tables in PostgreSQL.
// (Before, each made an empty database and reported on it: "0 entries,
// chain intact".)
func TestEveryCommandRefusesWhereThereIsNoWaymarkDatabase(t *testing.T) {
	storetest.ForEachEmpty(t, func(t *testing.T, url string) {
		if !strings.HasPrefix(url, "postgres") {
			os.Chmod(filepath.Dir(url), 0o700) // Waymark refuses a data folder others can read
		}
		dir := privateDataDir(t)
		keys := keyFile(t)
		// The URL comes through the environment: its password may not be on a command line (ps).
		db := []string{"--data", dir, "--master-key-file", keys}
		dbEnv := env(map[string]string{"WAYMARK_DATABASE_URL": url})
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a command that wrongly serves stops
		defer cancel()
		for _, cmd := range [][]string{
			{"serve", "--addr", "127.0.0.1:0"},
			{"serve", "--addr", "127.0.0.1:0", "--migrate"},
			{"migrate"},
			{"rebuild"},
			{"check"},
			{"audit", "verify"},
			{"verify"},
			{"checkpoint"},
			{"seal-history"},
			{"keys", "check"},
			{"keys", "rotate"},
			{"org", "add", "--id", "org-x", "--name", "X", "--kind", "school"},
			{"user", "add", "--email", "a@example.org", "--name", "A", "--role", "practitioner", "--org", "org-x"},
			{"user", "disable", "--email", "a@example.org"},
			{"backup", filepath.Join(t.TempDir(), "b.db")},
		} {
			var out bytes.Buffer
			args := append(slices.Clone(cmd), db...)
			if cmd[0] == "backup" && strings.HasPrefix(url, "postgres") {
				continue // PostgreSQL is backed up with pg_dump
			}
			if cmd[0] == "backup" { // flags before the file
				args = append(append([]string{"backup"}, db...), cmd[1])
			}
			err := run(ctx, args, dbEnv, strings.NewReader("a long enough password 2026\n"), &out, &out)
			var none *store.NoDatabaseError
			if cmd[0] == "check" { // check lists its problems rather than stopping at the first
				if err == nil || !strings.Contains(out.String(), "run `waymark migrate --create` to make one") {
					t.Errorf("%v on no database: %v\n%s", cmd, err, out.String())
				}
				continue
			}
			if !errors.As(err, &none) || !strings.Contains(err.Error(), "run `waymark migrate --create` to make one") {
				t.Errorf("%v on no database: %v\n%s", cmd, err, out.String())
			}
		}
		if strings.HasPrefix(url, "postgres") {
			if _, err := store.OpenExisting(ctx, url); err == nil {
				t.Error("a command made Waymark's tables in the empty schema")
			}
		} else if _, err := os.Stat(url); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a command left a file at %s: %v", url, err)
		}
		// --dry-run --create says what it would do, and does nothing.
		var out bytes.Buffer
		if err := run(ctx, append([]string{"migrate", "--dry-run", "--create"}, db...), dbEnv, nil, &out, &out); err != nil || !strings.Contains(out.String(), "would make one") {
			t.Fatalf("migrate --dry-run --create: %v\n%s", err, out.String())
		}
		if _, err := store.OpenExisting(ctx, url); err == nil {
			t.Fatal("migrate --dry-run --create made the database")
		}
		if err := run(ctx, append([]string{"migrate", "--create"}, db...), dbEnv, nil, &out, &out); err != nil {
			t.Fatalf("waymark migrate --create: %v\n%s", err, out.String())
		}
		out.Reset()
		if err := run(ctx, append([]string{"org", "add", "--id", "org-x", "--name", "X", "--kind", "school"}, db...), dbEnv, nil, &out, &out); err != nil {
			t.Fatalf("org add after migrate --create: %v\n%s", err, out.String())
		}
		if err := run(ctx, append([]string{"audit", "verify"}, db...), dbEnv, nil, &out, &out); err != nil {
			t.Fatalf("audit verify after migrate --create: %v\n%s", err, out.String())
		}
	})
}

// behindDatabase is a SQLite database at schema 0010 in a data folder, as
// an older release left it.
func behindDatabase(t *testing.T) (dir, file string) {
	t.Helper()
	dir = privateDataDir(t)
	file = filepath.Join(dir, "waymark.db")
	db, err := store.Open(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MigrateTo(context.Background(), "0010"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	return dir, file
}

func schemaOf(t *testing.T, file string) string {
	t.Helper()
	db, err := store.OpenExisting(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v, err := db.SchemaVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// After installing a newer release, nothing migrates the database behind
// the operator's back: commands refuse a schema that is behind, naming how
// many migrations are pending; `migrate --dry-run` lists them and changes
// nothing; `migrate` applies them, and the commands work again.
func TestCommandsDoNotMigrateUnlessAsked(t *testing.T) {
	dir, file := behindDatabase(t)
	keys := keyFile(t)
	flags := []string{"--data", dir, "--master-key-file", keys}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pending := len(mustKnown(t)) - 10
	for _, cmd := range [][]string{{"serve", "--addr", "127.0.0.1:0"}, {"rebuild"}, {"check"}, {"audit", "verify"}, {"verify"}, {"keys", "check"}, {"seal-history"}, {"checkpoint"}} {
		var out bytes.Buffer
		err := run(ctx, append(cmd, flags...), env(nil), nil, &out, &out)
		var p *store.PendingError
		if cmd[0] == "check" { // check lists its problems rather than stopping at the first
			if err == nil || !strings.Contains(out.String(), fmt.Sprintf("%d migrations pending", pending)) {
				t.Errorf("%v on a schema behind: %v\n%s", cmd, err, out.String())
			}
			continue
		}
		if !errors.As(err, &p) || len(p.Pending) != pending || !strings.Contains(err.Error(), "run `waymark migrate`") {
			t.Errorf("%v on a schema behind: %v\n%s", cmd, err, out.String())
		}
	}
	if v := schemaOf(t, file); !strings.HasPrefix(v, "0010") {
		t.Fatalf("a command migrated the database to %s", v)
	}
	var out bytes.Buffer
	if err := run(ctx, append([]string{"migrate", "--dry-run"}, flags...), env(nil), nil, &out, &out); err != nil {
		t.Fatalf("migrate --dry-run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "migrations pending") || !strings.Contains(out.String(), "0011_") {
		t.Errorf("migrate --dry-run said %q", out.String())
	}
	if v := schemaOf(t, file); !strings.HasPrefix(v, "0010") {
		t.Fatalf("migrate --dry-run migrated the database to %s", v)
	}
	out.Reset()
	if err := run(ctx, append([]string{"migrate"}, flags...), env(nil), nil, &out, &out); err != nil || !strings.Contains(out.String(), "applied") {
		t.Fatalf("migrate: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(ctx, append([]string{"org", "add", "--id", "org-x", "--name", "X", "--kind", "school"}, flags...), env(nil), nil, &out, &out); err != nil {
		t.Fatalf("org add after migrate: %v\n%s", err, out.String())
	}
	if err := run(ctx, append([]string{"audit", "verify"}, flags...), env(nil), nil, &out, &out); err != nil {
		t.Fatalf("audit verify after migrate: %v\n%s", err, out.String())
	}
}

// serve --migrate applies pending migrations as it starts (a single
// instance's upgrade) and then serves.
func TestServeWithMigrateAppliesPendingMigrationsAtStart(t *testing.T) {
	dir, file := behindDatabase(t)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	keys := keyFile(t)
	go func() {
		done <- run(ctx, []string{"serve", "--migrate", "--addr", "127.0.0.1:0", "--data", dir, "--master-key-file", keys, "--log-level", "warn"}, env(nil), nil, pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	listening := false
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "Waymark is listening on ") {
			listening = true
			break
		}
	}
	go io.Copy(io.Discard, pr)
	cancel()
	if err := <-done; err != nil || !listening {
		t.Fatalf("serve --migrate: listening %v, %v", listening, err)
	}
	if v, known := schemaOf(t, file), mustKnown(t); v != known[len(known)-1] {
		t.Fatalf("after serve --migrate the database is at %s, want %s", v, known[len(known)-1])
	}
}

// A binary refuses a database a newer release has migrated, naming both
// schemas, whatever the command, and migrate does not touch it.
func TestCommandsRefuseADatabaseNewerThanTheyKnow(t *testing.T) {
	dir := privateDataDir(t)
	newDatabase(t, "--data", dir)
	db, err := store.OpenExisting(context.Background(), filepath.Join(dir, "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	var latest int
	if _, err := fmt.Sscanf(store.LatestSchema(), "%d", &latest); err != nil {
		t.Fatal(err)
	}
	later := fmt.Sprintf("%04d", latest+1) // one past the newest this build carries
	if _, err := db.SQL().Exec(`INSERT INTO schema_migrations(version, applied_at) VALUES ($1, '2030-01-01T00:00:00Z')`, later+"_later"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	want := "this database is at schema " + later + ", this Waymark knows up to " + store.LatestSchema() + ": run the newer release"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, cmd := range [][]string{{"serve", "--migrate", "--addr", "127.0.0.1:0", "--insecure-no-encryption"}, {"migrate"}, {"migrate", "--dry-run"}, {"verify"}, {"backup"}} {
		args := append(cmd, "--data", dir)
		if cmd[0] == "backup" {
			args = append(args, filepath.Join(t.TempDir(), "b.db"))
		}
		err := run(ctx, args, env(nil), nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v on a newer schema: %v, want %q", cmd, err, want)
		}
	}
}

// `waymark version` names the build and the newest schema it knows.
func TestVersionNamesTheBuildAndTheNewestSchema(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, env(nil), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "waymark ") || !strings.Contains(out.String(), "newest schema: "+store.LatestSchema()) || store.LatestSchema() == "" {
		t.Fatalf("waymark version said %q", out.String())
	}
}

func mustKnown(t *testing.T) []string {
	t.Helper()
	vs, err := (&store.DB{Dialect: store.SQLite}).MigrationVersions()
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// A command that may not make a database makes no data folder either: with
// the default --data missing, each says there is no database there and
// leaves nothing behind; migrate --create makes the folder (0700) and the
// database.
func TestCommandsThatMayNotMakeADatabaseMakeNoDataFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "waymark-data")
	for _, cmd := range [][]string{{"audit", "verify"}, {"keys", "check"}, {"keys", "rotate"}, {"verify"}, {"rebuild"}, {"user", "disable", "--email", "a@b.example"},
		{"migrate"}, {"migrate", "--dry-run"}, {"backup", filepath.Join(t.TempDir(), "b.db")}, {"serve", "--addr", "127.0.0.1:0", "--migrate", "--insecure-no-encryption"}} {
		args := append(append([]string{}, cmd...), "--data", dir)
		if cmd[0] == "backup" {
			args = []string{"backup", "--data", dir, cmd[1]}
		}
		err := run(context.Background(), args, env(nil), nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "no Waymark database") {
			t.Errorf("%v with no data folder: %v", cmd, err)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Fatalf("%v made the data folder", cmd)
		}
	}
	if err := run(context.Background(), []string{"migrate", "--create", "--data", dir}, env(nil), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("migrate --create: %v %v", info, err)
	}
}
