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

const supportAddress = "14 Larch Close, Northtown NT4 7QP"

// supportAct gives cmd as v at the case's current version, failing the test on refusal.
func (p *partnership) supportAct(v casework.Viewer, caseID string, cmd pathway.Command) {
	p.t.Helper()
	if err := p.svc.Act(p.ctx, v, caseID, p.version(caseID), cmd); err != nil {
		p.t.Fatalf("%s: %v", pathway.CommandName(cmd), err)
	}
}

// supportAddressSeenBy reports whether v can find the placement address
// anywhere in their view of the case: the state, the events' data or the
// timeline lines.
func (p *partnership) supportAddressSeenBy(v casework.Viewer, caseID string) bool {
	p.t.Helper()
	view, err := p.svc.Case(p.ctx, v, caseID)
	if err != nil {
		p.t.Fatalf("%s viewing the case: %v", v.User.Name, err)
	}
	seen := false
	for _, pl := range view.Case.Support.Placements {
		if strings.Contains(pl.Address, "Larch") {
			seen = true
		}
	}
	for _, e := range view.Events {
		if strings.Contains(e.Summary(), "Larch") {
			p.t.Errorf("timeline line %q shows the address", e.Summary())
		}
		if d, ok := e.Data.(pathway.PlacementStarted); ok && strings.Contains(d.Placement.Address, "Larch") {
			seen = true
		}
	}
	return seen
}

// §6.5, §7.6: a confidential placement's address reaches nobody on the case
// without an explicit grant – not the Children's Services team, not the
// referrer – and the social worker decides who gets one.
func TestConfidentialWhereaboutsReachOnlyThoseGivenAccess(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		p.supportAct(p.SocialWorker, id, pathway.StartPlacement{StartedAt: p.clock.Now().Add(-time.Hour), PlacementType: "foster-care", Address: supportAddress, WhereaboutsConfidential: true})

		if !p.supportAddressSeenBy(p.SocialWorker, id) {
			t.Fatal("the social worker who made the placement cannot see its address")
		}
		for _, v := range []casework.Viewer{p.Manager, p.CSWorker, p.Teacher} {
			if p.supportAddressSeenBy(v, id) {
				t.Errorf("%s sees the confidential address without a grant", v.User.Name)
			}
		}

		// The police are not on the case yet: need to know comes first (§6.5).
		err := p.svc.Act(p.ctx, p.SocialWorker, id, p.version(id), pathway.GrantWhereaboutsAccess{Email: p.PoliceLead.User.Email, Reason: "Officer in the case"})
		wantCode(t, err, waymark.EINVALID)
		if fe := waymark.ErrorFields(err); len(fe) != 1 || fe[0].Field != "email" || !strings.Contains(fe[0].Message, "not involved in this case") {
			t.Fatalf("granting to an outsider: %v", err)
		}
		if _, err := p.svc.Case(p.ctx, p.PoliceLead, id); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("the refused grant let the police see the case: %v", err)
		}

		p.supportAct(p.CSWorker, id, pathway.AssignWorker{WorkerEmail: p.PoliceLead.User.Email})
		if p.supportAddressSeenBy(p.PoliceLead, id) {
			t.Fatal("an assigned worker sees the address before any grant")
		}
		// Only the social worker or a manager decides (§7.6).
		err = p.svc.Act(p.ctx, p.CSWorker, id, p.version(id), pathway.GrantWhereaboutsAccess{Email: p.PoliceLead.User.Email, Reason: "Officer in the case"})
		wantCode(t, err, waymark.EFORBIDDEN)

		p.supportAct(p.Manager, id, pathway.GrantWhereaboutsAccess{Email: " " + strings.ToUpper(p.PoliceLead.User.Email) + " ", Reason: "Officer in the case"})
		if !p.supportAddressSeenBy(p.PoliceLead, id) {
			t.Fatal("the police officer given access cannot see the address")
		}
		if p.supportAddressSeenBy(p.Manager, id) {
			t.Fatal("granting access to someone else showed the manager the address")
		}
		grants := p.loadCase(id).Support.WhereaboutsAccess
		if len(grants) != 2 || grants[1].User.UserID != p.PoliceLead.User.ID || grants[1].GrantedBy.UserID != p.Manager.User.ID {
			t.Fatalf("grants = %+v", grants)
		}

		p.supportAct(p.SocialWorker, id, pathway.RevokeWhereaboutsAccess{UserID: p.PoliceLead.User.ID, Reason: "Investigation handed over"})
		if p.supportAddressSeenBy(p.PoliceLead, id) {
			t.Fatal("access withdrawn but the address still reaches the officer")
		}
	})
}

func TestGrantingWhereaboutsAccessFindsTheUserByEmail(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.supportAct(p.SocialWorker, id, pathway.StartPlacement{StartedAt: p.clock.Now(), PlacementType: "childrens-home", Address: supportAddress, WhereaboutsConfidential: true})
		before := p.rowCounts()
		for _, tc := range []struct {
			email, says string
		}{
			{"nobody@nowhere.example", "no active Waymark user"},
			{p.CSAdmin.User.Email, "Administrators manage Waymark"},
			{"", "Enter the email address"},
		} {
			err := p.svc.Act(p.ctx, p.SocialWorker, id, p.version(id), pathway.GrantWhereaboutsAccess{Email: tc.email, Reason: "r"})
			fe := waymark.ErrorFields(err)
			if len(fe) != 1 || fe[0].Field != "email" || !strings.Contains(fe[0].Message, tc.says) {
				t.Errorf("granting to %q: %v %+v, want an email problem saying %q", tc.email, err, fe, tc.says)
			}
		}
		p.wantNothingWritten(before)

		// The referrer is on the case: a grant to them works (the school may need to know).
		p.supportAct(p.SocialWorker, id, pathway.GrantWhereaboutsAccess{Email: p.Teacher.User.Email, Reason: "Arranging school transport"})
		if !p.supportAddressSeenBy(p.Teacher, id) {
			t.Fatal("the referrer given access cannot see the address")
		}
	})
}

// §4.3, §7.4: placing a child from abroad opens the 72-hour window, which
// the team's lists show; a later move starts a new one.
func TestPlacingAChildFromAbroadShowsTheHighMissingRiskInTheInbox(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		abroad := p.raise() // ValidConcern: an Albanian child
		british := p.raise(func(c *pathway.Concern) { c.Child.Nationality = "British" })
		start := p.clock.Now().Add(-time.Hour)
		for _, id := range []string{abroad, british} {
			p.supportAct(p.SocialWorker, id, pathway.StartPlacement{StartedAt: start, PlacementType: "foster-care", Address: supportAddress})
		}
		inbox, _, err := p.svc.InboxPage(p.ctx, p.CSWorker, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, cs := range inbox {
			switch cs.ID {
			case abroad:
				if cs.HighRiskUntil == nil || !cs.HighRiskUntil.Equal(start.Add(72*time.Hour)) {
					t.Errorf("child from abroad: high risk until %v, want %s", cs.HighRiskUntil, start.Add(72*time.Hour))
				}
			case british:
				if cs.HighRiskUntil != nil {
					t.Errorf("British child: high risk until %v, want none", cs.HighRiskUntil)
				}
			}
		}
		view, err := p.svc.Case(p.ctx, p.Teacher, abroad)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, w := range view.Warnings {
			found = found || w.Kind == "high-missing-risk"
		}
		if !found {
			t.Fatalf("the referrer's view does not warn of the high missing risk: %+v", view.Warnings)
		}
		if !p.supportAddressSeenBy(p.Teacher, abroad) {
			t.Fatal("a placement that is not confidential is hidden from a member")
		}
	})
}

// §7.5: UKVI's written confirmation is due within 48 hours of its concern.
func TestUKVIConfirmationClockRunsThroughTheService(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		raised := p.clock.Now().Add(-2 * time.Hour)
		p.supportAct(p.SocialWorker, id, pathway.RecordUKVIConcern{RaisedAt: raised, Details: "Asylum screening officer phoned"})
		if n := p.count(`SELECT COUNT(*) FROM clocks WHERE case_id = $1 AND kind = 'ukvi_confirmation' AND stopped_at IS NULL`, id); n != 1 {
			t.Fatalf("%d running UKVI clocks, want 1", n)
		}
		p.clock.Advance(30 * time.Hour)
		p.supportAct(p.SocialWorker, id, pathway.RecordUKVIConfirmation{ReceivedAt: p.clock.Now().Add(-time.Hour), Notes: "Letter by secure email"})
		cl, ok := clockOfKind(p.loadCase(id), pathway.ClockUKVIConfirmation)
		if !ok || cl.Running() || cl.Status(p.clock.Now()) != pathway.ClockMet {
			t.Fatalf("UKVI clock after confirmation = %+v", cl)
		}
		if n := p.count(`SELECT COUNT(*) FROM clocks WHERE case_id = $1 AND kind = 'ukvi_confirmation' AND stopped_at IS NOT NULL`, id); n != 1 {
			t.Fatalf("%d stopped UKVI clocks in the read model, want 1", n)
		}
	})
}

// §7.4: an age-uncertain person with an open age assessment is referred to
// the NRM without waiting.
func TestAnOpenAgeAssessmentDoesNotHoldUpTheNRMSubmission(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise(func(c *pathway.Concern) {
			c.Child.DateOfBirth, c.Child.EstimatedAge, c.Child.AgeUncertain = "", 17, true
		})
		p.contact(id)
		p.supportAct(p.SocialWorker, id, pathway.RequestAgeAssessment{Reason: "Documents found with him say 19"})
		p.supportAct(p.CSWorker, id, pathway.SubmitNRMReferral{SubmittedAt: p.clock.Now(), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes, ReasonWithoutMeeting: "He may be moved tonight"})
		c := p.loadCase(id)
		if c.Support.OpenAgeAssessment() == nil || !c.Flags(p.clock.Now()).AgeUncertain {
			t.Fatal("the assessment is no longer open, or the person no longer treated as a child")
		}
	})
}

// Support and justice recorded end to end, and a referrer cannot add to it.
func TestSupportIsRecordedByTheTeamOnly(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		err := p.svc.Act(p.ctx, p.Teacher, id, p.versionFor(p.Teacher, id), pathway.RecordSupport{Kind: pathway.SupportEducation, Status: pathway.SupportRequested})
		wantCode(t, err, waymark.ENOTFOUND) // outside the team: not theirs to give (§6.5)
		// Children's Services submitted the NRM, so they lead and refer to Beacon (annex steps 3–4).
		p.supportAct(p.SocialWorker, id, pathway.SubmitNRMReferral{SubmittedAt: p.clock.Now(), Via: "online-form", DeclarationMade: true,
			ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes, ReasonWithoutMeeting: "The child is to be moved tonight."})
		yes := true
		p.supportAct(p.SocialWorker, id, pathway.RecordSupport{Kind: pathway.SupportBeacon, Status: pathway.SupportRequested, ConsentBy: "child", ConsentDate: p.clock.Now().In(pathway.London).Format("2006-01-02"), BenefitAgreed: &yes})
		p.supportAct(p.SocialWorker, id, pathway.AgreeCarePlan{AgreedOn: p.clock.Now().In(pathway.London).Format("2006-01-02"), ProtectionPlan: "Carers briefed", MissingContingency: "Call 999 and the social worker"})
		c := p.loadCase(id)
		if len(c.Support.Items) != 1 || c.Support.Items[0].Consent == nil || c.Support.CarePlan() == nil {
			t.Fatalf("support = %+v", c.Support)
		}
		// The referrer's timeline shows none of the team's support work (§6.5).
		view, err := p.svc.Case(p.ctx, p.Teacher, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range view.Events {
			if e.Type == pathway.EventSupportRecorded || e.Type == pathway.EventCarePlanAgreed {
				t.Errorf("the referrer's timeline shows %s", e.Type)
			}
		}
	})
}

func clockOfKind(c pathway.Case, k pathway.ClockKind) (pathway.Clock, bool) {
	for _, cl := range c.Clocks {
		if cl.Kind == k {
			return cl, true
		}
	}
	return pathway.Clock{}, false
}
