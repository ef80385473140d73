package pathway_test

import (
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// Two areas' Children's Services teams: the earlier case was raised in
// Northshire, the new concern arrives in Southshire under another name
// (§4.3, §7.1).
var (
	southFrontDoor = pathway.Actor{
		Party:               pathway.Party{UserID: "user-south-cs", Name: "Sol South", OrgID: "org-south-cs", OrgName: "Southshire Children's Services"},
		Role:                pathway.RoleChildrensServices,
		InChildrensServices: true,
		Membership:          pathway.Membership{Roles: []string{pathway.MemberChildrensServices}},
	}
	northWorker = pathway.Actor{
		Party:               pathway.Party{UserID: "user-north-sw", Name: "Nia North", OrgID: "org-cs", OrgName: "Northshire Children's Services"},
		Role:                pathway.RoleSocialWorker,
		InChildrensServices: true,
		Membership:          pathway.Membership{Roles: []string{pathway.MemberChildrensServices}},
	}
)

// linkCases is an earlier Northshire case (with a reference) and a new
// Southshire case about the same child under an alias.
func linkCases(t *testing.T) (newCase, earlier pathway.Case) {
	t.Helper()
	earlier = contactedCase(t)
	concern := validConcern()
	concern.Child.GivenNames, concern.Child.FamilyName = "Mira", "Exemple"
	newCase, _ = mustDecide(t, pathway.Case{}, teacher, pathway.RaiseConcern{CaseID: "case-2", Concern: concern, ChildrensServicesOrg: "org-south-cs"}, now.Add(24*time.Hour))
	return newCase, earlier
}

func applyAll(c pathway.Case, events []pathway.Event) pathway.Case {
	for _, e := range events {
		c = pathway.Apply(c, e)
	}
	return c
}

func request(t *testing.T) (pathway.Case, pathway.Case) {
	t.Helper()
	newCase, earlier := linkCases(t)
	onNew, onEarlier, err := pathway.DecideLinkRequest(newCase, earlier, southFrontDoor, pathway.RequestLink{LinkID: "link-1", Reason: "Same scar and phone number",
		EarlierOrgName: "Northshire Children's Services", NewOrgName: "Southshire Children's Services"}, now.Add(25*time.Hour))
	if err != nil {
		t.Fatalf("request refused: %v", err)
	}
	return applyAll(newCase, onNew), applyAll(earlier, onEarlier)
}

func hasLinkedMember(c pathway.Case, orgID, role string) bool {
	for _, m := range pathway.Members(c) {
		if m.Kind == "org" && m.ID == orgID && m.Role == role {
			return true
		}
	}
	return false
}

// TestALinkRequestTellsTheEarlierTeamOnlyWhoIsAsking: the request is on
// both logs; the new case's entry names no reference of the earlier case,
// and the earlier case's names the asking organisation, not the child (§6.5).
func TestALinkRequestTellsTheEarlierTeamOnlyWhoIsAsking(t *testing.T) {
	newCase, earlier := linkCases(t)
	onNew, onEarlier, err := pathway.DecideLinkRequest(newCase, earlier, southFrontDoor, pathway.RequestLink{LinkID: "link-1", Reason: "Same scar",
		EarlierOrgName: "Northshire Children's Services", NewOrgName: "Southshire Children's Services"}, now.Add(25*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(onNew) != 1 || onNew[0].CaseID != newCase.ID || onNew[0].Seq != newCase.Version+1 || len(onEarlier) != 1 || onEarlier[0].CaseID != earlier.ID || onEarlier[0].Seq != earlier.Version+1 {
		t.Fatalf("events not one on each log in order: %+v %+v", onNew, onEarlier)
	}
	if s := onNew[0].Summary(); strings.Contains(s, earlier.Reference()) || !strings.Contains(s, "Northshire Children's Services") {
		t.Errorf("the new case's entry %q must name the team asked and not the earlier reference", s)
	}
	s := onEarlier[0].Summary()
	if !strings.Contains(s, "Southshire Children's Services") {
		t.Errorf("the earlier case's entry %q does not name the asking team", s)
	}
	for _, name := range []string{"Mira", "Exemple", "Amira", "Example"} {
		if strings.Contains(s, name) || strings.Contains(onNew[0].Summary(), name) {
			t.Errorf("a link entry names the child (%q)", name)
		}
	}
	if got := applyAll(earlier, onEarlier).Links.Pending(); len(got) != 1 || got[0].OtherOrgName != "Southshire Children's Services" {
		t.Errorf("pending on the earlier case: %+v", got)
	}
}

// TestOnlyTheCasesTeamAsksOrAnswersALink: a referrer, an invitee or a
// linked team does not speak for the case; its Children's Services team,
// assigned workers and the partnership lead do (issue 14 §1, §6.5).
func TestOnlyTheCasesTeamAsksOrAnswersALink(t *testing.T) {
	c, _ := linkCases(t)
	cases := []struct {
		name  string
		actor pathway.Actor
		may   bool
	}{
		{"Children's Services", southFrontDoor, true},
		{"assigned worker", pathway.Actor{Party: policeLead.Party, Role: pathway.RoleSocialWorker, Membership: pathway.Membership{Roles: []string{pathway.MemberWorker}}}, true},
		{"partnership lead on the case", pathway.Actor{Party: frontDoor.Party, Role: pathway.RolePartnershipLead, Membership: pathway.Membership{Roles: []string{pathway.MemberPartnership}}}, true},
		{"referrer", pathway.Actor{Party: teacher.Party, Role: pathway.RolePractitioner, Membership: pathway.Membership{Roles: []string{pathway.MemberReferrer}}}, false},
		{"meeting invitee", pathway.Actor{Party: policeLead.Party, Role: pathway.RoleFirstResponder, Membership: pathway.Membership{Roles: []string{pathway.MemberInvitee}}}, false},
		{"lead First Responder", pathway.Actor{Party: policeLead.Party, Role: pathway.RoleFirstResponder, Membership: pathway.Membership{Roles: []string{pathway.MemberFirstResponder}}}, false},
		{"linked team", pathway.Actor{Party: northWorker.Party, Role: pathway.RoleSocialWorker, Membership: pathway.Membership{Roles: []string{pathway.MemberLinkedCase}}}, false},
		{"emergency access", pathway.Actor{Party: northWorker.Party, Role: pathway.RoleSocialWorker, Membership: pathway.Membership{Roles: []string{pathway.MemberBreakGlass}}}, false},
		{"partnership lead who only referred", pathway.Actor{Party: frontDoor.Party, Role: pathway.RolePartnershipLead, Membership: pathway.Membership{Roles: []string{pathway.MemberReferrer}}}, false},
		{"partnership lead invited to a meeting", pathway.Actor{Party: frontDoor.Party, Role: pathway.RolePartnershipLead, Membership: pathway.Membership{Roles: []string{pathway.MemberInvitee}}}, false},
		{"partnership lead on a linked team", pathway.Actor{Party: frontDoor.Party, Role: pathway.RolePartnershipLead, Membership: pathway.Membership{Roles: []string{pathway.MemberLinkedCase}}}, false},
		{"partnership lead with emergency access", pathway.Actor{Party: frontDoor.Party, Role: pathway.RolePartnershipLead, Membership: pathway.Membership{Roles: []string{pathway.MemberBreakGlass}}}, false},
		{"machine client", pathway.Actor{Party: southFrontDoor.Party, Role: pathway.RoleMachineClient, Membership: pathway.Membership{Roles: []string{pathway.MemberChildrensServices}}}, false},
	}
	for _, tc := range cases {
		for name, rule := range map[string]func(pathway.Case, pathway.Actor) error{
			"request": pathway.MayRequestLink, "answer": pathway.MayAnswerLinkRequest, "unlink": pathway.MayUnlink,
			"look for earlier records": pathway.MayLookForEarlierRecords,
		} {
			err := rule(c, tc.actor)
			if (err == nil) != tc.may {
				t.Errorf("%s may %s: got %v, want allowed=%v", tc.name, name, err, tc.may)
			}
			if err != nil && waymark.ErrorCode(err) != waymark.EFORBIDDEN {
				t.Errorf("%s %s: refusal %v is not forbidden", tc.name, name, err)
			}
		}
	}
}

// TestALinkNeedsAReasonAndIsAskedOnce: the request says why; a second
// while the first waits is refused.
func TestALinkNeedsAReasonAndIsAskedOnce(t *testing.T) {
	newCase, earlier := linkCases(t)
	_, _, err := pathway.DecideLinkRequest(newCase, earlier, southFrontDoor, pathway.RequestLink{LinkID: "link-1", Reason: "  "}, now)
	wantRefused(t, err, waymark.EINVALID, "reason", "why")
	_, _, err = pathway.DecideLinkRequest(newCase, newCase, southFrontDoor, pathway.RequestLink{LinkID: "link-1", Reason: "x"}, now)
	wantRefused(t, err, waymark.ENOTFOUND, "")
	newCase, earlier = request(t)
	_, _, err = pathway.DecideLinkRequest(newCase, earlier, southFrontDoor, pathway.RequestLink{LinkID: "link-2", Reason: "again"}, now)
	wantRefused(t, err, waymark.ECONFLICT, "")
}

// TestAConfirmedLinkMakesEachTeamAMemberOfTheOtherCase: the two teams see
// each other's case from the confirmation on, both timelines name the
// other reference, and the asker cannot confirm their own request (§4.3,
// §7.1, §6.5).
func TestAConfirmedLinkMakesEachTeamAMemberOfTheOtherCase(t *testing.T) {
	newCase, earlier := request(t)
	if hasLinkedMember(earlier, "org-south-cs", pathway.MemberLinkedCase) {
		t.Fatal("a request alone made the asking team a member of the earlier case")
	}
	asker := southFrontDoor
	asker.Membership = pathway.Membership{Roles: []string{pathway.MemberChildrensServices}}
	if _, _, err := pathway.DecideConfirmLink(newCase, earlier, asker, "link-1", now.Add(26*time.Hour)); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
		t.Errorf("the asker confirming their own request: %v, want forbidden", err)
	}
	onNew, onEarlier, err := pathway.DecideConfirmLink(newCase, earlier, northWorker, "link-1", now.Add(26*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	newCase, earlier = applyAll(newCase, onNew), applyAll(earlier, onEarlier)
	if !hasLinkedMember(earlier, "org-south-cs", pathway.MemberLinkedCase) || !hasLinkedMember(newCase, "org-cs", pathway.MemberLinkedCase) {
		t.Errorf("linked teams not members: %+v / %+v", pathway.Members(earlier), pathway.Members(newCase))
	}
	if s := onNew[0].Summary(); s != "Linked to CS-2026-000001 (the same child)" {
		t.Errorf("new case's timeline: %q", s)
	}
	if s := onEarlier[0].Summary(); !strings.HasPrefix(s, "Linked to ") {
		t.Errorf("earlier case's timeline: %q", s)
	}
	linked := pathway.Membership{Roles: []string{pathway.MemberLinkedCase}}
	for _, e := range []pathway.Event{onEarlier[0]} {
		if !pathway.VisibleTo(e, linked, "user-south-cs") {
			t.Error("the linked team does not see the earlier case's history")
		}
	}
	if _, _, err := pathway.DecideConfirmLink(newCase, earlier, northWorker, "link-1", now.Add(27*time.Hour)); waymark.ErrorCode(err) != waymark.ECONFLICT {
		t.Errorf("confirming twice: %v, want conflict", err)
	}
}

// TestADeclineKeepsItsReasonOnTheEarlierCase: the asking team learns the
// answer, not what the earlier case holds (§6.5); nobody becomes a member.
func TestADeclineKeepsItsReasonOnTheEarlierCase(t *testing.T) {
	newCase, earlier := request(t)
	_, _, err := pathway.DecideDeclineLink(newCase, earlier, northWorker, "link-1", "", now)
	wantRefused(t, err, waymark.EINVALID, "reason")
	onNew, onEarlier, err := pathway.DecideDeclineLink(newCase, earlier, northWorker, "link-1", "Our child is in placement today", now.Add(26*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	newCase, earlier = applyAll(newCase, onNew), applyAll(earlier, onEarlier)
	if r, _ := newCase.Links.Request("link-1"); r.Status != pathway.LinkDeclinedStatus || r.DeclineReason != "" {
		t.Errorf("new case's request after decline: %+v", r)
	}
	if r, _ := earlier.Links.Request("link-1"); r.DeclineReason != "Our child is in placement today" {
		t.Errorf("earlier case keeps no reason: %+v", r)
	}
	if hasLinkedMember(earlier, "org-south-cs", pathway.MemberLinkedCase) || hasLinkedMember(newCase, "org-cs", pathway.MemberLinkedCase) {
		t.Error("a declined request made a team a member")
	}
	if strings.Contains(onNew[0].Summary(), "placement") {
		t.Errorf("the decline's reason reached the asking team: %q", onNew[0].Summary())
	}
}

// TestUnlinkingEndsTheMembershipAndKeepsTheHistory: either side's team
// undoes a wrong link with a reason; membership ends, entries stay (§7.5).
func TestUnlinkingEndsTheMembershipAndKeepsTheHistory(t *testing.T) {
	newCase, earlier := request(t)
	onNew, onEarlier, err := pathway.DecideConfirmLink(newCase, earlier, northWorker, "link-1", now.Add(26*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	newCase, earlier = applyAll(newCase, onNew), applyAll(earlier, onEarlier)
	_, _, err = pathway.DecideUnlink(newCase, earlier, southFrontDoor, "link-1", "", now)
	wantRefused(t, err, waymark.EINVALID, "reason")
	before := len(newCase.Links.Requests)
	onNew, onEarlier, err = pathway.DecideUnlink(newCase, earlier, southFrontDoor, "link-1", "DNA of a different child", now.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	newCase, earlier = applyAll(newCase, onNew), applyAll(earlier, onEarlier)
	if hasLinkedMember(earlier, "org-south-cs", pathway.MemberLinkedCase) || hasLinkedMember(newCase, "org-cs", pathway.MemberLinkedCase) {
		t.Error("an unlinked team is still a member")
	}
	if l, _ := earlier.Links.Link("link-1"); !l.Unlinked || l.UnlinkReason != "DNA of a different child" || len(newCase.Links.Requests) != before {
		t.Errorf("history not kept: %+v", l)
	}
	if s := onEarlier[0].Summary(); !strings.Contains(s, newCase.Reference()) && !strings.Contains(s, "another case") {
		t.Errorf("earlier case's unlink entry: %q", s)
	}
	if _, _, err := pathway.DecideUnlink(earlier, newCase, northWorker, "link-1", "again", now.Add(49*time.Hour)); waymark.ErrorCode(err) != waymark.ECONFLICT {
		t.Errorf("unlinking twice: %v, want conflict", err)
	}
}

// TestALinkedTeamReadsTheOtherCaseAndGivesItNoCommand: the linked team's
// standing opens the history, not the case's work: not even Children's
// Services' contact or outcome, nor a note (§6.5).
func TestALinkedTeamReadsTheOtherCaseAndGivesItNoCommand(t *testing.T) {
	linked := pathway.Membership{Roles: []string{pathway.MemberLinkedCase}}
	a := southFrontDoor
	a.Membership = linked
	for _, cmd := range []pathway.Command{pathway.RecordContact{}, pathway.RecordOutcome{}, pathway.AddNote{Text: "x"}, pathway.CorrectEntry{}} {
		if err := pathway.MayGive(linked, a, cmd); err == nil {
			t.Errorf("a linked team may give %T", cmd)
		}
	}
	if !pathway.VisibleTo(pathway.Event{Type: pathway.EventNoteAdded}, linked, a.UserID) {
		t.Error("a linked team does not see the other case's notes")
	}
}

// TestOnlyTheTeamAndALinkedTeamSeeACasesLinks: the links and requests of a
// case are for its team and a team linked to it; a referrer or an invitee
// is refused (issue 14 §1, §6.5).
func TestOnlyTheTeamAndALinkedTeamSeeACasesLinks(t *testing.T) {
	c, _ := linkCases(t)
	for _, tc := range []struct {
		role string
		may  bool
	}{
		{pathway.MemberChildrensServices, true}, {pathway.MemberWorker, true}, {pathway.MemberFirstResponder, true},
		{pathway.MemberLinkedCase, true}, {pathway.MemberReferrer, false}, {pathway.MemberInvitee, false},
	} {
		err := pathway.MaySeeCaseLinks(c, pathway.Actor{Party: teacher.Party, Role: pathway.RoleSocialWorker, Membership: pathway.Membership{Roles: []string{tc.role}}})
		if (err == nil) != tc.may || (err != nil && waymark.ErrorCode(err) != waymark.EFORBIDDEN) {
			t.Errorf("%s sees the case's links: %v, want allowed=%v", tc.role, err, tc.may)
		}
	}
}
