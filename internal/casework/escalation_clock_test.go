package casework_test

import (
	"testing"
	"time"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §8.6: an escalation raised and moved up at a clock finer than the log
// keeps (a server's nanoseconds) leaves a read model that `waymark verify`
// finds to be exactly what the history gives.
func TestAnEscalationRaisedAtAnyInstantVerifies(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		// An escalation follows Children's Services' outcome (§8.5, §8.6).
		if _, err := p.svc.RecordContact(p.ctx, p.CSWorker, id, 1, "phone", ""); err != nil {
			t.Fatal(err)
		}
		if err := p.svc.RecordOutcome(p.ctx, p.CSWorker, id, 2, "multi-agency-meeting", "STRAT meeting this week"); err != nil {
			t.Fatal(err)
		}
		p.clock.Advance(time.Hour + 123456789*time.Nanosecond)
		p.nrmAct(p.CSWorker, id, pathway.RaiseEscalation{Reason: "We disagree about waiting to refer."})
		p.clock.Advance(25*time.Hour + 987*time.Nanosecond)
		p.nrmAct(p.CSWorker, id, pathway.EscalateFurther{Note: "Still no agreement between the managers."})
		if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatal(err)
		}
	})
}
