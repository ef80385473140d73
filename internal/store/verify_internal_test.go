package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A time read at once from its text is the instant the SQLite driver reads
// from it; text the driver would read another way, or not at all, is left
// to the driver.
func TestATimeSpeltAsWaymarkWritesItIsReadAsTheDriverReadsIt(t *testing.T) {
	for _, v := range []time.Time{
		time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 10, 9, 0, 0, 123456000, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2028, 2, 29, 0, 0, 0, 100, time.UTC),
		time.Date(2026, 11, 26, 9, 5, 7, 10000000, time.FixedZone("x", 3600)).UTC(),
	} {
		text := v.String()
		got, ok := canonicalUTC(text)
		want, err := time.Parse("2006-01-02 15:04:05.999999999 -0700 MST", text)
		if !ok || err != nil || !got.Equal(want) {
			t.Errorf("%q: read %v %v, the driver reads %v %v", text, got, ok, want, err)
		}
	}
	for _, text := range []string{
		"", "2026-03-10 09:00:00", "2026-03-10T09:00:00Z", "2026-03-10 09:00:00.5 +0100 CET", "2026-03-10 09:00:00. +0000 UTC",
		"2026-02-30 09:00:00 +0000 UTC", "2026-13-10 09:00:00 +0000 UTC", "2026-03-10 24:00:00 +0000 UTC", "2026-03-10 09:00:60 +0000 UTC",
		"2026-03-10 09:00:00.1234567891 +0000 UTC", "2026-03-10 09:00:00,5 +0000 UTC", "2026-03-1a 09:00:00 +0000 UTC",
		"2026-03-10 09:00:00 +0000 UTC m=+0.1", " 2026-03-10 09:00:00 +0000 UTC",
	} {
		if got, ok := canonicalUTC(text); ok {
			t.Errorf("%q read at once as %v: it is for the driver", text, got)
		}
	}
}

// The master keys in use are found one index probe a key, and they are
// exactly the keys wrapping a live data key: one whose every data key was
// destroyed is not in use, whatever order the keys sort in.
func TestTheMasterKeysInUseAreTheKeysOfLiveDataKeys(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	for i, k := range []struct {
		master    string
		destroyed bool
	}{{"k2", false}, {"k1", true}, {"k1", true}, {"k3", true}, {"k3", false}, {"k2", false}, {"k4", true}, {"", true}, {"k5", false}} {
		var gone any
		if k.destroyed {
			gone = now
		}
		if _, err := db.sql.Exec(`INSERT INTO data_keys(owner_kind, owner_id, master_key_id, wrapped, created_at, destroyed_at) VALUES ('case', $1, $2, 'w', $3, $4)`,
			fmt.Sprintf("case-%d", i), k.master, now, gone); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	err = db.View(context.Background(), func(tx *Tx) error {
		got, err = tx.stringColumn(masterKeysInUse)
		return err
	})
	if err != nil || strings.Join(got, ",") != "k2,k3,k5" {
		t.Fatalf("master keys in use: %v %v, want k2,k3,k5", got, err)
	}
}

// A row's text splits back into its columns only when it holds exactly
// one separator fewer than there are columns.
func TestAPackedAuditRowSplitsOnlyWhenEverySeparatorIsItsOwn(t *testing.T) {
	var a, b, c string
	for text, want := range map[string][3]string{
		"x\x1fy\x1fz":     {"x", "y", "z"},
		"\x1f\x1f":        {"", "", ""},
		"\x1fé\x1f":       {"", "é", ""},
		"2026\x1f \x1f\n": {"2026", " ", "\n"},
	} {
		if !unpack(text, &a, &b, &c) || [3]string{a, b, c} != want {
			t.Errorf("%q split as %q %q %q, want %q", text, a, b, c, want)
		}
	}
	for _, text := range []string{"", "x", "x\x1fy", "x\x1fy\x1fz\x1f", "\x1f\x1f\x1f", "x\x1f\x1f\x1fz"} {
		if unpack(text, &a, &b, &c) {
			t.Errorf("%q split as %q %q %q: it does not hold three columns", text, a, b, c)
		}
	}
}
