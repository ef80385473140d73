package pathway

import (
	"slices"
	"strings"
	"time"

	"waymark"
	"waymark/internal/catalog"
)

// Where the child is from, where the exploitation happened and where the
// child is now, chosen from the Home Office NRM form's closed lists
// (catalog.HOLists), so the referral answers with entries the form accepts
// (§8.7, §8.8(4)(b) and (c)). Beside each choice the team keeps what the
// child or a document said, in their own words: a list entry is what the
// form needs, never a correction of the child's account (§7.5).

// Event types for places.
const (
	EventChildOriginRecorded        = "child_origin_recorded"
	EventExploitationPlacesRecorded = "exploitation_places_recorded"
	EventWhereChildIsNowRecorded    = "where_child_is_now_recorded"
)

// How many entries the form takes (NRM-FORM.md: two nationalities, ten
// towns and ten countries).
const (
	MaxNationalities         = 2
	MaxExploitationTowns     = 10
	MaxExploitationCountries = 10
)

// placesEvents lists the event types of places.
func placesEvents() []eventDecoder {
	return []eventDecoder{
		decoderOf[ChildOriginRecorded](),
		decoderOf[ExploitationPlacesRecorded](),
		decoderOf[WhereChildIsNowRecorded](),
	}
}

// PlacesState is what the team has chosen from the form's lists.
type PlacesState struct {
	Origin       *ChildOrigin        `json:"origin,omitempty"`
	Exploitation *ExploitationPlaces `json:"exploitation,omitempty"`
	Now          *WhereChildIsNow    `json:"now,omitempty"`
}

// ChildOrigin is the child's nationality and country of birth.
type ChildOrigin struct {
	Nationalities    []string  `json:"nationalities"`              // entries of the nationalities list, at most two
	NationalityWords string    `json:"nationalityWords,omitempty"` // what the child or a document says
	CountryOfBirth   string    `json:"countryOfBirth,omitempty"`   // an entry of the countries list; "" when not known
	BirthWords       string    `json:"birthWords,omitempty"`       // where the child says they were born
	RecordedAt       time.Time `json:"recordedAt"`
	RecordedBy       Party     `json:"recordedBy"`
}

// ExploitationPlaces are the towns and countries where the child was
// exploited, and in words the places that have no entry.
type ExploitationPlaces struct {
	UKTowns       []string  `json:"ukTowns"`                 // entries of the UK towns list, at most ten
	Countries     []string  `json:"countries"`               // entries of the countries list, at most ten
	UKWords       string    `json:"ukWords,omitempty"`       // other places in the UK, with no entry, as described
	OverseasWords string    `json:"overseasWords,omitempty"` // other places overseas, with no entry, as described
	RecordedAt    time.Time `json:"recordedAt"`
	RecordedBy    Party     `json:"recordedBy"`
}

// WhereChildIsNow is the town and county or area where the child is staying:
// never the address (§7.6).
type WhereChildIsNow struct {
	Town       string    `json:"town,omitempty"`   // an entry of the UK towns list
	Region     string    `json:"region,omitempty"` // an entry of the UK counties and areas list
	Words      string    `json:"words,omitempty"`
	RecordedAt time.Time `json:"recordedAt"`
	RecordedBy Party     `json:"recordedBy"`
}

// ChildOriginRecorded records the child's nationality and country of birth.
type ChildOriginRecorded struct {
	Nationalities    []string `json:"nationalities"`
	NationalityWords string   `json:"nationalityWords,omitempty"`
	CountryOfBirth   string   `json:"countryOfBirth,omitempty"`
	BirthWords       string   `json:"birthWords,omitempty"`
}

// ExploitationPlacesRecorded records where the exploitation happened.
type ExploitationPlacesRecorded struct {
	UKTowns       []string `json:"ukTowns"`
	Countries     []string `json:"countries"`
	UKWords       string   `json:"ukWords,omitempty"`
	OverseasWords string   `json:"overseasWords,omitempty"`
}

// WhereChildIsNowRecorded records the town and area where the child is now.
type WhereChildIsNowRecorded struct {
	Town   string `json:"town,omitempty"`
	Region string `json:"region,omitempty"`
	Words  string `json:"words,omitempty"`
}

func (ChildOriginRecorded) eventType() string        { return EventChildOriginRecorded }
func (ExploitationPlacesRecorded) eventType() string { return EventExploitationPlacesRecorded }
func (WhereChildIsNowRecorded) eventType() string    { return EventWhereChildIsNowRecorded }

func (d ChildOriginRecorded) apply(c *Case, e Event) {
	c.Places.Origin = &ChildOrigin{Nationalities: slices.Clone(d.Nationalities), NationalityWords: d.NationalityWords,
		CountryOfBirth: d.CountryOfBirth, BirthWords: d.BirthWords, RecordedAt: e.At, RecordedBy: e.Actor}
}

func (d ExploitationPlacesRecorded) apply(c *Case, e Event) {
	c.Places.Exploitation = &ExploitationPlaces{UKTowns: slices.Clone(d.UKTowns), Countries: slices.Clone(d.Countries),
		UKWords: d.UKWords, OverseasWords: d.OverseasWords, RecordedAt: e.At, RecordedBy: e.Actor}
}

func (d WhereChildIsNowRecorded) apply(c *Case, e Event) {
	c.Places.Now = &WhereChildIsNow{Town: d.Town, Region: d.Region, Words: d.Words, RecordedAt: e.At, RecordedBy: e.Actor}
}

func (ChildOriginRecorded) summary(e Event) string {
	return "Nationality and country of birth chosen from the Home Office lists"
}
func (ExploitationPlacesRecorded) summary(e Event) string {
	return "Places where the exploitation happened chosen from the Home Office lists"
}

// The summary never names the town: it is part of the child's whereabouts (§7.6).
func (WhereChildIsNowRecorded) summary(e Event) string {
	return "Town and area where the child is now chosen from the Home Office lists"
}

// RecordChildOrigin records the child's nationality (up to two) and country
// of birth from the form's lists, with the child's own words beside them.
type RecordChildOrigin struct {
	Nationality       string `json:"nationality"`
	SecondNationality string `json:"secondNationality"`
	NationalityWords  string `json:"nationalityWords"`
	CountryOfBirth    string `json:"countryOfBirth"`
	BirthWords        string `json:"birthWords"`
}

// RecordExploitationPlaces records the UK towns and the countries where the
// child was exploited from the form's lists, and in words the places that
// have no entry, in the UK and overseas.
type RecordExploitationPlaces struct {
	UKTowns       []string `json:"ukTowns"`
	Countries     []string `json:"countries"`
	UKWords       string   `json:"ukWords"`
	OverseasWords string   `json:"overseasWords"`
}

// RecordWhereChildIsNow records the town and the county or area where the
// child is staying now from the form's lists: never the address (§7.6).
type RecordWhereChildIsNow struct {
	Town   string `json:"town"`
	Region string `json:"region"`
	Words  string `json:"words"`
}

func (RecordChildOrigin) commandName() string        { return "record child origin" }
func (RecordExploitationPlaces) commandName() string { return "record exploitation places" }
func (RecordWhereChildIsNow) commandName() string    { return "record where child is now" }

// teamRecordsPlaces: the places are recorded by those who work the case, who
// hear the child's account (§6.5, §7.5).
func teamRecordsPlaces(c Case, a Actor) error {
	if !supportOnTheTeam(c, a) {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only the team working this case can record where the child is from and where the exploitation happened. Tell the social worker what you know, or add a case note.")
	}
	return nil
}

// guard says who may give RecordChildOrigin and whether the case allows it now.
func (RecordChildOrigin) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := teamRecordsPlaces(c, a); err != nil {
		return err
	}
	return notClosed(c)
}

func (cmd RecordChildOrigin) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	first, second := strings.TrimSpace(cmd.Nationality), strings.TrimSpace(cmd.SecondNationality)
	if first == "" {
		probs.Add("nationality", "Choose the child's nationality from the list. If nobody knows it, choose Unknown")
	}
	p.listEntry(&probs, "nationality", "the nationality", catalog.HONationalities, first)
	p.listEntry(&probs, "secondNationality", "the second nationality", catalog.HONationalities, second)
	if second != "" && second == first {
		probs.Add("secondNationality", "The second nationality is the same as the first: choose another, or leave it not chosen")
	}
	birth := strings.TrimSpace(cmd.CountryOfBirth)
	p.listEntry(&probs, "countryOfBirth", "the country of birth", catalog.HOCountries, birth)
	words, birthWords := strings.TrimSpace(cmd.NationalityWords), strings.TrimSpace(cmd.BirthWords)
	checkLength(&probs, "nationalityWords", "What the child or a document says about nationality", words, MaxShortText)
	checkLength(&probs, "birthWords", "Where the child says they were born", birthWords, MaxShortText)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	nats := []string{first}
	if second != "" {
		nats = append(nats, second)
	}
	return []Event{newEvent(ChildOriginRecorded{Nationalities: nats, NationalityWords: words, CountryOfBirth: birth, BirthWords: birthWords})}, nil
}

// guard says who may give RecordExploitationPlaces and whether the case allows it now.
func (RecordExploitationPlaces) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := teamRecordsPlaces(c, a); err != nil {
		return err
	}
	return notClosed(c)
}

func (cmd RecordExploitationPlaces) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	towns := p.listEntries(&probs, "ukTowns", "town", catalog.HOTowns, cmd.UKTowns, MaxExploitationTowns)
	countries := p.listEntries(&probs, "countries", "country", catalog.HOCountries, cmd.Countries, MaxExploitationCountries)
	ukWords, overseasWords := strings.TrimSpace(cmd.UKWords), strings.TrimSpace(cmd.OverseasWords)
	checkLength(&probs, "ukWords", "The other places in the UK", ukWords, MaxNarrative)
	checkLength(&probs, "overseasWords", "The other places overseas", overseasWords, MaxNarrative)
	if len(towns) == 0 && len(countries) == 0 && ukWords == "" && overseasWords == "" && len(probs) == 0 {
		probs.Add("ukTowns", "Choose at least one town or country, or describe the places in words (§8.8(4)(b))")
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(ExploitationPlacesRecorded{UKTowns: towns, Countries: countries, UKWords: ukWords, OverseasWords: overseasWords})}, nil
}

// guard says who may give RecordWhereChildIsNow and whether the case allows it now.
func (RecordWhereChildIsNow) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := childrensServicesDecides(a, "where the child is now"); err != nil {
		return err
	}
	return notClosed(c)
}

func (cmd RecordWhereChildIsNow) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	town, region := strings.TrimSpace(cmd.Town), strings.TrimSpace(cmd.Region)
	if town == "" {
		probs.Add("town", "Choose the town or city where the child is staying. If it cannot be given, choose Unknown")
	}
	if region == "" {
		probs.Add("region", "Choose the county or area where the child is staying. If it cannot be given, choose Unknown")
	}
	p.listEntry(&probs, "town", "the town", catalog.HOTowns, town)
	p.listEntry(&probs, "region", "the county or area", catalog.HORegions, region)
	words := strings.TrimSpace(cmd.Words)
	checkLength(&probs, "words", "Where the child is, in words", words, MaxShortText)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(WhereChildIsNowRecorded{Town: town, Region: region, Words: words})}, nil
}

// listEntry: a list answer is exactly an entry of the form's list, or
// nothing; the form refuses anything else (§8.7).
func (p *Pathway) listEntry(probs *waymark.Problems, field, what string, list catalog.HOList, v string) {
	if v == "" {
		return
	}
	if p.Catalog == nil || p.Catalog.HOLists == nil || !p.Catalog.HOLists.Has(list, v) {
		probs.Add(field, "Choose %s from the Home Office form's list: %q is not one of its entries", what, v)
	}
}

// listEntries checks each answer is an entry, drops the empty ones and
// repeats, and holds them to the form's number of boxes.
func (p *Pathway) listEntries(probs *waymark.Problems, field, what string, list catalog.HOList, vs []string, max int) []string {
	out := []string{}
	for _, v := range vs {
		v = strings.TrimSpace(v)
		if v == "" || slices.Contains(out, v) {
			continue
		}
		p.listEntry(probs, field, "each "+what, list, v)
		out = append(out, v)
	}
	if len(out) > max {
		probs.Add(field, "The form takes at most %d; put the others in the box for other places", max)
	}
	return out
}

// redactedWhereNow: the town and area where the child is staying are part of
// their whereabouts; while those are confidential, only those given access
// see them (§7.6).
func (s PlacesState) redactedWhereNow() PlacesState {
	if s.Now != nil {
		s.Now = &WhereChildIsNow{RecordedAt: s.Now.RecordedAt, RecordedBy: s.Now.RecordedBy}
	}
	return s
}

// redactedWhereNowEvent is e without the town and area where the child is
// now, for a viewer the whereabouts are withheld from (§7.6).
func redactedWhereNowEvent(e Event) Event {
	if _, ok := e.Data.(WhereChildIsNowRecorded); ok {
		e.Data = WhereChildIsNowRecorded{}
	}
	return e
}
