package store

import (
	"fmt"
	"strings"
	"time"

	"waymark/internal/audit"
)

// BreakGlassGrant is emergency, time-limited access to a case by someone
// outside it, with the reason they wrote (§6.5).
type BreakGlassGrant struct {
	ID        string
	CaseID    string
	UserID    string
	OrgID     string
	Reason    string
	GrantedAt time.Time
	ExpiresAt time.Time

	// For lists: who asked, and the case's reference.
	UserName, UserEmail, OrgName, CaseReference string

	sealKey, mac string // seal.go
	grantedText  string // the times as stored, to check their spelling (canonicalTime)
	expiresText  string
}

// InsertBreakGlassGrant records a grant, sealed so that a grant written
// behind Waymark's back opens nothing.
func (t *Tx) InsertBreakGlassGrant(g BreakGlassGrant) error {
	keyID, key, err := t.sealKey()
	if err != nil {
		return err
	}
	var mac string
	if key != nil {
		mac = audit.GrantMAC(key, keyID, g.ID, g.CaseID, g.UserID, g.OrgID, g.Reason, utc(g.GrantedAt), utc(g.ExpiresAt))
	}
	_, err = t.exec(`INSERT INTO break_glass_grants(id, case_id, user_id, org_id, reason, granted_at, expires_at, seal_key, mac) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		g.ID, g.CaseID, g.UserID, g.OrgID, g.Reason, utc(g.GrantedAt), utc(g.ExpiresAt), keyID, mac)
	if err != nil {
		return fmt.Errorf("store: recording break-glass grant: %w", err)
	}
	return nil
}

const grantSelect = `SELECT g.id, g.case_id, g.user_id, g.org_id, g.reason, g.granted_at, g.expires_at,
		COALESCE(u.name, ''), COALESCE(u.email, ''), COALESCE(o.name, ''), COALESCE(c.reference, ''), g.seal_key, g.mac,
		CAST(g.granted_at AS TEXT), CAST(g.expires_at AS TEXT)
	FROM break_glass_grants g LEFT JOIN users u ON u.id = g.user_id LEFT JOIN organisations o ON o.id = g.org_id
	LEFT JOIN cases c ON c.id = g.case_id`

func (t *Tx) grants(q string, args ...any) ([]BreakGlassGrant, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: listing break-glass grants: %w", err)
	}
	defer rows.Close()
	var out []BreakGlassGrant
	for rows.Next() {
		var g BreakGlassGrant
		if err := rows.Scan(&g.ID, &g.CaseID, &g.UserID, &g.OrgID, &g.Reason, &g.GrantedAt, &g.ExpiresAt, &g.UserName, &g.UserEmail, &g.OrgName, &g.CaseReference, &g.sealKey, &g.mac, &g.grantedText, &g.expiresText); err != nil {
			return nil, fmt.Errorf("store: scanning break-glass grant: %w", err)
		}
		g.GrantedAt, g.ExpiresAt = g.GrantedAt.UTC(), g.ExpiresAt.UTC()
		out = append(out, g)
	}
	return out, rows.Err()
}

// ActiveBreakGlass returns the user's unexpired grant on the case, the one
// lasting longest, if there is one.
func (t *Tx) ActiveBreakGlass(caseID, userID string, now time.Time) (BreakGlassGrant, bool, error) {
	gs, err := t.grants(grantSelect+` WHERE g.case_id = $1 AND g.user_id = $2 AND g.expires_at > $3 ORDER BY g.expires_at DESC LIMIT 1`, caseID, userID, utc(now))
	if err != nil || len(gs) == 0 {
		return BreakGlassGrant{}, false, err
	}
	if err := t.checkGrantSeal(gs[0]); err != nil {
		return BreakGlassGrant{}, false, err
	}
	return gs[0], true, nil
}

// ActiveBreakGlassFor lists the user's unexpired grants.
func (t *Tx) ActiveBreakGlassFor(userID string, now time.Time) ([]BreakGlassGrant, error) {
	return t.grants(grantSelect+` WHERE g.user_id = $1 AND g.expires_at > $2 ORDER BY g.expires_at`, userID, utc(now))
}

// BreakGlassGrants lists the grants made since a time, newest first.
func (t *Tx) BreakGlassGrants(since time.Time, limit int) ([]BreakGlassGrant, error) {
	return t.grants(grantSelect+` WHERE g.granted_at >= $1 ORDER BY g.granted_at DESC LIMIT $2`, utc(since), limit)
}

// CaseIDFor resolves what someone typed — a case's reference (CS-2026-000123)
// or its id — to the case id; "" when there is no such case.
func (t *Tx) CaseIDFor(refOrID string) (string, error) {
	s := strings.TrimSpace(refOrID)
	rows, err := t.query(`SELECT id FROM cases WHERE id = $1 OR reference = $2 LIMIT 1`, strings.ToLower(s), strings.ToUpper(s))
	if err != nil {
		return "", fmt.Errorf("store: finding case: %w", err)
	}
	defer rows.Close()
	var id string
	if rows.Next() {
		if err := rows.Scan(&id); err != nil {
			return "", err
		}
	}
	return id, rows.Err()
}

// checkGrantSeal refuses a grant whose seal is missing (in a database whose
// history is sealed) or does not match.
func (t *Tx) checkGrantSeal(g BreakGlassGrant) error {
	if !t.canonicalTime(g.grantedText, g.GrantedAt) || !t.canonicalTime(g.expiresText, g.ExpiresAt) {
		return t.tamper(g.CaseID, 0, 0, fmt.Sprintf("break-glass grant %s has a time stored as %q / %q, not as Waymark writes it: the same instant spelt another way sorts differently, so an expired grant could pass as unexpired", g.ID, g.grantedText, g.expiresText))
	}
	if g.mac == "" {
		sealed, err := t.historySealed()
		if err != nil {
			return err
		}
		if sealed {
			return t.tamper(g.CaseID, 0, 0, fmt.Sprintf("break-glass grant %s has no seal: it was written behind Waymark's back", g.ID))
		}
		return nil
	}
	ring := t.ring()
	if ring == nil {
		return errNoSealKey
	}
	key, err := ring.SealKey(g.sealKey)
	if err != nil {
		return t.tamper(g.CaseID, 0, 0, fmt.Sprintf("break-glass grant %s: %v", g.ID, err))
	}
	if !audit.EventMACEqual(audit.GrantMAC(key, g.sealKey, g.ID, g.CaseID, g.UserID, g.OrgID, g.Reason, utc(g.GrantedAt), utc(g.ExpiresAt)), g.mac) {
		return t.tamper(g.CaseID, 0, 0, fmt.Sprintf("break-glass grant %s does not match its seal: who it is for, the case, the reason or its times were changed", g.ID))
	}
	return nil
}

// verifyGrants checks every break-glass grant's seal.
func (t *Tx) verifyGrants() error {
	gs, err := t.grants(grantSelect + ` ORDER BY g.granted_at, g.id`)
	if err != nil {
		return err
	}
	for _, g := range gs {
		if err := t.checkGrantSeal(g); err != nil {
			return err
		}
	}
	return nil
}

// sealGrants seals grants written before sealing began.
func (t *Tx) sealGrants(keyID string, key []byte) error {
	gs, err := t.grants(grantSelect + ` WHERE g.mac = ''`)
	if err != nil {
		return err
	}
	for _, g := range gs {
		mac := audit.GrantMAC(key, keyID, g.ID, g.CaseID, g.UserID, g.OrgID, g.Reason, utc(g.GrantedAt), utc(g.ExpiresAt))
		if _, err := t.exec(`UPDATE break_glass_grants SET seal_key = $2, mac = $3 WHERE id = $1`, g.ID, keyID, mac); err != nil {
			return err
		}
	}
	return nil
}
