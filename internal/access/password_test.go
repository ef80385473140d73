package access

import (
	"strings"
	"testing"
)

var fastArgon = Argon2Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func TestPasswordHashIsArgon2idAndChecks(t *testing.T) {
	h, err := HashPassword("correct horse battery", fastArgon)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$") {
		t.Fatalf("hash %q is not argon2id PHC", h)
	}
	if ok, err := CheckPassword(h, "correct horse battery"); !ok || err != nil {
		t.Fatalf("right password refused: %v %v", ok, err)
	}
	if ok, _ := CheckPassword(h, "correct horse batterz"); ok {
		t.Fatal("wrong password accepted")
	}
	h2, _ := HashPassword("correct horse battery", fastArgon)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
}

func TestMalformedPasswordHashIsRefusedNotAccepted(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA"} {
		if ok, err := CheckPassword(h, "anything"); ok || err == nil {
			t.Errorf("hash %q: ok=%v err=%v", h, ok, err)
		}
	}
}

func TestTokensAreStoredOnlyAsHashes(t *testing.T) {
	tok, hash := NewToken()
	if tok == hash || HashToken(tok) != hash || len(tok) < 40 {
		t.Fatalf("token %q hash %q", tok, hash)
	}
	other, _ := NewToken()
	if other == tok {
		t.Fatal("tokens repeat")
	}
}

// A password that is no secret (the demo's) is hashed once for each set of
// parameters and the hash shared; it checks like any other.
func TestAPublicPasswordIsHashedOnceForEachParameters(t *testing.T) {
	a, err := PublicPasswordHash("the published demo password", fastArgon)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := PublicPasswordHash("the published demo password", fastArgon)
	other := fastArgon
	other.Time = 2
	c, _ := PublicPasswordHash("the published demo password", other)
	d, _ := PublicPasswordHash("another published password", fastArgon)
	if a != b || a == c || a == d {
		t.Fatalf("hashes: same parameters equal %v, other parameters differ %v, other password differs %v", a == b, a != c, a != d)
	}
	for _, h := range []string{a, c} {
		if ok, err := CheckPassword(h, "the published demo password"); !ok || err != nil {
			t.Fatalf("%s does not check: %v %v", h, ok, err)
		}
	}
}
