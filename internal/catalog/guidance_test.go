package catalog

import (
	"strings"
	"testing"
)

// Issue 13: each decision records the version of the statutory guidance and
// of the referral form in force on its date; a version whose number is not
// confirmed is named by the date it came into force, never by a guess.
func TestGuidanceVersionInForceOnADecisionsDate(t *testing.T) {
	g, err := Guidance()
	if err != nil {
		t.Fatal(err)
	}
	if v := InForce(g.StatutoryGuidance, "2023-03-01"); v.From != "2023-01-30" {
		t.Fatalf("in force on 1 March 2023: %+v", v)
	}
	if v := InForce(g.StatutoryGuidance, "2026-03-01"); !strings.Contains(v.Label(), "version in force from 10 July 2023") {
		t.Fatalf("label: %q", v.Label())
	}
	if v := InForce(g.DDMGuidance, "2026-03-01"); v.Label() != "Devolving child decision-making pilot programme: general guidance, version 6.0" {
		t.Fatalf("pilot guidance: %q", v.Label())
	}
	if v := InForce(g.ReferralForm, "2019-01-01"); v.Label() != "" {
		t.Fatalf("before any version: %q", v.Label())
	}
	if _, err := ParseGuidanceVersions([]byte(`{"statutoryGuidance":[{"from":"x","title":"t"}],"ddmGuidance":[{"from":"2020-01-01","title":"t"}],"referralForm":[{"from":"2020-01-01","title":"t"}]}`)); err == nil {
		t.Fatal("a version without a real date was accepted")
	}
}
