package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"waymark/internal/audit"
)

// Sealed history (docs/architecture.md, "Audit"). Each case event is sealed
// with an HMAC-SHA256 under a key derived from the newest master key
// (crypt.KeyRing.SealKey), chained to the event before it in the same case;
// the audit entry of the transaction records the case's new head. Without a
// key ring (serve --insecure-no-encryption) nothing is sealed, and a
// database whose history has been sealed refuses such writes.

var errNoSealKey = errors.New("store: this database's history is sealed but no master key is configured to seal new entries: set WAYMARK_MASTER_KEY_FILE (docs/operations.md)")

// historySealed reports whether any case event or audit entry is sealed
// with a key.
func (t *Tx) historySealed() (bool, error) {
	if t.db.keys.sealed.Load() {
		return true, nil
	}
	// The audit head first: it says so for every sealed database but one
	// whose audit chain was rewritten, and asking it reads one row, where
	// looking for a sealed event reads the case history until it finds one.
	var n int
	if err := t.queryRow(`SELECT COUNT(*) FROM audit_head WHERE keyed_from > 0`).Scan(&n); err != nil {
		return false, fmt.Errorf("store: checking for sealed history: %w", err)
	}
	if n == 0 {
		if err := t.queryRow(`SELECT COUNT(*) FROM (SELECT 1 FROM case_events WHERE seal_key <> '' LIMIT 1) e`).Scan(&n); err != nil {
			return false, fmt.Errorf("store: checking for sealed history: %w", err)
		}
	}
	if n > 0 {
		t.db.keys.sealed.Store(true)
	}
	return n > 0, nil
}

// sealKey returns the id and key that seal new entries, or "" and nil when
// no master key is configured and nothing has been sealed yet.
func (t *Tx) sealKey() (string, []byte, error) {
	ring := t.ring()
	if ring == nil {
		if sealed, err := t.historySealed(); err != nil || sealed {
			return "", nil, errors.Join(err, errNoSealKey)
		}
		return "", nil, nil
	}
	id := ring.Primary()
	k, err := ring.SealKey(id)
	if err != nil {
		return "", nil, err
	}
	return id, k, nil
}

// noteHead remembers a case's new head until the transaction's next audit
// entry records it.
func (t *Tx) noteHead(caseID string, h audit.Head, at time.Time) {
	if t.heads == nil {
		t.heads = map[string]audit.Head{}
	}
	t.heads[caseID] = h
	if at.After(t.headsAt) {
		t.headsAt = at
	}
}

// flushHeads records heads that no audit entry of the transaction has yet,
// in an entry of their own, before it commits.
func (t *Tx) flushHeads() error {
	if len(t.heads) == 0 {
		return nil
	}
	return t.AppendAudit(audit.Entry{At: t.headsAt, ActorID: "system", Action: audit.ActionCaseSealed, Detail: fmt.Sprintf("%d cases", len(t.heads))})
}

// lastHead is where a case's chain ends now: (0, "") for a new case.
// headOf is the case's last event and its seal: as this transaction last
// read and checked the log (CaseEvents) or appended to it, else from the
// database.
func (t *Tx) headOf(caseID string) (int, string, error) {
	if h, ok := t.verified[caseID]; ok {
		return h.Seq, h.MAC, nil
	}
	return t.lastHead(caseID)
}

// noteVerified remembers a case's last event as this transaction checked or
// wrote it. Anything else that rewrites case_events forgets it (forgetHeads).
func (t *Tx) noteVerified(caseID string, h audit.Head) {
	if t.verified == nil {
		t.verified = map[string]audit.Head{}
	}
	t.verified[caseID] = h
}

// forgetHeads drops what noteVerified and noteDerived remembered, for a
// transaction that rewrites stored events.
func (t *Tx) forgetHeads() { t.verified, t.derived = nil, nil }

func (t *Tx) lastHead(caseID string) (int, string, error) {
	var seq int
	var mac string
	err := t.queryRow(`SELECT seq, mac FROM case_events WHERE case_id = $1 ORDER BY seq DESC LIMIT 1`, caseID).Scan(&seq, &mac)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("store: reading case version: %w", err)
	}
	return seq, mac, nil
}

// TamperError names the first thing in the database that is not what the
// sealed history says it should be.
type TamperError struct {
	CaseID    string // "" when the audit chain or a checkpoint is at fault
	Reference string // the case's reference, when it has one
	Seq       int    // the case event at fault, or 0
	AuditSeq  int64  // the audit entry at fault, or 0
	Reason    string
}

func (e *TamperError) Error() string {
	var where string
	switch {
	case e.CaseID != "" && e.Reference != "":
		where = fmt.Sprintf("case %s (id %s)", e.Reference, e.CaseID)
	case e.CaseID != "":
		where = "case " + e.CaseID
	}
	if e.Seq > 0 {
		where += fmt.Sprintf(", event %d", e.Seq)
	}
	if e.AuditSeq > 0 {
		if where != "" {
			where += ", "
		}
		where += fmt.Sprintf("audit entry %d", e.AuditSeq)
	}
	if where == "" {
		return "history tampered with: " + e.Reason
	}
	return "history tampered with: " + where + ": " + e.Reason
}

// chain checks one case's events, in seq order, against their seals.
type chain struct {
	t       *Tx
	sealed  bool // the database's history is sealed
	caseID  string
	want    int
	prevMAC string
	last    audit.Head
}

// newChain starts checking a case; sealed says whether the database's
// history is sealed (asked before any rows are open: PostgreSQL runs one
// query at a time on a transaction).
func (t *Tx) newChain(caseID string, sealed bool) *chain {
	return &chain{t: t, sealed: sealed, caseID: caseID, want: 1}
}

func (c *chain) fail(seq int, reason string) error {
	return &TamperError{CaseID: c.caseID, Seq: seq, Reason: reason}
}

func (c *chain) next(f audit.EventFields, keyID, mac string) error {
	if f.Seq != c.want {
		if f.Seq > c.want {
			return c.fail(c.want, fmt.Sprintf("it is missing: the log goes from event %d to event %d (an event was deleted)", c.want-1, f.Seq))
		}
		return c.fail(f.Seq, "it is out of order")
	}
	c.want++
	if mac == "" {
		// Written without a key: only a database that has never been
		// sealed (--insecure-no-encryption) may hold such events.
		if keyID != "" {
			return c.fail(f.Seq, "it names a sealing key but has no seal")
		}
		if c.sealed && c.t.ring() != nil {
			return c.fail(f.Seq, "it has no seal, though this database's history is sealed: it was written behind Waymark's back")
		}
		c.prevMAC = ""
		c.last = audit.Head{Seq: f.Seq}
		return nil
	}
	ring := c.t.ring()
	if ring == nil {
		return errNoMasterKey
	}
	key, err := ring.SealKey(keyID)
	if err != nil {
		return c.fail(f.Seq, err.Error())
	}
	if !audit.EventMACEqual(audit.EventMAC(key, keyID, c.prevMAC, f), mac) {
		return c.fail(f.Seq, "its seal does not match what is stored: its type, author, organisation, time, correction link or contents were changed, "+
			"or it was moved or copied from another place, or an event before it was replaced")
	}
	c.prevMAC = mac
	c.last = audit.Head{Seq: f.Seq, MAC: mac}
	return nil
}
