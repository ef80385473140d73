package store

import (
	"fmt"
	"strings"
	"time"

	"waymark/internal/audit"
)

// ActionMatchKeysFiled is the audit entry that records, once, that every
// case recorded before migration 0034 was filed for matching (issue 14):
// from then on person_match_keys_unfiled stays empty, and a row in it is
// tampering (migration 0037).
const ActionMatchKeysFiled = "match_keys.filed"

// matchFilingDone says the start recorded that every case was filed (the
// match_keys_filed row; verify checks it against the audit log).
func (t *Tx) matchFilingDone() (bool, error) {
	var n int
	if err := t.queryRow(`SELECT COUNT(*) FROM match_keys_filed`).Scan(&n); err != nil {
		return false, fmt.Errorf("store: reading whether every case is filed for matching: %w", err)
	}
	return n > 0, nil
}

// recordMatchFiling records that every case is filed: the row and its
// audit entry, in the caller's transaction.
func (t *Tx) recordMatchFiling(filed int) error {
	if _, err := t.exec(`INSERT INTO match_keys_filed(id) VALUES (1)`); err != nil {
		return fmt.Errorf("store: recording that every case is filed for matching: %w", err)
	}
	return t.AppendAudit(audit.Entry{At: time.Now().UTC(), ActorID: "system", Action: ActionMatchKeysFiled,
		Detail: fmt.Sprintf("every case filed for finding earlier records (%d filed now); from here a case unfiled is tampering", filed)})
}

// verifyMatchFiling names what hides a case from matching once every case
// was filed: a case listed as unfiled, or the record of the filing
// deleted or made up. The audit entry, on the hash chain, decides.
func (t *Tx) verifyMatchFiling() error {
	logged, err := t.stringColumn(`SELECT CAST(seq AS TEXT) FROM audit_log WHERE action = $1 ORDER BY seq`, ActionMatchKeysFiled)
	if err != nil {
		return err
	}
	row, err := t.matchFilingDone()
	if err != nil {
		return err
	}
	switch {
	case len(logged) > 0 && !row:
		return &TamperError{Reason: "the match_keys_filed row was deleted (audit entry " + logged[0] + " records that every case was filed for matching): the next start would file again, hiding cases taken out of matching"}
	case !row:
		return nil // not filed yet: the next start files them
	case len(logged) == 0:
		return t.hiddenFromMatching(" (migration 0037 or a start found none left)")
	}
	return t.hiddenFromMatching(" (audit entry " + logged[0] + ")")
}

// hiddenFromMatching names a case listed as unfiled once every case was
// filed (where says what records the filing).
func (t *Tx) hiddenFromMatching(where string) error {
	ids, err := t.stringColumn(`SELECT case_id FROM person_match_keys_unfiled ORDER BY case_id`)
	if err != nil || len(ids) == 0 {
		return err
	}
	more := ""
	if len(ids) > 1 {
		more = fmt.Sprintf(" (and %d more: %s)", len(ids)-1, strings.Join(ids[1:min(len(ids), 6)], ", "))
	}
	return t.tamper(ids[0], 0, 0, "it is listed in person_match_keys_unfiled, but every case was filed for matching"+where+
		": it was hidden from finding earlier records behind Waymark's back"+more)
}
