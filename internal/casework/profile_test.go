package casework_test

import (
	"strings"
	"testing"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/nrm"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §8.7: the form asks the First Responder for their job title, work phone
// and an email for when they are away. A person keeps them once on their
// profile; the referral they draft is filled from it, and the change is
// audited.
func TestAPersonKeepsTheirWorkDetailsAndTheReferralTheyDraftUsesThem(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id, _ := p.nrmCase()
		if f := p.draftField(p.SocialWorker, id, nrm.Referral, "fr-details-role"); f.Value != "" {
			t.Fatalf("job title before any profile = %q", f.Value)
		}
		head := p.auditHead()
		mine := casework.Profile{JobTitle: "  Senior   social worker ", WorkPhone: "01632 960 411", AwayEmail: "MASH@Northshire.Example"}
		if err := p.svc.SetMyProfile(p.ctx, p.SocialWorker, mine); err != nil {
			t.Fatal(err)
		}
		got, err := p.svc.MyProfile(p.ctx, p.SocialWorker)
		if err != nil || got != (casework.Profile{JobTitle: "Senior social worker", WorkPhone: "01632 960 411", AwayEmail: "mash@northshire.example"}) {
			t.Fatalf("profile = %+v, %v", got, err)
		}
		for field, want := range map[string]string{"fr-details-role": "Senior social worker", "fr-details-phone": "01632 960 411", "fr-alternative-contact": "mash@northshire.example"} {
			if f := p.draftField(p.SocialWorker, id, nrm.Referral, field); f.Value != want {
				t.Errorf("%s = %q, want %q from the profile", field, f.Value, want)
			}
		}
		audited := false
		for _, e := range p.auditSince(head) {
			if e.Action == casework.ActionProfileChanged && e.ActorID == p.SocialWorker.User.ID && e.Detail == "for "+p.SocialWorker.User.ID {
				audited = true
			}
		}
		if !audited {
			t.Error("the change to the profile was not audited")
		}
	})
}

func TestWorkDetailsAreCheckedBeforeTheyAreKept(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		for _, tc := range []struct {
			in    casework.Profile
			field string
		}{
			{casework.Profile{WorkPhone: "call me"}, "workPhone"},
			{casework.Profile{WorkPhone: "12"}, "workPhone"},
			{casework.Profile{AwayEmail: "the team inbox"}, "awayEmail"},
			{casework.Profile{JobTitle: strings.Repeat("Senior ", 40)}, "jobTitle"},
		} {
			err := p.svc.SetMyProfile(p.ctx, p.SocialWorker, tc.in)
			if waymark.ErrorCode(err) != waymark.EINVALID || !hasField(err, tc.field) {
				t.Errorf("%+v: %v, want a problem with %s", tc.in, err, tc.field)
			}
		}
		if got, _ := p.svc.MyProfile(p.ctx, p.SocialWorker); got != (casework.Profile{}) {
			t.Errorf("a refused profile was kept: %+v", got)
		}
	})
}

// An administrator gives a new person's work details when adding them, and
// may change anyone's later; nobody else sees or changes another person's.
func TestOnlyAnAdministratorSeesOrChangesSomeoneElsesWorkDetails(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		if _, err := p.svc.StaffProfile(p.ctx, p.Teacher, p.SocialWorker.User.ID); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("a teacher read a social worker's profile: %v", err)
		}
		if err := p.svc.SetStaffProfile(p.ctx, p.Teacher, p.session(p.Teacher), p.SocialWorker.User.ID, casework.Profile{JobTitle: "Intern"}); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("a teacher changed a social worker's profile: %v", err)
		}
		token := p.adminSession()
		m, err := p.svc.AddStaff(p.ctx, p.CSAdmin, token, casework.NewStaff{Email: "nia@cs.example", Name: "Nia New", Role: pathway.RoleSocialWorker,
			OrgID: p.ChildrensServices.ID, Profile: casework.Profile{JobTitle: "Social worker", WorkPhone: "01632 960 500"}})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := p.svc.StaffProfile(p.ctx, p.CSAdmin, m.ID); err != nil || got.JobTitle != "Social worker" || got.WorkPhone != "01632 960 500" {
			t.Fatalf("the new person's profile = %+v, %v", got, err)
		}
		if err := p.svc.SetStaffProfile(p.ctx, p.CSAdmin, token, m.ID, casework.Profile{JobTitle: "Senior social worker", AwayEmail: "duty@cs.example"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := p.svc.StaffProfile(p.ctx, p.CSAdmin, m.ID); got.JobTitle != "Senior social worker" || got.AwayEmail != "duty@cs.example" {
			t.Errorf("after the administrator's change: %+v", got)
		}
		_, err = p.svc.AddStaff(p.ctx, p.CSAdmin, token, casework.NewStaff{Email: "omar@cs.example", Name: "Omar New", Role: pathway.RoleSocialWorker,
			OrgID: p.ChildrensServices.ID, Profile: casework.Profile{WorkPhone: "ring the office"}})
		if !hasField(err, "workPhone") {
			t.Errorf("a person was added with a phone number that is not one: %v", err)
		}
	})
}

func hasField(err error, field string) bool {
	for _, f := range waymark.ErrorFields(err) {
		if f.Field == field {
			return true
		}
	}
	return false
}
