package store

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
