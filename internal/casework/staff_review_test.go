package casework_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Someone at a council office's shared address who fails to sign in a
// hundred times (a stranger on the guest network, a script gone wrong)
// must not keep the office out for the hour: people who have signed in
// from that address before go on signing in. Only accounts new to the
// address wait, and the failures still count against the address.
func TestOneFailingMachineInAnOfficeDoesNotLockTheOfficeOut(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		if err := p.svc.Throttle.SetAddressLimit(40); err != nil {
			t.Fatal(err)
		}
		office := p.from("198.51.100.80")
		var staff []string
		for i := range 3 {
			email := fmt.Sprintf("officer%02d@council.example", i)
			p.staffer(email, pathway.RolePractitioner)
			if _, _, _, err := p.svc.SignIn(office, email, storetest.Password, p.code(email)); err != nil {
				t.Fatal(err)
			}
			staff = append(staff, email)
			p.clock.Advance(time.Minute)
		}
		for i := range 40 {
			_, _, _, err := p.svc.SignIn(office, fmt.Sprintf("guess%d@council.example", i), "Summer2026!", "000000")
			wantCode(t, err, waymark.EUNAUTHORIZED)
		}
		// The address is held back for strangers to it...
		_, _, _, err := p.svc.SignIn(office, "guess99@council.example", "Summer2026!", "000000")
		wantCode(t, err, waymark.ETOOMANY)
		// ...and the office works on.
		for _, email := range staff {
			p.clock.Advance(time.Minute)
			if _, _, _, err := p.svc.SignIn(office, email, storetest.Password, p.code(email)); err != nil {
				t.Fatalf("%s, who signs in from the office every day: %v", email, err)
			}
		}
		// A colleague's success clears nothing of the address's count.
		_, _, _, err = p.svc.SignIn(office, "guess100@council.example", "Summer2026!", "000000")
		wantCode(t, err, waymark.ETOOMANY)
	})
}

// An administrator sees no case: they cannot give themselves a role that
// does. Another administrator has to make the change, so that no one person
// moves themselves from managing accounts to reading case records.
func TestAnAdministratorCannotChangeTheirOwnRole(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		admin, token := p.CSAdmin, p.adminSession()
		other := p.staffer("second.admin@cs.example", pathway.RoleAdministrator)
		before := p.rowCounts()
		for _, role := range []string{pathway.RolePartnershipLead, pathway.RoleSocialWorker, pathway.RoleManager} {
			err := p.svc.ChangeStaffRole(p.ctx, admin, token, admin.User.ID, role)
			if !errors.Is(err, pathway.ErrOwnRole) {
				t.Fatalf("an administrator making themselves %s: %v", role, err)
			}
		}
		p.wantNothingWritten(before)
		// The other administrator may make the change, audited as theirs.
		if err := p.svc.ChangeStaffRole(p.ctx, admin, token, other.ID, pathway.RoleManager); err != nil {
			t.Fatal(err)
		}
	})
}

// A person who signs in through their organisation's identity provider
// loses Waymark when the provider drops them. A password of their own
// would outlive that, so no link to set one is sent to them, and a link
// sent before their account was linked no longer works.
func TestASingleSignOnAccountCannotBeGivenAPasswordByLink(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		admin, token := p.CSAdmin, p.adminSession()
		m, link := p.invitedNia(admin, token)
		// Nia signs in through the provider before following the link.
		if err := db.Update(p.ctx, func(tx *store.Tx) error {
			return tx.LinkIdentity("https://idp.example", "sub-nia", m.ID, p.clock.Now())
		}); err != nil {
			t.Fatal(err)
		}
		if err := p.svc.SetFirstPassword(p.ctx, link, "a long enough password", "a long enough password"); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("a link followed by a single sign-on account: %v", err)
		}
		if err := p.svc.InviteStaff(p.ctx, admin, token, m.ID); waymark.ErrorCode(err) != waymark.ECONFLICT {
			t.Fatalf("a link for a single sign-on account: %v", err)
		}
		if _, err := p.svc.BeginSignIn(p.ctx, "nia@northfield.example", "a long enough password"); err == nil {
			t.Fatal("a single sign-on account signed in with a password")
		}
	})
}

// An address that looks like a colleague's (a Cyrillic "а" for a Latin
// "a", full-width letters) would pass for theirs in every list, and a name
// with a text-direction control or a line break reads differently from what
// was typed: both are refused with the field named, and nothing is stored.
func TestALookAlikeEmailOrASpoofedNameIsRefused(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		admin, token := p.CSAdmin, p.adminSession()
		before := p.rowCounts()
		for _, email := range []string{"\u0430dmin@cs.example", "\uff41dmin@cs.example", "admin@c\u0455.example"} {
			_, err := p.svc.AddStaff(p.ctx, admin, token, casework.NewStaff{Email: email, Name: "Ada Admin", Role: pathway.RolePractitioner, OrgID: p.School.ID})
			if fieldOf(err) != "email" {
				t.Errorf("look-alike address %q: %v", email, err)
			}
		}
		for _, name := range []string{"Ada Admin\u202e", "Ada\nAdmin", "Ada\x00Admin"} {
			_, err := p.svc.AddStaff(p.ctx, admin, token, casework.NewStaff{Email: "ada2@cs.example", Name: name, Role: pathway.RolePractitioner, OrgID: p.School.ID})
			if fieldOf(err) != "name" {
				t.Errorf("name %q: %v", name, err)
			}
		}
		p.wantNothingWritten(before)
	})
}

// Disabling an account kills the link to set its first password for good:
// enabling it again later does not bring back a link sent before, which
// may sit in a mailbox someone else now reads.
func TestALinkSentBeforeAnAccountWasDisabledStaysDead(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		admin, token := p.CSAdmin, p.adminSession()
		m, link := p.invitedNia(admin, token)
		for _, disabled := range []bool{true, false} {
			if _, err := p.svc.SetStaffDisabled(p.ctx, admin, token, []string{m.ID}, disabled); err != nil {
				t.Fatal(err)
			}
		}
		if err := p.svc.SetFirstPassword(p.ctx, link, "a long enough password", "a long enough password"); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("a link sent before the account was disabled and enabled again: %v", err)
		}
	})
}

// Disabling several people at once is all or nothing: one id that names no
// account is a clear answer about the selection, and nobody is disabled.
func TestDisablingSeveralWithOneUnknownIdChangesNobodyAndSaysWhy(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		admin, token := p.CSAdmin, p.adminSession()
		before := p.rowCounts()
		_, err := p.svc.SetStaffDisabled(p.ctx, admin, token, []string{p.Colleague.User.ID, "no-such-person"}, true)
		if waymark.ErrorCode(err) != waymark.ENOTFOUND || !strings.Contains(waymark.ErrorMessage(err), "no-such-person") {
			t.Fatalf("an unknown id in the selection: %v", err)
		}
		p.wantNothingWritten(before)
	})
}

// The other side of sparing an office's own people: someone in the office
// guessing a colleague's password gets that colleague's free failures and
// then meets the address limit like anyone else.
func TestAGuesserInTheOfficeMeetsTheAddressLimitAfterAColleaguesFreeFailures(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		if err := p.svc.Throttle.SetAddressLimit(40); err != nil {
			t.Fatal(err)
		}
		office := p.from("198.51.100.80")
		email := "officer@council.example"
		p.staffer(email, pathway.RolePractitioner)
		if _, _, _, err := p.svc.SignIn(office, email, storetest.Password, p.code(email)); err != nil {
			t.Fatal(err)
		}
		for i := range 40 { // the address reaches its limit
			_, _, _, err := p.svc.SignIn(office, fmt.Sprintf("guess%d@council.example", i), "Summer2026!", "000000")
			wantCode(t, err, waymark.EUNAUTHORIZED)
		}
		free := p.svc.Throttle.AccountSource.Free
		for range free {
			_, _, _, err := p.svc.SignIn(office, email, "a guess", "000000")
			wantCode(t, err, waymark.EUNAUTHORIZED)
		}
		p.clock.Advance(p.svc.Throttle.AccountSource.Max) // past the colleague's own delay
		_, _, _, err := p.svc.SignIn(office, email, "another guess", "000000")
		wantCode(t, err, waymark.ETOOMANY)
	})
}

// Two administrators disabling each other at the same moment must not both
// succeed: the partnership would be left with no enabled administrator.
// The check and the change are one decision, so the second waits for the
// first and then sees it.
func TestTwoAdministratorsDisablingEachOtherAtOnceLeaveOneEnabled(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		second := p.staffer("second.admin@cs.example", pathway.RoleAdministrator)
		viewer := func(id string) casework.Viewer {
			var u store.User
			if err := db.View(p.ctx, func(tx *store.Tx) (err error) { u, err = tx.UserByID(id); return err }); err != nil {
				t.Fatal(err)
			}
			return casework.Viewer{User: u}
		}
		for round := range 15 {
			a, b := viewer(p.CSAdmin.User.ID), viewer(second.ID)
			ta, tb := p.session(a), p.session(b)
			start := make(chan struct{})
			errs := make(chan error, 2)
			for _, x := range []struct {
				v     casework.Viewer
				token string
				other string
			}{{a, ta, b.User.ID}, {b, tb, a.User.ID}} {
				go func() {
					<-start
					_, err := p.svc.SetStaffDisabled(p.ctx, x.v, x.token, []string{x.other}, true)
					errs <- err
				}()
			}
			close(start)
			<-errs
			<-errs
			enabled := 0
			for _, id := range []string{a.User.ID, b.User.ID} {
				if !viewer(id).User.Disabled {
					enabled++
				}
			}
			if enabled == 0 {
				t.Fatalf("round %d: both administrators disabled each other", round+1)
			}
			if err := db.Update(p.ctx, func(tx *store.Tx) error {
				for _, id := range []string{a.User.ID, b.User.ID} {
					if err := tx.SetDisabled(id, false, p.clock.Now()); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			p.clock.Advance(time.Minute)
		}
	})
}
