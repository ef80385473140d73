package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/store"
)

type signInData struct {
	Email  string
	Next   string
	Resume string // the answers of a form posted after the session ended
	Notice string
	SSO    string // the single sign-on button's text, when it is set up
	Busy   bool   // refused because too many were signing in at once (casework.SignInBusy)
}

// signInAgain shows the sign-in page. The answers of a form that arrives
// after the session of userID ended are kept (answers.go), and the sign-in
// page carries their id so nothing typed is lost.
func (s *Server) signInAgain(w http.ResponseWriter, r *http.Request, userID string) {
	if r.Method == http.MethodGet {
		http.Redirect(w, r, "/sign-in?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	d := signInData{Next: safeNext(r.URL.Path), Notice: "You have been signed out. Sign in again to carry on."}
	if id, page, ok := s.keepAnswers(w, r, userID); ok {
		d.Next, d.Resume = page, id
		d.Notice = fmt.Sprintf("You have been signed out, so your answers have not been saved yet. Sign in again within %s and the form will show them again, ready for you to check and submit.", humanDuration(s.svc.SavedAnswersFor))
	}
	s.render(w, r, http.StatusUnauthorized, "sign-in", Page{Title: "Sign in", Data: s.withSSO(d)})
}

func (s *Server) handleSignInForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, "sign-in", Page{Title: "Sign in", Data: s.withSSO(signInData{Next: safeNext(r.URL.Query().Get("next"))})})
	})
}

// handleSignIn is the first step of signing in: the password. It starts no
// session; the second step (mfa.go) asks for the authenticator's code, or
// sets one up the first time.
func (s *Server) handleSignIn() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := signInData{Email: r.FormValue("email"), Next: safeNext(r.FormValue("next")), Resume: r.FormValue("resume")}
		ch, err := s.svc.BeginSignIn(r.Context(), d.Email, r.FormValue("password"))
		if err != nil {
			code := waymark.ErrorCode(err)
			if code == waymark.EINTERNAL {
				s.failErr(w, r, err)
				return
			}
			setRetryAfter(w, err)
			if casework.SignInBusy(err) {
				// Nothing typed is wrong: no field is marked, the email
				// address stays and the page says what to do (Retry-After
				// says when to the machines).
				d.Busy = true
				s.render(w, r, http.StatusTooManyRequests, "sign-in", Page{Title: "Waymark is busy: sign in again", Data: s.withSSO(d)})
				return
			}
			if code == waymark.EBUSY {
				// The database's write lock was held past the wait (store.ErrBusy):
				// nothing typed is wrong, so no field is marked and the email
				// address stays.
				d.Notice = waymark.ErrorMessage(err)
				s.render(w, r, http.StatusServiceUnavailable, "sign-in", Page{Title: "Waymark is busy: sign in again", Data: s.withSSO(d)})
				return
			}
			s.render(w, r, statusFor(waymark.ErrorCode(err)), "sign-in", Page{Title: "Sign in", Errors: signInProblems(err), Data: s.withSSO(d)})
			return
		}
		s.secondStep(w, r, ch, d.Next, d.Resume)
	})
}

// signInProblems are the error summary's lines for a sign-in refused with
// err: its own fields, or one line on the email address (a wrong password
// is not said apart from an unknown address). A clash with another write
// at the same moment (store's clashMessage) is no fault of what was typed,
// so its line marks no field and links nowhere.
func signInProblems(err error) []waymark.FieldError {
	if fields := waymark.ErrorFields(err); len(fields) > 0 {
		return fields
	}
	if waymark.ErrorCode(err) == waymark.ECONFLICT {
		return []waymark.FieldError{{Message: waymark.ErrorMessage(err)}}
	}
	return []waymark.FieldError{{Field: "email", Message: waymark.ErrorMessage(err)}}
}

func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	token, _ := r.Context().Value(keyToken).(string)
	err := s.svc.SignOut(r.Context(), v, token)
	if err != nil && waymark.ErrorCode(err) != waymark.EBUSY {
		s.failErr(w, r, err)
		return
	}
	s.signOutBrowser(w, r, err)
}

// signOutBrowser clears the session cookie and goes to the sign-in page.
// busy is the database's refusal to end the session (waymark.EBUSY), or
// nil: the browser is signed out all the same (on a shared computer the
// person walks away believing so), and the session, in no browser now,
// ends at its idle time-out.
func (s *Server) signOutBrowser(w http.ResponseWriter, r *http.Request, busy error) {
	if busy != nil {
		s.log.Warn("signing out: the database was too busy to end the session, so only the browser's cookie was cleared", "err", busy, "request_id", requestID(r.Context()))
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
}

type listData struct {
	Heading  string
	Query    string
	Cases    []store.CaseSummary
	Searched bool
	// RaisedFirst: the search lists the cases newest raised first (a word
	// of it can only be a name), not by last activity (store.SearchByName).
	RaisedFirst bool
	Now         any
	Inbox       bool
	Pages       pagination
}

// pagination is the GOV.UK pagination under a page of a list: links to the
// pages either side, each carrying its cursor (no JavaScript needed).
type pagination struct {
	Next, Previous string // hrefs, "" when there is no such page
	First          string // after a bad page link: where the list starts
}

// paging is how a list carries its cursors (store.Cursor, one kind for
// every list): the query parameters of the pages after and before a cursor
// and the API response's names for the cursors either side. The case
// lists, escalations and alerts take both ways in "cursor" (the cursor says
// its way); the inbox and my work in "after" and "before", as their API
// documents.
type paging struct {
	after, before string
	next, prev    string
}

var (
	casePaging  = paging{after: "cursor", before: "cursor", next: "nextCursor", prev: "prevCursor"}
	queuePaging = paging{after: "after", before: "before", next: "next", prev: "previous"}
)

// cursor reads the cursor of the page asked for: nil for the first page,
// EINVALID naming the parameter when it is not a cursor Waymark gave there.
func (p paging) cursor(q url.Values) (*store.Cursor, error) {
	for _, name := range []string{p.before, p.after} {
		if !q.Has(name) {
			continue
		}
		c, err := store.ParseCursor(name, q.Get(name))
		if err != nil {
			return nil, err
		}
		return &c, nil
	}
	return nil, nil
}

// links are the links to the pages either side of a page of the list at
// path, keeping the list's other parameters (a search's words).
func (p paging) links(path string, q url.Values, page store.Page) pagination {
	link := func(name string, c *store.Cursor) string {
		if c == nil {
			return ""
		}
		keep := url.Values{}
		for k, vs := range q {
			if k != p.after && k != p.before {
				keep[k] = vs
			}
		}
		keep.Set(name, c.String())
		return path + "?" + keep.Encode()
	}
	return pagination{Next: link(p.after, page.Next), Previous: link(p.before, page.Prev)}
}

// withCursors adds a page's cursors to an API response, under the names
// the list's API documents.
func (p paging) withCursors(body map[string]any, page store.Page) map[string]any {
	if page.Next != nil {
		body[p.next] = page.Next.String()
	}
	if page.Prev != nil {
		body[p.prev] = page.Prev.String()
	}
	return body
}

// readPage reads the page of a list the request asks for: the cursor the
// list carries (p), then that page of list. A cursor that is not one
// Waymark gave is EINVALID, naming its parameter, before list is asked.
func readPage[T any](r *http.Request, v casework.Viewer, p paging, list func(context.Context, casework.Viewer, *store.Cursor) ([]T, store.Page, error)) ([]T, store.Page, error) {
	at, err := p.cursor(r.URL.Query())
	if err != nil {
		return nil, store.Page{}, err
	}
	return list(r.Context(), v, at)
}

// linkErrors are a bad page link's errors for the error summary: plain
// text, as there is no field on the page to go to.
func linkErrors(err error) []waymark.FieldError {
	fs := slices.Clone(waymark.ErrorFields(err))
	for i := range fs {
		fs[i].Field = ""
	}
	return fs
}

func (s *Server) handleInbox(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	const title = "Children's Services inbox"
	cases, page, err := readPage(r, v, queuePaging, s.svc.InboxPage)
	if waymark.ErrorCode(err) == waymark.EINVALID { // a page link that was cut short or made up
		s.render(w, r, http.StatusBadRequest, "cases", Page{Title: title, Errors: linkErrors(err),
			Data: listData{Heading: title, Now: s.now(), Inbox: true, Pages: pagination{First: "/inbox"}}})
		return
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "cases", Page{Title: title, Data: listData{Heading: title, Cases: cases, Now: s.now(), Inbox: true, Pages: queuePaging.links("/inbox", r.URL.Query(), page)}})
}

func (s *Server) handleCases(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if s.administratorSeesNoCases(w, r, v) {
		return
	}
	d := listData{Heading: "Your cases", Now: s.now()}
	query := r.URL.Query()
	searched := query.Has("q")
	if searched {
		d.Query, d.Searched, d.RaisedFirst = query.Get("q"), true, store.SearchByName(query.Get("q"))
	}
	at, err := casePaging.cursor(query)
	if err != nil {
		s.render(w, r, http.StatusUnprocessableEntity, "cases", Page{Title: d.Heading, Errors: linkErrors(err), Data: d})
		return
	}
	var page store.Page
	if searched {
		d.Cases, page, err = s.svc.SearchPage(r.Context(), v, d.Query, at)
		if waymark.ErrorCode(err) == waymark.EINVALID {
			s.render(w, r, http.StatusUnprocessableEntity, "cases", Page{Title: d.Heading, Errors: waymark.ErrorFields(err), Data: d})
			return
		}
	} else {
		d.Cases, page, err = s.svc.MyCasesPage(r.Context(), v, at)
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	d.Pages = casePaging.links("/cases", query, page)
	s.render(w, r, http.StatusOK, "cases", Page{Title: d.Heading, Data: d})
}

func (s *Server) handleStatic(name, title string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, name, Page{Title: title})
	}
}
