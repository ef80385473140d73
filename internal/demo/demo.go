// Package demo fills an empty Waymark database with a fictional partnership,
// "Eastshire", so that the service can be tried without real case data: six
// organisations, a user for every role, and a dozen cases at different stages
// of the pathway. Every name, address and story in it is invented.
package demo

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// Password is the one password of every demo user (printed on start and in the README).
const Password = "waymark-demo-2026"

// TOTPSecret is every demo user's authenticator secret (printed on start and
// in the README): add it to an authenticator app, or run "waymark totp", to
// get the code that sign-in asks for after the password. Real accounts each
// set up their own secret at their first sign-in.
const TOTPSecret = "WAYMARKDEMOWAYMARKDEMOWAYMARKDEM"

// DemoUser is one demo account as it is printed for whoever tries the demo.
type DemoUser struct {
	Email, Name, Role, OrgName string
}

// Organisation ids are stable so that Seed can tell whether it has run before.
const (
	orgChildrensServices = "org-eastshire-cs"
	orgPolice            = "org-eastshire-police"
	orgSchool            = "org-northfield-academy"
	orgGP                = "org-riverside-medical"
	orgYouthProject      = "org-open-door"
	orgSupportService    = "org-safe-steps"
)

var organisations = []store.Organisation{
	{ID: orgChildrensServices, Name: "Eastshire County Council Children's Services", Kind: "local-authority", ChildrensServices: true, FirstResponderDesignation: "local-authority"},
	{ID: orgPolice, Name: "Eastshire Police", Kind: "police", FirstResponderDesignation: "police"},
	{ID: orgSchool, Name: "Northfield Academy", Kind: "school"},
	{ID: orgGP, Name: "Riverside Medical Practice", Kind: "health"},
	{ID: orgYouthProject, Name: "Open Door Youth Project", Kind: "voluntary"},
	{ID: orgSupportService, Name: "Safe Steps Support Service", Kind: "support"},
	southshireOrganisation, // a second partnership (southshire.go)
}

// The demo users the stories refer to.
const (
	teacher         = "teacher@northfield.example"
	gp              = "gp@riverside.example"
	youthWorker     = "youth.worker@opendoor.example"
	csWorker        = "cs.worker@eastshire.example"
	socialWorker    = "social.worker@eastshire.example"
	manager         = "manager@eastshire.example"
	firstResponder  = "first.responder@eastshire-police.example"
	partnershipLead = "partnership.lead@eastshire.example"
	administrator   = "admin@eastshire.example"
	analyst         = "analyst@eastshire.example" // statistics only (issue 15)
)

type demoUser struct {
	id, orgID string
	DemoUser
}

// users is one user per role (pathway.Roles), plus a GP and a youth worker so
// that concerns come from more than one kind of organisation.
var users = []demoUser{
	{"user-demo-teacher", orgSchool, DemoUser{teacher, "Hannah Okafor", pathway.RolePractitioner, ""}},
	{"user-demo-gp", orgGP, DemoUser{gp, "Dr Priya Raman", pathway.RolePractitioner, ""}},
	{"user-demo-youth-worker", orgYouthProject, DemoUser{youthWorker, "Jamie Fletcher", pathway.RolePractitioner, ""}},
	{"user-demo-cs-worker", orgChildrensServices, DemoUser{csWorker, "Sam Whitfield", pathway.RoleChildrensServices, ""}},
	{"user-demo-social-worker", orgChildrensServices, DemoUser{socialWorker, "Grace Adeyemi", pathway.RoleSocialWorker, ""}},
	{"user-demo-manager", orgChildrensServices, DemoUser{manager, "Tom Brennan", pathway.RoleManager, ""}},
	{"user-demo-first-responder", orgPolice, DemoUser{firstResponder, "Chris Lawson", pathway.RoleFirstResponder, ""}},
	{"user-demo-partnership-lead", orgChildrensServices, DemoUser{partnershipLead, "Ruth Castellano", pathway.RolePartnershipLead, ""}},
	{"user-demo-admin", orgChildrensServices, DemoUser{administrator, "Alex Morgan", pathway.RoleAdministrator, ""}},
	{"user-demo-analyst", orgChildrensServices, DemoUser{analyst, "Nadia Quist", pathway.RoleAnalyst, ""}},
	southshireUsers[0], southshireUsers[1], // a second partnership (southshire.go)
}

// Users lists the demo users in the order to print them. Role is the role's
// value (pathway.Role*); pathway.RoleLabel gives it in words.
func Users() []DemoUser {
	out := make([]DemoUser, len(users))
	for i, u := range users {
		out[i] = u.DemoUser
		out[i].OrgName = orgName(u.orgID)
	}
	return out
}

func orgName(id string) string {
	for _, o := range organisations {
		if o.ID == id {
			return o.Name
		}
	}
	return id
}

// Seed fills an empty, migrated database with the demo partnership. It is idempotent: if the
// demo organisations already exist it does nothing and returns nil. It uses the casework
// service for cases so every case is a real event log with audit entries, and `now` for time.
//
// It refuses a database that already holds other organisations: fictional
// cases must never be mixed into a real partnership's records.
//
// Everything that could be wrong with the demo data itself (a catalogue id
// that is missing, a concern that fails validation, events out of order) is
// checked before anything is written, so a failure leaves the database empty.
func Seed(ctx context.Context, svc *casework.Service, now func() time.Time) error {
	start := now().UTC()
	plan, err := planStories(svc, start)
	if err != nil {
		return err
	}

	seeded := false
	err = svc.DB.Update(ctx, func(tx *store.Tx) error {
		existing, err := tx.Organisations()
		if err != nil {
			return err
		}
		for _, o := range existing {
			if o.ID == orgChildrensServices {
				seeded = true
				return enrolDemoUsers(tx, start) // a demo folder from before two-step verification
			}
		}
		if len(existing) > 0 {
			return waymark.Errorf(waymark.ECONFLICT, "The database already holds %d organisations. Demo data can only be loaded into an empty database: use a new database file for the demo.", len(existing))
		}
		return insertPartnership(tx, svc, start)
	})
	if err != nil {
		return fmt.Errorf("demo: setting up the Eastshire partnership: %w", err)
	}
	if seeded {
		return nil
	}

	viewers := map[string]casework.Viewer{}
	err = svc.DB.Update(ctx, func(tx *store.Tx) error {
		for _, u := range users {
			su, err := tx.UserByEmail(u.Email)
			if err != nil {
				return fmt.Errorf("reading back %s: %w", u.Email, err)
			}
			viewers[u.Email] = casework.Viewer{User: su}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}

	// The cases are told as they happened, days apart. Each step runs through
	// a copy of the service whose clock reads the step's time, so the events,
	// clocks, references and audit entries carry those times. The copy shares
	// the database and everything else with svc; svc.Now itself is never
	// touched, so requests served meanwhile keep the real time.
	var clock time.Time
	replay := *svc
	replay.Now = func() time.Time { return clock }
	for _, st := range plan {
		clock = st.at
		if err := st.do(ctx, &replay, viewers); err != nil {
			return fmt.Errorf("demo: %s: %w", st.what, err)
		}
	}
	svc.Log.Info("demo partnership seeded", "organisations", len(organisations), "users", len(users), "cases", len(stories))
	return nil
}

// insertPartnership adds the organisations and the users with their hashed passwords.
func insertPartnership(tx *store.Tx, svc *casework.Service, now time.Time) error {
	for _, o := range organisations {
		o.CreatedAt = now.AddDate(0, -3, 0)
		if err := tx.InsertOrganisation(o); err != nil {
			return err
		}
	}
	if err := insertSouthshire(tx, now); err != nil { // southshire.go
		return err
	}
	if err := mapToHOLists(tx, svc.Catalog.HOLists, now); err != nil { // places.go
		return err
	}
	// Eastshire has the ICTG service (issue 13; pathway/ictg.go): cases
	// referred to the NRM are prompted to refer the child to it too.
	ictg := pathway.SettingChange{Key: pathway.SettingICTGAvailable, Value: "yes", From: now.AddDate(-1, 0, 0).In(pathway.London).Format("2006-01-02"),
		Reason: "Demo: Eastshire is in an area with the ICTG service", RecordedBy: "user-demo-admin", RecordedAt: now.AddDate(0, -3, 0)}
	if _, err := tx.AppendSetting(partnershipEastshire, ictg); err != nil {
		return err
	}
	// The demo's cases are all from the last few days, so its statistics
	// count the year in progress to today (provisional); a partnership's
	// default is to the end of the last complete quarter (stats.Cuts).
	soFar := pathway.SettingChange{Key: pathway.SettingStatisticsYearSoFar, Value: "today", From: now.AddDate(-1, 0, 0).In(pathway.London).Format("2006-01-02"),
		Reason: "Demo: every case is from the last few days, so the statistics count to today", RecordedBy: "user-demo-admin", RecordedAt: now.AddDate(0, -3, 0)}
	for _, part := range []string{partnershipEastshire, partnershipSouthshire} { // each partnership keeps its own settings
		if _, err := tx.AppendSetting(part, soFar); err != nil {
			return err
		}
	}
	hash, err := access.PublicPasswordHash(Password, svc.Argon) // shared by every demo user: the password is in the README
	if err != nil {
		return fmt.Errorf("hashing the demo password: %w", err)
	}
	for _, u := range users {
		err = tx.InsertUser(store.User{ID: u.id, OrgID: u.orgID, Email: u.Email, Name: u.Name, Role: u.Role, PasswordHash: hash, CreatedAt: now.AddDate(0, -2, 0)})
		if err != nil {
			return fmt.Errorf("adding %s: %w", u.Email, err)
		}
		if err := casework.EnrolTOTP(tx, u.id, TOTPSecret, now.AddDate(0, -2, 0)); err != nil {
			return fmt.Errorf("setting up two-step verification for %s: %w", u.Email, err)
		}
	}
	return insertStaffProfiles(tx, now)
}

// enrolDemoUsers gives the demo users who have no authenticator the
// published demo secret.
func enrolDemoUsers(tx *store.Tx, now time.Time) error {
	for _, u := range users {
		if _, err := tx.TOTPFor(u.id); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			continue
		}
		if err := casework.EnrolTOTP(tx, u.id, TOTPSecret, now); err != nil {
			return fmt.Errorf("setting up two-step verification for %s: %w", u.Email, err)
		}
	}
	return nil
}

// step is one thing that happens to one demo case at one moment.
type step struct {
	at   time.Time
	what string
	do   func(ctx context.Context, svc *casework.Service, viewers map[string]casework.Viewer) error
}

// seeded is a case raised by the replay, shared by the steps of one story.
type seededCase struct {
	id      string
	version int
}

// planStories checks every story against the catalogue and the pathway's
// rules, and returns their steps in the order they happened.
func planStories(svc *casework.Service, now time.Time) ([]step, error) {
	if err := checkCatalogue(svc, stories); err != nil {
		return nil, err
	}
	cal := svc.Catalog.Holidays
	var plan []step
	for i := range stories {
		s := stories[i]
		name := s.concern.Child.FullName()
		c := s.concernAt(now, cal)
		raisedAt := s.raised(now, cal)
		if s.referrer != teacher && s.referrer != gp && s.referrer != youthWorker {
			return nil, fmt.Errorf("demo: the concern about %s must be raised by a practitioner, not %s", name, s.referrer)
		}
		if !c.IdentifiedAt.Before(raisedAt) || !raisedAt.Before(now) {
			return nil, fmt.Errorf("demo: the concern about %s must be identified, then raised, before now", name)
		}
		if err := svc.Pathway.ValidateConcern(pathway.NormaliseConcern(c), raisedAt); err != nil {
			return nil, fmt.Errorf("demo: the concern about %s is not valid: %w %v", name, err, waymark.ErrorFields(err))
		}
		sc := &seededCase{}
		plan = append(plan, step{at: raisedAt, what: "raising the concern about " + name,
			do: func(ctx context.Context, svc *casework.Service, vs map[string]casework.Viewer) error {
				id, err := svc.RaiseConcern(ctx, vs[s.referrer], c)
				sc.id, sc.version = id, 1
				return err
			}})
		if s.contacted == nil {
			continue
		}
		contactAt := s.contacted(now, cal)
		if !raisedAt.Before(contactAt) || !contactAt.Before(now) || !validContactMethod(s.contactMethod) {
			return nil, fmt.Errorf("demo: the contact about %s must come after the concern, before now, by a known method", name)
		}
		plan = append(plan, step{at: contactAt, what: "recording contact about " + name,
			do: func(ctx context.Context, svc *casework.Service, vs map[string]casework.Viewer) error {
				_, err := svc.RecordContact(ctx, vs[csWorker], sc.id, sc.version, s.contactMethod, s.contactNote)
				sc.version++
				return err
			}})
		if s.outcomeGiven == nil {
			continue
		}
		outcomeAt := s.outcomeGiven(now, cal)
		if !contactAt.Before(outcomeAt) || !outcomeAt.Before(now) || pathway.OutcomeLabel(s.decision) == s.decision || s.nextStep == "" {
			return nil, fmt.Errorf("demo: the outcome for %s must come after the contact, before now, with a known decision and a next step", name)
		}
		plan = append(plan, step{at: outcomeAt, what: "recording the outcome for " + name,
			do: func(ctx context.Context, svc *casework.Service, vs map[string]casework.Viewer) error {
				err := svc.RecordOutcome(ctx, vs[csWorker], sc.id, sc.version, s.decision, s.nextStep)
				sc.version++
				return err
			}})
		previous := outcomeAt
		for _, l := range slices.Concat(afterOutcome[name], listChoices[name], entityChoices[name]) { // listChoices: places.go; entityChoices: entities.go
			at := l.at(now, cal)
			if !previous.Before(at) || !at.Before(now) {
				return nil, fmt.Errorf("demo: %s for %s must come after the step before it, before now", l.what, name)
			}
			previous = at
			plan = append(plan, step{at: at, what: l.what + " for " + name,
				do: func(ctx context.Context, svc *casework.Service, vs map[string]casework.Viewer) error {
					return doLater(ctx, svc, vs[l.by], sc.id, l, at, now)
				}})
		}
	}
	for name := range afterOutcome {
		if !slices.ContainsFunc(stories, func(s story) bool { return s.concern.Child.FullName() == name && s.outcomeGiven != nil }) {
			return nil, fmt.Errorf("demo: no story with an outcome for %s", name)
		}
	}
	plan = append(plan, registerInterpreters(now, cal)...)
	plan = append(plan, setUpPilot(now, cal)...) // panel.go
	// In time order, so that references are issued and the audit log grows
	// in the order things happened.
	sort.SliceStable(plan, func(i, j int) bool { return plan[i].at.Before(plan[j].at) })
	return plan, nil
}

func validContactMethod(m string) bool {
	for _, cm := range pathway.ContactMethods() {
		if cm.Value == m {
			return true
		}
	}
	return false
}

// checkCatalogue fails loudly, naming every id, when a story uses an
// indicator, exploitation type or immediate action the catalogue lacks.
func checkCatalogue(svc *casework.Service, stories []story) error {
	cat := svc.Catalog
	var missing []string
	for _, s := range stories {
		for _, t := range s.concern.ExploitationTypes {
			if _, ok := cat.ExploitationType(t); !ok {
				missing = append(missing, "exploitation type "+t)
			}
		}
		for _, in := range s.concern.Indicators {
			if _, ok := cat.Indicator(in.ID); !ok {
				missing = append(missing, "indicator "+in.ID)
			}
		}
		for _, a := range s.concern.ImmediateActions {
			if _, ok := cat.ImmediateAction(a); !ok {
				missing = append(missing, "immediate action "+a)
			}
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("demo: catalogue version %s has no %v: update the demo stories to the catalogue", cat.Version, missing)
	}
	return nil
}
