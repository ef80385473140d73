package web

import (
	"net/http"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

type apiClock struct {
	pathway.Clock
	Status pathway.ClockStatus `json:"status"`
}

type apiEvent struct {
	Seq          int       `json:"seq"`
	Type         string    `json:"type"`
	At           time.Time `json:"at"`
	Actor        string    `json:"actor"`
	Organisation string    `json:"organisation"`
	Summary      string    `json:"summary"`
	Corrects     int       `json:"corrects,omitempty"`
}

type apiCase struct {
	ID         string            `json:"id"`
	Version    int               `json:"version"`
	Stage      pathway.Stage     `json:"stage"`
	StageLabel string            `json:"stageLabel"`
	Reference  string            `json:"reference,omitempty"`
	RaisedAt   time.Time         `json:"raisedAt"`
	Referrer   pathway.Party     `json:"referrer"`
	Concern    pathway.Concern   `json:"concern"`
	Warnings   []pathway.Warning `json:"warnings"`
	Clocks     []apiClock        `json:"clocks"`
	Contact    *pathway.Contact  `json:"contact,omitempty"`
	Outcome    *pathway.Outcome  `json:"outcome,omitempty"`
	Timeline   []apiEvent        `json:"timeline"`
	YourRoles  []string          `json:"yourRoles"`
	Progress   string            `json:"progress"`
	Flags      pathway.Flags     `json:"flags"`
	// The team's work, shown only to those who work the case (§6.5).
	Workers  []pathway.Party        `json:"workers,omitempty"`
	Notes    []pathway.Note         `json:"notes,omitempty"`
	Strategy *pathway.StrategyState `json:"strategy,omitempty"`
	Meetings *pathway.MeetingState  `json:"meetings,omitempty"`
	NRM      *pathway.NRMState      `json:"nrm,omitempty"`
	Support  *pathway.SupportState  `json:"support,omitempty"`
	Safety   *pathway.SafetyState   `json:"safety,omitempty"`
	// Situation is what the team learnt of the child's situation (§8.8).
	Situation *pathway.SituationState `json:"situation,omitempty"`
	// JusticePrompts is what the procedure still expects for the child in
	// the criminal justice system, as the support page lists it (§6.9–6.11, §8.10).
	JusticePrompts []pathway.Prompt `json:"justicePrompts,omitempty"`
	// ImmediateActions is the §6.4 checklist, each item with where it stands (pathway.ImmediateActions).
	ImmediateActions []pathway.ImmediateActionStatus `json:"immediateActions"`
	// Family is the team's answers on whether the family is suspected, with their reasons (§1.2).
	Family *pathway.FamilyState `json:"family,omitempty"`
	// Household is who the child lives with, and what the meeting decided when the child is unrelated to it (§6.8).
	Household *pathway.HouseholdState `json:"household,omitempty"`
	// ICTGReferralPrompt: refer the child to the ICTG service (team only; §6.8, §9.4).
	ICTGReferralPrompt *pathway.ICTGPrompt `json:"ictgReferralPrompt,omitempty"`
}

func caseJSON(v casework.CaseView, now time.Time) apiCase {
	c := v.Case
	out := apiCase{ID: c.ID, Version: c.Version, Stage: c.Stage, StageLabel: c.Stage.Label(), Reference: c.Reference(), RaisedAt: c.RaisedAt,
		Referrer: c.Referrer, Concern: c.Concern, Warnings: v.Warnings, Contact: c.Contact, Outcome: c.Outcome, YourRoles: v.Membership.Roles,
		Clocks: []apiClock{}, Timeline: []apiEvent{}, Progress: c.Progress(), Flags: v.Flags}
	if v.Membership.Team() {
		out.Workers, out.Notes = c.Workers, c.Notes
		out.Strategy, out.Meetings, out.NRM, out.Support, out.Safety = &c.Strategy, &c.Meetings, &c.NRM, &c.Support, &c.Safety
		out.Situation = &c.Situation
		out.JusticePrompts = c.JusticePrompts()
		if len(c.Family.History) > 0 {
			out.Family = &c.Family
		}
		if len(c.Household.Records)+len(c.Household.Considerations) > 0 {
			out.Household = &c.Household
		}
		out.ICTGReferralPrompt = v.ICTG
	} else if len(c.Meetings.Meetings)+len(c.Meetings.Actions)+len(c.Meetings.Escalations) > 0 {
		// An outsider's case holds only the meetings, actions and
		// escalations they take part in (pathway.Case.ForOutsider).
		out.Meetings = &c.Meetings
	}
	if !v.Membership.Team() && (len(c.NRM.Contributions) > 0 || (pathway.SeesNRMDecisions(v.Membership) && c.NRM.Submission != nil)) {
		out.NRM = &c.NRM // an outsider's holds their own contributions (§8.5), and an invitee's the decisions (§8.9)
	}
	if out.Warnings == nil {
		out.Warnings = []pathway.Warning{}
	}
	for _, cl := range c.Clocks {
		out.Clocks = append(out.Clocks, apiClock{Clock: cl, Status: cl.Status(now)})
	}
	for _, e := range v.Events {
		out.Timeline = append(out.Timeline, apiEvent{Seq: e.Seq, Type: e.Type, At: e.At, Actor: e.Actor.Name, Organisation: e.Actor.OrgName, Summary: e.Summary(), Corrects: e.Corrects})
	}
	return out
}

type apiCaseSummary struct {
	ID              string        `json:"id"`
	Reference       string        `json:"reference,omitempty"`
	Stage           pathway.Stage `json:"stage"`
	ChildName       string        `json:"childName"`
	FamilySuspected bool          `json:"familySuspected"`
	AgeUncertain    bool          `json:"ageUncertain"`
	ImmediateRisk   bool          `json:"immediateRisk"`
	RaisedAt        time.Time     `json:"raisedAt"`
	UpdatedAt       time.Time     `json:"updatedAt"`
	// No version: a list does not know how each viewer stands to each case,
	// and a referrer must not be given the team's version (§6.5). Read the
	// case for the version to send back (pathway.History).
	NextClock    string     `json:"nextClock,omitempty"`
	NextClockDue *time.Time `json:"nextClockDue,omitempty"`
}

func summariesJSON(cs []store.CaseSummary) map[string]any {
	out := make([]apiCaseSummary, 0, len(cs))
	for _, c := range cs {
		out = append(out, apiCaseSummary{ID: c.ID, Reference: c.Reference, Stage: c.Stage, ChildName: c.ChildName, FamilySuspected: c.FamilySuspected,
			AgeUncertain: c.AgeUncertain, ImmediateRisk: c.ImmediateRisk, RaisedAt: c.RaisedAt, UpdatedAt: c.UpdatedAt,
			NextClock: c.NextClockLabel, NextClockDue: c.NextClockDue})
	}
	return map[string]any{"cases": out}
}

func (s *Server) handleAPISignIn() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Email        string `json:"email"`
			Password     string `json:"password"`
			TOTP         string `json:"totp"`         // the authenticator app's code
			RecoveryCode string `json:"recoveryCode"` // or one of the recovery codes
		}
		if err := decodeJSON(r, &in); err != nil {
			s.problemErr(w, r, err)
			return
		}
		code := in.TOTP
		if code == "" {
			code = in.RecoveryCode
		}
		token, sess, u, err := s.svc.SignIn(r.Context(), in.Email, in.Password, code)
		if err != nil {
			s.problemErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{
			"token": token, "tokenType": "Bearer", "expiresAt": sess.ExpiresAt,
			"idleTimeoutSeconds": int(s.svc.SessionIdle.Seconds()),
			"user":               map[string]any{"id": u.ID, "name": u.Name, "email": u.Email, "role": u.Role, "organisation": u.Org.Name},
		})
	})
}

func (s *Server) handleAPISignOut(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	token, _ := r.Context().Value(keyToken).(string)
	if err := s.svc.SignOut(r.Context(), v, token); err != nil {
		s.problemErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleAPICatalog(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	writeJSON(w, http.StatusOK, map[string]any{
		"version":           s.cat.Version,
		"indicatorGroups":   s.cat.IndicatorGroups,
		"indicators":        s.cat.Indicators,
		"exploitationTypes": s.cat.ExploitationTypes,
		"immediateActions":  s.cat.ImmediateActions,
		"genders":           pathway.Genders(),
		"contactMethods":    pathway.ContactMethods(),
		"outcomes":          pathway.Outcomes(),
		"reference":         s.referenceJSON(), // reference.go
	})
}

func (s *Server) handleAPICases(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	query := r.URL.Query()
	at, err := casePaging.cursor(query)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	var cases []store.CaseSummary
	var page store.Page
	if query.Has("q") {
		cases, page, err = s.svc.SearchPage(r.Context(), v, query.Get("q"), at)
	} else {
		cases, page, err = s.svc.MyCasesPage(r.Context(), v, at)
	}
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	// The cursors of the pages either side: pass one back as ?cursor= (with
	// the same q) to read that page.
	writeJSON(w, http.StatusOK, casePaging.withCursors(summariesJSON(cases), page))
}

func (s *Server) handleAPIInbox(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	cs, page, err := readPage(r, v, queuePaging, s.svc.InboxPage)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	// "next" to pass as ?after= for the page after, "previous" as ?before=
	// for the page before.
	writeJSON(w, http.StatusOK, queuePaging.withCursors(summariesJSON(cs), page))
}

func (s *Server) handleAPIRaiseConcern(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	var c pathway.Concern
	if err := decodeJSON(r, &c); err != nil {
		s.problemErr(w, r, err)
		return
	}
	id, err := s.svc.RaiseConcern(r.Context(), v, c)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	s.writeCase(w, r, v, id, http.StatusCreated)
}

func (s *Server) writeCase(w http.ResponseWriter, r *http.Request, v casework.Viewer, id string, status int) {
	view, err := s.svc.Case(r.Context(), v, id)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", "/api/v1/cases/"+id)
	}
	out := caseJSON(view, s.now())
	out.ImmediateActions = pathway.ImmediateActions(s.cat, view.Case) // §6.4
	writeJSON(w, status, out)
}

func (s *Server) handleAPICase(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	s.writeCase(w, r, v, r.PathValue("id"), http.StatusOK)
}

func (s *Server) handleAPIContact(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	var in struct {
		ExpectedVersion *int   `json:"expectedVersion"`
		Method          string `json:"method"`
		Note            string `json:"note"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.problemErr(w, r, err)
		return
	}
	if in.ExpectedVersion == nil {
		s.problemErr(w, r, waymark.Invalid([]waymark.FieldError{{Field: "expectedVersion", Message: "Send expectedVersion: the case version you last read, so a concurrent change is not overwritten"}}))
		return
	}
	if _, err := s.svc.RecordContact(r.Context(), v, r.PathValue("id"), *in.ExpectedVersion, in.Method, in.Note); err != nil {
		s.problemErr(w, r, err)
		return
	}
	s.writeCase(w, r, v, r.PathValue("id"), http.StatusOK)
}

func (s *Server) handleAPIOutcome(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	var in struct {
		ExpectedVersion *int   `json:"expectedVersion"`
		Decision        string `json:"decision"`
		NextStep        string `json:"nextStep"`
		// Who the outcome was discussed with (§6.2).
		Consulted            []string `json:"consulted"`
		ConsultedOthersNames string   `json:"consultedOthersNames"`
		NotConsultedReason   string   `json:"notConsultedReason"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.problemErr(w, r, err)
		return
	}
	if in.ExpectedVersion == nil {
		s.problemErr(w, r, waymark.Invalid([]waymark.FieldError{{Field: "expectedVersion", Message: "Send expectedVersion: the case version you last read, so a concurrent change is not overwritten"}}))
		return
	}
	cmd := pathway.RecordOutcome{Decision: in.Decision, NextStep: in.NextStep, Consulted: in.Consulted, ConsultedOthersNames: in.ConsultedOthersNames, NotConsultedReason: in.NotConsultedReason}
	if err := s.svc.RecordOutcomeWith(r.Context(), v, r.PathValue("id"), *in.ExpectedVersion, cmd); err != nil {
		s.problemErr(w, r, err)
		return
	}
	s.writeCase(w, r, v, r.PathValue("id"), http.StatusOK)
}
