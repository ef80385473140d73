package access

import (
	"encoding/hex"
	"regexp"
	"testing"
	"time"
)

var idForm = regexp.MustCompile(`^[0-9a-f]{24}$`)

// A case's id leads with its UTC day, so that a day's new cases are filed
// side by side in every table keyed by case; the rest is random, so an id
// still cannot be worked out from another.
func TestADatedIDLeadsWithItsDayAndIsOtherwiseRandom(t *testing.T) {
	morning := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	night := morning.Add(24*time.Hour - time.Nanosecond)
	next := morning.Add(24 * time.Hour)

	a, b, c := NewDatedID(morning), NewDatedID(night), NewDatedID(next)
	for _, id := range []string{a, b, c} {
		if !idForm.MatchString(id) {
			t.Fatalf("id %q is not 24 hexadecimal digits, as ids always were", id)
		}
	}
	// 7 December 2026 is day 20,794 since 1 January 1970: 0x513a.
	if a[:4] != "513a" || b[:4] != "513a" {
		t.Errorf("ids made on 7 December 2026 lead with %s and %s, want 513a", a[:4], b[:4])
	}
	if c[:4] != "513b" || c <= a || c <= b {
		t.Errorf("an id of the next day (%s) does not sort after that day's (%s, %s)", c, a, b)
	}
	if a[4:] == b[4:] {
		t.Errorf("two ids of one day share their random part %s", a[4:])
	}
	// Ten random bytes: a thousand ids of one day never share theirs, and
	// every one of the ten bytes takes many values among them (an id with
	// fewer random bytes, the rest fixed, would still be unique here).
	seen := map[string]bool{}
	values := make([]map[byte]bool, 10)
	for i := range values {
		values[i] = map[byte]bool{}
	}
	for range 1000 {
		id := NewDatedID(morning)
		if seen[id[4:]] {
			t.Fatalf("random part %s came twice in a thousand ids", id[4:])
		}
		seen[id[4:]] = true
		b, err := hex.DecodeString(id)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range b[2:] {
			values[i][v] = true
		}
	}
	for i, v := range values {
		// 1,000 draws of a random byte give about 250 values; 100 is far below.
		if len(v) < 100 {
			t.Errorf("random byte %d took only %d values in a thousand ids", i+1, len(v))
		}
	}
	// The seeded dataset's form: the same day and bytes give the same id.
	random := [10]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if got := DatedID(night, random); got != "513a0102030405060708090a" {
		t.Errorf("DatedID = %s, want 513a0102030405060708090a", got)
	}
	// The day is UTC's, wherever the clock's zone: 20:00 on 6 December
	// six hours behind UTC is 02:00 on the 7th.
	behind := time.FixedZone("UTC-6", -6*3600)
	if got := NewDatedID(time.Date(2026, 12, 6, 20, 0, 0, 0, behind)); got[:4] != "513a" {
		t.Errorf("an id made at 02:00 UTC on 7 December leads with %s, want 513a (the UTC day)", got[:4])
	}
}
