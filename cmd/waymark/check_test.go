package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"waymark/internal/store"
)

// waymark check lists every problem in the configuration and the database
// at once, and migrates, creates or writes nothing: the database it looked
// at is exactly as it was.
func TestCheckListsEveryProblemAndMigratesNothing(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	os.MkdirAll(dir, 0o700)
	file := filepath.Join(dir, "waymark.db")
	db, err := store.Open(ctx, file) // an empty, unmigrated database
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	var out bytes.Buffer
	err = run(ctx, []string{"check", "--database", file, "--rg-target-working-days", "0", "--addr", "0.0.0.0:8080", "--smtp-addr", "relay"},
		env(map[string]string{"WAYMARK_SECURE_COOKIES": "yes", "WAYMARK_DB_MAX_CONNS": "5000"}), nil, &out, io.Discard)
	if err == nil {
		t.Fatalf("check passed: %s", out.String())
	}
	for _, want := range []string{"WAYMARK_SECURE_COOKIES", "--rg-target-working-days", "--insecure-http", "--smtp-addr", "--db-max-conns", "no master key", "run `waymark migrate --create`"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check did not report %q:\n%s", want, out.String())
		}
	}
	db, err = store.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM sqlite_master`).Scan(&tables); err != nil || tables != 0 {
		t.Fatalf("after check the database holds %d tables (%v): it was migrated", tables, err)
	}

	// No database at all: reported, and none is made.
	missing := filepath.Join(t.TempDir(), "nothing-here")
	out.Reset()
	if err := run(ctx, []string{"check", "--data", missing}, env(nil), nil, &out, io.Discard); err == nil || !strings.Contains(out.String(), "no database") {
		t.Fatalf("check without a database: %v\n%s", err, out.String())
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("check made a data folder")
	}
}

// One problem is "1 problem", not "1 problems": the line an operator reads
// last after an upgrade that needs only its migrations.
func TestCheckCountsASingleProblemInTheSingular(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	newDatabase(t, "--data", dir)
	var out bytes.Buffer
	err := run(context.Background(), []string{"check", "--data", dir, "--insecure-no-encryption"}, env(nil), nil, &out, io.Discard)
	if err == nil || strings.Count(out.String(), "problem:") != 1 {
		t.Fatalf("check on a database with no partnership: %v\n%s", err, out.String())
	}
	if got, want := err.Error(), "the configuration has 1 problem (listed above); nothing was changed"; got != want {
		t.Fatalf("check said %q, want %q", got, want)
	}
}

// A configuration and database that serve would run with pass.
func TestCheckPassesAWorkingConfiguration(t *testing.T) {
	dir := seededDemoCopy(t)
	var out bytes.Buffer
	err := run(context.Background(), []string{"check", "--data", dir, "--master-key-file", filepath.Join(dir, DemoKeyFile)}, env(nil), nil, &out, io.Discard)
	if err != nil || !strings.Contains(out.String(), "no problems found") {
		t.Fatalf("check: %v\n%s", err, out.String())
	}
}

// On PostgreSQL too, check connects (with the password from the
// environment), reports an unmigrated schema and leaves it empty.
func TestCheckLeavesAnUnmigratedPostgresSchemaUnmigrated(t *testing.T) {
	u, pw := postgresSchema(t)
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"check", "--insecure-no-encryption"}, env(map[string]string{"WAYMARK_DATABASE_URL": u, "WAYMARK_DATABASE_PASSWORD": pw}), nil, &out, &errOut)
	if err == nil || !strings.Contains(out.String(), "run `waymark migrate --create`") || !strings.Contains(out.String(), "no Waymark database at PostgreSQL database") {
		t.Fatalf("check on an empty schema: %v\n%s%s", err, out.String(), errOut.String())
	}
	if strings.Contains(out.String()+errOut.String(), pw+"@") {
		t.Fatal("check printed the database password")
	}
	db, err := sql.Open("pgx", strings.Replace(u, "@", ":"+pw+"@", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables int
	if err := db.QueryRow(`SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()`).Scan(&tables); err != nil || tables != 0 {
		t.Fatalf("after check the schema holds %d tables (%v): it was migrated", tables, err)
	}
}

// serve on PostgreSQL refuses to start without an erasure ledger, so check,
// run with the same settings beforehand, says so rather than "no problems".
func TestCheckReportsTheErasureLedgerServeWouldRefuseToStartWithout(t *testing.T) {
	u, pw := postgresSchema(t)
	vars := env(map[string]string{"WAYMARK_DATABASE_URL": u, "WAYMARK_DATABASE_PASSWORD": pw})
	var out bytes.Buffer
	err := run(context.Background(), []string{"check", "--insecure-no-encryption"}, vars, nil, &out, io.Discard)
	if err == nil || !strings.Contains(out.String(), "serve needs an erasure ledger") {
		t.Fatalf("check without an erasure ledger on PostgreSQL: %v\n%s", err, out.String())
	}
	out.Reset()
	run(context.Background(), []string{"check", "--insecure-no-encryption", "--erasure-ledger", filepath.Join(t.TempDir(), "erasures.ledger")}, vars, nil, &out, io.Discard)
	if strings.Contains(out.String(), "erasure ledger") {
		t.Fatalf("check with an erasure ledger still reports one missing:\n%s", out.String())
	}
}

// Every setting serve refuses, check reports: the sign-in address limit,
// the single sign-on re-check interval and the metrics listener and token
// were once checked by serve alone, so check said "no problems found" of a
// configuration that would not start.
func TestCheckReportsTheStaffAndMetricsSettingsServeRefuses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	newDatabase(t, "--data", dir)
	short := filepath.Join(t.TempDir(), "metrics-token")
	if err := os.WriteFile(short, []byte("too-short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"check", "--data", dir, "--insecure-no-encryption",
		"--sign-in-address-limit", "0", "--sso-recheck", "10s", "--metrics-addr", "nonsense", "--metrics-token-file", short}, env(nil), nil, &out, io.Discard)
	if err == nil {
		t.Fatalf("check passed:\n%s", out.String())
	}
	for _, want := range []string{"problem: --sign-in-address-limit", "problem: --sso-recheck must be between 1m and 12h", `problem: --metrics-addr "nonsense" is not HOST:PORT`, "problem: --metrics-token-file: the token in"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check did not report %q:\n%s", want, out.String())
		}
	}
	// serve refuses the same before it opens the database.
	for _, bad := range [][]string{{"--sign-in-address-limit", "0"}, {"--sso-recheck", "10s"}, {"--metrics-addr", "nonsense"}, {"--metrics-token-file", short}} {
		err := run(context.Background(), append([]string{"serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "none")}, bad...), env(nil), nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("serve %v on no database: %v", bad, err)
		}
	}
}

// A partnership on which no concern could be sent is a problem to check,
// and a warning when serve starts, not news at the first concern: the
// Children's Services organisation --childrens-services-org names must be
// one, and with two marked as Children's Services it must name one.
func TestCheckReportsWhenNoConcernCouldBeSent(t *testing.T) {
	dir := seededDemoCopy(t)
	keys := []string{"--data", dir, "--master-key-file", filepath.Join(dir, DemoKeyFile)}
	check := func(extra ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append(append([]string{"check"}, keys...), extra...), env(nil), nil, &out, io.Discard)
		return out.String(), err
	}
	if out, err := check("--childrens-services-org", "org-nowhere"); err == nil || !strings.Contains(out, `problem: --childrens-services-org "org-nowhere" names no organisation marked as Children's Services`) {
		t.Errorf("check naming an organisation that is not there: %v\n%s", err, out)
	}
	if err := run(context.Background(), append([]string{"org", "add", "--id", "org-second-council", "--name", "Westshire Children's Services", "--kind", "local-authority", "--childrens-services"}, keys...), env(nil), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if out, err := check(); err == nil || !strings.Contains(out, "problem: more than one organisation is marked as Children's Services") {
		t.Errorf("check with two Children's Services organisations and none named: %v\n%s", err, out)
	}
	if out, err := check("--childrens-services-org", "org-second-council"); err != nil || !strings.Contains(out, "no problems found") {
		t.Errorf("check naming one of them: %v\n%s", err, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &syncBuffer{until: "listening", cancel: cancel}
	if err := run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "text"}, keys...), env(nil), nil, io.Discard, logs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "more than one organisation is marked as Children's Services") {
		t.Errorf("serve did not warn that no concern can be sent:\n%s", logs)
	}
}
