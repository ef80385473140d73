package casework_test

import (
	"context"
	"testing"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/audit"
	"waymark/internal/casework"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// heldHash makes every password comparison of svc wait, once it has begun,
// until release is closed; hashing says when one has begun. It stands in
// for the quarter of a second of argon2 a sign-in takes.
func heldHash(svc *casework.Service) (hashing <-chan struct{}, release chan struct{}) {
	began, release := make(chan struct{}, 1), make(chan struct{})
	svc.PasswordCheck = func(encoded, password string) (bool, error) {
		began <- struct{}{}
		<-release
		return access.CheckPassword(encoded, password)
	}
	return began, release
}

type signInResult struct {
	token string
	err   error
}

// signInAside signs in on another goroutine; the answer comes on the channel.
func (p *partnership) signInAside(email, password string) <-chan signInResult {
	code := p.code(email)
	done := make(chan signInResult, 1)
	go func() {
		token, _, _, err := p.svc.SignIn(p.ctx, email, password, code)
		done <- signInResult{token, err}
	}()
	return done
}

// A sign-in compares the password (argon2: a quarter of a second and 64 MiB)
// holding no transaction and, on PostgreSQL, no pooled connection, so that
// many people signing in at once never keep anyone else from the database:
// while one is hashing, another write goes through at once.
func TestASignInHoldsNoTransactionWhileItsPasswordIsHashed(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		hashing, release := heldHash(p.svc)
		done := p.signInAside(p.Teacher.User.Email, storetest.Password)
		<-hashing
		if db.Dialect == store.Postgres {
			if n := db.SQL().Stats().InUse; n != 0 {
				t.Errorf("%d database connections held while a password is hashed, want none", n)
			}
		}
		err := db.Update(p.ctx, func(tx *store.Tx) error {
			return tx.AppendAudit(audit.Entry{At: p.clock.Now(), ActorID: "system", Action: "test.write", Detail: "while a password is hashed"})
		})
		if err != nil {
			t.Errorf("a write while a password is hashed: %v", err)
		}
		close(release)
		if r := <-done; r.err != nil || r.token == "" {
			t.Fatalf("the sign-in, once hashed: token %q, %v", r.token, r.err)
		}
	})
}

// An account disabled while its password is being compared is refused,
// even though the password was right: the outcome is decided again under
// the write lock, with the account as it is then.
func TestAnAccountDisabledWhileItsPasswordIsCheckedIsRefused(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		hashing, release := heldHash(p.svc)
		from := p.auditHead()
		done := p.signInAside(p.Teacher.User.Email, storetest.Password)
		<-hashing
		if err := p.svc.DisableUser(p.ctx, p.Teacher.User.Email); err != nil {
			t.Fatal(err)
		}
		close(release)
		r := <-done
		wantCode(t, r.err, waymark.EUNAUTHORIZED)
		if n := p.count(`SELECT COUNT(*) FROM sessions`); n != 0 {
			t.Fatalf("%d sessions for an account disabled during its sign-in", n)
		}
		wantSignInFailed(t, p.auditSince(from), "account disabled")
	})
}

// A password changed while the old one is being compared: the old password
// no longer opens the account.
func TestAPasswordChangedWhileTheOldOneIsCheckedIsRefused(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		hashing, release := heldHash(p.svc)
		from := p.auditHead()
		done := p.signInAside(p.Teacher.User.Email, storetest.Password)
		<-hashing
		newHash, err := access.HashPassword("a brand new passphrase", storetest.FastArgon)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.svc.ResetPassword(p.ctx, p.Teacher.User.Email, newHash); err != nil {
			t.Fatal(err)
		}
		close(release)
		r := <-done
		wantCode(t, r.err, waymark.EUNAUTHORIZED)
		if n := p.count(`SELECT COUNT(*) FROM sessions`); n != 0 {
			t.Fatalf("%d sessions from a password changed during the sign-in", n)
		}
		wantSignInFailed(t, p.auditSince(from), "account changed during sign-in")
	})
}

// When too many sign-ins already wait for a password check, one more is
// told at once to try again in a moment (429 with Retry-After), audited,
// and not counted as a failure: nothing was checked.
func TestASignInFindingTheHashQueueFullIsToldToTryAgainInAMoment(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		p.svc.PasswordCheck = func(string, string) (bool, error) { return false, access.ErrHashBusy }
		from := p.auditHead()
		_, _, _, err := p.svc.SignIn(p.ctx, p.Teacher.User.Email, storetest.Password, p.code(p.Teacher.User.Email))
		wantCode(t, err, waymark.ETOOMANY)
		if _, ok := casework.RetryAfter(err); !ok {
			t.Error("no Retry-After for a sign-in refused while busy")
		}
		if msg := waymark.ErrorMessage(err); msg != "Too many people are signing in at once. Try again in a moment." {
			t.Errorf("message %q", msg)
		}
		_, err = p.svc.BeginSignIn(p.ctx, p.Teacher.User.Email, storetest.Password)
		wantCode(t, err, waymark.ETOOMANY)
		if n := p.count(`SELECT COUNT(*) FROM sign_in_throttle WHERE failures > 0`); n != 0 {
			t.Errorf("%d throttle keys count failures for sign-ins that were never checked", n)
		}
		entries := p.auditSince(from)
		if len(entries) != 2 {
			t.Fatalf("audit = %+v, want two refusals", entries)
		}
		wantSignInFailed(t, entries[:1], "too many sign-ins at once")
	})
}

// A sign-in whose person has gone (the request's context ended) while it
// waited for a password check stops there: it writes nothing.
func TestASignInWhoseRequestEndedWhileWaitingForAHashWritesNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		ctx, cancel := context.WithCancel(p.ctx)
		p.svc.PasswordCheck = func(string, string) (bool, error) {
			cancel() // the person gives up while waiting for a slot
			return false, context.Canceled
		}
		before := p.rowCounts()
		_, _, _, err := p.svc.SignIn(ctx, p.Teacher.User.Email, storetest.Password, "123456")
		if err != context.Canceled {
			t.Fatalf("err = %v, want the cancellation", err)
		}
		p.wantNothingWritten(before)
	})
}

func wantSignInFailed(t *testing.T, entries []audit.Entry, detail string) {
	t.Helper()
	if len(entries) == 0 || entries[len(entries)-1].Action != audit.ActionSignInFailed || entries[len(entries)-1].Detail != detail {
		t.Fatalf("audit = %+v, want it to end with sign_in_failed %q", entries, detail)
	}
}

// Re-authentication compares the password holding no transaction either,
// and a password changed while the old one was compared does not count.
func TestAReauthenticationHoldsNoTransactionWhileItsPasswordIsHashed(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		token := p.session(p.Teacher)
		hashing, release := heldHash(p.svc)
		done := make(chan error, 1)
		go func() { done <- p.svc.Reauthenticate(p.ctx, p.Teacher, token, storetest.Password) }()
		<-hashing
		if db.Dialect == store.Postgres {
			if n := db.SQL().Stats().InUse; n != 0 {
				t.Errorf("%d database connections held while a password is hashed, want none", n)
			}
		}
		err := db.Update(p.ctx, func(tx *store.Tx) error {
			return tx.AppendAudit(audit.Entry{At: p.clock.Now(), ActorID: "system", Action: "test.write", Detail: "while a password is hashed"})
		})
		if err != nil {
			t.Errorf("a write while a password is hashed: %v", err)
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatalf("the re-authentication, once hashed: %v", err)
		}

		token = p.session(p.Teacher)
		hashing, release = heldHash(p.svc)
		go func() { done <- p.svc.Reauthenticate(p.ctx, p.Teacher, token, storetest.Password) }()
		<-hashing
		err = db.Update(p.ctx, func(tx *store.Tx) error {
			newHash, err := access.HashPassword("a brand new passphrase", storetest.FastArgon)
			if err != nil {
				return err
			}
			return tx.SetPassword(p.Teacher.User.ID, newHash) // the session stays: only the hash changes
		})
		if err != nil {
			t.Fatal(err)
		}
		close(release)
		wantCode(t, <-done, waymark.EINVALID)
	})
}
