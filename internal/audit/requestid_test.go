package audit

import (
	"context"
	"testing"
	"time"
)

// goldenEntry is an entry as written before request ids were recorded.
var goldenEntry = Entry{Seq: 7, At: time.Date(2026, 3, 4, 5, 6, 7, 891234000, time.UTC), ActorID: "user-1", OrgID: "org-1", CaseID: "case-1",
	Action: ActionCaseViewed, Detail: "page", Heads: "case-1:3:abc", KeyID: "k1"}

var goldenKey = []byte("0123456789abcdef0123456789abcdef")

// The seals of entries written before request ids were recorded are
// computed exactly as they were: these values were taken from the code
// before the change, so a database written then still verifies.
func TestEntriesWrittenBeforeRequestIDsKeepTheirSeals(t *testing.T) {
	if got := MAC(goldenKey, "prev", goldenEntry, 5); got != "80f9d073f44401e5951a212640b0742da21d3daa0884ea6c97a99b450416ad46" {
		t.Fatalf("the keyed MAC of an entry without a request id changed: %s", got)
	}
	if got := Hash("prev", goldenEntry); got != "f6b0fdf89d55b123d867eab534ef7aa8dfe23684c6a4114b9e2cd4f61e2ecb40" {
		t.Fatalf("the hash of an entry without a request id changed: %s", got)
	}
}

// A request id is covered by the seal: changing it, stripping it from an
// entry, or adding one to an entry that had none breaks the chain there.
func TestTheRequestIDOfAnAuditEntryIsSealed(t *testing.T) {
	key := func(string) ([]byte, error) { return goldenKey, nil }
	build := func() []Entry {
		var es []Entry
		seq, prev := int64(0), ""
		t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		for i, rid := range []string{"", "req-a", "", "req-b"} {
			e := SealKeyed(Entry{At: t0.Add(time.Duration(i) * time.Second), ActorID: "u1", OrgID: "o1", Action: ActionCaseViewed, RequestID: rid}, seq, prev, "k1", goldenKey, 1)
			es = append(es, e)
			seq, prev = e.Seq, e.Hash
		}
		return es
	}
	check := func(es []Entry) error {
		v := Verifier{KeyedFrom: 1, Key: key}
		for _, e := range es {
			if err := v.Next(e); err != nil {
				return err
			}
		}
		return nil
	}
	if err := check(build()); err != nil {
		t.Fatalf("untouched entries with and without request ids: %v", err)
	}
	for name, tamper := range map[string]func([]Entry){
		"changed":  func(es []Entry) { es[1].RequestID = "req-z" },
		"stripped": func(es []Entry) { es[3].RequestID = "" },
		"added":    func(es []Entry) { es[2].RequestID = "req-c" },
	} {
		es := build()
		tamper(es)
		if err := check(es); err == nil {
			t.Errorf("a request id %s after sealing verified", name)
		}
	}
	// Unkeyed chains (--insecure-no-encryption) cover it too.
	a := Seal(Entry{At: time.Unix(0, 0), Action: ActionSignIn, RequestID: "req-a"}, 0, "")
	b := a
	b.RequestID = ""
	if Hash("", b) == a.Hash {
		t.Fatal("stripping the request id of an unkeyed entry kept its hash")
	}
}

func TestTheRequestIDTravelsInTheContext(t *testing.T) {
	if got := RequestIDFrom(context.Background()); got != "" {
		t.Fatalf("no request: %q", got)
	}
	if got := RequestIDFrom(WithRequestID(context.Background(), "abc")); got != "abc" {
		t.Fatalf("got %q", got)
	}
}
