package web

import (
	"net/http"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/catalog"
)

// The directory of support and key contacts over the API (directory.go has
// the pages): every signed-in caller reads it; partnership leads and
// administrators change and add entries.

type apiDirectoryEntry struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	Kind           string     `json:"kind"`
	Section        string     `json:"section"`
	Description    string     `json:"description"`
	Phone          string     `json:"phone"`
	Email          string     `json:"email"`
	Website        string     `json:"website"`
	Hours          string     `json:"hours"`
	Area           string     `json:"area"`
	Note           string     `json:"note"`
	LastChecked    string     `json:"lastChecked"` // YYYY-MM-DD, or YYYY-MM when only the month is known
	CheckBeforeUse bool       `json:"checkBeforeUse"`
	Hidden         bool       `json:"hidden"`
	Seeded         bool       `json:"seeded"`
	Edited         bool       `json:"edited"`
	EditedAt       *time.Time `json:"editedAt"`
}

func directoryJSON(e casework.DirectoryEntry) apiDirectoryEntry {
	out := apiDirectoryEntry{ID: e.ID, Name: e.Name, Kind: e.Kind, Section: e.Section, Description: e.Description, Phone: e.Phone,
		Email: e.Email, Website: e.Website, Hours: e.Hours, Area: e.Area, Note: e.Note, LastChecked: e.LastChecked,
		CheckBeforeUse: e.CheckBeforeUse, Hidden: e.Hidden, Seeded: e.Seeded, Edited: e.Edited}
	if e.Edited {
		at := e.EditedAt
		out.EditedAt = &at
	}
	return out
}

func (s *Server) handleAPIDirectory(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	all, err := s.svc.Directory(r.Context())
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	out := make([]apiDirectoryEntry, 0, len(all))
	for _, e := range all {
		if !e.Hidden || v.EditsDirectory() {
			out = append(out, directoryJSON(e))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": out})
}

// handleAPIDirectorySave changes an entry (PUT, with an id) or adds one
// (POST): parse, validate, store, respond.
func (s *Server) handleAPIDirectorySave(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.EditsDirectory() {
		s.problemErr(w, r, casework.ErrDirectoryEditors)
		return
	}
	var in struct {
		Name           string `json:"name"`
		Kind           string `json:"kind"`
		Description    string `json:"description"`
		Phone          string `json:"phone"`
		Email          string `json:"email"`
		Website        string `json:"website"`
		Hours          string `json:"hours"`
		Area           string `json:"area"`
		Note           string `json:"note"`
		LastChecked    string `json:"lastChecked"`
		CheckBeforeUse *bool  `json:"checkBeforeUse"`
		Hidden         *bool  `json:"hidden"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.problemErr(w, r, err)
		return
	}
	var probs waymark.Problems
	if in.CheckBeforeUse == nil {
		probs.Add("checkBeforeUse", "Send checkBeforeUse as true or false: should practitioners check the entry before use?")
	}
	if err := probs.Err(); err != nil {
		s.problemErr(w, r, err)
		return
	}
	e := catalog.DirectoryEntry{Name: in.Name, Kind: in.Kind, Description: in.Description, Phone: in.Phone, Email: in.Email, Website: in.Website,
		Hours: in.Hours, Area: in.Area, Note: in.Note, LastChecked: in.LastChecked, CheckBeforeUse: *in.CheckBeforeUse}
	id := r.PathValue("id")
	saved, err := s.svc.SaveDirectoryEntry(r.Context(), v, id, e, in.Hidden != nil && *in.Hidden)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	status := http.StatusOK
	if id == "" {
		status = http.StatusCreated
	}
	writeJSON(w, status, directoryJSON(saved))
}
