package catalog_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"waymark/internal/catalog"
)

// The form's lists ship whole, with their source, and every count matches
// what the Home Office published (§8.7: the referral is made on the form).
func TestTheHomeOfficeListsShipWholeWithTheirSource(t *testing.T) {
	l := catalog.MustLoad().HOLists
	if l.Source.Repository != "UKHomeOffice/modern-slavery" || !strings.HasPrefix(l.Source.Commit, "54dfce7") {
		t.Fatalf("source = %+v", l.Source)
	}
	want := map[catalog.HOList]int{
		catalog.HOOrganisations: 526, catalog.HOLocalAuthorities: 451, catalog.HOTowns: 1622,
		catalog.HORegions: 98, catalog.HOCountries: 197, catalog.HONationalities: 222, catalog.HOPoliceForces: 47,
	}
	for name, n := range want {
		if got := len(l.Entries(name)); got != n {
			t.Errorf("%s: %d entries, want %d", name, got, n)
		}
	}
	if !l.Has(catalog.HONationalities, "Eritrean") || l.Has(catalog.HONationalities, "Eritrean (his own account)") {
		t.Error("Has must accept exactly the list's values")
	}
	if !l.Has(catalog.HOCountries, "Eritrea") || !l.Has(catalog.HOTowns, "Unknown") {
		t.Error("expected entries are missing")
	}
}

func TestLookupFindsAnEntryWrittenAnotherWayButNeverGuesses(t *testing.T) {
	l := catalog.MustLoad().HOLists
	if e, ok := l.Lookup(catalog.HONationalities, "  eritrean "); !ok || e.Value != "Eritrean" {
		t.Errorf("Lookup(eritrean) = %+v, %v", e, ok)
	}
	if _, ok := l.Lookup(catalog.HOLocalAuthorities, "Eastshire County Council Children's Services"); ok {
		t.Error("a name that is not an entry must not be looked up as one")
	}
	near := l.Nearest(catalog.HONationalities, "Eritrean (his own account)", 3)
	if len(near) == 0 || near[0].Value != "Eritrean" {
		t.Errorf("Nearest = %+v", near)
	}
}

func TestAListFileInAnotherShapeIsRefusedNotHalfRead(t *testing.T) {
	for name, src := range map[string]string{
		"no array":       "module.exports = {}",
		"stray text":     `const x = [ {value:"A",label:"A"}, oops, {value:"B",label:"B"} ];`,
		"empty value":    `const x = [ {value:"",label:"A"} ];`,
		"no entries":     `const x = [ ];`,
		"other property": `const x = [ {value:"A",label:"A",extra:1} ];`,
	} {
		if _, err := catalog.ParseHOListFile(src); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	got, err := catalog.ParseHOListFile(`const x = [
  {value: 'Cote d\'Ivoire', label: 'Côte d’Ivoire'},
  {value:"A \"B\"",label:"A"},
];`)
	if err != nil || len(got) != 2 || got[0].Value != "Cote d'Ivoire" || got[1].Value != `A "B"` {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestACopyWhoseCountDiffersFromItsSourceIsRefused(t *testing.T) {
	fsys := fstest.MapFS{
		"source.json": {Data: []byte(`{"repository":"r","commit":"c","date":"d","lists":[{"name":"countries","file":"c.js","entries":2}]}`)},
		"c.js":        {Data: []byte(`x = [{value:"A",label:"A"}]`)},
	}
	if _, err := catalog.ParseHOLists(fsys); err == nil {
		t.Fatal("a list with fewer entries than its source says was accepted")
	}
}
