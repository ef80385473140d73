package pathway_test

import (
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// §8.2, §2.4: every suspected child victim is referred to the NRM, so a case
// closes only once the referral was submitted, a meeting decided not to
// submit it, or the closure says why there is neither.
func TestACaseClosesOnlyWithTheNRMAccountedFor(t *testing.T) {
	p := pathway.New(cat)
	close := pathway.CloseCase{Reason: "Settled in placement", Monitoring: "Review at 3 months"}

	c := raisedCase(t)
	_, err := p.Decide(c, frontDoor, close, now)
	wantRefused(t, err, waymark.EINVALID, "noNrmReason", "§8.2", "decision not to submit")

	withReason := close
	withReason.NoNRMReason = "Assessed at the strategy discussion: no indicators of exploitation."
	closed, _ := mustDecide(t, c, frontDoor, withReason, now)
	if got := closed.Safety.Closed; got == nil || got.NoNRMReason != withReason.NoNRMReason {
		t.Fatalf("the closure keeps %+v, want the reason there is no NRM referral", got)
	}

	// A meeting that decided not to submit accounts for the NRM.
	held, id := mtgConvened(t)
	rec := mtgRecord(id)
	rec.NRMDecision, rec.LeadOrgID, rec.LeadOrg = pathway.NRMDoNotSubmit, "", pathway.LeadOrganisation{}
	held, _ = mustDecide(t, held, mtgSocialWorker, rec, now.Add(25*time.Hour))
	mustDecide(t, held, mtgSocialWorker, close, now.Add(26*time.Hour))

	// So does the submission.
	submitted, _ := mtgSubmitted(t)
	mustDecide(t, submitted, mtgSocialWorker, close, now.Add(30*time.Hour))
}
