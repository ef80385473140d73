package pathway_test

import (
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// Annex step 4: only the lead organisation refers the child to Beacon, and
// only when the team agreed the child would benefit from its support.
func TestBeaconReferralIsMadeByTheLeadOrganisationWhenTheTeamAgreedItWouldHelp(t *testing.T) {
	p := pathway.New(cat)
	beacon := pathway.RecordSupport{Kind: pathway.SupportBeacon, Status: pathway.SupportRequested, ConsentBy: "guardian", ConsentDate: "2026-03-09", BenefitAgreed: supYes()}

	// Before a meeting names the lead, no one refers.
	_, err := p.Decide(supCase(t), supSocialWorker, beacon, now)
	wantRefused(t, err, waymark.EFORBIDDEN, "", "No lead organisation", "annex")

	// The meeting named the police lead: Children's Services do not refer.
	held, _ := mtgHeld(t)
	at := now.Add(26 * time.Hour)
	_, err = p.Decide(held, mtgSocialWorker, beacon, at)
	wantRefused(t, err, waymark.EFORBIDDEN, "", "Only the lead organisation, Northshire Police", "annex step 4")

	// The police refer, but only with the team's agreement that it would help.
	withPolice := func(cmd pathway.RecordSupport) error {
		_, err := p.Decide(held, asMember(held, policeLead), cmd, at)
		return err
	}
	notAgreed := beacon
	notAgreed.BenefitAgreed = supNo()
	wantRefused(t, withPolice(notAgreed), waymark.EINVALID, "benefitAgreed", "agreed the child would benefit", "annex step 4")
	unasked := beacon
	unasked.BenefitAgreed = nil
	wantRefused(t, withPolice(unasked), waymark.EINVALID, "benefitAgreed", "Say whether the team agreed")
	if err := withPolice(beacon); err != nil {
		t.Fatalf("the lead organisation, with agreement and consent, is refused: %v", err)
	}

	// Recording that Beacon was declined is not a referral: anyone on the team may.
	if _, err := p.Decide(held, mtgSocialWorker, pathway.RecordSupport{Kind: pathway.SupportBeacon, Status: pathway.SupportDeclined}, at); err != nil {
		t.Fatalf("recording a declined Beacon referral: %v", err)
	}
}
