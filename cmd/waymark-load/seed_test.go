package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/casework"
	"waymark/internal/demo"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// seedNow is when the seeded data ends in these tests.
var seedNow = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func testSeedConfig(cases, partnerships int) seedConfig {
	return seedConfig{cases: cases, partnerships: partnerships, seed: 7, batch: 40, years: 1, now: seedNow,
		password: seedPassword, totpSecret: demo.TOTPSecret, progress: time.Hour, openDays: 120, cacheMB: 16}
}

func seedCases(t *testing.T) int {
	if testing.Short() {
		return 60
	}
	return 300
}

func runSeeder(t *testing.T, db *store.DB, cfg seedConfig) *seeder {
	t.Helper()
	s, err := newSeeder(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.run(context.Background()); err != nil {
		t.Fatalf("seeding: %v", err)
	}
	return s
}

// The seed writes through the service's own calls, so what `waymark verify`
// checks holds: every case's chain is sealed and matches the audit chain's
// heads, its read models equal a replay of its log, and the audit chain is
// intact. Each step is audited on its own, as the use case doing it is.
func TestASeedOfAFewHundredCasesVerifiesOnBothStores(t *testing.T) {
	ctx := context.Background()
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		n := seedCases(t)
		s := runSeeder(t, db, testSeedConfig(n, 4))
		r, err := db.Verify(ctx, store.VerifyOptions{ReadModels: true})
		if err != nil {
			t.Fatalf("verify after seeding: %v", err)
		}
		if r.Cases != n || int64(r.Events) != s.events || r.Events < n*10 {
			t.Fatalf("verified %d cases with %d events; seeded %d cases with %d events", r.Cases, r.Events, n, s.events)
		}
		if s.audits != s.events {
			t.Errorf("%d audit entries for %d events: want one entry per step (each step is one event)", s.audits, s.events)
		}
		if _, err := db.VerifyAudit(nil); err != nil {
			t.Fatalf("audit verify after seeding: %v", err)
		}
		// Every stage the recent cases can stop at is there, old cases are closed.
		stages := map[string]int{}
		rows, err := db.SQL().QueryContext(ctx, `SELECT stage, closed FROM cases`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var stage string
			var closed bool
			if err := rows.Scan(&stage, &closed); err != nil {
				t.Fatal(err)
			}
			if closed {
				stage = "closed"
			}
			stages[stage]++
		}
		for _, want := range []string{"concern_raised", "contact_recorded", "outcome_given", "closed"} {
			if stages[want] == 0 {
				t.Errorf("no seeded case is at %s: %v", want, stages)
			}
		}
	})
}

// The fast mode writes the same events, sealed and verified alike, with one
// audit entry per case and transaction.
func TestASeedAuditedPerCaseVerifiesToo(t *testing.T) {
	db := storetest.SQLite(t)
	cfg := testSeedConfig(seedCases(t)/2, 3)
	cfg.perCase = true
	s := runSeeder(t, db, cfg)
	r, err := db.Verify(context.Background(), store.VerifyOptions{ReadModels: true})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if r.Cases != cfg.cases || int64(r.Events) != s.events || s.audits != int64(cfg.cases) {
		t.Fatalf("verified %d cases, %d events; seeded %d events with %d audit entries", r.Cases, r.Events, s.events, s.audits)
	}
}

// "150 partnerships" in one database: each group's concerns are routed to
// its own Children's Services, so one team neither lists nor opens another's.
func TestEachPartnershipsCasesGoToItsOwnChildrensServices(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	cfg := testSeedConfig(40, 4)
	cfg.openDays = 400 // every case open somewhere along the pathway
	s := runSeeder(t, db, cfg)
	svc := casework.New(db, s.cat, func() time.Time { return seedNow }, nil)
	teams := map[string]int{}
	rows, err := db.SQL().QueryContext(ctx, `SELECT id, cs_org_id FROM cases ORDER BY raised_at`)
	if err != nil {
		t.Fatal(err)
	}
	var ids, orgs []string
	for rows.Next() {
		var id, org string
		if err := rows.Scan(&id, &org); err != nil {
			t.Fatal(err)
		}
		ids, orgs = append(ids, id), append(orgs, org)
		teams[org]++
	}
	rows.Close()
	if len(teams) != 4 || teams[seedOrgID(0, "cs")] != 10 {
		t.Fatalf("cases by Children's Services organisation: %v", teams)
	}
	viewer := func(p int) casework.Viewer {
		var v casework.Viewer
		if err := db.View(ctx, func(tx *store.Tx) error {
			u, err := tx.UserByEmail(seedEmail(p, "cs1"))
			v = casework.Viewer{User: u}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return v
	}
	own, other := viewer(0), viewer(1)
	for i, id := range ids {
		if orgs[i] != seedOrgID(0, "cs") {
			continue
		}
		if _, err := svc.Case(ctx, own, id); err != nil {
			t.Fatalf("partnership 1's worker cannot open its case %s: %v", id, err)
		}
		if _, err := svc.Case(ctx, other, id); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("partnership 2's worker opened partnership 1's case %s: %v", id, err)
		}
	}
	found, _, err := svc.MyCasesPage(ctx, other, nil)
	if err != nil || len(found) != 10 {
		t.Fatalf("partnership 2's worker lists %d cases (%v), want its own 10", len(found), err)
	}
	// Each group is a partnership of its own: its organisations are in it,
	// and a concern its practitioner raises goes to its own front door.
	var partnerships int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(DISTINCT o.partnership_id) FROM organisations o JOIN partnerships p ON p.id = o.partnership_id`).Scan(&partnerships); err != nil || partnerships != 4 {
		t.Fatalf("the seed's organisations are in %d partnerships (%v), want 4", partnerships, err)
	}
	var teacher casework.Viewer
	if err := db.View(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByEmail(seedEmail(2, "teacher"))
		teacher = casework.Viewer{User: u}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	raised, err := svc.RaiseConcern(ctx, teacher, storetest.ValidConcern(seedNow))
	if err != nil {
		t.Fatal(err)
	}
	var team string
	if err := db.SQL().QueryRowContext(ctx, `SELECT cs_org_id FROM cases WHERE id = $1`, raised).Scan(&team); err != nil || team != seedOrgID(2, "cs") {
		t.Fatalf("a concern raised by partnership 3's teacher went to %q (%v), want %s", team, err, seedOrgID(2, "cs"))
	}
}

// Seeded users sign in as themselves, with the password and authenticator
// secret the load tool is given.
func TestSeededUsersSignInWithTheKnownPasswordAndSecret(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	runSeeder(t, db, testSeedConfig(4, 2))
	var u store.User
	err := db.View(ctx, func(tx *store.Tx) error {
		var err error
		u, err = tx.UserByEmail(seedEmail(1, "sw2"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := access.CheckPassword(u.PasswordHash, seedPassword); !ok || err != nil {
		t.Fatalf("the seeded password does not match %s's hash: %v", u.Email, err)
	}
	if u.Role != pathway.RoleSocialWorker || u.OrgID != seedOrgID(1, "cs") {
		t.Fatalf("sw2.p002 is %s in %s", u.Role, u.OrgID)
	}
	err = db.View(ctx, func(tx *store.Tx) error {
		x, err := tx.TOTPFor(u.ID)
		if err == nil && x.Secret != demo.TOTPSecret {
			t.Errorf("%s's authenticator secret is not the seed's", u.Email)
		}
		return err
	})
	if err != nil {
		t.Fatalf("two-step verification of %s: %v", u.Email, err)
	}
}

// A seed never mixes fictional cases into a database that has organisations,
// unless told to continue its own run; continuing picks up where it stopped.
func TestSeedRefusesADatabaseInUseAndResumesItsOwnRun(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	cfg := testSeedConfig(120, 3)
	s, err := newSeeder(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	stopCtx, stop := context.WithCancel(ctx)
	s.afterBatch = func(done int) {
		if done >= 40 {
			stop()
		}
	}
	if err := s.run(stopCtx); !errors.Is(err, context.Canceled) {
		t.Fatalf("stopped run: %v", err)
	}
	// The search index and the secondary indexes are written once every
	// case is: a seed stopped half-way has neither, and verify says so
	// rather than passing.
	var entries int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM search_viewer_tokens`).Scan(&entries); err != nil || entries != 0 {
		t.Fatalf("a stopped seed left %d search entries (%v); want none until the end", entries, err)
	}
	var missing *store.IndexError
	if _, err := db.Verify(ctx, store.VerifyOptions{ReadModels: true}); !errors.As(err, &missing) || !slices.Contains(missing.Missing, "case_events_plain on case_events") {
		t.Fatalf("verify of a seed stopped before its indexes: %v", err)
	}
	// So are the secondary indexes of the tables it fills: the resumed
	// seed builds them, exactly as the migrations define them.
	fresh := indexDefinitions(t, storetest.SQLite(t))
	if got := indexDefinitions(t, db); len(got) >= len(fresh) {
		t.Fatalf("a stopped seed has %d indexes, a new database %d: none were deferred", len(got), len(fresh))
	}
	err = seedInto(ctx, db, cfg, &bytes.Buffer{})
	if waymark.ErrorCode(err) != waymark.ECONFLICT || !strings.Contains(err.Error(), "--resume") {
		t.Fatalf("a second seed into the same database: %v", err)
	}
	cfg.resume = true
	resumeRefusingAnotherShape(t, ctx, db, cfg)
	r, err := db.Verify(ctx, store.VerifyOptions{ReadModels: true})
	if err != nil || r.Cases != 120 {
		t.Fatalf("after resuming: %d cases, %v", r.Cases, err)
	}
	if got := indexDefinitions(t, db); !slices.Equal(got, fresh) {
		t.Fatalf("after resuming, the indexes are\n%s\nwant, as the migrations make them,\n%s", strings.Join(got, "\n"), strings.Join(fresh, "\n"))
	}
	other := testSeedConfig(120, 5)
	other.resume = true
	if err := seedInto(ctx, db, other, &bytes.Buffer{}); err == nil {
		t.Fatal("resumed with other flags")
	}
}

func TestSeedFlagsAreBoundedAndNeedADatabaseAndKeys(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	none := env(nil)
	for _, args := range [][]string{
		{}, {"--database", "x.db", "--cases", "0"}, {"--database", "x.db", "--partnerships", "1001"},
		{"--database", "x.db", "--batch", "0"}, {"--database", "x.db", "--years", "0.1"}, {"--database", "x.db", "--now", "yesterday"},
		{"--database", "x.db", "--password", "short"}, {"--database", "x.db", "--audit", "never"}, {"--database", "x.db", "extra"},
		{"--database", "x.db", "--workers", "-1"}, {"--database", "x.db", "--workers", "1000"},
	} {
		if _, err := parseSeedFlags(args, &bytes.Buffer{}, none); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
	c, err := parseSeedFlags(nil, &bytes.Buffer{}, env(map[string]string{"WAYMARK_DATABASE_URL": "/data/w.db"}))
	if err != nil || c.database != "/data/w.db" || c.cases != 10_000 || c.partnerships != 150 || c.perCase {
		t.Fatalf("defaults from the environment: %+v, %v", c, err)
	}
	if _, err := seedDatabaseURL("postgres://u:secret@127.0.0.1/db", none); err == nil {
		t.Error("a password on the command line was accepted")
	}
	u, err := seedDatabaseURL("postgres://u@127.0.0.1/db", env(map[string]string{"WAYMARK_DATABASE_PASSWORD": "pw"}))
	if err != nil || u != "postgres://u:pw@127.0.0.1/db" {
		t.Errorf("password from WAYMARK_DATABASE_PASSWORD: %q, %v", u, err)
	}
	if _, err := seedKeyRing("", none); err == nil || !strings.Contains(err.Error(), "master-key-file") {
		t.Errorf("no keys: %v", err)
	}
}

// seedContent is what a seed wrote, row by row, with what encryption
// randomises read through the keys instead: the data keys, the nonces of
// the encrypted payloads and names, and the seals and hashes computed over
// those ciphertexts. Two seeds with the same flags give the same content.
func seedContent(t *testing.T, db *store.DB) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	tables := []struct {
		name, order string
		hide        []string
	}{
		{"cases", "id", []string{"child_name"}},
		{"case_events", "case_id, seq", []string{"payload", "mac"}},
		{"case_members", "case_id, member_kind, member_id", nil},
		{"case_viewers", "case_id, viewer", nil},
		{"clocks", "case_id, clock_id", nil},
		{"queue_items", "case_id, queue, owner_id, lane, due_at, item_id", nil},
		{"audit_log", "seq", []string{"prev_hash", "hash", "heads"}},
		{"data_keys", "owner_kind, owner_id", []string{"wrapped", "created_at"}},
		{"counters", "name", nil},
	}
	for _, tb := range tables {
		rows, err := db.SQL().QueryContext(ctx, `SELECT * FROM `+tb.name+` ORDER BY `+tb.order)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			b.WriteString(tb.name)
			for i, c := range cols {
				if slices.Contains(tb.hide, c) {
					continue
				}
				v := vals[i]
				if raw, ok := v.([]byte); ok {
					v = string(raw)
				}
				fmt.Fprintf(&b, " %s=%v", c, v)
			}
			out = append(out, b.String())
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// The encrypted payloads and search tokens, through the keys.
	var ids []string
	rows, err := db.SQL().QueryContext(ctx, `SELECT c.id, (SELECT COUNT(*) FROM search_tokens s WHERE s.case_id = c.id) FROM cases c ORDER BY c.id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var tokens int
		if err := rows.Scan(&id, &tokens); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		out = append(out, fmt.Sprintf("search_tokens %s: %d", id, tokens))
	}
	rows.Close()
	// Search by viewer: the same viewers and raised times, as many entries.
	rows, err = db.SQL().QueryContext(ctx, `SELECT case_id, viewer, raised_at, COUNT(*) FROM search_viewer_tokens GROUP BY case_id, viewer, raised_at ORDER BY case_id, viewer`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, viewer string
		var raised any
		var n int
		if err := rows.Scan(&id, &viewer, &raised, &n); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("search_viewer_tokens %s %s %v: %d", id, viewer, raised, n))
	}
	rows.Close()
	err = db.View(ctx, func(tx *store.Tx) error {
		for _, id := range ids {
			events, err := tx.CaseEvents(id)
			if err != nil {
				return err
			}
			for _, e := range events {
				payload, err := pathway.EncodePayload(e)
				if err != nil {
					return err
				}
				out = append(out, fmt.Sprintf("event %s#%d %s by %s at %s: %s", id, e.Seq, e.Type, e.Actor.UserID, e.At.Format(time.RFC3339Nano), payload))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Cases prepared by many goroutines and written by one are the cases the
// one-goroutine seed writes through the service's own calls: the same
// events (decided by the pathway, encrypted and sealed), the same audit
// entries, read models, data keys and counter, row for row; and the
// result verifies.
func TestAParallelSeedWritesWhatTheOneGoroutineSeedWrites(t *testing.T) {
	ctx := context.Background()
	for _, mode := range []struct {
		name    string
		perCase bool
	}{{"audit step", false}, {"audit case", true}} {
		t.Run(mode.name, func(t *testing.T) {
			storetest.ForEachStore(t, func(t *testing.T, serial *store.DB) {
				parallel := storetest.SQLite(t)
				if serial.Dialect == store.Postgres {
					parallel = storetest.Postgres(t)
				}
				cfg := testSeedConfig(seedCases(t)/2, 3)
				cfg.perCase = mode.perCase
				runSeeder(t, serial, cfg)
				cfg.workers = 3
				s := runSeeder(t, parallel, cfg)
				if _, err := parallel.Verify(ctx, store.VerifyOptions{ReadModels: true}); err != nil {
					t.Fatalf("verify after a parallel seed: %v", err)
				}
				if _, err := parallel.VerifyAudit(nil); err != nil {
					t.Fatalf("audit verify after a parallel seed: %v", err)
				}
				want, got := seedContent(t, serial), seedContent(t, parallel)
				if s.events == 0 || len(got) < int(s.events) {
					t.Fatalf("the parallel seed wrote %d events, %d rows", s.events, len(got))
				}
				for i := range max(len(want), len(got)) {
					if i >= len(want) || i >= len(got) || want[i] != got[i] {
						w, g := "(none)", "(none)"
						if i < len(want) {
							w = want[i]
						}
						if i < len(got) {
							g = got[i]
						}
						t.Fatalf("row %d differs:\none goroutine: %s\nparallel:      %s", i, w, g)
					}
				}
			})
		})
	}
}

// A parallel seed that stopped resumes where it stopped, numbering its
// contacts on from the counter, and the result is what an uninterrupted
// one-goroutine seed writes.
func TestAParallelSeedResumesAsTheOneGoroutineSeedWould(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds twice and stops and resumes both: in the full run")
	}
	ctx := context.Background()
	serial, parallel := storetest.SQLite(t), storetest.SQLite(t)
	cfg := testSeedConfig(120, 3)
	runSeeder(t, serial, cfg)
	cfg.workers = 2
	s, err := newSeeder(parallel, cfg)
	if err != nil {
		t.Fatal(err)
	}
	stopCtx, stop := context.WithCancel(ctx)
	s.afterBatch = func(done int) {
		if done >= 40 {
			stop()
		}
	}
	if err := s.run(stopCtx); !errors.Is(err, context.Canceled) {
		t.Fatalf("stopped run: %v", err)
	}
	// The secondary indexes and the search index are written once every
	// case is: a seed stopped half-way has neither, and verify says so
	// rather than passing (the missing indexes are found first).
	var entries int
	if err := parallel.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM search_viewer_tokens`).Scan(&entries); err != nil || entries != 0 {
		t.Fatalf("a stopped seed left %d search entries (%v); want none until the end", entries, err)
	}
	var missing *store.IndexError
	if _, err := parallel.Verify(ctx, store.VerifyOptions{ReadModels: true}); !errors.As(err, &missing) || !slices.Contains(missing.Missing, "case_events_plain on case_events") {
		t.Fatalf("verify of a seed stopped before its indexes: %v", err)
	}
	cfg.resume = true
	if err := seedInto(ctx, parallel, cfg, &bytes.Buffer{}); err != nil {
		t.Fatalf("resuming: %v", err)
	}
	if _, err := parallel.Verify(ctx, store.VerifyOptions{ReadModels: true}); err != nil {
		t.Fatalf("verify after resuming: %v", err)
	}
	if !slices.Equal(seedContent(t, serial), seedContent(t, parallel)) {
		t.Fatal("the resumed parallel seed differs from the uninterrupted one")
	}
}

// indexDefinitions lists the CREATE INDEX statements of a SQLite database's
// own indexes, sorted.
func indexDefinitions(t *testing.T, db *store.DB) []string {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY sql`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var q string
		if err := rows.Scan(&q); err != nil {
			t.Fatal(err)
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// The seed's connection keeps its tuning however long a step leaves it
// unused: the pool closes a SQLite connection after a quiet minute, and a
// new one would have SQLite's default 2 MB cache and journal statements to
// disk, the seed at a million cases hours slower without a word.
func TestTheSeedsConnectionKeepsItsTuningThroughAQuietMinute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		db, err := store.Open(ctx, filepath.Join(t.TempDir(), "seed.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := tuneSeedConnection(ctx, db, 64); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Minute) // fake time: a step that leaves the connection unused
		synctest.Wait()
		var cache, temp int
		if err := db.SQL().QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cache); err != nil {
			t.Fatal(err)
		}
		if err := db.SQL().QueryRowContext(ctx, `PRAGMA temp_store`).Scan(&temp); err != nil {
			t.Fatal(err)
		}
		if cache != -64<<10 || temp != 2 {
			t.Fatalf("after a quiet five minutes, cache_size %d (want %d), temp_store %d (want 2, memory)", cache, -64<<10, temp)
		}
	})
}

// stopAt is the seed's output, which stops the seed when it says it starts
// a step.
type stopAt struct {
	step string
	stop context.CancelFunc
}

func (w stopAt) Write(p []byte) (int, error) {
	if strings.Contains(string(p), w.step) {
		w.stop()
	}
	return len(p), nil
}

// A seed stopped while it builds the indexes it deferred leaves a database
// that verify refuses, as it does one stopped among the cases: one that
// passed would be served and measured without its indexes, every figure
// of the load test then wrong. The search index is written last.
func TestASeedStoppedWhileBuildingItsIndexesDoesNotVerify(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	cfg := testSeedConfig(80, 2)
	s, err := newSeeder(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	stopCtx, stop := context.WithCancel(ctx)
	defer stop()
	s.out = stopAt{step: "building", stop: stop}
	if err := s.run(stopCtx); !errors.Is(err, context.Canceled) {
		t.Fatalf("a seed stopped at its indexes: %v", err)
	}
	fresh := indexDefinitions(t, storetest.SQLite(t))
	if got := indexDefinitions(t, db); len(got) >= len(fresh) {
		t.Fatalf("the stopped seed has %d indexes, a new database %d: it was not stopped while building them", len(got), len(fresh))
	}
	if _, err := db.Verify(ctx, store.VerifyOptions{ReadModels: true}); err == nil {
		t.Fatal("verify passed a seed stopped before its indexes were built")
	}
	cfg.resume = true
	resumeRefusingAnotherShape(t, ctx, db, cfg)
	if r, err := db.Verify(ctx, store.VerifyOptions{ReadModels: true}); err != nil || r.Cases != 80 {
		t.Fatalf("after resuming: %d cases, %v", r.Cases, err)
	}
	if got := indexDefinitions(t, db); !slices.Equal(got, fresh) {
		t.Fatalf("after resuming, %d indexes, want %d", len(got), len(fresh))
	}
}

// resumeRefusingAnotherShape resumes the seed cfg stopped in db, after
// checking that a database of another shape (a group's organisation in the
// default partnership, as seeds before each group was a partnership made
// them) is not resumed.
func resumeRefusingAnotherShape(t *testing.T, ctx context.Context, db *store.DB, cfg seedConfig) {
	t.Helper()
	move := func(partnership string) {
		t.Helper()
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.SetOrganisationPartnership(seedOrgID(1, "cs"), partnership) }); err != nil {
			t.Fatal(err)
		}
	}
	move(pathway.DefaultPartnership)
	if err := seedInto(ctx, db, cfg, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), `is in partnership "default", not "p002"`) {
		t.Fatalf("resuming a database whose groups are not each a partnership: %v", err)
	}
	move(seedPartnershipID(1))
	if err := seedInto(ctx, db, cfg, &bytes.Buffer{}); err != nil {
		t.Fatalf("resuming: %v", err)
	}
}
