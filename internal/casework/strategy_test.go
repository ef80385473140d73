package casework_test

import (
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// vettedEntry is a professional, approved, DBS-checked Albanian interpreter.
func vettedEntry(name string) casework.InterpreterEntry {
	return casework.InterpreterEntry{Name: name, Languages: []string{" Albanian ", "Italian", "albanian"}, Dialects: []string{"Gheg"},
		Gender: "female", Professional: true, Approved: true, DBSCheckedOn: "2025-11-03", Active: true}
}

// register has the administrator add an interpreter and returns its id.
func (p *partnership) register(e casework.InterpreterEntry) string {
	p.t.Helper()
	i, err := p.svc.RegisterInterpreter(p.ctx, p.CSAdmin, e)
	if err != nil {
		p.t.Fatalf("registering %s: %v", e.Name, err)
	}
	return i.ID
}

// act gives cmd as v at the case's current version.
func (p *partnership) act(v casework.Viewer, caseID string, cmd pathway.Command) error {
	p.t.Helper()
	return p.svc.Act(p.ctx, v, caseID, p.versionFor(v, caseID), cmd)
}

func (p *partnership) mustAct(v casework.Viewer, caseID string, cmd pathway.Command) {
	p.t.Helper()
	if err := p.act(v, caseID, cmd); err != nil {
		p.t.Fatalf("%T refused: %v", cmd, err)
	}
}

func wantField(t *testing.T, err error, field string, says ...string) {
	t.Helper()
	wantCode(t, err, waymark.EINVALID)
	for _, f := range waymark.ErrorFields(err) {
		if f.Field == field {
			for _, s := range says {
				if !strings.Contains(f.Message, s) {
					t.Errorf("%s: message %q does not say %q", field, f.Message, s)
				}
			}
			return
		}
	}
	t.Fatalf("no problem named for %s in %v", field, waymark.ErrorFields(err))
}

// §6.7, §7.5: administrators keep the register, every change is audited,
// and entries are tidied so that names and languages compare reliably.
func TestAdministratorsKeepTheInterpreterRegister(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		head := p.auditHead()
		i, err := p.svc.RegisterInterpreter(p.ctx, p.CSAdmin, vettedEntry("  Elira   Hoxha "))
		if err != nil {
			t.Fatal(err)
		}
		list, err := p.svc.InterpreterRegister(p.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ID != i.ID || list[0].Name != "Elira Hoxha" || strings.Join(list[0].Languages, "|") != "Albanian|Italian" ||
			strings.Join(list[0].Dialects, "|") != "Gheg" || list[0].Gender != "female" || !list[0].Professional || !list[0].Approved ||
			list[0].DBSCheckedOn != "2025-11-03" || !list[0].Active || !list[0].CreatedAt.Equal(p.clock.Now()) {
			t.Fatalf("register = %+v", list)
		}
		entries := p.auditSince(head)
		if len(entries) != 1 || entries[0].Action != casework.ActionInterpreterRegistered || entries[0].ActorID != p.CSAdmin.User.ID ||
			entries[0].Detail != "interpreter "+i.ID || entries[0].CaseID != "" {
			t.Fatalf("audit = %+v", entries)
		}

		before := p.rowCounts()
		_, err = p.svc.RegisterInterpreter(p.ctx, p.SocialWorker, vettedEntry("Besa Other"))
		wantCode(t, err, waymark.EFORBIDDEN)
		p.wantNothingWritten(before)
		if n := p.count(`SELECT COUNT(*) FROM interpreters`); n != 1 {
			t.Fatalf("a social worker changed the register: %d entries", n)
		}
	})
}

func TestInterpreterEntryNeedsANameLanguagesAndGender(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		e := casework.InterpreterEntry{Name: " ", Languages: []string{" "}, Gender: "robot", DBSCheckedOn: p.clock.Now().AddDate(0, 0, 2).Format("2006-01-02")}
		_, err := p.svc.RegisterInterpreter(p.ctx, p.CSAdmin, e)
		wantField(t, err, "name", "Enter the interpreter's name")
		wantField(t, err, "languages", "Enter the languages")
		wantField(t, err, "gender", "§7.5")
		wantField(t, err, "dbsCheckedOn", "today or in the past")
		if n := p.count(`SELECT COUNT(*) FROM interpreters`); n != 0 {
			t.Fatalf("%d entries written", n)
		}
	})
}

// §6.7, §7.5: booking fills the register entry into the case, so the case
// keeps who interpreted and what was checked, even if the register changes.
func TestBookingAnInterpreterFillsTheEntryFromTheRegister(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		elira := p.register(vettedEntry("Elira Hoxha"))
		head := p.auditHead()
		p.mustAct(p.SocialWorker, id, pathway.BookInterpreter{InterpreterID: elira, GenderPreference: "male", Language: "albanian", Dialect: "Tosk"})

		b := p.loadCase(id).Strategy.CurrentInterpreter()
		if b == nil || b.Interpreter.ID != elira || b.Interpreter.Name != "Elira Hoxha" || strings.Join(b.Interpreter.Languages, ",") != "Albanian,Italian" ||
			b.Interpreter.DBSCheckedOn != "2025-11-03" || b.DialectMatches || b.GenderPreferenceMet || b.BookedBy.UserID != p.SocialWorker.User.ID {
			t.Fatalf("booking = %+v", b)
		}
		if len(b.Warnings()) != 2 {
			t.Errorf("warnings = %q, want the dialect and the gender choice", b.Warnings())
		}
		entries := p.auditSince(head)
		if len(entries) != 1 || entries[0].Action != "case.book_interpreter" || entries[0].CaseID != id {
			t.Fatalf("audit = %+v", entries)
		}
	})
}

func TestAnInterpreterNotOnTheRegisterIsRefused(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		before := p.rowCounts()
		err := p.act(p.SocialWorker, id, pathway.BookInterpreter{InterpreterID: "not-on-the-register", GenderPreference: "none", Language: "Albanian"})
		wantField(t, err, "interpreterId", "no interpreter with that id on the register")
		err = p.act(p.SocialWorker, id, pathway.PlanInterview{PlannedFor: p.clock.Now().Add(24 * time.Hour), Interviewers: []string{"Sam Social"}, InterpreterID: "not-on-the-register"})
		wantField(t, err, "interpreterId", "no interpreter with that id on the register")
		p.wantNothingWritten(before)
	})
}

// §6.7: under no circumstances is the interpreter the sponsor — checked
// against the people recorded on the case, end to end.
func TestInterpreterCannotBeTheSponsor(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		p.mustAct(p.CSWorker, id, pathway.RecordLinkedPerson{Name: "Viktor Kola", Relationship: pathway.RelationshipSponsor, Notes: "Met her off the coach"})
		viktor := p.register(vettedEntry("viktor  KOLA"))
		before := p.rowCounts()
		err := p.act(p.SocialWorker, id, pathway.BookInterpreter{InterpreterID: viktor, GenderPreference: "none", Language: "Albanian", Dialect: "Gheg"})
		wantField(t, err, "interpreterId", "Viktor Kola is recorded on this case as the child's sponsor", "must never interpret")
		err = p.act(p.SocialWorker, id, pathway.PlanInterview{PlannedFor: p.clock.Now().Add(24 * time.Hour), Interviewers: []string{"Sam Social"}, InterpreterID: viktor})
		wantField(t, err, "interpreterId", "must never interpret")
		p.wantNothingWritten(before)
	})
}

// §6.7, §7.6: an interview never lists the child's parent, carer or sponsor as present.
func TestInterviewCannotListTheParentAsPresent(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		p.mustAct(p.SocialWorker, id, pathway.RecordLinkedPerson{Name: "Mira Hoxha", Relationship: pathway.RelationshipParent})
		elira := p.register(vettedEntry("Elira Interpreter"))
		plan := pathway.PlanInterview{PlannedFor: p.clock.Now().Add(24 * time.Hour), Interviewers: []string{"Sam Social", "DC Pat Police"}, Present: []string{"MIRA hoxha"}, InterpreterID: elira}
		before := p.rowCounts()
		wantField(t, p.act(p.SocialWorker, id, plan), "present", "Mira Hoxha is recorded on this case as a parent of the child")
		p.wantNothingWritten(before)

		plan.Present = []string{"Ivy Advocate"}
		p.mustAct(p.SocialWorker, id, plan)
		iv := p.loadCase(id).Strategy.Interviews
		if len(iv) != 1 || iv[0].Interpreter == nil || iv[0].Interpreter.Name != "Elira Interpreter" || iv[0].Present[0] != "Ivy Advocate" {
			t.Fatalf("interviews = %+v", iv)
		}
	})
}

// §7.5: a different interpreter needs the child's request, recorded with its reason.
func TestChangingTheChildsInterpreterNeedsTheChildsRequest(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		elira := p.register(vettedEntry("Elira Interpreter"))
		besa := p.register(vettedEntry("Besa Other"))
		p.mustAct(p.SocialWorker, id, pathway.BookInterpreter{InterpreterID: elira, GenderPreference: "female", Language: "Albanian", Dialect: "Gheg"})
		change := pathway.BookInterpreter{InterpreterID: besa, GenderPreference: "female", Language: "Albanian", Dialect: "Gheg"}
		wantField(t, p.act(p.SocialWorker, id, change), "childAskedForChange", "The child already works with Elira Interpreter")
		change.ChildAskedForChange, change.ChangeReason = true, "Knows the first interpreter's family"
		p.mustAct(p.SocialWorker, id, change)
		s := p.loadCase(id).Strategy
		if len(s.Interpreters) != 2 || s.CurrentInterpreter().Interpreter.ID != besa || s.CurrentInterpreter().Replaces != elira {
			t.Fatalf("interpreters = %+v", s.Interpreters)
		}
	})
}

// §6.7: an assigned worker from another agency records the strategy
// discussion; the referrer cannot, and a stranger to the case learns nothing.
func TestStrategyDiscussionIsRecordedByChildrensServicesOrAnAssignedWorker(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		p.mustAct(p.CSWorker, id, pathway.AssignWorker{WorkerEmail: p.GPDoctor.User.Email})
		p.clock.Advance(time.Hour)
		sd := pathway.RecordStrategyDiscussion{HeldAt: p.clock.Now().Add(-10 * time.Minute), Section47: true,
			Participants: []string{"Sam Social, Northshire Children's Services", "Pat Police, Northshire Police", "Dee Doctor, Riverside GP Practice"}}

		events := p.count(`SELECT COUNT(*) FROM case_events`)
		wantCode(t, p.act(p.Teacher, id, sd), waymark.ENOTFOUND)    // outside the team: not theirs to give (§6.5)
		wantCode(t, p.act(p.PoliceLead, id, sd), waymark.ENOTFOUND) // not a member: need to know (§6.5)
		if got := p.count(`SELECT COUNT(*) FROM case_events`); got != events {
			t.Fatalf("a refused discussion was written: %d events → %d", events, got)
		}

		p.mustAct(p.GPDoctor, id, sd)
		d := p.loadCase(id).Strategy.LatestDiscussion()
		if d == nil || !d.Section47 || d.JointInterview || len(d.Participants) != 3 || d.RecordedBy.UserID != p.GPDoctor.User.ID {
			t.Fatalf("discussion = %+v", d)
		}
	})
}

// §6.5: linked people are data about the child, not members; the referrer
// outside the team never sees them on the timeline.
func TestLinkedPeopleAreNeitherMembersNorShownToTheReferrer(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		members := p.count(`SELECT COUNT(*) FROM case_members WHERE case_id = $1`, id)
		p.mustAct(p.SocialWorker, id, pathway.RecordLinkedPerson{Name: "Viktor Kola", Relationship: pathway.RelationshipSuspectedExploiter})
		wantCode(t, p.act(p.Teacher, id, pathway.RecordLinkedPerson{Name: "Uncle Agim", Relationship: pathway.RelationshipClaimedRelative}), waymark.ENOTFOUND)
		if got := p.count(`SELECT COUNT(*) FROM case_members WHERE case_id = $1`, id); got != members {
			t.Fatalf("members %d → %d", members, got)
		}
		view, err := p.svc.Case(p.ctx, p.Teacher, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range view.Events {
			if e.Type == pathway.EventLinkedPersonRecorded {
				t.Fatalf("the referrer sees %s on the timeline", e.Type)
			}
		}
		team, err := p.svc.Case(p.ctx, p.Manager, id)
		if err != nil {
			t.Fatal(err)
		}
		if lp := team.Case.Strategy.LinkedPeople; len(lp) != 1 || lp[0].Name != "Viktor Kola" {
			t.Fatalf("the team sees linked people %+v", lp)
		}
	})
}
