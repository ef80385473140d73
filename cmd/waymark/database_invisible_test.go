package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// A database setting copied from a file saved with a byte-order mark, or
// with a zero-width or other invisible character before the URL, is a
// PostgreSQL URL someone meant, not a SQLite path: it is refused as one
// that has something around it, and neither the refusal, nor anything the
// command prints, repeats its password (docs/operations.md "Configuration").
func TestADatabaseURLBehindAnInvisibleCharacterIsRefusedWithoutItsPassword(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, lead := range []string{"\ufeff", "\u200b", "\u2060", "\u00ad"} {
		bad := lead + "postgres://waymark:hunter2@db.internal/waymark"
		for _, how := range []string{"flag", "environment"} {
			args := []string{"keys", "check"}
			vars := map[string]string{}
			if how == "flag" {
				args = append(args, "--database", bad)
			} else {
				vars["WAYMARK_DATABASE_URL"] = bad
			}
			var out, errOut bytes.Buffer
			err := run(context.Background(), args, env(vars), nil, &out, &errOut)
			said := out.String() + errOut.String()
			if err != nil {
				said += err.Error()
			}
			if err == nil {
				t.Errorf("%s %q: accepted", how, bad)
			}
			if strings.Contains(said, "hunter2") {
				t.Errorf("%s %q: the password is printed: %s", how, bad, said)
			}
			if _, _, cerr := classifyDatabase(bad); cerr == nil {
				t.Errorf("%q: taken for a SQLite path", bad)
			}
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("refused settings left files behind: %v", entries)
	}
}
