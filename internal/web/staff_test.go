package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"waymark/internal/access"
	"waymark/internal/casework"
	"waymark/internal/notify"
	"waymark/internal/notify/notifytest"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

var staffPersonPath = regexp.MustCompile(`^/admin/staff/([0-9a-z]+)\?done=added$`)

// An administrator manages staff accounts through plain HTML forms: list
// and filter, add (never seeing a password), change the role, disable,
// enable, unlock and disable several at once; a mistake is shown in the
// error summary; and nothing on these pages is about a case.
func TestAnAdministratorManagesStaffThroughThePages(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		caseID := e.raiseCase()
		admin := e.browser()
		admin.signIn("admin@cs.example")
		if home := admin.get("/"); !strings.Contains(home.Body.String(), `href="/admin/staff"`) {
			t.Error("the administrator has no link to the staff accounts")
		}
		noCaseData := func(what string, body string) {
			t.Helper()
			for _, leak := range []string{caseID, "Amira", "/cases/"} {
				if strings.Contains(body, leak) {
					t.Errorf("%s shows case data (%q)", what, leak)
				}
			}
		}
		list := admin.get("/admin/staff")
		if list.Code != http.StatusOK || !strings.Contains(list.Body.String(), "Tara Teacher") || !strings.Contains(list.Body.String(), "Disable selected accounts") {
			t.Fatalf("the staff list: %d", list.Code)
		}
		noCaseData("the staff list", list.Body.String())
		csrf := hiddenInput(list.Body.String(), "csrf_token")
		school := admin.get("/admin/staff?organisation=org-school").Body.String()
		if !strings.Contains(school, "Tara Teacher") || strings.Contains(school, "Fola Front") {
			t.Error("filtering by organisation shows other organisations' people")
		}

		// Minutes later, a change needs the administrator to confirm who they are.
		e.clock.Advance(6 * time.Minute)
		page := admin.get("/admin/staff/new").Body.String()
		if !strings.Contains(page, "Confirm it is you") || strings.Contains(page, `action="/admin/staff"`) {
			t.Fatal("without a recent confirmation the add form is offered")
		}
		if rec := admin.post("/admin/staff/confirm", url.Values{"csrf_token": {csrf}, "next": {"/admin/staff/new"}, "confirm": {"not my password"}}); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `href="#confirm"`) {
			t.Fatalf("a wrong password: %d", rec.Code)
		}
		// A refused confirmation keeps the administrator on the page they were on.
		if rec := admin.post("/admin/staff/confirm", url.Values{"csrf_token": {csrf}, "next": {"/admin/staff/new"}, "confirm": {"not my password"}}); !strings.Contains(rec.Body.String(), "Error: Add a person") {
			t.Fatalf("a wrong password on the add page shows another page:\n%s", rec.Body)
		}
		if rec := admin.post("/admin/staff/confirm", url.Values{"csrf_token": {csrf}, "next": {"/admin/staff/user-teacher"}, "confirm": {""}}); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Error: Tara Teacher") {
			t.Fatalf("an empty confirmation on a person's page shows another page: %d", rec.Code)
		}
		if rec := admin.post("/admin/staff/confirm", url.Values{"csrf_token": {csrf}, "next": {"/admin/staff/new"}, "confirm": {storetest.Password}}); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/staff/new?done=confirmed" {
			t.Fatalf("confirming: %d %s", rec.Code, rec.Header().Get("Location"))
		}

		before := e.count("users")
		bad := admin.post("/admin/staff", url.Values{"csrf_token": {csrf}, "email": {"nia at hillside"}, "name": {""}, "organisation": {"org-school"}, "role": {"overlord"}})
		for _, field := range []string{"email", "name", "role"} {
			if bad.Code != http.StatusUnprocessableEntity || !strings.Contains(bad.Body.String(), `href="#`+field+`"`) {
				t.Errorf("bad answers: %d, no error for %s in the summary", bad.Code, field)
			}
		}
		unknown := admin.post("/admin/staff", url.Values{"csrf_token": {csrf}, "email": {"nia@northfield.example"}, "name": {"Nia New"}, "organisation": {"org-nowhere"}, "role": {"practitioner"}})
		if unknown.Code != http.StatusUnprocessableEntity || !strings.Contains(unknown.Body.String(), "No organisation with id org-nowhere") {
			t.Errorf("an unknown organisation: %d", unknown.Code)
		}
		if e.count("users") != before {
			t.Fatal("an account saved from bad answers")
		}
		added := admin.post("/admin/staff", url.Values{"csrf_token": {csrf}, "email": {"Nia@Northfield.Example"}, "name": {"Nia New"}, "organisation": {"org-school"}, "role": {"practitioner"}})
		m := staffPersonPath.FindStringSubmatch(added.Header().Get("Location"))
		if added.Code != http.StatusSeeOther || m == nil {
			t.Fatalf("adding: %d %s", added.Code, added.Header().Get("Location"))
		}
		id := m[1]
		person := admin.get("/admin/staff/" + id + "?done=added").Body.String()
		if !strings.Contains(person, "nia@northfield.example") || !strings.Contains(person, "you never see it") {
			t.Error("the new person's page")
		}
		noCaseData("a person's page", person)

		for _, step := range []struct{ path, value, done string }{
			{"/role", "manager", "role"}, {"/disable", "", "disabled"}, {"/enable", "", "enabled"}, {"/unlock", "", "unlocked"},
		} {
			form := url.Values{"csrf_token": {csrf}}
			if step.value != "" {
				form.Set("role", step.value)
			}
			if rec := admin.post("/admin/staff/"+id+step.path, form); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/staff/"+id+"?done="+step.done {
				t.Fatalf("%s: %d %s", step.path, rec.Code, rec.Header().Get("Location"))
			}
		}
		if rec := admin.post("/admin/staff/disable", url.Values{"csrf_token": {csrf}, "users": {id, e.p.Colleague.User.ID}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("disabling two at once: %d", rec.Code)
		}
		disabled := admin.get("/admin/staff?status=disabled").Body.String()
		if !strings.Contains(disabled, "Nia New") || !strings.Contains(disabled, "Cal Colleague") || strings.Contains(disabled, "Tara Teacher") {
			t.Error("the disabled accounts are not the two chosen")
		}

		// The last administrator cannot lock the partnership out.
		self := admin.post("/admin/staff/disable", url.Values{"csrf_token": {csrf}, "users": {e.p.CSAdmin.User.ID}})
		if self.Code != http.StatusConflict || !strings.Contains(self.Body.String(), "no enabled administrator") || !strings.Contains(self.Body.String(), `href="#users"`) {
			t.Fatalf("disabling the last administrator: %d", self.Code)
		}
		if orgs := admin.get("/admin/organisations"); orgs.Code != http.StatusOK || !strings.Contains(orgs.Body.String(), "Northfield Academy") {
			t.Fatalf("the organisations: %d", orgs.Code)
		}

		// Nobody else reaches these pages.
		manager := e.browser()
		manager.signIn("manager@cs.example")
		for _, path := range []string{"/admin/staff", "/admin/staff/new", "/admin/staff/" + id, "/admin/organisations"} {
			if rec := manager.get(path); rec.Code != http.StatusForbidden {
				t.Errorf("a manager at %s: %d", path, rec.Code)
			}
		}
	})
}

// The same through the API, every answer as documented; an unknown
// organisation is a 422 problem that names it.
func TestAnAdministratorManagesStaffThroughTheAPI(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		doc := loadOpenAPI(t)
		admin := e.signInAPI("admin@cs.example")
		list := e.api("GET", "/api/v1/staff?organisation=org-school&status=active", admin, nil)
		checkDocumentedResponse(t, doc, "GET /api/v1/staff", list)
		if list.Code != http.StatusOK || !strings.Contains(list.Body.String(), "dsl@northfield.example") || strings.Contains(list.Body.String(), "front.door@cs.example") {
			t.Fatalf("listing: %d %s", list.Code, list.Body)
		}
		rec := e.api("POST", "/api/v1/staff", admin, map[string]any{"email": "nia@northfield.example", "name": "Nia", "role": "practitioner", "organisationId": "org-nowhere"})
		checkDocumentedResponse(t, doc, "POST /api/v1/staff", rec)
		if p := mustProblem(t, rec, http.StatusUnprocessableEntity); p.Detail != "No organisation with id org-nowhere" {
			t.Fatalf("an unknown organisation: %s", rec.Body)
		}
		rec = e.api("POST", "/api/v1/staff", admin, map[string]any{"email": "nia@northfield.example", "name": "Nia", "role": "practitioner", "organisationId": "org-school"})
		checkDocumentedResponse(t, doc, "POST /api/v1/staff", rec)
		var made apiStaffMember
		decodeInto(t, rec, &made)
		if rec.Code != http.StatusCreated || made.ID == "" || !made.SingleSignOnOnly {
			t.Fatalf("adding: %d %s", rec.Code, rec.Body)
		}
		if rec := e.api("POST", "/api/v1/staff", admin, map[string]any{"email": "NIA@northfield.example", "name": "Nia", "role": "practitioner", "organisationId": "org-school"}); rec.Code != http.StatusConflict {
			t.Fatalf("the same address again: %d %s", rec.Code, rec.Body)
		}
		rec = e.api("PUT", "/api/v1/staff/"+made.ID+"/role", admin, map[string]any{"role": "manager"})
		checkDocumentedResponse(t, doc, "PUT /api/v1/staff/{id}/role", rec)
		if rec.Code != http.StatusNoContent {
			t.Fatalf("changing the role: %d %s", rec.Code, rec.Body)
		}
		rec = e.api("POST", "/api/v1/staff/disable", admin, map[string]any{"users": []string{made.ID, e.p.Colleague.User.ID}})
		checkDocumentedResponse(t, doc, "POST /api/v1/staff/disable", rec)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"changed": 2`) {
			t.Fatalf("disabling: %d %s", rec.Code, rec.Body)
		}
		rec = e.api("POST", "/api/v1/staff/enable", admin, map[string]any{"users": []string{e.p.Colleague.User.ID}})
		checkDocumentedResponse(t, doc, "POST /api/v1/staff/enable", rec)
		if rec.Code != http.StatusOK {
			t.Fatalf("enabling: %d %s", rec.Code, rec.Body)
		}
		rec = e.api("POST", "/api/v1/staff/"+e.p.Colleague.User.ID+"/unlock", admin, nil)
		checkDocumentedResponse(t, doc, "POST /api/v1/staff/{id}/unlock", rec)
		if rec.Code != http.StatusNoContent {
			t.Fatalf("unlocking: %d %s", rec.Code, rec.Body)
		}
		rec = e.api("POST", "/api/v1/staff/disable", admin, map[string]any{"users": []string{e.p.CSAdmin.User.ID}})
		checkDocumentedResponse(t, doc, "POST /api/v1/staff/disable", rec)
		mustProblem(t, rec, http.StatusConflict)
		rec = e.api("GET", "/api/v1/organisations", admin, nil)
		checkDocumentedResponse(t, doc, "GET /api/v1/organisations", rec)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"kind": "school"`) {
			t.Fatalf("organisations: %d %s", rec.Code, rec.Body)
		}

		// Minutes later, a change needs a fresh confirmation; a manager may do nothing.
		e.clock.Advance(6 * time.Minute)
		rec = e.api("POST", "/api/v1/staff/disable", admin, map[string]any{"users": []string{e.p.Colleague.User.ID}})
		checkDocumentedResponse(t, doc, "POST /api/v1/staff/disable", rec)
		mustProblem(t, rec, http.StatusForbidden)
		rec = e.api("POST", "/api/v1/staff/disable", admin, map[string]any{"users": []string{e.p.Colleague.User.ID}, "password": storetest.Password})
		if rec.Code != http.StatusOK {
			t.Fatalf("disabling with the password: %d %s", rec.Code, rec.Body)
		}
		manager := e.signInAPI("manager@cs.example")
		for _, op := range []struct{ method, path string }{{"GET", "/api/v1/staff"}, {"GET", "/api/v1/organisations"}} {
			rec := e.api(op.method, op.path, manager, nil)
			checkDocumentedResponse(t, doc, op.method+" "+op.path, rec)
			mustProblem(t, rec, http.StatusForbidden)
		}
	})
}

// Fifty people of one office sign in through the pages (password, then
// code) from one address within the same minute: the per-address request
// limit (30 a minute by default) counts failures, not successes, so none of
// them is held back; thirty wrong passwords from the address still are.
func TestFiftyStaffSigningInFromOneOfficeMeetNoRequestLimit(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		l := NewLimiter(30, 30)
		l.Now = e.clock.Now
		e.srv.limits.SignInPerIP = l
		hash, err := access.HashPassword(storetest.Password, storetest.FastArgon)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 50 {
			email := fmt.Sprintf("officer%02d@council.example", i)
			err := db.Update(context.Background(), func(tx *store.Tx) error {
				u := store.User{ID: access.NewID(), OrgID: "org-school", Email: email, Name: "Officer", Role: pathway.RolePractitioner, PasswordHash: hash, CreatedAt: e.clock.Now()}
				if err := tx.InsertUser(u); err != nil {
					return err
				}
				return casework.EnrolTOTP(tx, u.ID, storetest.TOTPSecret, e.clock.Now())
			})
			if err != nil {
				t.Fatal(err)
			}
			e.browser().signIn(email) // fails the test if held back
		}
		wrong := url.Values{"email": {"officer01@council.example"}, "password": {"a guess"}}
		for range 30 {
			e.browser().post("/sign-in", wrong)
		}
		if rec := e.browser().post("/sign-in", wrong); rec.Code != http.StatusTooManyRequests {
			t.Fatalf("the 31st wrong password in a minute: %d", rec.Code)
		}
	})
}

// Refund gives back the token one request took, and the bucket never holds
// more than its burst (it relies on x/time/rate accepting a negative count).
func TestARefundGivesBackOneRequestAndNoMore(t *testing.T) {
	clock := storetest.NewClock(storetest.Start)
	l := NewLimiter(1, 2)
	l.Now = clock.Now
	l.Allow("k")
	l.Allow("k")
	if ok, _ := l.Allow("k"); ok {
		t.Fatal("a third request within the burst of two")
	}
	l.Refund("k")
	if ok, _ := l.Allow("k"); !ok {
		t.Fatal("the refunded request was not given back")
	}
	l.Refund("k")
	l.Refund("k")
	l.Refund("k")
	l.Allow("k")
	l.Allow("k")
	if ok, _ := l.Allow("k"); ok {
		t.Fatal("refunds filled the bucket above its burst")
	}
}

var invitationLinkPath = regexp.MustCompile(`https://waymark\.test(/sign-in/first-password\?token=[A-Za-z0-9_-]+)`)

// The administrator emails a new person a link; the person sets their
// password on a plain page (errors in the summary), then signs in.
func TestANewPersonSetsTheirPasswordFromTheEmailedLink(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		relay := notifytest.New(t)
		e.svc.Access.Mailer = &notify.Mailer{Addr: relay.Addr, From: "waymark@partnership.example"}
		e.svc.Access.PublicURL = "https://waymark.test"
		admin := e.browser()
		admin.signIn("admin@cs.example")
		csrf := admin.csrf("/admin/staff/new")
		added := admin.post("/admin/staff", url.Values{"csrf_token": {csrf}, "email": {"nia@northfield.example"}, "name": {"Nia New"}, "organisation": {"org-school"}, "role": {"practitioner"}})
		m := staffPersonPath.FindStringSubmatch(added.Header().Get("Location"))
		if m == nil {
			t.Fatalf("adding: %d", added.Code)
		}
		if page := admin.get("/admin/staff/" + m[1]).Body.String(); !strings.Contains(page, `action="/admin/staff/`+m[1]+`/invite"`) {
			t.Fatal("the person's page offers no link to set a password")
		}
		rec := admin.post("/admin/staff/"+m[1]+"/invite", url.Values{"csrf_token": {csrf}})
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/staff/"+m[1]+"?done=invited" {
			t.Fatalf("sending the link: %d %s", rec.Code, rec.Header().Get("Location"))
		}
		if page := admin.get(rec.Header().Get("Location")).Body.String(); strings.Contains(page, "first-password") {
			t.Fatal("the administrator is shown the link")
		}
		mails := relay.Wait(1, 5*time.Second)
		link := invitationLinkPath.FindStringSubmatch(mails[0].Data)
		if link == nil {
			t.Fatalf("no link in the email:\n%s", mails[0].Data)
		}
		nia := e.browser()
		form := nia.get(link[1])
		token := hiddenInput(form.Body.String(), "token")
		if form.Code != http.StatusOK || token == "" {
			t.Fatalf("the link's page: %d", form.Code)
		}
		bad := nia.post("/sign-in/first-password", url.Values{"token": {token}, "password": {"short"}, "confirmPassword": {"short"}})
		if bad.Code != http.StatusUnprocessableEntity || !strings.Contains(bad.Body.String(), `href="#password"`) {
			t.Fatalf("a short password: %d", bad.Code)
		}
		done := nia.post("/sign-in/first-password", url.Values{"token": {token}, "password": {"a long enough password"}, "confirmPassword": {"a long enough password"}})
		if done.Code != http.StatusOK || !strings.Contains(done.Body.String(), "Your password is set") {
			t.Fatalf("setting the password: %d", done.Code)
		}
		if again := nia.post("/sign-in/first-password", url.Values{"token": {token}, "password": {"another long password"}, "confirmPassword": {"another long password"}}); again.Code != http.StatusNotFound {
			t.Fatalf("the link used again: %d", again.Code)
		}
		first := nia.post("/sign-in", url.Values{"email": {"nia@northfield.example"}, "password": {"a long enough password"}})
		if first.Code != http.StatusOK || !strings.Contains(first.Body.String(), "/sign-in/set-up") && !strings.Contains(first.Body.String(), "authenticator") {
			t.Fatalf("signing in with the new password: %d", first.Code)
		}
	})
}
