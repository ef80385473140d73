package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// commands are every command line in the usage text, as run is given them.
func commands(t *testing.T) [][]string {
	t.Helper()
	var out [][]string
	section := strings.SplitN(usage, "Commands:\n", 2)[1]
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "  ") || strings.HasPrefix(line, "   ") {
			continue
		}
		f := strings.Fields(line)
		cmd := []string{f[0]}
		if len(f) > 1 && regexp.MustCompile(`^[a-z][a-z-]+$`).MatchString(f[1]) && slices.Contains([]string{"user", "org", "audit", "keys", "ho-lists"}, f[0]) {
			cmd = append(cmd, f[1])
		}
		out = append(out, cmd)
	}
	if len(out) < 20 {
		t.Fatalf("found only %d commands in the usage text: %v", len(out), out)
	}
	return out
}

// flagSets runs every command with -h and returns the FlagSets they parse.
func flagSets(t *testing.T) map[string]*flag.FlagSet {
	t.Helper()
	sets := map[string]*flag.FlagSet{}
	var current string
	parseHook = func(fs *flag.FlagSet) { sets[current] = fs }
	defer func() { parseHook = nil }()
	for _, cmd := range commands(t) {
		current = strings.Join(cmd, " ")
		var errOut bytes.Buffer
		if err := run(context.Background(), append(cmd, "-h"), env(nil), strings.NewReader(""), io.Discard, &errOut); err != nil {
			t.Errorf("waymark %s -h: %v", current, err)
		}
		if sets[current] == nil {
			t.Errorf("waymark %s parses no flags through parseFlags, so its environment variables are not read", current)
		}
	}
	return sets
}

// Every flag can be set from the environment, as docs/operations.md says,
// except the arguments of one action and the deprecated flag (flagOnly).
func TestEveryFlagHasAnEnvironmentVariable(t *testing.T) {
	for cmd, fs := range flagSets(t) {
		fs.VisitAll(func(f *flag.Flag) {
			if _, ok := flagOnly[f.Name]; ok {
				if flagEnv(f) != "" {
					t.Errorf("waymark %s --%s is allow-listed as flag-only but names %s", cmd, f.Name, flagEnv(f))
				}
				return
			}
			if flagEnv(f) == "" {
				t.Errorf("waymark %s --%s has no environment variable: end its usage with (WAYMARK_NAME), or add it to flagOnly with the reason", cmd, f.Name)
			}
		})
	}
}

// -h and --help print the usage and exit 0, for every command.
func TestHelpExitsZeroForEveryCommand(t *testing.T) {
	flagSets(t) // runs each command with -h
	for _, h := range []string{"-h", "--help"} {
		var errOut bytes.Buffer
		if err := run(context.Background(), []string{"serve", h}, env(nil), nil, io.Discard, &errOut); err != nil {
			t.Errorf("serve %s: %v", h, err)
		}
		if !strings.Contains(errOut.String(), "-addr") || !strings.Contains(errOut.String(), "WAYMARK_ADDR") {
			t.Errorf("serve %s printed %q", h, errOut.String())
		}
	}
}

// A command that takes a subcommand, asked for help before naming one
// (`waymark keys -h`), prints its usage and exits 0: it once said `unknown
// keys command "-h"`, and `user --help` that --email was required.
func TestHelpBeforeASubcommandExitsZero(t *testing.T) {
	for _, group := range []string{"audit", "user", "org", "keys", "ho-lists"} {
		for _, h := range []string{"-h", "--help"} {
			var out bytes.Buffer
			if err := run(context.Background(), []string{group, h}, env(nil), nil, &out, io.Discard); err != nil {
				t.Errorf("%s %s: %v", group, h, err)
			}
			if !strings.Contains(out.String(), "usage: waymark "+group) {
				t.Errorf("%s %s printed %q", group, h, out.String())
			}
		}
	}
}

// A value in the environment is parsed like the flag it stands for: a
// boolean that is not one, or a number or duration that does not parse,
// stops the command, naming the variable and what it accepts.
func TestAnEnvironmentValueThatDoesNotParseStopsStartUp(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	for _, tt := range []struct{ name, value, want string }{
		{"WAYMARK_SECURE_COOKIES", "yes", "true, false"},
		{"WAYMARK_SECURE_COOKIES", "on", "true, false"},
		{"WAYMARK_SIGN_IN_RATE_LIMIT", "abc", "whole number"},
		{"WAYMARK_API_RATE_LIMIT", "10/min", "whole number"},
		{"WAYMARK_BREAK_GLASS_DURATION", "4 hours", "duration"},
		{"WAYMARK_SHUTDOWN_TIMEOUT", "soon", "duration"},
		{"WAYMARK_INSECURE_HTTP", "please", "true, false"},
	} {
		err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", dir}, env(map[string]string{tt.name: tt.value}), nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.name) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s=%s: %v", tt.name, tt.value, err)
		}
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("a refused start made the data folder")
	}
}

// A period that parses but cannot be meant stops serve and is a problem to
// check: a negative one quietly turned its job off, and a checkpoint
// interval of 1ms appended an audit entry every millisecond, for good.
func TestAPeriodThatParsesButCannotBeMeantStopsStartUp(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	for _, tt := range []struct{ name, value, want string }{
		{"WAYMARK_CHECKPOINT_INTERVAL", "1ms", "--checkpoint-interval must be 0 (off) or at least 1m0s"},
		{"WAYMARK_CHECKPOINT_INTERVAL", "-1h", "--checkpoint-interval must be 0 (off)"},
		{"WAYMARK_ERASURE_LEDGER_SYNC", "1ns", "--erasure-ledger-sync must be 0 (off) or at least 10s"},
		{"WAYMARK_ERASURE_LEDGER_SYNC", "-5m", "--erasure-ledger-sync must be 0 (off)"},
		{"WAYMARK_SHUTDOWN_TIMEOUT", "-1s", "--shutdown-timeout cannot be negative"},
	} {
		vars := env(map[string]string{tt.name: tt.value})
		err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", dir}, vars, nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("serve with %s=%s: %v", tt.name, tt.value, err)
		}
		var out bytes.Buffer
		run(context.Background(), []string{"check", "--data", dir}, vars, nil, &out, io.Discard)
		if !strings.Contains(out.String(), "problem: "+tt.want) {
			t.Errorf("check with %s=%s said %q", tt.name, tt.value, out.String())
		}
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("a refused start made the data folder")
	}
	for _, ok := range []string{"0", "1m", "2h"} {
		c := config{checkpoint: checkpointConfig{interval: mustDuration(t, ok)}, erasure: erasureConfig{every: 5 * time.Minute}}
		if err := c.checkIntervals(); err != nil {
			t.Errorf("--checkpoint-interval %s: %v", ok, err)
		}
	}
}

func mustDuration(t *testing.T, s string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Values from the environment are used when the flag is not given; the
// command line wins when it is.
func TestTheEnvironmentSetsEveryFlagNotGivenOnTheCommandLine(t *testing.T) {
	vars := map[string]string{"WAYMARK_SHUTDOWN_TIMEOUT": "42s", "WAYMARK_SECURE_COOKIES": "true", "WAYMARK_LOG_LEVEL": "debug",
		"WAYMARK_DB_MAX_CONNS": "9", "WAYMARK_SIGN_IN_RATE_LIMIT": "7", "WAYMARK_CHECKPOINT_INTERVAL": "10m"}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var c config
	c.flags(fs, env(vars), "127.0.0.1:8080")
	if err := c.parse(fs, []string{"--log-level", "warn"}); err != nil {
		t.Fatal(err)
	}
	if c.shutdown.String() != "42s" || !c.secure || c.logLevel != "warn" || c.db.maxConns != 9 || c.access.signInPerMin != 7 || c.checkpoint.interval.String() != "10m0s" {
		t.Fatalf("shutdown %s secure %v log %s conns %d sign-in %d checkpoint %s", c.shutdown, c.secure, c.logLevel, c.db.maxConns, c.access.signInPerMin, c.checkpoint.interval)
	}
	if !c.cmdline["log-level"] || c.cmdline["shutdown-timeout"] || !c.given["shutdown-timeout"] {
		t.Fatalf("cmdline %v given %v", c.cmdline, c.given)
	}
}

// A database setting that is neither a path nor a recognised URL is refused
// (a libpq string once became a new, empty SQLite file named after it), and
// the refusal never repeats a password.
func TestADatabaseSettingThatIsNotAPathOrAURLIsRefused(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, bad := range []string{
		"host=db.internal dbname=waymark user=waymark password=hunter2",
		"dbname=waymark",
		"mysql://waymark:hunter2@db/waymark",
		"file:waymark.db?mode=memory",
		"sqlite:",
		"sqlite:file:waymark.db",
		"postgres://waymark:hunter2@db.internal",
		" postgres://waymark@db.internal/waymark", // a stray space once made it a SQLite path
		"postgres://waymark@db.internal/waymark\n",
	} {
		err := run(context.Background(), []string{"keys", "check", "--database", bad}, env(nil), nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "postgres://") {
			t.Errorf("--database %q: %v", bad, err)
		} else if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("--database %q: the refusal shows the password: %v", bad, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("refused settings left files behind: %v", entries)
	}
	for _, good := range []string{"waymark.db", "./data/waymark.db", "/var/lib/waymark/waymark.db", "sqlite:/var/lib/waymark/waymark.db", `C:\waymark\waymark.db`,
		"postgres://waymark@db.internal:5432/waymark?sslmode=verify-full", "postgresql://waymark@db/waymark"} {
		if _, _, err := classifyDatabase(good); err != nil {
			t.Errorf("--database %q: %v", good, err)
		}
	}
}

// The database password is taken from a file (0600) or the environment and
// merged into the URL; one given on the command line is warned about; none
// is ever printed.
func TestTheDatabasePasswordComesFromAFileOrTheEnvironment(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "db-password")
	os.WriteFile(file, []byte("s3cret/pass word\n"), 0o600)
	c := config{database: "postgres://waymark@db.internal/waymark", db: databaseConfig{passwordFile: file}}
	u, err := c.databaseURL()
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := url.Parse(u); p == nil || func() string { pw, _ := p.User.Password(); return pw }() != "s3cret/pass word" {
		t.Fatalf("password file not merged: %s", redactDatabase(u))
	}
	if loc := databaseLocation(u); loc != "postgres database db.internal:5432/waymark" || strings.Contains(redactDatabase(u), "s3cret") {
		t.Fatalf("location %q, redacted %q", loc, redactDatabase(u))
	}
	os.Chmod(file, 0o644)
	if _, err := c.databaseURL(); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a password file others can read: %v", err)
	}
	c = config{database: "postgres://waymark@db/waymark", getenv: env(map[string]string{"WAYMARK_DATABASE_PASSWORD": "from-env"})}
	if u, err := c.databaseURL(); err != nil || !strings.Contains(u, ":from-env@") {
		t.Fatalf("environment password: %v", err)
	}
	c = config{database: "postgres://waymark:on-the-command-line@db/waymark", cmdline: map[string]bool{"database": true}}
	if _, err := c.databaseURL(); err == nil || !strings.Contains(err.Error(), "WAYMARK_DATABASE_PASSWORD") || strings.Contains(err.Error(), "on-the-command-line") {
		t.Fatalf("password on the command line (ps): %v", err)
	}
	c = config{database: "postgres://waymark:in-the-environment@db/waymark"} // WAYMARK_DATABASE_URL: not in ps
	if _, err := c.databaseURL(); err != nil || len(c.warnings) != 0 {
		t.Fatalf("password in WAYMARK_DATABASE_URL: %v %v", err, c.warnings)
	}
}

// postgresSchema is a URL, without its password, to a new empty schema of
// the test PostgreSQL, and the password for it.
func postgresSchema(t *testing.T) (string, string) {
	t.Helper()
	if !storetest.WantPostgres(t) {
		t.Skip(storetest.EnvDatabaseURL + " is not set")
	}
	base := os.Getenv(storetest.EnvDatabaseURL)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "cfg_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); admin.Close() })
	u, _ := url.Parse(base)
	pw, _ := u.User.Password()
	u.User = url.User(u.User.Username())
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), pw
}

// databases are a fresh SQLite file and a fresh PostgreSQL schema, as the
// arguments and environment that select them.
func databases() map[string]func(t *testing.T) ([]string, map[string]string, string) {
	return map[string]func(t *testing.T) ([]string, map[string]string, string){
		"sqlite": func(t *testing.T) ([]string, map[string]string, string) {
			file := filepath.Join(t.TempDir(), "data", "waymark.db")
			os.MkdirAll(filepath.Dir(file), 0o700)
			return []string{"--database", file}, nil, "sqlite database " + file
		},
		"postgres": func(t *testing.T) ([]string, map[string]string, string) {
			u, pw := postgresSchema(t)
			return nil, map[string]string{"WAYMARK_DATABASE_URL": u, "WAYMARK_DATABASE_PASSWORD": pw}, "postgres database "
		},
	}
}

// With no database setting, or the wrong one, administrative commands once
// reported "0 entries, chain intact" and "re-wrapped 0": an operator who
// believed it could retire the key every case needs. They refuse a
// database holding no partnership, naming it; org add starts one.
func TestAdministrativeCommandsRefuseADatabaseWithNoPartnership(t *testing.T) {
	for name, open := range databases() {
		t.Run(name, func(t *testing.T) {
			args, vars, where := open(t)
			var errOut bytes.Buffer
			if err := run(context.Background(), append([]string{"migrate", "--create"}, args...), env(vars), nil, io.Discard, &errOut); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(errOut.String(), "opened the "+where) {
				t.Errorf("migrate did not say which database it opened: %q", errOut.String())
			}
			errOut.Reset()
			if err := run(context.Background(), append([]string{"migrate", "--dry-run"}, args...), env(vars), nil, io.Discard, &errOut); err != nil || !strings.Contains(errOut.String(), "opened the "+where) {
				t.Errorf("migrate --dry-run did not say which database it opened: %v %q", err, errOut.String())
			}
			for _, cmd := range [][]string{
				{"keys", "check"}, {"keys", "rotate"}, {"audit", "verify"}, {"verify"}, {"checkpoint"}, {"rebuild"}, {"seal-history"},
				{"user", "add", "--email", "a@b.example", "--name", "A", "--role", "practitioner", "--org", "x"},
				{"user", "reset", "--email", "a@b.example"}, {"user", "disable", "--email", "a@b.example"}, {"user", "reset-mfa", "--email", "a@b.example"},
			} {
				var out bytes.Buffer
				err := run(context.Background(), append(cmd, args...), env(vars), strings.NewReader("a long enough password 2026\n"), &out, io.Discard)
				if err == nil || !strings.Contains(err.Error(), "holds no partnership") || !strings.Contains(err.Error(), where) || !strings.Contains(err.Error(), "--database") {
					t.Errorf("%v on an empty database: %v (%s)", cmd, err, out.String())
				}
			}
			if name == "sqlite" {
				err := run(context.Background(), append(append([]string{"backup"}, args...), filepath.Join(t.TempDir(), "b.db")), env(vars), nil, io.Discard, io.Discard)
				if err == nil || !strings.Contains(err.Error(), "holds no partnership") {
					t.Errorf("backup of an empty database: %v", err)
				}
			}
			if err := run(context.Background(), append([]string{"org", "add", "--id", "org-council", "--name", "Council", "--kind", "local-authority"}, args...), env(vars), nil, io.Discard, io.Discard); err != nil {
				t.Fatalf("org add on an empty database: %v", err)
			}
			var out bytes.Buffer
			if err := run(context.Background(), append([]string{"audit", "verify"}, args...), env(vars), nil, &out, io.Discard); err != nil {
				t.Fatalf("audit verify once there is a partnership: %v", err)
			}
		})
	}
}

// syncBuffer collects a server's log and cancels it once a line appears.
type syncBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	until  string
	cancel func()
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Write(p)
	if strings.Contains(s.b.String(), s.until) {
		s.cancel()
	}
	return len(p), nil
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// serveUntil runs serve on a fresh database until its log says `until`.
func serveUntil(t *testing.T, until string, args ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &syncBuffer{until: until, cancel: cancel}
	var out bytes.Buffer
	data := filepath.Join(t.TempDir(), "data")
	newDatabase(t, "--data", data)
	err := run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--insecure-no-encryption", "--log-format", "text"}, args...), env(nil), nil, &out, logs)
	return out.String(), logs.String(), err
}

func TestServeWarnsThatADatabaseHoldsNoPartnership(t *testing.T) {
	_, logs, err := serveUntil(t, "listening")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs, "holds no partnership") || !strings.Contains(logs, "opened the sqlite database") {
		t.Fatalf("serve on an empty database logged %q", logs)
	}
}

// Plain HTTP on an address other machines can reach is refused unless TLS
// is configured or --insecure-http says a TLS proxy terminates it.
func TestPlainHTTPOnANonLoopbackAddressIsRefused(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":8080", "[::]:0", "192.0.2.10:8080", "waymark.internal:8080"} {
		err := run(context.Background(), []string{"serve", "--addr", addr, "--data", filepath.Join(t.TempDir(), "d")}, env(nil), nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "--insecure-http") || !strings.Contains(err.Error(), "--tls-cert") {
			t.Errorf("serve --addr %s: %v", addr, err)
		}
	}
	for _, c := range []config{
		{addr: "127.0.0.1:8080"}, {addr: "localhost:8080"}, {addr: "[::1]:8080"},
		{addr: "0.0.0.0:8080", tls: tlsConfig{insecureHTTP: true}},
		{addr: "0.0.0.0:8443", tls: tlsConfig{cert: "c.pem", key: "k.pem"}},
	} {
		if err := c.checkListen(); err != nil {
			t.Errorf("%s %+v: %v", c.addr, c.tls, err)
		}
	}
	if err := (&config{addr: "127.0.0.1:0", tls: tlsConfig{cert: "c.pem"}}).checkListen(); err == nil {
		t.Error("--tls-cert without --tls-key was accepted")
	}
}

// The pool size is configurable, bounded, and reaches the store.
func TestThePoolSizeIsConfigurableAndBounded(t *testing.T) {
	for _, bad := range []string{"0", "-1", "1001"} {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		var c config
		c.flags(fs, env(nil), "")
		if err := c.parse(fs, []string{"--db-max-conns", bad}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.maxConns(); err == nil {
			t.Errorf("--db-max-conns %s was accepted", bad)
		}
	}
	for _, named := range storetest.Stores(t) {
		t.Run(named.Name, func(t *testing.T) {
			if got, _ := named.DB.Connections(); got != map[store.Dialect]int{store.SQLite: 3, store.Postgres: 20}[named.DB.Dialect] {
				t.Errorf("default pool %d", got)
			}
		})
	}
	file := filepath.Join(t.TempDir(), "w.db")
	db, err := store.Open(context.Background(), file, store.OpenOptions{MaxConns: 7})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, _ := db.Connections(); got != 7 {
		t.Fatalf("pool %d, want 7", got)
	}
	if got := db.SQL().Stats().MaxOpenConnections; got != 6 {
		t.Fatalf("%d connections for reads, want 6 (and one for writes)", got)
	}
	if _, err := store.Open(context.Background(), file, store.OpenOptions{MaxConns: 1001}); err == nil {
		t.Fatal("store.Open took a pool of 1001")
	}
}

// envValue is a value for a flag's environment variable that is not the
// flag's default and that the flag takes; for the places a command is
// pointed at, one that stops it before it listens or opens anything.
func envValue(f *flag.Flag) string {
	switch f.Name {
	case "database":
		return "mysql://from-the-environment/waymark" // refused as it is opened
	case "addr":
		return "192.0.2.1:1" // not this machine's: cannot be listened on
	}
	switch flagKind(f) {
	case "bool":
		if f.DefValue == "true" {
			return "false"
		}
		return "true"
	case "duration":
		return "1h2m3s"
	case "number":
		return "7"
	}
	return "/nonexistent/from-the-environment-" + f.Name
}

// Every command reads every flag's environment variable, as
// docs/operations.md says: a flag whose usage names a variable that its
// command never reads (a FlagSet parsed without the environment) would
// quietly keep its default. Each command runs once with every variable
// set to a value that is not the default; whatever it then does (each one
// stops, the database setting being refused), every flag holds the value
// from the environment.
func TestEveryCommandReadsTheEnvironmentVariableOfEveryFlag(t *testing.T) {
	t.Chdir(t.TempDir())
	sets := flagSets(t)
	for _, cmd := range commands(t) {
		name := strings.Join(cmd, " ")
		vars := map[string]string{}
		sets[name].VisitAll(func(f *flag.Flag) {
			if v := flagEnv(f); v != "" {
				vars[v] = envValue(f)
			}
		})
		var fs *flag.FlagSet
		parseHook = func(s *flag.FlagSet) { fs = s }
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := run(ctx, cmd, env(vars), strings.NewReader(""), io.Discard, io.Discard)
		cancel()
		parseHook = nil
		if fs == nil {
			t.Errorf("waymark %s parsed no flags (%v)", name, err)
			continue
		}
		fs.VisitAll(func(f *flag.Flag) {
			v := flagEnv(f)
			if v == "" {
				return
			}
			if got := f.Value.String(); got != vars[v] {
				t.Errorf("waymark %s: with %s=%s, --%s is %q", name, v, vars[v], f.Name, got)
			}
		})
	}
}

// The database a command says it opened names the PostgreSQL schema when
// the URL chooses one: two partnerships' schemas in one database are two
// databases to an operator, and the line is how they tell which it was.
func TestTheDatabaseOpenedNamesItsPostgresSchema(t *testing.T) {
	for u, want := range map[string]string{
		"postgres://waymark@db.internal/waymark":                                 "postgres database db.internal:5432/waymark",
		"postgres://waymark@db.internal:6432/waymark?search_path=northshire":     "postgres database db.internal:6432/waymark (schema northshire)",
		"postgres://waymark:s3cret@db.internal/waymark?search_path=westshire&x=": "postgres database db.internal:5432/waymark (schema westshire)",
	} {
		if got := databaseLocation(u); got != want {
			t.Errorf("databaseLocation(%s) = %q, want %q", redactDatabase(u), got, want)
		}
	}
}
