package store

// WatchAuditWriter calls handedOver when an entry is queued for the audit
// writer and batchTaken when the writer takes a batch, so that tests can
// wait for those moments instead of sleeping. Set it before any read.
func WatchAuditWriter(db *DB, handedOver func(), batchTaken func(n int)) {
	db.audits.handedOver, db.audits.batchTaken = handedOver, batchTaken
}
