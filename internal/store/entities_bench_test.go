package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Link analysis over 1,000,000 cases (issue 14 §3): where a case's entities
// recur, and a page of the partnership's network of recurring entities, on
// a database whose entity_keys and entity_counts are seeded in bulk,
// directly, with a realistic spread: most entities in one case, some in a
// few, a few in many (docs/performance.md, link analysis).
//
//	go test ./internal/store -run '^$' -bench BenchmarkEntityLinkAnalysis -benchtime 2000x
//
// WAYMARK_BENCH_ENTITY_CASES changes the number of cases (1,000,000 by
// default). Skipped under -short.

// entitySpread is the seeded distribution, per case: one entity of its
// own (a name, a handle), then, in a rising share of cases, entities shared
// by a few cases (an address, a car), by dozens (a phone used by a line) and
// by thousands (a handful of hubs).
type entitySpread struct {
	cases int
}

func (s entitySpread) hash(kind string, n int) string {
	h := sha256.Sum256([]byte(kind + strconv.Itoa(n)))
	return hex.EncodeToString(h[:16])
}

// keysOf gives a case's entity keys: kind and hash.
func (s entitySpread) keysOf(i int, r *rand.Rand) [][2]string {
	out := [][2]string{{"person", s.hash("own", i)}}
	if r.IntN(2) == 0 { // half have a second entity of their own
		out = append(out, [2]string{"handle", s.hash("own2", i)})
	}
	if r.IntN(10) == 0 { // 10%: an address shared by about 3 cases
		out = append(out, [2]string{"address", s.hash("few", r.IntN(s.cases/30+1))})
	}
	if r.IntN(50) == 0 { // 2%: a phone shared by about 40 cases
		out = append(out, [2]string{"phone", s.hash("line", r.IntN(s.cases/2000+1))})
	}
	if r.IntN(500) == 0 { // 0.2%: one of 10 hubs, each in about 200 cases per million
		out = append(out, [2]string{"vehicle", s.hash("hub", r.IntN(10))})
	}
	return out
}

func seedEntities(b *testing.B, db *store.DB, n int) {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	raised := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	// The one Children's Services team every seeded case belongs to, in the
	// default partnership: recurrence is read within a case's partnership.
	if _, err := tx.ExecContext(ctx, `INSERT INTO organisations(id, name, kind, created_at) VALUES ('org-cs', 'Bench Children''s Services', 'local-authority', $1)`, raised); err != nil {
		b.Fatal(err)
	}
	const batch = 400
	var caseVals, keyVals []string
	var caseArgs, keyArgs []any
	flush := func() {
		if len(caseVals) > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cases(id, reference, stage, child_name, search_text, referrer_user_id, referrer_org_id, cs_org_id,
				family_suspected, age_uncertain, immediate_risk, raised_at, updated_at, version) VALUES `+strings.Join(caseVals, ", "), caseArgs...); err != nil {
				b.Fatal(err)
			}
		}
		if len(keyVals) > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO entity_keys(case_id, key_hash, kind, partnership_id) VALUES `+strings.Join(keyVals, ", ")+` ON CONFLICT DO NOTHING`, keyArgs...); err != nil {
				b.Fatal(err)
			}
		}
		caseVals, keyVals, caseArgs, keyArgs = caseVals[:0], keyVals[:0], caseArgs[:0], keyArgs[:0]
	}
	s := entitySpread{cases: n}
	r := rand.New(rand.NewPCG(14, 2))
	for i := range n {
		id := fmt.Sprintf("case-%07d", i)
		at := raised.Add(time.Duration(i) * time.Minute)
		p := len(caseArgs)
		caseVals = append(caseVals, fmt.Sprintf("($%d, $%d, 'outcome_given', '', $%d, 'u', 'org-school', 'org-cs', FALSE, FALSE, FALSE, $%d, $%d, 3)", p+1, p+2, p+3, p+4, p+5))
		ref := fmt.Sprintf("CS-2025-%07d", i)
		caseArgs = append(caseArgs, id, ref, strings.ToLower(ref), at, at)
		for _, k := range s.keysOf(i, r) {
			q := len(keyArgs)
			keyVals = append(keyVals, fmt.Sprintf("($%d, $%d, $%d, 'default')", q+1, q+2, q+3))
			keyArgs = append(keyArgs, id, k[1], k[0])
		}
		if len(caseVals) == batch {
			flush()
		}
	}
	flush()
	if _, err := tx.ExecContext(ctx, `INSERT INTO entity_counts(partnership_id, key_hash, kind, cases) SELECT partnership_id, key_hash, MIN(kind), COUNT(*) FROM entity_keys GROUP BY partnership_id, key_hash`); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	var keys, recurring int
	db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM entity_keys`).Scan(&keys)
	db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM entity_counts WHERE cases >= 2`).Scan(&recurring)
	b.Logf("seeded %d cases, %d entity keys, %d recurring entities in %s", n, keys, recurring, time.Since(start).Round(time.Second))
}

// percentile is the p-th percentile (0–100) of the sorted durations.
func entityPercentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p / 100)
	return sorted[i]
}

func reportLatencies(b *testing.B, ds []time.Duration) {
	slices.Sort(ds)
	b.ReportMetric(float64(entityPercentile(ds, 50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(entityPercentile(ds, 99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(ds[len(ds)-1].Microseconds())/1000, "max-ms")
}

func BenchmarkEntityLinkAnalysis(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds a million cases: not under -short")
	}
	n := 1_000_000
	if v := os.Getenv("WAYMARK_BENCH_ENTITY_CASES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	for _, st := range storetest.Stores(b) {
		db := st.DB
		b.Run(st.Name, func(b *testing.B) {
			seedEntities(b, db, n)
			ctx := context.Background()
			// The cases asked about: any case, and a fifth of the time one
			// with a shared entity (the ones a chair looks at).
			shared := entityBenchColumn(b, db, `SELECT case_id FROM entity_keys k JOIN entity_counts c ON c.key_hash = k.key_hash WHERE c.cases >= 2 LIMIT 5000`)
			r := rand.New(rand.NewPCG(1, 2))
			b.Run("recurrence", func(b *testing.B) {
				ds := make([]time.Duration, 0, b.N)
				found := 0
				for b.Loop() {
					id := fmt.Sprintf("case-%07d", r.IntN(n))
					if r.IntN(5) == 0 {
						id = shared[r.IntN(len(shared))]
					}
					t0 := time.Now()
					if err := db.View(ctx, func(tx *store.Tx) error {
						rec, err := tx.EntityRecurrence(id, []string{"default"}, 20)
						found += len(rec)
						return err
					}); err != nil {
						b.Fatal(err)
					}
					ds = append(ds, time.Since(t0))
				}
				if found == 0 {
					b.Fatal("no recurrence found: the seed is wrong")
				}
				reportLatencies(b, ds)
			})
			b.Run("network-page", func(b *testing.B) {
				// Cursors along the whole network, to start pages from.
				var starts []*store.Cursor
				var at *store.Cursor
				for {
					var page store.Page
					if err := db.View(ctx, func(tx *store.Tx) (err error) {
						_, page, err = tx.RecurringEntitiesPage("default", at, 25, 20)
						return err
					}); err != nil {
						b.Fatal(err)
					}
					starts = append(starts, at)
					if page.Next == nil || len(starts) > 2000 {
						break
					}
					at = page.Next
				}
				ds := make([]time.Duration, 0, b.N)
				for b.Loop() {
					at := starts[r.IntN(len(starts))]
					t0 := time.Now()
					if err := db.View(ctx, func(tx *store.Tx) error {
						list, _, err := tx.RecurringEntitiesPage("default", at, 25, 20)
						if err == nil && len(list) == 0 {
							err = fmt.Errorf("an empty page")
						}
						return err
					}); err != nil {
						b.Fatal(err)
					}
					ds = append(ds, time.Since(t0))
				}
				reportLatencies(b, ds)
			})
		})
	}
}

func entityBenchColumn(b *testing.B, db *store.DB, q string) []string {
	b.Helper()
	rows, err := db.SQL().QueryContext(context.Background(), q)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			b.Fatal(err)
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		b.Fatal("nothing seeded")
	}
	return out
}
