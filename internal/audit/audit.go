// Package audit defines the append-only, hash-chained record of every read
// and write of case data (§6.5): each entry's hash covers its fields and the
// previous entry's hash, so altering, deleting, inserting or reordering any
// entry breaks the chain from that point on.
package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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
	Hash     string
}

// Hash computes the entry's hash from its fields and the previous hash.
// Times are hashed at microsecond precision, the finest both stores keep.
func Hash(prev string, e Entry) string {
	var b strings.Builder
	for _, f := range []string{
		prev,
		strconv.FormatInt(e.Seq, 10),
		e.At.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano),
		e.ActorID, e.OrgID, e.CaseID, e.Action, e.Detail,
	} {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
		b.WriteByte('|')
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
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

// Verifier checks entries one at a time, in seq order.
type Verifier struct {
	prevSeq  int64
	prevHash string
	Checked  int64
}

// Next checks one entry against the chain so far.
func (v *Verifier) Next(e Entry) error {
	switch {
	case e.Seq != v.prevSeq+1:
		return &BrokenError{Seq: e.Seq, Reason: fmt.Sprintf("expected entry %d next: an entry was deleted, inserted or reordered", v.prevSeq+1)}
	case e.PrevHash != v.prevHash:
		return &BrokenError{Seq: e.Seq, Reason: "its link to the previous entry does not match: an entry before it was removed or replaced"}
	case Hash(v.prevHash, e) != e.Hash:
		return &BrokenError{Seq: e.Seq, Reason: "its contents do not match its hash: the entry was altered"}
	}
	v.prevSeq, v.prevHash = e.Seq, e.Hash
	v.Checked++
	return nil
}

// End checks that the chain ends where the recorded head says it does, so
// that removing the newest entries is detected too.
func (v *Verifier) End(headSeq int64, headHash string) error {
	if headSeq < v.prevSeq { // the first entry past the head was not written through the head
		return &BrokenError{Seq: headSeq + 1, Reason: fmt.Sprintf("the log goes on to entry %d but the head records entry %d: entries were added after the head", v.prevSeq, headSeq)}
	}
	if headSeq != v.prevSeq || headHash != v.prevHash {
		return &BrokenError{Seq: v.prevSeq + 1, Reason: fmt.Sprintf("the log ends at entry %d but the head records entry %d: entries were removed from the end", v.prevSeq, headSeq)}
	}
	return nil
}
