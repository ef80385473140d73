package pathway_test

import (
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// availabilityStates are cases spanning the pathway, each built by real
// commands: raised, contacted, outcome, meeting convened and held, NRM
// submitted, decisions, closed, a British child with a known age.
func availabilityStates(t *testing.T) map[string]pathway.Case {
	t.Helper()
	raised := raisedCase(t)
	contacted, _ := mustDecide(t, raised, frontDoor, pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone"}, now)
	outcome, _ := mustDecide(t, contacted, frontDoor, pathway.RecordOutcome{Decision: "multi-agency-meeting", NextStep: "STRAT meeting"}, now)
	convened, _ := mtgConvened(t)
	held, _ := mtgHeld(t)
	submitted := nrmSubmittedCase(t)
	closed, _ := mustDecide(t, outcome, frontDoor, pathway.CloseCase{NoNRMReason: "No indicators of exploitation after assessment.", Reason: "No further action", Monitoring: "School monitors"}, now)
	britishKnownAge := supCase(t, british)
	return map[string]pathway.Case{
		"just raised":              raised,
		"contact recorded":         contacted,
		"outcome given":            outcome,
		"meeting arranged":         convened,
		"meeting held":             held,
		"NRM submitted":            submitted,
		"RG positive":              nrmWithRG(t, nrmSubmittedCase(t), pathway.DecisionPositive, "2026-03-12"),
		"RG negative":              nrmWithRG(t, nrmSubmittedCase(t), pathway.DecisionNegative, "2026-03-12"),
		"closed":                   closed,
		"child from abroad":        supCase(t),
		"age disputed":             supCase(t, ageUncertain),
		"British child, known age": britishKnownAge,
	}
}

// asMember is the actor with the standing the case's members give them.
func asMember(c pathway.Case, a pathway.Actor) pathway.Actor {
	a.Membership = pathway.Membership{}
	for _, m := range pathway.Members(c) {
		if m.Covers(a.UserID, a.OrgID) {
			a.Membership.Roles = append(a.Membership.Roles, m.Role)
		}
	}
	return a
}

// The guard is the whole of "who may, and may the case take it now": when
// Available says no, DecideFor refuses whatever the answers; when it says
// yes, DecideFor refuses empty answers only by naming the answers to give. Generated over every command, role
// and state.
func TestAvailableAgreesWithDecideForEveryCommandRoleAndStage(t *testing.T) {
	p := pathway.New(cat)
	at := nrmAfter("2026-03-20")
	actors := map[string]pathway.Actor{
		"referrer": teacher, "Children's Services worker": frontDoor, "social worker": mtgSocialWorker, "manager": mtgManager,
		"First Responder": policeLead, "partnership lead": mtgPartnershipLead, "non-member": mtgGP,
		"administrator": {Party: pathway.Party{UserID: "user-admin", OrgID: "org-cs"}, Role: pathway.RoleAdministrator, InChildrensServices: true},
	}
	allowedSomewhere := map[string]bool{}
	for state, c := range availabilityStates(t) {
		for who, actor := range actors {
			a := asMember(c, actor)
			for _, e := range pathway.NewCatalogue() {
				refusal := p.Allows(c, a, e.Command, at)
				_, err := p.DecideFor(c, a.Membership, a, e.Command, at)
				if refusal != nil {
					if err == nil {
						t.Errorf("%s, %s, %s: Available refuses (%v) but Decide accepts", state, who, e.Name(), refusal)
					}
					continue
				}
				allowedSomewhere[e.Name()] = true
				// Empty answers: the refusal, if any, names the answers to give.
				if werr, ok := err.(*waymark.Error); err != nil && (!ok || werr.Code != waymark.EINVALID || len(werr.Fields) == 0) {
					t.Errorf("%s, %s, %s: Available allows it but Decide refuses it for more than its answers: %v", state, who, e.Name(), err)
				}
			}
		}
	}
	for _, e := range pathway.NewCatalogue() {
		if !allowedSomewhere[e.Name()] && e.Name() != pathway.CommandName(pathway.ReopenCase{}) {
			t.Logf("%s is allowed in none of the states", e.Name())
		}
	}
}

// The relevance rules: a British child of known age is offered none of the
// steps for a child from abroad, nor an age assessment (§7, §7.4).
func TestABritishChildOfKnownAgeIsOfferedNoAbroadOrAgeSteps(t *testing.T) {
	p := pathway.New(cat)
	c := supCase(t, british)
	for _, av := range p.Available(c, asMember(c, supSocialWorker), now) {
		if (av.Area == pathway.AreaAbroad || av.Name == pathway.CommandName(pathway.RequestAgeAssessment{})) && av.Allowed {
			t.Errorf("%s is offered for a British child of known age", av.Name)
		}
	}
	c = supCase(t, ageUncertain)
	if err := p.Allows(c, asMember(c, supSocialWorker), pathway.RequestAgeAssessment{}, now); err != nil {
		t.Errorf("an uncertain age: %v", err)
	}
}

// §8.5–8.6: a disagreement about submitting the NRM is escalated once the
// question is open, and not after the referral is submitted.
func TestEscalationIsOnlyWhileTheNRMQuestionIsOpen(t *testing.T) {
	p := pathway.New(cat)
	raised := raisedCase(t)
	if err := p.Allows(raised, asMember(raised, teacher), pathway.RaiseEscalation{}, now); waymark.ErrorCode(err) != waymark.EINVALID {
		t.Errorf("straight after the concern: %v", err)
	}
	held, _ := mtgHeld(t)
	if err := p.Allows(held, asMember(held, mtgSocialWorker), pathway.RaiseEscalation{}, now); err != nil {
		t.Errorf("after the meeting: %v", err)
	}
	submitted := nrmSubmittedCase(t)
	if err := p.Allows(submitted, asMember(submitted, frontDoor), pathway.RaiseEscalation{}, now); waymark.ErrorCode(err) != waymark.EINVALID {
		t.Errorf("after the submission: %v", err)
	}
}

// §6.8: what a meeting agreed is recorded only once a meeting exists.
func TestWhatAMeetingAgreedWaitsForAMeeting(t *testing.T) {
	p := pathway.New(cat)
	c := raisedCase(t)
	if err := p.Allows(c, asMember(c, mtgSocialWorker), pathway.RecordMeetingHeld{}, now); err == nil {
		t.Error("record what the meeting agreed is available before any meeting")
	}
}

// §8.5: recording the NRM submission completes the meeting's action to submit it.
func TestTheSubmissionCompletesTheMeetingsActionToSubmit(t *testing.T) {
	c, id := mtgHeld(t)
	act := mtgAction(id)
	act.Text = "Submit the NRM referral"
	c, _ = mustDecide(t, c, mtgSocialWorker, act, now)
	events, err := pathway.New(cat).Decide(c, policeLead, pathway.SubmitNRMReferral{SubmittedAt: now, Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes}, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		c = pathway.Apply(c, e)
	}
	for _, a := range c.Meetings.Actions {
		if !a.Done() {
			t.Errorf("the action %q stays open after the submission", a.Text)
		}
	}
}

// The next step follows the procedure: the contact first, then the outcome.
func TestTheNextStepForChildrensServicesIsTheContactThenTheOutcome(t *testing.T) {
	p := pathway.New(cat)
	c := raisedCase(t)
	if step, ok := p.NextStep(c, asMember(c, frontDoor), now); !ok || step.Name != pathway.CommandName(pathway.RecordContact{}) {
		t.Errorf("raised: next step %+v, %v", step, ok)
	}
	if _, ok := p.NextStep(c, asMember(c, teacher), now); ok {
		t.Error("the referrer has a next step on a concern waiting for Children's Services")
	}
	c, _ = mustDecide(t, c, frontDoor, pathway.RecordContact{Reference: "CS-1", Method: "phone"}, now)
	if step, _ := p.NextStep(c, asMember(c, frontDoor), now); step.Name != pathway.CommandName(pathway.RecordOutcome{}) {
		t.Errorf("contacted: next step %+v", step)
	}
}
