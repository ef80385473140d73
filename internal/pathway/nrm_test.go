package pathway_test

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

var (
	nrmSocialWorker = pathway.Actor{
		Party:               pathway.Party{UserID: "user-sw", Name: "Sam Social", OrgID: "org-cs", OrgName: "Northshire Children's Services"},
		Role:                pathway.RoleSocialWorker,
		InChildrensServices: true,
		InFirstResponderOrg: true,
	}
	nrmDoctor = pathway.Actor{
		Party: pathway.Party{UserID: "user-gp", Name: "Dee Doctor", OrgID: "org-gp", OrgName: "Riverside GP Practice"},
		Role:  pathway.RolePractitioner,
	}
	nrmPoliceOrg = pathway.LeadOrganisation{ID: "org-police", Name: "Northshire Police", FirstResponder: true}
)

// nrmLondon is a wall-clock time in London.
func nrmLondon(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, pathway.London)
}

// nrmSubmission is a valid submission made an hour before at, without a meeting.
func nrmSubmission(at time.Time) pathway.SubmitNRMReferral {
	return pathway.SubmitNRMReferral{SubmittedAt: at.Add(-time.Hour), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes, ReasonWithoutMeeting: "The child was about to be moved out of the county."}
}

// nrmRaisedAt is a case whose concern was raised at `at` (the child identified two hours before).
func nrmRaisedAt(t *testing.T, at time.Time) pathway.Case {
	t.Helper()
	concern := validConcern()
	concern.IdentifiedAt = at.Add(-2 * time.Hour)
	events, err := pathway.New(cat).Decide(pathway.Case{}, teacher, pathway.RaiseConcern{CaseID: "case-1", Concern: concern, ChildrensServicesOrg: "org-cs"}, at)
	if err != nil {
		t.Fatalf("raising at %s: %v", at, err)
	}
	return pathway.Apply(pathway.Case{}, events[0])
}

// nrmSubmittedCase is a case raised at now whose NRM referral the police
// submitted at now+1h (recorded at now+2h), without a meeting decision.
func nrmSubmittedCase(t *testing.T) pathway.Case {
	t.Helper()
	c, _ := mustDecide(t, raisedCase(t), policeLead, nrmSubmission(now.Add(2*time.Hour)), now.Add(2*time.Hour))
	return c
}

// nrmWithRG records a Reasonable Grounds decision as the police.
func nrmWithRG(t *testing.T, c pathway.Case, outcome, day string) pathway.Case {
	t.Helper()
	at := nrmAfter(day)
	c, _ = mustDecide(t, c, policeLead, pathway.RecordReasonableGrounds{Outcome: outcome, DecidedOn: day}, at)
	return c
}

// nrmAfter is the afternoon of day, London time: a moment to record something dated day.
func nrmAfter(day string) time.Time {
	d, err := time.ParseInLocation("2006-01-02", day, pathway.London)
	if err != nil {
		panic(err)
	}
	return d.Add(15 * time.Hour)
}

// nrmMeeting has the social worker convene a STRAT meeting and record that it
// decided nrmDecision, with lead as lead First Responder when it is to submit.
func nrmMeeting(t *testing.T, c pathway.Case, nrmDecision string, lead pathway.LeadOrganisation) pathway.Case {
	t.Helper()
	at := c.RaisedAt
	c, _ = mustDecide(t, c, nrmSocialWorker, pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: at.Add(30 * time.Minute),
		InviteeEmails: []string{"first.responder@police.example"}, Invitees: []pathway.Party{policeLead.Party}}, at.Add(10*time.Minute))
	no := false
	held := pathway.RecordMeetingHeld{AttendeeIDs: []string{pathway.AttendeeUser(nrmSocialWorker.UserID), pathway.AttendeeUser(policeLead.UserID)},
		Staff:                     mtgStaff(map[string]pathway.MeetingRoles{policeLead.UserID: {Police: true}}, nrmSocialWorker.Party, policeLead.Party),
		NRMDecision:               nrmDecision,
		ChildProtectionConference: &no, ChildProtectionPlan: &no, InformationSharedWithPolice: &no}
	if nrmDecision == pathway.NRMSubmit {
		held.LeadOrgID, held.LeadOrg = lead.ID, lead
	}
	c, _ = mustDecide(t, c, nrmSocialWorker, held, at.Add(time.Hour))
	return c
}

// §8.2, annex: only a designated First Responder organisation refers a child into the NRM.
func TestOnlyAFirstResponderCanRecordTheNRMSubmission(t *testing.T) {
	p := pathway.New(cat)
	for _, actor := range []pathway.Actor{teacher, nrmDoctor} {
		_, err := p.Decide(raisedCase(t), actor, nrmSubmission(now.Add(2*time.Hour)), now.Add(2*time.Hour))
		wantRefused(t, err, waymark.EFORBIDDEN, "", "Only a designated First Responder organisation", actor.OrgName, "send its PDF")
	}
	for _, actor := range []pathway.Actor{policeLead, frontDoor} {
		mustDecide(t, raisedCase(t), actor, nrmSubmission(now.Add(2*time.Hour)), now.Add(2*time.Hour))
	}
}

// §8.5: when the meeting agreed the lead First Responder, only that organisation submits.
func TestOnlyTheAgreedLeadFirstResponderCanRecordTheSubmission(t *testing.T) {
	c := nrmMeeting(t, raisedCase(t), pathway.NRMSubmit, nrmPoliceOrg)
	at := now.Add(3 * time.Hour)
	sub := pathway.SubmitNRMReferral{SubmittedAt: at.Add(-time.Minute), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes, AgreedLeadName: "Northshire Police"}

	_, err := pathway.New(cat).Decide(c, frontDoor, sub, at)
	wantRefused(t, err, waymark.EFORBIDDEN, "", "Only Northshire Police was agreed as lead First Responder at the multi-agency meeting", "Ask them to submit it", "prepare the referral draft")

	sub.AgreedLeadName = "" // the name could not be looked up: the message still says what to do
	_, err = pathway.New(cat).Decide(c, frontDoor, sub, at)
	wantRefused(t, err, waymark.EFORBIDDEN, "", "Only Northshire Police", "Ask them to submit it") // the meeting's record names them

	after, e := mustDecide(t, c, policeLead, sub, at)
	if d := e.Data.(pathway.NRMSubmitted); !d.MeetingAgreed || d.LeadOrgID != "org-police" || d.ReasonWithoutMeeting != "" {
		t.Fatalf("submission = %+v, want agreed at the meeting, led by the police, no reason needed", d)
	}
	if !after.NRM.Submission.MeetingAgreed {
		t.Fatal("the case does not show the meeting agreed the submission")
	}
}

// §8.3: a child's NRM referral needs no consent, so the command has nowhere
// to record one, and a submission with none succeeds.
func TestNRMSubmissionNeedsNoConsentForAChild(t *testing.T) {
	for _, v := range []any{pathway.SubmitNRMReferral{}, pathway.NRMSubmitted{}, pathway.NRMSubmission{}} {
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			if f := typ.Field(i); strings.Contains(strings.ToLower(f.Name+f.Tag.Get("json")), "consent") {
				t.Errorf("%s has a consent field %s: no consent is asked for a child (§8.3)", typ.Name(), f.Name)
			}
		}
	}
	c, _ := mustDecide(t, raisedCase(t), policeLead, nrmSubmission(now.Add(2*time.Hour)), now.Add(2*time.Hour))
	if !c.NRM.Submitted() {
		t.Fatal("a submission without consent was not recorded")
	}
}

// §8.4, §8.5: a submission normally follows a meeting's decision; without one the reason is recorded.
func TestSubmissionWithoutAMeetingDecisionNeedsAReason(t *testing.T) {
	p := pathway.New(cat)
	at := now.Add(3 * time.Hour)
	noReason := pathway.SubmitNRMReferral{SubmittedAt: at.Add(-time.Minute), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes}

	_, err := p.Decide(raisedCase(t), policeLead, noReason, at)
	wantRefused(t, err, waymark.EINVALID, "reasonWithoutMeeting", "No multi-agency meeting has decided", "§8.4")

	declined := nrmMeeting(t, raisedCase(t), pathway.NRMDoNotSubmit, pathway.LeadOrganisation{})
	_, err = p.Decide(declined, policeLead, noReason, at)
	wantRefused(t, err, waymark.EINVALID, "reasonWithoutMeeting", "decided not to submit", "escalation", "§8.6")

	withReason := noReason
	withReason.ReasonWithoutMeeting = "  New disclosure: the child is being moved tonight.  "
	c, e := mustDecide(t, raisedCase(t), policeLead, withReason, at)
	if d := e.Data.(pathway.NRMSubmitted); d.MeetingAgreed || d.ReasonWithoutMeeting != "New disclosure: the child is being moved tonight." {
		t.Fatalf("submission = %+v, want no meeting agreement and the trimmed reason", d)
	}
	if c.NRM.Submission.ReasonWithoutMeeting == "" {
		t.Fatal("the reason was not kept on the case")
	}

	agreed := nrmMeeting(t, raisedCase(t), pathway.NRMSubmit, pathway.LeadOrganisation{ID: "org-cs", Name: "Northshire Children's Services", FirstResponder: true})
	mustDecide(t, agreed, frontDoor, noReason, at)
}

// §7.4: a person whose age is uncertain is a child, and an age assessment
// still open never holds up the NRM referral.
func TestAnOpenAgeAssessmentNeverHoldsUpTheNRM(t *testing.T) {
	concern := validConcern()
	concern.Child.AgeUncertain = true
	concern.Child.DateOfBirth, concern.Child.EstimatedAge = "", 17
	events, err := pathway.New(cat).Decide(pathway.Case{}, teacher, pathway.RaiseConcern{CaseID: "case-1", Concern: concern, ChildrensServicesOrg: "org-cs"}, now)
	if err != nil {
		t.Fatal(err)
	}
	c := pathway.Apply(pathway.Case{}, events[0])
	c, _ = mustDecide(t, c, frontDoor, pathway.RequestAgeAssessment{Reason: "Documents say 19; the child says 16."}, now.Add(time.Hour))
	if c.Support.OpenAgeAssessment() == nil {
		t.Fatal("set-up: no open age assessment")
	}
	c, _ = mustDecide(t, c, policeLead, nrmSubmission(now.Add(2*time.Hour)), now.Add(2*time.Hour))
	if !c.NRM.Submitted() {
		t.Fatal("the open age assessment held up the NRM submission")
	}

	// And nothing the NRM decides reads the child's age or an age assessment.
	files, _ := filepath.Glob("nrm*.go")
	reads := regexp.MustCompile(`\.Support\b|AgeAssessment|AgeUncertain|DateOfBirth|EstimatedAge|TreatedAsChild`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if m := reads.Find(src); m != nil {
			t.Errorf("%s reads %s: the NRM must not depend on age (§7.4)", f, m)
		}
	}
}

// national guidance: the Reasonable Grounds target runs in working days from the submission.
func TestSubmissionStartsTheReasonableGroundsTarget(t *testing.T) {
	c := nrmSubmittedCase(t)
	submitted := now.Add(time.Hour)
	cl := clockOf(t, c, pathway.ClockNRMReasonableGrounds)
	want := cat.Holidays.AddWorkingDays(submitted, 5)
	if !cl.StartedAt.Equal(submitted) || !cl.DueAt.Equal(want) {
		t.Fatalf("target runs %s → %s, want %s → %s", cl.StartedAt, cl.DueAt, submitted, want)
	}
	if wantDue := nrmLondon(2026, 3, 17, 10, 0); !cl.DueAt.Equal(wantDue) { // Tuesday 10 March + 5 working days
		t.Fatalf("due %s, want Tuesday 17 March 2026 at 10:00", cl.DueAt.In(pathway.London))
	}
	if cl.OwnerOrgID != "org-police" || cl.Window || !strings.Contains(cl.Label, "5 working days") {
		t.Fatalf("clock = %+v, want owned by the police, a deadline, labelled with its length", cl)
	}
	if cl.Status(now.Add(24*time.Hour)) != pathway.ClockRunning || cl.Status(want.Add(time.Minute)) != pathway.ClockOverdue {
		t.Fatal("the target does not run and then fall overdue")
	}
}

// PATHWAY.md §5: bank holidays are not working days.
func TestReasonableGroundsTargetSkipsChristmasAndNewYear(t *testing.T) {
	submitted := nrmLondon(2026, 12, 23, 10, 0) // a Wednesday
	c := raisedCase(t)
	c, _ = mustDecide(t, c, policeLead, pathway.SubmitNRMReferral{SubmittedAt: submitted, Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes, ReasonWithoutMeeting: "Urgent"}, submitted.Add(time.Hour))
	cl := clockOf(t, c, pathway.ClockNRMReasonableGrounds)
	if want := nrmLondon(2027, 1, 4, 10, 0); !cl.DueAt.Equal(want) {
		t.Fatalf("due %s, want Monday 4 January 2027 at 10:00", cl.DueAt.In(pathway.London).Format("Monday 2 January 2006 15:04"))
	}
}

func TestReasonableGroundsTargetLengthComesFromConfiguration(t *testing.T) {
	p := pathway.New(cat)
	p.Clocks.RGTargetWorkingDays = 10
	events, err := p.Decide(raisedCase(t), policeLead, nrmSubmission(now.Add(2*time.Hour)), now.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	c := pathway.Apply(raisedCase(t), events[0])
	cl := clockOf(t, c, pathway.ClockNRMReasonableGrounds)
	if want := cat.Holidays.AddWorkingDays(now.Add(time.Hour), 10); !cl.DueAt.Equal(want) || !strings.Contains(cl.Label, "10 working days") {
		t.Fatalf("clock %q due %s, want 10 working days: %s", cl.Label, cl.DueAt, want)
	}
}

// §8.5: the lead First Responder organisation joins the case to receive the Home Office's answers.
func TestSubmissionMakesTheLeadFirstResponderAMember(t *testing.T) {
	before := pathway.Members(raisedCase(t))
	for _, m := range before {
		if m.ID == "org-police" {
			t.Fatalf("the police are a member before submitting: %+v", m)
		}
	}
	want := pathway.Member{Kind: "org", ID: "org-police", Role: pathway.MemberFirstResponder}
	for _, m := range pathway.Members(nrmSubmittedCase(t)) {
		if m == want {
			return
		}
	}
	t.Fatalf("members %+v do not include %+v", pathway.Members(nrmSubmittedCase(t)), want)
}

func TestNRMSubmissionIsRecordedOnlyOnce(t *testing.T) {
	_, err := pathway.New(cat).Decide(nrmSubmittedCase(t), frontDoor, nrmSubmission(now.Add(3*time.Hour)), now.Add(3*time.Hour))
	wantRefused(t, err, waymark.ECONFLICT, "", "Northshire Police already recorded the NRM submission", "Home Office reference")
}

func TestNRMSubmissionAnswersAreChecked(t *testing.T) {
	p := pathway.New(cat)
	at := now.Add(3 * time.Hour)
	for _, tc := range []struct {
		name, field, says string
		change            func(*pathway.SubmitNRMReferral)
	}{
		{"no time", "submittedAt", "Enter the date and time", func(s *pathway.SubmitNRMReferral) { s.SubmittedAt = time.Time{} }},
		{"in the future", "submittedAt", "must be in the past", func(s *pathway.SubmitNRMReferral) { s.SubmittedAt = at.Add(time.Hour) }},
		{"before the child was identified", "submittedAt", "before the child was identified", func(s *pathway.SubmitNRMReferral) { s.SubmittedAt = now.Add(-3 * time.Hour) }},
		{"unknown route", "via", "Select how", func(s *pathway.SubmitNRMReferral) { s.Via = "fax" }},
		{"reason too long", "reasonWithoutMeeting", "10000", func(s *pathway.SubmitNRMReferral) {
			s.ReasonWithoutMeeting = strings.Repeat("r", pathway.MaxNarrative+1)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub := nrmSubmission(at)
			tc.change(&sub)
			_, err := p.Decide(raisedCase(t), policeLead, sub, at)
			wantRefused(t, err, waymark.EINVALID, tc.field, tc.says)
		})
	}
	sub := nrmSubmission(at)
	sub.Via = "offline-form"
	mustDecide(t, raisedCase(t), policeLead, sub, at)
}

// §8.7: the reference comes back from the Home Office after the submission,
// to the lead First Responder; Children's Services may record it too.
func TestHomeOfficeReferenceFollowsTheSubmissionAndIsRecordedByTheLead(t *testing.T) {
	p := pathway.New(cat)
	ref := pathway.RecordHomeOfficeReference{Reference: " NRM-2026-0042 ", ReceivedOn: "2026-03-11"}
	at := nrmAfter("2026-03-11")

	_, err := p.Decide(raisedCase(t), policeLead, ref, at)
	wantRefused(t, err, waymark.EINVALID, "", "Record the NRM submission first")

	c := nrmSubmittedCase(t)
	_, err = p.Decide(c, teacher, ref, at)
	wantRefused(t, err, waymark.EFORBIDDEN, "", "Only Northshire Police, which submitted the NRM referral, or Children's Services")

	mustDecide(t, c, frontDoor, ref, at)
	c, e := mustDecide(t, c, policeLead, ref, at)
	if c.NRM.HomeOfficeReference != "NRM-2026-0042" || c.NRM.ReferenceReceivedOn != "2026-03-11" || !strings.Contains(e.Summary(), "NRM-2026-0042") {
		t.Fatalf("reference %q received %q, summary %q", c.NRM.HomeOfficeReference, c.NRM.ReferenceReceivedOn, e.Summary())
	}
	_, err = p.Decide(c, policeLead, ref, at)
	wantRefused(t, err, waymark.ECONFLICT, "", "NRM-2026-0042 was already recorded")

	for _, tc := range []struct{ name, field, says, reference, on string }{
		{"no reference", "reference", "Enter the reference", "", "2026-03-11"},
		{"no date", "receivedOn", "Enter the date", "NRM-1", ""},
		{"not a date", "receivedOn", "real date", "NRM-1", "2026-02-30"},
		{"in the future", "receivedOn", "today or in the past", "NRM-1", "2026-03-12"},
		{"before the submission", "receivedOn", "cannot be before the submission", "NRM-1", "2026-03-09"},
	} {
		_, err := p.Decide(nrmSubmittedCase(t), policeLead, pathway.RecordHomeOfficeReference{Reference: tc.reference, ReceivedOn: tc.on}, at)
		wantRefused(t, err, waymark.EINVALID, tc.field, tc.says)
	}
}

// §8.7, §8.9: anyone on the case may send further information, before or after a decision.
func TestFurtherInformationCanBeSentAnyTimeAfterTheSubmission(t *testing.T) {
	p := pathway.New(cat)
	info := pathway.RecordNRMFurtherInformation{SentOn: "2026-03-12", Summary: "The school's attendance records for the last term."}
	at := nrmAfter("2026-03-12")

	_, err := p.Decide(raisedCase(t), teacher, info, at)
	wantRefused(t, err, waymark.EINVALID, "", "Record the NRM submission first", "further information")

	c, _ := mustDecide(t, nrmSubmittedCase(t), teacher, info, at)
	c = nrmWithRG(t, c, pathway.DecisionNegative, "2026-03-13")
	c, _ = mustDecide(t, c, nrmDoctor, pathway.RecordNRMFurtherInformation{SentOn: "2026-03-14", Summary: "GP notes of injuries."}, nrmAfter("2026-03-14"))
	if got := c.NRM.FurtherInformation; len(got) != 2 || got[0].By.OrgID != "org-school" || got[1].SentOn != "2026-03-14" {
		t.Fatalf("further information = %+v, want the school's then the GP's", got)
	}

	_, err = p.Decide(c, teacher, pathway.RecordNRMFurtherInformation{SentOn: "2026-03-14"}, at)
	wantRefused(t, err, waymark.EINVALID, "summary", "Describe what was sent")
	_, err = p.Decide(c, teacher, pathway.RecordNRMFurtherInformation{SentOn: "2026-03-09", Summary: "x"}, at)
	wantRefused(t, err, waymark.EINVALID, "sentOn", "cannot be before the submission")
}

// national guidance: the Reasonable Grounds decision stops the target, met or missed on the decision's date.
func TestReasonableGroundsDecisionStopsTheTarget(t *testing.T) {
	for _, tc := range []struct {
		day  string
		want pathway.ClockStatus
	}{
		{"2026-03-10", pathway.ClockMet},  // the same day as the submission
		{"2026-03-17", pathway.ClockMet},  // the fifth working day
		{"2026-03-18", pathway.ClockLate}, // a day late
	} {
		t.Run(tc.day, func(t *testing.T) {
			c := nrmWithRG(t, nrmSubmittedCase(t), pathway.DecisionNegative, tc.day)
			cl := clockOf(t, c, pathway.ClockNRMReasonableGrounds)
			if cl.Running() {
				t.Fatal("the target still runs after the decision")
			}
			if got := cl.Status(now.AddDate(0, 1, 0)); got != tc.want {
				t.Fatalf("status %s, want %s (stopped %s, due %s)", got, tc.want, cl.StoppedAt, cl.DueAt)
			}
		})
	}
}

// national guidance: a positive Reasonable Grounds decision starts the minimum wait before Conclusive Grounds.
func TestPositiveReasonableGroundsStartsTheWaitBeforeConclusiveGrounds(t *testing.T) {
	neg := nrmWithRG(t, nrmSubmittedCase(t), pathway.DecisionNegative, "2026-03-12")
	if _, ok := neg.RunningClock(pathway.ClockNRMEarliestConclusiveGrounds); ok || neg.NRM.EarliestConclusiveGrounds != "" {
		t.Fatal("a negative decision started the wait for a Conclusive Grounds decision")
	}
	c := nrmWithRG(t, nrmSubmittedCase(t), pathway.DecisionPositive, "2026-03-12")
	cl := clockOf(t, c, pathway.ClockNRMEarliestConclusiveGrounds)
	if !cl.Window || !cl.StartedAt.Equal(nrmLondon(2026, 3, 12, 0, 0)) || !cl.DueAt.Equal(nrmLondon(2026, 4, 11, 0, 0)) || cl.OwnerOrgID != "org-police" {
		t.Fatalf("window = %+v, want 12 March → 11 April 2026, a window owned by the police", cl)
	}
	if c.NRM.EarliestConclusiveGrounds != "2026-04-11" || c.NRM.EarliestConclusiveGroundsLabel() != "11 April 2026" {
		t.Fatalf("earliest Conclusive Grounds %q", c.NRM.EarliestConclusiveGrounds)
	}
	c, _ = mustDecide(t, c, policeLead, pathway.RecordConclusiveGrounds{Outcome: pathway.DecisionPositive, DecidedOn: "2026-04-20"}, nrmAfter("2026-04-20"))
	if cl := clockOf(t, c, pathway.ClockNRMEarliestConclusiveGrounds); cl.Running() || cl.Status(now.AddDate(1, 0, 0)) != pathway.ClockEnded {
		t.Fatalf("after the Conclusive Grounds decision the window is %+v", cl)
	}
}

// national guidance: only a positive Reasonable Grounds decision leads to a Conclusive Grounds decision.
func TestConclusiveGroundsNeedsAPositiveReasonableGrounds(t *testing.T) {
	p := pathway.New(cat)
	cg := pathway.RecordConclusiveGrounds{Outcome: pathway.DecisionPositive, DecidedOn: "2026-04-20"}
	at := nrmAfter("2026-04-20")
	_, err := p.Decide(raisedCase(t), policeLead, cg, at)
	wantRefused(t, err, waymark.EINVALID, "", "Record the NRM submission first")
	_, err = p.Decide(nrmSubmittedCase(t), policeLead, cg, at)
	wantRefused(t, err, waymark.EINVALID, "", "Record the Reasonable Grounds decision first")
	_, err = p.Decide(nrmWithRG(t, nrmSubmittedCase(t), pathway.DecisionNegative, "2026-03-12"), policeLead, cg, at)
	wantRefused(t, err, waymark.EINVALID, "", "12 March 2026 was negative", "reconsideration")
}

// national guidance: the Conclusive Grounds decision comes at least 30 days
// after a positive Reasonable Grounds decision made from 30 January 2023, and
// 45 days after one made before.
func TestConclusiveGroundsWaitsThirtyDaysOrFortyFiveBefore30January2023(t *testing.T) {
	for _, tc := range []struct {
		rg, tooEarly, earliest, earliestLabel, days string
	}{
		{"2023-01-29", "2023-03-14", "2023-03-15", "15 March 2023", "45 days"},
		{"2023-01-30", "2023-02-28", "2023-03-01", "1 March 2023", "30 days"},
	} {
		t.Run(tc.rg, func(t *testing.T) {
			c := nrmRaisedAt(t, nrmLondon(2023, 1, 16, 9, 0))
			c, _ = mustDecide(t, c, policeLead, nrmSubmission(nrmLondon(2023, 1, 16, 12, 0)), nrmLondon(2023, 1, 16, 12, 0))
			c = nrmWithRG(t, c, pathway.DecisionPositive, tc.rg)
			if c.NRM.EarliestConclusiveGrounds != tc.earliest {
				t.Fatalf("earliest Conclusive Grounds %s, want %s", c.NRM.EarliestConclusiveGrounds, tc.earliest)
			}
			_, err := pathway.New(cat).Decide(c, policeLead, pathway.RecordConclusiveGrounds{Outcome: pathway.DecisionPositive, DecidedOn: tc.tooEarly}, nrmAfter(tc.tooEarly))
			wantRefused(t, err, waymark.EINVALID, "decidedOn", "no earlier than "+tc.earliestLabel, tc.days, "Check the date")
			c, _ = mustDecide(t, c, policeLead, pathway.RecordConclusiveGrounds{Outcome: pathway.DecisionPositive, DecidedOn: tc.earliest}, nrmAfter(tc.earliest))
			if cg := c.NRM.ConclusiveGrounds; cg == nil || !cg.Positive() || cg.DecidedOn != tc.earliest {
				t.Fatalf("Conclusive Grounds = %+v", cg)
			}
		})
	}
}

func TestDecisionAnswersAreChecked(t *testing.T) {
	p := pathway.New(cat)
	at := nrmAfter("2026-03-12")
	for _, tc := range []struct{ name, field, says, outcome, day string }{
		{"no outcome", "outcome", "positive or negative", "", "2026-03-12"},
		{"unknown outcome", "outcome", "positive or negative", "maybe", "2026-03-12"},
		{"no date", "decidedOn", "Enter the date of the decision", "positive", ""},
		{"in the future", "decidedOn", "today or in the past", "positive", "2026-03-13"},
		{"before the submission", "decidedOn", "cannot be before the NRM submission", "positive", "2026-03-09"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.Decide(nrmSubmittedCase(t), policeLead, pathway.RecordReasonableGrounds{Outcome: tc.outcome, DecidedOn: tc.day}, at)
			wantRefused(t, err, waymark.EINVALID, tc.field, tc.says)
		})
	}
	_, err := p.Decide(nrmSubmittedCase(t), teacher, pathway.RecordReasonableGrounds{Outcome: "positive", DecidedOn: "2026-03-12"}, at)
	wantRefused(t, err, waymark.EFORBIDDEN, "", "Only Northshire Police")
	c := nrmWithRG(t, nrmSubmittedCase(t), pathway.DecisionPositive, "2026-03-12")
	_, err = p.Decide(c, policeLead, pathway.RecordReasonableGrounds{Outcome: "negative", DecidedOn: "2026-03-12"}, at)
	wantRefused(t, err, waymark.ECONFLICT, "", "already recorded (positive, decided 12 March 2026)", "reconsideration's outcome")
	c, _ = mustDecide(t, c, policeLead, pathway.RecordConclusiveGrounds{Outcome: pathway.DecisionNegative, DecidedOn: "2026-04-11"}, nrmAfter("2026-04-11"))
	_, err = p.Decide(c, policeLead, pathway.RecordConclusiveGrounds{Outcome: pathway.DecisionPositive, DecidedOn: "2026-04-12"}, nrmAfter("2026-04-12"))
	wantRefused(t, err, waymark.ECONFLICT, "", "Conclusive Grounds decision was already recorded")
}

func nrmReconsideration(grounds string) pathway.RequestNRMReconsideration {
	return pathway.RequestNRMReconsideration{Decision: grounds, EventsSinceReferral: "The child disclosed being moved between three addresses.",
		IndicatorsAdded: []string{cat.Indicators[1].ID}, ChildsViews: "She wants the Home Office to hear her account."}
}

// §8.9: a reconsideration can only follow a negative decision.
func TestReconsiderationCanOnlyFollowANegativeDecision(t *testing.T) {
	p := pathway.New(cat)
	at := nrmAfter("2026-03-20")
	_, err := p.Decide(nrmSubmittedCase(t), teacher, nrmReconsideration(pathway.ReasonableGrounds), at)
	wantRefused(t, err, waymark.EINVALID, "", "only follow a negative decision", "§8.9")

	positive := nrmWithRG(t, nrmSubmittedCase(t), pathway.DecisionPositive, "2026-03-12")
	_, err = p.Decide(positive, teacher, nrmReconsideration(pathway.ReasonableGrounds), at)
	wantRefused(t, err, waymark.EINVALID, "", "only follow a negative decision", "further information")

	// Any organisation on the case may ask, not only a First Responder.
	negative := nrmWithRG(t, nrmSubmittedCase(t), pathway.DecisionNegative, "2026-03-12")
	_, err = p.Decide(negative, teacher, nrmReconsideration(pathway.ConclusiveGrounds), at)
	wantRefused(t, err, waymark.EINVALID, "", "no Conclusive Grounds decision")
	_, err = p.Decide(negative, teacher, nrmReconsideration("appeal"), at)
	wantRefused(t, err, waymark.EINVALID, "decision", "Select the decision")
	c, e := mustDecide(t, negative, teacher, nrmReconsideration(pathway.ReasonableGrounds), at)
	r := c.NRM.OpenReconsideration()
	if r == nil || r.Grounds != pathway.ReasonableGrounds || r.By.OrgID != "org-school" || r.Seq != e.Seq {
		t.Fatalf("open reconsideration = %+v", r)
	}
	if got := r.IndicatorsAdded; len(got) != 1 || got[0].ID != cat.Indicators[1].ID || got[0].Label != cat.Indicators[1].Label || r.CatalogVersion != cat.Version {
		t.Fatalf("indicators added %+v (catalogue %s)", got, r.CatalogVersion)
	}

	cgNegative := nrmWithRG(t, nrmSubmittedCase(t), pathway.DecisionPositive, "2026-03-12")
	cgNegative, _ = mustDecide(t, cgNegative, policeLead, pathway.RecordConclusiveGrounds{Outcome: pathway.DecisionNegative, DecidedOn: "2026-04-15"}, nrmAfter("2026-04-15"))
	mustDecide(t, cgNegative, nrmDoctor, nrmReconsideration(pathway.ConclusiveGrounds), nrmAfter("2026-04-16"))
}

// §8.9: the Home Office reconsiders only where there are grounds, and added
// indicators are cited from the catalogue.
func TestReconsiderationNeedsGroundsAndCatalogueIndicators(t *testing.T) {
	p := pathway.New(cat)
	c := nrmWithRG(t, nrmSubmittedCase(t), pathway.DecisionNegative, "2026-03-12")
	at := nrmAfter("2026-03-20")

	_, err := p.Decide(c, teacher, pathway.RequestNRMReconsideration{Decision: pathway.ReasonableGrounds, ChildsViews: "Wants to be heard."}, at)
	wantRefused(t, err, waymark.EINVALID, "eventsSinceReferral", "Give the grounds", "§8.9")

	bad := nrmReconsideration(pathway.ReasonableGrounds)
	bad.IndicatorsAdded = []string{"general.made-up"}
	_, err = p.Decide(c, teacher, bad, at)
	wantRefused(t, err, waymark.EINVALID, "indicatorsAdded", "general.made-up", cat.Version)

	long := nrmReconsideration(pathway.ReasonableGrounds)
	long.ChildsViews = strings.Repeat("v", pathway.MaxNarrative+1)
	_, err = p.Decide(c, teacher, long, at)
	wantRefused(t, err, waymark.EINVALID, "childsViews", "10000")

	for _, only := range []pathway.RequestNRMReconsideration{
		{Decision: pathway.ReasonableGrounds, GuidanceMisapplied: "The minutes treat the child's return to the exploiter as consent."},
		{Decision: pathway.ReasonableGrounds, IndicatorsAdded: []string{cat.Indicators[2].ID}},
	} {
		mustDecide(t, c, teacher, only, at)
	}
}

// §8.9: one request at a time, answered before another is made.
func TestOneReconsiderationIsOpenAtATime(t *testing.T) {
	c := nrmWithRG(t, nrmSubmittedCase(t), pathway.DecisionNegative, "2026-03-12")
	c, _ = mustDecide(t, c, teacher, nrmReconsideration(pathway.ReasonableGrounds), nrmAfter("2026-03-20"))
	_, err := pathway.New(cat).Decide(c, nrmDoctor, nrmReconsideration(pathway.ReasonableGrounds), nrmAfter("2026-03-21"))
	wantRefused(t, err, waymark.ECONFLICT, "", "Northfield Academy asked for a reconsideration", "has not answered yet")

	_, err = pathway.New(cat).Decide(nrmWithRG(t, nrmSubmittedCase(t), pathway.DecisionNegative, "2026-03-12"), policeLead,
		pathway.RecordNRMReconsiderationOutcome{Outcome: pathway.ReconsiderationUpheld, DecidedOn: "2026-03-20"}, nrmAfter("2026-03-20"))
	wantRefused(t, err, waymark.EINVALID, "", "No reconsideration is waiting")
}

// §8.9, PATHWAY.md §3: an overturned decision is a new positive decision; the old one stays in history.
func TestOverturnedReconsiderationBecomesAPositiveDecision(t *testing.T) {
	c := nrmWithRG(t, nrmSubmittedCase(t), pathway.DecisionNegative, "2026-03-12")
	c, req := mustDecide(t, c, teacher, nrmReconsideration(pathway.ReasonableGrounds), nrmAfter("2026-03-20"))
	c, e := mustDecide(t, c, policeLead, pathway.RecordNRMReconsiderationOutcome{Outcome: pathway.ReconsiderationOverturned, DecidedOn: "2026-04-01"}, nrmAfter("2026-04-01"))

	rg := c.NRM.ReasonableGrounds
	if rg == nil || !rg.Positive() || rg.DecidedOn != "2026-04-01" || rg.Reconsideration != req.Seq || rg.Seq != e.Seq {
		t.Fatalf("standing Reasonable Grounds = %+v, want positive from 1 April after request %d", rg, req.Seq)
	}
	if len(c.NRM.Decisions) != 2 || c.NRM.Decisions[0].Outcome != pathway.DecisionNegative {
		t.Fatalf("decisions %+v: the negative decision must stay in history", c.NRM.Decisions)
	}
	if r := c.NRM.Reconsiderations[0]; r.Open() || r.Outcome != pathway.ReconsiderationOverturned || r.DecidedOn != "2026-04-01" {
		t.Fatalf("reconsideration = %+v", r)
	}
	cl := clockOf(t, c, pathway.ClockNRMEarliestConclusiveGrounds)
	if !cl.DueAt.Equal(nrmLondon(2026, 5, 1, 0, 0)) || c.NRM.EarliestConclusiveGrounds != "2026-05-01" {
		t.Fatalf("the wait runs to %s (%s), want 1 May 2026", cl.DueAt, c.NRM.EarliestConclusiveGrounds)
	}
	mustDecide(t, c, policeLead, pathway.RecordConclusiveGrounds{Outcome: pathway.DecisionPositive, DecidedOn: "2026-05-01"}, nrmAfter("2026-05-01"))
}

func TestUpheldReconsiderationLeavesTheNegativeDecisionAndAnotherMayFollow(t *testing.T) {
	c := nrmWithRG(t, nrmSubmittedCase(t), pathway.DecisionNegative, "2026-03-12")
	c, _ = mustDecide(t, c, teacher, nrmReconsideration(pathway.ReasonableGrounds), nrmAfter("2026-03-20"))
	c, _ = mustDecide(t, c, teacher, pathway.RecordNRMReconsiderationOutcome{Outcome: pathway.ReconsiderationUpheld, DecidedOn: "2026-04-01"}, nrmAfter("2026-04-01"))
	if rg := c.NRM.ReasonableGrounds; rg.Positive() || len(c.NRM.Decisions) != 1 {
		t.Fatalf("after an upheld reconsideration: %+v", c.NRM.Decisions)
	}
	mustDecide(t, c, nrmDoctor, nrmReconsideration(pathway.ReasonableGrounds), nrmAfter("2026-04-02"))
}

// §8.7, §8.9: the answer reaches the lead First Responder, Children's Services or whoever asked.
func TestReconsiderationOutcomeIsRecordedByTheLeadChildrensServicesOrTheRequester(t *testing.T) {
	c := nrmWithRG(t, nrmSubmittedCase(t), pathway.DecisionNegative, "2026-03-12")
	c, _ = mustDecide(t, c, teacher, nrmReconsideration(pathway.ReasonableGrounds), nrmAfter("2026-03-20"))
	answer := pathway.RecordNRMReconsiderationOutcome{Outcome: pathway.ReconsiderationUpheld, DecidedOn: "2026-04-01"}
	at := nrmAfter("2026-04-01")
	_, err := pathway.New(cat).Decide(c, nrmDoctor, answer, at)
	wantRefused(t, err, waymark.EFORBIDDEN, "", "Forward it to them")
	for _, actor := range []pathway.Actor{teacher, policeLead, frontDoor} {
		mustDecide(t, c, actor, answer, at)
	}
	for _, tc := range []struct{ name, field, says, outcome, day string }{
		{"no outcome", "outcome", "upheld or overturned", "", "2026-04-01"},
		{"before the request", "decidedOn", "cannot be before the request", "upheld", "2026-03-19"},
	} {
		_, err := pathway.New(cat).Decide(c, policeLead, pathway.RecordNRMReconsiderationOutcome{Outcome: tc.outcome, DecidedOn: tc.day}, at)
		wantRefused(t, err, waymark.EINVALID, tc.field, tc.says)
	}
}

// §8.10(3): entering the NRM makes the child eligible for an Independent Child Trafficking Guardian.
func TestICTGEligibilityStartsWithTheNRMReferral(t *testing.T) {
	if n := raisedCase(t).NRM; n.ICTGEligible() || !n.ICTGEligibleFrom().IsZero() {
		t.Fatal("eligible for an ICTG before the NRM referral")
	}
	n := nrmSubmittedCase(t).NRM
	if !n.ICTGEligible() || !n.ICTGEligibleFrom().Equal(now.Add(time.Hour)) {
		t.Fatalf("ICTG eligible %v from %s, want from the submission at %s", n.ICTGEligible(), n.ICTGEligibleFrom(), now.Add(time.Hour))
	}
	// A negative decision does not take eligibility away: it follows entry into the NRM.
	if n := nrmWithRG(t, nrmSubmittedCase(t), pathway.DecisionNegative, "2026-03-12").NRM; !n.ICTGEligible() {
		t.Fatal("a negative decision ended ICTG eligibility")
	}
}

func TestNRMStatusSaysWhereTheReferralStands(t *testing.T) {
	neg := nrmWithRG(t, nrmSubmittedCase(t), pathway.DecisionNegative, "2026-03-12")
	asked, _ := mustDecide(t, neg, teacher, nrmReconsideration(pathway.ReasonableGrounds), nrmAfter("2026-03-20"))
	for _, tc := range []struct {
		name string
		c    pathway.Case
		says string
	}{
		{"not submitted", raisedCase(t), "Not submitted"},
		{"submitted", nrmSubmittedCase(t), "waiting for the Reasonable Grounds decision"},
		{"positive RG", nrmWithRG(t, nrmSubmittedCase(t), pathway.DecisionPositive, "2026-03-12"), "waiting for the Conclusive Grounds decision"},
		{"negative RG", neg, "may ask for a reconsideration"},
		{"reconsideration", asked, "Reconsideration of the Reasonable Grounds decision requested"},
	} {
		if got := tc.c.NRM.Status(); !strings.Contains(got, tc.says) {
			t.Errorf("%s: status %q does not say %q", tc.name, got, tc.says)
		}
	}
}

func TestNRMTakesNoNewWorkOnAClosedCase(t *testing.T) {
	c, _ := mustDecide(t, raisedCase(t), frontDoor, pathway.CloseCase{NoNRMReason: "No indicators of exploitation after assessment.", Reason: "No further action", Monitoring: "None"}, now.Add(time.Hour))
	_, err := pathway.New(cat).Decide(c, policeLead, nrmSubmission(now.Add(2*time.Hour)), now.Add(2*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "", "Reopen it first")
}

// nrmHistory is a case taken through every NRM event.
func nrmHistory(t *testing.T) []pathway.Event {
	t.Helper()
	c := raisedCase(t)
	events := []pathway.Event{}
	step := func(actor pathway.Actor, cmd pathway.Command, at time.Time) {
		t.Helper()
		var e pathway.Event
		c, e = mustDecide(t, c, actor, cmd, at)
		events = append(events, e)
	}
	step(policeLead, nrmSubmission(now.Add(2*time.Hour)), now.Add(2*time.Hour))
	step(policeLead, pathway.RecordHomeOfficeReference{Reference: "NRM-1", ReceivedOn: "2026-03-11"}, nrmAfter("2026-03-11"))
	step(teacher, pathway.RecordNRMFurtherInformation{SentOn: "2026-03-12", Summary: "Attendance records"}, nrmAfter("2026-03-12"))
	step(policeLead, pathway.RecordReasonableGrounds{Outcome: pathway.DecisionNegative, DecidedOn: "2026-03-13"}, nrmAfter("2026-03-13"))
	step(teacher, nrmReconsideration(pathway.ReasonableGrounds), nrmAfter("2026-03-20"))
	step(policeLead, pathway.RecordNRMReconsiderationOutcome{Outcome: pathway.ReconsiderationOverturned, DecidedOn: "2026-04-01"}, nrmAfter("2026-04-01"))
	step(nrmDoctor, pathway.RecordNRMFurtherInformation{SentOn: "2026-04-02", Summary: "GP notes"}, nrmAfter("2026-04-02"))
	step(frontDoor, pathway.RecordConclusiveGrounds{Outcome: pathway.DecisionPositive, DecidedOn: "2026-05-02"}, nrmAfter("2026-05-02"))
	return events
}

// §7.5: what is stored is what was decided, and replaying the log gives the same case.
func TestNRMEventsRoundTripAndReplay(t *testing.T) {
	raised := raisedCase(t)
	history := nrmHistory(t)
	for _, e := range history {
		payload, err := pathway.EncodePayload(e)
		if err != nil {
			t.Fatal(err)
		}
		back := pathway.Event{CaseID: e.CaseID, Seq: e.Seq, Type: e.Type, At: e.At, Actor: e.Actor}
		if err := pathway.DecodePayload(&back, payload); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, e) {
			t.Fatalf("%s: round trip changed the event:\n got %+v\nwant %+v", e.Type, back, e)
		}
	}
	// Replaying from the start gives the state built step by step.
	stepwise := raised
	for _, e := range history {
		stepwise = pathway.Apply(stepwise, e)
	}
	if !reflect.DeepEqual(pathway.Replay(append([]pathway.Event{nrmRaiseEvent(t)}, history...)), stepwise) {
		t.Fatal("replaying the log does not give the state built step by step")
	}
}

func nrmRaiseEvent(t *testing.T) pathway.Event {
	t.Helper()
	_, e := mustDecide(t, pathway.Case{}, teacher, pathway.RaiseConcern{CaseID: "case-1", Concern: validConcern(), ChildrensServicesOrg: "org-cs"}, now)
	return e
}

// Apply is pure: a later event never changes a state already handed out.
func TestNRMApplyLeavesTheEarlierStateUnchanged(t *testing.T) {
	history := nrmHistory(t)
	c := pathway.Replay(append([]pathway.Event{nrmRaiseEvent(t)}, history[:5]...)) // up to the open reconsideration
	snapshot := pathway.Replay(append([]pathway.Event{nrmRaiseEvent(t)}, history[:5]...))
	for _, e := range history[5:] {
		pathway.Apply(c, e)
	}
	if !reflect.DeepEqual(c, snapshot) {
		t.Fatalf("applying later events changed the earlier state:\n got %+v\nwant %+v", c.NRM, snapshot.NRM)
	}
}

// §6.5: timeline lines say what happened, never what the evidence or the child said.
func TestNRMTimelineSummariesCarryNoEvidence(t *testing.T) {
	for _, e := range nrmHistory(t) {
		s := e.Summary()
		for _, secret := range []string{"Attendance records", "GP notes", "three addresses", "hear her account", "moved out of the county"} {
			if strings.Contains(s, secret) {
				t.Errorf("%s summary %q repeats %q", e.Type, s, secret)
			}
		}
		if s == "" || s == e.Type {
			t.Errorf("%s has no summary", e.Type)
		}
	}
}
