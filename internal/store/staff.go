package store

import "fmt"

// LockAdministrators locks every administrator's row until the transaction
// ends (PostgreSQL; SQLite's writers already take turns), so that two staff
// changes that each check an enabled administrator is left — two
// administrators disabling each other at once — queue behind each other and
// the second sees the first.
func (t *Tx) LockAdministrators() error {
	if t.dialect != Postgres {
		return nil
	}
	rows, err := t.query(`SELECT id FROM users WHERE role = 'administrator' ORDER BY id FOR UPDATE`)
	if err != nil {
		return fmt.Errorf("store: locking administrators: %w", err)
	}
	defer rows.Close()
	for rows.Next() { // every row read is a row locked
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: locking administrators: %w", err)
	}
	return nil
}
