package store

import (
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"
	"time"

	"waymark/internal/pathway"
	"waymark/internal/stats"
)

// Whether a case's statistics rows are left alone by an event is decided by
// comparing caseLine before and after it (sameStatistics): a field of the
// row that caseLine left out would never be rewritten when only it changed.
// Each field, changed alone, changes the line.
func TestEveryFieldOfACasesStatisticsRowDecidesWhetherItIsRewritten(t *testing.T) {
	var base stats.CaseRow
	typ := reflect.TypeFor[stats.CaseRow]()
	for i := range typ.NumField() {
		changed := base
		f := reflect.ValueOf(&changed).Elem().Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("changed")
		case reflect.Slice:
			f.Set(reflect.ValueOf([]string{"changed"}))
		default:
			t.Fatalf("stats.CaseRow.%s is a %s: teach this test and caseLine about it", typ.Field(i).Name, f.Kind())
		}
		if caseLine(changed) == caseLine(base) {
			t.Errorf("stats.CaseRow.%s changed alone leaves caseLine as it was", typ.Field(i).Name)
		}
		a, b := projection{statsCase: base}, projection{statsCase: changed}
		if sameStatistics(a, b) {
			t.Errorf("stats.CaseRow.%s changed alone: sameStatistics says the rows are alike", typ.Field(i).Name)
		}
	}
	a := projection{statsEvents: []stats.EventRow{{Kind: "clock", Outcome: "open"}}}
	b := projection{statsEvents: []stats.EventRow{{Kind: "clock", Outcome: "met"}}}
	if sameStatistics(a, b) || sameStatistics(a, projection{}) || !sameStatistics(a, a) {
		t.Error("sameStatistics does not compare the counted happenings")
	}
}

// A case's statistics rows are left alone while the case row says they were
// written by this derivation (statsDerivation), so a change to what
// statsRows (or what it calls: age bands, UK months) gives must come with a
// new statsDerivation, or cases already counted keep their old rows. This
// pins what statsRows gives for a case with everything it counts: change
// the derivation, then the pin.
func TestTheStatisticsDerivationIsPinnedToWhatItCounts(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	stopped, late := at("2026-03-02T10:00:00Z"), at("2026-03-09T10:00:00Z")
	var c pathway.Case
	c.RaisedAt = at("2026-02-28T23:30:00Z")
	c.Concern.Child = pathway.Child{DateOfBirth: "2011-03-01", Gender: "female", Nationality: "Albania"}
	c.Concern.ExploitationTypes = []string{"labour", "criminal", "labour"}
	c.Contact = &pathway.Contact{ReceivedAt: at("2026-03-01T09:00:00Z")}
	c.NRM.Submission = &pathway.NRMSubmission{SubmittedAt: at("2026-03-31T23:15:00Z"), LeadOrgName: "Northfield Police",
		Routing: &pathway.DecisionRouting{Maker: pathway.MakerPanel}}
	c.NRM.ReasonableGrounds = &pathway.GroundsDecision{Outcome: "positive", DecidedOn: "2026-04-20"}
	c.NRM.ConclusiveGrounds = &pathway.GroundsDecision{Outcome: "negative", DecidedOn: "2026-09-01"}
	c.NRM.Reconsiderations = []pathway.Reconsideration{{RequestedAt: at("2026-09-15T12:00:00Z"), Outcome: "upheld"}}
	c.Strategy.Discussions = []pathway.StrategyDiscussion{{HeldAt: at("2026-03-02T09:00:00Z")}}
	c.Meetings.Meetings = []pathway.Meeting{{ScheduledFor: at("2026-03-20T14:00:00Z"), Held: &pathway.MeetingRecord{}}, {ScheduledFor: at("2026-04-20T14:00:00Z")}}
	c.Safety.Missing = []pathway.MissingEpisode{{StartedAt: at("2026-05-01T20:00:00Z"), Interview: &pathway.ReturnInterview{HeldAt: at("2026-05-04T10:00:00Z")}}}
	c.Clocks = []pathway.Clock{
		{Kind: pathway.ClockNotifyChildrensServices, DueAt: at("2026-03-01T23:30:00Z"), StoppedAt: &stopped},
		{Kind: pathway.ClockOutcomeToReferrer, DueAt: at("2026-03-05T23:30:00Z"), StoppedAt: &late},
		{Kind: pathway.ClockOutcomeToReferrer, DueAt: at("2026-12-05T12:00:00Z")},
		{Kind: pathway.ClockNotifyChildrensServices, DueAt: at("2026-06-01T00:00:00Z"), Window: true},
	}
	row, events := statsRows(c, "school")
	lines := []string{caseLine(row)}
	for _, e := range events {
		lines = append(lines, eventLine(e))
	}
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	const pinned = "1f79aaef185823135e9eb8c583d695c9eb6eec49920137e5b8009afe2663b047"
	if got := hex.EncodeToString(sum[:]); statsDerivation+":"+got != "1:"+pinned {
		t.Errorf("statsRows now gives, for derivation %s:\n%s\nsha256 %s: if this is meant, make statsDerivation new and pin the new sum", statsDerivation, strings.Join(lines, "\n"), got)
	}
}
