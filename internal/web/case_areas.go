package web

import (
	"net/http"
	"slices"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// A caseArea is one area of the pathway with a page of its own under the
// case (/cases/{id}/{slug}): what the case holds there, and the actions
// offered there. Areas are listed in the order the pathway meets them.
type caseArea struct {
	Slug  string
	Title string // the side navigation's link and the page's heading
	// Area is the pathway's area whose commands the page offers: the
	// pathway decides which area a command belongs to, and whether it is
	// open to the viewer (pathway.Available), never the page.
	Area pathway.Area
	// hasData says whether the case holds anything of the area that the
	// viewer may see; an area with something to see is always shown.
	hasData func(d caseData) bool
}

func always(caseData) bool { return true }

var workspaceAreas = []caseArea{
	{Slug: "concern", Title: "Concern", Area: pathway.AreaConcern, hasData: always},
	{Slug: "children-services", Title: "Children's Services", Area: pathway.AreaChildrensServices, hasData: always},
	{Slug: "strategy", Title: "Strategy and Section 47", Area: pathway.AreaStrategy,
		hasData: func(d caseData) bool {
			s := d.View.Case.Strategy
			return d.IsTeam && (len(s.Discussions) > 0 || len(s.Interviews) > 0 || len(s.Interpreters) > 0)
		}},
	{Slug: "meetings", Title: "Meetings", Area: pathway.AreaMeetings,
		hasData: func(d caseData) bool { return len(d.View.Case.Meetings.Meetings) > 0 }},
	{Slug: "nrm", Title: "NRM referral", Area: pathway.AreaNRM,
		// The team can always prepare the NRM referral's draft from the
		// case, whoever will submit it (§8.7, §8.8): the page links to it.
		// Someone outside the team sees there what they contributed (§8.5).
		hasData: func(d caseData) bool { return d.IsTeam || len(d.View.Case.NRM.Contributions) > 0 }},
	{Slug: "decisions", Title: "Decisions", Area: pathway.AreaDecisions,
		hasData: func(d caseData) bool {
			n := d.View.Case.NRM
			return d.IsTeam && (len(n.Decisions) > 0 || len(n.Reconsiderations) > 0) || len(d.View.Case.Meetings.Escalations) > 0
		}},
	{Slug: "support", Title: "Support and placement", Area: pathway.AreaSupport,
		hasData: func(d caseData) bool {
			s := d.View.Case.Support
			return d.IsTeam && (len(s.Items) > 0 || len(s.Placements) > 0 || len(s.CarePlans) > 0 || placementRecordsHeld(s))
		}},
	{Slug: "abroad", Title: "From abroad", Area: pathway.AreaAbroad,
		hasData: func(d caseData) bool {
			s := d.View.Case.Support
			return d.IsTeam && (s.Abroad != nil || len(s.UKVI) > 0 || len(s.RepatriationRisk) > 0 || len(s.Tracing) > 0 || abroadRecordsHeld(s))
		}},
	{Slug: "age", Title: "Age", Area: pathway.AreaAge,
		hasData: func(d caseData) bool {
			return d.IsTeam && (len(d.View.Case.Support.AgeAssessments) > 0 || len(d.View.Case.Support.AbroadRecords.AgeDecisions) > 0)
		}},
	{Slug: "missing", Title: "Missing", Area: pathway.AreaMissing,
		hasData: func(d caseData) bool { return len(d.View.Case.Safety.Missing) > 0 }},
	{Slug: "people", Title: "People and notes", Area: pathway.AreaPeople,
		hasData: func(d caseData) bool {
			c := d.View.Case
			return d.IsTeam && (len(c.Notes) > 0 || len(c.Strategy.LinkedPeople) > 0 || len(c.Clients.Clients) > 0)
		}},
}

func areaBySlug(slug string) (caseArea, bool) {
	i := slices.IndexFunc(workspaceAreas, func(a caseArea) bool { return a.Slug == slug })
	if i < 0 {
		return caseArea{}, false
	}
	return workspaceAreas[i], true
}

// areaOf is the slug of the page that offers an action: the page of the
// pathway area its command belongs to.
func areaOf(a *action) string {
	for _, ar := range workspaceAreas {
		if ar.Area == a.area {
			return ar.Slug
		}
	}
	return "people" // an area without a page of its own is still offered somewhere
}

// areaLink is one entry of the case's side navigation.
type areaLink struct {
	Href, Text string
	Current    bool
}

// areaActions are the actions offered in one area, in their groups.
func areaActions(groups []actionGroup, slug string) []actionGroup {
	var out []actionGroup
	for _, g := range groups {
		var in []*action
		for _, a := range g.Actions {
			if areaOf(a) == slug {
				in = append(in, a)
			}
		}
		if len(in) > 0 {
			out = append(out, actionGroup{Name: g.Name, Actions: in})
		}
	}
	return out
}

// applies says whether an area has a page on this case for this viewer:
// something to see, or something to do where the area can concern the child.
func (a caseArea) applies(d caseData) bool {
	if a.hasData(d) {
		return true
	}
	if a.Slug == "children-services" || a.Slug == "concern" {
		return true
	}
	return len(areaActions(d.Offered, a.Slug)) > 0
}

// appliedAreas are the areas of the case that have a page for the viewer.
func appliedAreas(d caseData) []caseArea {
	var out []caseArea
	for _, a := range workspaceAreas {
		if a.applies(d) {
			out = append(out, a)
		}
	}
	return out
}

// caseNav is the case's side navigation: the overview, each area that
// applies, and the timeline.
func caseNav(d caseData, current string) []areaLink {
	base := "/cases/" + d.View.Case.ID
	nav := []areaLink{{Href: base, Text: "Overview", Current: current == ""}}
	for _, a := range appliedAreas(d) {
		nav = append(nav, areaLink{Href: base + "/" + a.Slug, Text: a.Title, Current: current == a.Slug})
	}
	if m := d.View.Membership; m.Team() || m.Is(pathway.MemberLinkedCase) { // case_links.go
		nav = append(nav, areaLink{Href: base + "/earlier-records", Text: "Earlier records and links", Current: current == "earlier-records"})
	}
	if d.IsTeam { // entities.go: the team's people, places and numbers (§6.8, §8.8)
		nav = append(nav, areaLink{Href: base + "/entities", Text: "People, places and numbers", Current: current == "entities"})
	}
	return append(nav, areaLink{Href: base + "/timeline", Text: "Timeline", Current: current == "timeline"})
}

// caseTitle is a case page's title: unique even before a reference is issued.
func caseTitle(c pathway.Case, page string) string {
	name := "Case " + c.Reference()
	if c.Reference() == "" {
		id := c.ID
		if len(id) > 8 {
			id = id[:8]
		}
		name = "Case " + id + " (no reference yet), raised " + c.Concern.IdentifiedAt.In(pathway.London).Format("2 January 2006")
	}
	if page == "" {
		return name
	}
	return page + " – " + name
}

type areaPage struct {
	Case    caseData
	Area    caseArea
	Nav     []areaLink
	Actions []actionGroup
	// Recent are the area's latest entries on the timeline, of Entries in all.
	Recent  []timelineItem
	Entries int
	// Documents is the NRM area's Documents section, for the team (documents.go).
	Documents *documentsSection
}

// recentEntries is how many of an area's entries its page shows.
const recentEntries = 3

var noSuchArea = waymark.Errorf(waymark.ENOTFOUND, "Page not found. This case has no such page: go back to the case overview.")

// handleCaseArea is one area's page. The case is read (and the read
// audited) before anything else, so a non-member meets the case page's 404.
func (s *Server) handleCaseArea(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	s.caseArea(w, r, v, r.PathValue("area"), http.StatusOK, nil, documentsSection{})
}

// caseArea renders an area's page, with the problems of a form posted on it
// (documents.go: the NRM area's Documents section).
func (s *Server) caseArea(w http.ResponseWriter, r *http.Request, v casework.Viewer, slug string, status int, probs []waymark.FieldError, docs documentsSection) {
	view, err := s.svc.Case(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	d := s.caseData(view, v)
	area, ok := areaBySlug(slug)
	if !ok || !area.applies(d) {
		s.failErr(w, r, noSuchArea)
		return
	}
	p := areaPage{Case: d, Area: area, Nav: caseNav(d, area.Slug), Actions: areaActions(d.Offered, area.Slug)}
	tl := s.timeline(d, area.Slug, "")
	p.Entries, p.Recent = len(tl.Entries), tl.Entries[:min(recentEntries, len(tl.Entries))]
	if p.Documents, err = s.areaDocuments(r, v, area, view, docs); err != nil {
		s.failErr(w, r, err)
		return
	}
	s.render(w, r, status, "case-area", Page{Title: caseTitle(view.Case, area.Title), Data: p, Errors: probs})
}
