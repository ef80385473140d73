package access

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP parameters (RFC 6238 defaults, which every authenticator app supports):
// HMAC-SHA1, a 30-second step, 6 digits. A code is accepted one step either
// side of now, to allow for clock drift and typing time.
const (
	TOTPPeriod = 30 * time.Second
	TOTPDigits = 6
	TOTPSkew   = 1
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a random 160-bit secret (RFC 4226 §4 recommends
// 160 bits), base32-encoded as authenticator apps expect.
func NewTOTPSecret() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b32.EncodeToString(b)
}

var errBadSecret = errors.New("access: TOTP secret is not base32")

func decodeSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "=", "").Replace(secret))
	key, err := b32.DecodeString(s)
	if err != nil || len(key) == 0 {
		return nil, errBadSecret
	}
	return key, nil
}

// TOTPStep is the number of the 30-second step that t falls in.
func TOTPStep(t time.Time) int64 { return t.Unix() / int64(TOTPPeriod/time.Second) }

// TOTP returns the code an authenticator app shows for the base32 secret
// at time t (RFC 6238).
func TOTP(secret string, t time.Time) (string, error) {
	return TOTPAtStep(secret, TOTPStep(t))
}

// TOTPAtStep returns the code of one 30-second step.
func TOTPAtStep(secret string, step int64) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	return hotp(key, uint64(step)), nil
}

// hotp is RFC 4226 §5.3: HMAC-SHA1 of the counter, dynamically truncated.
func hotp(key []byte, counter uint64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", TOTPDigits, bin%1_000_000)
}

// VerifyTOTP checks code against secret at time t, one step either side.
// A code of a step at or before lastStep has been used already and is
// refused, so a code seen over someone's shoulder cannot be replayed. It
// returns the step matched, to be stored as the new lastStep.
func VerifyTOTP(secret, code string, t time.Time, lastStep int64) (step int64, ok bool) {
	code = NormaliseTOTP(code)
	if len(code) != TOTPDigits {
		return 0, false
	}
	key, err := decodeSecret(secret)
	if err != nil {
		return 0, false
	}
	now := TOTPStep(t)
	matched := int64(-1)
	for s := now - TOTPSkew; s <= now+TOTPSkew; s++ {
		// Compare every candidate, in constant time, so timing tells nothing.
		if subtle.ConstantTimeCompare([]byte(hotp(key, uint64(s))), []byte(code)) == 1 && matched < 0 {
			matched = s
		}
	}
	if matched < 0 || matched <= lastStep {
		return 0, false
	}
	return matched, true
}

// NormaliseTOTP removes the spaces and hyphens people type inside a code.
func NormaliseTOTP(code string) string {
	return strings.NewReplacer(" ", "", "-", "", "\u00a0", "").Replace(strings.TrimSpace(code))
}

// LooksLikeTOTP reports whether code is a TOTP code rather than a recovery code.
func LooksLikeTOTP(code string) bool {
	c := NormaliseTOTP(code)
	if len(c) != TOTPDigits {
		return false
	}
	for _, r := range c {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// OTPAuthURI is the otpauth:// URI authenticator apps import (the "Key Uri
// Format" that QR codes carry).
func OTPAuthURI(issuer, account, secret string) string {
	label := url.PathEscape(issuer + ":" + account)
	q := url.Values{}
	q.Set("secret", secret)
	q.Set("issuer", issuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", fmt.Sprint(TOTPDigits))
	q.Set("period", fmt.Sprint(int(TOTPPeriod/time.Second)))
	return "otpauth://totp/" + label + "?" + q.Encode()
}

// GroupSecret shows a secret in groups of four, easier to type.
func GroupSecret(secret string) string {
	var b strings.Builder
	for i, r := range secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// RecoveryCodeCount is how many single-use recovery codes a user gets.
const RecoveryCodeCount = 10

// recoveryAlphabet has 32 letters and digits, without i, l, o and u, so
// that each character carries 5 bits and none is mistaken for another.
const recoveryAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// NewRecoveryCodes returns n random codes of 16 characters (80 bits each),
// shown in groups of four: "k3m9-…". Only their hashes are stored.
func NewRecoveryCodes(n int) []string {
	codes := make([]string, n)
	for i := range codes {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			panic(err)
		}
		var s strings.Builder
		for j, x := range b {
			if j > 0 && j%4 == 0 {
				s.WriteByte('-')
			}
			s.WriteByte(recoveryAlphabet[x&31])
		}
		codes[i] = s.String()
	}
	return codes
}

// NormaliseRecoveryCode drops spaces and hyphens, lowercases, and reads the
// look-alike letters as the digits they resemble.
func NormaliseRecoveryCode(code string) string {
	code = strings.ToLower(strings.NewReplacer(" ", "", "-", "", "\u00a0", "").Replace(strings.TrimSpace(code)))
	return strings.NewReplacer("i", "1", "l", "1", "o", "0", "u", "v").Replace(code)
}

// HashRecoveryCode is the stored form of a recovery code. With 80 random
// bits a code cannot be found from its SHA-256 by guessing, so a slow hash is
// not needed (as for session tokens).
func HashRecoveryCode(code string) string {
	sum := sha256.Sum256([]byte("waymark-recovery:" + NormaliseRecoveryCode(code)))
	return hex.EncodeToString(sum[:])
}
