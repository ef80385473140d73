package demo_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/audit"
	"waymark/internal/casework"
	"waymark/internal/catalog"
	"waymark/internal/demo"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// seedTime is a fixed moment so that every run sees the same clocks.
var seedTime = time.Date(2026, 3, 18, 10, 30, 0, 0, time.UTC)

var fastArgon = access.Argon2Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func newService(t *testing.T, now time.Time) (*casework.Service, *store.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := casework.New(db, catalog.MustLoad(), func() time.Time { return now }, nil)
	svc.Argon = fastArgon
	return svc, db
}

func seeded(t *testing.T) (*casework.Service, *store.DB) {
	t.Helper()
	svc, db := newService(t, seedTime)
	if err := demo.Seed(context.Background(), svc, svc.Now); err != nil {
		t.Fatalf("Seed: %v %v", err, waymark.ErrorFields(err))
	}
	return svc, db
}

var (
	codesMu sync.Mutex
	// used is the last step whose code each user used, per service. The
	// key holds the service itself, not its address printed: a service a
	// finished test dropped could be collected and a new one made at the
	// same address, inheriting its steps, and its first code would then
	// fall outside the window and be refused.
	used = map[usedKey]int64{}
)

type usedKey struct {
	svc   *casework.Service
	email string
}

// demoCode is the demo authenticator's code, one not used yet: each code
// is accepted once, a step either side of now.
func demoCode(svc *casework.Service, email string) string {
	codesMu.Lock()
	defer codesMu.Unlock()
	key := usedKey{svc, email}
	step := max(access.TOTPStep(svc.Now())-access.TOTPSkew, used[key]+1)
	used[key] = step
	code, _ := access.TOTPAtStep(demo.TOTPSecret, step)
	return code
}

func signIn(t *testing.T, svc *casework.Service, email string) casework.Viewer {
	t.Helper()
	code := demoCode(svc, email)
	_, _, u, err := svc.SignIn(context.Background(), email, demo.Password, code)
	if err != nil {
		t.Fatalf("signing in as %s: %v", email, err)
	}
	return casework.Viewer{User: u}
}

func auditHead(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var seq int64
	if err := db.SQL().QueryRow(`SELECT seq FROM audit_head WHERE id = 1`).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	return seq
}

const (
	teacherEmail  = "teacher@northfield.example"
	csWorkerEmail = "cs.worker@eastshire.example"
)

func TestDemoUsersCoverEveryRole(t *testing.T) {
	users := demo.Users()
	roles := map[string]bool{}
	emails := map[string]bool{}
	for _, u := range users {
		roles[u.Role] = true
		if emails[u.Email] {
			t.Errorf("%s is listed twice", u.Email)
		}
		emails[u.Email] = true
		if !strings.HasSuffix(u.Email, ".example") {
			t.Errorf("%s is not on a reserved .example domain", u.Email)
		}
		if u.Name == "" || u.OrgName == "" {
			t.Errorf("%s has no name or organisation: %+v", u.Email, u)
		}
	}
	for _, r := range pathway.Roles {
		if !roles[r] {
			t.Errorf("no demo user has the role %s", r)
		}
	}
	if users[0].Email != teacherEmail || users[0].OrgName != "Northfield Academy" {
		t.Errorf("first user is %+v, want the Northfield Academy teacher", users[0])
	}
}

func TestSeedBuildsTheEastshirePartnership(t *testing.T) {
	svc, _ := seeded(t)
	var orgs []store.Organisation
	err := svc.DB.Update(context.Background(), func(tx *store.Tx) error {
		var err error
		orgs, err = tx.PartnershipOrganisations(pathway.DefaultPartnership) // Southshire's is southshire_test.go's
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(orgs) != 6 {
		t.Fatalf("got %d organisations, want 6", len(orgs))
	}
	for _, o := range orgs {
		o.FirstResponder = casework.IsFirstResponder(svc.Catalog, o)
		switch o.Name {
		case "Eastshire County Council Children's Services":
			if !o.ChildrensServices || !o.FirstResponder || o.Kind != "local-authority" {
				t.Errorf("Children's Services is %+v", o)
			}
		case "Eastshire Police":
			if o.ChildrensServices || !o.FirstResponder || o.Kind != "police" {
				t.Errorf("police is %+v", o)
			}
		default:
			if o.ChildrensServices || o.FirstResponder {
				t.Errorf("%s should be neither Children's Services nor a First Responder", o.Name)
			}
		}
	}
}

func TestSeedTwiceChangesNothing(t *testing.T) {
	svc, db := seeded(t)
	before := auditHead(t, db)
	if err := demo.Seed(context.Background(), svc, svc.Now); err != nil {
		t.Fatalf("second Seed: %v", err)
	}
	if after := auditHead(t, db); after != before {
		t.Errorf("the second Seed wrote %d audit entries", after-before)
	}
	var cases int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM cases`).Scan(&cases); err != nil {
		t.Fatal(err)
	}
	if cases != 14 {
		t.Errorf("got %d cases after seeding twice, want 14", cases)
	}
}

func TestSeedRefusesADatabaseWithOtherOrganisations(t *testing.T) {
	svc, db := newService(t, seedTime)
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		return tx.InsertOrganisation(store.Organisation{ID: "org-real", Name: "A real council", Kind: "local-authority", ChildrensServices: true, CreatedAt: seedTime})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = demo.Seed(context.Background(), svc, svc.Now)
	if waymark.ErrorCode(err) != waymark.ECONFLICT {
		t.Fatalf("Seed into a database in use: got %v, want a conflict", err)
	}
	var users int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM users`).Scan(&users); err != nil {
		t.Fatal(err)
	}
	if users != 0 {
		t.Errorf("Seed added %d users to a database in use", users)
	}
}

func TestEveryDemoUserCanSignIn(t *testing.T) {
	svc, _ := seeded(t)
	for _, u := range demo.Users() {
		v := signIn(t, svc, u.Email)
		if v.User.Name != u.Name || v.User.Role != u.Role || v.User.Org.Name != u.OrgName {
			t.Errorf("%s signed in as %s (%s, %s), want %s (%s, %s)", u.Email, v.User.Name, v.User.Role, v.User.Org.Name, u.Name, u.Role, u.OrgName)
		}
	}
}

func TestTeacherSeesTheConcernsTheyRaised(t *testing.T) {
	svc, _ := seeded(t)
	ctx := context.Background()
	v := signIn(t, svc, teacherEmail)
	cases, _, err := svc.MyCasesPage(ctx, v, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Abena Owusu", "Kayla Morris", "Mason Kelly", "Sophie Lambert", "Tyler Brooks"}
	var got []string
	for _, c := range cases {
		got = append(got, c.ChildName)
		view, err := svc.Case(ctx, v, c.ID)
		if err != nil {
			t.Fatalf("teacher opening %s: %v", c.ChildName, err)
		}
		if view.Case.Referrer.UserID != v.User.ID {
			t.Errorf("%s was raised by %s, not the teacher", c.ChildName, view.Case.Referrer.Name)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("teacher's cases are %v, want %v", got, want)
	}
}

func TestChildrensServicesInboxHoldsTheWaitingCases(t *testing.T) {
	svc, _ := seeded(t)
	inbox, _, err := svc.InboxPage(context.Background(), signIn(t, svc, csWorkerEmail), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(inbox) != 8 {
		t.Fatalf("inbox has %d cases, want the 8 waiting on Children's Services", len(inbox))
	}
	for _, c := range inbox {
		if c.Stage != pathway.StageConcernRaised && c.Stage != pathway.StageContactRecorded {
			t.Errorf("%s is in the inbox at stage %s", c.ChildName, c.Stage)
		}
		if c.NextClockDue == nil {
			t.Errorf("%s is waiting with no clock running", c.ChildName)
		}
	}
	if first := inbox[0]; first.NextClockDue == nil || !first.NextClockDue.Before(seedTime) {
		t.Errorf("the inbox should start with an overdue case, starts with %s due %v", first.ChildName, first.NextClockDue)
	}
}

func TestCasesAreSpreadAcrossTheStages(t *testing.T) {
	svc, _ := seeded(t)
	ctx := context.Background()
	v := signIn(t, svc, csWorkerEmail)
	cases, _, err := svc.MyCasesPage(ctx, v, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 14 {
		t.Fatalf("got %d cases, want 14", len(cases))
	}
	stages := map[pathway.Stage]int{}
	overdue := map[pathway.Stage]int{}
	var immediateRisk, ageUncertain, familySuspected int
	earliest := seedTime
	for _, c := range cases {
		stages[c.Stage]++
		if c.NextClockDue != nil && c.NextClockDue.Before(seedTime) {
			overdue[c.Stage]++
		}
		if c.ImmediateRisk {
			immediateRisk++
		}
		if c.AgeUncertain {
			ageUncertain++
		}
		if c.FamilySuspected {
			familySuspected++
		}
		if c.RaisedAt.Before(earliest) {
			earliest = c.RaisedAt
		}
		if !c.RaisedAt.Before(seedTime) {
			t.Errorf("%s was raised at %v, not before the seeding", c.ChildName, c.RaisedAt)
		}
		// The reference carries the year of the contact: the pilot's case (panel.go) was raised months before.
		year := c.RaisedAt.In(pathway.London).Year()
		if c.Stage != pathway.StageConcernRaised && !strings.HasPrefix(c.Reference, fmt.Sprintf("CS-%d-", year)) && !strings.HasPrefix(c.Reference, fmt.Sprintf("CS-%d-", year+1)) {
			t.Errorf("%s has reference %q", c.ChildName, c.Reference)
		}
	}
	want := map[pathway.Stage]int{pathway.StageConcernRaised: 4, pathway.StageContactRecorded: 4, pathway.StageOutcomeGiven: 6}
	for s, n := range want {
		if stages[s] != n {
			t.Errorf("%d cases at %s, want %d", stages[s], s, n)
		}
	}
	if overdue[pathway.StageConcernRaised] != 1 || overdue[pathway.StageContactRecorded] != 1 || overdue[pathway.StageOutcomeGiven] != 0 {
		t.Errorf("overdue clocks by stage %v, want one waiting for contact and one waiting for an outcome", overdue)
	}
	if immediateRisk != 1 || ageUncertain != 1 || familySuspected < 2 {
		t.Errorf("immediate risk %d, age uncertain %d, family suspected %d; want 1, 1 and at least 2", immediateRisk, ageUncertain, familySuspected)
	}
	if seedTime.Sub(earliest) < 9*24*time.Hour {
		t.Errorf("the oldest case was raised at %v; the cases should span about ten days", earliest)
	}
}

func TestCasesAreRealEventLogsTakenOverSeveralDays(t *testing.T) {
	svc, db := seeded(t)
	ctx := context.Background()
	v := signIn(t, svc, csWorkerEmail)
	cases, _, err := svc.MyCasesPage(ctx, v, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		view, err := svc.Case(ctx, v, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(view.Events) != view.Case.Version {
			t.Errorf("%s: %d events for version %d", c.ChildName, len(view.Events), view.Case.Version)
		}
		for i := 1; i < len(view.Events); i++ {
			if !view.Events[i-1].At.Before(view.Events[i].At) {
				t.Errorf("%s: event %d is not after event %d", c.ChildName, i+1, i)
			}
		}
		for _, e := range view.Events {
			// Older stories are told on working days, when schools and surgeries are open.
			if seedTime.Sub(e.At) > 3*24*time.Hour && !svc.Catalog.Holidays.IsWorkingDay(e.At) {
				t.Errorf("%s: %s on %s, not a working day", c.ChildName, e.Type, e.At.In(pathway.London).Format("Monday 2 January"))
			}
		}
		if c.Stage == pathway.StageOutcomeGiven {
			if view.Case.Contact.By.Name != "Sam Whitfield" || view.Case.Outcome.By.Name != "Sam Whitfield" {
				t.Errorf("%s: contact and outcome should be recorded by the Children's Services worker", c.ChildName)
			}
		}
		err = db.Update(ctx, func(tx *store.Tx) error {
			entries, err := tx.AuditForCase(c.ID)
			if err != nil {
				return err
			}
			var writes int
			for _, e := range entries {
				// Waymark's own look for earlier records, when the child's
				// details were recorded, is no one's write (earlier_hints.go).
				if e.Action != audit.ActionCaseViewed && e.ActorID != "system" {
					writes++
				}
			}
			if writes != view.Case.Version {
				t.Errorf("%s: %d audited writes for %d events", c.ChildName, writes, view.Case.Version)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestSeedLeavesTheServiceClockAlone(t *testing.T) {
	svc, _ := seeded(t)
	if got := svc.Now(); !got.Equal(seedTime) {
		t.Errorf("after Seed the service clock reads %v, want %v", got, seedTime)
	}
}

func TestAuditChainVerifiesAfterSeeding(t *testing.T) {
	_, db := seeded(t)
	n, err := db.VerifyAudit(nil)
	if err != nil {
		t.Fatalf("audit chain: %v", err)
	}
	if n < 12+8+4 {
		t.Errorf("audit chain has %d entries, want at least one per event (24)", n)
	}
}

// The stories are placed relative to the moment of seeding; they must be valid
// whatever that moment is: around a clock change, at New Year, on 29 February.
func TestSeedWorksWhateverTheDate(t *testing.T) {
	dates := []time.Time{
		time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC),  // the night the clocks go forward
		time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), // the night the clocks go back
		time.Now().UTC().Truncate(time.Microsecond),    // today
		time.Date(2027, 1, 1, 0, 5, 0, 0, time.UTC),    // just after New Year
		time.Date(2028, 2, 29, 23, 59, 0, 0, time.UTC), // leap day
		time.Date(2031, 8, 31, 12, 0, 0, 0, time.UTC),  // end of a long month
	}
	if testing.Short() {
		dates = dates[:3] // the clock changes and today; every date in the full run
	}
	for _, now := range dates {
		t.Run(now.Format(time.RFC3339), func(t *testing.T) {
			svc, db := newService(t, now)
			if err := demo.Seed(context.Background(), svc, svc.Now); err != nil {
				t.Fatalf("Seed: %v %v", err, waymark.ErrorFields(err))
			}
			var cases int
			if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM cases`).Scan(&cases); err != nil {
				t.Fatal(err)
			}
			if cases != 14 {
				t.Errorf("got %d cases, want 14", cases)
			}
		})
	}
}

func TestSeedFailsLoudlyWhenTheCatalogueLacksAnIndicator(t *testing.T) {
	svc, db := newService(t, seedTime)
	cat := *svc.Catalog
	cat.Indicators = slices.DeleteFunc(slices.Clone(cat.Indicators), func(in catalog.Indicator) bool { return in.ID == "general.missing-episodes" })
	svc.Catalog = &cat
	err := demo.Seed(context.Background(), svc, svc.Now)
	if err == nil || !strings.Contains(err.Error(), "general.missing-episodes") {
		t.Fatalf("Seed with an indicator missing from the catalogue: got %v, want an error naming it", err)
	}
	var orgs int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM organisations`).Scan(&orgs); err != nil {
		t.Fatal(err)
	}
	if orgs != 0 {
		t.Errorf("a failed Seed left %d organisations behind", orgs)
	}
}

// TestTheChildRaisedAgainUnderAnAliasShowsAPossibleEarlierRecord: the demo's
// Children's Services worker, on Kay Morrison's case, is shown Kayla
// Morris's as a likely earlier record of the same child (issue 14 §1).
func TestTheChildRaisedAgainUnderAnAliasShowsAPossibleEarlierRecord(t *testing.T) {
	svc, _ := seeded(t)
	ctx := context.Background()
	v := signIn(t, svc, csWorkerEmail)
	cases, _, err := svc.MyCasesPage(ctx, v, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, c := range cases {
		ids[c.ChildName] = c.ID
	}
	recs, err := svc.EarlierRecords(ctx, v, ids["Kay Morrison"])
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 || recs[0].CaseID != ids["Kayla Morris"] || recs[0].AskOrg == "" {
		t.Fatalf("Kay Morrison's earlier records: %+v, want Kayla Morris's case (%s) first", recs, ids["Kayla Morris"])
	}
}

// The demo's other children are all different children: none of their cases
// shows a possible earlier record, so the one that does (Kay Morrison's)
// stands out as it would in a partnership's own records (§4.8).
func TestNoOtherDemoChildShowsAnEarlierRecord(t *testing.T) {
	svc, _ := seeded(t)
	ctx := context.Background()
	v := signIn(t, svc, csWorkerEmail)
	cases, _, err := svc.MyCasesPage(ctx, v, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 12 {
		t.Fatalf("the Children's Services worker lists %d cases, want the demo's cases", len(cases))
	}
	for _, c := range cases {
		if c.ChildName == "Kay Morrison" || c.ChildName == "Kayla Morris" {
			continue
		}
		recs, err := svc.EarlierRecords(ctx, v, c.ID)
		if err != nil {
			t.Fatalf("%s: %v", c.ChildName, err)
		}
		for _, r := range recs {
			t.Errorf("%s's case shows a %s possible earlier record (%.3f): agrees %v, disagrees %v", c.ChildName, r.Strength, r.Probability, r.Agrees, r.Disagrees)
		}
	}
}
