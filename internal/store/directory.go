package store

import (
	"fmt"
	"time"
)

// DirectoryEntry is one entry's text, field for field as the catalogue's
// seed (catalog.DirectoryEntry) has it, so one converts to the other.
type DirectoryEntry struct {
	ID, Name, Kind, Section, Description, Phone, Website, Email, Hours, Area, LastChecked string
	CheckBeforeUse                                                                        bool
	Note                                                                                  string
}

// DirectoryEdit is a partnership's own version of a directory entry
// (migration 0032): an edit of a seed entry of the catalogue, by the same
// id, or an entry the partnership added.
type DirectoryEdit struct {
	Entry    DirectoryEntry
	Hidden   bool
	EditedBy string // the editor's user id
	EditedAt time.Time
}

// DirectoryEdits returns every edit, by entry id.
func (t *Tx) DirectoryEdits() (map[string]DirectoryEdit, error) {
	rows, err := t.query(`SELECT id, name, kind, section, description, phone, website, email, hours, area, note, last_checked, check_before_use, hidden, edited_by, edited_at
		FROM directory_entries ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: listing directory entries: %w", err)
	}
	defer rows.Close()
	out := map[string]DirectoryEdit{}
	for rows.Next() {
		var d DirectoryEdit
		e := &d.Entry
		if err := rows.Scan(&e.ID, &e.Name, &e.Kind, &e.Section, &e.Description, &e.Phone, &e.Website, &e.Email, &e.Hours, &e.Area, &e.Note,
			&e.LastChecked, &e.CheckBeforeUse, &d.Hidden, &d.EditedBy, &d.EditedAt); err != nil {
			return nil, fmt.Errorf("store: scanning a directory entry: %w", err)
		}
		d.EditedAt = d.EditedAt.UTC()
		out[e.ID] = d
	}
	return out, rows.Err()
}

// SaveDirectoryEdit writes an entry's edit, replacing any earlier one; the
// caller has checked it.
func (t *Tx) SaveDirectoryEdit(d DirectoryEdit) error {
	e := d.Entry
	_, err := t.exec(`INSERT INTO directory_entries(id, name, kind, section, description, phone, website, email, hours, area, note, last_checked, check_before_use, hidden, edited_by, edited_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
		ON CONFLICT (id) DO UPDATE SET name = $2, kind = $3, section = $4, description = $5, phone = $6, website = $7, email = $8, hours = $9,
			area = $10, note = $11, last_checked = $12, check_before_use = $13, hidden = $14, edited_by = $15, edited_at = $16`,
		e.ID, e.Name, e.Kind, e.Section, e.Description, e.Phone, e.Website, e.Email, e.Hours, e.Area, e.Note, e.LastChecked, e.CheckBeforeUse, d.Hidden, d.EditedBy, utc(d.EditedAt))
	if err != nil {
		return fmt.Errorf("store: saving a directory entry: %w", err)
	}
	return nil
}
