package casework

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/audit"
	"waymark/internal/notify"
	"waymark/internal/store"
)

// Audit actions of access control (kept beside the code that records them).
const (
	ActionMFAEnrolled       = "user.mfa_enrolled"
	ActionRecoveryCodeUsed  = "user.recovery_code_used"
	ActionReauthenticated   = "user.reauthenticated"
	ActionReauthRefused     = "user.reauthentication_failed"
	ActionBreakGlass        = "case.break_glass"
	ActionAlertsViewed      = "alerts.viewed"
	ActionSignInOIDCRefused = "user.sso_refused"
	ActionMFAReset          = "user.mfa_reset"
	ActionPasswordReset     = "user.password_reset"
	ActionUserDisabled      = "user.disabled"
	ActionUserAdded         = "user.added"
	ActionOrgAdded          = "organisation.added"
	ActionPasswordAccepted  = "user.password_accepted" // the first step of two: not signed in yet
)

// AccessConfig holds the settings of two-step verification, single sign-on,
// break-glass access and the alerts it raises.
type AccessConfig struct {
	Issuer        string        // the name authenticator apps show beside the code
	ChallengeFor  time.Duration // how long the second step of a sign-in may take
	ReauthWithin  time.Duration // how recent a re-authentication must be for break-glass
	BreakGlassFor time.Duration // how long an emergency grant lasts
	Mailer        *notify.Mailer
	PublicURL     string // where people reach Waymark, for links in emails
	OIDC          *OIDCConfig

	wake chan struct{} // tells the alert mailer there is work
}

// DefaultAccess is the access configuration unless the operator changes it.
func DefaultAccess() AccessConfig {
	return AccessConfig{Issuer: "Waymark", ChallengeFor: 10 * time.Minute, ReauthWithin: 5 * time.Minute, BreakGlassFor: 4 * time.Hour,
		wake: make(chan struct{}, 1)}
}

var (
	errCodeMissing = &waymark.Error{Code: waymark.EUNAUTHORIZED,
		Message: "Two-step verification is on for this account: send the 6-digit code from your authenticator app as totp, or one of your recovery codes as recoveryCode",
		Fields:  []waymark.FieldError{{Field: "totp", Message: "Enter the 6-digit code from your authenticator app"}}}
	errWrongCode = &waymark.Error{Code: waymark.EUNAUTHORIZED,
		Message: "The code is not right. Enter the code your authenticator app shows now, or one of your recovery codes",
		Fields:  []waymark.FieldError{{Field: "code", Message: "Enter the code your authenticator app shows now, or one of your recovery codes"}}}
	errEnrolFirst = &waymark.Error{Code: waymark.EUNAUTHORIZED,
		Message: "Set up two-step verification first: sign in to Waymark in a web browser, which takes you through it",
		Fields:  []waymark.FieldError{{Field: "totp", Message: "Set up two-step verification in a web browser first"}}}
	errChallengeEnded = &waymark.Error{Code: waymark.EUNAUTHORIZED, Message: "Your sign-in timed out before the code was entered. Sign in again."}
)

// IsCodeMissing reports whether a sign-in failed only for want of the
// second step's code.
func IsCodeMissing(err error) bool { return err == errCodeMissing }

func secondFactorName(code string) string {
	if access.LooksLikeTOTP(code) {
		return "authenticator code"
	}
	return "recovery code"
}

// checkSecondFactor checks the code of the user's authenticator (never one
// used before) or spends one of their recovery codes. A wrong code counts
// towards the throttle like a wrong password: six digits can be guessed.
func (s *Service) checkSecondFactor(ctx context.Context, tx *store.Tx, u store.User, code string, now time.Time) (failed error, err error) {
	t, err := tx.TOTPFor(u.ID)
	if waymark.ErrorCode(err) == waymark.ENOTFOUND || (err == nil && t.ConfirmedAt == nil) {
		return errEnrolFirst, tx.AppendAudit(audit.Entry{At: now, ActorID: u.ID, OrgID: u.OrgID, Action: audit.ActionSignInFailed, Detail: "two-step verification not set up"})
	}
	if err != nil {
		return nil, err
	}
	if access.NormaliseTOTP(code) == "" {
		return errCodeMissing, tx.AppendAudit(audit.Entry{At: now, ActorID: u.ID, OrgID: u.OrgID, Action: audit.ActionSignInFailed, Detail: "no code"})
	}
	ok, how := false, "wrong code"
	if access.LooksLikeTOTP(code) {
		if step, valid := access.VerifyTOTP(t.Secret, code, now, t.LastStep); valid {
			ok, err = tx.UseTOTPStep(u.ID, step) // refused if another request used it first
		} else if _, used := access.VerifyTOTP(t.Secret, code, now, -1); used {
			how = "code used already"
		}
	} else if len(code) <= 64 {
		if ok, err = tx.UseRecoveryCode(u.ID, access.HashRecoveryCode(code), now); ok {
			left, _ := tx.RecoveryCodesLeft(u.ID)
			err = errors.Join(err, tx.AppendAudit(audit.Entry{At: now, ActorID: u.ID, OrgID: u.OrgID, Action: ActionRecoveryCodeUsed,
				Detail: strconv.Itoa(left) + " left"}))
		}
	}
	if err != nil {
		return nil, err
	}
	if ok {
		return nil, nil
	}
	if err := s.countFailure(tx, s.throttleKeys(ctx, u.Email), now); err != nil {
		return nil, err
	}
	return errWrongCode, tx.AppendAudit(audit.Entry{At: now, ActorID: u.ID, OrgID: u.OrgID, Action: audit.ActionSignInFailed, Detail: how})
}

// Challenge is the second step of a web sign-in: a token for a cookie that
// only the code pages accept, and what they must ask for.
type Challenge struct {
	Token string
	Kind  string // store.ChallengeCode or store.ChallengeEnrol
}

// BeginSignIn is the first step of a web sign-in: the password. It starts no
// session: it returns a challenge, for the code of the user's authenticator
// or, the first time, for setting one up.
func (s *Service) BeginSignIn(ctx context.Context, email, password string) (Challenge, error) {
	email = strings.TrimSpace(email)
	if err := signInAnswers(email, password); err != nil {
		return Challenge{}, err
	}
	now := s.now()
	c, err := s.comparePassword(ctx, email, password, now)
	if err != nil {
		return Challenge{}, err
	}
	var outcome error
	var ch Challenge
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		u, failed, err := s.recordPassword(tx, c, now)
		if err != nil || failed != nil {
			outcome = failed
			return err
		}
		kind := store.ChallengeEnrol
		if t, err := tx.TOTPFor(u.ID); err == nil && t.ConfirmedAt != nil {
			kind = store.ChallengeCode
		} else if err != nil && waymark.ErrorCode(err) != waymark.ENOTFOUND {
			return err
		}
		if err := tx.DeleteUserChallenges(u.ID, now); err != nil {
			return err
		}
		tok, hash := access.NewToken()
		if err := tx.InsertChallenge(store.Challenge{TokenHash: hash, UserID: u.ID, Kind: kind, CreatedAt: now, ExpiresAt: now.Add(s.Access.ChallengeFor)}); err != nil {
			return err
		}
		ch = Challenge{Token: tok, Kind: kind}
		return tx.AppendAudit(audit.Entry{At: now, ActorID: u.ID, OrgID: u.OrgID, Action: ActionPasswordAccepted, Detail: "second step: " + kind})
	})
	if err != nil {
		return Challenge{}, err
	}
	return ch, outcome
}

// challenge loads a live challenge of kind, ending it if it has expired or
// the account has been disabled since.
func (s *Service) challenge(tx *store.Tx, token, kind string, now time.Time) (store.Challenge, store.User, error) {
	if token == "" || len(token) > 100 {
		return store.Challenge{}, store.User{}, errChallengeEnded
	}
	c, u, err := tx.ChallengeByTokenHash(access.HashToken(token))
	if waymark.ErrorCode(err) == waymark.ENOTFOUND {
		return c, u, errChallengeEnded
	}
	if err != nil {
		return c, u, err
	}
	if now.After(c.ExpiresAt) || u.Disabled || c.Kind != kind {
		return c, u, errChallengeEnded
	}
	return c, u, nil
}

// CompleteSignIn is the second step: the code from the user's
// authenticator, or a recovery code. It returns a new session token; the
// challenge's token is spent, so it can never be used as a session.
func (s *Service) CompleteSignIn(ctx context.Context, challengeToken, code string) (token string, sess store.Session, user store.User, err error) {
	now := s.now()
	var outcome error
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		c, u, err := s.challenge(tx, challengeToken, store.ChallengeCode, now)
		if err != nil {
			if waymark.ErrorCode(err) == waymark.EINTERNAL {
				return err
			}
			outcome = err
			return nil
		}
		if access.NormaliseTOTP(code) == "" {
			outcome = &waymark.Error{Code: waymark.EINVALID, Message: "Enter the code from your authenticator app",
				Fields: []waymark.FieldError{{Field: "code", Message: "Enter the 6-digit code from your authenticator app, or a recovery code"}}}
			return nil
		}
		if wait, err := s.throttled(tx, s.throttleKeys(ctx, u.Email), now); err != nil || wait > 0 {
			if err == nil {
				outcome = throttledError(wait, "code")
				err = tx.AppendAudit(audit.Entry{At: now, ActorID: u.ID, OrgID: u.OrgID, Action: audit.ActionSignInFailed, Detail: "throttled at the code"})
			}
			return err
		}
		failed, err := s.checkSecondFactor(ctx, tx, u, code, now)
		if err != nil {
			return err
		}
		if failed != nil {
			outcome = failed
			n, err := tx.CountChallengeAttempt(c.TokenHash)
			if err != nil {
				return err
			}
			if n >= s.Throttle.AccountSource.Free {
				return tx.DeleteChallenge(c.TokenHash) // start again from the password
			}
			return nil
		}
		if err := tx.DeleteUserChallenges(u.ID, now); err != nil {
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

// Enrolment is what the set-up page shows: the secret to type into an
// authenticator app, and the otpauth:// URI that carries it.
type Enrolment struct {
	Secret  string
	URI     string
	Account string
}

// StartEnrolment gives the user of an enrolment challenge their new secret.
// Reloading the page shows the same secret until it is confirmed.
func (s *Service) StartEnrolment(ctx context.Context, challengeToken string) (Enrolment, error) {
	now := s.now()
	var e Enrolment
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		_, u, err := s.challenge(tx, challengeToken, store.ChallengeEnrol, now)
		if err != nil {
			return err
		}
		t, err := tx.TOTPFor(u.ID)
		switch {
		case waymark.ErrorCode(err) == waymark.ENOTFOUND:
			t.Secret = access.NewTOTPSecret()
			if err := tx.StartTOTPEnrolment(u.ID, t.Secret, now); err != nil {
				return err
			}
		case err != nil:
			return err
		case t.ConfirmedAt != nil:
			return errChallengeEnded
		}
		e = Enrolment{Secret: t.Secret, URI: access.OTPAuthURI(s.Access.Issuer, u.Email, t.Secret), Account: u.Email}
		return nil
	})
	return e, err
}

// ConfirmEnrolment checks the first code from the user's new authenticator,
// turns two-step verification on, and signs them in. It returns the
// recovery codes, to be shown once: only their hashes are kept.
func (s *Service) ConfirmEnrolment(ctx context.Context, challengeToken, code string) (token string, sess store.Session, user store.User, recovery []string, err error) {
	now := s.now()
	var outcome error
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		c, u, err := s.challenge(tx, challengeToken, store.ChallengeEnrol, now)
		if err != nil {
			return err
		}
		t, err := tx.TOTPFor(u.ID)
		if err != nil || t.ConfirmedAt != nil {
			return errChallengeEnded
		}
		step, ok := access.VerifyTOTP(t.Secret, code, now, 0)
		if !ok {
			outcome = &waymark.Error{Code: waymark.EINVALID, Message: "The code is not right. Check the key was typed correctly, then enter the code your app shows now",
				Fields: []waymark.FieldError{{Field: "code", Message: "Enter the 6-digit code your authenticator app shows now"}}}
			if n, err := tx.CountChallengeAttempt(c.TokenHash); err != nil || n < 10 {
				return err
			}
			return tx.DeleteChallenge(c.TokenHash)
		}
		if err := tx.ConfirmTOTP(u.ID, step, now); err != nil {
			return err
		}
		recovery = access.NewRecoveryCodes(access.RecoveryCodeCount)
		hashes := make([]string, len(recovery))
		for i, rc := range recovery {
			hashes[i] = access.HashRecoveryCode(rc)
		}
		if err := tx.ReplaceRecoveryCodes(u.ID, hashes); err != nil {
			return err
		}
		if err := tx.AppendAudit(audit.Entry{At: now, ActorID: u.ID, OrgID: u.OrgID, Action: ActionMFAEnrolled, Detail: "authenticator app and recovery codes"}); err != nil {
			return err
		}
		if err := tx.DeleteUserChallenges(u.ID, now); err != nil {
			return err
		}
		token, sess, err = s.startSession(ctx, tx, u, now, "password and new authenticator")
		user = u
		return err
	})
	if err == nil && outcome != nil {
		err = outcome
	}
	if err != nil {
		return "", store.Session{}, store.User{}, nil, err
	}
	return token, sess, user, recovery, nil
}

// EnrolTOTP sets up two-step verification with a known secret, confirmed at
// once, without a sign-in: for the demo's published secrets and for tests.
// Real users set it up themselves at their first sign-in.
func EnrolTOTP(tx *store.Tx, userID, secret string, now time.Time) error {
	if _, err := access.TOTP(secret, now); err != nil {
		return err
	}
	if err := tx.StartTOTPEnrolment(userID, secret, now); err != nil {
		return err
	}
	return tx.ConfirmTOTP(userID, 0, now)
}

// ResetMFA removes a user's authenticator and recovery codes (a lost phone)
// and ends their sessions: they set it up again at their next sign-in.
func (s *Service) ResetMFA(ctx context.Context, email string) error {
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByEmail(email)
		if err != nil {
			return err
		}
		if err := tx.ResetTOTP(u.ID); err != nil {
			return err
		}
		if err := tx.DeleteUserChallenges(u.ID, s.now()); err != nil {
			return err
		}
		if err := tx.EndCredentials(u.ID, s.now()); err != nil {
			return err
		}
		return tx.AppendAudit(audit.Entry{At: s.now(), ActorID: "system", OrgID: u.OrgID, Action: ActionMFAReset, Detail: "for " + u.ID})
	})
}

// ResetPassword sets a new password hash for the account (from the operator's
// `user reset`), clears the sign-in throttle counted against it, and ends
// every session, half-finished sign-in and API token the person had: a reset
// usually means someone else may know the old password. Audited.
func (s *Service) ResetPassword(ctx context.Context, email, hash string) error {
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByEmail(email)
		if err != nil {
			return err
		}
		if err := ClearThrottleFor(tx, u.Email); err != nil {
			return err
		}
		if err := tx.SetPassword(u.ID, hash); err != nil {
			return err
		}
		if err := tx.EndCredentials(u.ID, s.now()); err != nil {
			return err
		}
		return tx.AppendAudit(audit.Entry{At: s.now(), ActorID: "system", OrgID: u.OrgID, Action: ActionPasswordReset, Detail: "for " + u.ID})
	})
}

// DisableUser stops an account (from the operator's `user disable`): no
// sign-in, and every session and API token ends at once. Audited.
func (s *Service) DisableUser(ctx context.Context, email string) error {
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByEmail(email)
		if err != nil {
			return err
		}
		if err := tx.SetDisabled(u.ID, true, s.now()); err != nil {
			return err
		}
		return tx.AppendAudit(audit.Entry{At: s.now(), ActorID: "system", OrgID: u.OrgID, Action: ActionUserDisabled, Detail: "for " + u.ID})
	})
}

// EnableUser lets a disabled account sign in again (from the operator's
// `user enable`). Audited.
func (s *Service) EnableUser(ctx context.Context, email string) error {
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByEmail(email)
		if err != nil {
			return err
		}
		if err := tx.SetDisabled(u.ID, false, s.now()); err != nil {
			return err
		}
		return tx.AppendAudit(s.auditSystem(u.OrgID, ActionUserEnabled, "for "+u.ID))
	})
}

// ErrReauthenticate is the answer to a sensitive action asked for by a
// session that has not proved who it is recently: ask for the password or an
// authenticator code again (Reauthenticate), then retry.
var ErrReauthenticate = &waymark.Error{Code: waymark.EFORBIDDEN,
	Message: "For this, confirm it is you: enter your password or a code from your authenticator app again."}

// RecentAuth reports whether an authentication at `at` is recent enough at now.
func RecentAuth(at, now time.Time, within time.Duration) bool {
	return !at.IsZero() && !now.Before(at) && now.Sub(at) <= within
}

// RequireRecentAuth refuses with ErrReauthenticate unless the session
// behind sessionToken signed in or re-authenticated within the last
// `within`. Use it before exports, key rotation, break-glass, making API
// tokens and managing machine clients. API tokens and machine clients have
// no session and are always refused.
func (s *Service) RequireRecentAuth(ctx context.Context, sessionToken string, within time.Duration) error {
	now := s.now()
	var at time.Time
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		at, err = tx.SessionAuthAt(access.HashToken(sessionToken))
		return err
	})
	if waymark.ErrorCode(err) == waymark.ENOTFOUND || (err == nil && !RecentAuth(at, now, within)) {
		return ErrReauthenticate
	}
	return err
}

// Reauthenticate checks the viewer's password, or a code from their
// authenticator app, again and records the time on their session, so that
// sensitive actions within ReauthWithin are allowed. Wrong answers count
// towards the sign-in throttle (throttle.go), and a throttled attempt is
// refused unchecked; Throttle.Session wrong answers on one session end it
// (someone at an unlocked screen is guessing). Only the session's holder can
// answer, so no one else can end it this way.
func (s *Service) Reauthenticate(ctx context.Context, v Viewer, sessionToken, passwordOrCode string) error {
	// Not the change the request asks for: its write must not count as
	// that change saved (store.NoteCommits).
	ctx = store.Uncounted(ctx)
	if v.Scopes != nil || sessionToken == "" {
		return waymark.Errorf(waymark.EFORBIDDEN, "An API token cannot confirm who it is: sign in with POST /api/v1/sessions for this")
	}
	if passwordOrCode == "" || len(passwordOrCode) > 1024 {
		return &waymark.Error{Code: waymark.EINVALID, Message: "Enter your password or a code from your authenticator app",
			Fields: []waymark.FieldError{{Field: "confirm", Message: "Enter your password or a code from your authenticator app"}}}
	}
	now := s.now()
	hash := access.HashToken(sessionToken)
	// The password, if it is one, is compared before the write transaction
	// and holding none (argon2 takes a quarter of a second); the transaction
	// then uses the result only if the account still has that hash.
	var compared string // the hash it was compared with
	passwordOK := false
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		sess, u, err := tx.SessionByTokenHash(hash)
		if err != nil {
			return err
		}
		if sess.UserID != v.User.ID || u.Disabled || u.PasswordHash == "" {
			return nil // decided in the transaction
		}
		if wait, err := s.throttled(tx, s.throttleKeys(ctx, u.Email), now); err != nil || wait > 0 {
			return err // refused unchecked
		}
		if access.LooksLikeTOTP(passwordOrCode) {
			if t, err := tx.TOTPFor(u.ID); err == nil && t.ConfirmedAt != nil {
				if _, valid := access.VerifyTOTP(t.Secret, passwordOrCode, now, t.LastStep); valid {
					return nil // a current code: no password to compare
				}
			}
		}
		compared = u.PasswordHash
		return nil
	})
	if err == nil && compared != "" {
		passwordOK, err = s.checkHash(ctx, compared, passwordOrCode)
		if errors.Is(err, access.ErrHashBusy) {
			return errSignInBusy
		}
	}
	if err != nil {
		if waymark.ErrorCode(err) == waymark.ENOTFOUND {
			return errSessionEnded
		}
		return err
	}
	var outcome error
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		sess, u, err := tx.SessionByTokenHash(hash)
		if err != nil {
			return err
		}
		if sess.UserID != v.User.ID || u.Disabled {
			return errSessionEnded
		}
		k := s.throttleKeys(ctx, u.Email)
		if wait, err := s.throttled(tx, k, now); err != nil || wait > 0 {
			if err == nil {
				outcome = throttledError(wait, "confirm")
				err = tx.AppendAudit(audit.Entry{At: now, ActorID: u.ID, OrgID: u.OrgID, Action: ActionReauthRefused, Detail: "throttled"})
			}
			return err
		}
		ok := false
		if access.LooksLikeTOTP(passwordOrCode) {
			if t, err := tx.TOTPFor(u.ID); err == nil && t.ConfirmedAt != nil {
				if step, valid := access.VerifyTOTP(t.Secret, passwordOrCode, now, t.LastStep); valid {
					if ok, err = tx.UseTOTPStep(u.ID, step); err != nil {
						return err
					}
				}
			}
		}
		if !ok && u.PasswordHash != "" && u.PasswordHash == compared {
			ok = passwordOK // a password changed since it was compared does not count
		}
		if !ok {
			if err := s.countFailure(tx, k, now); err != nil {
				return err
			}
			if err := tx.AppendAudit(audit.Entry{At: now, ActorID: u.ID, OrgID: u.OrgID, Action: ActionReauthRefused}); err != nil {
				return err
			}
			sk := hashKey("session", hash)
			n, err := tx.RecordThrottleFailure(sk, k.account, now, sess.ExpiresAt.Add(time.Minute))
			if err != nil {
				return err
			}
			if n >= s.Throttle.Session {
				outcome = errReauthEndedSession
				return errors.Join(tx.ClearThrottle(sk), tx.DeleteSession(hash))
			}
			outcome = &waymark.Error{Code: waymark.EINVALID, Message: "That is not your password or a current code from your authenticator app",
				Fields: []waymark.FieldError{{Field: "confirm", Message: "That is not your password or a current code from your authenticator app"}}}
			return nil
		}
		if err := tx.ClearThrottle(hashKey("session", hash)); err != nil {
			return err
		}
		if err := tx.SetSessionReauth(hash, now); err != nil {
			return err
		}
		return tx.AppendAudit(audit.Entry{At: now, ActorID: u.ID, OrgID: u.OrgID, Action: ActionReauthenticated})
	})
	if err != nil {
		if waymark.ErrorCode(err) == waymark.ENOTFOUND {
			return errSessionEnded
		}
		return err
	}
	return outcome
}

var errReauthEndedSession = &waymark.Error{Code: waymark.ETOOMANY,
	Message: "Too many wrong answers: you have been signed out. Sign in again to carry on."}

// AddUser creates an account (from the operator's `user add`). Audited, with
// the role and organisation, so that who was given what is on record.
// The email address, name, role and organisation are checked first
// (checkNewUser): an unknown organisation is "No organisation with id X".
func (s *Service) AddUser(ctx context.Context, u store.User) error {
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		if err := checkNewUser(tx, &u); err != nil {
			return err
		}
		if err := tx.InsertUser(u); err != nil {
			return err
		}
		return tx.AppendAudit(audit.Entry{At: s.now(), ActorID: "system", OrgID: u.OrgID, Action: ActionUserAdded, Detail: "for " + u.ID + " as " + u.Role})
	})
}

// AddOrganisation creates an organisation (from the operator's `org add`).
// Audited, with whether it receives concerns or submits NRM referrals.
// Its id, name and kind (one of pathway.OrganisationKinds) are checked first.
func (s *Service) AddOrganisation(ctx context.Context, o store.Organisation) error {
	if err := checkNewOrganisation(&o); err != nil {
		return err
	}
	designation, err := s.checkDesignation(o.FirstResponderDesignation)
	if err != nil {
		return err
	}
	o.FirstResponderDesignation = designation
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		if err := tx.InsertOrganisation(o); err != nil {
			return err
		}
		return tx.AppendAudit(audit.Entry{At: s.now(), ActorID: "system", OrgID: o.ID, Action: ActionOrgAdded,
			Detail: fmt.Sprintf("%s (%s) first responder designation %q, children's services %t", o.ID, o.Kind, o.FirstResponderDesignation, o.ChildrensServices)})
	})
}
