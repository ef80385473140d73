package nrm_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"waymark/internal/catalog"
	"waymark/internal/nrm"
	"waymark/internal/pathway"
)

// placeFields are the list questions this file's proposals answer, with
// their lists.
func placeFields() map[string]catalog.HOList {
	m := map[string]catalog.HOList{"pv-nationality": catalog.HONationalities, "pv-nationality-second": catalog.HONationalities,
		"current-pv-location-uk-city": catalog.HOTowns, "current-pv-location-uk-region": catalog.HORegions}
	for n := 1; n <= 10; n++ {
		m[fmt.Sprintf("where-exploitation-happened-uk-city-%d", n)] = catalog.HOTowns
		m[fmt.Sprintf("where-exploitation-happened-overseas-country-%d", n)] = catalog.HOCountries
	}
	return m
}

// minhWithPlaces is the child from abroad with his nationality and the
// places of his exploitation chosen from the form's lists.
func minhWithPlaces(t *testing.T) (pathway.Case, time.Time) {
	c, now := mustCase(t, "child-from-abroad")
	s := &story{t: t, c: c, now: now.Add(-time.Hour)}
	s.do(socialWorker, pathway.RecordChildOrigin{Nationality: "Vietnamese", NationalityWords: "Vietnamese (his own account)", CountryOfBirth: "Vietnam", BirthWords: "A village in Nghe An province"})
	towns := []string{"Kingston upon Hull", "Dover", "Folkestone", "Ashford", "Canterbury", "Margate", "Ramsgate", "Maidstone", "Chatham", "Gillingham"}
	s.do(socialWorker, pathway.RecordExploitationPlaces{UKTowns: towns, Countries: []string{"Vietnam", "China", "Russia", "France"},
		UKWords: "A house on Mill Lane, Kingsport", OverseasWords: "A camp near Calais"})
	return s.c, now
}

// §8.7: the nationality and the places are proposed from the entries the
// team chose, all ten towns and every country in boxes of their own; the
// boxes for other places hold only what has no entry.
func TestTheNineExtraTownsAndCountriesAreAnsweredFromTheCasesPlaces(t *testing.T) {
	c, now := minhWithPlaces(t)
	d := nrm.Assemble(c, cat, now)
	want := map[string]string{
		"pv-nationality":                                            "Vietnamese",
		"pv-nationality-second":                                     "",
		"where-exploitation-happened":                               "uk-and-overseas",
		"where-exploitation-happened-uk-city-1":                     "Kingston upon Hull",
		"where-exploitation-happened-uk-city-10":                    "Gillingham",
		"where-exploitation-happened-overseas-country-1":            "Vietnam",
		"where-exploitation-happened-overseas-country-4":            "France",
		"where-exploitation-happened-overseas-country-5":            "",
		"where-exploitation-happened-other-uk-other-location":       "A house on Mill Lane, Kingsport",
		"where-exploitation-happened-other-overseas-other-location": "A camp near Calais",
	}
	for id, v := range want {
		f, ok := d.Field(id)
		if !ok {
			t.Errorf("the draft has no field %s", id)
			continue
		}
		if f.Proposed != v {
			t.Errorf("%s = %q, want %q (%s)", id, f.Proposed, v, f.Source)
		}
	}
	if f, _ := d.Field("pv-nationality"); !strings.Contains(f.Source, "Vietnamese (his own account)") {
		t.Errorf("the nationality's source does not keep the child's words: %q", f.Source)
	}
	// §7.6: the whereabouts are confidential, so no town or area is proposed.
	if f, _ := d.Field("current-pv-location-uk-city"); f.Proposed != "" || !strings.Contains(f.Source, "confidential") {
		t.Errorf("the town where he is now = %q (%s)", f.Proposed, f.Source)
	}
}

// §8.7: a proposal to a list question is always an entry of its list; what
// the case holds only in words becomes a note naming the nearest entries.
func TestAListAnswerIsOnlyEverAnEntryOfItsList(t *testing.T) {
	lists := catalog.MustLoadHOLists()
	withPlaces, at := minhWithPlaces(t)
	drafts := []nrm.Draft{nrm.Assemble(withPlaces, cat, at)}
	for _, sc := range sampleCases {
		drafts = append(drafts, nrm.Assemble(sc.build(t), cat, sc.now))
	}
	for _, d := range drafts {
		for id, list := range placeFields() {
			f, ok := d.Field(id)
			if !ok {
				t.Errorf("%s: the draft has no field %s", d.CaseID, id)
				continue
			}
			if f.Proposed != "" && !lists.Has(list, f.Proposed) {
				t.Errorf("%s: %s proposes %q, which is not an entry of %s", d.CaseID, id, f.Proposed, list)
			}
		}
	}

	c, now := mustCase(t, "child-from-abroad")
	c.Concern.Child.Nationality = "Eritrean (his own account)"
	d := nrm.Assemble(c, cat, now)
	f, _ := d.Field("pv-nationality")
	if f.Proposed != "" || !strings.Contains(f.Source, "not an entry of the form's list") || !strings.Contains(f.Source, "Nearest entries: 'Eritrean'") {
		t.Errorf("words that are no entry: proposed %q (%s)", f.Proposed, f.Source)
	}
	c.Concern.Child.Nationality = "british"
	d = nrm.Assemble(c, cat, now)
	if f, _ := d.Field("pv-nationality"); f.Proposed != "British" {
		t.Errorf("words that name an entry outright: proposed %q (%s)", f.Proposed, f.Source)
	}
}

// §7.6, §8.8: where the whereabouts are not confidential, the town and area
// chosen on the case are proposed.
func TestTheTownAndAreaWhereTheChildIsNowComeFromTheList(t *testing.T) {
	c, now := mustCase(t, "county-lines-boy")
	s := &story{t: t, c: c, now: now.Add(-time.Hour)}
	s.do(socialWorker, pathway.RecordWhereChildIsNow{Town: "Dover", Region: "Kent", Words: "With his grandmother"})
	d := nrm.Assemble(s.c, cat, now)
	town, _ := d.Field("current-pv-location-uk-city")
	region, _ := d.Field("current-pv-location-uk-region")
	if town.Proposed != "Dover" || region.Proposed != "Kent" {
		t.Errorf("where he is now: %q, %q", town.Proposed, region.Proposed)
	}
}
