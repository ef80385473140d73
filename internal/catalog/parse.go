package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strings"
	"unicode/utf8"
)

const (
	maxLabelLength = 120 // characters, so a label fits on one line of a checklist
	maxHintLength  = 300 // characters; a hint is one sentence
)

// statisticsGroups are the exploitation groups the Home Office NRM statistics
// report under (national, not from the procedure text).
var statisticsGroups = map[string]bool{
	"labour":             true,
	"sexual":             true,
	"criminal":           true,
	"domestic-servitude": true,
	"organ-harvesting":   true,
	"not-specified":      true,
}

// firstResponderKinds says what sort of body a designated First Responder is.
var firstResponderKinds = map[string]bool{
	"local-authority": true,
	"police":          true,
	"national-agency": true,
	"voluntary":       true,
}

var (
	// idPattern: lower-case words joined by dots or hyphens, e.g. "general.missing-episodes".
	idPattern = regexp.MustCompile(`^[a-z0-9]+(?:[.-][a-z0-9]+)*$`)
	// sectionPattern: one or more procedure references, e.g. "§5.1(5)" or "§2.1, §2.3".
	sectionPattern = regexp.MustCompile(`^§\d+(?:\.\d+)*(?:\(\d+\))?(?:, §\d+(?:\.\d+)*(?:\(\d+\))?)*$`)
)

// The shapes of the files that are not plain lists.
type catalogFile struct {
	Version     string `json:"version"`
	Description string `json:"description"`
}

type indicatorsFile struct {
	Groups     []IndicatorGroup `json:"groups"`
	Indicators []Indicator      `json:"indicators"`
}

// Parse reads and validates a catalogue from fsys, which must hold the same
// file names as the embedded data directory. Every problem found is reported,
// each naming the file and the offending id.
func Parse(fsys fs.FS) (*Catalog, error) {
	var (
		meta       catalogFile
		indicators indicatorsFile
		c          Catalog
		holidays   []Holiday
	)
	for _, f := range []struct {
		name string
		into any
	}{
		{fileCatalog, &meta},
		{fileIndicators, &indicators},
		{fileExploitationTypes, &c.ExploitationTypes},
		{fileFirstResponders, &c.FirstResponders},
		{fileImmediateActions, &c.ImmediateActions},
		{fileBankHolidays, &holidays},
	} {
		if err := decodeFile(fsys, f.name, f.into); err != nil {
			return nil, err
		}
	}
	c.Version = meta.Version
	c.IndicatorGroups = indicators.Groups
	c.Indicators = indicators.Indicators

	var p problems
	if strings.TrimSpace(c.Version) == "" {
		p.errs = append(p.errs, fmt.Errorf("catalog: %s: version is missing", fileCatalog))
	}
	p.checkIndicators(c.IndicatorGroups, c.Indicators)
	p.checkExploitationTypes(c.ExploitationTypes)
	p.checkFirstResponders(c.FirstResponders)
	p.checkImmediateActions(c.ImmediateActions)
	cal, err := newCalendar(holidays)
	if err != nil {
		p.errs = append(p.errs, err)
	}
	c.Holidays = cal
	if err := errors.Join(p.errs...); err != nil {
		return nil, err
	}
	return &c, nil
}

// decodeFile decodes one JSON file strictly: unknown fields and trailing data
// are errors, so a typo in a field name cannot silently drop a value.
func decodeFile(fsys fs.FS, name string, into any) error {
	raw, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("catalog: reading %s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return fmt.Errorf("catalog: %s: %w", name, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("catalog: %s: unexpected data after the top-level value", name)
	}
	return nil
}

// problems collects validation failures so one load reports all of them.
type problems struct{ errs []error }

func (p *problems) add(file, id, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("catalog: %s: %s: %s", file, id, fmt.Sprintf(format, args...)))
}

// entry is the part every catalogue list has in common.
type entry struct {
	id, label, section string
}

// list describes one catalogue list for checkEntries.
type list struct {
	file       string
	kind       string // how an entry is named in errors, e.g. "indicator"
	labelField string // "label", or "name" for organisations
	sections   bool   // whether entries cite a procedure section
}

// checkEntries validates the ids, labels and sections of one list and returns
// the set of ids seen.
func (p *problems) checkEntries(l list, entries []entry) map[string]bool {
	seen := make(map[string]bool, len(entries))
	for i, e := range entries {
		name := fmt.Sprintf("%s %q", l.kind, e.id)
		switch {
		case e.id == "":
			name = fmt.Sprintf("%s #%d", l.kind, i+1)
			p.add(l.file, name, "id is empty")
		case !idPattern.MatchString(e.id):
			p.add(l.file, name, "id must be lower-case words joined by dots or hyphens")
		case seen[e.id]:
			p.add(l.file, name, "duplicate id")
		}
		seen[e.id] = true
		p.checkLabel(l.file, name, l.labelField, e.label)
		if l.sections && !sectionPattern.MatchString(e.section) {
			p.add(l.file, name, "section %q is not a procedure reference like §5.1 or §5.1(2)", e.section)
		}
	}
	return seen
}

func (p *problems) checkLabel(file, name, field, text string) {
	switch {
	case strings.TrimSpace(text) == "":
		p.add(file, name, "%s is empty", field)
	case strings.TrimSpace(text) != text:
		p.add(file, name, "%s has leading or trailing spaces", field)
	case utf8.RuneCountInString(text) > maxLabelLength:
		p.add(file, name, "%s is %d characters long, more than %d", field, utf8.RuneCountInString(text), maxLabelLength)
	}
}

func (p *problems) checkIndicators(groups []IndicatorGroup, indicators []Indicator) {
	groupEntries := make([]entry, len(groups))
	for i, g := range groups {
		groupEntries[i] = entry{g.ID, g.Label, g.Section}
	}
	known := p.checkEntries(list{fileIndicators, "group", "label", true}, groupEntries)

	entries := make([]entry, len(indicators))
	for i, in := range indicators {
		entries[i] = entry{in.ID, in.Label, in.Section}
	}
	p.checkEntries(list{fileIndicators, "indicator", "label", true}, entries)

	used := make(map[string]bool, len(groups))
	for _, in := range indicators {
		name := fmt.Sprintf("indicator %q", in.ID)
		if !known[in.Group] {
			p.add(fileIndicators, name, "group %q does not exist", in.Group)
		}
		used[in.Group] = true
		switch {
		case strings.TrimSpace(in.Hint) != in.Hint:
			p.add(fileIndicators, name, "hint has leading or trailing spaces")
		case strings.ContainsAny(in.Hint, "\r\n"):
			p.add(fileIndicators, name, "hint must be a single line")
		case utf8.RuneCountInString(in.Hint) > maxHintLength:
			p.add(fileIndicators, name, "hint is longer than %d characters", maxHintLength)
		}
	}
	for _, g := range groups {
		if g.ID != "" && !used[g.ID] {
			p.add(fileIndicators, fmt.Sprintf("group %q", g.ID), "group has no indicators")
		}
	}
}

func (p *problems) checkExploitationTypes(types []ExploitationType) {
	entries := make([]entry, len(types))
	for i, t := range types {
		entries[i] = entry{t.ID, t.Label, t.Section}
	}
	p.checkEntries(list{fileExploitationTypes, "exploitation type", "label", true}, entries)
	for _, t := range types {
		if !statisticsGroups[t.StatisticsGroup] {
			p.add(fileExploitationTypes, fmt.Sprintf("exploitation type %q", t.ID),
				"statistics group %q is not a Home Office NRM statistics group", t.StatisticsGroup)
		}
	}
}

func (p *problems) checkFirstResponders(responders []FirstResponder) {
	entries := make([]entry, len(responders))
	for i, r := range responders {
		entries[i] = entry{r.ID, r.Name, ""}
	}
	p.checkEntries(list{fileFirstResponders, "first responder", "name", false}, entries)
	for _, r := range responders {
		if !firstResponderKinds[r.Kind] {
			p.add(fileFirstResponders, fmt.Sprintf("first responder %q", r.ID), "kind %q is not one of local-authority, police, national-agency, voluntary", r.Kind)
		}
	}
}

func (p *problems) checkImmediateActions(actions []ImmediateAction) {
	entries := make([]entry, len(actions))
	for i, a := range actions {
		entries[i] = entry{a.ID, a.Label, a.Section}
	}
	p.checkEntries(list{fileImmediateActions, "immediate action", "label", true}, entries)
}
