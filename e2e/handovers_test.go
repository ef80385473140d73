package e2e

import (
	"context"
	"strings"
	"testing"

	"waymark/internal/access"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Issue 14, "Across areas" (§4.3, §7.1): a child moves from the first
// partnership's area to Southshire's. The first partnership's lead (not on
// the case) proposes to transfer the case; Southshire's lead, who sees only
// the proposal, agrees and names Southshire's Children's Services; its
// social worker then reads the case's whole history.

func TestALeadTransfersACaseAndTheReceivingTeamSeesItsWholeHistory(t *testing.T) {
	s := newScreens(t)
	ctx := context.Background()
	hash, err := access.HashPassword(storetest.Password, storetest.FastArgon)
	if err != nil {
		t.Fatal(err)
	}
	now := s.clock.Now()
	type person struct{ id, org, email, name, role string }
	people := []person{
		{"user-north-lead", "org-lscp", "lead@lscp.example", "Nia North", pathway.RolePartnershipLead},
		{"user-south-lead", "org-south-cs", "lead@south.example", "Sian South", pathway.RolePartnershipLead},
		{"user-south-sw", "org-south-cs", "social.worker@south.example", "Sunil Shah", pathway.RoleSocialWorker},
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.InsertPartnership(store.Partnership{ID: "southshire", Name: "Southshire", Slug: "southshire", CreatedAt: now}); err != nil {
			return err
		}
		for _, o := range []store.Organisation{{ID: "org-lscp", Name: "Northshire Safeguarding Partnership", Kind: "local-authority", CreatedAt: now},
			{ID: "org-south-cs", Name: "Southshire Children's Services", Kind: "local-authority", ChildrensServices: true, CreatedAt: now}} {
			if err := tx.InsertOrganisation(o); err != nil {
				return err
			}
		}
		if err := tx.SetOrganisationPartnership("org-south-cs", "southshire"); err != nil {
			return err
		}
		for _, p := range people {
			if err := tx.InsertUser(store.User{ID: p.id, OrgID: p.org, Email: p.email, Name: p.name, Role: p.role, PasswordHash: hash, CreatedAt: now}); err != nil {
				return err
			}
			if err := casework.EnrolTOTP(tx, p.id, storetest.TOTPSecret, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	caseID, err := s.svc.RaiseConcern(ctx, s.p.Teacher, storetest.ValidConcern(now))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := s.svc.RecordContact(ctx, s.p.CSWorker, caseID, 1, "phone", "Called by the school's DSL")
	if err != nil {
		t.Fatal(err)
	}
	child := storetest.ValidConcern(now).Child.GivenNames
	b := s.browser(false)

	// The first partnership's lead proposes the transfer.
	s.signIn(b, people[0].email, people[0].name)
	b.open("/partnership/handovers")
	b.fill("case", caseID)
	b.click(`form[method="get"] button[type="submit"]`)
	b.expectText("Hand over the case to another partnership", ref)
	b.submit() // nothing chosen
	b.expectErrorSummary("kind")
	b.narrowAxe("handover-error")
	b.choose("kind", pathway.HandOverTransfer)
	b.chooseOption("partnership", "Southshire")
	b.fill("reason", "The child has moved to Southtown with her aunt")
	b.submit()
	b.expectText("Hand-over proposed", "Waiting for an answer")
	// Southshire's only lead leaves for a while: nobody there could answer
	// now, and the proposer's page says so and what to do.
	lead := func(disabled bool) {
		if err := s.db.Update(ctx, func(tx *store.Tx) error { return tx.SetDisabled(people[1].id, disabled, s.clock.Now()) }); err != nil {
			t.Fatal(err)
		}
	}
	lead(true)
	b.open("/cases/" + caseID + "/handover")
	b.expectText("Nobody can answer this hand-over now", "Southshire has no partnership lead")
	b.narrowAxe("handover-unanswerable")
	lead(false)
	b.signOut()

	// Southshire's social worker knows nothing of the case yet.
	s.signIn(b, people[2].email, people[2].name)
	if status := b.open("/cases/" + caseID); status != 404 {
		b.fatalf("Southshire's social worker before the hand-over: %d, want 404", status)
	}
	b.signOut()

	// Southshire's lead sees the proposal, not the case, and agrees.
	s.signIn(b, people[1].email, people[1].name)
	b.open("/partnership/handovers")
	b.expectText("Hand-overs proposed to your partnership", "Transfer the case")
	b.click(`a[href^="/partnership/handovers/handover-"]`)
	b.expectText("The child has moved to Southtown", "Nia North")
	for _, secret := range []string{caseID, ref, child} {
		if strings.Contains(b.html(), secret) {
			b.fatalf("the receiving lead is shown %q of the case before agreeing", secret)
		}
	}
	b.narrowAxe("handover")
	b.chooseOption("org", "Southshire Children's Services")
	b.click(`form[action$="/agree"] button[type="submit"]`)
	b.expectText("Hand-over agreed")
	b.signOut()

	// Southshire's social worker reads the whole history.
	s.signIn(b, people[2].email, people[2].name)
	if status := b.open("/cases/" + caseID + "/timeline"); status != 200 {
		b.fatalf("Southshire's social worker after the transfer: %d", status)
	}
	b.expectText("Contact recorded by Children's Services – reference "+ref, "proposed to transfer the case to Southshire", "Hand-over agreed")
	b.signOut()
}
