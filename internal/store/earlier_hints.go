package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// earlier_record_hints (migration 0037) keep, for each case, what its
// overview shows of the child's possible earlier records (issue 14 §1),
// worked out by casework when the child's identifying details change, so
// that a view of the overview decrypts no other case. The hint is sealed
// with the case's own data key and opens nothing: the ids in it reach no
// page; the earlier-records page compares afresh, audited.

// EarlierHint is a case's stored hint.
type EarlierHint struct {
	Found []EarlierHintCase `json:"found,omitempty"`
	// Day is the London day of the last comparison the details' changes
	// set off, and Runs how many they set off that day; Held says the
	// details changed again past the day's limit and were not compared
	// (casework: the probing limit).
	Day  string `json:"day,omitempty"`
	Runs int    `json:"runs,omitempty"`
	Held bool   `json:"held,omitempty"`
}

// EarlierHintCase is one candidate case at or above the "possible" match
// probability.
type EarlierHintCase struct {
	CaseID      string  `json:"id"`
	Probability float64 `json:"p"`
}

func earlierHintAAD(caseID string) string { return "earlier_record_hints.hint\x00" + caseID }

// EarlierHint reads and opens a case's hint (the zero hint when it has none).
func (t *Tx) EarlierHint(caseID string) (EarlierHint, error) {
	var h EarlierHint
	var stored string
	err := t.queryRow(`SELECT hint FROM earlier_record_hints WHERE case_id = $1`, caseID).Scan(&stored)
	if errors.Is(err, sql.ErrNoRows) {
		return h, nil
	}
	if err != nil {
		return h, fmt.Errorf("store: reading the earlier-records hint: %w", err)
	}
	plain, err := t.open(ownerCase, caseID, earlierHintAAD(caseID), stored)
	if err != nil {
		return h, err
	}
	if err := json.Unmarshal(plain, &h); err != nil {
		return h, fmt.Errorf("store: decoding the earlier-records hint of case %s: %w", caseID, err)
	}
	return h, nil
}

// SaveEarlierHint seals and writes a case's hint.
func (t *Tx) SaveEarlierHint(caseID string, h EarlierHint) error {
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	sealed, err := t.seal(ownerCase, caseID, earlierHintAAD(caseID), b)
	if err != nil {
		return err
	}
	_, err = t.exec(`INSERT INTO earlier_record_hints(case_id, hint) VALUES ($1, $2)
		ON CONFLICT (case_id) DO UPDATE SET hint = excluded.hint`, caseID, sealed)
	return wrapErr("store: saving the earlier-records hint", err)
}

// StillFiled is which of the cases are still filed for matching (an
// erased case is not): a hint naming an erased case does not count it.
func (t *Tx) StillFiled(caseIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(caseIDs) == 0 {
		return out, nil
	}
	args, in := t.idList(nil, caseIDs)
	ids, err := t.stringColumn(`SELECT case_id FROM person_match_records WHERE case_id IN (`+in+`)`, args...)
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}
