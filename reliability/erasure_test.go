package reliability

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark/internal/audit"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// eraseWithLedger erases a case lawfully, as the service does: the erasure
// goes into the erasure ledger at path before it commits.
func eraseWithLedger(t *testing.T, db *store.DB, path, id string) {
	t.Helper()
	l, err := store.OpenLedger(path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetErasureLedger(l)
	defer db.SetErasureLedger(nil)
	err = db.Update(context.Background(), func(tx *store.Tx) error {
		if err := tx.EraseCase(store.Erasure{CaseID: id, At: time.Now(), By: "user-lead", Reason: "raised about the wrong child", LegalBasis: "art17-1d"}); err != nil {
			return err
		}
		return tx.AppendAudit(audit.Entry{At: time.Now(), ActorID: "user-lead", CaseID: id, Action: "case.erased", Detail: "legal basis: art17-1d; reason: raised about the wrong child"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// casesAfterRestore reads every case through the running service: the
// erased one answers that its details were erased, the others in full.
func casesAfterRestore(t *testing.T, srv *server, s seeded, ids []string, erased string) {
	t.Helper()
	c := newClient(s.tokens[s.p.CSWorker.User.ID], func() string { return srv.url })
	for _, id := range ids {
		want := http.StatusOK
		if id == erased {
			want = http.StatusForbidden // "The details of this case were erased"
		}
		status, body, err := c.do("GET", "/api/v1/cases/"+id, nil)
		if err != nil || status != want {
			t.Errorf("case %s after the restore: %d %v %s; want %d", id, status, err, body, want)
		}
		if id == erased && strings.Contains(string(body), storetest.ValidConcern(time.Now()).Child.GivenNames) {
			t.Errorf("the erased case %s shows the child's name: %s", id, body)
		}
	}
}

// A SQLite backup taken before a lawful erasure, restored after the
// database was lost (so no database remembers the erasure): the erasure
// ledger beside it erases the case again, in `waymark restore` and, for a
// copy put back by hand, on the next start.
func TestSQLiteRestoreFromBeforeAnErasureKeepsTheChildErased(t *testing.T) {
	dir := privateDir(t)
	tg := &target{name: "sqlite", url: filepath.Join(dir, "waymark.db")}
	if err := tg.open(t).Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := seed(t, tg.open(t))
	tg.release(t)
	srv := startServe(t, tg.url)
	ids := populate(t, srv, s, 3)
	srv.stop(t)
	backup := filepath.Join(dir, "backup.db")
	if out, err := waymark(t, "backup", "--database", tg.url, backup); err != nil {
		t.Fatalf("waymark backup: %v\n%s", err, out)
	}
	erased := ids[1]
	eraseWithLedger(t, tg.open(t), filepath.Join(dir, "erasures.ledger"), erased)
	tg.release(t)

	// The database is lost, and with it every record of the erasure in it.
	for _, f := range []string{tg.url, tg.url + "-wal", tg.url + "-shm"} {
		os.Remove(f)
	}
	out, err := waymark(t, "restore", "--database", tg.url, backup)
	if err != nil {
		t.Fatalf("waymark restore: %v\n%s", err, out)
	}
	if !strings.Contains(out, "as the erasure ledger") || !strings.Contains(out, erased) {
		t.Errorf("restore did not say the ledger erased %s again:\n%s", erased, out)
	}
	srv = startServe(t, tg.url)
	casesAfterRestore(t, srv, s, ids, erased)
	srv.stop(t)

	// The backup put back by hand, with no `waymark restore`: the next
	// start erases the case before it serves anything.
	b, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{tg.url, tg.url + "-wal", tg.url + "-shm"} {
		os.Remove(f)
	}
	if err := os.WriteFile(tg.url, b, 0o600); err != nil {
		t.Fatal(err)
	}
	srv = startServe(t, tg.url)
	casesAfterRestore(t, srv, s, ids, erased)
	srv.stop(t)
	if out, err := waymark(t, "verify", "--database", tg.url); err != nil || !strings.Contains(out, "every erasure it records is applied") {
		t.Fatalf("waymark verify after the restore: %v\n%s", err, out)
	}
}

// A PostgreSQL dump taken before a lawful erasure, restored with
// pg_restore: `waymark verify` reports the erasure the database lacks, and
// the next start erases the case again from the ledger. Without a ledger,
// serve on PostgreSQL refuses to start and says why.
func TestPostgresRestoreFromBeforeAnErasureKeepsTheChildErased(t *testing.T) {
	if !storetest.WantPostgres(t) {
		t.Skip("TEST_DATABASE_URL is not set")
	}
	needPgDumpAndRestore(t)
	db := storetest.Postgres(t)
	db.SetKeyRing(keyRing(t))
	url := schemaURL(t, db)
	var schema string
	db.SQL().QueryRow(`SELECT current_schema()`).Scan(&schema)
	s := seed(t, db)
	srv := startServe(t, url)
	ids := populate(t, srv, s, 3)
	srv.stop(t)

	base := os.Getenv(storetest.EnvDatabaseURL)
	dump := filepath.Join(t.TempDir(), "waymark.dump")
	pgTool(t, "pg_dump", "--format=custom", "--no-owner", "--schema="+schema, "--file="+dump, base)
	erased := ids[1]
	ledger := ledgerFor(t, url)
	eraseWithLedger(t, db, ledger, erased)
	// The database is restored from the dump taken before the erasure.
	if _, err := db.SQL().Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
		t.Fatal(err)
	}
	pgTool(t, "pg_restore", "--no-owner", "--exit-on-error", "--dbname="+base, dump)

	out, err := waymark(t, "verify", "--database", url, "--erasure-ledger", ledger)
	if err == nil || !strings.Contains(out, "not applied") || !strings.Contains(out, erased) {
		t.Errorf("waymark verify on the restored dump did not report the erasure it lacks: %v\n%s", err, out)
	}
	out, err = waymark(t, "serve", "--addr", "127.0.0.1:0", "--database", url)
	if err == nil || !strings.Contains(out, "needs an erasure ledger") {
		t.Errorf("serve on PostgreSQL without an erasure ledger: %v\n%s", err, out)
	}
	srv = startServe(t, url)
	casesAfterRestore(t, srv, s, ids, erased)
	srv.stop(t)
	if out, err := waymark(t, "verify", "--database", url, "--erasure-ledger", ledger); err != nil || !strings.Contains(out, "every erasure it records is applied") {
		t.Fatalf("waymark verify after the start: %v\n%s", err, out)
	}
}
