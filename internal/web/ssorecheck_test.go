package web

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark/internal/access/oidctest"
	"waymark/internal/casework"
	"waymark/internal/crypt"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// ssoSignIn signs the provider's person in through the provider and
// returns the browser and the session token.
func ssoSignIn(t *testing.T, e *testEnv) (*browser, string) {
	t.Helper()
	b := e.browser()
	if rec := ssoRoundTrip(t, b, "/sign-in/sso"); rec.Code != http.StatusOK || b.cookies[sessionCookie] == nil {
		t.Fatalf("signing in through the provider: %d", rec.Code)
	}
	return b, b.cookies[sessionCookie].Value
}

// ssoSignInWithAPIToken signs the provider's person in, as ssoSignIn
// does, and has them create a read-only API token from that session. It
// returns the browser, the person and the API token.
func ssoSignInWithAPIToken(t *testing.T, e *testEnv) (*browser, casework.Viewer, string) {
	t.Helper()
	b, session := ssoSignIn(t, e)
	olu := e.ssoUser()
	token, _, err := e.svc.CreateAPIToken(context.Background(), olu, session, "Reports", []string{casework.ScopeRead}, 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return b, olu, token
}

func (e *testEnv) ssoUser() casework.Viewer {
	e.t.Helper()
	var u store.User
	if err := e.db.View(context.Background(), func(tx *store.Tx) error {
		var err error
		u, err = tx.UserByEmail("olu.okafor@council.example")
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return casework.Viewer{User: u}
}

// Someone removed from the provider's groups loses Waymark within minutes:
// the provider is asked again, with the refresh token kept sealed at
// sign-in, once the re-check interval has passed; when the group that
// gives access is gone, every session and API token of theirs ends, and it
// is audited. Until then, and while the provider still grants access, the
// provider is not asked on every request.
func TestRemovedFromTheProvidersGroupsLosesSessionsAndTokensWithinMinutes(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e, p := ssoEnv(t, db)
		b, olu, token := ssoSignInWithAPIToken(t, e)
		var stored string
		if err := db.SQL().QueryRow(`SELECT refresh_token FROM user_identities`).Scan(&stored); err != nil || stored == "" || (db.KeyRing() != nil && !crypt.IsSealed(stored)) {
			t.Fatalf("the refresh token at rest: sealed %v (%v)", crypt.IsSealed(stored), err)
		}

		e.clock.Advance(4 * time.Minute)
		if rec := b.get("/cases"); rec.Code != http.StatusOK || p.Refreshes != 0 {
			t.Fatalf("within the interval: %d, provider asked %d times", rec.Code, p.Refreshes)
		}
		e.clock.Advance(2 * time.Minute)
		if rec := b.get("/cases"); rec.Code != http.StatusOK || p.Refreshes != 1 {
			t.Fatalf("still in the group: %d, provider asked %d times", rec.Code, p.Refreshes)
		}

		p.SetClaims(map[string]any{"sub": "idp-4711", "email": "olu.okafor@council.example", "email_verified": true, "name": "Olu Okafor", "groups": []string{"staff"}})
		e.clock.Advance(2 * time.Minute)
		if rec := b.get("/cases"); rec.Code != http.StatusOK {
			t.Fatalf("before the next re-check is due: %d", rec.Code)
		}
		from := e.count("audit_log")
		e.clock.Advance(4 * time.Minute)
		if rec := b.get("/cases"); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/sign-in") {
			t.Fatalf("out of the group, a page: %d %s", rec.Code, rec.Header().Get("Location"))
		}
		if rec := e.api("GET", "/api/v1/cases", token, nil); rec.Code != http.StatusUnauthorized {
			t.Fatalf("out of the group, the API token: %d", rec.Code)
		}
		if e.count("audit_log") <= from || !e.audited(casework.ActionSSOAccessEnded, "for "+olu.User.ID+": no longer in a group") {
			t.Fatal("ending their access is not audited")
		}
	})
}

// A person disabled at the provider, who makes no request at all, loses
// their API tokens at the background sweep; a provider that cannot be
// reached ends nobody's access.
func TestDisabledAtTheProviderEndsTokensEvenWithoutARequest(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e, p := ssoEnv(t, db)
		b, _, token := ssoSignInWithAPIToken(t, e)
		p.RevokeGrants()
		if n, err := e.svc.RecheckSingleSignOn(context.Background()); err != nil || n != 0 {
			t.Fatalf("before the interval: %d ended, %v", n, err)
		}
		e.clock.Advance(6 * time.Minute)
		if n, err := e.svc.RecheckSingleSignOn(context.Background()); err != nil || n != 1 {
			t.Fatalf("the sweep: %d ended, %v", n, err)
		}
		if rec := e.api("GET", "/api/v1/cases", token, nil); rec.Code != http.StatusUnauthorized {
			t.Fatalf("disabled at the provider, the API token: %d", rec.Code)
		}
		if rec := b.get("/cases"); rec.Code != http.StatusSeeOther {
			t.Fatalf("disabled at the provider, the session: %d", rec.Code)
		}

		// Signed in again, then the provider goes down: nothing ends.
		b, _ = ssoSignIn(t, e)
		e.clock.Advance(6 * time.Minute)
		p.Close()
		if rec := b.get("/cases"); rec.Code != http.StatusOK {
			t.Fatalf("with the provider down: %d", rec.Code)
		}
	})
}

// While the identity provider cannot be reached nobody is re-checked, and
// monitoring sees it: each re-check that could not reach the provider is
// counted, at the sweep or at a request, and the sweep's last run stays
// where it was, so the alert on it fires. Once the provider answers the
// sweep's run is recorded again, and a sweep with nobody due counts too.
func TestMonitoringSeesThatLeaversAreNotReCheckedWhileTheProviderIsDown(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e, p := ssoEnv(t, db)
		b, _, _ := ssoSignInWithAPIToken(t, e)
		metrics := func() (lastRun, unreachable float64) {
			body := scrape(t, e.srv.MetricsHandler())
			return metricValue(body, "waymark_worker_last_success_timestamp_seconds", `worker="sso_recheck"`),
				metricValue(body, "waymark_sso_recheck_unreachable_total")
		}

		e.clock.Advance(6 * time.Minute)
		p.SetDown(true)
		if n, err := e.svc.RecheckSingleSignOn(context.Background()); err != nil || n != 0 {
			t.Fatalf("the sweep with the provider down: %d ended, %v", n, err)
		}
		if last, missed := metrics(); last != 0 || missed != 1 {
			t.Fatalf("after a sweep that could not reach the provider: last run %v (want 0: never), unreachable %v (want 1)", last, missed)
		}

		// A person at work is re-checked at their request, which fails too;
		// the sweep then finds nobody due, and that is not a run either.
		e.clock.Advance(time.Minute)
		if rec := b.get("/cases"); rec.Code != http.StatusOK {
			t.Fatalf("a page with the provider down: %d", rec.Code)
		}
		if n, err := e.svc.RecheckSingleSignOn(context.Background()); err != nil || n != 0 {
			t.Fatalf("the sweep after a request's re-check failed: %d ended, %v", n, err)
		}
		if last, missed := metrics(); last != 0 || missed != 2 {
			t.Fatalf("after a request's re-check could not reach the provider: last run %v (want 0), unreachable %v (want 2)", last, missed)
		}

		e.clock.Advance(time.Minute)
		p.SetDown(false)
		asked := p.Refreshes
		if n, err := e.svc.RecheckSingleSignOn(context.Background()); err != nil || n != 0 || p.Refreshes != asked+1 {
			t.Fatalf("the sweep with the provider back: %d ended, %v, provider asked %d times", n, err, p.Refreshes-asked)
		}
		if last, missed := metrics(); last != float64(e.clock.Now().Unix()) || missed != 2 {
			t.Fatalf("after the provider answered: last run %v (want %d), unreachable %v (want 2)", last, e.clock.Now().Unix(), missed)
		}

		e.clock.Advance(time.Minute)
		if n, err := e.svc.RecheckSingleSignOn(context.Background()); err != nil || n != 0 || p.Refreshes != asked+1 {
			t.Fatalf("a sweep with nobody due: %d ended, %v, provider asked %d times", n, err, p.Refreshes-asked)
		}
		if last, _ := metrics(); last != float64(e.clock.Now().Unix()) {
			t.Fatalf("a sweep with nobody due: last run %v, want %d", last, e.clock.Now().Unix())
		}
	})
}

// audited reports whether the audit log has an entry with action whose
// detail starts with detail.
func (e *testEnv) audited(action, detail string) bool {
	e.t.Helper()
	var n int
	if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = $1 AND detail LIKE $2`, action, detail+"%").Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n > 0
}

// logoutToken is a back-channel logout token from the test provider.
func logoutToken(p *oidctest.Provider, now time.Time, change func(map[string]any)) string {
	c := map[string]any{"iss": p.Issuer(), "aud": p.ClientID, "iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(), "jti": "logout-1",
		"sub": "idp-4711", "events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}}}
	if change != nil {
		change(c)
	}
	return oidctest.Sign(p.Key, p.KID, c)
}

// The provider can sign someone out of Waymark at once (OpenID Connect
// Back-Channel Logout): a logout token that verifies ends every session
// and API token of the person, audited; one that does not verify ends
// nothing.
func TestBackChannelLogoutEndsThePersonsSessionsAndTokens(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e, p := ssoEnv(t, db)
		b, olu, token := ssoSignInWithAPIToken(t, e)
		post := func(tok string) int {
			return e.serve(formRequest("/sign-in/sso/backchannel-logout", url.Values{"logout_token": {tok}})).Code
		}
		other, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		now := e.clock.Now()
		for name, bad := range map[string]string{
			"forged":      oidctest.Sign(other, p.KID, map[string]any{"iss": p.Issuer(), "aud": p.ClientID, "iat": now.Unix(), "exp": now.Add(time.Minute).Unix(), "jti": "x", "sub": "idp-4711", "events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}}}),
			"no event":    logoutToken(p, now, func(c map[string]any) { delete(c, "events") }),
			"a nonce":     logoutToken(p, now, func(c map[string]any) { c["nonce"] = "n" }),
			"other aud":   logoutToken(p, now, func(c map[string]any) { c["aud"] = "another-client" }),
			"expired":     logoutToken(p, now, func(c map[string]any) { c["exp"] = now.Add(-time.Hour).Unix() }),
			"sid only":    logoutToken(p, now, func(c map[string]any) { delete(c, "sub"); c["sid"] = "s-1" }),
			"not a token": "not.a.token",
		} {
			if code := post(bad); code != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400", name, code)
			}
		}
		if rec := b.get("/cases"); rec.Code != http.StatusOK {
			t.Fatalf("after refused logout tokens: %d", rec.Code)
		}
		if code := post(logoutToken(p, now, nil)); code != http.StatusOK {
			t.Fatalf("a valid logout token: %d", code)
		}
		if rec := b.get("/cases"); rec.Code != http.StatusSeeOther {
			t.Fatalf("after the logout, the session: %d", rec.Code)
		}
		if rec := e.api("GET", "/api/v1/cases", token, nil); rec.Code != http.StatusUnauthorized {
			t.Fatalf("after the logout, the API token: %d", rec.Code)
		}
		if !e.audited(casework.ActionSSOAccessEnded, "for "+olu.User.ID+": back-channel logout") {
			t.Fatal("the logout is not audited")
		}
	})
}

// A provider that answers a refresh without an ID token has said nothing
// about the person's groups: someone removed from them is not seen to
// leave. Monitoring must not call that healthy: the sweep's run is not
// recorded (so the stall alert fires), while the rotated refresh token is
// kept so the person can still be re-checked once the provider sends one.
func TestARefreshWithoutAnIDTokenIsNotARecheckMonitoringCallsHealthy(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e, p := ssoEnv(t, db)
		_, _, token := ssoSignInWithAPIToken(t, e)
		p.SetClaims(map[string]any{"sub": "idp-4711", "email": "olu.okafor@council.example", "email_verified": true, "name": "Olu Okafor", "groups": []string{"staff"}})
		p.NoIDTokenOnRefresh = true

		e.clock.Advance(6 * time.Minute)
		if _, err := e.svc.RecheckSingleSignOn(context.Background()); err != nil {
			t.Fatal(err)
		}
		body := scrape(t, e.srv.MetricsHandler())
		lastRun := metricValue(body, "waymark_worker_last_success_timestamp_seconds", `worker="sso_recheck"`)
		stillIn := e.api("GET", "/api/v1/cases", token, nil).Code == http.StatusOK
		if stillIn && lastRun != 0 {
			t.Fatalf("a leaver keeps their API token, and the sweep is recorded as a run at %v: monitoring says healthy", lastRun)
		}

		// The provider sends ID tokens again: the rotated refresh token was
		// kept, and the leaver's access ends.
		p.NoIDTokenOnRefresh = false
		e.clock.Advance(6 * time.Minute)
		if n, err := e.svc.RecheckSingleSignOn(context.Background()); err != nil || n != 1 {
			t.Fatalf("with ID tokens again: %d ended, %v", n, err)
		}
		if rec := e.api("GET", "/api/v1/cases", token, nil); rec.Code != http.StatusUnauthorized {
			t.Fatalf("out of the group, the API token: %d", rec.Code)
		}
	})
}

// A person whose job changes at the provider has it changed in Waymark at
// the next re-check, within minutes and without signing in again: their
// role follows the provider's groups, and the change is audited.
func TestAChangeOfJobAtTheProviderShowsAtTheNextReCheck(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e, p := ssoEnvWithManagers(t, db)
		b, _ := ssoSignIn(t, e)
		if got := e.ssoUser().User.Role; got != "social_worker" {
			t.Fatalf("signed in as %q", got)
		}
		p.SetClaims(map[string]any{"sub": "idp-4711", "email": "olu.okafor@council.example", "email_verified": true, "name": "Olu Okafor", "groups": []string{"staff", "cs-managers"}})
		e.clock.Advance(6 * time.Minute)
		if rec := b.get("/cases"); rec.Code != http.StatusOK || p.Refreshes != 1 {
			t.Fatalf("after the re-check interval: %d, provider asked %d times", rec.Code, p.Refreshes)
		}
		olu := e.ssoUser()
		if olu.User.Role != "manager" {
			t.Errorf("after a change of job at the provider, Waymark has them as %q, want manager", olu.User.Role)
		}
		if !e.audited(casework.ActionSSOAccessChanged, "for "+olu.User.ID+": social_worker in org-cs to manager in org-cs") {
			t.Error("the change is not audited")
		}
	})
}

// ssoEnvWithManagers is ssoEnv whose provider's managers' group maps to
// the manager role too, so a change of job there can be seen.
func ssoEnvWithManagers(t *testing.T, db *store.DB) (*testEnv, *oidctest.Provider) {
	t.Helper()
	e, p := ssoEnv(t, db)
	cfg, err := casework.ParseOIDCConfig([]byte(`{
		"issuer": "`+p.Issuer()+`", "clientId": "`+p.ClientID+`",
		"redirectUrl": "http://waymark.test/sign-in/sso/callback",
		"label": "Sign in with your council account",
		"mappings": [{"group": "cs-social-workers", "organisation": "org-cs", "role": "social_worker"},
			{"group": "cs-managers", "organisation": "org-cs", "role": "manager"}]
	}`), p.ClientSecret)
	if err != nil {
		t.Fatal(err)
	}
	e.svc.Access.OIDC = cfg
	return e, p
}

// On PostgreSQL a person signing in through the provider while their
// re-check (after a change of job there) is under way: both change the
// person's row and their identity's refresh token, and both take them in
// that order, so neither holds what the other waits for and both succeed
// (docs/security.md). The test holds the person's row so that the sign-in
// comes to wait for it first and the re-check second.
func TestASignInAndAReCheckOfOnePersonAtOnceBothSucceed(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		if db.Dialect != store.Postgres {
			t.Skip("SQLite writers take turns")
		}
		e, p := ssoEnvWithManagers(t, db)
		ssoSignIn(t, e)
		olu := e.ssoUser()
		p.SetClaims(map[string]any{"sub": "idp-4711", "email": "olu.okafor@council.example", "email_verified": true, "name": "Olu Okafor", "groups": []string{"staff", "cs-managers"}})
		e.clock.Advance(6 * time.Minute) // the re-check is due

		ctx := context.Background()
		hold, err := db.SQL().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer hold.Rollback()
		if _, err := hold.ExecContext(ctx, `SELECT id FROM users WHERE id = $1 FOR UPDATE`, olu.User.ID); err != nil {
			t.Fatal(err)
		}
		// The sign-in as far as the provider's answer, then its callback,
		// which writes, in the background.
		b := e.browser()
		callback := ssoCallback(t, b, "/sign-in/sso")
		// The test waits for its goroutines before it ends, even when it
		// fails early (after hold is rolled back, by its defer).
		var bg sync.WaitGroup
		t.Cleanup(bg.Wait)
		signedIn := make(chan int, 1)
		bg.Go(func() { signedIn <- b.get(callback).Code })
		if !storetest.WaitForLockWaiters(t, db, 1, storetest.Ended(signedIn)) {
			t.Fatalf("the sign-in ended (%d) without waiting for the person's row", <-signedIn)
		}
		type recheck struct {
			ended int
			err   error
		}
		rechecked := make(chan recheck, 1)
		bg.Go(func() {
			n, err := e.svc.RecheckSingleSignOn(ctx)
			rechecked <- recheck{n, err}
		})
		if !storetest.WaitForLockWaiters(t, db, 2, storetest.Ended(rechecked)) {
			t.Fatalf("the re-check ended (%+v) without waiting for the person's row", <-rechecked)
		}
		if err := hold.Rollback(); err != nil {
			t.Fatal(err)
		}
		if code := <-signedIn; code != http.StatusOK || b.cookies[sessionCookie] == nil {
			t.Errorf("the sign-in beside the re-check: %d, session cookie %v", code, b.cookies[sessionCookie])
		}
		if r := <-rechecked; r.err != nil || r.ended != 0 {
			t.Errorf("the re-check beside the sign-in: %d ended, %v", r.ended, r.err)
		}
		if got := e.ssoUser().User.Role; got != "manager" {
			t.Errorf("after both, Waymark has them as %q, want manager", got)
		}
	})
}
