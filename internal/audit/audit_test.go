package audit

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

func chain(n int) []Entry {
	var es []Entry
	var seq int64
	prev := ""
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 123456789, time.UTC)
	for i := range n {
		e := Seal(Entry{At: t0.Add(time.Duration(i) * time.Minute), ActorID: "u1", OrgID: "o1", CaseID: "c1", Action: ActionCaseViewed, Detail: "page"}, seq, prev)
		es = append(es, e)
		seq, prev = e.Seq, e.Hash
	}
	return es
}

func verify(es []Entry, headSeq int64, headHash string) error {
	var v Verifier
	for _, e := range es {
		if err := v.Next(e); err != nil {
			return err
		}
	}
	return v.End(headSeq, headHash)
}

func brokenAt(t *testing.T, err error) int64 {
	t.Helper()
	var b *BrokenError
	if !errors.As(err, &b) {
		t.Fatalf("want a BrokenError, got %v", err)
	}
	return b.Seq
}

func TestAuditChainOfUntouchedEntriesVerifies(t *testing.T) {
	es := chain(5)
	if err := verify(es, 5, es[4].Hash); err != nil {
		t.Fatal(err)
	}
}

func TestAuditTamperingIsNamed(t *testing.T) {
	tests := []struct {
		name   string
		tamper func([]Entry) []Entry
		want   int64
	}{
		{"altered detail", func(es []Entry) []Entry { es[2].Detail = "nothing to see"; return es }, 3},
		{"altered actor", func(es []Entry) []Entry { es[1].ActorID = "someone-else"; return es }, 2},
		{"altered time", func(es []Entry) []Entry { es[3].At = es[3].At.Add(time.Second); return es }, 4},
		{"deleted", func(es []Entry) []Entry { return append(es[:2], es[3:]...) }, 4},
		{"reordered", func(es []Entry) []Entry { es[1], es[2] = es[2], es[1]; return es }, 3},
		{"inserted and resealed", func(es []Entry) []Entry {
			extra := Seal(Entry{At: es[1].At, ActorID: "x", Action: ActionCaseViewed}, es[1].Seq, es[1].Hash)
			return append(es[:2], append([]Entry{extra}, es[2:]...)...)
		}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := tt.tamper(chain(5))
			if got := brokenAt(t, verify(es, 5, chain(5)[4].Hash)); got != tt.want {
				t.Fatalf("broken at %d, want %d", got, tt.want)
			}
		})
	}
}

func TestAuditTruncatedTailIsDetected(t *testing.T) {
	es := chain(5)
	if got := brokenAt(t, verify(es[:4], 5, es[4].Hash)); got != 5 {
		t.Fatalf("broken at %d, want 5", got)
	}
}

// The checker that verification runs on many goroutines computes exactly
// the hash and seal Hash and MAC compute: for entries with and without a
// request id, heads, before and after keyed sealing, and with fields that
// are empty, long or not ASCII; and it refuses each one altered.
func TestTheParallelCheckerAgreesWithHashAndMAC(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	keyOf := func(id string) ([]byte, error) {
		if id != "k1" {
			return nil, errors.New("no such key")
		}
		return key, nil
	}
	at := time.Date(2026, 11, 26, 9, 0, 0, 123456789, time.FixedZone("x", 3600))
	var entries []Entry
	for i, e := range []Entry{
		{At: at, ActorID: "u1", OrgID: "o1", CaseID: "c1", Action: ActionCaseViewed, Detail: "page"},
		{At: at, Action: ActionSignIn},
		{At: at.Add(time.Hour), ActorID: "ü|:9", OrgID: "", CaseID: "c2", Action: ActionContactRecorded, Detail: string(make([]byte, 300)), RequestID: "req-1"},
		{At: at, ActorID: "u2", CaseID: "c3", Action: ActionOutcomeRecorded, Detail: "d", Heads: "c3:2:abcd;c4:1:ef", RequestID: "r"},
		{At: at, ActorID: "u3", Action: ActionCaseListed, Heads: "c5:7:00"},
	} {
		entries = append(entries, SealKeyed(e, int64(i+40), "prev", "k1", key, 3))
		e.Heads = "" // an entry sealed without a key records no heads
		entries = append(entries, Seal(e, int64(i+40), "prev"))
	}
	for _, e := range entries {
		c := &Checker{KeyedFrom: 3, Key: keyOf}
		if e.KeyID == "" {
			c.KeyedFrom = 0
		}
		if err := c.Check(&e); err != nil {
			t.Fatalf("%+v: %v", e, err)
		}
		for _, alter := range []func(*Entry){
			func(e *Entry) { e.Detail += "x" },
			func(e *Entry) { e.At = e.At.Add(time.Microsecond) },
			func(e *Entry) { e.PrevHash = "other" },
			func(e *Entry) { e.ActorID, e.OrgID = e.OrgID, e.ActorID+"x" },
			func(e *Entry) { e.RequestID = e.RequestID + "y" },
			func(e *Entry) { e.Seq++ },
		} {
			x := e
			alter(&x)
			if err := c.Check(&x); err == nil {
				t.Fatalf("an altered entry passed: %+v", x)
			}
			if err := c.Check(&e); err != nil { // the checker keeps no state from a failure
				t.Fatalf("%+v after an altered one: %v", e, err)
			}
		}
	}
}

// Checking entries out of order on separate checkers and following them in
// order names the same first broken entry, with the same reason, as Next.
func TestFollowingCheckedEntriesNamesWhatNextNames(t *testing.T) {
	for i := range 5 {
		for _, alter := range []func([]Entry){
			func(es []Entry) { es[i].Detail = "x" },
			func(es []Entry) { es[i].PrevHash = "x" },
			func(es []Entry) { es[i].Seq += 7 },
			func(es []Entry) { es[i].KeyID = "k9" },
		} {
			es := chain(5)
			alter(es)
			var v Verifier
			var want error
			for _, e := range es {
				if want = v.Next(e); want != nil {
					break
				}
			}
			errs := make([]error, len(es))
			for j := len(es) - 1; j >= 0; j-- {
				c := &Checker{}
				errs[j] = c.Check(&es[j])
			}
			var w Verifier
			var got error
			for j := range es {
				if got = w.Follow(&es[j], errs[j]); got != nil {
					break
				}
			}
			if want == nil || got == nil || got.Error() != want.Error() {
				t.Fatalf("entry %d altered: Follow gave %v, Next gave %v", i+1, got, want)
			}
		}
	}
}

// The checker spells an entry's time exactly as Hash and MAC spell it, for
// any instant, zone and fraction of a second, in years of any length.
func TestTheCheckerSpellsTimesAsHashAndMACDo(t *testing.T) {
	times := []time.Time{
		{}, time.Unix(0, 0), time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 10, 9, 0, 0, 999, time.UTC), time.Date(2026, 3, 10, 9, 0, 0, 1000, time.UTC),
		time.Date(2026, 3, 10, 9, 0, 0, 120000000, time.FixedZone("", -5*3600)), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 6, 1, 0, 0, 0, 500000, time.UTC), time.Date(0, 6, 1, 0, 0, 0, 1500, time.UTC), time.Date(1, 1, 1, 0, 0, 0, 10, time.UTC),
	}
	r := rand.New(rand.NewPCG(10, 10))
	for range 5000 {
		times = append(times, time.Unix(r.Int64N(400*365*86400)-100*365*86400, r.Int64N(1e9)).In(time.FixedZone("", 60*(r.IntN(26*60)-13*60))))
	}
	var c Checker
	for _, at := range times {
		want := at.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
		if got := string(c.appendTime(nil, at)); got != strconv.Itoa(len(want))+":"+want+"|" {
			t.Fatalf("%v spelt %q, Hash spells %q", at, got, want)
		}
	}
}

// Case heads are read as FormatHeads writes them, and anything else is
// refused, naming the part that is not case:seq:mac.
func TestCaseHeadsAreReadAsWrittenAndNothingElse(t *testing.T) {
	heads := map[string]Head{"case-1": {Seq: 3, MAC: "ab"}, "case-2": {Seq: 12, MAC: "cd"}}
	if got, err := ParseHeads(FormatHeads(heads)); err != nil || !maps.Equal(got, heads) {
		t.Fatalf("read %v, %v; want %v", got, err, heads)
	}
	for text, part := range map[string]string{
		"": "", "a:1:b;": "", ";a:1:b": "", "a:1": "a:1", "a:1:b:c": "a:1:b:c", "a:0:b": "a:0:b", "a:x:b": "a:x:b", "a:1:b;c": "c",
	} {
		if _, err := ParseHeads(text); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", part)) {
			t.Errorf("%q: %v, want it refused naming %q", text, err, part)
		}
	}
}
