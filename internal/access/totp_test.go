package access

import (
	"encoding/base32"
	"strings"
	"testing"
	"time"
)

// RFC 6238 appendix B, every SHA-1 row: the time, the step T it falls in
// and the 8-digit code, whose last six digits are the 6-digit code
// (code = truncated value mod 10^digits). Waymark's codes are SHA-1, the
// algorithm authenticator apps assume; the SHA-256 and SHA-512 rows do not
// apply.
func TestTOTPMatchesTheRFC6238TestVectors(t *testing.T) {
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	for _, v := range []struct {
		unix  int64
		step  int64
		eight string
	}{
		{59, 0x1, "94287082"},
		{1111111109, 0x23523EC, "07081804"},
		{1111111111, 0x23523ED, "14050471"},
		{1234567890, 0x273EF07, "89005924"},
		{2000000000, 0x3F940AA, "69279037"},
		{20000000000, 0x27BC86AA, "65353130"},
	} {
		at := time.Unix(v.unix, 0)
		if got := TOTPStep(at); got != v.step {
			t.Errorf("step at %d = %#x, want %#x", v.unix, got, v.step)
		}
		got, err := TOTP(secret, at)
		if want := v.eight[2:]; err != nil || got != want {
			t.Errorf("TOTP at %d = %q, %v; want %q", v.unix, got, err, want)
		}
		if step, ok := VerifyTOTP(secret, v.eight[2:], at, 0); !ok || step != v.step {
			t.Errorf("the RFC's code at %d is not verified: step %#x, %v", v.unix, step, ok)
		}
	}
}

func TestTOTPAcceptsOneStepEitherSideAndNoMore(t *testing.T) {
	secret := NewTOTPSecret()
	now := time.Date(2026, 3, 10, 9, 0, 10, 0, time.UTC)
	for offset, ok := range map[time.Duration]bool{-60 * time.Second: false, -30 * time.Second: true, 0: true, 30 * time.Second: true, 60 * time.Second: false} {
		code, _ := TOTP(secret, now.Add(offset))
		if _, got := VerifyTOTP(secret, code, now, 0); got != ok {
			t.Errorf("code from %v away: accepted %v, want %v", offset, got, ok)
		}
	}
	code, _ := TOTP(secret, now)
	if _, ok := VerifyTOTP(NewTOTPSecret(), code, now, 0); ok {
		t.Error("a code is accepted for another secret")
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if _, ok := VerifyTOTP(secret, bad, now, 0); ok {
			t.Errorf("code %q accepted", bad)
		}
	}
	if _, ok := VerifyTOTP(secret, code[:3]+" "+code[3:], now, 0); !ok {
		t.Error("a code typed with a space in the middle is refused")
	}
}

// A code seen over someone's shoulder cannot be used again (RFC 6238 §5.2).
func TestTOTPRefusesAUsedCode(t *testing.T) {
	secret := NewTOTPSecret()
	now := time.Date(2026, 3, 10, 9, 0, 10, 0, time.UTC)
	code, _ := TOTP(secret, now)
	step, ok := VerifyTOTP(secret, code, now, 0)
	if !ok || step != TOTPStep(now) {
		t.Fatalf("first use refused: %d %v", step, ok)
	}
	if _, ok := VerifyTOTP(secret, code, now.Add(10*time.Second), step); ok {
		t.Fatal("the same code was accepted twice")
	}
	earlier, _ := TOTP(secret, now.Add(-30*time.Second))
	if _, ok := VerifyTOTP(secret, earlier, now, step); ok {
		t.Fatal("an older code was accepted after a newer one was used")
	}
	next, _ := TOTP(secret, now.Add(30*time.Second))
	if _, ok := VerifyTOTP(secret, next, now.Add(30*time.Second), step); !ok {
		t.Fatal("the next step's code was refused")
	}
}

func TestOTPAuthURICarriesTheSecretAndIssuer(t *testing.T) {
	u := OTPAuthURI("Waymark", "dsl@northfield.example", "JBSWY3DPEHPK3PXP")
	for _, want := range []string{"otpauth://totp/Waymark:dsl@northfield.example?", "secret=JBSWY3DPEHPK3PXP", "issuer=Waymark", "digits=6", "period=30"} {
		if !strings.Contains(u, want) {
			t.Errorf("%s lacks %s", u, want)
		}
	}
}

func TestRecoveryCodesAreRandomAndMatchAsTyped(t *testing.T) {
	codes := NewRecoveryCodes(RecoveryCodeCount)
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 19 || seen[c] || LooksLikeTOTP(c) {
			t.Fatalf("code %q: wrong shape or repeated", c)
		}
		seen[c] = true
	}
	c := codes[0]
	typed := strings.ToUpper(strings.ReplaceAll(c, "-", " "))
	if HashRecoveryCode(typed) != HashRecoveryCode(c) {
		t.Errorf("%q typed as %q does not match", c, typed)
	}
	if HashRecoveryCode(codes[1]) == HashRecoveryCode(c) || strings.Contains(HashRecoveryCode(c), strings.ReplaceAll(c, "-", "")) {
		t.Error("recovery code hashes collide or contain the code")
	}
}
