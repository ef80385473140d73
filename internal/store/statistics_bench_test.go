package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"waymark/internal/catalog"
	"waymark/internal/stats"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Benchmarks of the statistics (issue 15, docs/performance.md): a year's
// figures read from the statistics read model, counted and published under
// disclosure control, for one partnership of 10,000 cases and for a whole
// deployment of 1,000,000 cases in 100 partnerships. The rows are written
// straight into the read model (what the projection would have written);
// nothing is timed but the read, the count and the disclosure control.
//
//	nice -n 19 go test ./internal/store -run '^$' -bench BenchmarkStatisticsYear -benchtime 5x
//
// with TEST_DATABASE_URL set for PostgreSQL as well.

func seedStatistics(b *testing.B, db *store.DB, cases, partnerships int) {
	b.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(15, uint64(cases)))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	const batch = 400
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	var cs, es []string
	var cargs, eargs []any
	flush := func() {
		if len(cs) > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO stats_cases(token, partnership_id, raised_month, contact_month, exploitation_types, age_band, gender, nationality,
				referrer_kind, nrm_on, first_responder, decision_maker, rg_outcome, rg_on, cg_outcome, cg_on) VALUES `+strings.Join(cs, ","), cargs...); err != nil {
				b.Fatal(err)
			}
		}
		if len(es) > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO stats_events(token, partnership_id, month, kind, detail, outcome, due_on) VALUES `+strings.Join(es, ","), eargs...); err != nil {
				b.Fatal(err)
			}
		}
		cs, es, cargs, eargs = cs[:0], es[:0], cargs[:0], eargs[:0]
	}
	ph := func(n, from int) string {
		p := make([]string, n)
		for i := range p {
			p[i] = fmt.Sprintf("$%d", from+i)
		}
		return "(" + strings.Join(p, ",") + ")"
	}
	for i := range cases {
		part := fmt.Sprintf("p%02d", i%partnerships)
		if partnerships == 1 {
			part = ""
		}
		y := 2023 + rng.IntN(3)
		m := 1 + rng.IntN(12)
		month := fmt.Sprintf("%d-%02d", y, m)
		day := fmt.Sprintf("%s-%02d", month, 1+rng.IntN(28))
		var nrm, fr, maker, rgOut, rgOn, cgOut, cgOn string
		if rng.IntN(3) == 0 {
			nrm, fr, maker = day, pick("Police", "Children's Services", "Barnardo's"), pick("sca", "panel")
			rgOut, rgOn = pick("positive", "negative"), day
			if rng.IntN(2) == 0 {
				cgOut, cgOn = "positive", fmt.Sprintf("%d-%02d-15", y+1, m)
			}
		}
		tok := fmt.Sprintf("t%09d", i)
		cs = append(cs, ph(16, len(cargs)+1))
		cargs = append(cargs, tok, part, month, month, pick("cse", "cce", "labour"), pick("0-11", "12-15", "16-17", ""), pick("female", "male", "unknown"),
			pick("British", "Albanian", "Vietnamese", "Eritrean"), pick("police", "school", "health"), nrm, fr, maker, rgOut, rgOn, cgOut, cgOn)
		es = append(es, ph(7, len(eargs)+1))
		eargs = append(eargs, tok, part, month, "clock", "notify_childrens_services", pick("met", "met", "missed"), day)
		if rng.IntN(2) == 0 {
			es = append(es, ph(7, len(eargs)+1))
			eargs = append(eargs, tok, part, month, pick("strategy_discussion", "meeting", "missing_episode"), "", "", "")
		}
		if len(cs) == batch {
			flush()
		}
	}
	flush()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkStatisticsYear(b *testing.B) {
	cat := catalog.MustLoad()
	per, _ := stats.ParsePeriod("2024")
	o := stats.Options{Period: per, Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Calendar: cat.Holidays,
		Group: func(id string) string {
			if t, ok := cat.ExploitationType(id); ok {
				return t.StatisticsGroup
			}
			return ""
		}}
	for _, size := range []struct {
		name                string
		cases, partnerships int
		all                 bool
	}{
		{"partnership-10k", 10_000, 1, false},
		{"deployment-1m", 1_000_000, 100, true},
	} {
		for _, st := range storetest.Stores(b) {
			seeded := false
			b.Run(st.Name+"/"+size.name, func(b *testing.B) {
				if !seeded { // the function runs more than once (b.N = 1 first)
					seedStatistics(b, st.DB, size.cases, size.partnerships)
					seeded = true
				}
				ctx := context.Background()
				b.ResetTimer()
				for range b.N {
					var cs []stats.CaseRow
					var es []stats.EventRow
					err := st.DB.View(ctx, func(tx *store.Tx) error {
						var err error
						cs, es, err = tx.StatisticsRows("", size.all, "2024-01", "2025-01")
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
					rep := stats.Publish(stats.Tally(cs, es, o), stats.Config{})
					if len(rep.Tables) == 0 {
						b.Fatal("no tables")
					}
				}
			})
		}
	}
}
