package main

import (
	"errors"
	"flag"
	"fmt"
	"time"

	"waymark/internal/casework"
)

// sessionConfig is how long a session lasts, when its pages warn that it
// is ending, and how long the answers of a form posted after it ended are
// kept (docs/operations.md "Sessions and the time-out warning").
type sessionConfig struct {
	idle, lifetime, warning, keepAnswers time.Duration
}

func (c *config) sessionFlags(fs *flag.FlagSet) {
	s := &c.session
	fs.DurationVar(&s.idle, "session-idle", 30*time.Minute,
		"sign a person out after this long without activity (5m to 24h) (WAYMARK_SESSION_IDLE)")
	fs.DurationVar(&s.lifetime, "session-lifetime", 12*time.Hour,
		"sign a person out this long after they signed in, whatever they do (at least --session-idle, at most 7 days) (WAYMARK_SESSION_LIFETIME)")
	fs.DurationVar(&s.warning, "session-warning", casework.DefaultSessionWarning,
		"how long before the session ends each page warns, with a way to stay signed in (1m to less than --session-idle) (WAYMARK_SESSION_WARNING)")
	fs.DurationVar(&s.keepAnswers, "keep-answers", casework.DefaultSavedAnswersFor,
		"how long the answers of a form posted after its session ended are kept, sealed, for the person to sign in again (1h to 7 days) (WAYMARK_KEEP_ANSWERS)")
}

// checkSessions refuses session limits that cannot be meant, every one at
// once: for serve before it opens the database, and for check.
func (c *config) checkSessions() error {
	s := c.session
	var errs []error
	if s.idle < 5*time.Minute || s.idle > 24*time.Hour {
		errs = append(errs, fmt.Errorf("--session-idle must be between 5m and 24h, not %s", s.idle))
	}
	if s.lifetime < s.idle || s.lifetime > 7*24*time.Hour {
		errs = append(errs, fmt.Errorf("--session-lifetime must be at least --session-idle (%s) and at most 7 days (168h), not %s", s.idle, s.lifetime))
	}
	// WCAG 2.2.1: at least 20 seconds to act on the warning; a minute here.
	if s.warning < time.Minute || s.warning >= s.idle {
		errs = append(errs, fmt.Errorf("--session-warning must be at least 1m and less than --session-idle (%s), not %s", s.idle, s.warning))
	}
	if s.keepAnswers < time.Hour || s.keepAnswers > 7*24*time.Hour {
		errs = append(errs, fmt.Errorf("--keep-answers must be between 1h and 7 days (168h), not %s", s.keepAnswers))
	}
	return errors.Join(errs...)
}

// applySessions gives the service the session limits checkSessions passed.
func (c *config) applySessions(svc *casework.Service) {
	svc.SessionIdle, svc.SessionAbsolute = c.session.idle, c.session.lifetime
	svc.SessionWarning, svc.SavedAnswersFor = c.session.warning, c.session.keepAnswers
}
