package casework

import (
	"context"
	"errors"
	"strings"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/audit"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

var errSignIn = &waymark.Error{Code: waymark.EUNAUTHORIZED, Message: "Enter a correct email address and password",
	Fields: []waymark.FieldError{{Field: "email", Message: "Enter a correct email address and password"}}}

// SignIn checks the password and the second step together (the API's
// one-step sign-in) and starts a session. code is the 6-digit code of the
// user's authenticator app or one of their recovery codes; a missing code
// gets its own answer. It returns the session token to set in the cookie or
// send as a bearer token; only its hash is stored. Failures (wrong passwords
// and wrong codes alike) slow further attempts (throttle.go); every attempt
// is audited.
func (s *Service) SignIn(ctx context.Context, email, password, code string) (token string, sess store.Session, user store.User, err error) {
	email = strings.TrimSpace(email)
	if err := signInAnswers(email, password); err != nil {
		return "", sess, user, err
	}
	now := s.now()
	c, err := s.comparePassword(ctx, email, password, now)
	if err != nil {
		return "", sess, user, err
	}
	var outcome error
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		u, failed, err := s.recordPassword(tx, c, now)
		if err != nil || failed != nil {
			outcome = failed
			return err
		}
		if failed, err := s.checkSecondFactor(ctx, tx, u, code, now); err != nil || failed != nil {
			outcome = failed
			return err
		}
		token, sess, err = s.startSession(ctx, tx, u, now, "password and "+secondFactorName(code))
		user = u
		return err
	})
	if err != nil {
		return "", sess, user, err
	}
	if outcome != nil {
		return "", sess, store.User{}, outcome
	}
	return token, sess, user, nil
}

// signInAnswers checks the answers are there and of a sane length.
func signInAnswers(email, password string) error {
	var probs waymark.Problems
	if email == "" {
		probs.Add("email", "Enter your email address")
	}
	if password == "" {
		probs.Add("password", "Enter your password")
	}
	if len(email) > 320 || len(password) > 1024 {
		return errSignIn
	}
	return probs.Err()
}

// checkHash runs the argon2 comparison, through PasswordCheck when a test
// counts them. It waits for a hash slot (access.CheckPasswordContext) only
// while ctx lasts, and gives up at once when too many are waiting.
func (s *Service) checkHash(ctx context.Context, encoded, password string) (bool, error) {
	if s.PasswordCheck != nil {
		return s.PasswordCheck(encoded, password)
	}
	return access.CheckPasswordContext(ctx, encoded, password)
}

// errSignInBusy answers a sign-in that found too many others waiting for a
// password check: nothing was checked or counted.
var errSignInBusy = &waymark.Error{Code: waymark.ETOOMANY, Message: "Too many people are signing in at once. Try again in a moment.",
	Err: &Throttled{Wait: time.Second}}

// SignInBusy reports whether err refused a sign-in only because too many
// others were waiting for a password check: nothing is wrong with what was
// typed, and the same answers a moment later may well succeed.
func SignInBusy(err error) bool { return errors.Is(err, errSignInBusy) }

// passwordCheck is a password compared with no transaction open: what was
// read, and what the comparison found. recordPassword decides with it under
// the write lock.
type passwordCheck struct {
	email, password string
	keys            throttleKeys
	throttled       bool   // held back when read: the password was not looked at
	hash            string // the hash compared: the account's, or the dummy
	detail          string // why it fails whatever the password ("" for a usable account)
	ok              bool
	busy            bool // no slot to compare in: nothing was compared
}

// passwordTarget is the hash an attempt is compared with, and why it fails
// whatever the password: a hash nobody's password matches when the account
// is missing, disabled or signs in through single sign-on only.
func passwordTarget(u store.User, exists bool, dummy string) (hash, detail string) {
	switch {
	case !exists:
		return dummy, "unknown email"
	case u.Disabled:
		return dummy, "account disabled"
	case u.PasswordHash == "": // signs in through the organisation's identity provider only
		return dummy, "no password: single sign-on account"
	}
	return u.PasswordHash, ""
}

// comparePassword is the first half of every sign-in with a password: the
// account and the throttle are read in a read-only snapshot, then the
// password is compared (argon2, about a quarter of a second and 64 MiB)
// holding no transaction and no connection, so that a burst of sign-ins
// never keeps anyone else from the database. recordPassword then records
// the outcome in a short write transaction, after checking again what may
// have changed meanwhile.
//
// Every path does the same work — one argon2 comparison, against a hash
// nobody's password matches when there is no usable one — so an unknown
// email, a disabled or single-sign-on account and a wrong password take as
// long and get the same answer. A throttled attempt is compared with the
// dummy hash only, and refused whatever its password.
func (s *Service) comparePassword(ctx context.Context, email, password string, now time.Time) (passwordCheck, error) {
	c := passwordCheck{email: email, password: password, keys: s.throttleKeys(ctx, email)}
	dummy := dummyHash(s.Argon) // hashed once, on the first sign-in, outside any transaction
	var u store.User
	exists := false
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		wait, err := s.throttled(tx, c.keys, now)
		if err != nil {
			return err
		}
		c.throttled = wait > 0
		u, err = tx.UserByEmail(email)
		exists = err == nil
		if err != nil && waymark.ErrorCode(err) != waymark.ENOTFOUND {
			return err
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	c.hash, c.detail = passwordTarget(u, exists, dummy)
	if c.throttled {
		c.hash = dummy
	}
	c.ok, err = s.checkHash(ctx, c.hash, password)
	if errors.Is(err, access.ErrHashBusy) {
		c.ok, c.busy, err = false, true, nil
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return c, ctxErr // the person has gone: nothing to record
		}
		return c, err
	}
	return c, nil
}

// recordPassword is the second half of a sign-in with a password, in the
// write transaction: it reads the throttle and the account again and
// decides. A failure is returned as failed (to show once the transaction
// has committed its audit entry and failure count), never as err.
//
// What changed since the comparison counts as it would have had the
// comparison been made now: an attempt held back meanwhile by others'
// failures is refused as throttled, and an account disabled, removed or
// given another password meanwhile refuses a password checked against the
// old hash.
func (s *Service) recordPassword(tx *store.Tx, c passwordCheck, now time.Time) (u store.User, failed error, err error) {
	wait, err := s.throttled(tx, c.keys, now)
	if err != nil {
		return u, nil, err
	}
	u, err = tx.UserByEmail(c.email)
	exists := err == nil
	if err != nil && waymark.ErrorCode(err) != waymark.ENOTFOUND {
		return u, nil, err
	}
	entry := audit.Entry{At: now, ActorID: u.ID, OrgID: u.OrgID, Action: audit.ActionSignInFailed}
	if c.busy { // nothing was compared, so nothing is counted
		entry.Detail = "too many sign-ins at once"
		return u, errSignInBusy, tx.AppendAudit(entry)
	}
	if c.throttled || wait > 0 {
		if wait <= 0 { // held back when read, and the wait has ended since: ask again at once
			wait = time.Second
		}
		entry.Detail = "throttled"
		return u, throttledError(wait, "email"), tx.AppendAudit(entry)
	}
	hash, detail := passwordTarget(u, exists, c.hash)
	ok := c.ok
	switch {
	case detail != "":
		entry.Detail = detail
	case hash != c.hash: // another password (or account) since it was compared
		entry.Detail = "account changed during sign-in"
	case ok:
		return u, nil, nil
	default:
		entry.Detail = "wrong password"
	}
	if err := s.countFailure(tx, c.keys, now); err != nil {
		return u, nil, err
	}
	return u, errSignIn, tx.AppendAudit(entry)
}

// startSession counts the success for the throttle and opens a session for u.
func (s *Service) startSession(ctx context.Context, tx *store.Tx, u store.User, now time.Time, how string) (string, store.Session, error) {
	if err := s.countSuccess(tx, s.throttleKeys(ctx, u.Email), now); err != nil {
		return "", store.Session{}, err
	}
	tok, hash := access.NewToken()
	csrf, _ := access.NewToken()
	sess := store.Session{TokenHash: hash, UserID: u.ID, CSRFToken: csrf, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.SessionAbsolute)}
	if err := tx.InsertSession(sess); err != nil {
		return "", sess, err
	}
	return tok, sess, tx.AppendAudit(audit.Entry{At: now, ActorID: u.ID, OrgID: u.OrgID, Action: audit.ActionSignIn, Detail: how})
}

var errSessionEnded = &waymark.Error{Code: waymark.EUNAUTHORIZED, Message: "You have been signed out. Sign in again to carry on: anything you had saved is kept."}

// Authenticate finds the session behind token, ending it if it has been
// idle too long or is past its absolute lifetime.
//
// Most requests only read: the session is looked up in a read-only
// snapshot, and a write transaction is taken only when something must be
// written — the session ended (deleted), last seen over a minute ago
// (touched), or a single sign-on re-check due (claimed) — and then the
// session is read again under the write lock and decided afresh.
func (s *Service) Authenticate(ctx context.Context, token string) (Viewer, store.Session, error) {
	if token == "" || len(token) > 100 {
		return Viewer{}, store.Session{}, errSessionEnded
	}
	now := s.now()
	hash := access.HashToken(token)
	var read sessionRead
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		read, err = s.readSession(tx, hash, now)
		return err
	})
	return s.finishSession(ctx, hash, now, read, err)
}

// sessionRead is what a snapshot says of a session: the session and its
// person, and whether a write transaction must decide on it (write).
type sessionRead struct {
	found bool // the session exists (its person's row and seal may still fail)
	sess  store.Session
	user  store.User
	write bool
}

// readSession reads the session behind hash in a read-only snapshot and
// says whether it must be decided on under the write lock: ended, last
// seen over a minute ago, or a single sign-on re-check due.
func (s *Service) readSession(tx *store.Tx, hash string, now time.Time) (sessionRead, error) {
	var r sessionRead
	var err error
	r.sess, r.user, err = tx.SessionByTokenHash(hash)
	if err != nil {
		return r, err
	}
	r.found = true
	if s.sessionEnded(r.sess, r.user, now) || now.Sub(r.sess.LastSeenAt) > time.Minute {
		r.write = true
		return r, nil
	}
	r.write, err = s.ssoCheckDue(tx, r.user.ID, now)
	return r, err
}

// finishSession completes Authenticate from what readSession found (err
// its error): when a write is due, the session is read again under the
// write lock and decided afresh.
func (s *Service) finishSession(ctx context.Context, hash string, now time.Time, read sessionRead, err error) (Viewer, store.Session, error) {
	sess, user := read.sess, read.user
	var ended, recheck bool
	var grant store.SSOGrant
	if err == nil && read.write {
		err = s.DB.Update(ctx, func(tx *store.Tx) error {
			var err error
			sess, user, err = tx.SessionByTokenHash(hash)
			if err != nil {
				return err
			}
			if s.sessionEnded(sess, user, now) {
				ended = true // commit the deletion: returning an error here would roll it back
				return tx.DeleteSession(hash)
			}
			// A person who signs in through the provider is asked about again
			// every few minutes (ssorecheck.go).
			if grant, recheck, err = s.claimSSOCheck(tx, user.ID, now); err != nil {
				return err
			}
			if now.Sub(sess.LastSeenAt) > time.Minute { // one write a minute is enough to track idleness
				return tx.TouchSession(hash, now)
			}
			return nil
		})
	}
	if err == nil && ended {
		err = errSessionEnded
	}
	if err == nil && recheck {
		switch err = s.finishSSOCheck(ctx, grant); {
		case errors.Is(err, errSSOEnded):
			err = errSessionEnded
		case errors.Is(err, errSSOUnreachable): // nothing changed; asked again in a minute
			err = nil
		}
	}
	if err != nil {
		if code := waymark.ErrorCode(err); code == waymark.ENOTFOUND || code == waymark.EUNAUTHORIZED {
			return Viewer{}, sess, errSessionEnded
		}
		return Viewer{}, sess, err
	}
	return s.withFirstResponderOrg(Viewer{User: user}), sess, nil
}

// sessionEnded: the person was disabled, or the session is past its
// absolute lifetime or has been idle too long.
func (s *Service) sessionEnded(sess store.Session, user store.User, now time.Time) bool {
	return user.Disabled || now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > s.SessionIdle
}

// errBearer is the answer to a bearer token that is not (or no longer) valid.
var errBearer = &waymark.Error{Code: waymark.EUNAUTHORIZED, Message: "Send a valid bearer token: sign in with POST /api/v1/sessions, or use an API token of your own or a machine client's token"}

// AuthenticateAPIToken finds who is behind a bearer token: a person's
// session (from POST /api/v1/sessions), one of a person's own API tokens,
// or a machine client, which acts as itself. Every check is made on every
// request, so a revoked or expired token, a revoked client, a client whose
// custodian may no longer hold it, or a disabled person is refused at the
// next request.
//
// The look-up is one read-only transaction: a token that matches nothing
// (a guess) writes nothing. A session is decided in that same snapshot as
// Authenticate decides it, and a write transaction is taken only to touch
// or end it.
func (s *Service) AuthenticateAPIToken(ctx context.Context, token string) (Viewer, error) {
	if token == "" || len(token) > 100 {
		return Viewer{}, errBearer
	}
	now := s.now()
	hash := access.HashToken(token)
	var v Viewer
	var session sessionRead
	var sessionErr error
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		// A session is decided in this same snapshot, as Authenticate
		// decides it: read once, and written to only when Authenticate
		// would write.
		r, err := s.readSession(tx, hash, now)
		if r.found {
			session, sessionErr = r, err
			return nil
		}
		if waymark.ErrorCode(err) != waymark.ENOTFOUND {
			return err
		}
		a, u, err := tx.APITokenByHash(hash)
		if err == nil {
			if a.RevokedAt != nil || !now.Before(a.ExpiresAt) || u.Disabled {
				return errBearer
			}
			v = s.withFirstResponderOrg(Viewer{User: u, Scopes: a.Scopes, TokenID: a.ID})
			return nil
		}
		if waymark.ErrorCode(err) != waymark.ENOTFOUND {
			return err
		}
		c, err := tx.MachineClientByTokenHash(hash)
		if err != nil {
			return err
		}
		// A client works only with a token its custodian collected, while
		// the custodian may hold it (of the owning organisation, not an
		// administrator, enabled).
		if !c.Active(now) || c.TokenIssuedAt == nil || !c.CustodianValid(pathway.RoleAdministrator) {
			return errBearer
		}
		v = machineClientViewer(c)
		return nil
	})
	if err == nil && session.found {
		sv, _, serr := s.finishSession(ctx, hash, now, session, sessionErr)
		if serr != nil && waymark.ErrorCode(serr) == waymark.EUNAUTHORIZED {
			return Viewer{}, errBearer
		}
		return sv, serr
	}
	if err != nil {
		if code := waymark.ErrorCode(err); code == waymark.ENOTFOUND || code == waymark.EUNAUTHORIZED {
			return Viewer{}, errBearer
		}
		return Viewer{}, err
	}
	return v, nil
}

// SignOut ends the credential the request came with: the session, or — for
// a request made with an API token — that token, and for a machine client
// its own credential (the partnership leads are told). Nothing that signed
// out goes on working.
func (s *Service) SignOut(ctx context.Context, v Viewer, token string) error {
	switch {
	case v.Client != nil:
		return s.revokeMachineClient(ctx, v, v.Client.ID)
	case v.TokenID != "":
		return s.revokeAPIToken(ctx, v, v.TokenID) // the token ends itself, and nothing else
	}
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteSession(access.HashToken(token)); err != nil {
			return err
		}
		return tx.AppendAudit(s.auditEntry(v, "", audit.ActionSignOut, ""))
	})
}

// dummyHash is what a sign-in for an unknown or locked account checks the
// password against, so that it takes as long as one that exists.
func dummyHash(p access.Argon2Params) string {
	h, _ := access.PublicPasswordHash("not a real password", p)
	return h
}
