package match

import (
	_ "embed"
	"encoding/json"
	"fmt"
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
	return &c // a copy: a caller that changes it changes no one else's
}

var defaultModel = sync.OnceValue(func() *Model {
	m, err := ParseModel(defaultModelJSON)
	if err != nil {
		panic("match: default_model.json: " + err.Error()) // a build that ships a broken model must not start
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
	for ci := range m.Comparisons {
		spec := comparisons[m.Comparisons[ci].Field]
		l, words := spec.compare(a, b)
		if l < 0 {
			continue
		}
		if words == "" {
			words = spec.levels[l].words
		}
		w := m.levelWeight(ci, l, a)
		r.Weight += w
		r.Details = append(r.Details, Detail{Field: spec.field, Agrees: spec.levels[l].agrees && w > 0, Words: words, Weight: w})
	}
	r.Probability = probability(r.Weight)
	return r
}
