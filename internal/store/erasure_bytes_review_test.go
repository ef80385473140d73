package store_test

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §9: once a case is erased and the erasure scrubbed, the SQLite files hold
// none of its blind-index entries: not in search_tokens, and not in
// search_viewer_tokens, whose keys (viewer, token hash, raised time, case
// id) are copied into the b-tree's inner pages as dividers and are not
// cleared by secure_delete when a leaf row is deleted.
func TestAnErasedCasesSearchEntriesLeaveNoByteInTheFile(t *testing.T) {
	db := storetest.SQLite(t)
	f := newSearchFixture(t, db)
	// Enough cases for the index b-trees to have inner pages, whose
	// dividers copy keys; many more in the full run, so that more of them
	// are an erased case's.
	n := 400
	if testing.Short() {
		n = 150
	}
	var ids []string
	for i := range n {
		ids = append(ids, f.raise(t, f.p.Teacher, fmt.Sprintf("Child%03d", i), "Example-Family", "Nick"))
	}
	tokens := map[string][]string{}
	for _, id := range ids {
		rows, err := db.SQL().QueryContext(f.ctx, `SELECT token_hash FROM search_tokens WHERE case_id = $1`, id)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var h string
			if err := rows.Scan(&h); err != nil {
				t.Fatal(err)
			}
			tokens[id] = append(tokens[id], h)
		}
		rows.Close()
	}
	var file string
	if err := db.SQL().QueryRowContext(f.ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file); err != nil {
		t.Fatal(err)
	}
	// Erase every case whose own tokens (its given name's) appear in the
	// file only as its own: each such token hash is this case's alone.
	var erased []string
	for i, id := range ids {
		if i%7 != 3 {
			continue
		}
		if err := db.Update(f.ctx, func(tx *store.Tx) error {
			return tx.EraseCase(store.Erasure{CaseID: id, At: f.clock.Now(), By: f.p.Manager.User.ID, Reason: "Raised about the wrong child", LegalBasis: "Article 17(1)(d)"})
		}); err != nil {
			t.Fatal(err)
		}
		erased = append(erased, id)
	}
	if err := db.Scrub(f.ctx); err != nil {
		t.Fatal(err)
	}
	shared := map[string]int{}
	for _, hs := range tokens {
		for _, h := range hs {
			shared[h]++
		}
	}
	var data []byte
	for _, name := range []string{file, file + "-wal"} {
		b, err := os.ReadFile(name)
		if err == nil {
			data = append(data, b...)
		}
	}
	present := 0
	for _, id := range ids[:20] {
		for _, h := range tokens[id] {
			if bytes.Contains(data, []byte(h)) {
				present++
			}
		}
	}
	if present == 0 {
		t.Fatal("no blind-index entry of a kept case is found in the file: the test looks for the wrong bytes")
	}
	left := 0
	for _, id := range erased {
		for _, h := range tokens[id] {
			if shared[h] == 1 && bytes.Contains(data, []byte(h)) {
				left++
				if left <= 3 {
					t.Errorf("the erased case %s's own blind-index entry %s is still in the file", id, h)
				}
			}
		}
	}
	if left > 0 {
		t.Errorf("%d blind-index entries of %d erased cases are still in the file", left, len(erased))
	}
}
