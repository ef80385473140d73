// Package oidctest runs an OpenID Connect provider inside a test: discovery,
// JWKS, an authorize endpoint that signs the configured person in at once
// and redirects back with a code, and a token endpoint that checks the
// client secret and PKCE and returns an RS256-signed ID token and a refresh
// token. A refresh (grant_type=refresh_token) rotates the refresh token and
// answers with the person's claims as they are now (SetClaims), so a test
// can drop a group; RevokeGrants refuses every refresh token issued so far,
// as a provider does for a disabled person. SetDown makes its token
// endpoint answer 503 until it is back, as a provider in an outage does.
// Tests can tamper with the token to prove each check refuses it.
package oidctest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// Provider is a running test provider.
type Provider struct {
	*httptest.Server
	ClientID     string
	ClientSecret string
	Key          *rsa.PrivateKey
	KID          string

	mu sync.Mutex
	// Claims are the signed-in person's claims (sub, email, groups, …);
	// iss, aud, exp, iat and nonce are added unless Tamper changes them.
	Claims map[string]any
	// Tamper, when set, changes the ID token's claims just before signing.
	Tamper func(claims map[string]any)
	// SignWith, when set, signs with this key instead (a forged token).
	SignWith *rsa.PrivateKey
	// Now is the provider's clock.
	Now func() time.Time
	// LastAuthorize is the query of the last authorize request.
	LastAuthorize url.Values

	// NoIDTokenOnRefresh makes a refresh answer without an ID token, as
	// OAuth 2.0 allows (RFC 6749 §6; OpenID Connect Core §12.2 "might not").
	NoIDTokenOnRefresh bool

	down    bool
	codes   map[string]grant
	refresh map[string]map[string]any // refresh token → the claims it was issued with
	// Refreshes counts the refresh requests answered.
	Refreshes int
}

type grant struct {
	nonce, challenge, redirectURI string
	claims                        map[string]any
}

// providerKey is the signing key of every provider a test process starts:
// making a 2048-bit RSA key takes about a tenth of a second, and each
// provider has an issuer of its own. A test that needs a key no provider
// holds (a forger's) makes its own.
var providerKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// New starts a provider; it stops when the test ends.
func New(t testing.TB) *Provider {
	t.Helper()
	key, err := providerKey()
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{ClientID: "waymark-test", ClientSecret: "test-secret-" + rand.Text(), Key: key, KID: "key-1",
		Claims: map[string]any{}, Now: time.Now, codes: map[string]grant{}, refresh: map[string]map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.Server = httptest.NewServer(mux)
	t.Cleanup(p.Close)
	return p
}

// Issuer is the provider's issuer identifier.
func (p *Provider) Issuer() string { return p.URL }

// SetClaims replaces the claims of the next sign-in.
func (p *Provider) SetClaims(c map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.Claims = c
}

// SetTamper sets (or clears, with nil) the change made to the next ID tokens.
func (p *Provider) SetTamper(f func(map[string]any)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.Tamper = f
}

// SetDown makes the token endpoint answer 503 Service Unavailable to
// everything (down) or answer again (not down); its grants are kept.
func (p *Provider) SetDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
}

// RevokeGrants refuses every refresh token issued so far (invalid_grant):
// the person was disabled at the provider.
func (p *Provider) RevokeGrants() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refresh = map[string]map[string]any{}
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, map[string]any{
		"issuer": p.URL, "authorization_endpoint": p.URL + "/authorize", "token_endpoint": p.URL + "/token",
		"jwks_uri": p.URL + "/jwks", "response_types_supported": []string{"code"},
		"id_token_signing_alg_values_supported": []string{"RS256"}, "code_challenge_methods_supported": []string{"S256"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	pub := p.Key.PublicKey
	writeJSON(w, map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": p.KID,
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	p.LastAuthorize = q
	claims := map[string]any{}
	for k, v := range p.Claims {
		claims[k] = v
	}
	p.mu.Unlock()
	if q.Get("client_id") != p.ClientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "bad authorize request", http.StatusBadRequest)
		return
	}
	code := rand.Text()
	p.mu.Lock()
	p.codes[code] = grant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirectURI: q.Get("redirect_uri"), claims: claims}
	p.mu.Unlock()
	back, _ := url.Parse(q.Get("redirect_uri"))
	bq := back.Query()
	bq.Set("code", code)
	bq.Set("state", q.Get("state"))
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	down := p.down
	p.mu.Unlock()
	if down {
		http.Error(w, "the provider is down", http.StatusServiceUnavailable)
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	if id != p.ClientID || secret != p.ClientSecret {
		w.WriteHeader(http.StatusUnauthorized)
		writeJSON(w, map[string]string{"error": "invalid_client"})
		return
	}
	if r.PostFormValue("grant_type") == "refresh_token" {
		p.refreshToken(w, r)
		return
	}
	p.mu.Lock()
	g, found := p.codes[r.PostFormValue("code")]
	delete(p.codes, r.PostFormValue("code")) // codes are single-use
	tamper, signer, now := p.Tamper, p.SignWith, p.Now()
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	if !found || r.PostFormValue("grant_type") != "authorization_code" || r.PostFormValue("redirect_uri") != g.redirectURI ||
		base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		w.WriteHeader(http.StatusBadRequest)
		writeJSON(w, map[string]string{"error": "invalid_grant"})
		return
	}
	claims := map[string]any{"iss": p.URL, "aud": p.ClientID, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"nonce": g.nonce, "auth_time": now.Unix()}
	for k, v := range g.claims {
		claims[k] = v
	}
	if tamper != nil {
		tamper(claims)
	}
	if signer == nil {
		signer = p.Key
	}
	rt := rand.Text()
	p.mu.Lock()
	p.refresh[rt] = g.claims
	p.mu.Unlock()
	writeJSON(w, map[string]any{"access_token": rand.Text(), "token_type": "Bearer", "expires_in": 300, "id_token": Sign(signer, p.KID, claims), "refresh_token": rt})
}

// refreshToken answers a refresh: a new refresh token (the old one stops
// working) and an ID token with the person's claims as they are now.
func (p *Provider) refreshToken(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	old := r.PostFormValue("refresh_token")
	claims, found := p.refresh[old]
	if !found {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		writeJSON(w, map[string]string{"error": "invalid_grant"})
		return
	}
	delete(p.refresh, old)
	p.Refreshes++
	if p.Claims["sub"] == claims["sub"] {
		claims = map[string]any{}
		for k, v := range p.Claims {
			claims[k] = v
		}
	}
	now := p.Now()
	idt := map[string]any{"iss": p.URL, "aud": p.ClientID, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
	for k, v := range claims {
		idt[k] = v
	}
	rt := rand.Text()
	p.refresh[rt] = claims
	if p.NoIDTokenOnRefresh {
		writeJSON(w, map[string]any{"access_token": rand.Text(), "token_type": "Bearer", "expires_in": 300, "refresh_token": rt})
		return
	}
	writeJSON(w, map[string]any{"access_token": rand.Text(), "token_type": "Bearer", "expires_in": 300, "id_token": Sign(p.Key, p.KID, idt), "refresh_token": rt})
}

// Sign makes an RS256 JWT of claims.
func Sign(key *rsa.PrivateKey, kid string, claims map[string]any) string {
	return SignAs(key, kid, "RS256", claims)
}

// SignAs signs like Sign (RSA PKCS #1 v1.5 with SHA-256) but puts alg in
// the header, to check a verifier believes only RS256.
func SignAs(key *rsa.PrivateKey, kid, alg string, claims map[string]any) string {
	header, _ := json.Marshal(map[string]string{"alg": alg, "typ": "JWT", "kid": kid})
	body, _ := json.Marshal(claims)
	signing := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(body)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
