package nrm

import (
	"fmt"
	"strings"
	"time"

	"waymark/internal/catalog"
	"waymark/internal/pathway"
)

// The nationality, country and town answers come from the entries the team
// chose from the form's own lists (pathway.PlacesState, §8.7): only an entry
// of the list is ever proposed. Anything the case holds only in words becomes
// a note naming the nearest entries, and the free-text boxes for other places
// hold only what has no entry (§8.8(4)(b) and (c)).

// nearestShown is how many of the nearest entries a note names.
const nearestShown = 3

// listEntry is v when it is exactly an entry of the list, else "".
func (f *facts) listEntry(list catalog.HOList, v string) string {
	if v == "" || f.cat == nil || f.cat.HOLists == nil || !f.cat.HOLists.Has(list, v) {
		return ""
	}
	return v
}

// nearestNote says that words are not an entry of the list and names the
// entries nearest to them, to choose from.
func (f *facts) nearestNote(list catalog.HOList, words string) string {
	note := fmt.Sprintf("%q is not an entry of the form's list.", words)
	if f.cat == nil || f.cat.HOLists == nil {
		return note
	}
	var names []string
	for _, e := range f.cat.HOLists.Nearest(list, words, nearestShown) {
		names = append(names, e.Label)
	}
	if len(names) > 0 {
		note += " Nearest entries: " + strings.Join(names, "; ") + "."
	}
	return note
}

// chosenBy says who chose the entries and when.
func chosenBy(by pathway.Party, at time.Time) string {
	return "Chosen from the form's list by " + by.Name + " on " + day(at)
}

// proposeNationality answers the first (n 0) or second (n 1) nationality.
func proposeNationality(n int) proposal {
	return func(f *facts) (string, string) {
		words := f.c.Concern.Child.Nationality
		if o := f.c.Places.Origin; o != nil {
			src := chosenBy(o.RecordedBy, o.RecordedAt)
			if o.NationalityWords != "" {
				src += "; in their words: " + o.NationalityWords
			}
			if n < len(o.Nationalities) {
				if v := f.listEntry(catalog.HONationalities, o.Nationalities[n]); v != "" {
					return v, src + "."
				}
				return "", f.nearestNote(catalog.HONationalities, o.Nationalities[n]) + " The list has changed since it was chosen: choose again on the case."
			}
			if n > 0 {
				return "", "Optional. No second nationality is recorded."
			}
		}
		if n > 0 {
			return "", "Optional. No second nationality is recorded."
		}
		if words == "" {
			return "", "No nationality is recorded. Choose it from the list on the case's concern page; the list includes 'Unknown'."
		}
		// What the referrer wrote names an entry outright ("British"): that
		// entry, never a guess.
		if f.cat == nil || f.cat.HOLists == nil {
			return "", "The form's lists are not loaded: choose the nationality from the form's list."
		}
		if e, ok := f.cat.HOLists.Lookup(catalog.HONationalities, words); ok {
			return e.Value, "The nationality recorded with the concern. Choose it from the list on the case to keep the child's own words beside it."
		}
		// Not an entry: offered as a suggestion with the nearest entries, never as the answer (offerListed).
		return words, "Recorded with the concern. Choose the child's nationality from the list on the case."
	}
}

// exploitationPlaces is what the team chose, or nil.
func (f *facts) exploitationPlaces() *pathway.ExploitationPlaces { return f.c.Places.Exploitation }

func proposeWhereExploitationHappened(f *facts) (string, string) {
	if e := f.exploitationPlaces(); e != nil && (len(e.UKTowns) > 0 || len(e.Countries) > 0) {
		src := chosenBy(e.RecordedBy, e.RecordedAt) + "."
		switch {
		case len(e.UKTowns) > 0 && len(e.Countries) > 0:
			return "uk-and-overseas", src
		case len(e.Countries) > 0:
			return "overseas", src
		}
		return "uk", src
	}
	if f.fromAbroad() {
		return "uk-and-overseas", "The child was brought from abroad (§5.3, §7). Choose 'In the UK' if nothing happened to them before they arrived."
	}
	return "uk", "Nothing on the case places the exploitation outside the UK."
}

// proposeUKTown answers the n-th town box (1 to 10).
func proposeUKTown(n int) proposal {
	return func(f *facts) (string, string) {
		e := f.exploitationPlaces()
		if e != nil && n <= len(e.UKTowns) {
			if v := f.listEntry(catalog.HOTowns, e.UKTowns[n-1]); v != "" {
				return v, chosenBy(e.RecordedBy, e.RecordedAt) + "."
			}
			return "", f.nearestNote(catalog.HOTowns, e.UKTowns[n-1]) + " Choose the town again on the case."
		}
		if n > 1 {
			return "", "Optional."
		}
		return "", "No town is chosen from the form's list on the case yet: record where the exploitation happened on the concern page. The places the case describes are in the box for other places."
	}
}

// proposeCountry answers the n-th country box (1 to 10).
func proposeCountry(n int) proposal {
	return func(f *facts) (string, string) {
		e := f.exploitationPlaces()
		if e != nil && n <= len(e.Countries) {
			if v := f.listEntry(catalog.HOCountries, e.Countries[n-1]); v != "" {
				return v, chosenBy(e.RecordedBy, e.RecordedAt) + "."
			}
			return "", f.nearestNote(catalog.HOCountries, e.Countries[n-1]) + " Choose the country again on the case."
		}
		if n > 1 {
			return "", "Optional."
		}
		src := "No country is chosen from the form's list on the case yet: record where the exploitation happened on the concern page."
		if o := f.c.Places.Origin; o != nil && o.CountryOfBirth != "" {
			src += " Country of birth recorded: " + o.CountryOfBirth + "."
		} else if w := f.c.Concern.Child.Nationality; w != "" {
			src += " Nationality recorded: " + w + "."
		}
		return "", src
	}
}

// proposeOtherUKPlaces holds only the places with no entry: once the team
// has chosen entries, the places they described in words; before, every
// place the case describes, since none has an entry yet.
func proposeOtherUKPlaces(f *facts) (string, string) {
	if e := f.exploitationPlaces(); e != nil {
		if e.UKWords == "" {
			return "", "Optional. The places recorded on the case all have an entry in the form's lists."
		}
		return e.UKWords, "Places in the UK with no entry in the form's list, as recorded on the case. Never the child's placement address (§7.6)."
	}
	return bullets(places(f)), "Where the child was identified and found (§8.8(4)(b) and (c)). Choose the towns from the list on the case, and keep here only what has no entry. Never the child's placement address (§7.6)."
}

// proposeOtherOverseasPlaces holds only the places overseas with no entry.
func proposeOtherOverseasPlaces(f *facts) (string, string) {
	if e := f.exploitationPlaces(); e != nil {
		if e.OverseasWords == "" {
			return "", "Optional. No place overseas without an entry in the form's list is recorded."
		}
		return e.OverseasWords, "Places overseas with no entry in the form's list, as recorded on the case."
	}
	if a := f.c.Support.Abroad; a != nil && a.Notes != "" {
		return sentence(a.Notes), "The record of the child from abroad (§7)."
	}
	return "", "Optional. Nothing is recorded about places overseas."
}

// proposeWhereNow answers the town (region false) or the county or area
// where the child is now, never while the whereabouts are confidential (§7.6).
func proposeWhereNow(region bool) proposal {
	what, list := "town", catalog.HOTowns
	if region {
		what, list = "county or area", catalog.HORegions
	}
	return func(f *facts) (string, string) {
		if f.c.Flags(time.Time{}).WhereaboutsConfidential {
			return "", "The child's whereabouts are confidential (§7.6): agree with the social worker what " + what + " to give."
		}
		if n := f.c.Places.Now; n != nil {
			chosen := n.Town
			if region {
				chosen = n.Region
			}
			if v := f.listEntry(list, chosen); v != "" {
				return v, chosenBy(n.RecordedBy, n.RecordedAt) + "."
			}
		}
		src := "No " + what + " is chosen from the form's list on the case yet: record the town and area where the child is now on the support page."
		if p := f.c.Support.CurrentPlacement(); p != nil {
			src += " The child has been in " + lowerFirst(optionText(pathway.PlacementTypes(), p.Type)) + " since " + day(p.StartedAt) + "."
		} else if l := f.c.Concern.Child.CurrentLocation; l != "" {
			src += " When the concern was raised: " + sentence(l)
		}
		return "", src
	}
}
