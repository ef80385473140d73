package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"waymark/internal/audit"
)

// VerifyReport is what Verify checked.
type VerifyReport struct {
	AuditEntries int64
	KeyedFrom    int64 // first keyed audit entry; 0 when none is
	Cases        int
	Events       int
	Erased       int
	Unsealed     bool // the history has never been sealed (no master key): only its shape and read models were checked
	Checkpoints  int  // checkpoints proved still contained
}

// Checkpoint is a signed record of the chain heads at one moment: the audit
// head, and a digest over every case's head with their number. Kept in the
// audit log and in a file an operator ships elsewhere, it proves later that
// nothing it covered has been cut away.
type Checkpoint struct {
	Format      string    `json:"format"`
	At          time.Time `json:"at"`
	AuditSeq    int64     `json:"auditSeq"`
	AuditMAC    string    `json:"auditMac"`
	KeyedFrom   int64     `json:"keyedFrom"`
	Cases       int       `json:"cases"`
	HeadsDigest string    `json:"headsDigest"`
	KeyID       string    `json:"keyId"`
	PublicKey   string    `json:"publicKey"` // base64 Ed25519; trust the one published, not this copy
	Signature   string    `json:"signature"` // base64 Ed25519 over SignedText
}

// CheckpointFormat names the checkpoint's layout and what it signs.
const CheckpointFormat = "waymark-checkpoint/v1"

// SignedText is exactly what a checkpoint's signature covers.
func (c Checkpoint) SignedText() string {
	return strings.Join([]string{CheckpointFormat, c.At.UTC().Format(time.RFC3339Nano), strconv.FormatInt(c.AuditSeq, 10), c.AuditMAC,
		strconv.FormatInt(c.KeyedFrom, 10), strconv.Itoa(c.Cases), c.HeadsDigest, c.KeyID}, "\n")
}

// CheckSignature checks the checkpoint was signed by pub.
func (c Checkpoint) CheckSignature(pub ed25519.PublicKey) error {
	sig, err := base64.StdEncoding.DecodeString(c.Signature)
	if err != nil || c.Format != CheckpointFormat || !ed25519.Verify(pub, []byte(c.SignedText()), sig) {
		return errors.New("the checkpoint's signature does not verify with the checkpoint public key: it was altered, or signed by another key")
	}
	return nil
}

// MakeCheckpoint signs the current chain heads and records the checkpoint
// in the audit log. It needs a master key.
func (db *DB) MakeCheckpoint(ctx context.Context, at time.Time) (Checkpoint, error) {
	ring := db.KeyRing()
	if ring == nil {
		return Checkpoint{}, errors.New("store: a checkpoint is signed with a key derived from the master key, and none is configured")
	}
	var cp Checkpoint
	err := db.Update(ctx, func(t *Tx) error {
		// Taking the audit head first holds back every transaction that
		// would record a new case head, so the heads read below are the
		// ones the audit chain records up to this head.
		var seq, keyedFrom int64
		var hash string
		if err := t.queryRow(`SELECT seq, hash, keyed_from FROM audit_head WHERE id = 1`+t.forUpdate()).Scan(&seq, &hash, &keyedFrom); err != nil {
			return fmt.Errorf("store: reading audit head: %w", err)
		}
		heads := map[string]audit.Head{}
		rows, err := t.query(`SELECT e.case_id, e.seq, e.mac FROM case_events e
			WHERE e.mac <> '' AND e.seq = (SELECT MAX(e2.seq) FROM case_events e2 WHERE e2.case_id = e.case_id)`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			var h audit.Head
			if err := rows.Scan(&id, &h.Seq, &h.MAC); err != nil {
				rows.Close()
				return err
			}
			heads[id] = h
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		cp = Checkpoint{Format: CheckpointFormat, At: utc(at), AuditSeq: seq, AuditMAC: hash, KeyedFrom: keyedFrom,
			Cases: len(heads), HeadsDigest: audit.HeadsDigest(heads), KeyID: ring.Primary()}
		priv, err := ring.SigningKey(cp.KeyID)
		if err != nil {
			return err
		}
		cp.PublicKey = base64.StdEncoding.EncodeToString(priv.Public().(ed25519.PublicKey))
		cp.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(priv, []byte(cp.SignedText())))
		return t.AppendAudit(audit.Entry{At: cp.At, ActorID: "system", Action: audit.ActionCheckpoint,
			Detail: fmt.Sprintf("audit entry %d %s, %d cases, heads digest %s, key %s, signature %s", cp.AuditSeq, cp.AuditMAC, cp.Cases, cp.HeadsDigest, cp.KeyID, cp.Signature)})
	})
	return cp, err
}

// CheckpointPublicKey is the public key that checks checkpoints signed
// under the newest master key.
func (db *DB) CheckpointPublicKey() (keyID string, pub ed25519.PublicKey, err error) {
	ring := db.KeyRing()
	if ring == nil {
		return "", nil, errors.New("store: no master key is configured")
	}
	priv, err := ring.SigningKey(ring.Primary())
	if err != nil {
		return "", nil, err
	}
	return ring.Primary(), priv.Public().(ed25519.PublicKey), nil
}

// SealHistory seals what was written before sealing began, as found: run
// once by `waymark seal-history` after upgrading a database written before
// this release, or with --insecure-no-encryption. Nothing else calls it: a
// checking command never writes, and serve refuses to start on a history
// that needs it (NeedsSealing). It refuses when anything shows the history
// was sealed before (sealedBefore). Every case's events are sealed into its
// chain, erasure records are sealed, the read models are re-derived from the
// events, and the heads are recorded in keyed audit entries. This trusts the
// database as it is at that moment, once: a database that already holds any
// seal is never sealed again, so unsealed rows found later are reported by
// Verify as tampering. Before sealing anything it calls firstSeal (when not
// nil), which may refuse: a checkpoint kept outside the database that says
// the history was sealed already shows its seals were stripped. It returns
// how many events it sealed.
func (db *DB) SealHistory(ctx context.Context, at time.Time, firstSeal func() error) (int, error) {
	if db.KeyRing() == nil {
		return 0, errors.New("store: no master key configured")
	}
	var n int
	err := db.Update(ctx, func(t *Tx) error {
		var head int64
		var hash string
		var keyedFrom int64
		if err := t.queryRow(`SELECT seq, hash, keyed_from FROM audit_head WHERE id = 1`+t.forUpdate()).Scan(&head, &hash, &keyedFrom); err != nil {
			return err
		}
		if sealed, err := t.historySealed(); err != nil || sealed {
			return err
		}
		if ev, err := t.sealedBefore(); err != nil {
			return err
		} else if ev != "" {
			return &TamperError{Reason: "the history carries no seals now, but " + ev + ": it was sealed before, and its seals were stripped. " +
				"It is not sealed again as found: restore a backup that verifies, or compare with a checkpoint kept elsewhere (docs/operations.md)"}
		}
		var events, others int
		if err := t.queryRow(`SELECT (SELECT COUNT(*) FROM case_events),
			(SELECT COUNT(*) FROM erasures) + (SELECT COUNT(*) FROM break_glass_grants) + (SELECT COUNT(*) FROM nrm_drafts)`).Scan(&events, &others); err != nil {
			return err
		}
		if events == 0 && others == 0 {
			return nil // a new database: everything will be sealed as it is written
		}
		if firstSeal != nil {
			if err := firstSeal(); err != nil {
				return err
			}
		}
		keyID, key, err := t.sealKey()
		if err != nil {
			return err
		}
		rows, err := t.query(`SELECT case_id, seq, type, payload, actor_id, org_id, at, COALESCE(corrects, 0) FROM case_events ORDER BY case_id, seq`)
		if err != nil {
			return err
		}
		var evs []audit.EventFields
		for rows.Next() {
			var f audit.EventFields
			if err := rows.Scan(&f.CaseID, &f.Seq, &f.Type, &f.Payload, &f.ActorID, &f.OrgID, &f.At, &f.Corrects); err != nil {
				rows.Close()
				return err
			}
			f.At = utc(f.At)
			evs = append(evs, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		prev := map[string]string{}
		t.forgetHeads()
		for _, f := range evs {
			mac := audit.EventMAC(key, keyID, prev[f.CaseID], f)
			if _, err := t.exec(`UPDATE case_events SET seal_key = $3, mac = $4 WHERE case_id = $1 AND seq = $2`, f.CaseID, f.Seq, keyID, mac); err != nil {
				return err
			}
			prev[f.CaseID] = mac
			t.noteHead(f.CaseID, audit.Head{Seq: f.Seq, MAC: mac}, f.At)
		}
		if err := t.sealErasures(keyID, key); err != nil {
			return err
		}
		if err := t.sealGrants(keyID, key); err != nil {
			return err
		}
		if err := t.sealNRMDrafts(keyID, key); err != nil {
			return err
		}
		// Re-derive the read models, so that they are exactly what verify
		// will expect of them from now on.
		erased, err := t.stringColumn(`SELECT case_id FROM erasures`)
		if err != nil {
			return err
		}
		all := t.heads
		t.heads = nil
		ids := make([]string, 0, len(all))
		for id := range all {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			if slices.Contains(erased, id) {
				continue
			}
			c, events, err := t.LoadCase(id)
			if err != nil {
				return err
			}
			if err := t.SaveProjection(c, events[len(events)-1].At); err != nil {
				return err
			}
		}
		// Erased cases keep their member rows as they were: seal them as found.
		if err := t.sealMembersAsFound(keyID, key); err != nil {
			return err
		}
		// Record the heads in keyed audit entries, a few hundred cases to
		// an entry; this first keyed entry is where keyed sealing begins.
		for start := 0; start == 0 || start < len(ids); start += 200 {
			chunk := ids[start:min(start+200, len(ids))]
			for _, id := range chunk {
				t.noteHead(id, all[id], time.Time{})
			}
			if err := t.AppendAudit(audit.Entry{At: utc(at), ActorID: "system", Action: audit.ActionHistorySealed,
				Detail: fmt.Sprintf("history written before sealing began, sealed as found: %d cases of %d", len(chunk), len(ids))}); err != nil {
				return err
			}
		}
		n = len(evs)
		return nil
	})
	return n, err
}

func (t *Tx) sealErasures(keyID string, key []byte) error {
	rows, err := t.query(`SELECT case_id, erased_at, erased_by, reason, legal_basis FROM erasures WHERE mac = ''`)
	if err != nil {
		return err
	}
	var ers []Erasure
	for rows.Next() {
		var e Erasure
		if err := rows.Scan(&e.CaseID, &e.At, &e.By, &e.Reason, &e.LegalBasis); err != nil {
			rows.Close()
			return err
		}
		ers = append(ers, e)
	}
	rows.Close()
	for _, e := range ers {
		mac := audit.ErasureMAC(key, keyID, e.CaseID, utc(e.At), e.By, e.Reason, e.LegalBasis)
		if _, err := t.exec(`UPDATE erasures SET seal_key = $2, mac = $3 WHERE case_id = $1`, e.CaseID, keyID, mac); err != nil {
			return err
		}
	}
	return rows.Err()
}

// VerifyOptions says what Verify checks beyond the seals.
type VerifyOptions struct {
	ReadModels  bool         // replay every case and compare its read models
	Checkpoints []Checkpoint // signed checkpoints the database must still contain
	Progress    func() error // called now and then: return an error to stop
}

// Verify proves the database is what its sealed history says: the audit
// chain's MACs, every case chain's MACs and its head as the audit chain
// records it (so a case rolled back or deleted is found), the erasure
// records, and, with ReadModels, that every case's read models equal a
// replay of its events. It runs in one consistent read-only snapshot and
// returns a *TamperError or *audit.BrokenError naming the first thing
// wrong.
func (db *DB) Verify(ctx context.Context, o VerifyOptions) (VerifyReport, error) {
	var r VerifyReport
	if err := db.CheckSchema(ctx); err != nil {
		return r, err
	}
	if err := db.CheckIndexes(ctx); err != nil {
		return r, err
	}
	err := db.View(ctx, func(t *Tx) error {
		ring := t.ring()
		sealed, err := t.historySealed()
		if err != nil {
			return err
		}
		if sealed && ring == nil {
			return errors.New("store: this database's history is sealed and no master key is configured to verify it: set WAYMARK_MASTER_KEY_FILE (docs/operations.md)")
		}
		r.Unsealed = !sealed
		if !sealed && ring != nil {
			var n int
			if err := t.queryRow(`SELECT (SELECT COUNT(*) FROM case_events) + (SELECT COUNT(*) FROM erasures) + (SELECT COUNT(*) FROM break_glass_grants) + (SELECT COUNT(*) FROM nrm_drafts)`).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return &TamperError{Reason: ErrNeedsSealing.Error()}
			}
		}
		v, err := t.verifyAuditChain(o, &r, true)
		if err != nil {
			return err
		}
		chains, err := t.verifyCaseChains(o, &r)
		if err != nil {
			return err
		}
		erased, err := t.verifyErasures(sealed)
		if err != nil {
			return err
		}
		// Every erasure the audit log records must still hold: an erasure
		// record with its seal and a destroyed data key (checked above for
		// every record). A key put back and the record deleted is named here.
		logged, err := t.loggedErasures()
		if err != nil {
			return err
		}
		for _, id := range sortedIDs(logged) {
			if !erased[id] {
				return t.undoneErasure(id, logged[id])
			}
		}
		r.Erased = len(erased)
		if err := t.verifyGrants(); err != nil {
			return err
		}
		if err := t.verifyTimeSpelling(); err != nil {
			return err
		}
		if err := t.verifyBreakGlassUse(); err != nil {
			return err
		}
		if err := t.verifyNRMDrafts(sealed); err != nil {
			return err
		}
		if err := t.VerifyIdentity(); err != nil { // identity.go
			return err
		}
		if err := t.verifyMatchFiling(); err != nil { // match_filing.go
			return err
		}
		// Every case the audit chain knows must still reach the head it
		// records, and every sealed case must be known to it.
		if sealed {
			for id, h := range v.Heads {
				last, ok := chains[id]
				switch {
				case !ok:
					return t.tamper(id, 0, v.HeadAt[id], fmt.Sprintf("it has no events at all, but the audit log records its history up to event %d: the case was deleted", h.Seq))
				case last.Seq < h.Seq:
					return t.tamper(id, last.Seq+1, v.HeadAt[id], fmt.Sprintf("its history ends at event %d, but the audit log records it up to event %d: events were deleted from its end (the case was rolled back)", last.Seq, h.Seq))
				case last.Seq > h.Seq:
					return t.tamper(id, h.Seq+1, v.HeadAt[id], fmt.Sprintf("its history goes on past event %d, where the audit log last records it: events were added without the audit log", h.Seq))
				case !audit.EventMACEqual(last.MAC, h.MAC):
					return t.tamper(id, h.Seq, v.HeadAt[id], "its last event is not the one the audit log records")
				}
			}
			for id := range chains {
				if _, ok := v.Heads[id]; !ok {
					return t.tamper(id, 1, 0, "its events are sealed but no audit entry records them: they were copied in from elsewhere")
				}
			}
		}
		// Read models hang off a case that has a history, or an erasure.
		for _, q := range []string{`SELECT id FROM cases`, `SELECT DISTINCT case_id FROM case_members`, `SELECT DISTINCT case_id FROM clocks`, `SELECT DISTINCT case_id FROM search_tokens`, `SELECT DISTINCT case_id FROM person_match_keys`, `SELECT case_id FROM person_match_records`, `SELECT DISTINCT case_id FROM queue_items`, `SELECT DISTINCT case_id FROM case_viewers`, `SELECT case_id FROM case_escalations`, `SELECT DISTINCT case_id FROM entity_keys`, `SELECT case_id FROM closed_cases`} {
			ids, err := t.stringColumn(q)
			if err != nil {
				return err
			}
			for _, id := range ids {
				if _, ok := chains[id]; !ok {
					if _, ok := erased[id]; !ok {
						table := strings.Fields(q)[len(strings.Fields(q))-1]
						return t.tamper(id, 0, 0, fmt.Sprintf("it has rows in %s but no history: they were inserted behind Waymark's back", table))
					}
				}
			}
		}
		for id := range erased {
			if _, ok := chains[id]; !ok {
				return t.tamper(id, 0, 0, "it has an erasure record but no history")
			}
		}
		// A draft's writer is sealed with it, read model or not.
		if err := t.checkDraftSeals(); err != nil { // draftseal.go
			return err
		}
		if !o.ReadModels {
			return nil
		}
		ids := make([]string, 0, len(chains))
		for id := range chains {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			if o.Progress != nil {
				if err := o.Progress(); err != nil {
					return err
				}
			}
			if _, ok := erased[id]; ok {
				if err := t.checkErasedReadModels(id); err != nil {
					return err
				}
				continue
			}
			c, events, err := t.LoadCase(id)
			if err != nil {
				return err
			}
			want, err := t.project(c, events[len(events)-1].At)
			if err != nil {
				return err
			}
			got, found, err := t.storedProjection(id)
			if err != nil {
				return err
			}
			if !found {
				return t.tamper(id, 0, 0, "it has a history but no row in cases: the row was deleted")
			}
			if diff := compareProjection(want, got); diff != "" {
				return t.tamper(id, 0, 0, diff)
			}
			if err := t.checkQueues(id, want); err != nil {
				return err
			}
			if err := t.checkViewers(id, viewerLines(want.members, want.row.updatedAt, escalatedSince(c))); err != nil {
				return err
			}
			if err := t.checkOpenEscalations(c); err != nil {
				return err
			}
			if err := t.checkStatistics(id, want); err != nil { // statistics.go
				return err
			}
		}
		var live []string
		for _, id := range ids {
			if _, ok := erased[id]; !ok {
				live = append(live, id)
			}
		}
		if err := t.checkStatisticsTokens(live); err != nil { // statistics.go
			return err
		}
		// Every case's case_viewers and search_tokens rows are as its
		// events give: search by viewer must be their cross.
		if err := t.checkSearchIndex(); err != nil {
			return err
		}
		if err := t.checkClosedCases(); err != nil { // retention.go
			return err
		}
		if err := t.checkDraftFiling(); err != nil { // retention.go
			return err
		}
		return t.checkEntityCounts() // entities.go
	})
	return r, err
}

func (t *Tx) tamper(caseID string, seq int, auditSeq int64, reason string) error {
	e := &TamperError{CaseID: caseID, Seq: seq, AuditSeq: auditSeq, Reason: reason}
	var ref *string
	if err := t.queryRow(`SELECT reference FROM cases WHERE id = $1`, caseID).Scan(&ref); err == nil && ref != nil {
		e.Reference = *ref
	}
	return e
}

// verifyAuditChain checks the audit chain; keepHeads keeps the case heads
// it records (Verify compares them with the case chains).
func (t *Tx) verifyAuditChain(o VerifyOptions, r *VerifyReport, keepHeads bool) (*audit.Verifier, error) {
	var headSeq, keyedFrom int64
	var headHash string
	if err := t.queryRow(`SELECT seq, hash, keyed_from FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash, &keyedFrom); err != nil {
		return nil, fmt.Errorf("store: reading audit head: %w", err)
	}
	r.KeyedFrom = keyedFrom
	if keyedFrom == 0 {
		var sealedEvents int
		if err := t.queryRow(`SELECT COUNT(*) FROM (SELECT 1 FROM case_events WHERE seal_key <> '' LIMIT 1) e`).Scan(&sealedEvents); err != nil {
			return nil, err
		}
		if sealedEvents > 0 {
			return nil, &TamperError{Reason: "the case histories are sealed but the audit chain has no keyed entry: it was rewritten and re-hashed without the key"}
		}
	}
	v := &audit.Verifier{KeyedFrom: keyedFrom, KeepHeads: keepHeads || len(o.Checkpoints) > 0}
	defer func() { r.AuditEntries = v.Checked }()
	if ring := t.ring(); ring != nil {
		v.Key = ring.SealKey
	}
	cps := map[int64][]Checkpoint{}
	var lastCP int64
	for _, cp := range o.Checkpoints {
		cps[cp.AuditSeq] = append(cps[cp.AuditSeq], cp)
		lastCP = max(lastCP, cp.AuditSeq)
	}
	for _, cp := range cps[0] {
		if cp.Cases != 0 {
			return nil, &TamperError{Reason: fmt.Sprintf("the checkpoint of %s covers %d cases and no audit entry", cp.At.Format(time.RFC3339), cp.Cases)}
		}
		r.Checkpoints++
	}
	// The entries are read in order, in chunks, by this goroutine; each
	// chunk's seals are checked by one of several workers (an entry's seal
	// needs only its own fields and the link it stores); and one goroutine
	// follows the chunks in order, checking each entry's place in the chain
	// and taking the first error exactly where checking one entry at a time
	// would take it.
	check := func(c *auditChunk) {
		ck := &audit.Checker{KeyedFrom: v.KeyedFrom, Key: v.Key}
		for i := range c.n {
			c.errs[i] = ck.Check(&c.entries[i])
		}
		close(c.done)
	}
	follow := func(c *auditChunk) error {
		<-c.done
		for i := range c.n {
			e := &c.entries[i]
			if err := v.Follow(e, c.errs[i]); err != nil {
				return err
			}
			for _, cp := range cps[e.Seq] {
				switch {
				case cp.KeyedFrom != keyedFrom:
					return &TamperError{AuditSeq: e.Seq, Reason: fmt.Sprintf("the checkpoint of %s says keyed sealing began at audit entry %d, the database says %d", cp.At.Format(time.RFC3339), cp.KeyedFrom, keyedFrom)}
				case !audit.EventMACEqual(cp.AuditMAC, e.Hash):
					return &TamperError{AuditSeq: e.Seq, Reason: fmt.Sprintf("it is not the entry the checkpoint of %s signed: the audit log was rewritten", cp.At.Format(time.RFC3339))}
				case cp.Cases != len(v.Heads) || cp.HeadsDigest != audit.HeadsDigest(v.Heads):
					return &TamperError{AuditSeq: e.Seq, Reason: fmt.Sprintf("the checkpoint of %s covers %d cases with heads digest %s, the audit log up to this entry gives %d cases with %s: case histories were removed or rewritten",
						cp.At.Format(time.RFC3339), cp.Cases, cp.HeadsDigest, len(v.Heads), audit.HeadsDigest(v.Heads))}
				}
				r.Checkpoints++
			}
		}
		return c.readErr
	}
	// Chunk i holds the entries with 1+i*size <= seq < 1+(i+1)*size; the
	// first reaches down and the last up without end, so the chunks hold
	// every row, in seq order, whatever seqs the table holds.
	var maxSeq int64
	if err := t.queryRow(`SELECT COALESCE(MAX(seq), 0) FROM audit_log`).Scan(&maxSeq); err != nil {
		return nil, fmt.Errorf("store: reading audit log: %w", err)
	}
	chunks := max(1, int((maxSeq+auditChunkSize-1)/auditChunkSize))
	readers, done := t.snapshotReaders(verifyReaders, headSeq, headHash)
	defer done()
	// SQLite keeps times as text, and its driver tries layout after layout
	// to read one: the time is read as text here and, spelt as Waymark
	// writes it, read at once (canonicalUTC); spelt any other way, it is
	// read again through the driver, after the chunk, exactly as before.
	at := "at"
	if t.dialect == SQLite {
		at = "CAST(at AS TEXT)"
	}
	columns := `seq, ` + at + `, actor_id, org_id, case_id, action, detail, prev_hash, hash, key_id, heads, request_id`
	packed := t.dialect == SQLite && t.utf8()
	if packed {
		// On SQLite the driver's cost is per column, not per byte, so the
		// text columns come packed into one (packedAuditColumns) and are
		// unpacked here; a row that does not unpack (a NULL, which the
		// schema forbids) has its chunk read column by column, as below.
		columns = packedAuditColumns
	}
	// On a SQLite file each reader reads through a connection of its own
	// (rawAuditReader) when it sees the same audit head; the packed read
	// below is for the rest.
	raw := make([]*rawAuditReader, len(readers))
	if packed {
		for i := range readers {
			raw[i] = t.rawAuditReader(headSeq, headHash)
			if raw[i] != nil {
				defer raw[i].close()
			}
		}
	}
	plain := `SELECT seq, ` + at + `, actor_id, org_id, case_id, action, detail, prev_hash, hash, key_id, heads, request_id FROM audit_log WHERE seq >= $1 AND seq < $2 ORDER BY seq`
	stmts := make([]*sql.Stmt, len(readers))
	for i, tx := range readers {
		st, err := tx.PrepareContext(t.ctx, `SELECT `+columns+` FROM audit_log WHERE seq >= $1 AND seq < $2 ORDER BY seq`)
		if err != nil {
			return nil, fmt.Errorf("store: reading audit log: %w", err)
		}
		defer st.Close()
		stmts[i] = st
	}
	read := func(reader int, c *auditChunk, i int) error {
		lo, hi := 1+int64(i)*auditChunkSize, 1+int64(i+1)*auditChunkSize
		if i == 0 {
			lo = math.MinInt64
		}
		if i == chunks-1 {
			hi = math.MaxInt64
		}
		if raw[reader] != nil {
			err := raw[reader].read(c, lo, hi)
			if !errors.Is(err, errNotPacked) {
				return t.rereadTimes(readers[reader], c, err)
			}
			c.n, c.slow = 0, c.slow[:0]
		}
		q := func() (*sql.Rows, error) { return stmts[reader].QueryContext(t.ctx, lo, hi) }
		if packed {
			err := readPackedAudit(c, q)
			if !errors.Is(err, errNotPacked) {
				return t.rereadTimes(readers[reader], c, err)
			}
			c.n, c.slow = 0, c.slow[:0]
			q = func() (*sql.Rows, error) {
				return readers[reader].QueryContext(t.ctx, plain, lo, hi)
			}
		}
		rows, err := q()
		if err != nil {
			return fmt.Errorf("store: reading audit log: %w", err)
		}
		defer rows.Close()
		var text sql.NullString
		var atDest any = &text
		for rows.Next() {
			if c.n == len(c.entries) { // only seqs below 1 can crowd a chunk
				c.grow()
			}
			e := &c.entries[c.n]
			if t.dialect != SQLite {
				atDest = &e.At
			}
			if err := rows.Scan(&e.Seq, atDest, &e.ActorID, &e.OrgID, &e.CaseID, &e.Action, &e.Detail, &e.PrevHash, &e.Hash, &e.KeyID, &e.Heads, &e.RequestID); err != nil {
				rows.Close()
				return t.rereadTimes(readers[reader], c, fmt.Errorf("store: scanning audit entry: %w", err))
			}
			if t.dialect == SQLite {
				var ok bool
				if e.At, ok = canonicalUTC(text.String); !ok || !text.Valid {
					c.slow = append(c.slow, c.n)
				}
			}
			c.n++
		}
		err = rows.Err()
		rows.Close()
		return t.rereadTimes(readers[reader], c, err)
	}
	progress := o.Progress
	if err := inChunks(len(readers), chunks, read, check, func(c *auditChunk) error {
		if err := follow(c); err != nil {
			return err
		}
		if progress != nil {
			return progress()
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if last, _ := v.Last(); lastCP > last {
		return nil, &TamperError{AuditSeq: last + 1, Reason: fmt.Sprintf("the audit log ends at entry %d, but a signed checkpoint covers it up to entry %d: entries were cut from its end", last, lastCP)}
	}
	if err := v.End(headSeq, headHash); err != nil {
		return nil, err
	}
	return v, nil
}

// auditChunk is a run of audit entries read in order, with what checking
// each one's own seal gave.
type auditChunk struct {
	entries []audit.Entry
	errs    []error
	n       int
	readErr error // what stopped reading after the n entries, if anything
	done    chan struct{}
	slow    []int  // entries whose time is spelt other than as Waymark writes it
	text    []byte // the text of the entries a rawAuditReader read, which their strings point into
}

func newAuditChunk() *auditChunk {
	return &auditChunk{entries: make([]audit.Entry, auditChunkSize), errs: make([]error, auditChunkSize)}
}

func (c *auditChunk) grow() {
	c.entries = append(c.entries, audit.Entry{})
	c.errs = append(c.errs, nil)
	c.entries, c.errs = c.entries[:cap(c.entries)], c.errs[:cap(c.errs)]
}

// auditChunkSize is how many entries a chunk covers: large enough that a
// query and a hand-over cost nothing next to checking them, small enough
// that an early break is found without reading far past it.
const auditChunkSize = 4096

// verifyReaders is how many transactions read the audit log at once, all
// in the same snapshot: reading rows costs as much as checking them.
const verifyReaders = 2

// inChunks verifies chunks 0..n-1 of a log. Reader r (of readers) reads
// chunks r, r+readers, ... with read, in order, each into a chunk of a few
// kept for reuse (so memory stays the same however long the log is), and
// checks it with check itself when there are as many readers as
// processors (the entries it just read are still in its processor's cache,
// and no goroutine waits on another to hand it work), or else hands it to
// workers, one per processor, that check it; one more goroutine follows
// the chunks in order with follow, which returns the first error in chain
// order (a chunk's readErr comes after its entries). The first error stops
// everything.
func inChunks(readers, n int, read func(reader int, c *auditChunk, i int) error, check func(*auditChunk), follow func(*auditChunk) error) error {
	workers := runtime.GOMAXPROCS(0)
	perReader := 2 + (2*workers+readers-1)/readers
	inline := readers >= workers
	if inline {
		workers = 0
	}
	work := make(chan *auditChunk, readers*perReader)
	out := make([]chan *auditChunk, readers)
	free := make([]chan *auditChunk, readers)
	for r := range readers {
		out[r] = make(chan *auditChunk, perReader)
		free[r] = make(chan *auditChunk, perReader)
		for range perReader {
			free[r] <- newAuditChunk()
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for c := range work {
				check(c)
			}
		})
	}
	var rg sync.WaitGroup
	for r := range readers {
		rg.Go(func() {
			for i := r; i < n; i += readers {
				var c *auditChunk
				select {
				case <-stop:
					return
				case c = <-free[r]:
				}
				c.n, c.readErr, c.done, c.slow = 0, nil, make(chan struct{}), c.slow[:0]
				c.readErr = read(r, c, i)
				if inline {
					check(c)
				} else {
					work <- c // never blocks: it has room for every chunk
				}
				out[r] <- c
				if c.readErr != nil {
					return
				}
			}
		})
	}
	err := func() error {
		for i := range n {
			r := i % readers
			c := <-out[r]
			if err := follow(c); err != nil {
				return err
			}
			clear(c.errs[:c.n])
			free[r] <- c
		}
		return nil
	}()
	close(stop)
	rg.Wait()
	close(work)
	wg.Wait()
	return err
}

// snapshotReaders gives up to n transactions that see exactly what t sees:
// t itself, and others reading t's snapshot (PostgreSQL exports it; on
// SQLite another read transaction that finds the same audit head, so no
// entry was appended between them). When another cannot be had at once
// (a pool with no connection free, an in-memory database, a
// standby that cannot export a snapshot) it gives fewer: t alone at least.
// done ends the others.
func (t *Tx) snapshotReaders(n int, headSeq int64, headHash string) (readers []*sql.Tx, done func()) {
	readers = []*sql.Tx{t.tx}
	done = func() {
		for _, tx := range readers[1:] {
			tx.Rollback()
		}
	}
	// Never wait for a connection: with every one in use but t's, the
	// others could be waiting on nothing else.
	if st := t.db.sql.Stats(); st.MaxOpenConnections != 0 {
		n = min(n, 1+st.MaxOpenConnections-st.InUse)
	}
	if n <= 1 {
		return readers, done
	}
	snapshot := ""
	if t.dialect == Postgres {
		// A failed statement would end t, and a savepoint cannot export:
		// only ask where exporting works (not on a standby).
		var standby bool
		if err := t.tx.QueryRowContext(t.ctx, `SELECT pg_is_in_recovery()`).Scan(&standby); err != nil || standby {
			return readers, done
		}
		if err := t.tx.QueryRowContext(t.ctx, `SELECT pg_export_snapshot()`).Scan(&snapshot); err != nil || !snapshotID.MatchString(snapshot) {
			return readers, done
		}
	}
	for len(readers) < n {
		opts := &sql.TxOptions{ReadOnly: true}
		if t.dialect == Postgres {
			opts.Isolation = sql.LevelRepeatableRead
		}
		tx, err := t.db.sql.BeginTx(t.ctx, opts)
		if err != nil {
			break
		}
		var seq int64
		var hash string
		if t.dialect == Postgres {
			_, err = tx.ExecContext(t.ctx, `SET TRANSACTION SNAPSHOT '`+snapshot+`'`)
		} else {
			err = tx.QueryRowContext(t.ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &hash)
			if err == nil && (seq != headSeq || hash != headHash) {
				err = errors.New("another snapshot")
			}
		}
		if err != nil {
			tx.Rollback()
			break
		}
		readers = append(readers, tx)
	}
	return readers, done
}

// rawAuditReader is a reader of t's SQLite file that sees the audit head
// t sees, or nil when there is none to be had (an in-memory database, a
// head moved since t began).
func (t *Tx) rawAuditReader(headSeq int64, headHash string) *rawAuditReader {
	var file string
	if err := t.tx.QueryRowContext(t.ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file); err != nil || file == "" {
		return nil
	}
	r, err := openRawAuditReader(file, headSeq, headHash)
	if err != nil {
		return nil
	}
	return r
}

// rereadTimes reads, through the driver, the time of each entry of c that
// was not spelt as Waymark writes it (c.slow), after the chunk was read up
// to err: a time the driver cannot read either stops the chunk there, as
// reading the entries in order would have stopped it.
func (t *Tx) rereadTimes(tx *sql.Tx, c *auditChunk, err error) error {
	for _, k := range c.slow {
		e := &c.entries[k]
		var seq int64
		if err := tx.QueryRowContext(t.ctx, `SELECT seq, at FROM audit_log WHERE seq = $1`, e.Seq).Scan(&seq, &e.At); err != nil {
			c.n = k // what reading them in order would have stopped at
			return fmt.Errorf("store: scanning audit entry: %w", err)
		}
	}
	return err
}

// utf8 reports whether a SQLite database keeps its text as UTF-8, so a
// column's length in bytes (octet_length) is the length of the text the
// driver returns for it. Waymark makes every database so.
func (t *Tx) utf8() bool {
	var enc string
	return t.tx.QueryRowContext(t.ctx, `PRAGMA encoding`).Scan(&enc) == nil && enc == "UTF-8"
}

// packedAuditColumns is an audit entry's columns as one text value,
// joined by the unit separator (auditSeparator): the SQLite driver
// copies and boxes every column it returns, and verifying is bound by
// that. The columns are joined with ||, not concat_ws: concat_ws leaves a
// NULL out, separator and all, so a NULL in one column and a separator
// moved into its neighbour would cancel out and split into the columns
// the entry was sealed with, while the row itself no longer holds them
// (a case_id hidden that way drops the entry from its case's history).
// With || a NULL anywhere makes the whole text NULL, and the chunk is read
// column by column, which refuses it. The text of a row holds exactly one
// separator fewer than it has columns only when no column holds one, so
// splitting it gives back every column exactly or sees that it cannot.
// The time is its text, as the column-by-column read takes it.
const packedAuditColumns = `seq || char(31) || CAST(at AS TEXT) || char(31) || actor_id || char(31) || org_id || char(31) || case_id || char(31) || action || char(31) || detail || char(31) || prev_hash || char(31) || hash || char(31) || key_id || char(31) || heads || char(31) || request_id`

// auditSeparator is char(31) in packedAuditColumns.
const auditSeparator = '\x1f'

// errNotPacked is what readPackedAudit returns for a row that does not
// unpack: the chunk is then read column by column.
var errNotPacked = errors.New("store: an audit row did not unpack")

// readPackedAudit reads a chunk's entries from rows of
// packedAuditColumns. Every text field of an entry is a piece of the one
// string the driver returned for its row.
func readPackedAudit(c *auditChunk, query func() (*sql.Rows, error)) error {
	rows, err := query()
	if err != nil {
		return fmt.Errorf("store: reading audit log: %w", err)
	}
	defer rows.Close()
	var row sql.NullString
	var seq, at string
	for rows.Next() {
		if c.n == len(c.entries) { // only seqs below 1 can crowd a chunk
			c.grow()
		}
		e := &c.entries[c.n]
		if err := rows.Scan(&row); err != nil {
			return fmt.Errorf("store: scanning audit entry: %w", err)
		}
		if !row.Valid || !unpack(row.String, &seq, &at, &e.ActorID, &e.OrgID, &e.CaseID, &e.Action, &e.Detail, &e.PrevHash, &e.Hash, &e.KeyID, &e.Heads, &e.RequestID) {
			return errNotPacked
		}
		if e.Seq, err = strconv.ParseInt(seq, 10, 64); err != nil { // seq is the rowid: always an integer
			return errNotPacked
		}
		var ok bool
		if e.At, ok = canonicalUTC(at); !ok {
			c.slow = append(c.slow, c.n)
		}
		c.n++
	}
	return rows.Err()
}

// unpack splits s, joined as packedAuditColumns joins a row, into fields,
// and reports whether it holds exactly one separator fewer than there are
// fields: only then is every field exactly its column.
func unpack(s string, fields ...*string) bool {
	last := len(fields) - 1
	for _, f := range fields[:last] {
		i := strings.IndexByte(s, auditSeparator)
		if i < 0 {
			return false
		}
		*f, s = s[:i], s[i+1:]
	}
	if strings.IndexByte(s, auditSeparator) >= 0 {
		return false
	}
	*fields[last] = s
	return true
}

// canonicalUTC reads a time spelt exactly as Waymark has SQLite keep it
// (time.Time.String of a UTC time: "2026-03-10 09:00:00.123456 +0000
// UTC"), as the driver would read it; ok is false for any other spelling.
func canonicalUTC(t string) (v time.Time, ok bool) {
	const suffix = " +0000 UTC"
	if len(t) < 19+len(suffix) || !strings.HasSuffix(t, suffix) {
		return time.Time{}, false
	}
	t = t[:len(t)-len(suffix)]
	num := func(a, b int) int {
		n := 0
		for _, ch := range []byte(t[a:b]) {
			if ch < '0' || ch > '9' {
				return -1
			}
			n = n*10 + int(ch-'0')
		}
		return n
	}
	if t[4] != '-' || t[7] != '-' || t[10] != ' ' || t[13] != ':' || t[16] != ':' {
		return time.Time{}, false
	}
	y, mo, d, h, mi, sec := num(0, 4), num(5, 7), num(8, 10), num(11, 13), num(14, 16), num(17, 19)
	ns := 0
	if frac := t[19:]; frac != "" {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		if ns = num(20, len(t)); ns < 0 {
			return time.Time{}, false
		}
		for range 10 - len(frac) {
			ns *= 10
		}
	}
	if y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	v = time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.UTC)
	if v.Day() != d { // the 31st of a shorter month: the driver refuses it
		return time.Time{}, false
	}
	return v, true
}

var snapshotID = regexp.MustCompile(`^[0-9A-Fa-f-]+$`)

// verifyCaseChains checks every case's seals and returns each case's head.
func (t *Tx) verifyCaseChains(o VerifyOptions, r *VerifyReport) (map[string]audit.Head, error) {
	sealed, err := t.historySealed()
	if err != nil {
		return nil, err
	}
	rows, err := t.query(`SELECT case_id, seq, type, payload, actor_id, org_id, at, COALESCE(corrects, 0), seal_key, mac FROM case_events ORDER BY case_id, seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	heads := map[string]audit.Head{}
	var c *chain
	for rows.Next() {
		var f audit.EventFields
		var keyID, mac string
		if err := rows.Scan(&f.CaseID, &f.Seq, &f.Type, &f.Payload, &f.ActorID, &f.OrgID, &f.At, &f.Corrects, &keyID, &mac); err != nil {
			return nil, err
		}
		f.At = utc(f.At)
		if c == nil || c.caseID != f.CaseID {
			c = t.newChain(f.CaseID, sealed)
			r.Cases++
		}
		if err := c.next(f, keyID, mac); err != nil {
			var te *TamperError
			if errors.As(err, &te) {
				rows.Close()
				return nil, t.tamper(te.CaseID, te.Seq, 0, te.Reason)
			}
			return nil, err
		}
		heads[f.CaseID] = c.last
		r.Events++
	}
	return heads, rows.Err()
}

// verifyErasures checks each erasure record's seal and that erasure and
// destroyed case keys go together. It returns the erased case ids.
func (t *Tx) verifyErasures(sealed bool) (map[string]bool, error) {
	out := map[string]bool{}
	rows, err := t.query(`SELECT e.case_id, e.erased_at, e.erased_by, e.reason, e.legal_basis, e.seal_key, e.mac, COALESCE(dk.destroyed_at IS NOT NULL, false)
		FROM erasures e LEFT JOIN data_keys dk ON dk.owner_kind = 'case' AND dk.owner_id = e.case_id`)
	if err != nil {
		return nil, err
	}
	type row struct {
		e            Erasure
		keyID, mac   string
		keyDestroyed bool
	}
	var list []row
	for rows.Next() {
		var x row
		if err := rows.Scan(&x.e.CaseID, &x.e.At, &x.e.By, &x.e.Reason, &x.e.LegalBasis, &x.keyID, &x.mac, &x.keyDestroyed); err != nil {
			rows.Close()
			return nil, err
		}
		list = append(list, x)
	}
	rows.Close()
	ring := t.ring()
	for _, x := range list {
		out[x.e.CaseID] = true
		if !x.keyDestroyed {
			return nil, t.tamper(x.e.CaseID, 0, 0, "it has an erasure record but its data key was not destroyed: the record was inserted behind Waymark's back")
		}
		if !sealed {
			continue
		}
		if x.mac == "" || ring == nil {
			return nil, t.tamper(x.e.CaseID, 0, 0, "its erasure record has no seal: it was written behind Waymark's back")
		}
		key, err := ring.SealKey(x.keyID)
		if err != nil {
			return nil, t.tamper(x.e.CaseID, 0, 0, "its erasure record: "+err.Error())
		}
		if !audit.EventMACEqual(audit.ErasureMAC(key, x.keyID, x.e.CaseID, utc(x.e.At), x.e.By, x.e.Reason, x.e.LegalBasis), x.mac) {
			return nil, t.tamper(x.e.CaseID, 0, 0, "its erasure record does not match its seal: who erased it, when, why or on what legal basis was changed")
		}
	}
	destroyed, err := t.stringColumn(`SELECT owner_id FROM data_keys WHERE owner_kind = 'case' AND destroyed_at IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	for _, id := range destroyed {
		if !out[id] {
			return nil, t.tamper(id, 0, 0, "its data key was destroyed but there is no erasure record: the record was deleted")
		}
	}
	return out, nil
}

// checkErasedReadModels: an erased case keeps its row (reference only) and
// its members, and has no name, clocks or search tokens.
func (t *Tx) checkErasedReadModels(caseID string) error {
	var name string
	if err := t.queryRow(`SELECT child_name FROM cases WHERE id = $1`, caseID).Scan(&name); err != nil {
		return t.tamper(caseID, 0, 0, "it was erased but has no row in cases: the row was deleted")
	}
	var n int
	if err := t.queryRow(`SELECT (SELECT COUNT(*) FROM clocks WHERE case_id = $1) + (SELECT COUNT(*) FROM search_tokens WHERE case_id = $1) + (SELECT COUNT(*) FROM person_match_keys WHERE case_id = $1) + (SELECT COUNT(*) FROM person_match_records WHERE case_id = $1) + (SELECT COUNT(*) FROM queue_items WHERE case_id = $1) + (SELECT COUNT(*) FROM case_escalations WHERE case_id = $1) + (SELECT COUNT(*) FROM entity_keys WHERE case_id = $1) + (SELECT COUNT(*) FROM closed_cases WHERE case_id = $1)`, caseID).Scan(&n); err != nil {
		return err
	}
	if name != "" || n > 0 {
		return t.tamper(caseID, 0, 0, "it was erased but its read models hold a name, clocks, search tokens, match keys, queue rows, open escalations or a place on the retention review again")
	}
	if err := t.checkErasedCaseFiles(caseID); err != nil { // files.go
		return err
	}
	// Its member rows' seals (storedProjection checks them), and its case
	// row and members against what they were when it was erased.
	p, _, err := t.storedProjection(caseID)
	if err != nil {
		return err
	}
	var keyID, lines, mac string
	if err := t.queryRow(`SELECT seal_key, read_model, read_model_mac FROM erasures WHERE case_id = $1`, caseID).Scan(&keyID, &lines, &mac); err != nil {
		return err
	}
	if mac == "" {
		// Erased before the read model was kept: only its member seals,
		// and its list rows against them, are checked.
		return t.checkErasedViewers(caseID, p)
	}
	ring := t.ring()
	if ring == nil {
		return errNoMasterKey
	}
	key, err := ring.SealKey(keyID)
	if err != nil {
		return t.tamper(caseID, 0, 0, "its erasure record: "+err.Error())
	}
	if !audit.EventMACEqual(audit.ReadModelMAC(key, keyID, caseID, lines), mac) {
		return t.tamper(caseID, 0, 0, "the read model kept with its erasure record does not match its seal: it was changed")
	}
	if diff := compareLines(strings.Split(lines, "\n"), erasedLines(p)); diff != "" {
		return t.tamper(caseID, 0, 0, "it was erased, and since then "+diff)
	}
	return t.checkErasedViewers(caseID, p)
}

func (t *Tx) sealMembersAsFound(keyID string, key []byte) error {
	type row struct {
		caseID, kind, id, role string
		version                int
	}
	rows, err := t.query(`SELECT m.case_id, m.member_kind, m.member_id, m.role, ` + caseVersion + ` FROM case_members m WHERE m.mac = ''`)
	if err != nil {
		return err
	}
	var list []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.caseID, &r.kind, &r.id, &r.role, &r.version); err != nil {
			rows.Close()
			return err
		}
		list = append(list, r)
	}
	rows.Close()
	for _, r := range list {
		if _, err := t.exec(`UPDATE case_members SET seal_key = $5, mac = $6 WHERE case_id = $1 AND member_kind = $2 AND member_id = $3 AND role = $4`,
			r.caseID, r.kind, r.id, r.role, keyID, audit.MemberMAC(key, keyID, r.caseID, r.kind, r.id, r.role, r.version)); err != nil {
			return err
		}
	}
	return rows.Err()
}

// sealedBefore names the first sign that this database's history was
// sealed once, or "": a checkpoint or sealing entry in the audit log, a
// keyed audit entry, or any row of a sealed table that carries a seal.
// Stripping every seal to have the history sealed again as found must
// remove all of them, which leaves the audit chain to be re-hashed without
// its keyed entries: verify then finds what the checkpoint file says.
func (t *Tx) sealedBefore() (string, error) {
	for _, c := range []struct{ q, what string }{
		{`SELECT COUNT(*) FROM audit_log WHERE action IN ('checkpoint.signed', 'history.sealed')`, "the audit log records a signed checkpoint or an earlier sealing"},
		{`SELECT COUNT(*) FROM audit_log WHERE key_id <> '' OR heads <> ''`, "the audit log holds keyed entries"},
		{`SELECT COUNT(*) FROM audit_head WHERE keyed_from <> 0`, "the audit head records where keyed sealing began"},
		{`SELECT COUNT(*) FROM case_events WHERE mac <> '' OR seal_key <> ''`, "case events carry seals"},
		{`SELECT COUNT(*) FROM case_members WHERE mac <> '' OR seal_key <> ''`, "case member rows carry seals"},
		{`SELECT COUNT(*) FROM break_glass_grants WHERE mac <> '' OR seal_key <> ''`, "break-glass grants carry seals"},
		{`SELECT COUNT(*) FROM erasures WHERE mac <> '' OR seal_key <> ''`, "erasure records carry seals"},
		{`SELECT COUNT(*) FROM nrm_drafts WHERE mac <> '' OR seal_key <> ''`, "NRM draft answers carry seals"},
	} {
		var n int
		if err := t.queryRow(c.q).Scan(&n); err != nil {
			return "", fmt.Errorf("store: looking for earlier seals: %w", err)
		}
		if n > 0 {
			return c.what, nil
		}
	}
	return "", nil
}

// ErrNeedsSealing is returned by every command but `waymark seal-history`
// when a master key is configured and the database holds history that
// carries no seals.
var ErrNeedsSealing = errors.New("the case history in this database carries no seals. If it was written before sealing began (an upgrade), " +
	"run `waymark seal-history` once, with the service stopped, to seal it as found; if it was sealed before, its seals were stripped: " +
	"do not seal it, restore a backup that verifies (docs/operations.md \"Verifying the history\")")

// NeedsSealing reports whether a master key is configured and the database
// holds history, none of it sealed: what `waymark seal-history` is for. It
// writes nothing.
func (db *DB) NeedsSealing(ctx context.Context) (bool, error) {
	if db.KeyRing() == nil {
		return false, nil
	}
	var needs bool
	err := db.View(ctx, func(t *Tx) error {
		sealed, err := t.historySealed()
		if err != nil || sealed {
			return err
		}
		var n int
		if err := t.queryRow(`SELECT (SELECT COUNT(*) FROM case_events) + (SELECT COUNT(*) FROM erasures) + (SELECT COUNT(*) FROM break_glass_grants) + (SELECT COUNT(*) FROM nrm_drafts)`).Scan(&n); err != nil {
			return err
		}
		needs = n > 0
		return nil
	})
	return needs, err
}

// loggedErasures maps every case the audit log says was erased to the
// first entry that says so.
func (t *Tx) loggedErasures() (map[string]int64, error) {
	rows, err := t.query(`SELECT case_id, MIN(seq) FROM audit_log WHERE action = 'case.erased' AND case_id <> '' GROUP BY case_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var seq int64
		if err := rows.Scan(&id, &seq); err != nil {
			return nil, err
		}
		out[id] = seq
	}
	return out, rows.Err()
}

func sortedIDs[V any](m map[string]V) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// CheckErasures is the cheap check every start runs: each case the audit
// log says was erased has its erasure record, no usable data key, and no
// name in its read model. `waymark verify` checks the same against the
// verified chain, and the seals.
func (db *DB) CheckErasures(ctx context.Context) error {
	return db.View(ctx, func(t *Tx) error {
		logged, err := t.loggedErasures()
		if err != nil {
			return err
		}
		for _, id := range sortedIDs(logged) {
			var n int
			if err := t.queryRow(`SELECT (SELECT COUNT(*) FROM erasures WHERE case_id = $1)
				- (SELECT COUNT(*) FROM data_keys WHERE owner_kind = 'case' AND owner_id = $1 AND destroyed_at IS NULL)
				- (SELECT COUNT(*) FROM cases WHERE id = $1 AND child_name <> '')`, id).Scan(&n); err != nil {
				return err
			}
			if n != 1 {
				return t.undoneErasure(id, logged[id])
			}
		}
		return nil
	})
}

// canonicalTime reports whether a time column's stored text is exactly
// what Waymark writes for its value. SQLite keeps times as text and
// compares the text: the same instant spelt another way (another zone,
// "T", fewer digits) sorts differently, so an expired grant passes
// `expires_at > now` while its seal, over the parsed time, still matches.
// PostgreSQL keeps timestamptz by value: any spelling is the same.
func (t *Tx) canonicalTime(stored string, v time.Time) bool {
	if t.db.Dialect != SQLite {
		return true
	}
	return stored == utc(v).String()
}

// timeColumns are the columns whose order decides access or deadlines, or
// that a seal covers: each must be stored in Waymark's own spelling.
var timeColumns = []struct{ table, caseCol, col string }{
	{"break_glass_grants", "case_id", "granted_at"}, {"break_glass_grants", "case_id", "expires_at"},
	{"clocks", "case_id", "started_at"}, {"clocks", "case_id", "due_at"}, {"clocks", "case_id", "stopped_at"},
	{"cases", "id", "raised_at"}, {"cases", "id", "updated_at"}, {"cases", "id", "high_missing_risk_until"}, {"cases", "id", "closed_at"},
	{"case_events", "case_id", "at"}, {"erasures", "case_id", "erased_at"},
}

// verifyTimeSpelling names the first time stored in another spelling than
// Waymark writes (SQLite only: see canonicalTime).
func (t *Tx) verifyTimeSpelling() error {
	if t.db.Dialect != SQLite {
		return nil
	}
	for _, c := range timeColumns {
		rows, err := t.query(`SELECT ` + c.caseCol + `, CAST(` + c.col + ` AS TEXT), ` + c.col + ` FROM ` + c.table + ` WHERE ` + c.col + ` IS NOT NULL`)
		if err != nil {
			return err
		}
		var bad, badText string
		for rows.Next() {
			var id, text string
			var v time.Time
			if err := rows.Scan(&id, &text, &v); err != nil {
				rows.Close()
				return t.tamper(id, 0, 0, fmt.Sprintf("%s.%s is not a time: %v", c.table, c.col, err))
			}
			if !t.canonicalTime(text, v) {
				bad, badText = id, text
				break
			}
		}
		rows.Close()
		if bad != "" {
			return t.tamper(bad, 0, 0, fmt.Sprintf("%s.%s is stored as %q, not as Waymark writes that instant: spelt another way it sorts differently (an expired grant passes as unexpired, deadlines reorder)", c.table, c.col, badText))
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// verifyBreakGlassUse matches every `case.break_glass` audit entry (keyed,
// so it cannot be removed) to its grant, for the same case and person, and
// to the alerts it says were sent: deleting the grant and the alerts to
// hide an emergency access from the partnership lead is named.
func (t *Tx) verifyBreakGlassUse() error {
	type use struct {
		seq                  int64
		caseID, actor, grant string
		alerted              int
	}
	rows, err := t.query(`SELECT seq, case_id, actor_id, detail FROM audit_log WHERE action = 'case.break_glass' ORDER BY seq`)
	if err != nil {
		return err
	}
	var uses []use
	for rows.Next() {
		var u use
		var detail string
		if err := rows.Scan(&u.seq, &u.caseID, &u.actor, &detail); err != nil {
			rows.Close()
			return err
		}
		f := strings.Fields(detail)
		if len(f) < 2 || f[0] != "grant" {
			continue // not a grant's record (none is written otherwise)
		}
		u.grant, u.alerted = f[1], -1
		if _, n, ok := strings.Cut(detail, "; alerted "); ok {
			if k, err := strconv.Atoi(n); err == nil {
				u.alerted = k
			}
		}
		uses = append(uses, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, u := range uses {
		var caseID, userID string
		var alerts int
		err := t.queryRow(`SELECT g.case_id, g.user_id, (SELECT COUNT(*) FROM alerts a WHERE a.grant_id = g.id) FROM break_glass_grants g WHERE g.id = $1`, u.grant).Scan(&caseID, &userID, &alerts)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return t.tamper(u.caseID, 0, u.seq, fmt.Sprintf("the audit log records emergency (break-glass) access by %s under grant %s, but the grant is gone: it was deleted to hide the access", u.actor, u.grant))
		case err != nil:
			return err
		case caseID != u.caseID || userID != u.actor:
			return t.tamper(u.caseID, 0, u.seq, fmt.Sprintf("break-glass grant %s is not for the case and person the audit log records", u.grant))
		case u.alerted >= 0 && alerts < u.alerted:
			return t.tamper(u.caseID, 0, u.seq, fmt.Sprintf("the audit log records that %d partnership leads were alerted to emergency (break-glass) access under grant %s, but %d alerts remain: alerts were deleted to hide the access", u.alerted, u.grant, alerts))
		}
	}
	return nil
}

// checkErasedViewers compares an erased case's case_viewers rows with its
// member rows and case row, which erasure left in place (and the erasure
// record seals). Its events can no longer say when its oldest open
// escalation was raised, so only that one is open is checked, and that
// every row gives the same time.
func (t *Tx) checkErasedViewers(caseID string, p projection) error {
	got, err := t.storedViewerLines(caseID)
	if err != nil {
		return err
	}
	var since *time.Time
	if p.row.openEscalations > 0 {
		var at time.Time
		err := t.queryRow(`SELECT escalated_since FROM case_viewers WHERE case_id = $1 AND escalated_since IS NOT NULL ORDER BY escalated_since LIMIT 1`, caseID).Scan(&at)
		if errors.Is(err, sql.ErrNoRows) {
			return t.tamper(caseID, 0, 0, "it was erased with an escalation open, but no case_viewers row says so: the escalation was cleared from the lists")
		}
		if err != nil {
			return err
		}
		since = &at
	}
	if diff := compareLines(viewerLines(p.members, p.row.updatedAt, since), got); diff != "" {
		return t.tamper(caseID, 0, 0, "it was erased, and since then "+diff)
	}
	return nil
}
