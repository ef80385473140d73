package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/stats"
	"waymark/internal/store"
	"waymark/internal/web/templates"
)

// Page is what every page template receives.
type Page struct {
	Title   string
	User    *PageUser
	Nav     []NavItem
	CSRF    string
	Errors  []waymark.FieldError
	Flash   string
	Overdue int // deadlines the viewer or their team own that have passed
	Data    any

	Restored string        // the notice of answers kept across signing in again (answers.go)
	Timer    *sessionTimer // the time-out warning's figures, when signed in (answers.go)
}

// PageUser is the signed-in person as the header shows them.
type PageUser struct {
	Name, OrgName, Role string
}

// NavItem is one link in the service navigation.
type NavItem struct {
	Href, Text string
	Current    bool
}

// parsedPages parses the pages once per process: they come from the
// embedded templates with fixed functions, and a parsed html/template is safe
// to execute from many goroutines, so every Server shares one set rather
// than parsing (and holding) its own.
var parsedPages = sync.OnceValues(parsePagesOnce)

func parsePages() (*template.Template, error) { return parsedPages() }

// parsePagesOnce parses every template file into one set. Each page file
// defines one template named after the file ("page-home" in page-home.tmpl)
// that the layout's two halves surround (render). One set, rather than a
// clone of the partials for each page, holds each partial's parse tree and
// its escaped forms once: with a clone a page, the 69 pages held about 55 MB
// of heap, most of a quiet server's memory.
func parsePagesOnce() (*template.Template, error) {
	funcs := templates.Funcs()
	for k, v := range pageFuncs {
		funcs[k] = v
	}
	files, err := fs.Glob(templates.FS, "*.tmpl")
	if err != nil {
		return nil, err
	}
	set, err := template.New("partials.tmpl").Funcs(funcs).ParseFS(templates.FS, files...)
	if err != nil {
		return nil, fmt.Errorf("web: parsing templates: %w", err)
	}
	entries := []string{"layout-start", "layout-end"} // what render executes
	for _, name := range files {
		if page := strings.TrimSuffix(name, ".tmpl"); strings.HasPrefix(page, "page-") {
			if set.Lookup(page) == nil {
				return nil, fmt.Errorf("web: %s defines no template %q", name, page)
			}
			entries = append(entries, page)
		}
	}
	// html/template escapes a template, and the partials it calls, at its
	// first execution, holding the set's lock. Escaping each entry now
	// turns a page that cannot be escaped into an error at start-up rather
	// than a 500 at its first request, and keeps that first request (up to
	// 8 ms for the case's areas) from holding up every other page's.
	for _, name := range entries {
		if err := escapeOnly(set, name); err != nil {
			return nil, fmt.Errorf("web: escaping %s: %w", name, err)
		}
	}
	return set, nil
}

// escapeOnly executes name with an empty page, for its escaping only: the
// execution itself fails at the first field the empty page lacks, which is
// not an error here, and neither is a panic of a function given nothing.
// Only an escaping error (html/template's *Error) is returned.
func escapeOnly(set *template.Template, name string) (err error) {
	defer func() {
		if recover() != nil {
			err = nil
		}
	}()
	var escErr *template.Error
	if err := set.ExecuteTemplate(io.Discard, name, Page{}); errors.As(err, &escErr) {
		return err
	}
	return nil
}

var pageFuncs = template.FuncMap{
	"meetingArea": meetingArea,
	"london":      func(t time.Time) string { return t.In(pathway.London).Format("2 January 2006 at 3:04pm") },
	"londonDate":  func(t time.Time) string { return t.In(pathway.London).Format("2 January 2006") },
	"londonPtr": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(pathway.London).Format("2 January 2006 at 3:04pm")
	},
	"iso":        func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"stageLabel": func(s pathway.Stage) string { return s.Label() },
	"roleLabel":  pathway.RoleLabel,
	"join":       strings.Join,
	"add":        func(a, b int) int { return a + b },
	"dueTag":     dueTag,
	"panelSeat":  pathway.PanelRoleLabel, // panel.go
	// dayText writes a YYYY-MM-DD date as the rest of the pages do.
	"dayText": func(day string) string {
		t, err := time.Parse("2006-01-02", day)
		if err != nil {
			return day
		}
		return t.Format("2 January 2006")
	},
	"dueTagAt": func(due time.Time, now any) template.HTML { return dueTag(&due, now) },
	"highRisk": func(until *time.Time, now any) bool {
		n, _ := now.(time.Time)
		return until != nil && n.Before(*until)
	},

	"outcomeConsulted": pathway.OutcomeConsultedLabel, // §6.2 (outcome_consulted.go)
	// The statistics page's charts and export links (statistics_exports.go):
	// the SVG is built by stats.Chart.SVG, which escapes every text it draws.
	"statsChart": func(t stats.Table) template.HTML { return template.HTML(stats.ChartOf(t).SVG()) },
	"statsLink":  statisticsLink,
}

// dueTag shows how a deadline stands: red when overdue, orange when close.
func dueTag(due *time.Time, now any) template.HTML {
	n, _ := now.(time.Time)
	if due == nil || n.IsZero() {
		return ""
	}
	left := due.Sub(n)
	text, colour := "Due in "+humanDuration(left), "blue"
	switch {
	case left < 0:
		text, colour = "Overdue by "+humanDuration(-left), "red"
	case left < 4*time.Hour:
		colour = "orange"
	}
	return template.HTML(`<strong class="govuk-tag govuk-tag--` + colour + `">` + template.HTMLEscapeString(text) + `</strong>`)
}

// render writes a page with the layout. A template error is an internal error.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p Page) {
	page := s.pages.Lookup("page-" + name)
	if page == nil {
		s.log.Error("no such page template", "page", name, "request_id", requestID(r.Context()))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if v, ok := viewerFrom(r.Context()); ok {
		p.User = &PageUser{Name: v.User.Name, OrgName: v.User.Org.Name, Role: pathway.RoleLabel(v.User.Role)}
		p.CSRF = sessionFrom(r.Context()).CSRFToken
		p.Restored, p.Timer = restoredNotice(r.Context()), s.sessionTimer(r.Context())
		if p.Nav == nil {
			p.Nav = navFor(v, r.URL.Path)
		}
		if status < 400 && r.URL.Path != "/my-work" {
			n, err := s.svc.OverdueCount(r.Context(), v)
			if err != nil {
				s.log.Warn("counting overdue deadlines", "err", err, "request_id", requestID(r.Context()))
			}
			p.Overdue = n
		}
	}
	// Templates call methods with pointer receivers on the page's data (the
	// case's Reference, Flags, …); text/template finds those only on values it
	// can take the address of, which a struct inside an interface is not.
	if d := reflect.ValueOf(p.Data); d.Kind() == reflect.Struct {
		ptr := reflect.New(d.Type())
		ptr.Elem().Set(d)
		p.Data = ptr.Interface()
	}
	var buf bytes.Buffer
	err := s.pages.ExecuteTemplate(&buf, "layout-start", p)
	if err == nil {
		err = page.Execute(&buf, p)
	}
	if err == nil {
		err = s.pages.ExecuteTemplate(&buf, "layout-end", p)
	}
	if err != nil {
		s.log.Error("rendering page", "page", name, "err", err, "request_id", requestID(r.Context()))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func navFor(v casework.Viewer, path string) []NavItem {
	var nav []NavItem
	add := func(href, text string) {
		cur := path == href || (href != "/" && strings.HasPrefix(path, href))
		nav = append(nav, NavItem{Href: href, Text: text, Current: cur})
	}
	add("/", "Home")
	if v.WorksInbox() {
		add("/inbox", "Inbox")
	}
	if v.SeesCases() {
		add("/my-work", "My work")
	}
	if v.SeesCases() {
		add("/cases", "Your cases")
	}
	if v.CanRaiseConcern() {
		add("/concerns/new", "Raise a concern")
	}
	if v.User.Role == pathway.RolePartnershipLead {
		add("/escalations", "Escalations") // §8.6
		add("/network", "Network")         // entities.go: recurring exploiters, places and numbers (§6.8)
	}
	if v.User.Role == pathway.RolePartnershipLead {
		add("/partnership/handovers", "Hand-overs") // handovers.go: between partnerships (§4.3, §7.1)
	}
	if v.SeesAlerts() {
		add("/alerts", "Alerts") // §6.5: break-glass grants
	}
	if v.KeepsInterpreterRegister() {
		add("/admin/interpreters", "Interpreter register") // §6.7, §7.5
	}
	if v.ManagesStaff() {
		add("/admin/staff", "Staff accounts") // staff.go
	}
	if v.ManagesMachineClients() {
		add("/admin/machine-clients", "Machine clients") // clients.go
	}
	if v.User.Role == pathway.RolePartnershipLead || v.User.Role == pathway.RoleAdministrator {
		add("/admin/retention", "Retention review") // privacy.go
	}
	if v.User.Role == pathway.RolePartnershipLead {
		add("/subject-access", "Subject requests") // privacy.go
	}
	if pathway.MaySeeStatistics(v.User.Role) {
		add("/statistics", "Statistics") // statistics.go (issue 15)
	}
	return nav
}

// fail shows an error page with a status; an empty message means an internal
// error, shown with the request reference only.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.failTitled(w, r, status, "", msg)
}

// clashTitle heads the page of a change that another person's save of the
// same record beat (waymark.IsClash); any other conflict is a step what is
// recorded rules out, and its page says only that it cannot be done.
const clashTitle = "Someone else saved first"

// failTitled is fail with the page's heading given ("" for the status's).
func (s *Server) failTitled(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.problem(w, r, status, msg, nil)
		return
	}
	if title == "" {
		title = "Sorry, there is a problem"
		switch status {
		case http.StatusNotFound:
			title = "Page not found"
		case http.StatusForbidden:
			title = "You cannot do that"
		case http.StatusConflict:
			title = "This cannot be done"
		case http.StatusServiceUnavailable:
			title = "Waymark is busy"
		}
	}
	if msg == "" {
		msg = waymark.ErrorMessage(fmt.Errorf("internal"))
	}
	s.render(w, r, status, "error", Page{Title: title, Data: map[string]string{"Heading": title, "Message": msg, "RequestID": requestID(r.Context())}})
}

// refuseAnswers shows, in a GOV.UK error summary, the answers of a form that
// cannot be saved at all (input.go), naming each; nothing was saved.
func (s *Server) refuseAnswers(w http.ResponseWriter, r *http.Request, probs []waymark.FieldError) {
	errs := make([]waymark.FieldError, len(probs))
	for i, p := range probs {
		errs[i] = waymark.FieldError{Message: p.Message} // the fields are on the page before this one
	}
	title := "There is a problem with your answers"
	s.render(w, r, http.StatusUnprocessableEntity, "error", Page{Title: title, Errors: errs, Data: map[string]string{
		"Heading": title, "Message": "Nothing was saved. Go back, remove what is described above from your answers and try again.", "RequestID": requestID(r.Context())}})
}

// failErr shows err: user errors with their message, internal ones logged.
func (s *Server) failErr(w http.ResponseWriter, r *http.Request, err error) {
	code := waymark.ErrorCode(err)
	if code == waymark.EINTERNAL && s.clientGone(w, r, err) {
		return
	}
	if code == waymark.EINTERNAL {
		s.log.Error("internal error", "err", err, "request_id", requestID(r.Context()), "path", r.URL.Path)
		s.fail(w, r, http.StatusInternalServerError, "")
		return
	}
	if code == waymark.EBUSY && r.Method == http.MethodPost && store.Committed(r.Context()) {
		// The handler's change went in before the busy refusal (the page
		// that follows a save): saying nothing was saved, or offering to
		// send it again, would save it twice.
		setRetryAfter(w, err)
		s.failTitled(w, r, http.StatusServiceUnavailable, "", "Your change has been saved, but Waymark was too busy to show the page that follows it. Do not send the change again: wait a moment, then open the page again.")
		return
	}
	if code == waymark.EBUSY && r.Method == http.MethodPost && !strings.HasPrefix(r.URL.Path, "/api/") && !streamsItsBody(r) {
		s.busyAgain(w, r, err)
		return
	}
	setRetryAfter(w, err)
	title := ""
	if waymark.IsClash(err) {
		title = clashTitle
	}
	s.failTitled(w, r, statusFor(code), title, waymark.ErrorMessage(err))
}

func statusFor(code string) int {
	switch code {
	case waymark.EINVALID:
		return http.StatusUnprocessableEntity
	case waymark.ENOTFOUND:
		return http.StatusNotFound
	case waymark.EFORBIDDEN:
		return http.StatusForbidden
	case waymark.ECONFLICT:
		return http.StatusConflict
	case waymark.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case waymark.ETOOMANY:
		return http.StatusTooManyRequests
	case waymark.EBUSY:
		return http.StatusServiceUnavailable
	case codeTooLarge:
		return http.StatusRequestEntityTooLarge
	case codeUnsupportedType:
		return http.StatusUnsupportedMediaType
	}
	return http.StatusInternalServerError
}

// busyField is one posted answer carried on the busy page.
type busyField struct{ Name, Value string }

// busyAgain answers a form the database was too busy to take
// (store.ErrBusy: another write held it for the whole wait). Nothing was
// saved, and nothing is wrong with the answers, so the page carries them,
// each posted field in a hidden input, with a Try again button that posts
// them to the same address: a note typed for ten minutes is not lost to a
// moment's lock, and no script is needed. Passwords, one-time codes and
// other secrets are left out and asked for again (secretAnswer). A request
// one of whose writes had committed never comes here (failErr). An upload, whose file cannot be carried,
// is answered with the plain busy page (failErr).
func (s *Server) busyAgain(w http.ResponseWriter, r *http.Request, err error) {
	setRetryAfter(w, err)
	if r.ParseForm() != nil { // parsed already where a handler read it
		// Too long, or not a form: nothing can be carried, so the
		// plain busy page says to go back.
		s.failTitled(w, r, http.StatusServiceUnavailable, "", waymark.ErrorMessage(err)+" Go back to the form: what you typed may still be there.")
		return
	}
	var fields []busyField
	dropped := false
	for _, name := range slices.Sorted(maps.Keys(r.PostForm)) {
		if secretAnswer(name) {
			dropped = true
			continue
		}
		for _, v := range r.PostForm[name] {
			fields = append(fields, busyField{Name: name, Value: v})
		}
	}
	s.render(w, r, http.StatusServiceUnavailable, "busy", Page{Title: "Waymark is busy", Data: map[string]any{
		"Message": waymark.ErrorMessage(err), "Action": r.URL.RequestURI(), "Fields": fields, "Dropped": dropped,
		"RequestID": requestID(r.Context())}})
}
