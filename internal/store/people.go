package store

import (
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"waymark"
)

// Organisation is a member agency of the partnership.
type Organisation struct {
	ID                string
	Name              string
	Kind              string // school, health, police, local-authority, voluntary, support
	ChildrensServices bool   // the partnership's Children's Services front door
	CreatedAt         time.Time

	// FirstResponderDesignation is the id of the catalogue's First
	// Responder designation the organisation is mapped to (§8.2, annex),
	// or "" for none. Whether it is a First Responder is derived from it
	// and the catalogue in use (casework.IsFirstResponder), never stored.
	FirstResponderDesignation string
	// FirstResponder is that derivation, filled in by casework for the
	// signed-in person's organisation; the store never reads or writes it.
	FirstResponder bool
	// PartnershipID is the partnership the organisation belongs to, read
	// with the row and covered by its seal; set by
	// Tx.SetOrganisationPartnership, never by InsertOrganisation.
	PartnershipID string

	seal identitySeal // identity.go
}

// User is a person who signs in.
type User struct {
	ID            string
	OrgID         string
	Email         string
	Name          string
	Role          string
	PasswordHash  string
	FailedSignIns int
	LockedUntil   *time.Time
	Disabled      bool
	CreatedAt     time.Time
	Org           Organisation

	seal identitySeal // identity.go
}

// InsertOrganisation adds an organisation.
func (t *Tx) InsertOrganisation(o Organisation) error {
	_, err := t.exec(`INSERT INTO organisations(id, name, kind, first_responder_designation, childrens_services, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		o.ID, o.Name, o.Kind, o.FirstResponderDesignation, o.ChildrensServices, utc(o.CreatedAt))
	if isUniqueViolation(err) {
		return waymark.Errorf(waymark.ECONFLICT, "An organisation with id %s already exists", o.ID)
	}
	if err != nil {
		return fmt.Errorf("store: inserting organisation: %w", err)
	}
	return t.sealOrg(o.ID)
}

// SetFirstResponderDesignation maps an organisation to a First Responder
// designation of the catalogue ("" for none) and seals the row afresh. An
// organisation whose row was altered behind Waymark's back is not found:
// its seal is never renewed over the change.
func (t *Tx) SetFirstResponderDesignation(orgID, designation string) error {
	if _, err := t.OrganisationByID(orgID); err != nil {
		return err
	}
	if _, err := t.exec(`UPDATE organisations SET first_responder_designation = $2 WHERE id = $1`, orgID, designation); err != nil {
		return fmt.Errorf("store: setting First Responder designation: %w", err)
	}
	return t.sealOrg(orgID)
}

const orgColumns = `o.id, o.name, o.kind, o.first_responder_designation, o.childrens_services, o.created_at, o.partnership_id, o.seal_key, o.mac`

func scanOrg(s interface{ Scan(...any) error }) (Organisation, error) {
	var o Organisation
	err := s.Scan(&o.ID, &o.Name, &o.Kind, &o.FirstResponderDesignation, &o.ChildrensServices, &o.CreatedAt, &o.PartnershipID, &o.seal.keyID, &o.seal.mac)
	return o, err
}

// Organisations lists every organisation by name, leaving out any whose
// row was altered behind Waymark's back (identity.go).
func (t *Tx) Organisations() ([]Organisation, error) {
	all, err := t.allOrganisations()
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, o := range all {
		if t.orgSealed(o) {
			out = append(out, o)
		}
	}
	return out, nil
}

func (t *Tx) allOrganisations() ([]Organisation, error) {
	rows, err := t.query(`SELECT ` + orgColumns + ` FROM organisations o ORDER BY o.name, o.id`)
	if err != nil {
		return nil, fmt.Errorf("store: listing organisations: %w", err)
	}
	defer rows.Close()
	var out []Organisation
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// SetChildrensServicesOrg names the organisation that receives concerns
// (serve --childrens-services-org); "" leaves the choice to the one sealed
// organisation with the Children's Services flag.
func (db *DB) SetChildrensServicesOrg(id string) { db.frontDoor.Store(&id) }

// ChildrensServicesOrg returns the organisation that receives concerns: the
// one the configuration names, or else the only sealed organisation with the
// Children's Services flag. It never guesses: with two or more such
// organisations and none named, it refuses, and the concern is not sent
// (§6.1–6.2: the referral goes to the area's Children's Services team).
func (t *Tx) ChildrensServicesOrg() (Organisation, error) {
	all, err := t.allOrganisations()
	if err != nil {
		return Organisation{}, err
	}
	named := ""
	if p := t.db.frontDoor.Load(); p != nil {
		named = *p
	}
	var flagged []Organisation
	for _, o := range all {
		if o.ChildrensServices && t.orgSealed(o) {
			flagged = append(flagged, o)
		}
	}
	switch {
	case named != "":
		for _, o := range flagged {
			if o.ID == named {
				return o, nil
			}
		}
		slog.Error("the Children's Services organisation named by --childrens-services-org is not a sealed organisation with the Children's Services flag: no concern can be sent", "org", named)
		return Organisation{}, waymark.Errorf(waymark.ECONFLICT, "Waymark cannot send concerns at the moment: the Children's Services team it is set up to send them to is not available. Your concern has not been sent: phone Children's Services now if the child may be in danger, and tell your administrator.")
	case len(flagged) == 0:
		return Organisation{}, waymark.Errorf(waymark.ENOTFOUND, "No Children's Services organisation is set up: ask your administrator to set one up")
	case len(flagged) > 1:
		ids := make([]string, len(flagged))
		for i, o := range flagged {
			ids[i] = o.ID
		}
		slog.Error("more than one organisation is marked as the Children's Services front door and the configuration names none: no concern is sent until --childrens-services-org names one",
			"orgs", strings.Join(ids, ", "))
		return Organisation{}, &waymark.Error{Code: waymark.ECONFLICT, Message: "Waymark cannot tell which Children's Services team should receive this concern, so it has not been sent. Phone Children's Services now if the child may be in danger, and tell your administrator."}
	}
	return flagged[0], nil
}

// InsertUser adds a user.
func (t *Tx) InsertUser(u User) error {
	_, err := t.exec(`INSERT INTO users(id, org_id, email, name, role, password_hash, failed_sign_ins, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, FALSE, $7)`,
		u.ID, u.OrgID, strings.ToLower(u.Email), u.Name, u.Role, u.PasswordHash, utc(u.CreatedAt))
	if isUniqueViolation(err) {
		return &waymark.Error{Code: waymark.ECONFLICT, Message: "A user with that email address already exists", Fields: []waymark.FieldError{{Field: "email", Message: "A user with that email address already exists"}}}
	}
	if err != nil {
		return fmt.Errorf("store: inserting user: %w", err)
	}
	return t.sealUser(u.ID)
}

const userColumns = `u.id, u.org_id, u.email, u.name, u.role, u.password_hash, u.failed_sign_ins, u.locked_until, u.disabled, u.created_at, u.seal_key, u.mac, ` + orgColumns

func userDest(u *User, locked *sql.NullTime) []any {
	return []any{&u.ID, &u.OrgID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.FailedSignIns, locked, &u.Disabled, &u.CreatedAt, &u.seal.keyID, &u.seal.mac,
		&u.Org.ID, &u.Org.Name, &u.Org.Kind, &u.Org.FirstResponderDesignation, &u.Org.ChildrensServices, &u.Org.CreatedAt, &u.Org.PartnershipID, &u.Org.seal.keyID, &u.Org.seal.mac}
}

func scanUser(s interface{ Scan(...any) error }) (User, error) {
	var u User
	var locked sql.NullTime
	err := s.Scan(userDest(&u, &locked)...)
	u.LockedUntil = timePtr(locked)
	return u, err
}

// UserByEmail finds a user by email address (case-insensitive). A user
// whose row, or whose organisation's, was altered behind Waymark's back is
// not found (identity.go).
func (t *Tx) UserByEmail(email string) (User, error) {
	u, err := scanUser(t.queryRow(`SELECT `+userColumns+` FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.email = $1`, strings.ToLower(strings.TrimSpace(email))))
	return t.checkedUser(u, err, "No user with that email address")
}

// UserByID finds a user by id; an altered row is not found.
func (t *Tx) UserByID(id string) (User, error) {
	u, err := scanUser(t.queryRow(`SELECT `+userColumns+` FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.id = $1`, id))
	return t.checkedUser(u, err, "No such user")
}

// Users lists every user, by organisation then name, leaving out altered rows.
func (t *Tx) Users() ([]User, error) {
	rows, err := t.query(`SELECT ` + userColumns + ` FROM users u JOIN organisations o ON o.id = u.org_id ORDER BY o.name, u.name`)
	if err != nil {
		return nil, fmt.Errorf("store: listing users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		if t.userSealed(u) {
			out = append(out, u)
		}
	}
	return out, rows.Err()
}

// SetPassword replaces a user's password hash and unlocks the account.
func (t *Tx) SetPassword(userID, hash string) error {
	res, err := t.exec(`UPDATE users SET password_hash = $2, failed_sign_ins = 0, locked_until = NULL WHERE id = $1`, userID, hash)
	if err != nil {
		return fmt.Errorf("store: setting password: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return waymark.Errorf(waymark.ENOTFOUND, "No such user")
	}
	return t.sealUser(userID)
}

// SetDisabled disables or re-enables a user; disabling ends every credential
// they hold (EndCredentials), stamped at now.
func (t *Tx) SetDisabled(userID string, disabled bool, now time.Time) error {
	if _, err := t.exec(`UPDATE users SET disabled = $2 WHERE id = $1`, userID, disabled); err != nil {
		return fmt.Errorf("store: disabling user: %w", err)
	}
	if err := t.sealUser(userID); err != nil {
		return err
	}
	if disabled {
		return t.EndCredentials(userID, now)
	}
	return nil
}

// EndCredentials ends everything that lets someone act as the user without
// signing in again: their sessions, half-finished sign-ins and API tokens
// (revoked at now). A password or authenticator reset calls it, because the
// reason for a reset is often that someone else may hold them.
func (t *Tx) EndCredentials(userID string, now time.Time) error {
	if _, err := t.exec(`DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("store: ending sessions: %w", err)
	}
	if _, err := t.exec(`DELETE FROM sign_in_challenges WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("store: ending sign-ins: %w", err)
	}
	if _, err := t.exec(`UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, userID, utc(now)); err != nil {
		return fmt.Errorf("store: revoking API tokens: %w", err)
	}
	return nil
}

// Session is a signed-in browser or API client.
type Session struct {
	TokenHash  string
	UserID     string
	CSRFToken  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// InsertSession stores a new session (only the token's hash is kept, keyed:
// identity.go).
func (t *Tx) InsertSession(s Session) error {
	h, err := t.tokenHash(s.TokenHash)
	if err != nil {
		return err
	}
	_, err = t.exec(`INSERT INTO sessions(token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		h, s.UserID, s.CSRFToken, utc(s.CreatedAt), utc(s.LastSeenAt), utc(s.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store: inserting session: %w", err)
	}
	return nil
}

// SessionByTokenHash finds a session and its user. hash is the token's
// SHA-256 (access.HashToken), and so is the returned session's TokenHash;
// a session of a user whose row was altered is not found.
func (t *Tx) SessionByTokenHash(hash string) (Session, User, error) {
	var s Session
	row := t.queryRow(`SELECT s.user_id, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, `+userColumns+`
		FROM sessions s JOIN users u ON u.id = s.user_id JOIN organisations o ON o.id = u.org_id WHERE s.token_hash = $1`, t.storedToken("sessions", "token_hash", hash))
	var u User
	var locked sql.NullTime
	err := row.Scan(append([]any{&s.UserID, &s.CSRFToken, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt}, userDest(&u, &locked)...)...)
	u.LockedUntil = timePtr(locked)
	s.TokenHash = hash
	u, err = t.checkedUser(u, err, "Your session has ended: sign in again")
	if err != nil {
		return Session{}, User{}, err
	}
	return s, u, nil
}

// TouchSession records activity, extending the idle time-out.
func (t *Tx) TouchSession(hash string, at time.Time) error {
	_, err := t.exec(`UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1`, t.storedToken("sessions", "token_hash", hash), utc(at))
	return err
}

// DeleteSession ends a session.
func (t *Tx) DeleteSession(hash string) error {
	_, err := t.exec(`DELETE FROM sessions WHERE token_hash = $1`, t.storedToken("sessions", "token_hash", hash))
	return err
}

// DeleteExpiredSessions removes sessions past their absolute expiry.
func (t *Tx) DeleteExpiredSessions(now time.Time) (int64, error) {
	res, err := t.exec(`DELETE FROM sessions WHERE expires_at < $1`, utc(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// APIToken is a scoped credential an administrator created for a client.
type APIToken struct {
	ID        string
	TokenHash string
	UserID    string
	Name      string
	Scopes    []string
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

// InsertAPIToken stores a token (only its hash, keyed: identity.go).
func (t *Tx) InsertAPIToken(a APIToken) error {
	h, err := t.tokenHash(a.TokenHash)
	if err != nil {
		return err
	}
	_, err = t.exec(`INSERT INTO api_tokens(id, token_hash, user_id, name, scopes, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		a.ID, h, a.UserID, a.Name, strings.Join(a.Scopes, " "), utc(a.CreatedAt), utc(a.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store: inserting api token: %w", err)
	}
	return nil
}

// APITokenByHash finds a token and the user it acts for.
func (t *Tx) APITokenByHash(hash string) (APIToken, User, error) {
	var a APIToken
	var scopes string
	var revoked sql.NullTime
	err := t.queryRow(`SELECT id, token_hash, user_id, name, scopes, created_at, expires_at, revoked_at FROM api_tokens WHERE token_hash = $1`, t.storedToken("api_tokens", "token_hash", hash)).
		Scan(&a.ID, &a.TokenHash, &a.UserID, &a.Name, &scopes, &a.CreatedAt, &a.ExpiresAt, &revoked)
	if err != nil {
		return a, User{}, notFound(err, "The API token is not valid")
	}
	a.Scopes = strings.Fields(scopes)
	a.RevokedAt = timePtr(revoked)
	a.TokenHash = hash
	u, err := t.UserByID(a.UserID)
	return a, u, err
}
