package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §6.5: a referrer sees their concern, the reference and the outcome; a
// meeting invitee the meetings they were invited to; the team everything.

// outsiderCase is a case whose team has done work its referrer (the
// teacher) may not see: hidden team notes, a STRAT meeting inviting only
// the police with notes, an action the police own, and an escalation the
// social worker raised. With invite, the GP is invited to a second meeting,
// convened after the hidden work so its stored number is not the one the GP
// sees it under.
type outsiderCase struct {
	ID, PoliceMeetingID, GPMeetingID string
}

func (e *testEnv) outsiderCase(invite bool) outsiderCase {
	e.t.Helper()
	cs := e.signInAPI("front.door@cs.example")
	sw := e.signInAPI("social.worker@cs.example")
	var oc outsiderCase
	oc.ID = e.raiseCase()
	id := oc.ID
	must := func(rec *httptest.ResponseRecorder) {
		e.t.Helper()
		if rec.Code != http.StatusOK {
			e.t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
	act := func(token, slug string, body map[string]any) {
		e.t.Helper()
		body["expectedVersion"] = e.versionAs(token, id)
		must(e.api("POST", "/api/v1/cases/"+id+"/actions/"+slug, token, body))
	}
	must(e.api("POST", "/api/v1/cases/"+id+"/contact", cs, map[string]any{"expectedVersion": e.versionAs(cs, id), "method": "phone", "note": "x"}))
	act(sw, "note", map[string]any{"text": "HIDDEN-NOTE one"})
	act(sw, "note", map[string]any{"text": "HIDDEN-NOTE two"})
	act(sw, "convene-meeting", map[string]any{"kind": "strat", "scheduledFor": e.clock.Now().Add(-2 * time.Hour), "inviteeEmails": []string{"first.responder@police.example"}})
	oc.PoliceMeetingID = e.meetingIDs(sw, id)[0]
	act(sw, "record-meeting", map[string]any{"meetingId": oc.PoliceMeetingID, "attendeeEmails": []string{"first.responder@police.example"}, "nrmDecision": "not-decided",
		"childProtectionConference": true, "childProtectionPlan": true, "informationSharedWithPolice": true, "notes": "SECRET-MEETING-NOTE"})
	act(sw, "meeting-action", map[string]any{"meetingId": oc.PoliceMeetingID, "text": "SECRET-ACTION covert check of the uncle's flat",
		"ownerEmail": "first.responder@police.example", "dueOn": e.clock.Now().Add(72 * time.Hour).In(pathway.London).Format("2006-01-02"), "contactsFamily": false})
	act(sw, "raise-escalation", map[string]any{"reason": "SECRET-ESCALATION the police disagree"})
	must(e.api("POST", "/api/v1/cases/"+id+"/outcome", cs, map[string]any{"expectedVersion": e.versionAs(cs, id), "decision": "multi-agency-meeting", "nextStep": "x"}))
	if invite {
		act(sw, "convene-meeting", map[string]any{"kind": "marm", "scheduledFor": e.clock.Now().Add(-time.Hour), "inviteeEmails": []string{"doctor@riverside.example"}})
		ids := e.meetingIDs(sw, id)
		oc.GPMeetingID = ids[len(ids)-1]
		act(sw, "record-meeting", map[string]any{"meetingId": oc.GPMeetingID, "attendeeEmails": []string{"doctor@riverside.example"}, "nrmDecision": "not-decided",
			"childProtectionConference": false, "childProtectionPlan": false, "informationSharedWithPolice": false, "notes": "GP-MEETING-PLAN"})
	}
	return oc
}

// meetingIDs are the ids of the meetings the token's holder sees, in order.
func (e *testEnv) meetingIDs(token, id string) []string {
	e.t.Helper()
	var c struct {
		Meetings *struct{ Meetings []struct{ ID string } }
	}
	decodeInto(e.t, e.api("GET", "/api/v1/cases/"+id, token, nil), &c)
	var out []string
	if c.Meetings != nil {
		for _, m := range c.Meetings.Meetings {
			out = append(out, m.ID)
		}
	}
	return out
}

var teamSecrets = []string{"SECRET-MEETING-NOTE", "SECRET-ACTION", "SECRET-ESCALATION", "HIDDEN-NOTE", "STRAT meeting", "Pat Police"}

func mustNotShow(t *testing.T, what, body string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(body, s) {
			t.Errorf("%s shows %q", what, s)
		}
	}
}

// The meeting area shows an outsider only what their case holds; it does not
// match entry numbers across the team's numbering and theirs.
func TestAReferrerNeverSeesAMeetingTheyWereNotInvitedTo(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		oc := e.outsiderCase(false)
		teacher := e.signInAPI("dsl@northfield.example")
		b := e.browser()
		b.signIn("dsl@northfield.example")
		check := func(when string) {
			t.Helper()
			mustNotShow(t, "the referrer's case pages "+when, workspace(b, oc.ID), teamSecrets...)
			mustNotShow(t, "the referrer's case (API) "+when, e.api("GET", "/api/v1/cases/"+oc.ID, teacher, nil).Body.String(), teamSecrets...)
		}
		check("at first")
		// Their own entries move their numbering on: still nothing of the meeting.
		for range 3 {
			if rec := e.api("POST", "/api/v1/cases/"+oc.ID+"/actions/note", teacher, map[string]any{"expectedVersion": e.versionAs(teacher, oc.ID), "text": "anything"}); rec.Code != http.StatusOK {
				t.Fatalf("the referrer's note: %d %s", rec.Code, rec.Body)
			}
			check("after a note of their own")
		}
		// The police, invited, see their meeting and its notes.
		police := e.browser()
		police.signIn("first.responder@police.example")
		if page := police.get("/cases/" + oc.ID + "/meetings").Body.String(); !strings.Contains(page, "SECRET-MEETING-NOTE") || !strings.Contains(page, "SECRET-ACTION") {
			t.Error("the police, invited, do not see their meeting's notes and action")
		}
		if page := workspace(police, oc.ID); strings.Contains(page, "SECRET-ESCALATION") || strings.Contains(page, "HIDDEN-NOTE") {
			t.Error("the police, invited, see the team's escalation or notes")
		}
	})
}

func TestAnInviteeSeesTheirMeetingWhateverItsNumber(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		oc := e.outsiderCase(true)
		gp := e.signInAPI("doctor@riverside.example")
		b := e.browser()
		b.signIn("doctor@riverside.example")
		page := workspace(b, oc.ID)
		if !strings.Contains(page, "GP-MEETING-PLAN") || !strings.Contains(page, "MARM meeting") {
			t.Error("the GP's case page does not show the meeting they were invited to")
		}
		mustNotShow(t, "the GP's case page", page, teamSecrets...)
		rec := e.api("GET", "/api/v1/cases/"+oc.ID, gp, nil)
		// Named by an id of their own: the stored one counts the team's entries.
		if ids := e.meetingIDs(gp, oc.ID); len(ids) != 1 || ids[0] != "meeting-v1" {
			t.Errorf("the GP's case (API) holds meetings %v, want only their meeting-v1 (stored as %s)", ids, oc.GPMeetingID)
		}
		body := rec.Body.String()
		if strings.Contains(body, `"`+oc.GPMeetingID+`"`) || strings.Contains(page, `"`+oc.GPMeetingID+`"`) {
			t.Errorf("the GP is shown the meeting's stored id %s", oc.GPMeetingID)
		}
		if !strings.Contains(body, "GP-MEETING-PLAN") {
			t.Error("the GP's case (API) does not carry their meeting's notes")
		}
		mustNotShow(t, "the GP's case (API)", body, teamSecrets...)
		// No stored entry number of the team's reaches them through the meeting.
		var c struct {
			Meetings struct {
				Meetings []struct {
					Seq  int
					Held struct{ Seq int }
				}
			}
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		for _, m := range c.Meetings.Meetings {
			if m.Seq != 0 || m.Held.Seq != 0 {
				t.Errorf("the GP's meeting carries the team's entry numbers %d, %d", m.Seq, m.Held.Seq)
			}
		}
	})
}

// Every action's form, as someone outside the team: either it is offered to
// them and names nothing of the team's work, or it answers as an action that
// does not exist.
func TestActionFormsOfferOutsidersNothingHidden(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		oc := e.outsiderCase(true)
		unknown := e.browser()
		unknown.signIn("dsl@northfield.example")
		want := unknown.get("/cases/" + oc.ID + "/actions/no-such-action")
		if want.Code != http.StatusNotFound {
			t.Fatalf("an unknown action: %d", want.Code)
		}
		for _, who := range []string{"dsl@northfield.example", "doctor@riverside.example"} {
			b := e.browser()
			b.signIn(who)
			for _, slug := range testActions.order {
				rec := b.get("/cases/" + oc.ID + "/actions/" + slug)
				body := rec.Body.String()
				switch rec.Code {
				case http.StatusOK:
					mustNotShow(t, who+"'s form "+slug, body, append(teamSecrets, oc.PoliceMeetingID)...)
				case http.StatusNotFound:
					if pageTitle(body) != pageTitle(want.Body.String()) || !strings.Contains(body, "There is no such action.") {
						t.Errorf("%s: the form %s not offered answers unlike an unknown action", who, slug)
					}
				default:
					t.Errorf("%s: the form %s answers %d", who, slug, rec.Code)
				}
			}
		}
		// The forms of what they are offered are still there.
		b := e.browser()
		b.signIn("dsl@northfield.example")
		if rec := b.get("/cases/" + oc.ID + "/actions/note"); rec.Code != http.StatusOK {
			t.Errorf("the referrer's note form: %d", rec.Code)
		}
	})
}

// The case lists show an outsider no deadline of the team's: here the
// meeting action's, owned by the police, is due before anything else.
func TestAReferrersListsNameNoTeamDeadline(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		oc := e.outsiderCase(false)
		teacher := e.signInAPI("dsl@northfield.example")
		police := e.signInAPI("first.responder@police.example")
		sw := e.signInAPI("social.worker@cs.example")
		nextClock := func(token, path string) string {
			t.Helper()
			var l struct {
				Cases []struct{ ID, NextClock string }
			}
			decodeInto(t, e.api("GET", path, token, nil), &l)
			for _, c := range l.Cases {
				if c.ID == oc.ID {
					return c.NextClock
				}
			}
			t.Fatalf("%s does not list the case", path)
			return ""
		}
		if got := nextClock(sw, "/api/v1/cases"); !strings.Contains(got, "Meeting action") {
			t.Fatalf("the team's list names %q as the next deadline; want the meeting action's (the test's premise)", got)
		}
		if got := nextClock(police, "/api/v1/cases"); !strings.Contains(got, "Meeting action") {
			t.Errorf("the police, who own the action, see %q as the next deadline", got)
		}
		for _, path := range []string{"/api/v1/cases", "/api/v1/cases?q=Amira"} {
			if got := nextClock(teacher, path); strings.Contains(got, "Meeting action") || strings.Contains(got, "Pat Police") {
				t.Errorf("the referrer's %s names the team's deadline %q", path, got)
			}
		}
		b := e.browser()
		b.signIn("dsl@northfield.example")
		for _, path := range []string{"/", "/cases", "/cases?q=Amira"} {
			rec := b.get(path)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: %d", path, rec.Code)
			}
			mustNotShow(t, "the referrer's "+path, rec.Body.String(), "Meeting action", "Pat Police")
		}
	})
}

// Through the API, a referrer's refusals are the same whatever the team has
// done: a hidden meeting action is answered as a missing one, and a command
// that is not theirs as an action that does not exist, before and after the
// NRM referral is recorded.
func TestAReferrersRefusalsThroughTheAPIDoNotDependOnHiddenWork(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		oc := e.outsiderCase(false)
		teacher := e.signInAPI("dsl@northfield.example")
		sw := e.signInAPI("social.worker@cs.example")
		var team struct {
			Meetings struct{ Actions []struct{ ID string } }
		}
		decodeInto(t, e.api("GET", "/api/v1/cases/"+oc.ID, sw, nil), &team)
		if len(team.Meetings.Actions) != 1 {
			t.Fatalf("the team's case has actions %+v", team.Meetings.Actions)
		}
		answer := func(slug string, body map[string]any) string {
			t.Helper()
			body["expectedVersion"] = e.versionAs(teacher, oc.ID)
			rec := e.api("POST", "/api/v1/cases/"+oc.ID+"/actions/"+slug, teacher, body)
			var p map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatalf("%s: %d %s", slug, rec.Code, rec.Body)
			}
			delete(p, "requestId")
			b, _ := json.Marshal(p)
			return fmt.Sprint(rec.Code) + " " + string(b)
		}
		hidden := answer("meeting-action-done", map[string]any{"actionId": team.Meetings.Actions[0].ID})
		missing := answer("meeting-action-done", map[string]any{"actionId": "action-999"})
		if hidden != missing {
			t.Errorf("a hidden action answers %s; a missing one %s", hidden, missing)
		}
		nrm := map[string]map[string]any{
			"nrm-reference":           {"reference": "X", "receivedOn": "2000-01-01"},
			"nrm-further-information": {"sentOn": "2000-01-01", "summary": "x"},
			"nrm-reasonable-grounds":  {"outcome": "positive", "decidedOn": "2000-01-01"},
		}
		before := map[string]string{}
		for slug, body := range nrm {
			before[slug] = answer(slug, body)
			if !strings.HasPrefix(before[slug], "404 ") {
				t.Errorf("%s: %s, want the answer for an action that does not exist", slug, before[slug])
			}
		}
		if rec := e.api("POST", "/api/v1/cases/"+oc.ID+"/actions/nrm-submit", sw, map[string]any{"expectedVersion": e.versionAs(sw, oc.ID),
			"submittedAt": e.clock.Now().Add(-time.Hour), "via": "online-form", "declarationMade": true, "explainedToChild": "explained", "explainedToCarer": "explained", "reasonWithoutMeeting": "The child was about to be moved."}); rec.Code != http.StatusOK {
			t.Fatalf("the team submitting the NRM referral: %d %s", rec.Code, rec.Body)
		}
		for slug, body := range nrm {
			if after := answer(slug, body); after != before[slug] {
				t.Errorf("%s: %s before the NRM referral, %s after", slug, before[slug], after)
			}
		}
	})
}
