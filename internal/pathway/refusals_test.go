package pathway_test

import (
	"reflect"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

var referrerOnly = pathway.Membership{Roles: []string{pathway.MemberReferrer}}

func sameRefusal(a, b error) bool {
	ea, oka := a.(*waymark.Error)
	eb, okb := b.(*waymark.Error)
	return oka && okb && ea.Code == eb.Code && ea.Message == eb.Message && reflect.DeepEqual(ea.Fields, eb.Fields)
}

// hiddenWorkCase is a case whose team convened a meeting inviting only the
// police, gave the police an action from it and raised an escalation: none
// of it is the referrer's (teacher's) to see (§6.5).
func hiddenWorkCase(t *testing.T) (c pathway.Case, actionID, escalationID string) {
	t.Helper()
	c, _ = mustDecide(t, raisedCase(t), frontDoor, pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone"}, now)
	c, _ = mustDecide(t, c, frontDoor, pathway.RecordOutcome{Decision: "multi-agency-meeting", NextStep: "STRAT meeting tomorrow"}, now)
	convene := mtgConvene()
	convene.InviteeEmails, convene.Invitees = []string{"first.responder@police.example"}, []pathway.Party{policeLead.Party}
	c, e := mustDecide(t, c, mtgSocialWorker, convene, now)
	meetingID := e.Data.(pathway.MeetingConvened).MeetingID
	c, _ = mustDecide(t, c, mtgSocialWorker, mtgRecord(meetingID), now.Add(25*time.Hour))
	c, e = mustDecide(t, c, mtgSocialWorker, mtgAction(meetingID), now)
	actionID = e.Data.(pathway.MeetingActionAdded).ActionID
	c, e = mustDecide(t, c, mtgSocialWorker, pathway.RaiseEscalation{Reason: "The police do not agree to submit."}, now)
	return c, actionID, e.Data.(pathway.EscalationRaised).EscalationID
}

// Someone outside the team learns nothing of the team's work from a
// refusal: a command that is not theirs gets one answer whatever the case
// holds (the answer for an action that does not exist), and one that is
// theirs looks only among what they can see.
func TestRefusalsTellAReferrerNothingHidden(t *testing.T) {
	p := pathway.New(cat)
	at := now.Add(3 * time.Hour)
	bare := raisedCase(t)
	hidden, actionID, escalationID := hiddenWorkCase(t)

	t.Run("not theirs to give", func(t *testing.T) {
		for _, cmd := range []pathway.Command{
			pathway.RecordHomeOfficeReference{Reference: "X", ReceivedOn: "2000-01-01"},
			pathway.RecordNRMFurtherInformation{SentOn: "2000-01-01", Summary: "x"},
			pathway.RecordReasonableGrounds{Outcome: pathway.DecisionPositive, DecidedOn: "2000-01-01"},
			pathway.RequestNRMReconsideration{Decision: pathway.ReasonableGrounds, EventsSinceReferral: "x"},
			nrmSubmission(at),
			mtgAction("meeting-4"),
			pathway.RecordStrategyDiscussion{HeldAt: now},
			pathway.UseNRMContribution{Contribution: 1, Field: "living-conditions"},
		} {
			var first error
			for _, c := range []pathway.Case{bare, nrmSubmittedCase(t), hidden} {
				_, err := p.DecideFor(c, referrerOnly, teacher, cmd, at)
				if waymark.ErrorCode(err) != waymark.ENOTFOUND {
					t.Fatalf("%T: %v, want the answer for an action that does not exist", cmd, err)
				}
				if first == nil {
					first = err
				} else if !sameRefusal(first, err) {
					t.Errorf("%T: answered %q on one case and %q on another", cmd, first, err)
				}
			}
		}
	})

	t.Run("a meeting action they cannot see", func(t *testing.T) {
		_, missing := p.DecideFor(hidden, referrerOnly, teacher, pathway.CompleteMeetingAction{ActionID: "action-999"}, at)
		_, hiddenOne := p.DecideFor(hidden, referrerOnly, teacher, pathway.CompleteMeetingAction{ActionID: actionID}, at)
		if missing == nil || !sameRefusal(missing, hiddenOne) {
			t.Errorf("a hidden action answers %v, a missing one %v", hiddenOne, missing)
		}
	})

	t.Run("an escalation they cannot see", func(t *testing.T) {
		for _, cmds := range [][2]pathway.Command{
			{pathway.EscalateFurther{EscalationID: "escalation-999", Note: "x"}, pathway.EscalateFurther{EscalationID: escalationID, Note: "x"}},
			{pathway.ResolveEscalation{EscalationID: "escalation-999", Outcome: pathway.EscalationDoNotSubmit, Note: "x"}, pathway.ResolveEscalation{EscalationID: escalationID, Outcome: pathway.EscalationDoNotSubmit, Note: "x"}},
		} {
			_, missing := p.DecideFor(hidden, referrerOnly, teacher, cmds[0], at)
			_, hiddenOne := p.DecideFor(hidden, referrerOnly, teacher, cmds[1], at)
			if missing == nil || !sameRefusal(missing, hiddenOne) {
				t.Errorf("%T: a hidden escalation answers %v, a missing one %v", cmds[0], hiddenOne, missing)
			}
		}
		// Unnamed, the escalation meant is the only open one they can see.
		_, none := p.DecideFor(bare, referrerOnly, teacher, pathway.EscalateFurther{Note: "x"}, at)
		_, withHidden := p.DecideFor(hidden, referrerOnly, teacher, pathway.EscalateFurther{Note: "x"}, at)
		if none == nil || !sameRefusal(none, withHidden) {
			t.Errorf("with a hidden escalation open: %v; with none: %v", withHidden, none)
		}
	})

	t.Run("what is theirs still works", func(t *testing.T) {
		for _, cmd := range []pathway.Command{pathway.AddNote{Text: "She was absent today."}, pathway.RaiseEscalation{Reason: "I think she should be referred."},
			pathway.ContributeToNRM{Topic: "living-conditions", Text: "She sleeps on the floor."}} {
			if _, err := p.DecideFor(hidden, referrerOnly, teacher, cmd, at); err != nil {
				t.Errorf("%T: %v", cmd, err)
			}
		}
		// The police, invited, mark their own action done.
		invitee := pathway.Membership{Roles: []string{pathway.MemberInvitee}}
		// They name it by the id their case shows them, which counts nothing of the team's.
		theirs := hidden.ForOutsider(policeLead.UserID).Meetings
		if len(theirs.Meetings) != 1 || len(theirs.Actions) != 1 || theirs.Meetings[0].ID != "meeting-v1" || theirs.Actions[0].ID != "action-v1" || theirs.Actions[0].MeetingID != "meeting-v1" {
			t.Fatalf("the police's meetings %+v", theirs)
		}
		events, err := p.DecideFor(hidden, invitee, policeLead, pathway.CompleteMeetingAction{ActionID: theirs.Actions[0].ID}, at)
		if err != nil {
			t.Fatalf("the owner marking their action done: %v", err)
		}
		if d := events[0].Data.(pathway.MeetingActionDone); d.ActionID != actionID {
			t.Errorf("marked %s done, want %s", d.ActionID, actionID)
		}
		// The stored id, which they are never shown, names nothing of theirs.
		_, stored := p.DecideFor(hidden, invitee, policeLead, pathway.CompleteMeetingAction{ActionID: actionID}, at)
		_, missing := p.DecideFor(hidden, invitee, policeLead, pathway.CompleteMeetingAction{ActionID: "action-999"}, at)
		if stored == nil || !sameRefusal(stored, missing) {
			t.Errorf("the stored id answers %v, a missing one %v", stored, missing)
		}
		// The team is decided as before, on the whole case.
		team := pathway.Membership{Roles: []string{pathway.MemberChildrensServices}}
		if _, err := p.DecideFor(hidden, team, mtgSocialWorker, pathway.EscalateFurther{EscalationID: escalationID, Note: "x"}, at); err != nil {
			t.Errorf("the team moving its escalation up: %v", err)
		}
	})
}
