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

// mapPolice maps the police to designation as the store holds it, whether
// or not the catalogue lists it (as a catalogue update can leave it), and
// returns the police lead as they are loaded at their next request.
func (p *partnership) mapPolice(designation string) casework.Viewer {
	p.t.Helper()
	var v casework.Viewer
	err := p.db.Update(p.ctx, func(tx *store.Tx) error {
		if err := tx.SetFirstResponderDesignation(p.Police.ID, designation); err != nil {
			return err
		}
		u, err := tx.UserByID(p.PoliceLead.User.ID)
		v = casework.Viewer{User: u}
		return err
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return v
}

// §8.2, annex: whether the police may submit the NRM referral follows only
// their mapping to a designation on the catalogue's First Responder list:
// mapped to a listed one, they may; mapped to none, or to one the catalogue
// no longer lists, they may not.
func TestOnlyAnOrganisationMappedToAListedDesignationSubmitsTheNRM(t *testing.T) {
	for _, tc := range []struct {
		name, designation string
		submits           bool
	}{
		{"mapped to Police forces", "police", true},
		{"mapped to a voluntary designation", "barnardos", true},
		{"not a First Responder", "", false},
		{"designation no longer listed", "regional-organised-crime-unit", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
				p := newPartnership(t, db)
				id := p.raise()
				p.nrmAct(p.CSWorker, id, pathway.AssignWorker{WorkerEmail: p.PoliceLead.User.Email})
				lead := p.mapPolice(tc.designation)
				err := p.svc.Act(p.ctx, lead, id, p.version(id), pathway.SubmitNRMReferral{SubmittedAt: p.clock.Now(), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes, ReasonWithoutMeeting: "The child is to be moved tonight."})
				if tc.submits {
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					return
				}
				wantCode(t, err, waymark.EFORBIDDEN)
			})
		})
	}
}

// The designation decides the Actor's First Responder capability against
// the catalogue in use: the Viewer's organisation says which designation
// it holds, never whether it is a First Responder.
func TestTheFirstResponderCapabilityComesFromTheCatalogue(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		v := p.PoliceLead
		if !v.Actor(p.svc.Catalog).InFirstResponderOrg {
			t.Fatal("the police, mapped to Police forces, are not a First Responder")
		}
		v.User.Org.FirstResponderDesignation = "regional-organised-crime-unit"
		v.User.Org.FirstResponder = true // what a stale or forged viewer says counts for nothing
		if v.Actor(p.svc.Catalog).InFirstResponderOrg {
			t.Fatal("an unlisted designation made the police a First Responder")
		}
		v.User.Org.FirstResponderDesignation = ""
		if v.Actor(p.svc.Catalog).InFirstResponderOrg {
			t.Fatal("no designation made the police a First Responder")
		}
		if p.Teacher.Actor(p.svc.Catalog).InFirstResponderOrg {
			t.Fatal("the school is a First Responder")
		}
	})
}

// An administrator chooses the designation from the catalogue's list, or
// "not a First Responder"; an id the list does not have is refused, and the
// change is audited. The organisations list shows an unlisted designation.
func TestAnAdministratorMapsAnOrganisationToADesignation(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		admin, token := p.CSAdmin, p.adminSession()
		err := p.svc.SetFirstResponderDesignation(p.ctx, admin, token, p.School.ID, "not-on-the-list")
		wantCode(t, err, waymark.EINVALID)
		if err := p.svc.SetFirstResponderDesignation(p.ctx, p.PoliceLead, "", p.School.ID, "police"); err == nil {
			t.Fatal("a First Responder lead changed a designation")
		}
		if err := p.svc.SetFirstResponderDesignation(p.ctx, admin, token, p.School.ID, "nspcc-ctac"); err != nil {
			t.Fatal(err)
		}
		orgs, err := p.svc.StaffOrganisations(p.ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range orgs {
			if o.ID == p.School.ID && (!o.FirstResponder || o.FirstResponderDesignation != "nspcc-ctac") {
				t.Fatalf("the school after mapping: %+v", o)
			}
		}
		if a := p.auditSince(0); !strings.Contains(a[len(a)-1].Detail, `"nspcc-ctac"`) || a[len(a)-1].Action != casework.ActionOrgFirstResponder {
			t.Fatalf("last audit entry %+v", a[len(a)-1])
		}

		p.mapPolice("regional-organised-crime-unit")
		orgs, _ = p.svc.StaffOrganisations(p.ctx, admin)
		for _, o := range orgs {
			if o.ID != p.Police.ID {
				continue
			}
			if st := p.svc.FirstResponderStatusOf(o); o.FirstResponder || !st.Unlisted || st.Designation != "regional-organised-crime-unit" {
				t.Fatalf("the police with an unlisted designation: %+v, %+v", o, st)
			}
		}
	})
}
