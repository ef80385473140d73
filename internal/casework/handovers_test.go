package casework_test

import (
	"slices"
	"strings"
	"testing"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// handOverWorld is the first partnership (the test partnership, default),
// a second one (Southshire) with its own Children's Services team, lead
// and social worker, and a third (Westshire) with only a lead.
type handOverWorld struct {
	*partnership
	northLead, southLead, southWorker, westLead casework.Viewer
	caseID                                      string
}

func newHandOverWorld(t *testing.T, db *store.DB) *handOverWorld {
	t.Helper()
	p := newPartnership(t, db)
	w := &handOverWorld{partnership: p}
	now := p.clock.Now()
	user := func(tx *store.Tx, id, org, role string) casework.Viewer {
		if err := tx.InsertUser(store.User{ID: id, OrgID: org, Email: id + "@example.org", Name: strings.ToUpper(id[:1]) + id[1:], Role: role, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		u, err := tx.UserByID(id)
		if err != nil {
			t.Fatal(err)
		}
		return casework.Viewer{User: u}
	}
	err := db.Update(p.ctx, func(tx *store.Tx) error {
		for _, ps := range []store.Partnership{{ID: "southshire", Name: "Southshire", Slug: "southshire", CreatedAt: now}, {ID: "westshire", Name: "Westshire", Slug: "westshire", CreatedAt: now}} {
			if err := tx.InsertPartnership(ps); err != nil {
				return err
			}
		}
		for _, o := range []store.Organisation{
			{ID: "org-south-cs", Name: "Southshire Children's Services", Kind: "local-authority", ChildrensServices: true, CreatedAt: now},
			{ID: "org-west", Name: "Westshire Council", Kind: "local-authority", CreatedAt: now},
		} {
			if err := tx.InsertOrganisation(o); err != nil {
				return err
			}
		}
		if err := tx.SetOrganisationPartnership("org-south-cs", "southshire"); err != nil {
			return err
		}
		if err := tx.SetOrganisationPartnership("org-west", "westshire"); err != nil {
			return err
		}
		w.northLead = user(tx, "nora", p.ChildrensServices.ID, pathway.RolePartnershipLead)
		w.southLead = user(tx, "sian", "org-south-cs", pathway.RolePartnershipLead)
		w.southWorker = user(tx, "sunil", "org-south-cs", pathway.RoleSocialWorker)
		w.westLead = user(tx, "wendy", "org-west", pathway.RolePartnershipLead)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	w.caseID = p.raise()
	p.contact(w.caseID)
	return w
}

// propose has the first partnership's lead propose kind to Southshire and
// returns the hand-over's id.
func (w *handOverWorld) propose(kind string) string {
	w.t.Helper()
	return w.proposeCase(w.caseID, kind)
}

// proposeCase is propose for another of the first partnership's cases.
func (w *handOverWorld) proposeCase(caseID, kind string) string {
	w.t.Helper()
	if err := w.svc.ProposeHandOver(w.ctx, w.northLead, caseID, kind, "southshire", "The child was found in Southtown and is placed there"); err != nil {
		w.t.Fatalf("proposing: %v", err)
	}
	in, err := w.svc.IncomingHandOvers(w.ctx, w.southLead)
	if err != nil || len(in) != 1 {
		w.t.Fatalf("Southshire's incoming hand-overs: %+v, %v", in, err)
	}
	return in[0].ID
}

// TestTransferredCaseMovesToTheReceivingPartnership: once Southshire's
// lead agrees a transfer, the case belongs to Southshire, its team sees the
// whole history, and the sending team's membership ends (§4.3, §7.1).
func TestTransferredCaseMovesToTheReceivingPartnership(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		id := w.propose(pathway.HandOverTransfer)
		_, err := w.svc.Case(w.ctx, w.southWorker, w.caseID)
		wantCodeOf(t, "Southshire's social worker before the hand-over is agreed", err, waymark.ENOTFOUND)
		if err := w.svc.AgreeHandOver(w.ctx, w.southLead, id, "org-south-cs"); err != nil {
			t.Fatalf("agreeing: %v", err)
		}
		view, err := w.svc.Case(w.ctx, w.southWorker, w.caseID)
		if err != nil {
			t.Fatalf("Southshire's social worker after the transfer: %v", err)
		}
		var proposed, agreed, contact bool
		for _, e := range view.Events {
			proposed = proposed || e.Type == pathway.EventHandOverProposed
			agreed = agreed || e.Type == pathway.EventHandOverAgreed
			contact = contact || e.Type == pathway.EventContactRecorded
		}
		if !proposed || !agreed || !contact {
			t.Errorf("the receiving team sees proposed %t, agreed %t, the contact %t", proposed, agreed, contact)
		}
		c := w.loadCase(w.caseID)
		if c.ChildrensServicesOrg != "org-south-cs" {
			t.Errorf("the case's Children's Services team: %s", c.ChildrensServicesOrg)
		}
		_, err = w.svc.Case(w.ctx, w.SocialWorker, w.caseID)
		wantCodeOf(t, "the sending team after the transfer", err, waymark.ENOTFOUND)
		if _, err := w.svc.CaseHandOvers(w.ctx, w.southLead, w.caseID); err != nil {
			t.Errorf("Southshire's lead now leads the case's partnership: %v", err)
		}
		_, err = w.svc.CaseHandOvers(w.ctx, w.northLead, w.caseID)
		wantCodeOf(t, "the sending lead after the transfer", err, waymark.ENOTFOUND)
	})
}

// TestSharedCaseKeepsBothTeams: a share adds Southshire's team as a team
// member; the case stays with its partnership.
func TestSharedCaseKeepsBothTeams(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		id := w.propose(pathway.HandOverShare)
		if err := w.svc.AgreeHandOver(w.ctx, w.southLead, id, "org-south-cs"); err != nil {
			t.Fatalf("agreeing: %v", err)
		}
		view, err := w.svc.Case(w.ctx, w.southWorker, w.caseID)
		if err != nil || !view.Membership.Is(pathway.MemberPartnershipShare) || !view.Membership.Team() {
			t.Fatalf("Southshire's social worker on a shared case: %v, %v", view.Membership.Roles, err)
		}
		if _, err := w.svc.Case(w.ctx, w.SocialWorker, w.caseID); err != nil {
			t.Errorf("the sending team after a share: %v", err)
		}
	})
}

// TestThirdPartnershipLeadLearnsNothingOfAHandOver: Westshire's lead gets
// the same answer for the case, the hand-over and its answer as for made-up
// ids (§6.5).
func TestThirdPartnershipLeadLearnsNothingOfAHandOver(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		id := w.propose(pathway.HandOverTransfer)
		in, err := w.svc.IncomingHandOvers(w.ctx, w.westLead)
		if err != nil || len(in) != 0 {
			t.Errorf("Westshire's incoming hand-overs: %+v, %v", in, err)
		}
		for what, err := range map[string]error{
			"the hand-over":         func() error { _, err := w.svc.IncomingHandOverByID(w.ctx, w.westLead, id); return err }(),
			"a made-up hand-over":   func() error { _, err := w.svc.IncomingHandOverByID(w.ctx, w.westLead, "handover-x"); return err }(),
			"agreeing":              w.svc.AgreeHandOver(w.ctx, w.westLead, id, "org-west"),
			"the case's hand-overs": func() error { _, err := w.svc.CaseHandOvers(w.ctx, w.westLead, w.caseID); return err }(),
			"a made-up case":        func() error { _, err := w.svc.CaseHandOvers(w.ctx, w.westLead, "no-such-case"); return err }(),
			"proposing":             w.svc.ProposeHandOver(w.ctx, w.westLead, w.caseID, pathway.HandOverTransfer, "westshire", "x"),
		} {
			wantCodeOf(t, "Westshire's lead: "+what, err, waymark.ENOTFOUND)
		}
		// Southshire's lead sees the proposal and nothing of the case.
		h, err := w.svc.IncomingHandOverByID(w.ctx, w.southLead, id)
		if err != nil || h.CaseID != "" || h.Reference != "" {
			t.Errorf("Southshire's lead before agreeing: %+v, %v", h, err)
		}
		_, err = w.svc.Case(w.ctx, w.southLead, w.caseID)
		wantCodeOf(t, "Southshire's lead opening the case before agreeing", err, waymark.ENOTFOUND)
	})
}

// TestHandOverHistoryIsKeptAndBothPartnershipsAuditIt: a declined and a
// withdrawn proposal stay in the case's log, and each step's audit entry
// names both partnerships.
func TestHandOverHistoryIsKeptAndBothPartnershipsAuditIt(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		from := w.auditHead()
		first := w.propose(pathway.HandOverTransfer)
		err := w.svc.DeclineHandOver(w.ctx, w.southLead, first, "")
		wantCodeOf(t, "declining with no reason", err, waymark.EINVALID)
		if err := w.svc.DeclineHandOver(w.ctx, w.southLead, first, "She is back home in Northshire"); err != nil {
			t.Fatalf("declining: %v", err)
		}
		if err := w.svc.ProposeHandOver(w.ctx, w.northLead, w.caseID, pathway.HandOverShare, "southshire", "Placed in Southtown"); err != nil {
			t.Fatalf("proposing again: %v", err)
		}
		c := w.loadCase(w.caseID)
		second, _ := c.HandOvers.Pending()
		if err := w.svc.WithdrawHandOver(w.ctx, w.northLead, w.caseID, second.ID, "Placement fell through"); err != nil {
			t.Fatalf("withdrawing: %v", err)
		}
		c = w.loadCase(w.caseID)
		if len(c.HandOvers.HandOvers) != 2 || c.HandOvers.HandOvers[0].Status != pathway.HandOverStatusDeclined || c.HandOvers.HandOvers[1].Status != pathway.HandOverStatusWithdrawn {
			t.Errorf("the case's hand-overs: %+v", c.HandOvers.HandOvers)
		}
		named := 0
		for _, e := range w.auditSince(from) {
			if strings.HasPrefix(e.Action, "case.handover_") && strings.Contains(e.Detail, "(This partnership)") && strings.Contains(e.Detail, "(Southshire)") {
				named++
			}
		}
		if named < 4 {
			t.Errorf("%d audit entries name both partnerships, want 4 (proposed, declined, proposed, withdrawn)", named)
		}
	})
}

// TestEscalationGoesToTheLeadsOfTheCasesPartnership: at partnership level
// only the case's own partnership's leads join (§8.6).
func TestEscalationGoesToTheLeadsOfTheCasesPartnership(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		w.outcome(w.caseID)
		err := w.svc.Act(w.ctx, w.SocialWorker, w.caseID, w.version(w.caseID), pathway.RaiseEscalation{Reason: "The police disagree with the outcome"})
		if err != nil {
			t.Fatalf("raising an escalation: %v", err)
		}
		c := w.loadCase(w.caseID)
		if len(c.Meetings.Escalations) != 1 {
			t.Fatalf("escalations: %+v", c.Meetings.Escalations)
		}
		var leads []string
		for _, l := range c.Meetings.Escalations[0].PartnershipLeads {
			leads = append(leads, l.UserID)
		}
		if len(leads) != 1 || leads[0] != w.northLead.User.ID {
			t.Errorf("the escalation's partnership leads: %v, want only %s", leads, w.northLead.User.ID)
		}
	})
}

// TestNetworkShowsALeadOnlyTheirOwnPartnershipsCases: where an entity
// recurs is shown to the lead of the partnership whose cases hold it; a
// case transferred away leaves the sending lead's network (§6.8; issue 14,
// "Across areas").
func TestNetworkShowsALeadOnlyTheirOwnPartnershipsCases(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		a, b, _ := entityCases(w.partnership)
		recordPhone(w.partnership, a, "07700 900123")
		recordPhone(w.partnership, b, "07700 900123")
		if net, _, err := w.svc.Network(w.ctx, w.northLead, nil); err != nil || len(net) != 1 || net[0].Count != 2 {
			t.Fatalf("the first partnership's lead: %+v, %v", net, err)
		}
		if net, _, err := w.svc.Network(w.ctx, w.southLead, nil); err != nil || len(net) != 0 {
			t.Errorf("Southshire's lead sees the first partnership's cases: %+v, %v", net, err)
		}
		if err := w.svc.ProposeHandOver(w.ctx, w.northLead, b, pathway.HandOverTransfer, "southshire", "Moved to Southtown"); err != nil {
			t.Fatal(err)
		}
		in, err := w.svc.IncomingHandOvers(w.ctx, w.southLead)
		if err != nil || len(in) != 1 {
			t.Fatalf("incoming: %+v, %v", in, err)
		}
		if err := w.svc.AgreeHandOver(w.ctx, w.southLead, in[0].ID, "org-south-cs"); err != nil {
			t.Fatal(err)
		}
		if net, _, err := w.svc.Network(w.ctx, w.northLead, nil); err != nil || len(net) != 0 {
			t.Errorf("the sending lead still sees a transferred case in their network: %+v, %v", net, err)
		}
	})
}

// TestPartnershipLeadNotOnTheCaseAnswersALinkRequest: a request to link an
// earlier case may be answered by the lead of that case's partnership even
// when they are not on it; they see who asks and why, not the case. A lead
// of another partnership can neither see nor answer it (issue 14 §1, §6.5).
func TestPartnershipLeadNotOnTheCaseAnswersALinkRequest(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newLinkWorld(t, db)
		now := w.clock.Now()
		var lead, otherLead casework.Viewer
		err := db.Update(w.ctx, func(tx *store.Tx) error {
			if err := tx.InsertPartnership(store.Partnership{ID: "westshire", Name: "Westshire", Slug: "westshire", CreatedAt: now}); err != nil {
				return err
			}
			for _, o := range []store.Organisation{{ID: "org-lscp", Name: "Northshire Safeguarding Partnership", Kind: "local-authority", CreatedAt: now},
				{ID: "org-west", Name: "Westshire Council", Kind: "local-authority", CreatedAt: now}} {
				if err := tx.InsertOrganisation(o); err != nil {
					return err
				}
			}
			if err := tx.SetOrganisationPartnership("org-west", "westshire"); err != nil {
				return err
			}
			for _, u := range []store.User{{ID: "user-lead", OrgID: "org-lscp", Email: "lead@lscp.example", Name: "Lee Lead", Role: pathway.RolePartnershipLead, CreatedAt: now},
				{ID: "user-west-lead", OrgID: "org-west", Email: "lead@west.example", Name: "Wes West", Role: pathway.RolePartnershipLead, CreatedAt: now}} {
				if err := tx.InsertUser(u); err != nil {
					return err
				}
			}
			u, err := tx.UserByID("user-lead")
			lead = casework.Viewer{User: u}
			if err != nil {
				return err
			}
			u, err = tx.UserByID("user-west-lead")
			otherLead = casework.Viewer{User: u}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		id := w.ask()
		_, err = w.svc.Case(w.ctx, lead, w.first)
		wantCodeOf(t, "the lead opening the earlier case", err, waymark.ENOTFOUND)
		reqs, err := w.svc.PartnershipLinkRequests(w.ctx, lead)
		if err != nil || len(reqs) != 1 || reqs[0].LinkID != id || reqs[0].FromOrgName == "" {
			t.Fatalf("the lead's link requests: %+v, %v", reqs, err)
		}
		if reqs, err := w.svc.PartnershipLinkRequests(w.ctx, otherLead); err != nil || len(reqs) != 0 {
			t.Errorf("another partnership's lead's link requests: %+v, %v", reqs, err)
		}
		wantCodeOf(t, "another partnership's lead confirming", w.svc.ConfirmLink(w.ctx, otherLead, w.first, id), waymark.ENOTFOUND)
		if err := w.svc.ConfirmLink(w.ctx, lead, w.first, id); err != nil {
			t.Fatalf("the lead confirming: %v", err)
		}
		if _, err := w.svc.Case(w.ctx, w.south, w.first); err != nil {
			t.Errorf("the new team after the lead confirmed: %v", err)
		}
		if reqs, err := w.svc.PartnershipLinkRequests(w.ctx, lead); err != nil || len(reqs) != 0 {
			t.Errorf("the lead's link requests once answered: %+v, %v", reqs, err)
		}
	})
}

// Emergency access to a case alerts the leads of the case's own partnership
// only: a lead of another partnership is not told the case exists (§6.5).
func TestBreakGlassAlertsOnlyTheLeadsOfTheCasesPartnership(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		token := w.session(w.GPDoctor)
		if _, _, err := w.svc.BreakGlass(w.ctx, w.GPDoctor, token, w.caseID, emergencyReason); err != nil {
			t.Fatalf("break-glass: %v", err)
		}
		count := func(v casework.Viewer) int {
			alerts, _, err := w.svc.AlertsPage(w.ctx, v, nil)
			if err != nil {
				t.Fatalf("alerts of %s: %v", v.User.Name, err)
			}
			return len(alerts)
		}
		if n := count(w.northLead); n != 1 {
			t.Errorf("the case's partnership lead has %d alerts, want 1", n)
		}
		for _, other := range []casework.Viewer{w.southLead, w.westLead} {
			if n := count(other); n != 0 {
				t.Errorf("%s, lead of another partnership, has %d alerts about the case", other.User.Name, n)
			}
		}
	})
}

// TestSendingLeadKeepsNoAccessThroughAnOpenEscalationAfterATransfer: a
// lead of the sending partnership who is on the case only because an
// escalation reached them keeps nothing once the case is transferred; the
// receiving partnership's leads take the escalation over (§8.6; issue 14).
func TestSendingLeadKeepsNoAccessThroughAnOpenEscalationAfterATransfer(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		w.outcome(w.caseID)
		if err := w.svc.Act(w.ctx, w.SocialWorker, w.caseID, w.version(w.caseID), pathway.RaiseEscalation{Reason: "The police disagree with the outcome"}); err != nil {
			t.Fatalf("raising an escalation: %v", err)
		}
		if _, err := w.svc.Case(w.ctx, w.northLead, w.caseID); err != nil {
			t.Fatalf("the sending lead during the escalation: %v", err)
		}
		id := w.propose(pathway.HandOverTransfer)
		if err := w.svc.AgreeHandOver(w.ctx, w.southLead, id, "org-south-cs"); err != nil {
			t.Fatalf("agreeing: %v", err)
		}
		_, err := w.svc.Case(w.ctx, w.northLead, w.caseID)
		wantCodeOf(t, "the sending lead after the transfer", err, waymark.ENOTFOUND)
		if _, err := w.svc.Case(w.ctx, w.southLead, w.caseID); err != nil {
			t.Errorf("the receiving lead takes the open escalation over: %v", err)
		}
	})
}

// TestAHandOverNobodyCouldReceiveIsRefused: only the receiving
// partnership's lead answers a hand-over, and the case goes to its
// Children's Services team (§4.3), so a proposal to a partnership with no
// active lead, or with no such team (Westshire), is refused with the
// reason; before, it waited for ever and held back every other proposal
// until withdrawn. Nothing is saved.
func TestAHandOverNobodyCouldReceiveIsRefused(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		err := w.svc.ProposeHandOver(w.ctx, w.northLead, w.caseID, pathway.HandOverTransfer, "westshire", "The child now lives in Westtown")
		wantField(t, err, "partnership", "Westshire has no Children's Services team")
		// Southshire's only lead leaves: nobody there could answer.
		if err := db.Update(w.ctx, func(tx *store.Tx) error { return tx.SetDisabled("sian", true, w.clock.Now()) }); err != nil {
			t.Fatal(err)
		}
		err = w.svc.ProposeHandOver(w.ctx, w.northLead, w.caseID, pathway.HandOverShare, "southshire", "The child was found in Southtown")
		wantField(t, err, "partnership", "Southshire has no partnership lead")
		if c := w.loadCase(w.caseID); len(c.HandOvers.HandOvers) != 0 {
			t.Fatalf("a refused proposal was saved: %+v", c.HandOvers.HandOvers)
		}
		// With a lead again, the same proposal goes through.
		if err := db.Update(w.ctx, func(tx *store.Tx) error { return tx.SetDisabled("sian", false, w.clock.Now()) }); err != nil {
			t.Fatal(err)
		}
		w.propose(pathway.HandOverShare)
	})
}

// A case transferred to another partnership (§4.3, §7.1) takes the
// entities recorded on it (§6.8) to that partnership's network: its entity
// keys are filed under the receiving partnership by the event that moves
// the case, even though the entities themselves are unchanged, and the
// counts of both partnerships follow (verify checks them).
func TestATransferredCasesEntitiesAreFiledWhereTheCaseWent(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		a, _, _ := entityCases(w.partnership)
		recordPhone(w.partnership, a, "07700 900123")
		filed := func() []string {
			t.Helper()
			rows, err := db.SQL().QueryContext(w.ctx, `SELECT DISTINCT partnership_id FROM entity_keys WHERE case_id = $1`, a)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var p string
				if err := rows.Scan(&p); err != nil {
					t.Fatal(err)
				}
				out = append(out, p)
			}
			return out
		}
		if got := filed(); !slices.Equal(got, []string{"default"}) {
			t.Fatalf("before the transfer the case's entities are filed under %q", got)
		}
		id := w.proposeCase(a, pathway.HandOverTransfer)
		if err := w.svc.AgreeHandOver(w.ctx, w.southLead, id, "org-south-cs"); err != nil {
			t.Fatalf("agreeing: %v", err)
		}
		if got := filed(); !slices.Equal(got, []string{"southshire"}) {
			t.Errorf("after the transfer the case's entities are filed under %q, want southshire", got)
		}
		mustVerify(t, db, "after the transfer")
	})
}
