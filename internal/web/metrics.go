package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"waymark/internal/buildinfo"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// metrics are the series /metrics exposes, kept in a registry of the
// server's own (github.com/prometheus/client_golang), never the library's
// global default one: request counts by route and status, a duration
// histogram by route, database transaction and statement durations, the
// connection pool, the alert-mail queue, the audit chain, running
// deadlines, background jobs and the single sign-on re-checks that could
// not reach the provider, the build, the process's uptime, and the Go
// runtime's and process's standard series. docs/operations.md
// ("Monitoring") lists every one. Counts only: no series names a case, a
// child or a person, and no label takes a value from a request beyond its
// route pattern.
type metrics struct {
	registry    *prometheus.Registry
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	txDuration  *prometheus.HistogramVec
	sqlDuration *prometheus.HistogramVec
}

var bounds = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

// dbBounds are finer: most statements take well under a millisecond.
var dbBounds = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

// buildVersion is the version waymark_build_info reports: the same as
// `waymark version` (the release set at build time, else the commit).
var buildVersion = buildinfo.Version

// clocksDueWithin is how far ahead waymark_clocks_due_soon looks.
const clocksDueWithin = 2 * time.Hour

// gaugesFor is how long one read of the database's counts answers scrapes:
// several Prometheus servers, or a fast scrape interval, cost one read.
const gaugesFor = 15 * time.Second

func newMetrics(s *Server) *metrics {
	started := time.Now()
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "waymark_http_requests_total", Help: "HTTP requests by route pattern and status.",
		}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "waymark_http_request_duration_seconds", Help: "HTTP request duration by route pattern.", Buckets: bounds,
		}, []string{"route"}),
		txDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "waymark_db_transaction_duration_seconds", Help: "Database transaction duration, from asking for one (any wait for a connection, or at the SQLite read gate while a case write holds the write connection, included) to commit or rollback, by kind (update, view).", Buckets: dbBounds,
		}, []string{"kind"}),
		sqlDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "waymark_db_query_duration_seconds", Help: "Duration of one SQL statement inside a transaction, by kind (exec, query).", Buckets: dbBounds,
		}, []string{"kind"}),
	}
	m.registry.MustRegister(m.requests, m.duration, m.txDuration, m.sqlDuration,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "waymark_uptime_seconds", Help: "Seconds since the process started."},
			func() float64 { return time.Since(started).Seconds() }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "waymark_build_info", Help: "Always 1: the version this binary was built as, and the Go release that built it.",
			ConstLabels: prometheus.Labels{"version": buildVersion(), "goversion": runtime.Version()}}, func() float64 { return 1 }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	if s.db != nil {
		m.registry.MustRegister(&poolCollector{db: s.db}, &stateCollector{s: s})
	}
	return m
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

// ObserveTransaction and ObserveStatement receive the store's timings (store.Timings).
func (m *metrics) ObserveTransaction(kind string, d time.Duration) {
	m.txDuration.WithLabelValues(kind).Observe(d.Seconds())
}

func (m *metrics) ObserveStatement(kind string, d time.Duration) {
	m.sqlDuration.WithLabelValues(kind).Observe(d.Seconds())
}

// handleMetrics is /metrics on the main listener: not there at all (404)
// unless a bearer token is configured, and then only with it. A separate
// listener (MetricsHandler) is how it is served without a token.
func (s *Server) handleMetrics() http.Handler {
	if len(s.metricsToken) == 0 {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.fail(w, r, http.StatusNotFound, "If you typed the web address, check it is correct. If you followed a link to a case, you may not be a member of it.")
		})
	}
	return s.MetricsHandler()
}

// MetricsHandler serves the metrics, asking for the bearer token when one
// is configured: for the separate metrics listener (--metrics-addr).
func (s *Server) MetricsHandler() http.Handler {
	h := promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{ErrorLog: slogPrintln{s}, ErrorHandling: promhttp.ContinueOnError})
	if len(s.metricsToken) == 0 {
		return h
	}
	want := sha256.Sum256(s.metricsToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		got := sha256.Sum256([]byte(token)) // equal lengths: the comparison takes the same time whatever was sent
		if !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="waymark-metrics"`)
			http.Error(w, "metrics need the bearer token configured with --metrics-token-file", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// slogPrintln logs what promhttp could not serve.
type slogPrintln struct{ s *Server }

func (l slogPrintln) Println(v ...any) {
	l.s.log.Warn("serving metrics", "err", strings.TrimSpace(fmt.Sprintln(v...)))
}

// poolCollector reports the database connection pool (sql.DBStats) as it
// is at the scrape.
type poolCollector struct{ db *store.DB }

var (
	// The pool label: "shared", or on a SQLite file "read" and "write"
	// (store.Pool).
	poolLabel = []string{"pool"}
	poolInUse = prometheus.NewDesc("waymark_db_pool_in_use", "Database connections in use now.", poolLabel, nil)
	poolIdle  = prometheus.NewDesc("waymark_db_pool_idle", "Idle database connections now.", poolLabel, nil)
	poolOpen  = prometheus.NewDesc("waymark_db_pool_open", "Open database connections now, in use or idle.", poolLabel, nil)
	poolMax   = prometheus.NewDesc("waymark_db_pool_max_open", "The most database connections the pool may open (0: no limit).", poolLabel, nil)
	poolWaitN = prometheus.NewDesc("waymark_db_pool_waiting", "Transactions waiting for a free database connection now.", nil, nil)
	poolWaits = prometheus.NewDesc("waymark_db_pool_waits_total", "Times a transaction waited for a free database connection.", poolLabel, nil)
	poolWait  = prometheus.NewDesc("waymark_db_pool_wait_seconds_total", "Time spent waiting for a free database connection.", poolLabel, nil)
	gateWaits = prometheus.NewDesc("waymark_db_read_gate_waits_total", "Reads that waited on a SQLite file because a case write held the write connection, another read was running and the gate had budget left (0 without a read gate: PostgreSQL, or one shared connection).", nil, nil)
	gateWait  = prometheus.NewDesc("waymark_db_read_gate_wait_seconds_total", "Time reads spent waiting at the SQLite read gate.", nil, nil)
	scrubbing = prometheus.NewDesc("waymark_db_erasure_scrub_pending", "1 while an erasure's scrub of the SQLite file is still to be done (the erased case's old pages may still be in the WAL); 0 otherwise, and always on PostgreSQL.", nil, nil)
)

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolInUse, poolIdle, poolOpen, poolMax, poolWaitN, poolWaits, poolWait, gateWaits, gateWait, scrubbing} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	for _, p := range c.db.Pools() {
		ch <- prometheus.MustNewConstMetric(poolInUse, prometheus.GaugeValue, float64(p.InUse), p.Name)
		ch <- prometheus.MustNewConstMetric(poolIdle, prometheus.GaugeValue, float64(p.Idle), p.Name)
		ch <- prometheus.MustNewConstMetric(poolOpen, prometheus.GaugeValue, float64(p.OpenConnections), p.Name)
		ch <- prometheus.MustNewConstMetric(poolMax, prometheus.GaugeValue, float64(p.MaxOpenConnections), p.Name)
		ch <- prometheus.MustNewConstMetric(poolWaits, prometheus.CounterValue, float64(p.WaitCount), p.Name)
		ch <- prometheus.MustNewConstMetric(poolWait, prometheus.CounterValue, p.WaitDuration.Seconds(), p.Name)
	}
	ch <- prometheus.MustNewConstMetric(poolWaitN, prometheus.GaugeValue, float64(c.db.Waiting()))
	g, _ := c.db.ReadGate() // zero without a gate
	ch <- prometheus.MustNewConstMetric(gateWaits, prometheus.CounterValue, float64(g.Waits))
	ch <- prometheus.MustNewConstMetric(gateWait, prometheus.CounterValue, g.Wait.Seconds())
	pending := 0.0
	if c.db.ScrubPending() {
		pending = 1
	}
	ch <- prometheus.MustNewConstMetric(scrubbing, prometheus.GaugeValue, pending)
}

// stateCollector reports what the database holds that an on-call engineer
// alerts on, read at most once every gaugesFor, and the background jobs.
type stateCollector struct {
	s *Server

	mu     sync.Mutex
	at     time.Time
	gauges store.Gauges
	err    error
	errors float64
}

var (
	mailPending    = prometheus.NewDesc("waymark_mail_pending", "Alert emails not yet sent that will be tried again.", nil, nil)
	mailFailed     = prometheus.NewDesc("waymark_mail_failed", "Alert emails given up after their last try (the alerts stay on the recipients' alerts pages).", nil, nil)
	mailOldest     = prometheus.NewDesc("waymark_mail_oldest_pending_age_seconds", "Age of the oldest alert email not yet sent that will be tried again (0: none).", nil, nil)
	mailRelay      = prometheus.NewDesc("waymark_mail_relay_configured", "1 when an SMTP relay is configured, so alert emails are sent by this process.", nil, nil)
	remindersDue   = prometheus.NewDesc("waymark_reminders_due", "Email reminders due to go now and not yet sent (a lasting count means the reminder loop is stuck or the relay refuses them).", nil, nil)
	remindersAge   = prometheus.NewDesc("waymark_reminders_oldest_due_age_seconds", "How long the oldest email reminder due and not yet sent has waited (0: none).", nil, nil)
	remindersLost  = prometheus.NewDesc("waymark_reminders_given_up_last_day", "Email reminders given up in the last 24 hours after every try failed.", nil, nil)
	auditEntries   = prometheus.NewDesc("waymark_audit_chain_entries", "Entries in the audit chain.", nil, nil)
	auditVerified  = prometheus.NewDesc("waymark_audit_last_verified_timestamp_seconds", "When `waymark verify --record` or `waymark audit verify --record` last found the chain intact (Unix time; 0: never).", nil, nil)
	checkpointAt   = prometheus.NewDesc("waymark_checkpoint_last_signed_timestamp_seconds", "When the newest signed checkpoint of the history was made, by any replica or command (Unix time; 0: never).", nil, nil)
	clocksOverdue  = prometheus.NewDesc("waymark_clocks_overdue", "Running deadlines that have passed, by clock kind (counts only).", []string{"kind"}, nil)
	clocksSoon     = prometheus.NewDesc("waymark_clocks_due_soon", "Running deadlines due in the next 2 hours, by clock kind (counts only).", []string{"kind"}, nil)
	workerLast     = prometheus.NewDesc("waymark_worker_last_success_timestamp_seconds", "When each background job this process runs last succeeded (Unix time; 0: not yet).", []string{"worker"}, nil)
	ssoUnreachable = prometheus.NewDesc("waymark_sso_recheck_unreachable_total", "Single sign-on re-checks by this process that could not reach the identity provider (the person keeps access and is asked again a minute later).", nil, nil)
	readErrors     = prometheus.NewDesc("waymark_metrics_read_errors_total", "Times reading the database's counts for /metrics failed (the counts are then left out).", nil, nil)
)

// clockKinds are always reported, 0 when none is running, so that a rule
// on them never sees a series vanish.
var clockKinds = []pathway.ClockKind{
	pathway.ClockNotifyChildrensServices, pathway.ClockOutcomeToReferrer, pathway.ClockMeetingAction,
	pathway.ClockNRMReasonableGrounds, pathway.ClockNRMEarliestConclusiveGrounds, pathway.ClockReturnInterview,
	pathway.ClockUKVIConfirmation, pathway.ClockPlacementMissingRisk,
}

// safeLabel: a clock kind read from the database becomes a label only if
// it looks like one; anything else is counted as "other".
var safeLabel = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{mailPending, mailFailed, mailOldest, mailRelay, remindersDue, remindersAge, remindersLost, auditEntries, auditVerified, checkpointAt, clocksOverdue, clocksSoon, workerLast, ssoUnreachable, readErrors} {
		ch <- d
	}
}

func (c *stateCollector) read(now time.Time) (store.Gauges, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() || now.Sub(c.at) >= gaugesFor || now.Before(c.at) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c.gauges, c.err = c.s.db.ReadGauges(ctx, now, clocksDueWithin)
		c.at = now
		if c.err != nil {
			c.errors++
			c.s.log.Error("reading the counts for /metrics", "err", c.err)
		}
	}
	return c.gauges, c.err
}

func unix(t *time.Time) float64 {
	if t == nil || t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	now := time.Now()
	if c.s.now != nil {
		now = c.s.now()
	}
	g, err := c.read(now)
	c.mu.Lock()
	ch <- prometheus.MustNewConstMetric(readErrors, prometheus.CounterValue, c.errors)
	c.mu.Unlock()
	relay := 0.0
	if c.s.svc != nil && c.s.svc.Access.Mailer != nil {
		relay = 1
	}
	ch <- prometheus.MustNewConstMetric(mailRelay, prometheus.GaugeValue, relay)
	workers := map[string]time.Time{}
	unreachable := uint64(0)
	if c.s.svc != nil {
		workers = c.s.svc.Workers.Last()
		unreachable = c.s.svc.Workers.SSOUnreachable()
	}
	ch <- prometheus.MustNewConstMetric(ssoUnreachable, prometheus.CounterValue, float64(unreachable))
	if err == nil {
		ch <- prometheus.MustNewConstMetric(mailPending, prometheus.GaugeValue, float64(g.MailPending))
		ch <- prometheus.MustNewConstMetric(mailFailed, prometheus.GaugeValue, float64(g.MailFailed))
		oldest := 0.0
		if g.MailOldestPending != nil {
			oldest = max(0, now.Sub(*g.MailOldestPending).Seconds())
		}
		ch <- prometheus.MustNewConstMetric(mailOldest, prometheus.GaugeValue, oldest)
		ch <- prometheus.MustNewConstMetric(remindersDue, prometheus.GaugeValue, float64(g.RemindersDue))
		waited := 0.0
		if g.RemindersOldestDue != nil {
			waited = max(0, now.Sub(*g.RemindersOldestDue).Seconds())
		}
		ch <- prometheus.MustNewConstMetric(remindersAge, prometheus.GaugeValue, waited)
		ch <- prometheus.MustNewConstMetric(remindersLost, prometheus.GaugeValue, float64(g.RemindersGivenUp))
		ch <- prometheus.MustNewConstMetric(auditEntries, prometheus.GaugeValue, float64(g.AuditEntries))
		ch <- prometheus.MustNewConstMetric(auditVerified, prometheus.GaugeValue, unix(g.LastVerified))
		ch <- prometheus.MustNewConstMetric(checkpointAt, prometheus.GaugeValue, unix(g.LastCheckpoint))
		overdue, soon := map[string]float64{}, map[string]float64{}
		for _, k := range clockKinds {
			overdue[string(k)], soon[string(k)] = 0, 0
		}
		for k, n := range g.ClocksOverdue {
			overdue[labelOf(k)] += float64(n)
		}
		for k, n := range g.ClocksDueSoon {
			soon[labelOf(k)] += float64(n)
		}
		for k, n := range overdue {
			ch <- prometheus.MustNewConstMetric(clocksOverdue, prometheus.GaugeValue, n, k)
		}
		for k, n := range soon {
			ch <- prometheus.MustNewConstMetric(clocksSoon, prometheus.GaugeValue, n, k)
		}
		// Checkpoints are signed into the audit log, by whichever replica
		// or command made them: the newest one there is the job's last run.
		if _, ok := workers[casework.WorkerCheckpoint]; ok && g.LastCheckpoint != nil && g.LastCheckpoint.After(workers[casework.WorkerCheckpoint]) {
			workers[casework.WorkerCheckpoint] = *g.LastCheckpoint
		}
	}
	for name, at := range workers {
		ch <- prometheus.MustNewConstMetric(workerLast, prometheus.GaugeValue, unix(&at), name)
	}
}

func labelOf(kind string) string {
	if safeLabel.MatchString(kind) {
		return kind
	}
	return "other"
}
