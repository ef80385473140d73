package store

import (
	"container/list"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"

	sqlite "modernc.org/sqlite"
)

// SQLite statements are prepared once per connection and reused.
//
// The SQLite driver compiles every statement it is given afresh: for an
// append, parsing and planning took about a third of the CPU time. The
// connector below wraps each SQLite connection so that Exec and Query look
// the text up in the connection's own cache of prepared statements and
// only prepare what is new. A prepared statement is SQLite's compiled form
// of the same text: the same rows are read and written, under the same
// transaction and locks. PostgreSQL needs none of this: pgx already keeps a
// cache of prepared statements per connection.

// stmtCacheSize bounds the statements kept per connection. Queries built
// with a varying number of placeholders (lists of ids) could otherwise grow
// it without end. Past the bound, the statement used least recently (and
// not being read from) is closed to make room: a full cache that kept only
// its first texts prepared every later one afresh on every use, and
// bulk loads fill it within seconds (an append's DELETE of queue rows was
// compiled each time, a fifth of its statements' CPU).
const stmtCacheSize = 400

type cachingConnector struct{ dsn string }

var sqliteDriver = &sqlite.Driver{}

func (c cachingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := sqliteDriver.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return newCachingConn(conn), nil
}

func newCachingConn(conn driver.Conn) *cachingConn {
	return &cachingConn{conn: conn, stmts: map[string]*cachedStmt{}}
}

func (c cachingConnector) Driver() driver.Driver { return sqliteDriver }

// the interfaces of the SQLite connection the cache relies on.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type cachingConn struct {
	conn     driver.Conn
	stmts    map[string]*cachedStmt // by SQL text; used by one goroutine at a time, as database/sql guarantees for a connection
	recent   list.List              // of *cachedStmt, the one used last at the front
	prepared int                    // statements this connection compiled, cached or not (tests)
}

type cachedStmt struct {
	q    string
	stmt interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	}
	busy bool          // rows from it are still open: a second use prepares afresh
	use  *list.Element // its place in recent
}

func (c *cachingConn) sqlite() sqliteConn { return c.conn.(sqliteConn) }

// cached returns the prepared statement for q, preparing it if need be, or
// nil when q should not be cached (several statements in one text, the
// cached one in use, or every cached one in use).
func (c *cachingConn) cached(ctx context.Context, q string) (*cachedStmt, error) {
	if cs, ok := c.stmts[q]; ok {
		if cs.busy {
			return nil, nil
		}
		c.recent.MoveToFront(cs.use)
		return cs, nil
	}
	if strings.Contains(strings.TrimRight(strings.TrimSpace(q), ";"), ";") {
		return nil, nil
	}
	if len(c.stmts) >= stmtCacheSize && !c.evict() {
		return nil, nil
	}
	s, err := c.sqlite().PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.prepared++
	st, ok := s.(interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	})
	if !ok {
		s.Close()
		return nil, nil
	}
	cs := &cachedStmt{q: q, stmt: st}
	cs.use = c.recent.PushFront(cs)
	c.stmts[q] = cs
	return cs, nil
}

// evict closes the statement used least recently that no open rows are
// reading from, and reports whether it found one.
func (c *cachingConn) evict() bool {
	for e := c.recent.Back(); e != nil; e = e.Prev() {
		cs := e.Value.(*cachedStmt)
		if cs.busy {
			continue
		}
		c.recent.Remove(e)
		delete(c.stmts, cs.q)
		cs.stmt.Close()
		return true
	}
	return false
}

func (c *cachingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.cached(ctx, q)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		c.prepared++
		return c.sqlite().ExecContext(ctx, q, args)
	}
	return cs.stmt.ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.cached(ctx, q)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		c.prepared++
		return c.sqlite().QueryContext(ctx, q, args)
	}
	rows, err := cs.stmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	cs.busy = true
	return &cachedRows{Rows: rows, stmt: cs}, nil
}

// cachedRows frees its statement for the next use when closed (the driver
// resets it rather than finalising it).
type cachedRows struct {
	driver.Rows
	stmt *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.stmt.busy = false
	return err
}

func (c *cachingConn) Close() error {
	var errs []error
	for q, cs := range c.stmts {
		errs = append(errs, cs.stmt.Close())
		delete(c.stmts, q)
	}
	c.recent.Init()
	return errors.Join(append(errs, c.conn.Close())...)
}

func (c *cachingConn) Prepare(q string) (driver.Stmt, error) { return c.conn.Prepare(q) }
func (c *cachingConn) Begin() (driver.Tx, error) {
	return c.sqlite().BeginTx(context.Background(), driver.TxOptions{})
}
func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.sqlite().BeginTx(ctx, opts)
}
func (c *cachingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.sqlite().PrepareContext(ctx, q)
}
func (c *cachingConn) Ping(ctx context.Context) error         { return c.sqlite().Ping(ctx) }
func (c *cachingConn) ResetSession(ctx context.Context) error { return c.sqlite().ResetSession(ctx) }
func (c *cachingConn) IsValid() bool                          { return c.sqlite().IsValid() }
func (c *cachingConn) Unwrap() driver.Conn                    { return c.conn }

// observe tells the statement observer, if any, of a statement run: rows
// is how many rows it wrote, or -1 for a query.
func (db *DB) observe(q string, rows int64) {
	if fn := db.observer.Load(); fn != nil {
		(*fn)(q, rows)
	}
}

func (db *DB) observeExec(q string, res sql.Result, err error) {
	if db.observer.Load() == nil || err != nil {
		return
	}
	n, err := res.RowsAffected()
	if err != nil {
		n = -1
	}
	db.observe(q, n)
}

// ObserveStatements has fn told the text (never the arguments) of every
// statement a transaction of this database runs from now on, and how many
// rows each write changed (-1 for a query); nil stops it. For tests and
// profiling: it counts what one use case costs.
func (db *DB) ObserveStatements(fn func(query string, rows int64)) {
	if fn == nil {
		db.observer.Store(nil)
		return
	}
	db.observer.Store(&fn)
}
