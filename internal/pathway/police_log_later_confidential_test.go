package pathway_test

import (
	"testing"
	"time"

	"waymark/internal/pathway"
)

// §7.6: an entry of the police log that quotes the placement's address is
// withheld once the whereabouts become confidential, though they were not
// when it was written: the danger that makes them confidential is the
// moment the address must stop being read.
func TestThePoliceLogWithholdsAnAddressThatBecameConfidentialLater(t *testing.T) {
	c := supPlaced(t, supCase(t), false, now.Add(time.Hour))
	quoted := pathway.SharePoliceInformation{SharedAt: now.Add(time.Hour), Topics: []string{"crimes-against-the-child"}, What: "Men seen outside 14 larch close, Northtown at night", SharedWith: "PC Hale", SharedBy: "Sam Social"}
	c, quotedEvent := mustDecide(t, c, supSocialWorker, quoted, now.Add(2*time.Hour))
	c, _ = mustDecide(t, c, supSocialWorker, pathway.ChangeWhereaboutsConfidentiality{Confidential: true, Reason: "The men have been seen near the house again."}, now.Add(3*time.Hour))

	if seen := c.Redacted(supManager.UserID).Support.AbroadRecords.PoliceSharing; seen[0].What != "" || !seen[0].WhatWithheld {
		t.Errorf("the manager without access reads %q", seen[0].What)
	}
	if d := quotedEvent.Redacted(c, supManager.UserID).Data.(pathway.PoliceInformationShared); d.What != "" || !d.WhatWithheld {
		t.Errorf("the event's data shows %q", d.What)
	}
	if c.Redacted(supSocialWorker.UserID).Support.AbroadRecords.PoliceSharing[0].What != quoted.What {
		t.Error("the social worker with access cannot read the entry")
	}
}
