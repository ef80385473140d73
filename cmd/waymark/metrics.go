package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"waymark/internal/casework"
	"waymark/internal/store"
	"waymark/internal/web"
)

// metricsConfig says where /metrics is served (docs/operations.md,
// "Monitoring"): on a listener of its own, behind a bearer token, or both.
// With neither, it is not served at all.
type metricsConfig struct {
	addr      string // --metrics-addr
	tokenFile string // --metrics-token-file
	// hashTiming: answers that checked a password say the hash's time in
	// Server-Timing (--server-timing-hash; web.Config.HashTiming).
	hashTiming bool
}

func (m *metricsConfig) flags(fs *flag.FlagSet) {
	fs.StringVar(&m.addr, "metrics-addr", "", "address of a separate listener for /metrics, e.g. 127.0.0.1:9090; empty: none (WAYMARK_METRICS_ADDR)")
	fs.StringVar(&m.tokenFile, "metrics-token-file", "", "file holding the bearer token /metrics asks for; with it, /metrics is served on the main listener too (WAYMARK_METRICS_TOKEN_FILE)")
	fs.BoolVar(&m.hashTiming, "server-timing-hash", false, "load runs only: answers that checked a password say the hash's time in a Server-Timing header, which helps a stranger tell accounts apart; never on a service others can reach (WAYMARK_SERVER_TIMING_HASH)")
}

// minMetricsToken is the shortest token accepted: long enough not to be guessed.
const minMetricsToken = 32

// token reads the bearer token, if a file is named: a file other users can
// read is refused, surrounding white space is dropped (a trailing newline),
// and a short token is refused.
func (m *metricsConfig) token() ([]byte, error) {
	if m.tokenFile == "" {
		return nil, nil
	}
	info, err := os.Stat(m.tokenFile)
	if err != nil {
		return nil, fmt.Errorf("--metrics-token-file: %w", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("--metrics-token-file: %s can be read by other users (mode %04o): run `chmod 600 %s`, then start Waymark again", m.tokenFile, info.Mode().Perm(), m.tokenFile)
	}
	b, err := os.ReadFile(m.tokenFile)
	if err != nil {
		return nil, fmt.Errorf("--metrics-token-file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) < minMetricsToken {
		return nil, fmt.Errorf("--metrics-token-file: the token in %s is %d characters; use at least %d, for instance from `openssl rand -hex 32`", m.tokenFile, len(tok), minMetricsToken)
	}
	if strings.ContainsAny(tok, " \t\r\n") {
		return nil, fmt.Errorf("--metrics-token-file: the token in %s must be one line with no spaces", m.tokenFile)
	}
	return []byte(tok), nil
}

// check refuses what serve would refuse of the metrics settings, without
// listening: an address that is not host:port, and a token file that is
// missing, readable by others or too short.
func (m *metricsConfig) check() error {
	var errs []error
	if m.addr != "" {
		if _, _, err := net.SplitHostPort(m.addr); err != nil {
			errs = append(errs, fmt.Errorf("--metrics-addr %q is not HOST:PORT: %w", m.addr, err))
		}
	}
	if _, err := m.token(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// serve starts the separate metrics listener, when one is configured, and
// returns the function that stops it. It serves /metrics and nothing else.
func (m *metricsConfig) serve(srv *web.Server, log *slog.Logger, stdout io.Writer) (stop func(context.Context) error, err error) {
	if m.addr == "" {
		return func(context.Context) error { return nil }, nil
	}
	ln, err := net.Listen("tcp", m.addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", srv.MetricsHandler())
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("the metrics listener stopped", "err", err)
		}
	}()
	fmt.Fprintf(stdout, "Metrics are served on http://%s/metrics\n", ln.Addr())
	log.Info("serving metrics", "addr", ln.Addr().String())
	return func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second) // a scrape takes well under a second
		defer cancel()
		return hs.Shutdown(ctx)
	}, nil
}

// recordFlag adds --record to a verify command (when on): checking
// commands write nothing unless asked to.
func recordFlag(fs *flag.FlagSet, on bool) *bool {
	if !on {
		return new(bool)
	}
	return fs.Bool("record", false, "when the chain verifies, append one audit.verified entry, which monitoring reads (waymark_audit_last_verified_timestamp_seconds): for the scheduled run")
}

// recordVerified notes in the audit log that the chain was found intact,
// when --record asks for it. The verdict stands if the note cannot be
// written: that is reported, not fatal.
func recordVerified(ctx context.Context, db *store.DB, record bool, entries int64, stderr io.Writer) {
	if !record {
		return
	}
	if err := db.RecordVerified(ctx, time.Now(), entries); err != nil {
		fmt.Fprintf(stderr, "warning: the verification was not recorded in the audit log, so monitoring will not see it: %v\n", err)
	}
}

// expectWorkers names the background jobs serve runs whose last run
// /metrics reports before their first run (the alert mailer and the single
// sign-on re-checks' sweep name themselves).
func expectWorkers(c *config, db *store.DB, svc *casework.Service) {
	if c.checkpoint.interval > 0 && db.KeyRing() != nil { // as startCheckpoints decides
		svc.Workers.Expect(casework.WorkerCheckpoint)
	}
}
