package main

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
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

	"waymark/internal/audit"
	"waymark/internal/store"
)

// Sealed history (docs/operations.md "Verifying the history"): `waymark
// verify` proves every seal, replays every case and compares its read
// models; `waymark checkpoint` signs the chain heads into the audit log and
// a file to ship elsewhere, which serve also does every
// --checkpoint-interval; `waymark verify --checkpoint FILE` proves the
// database still holds everything that file covered.

// DefaultCheckpointFile is where checkpoints go unless told otherwise.
const DefaultCheckpointFile = "checkpoint.json"

type checkpointConfig struct {
	file     string
	interval time.Duration
}

func (c *config) checkpointFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.checkpoint.file, "checkpoint-file", "", "where signed checkpoints of the history are written, to be shipped elsewhere; default DATA/"+DefaultCheckpointFile+" (WAYMARK_CHECKPOINT_FILE)")
	fs.DurationVar(&c.checkpoint.interval, "checkpoint-interval", time.Hour, "how often serve signs a checkpoint, at least 1m; 0 turns it off (WAYMARK_CHECKPOINT_INTERVAL)")
}

func (c *config) checkpointPath() string {
	if c.checkpoint.file != "" {
		return c.checkpoint.file
	}
	return filepath.Join(c.dataDir, DefaultCheckpointFile)
}

// checkpointSaysSealed refuses to seal a history as found when a
// checkpoint file shows it was sealed before: its seals were stripped, or
// this is not the database the checkpoint belongs to. Both the file named
// by --checkpoint-file and DATA/checkpoint.json are read, so naming another
// file does not hide the one beside the database.
func (c *config) checkpointSaysSealed() error {
	paths := []string{c.checkpointPath()}
	if def := filepath.Join(c.dataDir, DefaultCheckpointFile); def != paths[0] {
		paths = append(paths, def)
	}
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		var cp store.Checkpoint
		if err := json.Unmarshal(b, &cp); err != nil {
			return fmt.Errorf("checkpoint file %s: %w", path, err)
		}
		if cp.KeyedFrom > 0 || cp.Cases > 0 {
			return fmt.Errorf("the case history in this database carries no seals, but the checkpoint %s (signed %s) shows it was sealed: "+
				"the seals were stripped, or this is not the database that checkpoint belongs to. Nothing was changed; run `waymark verify --checkpoint %s` and see docs/operations.md",
				path, cp.At.Format(time.RFC3339), path)
		}
	}
	return nil
}

// runSealHistory is `waymark seal-history`: the one command that seals a
// history written before sealing began, as found (trust on first use). An
// operator runs it once after upgrading; it refuses when anything, in the
// database or a checkpoint file, shows the history was sealed before.
func runSealHistory(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seal-history", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	c.flags(fs, getenv, "")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	c.mode = openUpgrade
	c.partnership = true
	db, _, err := openWithLog(ctx, &c, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	if db.KeyRing() == nil {
		return errors.New("sealing the history needs the master key: set WAYMARK_MASTER_KEY_FILE (docs/operations.md)")
	}
	needs, err := db.NeedsSealing(ctx)
	if err != nil {
		return err
	}
	if needs {
		n, err := db.SealHistory(ctx, time.Now(), c.checkpointSaysSealed)
		if err != nil {
			return fmt.Errorf("the history was not sealed: %w", err)
		}
		fmt.Fprintf(stdout, "sealed %d case events written before sealing began, as found: run `waymark verify` and `waymark checkpoint` now, and ship the checkpoint file elsewhere\n", n)
	}
	// Organisations, users and sign-in links: sealed as found once; the
	// keyed audit log records that it was done, so it is never done again.
	rows, err := db.SealIdentityAsFound(ctx, time.Now())
	if err != nil {
		return fmt.Errorf("the organisations and users were not sealed: %w", err)
	}
	if rows > 0 {
		fmt.Fprintf(stdout, "sealed %d organisations, users, sign-in links and concern drafts' writers written before sealing began, as found\n", rows)
	}
	if !needs && rows == 0 {
		fmt.Fprintln(stdout, "nothing to seal: the history is sealed already, or holds nothing yet")
	}
	return nil
}

// writeCheckpoint makes a checkpoint and writes it to the file, replacing
// the one before (the file is written whole, then renamed into place).
func writeCheckpoint(ctx context.Context, db *store.DB, path string, now time.Time) (store.Checkpoint, error) {
	cp, err := db.MakeCheckpoint(ctx, now)
	if err != nil {
		return cp, err
	}
	b, err := json.MarshalIndent(cp, "", "  ")
	if err != nil {
		return cp, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return cp, err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return cp, fmt.Errorf("writing checkpoint: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return cp, fmt.Errorf("writing checkpoint: %w", err)
	}
	return cp, nil
}

// runCheckpoints signs a checkpoint at every tick until ctx ends. The ticks
// come from the caller, so tests drive it without waiting.
func runCheckpoints(ctx context.Context, db *store.DB, path string, ticks <-chan time.Time, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case now, ok := <-ticks:
			if !ok {
				return
			}
			cp, err := writeCheckpoint(ctx, db, path, now)
			if err != nil {
				log.Error("signing a checkpoint of the history failed", "err", err)
				continue
			}
			log.Info("signed a checkpoint of the history", "file", path, "audit_entry", cp.AuditSeq, "cases", cp.Cases)
		}
	}
}

// startCheckpoints runs runCheckpoints every interval while serving.
func startCheckpoints(ctx context.Context, bg *sync.WaitGroup, c *config, db *store.DB, log *slog.Logger) {
	if c.checkpoint.interval <= 0 {
		return
	}
	if db.KeyRing() == nil {
		log.Warn("no signed checkpoints of the history: they are signed with a key derived from the master key, and none is configured")
		return
	}
	tk := time.NewTicker(c.checkpoint.interval)
	bg.Go(func() {
		defer tk.Stop()
		runCheckpoints(ctx, db, c.checkpointPath(), tk.C, log)
	})
}

func runCheckpointCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("checkpoint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	c.flags(fs, getenv, "")
	pubOnly := fs.Bool("public-key", false, "print only the public key that checks checkpoints, to publish apart from them")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if *pubOnly {
		c.mode = openCheck
		c.readOnly = true
	}
	c.partnership = true
	db, _, err := openWithLog(ctx, &c, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	id, pub, err := db.CheckpointPublicKey()
	if err != nil {
		return err
	}
	if *pubOnly {
		fmt.Fprintf(stdout, "%s\n", base64.StdEncoding.EncodeToString(pub))
		return nil
	}
	cp, err := writeCheckpoint(ctx, db, c.checkpointPath(), time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "signed checkpoint written to %s: audit entry %d, %d cases, heads digest %s\ncheckpoint public key (master key %s): %s\n",
		c.checkpointPath(), cp.AuditSeq, cp.Cases, cp.HeadsDigest, id, base64.StdEncoding.EncodeToString(pub))
	return nil
}

func runVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	c.flags(fs, getenv, "")
	var files multiFlag
	fs.Var(&files, "checkpoint", "a signed checkpoint file the database must still contain (repeatable)")
	pubB64 := fs.String("checkpoint-public-key", "", "the published checkpoint public key (base64); default: derived from the configured master key")
	record := recordFlag(fs, true) // metrics.go
	if err := c.parse(fs, args); err != nil {
		return err
	}
	c.mode = openCheck    // verify never writes: a history without seals is reported, never sealed
	c.readOnly = !*record // --record appends one audit.verified entry (metrics.go)
	c.partnership = true
	c.verifies = true
	db, _, err := openWithLog(ctx, &c, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	var cps []store.Checkpoint
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("reading checkpoint: %w", err)
		}
		var cp store.Checkpoint
		if err := json.Unmarshal(b, &cp); err != nil {
			return fmt.Errorf("checkpoint %s: %w", f, err)
		}
		var pub ed25519.PublicKey
		if *pubB64 != "" {
			k, err := base64.StdEncoding.DecodeString(*pubB64)
			if err != nil || len(k) != ed25519.PublicKeySize {
				return errors.New("--checkpoint-public-key is not a base64 Ed25519 public key")
			}
			pub = k
		} else {
			ring := db.KeyRing()
			if ring == nil {
				return errors.New("checking a checkpoint needs --checkpoint-public-key or the master key")
			}
			priv, err := ring.SigningKey(cp.KeyID)
			if err != nil {
				return fmt.Errorf("checkpoint %s: %w", f, err)
			}
			pub = priv.Public().(ed25519.PublicKey)
		}
		if err := cp.CheckSignature(pub); err != nil {
			fmt.Fprintf(stdout, "FAILED: checkpoint %s: %v\n", f, err)
			return err
		}
		cps = append(cps, cp)
	}
	r, err := db.Verify(ctx, store.VerifyOptions{ReadModels: true, Checkpoints: cps, Progress: ctx.Err})
	if err != nil {
		var te *store.TamperError
		var be *audit.BrokenError
		if errors.As(err, &te) || errors.As(err, &be) {
			fmt.Fprintf(stdout, "FAILED: %v\n", err)
		}
		return err
	}
	fmt.Fprintf(stdout, "history verified: %d audit entries (keyed from entry %d), %d cases with %d events sealed and replayed, read models match, %d erased",
		r.AuditEntries, r.KeyedFrom, r.Cases, r.Events, r.Erased)
	if len(cps) > 0 {
		fmt.Fprintf(stdout, "; %d checkpoints still contained", r.Checkpoints)
	}
	fmt.Fprintln(stdout)
	if r.Unsealed {
		fmt.Fprintln(stdout, "WARNING: this history has never been sealed (no master key): anyone with write access to the database could have rewritten it")
	}
	recordVerified(ctx, db, *record, r.AuditEntries, stderr) // metrics.go
	return reportLedger(ctx, &c, db, stdout)                 // erasure.go
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
