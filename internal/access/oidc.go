package access

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDC is a client of one OpenID Connect provider, for the authorization
// code flow with PKCE (RFC 7636) and a nonce. Discovery, the provider's keys
// and the ID token's signature, issuer, audience and expiry are checked by
// github.com/coreos/go-oidc/v3, the code exchange is golang.org/x/oauth2's;
// this type adds the checks those leave to their callers (nonce, azp with
// several audiences, iat, sub). ID tokens must be signed with RS256: a
// header naming any other algorithm, "none" included, is refused.
type OIDC struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string
	Scopes       []string // "openid" is always asked for
	HTTP         *http.Client
	Leeway       time.Duration // allowed clock difference with the provider (a minute unless set)

	mu       sync.Mutex
	provider *oidc.Provider // discovered once
}

// SigningAlgorithms are the only ID token signature algorithms accepted.
var SigningAlgorithms = []string{oidc.RS256}

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

// withClient makes go-oidc and oauth2 use o's HTTP client.
func (o *OIDC) withClient(ctx context.Context) context.Context {
	return oidc.ClientContext(context.WithValue(ctx, oauth2.HTTPClient, o.client()), o.client())
}

// discover fetches the provider's discovery document once (OpenID Connect
// Discovery 1.0 §4); go-oidc refuses one about another issuer.
func (o *OIDC) discover(ctx context.Context) (*oidc.Provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, nil
	}
	p, err := oidc.NewProvider(o.withClient(ctx), o.Issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: discovery: %v", ErrOIDC, err)
	}
	o.provider = p
	return p, nil
}

func (o *OIDC) config(p *oidc.Provider) *oauth2.Config {
	scopes := []string{oidc.ScopeOpenID}
	for _, s := range o.Scopes {
		if s != oidc.ScopeOpenID {
			scopes = append(scopes, s)
		}
	}
	ep := p.Endpoint()
	if o.ClientSecret != "" {
		ep.AuthStyle = oauth2.AuthStyleInHeader // client_secret_basic (RFC 6749 §2.3.1)
	} else {
		ep.AuthStyle = oauth2.AuthStyleInParams
	}
	return &oauth2.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, Endpoint: ep, RedirectURL: o.RedirectURL, Scopes: scopes}
}

// NewPKCE returns a code verifier and its S256 challenge (RFC 7636 §4).
func NewPKCE() (verifier, challenge string) {
	verifier = oauth2.GenerateVerifier()
	return verifier, oauth2.S256ChallengeFromVerifier(verifier)
}

// AuthCodeURL is where to send the browser to sign in. extra adds
// parameters such as prompt=login and max_age=0 (to re-authenticate).
func (o *OIDC) AuthCodeURL(ctx context.Context, state, nonce, challenge string, extra url.Values) (string, error) {
	p, err := o.discover(ctx)
	if err != nil {
		return "", err
	}
	opts := []oauth2.AuthCodeOption{oidc.Nonce(nonce),
		oauth2.SetAuthURLParam("code_challenge", challenge), oauth2.SetAuthURLParam("code_challenge_method", "S256")}
	for k, vs := range extra {
		for _, v := range vs {
			opts = append(opts, oauth2.SetAuthURLParam(k, v))
		}
	}
	return o.config(p).AuthCodeURL(state, opts...), nil
}

// Exchange trades the authorization code for the provider's tokens and
// returns the raw ID token.
func (o *OIDC) Exchange(ctx context.Context, code, verifier string) (string, error) {
	raw, _, err := o.ExchangeTokens(ctx, code, verifier)
	return raw, err
}

// ExchangeTokens trades the authorization code for the provider's tokens
// and returns the raw ID token and the refresh token ("" when the provider
// gives none). The refresh token is a credential: keep it sealed, never
// log it.
func (o *OIDC) ExchangeTokens(ctx context.Context, code, verifier string) (idToken, refreshToken string, err error) {
	p, err := o.discover(ctx)
	if err != nil {
		return "", "", err
	}
	tok, err := o.config(p).Exchange(o.withClient(ctx), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return "", "", fmt.Errorf("%w: token request: %v", ErrOIDC, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", "", oidcErr("token endpoint answered without an ID token")
	}
	return raw, tok.RefreshToken, nil
}

// ErrGrantRevoked is the provider refusing a refresh token (RFC 6749 §5.2
// invalid_grant): the person's grant was revoked, or they were disabled or
// removed. Any other failure to refresh (the provider unreachable, a 5xx)
// is not this error.
var ErrGrantRevoked = errors.New("oidc: the provider refused the refresh token")

// ErrProviderUnavailable is a refresh that could not reach the provider, or
// that the provider could not answer (network, 5xx): nothing is known about
// the person, so try again later.
var ErrProviderUnavailable = errors.New("oidc: the provider is unavailable")

// Refresh asks the provider for new tokens with a refresh token (RFC 6749
// §6) and checks the ID token it returns as OpenID Connect Core §12.2 asks:
// signature, issuer, audience, expiry, and the same subject as before. It
// returns the claims (Raw is nil when the provider sent no ID token) and the
// refresh token to keep: a new one if the provider rotated it.
func (o *OIDC) Refresh(ctx context.Context, refreshToken, subject string, now time.Time) (IDClaims, string, error) {
	p, err := o.discover(ctx)
	if err != nil {
		return IDClaims{}, "", fmt.Errorf("%w: %w", ErrProviderUnavailable, err)
	}
	tok, err := o.config(p).TokenSource(o.withClient(ctx), &oauth2.Token{RefreshToken: refreshToken}).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && (re.ErrorCode == "invalid_grant" || (re.ErrorCode == "" && re.Response != nil && re.Response.StatusCode == http.StatusBadRequest)) {
			return IDClaims{}, "", ErrGrantRevoked
		}
		return IDClaims{}, "", fmt.Errorf("%w: refresh: %v", ErrProviderUnavailable, err)
	}
	next := tok.RefreshToken
	if next == "" {
		next = refreshToken
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return IDClaims{Subject: subject}, next, nil
	}
	c, err := o.verify(ctx, p, raw, "", false, now)
	if err != nil {
		return IDClaims{}, "", err
	}
	if c.Subject != subject {
		return IDClaims{}, "", oidcErr("refreshed ID token is about another subject")
	}
	return c, next, nil
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

// VerifyIDToken checks the ID token as OpenID Connect Core §3.1.3.7 asks:
// go-oidc checks the RS256 signature against the provider's keys (fetching
// them again when a token names a key it does not know), the issuer, that
// the audience includes this client and the expiry; then this checks azp
// when there are several audiences, iat, the nonce of the sign-in it
// answers, and that there is a subject.
func (o *OIDC) VerifyIDToken(ctx context.Context, raw, nonce string, now time.Time) (IDClaims, error) {
	p, err := o.discover(ctx)
	if err != nil {
		return IDClaims{}, err
	}
	return o.verify(ctx, p, raw, nonce, true, now)
}

// verify checks an ID token; the nonce only when checkNonce is set (an ID
// token from a refresh answers no sign-in of its own).
func (o *OIDC) verify(ctx context.Context, p *oidc.Provider, raw, nonce string, checkNonce bool, now time.Time) (IDClaims, error) {
	leeway := o.Leeway
	if leeway == 0 {
		leeway = time.Minute
	}
	v := p.Verifier(&oidc.Config{ClientID: o.ClientID, SupportedSigningAlgs: SigningAlgorithms,
		Now: func() time.Time { return now.Add(-leeway) }}) // expiry allows the leeway
	tok, err := v.Verify(o.withClient(ctx), raw)
	if err != nil {
		return IDClaims{}, fmt.Errorf("%w: %v", ErrOIDC, err)
	}
	var c map[string]any
	if err := tok.Claims(&c); err != nil {
		return IDClaims{}, fmt.Errorf("%w: claims: %v", ErrOIDC, err)
	}
	str := func(k string) string { s, _ := c[k].(string); return s }
	if len(tok.Audience) > 1 && str("azp") != o.ClientID {
		return IDClaims{}, oidcErr("ID token for several audiences was not issued to this client (azp %q)", str("azp"))
	}
	if _, ok := c["iat"].(float64); !ok || tok.IssuedAt.After(now.Add(leeway)) {
		return IDClaims{}, oidcErr("ID token is issued in the future or has no iat")
	}
	if checkNonce && (nonce == "" || tok.Nonce != nonce) {
		return IDClaims{}, oidcErr("ID token nonce does not match the sign-in it answers")
	}
	if tok.Subject == "" {
		return IDClaims{}, oidcErr("ID token has no subject")
	}
	out := IDClaims{Issuer: tok.Issuer, Subject: tok.Subject, Email: strings.ToLower(str("email")), Name: str("name"), Raw: c}
	switch v := c["email_verified"].(type) {
	case bool:
		out.EmailVerified = v
	case string: // some providers send "true"
		out.EmailVerified = v == "true"
	}
	if at, ok := c["auth_time"].(float64); ok {
		out.AuthTime = time.Unix(int64(at), 0)
	}
	return out, nil
}

// backChannelLogoutEvent is the event a logout token must carry (OpenID
// Connect Back-Channel Logout 1.0 §2.4).
const backChannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"

// VerifyLogoutToken checks a back-channel logout token as §2.6 of OpenID
// Connect Back-Channel Logout 1.0 asks: go-oidc checks the RS256 signature,
// the issuer, that the audience includes this client and the expiry; then
// this checks iat, a jti, the logout event, no nonce, and a subject (a
// token naming only a provider session, sid, is refused: Waymark keeps no
// provider session ids). It returns the issuer and subject.
func (o *OIDC) VerifyLogoutToken(ctx context.Context, raw string, now time.Time) (issuer, subject string, err error) {
	p, err := o.discover(ctx)
	if err != nil {
		return "", "", err
	}
	leeway := o.Leeway
	if leeway == 0 {
		leeway = time.Minute
	}
	v := p.Verifier(&oidc.Config{ClientID: o.ClientID, SupportedSigningAlgs: SigningAlgorithms,
		Now: func() time.Time { return now.Add(-leeway) }})
	tok, err := v.Verify(o.withClient(ctx), raw)
	if err != nil {
		return "", "", fmt.Errorf("%w: logout token: %v", ErrOIDC, err)
	}
	var c map[string]any
	if err := tok.Claims(&c); err != nil {
		return "", "", fmt.Errorf("%w: logout token claims: %v", ErrOIDC, err)
	}
	if _, ok := c["iat"].(float64); !ok || tok.IssuedAt.After(now.Add(leeway)) {
		return "", "", oidcErr("logout token is issued in the future or has no iat")
	}
	if jti, _ := c["jti"].(string); jti == "" {
		return "", "", oidcErr("logout token has no jti")
	}
	if _, ok := c["nonce"]; ok {
		return "", "", oidcErr("logout token has a nonce")
	}
	events, _ := c["events"].(map[string]any)
	if _, ok := events[backChannelLogoutEvent].(map[string]any); !ok {
		return "", "", oidcErr("logout token has no back-channel logout event")
	}
	if tok.Subject == "" {
		return "", "", oidcErr("logout token names no subject")
	}
	return tok.Issuer, tok.Subject, nil
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
