package web

import (
	"io/fs"
	"net/http"

	"waymark/internal/web/assets"
)

// routes is the map of the service: every page and API operation.
func (s *Server) routes(mux *http.ServeMux) {
	static, _ := fs.Sub(assets.FS, ".")
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(static)))
	mux.Handle("GET /healthz", s.handleHealthz())
	mux.Handle("GET /readyz", s.handleReadyz())
	mux.Handle("GET /metrics", s.handleMetrics())

	// Pages.
	mux.Handle("GET /sign-in", s.handleSignInForm())
	mux.Handle("POST /sign-in", s.handleSignIn())
	mux.Handle("POST /sign-out", s.page(s.handleSignOut))
	mux.Handle("GET /{$}", s.page(s.handleHome))
	mux.Handle("GET /concerns/new", s.page(s.handleConcernStart))
	mux.Handle("POST /concerns", s.page(s.handleConcernCreate))
	mux.Handle("GET /concerns/{draft}", s.page(s.handleConcernTasks))
	mux.Handle("GET /concerns/{draft}/check", s.page(s.handleConcernCheck))
	mux.Handle("POST /concerns/{draft}/check", s.page(s.handleConcernSubmit))
	mux.Handle("GET /concerns/{draft}/{step}", s.page(s.handleConcernStep))
	mux.Handle("POST /concerns/{draft}/{step}", s.page(s.handleConcernStepSave))
	mux.Handle("GET /inbox", s.page(s.handleInbox))
	mux.Handle("GET /cases", s.page(s.handleCases))
	mux.Handle("GET /escalations", s.page(s.handleEscalations))
	mux.Handle("GET /my-work", s.page(s.handleMyWork))
	mux.Handle("GET /cases/{id}", s.page(s.handleCase))
	mux.Handle("GET /cases/{id}/contact", s.page(s.handleContactForm))
	mux.Handle("POST /cases/{id}/contact", s.page(s.handleContact))
	mux.Handle("GET /cases/{id}/outcome", s.page(s.handleOutcomeForm))
	mux.Handle("POST /cases/{id}/outcome", s.page(s.handleOutcome))
	mux.Handle("GET /cases/{id}/actions/{action}", s.page(s.handleActionForm))
	mux.Handle("POST /cases/{id}/actions/{action}", s.page(s.handleAction))
	mux.Handle("GET /admin/interpreters", s.page(s.handleInterpreters))
	mux.Handle("POST /admin/interpreters", s.page(s.handleInterpreterAdd))
	mux.Handle("GET /accessibility", http.HandlerFunc(s.handleStatic("accessibility", "Accessibility statement")))
	mux.Handle("GET /privacy", http.HandlerFunc(s.handleStatic("privacy", "Privacy notice")))

	// JSON API.
	mux.Handle("GET /api/v1/openapi.json", s.handleOpenAPI())
	mux.Handle("POST /api/v1/sessions", s.handleAPISignIn())
	mux.Handle("DELETE /api/v1/sessions/current", s.api(s.handleAPISignOut))
	mux.Handle("GET /api/v1/catalog", s.api(s.handleAPICatalog))
	mux.Handle("GET /api/v1/cases", s.api(s.handleAPICases))
	mux.Handle("POST /api/v1/cases", s.api(s.handleAPIRaiseConcern))
	mux.Handle("GET /api/v1/cases/{id}", s.api(s.handleAPICase))
	mux.Handle("POST /api/v1/cases/{id}/contact", s.api(s.handleAPIContact))
	mux.Handle("POST /api/v1/cases/{id}/outcome", s.api(s.handleAPIOutcome))
	mux.Handle("POST /api/v1/cases/{id}/actions/{action}", s.api(s.handleAPIAction))
	mux.Handle("GET /api/v1/inbox", s.api(s.handleAPIInbox))
	mux.Handle("GET /api/v1/my-work", s.api(s.handleAPIMyWork))
	mux.Handle("POST /api/v1/tokens", s.api(s.handleAPICreateToken))
	mux.Handle("/api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.problem(w, r, http.StatusNotFound, "There is no API operation at "+r.Method+" "+r.URL.Path+". See /api/v1/openapi.json.", nil)
	}))
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, "If you typed the web address, check it is correct. If you followed a link to a case, you may not be a member of it.")
	}))
}

func (s *Server) handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
}

func (s *Server) handleReadyz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := s.db.Ping(r.Context()); err != nil {
			s.log.Error("not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("database unavailable\n"))
			return
		}
		w.Write([]byte("ready\n"))
	})
}
