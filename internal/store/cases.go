package store

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/pathway"
)

// AppendEvents appends events to a case's log. expectedVersion is the seq of
// the last event the caller saw; if anyone appended since, the save fails
// with ECONFLICT and nothing is written.
func (t *Tx) AppendEvents(caseID string, expectedVersion int, events []pathway.Event) error {
	current, prevMAC, err := t.lastHead(caseID)
	if err != nil {
		return err
	}
	if current != expectedVersion {
		return conflict(fmt.Errorf("case %s at version %d, caller expected %d", caseID, current, expectedVersion))
	}
	keyID, key, err := t.sealKey()
	if err != nil {
		return err
	}
	for i, e := range events {
		if e.Seq != expectedVersion+i+1 {
			return fmt.Errorf("store: event %d of case %s has seq %d, want %d", i, caseID, e.Seq, expectedVersion+i+1)
		}
		payload, err := pathway.EncodePayload(e)
		if err != nil {
			return err
		}
		sealed, err := t.seal(ownerCase, caseID, eventAAD(caseID, e.Seq), payload)
		if err != nil {
			return err
		}
		var corrects any
		if e.Corrects != 0 {
			corrects = e.Corrects
		}
		// One HMAC per event seals it onto the one before (seal.go).
		var mac string
		if key != nil {
			mac = audit.EventMAC(key, keyID, prevMAC, audit.EventFields{CaseID: caseID, Seq: e.Seq, Type: e.Type, Payload: sealed,
				ActorID: e.Actor.UserID, OrgID: e.Actor.OrgID, At: utc(e.At), Corrects: e.Corrects})
		}
		_, err = t.exec(`INSERT INTO case_events(case_id, seq, type, payload, actor_id, org_id, at, corrects, seal_key, mac) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			caseID, e.Seq, e.Type, sealed, e.Actor.UserID, e.Actor.OrgID, utc(e.At), corrects, keyID, mac)
		if isUniqueViolation(err) {
			return conflict(err)
		}
		if err != nil {
			return fmt.Errorf("store: appending event: %w", err)
		}
		if key != nil {
			t.noteHead(caseID, audit.Head{Seq: e.Seq, MAC: mac}, utc(e.At))
		}
		prevMAC = mac
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
	rows, err := t.query(`SELECT e.seq, e.type, e.payload, e.actor_id, COALESCE(u.name, mc.name, ''), COALESCE(u.id, ''), e.org_id, COALESCE(o.name, ''), e.at, COALESCE(e.corrects, 0), e.seal_key, e.mac
		FROM case_events e LEFT JOIN users u ON u.id = e.actor_id LEFT JOIN machine_clients mc ON mc.id = e.actor_id LEFT JOIN organisations o ON o.id = e.org_id
		WHERE e.case_id = $1 ORDER BY e.seq`, caseID)
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
func (t *Tx) SaveProjection(c pathway.Case, updatedAt time.Time) error {
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
	r := p.row
	_, err = t.exec(`INSERT INTO cases(id, reference, stage, child_name, search_text, referrer_user_id, referrer_org_id, cs_org_id,
			family_suspected, age_uncertain, immediate_risk, raised_at, updated_at, version,
			missing, closed, open_escalations, high_missing_risk_until, whereabouts_confidential, closed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
		ON CONFLICT (id) DO UPDATE SET reference = excluded.reference, stage = excluded.stage, child_name = excluded.child_name,
			search_text = excluded.search_text, referrer_user_id = excluded.referrer_user_id, referrer_org_id = excluded.referrer_org_id,
			cs_org_id = excluded.cs_org_id, family_suspected = excluded.family_suspected, age_uncertain = excluded.age_uncertain,
			immediate_risk = excluded.immediate_risk, raised_at = excluded.raised_at, updated_at = excluded.updated_at, version = excluded.version,
			missing = excluded.missing, closed = excluded.closed, open_escalations = excluded.open_escalations,
			high_missing_risk_until = excluded.high_missing_risk_until, whereabouts_confidential = excluded.whereabouts_confidential,
			closed_at = excluded.closed_at`,
		c.ID, nullString(r.reference), r.stage, name, r.searchText, r.referrerUser, r.referrerOrg, r.csOrg,
		r.familySuspected, r.ageUncertain, r.immediateRisk, r.raisedAt, r.updatedAt, r.version,
		r.missing, r.closed, r.openEscalations, nullTime(r.riskUntil), r.whereaboutsConfidential, nullTime(r.closedAt))
	if isUniqueViolation(err) {
		return conflict(err)
	}
	if err != nil {
		return fmt.Errorf("store: saving case row: %w", err)
	}
	if _, err := t.exec(`DELETE FROM search_tokens WHERE case_id = $1`, c.ID); err != nil {
		return fmt.Errorf("store: clearing search tokens: %w", err)
	}
	for _, h := range p.tokens {
		if _, err := t.exec(`INSERT INTO search_tokens(case_id, token_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING`, c.ID, h); err != nil {
			return fmt.Errorf("store: saving search token: %w", err)
		}
	}
	if _, err := t.exec(`DELETE FROM case_members WHERE case_id = $1`, c.ID); err != nil {
		return fmt.Errorf("store: clearing members: %w", err)
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
	for _, m := range p.members {
		var mac string
		if key != nil {
			mac = audit.MemberMAC(key, keyID, c.ID, m.Kind, m.ID, m.Role, c.Version)
		}
		if _, err := t.exec(`INSERT INTO case_members(case_id, member_kind, member_id, role, seal_key, mac) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
			c.ID, m.Kind, m.ID, m.Role, keyID, mac); err != nil {
			return fmt.Errorf("store: saving member: %w", err)
		}
	}
	if _, err := t.exec(`DELETE FROM clocks WHERE case_id = $1`, c.ID); err != nil {
		return fmt.Errorf("store: clearing clocks: %w", err)
	}
	for _, cl := range p.clocks {
		if _, err := t.exec(`INSERT INTO clocks(case_id, clock_id, kind, label, owner_org_id, owner_user_id, started_at, due_at, stopped_at, risk_window)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			c.ID, cl.id, cl.kind, cl.label, cl.ownerOrg, cl.ownerUser, cl.startedAt, cl.dueAt, nullTime(cl.stoppedAt), cl.window); err != nil {
			return fmt.Errorf("store: saving clock: %w", err)
		}
	}
	return t.saveQueues(c.ID, p)
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
	args := []any{userID, orgID}
	in := make([]string, len(caseIDs))
	for i, id := range caseIDs {
		args = append(args, id)
		in[i] = fmt.Sprintf("$%d", len(args))
	}
	rows, err := t.query(`SELECT m.case_id, m.member_kind, m.member_id, m.role, m.seal_key, m.mac, `+caseVersion+` FROM case_members m
		WHERE ((m.member_kind IN ('user', 'client') AND m.member_id = $1) OR (m.member_kind = 'org' AND m.member_id = $2)) AND m.case_id IN (`+strings.Join(in, ", ")+`)`, args...)
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
			out = append(out, c)
		}
	}
	return out, nil
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
}

// summarySelect lists cases with the next deadline the viewer ($1 the user,
// $2 their organisation) may see: to the case team any running clock; to a
// member outside it (§6.5) only the clocks pathway.OutsiderSeesClock keeps
// (the outcome's, and those they own), so a referrer's list names none of
// the team's deadlines.
var summarySelect = `SELECT c.id, COALESCE(c.reference, ''), c.stage, c.child_name, c.family_suspected, c.age_uncertain, c.immediate_risk,
		c.raised_at, c.updated_at, c.version, COALESCE(k.label, ''), k.due_at,
		c.missing, c.closed, c.open_escalations, c.high_missing_risk_until, ` + caseKeyColumns + `
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
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: listing cases: %w", err)
	}
	defer rows.Close()
	var out []CaseSummary
	seen := map[string]bool{}
	for rows.Next() {
		var s CaseSummary
		var due, risk sql.NullTime
		var stage, master, wrapped string
		var erased bool
		if err := rows.Scan(&s.ID, &s.Reference, &stage, &s.ChildName, &s.FamilySuspected, &s.AgeUncertain, &s.ImmediateRisk,
			&s.RaisedAt, &s.UpdatedAt, &s.Version, &s.NextClockLabel, &due, &s.Missing, &s.Closed, &s.OpenEscalations, &risk,
			&master, &wrapped, &erased); err != nil {
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
		s.NextClockDue = timePtr(due)
		s.HighRiskUntil = timePtr(risk)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// Every list filters on membership ($1 the user, $2 their organisation).
	userID, _ := args[0].(string)
	orgID, _ := args[1].(string)
	return t.onlySealedMembers(out, userID, orgID)
}

// CasesFor lists every case the user may know about, newest activity first.
func (t *Tx) CasesFor(userID, orgID string, limit int) ([]CaseSummary, error) {
	return t.summaries(summarySelect+` WHERE`+memberFilter+` ORDER BY c.updated_at DESC LIMIT $3`, userID, orgID, limit)
}

// SearchCases finds the user's cases where every word of q is in the
// reference, or is one of the child's names or aliases or the start (three
// letters or more) of one, matched through the blind index. Cases they are
// not a member of are never searched at all.
func (t *Tx) SearchCases(userID, orgID, q string, limit int) ([]CaseSummary, error) {
	words := strings.Fields(strings.ToLower(q))
	if len(words) > 6 {
		words = words[:6]
	}
	ix, err := t.index()
	if err != nil {
		return nil, err
	}
	query := summarySelect + ` WHERE` + memberFilter
	args := []any{userID, orgID, limit}
	for _, w := range words {
		args = append(args, "%"+escapeLike(w)+"%")
		cond := fmt.Sprintf(`c.search_text LIKE $%d ESCAPE '\'`, len(args))
		if hashes := ix.Query(w); len(hashes) > 0 {
			var all []string
			for _, h := range hashes {
				args = append(args, h)
				all = append(all, fmt.Sprintf(`EXISTS (SELECT 1 FROM search_tokens st WHERE st.case_id = c.id AND st.token_hash = $%d)`, len(args)))
			}
			cond += ` OR (` + strings.Join(all, ` AND `) + `)`
		}
		query += ` AND (` + cond + `)`
	}
	return t.summaries(query+` ORDER BY c.updated_at DESC LIMIT $3`, args...)
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
	for _, table := range []string{"queue_items", "search_tokens", "clocks", "case_members", "cases"} {
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
func (t *Tx) NextNumber(name string) (int64, error) {
	var n int64
	err := t.queryRow(`INSERT INTO counters(name, next) VALUES ($1, 2) ON CONFLICT (name) DO UPDATE SET next = counters.next + 1 RETURNING next - 1`, name).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: taking number from %s: %w", name, err)
	}
	return n, nil
}

// CountCases counts cases (for metrics and benchmarks).
func (t *Tx) CountCases() (int, error) {
	var n int
	err := t.queryRow(`SELECT COUNT(*) FROM cases`).Scan(&n)
	return n, err
}
