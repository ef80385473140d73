package reliability

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// asPostgres runs a program (not one of PostgreSQL's own) as the user the
// test's PostgreSQL servers run as, so that what it makes is theirs.
func (p *pgServer) asPostgres(prog string, args ...string) (string, error) {
	var cmd *exec.Cmd
	if p.asUser != "" {
		cmd = exec.Command("runuser", append([]string{"-u", p.asUser, "--", prog}, args...)...)
	} else {
		cmd = exec.Command(prog, args...)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Point-in-time recovery as docs/operations.md "Backups with point-in-time
// recovery" sets it up: WAL archived with archive_command, a base backup
// with `pg_basebackup -Ft -z -X stream`, then the primary lost; a new
// server unpacked from the base backup with restore_command,
// recovery_target_time and recovery.signal comes back with every case
// written before that moment and none written after, and the audit chain
// verifies.
func TestPointInTimeRecoveryFromABaseBackupAndTheWALArchive(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two PostgreSQL servers and the program: not under -short")
	}
	if !storetest.WantPostgres(t) {
		t.Skip("TEST_DATABASE_URL is not set: the PostgreSQL tests are not running")
	}
	ctx := context.Background()
	primary := newPGServer(t)
	archive := filepath.Join(primary.root, "wal-archive")
	if out, err := primary.asPostgres("mkdir", "-m", "700", archive); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	db, err := store.Open(ctx, primary.url())
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`ALTER SYSTEM SET archive_mode = on`,
		fmt.Sprintf(`ALTER SYSTEM SET archive_command = 'test ! -f %[1]s/%%f && cp %%p %[1]s/%%f.part && sync %[1]s/%%f.part && mv %[1]s/%%f.part %[1]s/%%f'`, archive)} {
		if _, err := db.SQL().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	if out, err := primary.pgctl("stop", "-m", "fast"); err != nil { // archive_mode needs a restart
		t.Fatalf("%v\n%s", err, out)
	}
	primary.start()
	if db, err = store.Open(ctx, primary.url()); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetKeyRing(keyRing(t))
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s := seed(t, db)
	srv := startServe(t, primary.url())
	teacher := newClient(s.tokens[s.p.Teacher.User.ID], func() string { return srv.url })

	base := filepath.Join(primary.root, "base")
	if out, err := primary.run("pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(primary.port), "-U", "postgres",
		"-D", base, "-Ft", "-z", "-X", "stream"); err != nil {
		t.Fatalf("pg_basebackup: %v\n%s", err, out)
	}
	var before, after []string
	for range 3 {
		before = append(before, raise(t, teacher).ID)
	}
	var target string
	if err := db.SQL().QueryRow(`SELECT clock_timestamp()::text`).Scan(&target); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the moment to recover to lies strictly between the two sets of writes
	for range 3 {
		after = append(after, raise(t, teacher).ID)
	}
	srv.stop(t)
	// Everything up to here into the archive, then the primary is lost.
	var segment string
	if err := db.SQL().QueryRow(`SELECT pg_walfile_name(pg_current_wal_lsn())`).Scan(&segment); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().Exec(`SELECT pg_switch_wal()`); err != nil {
		t.Fatal(err)
	}
	waitUntilReady(t, nil, &syncBuffer{}, func() bool { // nil: no process to watch
		_, err := os.Stat(filepath.Join(archive, segment))
		return err == nil
	})
	db.Close()
	if out, err := primary.pgctl("stop", "-m", "immediate"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}

	// A new server from the base backup and the archive.
	root, err := os.MkdirTemp("/tmp", "pgpitr-")
	if err != nil {
		t.Fatal(err)
	}
	rec := &pgServer{t: t, root: root, asUser: primary.asUser}
	t.Cleanup(func() {
		rec.pgctl("stop", "-m", "immediate")
		os.RemoveAll(root)
	})
	if rec.asUser != "" {
		if out, err := exec.Command("chown", rec.asUser, root).CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	}
	data := filepath.Join(root, "data")
	for _, step := range [][]string{{"mkdir", "-m", "700", data}, {"tar", "-xzf", filepath.Join(base, "base.tar.gz"), "-C", data},
		{"tar", "-xzf", filepath.Join(base, "pg_wal.tar.gz"), "-C", filepath.Join(data, "pg_wal")}, {"touch", filepath.Join(data, "recovery.signal")}} {
		if out, err := rec.asPostgres(step[0], step[1:]...); err != nil {
			t.Fatalf("%v: %v\n%s", step, err, out)
		}
	}
	conf := fmt.Sprintf("\nrestore_command = 'cp %s/%%f %%p'\nrecovery_target_time = '%s'\nrecovery_target_action = 'promote'\n", archive, target)
	f, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(conf)
	f.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rec.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	rec.start()
	recovered, err := store.Open(ctx, rec.url())
	if err != nil {
		t.Fatal(err)
	}
	defer recovered.Close()
	waitUntilReady(t, nil, &syncBuffer{}, func() bool {
		var inRecovery bool
		return recovered.SQL().QueryRow(`SELECT pg_is_in_recovery()`).Scan(&inRecovery) == nil && !inRecovery
	})
	recovered.SetKeyRing(keyRing(t))
	cases, audited := snapshot(t, recovered)
	for _, id := range before {
		if _, ok := cases[id]; !ok {
			t.Errorf("case %s, written before the moment recovered to, is missing", id)
		}
	}
	for _, id := range after {
		if _, ok := cases[id]; ok {
			t.Errorf("case %s, written after the moment recovered to, is there", id)
		}
	}
	if out, err := waymark(t, "audit", "verify", "--database", rec.url()); err != nil {
		t.Fatalf("waymark audit verify on the recovered server: %v\n%s", err, out)
	}
	t.Logf("recovered to %s: %d cases, audit chain of %d entries", target, len(cases), audited)
}
