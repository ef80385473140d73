package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"waymark"
	"waymark/internal/casework"
)

// accountError says what is wrong with a `user` or `org` command in the
// service's own words (casework checks them, as it does for the pages and
// the API): each field's problem, never a database message.
func accountError(err error) error {
	if err == nil || waymark.ErrorCode(err) == waymark.EINTERNAL {
		return err
	}
	fields := waymark.ErrorFields(err)
	if len(fields) == 0 {
		return errors.New(waymark.ErrorMessage(err))
	}
	msgs := make([]string, len(fields))
	for i, f := range fields {
		msgs[i] = "--" + flagOf(f.Field) + ": " + f.Message
	}
	return errors.New(strings.Join(msgs, "; "))
}

func flagOf(field string) string {
	if field == "organisation" {
		return "org"
	}
	return field
}

// staffConfig is the configuration of sign-in limits per address and of
// the re-checks of single sign-on sessions (docs/operations.md "Staff
// accounts").
type staffConfig struct {
	addressLimit int
	ssoRecheck   time.Duration
}

func (c *config) staffFlags(fs *flag.FlagSet) {
	s := &c.staff
	fs.IntVar(&s.addressLimit, "sign-in-address-limit", casework.DefaultAddressLimit,
		"failed sign-ins one client address (an IPv4 address or an IPv6 /64) may make in an hour, whatever accounts they are for, before it must wait for the hour to end; successful sign-ins do not count (WAYMARK_SIGN_IN_ADDRESS_LIMIT)")
	fs.DurationVar(&s.ssoRecheck, "sso-recheck", casework.DefaultSSORecheck,
		"with single sign-on, how often to ask the identity provider again whether each person signed in through it still has access (1m to 12h, or 0 for never); someone it no longer grants loses their sessions and API tokens (WAYMARK_SSO_RECHECK)")
}

// checkStaff refuses sign-in limits and re-check intervals that cannot be
// meant, every one at once: for serve before it opens the database, and
// for check.
func (c *config) checkStaff() error {
	var errs []error
	if err := (&casework.ThrottlePolicy{}).SetAddressLimit(c.staff.addressLimit); err != nil {
		errs = append(errs, fmt.Errorf("--sign-in-address-limit: %w", err))
	}
	if r := c.staff.ssoRecheck; r != 0 && (r < time.Minute || r > 12*time.Hour) {
		errs = append(errs, fmt.Errorf("--sso-recheck must be between 1m and 12h, or 0 for never, not %s", r))
	}
	return errors.Join(errs...)
}

// applyStaff configures the service's sign-in limits and single sign-on
// re-checks, and starts the re-checks' background sweep (every minute, for
// people who make no request) until ctx ends. serve has checked the
// settings (checkStaff) before it opened the database.
func (c *config) applyStaff(ctx context.Context, svc *casework.Service) error {
	if err := svc.Throttle.SetAddressLimit(c.staff.addressLimit); err != nil {
		return fmt.Errorf("--sign-in-address-limit: %w", err)
	}
	if svc.Access.OIDC != nil {
		svc.Access.OIDC.RecheckEvery = c.staff.ssoRecheck
		if c.staff.ssoRecheck > 0 {
			go svc.RunSingleSignOnRechecks(ctx, time.Minute)
		}
	}
	return nil
}
