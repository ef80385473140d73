package store

import (
	"database/sql"
	"fmt"
	"time"

	"waymark"
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

// InsertDraft starts a draft at version 1.
func (t *Tx) InsertDraft(d Draft) error {
	_, err := t.exec(`INSERT INTO concern_drafts(id, user_id, data, version, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $4)`,
		d.ID, d.UserID, string(d.Data), utc(d.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: inserting draft: %w", err)
	}
	return nil
}

// DraftFor returns the user's draft; anyone else's draft is "not found".
func (t *Tx) DraftFor(id, userID string) (Draft, error) {
	var d Draft
	var sub sql.NullString
	err := t.queryRow(`SELECT id, user_id, data, version, created_at, updated_at, submitted_case_id FROM concern_drafts WHERE id = $1 AND user_id = $2`+t.forUpdate(), id, userID).
		Scan(&d.ID, &d.UserID, &d.Data, &d.Version, &d.CreatedAt, &d.UpdatedAt, &sub)
	d.SubmittedCaseID = sub.String
	return d, notFound(err, "Draft not found")
}

// UpdateDraft saves new data if the draft is still at expectedVersion.
func (t *Tx) UpdateDraft(id, userID string, expectedVersion int, data []byte, at time.Time) (int, error) {
	res, err := t.exec(`UPDATE concern_drafts SET data = $4, version = version + 1, updated_at = $5 WHERE id = $1 AND user_id = $2 AND version = $3 AND submitted_case_id IS NULL`,
		id, userID, expectedVersion, string(data), utc(at))
	if err != nil {
		return 0, fmt.Errorf("store: saving draft: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, &waymark.Error{Code: waymark.ECONFLICT, Message: "This draft was changed in another tab or window, or has already been sent. Reload it to see the latest answers, then make your change again."}
	}
	return expectedVersion + 1, nil
}

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
	rows, err := t.query(`SELECT id, user_id, data, version, created_at, updated_at FROM concern_drafts WHERE user_id = $1 AND submitted_case_id IS NULL ORDER BY updated_at DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Draft
	for rows.Next() {
		var d Draft
		if err := rows.Scan(&d.ID, &d.UserID, &d.Data, &d.Version, &d.CreatedAt, &d.UpdatedAt); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
