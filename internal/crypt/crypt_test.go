package crypt

import (
	"bytes"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
)

func ring(t *testing.T, lines ...string) *KeyRing {
	t.Helper()
	r, err := ParseKeys(strings.Join(lines, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestParseKeysTakesIdsCommentsAndTheLastAsNewest(t *testing.T) {
	a := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	b := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32))
	r := ring(t, "# keys, made by hand: keep them safe", "old:"+a, "", b)
	if ids := r.IDs(); len(ids) != 2 || ids[0] != "old" || ids[1] != KeyID(bytes.Repeat([]byte{2}, 32)) || r.Primary() != ids[1] {
		t.Fatalf("ids %v, primary %s", ids, r.Primary())
	}
	if r2 := ring(t, "x:"+a+",y:"+b); r2.Primary() != "y" {
		t.Fatalf("comma-separated: primary %s", r2.Primary())
	}
	for _, bad := range []string{"", "# only a comment", "x:notbase64!!", "x:" + base64.StdEncoding.EncodeToString([]byte("short")), "x:" + a + "\nx:" + b, "bad id:" + a} {
		if _, err := ParseKeys(bad); err == nil {
			t.Errorf("ParseKeys(%q) accepted", bad)
		}
	}
	line, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if r := ring(t, line); !strings.HasPrefix(line, r.Primary()+":") {
		t.Fatalf("generated %q parsed as %s", line, r.Primary())
	}
}

// The same key under a second id (a line copied and renamed, or the
// current key pasted as the "new" one) looks like a rotation and protects
// nothing: whoever holds the old key still opens everything. It is refused,
// unwrap-only or not.
func TestTheSameKeyUnderTwoIDsIsRefused(t *testing.T) {
	a := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	aURL := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	for _, text := range []string{"k1:" + a + "\nk2:" + a, "k1:" + a + "\nk2:" + aURL + " unwrap-only", "k1:" + a + "\n" + a} {
		if _, err := ParseKeys(text); err == nil || !strings.Contains(err.Error(), "are the same key") {
			t.Errorf("ParseKeys(%q): %v", text, err)
		}
	}
}

func TestSealedValuesOpenOnlyWithTheirKeyAndPlace(t *testing.T) {
	k1, _ := NewDataKey()
	k2, _ := NewDataKey()
	s, err := SealText(k1, []byte("Amira Example"), "cases.child_name|c1")
	if err != nil {
		t.Fatal(err)
	}
	if !IsSealed(s) || strings.Contains(s, "Amira") {
		t.Fatalf("sealed %q", s)
	}
	if p, err := OpenText(k1, s, "cases.child_name|c1"); err != nil || string(p) != "Amira Example" {
		t.Fatalf("open: %q %v", p, err)
	}
	if _, err := OpenText(k2, s, "cases.child_name|c1"); err != ErrDecrypt {
		t.Fatalf("another key opened it: %v", err)
	}
	if _, err := OpenText(k1, s, "cases.child_name|c2"); err != ErrDecrypt {
		t.Fatalf("moved to another case, it still opened: %v", err)
	}
	raw, _ := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(s, Prefix))
	raw[len(raw)-1] ^= 1
	if _, err := OpenText(k1, Prefix+base64.RawStdEncoding.EncodeToString(raw), "cases.child_name|c1"); err != ErrDecrypt {
		t.Fatalf("tampered ciphertext opened: %v", err)
	}
	s2, _ := SealText(k1, []byte("Amira Example"), "cases.child_name|c1")
	if s2 == s {
		t.Fatal("two seals of the same value are equal: the nonce is not random")
	}
}

func TestDataKeysWrapUnderTheNewestAndUnwrapOnlyForTheirOwner(t *testing.T) {
	old, _ := GenerateKey()
	r1 := ring(t, old)
	dk, _ := NewDataKey()
	id, w, err := r1.Wrap(dk, "case:1")
	if err != nil || id != r1.Primary() {
		t.Fatal(id, err)
	}
	if strings.Contains(w, base64.StdEncoding.EncodeToString(dk)) {
		t.Fatal("wrapped key contains the data key")
	}
	if got, err := r1.Unwrap(id, w, "case:1"); err != nil || !bytes.Equal(got, dk) {
		t.Fatal(err)
	}
	if _, err := r1.Unwrap(id, w, "case:2"); err == nil {
		t.Fatal("a data key unwrapped for another owner")
	}
	newer, _ := GenerateKey()
	r2 := ring(t, old, newer)
	if got, err := r2.Unwrap(id, w, "case:1"); err != nil || !bytes.Equal(got, dk) {
		t.Fatalf("the old key no longer unwraps: %v", err)
	}
	id2, _, _ := r2.Wrap(dk, "case:1")
	if id2 == id || id2 != r2.Primary() {
		t.Fatalf("wrapped under %s, want the newest %s", id2, r2.Primary())
	}
	if _, err := ring(t, newer).Unwrap(id, w, "case:1"); err == nil || !strings.Contains(err.Error(), "not configured") {
		t.Fatalf("without the old key: %v", err)
	}
}

func TestNormaliseFoldsCaseAccentsAndSplitsNames(t *testing.T) {
	for in, want := range map[string][]string{
		"Amira Example":         {"amira", "example"},
		"  ZOË   Brontë-Smith ": {"zoe", "bronte", "smith"},
		"O'Brien":               {"obrien"},
		"Nguyễn Thị Hương":      {"nguyen", "thi", "huong"},
		"Ção Ğül Straße":        {"cao", "gul", "strasse"},
		"Łukasz Øster":          {"lukasz", "oster"},
		"e\u0301lodie":          {"elodie"},
		"--":                    nil,
	} {
		if got := Normalise(in); !slices.Equal(got, want) {
			t.Errorf("Normalise(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBlindIndexMatchesTokensAndPrefixesUnderItsKeyOnly(t *testing.T) {
	k1, _ := NewDataKey()
	k2, _ := NewDataKey()
	ix := NewIndex(k1)
	tokens := ix.Tokens("Zoë Brontë-Smith", "Zo")
	has := func(ix *Index, word string) bool {
		q := ix.Query(word)
		for _, h := range q {
			if !slices.Contains(tokens, h) {
				return false
			}
		}
		return len(q) > 0
	}
	for _, w := range []string{"zoe", "ZOË", "bronte", "bro", "Brontë-Smith", "smi", "zo"} {
		if !has(ix, w) {
			t.Errorf("%q does not match", w)
		}
	}
	for _, w := range []string{"br", "rontë", "smithers", "zoey", ""} {
		if has(ix, w) {
			t.Errorf("%q matches", w)
		}
	}
	if has(NewIndex(k2), "zoe") {
		t.Error("another index key matches")
	}
	for _, h := range tokens {
		if len(h) != 32 || strings.Trim(h, "0123456789abcdef") != "" {
			t.Errorf("token %q is not 128 bits of hex", h)
		}
	}
}

// Step (a) of a rotation across replicas: a key added "unwrap-only" opens
// what it wrapped, but the older key stays the one that wraps and that the
// seals of new writes derive from, so a replica that does not know the new
// key yet can still read and check everything written meanwhile. Removing
// the marker (step b) makes it the primary. A file without markers means
// what it always did.
func TestAnUnwrapOnlyKeyUnwrapsButNeitherWrapsNorSeals(t *testing.T) {
	k1 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	k2 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32))
	staged := ring(t, "k1:"+k1, "k2:"+k2+" unwrap-only")
	if staged.Primary() != "k1" || !staged.UnwrapOnly("k2") || staged.UnwrapOnly("k1") || !staged.Has("k2") {
		t.Fatalf("staged ring: primary %s, k2 unwrap-only %v", staged.Primary(), staged.UnwrapOnly("k2"))
	}
	dk, _ := NewDataKey()
	if id, _, err := staged.Wrap(dk, "case:c1"); err != nil || id != "k1" {
		t.Fatalf("staged ring wrapped under %s (%v), want k1", id, err)
	}
	promoted := ring(t, "k1:"+k1, "k2:"+k2)
	id, wrapped, err := promoted.Wrap(dk, "case:c1")
	if err != nil || id != "k2" {
		t.Fatalf("promoted ring wrapped under %s (%v), want k2", id, err)
	}
	if got, err := staged.Unwrap(id, wrapped, "case:c1"); err != nil || !bytes.Equal(got, dk) {
		t.Fatalf("the staged ring cannot unwrap under k2: %v", err)
	}
	s1, _ := staged.SealKey("k2")
	s2, _ := promoted.SealKey("k2")
	if !bytes.Equal(s1, s2) {
		t.Fatal("an unwrap-only key derives another seal key")
	}
	// The marker may sit on an older key too, and with a comma list.
	if r := ring(t, "k1:"+k1+",k2:"+k2+" unwrap-only"); r.Primary() != "k1" {
		t.Fatalf("comma list: primary %s", r.Primary())
	}
	if r := ring(t, "k2:"+k2+" unwrap-only", "k1:"+k1); r.Primary() != "k1" {
		t.Fatalf("older unwrap-only: primary %s", r.Primary())
	}
	for _, bad := range []string{
		"k1:" + k1 + " unwrap-only",                // nothing would wrap
		"k1:" + k1 + "\nk2:" + k2 + " unwrap_only", // a misspelt marker is not ignored
		"k1:" + k1 + "\nk2:" + k2 + " unwrap-only unwrap-only",
		"k1:" + k1 + "\nk2:" + k2 + " primary",
	} {
		if _, err := ParseKeys(bad); err == nil {
			t.Errorf("ParseKeys(%q) accepted", bad)
		}
	}
}
