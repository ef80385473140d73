package casework_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/casework"
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

// from is the context of a request from a client address.
func (p *partnership) from(addr string) context.Context {
	return casework.WithSource(p.ctx, addr)
}

// wantThrottled checks err is a throttled answer asking for a wait of want.
func wantThrottled(t *testing.T, err error, want time.Duration) {
	t.Helper()
	wantCode(t, err, waymark.ETOOMANY)
	if wait, ok := casework.RetryAfter(err); !ok || wait != want {
		t.Fatalf("throttled for %v (%v), want %v", wait, ok, want)
	}
}

// Failed sign-ins from a stranger's addresses slow the stranger and never
// keep the account's owner out: an address the owner has signed in from is
// not held back at all, and a new one at most by the account-wide ceiling.
func TestAStrangerCannotLockAColleagueOut(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		email := p.Colleague.User.Email
		office := p.from("198.51.100.20")
		if _, _, _, err := p.svc.SignIn(office, email, storetest.Password, p.code(email)); err != nil {
			t.Fatal(err)
		}
		// A stranger tries ten addresses, as many times as each is let.
		for i := range 10 {
			stranger := p.from(fmt.Sprintf("203.0.113.%d", i+1))
			for range 10 {
				p.svc.SignIn(stranger, email, "a guess", "000000")
			}
		}
		_, _, _, err := p.svc.SignIn(p.from("203.0.113.1"), email, storetest.Password, p.code(email))
		wantCode(t, err, waymark.ETOOMANY) // the stranger is held back, even with the right password
		if n := p.count(`SELECT COUNT(*) FROM sign_in_throttle WHERE failures > 0`); n == 0 {
			t.Fatal("no failures counted")
		}
		// The colleague, at the office as usual, signs in at once.
		if _, _, _, err := p.svc.SignIn(office, email, storetest.Password, p.code(email)); err != nil {
			t.Fatalf("from the office: %v", err)
		}
		// From home, new to the account, the wait is at most the ceiling's.
		home := p.from("192.0.2.55")
		_, _, _, err = p.svc.SignIn(home, email, storetest.Password, p.code(email))
		if wait, ok := casework.RetryAfter(err); err != nil && (!ok || wait > p.svc.Throttle.Account.Max) {
			t.Fatalf("from home: %v", err)
		}
		if err != nil {
			p.clock.Advance(p.svc.Throttle.Account.Max)
			if _, _, _, err := p.svc.SignIn(home, email, storetest.Password, p.code(email)); err != nil {
				t.Fatalf("from home after the ceiling's wait: %v", err)
			}
		}
	})
}

// Guesses from one address meet growing delays — 30 s, then a minute, then
// two … up to a cap — and while one lasts even the right password waits.
// One address trying many accounts is slowed too.
func TestRepeatedFailuresFromOneSourceAreSlowedDown(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		email, attacker := p.Teacher.User.Email, p.from("203.0.113.7")
		rule := p.svc.Throttle.AccountSource
		for i := range rule.Free {
			_, _, _, err := p.svc.SignIn(attacker, email, "a guess", "000000")
			if waymark.ErrorCode(err) != waymark.EUNAUTHORIZED {
				t.Fatalf("guess %d: %v", i+1, err)
			}
		}
		from := p.auditHead()
		_, _, _, err := p.svc.SignIn(attacker, email, storetest.Password, "000000")
		wantThrottled(t, err, 30*time.Second)
		if e := p.auditSince(from); len(e) != 1 || e[0].Action != audit.ActionSignInFailed || e[0].Detail != "throttled" {
			t.Fatalf("audit of a throttled attempt: %+v", e)
		}
		want := 30 * time.Second
		for range 8 {
			p.clock.Advance(want)
			_, _, _, err := p.svc.SignIn(attacker, email, "a guess", "000000")
			wantCode(t, err, waymark.EUNAUTHORIZED)
			want = min(2*want, rule.Max)
			_, _, _, err = p.svc.SignIn(attacker, email, "another guess", "000000")
			wantThrottled(t, err, want)
		}
		if want != 15*time.Minute {
			t.Fatalf("the delay grew to %v, want the 15-minute cap", want)
		}

		// An IPv6 client counts by its /64: changing the rest of the address escapes nothing.
		for i := range rule.Free {
			_, _, _, err := p.svc.SignIn(p.from(fmt.Sprintf("2001:db8:1:2::%x", i+1)), email, "a guess", "000000")
			wantCode(t, err, waymark.EUNAUTHORIZED)
		}
		_, _, _, err = p.svc.SignIn(p.from("2001:db8:1:2:ffff::99"), email, "a guess", "000000")
		wantThrottled(t, err, 30*time.Second)

		// One address guessing at many addresses is slowed as well.
		sprayer := p.from("203.0.113.99")
		for i := range p.svc.Throttle.Source.Free {
			_, _, _, err := p.svc.SignIn(sprayer, fmt.Sprintf("person%d@nowhere.example", i), "a guess", "000000")
			wantCode(t, err, waymark.EUNAUTHORIZED)
		}
		_, _, _, err = p.svc.SignIn(sprayer, "someone.else@nowhere.example", "a guess", "000000")
		wantThrottled(t, err, p.svc.Throttle.Source.Window) // until the hour is up

		// Counts are forgotten in time, and the table does not grow for ever.
		p.clock.Advance(p.svc.Throttle.AccountSource.Forget + time.Hour)
		if _, _, _, err := p.svc.SignIn(sprayer, "someone.else@nowhere.example", "a guess", "000000"); waymark.ErrorCode(err) != waymark.EUNAUTHORIZED {
			t.Fatalf("a day later: %v", err)
		}
		if n := p.count(`SELECT COUNT(*) FROM sign_in_throttle WHERE failures > 0`); n != 3 {
			t.Fatalf("%d throttle rows kept after a day, want only the last attempt's 3", n)
		}
	})
}

// Several replicas share one database: guesses spread over them are
// counted together.
func TestThrottleHoldsAcrossTwoReplicas(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		other := storetest.Service(t, storetest.Reopen(t, db), p.clock)
		email, attacker := p.Teacher.User.Email, p.from("203.0.113.7")
		for i := range p.svc.Throttle.AccountSource.Free {
			svc := p.svc
			if i%2 == 1 {
				svc = other
			}
			_, _, _, err := svc.SignIn(attacker, email, "a guess", "000000")
			wantCode(t, err, waymark.EUNAUTHORIZED)
		}
		for _, svc := range []*casework.Service{p.svc, other} {
			_, _, _, err := svc.SignIn(attacker, email, storetest.Password, "000000")
			wantThrottled(t, err, 30*time.Second)
		}
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

// A request with a session's bearer token reads the session, its person and
// their organisation once, in one snapshot, and writes nothing while the
// session was seen within the minute; a session signed out is refused at the
// very next request.
func TestABearerSessionIsReadOnceARequestAndRefusedOnceSignedOut(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		token, _, _, err := p.svc.SignIn(p.ctx, p.SocialWorker.User.Email, storetest.Password, p.code(p.SocialWorker.User.Email))
		if err != nil {
			t.Fatal(err)
		}
		p.clock.Advance(30 * time.Second)
		var mu sync.Mutex
		var sessionReads, writes int
		db.ObserveStatements(func(q string, rows int64) {
			mu.Lock()
			defer mu.Unlock()
			if strings.Contains(q, "FROM sessions s JOIN users u") {
				sessionReads++
			}
			if rows >= 0 {
				writes++
			}
		})
		v, err := p.svc.AuthenticateAPIToken(p.ctx, token)
		db.ObserveStatements(nil)
		if err != nil || v.User.ID != p.SocialWorker.User.ID {
			t.Fatalf("the session's token gave %q, %v", v.User.ID, err)
		}
		if sessionReads != 1 || writes != 0 {
			t.Errorf("one request read the session %d times and wrote %d statements, want 1 and 0", sessionReads, writes)
		}
		if err := p.svc.SignOut(p.ctx, v, token); err != nil {
			t.Fatal(err)
		}
		_, err = p.svc.AuthenticateAPIToken(p.ctx, token)
		wantCode(t, err, waymark.EUNAUTHORIZED)
	})
}
