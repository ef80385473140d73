// Package catalog holds Waymark's versioned reference data: the indicators a
// practitioner can record (§5.1–§5.4), the exploitation types (§2.1, §2.3),
// the designated First Responder organisations (annex), the immediate actions
// checklist (§6.4) and the England and Wales bank-holiday calendar used by
// working-day clocks.
//
// The data ships as JSON files embedded in the binary and is validated when
// it is loaded, so a screening can always record which catalogue version it
// was made against. The package does no I/O beyond reading its own files.
package catalog

import (
	"embed"
	"fmt"
	"io/fs"
)

// Version is the catalogue version recorded with each screening. It must
// match the "version" field of data/catalog.json.
const Version = "2026.1"

// The file names Parse reads from the root of the file system it is given.
const (
	fileCatalog           = "catalog.json"
	fileIndicators        = "indicators.json"
	fileExploitationTypes = "exploitation-types.json"
	fileFirstResponders   = "first-responders.json"
	fileImmediateActions  = "immediate-actions.json"
	fileBankHolidays      = "bank-holidays-england-and-wales.json"
)

//go:embed data/*.json
var shipped embed.FS

// IndicatorGroup is one of the lists of signs in §5: the six general groups
// of §5.1, the exploitation-specific sets of §5.2, the from-abroad lists of
// §5.3 and the barriers to disclosure of §5.4.
type IndicatorGroup struct {
	ID      string `json:"id"`
	Label   string `json:"label"`
	Section string `json:"section"`
}

// Indicator is one sign a practitioner may observe. Indicators support a
// wider assessment and are never a verdict on their own (§5).
type Indicator struct {
	ID      string `json:"id"`      // stable, e.g. "general.missing-episodes"
	Group   string `json:"group"`   // an IndicatorGroup ID
	Label   string `json:"label"`   // short label, at most 120 characters
	Hint    string `json:"hint"`    // one sentence of explanation, may be empty
	Section string `json:"section"` // e.g. "§5.1(5)"
}

// ExploitationType is a purpose of exploitation named in §2.1 or §2.3, with
// the Home Office NRM statistics group it is reported under.
type ExploitationType struct {
	ID              string `json:"id"`
	Label           string `json:"label"`
	Section         string `json:"section"`
	StatisticsGroup string `json:"statisticsGroup"`
}

// FirstResponder is an organisation designated to refer a potential victim
// into the NRM (annex list). WalesOnly marks those designated in Wales only.
type FirstResponder struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	WalesOnly bool   `json:"walesOnly"`
}

// ImmediateAction is one item of the checklist a practitioner works through
// when a potential child victim is identified (§6.4).
type ImmediateAction struct {
	ID      string `json:"id"`
	Label   string `json:"label"`
	Section string `json:"section"`
}

// Catalog is one loaded and validated version of the reference data.
type Catalog struct {
	Version           string
	IndicatorGroups   []IndicatorGroup
	Indicators        []Indicator
	ExploitationTypes []ExploitationType
	FirstResponders   []FirstResponder
	ImmediateActions  []ImmediateAction
	Holidays          Calendar
	// HOLists are the Home Office NRM form's closed lists, versioned on
	// their own (HOLists.Source); Load fills them, Parse does not.
	HOLists *HOLists
	// Reference is the reference data kept as data (reference.go): the
	// disruption powers, the Reasonable Grounds wording's history, grooming
	// stages, cautions, vulnerability factors and the directory's seed.
	// Load fills it, Parse does not.
	Reference *Reference
}

// Load parses and validates the catalogue embedded in the binary. It keeps no
// cache: call it once at start-up and pass the result along.
func Load() (*Catalog, error) {
	data, err := fs.Sub(shipped, "data")
	if err != nil {
		return nil, fmt.Errorf("catalog: opening embedded data: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, err
	}
	if c.Version != Version {
		return nil, fmt.Errorf("catalog: %s: version %q does not match catalog.Version %q", fileCatalog, c.Version, Version)
	}
	if c.HOLists, err = LoadHOLists(); err != nil {
		return nil, err
	}
	if c.Reference, err = LoadReference(); err != nil {
		return nil, err
	}
	return c, nil
}

// MustLoad is Load for start-up and tests: the embedded data is part of the
// build, so an error here is a programming mistake.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// The lookups below scan the slices: the lists hold at most a few hundred
// entries, and keeping Catalog a plain value avoids index fields that could
// drift from the exported slices.

// Indicator returns the indicator with the given id.
func (c *Catalog) Indicator(id string) (Indicator, bool) {
	for _, in := range c.Indicators {
		if in.ID == id {
			return in, true
		}
	}
	return Indicator{}, false
}

// IndicatorsInGroup returns the indicators of a group in catalogue order, or
// nil when the group has none or does not exist.
func (c *Catalog) IndicatorsInGroup(groupID string) []Indicator {
	var out []Indicator
	for _, in := range c.Indicators {
		if in.Group == groupID {
			out = append(out, in)
		}
	}
	return out
}

// ExploitationType returns the exploitation type with the given id.
func (c *Catalog) ExploitationType(id string) (ExploitationType, bool) {
	for _, t := range c.ExploitationTypes {
		if t.ID == id {
			return t, true
		}
	}
	return ExploitationType{}, false
}

// ImmediateAction returns the §6.4 checklist item with the given id.
func (c *Catalog) ImmediateAction(id string) (ImmediateAction, bool) {
	for _, a := range c.ImmediateActions {
		if a.ID == id {
			return a, true
		}
	}
	return ImmediateAction{}, false
}

// FirstResponder returns the First Responder designation with the given id.
func (c *Catalog) FirstResponder(id string) (FirstResponder, bool) {
	for _, r := range c.FirstResponders {
		if r.ID == id {
			return r, true
		}
	}
	return FirstResponder{}, false
}
