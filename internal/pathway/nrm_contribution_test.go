package pathway_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// contribCase is an outcome-given case with a STRAT meeting to which the
// teacher who raised the concern, the police and a GP are invited.
func contribCase(t *testing.T) pathway.Case {
	t.Helper()
	c, _ := mustDecide(t, pathway.Case{}, teacher, pathway.RaiseConcern{CaseID: "case-1", Concern: validConcern(), ChildrensServicesOrg: "org-cs"}, now)
	c, _ = mustDecide(t, c, frontDoor, pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone"}, now)
	c, _ = mustDecide(t, c, frontDoor, pathway.RecordOutcome{Decision: "multi-agency-meeting", NextStep: "STRAT meeting tomorrow"}, now)
	m := mtgConvene()
	m.InviteeEmails = append(m.InviteeEmails, "dee@riverside.example")
	m.Invitees = append(m.Invitees, mtgGP.Party)
	c, _ = mustDecide(t, c, mtgSocialWorker, m, now)
	return c
}

var contribLivingConditions = pathway.ContributeToNRM{Topic: "living-conditions", Text: "She told me she sleeps on the floor of a flat above a shop with four other girls."}

// contribute gives cmd as the actor with the standing the case gives them, as casework.Act does.
func contribute(c pathway.Case, a pathway.Actor, cmd pathway.Command, at time.Time) ([]pathway.Event, error) {
	a = asMember(c, a)
	return pathway.New(cat).DecideFor(c, a.Membership, a, cmd, at)
}

// §8.5, annex: the person who raised the concern and a meeting invitee
// give what they know to the lead First Responder, in their own words.
func TestTheReferrerAndAMeetingInviteeContributeToTheNRMReferral(t *testing.T) {
	c := contribCase(t)
	for who, a := range map[string]pathway.Actor{"referrer": teacher, "invitee": mtgGP} {
		events, err := contribute(c, a, contribLivingConditions, now.Add(time.Hour))
		if err != nil {
			t.Fatalf("%s: %v", who, err)
		}
		after := pathway.Apply(c, events[0])
		got, ok := after.NRM.Contribution(events[0].Seq)
		if !ok || got.Text != contribLivingConditions.Text || got.By.UserID != a.UserID || !got.At.Equal(now.Add(time.Hour)) {
			t.Errorf("%s: contribution recorded as %+v", who, got)
		}
		if got.TopicQuestion() != "Where and how the child was living" {
			t.Errorf("%s: the question reads %q", who, got.TopicQuestion())
		}
	}
}

// §6.5: someone with no standing on the case is told the action does not
// exist, as for any action that is not theirs.
func TestAStrangerCannotContributeToTheNRMReferral(t *testing.T) {
	c := contribCase(t)
	stranger := pathway.Actor{Party: pathway.Party{UserID: "user-x", Name: "Xan", OrgID: "org-x", OrgName: "Elsewhere"}, Role: pathway.RolePractitioner}
	_, err := contribute(c, stranger, contribLivingConditions, now)
	wantRefused(t, err, waymark.ENOTFOUND, "", "no such action")
}

// The team writes in the draft itself; contributions are for those outside it.
func TestATeamMemberIsToldToEditTheDraftInstead(t *testing.T) {
	c := contribCase(t)
	_, err := contribute(c, mtgSocialWorker, contribLivingConditions, now)
	wantRefused(t, err, waymark.EFORBIDDEN, "", "NRM draft itself")
}

// §8.5–8.7, §6.5: once the referral is sent, nothing more goes into its
// draft: what arrives is for the Home Office as further information. The
// submission is the team's to know, so the contributor is offered and told
// exactly what they were before it.
func TestNothingGoesIntoTheDraftAfterTheNRMReferralIsSubmitted(t *testing.T) {
	p := pathway.New(cat)
	before := contribCase(t)
	c, _ := mustDecide(t, before, policeLead, nrmSubmission(now.Add(2*time.Hour)), now.Add(2*time.Hour))
	at := now.Add(3 * time.Hour)
	for _, a := range []pathway.Actor{teacher, mtgGP} {
		if err := p.Allows(c, asMember(c, a), pathway.ContributeToNRM{}, at); err != nil || p.Allows(before, asMember(before, a), pathway.ContributeToNRM{}, at) != nil {
			t.Errorf("%s is offered a contribution differently once the referral is sent: %v", a.Name, err)
		}
	}
	c, given := mustDecideFor(t, c, mtgGP, contribLivingConditions, at)
	if got, _ := c.NRM.Contribution(given.Seq); !got.AfterSubmission {
		t.Error("a contribution after the submission is not kept apart for further information")
	}
	if seen := c.ForOutsider(mtgGP.UserID).NRM.Contributions; len(seen) != 1 || seen[0].AfterSubmission {
		t.Errorf("the invitee's view tells them the referral was sent: %+v", seen)
	}
	_, err := contribute(c, mtgSocialWorker, pathway.UseNRMContribution{Contribution: given.Seq, Field: "living-conditions"}, at)
	wantRefused(t, err, waymark.ECONFLICT, "", "further information")
	// Before the submission, one given stays usable for the draft.
	early, _ := mustDecideFor(t, before, teacher, contribLivingConditions, now)
	if got := early.NRM.Contributions[0]; got.AfterSubmission {
		t.Error("a contribution before the submission is marked as after it")
	}
}

func TestAContributionNeedsATopicAndTheirWords(t *testing.T) {
	c := contribCase(t)
	_, err := contribute(c, teacher, pathway.ContributeToNRM{Topic: "gossip", Text: "  "}, now)
	wantRefused(t, err, waymark.EINVALID, "topic")
	wantRefused(t, err, waymark.EINVALID, "text")
}

// History is never rewritten: a second contribution stands beside the first.
func TestAContributorAddsAnotherRatherThanChangingTheirs(t *testing.T) {
	c := contribCase(t)
	c, _ = mustDecideFor(t, c, teacher, contribLivingConditions, now)
	c, _ = mustDecideFor(t, c, teacher, pathway.ContributeToNRM{Topic: "living-conditions", Text: "Also: no heating."}, now.Add(time.Minute))
	if n := len(c.NRM.Contributions); n != 2 || c.NRM.Contributions[0].Text != contribLivingConditions.Text {
		t.Fatalf("contributions: %+v", c.NRM.Contributions)
	}
}

func mustDecideFor(t *testing.T, c pathway.Case, a pathway.Actor, cmd pathway.Command, at time.Time) (pathway.Case, pathway.Event) {
	t.Helper()
	events, err := contribute(c, a, cmd, at)
	if err != nil || len(events) != 1 {
		t.Fatalf("%T: %v (%d events)", cmd, err, len(events))
	}
	return pathway.Apply(c, events[0]), events[0]
}

// §6.5: a contributor sees their own words, never another's nor what the
// team did with them; the team sees who said what.
func TestAContributorSeesOnlyTheirOwnContributions(t *testing.T) {
	c := contribCase(t)
	c, given := mustDecideFor(t, c, teacher, contribLivingConditions, now)
	c, _ = mustDecideFor(t, c, mtgGP, pathway.ContributeToNRM{Topic: "exploiters", Text: "A man called 'Dee' drives a silver van."}, now)
	c, _ = mustDecideFor(t, c, mtgSocialWorker, pathway.UseNRMContribution{Contribution: given.Seq, Field: "living-conditions", FieldVersion: 1}, now)

	seen := c.ForOutsider(teacher.UserID).NRM.Contributions
	if len(seen) != 1 || seen[0].Text != contribLivingConditions.Text || seen[0].Used() || seen[0].Seq != 0 {
		t.Fatalf("the referrer sees %+v", seen)
	}
	if got := c.ForOutsider(mtgGP.UserID).NRM.Contributions; len(got) != 1 || !strings.Contains(got[0].Text, "silver van") {
		t.Fatalf("the invitee sees %+v", got)
	}
	if got := c.ForOutsider(mtgGP.UserID).NRM; got.Submission != nil || len(got.Decisions) != 0 {
		t.Fatalf("the invitee sees the team's NRM work: %+v", got)
	}
	for _, e := range []pathway.Event{given} {
		if !pathway.VisibleTo(e, asMember(c, teacher).Membership, teacher.UserID) {
			t.Error("the referrer does not see their own contribution on their timeline")
		}
		if pathway.VisibleTo(e, asMember(c, mtgGP).Membership, mtgGP.UserID) {
			t.Error("the invitee sees the referrer's contribution on their timeline")
		}
	}
	if got := c.NRM.ContributionsFor("living-conditions"); len(got) != 1 || !got[0].Used() || got[0].Uses[0].By.UserID != mtgSocialWorker.UserID {
		t.Errorf("the team sees %+v", got)
	}
}

// §8.5: the team uses a contribution only for a question it was given for,
// and someone outside the team cannot use one at all.
func TestAContributionIsUsedForItsOwnQuestionsByTheTeam(t *testing.T) {
	c := contribCase(t)
	if err := pathway.New(cat).Allows(c, asMember(c, mtgSocialWorker), pathway.UseNRMContribution{}, now); waymark.ErrorCode(err) != waymark.EINVALID {
		t.Errorf("with nothing contributed: %v", err)
	}
	c, given := mustDecideFor(t, c, teacher, contribLivingConditions, now)
	_, err := contribute(c, mtgSocialWorker, pathway.UseNRMContribution{Contribution: given.Seq, Field: "who-exploited-pv"}, now)
	wantRefused(t, err, waymark.EINVALID, "field")
	_, err = contribute(c, mtgSocialWorker, pathway.UseNRMContribution{Contribution: 99, Field: "living-conditions"}, now)
	wantRefused(t, err, waymark.EINVALID, "contribution")
	_, err = contribute(c, teacher, pathway.UseNRMContribution{Contribution: given.Seq, Field: "living-conditions"}, now)
	wantRefused(t, err, waymark.ENOTFOUND, "")
	c, _ = mustDecideFor(t, c, mtgSocialWorker, pathway.UseNRMContribution{Contribution: given.Seq, Field: "living-conditions", Edited: true, FieldVersion: 2}, now)
	got, _ := c.NRM.Contribution(given.Seq)
	if !got.Used() || !got.Uses[0].Edited || got.Uses[0].FieldVersion != 2 || got.Text != contribLivingConditions.Text {
		t.Errorf("after its use: %+v", got)
	}
}

// Every topic names questions of the form's child route; the form's ids are
// checked against the form itself in package nrm.
func TestEveryContributionTopicIsForSomeQuestion(t *testing.T) {
	seen := map[string]bool{}
	for _, tp := range pathway.NRMContributionTopics() {
		if seen[tp.ID] || tp.Question == "" || len(tp.Fields) == 0 || slices.Contains(tp.Fields, "") {
			t.Errorf("topic %+v", tp)
		}
		seen[tp.ID] = true
	}
}
