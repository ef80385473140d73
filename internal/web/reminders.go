package web

import (
	"net/http"
	"slices"

	"waymark"

	"waymark/internal/casework"
	"waymark/internal/notify"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// Email reminders (issue 15 §2): each person chooses which they receive
// on /account/reminders (and GET/PUT /api/v1/account/reminders); the demo
// shows what would have been sent on /demo/mail.

// DemoMail is the demo's mail catcher as /demo/mail shows it.
type DemoMail struct {
	Catcher *notify.Catcher
	// ShowAll shows every demo user's mail to whoever is signed in; by
	// default each sees only their own (waymark demo --demo-mail-all).
	ShowAll bool
}

// reminderChoice is one checkbox of the preferences page.
type reminderChoice struct {
	Value, Text, Hint string
}

var reminderChoices = []reminderChoice{
	{string(pathway.ReminderDueSoon), "Before a deadline falls due", "For example, 4 hours before a 24-hour deadline"},
	{string(pathway.ReminderOverdue), "When one of your deadlines is overdue", ""},
	{string(pathway.ReminderDigest), "Each working morning, how many things are on My work", ""},
}

type reminderPrefsData struct {
	Items    []map[string]string
	Selected map[string]bool
	Manager  bool
}

func reminderPrefsPage(p store.ReminderPreferences, v casework.Viewer) reminderPrefsData {
	d := reminderPrefsData{Selected: map[string]bool{
		string(pathway.ReminderDueSoon): p.DueSoon, string(pathway.ReminderOverdue): p.Overdue, string(pathway.ReminderDigest): p.Digest,
	}, Manager: v.User.Role == pathway.RoleManager}
	for _, c := range reminderChoices {
		d.Items = append(d.Items, map[string]string{"Value": c.Value, "Text": c.Text, "Hint": c.Hint})
	}
	return d
}

func (s *Server) handleReminderPrefs(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	p, err := s.svc.ReminderPreferences(r.Context(), v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	flash := map[string]string{"saved": "Your reminder choices are saved."}[r.URL.Query().Get("done")]
	s.render(w, r, http.StatusOK, "reminders", Page{Title: "Email reminders", Flash: flash, Data: reminderPrefsPage(p, v)})
}

// handleReminderPrefsSave: every box left unticked turns that kind off,
// so an empty form is a valid answer (no reminders but a manager's).
func (s *Server) handleReminderPrefsSave(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	kinds := r.PostForm["kinds"]
	p := store.ReminderPreferences{
		DueSoon: slices.Contains(kinds, string(pathway.ReminderDueSoon)),
		Overdue: slices.Contains(kinds, string(pathway.ReminderOverdue)),
		Digest:  slices.Contains(kinds, string(pathway.ReminderDigest)),
	}
	for _, k := range kinds {
		if !slices.ContainsFunc(reminderChoices, func(c reminderChoice) bool { return c.Value == k }) {
			// An unknown kind is a mistake, not "turn everything off": the
			// form comes back with the known boxes as they were ticked.
			s.render(w, r, http.StatusUnprocessableEntity, "reminders", Page{Title: "Email reminders",
				Errors: []waymark.FieldError{{Field: "kinds", Message: "Select only the reminders listed"}}, Data: reminderPrefsPage(p, v)})
			return
		}
	}
	if err := s.svc.SetReminderPreferences(r.Context(), v, p); err != nil {
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, "/account/reminders?done=saved", http.StatusSeeOther)
}

// reminderPrefsJSON is the API's shape of the choices.
type reminderPrefsJSON struct {
	DueSoon bool `json:"dueSoon"`
	Overdue bool `json:"overdue"`
	Digest  bool `json:"digest"`
	// ManagerOverdue is always true: a manager's alerts of their team's
	// overdue deadlines cannot be turned off. Ignored when sent.
	ManagerOverdue bool `json:"managerOverdueAlwaysOn"`
}

func (s *Server) handleAPIReminderPrefs(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	p, err := s.svc.ReminderPreferences(r.Context(), v)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, reminderPrefsJSON{DueSoon: p.DueSoon, Overdue: p.Overdue, Digest: p.Digest, ManagerOverdue: true})
}

func (s *Server) handleAPIReminderPrefsSave(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	var in *struct {
		reminderPrefsJSON
		ManagerOverdue *bool `json:"managerOverdueAlwaysOn"`
	}
	err := decodeJSON(r, &in)
	switch {
	case err != nil:
	case in == nil: // null would otherwise turn every reminder off
		err = waymark.Errorf(waymark.EINVALID, "The request body is null: send a JSON object")
	case in.ManagerOverdue != nil && !*in.ManagerOverdue:
		err = waymark.Invalid([]waymark.FieldError{{Field: "managerOverdueAlwaysOn", Message: "A manager's overdue alerts cannot be turned off"}})
	}
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	if err := s.svc.SetReminderPreferences(r.Context(), v, store.ReminderPreferences{DueSoon: in.DueSoon, Overdue: in.Overdue, Digest: in.Digest}); err != nil {
		s.problemErr(w, r, err)
		return
	}
	s.handleAPIReminderPrefs(w, r, v)
}

type demoMailData struct {
	Mails   []notify.CaughtMail
	ShowAll bool
	Email   string
}

// handleDemoMail lists the mail the demo's catcher took: the signed-in
// person's own, unless the demo was started to show everyone's.
func (s *Server) handleDemoMail(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if s.demoMail == nil || s.demoMail.Catcher == nil {
		s.fail(w, r, http.StatusNotFound, "There is nothing at this address. Check the link, or go back to your cases.")
		return
	}
	who := v.User.Email
	if s.demoMail.ShowAll {
		who = ""
	}
	s.render(w, r, http.StatusOK, "demo-mail", Page{Title: "Demo mail", Data: demoMailData{Mails: s.demoMail.Catcher.Mails(who), ShowAll: s.demoMail.ShowAll, Email: v.User.Email}})
}
