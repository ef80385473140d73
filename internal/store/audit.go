package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"waymark/internal/audit"
)

// AppendAudit adds an entry to the hash chain in the caller's transaction,
// so the record of an action commits or rolls back with the action itself.
//
// The entry is kept in the transaction and chained when it commits
// (chainAudit, from Update just before the commit): the chain's head row is
// locked only for the final inserts and the commit, not for the whole
// transaction, so on PostgreSQL writers to different cases do not queue
// behind each other's reads and checks. The entry takes its place in the
// chain in the order it was appended; its request id and the case heads it
// records are taken now, as the transaction goes.
//
// With a master key the entry is sealed with an HMAC under the key derived
// from it, and records the heads of the case chains the transaction has
// appended to since its last entry. The first keyed entry marks where keyed
// sealing began (audit_head.keyed_from), and every keyed MAC covers that
// mark. Without a master key (--insecure-no-encryption, before any entry
// was keyed) entries keep the plain SHA-256 chain.
func (t *Tx) AppendAudit(e audit.Entry) error {
	if t.readOnly {
		return errors.New("store: an audit entry cannot be written in a read-only transaction")
	}
	if e.RequestID == "" {
		e.RequestID = audit.RequestIDFrom(t.ctx) // the web request it was written for, if any
	}
	e.Heads = audit.FormatHeads(t.heads)
	t.heads = nil
	t.pendingAudit = append(t.pendingAudit, e)
	return nil
}

// chainAudit writes the transaction's pending audit entries onto the chain,
// in order, and moves its head once. Update calls it just before the
// commit; a statement that reads the audit tables calls it first too (see
// Tx.exec), so a transaction always sees its own entries.
func (t *Tx) chainAudit() error {
	if len(t.pendingAudit) == 0 {
		return nil
	}
	pending := t.pendingAudit
	t.pendingAudit = nil
	if err := t.chainEntries(pending); err != nil {
		t.auditErr = err // never committed without them, whoever saw this error
		return err
	}
	return nil
}

func (t *Tx) chainEntries(pending []audit.Entry) error {
	var seq, keyedFrom int64
	var hash string
	if err := t.queryRow(`SELECT seq, hash, keyed_from FROM audit_head WHERE id = 1`+t.forUpdate()).Scan(&seq, &hash, &keyedFrom); err != nil {
		return fmt.Errorf("store: reading audit head: %w", err)
	}
	keyID, key, err := t.sealKey()
	if err != nil {
		return err
	}
	for _, e := range pending {
		if key == nil {
			e.Heads = ""
			e = audit.Seal(e, seq, hash)
		} else {
			if keyedFrom == 0 {
				keyedFrom = seq + 1
			}
			e = audit.SealKeyed(e, seq, hash, keyID, key, keyedFrom)
			t.db.keys.sealed.Store(true)
		}
		res, err := t.exec(`INSERT INTO audit_log(seq, at, actor_id, org_id, case_id, action, detail, prev_hash, hash, key_id, heads, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			e.Seq, e.At, e.ActorID, e.OrgID, e.CaseID, e.Action, e.Detail, e.PrevHash, e.Hash, e.KeyID, e.Heads, e.RequestID)
		if err != nil {
			return fmt.Errorf("store: appending audit entry: %w", err)
		}
		if err := tookEffect(res, "the audit entry was not stored"); err != nil {
			return err
		}
		seq, hash = e.Seq, e.Hash
	}
	res, err := t.exec(`UPDATE audit_head SET seq = $1, hash = $2, keyed_from = $3 WHERE id = 1`, seq, hash, keyedFrom)
	if err != nil {
		return fmt.Errorf("store: moving audit head: %w", err)
	}
	return tookEffect(res, "the audit head did not move")
}

// readsAudit reports whether a statement touches the audit tables, so the
// transaction's pending entries must be on the chain before it runs.
func readsAudit(q string) bool {
	return strings.Contains(q, "audit_log") || strings.Contains(q, "audit_head")
}

// ErrAuditNotStored is returned, and the transaction with the action it
// records rolls back, when an audit write reports success but changed no
// row: something in the database (a trigger) swallowed it.
var ErrAuditNotStored = errors.New("store: an audit write changed nothing, so the action it records was not done: something in the database is dropping audit entries (run `waymark verify`)")

// tookEffect checks one audit write changed exactly one row.
func tookEffect(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: checking the audit write: %w", err)
	}
	if n != 1 {
		return fmt.Errorf("%w (%s: %d rows)", ErrAuditNotStored, what, n)
	}
	return nil
}

// VerifyAudit walks the whole chain in order and returns the number of
// entries checked, or an *audit.BrokenError naming the first bad entry.
// Keyed entries are checked with the master keys given to the database.
func (db *DB) VerifyAudit(ctxDone func() error) (int64, error) {
	var r VerifyReport
	if err := db.CheckSchema(context.Background()); err != nil {
		return 0, err
	}
	if needs, err := db.NeedsSealing(context.Background()); err != nil {
		return 0, err
	} else if needs {
		return 0, &TamperError{Reason: ErrNeedsSealing.Error()}
	}
	err := db.View(context.Background(), func(t *Tx) error {
		_, err := t.verifyAuditChain(VerifyOptions{Progress: ctxDone}, &r, false)
		return err
	})
	return r.AuditEntries, err
}

// AuditForCase lists a case's audit entries, oldest first.
func (t *Tx) AuditForCase(caseID string) ([]audit.Entry, error) {
	rows, err := t.query(`SELECT seq, at, actor_id, org_id, case_id, action, detail, prev_hash, hash, key_id, heads, request_id FROM audit_log WHERE case_id = $1 ORDER BY seq`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var e audit.Entry
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.OrgID, &e.CaseID, &e.Action, &e.Detail, &e.PrevHash, &e.Hash, &e.KeyID, &e.Heads, &e.RequestID); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
