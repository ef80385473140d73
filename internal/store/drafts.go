package store

import (
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"waymark"
	"waymark/internal/crypt"
)

// Draft is a concern being written, saved page by page so that nothing
// entered is lost to a closed tab or an expired session.
type Draft struct {
	ID              string
	UserID          string
	Data            []byte // JSON of pathway.Concern as entered so far
	Version         int
	CreatedAt       time.Time
	UpdatedAt       time.Time
	SubmittedCaseID string
}

// InsertDraft starts a draft at version 1. A draft holds a child's details:
// its data is sealed with a data key of its own (crypt.go).
func (t *Tx) InsertDraft(d Draft) error {
	data, err := t.seal(ownerDraft, d.ID, draftAAD(d.ID), d.Data)
	if err != nil {
		return err
	}
	// Filed under the writer's partnership for its retention review
	// (migration 0044). On PostgreSQL the writer's and their
	// organisation's rows are share-locked: a move of either under way
	// commits first and is read here, and one that starts after waits for
	// this draft and then moves it too.
	partnership, err := t.writersPartnership(d.UserID)
	if err != nil {
		return err
	}
	seal, err := t.draftSealFor(d.ID, d.UserID) // draftseal.go
	if err != nil {
		return err
	}
	_, err = t.exec(`INSERT INTO concern_drafts(id, user_id, data, version, created_at, updated_at, partnership_id, seal_key, mac) VALUES ($1, $2, $3, 1, $4, $4, $5, $6, $7)`,
		d.ID, d.UserID, data, utc(d.CreatedAt), partnership, seal.keyID, seal.mac)
	if err != nil {
		return fmt.Errorf("store: inserting draft: %w", err)
	}
	return nil
}

// DraftFor returns the user's draft; anyone else's draft is "not found",
// and so is one given to the user behind Waymark's back (its seal names
// its writer, draftseal.go).
func (t *Tx) DraftFor(id, userID string) (Draft, error) {
	var d Draft
	var sub sql.NullString
	var data string
	var seal identitySeal
	err := t.queryRow(`SELECT id, user_id, data, version, created_at, updated_at, submitted_case_id, seal_key, mac FROM concern_drafts WHERE id = $1 AND user_id = $2`+t.forUpdate(), id, userID).
		Scan(&d.ID, &d.UserID, &data, &d.Version, &d.CreatedAt, &d.UpdatedAt, &sub, &seal.keyID, &seal.mac)
	d.SubmittedCaseID = sub.String
	if err != nil {
		return d, notFound(err, "Draft not found")
	}
	if !t.draftSealed(d.ID, d.UserID, seal) {
		return Draft{}, notFound(sql.ErrNoRows, "Draft not found")
	}
	d.Data, err = t.openDraft(d.ID, data, d.SubmittedCaseID != "")
	return d, err
}

// openDraft decrypts a draft's data. The draft of an erased case reads as
// empty: it was sent, and what it held is gone with the case.
//
// Plain text is a draft written before encryption was turned on, and only
// while the database holds no data key: from the first data key on, Waymark
// writes no draft in plain text (seal refuses), and the start that made
// the first keys sealed every draft then in plain text (SealPlaintext).
// Plain text in an encrypted database, or a sealed value that does not
// open under the draft's key, was put there behind Waymark's back, by
// someone who cannot seal, to replace what the writer typed: the draft
// opens for nobody (errDraftAltered) and `waymark verify` names it.
//
// The same holds for a sealed value whose data key is missing, does not
// unwrap under the master key it names, or is marked destroyed while the
// draft is unsent (only erasing the case a draft became destroys a
// draft's key; an unsent draft deleted after review goes with its row). A
// sent draft of an erased case reads as empty, and a master key that is
// not configured is a fault of the set-up, reported as it is.
func (t *Tx) openDraft(id, data string, sent bool) ([]byte, error) {
	enc, err := t.encrypted()
	if err != nil {
		return nil, err
	}
	if !crypt.IsSealed(data) {
		if enc {
			return nil, draftAltered(id)
		}
		return []byte(data), nil
	}
	if !enc {
		return nil, draftAltered(id) // sealed-looking text where nothing was ever sealed
	}
	k, err := t.dataKey(ownerDraft, id, false)
	switch {
	case IsErased(err) && sent:
		return []byte(`{}`), nil
	case IsErased(err), errors.Is(err, errNoDataKey), errors.Is(err, crypt.ErrWrappedKeyDamaged):
		return nil, draftAltered(id)
	case err != nil:
		return nil, err
	}
	plain, err := crypt.OpenText(k, data, draftAAD(id))
	if err != nil {
		return nil, draftAltered(id)
	}
	return plain, nil
}

// draftAltered logs, once a process, a draft whose contents Waymark did not
// write, and answers errDraftAltered.
func draftAltered(id string) error {
	if _, seen := alteredLogged.LoadOrStore("concern_drafts.data\x00"+id, true); !seen {
		slog.Error("a concern draft holds contents Waymark did not write: it was changed behind Waymark's back and opens for nobody; run `waymark verify`", "draft", id)
	}
	return errDraftAltered
}

// errDraftAltered: a draft's contents in plain text in a database that
// holds data keys, or sealed contents that do not open (openDraft). Its
// writer is told it was not found.
var errDraftAltered = notFound(sql.ErrNoRows, "Draft not found")

// UpdateDraft saves new data if the draft is still at expectedVersion.
func (t *Tx) UpdateDraft(id, userID string, expectedVersion int, data []byte, at time.Time) (int, error) {
	// Only the writer the draft's seal names saves over it, and not over
	// contents put there behind Waymark's back (openDraft): the save would
	// seal them over, and verify would no longer see them.
	var seal identitySeal
	var stored string
	var sent bool
	// Locked (PostgreSQL; SQLite's write lock is held already), so that a
	// send from another tab is either seen here or waits for this save.
	switch err := t.queryRow(`SELECT seal_key, mac, data, submitted_case_id IS NOT NULL FROM concern_drafts WHERE id = $1 AND user_id = $2`+t.forUpdate(), id, userID).Scan(&seal.keyID, &seal.mac, &stored, &sent); {
	case errors.Is(err, sql.ErrNoRows):
		return 0, notFound(err, "Draft not found")
	case err != nil:
		return 0, fmt.Errorf("store: reading a draft's seal: %w", err)
	case !t.draftSealed(id, userID, seal):
		return 0, notFound(sql.ErrNoRows, "Draft not found")
	}
	if sent {
		return 0, ErrDraftSent
	}
	if _, err := t.openDraft(id, stored, sent); err != nil {
		return 0, err
	}
	sealed, err := t.seal(ownerDraft, id, draftAAD(id), data)
	if err != nil {
		return 0, err
	}
	res, err := t.exec(`UPDATE concern_drafts SET data = $4, version = version + 1, updated_at = $5 WHERE id = $1 AND user_id = $2 AND version = $3 AND submitted_case_id IS NULL`,
		id, userID, expectedVersion, sealed, utc(at))
	if err != nil {
		return 0, fmt.Errorf("store: saving draft: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, &waymark.Error{Code: waymark.ECONFLICT, Message: "This draft was changed in another tab or window. Reload it to see the latest answers, then make your change again.", Clash: true}
	}
	return expectedVersion + 1, nil
}

// ErrDraftSent refuses a change to a concern draft that has been sent
// (from another tab, or by a double click): it is a case now, and its
// answers are the case's record. Not a clash: reloading the draft would
// not let the change be made.
var ErrDraftSent = &waymark.Error{Code: waymark.ECONFLICT,
	Message: "This concern has already been sent to Children's Services, so its answers can no longer be changed and this change has not been saved. Open the case from your list of cases to see what was sent."}

// MarkDraftSubmitted links the draft to the case it became.
func (t *Tx) MarkDraftSubmitted(id, caseID string) error {
	res, err := t.exec(`UPDATE concern_drafts SET submitted_case_id = $2 WHERE id = $1 AND submitted_case_id IS NULL`, id, caseID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &waymark.Error{Code: waymark.ECONFLICT, Message: "This concern has already been sent to Children's Services."}
	}
	return nil
}

// OpenDrafts lists the user's drafts not yet sent, newest first.
func (t *Tx) OpenDrafts(userID string) ([]Draft, error) {
	rows, err := t.query(`SELECT id, user_id, data, version, created_at, updated_at, seal_key, mac FROM concern_drafts WHERE user_id = $1 AND submitted_case_id IS NULL ORDER BY updated_at DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Draft
	var data []string
	for rows.Next() {
		var d Draft
		var sealed string
		var seal identitySeal
		if err := rows.Scan(&d.ID, &d.UserID, &sealed, &d.Version, &d.CreatedAt, &d.UpdatedAt, &seal.keyID, &seal.mac); err != nil {
			return nil, err
		}
		if !t.draftSealed(d.ID, d.UserID, seal) {
			continue // given to this person behind Waymark's back
		}
		out = append(out, d)
		data = append(data, sealed)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	kept := out[:0]
	for i := range out {
		d := out[i]
		if d.Data, err = t.openDraft(d.ID, data[i], false); errors.Is(err, errDraftAltered) {
			continue // its contents replaced behind Waymark's back
		} else if err != nil {
			return nil, err
		}
		kept = append(kept, d)
	}
	return kept, nil
}
