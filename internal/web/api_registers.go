package web

import (
	"net/http"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// The interpreter register (§6.7, §7.5) and the partnership lead's open
// escalations (§8.6) over the API, with the rules of their pages
// (interpreters.go, escalations.go).

type apiInterpreter struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Languages    []string  `json:"languages"`
	Dialects     []string  `json:"dialects"`
	Gender       string    `json:"gender"`
	Professional bool      `json:"professional"`
	Approved     bool      `json:"approved"`
	DBSCheckedOn *string   `json:"dbsCheckedOn"` // null when never checked
	Active       bool      `json:"active"`
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
}

func interpreterJSON(i store.Interpreter) apiInterpreter {
	out := apiInterpreter{ID: i.ID, Name: i.Name, Languages: i.Languages, Dialects: i.Dialects, Gender: i.Gender,
		Professional: i.Professional, Approved: i.Approved, Active: i.Active, CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt}
	if out.Languages == nil {
		out.Languages = []string{}
	}
	if out.Dialects == nil {
		out.Dialects = []string{}
	}
	if i.DBSCheckedOn != "" {
		out.DBSCheckedOn = &i.DBSCheckedOn
	}
	return out
}

// registerRefusal is why v may not keep the register, or nil.
func registerRefusal(v casework.Viewer) error {
	switch {
	case v.KeepsInterpreterRegister():
		return nil
	case v.User.Role == pathway.RoleAdministrator:
		return waymark.Errorf(waymark.EFORBIDDEN, "The interpreter register is kept with a session: sign in with POST /api/v1/sessions rather than an API token.")
	}
	return waymark.Errorf(waymark.EFORBIDDEN, registerKeptByAdministrators)
}

func (s *Server) handleAPIInterpreters(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if err := registerRefusal(v); err != nil {
		s.problemErr(w, r, err)
		return
	}
	list, err := s.svc.InterpreterRegister(r.Context())
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	out := make([]apiInterpreter, 0, len(list))
	for _, i := range list {
		out = append(out, interpreterJSON(i))
	}
	writeJSON(w, http.StatusOK, map[string]any{"interpreters": out})
}

// handleAPIInterpreterAdd adds an interpreter to the register: parse, validate, store, respond.
func (s *Server) handleAPIInterpreterAdd(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if err := registerRefusal(v); err != nil {
		s.problemErr(w, r, err)
		return
	}
	var in struct {
		Name         string   `json:"name"`
		Languages    []string `json:"languages"`
		Dialects     []string `json:"dialects"`
		Gender       string   `json:"gender"`
		Professional *bool    `json:"professional"`
		Approved     *bool    `json:"approved"`
		DBSCheckedOn string   `json:"dbsCheckedOn"`
		Active       *bool    `json:"active"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.problemErr(w, r, err)
		return
	}
	// A yes or no the page asks must be answered here too, not taken as no.
	var probs waymark.Problems
	answer := func(field string, b *bool, question string) bool {
		if b == nil {
			probs.Add(field, "Send %s as true or false: %s", field, question)
			return false
		}
		return *b
	}
	e := casework.InterpreterEntry{Name: in.Name, Languages: in.Languages, Dialects: in.Dialects, Gender: in.Gender, DBSCheckedOn: in.DBSCheckedOn,
		Professional: answer("professional", in.Professional, "is this a professional interpreter?"),
		Approved:     answer("approved", in.Approved, "is the interpreter approved?"),
		Active:       answer("active", in.Active, "can the interpreter be booked now?")}
	if err := probs.Err(); err != nil {
		s.problemErr(w, r, err)
		return
	}
	i, err := s.svc.RegisterInterpreter(r.Context(), v, e)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, interpreterJSON(i))
}

type apiEscalation struct {
	ID         string        `json:"id"`
	RaisedAt   time.Time     `json:"raisedAt"`
	RaisedBy   pathway.Party `json:"raisedBy"`
	Reason     string        `json:"reason"`
	Level      int           `json:"level"`
	LevelLabel string        `json:"levelLabel"`
	LevelSince time.Time     `json:"levelSince"`
}

type apiEscalatedCase struct {
	ID          string          `json:"id"`
	Reference   string          `json:"reference,omitempty"`
	ChildName   string          `json:"childName"`
	Escalations []apiEscalation `json:"escalations"` // the open ones, oldest first
	// The case's flags (§1.2, §7.4, §8.5).
	FamilySuspected bool `json:"familySuspected"`
	AgeUncertain    bool `json:"ageUncertain"`
	ImmediateRisk   bool `json:"immediateRisk"`
}

func (s *Server) handleAPIEscalations(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	cases, page, err := readPage(r, v, casePaging, s.svc.EscalationsPage)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	out := make([]apiEscalatedCase, 0, len(cases))
	for _, c := range cases {
		ec := apiEscalatedCase{ID: c.ID, Reference: c.Reference, ChildName: c.ChildName, Escalations: []apiEscalation{},
			FamilySuspected: c.FamilySuspected, AgeUncertain: c.AgeUncertain, ImmediateRisk: c.ImmediateRisk}
		for _, e := range c.Open {
			ec.Escalations = append(ec.Escalations, apiEscalation{ID: e.ID, RaisedAt: e.RaisedAt, RaisedBy: e.RaisedBy, Reason: e.Reason,
				Level: e.Level, LevelLabel: e.LevelLabel(), LevelSince: e.LevelSince})
		}
		out = append(out, ec)
	}
	writeJSON(w, http.StatusOK, casePaging.withCursors(map[string]any{"cases": out}, page))
}
