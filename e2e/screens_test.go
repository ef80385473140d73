package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"waymark/internal/access"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
	"waymark/internal/web"
)

// screens is a Waymark server run inside the test, over a database the test
// fills straight through the use cases and the store (quickly, not through
// the browser), so that every paged list has more than one page: the demo
// has too few cases for a Next link.
type screens struct {
	t     *testing.T
	db    *store.DB
	clock *storetest.Clock
	svc   *casework.Service
	p     storetest.Partnership
	lead  casework.Viewer
	url   string
	busy  atomic.Bool // every password check finds the hash slots full (access.ErrHashBusy)
}

const leadEmail, leadName = "lead@partnership.example", "Pip Partnership"

func newScreens(t *testing.T) *screens {
	t.Helper()
	requirements(t)
	return newScreensOn(t, storetest.SQLite(t))
}

// newScreensOn is newScreens over a database the test opened (with a short
// busy wait, say).
func newScreensOn(t *testing.T, db *store.DB) *screens {
	t.Helper()
	requirements(t)
	// The clock is the real time when the test starts, stopped: the
	// browser keeps the cookies the server dates by it.
	clock := storetest.NewClock(time.Now().UTC().Truncate(time.Second))
	s := &screens{t: t, db: db, clock: clock, svc: storetest.Service(t, db, clock), p: storetest.NewPartnership(t, db, clock)}
	s.svc.PasswordCheck = func(encoded, password string) (bool, error) {
		if s.busy.Load() {
			return false, access.ErrHashBusy
		}
		return access.CheckPassword(encoded, password)
	}
	s.lead = s.addPartnershipLead()
	srv, err := web.NewServer(web.Config{Service: s.svc, DB: db, Catalog: storetest.Catalog(), Now: clock.Now,
		Log: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatalf("web.NewServer: %v", err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	s.url = hs.URL
	return s
}

// browser is a headless Chromium on this server.
func (s *screens) browser(js bool) *browser {
	s.t.Helper()
	b := newBrowserOn(s.t, js, 6*time.Minute, requirements(s.t), s.url)
	b.slowWait = time.Minute
	return b
}

// addPartnershipLead adds the partnership lead, who sees the escalations
// and the alerts (§6.5, §8.6).
func (s *screens) addPartnershipLead() casework.Viewer {
	s.t.Helper()
	hash, err := access.HashPassword(storetest.Password, storetest.FastArgon)
	if err != nil {
		s.t.Fatal(err)
	}
	now := s.clock.Now()
	var v casework.Viewer
	err = s.db.Update(context.Background(), func(tx *store.Tx) error {
		if err := tx.InsertOrganisation(store.Organisation{ID: "org-partnership", Name: "Northshire Safeguarding Children Partnership", Kind: "local-authority", CreatedAt: now}); err != nil {
			return err
		}
		if err := tx.InsertUser(store.User{ID: "user-lead", OrgID: "org-partnership", Email: leadEmail, Name: leadName, Role: pathway.RolePartnershipLead, PasswordHash: hash, CreatedAt: now}); err != nil {
			return err
		}
		if err := casework.EnrolTOTP(tx, "user-lead", storetest.TOTPSecret, now); err != nil {
			return err
		}
		u, err := tx.UserByID("user-lead")
		v = casework.Viewer{User: u}
		return err
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return v
}

func (s *screens) version(id string) int {
	s.t.Helper()
	var v int
	if err := s.db.SQL().QueryRow(`SELECT version FROM cases WHERE id = $1`, id).Scan(&v); err != nil {
		s.t.Fatalf("reading the version of %s: %v", id, err)
	}
	return v
}

// raise raises a concern as the teacher, a minute after the last one.
func (s *screens) raise() string {
	s.t.Helper()
	s.clock.Advance(time.Minute)
	id, err := s.svc.RaiseConcern(context.Background(), s.p.Teacher, storetest.ValidConcern(s.clock.Now()))
	if err != nil {
		s.t.Fatalf("raising a concern: %v", err)
	}
	return id
}

// escalate takes a case to a multi-agency meeting and has the teacher
// escalate the disagreement (§8.5), which puts it on the lead's list.
func (s *screens) escalate(id string) {
	s.t.Helper()
	ctx := context.Background()
	if _, err := s.svc.RecordContact(ctx, s.p.CSWorker, id, s.version(id), "phone", ""); err != nil {
		s.t.Fatal(err)
	}
	if err := s.svc.RecordOutcome(ctx, s.p.CSWorker, id, s.version(id), "multi-agency-meeting", "STRAT tomorrow"); err != nil {
		s.t.Fatal(err)
	}
	if err := s.svc.Act(ctx, s.p.Teacher, id, s.version(id), pathway.RaiseEscalation{Reason: "The school believes an NRM referral is needed."}); err != nil {
		s.t.Fatal(err)
	}
}

// alertLead records n emergency accesses by the GP to the cases, each with
// its alert to the lead, straight in the store as casework.BreakGlass writes
// them (its re-authentication is not what is tested here).
func (s *screens) alertLead(n int, cases []string) {
	s.t.Helper()
	err := s.db.Update(context.Background(), func(tx *store.Tx) error {
		for i := range n {
			at := s.clock.Now().Add(time.Duration(i-n) * time.Minute)
			g := store.BreakGlassGrant{ID: access.NewID(), CaseID: cases[i%len(cases)], UserID: s.p.GPDoctor.User.ID, OrgID: s.p.GPDoctor.User.OrgID,
				Reason: fmt.Sprintf("Emergency %d: the child is at the surgery now and says she is frightened to go back.", i+1), GrantedAt: at, ExpiresAt: at.Add(4 * time.Hour)}
			if err := tx.InsertBreakGlassGrant(g); err != nil {
				return err
			}
			if err := tx.InsertAlert(store.Alert{ID: access.NewID(), Kind: store.AlertBreakGlass, RecipientUserID: s.lead.User.ID, GrantID: g.ID, CreatedAt: at}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.t.Fatalf("recording emergency accesses: %v", err)
	}
}

// signIn signs in through the pages with the code the person's
// authenticator shows at the server's time.
func (s *screens) signIn(b *browser, email, name string) {
	b.t.Helper()
	if b.pages == 0 || b.path() != "/sign-in" {
		b.open("/sign-in")
	}
	b.expectHeading("Sign in to Waymark")
	b.fill("email", email)
	b.fill("password", storetest.Password)
	if status := b.submit(); status != 200 {
		b.fatalf("signing in as %s: status %d", email, status)
	}
	b.expectHeading("Enter the code from your authenticator app")
	b.fill("code", storetest.NextCode(s.db, email, s.clock))
	if status := b.submit(); status != 200 {
		b.fatalf("entering %s's code: status %d", email, status)
	}
	b.expectHeading("Hello, " + name)
}

// pagination is what a page's GOV.UK pagination offers.
type pagination struct {
	Count     int    `json:"count"`
	Class     string `json:"class"`
	Label     string `json:"label"`
	Prev      string `json:"prev"`
	Next      string `json:"next"`
	PrevName  string `json:"prevName"`
	NextName  string `json:"nextName"`
	LinkCount int    `json:"links"`
}

// pages reads the pagination of the main content: the number of navs, the
// first one's label and its links with the text a screen reader says.
func (b *browser) readPagination() pagination {
	b.t.Helper()
	return run(b, "reading the pagination", chromedp.Evaluate[pagination](`(() => {
		const navs = document.querySelectorAll('main nav.govuk-pagination');
		if (!navs.length) return {count: 0};
		const n = navs[0], p = n.querySelector('a[rel=prev]'), x = n.querySelector('a[rel=next]');
		const said = a => a ? a.textContent.replace(/\s+/g, ' ').trim() : '';
		return {count: navs.length, class: n.className, label: n.getAttribute('aria-label') || '',
			prev: p ? p.getAttribute('href') : '', next: x ? x.getAttribute('href') : '',
			prevName: said(p), nextName: said(x), links: n.querySelectorAll('a').length};
	})()`))
}

// rows is what the list on the page shows: its table rows or its cards.
func (b *browser) rows() []string {
	b.t.Helper()
	return run(b, "reading the list", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('main tbody tr, main .govuk-summary-card')).map(e => e.innerText)`))
}

// expectPages checks the page's pagination is one GOV.UK pagination nav
// named label, with a Previous link when prev and a Next link when next,
// each saying which list it pages (what), as a screen reader reads it.
func (b *browser) expectPages(label, what string, prev, next bool) pagination {
	b.t.Helper()
	p := b.readPagination()
	if p.Count != 1 || !strings.Contains(p.Class, "govuk-pagination") || p.Label != label {
		b.fatalf("pagination: %d navs, class %q, aria-label %q; want one govuk-pagination nav labelled %q", p.Count, p.Class, p.Label, label)
	}
	if (p.Prev != "") != prev || (p.Next != "") != next {
		b.fatalf("pagination: previous %q, next %q; want previous %v, next %v", p.Prev, p.Next, prev, next)
	}
	if prev && p.PrevName != "Previous page: "+what {
		b.t.Errorf("the Previous link reads %q, want %q", p.PrevName, "Previous page: "+what)
	}
	if next && p.NextName != "Next page: "+what {
		b.t.Errorf("the Next link reads %q, want %q", p.NextName, "Next page: "+what)
	}
	return p
}

// narrowAxe checks the page at 320 CSS px: axe-core finds nothing there
// either, nothing scrolls sideways (narrow), and the screenshot is saved.
func (b *browser) narrowAxe(name string) {
	b.t.Helper()
	b.do("narrowing the viewport", chromedp.EmulateViewport(narrowWidth, 800))
	for _, v := range b.runAxe() {
		var targets []string
		for _, n := range v.Nodes {
			targets = append(targets, fmt.Sprintf("%v  %s", n.Target, n.HTML))
		}
		b.t.Errorf("axe violation at %d px on %s: %s (%s): %s\n    %s", narrowWidth, b.location(), v.ID, v.Impact, v.Help, strings.Join(targets, "\n    "))
	}
	b.narrow(name)
}

// nextAndBack checks a paged list at both widths, follows Next and checks
// that page, then Previous, and expects the first page exactly as it was:
// plain links, no script. It returns with the browser on the first page.
func (b *browser) nextAndBack(start, label, what string, name string) {
	b.t.Helper()
	b.open(start)
	first := b.rows()
	hasPrev := strings.Contains(start, "after=") || strings.Contains(start, "cursor=")
	b.expectPages(label, what, hasPrev, true)
	b.narrowAxe(name + "-page-1")
	b.click(`main nav.govuk-pagination a[rel=next]`)
	second := b.rows()
	if len(second) == 0 || strings.Join(second, "\n") == strings.Join(first, "\n") {
		b.fatalf("Next shows %d rows, the same as the first page's %d", len(second), len(first))
	}
	b.expectPages(label, what, true, b.readPagination().Next != "")
	b.narrowAxe(name + "-page-2")
	b.click(`main nav.govuk-pagination a[rel=prev]`)
	if back := b.rows(); strings.Join(back, "\n") != strings.Join(first, "\n") {
		b.fatalf("Previous after Next shows %d rows, not the first page's %d:\n%s", len(back), len(first), indent(strings.Join(back, "\n")))
	}
}

// Every paged list seen as a stressed worker on a phone would see it, with
// more than a page of cases: the inbox, My work (with the overdue banner),
// "Your cases", a search, the open escalations and the alerts. Each page is
// checked with axe-core at desktop width and at 320 CSS px, where nothing may
// scroll sideways; its GOV.UK pagination is a labelled nav whose links say
// which list they page, and work without JavaScript: Next then Previous
// gives the first page back.
func TestPagedListsFitAPhoneAndPageWithoutJavaScript(t *testing.T) {
	s := newScreens(t)
	waiting := casework.PageSize + 5 // in the inbox: two pages
	for range waiting {
		s.raise()
	}
	var escalated []string
	for range store.PageSize + 3 { // on the lead's list: two pages
		id := s.raise()
		s.escalate(id)
		escalated = append(escalated, id)
	}
	s.alertLead(105, escalated) // a page is 100 alerts: two pages
	// A day and a half on, the contacts due within a day have passed: My work
	// lists them as overdue and every page has the overdue banner.
	s.clock.Advance(36 * time.Hour)

	b := s.browser(false)
	s.signIn(b, "front.door@cs.example", "Fola Front")
	b.nextAndBack("/inbox", "Pages of the inbox", "Inbox", "inbox")
	b.nextAndBack("/my-work", "Pages of your work", "Your work", "my-work")
	b.signOut()

	s.signIn(b, "dsl@northfield.example", "Tara Teacher")
	b.nextAndBack("/cases", "Pages of your cases", "Your cases", "your-cases")
	// Three pages: the middle one has both links.
	b.open("/cases")
	b.click(`main nav.govuk-pagination a[rel=next]`)
	b.expectPages("Pages of your cases", "Your cases", true, true)
	b.nextAndBack("/cases?q=Amira", "Pages of the search results", "Search results for “Amira”", "search")
	b.signOut()

	s.signIn(b, leadEmail, leadName)
	b.nextAndBack("/escalations", "Pages of open escalations", "Open escalations", "escalations")
	b.nextAndBack("/alerts", "Pages of alerts", "Alerts", "alerts")
}

// submitResponse presses the form's submit button and returns the response
// of the page it loads, headers included, after checking the page.
func (b *browser) submitResponse() *network.Response {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#main-content form[method="post"] button[type="submit"]`)))
	if err != nil {
		b.fatalf("submitting the form: %v", err)
	}
	b.landed(resp)
	return resp
}

// When every password-hash slot is taken (access.ErrHashBusy, forced here by
// the test's password check, no timing), signing in answers 429 with
// Retry-After, says in plain words what happened and what to do, keeps the
// email address and where the person was going but never the password, fits
// a phone, and signing in again once there is room works.
func TestSignInWhenTooManyAreSigningInSaysWhatToDoAndKeepsTheEmail(t *testing.T) {
	s := newScreens(t)
	b := s.browser(false)
	b.open("/sign-in?next=%2Fmy-work")
	b.narrowAxe("sign-in")
	b.fill("email", "front.door@cs.example")
	b.fill("password", storetest.Password)
	s.busy.Store(true)
	resp := b.submitResponse()
	if resp.Status != 429 {
		b.fatalf("signing in with every hash slot busy: status %d, want 429", resp.Status)
	}
	if ra := fmt.Sprint(resp.Headers["Retry-After"]); ra == "" || ra == "<nil>" || ra == "0" {
		t.Errorf("the 429 has no Retry-After header: %v", resp.Headers)
	}
	b.expectHeading("Sign in to Waymark")
	b.expectText("Too many people are signing in at once",
		"Your password was not checked", "This does not count as a wrong password",
		"Wait a few seconds, type your password again and select Sign in")
	if got := b.value("email"); got != "front.door@cs.example" {
		t.Errorf("the email address is %q after the 429, want what was typed", got)
	}
	if got := b.value("password"); got != "" {
		t.Errorf("the password field holds %q after the 429: it must be typed again", got)
	}
	if got := b.attr(`main form input[name="next"]`, "value"); got != "/my-work" {
		t.Errorf("where the person was going is %q after the 429, want /my-work", got)
	}
	if b.exists(`#email.govuk-input--error`) || b.exists(`#email-error`) {
		t.Error("the email address is marked wrong, but nothing is wrong with it")
	}
	if title := b.title(); !strings.HasPrefix(title, "Waymark is busy: sign in again") {
		t.Errorf("the title %q does not say what happened", title)
	}
	b.narrowAxe("sign-in-busy")

	s.busy.Store(false)
	b.fill("password", storetest.Password)
	if status := b.submit(); status != 200 {
		b.fatalf("signing in again once there is room: status %d", status)
	}
	b.expectHeading("Enter the code from your authenticator app")
	b.fill("code", storetest.NextCode(s.db, "front.door@cs.example", s.clock))
	if status := b.submit(); status != 200 {
		b.fatalf("entering the code: status %d", status)
	}
	b.expectHeading("My work")
}
