package casework_test

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/audit"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §6.2, §8.5: raising a concern opens a case for Children's Services, with
// its log, its list row, its members and its 24-hour clock, in one go.
func TestRaisingAConcernOpensACaseWithItsLogAndReadModels(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		concern := storetest.ValidConcern(p.clock.Now())
		id, err := p.svc.RaiseConcern(p.ctx, p.Teacher, concern)
		if err != nil {
			t.Fatal(err)
		}

		var events []pathway.Event
		var c pathway.Case
		err = db.Update(p.ctx, func(tx *store.Tx) error {
			c, events, err = tx.LoadCase(id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].Type != pathway.EventConcernRaised || events[0].Actor.UserID != p.Teacher.User.ID ||
			events[0].Actor.Name != p.Teacher.User.Name || events[0].Actor.OrgName != p.School.Name || !events[0].At.Equal(p.clock.Now()) {
			t.Fatalf("events = %+v, want one concern_raised by the teacher at %s", events, p.clock.Now())
		}
		if c.Stage != pathway.StageConcernRaised || c.ChildrensServicesOrg != p.ChildrensServices.ID || c.Concern.Child.FullName() != "Amira Example" {
			t.Fatalf("case = %+v", c)
		}

		var stage, child, referrer, referrerOrg, csOrg string
		var version int
		var reference *string
		err = db.SQL().QueryRow(`SELECT stage, child_name, referrer_user_id, referrer_org_id, cs_org_id, version, reference FROM cases WHERE id = $1`, id).
			Scan(&stage, &child, &referrer, &referrerOrg, &csOrg, &version, &reference)
		if err != nil {
			t.Fatalf("cases row: %v", err)
		}
		// The child's name is stored sealed with the case's data key (encryption at rest).
		if stage != string(pathway.StageConcernRaised) || !strings.HasPrefix(child, "wm1:") || strings.Contains(child, "Amira") || referrer != p.Teacher.User.ID ||
			referrerOrg != p.School.ID || csOrg != p.ChildrensServices.ID || version != 1 || reference != nil {
			t.Fatalf("cases row = %s %s %s %s %s v%d ref %v", stage, child, referrer, referrerOrg, csOrg, version, reference)
		}

		members := p.count(`SELECT COUNT(*) FROM case_members WHERE case_id = $1`, id)
		referrerMember := p.count(`SELECT COUNT(*) FROM case_members WHERE case_id = $1 AND member_kind = 'user' AND member_id = $2 AND role = $3`, id, p.Teacher.User.ID, pathway.MemberReferrer)
		teamMember := p.count(`SELECT COUNT(*) FROM case_members WHERE case_id = $1 AND member_kind = 'org' AND member_id = $2 AND role = $3`, id, p.ChildrensServices.ID, pathway.MemberChildrensServices)
		if members != 2 || referrerMember != 1 || teamMember != 1 {
			t.Fatalf("members: %d rows, referrer %d, team %d; want 2, 1, 1", members, referrerMember, teamMember)
		}

		var kind, owner string
		var started, due time.Time
		var stopped *time.Time
		err = db.SQL().QueryRow(`SELECT kind, owner_org_id, started_at, due_at, stopped_at FROM clocks WHERE case_id = $1`, id).Scan(&kind, &owner, &started, &due, &stopped)
		if err != nil {
			t.Fatalf("clocks row: %v", err)
		}
		if kind != string(pathway.ClockNotifyChildrensServices) || owner != p.ChildrensServices.ID || !started.Equal(concern.IdentifiedAt) ||
			!due.Equal(concern.IdentifiedAt.Add(24*time.Hour)) || stopped != nil {
			t.Fatalf("clock = %s owned by %s, %s → %s, stopped %v", kind, owner, started, due, stopped)
		}

		got := p.auditSince(0)
		last := got[len(got)-1]
		if last.Action != audit.ActionConcernRaised || last.CaseID != id || last.ActorID != p.Teacher.User.ID {
			t.Fatalf("last audit entry = %+v, want concern.raised of %s by the teacher", last, id)
		}
	})
}

// addNote has the social worker add a note: a change to the case that does
// not itself stand in the way of a contact or an outcome.
func (p *partnership) addNote(caseID string) {
	p.t.Helper()
	if err := p.svc.Act(p.ctx, p.SocialWorker, caseID, p.version(caseID), pathway.AddNote{Text: "Called the school nurse."}); err != nil {
		p.t.Fatalf("adding a note: %v", err)
	}
}

// Two people working one case: a save made against what someone saw before
// the other's change is refused, and changes nothing.
func TestRecordContactAtAStaleVersionIsAConflictAndWritesNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		seen := p.version(id) // the front door opens the case
		p.addNote(id)         // meanwhile the social worker adds a note

		before := p.rowCounts()
		_, err := p.svc.RecordContact(p.ctx, p.CSWorker, id, seen, "phone", "")
		wantClash(t, err)
		if !strings.Contains(waymark.ErrorMessage(err), "Someone else updated this case") {
			t.Errorf("message %q does not say someone else saved first", waymark.ErrorMessage(err))
		}
		p.wantNothingWritten(before)
		if c := p.loadCase(id); c.Contact != nil {
			t.Fatal("contact recorded from a stale version")
		}

		// Reloaded, the same contact goes through.
		if _, err := p.svc.RecordContact(p.ctx, p.CSWorker, id, p.version(id), "phone", ""); err != nil {
			t.Fatalf("contact at the current version: %v", err)
		}
	})
}

func TestRecordOutcomeAtAStaleVersionIsAConflictAndWritesNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		seen := p.version(id)
		p.addNote(id)

		before := p.rowCounts()
		err := p.svc.RecordOutcome(p.ctx, p.CSWorker, id, seen, "assessment", "Child and family assessment")
		wantCode(t, err, waymark.ECONFLICT)
		p.wantNothingWritten(before)
		if c := p.loadCase(id); c.Outcome != nil {
			t.Fatal("outcome recorded from a stale version")
		}
	})
}

// The second of two outcomes, saved from a screen opened before the first,
// cannot overwrite it.
func TestASecondOutcomeFromAStaleScreenChangesNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		seen := p.version(id)
		p.outcome(id)

		before := p.rowCounts()
		err := p.svc.RecordOutcome(p.ctx, p.SocialWorker, id, seen, "assessment", "Child and family assessment")
		wantCode(t, err, waymark.ECONFLICT)
		p.wantNothingWritten(before)
		if c := p.loadCase(id); c.Outcome.Decision != "strategy-discussion" {
			t.Fatalf("outcome is now %q: the stale save overwrote the first", c.Outcome.Decision)
		}
	})
}

// Two workers press "send outcome" at the same moment: one outcome is
// recorded, the other worker is told someone saved first.
func TestTwoWorkersRecordingTheOutcomeAtOnceOnlyOneWins(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		const rounds = 5
		for round := range rounds {
			id := p.raise()
			p.contact(id)
			version := p.version(id)

			start := make(chan struct{})
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for i, worker := range []struct {
				v        casework.Viewer
				decision string
			}{{p.CSWorker, "strategy-discussion"}, {p.SocialWorker, "assessment"}} {
				wg.Go(func() {
					<-start
					errs[i] = p.svc.RecordOutcome(p.ctx, worker.v, id, version, worker.decision, "Next step")
				})
			}
			close(start)
			wg.Wait()

			won, conflicted := 0, 0
			for _, err := range errs {
				switch waymark.ErrorCode(err) {
				case "":
					won++
				case waymark.ECONFLICT:
					conflicted++
				default:
					t.Fatalf("round %d: unexpected error %v", round, err)
				}
			}
			if won != 1 || conflicted != 1 {
				t.Fatalf("round %d: %d won, %d conflicted (%v); want exactly one of each", round, won, conflicted, errs)
			}
			if n := p.count(`SELECT COUNT(*) FROM case_events WHERE case_id = $1 AND type = $2`, id, pathway.EventOutcomeRecorded); n != 1 {
				t.Fatalf("round %d: %d outcome events, want 1", round, n)
			}
			if n := p.count(`SELECT COUNT(*) FROM audit_log WHERE case_id = $1 AND action = $2`, id, audit.ActionOutcomeRecorded); n != 1 {
				t.Fatalf("round %d: %d outcome audit entries, want 1", round, n)
			}
		}
		if _, err := db.VerifyAudit(nil); err != nil {
			t.Fatalf("audit chain after concurrent saves: %v", err)
		}
	})
}

// annex step 1: each contact gets the next reference of the year; a refused
// contact takes no number, so references run without gaps.
func TestContactReferencesAreUniqueAndSequential(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		first, second, third := p.raise(), p.raise(), p.raise()
		if ref := p.contact(first); ref != "CS-2026-000001" {
			t.Fatalf("first reference %q, want CS-2026-000001", ref)
		}
		if ref := p.contact(second); ref != "CS-2026-000002" {
			t.Fatalf("second reference %q, want CS-2026-000002", ref)
		}
		if _, err := p.svc.RecordContact(p.ctx, p.CSWorker, third, 1, "carrier-pigeon", ""); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Fatalf("contact with an unknown method: %v, want EINVALID", err)
		}
		if _, err := p.svc.RecordContact(p.ctx, p.CSWorker, first, 2, "phone", ""); waymark.ErrorCode(err) != waymark.ECONFLICT {
			t.Fatalf("second contact on one case: %v, want ECONFLICT", err)
		}
		if ref := p.contact(third); ref != "CS-2026-000003" {
			t.Fatalf("third reference %q, want CS-2026-000003: a refused contact used a number", ref)
		}
		if c := p.loadCase(second); c.Reference() != "CS-2026-000002" {
			t.Fatalf("case holds reference %q", c.Reference())
		}
	})
}

func TestContactsRecordedAtOnceGetDistinctReferences(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		const n = 6
		cases := make([]string, n)
		for i := range cases {
			cases[i] = p.raise()
		}
		refs := make([]string, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, id := range cases {
			wg.Go(func() {
				<-start
				refs[i], errs[i] = p.svc.RecordContact(p.ctx, p.CSWorker, id, 1, "phone", "")
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("contact %d: %v", i, err)
			}
		}
		sort.Strings(refs)
		for i, ref := range refs {
			if want := fmt.Sprintf("CS-2026-%06d", i+1); ref != want {
				t.Fatalf("references %v, want CS-2026-000001 … %06d with none repeated or skipped", refs, n)
			}
		}
	})
}

// annex step 1: the front door works the concerns waiting on its team, the
// most urgent clock first.
func TestInboxListsOnlyWaitingCasesSoonestDueFirst(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		now := p.clock.Now()
		identified := func(ago time.Duration) func(*pathway.Concern) {
			return func(c *pathway.Concern) { c.IdentifiedAt = now.Add(-ago) }
		}
		dueIn22h := p.raise(identified(2 * time.Hour))
		dueIn4h := p.raise(identified(20 * time.Hour))
		contacted := p.raise(identified(1 * time.Hour))
		p.contact(contacted) // outcome due in 24h
		overdue := p.raise(identified(30 * time.Hour))
		answered := p.raise(identified(3 * time.Hour))
		p.contact(answered)
		p.outcome(answered) // nothing left to do: not in the inbox

		inbox, _, err := p.svc.InboxPage(p.ctx, p.CSWorker, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{overdue, dueIn4h, dueIn22h, contacted}
		if got := ids(inbox); !equalStrings(got, want) {
			t.Fatalf("inbox = %v, want %v (most overdue first, answered case left out)", got, want)
		}
		wantDue := []time.Time{now.Add(-6 * time.Hour), now.Add(4 * time.Hour), now.Add(22 * time.Hour), now.Add(24 * time.Hour)}
		for i, row := range inbox {
			if row.NextClockDue == nil || !row.NextClockDue.Equal(wantDue[i]) {
				t.Errorf("row %d next clock due %v, want %s", i, row.NextClockDue, wantDue[i])
			}
		}
		if inbox[3].NextClockLabel != "Outcome given to the referrer" || inbox[3].Reference != "CS-2026-000001" || inbox[3].Stage != pathway.StageContactRecorded {
			t.Errorf("contacted row = %+v", inbox[3])
		}

		// A second Children's Services (a neighbouring authority) has nothing waiting.
		neighbour := store.Organisation{ID: "org-cs-2", Name: "Southshire Children's Services", Kind: "local-authority", FirstResponderDesignation: "local-authority", ChildrensServices: true, CreatedAt: now.Add(time.Hour)}
		var worker store.User
		err = db.Update(p.ctx, func(tx *store.Tx) error {
			if err := tx.InsertOrganisation(neighbour); err != nil {
				return err
			}
			if err := tx.InsertUser(store.User{ID: "user-cs-2", OrgID: neighbour.ID, Email: "front.door@south.example", Name: "Sol South", Role: pathway.RoleChildrensServices, PasswordHash: "x", CreatedAt: now}); err != nil {
				return err
			}
			worker, err = tx.UserByID("user-cs-2")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if list, _, err := p.svc.InboxPage(p.ctx, casework.Viewer{User: worker}, nil); err != nil || len(list) != 0 {
			t.Fatalf("neighbouring authority's inbox = %v, %v; want empty", ids(list), err)
		}

		// The inbox is the team's: a referrer has their own list instead.
		_, _, err = p.svc.InboxPage(p.ctx, p.Teacher, nil)
		wantCode(t, err, waymark.EFORBIDDEN)
	})
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// §6.5: need to know. Anyone not involved — another agency, a colleague of
// the referrer, even a First Responder — cannot tell the case exists: the
// answer is exactly the one for a case id that was never issued, the case is
// in none of their lists, and the attempt is audited.
func TestNonMemberCannotLearnACaseExists(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		for _, tc := range []struct {
			name string
			v    casework.Viewer
		}{
			{"a practitioner of another organisation", p.GPDoctor},
			{"a colleague in the referrer's own school", p.Colleague},
			{"the police First Responder lead", p.PoliceLead},
		} {
			t.Run(tc.name, func(t *testing.T) {
				from := p.auditHead()
				_, errReal := p.svc.Case(p.ctx, tc.v, id)
				_, errMadeUp := p.svc.Case(p.ctx, tc.v, access.NewID())
				wantCode(t, errReal, waymark.ENOTFOUND)
				if !sameError(errReal, errMadeUp) {
					t.Fatalf("a real case answers %q but a made-up id answers %q: the difference tells the case exists", errReal, errMadeUp)
				}
				err := p.svc.RecordOutcome(p.ctx, tc.v, id, 2, "assessment", "Assessment")
				if !sameError(err, errMadeUp) {
					t.Fatalf("recording an outcome answers %v, want the not-found answer", err)
				}

				entries := p.auditSince(from)
				if len(entries) != 3 {
					t.Fatalf("%d audit entries, want 3 (two looks and a write attempt): %+v", len(entries), entries)
				}
				for _, e := range entries {
					if e.Action != audit.ActionCaseDenied || e.ActorID != tc.v.User.ID || e.OrgID != tc.v.User.OrgID {
						t.Fatalf("audit entry %+v, want case.denied by %s", e, tc.v.User.ID)
					}
				}
				if entries[0].CaseID != id || entries[2].CaseID != id {
					t.Fatalf("denials recorded against %q and %q, want %q", entries[0].CaseID, entries[2].CaseID, id)
				}

				mine, _, err := p.svc.MyCasesPage(p.ctx, tc.v, nil)
				if err != nil || len(mine) != 0 {
					t.Fatalf("their cases = %v, %v; want none", ids(mine), err)
				}
				for _, q := range []string{"Amira", "example", "Mimi", "CS-2026-000001"} {
					found, _, err := p.svc.SearchPage(p.ctx, tc.v, q, nil)
					if err != nil || len(found) != 0 {
						t.Fatalf("search %q found %v, %v; want nothing", q, ids(found), err)
					}
				}
				if c := p.loadCase(id); c.Outcome != nil {
					t.Fatal("an outsider recorded the outcome")
				}
			})
		}

		// The people who need to know do find it, by name, alias and reference.
		for _, v := range []casework.Viewer{p.Teacher, p.CSWorker, p.SocialWorker} {
			for _, q := range []string{"amira", "EXAMPLE", "mimi", "cs-2026-000001"} {
				if found, _, err := p.svc.SearchPage(p.ctx, v, q, nil); err != nil || !equalStrings(ids(found), []string{id}) {
					t.Fatalf("%s searching %q found %v, %v", v.User.Name, q, ids(found), err)
				}
			}
			if mine, _, err := p.svc.MyCasesPage(p.ctx, v, nil); err != nil || !equalStrings(ids(mine), []string{id}) {
				t.Fatalf("%s's cases = %v, %v", v.User.Name, ids(mine), err)
			}
		}
	})
}

// §6.5: the referrer follows their concern — what they sent, the reference
// and the outcome — and the team's internal notes stay with the team.
func TestReferrerSeesTheirConcernTheReferenceAndTheOutcomeButNotTheTeamsNotes(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise(func(c *pathway.Concern) { c.FamilySuspected = true })
		ref := p.contact(id)
		p.outcome(id)

		view, err := p.svc.Case(p.ctx, p.Teacher, id)
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, e := range view.Events {
			types = append(types, e.Type)
		}
		want := []string{pathway.EventConcernRaised, pathway.EventContactRecorded, pathway.EventOutcomeRecorded}
		if !equalStrings(types, want) {
			t.Fatalf("referrer sees %v, want %v", types, want)
		}
		if !view.Membership.Is(pathway.MemberReferrer) || view.Membership.Team() {
			t.Fatalf("referrer's membership = %+v", view.Membership)
		}
		if view.Case.Reference() != ref || view.Case.Outcome == nil || view.Case.Outcome.Decision != "strategy-discussion" {
			t.Fatalf("referrer's view of the case: reference %q, outcome %+v", view.Case.Reference(), view.Case.Outcome)
		}
		// annex, §1.2: the family-suspected warning is on the referrer's view too.
		if len(view.Warnings) != 1 || view.Warnings[0].Kind != "family-suspected" {
			t.Fatalf("warnings = %+v", view.Warnings)
		}

		// The team's own work stays with the team.
		if err := p.svc.Act(p.ctx, p.SocialWorker, id, p.version(id), pathway.AddNote{Text: "Spoke to the school nurse; disclosure may follow."}); err != nil {
			t.Fatal(err)
		}
		view, err = p.svc.Case(p.ctx, p.Teacher, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(view.Events) != 3 {
			t.Fatalf("referrer sees %d events after the team's note, want the same 3", len(view.Events))
		}
		team, err := p.svc.Case(p.ctx, p.SocialWorker, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(team.Events) != 4 || team.Events[3].Type != pathway.EventNoteAdded || !team.Membership.Team() {
			t.Fatalf("team sees %d events as %+v, want all 4, the note last, as the team", len(team.Events), team.Membership)
		}
	})
}

// §6.5 and PATHWAY.md §1.7: every read and every write of case data is audited.
func TestEveryReadAndWriteOfACaseIsAudited(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		var id string
		for _, step := range []struct {
			name   string
			actor  casework.Viewer
			action string
			ofCase bool
			do     func() error
		}{
			{"raise a concern", p.Teacher, audit.ActionConcernRaised, true, func() error {
				var err error
				id, err = p.svc.RaiseConcern(p.ctx, p.Teacher, storetest.ValidConcern(p.clock.Now()))
				return err
			}},
			{"look at the inbox", p.CSWorker, audit.ActionCaseListed, false, func() error { _, _, err := p.svc.InboxPage(p.ctx, p.CSWorker, nil); return err }},
			{"open the case", p.CSWorker, audit.ActionCaseViewed, true, func() error { _, err := p.svc.Case(p.ctx, p.CSWorker, id); return err }},
			{"record the contact", p.CSWorker, audit.ActionContactRecorded, true, func() error {
				_, err := p.svc.RecordContact(p.ctx, p.CSWorker, id, 1, "phone", "")
				return err
			}},
			{"record the outcome", p.CSWorker, audit.ActionOutcomeRecorded, true, func() error {
				return p.svc.RecordOutcome(p.ctx, p.CSWorker, id, 2, "assessment", "Assessment")
			}},
			{"list my cases", p.Teacher, audit.ActionCaseListed, false, func() error { _, _, err := p.svc.MyCasesPage(p.ctx, p.Teacher, nil); return err }},
			{"search", p.Teacher, audit.ActionCaseSearched, false, func() error { _, _, err := p.svc.SearchPage(p.ctx, p.Teacher, "Amira", nil); return err }},
			{"the referrer opens the case", p.Teacher, audit.ActionCaseViewed, true, func() error { _, err := p.svc.Case(p.ctx, p.Teacher, id); return err }},
			{"an outsider tries", p.GPDoctor, audit.ActionCaseDenied, true, func() error {
				if _, err := p.svc.Case(p.ctx, p.GPDoctor, id); waymark.ErrorCode(err) != waymark.ENOTFOUND {
					return fmt.Errorf("outsider got %v", err)
				}
				return nil
			}},
		} {
			from := p.auditHead()
			if err := step.do(); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			entries := p.auditSince(from)
			if len(entries) != 1 {
				t.Fatalf("%s: %d audit entries, want 1", step.name, len(entries))
			}
			e := entries[0]
			if e.Action != step.action || e.ActorID != step.actor.User.ID || e.OrgID != step.actor.User.OrgID {
				t.Fatalf("%s: audited %+v, want %s by %s", step.name, e, step.action, step.actor.User.ID)
			}
			if step.ofCase && e.CaseID != id {
				t.Fatalf("%s: audited against case %q, want %q", step.name, e.CaseID, id)
			}
			if !step.ofCase && !strings.Contains(e.Detail, id) {
				t.Fatalf("%s: listing audit detail %q does not name the case listed", step.name, e.Detail)
			}
		}
		if n, err := db.VerifyAudit(nil); err != nil || n != int64(p.count(`SELECT COUNT(*) FROM audit_log`)) {
			t.Fatalf("verified %d entries: %v", n, err)
		}
	})
}

// A refused outcome: the worker made their API token to read, not to write.
func TestReadOnlyAPITokenCannotRecordOutcome(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)

		sess := p.session(p.CSWorker)
		token, _, err := p.svc.CreateAPIToken(p.ctx, p.CSWorker, sess, "Reporting dashboard", []string{casework.ScopeRead}, 30*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		v, err := p.svc.AuthenticateAPIToken(p.ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.svc.Case(p.ctx, v, id); err != nil {
			t.Fatalf("a read-only token cannot read: %v", err)
		}

		before := p.rowCounts()
		err = p.svc.RecordOutcome(p.ctx, v, id, 2, "assessment", "Assessment")
		wantCode(t, err, waymark.EFORBIDDEN)
		if !strings.Contains(waymark.ErrorMessage(err), casework.ScopeWrite) {
			t.Errorf("message %q does not name the missing scope", waymark.ErrorMessage(err))
		}
		_, err = p.svc.RaiseConcern(p.ctx, v, storetest.ValidConcern(p.clock.Now()))
		wantCode(t, err, waymark.EFORBIDDEN)
		p.wantNothingWritten(before)

		writer, _, err := p.svc.CreateAPIToken(p.ctx, p.CSWorker, sess, "Case system link", []string{casework.ScopeWrite}, 30*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if v, err = p.svc.AuthenticateAPIToken(p.ctx, writer); err != nil {
			t.Fatal(err)
		}
		if err := p.svc.RecordOutcome(p.ctx, v, id, 2, "assessment", "Assessment"); err != nil {
			t.Fatalf("a cases:write token cannot record the outcome: %v", err)
		}
	})
}

// Read models are derived: wiped and rebuilt from the case logs, every list
// reads exactly as before.
func TestRebuildingReadModelsRestoresIdenticalLists(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		names := []string{"Amira", "Bora", "Cleo", "Dani"}
		var cases []string
		for i, name := range names {
			id := p.raise(func(c *pathway.Concern) {
				c.Child.GivenNames = name
				c.IdentifiedAt = p.clock.Now().Add(-time.Duration(i+1) * 5 * time.Hour)
			})
			cases = append(cases, id)
			p.clock.Advance(7 * time.Minute)
		}
		p.contact(cases[1])
		p.clock.Advance(time.Hour)
		p.contact(cases[2])
		p.outcome(cases[2])

		lists := func() map[string][]store.CaseSummary {
			t.Helper()
			out := map[string][]store.CaseSummary{}
			var err error
			if out["inbox"], _, err = p.svc.InboxPage(p.ctx, p.CSWorker, nil); err != nil {
				t.Fatal(err)
			}
			if out["team's cases"], _, err = p.svc.MyCasesPage(p.ctx, p.SocialWorker, nil); err != nil {
				t.Fatal(err)
			}
			if out["referrer's cases"], _, err = p.svc.MyCasesPage(p.ctx, p.Teacher, nil); err != nil {
				t.Fatal(err)
			}
			if out["search"], _, err = p.svc.SearchPage(p.ctx, p.Teacher, "bora example", nil); err != nil {
				t.Fatal(err)
			}
			if out["search by reference"], _, err = p.svc.SearchPage(p.ctx, p.CSWorker, "CS-2026-000002", nil); err != nil {
				t.Fatal(err)
			}
			if out["outsider"], _, err = p.svc.MyCasesPage(p.ctx, p.GPDoctor, nil); err != nil {
				t.Fatal(err)
			}
			return out
		}
		before := lists()
		if len(before["inbox"]) != 3 || len(before["referrer's cases"]) != 4 || len(before["search"]) != 1 || len(before["search by reference"]) != 1 {
			t.Fatalf("lists before the rebuild are not what the test set up: %v", before)
		}

		for _, table := range []string{"clocks", "case_members", "cases"} {
			if _, err := db.SQL().ExecContext(p.ctx, `DELETE FROM `+table); err != nil {
				t.Fatal(err)
			}
		}
		if wiped := lists(); len(wiped["inbox"]) != 0 || len(wiped["referrer's cases"]) != 0 {
			t.Fatalf("read models not wiped: %v", wiped)
		}

		p.clock.Advance(3 * time.Hour) // rebuilding later must not change what the lists say
		n, err := p.svc.RebuildReadModels(p.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(cases) {
			t.Fatalf("rebuilt %d cases, want %d", n, len(cases))
		}
		after := lists()
		for name := range before {
			if !equalSummaries(before[name], after[name]) {
				t.Errorf("%s after rebuild:\n got %+v\nwant %+v", name, after[name], before[name])
			}
		}
	})
}

// equalSummaries compares every field of two lists, as read back from one store.
func equalSummaries(a, b []store.CaseSummary) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}

// §6.5: an administrator of Children's Services manages Waymark — users,
// organisations, configuration — and has no need to know about any child.
func TestAnAdministratorSeesNoCaseData(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		ref := p.contact(id)

		from := p.auditHead()
		_, err := p.svc.Case(p.ctx, p.CSAdmin, id)
		_, errMadeUp := p.svc.Case(p.ctx, p.CSAdmin, access.NewID())
		wantCode(t, err, waymark.ENOTFOUND)
		if !sameError(err, errMadeUp) {
			t.Fatalf("a real case answers %v, a made-up one %v", err, errMadeUp)
		}
		if entries := p.auditSince(from); len(entries) != 2 || entries[0].Action != audit.ActionCaseDenied || entries[0].CaseID != id {
			t.Fatalf("audit = %+v, want the refusals recorded as case.denied", entries)
		}
		err = p.svc.RecordOutcome(p.ctx, p.CSAdmin, id, 2, "assessment", "Assessment")
		wantCode(t, err, waymark.ENOTFOUND)

		for name, list := range map[string]func() ([]store.CaseSummary, store.Page, error){
			"their cases": func() ([]store.CaseSummary, store.Page, error) { return p.svc.MyCasesPage(p.ctx, p.CSAdmin, nil) },
			"search by name": func() ([]store.CaseSummary, store.Page, error) {
				return p.svc.SearchPage(p.ctx, p.CSAdmin, "Amira", nil)
			},
			"search by reference": func() ([]store.CaseSummary, store.Page, error) { return p.svc.SearchPage(p.ctx, p.CSAdmin, ref, nil) },
			"the inbox":           func() ([]store.CaseSummary, store.Page, error) { return p.svc.InboxPage(p.ctx, p.CSAdmin, nil) },
		} {
			if got, _, err := list(); len(got) != 0 || waymark.ErrorCode(err) != waymark.EFORBIDDEN {
				t.Errorf("%s: %v, %v; want no cases and EFORBIDDEN", name, ids(got), err)
			}
		}
	})
}
