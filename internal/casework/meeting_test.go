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

// meetingPeople are those the storetest partnership lacks: the partnership
// lead (§8.6), a second police officer and a disabled account.
type meetingPeople struct {
	Lead          casework.Viewer
	PoliceOfficer casework.Viewer
}

func addMeetingPeople(t *testing.T, p *partnership) meetingPeople {
	t.Helper()
	var mp meetingPeople
	now := p.clock.Now()
	err := p.db.Update(p.ctx, func(tx *store.Tx) error {
		if err := tx.InsertOrganisation(store.Organisation{ID: "org-partnership", Name: "Northshire Safeguarding Children Partnership", Kind: "local-authority", CreatedAt: now}); err != nil {
			return err
		}
		for _, u := range []store.User{
			{ID: "user-lead", OrgID: "org-partnership", Email: "lead@partnership.example", Name: "Pip Partnership", Role: pathway.RolePartnershipLead, PasswordHash: "x", CreatedAt: now},
			{ID: "user-officer", OrgID: p.Police.ID, Email: "officer@police.example", Name: "Olu Officer", Role: pathway.RolePractitioner, PasswordHash: "x", CreatedAt: now},
			{ID: "user-gone", OrgID: p.School.ID, Email: "gone@northfield.example", Name: "Gil Gone", Role: pathway.RolePractitioner, PasswordHash: "x", CreatedAt: now},
		} {
			if err := tx.InsertUser(u); err != nil {
				return err
			}
		}
		if err := tx.SetDisabled("user-gone", true, time.Now()); err != nil {
			return err
		}
		lead, err := tx.UserByID("user-lead")
		if err != nil {
			return err
		}
		officer, err := tx.UserByID("user-officer")
		mp = meetingPeople{Lead: casework.Viewer{User: lead}, PoliceOfficer: casework.Viewer{User: officer}}
		return err
	})
	if err != nil {
		t.Fatalf("adding the meeting's people: %v", err)
	}
	return mp
}

// meetingAct gives cmd as v at the case's current version.
func (p *partnership) meetingAct(v casework.Viewer, caseID string, cmd pathway.Command) error {
	p.t.Helper()
	return p.svc.Act(p.ctx, v, caseID, p.versionFor(v, caseID), cmd)
}

func (p *partnership) meetingMustAct(v casework.Viewer, caseID string, cmd pathway.Command) {
	p.t.Helper()
	if err := p.meetingAct(v, caseID, cmd); err != nil {
		p.t.Fatalf("%T as %s: %v", cmd, v.User.Name, err)
	}
}

func meetingYes(b bool) *bool { return &b }

// meetingCase is a case whose outcome was a multi-agency meeting.
func meetingCase(p *partnership, changes ...func(*pathway.Concern)) string {
	p.t.Helper()
	id := p.raise(changes...)
	p.contact(id)
	p.outcome(id)
	return id
}

func convene(p *partnership, caseID string, emails ...string) {
	p.t.Helper()
	p.meetingMustAct(p.SocialWorker, caseID, pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: p.clock.Now().Add(-time.Hour), InviteeEmails: emails})
}

func recordHeld(decision, leadOrgID string) pathway.RecordMeetingHeld {
	return pathway.RecordMeetingHeld{
		AttendeeEmails: []string{"social.worker@cs.example", "first.responder@police.example"}, NRMDecision: decision, LeadOrgID: leadOrgID,
		ChildProtectionConference: meetingYes(true), ChildProtectionPlan: meetingYes(true), InformationSharedWithPolice: meetingYes(true),
	}
}

func seesCase(t *testing.T, p *partnership, v casework.Viewer, caseID string) (casework.CaseView, bool) {
	t.Helper()
	view, err := p.svc.Case(p.ctx, v, caseID)
	if waymark.ErrorCode(err) == waymark.ENOTFOUND {
		return view, false
	}
	if err != nil {
		t.Fatalf("viewing case as %s: %v", v.User.Name, err)
	}
	return view, true
}

func hasEventType(view casework.CaseView, typ string) bool {
	for _, e := range view.Events {
		if e.Type == typ {
			return true
		}
	}
	return false
}

// §6.8, annex: whoever is invited joins the case and sees the meeting — the
// referrer who is not a First Responder included — but not the team's notes.
func TestInviteesJoinTheCaseAndSeeTheMeeting(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := meetingCase(p)
		if _, ok := seesCase(t, p, p.GPDoctor, id); ok {
			t.Fatal("the GP sees the case before being invited")
		}
		p.meetingMustAct(p.SocialWorker, id, pathway.AddNote{Text: "Team-only note"})
		convene(p, id, "doctor@riverside.example", " DSL@northfield.example ", "first.responder@police.example")

		for _, v := range []casework.Viewer{p.GPDoctor, p.Teacher, p.PoliceLead} {
			view, ok := seesCase(t, p, v, id)
			if !ok {
				t.Fatalf("%s, invited, cannot see the case", v.User.Name)
			}
			if !hasEventType(view, pathway.EventMeetingConvened) {
				t.Errorf("%s does not see the meeting on the timeline", v.User.Name)
			}
			if hasEventType(view, pathway.EventNoteAdded) {
				t.Errorf("%s, an invitee, sees the team's note (§6.5)", v.User.Name)
			}
		}
		m := p.loadCase(id).Meetings.Meetings[0]
		if len(m.Invitees) != 3 || m.Invitees[1].UserID != p.Teacher.User.ID || m.Invitees[1].OrgName != p.School.Name {
			t.Fatalf("invitees = %+v", m.Invitees)
		}
		if _, ok := seesCase(t, p, p.Colleague, id); ok {
			t.Fatal("a colleague of the referrer, not invited, sees the case")
		}
	})
}

func TestConveningRefusesEmailsThatMatchNoActiveUserNamingThem(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		addMeetingPeople(t, p)
		id := meetingCase(p)
		before := p.rowCounts()
		err := p.meetingAct(p.SocialWorker, id, pathway.ConveneMeeting{Kind: pathway.MeetingRiskManagement, ScheduledFor: p.clock.Now().Add(time.Hour),
			InviteeEmails: []string{"first.responder@police.example", "nobody@nowhere.example", "gone@northfield.example"}})
		if waymark.ErrorCode(err) != waymark.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
		f := waymark.ErrorFields(err)
		if len(f) != 1 || f[0].Field != "inviteeEmails" || !strings.Contains(f[0].Message, "nobody@nowhere.example") || !strings.Contains(f[0].Message, "gone@northfield.example") {
			t.Fatalf("problems %+v do not name both unknown emails", f)
		}
		if strings.Contains(f[0].Message, "first.responder@police.example") {
			t.Fatalf("problem %q names a known email", f[0].Message)
		}
		p.wantNothingWritten(before)
	})
}

// §8.2, §8.5: the lead is a First Responder organisation from the directory,
// and its whole team joins the case.
func TestMeetingRecordNamesALeadFirstResponderFromTheDirectory(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		mp := addMeetingPeople(t, p)
		id := meetingCase(p)
		convene(p, id, "first.responder@police.example")

		for _, tc := range []struct{ org, says string }{
			{p.School.ID, "Northfield Academy is not a designated First Responder"},
			{"org-nowhere", "Select an organisation from the list"},
		} {
			err := p.meetingAct(p.SocialWorker, id, recordHeld(pathway.NRMSubmit, tc.org))
			f := waymark.ErrorFields(err)
			if len(f) != 1 || f[0].Field != "leadOrgId" || !strings.Contains(f[0].Message, tc.says) {
				t.Fatalf("lead %s: problems %+v, want leadOrgId saying %q", tc.org, f, tc.says)
			}
		}
		if _, ok := seesCase(t, p, mp.PoliceOfficer, id); ok {
			t.Fatal("a police officer sees the case before the police lead it")
		}
		p.meetingMustAct(p.SocialWorker, id, recordHeld(pathway.NRMSubmit, p.Police.ID))
		view, ok := seesCase(t, p, mp.PoliceOfficer, id)
		if !ok || !view.Membership.Is(pathway.MemberFirstResponder) || !view.Membership.Team() {
			t.Fatalf("the lead organisation's officer: sees %v, membership %+v", ok, view.Membership)
		}
		if decided, submit, lead := p.loadCase(id).Meetings.NRMDecision(); !decided || !submit || lead != p.Police.ID {
			t.Fatalf("NRM decision %v %v %q", decided, submit, lead)
		}
		orgs, err := p.svc.MeetingLeadOrganisations(p.ctx, p.loadCase(id))
		if err != nil || len(orgs) != 2 || orgs[0].ID != p.ChildrensServices.ID || orgs[1].ID != p.Police.ID {
			t.Fatalf("lead organisations %+v, %v: want Children's Services and the police", orgs, err)
		}
	})
}

// §6.8: an action's clock belongs to its owner, who can mark it done; annex,
// §1.2: while the family is suspected, no action contacts them.
func TestMeetingActionsAreOwnedClockedAndKeepAwayFromASuspectedFamily(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := meetingCase(p, func(c *pathway.Concern) { c.FamilySuspected = true })
		convene(p, id, "first.responder@police.example")
		p.meetingMustAct(p.SocialWorker, id, recordHeld(pathway.NRMSubmit, p.Police.ID))

		action := pathway.AddMeetingAction{Text: "Tell her mother about the referral", OwnerEmail: "first.responder@police.example", DueOn: "2026-03-13", ContactsFamily: meetingYes(true)}
		err := p.meetingAct(p.SocialWorker, id, action)
		if f := waymark.ErrorFields(err); len(f) != 1 || f[0].Field != "contactsFamily" || !strings.Contains(f[0].Message, "police and Children's Services") {
			t.Fatalf("family contact while suspected: %v %+v", err, f)
		}
		action.OwnerEmail = "nobody@nowhere.example"
		action.ContactsFamily = meetingYes(false)
		if f := waymark.ErrorFields(p.meetingAct(p.SocialWorker, id, action)); len(f) != 1 || f[0].Field != "ownerEmail" || !strings.Contains(f[0].Message, "nobody@nowhere.example") {
			t.Fatalf("unknown owner: %+v", f)
		}
		action = pathway.AddMeetingAction{Text: "Visit the address where she was collected", OwnerEmail: "first.responder@police.example", DueOn: "2026-03-13", ContactsFamily: meetingYes(false)}
		p.meetingMustAct(p.SocialWorker, id, action)

		c := p.loadCase(id)
		a := c.Meetings.Actions[0]
		var owner string
		var due time.Time
		if err := db.SQL().QueryRowContext(p.ctx, `SELECT owner_user_id, due_at FROM clocks WHERE case_id = $1 AND clock_id = $2`, id, a.ClockID).Scan(&owner, &due); err != nil {
			t.Fatal(err)
		}
		if owner != p.PoliceLead.User.ID || !due.Equal(time.Date(2026, 3, 13, 23, 59, 59, 0, time.UTC)) {
			t.Fatalf("clock owner %q due %s", owner, due)
		}
		// The teacher was not invited: the action is not theirs to see, so it
		// is refused as an action that does not exist (§6.5).
		if err := p.meetingAct(p.Teacher, id, pathway.CompleteMeetingAction{ActionID: a.ID}); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Fatalf("the teacher marked the police's action done: %v", err)
		}
		p.clock.Advance(time.Hour)
		p.meetingMustAct(p.PoliceLead, id, pathway.CompleteMeetingAction{ActionID: a.ID, Note: "Visited."})
		var stopped *time.Time
		if err := db.SQL().QueryRowContext(p.ctx, `SELECT stopped_at FROM clocks WHERE case_id = $1 AND clock_id = $2`, id, a.ClockID).Scan(&stopped); err != nil {
			t.Fatal(err)
		}
		if stopped == nil || !stopped.Equal(p.clock.Now()) {
			t.Fatalf("clock stopped at %v, want %s", stopped, p.clock.Now())
		}
	})
}

// §8.5, §8.6: the partnership lead joins a case while a disagreement about
// the NRM is escalated, lists it, settles it at the last step, and leaves.
func TestPartnershipLeadSeesAnEscalatedCaseUntilItIsResolved(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		mp := addMeetingPeople(t, p)
		id := meetingCase(p)
		other := meetingCase(p) // a case the lead never joins
		convene(p, id, "first.responder@police.example")
		p.meetingMustAct(p.SocialWorker, id, recordHeld(pathway.NRMDoNotSubmit, ""))

		if _, ok := seesCase(t, p, mp.Lead, id); ok {
			t.Fatal("the partnership lead sees the case before any escalation")
		}
		if _, _, err := p.svc.EscalationsPage(p.ctx, p.SocialWorker, nil); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Fatalf("a social worker listed escalations: %v", err)
		}

		p.meetingMustAct(p.Teacher, id, pathway.RaiseEscalation{Reason: "The indicators meet the threshold for an NRM."})
		view, ok := seesCase(t, p, mp.Lead, id)
		if !ok || !view.Membership.Is(pathway.MemberPartnership) {
			t.Fatalf("the lead after escalation: sees %v, membership %+v", ok, view.Membership)
		}
		if n := p.count(`SELECT open_escalations FROM cases WHERE id = $1`, id); n != 1 {
			t.Fatalf("open_escalations = %d", n)
		}
		p.clock.Advance(48 * time.Hour)
		p.meetingMustAct(p.Teacher, id, pathway.EscalateFurther{Note: "Line managers could not agree."})
		p.meetingMustAct(p.Manager, id, pathway.EscalateFurther{Note: "Senior managers could not agree."})

		list, _, err := p.svc.EscalationsPage(p.ctx, mp.Lead, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ID != id || list[0].Oldest().Level != pathway.EscalationPartnership || !list[0].Oldest().RaisedAt.Equal(storetest.Start) {
			t.Fatalf("escalations listed: %+v", list)
		}
		for _, c := range list {
			if c.ID == other {
				t.Fatal("a case without an escalation is listed")
			}
		}

		// §8.6: at the last step only the partnership lead settles it.
		if err := p.meetingAct(p.Manager, id, pathway.ResolveEscalation{Outcome: pathway.EscalationSubmit, LeadOrgID: p.Police.ID, Note: "Manager view."}); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Fatalf("the manager resolved at the partnership's step: %v", err)
		}
		p.meetingMustAct(mp.Lead, id, pathway.ResolveEscalation{Outcome: pathway.EscalationSubmit, LeadOrgID: p.Police.ID, Note: "The partnership agrees the NRM is to be submitted."})
		if decided, submit, lead := p.loadCase(id).Meetings.NRMDecision(); !decided || !submit || lead != p.Police.ID {
			t.Fatalf("after resolution: %v %v %q", decided, submit, lead)
		}
		if _, ok := seesCase(t, p, mp.Lead, id); ok {
			t.Fatal("the partnership lead still sees the case after the escalation was resolved")
		}
		if list, _, _ := p.svc.EscalationsPage(p.ctx, mp.Lead, nil); len(list) != 0 {
			t.Fatalf("still listed after resolution: %+v", list)
		}
		// The teacher who escalated sees how it ended.
		view, _ = seesCase(t, p, p.Teacher, id)
		if !hasEventType(view, pathway.EventEscalationResolved) || !hasEventType(view, pathway.EventEscalationMovedUp) {
			t.Fatal("the teacher who escalated does not see its progress")
		}
	})
}
