package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark/internal/crypt"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// caseTables are the tables that grow with the number of cases: no step of
// starting `serve`, nor the first /readyz, may walk any of them. (Erasure
// records are still read at every start, by the erasure checks and the
// ledger: they grow with the erasures, not yet with nothing.)
var caseTables = []string{"cases", "case_events", "case_members", "clocks", "search_tokens", "concern_drafts", "nrm_drafts"}

// plainProbed are the case tables a start does read, but only through the
// partial indexes of migration 0021 that hold the rows still in plain text
// (store.SealPlaintext): in a sealed database they are empty. PostgreSQL
// asks for SELECT on the table even for a probe of an index, so serve keeps
// it on these three, and the start-up test cannot show by a refusal that
// nothing else reads them at start; that the probes are planned on those
// indexes and never as a walk of the table is shown, on both stores, by
// store's TestLookingForPlainTextProbesAnIndexAndWalksNoTable.
var plainProbed = map[string]bool{"cases": true, "case_events": true, "concern_drafts": true}

// partnershipWithACase makes a PostgreSQL database holding a partnership
// and one case raised through the use cases, encrypted and sealed under a
// master key, and returns serve's environment for it.
func partnershipWithACase(t *testing.T) (vars map[string]string, admin *sql.DB) {
	t.Helper()
	u, pw := postgresSchema(t)
	keys := keyFile(t)
	vars = map[string]string{"WAYMARK_DATABASE_URL": u, "WAYMARK_DATABASE_PASSWORD": pw, "WAYMARK_MASTER_KEY_FILE": keys,
		"WAYMARK_ERASURE_LEDGER": filepath.Join(t.TempDir(), "erasures.ledger")}
	if err := run(context.Background(), []string{"migrate", "--create"}, env(vars), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	full, _ := url.Parse(u)
	full.User = url.UserPassword(full.User.Username(), pw)
	db, err := store.Open(context.Background(), full.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	text, err := os.ReadFile(keys)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := crypt.ParseKeys(string(text))
	if err != nil {
		t.Fatal(err)
	}
	db.SetKeyRing(ring)
	clock := storetest.NewClock(storetest.Start)
	p := storetest.NewPartnership(t, db, clock)
	svc := storetest.Service(t, db, clock)
	if _, err := svc.RaiseConcern(context.Background(), p.Teacher, storetest.ValidConcern(clock.Now())); err != nil {
		t.Fatal(err)
	}
	return vars, db.SQL()
}

// searchPath is the schema a test database URL names.
func searchPath(t *testing.T, u string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil || p.Query().Get("search_path") == "" {
		t.Fatalf("no schema in %s", u)
	}
	return p.Query().Get("search_path")
}

// serveWith runs `serve` on a free port with vars and returns its URL once
// it listens; it is stopped when the test ends.
func serveWith(t *testing.T, vars map[string]string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	logs := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--log-format", "text"}, env(vars), strings.NewReader(""), pw, logs)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	addr := ""
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "Waymark is listening on "); ok {
			addr, _, _ = strings.Cut(rest, " ")
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if addr == "" {
		cancel()
		t.Fatalf("serve did not start:\n%v\n%s", <-done, logs)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve exited with %v\n%s", err, logs)
		}
	})
	return addr
}

// Starting costs the same with a million cases as with one: no start-up
// step (opening and checking the schema, the master keys, sealing, the
// erasure checks, the workers) and not the first /readyz reads any table
// that grows with the cases. Shown on PostgreSQL, where reading them can be
// taken away: once every start walked every event looking for one written
// in plain text, and /readyz every data key. (Looking for plain text is now
// a probe of indexes that hold only such rows: see plainProbed.)
func TestServeStartsAndIsReadyWithoutReadingATableThatGrowsWithTheCases(t *testing.T) {
	vars, admin := partnershipWithACase(t)
	// The test database's user owns the tables (and may be a superuser,
	// whom no privilege binds): serve runs as a role of its own that may do
	// everything but read the case tables.
	role := "startup_" + strings.TrimPrefix(searchPath(t, vars["WAYMARK_DATABASE_URL"]), "cfg_")
	schema := searchPath(t, vars["WAYMARK_DATABASE_URL"])
	for _, q := range []string{
		`CREATE ROLE ` + role + ` LOGIN PASSWORD 'startup'`,
		`GRANT USAGE ON SCHEMA ` + schema + ` TO ` + role,
		`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ` + schema + ` TO ` + role,
		`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ` + schema + ` TO ` + role,
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatalf("%s: %v (the test database's user needs CREATEROLE, as .ci/run gives it)", q, err)
		}
	}
	t.Cleanup(func() {
		admin.Exec(`DROP OWNED BY ` + role)
		admin.Exec(`DROP ROLE ` + role)
	})
	for _, table := range caseTables {
		if plainProbed[table] {
			continue
		}
		if _, err := admin.Exec(`REVOKE SELECT ON ` + schema + `.` + table + ` FROM ` + role); err != nil {
			t.Fatal(err)
		}
	}
	u, _ := url.Parse(vars["WAYMARK_DATABASE_URL"])
	u.User = url.User(role)
	vars["WAYMARK_DATABASE_URL"], vars["WAYMARK_DATABASE_PASSWORD"] = u.String(), "startup"
	addr := serveWith(t, vars)
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz: %d %s", resp.StatusCode, body)
	}
}

// manyCases makes a SQLite database in a new data folder holding a
// partnership and n cases: one raised through the use cases, encrypted and
// sealed, and n-1 copies of its rows under other ids (their seals do not
// match: `waymark verify` would say so, serve does not look). It returns
// the data folder and the master key file.
func manyCases(tb testing.TB, n int) (dir, keys string) {
	tb.Helper()
	dir = filepath.Join(tb.TempDir(), "data")
	keys = filepath.Join(tb.TempDir(), "waymark.keys")
	line, err := crypt.GenerateKey()
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(keys, []byte(line+"\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := run(context.Background(), []string{"migrate", "--create", "--data", dir}, env(nil), nil, io.Discard, io.Discard); err != nil {
		tb.Fatal(err)
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, "waymark.db"))
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	ring, err := crypt.ParseKeys(line)
	if err != nil {
		tb.Fatal(err)
	}
	db.SetKeyRing(ring)
	clock := storetest.NewClock(storetest.Start)
	p := storetest.NewPartnership(tb, db, clock)
	id, err := storetest.Service(tb, db, clock).RaiseConcern(context.Background(), p.Teacher, storetest.ValidConcern(clock.Now()))
	if err != nil {
		tb.Fatal(err)
	}
	copies := map[string]map[string]string{ // table: column: what each copy holds
		"cases":         {"id": "printf('%s-%d', id, n.i)", "reference": "printf('%s-%d', reference, n.i)"},
		"case_events":   {"case_id": "printf('%s-%d', case_id, n.i)"},
		"case_members":  {"case_id": "printf('%s-%d', case_id, n.i)"},
		"clocks":        {"case_id": "printf('%s-%d', case_id, n.i)"},
		"search_tokens": {"case_id": "printf('%s-%d', case_id, n.i)"},
		"data_keys":     {"owner_id": "printf('%s-%d', owner_id, n.i)"},
	}
	for _, table := range []string{"cases", "data_keys", "case_events", "case_members", "clocks", "search_tokens"} { // cases first: the others refer to them
		replace := copies[table]
		rows, err := db.SQL().Query(`SELECT name FROM pragma_table_info('` + table + `')`)
		if err != nil {
			tb.Fatal(err)
		}
		var cols, exprs []string
		for rows.Next() {
			var c string
			rows.Scan(&c)
			cols = append(cols, c)
			if e, ok := replace[c]; ok {
				exprs = append(exprs, e)
			} else {
				exprs = append(exprs, c)
			}
		}
		rows.Close()
		where := map[string]string{"cases": "id", "data_keys": "owner_id"}[table]
		if where == "" {
			where = "case_id"
		}
		q := `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
			INSERT INTO ` + table + `(` + strings.Join(cols, ", ") + `) SELECT ` + strings.Join(exprs, ", ") + ` FROM ` + table + `, n WHERE ` + where + ` = $2`
		if _, err := db.SQL().Exec(q, n-1, id); err != nil {
			tb.Fatalf("%s: %v", table, err)
		}
	}
	return dir, keys
}

// BenchmarkServeColdStartToReady starts `serve` on a database of
// WAYMARK_BENCH_CASES cases (100,000 unless set) and reports the time from
// starting it to the first /readyz that answers 200:
//
//	WAYMARK_BENCH_CASES=1000000 go test ./cmd/waymark/ -run '^$' -bench BenchmarkServeColdStartToReady -benchtime 5x
//
// The process and its caches are warm (serve runs in the benchmark's
// process); the database's pages are as the operating system left them.
func BenchmarkServeColdStartToReady(b *testing.B) {
	n := 100_000
	if s := os.Getenv("WAYMARK_BENCH_CASES"); s != "" {
		fmt.Sscan(s, &n)
	}
	dir, keys := manyCases(b, n)
	client := &http.Client{Timeout: 10 * time.Second}
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--master-key-file", keys, "--log-format", "text"}, env(nil), strings.NewReader(""), pw, io.Discard)
			pw.Close()
		}()
		sc := bufio.NewScanner(pr)
		addr := ""
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "Waymark is listening on "); ok {
				addr, _, _ = strings.Cut(rest, " ")
				break
			}
		}
		go io.Copy(io.Discard, pr)
		if addr == "" {
			cancel()
			b.Fatalf("serve did not start: %v", <-done)
		}
		for {
			resp, err := client.Get(addr + "/readyz")
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		b.StopTimer()
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(n), "cases")
}
