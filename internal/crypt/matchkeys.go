package crypt

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// Match keys: the blocking keys a child is filed under so that earlier
// records of the same child can be found (issue 14; §4.3, §4.8, §7.1),
// stored only as keyed hashes. They are HMAC-SHA256 under the same index
// key as search, with a domain of their own: a match key and a search token
// of the same text hash differently, so neither table can be joined to the
// other, and a hash of one kind is never a valid entry of the other.
const (
	matchKeyDomain    = "waymark/match-key/v1\x00"
	matchHandleDomain = "waymark/match-handle/v1\x00"
)

// MatchKeys returns the keyed hash of each blocking key, in order, without
// duplicates or empty keys.
func (ix *Index) MatchKeys(keys []string) []string {
	seen := make(map[string]bool, len(keys))
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if k == "" {
			continue
		}
		h := ix.domainHash(matchKeyDomain, k)
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}

// MatchHandle is an opaque name for one earlier record as one viewer was
// shown it: a keyed hash of the parts (the case asked from, the candidate,
// the viewer), each length-prefixed so that no two lists of parts give the
// same input. Without the index key it can be neither made nor undone.
func (ix *Index) MatchHandle(parts ...string) string {
	m := hmac.New(sha256.New, ix.key)
	m.Write([]byte(matchHandleDomain))
	for _, p := range parts {
		var n [4]byte
		n[0], n[1], n[2], n[3] = byte(len(p)>>24), byte(len(p)>>16), byte(len(p)>>8), byte(len(p))
		m.Write(n[:])
		m.Write([]byte(p))
	}
	return hex.EncodeToString(m.Sum(nil))
}

func (ix *Index) domainHash(domain, s string) string {
	m := hmac.New(sha256.New, ix.key)
	m.Write([]byte(domain))
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// MatchRecordDigest is a keyed hash of one case's match record, so that a
// write can tell the sealed record unchanged without opening it. The case
// id is hashed with it: two cases with the same details have different
// digests. It is a handle with a first part of its own.
func (ix *Index) MatchRecordDigest(caseID string, record []byte) string {
	return ix.MatchHandle("match-record", caseID, string(record))
}
