package crypt

import (
	"bytes"
	"testing"
)

// Entity keys (issue 14 §2, docs/security.md): the hash of an entity is
// keyed, depends on its kind, and never equals a search token's hash of the
// same text, so the two tables cannot be joined.
func TestEntityHashesAreKeyedAndOfTheirOwnDomain(t *testing.T) {
	k1, k2 := bytes.Repeat([]byte{1}, KeySize), bytes.Repeat([]byte{2}, KeySize)
	a := NewIndex(k1).EntityKeys()
	h := a.Hash("phone", "07700900123")
	if h != NewEntityKeys(k1).Hash("phone", "07700900123") || len(h) != 32 {
		t.Fatalf("the same entity under the same key hashed differently, or not to 128 bits: %s", h)
	}
	if h == NewEntityKeys(k2).Hash("phone", "07700900123") {
		t.Error("the hash does not depend on the key")
	}
	if h == a.Hash("handle", "07700900123") {
		t.Error("the hash does not depend on the kind")
	}
	for _, q := range NewIndex(k1).Query("karim") {
		if q == a.Hash("person", "karim") || q == a.Hash("", "karim") {
			t.Error("an entity hash equals a search token's hash of the same text")
		}
	}
}
