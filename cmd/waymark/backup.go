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
	"time"

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
	if err := fs.Parse(args); err != nil {
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
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return fmt.Errorf("waymark %s is for the SQLite database: back up PostgreSQL with pg_dump --format=custom and restore it with pg_restore, then run \"waymark audit verify\" (docs/operations.md)", cmd)
	}
	log, err := c.logger(stderr)
	if err != nil {
		return err
	}
	if cmd == "backup" {
		return backup(ctx, &c, fs.Arg(0), stdout, log)
	}
	return restore(ctx, &c, strings.TrimPrefix(url, "sqlite:"), fs.Arg(0), stdout, log)
}

// backup writes a consistent copy while the service runs, then checks the
// copy as a restore would, so that a bad backup is known the day it is made.
func backup(ctx context.Context, c *config, dest string, stdout io.Writer, log *slog.Logger) error {
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("%s already exists: give a new file name, so that no backup is overwritten", dest)
	}
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
func restore(ctx context.Context, c *config, target, src string, stdout io.Writer, log *slog.Logger) error {
	if inUse, err := store.SQLiteInUse(target); err != nil {
		return err
	} else if inUse {
		return store.ErrInUse
	}
	// Lawful erasures recorded since the backup was taken are applied
	// again to the restored copy before it goes live.
	var erasures []store.Erasure
	if _, err := os.Stat(target); err == nil {
		old, err := store.Open(ctx, target)
		if err == nil {
			erasures, err = old.Erasures(ctx)
			old.Close()
		}
		if err != nil {
			log.Warn("cannot read the lawful erasures of the database being replaced: check that no case erased since the backup was taken is back after the restore", "err", err)
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
	db, _, err := open(ctx, &tc, log)
	if err != nil {
		return fmt.Errorf("%s cannot be restored, and nothing was changed: %w", src, err)
	}
	r, err := db.VerifyBackup(ctx)
	var again []string
	if err == nil {
		again, err = db.ReapplyErasures(ctx, erasures, time.Now())
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
	if len(again) > 0 {
		fmt.Fprintf(stdout, "erased again, as they were erased after the backup was taken: %s\n", strings.Join(again, ", "))
	}
	if kept != "" {
		fmt.Fprintf(stdout, "the database it replaced is kept at %s: delete it once the restored service is checked\n", kept)
	}
	if len(r.StaleReadModels) > 0 {
		fmt.Fprintf(stdout, "the case lists of %d cases disagree with their logs (nothing is lost): run \"waymark rebuild\" before starting the service\n", len(r.StaleReadModels))
	}
	return nil
}
