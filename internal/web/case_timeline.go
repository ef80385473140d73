package web

import (
	"net/http"
	"sort"
	"time"

	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// happening is when the thing an entry records happened, as far as the
// entry says, and the area of the pathway it belongs to.
type happening struct {
	At       time.Time
	DateOnly bool // the entry gives a day, not a time
	Own      bool // the entry gives its own date; otherwise At is when it was recorded
	Area     string
}

// happened reads an entry's own date: a meeting's held date, a decision's
// date, when the child went missing. An entry without one happened when it
// was recorded.
func happened(c pathway.Case, e pathway.Event) happening {
	at := func(t time.Time, area string) happening {
		if t.IsZero() {
			return happening{At: e.At, Area: area}
		}
		return happening{At: t, Own: true, Area: area}
	}
	day := func(s, area string) happening {
		t, err := time.ParseInLocation("2006-01-02", s, pathway.London)
		if err != nil {
			return happening{At: e.At, Area: area}
		}
		return happening{At: t, DateOnly: true, Own: true, Area: area}
	}
	if t, dateOnly, area, ok := abroadRecordHappened(e); ok { // actions_abroad_records.go
		if t.IsZero() {
			return happening{At: e.At, Area: area}
		}
		return happening{At: t, DateOnly: dateOnly, Own: true, Area: area}
	}
	switch d := e.Data.(type) {
	case pathway.ConcernRaised:
		return at(d.Concern.IdentifiedAt, "concern")
	case pathway.ContactRecorded:
		return at(d.Contact.ReceivedAt, "children-services")
	case pathway.OutcomeRecorded:
		return at(d.Outcome.GivenAt, "children-services")
	case pathway.StrategyDiscussionRecorded:
		return at(d.Discussion.HeldAt, "strategy")
	case pathway.InterviewPlanned, pathway.InterpreterBooked:
		return at(time.Time{}, "strategy")
	case pathway.Section47Started:
		return at(d.StartedAt, "strategy")
	case pathway.Section47Completed:
		return at(d.CompletedAt, "strategy")
	case pathway.MeetingHeld:
		m, _ := c.Meetings.Meeting(d.MeetingID)
		return at(m.ScheduledFor, "meetings") // a meeting is held when it was arranged for
	case pathway.MeetingConvened, pathway.DisruptionPowerConsidered, pathway.MeetingActionAdded, pathway.MeetingActionDone:
		return at(time.Time{}, "meetings")
	case pathway.EntityDisruptionRecorded: // entities.go: a power the meeting decided on against an entity (§6.8)
		return at(time.Time{}, "meetings")
	case pathway.NRMSubmitted:
		return at(d.SubmittedAt, "nrm")
	case pathway.HomeOfficeReferenceRecorded:
		return day(d.ReceivedOn, "nrm")
	case pathway.NRMFurtherInformationSent:
		return day(d.SentOn, "nrm")
	case pathway.NRMContributionGiven, pathway.NRMContributionUsed:
		return at(time.Time{}, "nrm")
	case pathway.NRMDecisionRecorded:
		return day(d.DecidedOn, "decisions")
	case pathway.NRMReconsiderationOutcome:
		return day(d.DecidedOn, "decisions")
	case pathway.NRMReconsiderationRequested, pathway.EscalationRaised, pathway.EscalationMovedUp, pathway.EscalationResolved:
		return at(time.Time{}, "decisions")
	case pathway.PlacementStarted:
		return at(d.Placement.StartedAt, "support")
	case pathway.CarePlanAgreed:
		return day(d.AgreedOn, "support")
	case pathway.SupportRecorded, pathway.SupportUpdated, pathway.WhereaboutsConfidentialityChanged, pathway.WhereaboutsAccessGranted, pathway.WhereaboutsAccessRevoked:
		return at(time.Time{}, "support")
	case pathway.ChildToldOfRights: // the child in the criminal justice system (support_criminal.go)
		return day(d.Told.ToldOn, "support")
	case pathway.ConclusiveGroundsPassedToDefence:
		return day(d.Told.PassedOn, "support")
	case pathway.VictimLiaisonOfficerRecorded, pathway.SuspectedOffenceRecorded, pathway.CrimeReferenceRecorded:
		return at(time.Time{}, "support")
	case pathway.RepatriationRiskAssessed:
		return day(d.AssessedOn, "abroad")
	case pathway.UKVIConcernRecorded:
		return at(d.RaisedAt, "abroad")
	case pathway.UKVIConfirmationRecorded:
		return at(d.ReceivedAt, "abroad")
	case pathway.AbroadDetailsRecorded, pathway.FamilyTracingRecorded:
		return at(time.Time{}, "abroad")
	case pathway.AgeAssessmentCompleted:
		return day(d.CompletedOn, "age")
	case pathway.AgeAssessmentRequested:
		return at(time.Time{}, "age")
	case pathway.MissingStarted:
		return at(d.StartedAt, "missing")
	case pathway.MissingEnded:
		return at(d.EndedAt, "missing")
	case pathway.ReturnInterviewHeld:
		return at(d.Interview.HeldAt, "missing")
	case pathway.CaseClosed, pathway.CaseReopened, pathway.CorrectionRecorded, pathway.ChildDetailsCorrected:
		return at(time.Time{}, "concern")
	}
	return at(time.Time{}, "people") // notes, workers, machine clients
}

// timelineFilter is the timeline page's GET form.
type timelineFilter struct {
	Area, Person string
	Areas        []option
	People       []option
}

type timelinePage struct {
	Case    caseData
	Nav     []areaLink
	Filter  timelineFilter
	Entries []timelineItem
	Total   int
}

// timeline is the case's entries, latest happening first, with when each
// was recorded; the filter keeps those of one area and one person.
func (s *Server) timeline(d caseData, area, person string) timelinePage {
	c := d.View.Case
	p := timelinePage{Case: d, Nav: caseNav(d, "timeline"), Filter: timelineFilter{Area: area, Person: person}}
	p.Filter.Areas = []option{{Value: "", Text: "All areas"}}
	for _, a := range appliedAreas(d) {
		p.Filter.Areas = append(p.Filter.Areas, option{Value: a.Slug, Text: a.Title})
	}
	p.Filter.People = []option{{Value: "", Text: "Everyone"}}
	seen := map[string]bool{}
	titles := map[string]string{}
	for _, a := range workspaceAreas {
		titles[a.Slug] = a.Title
	}
	for _, e := range d.View.Events {
		if key := personKey(e.Actor); !seen[key] {
			seen[key] = true
			p.Filter.People = append(p.Filter.People, option{Value: key, Text: e.Actor.Name + ", " + e.Actor.OrgName})
		}
		h := happened(c, e)
		p.Total++
		if (area != "" && h.Area != area) || (person != "" && personKey(e.Actor) != person) {
			continue
		}
		p.Entries = append(p.Entries, timelineItem{Seq: e.Seq, Corrections: c.Safety.CorrectionsOf(e.Seq), At: e.At, Who: e.Actor.Name, Org: e.Actor.OrgName,
			Summary: e.Summary(), Happened: h.At, HappenedDateOnly: h.DateOnly, OwnDate: h.Own, Area: h.Area, AreaTitle: titles[h.Area]})
	}
	sort.SliceStable(p.Entries, func(i, j int) bool {
		if !p.Entries[i].Happened.Equal(p.Entries[j].Happened) {
			return p.Entries[i].Happened.After(p.Entries[j].Happened)
		}
		return p.Entries[i].Seq > p.Entries[j].Seq
	})
	return p
}

// personKey names who recorded an entry in the filter's answer.
func personKey(p pathway.Party) string {
	if p.UserID != "" {
		return p.UserID
	}
	return p.Name
}

func (s *Server) handleCaseTimeline(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	view, err := s.svc.Case(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	p := s.timeline(s.caseData(view, v), r.URL.Query().Get("area"), r.URL.Query().Get("person"))
	s.render(w, r, http.StatusOK, "case-timeline", Page{Title: caseTitle(view.Case, "Timeline"), Data: p})
}
