package web

import (
	"regexp"
	"testing"

	"waymark/internal/buildinfo"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// A release build sets its version with -X main.version, which main passes
// to buildinfo.SetRelease before anything asks; the tests do the same.
func init() { buildinfo.SetRelease("v0.0.0-metrics-test") }

// waymark_build_info names the same version as `waymark version`: an
// operator checking which build a replica runs after an upgrade reads one
// or the other, and they must agree.
func TestTheMetricsNameTheVersionWaymarkVersionPrints(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		body := scrape(t, e.srv.MetricsHandler())
		m := regexp.MustCompile(`waymark_build_info\{[^}]*version="([^"]*)"`).FindStringSubmatch(body)
		if m == nil || m[1] != buildinfo.Version() {
			t.Fatalf("waymark_build_info names version %q; waymark version prints %q", m, buildinfo.Version())
		}
	})
}
