package casework_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// TestViewingTheOverviewOpensNoOtherCase: the case overview says that a
// likely earlier record of the child exists and how strong it is (issue 14
// §1) from what was worked out when the child's details were recorded; a
// view decrypts no other case and writes one audit entry, not one for every
// candidate compared (§6.5: need to know, every read audited).
func TestViewingTheOverviewOpensNoOtherCase(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		first := p.raise(bornOnAmirasBirthday)
		p.clock.Advance(21 * 24 * 3600e9)
		again := p.raise(raisedAgainUnderAlias)
		from := p.auditHead()
		for range 3 {
			l, err := p.svc.CaseLinksOverview(p.ctx, p.CSWorker, again)
			if err != nil {
				t.Fatal(err)
			}
			if l.Summary.Found != 1 || l.Summary.Strongest == "" || l.Summary.Strongest == "weak" || len(l.Earlier) != 0 {
				t.Fatalf("the overview's summary is %+v (earlier %+v), want one possible earlier record and no details", l.Summary, l.Earlier)
			}
		}
		for _, e := range p.auditSince(from) {
			if e.CaseID == first || strings.Contains(e.Detail, "compared for matching") {
				t.Errorf("a view of the overview wrote %s on %s: %q", e.Action, e.CaseID, e.Detail)
			}
		}
		if n := len(p.auditSince(from)); n != 3 {
			t.Errorf("three views of the overview wrote %d audit entries, want 3", n)
		}
		// The earlier case's overview holds the later one too.
		if l, err := p.svc.CaseLinksOverview(p.ctx, p.CSWorker, first); err != nil || l.Summary.Found != 1 {
			t.Errorf("the earlier case's overview: %+v, %v", l.Summary, err)
		}
		// The page compares afresh, audited on the earlier case.
		from = p.auditHead()
		if recs := earlier(t, p, p.CSWorker, again); len(recs) != 1 {
			t.Fatalf("the page shows %d earlier records", len(recs))
		}
		var compared bool
		for _, e := range p.auditSince(from) {
			compared = compared || (e.CaseID == first && strings.Contains(e.Detail, "compared for matching"))
		}
		if !compared {
			t.Error("opening the earlier-records page audited no comparison on the earlier case")
		}
	})
}

// TestEditingAChildsDetailsOverAndOverIsHeldAsPossibleProbing: a team
// member who corrects their own child's details again and again to learn
// another child's from how the match changes is stopped after a day's
// limit: the change is compared with nothing, audited as possible probing,
// and the earlier-records page compares nothing until the next day (§6.5;
// docs/security.md).
func TestEditingAChildsDetailsOverAndOverIsHeldAsPossibleProbing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		p.raise(bornOnAmirasBirthday)
		again := p.raise(raisedAgainUnderAlias) // the first comparison of the day
		from := p.auditHead()
		for i := range 10 {
			err := p.svc.Act(p.ctx, p.CSWorker, again, p.version(again), pathway.CorrectChildDetails{GivenNames: fmt.Sprintf("Mimi%c", 'a'+i), FamilyName: "Hoxha", Reason: "Told us another name"})
			if err != nil {
				t.Fatal(err)
			}
		}
		var probing int
		for _, e := range p.auditSince(from) {
			if strings.Contains(e.Detail, "possible probing") {
				probing++
				if e.ActorID != p.CSWorker.User.ID || e.CaseID != again {
					t.Errorf("the probing entry names %s on %s", e.ActorID, e.CaseID)
				}
			}
		}
		if probing != 1 {
			t.Errorf("%d changes past the limit audited as possible probing, want 1", probing)
		}
		_, err := p.svc.EarlierRecords(p.ctx, p.CSWorker, again)
		if !casework.IsEarlierHeld(err) {
			t.Fatalf("the earlier-records search past the limit: %v, want held", err)
		}
		l, err := p.svc.CaseLinks(p.ctx, p.CSWorker, again)
		if err != nil || !l.EarlierHeld || len(l.Earlier) != 0 {
			t.Fatalf("the links page past the limit: %+v, %v", l, err)
		}
		// The next day the search runs again.
		p.clock.Advance(24 * 3600e9)
		if _, err := p.svc.EarlierRecords(p.ctx, p.CSWorker, again); err != nil {
			t.Errorf("the next day: %v", err)
		}
	})
}

// TestAnEarlierRecordHintHoldsNoMoreThanThePageShows: when the same child
// is referred again and again (issue 14 §1), each new case is put in the
// hints of the cases it was compared with. Those hints keep the strongest
// records the page shows and no more, so a child referred many times does
// not make every later referral decrypt, decode and re-seal an ever longer
// list in the write that files it.
func TestAnEarlierRecordHintHoldsNoMoreThanThePageShows(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		var cases []string
		for range 9 {
			cases = append(cases, p.raise(bornOnAmirasBirthday))
			p.clock.Advance(24 * 3600e9)
		}
		for _, id := range cases {
			var h store.EarlierHint
			if err := db.View(p.ctx, func(tx *store.Tx) error {
				var err error
				h, err = tx.EarlierHint(id)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if len(h.Found) != 5 {
				t.Errorf("case %s's hint holds %d earlier records of the child, want the 5 the page shows", id, len(h.Found))
			}
			for i := 1; i < len(h.Found); i++ {
				if h.Found[i].Probability > h.Found[i-1].Probability {
					t.Errorf("case %s's hint is not strongest first: %+v", id, h.Found)
				}
			}
		}
		l, err := p.svc.CaseLinksOverview(p.ctx, p.CSWorker, cases[0])
		if err != nil || l.Summary.Found != 5 {
			t.Errorf("the first case's overview: %+v, %v; want 5 possible earlier records", l.Summary, err)
		}
	})
}

// TestErasedRecordsDoNotCrowdALiveOneOutOfAHint: duplicates of a referral
// raised by mistake and erased (Article 17) keep no place among the five
// records another case's hint holds, so a later genuine referral of the
// same child still shows on the older case's overview.
func TestErasedRecordsDoNotCrowdALiveOneOutOfAHint(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		lead, token := p.privacyLead()
		older := p.raise(bornOnAmirasBirthday)
		var dups []string
		for range 5 {
			dups = append(dups, p.raise(bornOnAmirasBirthday))
		}
		for _, d := range dups {
			if err := p.svc.EraseCase(p.ctx, lead, token, storetest.Password, d, "Concern raised twice by mistake: a duplicate", "art17-1d"); err != nil {
				t.Fatal(err)
			}
		}
		p.clock.Advance(21 * 24 * 3600e9)
		later := p.raise(raisedAgainUnderAlias)
		l, err := p.svc.CaseLinksOverview(p.ctx, p.CSWorker, older)
		if err != nil || l.Summary.Found != 1 {
			t.Errorf("the older case's overview: %+v, %v; want the later referral %s as one possible earlier record", l.Summary, err, later)
		}
	})
}

// hintOf reads a case's stored earlier-records hint.
func hintOf(t *testing.T, p *partnership, caseID string) store.EarlierHint {
	t.Helper()
	var h store.EarlierHint
	if err := p.db.View(p.ctx, func(tx *store.Tx) error {
		var err error
		h, err = tx.EarlierHint(caseID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return h
}

func hintHolds(h store.EarlierHint, caseID string) bool {
	for _, f := range h.Found {
		if f.CaseID == caseID {
			return true
		}
	}
	return false
}

// TestAChildRaisedWhileAnotherRaiseComparedIsStillFound: a raise counts
// its child's too common keys in a snapshot before it writes (so the write
// lock every page waits on is held for less), and the write walks the
// other keys itself. The same child raised by someone else in between, as
// when two practitioners refer a child on the same morning, is still found
// by both cases' hints, and the raise audits every comparison, each on the
// case compared (§4.8, §6.5).
func TestAChildRaisedWhileAnotherRaiseComparedIsStillFound(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		first := p.raise(bornOnAmirasBirthday)
		var between string
		casework.SetAfterCommonKeys(p.svc, func() { between = p.raise(bornOnAmirasBirthday) })
		from := p.auditHead()
		again := p.raise(raisedAgainUnderAlias)
		if between == "" {
			t.Fatal("nothing was raised between the snapshot and the write")
		}
		h := hintOf(t, p, again)
		if !hintHolds(h, first) || !hintHolds(h, between) {
			t.Fatalf("the hint of the case raised last holds %+v, want the first case %s and the one raised in between %s", h.Found, first, between)
		}
		if !hintHolds(hintOf(t, p, between), again) {
			t.Errorf("the case raised in between does not hold the case raised after it in its hint")
		}
		compared := map[string]bool{}
		for _, e := range p.auditSince(from) {
			if strings.Contains(e.Detail, "compared for matching with case "+again) {
				compared[e.CaseID] = true
			}
		}
		if !compared[first] || !compared[between] {
			t.Errorf("the raise audited comparisons on %v, want both %s and %s", compared, first, between)
		}
	})
}

// TestAnEarlierRecordChangedSinceTheSnapshotIsComparedAsItIsNow: a case
// whose child's details are corrected between a raise's snapshot and its
// write is compared as it is now, not as it was when the raise began: a
// child corrected into someone else born the same day (filed under a key
// the raise still shares) is not held as a possible earlier record, while
// an uncorrected record of the same child is.
func TestAnEarlierRecordChangedSinceTheSnapshotIsComparedAsItIsNow(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		first := p.raise(bornOnAmirasBirthday)
		p.contact(first)
		unchanged := p.raise(bornOnAmirasBirthday)
		casework.SetAfterCommonKeys(p.svc, func() {
			if err := p.svc.Act(p.ctx, p.CSWorker, first, p.version(first), pathway.CorrectChildDetails{
				GivenNames: "Tomasz", FamilyName: "Nowak", DateOfBirth: amiraBorn, Reason: "Misidentified at the school gate",
			}); err != nil {
				t.Fatal(err)
			}
		})
		again := p.raise(raisedAgainUnderAlias)
		h := hintOf(t, p, again)
		if hintHolds(h, first) {
			t.Fatalf("the hint holds %+v: the earlier case was compared as it was, not as it is now", h.Found)
		}
		if !hintHolds(h, unchanged) {
			t.Fatalf("the hint holds %+v, not the uncorrected record of the same child %s: the test proves nothing", h.Found, unchanged)
		}
	})
}

// matchReads counts, while it observes db, the walks of match keys (by
// rows or counted) and the openings of match records.
type matchReads struct {
	mu           sync.Mutex
	walks, opens int
}

func (m *matchReads) observe(db *store.DB) {
	db.ObserveStatements(func(q string, _ int64) {
		m.mu.Lock()
		defer m.mu.Unlock()
		switch {
		case strings.Contains(q, "FROM person_match_keys WHERE key_hash"):
			m.walks++
		case strings.Contains(q, "SELECT r.record,"):
			m.opens++
		}
	})
}

// TestARefusedDraftSendComparesNothing: a draft sent at a version it no
// longer has (or sent already) is refused before anything of the child is
// looked up: no key of it is walked, no other case's record is opened, and
// the refusal takes as long whether or not the child is on record. A
// comparison happens only in a send that files the case, audited there.
func TestARefusedDraftSendComparesNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		p.raise(bornOnAmirasBirthday)
		d, err := p.svc.NewDraft(p.ctx, p.Teacher)
		if err != nil {
			t.Fatal(err)
		}
		c := storetest.ValidConcern(p.clock.Now())
		bornOnAmirasBirthday(&c)
		version, err := p.svc.SaveDraft(p.ctx, p.Teacher, d.ID, d.Version, casework.DraftAnswers{Concern: c})
		if err != nil {
			t.Fatal(err)
		}
		from := p.auditHead()
		var m matchReads
		m.observe(db)
		_, err = p.svc.SubmitDraft(p.ctx, p.Teacher, d.ID, version-1)
		db.ObserveStatements(nil)
		wantCode(t, err, waymark.ECONFLICT)
		if m.walks != 0 || m.opens != 0 {
			t.Errorf("a refused send walked %d match keys and opened %d match records, want none", m.walks, m.opens)
		}
		for _, e := range p.auditSince(from) {
			if strings.Contains(e.Detail, "compared for matching") {
				t.Errorf("a refused send audited a comparison on %s", e.CaseID)
			}
		}
		// Sent at its version, it is compared, in the write.
		m = matchReads{}
		m.observe(db)
		id, err := p.svc.SubmitDraft(p.ctx, p.Teacher, d.ID, version)
		db.ObserveStatements(nil)
		if err != nil {
			t.Fatal(err)
		}
		if m.walks == 0 || m.opens != 1 {
			t.Errorf("the send walked %d match keys and opened %d match records, want some and the one earlier case", m.walks, m.opens)
		}
		if h := hintOf(t, p, id); len(h.Found) != 1 {
			t.Errorf("the sent draft's hint holds %+v, want the earlier case", h.Found)
		}
	})
}

// TestRaisesOfOneChildOnANewDatabaseFindEachOther: concerns about the same
// child raised at once, as on the first morning, find each other. On a
// database with no case yet there is no search key until the first case
// is filed, so a snapshot taken before that hashes the child's keys under
// a key that matches nothing: the write hashes them itself. On PostgreSQL
// the raises' transactions overlap, and each would walk the keys before
// the other's filing was committed: a comparison waits for another under
// the same key (store.LockMatchKeys).
func TestRaisesOfOneChildOnANewDatabaseFindEachOther(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		const n = 4
		ids := make(chan string, n)
		errs := make(chan error, n)
		start := make(chan struct{})
		for range n {
			go func() {
				<-start
				c := storetest.ValidConcern(p.clock.Now())
				bornOnAmirasBirthday(&c)
				id, err := p.svc.RaiseConcern(p.ctx, p.Teacher, c)
				ids <- id
				errs <- err
			}()
		}
		close(start)
		var raised []string
		for range n {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
			raised = append(raised, <-ids)
		}
		for _, id := range raised {
			h := hintOf(t, p, id)
			for _, other := range raised {
				if other != id && !hintHolds(h, other) {
					t.Errorf("case %s's hint holds %+v, not the same child's case %s raised beside it", id, h.Found, other)
				}
			}
		}
	})
}

// TestARaiseLeavesTheHintOfAWeakCandidateUnread: a case being filed is in
// no other case's hint yet, so a candidate it matches below "possible" has
// its hint left alone, not read and written back, in the write every page
// waits on; the comparison is still audited on that case.
func TestARaiseLeavesTheHintOfAWeakCandidateUnread(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		first := p.raise(bornOnAmirasBirthday)
		var hints int
		var mu sync.Mutex
		casework.SetAfterCommonKeys(p.svc, func() {
			db.ObserveStatements(func(q string, _ int64) {
				if strings.Contains(q, "FROM earlier_record_hints") {
					mu.Lock()
					hints++
					mu.Unlock()
				}
			})
		})
		from := p.auditHead()
		// Born the same day (so filed under the same key, and compared),
		// another child.
		other := p.raise(func(c *pathway.Concern) {
			c.Child.GivenNames, c.Child.FamilyName, c.Child.Aliases, c.Child.DateOfBirth = "Jordan", "Smith", nil, amiraBorn
			c.Child.Gender, c.Child.Nationality = "male", "Polish"
		})
		db.ObserveStatements(nil)
		if hintHolds(hintOf(t, p, other), first) || hintHolds(hintOf(t, p, first), other) {
			t.Fatal("a different child is held in a hint")
		}
		if hints != 1 {
			t.Errorf("the write read earlier-record hints %d times, want once (the new case's own)", hints)
		}
		var audited bool
		for _, e := range p.auditSince(from) {
			audited = audited || (e.CaseID == first && strings.Contains(e.Detail, "compared for matching with case "+other))
		}
		if !audited {
			for _, e := range p.auditSince(from) {
				t.Logf("%s %s %s %q", e.ActorID, e.CaseID, e.Action, e.Detail)
			}
			t.Error("the weak candidate's comparison was not audited on it")
		}
	})
}

// TestACorrectionDoesNotWaitOnACommonKey: on PostgreSQL a comparison takes
// a lock on each of the child's matching keys it walks, so that two raises
// of the same child beside each other find each other (store.LockMatchKeys).
// A key filing more than store.HotMatchKey cases is not compared on, and a
// raise finds such keys before it writes and locks none of them; a
// correction of the child's details does the same in its write. So while
// another transaction holds such a key (a raise or correction of another
// child with the same common name), the correction goes ahead; before, it
// waited for that transaction to end. (SQLite runs one write at a time and
// takes no such lock.)
func TestACorrectionDoesNotWaitOnACommonKey(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		if db.Dialect != store.Postgres {
			t.Skip("SQLite takes no lock per matching key")
		}
		p := newPartnership(t, db)
		id := p.raise(bornOnAmirasBirthday)
		corrected := p.loadCase(id)
		corrected.Concern.Child.GivenNames, corrected.Concern.Child.FamilyName = "Amina", "Begum"
		var keys []string
		if err := db.View(p.ctx, func(tx *store.Tx) error {
			var err error
			keys, err = tx.MatchKeyHashes(pathway.MatchPerson(corrected))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		// Every key of the corrected child files more than HotMatchKey cases.
		for _, k := range keys {
			if _, err := db.SQL().ExecContext(p.ctx, `INSERT INTO person_match_keys(key_hash, case_id)
				SELECT $1, 'common-' || g FROM generate_series(1, $2) g ON CONFLICT DO NOTHING`, k, store.HotMatchKey+1); err != nil {
				t.Fatal(err)
			}
		}
		// Another transaction holds the lock of every one of them.
		locked, release, held := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			held <- db.Update(p.ctx, func(tx *store.Tx) error {
				if err := tx.LockMatchKeys(keys); err != nil {
					return err
				}
				close(locked)
				<-release
				return nil
			})
		}()
		<-locked
		done := make(chan error, 1)
		go func() {
			done <- p.svc.Act(p.ctx, p.CSWorker, id, p.version(id), pathway.CorrectChildDetails{GivenNames: "Amina", FamilyName: "Begum", DateOfBirth: amiraBorn, Reason: "Told us her real name"})
		}()
		deadline := time.NewTimer(20 * time.Second)
		defer deadline.Stop()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("the correction: %v", err)
			}
		case <-deadline.C:
			close(release)
			<-done
			t.Fatal("the correction waited for another transaction holding the lock of a key too common to compare on")
		}
		close(release)
		if err := <-held; err != nil {
			t.Fatal(err)
		}
	})
}
