package casework_test

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

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
		mustVerify(t, db, "after the note")
	})
}

// ownRowReads are the statements with which saving a case's read models
// reads (or clears) the rows the case already has, one per read model.
var ownRowReads = []string{
	"SELECT token_hash FROM search_tokens WHERE case_id",
	"SELECT key_hash FROM person_match_keys WHERE case_id",
	"SELECT digest FROM person_match_records WHERE case_id",
	"FROM clocks WHERE case_id",
	"FROM queue_items WHERE case_id",
	"FROM entity_keys WHERE case_id",
	"FROM stats_events WHERE token",
	"DELETE FROM closed_cases WHERE case_id",
	"UPDATE case_viewers SET updated_at",
	"DELETE FROM case_members WHERE case_id",
}

// countOwnRowReads runs fn, counting the statements of ownRowReads it runs.
func countOwnRowReads(t *testing.T, db *store.DB, fn func() error) map[string]int {
	t.Helper()
	seen := map[string]int{}
	var mu sync.Mutex
	db.ObserveStatements(func(q string, _ int64) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range ownRowReads {
			if strings.Contains(q, r) {
				seen[r]++
			}
		}
	})
	err := fn()
	db.ObserveStatements(nil)
	if err != nil {
		t.Fatal(err)
	}
	return seen
}

// §5.1: a concern raised files a new case. It has no read-model rows yet
// (a case gets them only from its events, and none are ever deleted), so
// filing it reads none first: at a million cases each such read is a walk
// of a large index while the write holds the connection every page's audit
// entry waits for. The rows it writes are still exactly what its log gives,
// and the case's next event reads them as before.
func TestFilingAConcernReadsNoRowsOfTheNewCase(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		var id string
		seen := countOwnRowReads(t, db, func() error {
			var err error
			id, err = p.svc.RaiseConcern(p.ctx, p.Teacher, storetest.ValidConcern(p.clock.Now()))
			return err
		})
		if len(seen) != 0 {
			t.Errorf("filing the concern read the new case's own rows: %v", seen)
		}
		mustVerify(t, db, "after the raise")
		// The next event reads what it moves: the count above sees what it
		// looks for (TestANoteReadsNoneOfTheCasesRowsItDoesNotChange sees the rest).
		seen = countOwnRowReads(t, db, func() error {
			return p.svc.Act(p.ctx, p.CSWorker, id, p.version(id), pathway.AddNote{Text: "Spoke to the school nurse."})
		})
		if seen["UPDATE case_viewers SET updated_at"] != 1 || seen["DELETE FROM case_members WHERE case_id"] != 1 {
			t.Errorf("a note on the case read %v, want its viewers and members among them", seen)
		}
		mustVerify(t, db, "after the note")
	})
}

// A note changes nothing of the child, their clocks, queues or entities:
// the write that records it knows the read models the case had (it read
// and checked the case's log in the same transaction), so it neither
// reads nor writes those rows. Only what every event moves is touched:
// the viewers' last activity and the members' seals. A change of the
// child's details still rewrites what it changes, and what is stored is
// still exactly what the log gives.
func TestANoteReadsNoneOfTheCasesRowsItDoesNotChange(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		seen := countOwnRowReads(t, db, func() error {
			return p.svc.Act(p.ctx, p.CSWorker, id, p.version(id), pathway.AddNote{Text: "Spoke to the school nurse."})
		})
		// The statistics are left alone too: the case row says they are
		// filed under the partnership they would be written under now
		// (TestANoteLeavesTheCountsAloneUnlessTheCaseHasMovedPartnership).
		want := map[string]int{"UPDATE case_viewers SET updated_at": 1, "DELETE FROM case_members WHERE case_id": 1}
		if !maps.Equal(seen, want) {
			t.Errorf("a note read or cleared %v of the case's own rows, want only %v", seen, want)
		}
		mustVerify(t, db, "after the note")
		// A corrected name changes the child's search tokens, match keys
		// and record: those are read and rewritten.
		seen = countOwnRowReads(t, db, func() error {
			return p.svc.Act(p.ctx, p.CSWorker, id, p.version(id), pathway.CorrectChildDetails{GivenNames: "Marisol", FamilyName: "Fairweather-Quist", Reason: "Told us her real name"})
		})
		for _, r := range []string{"SELECT token_hash FROM search_tokens WHERE case_id", "SELECT key_hash FROM person_match_keys WHERE case_id", "SELECT digest FROM person_match_records WHERE case_id"} {
			if seen[r] != 1 {
				t.Errorf("a new alias ran %q %d times, want once", r, seen[r])
			}
		}
		mustVerify(t, db, "after the alias")
		if found, _, err := p.svc.SearchPage(p.ctx, p.Teacher, "fairweather", nil); err != nil || len(found) != 1 || found[0].ID != id {
			t.Errorf("a search for the corrected name found %+v, %v; want the case %s", found, err, id)
		}
	})
}

// A search token deleted behind Waymark's back (to hide a case from a
// search for the child's name) is still there for `waymark verify` to name
// after the case's next note: the note leaves the tokens it does not
// change alone, so it neither reads nor quietly writes them back over the
// evidence. A rebuild puts them right.
func TestATokenDeletedBehindWaymarksBackIsStillNamedAfterTheNextNote(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		if _, err := db.SQL().ExecContext(p.ctx, `DELETE FROM search_tokens WHERE case_id = $1`, id); err != nil {
			t.Fatal(err)
		}
		named := func(when string) {
			t.Helper()
			_, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true})
			var te *store.TamperError
			if !errors.As(err, &te) || te.CaseID != id || !strings.Contains(te.Reason, "search_tokens") {
				t.Fatalf("verify %s: %v, want the case's search tokens named", when, err)
			}
		}
		named("after the delete")
		if err := p.svc.Act(p.ctx, p.CSWorker, id, p.version(id), pathway.AddNote{Text: "Spoke to the school nurse."}); err != nil {
			t.Fatal(err)
		}
		named("after the next note")
		if _, err := p.svc.RebuildReadModels(p.ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("verify after a rebuild: %v", err)
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

// A write reads each thing once: the head it chains onto is the one its own
// load of the case checked (not read again), the case's data key and its
// erasure come in one query, the search index key is the one the process
// keeps, the case_viewers rows are moved and named by one statement, and
// search tokens that do not change run no write at all. The queue rows a
// contact moves go in one statement and come in another.
func TestRecordingAContactReadsEachThingOnceAndBatchesItsQueueRows(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		p.contact(p.raise()) // the process has seen the search index key
		id := p.raise()
		version := p.version(id)
		var stmts []string
		var mu sync.Mutex
		db.ObserveStatements(func(q string, rows int64) {
			mu.Lock()
			stmts = append(stmts, strings.Join(strings.Fields(q), " "))
			mu.Unlock()
		})
		_, err := p.svc.RecordContact(p.ctx, p.CSWorker, id, version, "phone", "Called by the school's DSL")
		db.ObserveStatements(nil)
		if err != nil {
			t.Fatal(err)
		}
		count := func(pattern string) int {
			re := regexp.MustCompile(pattern)
			n := 0
			for _, q := range stmts {
				if re.MatchString(q) {
					n++
				}
			}
			return n
		}
		for _, c := range []struct {
			what    string
			pattern string
			most    int
		}{
			{"reads of the case's head apart from its load", `FROM case_events WHERE case_id = \$1 ORDER BY seq DESC`, 0},
			{"reads of data keys", `FROM data_keys`, 1},
			{"look-ups of the case's erasure on their own", `^SELECT MIN\(seq\) FROM audit_log`, 0},
			{"reads of case_viewers before they are moved", `^SELECT [a-z_, ]+ FROM case_viewers`, 0},
			{"writes of unchanged search tokens", `^(INSERT INTO|DELETE FROM) search_tokens`, 0},
			{"statements deleting queue rows", `^DELETE FROM queue_items`, 1},
			{"statements inserting queue rows", `^INSERT INTO queue_items`, 1},
		} {
			if n := count(c.pattern); n > c.most {
				t.Errorf("%d %s, want at most %d:\n%s", n, c.what, c.most, strings.Join(stmts, "\n"))
			}
		}
		// The contact did move two queue rows and start its clock.
		if n := count(`^INSERT INTO queue_items\(.* VALUES \(.*\), \(`); n != 1 {
			t.Errorf("the contact's queue rows were not inserted together:\n%s", strings.Join(stmts, "\n"))
		}
		mustVerify(t, db, "after the contact")
	})
}

// A write onto a case whose last event was altered in the database is
// refused, as the case page is, and leaves the log as it was: the head a
// write chains onto is one its load checked.
func TestAWriteOntoAForgedEventIsRefusedAndWritesNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		if _, err := db.SQL().ExecContext(p.ctx, `UPDATE case_events SET actor_id = $1 WHERE case_id = $2 AND seq = 2`, p.Manager.User.ID, id); err != nil {
			t.Fatal(err)
		}
		err := p.svc.RecordOutcome(p.ctx, p.CSWorker, id, 2, "strategy-discussion", "Strategy discussion today at 2pm")
		if err == nil || !strings.Contains(err.Error(), "event 2: its seal does not match") {
			t.Fatalf("an outcome onto a forged event: %v", err)
		}
		var events int
		if err := db.SQL().QueryRowContext(p.ctx, `SELECT COUNT(*) FROM case_events WHERE case_id = $1`, id).Scan(&events); err != nil {
			t.Fatal(err)
		}
		if events != 2 {
			t.Fatalf("the log holds %d events, want the 2 it had", events)
		}
	})
}

// Clocks and search tokens are read and compared before anything is
// written: a note, which changes neither, runs no statement that writes
// them (it used to run a delete and an insert of each that changed nothing).
func TestANoteRunsNoStatementWritingClocksOrSearchTokens(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		version := p.version(id)
		var writes []string
		var mu sync.Mutex
		db.ObserveStatements(func(q string, rows int64) {
			if m := writeTarget.FindStringSubmatch(q); m != nil && (m[1] == "clocks" || m[1] == "search_tokens") {
				mu.Lock()
				writes = append(writes, strings.Join(strings.Fields(q), " "))
				mu.Unlock()
			}
		})
		err := p.svc.Act(p.ctx, p.CSWorker, id, version, pathway.AddNote{Text: "Spoke to the school nurse."})
		db.ObserveStatements(nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(writes) != 0 {
			t.Errorf("a note ran %d statements writing clocks or search tokens:\n%s", len(writes), strings.Join(writes, "\n"))
		}
		mustVerify(t, db, "after the note")
	})
}

// partialEquality is a partial index's condition that a column equals a
// constant, as SQLite's schema spells it: WHERE queue = 'inbox.urgent'.
var partialEquality = regexp.MustCompile(`(?i)\bWHERE\s+([a-z_]+)\s*=\s*'[^']*'`)

// SQLite plans a statement that compares a column with a bare parameter
// against every partial index whose condition names that column equal to a
// constant, with the value bound, and then compiles the statement again
// each time it runs with a new value. No statement that recording a
// contact or an outcome runs does so: each is compiled once per connection.
func TestAnAppendRunsNoStatementSQLiteMustCompileAgainForEachValue(t *testing.T) {
	db := storetest.SQLite(t)
	p := newPartnership(t, db)
	rows, err := db.SQL().QueryContext(p.ctx, `SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	var bare []*regexp.Regexp
	for rows.Next() {
		var ddl string
		if err := rows.Scan(&ddl); err != nil {
			t.Fatal(err)
		}
		for _, m := range partialEquality.FindAllStringSubmatch(ddl, -1) {
			bare = append(bare, regexp.MustCompile(`(?i)(\b`+m[1]+`\s*=\s*\$\d+|\$\d+\s*=\s*(?:[a-z_]+\.)?`+m[1]+`\b)`))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(bare) == 0 {
		t.Fatal("found no partial index on a column equal to a constant; the test checks nothing")
	}
	var stmts []string
	var mu sync.Mutex
	db.ObserveStatements(func(q string, _ int64) {
		mu.Lock()
		stmts = append(stmts, strings.Join(strings.Fields(q), " "))
		mu.Unlock()
	})
	id := p.raise()
	p.contact(id) // moves the case's queue rows
	p.outcome(id)
	// The lists every team member opens most (§5, §6): the inbox walks
	// the queue rows by queue, owner and lane, My work likewise.
	if _, _, err := p.svc.InboxPage(p.ctx, p.CSWorker, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.svc.MyWorkPage(p.ctx, p.CSWorker, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.svc.SearchPage(p.ctx, p.CSWorker, "Amira", nil); err != nil {
		t.Fatal(err)
	}
	db.ObserveStatements(nil)
	for _, q := range stmts {
		for _, re := range bare {
			if re.MatchString(q) {
				t.Errorf("a statement compares a column of a partial index's condition with a bare parameter (%s):\n%s", re.FindString(q), q)
			}
		}
	}
}

// A clock written before clocks named their owner's organisation (only the
// person who owns it) is filed under that person's organisation as it is
// when the case's read models are saved. A note on such a case compares
// its clocks and queue rows with what is stored, rather than leaving them
// as the state before it gives them: so a person moved to another
// organisation since takes the clock, and their "My work" entry, with
// them at the case's next event, and verify agrees.
func TestAClockOfAPersonWhoMovedOrganisationFollowsThemAtTheNextNote(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		owner := p.SocialWorker.User
		// The clock as an older release wrote it: an owner, no organisation.
		if err := db.Update(p.ctx, func(tx *store.Tx) error {
			c, _, err := tx.LoadCase(id)
			if err != nil {
				return err
			}
			at := p.clock.Now()
			e := pathway.Event{CaseID: id, Seq: c.Version + 1, Type: pathway.EventNoteAdded, Data: pathway.NoteAdded{Text: "Agreed actions"},
				Actor: p.SocialWorker.Actor(p.svc.Catalog).Party, At: at,
				Clocks: []pathway.ClockChange{{Start: &pathway.Clock{ID: "legacy-action", Kind: pathway.ClockMeetingAction, Label: "Visit the school",
					StartedAt: at, DueAt: at.Add(72 * time.Hour), OwnerUserID: owner.ID, OwnerName: owner.Name}}}}
			if err := tx.AppendEvents(id, c.Version, []pathway.Event{e}); err != nil {
				return err
			}
			return tx.SaveProjectionFrom(c, pathway.Apply(c, e), at)
		}); err != nil {
			t.Fatal(err)
		}
		ownerOrg := func() string {
			t.Helper()
			var org string
			if err := db.SQL().QueryRowContext(p.ctx, `SELECT owner_org_id FROM clocks WHERE case_id = $1 AND clock_id = 'legacy-action'`, id).Scan(&org); err != nil {
				t.Fatal(err)
			}
			return org
		}
		if got := ownerOrg(); got != owner.OrgID {
			t.Fatalf("the clock is filed under %q, want its owner's organisation %q", got, owner.OrgID)
		}
		// Their identity provider puts them in the police's organisation.
		if err := db.Update(p.ctx, func(tx *store.Tx) error {
			return tx.SetUserAccess(owner.ID, p.Police.ID, owner.Role, owner.Name)
		}); err != nil {
			t.Fatal(err)
		}
		if err := p.svc.Act(p.ctx, p.CSWorker, id, p.version(id), pathway.AddNote{Text: "Spoke to the school nurse."}); err != nil {
			t.Fatal(err)
		}
		if got := ownerOrg(); got != p.Police.ID {
			t.Errorf("after the next note the clock is filed under %q, want the owner's organisation now, %q", got, p.Police.ID)
		}
		mustVerify(t, db, "after the note")
	})
}

// A case filed and written to again in one transaction: its first save
// inserts its rows without reading any (it is new), and the second
// compares with the rows the first wrote, as any later event does. What
// is stored is what the log gives.
func TestANewCaseSavedTwiceInOneTransactionIsStoredAsItsLogGives(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := "case-filed-then-noted"
		now := p.clock.Now()
		err := db.Update(p.ctx, func(tx *store.Tx) error {
			var c pathway.Case
			for _, cmd := range []pathway.Command{
				pathway.RaiseConcern{CaseID: id, Concern: storetest.ValidConcern(now), ChildrensServicesOrg: p.ChildrensServices.ID},
				pathway.AddNote{Text: "Told the designated safeguarding lead."},
			} {
				events, err := p.svc.Pathway.Decide(c, p.Teacher.Actor(p.svc.Catalog), cmd, now)
				if err != nil {
					return err
				}
				if err := tx.AppendEvents(id, c.Version, events); err != nil {
					return err
				}
				after := c
				for _, e := range events {
					after = pathway.Apply(after, e)
				}
				if err := tx.SaveProjectionFrom(c, after, events[len(events)-1].At); err != nil {
					return err
				}
				c = after
			}
			return nil
		})
		if err != nil {
			t.Fatalf("filing the case and noting it in one transaction: %v", err)
		}
		if r, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("verify: %+v, %v", r, err)
		}
	})
}

// A concern is filed under the day it was raised (access.NewDatedID): its
// id, and its draft's, lead with the UTC day of Waymark's clock, so a day's
// new cases are written side by side in every table keyed by case. Ids of
// a later day sort after.
func TestAConcernIsFiledUnderTheDayItWasRaised(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		day := func(at time.Time) string { return fmt.Sprintf("%04x", at.Unix()/86400) }
		first := p.raise()
		d, err := p.svc.NewDraft(p.ctx, p.Teacher)
		if err != nil {
			t.Fatal(err)
		}
		if want := day(p.clock.Now()); first[:4] != want || d.ID[:4] != want {
			t.Fatalf("a concern raised on %s has id %s and a draft %s, want both led by %s",
				p.clock.Now().Format(time.DateOnly), first, d.ID, want)
		}
		p.clock.Advance(24 * time.Hour)
		next := p.raise()
		if next[:4] != day(p.clock.Now()) || next <= first {
			t.Fatalf("a concern raised the next day has id %s, which does not sort after %s", next, first)
		}
		mustVerify(t, db, "after the raises")
	})
}
