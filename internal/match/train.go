package match

import (
	"math"
	"slices"
	"strings"
)

// TrainChildren trains a model of children's records, as DefaultModel
// ships, on records without labels. u is counted on random pairs. m is
// estimated by EM in two sessions, as Splink does: on pairs with the same
// date of birth, for every detail but the date; and on pairs with the same
// name key, for every detail but the name. The prior is that of two records
// drawn at random from the training set, whose size the model records
// (ForRegister scales it to another). base gives the comparisons and EM's
// start.
func TrainChildren(people []Person, base *Model, randomSample int) *Model {
	m := &Model{Prior: base.Prior}
	for _, c := range base.Comparisons {
		c.Levels = append([]LevelModel(nil), c.Levels...)
		m.Comparisons = append(m.Comparisons, c)
	}
	records := prepareAll(people)
	m.estimateU(m.vectors(randomPairs(records, nil, randomSample)))
	// details shared by whole groups of children do not decide a session
	grouped := []string{"nationality", "languages"}
	others := func(except string) (anchors, update []string) {
		for _, c := range m.Comparisons {
			if c.Field == except {
				continue
			}
			update = append(update, c.Field)
			if !contains(grouped, c.Field) {
				anchors = append(anchors, c.Field)
			}
		}
		return anchors, update
	}
	// session 1: pairs born the same day (or with day and month swapped)
	byDate := keyPairs(people, records, "d:")
	anchors, update := others("date of birth")
	m.estimateM(countPatterns(m.vectors(byDate)), anchors, update)
	sameDay := m.Prior * float64(len(byDate))
	// session 2: pairs with the same name key
	m.Prior = base.Prior
	anchors, update = others("name")
	m.estimateM(countPatterns(m.vectors(keyPairs(people, records, "n"))), anchors, update)
	// The prior is that of two records drawn at random from the training
	// set: the children found in session 1, over the share of children whose
	// records agree on the date that session chose pairs by, over all pairs.
	dob := m.Comparisons[slices.IndexFunc(m.Comparisons, func(c ComparisonModel) bool { return c.Field == "date of birth" })]
	found := dob.Levels[0].M + dob.Levels[1].M
	n := float64(len(people))
	m.Prior = math.Min(sameDay/found/(n*(n-1)/2), 0.5)
	m.RegisterSize = len(people)
	// no detail is recorded without mistakes: a level never seen in
	// training still happens
	for _, c := range m.Comparisons {
		for l := range c.Levels {
			c.Levels[l].M = math.Max(c.Levels[l].M, minimumM)
		}
	}
	round(m)
	return m
}

// minimumM is the least m of any level of the children's model.
const minimumM = 0.005

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// keyPairs are the pairs of records sharing a blocking key that begins with
// prefix, each once.
func keyPairs(people []Person, records []*record, prefix string) [][2]*record {
	byKey := map[string][]int{}
	for i := range people {
		for _, k := range BlockingKeys(people[i]) {
			if strings.HasPrefix(k, prefix) {
				byKey[k] = append(byKey[k], i)
			}
		}
	}
	seen := map[[2]int]bool{}
	var pairs [][2]*record
	for _, ids := range byKey {
		for x := range ids {
			for y := x + 1; y < len(ids); y++ {
				p := [2]int{min(ids[x], ids[y]), max(ids[x], ids[y])}
				if !seen[p] {
					seen[p] = true
					pairs = append(pairs, [2]*record{records[p[0]], records[p[1]]})
				}
			}
		}
	}
	return pairs
}

// round keeps the model file readable: four significant figures.
func round(m *Model) {
	r := func(x float64) float64 {
		if x == 0 {
			return 0
		}
		scale := math.Pow(10, 3-math.Floor(math.Log10(math.Abs(x))))
		return math.Round(x*scale) / scale
	}
	m.Prior = r(m.Prior)
	for _, c := range m.Comparisons {
		for l := range c.Levels {
			c.Levels[l].M, c.Levels[l].U = r(c.Levels[l].M), r(c.Levels[l].U)
		}
	}
}
