// Package crypt is Waymark's encryption at rest: envelope encryption with
// AES-256-GCM and keyed blind indexes for search, from the standard library
// only.
//
// Master keys (32 random bytes, each with an id) are read from a file or the
// environment and never stored in the database. Each case (and each concern
// draft) has a data key of its own: 32 random bytes, stored in the database
// only wrapped (AES-256-GCM) under a master key. A value is sealed with its
// owner's data key and associated data naming where it is stored, so a
// ciphertext copied to another row or case does not open. Destroying a data
// key (crypto-shredding) leaves its ciphertexts unreadable for ever.
package crypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// KeySize is the size of every key: AES-256.
const KeySize = 32

// Prefix starts every sealed text value ("wm1:" then base64 of nonce and
// ciphertext), so a reader can tell it from plaintext written before
// encryption was turned on.
const Prefix = "wm1:"

// ErrDecrypt is returned when a ciphertext does not open: wrong key, wrong
// place (associated data), or tampering.
var ErrDecrypt = errors.New("crypt: message authentication failed (wrong key, wrong place or tampered)")

// KeyRing holds the master keys. One of them, the primary, wraps new data
// keys and is the one every key derived for new writes comes from (seals,
// identity seals, token hashes, checkpoint signatures: seal.go): the newest
// (last configured) key that is not marked unwrap-only. The others only
// unwrap and check, until `waymark keys rotate` has re-wrapped everything
// under the primary.
//
// The unwrap-only marker is what makes rotation safe across replicas
// (docs/operations.md "Encryption keys"): a new key is first added
// unwrap-only and rolled out to every replica, so each of them can read what
// any other will write under it; only then is the marker removed, and a
// replica that wraps or seals under it can count on every other knowing it.
type KeyRing struct {
	keys       map[string][]byte
	seal       map[string][]byte // history-sealing keys derived from each (seal.go)
	identity   map[string][]byte // identity-sealing keys derived from each (seal.go)
	token      map[string][]byte // token-hashing keys derived from each (seal.go)
	order      []string
	unwrapOnly map[string]bool
}

// UnwrapOnlyMarker follows a key on its line to say it only unwraps and
// checks: "k2:BASE64 unwrap-only".
const UnwrapOnlyMarker = "unwrap-only"

var keyID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,40}$`)

// ParseKeys reads master keys from text: one key per line (or separated by
// commas), each "ID:BASE64" or just "BASE64" (then the id is derived from the
// key), optionally followed by the marker "unwrap-only". Blank lines and
// lines starting with # are ignored. Every key must be 32 bytes. The last key
// is the newest; the newest not marked unwrap-only is the primary, and there
// must be one. A file without markers means what it always did: the last
// key wraps.
func ParseKeys(text string) (*KeyRing, error) {
	r := &KeyRing{keys: map[string][]byte{}}
	var entries []string
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); !strings.HasPrefix(line, "#") {
			entries = append(entries, strings.Split(line, ",")...)
		}
	}
	for _, line := range entries {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		id, rest, ok := strings.Cut(line, ":")
		if !ok {
			id, rest = "", line
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return nil, fmt.Errorf("crypt: master key %s has no key after the colon", strings.TrimSpace(id))
		}
		key, err := decodeKey(fields[0])
		if err != nil {
			return nil, err
		}
		id = strings.TrimSpace(id)
		if id == "" {
			id = KeyID(key)
		}
		unwrapOnly := false
		for _, m := range fields[1:] {
			if m != UnwrapOnlyMarker || unwrapOnly {
				return nil, fmt.Errorf("crypt: master key %s: %q after the key is not understood: the only marker is %q, once", id, m, UnwrapOnlyMarker)
			}
			unwrapOnly = true
		}
		if err := r.add(id, key, unwrapOnly); err != nil {
			return nil, err
		}
	}
	if len(r.order) == 0 {
		return nil, errors.New("crypt: no master key given")
	}
	if r.Primary() == "" {
		return nil, fmt.Errorf("crypt: every master key is marked %s, so none can wrap new data keys: remove the marker from the one that should (docs/operations.md \"Encryption keys\")", UnwrapOnlyMarker)
	}
	return r, nil
}

// Add adds a master key; it becomes the newest, and the primary.
func (r *KeyRing) Add(id string, key []byte) error { return r.add(id, key, false) }

// AddUnwrapOnly adds a master key that only unwraps and checks: it never
// becomes the primary.
func (r *KeyRing) AddUnwrapOnly(id string, key []byte) error { return r.add(id, key, true) }

func (r *KeyRing) add(id string, key []byte, unwrapOnly bool) error {
	if !keyID.MatchString(id) {
		return fmt.Errorf("crypt: master key id %q: use 1 to 40 letters, digits, dots, hyphens or underscores", id)
	}
	if len(key) != KeySize {
		return fmt.Errorf("crypt: master key %s is %d bytes; it must be %d (base64 of 32 random bytes)", id, len(key), KeySize)
	}
	if r.keys == nil {
		r.keys = map[string][]byte{}
	}
	if _, dup := r.keys[id]; dup {
		return fmt.Errorf("crypt: master key id %s is given twice", id)
	}
	for other, k := range r.keys {
		// The same key under a new id would look like a rotation and protect
		// nothing: whoever holds the old key still opens everything.
		if subtle.ConstantTimeCompare(k, key) == 1 {
			return fmt.Errorf("crypt: master keys %s and %s are the same key: a new key must be made with `waymark keys generate`", other, id)
		}
	}
	r.keys[id] = append([]byte(nil), key...)
	if r.seal == nil {
		r.seal, r.identity, r.token = map[string][]byte{}, map[string][]byte{}, map[string][]byte{}
	}
	// Derived once here: every user, organisation and session read checks
	// a seal or hashes a token with one of these.
	r.seal[id] = derive(key, sealLabel, KeySize)
	r.identity[id] = derive(key, identityLabel, KeySize)
	r.token[id] = derive(key, tokenLabel, KeySize)
	r.order = append(r.order, id)
	if unwrapOnly {
		if r.unwrapOnly == nil {
			r.unwrapOnly = map[string]bool{}
		}
		r.unwrapOnly[id] = true
	}
	return nil
}

func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != KeySize {
				return nil, fmt.Errorf("crypt: a master key is %d bytes; it must be %d (base64 of 32 random bytes)", len(b), KeySize)
			}
			return b, nil
		}
	}
	return nil, errors.New("crypt: a master key is not valid base64")
}

// KeyID is the id given to a key configured without one: a short
// fingerprint, which tells nothing about the key.
func KeyID(key []byte) string {
	h := sha256.Sum256(append([]byte("waymark master key id\x00"), key...))
	return "k" + hex.EncodeToString(h[:4])
}

// GenerateKey returns a new master key as a configuration line "ID:BASE64".
func GenerateKey() (string, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return "", err
	}
	return KeyID(key) + ":" + base64.StdEncoding.EncodeToString(key), nil
}

// Primary is the id of the key that wraps new data keys and that the keys
// for new seals are derived from: the newest not marked unwrap-only ("" in a
// ring built with AddUnwrapOnly alone).
func (r *KeyRing) Primary() string {
	for i := len(r.order) - 1; i >= 0; i-- {
		if !r.unwrapOnly[r.order[i]] {
			return r.order[i]
		}
	}
	return ""
}

// UnwrapOnly reports whether key id is configured to unwrap and check only.
func (r *KeyRing) UnwrapOnly(id string) bool { return r.unwrapOnly[id] }

// IDs lists the configured key ids, oldest first.
func (r *KeyRing) IDs() []string { return append([]string(nil), r.order...) }

// Has reports whether the key id is configured.
func (r *KeyRing) Has(id string) bool { _, ok := r.keys[id]; return ok }

func wrapAAD(masterID, owner string) []byte {
	return []byte("waymark/data-key/v1\x00" + masterID + "\x00" + owner)
}

// Wrap encrypts a data key for owner under the primary master key.
func (r *KeyRing) Wrap(dataKey []byte, owner string) (masterID, wrapped string, err error) {
	masterID = r.Primary()
	if masterID == "" {
		return "", "", fmt.Errorf("crypt: every master key is marked %s: none may wrap", UnwrapOnlyMarker)
	}
	sealed, err := Seal(r.keys[masterID], dataKey, wrapAAD(masterID, owner))
	if err != nil {
		return "", "", err
	}
	return masterID, base64.StdEncoding.EncodeToString(sealed), nil
}

// ErrWrappedKeyDamaged: a wrapped data key does not open under the
// master key it names, which is configured: it was changed, not lost.
var ErrWrappedKeyDamaged = errors.New("the wrapped data key does not open")

// Unwrap decrypts owner's data key, wrapped under master key masterID.
func (r *KeyRing) Unwrap(masterID, wrapped, owner string) ([]byte, error) {
	mk, ok := r.keys[masterID]
	if !ok {
		return nil, fmt.Errorf("crypt: data key of %s is wrapped under master key %q, which is not configured", owner, masterID)
	}
	sealed, err := base64.StdEncoding.DecodeString(wrapped)
	if err != nil {
		return nil, fmt.Errorf("crypt: data key of %s: %w: %w", owner, ErrWrappedKeyDamaged, err)
	}
	dk, err := Open(mk, sealed, wrapAAD(masterID, owner))
	if err != nil {
		return nil, fmt.Errorf("crypt: unwrapping the data key of %s: %w: %w", owner, ErrWrappedKeyDamaged, err)
	}
	if len(dk) != KeySize {
		return nil, fmt.Errorf("crypt: data key of %s has %d bytes: %w", owner, len(dk), ErrWrappedKeyDamaged)
	}
	return dk, nil
}

// NewDataKey returns 32 random bytes.
func NewDataKey() ([]byte, error) {
	k := make([]byte, KeySize)
	_, err := rand.Read(k)
	return k, err
}

func gcm(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("crypt: key is %d bytes, want %d", len(key), KeySize)
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// Seal encrypts plaintext with AES-256-GCM under key, binding it to aad.
// The result is a random 12-byte nonce followed by the ciphertext and tag.
func Seal(key, plaintext, aad []byte) ([]byte, error) {
	a, err := gcm(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, a.NonceSize(), a.NonceSize()+len(plaintext)+a.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return a.Seal(nonce, nonce, plaintext, aad), nil
}

// Open decrypts what Seal returned, if key and aad are the ones it was sealed with.
func Open(key, sealed, aad []byte) ([]byte, error) {
	a, err := gcm(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < a.NonceSize()+a.Overhead() {
		return nil, ErrDecrypt
	}
	out, err := a.Open(nil, sealed[:a.NonceSize()], sealed[a.NonceSize():], aad)
	if err != nil {
		return nil, ErrDecrypt
	}
	return out, nil
}

// SealText seals plaintext as a text value: Prefix then base64.
func SealText(key, plaintext []byte, aad string) (string, error) {
	b, err := Seal(key, plaintext, []byte(aad))
	if err != nil {
		return "", err
	}
	return Prefix + base64.RawStdEncoding.EncodeToString(b), nil
}

// IsSealed reports whether a stored text value was sealed by SealText.
func IsSealed(s string) bool { return strings.HasPrefix(s, Prefix) }

// OpenText opens a value sealed by SealText.
func OpenText(key []byte, sealed, aad string) ([]byte, error) {
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(sealed, Prefix))
	if err != nil {
		return nil, ErrDecrypt
	}
	return Open(key, b, []byte(aad))
}
