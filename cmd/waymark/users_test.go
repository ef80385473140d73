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
	dir := seededDemoCopy(t)
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

// The command line gets the service's checks and its words: a mistyped
// organisation is named, an email address or a kind outside the list is
// refused, and nothing is half-saved.
func TestAccountCommandsSayWhatIsWrongInPlainWords(t *testing.T) {
	dir := seededDemoCopy(t)
	try := func(stdin string, args ...string) string {
		t.Helper()
		var out bytes.Buffer
		err := run(context.Background(), append(args, "--data", dir), env(nil), strings.NewReader(stdin), &out, &out)
		if err == nil {
			t.Fatalf("%v was accepted", args)
		}
		return err.Error()
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"user", "add", "--email", "nia@hillside.example", "--name", "Nia", "--org", "org-hilside", "--role", "practitioner"}, "--org: No organisation with id org-hilside"},
		{[]string{"user", "add", "--email", "Nia <nia@hillside.example>", "--name", "Nia", "--org", "org-eastshire-police", "--role", "practitioner"}, "--email: Enter an email address in the correct format"},
		{[]string{"org", "add", "--id", "org-hillside", "--name", "Hillside", "--kind", "charity"}, "--kind: Choose the kind of organisation"},
	} {
		got := try("a long enough password 2026\n", c.args...)
		if !strings.Contains(got, c.want) || strings.Contains(strings.ToLower(got), "foreign key") || strings.Contains(got, "store:") {
			t.Errorf("%v: %q, want %q", c.args, got, c.want)
		}
	}
}

// A sign-in address limit that makes no sense stops the service starting.
func TestAnAddressLimitBelowOneStopsStartUp(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"demo", "--addr", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "data"), "--sign-in-address-limit", "0"}, env(nil), strings.NewReader(""), &out, &out)
	if err == nil || !strings.Contains(err.Error(), "--sign-in-address-limit") {
		t.Fatalf("err = %v", err)
	}
}
