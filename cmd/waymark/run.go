package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
  migrate        apply database migrations and exit
  rebuild        rebuild read models (case lists, clocks, members) from the case logs
  user add       add a user:  user add --email E --name N --role R --org ORG-ID (password read from stdin)
  user reset     set a user's password (read from stdin), clear its failed sign-ins, end its sessions and API tokens
  user disable   disable a user and end their sessions and API tokens
  user enable    let a disabled user sign in again
  user reset-mfa remove a user's authenticator (a lost phone): they set one up at their next sign-in
  totp           print the current two-step verification code of the demo users (or --secret S)
  org add        add an organisation: org add --id ID --name N --kind K [--first-responder] [--childrens-services]
  audit verify   check the audit log's chain end to end
  verify         prove the sealed history: every seal, every case replayed against its read models
                 (--checkpoint FILE: and that everything a signed checkpoint covered is still there)
  seal-history   seal a history written before sealing began, as found: once, after upgrading (service stopped)
  checkpoint     sign the chain heads into the audit log and the checkpoint file (--public-key: print the key that checks them)
  backup FILE    write a consistent copy of the SQLite database to FILE, and verify it
  restore FILE   verify a backup and put it in place of the SQLite database (service stopped)
  keys generate  print a new master key for encryption at rest
  keys check     report which master keys the data keys are wrapped under
  keys rotate    re-wrap every data key under the newest master key
  check          check configuration and database, and exit

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
	staff      staffConfig      // sign-in limits per address, single sign-on re-checks (staff.go)
	mode       openMode         // what opening the database may do (open)
}

// openMode says what a command may do to the database as it opens it.
type openMode int

const (
	openWrite   openMode = iota // a command that writes: refuses a history that needs sealing
	openCheck                   // a checking command: writes nothing (beyond migrations), seals nothing
	openUpgrade                 // migrate, seal-history, a restore's copy: may open a history that still needs sealing
)

func (c *config) flags(fs *flag.FlagSet, getenv func(string) string, defaultAddr string) {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	envBool := func(k string) bool { b, _ := strconv.ParseBool(getenv(k)); return b }
	fs.StringVar(&c.addr, "addr", env("WAYMARK_ADDR", defaultAddr), "address to listen on (WAYMARK_ADDR)")
	fs.StringVar(&c.dataDir, "data", env("WAYMARK_DATA_DIR", "waymark-data"), "folder for the SQLite database, created if missing (WAYMARK_DATA_DIR)")
	fs.StringVar(&c.database, "database", env("WAYMARK_DATABASE_URL", ""), "SQLite file or postgres:// URL; default DATA/waymark.db (WAYMARK_DATABASE_URL)")
	fs.BoolVar(&c.secure, "secure-cookies", envBool("WAYMARK_SECURE_COOKIES"), "mark cookies Secure and send HSTS: set when served over HTTPS (WAYMARK_SECURE_COOKIES)")
	fs.StringVar(&c.logLevel, "log-level", env("WAYMARK_LOG_LEVEL", "info"), "debug, info, warn or error (WAYMARK_LOG_LEVEL)")
	fs.StringVar(&c.logFormat, "log-format", env("WAYMARK_LOG_FORMAT", "json"), "json or text (WAYMARK_LOG_FORMAT)")
	fs.DurationVar(&c.shutdown, "shutdown-timeout", 15*time.Second, "how long to let requests finish on shutdown")
	rg, _ := strconv.Atoi(env("WAYMARK_RG_TARGET_WORKING_DAYS", "5"))
	fs.IntVar(&c.rgTarget, "rg-target-working-days", rg, "Reasonable Grounds decision target after an NRM submission, in working days (WAYMARK_RG_TARGET_WORKING_DAYS)")
	fs.StringVar(&c.cgMinimum, "cg-minimum-days", env("WAYMARK_CG_MINIMUM_DAYS", "45,2023-01-30:30"),
		"days between a positive Reasonable Grounds decision and the earliest Conclusive Grounds decision, with its history: DAYS[,FROM:DAYS...] (WAYMARK_CG_MINIMUM_DAYS)")
	fs.StringVar(&c.frontDoor, "childrens-services-org", env("WAYMARK_CHILDRENS_SERVICES_ORG", ""),
		"id of the organisation that receives every new concern; needed only when more than one is marked as Children's Services (WAYMARK_CHILDRENS_SERVICES_ORG)")
	c.keyFlags(fs, getenv)
	c.accessFlags(fs, getenv)
	c.checkpointFlags(fs, getenv)
	c.staffFlags(fs)
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

// databaseURL is the database to open. For SQLite it makes the data folder
// (0700) when missing and refuses a folder that other users can read: it
// holds the database, its write-ahead log and, often, backups.
func (c *config) databaseURL() (string, error) {
	if c.database != "" {
		if strings.HasPrefix(c.database, "postgres://") || strings.HasPrefix(c.database, "postgresql://") {
			return c.database, nil
		}
		return c.database, ownerOnlyFolder(filepath.Dir(strings.TrimPrefix(c.database, "sqlite:")))
	}
	if _, err := os.Stat(c.dataDir); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(c.dataDir, 0o700); err != nil {
			return "", fmt.Errorf("creating data folder: %w", err)
		}
		if err := os.Chmod(c.dataDir, 0o700); err != nil { // whatever the umask
			return "", fmt.Errorf("creating data folder: %w", err)
		}
	}
	return filepath.Join(c.dataDir, "waymark.db"), ownerOnlyFolder(c.dataDir)
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
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "demo":
		return runServe(ctx, rest, getenv, stdout, stderr, true)
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr, false)
	case "seal-history":
		return runSealHistory(ctx, rest, getenv, stdout, stderr) // verify.go
	case "migrate", "rebuild", "check":
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
			return errors.New("usage: waymark org add --id ID --name NAME --kind KIND [--first-responder] [--childrens-services]")
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
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
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

// open connects, migrates and returns the database and the use-case service.
func open(ctx context.Context, c *config, log *slog.Logger) (*store.DB, *casework.Service, error) {
	url, err := c.databaseURL()
	if err != nil {
		return nil, nil, err
	}
	db, err := store.Open(ctx, url)
	if err != nil {
		return nil, nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	// A trigger, view or rule, or a table no migration made, can change
	// what a write does behind Waymark's back: refuse them (store.CheckSchema).
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	if err := c.applyKeys(ctx, db, url, log); err != nil {
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
		// Organisations and users written before identity sealing (or
		// without a key) are sealed as found, once: the keyed audit log
		// records that it was done, so stripped seals are never put back.
		if n, err := db.SealIdentityAsFound(ctx, time.Now()); err != nil {
			db.Close()
			return nil, nil, err
		} else if n > 0 {
			log.Warn("sealed the organisations, users and sign-in links written before sealing began, as found: run `waymark verify` now (docs/operations.md)", "rows", n)
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
	if err := fs.Parse(args); err != nil {
		return err
	}
	if withDemo && c.logFormat == "json" && getenv("WAYMARK_LOG_FORMAT") == "" {
		c.logFormat = "text"
	}
	log, err := c.logger(stderr)
	if err != nil {
		return err
	}
	c.privacy.mode = keysRequired
	if withDemo {
		c.privacy.mode = keysDemo
	}
	db, svc, err := open(ctx, &c, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if withDemo {
		if err := demo.Seed(ctx, svc, time.Now); err != nil {
			return fmt.Errorf("seeding demo data: %w", err)
		}
	}
	limits, err := c.applyAccess(svc, getenv, log)
	if err != nil {
		return err
	}
	if err := c.applyStaff(ctx, svc); err != nil {
		return err
	}
	runAlertMailer(ctx, svc)
	startCheckpoints(ctx, &c, db, log) // verify.go
	srv, err := web.NewServer(web.Config{Service: svc, DB: db, Catalog: svc.Catalog, Log: log, Now: time.Now, SecureCookie: c.secure, Limits: limits})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	url := "http://" + ln.Addr().String()
	if withDemo {
		printDemo(stdout, url)
		if c.privacy.keysSource != "" {
			fmt.Fprintf(stdout, "Children's details are encrypted at rest with the master key in %s.\nThat key is for the demo only: real keys are kept apart from the database (docs/operations.md).\n", c.privacy.keysSource)
		}
	} else {
		fmt.Fprintf(stdout, "Waymark is listening on %s (%s database)\n", url, db.Dialect)
	}
	log.Info("listening", "addr", ln.Addr().String(), "database", string(db.Dialect))
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
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch cmd {
	case "audit-verify", "check":
		c.mode = openCheck // checking commands never write
	case "migrate":
		c.mode = openUpgrade // the first step of an upgrade, before seal-history
	}
	db, svc, err := openWithLog(ctx, &c, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	switch cmd {
	case "migrate":
		v, err := db.SchemaVersion(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "database is at schema %s (%s)\n", v, db.Dialect)
		if needs, err := db.NeedsSealing(ctx); err != nil {
			return err
		} else if needs {
			fmt.Fprintln(stdout, "its case history carries no seals yet: run `waymark seal-history` once, with the service stopped, before starting it (docs/operations.md)")
		}
	case "rebuild":
		n, err := svc.RebuildReadModels(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "rebuilt read models of %d cases from their event logs\n", n)
	case "audit-verify":
		n, err := db.VerifyAudit(ctx.Err)
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
		fmt.Fprintf(stdout, "audit log verified: %d entries, chain intact\n", n)
	case "check":
		v, err := db.SchemaVersion(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "database: %s, schema %s\ncatalogue: version %s, %d indicators\n", db.Dialect, v, svc.Catalog.Version, len(svc.Catalog.Indicators))
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
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("--email is required")
	}
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
		valid := false
		for _, r := range pathway.Roles {
			valid = valid || r == *role
		}
		if !valid || *name == "" || *org == "" {
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
	fr := fs.Bool("first-responder", false, "designated First Responder (§8.2)")
	cs := fs.Bool("childrens-services", false, "receives concerns as Children's Services")
	if err := fs.Parse(args); err != nil {
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
	err = svc.AddOrganisation(ctx, store.Organisation{ID: *id, Name: *name, Kind: *kind, FirstResponder: *fr, ChildrensServices: *cs, CreatedAt: time.Now()})
	if err != nil {
		return accountError(err)
	}
	fmt.Fprintf(stdout, "added organisation %s\n", *id)
	return nil
}
