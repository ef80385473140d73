package casework_test

import (
	"encoding/json"
	"strings"
	"testing"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Probing through links (issue 14 §1, §6.5): each request, link and export
// must tell a team no more about another child's case than the link gives.

// TestADeclinedLinkIsAskedAgainOnlyWithANewReason: after the earlier team
// declines, the same request with the same reason is refused; a new reason
// (new information) may ask again.
func TestADeclinedLinkIsAskedAgainOnlyWithANewReason(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newLinkWorld(t, db)
		id := w.ask()
		if err := w.svc.DeclineLink(w.ctx, w.CSWorker, w.first, id, "Our child was in placement with us that day"); err != nil {
			t.Fatal(err)
		}
		handle := earlier(t, w.partnership, w.south, w.again)[0].Handle
		err := w.svc.RequestLink(w.ctx, w.south, w.again, handle, "  same date of birth and the same SCAR on her left hand ")
		wantCodeOf(t, "asking again with the declined reason", err, waymark.EINVALID)
		if err := w.svc.RequestLink(w.ctx, w.south, w.again, handle, "She told us today she lived in Northtown last year"); err != nil {
			t.Fatalf("asking again with a new reason: %v", err)
		}
	})
}

// TestALinkedTeamDoesNotSeeTheEarlierCasesLinksToOtherCases: a team
// linked to the earlier case reads its history, but not that the child is
// linked to a third team's case too: that is for the third team to share.
func TestALinkedTeamDoesNotSeeTheEarlierCasesLinksToOtherCases(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newLinkWorld(t, db)
		if err := w.svc.ConfirmLink(w.ctx, w.CSWorker, w.first, w.ask()); err != nil {
			t.Fatal(err)
		}
		west := w.thirdArea()
		db.SetChildrensServicesOrg("org-cs3")
		third := w.raise(raisedAgainUnderAlias)
		var handle string
		for _, r := range earlier(t, w.partnership, west, third) {
			if r.AskOrg == w.ChildrensServices.Name {
				handle = r.Handle
			}
		}
		if err := w.svc.RequestLink(w.ctx, west, third, handle, "The same scar, and she named the same foster carer"); err != nil {
			t.Fatal(err)
		}
		links, err := w.svc.CaseLinks(w.ctx, w.CSWorker, w.first)
		if err != nil || len(links.Received) != 1 {
			t.Fatalf("the earlier team's requests: %+v, %v", links.Received, err)
		}
		if err := w.svc.ConfirmLink(w.ctx, w.CSWorker, w.first, links.Received[0].ID); err != nil {
			t.Fatal(err)
		}
		if l, err := w.svc.CaseLinks(w.ctx, w.CSWorker, w.first); err != nil || len(l.Links) != 2 {
			t.Fatalf("the earlier team sees %d links (%v), want both", len(l.Links), err)
		}
		seen, err := w.svc.CaseLinks(w.ctx, w.south, w.first)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(seen)
		if len(seen.Links) != 1 || seen.Links[0].OtherCaseID != w.again || strings.Contains(string(b), third) || strings.Contains(string(b), "Westshire") {
			t.Errorf("the linked team sees the earlier case's links %+v, requests %+v", seen.Links, seen.Answered)
		}
	})
}

// TestASubjectAccessExportNamesNoCaseItIsNotLinkedTo: the export of the
// new case, given to the child or whoever asks for them, holds no id of the
// earlier case after its team declined, and the earlier case's export none
// of the new case it was compared with (another child until confirmed).
func TestASubjectAccessExportNamesNoCaseItIsNotLinkedTo(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newLinkWorld(t, db)
		id := w.ask()
		if err := w.svc.DeclineLink(w.ctx, w.CSWorker, w.first, id, "Our child was in placement with us that day"); err != nil {
			t.Fatal(err)
		}
		lead, token := w.privacyLead()
		for _, c := range [][2]string{{w.again, w.first}, {w.first, w.again}} {
			x, err := w.svc.ExportCase(w.ctx, lead, token, storetest.Password, c[0])
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(x)
			if strings.Contains(string(b), c[1]) || strings.Contains(x.Text(), c[1]) {
				i := strings.Index(string(b), c[1])
				t.Errorf("the export of %s names the case %s it is not linked to: …%s…", c[0], c[1], string(b)[max(0, i-300):min(len(b), i+100)])
			}
			if !strings.Contains(string(b), "another case (not linked)") {
				t.Errorf("the export of %s does not say a case was left out", c[0])
			}
		}
	})
}

// thirdArea is a third Children's Services front door, Westshire.
func (p *partnership) thirdArea() casework.Viewer {
	p.t.Helper()
	org := store.Organisation{ID: "org-cs3", Name: "Westshire Children's Services", Kind: "local-authority", ChildrensServices: true, CreatedAt: p.clock.Now()}
	var v casework.Viewer
	err := p.db.Update(p.ctx, func(tx *store.Tx) error {
		if err := tx.InsertOrganisation(org); err != nil {
			return err
		}
		if err := tx.InsertUser(store.User{ID: "user-cs3", OrgID: org.ID, Email: "front.door@west.example", Name: "Wren West", Role: pathway.RoleChildrensServices, CreatedAt: p.clock.Now()}); err != nil {
			return err
		}
		u, err := tx.UserByID("user-cs3")
		v = casework.Viewer{User: u}
		return err
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return v
}
