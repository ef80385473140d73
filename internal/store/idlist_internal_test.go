package store

import (
	"reflect"
	"testing"
)

// A list of case ids takes each id once, after the arguments before it. On
// PostgreSQL it is one array parameter, so lists of every length are the
// one statement (prepared once per connection); on SQLite, one placeholder
// an id.
func TestAListOfCaseIDsIsOneParameterOnPostgres(t *testing.T) {
	ids := []string{"c1", "c2", "c1", "c3"}
	pg := &Tx{dialect: Postgres}
	args, in := pg.idList([]any{"user", "org"}, ids)
	if want := []any{"user", "org", []string{"c1", "c2", "c3"}}; !reflect.DeepEqual(args, want) {
		t.Errorf("PostgreSQL arguments %#v, want %#v", args, want)
	}
	if in != "SELECT unnest(CAST($3 AS text[]))" {
		t.Errorf("PostgreSQL list %q", in)
	}
	if _, long := pg.idList([]any{"user", "org"}, []string{"a", "b", "c", "d", "e", "f", "g"}); long != in {
		t.Errorf("a longer list is another statement on PostgreSQL: %q, not %q", long, in)
	}
	lite := &Tx{dialect: SQLite}
	args, in = lite.idList([]any{"user"}, ids)
	if want := []any{"user", "c1", "c2", "c3"}; !reflect.DeepEqual(args, want) {
		t.Errorf("SQLite arguments %#v, want %#v", args, want)
	}
	if in != "$2, $3, $4" {
		t.Errorf("SQLite list %q", in)
	}
}
