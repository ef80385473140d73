package store

import (
	"errors"
	"fmt"
	"slices"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// rawAuditReader reads the audit log of a SQLite file on a connection of
// its own, opened read-only, straight through SQLite's own calls: each
// column's bytes are copied once, from SQLite's page into the chunk's
// buffer (auditChunk.text), with no allocation, no boxing and no joining
// of columns. Through database/sql, the driver allocated and copied each
// row, and reading was most of what `audit verify` cost.
//
// It reads only what is plainly an entry: an integer seq and eleven text
// columns (the time as its text). A row holding anything else (a NULL, a
// number or bytes where text belongs) or any error makes read return
// errNotPacked, and the chunk is read again through the driver, which
// judges it exactly as before.
type rawAuditReader struct {
	tls  *libc.TLS
	db   uintptr // sqlite3*
	stmt uintptr // sqlite3_stmt* of rawAuditQuery
}

// rawAuditQuery is the audit rows of one chunk, the time as its text (as
// the column-by-column read takes it).
const rawAuditQuery = `SELECT seq, CAST(at AS TEXT), actor_id, org_id, case_id, action, detail, prev_hash, hash, key_id, heads, request_id
	FROM audit_log WHERE seq >= ?1 AND seq < ?2 ORDER BY seq`

// openRawAuditReader opens file read-only and begins a read transaction
// in it, which it keeps until close: it is used only when that snapshot
// holds the audit head (headSeq, headHash), so it reads the very entries
// the verifying transaction sees.
func openRawAuditReader(file string, headSeq int64, headHash string) (_ *rawAuditReader, err error) {
	r := &rawAuditReader{tls: libc.NewTLS()}
	defer func() {
		if err != nil {
			r.close()
		}
	}()
	name, err := libc.CString(file)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(r.tls, name)
	out := libc.Xmalloc(r.tls, 8)
	if out == 0 {
		return nil, errors.New("store: out of memory")
	}
	defer libc.Xfree(r.tls, out)
	rc := sqlite3.Xsqlite3_open_v2(r.tls, name, out, sqlite3.SQLITE_OPEN_READONLY|sqlite3.SQLITE_OPEN_NOMUTEX, 0)
	r.db = *(*uintptr)(cMemory(out))
	if rc != sqlite3.SQLITE_OK {
		return nil, r.errorf("opening", rc)
	}
	sqlite3.Xsqlite3_busy_timeout(r.tls, r.db, 10000)
	if err := r.exec(`BEGIN`); err != nil {
		return nil, err
	}
	head, err := r.prepare(`SELECT seq, hash FROM audit_head WHERE id = 1`)
	if err != nil {
		return nil, err
	}
	defer sqlite3.Xsqlite3_finalize(r.tls, head)
	if rc := sqlite3.Xsqlite3_step(r.tls, head); rc != sqlite3.SQLITE_ROW {
		return nil, r.errorf("reading the audit head", rc)
	}
	if sqlite3.Xsqlite3_column_int64(r.tls, head, 0) != headSeq || r.text(head, 1) != headHash {
		return nil, errors.New("store: another snapshot")
	}
	if r.stmt, err = r.prepare(rawAuditQuery); err != nil {
		return nil, err
	}
	return r, nil
}

// read appends the entries with lo <= seq < hi to c, in seq order, or
// returns errNotPacked (see rawAuditReader).
func (r *rawAuditReader) read(c *auditChunk, lo, hi int64) error {
	defer sqlite3.Xsqlite3_reset(r.tls, r.stmt)
	if sqlite3.Xsqlite3_bind_int64(r.tls, r.stmt, 1, lo) != sqlite3.SQLITE_OK || sqlite3.Xsqlite3_bind_int64(r.tls, r.stmt, 2, hi) != sqlite3.SQLITE_OK {
		return errNotPacked
	}
	c.text = c.text[:0]
	var ends [12]int // where each text column ends in c.text
	for {
		switch rc := sqlite3.Xsqlite3_step(r.tls, r.stmt); rc {
		case sqlite3.SQLITE_DONE:
			return nil
		case sqlite3.SQLITE_ROW:
		default:
			return errNotPacked
		}
		if sqlite3.Xsqlite3_column_type(r.tls, r.stmt, 0) != sqlite3.SQLITE_INTEGER {
			return errNotPacked
		}
		// The columns go into c.text one after another; the entry's
		// strings are taken once the row is in, as c.text may move.
		start := len(c.text)
		for i := int32(1); i < 12; i++ {
			if sqlite3.Xsqlite3_column_type(r.tls, r.stmt, i) != sqlite3.SQLITE_TEXT {
				return errNotPacked
			}
			p := sqlite3.Xsqlite3_column_text(r.tls, r.stmt, i)
			n := int(sqlite3.Xsqlite3_column_bytes(r.tls, r.stmt, i))
			if n > 0 {
				if p == 0 {
					return errNotPacked
				}
				if len(c.text)+n > cap(c.text) { // double it: a chunk's text grows to megabytes
					c.text = slices.Grow(c.text, max(n, cap(c.text)))
				}
				c.text = append(c.text, unsafe.Slice((*byte)(cMemory(p)), n)...)
			}
			ends[i] = len(c.text)
		}
		if c.n == len(c.entries) { // only seqs below 1 can crowd a chunk
			c.grow()
		}
		e := &c.entries[c.n]
		e.Seq = sqlite3.Xsqlite3_column_int64(r.tls, r.stmt, 0)
		row := unsafe.String(unsafe.SliceData(c.text[start:]), len(c.text)-start)
		field := func(i int) string {
			from := 0
			if i > 1 {
				from = ends[i-1] - start
			}
			return row[from : ends[i]-start]
		}
		at := field(1)
		e.ActorID, e.OrgID, e.CaseID, e.Action, e.Detail = field(2), field(3), field(4), field(5), field(6)
		e.PrevHash, e.Hash, e.KeyID, e.Heads, e.RequestID = field(7), field(8), field(9), field(10), field(11)
		var ok bool
		if e.At, ok = canonicalUTC(at); !ok {
			c.slow = append(c.slow, c.n)
		}
		c.n++
	}
}

func (r *rawAuditReader) close() {
	if r.stmt != 0 {
		sqlite3.Xsqlite3_finalize(r.tls, r.stmt)
	}
	if r.db != 0 {
		sqlite3.Xsqlite3_close_v2(r.tls, r.db) // ends the read transaction: it wrote nothing
	}
	r.tls.Close()
}

func (r *rawAuditReader) exec(q string) error {
	s, err := libc.CString(q)
	if err != nil {
		return err
	}
	defer libc.Xfree(r.tls, s)
	if rc := sqlite3.Xsqlite3_exec(r.tls, r.db, s, 0, 0, 0); rc != sqlite3.SQLITE_OK {
		return r.errorf(q, rc)
	}
	return nil
}

func (r *rawAuditReader) prepare(q string) (uintptr, error) {
	s, err := libc.CString(q)
	if err != nil {
		return 0, err
	}
	defer libc.Xfree(r.tls, s)
	out := libc.Xmalloc(r.tls, 8)
	if out == 0 {
		return 0, errors.New("store: out of memory")
	}
	defer libc.Xfree(r.tls, out)
	if rc := sqlite3.Xsqlite3_prepare_v2(r.tls, r.db, s, -1, out, 0); rc != sqlite3.SQLITE_OK {
		return 0, r.errorf("preparing", rc)
	}
	return *(*uintptr)(cMemory(out)), nil
}

// text is a text column of the current row, copied.
func (r *rawAuditReader) text(stmt uintptr, i int32) string {
	p := sqlite3.Xsqlite3_column_text(r.tls, stmt, i)
	n := int(sqlite3.Xsqlite3_column_bytes(r.tls, stmt, i))
	if p == 0 || n == 0 {
		return ""
	}
	return string(unsafe.Slice((*byte)(cMemory(p)), n))
}

func (r *rawAuditReader) errorf(what string, rc int32) error {
	msg := ""
	if r.db != 0 {
		msg = libc.GoString(sqlite3.Xsqlite3_errmsg(r.tls, r.db))
	}
	return fmt.Errorf("store: reading the audit log: %s: %s (%d)", what, msg, rc)
}

// cMemory is SQLite's memory at p: the SQLite library keeps its memory
// outside Go's heap, where a Go pointer to it never moves and is never
// collected.
func cMemory(p uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&p)) }
