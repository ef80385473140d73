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

// People of the multi-agency meeting tests, beside those of pathway_test.go.
var (
	mtgSocialWorker = pathway.Actor{
		Party:               pathway.Party{UserID: "user-sw", Name: "Sam Social", OrgID: "org-cs", OrgName: "Northshire Children's Services"},
		Role:                pathway.RoleSocialWorker,
		InChildrensServices: true,
		InFirstResponderOrg: true,
	}
	mtgManager = pathway.Actor{
		Party:               pathway.Party{UserID: "user-manager", Name: "Mo Manager", OrgID: "org-cs", OrgName: "Northshire Children's Services"},
		Role:                pathway.RoleManager,
		InChildrensServices: true,
		InFirstResponderOrg: true,
	}
	mtgPartnershipLead = pathway.Actor{
		Party: pathway.Party{UserID: "user-lead", Name: "Pip Partnership", OrgID: "org-partnership", OrgName: "Northshire Safeguarding Children Partnership"},
		Role:  pathway.RolePartnershipLead,
	}
	mtgGP = pathway.Actor{
		Party: pathway.Party{UserID: "user-gp", Name: "Dee Doctor", OrgID: "org-gp", OrgName: "Riverside GP Practice"},
		Role:  pathway.RolePractitioner,
	}
	mtgPoliceOrg = pathway.LeadOrganisation{ID: "org-police", Name: "Northshire Police", FirstResponder: true}
	mtgSchoolOrg = pathway.LeadOrganisation{ID: "org-school", Name: "Northfield Academy"}
)

func mtgBool(b bool) *bool { return &b }

// mtgConvene is a STRAT meeting that began an hour ago, inviting the police
// and the teacher who raised the concern (not a First Responder: annex).
func mtgConvene() pathway.ConveneMeeting {
	return pathway.ConveneMeeting{
		Kind: pathway.MeetingStrategy, ScheduledFor: now.Add(-time.Hour),
		InviteeEmails: []string{"first.responder@police.example", "dsl@northfield.example"},
		Invitees:      []pathway.Party{policeLead.Party, teacher.Party},
	}
}

// mtgRecord is what a meeting agreed: submit, led by the police. The social
// worker and the police officer invited attended, chosen as the pages choose
// them and resolved as the use case resolves them (mtgStaff).
func mtgRecord(meetingID string) pathway.RecordMeetingHeld {
	return pathway.RecordMeetingHeld{
		MeetingID:   meetingID,
		AttendeeIDs: []string{pathway.AttendeeUser(mtgSocialWorker.UserID), pathway.AttendeeUser(policeLead.UserID)},
		Staff:       mtgStaff(map[string]pathway.MeetingRoles{policeLead.UserID: {Police: true}}, mtgSocialWorker.Party, policeLead.Party),
		NRMDecision: pathway.NRMSubmit, LeadOrgID: mtgPoliceOrg.ID, LeadOrg: mtgPoliceOrg,
		ChildProtectionConference: mtgBool(true), ChildProtectionPlan: mtgBool(false), InformationSharedWithPolice: mtgBool(true),
		Notes: "Police to lead the NRM.",
	}
}

func mtgAction(meetingID string) pathway.AddMeetingAction {
	return pathway.AddMeetingAction{
		MeetingID: meetingID, Text: "Check the address where the child was collected", OwnerEmail: "first.responder@police.example",
		Owner: policeLead.Party, DueOn: "2026-03-20", ContactsFamily: mtgBool(false),
	}
}

// mtgConvened is an outcome-given case with a meeting convened.
func mtgConvened(t *testing.T, changes ...func(*pathway.Concern)) (pathway.Case, string) {
	t.Helper()
	concern := validConcern()
	for _, ch := range changes {
		ch(&concern)
	}
	c, _ := mustDecide(t, pathway.Case{}, teacher, pathway.RaiseConcern{CaseID: "case-1", Concern: concern, ChildrensServicesOrg: "org-cs"}, now)
	c, _ = mustDecide(t, c, frontDoor, pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone"}, now)
	c, _ = mustDecide(t, c, frontDoor, pathway.RecordOutcome{Decision: "multi-agency-meeting", NextStep: "STRAT meeting tomorrow"}, now)
	c, e := mustDecide(t, c, mtgSocialWorker, mtgConvene(), now)
	return c, e.Data.(pathway.MeetingConvened).MeetingID
}

// mtgHeld is a case whose meeting agreed to submit, led by the police.
func mtgHeld(t *testing.T, changes ...func(*pathway.Concern)) (pathway.Case, string) {
	t.Helper()
	c, id := mtgConvened(t, changes...)
	c, _ = mustDecide(t, c, mtgSocialWorker, mtgRecord(id), now.Add(25*time.Hour))
	return c, id
}

func hasMember(ms []pathway.Member, want pathway.Member) bool { return slices.Contains(ms, want) }

// §6.8: the social worker convenes the meeting, with their supervising manager.
func TestMeetingIsConvenedByTheSocialWorkerOrTheirManager(t *testing.T) {
	c, _ := mtgConvened(t)
	for _, actor := range []pathway.Actor{frontDoor, policeLead, teacher, mtgPartnershipLead} {
		t.Run(actor.Name, func(t *testing.T) {
			_, err := pathway.New(cat).Decide(c, actor, mtgConvene(), now)
			wantRefused(t, err, waymark.EFORBIDDEN, "", "social worker", "§6.8")
			_, err = pathway.New(cat).Decide(c, actor, mtgRecord(""), now.Add(25*time.Hour))
			wantRefused(t, err, waymark.EFORBIDDEN, "", "social worker")
		})
	}
	mustDecide(t, c, mtgManager, mtgConvene(), now)
	mustDecide(t, c, mtgManager, mtgRecord(""), now.Add(25*time.Hour))
}

// §6.8, annex: everyone invited joins the case, the referrer who is not a
// First Responder included, and sees the meeting.
func TestInviteesBecomeMembersAndSeeTheirMeeting(t *testing.T) {
	c, _ := mtgConvened(t)
	ms := pathway.Members(c)
	if !hasMember(ms, pathway.Member{Kind: "user", ID: policeLead.UserID, Role: pathway.MemberInvitee}) ||
		!hasMember(ms, pathway.Member{Kind: "user", ID: teacher.UserID, Role: pathway.MemberInvitee}) {
		t.Fatalf("members %+v do not include both invitees", ms)
	}
	if hasMember(ms, pathway.Member{Kind: "user", ID: mtgGP.UserID, Role: pathway.MemberInvitee}) {
		t.Fatal("someone not invited became a member")
	}

	invitee := pathway.Membership{Roles: []string{pathway.MemberInvitee}}
	referrer := pathway.Membership{Roles: []string{pathway.MemberReferrer}}
	var convened pathway.Event
	events := []pathway.Event{}
	c2, e := mustDecide(t, c, mtgSocialWorker, mtgRecord(""), now.Add(25*time.Hour))
	events = append(events, e)
	_, e = mustDecide(t, c2, mtgSocialWorker, mtgAction(""), now.Add(25*time.Hour))
	events = append(events, e)
	_, convened = mustDecide(t, c, mtgSocialWorker, mtgConvene(), now) // a second meeting, same invitees
	events = append(events, convened)
	for _, e := range events {
		if !pathway.VisibleTo(e, invitee, policeLead.UserID) {
			t.Errorf("the invited police officer does not see %s", e.Type)
		}
		// The referrer's only row may be "referrer": they still see the meeting they were invited to.
		if !pathway.VisibleTo(e, referrer, teacher.UserID) {
			t.Errorf("the invited referrer does not see %s", e.Type)
		}
		if pathway.VisibleTo(e, invitee, mtgGP.UserID) {
			t.Errorf("someone not invited sees %s", e.Type)
		}
	}
	note := pathway.Event{Type: pathway.EventNoteAdded, Actor: mtgSocialWorker.Party, Data: pathway.NoteAdded{Text: "internal"}}
	if pathway.VisibleTo(note, invitee, policeLead.UserID) {
		t.Error("an invitee sees the team's own notes (§6.5)")
	}
}

func TestConveneMeetingNeedsKindTimeAndInvitees(t *testing.T) {
	c, _ := mtgConvened(t)
	for _, tc := range []struct {
		field  string
		change func(*pathway.ConveneMeeting)
		says   string
	}{
		{"kind", func(m *pathway.ConveneMeeting) { m.Kind = "coffee" }, "STRAT or a MARM"},
		{"scheduledFor", func(m *pathway.ConveneMeeting) { m.ScheduledFor = time.Time{} }, "date and time"},
		{"scheduledFor", func(m *pathway.ConveneMeeting) { m.ScheduledFor = now.AddDate(0, 0, -31) }, "30 days"},
		{"scheduledFor", func(m *pathway.ConveneMeeting) { m.ScheduledFor = now.AddDate(0, 7, 0) }, "6 months"},
		{"inviteeEmails", func(m *pathway.ConveneMeeting) { m.InviteeEmails, m.Invitees = nil, nil }, "at least one person"},
	} {
		t.Run(tc.field+" "+tc.says, func(t *testing.T) {
			cmd := mtgConvene()
			tc.change(&cmd)
			_, err := pathway.New(cat).Decide(c, mtgSocialWorker, cmd, now)
			wantRefused(t, err, waymark.EINVALID, tc.field, tc.says)
		})
	}
}

// §8.2, §8.5, annex: only a designated First Responder organisation can
// submit the NRM referral, so only one can lead it.
func TestOnlyAFirstResponderOrganisationCanLeadTheNRM(t *testing.T) {
	c, id := mtgConvened(t)
	cmd := mtgRecord(id)
	cmd.LeadOrgID, cmd.LeadOrg = mtgSchoolOrg.ID, mtgSchoolOrg
	_, err := pathway.New(cat).Decide(c, mtgSocialWorker, cmd, now)
	wantRefused(t, err, waymark.EINVALID, "leadOrgId", "Northfield Academy is not a designated First Responder", "§8.2")

	cmd.LeadOrgID, cmd.LeadOrg = "", pathway.LeadOrganisation{}
	_, err = pathway.New(cat).Decide(c, mtgSocialWorker, cmd, now)
	wantRefused(t, err, waymark.EINVALID, "leadOrgId", "lead First Responder")

	held, _ := mustDecide(t, c, mtgSocialWorker, mtgRecord(id), now.Add(25*time.Hour))
	if !hasMember(pathway.Members(held), pathway.Member{Kind: "org", ID: mtgPoliceOrg.ID, Role: pathway.MemberFirstResponder}) {
		t.Fatalf("the lead First Responder organisation is not a member: %+v", pathway.Members(held))
	}

	// No referral to submit: no lead is kept even if one was chosen.
	cmd = mtgRecord(id)
	cmd.NRMDecision = pathway.NRMDoNotSubmit
	c2, _ := mustDecide(t, c, mtgSocialWorker, cmd, now)
	if r := c2.Meetings.Meetings[0].Held; r.LeadOrgID != "" {
		t.Fatalf("lead %q kept for a meeting that decided not to submit", r.LeadOrgID)
	}
}

func TestMeetingRecordNeedsAttendeesADecisionAndEveryYesNoAnswer(t *testing.T) {
	c, id := mtgConvened(t)
	for _, tc := range []struct {
		field  string
		change func(*pathway.RecordMeetingHeld)
	}{
		{"attendeeIds", func(r *pathway.RecordMeetingHeld) { r.AttendeeIDs, r.Attendees = nil, []string{" ", ""} }},
		{"nrmDecision", func(r *pathway.RecordMeetingHeld) { r.NRMDecision = "maybe" }},
		{"childProtectionConference", func(r *pathway.RecordMeetingHeld) { r.ChildProtectionConference = nil }},
		{"childProtectionPlan", func(r *pathway.RecordMeetingHeld) { r.ChildProtectionPlan = nil }},
		{"informationSharedWithPolice", func(r *pathway.RecordMeetingHeld) { r.InformationSharedWithPolice = nil }},
		{"notes", func(r *pathway.RecordMeetingHeld) { r.Notes = strings.Repeat("n", pathway.MaxNarrative+1) }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			cmd := mtgRecord(id)
			tc.change(&cmd)
			_, err := pathway.New(cat).Decide(c, mtgSocialWorker, cmd, now)
			wantRefused(t, err, waymark.EINVALID, tc.field)
		})
	}
}

func TestWhatAMeetingAgreedIsRecordedOnce(t *testing.T) {
	c, id := mtgHeld(t)
	_, err := pathway.New(cat).Decide(c, mtgSocialWorker, mtgRecord(id), now.Add(26*time.Hour))
	wantRefused(t, err, waymark.ECONFLICT, "", "already recorded", "Convene a new meeting")
	// With no meeting named, there is none waiting to be recorded.
	_, err = pathway.New(cat).Decide(c, mtgSocialWorker, mtgRecord(""), now.Add(26*time.Hour))
	wantRefused(t, err, waymark.ECONFLICT, "", "Convene a new meeting")
	// Nor before any meeting was convened.
	_, err = pathway.New(cat).Decide(raisedCase(t), mtgSocialWorker, mtgRecord(""), now.Add(25*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "", "No multi-agency meeting has been convened yet")
}

// §8.5, annex step 3: the NRM area reads the decision the meeting (or a
// later escalation) reached, with the lead First Responder.
func TestNRMDecisionIsTheLatestMeetingOrEscalationThatDecided(t *testing.T) {
	c, _ := mtgConvened(t)
	if decided, _, _ := c.Meetings.NRMDecision(); decided {
		t.Fatal("decided before any meeting was held")
	}
	c, _ = mustDecide(t, c, mtgSocialWorker, mtgRecord(""), now.Add(25*time.Hour))
	if decided, submit, lead := c.Meetings.NRMDecision(); !decided || !submit || lead != "org-police" {
		t.Fatalf("after a meeting agreed to submit: %v %v %q", decided, submit, lead)
	}
	// A review meeting that does not decide leaves the decision as it was.
	c, _ = mustDecide(t, c, mtgSocialWorker, mtgConvene(), now)
	undecided := mtgRecord("")
	undecided.NRMDecision = pathway.NRMNotDecided
	c, _ = mustDecide(t, c, mtgSocialWorker, undecided, now)
	if decided, submit, lead := c.Meetings.NRMDecision(); !decided || !submit || lead != "org-police" {
		t.Fatalf("after an undecided review: %v %v %q", decided, submit, lead)
	}
	// A later meeting that decides otherwise wins.
	c, _ = mustDecide(t, c, mtgSocialWorker, mtgConvene(), now)
	no := mtgRecord("")
	no.NRMDecision = pathway.NRMDoNotSubmit
	c, _ = mustDecide(t, c, mtgSocialWorker, no, now)
	if decided, submit, lead := c.Meetings.NRMDecision(); !decided || submit || lead != "" {
		t.Fatalf("after a meeting decided not to submit: %v %v %q", decided, submit, lead)
	}
	// The teacher disagrees (§8.5); an open escalation does not change the decision.
	c, _ = mustDecide(t, c, teacher, pathway.RaiseEscalation{Reason: "The indicators meet the threshold.", PartnershipLeads: []pathway.Party{mtgPartnershipLead.Party}}, now)
	if decided, submit, _ := c.Meetings.NRMDecision(); !decided || submit {
		t.Fatal("an open escalation changed the decision")
	}
	// Resolved: submit, led by the organisation the first meeting named.
	c, _ = mustDecide(t, c, mtgManager, pathway.ResolveEscalation{Outcome: pathway.EscalationSubmit, Note: "Agreed at manager level."}, now)
	if decided, submit, lead := c.Meetings.NRMDecision(); !decided || !submit || lead != "org-police" {
		t.Fatalf("after the escalation was resolved to submit: %v %v %q", decided, submit, lead)
	}
}

func TestEscalationResolvedToSubmitNeedsAFirstResponderLead(t *testing.T) {
	c, id := mtgConvened(t)
	no := mtgRecord(id)
	no.NRMDecision = pathway.NRMDoNotSubmit
	c, _ = mustDecide(t, c, mtgSocialWorker, no, now)
	c, _ = mustDecide(t, c, teacher, pathway.RaiseEscalation{Reason: "Disagree."}, now)
	resolve := pathway.ResolveEscalation{Outcome: pathway.EscalationSubmit, Note: "Agreed."}
	_, err := pathway.New(cat).Decide(c, mtgManager, resolve, now)
	wantRefused(t, err, waymark.EINVALID, "leadOrgId", "No lead First Responder organisation has been named")
	resolve.LeadOrgID, resolve.LeadOrg = mtgSchoolOrg.ID, mtgSchoolOrg
	_, err = pathway.New(cat).Decide(c, mtgManager, resolve, now)
	wantRefused(t, err, waymark.EINVALID, "leadOrgId", "not a designated First Responder")
	resolve.LeadOrgID, resolve.LeadOrg = mtgPoliceOrg.ID, mtgPoliceOrg
	c, _ = mustDecide(t, c, mtgManager, resolve, now)
	if _, _, lead := c.Meetings.NRMDecision(); lead != "org-police" {
		t.Fatalf("lead = %q", lead)
	}
	if !hasMember(pathway.Members(c), pathway.Member{Kind: "org", ID: "org-police", Role: pathway.MemberFirstResponder}) {
		t.Fatal("the lead named by the escalation is not a member")
	}
}

// §6.8 a–j: the meeting considers every power on the procedure's list.
func TestDisruptionPowersAreTheProcedureList(t *testing.T) {
	powers := pathway.DisruptionPowers()
	if len(powers) != 10 {
		t.Fatalf("%d powers, want the ten of §6.8 a–j", len(powers))
	}
	for i, want := range []string{"Drug Dealing Telecommunications Restriction Order", "Criminal Behaviour Order", "Serious Crime Prevention Order",
		"Recovery Order", "Child Abduction Warning Notice", "Sexual Harm Prevention Order", "Sexual Risk Order", "Civil injunction",
		"Slavery and Trafficking Risk Order", "Gang injunction"} {
		if !strings.HasPrefix(powers[i].Text, want) || powers[i].Section != "§6.8("+string(rune('a'+i))+")" {
			t.Errorf("power %d is %q %s, want %q §6.8(%c)", i, powers[i].Text, powers[i].Section, want, 'a'+i)
		}
	}
}

func TestPowersAreRecordedAgainstAHeldMeeting(t *testing.T) {
	convened, id := mtgConvened(t)
	cmd := pathway.RecordDisruptionPower{MeetingID: id, Power: "cawn", Outcome: "to-apply", Reason: "Adult seen collecting her."}
	_, err := pathway.New(cat).Decide(convened, mtgSocialWorker, cmd, now)
	wantRefused(t, err, waymark.EINVALID, "", "Record what the STRAT meeting")

	c, _ := mtgHeld(t)
	for _, tc := range []struct {
		field  string
		change func(*pathway.RecordDisruptionPower)
	}{
		{"power", func(p *pathway.RecordDisruptionPower) { p.Power = "asbo" }},
		{"outcome", func(p *pathway.RecordDisruptionPower) { p.Outcome = "pending" }},
		{"reason", func(p *pathway.RecordDisruptionPower) { p.Reason = "  " }},
	} {
		bad := cmd
		tc.change(&bad)
		_, err := pathway.New(cat).Decide(c, mtgSocialWorker, bad, now)
		wantRefused(t, err, waymark.EINVALID, tc.field)
	}
	_, err = pathway.New(cat).Decide(c, teacher, cmd, now)
	wantRefused(t, err, waymark.EFORBIDDEN, "")

	c, _ = mustDecide(t, c, mtgSocialWorker, cmd, now)
	granted := cmd
	granted.Outcome = "granted"
	c, _ = mustDecide(t, c, mtgSocialWorker, granted, now.Add(72*time.Hour))
	ps := c.Meetings.Meetings[0].Powers
	if len(ps) != 1 || ps[0].Outcome != "granted" || ps[0].Section() != "§6.8(e)" {
		t.Fatalf("powers = %+v, want the CAWN once, granted", ps)
	}
}

// annex, §1.2: when the family may be the exploiters, no action contacts them.
func TestActionThatContactsTheFamilyIsRefusedWhileTheFamilyIsSuspected(t *testing.T) {
	suspected, id := mtgHeld(t, func(c *pathway.Concern) { c.FamilySuspected = true })
	cmd := mtgAction(id)
	cmd.ContactsFamily = mtgBool(true)
	_, err := pathway.New(cat).Decide(suspected, mtgSocialWorker, cmd, now)
	wantRefused(t, err, waymark.EINVALID, "contactsFamily", "suspected", "police and Children's Services", "annex, §1.2")

	cmd.ContactsFamily = mtgBool(false)
	mustDecide(t, suspected, mtgSocialWorker, cmd, now)

	notSuspected, id := mtgHeld(t)
	cmd = mtgAction(id)
	cmd.ContactsFamily = mtgBool(true)
	mustDecide(t, notSuspected, mtgSocialWorker, cmd, now)

	cmd.ContactsFamily = nil
	_, err = pathway.New(cat).Decide(notSuspected, mtgSocialWorker, cmd, now)
	wantRefused(t, err, waymark.EINVALID, "contactsFamily", "contacting the child's family or carers")
}

// §6.5: an action goes only to someone who already has need to know.
func TestActionOwnerMustAlreadyBeAMemberOfTheCase(t *testing.T) {
	c, id := mtgHeld(t)
	cmd := mtgAction(id)
	cmd.OwnerEmail, cmd.Owner = "doctor@riverside.example", mtgGP.Party
	_, err := pathway.New(cat).Decide(c, mtgSocialWorker, cmd, now)
	wantRefused(t, err, waymark.EINVALID, "ownerEmail", "Dee Doctor is not a member", "§6.5")
	// A Children's Services colleague is a member through the team.
	cmd.OwnerEmail, cmd.Owner = "manager@cs.example", mtgManager.Party
	mustDecide(t, c, mtgSocialWorker, cmd, now)
}

func TestActionNeedsTextAnOwnerAndADueDateFromToday(t *testing.T) {
	c, id := mtgHeld(t)
	for _, tc := range []struct {
		field, says string
		change      func(*pathway.AddMeetingAction)
	}{
		{"text", "what is to be done", func(a *pathway.AddMeetingAction) { a.Text = "" }},
		{"ownerEmail", "email address", func(a *pathway.AddMeetingAction) { a.OwnerEmail, a.Owner = "", pathway.Party{} }},
		{"dueOn", "Enter the date", func(a *pathway.AddMeetingAction) { a.DueOn = "" }},
		{"dueOn", "real date", func(a *pathway.AddMeetingAction) { a.DueOn = "2026-02-30" }},
		{"dueOn", "today or later", func(a *pathway.AddMeetingAction) { a.DueOn = "2026-03-09" }},
		{"dueOn", "within a year", func(a *pathway.AddMeetingAction) { a.DueOn = "2027-06-01" }},
	} {
		t.Run(tc.says, func(t *testing.T) {
			cmd := mtgAction(id)
			tc.change(&cmd)
			_, err := pathway.New(cat).Decide(c, mtgSocialWorker, cmd, now)
			wantRefused(t, err, waymark.EINVALID, tc.field, tc.says)
		})
	}
	// Due today is allowed: the day is not over.
	today := mtgAction(id)
	today.DueOn = "2026-03-10"
	mustDecide(t, c, mtgSocialWorker, today, now)
}

// §6.8: each action starts a clock owned by its owner, due when its due
// date is over in London (GMT in March, BST in June).
func TestMeetingActionClockIsOwnedAndDueAtTheEndOfTheDueDateInLondon(t *testing.T) {
	for _, tc := range []struct {
		dueOn string
		want  time.Time
	}{
		{"2026-03-20", time.Date(2026, 3, 20, 23, 59, 59, 0, time.UTC)},
		{"2026-06-01", time.Date(2026, 6, 1, 22, 59, 59, 0, time.UTC)},
	} {
		t.Run(tc.dueOn, func(t *testing.T) {
			c, id := mtgHeld(t)
			cmd := mtgAction(id)
			cmd.DueOn = tc.dueOn
			c, _ = mustDecide(t, c, mtgSocialWorker, cmd, now)
			cl := clockOf(t, c, pathway.ClockMeetingAction)
			if !cl.StartedAt.Equal(now) || !cl.DueAt.Equal(tc.want) {
				t.Fatalf("clock runs %s → %s, want %s → %s", cl.StartedAt, cl.DueAt, now, tc.want)
			}
			if cl.OwnerUserID != policeLead.UserID || cl.OwnerName != policeLead.Name || cl.Section != "§6.8" {
				t.Fatalf("clock owner %q %q section %q", cl.OwnerUserID, cl.OwnerName, cl.Section)
			}
			if cl.Status(tc.want) != pathway.ClockRunning || cl.Status(tc.want.Add(time.Second)) != pathway.ClockOverdue {
				t.Fatal("the clock is not running to the last second of the due date")
			}
			if strings.Contains(cl.Label, cmd.Text) {
				t.Fatalf("clock label %q shows the action's text on every list", cl.Label)
			}
		})
	}
}

func TestCompletingAnActionStopsItsClock(t *testing.T) {
	c, id := mtgHeld(t)
	c, e := mustDecide(t, c, mtgSocialWorker, mtgAction(id), now)
	actionID := e.Data.(pathway.MeetingActionAdded).ActionID

	_, err := pathway.New(cat).Decide(c, teacher, pathway.CompleteMeetingAction{ActionID: actionID}, now)
	wantRefused(t, err, waymark.EFORBIDDEN, "", "Pat Police, who owns this action")
	_, err = pathway.New(cat).Decide(c, policeLead, pathway.CompleteMeetingAction{ActionID: "action-999"}, now)
	wantRefused(t, err, waymark.EINVALID, "actionId")

	doneAt := now.Add(48 * time.Hour)
	done, _ := mustDecide(t, c, policeLead, pathway.CompleteMeetingAction{ActionID: actionID, Note: "Address visited."}, doneAt)
	cl := clockOf(t, done, pathway.ClockMeetingAction)
	if cl.Running() || !cl.StoppedAt.Equal(doneAt) || cl.Status(doneAt) != pathway.ClockMet {
		t.Fatalf("clock after done: %+v", cl)
	}
	if a, _ := done.Meetings.Action(actionID); !a.Done() || a.DoneNote != "Address visited." || a.DoneBy.UserID != policeLead.UserID {
		t.Fatalf("action after done: %+v", a)
	}
	_, err = pathway.New(cat).Decide(done, policeLead, pathway.CompleteMeetingAction{ActionID: actionID}, doneAt)
	wantRefused(t, err, waymark.ECONFLICT, "", "already marked done")

	// The social worker may mark anyone's action done.
	mustDecide(t, c, mtgSocialWorker, pathway.CompleteMeetingAction{ActionID: actionID}, doneAt)
}

// §8.6: while a disagreement is escalated the partnership lead has need to
// know; once it is resolved they leave the case.
func TestPartnershipLeadIsAMemberOnlyWhileAnEscalationIsOpen(t *testing.T) {
	c, _ := mtgHeld(t)
	lead := pathway.Member{Kind: "user", ID: mtgPartnershipLead.UserID, Role: pathway.MemberPartnership}
	if hasMember(pathway.Members(c), lead) {
		t.Fatal("partnership lead is a member before any escalation")
	}
	c, _ = mustDecide(t, c, teacher, pathway.RaiseEscalation{Reason: "The school disagrees.", PartnershipLeads: []pathway.Party{mtgPartnershipLead.Party}}, now)
	if !hasMember(pathway.Members(c), lead) || c.Flags(now).OpenEscalations != 1 {
		t.Fatalf("while open: members %+v, open escalations %d", pathway.Members(c), c.Flags(now).OpenEscalations)
	}
	// A person holds every role they are given (§6.5): a partnership lead
	// who was also invited to a meeting keeps the partnership's full view.
	invitesLead := mtgConvene()
	invitesLead.InviteeEmails = append(invitesLead.InviteeEmails, "lead@partnership.example")
	invitesLead.Invitees = append(invitesLead.Invitees, mtgPartnershipLead.Party)
	both, _ := mustDecide(t, c, mtgSocialWorker, invitesLead, now)
	invitee := lead
	invitee.Role = pathway.MemberInvitee
	if !hasMember(pathway.Members(both), lead) || !hasMember(pathway.Members(both), invitee) {
		t.Fatalf("the partnership lead also invited holds %+v, want both roles", pathway.Members(both))
	}
	c, _ = mustDecide(t, c, teacher, pathway.ResolveEscalation{Outcome: pathway.EscalationOtherResolution, Note: "We now agree."}, now)
	if hasMember(pathway.Members(c), lead) || c.Flags(now).OpenEscalations != 0 {
		t.Fatal("partnership lead still a member after the escalation was resolved")
	}
}

// §8.6: practitioners and line managers, then senior managers, then the
// partnership: three steps and no further.
func TestEscalationClimbsThreeLevelsAndNoFurther(t *testing.T) {
	c, _ := mtgHeld(t)
	c, _ = mustDecide(t, c, teacher, pathway.RaiseEscalation{Reason: "Disagree."}, now)
	if e := c.Meetings.Escalations[0]; e.Level != pathway.EscalationPractitioners {
		t.Fatalf("raised at level %d", e.Level)
	}
	_, err := pathway.New(cat).Decide(c, teacher, pathway.EscalateFurther{Note: ""}, now)
	wantRefused(t, err, waymark.EINVALID, "note")
	c, _ = mustDecide(t, c, teacher, pathway.EscalateFurther{Note: "Line managers could not agree."}, now.Add(time.Hour))
	c, _ = mustDecide(t, c, mtgManager, pathway.EscalateFurther{Note: "Senior managers could not agree."}, now.Add(2*time.Hour))
	e := c.Meetings.Escalations[0]
	if e.Level != pathway.EscalationPartnership || !e.LevelSince.Equal(now.Add(2*time.Hour)) || len(e.Steps) != 2 {
		t.Fatalf("escalation after two moves: %+v", e)
	}
	_, err = pathway.New(cat).Decide(c, teacher, pathway.EscalateFurther{Note: "Again."}, now)
	wantRefused(t, err, waymark.EINVALID, "", "last step", "§8.6")
}

// §8.6: once with the partnership, only the partnership lead settles it.
func TestOnlyThePartnershipLeadResolvesAtTheLastStep(t *testing.T) {
	c, _ := mtgHeld(t)
	c, _ = mustDecide(t, c, teacher, pathway.RaiseEscalation{Reason: "Disagree.", PartnershipLeads: []pathway.Party{mtgPartnershipLead.Party}}, now)
	atOne := c
	c, _ = mustDecide(t, c, teacher, pathway.EscalateFurther{Note: "Not settled."}, now)
	c, _ = mustDecide(t, c, teacher, pathway.EscalateFurther{Note: "Not settled."}, now)
	resolve := pathway.ResolveEscalation{Outcome: pathway.EscalationDoNotSubmit, Note: "Partnership decided."}
	for _, actor := range []pathway.Actor{teacher, mtgSocialWorker, mtgManager} {
		_, err := pathway.New(cat).Decide(c, actor, resolve, now)
		wantRefused(t, err, waymark.EFORBIDDEN, "", "only the partnership lead")
	}
	mustDecide(t, c, mtgPartnershipLead, resolve, now)
	// At the first step the people who disagree settle it themselves.
	mustDecide(t, atOne, teacher, resolve, now)
}

func TestEscalationNeedsAReasonAndOneOpenPerPerson(t *testing.T) {
	c, _ := mtgHeld(t)
	_, err := pathway.New(cat).Decide(c, teacher, pathway.RaiseEscalation{Reason: " "}, now)
	wantRefused(t, err, waymark.EINVALID, "reason", "disagree")
	c, _ = mustDecide(t, c, teacher, pathway.RaiseEscalation{Reason: "Disagree."}, now)
	_, err = pathway.New(cat).Decide(c, teacher, pathway.RaiseEscalation{Reason: "Still disagree."}, now)
	wantRefused(t, err, waymark.ECONFLICT, "", "already have an escalation open", "level 1")
	// Someone else may raise their own.
	c, _ = mustDecide(t, c, policeLead, pathway.RaiseEscalation{Reason: "The police disagree too."}, now)
	// With two open, a command must say which.
	_, err = pathway.New(cat).Decide(c, teacher, pathway.EscalateFurther{Note: "Not settled."}, now)
	wantRefused(t, err, waymark.EINVALID, "escalationId", "more than one is open")
}

// §6.5: only those involved in the case take part in its escalation.
func TestSomeoneOutsideTheCaseCannotEscalate(t *testing.T) {
	c, _ := mtgHeld(t)
	_, err := pathway.New(cat).Decide(c, mtgGP, pathway.RaiseEscalation{Reason: "Disagree."}, now)
	wantRefused(t, err, waymark.EFORBIDDEN, "", "involved in the case")
}

// The escalation's raiser follows it; the reason stays off the timeline line.
func TestEscalationStepsAreSharedWithWhoeverRaisedIt(t *testing.T) {
	c, _ := mtgHeld(t)
	c, raised := mustDecide(t, c, teacher, pathway.RaiseEscalation{Reason: "Confidential reasoning about the uncle."}, now)
	_, moved := mustDecide(t, c, mtgManager, pathway.EscalateFurther{Note: "Not settled."}, now)
	_, resolved := mustDecide(t, c, mtgManager, pathway.ResolveEscalation{Outcome: pathway.EscalationOtherResolution, Note: "Agreed."}, now)
	referrer := pathway.Membership{Roles: []string{pathway.MemberReferrer}}
	for _, e := range []pathway.Event{raised, moved, resolved} {
		if !pathway.VisibleTo(e, referrer, teacher.UserID) {
			t.Errorf("the teacher who escalated does not see %s", e.Type)
		}
		if pathway.VisibleTo(e, referrer, mtgGP.UserID) {
			t.Errorf("someone else sees %s", e.Type)
		}
		if strings.Contains(e.Summary(), "uncle") {
			t.Errorf("timeline line %q shows the reason", e.Summary())
		}
	}
}

func TestAClosedCaseTakesNoNewMeeting(t *testing.T) {
	c, _ := mtgHeld(t)
	c, _ = mustDecide(t, c, frontDoor, pathway.CloseCase{NoNRMReason: "No indicators of exploitation after assessment.", Reason: "Settled.", Monitoring: "School monitors attendance."}, now)
	_, err := pathway.New(cat).Decide(c, mtgSocialWorker, mtgConvene(), now)
	wantRefused(t, err, waymark.EINVALID, "", "closed")
}

// mtgHistory takes a case through every event of this area.
func mtgHistory(t *testing.T) []pathway.Event {
	t.Helper()
	var events []pathway.Event
	c := pathway.Case{}
	concern := validConcern()
	var e pathway.Event
	step := func(actor pathway.Actor, cmd pathway.Command, at time.Time) {
		t.Helper()
		c, e = mustDecide(t, c, actor, cmd, at)
		events = append(events, e)
	}
	step(teacher, pathway.RaiseConcern{CaseID: "case-1", Concern: concern, ChildrensServicesOrg: "org-cs"}, now)
	step(frontDoor, pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone"}, now)
	step(mtgSocialWorker, mtgConvene(), now.Add(time.Hour))
	step(mtgSocialWorker, mtgRecord(""), now.Add(25*time.Hour))
	step(mtgSocialWorker, pathway.RecordDisruptionPower{Power: "cawn", Outcome: "to-apply", Reason: "Adult seen collecting her."}, now.Add(25*time.Hour))
	step(mtgSocialWorker, mtgAction(""), now.Add(25*time.Hour))
	step(policeLead, pathway.CompleteMeetingAction{ActionID: e.Data.(pathway.MeetingActionAdded).ActionID, Note: "Done."}, now.Add(30*time.Hour))
	step(teacher, pathway.RaiseEscalation{Reason: "Disagree.", PartnershipLeads: []pathway.Party{mtgPartnershipLead.Party}}, now.Add(31*time.Hour))
	step(teacher, pathway.EscalateFurther{Note: "Not settled."}, now.Add(32*time.Hour))
	step(mtgManager, pathway.ResolveEscalation{Outcome: pathway.EscalationSubmit, Note: "Agreed."}, now.Add(33*time.Hour))
	return events
}

// §7.5: what is stored is what was decided, and replay rebuilds the state;
// Apply never changes a state kept from before.
func TestMeetingEventsRoundTripReplayAndLeaveEarlierStatesAlone(t *testing.T) {
	events := mtgHistory(t)
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
			t.Fatalf("%s round trip changed the event:\n got %+v\nwant %+v", e.Type, back, e)
		}
	}
	var stepwise pathway.Case
	for i, e := range events {
		before := pathway.Replay(events[:i])
		kept := pathway.Replay(events[:i])
		stepwise = pathway.Apply(stepwise, e)
		_ = pathway.Apply(kept, e)
		if !reflect.DeepEqual(kept, before) {
			t.Fatalf("applying %s changed the earlier state", e.Type)
		}
		if got := pathway.Replay(events[:i+1]); !reflect.DeepEqual(got, stepwise) {
			t.Fatalf("replay differs from stepwise apply after %s", e.Type)
		}
	}
	m := stepwise.Meetings
	if len(m.Meetings) != 1 || m.Meetings[0].Held == nil || len(m.Meetings[0].Powers) != 1 || len(m.Actions) != 1 || !m.Actions[0].Done() ||
		len(m.Escalations) != 1 || m.Escalations[0].Open() || m.Escalations[0].Level != 2 {
		t.Fatalf("final meeting state: %+v", m)
	}
}
