package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// openPostgres opens a pool on url; a read-only pool's sessions start with
// default_transaction_read_only=on, so PostgreSQL refuses any write in them.
func openPostgres(url string, readOnly bool) (*sql.DB, error) {
	if !readOnly {
		return sql.Open("pgx", url)
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	// A start-up parameter, not a SET once connected: a pooler in
	// transaction mode (PgBouncer, docs/operations.md "Connection pool")
	// hands one server session to each client's transactions in turn, so a
	// SET would stay on a session serve's next write is given (and fail
	// there) while this command's own transactions ran on sessions it was
	// never SET on. Such a pooler refuses a start-up parameter it does not
	// know, so the checking command stops instead of writing.
	cfg.RuntimeParams["default_transaction_read_only"] = "on"
	// target_session_attrs=read-write (a primary and its standby in one
	// URL, docs/operations.md) finds the primary by asking each server
	// whether the session is read-only, which this one is on every server:
	// ask whether the server is a standby instead, as
	// target_session_attrs=primary does (and standby for read-only).
	switch sameFunc(cfg.ValidateConnect) {
	case sameFunc(pgconn.ValidateConnectTargetSessionAttrsReadWrite):
		cfg.ValidateConnect = pgconn.ValidateConnectTargetSessionAttrsPrimary
	case sameFunc(pgconn.ValidateConnectTargetSessionAttrsReadOnly):
		cfg.ValidateConnect = pgconn.ValidateConnectTargetSessionAttrsStandby
	}
	return stdlib.OpenDB(*cfg), nil
}

// sameFunc names a function, so two can be compared; 0 for nil.
func sameFunc(f pgconn.ValidateConnectFunc) uintptr {
	if f == nil {
		return 0
	}
	return reflect.ValueOf(f).Pointer()
}

// openSQLiteChecking opens file so that no connection can write to it or to
// the files beside it that hold its data. A read-write connection that is the
// last to close checkpoints the WAL into the main file and removes the WAL,
// and the first to open truncates and rebuilds the -shm: both change a copy an
// investigator or a backup compares. So each connection is opened with
// mode=ro (no write, no journal-mode switch, no checkpoint) and query_only,
// and reads as readonlyConnector says.
func openSQLiteChecking(file string) (*sql.DB, error) {
	if file == "" || strings.HasPrefix(file, ":memory:") || strings.HasPrefix(file, "file:") {
		return nil, fmt.Errorf("store: a read-only open needs the path of a SQLite file, not %q", file)
	}
	if _, err := os.Stat(file); err != nil {
		return nil, fmt.Errorf("store: opening %s read-only: %w", file, err)
	}
	dsn := "file:" + uriPath(file) + "?mode=ro&_pragma=busy_timeout(10000)&_pragma=query_only(1)&_pragma=foreign_keys(1)"
	return sql.OpenDB(readOnlyConnector{file: file, dsn: dsn}), nil
}

// readOnlyConnector opens each read-only SQLite connection in the way that
// leaves the files as they are:
//   - when a -shm file is there, first with readonly_shm=1: with no other
//     process using the database (a copy, or the files a stopped server left),
//     SQLite reads the WAL's frames into memory of its own and touches no file;
//   - when a server has the database open, that way is refused, and the
//     connection reads through the server's -shm as any reader does (it
//     takes read marks in it, as the server's own readers do, but can never
//     checkpoint: the server owns the WAL);
//   - when there is no -shm, the WAL holds nothing the main file lacks, and
//     SQLite makes an empty -wal and a -shm beside the file (the main file is
//     not changed); in a folder it may not write in, the open fails.
//
// It never falls back to opening read-write.
type readOnlyConnector struct{ file, dsn string }

func (c readOnlyConnector) Connect(ctx context.Context) (driver.Conn, error) {
	if _, err := os.Stat(c.file + "-shm"); err == nil {
		if conn, err := openAndRead(ctx, c.dsn+"&readonly_shm=1"); err == nil {
			return conn, nil
		}
	}
	conn, err := openAndRead(ctx, c.dsn)
	if err != nil {
		return nil, fmt.Errorf("store: opening %s read-only (a checking command never writes: SQLite needs the -shm file beside it readable, "+
			"or, when there is none, a folder it may make the -wal and -shm files in): %w", c.file, err)
	}
	return conn, nil
}

func (c readOnlyConnector) Driver() driver.Driver { return sqliteDriver }

// openAndRead opens a connection and reads the schema once: SQLite opens the
// WAL and the -shm only at the first read, which is where a way of reading
// them fails.
func openAndRead(ctx context.Context, dsn string) (driver.Conn, error) {
	conn, err := sqliteDriver.Open(dsn)
	if err != nil {
		return nil, err
	}
	if err := readSchemaOnce(ctx, conn); err != nil {
		conn.Close()
		return nil, err
	}
	return newCachingConn(conn), nil
}

func readSchemaOnce(ctx context.Context, conn driver.Conn) error {
	q, ok := conn.(driver.QueryerContext)
	if !ok {
		return errors.New("store: the SQLite driver cannot query")
	}
	rows, err := q.QueryContext(ctx, "SELECT count(*) FROM sqlite_master", nil)
	if err != nil {
		return err
	}
	defer rows.Close()
	dest := make([]driver.Value, 1)
	if err := rows.Next(dest); err != nil && err != io.EOF {
		return err
	}
	return nil
}
