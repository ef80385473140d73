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
	m.estimateU(m.vectors(randomPairs(l, r, uSample)))
	compared := make([][2]*record, len(pairs))
	for i, p := range pairs {
		compared[i] = [2]*record{l[p[0]], other[p[1]]}
	}
	vectors := m.vectors(compared)
	m.estimateM(countPatterns(vectors), nil, nil)
	// EM gives the share of candidate pairs that are the same person. The
	// weights count every detail, those that blocking chose pairs by too,
	// so the prior they start from is that of any two records (nearly every
	// match is among the candidates).
	all := float64(len(l)) * float64(len(r))
	if right == nil {
		all = float64(len(l)) * float64(len(l)-1) / 2
	}
	if all > 0 {
		m.Prior = math.Min(m.Prior*float64(len(pairs))/all, 0.5)
	}
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

// fileBlocking are the rules that put two records forward to be compared:
// two records that share any one of these keys are compared. Each rule
// looks at different details, so a pair with errors in several details
// still shares one.
var fileBlocking = []func(r *record) string{
	func(r *record) string { // the names, in either order, by sound
		if n := primary(r); len(n.givenCode) > 0 && len(n.familyCode) > 0 {
			return nameKey(n, "")
		}
		return ""
	},
	func(r *record) string { // the date of birth, day and month either way
		if !r.dob.ok() {
			return ""
		}
		return fmt.Sprintf("%04d-%02d-%02d", r.dob.y, min(r.dob.m, r.dob.d), max(r.dob.m, r.dob.d))
	},
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
	for rule, key := range fileBlocking {
		blocks := map[string][]int32{}
		for i, r := range left {
			if k := key(r); k != "" {
				blocks[k] = append(blocks[k], int32(i))
			}
		}
		var rblocks map[string][]int32
		if right != nil {
			rblocks = map[string][]int32{}
			for j, r := range right {
				if k := key(r); k != "" {
					rblocks[k] = append(rblocks[k], int32(j))
				}
			}
		}
		_ = rule
		for k, ls := range blocks {
			if len(ls) > maxBlock {
				continue
			}
			add := func(i, j int32) {
				id := uint64(i)<<32 | uint64(uint32(j))
				if !seen[id] {
					seen[id] = true
					out = append(out, [2]int32{i, j})
				}
			}
			if right == nil {
				for x := range ls {
					for y := x + 1; y < len(ls); y++ {
						add(ls[x], ls[y])
					}
				}
				continue
			}
			rs := rblocks[k]
			if len(rs) > maxBlock {
				continue
			}
			for _, i := range ls {
				for _, j := range rs {
					add(i, j)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b [2]int32) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
	})
	return out
}
