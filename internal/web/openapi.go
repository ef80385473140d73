package web

import (
	_ "embed"
	"net/http"
)

// openAPIDoc describes the JSON API (OpenAPI 3.1); a test checks that every
// /api/v1 route is in it and every path in it is routed.
//
//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) handleOpenAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openAPIDoc)
	})
}
