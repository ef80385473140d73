package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// The same exploiters across cases (§6.8, §8.8, pathway/entities.go): the
// case's people, places and numbers page (/cases/{id}/entities), with
// where each recurs for the meeting chair and the partnership lead; the
// partnership lead's network view (/network), an SVG with a table of the
// same data; and their API equivalents. The record, remove and disruption
// forms are case actions (addEntityActions).

func addEntityActions(set *actionSet) {
	addAction[pathway.RecordEntity](set, action{
		Slug: "record-entity", Title: "Record a person, place or number linked to the exploitation", Section: "§6.8, §8.8", Group: "Notes and people",
		Intro: "Record each suspected exploiter, associate, nickname, address, phone number, vehicle or online handle on its own. " +
			"People already linked to the child as suspected exploiters count already. The meeting chair and the partnership lead are told when the same detail is on another case.",
		Button: "Save the detail",
		Fields: []field{
			{Name: "kind", Label: "What kind of detail is it?", Kind: kindRadios, Options: meetingOptionsOf(pathway.EntityKinds)},
			{Name: "value", Label: "The detail", Hint: "For example a name, 07700 900123, 14 Mill Lane EA1 4QT, AB12 CDE or @handle", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "role", Label: "How is it linked to the child?", Kind: kindRadios, Options: meetingOptionsOf(pathway.EntityRoles)},
			{Name: "notes", Label: "Notes (optional)", Hint: "Where it came from and how sure you are", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 4},
			{Name: "meetingId", Label: "Shared at a multi-agency meeting? (optional)", Kind: kindSelect, Options: entityMeetingOptions},
		},
	})
	addAction[pathway.RemoveEntity](set, action{
		Slug: "remove-entity", Title: "Remove a person, place or number recorded in error", Section: "§7.5", Group: "Notes and people",
		Intro:  "The detail stops counting towards other cases. Its record and your reason are kept on the case.",
		Button: "Remove the detail",
		Fields: []field{
			{Name: "entityId", Label: "Which detail?", Kind: kindRadios, Options: entityOptions(false)},
			{Name: "reason", Label: "Why is it removed?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 4},
		},
	})
	addAction[pathway.RecordEntityDisruption](set, action{
		Slug: "entity-disruption", Title: "Record a disruption power against a person, place or number", Section: "§6.8 (a–j)", Group: groupMeeting,
		Intro:  "Record the power the meeting decided on to disrupt the exploiters through this person, place or number, and what became of it.",
		Button: "Save the power",
		Fields: []field{
			{Name: "meetingId", Label: "Meeting", Kind: kindSelect, Options: meetingOptions(true)},
			{Name: "entityId", Label: "Against which detail?", Kind: kindRadios, Options: entityOptions(true)},
			{Name: "power", Label: "Which power?", Kind: kindRadios, Options: disruptionPowerOptions},
			{Name: "outcome", Label: "What became of it?", Kind: kindRadios, Options: meetingOptionsOf(pathway.PowerOutcomes)},
			{Name: "reason", Label: "Why?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 4},
		},
	})
}

// entityMeetingOptions: none, or one of the case's meetings.
func entityMeetingOptions(s *Server, v casework.CaseView) []option {
	out := []option{{"", "No, recorded outside a meeting"}}
	ms := v.Case.Meetings.Meetings
	for i := len(ms) - 1; i >= 0; i-- {
		out = append(out, option{ms[i].ID, ms[i].Title()})
	}
	return out
}

// entityOptions lists the case's entities; linked people only when they
// may be chosen (a disruption, not a removal).
func entityOptions(linked bool) func(*Server, casework.CaseView) []option {
	return func(_ *Server, v casework.CaseView) []option {
		var out []option
		for _, e := range v.Case.Entities() {
			if e.LinkedPerson && !linked {
				continue
			}
			out = append(out, option{e.ID, e.KindLabel() + ": " + e.Value})
		}
		return out
	}
}

// entityLine is one entity on the page, with where it recurs when the
// viewer may know.
type entityLine struct {
	pathway.Entity
	Recurs  *casework.EntityRecurrence
	Summary string // where it recurs, in words (entitySummary)
}

type entitiesPage struct {
	Case     caseData
	Nav      []areaLink
	Entities []entityLine
	Removed  []pathway.Entity
	// SeesRecurrence: the viewer chairs a meeting of the case or is the
	// partnership lead on it; otherwise RecurrenceReason says who may.
	SeesRecurrence   bool
	RecurrenceReason string
	Recurring        int // how many entities recur
	Record, Remove   pathway.Availability
	Disrupt          pathway.Availability
}

func (s *Server) entitiesData(r *http.Request, v casework.Viewer) (entitiesPage, error) {
	view, err := s.svc.Case(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return entitiesPage{}, err
	}
	d := s.caseData(view, v)
	if err := s.svc.SeesEntities(view, v); err != nil {
		return entitiesPage{}, err
	}
	p := entitiesPage{Case: d, Nav: caseNav(d, "entities"), Removed: view.Case.RemovedEntities(),
		Record:  view.Action(pathway.CommandName(pathway.RecordEntity{})),
		Remove:  view.Action(pathway.CommandName(pathway.RemoveEntity{})),
		Disrupt: view.Action(pathway.CommandName(pathway.RecordEntityDisruption{}))}
	var rec map[string]casework.EntityRecurrence
	if err := s.svc.SeesRecurrence(view, v); err != nil {
		p.RecurrenceReason = waymark.ErrorMessage(err)
	} else {
		p.SeesRecurrence = true
		if rec, err = s.svc.EntityRecurrence(r.Context(), v, view.Case.ID); err != nil {
			return entitiesPage{}, err
		}
	}
	for _, e := range view.Case.Entities() {
		l := entityLine{Entity: e}
		if r, ok := rec[e.ID]; ok {
			l.Recurs = &r
			l.Summary = entitySummary(&r)
			p.Recurring++
		}
		p.Entities = append(p.Entities, l)
	}
	return p, nil
}

func (s *Server) handleCaseEntities(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	p, err := s.entitiesData(r, v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "case-entities", Page{Title: caseTitle(p.Case.View.Case, "People, places and numbers"), Data: p})
}

// entityJSON is an entity as the API gives it.
type entityJSON struct {
	ID           string                 `json:"id"`
	Kind         string                 `json:"kind"`
	Value        string                 `json:"value"`
	Role         string                 `json:"role"`
	Notes        string                 `json:"notes,omitempty"`
	MeetingID    string                 `json:"meetingId,omitempty"`
	LinkedPerson bool                   `json:"linkedPerson"`
	RecordedAt   time.Time              `json:"recordedAt"`
	RecordedBy   string                 `json:"recordedBy"`
	Disruptions  []entityDisruptionJSON `json:"disruptions"`
	Removed      *entityRemovedJSON     `json:"removed,omitempty"`
	// Recurrence is where the entity recurs, when the viewer may know.
	Recurrence *recurrenceJSON `json:"recurrence,omitempty"`
}

type entityDisruptionJSON struct {
	MeetingID string    `json:"meetingId"`
	Power     string    `json:"power"`
	Outcome   string    `json:"outcome"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
}

type entityRemovedJSON struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Reason string    `json:"reason"`
}

type recurrenceJSON struct {
	OtherCases int           `json:"otherCases"`
	Cases      []caseRefJSON `json:"cases"`
}

type caseRefJSON struct {
	Reference string `json:"reference"`
	Team      string `json:"team"`
	Closed    bool   `json:"closed"`
}

type entitiesJSON struct {
	CaseID   string        `json:"caseId"`
	Version  int           `json:"version"`
	Flags    pathway.Flags `json:"flags"` // every view of a case shows its flags
	Entities []entityJSON  `json:"entities"`
	Removed  []entityJSON  `json:"removed"`
	// RecurrenceShown says whether each entity's recurrence is given; when
	// not, RecurrenceReason says who may see it.
	RecurrenceShown  bool   `json:"recurrenceShown"`
	RecurrenceReason string `json:"recurrenceReason,omitempty"`
}

func caseRefs(cs []store.EntityCase) []caseRefJSON {
	out := []caseRefJSON{}
	for _, c := range cs {
		out = append(out, caseRefJSON{Reference: entityCaseRef(c), Team: c.TeamOrgName, Closed: c.Closed})
	}
	return out
}

// entityCaseRef names another case: its reference, or that it has none yet.
func entityCaseRef(c store.EntityCase) string {
	if c.Reference != "" {
		return c.Reference
	}
	return "a case awaiting its reference"
}

func toEntityJSON(e pathway.Entity) entityJSON {
	j := entityJSON{ID: e.ID, Kind: e.Kind, Value: e.Value, Role: e.Role, Notes: e.Notes, MeetingID: e.MeetingID, LinkedPerson: e.LinkedPerson,
		RecordedAt: e.RecordedAt, RecordedBy: e.RecordedBy.Name, Disruptions: []entityDisruptionJSON{}}
	for _, d := range e.Disruptions {
		j.Disruptions = append(j.Disruptions, entityDisruptionJSON{MeetingID: d.MeetingID, Power: d.Power, Outcome: d.Outcome, Reason: d.Reason, At: d.At})
	}
	if e.Removed != nil {
		j.Removed = &entityRemovedJSON{At: e.Removed.At, By: e.Removed.By.Name, Reason: e.Removed.Reason}
	}
	return j
}

func (s *Server) handleAPICaseEntities(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	p, err := s.entitiesData(r, v)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	out := entitiesJSON{CaseID: p.Case.View.Case.ID, Version: p.Case.View.Case.Version, Flags: p.Case.View.Flags, Entities: []entityJSON{}, Removed: []entityJSON{},
		RecurrenceShown: p.SeesRecurrence, RecurrenceReason: p.RecurrenceReason}
	for _, l := range p.Entities {
		j := toEntityJSON(l.Entity)
		if l.Recurs != nil {
			j.Recurrence = &recurrenceJSON{OtherCases: l.Recurs.Others, Cases: caseRefs(l.Recurs.Cases)}
		}
		out.Entities = append(out.Entities, j)
	}
	for _, e := range p.Removed {
		out.Removed = append(out.Removed, toEntityJSON(e))
	}
	writeJSON(w, http.StatusOK, out)
}

// The network view: recurring entities and their cases, drawn as an SVG
// (two columns joined by lines) and given again as a table.

type networkNode struct {
	X, Y         int // the box's left edge and middle
	RectY, TextX int
	TextY        int
	Label        string
}

func netNode(x, y int, label string) networkNode {
	return networkNode{X: x, Y: y, RectY: y - 12, TextX: x + 6, TextY: y + 5, Label: label}
}

type networkEdge struct{ X1, Y1, X2, Y2 int }

type networkRow struct {
	Kind        string
	Fingerprint string
	Count       int
	Cases       []caseRefJSON
	More        int // cases not named on this page
}

type networkPage struct {
	Rows     []networkRow
	Entities []networkNode
	Cases    []networkNode
	Edges    []networkEdge
	Width    int
	Height   int
	Desc     string
	Next     string
	First    bool // a later page: link back to the first
}

const (
	netRowHeight = 36
	netWidth     = 640
	netLeftX     = 8
	netRightX    = 420
	netPad       = 24
)

func (s *Server) networkData(r *http.Request, v casework.Viewer) (networkPage, error) {
	var at *store.Cursor
	if c := r.URL.Query().Get("cursor"); c != "" {
		cur, err := store.ParseCountCursor("cursor", c)
		if err != nil {
			return networkPage{}, err
		}
		at = &cur
	}
	list, page, err := s.svc.Network(r.Context(), v, at)
	if err != nil {
		return networkPage{}, err
	}
	p := networkPage{Width: netWidth, First: at != nil}
	if page.Next != nil {
		p.Next = page.Next.String()
	}
	caseY := map[string]int{}
	for i, e := range list {
		row := networkRow{Kind: pathway.EntityKindLabel(e.Kind), Fingerprint: e.Fingerprint(), Count: e.Count, Cases: caseRefs(e.Cases), More: e.Count - len(e.Cases)}
		p.Rows = append(p.Rows, row)
		y := netPad + i*netRowHeight
		p.Entities = append(p.Entities, netNode(netLeftX, y, fmt.Sprintf("%s %s (%d cases)", row.Kind, row.Fingerprint, row.Count)))
		for _, c := range e.Cases {
			cy, ok := caseY[c.CaseID]
			if !ok {
				cy = netPad + len(p.Cases)*netRowHeight
				caseY[c.CaseID] = cy
				p.Cases = append(p.Cases, netNode(netRightX, cy, entityCaseRef(c)))
			}
			p.Edges = append(p.Edges, networkEdge{X1: netRightX - 120, Y1: y, X2: netRightX - 4, Y2: cy})
		}
	}
	p.Height = netPad*2 + max(len(p.Entities), len(p.Cases))*netRowHeight
	p.Desc = fmt.Sprintf("%d entities that recur across cases, on the left, each joined by a line to the %d cases it is in, on the right. The table below gives the same.", len(p.Entities), len(p.Cases))
	return p, nil
}

func (s *Server) handleNetwork(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	const title = "Network of recurring people, places and numbers"
	p, err := s.networkData(r, v)
	if waymark.ErrorCode(err) == waymark.EINVALID { // a page link that was cut short or made up
		s.render(w, r, http.StatusBadRequest, "network", Page{Title: title, Errors: linkErrors(err), Data: networkPage{}})
		return
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "network", Page{Title: title, Data: p})
}

type networkJSON struct {
	Entities   []networkEntityJSON `json:"entities"`
	NextCursor string              `json:"nextCursor,omitempty"`
}

type networkEntityJSON struct {
	Kind        string        `json:"kind"`
	Fingerprint string        `json:"fingerprint"`
	Cases       int           `json:"cases"`
	CaseRefs    []caseRefJSON `json:"caseRefs"`
}

func (s *Server) handleAPINetwork(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	var at *store.Cursor
	if c := r.URL.Query().Get("cursor"); c != "" {
		cur, err := store.ParseCountCursor("cursor", c)
		if err != nil {
			s.problemErr(w, r, err)
			return
		}
		at = &cur
	}
	list, page, err := s.svc.Network(r.Context(), v, at)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	out := networkJSON{Entities: []networkEntityJSON{}}
	for _, e := range list {
		out.Entities = append(out.Entities, networkEntityJSON{Kind: e.Kind, Fingerprint: e.Fingerprint(), Cases: e.Count, CaseRefs: caseRefs(e.Cases)})
	}
	if page.Next != nil {
		out.NextCursor = page.Next.String()
	}
	writeJSON(w, http.StatusOK, out)
}

// entitySummary is the one line the page shows of where an entity recurs.
func entitySummary(r *casework.EntityRecurrence) string {
	if r == nil {
		return ""
	}
	var refs []string
	for _, c := range r.Cases {
		refs = append(refs, entityCaseRef(c))
	}
	cases := "cases"
	if r.Others == 1 {
		cases = "case"
	}
	more := ""
	if n := r.Others - len(r.Cases); n > 0 {
		more = fmt.Sprintf(" and %d more", n)
	}
	return fmt.Sprintf("Appears in %d other %s: %s%s. Ask their teams.", r.Others, cases, strings.Join(refs, ", "), more)
}
