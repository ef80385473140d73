// Command waymark-load drives a running Waymark through its JSON API for a
// fixed time and reports, per operation, the count, errors by status and
// p50/p95/p99/max latency, the overall throughput and, given --server-pid,
// the server's RSS and CPU time (read from /proc: Linux only). Requests
// whose answer says in Server-Timing how long the server spent on a
// password hash (sign-ins) are reported a second time less that hash, the
// figure issue 10's sign-in target is set on.
//
// `waymark-load seed` (seed.go) first fills an empty database with a
// million-case, partnership-shaped fictional dataset for it to drive.
//
// Who the requests are made as:
//   - against the demo (the default), two demo users shared by every client
//     (POST /api/v1/sessions): a practitioner who raises concerns and a
//     Children's Services worker who reads the inbox and cases. Sign-in
//     codes cannot be replayed (access.VerifyTOTP refuses a used step), so
//     the demo's few users cannot each sign in hundreds of times;
//   - against a seeded database (--seeded N, people.go), every simulated
//     person or client signs in as a seeded user of their own, and the mix
//     adds sign-in itself.
//
// It reads the catalogue to build valid concerns, then runs a weighted mix
// of the operations listed at [operations]. Two modes:
//   - closed loop (the default, --concurrency clients): each client sends
//     its next request as soon as the last one is answered, for the
//     maximum throughput;
//   - people (--users N --think 1s-3s): each simulated person does an
//     action, then waits a time drawn uniformly from the think range, as
//     someone reading a page would.
//
// The run stops by itself after --duration or --max-requests, whichever
// comes first.
//
// It writes fictional cases, so it talks only to a server on this machine
// (a loopback address) unless --allow-remote is given for a test server
// whose address is spelled out in --url.
//
//	go run ./cmd/waymark demo --addr 127.0.0.1:8080 --data "$(mktemp -d)" --api-rate-limit 0 &
//	go run ./cmd/waymark-load --url http://127.0.0.1:8080 --duration 30s --concurrency 8
//	go run ./cmd/waymark-load --url http://127.0.0.1:8080 --duration 30s --users 50 --server-pid $!
//
// and against a seeded database (docs/performance.md, "Seeding a million cases"):
//
//	go run ./cmd/waymark-load seed --database /data/w.db --master-key-file /secure/w.keys --cases 1000000
//	go run ./cmd/waymark-load --url http://127.0.0.1:8080 --seeded 150 --users 200 --duration 2m
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"waymark/internal/access"
	"waymark/internal/demo"
	"waymark/internal/pathway"
)

// Hard bounds, whatever the flags say.
const (
	maxDuration    = 10 * time.Minute
	maxConcurrency = 1000
	maxUsers       = 1000
	maxRequests    = 1_000_000
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); errors.Is(err, flag.ErrHelp) {
		return
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "waymark-load:", err)
		os.Exit(1)
	}
}

type config struct {
	target      *url.URL
	duration    time.Duration
	concurrency int
	maxRequests int
	timeout     time.Duration
	referrer    string
	csUser      string
	password    string
	totpSecret  string
	mix         []weighted
	users       int // people mode when above 0
	thinkMin    time.Duration
	thinkMax    time.Duration
	serverPID   int
	seeded      int // partnerships of a `waymark-load seed` database: each person signs in as their own user
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("waymark-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	rawURL := fs.String("url", "http://127.0.0.1:8080", "base URL of the Waymark to load (loopback only unless --allow-remote)")
	allowRemote := fs.Bool("allow-remote", false, "allow a --url that is not a loopback address (it writes fictional cases: never point it at real data)")
	fs.DurationVar(&c.duration, "duration", 30*time.Second, "how long to run (at most "+maxDuration.String()+")")
	fs.IntVar(&c.concurrency, "concurrency", 8, "concurrent clients (at most "+strconv.Itoa(maxConcurrency)+")")
	fs.IntVar(&c.maxRequests, "max-requests", 200_000, "stop after this many requests (at most "+strconv.Itoa(maxRequests)+")")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Second, "per-request timeout")
	fs.StringVar(&c.referrer, "referrer", "teacher@northfield.example", "demo user who raises concerns")
	fs.StringVar(&c.csUser, "cs-user", "cs.worker@eastshire.example", "demo Children's Services user who reads the inbox and cases")
	fs.StringVar(&c.password, "password", demo.Password, "password of both users (default: the demo password)")
	fs.StringVar(&c.totpSecret, "totp-secret", demo.TOTPSecret, "authenticator secret of both users, for the sign-in code (default: the demo users')")
	mix := fs.String("mix", "", "operation weights (default "+closedMix+", or with --users "+peopleMix+", or with --seeded "+seededMix+")")
	fs.IntVar(&c.users, "users", 0, "simulate this many people, each waiting --think between actions (at most "+strconv.Itoa(maxUsers)+"); 0: closed-loop --concurrency clients with no waiting")
	think := fs.String("think", "1s-3s", "with --users, each person's wait between actions, drawn uniformly from MIN-MAX")
	fs.IntVar(&c.seeded, "seeded", 0, "the server's database was filled by `waymark-load seed --partnerships N`: give N, and every person (or closed-loop client) signs in as a seeded user of their own, with the seed's --password and --totp-secret (default: the seed's); 0: the demo's two users, shared")
	fs.IntVar(&c.serverPID, "server-pid", 0, "process id of the server on this machine, to report its RSS and CPU from /proc (Linux only)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.seeded < 0 || c.seeded > maxSeedPartnerships {
		return c, fmt.Errorf("--seeded must be between 0 and %d partnerships, not %d", maxSeedPartnerships, c.seeded)
	}
	if c.seeded > 0 {
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		if !given["password"] {
			c.password = seedPassword
		}
	}
	var err error
	if c.target, err = checkTarget(*rawURL, *allowRemote); err != nil {
		return c, err
	}
	if c.duration <= 0 || c.duration > maxDuration {
		return c, fmt.Errorf("--duration must be between 0 and %s", maxDuration)
	}
	if c.concurrency < 1 || c.concurrency > maxConcurrency {
		return c, fmt.Errorf("--concurrency must be between 1 and %d, not %d", maxConcurrency, c.concurrency)
	}
	if c.users < 0 || c.users > maxUsers {
		return c, fmt.Errorf("--users must be between 0 (closed loop) and %d, not %d", maxUsers, c.users)
	}
	if c.thinkMin, c.thinkMax, err = parseThink(*think); err != nil {
		return c, err
	}
	if c.serverPID < 0 {
		return c, fmt.Errorf("--server-pid must be a process id, not %d", c.serverPID)
	}
	if c.maxRequests < 1 || c.maxRequests > maxRequests {
		return c, fmt.Errorf("--max-requests must be between 1 and %d", maxRequests)
	}
	if c.timeout <= 0 || c.timeout > time.Minute {
		return c, errors.New("--timeout must be between 0 and 1m")
	}
	if *mix == "" {
		switch {
		case c.seeded > 0:
			*mix = seededMix
		case c.users > 0:
			*mix = peopleMix
		default:
			*mix = closedMix
		}
	}
	if c.mix, err = parseMix(*mix); err != nil {
		return c, err
	}
	for _, w := range c.mix {
		if w.op == "signin" && c.seeded == 0 {
			return c, errors.New("--mix: signin needs --seeded: the demo's users are shared, and a sign-in code is accepted once only")
		}
	}
	return c, nil
}

// checkTarget accepts an http(s) URL with no path beyond "/" whose host is a
// loopback address, or any host when allowRemote is set.
func checkTarget(raw string, allowRemote bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("--url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("--url must start with http:// or https://, not %q", raw)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("--url must be a bare base URL such as http://127.0.0.1:8080, not %q", raw)
	}
	u.Path = ""
	if allowRemote {
		return u, nil
	}
	host := u.Hostname()
	if host == "localhost" {
		return u, nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return u, nil
	}
	return nil, fmt.Errorf("--url %s is not a loopback address: this tool writes fictional cases, so it only loads a server on this machine unless --allow-remote is given", raw)
}

type weighted struct {
	op     string
	weight int
}

// operations, each done as the user who would do it:
//
//	case    GET  /api/v1/cases/{id}            Children's Services worker (the case page, with its timeline)
//	inbox   GET  /api/v1/inbox                 Children's Services worker
//	nrm     GET  /api/v1/cases/{id}/nrm-draft  Children's Services worker
//	search  GET  /api/v1/cases?q=…             Children's Services worker
//	mywork  GET  /api/v1/my-work               Children's Services worker
//	note    POST /api/v1/cases/{id}/actions/note  Children's Services worker records an action (a case note),
//	        after reading the case for its version (that read is counted under "case")
//	raise   POST /api/v1/cases                 practitioner (a complete, valid concern)
//	signin POST /api/v1/sessions              with --seeded only: the person signs in again (their own
//	        password and a new sign-in code; the old session is ended, untimed)
var operations = []string{"signin", "case", "inbox", "nrm", "search", "mywork", "note", "raise"}

const (
	closedMix = "case=60,inbox=20,raise=20"
	peopleMix = "inbox=20,case=25,nrm=10,search=15,mywork=15,note=5,raise=10"
)

// parseThink reads MIN-MAX (or one duration) for the wait between a
// person's actions.
func parseThink(s string) (lo, hi time.Duration, err error) {
	a, b, ranged := strings.Cut(s, "-")
	if lo, err = time.ParseDuration(strings.TrimSpace(a)); err == nil {
		hi = lo
		if ranged {
			hi, err = time.ParseDuration(strings.TrimSpace(b))
		}
	}
	if err != nil || lo < 0 || hi < lo || hi > time.Minute {
		return 0, 0, fmt.Errorf("--think must be MIN-MAX such as 1s-3s, with 0 ≤ MIN ≤ MAX ≤ 1m, not %q", s)
	}
	return lo, hi, nil
}

// thinkTime draws a wait uniformly from [lo, hi].
func thinkTime(r *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(r.Int64N(int64(hi-lo)+1))
}

// sleeper waits d or until ctx ends; tests replace it.
type sleeper func(ctx context.Context, d time.Duration) error

// sleep is the people's wait; the tests make it return at once.
var sleep sleeper = sleepCtx

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// person is one simulated person: an action from the mix, then a wait
// drawn from [thinkMin, thinkMax], until ctx ends or act says stop.
func person(ctx context.Context, r *rand.Rand, mix []weighted, thinkMin, thinkMax time.Duration, sleep sleeper, act func(op string) bool) {
	for ctx.Err() == nil {
		if !act(pick(mix, r)) {
			return
		}
		if sleep(ctx, thinkTime(r, thinkMin, thinkMax)) != nil {
			return
		}
	}
}

func parseMix(s string) ([]weighted, error) {
	var out []weighted
	total := 0
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ",") {
		name, w, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(w)
		if !ok || err != nil || n < 0 || n > 1000 {
			return nil, fmt.Errorf("--mix: %q is not op=weight with a weight from 0 to 1000", part)
		}
		known := false
		for _, op := range operations {
			known = known || op == name
		}
		if !known || seen[name] {
			return nil, fmt.Errorf("--mix: %q: operations are %s, each once", name, strings.Join(operations, ", "))
		}
		seen[name] = true
		if n > 0 {
			out = append(out, weighted{name, n})
			total += n
		}
	}
	if total == 0 {
		return nil, errors.New("--mix: give at least one operation a weight above 0")
	}
	return out, nil
}

func pick(mix []weighted, r *rand.Rand) string {
	total := 0
	for _, w := range mix {
		total += w.weight
	}
	n := r.IntN(total)
	for _, w := range mix {
		if n < w.weight {
			return w.op
		}
		n -= w.weight
	}
	return mix[len(mix)-1].op
}

// client is the HTTP side: one connection pool, bearer tokens.
type client struct {
	base    *url.URL
	http    *http.Client
	timeout time.Duration
}

type result struct {
	status int // 0: no answer (network error or timeout)
	body   []byte
	err    error
	hash   time.Duration // the password hashes the server says it ran (Server-Timing "hash"), or 0
}

func (c *client) do(ctx context.Context, method, path, token string, body any, keep bool) result {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return result{err: err}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, rd)
	if err != nil {
		return result{err: err}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	r := result{status: resp.StatusCode, hash: serverHashTime(resp.Header)}
	// Problem documents are always kept, to say why a request failed.
	if keep || resp.StatusCode >= 300 {
		r.body, r.err = io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	} else {
		_, r.err = io.Copy(io.Discard, resp.Body)
	}
	if r.err != nil {
		r.status = 0
	}
	return r
}

func (c *client) signIn(ctx context.Context, email, password, totpSecret string) (string, time.Duration, error) {
	code, err := access.TOTP(totpSecret, time.Now())
	if err != nil {
		return "", 0, fmt.Errorf("--totp-secret: %w", err)
	}
	start := time.Now()
	r := c.do(ctx, http.MethodPost, "/api/v1/sessions", "", map[string]string{"email": email, "password": password, "totp": code}, true)
	took := time.Since(start)
	if r.err != nil {
		return "", took, fmt.Errorf("signing in as %s: %w", email, r.err)
	}
	if r.status != http.StatusCreated {
		return "", took, fmt.Errorf("signing in as %s: %d %s", email, r.status, problemDetail(r.body))
	}
	var out struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(r.body, &out); err != nil || out.Token == "" {
		return "", took, fmt.Errorf("signing in as %s: no token in the answer", email)
	}
	return out.Token, took, nil
}

func problemDetail(body []byte) string {
	var p struct {
		Detail string `json:"detail"`
	}
	if json.Unmarshal(body, &p) == nil && p.Detail != "" {
		return p.Detail
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// catalogIDs are real catalogue ids for a valid concern.
type catalogIDs struct {
	exploitation, indicator, action string
}

func (c *client) catalog(ctx context.Context, token string) (catalogIDs, error) {
	r := c.do(ctx, http.MethodGet, "/api/v1/catalog", token, nil, true)
	if r.err != nil || r.status != http.StatusOK {
		return catalogIDs{}, fmt.Errorf("reading the catalogue: %d %v %s", r.status, r.err, problemDetail(r.body))
	}
	type item struct {
		ID string `json:"id"`
	}
	var cat struct {
		Indicators        []item `json:"indicators"`
		ExploitationTypes []item `json:"exploitationTypes"`
		ImmediateActions  []item `json:"immediateActions"`
	}
	if err := json.Unmarshal(r.body, &cat); err != nil {
		return catalogIDs{}, fmt.Errorf("reading the catalogue: %w", err)
	}
	if len(cat.Indicators) == 0 || len(cat.ExploitationTypes) == 0 || len(cat.ImmediateActions) == 0 {
		return catalogIDs{}, errors.New("the catalogue has no indicators, exploitation types or immediate actions")
	}
	return catalogIDs{cat.ExploitationTypes[0].ID, cat.Indicators[0].ID, cat.ImmediateActions[0].ID}, nil
}

var givenNames = []string{"Amira", "Bilal", "Chloe", "Dritan", "Elena", "Farah", "Gjon", "Hoa", "Ines", "Jonas"}

// concern is a complete, valid, fictional concern raised at now.
func (ids catalogIDs) concern(now time.Time, n int) pathway.Concern {
	return pathway.Concern{
		Child: pathway.Child{
			GivenNames:      givenNames[n%len(givenNames)],
			FamilyName:      "Loadtest",
			Aliases:         []string{fmt.Sprintf("Load %d", n)},
			DateOfBirth:     now.In(pathway.London).AddDate(-14, 0, -30).Format("2006-01-02"),
			Gender:          "female",
			Nationality:     "Albanian",
			Languages:       []string{"Albanian", "English"},
			CurrentLocation: "School medical room with the school nurse",
		},
		IdentifiedAt:      now.Add(-2 * time.Hour).UTC().Truncate(time.Second),
		IdentifiedWhere:   "Northfield Academy, Year 9 classroom",
		Summary:           "Fictional concern raised by the waymark-load tool.",
		ExploitationTypes: []string{ids.exploitation},
		Indicators:        []pathway.ObservedIndicator{{ID: ids.indicator, Evidence: "Fictional evidence from the load tool."}},
		ImmediateActions:  []string{ids.action},
	}
}

// pool is the case ids the Children's Services user can open.
type pool struct {
	mu  sync.Mutex
	ids []string
}

func (p *pool) add(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.ids) < maxRequests {
		p.ids = append(p.ids, id)
	}
}

func (p *pool) random(r *rand.Rand) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.ids) == 0 {
		return "", false
	}
	return p.ids[r.IntN(len(p.ids))], true
}

// stats collects one operation's latencies and statuses.
type stats struct {
	mu        sync.Mutex
	latencies []time.Duration // successful (2xx) requests
	lessHash  []time.Duration // of those that ran a password hash, the latency less the hash
	statuses  map[string]int  // "201", "409", "net" …
	problems  map[string]string
}

// serverHashTime reads the "hash" entry of a Server-Timing header: the
// time the server spent on password hashes for the request.
func serverHashTime(h http.Header) time.Duration {
	for _, v := range h.Values("Server-Timing") {
		for metric := range strings.SplitSeq(v, ",") {
			params := strings.Split(metric, ";")
			if strings.TrimSpace(params[0]) != "hash" {
				continue
			}
			for _, p := range params[1:] {
				k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
				if !ok || k != "dur" {
					continue
				}
				if f, err := strconv.ParseFloat(val, 64); err == nil && f > 0 && f < 1e9 {
					return time.Duration(f * float64(time.Millisecond))
				}
			}
		}
	}
	return 0
}

func (s *stats) record(d time.Duration, r result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strconv.Itoa(r.status)
	if r.status == 0 {
		key = "net"
	}
	s.statuses[key]++
	if r.status >= 200 && r.status < 300 {
		s.latencies = append(s.latencies, d)
		if r.hash > 0 {
			s.lessHash = append(s.lessHash, max(d-r.hash, 0))
		}
		return
	}
	if _, ok := s.problems[key]; !ok {
		if r.err != nil {
			s.problems[key] = r.err.Error()
		} else {
			s.problems[key] = problemDetail(r.body)
		}
	}
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted)) + 0.999999)
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "seed" {
		return runSeed(ctx, args[1:], stdout, stderr)
	}
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	conns := max(cfg.concurrency, cfg.users)
	tr.MaxIdleConns = conns * 2
	tr.MaxIdleConnsPerHost = conns * 2
	cl := &client{base: cfg.target, http: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, timeout: cfg.timeout}
	defer tr.CloseIdleConnections()
	if cfg.seeded > 0 {
		return runSeeded(ctx, cfg, cl, stdout)
	}

	refToken, refTook, err := cl.signIn(ctx, cfg.referrer, cfg.password, cfg.totpSecret)
	if err != nil {
		return err
	}
	csToken, csTook, err := cl.signIn(ctx, cfg.csUser, cfg.password, cfg.totpSecret)
	if err != nil {
		return err
	}
	defer func() { // end both sessions, best effort
		for _, tok := range []string{refToken, csToken} {
			cl.do(context.Background(), http.MethodDelete, "/api/v1/sessions/current", tok, nil, false)
		}
	}()
	ids, err := cl.catalog(ctx, refToken)
	if err != nil {
		return err
	}
	cases := &pool{}
	inbox := cl.do(ctx, http.MethodGet, "/api/v1/inbox", csToken, nil, true)
	if inbox.err != nil || inbox.status != http.StatusOK {
		return fmt.Errorf("reading the inbox as %s: %d %v %s", cfg.csUser, inbox.status, inbox.err, problemDetail(inbox.body))
	}
	var listed struct {
		Cases []struct {
			ID string `json:"id"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(inbox.body, &listed); err != nil {
		return fmt.Errorf("reading the inbox: %w", err)
	}
	for _, c := range listed.Cases {
		cases.add(c.ID)
	}
	mode := fmt.Sprintf("%d closed-loop clients", cfg.concurrency)
	if cfg.users > 0 {
		mode = fmt.Sprintf("%d people waiting %s–%s between actions", cfg.users, cfg.thinkMin, cfg.thinkMax)
	}
	fmt.Fprintf(stdout, "waymark-load: %s, %s, %s (at most %d requests), mix %s\n", cfg.target, mode, cfg.duration, cfg.maxRequests, mixString(cfg.mix))
	fmt.Fprintf(stdout, "signed in as %s in %s and %s in %s; %d cases in the inbox to start with\n\n",
		cfg.referrer, refTook.Round(time.Millisecond), cfg.csUser, csTook.Round(time.Millisecond), len(listed.Cases))

	all := map[string]*stats{}
	for _, op := range operations {
		all[op] = &stats{statuses: map[string]int{}, problems: map[string]string{}}
	}
	runCtx, cancel := context.WithTimeout(ctx, cfg.duration)
	defer cancel()
	var sent atomic.Int64
	var raised atomic.Int64
	// act does one operation and records it; false ends the caller's loop.
	act := func(r *rand.Rand, op string) bool {
		if sent.Add(1) > int64(cfg.maxRequests) {
			return false
		}
		id, haveCase := cases.random(r)
		if !haveCase && (op == "case" || op == "nrm" || op == "note") {
			op = "raise" // nothing to open yet
		}
		t0 := time.Now()
		var res result
		switch op {
		case "case":
			res = cl.do(runCtx, http.MethodGet, "/api/v1/cases/"+url.PathEscape(id), csToken, nil, false)
		case "nrm":
			res = cl.do(runCtx, http.MethodGet, "/api/v1/cases/"+url.PathEscape(id)+"/nrm-draft", csToken, nil, false)
		case "inbox":
			res = cl.do(runCtx, http.MethodGet, "/api/v1/inbox", csToken, nil, false)
		case "note":
			read := cl.do(runCtx, http.MethodGet, "/api/v1/cases/"+url.PathEscape(id), csToken, nil, true)
			if runCtx.Err() != nil && read.status == 0 {
				return false
			}
			all["case"].record(time.Since(t0), read)
			var c struct {
				Version *int `json:"version"`
			}
			if read.status != http.StatusOK || json.Unmarshal(read.body, &c) != nil || c.Version == nil {
				return true // the read's failure is recorded under "case"
			}
			t0 = time.Now()
			res = cl.do(runCtx, http.MethodPost, "/api/v1/cases/"+url.PathEscape(id)+"/actions/note", csToken,
				map[string]any{"expectedVersion": *c.Version, "text": "Fictional case note from the waymark-load tool."}, false)
		case "search":
			res = cl.do(runCtx, http.MethodGet, "/api/v1/cases?q="+url.QueryEscape(givenNames[r.IntN(len(givenNames))]), csToken, nil, false)
		case "mywork":
			res = cl.do(runCtx, http.MethodGet, "/api/v1/my-work", csToken, nil, false)
		case "raise":
			res = cl.do(runCtx, http.MethodPost, "/api/v1/cases", refToken, ids.concern(time.Now(), int(raised.Add(1))), true)
			if res.status == http.StatusCreated {
				var c struct {
					ID string `json:"id"`
				}
				if json.Unmarshal(res.body, &c) == nil && c.ID != "" {
					cases.add(c.ID)
				}
			}
		}
		d := time.Since(t0)
		if runCtx.Err() != nil && res.status == 0 {
			return false // cut off by the end of the run: not an error of the server
		}
		all[op].record(d, res)
		return true
	}
	before, procErr := procSample(cfg.serverPID)
	start := time.Now()
	var wg sync.WaitGroup
	if cfg.users > 0 {
		for w := range cfg.users {
			wg.Go(func() {
				r := rand.New(rand.NewPCG(uint64(start.UnixNano()), uint64(w)))
				// Start people spread over the first think time, not all at once.
				if sleep(runCtx, thinkTime(r, 0, cfg.thinkMax)) != nil {
					return
				}
				person(runCtx, r, cfg.mix, cfg.thinkMin, cfg.thinkMax, sleep, func(op string) bool { return act(r, op) })
			})
		}
	} else {
		for w := range cfg.concurrency {
			wg.Go(func() {
				r := rand.New(rand.NewPCG(uint64(start.UnixNano()), uint64(w)))
				for runCtx.Err() == nil && act(r, pick(cfg.mix, r)) {
				}
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	after, procErr2 := procSample(cfg.serverPID)
	report(stdout, all, elapsed)
	if cfg.serverPID > 0 {
		if procErr == nil {
			procErr = procErr2
		}
		if procErr != nil {
			fmt.Fprintf(stdout, "server %d: %v\n", cfg.serverPID, procErr)
		} else {
			reportProc(stdout, cfg.serverPID, before, after, elapsed)
		}
	}
	return ctx.Err()
}

// procStats is what /proc says of the server at one moment.
type procStats struct {
	rssKB, peakKB int64 // VmRSS, VmHWM
	cpuTicks      int64 // utime + stime, in clock ticks
	// with is the server and its child processes (serve's password hash
	// worker) together; peakKB there is the sum of each one's own peak, so
	// at least their peak together.
	with     *procStats
	children int
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat times: 100 on every
// Linux this runs on (the kernel fixes it for user space).
const clockTicks = 100

var procRoot = "/proc"

func procSample(pid int) (procStats, error) {
	if pid == 0 {
		return procStats{}, nil
	}
	status, err := os.ReadFile(fmt.Sprintf("%s/%d/status", procRoot, pid))
	if err != nil {
		return procStats{}, fmt.Errorf("reading its memory (Linux /proc only): %w", err)
	}
	stat, err := os.ReadFile(fmt.Sprintf("%s/%d/stat", procRoot, pid))
	if err != nil {
		return procStats{}, fmt.Errorf("reading its CPU time (Linux /proc only): %w", err)
	}
	p, err := parseProc(status, stat)
	if err != nil {
		return p, err
	}
	kids, err := childPIDs(pid)
	if err != nil || len(kids) == 0 {
		return p, err
	}
	with := p
	for _, k := range kids {
		status, err1 := os.ReadFile(fmt.Sprintf("%s/%d/status", procRoot, k))
		stat, err2 := os.ReadFile(fmt.Sprintf("%s/%d/stat", procRoot, k))
		if err1 != nil || err2 != nil {
			continue // it ended in between
		}
		c, err := parseProc(status, stat)
		if err != nil {
			return p, fmt.Errorf("its child process %d: %w", k, err)
		}
		with.rssKB += c.rssKB
		with.peakKB += c.peakKB
		with.cpuTicks += c.cpuTicks
		p.children++
	}
	p.with = &with
	return p, nil
}

// childPIDs lists a process's children, from each of its threads' list.
func childPIDs(pid int) ([]int, error) {
	files, err := filepath.Glob(fmt.Sprintf("%s/%d/task/*/children", procRoot, pid))
	if err != nil {
		return nil, err
	}
	var out []int
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the thread ended
		}
		for _, s := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(s); err == nil {
				out = append(out, n)
			}
		}
	}
	return out, nil
}

// parseProc reads VmRSS and VmHWM from /proc/PID/status and utime+stime
// from /proc/PID/stat (fields 14 and 15, counted after the command name in
// parentheses, which may itself hold spaces and parentheses).
func parseProc(status, stat []byte) (procStats, error) {
	var p procStats
	for line := range strings.SplitSeq(string(status), "\n") {
		name, val, ok := strings.Cut(line, ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		f := strings.Fields(val)
		if len(f) != 2 || f[1] != "kB" {
			return p, fmt.Errorf("/proc status: %s is %q, not a size in kB", name, strings.TrimSpace(val))
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return p, fmt.Errorf("/proc status: %s: %w", name, err)
		}
		if name == "VmRSS" {
			p.rssKB = n
		} else {
			p.peakKB = n
		}
	}
	if p.rssKB == 0 {
		return p, errors.New("/proc status has no VmRSS")
	}
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return p, errors.New("/proc stat has no command name")
	}
	f := strings.Fields(string(stat[i+1:])) // f[0] is field 3, the state
	if len(f) < 13 {
		return p, errors.New("/proc stat is too short")
	}
	for _, s := range f[11:13] { // utime, stime
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return p, fmt.Errorf("/proc stat: %w", err)
		}
		p.cpuTicks += n
	}
	return p, nil
}

func reportProc(w io.Writer, pid int, before, after procStats, elapsed time.Duration) {
	cpu := time.Duration(after.cpuTicks-before.cpuTicks) * time.Second / clockTicks
	// /proc counts kibibytes; the report is in MB of 1,000,000 bytes, the
	// unit the targets are written in (a MiB figure would read 5% lower).
	mb := func(kib int64) float64 { return float64(kib) * 1024 / 1e6 }
	fmt.Fprintf(w, "server %d: RSS %.1f MB at start, %.1f MB at end, peak %.1f MB; CPU %s user+system over %s (%.2f cores)\n",
		pid, mb(before.rssKB), mb(after.rssKB), mb(after.peakKB),
		cpu.Round(10*time.Millisecond), elapsed.Round(time.Millisecond), cpu.Seconds()/elapsed.Seconds())
	if before.with == nil || after.with == nil {
		return
	}
	// serve's password hash worker is a process of its own: what the
	// service costs the machine is both.
	b, a := before.with, after.with
	cpu = time.Duration(a.cpuTicks-b.cpuTicks) * time.Second / clockTicks
	fmt.Fprintf(w, "server %d with its %d child process(es) (the password hash worker): RSS %.1f MB at start, %.1f MB at end, peak at most %.1f MB (each one's peak, added); CPU %s user+system (%.2f cores)\n",
		pid, after.children, mb(b.rssKB), mb(a.rssKB), mb(a.peakKB),
		cpu.Round(10*time.Millisecond), cpu.Seconds()/elapsed.Seconds())
}

func mixString(mix []weighted) string {
	parts := make([]string, len(mix))
	for i, w := range mix {
		parts[i] = fmt.Sprintf("%s=%d", w.op, w.weight)
	}
	return strings.Join(parts, ",")
}

func report(w io.Writer, all map[string]*stats, elapsed time.Duration) {
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) }
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "operation\trequests\tok\terrors\treq/s\tp50 ms\tp95 ms\tp99 ms\tmax ms\t")
	var total, totalOK int
	row := func(name string, n int, lat []time.Duration) {
		lat = slices.Clone(lat)
		slices.Sort(lat)
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.1f\t%s\t%s\t%s\t%s\t\n", name, n, len(lat), n-len(lat), float64(n)/elapsed.Seconds(),
			ms(percentile(lat, 50)), ms(percentile(lat, 95)), ms(percentile(lat, 99)), ms(percentile(lat, 100)))
	}
	lessHash := false
	for _, op := range operations {
		s := all[op]
		n := 0
		for _, c := range s.statuses {
			n += c
		}
		if n == 0 {
			continue
		}
		total += n
		totalOK += len(s.latencies)
		row(op, n, s.latencies)
		if len(s.lessHash) > 0 { // not counted again in "all"
			row(op+" less hash", len(s.lessHash), s.lessHash)
			lessHash = true
		}
	}
	fmt.Fprintf(tw, "all\t%d\t%d\t%d\t%.1f\t\t\t\t\t\n", total, totalOK, total-totalOK, float64(total)/elapsed.Seconds())
	tw.Flush()
	fmt.Fprintf(w, "\nran %s; latencies are of successful (2xx) requests, from sending to the whole body read\n", elapsed.Round(time.Millisecond))
	if lessHash {
		fmt.Fprintln(w, `"less hash": the same requests, each less the time the server says (Server-Timing "hash") it spent on the password hash, waiting for a hash slot included`)
	}

	var lines []string
	for _, op := range operations {
		s := all[op]
		for status, n := range s.statuses {
			if strings.HasPrefix(status, "2") {
				continue
			}
			lines = append(lines, fmt.Sprintf("  %s %s: %d (%s)", op, status, n, s.problems[status]))
		}
	}
	sort.Strings(lines)
	if len(lines) == 0 {
		fmt.Fprintln(w, "errors by status: none")
		return
	}
	fmt.Fprintln(w, "errors by status:")
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
}
