package store

import (
	"fmt"

	"waymark/internal/pathway"
)

// The partnership's dated settings (migration 0031): a history that is only
// ever appended to.

// AppendSetting records a change, numbering it after every change before
// it, and returns it with its number.
func (t *Tx) AppendSetting(c pathway.SettingChange) (pathway.SettingChange, error) {
	var last int64
	if err := t.queryRow(`SELECT COALESCE(MAX(seq), 0) FROM partnership_settings`).Scan(&last); err != nil {
		return c, fmt.Errorf("store: numbering a setting change: %w", err)
	}
	c.Seq = last + 1
	c.RecordedAt = utc(c.RecordedAt)
	_, err := t.exec(`INSERT INTO partnership_settings(seq, setting_key, value, effective_from, reason, recorded_by, recorded_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.Seq, string(c.Key), c.Value, c.From, c.Reason, c.RecordedBy, c.RecordedAt)
	if err != nil {
		return c, fmt.Errorf("store: recording a setting change: %w", err)
	}
	return c, nil
}

// Settings returns every recorded change, in the order they were recorded.
func (t *Tx) Settings() (pathway.DatedSettings, error) {
	rows, err := t.query(`SELECT seq, setting_key, value, effective_from, reason, recorded_by, recorded_at FROM partnership_settings ORDER BY seq`)
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
		out = append(out, c)
	}
	return out, rows.Err()
}
