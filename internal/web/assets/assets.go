// Package assets holds the static files Waymark serves under /assets/: the
// GOV.UK Frontend build (see scripts/refresh-govuk-frontend.sh) and Waymark's own CSS and JS.
package assets

import "embed"

// FS holds the files to serve under /assets/.
//
//go:embed VERSION govuk.css govuk-frontend.min.js waymark.css waymark.js nrm-copy.js nrm-autosave.js timeout.js list-autocomplete.js images icons
var FS embed.FS
