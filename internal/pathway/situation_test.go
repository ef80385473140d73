package pathway_test

import (
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// toldAtContact is what the front door learnt when it took the contact.
func toldAtContact() pathway.RecordSituation {
	return pathway.RecordSituation{
		LearntAt: pathway.LearntAtContact, ToldBy: "the school nurse",
		LivingConditions: "Sleeps on a mattress on the floor of a flat shared with four older boys.",
		StillInSituation: "yes",
		LastContact:      "within-the-last-week",
	}
}

// §6.5, §8.8: what is known of the child's situation is recorded by those
// working the case: Children's Services, workers they assign and the lead
// First Responder; not the referrer, nor an agency not on the case.
func TestOnlyTheTeamRecordsWhatIsKnownOfTheChildsSituation(t *testing.T) {
	c := strategyCase(t)
	for _, actor := range []pathway.Actor{teacher, policeLead} {
		_, err := pathway.New(cat).Decide(c, actor, toldAtContact(), now.Add(3*time.Hour))
		wantRefused(t, err, waymark.EFORBIDDEN, "", "Only the people working this case")
	}
	for _, actor := range []pathway.Actor{frontDoor, assignedWorker} {
		mustDecide(t, c, actor, toldAtContact(), now.Add(3*time.Hour))
	}
}

// A closed case takes no new work until it is reopened (§7.4).
func TestAClosedCaseTakesNoNewFacts(t *testing.T) {
	c, _ := mustDecide(t, contactedCase(t), frontDoor, pathway.CloseCase{NoNRMReason: "No indicators of exploitation after assessment.", Reason: "No further action", Monitoring: "School monitors"}, now.Add(2*time.Hour))
	_, err := pathway.New(cat).Decide(c, frontDoor, toldAtContact(), now.Add(3*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "", "closed")
}

// A fact is learnt at a step of the pathway that has happened: the
// contact (annex step 1), the strategy discussion and interview (§6.7),
// the multi-agency meeting (§6.8).
func TestAFactIsLearntAtAStepThatHasHappened(t *testing.T) {
	raised := raisedCase(t)
	atContact := toldAtContact()
	_, err := pathway.New(cat).Decide(raised, frontDoor, atContact, now.Add(time.Hour))
	wantRefused(t, err, waymark.EINVALID, "learntAt", "Record the contact first")

	c := strategyCase(t)
	for _, tc := range []struct {
		at, says string
	}{
		{pathway.LearntAtStrategyDiscussion, "No strategy discussion"},
		{pathway.LearntAtInterview, "No interview with the child"},
		{pathway.LearntAtMeeting, "No multi-agency meeting"},
		{"", "Select where you learnt this"},
		{"a-chat", "Select where you learnt this"},
	} {
		cmd := toldAtContact()
		cmd.LearntAt = tc.at
		_, err := pathway.New(cat).Decide(c, frontDoor, cmd, now.Add(3*time.Hour))
		wantRefused(t, err, waymark.EINVALID, "learntAt", tc.says)
	}

	c, _ = mustDecide(t, c, frontDoor, discussion(), now.Add(2*time.Hour))
	c, _ = mustDecide(t, c, frontDoor, interview(), now.Add(2*time.Hour))
	atInterview := pathway.RecordSituation{LearntAt: pathway.LearntAtInterview, Treatment: "Hit when he came back short."}
	_, err = pathway.New(cat).Decide(c, frontDoor, atInterview, now.Add(3*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "learntAt", "No interview with the child has taken place")
	mustDecide(t, c, frontDoor, atInterview, now.Add(49*time.Hour))
	atDiscussion := pathway.RecordSituation{LearntAt: pathway.LearntAtStrategyDiscussion, Exploiters: "An older boy known as 'T'."}
	mustDecide(t, c, frontDoor, atDiscussion, now.Add(3*time.Hour))
}

// §7.5: a child's account comes in instalments. The latest answer to a fact
// is the one used; the earlier ones stay in its history, each with where it
// was learnt and who recorded it when.
func TestTheLatestAnswerToAFactWinsAndTheEarlierOnesAreKept(t *testing.T) {
	c, e := mustDecide(t, strategyCase(t), frontDoor, toldAtContact(), now.Add(3*time.Hour))
	if got := e.Summary(); got != "Recorded 3 facts about the child's situation, learnt when Children's Services took the contact" {
		t.Errorf("summary = %q", got)
	}
	c, _ = mustDecide(t, c, frontDoor, discussion(), now.Add(4*time.Hour))
	later := pathway.RecordSituation{LearntAt: pathway.LearntAtStrategyDiscussion, StillInSituation: "no", HowTheyLeft: "  Placed in foster care after the strategy discussion.  "}
	c, _ = mustDecide(t, c, assignedWorker, later, now.Add(5*time.Hour))

	still, ok := c.Fact(pathway.FactStillInSituation)
	if !ok || still.Value != "no" || still.LearntAt != pathway.LearntAtStrategyDiscussion || still.By.UserID != assignedWorker.UserID || !still.At.Equal(now.Add(5*time.Hour)) {
		t.Fatalf("still in the situation = %+v, want the worker's later no", still)
	}
	if h := c.FactHistory(pathway.FactStillInSituation); len(h) != 2 || h[0].Value != "yes" || h[0].ToldBy != "the school nurse" {
		t.Fatalf("history = %+v, want the earlier yes kept first", h)
	}
	if left, _ := c.Fact(pathway.FactHowTheyLeft); left.Value != "Placed in foster care after the strategy discussion." {
		t.Errorf("answers are not trimmed: %q", left.Value)
	}
	if living, _ := c.Fact(pathway.FactLivingConditions); !strings.Contains(living.Where(), "When Children's Services took the contact, told by the school nurse, recorded by Fola Front on 10 March 2026") {
		t.Errorf("where = %q", living.Where())
	}
	if _, ok := c.Fact(pathway.FactBirthplace); ok {
		t.Error("a fact never recorded has an answer")
	}
}

// The referrer records what the child told them with the concern (§8.5);
// the team's later answer replaces it.
func TestWhatTheChildToldTheReferrerIsAFactUntilTheTeamLearnsMore(t *testing.T) {
	concern := validConcern()
	concern.Facts = []pathway.FactAnswer{{Fact: pathway.FactTreatment, Value: " Shouted at and made to work nights. "}}
	c, _ := mustDecide(t, pathway.Case{}, teacher, pathway.RaiseConcern{CaseID: "case-1", Concern: concern, ChildrensServicesOrg: "org-cs"}, now)
	got, ok := c.Fact(pathway.FactTreatment)
	if !ok || got.Value != "Shouted at and made to work nights." || got.LearntAt != pathway.LearntAtConcern || got.By.UserID != teacher.UserID {
		t.Fatalf("treatment = %+v", got)
	}
	c, _ = mustDecide(t, c, frontDoor, pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone"}, now.Add(time.Hour))
	c, _ = mustDecide(t, c, frontDoor, pathway.RecordSituation{LearntAt: pathway.LearntAtContact, Treatment: "Beaten when short of money."}, now.Add(2*time.Hour))
	if got, _ := c.Fact(pathway.FactTreatment); got.Value != "Beaten when short of money." {
		t.Errorf("treatment = %q, want the team's later answer", got.Value)
	}
	if h := c.FactHistory(pathway.FactTreatment); len(h) != 2 || h[0].LearntAt != pathway.LearntAtConcern {
		t.Errorf("history = %+v", h)
	}
}

// §8.5: a referrer records what they were told, not the team's findings:
// whether a crime was reported and the child's cooperation are the team's.
func TestAConcernRecordsOnlyWhatAReferrerLearns(t *testing.T) {
	concern := validConcern()
	concern.Facts = []pathway.FactAnswer{{Fact: pathway.FactHelpInvestigation, Value: "yes"}}
	_, err := pathway.New(cat).Decide(pathway.Case{}, teacher, pathway.RaiseConcern{CaseID: "case-1", Concern: concern, ChildrensServicesOrg: "org-cs"}, now)
	wantRefused(t, err, waymark.EINVALID, "helpInvestigation", "recorded by the team")
}

func TestFactsAreCheckedAgainstWhatTheyMayHold(t *testing.T) {
	c := strategyCase(t)
	for _, tc := range []struct {
		name   string
		change func(*pathway.RecordSituation)
		field  string
		says   string
	}{
		{"nothing answered", func(r *pathway.RecordSituation) { *r = pathway.RecordSituation{LearntAt: pathway.LearntAtContact} }, "livingConditions", "Answer at least one question"},
		{"last contact not one of the form's answers", func(r *pathway.RecordSituation) { r.LastContact = "yesterday" }, "lastContact", "select one of the answers"},
		{"children counted although none", func(r *pathway.RecordSituation) { r.HasChildren, r.NumberOfChildren = "no", 2 }, "numberOfChildren", "no children of their own"},
		{"a crime reference without a crime reported", func(r *pathway.RecordSituation) { r.ReportedToPolice, r.CrimeReference = "no", "NP/1234/26" }, "crimeReference", "leave the crime reference blank"},
		{"birthplace on two lines", func(r *pathway.RecordSituation) { r.Birthplace = "Tirana\nAlbania" }, "birthplace", ""},
		{"living conditions too long", func(r *pathway.RecordSituation) { r.LivingConditions = strings.Repeat("x", pathway.MaxNarrative+1) }, "livingConditions", "10000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := toldAtContact()
			tc.change(&cmd)
			_, err := pathway.New(cat).Decide(c, frontDoor, cmd, now.Add(3*time.Hour))
			wantRefused(t, err, waymark.EINVALID, tc.field, tc.says)
		})
	}
	ok := toldAtContact()
	ok.HasChildren, ok.NumberOfChildren, ok.ReportedToPolice, ok.CrimeReference = "yes", 1, "yes", "NP/1234/26"
	c, _ = mustDecide(t, c, frontDoor, ok, now.Add(3*time.Hour))
	if n, _ := c.Fact(pathway.FactNumberOfChildren); n.Value != "1" {
		t.Errorf("number of children = %q", n.Value)
	}
	if r, _ := c.Fact(pathway.FactLastContact); r.Text() != "Within the last week" {
		t.Errorf("last contact in words = %q", r.Text())
	}
}

// §6.5: someone outside the team never sees what the team recorded.
func TestTheTeamsFactsAreNotShownToTheReferrer(t *testing.T) {
	c, _ := mustDecide(t, strategyCase(t), frontDoor, toldAtContact(), now.Add(3*time.Hour))
	if _, ok := c.ForOutsider(teacher.UserID).Fact(pathway.FactLivingConditions); ok {
		t.Fatal("the referrer's view of the case holds the team's facts")
	}
}

// A page showing the answers so far records only what changed.
func TestAnAnswerAlreadyRecordedIsNotRecordedAgain(t *testing.T) {
	c, _ := mustDecide(t, strategyCase(t), frontDoor, toldAtContact(), now.Add(3*time.Hour))
	_, err := pathway.New(cat).Decide(c, frontDoor, toldAtContact(), now.Add(4*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "livingConditions", "already recorded")
	again := toldAtContact()
	again.StillInSituation = "no"
	_, e := mustDecide(t, c, frontDoor, again, now.Add(4*time.Hour))
	if got := e.Data.(pathway.SituationRecorded).Facts; len(got) != 1 || got[0].Fact != pathway.FactStillInSituation {
		t.Fatalf("recorded %+v, want only the changed answer", got)
	}
}
