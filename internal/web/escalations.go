package web

import (
	"net/http"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// The partnership lead's list of open escalations about the NRM (§8.6). The
// lead is a member of each case while it is escalated, so need to know holds.

type escalationRow struct {
	ID        string
	ChildName string
	Reference string
	Level     string
	RaisedAt  time.Time
	Age       string // how long the oldest open escalation has waited
	AtLevel   string // how long it has been at its current level
	Open      int
	// The case's flags, which every list of cases carries (§1.2, §7.4, §8.5).
	FamilySuspected, AgeUncertain, ImmediateRisk bool
}

type escalationsData struct {
	Rows  []escalationRow
	Pages pagination
}

func (s *Server) handleEscalations(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	cases, page, err := readPage(r, v, casePaging, s.svc.EscalationsPage)
	if waymark.ErrorCode(err) == waymark.EINVALID { // a page link Waymark did not give
		s.render(w, r, http.StatusUnprocessableEntity, "escalations", Page{Title: "Open escalations", Errors: linkErrors(err), Data: escalationsData{}})
		return
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	now := s.now()
	d := escalationsData{Pages: casePaging.links("/escalations", r.URL.Query(), page)}
	for _, c := range cases {
		e := c.Oldest()
		d.Rows = append(d.Rows, escalationRow{
			ID: c.ID, ChildName: c.ChildName, Reference: c.Reference, Level: pathway.EscalationLevelLabel(e.Level),
			RaisedAt: e.RaisedAt, Age: humanDuration(now.Sub(e.RaisedAt)), AtLevel: humanDuration(now.Sub(e.LevelSince)), Open: len(c.Open),
			FamilySuspected: c.FamilySuspected, AgeUncertain: c.AgeUncertain, ImmediateRisk: c.ImmediateRisk,
		})
	}
	s.render(w, r, http.StatusOK, "escalations", Page{Title: "Open escalations", Data: d})
}
