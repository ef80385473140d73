package catalog

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"time"
)

// fileScheduleFour is Schedule 4 of the Modern Slavery Act 2015 as data
// (§6.10): the offences the section 45 defence does not cover. It is kept
// apart from catalog.json's version because it follows the legislation, not
// the procedure, and must be checked against legislation.gov.uk.
const fileScheduleFour = "modern-slavery-act-schedule-4.json"

// ScheduleFour is the catalogue's copy of Schedule 4 of the Modern Slavery
// Act 2015 (§6.10). It is incomplete by design (Complete is false): an
// offence missing from it may still be outside the defence.
type ScheduleFour struct {
	Title          string              `json:"title"`
	Source         string              `json:"source"` // legislation.gov.uk
	Section        string              `json:"section"`
	CheckBeforeUse bool                `json:"checkBeforeUse"`
	LastChecked    string              `json:"lastChecked"` // YYYY-MM-DD
	CheckedAgainst string              `json:"checkedAgainst"`
	Complete       bool                `json:"complete"`
	Note           string              `json:"note"`
	Groups         []ScheduleFourGroup `json:"groups"`
}

// ScheduleFourGroup is one heading of the schedule: the common law offences,
// or the offences of one Act.
type ScheduleFourGroup struct {
	ID       string                `json:"id"`
	Label    string                `json:"label"`
	Note     string                `json:"note,omitempty"`
	Offences []ScheduleFourOffence `json:"offences"`
}

// ScheduleFourOffence is one offence the schedule lists.
type ScheduleFourOffence struct {
	ID    string `json:"id"` // stable: "theft-1968.s8"
	Label string `json:"label"`
}

// Offence finds a listed offence by id, with the heading it is listed under.
func (s *ScheduleFour) Offence(id string) (ScheduleFourGroup, ScheduleFourOffence, bool) {
	for _, g := range s.Groups {
		for _, o := range g.Offences {
			if o.ID == id {
				return g, o, true
			}
		}
	}
	return ScheduleFourGroup{}, ScheduleFourOffence{}, false
}

// LastCheckedLabel is the date the list was last checked, in words.
func (s *ScheduleFour) LastCheckedLabel() string {
	d, err := time.Parse("2006-01-02", s.LastChecked)
	if err != nil {
		return s.LastChecked
	}
	return d.Format("2 January 2006")
}

// LoadScheduleFour parses the copy of Schedule 4 embedded in the binary,
// once: every caller shares it.
func LoadScheduleFour() (*ScheduleFour, error) { return scheduleFourOnce() }

var scheduleFourOnce = sync.OnceValues(func() (*ScheduleFour, error) {
	data, err := fs.Sub(shipped, "data")
	if err != nil {
		return nil, fmt.Errorf("catalog: opening embedded data: %w", err)
	}
	return ParseScheduleFour(data)
})

// MustLoadScheduleFour is LoadScheduleFour for start-up and the pathway's
// rules: the embedded data is part of the build.
func MustLoadScheduleFour() *ScheduleFour {
	s, err := LoadScheduleFour()
	if err != nil {
		panic(err)
	}
	return s
}

// ParseScheduleFour reads and checks the schedule from fsys's root.
func ParseScheduleFour(fsys fs.FS) (*ScheduleFour, error) {
	b, err := fs.ReadFile(fsys, fileScheduleFour)
	if err != nil {
		return nil, fmt.Errorf("catalog: reading %s: %w", fileScheduleFour, err)
	}
	var s ScheduleFour
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("catalog: %s: %w", fileScheduleFour, err)
	}
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("catalog: %s: %w", fileScheduleFour, err)
	}
	return &s, nil
}

// validate: the copy names its source on legislation.gov.uk, says it must
// be checked before use and when it last was, and every offence is listed
// once under a heading.
func (s *ScheduleFour) validate() error {
	switch {
	case !strings.HasPrefix(s.Source, "https://www.legislation.gov.uk/"):
		return fmt.Errorf("source %q is not on legislation.gov.uk", s.Source)
	case !s.CheckBeforeUse:
		return fmt.Errorf("checkBeforeUse must be true: the copy is checked against the legislation, never trusted")
	case strings.TrimSpace(s.Note) == "" || strings.TrimSpace(s.CheckedAgainst) == "":
		return fmt.Errorf("the note and what it was checked against are required")
	}
	if _, err := time.Parse("2006-01-02", s.LastChecked); err != nil {
		return fmt.Errorf("lastChecked %q is not a date", s.LastChecked)
	}
	seen := map[string]bool{}
	for _, g := range s.Groups {
		if g.ID == "" || g.Label == "" || len(g.Offences) == 0 || seen[g.ID] {
			return fmt.Errorf("group %q needs a unique id, a label and offences", g.ID)
		}
		seen[g.ID] = true
		for _, o := range g.Offences {
			if !strings.HasPrefix(o.ID, g.ID+".") || o.Label == "" || seen[o.ID] {
				return fmt.Errorf("offence %q needs a unique id under %q and a label", o.ID, g.ID)
			}
			seen[o.ID] = true
		}
	}
	if len(s.Groups) == 0 {
		return fmt.Errorf("no offences")
	}
	return nil
}
