package crypt

import (
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
)

// Keys derived from each master key with HKDF-SHA256, each under a label of
// its own so that no derived key can stand in for another or for the master
// key itself (docs/architecture.md, "Audit"):
//
//	sealLabel        the HMAC-SHA256 key that seals case events, the audit
//	                 chain and erasure records
//	checkpointLabel  the seed of the Ed25519 key that signs checkpoints
//	identityLabel    the HMAC-SHA256 key that seals users and organisations
//	tokenLabel       the HMAC-SHA256 key that keys stored hashes of bearer
//	                 secrets (sessions, API tokens, machine clients, sign-ins)
//	ledgerLabel      the HMAC-SHA256 key that authenticates the lines of the
//	                 erasure ledger kept outside the database
const (
	sealLabel       = "waymark/history-seal/v1"
	checkpointLabel = "waymark/checkpoint-signing/v1"
	identityLabel   = "waymark/identity-seal/v1"
	tokenLabel      = "waymark/token-hash/v1"
	ledgerLabel     = "waymark/erasure-ledger/v1"
)

func derive(master []byte, label string, n int) []byte {
	k, err := hkdf.Key(sha256.New, master, nil, label, n)
	if err != nil { // only for a length HKDF cannot give; n is fixed here
		panic(err)
	}
	return k
}

// SealKey returns the history-sealing key derived from master key id.
func (r *KeyRing) SealKey(id string) ([]byte, error) {
	k, ok := r.seal[id]
	if !ok {
		return nil, fmt.Errorf("crypt: history was sealed under master key %q, which is not configured", id)
	}
	return k, nil
}

// SigningKey returns the checkpoint-signing key derived from master key id.
func (r *KeyRing) SigningKey(id string) (ed25519.PrivateKey, error) {
	mk, ok := r.keys[id]
	if !ok {
		return nil, fmt.Errorf("crypt: master key %q is not configured", id)
	}
	return ed25519.NewKeyFromSeed(derive(mk, checkpointLabel, ed25519.SeedSize)), nil
}

// IdentityKey returns the key that seals user and organisation rows,
// derived from master key id.
func (r *KeyRing) IdentityKey(id string) ([]byte, error) {
	k, ok := r.identity[id]
	if !ok {
		return nil, fmt.Errorf("crypt: an account or organisation was sealed under master key %q, which is not configured", id)
	}
	return k, nil
}

// TokenKey returns the key that keys stored token hashes, derived from
// master key id.
func (r *KeyRing) TokenKey(id string) ([]byte, error) {
	k, ok := r.token[id]
	if !ok {
		return nil, fmt.Errorf("crypt: master key %q is not configured", id)
	}
	return k, nil
}

// LedgerKey returns the key that authenticates erasure ledger lines,
// derived from master key id.
func (r *KeyRing) LedgerKey(id string) ([]byte, error) {
	mk, ok := r.keys[id]
	if !ok {
		return nil, fmt.Errorf("crypt: master key %q is not configured", id)
	}
	return derive(mk, ledgerLabel, KeySize), nil
}
