package store_test

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"waymark/internal/audit"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// fillAudit writes n keyed audit entries straight into an empty audit log,
// sealed exactly as AppendAudit seals them (a request id on most, case
// heads on some), in batches of many rows a statement: fast enough to make
// hundreds of thousands for a benchmark.
func fillAudit(tb testing.TB, db *store.DB, n int) {
	tb.Helper()
	fillAuditSized(tb, db, n, 0)
}

// fillAuditSized is fillAudit with each entry's detail padded to at least
// detail bytes (a seeded case's one entry lists its 20 steps in about 830).
func fillAuditSized(tb testing.TB, db *store.DB, n, detail int) {
	tb.Helper()
	ring := storetest.KeyRing()
	keyID := ring.Primary()
	key, err := ring.SealKey(keyID)
	if err != nil {
		tb.Fatal(err)
	}
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	const batch = 400
	var (
		seq  int64
		hash string
		q    strings.Builder
		args []any
	)
	for start := 0; start < n; start += batch {
		q.Reset()
		args = args[:0]
		q.WriteString(`INSERT INTO audit_log(seq, at, actor_id, org_id, case_id, action, detail, prev_hash, hash, key_id, heads, request_id) VALUES `)
		for i := start; i < min(start+batch, n); i++ {
			e := audit.Entry{
				At:      storetest.Start.Add(time.Duration(i) * 1237 * time.Millisecond),
				ActorID: "user-" + strconv.Itoa(i%211), OrgID: "org-" + strconv.Itoa(i%17), CaseID: fmt.Sprintf("case-%07d", i%50000),
				Action: audit.ActionCaseViewed, Detail: "viewed the case page",
			}
			if i%3 != 0 {
				e.RequestID = fmt.Sprintf("req-%012x", i)
			}
			if i%4 == 0 {
				e.Action, e.Detail = audit.ActionContactRecorded, "recorded a contact"
				e.Heads = audit.FormatHeads(map[string]audit.Head{e.CaseID: {Seq: 1 + i/50000, MAC: strings.Repeat("ab", 32)}})
			}
			if len(e.Detail) < detail {
				e.Detail += strings.Repeat(",note_added#"+strconv.Itoa(i%20), 1+(detail-len(e.Detail))/14)
			}
			e = audit.SealKeyed(e, seq, hash, keyID, key, 1)
			seq, hash = e.Seq, e.Hash
			if i > start {
				q.WriteString(", ")
			}
			p := len(args)
			q.WriteString("(")
			for j := range 12 {
				if j > 0 {
					q.WriteString(", ")
				}
				if db.Dialect == store.SQLite {
					q.WriteString("?") // SQLite looks numbered parameters up by name: slow for thousands
				} else {
					q.WriteString("$" + strconv.Itoa(p+j+1))
				}
			}
			q.WriteString(")")
			args = append(args, e.Seq, e.At, e.ActorID, e.OrgID, e.CaseID, e.Action, e.Detail, e.PrevHash, e.Hash, e.KeyID, e.Heads, e.RequestID)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET seq = $1, hash = $2, keyed_from = 1 WHERE id = 1`, seq, hash); err != nil {
		tb.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkVerifyAudit verifies an audit log of VERIFY_BENCH_ENTRIES
// entries (200,000 unless set) and reports entries a second, and the CPU
// time (all goroutines, user and kernel) each entry cost, which a busy
// machine inflates less than the wall clock. VERIFY_BENCH_DETAIL pads each
// entry's detail to that many bytes (830 makes entries the size of a
// seeded case's one entry; unset, they are the size of a step's):
//
//	go test ./internal/store/ -run '^$' -bench BenchmarkVerifyAudit -benchtime 3x
//	VERIFY_BENCH_DETAIL=830 go test ./internal/store/ -run '^$' -bench BenchmarkVerifyAudit -benchtime 3x
//
// With TEST_DATABASE_URL set it runs on PostgreSQL too.
func BenchmarkVerifyAudit(b *testing.B) {
	n := 200_000
	if s := os.Getenv("VERIFY_BENCH_ENTRIES"); s != "" {
		if v, err := strconv.Atoi(s); err == nil && v > 0 {
			n = v
		}
	}
	for _, s := range storetest.Stores(b) {
		b.Run(s.Name, func(b *testing.B) {
			// The store outlives one run (-count), so it is filled once.
			var have int64
			if err := s.DB.SQL().QueryRow(`SELECT seq FROM audit_head WHERE id = 1`).Scan(&have); err != nil {
				b.Fatal(err)
			}
			if have == 0 {
				detail, _ := strconv.Atoi(os.Getenv("VERIFY_BENCH_DETAIL"))
				fillAuditSized(b, s.DB, n, detail)
			} else if have != int64(n) {
				b.Fatalf("the store already holds %d audit entries, not %d", have, n)
			}
			cpu := cpuTime()
			for b.Loop() {
				got, err := s.DB.VerifyAudit(nil)
				if err != nil || got != int64(n) {
					b.Fatalf("verified %d entries, %v; want %d", got, err, n)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
			b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Microsecond)/float64(n*b.N), "cpu-µs/entry")
		})
	}
}

// verifyOneByOne is how the audit chain was verified before it was read in
// chunks and checked on many goroutines: every entry in seq order through
// one audit.Verifier, then the head. The chunked verification must name
// exactly the entry, and give exactly the reason, this names.
func verifyOneByOne(t *testing.T, db *store.DB) error {
	t.Helper()
	var headSeq, keyedFrom int64
	var headHash string
	if err := db.SQL().QueryRowContext(ctx, `SELECT seq, hash, keyed_from FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash, &keyedFrom); err != nil {
		t.Fatal(err)
	}
	v := &audit.Verifier{KeyedFrom: keyedFrom, Key: storetest.KeyRing().SealKey}
	rows, err := db.SQL().QueryContext(ctx, `SELECT seq, at, actor_id, org_id, case_id, action, detail, prev_hash, hash, key_id, heads, request_id FROM audit_log ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var e audit.Entry
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.OrgID, &e.CaseID, &e.Action, &e.Detail, &e.PrevHash, &e.Hash, &e.KeyID, &e.Heads, &e.RequestID); err != nil {
			return fmt.Errorf("store: scanning audit entry: %w", err)
		}
		if err := v.Next(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return v.End(headSeq, headHash)
}

// The audit chain is read in chunks of a few thousand entries by two
// transactions at once and checked on every processor, yet a break is
// named at the same first entry, with the same reason, as checking one
// entry after another names it: in the first chunk, a middle one and the
// last; on either side of a chunk's edge; and when a later chunk is broken
// too (and may be checked first).
func TestABreakInAnyChunkIsNamedAtTheFirstEntryAsBefore(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 12,500 audit entries a store")
	}
	const n = 3*4096 + 212 // four chunks, the last short
	set := func(t *testing.T, db *store.DB, seq int64, column, value string) {
		t.Helper()
		if _, err := db.SQL().ExecContext(ctx, `UPDATE audit_log SET `+column+` = $1 WHERE seq = $2`, value, seq); err != nil {
			t.Fatal(err)
		}
	}
	del := func(t *testing.T, db *store.DB, seq int64) {
		t.Helper()
		if _, err := db.SQL().ExecContext(ctx, `DELETE FROM audit_log WHERE seq = $1`, seq); err != nil {
			t.Fatal(err)
		}
	}
	copyAs := func(t *testing.T, db *store.DB, from, to int64) {
		t.Helper()
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO audit_log(seq, at, actor_id, org_id, case_id, action, detail, prev_hash, hash, key_id, heads, request_id)
			SELECT $1, at, actor_id, org_id, case_id, action, detail, prev_hash, hash, key_id, heads, request_id FROM audit_log WHERE seq = $2`, to, from); err != nil {
			t.Fatal(err)
		}
	}
	type tamper struct {
		name    string
		tamper  func(t *testing.T, db *store.DB)
		brokeAt int64
	}
	cases := []tamper{
		{"an early entry altered", func(t *testing.T, db *store.DB) { set(t, db, 7, "detail", "nothing to see") }, 7},
		{"the first entry altered", func(t *testing.T, db *store.DB) { set(t, db, 1, "actor_id", "someone-else") }, 1},
		{"a middle chunk's entry altered", func(t *testing.T, db *store.DB) { set(t, db, 4096+2000, "detail", "x") }, 4096 + 2000},
		{"the last entry of a chunk altered", func(t *testing.T, db *store.DB) { set(t, db, 2*4096, "detail", "x") }, 2 * 4096},
		{"the first entry of a chunk altered", func(t *testing.T, db *store.DB) { set(t, db, 2*4096+1, "detail", "x") }, 2*4096 + 1},
		{"the first entry of a chunk deleted", func(t *testing.T, db *store.DB) { del(t, db, 4096+1) }, 4096 + 2},
		{"a chunk's link to the one before cut", func(t *testing.T, db *store.DB) { set(t, db, 3*4096+1, "prev_hash", strings.Repeat("0", 64)) }, 3*4096 + 1},
		{"a last chunk's entry altered", func(t *testing.T, db *store.DB) { set(t, db, n-3, "request_id", "req-forged") }, n - 3},
		{"the last entry deleted", func(t *testing.T, db *store.DB) { del(t, db, n) }, n},
		{"a middle chunk and a later one altered", func(t *testing.T, db *store.DB) {
			set(t, db, 3*4096+5, "detail", "x")
			set(t, db, 4096+9, "detail", "x")
		}, 4096 + 9},
		{"the last chunk and the first altered", func(t *testing.T, db *store.DB) {
			set(t, db, n-1, "detail", "x")
			set(t, db, 3, "heads", "case-x:1:ab")
		}, 3},
		{"an entry put before the first", func(t *testing.T, db *store.DB) { copyAs(t, db, 5, 0) }, 0},
		{"an entry put far past the end", func(t *testing.T, db *store.DB) { copyAs(t, db, 5, n+9000) }, n + 9000},
		{"an entry's time stored in another spelling of another instant", func(t *testing.T, db *store.DB) {
			set(t, db, 4096+3, "at", "2026-03-10T09:00:00Z")
		}, 4096 + 3},
	}
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		fillAudit(t, db, n)
		if got, err := db.VerifyAudit(nil); err != nil || got != n {
			t.Fatalf("untouched: verified %d entries, %v", got, err)
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := db.SQL().ExecContext(ctx, `DELETE FROM audit_log`); err != nil {
					t.Fatal(err)
				}
				fillAudit(t, db, n)
				tc.tamper(t, db)
				want := verifyOneByOne(t, db)
				_, err := db.VerifyAudit(nil)
				var got, was *audit.BrokenError
				if !errors.As(err, &got) || !errors.As(want, &was) {
					t.Fatalf("got %v, one by one %v", err, want)
				}
				if *got != *was || got.Seq != tc.brokeAt {
					t.Fatalf("broken at %d (%s); one entry after another names %d (%s); want %d", got.Seq, got.Reason, was.Seq, was.Reason, tc.brokeAt)
				}
			})
		}
	})
}

// A time SQLite keeps in another spelling of the same instant verifies as
// it did (the driver reads it); text that is no time at all stops
// verification at that entry, as it did, after every entry before it.
func TestAnAuditTimeInAnotherSpellingIsReadAsBefore(t *testing.T) {
	db := storetest.SQLite(t)
	const n = 4096 + 10
	fillAudit(t, db, n)
	var at time.Time
	if err := db.SQL().QueryRowContext(ctx, `SELECT at FROM audit_log WHERE seq = 4100`).Scan(&at); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, `UPDATE audit_log SET at = $1 WHERE seq = 4100`, at.In(time.FixedZone("", 3600)).Format("2006-01-02T15:04:05.999999999-07:00")); err != nil {
		t.Fatal(err)
	}
	if got, err := db.VerifyAudit(nil); err != nil || got != n {
		t.Fatalf("the same instant spelt another way: verified %d, %v", got, err)
	}
	if _, err := db.SQL().ExecContext(ctx, `UPDATE audit_log SET at = 'not a time' WHERE seq = 4100`); err != nil {
		t.Fatal(err)
	}
	want := verifyOneByOne(t, db)
	got, err := db.VerifyAudit(nil)
	if err == nil || want == nil || err.Error() != want.Error() || got != 4099 {
		t.Fatalf("a time that is not one: verified %d, %v; one by one: %v", got, err, want)
	}
}

// appendSealed seals e after the head of db's audit log, writes it and
// moves the head, as AppendAudit would, with the test key.
func appendSealed(t *testing.T, db *store.DB, e audit.Entry) {
	t.Helper()
	ring := storetest.KeyRing()
	key, err := ring.SealKey(ring.Primary())
	if err != nil {
		t.Fatal(err)
	}
	var seq int64
	var hash string
	if err := db.SQL().QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &hash); err != nil {
		t.Fatal(err)
	}
	e = audit.SealKeyed(e, seq, hash, ring.Primary(), key, 1)
	if _, err := db.SQL().ExecContext(ctx, `INSERT INTO audit_log(seq, at, actor_id, org_id, case_id, action, detail, prev_hash, hash, key_id, heads, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		e.Seq, e.At, e.ActorID, e.OrgID, e.CaseID, e.Action, e.Detail, e.PrevHash, e.Hash, e.KeyID, e.Heads, e.RequestID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, e.Seq, e.Hash); err != nil {
		t.Fatal(err)
	}
}

// On SQLite an audit row is read as one text of its columns joined by a
// separator; a column that holds the separator itself, or bytes where text
// was, is still read exactly as its column holds it, so an entry that
// carries one verifies, and one changed to carry one is named as checking
// one entry after another names it.
func TestAnAuditColumnHoldingTheSeparatorIsReadExactly(t *testing.T) {
	const n = 2*4096 + 30
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		fillAudit(t, db, n)
		appendSealed(t, db, audit.Entry{At: storetest.Start.Add(time.Hour), ActorID: "user-1", OrgID: "org-1", CaseID: "case-\x1f",
			Action: audit.ActionCaseViewed, Detail: "\x1fa detail\x1f with separators\x1f", RequestID: "req-\x1f"})
		appendSealed(t, db, audit.Entry{At: storetest.Start.Add(2 * time.Hour), ActorID: "user-2", OrgID: "org-2", Action: audit.ActionCaseListed, Detail: "listed\x1f"})
		if got, err := db.VerifyAudit(nil); err != nil || got != n+2 {
			t.Fatalf("entries holding the separator: verified %d, %v; want %d", got, err, n+2)
		}
		if db.Dialect == store.SQLite { // the same bytes kept as a blob read as the text they were
			if _, err := db.SQL().ExecContext(ctx, `UPDATE audit_log SET detail = CAST(detail AS BLOB) WHERE seq IN (3, $1)`, n+1); err != nil {
				t.Fatal(err)
			}
			if err := verifyOneByOne(t, db); err != nil {
				t.Fatalf("one by one: %v", err)
			}
			if got, err := db.VerifyAudit(nil); err != nil || got != n+2 {
				t.Fatalf("details kept as bytes: verified %d, %v; want %d", got, err, n+2)
			}
		}
		for _, tc := range []struct {
			seq           int64
			column, value string
		}{
			{4096 + 17, "detail", "viewed the case\x1fpage"},
			{5, "request_id", "\x1f"},
			{4096 + 1, "actor_id", "user-1\x1f"},
			{2*4096 + 3, "prev_hash", "\x1f"},
			{n + 1, "case_id", "case-"},
			{n + 2, "detail", "listed"},
		} {
			var was string
			if err := db.SQL().QueryRowContext(ctx, `SELECT `+tc.column+` FROM audit_log WHERE seq = $1`, tc.seq).Scan(&was); err != nil {
				t.Fatal(err)
			}
			if _, err := db.SQL().ExecContext(ctx, `UPDATE audit_log SET `+tc.column+` = $1 WHERE seq = $2`, tc.value, tc.seq); err != nil {
				t.Fatal(err)
			}
			want := verifyOneByOne(t, db)
			_, err := db.VerifyAudit(nil)
			var got, one *audit.BrokenError
			if !errors.As(err, &got) || !errors.As(want, &one) || *got != *one || got.Seq != tc.seq {
				t.Fatalf("%s of %d set to %q: got %v; one by one %v", tc.column, tc.seq, tc.value, err, want)
			}
			if _, err := db.SQL().ExecContext(ctx, `UPDATE audit_log SET `+tc.column+` = $1 WHERE seq = $2`, was, tc.seq); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// `audit verify` reads the chain on several connections at once and checks
// seals on every processor, yet in the middle of a long log it still finds
// each way of tampering with it, at the entry and with the reason checking
// one entry after another gives: an entry altered, two entries swapped, an
// entry deleted, and an entry given a previous hash of another entry's.
func TestAuditVerifyOnEveryProcessorStillFindsEachTamperInALongLog(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 20,000 audit entries a store")
	}
	const n, mid = 20_000, 12_345
	exec := func(t *testing.T, db *store.DB, q string, args ...any) {
		t.Helper()
		if _, err := db.SQL().ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	hashOf := func(t *testing.T, db *store.DB, seq int64) string {
		t.Helper()
		var h string
		if err := db.SQL().QueryRowContext(ctx, `SELECT hash FROM audit_log WHERE seq = $1`, seq).Scan(&h); err != nil {
			t.Fatal(err)
		}
		return h
	}
	for _, tc := range []struct {
		name    string
		tamper  func(t *testing.T, db *store.DB)
		brokeAt int64
		reason  string
	}{
		{"an entry altered", func(t *testing.T, db *store.DB) {
			exec(t, db, `UPDATE audit_log SET detail = 'nothing happened' WHERE seq = $1`, mid)
		}, mid, "its contents do not match its seal"},
		{"two entries swapped", func(t *testing.T, db *store.DB) {
			exec(t, db, `UPDATE audit_log SET seq = -1 WHERE seq = $1`, mid)
			exec(t, db, `UPDATE audit_log SET seq = $1 WHERE seq = $2`, mid, mid+1)
			exec(t, db, `UPDATE audit_log SET seq = $1 WHERE seq = -1`, mid+1)
		}, mid, "its link to the previous entry does not match"},
		{"an entry deleted", func(t *testing.T, db *store.DB) {
			exec(t, db, `DELETE FROM audit_log WHERE seq = $1`, mid)
		}, mid + 1, "expected entry 12345 next"},
		{"a previous hash forged", func(t *testing.T, db *store.DB) {
			exec(t, db, `UPDATE audit_log SET prev_hash = $1 WHERE seq = $2`, hashOf(t, db, mid-2), mid)
		}, mid, "its link to the previous entry does not match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
				fillAudit(t, db, n)
				tc.tamper(t, db)
				want := verifyOneByOne(t, db)
				got, err := db.VerifyAudit(nil)
				var b *audit.BrokenError
				if !errors.As(err, &b) || b.Seq != tc.brokeAt || !strings.Contains(b.Reason, tc.reason) || err.Error() != want.Error() {
					t.Fatalf("verified %d, %v; one entry after another: %v; want broken at %d: %s", got, err, want, tc.brokeAt, tc.reason)
				}
				if got != mid-1 {
					t.Fatalf("verified %d entries before the break, want %d", got, mid-1)
				}
			})
		})
	}
}
