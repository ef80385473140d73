package pathway_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// crimCG is a case whose NRM referral the police submitted and whose
// positive Conclusive Grounds decision is recorded (20 April 2026).
func crimCG(t *testing.T) pathway.Case {
	t.Helper()
	c := nrmWithRG(t, nrmSubmittedCase(t), pathway.DecisionPositive, "2026-03-12")
	c, _ = mustDecide(t, c, policeLead, pathway.RecordConclusiveGrounds{Outcome: pathway.DecisionPositive, DecidedOn: "2026-04-20"}, nrmAfter("2026-04-20"))
	return c
}

func hasPrompt(c pathway.Case, kind string) bool {
	return slices.ContainsFunc(c.JusticePrompts(), func(p pathway.Prompt) bool { return p.Kind == kind })
}

// §6.9: whether the child's solicitor is a trafficking specialist, and
// whether the concerns were raised with them, is recorded; until both are,
// the team is prompted.
func TestSolicitorSpecialismIsRecorded(t *testing.T) {
	c, _ := mustDecide(t, supCase(t), supSocialWorker, pathway.RecordSupport{Kind: pathway.SupportCriminalLegalAdvice, Status: pathway.SupportInPlace, Provider: "Harbour Law"}, now)
	if !hasPrompt(c, "solicitor-specialism") || !hasPrompt(c, "solicitor-concerns") {
		t.Fatalf("a solicitor recorded without the answers gives no prompt: %+v", c.JusticePrompts())
	}
	c, _ = mustDecide(t, c, supSocialWorker, pathway.UpdateSupport{Item: c.Support.Items[0].ID, Status: pathway.SupportInPlace, TraffickingSpecialist: supNo(), ConcernsShared: supNo()}, now.Add(time.Hour))
	it := c.Support.Items[0]
	if it.SpecialistLabel() != "No" || it.ConcernsSharedLabel() != "No" || hasPrompt(c, "solicitor-specialism") {
		t.Fatalf("after the answers: %+v", it)
	}
	// Not a specialist: the concerns must be raised clearly with them (§6.9).
	if !hasPrompt(c, "solicitor-concerns") {
		t.Fatal("concerns not shared with a non-specialist solicitor give no prompt")
	}
	c, _ = mustDecide(t, c, supSocialWorker, pathway.UpdateSupport{Item: it.ID, Status: pathway.SupportInPlace, ConcernsShared: supYes()}, now.Add(2*time.Hour))
	if hasPrompt(c, "solicitor-concerns") || c.Support.Items[0].SpecialistLabel() != "No" {
		t.Fatalf("after the concerns were shared: prompts %+v, item %+v", c.JusticePrompts(), c.Support.Items[0])
	}

	// A specialist recorded with the concerns shared gives no prompt at all.
	c2, _ := mustDecide(t, supCase(t), supSocialWorker, pathway.RecordSupport{Kind: pathway.SupportStatutoryDefence, Status: pathway.SupportRequested, TraffickingSpecialist: supYes(), ConcernsShared: supYes()}, now)
	if hasPrompt(c2, "solicitor-specialism") || hasPrompt(c2, "solicitor-concerns") {
		t.Fatalf("prompts for a specialist told of the concerns: %+v", c2.JusticePrompts())
	}
	// Only a lawyer is asked.
	_, err := pathway.New(cat).Decide(supCase(t), supSocialWorker, pathway.RecordSupport{Kind: pathway.SupportCAMHS, Status: pathway.SupportRequested, TraffickingSpecialist: supYes()}, now)
	wantRefused(t, err, waymark.EINVALID, "traffickingSpecialist", "Only a lawyer")
	// Answering again what is recorded changes nothing.
	_, err = pathway.New(cat).Decide(c2, supSocialWorker, pathway.UpdateSupport{Item: c2.Support.Items[0].ID, Status: pathway.SupportRequested, ConcernsShared: supYes()}, now)
	wantRefused(t, err, waymark.EINVALID, "status", "already")
}

// §6.9: the child is told of their rights to protection, support and help
// in criminal proceedings, and that is recorded.
func TestChildToldTheirRightsIsRecorded(t *testing.T) {
	c := supCase(t)
	if !hasPrompt(c, "rights-not-told") {
		t.Fatal("no prompt to tell the child their rights")
	}
	_, err := pathway.New(cat).Decide(c, supSocialWorker, pathway.RecordRightsTold{ToldOn: "2026-03-11"}, now)
	wantRefused(t, err, waymark.EINVALID, "toldOn", "cannot be in the future")
	_, err = pathway.New(cat).Decide(c, teacher, pathway.RecordRightsTold{ToldOn: "2026-03-10"}, now)
	wantRefused(t, err, waymark.EFORBIDDEN, "", "Only the team")
	c, e := mustDecide(t, c, supSocialWorker, pathway.RecordRightsTold{ToldOn: "2026-03-10", ToldBy: "  Sam   Social, with an interpreter ", Notes: "Explained in Tigrinya"}, now)
	r := c.Support.Justice.RightsTold[0]
	if r.ToldBy != "Sam Social, with an interpreter" || r.ToldOnLabel() != "10 March 2026" || r.RecordedBy.UserID != supSocialWorker.UserID || hasPrompt(c, "rights-not-told") {
		t.Fatalf("rights told = %+v, prompts %+v", r, c.JusticePrompts())
	}
	if s := e.Summary(); !strings.Contains(s, "told their rights") || strings.Contains(s, "Tigrinya") {
		t.Errorf("timeline says %q", s)
	}
}

// §6.11: the victim liaison officer is recorded with what it takes to reach
// them; a later record replaces them, and history keeps both.
func TestVictimLiaisonOfficerIsRecorded(t *testing.T) {
	c := supCase(t)
	_, err := pathway.New(cat).Decide(c, supSocialWorker, pathway.RecordVictimLiaisonOfficer{Name: "DC Amara Obi"}, now)
	wantRefused(t, err, waymark.EINVALID, "force", "Enter the officer's police force")
	wantRefused(t, err, waymark.EINVALID, "contact", "Enter how to contact the officer")
	vlo := pathway.RecordVictimLiaisonOfficer{Name: "DC Amara Obi", Force: "Northshire Police", Contact: "01632 960123"}
	c, _ = mustDecide(t, c, supSocialWorker, vlo, now)
	_, err = pathway.New(cat).Decide(c, supSocialWorker, vlo, now)
	wantRefused(t, err, waymark.EINVALID, "name", "already recorded")
	c, _ = mustDecide(t, c, supSocialWorker, pathway.RecordVictimLiaisonOfficer{Name: "DS Lee Park", Force: "Northshire Police", Contact: "lee.park@police.example"}, now.Add(time.Hour))
	if o := c.Support.Justice.LiaisonOfficer(); o == nil || o.Name != "DS Lee Park" || len(c.Support.Justice.LiaisonOfficers) != 2 {
		t.Fatalf("liaison officers = %+v", c.Support.Justice.LiaisonOfficers)
	}
}

// §6.10: the offence the child is suspected of is recorded, and one that
// Schedule 4 lists (catalogue data) is flagged as outside the section 45
// defence; one not listed is never called covered, since the list is incomplete.
func TestSection45FlagsScheduleFourOffences(t *testing.T) {
	c := supCase(t)
	_, err := pathway.New(cat).Decide(c, supSocialWorker, pathway.RecordSuspectedOffence{Offence: "Robbery", ScheduleFour: "theft-1968.s99"}, now)
	wantRefused(t, err, waymark.EINVALID, "scheduleFour", "Select the Schedule 4 offence")
	_, err = pathway.New(cat).Decide(c, supSocialWorker, pathway.RecordSuspectedOffence{ScheduleFour: pathway.ScheduleFourNotSure}, now)
	wantRefused(t, err, waymark.EINVALID, "offence", "Enter the offence")

	c, e := mustDecide(t, c, supSocialWorker, pathway.RecordSuspectedOffence{Offence: "Robbery of a phone", ScheduleFour: "theft-1968.s8"}, now)
	robbery := c.Support.Justice.Offences[0]
	if !robbery.OutsideTheDefence() || robbery.ScheduleFourGroup != "Theft Act 1968" || !strings.Contains(robbery.ScheduleFourLabel, "robbery") || robbery.ScheduleFourChecked == "" {
		t.Fatalf("robbery = %+v", robbery)
	}
	if !hasPrompt(c, "section-45-excluded") || !strings.Contains(robbery.DefenceLabel(), "does not apply") {
		t.Fatalf("a Schedule 4 offence is not flagged: %+v", c.JusticePrompts())
	}
	if s := e.Summary(); strings.Contains(s, "phone") {
		t.Errorf("the timeline names the offence: %q", s)
	}

	c2, _ := mustDecide(t, supCase(t), supSocialWorker, pathway.RecordSuspectedOffence{Offence: "Possession of class A drugs with intent to supply", ScheduleFour: pathway.ScheduleFourNotListed}, now)
	drugs := c2.Support.Justice.Offences[0]
	if drugs.OutsideTheDefence() || hasPrompt(c2, "section-45-excluded") || !strings.Contains(drugs.DefenceLabel(), "incomplete") {
		t.Fatalf("an offence not listed: %+v, %q", drugs, drugs.DefenceLabel())
	}
	if !c2.CriminalMatter() {
		t.Fatal("a suspected offence is not a criminal matter")
	}
}

// §6.10, §8.10(5): a positive Conclusive Grounds decision for a child in the
// criminal justice system is passed to their defence: the next step, until
// it is recorded.
func TestPositiveConclusiveGroundsIsPassedToTheDefence(t *testing.T) {
	p := pathway.New(cat)
	c := crimCG(t)
	_, err := p.Decide(c, frontDoor, pathway.RecordDefenceTold{PassedOn: "2026-04-21", PassedTo: "Harbour Law"}, nrmAfter("2026-04-21"))
	wantRefused(t, err, waymark.EINVALID, "", "No criminal matter")
	if c.DefenceDue() || hasPrompt(c, "conclusive-grounds-to-defence") {
		t.Fatal("the decision is due to a defence the child does not have")
	}

	c, _ = mustDecide(t, c, frontDoor, pathway.RecordSuspectedOffence{Offence: "Possession with intent to supply", ScheduleFour: pathway.ScheduleFourNotListed}, nrmAfter("2026-04-21"))
	if !c.DefenceDue() || !hasPrompt(c, "conclusive-grounds-to-defence") {
		t.Fatal("no prompt to pass the decision to the defence")
	}
	if !p.Expects(c, asMember(c, frontDoor), pathway.RecordDefenceTold{}, nrmAfter("2026-04-21")) {
		t.Fatal("passing the decision to the defence is not a step the procedure expects")
	}
	_, err = p.Decide(c, frontDoor, pathway.RecordDefenceTold{PassedOn: "2026-04-19", PassedTo: "Harbour Law"}, nrmAfter("2026-04-21"))
	wantRefused(t, err, waymark.EINVALID, "passedOn", "20 April 2026")
	_, err = p.Decide(c, frontDoor, pathway.RecordDefenceTold{PassedOn: "2026-04-21"}, nrmAfter("2026-04-21"))
	wantRefused(t, err, waymark.EINVALID, "passedTo", "Enter who")

	c, _ = mustDecide(t, c, frontDoor, pathway.RecordDefenceTold{PassedOn: "2026-04-21", PassedTo: "Harbour Law"}, nrmAfter("2026-04-21"))
	if c.DefenceDue() || hasPrompt(c, "conclusive-grounds-to-defence") || c.Support.Justice.DefenceTold[0].Decision != c.NRM.ConclusiveGrounds.Seq {
		t.Fatalf("after passing it on: %+v", c.Support.Justice.DefenceTold)
	}
	if p.Expects(c, asMember(c, frontDoor), pathway.RecordDefenceTold{}, nrmAfter("2026-04-22")) {
		t.Fatal("still expected once recorded")
	}
	_, err = p.Decide(c, frontDoor, pathway.RecordDefenceTold{PassedOn: "2026-04-22", PassedTo: "Harbour Law"}, nrmAfter("2026-04-22"))
	wantRefused(t, err, waymark.ECONFLICT, "", "already passed")
}

// §8.10(6): once the NRM referral is submitted the police must investigate:
// their crime record is asked for, and once recorded it is the situation's
// crime reference, which the NRM form reads.
func TestCrimeReferenceIsPromptedOnceTheNRMIsSubmitted(t *testing.T) {
	p := pathway.New(cat)
	if c := supCase(t); c.CrimeReferenceDue() || hasPrompt(c, "crime-reference") {
		t.Fatal("a crime reference is asked for before the NRM referral")
	}
	c := nrmSubmittedCase(t)
	c, _ = mustDecide(t, c, policeLead, pathway.RecordHomeOfficeReference{Reference: "NRM-123", ReceivedOn: "2026-03-10"}, now.Add(3*time.Hour))
	if !c.CrimeReferenceDue() || !hasPrompt(c, "crime-reference") {
		t.Fatal("no prompt for the crime reference after the NRM referral")
	}
	if step, ok := p.NextStep(c, asMember(c, policeLead), now.Add(3*time.Hour)); !ok || step.Name != pathway.CommandName(pathway.RecordCrimeReference{}) {
		t.Fatalf("next step %+v, want the crime reference", step)
	}
	_, err := p.Decide(c, policeLead, pathway.RecordCrimeReference{Reference: "NP-26-0042"}, now.Add(3*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "force", "Enter the police force")
	c, _ = mustDecide(t, c, policeLead, pathway.RecordCrimeReference{Reference: " NP-26-0042 ", Force: "Northshire Police"}, now.Add(4*time.Hour))
	if c.CrimeReferenceDue() || hasPrompt(c, "crime-reference") {
		t.Fatal("still prompted once the crime reference is recorded")
	}
	f, ok := c.Fact(pathway.FactCrimeReference)
	if !ok || f.Value != "NP-26-0042" || !strings.Contains(f.Where(), "From the police's crime record, told by Northshire Police") {
		t.Fatalf("crime reference fact = %+v (%s)", f, f.Where())
	}
	if r, _ := c.Fact(pathway.FactReportedToPolice); r.Value != "yes" {
		t.Fatalf("reported to police = %+v", r)
	}
	if step, ok := p.NextStep(c, asMember(c, policeLead), now.Add(4*time.Hour)); ok && step.Name == pathway.CommandName(pathway.RecordCrimeReference{}) {
		t.Fatal("still the next step once recorded")
	}
	_, err = p.Decide(c, policeLead, pathway.RecordCrimeReference{Reference: "NP-26-0042", Force: "Northshire Police"}, now.Add(5*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "reference", "already recorded")
}

// §6.5: the child's criminal matters are the team's: nobody outside it sees
// them, on their case or on their timeline.
func TestCriminalJusticeRecordsStayWithTheTeam(t *testing.T) {
	c := supCase(t)
	c, _ = mustDecide(t, c, supSocialWorker, pathway.RecordSuspectedOffence{Offence: "Robbery", ScheduleFour: "theft-1968.s8"}, now)
	c, _ = mustDecide(t, c, supSocialWorker, pathway.RecordVictimLiaisonOfficer{Name: "DC Amara Obi", Force: "Northshire Police", Contact: "01632 960123"}, now)
	out := c.ForOutsider(teacher.UserID)
	if !reflect.DeepEqual(out.Support.Justice, pathway.JusticeState{}) {
		t.Fatalf("the referrer sees %+v", out.Support.Justice)
	}
}

// What is stored is what was decided; replay rebuilds the same state, and
// applying never writes through an earlier state.
func TestCriminalJusticeEventsRoundTripAndReplay(t *testing.T) {
	c := crimCG(t)
	var events []pathway.Event
	at := nrmAfter("2026-04-21")
	for _, step := range []struct {
		actor pathway.Actor
		cmd   pathway.Command
	}{
		{frontDoor, pathway.RecordRightsTold{ToldOn: "2026-04-21"}},
		{frontDoor, pathway.RecordVictimLiaisonOfficer{Name: "DC Amara Obi", Force: "Northshire Police", Contact: "01632 960123"}},
		{frontDoor, pathway.RecordSuspectedOffence{Offence: "Robbery", ScheduleFour: "theft-1968.s8"}},
		{frontDoor, pathway.RecordDefenceTold{PassedOn: "2026-04-21", PassedTo: "Harbour Law"}},
		{policeLead, pathway.RecordCrimeReference{Reference: "NP-26-0042", Force: "Northshire Police"}},
	} {
		var e pathway.Event
		c, e = mustDecide(t, c, step.actor, step.cmd, at)
		events = append(events, e)
	}
	before := c
	for _, e := range events {
		payload, err := pathway.EncodePayload(e)
		if err != nil {
			t.Fatal(err)
		}
		back := pathway.Event{CaseID: e.CaseID, Seq: e.Seq, Type: e.Type, At: e.At, Actor: e.Actor}
		if err := pathway.DecodePayload(&back, payload); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, e) {
			t.Errorf("%s changed in the round trip:\n got %+v\nwant %+v", e.Type, back, e)
		}
	}
	again := pathway.Apply(before, events[0])
	if len(before.Support.Justice.RightsTold) != 1 || len(again.Support.Justice.RightsTold) != 2 {
		t.Error("applying wrote through the earlier state")
	}
}
