package store

import (
	"fmt"

	"waymark/internal/pathway"
)

// Each partnership's dated settings (migrations 0031, 0041): a history that
// is only ever appended to.

// AppendSetting records a change to a partnership's settings, numbering it
// after every change before it, and returns it with its number among the
// partnership's own changes (as Settings numbers them).
func (t *Tx) AppendSetting(partnershipID string, c pathway.SettingChange) (pathway.SettingChange, error) {
	var last int64
	if err := t.queryRow(`SELECT COALESCE(MAX(seq), 0) FROM partnership_settings`).Scan(&last); err != nil {
		return c, fmt.Errorf("store: numbering a setting change: %w", err)
	}
	c.Seq = last + 1
	c.RecordedAt = utc(c.RecordedAt)
	_, err := t.exec(`INSERT INTO partnership_settings(seq, setting_key, value, effective_from, reason, recorded_by, recorded_at, partnership_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, c.Seq, string(c.Key), c.Value, c.From, c.Reason, c.RecordedBy, c.RecordedAt, partnershipID)
	if err != nil {
		return c, fmt.Errorf("store: recording a setting change: %w", err)
	}
	if err := t.queryRow(`SELECT COUNT(*) FROM partnership_settings WHERE partnership_id = $1 AND seq <= $2`, partnershipID, c.Seq).Scan(&c.Seq); err != nil {
		return c, fmt.Errorf("store: numbering a setting change: %w", err)
	}
	return c, nil
}

// Settings returns every change recorded to a partnership's settings, in
// the order they were recorded; another partnership's are not read. Each
// is numbered among the partnership's own changes (1, 2, …): the table's
// numbering runs across every partnership, and its gaps would tell one
// partnership how often the others change theirs.
func (t *Tx) Settings(partnershipID string) (pathway.DatedSettings, error) {
	rows, err := t.query(`SELECT seq, setting_key, value, effective_from, reason, recorded_by, recorded_at FROM partnership_settings
		WHERE partnership_id = $1 ORDER BY seq`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("store: reading the partnership's settings: %w", err)
	}
	defer rows.Close()
	var out pathway.DatedSettings
	for rows.Next() {
		var c pathway.SettingChange
		var key string
		if err := rows.Scan(&c.Seq, &key, &c.Value, &c.From, &c.Reason, &c.RecordedBy, &c.RecordedAt); err != nil {
			return nil, fmt.Errorf("store: scanning a setting change: %w", err)
		}
		c.Key, c.RecordedAt = pathway.SettingKey(key), c.RecordedAt.UTC()
		c.Seq = int64(len(out) + 1)
		out = append(out, c)
	}
	return out, rows.Err()
}
