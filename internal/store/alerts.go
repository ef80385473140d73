package store

import (
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Alert kinds.
const (
	AlertBreakGlass           = "break_glass"
	AlertMachineClientCreated = "machine_client_created" // an administrator made a machine client
	AlertMachineClientRevoked = "machine_client_revoked"
	// AlertMachineClientTokenIssued: the custodian collected or re-issued the token.
	AlertMachineClientTokenIssued = "machine_client_token_issued"
)

// Alert is something a person must know about, shown on their alerts page
// and nudged by an email that says nothing about it.
type Alert struct {
	ID              string
	Kind            string
	RecipientUserID string
	GrantID         string
	MachineClientID string
	CreatedAt       time.Time
	EmailedAt       *time.Time
	Grant           BreakGlassGrant // for break-glass alerts
	Client          MachineClient   // for machine-client alerts
	RevokedByName   string          // for a revoked machine client: who revoked it
}

// InsertAlert stores an alert; its email is sent later (ClaimAlertEmails).
func (t *Tx) InsertAlert(a Alert) error {
	var grant, client any
	if a.GrantID != "" {
		grant = a.GrantID
	}
	if a.MachineClientID != "" {
		client = a.MachineClientID
	}
	_, err := t.exec(`INSERT INTO alerts(id, kind, recipient_user_id, grant_id, machine_client_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		a.ID, a.Kind, a.RecipientUserID, grant, client, utc(a.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: saving alert: %w", err)
	}
	return nil
}

// AlertsFor lists a person's alerts, newest first, with the break-glass
// grants or machine clients they are about.
func (t *Tx) AlertsFor(userID string, limit int) ([]Alert, error) {
	out, _, err := t.AlertsPage(userID, nil, limit)
	return out, err
}

// AlertsPage lists one page of a person's alerts, newest first, walking
// their alerts by the index on (recipient, created_at, id) from the cursor
// (migration 0018), with the cursors of the pages either side.
func (t *Tx) AlertsPage(userID string, at *Cursor, limit int) ([]Alert, Page, error) {
	if limit <= 0 {
		limit = PageSize
	}
	dir, cmp, edge := keyset(true, at)
	out, err := t.alerts(`WHERE a.recipient_user_id = $1 AND (a.created_at, a.id) `+cmp+` ($3, $4) ORDER BY a.created_at`+dir+`, a.id`+dir+` LIMIT $2`,
		append([]any{userID, limit + 1}, edge...)...)
	if err != nil {
		return nil, Page{}, err
	}
	return pageOf(out, at, limit, func(a Alert) (Cursor, error) { return Cursor{At: utc(a.CreatedAt), ID: a.ID}, nil })
}

func (t *Tx) alerts(where string, args ...any) ([]Alert, error) {
	rows, err := t.query(`SELECT a.id, a.kind, a.recipient_user_id, COALESCE(a.grant_id, ''), COALESCE(a.machine_client_id, ''), a.created_at, a.emailed_at,
			COALESCE(g.id, ''), COALESCE(g.case_id, ''), COALESCE(g.user_id, ''), COALESCE(g.org_id, ''), COALESCE(g.reason, ''), g.granted_at, g.expires_at,
			COALESCE(u.name, ''), COALESCE(u.email, ''), COALESCE(o.name, ''), COALESCE(c.reference, ''),
			COALESCE(mc.id, ''), COALESCE(mc.org_id, ''), COALESCE(mc.name, ''), COALESCE(mc.scopes, ''), COALESCE(mc.created_by, ''), mc.created_at, mc.expires_at, mc.revoked_at,
			COALESCE(mo.name, ''), COALESCE(mu.name, ''), COALESCE(mr.name, ''), COALESCE(mk.name, '')
		FROM alerts a LEFT JOIN break_glass_grants g ON g.id = a.grant_id
		LEFT JOIN users u ON u.id = g.user_id LEFT JOIN organisations o ON o.id = g.org_id LEFT JOIN cases c ON c.id = g.case_id
		LEFT JOIN machine_clients mc ON mc.id = a.machine_client_id LEFT JOIN organisations mo ON mo.id = mc.org_id
		LEFT JOIN users mu ON mu.id = mc.created_by LEFT JOIN users mr ON mr.id = mc.revoked_by LEFT JOIN users mk ON mk.id = mc.custodian_id
		`+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: listing alerts: %w", err)
	}
	defer rows.Close()
	var out []Alert
	for rows.Next() {
		var a Alert
		var emailed, granted, expires, mcCreated, mcExpires, mcRevoked sql.NullTime
		var scopes string
		g, mc := &a.Grant, &a.Client
		if err := rows.Scan(&a.ID, &a.Kind, &a.RecipientUserID, &a.GrantID, &a.MachineClientID, &a.CreatedAt, &emailed,
			&g.ID, &g.CaseID, &g.UserID, &g.OrgID, &g.Reason, &granted, &expires, &g.UserName, &g.UserEmail, &g.OrgName, &g.CaseReference,
			&mc.ID, &mc.OrgID, &mc.Name, &scopes, &mc.CreatedBy, &mcCreated, &mcExpires, &mcRevoked,
			&mc.OrgName, &mc.CreatedByName, &a.RevokedByName, &mc.CustodianName); err != nil {
			return nil, fmt.Errorf("store: scanning alert: %w", err)
		}
		a.EmailedAt = timePtr(emailed)
		a.CreatedAt = a.CreatedAt.UTC()
		g.GrantedAt, g.ExpiresAt = granted.Time.UTC(), expires.Time.UTC()
		mc.Scopes = strings.Fields(scopes)
		mc.CreatedAt, mc.ExpiresAt, mc.RevokedAt = mcCreated.Time.UTC(), mcExpires.Time.UTC(), timePtr(mcRevoked)
		out = append(out, a)
	}
	return out, rows.Err()
}

// AlertEmail is one email to send: the alert and its recipient's address.
type AlertEmail struct {
	AlertID  string
	To       string // empty when the recipient is disabled: claimed, not to be sent
	Attempts int    // this one included
}

// ClaimAlertEmails takes up to limit alerts whose email is unsent and not
// being sent by another replica (a claim older than lease is taken over),
// marking them claimed. Each is tried at most maxAttempts times. An alert
// for a recipient who has been disabled is claimed too (so it stops being
// tried), and returned with no address.
func (t *Tx) ClaimAlertEmails(now time.Time, lease time.Duration, limit, maxAttempts int) ([]AlertEmail, error) {
	skip := ""
	if t.dialect == Postgres {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := t.query(`UPDATE alerts SET email_claimed_at = $1, email_attempts = email_attempts + 1
		WHERE id IN (SELECT id FROM alerts WHERE emailed_at IS NULL AND email_attempts < $4
			AND (email_claimed_at IS NULL OR email_claimed_at < $2) ORDER BY created_at LIMIT $3`+skip+`)
		RETURNING id, recipient_user_id, email_attempts`, utc(now), utc(now.Add(-lease)), limit, maxAttempts)
	if err != nil {
		return nil, fmt.Errorf("store: claiming alert emails: %w", err)
	}
	type claim struct {
		id, user string
		attempts int
	}
	var claimed []claim
	for rows.Next() {
		var c claim
		if err := rows.Scan(&c.id, &c.user, &c.attempts); err != nil {
			rows.Close()
			return nil, err
		}
		claimed = append(claimed, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]AlertEmail, 0, len(claimed))
	for _, c := range claimed {
		u, err := t.UserByID(c.user)
		if err != nil {
			return nil, err
		}
		a := AlertEmail{AlertID: c.id, Attempts: c.attempts}
		if !u.Disabled {
			a.To = u.Email
		}
		out = append(out, a)
	}
	return out, nil
}

// MarkAlertEmailed records that the alert's email was sent.
func (t *Tx) MarkAlertEmailed(id string, at time.Time) error {
	_, err := t.exec(`UPDATE alerts SET emailed_at = $2 WHERE id = $1`, id, utc(at))
	return err
}

// ReleaseAlertEmail lets the alert's email be tried again at once.
func (t *Tx) ReleaseAlertEmail(id string) error {
	_, err := t.exec(`UPDATE alerts SET email_claimed_at = NULL WHERE id = $1`, id)
	return err
}
