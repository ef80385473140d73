package store

import (
	"fmt"

	"waymark/internal/audit"
)

// AppendAudit adds an entry to the hash chain in the caller's transaction,
// so the record of an action commits or rolls back with the action itself.
//
// With a master key the entry is sealed with an HMAC under the key derived
// from it, and records the heads of the case chains the transaction has
// appended to since its last entry. The first keyed entry marks where keyed
// sealing began (audit_head.keyed_from), and every keyed MAC covers that
// mark. Without a master key (--insecure-no-encryption, before any entry
// was keyed) entries keep the plain SHA-256 chain.
func (t *Tx) AppendAudit(e audit.Entry) error {
	var seq, keyedFrom int64
	var hash string
	if err := t.queryRow(`SELECT seq, hash, keyed_from FROM audit_head WHERE id = 1`+t.forUpdate()).Scan(&seq, &hash, &keyedFrom); err != nil {
		return fmt.Errorf("store: reading audit head: %w", err)
	}
	keyID, key, err := t.sealKey()
	if err != nil {
		return err
	}
	if key == nil {
		e.Heads = ""
		e = audit.Seal(e, seq, hash)
	} else {
		if keyedFrom == 0 {
			keyedFrom = seq + 1
		}
		e.Heads = audit.FormatHeads(t.heads)
		e = audit.SealKeyed(e, seq, hash, keyID, key, keyedFrom)
		t.db.keys.sealed.Store(true)
	}
	t.heads = nil
	if _, err := t.exec(`INSERT INTO audit_log(seq, at, actor_id, org_id, case_id, action, detail, prev_hash, hash, key_id, heads) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		e.Seq, e.At, e.ActorID, e.OrgID, e.CaseID, e.Action, e.Detail, e.PrevHash, e.Hash, e.KeyID, e.Heads); err != nil {
		return fmt.Errorf("store: appending audit entry: %w", err)
	}
	if _, err := t.exec(`UPDATE audit_head SET seq = $1, hash = $2, keyed_from = $3 WHERE id = 1`, e.Seq, e.Hash, keyedFrom); err != nil {
		return fmt.Errorf("store: moving audit head: %w", err)
	}
	return nil
}

// VerifyAudit walks the whole chain in order and returns the number of
// entries checked, or an *audit.BrokenError naming the first bad entry.
func (db *DB) VerifyAudit(ctxDone func() error) (int64, error) {
	rows, err := db.sql.Query(`SELECT seq, at, actor_id, org_id, case_id, action, detail, prev_hash, hash FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, fmt.Errorf("store: reading audit log: %w", err)
	}
	defer rows.Close()
	var v audit.Verifier
	for rows.Next() {
		var e audit.Entry
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.OrgID, &e.CaseID, &e.Action, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return v.Checked, fmt.Errorf("store: scanning audit entry: %w", err)
		}
		if err := v.Next(e); err != nil {
			return v.Checked, err
		}
		if ctxDone != nil {
			if err := ctxDone(); err != nil {
				return v.Checked, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return v.Checked, err
	}
	var seq int64
	var hash string
	if err := db.sql.QueryRow(`SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &hash); err != nil {
		return v.Checked, fmt.Errorf("store: reading audit head: %w", err)
	}
	return v.Checked, v.End(seq, hash)
}

// AuditForCase lists a case's audit entries, oldest first.
func (t *Tx) AuditForCase(caseID string) ([]audit.Entry, error) {
	rows, err := t.query(`SELECT seq, at, actor_id, org_id, case_id, action, detail, prev_hash, hash, key_id, heads FROM audit_log WHERE case_id = $1 ORDER BY seq`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var e audit.Entry
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.OrgID, &e.CaseID, &e.Action, &e.Detail, &e.PrevHash, &e.Hash, &e.KeyID, &e.Heads); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
