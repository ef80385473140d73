package reliability

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"waymark/internal/access"
	"waymark/internal/casework"
	"waymark/internal/crypt"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// The real program, built once for the whole test binary, and the master
// key every database here is encrypted with (given to the program in
// WAYMARK_MASTER_KEY, to the tests' own handles with SetKeyRing).
var binary struct {
	once    sync.Once
	dir     string
	path    string
	err     error
	keyLine string
	ring    *crypt.KeyRing
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary.dir != "" {
		os.RemoveAll(binary.dir)
	}
	os.Exit(code)
}

// waymarkBinary builds cmd/waymark (once) and returns its path.
func waymarkBinary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		// These suites build the binary and crash, kill or restore it for
		// real: they are the slow ones the full test run is for.
		t.Skip("runs the real binary: skipped under -short")
	}
	binary.once.Do(func() {
		if binary.keyLine, binary.err = crypt.GenerateKey(); binary.err != nil {
			return
		}
		if binary.ring, binary.err = crypt.ParseKeys(binary.keyLine); binary.err != nil {
			return
		}
		root, err := moduleRoot()
		if err != nil {
			binary.err = err
			return
		}
		if binary.dir, err = os.MkdirTemp("", "waymark-reliability-"); err != nil {
			binary.err = err
			return
		}
		binary.path = filepath.Join(binary.dir, "waymark")
		build := exec.Command("go", "build", "-o", binary.path, "./cmd/waymark")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			binary.err = fmt.Errorf("go build ./cmd/waymark: %w\n%s", err, out)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

// keyRing is the master key the program is given.
func keyRing(t testing.TB) *crypt.KeyRing {
	t.Helper()
	waymarkBinary(t)
	return binary.ring
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// childEnv keeps the configuration of whoever runs the tests out of the
// program under test, and gives it the tests' master key.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WAYMARK_") {
			env = append(env, kv)
		}
	}
	// The tests write as fast as they can with few tokens: they are about
	// durability, not about the per-token API rate limit, which is off.
	return append(env, "WAYMARK_MASTER_KEY="+binary.keyLine, "WAYMARK_API_RATE_LIMIT=0")
}

// programCommand is the program bin run with args and childEnv, as an
// operator runs it: a PostgreSQL URL that carries a password goes into
// WAYMARK_DATABASE_URL rather than onto the command line, where Waymark
// refuses it (anyone on the machine could read it with ps). Releases
// before that refusal read the variable too.
func programCommand(ctx context.Context, bin string, args ...string) *exec.Cmd {
	env := childEnv()
	var kept []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		v, isFlag := strings.CutPrefix(a, "--database=")
		if !isFlag && a == "--database" && i+1 < len(args) {
			v, isFlag = args[i+1], true
			i++
		}
		if !isFlag {
			kept = append(kept, a)
			continue
		}
		if u, err := url.Parse(v); err == nil && strings.HasPrefix(v, "postgres") {
			if _, ok := u.User.Password(); ok {
				env = append(env, "WAYMARK_DATABASE_URL="+v)
				continue
			}
		}
		kept = append(kept, "--database", v)
	}
	cmd := exec.CommandContext(ctx, bin, kept...)
	cmd.Env = env
	return cmd
}

// waymark runs one command of the real program and returns its output.
func waymark(t testing.TB, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := programCommand(ctx, waymarkBinary(t), args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// A target is a database the real program runs on: a SQLite file, or a
// PostgreSQL schema of its own on the server at TEST_DATABASE_URL.
type target struct {
	name   string
	url    string // what --database is given
	pg     *store.DB
	sqlite *store.DB // the test's own handle on the SQLite file, while open
}

// open returns the test's handle on the target's database (closed when the
// test ends, or by release).
func (tg *target) open(t testing.TB) *store.DB {
	t.Helper()
	if tg.pg != nil {
		return tg.pg
	}
	if tg.sqlite == nil {
		db, err := store.Open(context.Background(), tg.url)
		if err != nil {
			t.Fatalf("opening %s: %v", tg.url, err)
		}
		db.SetKeyRing(keyRing(t))
		tg.sqlite = db
		t.Cleanup(func() { db.Close() })
	}
	return tg.sqlite
}

// release closes the test's handle on a SQLite file, so that only the
// program under test has it open: a restart after SIGKILL then recovers from
// the write-ahead log as it would in production.
func (tg *target) release(t testing.TB) {
	t.Helper()
	if tg.sqlite == nil {
		return
	}
	if _, err := tg.sqlite.SQL().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	tg.sqlite.Close()
	tg.sqlite = nil
}

// forEachTarget runs fn on a fresh, migrated SQLite file and, when
// TEST_DATABASE_URL is set, on a fresh PostgreSQL schema (failing under
// CI=true when it is not, as every store test does).
func forEachTarget(t *testing.T, fn func(t *testing.T, tg *target)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		tg := &target{name: "sqlite", url: filepath.Join(privateDir(t), "waymark.db")}
		if err := tg.open(t).Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		fn(t, tg)
	})
	if storetest.WantPostgres(t) {
		t.Run("postgres", func(t *testing.T) {
			db := storetest.Postgres(t)
			db.SetKeyRing(keyRing(t))
			fn(t, &target{name: "postgres", url: schemaURL(t, db), pg: db})
		})
	}
}

// schemaURL is TEST_DATABASE_URL pointed at db's schema, for the program.
func schemaURL(t testing.TB, db *store.DB) string {
	t.Helper()
	var schema string
	if err := db.SQL().QueryRow(`SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	return withSearchPath(t, os.Getenv(storetest.EnvDatabaseURL), schema)
}

func withSearchPath(t testing.TB, base, schema string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// seeded is the storetest partnership written to a target, with an API
// token for each person. The tokens are made in the database, as an
// administrator would make them, so that the tests do not depend on how
// people sign in (a password today, with a second factor to come).
type seeded struct {
	p      storetest.Partnership
	tokens map[string]string // user id -> that person's own API token
}

func seed(t testing.TB, db *store.DB) seeded {
	t.Helper()
	clock := storetest.NewClock(time.Now().UTC().Truncate(time.Second))
	s := seeded{p: storetest.NewPartnership(t, db, clock), tokens: map[string]string{}}
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		for _, v := range []casework.Viewer{s.p.CSWorker, s.p.SocialWorker, s.p.Manager, s.p.PoliceLead, s.p.Teacher, s.p.Colleague, s.p.GPDoctor} {
			tok, hash := access.NewToken()
			err := tx.InsertAPIToken(store.APIToken{ID: access.NewID(), TokenHash: hash, UserID: v.User.ID, Name: "reliability test",
				Scopes: []string{casework.ScopeRead, casework.ScopeWrite}, CreatedAt: clock.Now(), ExpiresAt: clock.Now().Add(24 * time.Hour)})
			if err != nil {
				return err
			}
			s.tokens[v.User.ID] = tok
		}
		return nil
	})
	if err != nil {
		t.Fatalf("making API tokens: %v", err)
	}
	return s
}

// server is one `waymark serve` process.
type server struct {
	cmd    *exec.Cmd
	url    string
	exited chan struct{}
	out    *syncBuffer
}

// ledgers holds the erasure ledger of each PostgreSQL schema a test
// serves: one file for all the starts on that schema, as in production.
var ledgers sync.Map // database URL -> ledger file

// ledgerFor is the erasure ledger the program is given for a PostgreSQL
// database (the first test to ask for it owns the folder).
func ledgerFor(t testing.TB, dbURL string) string {
	t.Helper()
	if l, ok := ledgers.Load(dbURL); ok {
		return l.(string)
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	l, _ := ledgers.LoadOrStore(dbURL, filepath.Join(dir, "erasures.ledger"))
	return l.(string)
}

// startServe starts `waymark serve` on a free port, with any more flags,
// and waits until it is ready.
func startServe(t testing.TB, dbURL string, extra ...string) *server {
	t.Helper()
	args := []string{"serve", "--addr", "127.0.0.1:0", "--database", dbURL, "--log-level", "warn", "--log-format", "text",
		"--api-rate-limit", "0"} // the crash test writes as fast as it can; rate limits are tested in internal/web
	if strings.HasPrefix(dbURL, "postgres") {
		// serve refuses PostgreSQL without an erasure ledger; SQLite's is
		// beside the database.
		args = append(args, "--erasure-ledger", ledgerFor(t, dbURL))
	}
	return runServe(t, append(args, extra...))
}

// runServe runs the program with args (a `serve` command), reads the
// address it says it is listening on, and waits until /readyz answers. Every
// reliability test's server starts here: startServe, and the deploy test's
// startReplica.
func runServe(t testing.TB, args []string) *server {
	t.Helper()
	cmd := programCommand(context.Background(), waymarkBinary(t), args...)
	s := &server{cmd: cmd, exited: make(chan struct{}), out: &syncBuffer{}}
	cmd.Stderr = s.out
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting waymark serve: %v", err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			s.out.Write([]byte(line + "\n"))
			if rest, ok := strings.CutPrefix(line, "Waymark is listening on "); ok {
				u, _, _ := strings.Cut(rest, " ")
				addr <- u
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() { cmd.Wait(); close(s.exited) }()
	t.Cleanup(s.kill)
	select {
	case s.url = <-addr:
	case <-s.exited:
		t.Fatalf("waymark serve exited before listening (%v):\n%s", cmd.ProcessState, s.out)
	case <-time.After(60 * time.Second):
		t.Fatalf("waymark serve did not start within 60s:\n%s", s.out)
	}
	client := &http.Client{Timeout: 2 * time.Second}
	for range 1000 {
		resp, err := client.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		select { // polling readiness, not timing a result
		case <-s.exited:
			t.Fatalf("waymark serve exited before it was ready (%v):\n%s", cmd.ProcessState, s.out)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("waymark serve never became ready:\n%s", s.out)
	return nil
}

// kill ends the process at once, with no chance to finish anything: SIGKILL.
func (s *server) kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
}

// stop asks the process to shut down, as an operator would, and waits.
func (s *server) stop(t testing.TB) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(20 * time.Second):
		s.kill()
		t.Fatalf("waymark serve did not stop within 20s of SIGTERM:\n%s", s.out)
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// client speaks the JSON API with a bearer token.
type client struct {
	http  *http.Client
	token string
	base  func() string
}

func newClient(token string, base func() string) *client {
	return &client{http: &http.Client{Timeout: 30 * time.Second}, token: token, base: base}
}

// do sends one request. err is a transport failure (the server is down, or
// was killed mid-request): the outcome of a write is then unknown.
func (c *client) do(method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base()+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, b, nil
}

// apiCase is the part of GET /api/v1/cases/{id} the tests read.
type apiCase struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	Notes   []struct {
		Text string `json:"text"`
	} `json:"notes"`
}

// snapshot reads every case's whole log through the store, so that events
// are decoded as the program decodes them whatever their form at rest (a
// lawfully erased case reads as "erased"), and verifies the audit chain,
// returning its length.
func snapshot(t testing.TB, db *store.DB) (map[string][]string, int64) {
	t.Helper()
	cases := map[string][]string{}
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		ids, err := tx.CaseIDs()
		if err != nil {
			return err
		}
		for _, id := range ids {
			events, err := tx.CaseEvents(id)
			if store.IsErased(err) {
				cases[id] = []string{"erased"}
				continue
			}
			if err != nil {
				return err
			}
			for _, e := range events {
				b, err := json.Marshal(e)
				if err != nil {
					return err
				}
				cases[id] = append(cases[id], string(b))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading every case: %v", err)
	}
	n, err := db.VerifyAudit(nil)
	if err != nil {
		t.Fatalf("audit chain: %v", err)
	}
	return cases, n
}

// sameCases compares two snapshots case by case and event by event.
func sameCases(t testing.TB, want, got map[string][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d cases, want %d", len(got), len(want))
	}
	for id, events := range want {
		g, ok := got[id]
		if !ok {
			t.Errorf("case %s is missing", id)
			continue
		}
		if len(g) != len(events) {
			t.Errorf("case %s has %d events, want %d", id, len(g), len(events))
			continue
		}
		for i := range events {
			if g[i] != events[i] {
				t.Errorf("case %s event %d differs:\n got %s\nwant %s", id, i+1, g[i], events[i])
			}
		}
	}
}

// privateDir is a temporary folder only its owner can read: Waymark refuses
// to keep children's records in a folder others can read, and the testing
// package makes its folders 0777 less the umask.
func privateDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}
