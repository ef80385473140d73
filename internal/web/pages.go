package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
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

// signInAgain shows the sign-in page. A POST that arrives after the session
// ended carries its answers through sign-in so nothing typed is lost.
func (s *Server) signInAgain(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		http.Redirect(w, r, "/sign-in?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	d := signInData{Next: safeNext(r.URL.Path), Notice: "You have been signed out. Sign in again and your answers will be saved."}
	if err := r.ParseForm(); err == nil && strings.HasPrefix(r.URL.Path, "/concerns/") {
		f := r.PostForm
		f.Del("csrf_token")
		d.Resume = f.Encode()
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
			if code := waymark.ErrorCode(err); code == waymark.EINTERNAL {
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
			fields := waymark.ErrorFields(err)
			if len(fields) == 0 {
				fields = []waymark.FieldError{{Field: "email", Message: waymark.ErrorMessage(err)}}
			}
			s.render(w, r, statusFor(waymark.ErrorCode(err)), "sign-in", Page{Title: "Sign in", Errors: fields, Data: s.withSSO(d)})
			return
		}
		s.secondStep(w, r, ch, d.Next, d.Resume)
	})
}

func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	token, _ := r.Context().Value(keyToken).(string)
	if err := s.svc.SignOut(r.Context(), v, token); err != nil {
		s.failErr(w, r, err)
		return
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
}

type homeData struct {
	CanRaise   bool
	WorksInbox bool
	Drafts     []draftSummary
	Cases      []store.CaseSummary
	Inbox      []store.CaseSummary
	Now        any
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	d := homeData{CanRaise: v.CanRaiseConcern(), WorksInbox: v.WorksInbox(), Now: s.now()}
	if d.CanRaise {
		drafts, err := s.svc.OpenDrafts(r.Context(), v)
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		d.Drafts = summariseDrafts(drafts)
	}
	if d.WorksInbox {
		inbox, err := s.svc.Inbox(r.Context(), v)
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		d.Inbox = inbox
	} else if v.User.Role != pathway.RoleAdministrator {
		cases, err := s.svc.MyCases(r.Context(), v)
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		d.Cases = cases
	}
	s.render(w, r, http.StatusOK, "home", Page{Title: "Home", Data: d})
}

type listData struct {
	Heading  string
	Query    string
	Cases    []store.CaseSummary
	Searched bool
	Now      any
	Inbox    bool
	NextURL  string // the next page of the list, if any
	PrevURL  string // the page before, if any
	Pages    pagination
}

// pagination is the GOV.UK pagination under a queue's page: links to the
// pages either side, each carrying its cursor (no JavaScript needed).
type pagination struct {
	Next, Previous string // hrefs, "" when there is no such page
	First          string // after a bad page link: where the list starts
}

func pagesOf(path string, l store.PageLinks) pagination {
	var p pagination
	if l.Next != "" {
		p.Next = path + "?" + url.Values{"after": {l.Next}}.Encode()
	}
	if l.Previous != "" {
		p.Previous = path + "?" + url.Values{"before": {l.Previous}}.Encode()
	}
	return p
}

// pageRequest reads a queue page's cursor from the query (after= or before=).
func pageRequest(r *http.Request) store.PageRequest {
	q := r.URL.Query()
	return store.PageRequest{After: q.Get("after"), Before: q.Get("before")}
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
	cases, links, err := s.svc.InboxPage(r.Context(), v, pageRequest(r))
	if waymark.ErrorCode(err) == waymark.EINVALID { // a page link that was cut short or made up
		s.render(w, r, http.StatusBadRequest, "cases", Page{Title: title, Errors: linkErrors(err),
			Data: listData{Heading: title, Now: s.now(), Inbox: true, Pages: pagination{First: "/inbox"}}})
		return
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "cases", Page{Title: title, Data: listData{Heading: title, Cases: cases, Now: s.now(), Inbox: true, Pages: pagesOf("/inbox", links)}})
}

func (s *Server) handleCases(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	d := listData{Heading: "Your cases", Now: s.now()}
	query := r.URL.Query()
	searched := query.Has("q")
	if searched {
		d.Query, d.Searched = query.Get("q"), true
	}
	at, err := cursorParam(query)
	if err != nil {
		// No field on the page holds the cursor: the message stands alone.
		errs := waymark.ErrorFields(err)
		for i := range errs {
			errs[i].Field = ""
		}
		s.render(w, r, http.StatusUnprocessableEntity, "cases", Page{Title: d.Heading, Errors: errs, Data: d})
		return
	}
	var p store.Page
	if searched {
		p, err = s.svc.SearchPage(r.Context(), v, d.Query, at)
		if waymark.ErrorCode(err) == waymark.EINVALID {
			s.render(w, r, http.StatusUnprocessableEntity, "cases", Page{Title: d.Heading, Errors: waymark.ErrorFields(err), Data: d})
			return
		}
	} else {
		p, err = s.svc.MyCasesPage(r.Context(), v, at)
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	d.Cases = p.Cases
	d.NextURL, d.PrevURL = pageURL("/cases", query, p.Next), pageURL("/cases", query, p.Prev)
	s.render(w, r, http.StatusOK, "cases", Page{Title: d.Heading, Data: d})
}

// cursorParam reads the "cursor" parameter of a paged list: nil for the
// first page, EINVALID when it is not a cursor Waymark made.
func cursorParam(q url.Values) (*store.Cursor, error) {
	if !q.Has("cursor") {
		return nil, nil
	}
	c, err := store.ParseCursor(q.Get("cursor"))
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// pageURL is the link to the page of a list at c, keeping the list's other
// parameters (a search's words); "" when there is no such page.
func pageURL(path string, q url.Values, c *store.Cursor) string {
	if c == nil {
		return ""
	}
	keep := url.Values{}
	for k, vs := range q {
		if k != "cursor" {
			keep[k] = vs
		}
	}
	keep.Set("cursor", c.String())
	return path + "?" + keep.Encode()
}

func (s *Server) handleStatic(name, title string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, name, Page{Title: title})
	}
}
