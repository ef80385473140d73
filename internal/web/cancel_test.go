package web

import (
	"bytes"
	"context"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// lockedLog is a log the server writes from its handlers and the test reads.
type lockedLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// A client that gives up on a request (a browser stopped, a load run
// ended) is not an internal error: nothing failed on this side, and the
// transaction it was in rolled back. It is logged at info level as
// cancelled, never as "internal error", and answered 499 (nobody reads it),
// on the API and on the pages alike.
func TestARequestItsClientGaveUpOnIsNotAnInternalError(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		logs := &lockedLog{}
		e := newEnv(t, db, func(c *Config) {
			c.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
		})
		token := e.signInAPI(e.p.CSWorker.User.Email)
		for _, path := range []string{"/api/v1/cases", "/api/v1/inbox"} {
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // the client has gone before the server reads anything
			r := httptest.NewRequest("GET", path, nil).WithContext(ctx)
			r.Header.Set("Authorization", "Bearer "+token)
			rec := e.serve(r)
			if rec.Code != StatusClientClosedRequest {
				t.Errorf("GET %s after the client gave up: %d %s", path, rec.Code, rec.Body)
			}
		}
		// A page answers through failErr: the same decision.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		rec := httptest.NewRecorder()
		e.srv.failErr(rec, httptest.NewRequest("GET", "/inbox", nil).WithContext(ctx), fmt.Errorf("store: reading the inbox: %w", context.Canceled))
		if rec.Code != StatusClientClosedRequest {
			t.Errorf("a page whose client gave up: %d", rec.Code)
		}
		// PostgreSQL's driver names a query cut short by the client's
		// going as a bad connection: the same event.
		rec = httptest.NewRecorder()
		e.srv.failErr(rec, httptest.NewRequest("GET", "/inbox", nil).WithContext(ctx), fmt.Errorf("store: reading the inbox: %w", driver.ErrBadConn))
		if rec.Code != StatusClientClosedRequest {
			t.Errorf("a page whose query was cut short as a bad connection when its client gave up: %d", rec.Code)
		}
		if strings.Contains(logs.String(), "internal error") || !strings.Contains(logs.String(), "request cancelled by the client") {
			t.Fatalf("the log of requests their clients gave up on:\n%s", logs.String())
		}
		// A bad connection while the client is still waiting is a real failure.
		rec = httptest.NewRecorder()
		e.srv.failErr(rec, httptest.NewRequest("GET", "/inbox", nil), fmt.Errorf("store: reading the inbox: %w", driver.ErrBadConn))
		if rec.Code != http.StatusInternalServerError {
			t.Errorf("a bad connection with the client still there: %d, want 500", rec.Code)
		}
	})
}
