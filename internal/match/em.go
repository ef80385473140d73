package match

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Training without labels. u, how often each level is seen between two
// different people, is counted on pairs drawn at random (nearly all of
// them are different people). m, how often each level is seen for the
// same person, and the share of candidate pairs that are the same person,
// are estimated by expectation–maximisation over the candidate pairs
// (Winkler, 1988; as Splink does).

// vector is the level of each comparison for one pair, -1 when missing.
type vector []int8

func (m *Model) vector(a, b *record) vector {
	v := make(vector, len(m.Comparisons))
	for i := range m.Comparisons {
		l, _ := comparisons[m.Comparisons[i].Field].compare(a, b)
		v[i] = int8(l)
	}
	return v
}

// estimateU counts each level over random pairs, smoothed so that no level
// is impossible.
func (m *Model) estimateU(vs []vector) {
	counts := make([][]float64, len(m.Comparisons))
	for i, c := range m.Comparisons {
		counts[i] = make([]float64, len(c.Levels))
	}
	for _, v := range vs {
		for i, l := range v {
			if l >= 0 {
				counts[i][l]++
			}
		}
	}
	for i, c := range m.Comparisons {
		total := 0.0
		for _, n := range counts[i] {
			total += n
		}
		for l := range c.Levels {
			c.Levels[l].U = (counts[i][l] + 0.5) / (total + 0.5*float64(len(c.Levels)))
		}
	}
}

// randomPairs are up to n pairs drawn at random with a fixed seed, so a
// run is repeatable: between left and right, or within left when right is
// nil.
func randomPairs(left, right []*record, n int) [][2]*record {
	rng := rand.New(rand.NewPCG(1, 2))
	var out [][2]*record
	for range n {
		if right == nil {
			if len(left) < 2 {
				break
			}
			i, j := rng.IntN(len(left)), rng.IntN(len(left)-1)
			if j >= i {
				j++
			}
			out = append(out, [2]*record{left[i], left[j]})
			continue
		}
		if len(left) == 0 || len(right) == 0 {
			break
		}
		out = append(out, [2]*record{left[rng.IntN(len(left))], right[rng.IntN(len(right))]})
	}
	return out
}

// vectors compares every pair, on every processor.
func (m *Model) vectors(pairs [][2]*record) []vector {
	out := make([]vector, len(pairs))
	workers := runtime.GOMAXPROCS(0)
	chunk := (len(pairs) + workers - 1) / workers
	var wg sync.WaitGroup
	for start := 0; start < len(pairs); start += chunk {
		end := min(start+chunk, len(pairs))
		wg.Go(func() {
			for i := start; i < end; i++ {
				out[i] = m.vector(pairs[i][0], pairs[i][1])
			}
		})
	}
	wg.Wait()
	return out
}

// patterns counts the distinct comparison vectors of the candidate pairs:
// EM then works on a few hundred patterns, not on every pair.
type patterns struct {
	vectors []vector
	counts  []float64
}

func countPatterns(vs []vector) patterns {
	index := map[string]int{}
	var p patterns
	var key strings.Builder
	for _, v := range vs {
		key.Reset()
		for _, l := range v {
			key.WriteString(strconv.Itoa(int(l)))
			key.WriteByte(',')
		}
		k := key.String()
		i, ok := index[k]
		if !ok {
			i = len(p.vectors)
			index[k] = i
			p.vectors = append(p.vectors, v)
			p.counts = append(p.counts, 0)
		}
		p.counts[i]++
	}
	return p
}

// estimateM runs EM on the candidate pairs' patterns, holding u, and sets m
// and the prior. It stops when the prior moves less than 1e-6, or after
// 100 rounds. Only the anchors (all, when none are named) decide which
// pairs are taken as the same person (E); m is estimated from that for the
// comparisons in update (all, when none are named) (M). Leaving out of both
// the details a training session's pairs were chosen by keeps u, counted on
// random pairs, true of the different people among them; leaving details
// shared by whole groups of people (a nationality and its language) out of
// the anchors keeps EM from finding the group instead of the person.
func (m *Model) estimateM(p patterns, anchors, update []string) {
	if len(p.vectors) == 0 {
		return
	}
	anchor := make([]bool, len(m.Comparisons))
	updated := make([]bool, len(m.Comparisons))
	for c := range m.Comparisons {
		anchor[c] = anchors == nil || slices.Contains(anchors, m.Comparisons[c].Field)
		updated[c] = update == nil || slices.Contains(update, m.Comparisons[c].Field)
	}
	post := make([]float64, len(p.vectors))
	for round := 0; round < 100; round++ {
		m.expect(p, anchor, post)
		// M: m from the expected matches, and the prior
		var matched, total float64
		sums := make([][]float64, len(m.Comparisons))
		for c := range m.Comparisons {
			sums[c] = make([]float64, len(m.Comparisons[c].Levels))
		}
		for i, v := range p.vectors {
			matched += post[i] * p.counts[i]
			total += p.counts[i]
			for c, l := range v {
				if l >= 0 {
					sums[c][l] += post[i] * p.counts[i]
				}
			}
		}
		for c := range m.Comparisons {
			levels := m.Comparisons[c].Levels
			sum := 0.0
			for _, s := range sums[c] {
				sum += s
			}
			if sum == 0 || !updated[c] {
				continue
			}
			for l := range levels {
				levels[l].M = math.Max((sums[c][l]+1e-3)/(sum+1e-3*float64(len(levels))), 1e-6)
			}
		}
		prior := math.Min(math.Max(matched/total, 1e-9), 1-1e-9)
		done := math.Abs(prior-m.Prior) < 1e-6
		m.Prior = prior
		if done {
			break
		}
	}
}

// expect sets post to the probability that each pattern is the same
// person, from the anchor comparisons.
func (m *Model) expect(p patterns, anchor []bool, post []float64) {
	for i, v := range p.vectors {
		w := math.Log2(m.Prior / (1 - m.Prior))
		for c, l := range v {
			if l >= 0 && anchor[c] {
				lv := m.Comparisons[c].Levels[l]
				w += math.Log2(lv.M / lv.U)
			}
		}
		post[i] = probability(w)
	}
}

// startingM is where EM starts: the closest level likely for the same
// person, each further level less so.
func startingM(levels int) []float64 {
	out := make([]float64, levels)
	rest := 0.1
	out[0] = 0.9
	for l := 1; l < levels; l++ {
		out[l] = rest / float64(levels-1)
	}
	return out
}

// termFrequencies counts each value of every comparison that has one, over
// the records.
func (m *Model) termFrequencies(records ...[]*record) {
	m.TermFrequencies = map[string]map[string]float64{}
	for _, c := range m.Comparisons {
		spec := comparisons[c.Field]
		if spec.value == nil {
			continue
		}
		counts := map[string]float64{}
		total := 0.0
		for _, rs := range records {
			for _, r := range rs {
				if v := spec.value(r); v != "" {
					counts[v]++
					total++
				}
			}
		}
		for v, n := range counts {
			counts[v] = n / total
		}
		m.TermFrequencies[c.Field] = counts
	}
}
