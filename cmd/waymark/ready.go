package main

import (
	"context"
	"log/slog"
	"time"

	"waymark/internal/casework"
	"waymark/internal/notify"
	"waymark/internal/web"
)

// Readiness at start (docs/operations.md "Readiness"): what /readyz asks
// besides the database and the master keys (which internal/web asks by
// itself), checked once as `serve` starts so that a relay that does not
// answer is a warning in the start-up log, not a surprise at the first alert.

// smtpReadyCheck asks whether the SMTP relay answers (connect, EHLO, QUIT).
func smtpReadyCheck(m *notify.Mailer) *web.ReadyCheck {
	return &web.ReadyCheck{Name: "smtp", Failed: "the SMTP relay for alert emails does not answer", Check: m.Probe}
}

// readyChecks are the checks /readyz adds for this configuration, each run
// once now; one that fails is logged as a warning naming what it checks.
func readyChecks(ctx context.Context, svc *casework.Service, log *slog.Logger) []*web.ReadyCheck {
	var checks []*web.ReadyCheck
	if m := svc.Access.Mailer; m != nil && m.Addr != "" {
		c := smtpReadyCheck(m)
		if err, _ := c.Result(ctx, time.Now()); err != nil {
			log.Warn("WARNING: the SMTP relay does not answer: alert emails will wait (and /readyz says not ready) until it does", "relay", m.Addr, "err", err)
		}
		checks = append(checks, c)
	}
	return checks
}
