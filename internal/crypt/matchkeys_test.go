package crypt

import (
	"slices"
	"testing"
)

// Issue 14: match keys are keyed hashes, never the key in clear, and a
// different domain from search, so the two tables cannot be joined.
func TestMatchKeysAreKeyedAndApartFromSearchTokens(t *testing.T) {
	ix := NewIndex(make([]byte, KeySize))
	keys := ix.MatchKeys([]string{"amira", "amira", "", "d:2012-02-08"})
	if len(keys) != 2 {
		t.Fatalf("got %d keys, want 2 (duplicates and empty keys dropped): %v", len(keys), keys)
	}
	for _, k := range keys {
		if k == "amira" || k == "d:2012-02-08" || len(k) != 32 {
			t.Errorf("key %q is not a 128-bit hash", k)
		}
	}
	if slices.Contains(ix.Tokens("amira"), keys[0]) || slices.Contains(ix.Query("amira"), keys[0]) {
		t.Error("a match key equals the search token of the same text")
	}
	other := NewIndex(append(make([]byte, KeySize-1), 1))
	if other.MatchKeys([]string{"amira"})[0] == keys[0] {
		t.Error("two index keys give the same match key")
	}
}

func TestMatchHandlesTellTheirPartsApart(t *testing.T) {
	ix := NewIndex(make([]byte, KeySize))
	a := ix.MatchHandle("case-1", "case-2", "user-1")
	if a != ix.MatchHandle("case-1", "case-2", "user-1") {
		t.Fatal("a handle is not stable")
	}
	for _, p := range [][]string{{"case-1", "case-2", "user-2"}, {"case-2", "case-1", "user-1"}, {"case-1case-2", "", "user-1"}} {
		if ix.MatchHandle(p...) == a {
			t.Errorf("handle of %q equals that of case-1/case-2/user-1", p)
		}
	}
}
