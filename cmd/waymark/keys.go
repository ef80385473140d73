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
	"sort"
	"strings"
	"time"

	"waymark/internal/audit"
	"waymark/internal/casework"
	"waymark/internal/crypt"
	"waymark/internal/store"
)

// Master keys (docs/operations.md "Encryption keys"): from the file named by
// --master-key-file (WAYMARK_MASTER_KEY_FILE), or WAYMARK_MASTER_KEY itself,
// one "ID:BASE64" per line or comma, the newest last. Never in the database.

// DemoKeyFile is the master key `waymark demo` makes in its data folder when
// none is configured. It sits next to the database it protects, so it
// protects nothing against a thief of the folder: demo only.
const DemoKeyFile = "demo-master.key"

type keyMode int

const (
	keysOptional keyMode = iota // admin commands: configured, else the demo key next to the database, else none
	keysDemo                    // demo: configured, else the demo key, made if missing
	keysRequired                // serve: configured, or --insecure-no-encryption
)

type privacyConfig struct {
	file       string
	insecure   bool
	mode       keyMode
	note       string // what to tell the operator about the key used
	retention  casework.RetentionPolicy
	keysSource string
}

func (c *config) keyFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.privacy.file, "master-key-file", "", "file of master keys for encryption at rest, one ID:BASE64 a line, newest last (WAYMARK_MASTER_KEY_FILE; or the keys themselves in WAYMARK_MASTER_KEY)")
	fs.BoolVar(&c.privacy.insecure, "insecure-no-encryption", false, "serve without a master key, storing children's details in plain text: never with real data (WAYMARK_INSECURE_NO_ENCRYPTION)")
	d := casework.DefaultRetention
	fs.IntVar(&c.privacy.retention.ClosedCaseYears, "retention-closed-case-years", d.ClosedCaseYears, "review a closed case this many years after it was closed (WAYMARK_RETENTION_CLOSED_CASE_YEARS)")
	fs.IntVar(&c.privacy.retention.UnsentDraftDays, "retention-unsent-draft-days", d.UnsentDraftDays, "review a concern draft never sent this many days after it was last saved (WAYMARK_RETENTION_UNSENT_DRAFT_DAYS)")
	fs.IntVar(&c.privacy.retention.AuditYears, "retention-audit-years", d.AuditYears, "review audit entries older than this many years (WAYMARK_RETENTION_AUDIT_YEARS)")
}

// keyRing finds the master keys for the database at url.
func (c *config) keyRing(url string) (*crypt.KeyRing, error) {
	k := &c.privacy
	switch {
	case k.file != "":
		info, err := os.Stat(k.file)
		if err != nil {
			return nil, fmt.Errorf("reading the master key file: %w", err)
		}
		if info.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("the master key file %s can be read by other users (mode %04o): run `chmod 600 %s`, then start Waymark again", k.file, info.Mode().Perm(), k.file)
		}
		text, err := os.ReadFile(k.file)
		if err != nil {
			return nil, fmt.Errorf("reading the master key file: %w", err)
		}
		r, err := crypt.ParseKeys(string(text))
		if err != nil {
			return nil, fmt.Errorf("master key file %s: %w", k.file, err)
		}
		k.keysSource = k.file
		return r, nil
	case c.secret("WAYMARK_MASTER_KEY") != "":
		r, err := crypt.ParseKeys(c.secret("WAYMARK_MASTER_KEY"))
		if err != nil {
			return nil, fmt.Errorf("WAYMARK_MASTER_KEY: %w", err)
		}
		k.keysSource = "WAYMARK_MASTER_KEY"
		return r, nil
	}
	if k.mode == keysRequired || isPostgres(url) {
		return nil, nil
	}
	path := filepath.Join(filepath.Dir(strings.TrimPrefix(url, "sqlite:")), DemoKeyFile)
	text, err := os.ReadFile(path)
	switch {
	case err == nil:
	case errors.Is(err, os.ErrNotExist) && k.mode == keysDemo:
		line, err := crypt.GenerateKey()
		if err != nil {
			return nil, err
		}
		text = []byte("# Waymark DEMO master key, made by `waymark demo`. It sits next to the database it\n" +
			"# protects, so it protects nothing: never use it for real data (docs/operations.md).\n" + line + "\n")
		if err := os.WriteFile(path, text, 0o600); err != nil {
			return nil, fmt.Errorf("writing the demo master key: %w", err)
		}
		k.note = "made a demo master key in " + path + " (demo only: it sits next to the database)"
	case errors.Is(err, os.ErrNotExist):
		return nil, nil
	default:
		return nil, err
	}
	r, err := crypt.ParseKeys(string(text))
	if err != nil {
		return nil, fmt.Errorf("demo master key %s: %w", path, err)
	}
	if k.note == "" {
		k.note = "using the demo master key " + path + " (demo only: it sits next to the database)"
	}
	k.keysSource = path
	return r, nil
}

// applyKeys gives the database its master keys and encrypts anything
// written before there were any.
func (c *config) applyKeys(ctx context.Context, db *store.DB, url string, log *slog.Logger) error {
	ring, err := c.keyRing(url)
	if err != nil {
		return err
	}
	if ring == nil {
		if c.privacy.mode == keysRequired && !c.privacy.insecure {
			return errors.New("no master key is configured, and Waymark will not store children's details unencrypted: " +
				"make one with `waymark keys generate > /secure/place/waymark.keys && chmod 600 /secure/place/waymark.keys` and set WAYMARK_MASTER_KEY_FILE to it " +
				"(keep it and its backups apart from the database's; docs/operations.md), or pass --insecure-no-encryption for a throwaway test")
		}
		if c.privacy.mode == keysRequired {
			log.Warn("ENCRYPTION AT REST IS OFF (--insecure-no-encryption): children's details are stored in plain text. Never use this with real data.")
		}
		return nil
	}
	db.SetKeyRing(ring)
	if c.privacy.note != "" {
		log.Warn(c.privacy.note)
	}
	if c.mode == openCheck {
		return nil // a checking command encrypts and seals nothing
	}
	n, err := db.SealPlaintext(ctx)
	if err != nil {
		return fmt.Errorf("encrypting data written before a master key was configured: %w", err)
	}
	if n > 0 {
		log.Info("encrypted rows written before a master key was configured", "rows", n)
	}
	return nil
}

func runKeys(ctx context.Context, sub string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if sub == "generate" {
		fs := flag.NewFlagSet("keys generate", flag.ContinueOnError)
		fs.SetOutput(stderr)
		if _, err := parseFlags(fs, args, nil); err != nil {
			return err
		}
		line, err := crypt.GenerateKey()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "# Waymark master key made %s. Append it to the key file (newest last), then run `waymark keys rotate`.\n%s\n", time.Now().UTC().Format(time.RFC3339), line)
		return nil
	}
	if sub != "check" && sub != "rotate" {
		return fmt.Errorf("unknown keys command %q: use generate, check or rotate", sub)
	}
	fs := flag.NewFlagSet("keys "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	c.flags(fs, getenv, "")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if sub == "check" {
		c.mode = openCheck
	}
	c.partnership = true
	db, _, err := openWithLog(ctx, &c, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	ring := db.KeyRing()
	if ring == nil {
		return errors.New("no master key is configured: set WAYMARK_MASTER_KEY_FILE (docs/operations.md)")
	}
	if sub == "rotate" {
		n, err := db.RotateKeys(ctx)
		if err != nil {
			return err
		}
		if err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.AppendAudit(audit.Entry{At: time.Now().UTC(), ActorID: "operator", Action: "keys.rotated", Detail: fmt.Sprintf("%d data keys re-wrapped under master key %s", n, ring.Primary())})
		}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "re-wrapped %d data keys under master key %s\n", n, ring.Primary())
	}
	r, err := db.KeyReport(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "configured master keys (newest last): %s (from %s)\n", strings.Join(ring.IDs(), ", "), c.privacy.keysSource)
	var problems []string
	if len(r.Uses) == 0 {
		fmt.Fprintln(stdout, "no data keys yet")
	}
	for _, u := range r.Uses {
		state := "configured"
		if !u.Configured {
			state = "NOT CONFIGURED: these records cannot be read"
			problems = append(problems, "master key "+u.MasterKeyID+" is in use but not configured")
		}
		fmt.Fprintf(stdout, "master key %s wraps %d data keys (%s)\n", u.MasterKeyID, u.DataKeys, state)
	}
	for _, id := range sortedKeys(r.SealedUnder) {
		if ring.Has(id) {
			fmt.Fprintf(stdout, "master key %s sealed %d case events: keep it configured to verify them\n", id, r.SealedUnder[id])
		} else {
			problems = append(problems, fmt.Sprintf("master key %s sealed %d case events but is not configured: they cannot be verified", id, r.SealedUnder[id]))
		}
	}
	if r.Destroyed > 0 {
		fmt.Fprintf(stdout, "%d data keys destroyed by erasure or retention review\n", r.Destroyed)
	}
	if n := r.PlainEvents + r.PlainDrafts + r.PlainChildNames; n > 0 {
		problems = append(problems, fmt.Sprintf("%d rows are still in plain text", n))
	}
	for _, u := range r.Uses {
		if u.MasterKeyID != ring.Primary() && u.Configured {
			fmt.Fprintf(stdout, "run `waymark keys rotate` to re-wrap the data keys under %s, then master key %s can be retired\n", ring.Primary(), u.MasterKeyID)
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
