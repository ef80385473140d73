package match

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Pair is two records predicted to be the same person.
type Pair struct {
	Left, Right string // the records' IDs
	Probability float64
}

// Run is what a file run found, and how: the trained model and how many
// pairs blocking put forward.
type Run struct {
	Pairs      []Pair
	Model      *Model
	Candidates int
}

// Dedupe finds the records of one set that are the same person, training
// the model on the set itself without labels.
func Dedupe(people []Person, threshold float64) Run {
	return linkage(people, nil, threshold)
}

// Link finds the records of left and right that are the same person.
func Link(left, right []Person, threshold float64) Run {
	if right == nil {
		right = []Person{}
	}
	return linkage(left, right, threshold)
}

// uSample is how many random pairs u is counted on.
const uSample = 50_000

func linkage(left, right []Person, threshold float64) Run {
	l := prepareAll(left)
	var r []*record
	if right != nil {
		r = prepareAll(right)
	}
	m := fileModel(l, r)
	pairs := candidates(l, r)
	other := l
	if right != nil {
		other = r
	}
	all := float64(len(l)) * float64(len(r))
	if right == nil {
		all = float64(len(l)) * float64(len(l)-1) / 2
	}
	m.estimateU(m.vectors(randomPairs(l, r, uSample)))
	train(m, l, r, other, all)
	compared := make([][2]*record, len(pairs))
	for i, p := range pairs {
		compared[i] = [2]*record{l[p[0]], other[p[1]]}
	}
	vectors := m.vectors(compared)
	m.termFrequencies(l, r)
	run := Run{Model: m, Candidates: len(pairs)}
	prior := log2(m.Prior / (1 - m.Prior))
	for i, p := range pairs {
		a, b := l[p[0]], other[p[1]]
		w := prior
		for c, lv := range vectors[i] {
			if lv >= 0 {
				w += m.levelWeight(c, int(lv), a)
			}
		}
		if pr := probability(w); pr >= threshold {
			run.Pairs = append(run.Pairs, Pair{Left: a.p.ID, Right: b.p.ID, Probability: pr})
		}
	}
	return run
}

func prepareAll(ps []Person) []*record {
	out := make([]*record, len(ps))
	for i := range ps {
		out[i] = prepare(&ps[i])
	}
	return out
}

// fileModel has a comparison for each detail that some record holds, with
// EM's starting values.
func fileModel(sets ...[]*record) *Model {
	has := map[string]bool{}
	for _, rs := range sets {
		for _, r := range rs {
			n := primary(r)
			has["given name"] = has["given name"] || n.givenJoin != ""
			has["family name"] = has["family name"] || n.famJoin != ""
			has["date of birth"] = has["date of birth"] || r.dob.ok()
			has["street"] = has["street"] || r.street != ""
			has["locality"] = has["locality"] || r.locality != ""
			has["postcode"] = has["postcode"] || r.postcode != ""
			has["region"] = has["region"] || r.region != ""
			has["identifier"] = has["identifier"] || r.identifier != ""
		}
	}
	m := &Model{Prior: 0.1}
	for _, f := range []string{"given name", "family name", "date of birth", "street", "locality", "postcode", "region", "identifier"} {
		if !has[f] {
			continue
		}
		spec := comparisons[f]
		c := ComparisonModel{Field: f}
		for i, mv := range startingM(len(spec.levels)) {
			c.Levels = append(c.Levels, LevelModel{Level: spec.levels[i].key, M: mv, U: 1 / float64(len(spec.levels))})
		}
		m.Comparisons = append(m.Comparisons, c)
	}
	return m
}

// train estimates m and the prior by EM in two sessions, as Splink does:
// on the pairs born the same day, for every detail but the date of birth;
// and on the pairs whose names sound the same, for every detail but the
// names. Leaving out the details a session's pairs were chosen by keeps u,
// counted on random pairs, true of the different people among them, so EM
// finds the person and not the postcode. A detail estimated in both
// sessions keeps the mean of its two estimates. The prior is that of two
// records drawn at random: the matches found in the first session, over
// the share of matches born the same day, over all pairs.
func train(m *Model, l, r, other []*record, all float64) {
	type session struct {
		rule    func(*record) string
		without []string
	}
	sessions := []session{
		{dateKey, []string{"date of birth"}},
		{nameBlock, []string{"given name", "family name"}},
	}
	start := m.Prior
	sums := make([][]float64, len(m.Comparisons))
	times := make([]float64, len(m.Comparisons))
	for c := range m.Comparisons {
		sums[c] = make([]float64, len(m.Comparisons[c].Levels))
	}
	prior := -1.0
	var sameDay float64
	for i, s := range sessions {
		var update []string
		for _, c := range m.Comparisons {
			if !slices.Contains(s.without, c.Field) {
				update = append(update, c.Field)
			}
		}
		if len(update) == len(m.Comparisons) {
			continue // the session's details are not in these files
		}
		pairs := blockPairs(l, r, s.rule, nil)
		if len(pairs) == 0 {
			continue
		}
		compared := make([][2]*record, len(pairs))
		for j, p := range pairs {
			compared[j] = [2]*record{l[p[0]], other[p[1]]}
		}
		m.Prior = start
		m.estimateM(countPatterns(m.vectors(compared)), update, update)
		for c := range m.Comparisons {
			if slices.Contains(update, m.Comparisons[c].Field) {
				times[c]++
				for lv := range m.Comparisons[c].Levels {
					sums[c][lv] += m.Comparisons[c].Levels[lv].M
				}
			}
		}
		if i == 0 {
			sameDay = m.Prior * float64(len(pairs))
		}
		if prior < 0 {
			prior = m.Prior * float64(len(pairs)) / all
		}
	}
	for c := range m.Comparisons {
		if times[c] > 0 {
			for lv := range m.Comparisons[c].Levels {
				m.Comparisons[c].Levels[lv].M = sums[c][lv] / times[c]
			}
		}
	}
	if sameDay > 0 {
		if i := slices.IndexFunc(m.Comparisons, func(c ComparisonModel) bool { return c.Field == "date of birth" }); i >= 0 {
			dob := m.Comparisons[i].Levels
			prior = sameDay / (dob[0].M + dob[1].M) / all
		}
	}
	if prior <= 0 && all > 0 {
		// no session could run: EM on every candidate pair
		pairs := candidates(l, r)
		compared := make([][2]*record, len(pairs))
		for j, p := range pairs {
			compared[j] = [2]*record{l[p[0]], other[p[1]]}
		}
		m.Prior = start
		m.estimateM(countPatterns(m.vectors(compared)), nil, nil)
		prior = m.Prior * float64(len(pairs)) / all
	}
	if !(prior > 0) {
		prior = start
	}
	m.Prior = math.Min(math.Max(prior, 1e-12), 0.5)
}

func dateKey(r *record) string {
	if !r.dob.ok() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", r.dob.y, min(r.dob.m, r.dob.d), max(r.dob.m, r.dob.d))
}

func nameBlock(r *record) string {
	if n := primary(r); len(n.givenCode) > 0 && len(n.familyCode) > 0 {
		return nameKey(n, "")
	}
	return ""
}

// fileBlocking are the rules that put two records forward to be compared:
// two records that share any one of these keys are compared. Each rule
// looks at different details, so a pair with errors in several details
// still shares one.
var fileBlocking = []func(r *record) string{
	nameBlock, // the names, in either order, by sound
	dateKey,   // the date of birth, day and month either way
	func(r *record) string { return r.identifier },
	func(r *record) string { return r.postcode },
	func(r *record) string { // the house number and street name
		if f := strings.Fields(r.street); len(f) >= 2 {
			return f[0] + " " + f[1]
		}
		return ""
	},
	func(r *record) string { // family name and year of birth
		if n := primary(r); len(n.familyCode) > 0 && r.dob.ok() {
			return n.familyCode[0] + ":" + strconv.Itoa(r.dob.y)
		}
		return ""
	},
	func(r *record) string { // given name and town
		if n := primary(r); len(n.givenCode) > 0 && r.locality != "" {
			return n.givenCode[0] + ":" + r.locality
		}
		return ""
	},
}

// maxBlock is the most records one key may hold on a side; a key that
// many share says too little to be worth the pairs.
const maxBlock = 1000

// candidates are the pairs of records (indexes into left and right, or
// into left twice) that share at least one blocking key, each once.
func candidates(left, right []*record) [][2]int32 {
	seen := map[uint64]bool{}
	var out [][2]int32
	for _, key := range fileBlocking {
		out = append(out, blockPairs(left, right, key, seen)...)
	}
	slices.SortFunc(out, func(a, b [2]int32) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	})
	return out
}

// blockPairs are the pairs that share the key, leaving out those already
// seen and blocks larger than maxBlock.
func blockPairs(left, right []*record, key func(*record) string, seen map[uint64]bool) [][2]int32 {
	if seen == nil {
		seen = map[uint64]bool{}
	}
	var out [][2]int32
	add := func(i, j int32) {
		id := uint64(i)<<32 | uint64(uint32(j))
		if !seen[id] {
			seen[id] = true
			out = append(out, [2]int32{i, j})
		}
	}
	blocks := map[string][]int32{}
	for i, r := range left {
		if k := key(r); k != "" {
			blocks[k] = append(blocks[k], int32(i))
		}
	}
	if right == nil {
		for _, ls := range blocks {
			if len(ls) > maxBlock {
				continue
			}
			for x := range ls {
				for y := x + 1; y < len(ls); y++ {
					add(ls[x], ls[y])
				}
			}
		}
		return out
	}
	rblocks := map[string][]int32{}
	for j, r := range right {
		if k := key(r); k != "" {
			rblocks[k] = append(rblocks[k], int32(j))
		}
	}
	for k, ls := range blocks {
		rs := rblocks[k]
		if len(ls) > maxBlock || len(rs) > maxBlock {
			continue
		}
		for _, i := range ls {
			for _, j := range rs {
				add(i, j)
			}
		}
	}
	return out
}
