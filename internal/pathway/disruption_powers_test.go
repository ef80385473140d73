package pathway_test

import (
	"testing"

	"waymark"
	"waymark/internal/pathway"
)

// §6.8: the powers come from the catalogue's dated list; one not in force
// (the Child Criminal Exploitation Prevention Order, a Bill's proposal) is
// neither offered nor accepted.
func TestDisruptionPowerNotInForceCannotBeRecorded(t *testing.T) {
	for _, p := range pathway.DisruptionPowers() {
		if p.Value == "ccepo" {
			t.Fatal("a power with no commencement date is offered")
		}
	}
	if pathway.DisruptionPowersVersion() == "" {
		t.Error("the powers list has no version")
	}
	c, id := mtgHeld(t)
	cmd := pathway.RecordDisruptionPower{MeetingID: id, Power: "ccepo", Outcome: "to-apply", Reason: "Older youths recruiting her."}
	_, err := pathway.New(cat).Decide(c, mtgSocialWorker, cmd, now)
	wantRefused(t, err, waymark.EINVALID, "power")
}
