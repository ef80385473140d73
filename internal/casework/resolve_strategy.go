package casework

import (
	"strings"

	"waymark"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// resolveInterpreter fills in the register entry a booking or an interview
// plan names, so the pathway can check it (§6.7, §7.5).
func resolveInterpreter(tx *store.Tx, c pathway.Case, cmd pathway.Command) (pathway.Command, error) {
	switch cmd := cmd.(type) {
	case pathway.BookInterpreter:
		in, err := registeredInterpreter(tx, cmd.InterpreterID)
		cmd.Interpreter = in
		return cmd, err
	case pathway.PlanInterview:
		in, err := registeredInterpreter(tx, cmd.InterpreterID)
		cmd.Interpreter = in
		return cmd, err
	}
	return cmd, nil
}

// registeredInterpreter looks id up in the register; no id gives no
// interpreter, for the pathway to report or accept.
func registeredInterpreter(tx *store.Tx, id string) (*pathway.RegisteredInterpreter, error) {
	id = strings.TrimSpace(id)
	if id == "" || len(id) > 64 {
		return nil, nil
	}
	i, err := tx.InterpreterByID(id)
	if waymark.ErrorCode(err) == waymark.ENOTFOUND {
		return nil, waymark.Invalid([]waymark.FieldError{{Field: "interpreterId", Message: "There is no interpreter with that id on the register. Choose one from the register, or ask an administrator to add them"}})
	}
	if err != nil {
		return nil, err
	}
	return &pathway.RegisteredInterpreter{ID: i.ID, Name: i.Name, Languages: i.Languages, Dialects: i.Dialects, Gender: i.Gender,
		Professional: i.Professional, Approved: i.Approved, DBSCheckedOn: i.DBSCheckedOn, Active: i.Active}, nil
}
