package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/storetest"
)

// homesWorld is a partnership a day into its work, filled through the use
// cases: a concern waiting for Children's Services, one assigned to the
// social worker with its outcome due, one whose meeting agreed the police
// submit the NRM referral, one submitted and waiting for the Home Office,
// one escalated, and emergency access the partnership lead is told of.
type homesWorld struct {
	*screens
	waiting, assigned, toSubmit, submitted, escalated string
}

func newHomesWorld(t *testing.T) *homesWorld {
	t.Helper()
	s := newScreens(t)
	w := &homesWorld{screens: s}
	ctx := context.Background()
	act := func(v string, id string, cmd pathway.Command) {
		t.Helper()
		viewer := map[string]casework.Viewer{"cs": s.p.CSWorker, "sw": s.p.SocialWorker, "police": s.p.PoliceLead, "manager": s.p.Manager}[v]
		if err := s.svc.Act(ctx, viewer, id, s.version(id), cmd); err != nil {
			t.Fatalf("%T on %s: %v", cmd, id, err)
		}
	}
	contact := func(id string) {
		t.Helper()
		if _, err := s.svc.RecordContact(ctx, s.p.CSWorker, id, s.version(id), "phone", "Called by the school's DSL"); err != nil {
			t.Fatal(err)
		}
	}
	outcome := func(id string) {
		t.Helper()
		if err := s.svc.RecordOutcome(ctx, s.p.CSWorker, id, s.version(id), "multi-agency-meeting", "Meeting tomorrow at 10"); err != nil {
			t.Fatal(err)
		}
	}
	meetingAgreesPoliceSubmit := func(id string) {
		t.Helper()
		contact(id)
		outcome(id)
		act("cs", id, pathway.AssignWorker{WorkerEmail: s.p.SocialWorker.User.Email})
		act("sw", id, pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: s.clock.Now().Add(time.Hour), InviteeEmails: []string{s.p.PoliceLead.User.Email}})
		s.clock.Advance(2 * time.Hour)
		no := false
		act("sw", id, pathway.RecordMeetingHeld{AttendeeEmails: []string{s.p.SocialWorker.User.Email, s.p.PoliceLead.User.Email}, NRMDecision: pathway.NRMSubmit, LeadOrgID: s.p.Police.ID,
			ChildProtectionConference: &no, ChildProtectionPlan: &no, InformationSharedWithPolice: &no})
	}

	w.submitted = s.raise()
	meetingAgreesPoliceSubmit(w.submitted)
	act("police", w.submitted, pathway.SubmitNRMReferral{SubmittedAt: s.clock.Now().Add(-time.Minute), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes})
	act("manager", w.submitted, pathway.RecordSupervision{Text: "Reviewed the plan with Sam: chase the Home Office for the decision next week."})
	w.toSubmit = s.raise()
	meetingAgreesPoliceSubmit(w.toSubmit)
	w.escalated = s.raise()
	s.escalate(w.escalated)
	w.waiting = s.raise()
	// A day on, the waiting concern's 24 hours (§8.5) have passed.
	s.clock.Advance(25 * time.Hour)
	s.alertLead(2, []string{w.escalated})
	w.assigned = s.raise()
	contact(w.assigned)
	act("cs", w.assigned, pathway.AssignWorker{WorkerEmail: s.p.SocialWorker.User.Email})
	return w
}

// homeRole is one role's sign-in and what its home must show.
type homeRole struct {
	slug, email, name string
	want              []string // text the home shows
	not               []string // text it must not show
	inTable           []string // text its tables show
}

func (w *homesWorld) roles() []homeRole {
	child := storetest.ValidConcern(w.clock.Now()).Child.FullName()
	return []homeRole{
		{"referrer", "dsl@northfield.example", "Tara Teacher",
			// §6.5: the referrer's list shows the outcome, as their case page does, never the team's NRM work.
			[]string{"Concerns you raised", child, pathway.StageOutcomeGiven.Label()}, []string{"NRM referral submitted", "Multi-agency meeting held"}, []string{"Progress"}},
		{"childrens-services", "front.door@cs.example", "Fola Front",
			[]string{"Waiting for Children's Services", child}, nil, []string{"Assigned to", "Sam Social", "No one yet"}},
		{"social-worker", "social.worker@cs.example", "Sam Social",
			[]string{"My work", "Outcome given to the referrer"}, nil, []string{"Owner", "Sam Social"}},
		{"manager", "manager@cs.example", "Mo Manager",
			[]string{"Team caseload", "Unallocated cases", child, "Deadlines at risk", "Overdue", "Supervision notes", "by Mo Manager"}, nil, []string{"Sam Social", "Mo Manager"}},
		{"first-responder", "first.responder@police.example", "Pat Police",
			[]string{"Referrals to submit", "Decisions awaited", "Reconsideration", "No negative decision stands"}, nil, []string{child, "Multi-agency meeting held"}},
		{"partnership-lead", leadEmail, leadName,
			[]string{"Escalations", "Overdue across the partnership", "Northshire Children's Services", "Emergency access", "Active"}, nil, []string{child, "Level"}},
		{"administrator", "admin@cs.example", "Ada Admin",
			[]string{"Staff accounts", "Organisations", "Interpreter register", "Machine clients"}, []string{child, "Your cases", "My work"}, nil},
	}
}

// Every role signs in and finds its work on its home: the referrer their
// concerns with where each stands, Children's Services the inbox with who
// is assigned, the social worker their deadlines with the owner by name,
// the manager the caseload, unallocated cases and deadlines at risk, the
// First Responder the referrals to submit and decisions awaited, the
// partnership lead escalations, overdue deadlines and emergency access, the
// administrator their tools and no case. Each home passes axe-core at
// desktop width and at 320 CSS px without scrolling sideways, with no
// JavaScript.
func TestEveryRolesHomeShowsItsWork(t *testing.T) {
	w := newHomesWorld(t)
	b := w.browser(false)
	for _, r := range w.roles() {
		w.signIn(b, r.email, r.name)
		b.expectText(r.want...)
		html := b.text("main")
		for _, not := range r.not {
			if strings.Contains(html, not) {
				b.fatalf("%s's home shows %q", r.slug, not)
			}
		}
		if len(r.inTable) > 0 {
			table := strings.Join(run(b, "reading the tables", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('main table')).map(t => t.innerText)`)), "\n")
			for _, want := range r.inTable {
				if !strings.Contains(table, want) {
					b.t.Errorf("%s's home's tables do not show %q; it shows:\n%s", r.slug, want, indent(table))
				}
			}
		}
		b.narrowAxe("home-" + r.slug)
		if r.slug == "administrator" {
			if status := b.open("/cases"); status != 200 {
				b.fatalf("the administrator's /cases: %d", status)
			}
			b.expectHeading("Administrators do not see cases")
			if strings.Contains(b.text("main"), storetest.ValidConcern(w.clock.Now()).Child.FullName()) {
				b.fatalf("the administrator's /cases names the child")
			}
			if b.exists(`.govuk-service-navigation__link[href="/cases"]`) || b.exists(`.govuk-service-navigation__link[href="/my-work"]`) {
				b.fatalf("the administrator's navigation offers a case list")
			}
		}
		b.signOut()
	}
}

// TestScreenshotsOfEachRolesHomeAndACase writes PNGs of each role's home and
// of a case's page, full length, at 320 and 1280 CSS px wide into
// WAYMARK_SCREENS_DIR (home-referrer-320.png, case-overview-1280.png). It
// runs only when that is set: it makes pictures for the documentation and
// checks nothing the other tests do not.
func TestScreenshotsOfEachRolesHomeAndACase(t *testing.T) {
	dir := os.Getenv("WAYMARK_SCREENS_DIR")
	if dir == "" {
		t.Skip("WAYMARK_SCREENS_DIR is not set")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	w := newHomesWorld(t)
	b := w.browser(true)
	shoot := func(name string) {
		t.Helper()
		for _, width := range []int64{320, 1280} {
			b.do("setting the width", chromedp.EmulateViewport(width, 900))
			run(b, "waiting for the layout", chromedp.Poll[bool](fmt.Sprintf(`window.innerWidth === %d`, width)))
			png := runFor(b, time.Minute, "taking a screenshot", chromedp.FullScreenshot(100)) // quality 100 is PNG
			file := filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, width))
			if err := os.WriteFile(file, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s", file)
		}
		b.wide()
	}
	for _, r := range w.roles() {
		w.signIn(b, r.email, r.name)
		shoot("home-" + r.slug)
		if r.slug == "social-worker" {
			b.open("/cases/" + w.submitted)
			shoot("case-overview")
		}
		b.signOut()
	}
}
