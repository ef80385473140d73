package storetest

import (
	"context"
	"sync"
	"testing"

	"waymark/internal/access"
	"waymark/internal/casework"
	"waymark/internal/catalog"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// FastArgon keeps password hashing cheap in tests; production uses access.DefaultArgon2.
var FastArgon = access.Argon2Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

// Password is every test user's password.
const Password = "correct horse battery staple"

// Service returns the use cases over db, reading time from clock and hashing
// passwords with FastArgon.
func Service(t testing.TB, db *store.DB, clock *Clock) *casework.Service {
	t.Helper()
	svc := casework.New(db, Catalog(), clock.Now, nil)
	svc.Argon = FastArgon
	return svc
}

// Partnership is a small local safeguarding partnership: Children's Services
// (the front door and a First Responder), the police (a First Responder), a
// school and a GP practice, with one signed-in viewer per job.
type Partnership struct {
	ChildrensServices store.Organisation
	Police            store.Organisation
	School            store.Organisation
	GP                store.Organisation

	CSWorker     casework.Viewer // Children's Services front door
	SocialWorker casework.Viewer // Children's Services
	Manager      casework.Viewer // Children's Services
	CSAdmin      casework.Viewer // Children's Services administrator: manages the system, sees no cases
	PoliceLead   casework.Viewer // police First Responder lead
	Teacher      casework.Viewer // the school's designated safeguarding lead: raises concerns
	Colleague    casework.Viewer // another teacher at the same school
	GPDoctor     casework.Viewer // a practitioner at the GP practice
}

// NewPartnership writes the organisations and users to db and returns them as
// viewers, as they would be after signing in.
func NewPartnership(t testing.TB, db *store.DB, clock *Clock) Partnership {
	t.Helper()
	now := clock.Now()
	p := Partnership{
		ChildrensServices: store.Organisation{ID: "org-cs", Name: "Northshire Children's Services", Kind: "local-authority", FirstResponderDesignation: "local-authority", ChildrensServices: true, CreatedAt: now},
		Police:            store.Organisation{ID: "org-police", Name: "Northshire Police", Kind: "police", FirstResponderDesignation: "police", CreatedAt: now},
		School:            store.Organisation{ID: "org-school", Name: "Northfield Academy", Kind: "school", CreatedAt: now},
		GP:                store.Organisation{ID: "org-gp", Name: "Riverside GP Practice", Kind: "health", CreatedAt: now},
	}
	users := []struct {
		into  *casework.Viewer
		id    string
		org   string
		email string
		name  string
		role  string
	}{
		{&p.CSWorker, "user-cs-worker", p.ChildrensServices.ID, "front.door@cs.example", "Fola Front", pathway.RoleChildrensServices},
		{&p.SocialWorker, "user-social-worker", p.ChildrensServices.ID, "social.worker@cs.example", "Sam Social", pathway.RoleSocialWorker},
		{&p.Manager, "user-manager", p.ChildrensServices.ID, "manager@cs.example", "Mo Manager", pathway.RoleManager},
		{&p.CSAdmin, "user-admin", p.ChildrensServices.ID, "admin@cs.example", "Ada Admin", pathway.RoleAdministrator},
		{&p.PoliceLead, "user-police", p.Police.ID, "first.responder@police.example", "Pat Police", pathway.RoleFirstResponder},
		{&p.Teacher, "user-teacher", p.School.ID, "dsl@northfield.example", "Tara Teacher", pathway.RolePractitioner},
		{&p.Colleague, "user-colleague", p.School.ID, "colleague@northfield.example", "Cal Colleague", pathway.RolePractitioner},
		{&p.GPDoctor, "user-gp", p.GP.ID, "doctor@riverside.example", "Dee Doctor", pathway.RolePractitioner},
	}
	hash, err := access.HashPassword(Password, FastArgon)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(context.Background(), func(tx *store.Tx) error {
		for _, o := range []store.Organisation{p.ChildrensServices, p.Police, p.School, p.GP} {
			if err := tx.InsertOrganisation(o); err != nil {
				return err
			}
		}
		for _, u := range users {
			if err := tx.InsertUser(store.User{ID: u.id, OrgID: u.org, Email: u.email, Name: u.name, Role: u.role, PasswordHash: hash, CreatedAt: now}); err != nil {
				return err
			}
			if err := casework.EnrolTOTP(tx, u.id, TOTPSecret, now); err != nil { // two-step verification is on for everyone
				return err
			}
			stored, err := tx.UserByID(u.id)
			if err != nil {
				return err
			}
			*u.into = casework.Viewer{User: stored}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("storetest: setting up the partnership: %v", err)
	}
	return p
}

var (
	catalogOnce sync.Once
	cat         *catalog.Catalog
)

// Catalog is the shipped catalogue, loaded once per test binary.
func Catalog() *catalog.Catalog {
	catalogOnce.Do(func() { cat = catalog.MustLoad() })
	return cat
}
