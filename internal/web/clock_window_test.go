package web

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// National guidance: once the minimum wait after a positive Reasonable
// Grounds decision has passed, the Conclusive Grounds decision may be made.
// The wait is then open, never overdue, alike on the case (page and API)
// and on My work (page and API).
func TestTheWaitBeforeConclusiveGroundsOpensAndIsNeverOverdue(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.meetingCase(nil)
		ctx := context.Background()
		if err := e.svc.Act(ctx, e.p.SocialWorker, id, e.meetingVersion(id), pathway.AssignWorker{WorkerEmail: "social.worker@cs.example"}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Act(ctx, e.p.SocialWorker, id, e.meetingVersion(id), pathway.SubmitNRMReferral{SubmittedAt: e.clock.Now(), Via: "online-form", DeclarationMade: true,
			ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes, ReasonWithoutMeeting: "The child is to be moved tonight."}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Act(ctx, e.p.SocialWorker, id, e.meetingVersion(id), pathway.RecordReasonableGrounds{Outcome: pathway.DecisionPositive,
			DecidedOn: e.clock.Now().In(pathway.London).Format("2006-01-02")}); err != nil {
			t.Fatal(err)
		}
		var token string
		b := e.browser()
		signIn := func() { // a new session after days have passed
			token = e.signInAPI("social.worker@cs.example")
			b.signIn("social.worker@cs.example")
		}
		type workItem struct {
			CaseID  string
			Clock   string
			Overdue bool
			Status  pathway.ClockStatus
		}
		myWait := func() (workItem, bool) {
			t.Helper()
			rec := e.api("GET", "/api/v1/my-work", token, nil)
			var work struct{ Work []workItem }
			if err := json.Unmarshal(rec.Body.Bytes(), &work); err != nil {
				t.Fatalf("%v: %s", err, rec.Body)
			}
			for _, w := range work.Work {
				if w.CaseID == id && strings.Contains(w.Clock, "Earliest Conclusive Grounds") {
					return w, true
				}
			}
			return workItem{}, false
		}
		overdueSection := func(page string) string {
			i := strings.Index(page, ">Overdue</h2>")
			if i < 0 {
				t.Fatalf("My work has no Overdue section: %s", page)
			}
			s, _, _ := strings.Cut(page[i:], "Due in the next 24 hours")
			return s
		}

		e.clock.Advance(10 * 24 * time.Hour) // waiting
		signIn()
		if w, ok := myWait(); !ok || w.Overdue || w.Status != pathway.ClockRunning {
			t.Fatalf("My work (API) while waiting: %+v (listed %v), want running, not overdue", w, ok)
		}
		page := b.get("/my-work").Body.String()
		if !strings.Contains(page, "Waiting before a decision") || strings.Contains(overdueSection(page), "Earliest Conclusive Grounds") {
			t.Fatalf("My work (page) while waiting does not list the wait apart from the deadlines: %s", page)
		}

		e.clock.Advance(30 * 24 * time.Hour) // the wait has run its length
		signIn()
		var c struct {
			Clocks []struct {
				Kind   pathway.ClockKind
				Status pathway.ClockStatus
			}
		}
		decodeInto(t, e.api("GET", "/api/v1/cases/"+id, token, nil), &c)
		found := false
		for _, cl := range c.Clocks {
			if cl.Kind == pathway.ClockNRMEarliestConclusiveGrounds {
				found = true
				if cl.Status != pathway.ClockOpen {
					t.Errorf("the case's API gives the passed wait status %q, want open", cl.Status)
				}
			}
		}
		if !found {
			t.Fatal("the case's API lacks the wait before Conclusive Grounds")
		}
		if w, ok := myWait(); ok && (w.Overdue || w.Status != pathway.ClockOpen) {
			t.Errorf("My work (API) gives the opened wait %+v, want not overdue and open", w)
		}
		if strings.Contains(overdueSection(b.get("/my-work").Body.String()), "Earliest Conclusive Grounds") {
			t.Error("My work (page) lists the opened wait as overdue")
		}
		if casePage := b.get("/cases/" + id).Body.String(); !strings.Contains(casePage, "Can be made now") {
			t.Error("the case page does not show the wait as open")
		}
	})
}
