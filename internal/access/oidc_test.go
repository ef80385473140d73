package access_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"waymark/internal/access"
	"waymark/internal/access/oidctest"
)

// signInAt runs the authorization code flow against the test provider, as a
// browser would, and returns the verified claims.
func signInAt(t *testing.T, p *oidctest.Provider, o *access.OIDC, verifyNonce func(string) string) (access.IDClaims, error) {
	t.Helper()
	ctx := context.Background()
	verifier, challenge := access.NewPKCE()
	nonce := access.NewNonce()
	u, err := o.AuthCodeURL(ctx, "state-1", nonce, challenge, url.Values{"prompt": {"login"}})
	if err != nil {
		t.Fatal(err)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || back.Query().Get("state") != "state-1" || back.Query().Get("code") == "" {
		t.Fatalf("authorize answered %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	raw, err := o.Exchange(ctx, back.Query().Get("code"), verifier)
	if err != nil {
		return access.IDClaims{}, err
	}
	if verifyNonce != nil {
		nonce = verifyNonce(nonce)
	}
	return o.VerifyIDToken(ctx, raw, nonce, time.Now())
}

func newClient(p *oidctest.Provider) *access.OIDC {
	return &access.OIDC{Issuer: p.Issuer(), ClientID: p.ClientID, ClientSecret: p.ClientSecret, RedirectURL: "http://127.0.0.1:1/sign-in/oidc/callback", Scopes: []string{"email", "groups"}}
}

func TestOIDCCodeFlowWithPKCEGivesVerifiedClaims(t *testing.T) {
	p := oidctest.New(t)
	p.SetClaims(map[string]any{"sub": "u-123", "email": "Social.Worker@cs.example", "email_verified": true, "groups": []string{"waymark-social-workers"}})
	o := newClient(p)
	c, err := signInAt(t, p, o, nil)
	if err != nil {
		t.Fatalf("valid sign-in refused: %v", err)
	}
	if c.Subject != "u-123" || c.Email != "social.worker@cs.example" || !c.EmailVerified || access.StringsClaim(c.Raw, "groups")[0] != "waymark-social-workers" {
		t.Fatalf("claims %+v", c)
	}
	q := p.LastAuthorize
	if q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" || q.Get("prompt") != "login" || !strings.Contains(q.Get("scope"), "openid") {
		t.Fatalf("authorize request %v lacks PKCE, nonce, prompt or the openid scope", q)
	}
}

// Each check of the ID token refuses a token that fails it.
func TestOIDCRefusesTokensThatFailAnyCheck(t *testing.T) {
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		tamper func(map[string]any)
		forge  bool
		nonce  func(string) string
	}{
		{name: "wrong issuer", tamper: func(c map[string]any) { c["iss"] = "https://evil.example" }},
		{name: "wrong audience", tamper: func(c map[string]any) { c["aud"] = "another-client" }},
		{name: "several audiences, not issued to us", tamper: func(c map[string]any) { c["aud"] = []any{c["aud"], "another"}; c["azp"] = "another" }},
		{name: "expired", tamper: func(c map[string]any) { c["exp"] = time.Now().Add(-10 * time.Minute).Unix() }},
		{name: "no expiry", tamper: func(c map[string]any) { delete(c, "exp") }},
		{name: "issued in the future", tamper: func(c map[string]any) { c["iat"] = time.Now().Add(time.Hour).Unix() }},
		{name: "bad signature", forge: true},
		{name: "nonce mismatch", nonce: func(string) string { return "another sign-in's nonce" }},
		{name: "no subject", tamper: func(c map[string]any) { delete(c, "sub") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := oidctest.New(t)
			p.SetClaims(map[string]any{"sub": "u-123", "email": "sw@cs.example"})
			p.SetTamper(tc.tamper)
			if tc.forge {
				p.SignWith = other
			}
			_, err := signInAt(t, p, newClient(p), tc.nonce)
			if !errors.Is(err, access.ErrOIDC) {
				t.Fatalf("token accepted or refused for the wrong reason: %v", err)
			}
		})
	}
}

func TestOIDCRefusesUnsignedAndHMACTokens(t *testing.T) {
	p := oidctest.New(t)
	o := newClient(p)
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	body := enc(`{"iss":"` + p.Issuer() + `","aud":"` + p.ClientID + `","sub":"x","nonce":"n","exp":9999999999,"iat":1}`)
	for _, alg := range []string{"none", "HS256"} {
		raw := enc(`{"alg":"`+alg+`","kid":"key-1"}`) + "." + body + "." + enc("sig")
		if _, err := o.VerifyIDToken(context.Background(), raw, "n", time.Now()); !errors.Is(err, access.ErrOIDC) {
			t.Errorf("alg %s: %v", alg, err)
		}
	}
}

// Only RS256 is accepted, whatever else a token's header claims.
func TestOIDCRefusesAnyAlgorithmButRS256(t *testing.T) {
	p := oidctest.New(t)
	o := newClient(p)
	now := time.Now()
	claims := map[string]any{"iss": p.Issuer(), "aud": p.ClientID, "sub": "x", "nonce": "n", "exp": now.Add(time.Minute).Unix(), "iat": now.Unix()}
	if _, err := o.VerifyIDToken(context.Background(), oidctest.SignAs(p.Key, p.KID, "RS256", claims), "n", now); err != nil {
		t.Fatalf("a good RS256 token refused: %v", err)
	}
	// Signed with the provider's key by the same method, but saying another algorithm.
	if _, err := o.VerifyIDToken(context.Background(), oidctest.SignAs(p.Key, p.KID, "PS256", claims), "n", now); !errors.Is(err, access.ErrOIDC) {
		t.Fatalf("a token claiming PS256 was accepted: %v", err)
	}
}

func TestOIDCRefusesADiscoveryDocumentForAnotherIssuer(t *testing.T) {
	p := oidctest.New(t)
	o := newClient(p)
	o.Issuer = p.Issuer() + "/other"
	if _, err := o.AuthCodeURL(context.Background(), "s", "n", "c", nil); err == nil {
		t.Fatal("a discovery document for another issuer was trusted")
	}
}
