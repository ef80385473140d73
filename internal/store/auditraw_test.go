package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark/internal/audit"
)

// The audit log's own reader gives every entry exactly as the driver reads
// it, column by column (text with separators, quotes, NULs and any
// script, empty columns, entries of megabytes), and leaves to the driver
// any row with bytes where text belongs; it reads
// only a snapshot that holds the audit head the verifier saw.
func TestTheAuditLogsOwnReaderReadsWhatTheDriverReads(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "w.db")
	db, err := Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 10, 9, 0, 0, 123456000, time.UTC)
	rows := []audit.Entry{
		{ActorID: "user-1", OrgID: "org-1", CaseID: "case-1", Action: audit.ActionCaseViewed, Detail: "viewed", PrevHash: "", Hash: "h1", KeyID: "k1", Heads: "case-1:3:ab", RequestID: "req-1"},
		{ActorID: "", OrgID: "", CaseID: "", Action: "", Detail: "", PrevHash: "h1", Hash: "h2", KeyID: "", Heads: "", RequestID: ""},
		{ActorID: "ü\x1f'\"", OrgID: "組織", CaseID: "case-\x00-nul", Action: "a\nb", Detail: strings.Repeat("long detail ", 200_000), PrevHash: "h2", Hash: "h3"},
		{ActorID: "user-4", Action: audit.ActionSignIn, Detail: "d", PrevHash: "h3", Hash: "h4"},
	}
	for i, e := range rows {
		if _, err := db.sql.ExecContext(ctx, `INSERT INTO audit_log(seq, at, actor_id, org_id, case_id, action, detail, prev_hash, hash, key_id, heads, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			i+1, at.Add(time.Duration(i)*time.Second), e.ActorID, e.OrgID, e.CaseID, e.Action, e.Detail, e.PrevHash, e.Hash, e.KeyID, e.Heads, e.RequestID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.sql.ExecContext(ctx, `UPDATE audit_head SET seq = 4, hash = 'h4' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	byDriver := func() []audit.Entry {
		t.Helper()
		var out []audit.Entry
		rs, err := db.sql.QueryContext(ctx, `SELECT seq, at, actor_id, org_id, case_id, action, detail, prev_hash, hash, key_id, heads, request_id FROM audit_log ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		for rs.Next() {
			var e audit.Entry
			if err := rs.Scan(&e.Seq, &e.At, &e.ActorID, &e.OrgID, &e.CaseID, &e.Action, &e.Detail, &e.PrevHash, &e.Hash, &e.KeyID, &e.Heads, &e.RequestID); err != nil {
				t.Fatal(err)
			}
			out = append(out, e)
		}
		return out
	}
	read := func(headSeq int64, headHash string) (*auditChunk, error) {
		t.Helper()
		r, err := openRawAuditReader(file, headSeq, headHash)
		if err != nil {
			return nil, err
		}
		defer r.close()
		c := newAuditChunk()
		return c, r.read(c, 1, 100)
	}

	c, err := read(4, "h4")
	if err != nil {
		t.Fatal(err)
	}
	want := byDriver()
	if c.n != len(want) {
		t.Fatalf("read %d entries, the driver %d", c.n, len(want))
	}
	for i := range want {
		if got := c.entries[i]; !got.At.Equal(want[i].At) || got.At.Location() != time.UTC || func() bool { got.At = want[i].At; return got != want[i] }() {
			t.Errorf("entry %d read as %+.200v, the driver reads %+.200v", i+1, c.entries[i], want[i])
		}
	}

	if _, err := read(3, "h3"); err == nil {
		t.Error("a reader whose snapshot holds another audit head was opened")
	}
	for _, change := range []string{
		`UPDATE audit_log SET detail = CAST(detail AS BLOB) WHERE seq = 2`,
		`UPDATE audit_log SET hash = CAST(hash AS BLOB) WHERE seq = 2`,
	} {
		t.Run(change, func(t *testing.T) {
			tx, err := db.sql.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.ExecContext(ctx, change); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			if _, err := read(4, "h4"); !errors.Is(err, errNotPacked) {
				t.Errorf("read: %v, want the row left to the driver", err)
			}
			if _, err := db.sql.ExecContext(ctx, `DELETE FROM audit_log WHERE seq NOT IN (1, 3, 4)`); err != nil {
				t.Fatal(err)
			}
			e := rows[1]
			if _, err := db.sql.ExecContext(ctx, `INSERT INTO audit_log(seq, at, actor_id, org_id, case_id, action, detail, prev_hash, hash, key_id, heads, request_id) VALUES (2, $1, '', '', '', '', '', $2, $3, '', '', '')`,
				at.Add(time.Second), e.PrevHash, e.Hash); err != nil {
				t.Fatal(err)
			}
		})
	}
}
