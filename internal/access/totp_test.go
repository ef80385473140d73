package access

import (
	"encoding/base32"
	"strings"
	"testing"
	"time"
)

// RFC 6238 appendix B, SHA-1: the 8-digit codes' last six digits are the 6-digit codes.
func TestTOTPMatchesTheRFC6238TestVectors(t *testing.T) {
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	for unix, want := range map[int64]string{59: "287082", 1111111109: "081804", 1111111111: "050471", 1234567890: "005924", 2000000000: "279037", 20000000000: "353130"} {
		got, err := TOTP(secret, time.Unix(unix, 0))
		if err != nil || got != want {
			t.Errorf("TOTP at %d = %q, %v; want %q", unix, got, err, want)
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
