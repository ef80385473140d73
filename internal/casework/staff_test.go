package casework_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/casework"
	"waymark/internal/notify"
	"waymark/internal/notify/notifytest"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// staffer adds an enabled person with the test password and an
// authenticator, as if they had signed in before.
func (p *partnership) staffer(email, role string) store.User {
	p.t.Helper()
	return p.personWhoSignsIn(access.NewID(), p.School.ID, email, "Sol Staff", role)
}

// personWhoSignsIn adds an enabled person of org with the test password
// and an authenticator, so that they can re-authenticate, and returns them
// as read back.
func (p *partnership) personWhoSignsIn(id, org, email, name, role string) store.User {
	p.t.Helper()
	hash, err := access.HashPassword(storetest.Password, storetest.FastArgon)
	if err != nil {
		p.t.Fatal(err)
	}
	var u store.User
	err = p.db.Update(p.ctx, func(tx *store.Tx) error {
		if err := tx.InsertUser(store.User{ID: id, OrgID: org, Email: email, Name: name, Role: role, PasswordHash: hash, CreatedAt: p.clock.Now()}); err != nil {
			return err
		}
		if err := casework.EnrolTOTP(tx, id, storetest.TOTPSecret, p.clock.Now()); err != nil {
			return err
		}
		u, err = tx.UserByID(id)
		return err
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return u
}

// A council office: fifty people sign in from one address at the start of
// the day, each mistyping their password once first. Nobody is held back:
// successes never count, and fifty mistakes are within the address limit.
func TestFiftyStaffSigningInFromOneOfficeAreNeverHeldBack(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		office := p.from("198.51.100.80")
		for i := range 50 {
			email := fmt.Sprintf("officer%02d@council.example", i)
			p.staffer(email, pathway.RolePractitioner)
			_, _, _, err := p.svc.SignIn(office, email, "a typo", "000000")
			wantCode(t, err, waymark.EUNAUTHORIZED)
			if _, _, _, err := p.svc.SignIn(office, email, storetest.Password, p.code(email)); err != nil {
				t.Fatalf("person %d of the office: %v", i+1, err)
			}
		}
	})
}

// Twenty wrong passwords for one account hold back that account from that
// address, and nobody else who shares the address.
func TestTwentyWrongPasswordsLockThatAccountOnly(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		office := p.from("198.51.100.80")
		email := p.Teacher.User.Email
		for failed := 0; failed < 20; {
			_, _, _, err := p.svc.SignIn(office, email, "a wrong password", "000000")
			if wait, ok := casework.RetryAfter(err); ok {
				p.clock.Advance(wait) // the guesser waits out each delay, so all twenty are tried
				continue
			}
			wantCode(t, err, waymark.EUNAUTHORIZED)
			failed++
		}
		_, _, _, err := p.svc.SignIn(office, email, storetest.Password, p.code(email))
		wantThrottled(t, err, 15*time.Minute)
		// The colleague at the next desk signs in at once.
		if _, _, _, err := p.svc.SignIn(office, p.Colleague.User.Email, storetest.Password, p.code(p.Colleague.User.Email)); err != nil {
			t.Fatalf("a colleague at the same address: %v", err)
		}
	})
}

// One wrong password tried against many accounts from one address is
// stopped at the address limit, until the hour is up; the limit is
// configurable.
func TestOnePasswordSprayedAcrossAccountsStopsAtTheAddressLimit(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		if err := p.svc.Throttle.SetAddressLimit(40); err != nil {
			t.Fatal(err)
		}
		sprayer := p.from("203.0.113.66")
		for i := range 40 {
			_, _, _, err := p.svc.SignIn(sprayer, fmt.Sprintf("person%d@council.example", i), "Summer2026!", "000000")
			wantCode(t, err, waymark.EUNAUTHORIZED)
			p.clock.Advance(time.Minute)
		}
		_, _, _, err := p.svc.SignIn(sprayer, p.Teacher.User.Email, "Summer2026!", "000000")
		wantThrottled(t, err, 20*time.Minute) // the hour began at the first failure, 40 minutes ago
		// Even the right password waits: the address is held back, not the account.
		_, _, _, err = p.svc.SignIn(sprayer, p.Teacher.User.Email, storetest.Password, p.code(p.Teacher.User.Email))
		wantCode(t, err, waymark.ETOOMANY)
		// Another address is untouched.
		if _, _, _, err := p.svc.SignIn(p.from("198.51.100.80"), p.Teacher.User.Email, storetest.Password, p.code(p.Teacher.User.Email)); err != nil {
			t.Fatalf("from another address: %v", err)
		}
		p.clock.Advance(20 * time.Minute)
		_, _, _, err = p.svc.SignIn(sprayer, "someone.new@council.example", "Summer2026!", "000000")
		wantCode(t, err, waymark.EUNAUTHORIZED)

		if err := p.svc.Throttle.SetAddressLimit(0); err == nil {
			t.Fatal("an address limit of 0 was accepted")
		}
	})
}

// staffSession signs the administrator in and returns the session token.
func (p *partnership) adminSession() string { return p.session(p.CSAdmin) }

func TestAnAdministratorManagesStaffAccountsAndEveryChangeIsAudited(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		admin, token := p.CSAdmin, p.adminSession()
		from := p.auditHead()

		m, err := p.svc.AddStaff(p.ctx, admin, token, casework.NewStaff{Email: "  New.Person@Northfield.Example ", Name: "Nia New", Role: pathway.RolePractitioner, OrgID: p.School.ID})
		if err != nil {
			t.Fatal(err)
		}
		if m.Email != "new.person@northfield.example" || !m.SingleSignOnOnly {
			t.Fatalf("added %+v: want the address lower-cased and no password", m)
		}
		if err := p.svc.ChangeStaffRole(p.ctx, admin, token, m.ID, pathway.RoleManager); err != nil {
			t.Fatal(err)
		}
		if n, err := p.svc.SetStaffDisabled(p.ctx, admin, token, []string{m.ID, p.Colleague.User.ID}, true); err != nil || n != 2 {
			t.Fatalf("bulk disable: %d, %v", n, err)
		}
		if _, _, _, err := p.svc.SignIn(p.ctx, p.Colleague.User.Email, storetest.Password, p.code(p.Colleague.User.Email)); err == nil {
			t.Fatal("a disabled account signed in")
		}
		if _, err := p.svc.SetStaffDisabled(p.ctx, admin, token, []string{p.Colleague.User.ID}, false); err != nil {
			t.Fatal(err)
		}
		if err := p.svc.UnlockStaff(p.ctx, admin, token, p.Colleague.User.ID); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range p.auditSince(from) {
			if e.ActorID == admin.User.ID && strings.HasPrefix(e.Action, "user.") && e.Action != casework.ActionReauthenticated {
				got = append(got, e.Action+" "+e.Detail)
			}
		}
		all := strings.Join(got, "\n")
		for _, want := range []string{
			"user.added for " + m.ID + " as practitioner in " + p.School.ID,
			"user.role_changed for " + m.ID + ": practitioner to manager",
			"user.disabled for " + m.ID, "user.disabled for " + p.Colleague.User.ID,
			"user.enabled for " + p.Colleague.User.ID, "user.unlocked for " + p.Colleague.User.ID,
		} {
			if !strings.Contains(all, want) {
				t.Errorf("no audit entry %q in:\n%s", want, all)
			}
		}
		list, err := p.svc.Staff(p.ctx, admin, casework.StaffFilter{OrgID: p.School.ID, Status: "disabled"})
		if err != nil || len(list) != 1 || list[0].ID != m.ID {
			t.Fatalf("disabled people of the school: %+v, %v", list, err)
		}
	})
}

// Unlocking clears the failed sign-ins against the account and leaves its
// password alone.
func TestUnlockLetsTheOwnerSignInWithTheSamePassword(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		email, desk := p.Teacher.User.Email, p.from("198.51.100.7")
		for range 6 {
			p.svc.SignIn(desk, email, "a wrong password", "000000")
		}
		list, err := p.svc.Staff(p.ctx, p.CSAdmin, casework.StaffFilter{Status: "locked"})
		if err != nil || len(list) != 1 || list[0].ID != p.Teacher.User.ID {
			t.Fatalf("locked accounts: %+v, %v", list, err)
		}
		if err := p.svc.UnlockStaff(p.ctx, p.CSAdmin, p.adminSession(), p.Teacher.User.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := p.svc.SignIn(desk, email, storetest.Password, p.code(email)); err != nil {
			t.Fatalf("after unlocking: %v", err)
		}
	})
}

// The partnership always keeps an enabled administrator: the last one can
// neither disable nor demote themselves, alone or in a bulk selection.
func TestTheLastAdministratorCannotDisableOrDemoteThemselves(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		admin, token := p.CSAdmin, p.adminSession()
		before := p.rowCounts()
		_, err := p.svc.SetStaffDisabled(p.ctx, admin, token, []string{p.Colleague.User.ID, admin.User.ID}, true)
		if !errors.Is(err, pathway.ErrLastAdministrator) {
			t.Fatalf("bulk disable including the last administrator: %v", err)
		}
		if err := p.svc.ChangeStaffRole(p.ctx, admin, token, admin.User.ID, pathway.RoleManager); !errors.Is(err, pathway.ErrLastAdministrator) {
			t.Fatalf("demoting the last administrator: %v", err)
		}
		p.wantNothingWritten(before)
		// With a second administrator, either may step down.
		other := p.staffer("second.admin@cs.example", pathway.RoleAdministrator)
		if err := p.svc.ChangeStaffRole(p.ctx, admin, token, other.ID, pathway.RolePractitioner); err != nil {
			t.Fatal(err)
		}
		if err := p.svc.ChangeStaffRole(p.ctx, admin, token, other.ID, pathway.RoleAdministrator); err != nil {
			t.Fatal(err)
		}
		if _, err := p.svc.SetStaffDisabled(p.ctx, admin, token, []string{admin.User.ID}, true); err != nil {
			t.Fatalf("stepping down with another administrator left: %v", err)
		}
	})
}

// Only an administrator, signed in in person and recently confirmed, changes
// staff accounts; nobody else can even list them.
func TestOnlyAnAdministratorManagesStaff(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		for _, v := range []casework.Viewer{p.Manager, p.Teacher, p.CSWorker} {
			if _, err := p.svc.Staff(p.ctx, v, casework.StaffFilter{}); !errors.Is(err, casework.ErrStaffAdmin) {
				t.Errorf("%s listing staff: %v", v.User.Role, err)
			}
			if _, err := p.svc.SetStaffDisabled(p.ctx, v, p.session(v), []string{p.Colleague.User.ID}, true); !errors.Is(err, casework.ErrStaffAdmin) {
				t.Errorf("%s disabling: %v", v.User.Role, err)
			}
		}
		token := p.adminSession()
		p.clock.Advance(p.svc.Access.ReauthWithin + time.Minute)
		if _, err := p.svc.SetStaffDisabled(p.ctx, p.CSAdmin, token, []string{p.Colleague.User.ID}, true); !errors.Is(err, casework.ErrReauthenticate) {
			t.Fatalf("without a recent confirmation: %v", err)
		}
	})
}

// Emails are plain addresses, lower-cased and unique; kinds come from a
// closed list; an unknown organisation is named, never a database message.
func TestAccountsAndOrganisationsAreCheckedBeforeTheyAreStored(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		before := p.rowCounts()
		add := func(email, org string) error {
			return p.svc.AddUser(p.ctx, store.User{ID: access.NewID(), OrgID: org, Email: email, Name: "Nia", Role: pathway.RolePractitioner, PasswordHash: "x", CreatedAt: p.clock.Now()})
		}
		for _, bad := range []string{"", "nia", "nia@", "@northfield.example", "Nia <nia@northfield.example>", "nia@localhost", "nia@@northfield.example", "nia @northfield.example"} {
			if err := add(bad, p.School.ID); fieldOf(err) != "email" {
				t.Errorf("email %q: %v", bad, err)
			}
		}
		err := add("nia@northfield.example", "org-nowhere")
		if waymark.ErrorCode(err) != waymark.EINVALID || waymark.ErrorMessage(err) != "No organisation with id org-nowhere" {
			t.Errorf("unknown organisation: %v", err)
		}
		if err := add("DSL@Northfield.Example", p.School.ID); waymark.ErrorCode(err) != waymark.ECONFLICT {
			t.Errorf("an address already used, in other letters: %v", err)
		}
		for _, o := range []store.Organisation{
			{ID: "org-x", Name: "X", Kind: "charity"},
			{ID: "Org X", Name: "X", Kind: "school"},
			{ID: "org-x", Name: " ", Kind: "school"},
		} {
			if err := p.svc.AddOrganisation(p.ctx, o); waymark.ErrorCode(err) != waymark.EINVALID {
				t.Errorf("organisation %+v: %v", o, err)
			}
		}
		p.wantNothingWritten(before)
		_, err = p.svc.AddStaff(p.ctx, p.CSAdmin, p.adminSession(), casework.NewStaff{Email: "nia@northfield.example", Name: "Nia", Role: pathway.RolePractitioner, OrgID: "org-nowhere"})
		if waymark.ErrorMessage(err) != "No organisation with id org-nowhere" {
			t.Errorf("an administrator naming an unknown organisation: %v", err)
		}
	})
}

var invitationLink = regexp.MustCompile(`https://waymark\.partnership\.example/sign-in/first-password\?token=([A-Za-z0-9_-]+)`)

// invitedNia has admin add Nia New as a practitioner at the school and send
// her, through a test relay, the link to set her first password. It returns
// her account and the link's token.
func (p *partnership) invitedNia(admin casework.Viewer, token string) (casework.StaffMember, string) {
	p.t.Helper()
	relay := notifytest.New(p.t)
	p.svc.Access.Mailer = &notify.Mailer{Addr: relay.Addr, From: "waymark@partnership.example"}
	p.svc.Access.PublicURL = "https://waymark.partnership.example"
	m, err := p.svc.AddStaff(p.ctx, admin, token, casework.NewStaff{Email: "nia@northfield.example", Name: "Nia New", Role: pathway.RolePractitioner, OrgID: p.School.ID})
	if err != nil {
		p.t.Fatal(err)
	}
	if err := p.svc.InviteStaff(p.ctx, admin, token, m.ID); err != nil {
		p.t.Fatal(err)
	}
	link := invitationLink.FindStringSubmatch(relay.Wait(1, 5*time.Second)[0].Data)
	return m, link[1]
}

// A person an administrator adds sets their own first password from a
// one-time link sent to their address: the administrator sees no password
// and no link, the link works once, and both steps are audited.
func TestAnInvitationLetsTheNewPersonSetTheirOwnPassword(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		admin, token := p.CSAdmin, p.adminSession()
		m, err := p.svc.AddStaff(p.ctx, admin, token, casework.NewStaff{Email: "nia@northfield.example", Name: "Nia New", Role: pathway.RolePractitioner, OrgID: p.School.ID})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.svc.InviteStaff(p.ctx, admin, token, m.ID); waymark.ErrorCode(err) != waymark.ECONFLICT {
			t.Fatalf("without a mailer: %v", err)
		}
		relay := notifytest.New(t)
		p.svc.Access.Mailer = &notify.Mailer{Addr: relay.Addr, From: "waymark@partnership.example"}
		p.svc.Access.PublicURL = "https://waymark.partnership.example"
		if err := p.svc.InviteStaff(p.ctx, admin, token, m.ID); err != nil {
			t.Fatal(err)
		}
		mails := relay.Wait(1, 5*time.Second)
		if len(mails) != 1 || len(mails[0].To) != 1 || mails[0].To[0] != "nia@northfield.example" {
			t.Fatalf("mails: %+v", mails)
		}
		link := invitationLink.FindStringSubmatch(mails[0].Data)
		if link == nil {
			t.Fatalf("no link in the email:\n%s", mails[0].Data)
		}
		if err := p.svc.SetFirstPassword(p.ctx, link[1], "short", "short"); fieldOf(err) != "password" {
			t.Fatalf("a short password: %v", err)
		}
		if err := p.svc.SetFirstPassword(p.ctx, link[1], "a long enough password", "a different one"); fieldOf(err) != "confirmPassword" {
			t.Fatalf("two different passwords: %v", err)
		}
		if err := p.svc.SetFirstPassword(p.ctx, "not-the-link", "a long enough password", "a long enough password"); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("a made-up link: %v", err)
		}
		if err := p.svc.SetFirstPassword(p.ctx, link[1], "a long enough password", "a long enough password"); err != nil {
			t.Fatal(err)
		}
		if err := p.svc.SetFirstPassword(p.ctx, link[1], "another long password", "another long password"); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("the link used twice: %v", err)
		}
		if _, err := p.svc.BeginSignIn(p.ctx, "nia@northfield.example", "a long enough password"); err != nil {
			t.Fatalf("signing in with the password set from the link: %v", err)
		}
		if err := p.svc.InviteStaff(p.ctx, admin, token, m.ID); waymark.ErrorCode(err) != waymark.ECONFLICT {
			t.Fatalf("a link for someone who has a password: %v", err)
		}
		if n := p.count(`SELECT COUNT(*) FROM audit_log WHERE action IN ('user.invited', 'user.password_set') AND detail LIKE '%' || $1 || '%'`, ""); n != 2 {
			t.Fatalf("%d audit entries for the link and the password, want 2", n)
		}
	})
}

// A link expires.
func TestAnInvitationExpires(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		admin, token := p.CSAdmin, p.adminSession()
		_, link := p.invitedNia(admin, token)
		p.clock.Advance(casework.InvitationValidFor + time.Minute)
		if err := p.svc.SetFirstPassword(p.ctx, link, "a long enough password", "a long enough password"); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("an expired link: %v", err)
		}
	})
}
