package main

// Against a database filled by `waymark-load seed` (--seeded N), every
// simulated person, or every closed-loop client, signs in as a seeded user
// of their own: a member of a partnership's Children's Services team, who
// works the inbox, opens cases, reads NRM drafts, records notes, searches
// and looks at My work, or a practitioner, who raises concerns and follows
// the cases they raised. Nobody shares a session, so sign-in, sessions and
// per-user state are loaded as a real region would load them.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"waymark/internal/access"
)

// Seeded users a simulated person can be, per partnership (seed.go's seedRoles).
var (
	teamSlots         = []string{"cs1", "cs2", "cs3", "cs4", "sw1", "sw2", "manager"}
	practitionerSlots = []string{"teacher", "gp", "youth", "support"}
)

// teamOps and practitionerOps are what each kind of person does; an
// operation of the mix outside them is left to the other kind.
var (
	teamOps         = map[string]bool{"signin": true, "inbox": true, "case": true, "nrm": true, "note": true, "search": true, "mywork": true}
	practitionerOps = map[string]bool{"signin": true, "raise": true, "case": true, "search": true, "mywork": true}
)

const seededMix = "signin=2,inbox=20,case=25,nrm=10,search=15,mywork=13,note=5,raise=10"

// seededPerson is one simulated person and what they have seen.
type seededPerson struct {
	email string
	part  int  // partnership, from 0
	team  bool // Children's Services team; otherwise a practitioner
	mix   []weighted

	token string
	step  int64    // the authenticator step of their last sign-in
	cases []string // cases they have seen listed or raised
}

// seededPeople assigns n people to seeded users: the raise share of the mix
// are practitioners, the rest the Children's Services team, spread over the
// partnerships so that every team is loaded alike. Each person is a
// different user; there are 7 team members and 4 practitioners per partnership.
func seededPeople(n, partnerships int, mix []weighted) ([]*seededPerson, error) {
	total, raise := 0, 0
	for _, w := range mix {
		total += w.weight
		if w.op == "raise" {
			raise = w.weight
		}
	}
	var teamMix, pracMix []weighted
	for _, w := range mix {
		if teamOps[w.op] {
			teamMix = append(teamMix, w)
		}
		if practitionerOps[w.op] {
			pracMix = append(pracMix, w)
		}
	}
	var out []*seededPerson
	nTeam, nPrac := 0, 0
	for k := range n {
		// Practitioners spread evenly: person k is one when the running
		// share of practitioners is behind the mix's raise share.
		prac := raise > 0 && (len(teamMix) == 0 || (nPrac+1)*total <= (k+1)*raise)
		p := &seededPerson{team: !prac}
		if prac {
			i := nPrac
			if i/partnerships >= len(practitionerSlots) {
				return nil, fmt.Errorf("--seeded %d holds %d practitioners (4 a partnership): too few for %d people with this mix", partnerships, 4*partnerships, n)
			}
			p.email, p.part, p.mix = seedEmail(i%partnerships, practitionerSlots[i/partnerships]), i%partnerships, pracMix
			nPrac++
		} else {
			i := nTeam
			if i/partnerships >= len(teamSlots) {
				return nil, fmt.Errorf("--seeded %d holds %d Children's Services team members (7 a partnership): too few for %d people with this mix", partnerships, 7*partnerships, n)
			}
			p.email, p.part, p.mix = seedEmail(i%partnerships, teamSlots[i/partnerships]), i%partnerships, teamMix
			nTeam++
		}
		out = append(out, p)
	}
	return out, nil
}

// signInConcurrency bounds the sign-ins before the run: each costs the
// server an argon2 hash (64 MB, two threads) that it does not queue.
const signInConcurrency = 4

func runSeeded(ctx context.Context, cfg config, cl *client, stdout io.Writer) error {
	n := cfg.users
	if n == 0 {
		n = cfg.concurrency
	}
	people, err := seededPeople(n, cfg.seeded, cfg.mix)
	if err != nil {
		return err
	}
	all := map[string]*stats{}
	for _, op := range operations {
		all[op] = &stats{statuses: map[string]int{}, problems: map[string]string{}}
	}
	// Everyone signs in first, a few at a time.
	signIns := &stats{statuses: map[string]int{}, problems: map[string]string{}}
	t0 := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, signInConcurrency)
	var failed atomic.Int64
	for _, p := range people {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				return
			}
			// A 401 at first is most often this step's code used by a run
			// just before: wait for the next code and try once more.
			first := &stats{statuses: map[string]int{}, problems: map[string]string{}}
			if p.signIn(ctx, cl, cfg, first) {
				signIns.add(first)
				return
			}
			if first.statuses["401"] == 0 || sleep(ctx, time.Until(time.Unix((access.TOTPStep(totpNow())+1)*30, 0))) != nil {
				signIns.add(first)
				failed.Add(1)
				return
			}
			if !p.signIn(ctx, cl, cfg, signIns) {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	defer func() { // end every session, best effort
		for _, p := range people {
			if p.token != "" {
				cl.do(context.Background(), http.MethodDelete, "/api/v1/sessions/current", p.token, nil, false)
			}
		}
	}()
	if f := failed.Load(); f > 0 {
		signedIn := people[:0]
		for _, p := range people {
			if p.token != "" {
				signedIn = append(signedIn, p)
			}
		}
		people = signedIn
		all["signin"] = signIns
		report(stdout, all, time.Since(t0))
		all["signin"] = &stats{statuses: map[string]int{}, problems: map[string]string{}}
		msg := fmt.Sprintf("%d of %d seeded users could not sign in (errors above: a 401 means the server's database was not filled by `waymark-load seed --partnerships %d` with this --password and --totp-secret; a timeout, a busy server: try a longer --timeout)",
			f, int(f)+len(people), cfg.seeded)
		if len(people) == 0 {
			return errors.New(msg)
		}
		fmt.Fprintf(stdout, "\n%s: going on with the %d who did\n\n", msg, len(people))
	}
	var token string
	for _, p := range people {
		if !p.team {
			token = p.token
			break
		}
	}
	var ids catalogIDs
	if token != "" {
		if ids, err = cl.catalog(ctx, token); err != nil {
			return err
		}
	}
	teams, parts := 0, map[int]bool{}
	for _, p := range people {
		if p.team {
			teams++
		}
		parts[p.part] = true
	}
	lat := append([]time.Duration(nil), signIns.latencies...)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	mode := fmt.Sprintf("%d closed-loop clients", n)
	if cfg.users > 0 {
		mode = fmt.Sprintf("%d people waiting %s–%s between actions", n, cfg.thinkMin, cfg.thinkMax)
	}
	fmt.Fprintf(stdout, "waymark-load: %s, %s, %s (at most %d requests), mix %s\n", cfg.target, mode, cfg.duration, cfg.maxRequests, mixString(cfg.mix))
	fmt.Fprintf(stdout, "each signed in as a seeded user of their own (%d of the Children's Services teams, %d practitioners, over %d partnerships), %d at a time, in %s: sign-in p50 %s, p99 %s\n\n",
		teams, len(people)-teams, len(parts), signInConcurrency, time.Since(t0).Round(time.Millisecond),
		percentile(lat, 50).Round(time.Millisecond), percentile(lat, 99).Round(time.Millisecond))

	thinkMin, thinkMax := cfg.thinkMin, cfg.thinkMax
	if cfg.users == 0 { // closed loop: no waiting
		thinkMin, thinkMax = 0, 0
	}
	runCtx, cancel := context.WithTimeout(ctx, cfg.duration)
	defer cancel()
	var sent, raised atomic.Int64
	act := func(p *seededPerson, r *rand.Rand, op string) bool {
		if sent.Add(1) > int64(cfg.maxRequests) {
			return false
		}
		return p.act(runCtx, cl, cfg, r, op, ids, &raised, all)
	}
	before, procErr := procSample(cfg.serverPID)
	start := time.Now()
	for w, p := range people {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(start.UnixNano()), uint64(w)))
			if cfg.users > 0 && sleep(runCtx, thinkTime(r, 0, cfg.thinkMax)) != nil {
				return
			}
			person(runCtx, r, p.mix, thinkMin, thinkMax, sleep, func(op string) bool { return act(p, r, op) })
		})
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

// totpNow is the clock of sign-in codes; tests move it.
var totpNow = time.Now

// signIn signs the person in with the code of the current step, recording
// the request under st; false when it failed.
func (p *seededPerson) signIn(ctx context.Context, cl *client, cfg config, st *stats) bool {
	now := totpNow()
	code, err := access.TOTP(cfg.totpSecret, now)
	if err != nil {
		st.record(0, result{err: err})
		return false
	}
	t0 := time.Now()
	r := cl.do(ctx, http.MethodPost, "/api/v1/sessions", "", map[string]string{"email": p.email, "password": cfg.password, "totp": code}, true)
	d := time.Since(t0)
	if ctx.Err() != nil && r.status == 0 {
		return false
	}
	var out struct {
		Token string `json:"token"`
	}
	if r.status == http.StatusCreated && (json.Unmarshal(r.body, &out) != nil || out.Token == "") {
		r = result{status: 0, err: fmt.Errorf("signing in as %s: no token in the answer", p.email)}
	}
	st.record(d, r)
	if r.status != http.StatusCreated {
		return false
	}
	p.token, p.step = out.Token, access.TOTPStep(now)
	return true
}

// add counts o's requests into s.
func (s *stats) add(o *stats) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latencies = append(s.latencies, o.latencies...)
	s.lessHash = append(s.lessHash, o.lessHash...)
	for k, n := range o.statuses {
		s.statuses[k] += n
		if _, ok := s.problems[k]; !ok && o.problems[k] != "" {
			s.problems[k] = o.problems[k]
		}
	}
}

// remember keeps up to 200 case ids the person has seen.
func (p *seededPerson) remember(ids ...string) {
	for _, id := range ids {
		if id == "" {
			continue
		}
		if len(p.cases) < 200 {
			p.cases = append(p.cases, id)
		} else {
			p.cases[len(p.cases)%200] = id
		}
	}
}

// casesIn reads the case ids of a list answer: {"cases":[{"id"}]} or {"work":[{"caseId"}]}.
func casesIn(body []byte) []string {
	var l struct {
		Cases []struct {
			ID string `json:"id"`
		} `json:"cases"`
		Work []struct {
			CaseID string `json:"caseId"`
		} `json:"work"`
	}
	if json.Unmarshal(body, &l) != nil {
		return nil
	}
	var out []string
	for _, c := range l.Cases {
		out = append(out, c.ID)
	}
	for _, w := range l.Work {
		out = append(out, w.CaseID)
	}
	return out
}

// act does one operation as the person and records it; false ends their run.
func (p *seededPerson) act(ctx context.Context, cl *client, cfg config, r *rand.Rand, op string, ids catalogIDs, raised *atomic.Int64, all map[string]*stats) bool {
	if op == "signin" && access.TOTPStep(totpNow()) <= p.step {
		op = "mywork" // this step's code is used: sign in again at the next
	}
	if (op == "case" || op == "nrm" || op == "note") && len(p.cases) == 0 {
		op = "search" // nothing to open yet: find some
		if !p.team {
			op = "raise"
		}
	}
	id := ""
	if len(p.cases) > 0 {
		id = p.cases[r.IntN(len(p.cases))]
	}
	t0 := time.Now()
	var res result
	switch op {
	case "signin":
		old := p.token
		if !p.signIn(ctx, cl, cfg, all["signin"]) {
			return ctx.Err() == nil
		}
		cl.do(ctx, http.MethodDelete, "/api/v1/sessions/current", old, nil, false) // the old session, untimed
		return true
	case "inbox":
		res = cl.do(ctx, http.MethodGet, "/api/v1/inbox", p.token, nil, true)
	case "case":
		res = cl.do(ctx, http.MethodGet, "/api/v1/cases/"+url.PathEscape(id), p.token, nil, false)
	case "nrm":
		res = cl.do(ctx, http.MethodGet, "/api/v1/cases/"+url.PathEscape(id)+"/nrm-draft", p.token, nil, false)
	case "search":
		res = cl.do(ctx, http.MethodGet, "/api/v1/cases?q="+url.QueryEscape(seedGiven[r.IntN(len(seedGiven))]), p.token, nil, true)
	case "mywork":
		res = cl.do(ctx, http.MethodGet, "/api/v1/my-work", p.token, nil, true)
	case "note":
		read := cl.do(ctx, http.MethodGet, "/api/v1/cases/"+url.PathEscape(id), p.token, nil, true)
		if ctx.Err() != nil && read.status == 0 {
			return false
		}
		all["case"].record(time.Since(t0), read)
		var c struct {
			Version *int `json:"version"`
		}
		if read.status != http.StatusOK || json.Unmarshal(read.body, &c) != nil || c.Version == nil {
			return true // recorded under "case"
		}
		t0 = time.Now()
		res = cl.do(ctx, http.MethodPost, "/api/v1/cases/"+url.PathEscape(id)+"/actions/note", p.token,
			map[string]any{"expectedVersion": *c.Version, "text": "Fictional case note from the waymark-load tool."}, false)
	case "raise":
		res = cl.do(ctx, http.MethodPost, "/api/v1/cases", p.token, ids.concern(time.Now(), int(raised.Add(1))), true)
	}
	d := time.Since(t0)
	if ctx.Err() != nil && res.status == 0 {
		return false // cut off by the end of the run
	}
	all[op].record(d, res)
	if res.status >= 200 && res.status < 300 {
		switch op {
		case "inbox", "search", "mywork":
			p.remember(casesIn(res.body)...)
		case "raise":
			var c struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(res.body, &c) == nil {
				p.remember(c.ID)
			}
		}
	}
	return true
}
