package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/pathway"
)

// Sealed identity and keyed token hashes (docs/architecture.md, "Access").
//
// Who someone is, which organisation they belong to, their role, whether
// they are disabled and their password decide what they may see; an
// organisation's flags decide which team receives a concern. Each row of
// organisations, users and user_identities carries an HMAC-SHA256 (mac)
// under a key derived from a master key (crypt.KeyRing.IdentityKey, named
// by seal_key), written by the store's own functions whenever they write
// the row. Every read that authenticates someone or decides access checks
// it: a row that does not match was written behind Waymark's back, and is
// treated as if it did not exist (logged as an error naming the row).
//
// Every stored hash of a bearer secret (sessions, API tokens, machine
// clients, half-finished sign-ins, SSO states) is keyed the same way:
// callers pass access.HashToken(token), and the store keeps and looks up
// HMAC-SHA256 of it under crypt.KeyRing.TokenKey, so a writer without the
// master key cannot insert a row that any token matches. Without a master
// key (--insecure-no-encryption) neither is done: hashes stay plain SHA-256
// and seals are neither written nor checked.

// AlteredName is shown in place of a name whose row's seal does not match.
const AlteredName = "unknown (record altered)"

// identitySeal is a row's seal as stored.
type identitySeal struct{ keyID, mac string }

func identityMAC(key []byte, keyID, table string, fields ...string) string {
	m := hmac.New(sha256.New, key)
	put := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		m.Write(n[:])
		m.Write([]byte(s))
	}
	put("waymark/identity/v1")
	put(table)
	put(keyID)
	for _, f := range fields {
		put(f)
	}
	return hex.EncodeToString(m.Sum(nil))
}

func sealTime(t time.Time) string { return utc(t).Format(time.RFC3339Nano) }

// orgFields is what an organisation's seal covers: every column that
// decides access, its partnership included (the partnership decides whose
// lead acts on its cases, §4.3).
func orgFields(o Organisation) []string {
	return append(orgFieldsBeforePartnerships(o), "partnership "+o.PartnershipID)
}

// orgFieldsBeforePartnerships is the row as sealed before its partnership
// was (before 6 December 2026): a seal of this form matches only until
// sealPartnershipsAsFound has sealed every row with its partnership.
func orgFieldsBeforePartnerships(o Organisation) []string {
	designation := "false" // as an organisation that was no First Responder was sealed before designations
	if o.FirstResponderDesignation != "" {
		designation = "designation " + o.FirstResponderDesignation
	}
	return []string{o.ID, o.Name, o.Kind, designation, strconv.FormatBool(o.ChildrensServices), sealTime(o.CreatedAt)}
}

// orgFieldsBeforeDesignations is the row as sealed before migration 0027,
// when it was a First Responder ("true") and still has the designation the
// migration gave it from its kind; nil for any other row.
func orgFieldsBeforeDesignations(o Organisation) []string {
	if o.FirstResponderDesignation == "" || o.FirstResponderDesignation != designationBeforeDesignations(o.Kind) {
		return nil
	}
	return []string{o.ID, o.Name, o.Kind, "true", strconv.FormatBool(o.ChildrensServices), sealTime(o.CreatedAt)}
}

// designationBeforeDesignations is the designation migration 0027 gave a
// First Responder organisation of this kind.
func designationBeforeDesignations(kind string) string {
	switch kind {
	case "police", "local-authority":
		return kind
	}
	return "first-responder-before-designations"
}

// orgMatches checks an organisation row's seal, as written now or, until
// every row is sealed with its partnership (sealPartnershipsAsFound), as
// written before that or before migration 0027.
func (t *Tx) orgMatches(o Organisation) bool {
	if t.identityMatches("organisations", o.seal, orgFields(o)) {
		return true
	}
	// The flag, not a query: this is asked in the middle of reading rows
	// (a PostgreSQL connection reads one result at a time). The pass sets
	// it, and every command that opens the database with a master key
	// runs the pass first (cmd/waymark open).
	if t.db.partnershipsMarked.Load() {
		return false
	}
	return t.orgMatchesBeforePartnerships(o)
}

// orgMatchesBeforePartnerships checks a seal written before organisations'
// seals covered their partnership.
func (t *Tx) orgMatchesBeforePartnerships(o Organisation) bool {
	if t.identityMatches("organisations", o.seal, orgFieldsBeforePartnerships(o)) {
		return true
	}
	legacy := orgFieldsBeforeDesignations(o)
	return legacy != nil && t.identityMatches("organisations", o.seal, legacy)
}

const actionPartnershipsSealed = "identity.partnerships_sealed"

// partnershipsMarked reports whether the audit log records that every
// organisation's seal covers its partnership: from then on a seal of the
// older form matches nothing (an old seal put back with the row moved to
// another partnership is refused).
func (t *Tx) partnershipsMarked() (bool, error) {
	if t.db.partnershipsMarked.Load() {
		return true, nil
	}
	return t.auditRecords(actionPartnershipsSealed, "sealed partnerships", &t.db.partnershipsMarked)
}

// sealPartnershipsAsFound seals every organisation whose seal is of the
// form written before seals covered partnerships, over its partnership as
// it is now, and records in the keyed audit log which partnership each
// organisation was sealed in (once: the first start with a master key
// after the upgrade; SealIdentityAsFound calls it). A row whose seal
// matches neither form stays altered, and is not sealed.
func (t *Tx) sealPartnershipsAsFound(at time.Time) (int, error) {
	if t.ring() == nil || t.db.partnershipsMarked.Load() {
		return 0, nil
	}
	orgs, err := t.allOrganisations()
	if err != nil {
		return 0, err
	}
	// A row already sealed with its partnership means the pass ran here
	// before (or the database is new): done, without reading the audit
	// log, which is long by now. An old seal put back since is not sealed
	// again as found.
	for _, o := range orgs {
		if t.identityMatches("organisations", o.seal, orgFields(o)) {
			t.db.partnershipsMarked.Store(true)
			return 0, nil
		}
	}
	// Otherwise (the first start after the upgrade, or every seal put back
	// to the old form) the keyed audit log says whether the pass ran: an
	// entry deleted to run it again breaks the chain.
	if marked, err := t.partnershipsMarked(); err != nil || marked {
		return 0, err
	}
	var sealed []string
	for _, o := range orgs {
		if t.identityMatches("organisations", o.seal, orgFields(o)) || !t.orgMatchesBeforePartnerships(o) {
			continue
		}
		if err := t.sealOrg(o.ID); err != nil {
			return 0, err
		}
		sealed = append(sealed, o.ID+" in "+o.PartnershipID)
	}
	detail := "organisations' seals cover their partnerships"
	if len(sealed) > 0 {
		detail += fmt.Sprintf("; %d sealed as found: %s", len(sealed), strings.Join(sealed, ", "))
	}
	if err := t.AppendAudit(audit.Entry{At: utc(at), ActorID: "system", Action: actionPartnershipsSealed, Detail: detail}); err != nil {
		return 0, err
	}
	t.db.partnershipsMarked.Store(true)
	return len(sealed), nil
}

func userFields(u User) []string {
	return []string{u.ID, u.OrgID, u.Email, u.Name, u.Role, strconv.FormatBool(u.Disabled), u.PasswordHash, sealTime(u.CreatedAt)}
}

func linkFields(issuer, subject, userID string) []string {
	return []string{issuer, subject, userID}
}

// identityKey returns the key that seals identity rows now, or "" and nil
// without a master key.
func (t *Tx) identityKey() (string, []byte, error) {
	ring := t.ring()
	if ring == nil {
		return "", nil, nil
	}
	id := ring.Primary()
	k, err := ring.IdentityKey(id)
	return id, k, err
}

// identityKeyToWrite is identityKey, refusing to write an unsealed row
// without a master key into a database whose identity is sealed.
func (t *Tx) identityKeyToWrite() (string, []byte, error) {
	keyID, key, err := t.identityKey()
	if err != nil || key != nil {
		return keyID, key, err
	}
	if sealed, err := t.identitySealedAlready(); err != nil || sealed {
		return "", nil, errors.Join(err, errNoIdentityKey)
	}
	return "", nil, nil
}

// identityMatches checks a row's seal. Without a master key nothing is
// checked; with one, an unsealed row does not match.
func (t *Tx) identityMatches(table string, s identitySeal, fields []string) bool {
	ring := t.ring()
	if ring == nil {
		return true
	}
	if s.mac == "" || !ring.Has(s.keyID) {
		return false
	}
	key, err := ring.IdentityKey(s.keyID)
	if err != nil {
		return false
	}
	return hmac.Equal([]byte(identityMAC(key, s.keyID, table, fields...)), []byte(s.mac))
}

// altered logs a row whose seal does not match, once per process and row.
func altered(table, id string) {
	if _, seen := alteredLogged.LoadOrStore(table+"\x00"+id, true); seen {
		return
	}
	slog.Error("an identity row does not match its seal: it was written or changed behind Waymark's back, and is treated as if it did not exist; run `waymark verify`",
		"table", table, "id", id)
}

var alteredLogged sync.Map

// sealedOrgs reports, for each of the organisations found, whether its
// row is as Waymark wrote it (its seal covers its partnership): a list
// filtered in SQL by an organisation's partnership keeps only rows whose
// organisation is true here. One not found is not in the map.
func (t *Tx) sealedOrgs(ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	seen := map[string]bool{}
	var want []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			want = append(want, id)
		}
	}
	if len(want) == 0 {
		return out, nil
	}
	args, in := t.idList(nil, want)
	rows, err := t.query(`SELECT `+orgColumns+` FROM organisations o WHERE o.id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: checking organisations' seals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, err
		}
		out[o.ID] = t.orgSealed(o)
	}
	return out, rows.Err()
}

// orgSealed reports whether an organisation row is as Waymark wrote it.
func (t *Tx) orgSealed(o Organisation) bool {
	if t.orgMatches(o) {
		return true
	}
	altered("organisations", o.ID)
	return false
}

// userSealed reports whether a user row, and their organisation's, are as
// Waymark wrote them.
func (t *Tx) userSealed(u User) bool {
	if !t.identityMatches("users", u.seal, userFields(u)) {
		altered("users", u.ID)
		return false
	}
	return t.orgSealed(u.Org)
}

// checkedUser turns a user whose row (or organisation's) was altered into
// "not found" with msg.
func (t *Tx) checkedUser(u User, err error, msg string) (User, error) {
	if err != nil {
		return u, notFound(err, msg)
	}
	if !t.userSealed(u) {
		return User{}, waymark.Errorf(waymark.ENOTFOUND, "%s", msg)
	}
	return u, nil
}

// sealOrg (re)writes an organisation's seal from the row as stored.
func (t *Tx) sealOrg(id string) error {
	keyID, key, err := t.identityKeyToWrite()
	if err != nil {
		return err
	}
	mac := ""
	if key != nil {
		o, err := scanOrg(t.queryRow(`SELECT `+orgColumns+` FROM organisations o WHERE o.id = $1`, id))
		if err != nil {
			return fmt.Errorf("store: sealing organisation: %w", err)
		}
		mac = identityMAC(key, keyID, "organisations", orgFields(o)...)
		if err := t.markIdentitySealed(o.CreatedAt, sealedAsWritten); err != nil {
			return err
		}
	}
	if _, err := t.exec(`UPDATE organisations SET seal_key = $2, mac = $3 WHERE id = $1`, id, keyID, mac); err != nil {
		return fmt.Errorf("store: sealing organisation: %w", err)
	}
	return nil
}

// sealUser (re)writes a user's seal from the row as stored.
func (t *Tx) sealUser(id string) error {
	keyID, key, err := t.identityKeyToWrite()
	if err != nil {
		return err
	}
	mac := ""
	if key != nil {
		u, err := scanUser(t.queryRow(`SELECT `+userColumns+` FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.id = $1`, id))
		if err != nil {
			return fmt.Errorf("store: sealing user: %w", err)
		}
		mac = identityMAC(key, keyID, "users", userFields(u)...)
		if err := t.markIdentitySealed(u.CreatedAt, sealedAsWritten); err != nil {
			return err
		}
	}
	if _, err := t.exec(`UPDATE users SET seal_key = $2, mac = $3 WHERE id = $1`, id, keyID, mac); err != nil {
		return fmt.Errorf("store: sealing user: %w", err)
	}
	return nil
}

func (t *Tx) sealLink(issuer, subject, userID string) error {
	keyID, key, err := t.identityKeyToWrite()
	if err != nil {
		return err
	}
	mac := ""
	if key != nil {
		mac = identityMAC(key, keyID, "user_identities", linkFields(issuer, subject, userID)...)
	}
	if _, err := t.exec(`UPDATE user_identities SET seal_key = $3, mac = $4 WHERE issuer = $1 AND subject = $2`, issuer, subject, keyID, mac); err != nil {
		return fmt.Errorf("store: sealing identity link: %w", err)
	}
	return nil
}

// identitySealedAlready reports whether any identity row was ever sealed,
// or the keyed audit log records that sealing began, so that sealing as
// found is done once only.
func (t *Tx) identitySealedAlready() (bool, error) {
	marked, err := t.identityMarked()
	if err != nil || marked {
		return marked, err
	}
	var n int
	err = t.queryRow(`SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM users WHERE mac <> '' LIMIT 1) u)
		+ (SELECT COUNT(*) FROM (SELECT 1 FROM organisations WHERE mac <> '' LIMIT 1) o)`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: checking for sealed identity: %w", err)
	}
	return n > 0, nil
}

// identityMarked reports whether the audit log records that identity
// sealing began (deleting that entry breaks the keyed audit chain).
func (t *Tx) identityMarked() (bool, error) {
	if t.db.identityMarked.Load() {
		return true, nil
	}
	return t.auditRecords(actionIdentitySealed, "sealed identity", &t.db.identityMarked)
}

// auditRecords reports whether the audit log holds an entry of action (a
// one-time pass it records, such as sealing rows as found), and remembers
// a yes in mark, since such an entry is never removed without breaking the
// keyed chain. what names the pass in an error.
func (t *Tx) auditRecords(action, what string, mark *atomic.Bool) (bool, error) {
	var n int
	if err := t.queryRow(`SELECT COUNT(*) FROM (SELECT 1 FROM audit_log WHERE action = $1 LIMIT 1) a`, action).Scan(&n); err != nil {
		return false, fmt.Errorf("store: checking for %s: %w", what, err)
	}
	if n > 0 {
		mark.Store(true)
	}
	return n > 0, nil
}

// markIdentitySealed records in the audit log, with the first sealed
// identity row this database holds, that identity sealing began: from then
// on rows are never sealed as found (SealIdentityAsFound).
func (t *Tx) markIdentitySealed(at time.Time, detail string) error {
	if marked, err := t.identityMarked(); err != nil || marked {
		return err
	}
	return t.AppendAudit(audit.Entry{At: utc(at), ActorID: "system", Action: actionIdentitySealed, Detail: detail})
}

const sealedAsWritten = "identity sealing began: organisations, users and sign-in links are sealed as they are written"

var errNoIdentityKey = errors.New("store: this database's organisations and users are sealed but no master key is configured to seal changes: set WAYMARK_MASTER_KEY_FILE (docs/operations.md)")

const actionIdentitySealed = "identity.sealed"

// SealIdentityAsFound seals every organisation, user and identity link as
// it is now: once, on the first start with a master key after the upgrade
// that introduced sealed identity (or of a database written with
// --insecure-no-encryption). Every start calls it. Sealing as found, like
// sealing the first row as it is written, records in the keyed audit log
// that identity sealing began, so seals stripped later are never put back
// as found: such rows stay absent and reported. It returns how many rows it
// sealed.
func (t *Tx) SealIdentityAsFound(at time.Time) (int, error) {
	n, err := t.sealIdentityAsFound(at)
	if err != nil {
		return 0, err
	}
	m, err := t.sealPartnershipsAsFound(at)
	if err != nil {
		return 0, err
	}
	d, err := t.sealDraftsAsFound(at) // draftseal.go
	return n + m + d, err
}

func (t *Tx) sealIdentityAsFound(at time.Time) (int, error) {
	if t.ring() == nil {
		return 0, nil
	}
	if marked, err := t.identityMarked(); err != nil || marked {
		return 0, err
	}
	already, err := t.identitySealedAlready()
	if err != nil {
		return 0, err
	}
	orgs, err := t.stringColumn(`SELECT id FROM organisations ORDER BY id`)
	if err != nil {
		return 0, err
	}
	users, err := t.stringColumn(`SELECT id FROM users ORDER BY id`)
	if err != nil {
		return 0, err
	}
	if already || len(orgs) == 0 && len(users) == 0 {
		// A new database, or rows sealed as written by a release that did
		// not yet record it: nothing is sealed as found.
		return 0, nil
	}
	rows, err := t.query(`SELECT issuer, subject, user_id FROM user_identities`)
	if err != nil {
		return 0, err
	}
	var links [][3]string
	for rows.Next() {
		var l [3]string
		if err := rows.Scan(&l[0], &l[1], &l[2]); err != nil {
			rows.Close()
			return 0, err
		}
		links = append(links, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	// Recorded first, so that sealing the rows below does not record it again.
	if err := t.AppendAudit(audit.Entry{At: utc(at), ActorID: "system", Action: actionIdentitySealed,
		Detail: fmt.Sprintf("organisations, users and sign-in links written before sealing began, sealed as found: %d organisations, %d users, %d links", len(orgs), len(users), len(links))}); err != nil {
		return 0, err
	}
	for _, id := range orgs {
		if err := t.sealOrg(id); err != nil {
			return 0, err
		}
	}
	for _, id := range users {
		if err := t.sealUser(id); err != nil {
			return 0, err
		}
	}
	for _, l := range links {
		if err := t.sealLink(l[0], l[1], l[2]); err != nil {
			return 0, err
		}
	}
	// Statistics saved before the organisations were sealed were filed
	// under no partnership: now it can be trusted (statistics.go).
	if err := t.refileUnsealedStatistics(); err != nil {
		return 0, err
	}
	return len(orgs) + len(users) + len(links), nil
}

// SealIdentityAsFound is Tx.SealIdentityAsFound in a transaction of its own.
func (db *DB) SealIdentityAsFound(ctx context.Context, at time.Time) (int, error) {
	var n int
	err := db.Update(ctx, func(t *Tx) error {
		var err error
		n, err = t.SealIdentityAsFound(at)
		return err
	})
	return n, err
}

// IdentityTamperError names every organisation, user and identity link whose
// seal does not match.
type IdentityTamperError struct {
	Rows []string // "users row user-gp", …
}

func (e *IdentityTamperError) Error() string {
	return "identity tampered with: " + strings.Join(e.Rows, "; ") +
		": each was written or changed behind Waymark's back (its seal does not match), and Waymark treats it as if it did not exist"
}

// VerifyIdentity checks the seal of every organisation, user and identity
// link, and names each that does not match. Without a master key it checks
// nothing.
func (t *Tx) VerifyIdentity() error {
	if t.ring() == nil {
		return nil
	}
	if done, err := t.identitySealedAlready(); err != nil || !done {
		return err // nothing sealed yet: the first start with a key seals as found
	}
	var bad []string
	orgs, err := t.allOrganisations()
	if err != nil {
		return err
	}
	for _, o := range orgs {
		if !t.orgMatches(o) {
			bad = append(bad, fmt.Sprintf("organisations row %s (%q)", o.ID, o.Name))
		}
	}
	rows, err := t.query(`SELECT u.id, u.org_id, u.email, u.name, u.role, u.password_hash, u.disabled, u.created_at, u.seal_key, u.mac FROM users u ORDER BY u.id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var u User
		if err := rows.Scan(&u.ID, &u.OrgID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.Disabled, &u.CreatedAt, &u.seal.keyID, &u.seal.mac); err != nil {
			rows.Close()
			return err
		}
		if !t.identityMatches("users", u.seal, userFields(u)) {
			bad = append(bad, fmt.Sprintf("users row %s (%s)", u.ID, u.Email))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = t.query(`SELECT issuer, subject, user_id, seal_key, mac FROM user_identities ORDER BY issuer, subject`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var iss, sub, uid string
		var s identitySeal
		if err := rows.Scan(&iss, &sub, &uid, &s.keyID, &s.mac); err != nil {
			rows.Close()
			return err
		}
		if !t.identityMatches("user_identities", s, linkFields(iss, sub, uid)) {
			bad = append(bad, fmt.Sprintf("user_identities row %s %s (linked to %s)", iss, sub, uid))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(bad) > 0 {
		return &IdentityTamperError{Rows: bad}
	}
	return nil
}

// Keyed token hashes.

func tokenMAC(key []byte, hash string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("waymark/token/v1\x00"))
	m.Write([]byte(hash))
	return hex.EncodeToString(m.Sum(nil))
}

// tokenHash is what is stored for a new token whose SHA-256 is hash.
func (t *Tx) tokenHash(hash string) (string, error) {
	ring := t.ring()
	if ring == nil {
		return hash, nil
	}
	k, err := ring.TokenKey(ring.Primary())
	if err != nil {
		return "", err
	}
	return tokenMAC(k, hash), nil
}

// storedToken is the value of table.col stored for the token whose SHA-256
// is hash: keyed under the newest master key, or under an older one still in
// the key file (a token made before a rotation). When none is stored it
// returns the newest form, which matches nothing.
func (t *Tx) storedToken(table, col, hash string) string {
	ring := t.ring()
	if ring == nil {
		return hash
	}
	ids := ring.IDs()
	var cands []any
	for i := len(ids) - 1; i >= 0; i-- {
		k, err := ring.TokenKey(ids[i])
		if err != nil {
			continue
		}
		cands = append(cands, tokenMAC(k, hash))
	}
	if len(cands) == 1 {
		return cands[0].(string)
	}
	ph := make([]string, len(cands))
	for i := range cands {
		ph[i] = "$" + strconv.Itoa(i+1)
	}
	var found string
	if err := t.queryRow(`SELECT `+col+` FROM `+table+` WHERE `+col+` IN (`+strings.Join(ph, ", ")+`) LIMIT 1`, cands...).Scan(&found); err == nil {
		return found
	}
	return cands[0].(string)
}

// sealedNames shows, on events read with the names their authors' rows
// hold now, "unknown (record altered)" in place of a person's or an
// organisation's name whose row was altered behind Waymark's back, so a
// renamed row cannot put words in someone else's mouth. people are the
// actor ids that are users (machine clients are named by their own rows).
func (t *Tx) sealedNames(events []pathway.Event, people map[string]bool) error {
	if t.ring() == nil || len(events) == 0 {
		return nil
	}
	// The people in one query and the organisations in another, however
	// many events the case has.
	badUser := map[string]bool{}
	var ids []string
	for id := range people {
		badUser[id] = true // until its row is read: one whose organisation is gone was changed
		ids = append(ids, id)
	}
	if len(ids) > 0 {
		args, in := t.idList(nil, ids)
		rows, err := t.query(`SELECT `+userColumns+` FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.id IN (`+in+`)`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				rows.Close()
				return err
			}
			if t.identityMatches("users", u.seal, userFields(u)) {
				delete(badUser, u.ID)
			} else {
				altered("users", u.ID)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	var orgs []string
	for _, e := range events {
		if e.Actor.OrgID != "" {
			orgs = append(orgs, e.Actor.OrgID)
		}
	}
	sealedOrg, err := t.sealedOrgs(orgs)
	if err != nil {
		return err
	}
	badOrg := map[string]bool{}
	for id, ok := range sealedOrg {
		badOrg[id] = !ok // an organisation not found keeps its name, as before
	}
	for i := range events {
		if badUser[events[i].Actor.UserID] {
			events[i].Actor.Name = AlteredName
		}
		if badOrg[events[i].Actor.OrgID] {
			events[i].Actor.OrgName = AlteredName
		}
	}
	return nil
}
