package store

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"waymark"
)

// UserByIdentity finds the user linked to an OpenID Connect subject. A link,
// user or organisation row altered behind Waymark's back links nobody.
func (t *Tx) UserByIdentity(issuer, subject string) (User, error) {
	const msg = "No user is linked to that identity"
	var link identitySeal
	var locked sql.NullTime
	var u User
	err := t.queryRow(`SELECT i.seal_key, i.mac, `+userColumns+` FROM user_identities i JOIN users u ON u.id = i.user_id JOIN organisations o ON o.id = u.org_id
		WHERE i.issuer = $1 AND i.subject = $2`, issuer, subject).Scan(append([]any{&link.keyID, &link.mac}, userDest(&u, &locked)...)...)
	u.LockedUntil = timePtr(locked)
	if err == nil && !t.identityMatches("user_identities", link, linkFields(issuer, subject, u.ID)) {
		altered("user_identities", issuer+" "+subject)
		return User{}, waymark.Errorf(waymark.ENOTFOUND, msg)
	}
	return t.checkedUser(u, err, msg)
}

// LinkIdentity links an OpenID Connect subject to a user.
func (t *Tx) LinkIdentity(issuer, subject, userID string, at time.Time) error {
	_, err := t.exec(`INSERT INTO user_identities(issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4)`, issuer, subject, userID, utc(at))
	if isUniqueViolation(err) {
		return waymark.Errorf(waymark.ECONFLICT, "That identity is linked to another account already")
	}
	if err != nil {
		return fmt.Errorf("store: linking identity: %w", err)
	}
	return t.sealLink(issuer, subject, userID)
}

// IdentityLinked reports whether the user signs in through a provider.
func (t *Tx) IdentityLinked(userID string) (bool, error) {
	var n int
	err := t.queryRow(`SELECT COUNT(*) FROM user_identities WHERE user_id = $1`, userID).Scan(&n)
	return n > 0, err
}

// SetUserAccess brings a user's organisation, role and name into line with
// what their identity provider says now.
func (t *Tx) SetUserAccess(userID, orgID, role, name string) error {
	// A person put in another organisation takes their drafts to its
	// partnership's retention review (retention.go). On PostgreSQL their
	// row is locked, then both organisations' rows are share-locked
	// before anything changes: a move of either organisation to another
	// partnership under way commits first and its partnership is read
	// below, and one that starts after waits for this and then finds the
	// person where this put them.
	// (FOR NO KEY UPDATE, the lock the UPDATE below takes anyway: a row
	// written elsewhere that refers to the person, a session say, need
	// not wait for it.)
	lock := ""
	if t.dialect == Postgres {
		lock = ` FOR NO KEY UPDATE`
	}
	was, err := t.stringColumn(`SELECT org_id FROM users WHERE id = $1`+lock, userID)
	if err != nil {
		return fmt.Errorf("store: reading user access: %w", err)
	}
	if len(was) == 0 {
		// Nobody to change: said so, rather than a failure to seal a row
		// that is not there (or, without an identity key, nothing at all).
		return waymark.Errorf(waymark.ENOTFOUND, "There is no Waymark account for this person any more, so their organisation and role cannot be changed.")
	}
	moved := was[0] != orgID
	if moved && t.dialect == Postgres {
		if _, err := t.stringColumn(`SELECT id FROM organisations WHERE id IN ($1, $2) ORDER BY id FOR SHARE`, was[0], orgID); err != nil {
			return fmt.Errorf("store: locking the organisations a person moves between: %w", err)
		}
	}
	if _, err := t.exec(`UPDATE users SET org_id = $2, role = $3, name = $4 WHERE id = $1`, userID, orgID, role, name); err != nil {
		return fmt.Errorf("store: updating user access: %w", err)
	}
	if moved {
		if err := t.refileDraftsOf(`u.id = $1`, userID); err != nil {
			return err
		}
	}
	return t.sealUser(userID)
}

// OIDCState is one sign-in sent to the provider and not yet back: the
// state's hash, the nonce the ID token must carry and the PKCE verifier.
type OIDCState struct {
	StateHash   string
	Nonce       string
	Verifier    string
	Next        string
	Purpose     string // "sign-in" or "reauth"
	SessionHash string // for "reauth": the session that asked
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// InsertOIDCState stores a sign-in in flight, clearing expired ones.
func (t *Tx) InsertOIDCState(s OIDCState) error {
	if _, err := t.exec(`DELETE FROM oidc_states WHERE expires_at < $1`, utc(s.CreatedAt)); err != nil {
		return fmt.Errorf("store: clearing old sign-in states: %w", err)
	}
	h, err := t.tokenHash(s.StateHash)
	if err != nil {
		return err
	}
	_, err = t.exec(`INSERT INTO oidc_states(state_hash, nonce, verifier, next, purpose, session_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		h, s.Nonce, s.Verifier, s.Next, s.Purpose, s.SessionHash, utc(s.CreatedAt), utc(s.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store: saving sign-in state: %w", err)
	}
	return nil
}

// TakeOIDCState returns the state and deletes it: each is used once.
func (t *Tx) TakeOIDCState(hash string) (OIDCState, error) {
	var s OIDCState
	err := t.queryRow(`DELETE FROM oidc_states WHERE state_hash = $1 RETURNING state_hash, nonce, verifier, next, purpose, session_hash, created_at, expires_at`, t.storedToken("oidc_states", "state_hash", hash)).
		Scan(&s.StateHash, &s.Nonce, &s.Verifier, &s.Next, &s.Purpose, &s.SessionHash, &s.CreatedAt, &s.ExpiresAt)
	if err != nil {
		return s, notFound(err, "This sign-in has expired or was used already: sign in again")
	}
	s.StateHash = hash
	return s, nil
}

// OrganisationByID finds an organisation; one whose row was altered behind
// Waymark's back is not found.
func (t *Tx) OrganisationByID(id string) (Organisation, error) {
	o, err := scanOrg(t.queryRow(`SELECT `+orgColumns+` FROM organisations o WHERE o.id = $1`, strings.TrimSpace(id)))
	if err == nil && !t.orgSealed(o) {
		return Organisation{}, waymark.Errorf(waymark.ENOTFOUND, "No such organisation")
	}
	return o, notFound(err, "No such organisation")
}
