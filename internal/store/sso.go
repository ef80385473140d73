package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"waymark"
)

// Single sign-on re-checks (migration 0015). The provider's refresh token
// of each linked identity is kept sealed (crypt.go) under a data key of its
// own, never in clear and never logged; casework decides when to use it.

const (
	ownerSSO      = "sso"
	ssoRefreshKey = "refresh-tokens"
)

func refreshAAD(issuer, subject string) string {
	return "user_identities.refresh_token\x00" + issuer + "\x00" + subject
}

// SSOGrant is a linked identity with a refresh token: what casework uses to
// ask the provider again whether the person still has access.
type SSOGrant struct {
	Issuer, Subject, UserID string
	RefreshToken            string // opened; never log it
	CheckedAt               time.Time
}

// SetRefreshToken keeps the provider's refresh token for a linked identity
// (sealed), checked at at; "" forgets it.
func (t *Tx) SetRefreshToken(issuer, subject, refreshToken string, at time.Time) error {
	var stored any
	if refreshToken != "" {
		s, err := t.seal(ownerSSO, ssoRefreshKey, refreshAAD(issuer, subject), []byte(refreshToken))
		if err != nil {
			return err
		}
		stored = s
	}
	if _, err := t.exec(`UPDATE user_identities SET refresh_token = $3, checked_at = $4 WHERE issuer = $1 AND subject = $2`,
		issuer, subject, stored, utc(at)); err != nil {
		return fmt.Errorf("store: keeping a refresh token: %w", err)
	}
	return nil
}

// ClaimSSOCheck marks the user's grant as being checked at now, if it was
// last checked at or before due: it reports false when there is no grant due
// (none, or another request or replica claimed it first), so the provider is
// asked once whatever the number of requests.
func (t *Tx) ClaimSSOCheck(userID string, due, now time.Time) (SSOGrant, bool, error) {
	var g SSOGrant
	var stored string
	var checked sql.NullTime
	err := t.queryRow(`SELECT issuer, subject, user_id, refresh_token, checked_at FROM user_identities
		WHERE user_id = $1 AND refresh_token IS NOT NULL AND checked_at <= $2 ORDER BY checked_at LIMIT 1`+t.forUpdate(), userID, utc(due)).
		Scan(&g.Issuer, &g.Subject, &g.UserID, &stored, &checked)
	if errors.Is(err, sql.ErrNoRows) {
		return g, false, nil
	}
	if err != nil {
		return g, false, fmt.Errorf("store: reading a single sign-on grant: %w", err)
	}
	res, err := t.exec(`UPDATE user_identities SET checked_at = $3 WHERE issuer = $1 AND subject = $2 AND checked_at <= $4`,
		g.Issuer, g.Subject, utc(now), utc(due))
	if err != nil {
		return g, false, fmt.Errorf("store: claiming a single sign-on check: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return g, false, nil
	}
	plain, err := t.open(ownerSSO, ssoRefreshKey, refreshAAD(g.Issuer, g.Subject), stored)
	if err != nil {
		return g, false, err
	}
	g.RefreshToken, g.CheckedAt = string(plain), checked.Time
	return g, true, nil
}

// SSOCheckDue reports, without claiming it, whether the user has a grant
// last checked at or before due (ClaimSSOCheck then takes it).
func (t *Tx) SSOCheckDue(userID string, due time.Time) (bool, error) {
	var n int
	if err := t.queryRow(`SELECT COUNT(*) FROM (SELECT 1 FROM user_identities WHERE user_id = $1 AND refresh_token IS NOT NULL AND checked_at <= $2 LIMIT 1) g`,
		userID, utc(due)).Scan(&n); err != nil {
		return false, fmt.Errorf("store: reading a single sign-on grant: %w", err)
	}
	return n > 0, nil
}

// SSOChecksDue lists the users with a grant last checked at or before due.
func (t *Tx) SSOChecksDue(due time.Time, limit int) ([]string, error) {
	return t.stringColumn(`SELECT DISTINCT user_id FROM user_identities WHERE refresh_token IS NOT NULL AND checked_at <= $1 LIMIT `+fmt.Sprint(limit), utc(due))
}

// Invitation is a one-time link to set a first password.
type Invitation struct {
	TokenHash string // the link token's SHA-256 (access.HashToken)
	UserID    string
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// InsertInvitation stores an invitation (its token's hash keyed, as for
// sessions), replacing any earlier one of the same person.
func (t *Tx) InsertInvitation(i Invitation) error {
	if err := t.DeleteInvitations(i.UserID); err != nil {
		return err
	}
	h, err := t.tokenHash(i.TokenHash)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO invitations(token_hash, user_id, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		h, i.UserID, i.CreatedBy, utc(i.CreatedAt), utc(i.ExpiresAt)); err != nil {
		return fmt.Errorf("store: inserting invitation: %w", err)
	}
	return nil
}

// InvitationByTokenHash finds a live invitation at now; ENOTFOUND otherwise.
func (t *Tx) InvitationByTokenHash(hash string, now time.Time) (Invitation, error) {
	i := Invitation{TokenHash: hash}
	err := t.queryRow(`SELECT user_id, created_by, created_at, expires_at FROM invitations WHERE token_hash = $1 AND expires_at > $2`,
		t.storedToken("invitations", "token_hash", hash), utc(now)).Scan(&i.UserID, &i.CreatedBy, &i.CreatedAt, &i.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return i, waymark.Errorf(waymark.ENOTFOUND, "This link has expired or has been used. Ask your administrator for a new one.")
	}
	if err != nil {
		return i, fmt.Errorf("store: reading invitation: %w", err)
	}
	return i, nil
}

// DeleteInvitations ends every invitation of a person.
func (t *Tx) DeleteInvitations(userID string) error {
	if _, err := t.exec(`DELETE FROM invitations WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("store: deleting invitations: %w", err)
	}
	return nil
}
