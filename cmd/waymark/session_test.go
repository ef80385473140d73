package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark/internal/casework"
)

// Session limits that cannot be meant are refused by check and by serve,
// every one at once: a warning no earlier than the end (WCAG 2.2.1 needs
// time to act on it), a lifetime shorter than the idle time-out, answers
// kept for no time at all.
func TestSessionLimitsThatCannotBeMeantAreRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	newDatabase(t, "--data", dir)
	var out bytes.Buffer
	err := run(context.Background(), []string{"check", "--data", dir, "--insecure-no-encryption",
		"--session-idle", "1m", "--session-lifetime", "30s", "--session-warning", "20s", "--keep-answers", "5m"}, env(nil), nil, &out, io.Discard)
	if err == nil {
		t.Fatalf("check passed:\n%s", out.String())
	}
	for _, want := range []string{"problem: --session-idle must be between 5m and 24h", "problem: --session-lifetime must be at least --session-idle",
		"problem: --session-warning must be at least 1m", "problem: --keep-answers must be between 1h and 7 days"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check did not report %q:\n%s", want, out.String())
		}
	}
	for _, bad := range [][]string{{"--session-warning", "30m"}, {"--session-lifetime", "10m"}, {"--keep-answers", "0"}} {
		err := run(context.Background(), append([]string{"serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "none")}, bad...), env(nil), nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("serve %v on no database: %v", bad, err)
		}
	}
	// From the environment, like every other setting.
	err = run(context.Background(), []string{"check", "--data", dir, "--insecure-no-encryption"}, env(map[string]string{"WAYMARK_SESSION_WARNING": "45m"}), nil, &out, io.Discard)
	if err == nil || !strings.Contains(out.String(), "--session-warning must be at least 1m and less than --session-idle (30m0s), not 45m0s") {
		t.Errorf("WAYMARK_SESSION_WARNING=45m: %v\n%s", err, out.String())
	}
}

// The configured limits reach the service.
func TestSessionLimitsReachTheService(t *testing.T) {
	var c config
	c.session = sessionConfig{idle: 20 * time.Minute, lifetime: 8 * time.Hour, warning: 3 * time.Minute, keepAnswers: 2 * time.Hour}
	if err := c.checkSessions(); err != nil {
		t.Fatal(err)
	}
	svc := &casework.Service{}
	c.applySessions(svc)
	if svc.SessionIdle != c.session.idle || svc.SessionAbsolute != c.session.lifetime || svc.SessionWarning != c.session.warning || svc.SavedAnswersFor != c.session.keepAnswers {
		t.Errorf("service: idle %s, lifetime %s, warning %s, kept %s", svc.SessionIdle, svc.SessionAbsolute, svc.SessionWarning, svc.SavedAnswersFor)
	}
}
