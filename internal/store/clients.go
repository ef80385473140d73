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

	// For lists: the owning organisation's name and who made it.
	OrgName, CreatedByName string
}

// Active reports whether the client's token is accepted at now.
func (c MachineClient) Active(now time.Time) bool {
	return c.RevokedAt == nil && now.Before(c.ExpiresAt)
}

// InsertMachineClient stores a client (only its token's hash).
func (t *Tx) InsertMachineClient(c MachineClient) error {
	h, err := t.tokenHash(c.TokenHash)
	if err != nil {
		return err
	}
	_, err = t.exec(`INSERT INTO machine_clients(id, org_id, name, scopes, token_hash, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		c.ID, c.OrgID, c.Name, strings.Join(c.Scopes, " "), h, c.CreatedBy, utc(c.CreatedAt), utc(c.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store: inserting machine client: %w", err)
	}
	return nil
}

const clientSelect = `SELECT c.id, c.org_id, c.name, c.scopes, c.token_hash, c.created_by, c.created_at, c.expires_at, c.revoked_at, c.revoked_by,
		COALESCE(o.name, ''), COALESCE(u.name, '')
	FROM machine_clients c LEFT JOIN organisations o ON o.id = c.org_id LEFT JOIN users u ON u.id = c.created_by`

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
		var revoked sql.NullTime
		if err := rows.Scan(&c.ID, &c.OrgID, &c.Name, &scopes, &c.TokenHash, &c.CreatedBy, &c.CreatedAt, &c.ExpiresAt, &revoked, &c.RevokedBy,
			&c.OrgName, &c.CreatedByName); err != nil {
			return nil, fmt.Errorf("store: scanning machine client: %w", err)
		}
		c.Scopes = strings.Fields(scopes)
		c.RevokedAt = timePtr(revoked)
		c.CreatedAt, c.ExpiresAt = c.CreatedAt.UTC(), c.ExpiresAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// MachineClients lists every machine client, newest first.
func (t *Tx) MachineClients() ([]MachineClient, error) {
	return t.machineClients(clientSelect + ` ORDER BY c.created_at DESC, c.id`)
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
