package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// Nothing typed is lost to a time-out (WCAG 2.2.1, 3.3.7). A form posted
// after its session ended has its answers kept, sealed (casework.KeepAnswers),
// for the person whose session it was; the sign-in page carries only their
// id. Once that person has signed in again they go back to the same form with
// the answers filled in and a notice that they are not saved yet: nothing is
// written until they submit the form again, which checks its CSRF token as
// always. The answers are given back once, then deleted.
//
// Every form with typed content is listed here with the page it is on; its
// page's handler fills itself from restoredForm (one line each).
var keptForms = map[string]func(r *http.Request) string{
	"POST /concerns/{draft}/{step}":                  samePage,
	"POST /cases/{id}/contact":                       samePage,
	"POST /cases/{id}/outcome":                       samePage,
	"POST /cases/{id}/actions/{action}":              samePage, // every case action (actions.go)
	"POST /cases/{id}/nrm-draft/{section}":           samePage,
	"POST /cases/{id}/nrm-reconsideration/{section}": samePage,
	"POST /break-glass": func(r *http.Request) string {
		return "/break-glass?case=" + url.QueryEscape(r.PostFormValue("case"))
	},
	"POST /admin/interpreters":        samePage,
	"POST /admin/staff":               func(*http.Request) string { return "/admin/staff/new" },
	"POST /account/profile":           samePage,
	"POST /subject-access/{id}/erase": samePage,
}

func samePage(r *http.Request) string { return r.URL.Path }

// neverKept says whether an answer is never kept: the form's CSRF token and
// version (the form shown again carries fresh ones), a link's token, and
// secret answers.
func neverKept(name string) bool {
	switch n := strings.ToLower(name); {
	case n == "csrf_token", n == "version", n == "token":
		return true
	}
	return secretAnswer(name)
}

// secretAnswer says whether an answer is a password, a one-use code or
// another secret, which confirm the person: never written anywhere, nor
// back into a page, and typed again (neverKept, busyAgain).
func secretAnswer(name string) bool {
	switch n := strings.ToLower(name); {
	case n == "confirm", n == "code", n == "totp", n == "recoverycode":
		return true
	case strings.Contains(n, "password"), strings.Contains(n, "secret"):
		return true
	}
	return false
}

// keptForm is what is sealed: the page the form is on and its answers.
type keptForm struct {
	Page string     `json:"page"`
	Form url.Values `json:"form"`
}

// keptCookie names the first answers a browser kept after its session
// ended, so that a second form posted from it (another tab) is kept for the
// same person although the session is gone by then.
const keptCookie = "waymark_kept"

// keepAnswers keeps the answers of a form posted after the session of
// userID ended, and returns their id and the page to go back to. ok is false
// for a form not kept: a button with nothing typed, answers Waymark would
// refuse anyway (input.go), or a browser that names nobody (without a
// session that was ever signed in, nothing is written).
func (s *Server) keepAnswers(w http.ResponseWriter, r *http.Request, userID string) (id, page string, ok bool) {
	where, listed := keptForms[r.Pattern]
	if !listed || r.ParseForm() != nil || len(formProblems(r.PostForm)) > 0 {
		return "", "", false
	}
	first := s.cookieValue(r, keptCookie)
	if userID == "" && keptID(first) {
		if owner, err := s.svc.KeptAnswersOwner(r.Context(), first); err == nil {
			userID = owner
		}
	}
	if userID == "" {
		return "", "", false
	}
	form := url.Values{}
	for k, vs := range r.PostForm {
		if !neverKept(k) {
			form[k] = vs
		}
	}
	page = safeNext(where(r))
	data, err := json.Marshal(keptForm{Page: page, Form: form})
	if err != nil {
		return "", "", false
	}
	caseID := ""
	if strings.HasPrefix(r.Pattern, "POST /cases/{id}/") || strings.HasPrefix(r.Pattern, "POST /subject-access/{id}/") {
		caseID = r.PathValue("id")
	}
	id, err = s.svc.KeepAnswers(r.Context(), casework.KeptAnswers{UserID: userID, CaseID: caseID, Form: r.URL.Path, Data: data})
	if err != nil {
		s.log.Error("keeping the answers of a form posted after the session ended", "err", err, "request_id", requestID(r.Context()))
		return "", "", false
	}
	if !keptID(first) {
		s.setCookie(w, keptCookie, id, http.SameSiteStrictMode, time.Time{}, s.svc.SavedAnswersFor)
	}
	return id, page, true
}

// keptID reports whether a sign-in form's resume value is the id of kept
// answers (crypto/rand.Text: 26 characters of base32).
func keptID(s string) bool {
	if len(s) != 26 {
		return false
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// withRestore adds the id of kept answers to the page to go back to.
func withRestore(next, id string) string {
	if !keptID(id) {
		return next
	}
	sep := "?"
	if strings.Contains(next, "?") {
		sep = "&"
	}
	return next + sep + "restore=" + id
}

type restoredKey struct{}

// restored is what a page is told of kept answers: the form's answers, or
// that they are no longer kept.
type restored struct {
	Form url.Values
	Lost bool
	Busy bool // the database was too busy to take them: still kept
}

// restoreAnswers takes the kept answers a GET names in ?restore= for the
// signed-in viewer and puts them in the request's context for the page's
// handler (restoredForm) and the notice (render).
func (s *Server) restoreAnswers(ctx context.Context, r *http.Request, v casework.Viewer) context.Context {
	id := r.URL.Query().Get("restore")
	if r.Method != http.MethodGet || id == "" {
		return ctx
	}
	data, err := s.svc.TakeAnswers(ctx, v, id)
	var k keptForm
	if err == nil {
		err = json.Unmarshal(data, &k)
	}
	page, _, _ := strings.Cut(k.Page, "?")
	if err == nil && page != r.URL.Path {
		err = errors.New("kept for another page")
	}
	if waymark.ErrorCode(err) == waymark.EBUSY {
		// Not taken: they are still kept, and a reload once the lock is
		// free gives them back.
		return context.WithValue(ctx, restoredKey{}, restored{Busy: true})
	}
	if err != nil {
		if !errors.Is(err, casework.ErrNoKeptAnswers) {
			s.log.Warn("restoring answers kept across signing in", "err", err, "request_id", requestID(ctx))
		}
		return context.WithValue(ctx, restoredKey{}, restored{Lost: true})
	}
	return context.WithValue(ctx, restoredKey{}, restored{Form: k.Form})
}

// restoredForm is the answers given back to this page after signing in
// again, or empty. A page's handler shows them as if just typed.
func restoredForm(r *http.Request) url.Values {
	if k, ok := r.Context().Value(restoredKey{}).(restored); ok && k.Form != nil {
		return k.Form
	}
	return url.Values{}
}

// restoredNotice is what the page says of kept answers, if anything.
func restoredNotice(ctx context.Context) string {
	k, ok := ctx.Value(restoredKey{}).(restored)
	switch {
	case !ok:
		return ""
	case k.Busy:
		return "Waymark is busy and could not give back the answers you typed before signing in again. They are still kept: reload this page in a moment to see them."
	case k.Lost:
		return "The answers you typed before signing in again are no longer kept: they were kept only once, and only for a limited time."
	}
	return "Your answers have been restored after you signed in again. They have not been saved yet: check them, then submit the form."
}

// sessionTimer is what the page's time-out warning needs (timeout.js).
type sessionTimer struct {
	EndsAt      time.Time // when the session ends unless the person does something
	EndsIn      int       // seconds from now until then
	WarnBefore  int       // seconds before then the warning opens
	IdleMinutes int
}

// EndsText is when the session ends, as the page says it without script.
func (t sessionTimer) EndsText() string {
	return t.EndsAt.In(pathway.London).Format("3:04pm")
}

func (s *Server) sessionTimer(ctx context.Context) *sessionTimer {
	sess := sessionFrom(ctx)
	if sess.TokenHash == "" {
		return nil
	}
	end := s.svc.SessionEnds(sess)
	return &sessionTimer{EndsAt: end, EndsIn: int(end.Sub(s.now()).Seconds()), WarnBefore: int(s.svc.SessionWarning.Seconds()), IdleMinutes: int(s.svc.SessionIdle.Minutes())}
}

// handleStaySignedIn is the warning's "Stay signed in": the POST itself,
// through page(), is the activity that extends the session. It answers
// when the session now ends, for the script, or goes back for a form.
func (s *Server) handleStaySignedIn(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	t := s.sessionTimer(r.Context())
	if t == nil || !strings.Contains(r.Header.Get("Accept"), "application/json") {
		http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"endsInSeconds": t.EndsIn, "endsAt": t.EndsAt.UTC().Format(time.RFC3339), "endsText": t.EndsText()})
}

// restoredNRM is an NRM draft section's answers given back after signing
// in again, as nrmSection shows typed answers, or nil.
func restoredNRM(r *http.Request, view casework.NRMDraftView, section string) map[string]string {
	f := restoredForm(r)
	sec, ok := view.Draft.Section(section)
	if len(f) == 0 || !ok {
		return nil
	}
	typed := map[string]string{}
	sent := &http.Request{PostForm: f}
	for _, pg := range sec.Pages {
		for _, fd := range pg.Fields {
			if _, onPage := f["shown-"+fd.ID]; onPage && fd.Counts() {
				typed[fd.ID] = formAnswer(sent, fd)
			}
		}
	}
	return typed
}

// SSONext is where single sign-on goes back to: the form, taking the kept
// answers there (the provider never sees the path; StartOIDC keeps it).
func (d signInData) SSONext() string { return withRestore(d.Next, d.Resume) }
