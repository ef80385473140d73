package nrm

import (
	"time"

	"waymark/internal/pathway"
)

// The nationality, country and town answers come from the entries the team
// chose from the form's own lists (pathway.PlacesState, §8.7): only an entry
// of the list is ever proposed. Anything the case holds only in words becomes
// a note naming the nearest entries, and the free-text boxes for other places
// hold only what has no entry (§8.8(4)(b) and (c)).

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
				// An entry the list has since lost is not offered: offerListed
				// keeps it as the suggestion, with the nearest entries.
				return o.Nationalities[n], src + "."
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
		// What the referrer wrote is offered only when it names an entry
		// outright ("British"); otherwise offerListed keeps it as the
		// field's suggestion with the nearest entries, never as the answer.
		return words, "The nationality recorded with the concern. Choose it from the list on the case to keep the child's own words beside it."
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
			return e.UKTowns[n-1], chosenBy(e.RecordedBy, e.RecordedAt) + "." // offerListed offers it only while it is an entry
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
			return e.Countries[n-1], chosenBy(e.RecordedBy, e.RecordedAt) + "." // offerListed offers it only while it is an entry
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
	what := "town"
	if region {
		what = "county or area"
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
			if chosen != "" {
				return chosen, chosenBy(n.RecordedBy, n.RecordedAt) + "." // offerListed offers it only while it is an entry
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
