package casework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/audit"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// OIDCConfig is single sign-on through the partnership's OpenID Connect
// provider, and how the provider's groups map to an organisation and a role.
type OIDCConfig struct {
	Provider             *access.OIDC
	Label                string // the button: "Sign in with your council account"
	GroupsClaim          string // the claim listing the person's groups (default "groups")
	Mappings             []OIDCMapping
	RequireVerifiedEmail bool     // refuse an email the provider has not verified (default true)
	LinkByEmail          bool     // link a verified email to an existing account of the same organisation
	RequireAMR           []string // if set, the token's amr must include one (e.g. "mfa"): the provider's second factor
	// RecheckEvery is how long a person signed in through the provider is
	// trusted before the provider is asked again, with the refresh token
	// kept at sign-in, whether they still have access (ssorecheck.go); 0
	// never asks.
	RecheckEvery time.Duration
}

// OIDCMapping gives the members of Group a Role in Organisation. The first
// mapping that matches one of a person's groups wins.
type OIDCMapping struct {
	Group        string `json:"group"`
	Organisation string `json:"organisation"`
	Role         string `json:"role"`
}

// oidcFile is the JSON configuration file (docs/operations.md).
type oidcFile struct {
	Issuer               string        `json:"issuer"`
	ClientID             string        `json:"clientId"`
	RedirectURL          string        `json:"redirectUrl"`
	Scopes               []string      `json:"scopes"`
	Label                string        `json:"label"`
	GroupsClaim          string        `json:"groupsClaim"`
	RequireVerifiedEmail *bool         `json:"requireVerifiedEmail"`
	LinkByEmail          bool          `json:"linkByEmail"`
	RequireAMR           []string      `json:"requireAmr"`
	Mappings             []OIDCMapping `json:"mappings"`
}

// ParseOIDCConfig reads the JSON configuration. The client secret is not in
// the file: it comes from the environment.
func ParseOIDCConfig(data []byte, clientSecret string) (*OIDCConfig, error) {
	var f oidcFile
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("oidc config: %w", err)
	}
	iss, err := url.Parse(f.Issuer)
	if err != nil || iss.Host == "" || (iss.Scheme != "https" && !strings.HasPrefix(iss.Host, "127.0.0.1") && !strings.HasPrefix(iss.Host, "localhost")) {
		return nil, fmt.Errorf("oidc config: issuer %q must be an https URL", f.Issuer)
	}
	if f.ClientID == "" || f.RedirectURL == "" {
		return nil, errors.New("oidc config: clientId and redirectUrl are required")
	}
	if len(f.Mappings) == 0 {
		return nil, errors.New("oidc config: give at least one mapping of a group to an organisation and role")
	}
	for i, m := range f.Mappings {
		if m.Group == "" || m.Organisation == "" || !slices.Contains(pathway.Roles, m.Role) {
			return nil, fmt.Errorf("oidc config: mapping %d needs a group, an organisation and a role (one of %s)", i+1, strings.Join(pathway.Roles, ", "))
		}
	}
	c := &OIDCConfig{
		Provider:             &access.OIDC{Issuer: f.Issuer, ClientID: f.ClientID, ClientSecret: clientSecret, RedirectURL: f.RedirectURL, Scopes: f.Scopes},
		Label:                f.Label,
		GroupsClaim:          f.GroupsClaim,
		Mappings:             f.Mappings,
		RequireVerifiedEmail: f.RequireVerifiedEmail == nil || *f.RequireVerifiedEmail,
		LinkByEmail:          f.LinkByEmail,
		RequireAMR:           f.RequireAMR,
		RecheckEvery:         DefaultSSORecheck,
	}
	if c.Label == "" {
		c.Label = "Sign in with your organisation's account"
	}
	if c.GroupsClaim == "" {
		c.GroupsClaim = "groups"
	}
	if len(c.Provider.Scopes) == 0 {
		c.Provider.Scopes = []string{"openid", "email", "profile"}
	}
	return c, nil
}

// Purposes of a single sign-on round trip.
const (
	OIDCSignIn = "sign-in"
	OIDCReauth = "reauth"
)

var errSSOFailed = &waymark.Error{Code: waymark.EUNAUTHORIZED, Message: "Signing in through your organisation did not work. Try again; if it keeps failing, tell your Waymark administrator."}

// ErrNotMapped is the answer for a person the provider knows but the
// configuration gives no organisation and role in Waymark.
var ErrNotMapped = &waymark.Error{Code: waymark.EFORBIDDEN, Message: "Your organisation's account does not give you access to Waymark. " +
	"If you need it, ask your Waymark administrator to add your group."}

// StartOIDC begins a round trip to the provider. For a re-authentication,
// sessionToken is the session that asks and the provider is told to ask for
// the person's credentials again. It returns the provider's URL and the
// state, for a cookie that binds the round trip to this browser.
func (s *Service) StartOIDC(ctx context.Context, purpose, next, sessionToken string) (authURL, state string, err error) {
	o := s.Access.OIDC
	if o == nil {
		return "", "", waymark.Errorf(waymark.ENOTFOUND, "Single sign-on is not set up")
	}
	now := s.now()
	state = access.NewNonce()
	nonce := access.NewNonce()
	verifier, challenge := access.NewPKCE()
	st := store.OIDCState{StateHash: access.HashToken(state), Nonce: nonce, Verifier: verifier, Next: next, Purpose: purpose,
		CreatedAt: now, ExpiresAt: now.Add(s.Access.ChallengeFor)}
	extra := url.Values{}
	if purpose == OIDCReauth {
		if sessionToken == "" {
			return "", "", errSessionEnded
		}
		st.SessionHash = access.HashToken(sessionToken)
		extra.Set("prompt", "login")
		extra.Set("max_age", "0")
	}
	if err := s.DB.Update(ctx, func(tx *store.Tx) error { return tx.InsertOIDCState(st) }); err != nil {
		return "", "", err
	}
	authURL, err = o.Provider.AuthCodeURL(ctx, state, nonce, challenge, extra)
	if err != nil {
		s.Log.Error("single sign-on: provider unavailable", "err", err)
		return "", "", errSSOFailed
	}
	return authURL, state, nil
}

// OIDCResult is a finished round trip: a new session for a sign-in, or the
// re-authenticated session.
type OIDCResult struct {
	Token   string // the new session's token (sign-in only)
	Session store.Session
	User    store.User
	Next    string
	Purpose string
}

// FinishOIDC handles the provider's answer: the state must be the one this
// browser was given (cookieState) and not used before; the code is exchanged
// with the PKCE verifier, and the ID token's signature, issuer, audience,
// expiry and nonce are checked. The person's groups then decide their
// organisation and role; someone no mapping covers is refused.
func (s *Service) FinishOIDC(ctx context.Context, state, cookieState, code string) (OIDCResult, error) {
	o := s.Access.OIDC
	if o == nil {
		return OIDCResult{}, waymark.Errorf(waymark.ENOTFOUND, "Single sign-on is not set up")
	}
	now := s.now()
	if state == "" || code == "" || len(state) > 100 || len(code) > 2048 || state != cookieState {
		s.Log.Warn("single sign-on: state does not match this browser's")
		return OIDCResult{}, errSSOFailed
	}
	var st store.OIDCState
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		var err error
		st, err = tx.TakeOIDCState(access.HashToken(state))
		return err
	})
	if waymark.ErrorCode(err) == waymark.ENOTFOUND || (err == nil && now.After(st.ExpiresAt)) {
		return OIDCResult{}, errSSOFailed
	}
	if err != nil {
		return OIDCResult{}, err
	}
	raw, refresh, err := o.Provider.ExchangeTokens(ctx, code, st.Verifier)
	var claims access.IDClaims
	if err == nil {
		claims, err = o.Provider.VerifyIDToken(ctx, raw, st.Nonce, now)
	}
	if err != nil {
		s.Log.Warn("single sign-on refused", "err", err)
		s.auditSSORefused(ctx, "", "", err.Error())
		return OIDCResult{}, errSSOFailed
	}
	if len(o.RequireAMR) > 0 && !slices.ContainsFunc(access.StringsClaim(claims.Raw, "amr"), func(a string) bool { return slices.Contains(o.RequireAMR, a) }) {
		s.auditSSORefused(ctx, "", "", "no required authentication method (amr) for "+claims.Subject)
		return OIDCResult{}, &waymark.Error{Code: waymark.EFORBIDDEN, Message: "Waymark needs you to sign in to your organisation's account with two-step verification. Set it up with your organisation, then try again."}
	}
	res := OIDCResult{Next: st.Next, Purpose: st.Purpose}
	if st.Purpose == OIDCReauth {
		return res, s.finishOIDCReauth(ctx, st, claims, now)
	}
	var mapping *OIDCMapping
	groups := access.StringsClaim(claims.Raw, o.GroupsClaim)
	for i, m := range o.Mappings {
		if slices.Contains(groups, m.Group) {
			mapping = &o.Mappings[i]
			break
		}
	}
	if mapping == nil {
		s.auditSSORefused(ctx, "", "", "no mapping for the groups of "+claims.Issuer+" "+claims.Subject)
		return OIDCResult{}, ErrNotMapped
	}
	if claims.Email == "" || (o.RequireVerifiedEmail && !claims.EmailVerified) {
		s.auditSSORefused(ctx, "", mapping.Organisation, "no verified email for "+claims.Subject)
		return OIDCResult{}, &waymark.Error{Code: waymark.EFORBIDDEN, Message: "Your organisation's account has no verified email address. Ask your IT team to verify it, then try again."}
	}
	name := claims.Name
	if name == "" {
		name = claims.Email
	}
	var outcome error
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		org, err := tx.OrganisationByID(mapping.Organisation)
		if err != nil {
			return fmt.Errorf("casework: single sign-on maps to organisation %q: %w", mapping.Organisation, err)
		}
		u, err := tx.UserByIdentity(claims.Issuer, claims.Subject)
		switch {
		case err == nil:
			if u.Disabled {
				outcome = errSignIn
				return tx.AppendAudit(audit.Entry{At: now, ActorID: u.ID, OrgID: u.OrgID, Action: audit.ActionSignInFailed, Detail: "single sign-on: account disabled"})
			}
		case waymark.ErrorCode(err) != waymark.ENOTFOUND:
			return err
		default:
			existing, err := tx.UserByEmail(claims.Email)
			switch {
			case err == nil:
				if !o.LinkByEmail || !claims.EmailVerified || existing.OrgID != org.ID || existing.Disabled {
					outcome = &waymark.Error{Code: waymark.EFORBIDDEN, Message: "A Waymark account with your email address exists already. Ask your Waymark administrator to link it to your organisation's account."}
					return tx.AppendAudit(audit.Entry{At: now, ActorID: existing.ID, OrgID: existing.OrgID, Action: ActionSignInOIDCRefused, Detail: "email belongs to an unlinked account"})
				}
				u = existing
			case waymark.ErrorCode(err) == waymark.ENOTFOUND:
				u = store.User{ID: access.NewID(), OrgID: org.ID, Email: claims.Email, Name: name, Role: mapping.Role, CreatedAt: now}
				if err := tx.InsertUser(u); err != nil {
					return err
				}
			default:
				return err
			}
			if err := tx.LinkIdentity(claims.Issuer, claims.Subject, u.ID, now); err != nil {
				return err
			}
		}
		// The provider's groups are the truth: a move or a change of job shows at the next sign-in.
		if err := tx.SetUserAccess(u.ID, org.ID, mapping.Role, name); err != nil {
			return err
		}
		if u, err = tx.UserByID(u.ID); err != nil {
			return err
		}
		res.Token, res.Session, err = s.startSession(ctx, tx, u, now, "single sign-on via "+claims.Issuer)
		res.User = u
		if err != nil {
			return err
		}
		// Kept sealed, to ask the provider again within minutes (ssorecheck.go).
		return tx.SetRefreshToken(claims.Issuer, claims.Subject, refresh, now)
	})
	if err != nil {
		return OIDCResult{}, err
	}
	if outcome != nil {
		return OIDCResult{}, outcome
	}
	if refresh == "" && o.RecheckEvery > 0 {
		s.Log.Warn("single sign-on: the provider gave no refresh token, so this person's access cannot be re-checked before their session ends; ask for the offline_access scope", "user", res.User.ID)
	}
	return res, nil
}

// finishOIDCReauth records a fresh authentication on the session that asked
// for it, if the provider really asked the same person again.
func (s *Service) finishOIDCReauth(ctx context.Context, st store.OIDCState, claims access.IDClaims, now time.Time) error {
	if claims.AuthTime.IsZero() || claims.AuthTime.Before(st.CreatedAt.Add(-time.Minute)) {
		s.auditSSORefused(ctx, "", "", "re-authentication without a fresh auth_time")
		return errSSOFailed
	}
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		sess, u, err := tx.SessionByTokenHash(st.SessionHash)
		if err != nil {
			return errSessionEnded
		}
		linked, err := tx.UserByIdentity(claims.Issuer, claims.Subject)
		if err != nil || linked.ID != sess.UserID {
			return errSSOFailed
		}
		if err := tx.SetSessionReauth(st.SessionHash, now); err != nil {
			return err
		}
		return tx.AppendAudit(audit.Entry{At: now, ActorID: u.ID, OrgID: u.OrgID, Action: ActionReauthenticated, Detail: "single sign-on"})
	})
}

func (s *Service) auditSSORefused(ctx context.Context, userID, orgID, detail string) {
	if len(detail) > 300 {
		detail = detail[:300]
	}
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		return tx.AppendAudit(audit.Entry{At: s.now(), ActorID: userID, OrgID: orgID, Action: ActionSignInOIDCRefused, Detail: detail})
	})
	if err != nil {
		s.Log.Error("auditing a refused single sign-on", "err", err)
	}
}

// SignsInWithPassword reports whether the viewer has a password (rather
// than signing in only through the organisation's provider).
func (v Viewer) SignsInWithPassword() bool { return v.User.PasswordHash != "" }
