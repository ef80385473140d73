package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// What an operator does to accounts from the command line is on the audit
// record like anything done in the service: adding an organisation or a
// person (with the role given), resetting a password and disabling an account.
func TestAccountCommandsAreAudited(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	startDemo(t, dir)
	do := func(stdin string, args ...string) {
		t.Helper()
		var out bytes.Buffer
		if err := run(context.Background(), append(args, "--data", dir), env(nil), strings.NewReader(stdin), &out, &out); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
	}
	do("", "org", "add", "--id", "org-hillside", "--name", "Hillside School", "--kind", "school")
	do("a long enough password 2026\n", "user", "add", "--email", "new.teacher@hillside.example", "--name", "Nia Teacher", "--org", "org-hillside", "--role", "practitioner")
	do("another long password 2026\n", "user", "reset", "--email", "new.teacher@hillside.example")
	do("", "user", "disable", "--email", "new.teacher@hillside.example")

	db, err := sql.Open("sqlite", filepath.Join(dir, "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT action, detail FROM audit_log WHERE actor_id = 'system' ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var action, detail string
		rows.Scan(&action, &detail)
		got = append(got, action+" "+detail)
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{"organisation.added org-hillside (school)", "user.added for ", " as practitioner", "user.password_reset for ", "user.disabled for "} {
		if !strings.Contains(all, want) {
			t.Errorf("no audit entry with %q in:\n%s", want, all)
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"audit", "verify", "--data", dir}, env(nil), nil, &out, io.Discard); err != nil {
		t.Fatalf("audit verify after the commands: %v\n%s", err, out.String())
	}
}
