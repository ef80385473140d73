package casework_test

import (
	"strings"
	"testing"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// entityCases are two cases with meetings convened by the social worker,
// and a third the social worker has no meeting on.
func entityCases(p *partnership) (a, b, c string) {
	p.t.Helper()
	a, b, c = meetingCase(p), meetingCase(p), meetingCase(p)
	convene(p, a, "first.responder@police.example")
	convene(p, b, "first.responder@police.example")
	return a, b, c
}

func recordPhone(p *partnership, caseID, number string) {
	p.t.Helper()
	p.meetingMustAct(p.SocialWorker, caseID, pathway.RecordEntity{Kind: pathway.EntityPhone, Value: number, Role: pathway.EntityRoleContact})
}

// §6.8, §8.8: a phone number recorded on one case that is on others is
// flagged to the meeting chair as how many other cases and their
// references, never their contents; the look is audited with the
// references it disclosed.
func TestSharedPhoneNumberIsFlaggedToTheMeetingChair(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		a, b, c := entityCases(p)
		recordPhone(p, b, "+44 7700 900123")
		recordPhone(p, c, "07700-900-123")
		recordPhone(p, a, "07700 900123")
		recordPhone(p, a, "07700 900999") // on this case only
		view, _ := seesCase(t, p, p.SocialWorker, a)
		if err := p.svc.SeesRecurrence(view, p.SocialWorker); err != nil {
			t.Fatalf("the chair may not see recurrence: %v", err)
		}
		head := p.auditHead()
		rec, err := p.svc.EntityRecurrence(p.ctx, p.SocialWorker, a)
		if err != nil {
			t.Fatal(err)
		}
		var shared pathway.Entity
		for _, e := range p.loadCase(a).Entities() {
			if e.Value == "07700 900123" {
				shared = e
			}
		}
		r, ok := rec[shared.ID]
		if !ok || r.Others != 2 || len(r.Cases) != 2 || len(rec) != 1 {
			t.Fatalf("recurrence = %+v, want the shared number in 2 other cases and nothing else", rec)
		}
		refs := map[string]bool{}
		for _, oc := range r.Cases {
			refs[oc.Reference] = true
			if oc.TeamOrgName != p.ChildrensServices.Name {
				t.Errorf("the team to ask is %q", oc.TeamOrgName)
			}
		}
		for _, id := range []string{b, c} {
			if ref := p.loadCase(id).Reference(); !refs[ref] {
				t.Errorf("the other case %s is not named by its reference %s: %+v", id, ref, r.Cases)
			}
		}
		// The look is on the chair's case with the references it named, and
		// on each case named (§6.5): probing leaves a trace where it lands.
		es := p.auditSince(head)
		viewed, disclosed := 0, map[string]bool{}
		for _, e := range es {
			switch e.Action {
			case casework.ActionEntityRecurrenceViewed:
				viewed++
				if e.CaseID != a || !strings.Contains(e.Detail, p.loadCase(b).Reference()) {
					t.Errorf("the look is recorded as %+v, want it on %s naming %s", e, a, p.loadCase(b).Reference())
				}
			case casework.ActionEntityRecurrenceDisclosed:
				disclosed[e.CaseID] = true
			default:
				t.Errorf("unexpected audit entry %+v", e)
			}
		}
		if viewed != 1 || len(disclosed) != 2 || !disclosed[b] || !disclosed[c] {
			t.Fatalf("audit = %+v, want one look on the chair's case and one disclosure on each of the other two", es)
		}
	})
}

// §6.5, §6.8: someone on the team who did not convene a meeting is refused
// (and the refusal audited); someone outside the case finds nothing.
func TestRecurrenceIsRefusedToAnyoneButTheChairAndLead(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		a, b, _ := entityCases(p)
		recordPhone(p, a, "07700 900123")
		recordPhone(p, b, "07700 900123")
		head := p.auditHead()
		_, err := p.svc.EntityRecurrence(p.ctx, p.Manager, a)
		wantCode(t, err, waymark.EFORBIDDEN)
		_, err = p.svc.EntityRecurrence(p.ctx, p.GPDoctor, a)
		wantCode(t, err, waymark.ENOTFOUND)
		es := p.auditSince(head)
		if len(es) != 2 || es[0].Action != casework.ActionEntityRecurrenceDenied || es[1].Action != "case.denied" {
			t.Fatalf("audit = %+v, want both refusals recorded", es)
		}
		for _, e := range es {
			if strings.Contains(e.Detail, p.loadCase(b).Reference()) {
				t.Errorf("a refused look disclosed the other case: %+v", e)
			}
		}
	})
}

// §6.8: the network view is the partnership lead's: recurring entities by
// kind and fingerprint with their cases' references, never a value; an
// erased case leaves it.
func TestNetworkViewShowsThePartnershipLeadRecurringEntitiesWithoutValues(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		mp := addMeetingPeople(t, p)
		a, b, c := entityCases(p)
		recordPhone(p, a, "07700 900123")
		recordPhone(p, b, "07700 900123")
		recordPhone(p, c, "07700 900555")
		p.meetingMustAct(p.SocialWorker, c, pathway.RecordEntity{Kind: pathway.EntityVehicle, Value: "ab12 cde", Role: pathway.EntityRoleSuspectedExploiter})
		p.meetingMustAct(p.SocialWorker, a, pathway.RecordLinkedPerson{Name: "Ali Karim", Relationship: pathway.RelationshipSuspectedExploiter})
		p.meetingMustAct(p.SocialWorker, c, pathway.RecordEntity{Kind: pathway.EntityPerson, Value: "KARIM Ali", Role: pathway.EntityRoleSuspectedExploiter})

		if _, _, err := p.svc.Network(p.ctx, p.SocialWorker, nil); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Fatalf("the social worker sees the network: %v", err)
		}
		head := p.auditHead()
		net, page, err := p.svc.Network(p.ctx, mp.Lead, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(net) != 2 || page.Next != nil {
			t.Fatalf("network = %+v, want the phone and the linked suspected exploiter", net)
		}
		kinds := map[string]int{}
		for _, r := range net {
			kinds[r.Kind] = r.Count
		}
		if kinds[pathway.EntityPhone] != 2 || kinds[pathway.EntityPerson] != 2 {
			t.Fatalf("network = %+v", net)
		}
		es := p.auditSince(head)
		if len(es) != 1 || es[0].Action != casework.ActionEntityNetworkViewed || strings.Contains(es[0].Detail, "7700") || strings.Contains(strings.ToLower(es[0].Detail), "karim") {
			t.Fatalf("audit = %+v, want the look recorded without any value", es)
		}
		// The vehicle is in one case only; removing the number from b
		// leaves the person alone recurring.
		p.meetingMustAct(p.SocialWorker, b, pathway.RemoveEntity{EntityID: p.loadCase(b).Entities()[0].ID, Reason: "The foster carer's number"})
		if net, _, _ = p.svc.Network(p.ctx, mp.Lead, nil); len(net) != 1 || net[0].Kind != pathway.EntityPerson {
			t.Fatalf("after removal the network = %+v", net)
		}
		if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("verify: %v", err)
		}
	})
}

// Entity keys are read models: verify finds a forged count and a rebuild
// writes it again.
func TestVerifyFindsAForgedEntityCountAndRebuildRestoresIt(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		a, b, _ := entityCases(p)
		recordPhone(p, a, "07700 900123")
		recordPhone(p, b, "07700 900123")
		if _, err := db.SQL().ExecContext(p.ctx, `UPDATE entity_counts SET cases = 9`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err == nil || !strings.Contains(err.Error(), "entity_counts") {
			t.Fatalf("verify passed a forged entity count: %v", err)
		}
		// A count's kind changed (the lead's network would call the phone a
		// vehicle) is found too.
		if _, err := db.SQL().ExecContext(p.ctx, `UPDATE entity_counts SET cases = 2, kind = 'vehicle'`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err == nil || !strings.Contains(err.Error(), "entity_counts") {
			t.Fatalf("verify passed a forged entity kind: %v", err)
		}
		if _, err := db.SQL().ExecContext(p.ctx, `DELETE FROM entity_keys WHERE case_id = $1`, a); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err == nil || !strings.Contains(err.Error(), "entity_keys") {
			t.Fatalf("verify passed a deleted entity key: %v", err)
		}
		if _, err := p.svc.RebuildReadModels(p.ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("verify after rebuild: %v", err)
		}
		// A case's entities filed under another partnership, with the counts
		// made to agree, would show that partnership's lead the case
		// (migration 0042): verify names the case.
		for _, q := range []string{`UPDATE entity_keys SET partnership_id = 'elsewhere' WHERE case_id = '` + b + `'`,
			`INSERT INTO entity_counts(partnership_id, key_hash, kind, cases) SELECT partnership_id, key_hash, kind, 1 FROM entity_keys WHERE case_id = '` + b + `'`,
			`UPDATE entity_counts SET cases = cases - 1 WHERE partnership_id <> 'elsewhere'`} {
			if _, err := db.SQL().ExecContext(p.ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err == nil || !strings.Contains(err.Error(), "under a partnership") || !strings.Contains(err.Error(), b) {
			t.Fatalf("verify passed a case's entities filed under another partnership: %v", err)
		}
		if _, err := p.svc.RebuildReadModels(p.ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("verify after the second rebuild: %v", err)
		}
	})
}

// An erased case's entities go with it: it no longer counts where they
// recur, and verify agrees.
func TestErasedCaseLeavesNoEntityKeys(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		a, b, _ := entityCases(p)
		recordPhone(p, a, "07700 900123")
		recordPhone(p, b, "07700 900123")
		lead, token := p.privacyLead()
		if err := p.svc.EraseCase(p.ctx, lead, token, storetest.Password, b, "Concern raised about the wrong child: confirmed by the school", "art17-1d"); err != nil {
			t.Fatal(err)
		}
		if n := p.count(`SELECT COUNT(*) FROM entity_keys WHERE case_id = '` + b + `'`); n != 0 {
			t.Fatalf("the erased case keeps %d entity keys", n)
		}
		rec, err := p.svc.EntityRecurrence(p.ctx, p.SocialWorker, a)
		if err != nil || len(rec) != 0 {
			t.Fatalf("recurrence after erasure = %+v, %v", rec, err)
		}
		if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("verify: %v", err)
		}
	})
}
