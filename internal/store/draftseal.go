package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark/internal/audit"
)

// Sealed draft writers (migration 0045). A draft's row names its writer
// (user_id), and only the writer may open, save or send it; the retention
// review files it under the writer's partnership. The row carries a seal
// over its id and its writer under the identity key (identity.go), written
// with the draft: a draft given to someone else behind Waymark's back
// opens for nobody, is on no review, and `waymark verify` names it.

// draftFields is what a draft's seal covers.
func draftFields(id, userID string) []string { return []string{id, "writer " + userID} }

// draftSealFor is the seal of a draft written by userID now, or none
// without a master key in a database whose identity was never sealed.
func (t *Tx) draftSealFor(id, userID string) (identitySeal, error) {
	keyID, key, err := t.identityKeyToWrite()
	if err != nil || key == nil {
		return identitySeal{}, err
	}
	return identitySeal{keyID: keyID, mac: identityMAC(key, keyID, "concern_drafts", draftFields(id, userID)...)}, nil
}

// draftSealed says a draft's seal matches its id and writer. Without a
// master key nothing is checked; with one, an unsealed row does not match
// (once the drafts written before seals were sealed as found).
func (t *Tx) draftSealed(id, userID string, s identitySeal) bool {
	if t.identityMatches("concern_drafts", s, draftFields(id, userID)) {
		return true
	}
	altered("concern_drafts", id)
	return false
}

const actionDraftWritersSealed = "drafts.writers_sealed"

// draftFoundInPlainText stands for the writer's seal of a draft whose
// contents a start found in plain text in an encrypted database and sealed
// (SealPlaintext): no MAC is spelt so, so the draft opens for nobody.
const draftFoundInPlainText = "found-in-plain-text"

// draftWritersMarked reports whether the keyed audit log records that the
// drafts written before seals were sealed as found (sealDraftsAsFound).
func (t *Tx) draftWritersMarked() (bool, error) {
	return t.auditRecords(actionDraftWritersSealed, "sealed draft writers", &t.db.draftsMarked)
}

// sealDraftsAsFound seals every draft written before drafts carried seals
// (mac ”), over its writer as it is now, and records that in the keyed
// audit log: once, on the first start with a master key after the upgrade
// (SealIdentityAsFound calls it). From then on a draft whose seal was
// stripped is not sealed again: it stays absent, and verify names it.
func (t *Tx) sealDraftsAsFound(at time.Time) (int, error) {
	if t.ring() == nil || t.db.draftsMarked.Load() {
		return 0, nil
	}
	// Any draft that carries a seal, matching or not, means the pass ran
	// here before, or drafts were written sealed: an audit entry deleted
	// to run it again, with a draft's seal stripped and its writer changed
	// (and another's seal garbled), seals nothing. Only a database whose
	// every draft's seal was stripped, and the entry deleted, is sealed as
	// found again, and the deleted entry breaks the audit chain for
	// `waymark verify` to report, as for identity sealing.
	var sealed int
	if err := t.queryRow(`SELECT COUNT(*) FROM (SELECT 1 FROM concern_drafts WHERE mac <> '' LIMIT 1) d`).Scan(&sealed); err != nil {
		return 0, fmt.Errorf("store: checking for sealed drafts: %w", err)
	}
	if sealed > 0 {
		t.db.draftsMarked.Store(true)
		return 0, nil
	}
	if marked, err := t.draftWritersMarked(); err != nil || marked {
		return 0, err
	}
	type row struct{ id, userID string }
	rows, err := t.query(`SELECT id, user_id FROM concern_drafts WHERE mac = '' ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("store: reading drafts to seal: %w", err)
	}
	var found []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.userID); err != nil {
			rows.Close()
			return 0, err
		}
		found = append(found, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, r := range found {
		s, err := t.draftSealFor(r.id, r.userID)
		if err != nil {
			return 0, err
		}
		if _, err := t.exec(`UPDATE concern_drafts SET seal_key = $2, mac = $3 WHERE id = $1 AND mac = ''`, r.id, s.keyID, s.mac); err != nil {
			return 0, fmt.Errorf("store: sealing a draft's writer: %w", err)
		}
	}
	detail := "concern drafts' writers are sealed"
	if len(found) > 0 {
		detail += fmt.Sprintf("; %d drafts sealed as found", len(found))
	}
	if err := t.AppendAudit(audit.Entry{At: utc(at), ActorID: "system", Action: actionDraftWritersSealed, Detail: detail}); err != nil {
		return 0, err
	}
	t.db.draftsMarked.Store(true)
	return len(found), nil
}

// checkDraftSeals names a draft whose seal does not match its writer
// (verify): one given to someone else, or whose seal was stripped, behind
// Waymark's back. Without a master key there is nothing to check; a draft
// with no seal at all is named only once the drafts written before seals
// were sealed as found (before that, every such draft has none).
func (t *Tx) checkDraftSeals() error {
	if t.ring() == nil {
		return nil
	}
	marked, err := t.draftWritersMarked()
	if err != nil {
		return err
	}
	which := ` WHERE mac <> ''`
	if marked {
		which = ""
	}
	rows, err := t.query(`SELECT id, user_id, seal_key, mac FROM concern_drafts` + which + ` ORDER BY id`)
	if err != nil {
		return fmt.Errorf("store: reading drafts' seals: %w", err)
	}
	defer rows.Close()
	var bad []string
	for rows.Next() {
		var id, userID string
		var s identitySeal
		if err := rows.Scan(&id, &userID, &s.keyID, &s.mac); err != nil {
			return err
		}
		if !t.identityMatches("concern_drafts", s, draftFields(id, userID)) {
			bad = append(bad, id)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var reasons []string
	if len(bad) > 0 {
		reasons = append(reasons, "concern draft "+strings.Join(bad, ", ")+" does not carry its writer's seal: it was given to another person, its seal stripped, or its contents put there in plain text, behind Waymark's back (no one can open it now)")
	}
	report := func() error {
		if len(reasons) == 0 {
			return nil
		}
		return t.tamper("", 0, 0, strings.Join(reasons, "; "))
	}
	// Contents Waymark did not write (openDraft): plain text in a database
	// that holds data keys, in any draft (the prefix compared as it is
	// spelt: SQLite's LIKE ignores case, the sealing code does not); and
	// sealed contents of an unsent draft that do not open under its key (a
	// sent draft's are not opened again). Either opens for nobody.
	if enc, err := t.encrypted(); err != nil || !enc {
		return errors.Join(err, report())
	}
	bad, err = t.stringColumn(`SELECT id FROM concern_drafts WHERE substr(data, 1, 4) <> 'wm1:' ORDER BY id`)
	if err != nil {
		return fmt.Errorf("store: looking for drafts in plain text: %w", err)
	}
	rows, err = t.query(`SELECT id, data FROM concern_drafts WHERE submitted_case_id IS NULL AND substr(data, 1, 4) = 'wm1:' ORDER BY id`)
	if err != nil {
		return fmt.Errorf("store: reading unsent drafts: %w", err)
	}
	defer rows.Close()
	var sealed [][2]string
	for rows.Next() {
		var d [2]string
		if err := rows.Scan(&d[0], &d[1]); err != nil {
			return err
		}
		sealed = append(sealed, d)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	for _, d := range sealed {
		if _, err := t.openDraft(d[0], d[1], false); errors.Is(err, errDraftAltered) {
			bad = append(bad, d[0])
		} else if err != nil {
			return err
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		reasons = append(reasons, "concern draft "+strings.Join(bad, ", ")+" holds contents Waymark did not write (plain text in an encrypted database, or sealed text that does not open): they were put there behind Waymark's back (no one can open it now)")
	}
	return report()
}
