package web

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"waymark/internal/access/oidctest"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// ssoEnv is a server whose single sign-on goes to a provider started in
// the test, mapping the group "cs-social-workers" to social workers of
// Children's Services.
func ssoEnv(t *testing.T, db *store.DB) (*testEnv, *oidctest.Provider) {
	t.Helper()
	e := newEnv(t, db)
	p := oidctest.New(t)
	p.Now = e.clock.Now
	cfg, err := casework.ParseOIDCConfig([]byte(`{
		"issuer": "`+p.Issuer()+`", "clientId": "`+p.ClientID+`",
		"redirectUrl": "http://waymark.test/sign-in/sso/callback",
		"label": "Sign in with your council account",
		"mappings": [{"group": "cs-social-workers", "organisation": "org-cs", "role": "social_worker"}]
	}`), p.ClientSecret)
	if err != nil {
		t.Fatal(err)
	}
	e.svc.Access.OIDC = cfg
	p.SetClaims(map[string]any{"sub": "idp-4711", "email": "Olu.Okafor@council.example", "email_verified": true, "name": "Olu Okafor", "groups": []string{"staff", "cs-social-workers"}})
	return e, p
}

// ssoRoundTrip starts single sign-on from path, lets the provider answer
// as a browser would follow it, and returns the callback's answer.
func ssoRoundTrip(t *testing.T, b *browser, path string) *httptest.ResponseRecorder {
	t.Helper()
	return b.get(ssoCallback(t, b, path))
}

// ssoCallback starts single sign-on from path and lets the provider answer
// as a browser would follow it, up to the callback: the path and query to
// send it, for a test that sends it when it chooses.
func ssoCallback(t *testing.T, b *browser, path string) string {
	t.Helper()
	start := b.get(path)
	to := start.Header().Get("Location")
	if start.Code != http.StatusSeeOther || !strings.Contains(to, "/authorize?") {
		t.Fatalf("GET %s: %d, Location %q", path, start.Code, to)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(to)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || back.Path != "/sign-in/sso/callback" {
		t.Fatalf("the provider sent the browser to %q", resp.Header.Get("Location"))
	}
	return back.RequestURI()
}

// A valid sign-in through the provider creates the account from the
// mapping and starts a session; the page then links on, same-site.
func TestSingleSignOnCreatesASession(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e, _ := ssoEnv(t, db)
		b := e.browser()
		if form := b.get("/sign-in").Body.String(); !strings.Contains(form, "Sign in with your council account") {
			t.Fatal("the sign-in page has no single sign-on button")
		}
		start := b.get("/sign-in/sso?next=%2Fcases")
		if c := b.cookies[oidcCookie]; c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
			t.Fatalf("state cookie %+v: want HttpOnly and SameSite=Lax (it must survive the provider's redirect)", c)
		}
		to, _ := url.Parse(start.Header().Get("Location"))
		if q := to.Query(); q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" || q.Get("state") == "" {
			t.Fatalf("authorize request %v lacks PKCE, nonce or state", q)
		}
		resp := ssoRoundTripFrom(t, b, start.Header().Get("Location"))
		if resp.Code != http.StatusOK || b.cookies[sessionCookie] == nil {
			t.Fatalf("callback: %d, cookies %v", resp.Code, b.cookies)
		}
		if rec := b.get("/cases"); rec.Code != http.StatusOK {
			t.Fatalf("signed in through the provider, /cases answers %d", rec.Code)
		}
		var u store.User
		err := db.Update(context.Background(), func(tx *store.Tx) error {
			var err error
			u, err = tx.UserByEmail("olu.okafor@council.example")
			return err
		})
		if err != nil || u.Role != pathway.RoleSocialWorker || u.OrgID != "org-cs" || u.PasswordHash != "" {
			t.Fatalf("the account made: %+v %v", u, err)
		}
		// The account has no password: password sign-in is refused like any wrong one.
		if rec := e.browser().post("/sign-in", url.Values{"email": {u.Email}, "password": {""}}); rec.Code == http.StatusOK {
			t.Fatal("a single sign-on account signed in without a password")
		}
		// The next sign-in finds the same account through the link.
		resp = ssoRoundTrip(t, e.browser(), "/sign-in/sso")
		if resp.Code != http.StatusOK || e.count("users") != 9 {
			t.Fatalf("second sign-in: %d, %d users", resp.Code, e.count("users"))
		}
	})
}

func ssoRoundTripFrom(t *testing.T, b *browser, authorize string) *httptest.ResponseRecorder {
	t.Helper()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(authorize)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, _ := url.Parse(resp.Header.Get("Location"))
	return b.get(back.RequestURI())
}

// Every failed check refuses the sign-in and starts no session.
func TestSingleSignOnRefusesBadTokens(t *testing.T) {
	cases := map[string]func(c map[string]any, now time.Time){
		"wrong issuer":   func(c map[string]any, _ time.Time) { c["iss"] = "https://evil.example" },
		"wrong audience": func(c map[string]any, _ time.Time) { c["aud"] = "another-client" },
		"expired":        func(c map[string]any, now time.Time) { c["exp"] = now.Add(-time.Hour).Unix() },
		"nonce mismatch": func(c map[string]any, _ time.Time) { c["nonce"] = "from another sign-in" },
	}
	for name, tamper := range cases {
		t.Run(name, func(t *testing.T) {
			e, p := ssoEnv(t, storetest.SQLite(t))
			p.SetTamper(func(c map[string]any) { tamper(c, e.clock.Now()) })
			b := e.browser()
			resp := ssoRoundTrip(t, b, "/sign-in/sso")
			if resp.Code != http.StatusUnauthorized || b.cookies[sessionCookie] != nil || e.count("sessions") != 0 {
				t.Fatalf("%s: %d, %d sessions", name, resp.Code, e.count("sessions"))
			}
		})
	}
	t.Run("bad signature", func(t *testing.T) {
		e, p := ssoEnv(t, storetest.SQLite(t))
		forger, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		p.SignWith = forger
		b := e.browser()
		if resp := ssoRoundTrip(t, b, "/sign-in/sso"); resp.Code != http.StatusUnauthorized || e.count("sessions") != 0 {
			t.Fatalf("a forged token: %d", resp.Code)
		}
	})
	t.Run("state from another browser", func(t *testing.T) {
		e, _ := ssoEnv(t, storetest.SQLite(t))
		b := e.browser()
		start := b.get("/sign-in/sso")
		victim := e.browser() // a login CSRF: the victim's browser has no state cookie
		if resp := ssoRoundTripFrom(t, victim, start.Header().Get("Location")); resp.Code != http.StatusUnauthorized || e.count("sessions") != 0 {
			t.Fatalf("callback without the state cookie: %d", resp.Code)
		}
	})
}

// Someone the provider knows but no mapping covers is refused with a page
// that says what to do.
func TestSingleSignOnRefusesUnmappedPeopleClearly(t *testing.T) {
	e, p := ssoEnv(t, storetest.SQLite(t))
	p.SetClaims(map[string]any{"sub": "idp-9", "email": "caretaker@council.example", "email_verified": true, "groups": []string{"facilities"}})
	b := e.browser()
	resp := ssoRoundTrip(t, b, "/sign-in/sso")
	body := resp.Body.String()
	if resp.Code != http.StatusForbidden || !strings.Contains(body, "You cannot use Waymark with this account") || !strings.Contains(body, "administrator") {
		t.Fatalf("unmapped: %d", resp.Code)
	}
	if e.count("sessions") != 0 || e.count("users") != 8 {
		t.Fatal("an unmapped person got an account or a session")
	}
}

// Someone signed in through the provider confirms who they are there, for
// break-glass: the provider is asked to sign them in again.
func TestSingleSignOnReauthenticatesForBreakGlass(t *testing.T) {
	e, p := ssoEnv(t, storetest.SQLite(t))
	id := e.raiseCase()
	b := e.browser()
	ssoRoundTrip(t, b, "/sign-in/sso")
	e.clock.Advance(10 * time.Minute)
	csrf := b.csrf("/break-glass")
	form := url.Values{"csrf_token": {csrf}, "case": {id}, "reason": {emergencyReason}}
	if rec := b.post("/break-glass", form); rec.Code != http.StatusForbidden {
		t.Fatalf("without confirming: %d", rec.Code)
	}
	resp := ssoRoundTrip(t, b, "/sign-in/sso/confirm?next=%2Fbreak-glass")
	if resp.Code != http.StatusOK || p.LastAuthorize.Get("prompt") != "login" || p.LastAuthorize.Get("max_age") != "0" {
		t.Fatalf("confirming: %d, authorize %v", resp.Code, p.LastAuthorize)
	}
	if rec := b.post("/break-glass", form); rec.Code != http.StatusSeeOther {
		t.Fatalf("after confirming through the provider: %d %s", rec.Code, rec.Body)
	}
}
