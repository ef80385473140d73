package demo_test

import (
	"context"
	"testing"

	"waymark/internal/nrm"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// Every role's home shows real work on first start: the interpreter
// register is filled; the police First Responder has a referral a meeting
// agreed and nobody submitted (§8.5), one awaiting its Reasonable Grounds
// decision (§8.7) and a negative decision open to reconsideration (§8.9);
// the partnership lead has a live escalation (§8.6); the social worker has
// cases assigned.
func TestTheDemoHasWorkWaitingForEveryRole(t *testing.T) {
	svc, db := seeded(t)
	ctx := context.Background()

	register, err := svc.InterpreterRegister(ctx)
	if err != nil {
		t.Fatal(err)
	}
	vetted := 0
	for _, i := range register {
		if i.Active && i.Approved && i.Professional && i.DBSCheckedOn != "" {
			vetted++
		}
	}
	if len(register) < 5 || vetted < 4 {
		t.Errorf("the interpreter register holds %d entries, %d vetted", len(register), vetted)
	}

	police := signIn(t, svc, "first.responder@eastshire-police.example")
	cases, _, err := svc.MyCasesPage(ctx, police, nil)
	if err != nil {
		t.Fatal(err)
	}
	var awaitingSubmission, awaitingDecision, reconsiderable, escalated []string
	for _, s := range cases {
		var c pathway.Case
		if err := db.Update(ctx, func(tx *store.Tx) error {
			var err error
			c, _, err = tx.LoadCase(s.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		decided, submit, lead := c.Meetings.NRMDecision()
		switch {
		case decided && submit && lead == police.User.OrgID && c.NRM.Submission == nil:
			awaitingSubmission = append(awaitingSubmission, s.ChildName)
		case c.NRM.Submission != nil && c.NRM.ReasonableGrounds == nil:
			awaitingDecision = append(awaitingDecision, s.ChildName)
		case c.NRM.ReasonableGrounds != nil && !c.NRM.ReasonableGrounds.Positive() && nrm.ReconsiderationOpen(c) && len(c.NRM.Reconsiderations) == 0:
			reconsiderable = append(reconsiderable, s.ChildName)
		}
		for _, e := range c.Meetings.Escalations {
			if e.Open() {
				escalated = append(escalated, s.ChildName)
			}
		}
	}
	if len(awaitingSubmission) != 1 || len(awaitingDecision) != 1 || len(reconsiderable) != 1 || len(escalated) != 1 {
		t.Errorf("the police's cases: awaiting submission %v, awaiting a decision %v, open to reconsideration %v, escalated %v; want one of each",
			awaitingSubmission, awaitingDecision, reconsiderable, escalated)
	}

	lead := signIn(t, svc, "partnership.lead@eastshire.example")
	open, _, err := svc.EscalationsPage(ctx, lead, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 1 {
		t.Errorf("the partnership lead has %d escalated cases, want 1", len(open))
	}

	sw := signIn(t, svc, "social.worker@eastshire.example")
	mine, _, err := svc.MyCasesPage(ctx, sw, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) < 4 {
		t.Errorf("the social worker has %d cases, want the four assigned", len(mine))
	}
}
