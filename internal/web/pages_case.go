package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/catalog"
	"waymark/internal/pathway"
)

// clockView is a clock as the case page shows it.
type clockView struct {
	pathway.Clock
	Status  pathway.ClockStatus
	Summary string // "Due in 3 hours", "Overdue by 2 days"
	Colour  string // tag colour
}

func viewClocks(cs []pathway.Clock, now time.Time) []clockView {
	var out []clockView
	for _, c := range cs {
		v := clockView{Clock: c, Status: c.Status(now)}
		if c.Window { // a period to wait out or watch, not a deadline to meet (pathway.Clock.Status)
			open := v.Status == pathway.ClockRunning
			switch {
			case c.Waits() && open:
				v.Summary, v.Colour = "Can be made in "+humanDuration(c.Remaining(now)), "grey"
			case v.Status == pathway.ClockOpen:
				v.Summary, v.Colour = "Can be made now", "green"
			case c.Waits():
				v.Summary, v.Colour = "Ended", "grey"
			case open:
				v.Summary, v.Colour = "Highest risk for "+humanDuration(c.Remaining(now))+" more", "red"
			default:
				v.Summary, v.Colour = "Ended", "grey"
			}
			out = append(out, v)
			continue
		}
		switch v.Status {
		case pathway.ClockRunning:
			v.Summary, v.Colour = "Due in "+humanDuration(c.Remaining(now)), "blue"
			if c.Remaining(now) < 4*time.Hour {
				v.Colour = "orange"
			}
		case pathway.ClockOverdue:
			v.Summary, v.Colour = "Overdue by "+humanDuration(-c.Remaining(now)), "red"
		case pathway.ClockMet:
			v.Summary, v.Colour = "Met", "green"
		case pathway.ClockLate:
			v.Summary, v.Colour = "Met late, by "+humanDuration(c.StoppedAt.Sub(c.DueAt)), "yellow"
		}
		out = append(out, v)
	}
	return out
}

func humanDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "less than a minute"
	case d < time.Hour:
		return plural(int(d.Minutes()), "minute")
	case d < 48*time.Hour:
		h := int(d.Hours())
		m := int(d.Minutes()) % 60
		if m == 0 || h >= 10 {
			return plural(h, "hour")
		}
		return plural(h, "hour") + " " + plural(m, "minute")
	}
	return plural(int(d.Hours()/24), "day")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

type indicatorView struct {
	Group, Label, Section, Evidence string
}

type caseData struct {
	View           casework.CaseView
	Clocks         []clockView
	Child          pathway.Child
	Age            string
	Indicators     []indicatorView
	Types          []string
	Actions        []string
	OutcomeLabel   string
	CanContact     bool
	CanOutcome     bool
	IsTeam         bool
	ContactMethod  string
	CatalogVersion string
	Offered        []actionGroup
	NextStep       *action // the one the procedure expects next from the viewer, if any
	Gender         string
	Notes          []pathway.Note
}

type timelineItem struct {
	Seq              int
	Corrections      []pathway.Correction
	At               time.Time // when it was recorded
	Who              string
	Org              string
	Summary          string
	Happened         time.Time // when it happened: the entry's own date, else At
	HappenedDateOnly bool
	OwnDate          bool
	Area, AreaTitle  string
}

func describeAge(ch pathway.Child, now time.Time) string {
	suffix := ""
	if ch.AgeUncertain {
		suffix = " (age uncertain – treated as a child, §7.4)"
	}
	if ch.DateOfBirth != "" {
		dob, err := time.ParseInLocation("2006-01-02", ch.DateOfBirth, pathway.London)
		if err == nil {
			return fmt.Sprintf("%s, aged %d%s", dob.Format("2 January 2006"), pathway.AgeOn(dob, now.In(pathway.London)), suffix)
		}
	}
	if ch.EstimatedAge > 0 {
		return fmt.Sprintf("Estimated age %d%s", ch.EstimatedAge, suffix)
	}
	return "Not known" + suffix
}

func (s *Server) caseData(view casework.CaseView, v casework.Viewer) caseData {
	now := s.now()
	c := view.Case
	d := caseData{View: view, Clocks: viewClocks(c.Clocks, now), Child: c.Concern.Child, Age: describeAge(c.Concern.Child, now),
		IsTeam: view.Membership.Team(), CatalogVersion: c.Concern.CatalogVersion}
	d.CanContact = view.Action(pathway.CommandName(pathway.RecordContact{})).Allowed
	d.CanOutcome = view.Action(pathway.CommandName(pathway.RecordOutcome{})).Allowed
	d.Indicators = describeIndicators(s.cat, c.Concern.Indicators)
	d.Offered = s.offered(view, v)
	d.NextStep = s.nextStep(view)
	d.Gender = c.Concern.Child.Gender
	for _, g := range pathway.Genders() {
		if g.Value == d.Gender {
			d.Gender = g.Text
		}
	}
	if d.IsTeam {
		d.Notes = c.Notes
	}
	for _, t := range c.Concern.ExploitationTypes {
		if et, ok := s.cat.ExploitationType(t); ok {
			d.Types = append(d.Types, et.Label)
		}
	}
	for _, a := range c.Concern.ImmediateActions {
		if ia, ok := s.cat.ImmediateAction(a); ok {
			d.Actions = append(d.Actions, ia.Label)
		}
	}
	if c.Outcome != nil {
		d.OutcomeLabel = pathway.OutcomeLabel(c.Outcome.Decision)
	}
	if c.Contact != nil {
		for _, m := range pathway.ContactMethods() {
			if m.Value == c.Contact.Method {
				d.ContactMethod = m.Text
			}
		}
	}
	return d
}

func describeIndicators(cat *catalog.Catalog, obs []pathway.ObservedIndicator) []indicatorView {
	groups := map[string]string{}
	for _, g := range cat.IndicatorGroups {
		groups[g.ID] = g.Label
	}
	var out []indicatorView
	for _, o := range obs {
		iv := indicatorView{Label: o.ID, Evidence: o.Evidence}
		if ind, ok := cat.Indicator(o.ID); ok {
			iv.Label, iv.Section, iv.Group = ind.Label, ind.Section, groups[ind.Group]
		}
		out = append(out, iv)
	}
	return out
}

func (s *Server) handleCase(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	view, err := s.svc.Case(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	flash := ""
	switch r.URL.Query().Get("done") {
	case "raised":
		flash = "Your concern has been sent to Children's Services"
	case "contact":
		flash = "Contact recorded – reference " + view.Case.Reference()
	case "outcome":
		flash = "Outcome recorded – the referrer can now see it"
	default:
		if a, ok := s.actions.bySlug[r.URL.Query().Get("done")]; ok {
			flash = "Saved: " + strings.ToLower(a.Title[:1]) + a.Title[1:]
		}
	}
	p := s.overview(view, v)
	p.Links = s.overviewLinks(r, v, view) // case_links.go
	if a, ok := s.actions.bySlug[r.URL.Query().Get("done")]; ok {
		// What was saved is shown in its area: the banner's next link goes there.
		if ar, _ := areaBySlug(areaOf(a)); ar.applies(p.Case) {
			p.Saved = &areaLink{Href: "/cases/" + view.Case.ID + "/" + ar.Slug, Text: ar.Title}
		}
	}
	s.render(w, r, http.StatusOK, "case", Page{Title: caseTitle(view.Case, ""), Flash: flash, Data: p})
}

// flagView is one flag on the case overview: a heading, and the case's
// warning under it (every view of the case shows its warnings first).
type flagView struct {
	Title, Text string
}

// flagTitles are the headings of the case's warnings, by kind.
var flagTitles = map[string]string{
	"missing":                  "Missing now",
	"high-missing-risk":        "Highest missing risk",
	"immediate-risk":           "Immediate risk",
	"family-suspected":         "Family suspected",
	"family-not-known":         "Family involvement not known",
	"age-uncertain":            "Age uncertain",
	"whereabouts-confidential": "Whereabouts confidential",
	"closed":                   "Case closed",
	"interpreter-needed":       "Interpreter needed",   // pathway.Case.TeamWarnings
	"meeting":                  "Multi-agency meeting", // pathway.Case.TeamWarnings
}

// overviewPage is the case overview (/cases/{id}): the child's key facts,
// every flag, the running deadlines and one highlighted next step.
type overviewPage struct {
	Case       caseData
	Nav        []areaLink
	Flags      []flagView
	NotFlagged []string
	Running    []clockView // deadlines and windows still open
	Ended      []clockView
	Next       *action
	NextHref   string
	Saved      *areaLink            // the area of the action just saved
	Immediate  immediateActionsView // §6.4 (immediate_actions.go)
	Links      *linksView           // earlier records and links (case_links.go)
}

func (s *Server) overview(view casework.CaseView, v casework.Viewer) overviewPage {
	d := s.caseData(view, v)
	p := overviewPage{Case: d, Nav: caseNav(d, "")}
	raised := map[string]bool{}
	for _, w := range view.Warnings {
		raised[w.Kind] = true
		title := flagTitles[w.Kind]
		if title == "" {
			title = "Warning"
		}
		p.Flags = append(p.Flags, flagView{Title: title, Text: w.Text})
	}
	if n := view.Flags.OpenEscalations; n > 0 {
		p.Flags = append(p.Flags, flagView{Title: "Escalation open", Text: plural(n, "disagreement") + " about the NRM still open (§8.6)."})
	}
	for _, f := range []struct{ kind, name string }{{"missing", "missing"}, {"immediate-risk", "immediate risk"}, {"family-suspected", "family suspected"}, {"whereabouts-confidential", "whereabouts confidential"}} {
		if !raised[f.kind] && (f.kind != "family-suspected" || !raised["family-not-known"]) {
			p.NotFlagged = append(p.NotFlagged, f.name)
		}
	}
	for _, c := range d.Clocks {
		if c.Running() {
			p.Running = append(p.Running, c)
		} else {
			p.Ended = append(p.Ended, c)
		}
	}
	if p.Next = s.nextStepView(view); p.Next != nil {
		p.NextHref = nextStepHref(view.Case.ID, p.Next)
	}
	p.Immediate = s.immediateActionsOf(view)
	return p
}

type contactForm struct {
	Case    caseData
	Method  string
	Note    string
	Version int
	Methods []map[string]string
}

func optionItems(opts []struct{ Value, Text string }) []map[string]string {
	var out []map[string]string
	for _, o := range opts {
		out = append(out, map[string]string{"Value": o.Value, "Text": o.Text})
	}
	return out
}

func (s *Server) handleContactForm(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	view, err := s.svc.Case(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	f := restoredForm(r) // typed before signing in again (answers.go)
	s.render(w, r, http.StatusOK, "contact", Page{Title: "Record the contact", Data: contactForm{Case: s.caseData(view, v), Method: f.Get("method"), Note: f.Get("note"), Version: view.Case.Version, Methods: optionItems(pathway.ContactMethods())}})
}

func formVersion(r *http.Request) int {
	n, err := strconv.Atoi(r.FormValue("version"))
	if err != nil {
		return -1
	}
	return n
}

func (s *Server) handleContact(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	id := r.PathValue("id")
	_, err := s.svc.RecordContact(r.Context(), v, id, formVersion(r), r.FormValue("method"), r.FormValue("note"))
	s.afterCaseForm(w, r, v, err, "contact", "Record the contact", "method", func(view casework.CaseView) any {
		return contactForm{Case: s.caseData(view, v), Method: r.FormValue("method"), Note: r.FormValue("note"), Version: view.Case.Version, Methods: optionItems(pathway.ContactMethods())}
	})
}

// afterCaseForm finishes a POST of a case form: to the case on success; for
// an answer to fix or a conflict, the same page again with an error summary
// over the case as it is now (fallback names the field a message without
// one is shown against); anything else as an error page.
func (s *Server) afterCaseForm(w http.ResponseWriter, r *http.Request, v casework.Viewer, err error, page, title, fallback string, data func(casework.CaseView) any) {
	id := r.PathValue("id")
	if err == nil {
		http.Redirect(w, r, "/cases/"+id+"?done="+url.QueryEscape(page), http.StatusSeeOther)
		return
	}
	code := waymark.ErrorCode(err)
	if code != waymark.EINVALID && code != waymark.ECONFLICT && code != waymark.EFORBIDDEN {
		s.failErr(w, r, err)
		return
	}
	view, verr := s.svc.Case(r.Context(), v, id)
	if verr != nil {
		s.failErr(w, r, verr)
		return
	}
	fields := waymark.ErrorFields(err)
	if len(fields) == 0 {
		fields = []waymark.FieldError{{Field: fallback, Message: waymark.ErrorMessage(err)}}
	}
	s.render(w, r, statusFor(code), page, Page{Title: title, Errors: fields, Data: data(view)})
}

type outcomeForm struct {
	Case             caseData
	Decision         string
	NextStep         string
	Version          int
	Outcomes         []map[string]string
	consultedAnswers // §6.2 (outcome_consulted.go)
}

func (s *Server) handleOutcomeForm(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	view, err := s.svc.Case(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	f := restoredForm(r) // typed before signing in again (answers.go)
	s.render(w, r, http.StatusOK, "outcome", Page{Title: "Record the outcome", Data: outcomeForm{Case: s.caseData(view, v), Decision: f.Get("decision"), NextStep: f.Get("nextStep"), Version: view.Case.Version, Outcomes: optionItems(pathway.Outcomes()), consultedAnswers: consultedFrom(f)}})
}

func (s *Server) handleOutcome(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	id := r.PathValue("id")
	cmd := pathway.RecordOutcome{Decision: r.FormValue("decision"), NextStep: r.FormValue("nextStep")}
	consultedFrom(r.Form).into(&cmd)
	err := s.svc.RecordOutcomeWith(r.Context(), v, id, formVersion(r), cmd)
	s.afterCaseForm(w, r, v, err, "outcome", "Record the outcome", "decision", func(view casework.CaseView) any {
		return outcomeForm{Case: s.caseData(view, v), Decision: r.FormValue("decision"), NextStep: r.FormValue("nextStep"), Version: view.Case.Version, Outcomes: optionItems(pathway.Outcomes()), consultedAnswers: consultedFrom(r.Form)}
	})
}
