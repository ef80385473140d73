package store

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/crypt"
	"waymark/internal/pathway"
)

// Encryption at rest (docs/security.md). Each case and each concern draft
// has a data key of its own in data_keys, wrapped under the newest master
// key; the master keys are given to the process (SetKeyRing) and never
// stored. What is sealed, with which associated data:
//
//	case_events.payload      case's key   "case_events.payload" case_id seq
//	cases.child_name         case's key   "cases.child_name" case_id
//	concern_drafts.data      draft's key  "concern_drafts.data" draft_id
//	search_tokens.token_hash HMAC-SHA256 under the index key (data_keys 'index'/'search')
//
// Without a key ring (serve --insecure-no-encryption) values are written in
// plain text, and the search index key is all zeros; a database that already
// holds data keys refuses such writes.

// Owner kinds of data keys.
const (
	ownerCase  = "case"
	ownerDraft = "draft"
	ownerIndex = "index"
)

type keyState struct {
	mu        sync.RWMutex
	ring      *crypt.KeyRing
	index     atomic.Pointer[indexKey] // the search index key, once a transaction that read it has ended well (Tx.index)
	encrypted atomic.Bool              // known to hold data keys
	sealed    atomic.Bool              // known to hold sealed history (seal.go)
	ledger    atomic.Pointer[Ledger]   // the erasure ledger outside the database (ledger.go)
}

// SetKeyRing gives the database the master keys. With nil, case data is
// stored in plain text (for --insecure-no-encryption only).
func (db *DB) SetKeyRing(r *crypt.KeyRing) {
	db.keys.mu.Lock()
	defer db.keys.mu.Unlock()
	db.keys.ring = r
}

// KeyRing returns the master keys, or nil.
func (db *DB) KeyRing() *crypt.KeyRing {
	db.keys.mu.RLock()
	defer db.keys.mu.RUnlock()
	return db.keys.ring
}

func (t *Tx) ring() *crypt.KeyRing { return t.db.KeyRing() }

var errNoMasterKey = errors.New("store: this database is encrypted but no master key is configured: set WAYMARK_MASTER_KEY_FILE (docs/operations.md)")

// encrypted reports whether the database holds any data key.
func (t *Tx) encrypted() (bool, error) {
	if t.db.keys.encrypted.Load() {
		return true, nil
	}
	var n int
	if err := t.queryRow(`SELECT COUNT(*) FROM (SELECT 1 FROM data_keys LIMIT 1) k`).Scan(&n); err != nil {
		return false, fmt.Errorf("store: checking for data keys: %w", err)
	}
	if n > 0 {
		t.db.keys.encrypted.Store(true)
	}
	return n > 0, nil
}

// erasedError is what reading or writing an erased case answers.
type erasedError struct{ e *waymark.Error }

func (e erasedError) Error() string { return e.e.Error() }
func (e erasedError) Unwrap() error { return e.e }

func (t *Tx) erasedError(kind, id string) error {
	if kind != ownerCase {
		return erasedError{waymark.Errorf(waymark.EFORBIDDEN, "The details of this record were erased.")}
	}
	e, err := t.CaseErasure(id)
	if err != nil || e == nil {
		return erasedError{waymark.Errorf(waymark.EFORBIDDEN, "The details of this case were erased.")}
	}
	return erasedError{waymark.Errorf(waymark.EFORBIDDEN, "The details of this case were erased on %s (%s). Its history is kept but can no longer be read, and nothing more can be recorded on it.",
		e.At.In(pathway.London).Format("2 January 2006"), e.Reason)}
}

// IsErased reports whether err says the record's data key was destroyed.
func IsErased(err error) bool {
	var e erasedError
	return errors.As(err, &e)
}

func ownerName(kind, id string) string { return kind + ":" + id }

// dataKey returns the owner's data key, creating it when create is set and
// it does not exist yet.
func (t *Tx) dataKey(kind, id string, create bool) ([]byte, error) {
	owner := ownerName(kind, id)
	if k, ok := t.keys[owner]; ok {
		return k, nil
	}
	ring := t.ring()
	if ring == nil {
		return nil, errNoMasterKey
	}
	var master, wrapped string
	var destroyed sql.NullTime
	var erasedSeq sql.NullInt64 // a case's: the audit entry of its lawful erasure, read in the same query
	var err error
	if kind == ownerCase {
		err = t.queryRow(`SELECT master_key_id, wrapped, destroyed_at,
				(SELECT MIN(a.seq) FROM audit_log a WHERE a.case_id = $2 AND a.action = 'case.erased')
			FROM data_keys WHERE owner_kind = $1 AND owner_id = $2`, kind, id).Scan(&master, &wrapped, &destroyed, &erasedSeq)
	} else {
		err = t.queryRow(`SELECT master_key_id, wrapped, destroyed_at FROM data_keys WHERE owner_kind = $1 AND owner_id = $2`, kind, id).Scan(&master, &wrapped, &destroyed)
	}
	switch {
	case errors.Is(err, sql.ErrNoRows) && create:
		dk, err := crypt.NewDataKey()
		if err != nil {
			return nil, err
		}
		master, wrapped, err := ring.Wrap(dk, owner)
		if err != nil {
			return nil, err
		}
		res, err := t.exec(`INSERT INTO data_keys(owner_kind, owner_id, master_key_id, wrapped, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
			kind, id, master, wrapped, utc(time.Now()))
		if err != nil {
			return nil, fmt.Errorf("store: saving data key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 { // made by someone else meanwhile
			return t.dataKey(kind, id, false)
		}
		t.db.keys.encrypted.Store(true)
		t.cacheKey(owner, dk)
		return dk, nil
	case errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("store: %s %w", owner, errNoDataKey)
	case err != nil:
		return nil, fmt.Errorf("store: reading data key: %w", err)
	}
	if kind == ownerCase && !destroyed.Valid {
		if _, ok := t.keys[owner]; !ok {
			// The audit log is the record of a lawful erasure that a writer
			// without the key cannot remove: a case it says was erased is
			// never decrypted, whatever data_keys and erasures hold now
			// (lists read the same through caseKeyColumns). One look-up on
			// a partial index per case and transaction, in the key's query.
			if erasedSeq.Int64 > 0 {
				return nil, t.undoneErasure(id, erasedSeq.Int64)
			}
		}
	}
	return t.unwrap(kind, id, master, wrapped, destroyed.Valid)
}

func (t *Tx) undoneErasure(caseID string, seq int64) error {
	return &TamperError{CaseID: caseID, AuditSeq: seq, Reason: "the audit log records its lawful erasure, but its data key is usable or its erasure record is gone: the erasure was undone behind Waymark's back. Its details are not shown; run `waymark verify`"}
}

func (t *Tx) unwrap(kind, id, master, wrapped string, destroyed bool) ([]byte, error) {
	owner := ownerName(kind, id)
	if k, ok := t.keys[owner]; ok {
		return k, nil
	}
	if destroyed {
		return nil, t.erasedError(kind, id)
	}
	ring := t.ring()
	if ring == nil {
		return nil, errNoMasterKey
	}
	dk, err := ring.Unwrap(master, wrapped, owner)
	if err != nil {
		return nil, err
	}
	t.cacheKey(owner, dk)
	return dk, nil
}

func (t *Tx) cacheKey(owner string, k []byte) {
	if t.keys == nil {
		t.keys = map[string][]byte{}
	}
	t.keys[owner] = k
}

// seal encrypts a value with its owner's data key (made if need be).
func (t *Tx) seal(kind, id, aad string, plaintext []byte) (string, error) {
	if t.ring() == nil {
		if enc, err := t.encrypted(); err != nil || enc {
			return "", errors.Join(err, errNoMasterKey)
		}
		return string(plaintext), nil
	}
	k, err := t.dataKey(kind, id, true)
	if err != nil {
		return "", err
	}
	return crypt.SealText(k, plaintext, aad)
}

// open decrypts a stored value; plain text (written before encryption was
// turned on) is returned as it is.
func (t *Tx) open(kind, id, aad, stored string) ([]byte, error) {
	if !crypt.IsSealed(stored) {
		return []byte(stored), nil
	}
	k, err := t.dataKey(kind, id, false)
	if err != nil {
		return nil, err
	}
	p, err := crypt.OpenText(k, stored, aad)
	if err != nil {
		return nil, fmt.Errorf("store: decrypting %s of %s: %w", aad, ownerName(kind, id), err)
	}
	return p, nil
}

func eventAAD(caseID string, seq int) string {
	return fmt.Sprintf("case_events.payload\x00%s\x00%d", caseID, seq)
}
func childNameAAD(caseID string) string { return "cases.child_name\x00" + caseID }
func draftAAD(draftID string) string    { return "concern_drafts.data\x00" + draftID }

// openChildName decrypts a case row's child_name, with the case's wrapped
// data key read in the same query.
func (t *Tx) openChildName(caseID, stored, master, wrapped string, destroyed bool) (string, error) {
	if destroyed {
		return "(details erased)", nil
	}
	if !crypt.IsSealed(stored) {
		return stored, nil
	}
	k, err := t.unwrap(ownerCase, caseID, master, wrapped, false)
	if err != nil {
		return "", err
	}
	p, err := crypt.OpenText(k, stored, childNameAAD(caseID))
	if err != nil {
		return "", fmt.Errorf("store: decrypting the child's name of case %s: %w", caseID, err)
	}
	return string(p), nil
}

// rememberIndexKey keeps the search index key this transaction read or
// made, once it has committed (or, read-only, ended): a key made by a
// transaction that rolled back was never stored.
func (t *Tx) rememberIndexKey() {
	if t.indexKey != nil {
		t.db.keys.index.Store(t.indexKey)
	}
}

// caseKeyJoin adds the case's wrapped data key to a query over cases c.
const caseKeyJoin = ` LEFT JOIN data_keys dk ON dk.owner_kind = 'case' AND dk.owner_id = c.id`

// A case counts as erased when its key was destroyed or when the audit log
// says it was erased (an erasure undone behind Waymark's back shows no name).
const caseKeyColumns = `COALESCE(dk.master_key_id, ''), COALESCE(dk.wrapped, ''),
	(dk.destroyed_at IS NOT NULL OR EXISTS (SELECT 1 FROM audit_log ae WHERE ae.case_id = c.id AND ae.action = 'case.erased'))`

// indexKey is the search index key unwrapped under one key ring.
type indexKey struct {
	ring *crypt.KeyRing
	key  []byte
}

// index returns the blind index for search, its key made if need be (but
// never in a read-only transaction).
//
// The index key is made once for the database and never changed or
// destroyed (rotating master keys re-wraps the same key), so the process
// keeps it once a transaction that read or made it has committed, or a
// read-only one has ended (rememberIndexKey), for as long as it has the same
// key ring: each write then reads and unwraps no key for its search tokens.
func (t *Tx) index() (*crypt.Index, error) {
	ring := t.ring()
	if ring == nil {
		if enc, err := t.encrypted(); err != nil || enc {
			return nil, errors.Join(err, errNoMasterKey)
		}
		return crypt.NewIndex(make([]byte, crypt.KeySize)), nil
	}
	if c := t.db.keys.index.Load(); c != nil && c.ring == ring {
		return crypt.NewIndex(c.key), nil
	}
	k, err := t.dataKey(ownerIndex, "search", !t.readOnly)
	if err == nil {
		t.indexKey = &indexKey{ring: ring, key: k}
	}
	if errors.Is(err, errNoDataKey) && t.readOnly {
		// No search key and no case yet (a new database): there is
		// nothing to find, and a read-only snapshot makes no key (the
		// first case saved does). A key of the moment matches nothing.
		var cases int
		if qerr := t.queryRow(`SELECT COUNT(*) FROM (SELECT 1 FROM cases LIMIT 1) c`).Scan(&cases); qerr != nil {
			return nil, fmt.Errorf("store: reading cases: %w", qerr)
		}
		if cases == 0 {
			k, err = crypt.NewDataKey()
		}
	}
	if err != nil {
		return nil, err
	}
	return crypt.NewIndex(k), nil
}

// errNoDataKey: an owner's data key was asked for and none exists.
var errNoDataKey = errors.New("has encrypted data but no data key")

// Erasure is the record of a lawful erasure of a case.
type Erasure struct {
	CaseID     string
	At         time.Time
	By         string // user id
	Reason     string
	LegalBasis string
}

// CaseErasure returns the case's erasure, or nil.
func (t *Tx) CaseErasure(caseID string) (*Erasure, error) {
	e := Erasure{CaseID: caseID}
	err := t.queryRow(`SELECT erased_at, erased_by, reason, legal_basis FROM erasures WHERE case_id = $1`, caseID).Scan(&e.At, &e.By, &e.Reason, &e.LegalBasis)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: reading erasure: %w", err)
	}
	e.At = e.At.UTC()
	return &e, nil
}

// ErasedCaseTeam is the Children's Services organisation of an erased case
// as its erasure record's sealed copy of the case row gives it (the row
// itself could be changed by anyone with write access to the database).
// found is false when the case has no erasure record, or one written
// before the copy was kept; a copy whose seal does not match is an error.
func (t *Tx) ErasedCaseTeam(caseID string) (org string, found bool, err error) {
	var keyID, lines, mac string
	err = t.queryRow(`SELECT seal_key, read_model, read_model_mac FROM erasures WHERE case_id = $1`, caseID).Scan(&keyID, &lines, &mac)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil || mac == "" {
		return "", false, err
	}
	ring := t.ring()
	if ring == nil {
		return "", false, errNoMasterKey
	}
	key, err := ring.SealKey(keyID)
	if err != nil {
		return "", false, err
	}
	if !audit.EventMACEqual(audit.ReadModelMAC(key, keyID, caseID, lines), mac) {
		return "", false, &TamperError{CaseID: caseID, Reason: "the read model kept with its erasure record does not match its seal: it was changed"}
	}
	for _, l := range strings.Split(lines, "\n") {
		if v, ok := strings.CutPrefix(l, "cases.cs_org_id = "); ok {
			return v, true, nil
		}
	}
	return "", false, nil
}

// EraseCase crypto-shreds a case: its data key and those of the drafts it
// came from are destroyed, so its events stay in the log as ciphertext that
// nobody can read; the name and search tokens of its read model and its
// running clocks are removed; the erasure is recorded, in the database and,
// before the transaction commits, in the erasure ledger (ledger.go).
func (t *Tx) EraseCase(e Erasure) error {
	if t.ring() == nil {
		return waymark.Errorf(waymark.EFORBIDDEN, "Erasure needs encryption at rest: configure a master key first.")
	}
	if prev, err := t.CaseErasure(e.CaseID); err != nil {
		return err
	} else if prev != nil {
		return waymark.Errorf(waymark.ECONFLICT, "This case was erased already.")
	}
	var plain int
	if err := t.queryRow(`SELECT COUNT(*) FROM case_events WHERE case_id = $1 AND payload NOT LIKE 'wm1:%'`, e.CaseID).Scan(&plain); err != nil {
		return err
	}
	if plain > 0 {
		return fmt.Errorf("store: case %s has %d events in plain text: run waymark with its master key once to encrypt them before erasing", e.CaseID, plain)
	}
	at := utc(e.At)
	res, err := t.exec(`UPDATE data_keys SET master_key_id = '', wrapped = '', destroyed_at = $2 WHERE destroyed_at IS NULL AND
		((owner_kind = 'case' AND owner_id = $1) OR (owner_kind = 'draft' AND owner_id IN (SELECT id FROM concern_drafts WHERE submitted_case_id = $1)))`, e.CaseID, at)
	if err != nil {
		return fmt.Errorf("store: destroying data keys: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return waymark.Errorf(waymark.ENOTFOUND, "Case not found")
	}
	// Search by viewer goes first: its rows are found by the search tokens.
	if err := t.clearViewerTokens(e.CaseID); err != nil {
		return err
	}
	if err := t.clearEntityKeys(e.CaseID); err != nil { // entities.go
		return err
	}
	if err := t.clearStatistics(e.CaseID); err != nil { // statistics.go
		return err
	}
	for _, q := range []string{
		`UPDATE cases SET child_name = '', search_text = LOWER(COALESCE(reference, '')), progress = NULL WHERE id = $1`,
		`DELETE FROM search_tokens WHERE case_id = $1`,
		`DELETE FROM person_match_keys WHERE case_id = $1`, // matchkeys.go
		`DELETE FROM person_match_keys_unfiled WHERE case_id = $1`,
		`DELETE FROM person_match_records WHERE case_id = $1`,
		`DELETE FROM earlier_record_hints WHERE case_id = $1`, // earlier_hints.go
		`DELETE FROM clocks WHERE case_id = $1`,
		`DELETE FROM queue_items WHERE case_id = $1`,
		`DELETE FROM case_escalations WHERE case_id = $1`,
		`DELETE FROM ddm_panel_cases WHERE case_id = $1`, // the panel's list (panel.go)
		`DELETE FROM closed_cases WHERE case_id = $1`,    // off the retention review (retention.go)
	} {
		if _, err := t.exec(q, e.CaseID); err != nil {
			return fmt.Errorf("store: erasing read model: %w", err)
		}
	}
	// Its documents go with it: content and metadata (files.go).
	if err := t.eraseCaseFiles(e.CaseID); err != nil {
		return err
	}
	// Answers typed about the case and kept across a time-out go with it,
	// with their keys (answers.go).
	kept, err := t.stringColumn(`SELECT id FROM saved_answers WHERE case_id = $1`, e.CaseID)
	if err != nil {
		return fmt.Errorf("store: erasing kept answers: %w", err)
	}
	for _, id := range kept {
		if err := t.deleteSavedAnswers(id); err != nil {
			return err
		}
	}
	keyID, key, err := t.sealKey()
	if err != nil {
		return err
	}
	mac := audit.ErasureMAC(key, keyID, e.CaseID, at, e.By, e.Reason, e.LegalBasis)
	if _, err := t.exec(`INSERT INTO erasures(case_id, erased_at, erased_by, reason, legal_basis, seal_key, mac) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.CaseID, at, e.By, e.Reason, e.LegalBasis, keyID, mac); err != nil {
		return fmt.Errorf("store: recording erasure: %w", err)
	}
	// Its events can no longer be replayed: keep what its read model is
	// now, sealed, for verify to compare the rows with.
	if key != nil {
		p, _, err := t.storedProjection(e.CaseID)
		if err != nil {
			return err
		}
		lines := strings.Join(erasedLines(p), "\n")
		if _, err := t.exec(`UPDATE erasures SET read_model = $2, read_model_mac = $3 WHERE case_id = $1`,
			e.CaseID, lines, audit.ReadModelMAC(key, keyID, e.CaseID, lines)); err != nil {
			return fmt.Errorf("store: recording erasure: %w", err)
		}
	}
	for owner := range t.keys {
		delete(t.keys, owner)
	}
	// Appended to the erasure ledger, and flushed, just before the
	// transaction commits (Update): a restore cannot undo it.
	e.At = at
	t.erased = append(t.erased, e)
	return nil
}

// KeyUse is how many live data keys one master key wraps.
type KeyUse struct {
	MasterKeyID string
	DataKeys    int
	Configured  bool
}

// KeyReport says which master keys are in use and what is not encrypted.
type KeyReport struct {
	Uses            []KeyUse
	Destroyed       int // erased data keys
	PlainEvents     int // events written before encryption was turned on
	PlainDrafts     int
	PlainChildNames int
	SealedUnder     map[string]int // case events sealed under each master key: it stays needed to check them
	// Live data keys that do not open with the configured master key their
	// row names, by that id: a label the database gives is not trusted to
	// say which key is needed (keys check), it is tried.
	Unopened        map[string]int
	OtherSealsUnder map[string]int // audit entries, erasures, members, grants, NRM drafts and accounts sealed under each master key
}

// otherSeals are the rows, besides case events, that name the master key
// their seal was derived from.
const otherSeals = `SELECT key_id AS k FROM audit_log WHERE key_id <> ''
	UNION ALL SELECT seal_key FROM erasures WHERE seal_key <> ''
	UNION ALL SELECT seal_key FROM break_glass_grants WHERE seal_key <> ''
	UNION ALL SELECT seal_key FROM case_members WHERE seal_key <> ''
	UNION ALL SELECT seal_key FROM nrm_drafts WHERE seal_key <> ''
	UNION ALL SELECT seal_key FROM organisations WHERE seal_key <> ''
	UNION ALL SELECT seal_key FROM users WHERE seal_key <> ''
	UNION ALL SELECT seal_key FROM user_identities WHERE seal_key <> ''`

// KeyReport counts data keys per master key and any plain-text rows left.
func (db *DB) KeyReport(ctx context.Context) (KeyReport, error) {
	var r KeyReport
	ring := db.KeyRing()
	err := db.Update(ctx, func(t *Tx) error {
		rows, err := t.query(`SELECT master_key_id, COUNT(*) FROM data_keys WHERE destroyed_at IS NULL GROUP BY master_key_id ORDER BY master_key_id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var u KeyUse
			if err := rows.Scan(&u.MasterKeyID, &u.DataKeys); err != nil {
				return err
			}
			u.Configured = ring != nil && ring.Has(u.MasterKeyID)
			r.Uses = append(r.Uses, u)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if r.Unopened, err = t.unopenedDataKeys(); err != nil {
			return err
		}
		r.SealedUnder, r.OtherSealsUnder = map[string]int{}, map[string]int{}
		for _, c := range []struct {
			into map[string]int
			q    string
		}{
			{r.SealedUnder, `SELECT seal_key, COUNT(*) FROM case_events WHERE seal_key <> '' GROUP BY seal_key`},
			{r.OtherSealsUnder, `SELECT k, COUNT(*) FROM (` + otherSeals + `) s GROUP BY k`},
		} {
			rows, err = t.query(c.q)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id string
				var n int
				if err := rows.Scan(&id, &n); err != nil {
					rows.Close()
					return err
				}
				c.into[id] = n
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		for _, c := range []struct {
			into *int
			q    string
		}{
			{&r.Destroyed, `SELECT COUNT(*) FROM data_keys WHERE destroyed_at IS NOT NULL`},
			{&r.PlainEvents, `SELECT COUNT(*) FROM case_events WHERE payload NOT LIKE 'wm1:%'`},
			{&r.PlainDrafts, `SELECT COUNT(*) FROM concern_drafts WHERE substr(data, 1, 4) <> 'wm1:'`}, // as spelt: SQLite's LIKE ignores case
			{&r.PlainChildNames, `SELECT COUNT(*) FROM cases WHERE child_name <> '' AND child_name NOT LIKE 'wm1:%'`},
		} {
			if err := t.queryRow(c.q).Scan(c.into); err != nil {
				return err
			}
		}
		return nil
	})
	return r, err
}

// unopenedDataKeys tries every live data key under a configured master
// key with that key, and counts, by key id, those that do not open.
func (t *Tx) unopenedDataKeys() (map[string]int, error) {
	out := map[string]int{}
	ring := t.ring()
	if ring == nil {
		return out, nil
	}
	rows, err := t.query(`SELECT owner_kind, owner_id, master_key_id, wrapped FROM data_keys WHERE destroyed_at IS NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, owner, master, wrapped string
		if err := rows.Scan(&kind, &owner, &master, &wrapped); err != nil {
			return nil, err
		}
		if !ring.Has(master) {
			continue // named as not configured
		}
		if _, err := ring.Unwrap(master, wrapped, ownerName(kind, owner)); err != nil {
			out[master]++
		}
	}
	return out, rows.Err()
}

// RotateKeys re-wraps every live data key that is not under the newest
// master key, in one transaction. The older keys must still be configured.
func (db *DB) RotateKeys(ctx context.Context) (int, error) {
	ring := db.KeyRing()
	if ring == nil {
		return 0, errors.New("store: no master key configured")
	}
	var n int
	err := db.Update(ctx, func(t *Tx) error {
		type row struct{ kind, id, master, wrapped string }
		rows, err := t.query(`SELECT owner_kind, owner_id, master_key_id, wrapped FROM data_keys WHERE destroyed_at IS NULL AND master_key_id <> $1`, ring.Primary())
		if err != nil {
			return err
		}
		var todo []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.kind, &r.id, &r.master, &r.wrapped); err != nil {
				rows.Close()
				return err
			}
			todo = append(todo, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range todo {
			owner := ownerName(r.kind, r.id)
			dk, err := ring.Unwrap(r.master, r.wrapped, owner)
			if err != nil {
				return err
			}
			master, wrapped, err := ring.Wrap(dk, owner)
			if err != nil {
				return err
			}
			if _, err := t.exec(`UPDATE data_keys SET master_key_id = $3, wrapped = $4 WHERE owner_kind = $1 AND owner_id = $2`, r.kind, r.id, master, wrapped); err != nil {
				return err
			}
		}
		n = len(todo)
		return nil
	})
	return n, err
}

// SealPlaintext encrypts what was written before a master key was
// configured: event payloads, drafts, and the read models of those cases.
// It returns how many rows it sealed; with nothing to do it writes nothing.
func (db *DB) SealPlaintext(ctx context.Context) (int, error) {
	if db.KeyRing() == nil {
		return 0, errors.New("store: no master key configured")
	}
	var n int
	err := db.Update(ctx, func(t *Tx) error {
		// Whether anything is left in plain text is asked of the partial
		// indexes of migration 0021, which hold exactly those rows: in a
		// sealed database they are empty, so a start probes three empty
		// indexes and walks nothing as the history grows. Waymark writes
		// nothing in plain text once a data key exists (errNoMasterKey),
		// but rows can come from elsewhere: a table restored from a backup
		// taken before encryption, or a replica still without its key
		// during the rolling restart that turns encryption on. Those are
		// found here, at the next start, and sealed; they are not left
		// for good just because other rows already have data keys.
		if plain, err := t.anyPlaintext(); err != nil || !plain {
			return err
		}
		// Whether the database held data keys before this pass: a draft
		// found in plain text after that was not written by Waymark
		// (openDraft), so it is sealed, to leave nothing in plain text, but
		// its writer's seal is replaced by draftFoundInPlainText, which
		// matches no one: it opens for nobody, verify names it, and, being
		// a seal, it stops the drafts' as-found pass from sealing it again.
		wasEncrypted, err := t.encrypted()
		if err != nil {
			return err
		}
		type ev struct {
			caseID  string
			seq     int
			payload string
		}
		var evs []ev
		rows, err := t.query(`SELECT case_id, seq, payload FROM case_events WHERE payload NOT LIKE 'wm1:%' ORDER BY case_id, seq`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var e ev
			if err := rows.Scan(&e.caseID, &e.seq, &e.payload); err != nil {
				rows.Close()
				return err
			}
			evs = append(evs, e)
		}
		rows.Close()
		cases := map[string]bool{}
		t.forgetHeads()
		for _, e := range evs {
			sealed, err := t.seal(ownerCase, e.caseID, eventAAD(e.caseID, e.seq), []byte(e.payload))
			if err != nil {
				return err
			}
			if _, err := t.exec(`UPDATE case_events SET payload = $3 WHERE case_id = $1 AND seq = $2`, e.caseID, e.seq, sealed); err != nil {
				return err
			}
			cases[e.caseID] = true
		}
		ids, err := t.stringColumn(`SELECT id FROM cases WHERE child_name <> '' AND child_name NOT LIKE 'wm1:%'`)
		if err != nil {
			return err
		}
		for _, id := range ids {
			cases[id] = true
		}
		for id := range cases {
			c, _, err := t.LoadCase(id)
			var te *TamperError
			if errors.As(err, &te) || IsErased(err) {
				// Its history does not check out (`waymark verify` names
				// it) or it was erased, so its read model is not derived
				// again here; but no name stays in plain text.
				if err := t.sealNameInPlace(id); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
			var updated time.Time
			if err := t.queryRow(`SELECT updated_at FROM cases WHERE id = $1`, id).Scan(&updated); err != nil {
				return err
			}
			if err := t.SaveProjection(c, updated); err != nil {
				return err
			}
			if err := t.refileKeylessStatistics(id); err != nil { // statistics.go
				return err
			}
		}
		type draft struct{ id, data string }
		var drafts []draft
		rows, err = t.query(`SELECT id, data FROM concern_drafts WHERE data NOT LIKE 'wm1:%'`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var d draft
			if err := rows.Scan(&d.id, &d.data); err != nil {
				rows.Close()
				return err
			}
			drafts = append(drafts, d)
		}
		rows.Close()
		sealedDrafts := 0
		for _, d := range drafts {
			sealed, err := t.seal(ownerDraft, d.id, draftAAD(d.id), []byte(d.data))
			if IsErased(err) {
				// A sent draft of an erased case, its key destroyed: text
				// in it was put there afterwards, behind Waymark's back.
				// Nothing can seal it; verify names it and it opens for
				// nobody (openDraft). It must not stop the start.
				continue
			}
			if err != nil {
				return err
			}
			if _, err := t.exec(`UPDATE concern_drafts SET data = $2 WHERE id = $1`, d.id, sealed); err != nil {
				return err
			}
			if wasEncrypted {
				if _, err := t.exec(`UPDATE concern_drafts SET mac = $2 WHERE id = $1`, d.id, draftFoundInPlainText); err != nil {
					return err
				}
			}
			sealedDrafts++
		}
		n = len(evs) + sealedDrafts + len(ids)
		return nil
	})
	return n, err
}

// sealNameInPlace seals a case row's child_name where it is, or removes it
// when the case's key was destroyed (it was erased): for a case whose read
// model cannot be derived again from its events.
func (t *Tx) sealNameInPlace(id string) error {
	var name string
	if err := t.queryRow(`SELECT child_name FROM cases WHERE id = $1`, id).Scan(&name); err != nil {
		return err
	}
	if name == "" || crypt.IsSealed(name) {
		return nil
	}
	sealed, err := t.seal(ownerCase, id, childNameAAD(id), []byte(name))
	if IsErased(err) {
		sealed, err = "", nil
	}
	if err != nil {
		return err
	}
	_, err = t.exec(`UPDATE cases SET child_name = $2 WHERE id = $1`, id, sealed)
	return err
}

// plaintextProbes ask whether any event, draft or child's name is in plain
// text, each a probe of a partial index of migration 0021. Each is ordered
// by its index's columns: without statistics PostgreSQL guesses that many
// rows match and would otherwise take the first it meets in a walk of the
// table, while in a sealed database none matches.
var plaintextProbes = []string{
	`SELECT COUNT(*) FROM (SELECT 1 FROM case_events WHERE payload NOT LIKE 'wm1:%' ORDER BY case_id, seq LIMIT 1) p`,
	`SELECT COUNT(*) FROM (SELECT 1 FROM concern_drafts WHERE data NOT LIKE 'wm1:%' ORDER BY id LIMIT 1) p`,
	`SELECT COUNT(*) FROM (SELECT 1 FROM cases WHERE child_name <> '' AND child_name NOT LIKE 'wm1:%' ORDER BY id LIMIT 1) p`,
}

// anyPlaintext tells whether any event, draft or child's name is in plain
// text (plaintextProbes).
func (t *Tx) anyPlaintext() (bool, error) {
	for _, q := range plaintextProbes {
		var n int
		if err := t.queryRow(q).Scan(&n); err != nil {
			return false, fmt.Errorf("store: looking for rows in plain text: %w", err)
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, nil
}

func (t *Tx) stringColumn(q string, args ...any) ([]string, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Scrub pushes an erasure out of the files: on SQLite, where secure_delete
// has zeroed what was deleted or overwritten, it checkpoints the write-ahead
// log into the database and truncates it, so no older copy of a destroyed
// key stays in the log. On PostgreSQL dead row versions stay until VACUUM
// reuses their space (docs/operations.md): what they hold is still wrapped
// under the master key, and so unreadable once that key is retired.
//
// Only one checkpoint at a time may run on a WAL, and SQLite refuses a
// second at once rather than wait for it: the background checkpoint
// (checkpoint.go), which runs about every second while the service writes,
// or another process's. So the scrub never runs beside this process's
// background checkpoint, takes its turn among this process's writes, and
// when another checkpoint or a reader holds the WAL it tries again for as
// long as a write would wait (busy_timeout). If it still cannot, or fails
// in any other way, it says so and the background checkpoint tries again
// until one finishes (scrubLater), rather than leave the erased case's old
// pages in the WAL until its frames are overwritten.
func (db *DB) Scrub(ctx context.Context) (err error) {
	if db.Dialect != SQLite {
		return nil
	}
	// However it fails (readers held the WAL throughout, the request
	// ended, the write queue or SQLite refused), the background
	// checkpoint tries again until one is done.
	defer func() {
		if err != nil && db.checkpointer != nil {
			db.checkpointer.scrubLater()
			err = fmt.Errorf("%w; the background checkpoint tries again while this process runs, and as it closes", err)
		}
	}()
	pause := db.scrubPause
	if pause == nil {
		pause = scrubRetryPause
	}
	// Each try waits up to scrubTry for readers; the tries stop once the
	// busy timeout has passed, so an erasure still answers within about
	// that long while a long read holds the WAL.
	patience := db.scrubPatience
	if patience == 0 {
		patience = scrubPatience
	}
	giveUp := time.Now().Add(patience)
	for {
		busy, err := db.scrubOnce(ctx)
		if err != nil {
			return fmt.Errorf("store: checkpointing the write-ahead log: %w", err)
		}
		if !busy {
			return nil
		}
		if time.Now().After(giveUp) {
			return errors.New("store: the write-ahead log could not be checkpointed and truncated while readers or another checkpoint held it")
		}
		if err := pause(ctx); err != nil {
			return fmt.Errorf("store: checkpointing the write-ahead log: %w", err)
		}
	}
}

// scrubPatience and scrubRetryPause: the scrub tries for as long as a
// write would wait for the lock (the busy timeout), pausing 200 ms between
// tries, so that while a long reader keeps it from finishing, writes go
// ahead for most of the time (a try holds the lock for its 100 ms wait and
// the little a PASSIVE checkpoint left to copy). If it gives up, the
// background checkpoint tries again (scrubLater).
const scrubPatience = sqliteBusyTimeoutMS * time.Millisecond

func scrubRetryPause(ctx context.Context) error {
	t := time.NewTimer(200 * time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// scrubOnce runs one TRUNCATE checkpoint, never beside the background one,
// and reports whether a reader or another checkpoint kept it from finishing.
//
// It runs on the background checkpoint's own connection, never one of the
// reads' pool, and waits only briefly: a TRUNCATE checkpoint takes the write
// lock and, left to the busy timeout, would hold it for up to 10 s while a
// reader of an older snapshot finished, and every write, with every page's
// audit entry, would wait behind it. So it first copies what it can without
// the lock (PASSIVE), then tries TRUNCATE waiting at most scrubTry for
// readers: long enough for the short reads of pages to finish (new readers
// then read the file, not the WAL), short enough that a long reader (an
// export, a backup) delays a write by no more than that. Scrub tries again
// after a pause (TestAnErasuresScrubLetsWritesAndReadsGoWhileItWaits).
func (db *DB) scrubOnce(ctx context.Context) (busy bool, err error) {
	c := db.checkpointer
	if c == nil {
		return scrubOn(ctx, db.sql, 0, 0, nil)
	}
	c.running.Lock()
	defer c.running.Unlock()
	if c.closed {
		// Closing: the background checkpoint's connection is gone, and
		// the pool's last connection to close checkpoints what is left.
		return scrubOn(ctx, db.sql, 0, 0, nil)
	}
	// Its turn in this process's queue of writes, so that the writes do
	// not keep it from SQLite's write lock by coming back to back: taken
	// after the PASSIVE copy, which writes need not wait for. A finished
	// scrub covers every scrub wanted before it took its turn.
	var wanted int64
	busy, err = scrubOn(ctx, c.conn, scrubTry, db.busyWait, func(ctx context.Context) (func(), error) {
		release, err := db.takeWriter(ctx)
		wanted = c.scrubWanted.Load()
		return release, err
	})
	if err == nil && !busy {
		c.scrubbed(wanted)
	}
	return busy, err
}

// scrubTry is the longest one try of the scrub waits for readers while it
// holds the write lock.
const scrubTry = 100 * time.Millisecond

// scrubOn runs the scrub's checkpoint on one connection of pool: with wait
// above 0, a PASSIVE copy first and then the TRUNCATE under that busy
// timeout, the usual one put back afterwards; with queue, the TRUNCATE in
// its turn among the process's writes.
func scrubOn(ctx context.Context, pool *sql.DB, wait, usual time.Duration, queue func(context.Context) (func(), error)) (bool, error) {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	var b, logFrames, checkpointed int
	if wait > 0 {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, wait.Milliseconds())); err != nil {
			return false, err
		}
		defer conn.ExecContext(context.Background(), fmt.Sprintf(`PRAGMA busy_timeout = %d`, usual.Milliseconds()))
		// SQLite answers a checkpoint it could not finish with busy
		// in the first column, not an error.
		if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&b, &logFrames, &checkpointed); err != nil {
			return false, err
		}
	}
	if queue != nil {
		release, err := queue(ctx)
		if err != nil {
			return false, err
		}
		defer release()
	}
	if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&b, &logFrames, &checkpointed); err != nil {
		return false, err
	}
	return b != 0, nil
}

// masterKeysInUse lists the master key ids that wrap a live data key, in
// order, one index probe (data_keys_master) an id rather than a walk of
// every data key: there is one a case.
const masterKeysInUse = `WITH RECURSIVE k(id) AS (
		SELECT (SELECT master_key_id FROM data_keys WHERE destroyed_at IS NULL ORDER BY master_key_id LIMIT 1)
		UNION ALL
		SELECT (SELECT master_key_id FROM data_keys WHERE destroyed_at IS NULL AND master_key_id > k.id ORDER BY master_key_id LIMIT 1) FROM k WHERE k.id IS NOT NULL)
	SELECT id FROM k WHERE id IS NOT NULL`

// CheckMasterKeys tells whether the configured master keys can open the
// data keys in use: every master key id that wraps a live data key must be
// configured, and one data key under each must unwrap (a key line whose id
// is right but whose bytes are not). It is what /readyz asks, so a replica
// that would answer every case read with an error is taken out of rotation
// (docs/operations.md "Readiness"). It reads no case data and writes nothing.
func (db *DB) CheckMasterKeys(ctx context.Context) error {
	ring := db.KeyRing()
	return db.View(ctx, func(t *Tx) error {
		ids, err := t.stringColumn(masterKeysInUse)
		if err != nil {
			return fmt.Errorf("store: listing the master keys in use: %w", err)
		}
		if len(ids) > 0 && ring == nil {
			return errNoMasterKey
		}
		for _, id := range ids {
			if !ring.Has(id) {
				return fmt.Errorf("store: data keys are wrapped under master key %q, which is not configured", id)
			}
			var kind, owner, wrapped string
			if err := t.queryRow(`SELECT owner_kind, owner_id, wrapped FROM data_keys WHERE destroyed_at IS NULL AND master_key_id = $1 LIMIT 1`, id).Scan(&kind, &owner, &wrapped); err != nil {
				return fmt.Errorf("store: reading a data key under master key %q: %w", id, err)
			}
			if _, err := ring.Unwrap(id, wrapped, ownerName(kind, owner)); err != nil {
				return fmt.Errorf("store: master key %q does not unwrap the data keys wrapped under it: %w", id, err)
			}
		}
		return nil
	})
}

// KeyMismatchError says a configured master key carries the id of a key the
// database used but not its bytes: a mistyped, truncated or regenerated key
// line. Anything sealed or wrapped with it would be unreadable, and an audit
// entry sealed with it would break the chain for good.
type KeyMismatchError struct {
	ID   string // the master key id
	What string // what it failed to open or check
}

func (e *KeyMismatchError) Error() string {
	return fmt.Sprintf("the master key %s in the key file is not the key of that id this database was written with: it does not %s. "+
		"Nothing was written with it: put the key back as it was (from its backup), and check with `waymark keys check`", e.ID, e.What)
}

// CheckKeysMatch checks each configured master key against what the
// database holds under its id: one live data key wrapped under it must
// unwrap, and the newest audit entry, when sealed under it, must check. It
// is asked as a command opens the database, before anything is written, so
// that a key line with the right id and the wrong bytes stops the command
// (*KeyMismatchError) instead of sealing entries nobody can ever verify.
// A key the database needs and the file lacks is not its concern (keys
// check reports it; /readyz says not ready: CheckMasterKeys). It reads no
// case data and writes nothing.
func (db *DB) CheckKeysMatch(ctx context.Context) error {
	ring := db.KeyRing()
	if ring == nil {
		return nil
	}
	return db.View(ctx, func(t *Tx) error {
		proven := map[string]bool{}
		for _, id := range ring.IDs() {
			var kind, owner, wrapped string
			err := t.queryRow(`SELECT owner_kind, owner_id, wrapped FROM data_keys WHERE destroyed_at IS NULL AND master_key_id = $1 LIMIT 1`, id).Scan(&kind, &owner, &wrapped)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return fmt.Errorf("store: reading a data key under master key %q: %w", id, err)
			}
			if _, err := ring.Unwrap(id, wrapped, ownerName(kind, owner)); err != nil {
				return &KeyMismatchError{ID: id, What: "unwrap the data keys wrapped under it"}
			}
			proven[id] = true
		}
		var headSeq, keyedFrom int64
		if err := t.queryRow(`SELECT seq, keyed_from FROM audit_head WHERE id = 1`).Scan(&headSeq, &keyedFrom); err != nil {
			return fmt.Errorf("store: reading the audit head: %w", err)
		}
		if headSeq == 0 || keyedFrom == 0 {
			return nil
		}
		var e audit.Entry
		err := t.queryRow(`SELECT seq, at, actor_id, org_id, case_id, action, detail, prev_hash, hash, key_id, heads, request_id FROM audit_log WHERE seq = $1`, headSeq).
			Scan(&e.Seq, &e.At, &e.ActorID, &e.OrgID, &e.CaseID, &e.Action, &e.Detail, &e.PrevHash, &e.Hash, &e.KeyID, &e.Heads, &e.RequestID)
		if errors.Is(err, sql.ErrNoRows) || err == nil && (e.KeyID == "" || !ring.Has(e.KeyID) || proven[e.KeyID]) {
			return nil // a missing entry is verify's to report; a missing key, keys check's
		}
		if err != nil {
			return fmt.Errorf("store: reading the newest audit entry: %w", err)
		}
		key, err := ring.SealKey(e.KeyID)
		if err != nil {
			return err
		}
		if !hmac.Equal([]byte(audit.MAC(key, e.PrevHash, e, keyedFrom)), []byte(e.Hash)) {
			return &KeyMismatchError{ID: e.KeyID, What: "check the seal of the newest audit entry, which was sealed under it (unless that entry was altered since: `waymark audit verify` with the key from its backup tells which)"}
		}
		return nil
	})
}
