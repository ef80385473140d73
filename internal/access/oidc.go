package access

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// OIDC is a client of one OpenID Connect provider, for the authorization
// code flow with PKCE (RFC 7636) and a nonce. ID tokens must be signed with
// RS256 by a key in the provider's JWKS; issuer, audience, expiry and nonce
// are checked. It keeps the discovery document and keys in memory.
type OIDC struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string
	Scopes       []string // "openid" is always asked for
	HTTP         *http.Client
	Leeway       time.Duration // allowed clock difference with the provider

	mu        sync.Mutex
	disc      *discovery
	keys      map[string]*rsa.PublicKey
	refreshed time.Time
}

type discovery struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	JWKSURI               string `json:"jwks_uri"`
}

// ErrOIDC marks every refusal of a provider's answer; the message says why
// (for the log: users see a plain page).
var ErrOIDC = errors.New("oidc")

func oidcErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrOIDC, fmt.Sprintf(format, args...))
}

func (o *OIDC) client() *http.Client {
	if o.HTTP != nil {
		return o.HTTP
	}
	return &http.Client{Timeout: 10 * time.Second}
}

func (o *OIDC) getJSON(ctx context.Context, u string, dst any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := o.client().Do(req)
	if err != nil {
		return fmt.Errorf("oidc: fetching %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("oidc: fetching %s: status %d", u, resp.StatusCode)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(dst)
}

// discover fetches the provider's discovery document once (OpenID Connect
// Discovery 1.0 §4) and checks it is about the configured issuer.
func (o *OIDC) discover(ctx context.Context) (*discovery, error) {
	o.mu.Lock()
	d := o.disc
	o.mu.Unlock()
	if d != nil {
		return d, nil
	}
	var nd discovery
	if err := o.getJSON(ctx, strings.TrimSuffix(o.Issuer, "/")+"/.well-known/openid-configuration", &nd); err != nil {
		return nil, err
	}
	if nd.Issuer != o.Issuer {
		return nil, oidcErr("discovery document is for issuer %q, not %q", nd.Issuer, o.Issuer)
	}
	if nd.AuthorizationEndpoint == "" || nd.TokenEndpoint == "" || nd.JWKSURI == "" {
		return nil, oidcErr("discovery document lacks an endpoint")
	}
	o.mu.Lock()
	o.disc = &nd
	o.mu.Unlock()
	return &nd, nil
}

// NewPKCE returns a code verifier and its S256 challenge (RFC 7636 §4).
func NewPKCE() (verifier, challenge string) {
	verifier, _ = NewToken()
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// AuthCodeURL is where to send the browser to sign in. extra adds
// parameters such as prompt=login and max_age=0 (to re-authenticate).
func (o *OIDC) AuthCodeURL(ctx context.Context, state, nonce, challenge string, extra url.Values) (string, error) {
	d, err := o.discover(ctx)
	if err != nil {
		return "", err
	}
	scopes := []string{"openid"}
	for _, s := range o.Scopes {
		if s != "openid" {
			scopes = append(scopes, s)
		}
	}
	q := url.Values{}
	q.Set("response_type", "code")
	q.Set("client_id", o.ClientID)
	q.Set("redirect_uri", o.RedirectURL)
	q.Set("scope", strings.Join(scopes, " "))
	q.Set("state", state)
	q.Set("nonce", nonce)
	q.Set("code_challenge", challenge)
	q.Set("code_challenge_method", "S256")
	for k, vs := range extra {
		q[k] = vs
	}
	sep := "?"
	if strings.Contains(d.AuthorizationEndpoint, "?") {
		sep = "&"
	}
	return d.AuthorizationEndpoint + sep + q.Encode(), nil
}

// Exchange trades the authorization code for the provider's tokens and
// returns the raw ID token (client_secret_basic authentication).
func (o *OIDC) Exchange(ctx context.Context, code, verifier string) (string, error) {
	d, err := o.discover(ctx)
	if err != nil {
		return "", err
	}
	form := url.Values{}
	form.Set("grant_type", "authorization_code")
	form.Set("code", code)
	form.Set("redirect_uri", o.RedirectURL)
	form.Set("code_verifier", verifier)
	form.Set("client_id", o.ClientID)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.TokenEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if o.ClientSecret != "" {
		req.SetBasicAuth(url.QueryEscape(o.ClientID), url.QueryEscape(o.ClientSecret)) // RFC 6749 §2.3.1
	}
	resp, err := o.client().Do(req)
	if err != nil {
		return "", fmt.Errorf("oidc: token request: %w", err)
	}
	defer resp.Body.Close()
	var out struct {
		IDToken string `json:"id_token"`
		Error   string `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil {
		return "", fmt.Errorf("oidc: token response: %w", err)
	}
	if resp.StatusCode != http.StatusOK || out.IDToken == "" {
		return "", oidcErr("token endpoint answered %d %q without an ID token", resp.StatusCode, out.Error)
	}
	return out.IDToken, nil
}

// key returns the provider's signing key kid, fetching the JWKS when the key
// is unknown (providers rotate keys), at most once a minute.
func (o *OIDC) key(ctx context.Context, kid string, now time.Time) (*rsa.PublicKey, error) {
	o.mu.Lock()
	k, ok := o.keys[kid]
	fresh := now.Sub(o.refreshed) < time.Minute
	o.mu.Unlock()
	if ok {
		return k, nil
	}
	if fresh {
		return nil, oidcErr("no key %q in the provider's JWKS", kid)
	}
	d, err := o.discover(ctx)
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if err := o.getJSON(ctx, d.JWKSURI, &raw); err != nil {
		return nil, err
	}
	keys, err := ParseJWKS(raw)
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	o.keys, o.refreshed = keys, now
	o.mu.Unlock()
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	return nil, oidcErr("no key %q in the provider's JWKS", kid)
}

// ParseJWKS reads the RSA signing keys of a JSON Web Key Set (RFC 7517),
// by key id. Keys of other types or for encryption are skipped.
func ParseJWKS(data []byte) (map[string]*rsa.PublicKey, error) {
	var set struct {
		Keys []struct {
			Kty string `json:"kty"`
			Kid string `json:"kid"`
			Use string `json:"use"`
			Alg string `json:"alg"`
			N   string `json:"n"`
			E   string `json:"e"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, oidcErr("JWKS is not JSON: %v", err)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		if k.Kty != "RSA" || (k.Use != "" && k.Use != "sig") || (k.Alg != "" && k.Alg != "RS256") {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			return nil, oidcErr("JWKS key %q is malformed", k.Kid)
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		if pub.N.BitLen() < 2048 {
			return nil, oidcErr("JWKS key %q is shorter than 2048 bits", k.Kid)
		}
		keys[k.Kid] = pub
	}
	return keys, nil
}

// IDClaims are the claims of a verified ID token that Waymark uses; Raw has
// them all, for mapping groups to roles.
type IDClaims struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	AuthTime      time.Time
	Raw           map[string]any
}

// VerifyIDToken checks the ID token's RS256 signature against the provider's
// keys and its issuer, audience, expiry and nonce (OpenID Connect Core §3.1.3.7).
func (o *OIDC) VerifyIDToken(ctx context.Context, raw, nonce string, now time.Time) (IDClaims, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return IDClaims{}, oidcErr("ID token is not a signed JWT")
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ"`
	}
	if err := decodeSegment(parts[0], &header); err != nil {
		return IDClaims{}, err
	}
	if header.Alg != "RS256" { // never "none", never HS256 with a public key as the secret
		return IDClaims{}, oidcErr("ID token is signed with %q, not RS256", header.Alg)
	}
	key, err := o.key(ctx, header.Kid, now)
	if err != nil {
		return IDClaims{}, err
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return IDClaims{}, oidcErr("ID token signature is not base64url")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig); err != nil {
		return IDClaims{}, oidcErr("ID token signature does not verify")
	}
	var c map[string]any
	if err := decodeSegment(parts[1], &c); err != nil {
		return IDClaims{}, err
	}
	leeway := o.Leeway
	if leeway == 0 {
		leeway = time.Minute
	}
	str := func(k string) string { s, _ := c[k].(string); return s }
	num := func(k string) (time.Time, bool) {
		f, ok := c[k].(float64)
		return time.Unix(int64(f), 0), ok
	}
	if str("iss") != o.Issuer {
		return IDClaims{}, oidcErr("ID token issuer %q is not %q", str("iss"), o.Issuer)
	}
	var aud []string
	switch a := c["aud"].(type) {
	case string:
		aud = []string{a}
	case []any:
		for _, x := range a {
			if s, ok := x.(string); ok {
				aud = append(aud, s)
			}
		}
	}
	found := false
	for _, a := range aud {
		found = found || a == o.ClientID
	}
	if !found {
		return IDClaims{}, oidcErr("ID token audience %v does not include this client", aud)
	}
	if len(aud) > 1 && str("azp") != o.ClientID {
		return IDClaims{}, oidcErr("ID token for several audiences was not issued to this client (azp %q)", str("azp"))
	}
	exp, ok := num("exp")
	if !ok || !now.Before(exp.Add(leeway)) {
		return IDClaims{}, oidcErr("ID token has expired (exp %v)", exp)
	}
	if iat, ok := num("iat"); !ok || iat.After(now.Add(leeway)) {
		return IDClaims{}, oidcErr("ID token is issued in the future or has no iat")
	}
	if nbf, ok := num("nbf"); ok && nbf.After(now.Add(leeway)) {
		return IDClaims{}, oidcErr("ID token is not valid yet")
	}
	if nonce == "" || str("nonce") != nonce {
		return IDClaims{}, oidcErr("ID token nonce does not match the sign-in it answers")
	}
	if str("sub") == "" {
		return IDClaims{}, oidcErr("ID token has no subject")
	}
	out := IDClaims{Issuer: str("iss"), Subject: str("sub"), Email: strings.ToLower(str("email")), Name: str("name"), Raw: c}
	switch v := c["email_verified"].(type) {
	case bool:
		out.EmailVerified = v
	case string: // some providers send "true"
		out.EmailVerified = v == "true"
	}
	if at, ok := num("auth_time"); ok {
		out.AuthTime = at
	}
	return out, nil
}

func decodeSegment(seg string, dst any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return oidcErr("JWT segment is not base64url")
	}
	if err := json.Unmarshal(b, dst); err != nil {
		return oidcErr("JWT segment is not JSON")
	}
	return nil
}

// StringsClaim reads a claim that is a string or a list of strings (groups, roles).
func StringsClaim(c map[string]any, name string) []string {
	switch v := c[name].(type) {
	case string:
		return strings.Fields(v)
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// NewNonce returns a random value for state and nonce.
func NewNonce() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
