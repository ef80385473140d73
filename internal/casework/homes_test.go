package casework_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// homesOtherForce adds a second police force with its own First Responder
// lead, on no case.
func (p *partnership) homesOtherForce() casework.Viewer {
	p.t.Helper()
	var v casework.Viewer
	err := p.db.Update(p.ctx, func(tx *store.Tx) error {
		if err := tx.InsertOrganisation(store.Organisation{ID: "org-police-2", Name: "Southshire Police", Kind: "police", FirstResponder: true, CreatedAt: p.clock.Now()}); err != nil {
			return err
		}
		if err := tx.InsertUser(store.User{ID: "user-police-south", OrgID: "org-police-2", Email: "lead@south.example", Name: "Sol South",
			Role: pathway.RoleFirstResponder, PasswordHash: "x", CreatedAt: p.clock.Now()}); err != nil {
			return err
		}
		u, err := tx.UserByID("user-police-south")
		v = casework.Viewer{User: u}
		return err
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return v
}

// homesMeetingAgreesPoliceSubmit convenes and holds a meeting that agrees the
// police submit the NRM referral (§8.5).
func (p *partnership) homesMeetingAgreesPoliceSubmit(id string) {
	p.t.Helper()
	p.nrmAct(p.SocialWorker, id, pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: p.clock.Now().Add(time.Hour), InviteeEmails: []string{p.PoliceLead.User.Email}})
	p.clock.Advance(2 * time.Hour)
	no := false
	p.nrmAct(p.SocialWorker, id, pathway.RecordMeetingHeld{AttendeeEmails: []string{"social.worker@cs.example", "first.responder@police.example"}, NRMDecision: pathway.NRMSubmit, LeadOrgID: p.Police.ID,
		ChildProtectionConference: &no, ChildProtectionPlan: &no, InformationSharedWithPolice: &no})
}

func homesPositions(list []store.CaseSummary, id string) string {
	for _, c := range list {
		if c.ID == id {
			return c.Position()
		}
	}
	return ""
}

// The lists show the team where the case stands on the whole pathway, not
// the stage the outcome left it at (issue: "Outcome given" after a meeting
// and an NRM submission). The referrer, outside the team, is shown what
// their case page shows: the outcome, never the NRM (§6.5).
func TestListsShowWhereTheCaseStandsAfterTheMeetingAndTheNRM(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		p.outcome(id)
		want := func(v casework.Viewer, position string) {
			t.Helper()
			list, _, err := p.svc.MyCasesPage(p.ctx, v, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := homesPositions(list, id); got != position {
				t.Fatalf("%s's list says %q, want %q", v.User.Name, got, position)
			}
		}
		want(p.SocialWorker, pathway.StageOutcomeGiven.Label())
		p.homesMeetingAgreesPoliceSubmit(id)
		want(p.SocialWorker, "Multi-agency meeting held")
		p.nrmAct(p.PoliceLead, id, pathway.SubmitNRMReferral{SubmittedAt: p.clock.Now().Add(-time.Minute), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes})
		want(p.SocialWorker, "NRM referral submitted")
		want(p.Teacher, pathway.StageOutcomeGiven.Label())
		want(p.PoliceLead, "NRM referral submitted")
	})
}

// §6.5: the Home Office's decision on whether the child is a victim is the
// team's to know. A referrer's list, search and home show no NRM submission
// and no decision, however the list is read.
func TestTheReferrersListsNameNoNRMDecision(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		ref := p.contact(id)
		p.outcome(id)
		p.homesMeetingAgreesPoliceSubmit(id)
		p.nrmAct(p.PoliceLead, id, pathway.SubmitNRMReferral{SubmittedAt: p.clock.Now().Add(-time.Minute), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes})
		p.nrmAct(p.SocialWorker, id, pathway.RecordReasonableGrounds{Outcome: pathway.DecisionNegative, DecidedOn: p.clock.Now().Format("2006-01-02")})
		view, err := p.svc.Case(p.ctx, p.Teacher, id)
		if err != nil {
			t.Fatal(err)
		}
		page := view.Case.Progress()
		if strings.Contains(page, "NRM") || strings.Contains(page, "Grounds") {
			t.Fatalf("the referrer's case page says %q", page)
		}
		lists := map[string]func() ([]store.CaseSummary, error){
			"my cases": func() ([]store.CaseSummary, error) {
				l, _, err := p.svc.MyCasesPage(p.ctx, p.Teacher, nil)
				return l, err
			},
			"search by reference": func() ([]store.CaseSummary, error) {
				l, _, err := p.svc.SearchPage(p.ctx, p.Teacher, ref, nil)
				return l, err
			},
		}
		for name, list := range lists {
			got, err := list()
			if err != nil {
				t.Fatal(err)
			}
			if pos := homesPositions(got, id); pos != page {
				t.Errorf("the referrer's %s says %q, their case page %q", name, pos, page)
			}
		}
		list, _, err := p.svc.MyCasesPage(p.ctx, p.SocialWorker, nil)
		if err != nil {
			t.Fatal(err)
		}
		if pos := homesPositions(list, id); !strings.Contains(pos, "Reasonable Grounds") {
			t.Errorf("the social worker's list says %q", pos)
		}
	})
}

// §8.5, §8.7: the First Responder's home lists the referral a meeting agreed
// they submit, then the decision they wait for; another force's lead, the
// school and the GP see nothing of it (§6.5).
func TestTheFirstRespondersHomeListsReferralsToSubmitAndDecisionsAwaited(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		south := p.homesOtherForce()
		id := p.raise()
		p.contact(id)
		p.outcome(id)
		home := func(v casework.Viewer) casework.FirstResponderQueues {
			t.Helper()
			q, err := p.svc.FirstResponderHome(p.ctx, v)
			if err != nil {
				t.Fatal(err)
			}
			return q
		}
		if q := home(p.PoliceLead); len(q.AwaitingSubmission)+len(q.AwaitingDecision)+len(q.Reconsideration) != 0 {
			t.Fatalf("before any meeting the police's home lists %+v", q)
		}
		p.homesMeetingAgreesPoliceSubmit(id)
		q := home(p.PoliceLead)
		if len(q.AwaitingSubmission) != 1 || q.AwaitingSubmission[0].ID != id || len(q.AwaitingDecision) != 0 {
			t.Fatalf("after the meeting the police's home lists %+v", q)
		}
		p.nrmAct(p.PoliceLead, id, pathway.SubmitNRMReferral{SubmittedAt: p.clock.Now().Add(-time.Minute), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes})
		q = home(p.PoliceLead)
		if len(q.AwaitingSubmission) != 0 || len(q.AwaitingDecision) != 1 || q.AwaitingDecision[0].ID != id {
			t.Fatalf("after the submission the police's home lists %+v", q)
		}
		if q := home(south); len(q.AwaitingSubmission)+len(q.AwaitingDecision)+len(q.Reconsideration) != 0 {
			t.Fatalf("another force's lead sees %+v", q)
		}
		last := p.auditSince(0)
		if a := last[len(last)-1]; a.ActorID != south.User.ID || !strings.Contains(a.Detail, "first responder home") {
			t.Fatalf("the last read is audited as %+v", a)
		}
		for _, v := range []casework.Viewer{p.Teacher, p.GPDoctor, p.SocialWorker} {
			if _, err := p.svc.FirstResponderHome(p.ctx, v); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
				t.Fatalf("%s's First Responder home: %v, want forbidden", v.User.Name, err)
			}
		}
		if list, _, err := p.svc.MyCasesPage(p.ctx, p.GPDoctor, nil); err != nil || len(list) != 0 {
			t.Fatalf("the GP's cases: %v %v", ids(list), err)
		}
	})
}

// §6.7: the manager sees how many open cases each worker carries and which
// cases nobody is assigned to; assigning one takes it off the list. The
// inbox and my work name who is assigned. Nobody outside the team's
// managers sees the caseload.
func TestTheManagersHomeShowsCaseloadAndUnallocatedCases(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		first := p.raise()
		p.clock.Advance(time.Minute)
		second := p.raise()
		unallocated := func() []string {
			t.Helper()
			list, err := p.svc.UnallocatedCases(p.ctx, p.Manager)
			if err != nil {
				t.Fatal(err)
			}
			return ids(list)
		}
		if got := unallocated(); !slices.Equal(got, []string{first, second}) {
			t.Fatalf("unallocated %v, want both, the first raised first", got)
		}
		p.nrmAct(p.CSWorker, first, pathway.AssignWorker{WorkerEmail: p.SocialWorker.User.Email})
		if got := unallocated(); !slices.Equal(got, []string{second}) {
			t.Fatalf("unallocated %v, want only the second", got)
		}
		load, err := p.svc.TeamCaseload(p.ctx, p.Manager)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for _, w := range load {
			counts[w.Name] = w.OpenCases
		}
		if counts["Sam Social"] != 1 || counts["Mo Manager"] != 0 || len(counts) != 2 {
			t.Fatalf("caseload %v", counts)
		}

		inbox, _, err := p.svc.InboxPage(p.ctx, p.CSWorker, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range inbox {
			want := []string(nil)
			if c.ID == first {
				want = []string{"Sam Social"}
			}
			if !slices.Equal(c.AssignedTo, want) {
				t.Fatalf("the inbox says %v assigned to %s", c.AssignedTo, c.ID)
			}
		}
		work, _, err := p.svc.MyWorkPage(p.ctx, p.SocialWorker, nil)
		if err != nil {
			t.Fatal(err)
		}
		named := false
		for _, w := range work {
			if w.CaseID == first {
				named = w.OwnerName != "" || slices.Equal(w.Assigned, []string{"Sam Social"})
			}
		}
		if !named {
			t.Fatalf("my work %+v names no owner for the assigned case", work)
		}

		for _, v := range []casework.Viewer{p.SocialWorker, p.CSWorker, p.PoliceLead, p.Teacher, p.CSAdmin} {
			if _, err := p.svc.TeamCaseload(p.ctx, v); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
				t.Fatalf("%s's caseload: %v, want forbidden", v.User.Name, err)
			}
			if _, err := p.svc.UnallocatedCases(p.ctx, v); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
				t.Fatalf("%s's unallocated cases: %v, want forbidden", v.User.Name, err)
			}
		}
	})
}

// The partnership lead sees how many deadlines each organisation has let
// pass: numbers, not cases, so no case is opened or named.
func TestThePartnershipLeadSeesOverdueDeadlinesByOrganisation(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		var lead casework.Viewer
		err := p.db.Update(p.ctx, func(tx *store.Tx) error {
			if err := tx.InsertUser(store.User{ID: "user-lead", OrgID: p.ChildrensServices.ID, Email: "lead@partnership.example", Name: "Lee Lead",
				Role: pathway.RolePartnershipLead, PasswordHash: "x", CreatedAt: p.clock.Now()}); err != nil {
				return err
			}
			u, err := tx.UserByID("user-lead")
			lead = casework.Viewer{User: u}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		p.raise()
		p.clock.Advance(25 * time.Hour) // past the 24 hours Children's Services have to know (§8.5)
		overdue, err := p.svc.OverdueAcrossThePartnership(p.ctx, lead)
		if err != nil {
			t.Fatal(err)
		}
		if len(overdue) != 1 || overdue[0].OrgID != p.ChildrensServices.ID || overdue[0].Overdue != 1 {
			t.Fatalf("overdue by organisation %+v", overdue)
		}
		if _, err := p.svc.OverdueAcrossThePartnership(p.ctx, p.Manager); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Fatalf("the manager: %v, want forbidden", err)
		}
	})
}

// A lead's count of overdue deadlines covers their own partnership only
// (§4.3): a lead of another partnership learns neither the names of this
// partnership's organisations nor that any of them has a deadline running.
func TestALeadCountsOnlyTheirOwnPartnershipsOverdueDeadlines(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		w.clock.Advance(25 * time.Hour) // past the 24 hours Children's Services have to know (§8.5)
		north, err := w.svc.OverdueAcrossThePartnership(w.ctx, w.northLead)
		if err != nil {
			t.Fatal(err)
		}
		if len(north) != 1 || north[0].OrgID != w.ChildrensServices.ID || north[0].Overdue < 1 {
			t.Fatalf("the raising partnership's lead sees %+v", north)
		}
		for _, lead := range []casework.Viewer{w.southLead, w.westLead} {
			other, err := w.svc.OverdueAcrossThePartnership(w.ctx, lead)
			if err != nil {
				t.Fatal(err)
			}
			if len(other) != 0 {
				t.Errorf("%s, lead of another partnership, sees %+v", lead.User.Name, other)
			}
		}
	})
}

// §6.8: the supervising manager records supervision on a case of their team;
// the social worker and the police lead, though on the case, cannot; the
// school that referred neither sees the note nor can record one (§6.5);
// the manager's home lists the case by its last supervision.
func TestTheSupervisingManagerRecordsSupervisionOnTheTeamsCase(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		p.outcome(id)
		p.homesMeetingAgreesPoliceSubmit(id)
		note := pathway.RecordSupervision{Text: "Reviewed the safety plan with Sam; NRM to be chased with the police on Friday."}
		for _, v := range []casework.Viewer{p.SocialWorker, p.PoliceLead} {
			if err := p.svc.Act(p.ctx, v, id, p.version(id), note); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
				t.Fatalf("%s recording supervision: %v, want forbidden", v.User.Name, err)
			}
		}
		if err := p.svc.Act(p.ctx, p.Teacher, id, p.versionFor(p.Teacher, id), note); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("the referrer recording supervision: %v, want not found", err)
		}
		if err := p.svc.Act(p.ctx, p.Manager, id, p.version(id), pathway.RecordSupervision{Text: "  "}); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Fatalf("an empty supervision note: %v, want invalid", err)
		}
		p.nrmAct(p.Manager, id, note)
		if c := p.loadCase(id); len(c.Supervision) != 1 || c.Supervision[0].Text != note.Text || c.Supervision[0].By.UserID != p.Manager.User.ID {
			t.Fatalf("supervision %+v", c.Supervision)
		}
		view, err := p.svc.Case(p.ctx, p.Teacher, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range view.Events {
			if e.Type == pathway.EventSupervisionRecorded {
				t.Fatal("the referrer sees the supervision note")
			}
		}
		list, err := p.svc.RecentSupervision(p.ctx, p.Manager)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Case.ID != id || list[0].ByName != "Mo Manager" {
			t.Fatalf("the manager's supervision list %+v", list)
		}
		if _, err := p.svc.RecentSupervision(p.ctx, p.SocialWorker); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Fatalf("the social worker's supervision list: %v, want forbidden", err)
		}
	})
}

// §8.5: the First Responder's list of referrals to submit asks the pathway,
// not the case's last position alone: once a later meeting agrees not to
// submit, the referral is no longer theirs to submit, and the list says so.
func TestAReferralAMeetingLaterCalledOffLeavesTheFirstRespondersList(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		p.outcome(id)
		p.homesMeetingAgreesPoliceSubmit(id)
		p.nrmAct(p.SocialWorker, id, pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: p.clock.Now().Add(time.Hour), InviteeEmails: []string{p.PoliceLead.User.Email}})
		p.clock.Advance(2 * time.Hour)
		no := false
		p.nrmAct(p.SocialWorker, id, pathway.RecordMeetingHeld{AttendeeEmails: []string{"social.worker@cs.example", "first.responder@police.example"}, NRMDecision: pathway.NRMDoNotSubmit,
			ChildProtectionConference: &no, ChildProtectionPlan: &no, InformationSharedWithPolice: &no})
		view, err := p.svc.Case(p.ctx, p.PoliceLead, id)
		if err != nil {
			t.Fatal(err)
		}
		if view.HasNextStep && view.NextStep.Name == pathway.CommandName(pathway.SubmitNRMReferral{}) {
			t.Fatalf("the pathway still expects the police to submit after the second meeting agreed not to")
		}
		q, err := p.svc.FirstResponderHome(p.ctx, p.PoliceLead)
		if err != nil {
			t.Fatal(err)
		}
		if len(q.AwaitingSubmission) != 0 {
			t.Errorf("the police's home lists a referral to submit that the pathway would refuse: %v", ids(q.AwaitingSubmission))
		}
	})
}
