package casework_test

import (
	"strings"
	"testing"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/nrm"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §8.7: only an administrator, having just confirmed it is them, maps an
// organisation or the partnership to the Home Office form's list entries;
// anything that is not exactly an entry is refused, and each change is
// audited with the old and the new entries.
func TestOnlyAnAdministratorMapsAnOrganisationToTheFormsLists(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		admin, token := p.CSAdmin, p.adminSession()
		police := store.HOListMapping{Organisation: "Kent Police", PoliceForce: "Kent Police"}

		for _, v := range []casework.Viewer{p.PoliceLead, p.Manager, p.CSWorker} {
			err := p.svc.SetHOListMapping(p.ctx, v, p.session(v), p.Police.ID, police)
			wantCode(t, err, waymark.EFORBIDDEN)
		}
		err := p.svc.SetHOListMapping(p.ctx, admin, token, p.Police.ID, store.HOListMapping{PoliceForce: "Northshire Police"})
		wantCode(t, err, waymark.EINVALID)
		err = p.svc.SetHOListMapping(p.ctx, admin, token, p.Police.ID, store.HOListMapping{PoliceForce: "kent police"}) // the value, exactly
		wantCode(t, err, waymark.EINVALID)
		if err := p.svc.SetHOListMapping(p.ctx, admin, "", p.Police.ID, police); err == nil {
			t.Fatal("mapped without a recent password")
		}

		before := p.auditHead()
		if err := p.svc.SetHOListMapping(p.ctx, admin, token, p.Police.ID, police); err != nil {
			t.Fatal(err)
		}
		partnership := store.HOListMapping{LocalAuthority: "Kent County Council", PoliceForce: "Kent Police"}
		if err := p.svc.SetHOListMapping(p.ctx, admin, token, casework.HOListMappingSubjectPartnership, partnership); err != nil {
			t.Fatal(err)
		}
		a := p.auditSince(before)
		if len(a) != 2 || a[0].Action != casework.ActionOrgHOLists || a[0].OrgID != p.Police.ID || !strings.Contains(a[0].Detail, `police force "" to "Kent Police"`) ||
			!strings.Contains(a[1].Detail, "for the partnership") {
			t.Fatalf("audit entries: %+v", a)
		}
		orgs, got, err := p.svc.HOListMappings(p.ctx, admin)
		if err != nil || orgs[p.Police.ID].PoliceForce != "Kent Police" || got.LocalAuthority != "Kent County Council" {
			t.Fatalf("mappings: %+v, %+v, %v", orgs, got, err)
		}
		if _, _, err := p.svc.HOListMappings(p.ctx, p.PoliceLead); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Fatalf("a First Responder lead read the mappings: %v", err)
		}
	})
}

// The NRM draft's context carries the mappings of the organisations on the
// case and of the partnership, so that it proposes list entries (§8.7).
func TestTheNRMDraftKnowsTheOrganisationsListEntries(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		admin, token := p.CSAdmin, p.adminSession()
		cs := store.HOListMapping{Organisation: "Kent County Council", LocalAuthority: "Kent County Council"}
		if err := p.svc.SetHOListMapping(p.ctx, admin, token, p.ChildrensServices.ID, cs); err != nil {
			t.Fatal(err)
		}
		if err := p.svc.SetHOListMapping(p.ctx, admin, token, casework.HOListMappingSubjectPartnership, store.HOListMapping{PoliceForce: "Kent Police"}); err != nil {
			t.Fatal(err)
		}
		id, _ := p.nrmCase()
		ctx, err := p.svc.NRMContextForTest(p.ctx, p.SocialWorker, id)
		if err != nil {
			t.Fatal(err)
		}
		want := nrm.HOMapping{Organisation: "Kent County Council", LocalAuthority: "Kent County Council"}
		if ctx.Organisations[p.ChildrensServices.ID] != want || ctx.Partnership.PoliceForce != "Kent Police" {
			t.Fatalf("context: %+v", ctx)
		}
	})
}

// The form asks how the local authority contacted about the child is
// reached (§8.7): an administrator records Children's Services' phone and
// inbox with the entries once, and what the form would refuse is refused.
func TestTheLocalAuthoritysPhoneAndInboxAreRecordedOnceAndChecked(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		admin, token := p.CSAdmin, p.adminSession()
		for _, bad := range []store.HOListMapping{
			{LocalAuthorityPhone: "call the front door"},
			{LocalAuthorityPhone: "12"},
			{LocalAuthorityEmail: "front door at council"},
			{LocalAuthorityEmail: "a@b"},
		} {
			err := p.svc.SetHOListMapping(p.ctx, admin, token, casework.HOListMappingSubjectPartnership, bad)
			wantCode(t, err, waymark.EINVALID)
		}
		m := store.HOListMapping{LocalAuthority: "Kent County Council", LocalAuthorityPhone: " 01632  960 400 ", LocalAuthorityEmail: "front.door@kent.example"}
		if err := p.svc.SetHOListMapping(p.ctx, admin, token, casework.HOListMappingSubjectPartnership, m); err != nil {
			t.Fatal(err)
		}
		_, got, err := p.svc.HOListMappings(p.ctx, admin)
		if err != nil || got.LocalAuthorityPhone != "01632 960 400" || got.LocalAuthorityEmail != "front.door@kent.example" {
			t.Fatalf("partnership mapping: %+v, %v", got, err)
		}
	})
}
