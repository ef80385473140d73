package access

import (
	"context"
	"testing"
)

// Every password check made under a request's context adds its time to
// the request's HashTime; a context without one is checked as before.
func TestEachPasswordCheckAddsItsTimeToTheRequestsHashTime(t *testing.T) {
	hash, err := HashPassword("correct horse", fastArgon)
	if err != nil {
		t.Fatal(err)
	}
	ctx, h := WithHashTime(context.Background())
	if h.Duration() != 0 {
		t.Fatalf("a new HashTime says %s", h.Duration())
	}
	if ok, err := CheckPasswordContext(ctx, hash, "correct horse"); !ok || err != nil {
		t.Fatalf("check: %v %v", ok, err)
	}
	one := h.Duration()
	if one <= 0 {
		t.Fatalf("after one check the HashTime says %s", one)
	}
	if ok, err := CheckPasswordContext(ctx, hash, "wrong"); ok || err != nil {
		t.Fatalf("a wrong password: %v %v", ok, err)
	}
	if h.Duration() <= one {
		t.Fatalf("a second check added nothing: %s then %s", one, h.Duration())
	}
	if ok, err := CheckPasswordContext(context.Background(), hash, "correct horse"); !ok || err != nil {
		t.Fatalf("a check without a HashTime: %v %v", ok, err)
	}
	var none *HashTime
	if none.Duration() != 0 {
		t.Fatal("a nil HashTime says a time")
	}
}
