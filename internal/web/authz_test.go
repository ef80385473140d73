package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"waymark/internal/access"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// The authorization matrix: every route of the service (read from the
// source, so a route added later without an entry here fails the test) ×
// every kind of person × member, non-member and other organisation. It
// asserts that nothing is read or written without permission: each request
// gets the status its entry expects, a refused request changes nothing, and
// a person who is not a member of a case (or does not own a draft) gets an
// answer for the real id byte for byte the same, request id aside, as for a
// random id, so they cannot even learn that the case exists (§6.5).

// The people. The case of the matrix is raised by the teacher (the
// referrer); Children's Services (worker, social worker, manager, and the
// administrator, who sees no case data) is a member through its
// organisation; the teacher's colleague, the GP, the police First Responder
// lead and the partnership lead are not members. The machine client is a
// program owned by Children's Services with the write scope that no case's
// team has given access: it is a member of nothing, and its token opens no
// page (it meets every page as the anonymous do).
var authzPeople = []string{"anonymous", "referrer", "colleague", "gp", "cs-worker", "social-worker", "manager", "admin", "police-lead", "partnership-lead", "machine-client", "analyst"}

var (
	caseMembers = map[string]bool{"referrer": true, "cs-worker": true, "social-worker": true, "manager": true}
	draftOwners = map[string]bool{"referrer": true}
)

// statuses is the expected status for each person; "*" is everyone not named.
type statuses map[string]int

func (s statuses) for_(who string) int {
	if n, ok := s[who]; ok {
		return n
	}
	return s["*"]
}

// authzRoute is one route's entry: how to call it and what each person gets.
type authzRoute struct {
	method string
	path   string // {id}, {draft}, {action} and {csrf} are filled in
	form   url.Values
	json   any
	want   statuses
	// savesWhenRefused: a refusal that still saves what was sent, by design
	// (a concern page keeps its answers, valid or not, so nothing typed is
	// lost: §6.2). Only for those the entry allows (2xx/3xx or this status).
	savesWhenRefused int
	// upload: the form is sent as multipart/form-data with a small PNG as
	// its file part (documents.go).
	upload bool
}

// Helpers for the common shapes of entry.
func public(status int) statuses { return statuses{"*": status} }

// signedIn: a page for people who are signed in; the anonymous are sent to
// sign in (GET) or shown the sign-in page with their answers (POST, 401).
func signedIn(method string, everyone int, except statuses) statuses {
	s := statuses{"*": everyone, "anonymous": http.StatusSeeOther}
	if method != "GET" {
		s["anonymous"] = http.StatusUnauthorized
	}
	for k, v := range except {
		s[k] = v
	}
	return s
}

// bearer: an API operation; no token is 401.
func bearer(everyone int, except statuses) statuses {
	s := statuses{"*": everyone, "anonymous": http.StatusUnauthorized}
	for k, v := range except {
		s[k] = v
	}
	return s
}

// members: what a case's members get; everyone else gets 404.
func members(member int, except statuses) statuses {
	s := statuses{"*": http.StatusNotFound}
	for who := range caseMembers {
		s[who] = member
	}
	for k, v := range except {
		s[k] = v
	}
	return s
}

func owner(status int) statuses { return statuses{"*": http.StatusNotFound, "referrer": status} }

func merge(a, b statuses) statuses {
	out := statuses{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

const (
	ok        = http.StatusOK
	created   = http.StatusCreated
	noContent = http.StatusNoContent
	seeOther  = http.StatusSeeOther
	forbidden = http.StatusForbidden
	notFound  = http.StatusNotFound
	invalid   = http.StatusUnprocessableEntity
	unauth    = http.StatusUnauthorized
)

// authzRoutes has one entry for every route pattern registered in this
// package. A route without an entry fails TestEveryRouteHasAnAuthorizationEntry.
func authzRoutes() map[string]authzRoute {
	interpreter := url.Values{"name": {"Ana Interpreter"}, "languages": {"Albanian"}, "gender": {pathway.InterpreterGenders()[0].Value},
		"professional": {"yes"}, "approved": {"yes"}, "active": {"yes"}, "csrf_token": {"{csrf}"}}
	csrf := url.Values{"csrf_token": {"{csrf}"}}
	directoryForm := url.Values{"name": {"Modern Slavery Helpline"}, "kind": {"helpline"}, "lastChecked-day": {"1"}, "lastChecked-month": {"3"},
		"lastChecked-year": {"2026"}, "checkBeforeUse": {"no"}, "shown": {"shown"}, "csrf_token": {"{csrf}"}}
	directoryJSONBody := map[string]any{"name": "Modern Slavery Helpline", "kind": "helpline", "lastChecked": "2026-03-01", "checkBeforeUse": false}
	form := func(kv ...string) url.Values {
		f := url.Values{"csrf_token": {"{csrf}"}}
		for i := 0; i < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	// Children's Services decide on contacts; the referrer knows the case
	// but may not record Children's Services' decisions.
	csOnly := func(status int) statuses { return members(status, statuses{"referrer": forbidden}) }
	return map[string]authzRoute{
		// Open to everyone: nothing about any child.
		"GET /assets/":  {method: "GET", path: "/assets/govuk.css", want: public(ok)},
		"GET /healthz":  {method: "GET", path: "/healthz", want: public(ok)},
		"GET /readyz":   {method: "GET", path: "/readyz", want: public(ok)},
		"GET /metrics":  {method: "GET", path: "/metrics", want: public(notFound)}, // only with a token, or on a listener of its own (metrics.go)
		"GET /sign-in":  {method: "GET", path: "/sign-in", want: public(ok)},
		"POST /sign-in": {method: "POST", path: "/sign-in", form: url.Values{"email": {"nobody@nowhere.example"}, "password": {"not a password"}}, want: public(unauth)},
		// The second step of signing in needs the challenge cookie of the
		// first (mfa.go); single sign-on is not set up here (oidc.go).
		"GET /sign-in/code":         {method: "GET", path: "/sign-in/code", want: public(seeOther)},
		"POST /sign-in/code":        {method: "POST", path: "/sign-in/code", form: url.Values{"code": {"000000"}}, want: public(unauth)},
		"GET /sign-in/set-up":       {method: "GET", path: "/sign-in/set-up", want: public(seeOther)},
		"POST /sign-in/set-up":      {method: "POST", path: "/sign-in/set-up", form: url.Values{"code": {"000000"}}, want: public(unauth)},
		"GET /sign-in/sso":          {method: "GET", path: "/sign-in/sso", want: public(notFound)},
		"GET /sign-in/sso/callback": {method: "GET", path: "/sign-in/sso/callback?state=x&code=y", want: public(notFound)},
		"GET /sign-in/sso/confirm":  {method: "GET", path: "/sign-in/sso/confirm", want: signedIn("GET", notFound, nil)},
		// The provider's back-channel logout: no single sign-on here, so 404 for everyone (staff.go).
		"POST /sign-in/sso/backchannel-logout": {method: "POST", path: "/sign-in/sso/backchannel-logout", form: form("logout_token", "x"), want: public(notFound)},
		// A person's emailed link to set a first password: anyone may open it; the link's token decides (staff.go).
		"GET /sign-in/first-password":  {method: "GET", path: "/sign-in/first-password?token=x", want: public(ok)},
		"POST /sign-in/first-password": {method: "POST", path: "/sign-in/first-password", form: form("token", "x", "password", "short"), want: public(invalid)},
		"GET /break-glass":             {method: "GET", path: "/break-glass", want: signedIn("GET", ok, nil)},
		"POST /break-glass":            {method: "POST", path: "/break-glass", form: form("case", "{id}", "reason", "too short"), want: signedIn("POST", invalid, statuses{"analyst": forbidden, "admin": forbidden})},
		"GET /alerts":                  {method: "GET", path: "/alerts", want: signedIn("GET", forbidden, statuses{"partnership-lead": ok})},
		// The partnership's statistics: the lead and analysts only (statistics.go, issue 15).
		"GET /statistics":          {method: "GET", path: "/statistics?period=2025", want: signedIn("GET", forbidden, statuses{"partnership-lead": ok, "analyst": ok})},
		"GET /api/v1/statistics":   {method: "GET", path: "/api/v1/statistics?period=2025", want: bearer(forbidden, statuses{"partnership-lead": ok, "analyst": ok})},
		"POST /api/v1/break-glass": {method: "POST", path: "/api/v1/break-glass", json: map[string]any{"case": "CS-2026-000001", "reason": "too short"}, want: bearer(invalid, statuses{"analyst": forbidden, "admin": forbidden, "machine-client": forbidden})},
		"GET /accessibility":       {method: "GET", path: "/accessibility", want: public(ok)},
		"GET /privacy":             {method: "GET", path: "/privacy", want: public(ok)},
		"GET /api/v1/openapi.json": {method: "GET", path: "/api/v1/openapi.json", want: public(ok)},
		"POST /api/v1/sessions":    {method: "POST", path: "/api/v1/sessions", json: map[string]string{"email": "nobody@nowhere.example", "password": "not a password"}, want: public(unauth)},
		"/api/":                    {method: "GET", path: "/api/v1/nothing-here", want: public(notFound)},
		"/":                        {method: "GET", path: "/nothing-here", want: public(notFound)},

		// Help and contact, and the service's icons: open to everyone (help.go).
		"GET /help":                              {method: "GET", path: "/help", want: public(ok)},
		"GET /favicon.ico":                       {method: "GET", path: "/favicon.ico", want: public(ok)},
		"GET /assets/icons/favicon.svg":          {method: "GET", path: "/assets/icons/favicon.svg", want: public(ok)},
		"GET /assets/icons/apple-touch-icon.png": {method: "GET", path: "/assets/icons/apple-touch-icon.png", want: public(ok)},

		// Pages for anyone signed in.
		"POST /sign-out":           {method: "POST", path: "/sign-out", form: csrf, want: signedIn("POST", seeOther, nil)},
		"POST /session/stay":       {method: "POST", path: "/session/stay", form: csrf, want: signedIn("POST", seeOther, nil)},
		"GET /{$}":                 {method: "GET", path: "/", want: signedIn("GET", ok, nil)},
		"GET /concerns/new":        {method: "GET", path: "/concerns/new", want: signedIn("GET", ok, nil)},
		"POST /concerns":           {method: "POST", path: "/concerns", form: csrf, want: signedIn("POST", seeOther, statuses{"analyst": forbidden, "admin": forbidden})},
		"GET /inbox":               {method: "GET", path: "/inbox", want: signedIn("GET", forbidden, statuses{"cs-worker": ok, "social-worker": ok, "manager": ok})},
		"GET /cases":               {method: "GET", path: "/cases", want: signedIn("GET", ok, nil) /* the administrator: a page saying why there are no cases (homes.go) */},
		"GET /escalations":         {method: "GET", path: "/escalations", want: signedIn("GET", forbidden, statuses{"partnership-lead": ok})},
		"GET /my-work":             {method: "GET", path: "/my-work", want: signedIn("GET", ok, nil) /* as /cases */},
		"GET /admin/interpreters":  {method: "GET", path: "/admin/interpreters", want: signedIn("GET", forbidden, statuses{"admin": ok})},
		"POST /admin/interpreters": {method: "POST", path: "/admin/interpreters", form: interpreter, want: signedIn("POST", forbidden, statuses{"admin": seeOther})},

		// A concern draft: its author's only.
		"GET /concerns/{draft}":         {method: "GET", path: "/concerns/{draft}", want: merge(owner(ok), statuses{"anonymous": seeOther})},
		"GET /concerns/{draft}/check":   {method: "GET", path: "/concerns/{draft}/check", want: merge(owner(ok), statuses{"anonymous": seeOther})},
		"POST /concerns/{draft}/check":  {method: "POST", path: "/concerns/{draft}/check", form: form("version", "1"), want: merge(owner(invalid), statuses{"anonymous": unauth})},
		"GET /concerns/{draft}/{step}":  {method: "GET", path: "/concerns/{draft}/child", want: merge(owner(ok), statuses{"anonymous": seeOther})},
		"POST /concerns/{draft}/{step}": {method: "POST", path: "/concerns/{draft}/child", form: form("version", "1", "givenNames", "Amira"), want: merge(owner(invalid), statuses{"anonymous": unauth}), savesWhenRefused: invalid},

		// A case: its members' only (§6.5); the administrator sees no case data.
		"GET /cases/{id}":          {method: "GET", path: "/cases/{id}", want: merge(members(ok, nil), statuses{"anonymous": seeOther})},
		"GET /cases/{id}/{area}":   {method: "GET", path: "/cases/{id}/concern", want: merge(members(ok, nil), statuses{"anonymous": seeOther})},
		"GET /cases/{id}/timeline": {method: "GET", path: "/cases/{id}/timeline", want: merge(members(ok, nil), statuses{"anonymous": seeOther})},
		// statistics_exports.go: the partnership's statistics, for whom StatisticsReport allows (issue 15).
		"GET /statistics/annual-report":     {method: "GET", path: "/statistics/annual-report?period=2025", want: signedIn("GET", forbidden, statuses{"partnership-lead": ok, "analyst": ok})},
		"GET /statistics/annual-report.pdf": {method: "GET", path: "/statistics/annual-report.pdf?period=2025", want: signedIn("GET", forbidden, statuses{"partnership-lead": ok, "analyst": ok})},
		"GET /statistics/export.csv":        {method: "GET", path: "/statistics/export.csv?period=2025", want: signedIn("GET", forbidden, statuses{"partnership-lead": ok, "analyst": ok})},
		"GET /statistics/export.xlsx":       {method: "GET", path: "/statistics/export.xlsx?period=2025", want: signedIn("GET", forbidden, statuses{"partnership-lead": ok, "analyst": ok})},
		"GET /statistics/export.ods":        {method: "GET", path: "/statistics/export.ods?period=2025", want: signedIn("GET", forbidden, statuses{"partnership-lead": ok, "analyst": ok})},
		// entities.go: the team's people, places and numbers (§6.8); the referrer is a member outside the team.
		"GET /cases/{id}/entities":                 {method: "GET", path: "/cases/{id}/entities", want: merge(members(ok, statuses{"referrer": forbidden}), statuses{"anonymous": seeOther})},
		"GET /network":                             {method: "GET", path: "/network", want: signedIn("GET", forbidden, statuses{"partnership-lead": ok})},
		"GET /cases/{id}/contact":                  {method: "GET", path: "/cases/{id}/contact", want: merge(members(ok, nil), statuses{"anonymous": seeOther})},
		"POST /cases/{id}/contact":                 {method: "POST", path: "/cases/{id}/contact", form: form("version", "1", "method", "phone"), want: merge(csOnly(seeOther), statuses{"anonymous": unauth})},
		"GET /cases/{id}/outcome":                  {method: "GET", path: "/cases/{id}/outcome", want: merge(members(ok, nil), statuses{"anonymous": seeOther})},
		"POST /cases/{id}/outcome":                 {method: "POST", path: "/cases/{id}/outcome", form: form("version", "1", "decision", "assessment", "nextStep", "Assess."), want: merge(csOnly(invalid), statuses{"anonymous": unauth})},
		"GET /cases/{id}/actions/{action}":         {method: "GET", path: "/cases/{id}/actions/{action}", want: merge(members(ok, nil), statuses{"anonymous": seeOther})},
		"POST /cases/{id}/actions/{action}":        {method: "POST", path: "/cases/{id}/actions/{action}", form: form("version", "1", "text", "A note."), want: merge(members(seeOther, nil), statuses{"anonymous": unauth})},
		"GET /api/v1/cases/{id}":                   {method: "GET", path: "/api/v1/cases/{id}", want: merge(members(ok, nil), statuses{"anonymous": unauth})},
		"GET /api/v1/cases/{id}/actions":           {method: "GET", path: "/api/v1/cases/{id}/actions", want: merge(members(ok, nil), statuses{"anonymous": unauth})},
		"GET /api/v1/cases/{id}/entities":          {method: "GET", path: "/api/v1/cases/{id}/entities", want: merge(members(ok, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})}, // entities.go
		"GET /api/v1/network":                      {method: "GET", path: "/api/v1/network", want: bearer(forbidden, statuses{"partnership-lead": ok})},                                            // entities.go
		"POST /api/v1/cases/{id}/contact":          {method: "POST", path: "/api/v1/cases/{id}/contact", json: map[string]any{"expectedVersion": 1, "method": "phone"}, want: merge(csOnly(ok), statuses{"anonymous": unauth})},
		"POST /api/v1/cases/{id}/outcome":          {method: "POST", path: "/api/v1/cases/{id}/outcome", json: map[string]any{"expectedVersion": 1, "decision": "assessment", "nextStep": "Assess."}, want: merge(csOnly(invalid), statuses{"anonymous": unauth})},
		"POST /api/v1/cases/{id}/actions/{action}": {method: "POST", path: "/api/v1/cases/{id}/actions/{action}", json: map[string]any{"expectedVersion": 1, "text": "A note."}, want: merge(members(ok, nil), statuses{"anonymous": unauth})},

		// Earlier records and links (case_links.go, issue 14 §1): the team's;
		// the referrer is told to ask the team. The matrix's case has no
		// earlier record and no link, so a handle or link named is not one.
		"GET /cases/{id}/earlier-records":                       {method: "GET", path: "/cases/{id}/earlier-records", want: merge(members(ok, statuses{"referrer": forbidden}), statuses{"anonymous": seeOther})},
		"POST /cases/{id}/earlier-records/{handle}/link":        {method: "POST", path: "/cases/{id}/earlier-records/x/link", form: form("reason-1", "Same scar", "field", "reason-1"), want: merge(members(invalid, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},
		"POST /cases/{id}/links/{link}/confirm":                 {method: "POST", path: "/cases/{id}/links/x/confirm", form: csrf, want: merge(members(notFound, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},
		"POST /cases/{id}/links/{link}/decline":                 {method: "POST", path: "/cases/{id}/links/x/decline", form: form("decline-1", "Not her", "field", "decline-1"), want: merge(members(notFound, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},
		"POST /cases/{id}/links/{link}/unlink":                  {method: "POST", path: "/cases/{id}/links/x/unlink", form: form("unlink-1", "Not her", "field", "unlink-1"), want: merge(members(notFound, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},
		"GET /api/v1/cases/{id}/earlier-records":                {method: "GET", path: "/api/v1/cases/{id}/earlier-records", want: merge(members(ok, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},
		"POST /api/v1/cases/{id}/earlier-records/{handle}/link": {method: "POST", path: "/api/v1/cases/{id}/earlier-records/x/link", json: map[string]any{"reason": "Same scar"}, want: merge(members(invalid, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},
		"GET /api/v1/cases/{id}/links":                          {method: "GET", path: "/api/v1/cases/{id}/links", want: merge(members(ok, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},
		"POST /api/v1/cases/{id}/links/{link}/confirm":          {method: "POST", path: "/api/v1/cases/{id}/links/x/confirm", json: map[string]any{}, want: merge(members(notFound, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},
		"POST /api/v1/cases/{id}/links/{link}/decline":          {method: "POST", path: "/api/v1/cases/{id}/links/x/decline", json: map[string]any{"reason": "Not her"}, want: merge(members(notFound, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},
		"POST /api/v1/cases/{id}/links/{link}/unlink":           {method: "POST", path: "/api/v1/cases/{id}/links/x/unlink", json: map[string]any{"reason": "Not her"}, want: merge(members(notFound, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},

		// Hand-overs between partnerships (handovers.go; §4.3, §7.1): the
		// lead of the case's partnership (the matrix's lead, not a member)
		// proposes; everyone else, members included, is told "not found".
		// The matrix has one partnership, so no hand-over is addressed to it.
		"GET /cases/{id}/handover":                              {method: "GET", path: "/cases/{id}/handover", want: signedIn("GET", notFound, statuses{"partnership-lead": ok})},
		"POST /cases/{id}/handover":                             {method: "POST", path: "/cases/{id}/handover", form: form("kind", "share", "reason", "Found in Southtown"), want: signedIn("POST", notFound, statuses{"partnership-lead": invalid})},
		"POST /cases/{id}/handover/{handover}/withdraw":         {method: "POST", path: "/cases/{id}/handover/x/withdraw", form: form("withdraw-reason", "No longer needed"), want: signedIn("POST", notFound, nil)},
		"GET /partnership/handovers":                            {method: "GET", path: "/partnership/handovers", want: signedIn("GET", forbidden, statuses{"partnership-lead": ok})},
		"GET /partnership/handovers/{handover}":                 {method: "GET", path: "/partnership/handovers/x", want: signedIn("GET", notFound, nil)},
		"POST /partnership/handovers/{handover}/agree":          {method: "POST", path: "/partnership/handovers/x/agree", form: form("org", "x"), want: signedIn("POST", notFound, nil)},
		"POST /partnership/handovers/{handover}/decline":        {method: "POST", path: "/partnership/handovers/x/decline", form: form("reason", "Not ours"), want: signedIn("POST", notFound, nil)},
		"GET /api/v1/cases/{id}/handovers":                      {method: "GET", path: "/api/v1/cases/{id}/handovers", want: bearer(notFound, statuses{"partnership-lead": ok})},
		"POST /api/v1/cases/{id}/handovers":                     {method: "POST", path: "/api/v1/cases/{id}/handovers", json: map[string]any{"kind": "share", "reason": "Found in Southtown"}, want: bearer(notFound, statuses{"partnership-lead": invalid})},
		"POST /api/v1/cases/{id}/handovers/{handover}/withdraw": {method: "POST", path: "/api/v1/cases/{id}/handovers/x/withdraw", json: map[string]any{"reason": "No longer needed"}, want: bearer(notFound, nil)},
		"GET /api/v1/handovers":                                 {method: "GET", path: "/api/v1/handovers", want: bearer(forbidden, statuses{"partnership-lead": ok})},
		"GET /api/v1/handovers/{handover}":                      {method: "GET", path: "/api/v1/handovers/x", want: bearer(notFound, nil)},
		"POST /api/v1/handovers/{handover}/agree":               {method: "POST", path: "/api/v1/handovers/x/agree", json: map[string]any{"organisation": "x"}, want: bearer(notFound, nil)},
		"POST /api/v1/handovers/{handover}/decline":             {method: "POST", path: "/api/v1/handovers/x/decline", json: map[string]any{"reason": "Not ours"}, want: bearer(notFound, nil)},
		"POST /partnership/link-requests/{id}/{link}/confirm":   {method: "POST", path: "/partnership/link-requests/{id}/x/confirm", form: csrf, want: signedIn("POST", notFound, statuses{"referrer": forbidden})},
		"POST /partnership/link-requests/{id}/{link}/decline":   {method: "POST", path: "/partnership/link-requests/{id}/x/decline", form: form("decline-1", "Not her", "field", "decline-1"), want: signedIn("POST", notFound, statuses{"referrer": forbidden})},
		// Partnerships as records (partnerships_admin.go): the administrator's.
		"POST /admin/partnerships":                   {method: "POST", path: "/admin/partnerships", form: form("name", ""), want: signedIn("POST", forbidden, statuses{"admin": invalid})},
		"POST /admin/organisations/{id}/partnership": {method: "POST", path: "/admin/organisations/org-cs/partnership", form: form("partnership", "no-such"), want: signedIn("POST", forbidden, statuses{"admin": invalid})},

		// NRM drafts (nrmdraft.go): the team working the case only; the
		// referrer is told to ask the team. No decision on the matrix's case
		// is negative, so there is no reconsideration to draft (§8.9).
		"GET /cases/{id}/nrm-draft":                                 {method: "GET", path: "/cases/{id}/nrm-draft", want: merge(members(ok, statuses{"referrer": forbidden}), statuses{"anonymous": seeOther})},
		"GET /cases/{id}/nrm-draft/copy":                            {method: "GET", path: "/cases/{id}/nrm-draft/copy", want: merge(members(ok, statuses{"referrer": forbidden}), statuses{"anonymous": seeOther})},
		"GET /cases/{id}/nrm-draft/{section}":                       {method: "GET", path: "/cases/{id}/nrm-draft/background", want: merge(members(ok, statuses{"referrer": forbidden}), statuses{"anonymous": seeOther})},
		"POST /cases/{id}/nrm-draft/{section}":                      {method: "POST", path: "/cases/{id}/nrm-draft/background", form: form("birthplace", "Tirana", "version-birthplace", "0", "shown-birthplace", "x"), want: merge(members(seeOther, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},
		"POST /cases/{id}/documents":                                {method: "POST", path: "/cases/{id}/documents", form: form("csrf_token", "{csrf}", "what", "A scan"), upload: true, want: merge(members(seeOther, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},
		"GET /cases/{id}/documents/{file}":                          {method: "GET", path: "/cases/{id}/documents/{file}", want: merge(members(ok, statuses{"referrer": forbidden}), statuses{"anonymous": seeOther})},
		"POST /api/v1/cases/{id}/documents":                         {method: "POST", path: "/api/v1/cases/{id}/documents", form: form("what", "A scan"), upload: true, want: merge(members(created, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},
		"GET /api/v1/cases/{id}/documents":                          {method: "GET", path: "/api/v1/cases/{id}/documents", want: merge(members(ok, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},
		"GET /api/v1/cases/{id}/documents/{file}":                   {method: "GET", path: "/api/v1/cases/{id}/documents/{file}", want: merge(members(ok, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},
		"GET /cases/{id}/nrm-draft.pdf":                             {method: "GET", path: "/cases/{id}/nrm-draft.pdf", want: merge(members(ok, statuses{"referrer": forbidden}), statuses{"anonymous": seeOther})},
		"GET /cases/{id}/nrm-draft.txt":                             {method: "GET", path: "/cases/{id}/nrm-draft.txt", want: merge(members(ok, statuses{"referrer": forbidden}), statuses{"anonymous": seeOther})},
		"GET /cases/{id}/nrm-contributions":                         {method: "GET", path: "/cases/{id}/nrm-contributions", want: merge(members(ok, statuses{"referrer": notFound}), statuses{"anonymous": seeOther})}, // §8.5: the team's; the matrix's case has none to edit or use
		"GET /cases/{id}/nrm-contributions/{seq}/edit":              {method: "GET", path: "/cases/{id}/nrm-contributions/1/edit?field=living-conditions", want: merge(members(notFound, nil), statuses{"anonymous": seeOther})},
		"POST /cases/{id}/nrm-contributions/{seq}/use":              {method: "POST", path: "/cases/{id}/nrm-contributions/1/use?field=living-conditions&version=0", form: csrf, want: merge(members(notFound, nil), statuses{"anonymous": unauth})},
		"GET /cases/{id}/nrm-reconsideration":                       {method: "GET", path: "/cases/{id}/nrm-reconsideration", want: merge(members(notFound, statuses{"referrer": forbidden}), statuses{"anonymous": seeOther})},
		"GET /cases/{id}/nrm-reconsideration/copy":                  {method: "GET", path: "/cases/{id}/nrm-reconsideration/copy", want: merge(members(notFound, statuses{"referrer": forbidden}), statuses{"anonymous": seeOther})},
		"GET /cases/{id}/nrm-reconsideration/{section}":             {method: "GET", path: "/cases/{id}/nrm-reconsideration/views", want: merge(members(notFound, statuses{"referrer": forbidden}), statuses{"anonymous": seeOther})},
		"POST /cases/{id}/nrm-reconsideration/{section}":            {method: "POST", path: "/cases/{id}/nrm-reconsideration/views", form: form("childs-views", "She wants to stay.", "version-childs-views", "0", "shown-childs-views", "x"), want: merge(members(notFound, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},
		"GET /cases/{id}/nrm-reconsideration.pdf":                   {method: "GET", path: "/cases/{id}/nrm-reconsideration.pdf", want: merge(members(notFound, statuses{"referrer": forbidden}), statuses{"anonymous": seeOther})},
		"GET /cases/{id}/nrm-reconsideration.txt":                   {method: "GET", path: "/cases/{id}/nrm-reconsideration.txt", want: merge(members(notFound, statuses{"referrer": forbidden}), statuses{"anonymous": seeOther})},
		"GET /api/v1/cases/{id}/nrm-draft":                          {method: "GET", path: "/api/v1/cases/{id}/nrm-draft", want: merge(members(ok, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},
		"PUT /api/v1/cases/{id}/nrm-draft/fields/{field}":           {method: "PUT", path: "/api/v1/cases/{id}/nrm-draft/fields/birthplace", json: map[string]any{"value": "Tirana", "expectedVersion": 0}, want: merge(members(ok, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},
		"GET /api/v1/cases/{id}/nrm-draft.pdf":                      {method: "GET", path: "/api/v1/cases/{id}/nrm-draft.pdf", want: merge(members(ok, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},
		"GET /api/v1/cases/{id}/nrm-draft.txt":                      {method: "GET", path: "/api/v1/cases/{id}/nrm-draft.txt", want: merge(members(ok, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},
		"GET /api/v1/cases/{id}/nrm-reconsideration":                {method: "GET", path: "/api/v1/cases/{id}/nrm-reconsideration", want: merge(members(notFound, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},
		"PUT /api/v1/cases/{id}/nrm-reconsideration/fields/{field}": {method: "PUT", path: "/api/v1/cases/{id}/nrm-reconsideration/fields/childs-views", json: map[string]any{"value": "She wants to stay.", "expectedVersion": 0}, want: merge(members(notFound, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},
		"GET /api/v1/cases/{id}/nrm-reconsideration.pdf":            {method: "GET", path: "/api/v1/cases/{id}/nrm-reconsideration.pdf", want: merge(members(notFound, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},
		"GET /api/v1/cases/{id}/nrm-reconsideration.txt":            {method: "GET", path: "/api/v1/cases/{id}/nrm-reconsideration.txt", want: merge(members(notFound, statuses{"referrer": forbidden}), statuses{"anonymous": unauth})},

		// The JSON API for anyone with a token.
		"DELETE /api/v1/sessions/current": {method: "DELETE", path: "/api/v1/sessions/current", want: bearer(noContent, nil)},
		"GET /api/v1/catalog":             {method: "GET", path: "/api/v1/catalog", want: bearer(ok, nil)},
		"GET /api/v1/cases":               {method: "GET", path: "/api/v1/cases", want: bearer(ok, statuses{"analyst": forbidden, "admin": forbidden})},
		"POST /api/v1/cases":              {method: "POST", path: "/api/v1/cases", json: "{concern}", want: bearer(created, statuses{"analyst": forbidden, "admin": forbidden, "machine-client": forbidden})},
		"GET /api/v1/inbox":               {method: "GET", path: "/api/v1/inbox", want: bearer(forbidden, statuses{"cs-worker": ok, "social-worker": ok, "manager": ok})},
		"GET /api/v1/my-work":             {method: "GET", path: "/api/v1/my-work", want: bearer(ok, statuses{"analyst": forbidden, "admin": forbidden})},
		// The partnership lead's escalations and the administrators' interpreter register: api_registers.go.
		"GET /api/v1/escalations":   {method: "GET", path: "/api/v1/escalations", want: bearer(forbidden, statuses{"partnership-lead": ok})},
		"GET /api/v1/interpreters":  {method: "GET", path: "/api/v1/interpreters", want: bearer(forbidden, statuses{"admin": ok})},
		"POST /api/v1/interpreters": {method: "POST", path: "/api/v1/interpreters", json: map[string]any{"name": "Ana Interpreter", "languages": []string{"Albanian"}, "gender": pathway.InterpreterGenders()[0].Value, "professional": true, "approved": true, "active": true}, want: bearer(forbidden, statuses{"admin": created})},

		// A person's own API tokens (anyone signed in in person makes
		// their own, never someone else's), re-authentication, and machine
		// clients (administrators only, after re-authenticating: the
		// matrix's sessions have just signed in): clients.go.
		"POST /api/v1/tokens":                          {method: "POST", path: "/api/v1/tokens", json: map[string]any{"name": "matrix", "scopes": []string{"cases:read"}, "expiresInDays": 30}, want: bearer(created, statuses{"machine-client": forbidden})},
		"GET /api/v1/tokens":                           {method: "GET", path: "/api/v1/tokens", want: bearer(ok, statuses{"machine-client": forbidden})},
		"GET /api/v1/account/profile":                  {method: "GET", path: "/api/v1/account/profile", want: bearer(ok, statuses{"machine-client": forbidden})},
		"PUT /api/v1/account/profile":                  {method: "PUT", path: "/api/v1/account/profile", json: map[string]any{"jobTitle": "Safeguarding lead"}, want: bearer(ok, statuses{"machine-client": forbidden})},
		"GET /api/v1/account/reminders":                {method: "GET", path: "/api/v1/account/reminders", want: bearer(ok, statuses{"machine-client": forbidden})},
		"PUT /api/v1/account/reminders":                {method: "PUT", path: "/api/v1/account/reminders", json: map[string]any{"dueSoon": true}, want: bearer(ok, statuses{"machine-client": forbidden})},
		"DELETE /api/v1/tokens/{id}":                   {method: "DELETE", path: "/api/v1/tokens/{id}", want: bearer(notFound, statuses{"machine-client": forbidden})},
		"POST /api/v1/sessions/current/reauthenticate": {method: "POST", path: "/api/v1/sessions/current/reauthenticate", json: map[string]any{}, want: bearer(invalid, nil)},
		"GET /api/v1/machine-clients":                  {method: "GET", path: "/api/v1/machine-clients", want: bearer(forbidden, statuses{"admin": ok})},
		"POST /api/v1/machine-clients":                 {method: "POST", path: "/api/v1/machine-clients", json: map[string]any{"organisationId": "org-cs", "name": "matrix", "scopes": []string{"cases:read"}, "expiresInDays": 30, "custodianEmail": "front.door@cs.example"}, want: bearer(forbidden, statuses{"admin": created})},
		// Only a client's custodian collects its token; an administrator never does.
		"POST /api/v1/machine-clients/{id}/token":  {method: "POST", path: "/api/v1/machine-clients/{id}/token", want: bearer(notFound, statuses{"admin": forbidden, "machine-client": forbidden})},
		"GET /account/machine-clients":             {method: "GET", path: "/account/machine-clients", want: signedIn("GET", ok, nil)},
		"POST /account/machine-clients/token":      {method: "POST", path: "/account/machine-clients/token", form: form("client", "client-nobody"), want: signedIn("POST", notFound, statuses{"admin": forbidden})},
		"POST /api/v1/machine-clients/{id}/revoke": {method: "POST", path: "/api/v1/machine-clients/{id}/revoke", want: bearer(forbidden, statuses{"admin": notFound})},
		"GET /account/tokens":                      {method: "GET", path: "/account/tokens", want: signedIn("GET", ok, nil)},
		"POST /account/tokens":                     {method: "POST", path: "/account/tokens", form: form("name", "Matrix", "scopes", "cases:read", "expiresInDays", "30"), want: signedIn("POST", created, nil)},
		"POST /account/tokens/{id}/revoke":         {method: "POST", path: "/account/tokens/{id}/revoke", form: csrf, want: signedIn("POST", notFound, nil)},
		"GET /account/profile":                     {method: "GET", path: "/account/profile", want: signedIn("GET", ok, nil)},
		"POST /account/profile":                    {method: "POST", path: "/account/profile", form: form("jobTitle", "Safeguarding lead"), want: signedIn("POST", seeOther, nil)},
		"GET /account/reminders":                   {method: "GET", path: "/account/reminders", want: signedIn("GET", ok, nil)},
		"POST /account/reminders":                  {method: "POST", path: "/account/reminders", form: form("kinds", "digest"), want: signedIn("POST", seeOther, nil)},
		"GET /demo/mail":                           {method: "GET", path: "/demo/mail", want: signedIn("GET", notFound, nil)}, // only in the demo (reminders.go)
		"GET /admin/machine-clients":               {method: "GET", path: "/admin/machine-clients", want: signedIn("GET", forbidden, statuses{"admin": ok})},
		"POST /admin/machine-clients":              {method: "POST", path: "/admin/machine-clients", form: form("organisation", "org-cs", "name", "Matrix client", "scopes", "cases:read", "expiresInDays", "30", "custodianEmail", "front.door@cs.example"), want: signedIn("POST", forbidden, statuses{"admin": created})},
		"POST /admin/machine-clients/confirm":      {method: "POST", path: "/admin/machine-clients/confirm", form: form("confirm", ""), want: signedIn("POST", forbidden, statuses{"admin": invalid})},
		"POST /admin/machine-clients/{id}/revoke":  {method: "POST", path: "/admin/machine-clients/{id}/revoke", form: csrf, want: signedIn("POST", forbidden, statuses{"admin": notFound})},

		// Staff accounts and organisations (administrators only): staff.go.
		// The {id} is nobody's, so a change answers 404 to the administrator.
		"GET /admin/staff":                        {method: "GET", path: "/admin/staff", want: signedIn("GET", forbidden, statuses{"admin": ok})},
		"GET /admin/staff/new":                    {method: "GET", path: "/admin/staff/new", want: signedIn("GET", forbidden, statuses{"admin": ok})},
		"GET /admin/staff/{id}":                   {method: "GET", path: "/admin/staff/{id}", want: signedIn("GET", forbidden, statuses{"admin": notFound})},
		"GET /admin/organisations":                {method: "GET", path: "/admin/organisations", want: signedIn("GET", forbidden, statuses{"admin": ok})},
		"GET /admin/organisations/{id}":           {method: "GET", path: "/admin/organisations/{id}", want: signedIn("GET", forbidden, statuses{"admin": notFound})},
		"POST /admin/organisations/{id}":          {method: "POST", path: "/admin/organisations/{id}", form: form("designation", "police"), want: signedIn("POST", forbidden, statuses{"admin": notFound})},
		"POST /admin/organisations/{id}/ho-lists": {method: "POST", path: "/admin/organisations/{id}/ho-lists", form: form("hoPoliceForce", "Kent Police"), want: signedIn("POST", forbidden, statuses{"admin": notFound})},
		"GET /admin/organisations/partnership":    {method: "GET", path: "/admin/organisations/partnership", want: signedIn("GET", forbidden, statuses{"admin": ok})},
		"POST /admin/organisations/partnership":   {method: "POST", path: "/admin/organisations/partnership", form: form("hoPoliceForce", "Eastshire Police"), want: signedIn("POST", forbidden, statuses{"admin": invalid})},
		"POST /admin/staff":                       {method: "POST", path: "/admin/staff", form: form("email", "", "name", "Matrix", "organisation", "org-cs", "role", "practitioner"), want: signedIn("POST", forbidden, statuses{"admin": invalid})},
		"POST /admin/staff/confirm":               {method: "POST", path: "/admin/staff/confirm", form: form("confirm", ""), want: signedIn("POST", forbidden, statuses{"admin": invalid})},
		"POST /admin/staff/disable":               {method: "POST", path: "/admin/staff/disable", form: form("users", "user-nobody"), want: signedIn("POST", forbidden, statuses{"admin": notFound})},
		"POST /admin/staff/{id}/role":             {method: "POST", path: "/admin/staff/{id}/role", form: form("role", "manager"), want: signedIn("POST", forbidden, statuses{"admin": notFound})},
		"POST /admin/staff/{id}/disable":          {method: "POST", path: "/admin/staff/{id}/disable", form: csrf, want: signedIn("POST", forbidden, statuses{"admin": notFound})},
		"POST /admin/staff/{id}/enable":           {method: "POST", path: "/admin/staff/{id}/enable", form: csrf, want: signedIn("POST", forbidden, statuses{"admin": notFound})},
		"POST /admin/staff/{id}/unlock":           {method: "POST", path: "/admin/staff/{id}/unlock", form: csrf, want: signedIn("POST", forbidden, statuses{"admin": notFound})},
		"POST /admin/staff/{id}/invite":           {method: "POST", path: "/admin/staff/{id}/invite", form: csrf, want: signedIn("POST", forbidden, statuses{"admin": notFound})},
		"GET /api/v1/staff":                       {method: "GET", path: "/api/v1/staff", want: bearer(forbidden, statuses{"admin": ok})},
		"POST /api/v1/staff":                      {method: "POST", path: "/api/v1/staff", json: map[string]any{"email": "", "name": "Matrix", "role": "practitioner", "organisationId": "org-cs"}, want: bearer(forbidden, statuses{"admin": invalid})},
		"POST /api/v1/staff/disable":              {method: "POST", path: "/api/v1/staff/disable", json: map[string]any{"users": []string{"user-nobody"}}, want: bearer(forbidden, statuses{"admin": notFound})},
		"POST /api/v1/staff/enable":               {method: "POST", path: "/api/v1/staff/enable", json: map[string]any{"users": []string{"user-nobody"}}, want: bearer(forbidden, statuses{"admin": notFound})},
		"PUT /api/v1/staff/{id}/role":             {method: "PUT", path: "/api/v1/staff/{id}/role", json: map[string]any{"role": "manager"}, want: bearer(forbidden, statuses{"admin": notFound})},
		"POST /api/v1/staff/{id}/unlock":          {method: "POST", path: "/api/v1/staff/{id}/unlock", want: bearer(forbidden, statuses{"admin": notFound})},
		"GET /api/v1/organisations":               {method: "GET", path: "/api/v1/organisations", want: bearer(forbidden, statuses{"admin": ok})},
		"POST /admin/staff/{id}/profile":          {method: "POST", path: "/admin/staff/{id}/profile", form: form("jobTitle", "Manager"), want: signedIn("POST", forbidden, statuses{"admin": notFound})},

		// The partnership's dated settings (settings.go): administrators and the partnership lead.
		"GET /admin/settings":        {method: "GET", path: "/admin/settings", want: signedIn("GET", forbidden, statuses{"admin": ok, "partnership-lead": ok})},
		"GET /admin/settings/{key}":  {method: "GET", path: "/admin/settings/ddm_pilot", want: signedIn("GET", forbidden, statuses{"admin": ok, "partnership-lead": ok})},
		"POST /admin/settings/{key}": {method: "POST", path: "/admin/settings/ddm_pilot", form: form("value", "yes", "effectiveFrom-day", "1", "effectiveFrom-month", "6", "effectiveFrom-year", "2026"), want: signedIn("POST", forbidden, statuses{"admin": seeOther, "partnership-lead": seeOther})},
		"GET /api/v1/settings":       {method: "GET", path: "/api/v1/settings", want: bearer(forbidden, statuses{"admin": ok, "partnership-lead": ok})},
		"POST /api/v1/settings":      {method: "POST", path: "/api/v1/settings", json: map[string]any{"key": "ddm_pilot", "value": "yes", "effectiveFrom": "2026-06-01"}, want: bearer(forbidden, statuses{"admin": created, "partnership-lead": created})},

		// The directory of support and key contacts (directory.go): everyone signed in reads it; partnership leads and administrators keep it.
		"GET /directory":             {method: "GET", path: "/directory", want: signedIn("GET", ok, nil)},
		"GET /directory/new":         {method: "GET", path: "/directory/new", want: signedIn("GET", forbidden, statuses{"admin": ok, "partnership-lead": ok})},
		"GET /directory/{id}/edit":   {method: "GET", path: "/directory/ictg-advice-line/edit", want: signedIn("GET", forbidden, statuses{"admin": ok, "partnership-lead": ok})},
		"POST /directory":            {method: "POST", path: "/directory", form: directoryForm, want: signedIn("POST", forbidden, statuses{"admin": seeOther, "partnership-lead": seeOther})},
		"POST /directory/{id}":       {method: "POST", path: "/directory/ictg-advice-line", form: directoryForm, want: signedIn("POST", forbidden, statuses{"admin": seeOther, "partnership-lead": seeOther})},
		"GET /api/v1/directory":      {method: "GET", path: "/api/v1/directory", want: bearer(ok, nil)},
		"POST /api/v1/directory":     {method: "POST", path: "/api/v1/directory", json: directoryJSONBody, want: bearer(forbidden, statuses{"admin": created, "partnership-lead": created})},
		"PUT /api/v1/directory/{id}": {method: "PUT", path: "/api/v1/directory/ictg-advice-line", json: directoryJSONBody, want: bearer(forbidden, statuses{"admin": ok, "partnership-lead": ok})},
		// The local decision panel (panel.go): nobody here sits on it, so its
		// referrals are not found, and its list is refused.
		"GET /admin/panel":                                  {method: "GET", path: "/admin/panel", want: signedIn("GET", forbidden, statuses{"admin": ok, "partnership-lead": ok})},
		"POST /admin/panel":                                 {method: "POST", path: "/admin/panel", form: form("email", "", "seat", "chair"), want: signedIn("POST", forbidden, statuses{"admin": invalid, "partnership-lead": invalid})},
		"GET /panel":                                        {method: "GET", path: "/panel", want: signedIn("GET", forbidden, nil)},
		"GET /panel/cases/{id}":                             {method: "GET", path: "/panel/cases/{id}", want: signedIn("GET", notFound, nil)},
		"POST /panel/cases/{id}/decision":                   {method: "POST", path: "/panel/cases/{id}/decision", form: form("grounds", "reasonable-grounds", "outcome", "positive"), want: signedIn("POST", notFound, nil)},
		"GET /panel/cases/{id}/letters/{seq}/{file}":        {method: "GET", path: "/panel/cases/{id}/letters/1/child.pdf", want: signedIn("GET", notFound, nil)},
		"GET /api/v1/panel/members":                         {method: "GET", path: "/api/v1/panel/members", want: bearer(forbidden, statuses{"admin": ok, "partnership-lead": ok})},
		"POST /api/v1/panel/members":                        {method: "POST", path: "/api/v1/panel/members", json: map[string]any{"email": "", "seat": "chair"}, want: bearer(forbidden, statuses{"admin": invalid, "partnership-lead": invalid})},
		"GET /api/v1/panel/cases":                           {method: "GET", path: "/api/v1/panel/cases", want: bearer(forbidden, nil)},
		"GET /api/v1/panel/cases/{id}":                      {method: "GET", path: "/api/v1/panel/cases/{id}", want: bearer(notFound, nil)},
		"POST /api/v1/panel/cases/{id}/decisions":           {method: "POST", path: "/api/v1/panel/cases/{id}/decisions", json: map[string]any{"grounds": "reasonable-grounds", "outcome": "positive"}, want: bearer(notFound, nil)},
		"POST /api/v1/panel/cases/{id}/reconsiderations":    {method: "POST", path: "/api/v1/panel/cases/{id}/reconsiderations", json: map[string]any{"outcome": "upheld"}, want: bearer(notFound, nil)},
		"GET /api/v1/panel/cases/{id}/letters/{seq}/{file}": {method: "GET", path: "/api/v1/panel/cases/{id}/letters/1/child.txt", want: bearer(notFound, nil)},

		// Retention reviews (partnership leads and administrators) and
		// subject access and erasure (partnership leads): privacy.go. The
		// export and erasure pages look nothing up before the lead confirms
		// who they are, so they answer the same for a real and a random id.
		"GET /admin/retention":                     {method: "GET", path: "/admin/retention", want: signedIn("GET", forbidden, statuses{"admin": ok, "partnership-lead": ok})},
		"POST /admin/retention/keep":               {method: "POST", path: "/admin/retention/keep", form: form("kind", "closed-case", "id", "{id}", "note", "Court proceedings continue"), want: signedIn("POST", forbidden, statuses{"admin": notFound, "partnership-lead": notFound})},
		"POST /admin/retention/drafts/{id}/delete": {method: "POST", path: "/admin/retention/drafts/{draft}/delete", form: csrf, want: signedIn("POST", forbidden, statuses{"admin": notFound, "partnership-lead": notFound})},
		"GET /api/v1/retention-review":             {method: "GET", path: "/api/v1/retention-review", want: bearer(forbidden, statuses{"admin": ok, "partnership-lead": ok})},
		"GET /subject-access":                      {method: "GET", path: "/subject-access", want: signedIn("GET", forbidden, statuses{"partnership-lead": ok})},
		"POST /subject-access/{id}/export":         {method: "POST", path: "/subject-access/{id}/export", form: form("format", "json", "confirm", ""), want: signedIn("POST", forbidden, statuses{"partnership-lead": invalid})},
		"GET /subject-access/{id}/erase":           {method: "GET", path: "/subject-access/{id}/erase", want: signedIn("GET", forbidden, statuses{"partnership-lead": ok})},
		"POST /subject-access/{id}/erase":          {method: "POST", path: "/subject-access/{id}/erase", form: form("legalBasis", "art17-1d", "reason", "Raised about the wrong child", "confirm", ""), want: signedIn("POST", forbidden, statuses{"partnership-lead": invalid})},
	}
}

// routePatterns reads every pattern registered with Handle or HandleFunc in
// this package's non-test source, so routes added anywhere are seen.
func routePatterns(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var out []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") || len(call.Args) != 2 {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: a route whose pattern is not a string literal: the authorization matrix cannot check it", fset.Position(call.Pos()))
				return true
			}
			p, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, p)
			return true
		})
	}
	sort.Strings(out)
	if len(out) < 20 {
		t.Fatalf("found only %d routes in the source: %v", len(out), out)
	}
	return out
}

// Every route has an entry in the matrix, and every entry is a route that
// exists and is reached by the request the entry makes.
func TestEveryRouteHasAnAuthorizationEntry(t *testing.T) {
	patterns := routePatterns(t)
	table := authzRoutes()
	e := newEnv(t, storetest.SQLite(t))
	mux := http.NewServeMux()
	e.srv.routes(mux)
	seen := map[string]bool{}
	for _, p := range patterns {
		seen[p] = true
		r, ok := table[p]
		if !ok {
			t.Errorf("route %q has no entry in the authorization matrix (internal/web/authz_test.go, authzRoutes): say who may call it", p)
			continue
		}
		path := strings.NewReplacer("{id}", "0123456789abcdef01234567", "{draft}", "0123456789abcdef01234567", "{action}", "note").Replace(r.path)
		if _, got := mux.Handler(httptest.NewRequest(r.method, path, nil)); got != p {
			t.Errorf("entry %q sends %s %s, which reaches %q", p, r.method, path, got)
		}
	}
	for p := range table {
		if !seen[p] {
			t.Errorf("the authorization matrix has an entry for %q, which is not a route any more", p)
		}
	}
}

// matrix is the state one run of the matrix needs.
type matrix struct {
	e       *testEnv
	people  map[string]casework.Viewer
	caseID  string // the shared case, raised by the teacher
	draftID string // the teacher's draft
	fileID  string // a document held on the case (documents.go)
}

func newMatrix(t *testing.T, db *store.DB) *matrix {
	e := newEnv(t, db)
	// The matrix tries wrong passwords and codes from one address for every
	// person on every sign-in route, with the clock stopped; the throttle
	// would rightly hold it back. It has tests of its own (ratelimit_test.go).
	e.svc.Throttle.AccountSource.Base, e.svc.Throttle.Account.Base = 0, 0
	e.svc.Throttle.Source = casework.ThrottleRule{}
	m := &matrix{e: e, people: map[string]casework.Viewer{
		"referrer": e.p.Teacher, "colleague": e.p.Colleague, "gp": e.p.GPDoctor, "cs-worker": e.p.CSWorker,
		"social-worker": e.p.SocialWorker, "manager": e.p.Manager, "admin": e.p.CSAdmin, "police-lead": e.p.PoliceLead,
	}}
	// The partnership lead works for the partnership, not for any agency
	// holding the case: a member only while an escalation is open (§8.6).
	lead := store.User{ID: "user-partnership-lead", OrgID: "org-partnership", Email: "lead@partnership.example", Name: "Pip Partnership", Role: pathway.RolePartnershipLead, PasswordHash: "x", CreatedAt: e.clock.Now()}
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		if err := tx.InsertOrganisation(store.Organisation{ID: "org-partnership", Name: "Northshire Safeguarding Partnership", Kind: "local-authority", CreatedAt: e.clock.Now()}); err != nil {
			return err
		}
		if err := tx.InsertUser(lead); err != nil {
			return err
		}
		u, err := tx.UserByID(lead.ID)
		m.people["partnership-lead"] = casework.Viewer{User: u}
		if err != nil {
			return err
		}
		// The analyst counts the partnership's work and sees no case (issue 15).
		analyst := store.User{ID: "user-analyst", OrgID: "org-partnership", Email: "analyst@partnership.example", Name: "Ana Lyst", Role: pathway.RoleAnalyst, PasswordHash: "x", CreatedAt: e.clock.Now()}
		if err := tx.InsertUser(analyst); err != nil {
			return err
		}
		u, err = tx.UserByID(analyst.ID)
		m.people["analyst"] = casework.Viewer{User: u}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	m.caseID = e.raiseCase()
	d, err := e.svc.NewDraft(context.Background(), e.p.Teacher)
	if err != nil {
		t.Fatal(err)
	}
	m.draftID = d.ID
	doc, err := e.svc.AddDocument(context.Background(), e.p.SocialWorker, m.caseID, casework.DocumentUpload{Name: "scan.png", Body: bytes.NewReader(tinyPNG)})
	if err != nil {
		t.Fatal(err)
	}
	m.fileID = doc.ID
	return m
}

// session signs the person in, as sign-in would leave them (made in the
// database, so the matrix does not depend on how people sign in), and
// returns the session token and its CSRF token. The anonymous get "".
func (m *matrix) session(who string) (string, string) {
	if who == "anonymous" {
		return "", ""
	}
	tok, hash := access.NewToken()
	if who == "machine-client" {
		now := m.e.clock.Now()
		err := m.e.db.Update(context.Background(), func(tx *store.Tx) error {
			return tx.InsertMachineClient(store.MachineClient{ID: store.MachineClientIDPrefix + access.NewID(), OrgID: m.e.p.ChildrensServices.ID, Name: "Matrix link",
				Scopes: []string{casework.ScopeWrite}, TokenHash: hash, CreatedBy: m.e.p.CSAdmin.User.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour),
				CustodianID: m.e.p.CSWorker.User.ID, TokenIssuedAt: &now})
		})
		if err != nil {
			m.e.t.Fatal(err)
		}
		return tok, ""
	}
	csrf, _ := access.NewToken()
	now := m.e.clock.Now()
	err := m.e.db.Update(context.Background(), func(tx *store.Tx) error {
		return tx.InsertSession(store.Session{TokenHash: hash, UserID: m.people[who].User.ID, CSRFToken: csrf, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)})
	})
	if err != nil {
		m.e.t.Fatal(err)
	}
	return tok, csrf
}

// request makes the entry's request for caseID/draftID/action as the holder of token.
func (m *matrix) request(r authzRoute, caseID, draftID, action, token, csrf string) *http.Request {
	fill := strings.NewReplacer("{id}", caseID, "{draft}", draftID, "{action}", action, "{csrf}", csrf, "{file}", m.fileID)
	var body io.Reader
	ct := ""
	switch {
	case r.upload:
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		for _, k := range []string{"csrf_token", "what"} {
			if v, ok := r.form[k]; ok {
				mw.WriteField(k, fill.Replace(v[0]))
			}
		}
		fw, _ := mw.CreateFormFile("file", "scan.png")
		fw.Write(tinyPNG)
		mw.Close()
		body, ct = &b, mw.FormDataContentType()
	case r.form != nil:
		f := url.Values{}
		for k, vs := range r.form {
			for _, v := range vs {
				f.Add(k, fill.Replace(v))
			}
		}
		body, ct = strings.NewReader(f.Encode()), "application/x-www-form-urlencoded"
	case r.json == "{concern}":
		b, _ := json.Marshal(storetest.ValidConcern(m.e.clock.Now()))
		body, ct = bytes.NewReader(b), "application/json"
	case r.json != nil:
		v := r.json
		if m, ok := v.(map[string]any); ok && action != "note" {
			// Another action's command has fields of its own: send only the version.
			v = map[string]any{"expectedVersion": m["expectedVersion"]}
		}
		b, _ := json.Marshal(v)
		body, ct = bytes.NewReader(b), "application/json"
	}
	req := httptest.NewRequest(r.method, fill.Replace(r.path), body)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		if strings.HasPrefix(r.path, "/api/") {
			req.Header.Set("Authorization", "Bearer "+token)
		} else {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
		}
	}
	return req
}

// state is everything a refused request must leave as it was.
type authzState struct {
	savedState
	Interpreters, Users int
	Documents           int
	Versions            string
	Settings            int // partnership_settings rows (settings.go)
}

func (m *matrix) state() authzState {
	e := m.e
	var versions []string
	rows, err := e.db.SQL().Query(`SELECT case_id, MAX(seq) FROM case_events GROUP BY case_id ORDER BY case_id`)
	if err != nil {
		e.t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var n int
		rows.Scan(&id, &n)
		versions = append(versions, fmt.Sprintf("%s:%d", id, n))
	}
	rows.Close()
	var drafts []string
	rows, err = e.db.SQL().Query(`SELECT id, version FROM concern_drafts ORDER BY id`)
	if err != nil {
		e.t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var n int
		rows.Scan(&id, &n)
		drafts = append(drafts, fmt.Sprintf("%s:%d", id, n))
	}
	rows.Close()
	st := authzState{Versions: strings.Join(versions, ",") + " drafts " + strings.Join(drafts, ",")}
	// Every count in one statement: this runs before and after each of
	// the matrix's thousands of requests.
	if err := e.db.SQL().QueryRow(`SELECT (SELECT COUNT(*) FROM cases), (SELECT COUNT(*) FROM case_events),
		(SELECT COUNT(*) FROM concern_drafts), (SELECT COUNT(*) FROM api_tokens), (SELECT COUNT(*) FROM counters),
		(SELECT COUNT(*) FROM interpreters), (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM case_files),
		(SELECT COUNT(*) FROM partnership_settings)`).Scan(&st.Cases, &st.Events, &st.Drafts, &st.Tokens, &st.Counters,
		&st.Interpreters, &st.Users, &st.Documents, &st.Settings); err != nil {
		e.t.Fatal(err)
	}
	return st
}

// normalised is a response with what differs between any two requests (the
// request id) and the id asked for taken out, for comparing byte for byte.
func normalised(rec *httptest.ResponseRecorder, id string) string {
	rid := rec.Header().Get("X-Request-Id")
	var b strings.Builder
	fmt.Fprintf(&b, "%d\n", rec.Code)
	keys := make([]string, 0, len(rec.Header()))
	for k := range rec.Header() {
		if k != "X-Request-Id" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(rec.Header()[k], ", "))
	}
	b.WriteString(rec.Body.String())
	out := b.String()
	if rid != "" {
		out = strings.ReplaceAll(out, rid, "{request-id}")
	}
	out = strings.ReplaceAll(out, id, "{id}")
	out = strings.ReplaceAll(out, url.QueryEscape("/cases/"+id), url.QueryEscape("/cases/{id}"))
	return out
}

// TestNothingIsReadOrWrittenWithoutPermission runs the whole matrix on both stores.
func TestNothingIsReadOrWrittenWithoutPermission(t *testing.T) {
	t.Parallel() // among the longest here: run beside each other once the rest are done
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		m := newMatrix(t, db)
		table := authzRoutes()
		patterns := make([]string, 0, len(table))
		for p := range table {
			patterns = append(patterns, p)
		}
		sort.Strings(patterns)
		for _, p := range patterns {
			r := table[p]
			caseScoped := strings.Contains(r.path, "{id}")
			draftScoped := strings.Contains(r.path, "{draft}")
			for _, who := range authzPeople {
				want := r.want.for_(who)
				if who == "machine-client" && !strings.HasPrefix(r.path, "/api/") {
					want = r.want.for_("anonymous") // its token is no session: every page meets it as a stranger
				}
				caseID := m.caseID
				// A member's write gets a case of its own, so that what it
				// changes does not change what the next request meets.
				if caseScoped && caseMembers[who] && r.method != "GET" {
					caseID = m.e.raiseCase()
				}
				draftID := m.draftID
				if draftScoped && draftOwners[who] && r.method != "GET" {
					d, err := m.e.svc.NewDraft(context.Background(), m.people[who])
					if err != nil {
						t.Fatal(err)
					}
					draftID = d.ID
				}
				token, csrf := m.session(who)
				before := m.state()
				rec := m.e.serve(m.request(r, caseID, draftID, "note", token, csrf))
				if rec.Code != want {
					t.Errorf("%s as %s: %d, want %d: %s", p, who, rec.Code, want, snippet(rec))
					continue
				}
				if rec.Code >= 400 && rec.Code != r.savesWhenRefused {
					if after := m.state(); after != before {
						t.Errorf("%s as %s was refused (%d) but changed what is saved:\n before %+v\n after  %+v", p, who, rec.Code, before, after)
					}
				}
				// Those with no need to know learn nothing from a real id.
				outsider := who == "anonymous" || (caseScoped && !caseMembers[who]) || (caseScoped && who == "admin") || (draftScoped && !draftOwners[who])
				if who == "partnership-lead" && strings.Contains(r.path, "/handover") {
					outsider = false // the lead of the case's partnership (handovers.go)
				}
				if !(caseScoped || draftScoped) || !outsider {
					continue
				}
				actions := []string{"note"}
				if strings.Contains(r.path, "{action}") {
					actions = testActions.sortedSlugs()
					if testing.Short() {
						// Every action's form answers an outsider alike (one
						// handler); every action in the full run.
						actions = shortSample(actions, 6)
					}
				}
				before = m.state()
				for _, action := range actions {
					realID, fakeID := caseID, access.NewID()
					if draftScoped {
						realID = draftID
					}
					var real, fake *httptest.ResponseRecorder
					if draftScoped {
						real = m.e.serve(m.request(r, caseID, realID, action, token, csrf))
						fake = m.e.serve(m.request(r, caseID, fakeID, action, token, csrf))
					} else {
						real = m.e.serve(m.request(r, realID, draftID, action, token, csrf))
						fake = m.e.serve(m.request(r, fakeID, draftID, action, token, csrf))
					}
					if real.Code != want {
						t.Errorf("%s (action %s) as %s: %d, want %d: %s", p, action, who, real.Code, want, snippet(real))
					}
					if got, other := normalised(real, realID), normalised(fake, fakeID); got != other {
						t.Errorf("%s (action %s) as %s: the answer for a real id differs from the answer for a random one:\n--- real\n%s\n--- random\n%s", p, action, who, got, other)
					}
				}
				if after := m.state(); after != before {
					t.Errorf("%s as %s, for a real and a random id (actions %v), changed what is saved:\n before %+v\n after  %+v", p, who, actions, before, after)
				}
			}
		}
	})
}

func snippet(rec *httptest.ResponseRecorder) string {
	s := rec.Body.String()
	if loc := rec.Header().Get("Location"); loc != "" {
		s = "Location: " + loc + " " + s
	}
	if m := regexp.MustCompile(`(?s)<h1[^>]*>(.*?)</h1>.*?<p class="govuk-body">(.*?)</p>`).FindStringSubmatch(s); m != nil {
		return strings.TrimSpace(m[1]) + ": " + strings.TrimSpace(m[2])
	}
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// shortSample is n of all, spread evenly from the first to the last, for a
// test's -short run.
func shortSample(all []string, n int) []string {
	if len(all) <= n {
		return all
	}
	var some []string
	for i := range n {
		some = append(some, all[i*(len(all)-1)/(n-1)])
	}
	return some
}
