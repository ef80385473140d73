package casework_test

import (
	"slices"
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

// reviewedCases lists the closed cases on v's retention review.
func reviewedCases(w *handOverWorld, v casework.Viewer) []string {
	return reviewed(w, v, casework.ReviewClosedCase)
}

// reviewed lists the items of one kind on the viewer's retention review.
func reviewed(w *handOverWorld, v casework.Viewer, kind string) []string {
	w.t.Helper()
	items, err := w.svc.RetentionReview(w.ctx, v)
	if err != nil {
		w.t.Fatal(err)
	}
	var ids []string
	for _, it := range items {
		if it.Kind == kind {
			ids = append(ids, it.ID)
		}
	}
	return ids
}

// moveOrganisation puts an organisation into another partnership, as an
// administrator does in `waymark partnerships`.
func moveOrganisation(w *handOverWorld, orgID, partnershipID string) {
	w.t.Helper()
	if err := moveOrganisationErr(w, orgID, partnershipID); err != nil {
		w.t.Fatal(err)
	}
}

// A closed case is reviewed for retention by the partnership its Children's
// Services organisation is in (§4.3): when the organisation moves to another
// partnership, its closed cases leave the first one's review and join the
// second's; a case reopened leaves the review, and one erased leaves it for
// good. verify agrees with each step.
func TestAClosedCaseIsReviewedWhereItsOrganisationIsNow(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		w.svc.Retention = casework.RetentionPolicy{ClosedCaseYears: 1, UnsentDraftDays: 10, AuditYears: 50}
		police := signInPerson(w, "priya", w.Police.ID, pathway.RolePartnershipLead) // stays in the first partnership
		verify := func(when string) {
			t.Helper()
			if _, err := db.Verify(w.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
				t.Errorf("verify %s: %v", when, err)
			}
		}
		w.outcome(w.caseID)
		w.closeCase(w.caseID)
		open := w.raise() // never closed: never reviewed
		w.clock.Advance(400 * 24 * time.Hour)
		if got := reviewedCases(w, police); !slices.Equal(got, []string{w.caseID}) {
			t.Fatalf("the first partnership's review: %q, want the closed case only (not %s)", got, open)
		}
		if got := reviewedCases(w, w.westLead); len(got) != 0 {
			t.Errorf("Westshire's review before the move: %q", got)
		}

		moveOrganisation(w, w.ChildrensServices.ID, "westshire")
		if got := reviewedCases(w, police); len(got) != 0 {
			t.Errorf("the first partnership's review after its Children's Services moved away: %q", got)
		}
		if err := w.svc.KeepRecord(w.ctx, police, casework.ReviewClosedCase, w.caseID, "Kept by the partnership it left"); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("the partnership it left keeps the case: %v", err)
		}
		if got := reviewedCases(w, w.westLead); !slices.Equal(got, []string{w.caseID}) {
			t.Errorf("Westshire's review after the move: %q, want the closed case", got)
		}
		verify("after the move")

		if err := w.svc.Act(w.ctx, w.SocialWorker, w.caseID, w.version(w.caseID), pathway.ReopenCase{Reason: "The child went missing again"}); err != nil {
			t.Fatal(err)
		}
		if got := reviewedCases(w, w.westLead); len(got) != 0 {
			t.Errorf("a reopened case is still reviewed: %q", got)
		}
		verify("after reopening")

		w.closeCase(w.caseID)
		w.clock.Advance(400 * 24 * time.Hour)
		if got := reviewedCases(w, w.westLead); !slices.Equal(got, []string{w.caseID}) {
			t.Fatalf("Westshire's review once the case closed again: %q", got)
		}
		err := db.Update(w.ctx, func(tx *store.Tx) error {
			return tx.EraseCase(store.Erasure{CaseID: w.caseID, At: w.clock.Now(), By: w.westLead.User.ID, Reason: "Past its retention period", LegalBasis: "Article 17(1)(a)"})
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := reviewedCases(w, w.westLead); len(got) != 0 {
			t.Errorf("an erased case is still reviewed: %q", got)
		}
		verify("after the erasure")
	})
}

// On PostgreSQL a case may be closed while an administrator moves its
// Children's Services organisation to another partnership. The closure
// waits for the move and files the case for the review of the partnership
// it is now in, so it is neither lost to both reviews nor shown to the one
// it left. (SQLite lets one writer in at a time.)
func TestACaseClosedDuringItsOrganisationsMoveIsReviewedWhereItIsNow(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		if db.Dialect != store.Postgres {
			t.Skip("SQLite writers take turns")
		}
		w := newHandOverWorld(t, db)
		w.svc.Retention = casework.RetentionPolicy{ClosedCaseYears: 1, UnsentDraftDays: 10, AuditYears: 50}
		police := signInPerson(w, "priya", w.Police.ID, pathway.RolePartnershipLead)
		w.outcome(w.caseID)
		version := w.version(w.caseID)
		commit := holdOrganisationMove(t, w, w.ChildrensServices.ID, "westshire")
		closed := make(chan error, 1)
		go func() {
			closed <- w.svc.Act(w.ctx, w.SocialWorker, w.caseID, version, pathway.CloseCase{NoNRMReason: "No indicators of exploitation after assessment.", Reason: "Child safe and settled; no further action", Monitoring: "School keeps watch"})
		}()
		waitForLockWaiters(t, w, 1) // the closure waits for the move
		if err := commit(); err != nil {
			t.Fatal(err)
		}
		if err := <-closed; err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(400 * 24 * time.Hour)
		if got := reviewedCases(w, w.westLead); !slices.Equal(got, []string{w.caseID}) {
			t.Errorf("Westshire's review: %q, want the case closed during the move", got)
		}
		if got := reviewedCases(w, police); len(got) != 0 {
			t.Errorf("the review of the partnership it left: %q", got)
		}
		if _, err := db.Verify(w.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Errorf("verify after the move: %v", err)
		}
	})
}

// A draft started while its writer's organisation moves to another
// partnership is filed under the partnership the organisation moved to
// (§4.3): on PostgreSQL saving it waits for the move, then reads where the
// organisation is. (A move that starts after the save waits for it, and
// then takes the draft along.)
func TestADraftStartedDuringItsOrganisationsMoveIsReviewedWhereItIsNow(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		if db.Dialect != store.Postgres {
			t.Skip("SQLite writers take turns")
		}
		w := newHandOverWorld(t, db)
		w.svc.Retention = casework.RetentionPolicy{ClosedCaseYears: 1, UnsentDraftDays: 10, AuditYears: 50}
		police := signInPerson(w, "priya", w.Police.ID, pathway.RolePartnershipLead)
		commit := holdOrganisationMove(t, w, w.Colleague.User.OrgID, "westshire")
		started := make(chan error, 1)
		var draft string
		go func() {
			d, err := w.svc.NewDraft(w.ctx, w.Colleague)
			draft = d.ID
			started <- err
		}()
		waitForLockWaiters(t, w, 1) // the draft waits for the move
		if err := commit(); err != nil {
			t.Fatal(err)
		}
		if err := <-started; err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(30 * 24 * time.Hour)
		if got := reviewed(w, w.westLead, casework.ReviewUnsentDraft); !slices.Equal(got, []string{draft}) {
			t.Errorf("Westshire's review: %q, want the draft started during the move", got)
		}
		if got := reviewed(w, police, casework.ReviewUnsentDraft); len(got) != 0 {
			t.Errorf("the review of the partnership it left: %q", got)
		}
		if _, err := db.Verify(w.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Errorf("verify after the move: %v", err)
		}
	})
}

// held runs fn in a transaction of its own and holds it open, once fn has
// returned, until commit is called.
func held(t *testing.T, w *handOverWorld, fn func(tx *store.Tx) error) (commit func() error) {
	t.Helper()
	done, release, finished := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		finished <- w.db.Update(w.ctx, func(tx *store.Tx) error {
			if err := fn(tx); err != nil {
				return err
			}
			close(done)
			<-release
			return nil
		})
	}()
	var once sync.Once
	let := func() { once.Do(func() { close(release) }) }
	t.Cleanup(let)
	select {
	case <-done:
	case err := <-finished:
		t.Fatalf("the held transaction: %v", err)
	}
	return func() error { let(); return <-finished }
}

// waitedFor runs fn in a transaction of its own once another holds a lock
// it needs: it waits until fn's transaction waits on a lock, commits the
// other (commit), then returns fn's result.
func waitedFor(t *testing.T, w *handOverWorld, commit func() error, fn func(tx *store.Tx) error) error {
	t.Helper()
	finished := make(chan error, 1)
	go func() { finished <- w.db.Update(w.ctx, fn) }()
	waitForLockWaiters(t, w, 1)
	if err := commit(); err != nil {
		t.Fatal(err)
	}
	return <-finished
}

// A person's drafts are filed where the person and their organisation end
// up when their identity provider moves them while an administrator moves
// an organisation, in whichever order the two meet (§4.3, PostgreSQL;
// SQLite writers take turns): a draft started during the person's move,
// a person moved into an organisation that is moving, and an organisation
// moved while a person is moving out of it. verify agrees each time.
func TestDraftsAreFiledWhereTheirWriterEndsUpWhenMovesMeet(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		if db.Dialect != store.Postgres {
			t.Skip("SQLite writers take turns")
		}
		w := newHandOverWorld(t, db)
		filed := func(id string) string {
			t.Helper()
			var p string
			if err := db.SQL().QueryRowContext(w.ctx, `SELECT partnership_id FROM concern_drafts WHERE id = $1`, id).Scan(&p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		verify := func(when string) {
			t.Helper()
			if _, err := db.Verify(w.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
				t.Errorf("%s: verify: %v", when, err)
			}
		}
		moveUser := func(v casework.Viewer, org string) func(tx *store.Tx) error {
			return func(tx *store.Tx) error { return tx.SetUserAccess(v.User.ID, org, v.User.Role, v.User.Name) }
		}
		moveOrg := func(org, partnership string) func(tx *store.Tx) error {
			return func(tx *store.Tx) error { return tx.SetOrganisationPartnership(org, partnership) }
		}

		// A draft started while its writer moves to Westshire.
		commit := held(t, w, moveUser(w.Colleague, "org-west"))
		var draft string
		if err := waitedFor(t, w, commit, func(tx *store.Tx) error {
			draft = "draft-during-move"
			return tx.InsertDraft(store.Draft{ID: draft, UserID: w.Colleague.User.ID, Data: []byte(`{}`), CreatedAt: w.clock.Now()})
		}); err != nil {
			t.Fatal(err)
		}
		if got := filed(draft); got != "westshire" {
			t.Errorf("a draft started during its writer's move is filed under %q, want westshire", got)
		}
		verify("a draft started during its writer's move")

		// The writer moved into Southshire's Children's Services while it
		// moves to Westshire.
		commit = held(t, w, moveOrg("org-south-cs", "westshire"))
		if err := waitedFor(t, w, commit, moveUser(w.Colleague, "org-south-cs")); err != nil {
			t.Fatal(err)
		}
		if got := filed(draft); got != "westshire" {
			t.Errorf("a writer moved into an organisation during its move: draft filed under %q, want westshire", got)
		}
		verify("a writer moved into an organisation during its move")

		// That organisation moved back to Southshire while the writer
		// moves out of it, to the police.
		commit = held(t, w, moveUser(w.Colleague, w.Police.ID))
		if err := waitedFor(t, w, commit, moveOrg("org-south-cs", "southshire")); err != nil {
			t.Fatal(err)
		}
		if got, want := filed(draft), partnershipOfOrg(t, w, w.Police.ID); got != want {
			t.Errorf("an organisation moved while its writer moves out: draft filed under %q, want %q", got, want)
		}
		verify("an organisation moved while its writer moves out")
	})
}

// A person sending a concern draft while their identity provider moves
// them to another organisation (PostgreSQL): the move waits for the send,
// which locked the draft, and neither fails.
func TestSendingADraftWhileItsWriterIsMovedFailsNeither(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		if db.Dialect != store.Postgres {
			t.Skip("SQLite writers take turns")
		}
		w := newHandOverWorld(t, db)
		d, err := w.svc.NewDraft(w.ctx, w.Colleague)
		if err != nil {
			t.Fatal(err)
		}
		v, err := w.svc.SaveDraft(w.ctx, w.Colleague, d.ID, d.Version, casework.DraftAnswers{Concern: storetest.ValidConcern(w.clock.Now())})
		if err != nil {
			t.Fatal(err)
		}
		paused, resume := make(chan struct{}), make(chan struct{})
		var once sync.Once
		casework.SetBeforeAppend(w.svc, func() { once.Do(func() { close(paused); <-resume }) })
		sent := make(chan error, 1)
		go func() {
			_, err := w.svc.SubmitDraft(w.ctx, w.Colleague, d.ID, v)
			sent <- err
		}()
		<-paused // the draft is locked by its sending
		moved := make(chan error, 1)
		go func() {
			moved <- db.Update(w.ctx, func(tx *store.Tx) error {
				return tx.SetUserAccess(w.Colleague.User.ID, "org-west", w.Colleague.User.Role, w.Colleague.User.Name)
			})
		}()
		waitForLockWaiters(t, w, 1) // the move waits for the draft
		close(resume)
		if err := <-sent; err != nil {
			t.Errorf("sending the draft: %v", err)
		}
		if err := <-moved; err != nil {
			t.Errorf("moving its writer: %v", err)
		}
		if _, err := db.Verify(w.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Errorf("verify: %v", err)
		}
	})
}

// partnershipOfOrg is the partnership Waymark takes an organisation to be in.
func partnershipOfOrg(t *testing.T, w *handOverWorld, org string) string {
	t.Helper()
	var p string
	if err := w.db.View(w.ctx, func(tx *store.Tx) (err error) {
		p, err = tx.OrganisationPartnership(org)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return p
}

// Someone with write access to the database file points a closed case's
// cases row and its retention row at another partnership's organisation
// (both read models). That partnership's lead does not see the case on
// their review and cannot keep it: only an organisation the case's sealed
// member rows name as its Children's Services counts. Its own partnership
// does not list it either while the rows say otherwise; verify names it.
func TestAClosedCasePointedAtAnotherPartnershipBehindWaymarksBackIsNotOnItsReview(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		w.svc.Retention = casework.RetentionPolicy{ClosedCaseYears: 1, UnsentDraftDays: 10, AuditYears: 50}
		w.outcome(w.caseID)
		w.closeCase(w.caseID)
		w.clock.Advance(400 * 24 * time.Hour)
		police := signInPerson(w, "priya", w.Police.ID, pathway.RolePartnershipLead)
		if got := reviewedCases(w, police); !slices.Equal(got, []string{w.caseID}) {
			t.Fatalf("the first partnership's review before: %q, want the closed case", got)
		}
		for _, q := range []string{`UPDATE cases SET cs_org_id = 'org-west' WHERE id = $1`, `UPDATE closed_cases SET partnership_id = 'westshire' WHERE case_id = $1`} {
			if _, err := db.SQL().ExecContext(w.ctx, q, w.caseID); err != nil {
				t.Fatal(err)
			}
		}
		if got := reviewedCases(w, w.westLead); len(got) != 0 {
			t.Errorf("Westshire's review lists another partnership's case pointed at it: %q", got)
		}
		if err := w.svc.KeepRecord(w.ctx, w.westLead, casework.ReviewClosedCase, w.caseID, "Kept"); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("Westshire's lead keeps it: %v", err)
		}
		if _, err := db.Verify(w.ctx, store.VerifyOptions{ReadModels: true}); err == nil {
			t.Error("verify passed the case pointed at Westshire")
		}
	})
}

// closed_cases is a read model: verify names a row deleted (the case would
// never come up for review), one moved to another partnership (its review
// would show the case) and one given another closure, and a rebuild writes
// the rows again from the cases' histories.
func TestVerifyFindsAForgedRetentionReviewRowAndRebuildRestoresIt(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		w.outcome(w.caseID)
		w.closeCase(w.caseID)
		type forgery struct {
			what, sql string
			args      []any
		}
		forgeries := []forgery{
			{"a deleted row", `DELETE FROM closed_cases`, nil},
			{"a row moved to another partnership", `UPDATE closed_cases SET partnership_id = 'westshire'`, nil},
			{"a row given another closure", `UPDATE closed_cases SET closed_at = $1`, []any{time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}},
		}
		if db.Dialect == store.SQLite { // a column of any type takes any value
			forgeries = append(forgeries,
				forgery{"the closure written in another spelling", `UPDATE closed_cases SET closed_at = strftime('%Y-%m-%dT%H:%M:%SZ', substr(closed_at, 1, 19))`, nil},
				forgery{"the closure made no time at all", `UPDATE closed_cases SET closed_at = 'garbage'`, nil})
		}
		for _, forge := range forgeries {
			if _, err := db.SQL().ExecContext(w.ctx, forge.sql, forge.args...); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Verify(w.ctx, store.VerifyOptions{ReadModels: true}); err == nil || !strings.Contains(err.Error(), "closed_cases") {
				t.Errorf("verify passed %s: %v", forge.what, err)
			}
			if _, err := w.svc.RebuildReadModels(w.ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Verify(w.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
				t.Errorf("verify after rebuilding from %s: %v", forge.what, err)
			}
		}
	})
}

// On PostgreSQL a closed case may be transferred to another partnership
// (a hand-over proposed while it was open and agreed after it closed)
// while an administrator moves the sending organisation elsewhere. The
// move waits for the transfer and leaves the case where the transfer took
// it: on the receiving partnership's review, and verify agrees.
func TestAClosedCaseTransferredDuringItsOrganisationsMoveIsReviewedWhereItWent(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		if db.Dialect != store.Postgres {
			t.Skip("SQLite writers take turns")
		}
		w := newHandOverWorld(t, db)
		w.svc.Retention = casework.RetentionPolicy{ClosedCaseYears: 1, UnsentDraftDays: 10, AuditYears: 50}
		handOver := w.propose(pathway.HandOverTransfer)
		w.outcome(w.caseID)
		w.closeCase(w.caseID)
		// The transfer is held open after it has filed the case under
		// Southshire: a session of the test holds the table it writes next.
		hold, err := db.SQL().BeginTx(w.ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer hold.Rollback()
		if _, err := hold.ExecContext(w.ctx, `LOCK TABLE stats_cases IN ACCESS EXCLUSIVE MODE`); err != nil {
			t.Fatal(err)
		}
		agreed, moved := make(chan error, 1), make(chan error, 1)
		go func() { agreed <- w.svc.AgreeHandOver(w.ctx, w.southLead, handOver, "org-south-cs") }()
		waitForLockWaiters(t, w, 1)
		go func() { moved <- moveOrganisationErr(w, w.ChildrensServices.ID, "westshire") }()
		waitForLockWaiters(t, w, 2)
		if err := hold.Rollback(); err != nil {
			t.Fatal(err)
		}
		if err := <-agreed; err != nil {
			t.Fatal(err)
		}
		if err := <-moved; err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(400 * 24 * time.Hour)
		if got := reviewedCases(w, w.southLead); !slices.Equal(got, []string{w.caseID}) {
			t.Errorf("Southshire's review: %q, want the case transferred to it", got)
		}
		if got := reviewedCases(w, w.westLead); len(got) != 0 {
			t.Errorf("Westshire's review: %q", got)
		}
		if _, err := db.Verify(w.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Errorf("verify: %v", err)
		}
	})
}

// moveOrganisationErr is moveOrganisation giving its error.
func moveOrganisationErr(w *handOverWorld, orgID, partnershipID string) error {
	return w.db.Update(w.ctx, func(tx *store.Tx) error { return tx.SetOrganisationPartnership(orgID, partnershipID) })
}

// Someone with write access to the database file, and no master key,
// points read-model rows at another partnership: a case's row at that
// partnership's organisation, an entity's rows and counts at it, a
// draft's writer at it. That partnership's lead finds, exports, erases,
// sees recurring or reviews none of them: each is decided from the
// sealed history and sealed people and organisations, not the rows.
func TestRowsPointedAtAnotherPartnershipBehindWaymarksBackShowItsLeadNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		w.svc.Retention = casework.RetentionPolicy{ClosedCaseYears: 1, UnsentDraftDays: 10, AuditYears: 50}
		west := signInPerson(w, "wes", "org-west", pathway.RolePartnershipLead)
		westToken := w.session(west)
		ref := w.loadCase(w.caseID).Reference()
		second, erased, keyless := w.raise(), w.raise(), w.raise()
		north := signInPerson(w, "nia", w.ChildrensServices.ID, pathway.RolePartnershipLead)
		if err := w.svc.EraseCase(w.ctx, north, w.session(north), storetest.Password, erased, "Erased at the request of the family", "art17-1a"); err != nil {
			t.Fatal(err)
		}
		if row, err := w.svc.ResolveCase(w.ctx, north, erased); err != nil || row.ID != erased {
			t.Errorf("the erased case's own lead looks it up: %+v, %v", row, err)
		}
		draft, err := w.svc.NewDraft(w.ctx, w.Colleague)
		if err != nil {
			t.Fatal(err)
		}
		south := w.southCase()
		a, _, _ := entityCases(w.partnership)
		recordPhone(w.partnership, a, "07700 900555")
		w.southRecordsPhone(south, "07700 900555")
		behind := func(q string, args ...any) {
			t.Helper()
			if _, err := db.SQL().ExecContext(w.ctx, q, args...); err != nil {
				t.Fatal(err)
			}
		}
		behind(`UPDATE cases SET cs_org_id = 'org-west' WHERE id IN ($1, $2, $3, $4)`, w.caseID, second, erased, keyless)
		behind(`UPDATE data_keys SET destroyed_at = $2 WHERE owner_kind = 'case' AND owner_id = $1`, keyless, w.clock.Now()) // read as erased, with no erasure recorded
		behind(`UPDATE users SET org_id = 'org-west' WHERE id = $1`, w.Colleague.User.ID)
		behind(`UPDATE organisations SET partnership_id = 'southshire' WHERE id = $1`, w.ChildrensServices.ID)
		behind(`UPDATE entity_keys SET partnership_id = 'southshire' WHERE case_id = $1`, a)
		behind(`UPDATE entity_counts SET cases = cases + 1 WHERE partnership_id = 'southshire'`)
		w.clock.Advance(400 * 24 * time.Hour)

		if _, err := w.svc.ResolveCase(w.ctx, west, ref); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("Westshire's lead finds a case whose row was pointed at Westshire: %v", err)
		}
		if x, err := w.svc.ExportCase(w.ctx, west, westToken, storetest.Password, w.caseID); waymark.ErrorCode(err) != waymark.ENOTFOUND || x.Child.FullName() != "" {
			t.Errorf("Westshire's lead exports it: %q, %v", x.Child.FullName(), err)
		}
		if err := w.svc.EraseCase(w.ctx, west, westToken, storetest.Password, second, "Erased at the request of the family", "art17-1a"); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("Westshire's lead erases it: %v", err)
		}
		for _, id := range []string{erased, keyless} {
			row, err := w.svc.ResolveCase(w.ctx, west, id)
			if waymark.ErrorCode(err) != waymark.ENOTFOUND {
				t.Errorf("Westshire's lead finds an erased case whose row was pointed at Westshire: %+v, %v", row, err)
			}
			if x, err := w.svc.ExportCase(w.ctx, west, westToken, storetest.Password, id); waymark.ErrorCode(err) != waymark.ENOTFOUND {
				t.Errorf("Westshire's lead exports it: %+v, %v", x.Erasure, err)
			}
		}
		items, err := w.svc.RetentionReview(w.ctx, west)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.Kind == casework.ReviewUnsentDraft && it.ID == draft.ID {
				t.Errorf("Westshire's review lists a draft whose writer was moved to Westshire: %+v", it)
			}
		}
		if err := w.svc.DeleteUnsentDraft(w.ctx, west, draft.ID); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("Westshire's lead deletes that draft: %v", err)
		}
		recurrence, err := w.svc.EntityRecurrence(w.ctx, w.southLead, south)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recurrence {
			for _, c := range r.Cases {
				if c.CaseID == a {
					t.Errorf("Southshire's case page names the first partnership's case %s as sharing its phone", c.Reference)
				}
			}
		}
		network, _, err := w.svc.Network(w.ctx, w.southLead, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range network {
			for _, c := range n.Cases {
				if c.CaseID == a {
					t.Errorf("Southshire's network names the first partnership's case %s", c.Reference)
				}
			}
		}
	})
}

// holdOrganisationMove moves an organisation into a partnership in a
// transaction held open once the move is made (PostgreSQL: a save of one
// of its cases then waits for it); commit lets it commit and gives its
// error. The test's end lets it commit too.
func holdOrganisationMove(t *testing.T, w *handOverWorld, orgID, partnershipID string) (commit func() error) {
	t.Helper()
	return held(t, w, func(tx *store.Tx) error { return tx.SetOrganisationPartnership(orgID, partnershipID) })
}

// waitForLockWaiters waits until n sessions of the database wait on a
// lock (PostgreSQL), and fails the test if they do not within 30 s.
func waitForLockWaiters(t *testing.T, w *handOverWorld, n int) {
	t.Helper()
	storetest.WaitForLockWaiters(t, w.db, n, nil)
}
