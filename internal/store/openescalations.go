package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"waymark/internal/crypt"
	"waymark/internal/pathway"
)

// The partnership lead's list of open escalations (§8.6) shows, for each
// case of a page, its open escalations. They are kept in case_escalations
// (migration 0022), one row per case with an escalation open, written by
// SaveProjection in the same transaction as the events, so a page reads
// one row per listed case instead of replaying each case's history.
//
// The body is case content (the reasons, the notes, who raised it): it is
// sealed with the case's data key, bound to the case and to the version it
// was written at. A row that is missing, is a placeholder (migration 0022),
// was written at another version than the case row, or does not open, is
// never shown: the list reads that case's history instead, as it always
// did. `waymark verify` compares every row with the history.

// openEscalationsOf is the case's open escalations, in the order the
// history gives them (the oldest raised first), their times as the log
// keeps them (utc): a case decided at a clock finer than the log's is
// written as a replay of its stored events reads it.
func openEscalationsOf(c pathway.Case) []pathway.Escalation {
	var out []pathway.Escalation
	for _, e := range c.Meetings.Escalations {
		if e.Open() {
			e.RaisedAt, e.LevelSince = utc(e.RaisedAt), utc(e.LevelSince)
			e.Steps = slices.Clone(e.Steps)
			for i := range e.Steps {
				e.Steps[i].At = utc(e.Steps[i].At)
			}
			out = append(out, e)
		}
	}
	return out
}

// OpenEscalationsOf is exported for the casework list: the open
// escalations of a case, as the read model holds them.
func OpenEscalationsOf(c pathway.Case) []pathway.Escalation { return openEscalationsOf(c) }

func openEscalationsAAD(caseID string, version int) string {
	return "case_escalations.body\x00" + caseID + "\x00" + strconv.Itoa(version)
}

// saveOpenEscalations keeps the case's case_escalations row in step with
// its history. A case never escalated has no row and costs no statement.
func (t *Tx) saveOpenEscalations(c pathway.Case) error {
	if len(c.Meetings.Escalations) == 0 {
		return nil
	}
	body, err := sealedOpenEscalations(c, func(aad string, plain []byte) (string, error) {
		return t.seal(ownerCase, c.ID, aad, plain)
	})
	if err != nil {
		return err
	}
	if body == "" {
		if _, err := t.exec(`DELETE FROM case_escalations WHERE case_id = $1`, c.ID); err != nil {
			return fmt.Errorf("store: clearing open escalations: %w", err)
		}
		return nil
	}
	return t.writeOpenEscalations(c.ID, c.Version, body)
}

// sealedOpenEscalations is the case_escalations body of c, sealed by seal
// under its associated data; "" when none is open. SaveProjection and the
// prepared saves of bulk loads (prepared.go) both make it here.
func sealedOpenEscalations(c pathway.Case, seal func(aad string, plain []byte) (string, error)) (string, error) {
	open := openEscalationsOf(c)
	if len(open) == 0 {
		return "", nil
	}
	plain, err := json.Marshal(open)
	if err != nil {
		return "", fmt.Errorf("store: encoding open escalations: %w", err)
	}
	return seal(openEscalationsAAD(c.ID, c.Version), plain)
}

func (t *Tx) writeOpenEscalations(caseID string, version int, body string) error {
	if _, err := t.exec(`INSERT INTO case_escalations(case_id, version, body) VALUES ($1, $2, $3)
		ON CONFLICT (case_id) DO UPDATE SET version = excluded.version, body = excluded.body`, caseID, version, body); err != nil {
		return fmt.Errorf("store: saving open escalations: %w", err)
	}
	return nil
}

// ClearOpenEscalations deletes every case_escalations row, before a
// rebuild writes them again from the histories.
func (t *Tx) ClearOpenEscalations() error {
	if _, err := t.exec(`DELETE FROM case_escalations`); err != nil {
		return fmt.Errorf("store: clearing open escalations: %w", err)
	}
	return nil
}

// OpenEscalations reads the open escalations of the listed cases from the
// read model, one statement for the page. A case is left out of the answer
// when its row is missing, a placeholder, written at another version than
// its case row says (cs.Version), or does not open with the case's key: the
// caller reads that case's history instead.
func (t *Tx) OpenEscalations(cases []CaseSummary) (map[string][]pathway.Escalation, error) {
	out := map[string][]pathway.Escalation{}
	if len(cases) == 0 {
		return out, nil
	}
	version := map[string]int{}
	ids := make([]string, 0, len(cases))
	for _, cs := range cases {
		version[cs.ID] = cs.Version
		ids = append(ids, cs.ID)
	}
	args, in := t.idList(nil, ids)
	rows, err := t.query(`SELECT case_id, version, body FROM case_escalations WHERE case_id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: reading open escalations: %w", err)
	}
	type row struct {
		id      string
		version int
		body    string
	}
	var found []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.version, &r.body); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: reading open escalations: %w", err)
		}
		found = append(found, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, r := range found {
		if r.body == "" || r.version != version[r.id] || (t.ring() != nil && !crypt.IsSealed(r.body)) {
			continue
		}
		plain, err := t.open(ownerCase, r.id, openEscalationsAAD(r.id, r.version), r.body)
		if err != nil {
			continue // not what SaveProjection wrote at this version: the history decides
		}
		var open []pathway.Escalation
		if err := json.Unmarshal(plain, &open); err != nil || len(open) == 0 {
			continue
		}
		out[r.id] = open
	}
	return out, nil
}

// checkOpenEscalations names a case's case_escalations row that is not
// what its history gives (`waymark verify`). A placeholder left by
// migration 0022 for a case with an escalation open is accepted until the
// next event or a rebuild writes the row.
func (t *Tx) checkOpenEscalations(c pathway.Case) error {
	want := openEscalationsOf(c)
	var version int
	var body string
	err := t.queryRow(`SELECT version, body FROM case_escalations WHERE case_id = $1`, c.ID).Scan(&version, &body)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if len(want) > 0 {
			return t.tamper(c.ID, 0, 0, "it has an escalation open but no case_escalations row: the row was deleted")
		}
		return nil
	case err != nil:
		return fmt.Errorf("store: reading open escalations: %w", err)
	}
	if len(want) == 0 {
		return t.tamper(c.ID, 0, 0, "it has no escalation open but a case_escalations row: it was inserted or left behind")
	}
	if version == 0 && body == "" {
		return nil // migration 0022's placeholder: the list reads the history
	}
	if version != c.Version {
		return t.tamper(c.ID, 0, 0, fmt.Sprintf("its case_escalations row was written at version %d, not %d: it was put back from an older copy", version, c.Version))
	}
	plain, err := t.open(ownerCase, c.ID, openEscalationsAAD(c.ID, version), body)
	if err != nil || (t.ring() != nil && !crypt.IsSealed(body)) {
		return t.tamper(c.ID, 0, 0, "its case_escalations row does not open with the case's key: it was changed")
	}
	wantJSON, err := json.Marshal(want)
	if err != nil {
		return err
	}
	if string(plain) != string(wantJSON) {
		return t.tamper(c.ID, 0, 0, "its case_escalations row is not the open escalations its events give")
	}
	return nil
}
