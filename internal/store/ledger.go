package store

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/crypt"
)

// The erasure ledger (docs/security.md, "Erasure survives restores"). A
// lawful erasure destroys a case's data key in the database; a backup taken
// before it still holds the key, so restoring that backup would bring the
// child's details back. The ledger is a file kept outside the database, with
// the master key rather than with the database's backups: every erasure is
// appended to it, and flushed to disk, before the erasure commits, and every
// start applies every entry again, whatever the database now says.
//
// One JSON object a line, never rewritten, only appended to:
//
//	{"n":1,"kind":"erased","case":"…","at":"…","by":"user id","basis":"…","key":"k1","prev":"","mac":"…"}
//
// No child's details and no names: the case id, when, and the audit
// reference (the user id and legal basis that authorised it). "prev" is the
// SHA-256 of the line before, so a line edited, removed or moved breaks the
// next; "mac" is an HMAC-SHA256 over the line under a key derived from
// master key "key" (crypt.KeyRing.LedgerKey), so a line written without the
// key cannot destroy a case. A line under a master key that is no longer
// configured is accepted only when a later line, under a configured key,
// covers it through the chain: each start of a writing command appends a
// "vouched" line under the newest key when the last line is under another,
// so that older keys can be retired. The last line is always under a
// configured key. What the file alone cannot show is whole lines cut from
// its end: a database that still records such an erasure puts it back on the
// next start (SyncErasureLedger).

// LedgerEntry is one line of the erasure ledger.
type LedgerEntry struct {
	N      int       `json:"n"`
	Kind   string    `json:"kind"` // LedgerErased, LedgerDraftDeleted or LedgerVouched
	CaseID string    `json:"case,omitempty"`
	Draft  string    `json:"draft,omitempty"` // LedgerDraftDeleted: the unsent draft's id
	At     time.Time `json:"at"`
	By     string    `json:"by,omitempty"`    // the user id that authorised it (audit reference)
	Basis  string    `json:"basis,omitempty"` // its legal basis
	Key    string    `json:"key"`             // master key the MAC is derived from
	Prev   string    `json:"prev"`            // SHA-256 of the line before, hex; "" for the first
	MAC    string    `json:"mac"`
}

// Kinds of ledger lines.
const (
	LedgerErased  = "erased"
	LedgerVouched = "vouched" // covers the lines before it under a newer master key
	// An unsent concern draft deleted after retention review: it holds a
	// child's details, and a restore must not bring it back either.
	LedgerDraftDeleted = "draft_deleted"
)

// LedgerError says why a ledger cannot be trusted. Waymark refuses to start
// on it: applying a forged line would destroy a case, and ignoring a damaged
// file could bring an erased child back.
type LedgerError struct {
	File   string
	Line   int // 0 when the file as a whole is at fault
	Reason string
}

func (e *LedgerError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("erasure ledger %s, line %d: %s. Nothing was applied from it; restore the ledger from its own copy, kept with the master key (docs/operations.md, \"Erasure ledger\")", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("erasure ledger %s: %s (docs/operations.md, \"Erasure ledger\")", e.File, e.Reason)
}

// Ledger is the erasure ledger file. Appends from goroutines of one process
// are serialised by mu, and from processes sharing the file by a lock on it.
type Ledger struct {
	path string
	mu   sync.Mutex
}

// OpenLedger names the ledger file, creating it (0600) when missing. A file
// other users can read or write is refused.
func OpenLedger(path string) (*Ledger, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: opening the erasure ledger: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("store: opening the erasure ledger: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, &LedgerError{File: path, Reason: "it is not a regular file"}
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, &LedgerError{File: path, Reason: fmt.Sprintf("other users can read or write it (mode %04o): run `chmod 600 %s`", perm, path)}
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("store: opening the erasure ledger: %w", err)
	}
	if err := syncPath(filepath.Dir(path)); err != nil { // its name is durable too
		return nil, err
	}
	return &Ledger{path: path}, nil
}

// Path is the ledger's file name.
func (l *Ledger) Path() string { return l.path }

func ledgerMAC(ring *crypt.KeyRing, e LedgerEntry) (string, error) {
	key, err := ring.LedgerKey(e.Key)
	if err != nil {
		return "", err
	}
	e.MAC = ""
	b, err := json.Marshal(e)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	m.Write(b)
	return hex.EncodeToString(m.Sum(nil)), nil
}

func lineHash(line []byte) string {
	h := sha256.Sum256(line)
	return hex.EncodeToString(h[:])
}

// parseLedger checks a ledger's whole text and returns its entries and the
// hash of its last line.
func parseLedger(file string, text []byte, ring *crypt.KeyRing) ([]LedgerEntry, string, error) {
	if len(text) == 0 {
		return nil, "", nil
	}
	if ring == nil {
		return nil, "", &LedgerError{File: file, Reason: "it holds erasures but no master key is configured to check them: configure the master key"}
	}
	if text[len(text)-1] != '\n' {
		n := bytes.Count(text, []byte("\n")) + 1
		return nil, "", &LedgerError{File: file, Line: n, Reason: "the last line is incomplete: the file was cut short or written to behind Waymark's back"}
	}
	lines := bytes.Split(text[:len(text)-1], []byte("\n"))
	out := make([]LedgerEntry, 0, len(lines))
	prev, lastVerified := "", 0
	for i, line := range lines {
		n := i + 1
		var e LedgerEntry
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil || dec.More() {
			return nil, "", &LedgerError{File: file, Line: n, Reason: "it is not a ledger line (edited, or not written by Waymark)"}
		}
		switch {
		case e.N != n:
			return nil, "", &LedgerError{File: file, Line: n, Reason: fmt.Sprintf("it is numbered %d: lines were removed, added or moved", e.N)}
		case e.Prev != prev:
			return nil, "", &LedgerError{File: file, Line: n, Reason: "it does not follow the line before it: a line before it was edited, removed or moved"}
		case e.Kind != LedgerErased && e.Kind != LedgerVouched && e.Kind != LedgerDraftDeleted,
			e.Kind == LedgerErased && e.CaseID == "", e.Kind == LedgerDraftDeleted && e.Draft == "":
			return nil, "", &LedgerError{File: file, Line: n, Reason: "it records nothing Waymark writes"}
		}
		if ring.Has(e.Key) {
			want, err := ledgerMAC(ring, e)
			if err != nil {
				return nil, "", err
			}
			if !hmac.Equal([]byte(want), []byte(e.MAC)) {
				return nil, "", &LedgerError{File: file, Line: n, Reason: "its authentication code does not match: it was forged or edited, and is not applied"}
			}
			lastVerified = n
		}
		e.At = e.At.UTC()
		out = append(out, e)
		prev = lineHash(line)
	}
	if lastVerified != len(lines) {
		return nil, "", &LedgerError{File: file, Line: len(lines), Reason: fmt.Sprintf("it is under master key %q, which is not configured, so nothing vouches for the ledger: configure that key again (a start then vouches for the ledger under the newest key before the old one is retired)", out[len(out)-1].Key)}
	}
	return out, prev, nil
}

// Entries reads and checks the whole ledger.
func (l *Ledger) Entries(ring *crypt.KeyRing) ([]LedgerEntry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, err := os.Open(l.path)
	if err != nil {
		return nil, fmt.Errorf("store: reading the erasure ledger: %w", err)
	}
	defer f.Close()
	unlock, err := lockFile(f, false) // never half a line another process is appending
	if err != nil {
		return nil, fmt.Errorf("store: locking the erasure ledger: %w", err)
	}
	defer unlock()
	text, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("store: reading the erasure ledger: %w", err)
	}
	entries, _, err := parseLedger(l.path, text, ring)
	return entries, err
}

// Erased lists the erasure lines of entries, the first for each case.
func Erased(entries []LedgerEntry) []LedgerEntry {
	seen := map[string]bool{}
	var out []LedgerEntry
	for _, e := range entries {
		if e.Kind == LedgerErased && !seen[e.CaseID] {
			seen[e.CaseID] = true
			out = append(out, e)
		}
	}
	return out
}

// appendLine adds one line under the newest master key, after checking
// the whole file, and flushes it to disk before returning. With skip, it
// first looks at the entries and appends nothing when skip says so.
func (l *Ledger) appendLine(ring *crypt.KeyRing, e LedgerEntry, skip func([]LedgerEntry) bool) (bool, error) {
	if ring == nil {
		return false, errors.New("store: the erasure ledger needs a master key")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	f, err := os.OpenFile(l.path, os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		return false, fmt.Errorf("store: writing the erasure ledger: %w", err)
	}
	defer f.Close()
	unlock, err := lockFile(f, true)
	if err != nil {
		return false, fmt.Errorf("store: locking the erasure ledger: %w", err)
	}
	defer unlock()
	text, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<40))
	if err != nil {
		return false, fmt.Errorf("store: reading the erasure ledger: %w", err)
	}
	entries, prev, err := parseLedger(l.path, text, ring)
	if err != nil {
		return false, err
	}
	if skip != nil && skip(entries) {
		return false, nil
	}
	e.N, e.Prev, e.Key, e.At = len(entries)+1, prev, ring.Primary(), utc(e.At)
	if e.MAC, err = ledgerMAC(ring, e); err != nil {
		return false, err
	}
	b, err := json.Marshal(e)
	if err != nil {
		return false, err
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		// Leave no half line (a full disk) to stop every later start:
		// the erasure is not acknowledged, and the ledger is as it was.
		if terr := f.Truncate(int64(len(text))); terr != nil {
			err = errors.Join(err, fmt.Errorf("cutting the incomplete line off again: %w", terr))
		}
		return false, fmt.Errorf("store: writing the erasure ledger: %w", err)
	}
	return true, nil
}

// AppendErasure records a lawful erasure in the ledger, flushed to disk,
// unless the ledger has the case already. It reports whether it wrote.
func (l *Ledger) AppendErasure(ring *crypt.KeyRing, e Erasure) (bool, error) {
	return l.appendLine(ring, LedgerEntry{Kind: LedgerErased, CaseID: e.CaseID, At: e.At, By: e.By, Basis: e.LegalBasis},
		func(entries []LedgerEntry) bool {
			for _, x := range entries {
				if x.Kind == LedgerErased && x.CaseID == e.CaseID {
					return true
				}
			}
			return false
		})
}

// Vouch appends a line under the newest master key when the last line is
// under another, so that the older key can be retired. It reports whether
// it wrote.
func (l *Ledger) Vouch(ring *crypt.KeyRing, now time.Time) (bool, error) {
	if ring == nil {
		return false, nil
	}
	return l.appendLine(ring, LedgerEntry{Kind: LedgerVouched, At: now}, func(entries []LedgerEntry) bool {
		return len(entries) == 0 || entries[len(entries)-1].Key == ring.Primary()
	})
}

// SetErasureLedger gives the database the ledger every erasure is appended
// to before it commits (nil: none).
func (db *DB) SetErasureLedger(l *Ledger) { db.keys.ledger.Store(l) }

// ErasureLedger returns the ledger, or nil.
func (db *DB) ErasureLedger() *Ledger { return db.keys.ledger.Load() }

// recordErasures appends the erasures of a transaction to the ledger just
// before it commits: an erasure that could not be written to the ledger is
// rolled back, never acknowledged.
func (t *Tx) recordErasures() error {
	l := t.db.ErasureLedger()
	if l == nil || len(t.erased)+len(t.draftsDeleted) == 0 {
		return nil
	}
	for _, e := range t.erased {
		if _, err := l.AppendErasure(t.ring(), e); err != nil {
			return fmt.Errorf("store: the erasure of case %s was not committed, as it could not be written to the erasure ledger: %w", e.CaseID, err)
		}
	}
	if t.ring() == nil {
		return nil // nothing is encrypted: the ledger cannot be written, and protects nothing
	}
	for _, e := range t.draftsDeleted {
		if _, err := l.appendLine(t.ring(), e, func(entries []LedgerEntry) bool { return len(deletedDrafts(entries, e.Draft)) > 0 }); err != nil {
			return fmt.Errorf("store: the deletion of draft %s was not committed, as it could not be written to the erasure ledger: %w", e.Draft, err)
		}
	}
	return nil
}

// deletedDrafts lists the draft deletions of entries, the first for each
// draft; with only, those of that draft.
func deletedDrafts(entries []LedgerEntry, only string) []LedgerEntry {
	seen := map[string]bool{}
	var out []LedgerEntry
	for _, e := range entries {
		if e.Kind == LedgerDraftDeleted && !seen[e.Draft] && (only == "" || e.Draft == only) {
			seen[e.Draft] = true
			out = append(out, e)
		}
	}
	return out
}

// draftsPending lists the draft deletions of entries that the database
// holds undone: the draft is there, unsent.
func (db *DB) draftsPending(ctx context.Context, entries []LedgerEntry) ([]LedgerEntry, error) {
	var pending []LedgerEntry
	err := db.View(ctx, func(t *Tx) error {
		for _, e := range deletedDrafts(entries, "") {
			var n int
			if err := t.queryRow(`SELECT COUNT(*) FROM concern_drafts WHERE id = $1 AND submitted_case_id IS NULL`, e.Draft).Scan(&n); err != nil {
				return fmt.Errorf("store: looking up a draft of the erasure ledger: %w", err)
			}
			if n > 0 {
				pending = append(pending, e)
			}
		}
		return nil
	})
	return pending, err
}

// LedgerReport is what applying the ledger to a database did.
type LedgerReport struct {
	Entries       int      // erasures in the ledger
	Reapplied     []string // cases erased again: the database held them unerased
	DraftsDeleted []string // unsent drafts deleted again: the database held them
	Absent        []string // cases the database does not hold (the erasure stands if they come back)
	Copied        []string // erasures the database records that the ledger lacked, now appended
	Vouched       bool     // a line under the newest master key was appended
}

// ledgerState sorts the ledger's erasures by what the database holds of
// them: erased already, unerased (pending), or no such case (absent).
func (db *DB) ledgerState(ctx context.Context, entries []LedgerEntry) (pending []LedgerEntry, absent []string, err error) {
	err = db.View(ctx, func(t *Tx) error {
		for _, e := range Erased(entries) {
			var cases, erased, live int
			if err := t.queryRow(`SELECT (SELECT COUNT(*) FROM cases WHERE id = $1), (SELECT COUNT(*) FROM erasures WHERE case_id = $1),
				(SELECT COUNT(*) FROM data_keys WHERE owner_kind = 'case' AND owner_id = $1 AND destroyed_at IS NULL)`, e.CaseID).Scan(&cases, &erased, &live); err != nil {
				return fmt.Errorf("store: looking up a case of the erasure ledger: %w", err)
			}
			// Whether the case is erased is decided by its data key: reads
			// go by the key (and the audit log), never by an erasures row,
			// which a writer without the key can insert beside a restored
			// case to make it look done.
			switch {
			case live > 0:
				pending = append(pending, e)
			case cases > 0 || erased > 0:
				// Its key is destroyed already (if its erasure record is
				// gone, verify names it): nothing can be read.
			default:
				absent = append(absent, e.CaseID)
			}
		}
		return nil
	})
	return pending, absent, err
}

// LedgerPending lists the cases the ledger says were erased that the
// database holds unerased (what the next start erases again), and those it
// does not hold at all: what `waymark verify` reports. It writes nothing.
func (db *DB) LedgerPending(ctx context.Context) (pending, absent []string, err error) {
	l := db.ErasureLedger()
	if l == nil {
		return nil, nil, nil
	}
	entries, err := l.Entries(db.KeyRing())
	if err != nil {
		return nil, nil, err
	}
	p, absent, err := db.ledgerState(ctx, entries)
	for _, e := range p {
		pending = append(pending, e.CaseID)
	}
	if err != nil {
		return pending, absent, err
	}
	drafts, err := db.draftsPending(ctx, entries)
	for _, e := range drafts {
		pending = append(pending, "unsent draft "+e.Draft)
	}
	return pending, absent, err
}

// ApplyErasureLedger makes the database agree with the ledger, whatever it
// now holds (a restored backup or dump from before an erasure): every case
// the ledger says was erased has its data key destroyed and its erasure
// recorded, audited as re-applied by the system. Then every erasure the
// database records that the ledger lacks (made on another replica, or cut
// from the ledger's end) is appended to it, and the ledger is vouched for
// under the newest master key. A ledger that does not check is refused
// whole: nothing is applied from it.
func (db *DB) ApplyErasureLedger(ctx context.Context, now time.Time) (LedgerReport, error) {
	var r LedgerReport
	l := db.ErasureLedger()
	if l == nil {
		return r, nil
	}
	ring := db.KeyRing()
	entries, err := l.Entries(ring)
	if err != nil {
		return r, err
	}
	r.Entries = len(Erased(entries))
	pending, absent, err := db.ledgerState(ctx, entries)
	if err != nil {
		return r, err
	}
	r.Absent = absent
	for _, e := range pending {
		err := db.Update(ctx, func(t *Tx) error {
			var live int
			if err := t.queryRow(`SELECT COUNT(*) FROM data_keys WHERE owner_kind = 'case' AND owner_id = $1 AND destroyed_at IS NULL`, e.CaseID).Scan(&live); err != nil {
				return err
			}
			if live == 0 {
				return nil // erased meanwhile by another replica
			}
			// An erasure record beside a live data key was not written by
			// an erasure (which destroys the key in the same transaction):
			// the erasure made now replaces it.
			if _, err := t.exec(`DELETE FROM erasures WHERE case_id = $1`, e.CaseID); err != nil {
				return err
			}
			if err := t.EraseCase(Erasure{CaseID: e.CaseID, At: e.At, By: e.By, LegalBasis: e.Basis,
				Reason: "Erased again from the erasure ledger: a restore had brought the case back."}); err != nil {
				return err
			}
			return t.AppendAudit(audit.Entry{At: now, ActorID: "system", CaseID: e.CaseID, Action: "case.erased",
				Detail: fmt.Sprintf("re-applied from the erasure ledger after a restore: erased on %s by %s (%s), ledger line %d", e.At.Format(time.RFC3339), e.By, e.Basis, e.N)})
		})
		if err != nil {
			var live int
			if qerr := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM data_keys WHERE owner_kind = 'case' AND owner_id = $1 AND destroyed_at IS NULL`, e.CaseID).Scan(&live); qerr == nil && live == 0 {
				continue // another replica erased it first
			}
			return r, fmt.Errorf("store: applying the erasure ledger to case %s: %w", e.CaseID, err)
		}
		r.Reapplied = append(r.Reapplied, e.CaseID)
	}
	drafts, err := db.draftsPending(ctx, entries)
	if err != nil {
		return r, err
	}
	for _, e := range drafts {
		deleted := false
		err := db.Update(ctx, func(t *Tx) error {
			if err := t.DeleteUnsentDraft(e.Draft, e.At); err != nil {
				if waymark.ErrorCode(err) == waymark.ENOTFOUND {
					return nil // deleted meanwhile by another replica
				}
				return err
			}
			deleted = true
			t.draftsDeleted = nil // in the ledger already
			return t.AppendAudit(audit.Entry{At: now, ActorID: "system", Action: "draft.deleted",
				Detail: fmt.Sprintf("unsent draft %s deleted again from the erasure ledger after a restore: deleted on %s, ledger line %d", e.Draft, e.At.Format(time.RFC3339), e.N)})
		})
		if err != nil {
			return r, fmt.Errorf("store: applying the erasure ledger to draft %s: %w", e.Draft, err)
		}
		if deleted {
			r.DraftsDeleted = append(r.DraftsDeleted, e.Draft)
		}
	}
	if len(r.Reapplied)+len(r.DraftsDeleted) > 0 {
		// A scrub that cannot finish now stays pending for the background
		// checkpoint (Scrub), so it does not stop the start.
		if err := db.Scrub(ctx); err != nil {
			slog.Warn("the WAL could not be truncated after re-applying erasures", "err", err)
		}
	}
	if r.Copied, err = db.copyErasuresToLedger(ctx, l, entries); err != nil {
		return r, err
	}
	if r.Vouched, err = l.Vouch(ring, now); err != nil {
		return r, err
	}
	return r, nil
}

// copyErasuresToLedger appends every erasure the database records that the
// ledger's entries lack. Only a record whose seal matches is copied: a row
// written into the database without the master key must not become a
// ledger line, which the key vouches for and which a later start or restore
// would apply by destroying the case's data key. Such rows are named in the
// error, after the genuine ones are copied.
func (db *DB) copyErasuresToLedger(ctx context.Context, l *Ledger, entries []LedgerEntry) ([]string, error) {
	have := map[string]bool{}
	for _, e := range Erased(entries) {
		have[e.CaseID] = true
	}
	recorded, err := db.sealedErasures(ctx)
	if err != nil {
		return nil, err
	}
	var copied, forged []string
	for _, x := range recorded {
		if have[x.e.CaseID] {
			continue
		}
		if x.unknownKey {
			continue // sealed under a master key not configured here: copied once it is
		}
		if !x.sealed {
			forged = append(forged, x.e.CaseID)
			continue
		}
		wrote, err := l.AppendErasure(db.KeyRing(), x.e)
		if err != nil {
			return copied, err
		}
		if wrote {
			copied = append(copied, x.e.CaseID)
		}
	}
	if len(forged) > 0 {
		return copied, fmt.Errorf("store: the erasure records of cases %s do not match their seals (written behind Waymark's back?): "+
			"they were not copied into the erasure ledger %s; run `waymark verify`", strings.Join(forged, ", "), l.Path())
	}
	return copied, nil
}

type sealedErasure struct {
	e          Erasure
	sealed     bool // its seal matches under a configured master key
	unknownKey bool // its seal names a master key not configured here (another replica's, mid-rotation)
}

// sealedErasures lists the database's erasure records, each with whether
// its seal matches.
func (db *DB) sealedErasures(ctx context.Context) ([]sealedErasure, error) {
	ring := db.KeyRing()
	var out []sealedErasure
	rows, err := db.sql.QueryContext(ctx, `SELECT case_id, erased_at, erased_by, reason, legal_basis, seal_key, mac FROM erasures ORDER BY erased_at, case_id`)
	if err != nil {
		return nil, fmt.Errorf("store: listing erasures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var x sealedErasure
		var keyID, mac string
		if err := rows.Scan(&x.e.CaseID, &x.e.At, &x.e.By, &x.e.Reason, &x.e.LegalBasis, &keyID, &mac); err != nil {
			return nil, err
		}
		x.e.At = x.e.At.UTC()
		switch {
		case ring == nil || mac == "":
		case !ring.Has(keyID):
			x.unknownKey = true
		default:
			if key, err := ring.SealKey(keyID); err == nil {
				x.sealed = audit.EventMACEqual(audit.ErasureMAC(key, keyID, x.e.CaseID, x.e.At, x.e.By, x.e.Reason, x.e.LegalBasis), mac)
			}
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
