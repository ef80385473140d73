package casework_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// code is the code the person's authenticator app shows now (each is used once).
func (p *partnership) code(email string) string {
	p.t.Helper()
	return storetest.NextCode(p.db, email, p.clock)
}

// newcomer adds a user who has never signed in: no authenticator yet.
func (p *partnership) newcomer(email string) store.User {
	p.t.Helper()
	hash, err := access.HashPassword(storetest.Password, storetest.FastArgon)
	if err != nil {
		p.t.Fatal(err)
	}
	u := store.User{ID: access.NewID(), OrgID: p.School.ID, Email: email, Name: "Nia Newcomer", Role: pathway.RolePractitioner, PasswordHash: hash, CreatedAt: p.clock.Now()}
	if err := p.db.Update(p.ctx, func(tx *store.Tx) error { return tx.InsertUser(u) }); err != nil {
		p.t.Fatal(err)
	}
	return u
}

func fieldOf(err error) string {
	if fs := waymark.ErrorFields(err); len(fs) > 0 {
		return fs[0].Field
	}
	return ""
}

// The password alone signs nobody in: the API's one-step sign-in needs the
// code too, and says so when it is missing.
func TestSignInNeedsTheAuthenticatorCode(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		email := p.Teacher.User.Email
		_, _, _, err := p.svc.SignIn(p.ctx, email, storetest.Password, "")
		if !casework.IsCodeMissing(err) || waymark.ErrorCode(err) != waymark.EUNAUTHORIZED || fieldOf(err) != "totp" {
			t.Fatalf("sign-in without a code: %v", err)
		}
		_, _, _, err = p.svc.SignIn(p.ctx, email, storetest.Password, "000000")
		if waymark.ErrorCode(err) != waymark.EUNAUTHORIZED || casework.IsCodeMissing(err) {
			t.Fatalf("sign-in with a wrong code: %v", err)
		}
		if n := p.count(`SELECT COUNT(*) FROM sessions`); n != 0 {
			t.Fatalf("%d sessions without a right code", n)
		}
		code, _ := access.TOTP(storetest.TOTPSecret, p.clock.Now())
		if _, _, _, err := p.svc.SignIn(p.ctx, email, storetest.Password, code); err != nil {
			t.Fatalf("right password and code refused: %v", err)
		}
		// A code seen over a shoulder cannot be used again, even at once.
		_, _, _, err = p.svc.SignIn(p.ctx, email, storetest.Password, code)
		wantCode(t, err, waymark.EUNAUTHORIZED)
		if n := p.count(`SELECT COUNT(*) FROM sessions`); n != 1 {
			t.Fatalf("%d sessions after one good sign-in and one replay", n)
		}
	})
}

// On the web, the password opens a challenge, not a session: the challenge's
// token is refused everywhere a session is accepted.
func TestPasswordAloneGivesNoUsableSession(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		ch, err := p.svc.BeginSignIn(p.ctx, p.SocialWorker.User.Email, storetest.Password)
		if err != nil || ch.Kind != store.ChallengeCode || ch.Token == "" {
			t.Fatalf("first step: %+v %v", ch, err)
		}
		if _, _, err := p.svc.Authenticate(p.ctx, ch.Token); err == nil {
			t.Fatal("the challenge works as a session")
		}
		if _, err := p.svc.AuthenticateAPIToken(p.ctx, ch.Token); err == nil {
			t.Fatal("the challenge works as an API token")
		}
		if n := p.count(`SELECT COUNT(*) FROM sessions`); n != 0 {
			t.Fatalf("%d sessions after the password alone", n)
		}
		if _, _, _, err := p.svc.CompleteSignIn(p.ctx, ch.Token, "12345"); waymark.ErrorCode(err) != waymark.EUNAUTHORIZED {
			t.Fatalf("a wrong code: %v", err)
		}
		token, _, u, err := p.svc.CompleteSignIn(p.ctx, ch.Token, p.code(p.SocialWorker.User.Email))
		if err != nil || u.ID != p.SocialWorker.User.ID || token == ch.Token {
			t.Fatalf("second step: %v", err)
		}
		if _, _, err := p.svc.Authenticate(p.ctx, token); err != nil {
			t.Fatalf("the new session does not work: %v", err)
		}
		if _, _, _, err := p.svc.CompleteSignIn(p.ctx, ch.Token, p.code(p.SocialWorker.User.Email)); err == nil {
			t.Fatal("a spent challenge signed in again")
		}
	})
}

// Six digits can be guessed: wrong codes count towards the throttle like
// wrong passwords, and a challenge dies after too many. The guesser's
// address is held back; the account's owner elsewhere is not.
func TestWrongCodesAreThrottledAndEndTheChallenge(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		email, thief := p.Manager.User.Email, p.from("203.0.113.7")
		ch, err := p.svc.BeginSignIn(thief, email, storetest.Password)
		if err != nil {
			t.Fatal(err)
		}
		for range p.svc.Throttle.AccountSource.Free {
			_, _, _, err := p.svc.CompleteSignIn(thief, ch.Token, "000000")
			wantCode(t, err, waymark.EUNAUTHORIZED)
		}
		if _, _, _, err := p.svc.CompleteSignIn(thief, ch.Token, p.code(email)); err == nil {
			t.Fatal("the challenge outlived too many wrong codes")
		}
		_, _, _, err = p.svc.SignIn(thief, email, storetest.Password, p.code(email))
		wantCode(t, err, waymark.ETOOMANY)
		if _, _, _, err := p.svc.SignIn(p.from("198.51.100.20"), email, storetest.Password, p.code(email)); err != nil {
			t.Fatalf("the manager, at their own address: %v", err)
		}
	})
}

// The second step has a time limit.
func TestChallengeExpires(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		ch, err := p.svc.BeginSignIn(p.ctx, p.Teacher.User.Email, storetest.Password)
		if err != nil {
			t.Fatal(err)
		}
		p.clock.Advance(p.svc.Access.ChallengeFor + time.Second)
		_, _, _, err = p.svc.CompleteSignIn(p.ctx, ch.Token, p.code(p.Teacher.User.Email))
		wantCode(t, err, waymark.EUNAUTHORIZED)
	})
}

// A first sign-in sets up an authenticator: a secret and its otpauth URI,
// confirmed with a code, then ten recovery codes kept only as hashes, each
// good once.
func TestFirstSignInSetsUpAnAuthenticatorAndRecoveryCodes(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		u := p.newcomer("nia@northfield.example")
		if _, _, _, err := p.svc.SignIn(p.ctx, u.Email, storetest.Password, "123456"); waymark.ErrorCode(err) != waymark.EUNAUTHORIZED || !strings.Contains(waymark.ErrorMessage(err), "Set up two-step verification") {
			t.Fatalf("API sign-in before setting up: %v", err)
		}
		ch, err := p.svc.BeginSignIn(p.ctx, u.Email, storetest.Password)
		if err != nil || ch.Kind != store.ChallengeEnrol {
			t.Fatalf("first sign-in: %+v %v", ch, err)
		}
		e, err := p.svc.StartEnrolment(p.ctx, ch.Token)
		if err != nil || len(e.Secret) < 32 || !strings.HasPrefix(e.URI, "otpauth://totp/") || !strings.Contains(e.URI, "secret="+e.Secret) {
			t.Fatalf("enrolment %+v %v", e, err)
		}
		again, _ := p.svc.StartEnrolment(p.ctx, ch.Token)
		if again.Secret != e.Secret {
			t.Fatal("reloading the set-up page changed the secret")
		}
		if _, _, _, _, err := p.svc.ConfirmEnrolment(p.ctx, ch.Token, "000000"); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Fatalf("a wrong first code: %v", err)
		}
		first, _ := access.TOTP(e.Secret, p.clock.Now())
		token, _, _, recovery, err := p.svc.ConfirmEnrolment(p.ctx, ch.Token, first)
		if err != nil || token == "" || len(recovery) != access.RecoveryCodeCount {
			t.Fatalf("confirming: %d codes, %v", len(recovery), err)
		}
		var stored string
		if err := db.SQL().QueryRow(`SELECT code_hash FROM recovery_codes WHERE user_id = $1 LIMIT 1`, u.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		for _, rc := range recovery {
			if strings.Contains(stored, rc) || strings.Contains(stored, strings.ReplaceAll(rc, "-", "")) {
				t.Fatal("a recovery code is stored as it is")
			}
		}
		if _, _, _, err := p.svc.SignIn(p.ctx, u.Email, storetest.Password, first); err == nil {
			t.Fatal("the code that confirmed the set-up signed in again")
		}
		if _, _, _, err := p.svc.SignIn(p.ctx, u.Email, storetest.Password, strings.ToUpper(recovery[3])); err != nil {
			t.Fatalf("a recovery code refused: %v", err)
		}
		if _, _, _, err := p.svc.SignIn(p.ctx, u.Email, storetest.Password, recovery[3]); err == nil {
			t.Fatal("a recovery code worked twice")
		}
		if _, err := p.svc.BeginSignIn(p.ctx, u.Email, storetest.Password); err != nil {
			t.Fatal(err)
		}
		ch2, _ := p.svc.BeginSignIn(p.ctx, u.Email, storetest.Password)
		if ch2.Kind != store.ChallengeCode {
			t.Fatalf("after setting up, the second step is %q", ch2.Kind)
		}
	})
}

// A sensitive action needs a recent proof of who is asking; re-entering the
// password or a code gives one, recorded on the session.
func TestReauthenticationIsRecordedOnTheSessionAndExpires(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		email := p.PoliceLead.User.Email
		token, _, u, err := p.svc.SignIn(p.ctx, email, storetest.Password, p.code(email))
		if err != nil {
			t.Fatal(err)
		}
		v := casework.Viewer{User: u}
		within := 5 * time.Minute
		if err := p.svc.RequireRecentAuth(p.ctx, token, within); err != nil {
			t.Fatalf("just signed in, yet: %v", err)
		}
		p.clock.Advance(within + time.Second)
		if _, _, err := p.svc.Authenticate(p.ctx, token); err != nil { // still signed in
			t.Fatal(err)
		}
		if err := p.svc.RequireRecentAuth(p.ctx, token, within); !errors.Is(err, casework.ErrReauthenticate) {
			t.Fatalf("six minutes after sign-in: %v", err)
		}
		if err := p.svc.Reauthenticate(p.ctx, v, token, "not my password"); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Fatalf("a wrong password: %v", err)
		}
		if err := p.svc.RequireRecentAuth(p.ctx, token, within); !errors.Is(err, casework.ErrReauthenticate) {
			t.Fatal("a wrong password counted as re-authentication")
		}
		if err := p.svc.Reauthenticate(p.ctx, v, token, storetest.Password); err != nil {
			t.Fatalf("the password: %v", err)
		}
		if err := p.svc.RequireRecentAuth(p.ctx, token, within); err != nil {
			t.Fatalf("just re-authenticated: %v", err)
		}
		p.clock.Advance(within + time.Second)
		if err := p.svc.Reauthenticate(p.ctx, v, token, p.code(email)); err != nil {
			t.Fatalf("an authenticator code: %v", err)
		}
		if err := p.svc.RequireRecentAuth(p.ctx, token, within); err != nil {
			t.Fatalf("just re-authenticated with a code: %v", err)
		}
		api := casework.Viewer{User: u, Scopes: []string{casework.ScopeRead}}
		if err := p.svc.Reauthenticate(p.ctx, api, "", storetest.Password); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Fatalf("an API token re-authenticating: %v", err)
		}
		if err := p.svc.RequireRecentAuth(p.ctx, "not-a-session", within); !errors.Is(err, casework.ErrReauthenticate) {
			t.Fatalf("no session: %v", err)
		}
	})
}

// Someone at an unlocked screen cannot guess the password by
// re-authenticating: wrong answers are throttled and end the session, yet
// the owner can sign in again from their own address.
func TestWrongReauthenticationsEndTheSessionButLockNoOneOut(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		email, desk := p.GPDoctor.User.Email, p.from("198.51.100.30")
		token, _, u, err := p.svc.SignIn(desk, email, storetest.Password, p.code(email))
		if err != nil {
			t.Fatal(err)
		}
		v := casework.Viewer{User: u}
		var last error
		for range p.svc.Throttle.Session {
			last = p.svc.Reauthenticate(desk, v, token, "a guess at the password")
		}
		wantCode(t, last, waymark.ETOOMANY)
		if _, _, err := p.svc.Authenticate(p.ctx, token); err == nil {
			t.Fatal("the session outlived the wrong answers")
		}
		if _, _, _, err := p.svc.SignIn(p.from("192.0.2.55"), email, storetest.Password, p.code(email)); err != nil {
			t.Fatalf("signing in again from elsewhere: %v", err)
		}
	})
}
