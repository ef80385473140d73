package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// The concern form is a short series of question pages (GOV.UK "one thing
// per page" where it helps), a task list and a check-your-answers page.
// Every page saves the draft when it is submitted, valid or not, so a closed
// tab, an expired session or a crash loses nothing entered (§6.2).
type concernStep struct {
	Slug   string
	Title  string
	Fields []string // the field names whose errors belong to this page
}

var concernSteps = []concernStep{
	{"child", "About the child", []string{"givenNames", "familyName", "aliases", "dateOfBirth", "estimatedAge", "ageUncertain", "gender", "nationality", "languages", "dialect", "currentLocation"}},
	{"encounter", "What happened", []string{"identifiedAt", "identifiedWhere", "summary", "immediateRisk", "policeInformed", "policeReference"}},
	{"exploitation", "Suspected exploitation", []string{"exploitationTypes", "familySuspected"}},
	{"indicators", "Indicators you observed", []string{"indicators"}},
	{"evidence", "What you saw for each indicator", []string{"evidence-"}},
	{"actions", "Immediate actions taken", []string{"immediateActions"}},
	toldStep, // optional: concern_told.go
}

func stepBySlug(slug string) (concernStep, int, bool) {
	for i, st := range concernSteps {
		if st.Slug == slug {
			return st, i, true
		}
	}
	return concernStep{}, 0, false
}

func (st concernStep) owns(field string) bool {
	for _, f := range st.Fields {
		if f == field || (strings.HasSuffix(f, "-") && strings.HasPrefix(field, f)) {
			return true
		}
	}
	return false
}

func stepOf(field string) concernStep {
	for _, st := range concernSteps {
		if st.owns(field) {
			return st
		}
	}
	return concernSteps[0]
}

type draftSummary struct {
	ID        string
	ChildName string
	UpdatedAt time.Time
}

func summariseDrafts(ds []store.Draft) []draftSummary {
	var out []draftSummary
	for _, d := range ds {
		name := "Child not named yet"
		var a casework.DraftAnswers
		if err := jsonUnmarshal(d.Data, &a); err == nil && a.Concern.Child.FullName() != "" {
			name = a.Concern.Child.FullName()
		}
		out = append(out, draftSummary{ID: d.ID, ChildName: name, UpdatedAt: d.UpdatedAt})
	}
	return out
}

func (s *Server) handleConcernStart(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	drafts, err := s.svc.OpenDrafts(r.Context(), v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "concern-start", Page{Title: "Raise a concern about a child", Data: map[string]any{"Drafts": summariseDrafts(drafts), "CanRaise": v.CanRaiseConcern()}})
}

func (s *Server) handleConcernCreate(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	d, err := s.svc.NewDraft(r.Context(), v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, "/concerns/"+d.ID+"/child", http.StatusSeeOther)
}

// stepPage is what a question page template receives.
type stepPage struct {
	DraftID  string
	Version  int
	Step     concernStep
	Answers  casework.DraftAnswers
	Form     map[string]string // the values to show in inputs
	Selected map[string]bool   // checked boxes
	Next     string
	Cat      any
	Groups   []indicatorGroupView
	Chosen   []indicatorView // for the evidence page
	ChosenID []string
	Options  map[string]any
	Return   string // "check" when the page was opened from check-your-answers
	// IndicatorsError is the indicators page's error, shown in the first
	// group, whose first checkbox the error summary links to.
	IndicatorsError string
}

type indicatorGroupView struct {
	ID, Label, Section string
	Items              []map[string]string
	Chosen             int  // how many of the group's indicators are ticked
	Open               bool // shown open: something in it is ticked, or it holds the error
}

func (s *Server) loadDraft(w http.ResponseWriter, r *http.Request, v casework.Viewer) (store.Draft, casework.DraftAnswers, bool) {
	d, a, err := s.svc.Draft(r.Context(), v, r.PathValue("draft"))
	if err != nil {
		s.failErr(w, r, err)
		return d, a, false
	}
	if d.SubmittedCaseID != "" {
		http.Redirect(w, r, "/cases/"+d.SubmittedCaseID, http.StatusSeeOther)
		return d, a, false
	}
	return d, a, true
}

func (s *Server) handleConcernStep(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	st, _, ok := stepBySlug(r.PathValue("step"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, "There is no such page in the concern form.")
		return
	}
	d, a, ok := s.loadDraft(w, r, v)
	if !ok {
		return
	}
	if f := restoredForm(r); len(f) > 0 { // typed before signing in again: shown, not saved (answers.go)
		if a.Raw == nil {
			a.Raw = map[string]string{}
		}
		var ignored waymark.Problems
		applyStep(&a, st.Slug, f, &ignored)
	}
	s.renderStep(w, r, http.StatusOK, d.ID, d.Version, st, a, nil)
}

func (s *Server) renderStep(w http.ResponseWriter, r *http.Request, status int, draftID string, version int, st concernStep, a casework.DraftAnswers, errs []waymark.FieldError) {
	p := stepPage{DraftID: draftID, Version: version, Step: st, Answers: a, Form: formValues(a), Selected: map[string]bool{}}
	if r.FormValue("return") == "check" {
		p.Return = "check"
	}
	c := a.Concern
	for _, t := range c.ExploitationTypes {
		p.Selected["type:"+t] = true
	}
	for _, in := range c.Indicators {
		p.Selected["ind:"+in.ID] = true
	}
	for _, x := range c.ImmediateActions {
		p.Selected["act:"+x] = true
	}
	p.Options = map[string]any{"genders": optionItems(pathway.Genders())}
	s.addReference(p.Options, st.Slug) // reference.go
	switch st.Slug {
	case "exploitation":
		var items []map[string]string
		for _, et := range s.cat.ExploitationTypes {
			items = append(items, map[string]string{"Value": et.ID, "Text": et.Label + " (" + et.Section + ")"})
		}
		p.Options["types"] = items
		sel := map[string]bool{}
		for _, t := range c.ExploitationTypes {
			sel[t] = true
		}
		p.Options["typesSelected"] = sel
	case "indicators":
		sel := map[string]bool{}
		for _, in := range c.Indicators {
			sel[in.ID] = true
		}
		p.Options["indicatorsSelected"] = sel
		for _, g := range s.cat.IndicatorGroups {
			gv := indicatorGroupView{ID: g.ID, Label: g.Label, Section: g.Section}
			for _, ind := range s.cat.IndicatorsInGroup(g.ID) {
				gv.Items = append(gv.Items, map[string]string{"Value": ind.ID, "Text": ind.Label, "Hint": ind.Hint})
				if sel[ind.ID] {
					gv.Chosen++
				}
			}
			gv.Open = gv.Chosen > 0
			p.Groups = append(p.Groups, gv)
		}
		errs = tieIndicatorsError(&p, errs)
	case "evidence":
		p.Chosen = describeIndicators(s.cat, c.Indicators)
		for _, in := range c.Indicators {
			p.ChosenID = append(p.ChosenID, in.ID)
		}
	case "actions":
		var items []map[string]string
		for _, ia := range s.cat.ImmediateActions {
			items = append(items, map[string]string{"Value": ia.ID, "Text": ia.Label + " (" + ia.Section + ")"})
		}
		p.Options["actions"] = items
		sel := map[string]bool{}
		for _, x := range c.ImmediateActions {
			sel[x] = true
		}
		p.Options["actionsSelected"] = sel
	}
	s.render(w, r, status, "concern-"+st.Slug, Page{Title: st.Title, Errors: errs, Data: p})
}

// tieIndicatorsError ties the indicators page's error, which is about the
// choice as a whole, to the first checkbox of the first group, as GOV.UK's
// checkboxes do, and opens that group: the error summary's link then goes to
// a field a person can see and tick, with or without JavaScript.
func tieIndicatorsError(p *stepPage, errs []waymark.FieldError) []waymark.FieldError {
	if len(p.Groups) == 0 || len(p.Groups[0].Items) == 0 {
		return errs
	}
	out := slices.Clone(errs)
	for i, fe := range out {
		if fe.Field == "indicators" {
			out[i].Field = "ind-" + p.Groups[0].Items[0]["Value"]
			p.IndicatorsError = fe.Message
			p.Groups[0].Open = true
		}
	}
	return out
}

// formValues turns the saved answers back into the text of each input.
func formValues(a casework.DraftAnswers) map[string]string {
	c := a.Concern
	ch := c.Child
	f := map[string]string{
		"givenNames": ch.GivenNames, "familyName": ch.FamilyName, "aliases": strings.Join(ch.Aliases, "\n"),
		"gender": ch.Gender, "nationality": ch.Nationality, "languages": strings.Join(ch.Languages, "\n"),
		"dialect": ch.Dialect, "currentLocation": ch.CurrentLocation,
		"identifiedWhere": c.IdentifiedWhere, "summary": c.Summary, "policeReference": c.PoliceReference,
	}
	if ch.AgeUncertain {
		f["ageUncertain"] = "yes"
	}
	if ch.EstimatedAge != 0 {
		f["estimatedAge"] = strconv.Itoa(ch.EstimatedAge)
	}
	if parts := strings.Split(ch.DateOfBirth, "-"); len(parts) == 3 {
		f["dateOfBirth-year"], f["dateOfBirth-month"], f["dateOfBirth-day"] = parts[0], strings.TrimLeft(parts[1], "0"), strings.TrimLeft(parts[2], "0")
	}
	if !c.IdentifiedAt.IsZero() {
		t := c.IdentifiedAt.In(pathway.London)
		f["identifiedAt-day"], f["identifiedAt-month"], f["identifiedAt-year"] = strconv.Itoa(t.Day()), strconv.Itoa(int(t.Month())), fmt.Sprintf("%04d", t.Year()) // 4 digits, as typed
		f["identifiedTime"] = t.Format("15:04")
	}
	if a.Raw["immediateRisk"] != "" {
		f["immediateRisk"] = a.Raw["immediateRisk"]
	}
	if a.Raw["familySuspected"] != "" {
		f["familySuspected"] = a.Raw["familySuspected"]
	}
	if c.PoliceInformed {
		f["policeInformed"] = "yes"
	}
	toldValues(c, f)
	for _, in := range c.Indicators {
		f["evidence-"+in.ID] = in.Evidence
	}
	for k, v := range a.Raw { // what was typed but could not be read wins, so it can be corrected
		f[k] = v
	}
	return f
}

func (s *Server) handleConcernStepSave(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	st, idx, ok := stepBySlug(r.PathValue("step"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, "There is no such page in the concern form.")
		return
	}
	d, a, ok := s.loadDraft(w, r, v)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "The answers could not be read. Go back and try again.")
		return
	}
	// Text the rule refuses is not saved, not even to the draft: the page
	// shows again with what was typed and each field named (input.go).
	if probs := formProblems(r.PostForm); len(probs) > 0 {
		if a.Raw == nil {
			a.Raw = map[string]string{}
		}
		var ignored waymark.Problems
		applyStep(&a, st.Slug, r.PostForm, &ignored)
		s.renderStep(w, r, http.StatusUnprocessableEntity, d.ID, d.Version, st, a, probs)
		return
	}
	next, status, errs, err := s.saveStep(r, v, d, a, st, idx, r.PostForm)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	if len(errs) > 0 {
		_, a2, err := s.svc.Draft(r.Context(), v, d.ID)
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		s.renderStep(w, r, status, d.ID, d.Version+1, st, a2, errs)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// saveStep applies one page's answers to the draft, saves it, and returns
// where to go next or the page's errors.
func (s *Server) saveStep(r *http.Request, v casework.Viewer, d store.Draft, a casework.DraftAnswers, st concernStep, idx int, form url.Values) (string, int, []waymark.FieldError, error) {
	if a.Raw == nil {
		a.Raw = map[string]string{}
	}
	var probs waymark.Problems
	applyStep(&a, st.Slug, form, &probs)
	version, err := strconv.Atoi(form.Get("version"))
	if err != nil {
		version = -1
	}
	if _, err := s.svc.SaveDraft(r.Context(), v, d.ID, version, a); err != nil {
		if errors.Is(err, store.ErrDraftSent) {
			return "", 0, nil, err // sent from another tab: nothing on this page is wrong, and it is not to be filled in again
		}
		if code := waymark.ErrorCode(err); code == waymark.ECONFLICT || code == waymark.EINVALID {
			return "", statusFor(code), []waymark.FieldError{{Field: st.Fields[0], Message: waymark.ErrorMessage(err)}}, nil
		}
		return "", 0, nil, err
	}
	// Check this page's answers against the pathway's rules.
	now := s.now()
	var verr error
	switch st.Slug {
	case "child":
		verr = s.svc.Pathway.ValidateChild(pathway.NormaliseConcern(a.Concern).Child, now)
	case "encounter":
		verr = s.svc.Pathway.ValidateEncounter(pathway.NormaliseConcern(a.Concern), now)
	case "indicators", "evidence", "exploitation", "actions":
		verr = s.svc.Pathway.ValidateScreening(pathway.NormaliseConcern(a.Concern))
	case toldStep.Slug:
		verr = s.svc.Pathway.ValidateConcernFacts(pathway.NormaliseConcern(a.Concern).Facts)
	}
	for _, fe := range waymark.ErrorFields(verr) {
		if st.owns(fe.Field) && !probs.Has(fe.Field) {
			if st.Slug == "indicators" && strings.HasPrefix(fe.Field, "evidence-") {
				continue
			}
			probs = append(probs, fe)
		}
	}
	// The evidence page is the place to explain indicators; the indicators
	// page only needs a choice.
	if st.Slug == "evidence" {
		probs = slices.DeleteFunc(probs, func(fe waymark.FieldError) bool { return fe.Field == "indicators" })
	}
	if len(probs) > 0 {
		return "", http.StatusUnprocessableEntity, probs, nil
	}
	if form.Get("return") == "check" {
		return "/concerns/" + d.ID + "/check", 0, nil, nil
	}
	if idx+1 < len(concernSteps) && concernSteps[idx+1].Slug != toldStep.Slug { // the optional page is reached from the task list
		return "/concerns/" + d.ID + "/" + concernSteps[idx+1].Slug, 0, nil, nil
	}
	return "/concerns/" + d.ID + "/check", 0, nil, nil
}

var timeOfDay = regexp.MustCompile(`^(\d{1,2})[:.](\d{2})\s*(am|pm)?$|^(\d{1,2})\s*(am|pm)$`)

// parseTimeOfDay reads "14:30", "2:30pm", "2.30 pm" or "9am".
func parseTimeOfDay(s string) (int, int, bool) {
	m := timeOfDay.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return 0, 0, false
	}
	hs, ms, ampm := m[1], m[2], m[3]
	if hs == "" {
		hs, ms, ampm = m[4], "0", m[5]
	}
	h, _ := strconv.Atoi(hs)
	mi, _ := strconv.Atoi(ms)
	switch ampm {
	case "am":
		if h < 1 || h > 12 {
			return 0, 0, false
		}
		if h == 12 {
			h = 0
		}
	case "pm":
		if h < 1 || h > 12 {
			return 0, 0, false
		}
		if h != 12 {
			h += 12
		}
	}
	if h > 23 || mi > 59 {
		return 0, 0, false
	}
	return h, mi, true
}

// parseDateParts reads a GOV.UK date input. ok is false with a message when
// the parts are incomplete or not a real date; all empty is (zero, true, "").
func parseDateParts(day, month, year string) (time.Time, bool, string) {
	day, month, year = strings.TrimSpace(day), strings.TrimSpace(month), strings.TrimSpace(year)
	if day == "" && month == "" && year == "" {
		return time.Time{}, true, ""
	}
	var missing []string
	for _, p := range []struct{ v, name string }{{day, "day"}, {month, "month"}, {year, "year"}} {
		if p.v == "" {
			missing = append(missing, p.name)
		}
	}
	if len(missing) > 0 {
		return time.Time{}, false, "must include a " + strings.Join(missing, " and a ")
	}
	d, err1 := strconv.Atoi(day)
	m, err2 := strconv.Atoi(month)
	y, err3 := strconv.Atoi(year)
	if err1 != nil || err2 != nil || err3 != nil || len(year) != 4 || strings.Trim(day+month+year, "0123456789") != "" { // digits only: not "-001" or "+200"
		return time.Time{}, false, "must be a real date, with a 4-digit year"
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, pathway.London)
	if t.Day() != d || int(t.Month()) != m || t.Year() != y {
		return time.Time{}, false, "must be a real date"
	}
	return t, true, ""
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// applyStep copies one page's form values into the answers, keeping the raw
// text of anything that could not be parsed.
func applyStep(a *casework.DraftAnswers, slug string, f url.Values, probs *waymark.Problems) {
	c := &a.Concern
	raw := a.Raw
	keepRaw := func(keys ...string) {
		for _, k := range keys {
			raw[k] = f.Get(k)
		}
	}
	clearRaw := func(keys ...string) {
		for _, k := range keys {
			delete(raw, k)
		}
	}
	switch slug {
	case "child":
		ch := &c.Child
		ch.GivenNames, ch.FamilyName = f.Get("givenNames"), f.Get("familyName")
		ch.Aliases = lines(f.Get("aliases"))
		ch.Gender, ch.Nationality, ch.Dialect = f.Get("gender"), f.Get("nationality"), f.Get("dialect")
		ch.Languages = lines(f.Get("languages"))
		ch.CurrentLocation = f.Get("currentLocation")
		ch.AgeUncertain = f.Get("ageUncertain") == "yes"
		dob, ok, msg := parseDateParts(f.Get("dateOfBirth-day"), f.Get("dateOfBirth-month"), f.Get("dateOfBirth-year"))
		if ok {
			ch.DateOfBirth = ""
			if !dob.IsZero() {
				ch.DateOfBirth = dob.Format("2006-01-02")
			}
			clearRaw("dateOfBirth-day", "dateOfBirth-month", "dateOfBirth-year")
		} else {
			ch.DateOfBirth = ""
			keepRaw("dateOfBirth-day", "dateOfBirth-month", "dateOfBirth-year")
			probs.Add("dateOfBirth", "Date of birth %s", msg)
		}
		ch.EstimatedAge = 0
		clearRaw("estimatedAge")
		if ea := strings.TrimSpace(f.Get("estimatedAge")); ea != "" {
			n, err := strconv.Atoi(ea)
			if err != nil {
				keepRaw("estimatedAge")
				probs.Add("estimatedAge", "Estimated age must be a whole number of years, like 15")
			} else {
				ch.EstimatedAge = n
				if ch.EstimatedAge == 0 {
					probs.Add("estimatedAge", "Estimated age must be 1 or more; for a baby, enter the date of birth if you know it")
				}
			}
		}
		if ch.DateOfBirth != "" && ch.EstimatedAge != 0 {
			probs.Add("estimatedAge", "Give either a date of birth or an estimated age, not both")
		}
	case "encounter":
		c.IdentifiedWhere, c.Summary, c.PoliceReference = f.Get("identifiedWhere"), f.Get("summary"), f.Get("policeReference")
		day, ok, msg := parseDateParts(f.Get("identifiedAt-day"), f.Get("identifiedAt-month"), f.Get("identifiedAt-year"))
		h, m, tok := parseTimeOfDay(f.Get("identifiedTime"))
		switch {
		case !ok:
			keepRaw("identifiedAt-day", "identifiedAt-month", "identifiedAt-year", "identifiedTime")
			c.IdentifiedAt = time.Time{}
			probs.Add("identifiedAt", "The date the child was identified %s", msg)
		case day.IsZero():
			c.IdentifiedAt = time.Time{}
			keepRaw("identifiedTime")
		case !tok:
			keepRaw("identifiedAt-day", "identifiedAt-month", "identifiedAt-year", "identifiedTime")
			c.IdentifiedAt = time.Time{}
			probs.Add("identifiedTime", "Enter the time the child was identified, like 14:30 or 2:30pm")
		default:
			c.IdentifiedAt = time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, pathway.London).UTC()
			clearRaw("identifiedAt-day", "identifiedAt-month", "identifiedAt-year", "identifiedTime")
		}
		switch f.Get("immediateRisk") {
		case "yes":
			c.ImmediateRisk = true
		case "no":
			c.ImmediateRisk = false
		default:
			probs.Add("immediateRisk", "Select whether the child is at immediate risk of harm")
		}
		raw["immediateRisk"] = f.Get("immediateRisk")
		c.PoliceInformed = f.Get("policeInformed") == "yes"
	case "exploitation":
		c.ExploitationTypes = f["exploitationTypes"]
		switch v := f.Get("familySuspected"); v {
		case "yes", "no", "unknown":
			// "I do not know" is kept as its own answer, never as no (§1.2, pathway/family.go).
			c.FamilySuspected, c.FamilySuspicion = v == "yes", v
		default:
			probs.Add("familySuspected", "Select whether you suspect the child's family or carers are involved")
		}
		raw["familySuspected"] = f.Get("familySuspected")
	case "indicators":
		old := map[string]string{}
		for _, in := range c.Indicators {
			old[in.ID] = in.Evidence
		}
		c.Indicators = nil
		for _, id := range f["indicators"] {
			c.Indicators = append(c.Indicators, pathway.ObservedIndicator{ID: id, Evidence: old[id]})
		}
	case "evidence":
		for i := range c.Indicators {
			if f.Has("evidence-" + c.Indicators[i].ID) {
				c.Indicators[i].Evidence = f.Get("evidence-" + c.Indicators[i].ID)
			}
		}
	case "actions":
		c.ImmediateActions = f["immediateActions"]
	case toldStep.Slug:
		applyTold(c, f)
	}
}

type taskView struct {
	Step   concernStep
	Status string // "Completed", "Incomplete", "Not yet started"
	Href   string
}

func (s *Server) concernTasks(draftID string, a casework.DraftAnswers) ([]taskView, bool) {
	c := pathway.NormaliseConcern(a.Concern)
	err := s.svc.Pathway.ValidateConcern(c, s.now())
	bad := map[string]bool{}
	for _, fe := range waymark.ErrorFields(err) {
		bad[stepOf(fe.Field).Slug] = true
	}
	started := map[string]bool{
		"child":        c.Child.FullName() != "" || c.Child.CurrentLocation != "" || c.Child.Gender != "",
		"encounter":    c.Summary != "" || c.IdentifiedWhere != "" || a.Raw["immediateRisk"] != "",
		"exploitation": len(c.ExploitationTypes) > 0 || a.Raw["familySuspected"] != "",
		"indicators":   len(c.Indicators) > 0,
		"evidence":     slices.ContainsFunc(c.Indicators, func(i pathway.ObservedIndicator) bool { return i.Evidence != "" }),
		"actions":      len(c.ImmediateActions) > 0,
		toldStep.Slug:  len(c.Facts) > 0,
	}
	var out []taskView
	all := true
	for _, st := range concernSteps {
		t := taskView{Step: st, Href: "/concerns/" + draftID + "/" + st.Slug}
		switch {
		case !bad[st.Slug] && started[st.Slug]:
			t.Status = "Completed"
		case st.Slug == "actions" && !bad[st.Slug] && started["evidence"]:
			t.Status = "Completed"
		case st.Slug == toldStep.Slug && !bad[st.Slug]:
			t.Status = "Optional"
		case started[st.Slug]:
			t.Status, all = "Incomplete", false
		default:
			t.Status, all = "Not yet started", false
		}
		out = append(out, t)
	}
	return out, all && err == nil
}

func (s *Server) handleConcernTasks(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	d, a, ok := s.loadDraft(w, r, v)
	if !ok {
		return
	}
	tasks, ready := s.concernTasks(d.ID, a)
	s.render(w, r, http.StatusOK, "concern-tasks", Page{Title: "Raise a concern", Data: map[string]any{"DraftID": d.ID, "Tasks": tasks, "Ready": ready, "ChildName": a.Concern.Child.FullName()}})
}

type checkRow struct {
	Key, Value, ChangeHref string
}

// ChangeText is the link text the summary-list partial reads from every row;
// empty gives its default, "Change". Without it the check page fails to render.
func (checkRow) ChangeText() string { return "" }

type checkSection struct {
	Title string
	Rows  []checkRow
}

type linkedError struct {
	Href, Message string
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func (s *Server) checkSections(draftID string, a casework.DraftAnswers) []checkSection {
	c := a.Concern
	ch := c.Child
	href := func(step string) string { return "/concerns/" + draftID + "/" + step + "?return=check" }
	dash := func(v string) string {
		if strings.TrimSpace(v) == "" {
			return "Not given"
		}
		return v
	}
	gender := ch.Gender
	for _, g := range pathway.Genders() {
		if g.Value == ch.Gender {
			gender = g.Text
		}
	}
	identified := "Not given"
	if !c.IdentifiedAt.IsZero() {
		identified = c.IdentifiedAt.In(pathway.London).Format("2 January 2006 at 3:04pm")
	}
	var types, actions []string
	for _, t := range c.ExploitationTypes {
		if et, ok := s.cat.ExploitationType(t); ok {
			types = append(types, et.Label)
		}
	}
	for _, x := range c.ImmediateActions {
		if ia, ok := s.cat.ImmediateAction(x); ok {
			actions = append(actions, ia.Label)
		}
	}
	family := "Not answered"
	switch a.Raw["familySuspected"] {
	case "yes":
		family = "Yes – do not contact the family or use them to interpret"
	case "no":
		family = "No"
	case "unknown":
		family = "Not known"
	}
	risk := "Not answered"
	switch a.Raw["immediateRisk"] {
	case "yes":
		risk = "Yes – police informed: " + yesNo(c.PoliceInformed)
	case "no":
		risk = "No"
	}
	sections := []checkSection{
		{"About the child", []checkRow{
			{"Name", dash(ch.FullName()), href("child")},
			{"Other names", dash(strings.Join(ch.Aliases, ", ")), href("child")},
			{"Age", describeAge(ch, s.now()), href("child")},
			{"Gender", dash(gender), href("child")},
			{"Nationality", dash(ch.Nationality), href("child")},
			{"Languages", dash(strings.Join(ch.Languages, ", ")), href("child")},
			{"Dialect", dash(ch.Dialect), href("child")},
			{"Where the child is now", dash(ch.CurrentLocation), href("child")},
		}},
		{"What happened", []checkRow{
			{"Identified", identified, href("encounter")},
			{"Where", dash(c.IdentifiedWhere), href("encounter")},
			{"What happened", dash(c.Summary), href("encounter")},
			{"Immediate risk", risk, href("encounter")},
		}},
		{"Suspected exploitation", []checkRow{
			{"Exploitation types", dash(strings.Join(types, ", ")), href("exploitation")},
			{"Family or carers suspected", family, href("exploitation")},
		}},
	}
	var ind []checkRow
	for _, iv := range describeIndicators(s.cat, c.Indicators) {
		ind = append(ind, checkRow{iv.Label + " (" + iv.Section + ")", dash(iv.Evidence), href("evidence")})
	}
	if len(ind) == 0 {
		ind = []checkRow{{"Indicators", "None chosen", href("indicators")}}
	}
	sections = append(sections, checkSection{"Indicators and what you saw", ind},
		checkSection{"Immediate actions", []checkRow{{"Actions taken", dash(strings.Join(actions, ", ")), href("actions")}}},
		toldCheckSection(c, href(toldStep.Slug)))
	return sections
}

func (s *Server) handleConcernCheck(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	d, a, ok := s.loadDraft(w, r, v)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "concern-check", Page{Title: "Check your answers before sending", Data: map[string]any{
		"DraftID": d.ID, "Version": d.Version, "Sections": s.checkSections(d.ID, a), "FamilySuspected": a.Concern.FamilySuspected}})
}

func (s *Server) handleConcernSubmit(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	draftID := r.PathValue("draft")
	caseID, err := s.svc.SubmitDraft(r.Context(), v, draftID, formVersion(r))
	if err == nil {
		http.Redirect(w, r, "/cases/"+caseID+"?done=raised", http.StatusSeeOther)
		return
	}
	code := waymark.ErrorCode(err)
	if code != waymark.EINVALID && code != waymark.ECONFLICT {
		s.failErr(w, r, err)
		return
	}
	d, a, ok := s.loadDraft(w, r, v)
	if !ok {
		return
	}
	var linked []linkedError
	for _, fe := range waymark.ErrorFields(err) {
		linked = append(linked, linkedError{Href: "/concerns/" + d.ID + "/" + stepOf(fe.Field).Slug + "?return=check#" + fe.Field, Message: fe.Message})
	}
	if len(linked) == 0 {
		linked = []linkedError{{Href: "/concerns/" + d.ID + "/check", Message: waymark.ErrorMessage(err)}}
	}
	// Errors carries the same messages so the page title says "Error:".
	errs := []waymark.FieldError{{Field: "", Message: fmt.Sprintf("%d answers need attention", len(linked))}}
	s.render(w, r, statusFor(code), "concern-check", Page{Title: "Check your answers before sending", Errors: errs, Data: map[string]any{
		"DraftID": d.ID, "Version": d.Version, "Sections": s.checkSections(d.ID, a), "Linked": linked, "FamilySuspected": a.Concern.FamilySuspected}})
}
