package stats

import (
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"
)

// Disclosure control (docs/statistics.md), as the UK's official statistics
// practise it: small counts are held back (primary suppression), further
// counts are held back so that none of those can be worked out from what
// is published (secondary suppression), totals may be rounded, and no rate
// or median is published on fewer children than the threshold.

// DefaultThreshold: counts below it are suppressed.
const DefaultThreshold = 5

// Config is how a Report is published.
type Config struct {
	Threshold       int // counts from 1 to Threshold-1 are suppressed; 0 means DefaultThreshold
	RoundTo         int // totals are rounded to this base when above 1
	Partnership     string
	PartnershipSlug string
	Generated       time.Time
	// PrimaryOnly turns secondary suppression off. Only the attack test sets
	// it, to show that the attack would succeed without it.
	PrimaryOnly bool
}

// equation is Σ coef·value = 0 over keys.
type equation struct {
	keys []string
	coef []int64
}

// Equations are every linear relation a page publishes between its
// counts: each table's rows and columns sum to their totals, and the totals
// to the table total; a key in several tables is one quantity.
func Equations(r Raw) []equation {
	var out []equation
	seen := map[string]bool{}
	addEq := func(cells []string, total string) {
		if total == "" || len(cells) == 0 {
			return
		}
		e := equation{}
		for _, k := range cells {
			e.keys = append(e.keys, k)
			e.coef = append(e.coef, 1)
		}
		e.keys = append(e.keys, total)
		e.coef = append(e.coef, -1)
		sig := ""
		for i, k := range e.keys {
			sig += k + "\x1f" + string(rune('0'+e.coef[i]+1))
		}
		if !seen[sig] {
			seen[sig] = true
			out = append(out, e)
		}
	}
	// Σ parts ≥ whole: Σ parts − whole − extra = 0, with an extra no one
	// sees that is not negative.
	for _, a := range r.AtLeast {
		e := equation{}
		for _, k := range a.Parts {
			e.keys, e.coef = append(e.keys, k), append(e.coef, 1)
		}
		e.keys, e.coef = append(e.keys, a.Whole, ExtraKey(a.Whole)), append(e.coef, -1, -1)
		out = append(out, e)
	}
	for _, t := range r.Tables {
		if t.RowTotals != nil {
			for i, row := range t.Cells {
				addEq(row, t.RowTotals[i])
			}
		}
		if t.ColTotals != nil {
			for c := range t.ColTotals {
				var col []string
				for _, row := range t.Cells {
					col = append(col, row[c])
				}
				addEq(col, t.ColTotals[c])
			}
		}
		if t.Total != "" {
			switch {
			case t.RowTotals != nil || t.ColTotals != nil:
				if t.RowTotals != nil {
					addEq(t.RowTotals, t.Total)
				}
				if t.ColTotals != nil {
					addEq(t.ColTotals, t.Total)
				}
			default:
				var all []string
				for _, row := range t.Cells {
					all = append(all, row...)
				}
				addEq(all, t.Total)
			}
		}
	}
	return out
}

// ExtraKey names the unseen amount by which a sum of parts exceeds whole
// (Raw.AtLeast): never published, never a count to defend.
func ExtraKey(whole string) string { return "extra\x1e" + whole }

// isExtra says whether k is an unseen amount of the system (ExtraKey, or
// series.go's rises), in any cut.
func isExtra(k string) bool {
	return strings.Contains(k, "extra\x1e") || strings.Contains(k, "slack\x1e") || strings.Contains(k, "span\x1e")
}

// smallAlone are the counts of r, named with prefix, held back as small
// (1 to threshold−1) that are in no equation but an AtLeast one: nothing
// else would hold them back, so anyone can tell they are small, and they
// are known to be at most threshold−1.
func smallAlone(r Raw, threshold int, prefix string) map[string]int64 {
	inEquality := map[string]bool{}
	for _, e := range Equations(Raw{Tables: r.Tables}) {
		for _, k := range e.keys {
			inEquality[k] = true
		}
	}
	out := map[string]int64{}
	for _, a := range r.AtLeast {
		for _, k := range a.Parts {
			if v := r.Values[k]; v > 0 && v < threshold && !inEquality[k] {
				out[prefix+k] = int64(threshold - 1)
			}
		}
	}
	return out
}

// published is every key a page shows.
func published(r Raw) []string {
	set := map[string]bool{}
	for _, t := range r.Tables {
		for _, row := range t.Cells {
			for _, k := range row {
				set[k] = true
			}
		}
		for _, k := range t.RowTotals {
			set[k] = true
		}
		for _, k := range t.ColTotals {
			set[k] = true
		}
		if t.Total != "" {
			set[t.Total] = true
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Suppress is the set of keys disclosure control holds back.
func Suppress(r Raw, threshold int, primaryOnly bool) map[string]bool {
	if threshold <= 0 {
		threshold = DefaultThreshold
	}
	keys := published(r)
	held := map[string]bool{}
	for _, k := range keys {
		if v := r.Values[k]; v > 0 && v < threshold {
			held[k] = true
		}
	}
	if primaryOnly {
		return held
	}
	eqs := Equations(r)
	totals := map[string]bool{}
	for _, e := range eqs {
		totals[e.keys[len(e.keys)-1]] = true
		for _, k := range e.keys {
			if isExtra(k) {
				held[k] = true
			}
		}
	}
	defer func() {
		for k := range held {
			if isExtra(k) {
				delete(held, k)
			}
		}
	}()
	most := smallAlone(r, threshold, "")
	for range len(keys) + 1 {
		var pinned []string
		for _, k := range Pinned(eqs, r.Values, held, r.Listed, most) {
			if !isExtra(k) {
				pinned = append(pinned, k)
			}
		}
		if len(pinned) == 0 {
			return held
		}
		x := pinned[0]
		// Hold back one more count from an equation the pinned one is in:
		// the cheapest that is not zero, a cell before a total.
		best, bestScore := "", math.MaxInt
		for _, e := range eqs {
			if !slices.Contains(e.keys, x) {
				continue
			}
			for _, k := range e.keys {
				if held[k] {
					continue
				}
				score := r.Values[k]
				if score == 0 {
					score += 1 << 40
				}
				if totals[k] {
					score += 1 << 20
				}
				if score < bestScore {
					best, bestScore = k, score
				}
			}
		}
		if best == "" {
			// Every count beside it is held: hold back the first count that
			// is still published in any equation with a held one.
			for _, e := range eqs {
				for _, k := range e.keys {
					if !held[k] && best == "" {
						best = k
					}
				}
			}
		}
		if best == "" {
			return held
		}
		held[best] = true
	}
	return held
}

// Pinned names the held keys that the published counts and eqs determine
// exactly: by elimination over the rationals, or by bounds from counts
// being whole and not negative. It is the attack disclosure control
// defends against, and Suppress runs it until it finds nothing.
//
// A key in listed is known to be at least 1 (its row is shown only when
// something is counted in it), and the attack uses that too.
//
// A key in most is known to be at most that: a count held back as small
// where it is in no equation (the types of exploitation), which nothing
// else could have caused to be held back.
func Pinned(eqs []equation, vals map[string]int, held map[string]bool, listed map[string]bool, most map[string]int64) []string {
	// Equations that share no held count cannot help each other: solve each
	// connected part on its own (elimination grows with the cube of its
	// size, so this is what keeps a year's cuts quick to protect).
	parent := map[string]string{}
	var find func(string) string
	find = func(k string) string {
		p, ok := parent[k]
		if !ok || p == k {
			parent[k] = k
			return k
		}
		r := find(p)
		parent[k] = r
		return r
	}
	first := make([]string, len(eqs))
	for i, e := range eqs {
		for _, k := range e.keys {
			if !held[k] {
				continue
			}
			if first[i] == "" {
				first[i] = k
				find(k)
			} else {
				parent[find(k)] = find(first[i])
			}
		}
	}
	parts := map[string][]equation{}
	var order []string
	for i, e := range eqs {
		if first[i] == "" {
			continue
		}
		r := find(first[i])
		if _, ok := parts[r]; !ok {
			order = append(order, r)
		}
		parts[r] = append(parts[r], e)
	}
	var out []string
	for _, r := range order {
		out = append(out, pinnedIn(parts[r], vals, held, listed, most)...)
	}
	sort.Strings(out)
	return out
}

// pinnedIn is Pinned over one connected set of equations.
func pinnedIn(eqs []equation, vals map[string]int, held map[string]bool, listed map[string]bool, most map[string]int64) []string {
	var unknown []string
	idx := map[string]int{}
	for _, e := range eqs {
		for _, k := range e.keys {
			if held[k] {
				if _, ok := idx[k]; !ok {
					idx[k] = len(unknown)
					unknown = append(unknown, k)
				}
			}
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	n := len(unknown)
	var rows [][]*big.Rat // n coefficients, then the constant
	for _, e := range eqs {
		row := make([]*big.Rat, n+1)
		for i := range row {
			row[i] = new(big.Rat)
		}
		any := false
		var c int64
		for i, k := range e.keys {
			if j, ok := idx[k]; ok {
				row[j].Add(row[j], big.NewRat(e.coef[i], 1))
				any = true
			} else {
				c -= e.coef[i] * int64(vals[k])
			}
		}
		if any {
			row[n].SetInt64(c)
			rows = append(rows, row)
		}
	}
	orig := rows
	red := rref(cloneRows(rows), n)
	pinned := map[int]bool{}
	for _, row := range red {
		nz := -1
		count := 0
		for j := 0; j < n; j++ {
			if row[j].Sign() != 0 {
				count++
				nz = j
			}
		}
		if count == 1 {
			pinned[nz] = true
		}
	}
	least := make([]int64, n)
	upto := make([]*big.Rat, n)
	for j, k := range unknown {
		if listed[k] {
			least[j] = 1
		}
		if m, ok := most[k]; ok {
			upto[j] = big.NewRat(m, 1)
		}
	}
	// Bounds narrowed on reduced rows depend on the order of elimination
	// (found by the hostile review): an attacker may choose any order, so
	// three are tried, the given one, its reverse and a fixed shuffle.
	all := append(append([][]*big.Rat{}, orig...), red...)
	if n > 1 {
		rev := make([]int, n)
		for j := range n {
			rev[j] = n - 1 - j
		}
		shuf := make([]int, n)
		for j := range n {
			shuf[j] = j
		}
		rng := rand.New(rand.NewPCG(uint64(n), 15))
		rng.Shuffle(n, func(a, b int) { shuf[a], shuf[b] = shuf[b], shuf[a] })
		for _, perm := range [][]int{rev, shuf} {
			all = append(all, rrefIn(orig, n, perm)...)
		}
	}
	lo, hi := bounds(all, n, least, upto)
	for j := range n {
		if hi[j] != nil && lo[j].Cmp(hi[j]) == 0 {
			pinned[j] = true
		}
	}
	var out []string
	for j := range n {
		if pinned[j] {
			out = append(out, unknown[j])
		}
	}
	sort.Strings(out)
	return out
}

func cloneRows(rows [][]*big.Rat) [][]*big.Rat {
	out := make([][]*big.Rat, len(rows))
	for i, r := range rows {
		out[i] = make([]*big.Rat, len(r))
		for j, x := range r {
			out[i][j] = new(big.Rat).Set(x)
		}
	}
	return out
}

// rrefIn is rref with the columns taken in the order perm gives (perm[i]
// is the column eliminated i-th); the rows it returns are in the original
// columns.
func rrefIn(rows [][]*big.Rat, n int, perm []int) [][]*big.Rat {
	permuted := make([][]*big.Rat, len(rows))
	for i, r := range rows {
		p := make([]*big.Rat, n+1)
		for j := range n {
			p[j] = new(big.Rat).Set(r[perm[j]])
		}
		p[n] = new(big.Rat).Set(r[n])
		permuted[i] = p
	}
	red := rref(permuted, n)
	out := make([][]*big.Rat, len(red))
	for i, r := range red {
		o := make([]*big.Rat, n+1)
		for j := range n {
			o[perm[j]] = r[j]
		}
		o[n] = r[n]
		out[i] = o
	}
	return out
}

// rref is Gauss–Jordan elimination over the rationals of rows (n
// coefficients and a constant each); it returns the non-zero rows.
func rref(rows [][]*big.Rat, n int) [][]*big.Rat {
	r := 0
	for c := 0; c < n && r < len(rows); c++ {
		p := -1
		for i := r; i < len(rows); i++ {
			if rows[i][c].Sign() != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		rows[r], rows[p] = rows[p], rows[r]
		inv := new(big.Rat).Inv(rows[r][c])
		for j := c; j <= n; j++ {
			rows[r][j].Mul(rows[r][j], inv)
		}
		for i := range rows {
			if i == r || rows[i][c].Sign() == 0 {
				continue
			}
			f := new(big.Rat).Set(rows[i][c])
			for j := c; j <= n; j++ {
				if rows[r][j].Sign() != 0 {
					rows[i][j].Sub(rows[i][j], new(big.Rat).Mul(f, rows[r][j]))
				}
			}
		}
		r++
	}
	return rows[:r]
}

// bounds narrows each unknown from [least, ∞) by every row, as whole numbers,
// until nothing narrows. hi[j] nil is unbounded.
//
// For a row Σ a_k·x_k = b, x_j lies where a_j·x_j = b − Σ_{k≠j} a_k·x_k
// can reach. The row's sums of every term's least and greatest value (and
// how many are unbounded) are taken once per row, and each term's own part
// taken out of them, so a row costs its length, not its length squared.
func bounds(rows [][]*big.Rat, n int, least []int64, most []*big.Rat) (lo, hi []*big.Rat) {
	lo = make([]*big.Rat, n)
	hi = make([]*big.Rat, n)
	for j := range n {
		lo[j] = big.NewRat(least[j], 1)
		hi[j] = most[j]
	}
	// term gives a_k·x_k's least and greatest values; nil is unbounded.
	term := func(a *big.Rat, k int) (least, most *big.Rat) {
		l := new(big.Rat).Mul(a, lo[k])
		var h *big.Rat
		if hi[k] != nil {
			h = new(big.Rat).Mul(a, hi[k])
		}
		if a.Sign() > 0 {
			return l, h
		}
		return h, l
	}
	var nz []int
	for pass := 0; pass < 50; pass++ {
		changed := false
		for _, row := range rows {
			nz = nz[:0]
			for k := range n {
				if row[k].Sign() != 0 {
					nz = append(nz, k)
				}
			}
			sumLeast, sumMost := new(big.Rat), new(big.Rat)
			openLeast, openMost := 0, 0 // terms with no least (−∞) or no greatest (+∞) value
			for _, k := range nz {
				l, h := term(row[k], k)
				if l == nil {
					openLeast++
				} else {
					sumLeast.Add(sumLeast, l)
				}
				if h == nil {
					openMost++
				} else {
					sumMost.Add(sumMost, h)
				}
			}
			for _, j := range nz {
				a := row[j]
				l, h := term(a, j)
				// The other terms' least and greatest sums.
				restLeast, restLeastOK := new(big.Rat).Set(sumLeast), openLeast == 0
				if l == nil {
					restLeastOK = openLeast == 1
				} else {
					restLeast.Sub(restLeast, l)
				}
				restMost, restMostOK := new(big.Rat).Set(sumMost), openMost == 0
				if h == nil {
					restMostOK = openMost == 1
				} else {
					restMost.Sub(restMost, h)
				}
				// a·x_j in [b − restMost, b − restLeast].
				var min, max *big.Rat
				if restMostOK {
					min = new(big.Rat).Sub(row[n], restMost)
				}
				if restLeastOK {
					max = new(big.Rat).Sub(row[n], restLeast)
				}
				inv := new(big.Rat).Inv(a)
				var nlo, nhi *big.Rat
				if a.Sign() > 0 {
					if min != nil {
						nlo = new(big.Rat).Mul(min, inv)
					}
					if max != nil {
						nhi = new(big.Rat).Mul(max, inv)
					}
				} else {
					if max != nil {
						nlo = new(big.Rat).Mul(max, inv)
					}
					if min != nil {
						nhi = new(big.Rat).Mul(min, inv)
					}
				}
				if nlo != nil {
					nlo = ceilRat(nlo)
					if nlo.Cmp(lo[j]) > 0 {
						lo[j], changed = nlo, true
					}
				}
				if nhi != nil {
					nhi = floorRat(nhi)
					if hi[j] == nil || nhi.Cmp(hi[j]) < 0 {
						hi[j], changed = nhi, true
					}
				}
			}
		}
		if !changed {
			break
		}
	}
	return lo, hi
}

func floorRat(x *big.Rat) *big.Rat {
	q := new(big.Int)
	m := new(big.Int)
	q.DivMod(x.Num(), x.Denom(), m) // Euclidean: floor for a positive denominator
	return new(big.Rat).SetInt(q)
}

func ceilRat(x *big.Rat) *big.Rat {
	f := floorRat(x)
	if f.Cmp(x) == 0 {
		return f
	}
	return f.Add(f, big.NewRat(1, 1))
}

// Publish applies disclosure control to raw and gives the Report: a held
// back count carries no number, totals are rounded where configured, and a
// rate or median on fewer than the threshold is held back.
func Publish(raw Raw, c Config) Report {
	t := c.Threshold
	if t <= 0 {
		t = DefaultThreshold
	}
	return publishHeld(raw, Suppress(raw, t, c.PrimaryOnly), nil, c)
}

// publishHeld is Publish with the keys to hold back already decided, and
// the shares and medians to hold back besides (rateKey).
func publishHeld(raw Raw, held, heldRates map[string]bool, c Config) Report {
	t := c.Threshold
	if t <= 0 {
		t = DefaultThreshold
	}
	rep := Report{Partnership: c.Partnership, PartnershipSlug: c.PartnershipSlug, Period: raw.Period, Generated: c.Generated, Threshold: t, RoundTo: c.RoundTo}
	val := func(k string, total bool) Value {
		if held[k] {
			return Value{Kind: Count, Suppressed: true}
		}
		v := Value{Kind: Count, N: raw.Values[k]}
		if total && c.RoundTo > 1 {
			v.N = int(math.Round(float64(v.N)/float64(c.RoundTo))) * c.RoundTo
			v.Rounded = true
		}
		return v
	}
	for _, rt := range raw.Tables {
		tb := Table{ID: rt.ID, Title: rt.Title, RowHeader: rt.RowHeader, Rows: rt.Rows, Cols: rt.Cols, Notes: rt.Notes}
		for _, row := range rt.Cells {
			out := make([]Value, len(row))
			for i, k := range row {
				out[i] = val(k, false)
			}
			tb.Cells = append(tb.Cells, out)
		}
		for _, k := range rt.RowTotals {
			tb.RowTotals = append(tb.RowTotals, val(k, true))
		}
		for _, k := range rt.ColTotals {
			tb.ColTotals = append(tb.ColTotals, val(k, true))
		}
		if rt.Total != "" {
			v := val(rt.Total, true)
			tb.Total = &v
		}
		rep.Tables = append(rep.Tables, tb)
	}
	// Rates and medians: a table of their own, each held back on fewer
	// than the threshold. A share is also held back when what it is a
	// share of, or what is left, is a small count: with its denominator
	// known it would give that count.
	byTable := map[string]*Table{}
	for _, rr := range raw.Rates {
		tb := byTable[rr.Table]
		if tb == nil {
			rep.Tables = append(rep.Tables, Table{ID: rr.Table, Title: "Timeliness", RowHeader: "Measure", Cols: []string{"Figure"},
				Notes: []string{"Working days leave out weekends and bank holidays in England and Wales, as the deadlines do.",
					"A share or median is shown only when it is of at least " + itoa(t) + " decisions."}})
			tb = &rep.Tables[len(rep.Tables)-1]
			byTable[rr.Table] = tb
		}
		v := Value{Kind: rr.Kind, F: math.Round(rr.F*10) / 10}
		switch {
		case heldRates[rateKey(rr)]:
			v = Value{Kind: rr.Kind, Suppressed: true}
		case rr.Kind == Percent:
			if rr.Den < t || (rr.Num > 0 && rr.Num < t) || (rr.Den-rr.Num > 0 && rr.Den-rr.Num < t) {
				v = Value{Kind: Percent, Suppressed: true}
			}
		default:
			if rr.Den < t {
				v = Value{Kind: rr.Kind, Suppressed: true}
			}
		}
		tb.Rows = append(tb.Rows, rr.Row)
		tb.Cells = append(tb.Cells, []Value{v})
	}
	return rep
}

// rateKey names a share or median the same in every cut of a year.
func rateKey(rr RawRate) string { return rr.Table + "\x1f" + rr.Row }
