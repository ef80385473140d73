package store

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"waymark/internal/crypt"
	"waymark/internal/pathway"
)

// Entity keys (migration 0035): each case is filed under the keyed hashes
// of its entities (pathway.Case.EntityKeys hashed by crypt.EntityKeys), so
// the cases an entity recurs in are found by an index probe and the network
// of recurring entities is paged from entity_counts, without the database
// holding a name, an address or a number (§6.8, §8.8). The rows are part of
// the case's projection (projection.go): written by SaveProjection and the
// prepared saves in the same transaction as the events, only where they
// change, checked by verify, rewritten by rebuild, deleted on erasure.

// entityRow is one entity_keys row of a case. partnership is the stored
// row's (migration 0042): a case's rows are filed under the partnership of
// its Children's Services organisation, so that each partnership's network
// is counted and paged on its own. A row computed from a case has none: it
// is given when the rows are saved (saveEntityKeys).
type entityRow struct{ kind, hash, partnership string }

func (r entityRow) line() string { return "entity_keys: " + r.kind + " " + r.hash }

// entityRows hashes a case's entity keys.
func entityRows(c pathway.Case, ix *crypt.Index) []entityRow {
	ks := c.EntityKeys()
	if len(ks) == 0 {
		return nil
	}
	ek := ix.EntityKeys()
	out := make([]entityRow, 0, len(ks))
	for _, k := range ks {
		out = append(out, entityRow{kind: k.Kind, hash: ek.Hash(k.Kind, k.Key)})
	}
	return out
}

// storedEntityKeys reads a case's entity_keys rows.
func (t *Tx) storedEntityKeys(caseID string) ([]entityRow, error) {
	rows, err := t.query(`SELECT kind, key_hash, partnership_id FROM entity_keys WHERE case_id = $1`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []entityRow
	for rows.Next() {
		var r entityRow
		if err := rows.Scan(&r.kind, &r.hash, &r.partnership); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// saveEntityKeys makes a case's entity_keys rows exactly want, filed under
// the partnership of the case's Children's Services organisation (read
// from its cases row, which writeProjection has just written), and moves
// entity_counts by the rows added and removed. It reads what is stored and
// writes only the difference: an event that changes no entity (most do
// not) runs one query and writes nothing. A fresh case has none to read. A
// case that moved to another partnership (a transfer) has every row moved,
// and each partnership's counts with it.
//
// On PostgreSQL another transaction may be moving the case's organisation
// to another partnership meanwhile (SetOrganisationPartnership moves its
// cases' rows and recounts). So a save that writes (an erasure too) takes a
// share lock on the organisation's row and then reads the stored rows and
// the partnership again: the move then waits for this save to commit and
// moves its rows with the rest, or this save waits for the move and works
// on the rows as the move left them. A save that writes nothing leaves the
// rows where they are, and a move still to come moves them.
func (t *Tx) saveEntityKeys(caseID string, want []entityRow, fresh bool) error {
	var have []entityRow
	if !fresh {
		var err error
		if have, err = t.storedEntityKeys(caseID); err != nil {
			return fmt.Errorf("store: reading entity keys: %w", err)
		}
	}
	if len(want) == 0 && len(have) == 0 {
		return nil
	}
	partnership, err := t.filedPartnership(caseID, "")
	if err != nil {
		return err
	}
	gone, added := entityChanges(have, want, partnership)
	if len(gone) == 0 && len(added) == 0 {
		return nil
	}
	if t.dialect == Postgres && !t.readOnly {
		if partnership, err = t.filedPartnership(caseID, " FOR SHARE OF o"); err != nil {
			return err
		}
		if !fresh {
			if have, err = t.storedEntityKeys(caseID); err != nil {
				return fmt.Errorf("store: reading entity keys: %w", err)
			}
		}
		gone, added = entityChanges(have, want, partnership)
	}
	for _, r := range gone {
		if _, err := t.exec(`DELETE FROM entity_keys WHERE case_id = $1 AND key_hash = $2`, caseID, r.hash); err != nil {
			return fmt.Errorf("store: clearing entity keys: %w", err)
		}
		if err := t.countEntity(r, -1); err != nil {
			return err
		}
	}
	for _, r := range added {
		if _, err := t.exec(`INSERT INTO entity_keys(case_id, key_hash, kind, partnership_id) VALUES ($1, $2, $3, $4)`, caseID, r.hash, r.kind, r.partnership); err != nil {
			return fmt.Errorf("store: saving entity keys: %w", err)
		}
		if err := t.countEntity(r, 1); err != nil {
			return err
		}
	}
	return nil
}

// filedPartnership is the partnership a case's partnership-filed read
// models (its entity keys, its closed_cases row) are filed under: its
// Children's Services organisation's, "" when it has none or its row's
// seal does not match (identity.go). lock is "" or, on PostgreSQL, a row
// lock on the organisation.
func (t *Tx) filedPartnership(caseID, lock string) (string, error) {
	o, err := scanOrg(t.queryRow(`SELECT `+orgColumns+` FROM cases c JOIN organisations o ON o.id = c.cs_org_id WHERE c.id = $1`+lock, caseID))
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: reading the partnership of a case's entities: %w", err)
	}
	if !t.orgSealed(o) {
		return "", nil
	}
	return o.PartnershipID, nil
}

// entityChanges gives the stored rows that must go (no longer wanted, or
// filed under another partnership) and the wanted rows to add, filed under
// the partnership.
func entityChanges(have, want []entityRow, partnership string) (gone, added []entityRow) {
	wanted := map[string]bool{}
	for _, r := range want {
		wanted[r.hash] = true
	}
	kept := map[string]bool{}
	for _, r := range have {
		if wanted[r.hash] && r.partnership == partnership {
			kept[r.hash] = true
			continue
		}
		gone = append(gone, r)
	}
	for _, r := range want {
		if kept[r.hash] {
			continue
		}
		kept[r.hash] = true
		r.partnership = partnership
		added = append(added, r)
	}
	return gone, added
}

// countEntity moves an entity's count of cases in the row's partnership by
// delta; a count that reaches nought goes.
func (t *Tx) countEntity(r entityRow, delta int) error {
	if delta > 0 {
		_, err := t.exec(`INSERT INTO entity_counts(partnership_id, key_hash, kind, cases) VALUES ($1, $2, $3, $4)
			ON CONFLICT (partnership_id, key_hash) DO UPDATE SET cases = entity_counts.cases + excluded.cases`, r.partnership, r.hash, r.kind, delta)
		if err != nil {
			return fmt.Errorf("store: counting entity: %w", err)
		}
		return nil
	}
	if _, err := t.exec(`UPDATE entity_counts SET cases = cases + $3 WHERE partnership_id = $1 AND key_hash = $2`, r.partnership, r.hash, delta); err != nil {
		return fmt.Errorf("store: counting entity: %w", err)
	}
	if _, err := t.exec(`DELETE FROM entity_counts WHERE partnership_id = $1 AND key_hash = $2 AND cases <= 0`, r.partnership, r.hash); err != nil {
		return fmt.Errorf("store: counting entity: %w", err)
	}
	return nil
}

// recountEntitiesOf files the entity rows of the cases whose Children's
// Services organisation is orgID under its partnership now, and counts the
// partnerships they left and joined again (SetOrganisationPartnership: a
// case follows its organisation).
func (t *Tx) recountEntitiesOf(orgID, partnershipID string) error {
	// On PostgreSQL the counts are recomputed whole for two partnerships:
	// no other transaction may move them meanwhile. Saves of this
	// organisation's cases that read its partnership before the move have
	// committed by now (the UPDATE waited for their share locks), so their
	// rows are read below; later ones wait for this transaction.
	if t.dialect == Postgres {
		if _, err := t.exec(`LOCK TABLE entity_counts IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("store: locking entity counts: %w", err)
		}
	}
	rows, err := t.query(`SELECT DISTINCT k.partnership_id FROM entity_keys k JOIN cases c ON c.id = k.case_id WHERE c.cs_org_id = $1 AND k.partnership_id <> $2`, orgID, partnershipID)
	if err != nil {
		return fmt.Errorf("store: reading an organisation's entity keys: %w", err)
	}
	var left []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return err
		}
		left = append(left, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(left) == 0 {
		return nil
	}
	if _, err := t.exec(`UPDATE entity_keys SET partnership_id = $2 WHERE case_id IN (SELECT id FROM cases WHERE cs_org_id = $1)`, orgID, partnershipID); err != nil {
		return fmt.Errorf("store: moving an organisation's entity keys: %w", err)
	}
	for _, p := range append(left, partnershipID) {
		if _, err := t.exec(`DELETE FROM entity_counts WHERE partnership_id = $1`, p); err != nil {
			return fmt.Errorf("store: recounting entities: %w", err)
		}
		if _, err := t.exec(`INSERT INTO entity_counts(partnership_id, key_hash, kind, cases)
			SELECT partnership_id, key_hash, MIN(kind), COUNT(*) FROM entity_keys WHERE partnership_id = $1 GROUP BY partnership_id, key_hash`, p); err != nil {
			return fmt.Errorf("store: recounting entities: %w", err)
		}
	}
	return nil
}

// clearEntityKeys deletes a case's entity keys (erasure).
func (t *Tx) clearEntityKeys(caseID string) error {
	return t.saveEntityKeys(caseID, nil, false)
}

// RebuildEntityCounts writes entity_counts again from entity_keys
// (`waymark rebuild`, after every case's rows were rewritten).
func (t *Tx) RebuildEntityCounts() error {
	if _, err := t.exec(`DELETE FROM entity_keys WHERE case_id NOT IN (SELECT case_id FROM case_events) OR case_id IN (SELECT case_id FROM erasures)`); err != nil {
		return fmt.Errorf("store: clearing entity keys: %w", err)
	}
	if _, err := t.exec(`DELETE FROM entity_counts`); err != nil {
		return fmt.Errorf("store: clearing entity counts: %w", err)
	}
	if _, err := t.exec(`INSERT INTO entity_counts(partnership_id, key_hash, kind, cases)
		SELECT partnership_id, key_hash, MIN(kind), COUNT(*) FROM entity_keys GROUP BY partnership_id, key_hash`); err != nil {
		return fmt.Errorf("store: counting entities: %w", err)
	}
	return nil
}

// checkEntityCounts: every entity_keys row is filed under the partnership
// of its case's Children's Services organisation, and entity_counts is
// exactly the count of entity_keys rows of each partnership and key, of
// their kind
// (verify, once every case's rows were checked). A row filed under another
// partnership would show that partnership's lead a case of this one.
func (t *Tx) checkEntityCounts() error {
	var misfiled string
	err := t.queryRow(`SELECT k.case_id FROM entity_keys k JOIN cases c ON c.id = k.case_id LEFT JOIN organisations o ON o.id = c.cs_org_id
		WHERE k.partnership_id <> COALESCE(o.partnership_id, '') LIMIT 1`).Scan(&misfiled)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("store: checking entity keys' partnerships: %w", err)
	default:
		return &TamperError{CaseID: misfiled, Reason: "entity_keys files case " + misfiled + " under a partnership its Children's Services organisation is not in (a row was inserted or changed)"}
	}
	var bad string
	err = t.queryRow(`SELECT key_hash FROM (
			SELECT k.key_hash FROM (SELECT partnership_id, key_hash, COUNT(*) AS n, MIN(kind) AS kind, MAX(kind) AS other FROM entity_keys GROUP BY partnership_id, key_hash) k
				LEFT JOIN entity_counts c ON c.partnership_id = k.partnership_id AND c.key_hash = k.key_hash
				WHERE c.cases IS NULL OR c.cases <> k.n OR c.kind <> k.kind OR k.other <> k.kind
			UNION ALL
			SELECT c.key_hash FROM entity_counts c WHERE NOT EXISTS (SELECT 1 FROM entity_keys k WHERE k.partnership_id = c.partnership_id AND k.key_hash = c.key_hash)
		) x LIMIT 1`).Scan(&bad)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("store: checking entity counts: %w", err)
	}
	return &TamperError{Reason: "entity_counts says entity " + bad + " is in a number of cases, or is of a kind, that its entity_keys rows do not give (a row was inserted, deleted or changed)"}
}

// EntityKeyHash is the keyed hash the store files an entity under: its
// kind and normalised value (pathway.EntityKey).
func (t *Tx) EntityKeyHash(kind, key string) (string, error) {
	ix, err := t.index()
	if err != nil {
		return "", err
	}
	return ix.EntityKeys().Hash(kind, key), nil
}

// EntityCase is a case an entity is in, as far as anyone outside it may
// know: its reference and whose Children's Services team to ask.
type EntityCase struct {
	CaseID      string
	Reference   string // "" until Children's Services gives one
	TeamOrgID   string
	TeamOrgName string
	Closed      bool
}

// Recurrence is where one entity of a case recurs: how many other cases
// have it, and the first of them (at most the limit asked for).
type Recurrence struct {
	KeyHash string
	Kind    string
	Others  int
	Cases   []EntityCase
}

// EntityCountCap is where a count of the cases an entity is in, within
// some partnerships, stops: "in 1,000 other cases" may mean more.
const EntityCountCap = 1000

// EntityCasesIn lists the cases filed under the key hash in one of the
// partnerships (the partnership of the case's Children's Services
// organisation, migration 0042), except the case notCase, in case id
// order backwards (the most recently raised first: ids lead with their
// day), at most EntityCountCap of them: one range of the index by
// partnership and key for each partnership, so another partnership's cases
// are never read. The organisation's partnership is checked again as each
// case is read.
func (t *Tx) EntityCasesIn(hash string, partnerships []string, notCase string) ([]EntityCase, error) {
	if len(partnerships) == 0 {
		return nil, nil
	}
	args, in := t.idList([]any{hash, notCase}, partnerships)
	rows, err := t.query(`SELECT ek.case_id, COALESCE(c.reference, ''), c.cs_org_id, COALESCE(o.name, ''), c.closed
		FROM entity_keys ek JOIN cases c ON c.id = ek.case_id JOIN organisations o ON o.id = c.cs_org_id AND o.partnership_id = ek.partnership_id
		WHERE ek.partnership_id IN (`+in+`) AND ek.key_hash = $1 AND ek.case_id <> $2
		ORDER BY ek.case_id DESC LIMIT `+fmt.Sprint(EntityCountCap), args...)
	if err != nil {
		return nil, fmt.Errorf("store: reading an entity's cases: %w", err)
	}
	var all []EntityCase
	var orgs []string
	for rows.Next() {
		var e EntityCase
		if err := rows.Scan(&e.CaseID, &e.Reference, &e.TeamOrgID, &e.TeamOrgName, &e.Closed); err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, e)
		orgs = append(orgs, e.TeamOrgID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// A team moved into the partnership behind Waymark's back (its seal
	// covers its partnership) shows none of its cases (entityCases too).
	sealed, err := t.sealedOrgs(orgs)
	if err != nil {
		return nil, err
	}
	var out []EntityCase
	for _, e := range all {
		if sealed[e.TeamOrgID] {
			out = append(out, e)
		}
	}
	return out, nil
}

// EntityRecurrence gives, for each entity key of the case that other cases
// of the partnerships share, how many of those cases have it (up to
// EntityCountCap) and the first limit of them, by key hash. Nothing of the
// other cases but their references and teams is read, and nothing at all
// of another partnership's, not even how many there are. A key is looked
// for only where the partnership's count shows another case with it.
func (t *Tx) EntityRecurrence(caseID string, partnerships []string, limit int) (map[string]Recurrence, error) {
	if len(partnerships) == 0 {
		return map[string]Recurrence{}, nil
	}
	args, in := t.idList([]any{caseID}, partnerships)
	rows, err := t.query(`SELECT DISTINCT k.key_hash, k.kind FROM entity_keys k JOIN entity_counts n ON n.key_hash = k.key_hash
		WHERE k.case_id = $1 AND n.partnership_id IN (`+in+`) AND n.cases >= CASE WHEN n.partnership_id = k.partnership_id THEN 2 ELSE 1 END`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: reading entity recurrence: %w", err)
	}
	var rs []Recurrence
	for rows.Next() {
		var r Recurrence
		if err := rows.Scan(&r.KeyHash, &r.Kind); err != nil {
			rows.Close()
			return nil, err
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]Recurrence, len(rs))
	for _, r := range rs {
		cases, err := t.EntityCasesIn(r.KeyHash, partnerships, caseID)
		if err != nil {
			return nil, err
		}
		if len(cases) == 0 {
			continue
		}
		r.Others, r.Cases = len(cases), cases[:min(limit, len(cases))]
		out[r.KeyHash] = r
	}
	return out, nil
}

// entityCases lists, for each of the key hashes, up to limit cases filed
// under it in the partnership, in case id order backwards (the index's,
// and so the most recently raised first: ids lead with their day,
// access.NewDatedID): one
// statement, one index range of entity_keys per hash, each cut at limit,
// so a hub in thousands of cases costs what a pair does.
func (t *Tx) entityCases(partnership string, hashes []string, limit int) (map[string][]EntityCase, error) {
	out := make(map[string][]EntityCase, len(hashes))
	if len(hashes) == 0 {
		return out, nil
	}
	args := []any{partnership}
	parts := make([]string, 0, len(hashes))
	for _, h := range hashes {
		args = append(args, h)
		parts = append(parts, fmt.Sprintf(`SELECT * FROM (SELECT key_hash, case_id FROM entity_keys WHERE partnership_id = $1 AND key_hash = $%d ORDER BY case_id DESC LIMIT %d) k%d`, len(args), limit, len(args)))
	}
	rows, err := t.query(`SELECT u.key_hash, u.case_id, COALESCE(c.reference, ''), c.cs_org_id, COALESCE(o.name, ''), c.closed
		FROM (`+strings.Join(parts, " UNION ALL ")+`) u JOIN cases c ON c.id = u.case_id JOIN organisations o ON o.id = c.cs_org_id AND o.partnership_id = $1
		ORDER BY u.key_hash, u.case_id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: reading entities' cases: %w", err)
	}
	type row struct {
		hash string
		c    EntityCase
	}
	var all []row
	var orgs []string
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.hash, &r.c.CaseID, &r.c.Reference, &r.c.TeamOrgID, &r.c.TeamOrgName, &r.c.Closed); err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, r)
		orgs = append(orgs, r.c.TeamOrgID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// A team whose row was moved into this partnership behind Waymark's
	// back (its seal covers its partnership) shows none of its cases.
	sealed, err := t.sealedOrgs(orgs)
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		if sealed[r.c.TeamOrgID] {
			out[r.hash] = append(out[r.hash], r.c)
		}
	}
	return out, nil
}

// RecurringEntity is one entity in two or more cases of a partnership, for
// the network view: its kind, a short fingerprint of its key (never its
// value), how many of the partnership's cases have it and the first of them.
type RecurringEntity struct {
	KeyHash string
	Kind    string
	Count   int
	Cases   []EntityCase
}

// Fingerprint names the entity without its value: the first characters of
// its keyed hash.
func (r RecurringEntity) Fingerprint() string {
	return strings.ToUpper(r.KeyHash[:min(6, len(r.KeyHash))])
}

// RecurringEntitiesPage is a page of the partnership's recurring entities
// (in two or more of its cases), most cases first, each with up to
// perEntity of its cases: one walk of the partnership's part of
// entity_counts' recurring index from the cursor (Part: the count, ID: the
// key hash), then one index range per entity. Other partnerships' cases
// neither count nor order anything on it.
func (t *Tx) RecurringEntitiesPage(partnership string, at *Cursor, limit, perEntity int) ([]RecurringEntity, Page, error) {
	q := `SELECT key_hash, kind, cases FROM entity_counts WHERE partnership_id = $1 AND cases >= 2`
	args := []any{partnership}
	if at != nil { // a row value: the index's bound, on both stores
		q += ` AND (cases, key_hash) < ($2, $3)`
		args = append(args, at.Part, at.ID)
	}
	q += fmt.Sprintf(` ORDER BY cases DESC, key_hash DESC LIMIT %d`, limit+1)
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, Page{}, fmt.Errorf("store: reading recurring entities: %w", err)
	}
	var out []RecurringEntity
	for rows.Next() {
		var r RecurringEntity
		if err := rows.Scan(&r.KeyHash, &r.Kind, &r.Count); err != nil {
			rows.Close()
			return nil, Page{}, err
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, Page{}, err
	}
	var page Page
	if len(out) > limit {
		out = out[:limit]
		last := out[len(out)-1]
		page.Next = &Cursor{Part: last.Count, ID: last.KeyHash}
	}
	hashes := make([]string, len(out))
	for i, r := range out {
		hashes[i] = r.KeyHash
	}
	cases, err := t.entityCases(partnership, hashes, perEntity)
	if err != nil {
		return nil, Page{}, err
	}
	for i := range out {
		out[i].Cases = cases[out[i].KeyHash]
	}
	return out, page, nil
}

// sortEntityRows orders rows for comparing.
func sortEntityRows(rs []entityRow) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.line())
	}
	slices.Sort(out)
	return slices.Compact(out)
}
