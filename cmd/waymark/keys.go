package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"waymark/internal/audit"
	"waymark/internal/casework"
	"waymark/internal/crypt"
	"waymark/internal/store"
)

// Master keys (docs/operations.md "Encryption keys"): from the file named by
// --master-key-file (WAYMARK_MASTER_KEY_FILE), or WAYMARK_MASTER_KEY itself,
// one "ID:BASE64" per line or comma, the newest last, a key being added
// marked "ID:BASE64 unwrap-only" until every replica holds it (crypt.KeyRing).
// Never in the database.

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
	fs.StringVar(&c.privacy.file, "master-key-file", "", "file of master keys for encryption at rest, one ID:BASE64 a line, newest last, a key being added marked unwrap-only (WAYMARK_MASTER_KEY_FILE; or the keys themselves in WAYMARK_MASTER_KEY)")
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
	// A key line with a known id and other bytes stops every command before
	// it writes (an audit entry sealed with it would break the chain for
	// good) or reports the key as configured.
	if err := db.CheckKeysMatch(ctx); err != nil {
		if !c.verifies {
			return err
		}
		// The verifying commands go on: an altered newest entry looks the
		// same as a wrong key here, and they name which it is (they write
		// nothing either way).
		log.Warn(err.Error())
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
	// Cases recorded before migration 0034 are filed for matching (issue 14).
	if n, err = db.FileUnfiledMatchKeys(ctx); err != nil {
		return fmt.Errorf("filing cases for finding earlier records: %w", err)
	}
	if n > 0 {
		log.Info("filed cases recorded before match keys for finding earlier records", "cases", n)
	}
	// Cases recorded before migration 0038 are counted (issue 15, store/statistics.go).
	if n, err = db.FillStatistics(ctx); err != nil {
		return fmt.Errorf("filling the statistics read model: %w", err)
	}
	if n > 0 {
		log.Info("filled the statistics read model for cases recorded before it", "cases", n)
	}
	return nil
}

func runKeys(ctx context.Context, sub string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if sub == "generate" {
		fs := flag.NewFlagSet("keys generate", flag.ContinueOnError)
		fs.SetOutput(stderr)
		unwrapOnly := fs.Bool("unwrap-only", false, "mark the key "+crypt.UnwrapOnlyMarker+": the first step of a rotation (docs/operations.md \"Encryption keys\")")
		if _, err := parseFlags(fs, args, nil); err != nil {
			return err
		}
		line, err := crypt.GenerateKey()
		if err != nil {
			return err
		}
		made := time.Now().UTC().Format(time.RFC3339)
		if *unwrapOnly {
			fmt.Fprintf(stdout, "# Waymark master key made %s, %s until every replica has it: append it to the key file of\n"+
				"# every replica and restart each; then remove \"%s\" everywhere and restart each again; then run\n"+
				"# `waymark keys rotate` (docs/operations.md \"Encryption keys\").\n%s %s\n", made, crypt.UnwrapOnlyMarker, crypt.UnwrapOnlyMarker, line, crypt.UnwrapOnlyMarker)
			return nil
		}
		fmt.Fprintf(stdout, "# Waymark master key made %s. To add a key to a key file in use, make it with\n"+
			"# `waymark keys generate --unwrap-only` instead (docs/operations.md \"Encryption keys\").\n%s\n", made, line)
		return nil
	}
	if sub != "check" && sub != "rotate" {
		return fmt.Errorf("unknown keys command %q: use generate, check or rotate", sub)
	}
	fs := flag.NewFlagSet("keys "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	c.flags(fs, getenv, "")
	var force bool
	if sub == "rotate" {
		fs.BoolVar(&force, "ignore-replicas", false, "re-wrap even though a replica seen running in the last few minutes does not wrap under the same key (only when it is known to be gone)")
	}
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if sub == "check" {
		c.mode = openCheck
		c.readOnly = true
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
	now := time.Now()
	replicas, rerr := db.RunningReplicas(ctx, now.Add(-store.ReplicaStale))
	if sub == "rotate" {
		before, err := db.KeyReport(ctx)
		if err != nil {
			return err
		}
		var moves []string
		total := 0
		for _, u := range before.Uses {
			if u.MasterKeyID != ring.Primary() {
				moves = append(moves, fmt.Sprintf("%d from %s", u.DataKeys, u.MasterKeyID))
				total += u.DataKeys
			}
		}
		if total == 0 {
			fmt.Fprintf(stdout, "nothing to re-wrap: every data key is under master key %s already\n", ring.Primary())
			for _, id := range ring.IDs() {
				if ring.UnwrapOnly(id) {
					fmt.Fprintf(stdout, "master key %s is %s in this key file: to rotate to it, remove the marker in the key file of every replica and restart each first (docs/operations.md \"Encryption keys\")\n", id, crypt.UnwrapOnlyMarker)
				}
			}
		} else {
			fmt.Fprintf(stdout, "will re-wrap %d data keys (%s) under master key %s\n", total, strings.Join(moves, ", "), ring.Primary())
		}
		if rerr != nil {
			return fmt.Errorf("cannot tell which master keys the running replicas hold, so nothing was re-wrapped: %w", rerr)
		}
		blockers, err := db.RotationBlockers(ctx, ring, now.Add(-store.ReplicaStale))
		if err != nil {
			return err
		}
		if len(blockers) > 0 && total > 0 {
			if !force {
				return fmt.Errorf("nothing was re-wrapped: %s. Finish rolling out the key file (docs/operations.md \"Encryption keys\"); a replica that stopped for good counts as running for %s after it was last seen, or pass --ignore-replicas",
					strings.Join(blockers, "; "), store.ReplicaStale)
			}
			fmt.Fprintf(stdout, "re-wrapping all the same (--ignore-replicas): %s\n", strings.Join(blockers, "; "))
		}
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
	fmt.Fprintf(stdout, "master key %s is the primary here: it wraps new data keys and seals new history\n", ring.Primary())
	for _, id := range ring.IDs() {
		if ring.UnwrapOnly(id) {
			fmt.Fprintf(stdout, "master key %s is %s here: it opens and checks, and wraps and seals nothing new; once every replica holds it, remove the marker on every replica to make it the primary\n", id, crypt.UnwrapOnlyMarker)
		}
	}
	var problems []string
	if len(r.Uses) == 0 {
		fmt.Fprintln(stdout, "no data keys yet")
	}
	needed := map[string]bool{}
	for _, u := range r.Uses {
		needed[u.MasterKeyID] = true
		state := "configured"
		if !u.Configured {
			state = "NOT CONFIGURED: these records cannot be read"
			problems = append(problems, "master key "+u.MasterKeyID+" is in use but not configured")
		}
		fmt.Fprintf(stdout, "master key %s wraps %d data keys (%s)\n", u.MasterKeyID, u.DataKeys, state)
	}
	for _, id := range sortedKeys(r.Unopened) {
		problems = append(problems, fmt.Sprintf("%d data keys the database says are wrapped under master key %s do not open with it: "+
			"their rows were changed behind Waymark's back, or the key line is wrong. Run `waymark verify`, and remove no master key from any key file until this is explained", r.Unopened[id], id))
	}
	for _, id := range sortedKeys(r.SealedUnder) {
		needed[id] = true
		if ring.Has(id) {
			fmt.Fprintf(stdout, "master key %s sealed %d case events: keep it configured to verify them\n", id, r.SealedUnder[id])
		} else {
			problems = append(problems, fmt.Sprintf("master key %s sealed %d case events but is not configured: they cannot be verified", id, r.SealedUnder[id]))
		}
	}
	for _, id := range sortedKeys(r.OtherSealsUnder) {
		needed[id] = true
		if ring.Has(id) {
			fmt.Fprintf(stdout, "master key %s sealed %d audit entries, members, accounts and other rows: keep it configured to verify them\n", id, r.OtherSealsUnder[id])
		} else {
			problems = append(problems, fmt.Sprintf("master key %s sealed %d audit entries, members, accounts and other rows but is not configured: they cannot be verified", id, r.OtherSealsUnder[id]))
		}
	}
	if r.Destroyed > 0 {
		fmt.Fprintf(stdout, "%d data keys destroyed by erasure or retention review\n", r.Destroyed)
	}
	if n := r.PlainEvents + r.PlainDrafts + r.PlainChildNames; n > 0 {
		problems = append(problems, fmt.Sprintf("%d rows are still in plain text", n))
	}
	switch {
	case rerr != nil:
		fmt.Fprintf(stdout, "the running replicas' master keys cannot be read: %v\n", rerr)
	case len(replicas) == 0:
		fmt.Fprintf(stdout, "no replica has been seen running in the last %s\n", store.ReplicaStale)
	}
	for _, rep := range replicas {
		line := fmt.Sprintf("replica %s (seen %s): primary %s, holds %s", rep.Replica, rep.SeenAt.Format(time.RFC3339), rep.Primary, strings.Join(rep.Known, ", "))
		if len(rep.UnwrapOnly) > 0 {
			line += ", " + crypt.UnwrapOnlyMarker + " " + strings.Join(rep.UnwrapOnly, ", ")
		}
		fmt.Fprintln(stdout, line)
		for id := range needed {
			if !rep.Knows(id) {
				problems = append(problems, fmt.Sprintf("replica %s does not hold master key %s, which this database needs", rep.Replica, id))
			}
		}
		if rep.Primary != ring.Primary() {
			fmt.Fprintf(stdout, "replica %s wraps under %s, not %s as here: finish rolling out the key file before `waymark keys rotate`\n", rep.Replica, rep.Primary, ring.Primary())
		}
	}
	for _, u := range r.Uses {
		if u.MasterKeyID != ring.Primary() && u.Configured {
			fmt.Fprintf(stdout, "run `waymark keys rotate` to re-wrap the data keys under %s, so that master key %s wraps nothing (it stays needed for what it sealed)\n", ring.Primary(), u.MasterKeyID)
		}
	}
	for _, id := range ring.IDs() {
		if len(r.Unopened) > 0 {
			break // the database's labels cannot be trusted to say what is needed
		}
		if !needed[id] && id != ring.Primary() && !ring.UnwrapOnly(id) {
			busy := false
			for _, rep := range replicas {
				busy = busy || rep.Primary == id
			}
			if !busy {
				fmt.Fprintf(stdout, "master key %s wraps and sealed nothing here, and no running replica wraps under it: it can be removed from every key file (keep a copy as long as older backups need it)\n", id)
			}
		}
	}
	sort.Strings(problems)
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

// noteReplica records this replica's master key ids in the database as it
// starts and every store.ReplicaHeartbeat (so `keys check` lists it and
// `keys rotate` waits for it), warns when a replica seen running and this
// one cannot read what the other makes, and returns what removes the row as
// serve stops.
func noteReplica(ctx context.Context, bg *sync.WaitGroup, db *store.DB, addr string, log *slog.Logger) (stop func()) {
	ring := db.KeyRing()
	if ring == nil {
		return func() {}
	}
	// The host name and address need not tell replicas apart (machines
	// cloned from one image, each on [::]:8443): two sharing a row would
	// hide one's keys from keys rotate, and the first to stop would take the
	// other's row with it. A few random bytes make each process's row its own.
	host, _ := os.Hostname()
	var tag [4]byte
	rand.Read(tag[:])
	name := host + " " + addr + " #" + hex.EncodeToString(tag[:])
	started := time.Now()
	if err := db.NoteReplicaKeys(ctx, name, started, started); err != nil {
		log.Warn("could not note this replica's master keys: `waymark keys check` and `keys rotate` will not see it", "err", err)
	}
	others, err := db.RunningReplicas(ctx, started.Add(-store.ReplicaStale))
	if err != nil {
		log.Warn("could not list the other replicas' master keys", "err", err)
	}
	for _, r := range others {
		if r.Replica == name {
			continue
		}
		if !r.Knows(ring.Primary()) {
			log.Warn("WARNING: a running replica does not hold the master key this one wraps new data keys under: it cannot read the cases this one makes. "+
				"Mark the key "+crypt.UnwrapOnlyMarker+" here until every replica has it (docs/operations.md \"Encryption keys\")", "replica", r.Replica, "key", ring.Primary())
		}
		if r.Primary != "" && !ring.Has(r.Primary) {
			log.Warn("WARNING: a running replica wraps new data keys under a master key this one does not hold: the cases it makes cannot be read here (docs/operations.md \"Encryption keys\")",
				"replica", r.Replica, "key", r.Primary)
		}
	}
	done := make(chan struct{})
	bg.Go(func() {
		t := time.NewTicker(store.ReplicaHeartbeat)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-done:
				return
			case now := <-t.C:
				if err := db.NoteReplicaKeys(ctx, name, started, now); err != nil && ctx.Err() == nil {
					log.Warn("could not renew this replica's master keys in the database", "err", err)
				}
			}
		}
	})
	return func() {
		close(done)
		fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := db.ForgetReplica(fctx, name); err != nil {
			log.Warn("could not remove this replica's master keys from the database: it counts as running for a few minutes more", "err", err)
		}
	}
}
