package nrm

import (
	"slices"
	"strings"
	"testing"
	"time"

	"waymark/internal/catalog"
	"waymark/internal/pathway"
)

var boxCatalog = catalog.MustLoad()

// Every exploitation type in the catalogue (§2.1, §2.3) has at least one of
// the form's boxes of its own, and every box named is one of the form's.
func TestEveryExploitationTypeMapsToABox(t *testing.T) {
	var options []string
	for _, o := range FormFor(Referral).fieldOptions("types-of-exploitation") {
		options = append(options, o.Value)
	}
	for _, et := range boxCatalog.ExploitationTypes {
		bs := formBoxes[et.ID]
		if len(bs) == 0 {
			t.Errorf("the exploitation type %s (%s) has no box", et.ID, et.Label)
		}
		for _, b := range bs {
			if !slices.Contains(options, b) {
				t.Errorf("%s maps to %q, not a box of the form", et.ID, b)
			}
		}
	}
	for id := range formBoxes {
		if _, ok := boxCatalog.ExploitationType(id); !ok {
			t.Errorf("formBoxes names %q, not an exploitation type of the catalogue", id)
		}
	}
	for id, bs := range indicatorBoxes {
		if _, ok := boxCatalog.Indicator(id); !ok {
			t.Errorf("indicatorBoxes names %q, not an indicator of the catalogue", id)
		}
		for _, b := range bs {
			if !slices.Contains(options, b) {
				t.Errorf("%s maps to %q, not a box of the form", id, b)
			}
		}
	}
}

func boxesFor(types []string, seen ...pathway.ObservedIndicator) []string {
	c := pathway.Case{Concern: pathway.Concern{ExploitationTypes: types, Indicators: seen}}
	ticked, _ := newFacts(c, boxCatalog, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)).boxes()
	return ticked
}

// The boxes are ticked by what each means (§8.8(4)), not by the statistics
// group: every one of the ten can be proposed.
func TestTheExploitationBoxesFollowWhatEachMeans(t *testing.T) {
	seen := func(id, evidence string) pathway.ObservedIndicator {
		return pathway.ObservedIndicator{ID: id, Evidence: evidence}
	}
	cases := []struct {
		name  string
		types []string
		seen  []pathway.ObservedIndicator
		want  []string
	}{
		{"county lines is forced crime", []string{"county-lines"}, nil, []string{"forced-to-commit-crime"}},
		{"criminal exploitation", []string{"criminal"}, nil, []string{"forced-to-commit-crime"}},
		{"labour", []string{"labour"}, nil, []string{"forced-to-work"}},
		{"labour with wages taken", []string{"labour"}, []pathway.ObservedIndicator{seen("general.poor-working-conditions", "The boss keeps his wages and gives him food.")},
			[]string{"forced-to-work", "wages-taken"}},
		{"a bank account controlled", []string{"labour"}, []pathway.ObservedIndicator{seen("general.large-sums-of-money", "Her bank card is kept by the man she works for.")},
			[]string{"forced-to-work", "wages-taken"}},
		{"benefits claimed in the child's name", []string{"criminal"}, []pathway.ObservedIndicator{seen("general.false-documents-or-name", "Benefits were claimed in her name by the adults at the address.")},
			[]string{"forced-to-commit-fraud", "forced-to-commit-crime"}},
		{"sham marriage", []string{"sham-marriage"}, nil, []string{"forced-to-commit-fraud", "other"}},
		{"sexual exploitation of a child", []string{"sexual"}, nil, []string{"child-exploitation"}},
		{"found in a brothel", []string{"sexual"}, []pathway.ObservedIndicator{seen("sexual.found-in-brothel-or-sauna", "Found by police in a flat used as a brothel.")},
			[]string{"prostitution", "child-exploitation"}},
		{"held and abused", []string{"sexual"}, []pathway.ObservedIndicator{seen("labour.restricted-movement", "Not allowed out of the flat.")},
			[]string{"child-exploitation", "taken-somewhere"}},
		{"held, as the evidence says", []string{"sexual"}, []pathway.ObservedIndicator{seen("general.found-far-from-home", "Says she was locked in a room at a hotel in Harbourton.")},
			[]string{"child-exploitation", "taken-somewhere"}},
		{"organ harvesting", []string{"organ-harvesting"}, nil, []string{"organs-removed"}},
		{"domestic servitude", []string{"domestic-servitude"}, nil, []string{"unpaid-household-work"}},
		{"housework without the type", nil, []pathway.ObservedIndicator{seen("labour.household-chores", "Cleans for the household before school.")}, []string{"unpaid-household-work"}},
		{"begging", []string{"labour"}, []pathway.ObservedIndicator{seen("labour.begging", "Begs outside the station every day.")}, []string{"forced-to-work", "forced-to-commit-crime"}},
		{"forced marriage", []string{"forced-marriage"}, nil, []string{"other"}},
		{"illegal adoption", []string{"illegal-adoption"}, nil, []string{"other"}},
		// Words that only look alike tick nothing: paid if the takings reach
		// a target is not wages taken; taking money is not having it taken.
		{"not wages taken", []string{"labour"}, []pathway.ObservedIndicator{seen("labour.daily-earnings-quota", "Says he is only paid if the takings reach what the boss expects."),
			seen("general.large-sums-of-money", "He has taken money from his mother's purse.")}, []string{"forced-to-work"}},
		{"moving without being held", []string{"sexual"}, []pathway.ObservedIndicator{seen("general.travelling-alone-far-from-home", "Travels alone to Harbourton by train.")}, []string{"child-exploitation"}},
	}
	all := map[string]bool{}
	for _, c := range cases {
		got := boxesFor(c.types, c.seen...)
		want := slices.Clone(c.want)
		slices.Sort(want)
		sorted := slices.Clone(got)
		slices.Sort(sorted)
		if !slices.Equal(sorted, want) {
			t.Errorf("%s: ticked %q, want %q", c.name, got, c.want)
		}
		for _, b := range got {
			all[b] = true
		}
	}
	for _, o := range FormFor(Referral).fieldOptions("types-of-exploitation") {
		if !all[o.Value] {
			t.Errorf("no case ticks the box %q (%s)", o.Value, o.Text)
		}
	}
}

// The boxes come in the form's order, and say why each is ticked.
func TestTheExploitationBoxesSayWhy(t *testing.T) {
	c := pathway.Case{Concern: pathway.Concern{ExploitationTypes: []string{"sexual", "county-lines"},
		Indicators: []pathway.ObservedIndicator{{ID: "sexual.found-in-brothel-or-sauna", Evidence: "Found in a brothel."}}}}
	f := newFacts(c, boxCatalog, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	v, src := proposeTypes(f)
	if v != "prostitution\nchild-exploitation\nforced-to-commit-crime" {
		t.Errorf("boxes %q, want the form's order", v)
	}
	for _, s := range []string{"County lines drug supply", "Found in a brothel or sauna", "Sexual exploitation"} {
		if !strings.Contains(src, s) {
			t.Errorf("the source %q does not say %q", src, s)
		}
	}
	if other, _ := proposeOtherExploitation(newFacts(pathway.Case{Concern: pathway.Concern{ExploitationTypes: []string{"sham-marriage", "labour"}}}, boxCatalog, time.Time{})); other != "Sham marriage" {
		t.Errorf("other exploitation %q, want the sham marriage named", other)
	}
}
