package store

import (
	"fmt"
	"time"

	"waymark"
)

// NRMDraftEdit is one saved version of one answer of an NRM referral or
// reconsideration draft (§8.7–8.9). Versions are only ever added.
type NRMDraftEdit struct {
	CaseID      string
	Kind        string // "referral" or "reconsideration"
	FieldID     string
	Version     int
	Value       string
	SavedAt     time.Time
	SavedBy     string // user id
	SavedByName string
}

// The value is sealed with the case's data key (crypt.go), so erasing the
// case erases its drafts too.
func nrmDraftAAD(caseID, kind, field string, version int) string {
	return fmt.Sprintf("nrm_drafts.value\x00%s\x00%s\x00%s\x00%d", caseID, kind, field, version)
}

// NRMDraftEdits returns every saved version of every answer of a case's
// draft, by field and then version.
func (t *Tx) NRMDraftEdits(caseID, kind string) ([]NRMDraftEdit, error) {
	rows, err := t.query(`SELECT field_id, version, value, saved_at, saved_by, saved_by_name FROM nrm_drafts
		WHERE case_id = $1 AND kind = $2 ORDER BY field_id, version`, caseID, kind)
	if err != nil {
		return nil, fmt.Errorf("store: reading NRM draft: %w", err)
	}
	var out []NRMDraftEdit
	for rows.Next() {
		e := NRMDraftEdit{CaseID: caseID, Kind: kind}
		if err := rows.Scan(&e.FieldID, &e.Version, &e.Value, &e.SavedAt, &e.SavedBy, &e.SavedByName); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: scanning NRM draft: %w", err)
		}
		e.SavedAt = e.SavedAt.UTC()
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		e := &out[i]
		plain, err := t.open(ownerCase, caseID, nrmDraftAAD(caseID, kind, e.FieldID, e.Version), e.Value)
		if err != nil {
			return nil, err
		}
		e.Value = string(plain)
	}
	return out, nil
}

// AppendNRMDraftEdit saves e as the next version of its answer, if the
// answer is still at expectedVersion (0 when nobody has saved it yet). A
// stale version, or another save of the same version racing this one, is a
// conflict: nothing is overwritten.
func (t *Tx) AppendNRMDraftEdit(e NRMDraftEdit, expectedVersion int) (int, error) {
	var latest int
	if err := t.queryRow(`SELECT COALESCE(MAX(version), 0) FROM nrm_drafts WHERE case_id = $1 AND kind = $2 AND field_id = $3`,
		e.CaseID, e.Kind, e.FieldID).Scan(&latest); err != nil {
		return 0, fmt.Errorf("store: reading NRM draft version: %w", err)
	}
	if latest != expectedVersion {
		return latest, staleNRMAnswer()
	}
	version := expectedVersion + 1
	sealed, err := t.seal(ownerCase, e.CaseID, nrmDraftAAD(e.CaseID, e.Kind, e.FieldID, version), []byte(e.Value))
	if err != nil {
		return 0, err
	}
	_, err = t.exec(`INSERT INTO nrm_drafts(case_id, kind, field_id, version, value, saved_at, saved_by, saved_by_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		e.CaseID, e.Kind, e.FieldID, version, sealed, utc(e.SavedAt), e.SavedBy, e.SavedByName)
	if isUniqueViolation(err) {
		return latest, staleNRMAnswer()
	}
	if err != nil {
		return 0, fmt.Errorf("store: saving NRM draft answer: %w", err)
	}
	return version, nil
}

func staleNRMAnswer() error {
	return &waymark.Error{Code: waymark.ECONFLICT, Message: "Someone else saved this answer after you opened it. Your answer has not been saved: read theirs, then save yours again if it should replace it."}
}
