package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"waymark/internal/access"
	"waymark/internal/casework"
	"waymark/internal/demo"
	"waymark/internal/notify"
	"waymark/internal/web"
)

// accessConfig is the configuration of sign-in and its protections:
// two-step verification, single sign-on, break-glass, alert emails and rate
// limits (docs/operations.md).
type accessConfig struct {
	publicURL      string
	mfaIssuer      string
	oidcConfig     string
	smtpAddr       string
	smtpFrom       string
	smtpUsername   string
	smtpTimeout    time.Duration
	breakGlassFor  time.Duration
	signInPerMin   int
	accountPerMin  int
	apiPerMin      int
	clientIPHeader string
}

func (c *config) accessFlags(fs *flag.FlagSet) {
	a := &c.access
	fs.StringVar(&a.publicURL, "public-url", "", "the address people reach Waymark at, for links in emails, e.g. https://waymark.partnership.example (WAYMARK_PUBLIC_URL)")
	fs.StringVar(&a.mfaIssuer, "mfa-issuer", "Waymark", "the name authenticator apps show beside Waymark's codes (WAYMARK_MFA_ISSUER)")
	fs.StringVar(&a.oidcConfig, "oidc-config", "", "JSON file configuring single sign-on through an OpenID Connect provider; the client secret is read from WAYMARK_OIDC_CLIENT_SECRET (WAYMARK_OIDC_CONFIG)")
	fs.StringVar(&a.smtpAddr, "smtp-addr", "", "host:port of the SMTP relay for alert emails; none are sent without it (WAYMARK_SMTP_ADDR)")
	fs.StringVar(&a.smtpFrom, "smtp-from", "", "sender of alert emails, e.g. Waymark <waymark@partnership.example> (WAYMARK_SMTP_FROM)")
	fs.StringVar(&a.smtpUsername, "smtp-username", "", "SMTP user name, if the relay needs one; the password is read from WAYMARK_SMTP_PASSWORD (WAYMARK_SMTP_USERNAME)")
	fs.DurationVar(&a.smtpTimeout, "smtp-timeout", notify.DefaultTimeout, "longest one alert email may take to send, from connecting to the relay's answer; another replica takes over an email whose sender went quiet for twice this, 1s to 5m (WAYMARK_SMTP_TIMEOUT)")
	fs.DurationVar(&a.breakGlassFor, "break-glass-duration", 4*time.Hour, "how long emergency (break-glass) access to a case lasts (WAYMARK_BREAK_GLASS_DURATION)")
	fs.IntVar(&a.signInPerMin, "sign-in-rate-limit", 30, "sign-in requests a minute from one address, per replica; 0 for none (WAYMARK_SIGN_IN_RATE_LIMIT)")
	fs.IntVar(&a.accountPerMin, "account-rate-limit", 0, "no longer used: failed sign-ins are throttled per account and address in the database (docs/security.md); accepted so that old command lines still start, and has no environment variable")
	fs.IntVar(&a.apiPerMin, "api-rate-limit", 600, "API requests a minute with one token, per replica; 0 for none (WAYMARK_API_RATE_LIMIT)")
	fs.StringVar(&a.clientIPHeader, "client-ip-header", "", "header in which your TLS proxy puts the client's address, e.g. X-Forwarded-For; empty: the connection's address (WAYMARK_CLIENT_IP_HEADER)")
}

// applyAccess configures the service's sign-in protections and returns the
// rate limits for the web server.
// Its secrets come from envSecrets (env.go); getenv is not read.
func (c *config) applyAccess(svc *casework.Service, getenv func(string) string, log *slog.Logger) (web.RateLimits, error) {
	a := c.access
	if a.breakGlassFor < 15*time.Minute || a.breakGlassFor > 24*time.Hour {
		return web.RateLimits{}, fmt.Errorf("--break-glass-duration must be between 15m and 24h, not %s", a.breakGlassFor)
	}
	if a.signInPerMin < 0 || a.accountPerMin < 0 || a.apiPerMin < 0 {
		return web.RateLimits{}, errors.New("rate limits cannot be negative")
	}
	svc.Access.Issuer = a.mfaIssuer
	svc.Access.BreakGlassFor = a.breakGlassFor
	svc.Access.PublicURL = strings.TrimSuffix(a.publicURL, "/")
	if a.publicURL != "" {
		if u, err := url.Parse(a.publicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return web.RateLimits{}, fmt.Errorf("--public-url %q must be an http(s) URL", a.publicURL)
		}
	}
	if a.smtpAddr != "" {
		if a.smtpFrom == "" || a.publicURL == "" {
			return web.RateLimits{}, errors.New("--smtp-addr needs --smtp-from and --public-url (for the link in each email)")
		}
		if _, port, err := net.SplitHostPort(a.smtpAddr); err != nil || port == "" {
			return web.RateLimits{}, fmt.Errorf("--smtp-addr %q must be HOST:PORT, e.g. smtp.partnership.example:587", a.smtpAddr)
		}
		if _, err := mail.ParseAddress(a.smtpFrom); err != nil {
			return web.RateLimits{}, fmt.Errorf("--smtp-from %q is not an email address (e.g. Waymark <waymark@partnership.example>): %v", a.smtpFrom, err)
		}
		if a.smtpTimeout < time.Second || a.smtpTimeout > 5*time.Minute {
			return web.RateLimits{}, fmt.Errorf("--smtp-timeout must be between 1s and 5m, not %s", a.smtpTimeout)
		}
		svc.Access.Mailer = &notify.Mailer{Addr: a.smtpAddr, From: a.smtpFrom, Username: a.smtpUsername, Password: c.secret("WAYMARK_SMTP_PASSWORD"),
			Timeout: a.smtpTimeout}
	} else if a.smtpFrom != "" || a.smtpUsername != "" {
		return web.RateLimits{}, errors.New("--smtp-from and --smtp-username are set but --smtp-addr is not, so no alert email would be sent: give --smtp-addr too")
	}
	if a.oidcConfig != "" {
		data, err := os.ReadFile(a.oidcConfig)
		if err != nil {
			return web.RateLimits{}, fmt.Errorf("--oidc-config: %w", err)
		}
		o, err := casework.ParseOIDCConfig(data, c.secret("WAYMARK_OIDC_CLIENT_SECRET"))
		if err != nil {
			return web.RateLimits{}, err
		}
		svc.Access.OIDC = o
		log.Info("single sign-on is on", "issuer", o.Provider.Issuer, "mappings", len(o.Mappings))
	}
	limits := web.RateLimits{ClientIPHeader: a.clientIPHeader}
	if a.signInPerMin > 0 {
		limits.SignInPerIP = web.NewLimiter(a.signInPerMin, a.signInPerMin)
		// Bearer tokens that match nothing are guesses too: as many a minute per address.
		limits.BearerFailuresPerIP = web.NewLimiter(a.signInPerMin, a.signInPerMin)
	}
	if a.accountPerMin > 0 {
		log.Warn("--account-rate-limit is no longer used: failed sign-ins are throttled per account and address in the database")
	}
	if a.apiPerMin > 0 {
		limits.APIPerToken = web.NewLimiter(a.apiPerMin, max(a.apiPerMin/4, 10))
	}
	return limits, nil
}

// runAlertMailer sends alert emails in the background until ctx ends: at
// once after a grant, and every minute (or every claim lease, if shorter) to
// retry and to take over an email a stopped replica had claimed.
func runAlertMailer(ctx context.Context, bg *sync.WaitGroup, svc *casework.Service) {
	if svc.Access.Mailer != nil {
		bg.Go(func() { svc.RunAlertMailer(ctx, min(time.Minute, svc.AlertEmailLease())) })
	}
}

// runTOTP prints the code an authenticator app shows now for a secret (the
// demo's by default): for trying the demo without a phone.
func runTOTP(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("totp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	secret := fs.String("secret", demo.TOTPSecret, "the base32 secret (default: the demo users' secret)")
	if _, err := parseFlags(fs, args, nil); err != nil {
		return err
	}
	now := time.Now()
	code, err := access.TOTP(*secret, now)
	if err != nil {
		return err
	}
	left := access.TOTPPeriod - time.Duration(now.Unix()%int64(access.TOTPPeriod/time.Second))*time.Second
	fmt.Fprintf(stdout, "%s (for another %d seconds)\n", code, int(left.Seconds()))
	return nil
}
