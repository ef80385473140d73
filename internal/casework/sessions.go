package casework

import (
	"context"
	"strings"
	"sync"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/audit"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

var errSignIn = &waymark.Error{Code: waymark.EUNAUTHORIZED, Message: "Enter a correct email address and password",
	Fields: []waymark.FieldError{{Field: "email", Message: "Enter a correct email address and password"}}}

// SignIn checks the password and starts a session. It returns the session
// token to set in the cookie; only its hash is stored. Repeated failures lock
// the account for a while; every attempt is audited.
func (s *Service) SignIn(ctx context.Context, email, password string) (token string, sess store.Session, user store.User, err error) {
	email = strings.TrimSpace(email)
	var probs waymark.Problems
	if email == "" {
		probs.Add("email", "Enter your email address")
	}
	if password == "" {
		probs.Add("password", "Enter your password")
	}
	if len(email) > 320 || len(password) > 1024 {
		return "", sess, user, errSignIn
	}
	if err := probs.Err(); err != nil {
		return "", sess, user, err
	}
	now := s.now()
	var outcome error
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByEmail(email)
		if waymark.ErrorCode(err) == waymark.ENOTFOUND {
			// Spend the time a real check takes, so timing does not reveal who has an account.
			access.CheckPassword(dummyHash(s.Argon), password)
			outcome = errSignIn
			return tx.AppendAudit(audit.Entry{At: now, ActorID: "", Action: audit.ActionSignInFailed, Detail: "unknown email"})
		}
		if err != nil {
			return err
		}
		if u.Disabled {
			outcome = errSignIn
			return tx.AppendAudit(audit.Entry{At: now, ActorID: u.ID, OrgID: u.OrgID, Action: audit.ActionSignInFailed, Detail: "account disabled"})
		}
		if u.LockedUntil != nil && now.Before(*u.LockedUntil) {
			outcome = &waymark.Error{Code: waymark.ETOOMANY, Message: "This account is locked after too many failed sign-ins. Try again after " +
				u.LockedUntil.In(pathway.London).Format("15:04") + ", or ask your administrator to reset your password."}
			return tx.AppendAudit(audit.Entry{At: now, ActorID: u.ID, OrgID: u.OrgID, Action: audit.ActionSignInFailed, Detail: "account locked"})
		}
		ok, err := access.CheckPassword(u.PasswordHash, password)
		if err != nil {
			return err
		}
		if !ok {
			n, err := tx.RecordSignInFailure(u.ID, s.LockoutAfter, now.Add(s.LockoutFor))
			if err != nil {
				return err
			}
			outcome = errSignIn
			if n >= s.LockoutAfter {
				outcome = &waymark.Error{Code: waymark.ETOOMANY, Message: "Too many failed sign-ins: this account is locked for " +
					s.LockoutFor.String() + ". Ask your administrator to reset your password if you have forgotten it."}
			}
			return tx.AppendAudit(audit.Entry{At: now, ActorID: u.ID, OrgID: u.OrgID, Action: audit.ActionSignInFailed, Detail: "wrong password"})
		}
		if err := tx.ClearSignInFailures(u.ID); err != nil {
			return err
		}
		tok, hash := access.NewToken()
		csrf, _ := access.NewToken()
		sess = store.Session{TokenHash: hash, UserID: u.ID, CSRFToken: csrf, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.SessionAbsolute)}
		if err := tx.InsertSession(sess); err != nil {
			return err
		}
		token, user = tok, u
		return tx.AppendAudit(audit.Entry{At: now, ActorID: u.ID, OrgID: u.OrgID, Action: audit.ActionSignIn})
	})
	if err != nil {
		return "", sess, user, err
	}
	if outcome != nil {
		return "", sess, store.User{}, outcome
	}
	return token, sess, user, nil
}

var errSessionEnded = &waymark.Error{Code: waymark.EUNAUTHORIZED, Message: "You have been signed out. Sign in again to carry on: anything you had saved is kept."}

// Authenticate finds the session behind token, ending it if it has been
// idle too long or is past its absolute lifetime.
func (s *Service) Authenticate(ctx context.Context, token string) (Viewer, store.Session, error) {
	if token == "" || len(token) > 100 {
		return Viewer{}, store.Session{}, errSessionEnded
	}
	now := s.now()
	hash := access.HashToken(token)
	var sess store.Session
	var user store.User
	var ended bool
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		var err error
		sess, user, err = tx.SessionByTokenHash(hash)
		if err != nil {
			return err
		}
		if user.Disabled || now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > s.SessionIdle {
			ended = true // commit the deletion: returning an error here would roll it back
			return tx.DeleteSession(hash)
		}
		if now.Sub(sess.LastSeenAt) > time.Minute { // one write a minute is enough to track idleness
			return tx.TouchSession(hash, now)
		}
		return nil
	})
	if err == nil && ended {
		err = errSessionEnded
	}
	if err != nil {
		if code := waymark.ErrorCode(err); code == waymark.ENOTFOUND || code == waymark.EUNAUTHORIZED {
			return Viewer{}, sess, errSessionEnded
		}
		return Viewer{}, sess, err
	}
	return Viewer{User: user}, sess, nil
}

// AuthenticateAPIToken finds the user behind a bearer token. Session tokens
// (from POST /api/v1/sessions) and administrator-made API tokens both work.
func (s *Service) AuthenticateAPIToken(ctx context.Context, token string) (Viewer, error) {
	if v, _, err := s.Authenticate(ctx, token); err == nil {
		return v, nil
	} else if waymark.ErrorCode(err) != waymark.EUNAUTHORIZED {
		return Viewer{}, err
	}
	now := s.now()
	var v Viewer
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		a, u, err := tx.APITokenByHash(access.HashToken(token))
		if err != nil {
			return err
		}
		if a.RevokedAt != nil || now.After(a.ExpiresAt) || u.Disabled {
			return waymark.Errorf(waymark.EUNAUTHORIZED, "The API token has expired or been revoked")
		}
		v = Viewer{User: u, Scopes: a.Scopes}
		return nil
	})
	if err != nil {
		if code := waymark.ErrorCode(err); code == waymark.ENOTFOUND || code == waymark.EUNAUTHORIZED {
			return Viewer{}, &waymark.Error{Code: waymark.EUNAUTHORIZED, Message: "Send a valid bearer token: sign in with POST /api/v1/sessions or use an API token from your administrator"}
		}
		return Viewer{}, err
	}
	return v, nil
}

// SignOut ends the session.
func (s *Service) SignOut(ctx context.Context, v Viewer, token string) error {
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteSession(access.HashToken(token)); err != nil {
			return err
		}
		return tx.AppendAudit(s.auditEntry(v, "", audit.ActionSignOut, ""))
	})
}

// CreateAPIToken lets an administrator issue a scoped token for a user.
func (s *Service) CreateAPIToken(ctx context.Context, admin Viewer, userEmail, name string, scopes []string, ttl time.Duration) (string, error) {
	if admin.User.Role != "administrator" || admin.Scopes != nil {
		return "", waymark.Errorf(waymark.EFORBIDDEN, "Only an administrator signed in to Waymark can create API tokens")
	}
	var probs waymark.Problems
	for _, sc := range scopes {
		if sc != ScopeRead && sc != ScopeWrite {
			probs.Add("scopes", "Scopes must be %s or %s", ScopeRead, ScopeWrite)
		}
	}
	if len(scopes) == 0 {
		probs.Add("scopes", "Give the token at least one scope: %s or %s", ScopeRead, ScopeWrite)
	}
	if strings.TrimSpace(name) == "" || len(name) > 100 {
		probs.Add("name", "Name the token (up to 100 characters) so it can be recognised later")
	}
	if ttl <= 0 || ttl > 366*24*time.Hour {
		probs.Add("expiresInDays", "A token must expire within a year")
	}
	if err := probs.Err(); err != nil {
		return "", err
	}
	tok, hash := access.NewToken()
	now := s.now()
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByEmail(userEmail)
		if err != nil {
			return err
		}
		if err := tx.InsertAPIToken(store.APIToken{ID: access.NewID(), TokenHash: hash, UserID: u.ID, Name: name, Scopes: scopes, CreatedAt: now, ExpiresAt: now.Add(ttl)}); err != nil {
			return err
		}
		return tx.AppendAudit(s.auditEntry(admin, "", audit.ActionTokenCreated, "for "+u.ID+": "+strings.Join(scopes, " ")))
	})
	return tok, err
}

var dummyHashes sync.Map // Argon2Params -> hash of a password nobody has

func dummyHash(p access.Argon2Params) string {
	if h, ok := dummyHashes.Load(p); ok {
		return h.(string)
	}
	h, _ := access.HashPassword("not a real password", p)
	dummyHashes.Store(p, h)
	return h
}
