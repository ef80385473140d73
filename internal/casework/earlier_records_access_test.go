package casework_test

import (
	"testing"

	"waymark"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// TestEmergencyAccessDoesNotLookForEarlierRecords: someone who opened a
// case in an emergency reads it, but does not look across the partnership
// for the child's earlier records, which opens other cases to be compared:
// that is the team's work (issue 14 §1, §6.5; pathway.MayLookForEarlierRecords).
// Their look is refused, and so is the links page.
func TestEmergencyAccessDoesNotLookForEarlierRecords(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		p.lead()
		p.raise(bornOnAmirasBirthday)
		again := p.raise(raisedAgainUnderAlias)
		if recs := earlier(t, p, p.CSWorker, again); len(recs) == 0 {
			t.Fatal("the team finds no earlier record")
		}
		if _, _, err := p.svc.BreakGlass(p.ctx, p.GPDoctor, p.session(p.GPDoctor), again, emergencyReason); err != nil {
			t.Fatal(err)
		}
		if _, err := p.svc.Case(p.ctx, p.GPDoctor, again); err != nil {
			t.Fatalf("the emergency reader cannot read the case: %v", err)
		}
		_, err := p.svc.EarlierRecords(p.ctx, p.GPDoctor, again)
		wantCode(t, err, waymark.EFORBIDDEN)
		l, err := p.svc.CaseLinks(p.ctx, p.GPDoctor, again)
		if err == nil && len(l.Earlier) > 0 {
			t.Errorf("the emergency reader is shown %d earlier records", len(l.Earlier))
		}
	})
}
