package match

import "strings"

// A comparison looks at one detail of two records and says at which level
// they agree. Level 0 is the closest agreement; -1 means the detail is
// missing from either record and says nothing either way.
type comparison struct {
	field  string  // Detail.Field, and the comparison's name in the model file
	levels []level // best first
	// compare gives the level, and words in place of the level's words when
	// the case needs them.
	compare func(a, b *record) (int, string)
	// value is the value whose frequency adjusts the first level's weight
	// (term frequency), when the comparison has one.
	value func(r *record) string
}

type level struct {
	key    string // the level's name in the model file
	agrees bool
	words  string
}

// comparisons are every comparison the model knows, by field.
var comparisons = byField(
	nameComparison, dobComparison, genderComparison, nationalityComparison,
	languagesComparison, placesComparison, phonesComparison, associatesComparison,
	givenComparison, familyComparison, streetComparison, localityComparison,
	postcodeComparison, regionComparison, identifierComparison,
)

func byField(cs ...*comparison) map[string]*comparison {
	m := map[string]*comparison{}
	for _, c := range cs {
		m[c.field] = c
	}
	return m
}

var nameLevels = []level{
	{"same", true, "the name is the same"},
	{"reordered", true, "the same names, with given and family names the other way round (as when the family name is written first)"},
	{"similar", true, "the names are spelt a little differently, or sound the same"},
	{"family", true, "the family name agrees but the given name differs"},
	{"given", true, "the given name agrees but the family name differs"},
	{"differs", false, "the names are different"},
}

var (
	nameComparison = &comparison{
		field:  "name",
		levels: nameLevels,
		compare: func(a, b *record) (int, string) {
			l, alias, variant := bestName(a, b)
			if l < 0 {
				return -1, ""
			}
			w := nameLevels[l].words
			if variant {
				w = "the name is the same once accents and spelling variants are set aside"
			}
			if alias && l < nameDiffers {
				w += ", using a name they have been known by (an alias)"
			}
			return l, w
		},
	}

	dobComparison = &comparison{
		field: "date of birth",
		levels: []level{
			{"same", true, "the date of birth is the same"},
			{"swapped", true, "the date of birth has the day and month swapped"},
			{"typo", true, "the date of birth differs by one figure, as a typing slip would"},
			{"year", true, "the date of birth is the same day and month, one or two years apart"},
			{"age", true, "the date of birth fits the age the child claims or was assessed as"},
			{"differs", false, "the dates of birth are different"},
		},
		compare: func(a, b *record) (int, string) { return compareDOB(a, b), "" },
	}

	genderComparison = &comparison{
		field:   "gender",
		levels:  agreeLevels("the gender is the same", "the gender differs"),
		compare: sameValue(func(r *record) string { return r.gender }),
	}

	nationalityComparison = &comparison{
		field:  "nationality",
		levels: agreeLevels("the nationality is the same", "the nationality differs"),
		compare: func(a, b *record) (int, string) {
			x, y := a.nationality, b.nationality
			if x == "" || y == "" {
				return -1, ""
			}
			// Vietnam and Vietnamese, Albania and Albanian
			if x == y || (len(x) >= 4 && len(y) >= 4 && (strings.HasPrefix(x, y) || strings.HasPrefix(y, x))) || jaroWinkler(x, y) >= 0.92 {
				return 0, ""
			}
			return 1, ""
		},
	}

	languagesComparison = &comparison{
		field:   "languages",
		levels:  agreeLevels("they speak a language in common", "they have no language in common"),
		compare: shareOne(func(r *record) []string { return r.languages }),
	}

	placesComparison = &comparison{
		field:   "places",
		levels:  agreeLevels("they are known in a place in common", "they are known in different places"),
		compare: shareOne(func(r *record) []string { return r.places }),
	}

	phonesComparison = &comparison{
		field:   "phone numbers",
		levels:  agreeLevels("they share a phone number", "their phone numbers are different"),
		compare: shareOne(func(r *record) []string { return r.phones }),
	}

	associatesComparison = &comparison{
		field:  "associates",
		levels: agreeLevels("they are known to be with someone of the same name", "their known associates have different names"),
		compare: func(a, b *record) (int, string) {
			if len(a.associates) == 0 || len(b.associates) == 0 {
				return -1, ""
			}
			for i := range a.associates {
				for j := range b.associates {
					if compareName(&a.associates[i], &b.associates[j]) <= nameSimilar {
						return 0, ""
					}
				}
			}
			return 1, ""
		},
	}
)

// agreeLevels are the two levels of a detail that agrees or not.
func agreeLevels(agree, differ string) []level {
	return []level{{"same", true, agree}, {"differs", false, differ}}
}

func sameValue(v func(r *record) string) func(a, b *record) (int, string) {
	return func(a, b *record) (int, string) {
		x, y := v(a), v(b)
		if x == "" || y == "" {
			return -1, ""
		}
		if x == y {
			return 0, ""
		}
		return 1, ""
	}
}

func shareOne(v func(r *record) []string) func(a, b *record) (int, string) {
	return func(a, b *record) (int, string) {
		x, y := v(a), v(b)
		if len(x) == 0 || len(y) == 0 {
			return -1, ""
		}
		for _, s := range x {
			for _, t := range y {
				if s == t {
					return 0, ""
				}
			}
		}
		return 1, ""
	}
}

// compareDOB is the level at which two dates of birth agree. A claimed or
// assessed age stands in for a disputed date of birth (§7.4).
func compareDOB(a, b *record) int {
	if a.dob.ok() && b.dob.ok() {
		x, y := a.dob, b.dob
		switch {
		case x == y:
			return 0
		case x.y == y.y && x.m == y.d && x.d == y.m:
			return 1
		case x.m == y.m && x.d == y.d && abs(x.y-y.y) <= 2:
			return 3
		case editDistance(x.digits(), y.digits()) <= 1:
			return 2
		}
	}
	if inAgeRange(a.dob, b) || inAgeRange(b.dob, a) || agesOverlap(a, b) {
		return 4
	}
	if (a.dob.ok() || a.ageLo.ok()) && (b.dob.ok() || b.ageLo.ok()) {
		return 5
	}
	return -1
}

func inAgeRange(d date, r *record) bool {
	return d.ok() && r.ageLo.ok() && !d.before(r.ageLo) && !r.ageHi.before(d)
}

func agesOverlap(a, b *record) bool {
	if a.dob.ok() || b.dob.ok() || !a.ageLo.ok() || !b.ageLo.ok() {
		return false
	}
	return !a.ageHi.before(b.ageLo) && !b.ageHi.before(a.ageLo)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
