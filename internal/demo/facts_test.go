package demo_test

import (
	"context"
	"strings"
	"testing"

	"waymark/internal/nrm"
	"waymark/internal/pathway"
)

// The demo cases the meeting sent to the NRM carry what the team learnt of
// each child's situation, and the police officer's work details: the
// referral the First Responder opens is filled in from them (§8.5, §8.8).
func TestTheDemoReferralsAreFilledFromWhatTheTeamLearnt(t *testing.T) {
	svc, _ := seeded(t)
	ctx := context.Background()
	police := signIn(t, svc, "first.responder@eastshire-police.example")
	cases, _, err := svc.MyCasesPage(ctx, police, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]string{
		"Sophie Lambert": {"still-in-exploitative-situation": "yes", "reported-to-police-crime-reference": "EP-26-004417", "authorities-cooperation": "no"},
		"Oliver Grant":   {"still-in-exploitative-situation": "no", "when-last-contact": "within-the-last-week", "authorities-cooperation": "yes"},
		"Reece Hammond":  {"any-other-pvs": "yes", "exploiters-location": "yes", "are-exploiters-in-the-uk": "yes"},
	}
	seen := 0
	for _, c := range cases {
		fields, ok := want[c.ChildName]
		if !ok {
			continue
		}
		seen++
		view, err := svc.NRMDraft(ctx, police, c.ID, nrm.Referral, "test")
		if err != nil {
			t.Fatalf("%s: %v", c.ChildName, err)
		}
		fields["fr-details-role"] = "Detective Sergeant, Child Exploitation Team"
		fields["fr-alternative-contact"] = "child.exploitation@eastshire-police.example"
		for id, w := range fields {
			if f, _ := view.Draft.Field(id); f.Value != w {
				t.Errorf("%s: %s = %q, want %q", c.ChildName, id, f.Value, w)
			}
		}
		for _, id := range []string{"living-conditions", "how-they-were-treated", "who-exploited-pv", "family", "education", "birthplace",
			"when-did-the-exploitation-take-place", "how-did-the-exploitation-start"} {
			if f, _ := view.Draft.Field(id); f.Value == "" || !strings.Contains(f.Source, "at a multi-agency meeting") {
				t.Errorf("%s: %s = %q (%s), want what the meeting learnt", c.ChildName, id, f.Value, f.Source)
			}
		}
		cv, err := svc.Case(ctx, police, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := cv.Case.Fact(pathway.FactBirthplace); got.By.Name != "Grace Adeyemi" {
			t.Errorf("%s: the birthplace was recorded by %q, want the social worker", c.ChildName, got.By.Name)
		}
	}
	if seen != len(want) {
		t.Fatalf("the police see %d of the %d cases sent to the NRM", seen, len(want))
	}
}
