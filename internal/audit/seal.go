package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Sealed case histories (docs/architecture.md, "Audit"). Every case event
// carries an HMAC-SHA256 over what is stored of it and the MAC of the event
// before it in the same case, so each case is a chain of its own: writers of
// different cases never wait for each other to seal. The head of a case's
// chain (its last seq and MAC) is recorded in the audit entry of the
// transaction that appended it, so the keyed audit chain knows every case
// and how far its history reaches: a case rolled back or deleted is found.

// EventFields are the stored columns of one case event that its seal covers.
type EventFields struct {
	CaseID   string
	Seq      int
	Type     string
	Payload  string // as stored: the ciphertext when encrypted
	ActorID  string
	OrgID    string
	At       time.Time
	Corrects int
}

// EventMAC seals one case event onto the MAC of the event before it ("" for
// the first), under key derived from master key keyID.
func EventMAC(key []byte, keyID, prevMAC string, e EventFields) string {
	return mac(key, encode("waymark/case-event/v1", e.CaseID, strconv.Itoa(e.Seq), e.Type, e.Payload,
		e.ActorID, e.OrgID, e.At.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano),
		strconv.Itoa(e.Corrects), prevMAC, keyID))
}

// EventMACEqual compares MACs in constant time.
func EventMACEqual(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }

// ErasureMAC seals the record of a lawful erasure: who erased which case,
// when, why and on what legal basis.
func ErasureMAC(key []byte, keyID, caseID string, at time.Time, by, reason, legalBasis string) string {
	return mac(key, encode("waymark/erasure/v1", caseID, at.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano), by, reason, legalBasis, keyID))
}

// Head is where a case's chain ends: its last event and that event's MAC.
type Head struct {
	Seq int
	MAC string
}

// FormatHeads writes heads as "case:seq:mac" joined by ";", in case order.
func FormatHeads(heads map[string]Head) string {
	ids := make([]string, 0, len(heads))
	for id := range heads {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id + ":" + strconv.Itoa(heads[id].Seq) + ":" + heads[id].MAC
	}
	return strings.Join(parts, ";")
}

// ParseHeads reads what FormatHeads wrote.
func ParseHeads(s string) (map[string]Head, error) {
	out := make(map[string]Head, 1+strings.Count(s, ";"))
	if err := eachHead(s, func(id string, h Head) { out[id] = h }); err != nil {
		return nil, err
	}
	return out, nil
}

// eachHead calls fn (when not nil) with each head of s, written as
// FormatHeads writes them, in order, or names the first part that is not
// case:seq:mac.
func eachHead(s string, fn func(id string, h Head)) error {
	for more := true; more; {
		var p string
		p, s, more = strings.Cut(s, ";")
		id, rest, ok := strings.Cut(p, ":")
		seq, mac, ok2 := strings.Cut(rest, ":")
		if !ok || !ok2 || strings.Contains(mac, ":") {
			return fmt.Errorf("its case heads %q are not case:seq:mac", p)
		}
		n, err := strconv.Atoi(seq)
		if err != nil || n < 1 {
			return fmt.Errorf("its case heads %q are not case:seq:mac", p)
		}
		if fn != nil {
			fn(id, Head{Seq: n, MAC: mac})
		}
	}
	return nil
}

// HeadsDigest is the SHA-256 over every case head, in case order: what a
// checkpoint signs beside the audit head and the number of cases.
func HeadsDigest(heads map[string]Head) string {
	sum := sha256.Sum256([]byte(FormatHeads(heads)))
	return hex.EncodeToString(sum[:])
}

// GrantMAC seals a break-glass grant: who may open which case, from when
// until when, and why.
func GrantMAC(key []byte, keyID, id, caseID, userID, orgID, reason string, grantedAt, expiresAt time.Time) string {
	return mac(key, encode("waymark/break-glass/v1", id, caseID, userID, orgID, reason,
		grantedAt.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano), expiresAt.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano), keyID))
}

// MemberMAC seals one member row of a case: who may know about it, and as
// what, as of the case's last event (version), so that a row saved from an
// earlier moment and put back after the member was removed does not match.
func MemberMAC(key []byte, keyID, caseID, kind, id, role string, version int) string {
	return mac(key, encode("waymark/case-member/v1", caseID, kind, id, role, strconv.Itoa(version), keyID))
}

// NRMDraftMAC seals one saved version of an NRM draft answer: its place,
// its value as stored, and who saved it when.
func NRMDraftMAC(key []byte, keyID, caseID, kind, field string, version int, value string, savedAt time.Time, savedBy, savedByName string) string {
	return mac(key, encode("waymark/nrm-draft/v1", caseID, kind, field, strconv.Itoa(version), value,
		savedAt.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano), savedBy, savedByName, keyID))
}

// ReadModelMAC seals what an erased case's read model was at the moment of
// erasure (its case row and members, one line each), which its unreadable
// events can no longer give.
func ReadModelMAC(key []byte, keyID, caseID, lines string) string {
	return mac(key, encode("waymark/erased-read-model/v1", caseID, lines, keyID))
}
