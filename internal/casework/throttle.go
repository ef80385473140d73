package casework

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"waymark"
	"waymark/internal/store"
)

// Sign-in throttling. Failed attempts (wrong passwords, wrong codes of the
// second step, wrong answers to a re-authentication) are counted in the
// database, so every replica sees them, under several keys at once:
//
//   - the account from one source address: the guesser's own door. It slows
//     quickly and far (exponential, capped), yet a colleague at another
//     address does not share it, so a stranger cannot lock anyone out;
//   - the account from anywhere: a ceiling against guessing spread over many
//     addresses. It only slows (its cap is short) and leaves alone an address
//     the account has signed in from before;
//   - the source address, whatever accounts it tries: at most Source.Free
//     failures an hour (--sign-in-address-limit), in fixed one-hour windows,
//     so that a council office whose fifty staff sign in from one address,
//     and mistype now and then, is never held back (successes never count),
//     while one wrong password sprayed across many accounts is stopped at
//     the limit until the hour is up. Like the ceiling, it leaves alone an
//     account that has signed in from the address before, while that
//     account has made fewer than AccountSource.Free failures from it, so
//     one failing machine in the office cannot lock the office out;
//   - the session, for re-authentication: enough wrong answers end it.
//
// Keys are made from the email address as typed, never from whether an
// account has it, so an unknown address is throttled exactly as a real one
// and a throttled answer tells nothing about who has an account.

// ThrottleRule says how failures under one key slow the next attempt: the
// first Free are free; the next waits Base, each one after doubles it, up to
// Max. Counts are forgotten Forget after the last failure.
type ThrottleRule struct {
	Free      int
	Base, Max time.Duration
	Forget    time.Duration
	// Window, when set, makes the rule a limit: Free failures in a fixed
	// window of this length, counted from the first failure; after the
	// Free-th, attempts wait until the window ends, and then the count
	// starts again. Base, Max and Forget are not used.
	Window time.Duration
}

// Delay is how long to refuse attempts after the n-th failure.
func (r ThrottleRule) Delay(n int) time.Duration {
	if r.Base <= 0 || n < r.Free {
		return 0
	}
	d := r.Base
	for i := r.Free; i < n && d < r.Max; i++ {
		d *= 2
	}
	return min(d, r.Max)
}

// ThrottlePolicy is the set of rules.
type ThrottlePolicy struct {
	AccountSource ThrottleRule  // one account from one address
	Account       ThrottleRule  // one account from any address: slows, never locks
	Source        ThrottleRule  // one address, any accounts
	Session       int           // wrong re-authentications that end the session
	KnownFor      time.Duration // how long an address that signed in is spared the account-wide ceiling
}

// DefaultThrottle: five free guesses from one address, then 30 s, 1 min, 2
// min … up to 15 minutes between guesses; across every address an account
// is slowed after twenty failures, by at most a minute; one address may
// fail DefaultAddressLimit times an hour, whatever accounts it tries.
var DefaultThrottle = ThrottlePolicy{
	AccountSource: ThrottleRule{Free: 5, Base: 30 * time.Second, Max: 15 * time.Minute, Forget: 24 * time.Hour},
	Account:       ThrottleRule{Free: 20, Base: time.Second, Max: time.Minute, Forget: 24 * time.Hour},
	Source:        ThrottleRule{Free: DefaultAddressLimit, Window: time.Hour},
	Session:       5,
	KnownFor:      90 * 24 * time.Hour,
}

// DefaultAddressLimit is how many failed sign-ins one address (an IPv4
// address, or an IPv6 /64) may make in an hour before it must wait for the
// hour to end. Successful sign-ins do not count: fifty people of one office
// who each mistype once in the same hour stay well within it.
const DefaultAddressLimit = 100

// SetAddressLimit sets how many failed sign-ins one address may make in an
// hour (--sign-in-address-limit); it must be at least 1.
func (p *ThrottlePolicy) SetAddressLimit(n int) error {
	if n < 1 || n > 1_000_000 {
		return fmt.Errorf("the sign-in address limit must be a whole number of failed sign-ins an hour from 1 to 1000000, not %d", n)
	}
	p.Source = ThrottleRule{Free: n, Window: time.Hour}
	return nil
}

type sourceKey struct{}

// WithSource records the client's address (as the web layer trusts it) for
// the sign-in throttle.
func WithSource(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, sourceKey{}, addr)
}

// sourceOf is the client's address as the throttle counts it (SourceKey).
func sourceOf(ctx context.Context) string {
	a, _ := ctx.Value(sourceKey{}).(string)
	return SourceKey(a)
}

// SourceKey is a client address as every sign-in limit counts it: an IPv6
// address by its /64, the block one subscriber is usually given (they can
// change the rest at will), an IPv4 address whole. The in-memory request
// limits and the database throttle both use it, so neither can be dodged by
// walking a /64.
func SourceKey(a string) string {
	if a == "" {
		return "unknown"
	}
	if ip, err := netip.ParseAddr(a); err == nil {
		ip = ip.Unmap()
		if ip.Is6() {
			if p, err := ip.Prefix(64); err == nil {
				return p.String()
			}
		}
		return ip.String()
	}
	return a
}

// Throttled is the cause of a throttled answer: how long to wait.
type Throttled struct{ Wait time.Duration }

func (t *Throttled) Error() string { return "throttled for " + t.Wait.String() }

// RetryAfter reports how long a throttled answer asks the client to wait.
func RetryAfter(err error) (time.Duration, bool) {
	var t *Throttled
	if errors.As(err, &t) {
		return t.Wait, true
	}
	return 0, false
}

func throttledError(wait time.Duration, field string) error {
	wait = wait.Round(time.Second)
	if wait < time.Second {
		wait = time.Second
	}
	msg := "Too many failed attempts to sign in. Wait " + WaitText(wait) + ", then try again."
	return &waymark.Error{Code: waymark.ETOOMANY, Message: msg, Err: &Throttled{Wait: wait},
		Fields: []waymark.FieldError{{Field: field, Message: msg}}}
}

// WaitText says a wait in words: "30 seconds", "a minute", "4 minutes".
func WaitText(d time.Duration) string {
	if d <= time.Second {
		return "a second"
	}
	if d < time.Minute {
		return strconv.Itoa(int((d+time.Second-1)/time.Second)) + " seconds"
	}
	m := int((d + time.Minute - 1) / time.Minute)
	if m == 1 {
		return "a minute"
	}
	return strconv.Itoa(m) + " minutes"
}

func hashKey(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:])
}

// throttleKeys are the keys one attempt counts under.
type throttleKeys struct {
	account, accountSource, source, known string
}

func (s *Service) throttleKeys(ctx context.Context, email string) throttleKeys {
	e, src := strings.ToLower(strings.TrimSpace(email)), sourceOf(ctx)
	return throttleKeys{
		account:       hashKey("account", e),
		accountSource: hashKey("account-source", e, src),
		source:        hashKey("source", src),
		known:         hashKey("known", e, src),
	}
}

// throttled returns how long the attempt must wait, 0 when it may go ahead.
func (s *Service) throttled(tx *store.Tx, k throttleKeys, now time.Time) (time.Duration, error) {
	known, err := tx.Throttle(k.known, now)
	if err != nil {
		return 0, err
	}
	own, err := tx.Throttle(k.accountSource, now)
	if err != nil {
		return 0, err
	}
	var keys []string
	switch {
	case !known.Present:
		keys = append(keys, k.source, k.account)
	case own.Failures >= s.Throttle.AccountSource.Free:
		// The address limit spares an account that signs in from this
		// address (one machine failing at a council office's shared address
		// must not keep out the colleagues who sign in from it every day),
		// but only for its free failures: a guesser in the office gets no
		// more than those against each colleague before the limit applies.
		keys = append(keys, k.source)
	}
	wait := time.Duration(0)
	if own.BlockedUntil != nil && now.Before(*own.BlockedUntil) {
		wait = own.BlockedUntil.Sub(now)
	}
	for _, key := range keys {
		st, err := tx.Throttle(key, now)
		if err != nil {
			return 0, err
		}
		if st.BlockedUntil != nil && now.Before(*st.BlockedUntil) {
			wait = max(wait, st.BlockedUntil.Sub(now))
		}
	}
	return wait, nil
}

// countFailure counts a failed attempt under every key and blocks the keys
// whose rule says so. The answer to this attempt is not changed: only the
// next one is held back.
func (s *Service) countFailure(tx *store.Tx, k throttleKeys, now time.Time) error {
	p := s.Throttle
	for _, r := range []struct {
		key, account string
		rule         ThrottleRule
	}{{k.accountSource, k.account, p.AccountSource}, {k.source, "", p.Source}, {k.account, k.account, p.Account}} { // the order throttled reads them in
		if r.rule.Window > 0 {
			n, ends, err := tx.RecordThrottleFailureInWindow(r.key, r.account, now, now.Add(r.rule.Window))
			if err != nil {
				return err
			}
			if n >= r.rule.Free {
				if err := tx.BlockThrottle(r.key, ends); err != nil {
					return err
				}
			}
			continue
		}
		n, err := tx.RecordThrottleFailure(r.key, r.account, now, now.Add(max(r.rule.Forget, time.Minute)))
		if err != nil {
			return err
		}
		if d := r.rule.Delay(n); d > 0 {
			if err := tx.BlockThrottle(r.key, now.Add(d)); err != nil {
				return err
			}
		}
	}
	return tx.PruneThrottle(now)
}

// countSuccess clears the failures of this account from this address and
// remembers the address, which the account-wide ceiling then spares.
func (s *Service) countSuccess(tx *store.Tx, k throttleKeys, now time.Time) error {
	if err := tx.ClearThrottle(k.accountSource); err != nil {
		return err
	}
	return tx.MarkThrottle(k.known, k.account, now, now.Add(s.Throttle.KnownFor))
}

// ClearThrottleFor forgets the failures counted against an email address:
// for an administrator resetting a password.
func ClearThrottleFor(tx *store.Tx, email string) error {
	return tx.ClearAccountThrottle(hashKey("account", strings.ToLower(strings.TrimSpace(email))))
}
