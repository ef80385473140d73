package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// StaffProfile is the work details a person keeps about themselves: what
// the NRM referral asks of the First Responder who submits it (§8.7).
type StaffProfile struct {
	UserID    string
	JobTitle  string
	WorkPhone string
	AwayEmail string // a manager's, a colleague's or the team's inbox, for when they are away
	UpdatedAt time.Time
	UpdatedBy string
}

// SetStaffProfile writes a person's work details, replacing any before.
func (t *Tx) SetStaffProfile(p StaffProfile) error {
	_, err := t.exec(`INSERT INTO staff_profiles(user_id, job_title, work_phone, away_email, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (user_id) DO UPDATE SET job_title = excluded.job_title, work_phone = excluded.work_phone, away_email = excluded.away_email,
		updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		p.UserID, p.JobTitle, p.WorkPhone, p.AwayEmail, utc(p.UpdatedAt), p.UpdatedBy)
	if err != nil {
		return fmt.Errorf("store: setting staff profile: %w", err)
	}
	return nil
}

// StaffProfile reads a person's work details; a person who has given none
// has an empty profile.
func (t *Tx) StaffProfile(userID string) (StaffProfile, error) {
	p := StaffProfile{UserID: userID}
	err := t.queryRow(`SELECT job_title, work_phone, away_email, updated_at, updated_by FROM staff_profiles WHERE user_id = $1`, userID).
		Scan(&p.JobTitle, &p.WorkPhone, &p.AwayEmail, &p.UpdatedAt, &p.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return StaffProfile{}, fmt.Errorf("store: reading staff profile: %w", err)
	}
	return p, nil
}
