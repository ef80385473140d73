package pathway_test

import (
	"slices"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// §8.7: the child's nationality is chosen from the form's own list, up to
// two of them, while what the child said stays beside it in their words.
func TestNationalityIsAnEntryOfTheFormsListWithTheChildsWordsBeside(t *testing.T) {
	c := supCase(t)
	p := pathway.New(cat)

	_, err := p.Decide(c, supSocialWorker, pathway.RecordChildOrigin{Nationality: "Eritrean (his own account)"}, now)
	wantRefused(t, err, waymark.EINVALID, "nationality", "Choose the nationality from the Home Office form's list")
	_, err = p.Decide(c, supSocialWorker, pathway.RecordChildOrigin{Nationality: "eritrean"}, now) // the value, exactly
	wantRefused(t, err, waymark.EINVALID, "nationality", "not one of its entries")
	_, err = p.Decide(c, supSocialWorker, pathway.RecordChildOrigin{Nationality: "Eritrean", SecondNationality: "Eritrean"}, now)
	wantRefused(t, err, waymark.EINVALID, "secondNationality", "same as the first")
	_, err = p.Decide(c, supSocialWorker, pathway.RecordChildOrigin{Nationality: "Eritrean", CountryOfBirth: "Eritrean"}, now)
	wantRefused(t, err, waymark.EINVALID, "countryOfBirth", "country of birth")
	_, err = p.Decide(c, supSocialWorker, pathway.RecordChildOrigin{}, now)
	wantRefused(t, err, waymark.EINVALID, "nationality", "choose Unknown")

	c, _ = mustDecide(t, c, supSocialWorker, pathway.RecordChildOrigin{Nationality: "Eritrean", SecondNationality: "Ethiopian",
		NationalityWords: "Eritrean (his own account)", CountryOfBirth: "Eritrea", BirthWords: "A village near Keren"}, now)
	o := c.Places.Origin
	if !slices.Equal(o.Nationalities, []string{"Eritrean", "Ethiopian"}) || o.NationalityWords != "Eritrean (his own account)" || o.CountryOfBirth != "Eritrea" || o.BirthWords != "A village near Keren" || o.RecordedBy.UserID != supSocialWorker.UserID {
		t.Fatalf("the child's origin: %+v", o)
	}
}

// §6.5: the places are the team's to record; the referrer tells them.
func TestOnlyTheTeamRecordsWhereTheChildIsFromAndWhereItHappened(t *testing.T) {
	c := supCase(t)
	p := pathway.New(cat)
	_, err := p.Decide(c, teacher, pathway.RecordChildOrigin{Nationality: "British"}, now)
	wantRefused(t, err, waymark.EFORBIDDEN, "", "Only the team working this case")
	_, err = p.Decide(c, teacher, pathway.RecordExploitationPlaces{UKTowns: []string{"Dover"}}, now)
	wantRefused(t, err, waymark.EFORBIDDEN, "", "Only the team working this case")
	_, err = p.Decide(c, teacher, pathway.RecordWhereChildIsNow{Town: "Dover", Region: "Kent"}, now)
	wantRefused(t, err, waymark.EFORBIDDEN, "", "Only Children's Services")
}

// §8.8(4)(b): the form takes ten towns and ten countries, each an entry of
// its list; the places with no entry stay in words.
func TestExploitationPlacesAreAtMostTenTownsAndTenCountriesFromTheLists(t *testing.T) {
	c := supCase(t)
	p := pathway.New(cat)
	eleven := []string{"Dover", "Folkestone", "Ashford", "Canterbury", "Margate", "Ramsgate", "Maidstone", "Chatham", "Gillingham", "Sittingbourne", "Faversham"}
	_, err := p.Decide(c, supSocialWorker, pathway.RecordExploitationPlaces{UKTowns: eleven}, now)
	wantRefused(t, err, waymark.EINVALID, "ukTowns", "at most 10")
	_, err = p.Decide(c, supSocialWorker, pathway.RecordExploitationPlaces{UKTowns: []string{"Eastshire town centre"}}, now)
	wantRefused(t, err, waymark.EINVALID, "ukTowns", "not one of its entries")
	_, err = p.Decide(c, supSocialWorker, pathway.RecordExploitationPlaces{Countries: []string{"Libyan"}}, now)
	wantRefused(t, err, waymark.EINVALID, "countries", "not one of its entries") // a nationality, not a country
	_, err = p.Decide(c, supSocialWorker, pathway.RecordExploitationPlaces{}, now)
	wantRefused(t, err, waymark.EINVALID, "ukTowns", "at least one")

	c, _ = mustDecide(t, c, supSocialWorker, pathway.RecordExploitationPlaces{UKTowns: []string{"Dover", "", "Folkestone", "Dover"}, Countries: []string{"Libya", "Italy"},
		UKWords: "A lorry park he could not name", OverseasWords: "A farm outside Tripoli"}, now)
	e := c.Places.Exploitation
	if !slices.Equal(e.UKTowns, []string{"Dover", "Folkestone"}) || !slices.Equal(e.Countries, []string{"Libya", "Italy"}) || e.UKWords != "A lorry park he could not name" || e.OverseasWords != "A farm outside Tripoli" {
		t.Fatalf("the places: %+v", e)
	}
}

// §7.6: the town and area where the child is staying are part of their
// whereabouts: while those are confidential, a viewer without access sees
// neither, on the case or in its history.
func TestWhereTheChildIsNowIsWithheldWhileTheWhereaboutsAreConfidential(t *testing.T) {
	c := supCase(t)
	c = supPlaced(t, c, true, now)
	c, e := mustDecide(t, c, supSocialWorker, pathway.RecordWhereChildIsNow{Town: "Dover", Region: "Kent", Words: "With foster carers near the port"}, now.Add(time.Hour))
	if n := c.Places.Now; n.Town != "Dover" || n.Region != "Kent" {
		t.Fatalf("where the child is now: %+v", n)
	}
	hidden := c.Redacted(policeLead.UserID)
	if n := hidden.Places.Now; n == nil || n.Town != "" || n.Region != "" || n.Words != "" {
		t.Fatalf("a viewer without access sees %+v", n)
	}
	if d := e.Redacted(c, policeLead.UserID).Data.(pathway.WhereChildIsNowRecorded); d.Town != "" || d.Region != "" {
		t.Fatalf("the event shows %+v", d)
	}
	if c.Places.Now.Town != "Dover" {
		t.Fatal("redacting wrote through to the case")
	}
	_, err := pathway.New(cat).Decide(c, supSocialWorker, pathway.RecordWhereChildIsNow{Town: "Dover"}, now)
	wantRefused(t, err, waymark.EINVALID, "region", "choose Unknown")
}
