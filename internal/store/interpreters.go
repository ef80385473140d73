package store

import (
	"fmt"
	"strings"
	"time"

	"waymark"
)

// Interpreter is an entry of the partnership's interpreter register (§6.7, §7.5).
type Interpreter struct {
	ID           string
	Name         string
	Languages    []string
	Dialects     []string
	Gender       string
	Professional bool
	Approved     bool
	DBSCheckedOn string // YYYY-MM-DD; empty when never checked
	Active       bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// InsertInterpreter adds an entry to the register.
func (t *Tx) InsertInterpreter(i Interpreter) error {
	_, err := t.exec(`INSERT INTO interpreters(id, name, languages, dialects, gender, professional, approved, dbs_checked_on, active, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		i.ID, i.Name, joinRegisterList(i.Languages), joinRegisterList(i.Dialects), i.Gender, i.Professional, i.Approved, i.DBSCheckedOn, i.Active, utc(i.CreatedAt), utc(i.UpdatedAt))
	if isUniqueViolation(err) {
		return waymark.Errorf(waymark.ECONFLICT, "An interpreter with id %s is already on the register", i.ID)
	}
	if err != nil {
		return fmt.Errorf("store: inserting interpreter: %w", err)
	}
	return nil
}

const interpreterColumns = `id, name, languages, dialects, gender, professional, approved, dbs_checked_on, active, created_at, updated_at`

func scanInterpreter(s interface{ Scan(...any) error }) (Interpreter, error) {
	var i Interpreter
	var languages, dialects string
	err := s.Scan(&i.ID, &i.Name, &languages, &dialects, &i.Gender, &i.Professional, &i.Approved, &i.DBSCheckedOn, &i.Active, &i.CreatedAt, &i.UpdatedAt)
	i.Languages, i.Dialects = splitRegisterList(languages), splitRegisterList(dialects)
	i.CreatedAt, i.UpdatedAt = i.CreatedAt.UTC(), i.UpdatedAt.UTC()
	return i, err
}

// Interpreters lists the whole register by name.
func (t *Tx) Interpreters() ([]Interpreter, error) {
	rows, err := t.query(`SELECT ` + interpreterColumns + ` FROM interpreters ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("store: listing interpreters: %w", err)
	}
	defer rows.Close()
	var out []Interpreter
	for rows.Next() {
		i, err := scanInterpreter(rows)
		if err != nil {
			return nil, fmt.Errorf("store: scanning interpreter: %w", err)
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// InterpreterByID finds one entry of the register.
func (t *Tx) InterpreterByID(id string) (Interpreter, error) {
	i, err := scanInterpreter(t.queryRow(`SELECT `+interpreterColumns+` FROM interpreters WHERE id = $1`, id))
	return i, notFound(err, "There is no interpreter with that id on the register")
}

// Lists are kept one item a line: no item can contain a line break.
func joinRegisterList(items []string) string { return strings.Join(items, "\n") }

func splitRegisterList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
