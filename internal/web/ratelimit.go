package web

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"waymark/internal/access"
)

// RateLimits slow down guessing and flooding. Each is a token bucket per
// key in this process's memory: with several replicas behind a load
// balancer, a client meets each replica's limit separately
// (docs/operations.md). A nil limiter means no limit.
type RateLimits struct {
	SignInPerIP      *access.Limiter // every sign-in step (password, code, set-up, single sign-on), per client address
	SignInPerAccount *access.Limiter // password attempts per email address
	APIPerToken      *access.Limiter // API requests per bearer token
	// ClientIPHeader names the header in which a trusted proxy puts the
	// client's address (X-Forwarded-For: its last entry is used). Empty:
	// the connection's address.
	ClientIPHeader string
}

// clientIP is the address rate limits count by.
func (s *Server) clientIP(r *http.Request) string {
	if h := s.limits.ClientIPHeader; h != "" {
		if v := r.Header.Get(h); v != "" {
			parts := strings.Split(v, ",")
			return strings.TrimSpace(parts[len(parts)-1]) // the entry the proxy itself added
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

// rateLimited applies the per-address sign-in limit and the per-token API
// limit; it answers 429 with Retry-After and reports true when over either.
func (s *Server) rateLimited(w http.ResponseWriter, r *http.Request) bool {
	if isSignInStep(r) {
		if ok, wait := s.limits.SignInPerIP.Allow("ip:" + s.clientIP(r)); !ok {
			s.tooMany(w, r, wait, "Too many sign-in attempts from your network. Wait "+waitText(wait)+", then try again.")
			return true
		}
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		if scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(token) != "" {
			// Keyed by the token's hash: the limiter's memory holds no usable token.
			if ok, wait := s.limits.APIPerToken.Allow("token:" + access.HashToken(strings.TrimSpace(token))); !ok {
				s.tooMany(w, r, wait, "Too many requests with this token. Wait "+waitText(wait)+", then try again.")
				return true
			}
		}
	}
	return false
}

// allowAccount applies the per-account limit to a password attempt.
func (s *Server) allowAccount(w http.ResponseWriter, r *http.Request, email string) bool {
	key := "account:" + strings.ToLower(strings.TrimSpace(email))
	if ok, wait := s.limits.SignInPerAccount.Allow(key); !ok {
		s.tooMany(w, r, wait, "Too many attempts to sign in to this account. Wait "+waitText(wait)+", then try again.")
		return false
	}
	return true
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

func waitText(d time.Duration) string {
	if d < time.Minute {
		return strconv.Itoa(int(d.Seconds())) + " seconds"
	}
	m := int((d + time.Minute - 1) / time.Minute)
	if m == 1 {
		return "a minute"
	}
	return strconv.Itoa(m) + " minutes"
}
