package demo

import (
	"fmt"
	"time"

	"waymark/internal/catalog"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// The fictional Eastshire partnership in the Home Office form's lists. The
// form knows only real councils, forces and towns, so the demo maps Eastshire
// to Suffolk's entries and its fictional towns to real ones nearby (Eastshire
// town to Ipswich; Harbourton, about 60 miles away, to Great Yarmouth). The
// mapping is illustrative only: it says nothing about those places.
var hoListMappings = map[string]store.HOListMapping{
	orgChildrensServices: {Organisation: "Suffolk County Council", LocalAuthority: "Suffolk County Council", PoliceForce: "Suffolk Constabulary",
		LocalAuthorityPhone: "01632 960 400", LocalAuthorityEmail: "mash@eastshire.example"},
	orgPolice: {Organisation: "Suffolk Constabulary", LocalAuthority: "Suffolk County Council", PoliceForce: "Suffolk Constabulary"},
}

// partnershipHOLists is the partnership's own entries (illustrative, as above).
var partnershipHOLists = store.HOListMapping{LocalAuthority: "Suffolk County Council", PoliceForce: "Suffolk Constabulary"}

// mapToHOLists records the administrator's mapping of the organisations and
// the partnership, once, as the partnership is set up.
func mapToHOLists(tx *store.Tx, lists *catalog.HOLists, at time.Time) error {
	by := "user-demo-admin"
	check := func(m store.HOListMapping) error {
		for _, e := range []struct {
			list  catalog.HOList
			value string
		}{{catalog.HOOrganisations, m.Organisation}, {catalog.HOLocalAuthorities, m.LocalAuthority}, {catalog.HOPoliceForces, m.PoliceForce}} {
			if e.value != "" && (lists == nil || !lists.Has(e.list, e.value)) {
				return fmt.Errorf("demo: %q is not an entry of the Home Office list %s", e.value, e.list)
			}
		}
		return nil
	}
	if err := check(partnershipHOLists); err != nil {
		return err
	}
	for _, id := range []string{orgChildrensServices, orgPolice} {
		m := hoListMappings[id]
		if err := check(m); err != nil {
			return err
		}
		m.MappedBy, m.MappedAt = by, at
		if err := tx.SetOrganisationHOListMapping(id, m); err != nil {
			return err
		}
	}
	p := partnershipHOLists
	p.MappedBy, p.MappedAt = by, at
	return tx.SetPartnershipHOListMapping(p)
}

// listChoices are the list entries the social worker chooses on the demo
// cases that reach the NRM, a few hours before seeding, beside the words the
// case already holds (§8.7).
var listChoices = map[string][]later{
	"Sophie Lambert": placesChosen("British", []string{"Ipswich"}, "A flat in the town centre where older men give girls alcohol", "Ipswich", "Suffolk"),
	"Oliver Grant":   placesChosen("British", []string{"Ipswich"}, "A neighbour's roofing business, on the roofs he works on", "Ipswich", "Suffolk"),
	"Reece Hammond":  placesChosen("British", []string{"Great Yarmouth", "Ipswich"}, "A flat in Harbourton taken over by dealers, and the addresses he delivered to", "Ipswich", "Suffolk"),
	"Kayla Morris":   placesChosen("British", []string{"Ipswich"}, "Cars near her children's home", "Ipswich", "Suffolk"),
}

func placesChosen(nationality string, towns []string, words, town, region string) []later {
	return []later{
		{ago(4 * hour), socialWorker, "choosing the nationality from the Home Office list", func(c pathway.Case, _, _ time.Time, _ catalog.Calendar) pathway.Command {
			return pathway.RecordChildOrigin{Nationality: nationality, NationalityWords: c.Concern.Child.Nationality, CountryOfBirth: "United Kingdom"}
		}},
		{ago(4*hour - 10*time.Minute), socialWorker, "choosing where the exploitation happened from the Home Office lists", func(pathway.Case, time.Time, time.Time, catalog.Calendar) pathway.Command {
			return pathway.RecordExploitationPlaces{UKTowns: towns, UKWords: words}
		}},
		{ago(4*hour - 20*time.Minute), socialWorker, "choosing the town and area where the child is now", func(c pathway.Case, _, _ time.Time, _ catalog.Calendar) pathway.Command {
			return pathway.RecordWhereChildIsNow{Town: town, Region: region, Words: c.Concern.Child.CurrentLocation}
		}},
	}
}
