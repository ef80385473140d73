package web

import (
	"context"
	"html/template"
	"net/http"
	"strings"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// offerPersona is one person the case page is generated for.
type offerPersona struct {
	who    string
	viewer casework.Viewer
}

// pathwayAnswer is what the pathway itself says the viewer may do on the
// case, and the step it expects next from them ("" for none), asked from
// the stored case and membership, not through the pages.
func pathwayAnswer(t *testing.T, e *testEnv, v casework.Viewer, caseID string) (map[string]pathway.Availability, string, bool) {
	t.Helper()
	var c pathway.Case
	var m pathway.Membership
	err := e.db.View(context.Background(), func(tx *store.Tx) error {
		var err error
		if m, err = tx.Membership(caseID, v.User.ID, v.User.OrgID); err != nil {
			return err
		}
		c, _, err = tx.LoadCase(caseID)
		return err
	})
	if err != nil {
		t.Fatalf("loading %s: %v", caseID, err)
	}
	if len(m.Roles) == 0 || v.User.Role == pathway.RoleAdministrator {
		return nil, "", false // §6.5: not a member (an administrator sees no case)
	}
	a := v.Actor(storetest.Catalog())
	a.Membership = m
	p := pathway.New(storetest.Catalog())
	out := map[string]pathway.Availability{}
	for _, av := range p.Available(c, a, e.clock.Now()) {
		out[av.Name] = av
	}
	next, ok := p.NextStep(c, a, e.clock.Now())
	if !ok {
		return out, "", true
	}
	return out, next.Name, true
}

// The case page, its action pages and the API offer exactly what the
// pathway allows the viewer, and a refused action's page gives the
// pathway's reason instead of a form. Generated over every action, each
// role and a case taken along the pathway by real commands.
func TestWebOffersExactlyWhatThePathwayAllows(t *testing.T) {
	t.Parallel() // among the longest here: run beside each other once the rest are done
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		p := e.p
		personas := []offerPersona{
			{"referrer", p.Teacher}, {"Children's Services worker", p.CSWorker}, {"social worker", p.SocialWorker},
			{"manager", p.Manager}, {"police First Responder", p.PoliceLead}, {"administrator", p.CSAdmin}, {"non-member", p.GPDoctor},
		}
		tokens := map[string]string{}
		browsers := map[string]*browser{}
		for _, ps := range personas {
			tokens[ps.who] = e.signInAPI(ps.viewer.User.Email)
			b := e.browser()
			b.signIn(ps.viewer.User.Email)
			browsers[ps.who] = b
		}
		// Every pathway command has a page: an action, or the contact and outcome pages.
		pages := map[string]string{} // command → path under /cases/{id}/
		for k, o := range ownPageActions {
			pages[k] = o.Slug
		}
		for _, slug := range testActions.order {
			pages[testActions.bySlug[slug].command] = "actions/" + slug
		}
		for _, entry := range pathway.NewCatalogue() {
			if pages[entry.Name()] == "" {
				t.Errorf("the pathway command %q has no page", entry.Name())
			}
		}

		check := func(state, caseID string) {
			t.Helper()
			for _, ps := range personas {
				want, next, member := pathwayAnswer(t, e, ps.viewer, caseID)
				rec := e.api("GET", "/api/v1/cases/"+caseID+"/actions", tokens[ps.who], nil)
				if !member {
					if rec.Code == http.StatusOK {
						t.Errorf("%s, %s: the actions of a case they are not a member of: %d", state, ps.who, rec.Code)
					}
					continue
				}
				var got caseActionsJSON
				decodeInto(t, rec, &got)
				seen := map[string]bool{}
				for _, a := range got.Actions {
					seen[a.Command] = true
					if w := want[a.Command]; a.Allowed != w.Allowed {
						t.Errorf("%s, %s, %s: the API says allowed=%v, the pathway %v (%s)", state, ps.who, a.Command, a.Allowed, w.Allowed, w.Reason)
					}
				}
				if len(seen) != len(want) {
					t.Errorf("%s, %s: the API lists %d actions, the pathway %d", state, ps.who, len(seen), len(want))
				}
				// The case's pages: the overview and every area page the
				// viewer has (an area that does not apply is a 404).
				casePage := browsers[ps.who].get("/cases/" + caseID).Body.String()
				// The overview highlights one next step, and it is the pathway's.
				highlighted := ""
				if i := strings.Index(casePage, `class="wm-next-step"`); i >= 0 {
					highlighted = casePage[i:]
					highlighted = highlighted[:strings.Index(highlighted, "</div>")]
				}
				switch {
				case next == "" && highlighted != "":
					t.Errorf("%s, %s: the overview highlights a next step; the pathway expects none", state, ps.who)
				case next != "" && !strings.Contains(highlighted, `href="/cases/`+caseID+"/"+pages[next]+`"`):
					t.Errorf("%s, %s: the pathway's next step is %s (%s); the overview highlights %q", state, ps.who, next, pages[next], highlighted)
				}
				for _, ar := range workspaceAreas {
					if rec := browsers[ps.who].get("/cases/" + caseID + "/" + ar.Slug); rec.Code == http.StatusOK {
						casePage += rec.Body.String()
					}
				}
				for name, av := range want {
					path := "/cases/" + caseID + "/" + pages[name]
					if linked := strings.Contains(casePage, `href="`+path+`"`); linked != av.Allowed {
						t.Errorf("%s, %s: the case's pages link %s: %v; the pathway allows it: %v (%s)", state, ps.who, path, linked, av.Allowed, av.Reason)
					}
				}
				if testing.Short() {
					continue // every action's page and a POST of empty answers, in the full run
				}
				version := got.Version
				for _, slug := range testActions.order {
					a := testActions.bySlug[slug]
					av := want[a.command]
					page := browsers[ps.who].get("/cases/" + caseID + "/actions/" + slug)
					form := strings.Contains(page.Body.String(), `action="/cases/`+caseID+`/actions/`+slug+`"`)
					switch {
					case av.Allowed && (page.Code != http.StatusOK || !form):
						t.Errorf("%s, %s, %s: allowed, but its page is %d with form=%v", state, ps.who, slug, page.Code, form)
					case !av.Allowed && form:
						t.Errorf("%s, %s, %s: refused (%s), but its page shows the form", state, ps.who, slug, av.Reason)
					case !av.Allowed && page.Code == http.StatusOK && !strings.Contains(page.Body.String(), template.HTMLEscapeString(av.Reason)):
						t.Errorf("%s, %s, %s: refused, but its page does not give the reason %q", state, ps.who, slug, av.Reason)
					}
					if !av.Allowed {
						continue
					}
					// Allowed: empty answers are refused for the answers only,
					// never as forbidden, not found or conflicting.
					post := e.api("POST", "/api/v1/cases/"+caseID+"/actions/"+slug, tokens[ps.who], map[string]any{"expectedVersion": version})
					switch post.Code {
					case http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusOK:
						t.Errorf("%s, %s, %s: allowed, but empty answers got %d: %s", state, ps.who, slug, post.Code, post.Body)
					}
				}
			}
		}

		sw, cs, police := p.SocialWorker, p.CSWorker, p.PoliceLead
		act := func(v casework.Viewer, id string, cmd pathway.Command) {
			t.Helper()
			view, err := e.svc.Case(ctx, sw, id)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.svc.Act(ctx, v, id, view.Case.Version, cmd); err != nil {
				t.Fatalf("%T: %v", cmd, err)
			}
		}
		version := func(id string) int {
			view, err := e.svc.Case(ctx, sw, id)
			if err != nil {
				t.Fatal(err)
			}
			return view.Case.Version
		}
		no, yes := false, true
		now := e.clock.Now()

		id := e.raiseCase()
		check("just raised", id)
		if _, err := e.svc.RecordContact(ctx, cs, id, version(id), "phone", ""); err != nil {
			t.Fatal(err)
		}
		check("contact recorded", id)
		if err := e.svc.RecordOutcome(ctx, cs, id, version(id), "multi-agency-meeting", "STRAT meeting this week"); err != nil {
			t.Fatal(err)
		}
		check("outcome given", id)
		act(sw, id, pathway.RecordStrategyDiscussion{HeldAt: now.Add(-time.Minute), Participants: []string{"Sam Social, Children's Services", "Pat Police, Northshire Police"}, Section47: true})
		check("strategy discussion held", id)
		act(sw, id, pathway.ConveneMeeting{Kind: "strat", ScheduledFor: now.Add(-time.Hour), InviteeEmails: []string{police.User.Email}})
		check("meeting arranged", id)
		act(sw, id, pathway.RecordMeetingHeld{AttendeeEmails: []string{"social.worker@cs.example"}, NRMDecision: pathway.NRMSubmit, LeadOrgID: p.Police.ID,
			ChildProtectionConference: &no, ChildProtectionPlan: &no, InformationSharedWithPolice: &yes})
		check("meeting held", id)
		act(police, id, pathway.SubmitNRMReferral{SubmittedAt: now.Add(-time.Minute), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes})
		check("NRM submitted", id)
		act(police, id, pathway.RecordReasonableGrounds{Outcome: pathway.DecisionNegative, DecidedOn: now.In(pathway.London).Format("2006-01-02")})
		check("Reasonable Grounds negative", id)
		act(cs, id, pathway.CloseCase{NoNRMReason: "No indicators of exploitation after assessment.", Reason: "Placed out of area; their team leads now.", Monitoring: "Monthly check with the receiving authority."})
		check("closed", id)

		aged := e.raiseAgeUncertainCase()
		if _, err := e.svc.RecordContact(ctx, cs, aged, version(aged), "phone", ""); err != nil {
			t.Fatal(err)
		}
		check("age disputed", aged)
	})
}
