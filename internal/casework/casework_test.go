package casework_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// partnership is one test's world: a fresh database, a stopped clock, the
// use cases over them, and the people of a small partnership.
type partnership struct {
	storetest.Partnership
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	clock *storetest.Clock
	svc   *casework.Service
}

func newPartnership(t *testing.T, db *store.DB) *partnership {
	t.Helper()
	clock := storetest.NewClock(storetest.Start)
	return &partnership{
		Partnership: storetest.NewPartnership(t, db, clock),
		t:           t,
		ctx:         context.Background(),
		db:          db,
		clock:       clock,
		svc:         storetest.Service(t, db, clock),
	}
}

// mustVerify fails the test unless `waymark verify`, read models
// included, passes; when says at which step.
func mustVerify(t *testing.T, db *store.DB, when string) {
	t.Helper()
	if r, err := db.Verify(context.Background(), store.VerifyOptions{ReadModels: true}); err != nil {
		t.Fatalf("verify %s: %+v, %v", when, r, err)
	}
}

// raise has the teacher raise a valid concern, changed by each change.
func (p *partnership) raise(changes ...func(*pathway.Concern)) string {
	p.t.Helper()
	c := storetest.ValidConcern(p.clock.Now())
	for _, change := range changes {
		change(&c)
	}
	id, err := p.svc.RaiseConcern(p.ctx, p.Teacher, c)
	if err != nil {
		p.t.Fatalf("raising a concern: %v", err)
	}
	return id
}

// contact has the front door record the contact and returns the reference.
func (p *partnership) contact(caseID string) string {
	p.t.Helper()
	ref, err := p.svc.RecordContact(p.ctx, p.CSWorker, caseID, p.version(caseID), "phone", "Called by the school's DSL")
	if err != nil {
		p.t.Fatalf("recording contact: %v", err)
	}
	return ref
}

// outcome has the front door give the outcome.
func (p *partnership) outcome(caseID string) {
	p.t.Helper()
	if err := p.svc.RecordOutcome(p.ctx, p.CSWorker, caseID, p.version(caseID), "strategy-discussion", "Strategy discussion today at 2pm"); err != nil {
		p.t.Fatalf("recording outcome: %v", err)
	}
}

// version reads the case's version straight from its log (no audit entry).
func (p *partnership) version(caseID string) int {
	p.t.Helper()
	return p.loadCase(caseID).Version
}

// versionFor is the version of the case as v is shown it: the whole log's
// for the team, the count of the entries they can see for anyone else
// (pathway.History). Read straight from the store, with no audit entry.
func (p *partnership) versionFor(v casework.Viewer, caseID string) int {
	p.t.Helper()
	var h pathway.History
	err := p.db.Update(p.ctx, func(tx *store.Tx) error {
		m, err := tx.Membership(caseID, v.User.ID, v.User.OrgID)
		if err != nil {
			return err
		}
		c, events, err := tx.LoadCase(caseID)
		if err != nil {
			return err
		}
		if len(m.Roles) == 0 { // not a member: the answer will be "not found" whatever the version
			h.Version = c.Version
			return nil
		}
		h = pathway.HistoryFor(c, events, m, v.User.ID)
		return nil
	})
	if err != nil {
		p.t.Fatalf("loading case %s: %v", caseID, err)
	}
	return h.Version
}

// loadCase reads the case from its log, bypassing the use cases and their audit.
func (p *partnership) loadCase(caseID string) pathway.Case {
	p.t.Helper()
	var c pathway.Case
	err := p.db.Update(p.ctx, func(tx *store.Tx) error {
		var err error
		c, _, err = tx.LoadCase(caseID)
		return err
	})
	if err != nil {
		p.t.Fatalf("loading case %s: %v", caseID, err)
	}
	return c
}

// count runs a COUNT(*) query.
func (p *partnership) count(query string, args ...any) int {
	p.t.Helper()
	var n int
	if err := p.db.SQL().QueryRowContext(p.ctx, query, args...).Scan(&n); err != nil {
		p.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// rowCounts is how many rows each table holds: a "nothing was written" check.
func (p *partnership) rowCounts() map[string]int {
	p.t.Helper()
	out := map[string]int{}
	for _, table := range []string{"case_events", "cases", "case_members", "clocks", "audit_log", "concern_drafts", "counters", "sessions"} {
		out[table] = p.count(`SELECT COUNT(*) FROM ` + table)
	}
	out["counter next"] = p.count(`SELECT COALESCE(SUM(next), 0) FROM counters`)
	return out
}

func (p *partnership) wantNothingWritten(before map[string]int) {
	p.t.Helper()
	if after := p.rowCounts(); !reflect.DeepEqual(before, after) {
		p.t.Fatalf("rows changed:\nbefore %v\n after %v", before, after)
	}
}

// auditSince lists the audit entries after seq, oldest first.
func (p *partnership) auditSince(seq int64) []audit.Entry {
	p.t.Helper()
	rows, err := p.db.SQL().QueryContext(p.ctx, `SELECT seq, actor_id, org_id, case_id, action, detail FROM audit_log WHERE seq > $1 ORDER BY seq`, seq)
	if err != nil {
		p.t.Fatal(err)
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var e audit.Entry
		if err := rows.Scan(&e.Seq, &e.ActorID, &e.OrgID, &e.CaseID, &e.Action, &e.Detail); err != nil {
			p.t.Fatal(err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		p.t.Fatal(err)
	}
	return out
}

// auditHead is the seq of the newest audit entry.
func (p *partnership) auditHead() int64 {
	p.t.Helper()
	return int64(p.count(`SELECT COALESCE(MAX(seq), 0) FROM audit_log`))
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := waymark.ErrorCode(err); got != code {
		t.Fatalf("error %v has code %q, want %q", err, got, code)
	}
}

// wantClash checks err is another person's save beating this one: a
// conflict marked as a clash, so that a page heads it "Someone else saved
// first" (web.failErr) rather than as a step the case rules out.
func wantClash(t *testing.T, err error) {
	t.Helper()
	wantCode(t, err, waymark.ECONFLICT)
	if !waymark.IsClash(err) {
		t.Fatalf("error %v is a conflict not marked as a clash with another's save", err)
	}
}

func ids(list []store.CaseSummary) []string {
	out := []string{}
	for _, c := range list {
		out = append(out, c.ID)
	}
	return out
}

func sameError(a, b error) bool {
	var ea, eb *waymark.Error
	if !errors.As(a, &ea) || !errors.As(b, &eb) {
		return false
	}
	return ea.Code == eb.Code && ea.Message == eb.Message && reflect.DeepEqual(ea.Fields, eb.Fields)
}
