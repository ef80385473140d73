package store

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/pathway"
)

// AppendEvents appends events to a case's log. expectedVersion is the seq of
// the last event the caller saw; if anyone appended since, the save fails
// with ECONFLICT and nothing is written.
//
// The head it chains onto is the one CaseEvents checked earlier in the same
// transaction, when it read this case; otherwise it is read here. Either way
// a write that lands first makes this one conflict: on the version check, or
// on the primary key when it committed after the read.
func (t *Tx) AppendEvents(caseID string, expectedVersion int, events []pathway.Event) error {
	t.caseWrite = true
	current, prevMAC, err := t.headOf(caseID)
	if err != nil {
		return err
	}
	if current != expectedVersion {
		return conflict(fmt.Errorf("case %s at version %d, caller expected %d", caseID, current, expectedVersion))
	}
	t.closeGate() // a case write: reads make way for it (readgate.go)
	keyID, key, err := t.sealKey()
	if err != nil {
		return err
	}
	if expectedVersion == 0 && len(events) > 0 {
		// A case gets read-model rows only from the projection of its
		// events, and events are never deleted: one with none has none.
		if t.filed == nil {
			t.filed = map[string]bool{}
		}
		t.filed[caseID] = true
	}
	rows := make([]sealedEvent, 0, len(events))
	for i, e := range events {
		if e.Seq != expectedVersion+i+1 {
			return fmt.Errorf("store: event %d of case %s has seq %d, want %d", i, caseID, e.Seq, expectedVersion+i+1)
		}
		r, err := sealEvent(caseID, e, prevMAC, keyID, key, func(aad string, payload []byte) (string, error) {
			return t.seal(ownerCase, caseID, aad, payload)
		})
		if err != nil {
			return err
		}
		rows = append(rows, r)
		prevMAC = r.mac
	}
	return t.insertEvents(caseID, rows, key != nil)
}

// sealedEvent is one case_events row as it is stored: its payload
// encrypted, its seal chained onto the event before.
type sealedEvent struct {
	seq            int
	typ, payload   string
	actorID, orgID string
	at             time.Time
	corrects       int
	keyID, mac     string
}

// sealEvent encodes an event, encrypts its payload with encrypt (the
// case's data key, under the event's associated data) and, when key is
// given, seals it with one HMAC onto prevMAC, the seal of the event before
// it in the same case (seal.go). AppendEvents and the prepared appends of
// bulk loads (prepared.go) both seal through it.
func sealEvent(caseID string, e pathway.Event, prevMAC, keyID string, key []byte, encrypt func(aad string, payload []byte) (string, error)) (sealedEvent, error) {
	payload, err := pathway.EncodePayload(e)
	if err != nil {
		return sealedEvent{}, err
	}
	sealed, err := encrypt(eventAAD(caseID, e.Seq), payload)
	if err != nil {
		return sealedEvent{}, err
	}
	r := sealedEvent{seq: e.Seq, typ: e.Type, payload: sealed, actorID: e.Actor.UserID, orgID: e.Actor.OrgID, at: utc(e.At), corrects: e.Corrects}
	if key != nil {
		r.keyID = keyID
		r.mac = audit.EventMAC(key, keyID, prevMAC, audit.EventFields{CaseID: caseID, Seq: e.Seq, Type: e.Type, Payload: sealed,
			ActorID: e.Actor.UserID, OrgID: e.Actor.OrgID, At: r.at, Corrects: e.Corrects})
	}
	return r, nil
}

// eventsPerInsert bounds the rows of one INSERT into case_events: ten
// arguments each, well under both stores' limits, and few enough that the
// SQLite driver's binding (it looks each argument's name up in a list as
// long as the statement's) stays cheap.
const eventsPerInsert = 32

// insertEvents writes sealed rows of one case, in as few statements as the
// bound allows, and notes the case's new head for the transaction's next
// audit entry when they are sealed.
func (t *Tx) insertEvents(caseID string, rows []sealedEvent, sealed bool) error {
	for len(rows) > 0 {
		chunk := rows[:min(len(rows), eventsPerInsert)]
		rows = rows[len(chunk):]
		values := make([]string, 0, len(chunk))
		args := make([]any, 0, 10*len(chunk))
		for _, r := range chunk {
			var corrects any
			if r.corrects != 0 {
				corrects = r.corrects
			}
			values = append(values, "("+placeholders(len(args)+1, 10)+")")
			args = append(args, caseID, r.seq, r.typ, r.payload, r.actorID, r.orgID, r.at, corrects, r.keyID, r.mac)
		}
		_, err := t.exec(`INSERT INTO case_events(case_id, seq, type, payload, actor_id, org_id, at, corrects, seal_key, mac) VALUES `+strings.Join(values, ", "), args...)
		if isUniqueViolation(err) {
			return conflict(err)
		}
		if err != nil {
			return fmt.Errorf("store: appending event: %w", err)
		}
		if sealed {
			for _, r := range chunk {
				t.noteHead(caseID, audit.Head{Seq: r.seq, MAC: r.mac}, r.at)
			}
		}
		last := chunk[len(chunk)-1]
		t.noteVerified(caseID, audit.Head{Seq: last.seq, MAC: last.mac})
	}
	return nil
}

// CaseEvents loads a case's whole log in order, with the actors' names. Each
// event's seal is checked as it is read, so an event altered, reordered,
// copied from another case or inserted without the key is refused rather
// than shown.
func (t *Tx) CaseEvents(caseID string) ([]pathway.Event, error) {
	sealed, err := t.historySealed()
	if err != nil {
		return nil, err
	}
	chain := t.newChain(caseID, sealed)
	// Each actor and organisation is looked up by its key, event by event:
	// as joins, PostgreSQL hashed the whole users and organisations tables
	// for every case read (1,950 users and 900 organisations read to name
	// the actors of 20 events), a cost that grows with the service, not
	// with the case (docs/performance.md, "PostgreSQL: a pool that keeps its
	// connections").
	rows, err := t.query(`SELECT e.seq, e.type, e.payload, e.actor_id,
			COALESCE((SELECT au.name FROM users au WHERE au.id = e.actor_id), (SELECT ac.name FROM machine_clients ac WHERE ac.id = e.actor_id), ''),
			COALESCE((SELECT au.id FROM users au WHERE au.id = e.actor_id), ''), e.org_id,
			COALESCE((SELECT ao.name FROM organisations ao WHERE ao.id = e.org_id), ''), e.at, COALESCE(e.corrects, 0), e.seal_key, e.mac
		FROM case_events e WHERE e.case_id = $1 ORDER BY e.seq`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: loading events: %w", err)
	}
	defer rows.Close()
	var out []pathway.Event
	var payloads []string
	people := map[string]bool{}
	for rows.Next() {
		e := pathway.Event{CaseID: caseID}
		var payload, keyID, mac, userID string
		if err := rows.Scan(&e.Seq, &e.Type, &payload, &e.Actor.UserID, &e.Actor.Name, &userID, &e.Actor.OrgID, &e.Actor.OrgName, &e.At, &e.Corrects, &keyID, &mac); err != nil {
			return nil, fmt.Errorf("store: scanning event: %w", err)
		}
		e.At = e.At.UTC()
		if err := chain.next(audit.EventFields{CaseID: caseID, Seq: e.Seq, Type: e.Type, Payload: payload, ActorID: e.Actor.UserID, OrgID: e.Actor.OrgID, At: e.At, Corrects: e.Corrects}, keyID, mac); err != nil {
			return nil, err
		}
		out = append(out, e)
		payloads = append(payloads, payload)
		if userID != "" {
			people[userID] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// The whole log passed its checks: its last event is the head the
	// next append in this transaction chains onto (AppendEvents).
	t.noteVerified(caseID, audit.Head{Seq: chain.last.Seq, MAC: chain.prevMAC})
	if len(out) > 0 {
		t.noteDerived(caseID, out[len(out)-1].Seq, out[len(out)-1].At)
	}
	if err := t.sealedNames(out, people); err != nil {
		return nil, err
	}
	for i := range out {
		plain, err := t.open(ownerCase, caseID, eventAAD(caseID, out[i].Seq), payloads[i])
		if err != nil {
			return nil, err
		}
		if err := pathway.DecodePayload(&out[i], plain); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// LoadCase folds the case's log into its state. A case with no events is ENOTFOUND.
func (t *Tx) LoadCase(caseID string) (pathway.Case, []pathway.Event, error) {
	events, err := t.CaseEvents(caseID)
	if err != nil {
		return pathway.Case{}, nil, err
	}
	if len(events) == 0 {
		return pathway.Case{}, nil, waymark.Errorf(waymark.ENOTFOUND, "Case not found")
	}
	return pathway.Replay(events), events, nil
}

// SaveProjection writes the read models of one case (its row in cases, its
// members, its clocks and its search tokens) from its state. It runs in the
// same transaction as the append, and again for every case when read models
// are rebuilt; projection.go says what each holds, and `waymark verify`
// checks the stored rows against the same derivation.
// For a case whose first events this transaction appended, it reads none
// of them first: there are none to compare with.
func (t *Tx) SaveProjection(c pathway.Case, updatedAt time.Time) error {
	return t.saveProjection(nil, c, updatedAt)
}

// derivedFrom is the state a case's stored read models were derived from:
// its version and the time of its last event.
type derivedFrom struct {
	version int
	at      time.Time
}

// noteDerived records that the case's stored read models are those of its
// state at version, whose last event was at (a write transaction only:
// SaveProjectionFrom is for writes).
func (t *Tx) noteDerived(caseID string, version int, at time.Time) {
	if t.readOnly {
		return
	}
	if t.derived == nil {
		t.derived = map[string]derivedFrom{}
	}
	t.derived[caseID] = derivedFrom{version, at}
}

// SaveProjectionFrom is SaveProjection after events this transaction
// appended took the case from before to after. Where this transaction read
// the case's log at before (LoadCase), its read models are before's
// projection (what `waymark verify` checks), so a read model the events
// do not change is not read or written at all: a note reads none of the
// child's search tokens, match keys or record, clocks, queue rows or
// entity keys. The rows that always move (the case's row, its members'
// seals, its viewers' last activity) and the statistics are written as
// SaveProjection writes them, and so is everything when before is not the
// state this transaction read.
//
// Two look-ups outside the case go into its read models: a clock owner's
// organisation, and the partnership rows are filed under. A case with a
// clock whose owner's organisation is looked up has its clocks and queue
// rows compared with what is stored, as before, so that a person who moved
// organisation takes the clock with them at the case's next event; a
// move of an organisation to another partnership moves what is filed
// under it itself (SetOrganisationPartnership).
func (t *Tx) SaveProjectionFrom(before, after pathway.Case, updatedAt time.Time) error {
	d, ok := t.derived[after.ID]
	if !ok || before.ID != after.ID || d.version != before.Version || t.filed[after.ID] {
		return t.saveProjection(nil, after, updatedAt)
	}
	prev, err := t.project(before, d.at)
	if err != nil {
		return err
	}
	return t.saveProjection(&prev, after, updatedAt)
}

func (t *Tx) saveProjection(prev *projection, c pathway.Case, updatedAt time.Time) error {
	p, err := t.project(c, updatedAt)
	if err != nil {
		return err
	}
	// The child's name is sealed with the case's key; search goes through
	// the blind index (crypt.go), and search_text keeps only the reference.
	name, err := t.seal(ownerCase, c.ID, childNameAAD(c.ID), []byte(p.childName))
	if err != nil {
		return err
	}
	if prev == nil || prev.matchDigest != p.matchDigest { // else writeProjection seals it if it writes it
		if p.matchRecordSealed, err = t.seal(ownerCase, c.ID, matchRecordAAD(c.ID), []byte(p.matchRecord)); err != nil { // matchkeys.go
			return err
		}
	}
	// A case this transaction filed has no rows yet: they are inserted
	// without reading any first (fresh), as a bulk load's are, and a row
	// found there after all fails the save rather than being kept.
	fresh := t.filed[c.ID]
	if err := t.writeProjection(c.ID, c.Version, p, name, escalatedSince(c), fresh, prev); err != nil {
		return err
	}
	delete(t.filed, c.ID) // its rows are written: a second save reads them
	t.noteDerived(c.ID, c.Version, updatedAt)
	return t.saveOpenEscalations(c)
}

// writeProjection writes a case's read-model rows from its projection, with
// the child's name already sealed: SaveProjection and the prepared saves of
// bulk loads (prepared.go) both write through it. fresh says the case is
// new in this transaction (AppendPrepared found no event and no data key
// of it): it has no read-model rows to compare with or clear, so only
// inserts are made, and a case row already there fails the save.
//
// prev, if not nil, is the projection the stored rows are known to hold
// (SaveProjectionFrom): a read model it gives alike is left as it is.
func (t *Tx) writeProjection(caseID string, version int, p projection, name string, escalated *time.Time, fresh bool, prev *projection) error {
	r := p.row
	upsert := ` ON CONFLICT (id) DO UPDATE SET reference = excluded.reference, stage = excluded.stage, child_name = excluded.child_name,
			search_text = excluded.search_text, referrer_user_id = excluded.referrer_user_id, referrer_org_id = excluded.referrer_org_id,
			cs_org_id = excluded.cs_org_id, family_suspected = excluded.family_suspected, age_uncertain = excluded.age_uncertain,
			immediate_risk = excluded.immediate_risk, raised_at = excluded.raised_at, updated_at = excluded.updated_at, version = excluded.version,
			missing = excluded.missing, closed = excluded.closed, open_escalations = excluded.open_escalations,
			high_missing_risk_until = excluded.high_missing_risk_until, whereabouts_confidential = excluded.whereabouts_confidential,
			closed_at = excluded.closed_at, progress = excluded.progress,
			assigned_workers = excluded.assigned_workers`
	if fresh {
		upsert = ""
	}
	_, err := t.exec(`INSERT INTO cases(id, reference, stage, child_name, search_text, referrer_user_id, referrer_org_id, cs_org_id,
			family_suspected, age_uncertain, immediate_risk, raised_at, updated_at, version,
			missing, closed, open_escalations, high_missing_risk_until, whereabouts_confidential, closed_at, progress, assigned_workers)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`+upsert,
		caseID, nullString(r.reference), r.stage, name, r.searchText, r.referrerUser, r.referrerOrg, r.csOrg,
		r.familySuspected, r.ageUncertain, r.immediateRisk, r.raisedAt, r.updatedAt, r.version,
		r.missing, r.closed, r.openEscalations, nullTime(r.riskUntil), r.whereaboutsConfidential, nullTime(r.closedAt), r.progress, r.assignedWorkers)
	if isUniqueViolation(err) {
		return conflict(err)
	}
	if err != nil {
		return fmt.Errorf("store: saving case row: %w", err)
	}
	// Members, clocks and search tokens: only rows that differ from what
	// the projection gives are written (an event that changes none of them
	// writes none), and rows it no longer gives are deleted.
	var hadTokens []string
	if prev != nil && sameSet(prev.tokens, p.tokens) {
		hadTokens = prev.tokens
	} else if hadTokens, err = t.saveTokens(caseID, p.tokens, fresh); err != nil {
		return err
	}
	// A case recorded before match keys were filed has none stored
	// whatever its state (person_match_keys_unfiled): its next event files
	// them, as FileUnfiledMatchKeys does at start.
	matchAlike := prev != nil && sameSet(prev.matchKeys, p.matchKeys) && prev.matchDigest == p.matchDigest
	if matchAlike {
		unfiled, err := t.stringColumn(`SELECT case_id FROM person_match_keys_unfiled WHERE case_id = $1`, caseID)
		if err != nil {
			return fmt.Errorf("store: reading whether a case's match keys are filed: %w", err)
		}
		matchAlike = len(unfiled) == 0
	}
	if !matchAlike {
		if err := t.saveMatchKeys(caseID, p.matchKeys, fresh); err != nil { // matchkeys.go
			return err
		}
		if p.matchRecordSealed == "" { // not sealed yet (saveProjection seals it only when it changed)
			if p.matchRecordSealed, err = t.seal(ownerCase, caseID, matchRecordAAD(caseID), []byte(p.matchRecord)); err != nil {
				return err
			}
		}
		if err := t.saveMatchRecord(caseID, p.matchDigest, p.matchRecordSealed, fresh); err != nil {
			return err
		}
	}
	keyID, key, err := t.sealKey()
	if err != nil {
		return err
	}
	if key != nil {
		// Before the history is sealed (`waymark seal-history`), member
		// rows are not either: a sealed row is evidence that sealing
		// happened, which seal-history must be able to trust.
		if sealed, err := t.historySealed(); err != nil {
			return err
		} else if !sealed {
			keyID, key = "", nil
		}
	}
	if err := t.saveMembers(caseID, version, p.members, keyID, key, fresh); err != nil {
		return err
	}
	hadViewers, err := t.saveCaseViewers(caseID, p.members, r.updatedAt, escalated, fresh)
	if err != nil {
		return err
	}
	if !t.deferSearch {
		if err := t.saveViewerTokens(caseID, r.raisedAt, hadViewers, sortedKeys(viewersOf(p.members)), hadTokens, p.tokens); err != nil {
			return err
		}
	}
	// Clocks and queue rows depend on a clock owner's organisation when
	// it is looked up: those are compared with what is stored.
	clocksAlike := prev != nil && !prev.clockOwnerLooked && !p.clockOwnerLooked
	if !clocksAlike || !slices.Equal(lines(prev.clocks), lines(p.clocks)) {
		if err := t.saveClocks(caseID, p.clocks, fresh); err != nil {
			return err
		}
	}
	if prev == nil || prev.row.csOrg != r.csOrg || !slices.Equal(lines(prev.entities), lines(p.entities)) {
		if err := t.saveEntityKeys(caseID, p.entities, fresh); err != nil { // entities.go
			return err
		}
	}
	var closedAt *time.Time
	if r.closed {
		closedAt = r.closedAt
	}
	if prev == nil || prev.row.closed || r.closed {
		if err := t.saveClosedCase(caseID, closedAt, fresh); err != nil { // retention.go
			return err
		}
	}
	statsAlike := prev != nil && sameStatistics(*prev, p)
	if err := t.saveStatistics(caseID, r.referrerOrg, r.csOrg, p.statsCase, p.statsEvents, fresh, statsAlike); err != nil { // statistics.go
		return err
	}
	if clocksAlike && slices.Equal(lines(queueRows(*prev)), lines(queueRows(p))) {
		return nil
	}
	return t.saveQueues(caseID, p, fresh)
}

// sameSet says a and b hold the same strings (each once, in any order).
func sameSet(a, b []string) bool {
	return slices.Equal(sortedKeys(setOf(a)), sortedKeys(setOf(b)))
}

func setOf(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// lines are rows as verify compares them, in order.
func lines[R interface{ line() string }](rows []R) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.line()
	}
	slices.Sort(out)
	return out
}

// placeholders is "$from, $from+1, …" for n arguments.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}

// saveTokens makes a case's search tokens exactly tokens, and gives the
// tokens it had. It reads what is stored and writes only the difference: an
// event that changes no token (most do not) runs one query and writes
// nothing. A fresh case (new in this transaction, see writeProjection) has
// none to read.
func (t *Tx) saveTokens(caseID string, tokens []string, fresh bool) (have []string, err error) {
	if !fresh {
		if have, err = t.stringColumn(`SELECT token_hash FROM search_tokens WHERE case_id = $1`, caseID); err != nil {
			return nil, fmt.Errorf("store: reading search tokens: %w", err)
		}
	}
	want := map[string]bool{}
	for _, h := range tokens {
		want[h] = true
	}
	had := map[string]bool{}
	gone := []any{caseID}
	for _, h := range have {
		had[h] = true
		if !want[h] {
			gone = append(gone, h)
		}
	}
	if n := len(gone) - 1; n > 0 {
		if _, err := t.exec(`DELETE FROM search_tokens WHERE case_id = $1 AND token_hash IN (`+placeholders(2, n)+`)`, gone...); err != nil {
			return nil, fmt.Errorf("store: clearing search tokens: %w", err)
		}
	}
	args := []any{caseID}
	var values []string
	for _, h := range tokens {
		if !had[h] {
			had[h] = true // once each
			args = append(args, h)
			values = append(values, fmt.Sprintf("($1, $%d)", len(args)))
		}
	}
	if len(values) == 0 {
		return have, nil
	}
	if _, err := t.exec(`INSERT INTO search_tokens(case_id, token_hash) VALUES `+strings.Join(values, ", ")+` ON CONFLICT DO NOTHING`, args...); err != nil {
		return nil, fmt.Errorf("store: saving search tokens: %w", err)
	}
	return have, nil
}

// saveMembers makes a case's member rows exactly members, each sealed
// (when key is given) at the case's version: the seal binds the row to the
// log as it is now, so every row's seal moves with each event, in one
// statement, and a row that was removed cannot be put back with an old seal.
func (t *Tx) saveMembers(caseID string, version int, members []pathway.Member, keyID string, key []byte, fresh bool) error {
	type k struct{ kind, id, role string }
	seen := map[k]bool{}
	args, delArgs := []any{caseID}, []any{caseID}
	var keep, values []string
	for _, m := range members {
		if seen[k{m.Kind, m.ID, m.Role}] { // one row per member and role: a person may hold several (migration 0033)
			continue
		}
		seen[k{m.Kind, m.ID, m.Role}] = true
		var mac string
		if key != nil {
			mac = audit.MemberMAC(key, keyID, caseID, m.Kind, m.ID, m.Role, version)
		}
		n := len(args)
		args = append(args, m.Kind, m.ID, m.Role, keyID, mac)
		keep = append(keep, fmt.Sprintf("NOT (member_kind = $%d AND member_id = $%d AND role = $%d)", len(delArgs)+1, len(delArgs)+2, len(delArgs)+3))
		delArgs = append(delArgs, m.Kind, m.ID, m.Role)
		values = append(values, fmt.Sprintf("($1, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5))
	}
	del := `DELETE FROM case_members WHERE case_id = $1`
	if len(keep) > 0 {
		del += ` AND ` + strings.Join(keep, " AND ")
	}
	if fresh {
		// nothing to clear
	} else if _, err := t.exec(del, delArgs...); err != nil {
		return fmt.Errorf("store: clearing members: %w", err)
	}
	if len(values) == 0 {
		return nil
	}
	if _, err := t.exec(`INSERT INTO case_members(case_id, member_kind, member_id, role, seal_key, mac) VALUES `+strings.Join(values, ", ")+`
		ON CONFLICT (case_id, member_kind, member_id, role) DO UPDATE SET seal_key = excluded.seal_key, mac = excluded.mac
		WHERE case_members.seal_key IS DISTINCT FROM excluded.seal_key OR case_members.mac IS DISTINCT FROM excluded.mac`, args...); err != nil {
		return fmt.Errorf("store: saving members: %w", err)
	}
	return nil
}

// saveClocks makes a case's clock rows exactly clocks. It reads what is
// stored and writes only the rows that differ (compared as verify compares
// them) and deletes those no longer given: an event that changes no clock
// runs one query and writes nothing. A fresh case has none to read.
func (t *Tx) saveClocks(caseID string, clocks []clockRow, fresh bool) error {
	var stored []clockRow
	if !fresh {
		var err error
		if stored, err = t.storedClocks(caseID); err != nil {
			return fmt.Errorf("store: reading clocks: %w", err)
		}
	}
	have := map[string]string{}
	for _, cl := range stored {
		have[cl.id] = cl.line()
	}
	want := map[string]bool{}
	args := []any{caseID}
	var values []string
	for _, cl := range clocks {
		want[cl.id] = true
		if line, ok := have[cl.id]; ok && line == cl.line() {
			continue
		}
		n := len(args)
		args = append(args, cl.id, cl.kind, cl.label, cl.ownerOrg, cl.ownerUser, cl.startedAt, cl.dueAt, nullTime(cl.stoppedAt), cl.window)
		values = append(values, fmt.Sprintf("($1, %s)", placeholders(n+1, 9)))
	}
	gone := []any{caseID}
	for _, cl := range stored {
		if !want[cl.id] {
			gone = append(gone, cl.id)
		}
	}
	if n := len(gone) - 1; n > 0 {
		if _, err := t.exec(`DELETE FROM clocks WHERE case_id = $1 AND clock_id IN (`+placeholders(2, n)+`)`, gone...); err != nil {
			return fmt.Errorf("store: clearing clocks: %w", err)
		}
	}
	if len(values) == 0 {
		return nil
	}
	var changed []string
	for _, col := range []string{"kind", "label", "owner_org_id", "owner_user_id", "started_at", "due_at", "stopped_at", "risk_window"} {
		changed = append(changed, "clocks."+col+" IS DISTINCT FROM excluded."+col)
	}
	if _, err := t.exec(`INSERT INTO clocks(case_id, clock_id, kind, label, owner_org_id, owner_user_id, started_at, due_at, stopped_at, risk_window)
		VALUES `+strings.Join(values, ", ")+`
		ON CONFLICT (case_id, clock_id) DO UPDATE SET kind = excluded.kind, label = excluded.label, owner_org_id = excluded.owner_org_id,
			owner_user_id = excluded.owner_user_id, started_at = excluded.started_at, due_at = excluded.due_at,
			stopped_at = excluded.stopped_at, risk_window = excluded.risk_window
		WHERE `+strings.Join(changed, " OR "), args...); err != nil {
		if isUniqueViolation(err) {
			return conflict(err)
		}
		return fmt.Errorf("store: saving clocks: %w", err)
	}
	return nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Membership returns how the user (in org) relates to the case. No roles
// means no need to know: callers answer "not found" (§6.5).
// A member row whose seal does not match (written behind Waymark's back)
// gives nothing.
func (t *Tx) Membership(caseID, userID, orgID string) (pathway.Membership, error) {
	var m pathway.Membership
	ok, err := t.sealedMemberships([]string{caseID}, userID, orgID)
	if err != nil {
		return m, err
	}
	m.Roles = ok[caseID]
	return m, nil
}

// idList appends each of ids to args, once each in the order given, and
// returns what an IN list takes: on SQLite their placeholders ("$3, $4,
// …"); on PostgreSQL one array of them, unnested ("SELECT
// unnest(CAST($3 AS text[]))"), so that a list of any length is the one
// statement, prepared once on each connection and able to keep one plan,
// rather than a statement of its own for each length, each planned anew
// for its first uses on each connection (docs/performance.md, "PostgreSQL:
// a pool that keeps its connections"). The ids are checked as every text
// argument is (unstorable).
func (t *Tx) idList(args []any, ids []string) ([]any, string) {
	seen := make(map[string]bool, len(ids))
	var kept []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			kept = append(kept, id)
		}
	}
	if t.dialect == Postgres {
		args = append(args, kept)
		return args, fmt.Sprintf("SELECT unnest(CAST($%d AS text[]))", len(args))
	}
	from := len(args) + 1
	for _, id := range kept {
		args = append(args, id)
	}
	return args, placeholders(from, len(kept))
}

// sealedMemberships returns, for each of the cases, the roles the user (in
// org) holds by member rows whose seals match.
func (t *Tx) sealedMemberships(caseIDs []string, userID, orgID string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(caseIDs) == 0 {
		return out, nil
	}
	sealed, err := t.historySealed()
	if err != nil {
		return nil, err
	}
	args, in := t.idList([]any{userID, orgID}, caseIDs)
	rows, err := t.query(`SELECT m.case_id, m.member_kind, m.member_id, m.role, m.seal_key, m.mac, `+caseVersion+` FROM case_members m
		WHERE ((m.member_kind IN ('user', 'client') AND m.member_id = $1) OR (m.member_kind = 'org' AND m.member_id = $2)) AND m.case_id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: reading membership: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var caseID, kind, id, role, keyID, mac string
		var version int
		if err := rows.Scan(&caseID, &kind, &id, &role, &keyID, &mac, &version); err != nil {
			return nil, err
		}
		if t.memberSealed(sealed, caseID, kind, id, role, version, keyID, mac) {
			out[caseID] = append(out[caseID], role)
		}
	}
	return out, rows.Err()
}

// memberSealed reports whether a member row's seal matches; an unsealed
// row counts only in a database whose history was never sealed.
func (t *Tx) memberSealed(sealed bool, caseID, kind, id, role string, version int, keyID, mac string) bool {
	if mac == "" {
		return !sealed
	}
	ring := t.ring()
	if ring == nil {
		return false
	}
	key, err := ring.SealKey(keyID)
	return err == nil && audit.EventMACEqual(audit.MemberMAC(key, keyID, caseID, kind, id, role, version), mac)
}

// caseVersion is the last seq of the case of member row m, from its log.
const caseVersion = `(SELECT COALESCE(MAX(e.seq), 0) FROM case_events e WHERE e.case_id = m.case_id)`

// onlySealedMembers drops from a list the cases the user is a member of
// only by rows whose seals do not match.
func (t *Tx) onlySealedMembers(list []CaseSummary, userID, orgID string) ([]CaseSummary, error) {
	ids := make([]string, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	ok, err := t.sealedMemberships(ids, userID, orgID)
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, c := range list {
		if len(ok[c.ID]) > 0 {
			out = append(out, progressSeenBy(c, ok[c.ID]))
		}
	}
	return out, nil
}

// progressSeenBy keeps a case's progress (computed on the whole case: the
// NRM referral, its decisions, the strategy discussion) for its team only;
// a member outside it (§6.5) is shown the stage, as their case page is
// (pathway.Case.ForOutsider), never the team's hidden work.
func progressSeenBy(c CaseSummary, roles []string) CaseSummary {
	if !(pathway.Membership{Roles: roles}).Team() {
		c.Progress = ""
	}
	return c
}

// CaseSummary is one row of a case list.
type CaseSummary struct {
	ID              string
	Reference       string
	Stage           pathway.Stage
	ChildName       string
	FamilySuspected bool
	AgeUncertain    bool
	ImmediateRisk   bool
	RaisedAt        time.Time
	UpdatedAt       time.Time
	Version         int
	NextClockLabel  string
	NextClockDue    *time.Time
	Missing         bool
	Closed          bool
	OpenEscalations int
	HighRiskUntil   *time.Time
	// Progress is where the case stands on the whole pathway
	// (pathway.Case.Progress), "" for a case not saved since migration 0026.
	Progress string
	// AssignedTo names the workers assigned to the case (§6.7), on the
	// lists that show them (the inbox).
	AssignedTo []string
}

// Position is where the case stands on the pathway, as lists show it: its
// progress, or its stage when no progress has been saved yet.
func (c CaseSummary) Position() string {
	if c.Progress != "" {
		return c.Progress
	}
	return c.Stage.Label()
}

// summarySelect lists cases with the next deadline the viewer ($1 the user,
// $2 their organisation) may see: to the case team any running clock; to a
// member outside it (§6.5) only the clocks pathway.OutsiderSeesClock keeps
// (the outcome's, and those they own), so a referrer's list names none of
// the team's deadlines.
var summarySelect = `SELECT c.id, COALESCE(c.reference, ''), c.stage, c.child_name, c.family_suspected, c.age_uncertain, c.immediate_risk,
		c.raised_at, c.updated_at, c.version, COALESCE(k.label, ''), k.due_at,
		c.missing, c.closed, c.open_escalations, c.high_missing_risk_until, COALESCE(c.progress, ''), ` + caseKeyColumns + `
	FROM cases c` + caseKeyJoin + `
	LEFT JOIN clocks k ON k.case_id = c.id AND k.stopped_at IS NULL AND ` + clockSeenBy("k") + `
		AND k.due_at = (SELECT MIN(k2.due_at) FROM clocks k2 WHERE k2.case_id = c.id AND k2.stopped_at IS NULL AND ` + clockSeenBy("k2") + `)`

// clockSeenBy is the condition that the viewer ($1, $2) may see clock k of
// case c: they are on its team (pathway.TeamRoles), or the clock is one an
// outsider sees (pathway.OutsiderSeesClock). The roles and kinds are the
// pathway's own constants, written into the query as literals.
func clockSeenBy(k string) string {
	var roles, kinds []string
	for _, r := range pathway.TeamRoles() {
		roles = append(roles, sqlLiteral(r))
	}
	for _, kind := range pathway.OutsiderClockKinds() {
		kinds = append(kinds, sqlLiteral(string(kind)))
	}
	return `(EXISTS (SELECT 1 FROM case_members tm WHERE tm.case_id = c.id AND tm.role IN (` + strings.Join(roles, ", ") + `)
			AND ((tm.member_kind IN ('user', 'client') AND tm.member_id = $1) OR (tm.member_kind = 'org' AND tm.member_id = $2)))
		OR ` + k + `.kind IN (` + strings.Join(kinds, ", ") + `)
		OR (` + k + `.owner_user_id <> '' AND ` + k + `.owner_user_id = $1))`
}

// sqlLiteral quotes a constant of the code (never input) as an SQL string.
func sqlLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// memberFilter restricts a list to the cases the user (or machine client:
// its id is never a user's) may know about (§6.5).
const memberFilter = ` c.id IN (SELECT m.case_id FROM case_members m WHERE (m.member_kind IN ('user', 'client') AND m.member_id = $1) OR (m.member_kind = 'org' AND m.member_id = $2))`

func (t *Tx) summaries(q string, args ...any) ([]CaseSummary, error) {
	out, err := t.summaryRows(q, args...)
	if err != nil {
		return nil, err
	}
	// Every list filters on membership ($1 the user, $2 their organisation).
	userID, _ := args[0].(string)
	orgID, _ := args[1].(string)
	return t.onlySealedMembers(out, userID, orgID)
}

// summaryRows runs a list's query, before the member rows' seals are checked.
func (t *Tx) summaryRows(q string, args ...any) ([]CaseSummary, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: listing cases: %w", err)
	}
	defer rows.Close()
	var out []CaseSummary
	seen := map[string]bool{}
	for rows.Next() {
		var s CaseSummary
		var due textTime // a time, or on SQLite the text of one when a subquery gives it (listwalk.go)
		var risk sql.NullTime
		var stage, master, wrapped string
		var erased bool
		if err := rows.Scan(&s.ID, &s.Reference, &stage, &s.ChildName, &s.FamilySuspected, &s.AgeUncertain, &s.ImmediateRisk,
			&s.RaisedAt, &s.UpdatedAt, &s.Version, &s.NextClockLabel, &due, &s.Missing, &s.Closed, &s.OpenEscalations, &risk,
			&s.Progress, &master, &wrapped, &erased); err != nil {
			return nil, fmt.Errorf("store: scanning case summary: %w", err)
		}
		var err error
		if s.ChildName, err = t.openChildName(s.ID, s.ChildName, master, wrapped, erased); err != nil {
			return nil, err
		}
		if seen[s.ID] { // two clocks due at the same instant
			continue
		}
		seen[s.ID] = true
		s.Stage = pathway.Stage(stage)
		s.NextClockDue = due.t
		s.HighRiskUntil = timePtr(risk)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// CasesFor lists the first limit cases the user may know about, newest
// activity first (CasesPage, listwalk.go, gives the pages after).
func (t *Tx) CasesFor(userID, orgID string, limit int) ([]CaseSummary, error) {
	out, _, err := t.CasesPage(userID, orgID, nil, limit)
	return out, err
}

// SearchCases is the first page of SearchPage (listwalk.go), of at most limit cases.
func (t *Tx) SearchCases(userID, orgID, q string, limit int) ([]CaseSummary, error) {
	out, _, err := t.SearchPage(userID, orgID, q, nil, limit)
	return out, err
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// CaseIDs lists every case id, for rebuilding read models.
func (t *Tx) CaseIDs() ([]string, error) {
	// An erased case's log cannot be read: its read model is kept as erasure left it.
	rows, err := t.query(`SELECT DISTINCT case_id FROM case_events WHERE case_id NOT IN (SELECT case_id FROM erasures) ORDER BY case_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// DeleteOrphanReadModels removes read-model rows of cases that have no log
// (and were not erased, whose logs can no longer be read).
func (t *Tx) DeleteOrphanReadModels() error {
	// An erased case is not reviewed again: its row goes with the rest.
	if _, err := t.exec(`DELETE FROM closed_cases WHERE case_id IN (SELECT case_id FROM erasures) OR case_id NOT IN (SELECT case_id FROM case_events)`); err != nil {
		return fmt.Errorf("store: clearing closed_cases: %w", err)
	}
	for _, table := range []string{"queue_items", "search_tokens", "person_match_keys", "person_match_records", "clocks", "case_members", "case_viewers", "case_escalations", "cases"} {
		key := "case_id"
		if table == "cases" {
			key = "id"
		}
		if _, err := t.exec(`DELETE FROM ` + table + ` WHERE ` + key + ` NOT IN (SELECT case_id FROM erasures) AND ` + key + ` NOT IN (SELECT case_id FROM case_events)`); err != nil {
			return fmt.Errorf("store: clearing %s: %w", table, err)
		}
	}
	return nil
}

// NextNumber takes the next number of a named counter (for references).
// On PostgreSQL a counter with a sequence of its own (numberSequences) takes
// it from the sequence, which locks nothing, so writers to different cases
// do not queue on one row; a transaction that rolls back after taking a
// number leaves a gap there (migration 0020 says when). Elsewhere, and on
// SQLite, the counters row moves in the transaction and a rollback gives
// the number back.
func (t *Tx) NextNumber(name string) (int64, error) {
	var n int64
	var err error
	if seq, ok := numberSequences[name]; ok && t.dialect == Postgres {
		err = t.queryRow(`SELECT nextval('` + seq + `')`).Scan(&n)
	} else {
		err = t.queryRow(`INSERT INTO counters(name, next) VALUES ($1, 2) ON CONFLICT (name) DO UPDATE SET next = counters.next + 1 RETURNING next - 1`, name).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("store: taking number from %s: %w", name, err)
	}
	return n, nil
}

// numberSequences names the PostgreSQL sequence of each counter that has one.
var numberSequences = map[string]string{"contact-reference": "contact_reference_seq"}

// CountCases counts cases (for metrics and benchmarks).
func (t *Tx) CountCases() (int, error) {
	var n int
	err := t.queryRow(`SELECT COUNT(*) FROM cases`).Scan(&n)
	return n, err
}
