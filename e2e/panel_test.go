package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"waymark/internal/pathway"
	"waymark/internal/storetest"
)

// Devolved Decision Making (issue 13): Eastshire, the demo partnership, is a
// pilot site, so its local panel decides the referrals of children more
// than 100 days from 18. The referral is set up through the API (the
// concern's pages have their own tests); the panel works in the browser,
// without JavaScript, and axe-core checks every page it sees.

// apiClient is a demo user signed in to the JSON API.
type apiClient struct {
	t     *testing.T
	base  string
	token string
}

func signInAPI(t *testing.T, base, email string) *apiClient {
	t.Helper()
	a := &apiClient{t: t, base: base}
	var out struct{ Token string }
	a.call("POST", "/api/v1/sessions", map[string]any{"email": email, "password": demoPassword, "totp": demoCode(email)}, http.StatusCreated, &out)
	a.token = out.Token
	return a
}

func (a *apiClient) call(method, path string, body any, want int, out any) {
	a.t.Helper()
	data, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, a.base+path, bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/json")
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var raw bytes.Buffer
	raw.ReadFrom(resp.Body)
	if resp.StatusCode != want {
		a.t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, raw.String())
	}
	if out != nil {
		if err := json.Unmarshal(raw.Bytes(), out); err != nil {
			a.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// referred raises a concern about a child born on dob, identified 33 days
// ago, and has the police submit the NRM referral 32 days ago; it returns
// the case id.
func referred(t *testing.T, base, given, family, dob string) string {
	t.Helper()
	now := time.Now()
	c := storetest.ValidConcern(now)
	c.Child.GivenNames, c.Child.FamilyName, c.Child.DateOfBirth, c.Child.Aliases = given, family, dob, nil
	c.IdentifiedAt = now.Add(-33 * 24 * time.Hour).UTC()
	teacher := signInAPI(t, base, teacherEmail)
	var cs struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	}
	teacher.call("POST", "/api/v1/cases", c, http.StatusCreated, &cs)
	front := signInAPI(t, base, csEmail)
	step := func(a *apiClient, path string, body map[string]any) {
		t.Helper()
		var v struct {
			Version int `json:"version"`
		}
		a.call("GET", "/api/v1/cases/"+cs.ID, nil, http.StatusOK, &v)
		body["expectedVersion"] = v.Version
		a.call("POST", "/api/v1/cases/"+cs.ID+path, body, http.StatusOK, nil)
	}
	step(front, "/contact", map[string]any{"method": "phone", "note": "Call from the school."})
	step(front, "/outcome", map[string]any{"decision": "multi-agency-meeting", "nextStep": "A meeting with the police this week."})
	step(front, "/actions/assign-worker", map[string]any{"workerEmail": firstResponderEmail})
	police := signInAPI(t, base, firstResponderEmail)
	step(police, "/actions/nrm-submit", map[string]any{"submittedAt": now.Add(-32 * 24 * time.Hour).UTC().Format(time.RFC3339), "via": "online-form",
		"reasonWithoutMeeting": "The child was about to be moved out of the county.", "declarationMade": true,
		"explainedToChild": pathway.ExplainedYes, "explainedToCarer": pathway.ExplainedYes})
	return cs.ID
}

func TestPilotSiteReferralGoesToThePanelThroughToAPositiveConclusiveGroundsDecision(t *testing.T) {
	b := newBrowserFor(t, false, 4*time.Minute)
	lon := london(t)
	today := time.Now().In(lon)
	id := referred(t, b.base, "Maya", "Osei", today.AddDate(-14, -2, 0).Format(time.DateOnly))

	// The administrator sees the dated pilot setting and the panel.
	b.signIn(adminEmail, adminName)
	b.open("/admin/settings")
	b.expectHeading("Partnership settings")
	b.expectText("Devolved Decision Making pilot site", "Yes, since")
	b.open("/admin/panel")
	b.expectHeading("Local decision panel members")
	b.expectText(partnershipLeadName, firstResponderName)
	b.signOut()

	// The chair finds the referral on the panel's list and opens its evidence pack.
	b.signIn(partnershipLeadEmail, partnershipLeadName)
	b.open("/panel")
	b.expectHeading("Local decision panel")
	follow(b, childLink("Maya Osei"))
	b.expectHeading("Evidence pack: Maya Osei")
	b.expectText("Why the panel decides", "pilot site since", "suspect, though not yet to prove")

	// Without the health member the panel is not quorate: the error summary says so.
	reasons := "The indicators and the account give the panel a founded suspicion of exploitation, though it is not yet proved."
	rgDay := today.AddDate(0, 0, -31)
	b.choose("outcome", pathway.DecisionPositive)
	b.fillDate("decidedOn", rgDay)
	b.fill("reasons", reasons)
	for _, id := range []string{"present", "present-1", "present-2"} {
		b.tick(id)
	}
	if status := b.submit(); status != http.StatusUnprocessableEntity {
		b.fatalf("a decision without quorum: status %d, want 422", status)
	}
	b.expectText("There is a problem", "not quorate")
	b.tick("present-3")
	b.submit()
	b.expectHeading("Evidence pack: Maya Osei")
	b.expectText("The panel's decision is recorded", "Reasonable Grounds: positive", "Record the Conclusive Grounds decision", "balance of probabilities")

	// Thirty-one days on (the decision was dated back), the Conclusive Grounds decision.
	b.choose("outcome", pathway.DecisionPositive)
	b.fillDate("decidedOn", today)
	b.fill("reasons", "On the balance of probabilities the panel finds Maya's account credible and supported by the police's findings.")
	for _, id := range []string{"present", "present-1", "present-2", "present-3"} {
		b.tick(id)
	}
	b.submit()
	b.expectText("Conclusive Grounds: positive", "Eastshire Child Decision Panel", "Decision letters")
	b.signOut()

	// The First Responder, on the case, sees who decided and why.
	b.signIn(firstResponderEmail, firstResponderName)
	b.open("/cases/" + id + "/decisions")
	b.expectText("Positive Conclusive Grounds decision", "By the Eastshire Child Decision Panel")
	b.signOut()
}

func TestChildNear18GoesToTheSingleCompetentAuthorityInThePilotSite(t *testing.T) {
	b := newBrowserFor(t, false, 3*time.Minute)
	lon := london(t)
	// 18 in 50 days' time (from the referral, 32 days ago: 82 days).
	dob := time.Now().In(lon).AddDate(-18, 0, 50).Format(time.DateOnly)
	id := referred(t, b.base, "Kieran", "Doyle", dob)
	b.signIn(firstResponderEmail, firstResponderName)
	b.open("/cases/" + id + "/nrm")
	b.expectText("Who decides", "Single Competent Authority", "turns 18")
	b.signOut()
	b.signIn(partnershipLeadEmail, partnershipLeadName)
	b.open("/panel")
	if strings.Contains(b.text("main"), "Kieran Doyle") {
		b.fatalf("the panel lists a referral for the Single Competent Authority")
	}
	b.signOut()
}
