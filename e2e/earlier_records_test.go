package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"waymark/internal/access"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Issue 14 §1: a child raised in one area goes missing and is raised again
// in another under a new name (§4.3, §4.8, §7.1). The second area's team is
// told a likely earlier record exists, how strong the match is and whom to
// ask, and nothing else (§6.5); the first area's team confirms the link,
// and the second team then reads the earlier case's history.

const (
	southEmail = "front.door@south.example"
	southName  = "Sol South"
	northEmail = "front.door@cs.example" // storetest.Partnership's front door
	northName  = "Fola Front"
)

// aliasWorld is two front doors on one deployment: Northshire's case of
// the child, with its reference, and Southshire's new concern under an alias.
type aliasWorld struct {
	*screens
	first, again, firstRef string
}

func newAliasWorld(t *testing.T) *aliasWorld {
	t.Helper()
	s := newScreens(t)
	ctx := context.Background()
	hash, err := access.HashPassword(storetest.Password, storetest.FastArgon)
	if err != nil {
		t.Fatal(err)
	}
	now := s.clock.Now()
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.InsertOrganisation(store.Organisation{ID: "org-south", Name: "Southshire Children's Services", Kind: "local-authority", ChildrensServices: true, CreatedAt: now}); err != nil {
			return err
		}
		if err := tx.InsertUser(store.User{ID: "user-south", OrgID: "org-south", Email: southEmail, Name: southName, Role: pathway.RoleChildrensServices, PasswordHash: hash, CreatedAt: now}); err != nil {
			return err
		}
		return casework.EnrolTOTP(tx, "user-south", storetest.TOTPSecret, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	w := &aliasWorld{screens: s}
	s.db.SetChildrensServicesOrg(s.p.ChildrensServices.ID)
	c := storetest.ValidConcern(s.clock.Now())
	c.Child.DateOfBirth, c.Child.Aliases = "2011-11-20", []string{"Mimi Hoxha"} // known by another name too (§4.8)
	if w.first, err = s.svc.RaiseConcern(ctx, s.p.Teacher, c); err != nil {
		t.Fatal(err)
	}
	if w.firstRef, err = s.svc.RecordContact(ctx, s.p.CSWorker, w.first, 1, "phone", "Called by the school's DSL"); err != nil {
		t.Fatal(err)
	}
	// Weeks later in the story; minutes on the stopped clock, which the
	// browser's cookies are dated by.
	s.clock.Advance(5 * time.Minute)
	s.db.SetChildrensServicesOrg("org-south")
	c = storetest.ValidConcern(s.clock.Now())
	c.Child.GivenNames, c.Child.FamilyName, c.Child.Aliases, c.Child.DateOfBirth = "Mimi", "Hoxha", nil, "2011-11-20"
	c.Child.CurrentLocation, c.IdentifiedWhere = "Bus station, Southtown", "Southtown bus station"
	if w.again, err = s.svc.RaiseConcern(ctx, s.p.Teacher, c); err != nil {
		t.Fatal(err)
	}
	return w
}

// wantNothingOfTheEarlierCase fails if the page shows the earlier case's
// id, reference or child's name.
func (w *aliasWorld) wantNothingOfTheEarlierCase(b *browser) {
	b.t.Helper()
	html := b.html()
	first := storetest.ValidConcern(w.clock.Now()).Child
	for _, secret := range []string{w.first, w.firstRef, first.GivenNames} {
		if strings.Contains(html, secret) {
			b.fatalf("%s shows %q of the earlier case to a team not on it", b.path(), secret)
		}
	}
}

func TestAConcernUnderANewAliasIsLinkedToTheEarlierCaseAndTheNewTeamSeesItsHistory(t *testing.T) {
	w := newAliasWorld(t)
	b := w.browser(false)

	// The new team finds the earlier record on its case and asks to link it.
	w.signIn(b, southEmail, southName)
	b.open("/cases/" + w.again)
	b.expectText("Possible earlier records of this child", "found 1 possible earlier record")
	w.wantNothingOfTheEarlierCase(b)
	b.open("/cases/" + w.again + "/earlier-records")
	b.expectText("Possible earlier records of this child", "Northshire Children's Services")
	w.wantNothingOfTheEarlierCase(b)
	b.narrowAxe("earlier-record")
	b.click(`#earlier-1 button[type="submit"]`) // no reason given
	b.expectErrorSummary("reason-1")
	b.narrowAxe("earlier-record-error")
	b.fill("reason-1", "Same date of birth and the same scar on her left hand")
	b.click(`#earlier-1 button[type="submit"]`)
	b.expectText("Request sent", "Waiting for an answer")
	if status := b.open("/cases/" + w.first); status != 404 {
		b.fatalf("the new team opening the earlier case before the link: %d, want 404", status)
	}
	b.signOut()

	// The earlier case's team confirms it.
	w.signIn(b, northEmail, northName)
	b.open("/cases/" + w.first + "/earlier-records")
	b.expectText("Requests to link a later concern to this case", "From Southshire Children's Services", "Same date of birth and the same scar")
	b.narrowAxe("link-request")
	b.click(`#request-1 form[action$="/confirm"] button[type="submit"]`)
	b.expectText("Link confirmed", "the same child")
	b.signOut()

	// The new team now reads the earlier case's history, and each timeline
	// names the other reference.
	w.signIn(b, southEmail, southName)
	if status := b.open("/cases/" + w.first + "/timeline"); status != 200 {
		b.fatalf("the new team opening the earlier case's timeline once linked: %d", status)
	}
	b.expectText("Contact recorded by Children's Services – reference " + w.firstRef)
	b.open("/cases/" + w.again + "/timeline")
	b.expectText("Linked to " + w.firstRef + " (the same child)")
	b.open("/cases/" + w.again + "/earlier-records")
	b.expectText("Linked to " + w.firstRef)
	b.narrowAxe("linked")
	b.signOut()
}

func TestANonMemberSeesOnlyThatAnEarlierRecordExists(t *testing.T) {
	w := newAliasWorld(t)
	b := w.browser(false)
	w.signIn(b, southEmail, southName)
	b.open("/cases/" + w.again) // the overview: how many and how strong only
	b.expectText("Possible earlier records of this child", "found 1 possible earlier record")
	w.wantNothingOfTheEarlierCase(b)
	b.open("/cases/" + w.again + "/earlier-records")
	b.expectText("Possible earlier record 1", "Who to ask", "Northshire Children's Services")
	w.wantNothingOfTheEarlierCase(b)
	if status := b.open("/cases/" + w.first); status != 404 {
		b.fatalf("opening the earlier case: %d, want 404", status)
	}
	w.wantNothingOfTheEarlierCase(b)
	b.signOut()
}
