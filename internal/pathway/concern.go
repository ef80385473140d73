package pathway

import (
	"strings"
	"time"
	"unicode/utf8"

	"waymark"
)

// Length limits on answers: generous for people, bounded for the database.
const (
	MaxShortText = 200   // names, places, nationality
	MaxEvidence  = 2000  // one indicator's evidence note
	MaxNarrative = 10000 // free-text accounts
	MaxListItems = 20    // aliases, languages
)

// London is where dates are shown and ages reckoned.
var London = mustLondon()

func mustLondon() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return loc
}

// Genders offered on the concern form.
var genders = []struct{ Value, Text string }{
	{"female", "Female"},
	{"male", "Male"},
	{"other", "Another gender"},
	{"unknown", "Not known"},
}

// Genders lists the answers to the gender question.
func Genders() []struct{ Value, Text string } { return genders }

// NormaliseConcern trims answers and drops empty list entries, so that what
// is validated is what is stored.
func NormaliseConcern(c Concern) Concern {
	ch := &c.Child
	ch.GivenNames = strings.TrimSpace(ch.GivenNames)
	ch.FamilyName = strings.TrimSpace(ch.FamilyName)
	ch.DateOfBirth = strings.TrimSpace(ch.DateOfBirth)
	ch.Gender = strings.TrimSpace(ch.Gender)
	ch.Nationality = strings.TrimSpace(ch.Nationality)
	ch.Dialect = strings.TrimSpace(ch.Dialect)
	ch.CurrentLocation = strings.TrimSpace(ch.CurrentLocation)
	ch.Aliases = trimList(ch.Aliases)
	ch.Languages = trimList(ch.Languages)
	c.IdentifiedWhere = strings.TrimSpace(c.IdentifiedWhere)
	c.Summary = strings.TrimSpace(c.Summary)
	c.PoliceReference = strings.TrimSpace(c.PoliceReference)
	c.ExploitationTypes = trimList(c.ExploitationTypes)
	c.ImmediateActions = trimList(c.ImmediateActions)
	for i := range c.Indicators {
		c.Indicators[i].ID = strings.TrimSpace(c.Indicators[i].ID)
		c.Indicators[i].Evidence = strings.TrimSpace(c.Indicators[i].Evidence)
	}
	c.Facts = normaliseFacts(c.Facts)
	if c.FamilySuspicion = strings.TrimSpace(c.FamilySuspicion); c.FamilySuspicion != "" {
		c.FamilySuspected = c.FamilySuspicion == FamilySuspectedYes // the bool older readers know (family.go)
	}
	if !c.ImmediateRisk {
		c.PoliceInformed, c.PoliceReference = false, ""
	}
	if !c.IdentifiedAt.IsZero() {
		c.IdentifiedAt = c.IdentifiedAt.UTC()
	}
	return c
}

func trimList(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// ValidateConcern checks every answer and returns all problems at once.
func (p *Pathway) ValidateConcern(c Concern, now time.Time) error {
	var probs waymark.Problems
	p.validateChild(&probs, c.Child, now)
	p.validateEncounter(&probs, c, now)
	p.validateScreening(&probs, c)
	validateConcernFacts(&probs, c.Facts)
	validateFamilySuspicion(&probs, c)
	return probs.Err()
}

// ValidateChild checks only the child's details (one page of the concern form).
func (p *Pathway) ValidateChild(ch Child, now time.Time) error {
	var probs waymark.Problems
	p.validateChild(&probs, ch, now)
	return probs.Err()
}

func (p *Pathway) validateChild(probs *waymark.Problems, ch Child, now time.Time) {
	if ch.GivenNames == "" && ch.FamilyName == "" && len(ch.Aliases) == 0 {
		probs.Add("givenNames", "Enter the child's name, or a name they are known by if you do not know their real name")
	}
	checkLength(probs, "givenNames", "Given names", ch.GivenNames, MaxShortText)
	checkLength(probs, "familyName", "Family name", ch.FamilyName, MaxShortText)
	if len(ch.Aliases) > MaxListItems {
		probs.Add("aliases", "Enter no more than %d other names", MaxListItems)
	}
	checkItems(probs, "aliases", "Other names", ch.Aliases)
	for _, a := range ch.Aliases {
		if utf8.RuneCountInString(a) > MaxShortText {
			probs.Add("aliases", "Each other name must be %d characters or fewer", MaxShortText)
			break
		}
	}
	validateAge(probs, ch, now)
	if !validGender(ch.Gender) {
		probs.Add("gender", "Select the child's gender, or 'Not known'")
	}
	checkLength(probs, "nationality", "Nationality", ch.Nationality, MaxShortText)
	if len(ch.Languages) > MaxListItems {
		probs.Add("languages", "Enter no more than %d languages", MaxListItems)
	}
	checkItems(probs, "languages", "Languages", ch.Languages)
	for _, l := range ch.Languages {
		if utf8.RuneCountInString(l) > MaxShortText {
			probs.Add("languages", "Each language must be %d characters or fewer", MaxShortText)
			break
		}
	}
	checkLength(probs, "dialect", "Dialect", ch.Dialect, MaxShortText)
	if ch.CurrentLocation == "" {
		probs.Add("currentLocation", "Enter where the child is now, for example 'In the school's medical room with the school nurse'")
	}
	checkLength(probs, "currentLocation", "Where the child is now", ch.CurrentLocation, MaxShortText)
}

// validateAge: a person whose age is uncertain is handled as a child (§7.4);
// a known date of birth that makes them an adult needs "age uncertain".
func validateAge(probs *waymark.Problems, ch Child, now time.Time) {
	switch {
	case ch.DateOfBirth != "":
		dob, err := time.ParseInLocation("2006-01-02", ch.DateOfBirth, London)
		if err != nil {
			probs.Add("dateOfBirth", "Date of birth must be a real date, for example 27 3 2012")
			return
		}
		today := now.In(London)
		if dob.After(today) {
			probs.Add("dateOfBirth", "Date of birth must be in the past")
			return
		}
		age := AgeOn(dob, today)
		if age >= 18 && !ch.AgeUncertain {
			probs.Add("dateOfBirth", "This date of birth makes the person %d. If you think they may be under 18, select 'Their age is uncertain' so they are treated as a child (§7.4); otherwise refer them through adult safeguarding", age)
		}
		if age > 25 {
			probs.Add("dateOfBirth", "This date of birth makes the person %d. Check the year, or leave the date of birth blank and give an estimated age", age)
		}
	case ch.EstimatedAge != 0:
		if ch.EstimatedAge < 0 || ch.EstimatedAge > 25 {
			probs.Add("estimatedAge", "Estimated age must be a whole number of years between 0 and 25")
		} else if ch.EstimatedAge >= 18 && !ch.AgeUncertain {
			probs.Add("estimatedAge", "An estimated age of %d is an adult. If you think they may be under 18, select 'Their age is uncertain' so they are treated as a child (§7.4)", ch.EstimatedAge)
		}
	default:
		probs.Add("dateOfBirth", "Enter the child's date of birth, or their estimated age if you do not know it")
	}
}

// AgeOn is the age in whole years on the given day.
func AgeOn(dob, day time.Time) int {
	age := day.Year() - dob.Year()
	if day.Month() < dob.Month() || (day.Month() == dob.Month() && day.Day() < dob.Day()) {
		age--
	}
	return age
}

// TreatedAsChild: under 18 on the evidence, or age uncertain (§7.4).
func (ch Child) TreatedAsChild(now time.Time) bool {
	if ch.AgeUncertain {
		return true
	}
	if ch.DateOfBirth != "" {
		dob, err := time.ParseInLocation("2006-01-02", ch.DateOfBirth, London)
		return err == nil && AgeOn(dob, now.In(London)) < 18
	}
	return ch.EstimatedAge < 18
}

// ValidateEncounter checks when and where the child was identified and the
// immediate-risk answers (one page of the concern form).
func (p *Pathway) ValidateEncounter(c Concern, now time.Time) error {
	var probs waymark.Problems
	p.validateEncounter(&probs, c, now)
	return probs.Err()
}

func (p *Pathway) validateEncounter(probs *waymark.Problems, c Concern, now time.Time) {
	switch {
	case c.IdentifiedAt.IsZero():
		probs.Add("identifiedAt", "Enter the date and time the child was identified")
	case c.IdentifiedAt.After(now):
		probs.Add("identifiedAt", "The date and time the child was identified must be in the past")
	case c.IdentifiedAt.Before(now.AddDate(-5, 0, 0)):
		probs.Add("identifiedAt", "The date the child was identified must be within the last 5 years")
	}
	if c.IdentifiedWhere == "" {
		probs.Add("identifiedWhere", "Enter where the child was identified, for example 'Northfield Academy, Year 9 classroom'")
	}
	checkLength(probs, "identifiedWhere", "Where the child was identified", c.IdentifiedWhere, MaxShortText)
	if c.Summary == "" {
		probs.Add("summary", "Describe what happened and what made you concerned")
	}
	checkLength(probs, "summary", "What happened", c.Summary, MaxNarrative)
	// §8.5: a child at immediate risk needs the police now.
	if c.ImmediateRisk && !c.PoliceInformed {
		probs.Add("policeInformed", "The child is at immediate risk: call the police on 999 now and keep the child where they are. Then confirm the police have been told")
	}
	checkLength(probs, "policeReference", "Police reference", c.PoliceReference, MaxShortText)
}

// ValidateScreening checks exploitation types, indicators and immediate actions.
func (p *Pathway) ValidateScreening(c Concern) error {
	var probs waymark.Problems
	p.validateScreening(&probs, c)
	return probs.Err()
}

func (p *Pathway) validateScreening(probs *waymark.Problems, c Concern) {
	for _, t := range c.ExploitationTypes {
		if _, ok := p.Catalog.ExploitationType(t); !ok {
			probs.Add("exploitationTypes", "Select exploitation types from the list (%q is not one of them)", clip(t))
			break
		}
	}
	// §5: indicators support judgement; each one observed needs what was seen.
	seen := map[string]bool{}
	for _, in := range c.Indicators {
		ind, ok := p.Catalog.Indicator(in.ID)
		if !ok {
			probs.Add("indicators", "Select indicators from the catalogue (%q is not in catalogue version %s)", clip(in.ID), p.Catalog.Version)
			continue
		}
		if seen[in.ID] {
			probs.Add("indicators", "Indicator %q is listed twice", ind.Label)
			continue
		}
		seen[in.ID] = true
		field := "evidence-" + in.ID
		if in.Evidence == "" {
			probs.Add(field, "Describe what you saw or heard for '%s'", ind.Label)
		}
		checkLength(probs, field, "The evidence for '"+ind.Label+"'", in.Evidence, MaxEvidence)
	}
	if len(c.Indicators) == 0 {
		probs.Add("indicators", "Select at least one indicator you observed. Indicators are not a test: choose those closest to what you saw (§5)")
	}
	for _, a := range c.ImmediateActions {
		if _, ok := p.Catalog.ImmediateAction(a); !ok {
			probs.Add("immediateActions", "Select immediate actions from the list (%q is not one of them)", clip(a))
			break
		}
	}
}

func validGender(g string) bool {
	for _, x := range genders {
		if x.Value == g {
			return true
		}
	}
	return false
}

func checkLength(probs *waymark.Problems, field, what, v string, max int) {
	if n := utf8.RuneCountInString(v); n > max {
		probs.Add(field, "%s must be %d characters or fewer (it is %d)", what, max, n)
	}
	// Names, places and references are one line; narratives may be several.
	checkText(probs, field, what, v, max > MaxShortText)
}

func clip(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		r := []rune(s)
		return string(r[:40]) + "…"
	}
	return s
}
