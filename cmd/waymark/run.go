package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"waymark/internal/access"
	"waymark/internal/audit"
	"waymark/internal/casework"
	"waymark/internal/catalog"
	"waymark/internal/demo"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/web"
)

const usage = `Usage: waymark <command> [flags]

Commands:
  demo           run with the embedded SQLite database and the demo partnership
  serve          run the web service
  migrate        apply pending database migrations under a lock, and exit (--dry-run: list them, change nothing;
                 --create: make the database when there is none yet). Other commands never migrate:
                 they refuse a database that is missing or behind, except serve --migrate and demo
  rebuild        rebuild read models (case lists, clocks, members) from the case logs
  user add       add a user:  user add --email E --name N --role R --org ORG-ID (password read from stdin)
  user reset     set a user's password (read from stdin), clear its failed sign-ins, end its sessions and API tokens
  user disable   disable a user and end their sessions and API tokens
  user enable    let a disabled user sign in again
  user reset-mfa remove a user's authenticator (a lost phone): they set one up at their next sign-in
  totp           print the current two-step verification code of the demo users (or --secret S)
  org add        add an organisation: org add --id ID --name N --kind K [--first-responder DESIGNATION] [--childrens-services]
  audit verify   check the audit log's chain end to end
  verify         prove the sealed history: every seal, every case replayed against its read models, every index there
                 (--checkpoint FILE: and that everything a signed checkpoint covered is still there)
  seal-history   seal a history written before sealing began, as found: once, after upgrading (service stopped)
  checkpoint     sign the chain heads into the audit log and the checkpoint file (--public-key: print the key that checks them)
  backup FILE    write a consistent copy of the SQLite database to FILE, and verify it
  restore FILE   verify a backup and put it in place of the SQLite database (service stopped)
  keys generate  print a new master key for encryption at rest (--unwrap-only: to add to a key file in use)
  keys check     report which master key wraps, which are unwrap-only, what needs each, and the replicas' keys
  keys rotate    re-wrap every data key under the primary master key, once every replica wraps under it
  check          check configuration and database, and exit
  ho-lists show  print the Home Office NRM form's lists built in: their source, version and sizes
  ho-lists import bring a newer copy of the form's lists into a source checkout (--from DIR --commit C --date D)
  match dedupe   find the records of the same person in a CSV file: --in FILE.csv --map MAPPING [--threshold 0.5]
  match link     find the records of the same person in two CSV files: --left A.csv --right B.csv --map MAPPING
  version        print the version and the newest database schema this build knows

Every command takes --database (or WAYMARK_DATABASE_URL): a SQLite file path or a
postgres:// URL. Run "waymark <command> -h" for its flags.
`

// config is the configuration shared by the commands.
type config struct {
	addr       string
	database   string
	dataDir    string
	secure     bool
	logLevel   string
	logFormat  string
	shutdown   time.Duration
	rgTarget   int
	cgMinimum  string
	frontDoor  string           // --childrens-services-org
	privacy    privacyConfig    // master keys and retention (keys.go)
	access     accessConfig     // two-step verification, single sign-on, break-glass, rate limits (access.go)
	checkpoint checkpointConfig // signed checkpoints of the history (verify.go)
	db         databaseConfig   // database password and pool size (database.go)
	tls        tlsConfig        // HTTPS, or plain HTTP on purpose (tls.go)
	erasure    erasureConfig    // the erasure ledger outside the database (erasure.go)
	metrics    metricsConfig    // where /metrics is served (metrics.go)
	contact    web.Contact      // the help page's contact details (contact.go)
	staff      staffConfig      // sign-in limits per address, single sign-on re-checks (staff.go)
	session    sessionConfig    // session limits, the time-out warning, kept answers (session.go)
	reminders  reminderConfig   // email reminders and the demo's mail catcher (reminders.go)
	mode       openMode         // what opening the database may do (open)
	readOnly   bool             // a checking command: the database is opened so that nothing can write (store.OpenOptions.ReadOnly)
	verifies   bool             // verify, audit verify: report a seal the key does not check, rather than stop at it
	schema     schemaConfig     // whether opening may create or migrate the database (migrate.go)

	// partnership: the command acts on a partnership, so a database with no
	// organisations is the wrong one (requirePartnership, database.go).
	partnership bool

	getenv   func(string) string // for envSecrets only (env.go)
	cmdline  map[string]bool     // flags given on the command line
	given    map[string]bool     // flags given on the command line or in the environment
	out      io.Writer           // where usage and notices go (stderr)
	warnings []string            // said once the logger exists
	location string              // the database opened, as printed (databaseLocation)
}

// openMode says what a command may do to the database as it opens it.
type openMode int

const (
	openWrite   openMode = iota // a command that writes: refuses a history that needs sealing
	openCheck                   // a checking command: writes nothing (beyond migrations), seals nothing
	openUpgrade                 // migrate, seal-history, a restore's copy: may open a history that still needs sealing
)

// flags registers the shared configuration. Each flag's usage ends with
// its environment variable, which parse reads (env.go); no default here
// comes from the environment.
func (c *config) flags(fs *flag.FlagSet, getenv func(string) string, defaultAddr string) {
	c.getenv = getenv
	fs.StringVar(&c.addr, "addr", defaultAddr, "address to listen on; other than 127.0.0.1 or localhost needs --tls-cert or --insecure-http (WAYMARK_ADDR)")
	fs.StringVar(&c.dataDir, "data", "waymark-data", "folder for the SQLite database, created if missing (WAYMARK_DATA_DIR)")
	fs.StringVar(&c.database, "database", "", "SQLite file (or sqlite:FILE) or postgres://USER@HOST:PORT/DBNAME URL, without its password; default DATA/waymark.db (WAYMARK_DATABASE_URL)")
	fs.BoolVar(&c.secure, "secure-cookies", false, "mark cookies Secure and send HSTS: set when served over HTTPS; on by default with --tls-cert (WAYMARK_SECURE_COOKIES)")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error (WAYMARK_LOG_LEVEL)")
	fs.StringVar(&c.logFormat, "log-format", "json", "json or text (WAYMARK_LOG_FORMAT)")
	fs.DurationVar(&c.shutdown, "shutdown-timeout", 15*time.Second, "how long to let requests finish on shutdown (WAYMARK_SHUTDOWN_TIMEOUT)")
	fs.IntVar(&c.rgTarget, "rg-target-working-days", 5, "Reasonable Grounds decision target after an NRM submission, in working days (WAYMARK_RG_TARGET_WORKING_DAYS)")
	fs.StringVar(&c.cgMinimum, "cg-minimum-days", "45,2023-01-30:30",
		"days between a positive Reasonable Grounds decision and the earliest Conclusive Grounds decision, with its history: DAYS[,FROM:DAYS...] (WAYMARK_CG_MINIMUM_DAYS)")
	fs.StringVar(&c.frontDoor, "childrens-services-org", "",
		"id of the organisation that receives every new concern; needed only when more than one is marked as Children's Services (WAYMARK_CHILDRENS_SERVICES_ORG)")
	c.databaseFlags(fs)
	c.tlsFlags(fs)
	c.keyFlags(fs)
	c.accessFlags(fs)
	c.checkpointFlags(fs)
	c.erasureFlags(fs)
	c.metrics.flags(fs)
	c.staffFlags(fs)
	c.sessionFlags(fs)
}

// clockConfig applies the configured NRM timings to the procedure's defaults.
func (c *config) clockConfig() (pathway.ClockConfig, error) {
	cfg := pathway.DefaultClocks
	if c.rgTarget < 1 || c.rgTarget > 60 {
		return cfg, fmt.Errorf("--rg-target-working-days must be between 1 and 60, not %d", c.rgTarget)
	}
	cfg.RGTargetWorkingDays = c.rgTarget
	var periods []pathway.MinimumPeriod
	for i, part := range strings.Split(c.cgMinimum, ",") {
		from, days := time.Time{}, strings.TrimSpace(part)
		if i > 0 {
			date, d, ok := strings.Cut(days, ":")
			t, err := time.Parse("2006-01-02", date)
			if !ok || err != nil || !t.After(periods[len(periods)-1].From) {
				return cfg, fmt.Errorf("--cg-minimum-days: %q must be FROM:DAYS with FROM a date (YYYY-MM-DD) after the one before", part)
			}
			from, days = t, d
		}
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 365 {
			return cfg, fmt.Errorf("--cg-minimum-days: %q is not a number of days", days)
		}
		periods = append(periods, pathway.MinimumPeriod{From: from, Days: n})
	}
	cfg.CGMinimum = periods
	return cfg, nil
}

// checkIntervals refuses a period that parses but cannot be meant: a
// negative one, which quietly turned the job off, or one so short that the
// job runs without pause (a checkpoint every millisecond appends an audit
// entry each time, and audit entries are never removed).
func (c *config) checkIntervals() error {
	for _, d := range []struct {
		flag     string
		v, least time.Duration
	}{
		{"checkpoint-interval", c.checkpoint.interval, time.Minute},
		{"erasure-ledger-sync", c.erasure.every, 10 * time.Second},
	} {
		if d.v < 0 || d.v > 0 && d.v < d.least {
			return fmt.Errorf("--%s must be 0 (off) or at least %s, not %s", d.flag, d.least, d.v)
		}
	}
	if c.shutdown < 0 {
		return fmt.Errorf("--shutdown-timeout cannot be negative, not %s", c.shutdown)
	}
	return nil
}

// ownerOnlyFolder refuses a data folder that group or others can read,
// write or enter, naming the command that fixes it.
func ownerOnlyFolder(dir string) error {
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("data folder: %w", err)
	}
	if !info.IsDir() {
		return fmt.Errorf("the data folder %s is not a folder", dir)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("the data folder %s can be read by other users (mode %04o), and it holds children's case records: "+
			"run `chmod 700 %s` (and `chmod 600` each file in it), then start Waymark again", dir, perm, dir)
	}
	return nil
}

func (c *config) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.logFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be json or text, not %q", c.logFormat)
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	err := command(ctx, args, getenv, stdin, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h or --help: the usage is printed, and asking for it is no failure
	}
	return err
}

// command runs one command.
func command(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	if groups[cmd] != "" && len(rest) > 0 && isHelp(rest[0]) {
		// `waymark keys -h`: asking is no failure, as for every command
		fmt.Fprintln(stdout, groups[cmd])
		return nil
	}
	switch cmd {
	case "demo":
		return runServe(ctx, rest, getenv, stdout, stderr, true)
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr, false)
	case "seal-history":
		return runSealHistory(ctx, rest, getenv, stdout, stderr) // verify.go
	case "check":
		return runCheck(ctx, rest, getenv, stdout, stderr) // check.go
	case "migrate":
		return runMigrate(ctx, rest, getenv, stdout, stderr) // migrate.go
	case "version":
		return runVersion(rest, getenv, stdout, stderr) // migrate.go
	case "rebuild":
		return runAdmin(ctx, cmd, rest, getenv, stdout, stderr)
	case "backup", "restore":
		return runBackup(ctx, cmd, rest, getenv, stdout, stderr) // backup.go
	case "audit":
		if len(rest) == 0 || rest[0] != "verify" {
			return errors.New(`usage: waymark audit verify [--database URL]`)
		}
		return runAdmin(ctx, "audit-verify", rest[1:], getenv, stdout, stderr)
	case "user":
		if len(rest) == 0 {
			return errors.New("usage: waymark user add|reset|reset-mfa|disable|enable [flags]")
		}
		return runUser(ctx, rest[0], rest[1:], getenv, stdin, stdout, stderr)
	case "org":
		if len(rest) == 0 || rest[0] != "add" {
			return errors.New("usage: waymark org add --id ID --name NAME --kind KIND [--first-responder DESIGNATION] [--childrens-services]")
		}
		return runOrgAdd(ctx, rest[1:], getenv, stdout, stderr)
	case "verify":
		return runVerify(ctx, rest, getenv, stdout, stderr) // verify.go
	case "checkpoint":
		return runCheckpointCmd(ctx, rest, getenv, stdout, stderr)
	case "keys":
		if len(rest) == 0 {
			return errors.New("usage: waymark keys generate|check|rotate [flags]")
		}
		return runKeys(ctx, rest[0], rest[1:], getenv, stdout, stderr)
	case "totp":
		return runTOTP(rest, stdout, stderr) // access.go
	case "ho-lists":
		if len(rest) == 0 {
			return errors.New(groups["ho-lists"])
		}
		return runHOLists(rest[0], rest[1:], getenv, stdout, stderr) // holists.go
	case "match":
		return runMatch(rest, stdout, stderr) // match.go
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// groups are the commands that take a subcommand, with their usage.
var groups = map[string]string{
	"audit":    "usage: waymark audit verify [flags]  (waymark audit verify -h lists them)",
	"user":     "usage: waymark user add|reset|reset-mfa|disable [flags]  (waymark user add -h lists them)",
	"org":      "usage: waymark org add --id ID --name NAME --kind KIND [--first-responder DESIGNATION] [--childrens-services]  (waymark org add -h lists every flag)",
	"keys":     "usage: waymark keys generate|check|rotate [flags]  (waymark keys check -h lists them)",
	"ho-lists": "usage: waymark ho-lists show|import [flags]  (waymark ho-lists import -h lists them)",
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "--help" || arg == "-help" || arg == "help"
}

// openWithLog makes the logger the flags ask for, then opens the database:
// what every administration command does first.
func openWithLog(ctx context.Context, c *config, stderr io.Writer) (*store.DB, *casework.Service, error) {
	log, err := c.logger(stderr)
	if err != nil {
		return nil, nil, err
	}
	return open(ctx, c, log)
}

// open connects (migrating only as c.schema allows: migrate.go) and
// returns the database and the use-case service.
func open(ctx context.Context, c *config, log *slog.Logger) (*store.DB, *casework.Service, error) {
	url, err := c.databaseURL()
	if err != nil {
		return nil, nil, err
	}
	for _, w := range c.warnings {
		log.Warn(w)
	}
	db, err := openSchema(ctx, c, url, log) // migrate.go
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", databaseLocation(url), err)
	}
	c.location = databaseLocation(url)
	if c.out != nil {
		fmt.Fprintf(c.out, "waymark: opened the %s\n", c.location)
	}
	// A trigger, view or rule, or a table no migration made, can change
	// what a write does behind Waymark's back: refuse them (store.CheckSchema).
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	if c.partnership {
		if err := requirePartnership(ctx, db, c.location); err != nil {
			db.Close()
			return nil, nil, err
		}
	}
	if err := c.applyKeys(ctx, db, url, log); err != nil {
		db.Close()
		return nil, nil, err
	}
	if err := c.openLedger(db, url, log); err != nil {
		db.Close()
		return nil, nil, err
	}
	db.SetChildrensServicesOrg(c.frontDoor)
	if c.mode == openWrite {
		if needs, err := db.NeedsSealing(ctx); err != nil {
			db.Close()
			return nil, nil, err
		} else if needs {
			db.Close()
			return nil, nil, store.ErrNeedsSealing
		}
		// A lawful erasure the audit log records must still hold: cheap
		// enough for every start (waymark verify checks it in full).
		if err := db.CheckErasures(ctx); err != nil {
			db.Close()
			return nil, nil, err
		}
		// Every erasure the ledger outside the database records holds,
		// whatever the database says now (a restore of an older backup or
		// dump): erasure.go. After the check above, so that an erasure
		// undone behind Waymark's back still stops the start.
		if _, err := applyLedger(ctx, db, log); err != nil {
			db.Close()
			return nil, nil, err
		}
		// Organisations, users and drafts' writers written before they
		// were sealed (or without a key) are sealed as found, once: the keyed audit log
		// records that it was done, so stripped seals are never put back.
		if n, err := db.SealIdentityAsFound(ctx, time.Now()); err != nil {
			db.Close()
			return nil, nil, err
		} else if n > 0 {
			log.Warn("sealed the organisations, users, sign-in links and concern drafts' writers written before sealing began, as found: run `waymark verify` now (docs/operations.md)", "rows", n)
		}
	}
	if err := c.privacy.retention.Validate(); err != nil {
		db.Close()
		return nil, nil, err
	}
	cat, err := catalog.Load()
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	clocks, err := c.clockConfig()
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	svc := casework.New(db, cat, time.Now, log)
	svc.Pathway.Clocks = clocks
	svc.Retention = c.privacy.retention
	return db, svc, nil
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, withDemo bool) error {
	name := "serve"
	if withDemo {
		name = "demo"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	c.flags(fs, getenv, "127.0.0.1:8080")
	if withDemo { // the demo is read by a person at a terminal
		c.logFormat = "text"
		fs.Lookup("log-format").DefValue = "text"
	}
	c.serveSchemaFlags(fs, withDemo) // migrate.go
	c.contactFlags(fs, withDemo)     // contact.go
	c.reminderFlags(fs, withDemo)    // reminders.go
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if err := c.checkListen(); err != nil { // tls.go
		return err
	}
	if err := c.checkIntervals(); err != nil {
		return err
	}
	if err := c.checkStaff(); err != nil {
		return err
	}
	if err := c.checkSessions(); err != nil {
		return err
	}
	if err := c.metrics.check(); err != nil {
		return err
	}
	log, err := c.logger(stderr)
	if err != nil {
		return err
	}
	var certs *certReloader
	if c.tls.cert != "" {
		if certs, err = newCertReloader(c.tls.cert, c.tls.key, time.Now, log); err != nil {
			return err
		}
		c.secure = c.secureCookies()
	}
	c.privacy.mode = keysRequired
	c.erasure.required = !withDemo
	if withDemo {
		c.privacy.mode = keysDemo
	}
	db, svc, err := open(ctx, &c, log)
	if err != nil {
		return err
	}
	defer db.Close()
	// Password hashes are derived by a worker process the kernel runs at a
	// lower priority, so a sign-in does not slow the pages of everyone
	// already working (hashworker.go).
	defer startHashWorker(log)()
	// The loops beside the server that use the database (reminders, alert
	// emails, checkpoints, the erasure ledger, this replica's keys) run in
	// bg, and serve stops them and waits for them before the database
	// closes: one still in a transaction then kept its connection, and the
	// WAL, open after serve had returned (background.go).
	var bg sync.WaitGroup
	defer waitForBackground(&bg, c.shutdown, log)
	ctx, stopBackground := context.WithCancel(ctx)
	defer stopBackground()
	if withDemo {
		if err := demo.Seed(ctx, svc, time.Now); err != nil {
			return fmt.Errorf("seeding demo data: %w", err)
		}
	} else if n, err := countOrganisations(ctx, db); err != nil {
		return err
	} else if n == 0 {
		log.Warn("this database holds no partnership (no organisations): nobody can sign in until one is added with `waymark org add` and `waymark user add`. "+
			"If the partnership's data should be here, this is the wrong database: check --database (WAYMARK_DATABASE_URL) or --data", "database", c.location)
	} else if err := frontDoorProblem(ctx, db, c.frontDoor); err != nil { // check.go
		log.Warn("WARNING: " + err.Error())
	}
	limits, err := c.applyAccess(svc, getenv, log)
	if err != nil {
		return err
	}
	if err := c.applyStaff(ctx, svc); err != nil {
		return err
	}
	c.applySessions(svc)
	demoMail, err := startReminders(ctx, &bg, &c, svc, log, withDemo) // reminders.go
	if err != nil {
		return err
	}
	ready := readyChecks(ctx, svc, log) // ready.go
	runAlertMailer(ctx, &bg, svc)
	startCheckpoints(ctx, &bg, &c, db, log)             // verify.go
	startLedgerSync(ctx, &bg, &c, db, log, svc.Workers) // erasure.go
	expectWorkers(&c, db, svc)
	metricsToken, err := c.metrics.token()
	if err != nil {
		return err
	}
	if c.metrics.hashTiming {
		log.Warn("--server-timing-hash is on: every answer that checks a password says how long its hash took, which helps a stranger tell accounts apart; it is for load runs only, never for a service others can reach")
	}
	srv, err := web.NewServer(web.Config{Service: svc, DB: db, Catalog: svc.Catalog, Log: log, Now: time.Now, SecureCookie: c.secure, Limits: limits, Ready: ready, MetricsToken: metricsToken, Contact: c.contact, DemoMail: demoMail, HashTiming: c.metrics.hashTiming})
	if err != nil {
		return err
	}
	stopMetrics, err := c.metrics.serve(srv, log, stdout)
	if err != nil {
		return err
	}
	defer stopMetrics(context.Background())
	limitMemory(getenv, log, liveHeap) // memory.go: after NewServer, so that the parsed pages are in the heap it measures
	go releaseWhenQuiet(ctx, access.HashActivity, 1, debug.FreeOSMemory)
	go releaseWhenQuiet(ctx, db.Activity, busySpell, db.CloseIdle)
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	if err := c.checkListened(ln.Addr()); err != nil { // tls.go
		ln.Close()
		return err
	}
	scheme := "http://"
	if certs != nil {
		ln = tls.NewListener(ln, serverTLS(certs))
		scheme = "https://"
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	url := scheme + ln.Addr().String()
	if withDemo {
		printDemo(stdout, url)
		if demoMail != nil {
			fmt.Fprintf(stdout, "Emails are not sent anywhere: the demo catches them. Sign in and open %s/demo/mail to read yours.\n", url)
		}
		if c.privacy.keysSource != "" {
			fmt.Fprintf(stdout, "Children's details are encrypted at rest with the master key in %s.\nThat key is for the demo only: real keys are kept apart from the database (docs/operations.md).\n", c.privacy.keysSource)
		}
	} else {
		fmt.Fprintf(stdout, "Waymark is listening on %s (%s database)\n", url, db.Dialect)
	}
	log.Info("listening", "addr", ln.Addr().String(), "database", string(db.Dialect))
	forget := noteReplica(ctx, &bg, db, ln.Addr().String(), log) // keys.go
	defer forget()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: letting requests finish", "timeout", c.shutdown.String())
	sctx, cancel := context.WithTimeout(context.Background(), c.shutdown)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}

func printDemo(w io.Writer, url string) {
	fmt.Fprintf(w, "\nWaymark demo is running at %s\n\n", url)
	fmt.Fprintf(w, "Sign in as any of these demo users. Every password is: %s\n", demo.Password)
	fmt.Fprintf(w, "Sign-in then asks for a two-step verification code. Every demo user's authenticator\n"+
		"secret is %s: add it to an authenticator app, or run \"waymark totp\" for the code.\n\n", demo.TOTPSecret)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  Email\tName\tRole\tOrganisation")
	for _, u := range demo.Users() {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", u.Email, u.Name, pathway.RoleLabel(u.Role), u.OrgName)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nThe data is fictional. Press Ctrl+C to stop; the data folder is kept for next time.")
}

func runAdmin(ctx context.Context, cmd string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	c.flags(fs, getenv, "")
	record := recordFlag(fs, cmd == "audit-verify") // metrics.go
	if err := c.parse(fs, args); err != nil {
		return err
	}
	switch cmd {
	case "audit-verify":
		c.mode = openCheck    // checking commands never write
		c.readOnly = !*record // --record appends one audit.verified entry (metrics.go)
		c.partnership = true
		c.verifies = true
	case "rebuild":
		c.partnership = true
	}
	db, svc, err := openWithLog(ctx, &c, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	switch cmd {
	case "rebuild":
		n, err := svc.RebuildReadModels(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "rebuilt read models of %d cases from their event logs\n", n)
	case "audit-verify":
		start := time.Now()
		n, err := db.VerifyAudit(ctx.Err)
		took := time.Since(start)
		if err != nil {
			var b *audit.BrokenError
			var te *store.TamperError
			if errors.As(err, &b) {
				fmt.Fprintf(stdout, "FAILED: %v (%d entries verified before it)\n", b, n)
			} else if errors.As(err, &te) {
				fmt.Fprintf(stdout, "FAILED: %v\n", te)
			}
			return err
		}
		fmt.Fprintf(stdout, "audit log verified: %d entries, chain intact (%s)\n", n, verifyRate(n, took))
		recordVerified(ctx, db, *record, n, stderr) // metrics.go
	}
	return nil
}

func runUser(ctx context.Context, sub string, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	c.flags(fs, getenv, "")
	email := fs.String("email", "", "the user's email address")
	name := fs.String("name", "", "the user's full name (add)")
	role := fs.String("role", "", "role (add): "+strings.Join(pathway.Roles, ", "))
	org := fs.String("org", "", "organisation id (add)")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("--email is required")
	}
	c.partnership = true
	db, svc, err := openWithLog(ctx, &c, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	readPassword := func() (string, error) {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", err
		}
		pw := strings.TrimRight(line, "\r\n")
		if len([]rune(pw)) < access.MinPasswordLength {
			return "", fmt.Errorf("the password must be at least %d characters", access.MinPasswordLength)
		}
		return access.HashPassword(pw, svc.Argon)
	}
	switch sub {
	case "add":
		if !pathway.ValidRole(*role) || *name == "" || *org == "" {
			return fmt.Errorf("user add needs --name, --org and --role (one of %s)", strings.Join(pathway.Roles, ", "))
		}
		hash, err := readPassword()
		if err != nil {
			return err
		}
		id := access.NewID()
		err = svc.AddUser(ctx, store.User{ID: id, OrgID: *org, Email: *email, Name: *name, Role: *role, PasswordHash: hash, CreatedAt: time.Now()})
		if err != nil {
			return accountError(err)
		}
		fmt.Fprintf(stdout, "added user %s (%s)\n", *email, id)
	case "reset-mfa":
		if err := svc.ResetMFA(ctx, *email); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "reset-mfa: done for %s: they set up two-step verification again at their next sign-in\n", *email)
	case "reset":
		hash, err := readPassword()
		if err != nil {
			return err
		}
		if err := svc.ResetPassword(ctx, *email, hash); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "reset: done for %s: their sessions and API tokens have ended\n", *email)
	case "disable":
		if err := svc.DisableUser(ctx, *email); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "disable: done for %s: their sessions and API tokens have ended\n", *email)
	case "enable":
		if err := svc.EnableUser(ctx, *email); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "enable: done for %s: they can sign in again\n", *email)
	default:
		return fmt.Errorf("unknown user command %q: use add, reset, reset-mfa, disable or enable", sub)
	}
	return nil
}

func runOrgAdd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("org add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	c.flags(fs, getenv, "")
	id := fs.String("id", "", "organisation id (letters, digits, hyphens)")
	name := fs.String("name", "", "organisation name")
	kind := fs.String("kind", "", strings.Join(pathway.OrganisationKinds, ", "))
	fr := fs.String("first-responder", "", "the First Responder designation it holds, an id of the catalogue's first-responders.json (§8.2); none if not given")
	cs := fs.Bool("childrens-services", false, "receives concerns as Children's Services")
	partnership := fs.String("partnership", "", "the id of the partnership it belongs to (added if new); the default partnership if not given")
	partnershipName := fs.String("partnership-name", "", "the name of the partnership, when --partnership adds it")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if *id == "" || *name == "" || *kind == "" {
		return errors.New("org add needs --id, --name and --kind")
	}
	db, svc, err := openWithLog(ctx, &c, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	err = svc.AddOrganisation(ctx, store.Organisation{ID: *id, Name: *name, Kind: *kind, FirstResponderDesignation: *fr, ChildrensServices: *cs, CreatedAt: time.Now()})
	if err != nil {
		return accountError(err)
	}
	if *partnership != "" { // partnerships as records (casework/partnerships_admin.go)
		if err := svc.PlaceOrganisation(ctx, *id, *partnership, *partnershipName); err != nil {
			return accountError(err)
		}
	}
	fmt.Fprintf(stdout, "added organisation %s\n", *id)
	return nil
}

// verifyRate says how long verifying n entries took, and how many that is
// a second: the time from asking for the verification to its answer, the
// schema check and the snapshot included, on the machine as it was.
func verifyRate(n int64, took time.Duration) string {
	if took <= 0 || n == 0 {
		return fmt.Sprintf("in %.2f s", took.Seconds())
	}
	return fmt.Sprintf("in %.2f s, %.0f entries a second", took.Seconds(), float64(n)/took.Seconds())
}
