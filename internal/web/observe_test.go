package web

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
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

const testMetricsToken = "0123456789abcdef0123456789abcdef-metrics"

func withMetricsToken(c *Config) { c.MetricsToken = []byte(testMetricsToken) }

// scrape reads /metrics through h with the test token.
func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	r := httptest.NewRequest("GET", "/metrics", nil)
	r.Header.Set("Authorization", "Bearer "+testMetricsToken)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		t.Fatalf("scraping /metrics: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// Without a token configured, the main listener has no /metrics: the
// metrics are served only on a listener of their own.
func TestMetricsAreNotServedOnTheMainListenerWithoutAToken(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		rec := e.serve(httptest.NewRequest("GET", "/metrics", nil))
		if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "waymark_") {
			t.Fatalf("GET /metrics on the main listener with no token configured: %d\n%s", rec.Code, rec.Body)
		}
		// The separate listener's handler serves them.
		rec = httptest.NewRecorder()
		e.srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "waymark_build_info") {
			t.Fatalf("the separate metrics handler: %d\n%s", rec.Code, rec.Body)
		}
	})
}

// With a token configured, a scrape without it, or with another, is
// refused on either listener, and tells nothing.
func TestAnUnauthenticatedScrapeIsRefused(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, withMetricsToken)
		for _, h := range []http.Handler{e.srv, e.srv.MetricsHandler()} {
			for _, auth := range []string{"", "Bearer ", "Bearer wrong", "Bearer " + testMetricsToken + "x", "Basic " + testMetricsToken, testMetricsToken} {
				r := httptest.NewRequest("GET", "/metrics", nil)
				if auth != "" {
					r.Header.Set("Authorization", auth)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				if rec.Code != http.StatusUnauthorized || strings.Contains(rec.Body.String(), "waymark_") || rec.Header().Get("WWW-Authenticate") == "" {
					t.Errorf("scrape with Authorization %q: %d\n%s", auth, rec.Code, rec.Body)
				}
			}
			if body := scrape(t, h); !strings.Contains(body, "waymark_build_info") {
				t.Errorf("scrape with the token:\n%s", body)
			}
		}
	})
}

// documentedMetrics are the metric names the operations guide's
// Monitoring section lists.
func documentedMetrics(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	start := strings.Index(doc, "## Monitoring")
	if start < 0 {
		t.Fatal("docs/operations.md has no Monitoring section")
	}
	section := doc[start:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `(waymark_[a-z0-9_]+)").FindAllStringSubmatch(section, -1) {
		seen[m[1]] = true
	}
	var out []string
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// metricValue is the value of the first sample of name whose labels
// contain every part of labels, or -1.
func metricValue(body, name string, labels ...string) float64 {
	for _, line := range strings.Split(body, "\n") {
		if !strings.HasPrefix(line, name+" ") && !strings.HasPrefix(line, name+"{") {
			continue
		}
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(line, l)
		}
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(line[strings.LastIndex(line, " ")+1:], 64)
		if err == nil {
			return f
		}
	}
	return -1
}

// After some activity — a sign-in, a case raised and a deadline passed, an
// alert waiting for its email, a checkpoint, a verification, a run of the
// mailer — every metric the operations guide lists is on /metrics, with
// values that say what happened, and the guide lists every waymark_ metric
// there is. Nothing on it names the child or the case.
func TestEveryDocumentedMetricIsPresentAfterSomeActivity(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, withMetricsToken)
		token := e.signInAPI(e.p.Teacher.User.Email)
		id := e.raiseCase()
		if rec := e.api("GET", "/api/v1/cases/"+id, token, nil); rec.Code != http.StatusOK {
			t.Fatalf("reading the case: %d", rec.Code)
		}
		var ref string
		db.SQL().QueryRow(`SELECT COALESCE(reference, '') FROM cases WHERE id = $1`, id).Scan(&ref)
		if err := db.Update(context.Background(), func(tx *store.Tx) error {
			if err := tx.InsertAlert(store.Alert{ID: access.NewID(), Kind: store.AlertMachineClientCreated, RecipientUserID: e.p.CSAdmin.User.ID, CreatedAt: e.clock.Now()}); err != nil {
				return err
			}
			// Two reminders: one waiting to go, one given up after every try.
			for _, r := range []store.Reminder{
				{ID: "reminder-waiting", Kind: pathway.ReminderDigest, RecipientUserID: e.p.CSWorker.User.ID, Count: 2, CreatedAt: e.clock.Now(), NotBefore: e.clock.Now()},
				{ID: "reminder-lost", Kind: pathway.ReminderDigest, RecipientUserID: e.p.Manager.User.ID, Count: 1, CreatedAt: e.clock.Now(), NotBefore: e.clock.Now()},
			} {
				if _, err := tx.EnqueueReminder(r); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.MakeCheckpoint(context.Background(), e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		verifiedAt := e.clock.Now()
		if err := db.RecordVerified(context.Background(), verifiedAt, 10); err != nil {
			t.Fatal(err)
		}
		e.svc.Workers.Expect(casework.WorkerCheckpoint)
		e.svc.Workers.Ran(casework.WorkerAlertMailer, e.clock.Now())
		e.clock.Advance(30 * 24 * time.Hour) // every deadline of the new case has passed
		if err := db.Update(context.Background(), func(tx *store.Tx) error {
			return tx.FinishReminder("reminder-lost", store.ReminderGivenUp, e.clock.Now().Add(-time.Hour))
		}); err != nil {
			t.Fatal(err)
		}

		body := scrape(t, e.srv)
		docs := documentedMetrics(t)
		if len(docs) < 20 {
			t.Fatalf("the guide lists only %d metrics: %v", len(docs), docs)
		}
		for _, name := range docs {
			if !strings.Contains(body, "# TYPE "+name+" ") {
				t.Errorf("/metrics lacks %s, which docs/operations.md lists", name)
			}
		}
		listed := map[string]bool{}
		for _, n := range docs {
			listed[n] = true
		}
		for _, m := range regexp.MustCompile(`(?m)^# TYPE (waymark_[a-z0-9_]+) `).FindAllStringSubmatch(body, -1) {
			if !listed[m[1]] {
				t.Errorf("%s is on /metrics but not in docs/operations.md (Monitoring)", m[1])
			}
		}
		for _, c := range []struct {
			name   string
			labels []string
			ok     func(float64) bool
		}{
			{"waymark_mail_pending", nil, func(v float64) bool { return v == 1 }},
			{"waymark_mail_oldest_pending_age_seconds", nil, func(v float64) bool { return v >= 30*24*3600 }},
			{"waymark_reminders_due", nil, func(v float64) bool { return v == 1 }},
			{"waymark_reminders_oldest_due_age_seconds", nil, func(v float64) bool { return v >= 30*24*3600 }},
			{"waymark_reminders_given_up_last_day", nil, func(v float64) bool { return v == 1 }},
			{"waymark_audit_chain_entries", nil, func(v float64) bool { return v > 3 }},
			{"waymark_audit_last_verified_timestamp_seconds", nil, func(v float64) bool { return v == float64(verifiedAt.Unix()) }},
			{"waymark_checkpoint_last_signed_timestamp_seconds", nil, func(v float64) bool { return v == float64(verifiedAt.Unix()) }},
			{"waymark_worker_last_success_timestamp_seconds", []string{`worker="checkpoint"`}, func(v float64) bool { return v == float64(verifiedAt.Unix()) }},
			{"waymark_worker_last_success_timestamp_seconds", []string{`worker="alert_mailer"`}, func(v float64) bool { return v == float64(verifiedAt.Unix()) }},
			{"waymark_clocks_overdue", []string{`kind="notify_childrens_services"`}, func(v float64) bool { return v >= 1 }},
			{"waymark_db_transaction_duration_seconds_count", []string{`kind="update"`}, func(v float64) bool { return v > 0 }},
			{"waymark_db_query_duration_seconds_count", []string{`kind="query"`}, func(v float64) bool { return v > 0 }},
			{"waymark_build_info", []string{`version="`}, func(v float64) bool { return v == 1 }},
		} {
			if v := metricValue(body, c.name, c.labels...); !c.ok(v) {
				t.Errorf("%s%v = %v", c.name, c.labels, v)
			}
		}
		for _, secret := range []string{id, ref, "Amira", e.p.Teacher.User.Email, e.p.Teacher.User.ID} {
			if secret != "" && strings.Contains(body, secret) {
				t.Errorf("/metrics gives away %q", secret)
			}
		}
	})
}

// The example alert rules name only metrics that exist: every name in
// every expression is on /metrics, or is one Prometheus itself or the
// blackbox exporter makes. The guide quotes the rules file as it is.
func TestTheExampleAlertRulesNameOnlyMetricsThatExist(t *testing.T) {
	b, err := os.ReadFile("../../deploy/prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	rules := string(b)
	doc, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "```yaml\n"+rules+"```") {
		t.Error("docs/operations.md does not quote deploy/prometheus/alerts.yml as it is")
	}
	e := newEnv(t, storetest.SQLite(t))
	e.svc.Workers.Expect(casework.WorkerAlertMailer)
	e.serve(httptest.NewRequest("GET", "/sign-in", nil)) // the request series exist once a request is counted
	families, err := e.srv.metrics.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{"up": true, "probe_success": true} // Prometheus's own, the blackbox exporter's
	for _, f := range families {
		known[f.GetName()] = true
	}
	exprs := alertExpressions(rules)
	if len(exprs) < 9 {
		t.Fatalf("found %d alert expressions in the rules file", len(exprs))
	}
	for _, x := range exprs {
		names := metricNames(x)
		if len(names) == 0 {
			t.Errorf("no metric in %q", x)
		}
		for _, n := range names {
			if !known[n] {
				t.Errorf("the rule %q names %s, which no scrape has", x, n)
			}
		}
	}
	// A pool named in a rule is one the store reports (store.Pool).
	for _, m := range regexp.MustCompile(`pool!?="([^"]*)"`).FindAllStringSubmatch(rules, -1) {
		if m[1] != "shared" && m[1] != "read" && m[1] != "write" {
			t.Errorf("a rule names the pool %q: the pools are shared, read and write", m[1])
		}
	}
	// What the production checklist says to alert on has a rule: a
	// server error rate and slow answers, from the request series.
	read := map[string]bool{}
	for _, x := range exprs {
		for _, n := range metricNames(x) {
			read[n] = true
		}
	}
	for _, n := range []string{"waymark_http_requests_total", "waymark_http_request_duration_seconds"} {
		if !read[n] {
			t.Errorf("no rule reads %s: the production checklist asks for alerts on the error rate and latency", n)
		}
	}
	// The check itself catches a misspelt name.
	if n := metricNames(`max(waymark_mail_oldest_pending_age) > 900`); len(n) != 1 || known[n[0]] {
		t.Fatalf("a misspelt metric was not caught: %v", n)
	}
}

// alertExpressions are the expr: values of a rules file (one line each).
func alertExpressions(rules string) []string {
	var out []string
	for _, line := range strings.Split(rules, "\n") {
		if x, ok := strings.CutPrefix(strings.TrimSpace(line), "expr:"); ok {
			out = append(out, strings.TrimSpace(x))
		}
	}
	return out
}

var (
	promStrings   = regexp.MustCompile(`"[^"]*"`)
	promMatchers  = regexp.MustCompile(`\{[^}]*\}`)
	promRanges    = regexp.MustCompile(`\[[^\]]*\]`)
	promGrouping  = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promIdent     = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*(\s*\()?`)
	promKeywords  = map[string]bool{"and": true, "or": true, "unless": true, "bool": true, "offset": true}
	histogramPart = regexp.MustCompile(`_(bucket|sum|count)$`)
)

// metricNames are the metric names a PromQL expression reads: what is
// left once strings, label matchers, ranges, grouping clauses, functions
// and keywords are taken out.
func metricNames(expr string) []string {
	x := promStrings.ReplaceAllString(expr, "")
	x = promMatchers.ReplaceAllString(x, "")
	x = promRanges.ReplaceAllString(x, "")
	x = promGrouping.ReplaceAllString(x, "")
	var out []string
	for _, m := range promIdent.FindAllStringSubmatch(x, -1) {
		if m[1] != "" || promKeywords[m[0]] { // a function or aggregation, or a keyword
			continue
		}
		out = append(out, histogramPart.ReplaceAllString(m[0], ""))
	}
	return out
}

// requestLines are the "request" lines a JSON log holds.
func requestLines(t *testing.T, logs *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["msg"] == "request" {
			out = append(out, rec)
		}
	}
	return out
}

// Each request is logged once with who asked (by id) and from where (the
// proxy's header when one is configured), under the route pattern, never
// the case id in the path, and never a name or an email address. An
// incoming request id is kept, sent back, and stored with the audit
// entries the request wrote, so the log line and the audit join.
func TestEachRequestIsLoggedOnceWithWhoAndWhereAndItsIDJoinsTheAudit(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		var logs bytes.Buffer
		e := newEnv(t, db, func(c *Config) {
			c.Log = slog.New(slog.NewJSONHandler(&logs, nil))
			c.Limits.ClientIPHeader = "X-Forwarded-For"
		})
		token := e.signInAPI(e.p.Teacher.User.Email)
		id := e.raiseCase()
		logs.Reset()
		r := httptest.NewRequest("GET", "/api/v1/cases/"+id, nil)
		r.Header.Set("Authorization", "Bearer "+token)
		r.Header.Set("X-Request-Id", "lb-7f3a9c21-0001")
		r.Header.Set("X-Forwarded-For", "203.0.113.9, 198.51.100.7")
		r.RemoteAddr = "10.0.0.2:51234"
		rec := e.serve(r)
		if rec.Code != http.StatusOK || rec.Header().Get("X-Request-Id") != "lb-7f3a9c21-0001" {
			t.Fatalf("reading the case: %d, request id %q", rec.Code, rec.Header().Get("X-Request-Id"))
		}
		lines := requestLines(t, &logs)
		if len(lines) != 1 {
			t.Fatalf("%d request lines for one request:\n%s", len(lines), logs.String())
		}
		want := map[string]any{"method": "GET", "route": "GET /api/v1/cases/{id}", "status": float64(200), "request_id": "lb-7f3a9c21-0001",
			"user_id": e.p.Teacher.User.ID, "org_id": e.p.Teacher.User.OrgID, "client_ip": "198.51.100.7"}
		for k, v := range want {
			if lines[0][k] != v {
				t.Errorf("log field %s = %v, want %v", k, lines[0][k], v)
			}
		}
		if _, ok := lines[0]["duration"]; !ok {
			t.Error("the log line has no duration")
		}
		for _, secret := range []string{id, e.p.Teacher.User.Email, e.p.Teacher.User.Name, "Amira"} {
			if strings.Contains(logs.String(), secret) {
				t.Errorf("the log gives away %q:\n%s", secret, logs.String())
			}
		}
		var n int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE request_id = $1 AND case_id = $2 AND actor_id = $3`, "lb-7f3a9c21-0001", id, e.p.Teacher.User.ID).Scan(&n); err != nil || n == 0 {
			t.Fatalf("no audit entry of the read carries the request id (%d, %v)", n, err)
		}
		if _, err := db.Verify(context.Background(), store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("the history with request ids: %v", err)
		}

		// Without the proxy header, the connection's address; before
		// sign-in, nobody.
		logs.Reset()
		r = httptest.NewRequest("GET", "/sign-in", nil)
		r.RemoteAddr = "192.0.2.44:40000"
		e.serve(r)
		lines = requestLines(t, &logs)
		if len(lines) != 1 || lines[0]["client_ip"] != "192.0.2.44" || lines[0]["user_id"] != "" || lines[0]["route"] != "GET /sign-in" {
			t.Fatalf("an anonymous request's line: %v", lines)
		}
	})
}

// An incoming X-Request-Id that could break a log line, a header or an
// audit row is not taken: a new id is made and sent back.
func TestAnUnsafeIncomingRequestIDIsReplaced(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	made := regexp.MustCompile(`^[0-9a-f]{16}$`)
	for _, bad := range []string{"", "has space", strings.Repeat("a", 129), "tab\there", "caf\u00e9", "del\x7f", "new\nline"} {
		r := httptest.NewRequest("GET", "/healthz", nil)
		r.Header["X-Request-Id"] = []string{bad}
		rec := e.serve(r)
		if got := rec.Header().Get("X-Request-Id"); got == bad || !made.MatchString(got) {
			t.Errorf("incoming %q: sent back %q", bad, got)
		}
	}
	for _, good := range []string{"a", strings.Repeat("z", 128), "0b1c-22:33/44+55=_~!"} {
		r := httptest.NewRequest("GET", "/healthz", nil)
		r.Header.Set("X-Request-Id", good)
		if got := e.serve(r).Header().Get("X-Request-Id"); got != good {
			t.Errorf("incoming %q: sent back %q", good, got)
		}
	}
}

// §9: while an erasure's scrub of a SQLite file is still to be done (a long
// reader, an export or a backup, keeps the WAL from being truncated), the
// gauge the operations guide alerts on says 1, and once the background
// checkpoint has done it, 0. The scrub is the one an erasure runs; here it
// is asked for by a request that ended before it could finish, which
// leaves it to the background checkpoint just as a long reader does.
func TestTheMetricsSayAnErasuresScrubIsPendingUntilItIsDone(t *testing.T) {
	if testing.Short() {
		t.Skip("watches the background checkpoint for seconds: in the full run")
	}
	db := storetest.SQLite(t)
	e := newEnv(t, db, withMetricsToken)
	gauge := regexp.MustCompile(`(?m)^waymark_db_erasure_scrub_pending (\S+)$`)
	pending := func() string {
		t.Helper()
		m := gauge.FindStringSubmatch(scrape(t, e.srv))
		if m == nil {
			t.Fatal("/metrics has no waymark_db_erasure_scrub_pending")
		}
		return m[1]
	}
	waitFor := func(want string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for pending() != want {
			if time.Now().After(deadline) {
				t.Fatalf("waymark_db_erasure_scrub_pending stayed %s for 30 s, want %s", pending(), want)
			}
			time.Sleep(20 * time.Millisecond) // polling the background checkpoint, not timing it
		}
	}
	waitFor("0") // a scrub is pending for a moment after every start

	// A long reader takes its snapshot, then a case is raised past it.
	holding, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- db.View(context.Background(), func(tx *store.Tx) error {
			if _, err := tx.OrganisationByID(e.p.ChildrensServices.ID); err != nil {
				return err
			}
			close(holding)
			<-release
			return nil
		})
	}()
	select {
	case <-holding:
	case err := <-done:
		t.Fatalf("the long read: %v", err)
	}
	e.raiseCase()
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	if err := db.Scrub(ended); err == nil {
		t.Fatal("a scrub asked for by a request that had ended said it was done: the test proves nothing")
	}
	// The background checkpoint tries again a second or more later (its
	// scrub gap), and fails while the reader holds the WAL: the gauge must
	// still say 1 after such a try, so it is watched for well past one.
	for watch := time.Now().Add(2500 * time.Millisecond); time.Now().Before(watch); {
		if got := pending(); got != "1" {
			t.Fatalf("with an erasure's scrub still to do, waymark_db_erasure_scrub_pending is %s, want 1", got)
		}
		time.Sleep(50 * time.Millisecond) // watching the background checkpoint, not timing it
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	waitFor("0")
}
