package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SavedAnswers are the answers of a form posted after its session had
// ended, kept until the person signs in again (web/answers.go). Data is the
// form's path and answers as JSON, sealed in the database with a data key
// of the row's own that is deleted with the row.
type SavedAnswers struct {
	ID        string
	UserID    string // whose session ended; "" when the browser no longer named one
	CaseID    string // the case the form was about, "" for none
	Data      []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}

const ownerAnswers = "answers"

func answersAAD(id string) string { return "saved_answers.data\x00" + id }

// InsertSavedAnswers keeps a form's answers, sealed.
func (t *Tx) InsertSavedAnswers(a SavedAnswers) error {
	data, err := t.seal(ownerAnswers, a.ID, answersAAD(a.ID), a.Data)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO saved_answers(id, user_id, case_id, data, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		a.ID, a.UserID, a.CaseID, data, utc(a.CreatedAt), utc(a.ExpiresAt)); err != nil {
		return fmt.Errorf("store: saving answers: %w", err)
	}
	return nil
}

// TakeSavedAnswers returns the answers with that id to the person who
// signed in, once: the row and its data key are deleted whoever asks, so
// answers offered to the wrong person, or too late, are gone as well.
// found says the row existed; yours that it was kept for userID (or for
// whoever signed in next) and had not expired at now: only then is Data set.
func (t *Tx) TakeSavedAnswers(id, userID string, now time.Time) (a SavedAnswers, found, yours bool, err error) {
	a.ID = id
	var data string
	err = t.queryRow(`SELECT user_id, case_id, data, created_at, expires_at FROM saved_answers WHERE id = $1`+t.forUpdate(), id).
		Scan(&a.UserID, &a.CaseID, &data, &a.CreatedAt, &a.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return a, false, false, nil
	}
	if err != nil {
		return a, false, false, fmt.Errorf("store: reading saved answers: %w", err)
	}
	a.CreatedAt, a.ExpiresAt = a.CreatedAt.UTC(), a.ExpiresAt.UTC()
	yours = (a.UserID == "" || a.UserID == userID) && now.Before(a.ExpiresAt)
	if yours {
		if a.Data, err = t.open(ownerAnswers, id, answersAAD(id), data); err != nil {
			return a, true, false, err
		}
	}
	return a, true, yours, t.deleteSavedAnswers(id)
}

// PurgeSavedAnswers deletes the answers that expired at or before now, with
// their data keys, and returns them without their data (for the audit log).
func (t *Tx) PurgeSavedAnswers(now time.Time) ([]SavedAnswers, error) {
	rows, err := t.query(`SELECT id, user_id, case_id, created_at, expires_at FROM saved_answers WHERE expires_at <= $1 ORDER BY id`, utc(now))
	if err != nil {
		return nil, fmt.Errorf("store: listing expired answers: %w", err)
	}
	defer rows.Close()
	var out []SavedAnswers
	for rows.Next() {
		var a SavedAnswers
		if err := rows.Scan(&a.ID, &a.UserID, &a.CaseID, &a.CreatedAt, &a.ExpiresAt); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for _, a := range out {
		if err := t.deleteSavedAnswers(a.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// deleteSavedAnswers deletes the row and its data key: a backup taken
// before still holds both, until the backup itself expires (docs/security.md).
func (t *Tx) deleteSavedAnswers(id string) error {
	if _, err := t.exec(`DELETE FROM saved_answers WHERE id = $1`, id); err != nil {
		return fmt.Errorf("store: deleting saved answers: %w", err)
	}
	if _, err := t.exec(`DELETE FROM data_keys WHERE owner_kind = $1 AND owner_id = $2`, ownerAnswers, id); err != nil {
		return fmt.Errorf("store: deleting the saved answers' key: %w", err)
	}
	delete(t.keys, ownerName(ownerAnswers, id))
	return nil
}

// SavedAnswersOwner is whose kept answers these are, while they are kept
// and unexpired at now; "" otherwise.
func (t *Tx) SavedAnswersOwner(id string, now time.Time) (string, error) {
	var user string
	err := t.queryRow(`SELECT user_id FROM saved_answers WHERE id = $1 AND expires_at > $2`, id, utc(now)).Scan(&user)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return user, err
}
