package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"waymark/internal/match"
)

// child is the truth about one generated child, from which each of their
// records is written.
type child struct {
	id, household int
	later         int // later records made so far
	group         *Group
	gender        string
	given, middle string // as the child writes them; middle only for groups that use one
	family        string
	dob           time.Time
	phones        []string
	associates    []string
	languages     []string
	identifier    string
	home          address
	seen          time.Time // when the first record was made
	// marked says whether the first record kept the name's diacritics.
	marked bool
}

type address struct{ street, locality, postcode, region string }

type generator struct {
	r    *rand.Rand
	from time.Time
}

func (g *generator) chance(p float64) bool { return g.r.Float64() < p }

func (g *generator) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

// zipf picks from a list ordered most common first, so a few names are
// very common (Nguyen, Mohammed) and most are rare.
func (g *generator) zipf(xs []string, s float64) string {
	total := 0.0
	for i := range xs {
		total += 1 / math.Pow(float64(i+1), s)
	}
	x := g.r.Float64() * total
	for i := range xs {
		x -= 1 / math.Pow(float64(i+1), s)
		if x < 0 {
			return xs[i]
		}
	}
	return xs[len(xs)-1]
}

func (g *generator) group() *Group {
	x := g.r.Float64()
	total := 0.0
	for i := range Groups {
		total += Groups[i].Weight
	}
	x *= total
	for i := range Groups {
		x -= Groups[i].Weight
		if x < 0 {
			return &Groups[i]
		}
	}
	return &Groups[len(Groups)-1]
}

func (g *generator) givenName(gr *Group, gender string) (given, middle string) {
	if gender == "female" {
		given = g.zipf(gr.Female, gr.GivenSkew)
		if len(gr.MiddleFemale) > 0 {
			middle = g.pick(gr.MiddleFemale)
		}
		return given, middle
	}
	given = g.zipf(gr.Male, gr.GivenSkew)
	if len(gr.MiddleMale) > 0 {
		middle = g.pick(gr.MiddleMale)
	}
	return given, middle
}

func (g *generator) address() address {
	t := towns[g.r.IntN(len(towns))]
	return address{
		street:   fmt.Sprintf("%d %s %s", 1+g.r.IntN(180), g.pick(streets), g.pick(streetKinds)),
		locality: t.name,
		postcode: fmt.Sprintf("%s %d%c%c", g.pick(t.districts), 1+g.r.IntN(9),
			postcodeLetters[g.r.IntN(len(postcodeLetters))], postcodeLetters[g.r.IntN(len(postcodeLetters))]),
		region: t.region,
	}
}

// phone is a UK mobile number in the 07700 9 block, as 11 digits.
func (g *generator) phone() string { return fmt.Sprintf("077009%05d", g.r.IntN(100000)) }

// writePhone writes a number the way different forms and people do.
func (g *generator) writePhone(p string) string {
	switch g.r.IntN(4) {
	case 0:
		return p
	case 1:
		return "+44 " + p[1:5] + " " + p[5:]
	case 2:
		return "+44" + p[1:]
	}
	return p[:5] + " " + p[5:]
}

func (g *generator) associate(gr *Group) string {
	switch x := g.r.Float64(); {
	case x < 0.45:
		given, _ := g.givenName(gr, "male")
		return given + " " + stripDiacritics(g.zipf(gr.Family, gr.FamilySkew))
	case x < 0.8:
		uk := &Groups[0]
		given, _ := g.givenName(uk, "male")
		return given + " " + g.zipf(uk.Family, uk.FamilySkew)
	}
	return g.pick(streetNames)
}

func (g *generator) identifier(gr *Group) string {
	if !g.chance(0.35) {
		return ""
	}
	if gr.HomeOfficeRef {
		return fmt.Sprintf("%c%07d", "BHKLMNRSTVZ"[g.r.IntN(11)], g.r.IntN(10000000))
	}
	return fmt.Sprintf("999%07d", g.r.IntN(10000000))
}

func (g *generator) child() *child {
	gr := g.group()
	ch := &child{group: gr, household: -1, gender: "male"}
	if !g.chance(gr.MaleShare) {
		ch.gender = "female"
	}
	ch.given, ch.middle = g.givenName(gr, ch.gender)
	ch.family = g.zipf(gr.Family, gr.FamilySkew)
	ch.seen = g.from.AddDate(0, 0, g.r.IntN(3*365))
	ch.dob = g.dateOfBirth(ch.seen, gr)
	ch.home = g.address()
	if g.chance(0.75) {
		ch.phones = []string{g.phone()}
		if g.chance(0.15) {
			ch.phones = append(ch.phones, g.phone())
		}
	}
	for range g.r.IntN(3) {
		if a := g.associate(gr); a != stripDiacritics(ch.given+" "+ch.family) {
			ch.associates = append(ch.associates, a)
		}
	}
	ch.languages = gr.Languages[:1+g.r.IntN(len(gr.Languages))]
	ch.identifier = g.identifier(gr)
	ch.marked = g.chance(0.5)
	return ch
}

// dateOfBirth makes a child aged 12 to 17 when first seen; children from
// abroad are mostly 15 to 17, and some already carry a 1 January date
// assigned on an earlier arrival.
func (g *generator) dateOfBirth(seen time.Time, gr *Group) time.Time {
	age := 12 + g.r.IntN(6)
	if gr.HomeOfficeRef {
		age = 14 + g.r.IntN(4)
		if g.chance(0.08) {
			return time.Date(seen.Year()-age, 1, 1, 0, 0, 0, 0, time.UTC)
		}
	}
	return seen.AddDate(-age, 0, -g.r.IntN(365))
}

// sibling makes a brother or sister of ch: the same family name, home,
// phone and language, another given name and date of birth, and
// sometimes a twin. They are a different child and must not be matched.
func (g *generator) sibling(of *child) *child {
	ch := &child{group: of.group, household: of.household, family: of.family, home: of.home,
		languages: of.languages, marked: of.marked, gender: "male"}
	if g.chance(0.4) {
		ch.gender = "female"
	}
	for {
		ch.given, ch.middle = g.givenName(ch.group, ch.gender)
		if ch.given != of.given {
			break
		}
	}
	ch.seen = of.seen
	if !g.chance(0.7) {
		ch.seen = of.seen.AddDate(0, 0, g.r.IntN(120))
	}
	switch {
	case g.chance(0.12):
		ch.dob = of.dob // twins
	case g.chance(0.5):
		ch.dob = of.dob.AddDate(-1-g.r.IntN(4), 0, -g.r.IntN(300))
	default:
		ch.dob = of.dob.AddDate(1+g.r.IntN(3), 0, g.r.IntN(300))
	}
	if len(of.phones) > 0 && g.chance(0.7) {
		ch.phones = []string{of.phones[0]}
	} else if g.chance(0.6) {
		ch.phones = []string{g.phone()}
	}
	if g.chance(0.5) {
		ch.associates = of.associates
	}
	ch.identifier = g.identifier(ch.group)
	return ch
}

// names gives the given and family names as a record writes them.
func (ch *child) names(marked bool) (given, family string) {
	given, family = ch.given, ch.family
	if ch.middle != "" {
		given = ch.middle + " " + ch.given
	}
	if !marked {
		given, family = stripDiacritics(given), stripDiacritics(family)
	}
	return given, family
}

func (g *generator) person(ch *child, id string, marked bool) match.Person {
	given, family := ch.names(marked)
	p := match.Person{
		ID:          id,
		Given:       given,
		Family:      family,
		DateOfBirth: ch.dob.Format(time.DateOnly),
		Gender:      ch.gender,
		Nationality: ch.group.Nationality,
		Languages:   append([]string(nil), ch.languages...),
		Places:      []string{ch.home.locality},
		Associates:  append([]string(nil), ch.associates...),
		Street:      ch.home.street,
		Locality:    ch.home.locality,
		Postcode:    ch.home.postcode,
		Region:      ch.home.region,
		Identifier:  ch.identifier,
	}
	for _, ph := range ch.phones {
		p.Phones = append(p.Phones, g.writePhone(ph))
	}
	return p
}

func (g *generator) first(ch *child) Record {
	return Record{
		Person:    g.person(ch, recordID(ch.id, -1), ch.marked),
		Child:     ch.id,
		Household: ch.household,
		Recorded:  ch.seen,
	}
}

// age is the child's age in whole years on a day.
func age(dob, on time.Time) int {
	a := on.Year() - dob.Year()
	if on.YearDay() < dob.YearDay() {
		a--
	}
	return a
}

// later makes a later record of ch, with one main error mode and
// sometimes a second, written in another place at a later date.
func (g *generator) later(ch *child) Record {
	rec := Record{
		Child:     ch.id,
		Household: ch.household,
		Later:     true,
		Recorded:  ch.seen.AddDate(0, 0, 7+g.r.IntN(690)),
	}
	marked := ch.marked
	if hasMarks(ch) && g.chance(0.5) {
		marked = !marked
	}
	p := g.person(ch, recordID(ch.id, ch.later-1), marked)
	if marked != ch.marked {
		rec.Modes = append(rec.Modes, ModeDiacritics)
	}
	main := g.apply(&p, ch, g.mainMode(ch), rec.Recorded)
	rec.Modes = append([]Mode{main}, rec.Modes...)
	if g.chance(0.35) {
		if second := g.secondMode(main); second != "" && !hasMode(rec.Modes, second) {
			second = g.apply(&p, ch, second, rec.Recorded)
			if !hasMode(rec.Modes, second) {
				rec.Modes = append(rec.Modes, second)
			}
		}
	}
	// Most later records are made somewhere else, often without the phone
	// or identifier the first one had.
	if g.chance(0.55) && !hasMode(rec.Modes, ModeMissing) {
		rec.Modes = append(rec.Modes, ModeMoved)
		g.apply(&p, ch, ModeMoved, rec.Recorded)
		if len(p.Phones) > 0 && g.chance(0.4) && !hasMode(rec.Modes, ModeNewPhone) {
			rec.Modes = append(rec.Modes, ModeNewPhone)
			g.apply(&p, ch, ModeNewPhone, rec.Recorded)
		}
	}
	if p.Identifier != "" && !g.chance(0.4) {
		p.Identifier = ""
	}
	var kept []string
	for _, a := range p.Associates {
		if g.chance(0.6) {
			kept = append(kept, a)
		}
	}
	if g.chance(0.3) {
		kept = append(kept, g.associate(ch.group))
	}
	p.Associates = kept
	if p.Nationality != "" && g.chance(0.15) {
		p.Nationality = ch.group.Country
	}
	p.ID = recordID(ch.id, ch.later-1)
	rec.Person = p
	return rec
}

func hasMode(ms []Mode, m Mode) bool {
	for _, x := range ms {
		if x == m {
			return true
		}
	}
	return false
}

func hasMarks(ch *child) bool {
	g, f := ch.names(true)
	return g+f != stripDiacritics(g+f)
}

// mainMode draws the main error of a later record. The weights are a
// judgement of how often each reaches a case, not a measured share.
func (g *generator) mainMode(ch *child) Mode {
	type w struct {
		m Mode
		p float64
	}
	ws := []w{
		{ModeTransliteration, 0.16}, {ModeSwapped, 0.05}, {ModeAlias, 0.08},
		{ModeNickname, 0.06}, {ModeAgeRange, 0.10}, {ModeDayMonth, 0.06}, {ModeYearOff, 0.07},
		{ModeJanuaryFirst, 0.07}, {ModeTypo, 0.16}, {ModeMissing, 0.05}, {ModeNewPhone, 0.05},
	}
	if ch.group.FamilyFirst {
		ws = append(ws, w{ModeFamilyFirst, 0.35})
	}
	total := 0.0
	for _, x := range ws {
		total += x.p
	}
	x := g.r.Float64() * total
	for _, e := range ws {
		x -= e.p
		if x < 0 {
			if e.m == ModeDayMonth && (ch.dob.Day() > 12 || ch.dob.Day() == int(ch.dob.Month())) {
				return ModeYearOff // no other valid date has the day and month swapped
			}
			return e.m
		}
	}
	return ModeTypo
}

// secondMode draws a second, smaller error to go with the main one.
func (g *generator) secondMode(main Mode) Mode {
	dateModes := []Mode{ModeAgeRange, ModeDayMonth, ModeYearOff, ModeJanuaryFirst}
	options := []Mode{ModeTypo, ModeTransliteration, ModeMissing, ModeNewPhone, ModeYearOff}
	m := options[g.r.IntN(len(options))]
	if m == main || (hasMode(dateModes, main) && hasMode(dateModes, m)) {
		return ""
	}
	return m
}

// wrongNationality is a neighbouring nationality a child is recorded
// under by claim or mistake.
func (g *generator) wrongNationality(ch *child) string {
	if len(ch.group.Neighbours) == 0 {
		return ch.group.Nationality
	}
	return g.pick(ch.group.Neighbours)
}
