package store

import (
	"database/sql"
	"strconv"
	"time"
)

// WatchAuditWriter calls handedOver when an entry is queued for the audit
// writer and batchTaken when the writer takes a batch, so that tests can
// wait for those moments instead of sleeping. Set it before any read.
func WatchAuditWriter(db *DB, handedOver func(), batchTaken func(n int)) {
	db.audits.handedOver, db.audits.batchTaken = handedOver, batchTaken
}

// QueuedWriters is how many of this process's write transactions are
// waiting for the SQLite write lock.
func QueuedWriters(db *DB) int64 { return int64(db.writer.queued()) }

// SQLForTest runs a statement in the transaction.
func (t *Tx) SQLForTest(q string, args ...any) (any, error) { return t.exec(q, args...) }

// PlaintextProbes are the queries a start asks whether anything is in plain text.
var PlaintextProbes = plaintextProbes

// ForgetIndexKey drops the search index key the process keeps, as a new
// process would start.
func ForgetIndexKey(db *DB) { db.keys.index.Store(nil) }

// InsertOrganisationBeforeDesignations writes an organisation as a release
// before migration 0027 wrote it: a first_responder flag, sealed over it.
func (t *Tx) InsertOrganisationBeforeDesignations(id, name, kind string, firstResponder bool, createdAt time.Time) error {
	if _, err := t.exec(`INSERT INTO organisations(id, name, kind, first_responder, childrens_services, created_at) VALUES ($1, $2, $3, $4, FALSE, $5)`,
		id, name, kind, firstResponder, utc(createdAt)); err != nil {
		return err
	}
	keyID, key, err := t.identityKey()
	if err != nil {
		return err
	}
	mac := identityMAC(key, keyID, "organisations", id, name, kind, strconv.FormatBool(firstResponder), "false", sealTime(createdAt))
	if err := t.markIdentitySealed(createdAt, sealedAsWritten); err != nil {
		return err
	}
	_, err = t.exec(`UPDATE organisations SET seal_key = $2, mac = $3 WHERE id = $1`, id, keyID, mac)
	return err
}

// SealOrgAsBeforePartnerships writes an organisation's seal in the form a
// release wrote before seals covered partnerships (a seal such a release
// left, or one put back from a backup of then).
func (t *Tx) SealOrgAsBeforePartnerships(id string) error {
	keyID, key, err := t.identityKeyToWrite()
	if err != nil {
		return err
	}
	o, err := scanOrg(t.queryRow(`SELECT `+orgColumns+` FROM organisations o WHERE o.id = $1`, id))
	if err != nil {
		return err
	}
	_, err = t.exec(`UPDATE organisations SET seal_key = $2, mac = $3 WHERE id = $1`, id, keyID, identityMAC(key, keyID, "organisations", orgFieldsBeforePartnerships(o)...))
	return err
}

// SealOrgForTest seals an organisation row written by a test's own SQL, as
// Waymark seals the rows it writes.
func (t *Tx) SealOrgForTest(id string) error { return t.sealOrg(id) }

// SealUserForTest seals a user row written by a test's own SQL.
func (t *Tx) SealUserForTest(id string) error { return t.sealUser(id) }

// SealMembersForTest seals the member rows a test's own SQL wrote, at
// their cases' versions, as `waymark seal-history` seals rows it finds.
func (t *Tx) SealMembersForTest() error {
	keyID, key, err := t.sealKey()
	if err != nil || key == nil {
		return err
	}
	return t.sealMembersAsFound(keyID, key)
}

// WriteSQL is the handle writes run on (writeConns). Only for tests: a
// connection held from it blocks every write and every read's audit entry.
func (db *DB) WriteSQL() *sql.DB { return db.writeConns() }
