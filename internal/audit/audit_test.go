package audit

import (
	"errors"
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
