package pathway

import (
	"slices"
	"testing"
	"time"
)

// Issue 14, §4.8, §7.1, §7.4: the child as the matching engine compares
// them carries the names, dates, ages and places a child raised again under
// another name may still share with an earlier record.
func TestTheMatchPersonCarriesWhatAChildRaisedAgainMayShare(t *testing.T) {
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	c := Case{ID: "case-1", RaisedAt: at, Concern: Concern{
		IdentifiedAt: at, IdentifiedWhere: "Southtown bus station",
		Child: Child{GivenNames: " Lan ", FamilyName: "Nguyễn", Aliases: []string{"Linh", " "}, EstimatedAge: 15, AgeUncertain: true,
			Gender: "female", Nationality: "Vietnamese", Languages: []string{"Vietnamese"}, CurrentLocation: "Foster placement, Northtown"},
	}}
	c.Safety.Missing = []MissingEpisode{{WhereFound: "Southtown bus station"}, {WhereFound: "Nail bar, Easton"}}
	p := MatchPerson(c)
	if p.ID != "case-1" || p.Given != "Lan" || p.Family != "Nguyễn" || !slices.Equal(p.Aliases, []string{"Linh"}) {
		t.Errorf("names: %+v", p)
	}
	// §7.4: an uncertain estimated age is a range on the day identified.
	if p.DateOfBirth != "" || p.AgeFrom != 13 || p.AgeTo != 17 || !p.AgeOn.Equal(at) {
		t.Errorf("age: dob %q, %d–%d on %v", p.DateOfBirth, p.AgeFrom, p.AgeTo, p.AgeOn)
	}
	if want := []string{"Southtown bus station", "Foster placement, Northtown", "Nail bar, Easton"}; !slices.Equal(p.Places, want) {
		t.Errorf("places %q, want %q (each once)", p.Places, want)
	}
	// A date of birth recorded as uncertain may be false (§4.8): the age
	// it gives is kept as a range too.
	c.Concern.Child.EstimatedAge, c.Concern.Child.DateOfBirth = 0, "2012-06-01"
	if p := MatchPerson(c); p.DateOfBirth != "2012-06-01" || p.AgeFrom != 11 || p.AgeTo != 15 {
		t.Errorf("uncertain date of birth: %q, %d–%d", p.DateOfBirth, p.AgeFrom, p.AgeTo)
	}
	// A completed age assessment gives the age when no date is known.
	c.Concern.Child.DateOfBirth = ""
	c.Support.AgeAssessments = []AgeAssessment{{Completed: true, AssessedAge: 17, AssessedDateOfBirth: "2009-01-01"}}
	if p := MatchPerson(c); p.DateOfBirth != "2009-01-01" || p.AgeFrom != 15 || p.AgeTo != 19 {
		t.Errorf("assessed: %q, %d–%d", p.DateOfBirth, p.AgeFrom, p.AgeTo)
	}
}
