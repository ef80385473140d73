package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"waymark/internal/audit"
	"waymark/internal/store"
)

// runBackup runs "waymark backup DEST" and "waymark restore FILE" for the
// embedded SQLite database. PostgreSQL is backed up and restored with
// pg_dump and pg_restore (docs/operations.md).
func runBackup(ctx context.Context, cmd string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	c.flags(fs, getenv, "")
	var force bool
	if cmd == "restore" {
		fs.BoolVar(&force, "force", false, "restore even though the database it replaces does not verify, or the backup ends before the last checkpoint (look into why first)")
	}
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		if cmd == "backup" {
			return errors.New("usage: waymark backup [--database FILE] DEST-FILE")
		}
		return errors.New("usage: waymark restore [--database FILE] BACKUP-FILE   (stop the service first)")
	}
	url, err := c.databaseURL()
	if err != nil {
		return err
	}
	if isPostgres(url) {
		return fmt.Errorf("waymark %s is for the SQLite database: back up PostgreSQL with pg_dump --format=custom and restore it with pg_restore, then run \"waymark audit verify\" (docs/operations.md)", cmd)
	}
	log, err := c.logger(stderr)
	if err != nil {
		return err
	}
	if cmd == "backup" {
		return backup(ctx, &c, fs.Arg(0), stdout, log)
	}
	return restore(ctx, &c, strings.TrimPrefix(url, "sqlite:"), fs.Arg(0), force, stdout, log)
}

// backup writes a consistent copy while the service runs, then checks the
// copy as a restore would, so that a bad backup is known the day it is made.
func backup(ctx context.Context, c *config, dest string, stdout io.Writer, log *slog.Logger) error {
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("%s already exists: give a new file name, so that no backup is overwritten", dest)
	}
	c.mode = openCheck // a backup changes nothing, and may be taken before seal-history
	c.partnership = true
	db, _, err := open(ctx, c, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.BackupTo(ctx, dest); err != nil {
		return err
	}
	r, err := store.VerifySQLiteFile(ctx, dest, db.KeyRing())
	if err != nil {
		return fmt.Errorf("the backup written to %s does not verify, so do not rely on it: %w", dest, err)
	}
	fmt.Fprintf(stdout, "backed up to %s: schema %s, %d cases, %d events, audit chain of %d entries verified\n", dest, r.Schema, r.Cases, r.Events, r.AuditEntries)
	return nil
}

// restore checks the backup end to end (opened as the service would open it,
// with its migrations and master keys) and only then puts it in place of the
// database, which must not be in use. The replaced database is kept.
func restore(ctx context.Context, c *config, target, src string, force bool, stdout io.Writer, log *slog.Logger) error {
	if inUse, err := store.SQLiteInUse(target); err != nil {
		return err
	} else if inUse {
		return store.ErrInUse
	}
	// Lawful erasures recorded in the database being replaced, in its
	// erasure rows and in its verified audit log, are applied again to the
	// restored copy before it goes live. A database that does not verify
	// cannot be trusted to list them all (a row may have been deleted to
	// have a child's details come back): refused unless --force.
	var erasures []store.Erasure
	var oldHead int64 = -1
	if _, err := os.Stat(target); err == nil {
		old, err := replacedDatabase(ctx, c, target)
		if err == nil {
			erasures, err = old.ErasuresOnRecord(ctx)
			if err == nil {
				oldHead, err = old.AuditHead(ctx)
			}
			if err == nil {
				_, err = old.Verify(ctx, store.VerifyOptions{})
			}
			old.Close()
		}
		if err != nil && !force {
			return fmt.Errorf("the database being replaced (%s) does not verify, so the lawful erasures it records cannot be trusted to be complete, and nothing was changed: %w. "+
				"Find out why (`waymark verify`); restore with --force only once you know which cases were erased since the backup was taken, and erase them again", target, err)
		}
		if err != nil {
			log.Warn("restoring over a database that does not verify (--force): check that no case erased since the backup was taken is back after the restore", "err", err)
		}
	}
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp := filepath.Join(dir, "."+filepath.Base(target)+".restoring-"+time.Now().UTC().Format("20060102T150405.000000000"))
	defer func() {
		for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
			os.Remove(f)
		}
	}()
	schema, err := store.CopySQLite(ctx, src, tmp)
	if err != nil {
		return fmt.Errorf("%s cannot be restored, and nothing was changed: %w", src, err)
	}
	tc := *c
	tc.database = tmp
	tc.mode = openUpgrade
	tc.schema.policy = schemaMigrate // a backup of an older schema is brought up to this one
	db, _, err := open(ctx, &tc, log)
	if err != nil {
		return fmt.Errorf("%s cannot be restored, and nothing was changed: %w", src, err)
	}
	// A backup made before sealing began is sealed as found by the
	// operator's restore, unless anything in it shows it was sealed before.
	if needs, err := db.NeedsSealing(ctx); err == nil && needs {
		if _, err := db.SealHistory(ctx, time.Now(), nil); err != nil {
			db.Close()
			return fmt.Errorf("%s cannot be restored, and nothing was changed: %w", src, err)
		}
		if _, err := db.SealIdentityAsFound(ctx, time.Now()); err != nil {
			db.Close()
			return fmt.Errorf("%s cannot be restored, and nothing was changed: %w", src, err)
		}
	} else if err != nil {
		db.Close()
		return err
	}
	r, err := db.VerifyBackup(ctx)
	var again []string
	var dropped string
	if err == nil {
		dropped, err = checkAgainstCheckpoint(ctx, c, db, oldHead, force)
	}
	if err == nil {
		// The backup's own log counts too: an erasure it records is kept.
		var own []store.Erasure
		if own, err = db.ErasuresOnRecord(ctx); err == nil {
			again, err = db.ReapplyErasures(ctx, append(erasures, own...), time.Now())
		}
	}
	var fromLedger store.LedgerReport
	if err == nil {
		// And every erasure the ledger outside the database records, even
		// one the database being replaced no longer shows (erasure.go).
		fromLedger, err = applyLedger(ctx, db, log)
	}
	if err == nil {
		err = db.Update(ctx, func(tx *store.Tx) error {
			return tx.AppendAudit(audit.Entry{At: time.Now().UTC(), ActorID: "operator", Action: "backup.restored",
				Detail: fmt.Sprintf("restored from %s over %s: %s", filepath.Base(src), filepath.Base(target), dropped)})
		})
	}
	db.Close()
	if err != nil {
		return fmt.Errorf("%s cannot be restored, and nothing was changed: %w", src, err)
	}
	kept, err := store.ReplaceSQLite(ctx, tmp, target)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s from %s (made at schema %s, now %s): %d cases, %d events, audit chain of %d entries verified\n",
		target, src, schema, r.Schema, r.Cases, r.Events, r.AuditEntries)
	fmt.Fprintf(stdout, "%s\n", dropped)
	if len(again) > 0 {
		fmt.Fprintf(stdout, "erased again, as they were erased after the backup was taken: %s\n", strings.Join(again, ", "))
	}
	if len(fromLedger.Reapplied) > 0 {
		fmt.Fprintf(stdout, "erased again, as the erasure ledger %s records their lawful erasure: %s\n", db.ErasureLedger().Path(), strings.Join(fromLedger.Reapplied, ", "))
	}
	if kept != "" {
		fmt.Fprintf(stdout, "the database it replaced is kept at %s: delete it once the restored service is checked\n", kept)
	}
	if len(r.StaleReadModels) > 0 {
		fmt.Fprintf(stdout, "the case lists of %d cases disagree with their logs (nothing is lost): run \"waymark rebuild\" before starting the service\n", len(r.StaleReadModels))
	}
	return nil
}

// replacedDatabase opens the database a restore replaces, with the master
// keys, to read what it records.
func replacedDatabase(ctx context.Context, c *config, target string) (*store.DB, error) {
	// Opened as it is: a restore that is refused must leave it unchanged,
	// so it is not migrated (a schema behind this build is refused).
	old, err := store.OpenExisting(ctx, target)
	if err != nil {
		return nil, err
	}
	if err := old.RequireCurrent(ctx); err != nil {
		old.Close()
		return nil, err
	}
	ring, err := c.keyRing(target)
	if err != nil {
		old.Close()
		return nil, err
	}
	if ring != nil {
		old.SetKeyRing(ring)
	}
	return old, nil
}

// checkAgainstCheckpoint refuses (unless force) a backup that ends before
// the checkpoint in DATA/checkpoint.json (or --checkpoint-file): restoring
// it silently rolls back everything after. A backup that reaches it must
// still hold all it covered. It says which audit entries the restore drops.
func checkAgainstCheckpoint(ctx context.Context, c *config, db *store.DB, oldHead int64, force bool) (string, error) {
	head, err := db.AuditHead(ctx)
	if err != nil {
		return "", err
	}
	dropped := fmt.Sprintf("the backup's audit log ends at entry %d", head)
	switch {
	case oldHead > head:
		dropped += fmt.Sprintf("; entries %d to %d of the database it replaced are not in it", head+1, oldHead)
	case oldHead >= 0:
		dropped += fmt.Sprintf("; the database it replaced ended at entry %d", oldHead)
	}
	for _, path := range []string{c.checkpointPath(), filepath.Join(c.dataDir, DefaultCheckpointFile)} {
		b, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		var cp store.Checkpoint
		if err := json.Unmarshal(b, &cp); err != nil {
			return "", fmt.Errorf("checkpoint file %s: %w", path, err)
		}
		if cp.AuditSeq > head {
			if !force {
				return "", fmt.Errorf("the backup ends at audit entry %d, before the checkpoint %s (signed %s, audit entry %d): restoring it rolls back everything recorded since. "+
					"Nothing was changed; restore a newer backup, or pass --force to roll back knowingly", head, path, cp.At.Format(time.RFC3339), cp.AuditSeq)
			}
			dropped += fmt.Sprintf("; rolled back past the checkpoint of %s (audit entry %d) with --force", cp.At.Format(time.RFC3339), cp.AuditSeq)
		} else if _, err := db.Verify(ctx, store.VerifyOptions{Checkpoints: []store.Checkpoint{cp}}); err != nil && !force {
			return "", fmt.Errorf("the backup does not hold what the checkpoint %s covered, and nothing was changed: %w", path, err)
		}
		break
	}
	return dropped, nil
}
