package web

import (
	"net/http"

	"waymark/internal/web/assets"
)

// Contact is the partnership's help and contact details, shown on the help
// page every page's footer links to (GOV.UK Service Standard, point 3:
// people can get help when they need it). Empty fields are not shown.
type Contact struct {
	Name  string // who answers, e.g. the partnership's business support team
	Email string
	Phone string
	Hours string // when the phone is answered, e.g. "Monday to Friday, 9am to 5pm"
}

// Set reports whether any detail is given.
func (c Contact) Set() bool { return c.Name != "" || c.Email != "" || c.Phone != "" }

func (s *Server) handleHelp(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "help", Page{Title: "Help and contact", Data: s.contact})
}

// icon serves one of the service's icons from the assets with its content
// type and a day's caching: browsers ask for /favicon.ico on every page
// whatever the layout links, and the icons change rarely (a day's cache is
// short enough for a new one to arrive by the next working day).
func icon(name, contentType string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := assets.FS.ReadFile("icons/" + name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Write(b)
	})
}
