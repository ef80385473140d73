package pathway

import (
	"strings"
	"time"

	"waymark/internal/match"
)

// MatchPerson is the child of a case as a record the matching engine
// compares (issue 14): the details a child raised again under another name
// or date of birth may still share with an earlier record of them (§4.3,
// §4.8, §5.1 "fake documents and/or fake name", §7.1). It is derived from the
// case's state alone, so the keys a case is filed under, and what it is
// compared with, follow every correction of the child's details.
//
//   - names and aliases as recorded (ChildDetailsCorrected replaces them);
//   - the date of birth, or when it is not known the date a completed age
//     assessment gives (§7.4);
//   - an age range on the day the child was identified: the estimated age,
//     or the completed assessment's age, widened by two years either side
//     when the age is recorded as uncertain; and, when the age is uncertain
//     but a date of birth was given, the age that date gives, so widened,
//     for a date of birth that may be false (§4.8);
//   - gender, nationality and languages;
//   - the places the child is known in: where they were identified, where
//     they are now, and where they were found after going missing (§7.1).
//
// A confidential placement's address is not a place here (§7.6): it is
// never in these fields.
func MatchPerson(c Case) match.Person {
	ch := c.Concern.Child
	p := match.Person{
		ID:          c.ID,
		Given:       strings.TrimSpace(ch.GivenNames),
		Family:      strings.TrimSpace(ch.FamilyName),
		DateOfBirth: strings.TrimSpace(ch.DateOfBirth),
		Gender:      strings.TrimSpace(ch.Gender),
		Nationality: strings.TrimSpace(ch.Nationality),
	}
	for _, a := range ch.Aliases {
		if a = strings.TrimSpace(a); a != "" {
			p.Aliases = append(p.Aliases, a)
		}
	}
	for _, l := range ch.Languages {
		if l = strings.TrimSpace(l); l != "" {
			p.Languages = append(p.Languages, l)
		}
	}
	on := c.Concern.IdentifiedAt
	if on.IsZero() {
		on = c.RaisedAt
	}
	age := ch.EstimatedAge
	if a := lastCompletedAgeAssessment(c); a != nil {
		if p.DateOfBirth == "" && a.AssessedDateOfBirth != "" {
			p.DateOfBirth = a.AssessedDateOfBirth
		}
		if a.AssessedAge > 0 {
			age = a.AssessedAge
		}
	}
	if age == 0 && ch.AgeUncertain && p.DateOfBirth != "" {
		age = ageOn(p.DateOfBirth, on)
	}
	if age > 0 {
		spread := 0
		if ch.AgeUncertain {
			spread = 2
		}
		p.AgeFrom, p.AgeTo, p.AgeOn = max(age-spread, 0), age+spread, on.UTC()
	}
	seen := map[string]bool{}
	place := func(s string) {
		s = strings.TrimSpace(s)
		if k := strings.ToLower(s); s != "" && !seen[k] {
			seen[k] = true
			p.Places = append(p.Places, s)
		}
	}
	place(c.Concern.IdentifiedWhere)
	place(ch.CurrentLocation)
	for _, m := range c.Safety.Missing {
		place(m.WhereFound)
	}
	return p
}

// lastCompletedAgeAssessment is the most recent completed age assessment
// (§7.4), or nil.
func lastCompletedAgeAssessment(c Case) *AgeAssessment {
	for i := len(c.Support.AgeAssessments) - 1; i >= 0; i-- {
		if a := &c.Support.AgeAssessments[i]; a.Completed {
			return a
		}
	}
	return nil
}

// ageOn is the age in whole years on day on of a child born on dob
// (YYYY-MM-DD), or 0 when dob is not a date.
func ageOn(dob string, on time.Time) int {
	b, err := time.Parse("2006-01-02", dob)
	if err != nil || on.IsZero() {
		return 0
	}
	on = on.In(London)
	age := on.Year() - b.Year()
	if on.Month() < b.Month() || (on.Month() == b.Month() && on.Day() < b.Day()) {
		age--
	}
	return max(age, 0)
}
