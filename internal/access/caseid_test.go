package access

import (
	"sort"
	"testing"
	"time"
)

// A case raised later sorts after one raised earlier, so the indexes keyed
// by case take new cases at their end; two raised in the same millisecond
// still differ, in 80 random bits.
func TestCaseIDsSortByTheTimeTheCaseWasRaised(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 1000 {
		ids = append(ids, NewCaseID(t0.Add(time.Duration(i)*time.Millisecond)))
	}
	if !sort.StringsAreSorted(ids) {
		t.Fatal("case ids raised one after another do not sort in that order")
	}
	seen := map[string]bool{}
	for range 1000 {
		id := NewCaseID(t0)
		if len(id) != 32 {
			t.Fatalf("id %q: want 32 hex characters", id)
		}
		if seen[id] {
			t.Fatalf("two cases raised in the same millisecond share id %s", id)
		}
		seen[id] = true
	}
}

// The seed's ids are the service's: the same time and random bits give the
// same id, the time in milliseconds first.
func TestCaseIDIsTheMillisecondThenTheRandomBits(t *testing.T) {
	at := time.UnixMilli(0x0123456789ab)
	got := CaseID(at, [10]byte{0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10, 0xaa, 0xbb})
	if want := "0123456789abfedcba9876543210aabb"; got != want {
		t.Fatalf("CaseID = %s, want %s", got, want)
	}
}
