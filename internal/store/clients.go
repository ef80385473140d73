package store

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"waymark"
)

// MachineClientIDPrefix starts every machine client's id, so an audit entry
// or an event names a client as a client at a glance, never as a person.
const MachineClientIDPrefix = "client-"

// MachineClient is a program with its own credential: named, owned by an
// organisation, scoped, expiring and revocable. It acts as itself and sees
// a case only where the case's team has made it a member.
type MachineClient struct {
	ID        string
	OrgID     string
	Name      string
	Scopes    []string
	TokenHash string
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
	RevokedBy string
	// CustodianID is the person of the owning organisation (never an
	// administrator) who collects the token; TokenIssuedAt is when they
	// last did, nil until they first do (the stored hash is then of a
	// token nobody was given).
	CustodianID   string
	TokenIssuedAt *time.Time

	// For lists: the owning organisation's name, who made it, and the
	// custodian as they are now (their name, organisation, role and whether
	// their account is disabled), so a client whose custodian left the
	// organisation, became an administrator or was disabled is refused.
	OrgName, CreatedByName        string
	CustodianName, CustodianEmail string
	CustodianOrgID, CustodianRole string
	CustodianDisabled             bool
}

// Active reports whether the client is neither revoked nor expired at now.
func (c MachineClient) Active(now time.Time) bool {
	return c.RevokedAt == nil && now.Before(c.ExpiresAt)
}

// CustodianValid reports whether the client has a custodian who may hold
// its token: a person of the owning organisation, not an administrator,
// whose account is enabled. administratorRole is the pathway's role name
// (the store does not know the pathway).
func (c MachineClient) CustodianValid(administratorRole string) bool {
	return c.CustodianID != "" && !c.CustodianDisabled && c.CustodianOrgID == c.OrgID && c.CustodianRole != administratorRole
}

// InsertMachineClient stores a client (only its token's hash).
func (t *Tx) InsertMachineClient(c MachineClient) error {
	h, err := t.tokenHash(c.TokenHash)
	if err != nil {
		return err
	}
	var custodian any
	if c.CustodianID != "" {
		custodian = c.CustodianID
	}
	var issued any
	if c.TokenIssuedAt != nil {
		issued = utc(*c.TokenIssuedAt)
	}
	_, err = t.exec(`INSERT INTO machine_clients(id, org_id, name, scopes, token_hash, created_by, created_at, expires_at, custodian_id, token_issued_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		c.ID, c.OrgID, c.Name, strings.Join(c.Scopes, " "), h, c.CreatedBy, utc(c.CreatedAt), utc(c.ExpiresAt), custodian, issued)
	if err != nil {
		return fmt.Errorf("store: inserting machine client: %w", err)
	}
	return nil
}

const clientSelect = `SELECT c.id, c.org_id, c.name, c.scopes, c.token_hash, c.created_by, c.created_at, c.expires_at, c.revoked_at, c.revoked_by,
		COALESCE(c.custodian_id, ''), c.token_issued_at,
		COALESCE(o.name, ''), COALESCE(u.name, ''),
		COALESCE(k.name, ''), COALESCE(k.email, ''), COALESCE(k.org_id, ''), COALESCE(k.role, ''), COALESCE(k.disabled, TRUE)
	FROM machine_clients c LEFT JOIN organisations o ON o.id = c.org_id LEFT JOIN users u ON u.id = c.created_by
	LEFT JOIN users k ON k.id = c.custodian_id`

func (t *Tx) machineClients(q string, args ...any) ([]MachineClient, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: listing machine clients: %w", err)
	}
	defer rows.Close()
	var out []MachineClient
	for rows.Next() {
		var c MachineClient
		var scopes string
		var revoked, issued sql.NullTime
		if err := rows.Scan(&c.ID, &c.OrgID, &c.Name, &scopes, &c.TokenHash, &c.CreatedBy, &c.CreatedAt, &c.ExpiresAt, &revoked, &c.RevokedBy,
			&c.CustodianID, &issued,
			&c.OrgName, &c.CreatedByName,
			&c.CustodianName, &c.CustodianEmail, &c.CustodianOrgID, &c.CustodianRole, &c.CustodianDisabled); err != nil {
			return nil, fmt.Errorf("store: scanning machine client: %w", err)
		}
		c.Scopes = strings.Fields(scopes)
		c.RevokedAt, c.TokenIssuedAt = timePtr(revoked), timePtr(issued)
		c.CreatedAt, c.ExpiresAt = c.CreatedAt.UTC(), c.ExpiresAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// MachineClients lists every machine client, newest first.
func (t *Tx) MachineClients() ([]MachineClient, error) {
	return t.machineClients(clientSelect + ` ORDER BY c.created_at DESC, c.id`)
}

// MachineClientsOfCustodian lists the clients whose token the person
// collects, newest first.
func (t *Tx) MachineClientsOfCustodian(userID string) ([]MachineClient, error) {
	return t.machineClients(clientSelect+` WHERE c.custodian_id = $1 ORDER BY c.created_at DESC, c.id`, userID)
}

// SetMachineClientToken replaces the client's token hash (the old token
// stops at once) and records when it was issued.
func (t *Tx) SetMachineClientToken(id, hash string, at time.Time) error {
	h, err := t.tokenHash(hash)
	if err != nil {
		return err
	}
	res, err := t.exec(`UPDATE machine_clients SET token_hash = $2, token_issued_at = $3 WHERE id = $1 AND revoked_at IS NULL`, id, h, utc(at))
	if err != nil {
		return fmt.Errorf("store: issuing machine client token: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return waymark.Errorf(waymark.ENOTFOUND, "No active machine client with that id")
	}
	return nil
}

// MachineClientByID finds a client by id.
func (t *Tx) MachineClientByID(id string) (MachineClient, error) {
	cs, err := t.machineClients(clientSelect+` WHERE c.id = $1`, id)
	if err != nil {
		return MachineClient{}, err
	}
	if len(cs) == 0 {
		return MachineClient{}, waymark.Errorf(waymark.ENOTFOUND, "No machine client with that id")
	}
	return cs[0], nil
}

// MachineClientByTokenHash finds the client a bearer token belongs to.
func (t *Tx) MachineClientByTokenHash(hash string) (MachineClient, error) {
	cs, err := t.machineClients(clientSelect+` WHERE c.token_hash = $1`, t.storedToken("machine_clients", "token_hash", hash))
	if err != nil {
		return MachineClient{}, err
	}
	if len(cs) == 0 {
		return MachineClient{}, waymark.Errorf(waymark.ENOTFOUND, "The token is not valid")
	}
	cs[0].TokenHash = hash
	return cs[0], nil
}

// RevokeMachineClient revokes a client at once; it reports false when it
// was revoked already.
func (t *Tx) RevokeMachineClient(id, by string, at time.Time) (bool, error) {
	res, err := t.exec(`UPDATE machine_clients SET revoked_at = $2, revoked_by = $3 WHERE id = $1 AND revoked_at IS NULL`, id, utc(at), by)
	if err != nil {
		return false, fmt.Errorf("store: revoking machine client: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// APITokensFor lists a person's own API tokens, newest first.
func (t *Tx) APITokensFor(userID string) ([]APIToken, error) {
	rows, err := t.query(`SELECT id, token_hash, user_id, name, scopes, created_at, expires_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: listing api tokens: %w", err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		var a APIToken
		var scopes string
		var revoked sql.NullTime
		if err := rows.Scan(&a.ID, &a.TokenHash, &a.UserID, &a.Name, &scopes, &a.CreatedAt, &a.ExpiresAt, &revoked); err != nil {
			return nil, fmt.Errorf("store: scanning api token: %w", err)
		}
		a.Scopes = strings.Fields(scopes)
		a.RevokedAt = timePtr(revoked)
		a.CreatedAt, a.ExpiresAt = a.CreatedAt.UTC(), a.ExpiresAt.UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

// RevokeAPIToken revokes one of a person's own tokens at once. Someone
// else's token, or an unknown id, is "not found"; a token revoked already
// reports false.
func (t *Tx) RevokeAPIToken(userID, id string, at time.Time) (bool, error) {
	var revoked sql.NullTime
	err := t.queryRow(`SELECT revoked_at FROM api_tokens WHERE id = $1 AND user_id = $2`, id, userID).Scan(&revoked)
	if err != nil {
		return false, notFound(err, "You have no API token with that id")
	}
	if revoked.Valid {
		return false, nil
	}
	if _, err := t.exec(`UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`, id, userID, utc(at)); err != nil {
		return false, fmt.Errorf("store: revoking api token: %w", err)
	}
	return true, nil
}
