package crypt

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// The sealing key and the checkpoint-signing key are derived from the
// master key under labels of their own: neither is the master key, they
// differ from each other, the same master key always gives the same ones
// (so seals verify after a restart), and an unknown key id gives none.
func TestKeysDerivedFromAMasterKeyAreDistinctAndStable(t *testing.T) {
	line, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	r1, _ := ParseKeys(line)
	r2, _ := ParseKeys(line)
	id, b64, _ := strings.Cut(line, ":")
	master, _ := base64.StdEncoding.DecodeString(b64)
	seal1, err := r1.SealKey(id)
	if err != nil {
		t.Fatal(err)
	}
	seal2, _ := r2.SealKey(id)
	sign, err := r1.SigningKey(id)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case !bytes.Equal(seal1, seal2):
		t.Fatal("the same master key gave two sealing keys")
	case bytes.Equal(seal1, master):
		t.Fatal("the sealing key is the master key")
	case bytes.Equal(sign.Seed(), master) || bytes.Equal(sign.Seed(), seal1):
		t.Fatal("the signing key is the master key or the sealing key")
	}
	if _, err := r1.SealKey("k-unknown"); err == nil || !strings.Contains(err.Error(), "not configured") {
		t.Fatalf("an unknown key id: %v", err)
	}
	// The erasure ledger's key is one of its own.
	ledger, err := r1.LedgerKey(id)
	if err != nil {
		t.Fatal(err)
	}
	ident, _ := r1.IdentityKey(id)
	token, _ := r1.TokenKey(id)
	for _, other := range [][]byte{master, seal1, sign.Seed(), ident, token} {
		if bytes.Equal(ledger, other) {
			t.Fatal("the erasure ledger's key stands in for another key")
		}
	}
	if again, _ := r2.LedgerKey(id); !bytes.Equal(ledger, again) {
		t.Fatal("the same master key gave two ledger keys")
	}
}
