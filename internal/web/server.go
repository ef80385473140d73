// Package web serves Waymark's HTML pages (GOV.UK Design System patterns,
// usable without JavaScript) and its JSON API under /api/v1, both over the
// same use cases.
package web

import (
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"waymark/internal/casework"
	"waymark/internal/catalog"
	"waymark/internal/store"
)

// Config is what the server needs from its environment.
type Config struct {
	Service      *casework.Service
	DB           *store.DB
	Catalog      *catalog.Catalog
	Log          *slog.Logger
	Now          func() time.Time
	SecureCookie bool // set the Secure flag and HSTS: true whenever served over TLS or behind a TLS proxy
	MaxBodyBytes int64
	Limits       RateLimits // sign-in and API rate limits (ratelimit.go); none when zero
	// Ready is what /readyz asks besides the database and the master keys (ready.go).
	Ready []*ReadyCheck
	// MetricsToken, when set, is the bearer token /metrics asks for, and
	// /metrics is then served on the main listener too; without it /metrics
	// there is 404 and MetricsHandler serves a listener of its own (metrics.go).
	MetricsToken []byte
	// Contact is the partnership's help and contact details (help.go).
	Contact Contact
	// DemoMail is the demo's mail catcher, shown on /demo/mail; nil
	// outside the demo, and the page is then not there (reminders.go).
	DemoMail *DemoMail
	// HashTiming: an answer that checked a password says how long the
	// hash took in a Server-Timing header (middleware.go), for load runs.
	// Off unless asked for: it lets a caller set the time of the rest of a
	// sign-in apart from the hash's, and so compare accounts.
	HashTiming bool
}

// Server is the HTTP face of Waymark.
type Server struct {
	actions *actionSet // every case action, built by newActionSet
	svc     *casework.Service
	db      *store.DB
	cat     *catalog.Catalog
	log     *slog.Logger
	now     func() time.Time
	secure  bool
	maxBody int64
	limits  RateLimits
	pages   *template.Template // every page and partial (render.go)
	metrics *metrics
	handler http.Handler
	ready   []*ReadyCheck

	metricsToken []byte
	contact      Contact
	demoMail     *DemoMail
	hashTiming   bool
}

// NewServer wires the routes and middleware.
func NewServer(cfg Config) (*Server, error) {
	s := &Server{
		svc: cfg.Service, db: cfg.DB, cat: cfg.Catalog, log: cfg.Log, now: cfg.Now,
		secure: cfg.SecureCookie, maxBody: cfg.MaxBodyBytes, limits: cfg.Limits,
		metricsToken: cfg.MetricsToken, contact: cfg.Contact, demoMail: cfg.DemoMail, hashTiming: cfg.HashTiming,
	}
	s.ready = append([]*ReadyCheck{s.masterKeysCheck()}, cfg.Ready...)
	if s.now == nil {
		s.now = time.Now
	}
	if s.maxBody == 0 {
		s.maxBody = 1 << 20
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.metrics = newMetrics(s)
	if s.db != nil {
		s.db.SetTimings(s.metrics)
	}
	s.actions = newActionSet()
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	mux := http.NewServeMux()
	s.routes(mux)
	s.handler = s.middleware(mux)
	return s, nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }
