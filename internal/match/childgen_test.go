package match

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// A small generator of children's records with the errors met in this
// work (§4.8, §5.1, §7.4): names transliterated, reordered, misspelt or
// replaced by an alias, dates of birth swapped, mistyped, a year out, or
// disputed and given as an assessed age. It trains DefaultModel's m and u
// (default_model.json); internal/match/synth is the fuller generator the
// figures in docs/performance.md come from.

type origin struct {
	nationality string
	languages   []string
	given       []string
	family      []string
	familyFirst bool
}

var origins = []origin{
	{"Vietnamese", []string{"Vietnamese"}, []string{"Van An", "Minh", "Thi Mai", "Duc", "Hung", "Linh", "Thanh", "Quang", "Huy", "Tuan", "Bao", "Khanh", "Thi Lan", "Phuc"}, []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ"}, true},
	{"Albanian", []string{"Albanian"}, []string{"Ardit", "Besnik", "Enis", "Klevis", "Elira", "Arben", "Dritan", "Ermal", "Fatjon", "Kristi", "Erion", "Blerim"}, []string{"Hoxha", "Krasniqi", "Berisha", "Gashi", "Shehu", "Dervishi", "Kola", "Leka", "Marku", "Çela"}, false},
	{"Eritrean", []string{"Tigrinya"}, []string{"Yonas", "Filmon", "Senait", "Semhar", "Dawit", "Robel", "Selam", "Merhawi", "Aman", "Natnael"}, []string{"Tesfay", "Gebre", "Haile", "Berhane", "Kidane", "Tekle", "Ghebremedhin", "Mehari", "Woldu"}, false},
	{"Sudanese", []string{"Arabic"}, []string{"Mohammed", "Ahmed", "Omar", "Yusuf", "Fatima", "Aisha", "Mustafa", "Ibrahim", "Khalid", "Hamid", "Maryam"}, []string{"Mohammed", "Ahmed", "Hassan", "Ali", "Osman", "Ibrahim", "Abdalla", "Yousif", "Mahmoud"}, false},
	{"British", []string{"English"}, []string{"Jack", "Olivia", "Harry", "Amelia", "Kyle", "Chloe", "Tyler", "Jade", "Connor", "Leah", "Callum", "Shannon"}, []string{"Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts"}, false},
	{"Romanian", []string{"Romanian"}, []string{"Andrei", "Ionuț", "Mihai", "Ioana", "Elena", "Gheorghe", "Florin", "Alexandru", "Ștefan", "Maria"}, []string{"Popescu", "Ionescu", "Stan", "Dumitru", "Munteanu", "Constantin", "Lungu", "Rusu", "Marin"}, false},
}

var towns = []string{"Croydon", "Leeds", "Manchester", "Birmingham", "Luton", "Slough", "Peterborough", "Bristol", "Cardiff", "Glasgow", "Hull", "Stoke", "Northampton", "Southend", "Kent", "Newcastle", "Sheffield", "Bradford"}

// variants writes a name another way: the romanisations table in reverse.
var variants = func() map[string][]string {
	m := map[string][]string{}
	for v, c := range romanisations {
		m[c] = append(m[c], v)
	}
	return m
}()

type childGenerator struct {
	rng        *rand.Rand
	associates []string // a few exploiters, known with several children
	on         time.Time
}

func newChildGenerator(seed uint64) *childGenerator {
	g := &childGenerator{rng: rand.New(rand.NewPCG(seed, 14)), on: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
	for range 60 {
		o := g.origin()
		g.associates = append(g.associates, g.name(o.given)+" "+g.name(o.family))
	}
	return g
}

func (g *childGenerator) pick(s []string) string { return s[g.rng.IntN(len(s))] }

// name is a name of the pool, or, more often, the beginning of one joined
// to the end of another, so that names are as many as in a real register
// and the common ones still recur.
func (g *childGenerator) name(pool []string) string {
	if g.chance(0.3) {
		return g.pick(pool)
	}
	a, b := []rune(g.pick(pool)), []rune(g.pick(pool))
	return string(a[:(len(a)+1)/2]) + string(b[len(b)/2:])
}
func (g *childGenerator) chance(p float64) bool { return g.rng.Float64() < p }
func (g *childGenerator) origin() origin        { return origins[g.rng.IntN(len(origins))] }

// child is an original record.
func (g *childGenerator) child(id string) Person {
	o := g.origin()
	given := g.name(o.given)
	if g.chance(0.3) {
		given += " " + g.name(o.given)
	}
	p := Person{
		ID: id, Given: given, Family: g.name(o.family),
		DateOfBirth: fmt.Sprintf("%04d-%02d-%02d", 2006+g.rng.IntN(8), 1+g.rng.IntN(12), 1+g.rng.IntN(28)),
		Gender:      g.pick([]string{"male", "female"}), Nationality: o.nationality,
		Languages: o.languages, Places: []string{g.pick(towns)},
	}
	if g.chance(0.6) {
		p.Phones = []string{fmt.Sprintf("07%03d %06d", g.rng.IntN(1000), g.rng.IntN(1000000))}
	}
	if g.chance(0.5) {
		p.Associates = []string{g.pick(g.associates)}
	}
	if g.chance(0.15) {
		p.DateOfBirth = ""
		age := 2025 - 2006 - g.rng.IntN(8)
		p.AgeFrom, p.AgeTo, p.AgeOn = age-1, age+1, g.on
	}
	return p
}

// again is a later record of the same child, with this work's errors.
func (g *childGenerator) again(p Person, id string) Person {
	q := p
	q.ID = id
	q.Aliases = nil
	switch r := g.rng.Float64(); {
	case r < 0.15: // a new name; the earlier one sometimes known as an alias
		o := g.origin()
		q.Given, q.Family = g.name(o.given), g.name(o.family)
		if g.chance(0.5) {
			q.Aliases = []string{p.Given + " " + p.Family}
		}
	case r < 0.30: // written family name first
		q.Given, q.Family = p.Family, p.Given
	case r < 0.45: // a typing slip
		q.Given = typo(g.rng, p.Given)
	case r < 0.55:
		q.Family = typo(g.rng, p.Family)
	case r < 0.70: // another romanisation, or the accents dropped
		q.Given, q.Family = g.respell(p.Given), g.respell(p.Family)
	}
	switch r := g.rng.Float64(); {
	case p.DateOfBirth == "":
	case r < 0.1:
		q.DateOfBirth = p.DateOfBirth[:5] + p.DateOfBirth[8:] + "-" + p.DateOfBirth[5:7]
	case r < 0.2:
		q.DateOfBirth = fmt.Sprintf("%04d%s", atoi(p.DateOfBirth[:4])+[]int{-2, -1, 1, 2}[g.rng.IntN(4)], p.DateOfBirth[4:])
	case r < 0.3:
		q.DateOfBirth = p.DateOfBirth[:9] + fmt.Sprint(g.rng.IntN(10))
	case r < 0.45: // disputed: an assessed age instead
		age := g.on.Year() - atoi(p.DateOfBirth[:4])
		q.DateOfBirth, q.AgeFrom, q.AgeTo, q.AgeOn = "", age-1+g.rng.IntN(2), age+1+g.rng.IntN(2), g.on
	case r < 0.5:
		q.DateOfBirth = fmt.Sprintf("%04d-%02d-%02d", 2006+g.rng.IntN(8), 1+g.rng.IntN(12), 1+g.rng.IntN(28))
	}
	if g.chance(0.5) {
		q.Places = []string{g.pick(towns)}
	}
	if g.chance(0.6) {
		q.Phones = nil
		if g.chance(0.5) {
			q.Phones = []string{fmt.Sprintf("07%03d %06d", g.rng.IntN(1000), g.rng.IntN(1000000))}
		}
	}
	switch r := g.rng.Float64(); {
	case r < 0.4:
		q.Associates = nil
	case r < 0.6: // with someone else now
		q.Associates = []string{g.pick(g.associates)}
	}
	switch r := g.rng.Float64(); {
	case r < 0.1:
		q.Nationality = ""
	case r < 0.15: // a nationality claimed or assumed wrongly
		q.Nationality = g.origin().nationality
	}
	return q
}

func (g *childGenerator) respell(name string) string {
	var out []string
	for _, w := range strings.Fields(name) {
		if t := nameTokens(w); len(t) > 0 && len(variants[t[0]]) > 0 && g.chance(0.7) {
			vs := variants[t[0]]
			w = g.pick(vs)
		}
		out = append(out, fold(w))
	}
	return strings.Join(out, " ")
}

func typo(rng *rand.Rand, s string) string {
	r := []rune(s)
	if len(r) < 3 {
		return s
	}
	i := 1 + rng.IntN(len(r)-2)
	switch rng.IntN(3) {
	case 0:
		r[i], r[i+1] = r[i+1], r[i]
	case 1:
		r = append(r[:i], r[i+1:]...)
	default:
		r[i] = rune('a' + rng.IntN(26))
	}
	return string(r)
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// children are n original records and, for a share of them, later records
// of the same child; the ID's number before the dash is the child.
func children(seed uint64, n int, again float64) []Person {
	g := newChildGenerator(seed)
	var out []Person
	for i := range n {
		p := g.child(fmt.Sprintf("%d-0", i))
		out = append(out, p)
		if g.chance(again) {
			out = append(out, g.again(p, fmt.Sprintf("%d-1", i)))
		}
	}
	return out
}
