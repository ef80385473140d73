package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"waymark/internal/casework"
	"waymark/internal/store"
)

// The erasure ledger (store/ledger.go, docs/operations.md "Erasure
// ledger"): every lawful erasure is appended to a file kept outside the
// database before it is acknowledged, and applied again on every start, so
// that restoring a backup or dump from before the erasure cannot bring the
// child's details back.

// DefaultLedgerFile is the ledger's name beside a SQLite database.
const DefaultLedgerFile = "erasures.ledger"

type erasureConfig struct {
	ledger   string
	none     bool
	missing  string // a checking command: the ledger file expected but not there
	every    time.Duration
	required bool // serve: PostgreSQL needs a ledger or --no-erasure-ledger
}

func (c *config) erasureFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.erasure.ledger, "erasure-ledger", "",
		"file recording every lawful erasure outside the database, so that no restore brings an erased child back; keep it with the master key, not with the database's backups. "+
			"Default: erasures.ledger beside a SQLite database; PostgreSQL needs one (WAYMARK_ERASURE_LEDGER)")
	fs.BoolVar(&c.erasure.none, "no-erasure-ledger", false,
		"serve PostgreSQL without an erasure ledger: restoring a dump older than an erasure then brings the erased child's details back (WAYMARK_NO_ERASURE_LEDGER)")
	fs.DurationVar(&c.erasure.every, "erasure-ledger-sync", 5*time.Minute,
		"how often a running service copies erasures made by other replicas into its ledger and applies the ledger again, at least 10s; 0 turns it off (WAYMARK_ERASURE_LEDGER_SYNC)")
}

// ledgerPath is the ledger file for the database at url, or "" for none.
func (c *config) ledgerPath(url string) (string, error) {
	switch {
	case c.erasure.ledger != "" && c.erasure.none:
		return "", errors.New("--erasure-ledger and --no-erasure-ledger contradict each other: give one")
	case c.erasure.ledger != "":
		return c.erasure.ledger, nil
	case c.erasure.none:
		return "", nil
	case strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://"):
		if c.erasure.required {
			return "", errors.New("on PostgreSQL, serve needs an erasure ledger: --erasure-ledger FILE (WAYMARK_ERASURE_LEDGER), a file outside the database, kept with the master key and not with the database's dumps. " +
				"Without it, restoring a dump taken before a lawful erasure brings the erased child's details back. " +
				"Give each replica a ledger of its own (they copy each other's erasures from the database); pass --no-erasure-ledger only to run without one knowingly (docs/operations.md)")
		}
		return "", nil
	}
	return filepath.Join(filepath.Dir(strings.TrimPrefix(url, "sqlite:")), DefaultLedgerFile), nil
}

// openLedger gives the database its erasure ledger. A checking command
// creates no ledger; the others make it (0600) when missing.
func (c *config) openLedger(db *store.DB, url string, log *slog.Logger) error {
	path, err := c.ledgerPath(url)
	if err != nil || path == "" {
		if err == nil && c.erasure.none && c.erasure.required {
			log.Warn("NO ERASURE LEDGER (--no-erasure-ledger): restoring a dump older than an erasure brings the erased child's details back")
		}
		return err
	}
	if c.mode == openCheck {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			c.erasure.missing = path
			return nil
		}
	}
	l, err := store.OpenLedger(path)
	if err != nil {
		return err
	}
	db.SetErasureLedger(l)
	return nil
}

// applyLedger applies the ledger to the database and says what it did.
func applyLedger(ctx context.Context, db *store.DB, log *slog.Logger) (store.LedgerReport, error) {
	r, err := db.ApplyErasureLedger(ctx, time.Now())
	if err != nil {
		return r, err
	}
	if n := len(r.Reapplied); n > 0 {
		log.Warn("erased again the cases the erasure ledger records as lawfully erased: the database (restored from a backup or dump?) held them unerased", "cases", n, "ids", strings.Join(r.Reapplied, ","))
	}
	if n := len(r.DraftsDeleted); n > 0 {
		log.Warn("deleted again the unsent drafts the erasure ledger records as deleted after retention review: the database (restored from a backup or dump?) held them", "drafts", n)
	}
	if n := len(r.Absent); n > 0 {
		log.Info("the erasure ledger records erasures of cases this database does not hold: they stay erased if they come back", "cases", n)
	}
	if n := len(r.Copied); n > 0 {
		log.Info("copied into the erasure ledger the erasures the database records that it lacked (made on another replica, or cut from the ledger)", "cases", n, "ledger", db.ErasureLedger().Path())
	}
	return r, nil
}

// runLedgerSync applies the ledger, and copies into it the erasures other
// replicas made, at every tick, until ticks is closed or ctx ends.
func runLedgerSync(ctx context.Context, db *store.DB, ticks <-chan time.Time, log *slog.Logger, workers *casework.Workers) {
	for {
		select {
		case <-ctx.Done():
			return
		case at, ok := <-ticks:
			if !ok {
				return
			}
			if _, err := applyLedger(ctx, db, log); err != nil && ctx.Err() == nil {
				log.Error("applying the erasure ledger failed", "err", err)
			} else if err == nil {
				workers.Ran(casework.WorkerErasureLedger, at) // for /metrics: a sync that stopped is alerted on
			}
		}
	}
}

// startLedgerSync runs runLedgerSync every --erasure-ledger-sync while
// serving.
func startLedgerSync(ctx context.Context, bg *sync.WaitGroup, c *config, db *store.DB, log *slog.Logger, workers *casework.Workers) {
	if db.ErasureLedger() == nil || c.erasure.every <= 0 {
		return
	}
	workers.Expect(casework.WorkerErasureLedger)
	tk := time.NewTicker(c.erasure.every)
	bg.Go(func() {
		defer tk.Stop()
		runLedgerSync(ctx, db, tk.C, log, workers)
	})
}

// reportLedger is what `waymark verify` says of the ledger: erasures it
// records that the database holds unerased are a failure.
func reportLedger(ctx context.Context, c *config, db *store.DB, stdout io.Writer) error {
	l := db.ErasureLedger()
	if l == nil && c.erasure.missing != "" {
		// Every writing start makes the ledger: missing while the database
		// records erasures, it was deleted or is on a disk not mounted,
		// and a database swapped for an older one would bring them back.
		erasures, err := db.Erasures(ctx)
		if err != nil {
			return err
		}
		if len(erasures) > 0 {
			fmt.Fprintf(stdout, "FAILED: the erasure ledger %s is missing, but this database records %d lawful erasures: put back its copy kept with the master key (docs/operations.md \"Erasure ledger\"). "+
				"A start would make a new one from this database alone, without any erasure an older database lacks\n", c.erasure.missing, len(erasures))
			return fmt.Errorf("the erasure ledger %s is missing", c.erasure.missing)
		}
		fmt.Fprintf(stdout, "erasure ledger %s: not made yet (the next start makes it)\n", c.erasure.missing)
		return nil
	}
	if l == nil {
		fmt.Fprintln(stdout, "no erasure ledger configured")
		return nil
	}
	pending, absent, err := db.LedgerPending(ctx)
	if err != nil {
		fmt.Fprintf(stdout, "FAILED: %v\n", err)
		return err
	}
	if len(absent) > 0 {
		fmt.Fprintf(stdout, "erasure ledger %s: %d erased cases are not in this database (they stay erased if they come back)\n", l.Path(), len(absent))
	}
	if len(pending) > 0 {
		fmt.Fprintf(stdout, "FAILED: erasure ledger %s records lawful erasures not applied to this database: cases %s. Start the service, or run any writing command, to apply them\n", l.Path(), strings.Join(pending, ", "))
		return fmt.Errorf("%d erasures of the ledger are not applied", len(pending))
	}
	fmt.Fprintf(stdout, "erasure ledger %s: every erasure it records is applied\n", l.Path())
	return nil
}
