package casework_test

import (
	"testing"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §6.5, §6.7, §6.8: a person may hold several roles on one case — the
// referrer assigned to work it, then invited to its meeting — and their
// access is the union of them. Before migration 0033 the member rows kept
// only the first role, so the assignment answered "done" and granted nothing.
func TestAReferrerAssignedAsWorkerWorksTheCase(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := meetingCase(p)
		p.meetingMustAct(p.SocialWorker, id, pathway.AddNote{Text: "Team-only note"})
		if view, _ := seesCase(t, p, p.Teacher, id); hasEventType(view, pathway.EventNoteAdded) {
			t.Fatal("the referrer sees the team's note before being assigned (§6.5)")
		}

		p.meetingMustAct(p.SocialWorker, id, pathway.AssignWorker{WorkerEmail: p.Teacher.User.Email})
		convene(p, id, p.Teacher.User.Email)

		view, ok := seesCase(t, p, p.Teacher, id)
		if !ok {
			t.Fatal("the referrer, now a worker, cannot see the case")
		}
		for _, role := range []string{pathway.MemberReferrer, pathway.MemberWorker, pathway.MemberInvitee} {
			if !view.Membership.Is(role) {
				t.Errorf("the referrer's roles %v lack %q", view.Membership.Roles, role)
			}
		}
		if !view.Membership.Team() || !hasEventType(view, pathway.EventNoteAdded) {
			t.Fatalf("the referrer assigned as a worker is still shown the outsider's view: roles %v", view.Membership.Roles)
		}
		if n := p.count(`SELECT COUNT(*) FROM case_members WHERE case_id = $1 AND member_id = $2`, id, p.Teacher.User.ID); n != 3 {
			t.Fatalf("the referrer has %d member rows, want one per role (3)", n)
		}
		if n := p.count(`SELECT assigned_workers FROM cases WHERE id = $1`, id); n != 1 {
			t.Fatalf("assigned_workers = %d, want 1", n)
		}
		list, _, err := p.svc.MyCasesPage(p.ctx, p.Teacher, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ID != id {
			t.Fatalf("the referrer's cases list %v, want the case once", ids(list))
		}
	})
}

// §8.6: a role that ends (the partnership lead's, when the escalation is
// resolved) takes only itself away: the lead invited to the meeting stays
// an invitee.
func TestEndingOneRoleKeepsThePersonsOtherRoles(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		mp := addMeetingPeople(t, p)
		id := meetingCase(p)
		convene(p, id, "first.responder@police.example", mp.Lead.User.Email)
		p.meetingMustAct(p.SocialWorker, id, recordHeld(pathway.NRMDoNotSubmit, ""))
		p.meetingMustAct(p.Teacher, id, pathway.RaiseEscalation{Reason: "The indicators meet the threshold for an NRM."})
		view, _ := seesCase(t, p, mp.Lead, id)
		if !view.Membership.Is(pathway.MemberPartnership) || !view.Membership.Is(pathway.MemberInvitee) {
			t.Fatalf("the lead's roles while the escalation is open: %v, want partnership and invitee", view.Membership.Roles)
		}
		p.meetingMustAct(p.Teacher, id, pathway.EscalateFurther{Note: "Line managers could not agree."})
		p.meetingMustAct(p.Manager, id, pathway.EscalateFurther{Note: "Senior managers could not agree."})
		p.meetingMustAct(mp.Lead, id, pathway.ResolveEscalation{Outcome: pathway.EscalationSubmit, LeadOrgID: p.Police.ID, Note: "Submit."})

		view, ok := seesCase(t, p, mp.Lead, id)
		if !ok {
			t.Fatal("the lead, still an invitee, lost the case when the escalation was resolved")
		}
		if view.Membership.Is(pathway.MemberPartnership) || !view.Membership.Is(pathway.MemberInvitee) {
			t.Fatalf("the lead's roles after resolution: %v, want invitee only", view.Membership.Roles)
		}
	})
}
