package web

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"
)

// metrics is a small Prometheus text-format exporter: request counts by
// route and status, and a duration histogram by route. It avoids a client
// library for the handful of series Waymark exposes.
type metrics struct {
	mu       sync.Mutex
	requests map[[2]string]uint64 // route, status
	buckets  map[string][]uint64  // route -> counts per bound, cumulative at write time
	sums     map[string]float64
	counts   map[string]uint64
	started  time.Time
}

var bounds = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

func newMetrics() *metrics {
	return &metrics{requests: map[[2]string]uint64{}, buckets: map[string][]uint64{}, sums: map[string]float64{}, counts: map[string]uint64{}, started: time.Now()}
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	sec := d.Seconds()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[[2]string{route, strconv.Itoa(status)}]++
	b := m.buckets[route]
	if b == nil {
		b = make([]uint64, len(bounds))
		m.buckets[route] = b
	}
	for i, le := range bounds {
		if sec <= le {
			b[i]++
			break
		}
	}
	m.sums[route] += sec
	m.counts[route]++
}

func (m *metrics) write(w io.Writer, extra func(io.Writer)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintln(w, "# HELP waymark_http_requests_total HTTP requests by route pattern and status.")
	fmt.Fprintln(w, "# TYPE waymark_http_requests_total counter")
	keys := make([][2]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		fmt.Fprintf(w, "waymark_http_requests_total{route=%q,status=%q} %d\n", k[0], k[1], m.requests[k])
	}
	fmt.Fprintln(w, "# HELP waymark_http_request_duration_seconds HTTP request duration by route pattern.")
	fmt.Fprintln(w, "# TYPE waymark_http_request_duration_seconds histogram")
	routes := make([]string, 0, len(m.buckets))
	for r := range m.buckets {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, r := range routes {
		var cum uint64
		for i, le := range bounds {
			cum += m.buckets[r][i]
			fmt.Fprintf(w, "waymark_http_request_duration_seconds_bucket{route=%q,le=%q} %d\n", r, strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		fmt.Fprintf(w, "waymark_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", r, m.counts[r])
		fmt.Fprintf(w, "waymark_http_request_duration_seconds_sum{route=%q} %g\n", r, m.sums[r])
		fmt.Fprintf(w, "waymark_http_request_duration_seconds_count{route=%q} %d\n", r, m.counts[r])
	}
	fmt.Fprintln(w, "# HELP waymark_uptime_seconds Seconds since the process started.")
	fmt.Fprintln(w, "# TYPE waymark_uptime_seconds gauge")
	fmt.Fprintf(w, "waymark_uptime_seconds %g\n", time.Since(m.started).Seconds())
	if extra != nil {
		extra(w)
	}
}

func (s *Server) handleMetrics() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		s.metrics.write(w, nil)
	})
}
