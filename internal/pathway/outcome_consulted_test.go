package pathway_test

import (
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// §6.2: the outcome records who it was discussed with; with the police and
// the referrer both consulted it carries no warning.
func TestOutcomeRecordsThatThePoliceAndTheReferrerWereConsulted(t *testing.T) {
	c, _ := mustDecide(t, contactedCase(t), frontDoor, pathway.RecordOutcome{Decision: "strategy-discussion", NextStep: "Strategy discussion at 2pm",
		Consulted: []string{"police", "referrer", "other-professionals"}, ConsultedOthersNames: "School nurse"}, now.Add(2*time.Hour))
	if got := c.Outcome.Consulted; len(got) != 3 || c.Outcome.ConsultedOthersNames != "School nurse" {
		t.Fatalf("consulted = %v %q", got, c.Outcome.ConsultedOthersNames)
	}
	if gap := c.Outcome.ConsultationGap(); gap != "" {
		t.Errorf("both consulted, yet the outcome warns %q", gap)
	}
}

// §6.2 says the decision "normally" follows discussion with the police and
// the referrer: an outcome without them is recorded, and warned about, with
// the reason when one is given.
func TestOutcomeWithoutThePoliceOrTheReferrerIsWarnedNotRefused(t *testing.T) {
	c, _ := mustDecide(t, contactedCase(t), frontDoor, pathway.RecordOutcome{Decision: "assessment", NextStep: "Assessment",
		Consulted: []string{"referrer"}, NotConsultedReason: "Police out of hours; discussed next morning"}, now.Add(2*time.Hour))
	gap := c.Outcome.ConsultationGap()
	if !strings.Contains(gap, "the police") || strings.Contains(gap, "referral,") || !strings.Contains(gap, "Police out of hours") || !strings.Contains(gap, "§6.2") {
		t.Errorf("gap = %q", gap)
	}
	old := pathway.Outcome{Decision: "assessment"} // recorded before consultation was kept
	if gap := old.ConsultationGap(); !strings.Contains(gap, "the police or the person who made the referral") {
		t.Errorf("an older outcome says %q", gap)
	}
}

// §6.2: the consulted answers come from the list, and other professionals are named.
func TestOutcomeConsultedAnswersAreChecked(t *testing.T) {
	_, err := pathway.New(cat).Decide(contactedCase(t), frontDoor, pathway.RecordOutcome{Decision: "assessment", NextStep: "Assessment",
		Consulted: []string{"the-mayor", "other-professionals"}}, now.Add(2*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "consulted", "from the list")
	wantRefused(t, err, waymark.EINVALID, "consultedOthersNames", "Name the other")
}
