package match

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"
)

// Model holds the m and u probabilities of each comparison level, and the
// prior probability that two records compared are the same person.
//
// m is how often a level is seen when the two records are the same person,
// u how often when they are not; each level adds log2(m/u) to the weight
// (Fellegi and Sunter, 1969). The model is data: it is trained by EM on
// records without labels (Train) and saved as JSON.
type Model struct {
	Prior float64 `json:"prior"`
	// RegisterSize is how many records the prior is for, when it is that of
	// two records drawn at random from a register (ForRegister).
	RegisterSize int               `json:"register_size,omitempty"`
	Comparisons  []ComparisonModel `json:"comparisons"`
	// TermFrequencies are, for a comparison whose first level is adjusted
	// for how common the value is, the share of records with each value. A
	// common name agreeing says less than a rare one.
	TermFrequencies map[string]map[string]float64 `json:"term_frequencies,omitempty"`
}

// ComparisonModel is one compared detail and its levels.
type ComparisonModel struct {
	Field  string       `json:"field"`
	Levels []LevelModel `json:"levels"`
}

// LevelModel is the m and u probability of one level.
type LevelModel struct {
	Level string  `json:"level"`
	M     float64 `json:"m"`
	U     float64 `json:"u"`
}

//go:embed default_model.json
var defaultModelJSON []byte

// nameFrequenciesJSON are the shares of given and family name words the
// children's model adjusts for (term frequency): counted by
// TestNameFrequenciesAreTheGenerators on records from internal/match/synth,
// so they are the generator's distribution of names, not anyone's real
// register. NameFrequencies counts them on a register instead.
//
//go:embed name_frequencies.json
var nameFrequenciesJSON []byte

// DefaultModel is the model the case system compares children with:
// default_model.json, trained by EM (see TestDefaultModelIsTrained and
// docs/matching.md for how to train it again).
func DefaultModel() *Model {
	m := defaultModel()
	c := *m
	c.Comparisons = nil
	for _, cm := range m.Comparisons {
		cm.Levels = slices.Clone(cm.Levels)
		c.Comparisons = append(c.Comparisons, cm)
	}
	// the tables themselves are shared (thousands of names): replace a
	// table to change it, never write into one
	c.TermFrequencies = maps.Clone(m.TermFrequencies)
	return &c // a copy: a caller that changes it changes no one else's
}

// leastShare is the least share NameFrequencies keeps: rarer words never
// make a name commoner than the model's u.
const leastShare = 0.0005

// NameFrequencies are the shares of records whose given names, or family
// name, hold each word (folded, in one romanisation), for the words held
// by at least 1 in 2,000 records, and the shares of whole names held by
// three records or more: the term frequencies of the children's name
// comparison. Set them as a model's TermFrequencies to adjust it to the
// names of a register.
func NameFrequencies(people []Person) map[string]map[string]float64 {
	counts := map[string]map[string]int{givenWords: {}, familyWords: {}, fullNames: {}}
	for i := range people {
		n := newName(people[i].Given, people[i].Family, false)
		if n.family != nil && n.given != nil {
			counts[fullNames][n.sorted]++
		}
		for key, words := range map[string][]string{givenWords: n.given, familyWords: n.family} {
			seen := map[string]bool{}
			for _, w := range words {
				if !seen[w] && !particles[w] {
					seen[w] = true
					counts[key][w]++
				}
			}
		}
	}
	out := map[string]map[string]float64{}
	for key, c := range counts {
		out[key] = map[string]float64{}
		for w, k := range c {
			if s := float64(k) / float64(len(people)); s >= leastShare || (key == fullNames && k >= 3) {
				out[key][w] = math.Round(s*1e5) / 1e5
			}
		}
	}
	return out
}

var defaultModel = sync.OnceValue(func() *Model {
	m, err := ParseModel(defaultModelJSON)
	if err != nil {
		panic("match: default_model.json: " + err.Error()) // a build that ships a broken model must not start
	}
	if err := json.Unmarshal(nameFrequenciesJSON, &m.TermFrequencies); err != nil {
		panic("match: name_frequencies.json: " + err.Error())
	}
	return m
})

// ParseModel reads a model saved as JSON, refusing one that names a
// comparison or level this code does not know.
func ParseModel(data []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	return &m, nil
}

func (m *Model) check() error {
	if !(m.Prior > 0 && m.Prior < 1) {
		return fmt.Errorf("the prior %v is not a probability strictly between 0 and 1", m.Prior)
	}
	for _, c := range m.Comparisons {
		spec := comparisons[c.Field]
		if spec == nil {
			return fmt.Errorf("no comparison is called %q", c.Field)
		}
		if len(c.Levels) != len(spec.levels) {
			return fmt.Errorf("comparison %q has %d levels, not %d", c.Field, len(c.Levels), len(spec.levels))
		}
		for i, l := range c.Levels {
			if l.Level != spec.levels[i].key {
				return fmt.Errorf("comparison %q: level %d is %q, not %q", c.Field, i, l.Level, spec.levels[i].key)
			}
			if !(l.M > 0 && l.M <= 1 && l.U > 0 && l.U <= 1) {
				return fmt.Errorf("comparison %q level %q: m and u must be probabilities above 0", c.Field, l.Level)
			}
		}
	}
	return nil
}

// ForRegister is the model for comparing records drawn from a register of
// n records: the chance that two records are the same person falls as the
// register grows, since each person has only so many records.
func (m *Model) ForRegister(n int) *Model {
	c := *m
	if m.RegisterSize > 0 && n > 1 {
		c.Prior = math.Min(m.Prior*float64(m.RegisterSize-1)/float64(n-1), 0.5)
		c.RegisterSize = n
	}
	return &c
}

// MarshalJSON-free saving: JSON writes the model as the file DefaultModel reads.
func (m *Model) JSON() ([]byte, error) { return json.MarshalIndent(m, "", "  ") }

// tfMinimum keeps a name seen once in a small set from weighing as if it
// were unique in the world.
const tfMinimum = 0.0001

// levelWeight is what one level adds to the weight, with the first level
// adjusted for how common the agreeing value is.
func (m *Model) levelWeight(ci, l int, a *record) float64 {
	c := &m.Comparisons[ci]
	lv := c.Levels[l]
	u := lv.U
	if l == 0 && m.TermFrequencies != nil {
		if spec := comparisons[c.Field]; spec.value != nil {
			if tf, ok := m.TermFrequencies[c.Field]; ok {
				if f, ok := tf[spec.value(a)]; ok {
					u = math.Max(f, tfMinimum)
				}
			}
		}
	}
	return math.Log2(lv.M / u)
}

// Compare weighs two records against each other.
func (m *Model) Compare(a, b Person) Result {
	return m.compare(prepare(&a), prepare(&b))
}

func (m *Model) compare(a, b *record) Result {
	var r Result
	r.Weight = log2(m.Prior / (1 - m.Prior))
	nameLevel, givenLevel, familyLevel := -1, -1, -1
	for ci := range m.Comparisons {
		spec := comparisons[m.Comparisons[ci].Field]
		var l int
		var words string
		var n *name
		if spec == nameComparison {
			l, words, n = compareNames(a, b)
		} else {
			l, words = spec.compare(a, b)
		}
		if l < 0 {
			continue
		}
		if words == "" {
			words = spec.levels[l].words
		}
		w := m.levelWeight(ci, l, a)
		switch spec {
		case nameComparison:
			nameLevel = l
			w = m.commonName(ci, l, n, w)
		case givenComparison:
			givenLevel = l
		case familyComparison:
			familyLevel = l
		}
		r.Details = append(r.Details, Detail{Field: spec.field, Agrees: spec.levels[l].agrees && w > 0, Words: words, Weight: w})
	}
	// the family name agrees and the given name does not: the mark of a
	// brother or sister
	sibling := nameLevel == nameFamily || (givenLevel == len(givenComparison.levels)-1 && familyLevel >= 0 && familyLevel <= 1)
	if countTogether(r.Details, sibling) && nameLevel == nameFamily {
		// At one home the family name is shared whoever the child is, so
		// it says nothing for the match (u is 1 there); what is left is
		// that the given names differ, as they rarely do for one child.
		ci := m.index(nameComparison.field)
		for i := range r.Details {
			if r.Details[i].Field == nameComparison.field {
				r.Details[i].Weight = math.Log2(m.Comparisons[ci].Levels[nameFamily].M)
				r.Details[i].Agrees = false
				r.Details[i].Words += " (as it would for a brother or sister at the same home)"
			}
		}
	}
	for _, d := range r.Details {
		r.Weight += d.Weight
	}
	r.Probability = probability(r.Weight)
	return r
}

// commonName weighs an agreeing name as what it is: two children called
// Mohammed Ahmed share a name far more often than two children drawn at
// random share theirs, so the name says less (term frequency). The share
// of the name in a register stands in for u when it is the larger; it
// never makes a rare name weigh more than the model's u, since a name
// missing from the table need not be rare.
func (m *Model) commonName(ci, l int, n *name, w float64) float64 {
	if l >= nameDiffers || n == nil || m.TermFrequencies[givenWords] == nil {
		return w
	}
	lv := m.Comparisons[ci].Levels[l]
	if share := m.nameShare(n, l); share > lv.U {
		return math.Log2(lv.M / share)
	}
	return w
}

// together are details that are not independent of each other: people who
// live together share a home, a phone and company, and a nationality goes
// with its language. The model counts each as if it were independent, so
// when several of a group agree only the strongest counts; the others are
// listed with no weight, still as agreeing (a page lists them under what
// agrees, not what differs). Each word is plain and names no value.
var together = []struct {
	fields []string
	words  string
}{
	{[]string{"phone numbers", "places", "associates"}, " (not counted again: it goes with another detail of where and with whom they live)"},
	{[]string{"nationality", "languages"}, " (not counted again: it goes with the nationality or language)"},
}

// household are the details brothers and sisters share.
var household = []string{"phone numbers", "places", "associates", "street", "locality", "postcode"}

// countTogether takes out the weight that details going together would
// count twice. When the family name agrees and the given name does not,
// the mark of a brother or sister, the details of a shared home count
// nothing: siblings share them, so they do not tell the child from a
// sibling (trafficked siblings are often moved together).
// It says whether it took out a shared home for a sibling.
func countTogether(ds []Detail, sibling bool) (home bool) {
	if sibling {
		for i := range ds {
			if ds[i].Weight > 0 && slices.Contains(household, ds[i].Field) {
				ds[i].Weight = 0 // it agrees, but says nothing for the match
				ds[i].Words += " (not counted: brothers and sisters share a home, and the given names differ)"
				home = true
			}
		}
	}
	for _, g := range together {
		best := -1
		for i := range ds {
			if ds[i].Weight > 0 && slices.Contains(g.fields, ds[i].Field) && (best < 0 || ds[i].Weight > ds[best].Weight) {
				best = i
			}
		}
		for i := range ds {
			if i != best && ds[i].Weight > 0 && slices.Contains(g.fields, ds[i].Field) {
				ds[i].Weight = 0 // it still agrees: listed as agreeing, not counted again
				ds[i].Words += g.words
			}
		}
	}
	return home
}
