package web

import (
	"net/url"
	"strconv"
	"strings"

	"waymark/internal/casework"
	"waymark/internal/catalog"
	"waymark/internal/pathway"
)

// The child's nationality, where the exploitation happened and where the
// child is now, chosen from the Home Office NRM form's lists (§8.7,
// §8.8(4)): each list is a plain GOV.UK select of every entry, which
// waymark.js turns into a type-ahead; the pathway refuses anything that is
// not an entry.

// listSelectField is a kindListSelect question as its page shows it: one
// box, or several for a question that takes several entries.
type listSelectField struct {
	Entries []catalog.HOEntry
	Boxes   []listSelectBox
}

// listSelectBox is one select of a list question.
type listSelectBox struct {
	ID       string // the first box's id is the field's name, so errors link to it
	Label    string
	Hint     string
	Selected string
	Unlisted string // Selected when it is no entry of the list (a refused answer)
}

// listAnswer is the question's answer from the posted form: one entry, or
// the chosen entries of its boxes in order.
func (fd field) listAnswer(f url.Values) any {
	if fd.Count <= 1 {
		return strings.TrimSpace(f.Get(fd.Name))
	}
	out := []string{}
	for _, v := range f[fd.Name] {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// listSelectField lays out the question's boxes: for several entries, those
// already chosen and two more, at least three, at most Count, so that the
// page stays light without JavaScript; saving again offers more boxes.
func (s *Server) listSelectField(fd field, view casework.CaseView, f url.Values) listSelectField {
	out := listSelectField{}
	if s.svc.Catalog.HOLists != nil {
		out.Entries = s.svc.Catalog.HOLists.Entries(fd.List)
	}
	chosen := f[fd.Name]
	if len(f) == 0 && fd.ListDefault != nil {
		chosen = fd.ListDefault(view)
	}
	n := 1
	if fd.Count > 1 {
		n = min(fd.Count, max(3, len(chosen)+2))
	}
	for i := range n {
		b := listSelectBox{ID: fd.Name, Label: fd.Label, Hint: fd.Hint}
		if fd.Count > 1 {
			b.Label = fd.Label + " " + strconv.Itoa(i+1)
			if i > 0 {
				b.ID, b.Hint = fd.Name+"-"+strconv.Itoa(i+1), ""
			}
		}
		if i < len(chosen) {
			b.Selected = chosen[i]
			if l := s.svc.Catalog.HOLists; b.Selected != "" && (l == nil || !l.Has(fd.List, b.Selected)) {
				b.Unlisted = b.Selected
			}
		}
		out.Boxes = append(out.Boxes, b)
	}
	return out
}

func addPlacesActions(set *actionSet) {
	origin := func(v casework.CaseView) *pathway.ChildOrigin { return v.Case.Places.Origin }
	addAction[pathway.RecordChildOrigin](set, action{
		Slug: "child-origin", Title: "Record the child's nationality and country of birth", Section: "§8.7", Group: "Where the child is from",
		Intro:  "The NRM form takes a nationality only from its own list. Choose the entries, and keep beside them what the child or a document says, in their words.",
		Button: "Save",
		Fields: []field{
			{Name: "nationality", Label: "Nationality", Hint: "Choose Unknown if nobody knows it.", Kind: kindListSelect, List: catalog.HONationalities,
				ListDefault: func(v casework.CaseView) []string {
					if o := origin(v); o != nil && len(o.Nationalities) > 0 {
						return o.Nationalities[:1]
					}
					return nil
				}},
			{Name: "secondNationality", Label: "Second nationality (optional)", Kind: kindListSelect, List: catalog.HONationalities,
				ListDefault: func(v casework.CaseView) []string {
					if o := origin(v); o != nil && len(o.Nationalities) > 1 {
						return o.Nationalities[1:2]
					}
					return nil
				}},
			{Name: "nationalityWords", Label: "What the child or a document says about their nationality (optional)", Hint: "In their words, for example \"Eritrean (his own account)\".", Kind: kindText, MaxLength: pathway.MaxShortText,
				Default: func(v casework.CaseView) string {
					if o := origin(v); o != nil {
						return o.NationalityWords
					}
					return v.Case.Concern.Child.Nationality
				}},
			{Name: "countryOfBirth", Label: "Country of birth (optional)", Hint: "Leave it not chosen if it is not known.", Kind: kindListSelect, List: catalog.HOCountries,
				ListDefault: func(v casework.CaseView) []string {
					if o := origin(v); o != nil && o.CountryOfBirth != "" {
						return []string{o.CountryOfBirth}
					}
					return nil
				}},
			{Name: "birthWords", Label: "Where the child says they were born (optional)", Kind: kindText, MaxLength: pathway.MaxShortText,
				Default: func(v casework.CaseView) string {
					if o := origin(v); o != nil {
						return o.BirthWords
					}
					return ""
				}},
		},
	})
	exploitation := func(v casework.CaseView) *pathway.ExploitationPlaces { return v.Case.Places.Exploitation }
	addAction[pathway.RecordExploitationPlaces](set, action{
		Slug: "exploitation-places", Title: "Record where the exploitation happened", Section: "§8.8(4)(b)", Group: "Where the child is from",
		Intro:  "The NRM form takes up to ten UK towns and ten countries from its lists. Choose each place that has an entry; describe the others in words.",
		Button: "Save",
		Fields: []field{
			{Name: "ukTowns", Label: "Town or city in the UK", Hint: "To add more than these boxes allow, save and record again.", Kind: kindListSelect, List: catalog.HOTowns, Count: pathway.MaxExploitationTowns,
				ListDefault: func(v casework.CaseView) []string {
					if e := exploitation(v); e != nil {
						return e.UKTowns
					}
					return nil
				}},
			{Name: "countries", Label: "Country", Hint: "Countries where the child was exploited, before or after arriving.", Kind: kindListSelect, List: catalog.HOCountries, Count: pathway.MaxExploitationCountries,
				ListDefault: func(v casework.CaseView) []string {
					if e := exploitation(v); e != nil {
						return e.Countries
					}
					return nil
				}},
			{Name: "ukWords", Label: "Other places in the UK, in words (optional)", Hint: "Places with no entry in the towns list (a street, a village, a landmark), and how the child described them. Never the child's placement address.", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 3,
				Default: func(v casework.CaseView) string {
					if e := exploitation(v); e != nil {
						return e.UKWords
					}
					return ""
				}},
			{Name: "overseasWords", Label: "Other places overseas, in words (optional)", Hint: "Places with no entry in the countries list, and how the child described them.", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 3,
				Default: func(v casework.CaseView) string {
					if e := exploitation(v); e != nil {
						return e.OverseasWords
					}
					return ""
				}},
		},
	})
	addAction[pathway.RecordWhereChildIsNow](set, action{
		Slug: "where-child-is-now", Title: "Record the town and area where the child is now", Section: "§7.6, §8.8", Group: "Placement and whereabouts",
		Intro:  "The NRM form asks for the town and the county or area where the child is staying, never the address. While the child's whereabouts are confidential, only those given access see them.",
		Button: "Save",
		Fields: []field{
			{Name: "town", Label: "Town or city", Hint: "Choose Unknown if it cannot be given.", Kind: kindListSelect, List: catalog.HOTowns,
				ListDefault: func(v casework.CaseView) []string {
					if n := v.Case.Places.Now; n != nil && n.Town != "" {
						return []string{n.Town}
					}
					return nil
				}},
			{Name: "region", Label: "County or area", Kind: kindListSelect, List: catalog.HORegions,
				ListDefault: func(v casework.CaseView) []string {
					if n := v.Case.Places.Now; n != nil && n.Region != "" {
						return []string{n.Region}
					}
					return nil
				}},
			{Name: "words", Label: "Where the child is, in words (optional)", Hint: "Not the address.", Kind: kindText, MaxLength: pathway.MaxShortText,
				Default: func(v casework.CaseView) string {
					if n := v.Case.Places.Now; n != nil && n.Words != "" {
						return n.Words
					}
					return v.Case.Concern.Child.CurrentLocation
				}},
		},
	})
}
