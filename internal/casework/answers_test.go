package casework_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

func (p *partnership) keep(v casework.Viewer, caseID, data string) string {
	p.t.Helper()
	id, err := p.svc.KeepAnswers(p.ctx, casework.KeptAnswers{UserID: v.User.ID, CaseID: caseID, Form: "/cases/" + caseID + "/actions/note", Data: []byte(data)})
	if err != nil {
		p.t.Fatal(err)
	}
	return id
}

// A note typed while the session ran out is kept sealed, given back once to
// the person who typed it, and both steps are audited against the case
// (§6.5: reading and writing case data is recorded).
func TestAnswersKeptAfterTheSessionEndedAreGivenBackOnceAndAudited(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		caseID := p.raise()
		head := p.auditHead()
		id := p.keep(p.CSWorker, caseID, `{"text":"Child disclosed a second address"}`)

		var stored string
		if err := db.SQL().QueryRowContext(p.ctx, `SELECT data FROM saved_answers WHERE id = $1`, id).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stored, "second address") {
			t.Errorf("the kept answers are stored in plain text: %q", stored)
		}

		got, err := p.svc.TakeAnswers(p.ctx, p.CSWorker, id)
		if err != nil || string(got) != `{"text":"Child disclosed a second address"}` {
			t.Fatalf("taking the answers: %q, %v", got, err)
		}
		if _, err := p.svc.TakeAnswers(p.ctx, p.CSWorker, id); !errors.Is(err, casework.ErrNoKeptAnswers) {
			t.Errorf("taking them a second time: %v, want ErrNoKeptAnswers", err)
		}
		if n := p.count(`SELECT COUNT(*) FROM saved_answers`) + p.count(`SELECT COUNT(*) FROM data_keys WHERE owner_kind = 'answers'`); n != 0 {
			t.Errorf("%d rows of the answers or their key remain after they were given back", n)
		}
		var actions []string
		for _, e := range p.auditSince(head) {
			if e.CaseID == caseID && strings.HasPrefix(e.Action, "answers.") {
				actions = append(actions, e.Action+" by "+e.ActorID)
				if strings.Contains(e.Detail, "second address") || strings.Contains(e.Detail, id) {
					t.Errorf("the audit entry names the answers or their whole id: %q", e.Detail)
				}
			}
		}
		if want := "answers.saved by user-cs-worker,answers.restored by user-cs-worker"; strings.Join(actions, ",") != want {
			t.Errorf("audited %q, want %q", strings.Join(actions, ","), want)
		}
	})
}

// Answers kept for one person are never shown to another, who may sign in
// at the same browser: they are deleted unseen, and the discard audited.
func TestAnswersKeptForOnePersonAreNeverShownToAnother(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		caseID := p.raise()
		id := p.keep(p.CSWorker, caseID, `{"text":"private"}`)
		head := p.auditHead()
		if got, err := p.svc.TakeAnswers(p.ctx, p.Teacher, id); !errors.Is(err, casework.ErrNoKeptAnswers) || got != nil {
			t.Fatalf("another person took the answers: %q, %v", got, err)
		}
		if _, err := p.svc.TakeAnswers(p.ctx, p.CSWorker, id); !errors.Is(err, casework.ErrNoKeptAnswers) {
			t.Errorf("the answers survived being offered to someone else: %v", err)
		}
		entries := p.auditSince(head)
		if len(entries) != 1 || entries[0].Action != casework.ActionAnswersDiscarded || entries[0].ActorID != p.Teacher.User.ID || entries[0].CaseID != caseID {
			t.Errorf("audit after the wrong person asked: %+v", entries)
		}
	})
}

// Answers nobody signs in for within the time they are kept are purged
// unseen, and their purge audited.
func TestKeptAnswersExpire(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		caseID := p.raise()
		p.svc.SavedAnswersFor = 2 * time.Hour
		old := p.keep(p.CSWorker, caseID, `{"text":"old"}`)
		p.clock.Advance(2 * time.Hour)
		if _, err := p.svc.TakeAnswers(p.ctx, p.CSWorker, old); !errors.Is(err, casework.ErrNoKeptAnswers) {
			t.Errorf("answers kept past their time were given back: %v", err)
		}

		// Keeping new answers purges those past their time.
		stale := p.keep(p.CSWorker, caseID, `{"text":"stale"}`)
		p.clock.Advance(3 * time.Hour)
		head := p.auditHead()
		fresh := p.keep(p.CSWorker, caseID, `{"text":"fresh"}`)
		if n := p.count(`SELECT COUNT(*) FROM saved_answers WHERE id = $1`, stale); n != 0 {
			t.Errorf("expired answers remain after new answers were kept")
		}
		if n := p.count(`SELECT COUNT(*) FROM data_keys WHERE owner_kind = 'answers' AND owner_id = $1`, stale); n != 0 {
			t.Errorf("the expired answers' data key remains")
		}
		if e := p.auditSince(head); len(e) != 2 || e[0].Action != casework.ActionAnswersExpired || e[0].CaseID != caseID {
			t.Errorf("audit of the purge: %+v", e)
		}
		if got, err := p.svc.TakeAnswers(p.ctx, p.CSWorker, fresh); err != nil || string(got) != `{"text":"fresh"}` {
			t.Errorf("the fresh answers: %q, %v", got, err)
		}
	})
}

// Answers posted when the browser no longer named the session's person go
// to whoever signs in with the sign-in page that carries their id.
func TestAnswersOfAnUnknownPersonGoToWhoeverSignsInNext(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id, err := p.svc.KeepAnswers(p.ctx, casework.KeptAnswers{Form: "/admin/interpreters", Data: []byte(`{"name":"x"}`)})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := p.svc.TakeAnswers(p.ctx, p.Teacher, id); err != nil || string(got) != `{"name":"x"}` {
			t.Errorf("%q, %v", got, err)
		}
	})
}

// The pages' warning counts down to the sooner of the idle time-out and
// the absolute lifetime.
func TestTheSessionEndsAtTheSoonerOfIdleAndAbsoluteLimits(t *testing.T) {
	p := newPartnership(t, storetest.SQLite(t))
	now := p.clock.Now()
	p.svc.SessionIdle = 30 * time.Minute
	sess := store.Session{LastSeenAt: now.Add(-10 * time.Second), ExpiresAt: now.Add(8 * time.Hour)}
	if got := p.svc.SessionEnds(sess); !got.Equal(now.Add(-10 * time.Second).Add(30 * time.Minute)) {
		t.Errorf("idle: ends %s", got)
	}
	sess.LastSeenAt = now.Add(-5 * time.Minute) // touched by this request
	if got := p.svc.SessionEnds(sess); !got.Equal(now.Add(30 * time.Minute)) {
		t.Errorf("just touched: ends %s", got)
	}
	sess.ExpiresAt = now.Add(10 * time.Minute)
	if got := p.svc.SessionEnds(sess); !got.Equal(now.Add(10 * time.Minute)) {
		t.Errorf("absolute: ends %s", got)
	}
}
