package match

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// record is a Person made ready to compare: every value folded, every name
// split into words with their phonetic codes. A record is prepared once and
// compared many times.
type record struct {
	p      *Person
	names  []name // the recorded name first, then each alias
	dob    date
	ageLo  date // earliest and latest dates of birth the claimed age allows
	ageHi  date
	gender string

	nationality       string
	languages, places []string
	phones            []string
	associates        []name

	street, locality, postcode, region, identifier string
}

// name is one name of a person: given and family words, folded.
type name struct {
	given, family      []string
	givenCode          []string // phonetic code of each given word
	familyCode         []string
	givenJoin, famJoin string
	sorted             string // every word, sorted: the same for any order
	raw                string // folded, before spelling variants
	alias              bool
}

func newName(given, family string, alias bool) name {
	n := name{given: nameTokens(given), family: nameTokens(family), alias: alias}
	n.raw = strings.Join(strings.Fields(strings.ToLower(given+" "+family)), " ")
	for _, t := range n.given {
		n.givenCode = append(n.givenCode, nysiis(t))
	}
	for _, t := range n.family {
		n.familyCode = append(n.familyCode, nysiis(t))
	}
	n.givenJoin = strings.Join(n.given, " ")
	n.famJoin = strings.Join(n.family, " ")
	all := append(append([]string{}, n.given...), n.family...)
	sort.Strings(all)
	n.sorted = strings.Join(all, " ")
	return n
}

// aliasName splits a full name written in one string: the last word is
// taken as the family name. The comparisons forgive the other order.
func aliasName(full string, alias bool) name {
	f := strings.Fields(full)
	if len(f) <= 1 {
		return newName(full, "", alias)
	}
	return newName(strings.Join(f[:len(f)-1], " "), f[len(f)-1], alias)
}

func (n name) empty() bool { return len(n.given) == 0 && len(n.family) == 0 }

// date is a date of birth as its figures, kept even when it is not a real
// day (a mistyped 31 June still says something).
type date struct{ y, m, d int }

func (d date) ok() bool { return d.y > 0 }

func (d date) digits() string {
	return strconv.Itoa(d.y*10000 + d.m*100 + d.d)
}

func (d date) before(e date) bool {
	if d.y != e.y {
		return d.y < e.y
	}
	if d.m != e.m {
		return d.m < e.m
	}
	return d.d < e.d
}

// parseDate reads YYYY-MM-DD or YYYYMMDD.
func parseDate(s string) date {
	s = strings.TrimSpace(s)
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
	if len(digits) != 8 {
		return date{}
	}
	y, _ := strconv.Atoi(digits[:4])
	m, _ := strconv.Atoi(digits[4:6])
	d, _ := strconv.Atoi(digits[6:])
	if y == 0 {
		return date{}
	}
	return date{y, m, d}
}

func dateOf(t time.Time) date { return date{t.Year(), int(t.Month()), t.Day()} }

func prepare(p *Person) *record {
	r := &record{p: p, dob: parseDate(p.DateOfBirth)}
	if n := newName(p.Given, p.Family, false); !n.empty() {
		r.names = append(r.names, n)
	}
	for _, a := range p.Aliases {
		if n := aliasName(a, true); !n.empty() {
			r.names = append(r.names, n)
		}
	}
	if (p.AgeFrom > 0 || p.AgeTo > 0) && !p.AgeOn.IsZero() {
		to := max(p.AgeTo, p.AgeFrom)
		// someone aged from..to on AgeOn was born after AgeOn-(to+1) years
		// and on or before AgeOn-from years
		r.ageLo = dateOf(p.AgeOn.AddDate(-(to + 1), 0, 1))
		r.ageHi = dateOf(p.AgeOn.AddDate(-p.AgeFrom, 0, 0))
	}
	r.gender = fold(p.Gender)
	r.nationality = strings.ReplaceAll(fold(p.Nationality), " ", "") // Viet Nam, Vietnam
	r.languages = foldAll(p.Languages)
	r.places = foldAll(p.Places)
	for _, ph := range p.Phones {
		if d := phoneDigits(ph); d != "" {
			r.phones = append(r.phones, d)
		}
	}
	for _, a := range p.Associates {
		if n := aliasName(a, false); !n.empty() {
			r.associates = append(r.associates, n)
		}
	}
	r.street = fold(p.Street)
	r.locality = fold(p.Locality)
	r.postcode = strings.ReplaceAll(fold(p.Postcode), " ", "")
	r.region = fold(p.Region)
	r.identifier = strings.ReplaceAll(fold(p.Identifier), " ", "")
	return r
}

func foldAll(vs []string) []string {
	var out []string
	for _, v := range vs {
		if f := fold(v); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// phoneDigits is the last ten figures of a phone number, so that
// +44 7700 900123 and 07700 900123 are the same number.
func phoneDigits(s string) string {
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
	if len(d) < 6 {
		return ""
	}
	if len(d) > 10 {
		d = d[len(d)-10:]
	}
	return d
}
