package casework

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// ActionInterpreterRegistered is the audit action for a new register entry.
const ActionInterpreterRegistered = "interpreter.registered"

// InterpreterEntry is what an administrator enters to add an interpreter to
// the partnership's register (§6.7, §7.5).
type InterpreterEntry struct {
	Name         string
	Languages    []string
	Dialects     []string
	Gender       string
	Professional bool
	Approved     bool
	DBSCheckedOn string // YYYY-MM-DD, or empty when not checked
	Active       bool
}

// KeepsInterpreterRegister: administrators keep the partnership's register.
func (v Viewer) KeepsInterpreterRegister() bool {
	return v.User.Role == pathway.RoleAdministrator && v.Scopes == nil
}

// InterpreterRegister lists the partnership's interpreters by name. The
// register holds no case data: any signed-in page that books an interpreter
// may read it.
func (s *Service) InterpreterRegister(ctx context.Context) ([]store.Interpreter, error) {
	var out []store.Interpreter
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Interpreters()
		return err
	})
	return out, err
}

// RegisterInterpreter adds an interpreter to the register and audits it.
// Entries that are not yet approved or DBS checked may be kept, but the
// pathway never lets them interpret for a child (§6.7).
func (s *Service) RegisterInterpreter(ctx context.Context, v Viewer, e InterpreterEntry) (store.Interpreter, error) {
	if !v.KeepsInterpreterRegister() {
		return store.Interpreter{}, waymark.Errorf(waymark.EFORBIDDEN, "Only an administrator can change the interpreter register. Ask your administrator to add the interpreter.")
	}
	e = normaliseInterpreterEntry(e)
	if err := validateInterpreterEntry(e, s.now()); err != nil {
		return store.Interpreter{}, err
	}
	now := s.now()
	i := store.Interpreter{ID: access.NewID(), Name: e.Name, Languages: e.Languages, Dialects: e.Dialects, Gender: e.Gender,
		Professional: e.Professional, Approved: e.Approved, DBSCheckedOn: e.DBSCheckedOn, Active: e.Active, CreatedAt: now, UpdatedAt: now}
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		if err := tx.InsertInterpreter(i); err != nil {
			return err
		}
		return tx.AppendAudit(s.auditEntry(v, "", ActionInterpreterRegistered, "interpreter "+i.ID))
	})
	if err != nil {
		return store.Interpreter{}, err
	}
	return i, nil
}

func normaliseInterpreterEntry(e InterpreterEntry) InterpreterEntry {
	e.Name = strings.Join(strings.Fields(e.Name), " ")
	e.Gender = strings.TrimSpace(e.Gender)
	e.DBSCheckedOn = strings.TrimSpace(e.DBSCheckedOn)
	e.Languages = registerItems(e.Languages)
	e.Dialects = registerItems(e.Dialects)
	return e
}

// registerItems trims each item, collapses its spaces and drops blanks and repeats.
func registerItems(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.Join(strings.Fields(s), " ")
		if k := strings.ToLower(s); s != "" && !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	return out
}

func validateInterpreterEntry(e InterpreterEntry, now time.Time) error {
	var probs waymark.Problems
	if e.Name == "" {
		probs.Add("name", "Enter the interpreter's name as it appears on the national register")
	} else if utf8.RuneCountInString(e.Name) > pathway.MaxShortText {
		probs.Add("name", "The name must be %d characters or fewer", pathway.MaxShortText)
	}
	if len(e.Languages) == 0 {
		probs.Add("languages", "Enter the languages they interpret, one on each line")
	}
	for _, l := range []struct {
		field string
		items []string
	}{{"languages", e.Languages}, {"dialects", e.Dialects}} {
		if len(l.items) > pathway.MaxListItems {
			probs.Add(l.field, "Enter no more than %d, one on each line", pathway.MaxListItems)
		}
		for _, it := range l.items {
			if utf8.RuneCountInString(it) > pathway.MaxShortText {
				probs.Add(l.field, "Each line must be %d characters or fewer", pathway.MaxShortText)
				break
			}
		}
	}
	known := false
	for _, g := range pathway.InterpreterGenders() {
		known = known || g.Value == e.Gender
	}
	if !known {
		probs.Add("gender", "Select the interpreter's gender: children may choose it (§7.5)")
	}
	if e.DBSCheckedOn != "" {
		d, err := time.ParseInLocation("2006-01-02", e.DBSCheckedOn, pathway.London)
		switch {
		case err != nil:
			probs.Add("dbsCheckedOn", "Enter the date of the DBS check as a real date, for example 3 11 2025")
		case d.After(now.In(pathway.London)):
			probs.Add("dbsCheckedOn", "The date of the DBS check must be today or in the past")
		}
	}
	return probs.Err()
}
