package main

// `waymark-load seed` fills an empty database with fictional, partnership-
// shaped case data for load tests, written through the same calls the
// service makes: the pathway decides every step (pathway.Decide, with its
// rules and clocks), the store appends the events with the version check
// (encrypted under each case's data key, sealed onto the case's chain),
// saves the read models and appends the audit entry of each step to the
// hash chain. What is batched is only the commit: many cases go into one
// transaction, and a case's read models are saved once, after its last
// step in the transaction, exactly as the service leaves them after its
// last command.

import (
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/audit"
	"waymark/internal/casework"
	"waymark/internal/catalog"
	"waymark/internal/crypt"
	"waymark/internal/demo"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// Bounds of the seed's flags.
const (
	maxSeedCases        = 20_000_000
	maxSeedPartnerships = 1000
	maxSeedBatch        = 100_000
	maxSeedWorkers      = 256
)

// seedPassword is every seeded user's password unless --password says otherwise.
const seedPassword = "waymark-load-2026"

// seedDomain is the email domain of every seeded user.
const seedDomain = "load.waymark.example"

const seedUsage = `usage: waymark-load seed --database DB --master-key-file FILE [flags]

Fills an EMPTY database with fictional cases for load tests: --partnerships
groups of organisations and users, and --cases cases spread over them and
over --years years, each taken along the pathway (concern raised, contact
recorded, outcome, strategy discussion, meeting, NRM referral and Home Office
reference, Reasonable and Conclusive Grounds decisions, support, care plan,
closed: about 20 events a case). Cases raised in the last --open-days stop at
a step drawn at random among those already due, so every stage, the inboxes
and My work have cases; older cases are closed.

The shape: one database serves --partnerships partnerships, as a region's
or a country's deployment does. Each is a partnership of its own (the first
is the default partnership, the others p002, p003, ...) with a Children's
Services organisation (its front door), police, school, health, voluntary
and support organisations and 13 users, and each one's cases are routed to
its own Children's Services organisation by the pathway's RaiseConcern, so
each team's inbox, My work and search hold only its own cases, and each
lead's network, panel, settings and retention review only its own
partnership's. A concern raised through the running service goes to the
Children's Services of the referrer's partnership (for the first
partnership, the one serve --childrens-services-org names: org-p001-cs).

Every step is decided by the pathway and written with the store calls the
service's use cases make (AppendEvents with the version check, real envelope
encryption under --master-key-file, sealed events and members,
SaveProjection, AppendAudit), many cases to a transaction (--batch), each
step audited on its own as its use case would (--audit step) or, faster, each
case's steps in one append and one audit entry (--audit case); ` + "`waymark verify`" + `
and ` + "`waymark audit verify`" + ` pass on the result.

With --workers N (default: the number of CPUs), N goroutines decide and
prepare cases (the pathway's decisions, a new data key for each case, its
events encrypted and sealed, its read models and search tokens) while one
goroutine writes them in order: it takes each contact reference from the
counter, checks each append against the case's version and chain head,
audits it and inserts the read models. It writes the same cases as
--workers 0, where one goroutine does everything inside the transaction.
A million cases on two cores:

  waymark-load seed --database w.db --master-key-file keys --cases 1000000 \
    --batch 2000 --audit case --sqlite-cache-mb 4096

The audit chain holds each case's entries together (the case's steps are
written one after another, with the times they happened), not interleaved
with other cases by time.

Users sign in with --password and the authenticator secret --totp-secret
(both printed at the end); their emails are ROLE.pNNN@` + seedDomain + `
(cs1…cs4, sw1, sw2, manager, lead, teacher, gp, youth, support, fr).

It refuses a database that already holds organisations, unless --resume is
given with the same --cases, --partnerships, --seed, --years and --now as
the run it continues (the command to resume is printed at the start).

`

type seedConfig struct {
	database     string
	keyFile      string
	cases        int
	partnerships int
	seed         uint64
	batch        int
	years        float64
	now          time.Time
	password     string
	totpSecret   string
	resume       bool
	progress     time.Duration
	openDays     int
	cpuProfile   string
	perCase      bool // --audit case
	cacheMB      int
	workers      int // 0: one goroutine decides and writes each case in the transaction
}

func parseSeedFlags(args []string, stderr io.Writer, getenv func(string) string) (seedConfig, error) {
	fs := flag.NewFlagSet("waymark-load seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, seedUsage)
		fs.PrintDefaults()
	}
	var c seedConfig
	fs.StringVar(&c.database, "database", getenv("WAYMARK_DATABASE_URL"), "SQLite file (or sqlite:FILE) or postgres://USER@HOST:PORT/DBNAME URL, its password in WAYMARK_DATABASE_PASSWORD (WAYMARK_DATABASE_URL)")
	fs.StringVar(&c.keyFile, "master-key-file", getenv("WAYMARK_MASTER_KEY_FILE"), "file of master keys, as for waymark serve (WAYMARK_MASTER_KEY_FILE; or the keys themselves in WAYMARK_MASTER_KEY)")
	fs.IntVar(&c.cases, "cases", 10_000, "cases to write (at most "+fmt.Sprint(maxSeedCases)+")")
	fs.IntVar(&c.partnerships, "partnerships", 150, "partnership-shaped groups of organisations and users (at most "+fmt.Sprint(maxSeedPartnerships)+")")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the random choices: the same flags write the same cases")
	fs.IntVar(&c.batch, "batch", 500, "cases per transaction (at most "+fmt.Sprint(maxSeedBatch)+")")
	fs.Float64Var(&c.years, "years", 10, "the cases are raised evenly over this many years up to --now")
	now := fs.String("now", "", "the moment the data ends, RFC 3339 (default: the time the seed starts, whole minutes)")
	fs.StringVar(&c.password, "password", seedPassword, "password of every seeded user")
	fs.StringVar(&c.totpSecret, "totp-secret", demo.TOTPSecret, "authenticator secret of every seeded user (base32)")
	fs.BoolVar(&c.resume, "resume", false, "continue a seed that stopped: the database must hold its partnerships and the cases it wrote")
	fs.DurationVar(&c.progress, "progress", 5*time.Second, "how often to print progress")
	fs.IntVar(&c.openDays, "open-days", 90, "cases raised in the last this many days stop at a stage drawn at random among those already reached, so every stage, the inbox and My work have cases")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the seed to this file")
	auditMode := fs.String("audit", "step", "step: each step is appended and audited on its own, as the use case that does it (the real sequence of calls); "+
		"case: a case's steps in a transaction are appended in one call and audited in one entry that lists them (faster; fewer audit entries than the service would write)")
	fs.IntVar(&c.workers, "workers", runtime.GOMAXPROCS(0), "goroutines that decide, encrypt and seal cases while one goroutine writes them; 0: one goroutine does all of it, each case through the service's own calls in the transaction")
	fs.IntVar(&c.cacheMB, "sqlite-cache-mb", 256, "SQLite only: page cache of the seed's one connection, in MB")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("seed: unexpected arguments %q", fs.Args())
	}
	if c.database == "" {
		return c, errors.New("seed: give --database (or WAYMARK_DATABASE_URL): a SQLite file or a postgres:// URL")
	}
	if c.cases < 1 || c.cases > maxSeedCases {
		return c, fmt.Errorf("seed: --cases must be between 1 and %d, not %d", maxSeedCases, c.cases)
	}
	if c.partnerships < 1 || c.partnerships > maxSeedPartnerships {
		return c, fmt.Errorf("seed: --partnerships must be between 1 and %d, not %d", maxSeedPartnerships, c.partnerships)
	}
	if c.batch < 1 || c.batch > maxSeedBatch {
		return c, fmt.Errorf("seed: --batch must be between 1 and %d, not %d", maxSeedBatch, c.batch)
	}
	if c.years < 0.25 || c.years > 50 {
		return c, fmt.Errorf("seed: --years must be between 0.25 and 50, not %g", c.years)
	}
	switch *auditMode {
	case "step":
	case "case":
		c.perCase = true
	default:
		return c, fmt.Errorf("seed: --audit must be step or case, not %q", *auditMode)
	}
	if c.workers < 0 || c.workers > maxSeedWorkers {
		return c, fmt.Errorf("seed: --workers must be between 0 and %d, not %d", maxSeedWorkers, c.workers)
	}
	if c.cacheMB < 2 || c.cacheMB > 16<<10 {
		return c, fmt.Errorf("seed: --sqlite-cache-mb must be between 2 and 16384, not %d", c.cacheMB)
	}
	if c.openDays < 0 || c.openDays > 3650 {
		return c, fmt.Errorf("seed: --open-days must be between 0 and 3650, not %d", c.openDays)
	}
	if c.progress <= 0 {
		return c, errors.New("seed: --progress must be above 0")
	}
	if len(c.password) < 12 {
		return c, errors.New("seed: --password must be at least 12 characters")
	}
	if _, err := access.TOTP(c.totpSecret, time.Now()); err != nil {
		return c, fmt.Errorf("seed: --totp-secret: %w", err)
	}
	c.now = time.Now().UTC().Truncate(time.Minute)
	if *now != "" {
		t, err := time.Parse(time.RFC3339, *now)
		if err != nil {
			return c, fmt.Errorf("seed: --now must be an RFC 3339 time such as 2026-12-01T09:00:00Z: %w", err)
		}
		c.now = t.UTC()
	}
	return c, nil
}

// seedDatabaseURL merges WAYMARK_DATABASE_PASSWORD into a postgres URL
// that has none, and refuses a URL that carries a password on the
// command line, as waymark does.
func seedDatabaseURL(raw string, getenv func(string) string) (string, error) {
	if !strings.HasPrefix(raw, "postgres://") && !strings.HasPrefix(raw, "postgresql://") {
		return raw, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("seed: --database: %w", err)
	}
	if _, has := u.User.Password(); has && raw != getenv("WAYMARK_DATABASE_URL") {
		return "", errors.New("seed: --database carries a password: put it in WAYMARK_DATABASE_PASSWORD, or keep the whole URL in WAYMARK_DATABASE_URL")
	}
	if pw := getenv("WAYMARK_DATABASE_PASSWORD"); pw != "" && u.User != nil {
		if _, has := u.User.Password(); !has {
			u.User = url.UserPassword(u.User.Username(), pw)
		}
	}
	return u.String(), nil
}

// seedKeyRing reads the master keys as waymark serve does: a file readable
// by its owner only, or WAYMARK_MASTER_KEY. The seed writes encrypted data
// only: without keys it refuses.
func seedKeyRing(file string, getenv func(string) string) (*crypt.KeyRing, error) {
	if file != "" {
		info, err := os.Stat(file)
		if err != nil {
			return nil, fmt.Errorf("seed: reading the master key file: %w", err)
		}
		if info.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("seed: the master key file %s can be read by other users (mode %04o): run `chmod 600 %s`", file, info.Mode().Perm(), file)
		}
		text, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("seed: reading the master key file: %w", err)
		}
		return crypt.ParseKeys(string(text))
	}
	if k := getenv("WAYMARK_MASTER_KEY"); k != "" {
		return crypt.ParseKeys(k)
	}
	return nil, errors.New("seed: give --master-key-file (or WAYMARK_MASTER_KEY_FILE or WAYMARK_MASTER_KEY): the seed writes case data encrypted, as waymark serve does; make a key with `waymark keys generate`")
}

// runSeed is `waymark-load seed`.
func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseSeedFlags(args, stderr, os.Getenv)
	if err != nil {
		return err
	}
	dbURL, err := seedDatabaseURL(cfg.database, os.Getenv)
	if err != nil {
		return err
	}
	ring, err := seedKeyRing(cfg.keyFile, os.Getenv)
	if err != nil {
		return err
	}
	// On SQLite, one connection for everything (tuneSeedConnection): the
	// tuning is set through SQL(), and with a write connection of its own
	// the seed's writes (Update) would run on a connection it never reached.
	var opts store.OpenOptions
	if !strings.HasPrefix(dbURL, "postgres://") && !strings.HasPrefix(dbURL, "postgresql://") {
		opts.MaxConns = 1
	}
	db, err := store.Open(ctx, dbURL, opts)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	db.SetKeyRing(ring)
	if err := db.CheckKeysMatch(ctx); err != nil {
		return err
	}
	if err := tuneSeedConnection(ctx, db, cfg.cacheMB); err != nil {
		return err
	}
	if os.Getenv("GOGC") == "" {
		// The seed's heap is small and short-lived (cases prepared ahead of
		// the writer): collecting it less often leaves more of the CPU to
		// the work.
		debug.SetGCPercent(400)
	}
	if cfg.cpuProfile != "" {
		f, err := os.Create(cfg.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	return seedInto(ctx, db, cfg, stdout)
}

// tuneSeedConnection gives the seed, on SQLite, one connection tuned for
// a bulk load: one writer, a page cache of cacheMB for the indexes being
// filled, statement journals in memory. The tuning is the connection's
// own (PRAGMAs are not kept in the file), so that connection is kept for
// the whole seed, however long a step leaves it unused: the pool would
// otherwise close it after a quiet minute (store.Open) and the next step
// would run, without a word, on a new one with SQLite's default 2 MB cache.
func tuneSeedConnection(ctx context.Context, db *store.DB, cacheMB int) error {
	if db.Dialect != store.SQLite {
		return nil
	}
	// One writer: one connection, with a page cache big enough for the
	// indexes being filled (a tuning of the connection, not of what is written).
	db.SQL().SetMaxOpenConns(1)
	db.SQL().SetConnMaxIdleTime(0)
	if _, err := db.SQL().ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, cacheMB<<10)); err != nil {
		return err
	}
	// A statement that may fail half-way (a multi-row insert, an upsert)
	// keeps the pages it changes in a statement journal until it ends;
	// kept in memory rather than a temporary file, that costs a copy
	// instead of a write to the disk. The transaction's own journal (the
	// WAL) is as before.
	if _, err := db.SQL().ExecContext(ctx, `PRAGMA temp_store = MEMORY`); err != nil {
		return err
	}
	return nil
}

// seedInto seeds an open, migrated database that has its master keys.
func seedInto(ctx context.Context, db *store.DB, cfg seedConfig, out io.Writer) error {
	s, err := newSeeder(db, cfg)
	if err != nil {
		return err
	}
	s.out = out
	return s.run(ctx)
}

// seedRoles are the users of each partnership: slot, role, organisation kind, name.
var seedRoles = []struct {
	slot, role, org, name string
}{
	{"cs1", pathway.RoleChildrensServices, "cs", "Front Door Worker One"},
	{"cs2", pathway.RoleChildrensServices, "cs", "Front Door Worker Two"},
	{"cs3", pathway.RoleChildrensServices, "cs", "Front Door Worker Three"},
	{"cs4", pathway.RoleChildrensServices, "cs", "Front Door Worker Four"},
	{"sw1", pathway.RoleSocialWorker, "cs", "Social Worker One"},
	{"sw2", pathway.RoleSocialWorker, "cs", "Social Worker Two"},
	{"manager", pathway.RoleManager, "cs", "Team Manager"},
	{"lead", pathway.RolePartnershipLead, "cs", "Partnership Lead"},
	{"teacher", pathway.RolePractitioner, "school", "Designated Safeguarding Lead"},
	{"gp", pathway.RolePractitioner, "health", "Practice Safeguarding Lead"},
	{"youth", pathway.RolePractitioner, "youth", "Youth Worker"},
	{"support", pathway.RolePractitioner, "support", "Support Worker"},
	{"fr", pathway.RoleFirstResponder, "police", "First Responder Officer"},
}

// seedOrgKinds are each partnership's organisations.
var seedOrgKinds = []struct {
	key, kind, name string
	cs              bool
	fr              string // First Responder designation (catalogue id), "" for none
}{
	{"cs", "local-authority", "County Council Children's Services", true, "local-authority"},
	{"police", "police", "Police", false, "police"},
	{"school", "school", "Academy", false, ""},
	{"health", "health", "Medical Practice", false, ""},
	{"youth", "voluntary", "Youth Project", false, ""},
	{"support", "support", "Support Service", false, ""},
}

func seedOrgID(p int, key string) string { return fmt.Sprintf("org-p%03d-%s", p+1, key) }

// seedPartnershipID is the partnership of group p: the default partnership
// for the first, "p002" and so on for the others.
func seedPartnershipID(p int) string {
	if p == 0 {
		return pathway.DefaultPartnership
	}
	return fmt.Sprintf("p%03d", p+1)
}
func seedUserID(p int, slot string) string {
	return fmt.Sprintf("user-p%03d-%s", p+1, slot)
}

// SeedEmail is the email of a seeded user: slot is one of seedRoles' slots,
// p the partnership from 0.
func seedEmail(p int, slot string) string { return fmt.Sprintf("%s.p%03d@%s", slot, p+1, seedDomain) }

// seedPartnership is one group, as the pathway sees its people.
type seedPartnership struct {
	orgs  map[string]store.Organisation
	users map[string]casework.Viewer // by slot
}

type seeder struct {
	db    *store.DB
	cfg   seedConfig
	path  *pathway.Pathway
	cat   *catalog.Catalog
	parts []seedPartnership
	out   io.Writer
	clock func() time.Time // wall clock, for progress only

	afterBatch func(done int)      // tests: called after each committed transaction
	prep       *store.CasePreparer // with --workers

	events, audits int64
	deferred       []deferredIndex // indexes to build at the end (deferIndexes)
}

func newSeeder(db *store.DB, cfg seedConfig) (*seeder, error) {
	cat, err := catalog.Load()
	if err != nil {
		return nil, err
	}
	s := &seeder{db: db, cfg: cfg, path: pathway.New(cat), cat: cat, out: io.Discard, clock: time.Now}
	for p := range cfg.partnerships {
		sp := seedPartnership{orgs: map[string]store.Organisation{}, users: map[string]casework.Viewer{}}
		for _, k := range seedOrgKinds {
			sp.orgs[k.key] = store.Organisation{ID: seedOrgID(p, k.key), Name: fmt.Sprintf("Partnership %03d %s", p+1, k.name), Kind: k.kind,
				ChildrensServices: k.cs, FirstResponderDesignation: k.fr, CreatedAt: s.origin().AddDate(0, -1, 0)}
		}
		for _, r := range seedRoles {
			o := sp.orgs[r.org]
			u := store.User{ID: seedUserID(p, r.slot), OrgID: o.ID, Email: seedEmail(p, r.slot), Name: fmt.Sprintf("%s %03d", r.name, p+1),
				Role: r.role, CreatedAt: s.origin().AddDate(0, -1, 0), Org: o}
			sp.users[r.slot] = casework.Viewer{User: u}
		}
		s.parts = append(s.parts, sp)
	}
	return s, nil
}

// origin is when the first case is raised.
func (s *seeder) origin() time.Time {
	return s.cfg.now.Add(-time.Duration(s.cfg.years * 365.25 * 24 * float64(time.Hour)))
}

// raisedAt is when case i is raised: evenly spread from origin to now, with
// a little jitter that keeps the order.
func (s *seeder) raisedAt(i int, r *rand.Rand) time.Time {
	span := s.cfg.now.Sub(s.origin())
	step := span / time.Duration(s.cfg.cases)
	at := s.origin().Add(step * time.Duration(i))
	if step > time.Second {
		at = at.Add(time.Duration(r.Int64N(int64(step / 2))))
	}
	return at.Truncate(time.Second)
}

func (s *seeder) run(ctx context.Context) error {
	start := 0
	var firstNumber int64
	if err := s.db.Update(ctx, func(tx *store.Tx) error {
		if err := s.checkDatabase(tx); err != nil {
			return err
		}
		if s.cfg.workers == 0 {
			return nil
		}
		var err error
		if s.prep, err = tx.CasePreparer(); err != nil {
			return err
		}
		firstNumber, err = tx.PeekNumber(seedCounter)
		return err
	}); err != nil {
		return err
	}
	if s.cfg.resume {
		var n int
		if err := s.db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&n); err != nil {
			return err
		}
		start = n
	}
	write := s.writeCase
	if s.cfg.workers > 0 {
		pipe := s.startPipeline(ctx, start, firstNumber)
		defer pipe.stop()
		write = func(tx *store.Tx, i int) (int64, int64, error) {
			sc, err := pipe.next(ctx, i)
			if err != nil {
				return 0, 0, err
			}
			return s.writePrepared(tx, sc)
		}
	}
	if err := s.deferIndexes(ctx); err != nil {
		return err
	}
	workers := "one goroutine deciding and writing each case in the transaction"
	if s.cfg.workers > 0 {
		workers = fmt.Sprintf("%d goroutines preparing cases, one writing", s.cfg.workers)
	}
	fmt.Fprintf(s.out, "seeding %d cases (from case %d) over %d partnerships and %.4g years to %s, %d a transaction, %s\n",
		s.cfg.cases, start, s.cfg.partnerships, s.cfg.years, s.cfg.now.Format(time.RFC3339), s.cfg.batch, workers)
	fmt.Fprintf(s.out, "to continue if it stops: waymark-load seed --resume --cases %d --partnerships %d --seed %d --years %g --now %s (and the same database and keys)\n",
		s.cfg.cases, s.cfg.partnerships, s.cfg.seed, s.cfg.years, s.cfg.now.Format(time.RFC3339))
	t0 := s.clock()
	last := t0
	for done := start; done < s.cfg.cases; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(s.cfg.batch, s.cfg.cases-done)
		var events, audits int64
		err := s.db.Update(ctx, func(tx *store.Tx) error {
			events, audits = 0, 0
			tx.DeferSearchIndex() // written in key order once every case is (below)
			for i := done; i < done+n; i++ {
				e, a, err := write(tx, i)
				if err != nil {
					return fmt.Errorf("seed: case %d: %w", i, err)
				}
				events += e
				audits += a
			}
			return nil
		})
		if err != nil {
			return err
		}
		done += n
		s.events += events
		s.audits += audits
		if s.afterBatch != nil {
			s.afterBatch(done)
		}
		if now := s.clock(); now.Sub(last) >= s.cfg.progress || done == s.cfg.cases {
			last = now
			s.report(done-start, s.cfg.cases-done, now.Sub(t0))
		}
	}
	// The indexes before the search index: verify refuses a database
	// whose search index is not written, so one stopped at any step before
	// the last does not pass for a finished seed (and is not measured
	// without its indexes).
	if err := s.restoreIndexes(ctx); err != nil {
		return err
	}
	if err := s.writeSearchIndex(ctx); err != nil {
		return err
	}
	took := s.clock().Sub(t0)
	fmt.Fprintf(s.out, "done: %d cases, %d events, %d audit entries in %s\n", s.cfg.cases-start, s.events, s.audits, took.Round(time.Second))
	fmt.Fprintf(s.out, "users sign in with password %q and authenticator secret %s; emails ROLE.pNNN@%s, e.g. %s\n",
		s.cfg.password, s.cfg.totpSecret, seedDomain, seedEmail(0, "cs1"))
	fmt.Fprintf(s.out, "serve it with --childrens-services-org %s: the first partnership's front door (a concern raised in any other goes to its own Children's Services)\n", seedOrgID(0, "cs"))
	return nil
}

// writeSearchIndex writes the search index by viewer and word of every
// case in one transaction, in key order (store.DeferSearchIndex): the
// cases' batches left it out. A seed resumed after its last batch writes it
// then. On SQLite the sort spills to a temporary file, not to memory: at a
// million cases it holds tens of millions of rows.
func (s *seeder) writeSearchIndex(ctx context.Context) error {
	t0 := s.clock()
	fmt.Fprintf(s.out, "writing the search index of every case in key order...\n")
	back, err := s.sortOnDisk(ctx)
	if err != nil {
		return err
	}
	defer back()
	if err := s.db.Update(ctx, func(tx *store.Tx) error { return tx.RebuildSearchIndex() }); err != nil {
		return fmt.Errorf("seed: writing the search index: %w", err)
	}
	fmt.Fprintf(s.out, "search index written in %s\n", s.clock().Sub(t0).Round(time.Second))
	return nil
}

// sortOnDisk has SQLite spill the sorts of the steps that follow to a
// temporary file rather than memory (a million cases' index entries do not
// fit), until the returned function puts back the in-memory journals of
// tuneSeedConnection. Other stores need nothing.
func (s *seeder) sortOnDisk(ctx context.Context) (back func(), err error) {
	if s.db.Dialect != store.SQLite {
		return func() {}, nil
	}
	if _, err := s.db.SQL().ExecContext(ctx, `PRAGMA temp_store = FILE`); err != nil {
		return nil, err
	}
	return func() { s.db.SQL().ExecContext(context.Background(), `PRAGMA temp_store = MEMORY`) }, nil
}

// deferredIndexTables are the tables the seed fills whose secondary
// indexes it builds at the end rather than row by row.
var deferredIndexTables = []string{"case_events", "case_members", "case_viewers", "clocks", "audit_log", "cases"}

// deferIndexes drops, on SQLite, the secondary indexes of the tables the
// seed fills, other than unique ones (which check what is written) and
// those the writes read through (none of the deferred tables' are), and
// notes their definitions for restoreIndexes: an index filled row by row
// in the order cases are written puts each new row on a random page of it,
// and at a million cases those pages no longer fit in memory, where one
// built at the end is written once, in key order. The definitions are
// taken from a new database the migrations made, not from this one, so a
// seed resumed after it stopped (with the indexes dropped) builds them
// the same. It is a bulk load's step, like the search index's, which is
// written after them, last, so that verify refuses a seed stopped at any
// step before its end.
func (s *seeder) deferIndexes(ctx context.Context) error {
	if s.db.Dialect != store.SQLite {
		return nil
	}
	dir, err := os.MkdirTemp("", "waymark-seed-schema-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fresh, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "schema.db"))
	if err != nil {
		return err
	}
	defer fresh.Close()
	if err := fresh.Migrate(ctx); err != nil {
		return err
	}
	q := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ('` + strings.Join(deferredIndexTables, "', '") + `') ORDER BY name`
	rows, err := fresh.SQL().QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	s.deferred = s.deferred[:0]
	for rows.Next() {
		var ix deferredIndex
		if err := rows.Scan(&ix.name, &ix.sql); err != nil {
			return err
		}
		s.deferred = append(s.deferred, ix)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, ix := range s.deferred {
		if _, err := s.db.SQL().ExecContext(ctx, `DROP INDEX IF EXISTS "`+ix.name+`"`); err != nil {
			return fmt.Errorf("seed: deferring index %s: %w", ix.name, err)
		}
	}
	return nil
}

// deferredIndex is an index deferIndexes dropped, to be built again.
type deferredIndex struct{ name, sql string }

// restoreIndexes builds the indexes deferIndexes dropped, each from the
// whole table at once.
func (s *seeder) restoreIndexes(ctx context.Context) error {
	if len(s.deferred) == 0 {
		return nil
	}
	t0 := s.clock()
	fmt.Fprintf(s.out, "building %d indexes...\n", len(s.deferred))
	back, err := s.sortOnDisk(ctx)
	if err != nil {
		return err
	}
	defer back()
	for _, ix := range s.deferred {
		if _, err := s.db.SQL().ExecContext(ctx, ix.sql); err != nil {
			return fmt.Errorf("seed: building index %s: %w", ix.name, err)
		}
	}
	fmt.Fprintf(s.out, "indexes built in %s\n", s.clock().Sub(t0).Round(time.Second))
	return nil
}

// checkDatabase adds the partnerships to an empty database, or checks a
// database being resumed holds this seed's.
func (s *seeder) checkDatabase(tx *store.Tx) error {
	orgs, err := tx.Organisations()
	if err != nil {
		return err
	}
	if len(orgs) == 0 {
		return s.insertPartnerships(tx)
	}
	if !s.cfg.resume {
		return waymark.Errorf(waymark.ECONFLICT, "seed: the database already holds %d organisations: the seed writes only into an empty database (or give --resume to continue a seed that stopped, with the same flags)", len(orgs))
	}
	if len(orgs) != len(seedOrgKinds)*s.cfg.partnerships {
		return fmt.Errorf("seed: --resume: the database holds %d organisations, not the %d of %d seeded partnerships", len(orgs), len(seedOrgKinds)*s.cfg.partnerships, s.cfg.partnerships)
	}
	for i, p := range s.parts {
		if _, err := tx.UserByEmail(p.users["cs1"].User.Email); err != nil {
			return fmt.Errorf("seed: --resume: %s is not in the database: it was not seeded with these flags: %w", p.users["cs1"].User.Email, err)
		}
		// Each group is a partnership of its own: a database seeded before
		// that (all groups in the default partnership) is not resumed into
		// a shape no seed makes.
		for _, k := range seedOrgKinds {
			id := p.orgs[k.key].ID
			if got, err := tx.OrganisationPartnership(id); err != nil {
				return err
			} else if want := seedPartnershipID(i); got != want {
				return fmt.Errorf("seed: --resume: %s is in partnership %q, not %q: the database was seeded by another version of the seed, or changed since", id, got, want)
			}
		}
	}
	return nil
}

func (s *seeder) report(done, left int, took time.Duration) {
	rate := float64(done) / took.Seconds()
	eta := "?"
	if rate > 0 {
		eta = (time.Duration(float64(left)/rate) * time.Second).Round(time.Second).String()
	}
	fmt.Fprintf(s.out, "%d cases written (%d left), %d events, %d audit entries, %s: %.0f cases/s, %.0f events/s, ETA %s\n",
		done, left, s.events, s.audits, took.Round(time.Second), rate, float64(s.events)/took.Seconds(), eta)
}

// insertPartnerships adds every group as a partnership of its own (the
// first is the deployment's default partnership, the others are added),
// with its organisations and users, each user with the one password
// (hashed once: hashing it 2,000 times would take minutes and prove
// nothing) and the one authenticator secret. A national deployment keeps
// each partnership's cases, network, panel, settings and retention review
// apart (§4.3), so each group is a partnership, not only a set of
// organisations in one.
func (s *seeder) insertPartnerships(tx *store.Tx) error {
	hash, err := access.HashPassword(s.cfg.password, access.DefaultArgon2)
	if err != nil {
		return err
	}
	for i, p := range s.parts {
		pid := seedPartnershipID(i)
		if i > 0 {
			if err := tx.InsertPartnership(store.Partnership{ID: pid, Name: fmt.Sprintf("Partnership %03d", i+1), Slug: pid,
				CreatedAt: s.origin().AddDate(0, -1, 0)}); err != nil {
				return err
			}
		}
		for _, k := range seedOrgKinds {
			if err := tx.InsertOrganisation(p.orgs[k.key]); err != nil {
				return err
			}
			if i > 0 {
				if err := tx.SetOrganisationPartnership(p.orgs[k.key].ID, pid); err != nil {
					return err
				}
			}
		}
		for _, r := range seedRoles {
			u := p.users[r.slot].User
			u.PasswordHash = hash
			if err := tx.InsertUser(u); err != nil {
				return fmt.Errorf("adding %s: %w", u.Email, err)
			}
			if err := casework.EnrolTOTP(tx, u.ID, s.cfg.totpSecret, u.CreatedAt); err != nil {
				return fmt.Errorf("setting up two-step verification for %s: %w", u.Email, err)
			}
		}
	}
	return nil
}

// A step is one thing done to a case: who, when (after the concern), what.
type seedStep struct {
	after time.Duration
	who   string // a slot of seedRoles, or "referrer"
	cmd   func(c pathway.Case, at time.Time, p seedPartnership, r *rand.Rand) pathway.Command
}

const day = 24 * time.Hour

func seedDate(t time.Time) string { return t.In(pathway.London).Format("2006-01-02") }

var seedNotes = []string{
	"Spoke to the referrer, who added nothing new.",
	"Checked the child's school attendance with the education welfare officer.",
	"Police intelligence checked; nothing further known.",
	"Visited the child at home with the parent present.",
	"Case reviewed in supervision; plan unchanged.",
	"The child's placement is stable and school attendance improved.",
}

// seedScript is the pathway of every seeded case, in order; a case raised
// recently stops at the first step still in the future.
var seedScript = []seedStep{
	{0, "referrer", nil}, // the concern itself (writeCase)
	{20 * time.Minute, "cs1", func(pathway.Case, time.Time, seedPartnership, *rand.Rand) pathway.Command {
		return pathway.AddNote{Text: seedNotes[0]}
	}},
	{2 * time.Hour, "cs1", nil}, // the contact, with a reference from the counter (writeCase)
	{5 * time.Hour, "cs1", func(pathway.Case, time.Time, seedPartnership, *rand.Rand) pathway.Command {
		return pathway.RecordOutcome{Decision: "strategy-discussion", NextStep: "Strategy discussion tomorrow with the police and the school."}
	}},
	{5*time.Hour + 10*time.Minute, "cs1", func(_ pathway.Case, _ time.Time, p seedPartnership, _ *rand.Rand) pathway.Command {
		sw := p.users["sw1"].User
		return pathway.AssignWorker{WorkerEmail: sw.Email, Worker: party(sw), WorkerRole: sw.Role}
	}},
	{day, "sw1", func(pathway.Case, time.Time, seedPartnership, *rand.Rand) pathway.Command {
		return pathway.RecordLinkedPerson{Name: "Unknown adult male, about 25", Relationship: pathway.RelationshipSuspectedExploiter, Notes: "Collects the child from school in a grey hatchback."}
	}},
	{day + 2*time.Hour, "sw1", func(_ pathway.Case, at time.Time, p seedPartnership, _ *rand.Rand) pathway.Command {
		return pathway.RecordStrategyDiscussion{HeldAt: at.Add(-time.Hour),
			Participants: []string{p.users["sw1"].User.Name + ", " + p.orgs["cs"].Name, p.users["fr"].User.Name + ", " + p.orgs["police"].Name},
			Section47:    true, JointInterview: true, Notes: "Section 47 enquiry agreed; joint interview with the police."}
	}},
	{2 * day, "sw1", func(_ pathway.Case, at time.Time, p seedPartnership, _ *rand.Rand) pathway.Command {
		fr := p.users["fr"].User
		return pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: at.Add(day),
			InviteeEmails: []string{fr.Email}, Invitees: []pathway.Party{party(fr)}}
	}},
	{3*day + time.Hour, "sw1", func(c pathway.Case, _ time.Time, p seedPartnership, _ *rand.Rand) pathway.Command {
		police := p.orgs["police"]
		no, yes := false, true
		id := ""
		if n := len(c.Meetings.Meetings); n > 0 {
			id = c.Meetings.Meetings[n-1].ID
		}
		// Attendees are chosen, not typed (§6.8): the social worker who
		// convened and the police officer invited, resolved as the use case would.
		sw, fr := p.users["sw1"].User, p.users["fr"].User
		return pathway.RecordMeetingHeld{MeetingID: id,
			AttendeeIDs: []string{pathway.AttendeeUser(sw.ID), pathway.AttendeeUser(fr.ID)},
			Staff: map[string]pathway.StaffAttendee{
				pathway.AttendeeUser(sw.ID): {Party: party(sw)},
				pathway.AttendeeUser(fr.ID): {Party: party(fr), Roles: pathway.MeetingRoles{Police: true}},
			},
			NRMDecision: pathway.NRMSubmit, LeadOrgID: police.ID, LeadOrg: pathway.LeadOrganisation{ID: police.ID, Name: police.Name, FirstResponder: true},
			ChildProtectionConference: &yes, ChildProtectionPlan: &no, InformationSharedWithPolice: &yes, Notes: "Police to submit the NRM referral."}
	}},
	{4 * day, "fr", func(_ pathway.Case, at time.Time, _ seedPartnership, _ *rand.Rand) pathway.Command {
		return pathway.SubmitNRMReferral{SubmittedAt: at.Add(-time.Hour), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes}
	}},
	{6 * day, "fr", func(c pathway.Case, at time.Time, _ seedPartnership, r *rand.Rand) pathway.Command {
		return pathway.RecordHomeOfficeReference{Reference: fmt.Sprintf("NRM-%08d", r.IntN(100_000_000)), ReceivedOn: seedDate(at)}
	}},
	{9 * day, "fr", func(_ pathway.Case, at time.Time, _ seedPartnership, _ *rand.Rand) pathway.Command {
		return pathway.RecordReasonableGrounds{Outcome: pathway.DecisionPositive, DecidedOn: seedDate(at)}
	}},
	{10 * day, "sw1", func(pathway.Case, time.Time, seedPartnership, *rand.Rand) pathway.Command {
		return pathway.RecordSupport{Kind: pathway.SupportCAMHS, Status: pathway.SupportRequested, Provider: "County CAMHS", Notes: "Referral sent."}
	}},
	{20 * day, "sw1", func(c pathway.Case, _ time.Time, _ seedPartnership, _ *rand.Rand) pathway.Command {
		id := ""
		if n := len(c.Support.Items); n > 0 {
			id = c.Support.Items[n-1].ID
		}
		return pathway.UpdateSupport{Item: id, Status: pathway.SupportInPlace, Notes: "First appointment attended."}
	}},
	{21 * day, "sw1", func(_ pathway.Case, at time.Time, _ seedPartnership, _ *rand.Rand) pathway.Command {
		return pathway.AgreeCarePlan{AgreedOn: seedDate(at), ProtectionPlan: "Daily check-ins with the school; no contact with the linked adult.",
			MissingContingency: "Report to the police at once and tell the social worker."}
	}},
	{30 * day, "sw1", func(_ pathway.Case, _ time.Time, _ seedPartnership, r *rand.Rand) pathway.Command {
		return pathway.AddNote{Text: seedNotes[1+r.IntN(len(seedNotes)-1)]}
	}},
	{70 * day, "fr", func(_ pathway.Case, at time.Time, _ seedPartnership, _ *rand.Rand) pathway.Command {
		return pathway.RecordConclusiveGrounds{Outcome: pathway.DecisionPositive, DecidedOn: seedDate(at)}
	}},
	{75 * day, "sw1", func(_ pathway.Case, _ time.Time, _ seedPartnership, r *rand.Rand) pathway.Command {
		return pathway.AddNote{Text: seedNotes[1+r.IntN(len(seedNotes)-1)]}
	}},
	{85 * day, "manager", func(pathway.Case, time.Time, seedPartnership, *rand.Rand) pathway.Command {
		return pathway.AddNote{Text: seedNotes[4]}
	}},
	{90 * day, "sw1", func(pathway.Case, time.Time, seedPartnership, *rand.Rand) pathway.Command {
		return pathway.CloseCase{NoNRMReason: "No indicators of exploitation after assessment.", Reason: "Support in place and the risk has reduced.", Monitoring: "School safeguarding lead monitors attendance."}
	}},
}

func party(u store.User) pathway.Party {
	return pathway.Party{UserID: u.ID, Name: u.Name, OrgID: u.OrgID, OrgName: u.Org.Name}
}

var (
	seedGiven  = []string{"Amira", "Bilal", "Chloe", "Dritan", "Elena", "Farah", "Gjon", "Hoa", "Ines", "Jonas", "Kiran", "Lena", "Mihai", "Nadia", "Omar", "Precious", "Quyen", "Rosa", "Samir", "Tomasz"}
	seedFamily = []string{"Example", "Sample", "Specimen", "Placeholder", "Fictional", "Invented", "Madeup", "Testcase", "Dummy", "Mock", "Notreal", "Imaginary", "Pretend", "Unreal"}
	seedNation = []string{"British", "Albanian", "Vietnamese", "Romanian", "Eritrean", "Sudanese", "Nigerian", "Polish"}
	seedWhere  = []string{"school medical room", "GP surgery", "youth project drop-in", "police station", "railway station", "hospital emergency department"}
)

// concern is case i's concern, raised at `at`.
func (s *seeder) concern(i int, at time.Time, r *rand.Rand) pathway.Concern {
	cat := s.cat
	et := cat.ExploitationTypes[r.IntN(len(cat.ExploitationTypes))].ID
	var indicators []pathway.ObservedIndicator
	for _, k := range r.Perm(len(cat.Indicators))[:1+r.IntN(4)] {
		indicators = append(indicators, pathway.ObservedIndicator{ID: cat.Indicators[k].ID, Evidence: "Seen and noted by the referrer on the day (fictional)."})
	}
	where := seedWhere[r.IntN(len(seedWhere))]
	c := pathway.Concern{
		Child: pathway.Child{
			GivenNames:      seedGiven[r.IntN(len(seedGiven))],
			FamilyName:      seedFamily[r.IntN(len(seedFamily))],
			Aliases:         []string{fmt.Sprintf("Kid %d", i)},
			DateOfBirth:     at.In(pathway.London).AddDate(-11-r.IntN(6), 0, -r.IntN(360)).Format("2006-01-02"),
			Gender:          []string{"female", "male"}[r.IntN(2)],
			Nationality:     seedNation[r.IntN(len(seedNation))],
			Languages:       []string{"English"},
			CurrentLocation: "With the referrer at the " + where,
		},
		IdentifiedAt:      at.Add(-time.Duration(1+r.IntN(5)) * time.Hour).UTC(),
		IdentifiedWhere:   "The " + where,
		Summary:           "Fictional concern written by waymark-load seed: the child was seen with an older adult who is not a relative, has new items nobody can explain and has been missing twice this term.",
		ExploitationTypes: []string{et},
		Indicators:        indicators,
		ImmediateActions:  []string{cat.ImmediateActions[r.IntN(len(cat.ImmediateActions))].ID},
		FamilySuspected:   r.IntN(5) == 0,
	}
	c.ImmediateRisk = r.IntN(7) == 0
	c.PoliceInformed = c.ImmediateRisk
	return c
}

// seedPlan is what shapes case i before any step is taken: who raises it,
// when, its id and how far along the script it goes. These are its first
// random draws, so planning is cheap; the rest of the case continues the
// same stream (r).
type seedPlan struct {
	i        int
	r        *rand.Rand
	p        seedPartnership
	referrer casework.Viewer
	raised   time.Time
	id       string
	steps    int
}

func (s *seeder) plan(i int) seedPlan {
	r := rand.New(rand.NewPCG(s.cfg.seed, uint64(i)))
	p := s.parts[i%len(s.parts)]
	referrer := p.users[[]string{"teacher", "gp", "youth", "support"}[r.IntN(4)]]
	raised := s.raisedAt(i, r)
	// An id as Waymark makes one, led by the day it was raised
	// (access.NewDatedID), from the case's own stream.
	var random [10]byte
	binary.BigEndian.PutUint64(random[:8], r.Uint64())
	binary.BigEndian.PutUint16(random[8:], uint16(r.Uint32()))
	id := access.DatedID(raised, random)
	// Steps already due by now; a recent case stops at one drawn at random.
	steps := len(seedScript)
	for k, st := range seedScript {
		if raised.Add(st.after).After(s.cfg.now) {
			steps = k
			break
		}
	}
	if s.cfg.now.Sub(raised) < time.Duration(s.cfg.openDays)*day {
		steps = 1 + r.IntN(steps)
	}
	return seedPlan{i: i, r: r, p: p, referrer: referrer, raised: raised, id: id, steps: steps}
}

// numbered reports whether the case reaches its contact, which takes a
// reference from the counter.
func (pl seedPlan) numbered() bool { return pl.steps > seedContactStep }

// seedContactStep is the step of seedScript that records the contact.
const seedContactStep = 2

// seedCase is a case decided step by step: its events in the appends that
// write them, each append with its audit entry, its state after the last
// event and that event's time.
type seedCase struct {
	id       string
	c        pathway.Case
	appends  [][]pathway.Event
	entries  []audit.Entry
	last     time.Time
	number   int64               // the contact reference's number, or 0
	prepared *store.PreparedCase // with --workers
}

func (sc *seedCase) events() int64 { return int64(sc.c.Version) }

// decide takes a planned case along the script to where now finds it,
// each step decided by the pathway as the use case does it; number takes
// the contact reference's number. With --audit step each step is an
// append with its own audit entry, as its use case writes it; with
// --audit case the case's steps are one append and one entry.
func (s *seeder) decide(pl seedPlan, number func() (int64, error)) (*seedCase, error) {
	r, p := pl.r, pl.p
	sc := &seedCase{id: pl.id}
	var c pathway.Case
	var all []pathway.Event
	var types []string
	for k, st := range seedScript[:pl.steps] {
		at := pl.raised.Add(st.after)
		v := pl.referrer
		if st.who != "referrer" {
			v = p.users[st.who]
		}
		var cmd pathway.Command
		action := ""
		switch k {
		case 0:
			cmd = pathway.RaiseConcern{CaseID: pl.id, Concern: s.concern(pl.i, pl.raised, r), ChildrensServicesOrg: p.orgs["cs"].ID}
			action = audit.ActionConcernRaised
		case seedContactStep:
			n, err := number()
			if err != nil {
				return nil, err
			}
			sc.number = n
			cmd = pathway.RecordContact{Reference: fmt.Sprintf("CS-%d-%06d", at.In(pathway.London).Year(), n), Method: "phone", Note: "Called the referrer back."}
			action = audit.ActionContactRecorded
		default:
			cmd = st.cmd(c, at, p, r)
			action = "case." + strings.ReplaceAll(pathway.CommandName(cmd), " ", "_")
			if _, ok := cmd.(pathway.RecordOutcome); ok {
				action = audit.ActionOutcomeRecorded
			}
		}
		decided, err := s.path.Decide(c, v.Actor(s.cat), cmd, at)
		if err != nil {
			return nil, fmt.Errorf("step %d (%s): %w %v", k, pathway.CommandName(cmd), err, waymark.ErrorFields(err))
		}
		if len(decided) == 0 {
			continue
		}
		for j, e := range decided {
			c = pathway.Apply(c, e)
			types = append(types, fmt.Sprintf("%s#%d", e.Type, e.Seq))
			if j == 0 {
				types[len(types)-1] = action + " " + types[len(types)-1]
			}
		}
		sc.last = decided[len(decided)-1].At
		if s.cfg.perCase {
			all = append(all, decided...)
			continue
		}
		// As the use case: append with the version check, then audit.
		sc.appends = append(sc.appends, decided)
		sc.entries = append(sc.entries, audit.Entry{At: at.UTC(), ActorID: v.User.ID, OrgID: v.User.OrgID, CaseID: pl.id, Action: action, Detail: stepDetail(decided)})
	}
	if len(all) > 0 {
		// --audit case: the case's steps in one append and one entry.
		sc.appends = append(sc.appends, all)
		sc.entries = append(sc.entries, audit.Entry{At: sc.last.UTC(), ActorID: "system", OrgID: p.orgs["cs"].ID, CaseID: pl.id, Action: "case.seeded", Detail: strings.Join(types, ",")})
	}
	sc.c = c
	return sc, nil
}

// writeCase raises case i and takes it along the script in the
// transaction, with the service's own calls: each append with the version
// check (encrypting and sealing its events in the transaction), its audit
// entry, then the read models as the service leaves them after its last
// command. It returns the events and audit entries written.
func (s *seeder) writeCase(tx *store.Tx, i int) (int64, int64, error) {
	sc, err := s.decide(s.plan(i), func() (int64, error) { return tx.NextNumber(seedCounter) })
	if err != nil {
		return 0, 0, err
	}
	before := 0
	for k, events := range sc.appends {
		if err := tx.AppendEvents(sc.id, before, events); err != nil {
			return 0, 0, err
		}
		if err := tx.AppendAudit(sc.entries[k]); err != nil {
			return 0, 0, err
		}
		before += len(events)
	}
	if err := tx.SaveProjection(sc.c, sc.last); err != nil {
		return 0, 0, err
	}
	return sc.events(), int64(len(sc.entries)), nil
}

// seedCounter is the counter contact references are numbered from.
const seedCounter = "contact-reference"

// writePrepared writes a case a worker prepared (--workers): the number
// it was given is taken from the counter, each append is checked against
// the case's version and chain head and audited, then its read models are
// saved, the same rows writeCase writes.
func (s *seeder) writePrepared(tx *store.Tx, sc *seedCase) (int64, int64, error) {
	if sc.number != 0 {
		n, err := tx.NextNumber(seedCounter)
		if err != nil {
			return 0, 0, err
		}
		if n != sc.number {
			return 0, 0, fmt.Errorf("the case was prepared with contact number %d, but the counter gives %d: is something else writing to this database?", sc.number, n)
		}
	}
	for k := range sc.appends {
		if err := tx.AppendPrepared(sc.prepared, k); err != nil {
			return 0, 0, err
		}
		if err := tx.AppendAudit(sc.entries[k]); err != nil {
			return 0, 0, err
		}
	}
	if err := tx.SavePreparedProjection(sc.prepared); err != nil {
		return 0, 0, err
	}
	return sc.events(), int64(len(sc.entries)), nil
}

// stepDetail is the audit detail of a step, as casework writes it.
func stepDetail(events []pathway.Event) string {
	types := make([]string, len(events))
	for i, e := range events {
		types[i] = fmt.Sprintf("%s#%d", e.Type, e.Seq)
	}
	return strings.Join(types, ",")
}
