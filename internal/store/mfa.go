package store

import (
	"database/sql"
	"fmt"
	"time"

	"waymark"
)

// TOTP is a user's authenticator secret. Until ConfirmedAt is set it is an
// enrolment in progress and does not count as two-step verification.
type TOTP struct {
	UserID      string
	Secret      string // base32
	ConfirmedAt *time.Time
	LastStep    int64 // the newest 30-second step whose code was used: older codes are refused
	CreatedAt   time.Time
}

// TOTPFor returns the user's secret; ENOTFOUND when they have none.
func (t *Tx) TOTPFor(userID string) (TOTP, error) {
	var x TOTP
	var confirmed sql.NullTime
	err := t.queryRow(`SELECT user_id, secret, confirmed_at, last_step, created_at FROM user_totp WHERE user_id = $1`, userID).
		Scan(&x.UserID, &x.Secret, &confirmed, &x.LastStep, &x.CreatedAt)
	if err != nil {
		return x, notFound(err, "Two-step verification is not set up")
	}
	x.ConfirmedAt = timePtr(confirmed)
	return x, nil
}

// StartTOTPEnrolment stores a new, unconfirmed secret for the user; it
// refuses to replace a confirmed one.
func (t *Tx) StartTOTPEnrolment(userID, secret string, at time.Time) error {
	res, err := t.exec(`INSERT INTO user_totp(user_id, secret, confirmed_at, last_step, created_at) VALUES ($1, $2, NULL, 0, $3)
		ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at, last_step = 0
		WHERE user_totp.confirmed_at IS NULL`, userID, secret, utc(at))
	if err != nil {
		return fmt.Errorf("store: starting TOTP enrolment: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return waymark.Errorf(waymark.ECONFLICT, "Two-step verification is already set up for this account")
	}
	return nil
}

// ConfirmTOTP marks the secret as set up, recording the step of the code
// that confirmed it so that code cannot be used again to sign in.
func (t *Tx) ConfirmTOTP(userID string, step int64, at time.Time) error {
	res, err := t.exec(`UPDATE user_totp SET confirmed_at = $2, last_step = $3 WHERE user_id = $1 AND confirmed_at IS NULL`, userID, utc(at), step)
	if err != nil {
		return fmt.Errorf("store: confirming TOTP: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return waymark.Errorf(waymark.ECONFLICT, "Two-step verification is already set up for this account")
	}
	return nil
}

// UseTOTPStep records that the code of step was used. It reports false when
// that step or a later one was used already: a replay, even by two requests
// at the same moment.
func (t *Tx) UseTOTPStep(userID string, step int64) (bool, error) {
	res, err := t.exec(`UPDATE user_totp SET last_step = $2 WHERE user_id = $1 AND confirmed_at IS NOT NULL AND last_step < $2`, userID, step)
	if err != nil {
		return false, fmt.Errorf("store: recording TOTP step: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ReplaceRecoveryCodes stores the hashes of a user's new recovery codes,
// dropping any old ones.
func (t *Tx) ReplaceRecoveryCodes(userID string, hashes []string) error {
	if _, err := t.exec(`DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("store: clearing recovery codes: %w", err)
	}
	for _, h := range hashes {
		if _, err := t.exec(`INSERT INTO recovery_codes(user_id, code_hash) VALUES ($1, $2)`, userID, h); err != nil {
			return fmt.Errorf("store: saving recovery code: %w", err)
		}
	}
	return nil
}

// UseRecoveryCode spends one unused recovery code; false if there is none
// with that hash.
func (t *Tx) UseRecoveryCode(userID, hash string, at time.Time) (bool, error) {
	res, err := t.exec(`UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`, userID, hash, utc(at))
	if err != nil {
		return false, fmt.Errorf("store: using recovery code: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// RecoveryCodesLeft counts the user's unused recovery codes.
func (t *Tx) RecoveryCodesLeft(userID string) (int, error) {
	var n int
	err := t.queryRow(`SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`, userID).Scan(&n)
	return n, err
}

// ResetTOTP removes a user's secret and recovery codes, so that they set up
// two-step verification again at their next sign-in (a lost phone).
func (t *Tx) ResetTOTP(userID string) error {
	if _, err := t.exec(`DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("store: clearing recovery codes: %w", err)
	}
	if _, err := t.exec(`DELETE FROM user_totp WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("store: clearing TOTP: %w", err)
	}
	return nil
}

// Challenge kinds: what the second step of a sign-in asks for.
const (
	ChallengeCode  = "code"  // the user has an authenticator: ask for its code
	ChallengeEnrol = "enrol" // the user must set one up first
)

// Challenge is a sign-in halfway through: the password was right, the
// second step is still to come. Only its token's hash is stored.
type Challenge struct {
	TokenHash string
	UserID    string
	Kind      string
	Attempts  int
	CreatedAt time.Time
	ExpiresAt time.Time
}

// InsertChallenge stores a new challenge.
func (t *Tx) InsertChallenge(c Challenge) error {
	h, err := t.tokenHash(c.TokenHash)
	if err != nil {
		return err
	}
	_, err = t.exec(`INSERT INTO sign_in_challenges(token_hash, user_id, kind, attempts, created_at, expires_at) VALUES ($1, $2, $3, 0, $4, $5)`,
		h, c.UserID, c.Kind, utc(c.CreatedAt), utc(c.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store: inserting sign-in challenge: %w", err)
	}
	return nil
}

// ChallengeByTokenHash finds a challenge and its user.
func (t *Tx) ChallengeByTokenHash(hash string) (Challenge, User, error) {
	var c Challenge
	err := t.queryRow(`SELECT token_hash, user_id, kind, attempts, created_at, expires_at FROM sign_in_challenges WHERE token_hash = $1`+t.forUpdate(), t.storedToken("sign_in_challenges", "token_hash", hash)).
		Scan(&c.TokenHash, &c.UserID, &c.Kind, &c.Attempts, &c.CreatedAt, &c.ExpiresAt)
	if err != nil {
		return c, User{}, notFound(err, "Your sign-in has timed out: sign in again")
	}
	c.TokenHash = hash
	u, err := t.UserByID(c.UserID)
	return c, u, err
}

// CountChallengeAttempt adds one wrong code to the challenge.
func (t *Tx) CountChallengeAttempt(hash string) (int, error) {
	var n int
	err := t.queryRow(`UPDATE sign_in_challenges SET attempts = attempts + 1 WHERE token_hash = $1 RETURNING attempts`, t.storedToken("sign_in_challenges", "token_hash", hash)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: counting code attempt: %w", err)
	}
	return n, nil
}

// SetChallengeKind moves a challenge on (from enrolment to code, say).
func (t *Tx) SetChallengeKind(hash, kind string) error {
	_, err := t.exec(`UPDATE sign_in_challenges SET kind = $2 WHERE token_hash = $1`, t.storedToken("sign_in_challenges", "token_hash", hash), kind)
	return err
}

// DeleteChallenge ends a challenge.
func (t *Tx) DeleteChallenge(hash string) error {
	_, err := t.exec(`DELETE FROM sign_in_challenges WHERE token_hash = $1`, t.storedToken("sign_in_challenges", "token_hash", hash))
	return err
}

// DeleteUserChallenges ends every challenge of a user (after a sign-in
// succeeds, or when the account is reset).
func (t *Tx) DeleteUserChallenges(userID string, before time.Time) error {
	_, err := t.exec(`DELETE FROM sign_in_challenges WHERE user_id = $1 OR expires_at < $2`, userID, utc(before))
	return err
}

// SetSessionReauth records that the session proved who it is again.
func (t *Tx) SetSessionReauth(hash string, at time.Time) error {
	res, err := t.exec(`UPDATE sessions SET reauth_at = $2 WHERE token_hash = $1`, t.storedToken("sessions", "token_hash", hash), utc(at))
	if err != nil {
		return fmt.Errorf("store: recording re-authentication: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return waymark.Errorf(waymark.EUNAUTHORIZED, "Your session has ended: sign in again")
	}
	return nil
}

// SessionAuthAt is when the session last proved who it is: its sign-in, or
// its latest re-authentication.
func (t *Tx) SessionAuthAt(hash string) (time.Time, error) {
	var created time.Time
	var reauth sql.NullTime
	err := t.queryRow(`SELECT created_at, reauth_at FROM sessions WHERE token_hash = $1`, t.storedToken("sessions", "token_hash", hash)).Scan(&created, &reauth)
	if err != nil {
		return time.Time{}, notFound(err, "Your session has ended: sign in again")
	}
	if reauth.Valid && reauth.Time.After(created) {
		return reauth.Time.UTC(), nil
	}
	return created.UTC(), nil
}

// DeleteUserSessions ends every session of a user.
func (t *Tx) DeleteUserSessions(userID string) error {
	_, err := t.exec(`DELETE FROM sessions WHERE user_id = $1`, userID)
	return err
}
