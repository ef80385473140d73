package web

import (
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/casework"
)

// RateLimits slow down flooding. Each is a token bucket per key
// (golang.org/x/time/rate) in this process's memory: with several replicas
// behind a load balancer, a client meets each replica's limit separately,
// which docs/security.md explains is acceptable for these two. Guessing
// passwords and codes is slowed by the sign-in throttle, kept in the
// database for every replica (casework/throttle.go). A nil limiter means no
// limit.
type RateLimits struct {
	SignInPerIP *Limiter // every sign-in step (password, code, set-up, single sign-on), per client address
	APIPerToken *Limiter // API requests per bearer token that authenticated
	// BearerFailuresPerIP counts bearer tokens that matched nothing, per
	// client address: once its bucket is empty, every bearer request from
	// that address is answered 429 before the database is asked.
	BearerFailuresPerIP *Limiter
	// ClientIPHeader names the header in which a trusted proxy puts the
	// client's address (X-Forwarded-For: its last entry is used). Empty:
	// the connection's address.
	ClientIPHeader string
}

// Limiter keeps a rate.Limiter per key: perMinute requests a minute in
// bursts of up to burst. Now is its clock (tests move it).
type Limiter struct {
	Limit rate.Limit
	Burst int
	Now   func() time.Time
	Max   int // keys kept at most; beyond it, the idle ones are dropped

	mu   sync.Mutex
	keys map[string]*rate.Limiter
}

// NewLimiter allows perMinute requests a minute per key, in bursts of up to burst.
func NewLimiter(perMinute, burst int) *Limiter {
	return &Limiter{Limit: rate.Limit(float64(perMinute) / 60), Burst: burst, Now: time.Now, Max: 100_000}
}

// Allow takes a token from key's bucket. When it is empty it returns false
// and how long until a token is back, in whole seconds (for Retry-After).
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	if l == nil || l.Limit <= 0 {
		return true, 0
	}
	now := l.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.keys == nil {
		l.keys = map[string]*rate.Limiter{}
	}
	lim, found := l.keys[key]
	if !found {
		if len(l.keys) >= l.Max {
			l.sweep(now)
		}
		lim = rate.NewLimiter(l.Limit, l.Burst)
		l.keys[key] = lim
	}
	if lim.AllowN(now, 1) {
		return true, 0
	}
	r := lim.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	r.CancelAt(now) // only asking how long: the refused request takes no token
	secs := max(1, int((wait+time.Second-1)/time.Second))
	return false, time.Duration(secs) * time.Second
}

// Refund gives key's bucket back the token one request took (never above
// its burst): for a request that turned out not to be what the limit is
// for, such as a successful sign-in step.
func (l *Limiter) Refund(key string) {
	if l == nil || l.Limit <= 0 {
		return
	}
	now := l.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if lim, found := l.keys[key]; found {
		// A negative count adds a token; the bucket is capped at its burst
		// again at the next request (TestARefundGivesBackOneRequestAndNoMore).
		lim.AllowN(now, -1)
	}
}

// Over reports whether key's bucket is empty, and how long until a token
// is back, without taking a token or making a bucket for a key it has not
// seen (so asking costs no memory).
func (l *Limiter) Over(key string) (bool, time.Duration) {
	if l == nil || l.Limit <= 0 {
		return false, 0
	}
	now := l.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, found := l.keys[key]
	if !found || lim.TokensAt(now) >= 1 {
		return false, 0
	}
	r := lim.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	r.CancelAt(now)
	secs := max(1, int((wait+time.Second-1)/time.Second))
	return true, time.Duration(secs) * time.Second
}

// sweep drops the buckets that have refilled (whose keys have been quiet);
// if every bucket is busy it starts afresh rather than grow without bound.
func (l *Limiter) sweep(now time.Time) {
	for k, lim := range l.keys {
		if lim.TokensAt(now) >= float64(l.Burst) {
			delete(l.keys, k)
		}
	}
	if len(l.keys) >= l.Max {
		clear(l.keys)
	}
}

// clientIP is the address rate limits and the sign-in throttle count by.
func (s *Server) clientIP(r *http.Request) string {
	if h := s.limits.ClientIPHeader; h != "" {
		if v := r.Header.Get(h); v != "" {
			parts := strings.Split(v, ",")
			last := strings.TrimSpace(parts[len(parts)-1]) // the entry the proxy itself added
			// Only an address: anything else did not come from the proxy, and
			// would become a sign-in throttle key and a log field of the
			// sender's choosing.
			if ip, err := netip.ParseAddr(last); err == nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// isSignInStep: the requests that try a credential without a session.
func isSignInStep(r *http.Request) bool {
	p := r.URL.Path
	return (r.Method == http.MethodPost && (p == "/sign-in" || strings.HasPrefix(p, "/sign-in/") || p == "/api/v1/sessions")) ||
		strings.HasPrefix(p, "/sign-in/sso")
}

// rateLimited applies the per-address sign-in limit; it answers 429 with
// Retry-After and reports true when over it. The API's limits — failed
// bearer tokens per address, requests per token — are applied where the
// token is checked (bearerLimited, api.go).
func (s *Server) rateLimited(w http.ResponseWriter, r *http.Request) bool {
	if isSignInStep(r) {
		if ok, wait := s.limits.SignInPerIP.Allow("ip:" + casework.SourceKey(s.clientIP(r))); !ok {
			s.tooMany(w, r, wait, "Too many sign-in attempts from your network. Wait "+casework.WaitText(wait)+", then try again.")
			return true
		}
	}
	return false
}

// signInSucceeded gives a sign-in step that succeeded (a form or API call
// answered below 400) its request back. The per-address limit sheds floods
// of failures; an office whose fifty staff sign in at nine from one address
// must never meet it, so successes do not count, as in the database
// throttle (casework/throttle.go). Nor does a step the database was too
// busy to take (503, waymark.EBUSY): nothing was checked, and a client
// that tries again after its Retry-After must not spend the minute's
// allowance doing so.
func (s *Server) signInSucceeded(status int, r *http.Request) {
	if r.Method == http.MethodPost && isSignInStep(r) && (status < 400 || status == http.StatusServiceUnavailable) {
		s.limits.SignInPerIP.Refund("ip:" + casework.SourceKey(s.clientIP(r)))
	}
}

// busyRetryAfter is what a write refused as busy (waymark.EBUSY) asks the
// client to wait before trying again, in seconds: another write held the
// database's lock for the whole busy wait, so the lock is usually free
// again within moments.
const busyRetryAfter = "2"

// setRetryAfter adds Retry-After to the answer of a throttled sign-in, or
// of a request the database was too busy to take.
func setRetryAfter(w http.ResponseWriter, err error) {
	if wait, ok := casework.RetryAfter(err); ok {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int((wait+time.Second-1)/time.Second))))
		return
	}
	if waymark.ErrorCode(err) == waymark.EBUSY {
		w.Header().Set("Retry-After", busyRetryAfter)
	}
}

// tooMany answers 429: a problem document for the API, a page for people.
func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration, msg string) {
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())))
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.problem(w, r, http.StatusTooManyRequests, msg, nil)
		return
	}
	s.render(w, r, http.StatusTooManyRequests, "error", Page{Title: "Too many attempts",
		Data: map[string]string{"Heading": "Too many attempts", "Message": msg, "RequestID": requestID(r.Context())}})
}

// bearerLimited refuses, with 429 and Retry-After, a bearer request from an
// address that has sent too many tokens that matched nothing: before the
// database is asked, so guessing tokens costs the guesser, not Waymark.
func (s *Server) bearerLimited(w http.ResponseWriter, r *http.Request) bool {
	if over, wait := s.limits.BearerFailuresPerIP.Over("ip:" + s.clientIP(r)); over {
		s.tooMany(w, r, wait, "Too many requests with tokens that are not valid from your network. Wait "+casework.WaitText(wait)+", then try again.")
		return true
	}
	return false
}

// bearerFailed counts a bearer token that matched nothing against its address.
func (s *Server) bearerFailed(r *http.Request) {
	s.limits.BearerFailuresPerIP.Allow("ip:" + s.clientIP(r))
}

// tokenLimited applies the per-token API limit to a token that
// authenticated, keyed by its hash: the limiter's memory holds no usable
// token, and an unknown token makes no bucket.
func (s *Server) tokenLimited(w http.ResponseWriter, r *http.Request, token string) bool {
	if ok, wait := s.limits.APIPerToken.Allow("token:" + access.HashToken(token)); !ok {
		s.tooMany(w, r, wait, "Too many requests with this token. Wait "+casework.WaitText(wait)+", then try again.")
		return true
	}
	return false
}
