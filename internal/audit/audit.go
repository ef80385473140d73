// Package audit defines the append-only, chained record of every read and
// write of case data (§6.5), and the seals of the case histories themselves.
// Each audit entry's MAC covers its fields and the previous entry's MAC, so
// altering, deleting, inserting or reordering any entry breaks the chain
// from that point on; the MAC is keyed (HMAC-SHA256 under a key derived from
// the master key, never in the database), so a writer without the key cannot
// re-seal a chain they changed. Entries written before keyed sealing began
// keep their plain SHA-256 hashes (Hash) and still verify.
package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"time"
)

// Actions recorded. Reads are recorded as well as writes.
const (
	ActionCaseViewed       = "case.viewed"
	ActionCaseDenied       = "case.denied" // a non-member asked for a case: recorded, answered 404
	ActionCaseListed       = "case.listed"
	ActionCaseSearched     = "case.searched"
	ActionConcernRaised    = "concern.raised"
	ActionContactRecorded  = "contact.recorded"
	ActionOutcomeRecorded  = "outcome.recorded"
	ActionDraftSaved       = "draft.saved"
	ActionDraftViewed      = "draft.viewed"
	ActionSignIn           = "user.signed_in"
	ActionSignInFailed     = "user.sign_in_failed"
	ActionSignOut          = "user.signed_out"
	ActionTokenCreated     = "token.created"
	ActionReadModelRebuilt = "read_models.rebuilt"
	ActionCaseSealed       = "case.sealed"       // events appended with no audit entry of their own: their heads
	ActionHistorySealed    = "history.sealed"    // history written before sealing began, sealed as found by `waymark seal-history`
	ActionCheckpoint       = "checkpoint.signed" // a signed checkpoint of the chain heads
	ActionVerified         = "audit.verified"    // `waymark verify` or `audit verify` found the chain intact
)

// Entry is one line of the audit log.
type Entry struct {
	Seq      int64
	At       time.Time
	ActorID  string
	OrgID    string
	CaseID   string // empty when the action concerns no single case
	Action   string
	Detail   string
	PrevHash string
	Hash     string // SHA-256 (before keyed sealing began) or HMAC-SHA256, hex
	KeyID    string // master key the MAC's key is derived from; "" for SHA-256
	Heads    string // the heads of the case chains this entry's transaction appended to (FormatHeads)
	// RequestID is the id of the HTTP request the entry was written for
	// (the X-Request-Id its log line carries), "" for commands and
	// background work and for every entry written before it was recorded.
	RequestID string
}

type requestIDKey struct{}

// WithRequestID carries an HTTP request's id to the audit entries written
// for it: the store reads it from the transaction's context.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFrom is the request id WithRequestID put in ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// Hash computes the entry's hash from its fields and the previous hash.
// Times are hashed at microsecond precision, the finest both stores keep.
// An entry with a request id hashes it too, after a marker; one without
// hashes exactly what entries did before request ids were recorded, so
// those still verify.
func Hash(prev string, e Entry) string {
	fields := []string{prev,
		strconv.FormatInt(e.Seq, 10),
		e.At.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano),
		e.ActorID, e.OrgID, e.CaseID, e.Action, e.Detail}
	if e.RequestID != "" {
		fields = append(fields, "request-id", e.RequestID)
	}
	sum := sha256.Sum256([]byte(encode(fields...)))
	return hex.EncodeToString(sum[:])
}

// encode joins fields unambiguously: each is prefixed with its length.
func encode(fields ...string) string {
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
		b.WriteByte('|')
	}
	return b.String()
}

func mac(key []byte, msg string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

// MAC computes a keyed entry's HMAC-SHA256 from its fields, the previous
// entry's hash or MAC, and keyedFrom: the first entry of the chain that is
// keyed. Covering keyedFrom in every keyed entry means the boundary between
// the old SHA-256 entries and the keyed ones cannot be moved: moving it
// forward would need a MAC for the entry it moves to.
//
// An entry written for an HTTP request is sealed as "waymark/audit/v3",
// which covers its request id as well; one without a request id keeps
// "waymark/audit/v2", exactly what every entry written before request ids
// were recorded carries, so they still verify. Stripping a request id, or
// giving one to an entry that had none, changes the version the MAC is
// computed under, and the seal no longer matches.
func MAC(key []byte, prev string, e Entry, keyedFrom int64) string {
	fields := []string{"waymark/audit/v2", prev,
		strconv.FormatInt(e.Seq, 10),
		e.At.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano),
		e.ActorID, e.OrgID, e.CaseID, e.Action, e.Detail, e.Heads, e.KeyID,
		strconv.FormatInt(keyedFrom, 10)}
	if e.RequestID != "" {
		fields[0] = "waymark/audit/v3"
		fields = append(fields, e.RequestID)
	}
	return mac(key, encode(fields...))
}

// SealKeyed fills Seq, PrevHash and Hash (a MAC under key, derived from
// master key keyID) for an entry appended after (seq, hash).
func SealKeyed(e Entry, prevSeq int64, prevHash, keyID string, key []byte, keyedFrom int64) Entry {
	e.Seq = prevSeq + 1
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.PrevHash = prevHash
	e.KeyID = keyID
	e.Hash = MAC(key, prevHash, e, keyedFrom)
	return e
}

// Seal fills Seq, PrevHash and Hash for an entry appended after (seq, hash).
func Seal(e Entry, prevSeq int64, prevHash string) Entry {
	e.Seq = prevSeq + 1
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.PrevHash = prevHash
	e.Hash = Hash(prevHash, e)
	return e
}

// BrokenError names the first entry that does not verify.
type BrokenError struct {
	Seq    int64
	Reason string
}

func (e *BrokenError) Error() string {
	return fmt.Sprintf("audit chain broken at entry %d: %s", e.Seq, e.Reason)
}

// Verifier checks entries one at a time, in seq order. KeyedFrom is the
// first keyed entry (0: none is), and Key gives the MAC key derived from a
// master key id. With KeepHeads, Heads collects, for every case, the last
// head the chain records for it; without, each entry's heads are checked
// as carefully (their seal and their form) and not kept: `audit verify`
// needs none of them, and keeping every case's head in a map cost it as
// much as checking the seals.
type Verifier struct {
	KeyedFrom int64
	Key       func(keyID string) ([]byte, error)
	KeepHeads bool

	checker  *Checker
	prevSeq  int64
	prevHash []byte // a copy: the entries followed may be reused once followed
	Checked  int64
	Heads    map[string]Head
	HeadAt   map[string]int64 // the entry that recorded each case's head
}

// Next checks one entry against the chain so far.
func (v *Verifier) Next(e Entry) error {
	if v.checker == nil {
		v.checker = &Checker{KeyedFrom: v.KeyedFrom, Key: v.Key}
	}
	return v.Follow(&e, v.checker.Check(&e))
}

// Follow is Next for an entry whose own seal was already checked by a
// Checker with the same KeyedFrom and Key (sealErr is what Check
// returned): it checks the entry's place in the chain, which needs the
// entries before it, then reports sealErr, then records the heads. The
// first error is exactly the one Next would give, so entries can be checked
// by many Checkers at once and followed here in seq order.
func (v *Verifier) Follow(e *Entry, sealErr error) error {
	switch {
	case e.Seq != v.prevSeq+1:
		return &BrokenError{Seq: e.Seq, Reason: fmt.Sprintf("expected entry %d next: an entry was deleted, inserted or reordered", v.prevSeq+1)}
	case e.PrevHash != string(v.prevHash):
		return &BrokenError{Seq: e.Seq, Reason: "its link to the previous entry does not match: an entry before it was removed or replaced"}
	case sealErr != nil:
		return sealErr
	}
	if v.KeepHeads && e.Heads != "" {
		if v.Heads == nil {
			v.Heads, v.HeadAt = map[string]Head{}, map[string]int64{}
		}
		// Check found them in form, or it would have said so. They are
		// copied, as the entry may be reused.
		_ = eachHead(e.Heads, func(id string, h Head) {
			id, h.MAC = strings.Clone(id), strings.Clone(h.MAC)
			v.Heads[id] = h
			v.HeadAt[id] = e.Seq
		})
	}
	v.prevSeq, v.prevHash = e.Seq, append(v.prevHash[:0], e.Hash...)
	v.Checked++
	return nil
}

// Checker checks what of an entry needs nothing but the entry itself: its
// hash or keyed seal, computed over its fields and the link it stores to
// the previous entry (which Follow then checks is that entry's hash), and
// its case heads. One Checker is used by one goroutine at a time; it keeps
// its buffers and MAC state between entries, so checking allocates next to
// nothing. Key must be safe to call from many goroutines.
type Checker struct {
	KeyedFrom int64
	Key       func(keyID string) ([]byte, error)

	keyID string    // the key the MAC state below is keyed with
	mac   hash.Hash // HMAC-SHA256 under Key(keyID)
	sha   hash.Hash
	buf   []byte // the encoded fields
	tbuf  []byte // a formatted time
	sum   []byte
	hex   [2 * sha256.Size]byte
}

// Check returns nil, or a *BrokenError saying why the entry itself does
// not verify (see Follow): its seal, and the form of the case heads it
// records.
func (c *Checker) Check(e *Entry) error {
	if c.KeyedFrom == 0 || e.Seq < c.KeyedFrom {
		if e.KeyID != "" || e.Heads != "" {
			return &BrokenError{Seq: e.Seq, Reason: "it carries a key id or case heads but lies before keyed sealing began: the boundary was moved"}
		}
		if !c.hashMatches(e) {
			if c.KeyedFrom == 0 && c.Key != nil {
				return &BrokenError{Seq: e.Seq, Reason: "its contents do not match its hash: the entry was altered (or the record of where keyed sealing began was removed)"}
			}
			return &BrokenError{Seq: e.Seq, Reason: "its contents do not match its hash: the entry was altered"}
		}
		return nil
	}
	if e.KeyID == "" {
		return &BrokenError{Seq: e.Seq, Reason: "it has no keyed seal though keyed sealing began before it: it was written without the key, or the boundary was moved"}
	}
	if c.Key == nil {
		return &BrokenError{Seq: e.Seq, Reason: "it is sealed with a key and no master key is configured to check it"}
	}
	if c.mac == nil || c.keyID != e.KeyID {
		key, err := c.Key(e.KeyID)
		if err != nil {
			return &BrokenError{Seq: e.Seq, Reason: err.Error()}
		}
		c.mac, c.keyID = hmac.New(sha256.New, key), e.KeyID
	}
	if !c.macMatches(e) {
		return &BrokenError{Seq: e.Seq, Reason: "its contents do not match its seal: the entry was altered, re-hashed without the key, or the start of keyed sealing was moved"}
	}
	if e.Heads == "" {
		return nil
	}
	if err := eachHead(e.Heads, nil); err != nil {
		return &BrokenError{Seq: e.Seq, Reason: err.Error()}
	}
	return nil
}

// hashMatches is Hash(e.PrevHash, e) == e.Hash, without allocating.
func (c *Checker) hashMatches(e *Entry) bool {
	if c.sha == nil {
		c.sha = sha256.New()
	}
	c.buf = c.appendField(c.buf[:0], e.PrevHash)
	c.buf = c.appendInt(c.buf, e.Seq)
	c.buf = c.appendTime(c.buf, e.At)
	for _, f := range [...]string{e.ActorID, e.OrgID, e.CaseID, e.Action, e.Detail} {
		c.buf = c.appendField(c.buf, f)
	}
	if e.RequestID != "" {
		c.buf = c.appendField(c.buf, "request-id")
		c.buf = c.appendField(c.buf, e.RequestID)
	}
	c.sha.Reset()
	c.sha.Write(c.buf)
	c.sum = c.sha.Sum(c.sum[:0])
	hex.Encode(c.hex[:], c.sum)
	return string(c.hex[:]) == e.Hash
}

// macMatches is MAC(key, e.PrevHash, e, c.KeyedFrom) == e.Hash, compared
// in constant time, without allocating.
func (c *Checker) macMatches(e *Entry) bool {
	version := "waymark/audit/v2"
	if e.RequestID != "" {
		version = "waymark/audit/v3"
	}
	c.buf = c.appendField(c.buf[:0], version)
	c.buf = c.appendField(c.buf, e.PrevHash)
	c.buf = c.appendInt(c.buf, e.Seq)
	c.buf = c.appendTime(c.buf, e.At)
	for _, f := range [...]string{e.ActorID, e.OrgID, e.CaseID, e.Action, e.Detail, e.Heads, e.KeyID} {
		c.buf = c.appendField(c.buf, f)
	}
	c.buf = c.appendInt(c.buf, c.KeyedFrom)
	if e.RequestID != "" {
		c.buf = c.appendField(c.buf, e.RequestID)
	}
	c.mac.Reset()
	c.mac.Write(c.buf)
	c.sum = c.mac.Sum(c.sum[:0])
	hex.Encode(c.hex[:], c.sum)
	if len(e.Hash) != len(c.hex) {
		return false
	}
	var d byte
	for i := range c.hex {
		d |= c.hex[i] ^ e.Hash[i]
	}
	return d == 0
}

// appendField appends f as encode does.
func (c *Checker) appendField(b []byte, f string) []byte {
	b = strconv.AppendInt(b, int64(len(f)), 10)
	b = append(b, ':')
	b = append(b, f...)
	return append(b, '|')
}

func (c *Checker) appendInt(b []byte, n int64) []byte {
	c.tbuf = strconv.AppendInt(c.tbuf[:0], n, 10)
	return c.appendBytes(b, c.tbuf)
}

// appendTime appends t as Hash and MAC spell it:
// t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano), written
// out by hand for the years of four digits (the layout's cost showed in
// verification), through the layout for any other.
func (c *Checker) appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		c.tbuf = t.Truncate(time.Microsecond).AppendFormat(c.tbuf[:0], time.RFC3339Nano)
		return c.appendBytes(b, c.tbuf)
	}
	h, mi, s := t.Clock()
	tb := appendDigits(c.tbuf[:0], y, 4)
	tb = appendDigits(append(tb, '-'), int(mo), 2)
	tb = appendDigits(append(tb, '-'), d, 2)
	tb = appendDigits(append(tb, 'T'), h, 2)
	tb = appendDigits(append(tb, ':'), mi, 2)
	tb = appendDigits(append(tb, ':'), s, 2)
	if us := t.Nanosecond() / 1000; us != 0 {
		digits := 6
		for ; us%10 == 0; us /= 10 {
			digits--
		}
		tb = appendDigits(append(tb, '.'), us, digits)
	}
	c.tbuf = append(tb, 'Z')
	return c.appendBytes(b, c.tbuf)
}

// appendDigits appends n, 0 <= n < 10^width, in exactly width digits.
func appendDigits(b []byte, n, width int) []byte {
	for i := width - 1; i >= 0; i-- {
		b = append(b, 0)
	}
	for i := len(b) - 1; i >= len(b)-width; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return b
}

func (c *Checker) appendBytes(b, f []byte) []byte {
	b = strconv.AppendInt(b, int64(len(f)), 10)
	b = append(b, ':')
	b = append(b, f...)
	return append(b, '|')
}

// Last is the seq and hash of the last entry checked.
func (v *Verifier) Last() (int64, string) { return v.prevSeq, string(v.prevHash) }

// End checks that the chain ends where the recorded head says it does, so
// that removing the newest entries is detected too.
func (v *Verifier) End(headSeq int64, headHash string) error {
	if headSeq < v.prevSeq { // the first entry past the head was not written through the head
		return &BrokenError{Seq: headSeq + 1, Reason: fmt.Sprintf("the log goes on to entry %d but the head records entry %d: entries were added after the head", v.prevSeq, headSeq)}
	}
	if headSeq != v.prevSeq || headHash != string(v.prevHash) {
		return &BrokenError{Seq: v.prevSeq + 1, Reason: fmt.Sprintf("the log ends at entry %d but the head records entry %d: entries were removed from the end", v.prevSeq, headSeq)}
	}
	return nil
}
