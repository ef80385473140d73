package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// Whatever a case's viewers and search tokens were and become (either,
// both or neither changing, lists with repeats, everything gone), its
// search_viewer_tokens rows after saveViewerTokens are exactly the cross of
// what they became, and no other case's rows are touched.
func TestSearchByViewerIsAlwaysTheCrossOfViewersAndTokens(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	raised := time.Date(2026, 3, 10, 9, 0, 0, 123456789, time.UTC)
	pick := func(r *rand.Rand, prefix string) []string {
		var out []string
		for range r.IntN(5) {
			out = append(out, fmt.Sprintf("%s%d", prefix, r.IntN(4)))
		}
		return out
	}
	rows := func(caseID string) []string {
		var out []string
		rs, err := db.sql.QueryContext(ctx, `SELECT viewer || '/' || token_hash FROM search_viewer_tokens WHERE case_id = $1 ORDER BY 1`, caseID)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		for rs.Next() {
			var s string
			rs.Scan(&s)
			out = append(out, s)
		}
		return out
	}
	cross := func(vs, ts []string) []string {
		var out []string
		for _, v := range vs {
			for _, h := range ts {
				out = append(out, v+"/"+h)
			}
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	r := rand.New(rand.NewPCG(1, 2))
	vs, ts := map[string][]string{}, map[string][]string{}
	for i := range 400 {
		id := fmt.Sprintf("case-%d", i%3)
		nv, nt := pick(r, "p:"), pick(r, "h")
		if err := db.Update(ctx, func(tx *Tx) error {
			return tx.saveViewerTokens(id, raised, vs[id], nv, ts[id], nt)
		}); err != nil {
			t.Fatal(err)
		}
		vs[id], ts[id] = nv, nt
		for c := range vs {
			if got, want := rows(c), cross(vs[c], ts[c]); !slices.Equal(got, want) {
				t.Fatalf("step %d: %s has %v, want %v", i, c, got, want)
			}
		}
	}
}
