package web

import (
	"net/http"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

type workData struct {
	Overdue, DueSoon, Later, Windows []store.WorkItem
	// Waits are the waits before a decision may be made, running or open
	// (pathway.Clock.Waits): never overdue.
	Waits   []store.WorkItem
	Now     time.Time
	Pages   pagination
	Invalid bool // the page link was not one Waymark gave
}

func splitWork(items []store.WorkItem, now time.Time) workData {
	d := workData{Now: now}
	for _, w := range items {
		switch st := w.Status(now); {
		case w.Waits(): // running or open: a wait is never overdue
			d.Waits = append(d.Waits, w)
		case w.Window:
			if st == pathway.ClockRunning {
				d.Windows = append(d.Windows, w)
			}
		case w.DueAt.Before(now):
			d.Overdue = append(d.Overdue, w)
		case w.DueAt.Sub(now) < 24*time.Hour:
			d.DueSoon = append(d.DueSoon, w)
		default:
			d.Later = append(d.Later, w)
		}
	}
	return d
}

func (s *Server) handleMyWork(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if s.administratorSeesNoCases(w, r, v) {
		return
	}
	items, page, err := readPage(r, v, queuePaging, s.svc.MyWorkPage)
	if waymark.ErrorCode(err) == waymark.EINVALID { // a page link that was cut short or made up
		s.render(w, r, http.StatusBadRequest, "my-work", Page{Title: "My work", Errors: linkErrors(err),
			Data: workData{Now: s.now(), Invalid: true, Pages: pagination{First: "/my-work"}}})
		return
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	d := splitWork(items, s.now())
	d.Pages = queuePaging.links("/my-work", r.URL.Query(), page)
	s.render(w, r, http.StatusOK, "my-work", Page{Title: "My work", Data: d})
}

type apiWorkItem struct {
	CaseID    string    `json:"caseId"`
	Reference string    `json:"reference,omitempty"`
	ChildName string    `json:"childName"`
	Missing   bool      `json:"missing"`
	Clock     string    `json:"clock"`
	Owner     string    `json:"owner,omitempty"`
	DueAt     time.Time `json:"dueAt"`
	Overdue   bool      `json:"overdue"`
	Window    bool      `json:"window"`
	// The case's flags (§1.2, §7.4, §8.5).
	FamilySuspected bool `json:"familySuspected"`
	AgeUncertain    bool `json:"ageUncertain"`
	ImmediateRisk   bool `json:"immediateRisk"`
	// Status is the clock's status as the case shows it: running, overdue,
	// or for a window open (a wait that has run its length) or ended.
	Status pathway.ClockStatus `json:"status"`
}

func (s *Server) handleAPIMyWork(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	items, page, err := readPage(r, v, queuePaging, s.svc.MyWorkPage)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	now := s.now()
	out := make([]apiWorkItem, 0, len(items))
	for _, it := range items {
		out = append(out, apiWorkItem{CaseID: it.CaseID, Reference: it.Reference, ChildName: it.ChildName, Missing: it.Missing, Clock: it.Label,
			Owner: it.OwnerName, DueAt: it.DueAt, Overdue: it.Status(now) == pathway.ClockOverdue, Window: it.Window, Status: it.Status(now),
			FamilySuspected: it.FamilySuspected, AgeUncertain: it.AgeUncertain, ImmediateRisk: it.ImmediateRisk})
	}
	writeJSON(w, http.StatusOK, queuePaging.withCursors(map[string]any{"work": out}, page))
}
