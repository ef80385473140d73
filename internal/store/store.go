// Package store keeps Waymark's data in SQLite (the embedded default) or
// PostgreSQL (at scale) through database/sql, with one SQL text for both
// wherever the dialects agree and embedded per-dialect migrations.
package store

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite", pure Go

	"waymark"
	"waymark/internal/audit"
)

// Dialect is the SQL flavour of the database.
type Dialect string

// Supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

//go:embed migrations
var migrations embed.FS

// DB is an open Waymark database.
type DB struct {
	sql *sql.DB
	// wsql is a SQLite file's write connection (Update), one of its own,
	// so that a write, and with it every read's audit entry
	// (auditbatch.go), never waits for a connection the reads hold; nil
	// on PostgreSQL and wherever Update uses sql (writeConns).
	wsql    *sql.DB
	Dialect Dialect
	keys    keyState // master keys for encryption at rest (crypt.go)

	frontDoor          atomic.Pointer[string] // the Children's Services organisation named by configuration (people.go)
	identityMarked     atomic.Bool            // the audit log records that identity sealing began (identity.go)
	partnershipsMarked atomic.Bool            // the audit log records that organisations' seals cover their partnerships (identity.go)
	draftsMarked       atomic.Bool            // the audit log records that drafts' writers are sealed (draftseal.go)

	timings atomic.Pointer[timingsBox] // where transaction and statement durations go (metrics.go)
	waiting atomic.Int64               // transactions waiting for a connection (metrics.go)
	begun   atomic.Int64               // transactions begun (Activity)

	audits        auditWriter                                    // the group-commit writer of reads' audit entries (auditbatch.go)
	writer        *writerQueue                                   // SQLite: this process's write transactions, one at a time (Update)
	gate          *readGate                                      // SQLite file with a write connection: reads make way for a write (readgate.go)
	updating      sync.Map                                       // goroutines running an Update's fn: their id → true (ErrAuditedReadInsideWrite)
	checkpointer  *walCheckpointer                               // SQLite file: the WAL checkpoint run beside the writers (checkpoint.go)
	scrubPause    func(context.Context) error                    // Scrub: the wait before its checkpoint tries again (nil: scrubRetryPause; tests)
	scrubPatience time.Duration                                  // Scrub: how long it tries (0: scrubPatience; tests)
	observer      atomic.Pointer[func(query string, rows int64)] // told of every statement a transaction runs (stmtcache.go)
	closing       sync.Once                                      // Close
	closeErr      error                                          // what Close returned
	busyWait      time.Duration                                  // SQLite: how long a write waits for the write lock (OpenOptions.BusyWait)
}

// OpenOptions tunes an opened database.
type OpenOptions struct {
	// MaxConns is the most connections the pool opens: 0 means 20 for
	// PostgreSQL, 3 for SQLite, and 4 for a SQLite file opened ReadOnly
	// (the checking commands, which only read). A writable SQLite file of
	// two or more gives one of them to writes alone (writeConns). Across replicas, replicas × MaxConns plus
	// headroom for maintenance must stay under PostgreSQL's max_connections
	// (docs/operations.md "Connection pool").
	MaxConns int
	// ReadOnly opens the database so that nothing can write to it: for
	// the checking commands, whose every byte on disk an investigator or a
	// backup may compare (docs/security.md). SQLite is opened with mode=ro
	// and query_only, so no connection writes, switches the journal mode
	// or checkpoints the WAL into the main file (readonly.go); PostgreSQL
	// sessions start with default_transaction_read_only=on. A missing
	// SQLite file is refused, never created.
	ReadOnly bool
	// BusyWait is how long a SQLite write waits for the write lock while
	// another write, of this process or another, holds it, before it is
	// refused as busy (ErrBusy) with nothing saved: 0 means 10 s, SQLite's
	// busy timeout here. Tests shorten it; it must be under 10 minutes.
	BusyWait time.Duration
}

// Open connects to url: "postgres://…" (or "postgresql://…") for PostgreSQL,
// anything else is a SQLite file path (an optional "sqlite:" prefix is dropped).
// At most one OpenOptions is used. A SQLite file that does not exist is
// created (owner-only); OpenExisting (migrate.go) refuses instead.
func Open(ctx context.Context, url string, options ...OpenOptions) (*DB, error) {
	return openDB(ctx, url, true, options...)
}

// sqliteBusyTimeoutMS is how long, in milliseconds, a SQLite connection
// waits for a lock another holds before it answers busy.
const sqliteBusyTimeoutMS = 10000

// sqliteIdleClose is how long a connection to a SQLite file may stand
// unused before it is closed.
var sqliteIdleClose = time.Minute

func openDB(ctx context.Context, url string, create bool, options ...OpenOptions) (*DB, error) {
	var opts OpenOptions
	if len(options) > 0 {
		opts = options[0]
	}
	if opts.MaxConns < 0 || opts.MaxConns > 1000 {
		return nil, fmt.Errorf("store: a pool of %d connections: it must be between 1 and 1000", opts.MaxConns)
	}
	busyWait := opts.BusyWait
	if busyWait == 0 {
		busyWait = sqliteBusyTimeoutMS * time.Millisecond
	}
	if busyWait < time.Millisecond || busyWait >= 10*time.Minute {
		return nil, fmt.Errorf("store: a busy wait of %s: it must be between 1 ms and 10 minutes", opts.BusyWait)
	}
	conns := func(def int) int {
		if opts.MaxConns > 0 {
			return opts.MaxConns
		}
		return def
	}
	var db *DB
	sqliteFile, sqliteDSN := "", ""
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		s, err := openPostgres(url, opts.ReadOnly)
		if err != nil {
			return nil, fmt.Errorf("store: opening postgres: %w", err)
		}
		// Every connection of the pool is kept while it is used: a
		// connection closed when the load dips is opened again when it
		// rises, and each new PostgreSQL backend plans every statement
		// afresh until its caches are warm (at 200 people, a pool that
		// kept 10 of its 20 opened 104 backends in 30 s). An idle one is
		// closed after five minutes.
		n := conns(20)
		s.SetMaxOpenConns(n)
		s.SetMaxIdleConns(n)
		s.SetConnMaxIdleTime(5 * time.Minute)
		db = &DB{sql: s, Dialect: Postgres}
	default:
		file := strings.TrimPrefix(url, "sqlite:")
		if opts.ReadOnly {
			s, err := openSQLiteChecking(file)
			if err != nil {
				return nil, err
			}
			n := conns(sqliteReadOnlyConns)
			s.SetMaxOpenConns(n)
			// Kept when idle: with no process using the -shm, each new
			// connection reads the WAL into memory of its own again.
			s.SetMaxIdleConns(n)
			db = &DB{sql: s, Dialect: SQLite, writer: &writerQueue{}, busyWait: busyWait}
			break
		}
		mode, name := "", file
		if !strings.HasPrefix(file, ":memory:") && !strings.HasPrefix(file, "file:") {
			name = uriPath(file)
			if create {
				if err := createOwnerOnly(file); err != nil {
					return nil, err
				}
			} else {
				mode = "&mode=rw" // never make the file: a missing one is an error
			}
			sqliteFile = file
		}
		// WAL for concurrent readers, synchronous=FULL so an acknowledged
		// write survives power loss, immediate transactions so writers queue
		// on the busy timeout instead of failing mid-transaction; secure_delete
		// overwrites deleted content, so an erased key leaves no copy in free pages.
		// busy_timeout comes first: switching to WAL needs a lock, and a
		// process starting while another migrates must wait for it, not fail.
		if sqliteFile != "" {
			// A commit checkpoints only a WAL past walInlineCheckpointPages:
			// below that, one connection of its own checkpoints beside the
			// writers (checkpoint.go).
			mode += fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)&_pragma=journal_size_limit(%d)", walInlineCheckpointPages, walSizeLimit)
		}
		dsn := "file:" + name + fmt.Sprintf("?_txlock=immediate&_pragma=busy_timeout(%d)", busyWait.Milliseconds()) + "&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
			"&_pragma=foreign_keys(1)&_pragma=secure_delete(1)" + mode
		s := sql.OpenDB(cachingConnector{dsn: dsn}) // statements prepared once per connection (stmtcache.go)
		sqliteDSN = dsn
		n := conns(sqliteDefaultConns)
		var w *sql.DB
		if sqliteFile != "" && n >= 2 {
			w = sql.OpenDB(cachingConnector{dsn: dsn})
			w.SetMaxOpenConns(1)
			w.SetMaxIdleConns(1)
			w.SetConnMaxIdleTime(sqliteIdleClose)
			n--
		}
		s.SetMaxOpenConns(n)
		// Every connection is kept when it falls idle (database/sql keeps
		// two unless told): one closed and opened again at the next busy
		// moment loses its prepared statements and reads the schema anew.
		s.SetMaxIdleConns(n)
		// ... but not for ever: a connection no request has used for
		// sqliteIdleClose is closed, and its page cache and statements
		// with it, so a server left quiet after a busy hour hands that
		// memory back (docs/performance.md). Not ":memory:" or a "file:"
		// URI, which may name a database held only in memory: that lives
		// only as long as a connection to it.
		if sqliteFile != "" {
			s.SetConnMaxIdleTime(sqliteIdleClose)
		}
		db = &DB{sql: s, wsql: w, Dialect: SQLite, writer: &writerQueue{}, busyWait: busyWait}
		if w != nil {
			db.gate = newReadGate()
		}
	}
	if err := db.ping(ctx); err != nil {
		db.closePools()
		return nil, fmt.Errorf("store: connecting to %s database: %w", db.Dialect, err)
	}
	if sqliteFile != "" {
		if err := ownerOnly(sqliteFiles(sqliteFile)...); err != nil {
			db.closePools()
			return nil, err
		}
		startCheckpointer(&db.checkpointer, sqliteDSN, db.scrubOnce)
	}
	return db, nil
}

// ping makes the first connection. Switching a new SQLite file to WAL takes
// a lock SQLite does not wait for (its busy handler is skipped to avoid a
// deadlock), so a process opening the file while another makes it (three
// replicas running `migrate --create` at once) can see SQLITE_BUSY at once;
// it tries again for as long as the usual busy timeout would have waited.
func (db *DB) ping(ctx context.Context) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := db.sql.PingContext(ctx)
		if err == nil || db.Dialect != SQLite || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// uriPath is a file path as the path of a SQLite "file:" URI: a '?' or '#'
// in it would otherwise end the path there (SQLite would open another file,
// without the DSN's pragmas, while the checks of existence and permissions
// looked at this one), and a '%' would be decoded.
func uriPath(file string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(file)
}

// Close closes the database, after writing the audit entries already
// handed to the audit writer (auditbatch.go).
func (db *DB) Close() error {
	// Once, and every caller waits for it: a second Close of a sql.DB
	// returns while the first is still closing its connections, so two
	// callers closing the two pools at once could each close a connection
	// while the other's was still open, and SQLite removes the WAL only
	// when the last connection closes.
	db.closing.Do(func() {
		db.closeAudits()
		db.checkpointer.close()
		db.closeErr = db.closePools()
	})
	return db.closeErr
}

// closePools closes the write connection, then the pool.
func (db *DB) closePools() error {
	var err error
	if db.wsql != nil {
		err = db.wsql.Close()
	}
	return errors.Join(err, db.sql.Close())
}

// sqliteDefaultConns is a SQLite file's connections when none are named:
// one for writes (writeConns) and two for reads.
//
// Few, because SQLite's work is the processor's: every read of case data
// commits an audit entry, and each commit empties the page cache of every
// other connection when it next reads, so a read on a connection of its own
// adds little but a share of the processor taken from the write that every
// request waits for (its audit entry's). At a million cases, 200 people,
// four connections shared by reads and writes gave p99s of 74–237 ms a
// page and two gave 51–129 ms; one for writes and two for reads, medians of
// 59–100 ms against 81–177 ms for the four (docs/performance.md, "Fewer
// SQLite connections").
const sqliteDefaultConns = 3

// sqliteReadOnlyConns is the connections of a SQLite file opened ReadOnly
// when none are named: a checking command writes nothing, so no audit
// entry's commit empties the caches, and `verify` reads with both cores.
const sqliteReadOnlyConns = 4

// writeConns is where Update begins: the write connection, or the pool
// where there is none (PostgreSQL, a database in memory, a pool of one).
func (db *DB) writeConns() *sql.DB {
	if db.wsql != nil {
		return db.wsql
	}
	return db.sql
}

// Pool is one connection pool's figures, named for what it serves.
type Pool struct {
	// Name is "shared" for a pool that serves reads and writes alike
	// (PostgreSQL, a SQLite database in memory or of one connection),
	// or, for a SQLite file whose writes have a connection of their own
	// (writeConns), "read" for the reads' pool and "write" for that one.
	Name string
	sql.DBStats
}

// Pools is the figures of each of the store's pools. They are reported
// apart, not summed: a write connection always in use while the service
// writes would hide a reads' pool that is full.
func (db *DB) Pools() []Pool {
	if db.wsql == nil {
		return []Pool{{"shared", db.sql.Stats()}}
	}
	return []Pool{{"read", db.sql.Stats()}, {"write", db.wsql.Stats()}}
}

// Connections is the most connections the store's pools may open together
// (the background checkpoint's own not counted).
func (db *DB) Connections() (max, open int) {
	for _, p := range db.Pools() {
		max += p.MaxOpenConnections
		open += p.OpenConnections
	}
	return max, open
}

// CloseIdle closes, now, every connection of the pools to a SQLite file
// that no transaction is using: the read pool's and the write connection.
// Each holds SQLite's memory for its page cache, schema and prepared
// statements, outside the Go heap; closing it frees that memory, which
// SQLite's allocator keeps only in part, and the next use opens a
// connection afresh with the same settings. The background checkpoint's
// connection stays open: it is what shows another process that this one
// has the file open (startCheckpointer). Nothing on PostgreSQL, whose
// connections are kept for minutes on purpose (openDB), nor on a SQLite
// database held only in memory (no background checkpoint), which lives
// only as long as a connection to it.
func (db *DB) CloseIdle() {
	if db.Dialect != SQLite || db.checkpointer == nil {
		return
	}
	for _, p := range []*sql.DB{db.sql, db.wsql} {
		if p == nil {
			continue
		}
		// database/sql closes the idle connections past a lowered
		// limit at once; the limit then goes back to what it was.
		keep := p.Stats().MaxOpenConnections
		p.SetMaxIdleConns(-1)
		p.SetMaxIdleConns(keep)
	}
}

// Activity is how many transactions the store's pools have begun, and
// whether one is running or waiting for a connection now: serve closes
// the idle connections (CloseIdle) once transactions have stopped
// (cmd/waymark/memory.go, releaseWhenQuiet).
func (db *DB) Activity() (begun int64, busy bool) {
	busy = db.Waiting() > 0
	for _, p := range db.Pools() {
		busy = busy || p.InUse > 0
	}
	return db.begun.Load(), busy
}

// Ping checks the database answers (used by /readyz).
func (db *DB) Ping(ctx context.Context) error { return db.sql.PingContext(ctx) }

// SQL exposes the handle for tests and tools that inspect the raw tables.
func (db *DB) SQL() *sql.DB { return db.sql }

// View runs fn in a read-only transaction that sees one consistent snapshot
// of the database and never blocks writers, and always rolls it back.
func (db *DB) View(ctx context.Context, fn func(*Tx) error) error {
	defer db.timedTx("view", time.Now())
	defer db.enterGate(ctx)()
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.begin(ctx, opts)
	if err != nil {
		return fmt.Errorf("store: beginning transaction: %w", err)
	}
	defer tx.Rollback()
	t := &Tx{tx: tx, ctx: ctx, dialect: db.Dialect, db: db, readOnly: true}
	if err := fn(t); err != nil {
		return err
	}
	t.rememberIndexKey()
	return nil
}

// errWriterBusy is a write that waited as long as SQLite's busy timeout for
// the process's write lock; Update answers it, as it does SQLite's own
// busy answer at BEGIN, with ErrBusy.
var errWriterBusy = errors.New("database is locked: another write of this process held it for the whole busy wait")

// ErrBusy refuses a write, or a read whose audit entry is a write, that
// waited the whole busy wait (OpenOptions.BusyWait) for SQLite's write lock:
// another write, of this process or of another (a command run beside
// serve, a backup), held it throughout. Nothing was saved, and nothing is
// wrong with what was sent: the same request a moment later may well
// succeed. Pages and the API answer it 503 with Retry-After.
var ErrBusy = &waymark.Error{Code: waymark.EBUSY,
	Message: "Waymark is busy: other work held the records for longer than it waits, so nothing of yours has been saved or shown. Try again in a moment."}

// busy is ErrBusy with its cause, for the logs.
func busy(err error) error {
	e := *ErrBusy
	e.Err = err
	return &e
}

// takeWriter queues a SQLite write transaction behind this process's others.
// SQLite lets one writer in at a time; left to its busy handler, waiting
// writers sleep and poll, so under load a newcomer can take the lock ahead
// of one that has waited, and the lock sits idle between polls. Queuing in
// the process hands the lock over in arrival order the moment it is free
// (other processes, such as a command run beside `serve`, still meet the
// busy handler). The wait is bounded like the busy timeout, so a write
// started inside another write fails as it did rather than waiting forever.
func (db *DB) takeWriter(ctx context.Context) (release func(), err error) {
	if db.writer == nil {
		return func() {}, nil
	}
	return db.writer.take(ctx, db.busyWait)
}

// writerQueue hands one lock to its takers in the order they asked.
type writerQueue struct {
	mu      sync.Mutex
	held    bool
	waiters []chan struct{} // closed when the lock is handed to that waiter
}

func (q *writerQueue) take(ctx context.Context, wait time.Duration) (release func(), err error) {
	q.mu.Lock()
	if !q.held {
		q.held = true
		q.mu.Unlock()
		return q.release, nil
	}
	mine := make(chan struct{})
	q.waiters = append(q.waiters, mine)
	q.mu.Unlock()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-mine:
		return q.release, nil
	case <-ctx.Done():
		err = ctx.Err()
	case <-timer.C:
		err = errWriterBusy
	}
	q.mu.Lock()
	for i, w := range q.waiters {
		if w == mine {
			q.waiters = slices.Delete(q.waiters, i, i+1)
			q.mu.Unlock()
			return nil, err
		}
	}
	q.mu.Unlock()
	q.release() // handed over as it gave up: pass it on
	return nil, err
}

func (q *writerQueue) release() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.waiters) == 0 {
		q.held = false
		return
	}
	next := q.waiters[0]
	q.waiters = q.waiters[1:]
	close(next)
}

// queued is how many takers are waiting.
func (q *writerQueue) queued() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.waiters)
}

// ErrAuditedReadInsideWrite refuses an audited read (ViewAudited,
// RecordAudit) begun inside a write transaction's fn, and on SQLite a
// write transaction begun there. The read's entry would wait for the audit
// writer, and the writer for the write lock the outer transaction holds
// until it commits: it would wait out the 10 s bound on SQLite, and without
// end on PostgreSQL. Make the read before or after the write.
var ErrAuditedReadInsideWrite = errors.New("store: an audited read or a write transaction was begun inside a write transaction, where it would wait for the lock its own transaction holds; it is refused (a fault in the calling code: make it before or after the write)")

// goroutineID is the id of the calling goroutine, read from the first line
// of its stack ("goroutine 123 [running]:"). Update records it while its fn
// runs, so that an audited read (or, on SQLite, a write) nested on the same
// goroutine is refused at once (ErrAuditedReadInsideWrite).
func goroutineID() uint64 {
	var buf [32]byte
	n := runtime.Stack(buf[:], false)
	s := bytes.TrimPrefix(buf[:n], []byte("goroutine "))
	if i := bytes.IndexByte(s, ' '); i > 0 {
		s = s[:i]
	}
	id, _ := strconv.ParseUint(string(s), 10, 64)
	return id
}

// Tx is one unit of work. Every use case runs in exactly one.
type Tx struct {
	tx            *sql.Tx
	ctx           context.Context
	dialect       Dialect
	db            *DB
	keys          map[string][]byte // data keys unwrapped in this transaction
	readOnly      bool
	openGate      func()                // nil, or opens the read gate this write closed (readgate.go)
	heads         map[string]audit.Head // case heads appended and not yet in an audit entry (seal.go)
	verified      map[string]audit.Head // each case's last event as this transaction read and checked it, or appended it (seal.go)
	headsAt       time.Time
	pendingAudit  []audit.Entry // audit entries chained when the transaction commits (audit.go)
	auditErr      error         // chaining them failed: the transaction must not commit
	erased        []Erasure     // erasures to append to the erasure ledger before commit (ledger.go)
	indexKey      *indexKey     // the search index key this transaction read or made (crypt.go)
	draftsDeleted []LedgerEntry // unsent drafts deleted, likewise (ledger.go)
	deferSearch   bool          // a bulk load leaves search_viewer_tokens to RebuildSearchIndex (DeferSearchIndex)
	// filed are the cases whose first events this transaction appended
	// (AppendEvents onto version 0) and whose read models it has not yet
	// written: SaveProjection writes theirs without reading any first.
	filed map[string]bool
	// derived is, for each case whose log this write read or whose read
	// models it saved, the version and last event time of the state those
	// read models were derived from (SaveProjectionFrom).
	derived map[string]derivedFrom
	// caseWrite is set once this write appends a case's events or an NRM
	// draft answer: a clash then names the case (conflict).
	caseWrite bool
}

// enterGate lets a read in at the gate (readgate.go), and returns what
// ends it. A read inside a write's own function is not held: it would
// wait for the write it is part of.
func (db *DB) enterGate(ctx context.Context) (leave func()) {
	g := db.gate
	if g == nil {
		return func() {}
	}
	if g.busy() {
		if _, inside := db.updating.Load(goroutineID()); inside {
			return func() {}
		}
	}
	g.enter(ctx)
	return g.leave
}

// Update runs fn in a transaction and commits it when fn returns nil. The
// commit returns only once the database has made the write durable.
func (db *DB) Update(ctx context.Context, fn func(*Tx) error) error {
	defer db.timedTx("update", time.Now())
	me := goroutineID()
	if _, inside := db.updating.Load(me); inside && db.writer != nil {
		// SQLite: the inner write waits for the write lock the outer one
		// holds. (PostgreSQL runs them side by side, on two connections.)
		return ErrAuditedReadInsideWrite
	}
	release, err := db.takeWriter(ctx)
	if errors.Is(err, errWriterBusy) {
		return busy(err)
	}
	if err != nil {
		return fmt.Errorf("store: beginning transaction: %w", err)
	}
	defer release()
	if db.gate != nil {
		db.gate.took() // a case write spends the gate's budget from here (readgate.go)
	}
	tx, err := db.beginOn(ctx, db.writeConns(), nil)
	if err != nil && db.Dialect == SQLite && isBusy(err) {
		// BEGIN IMMEDIATE waited the busy timeout for a write lock
		// another process held (a command beside serve): nothing began.
		return busy(fmt.Errorf("store: beginning transaction: %w", err))
	}
	if err != nil {
		return fmt.Errorf("store: beginning transaction: %w", err)
	}
	// A panic in fn (recovered further up, as the web middleware does)
	// must not leave the transaction open; after Commit this does nothing.
	defer tx.Rollback()
	t := &Tx{tx: tx, ctx: ctx, dialect: db.Dialect, db: db}
	// A case write's first event closes the read gate (readgate.go); it
	// opens when the write ends, committed, failed or panicking.
	defer func() {
		if t.openGate != nil {
			t.openGate()
		}
	}()

	// Marked while fn runs, and unmarked even if it panics: net/http runs
	// the next request of a connection on the same goroutine. A write
	// nested inside another (PostgreSQL) leaves the mark to the outer one,
	// whose fn is still running.
	if _, nested := db.updating.LoadOrStore(me, true); !nested {
		defer db.updating.Delete(me)
	}
	err = fn(t)
	if err != nil {
		tx.Rollback()
		if isBusy(err) { // PostgreSQL broke a deadlock or a serialisation failure: try again
			return t.conflict(err)
		}
		return err
	}
	if err := t.flushHeads(); err != nil {
		tx.Rollback()
		return err
	}
	if err := t.recordErasures(); err != nil {
		tx.Rollback()
		return err
	}
	// Last of all, the audit entries go onto the chain: its head is locked
	// from here to the commit only.
	if err := errors.Join(t.auditErr, t.chainAudit()); err != nil {
		tx.Rollback()
		if isUniqueViolation(err) || isBusy(err) {
			return t.conflict(err)
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		if isUniqueViolation(err) || isBusy(err) {
			return t.conflict(err)
		}
		return fmt.Errorf("store: committing: %w", err)
	}
	db.checkpointer.committed()
	t.rememberIndexKey()
	if n, ok := ctx.Value(commitsKey{}).(*atomic.Int64); ok && n != nil {
		n.Add(1)
	}
	return nil
}

type commitsKey struct{}

// NoteCommits returns ctx carrying a count that every Update run with it,
// or with a context made from it, adds one to when it commits. A request
// whose answer fails after its change committed (the page that follows a
// save, refused as busy) must not offer to send the same change again
// (Committed). The web layer starts the count once the request's session
// is checked, so only the handler's own writes count.
func NoteCommits(ctx context.Context) context.Context {
	return context.WithValue(ctx, commitsKey{}, new(atomic.Int64))
}

// Committed reports whether an Update run with ctx (see NoteCommits) has
// committed.
func Committed(ctx context.Context) bool {
	n, ok := ctx.Value(commitsKey{}).(*atomic.Int64)
	return ok && n != nil && n.Load() > 0
}

// Uncounted returns ctx whose Updates count toward no NoteCommits: for a
// write that is not the change a request asks for (confirming who the
// person is before it), so that a refusal of the change itself is not
// taken for a change already saved.
func Uncounted(ctx context.Context) context.Context {
	return context.WithValue(ctx, commitsKey{}, (*atomic.Int64)(nil))
}

func (t *Tx) exec(q string, args ...any) (sql.Result, error) {
	if err := unstorable(args); err != nil {
		return nil, err
	}
	if len(t.pendingAudit) > 0 && readsAudit(q) {
		if err := t.chainAudit(); err != nil {
			return nil, err
		}
	}
	defer t.db.timedStatement("exec", time.Now())
	res, err := t.tx.ExecContext(t.ctx, q, args...)
	t.db.observeExec(q, res, err)
	return res, err
}

func (t *Tx) query(q string, args ...any) (*sql.Rows, error) {
	if err := unstorable(args); err != nil {
		return nil, err
	}
	if len(t.pendingAudit) > 0 && readsAudit(q) {
		if err := t.chainAudit(); err != nil {
			return nil, err
		}
	}
	defer t.db.timedStatement("query", time.Now())
	t.db.observe(q, -1)
	return t.tx.QueryContext(t.ctx, q, args...)
}

// queryRow with an argument no row can hold (see unstorable) finds no row,
// as it would on SQLite; PostgreSQL would fail the statement instead.
func (t *Tx) queryRow(q string, args ...any) *sql.Row {
	if unstorable(args) != nil {
		return t.tx.QueryRowContext(t.ctx, `SELECT 1 WHERE 1 = 0`)
	}
	if len(t.pendingAudit) > 0 && readsAudit(q) {
		if err := t.chainAudit(); err != nil {
			return t.tx.QueryRowContext(t.ctx, `SELECT 1 WHERE 1 = 0`) // no row; Update refuses to commit (auditErr)
		}
	}
	defer t.db.timedStatement("query", time.Now())
	t.db.observe(q, -1)
	return t.tx.QueryRowContext(t.ctx, q, args...)
}

// errUnstorable refuses text that neither store can keep alike: PostgreSQL
// refuses NUL and bytes that are not UTF-8, SQLite would keep them. Pages
// and the API refuse such answers first, naming the field (pathway.TextProblem);
// this is the backstop, so that a path that forgot is a clear 422, never a
// 500 on one store and stored garbage on the other.
var errUnstorable = waymark.Errorf(waymark.EINVALID, "An answer contains a character Waymark cannot store (a NUL byte, or bytes that are not UTF-8 text): retype it rather than pasting it.")

func unstorable(args []any) error {
	bad := func(s string) bool { return strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) }
	for _, a := range args {
		switch v := a.(type) {
		case string:
			if bad(v) {
				return errUnstorable
			}
		case []string: // a list of ids, one array on PostgreSQL (idList)
			if slices.ContainsFunc(v, bad) {
				return errUnstorable
			}
		}
	}
	return nil
}

// forUpdate locks the selected row on PostgreSQL; SQLite's immediate
// transactions already hold the database's write lock. A read-only
// transaction locks nothing (PostgreSQL refuses FOR UPDATE in one).
func (t *Tx) forUpdate() string {
	if t.dialect == Postgres && !t.readOnly {
		return " FOR UPDATE"
	}
	return ""
}

func conflict(err error) error {
	return &waymark.Error{Code: waymark.ECONFLICT, Message: "Someone else saved this case at the same time. Your changes have not been saved: reload the page to see theirs, then make your change again.", Clash: true, Err: err}
}

// clashMessage is what a write that is not a case's (a sign-in, a re-check
// of someone's access, a change of staff or settings) says when it clashed
// with another at the same moment: PostgreSQL broke a deadlock or refused
// a serialisation, or a row it added was added first by the other. There
// is no case to reload, so it names none.
const clashMessage = "Another change to the same records was being saved at the same moment, so nothing of yours has been saved. Try again."

// conflict is the clash as this write's user should read it: a case's
// write names the case; any other says only that nothing was saved.
func (t *Tx) conflict(err error) error {
	if t.caseWrite {
		return conflict(err)
	}
	return &waymark.Error{Code: waymark.ECONFLICT, Message: clashMessage, Clash: true, Err: err}
}

func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505") ||
		strings.Contains(s, "constraint failed: PRIMARY KEY") || strings.Contains(s, "duplicate key value")
}

func isBusy(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "SQLITE_BUSY") || strings.Contains(s, "database is locked") || strings.Contains(s, "SQLSTATE 40001") || strings.Contains(s, "SQLSTATE 40P01")
}

// notFound maps sql.ErrNoRows to ENOTFOUND with msg.
func notFound(err error, msg string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return &waymark.Error{Code: waymark.ENOTFOUND, Message: msg}
	}
	return err
}

// utc normalises times to UTC at microsecond precision, the finest both stores keep.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return utc(*t)
}

func timePtr(nt sql.NullTime) *time.Time {
	if !nt.Valid {
		return nil
	}
	t := nt.Time.UTC()
	return &t
}

// BackupTo writes a transactionally consistent copy of a SQLite database to
// dest while the service keeps running (VACUUM INTO). PostgreSQL is backed
// up with pg_dump instead (docs/operations.md).
func (db *DB) BackupTo(ctx context.Context, dest string) error {
	if db.Dialect != SQLite {
		return errors.New("store: backup is for SQLite; back up PostgreSQL with pg_dump")
	}
	if err := createOwnerOnly(dest); err != nil {
		return err
	}
	if _, err := db.sql.ExecContext(ctx, `VACUUM INTO $1`, dest); err != nil {
		if info, serr := os.Stat(dest); serr == nil && info.Size() == 0 {
			os.Remove(dest) // the empty file made above: leave nothing half-written
		}
		return fmt.Errorf("store: backing up to %s: %w", dest, err)
	}
	return ownerOnly(sqliteFiles(dest)...)
}
