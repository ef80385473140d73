package casework_test

import (
	"testing"
	"time"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Sign-in answers never tell a guesser which email addresses have accounts.
func TestWrongPasswordGivesTheSameErrorAsAnUnknownEmail(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		from := p.auditHead()
		_, _, _, wrongPassword := p.svc.SignIn(p.ctx, p.Teacher.User.Email, "not the password at all", p.code(p.Teacher.User.Email))
		_, _, _, unknownEmail := p.svc.SignIn(p.ctx, "nobody@nowhere.example", storetest.Password, p.code("nobody@nowhere.example"))
		wantCode(t, wrongPassword, waymark.EUNAUTHORIZED)
		if !sameError(wrongPassword, unknownEmail) {
			t.Fatalf("wrong password answers %v but an unknown email answers %v", wrongPassword, unknownEmail)
		}
		entries := p.auditSince(from)
		if len(entries) != 2 || entries[0].Action != audit.ActionSignInFailed || entries[1].Action != audit.ActionSignInFailed ||
			entries[0].ActorID != p.Teacher.User.ID {
			t.Fatalf("audit = %+v, want two sign_in_failed entries, the first against the teacher", entries)
		}
		if n := p.count(`SELECT COUNT(*) FROM sessions`); n != 0 {
			t.Fatalf("%d sessions after failed sign-ins", n)
		}

		token, sess, user, err := p.svc.SignIn(p.ctx, "  DSL@Northfield.example ", storetest.Password, p.code("  DSL@Northfield.example "))
		if err != nil || token == "" || user.ID != p.Teacher.User.ID || sess.TokenHash == token {
			t.Fatalf("right password: token %q, user %q, %v", token, user.ID, err)
		}
	})
}

// Guessing is stopped: after five wrong passwords the account locks for
// LockoutFor, and even the right password is refused until then.
func TestAccountLocksAfterFiveFailedSignIns(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		email := p.Teacher.User.Email
		for i := 1; i < p.svc.LockoutAfter; i++ {
			_, _, _, err := p.svc.SignIn(p.ctx, email, "a wrong guess", p.code(email))
			wantCode(t, err, waymark.EUNAUTHORIZED)
			p.clock.Advance(time.Second)
		}
		_, _, _, err := p.svc.SignIn(p.ctx, email, "a wrong guess", p.code(email))
		wantCode(t, err, waymark.ETOOMANY)
		lockedAt := p.clock.Now()

		_, _, _, err = p.svc.SignIn(p.ctx, email, storetest.Password, p.code(email))
		wantCode(t, err, waymark.ETOOMANY)

		p.clock.Set(lockedAt.Add(p.svc.LockoutFor - time.Second))
		_, _, _, err = p.svc.SignIn(p.ctx, email, storetest.Password, p.code(email))
		wantCode(t, err, waymark.ETOOMANY)
		if n := p.count(`SELECT COUNT(*) FROM sessions`); n != 0 {
			t.Fatalf("%d sessions while locked", n)
		}

		p.clock.Set(lockedAt.Add(p.svc.LockoutFor))
		if _, _, _, err := p.svc.SignIn(p.ctx, email, storetest.Password, p.code(email)); err != nil {
			t.Fatalf("sign-in once the lock has passed: %v", err)
		}
		// The count starts again: one wrong guess after a success does not lock.
		_, _, _, err = p.svc.SignIn(p.ctx, email, "a wrong guess", p.code(email))
		wantCode(t, err, waymark.EUNAUTHORIZED)
	})
}

// A session left alone for longer than SessionIdle ends; activity keeps it alive.
func TestSessionEndsAfterTheIdleTimeout(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		token, _, _, err := p.svc.SignIn(p.ctx, p.SocialWorker.User.Email, storetest.Password, p.code(p.SocialWorker.User.Email))
		if err != nil {
			t.Fatal(err)
		}
		for range 4 { // two hours of steady work
			p.clock.Advance(p.svc.SessionIdle - time.Minute)
			v, _, err := p.svc.Authenticate(p.ctx, token)
			if err != nil {
				t.Fatalf("active session ended at %s: %v", p.clock.Now(), err)
			}
			if v.User.ID != p.SocialWorker.User.ID {
				t.Fatalf("session belongs to %q", v.User.ID)
			}
		}
		p.clock.Advance(p.svc.SessionIdle + time.Second)
		_, _, err = p.svc.Authenticate(p.ctx, token)
		wantCode(t, err, waymark.EUNAUTHORIZED)
		if n := p.count(`SELECT COUNT(*) FROM sessions`); n != 0 {
			t.Fatalf("%d sessions left after the idle timeout: the session was not ended", n)
		}

		p.clock.Advance(-p.svc.SessionIdle) // a session once ended stays ended, even if the server's clock steps back
		_, _, err = p.svc.Authenticate(p.ctx, token)
		wantCode(t, err, waymark.EUNAUTHORIZED)
	})
}

// However busy, a session ends SessionAbsolute after signing in.
func TestSessionEndsAtTheAbsoluteTimeout(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		signedIn := p.clock.Now()
		token, _, _, err := p.svc.SignIn(p.ctx, p.SocialWorker.User.Email, storetest.Password, p.code(p.SocialWorker.User.Email))
		if err != nil {
			t.Fatal(err)
		}
		step := p.svc.SessionIdle / 2
		for p.clock.Now().Add(step).Before(signedIn.Add(p.svc.SessionAbsolute)) {
			p.clock.Advance(step)
			if _, _, err := p.svc.Authenticate(p.ctx, token); err != nil {
				t.Fatalf("busy session ended early, %s after sign-in: %v", p.clock.Now().Sub(signedIn), err)
			}
		}
		p.clock.Set(signedIn.Add(p.svc.SessionAbsolute))
		if _, _, err := p.svc.Authenticate(p.ctx, token); err != nil {
			t.Fatalf("session ended before its absolute limit: %v", err)
		}
		p.clock.Advance(time.Second)
		_, _, err = p.svc.Authenticate(p.ctx, token)
		wantCode(t, err, waymark.EUNAUTHORIZED)
		if n := p.count(`SELECT COUNT(*) FROM sessions`); n != 0 {
			t.Fatalf("%d sessions left after the absolute timeout: the session was not ended", n)
		}
	})
}

func TestSignOutEndsTheSession(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		token, _, _, err := p.svc.SignIn(p.ctx, p.Teacher.User.Email, storetest.Password, p.code(p.Teacher.User.Email))
		if err != nil {
			t.Fatal(err)
		}
		v, _, err := p.svc.Authenticate(p.ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		from := p.auditHead()
		if err := p.svc.SignOut(p.ctx, v, token); err != nil {
			t.Fatal(err)
		}
		_, _, err = p.svc.Authenticate(p.ctx, token)
		wantCode(t, err, waymark.EUNAUTHORIZED)
		if entries := p.auditSince(from); len(entries) != 1 || entries[0].Action != audit.ActionSignOut {
			t.Fatalf("audit = %+v, want one sign-out", entries)
		}
	})
}
