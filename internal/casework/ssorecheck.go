package casework

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/audit"
	"waymark/internal/store"
)

// Single sign-on re-checks. Someone removed from their identity provider's
// groups, or disabled there, must lose Waymark within minutes, not at the
// end of a twelve-hour session. At sign-in Waymark keeps the provider's
// refresh token (sealed in the database, never logged: store/sso.go). Once
// OIDCConfig.RecheckEvery has passed since the last check, the person's
// next request — or the background sweep, for someone who only uses API
// tokens or is idle — spends it: the provider must still grant it, and the
// ID token it returns must still carry a group the configuration maps. If
// not, every session and API token of the person ends (store.EndCredentials)
// and it is audited. A provider that cannot be reached changes nothing and
// is asked again a minute later; monitoring sees it (Workers): each such
// re-check is counted, and a sweep counts as a run of the job (worker
// sso_recheck) only if, since the sweep before, no re-check was tried or
// at least one reached the provider. While the provider cannot be reached
// the job's last run stops moving, and the alert on it fires: nobody
// removed from the provider's groups is losing access.

// Audit actions of single sign-on re-checks.
const (
	ActionSSOAccessEnded   = "user.sso_access_ended"
	ActionSSOAccessChanged = "user.sso_access_changed"
)

// DefaultSSORecheck is how long a single sign-on grant is trusted before
// the provider is asked again.
const DefaultSSORecheck = 5 * time.Minute

// errSSOEnded is an SSO re-check that ended the person's access.
var errSSOEnded = errors.New("single sign-on access ended")

// errSSOUnreachable is an SSO re-check that could not ask the provider:
// nothing changed, and it is due again in a minute.
var errSSOUnreachable = errors.New("single sign-on re-check: the provider could not be asked")

// claimSSOCheck, in a transaction, takes the user's grant when a re-check is
// due (one request or replica takes it; the others carry on).
func (s *Service) claimSSOCheck(tx *store.Tx, userID string, now time.Time) (store.SSOGrant, bool, error) {
	o := s.Access.OIDC
	if o == nil || o.RecheckEvery <= 0 {
		return store.SSOGrant{}, false, nil
	}
	return tx.ClaimSSOCheck(userID, now.Add(-o.RecheckEvery), now)
}

// ssoCheckDue reports, in a read-only snapshot, whether the user's grant is
// due a re-check (claimSSOCheck then takes it in a write transaction).
func (s *Service) ssoCheckDue(tx *store.Tx, userID string, now time.Time) (bool, error) {
	o := s.Access.OIDC
	if o == nil || o.RecheckEvery <= 0 {
		return false, nil
	}
	return tx.SSOCheckDue(userID, now.Add(-o.RecheckEvery))
}

// finishSSOCheck asks the provider, outside any transaction, and records
// the answer. It returns errSSOEnded when the person's access was ended,
// and errSSOUnreachable when the provider could not be asked.
func (s *Service) finishSSOCheck(ctx context.Context, g store.SSOGrant) error {
	o := s.Access.OIDC
	now := s.now()
	claims, next, err := o.Provider.Refresh(ctx, g.RefreshToken, g.Subject, now)
	reached := !errors.Is(err, access.ErrProviderUnavailable)
	// A refresh answered without an ID token says nothing of the person's
	// groups: someone removed from them would not be seen to leave. It is
	// not a re-check monitoring may call done; the rotated refresh token is
	// kept, and the person is asked again in a minute.
	noGroups := err == nil && claims.Raw == nil
	s.Workers.ssoAsked(reached && !noGroups)
	var reason string
	var mapping *OIDCMapping
	switch {
	case !reached || noGroups:
		keep := g.RefreshToken
		if noGroups {
			keep = next
			s.Log.Warn("single sign-on re-check: the provider answered without an ID token, so the person's groups could not be checked; trying again in a minute", "user", g.UserID)
		} else {
			s.Log.Warn("single sign-on re-check: the provider could not be asked; trying again in a minute", "user", g.UserID, "err", err)
		}
		if err := s.DB.Update(ctx, func(tx *store.Tx) error {
			return tx.SetRefreshToken(g.Issuer, g.Subject, keep, now.Add(-o.RecheckEvery+time.Minute))
		}); err != nil {
			return err
		}
		return errSSOUnreachable
	case errors.Is(err, access.ErrGrantRevoked):
		reason = "the provider refused the refresh token (disabled or signed out there)"
	case err != nil:
		reason = "the provider's answer did not verify"
		s.Log.Warn("single sign-on re-check refused", "user", g.UserID, "err", err)
	case claims.Raw != nil:
		groups := access.StringsClaim(claims.Raw, o.GroupsClaim)
		for i, m := range o.Mappings {
			if slices.Contains(groups, m.Group) {
				mapping = &o.Mappings[i]
				break
			}
		}
		if mapping == nil {
			reason = "no longer in a group that gives access to Waymark"
		}
	}
	if reason != "" {
		err := s.DB.Update(ctx, func(tx *store.Tx) error {
			u, err := tx.UserByID(g.UserID)
			if err != nil && !isNotFound(err) {
				return err
			}
			if err := tx.SetRefreshToken(g.Issuer, g.Subject, "", now); err != nil {
				return err
			}
			if err := tx.EndCredentials(g.UserID, now); err != nil {
				return err
			}
			return tx.AppendAudit(audit.Entry{At: now, ActorID: "system", OrgID: u.OrgID, Action: ActionSSOAccessEnded,
				Detail: "for " + g.UserID + ": " + reason + "; sessions and API tokens ended"})
		})
		if err != nil {
			return err
		}
		s.Log.Info("single sign-on re-check ended a person's access", "user", g.UserID, "reason", reason)
		return errSSOEnded
	}
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		// The person's row is changed before their identity's refresh
		// token, in the order a sign-in takes them (oidc.go): a sign-in
		// and a re-check of the same person at once, each holding the row
		// the other needs next, would deadlock on PostgreSQL.
		if mapping != nil {
			if err := s.recheckAccess(tx, g.UserID, mapping, now); err != nil {
				return err
			}
		}
		return tx.SetRefreshToken(g.Issuer, g.Subject, next, now)
	})
}

// recheckAccess brings a person's organisation and role into line with
// their provider's groups, as at sign-in: a move or a change of job shows
// within minutes.
func (s *Service) recheckAccess(tx *store.Tx, userID string, mapping *OIDCMapping, now time.Time) error {
	u, err := tx.UserByID(userID)
	if err != nil {
		return err
	}
	if u.OrgID == mapping.Organisation && u.Role == mapping.Role {
		return nil
	}
	if _, err := tx.OrganisationByID(mapping.Organisation); err != nil {
		return fmt.Errorf("casework: single sign-on maps to organisation %q: %w", mapping.Organisation, err)
	}
	if err := tx.SetUserAccess(u.ID, mapping.Organisation, mapping.Role, u.Name); err != nil {
		return err
	}
	return tx.AppendAudit(audit.Entry{At: now, ActorID: "system", OrgID: mapping.Organisation, Action: ActionSSOAccessChanged,
		Detail: fmt.Sprintf("for %s: %s in %s to %s in %s (the provider's groups)", u.ID, u.Role, u.OrgID, mapping.Role, mapping.Organisation)})
}

func isNotFound(err error) bool { return waymark.ErrorCode(err) == waymark.ENOTFOUND }

// ErrBadLogoutToken answers a back-channel logout token that does not verify.
var ErrBadLogoutToken = waymark.Errorf(waymark.EINVALID, "The logout token is not valid")

// BackChannelLogout is the provider telling Waymark, server to server,
// that a person signed out or was signed out there (OpenID Connect
// Back-Channel Logout 1.0): once the logout token verifies, every session
// and API token of the person linked to its subject ends, and their
// refresh token is forgotten. Audited. A subject linked to nobody is
// answered as done.
func (s *Service) BackChannelLogout(ctx context.Context, logoutToken string) error {
	o := s.Access.OIDC
	if o == nil {
		return waymark.Errorf(waymark.ENOTFOUND, "Single sign-on is not set up")
	}
	if logoutToken == "" || len(logoutToken) > 16384 {
		return ErrBadLogoutToken
	}
	now := s.now()
	issuer, subject, err := o.Provider.VerifyLogoutToken(ctx, logoutToken, now)
	if err != nil {
		s.Log.Warn("single sign-on: back-channel logout refused", "err", err)
		return ErrBadLogoutToken
	}
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByIdentity(issuer, subject)
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := tx.SetRefreshToken(issuer, subject, "", now); err != nil {
			return err
		}
		if err := tx.EndCredentials(u.ID, now); err != nil {
			return err
		}
		return tx.AppendAudit(audit.Entry{At: now, ActorID: "system", OrgID: u.OrgID, Action: ActionSSOAccessEnded,
			Detail: "for " + u.ID + ": back-channel logout from the provider; sessions and API tokens ended"})
	})
}

// RecheckSingleSignOn re-checks every grant that is due, for people who
// make no request (API tokens, idle sessions). The server runs it every
// minute; it returns how many people's access it ended. It records a run
// of the job (WorkerSSORecheck) when it ends without an error, unless
// every re-check since the sweep before, here or at a request, failed to
// reach the provider: then it logs an error, and the run is not recorded.
func (s *Service) RecheckSingleSignOn(ctx context.Context) (int, error) {
	o := s.Access.OIDC
	if o == nil || o.RecheckEvery <= 0 {
		return 0, nil
	}
	s.Workers.Expect(WorkerSSORecheck) // until a run counts, /metrics says it never ran
	ended, err := s.recheckDue(ctx, o)
	reached, missed := s.Workers.takeSSOTally()
	switch {
	case err != nil:
	case missed > 0 && reached == 0:
		s.Log.Error("single sign-on re-checks: the provider could not be reached for any of them; nobody removed from its groups loses access until it answers",
			"unreachable", missed)
	default:
		s.Workers.Ran(WorkerSSORecheck, s.now())
	}
	return ended, err
}

// recheckDue re-checks the grants due now, for RecheckSingleSignOn.
func (s *Service) recheckDue(ctx context.Context, o *OIDCConfig) (int, error) {
	now := s.now()
	var due []string
	if err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		due, err = tx.SSOChecksDue(now.Add(-o.RecheckEvery), 500)
		return err
	}); err != nil {
		return 0, err
	}
	ended := 0
	for _, uid := range due {
		var g store.SSOGrant
		var claimed bool
		if err := s.DB.Update(ctx, func(tx *store.Tx) error {
			var err error
			g, claimed, err = s.claimSSOCheck(tx, uid, now)
			return err
		}); err != nil {
			return ended, err
		}
		if !claimed {
			continue
		}
		switch err := s.finishSSOCheck(ctx, g); {
		case errors.Is(err, errSSOEnded):
			ended++
		case errors.Is(err, errSSOUnreachable): // counted; due again in a minute
		case err != nil:
			return ended, err
		}
	}
	return ended, nil
}

// RunSingleSignOnRechecks runs RecheckSingleSignOn every interval until ctx ends.
func (s *Service) RunSingleSignOnRechecks(ctx context.Context, every time.Duration) {
	s.Workers.Expect(WorkerSSORecheck)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.RecheckSingleSignOn(ctx); err != nil && ctx.Err() == nil {
				s.Log.Error("single sign-on re-checks", "err", err)
			}
		}
	}
}
