package reliability

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// pgBin is where Debian's PostgreSQL 15 client and server programs are.
const pgBin = "/usr/lib/postgresql/15/bin"

// populate writes cases through the API of a running server: concerns
// raised, contacts recorded (taking reference numbers), notes and a worker
// assigned, so that a backup holds every kind of row.
func populate(t *testing.T, srv *server, s seeded, cases int) []string {
	t.Helper()
	cs := newClient(s.tokens[s.p.CSWorker.User.ID], func() string { return srv.url })
	teacher := newClient(s.tokens[s.p.Teacher.User.ID], func() string { return srv.url })
	var ids []string
	for i := range cases {
		status, body, err := teacher.do("POST", "/api/v1/cases", storetest.ValidConcern(time.Now()))
		if err != nil || status != http.StatusCreated {
			t.Fatalf("raising a concern: %d %v %s", status, err, body)
		}
		var c apiCase
		json.Unmarshal(body, &c)
		ids = append(ids, c.ID)
		steps := []struct {
			path string
			body map[string]any
		}{
			{"/contact", map[string]any{"method": "phone", "note": "Called the school back."}},
			{"/actions/note", map[string]any{"text": "Spoke to the school nurse."}},
			{"/actions/assign-worker", map[string]any{"workerEmail": s.p.SocialWorker.User.Email}},
		}
		for j, st := range steps[:1+i%len(steps)] {
			st.body["expectedVersion"] = c.Version
			status, body, err := cs.do("POST", "/api/v1/cases/"+c.ID+st.path, st.body)
			if err != nil || status != http.StatusOK {
				t.Fatalf("case %d step %d %s: %d %v %s", i, j, st.path, status, err, body)
			}
			json.Unmarshal(body, &c)
		}
	}
	return ids
}

// A SQLite backup made while the service runs restores case by case and
// event by event; restore refuses while the database is in use, refuses a
// damaged or forged backup, and keeps the database it replaced.
func TestSQLiteBackupRestoresEveryCaseAndEvent(t *testing.T) {
	dir := privateDir(t)
	tg := &target{name: "sqlite", url: filepath.Join(dir, "waymark.db")}
	db := tg.open(t)
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := seed(t, db)
	tg.release(t)
	srv := startServe(t, tg.url)
	ids := populate(t, srv, s, 4)

	// The backup is taken while the service runs.
	before, audited := snapshot(t, tg.open(t))
	tg.release(t)
	backup := filepath.Join(dir, "backup.db")
	if out, err := waymark(t, "backup", "--database", tg.url, backup); err != nil || !strings.Contains(out, "audit chain of") {
		t.Fatalf("waymark backup: %v\n%s", err, out)
	}
	if out, err := waymark(t, "backup", "--database", tg.url, backup); err == nil {
		t.Fatalf("a second backup over the first was allowed:\n%s", out)
	}
	// Work goes on after the backup …
	cs := newClient(s.tokens[s.p.CSWorker.User.ID], func() string { return srv.url })
	status, body, err := cs.do("GET", "/api/v1/cases/"+ids[0], nil)
	var c apiCase
	if err != nil || status != http.StatusOK || json.Unmarshal(body, &c) != nil {
		t.Fatalf("reading a case: %d %v %s", status, err, body)
	}
	status, body, err = cs.do("POST", "/api/v1/cases/"+ids[0]+"/actions/note", map[string]any{"expectedVersion": c.Version, "text": "written after the backup"})
	if err != nil || status != http.StatusOK {
		t.Fatalf("adding a note: %d %v %s", status, err, body)
	}
	// … and a case is lawfully erased: the restore must not bring it back.
	erased := ids[1]
	err = tg.open(t).Update(context.Background(), func(tx *store.Tx) error {
		return tx.EraseCase(store.Erasure{CaseID: erased, At: time.Now(), By: "user-lead", Reason: "raised about the wrong child", LegalBasis: "art17-1d"})
	})
	if err != nil {
		t.Fatal(err)
	}
	tg.release(t)
	// … and a restore is refused while the service has the database open.
	if out, err := waymark(t, "restore", "--database", tg.url, backup); err == nil || !strings.Contains(out, "in use") {
		t.Fatalf("restore over a database in use: %v\n%s", err, out)
	}
	srv.stop(t)
	after, _ := snapshot(t, tg.open(t))
	tg.release(t)

	// Damaged, forged and foreign backups are refused and change nothing.
	damaged := copyFile(t, backup, filepath.Join(dir, "damaged.db"))
	corrupt(t, damaged)
	forged := copyFile(t, backup, filepath.Join(dir, "forged.db"))
	fdb, err := sql.Open("sqlite", forged)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fdb.Exec(`UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	fdb.Close()
	foreign := filepath.Join(dir, "foreign.db")
	os.WriteFile(foreign, []byte("SQLite format 3\x00 but not really"), 0o600)
	for name, file := range map[string]string{"damaged": damaged, "forged": forged, "foreign": foreign, "missing": filepath.Join(dir, "nope.db")} {
		if out, err := waymark(t, "restore", "--database", tg.url, file); err == nil {
			t.Errorf("restore of a %s backup succeeded:\n%s", name, out)
		} else {
			t.Logf("%s backup refused: %s", name, strings.TrimSpace(out))
		}
	}
	unchanged, _ := snapshot(t, tg.open(t))
	tg.release(t)
	sameCases(t, after, unchanged)

	// The restore itself.
	out, err := waymark(t, "restore", "--database", tg.url, backup)
	if err != nil {
		t.Fatalf("waymark restore: %v\n%s", err, out)
	}
	t.Logf("%s", out)
	if !strings.Contains(out, "erased again, as they were erased after the backup was taken: "+erased+"\n") {
		t.Errorf("restore did not say it erased %s again", erased)
	}
	restored, restoredAudit := snapshot(t, tg.open(t))
	if got, ok := restored[erased]; ok && (len(got) != 1 || got[0] != "erased") {
		t.Errorf("case %s, erased after the backup, is back after the restore: %d events", erased, len(got))
	}
	delete(before, erased)
	delete(restored, erased)
	sameCases(t, before, restored)
	if restoredAudit < audited {
		t.Errorf("restored audit chain has %d entries, the database had %d when backed up", restoredAudit, audited)
	}
	tg.release(t)
	// The database it replaced is kept, with the note written after the backup.
	kept, _ := filepath.Glob(tg.url + ".replaced-*")
	if len(kept) != 1 {
		t.Fatalf("replaced database kept as %v, want one file", kept)
	}
	kdb, err := store.Open(context.Background(), kept[0])
	if err != nil {
		t.Fatal(err)
	}
	kdb.SetKeyRing(keyRing(t))
	keptCases, _ := snapshot(t, kdb)
	kdb.Close()
	sameCases(t, after, keptCases)

	// The service runs on the restored database.
	if out, err := waymark(t, "audit", "verify", "--database", tg.url); err != nil {
		t.Fatalf("waymark audit verify after restore: %v\n%s", err, out)
	}
	srv = startServe(t, tg.url)
	for _, id := range ids {
		want := http.StatusOK
		if id == erased {
			want = http.StatusForbidden // "The details of this case were erased"
		}
		status, body, err := newClient(s.tokens[s.p.CSWorker.User.ID], func() string { return srv.url }).do("GET", "/api/v1/cases/"+id, nil)
		if err != nil || status != want {
			t.Errorf("case %s after restore: %d %v %s; want %d", id, status, err, body, want)
		}
	}
	srv.stop(t)
}

func copyFile(t *testing.T, from, to string) string {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return to
}

// corrupt overwrites pages in the middle of a database file, as a failing
// disk or a half-copied file would.
func corrupt(t *testing.T, file string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096
	if len(b) < 6*page {
		t.Fatalf("%s is only %d bytes", file, len(b))
	}
	copy(b[2*page+100:], bytes.Repeat([]byte{0xA5}, 2*page))
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// needPgDumpAndRestore skips the test when pg_dump or pg_restore is
// missing, and fails it instead under CI=true.
func needPgDumpAndRestore(t *testing.T) {
	t.Helper()
	for _, prog := range []string{"pg_dump", "pg_restore"} {
		if _, err := os.Stat(filepath.Join(pgBin, prog)); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is missing and CI=true: apt-get install postgresql-15", prog)
			}
			t.Skipf("%s is missing", prog)
		}
	}
}

// pgTool runs one of PostgreSQL's programs and fails the test, with the
// program's output, if it fails.
func pgTool(t *testing.T, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(pgBin, name), args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
}

// A PostgreSQL database dumped with pg_dump, lost, and restored with
// pg_restore gives back every case, event by event, with its audit chain.
func TestPostgresDumpRestoresEveryCaseAndEvent(t *testing.T) {
	if !storetest.WantPostgres(t) {
		t.Skip("TEST_DATABASE_URL is not set")
	}
	needPgDumpAndRestore(t)
	db := storetest.Postgres(t)
	db.SetKeyRing(keyRing(t))
	tg := &target{name: "postgres", url: schemaURL(t, db), pg: db}
	var schema string
	db.SQL().QueryRow(`SELECT current_schema()`).Scan(&schema)
	s := seed(t, db)
	srv := startServe(t, tg.url)
	ids := populate(t, srv, s, 4)
	srv.stop(t)
	before, audited := snapshot(t, db)

	base := os.Getenv(storetest.EnvDatabaseURL)
	dump := filepath.Join(t.TempDir(), "waymark.dump")
	pgTool(t, "pg_dump", "--format=custom", "--no-owner", "--schema="+schema, "--file="+dump, base)
	// The database is lost …
	if _, err := db.SQL().Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
		t.Fatal(err)
	}
	// … and restored from the dump, as docs/operations.md says.
	pgTool(t, "pg_restore", "--no-owner", "--exit-on-error", "--dbname="+base, dump)
	restoredDB, err := store.Open(context.Background(), tg.url)
	if err != nil {
		t.Fatal(err)
	}
	defer restoredDB.Close()
	restoredDB.SetKeyRing(keyRing(t))
	restored, restoredAudit := snapshot(t, restoredDB)
	sameCases(t, before, restored)
	if restoredAudit != audited {
		t.Errorf("restored audit chain has %d entries, want %d", restoredAudit, audited)
	}
	if r, err := restoredDB.VerifyBackup(context.Background()); err != nil || r.Cases != len(ids) || len(r.StaleReadModels) > 0 {
		t.Errorf("restored database: %+v, %v", r, err)
	}
	if out, err := waymark(t, "audit", "verify", "--database", tg.url); err != nil {
		t.Fatalf("waymark audit verify after pg_restore: %v\n%s", err, out)
	}
	srv = startServe(t, tg.url)
	for _, id := range ids {
		status, body, err := newClient(s.tokens[s.p.CSWorker.User.ID], func() string { return srv.url }).do("GET", "/api/v1/cases/"+id, nil)
		if err != nil || status != http.StatusOK {
			t.Errorf("case %s after pg_restore: %d %v %s", id, status, err, body)
		}
	}
	srv.stop(t)
}
