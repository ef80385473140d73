package store

import (
	"fmt"
	"time"

	"waymark"
	"waymark/internal/audit"
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
	sealed, err := t.historySealed()
	if err != nil {
		return nil, err
	}
	rows, err := t.query(`SELECT field_id, version, value, saved_at, saved_by, saved_by_name, seal_key, mac FROM nrm_drafts
		WHERE case_id = $1 AND kind = $2 ORDER BY field_id, version`, caseID, kind)
	if err != nil {
		return nil, fmt.Errorf("store: reading NRM draft: %w", err)
	}
	var out []NRMDraftEdit
	var seals [][2]string
	for rows.Next() {
		e := NRMDraftEdit{CaseID: caseID, Kind: kind}
		var keyID, mac string
		if err := rows.Scan(&e.FieldID, &e.Version, &e.Value, &e.SavedAt, &e.SavedBy, &e.SavedByName, &keyID, &mac); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: scanning NRM draft: %w", err)
		}
		e.SavedAt = e.SavedAt.UTC()
		out = append(out, e)
		seals = append(seals, [2]string{keyID, mac})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, e := range out {
		if err := t.checkNRMDraftSeal(sealed, e, seals[i][0], seals[i][1]); err != nil {
			return nil, err
		}
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
	t.caseWrite = true // a clash names the case: reload it to see the other answer
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
	keyID, key, err := t.sealKey()
	if err != nil {
		return 0, err
	}
	var mac string
	if key != nil {
		mac = audit.NRMDraftMAC(key, keyID, e.CaseID, e.Kind, e.FieldID, version, sealed, utc(e.SavedAt), e.SavedBy, e.SavedByName)
	}
	_, err = t.exec(`INSERT INTO nrm_drafts(case_id, kind, field_id, version, value, saved_at, saved_by, saved_by_name, seal_key, mac) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		e.CaseID, e.Kind, e.FieldID, version, sealed, utc(e.SavedAt), e.SavedBy, e.SavedByName, keyID, mac)
	if isUniqueViolation(err) {
		return latest, staleNRMAnswer()
	}
	if err != nil {
		return 0, fmt.Errorf("store: saving NRM draft answer: %w", err)
	}
	return version, nil
}

func staleNRMAnswer() error {
	return &waymark.Error{Code: waymark.ECONFLICT, Message: "Someone else saved this answer after you opened it. Your answer has not been saved: read theirs, then save yours again if it should replace it.", Clash: true}
}

// checkNRMDraftSeal refuses a saved answer whose seal is missing (in a
// database whose history is sealed) or does not match. e.Value is the value
// as stored.
func (t *Tx) checkNRMDraftSeal(sealed bool, e NRMDraftEdit, keyID, mac string) error {
	what := fmt.Sprintf("the %s draft's answer %s, version %d,", e.Kind, e.FieldID, e.Version)
	if mac == "" {
		if sealed {
			return t.tamper(e.CaseID, 0, 0, what+" has no seal: it was written behind Waymark's back")
		}
		return nil
	}
	ring := t.ring()
	if ring == nil {
		return errNoSealKey
	}
	key, err := ring.SealKey(keyID)
	if err != nil {
		return t.tamper(e.CaseID, 0, 0, what+" "+err.Error())
	}
	if !audit.EventMACEqual(audit.NRMDraftMAC(key, keyID, e.CaseID, e.Kind, e.FieldID, e.Version, e.Value, utc(e.SavedAt), e.SavedBy, e.SavedByName), mac) {
		return t.tamper(e.CaseID, 0, 0, what+" does not match its seal: its value, who saved it or when was changed")
	}
	return nil
}

type nrmDraftRow struct {
	e          NRMDraftEdit
	keyID, mac string
}

func (t *Tx) allNRMDrafts(where string) ([]nrmDraftRow, error) {
	rows, err := t.query(`SELECT case_id, kind, field_id, version, value, saved_at, saved_by, saved_by_name, seal_key, mac FROM nrm_drafts` + where + ` ORDER BY case_id, kind, field_id, version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []nrmDraftRow
	for rows.Next() {
		var r nrmDraftRow
		if err := rows.Scan(&r.e.CaseID, &r.e.Kind, &r.e.FieldID, &r.e.Version, &r.e.Value, &r.e.SavedAt, &r.e.SavedBy, &r.e.SavedByName, &r.keyID, &r.mac); err != nil {
			return nil, err
		}
		r.e.SavedAt = r.e.SavedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// verifyNRMDrafts checks every saved answer's seal.
func (t *Tx) verifyNRMDrafts(sealed bool) error {
	list, err := t.allNRMDrafts("")
	if err != nil {
		return err
	}
	for _, r := range list {
		if err := t.checkNRMDraftSeal(sealed, r.e, r.keyID, r.mac); err != nil {
			return err
		}
	}
	return nil
}

// sealNRMDrafts seals answers saved before sealing began.
func (t *Tx) sealNRMDrafts(keyID string, key []byte) error {
	list, err := t.allNRMDrafts(` WHERE mac = ''`)
	if err != nil {
		return err
	}
	for _, r := range list {
		e := r.e
		mac := audit.NRMDraftMAC(key, keyID, e.CaseID, e.Kind, e.FieldID, e.Version, e.Value, utc(e.SavedAt), e.SavedBy, e.SavedByName)
		if _, err := t.exec(`UPDATE nrm_drafts SET seal_key = $5, mac = $6 WHERE case_id = $1 AND kind = $2 AND field_id = $3 AND version = $4`,
			e.CaseID, e.Kind, e.FieldID, e.Version, keyID, mac); err != nil {
			return err
		}
	}
	return nil
}
