package store

import (
	"database/sql"
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
		got, ok := canonicalUTC(sql.NullString{String: text, Valid: true})
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
		if got, ok := canonicalUTC(sql.NullString{String: text, Valid: true}); ok {
			t.Errorf("%q read at once as %v: it is for the driver", text, got)
		}
	}
	if _, ok := canonicalUTC(sql.NullString{}); ok {
		t.Error("NULL read as a time")
	}
}
