package reliability

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// pgServer is a PostgreSQL server of the test's own, with PostgreSQL's
// durable defaults (fsync, synchronous_commit and full_page_writes on),
// which the test may crash.
type pgServer struct {
	t      *testing.T
	root   string // data folder, socket and log
	port   int
	asUser string // run the server programs as this user ("" = as we are)
}

// newPGServer starts the server, or skips the test when PostgreSQL 15 is not
// installed (failing instead under CI=true).
func newPGServer(t *testing.T) *pgServer {
	t.Helper()
	missing := func(why string) *pgServer {
		if os.Getenv("CI") == "true" {
			t.Fatalf("cannot start a PostgreSQL server of the test's own and CI=true: %s", why)
		}
		t.Skipf("skipping: %s", why)
		return nil
	}
	if _, err := os.Stat(filepath.Join(pgBin, "initdb")); err != nil {
		return missing(pgBin + "/initdb is missing (apt-get install postgresql-15)")
	}
	p := &pgServer{t: t}
	// initdb refuses to run as root: run the server programs as postgres.
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return missing("running as root and there is no postgres user to run the server as")
		}
		if _, err := exec.LookPath("runuser"); err != nil {
			return missing("running as root and runuser is missing")
		}
		p.asUser = u.Username
	}
	// A short folder: a unix socket path must fit in 107 bytes.
	root, err := os.MkdirTemp("/tmp", "pgcrash-")
	if err != nil {
		t.Fatal(err)
	}
	p.root = root
	t.Cleanup(func() {
		p.pgctl("stop", "-m", "immediate")
		os.RemoveAll(root)
	})
	if p.asUser != "" {
		u, _ := user.Lookup(p.asUser)
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(root, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	// --no-sync only skips flushing initdb's own files; the server runs with
	// every durability setting at its default.
	if out, err := p.run("initdb", "-D", p.root+"/data", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=trust", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	p.start()
	return p
}

func (p *pgServer) run(prog string, args ...string) (string, error) {
	path := filepath.Join(pgBin, prog)
	var cmd *exec.Cmd
	if p.asUser != "" {
		cmd = exec.Command("runuser", append([]string{"-u", p.asUser, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func (p *pgServer) pgctl(args ...string) (string, error) {
	return p.run("pg_ctl", append([]string{"-D", p.root + "/data", "-w", "-t", "60"}, args...)...)
}

func (p *pgServer) start() {
	p.t.Helper()
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -c unix_socket_directories=%s", p.port, p.root)
	if out, err := p.pgctl("start", "-l", p.root+"/server.log", "-o", opts); err != nil {
		log, _ := os.ReadFile(p.root + "/server.log")
		p.t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
}

// crash stops the server the way a crash would (immediate shutdown: no
// checkpoint, recovery from the write-ahead log on the next start) and
// starts it again.
func (p *pgServer) crash() {
	p.t.Helper()
	if out, err := p.pgctl("stop", "-m", "immediate"); err != nil {
		p.t.Fatalf("pg_ctl stop -m immediate: %v\n%s", err, out)
	}
	p.start()
}

func (p *pgServer) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
}

// The database server crashes at random moments while clients write
// through a running `waymark serve`: every write acknowledged before a crash
// is there after recovery. This is the test that needs PostgreSQL's durable
// settings; it starts a server of its own with them, as the shared CI server
// is started with fsync and synchronous_commit off for speed (with
// synchronous_commit=off, a crash of the server loses the last commits it
// acknowledged, and this test fails: tried).
func TestAcknowledgedWritesSurviveADatabaseCrash(t *testing.T) {
	if !storetest.WantPostgres(t) {
		t.Skip("TEST_DATABASE_URL is not set: the PostgreSQL tests are not running")
	}
	rng := crashRand(t)
	pg := newPGServer(t)
	db, err := store.Open(context.Background(), pg.url())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for setting, want := range map[string]string{"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"} {
		var got string
		if err := db.SQL().QueryRow(`SELECT current_setting($1)`, setting).Scan(&got); err != nil || got != want {
			t.Fatalf("%s = %q (%v), want %q: this test is about durability", setting, got, err, want)
		}
	}
	db.SetKeyRing(keyRing(t))
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := seed(t, db)
	tg := &target{name: "postgres (own server)", url: pg.url(), pg: db}
	srv := startServe(t, tg.url)
	stop := func() {
		srv.stop(t)
		// The set-up handle's connections died with the server: check with a new one.
		fresh, err := store.Open(context.Background(), pg.url())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { fresh.Close() })
		fresh.SetKeyRing(keyRing(t))
		tg.pg = fresh
	}
	crashWhileWriting(t, tg, s, rng, func() string { return srv.url }, "database crash", pg.crash, stop)
	if log, _ := os.ReadFile(pg.root + "/server.log"); strings.Count(string(log), "automatic recovery in progress") < 5 {
		t.Errorf("the server log shows fewer than 5 crash recoveries:\n%s", log)
	}
}
