package crypt

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// EntityKeys computes the keyed hashes under which a case is filed by its
// entities (a suspected exploiter's name, an address, a phone number, a
// vehicle, a handle: pathway.EntityKey gives the normalised value), so that
// the store can find the other cases an entity recurs in without holding
// the value. It is HMAC-SHA256 under the search index key with a domain of
// its own, so an entity hash never equals a search token's hash of the same
// text, and neither can be tested against a list of phone numbers without
// the key.
type EntityKeys struct{ key []byte }

// EntityKeys returns the entity hasher under the index's key.
func (ix *Index) EntityKeys() *EntityKeys { return &EntityKeys{key: ix.key} }

// NewEntityKeys returns an entity hasher under key (32 bytes).
func NewEntityKeys(key []byte) *EntityKeys { return &EntityKeys{key: append([]byte(nil), key...)} }

// Hash is the keyed hash of an entity's kind and normalised value.
func (k *EntityKeys) Hash(kind, normalised string) string {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte("waymark/entities/v1\x00"))
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(normalised))
	return hex.EncodeToString(m.Sum(nil)[:16])
}
