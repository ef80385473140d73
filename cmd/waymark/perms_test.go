//go:build unix

package main

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"waymark/internal/store"
)

// withUmask runs the test under a permissive umask, so that only explicit
// modes can make the files private.
func withUmask(t *testing.T, mask int) {
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

func wantMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("%s has mode %04o, want %04o", path, got, want)
	}
}

// The database, its -wal and -shm files, a backup and a restored database
// are readable by their owner only, whatever the umask; so is the data
// folder Waymark makes, and a database an older version left 0644 is
// tightened when opened.
func TestDatabaseAndBackupFilesAreOwnerOnly(t *testing.T) {
	withUmask(t, 0o022)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	if err := run(ctx, []string{"migrate", "--create", "--data", dir}, getenv(nil), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	wantMode(t, dir, 0o700)
	file := filepath.Join(dir, "waymark.db")
	wantMode(t, file, 0o600)

	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil { // writes, so the -wal and -shm are there
		t.Fatal(err)
	}
	for _, f := range []string{file, file + "-wal", file + "-shm"} {
		wantMode(t, f, 0o600)
	}
	db.Close()
	// Backing up an empty database is refused (it is likely the wrong one).
	if err := run(ctx, []string{"org", "add", "--data", dir, "--id", "org-council", "--name", "Council", "--kind", "local-authority"}, getenv(nil), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}

	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := run(ctx, []string{"backup", "--data", dir, backup}, getenv(nil), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	wantMode(t, backup, 0o600)

	if err := run(ctx, []string{"restore", "--data", dir, backup}, getenv(nil), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		wantMode(t, filepath.Join(dir, e.Name()), 0o600)
	}
}

// A data folder, or a master key file, that other users can read stops
// Waymark starting, with a message naming the path and the fix.
func TestServeRefusesADataFolderOthersCanRead(t *testing.T) {
	withUmask(t, 0o022)
	// Ended already: a command that wrongly started would stop at once
	// (failing the test) instead of serving for ever. The refusal comes
	// before anything looks at the context.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range [][]string{
		{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--insecure-no-encryption"},
		{"demo", "--addr", "127.0.0.1:0", "--data", dir},
		{"serve", "--addr", "127.0.0.1:0", "--database", filepath.Join(dir, "other.db"), "--insecure-no-encryption"},
		{"backup", "--data", dir, filepath.Join(t.TempDir(), "b.db")},
	} {
		err := run(ctx, cmd, getenv(nil), nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "chmod 700 "+dir) {
			t.Errorf("%s with a folder others can read: %v", cmd[0], err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "waymark.db")); err == nil {
		t.Error("a database was made in the folder others can read")
	}

	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	newDatabase(t, "--data", dir)
	keys := filepath.Join(t.TempDir(), "waymark.keys")
	if err := os.WriteFile(keys, []byte("k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(keys, 0o644); err != nil {
		t.Fatal(err)
	}
	// The key file is read after the database is opened, so this one needs
	// a live context; the deadline only stops a wrongly started server.
	live, stop := context.WithTimeout(context.Background(), time.Minute)
	defer stop()
	err := run(live, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--master-key-file", keys}, getenv(nil), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "chmod 600 "+keys) {
		t.Errorf("serve with a master key file others can read: %v", err)
	}
}
