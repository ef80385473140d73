package store

import (
	"fmt"
	"time"
)

// The local decision panel (migration 0031): who sits on it, and which
// referrals it decides.

// PanelMember is a member of staff in a seat of the panel.
type PanelMember struct {
	User       User
	Seat       string // pathway.PanelChair, …
	RecordedBy string
	RecordedAt time.Time
}

// SeatPanelMember seats userID in seat, or takes them off the panel when
// seat is "".
func (t *Tx) SeatPanelMember(userID, seat, by string, at time.Time) error {
	var last int64
	if err := t.queryRow(`SELECT COALESCE(MAX(seq), 0) FROM ddm_panel_members`).Scan(&last); err != nil {
		return fmt.Errorf("store: numbering a panel change: %w", err)
	}
	if _, err := t.exec(`INSERT INTO ddm_panel_members(seq, user_id, seat, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)`,
		last+1, userID, seat, by, utc(at)); err != nil {
		return fmt.Errorf("store: seating a panel member: %w", err)
	}
	return nil
}

// PanelMembers returns those who sit on the panel now, each with their
// account, in the order they were seated.
func (t *Tx) PanelMembers() ([]PanelMember, error) {
	rows, err := t.query(`SELECT m.user_id, m.seat, m.recorded_by, m.recorded_at FROM ddm_panel_members m
		WHERE m.seq = (SELECT MAX(x.seq) FROM ddm_panel_members x WHERE x.user_id = m.user_id) AND m.seat <> ''
		ORDER BY m.seq`)
	if err != nil {
		return nil, fmt.Errorf("store: listing the panel: %w", err)
	}
	type row struct {
		id string
		m  PanelMember
	}
	var list []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.m.Seat, &r.m.RecordedBy, &r.m.RecordedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: scanning a panel member: %w", err)
		}
		r.m.RecordedAt = r.m.RecordedAt.UTC()
		list = append(list, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []PanelMember
	for _, r := range list {
		u, err := t.UserByID(r.id)
		if err != nil {
			return nil, err
		}
		r.m.User = u
		out = append(out, r.m)
	}
	return out, nil
}

// IndexPanelCase notes that the panel decides caseID's referral.
func (t *Tx) IndexPanelCase(caseID string, at time.Time) error {
	if _, err := t.exec(`INSERT INTO ddm_panel_cases(case_id, routed_at) VALUES ($1, $2) ON CONFLICT (case_id) DO NOTHING`, caseID, utc(at)); err != nil {
		return fmt.Errorf("store: noting a panel case: %w", err)
	}
	return nil
}

// PanelCaseIDs lists the referrals the panel decides, newest first.
func (t *Tx) PanelCaseIDs() ([]string, error) {
	rows, err := t.query(`SELECT case_id FROM ddm_panel_cases ORDER BY routed_at DESC, case_id`)
	if err != nil {
		return nil, fmt.Errorf("store: listing panel cases: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
