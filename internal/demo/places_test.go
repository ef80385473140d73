package demo_test

import (
	"context"
	"slices"
	"testing"

	"waymark/internal/nrm"
)

// §8.7: the demo partnership is mapped to entries of the Home Office lists,
// and the demo cases that reach the NRM have their nationality and places
// chosen from them, so their drafts propose list entries.
func TestTheDemoCasesAtTheNRMHaveTheirPlacesChosenFromTheLists(t *testing.T) {
	svc, _ := seeded(t)
	ctx := context.Background()
	admin := signIn(t, svc, "admin@eastshire.example")
	orgs, partnership, err := svc.HOListMappings(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if orgs["org-eastshire-police"].PoliceForce != "Suffolk Constabulary" || partnership.LocalAuthority != "Suffolk County Council" {
		t.Errorf("the demo mappings: %+v, %+v", orgs, partnership)
	}

	sw := signIn(t, svc, "social.worker@eastshire.example")
	cases, _, err := svc.MyCasesPage(ctx, sw, nil)
	if err != nil {
		t.Fatal(err)
	}
	var checked []string
	for _, c := range cases {
		if c.ChildName != "Reece Hammond" && c.ChildName != "Sophie Lambert" {
			continue
		}
		checked = append(checked, c.ChildName)
		view, err := svc.NRMDraft(ctx, sw, c.ID, nrm.Referral, "test")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"pv-nationality": "British", "where-exploitation-happened-uk-city-1": "Ipswich", "current-pv-location-uk-region": "Suffolk"}
		if c.ChildName == "Reece Hammond" {
			want["where-exploitation-happened-uk-city-1"], want["where-exploitation-happened-uk-city-2"] = "Great Yarmouth", "Ipswich"
		}
		for id, v := range want {
			f, ok := view.Draft.Field(id)
			if !ok {
				t.Fatalf("%s: no field %s", c.ChildName, id)
			}
			if f.Proposed != v {
				t.Errorf("%s: %s = %q, want %q", c.ChildName, id, f.Proposed, v)
			}
		}
	}
	slices.Sort(checked)
	if !slices.Equal(checked, []string{"Reece Hammond", "Sophie Lambert"}) {
		t.Errorf("the social worker's cases checked: %v", checked)
	}
}
