package casework_test

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// writeTarget is the table an INSERT, UPDATE or DELETE writes to.
var writeTarget = regexp.MustCompile(`^\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+([a-z_]+)`)

// A note changes the case's log and its row in cases, and nothing of its
// members, clocks or search tokens: those rows are not deleted and written
// again, as they were on every event. Member rows are re-sealed in place
// (their seals cover the case's version, so a removed row cannot be put
// back with an old seal), one row each and nothing more.
func TestAnEventThatChangesNoMemberClockOrTokenWritesNoneOfThoseRows(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		var members int
		if err := db.SQL().QueryRowContext(p.ctx, `SELECT COUNT(*) FROM case_members WHERE case_id = $1`, id).Scan(&members); err != nil {
			t.Fatal(err)
		}
		written := map[string]int64{}
		var mu sync.Mutex
		db.ObserveStatements(func(q string, rows int64) {
			if m := writeTarget.FindStringSubmatch(q); m != nil && rows > 0 {
				mu.Lock()
				written[m[1]] += rows
				mu.Unlock()
			}
		})
		err := p.svc.Act(p.ctx, p.CSWorker, id, p.version(id), pathway.AddNote{Text: "Spoke to the school nurse."})
		db.ObserveStatements(nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"clocks", "search_tokens"} {
			if written[table] != 0 {
				t.Errorf("a note wrote %d rows of %s, want none", written[table], table)
			}
		}
		if written["case_members"] != int64(members) {
			t.Errorf("a note wrote %d member rows, want the %d re-sealed in place", written["case_members"], members)
		}
		if written["case_events"] != 1 || written["cases"] != 1 {
			t.Errorf("a note wrote %d events and %d case rows, want 1 and 1", written["case_events"], written["cases"])
		}
		// And what is stored is still exactly what the log gives.
		if r, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("verify after the note: %+v, %v", r, err)
		}
	})
}

// annex step 1: many people recording contacts at once, while others'
// commands are refused, get references that are all different and follow
// on from each other: a refused command takes no number.
func TestContactReferencesStayUniqueAndGapFreeWhileOthersAreRefused(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		const n = 6
		ids := make([]string, n)
		for i := range ids {
			ids[i] = p.raise()
		}
		refs := make([]string, n)
		errs := make([]error, 3*n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, id := range ids {
			wg.Go(func() {
				<-start
				refs[i], errs[i] = p.svc.RecordContact(p.ctx, p.CSWorker, id, 1, "phone", "Called by the school's DSL")
			})
			wg.Go(func() { // refused by the pathway's rules: no method
				<-start
				_, errs[n+i] = p.svc.RecordContact(p.ctx, p.CSWorker, id, 1, "", "No method given")
			})
			wg.Go(func() { // refused: the referrer may not record the contact
				<-start
				_, errs[2*n+i] = p.svc.RecordContact(p.ctx, p.Teacher, id, 1, "phone", "Not theirs to record")
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("recording contact %d: %v", i, errs[i])
			}
			for _, err := range []error{errs[n+i], errs[2*n+i]} {
				if err == nil { // refused by its rules, or as stale once the contact is in
					t.Fatal("a command that should be refused was accepted")
				}
			}
		}
		var numbers []int
		for _, ref := range refs {
			i := strings.LastIndex(ref, "-")
			num, err := strconv.Atoi(ref[i+1:])
			if err != nil {
				t.Fatalf("reference %q: %v", ref, err)
			}
			numbers = append(numbers, num)
		}
		sort.Ints(numbers)
		for i, num := range numbers {
			if num != i+1 {
				t.Fatalf("reference numbers %v, want 1 to %d, each once", numbers, n)
			}
		}
		// The next one follows on.
		next := p.raise()
		if ref := p.contact(next); !strings.HasSuffix(ref, fmt.Sprintf("-%06d", n+1)) {
			t.Fatalf("the next reference is %s, want number %d", ref, n+1)
		}
	})
}
