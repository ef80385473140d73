package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"waymark/internal/access"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// linkEnv is a child raised in Northshire and, three weeks on, raised again
// in Southshire under another given name (§4.3, §4.8, §7.1): two front
// doors on one deployment, each team a member only of its own case.
type linkEnv struct {
	*testEnv
	first, again, firstRef string
	south                  string // the Southshire front door's email
}

func newLinkEnv(t *testing.T, db *store.DB) *linkEnv {
	t.Helper()
	e := newEnv(t, db)
	ctx := context.Background()
	hash, err := access.HashPassword(storetest.Password, storetest.FastArgon)
	if err != nil {
		t.Fatal(err)
	}
	south := "front.door@south.example"
	err = db.Update(ctx, func(tx *store.Tx) error {
		org := store.Organisation{ID: "org-south", Name: "Southshire Children's Services", Kind: "local-authority", ChildrensServices: true, CreatedAt: e.clock.Now()}
		if err := tx.InsertOrganisation(org); err != nil {
			return err
		}
		if err := tx.InsertUser(store.User{ID: "user-south", OrgID: org.ID, Email: south, Name: "Sol South", Role: pathway.RoleChildrensServices, PasswordHash: hash, CreatedAt: e.clock.Now()}); err != nil {
			return err
		}
		return casework.EnrolTOTP(tx, "user-south", storetest.TOTPSecret, e.clock.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	db.SetChildrensServicesOrg(e.p.ChildrensServices.ID)
	c := storetest.ValidConcern(e.clock.Now())
	c.Child.DateOfBirth, c.Child.Aliases = "2011-11-20", []string{"Mimi Hoxha"} // known by another name too (§4.8)
	first, err := e.svc.RaiseConcern(ctx, e.p.Teacher, c)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := e.svc.RecordContact(ctx, e.p.CSWorker, first, 1, "phone", "")
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(21 * 24 * time.Hour)
	db.SetChildrensServicesOrg("org-south")
	c = storetest.ValidConcern(e.clock.Now())
	c.Child.GivenNames, c.Child.FamilyName, c.Child.Aliases, c.Child.DateOfBirth = "Mimi", "Hoxha", nil, "2011-11-20"
	c.Child.CurrentLocation, c.IdentifiedWhere = "Bus station, Southtown", "Southtown bus station"
	again, err := e.svc.RaiseConcern(ctx, e.p.Teacher, c)
	if err != nil {
		t.Fatal(err)
	}
	return &linkEnv{testEnv: e, first: first, again: again, firstRef: ref, south: south}
}

var askAction = regexp.MustCompile(`action="(/cases/[^"]+/earlier-records/[^"]+/link)"`)

// TestTheNewTeamSeesOnlyThatAnEarlierRecordExistsAndWhomToAsk: the case
// page shows the strength, what agrees and whom to ask, and nothing of the
// earlier case: no reference, no id, no name (issue 14 §1, §6.5).
func TestTheNewTeamSeesOnlyThatAnEarlierRecordExistsAndWhomToAsk(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newLinkEnv(t, db)
		b := e.browser()
		b.signIn(e.south)
		for _, path := range []string{"/cases/" + e.again, "/cases/" + e.again + "/earlier-records"} {
			rec := b.get(path)
			page := rec.Body.String()
			want := []string{"Possible earlier record 1", "Northshire Children&#39;s Services"}
			if !strings.HasSuffix(path, "/earlier-records") {
				// The overview reads the summary kept when the child's
				// details were recorded: how many and how strong only.
				want = []string{"Possible earlier records of this child", "found 1 possible earlier record of this child"}
			}
			if rec.Code != http.StatusOK || !strings.Contains(page, want[0]) || !strings.Contains(page, want[1]) {
				t.Fatalf("GET %s: %d, no earlier record with whom to ask:\n%s", path, rec.Code, page)
			}
			for _, secret := range []string{e.first, e.firstRef, "Amira"} {
				if strings.Contains(page, secret) {
					t.Errorf("GET %s shows %q of the earlier case", path, secret)
				}
			}
		}
		tok := e.signInAPI(e.south)
		rec := e.api("GET", "/api/v1/cases/"+e.again+"/earlier-records", tok, nil)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"askOrganisation": "Northshire Children's Services"`) {
			t.Fatalf("API earlier records: %d %s", rec.Code, rec.Body)
		}
		for _, secret := range []string{e.first, e.firstRef, "Amira"} {
			if strings.Contains(rec.Body.String(), secret) {
				t.Errorf("the API shows %q of the earlier case", secret)
			}
		}
		// The referrer is on the case but not its team: told to ask the team.
		teacher := e.signInAPI(e.p.Teacher.User.Email)
		mustProblem(t, e.api("GET", "/api/v1/cases/"+e.again+"/earlier-records", teacher, nil), http.StatusForbidden)
	})
}

// TestALinkAskedOnOnePageIsConfirmedByTheOtherTeamThroughTheAPI: a request
// without a reason is shown again with an error summary; with one it
// reaches the earlier team, who confirm it; the new team then opens the
// earlier case's timeline, and each timeline names the other reference.
func TestALinkAskedOnOnePageIsConfirmedByTheOtherTeamThroughTheAPI(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newLinkEnv(t, db)
		b := e.browser()
		b.signIn(e.south)
		page := b.get("/cases/" + e.again + "/earlier-records").Body.String()
		m := askAction.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no Ask to link form:\n%s", page)
		}
		csrf := hiddenInput(page, "csrf_token")
		rec := b.post(m[1], url.Values{"csrf_token": {csrf}, "field": {"reason-1"}, "reason-1": {" "}})
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `href="#reason-1"`) || !strings.Contains(rec.Body.String(), "govuk-error-summary") {
			t.Fatalf("asking without a reason: %d, want 422 with an error summary linking to the field:\n%s", rec.Code, rec.Body)
		}
		if b.get("/cases/"+e.first).Code != http.StatusNotFound {
			t.Fatal("the new team opens the earlier case before a link")
		}
		rec = b.post(m[1], url.Values{"csrf_token": {csrf}, "field": {"reason-1"}, "reason-1": {"Same date of birth and the same scar"}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("asking to link: %d %s", rec.Code, rec.Body)
		}
		if page := b.get("/cases/" + e.again + "/earlier-records").Body.String(); !strings.Contains(page, "Asked: waiting for an answer") || askAction.MatchString(page) {
			t.Errorf("once asked, the record is still offered to ask for")
		}

		north := e.signInAPI(e.p.SocialWorker.User.Email)
		var links struct {
			Received []struct{ ID, Organisation, Reason string }
		}
		decodeInto(t, e.api("GET", "/api/v1/cases/"+e.first+"/links", north, nil), &links)
		if len(links.Received) != 1 || links.Received[0].Organisation != "Southshire Children's Services" {
			t.Fatalf("the earlier team's requests: %+v", links.Received)
		}
		mustProblem(t, e.api("POST", "/api/v1/cases/"+e.first+"/links/"+links.Received[0].ID+"/decline", north, map[string]any{"reason": ""}), http.StatusUnprocessableEntity)
		if rec := e.api("POST", "/api/v1/cases/"+e.first+"/links/"+links.Received[0].ID+"/confirm", north, nil); rec.Code != http.StatusOK {
			t.Fatalf("confirming: %d %s", rec.Code, rec.Body)
		}

		rec = b.get("/cases/" + e.first + "/timeline")
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Contact recorded") {
			t.Fatalf("the new team reading the earlier case's history: %d", rec.Code)
		}
		if rec := b.get("/cases/" + e.again + "/timeline"); !strings.Contains(rec.Body.String(), "Linked to "+e.firstRef+" (the same child)") {
			t.Errorf("the new case's timeline does not name the earlier reference")
		}
		if rec := b.get("/cases/" + e.again + "/earlier-records"); !strings.Contains(rec.Body.String(), e.firstRef) {
			t.Errorf("the linked case is not listed with its reference")
		}
	})
}
