package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"io"
	"path/filepath"
	"testing"
)

// cachingConnFor connects to a new SQLite file as the store's pool does.
func cachingConnFor(t *testing.T) *cachingConn {
	t.Helper()
	dsn := "file:" + filepath.Join(t.TempDir(), "stmts.db") + "?_pragma=journal_mode(WAL)"
	conn, err := cachingConnector{dsn: dsn}.Connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := conn.(*cachingConn)
	t.Cleanup(func() { c.Close() })
	return c
}

// fillStatementCache runs as many different statements as the cache keeps.
func fillStatementCache(t *testing.T, c *cachingConn, from int) {
	t.Helper()
	for i := range stmtCacheSize {
		if _, err := c.ExecContext(context.Background(), fmt.Sprintf("SELECT %d", from+i), nil); err != nil {
			t.Fatal(err)
		}
	}
}

// A connection that has already run as many different statements as its
// cache keeps (a bulk load fills it in seconds) still compiles a statement
// it meets afterwards once, not on every use: the one used least recently
// makes room for it.
func TestAStatementFirstRunAfterTheCacheIsFullIsCompiledOnce(t *testing.T) {
	ctx := context.Background()
	c := cachingConnFor(t)
	fillStatementCache(t, c, 0)
	before := c.prepared
	const uses = 10
	for i := range uses {
		if _, err := c.ExecContext(ctx, `SELECT $1 + 1`, []driver.NamedValue{{Ordinal: 1, Value: int64(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.prepared - before; n != 1 {
		t.Errorf("a statement used %d times after the cache filled was compiled %d times, want once", uses, n)
	}
	if len(c.stmts) > stmtCacheSize || c.recent.Len() != len(c.stmts) {
		t.Errorf("the cache holds %d statements (%d in its order of use), want at most %d", len(c.stmts), c.recent.Len(), stmtCacheSize)
	}
	// The statement used most recently stays, the least recent went.
	if _, ok := c.stmts[`SELECT $1 + 1`]; !ok {
		t.Error("the statement in use was not kept")
	}
	if _, ok := c.stmts["SELECT 0"]; ok {
		t.Error("the statement used least recently was kept, and another closed")
	}
}

// A statement whose rows are still being read is never the one closed to
// make room, however long ago it was first run: its rows read on to the end.
func TestAStatementBeingReadIsNotClosedToMakeRoom(t *testing.T) {
	ctx := context.Background()
	c := cachingConnFor(t)
	rows, err := c.QueryContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT i FROM n`, nil)
	if err != nil {
		t.Fatal(err)
	}
	fillStatementCache(t, c, 0)
	fillStatementCache(t, c, stmtCacheSize) // every other statement made room at least once
	var got []int64
	dest := make([]driver.Value, 1)
	for {
		if err := rows.Next(dest); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("reading the rows of a statement after the cache turned over: %v", err)
		}
		got = append(got, dest[0].(int64))
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[1 2 3]" {
		t.Errorf("read %v, want [1 2 3]", got)
	}
	if len(c.stmts) > stmtCacheSize {
		t.Errorf("the cache holds %d statements, want at most %d", len(c.stmts), stmtCacheSize)
	}
}
