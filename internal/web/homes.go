package web

import (
	"context"
	"net/http"
	"time"

	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// Every role's home is a queue of its work: what this person is to do
// next, read from the read models (casework/homes.go), never by opening
// cases. Each part names the list behind it, which pages through the rest.

type homeData struct {
	Home       string // which home: one of the home* constants
	Referrer   bool   // a practitioner: their home is the concerns they raised
	CanRaise   bool
	WorksInbox bool
	Drafts     []draftSummary
	Cases      []store.CaseSummary // the referrer's concerns, or the viewer's cases
	Inbox      []store.CaseSummary
	Work       workData // my work: the social worker's, or the manager's deadlines at risk
	Caseload   []store.WorkerLoad
	Unassigned []store.CaseSummary
	Supervised []store.Supervised
	FR         casework.FirstResponderQueues
	Escalated  []escalationRow
	Overdue    []store.OrganisationOverdue
	Grants     []store.BreakGlassGrant
	OnPanel    bool // sits on the local decision panel: the home links to its referrals (panel.go)
	Now        time.Time
}

// The homes (page-home.tmpl).
const (
	homeCases          = "cases" // the referrer's concerns, or anyone else's cases
	homeAdministrator  = "administrator"
	homeManager        = "manager"
	homeSocialWorker   = "social-worker"
	homeInbox          = "inbox"
	homeFirstResponder = "first-responder"
	homePartnership    = "partnership"
)

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	ctx := r.Context()
	role := v.User.Role
	d := homeData{Home: homeCases, Referrer: role == pathway.RolePractitioner, CanRaise: v.CanRaiseConcern(), WorksInbox: v.WorksInbox(), Now: s.now()}
	if pathway.SeesNoCaseData(role) { // administrators and analysts: no case data at all (docs/security.md)
		d.Home = homeAdministrator
		if role == pathway.RoleAnalyst {
			d.Home = "analyst" // statistics only (statistics.go)
		}
		s.render(w, r, http.StatusOK, "home", Page{Title: "Home", Data: d})
		return
	}
	d.OnPanel = s.svc.SitsOnPanel(ctx, v)
	var err error
	fail := func(e error) bool {
		if e != nil {
			s.failErr(w, r, e)
			return true
		}
		return false
	}
	if d.CanRaise && d.Referrer {
		drafts, err := s.svc.OpenDrafts(ctx, v)
		if fail(err) {
			return
		}
		d.Drafts = summariseDrafts(drafts)
	}
	switch {
	case v.SeesTeamCaseload():
		d.Home = homeManager
		if d.Caseload, err = s.svc.TeamCaseload(ctx, v); fail(err) {
			return
		}
		if d.Unassigned, err = s.svc.UnallocatedCases(ctx, v); fail(err) {
			return
		}
		if d.Supervised, err = s.svc.RecentSupervision(ctx, v); fail(err) {
			return
		}
		if d.Work, err = s.homeWork(r, v, true); fail(err) {
			return
		}
	case role == pathway.RoleSocialWorker:
		d.Home = homeSocialWorker
		if d.Work, err = s.homeWork(r, v, false); fail(err) {
			return
		}
	case d.WorksInbox:
		d.Home = homeInbox
		if d.Inbox, _, err = s.svc.InboxPage(ctx, v, nil); fail(err) {
			return
		}
	case v.LeadsFirstResponse():
		d.Home = homeFirstResponder
		if d.FR, err = s.svc.FirstResponderHome(ctx, v); fail(err) {
			return
		}
	case role == pathway.RolePartnershipLead:
		d.Home = homePartnership
		esc, _, err := s.svc.EscalationsPage(ctx, v, nil)
		if fail(err) {
			return
		}
		for _, c := range esc {
			e := c.Oldest()
			d.Escalated = append(d.Escalated, escalationRow{ID: c.ID, ChildName: c.ChildName, Reference: c.Reference,
				Level: pathway.EscalationLevelLabel(e.Level), RaisedAt: e.RaisedAt, Age: humanDuration(d.Now.Sub(e.RaisedAt)), Open: len(c.Open),
				FamilySuspected: c.FamilySuspected, AgeUncertain: c.AgeUncertain, ImmediateRisk: c.ImmediateRisk})
		}
		if d.Overdue, err = s.svc.OverdueAcrossThePartnership(ctx, v); fail(err) {
			return
		}
		alerts, _, err := s.svc.AlertsPage(ctx, v, nil)
		if fail(err) {
			return
		}
		for _, a := range alerts {
			if a.Kind == "break_glass" {
				d.Grants = append(d.Grants, a.Grant)
			}
		}
	default:
		if d.Cases, _, err = s.svc.MyCasesPage(ctx, v, nil); fail(err) {
			return
		}
	}
	s.render(w, r, http.StatusOK, "home", Page{Title: "Home", Data: d})
}

// homeWork is the first page of the viewer's work: for a manager only the
// deadlines at risk (overdue or due within a day).
func (s *Server) homeWork(r *http.Request, v casework.Viewer, atRisk bool) (workData, error) {
	items, _, err := s.svc.MyWorkPage(r.Context(), v, nil)
	if err != nil {
		return workData{}, err
	}
	d := splitWork(items, s.now())
	if atRisk {
		d.Later = nil
	}
	return d, nil
}

// administratorSeesNoCases answers an administrator who opens a list of
// cases or of work with a page saying why there is none and where their
// own work is, rather than a bare refusal: administrators see no case data
// (docs/security.md), and the page names none.
func (s *Server) administratorSeesNoCases(w http.ResponseWriter, r *http.Request, v casework.Viewer) bool {
	if v.SeesCases() {
		return false
	}
	if v.User.Role == pathway.RoleAnalyst { // statistics only (statistics.go, issue 15)
		s.render(w, r, http.StatusOK, "no-cases", Page{Title: "Analysts do not see cases", Data: map[string]any{"Analyst": true}})
		return true
	}
	s.render(w, r, http.StatusOK, "no-cases", Page{Title: "Administrators do not see cases"})
	return true
}

// assignableOptions are the choices of "Assign a worker" (§6.7): the
// people of the case's Children's Services team not yet assigned, by name,
// each answering with the email address the command names them by.
func assignableOptions(s *Server, v casework.CaseView) []option {
	out := []option{{"", "Choose a person"}}
	people, err := s.svc.AssignablePeople(context.Background(), v)
	if err != nil {
		s.log.Error("listing the people a case can be assigned to", "err", err)
		return out
	}
	assigned := map[string]bool{}
	for _, w := range v.Case.Workers {
		assigned[w.UserID] = true
	}
	for _, p := range people {
		if !assigned[p.UserID] {
			out = append(out, option{p.Email, p.Name + " (" + pathway.RoleLabel(p.Role) + ")"})
		}
	}
	return out
}
