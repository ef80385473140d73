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

// nrmAct gives cmd at the case's current version and fails the test on a refusal.
func (p *partnership) nrmAct(v casework.Viewer, id string, cmd pathway.Command) {
	p.t.Helper()
	if err := p.svc.Act(p.ctx, v, id, p.versionFor(v, id), cmd); err != nil {
		p.t.Fatalf("%s: %T refused: %v", v.User.Name, cmd, err)
	}
}

// nrmPoliceColleague adds a second police officer, who is on no case yet.
func (p *partnership) nrmPoliceColleague() casework.Viewer {
	p.t.Helper()
	var v casework.Viewer
	err := p.db.Update(p.ctx, func(tx *store.Tx) error {
		if err := tx.InsertUser(store.User{ID: "user-police-2", OrgID: p.Police.ID, Email: "colleague@police.example", Name: "Pia Police",
			Role: pathway.RoleFirstResponder, PasswordHash: "x", CreatedAt: p.clock.Now()}); err != nil {
			return err
		}
		u, err := tx.UserByID("user-police-2")
		v = casework.Viewer{User: u}
		return err
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return v
}

// §8.5: the meeting agreed the police as lead First Responder; Children's
// Services is refused with the police's name, and the police submit.
func TestOnlyTheLeadAgreedAtTheMeetingRecordsTheNRMSubmission(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.nrmAct(p.SocialWorker, id, pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: p.clock.Now().Add(time.Hour), InviteeEmails: []string{p.PoliceLead.User.Email}})
		p.clock.Advance(2 * time.Hour)
		no := false
		p.nrmAct(p.SocialWorker, id, pathway.RecordMeetingHeld{AttendeeEmails: []string{"social.worker@cs.example", "first.responder@police.example"}, NRMDecision: pathway.NRMSubmit, LeadOrgID: p.Police.ID,
			ChildProtectionConference: &no, ChildProtectionPlan: &no, InformationSharedWithPolice: &no})

		sub := pathway.SubmitNRMReferral{SubmittedAt: p.clock.Now().Add(-time.Minute), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes}
		before := p.rowCounts()
		err := p.svc.Act(p.ctx, p.CSWorker, id, p.version(id), sub)
		wantCode(t, err, waymark.EFORBIDDEN)
		if msg := waymark.ErrorMessage(err); !strings.Contains(msg, "Only Northshire Police was agreed as lead First Responder") {
			t.Fatalf("refusal %q does not name the agreed lead", msg)
		}
		p.wantNothingWritten(before)

		p.nrmAct(p.PoliceLead, id, sub)
		c := p.loadCase(id)
		if s := c.NRM.Submission; s == nil || !s.MeetingAgreed || s.LeadOrgID != p.Police.ID || s.By.UserID != p.PoliceLead.User.ID {
			t.Fatalf("submission = %+v", s)
		}
		last := p.auditSince(0)
		if a := last[len(last)-1]; a.Action != "case.record_nrm_submission" || a.ActorID != p.PoliceLead.User.ID {
			t.Fatalf("last audit entry %+v", a)
		}
	})
}

// §8.2, §8.4, §8.5: a First Responder assigned to the case submits without a
// meeting, giving the reason; their organisation joins the case (need to
// know, §6.5) and the Reasonable Grounds target is theirs.
func TestNRMSubmissionMakesTheLeadOrganisationAMemberAndStartsItsTarget(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		colleague := p.nrmPoliceColleague()
		id := p.raise()
		p.nrmAct(p.CSWorker, id, pathway.AssignWorker{WorkerEmail: p.PoliceLead.User.Email})
		if _, err := p.svc.Case(p.ctx, colleague, id); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("a police colleague sees the case before the referral: %v", err)
		}

		// The school cannot submit: it is not a First Responder (§8.2), and
		// as the referrer outside the team the NRM is not theirs to act on at
		// all (§6.5): refused as an action that does not exist.
		err := p.svc.Act(p.ctx, p.Teacher, id, p.versionFor(p.Teacher, id), pathway.SubmitNRMReferral{SubmittedAt: p.clock.Now(), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes, ReasonWithoutMeeting: "Urgent"})
		wantCode(t, err, waymark.ENOTFOUND)

		// Without a meeting decision the reason is needed (§8.4, §8.5).
		err = p.svc.Act(p.ctx, p.PoliceLead, id, p.version(id), pathway.SubmitNRMReferral{SubmittedAt: p.clock.Now(), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes})
		wantCode(t, err, waymark.EINVALID)
		if f := waymark.ErrorFields(err); len(f) != 1 || f[0].Field != "reasonWithoutMeeting" {
			t.Fatalf("refusal names %+v, want reasonWithoutMeeting", f)
		}

		submitted := p.clock.Now().Add(-30 * time.Minute)
		p.nrmAct(p.PoliceLead, id, pathway.SubmitNRMReferral{SubmittedAt: submitted, Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes, ReasonWithoutMeeting: "The child is to be moved tonight."})
		if n := p.count(`SELECT COUNT(*) FROM case_members WHERE case_id = $1 AND member_kind = 'org' AND member_id = $2 AND role = $3`, id, p.Police.ID, pathway.MemberFirstResponder); n != 1 {
			t.Fatalf("%d first_responder rows for the police", n)
		}
		view, err := p.svc.Case(p.ctx, colleague, id)
		if err != nil || !view.Membership.Team() || !view.Case.NRM.ICTGEligible() {
			t.Fatalf("the police colleague's view: %v, roles %v", err, view.Membership.Roles)
		}

		var owner string
		var due time.Time
		var window bool
		err = db.SQL().QueryRow(`SELECT owner_org_id, due_at, risk_window FROM clocks WHERE case_id = $1 AND kind = $2`, id, string(pathway.ClockNRMReasonableGrounds)).Scan(&owner, &due, &window)
		if err != nil {
			t.Fatal(err)
		}
		if want := storetest.Catalog().Holidays.AddWorkingDays(submitted, 5); owner != p.Police.ID || !due.Equal(want) || window {
			t.Fatalf("target owned by %s due %s (window %v), want the police, %s", owner, due, window, want)
		}
		work, _, err := p.svc.MyWorkPage(p.ctx, colleague, nil)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, w := range work {
			found = found || (w.CaseID == id && strings.Contains(w.Label, "Reasonable Grounds"))
		}
		if !found {
			t.Fatalf("the police colleague's work %+v lacks the Reasonable Grounds target", work)
		}
	})
}

// §8.7, §8.9, national guidance: reference, decisions, a reconsideration by
// the school that referred, the overturned decision and the Conclusive
// Grounds decision after the minimum wait, all through Act.
func TestNRMDecisionsAndReconsiderationThroughTheUseCase(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.nrmAct(p.CSWorker, id, pathway.SubmitNRMReferral{SubmittedAt: p.clock.Now(), Via: "offline-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes, ReasonWithoutMeeting: "Agreed by phone with the police; meeting on Friday."})

		p.clock.Advance(24 * time.Hour) // Wednesday 11 March 2026
		p.nrmAct(p.CSWorker, id, pathway.RecordHomeOfficeReference{Reference: "NRM-2026-0042", ReceivedOn: "2026-03-11"})
		p.nrmAct(p.CSWorker, id, pathway.RecordReasonableGrounds{Outcome: pathway.DecisionNegative, DecidedOn: "2026-03-11"})
		var stopped *time.Time
		if err := db.SQL().QueryRow(`SELECT stopped_at FROM clocks WHERE case_id = $1 AND kind = $2`, id, string(pathway.ClockNRMReasonableGrounds)).Scan(&stopped); err != nil || stopped == nil {
			t.Fatalf("the Reasonable Grounds target was not stopped: %v %v", stopped, err)
		}

		// A GP outside the case cannot even see it. Any organisation may ask
		// (§8.9), but the school that referred sees neither the NRM nor its
		// decisions (§6.5): it passes what it knows to the team, which asks.
		req := pathway.RequestNRMReconsideration{Decision: pathway.ReasonableGrounds, EventsSinceReferral: "She has told her teacher about the flat she was kept in.",
			IndicatorsAdded: []string{storetest.Catalog().Indicators[3].ID}}
		wantCode(t, p.svc.Act(p.ctx, p.GPDoctor, id, p.version(id), req), waymark.ENOTFOUND)
		wantCode(t, p.svc.Act(p.ctx, p.Teacher, id, p.versionFor(p.Teacher, id), req), waymark.ENOTFOUND)
		p.nrmAct(p.CSWorker, id, req)

		p.clock.Advance(14 * 24 * time.Hour) // 25 March 2026
		p.nrmAct(p.CSWorker, id, pathway.RecordNRMReconsiderationOutcome{Outcome: pathway.ReconsiderationOverturned, DecidedOn: "2026-03-25"})
		c := p.loadCase(id)
		if rg := c.NRM.ReasonableGrounds; rg == nil || !rg.Positive() || c.NRM.EarliestConclusiveGrounds != "2026-04-24" {
			t.Fatalf("after the overturn: %+v, earliest CG %s", rg, c.NRM.EarliestConclusiveGrounds)
		}
		var window bool
		if err := db.SQL().QueryRow(`SELECT risk_window FROM clocks WHERE case_id = $1 AND kind = $2`, id, string(pathway.ClockNRMEarliestConclusiveGrounds)).Scan(&window); err != nil || !window {
			t.Fatalf("the wait before Conclusive Grounds is not stored as a window: %v %v", window, err)
		}

		p.clock.Advance(20 * 24 * time.Hour) // 14 April: too early for the decision's date
		err := p.svc.Act(p.ctx, p.CSWorker, id, p.version(id), pathway.RecordConclusiveGrounds{Outcome: pathway.DecisionPositive, DecidedOn: "2026-04-14"})
		wantCode(t, err, waymark.EINVALID)
		if f := waymark.ErrorFields(err); len(f) != 1 || f[0].Field != "decidedOn" || !strings.Contains(f[0].Message, "24 April 2026") {
			t.Fatalf("refusal %+v", f)
		}
		p.clock.Advance(10 * 24 * time.Hour)
		p.nrmAct(p.CSWorker, id, pathway.RecordConclusiveGrounds{Outcome: pathway.DecisionPositive, DecidedOn: "2026-04-24"})
		p.nrmAct(p.CSWorker, id, pathway.RecordNRMFurtherInformation{SentOn: "2026-04-24", Summary: "School attendance since January."})

		c = p.loadCase(id)
		if c.NRM.ConclusiveGrounds == nil || !c.NRM.ConclusiveGrounds.Positive() || len(c.NRM.Decisions) != 3 || len(c.NRM.FurtherInformation) != 1 {
			t.Fatalf("NRM = %+v", c.NRM)
		}
		// The referrer sees their own entries on the timeline, not the decisions (§6.5).
		view, err := p.svc.Case(p.ctx, p.Teacher, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range view.Events {
			if e.Type == pathway.EventNRMDecisionRecorded {
				t.Fatalf("the referrer sees %s on the timeline", e.Summary())
			}
		}
	})
}
