package web

import (
	"context"
	"encoding/json"
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

// southshire adds a second partnership with a Children's Services team, a
// police force (not Children's Services) and a lead who can sign in.
func (e *testEnv) southshire() casework.Viewer {
	e.t.Helper()
	hash, err := access.HashPassword(storetest.Password, storetest.FastArgon)
	if err != nil {
		e.t.Fatal(err)
	}
	now := e.clock.Now()
	var v casework.Viewer
	err = e.db.Update(context.Background(), func(tx *store.Tx) error {
		if err := tx.InsertPartnership(store.Partnership{ID: "southshire", Name: "Southshire", Slug: "southshire", CreatedAt: now}); err != nil {
			return err
		}
		for _, o := range []store.Organisation{
			{ID: "org-south-cs", Name: "Southshire Children's Services", Kind: "local-authority", ChildrensServices: true, CreatedAt: now},
			{ID: "org-south-police", Name: "Southshire Police", Kind: "police", CreatedAt: now},
		} {
			if err := tx.InsertOrganisation(o); err != nil {
				return err
			}
			if err := tx.SetOrganisationPartnership(o.ID, "southshire"); err != nil {
				return err
			}
		}
		if err := tx.InsertUser(store.User{ID: "user-sian", OrgID: "org-south-cs", Email: "lead@southshire.example", Name: "Sian South", Role: pathway.RolePartnershipLead, PasswordHash: hash, CreatedAt: now}); err != nil {
			return err
		}
		if err := casework.EnrolTOTP(tx, "user-sian", storetest.TOTPSecret, now); err != nil {
			return err
		}
		u, err := tx.UserByID("user-sian")
		v = casework.Viewer{User: u}
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

func isErrorSummaryPage(_ any, body string, code int) bool {
	return (code == http.StatusBadRequest || code == http.StatusUnprocessableEntity || code == http.StatusConflict) && strings.Contains(body, "govuk-error-summary")
}

func isProblem(code int, ctype string) bool {
	return code >= 400 && code < 500 && strings.HasPrefix(ctype, "application/problem+json")
}

// A careless lead or a script proposing, agreeing to or declining a
// hand-over with bad answers gets the form again with a GOV.UK error
// summary, or a problem document, and nothing is saved.
func TestHandOversAnswerBadInputWithAnErrorSummaryOrAProblemAndSaveNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		north := e.meetingPartnershipLead()
		south := e.southshire()
		id := e.raiseCase()
		var own string
		if err := db.View(t.Context(), func(tx *store.Tx) error {
			var err error
			own, err = tx.OrganisationPartnership("org-cs")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		nb := e.browser()
		nb.signIn(north.User.Email)
		csrf := nb.csrf("/cases/" + id + "/handover")
		good := url.Values{"csrf_token": {csrf}, "kind": {"share"}, "partnership": {"southshire"}, "reason": {"Found in Southtown"}}
		with := func(k, v string) url.Values {
			f := url.Values{}
			for kk, vv := range good {
				f[kk] = vv
			}
			f.Set(k, v)
			return f
		}
		for _, f := range []url.Values{
			with("kind", "move"), with("kind", ""), with("kind", strings.Repeat("k", 100000)),
			with("partnership", "nowhere"), with("partnership", own), with("partnership", ""), with("partnership", "../southshire"),
			with("reason", ""), with("reason", "   "), with("reason", strings.Repeat("r", 100000)),
			with("reason", "ok\u202egnorw"), with("reason", "bell\x07"), with("reason", "nul\x00"),
		} {
			rec := nb.post("/cases/"+id+"/handover", f)
			if !isErrorSummaryPage(rec, rec.Body.String(), rec.Code) {
				t.Errorf("propose kind=%.20q partnership=%.20q reason=%.20q -> %d (want 400/422 with an error summary)", f.Get("kind"), f.Get("partnership"), f.Get("reason"), rec.Code)
			}
		}
		if n := e.count("partnership_handovers"); n != 0 {
			t.Fatalf("bad proposals saved %d hand-overs", n)
		}
		ntok := e.signInAPI(north.User.Email)
		huge := `{"kind":"share","partnership":"southshire","reason":"` + strings.Repeat("x", 2<<20) + `"}`
		for _, b := range []string{"{", "[]", "null", `{"kind":1}`, `{"kind":"share","partnership":["southshire"],"reason":"r"}`, `{"kind":"share","partnership":"southshire","reason":"r","extra":1}`,
			`{"kind":"share","partnership":"southshire","reason":""}`, `{"kind":"move","partnership":"southshire","reason":"r"}`, `{"kind":"share","partnership":"` + own + `","reason":"r"}`,
			`{"kind":"share","partnership":"southshire","reason":"a\u202eb"}`, huge, `{"kind":"share","partnership":"southshire","reason":"r"} {}`} {
			rec := e.api("POST", "/api/v1/cases/"+id+"/handovers", ntok, b)
			if !isProblem(rec.Code, rec.Header().Get("Content-Type")) {
				t.Errorf("API propose %.80q -> %d %q %.200s", b, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
			}
		}
		if n := e.count("partnership_handovers"); n != 0 {
			t.Fatalf("bad API proposals saved %d hand-overs", n)
		}

		// A good proposal, then bad answers from the receiving lead.
		if rec := nb.post("/cases/"+id+"/handover", good); rec.Code != http.StatusSeeOther {
			t.Fatalf("a good proposal: %d %.500s", rec.Code, rec.Body.String())
		}
		if rec := nb.post("/cases/"+id+"/handover", with("partnership", "southshire")); !isErrorSummaryPage(rec, rec.Body.String(), rec.Code) {
			t.Errorf("a second proposal while one waits -> %d", rec.Code)
		}
		if rec := e.api("POST", "/api/v1/cases/"+id+"/handovers", ntok, map[string]string{"kind": "transfer", "partnership": "southshire", "reason": "r"}); !isProblem(rec.Code, rec.Header().Get("Content-Type")) {
			t.Errorf("API second proposal while one waits -> %d", rec.Code)
		}
		if n := e.count("partnership_handovers"); n != 1 {
			t.Fatalf("%d hand-overs saved, want 1", n)
		}
		ho, err := e.svc.CaseHandOvers(t.Context(), north, id)
		if err != nil {
			t.Fatal(err)
		}
		_ = ho
		var hid string
		if err := db.SQL().QueryRow(`SELECT id FROM partnership_handovers`).Scan(&hid); err != nil {
			t.Fatal(err)
		}
		for _, wr := range []string{"", " ", strings.Repeat("w", 100000), "a\u202eb", "a\x00b"} {
			rec := nb.post("/cases/"+id+"/handover/"+hid+"/withdraw", url.Values{"csrf_token": {csrf}, "withdraw-reason": {wr}})
			if !isErrorSummaryPage(rec, rec.Body.String(), rec.Code) {
				t.Errorf("withdraw reason=%.20q -> %d", wr, rec.Code)
			}
		}
		for _, b := range []string{"{", "null", `{"reason":1}`, `{"reason":""}`, `{"reason":"r","x":1}`} {
			rec := e.api("POST", "/api/v1/cases/"+id+"/handovers/"+hid+"/withdraw", ntok, b)
			if !isProblem(rec.Code, rec.Header().Get("Content-Type")) {
				t.Errorf("API withdraw %.80q -> %d %.200s", b, rec.Code, rec.Body.String())
			}
		}
		for _, p := range []string{"/partnership/handovers/" + strings.Repeat("h", 5000), "/partnership/handovers?case=" + url.QueryEscape("//evil.example/x"), "/cases/" + strings.Repeat("c", 5000) + "/handover"} {
			if rec := nb.get(p); rec.Code >= 500 || (rec.Code == http.StatusSeeOther && !strings.HasPrefix(rec.Header().Get("Location"), "/cases/")) {
				t.Errorf("GET %.60s -> %d %q", p, rec.Code, rec.Header().Get("Location"))
			}
		}
		sb := e.browser()
		sb.signIn(south.User.Email)
		scsrf := sb.csrf("/partnership/handovers/" + hid)
		for _, org := range []string{"", "nope", "org-cs", "org-south-police", "org-police", strings.Repeat("o", 100000), "org-south-cs\x00"} {
			rec := sb.post("/partnership/handovers/"+hid+"/agree", url.Values{"csrf_token": {scsrf}, "org": {org}})
			if !isErrorSummaryPage(rec, rec.Body.String(), rec.Code) {
				t.Errorf("agree org=%.20q -> %d", org, rec.Code)
			}
		}
		for _, reason := range []string{"", "  ", strings.Repeat("r", 100000), "a\u202eb", "a\x1bb"} {
			rec := sb.post("/partnership/handovers/"+hid+"/decline", url.Values{"csrf_token": {scsrf}, "reason": {reason}})
			if !isErrorSummaryPage(rec, rec.Body.String(), rec.Code) {
				t.Errorf("decline reason=%.20q -> %d", reason, rec.Code)
			}
		}
		stok := e.signInAPI(south.User.Email)
		for _, b := range []string{"{", "[]", "null", `{"organisation":1}`, `{"organisation":"org-south-cs","x":1}`, `{"organisation":"org-cs"}`, `{"organisation":"org-south-police"}`, `{"organisation":""}`,
			`{"organisation":"` + strings.Repeat("x", 2<<20) + `"}`} {
			rec := e.api("POST", "/api/v1/handovers/"+hid+"/agree", stok, b)
			if !isProblem(rec.Code, rec.Header().Get("Content-Type")) {
				t.Errorf("API agree %.80q -> %d %.200s", b, rec.Code, rec.Body.String())
			}
		}
		for _, b := range []string{"{", `{"reason":5}`, `{"reason":""}`, `{"reason":"r","x":1}`, `{"reason":"a\u202eb"}`, `{"reason":"` + strings.Repeat("x", 2<<20) + `"}`} {
			rec := e.api("POST", "/api/v1/handovers/"+hid+"/decline", stok, b)
			if !isProblem(rec.Code, rec.Header().Get("Content-Type")) {
				t.Errorf("API decline %.80q -> %d %.200s", b, rec.Code, rec.Body.String())
			}
		}
		if in, err := e.svc.IncomingHandOverByID(t.Context(), south, hid); err != nil || in.Status != pathway.HandOverStatusPending {
			t.Fatalf("bad answers changed the hand-over: %+v %v", in.Status, err)
		}
		// Answered, then answered again.
		if rec := sb.post("/partnership/handovers/"+hid+"/decline", url.Values{"csrf_token": {scsrf}, "reason": {"Not ours"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("declining: %d", rec.Code)
		}
		for _, p := range []url.Values{{"csrf_token": {scsrf}, "org": {"org-south-cs"}}} {
			rec := sb.post("/partnership/handovers/"+hid+"/agree", p)
			if !isErrorSummaryPage(rec, rec.Body.String(), rec.Code) {
				t.Errorf("agreeing to a declined hand-over -> %d", rec.Code)
			}
		}
		if rec := sb.post("/partnership/handovers/"+hid+"/decline", url.Values{"csrf_token": {scsrf}, "reason": {"Again"}}); !isErrorSummaryPage(rec, rec.Body.String(), rec.Code) {
			t.Errorf("declining again -> %d", rec.Code)
		}
		if rec := e.api("POST", "/api/v1/handovers/"+hid+"/agree", stok, `{"organisation":"org-south-cs"}`); !isProblem(rec.Code, rec.Header().Get("Content-Type")) {
			t.Errorf("API agreeing to a declined hand-over -> %d", rec.Code)
		}
		if in, err := e.svc.IncomingHandOverByID(t.Context(), south, hid); err != nil || in.Status != pathway.HandOverStatusDeclined {
			t.Fatalf("answering again changed the hand-over: %+v %v", in.Status, err)
		}
	})
}

// An administrator adding a partnership with a bad name, or moving an
// organisation to no partnership, is shown an error summary; nothing saved.
func TestPartnershipAdminRefusesBadNamesWithAnErrorSummary(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		b.signIn("admin@cs.example")
		csrf := b.csrf("/admin/organisations")
		before := e.count("partnerships")
		for _, name := range []string{"", "   ", "!!!", strings.Repeat("n", 100000), strings.Repeat("é", 121), "North\nshire", "North\u2028shire", "North\tshire", "North\u202eshire", "Bell\x07"} {
			rec := b.post("/admin/partnerships", url.Values{"csrf_token": {csrf}, "name": {name}})
			if !isErrorSummaryPage(rec, rec.Body.String(), rec.Code) {
				t.Errorf("add partnership %.30q -> %d", name, rec.Code)
			}
		}
		if n := e.count("partnerships"); n != before {
			t.Fatalf("bad names saved %d partnerships", n-before)
		}
		if rec := b.post("/admin/partnerships", url.Values{"csrf_token": {csrf}, "name": {"Eastshire"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("a good name: %d %.300s", rec.Code, rec.Body.String())
		}
		// 100 characters are fewer than 120, however many bytes they take.
		if rec := b.post("/admin/partnerships", url.Values{"csrf_token": {csrf}, "name": {"Ynys Môn " + strings.Repeat("é", 91)}}); rec.Code != http.StatusSeeOther {
			t.Errorf("a 100-character name with accents: %d %.300s", rec.Code, rec.Body.String())
		}
		for _, name := range []string{"Eastshire", "eastshire", " Eastshire! "} {
			rec := b.post("/admin/partnerships", url.Values{"csrf_token": {csrf}, "name": {name}})
			if !isErrorSummaryPage(rec, rec.Body.String(), rec.Code) {
				t.Errorf("duplicate partnership %q -> %d", name, rec.Code)
			}
		}
		for _, pid := range []string{"", "nope", "../default", strings.Repeat("p", 100000)} {
			rec := b.post("/admin/organisations/org-police/partnership", url.Values{"csrf_token": {csrf}, "partnership": {pid}})
			if !isErrorSummaryPage(rec, rec.Body.String(), rec.Code) {
				t.Errorf("move to partnership %.20q -> %d", pid, rec.Code)
			}
		}
		if rec := b.post("/admin/organisations/no-such-org/partnership", url.Values{"csrf_token": {csrf}, "partnership": {"eastshire"}}); rec.Code >= 500 || rec.Code < 400 {
			t.Errorf("moving an unknown organisation -> %d", rec.Code)
		}
	})
}

// Reminders: an unknown kind is refused, not read as "turn everything off";
// the API refuses wrong types, unknown fields, and a manager turning off the
// overdue alert they cannot turn off.
func TestReminderChoicesRefuseUnknownKindsAndWrongTypes(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		b.signIn("social.worker@cs.example")
		csrf := b.csrf("/account/reminders")
		for _, kinds := range [][]string{{"bogus"}, {"digest", "bogus"}, {strings.Repeat("k", 100000)}} {
			rec := b.post("/account/reminders", url.Values{"csrf_token": {csrf}, "kinds": kinds})
			body := rec.Body.String()
			if !isErrorSummaryPage(rec, body, rec.Code) {
				t.Errorf("kinds=%.20q -> %d", kinds, rec.Code)
			}
			// The summary's link leads to the boxes.
			if m := regexp.MustCompile(`govuk-error-summary__list">\s*<li>\s*<a href="#([^"]+)"`).FindStringSubmatch(body); m == nil || !strings.Contains(body, `id="`+m[1]+`"`) {
				t.Errorf("kinds=%.20q: the error summary links to nothing on the page (%v)", kinds, m)
			}
		}
		if err := db.View(t.Context(), func(tx *store.Tx) error {
			p, err := tx.ReminderPreferencesOf("user-social-worker")
			if err == nil && p != (store.ReminderPreferences{DueSoon: true, Overdue: true, Digest: true}) {
				t.Errorf("unknown kinds stored %+v", p)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		tok := e.signInAPI("social.worker@cs.example")
		for _, body := range []string{"{", "[]", "null", `{"digest":"yes"}`, `{"digest":1}`, `{"digest":true,"weekly":true}`, `{"dueSoon":true,"overdue":true,"digest":true} 1`, `{"digest":"` + strings.Repeat("x", 2<<20) + `"}`} {
			rec := e.api("PUT", "/api/v1/account/reminders", tok, body)
			if !isProblem(rec.Code, rec.Header().Get("Content-Type")) {
				t.Errorf("PUT %.60q -> %d %.200s", body, rec.Code, rec.Body.String())
			}
		}
		mtok := e.signInAPI("manager@cs.example")
		rec := e.api("PUT", "/api/v1/account/reminders", mtok, `{"dueSoon":true,"overdue":true,"digest":true,"managerOverdueAlwaysOn":false}`)
		if !isProblem(rec.Code, rec.Header().Get("Content-Type")) {
			t.Errorf("a manager turning off the overdue alert -> %d %.300s", rec.Code, rec.Body.String())
		}
	})
}

// Statistics with periods and tables that cannot be read: an error
// summary on the pages, a problem document on the API, a 404 for a table
// that is not there; never a 500 or a download.
func TestStatisticsRefuseUnreadablePeriodsAndTables(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		lead := e.meetingPartnershipLead()
		b := e.browser()
		b.signIn(lead.User.Email)
		tok := e.signInAPI(lead.User.Email)
		bad := []string{"2025-26", "2031", "2025-Q2", "2025-Q0", "2025-Q5", "99999", "2025-26x", "2025-27", "1999", "2101", "0000", "２０２５", "2025-Q", "-2025", strings.Repeat("2", 5000), "2025\x00", "2025%0a"}
		for _, p := range bad {
			q := url.QueryEscape(p)
			for _, path := range []string{"/statistics", "/statistics/annual-report", "/statistics/annual-report.pdf", "/statistics/export.csv", "/statistics/export.xlsx", "/statistics/export.ods"} {
				rec := b.get(path + "?period=" + q)
				if strings.ContainsRune(p, 0) && rec.Code == http.StatusUnprocessableEntity {
					continue // refused for every route by refuseOddAddress (address.go), naming the parameter
				}
				if !isErrorSummaryPage(rec, rec.Body.String(), rec.Code) {
					t.Errorf("%s?period=%.20q -> %d %q", path, p, rec.Code, rec.Header().Get("Content-Type"))
				}
			}
			rec := e.api("GET", "/api/v1/statistics?period="+q, tok, nil)
			if !isProblem(rec.Code, rec.Header().Get("Content-Type")) {
				t.Errorf("API period=%.20q -> %d", p, rec.Code)
			}
		}
		// A period typed with spaces around it is read alike everywhere.
		for _, path := range []string{"/statistics", "/statistics/annual-report", "/statistics/export.csv"} {
			if rec := b.get(path + "?period=" + url.QueryEscape(" 2025 ")); rec.Code != http.StatusOK {
				t.Errorf("%s?period=' 2025 ' -> %d", path, rec.Code)
			}
		}
		for _, tbl := range []string{"nope", "../../etc/passwd", "..%2f..%2fetc", strings.Repeat("t", 5000), "a\x00b"} {
			rec := b.get("/statistics/export.csv?period=2025&table=" + url.QueryEscape(tbl))
			if rec.Code >= 500 || rec.Code < 400 || strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
				t.Errorf("table=%.20q -> %d %q", tbl, rec.Code, rec.Header().Get("Content-Type"))
			}
		}
	})
}

// A hand-over still waiting when the receiving partnership's only lead
// leaves can be answered by nobody: the proposing lead's page warns and
// says how to go on, and the API says why on the hand-over (§4.3, §7.1).
// A proposal to such a partnership is refused with the same reason.
func TestAHandOverNobodyCanAnswerNowIsPointedOut(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		north := e.meetingPartnershipLead()
		e.southshire()
		id := e.raiseCase()
		nb := e.browser()
		nb.signIn(north.User.Email)
		csrf := nb.csrf("/cases/" + id + "/handover")
		propose := url.Values{"csrf_token": {csrf}, "kind": {"share"}, "partnership": {"southshire"}, "reason": {"Found in Southtown"}}
		if rec := nb.post("/cases/"+id+"/handover", propose); rec.Code != http.StatusSeeOther {
			t.Fatalf("proposing: %d %s", rec.Code, rec.Body.String())
		}
		if body := nb.get("/cases/" + id + "/handover").Body.String(); strings.Contains(body, "Nobody can answer") {
			t.Fatal("a hand-over Southshire's lead can answer is said to be unanswerable")
		}
		if err := db.Update(t.Context(), func(tx *store.Tx) error { return tx.SetDisabled("user-sian", true, time.Now()) }); err != nil {
			t.Fatal(err)
		}
		body := nb.get("/cases/" + id + "/handover").Body.String()
		if !strings.Contains(body, "govuk-warning-text") || !strings.Contains(body, "Nobody can answer this hand-over now. Southshire has no partnership lead") {
			t.Fatalf("the page does not warn that nobody can answer the hand-over:\n%s", body)
		}
		ntok := e.signInAPI(north.User.Email)
		rec := e.api("GET", "/api/v1/cases/"+id+"/handovers", ntok, nil)
		var out struct {
			HandOvers []struct {
				Status, Unanswerable string
			}
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.HandOvers) != 1 || !strings.Contains(out.HandOvers[0].Unanswerable, "Southshire has no partnership lead") {
			t.Fatalf("API hand-overs: %d %s (%v)", rec.Code, rec.Body.String(), err)
		}
	})
}
