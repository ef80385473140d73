package pathway_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// dateOfBirthAged is the date of birth of someone who turns `years` old
// `days` days after now (negative days: the birthday has passed).
func dateOfBirthAged(years, days int) string {
	return now.In(pathway.London).AddDate(-years, 0, days).Format("2006-01-02")
}

// §7.4: a person whose date of birth makes them an adult is handled as a
// child only when the practitioner says their age is uncertain.
func TestAdultDateOfBirthIsRefusedUnlessAgeIsUncertain(t *testing.T) {
	for _, tc := range []struct {
		name         string
		dob          string
		ageUncertain bool
		refused      bool
	}{
		{"17, the day before their 18th birthday", dateOfBirthAged(18, 1), false, false},
		{"18 today", dateOfBirthAged(18, 0), false, true},
		{"20", dateOfBirthAged(20, -10), false, true},
		{"18 today, age uncertain", dateOfBirthAged(18, 0), true, false},
		{"20, age uncertain", dateOfBirthAged(20, -10), true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := validConcern()
			c.Child.DateOfBirth = tc.dob
			c.Child.AgeUncertain = tc.ageUncertain
			_, err := raise(c)
			if tc.refused {
				wantRefused(t, err, waymark.EINVALID, "dateOfBirth", "age is uncertain", "§7.4")
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
		})
	}
}

// §7.4: "age uncertain" covers a young adult, not a date of birth that is surely wrong.
func TestDateOfBirthOver25IsRefusedEvenWhenAgeIsUncertain(t *testing.T) {
	c := validConcern()
	c.Child.DateOfBirth = dateOfBirthAged(26, -1)
	c.Child.AgeUncertain = true
	_, err := raise(c)
	wantRefused(t, err, waymark.EINVALID, "dateOfBirth", "Check the year")

	c.Child.DateOfBirth = dateOfBirthAged(25, -1)
	if _, err := raise(c); err != nil {
		t.Fatalf("25, age uncertain, refused: %v", err)
	}
}

// §7.4: the same rule for an estimated age, when the date of birth is not known.
func TestAdultEstimatedAgeIsRefusedUnlessAgeIsUncertain(t *testing.T) {
	for _, tc := range []struct {
		age          int
		ageUncertain bool
		problem      string // empty: accepted
	}{
		{17, false, ""},
		{18, false, "§7.4"},
		{18, true, ""},
		{25, true, ""},
		{26, true, "between 0 and 25"},
		{-1, true, "between 0 and 25"},
	} {
		t.Run(fmt.Sprintf("%d uncertain=%v", tc.age, tc.ageUncertain), func(t *testing.T) {
			c := validConcern()
			c.Child.DateOfBirth = ""
			c.Child.EstimatedAge = tc.age
			c.Child.AgeUncertain = tc.ageUncertain
			_, err := raise(c)
			if tc.problem != "" {
				wantRefused(t, err, waymark.EINVALID, "estimatedAge", tc.problem)
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
		})
	}
}

func TestAgeIsNeededAsADateOfBirthOrAnEstimate(t *testing.T) {
	c := validConcern()
	c.Child.DateOfBirth = ""
	c.Child.EstimatedAge = 0
	_, err := raise(c)
	wantRefused(t, err, waymark.EINVALID, "dateOfBirth", "estimated age")
}

func TestFutureDateOfBirthIsRefused(t *testing.T) {
	c := validConcern()
	c.Child.DateOfBirth = now.In(pathway.London).AddDate(0, 0, 1).Format("2006-01-02")
	_, err := raise(c)
	wantRefused(t, err, waymark.EINVALID, "dateOfBirth", "in the past")
}

func TestDateOfBirthMustBeARealDate(t *testing.T) {
	c := validConcern()
	c.Child.DateOfBirth = "2012-02-30"
	_, err := raise(c)
	wantRefused(t, err, waymark.EINVALID, "dateOfBirth", "real date")
}

// §7.4: treated as a child when under 18 on the evidence or when age is uncertain.
func TestAPersonWhoseAgeIsUncertainIsTreatedAsAChild(t *testing.T) {
	for _, tc := range []struct {
		name  string
		child pathway.Child
		want  bool
	}{
		{"14 by date of birth", pathway.Child{DateOfBirth: dateOfBirthAged(14, -3)}, true},
		{"18 by date of birth", pathway.Child{DateOfBirth: dateOfBirthAged(18, 0)}, false},
		{"18 by date of birth, age uncertain", pathway.Child{DateOfBirth: dateOfBirthAged(18, 0), AgeUncertain: true}, true},
		{"estimated 16", pathway.Child{EstimatedAge: 16}, true},
		{"estimated 18", pathway.Child{EstimatedAge: 18}, false},
		{"estimated 19, age uncertain", pathway.Child{EstimatedAge: 19, AgeUncertain: true}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.child.TreatedAsChild(now); got != tc.want {
				t.Fatalf("TreatedAsChild = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestIdentifiedInTheFutureIsRefused(t *testing.T) {
	c := validConcern()
	c.IdentifiedAt = now.Add(time.Minute)
	_, err := raise(c)
	wantRefused(t, err, waymark.EINVALID, "identifiedAt", "in the past")

	c.IdentifiedAt = now
	if _, err := raise(c); err != nil {
		t.Fatalf("identified just now, refused: %v", err)
	}
}

func TestIdentifiedMoreThanFiveYearsAgoIsRefused(t *testing.T) {
	c := validConcern()
	c.IdentifiedAt = now.AddDate(-5, 0, -1)
	_, err := raise(c)
	wantRefused(t, err, waymark.EINVALID, "identifiedAt", "5 years")
}

// §8.5: a child at immediate risk needs the police now, before anything else.
func TestImmediateRiskRequiresPoliceInformed(t *testing.T) {
	c := validConcern()
	c.ImmediateRisk = true
	_, err := raise(c)
	wantRefused(t, err, waymark.EINVALID, "policeInformed", "999")

	c.PoliceInformed = true
	c.PoliceReference = "NP-2026-0042"
	events, err := raise(c)
	if err != nil {
		t.Fatalf("immediate risk with police informed refused: %v", err)
	}
	got := events[0].Data.(pathway.ConcernRaised).Concern
	if !got.PoliceInformed || got.PoliceReference != "NP-2026-0042" {
		t.Fatalf("police answers not kept: %+v", got)
	}
}

func TestPoliceAnswersAreDroppedWhenThereIsNoImmediateRisk(t *testing.T) {
	c := validConcern()
	c.PoliceInformed = true
	c.PoliceReference = "NP-2026-0042"
	events, err := raise(c)
	if err != nil {
		t.Fatal(err)
	}
	got := events[0].Data.(pathway.ConcernRaised).Concern
	if got.PoliceInformed || got.PoliceReference != "" {
		t.Fatalf("police answers kept without immediate risk: %+v", got)
	}
}

// §5: indicators come from the versioned catalogue.
func TestUnknownIndicatorIsRefusedNamingTheCatalogueVersion(t *testing.T) {
	c := validConcern()
	c.Indicators = append(c.Indicators, pathway.ObservedIndicator{ID: "general.made-up", Evidence: "Something seen"})
	_, err := raise(c)
	wantRefused(t, err, waymark.EINVALID, "indicators", "general.made-up", "catalogue version "+cat.Version)
}

// §5: indicators support judgement, so each one recorded says what was seen.
func TestIndicatorWithoutEvidenceIsRefusedNamingThatIndicator(t *testing.T) {
	ind := cat.Indicators[1]
	c := validConcern()
	c.Indicators = append(c.Indicators, pathway.ObservedIndicator{ID: ind.ID, Evidence: "   "})
	_, err := raise(c)
	wantRefused(t, err, waymark.EINVALID, "evidence-"+ind.ID, ind.Label)
	wantNoProblemWith(t, err, "evidence-"+cat.Indicators[0].ID)
}

func TestAtLeastOneIndicatorIsNeeded(t *testing.T) {
	c := validConcern()
	c.Indicators = nil
	_, err := raise(c)
	wantRefused(t, err, waymark.EINVALID, "indicators", "at least one", "§5")
}

func TestAnIndicatorIsRecordedOnlyOnce(t *testing.T) {
	c := validConcern()
	c.Indicators = append(c.Indicators, c.Indicators[0])
	_, err := raise(c)
	wantRefused(t, err, waymark.EINVALID, "indicators", "twice", cat.Indicators[0].Label)
}

// §2.1, §2.3: exploitation types come from the catalogue.
func TestUnknownExploitationTypeIsRefused(t *testing.T) {
	c := validConcern()
	c.ExploitationTypes = append(c.ExploitationTypes, "pickpocketing-ring")
	_, err := raise(c)
	wantRefused(t, err, waymark.EINVALID, "exploitationTypes", "pickpocketing-ring")
}

// §6.4: immediate actions come from the checklist.
func TestUnknownImmediateActionIsRefused(t *testing.T) {
	c := validConcern()
	c.ImmediateActions = append(c.ImmediateActions, "told-the-uncle")
	_, err := raise(c)
	wantRefused(t, err, waymark.EINVALID, "immediateActions", "told-the-uncle")
}

func TestConcernNeedsEachRequiredAnswer(t *testing.T) {
	for _, tc := range []struct {
		field  string
		change func(*pathway.Concern)
	}{
		{"givenNames", func(c *pathway.Concern) { c.Child.GivenNames, c.Child.FamilyName, c.Child.Aliases = " ", "", nil }},
		{"gender", func(c *pathway.Concern) { c.Child.Gender = "" }},
		{"gender", func(c *pathway.Concern) { c.Child.Gender = "robot" }},
		{"currentLocation", func(c *pathway.Concern) { c.Child.CurrentLocation = "  " }},
		{"identifiedAt", func(c *pathway.Concern) { c.IdentifiedAt = time.Time{} }},
		{"identifiedWhere", func(c *pathway.Concern) { c.IdentifiedWhere = "" }},
		{"summary", func(c *pathway.Concern) { c.Summary = "\n" }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			c := validConcern()
			tc.change(&c)
			_, err := raise(c)
			wantRefused(t, err, waymark.EINVALID, tc.field)
		})
	}
}

// A child known only by a street name can still be referred.
func TestAnAliasIsEnoughToNameTheChild(t *testing.T) {
	c := validConcern()
	c.Child.GivenNames, c.Child.FamilyName, c.Child.Aliases = "", "", []string{"Little A"}
	if _, err := raise(c); err != nil {
		t.Fatalf("refused: %v", err)
	}
}

// Length limits keep answers within what the database holds; they count
// characters, not bytes, so names in any script get the same room.
func TestOversizedAnswersAreRefused(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) }
	items := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("item %d", i)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		field string
		max   int
		set   func(c *pathway.Concern, n int)
	}{
		{"given names", "givenNames", pathway.MaxShortText, func(c *pathway.Concern, n int) { c.Child.GivenNames = long(n) }},
		{"family name", "familyName", pathway.MaxShortText, func(c *pathway.Concern, n int) { c.Child.FamilyName = long(n) }},
		{"one other name", "aliases", pathway.MaxShortText, func(c *pathway.Concern, n int) { c.Child.Aliases = []string{long(n)} }},
		{"number of other names", "aliases", pathway.MaxListItems, func(c *pathway.Concern, n int) { c.Child.Aliases = items(n) }},
		{"nationality", "nationality", pathway.MaxShortText, func(c *pathway.Concern, n int) { c.Child.Nationality = long(n) }},
		{"one language", "languages", pathway.MaxShortText, func(c *pathway.Concern, n int) { c.Child.Languages = []string{long(n)} }},
		{"number of languages", "languages", pathway.MaxListItems, func(c *pathway.Concern, n int) { c.Child.Languages = items(n) }},
		{"dialect", "dialect", pathway.MaxShortText, func(c *pathway.Concern, n int) { c.Child.Dialect = long(n) }},
		{"where the child is now", "currentLocation", pathway.MaxShortText, func(c *pathway.Concern, n int) { c.Child.CurrentLocation = long(n) }},
		{"where identified", "identifiedWhere", pathway.MaxShortText, func(c *pathway.Concern, n int) { c.IdentifiedWhere = long(n) }},
		{"what happened", "summary", pathway.MaxNarrative, func(c *pathway.Concern, n int) { c.Summary = long(n) }},
		{"police reference", "policeReference", pathway.MaxShortText, func(c *pathway.Concern, n int) {
			c.ImmediateRisk, c.PoliceInformed, c.PoliceReference = true, true, long(n)
		}},
		{"indicator evidence", "evidence-" + cat.Indicators[0].ID, pathway.MaxEvidence, func(c *pathway.Concern, n int) { c.Indicators[0].Evidence = long(n) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := validConcern()
			tc.set(&c, tc.max)
			if _, err := raise(c); err != nil {
				t.Fatalf("%d accepted as the limit, yet refused: %v", tc.max, err)
			}
			c = validConcern()
			tc.set(&c, tc.max+1)
			_, err := raise(c)
			wantRefused(t, err, waymark.EINVALID, tc.field, fmt.Sprint(tc.max))
		})
	}
}
