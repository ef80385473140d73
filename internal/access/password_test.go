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
