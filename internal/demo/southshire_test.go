package demo_test

import (
	"context"
	"testing"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// TestDemoHasASecondPartnershipToHandACaseTo: the demo's Southshire
// partnership has its own Children's Services, lead and social worker; its
// lead learns nothing of Eastshire's cases until Eastshire's lead proposes
// a transfer, and once Southshire's lead agrees, its social worker sees the
// case (issue 14, "Across areas"; §4.3, §7.1).
func TestDemoHasASecondPartnershipToHandACaseTo(t *testing.T) {
	svc, db := seeded(t)
	ctx := context.Background()
	viewer := func(email string) casework.Viewer {
		var v casework.Viewer
		if err := db.View(ctx, func(tx *store.Tx) error {
			u, err := tx.UserByEmail(email)
			v = casework.Viewer{User: u}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return v
	}
	eastLead, southLead, southWorker := viewer("partnership.lead@eastshire.example"), viewer("partnership.lead@southshire.example"), viewer("social.worker@southshire.example")
	var caseID string
	if err := db.SQL().QueryRow(`SELECT id FROM cases ORDER BY id LIMIT 1`).Scan(&caseID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CaseHandOvers(ctx, southLead, caseID); waymark.ErrorCode(err) != waymark.ENOTFOUND {
		t.Fatalf("Southshire's lead opening an Eastshire case's hand-overs: %v", err)
	}
	if err := svc.ProposeHandOver(ctx, eastLead, caseID, pathway.HandOverTransfer, "southshire", "The child has moved to Southtown"); err != nil {
		t.Fatalf("Eastshire's lead proposing: %v", err)
	}
	in, err := svc.IncomingHandOvers(ctx, southLead)
	if err != nil || len(in) != 1 || len(in[0].ReceivingOrgs) != 1 {
		t.Fatalf("Southshire's incoming hand-overs: %+v, %v", in, err)
	}
	if err := svc.AgreeHandOver(ctx, southLead, in[0].ID, in[0].ReceivingOrgs[0].ID); err != nil {
		t.Fatalf("Southshire's lead agreeing: %v", err)
	}
	if _, err := svc.Case(ctx, southWorker, caseID); err != nil {
		t.Errorf("Southshire's social worker after the transfer: %v", err)
	}
}
