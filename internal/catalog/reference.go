package catalog

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"time"
)

// Reference data kept as data (issue 13): the disruption powers a meeting
// considers (§6.8), the history of how the Reasonable Grounds test is worded
// for practitioners (§8.7), the grooming stages (§3.3, annex), cautions such
// as the gender-bias note of §5.2, the vulnerability factors of §4.5–§4.9,
// and the seed of the partnership's directory of supporting organisations
// and key contacts (§6.8, §9.4, §9.5, annex). Each file carries its own
// version, so a new power or a new wording ships as a change of data.
const (
	fileDisruptionPowers     = "disruption-powers.json"
	fileRGThreshold          = "rg-threshold.json"
	fileGroomingStages       = "grooming-stages.json"
	fileCautions             = "cautions.json"
	fileVulnerabilityFactors = "vulnerability-factors.json"
	fileDirectory            = "directory.json"
)

// DisruptionPower is a safeguarding or disruption power of §6.8. One with no
// EffectiveFrom is not in force yet: listed, never offered.
type DisruptionPower struct {
	ID            string `json:"id"`
	Label         string `json:"label"`
	Section       string `json:"section"`
	EffectiveFrom string `json:"effectiveFrom"` // YYYY-MM-DD or YYYY-MM; "" while not in force
	Note          string `json:"note"`
}

// InForce reports whether the power can be applied for on day t.
func (p DisruptionPower) InForce(t time.Time) bool {
	from, ok := parseDay(p.EffectiveFrom)
	return ok && !t.Before(from)
}

// ThresholdWording is one wording of the Reasonable Grounds test as shown
// to practitioners, in force from EffectiveFrom until the next one starts.
type ThresholdWording struct {
	ID             string `json:"id"`
	EffectiveFrom  string `json:"effectiveFrom"`
	Summary        string `json:"summary"`
	Advice         string `json:"advice"`
	CheckBeforeUse bool   `json:"checkBeforeUse"`
}

// GroomingStage is a stage of the grooming process (§3.3, annex).
type GroomingStage struct {
	ID             string `json:"id"`
	Label          string `json:"label"`
	Section        string `json:"section"`
	Hint           string `json:"hint"`
	CheckBeforeUse bool   `json:"checkBeforeUse"`
}

// Caution is a note shown where a practitioner makes the judgement it is
// about; Where names the place ("exploitation-types").
type Caution struct {
	ID      string `json:"id"`
	Section string `json:"section"`
	Where   string `json:"where"`
	Text    string `json:"text"`
}

// VulnerabilityFactor is a circumstance that makes a child more vulnerable
// (§4.5–§4.9); Group is a VulnerabilityGroup ID.
type VulnerabilityFactor struct {
	ID      string `json:"id"`
	Group   string `json:"group"`
	Label   string `json:"label"`
	Section string `json:"section"`
}

// VulnerabilityGroup gathers factors (political, economic, social, from abroad).
type VulnerabilityGroup struct {
	ID      string `json:"id"`
	Label   string `json:"label"`
	Section string `json:"section"`
}

// DirectoryEntry is a supporting organisation or key contact (§9.4, §9.5,
// annex). The catalogue holds the seed; a partnership's edits are kept in
// the database over it.
type DirectoryEntry struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Kind           string `json:"kind"`
	Section        string `json:"section"`
	Description    string `json:"description"`
	Phone          string `json:"phone"`
	Website        string `json:"website"`
	Email          string `json:"email"`
	Hours          string `json:"hours"`
	Area           string `json:"area"`
	LastChecked    string `json:"lastChecked"` // YYYY-MM-DD or YYYY-MM
	CheckBeforeUse bool   `json:"checkBeforeUse"`
	Note           string `json:"note"`
}

// DirectoryKinds are the headings the directory is listed under, in order.
var DirectoryKinds = []struct{ Value, Text string }{
	{"helpline", "Helplines"},
	{"government", "Government"},
	{"police", "Policing"},
	{"legal", "Legal advice"},
	{"support", "Support services"},
	{"from-abroad", "Children trafficked from abroad"},
	{"local", "Local contacts"},
}

// Reference is one loaded and validated copy of the reference data above.
type Reference struct {
	// Versions names each file's version, by file name.
	Versions             map[string]string
	DisruptionPowers     []DisruptionPower
	ThresholdWordings    []ThresholdWording // oldest first
	GroomingStages       []GroomingStage
	Cautions             []Caution
	VulnerabilityGroups  []VulnerabilityGroup
	VulnerabilityFactors []VulnerabilityFactor
	Directory            []DirectoryEntry
}

var (
	referenceOnce sync.Once
	reference     *Reference
	referenceErr  error
)

// LoadReference parses the embedded reference data once and shares it.
func LoadReference() (*Reference, error) {
	referenceOnce.Do(func() {
		data, err := fs.Sub(shipped, "data")
		if err != nil {
			referenceErr = fmt.Errorf("catalog: opening embedded data: %w", err)
			return
		}
		reference, referenceErr = ParseReference(data)
	})
	return reference, referenceErr
}

// MustReference is LoadReference for package variables and tests: the data
// is part of the build, so an error is a programming mistake.
func MustReference() *Reference {
	r, err := LoadReference()
	if err != nil {
		panic(err)
	}
	return r
}

// ParseReference reads and validates the reference files from fsys,
// reporting every problem found.
func ParseReference(fsys fs.FS) (*Reference, error) {
	r := &Reference{Versions: map[string]string{}}
	var p problems
	var powers struct {
		Version, Description string
		Powers               []DisruptionPower `json:"powers"`
	}
	var thresholds struct {
		Version, Description string
		Wordings             []ThresholdWording `json:"wordings"`
	}
	var stages struct {
		Version, Description string
		Stages               []GroomingStage `json:"stages"`
	}
	var cautions struct {
		Version, Description string
		Cautions             []Caution `json:"cautions"`
	}
	var factors struct {
		Version, Description string
		Groups               []VulnerabilityGroup  `json:"groups"`
		Factors              []VulnerabilityFactor `json:"factors"`
	}
	var directory struct {
		Version, Description string
		Entries              []DirectoryEntry `json:"entries"`
	}
	for _, f := range []struct {
		name    string
		into    any
		version *string
	}{
		{fileDisruptionPowers, &powers, &powers.Version},
		{fileRGThreshold, &thresholds, &thresholds.Version},
		{fileGroomingStages, &stages, &stages.Version},
		{fileCautions, &cautions, &cautions.Version},
		{fileVulnerabilityFactors, &factors, &factors.Version},
		{fileDirectory, &directory, &directory.Version},
	} {
		if err := decodeFile(fsys, f.name, f.into); err != nil {
			p.errs = append(p.errs, err)
			continue
		}
		if strings.TrimSpace(*f.version) == "" {
			p.add(f.name, "version", "is missing")
		}
		r.Versions[f.name] = *f.version
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	r.DisruptionPowers, r.ThresholdWordings, r.GroomingStages = powers.Powers, thresholds.Wordings, stages.Stages
	r.Cautions, r.VulnerabilityGroups, r.VulnerabilityFactors, r.Directory = cautions.Cautions, factors.Groups, factors.Factors, directory.Entries

	ids := func(file string, list []string) {
		seen := map[string]bool{}
		for _, id := range list {
			if !idPattern.MatchString(id) {
				p.add(file, id, "id must be lower-case words joined by dots or hyphens")
			}
			if seen[id] {
				p.add(file, id, "id appears more than once")
			}
			seen[id] = true
		}
	}
	need := func(file, id, field, v string) {
		if strings.TrimSpace(v) == "" {
			p.add(file, id, "%s is empty", field)
		}
	}
	var list []string
	for _, x := range r.DisruptionPowers {
		list = append(list, x.ID)
		need(fileDisruptionPowers, x.ID, "label", x.Label)
		needSection(&p, fileDisruptionPowers, x.ID, x.Section)
		if _, ok := parseDay(x.EffectiveFrom); !ok && x.EffectiveFrom != "" {
			p.add(fileDisruptionPowers, x.ID, "effectiveFrom %q is not YYYY-MM-DD or YYYY-MM", x.EffectiveFrom)
		}
		if x.EffectiveFrom == "" && x.Note == "" {
			p.add(fileDisruptionPowers, x.ID, "a power not in force needs a note saying so")
		}
	}
	ids(fileDisruptionPowers, list)
	list = nil
	var last time.Time
	for _, x := range r.ThresholdWordings {
		list = append(list, x.ID)
		need(fileRGThreshold, x.ID, "summary", x.Summary)
		need(fileRGThreshold, x.ID, "advice", x.Advice)
		from, ok := parseDay(x.EffectiveFrom)
		if !ok {
			p.add(fileRGThreshold, x.ID, "effectiveFrom %q is not YYYY-MM-DD or YYYY-MM", x.EffectiveFrom)
		} else if !from.After(last) {
			p.add(fileRGThreshold, x.ID, "wordings must be listed oldest first")
		}
		last = from
	}
	if len(r.ThresholdWordings) == 0 {
		p.add(fileRGThreshold, "wordings", "none listed")
	}
	ids(fileRGThreshold, list)
	list = nil
	for _, x := range r.GroomingStages {
		list = append(list, x.ID)
		need(fileGroomingStages, x.ID, "label", x.Label)
		needSection(&p, fileGroomingStages, x.ID, x.Section)
	}
	ids(fileGroomingStages, list)
	list = nil
	for _, x := range r.Cautions {
		list = append(list, x.ID)
		need(fileCautions, x.ID, "text", x.Text)
		need(fileCautions, x.ID, "where", x.Where)
		needSection(&p, fileCautions, x.ID, x.Section)
	}
	ids(fileCautions, list)
	list = nil
	groups := map[string]bool{}
	for _, g := range r.VulnerabilityGroups {
		list = append(list, g.ID)
		groups[g.ID] = true
		need(fileVulnerabilityFactors, g.ID, "label", g.Label)
	}
	for _, x := range r.VulnerabilityFactors {
		list = append(list, x.ID)
		need(fileVulnerabilityFactors, x.ID, "label", x.Label)
		needSection(&p, fileVulnerabilityFactors, x.ID, x.Section)
		if !groups[x.Group] {
			p.add(fileVulnerabilityFactors, x.ID, "group %q is not listed", x.Group)
		}
	}
	ids(fileVulnerabilityFactors, list)
	list = nil
	for _, x := range r.Directory {
		list = append(list, x.ID)
		if err := x.Check(); err != "" {
			p.add(fileDirectory, x.ID, "%s", err)
		}
	}
	ids(fileDirectory, list)
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return r, nil
}

// Check names what is wrong with a directory entry, or returns "".
func (e DirectoryEntry) Check() string {
	switch {
	case strings.TrimSpace(e.Name) == "":
		return "name is empty"
	case !slices.ContainsFunc(DirectoryKinds, func(k struct{ Value, Text string }) bool { return k.Value == e.Kind }):
		return fmt.Sprintf("kind %q is not one of the directory's headings", e.Kind)
	case e.LastChecked == "":
		return "lastChecked is empty: say when the entry was last checked"
	}
	if _, ok := parseDay(e.LastChecked); !ok {
		return fmt.Sprintf("lastChecked %q is not YYYY-MM-DD or YYYY-MM", e.LastChecked)
	}
	return ""
}

func needSection(p *problems, file, id, section string) {
	if !strings.HasPrefix(section, "§") && !strings.HasPrefix(section, "annex") {
		p.add(file, id, "section %q must point into the procedure (§… or annex)", section)
	}
}

// parseDay reads YYYY-MM-DD, or YYYY-MM as the first of the month.
func parseDay(s string) (time.Time, bool) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, true
	}
	if t, err := time.Parse("2006-01", s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// DayKnown says how precisely a date of the data is known: "2023-01" is
// known to the month only.
func DayKnown(s string) bool { _, err := time.Parse("2006-01-02", s); return err == nil }

// FormatDataDate writes a date of the data for people: "January 2023" when
// only the month is known, "5 June 2023" otherwise.
func FormatDataDate(s string) string {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Format("2 January 2006")
	}
	if t, err := time.Parse("2006-01", s); err == nil {
		return t.Format("January 2006")
	}
	return s
}

// PowersInForce lists the powers that can be applied for on day t, in
// the procedure's order (§6.8).
func (r *Reference) PowersInForce(t time.Time) []DisruptionPower {
	var out []DisruptionPower
	for _, x := range r.DisruptionPowers {
		if x.InForce(t) {
			out = append(out, x)
		}
	}
	return out
}

// ThresholdOn is the wording of the Reasonable Grounds test in force on
// day t, and whether there is one.
func (r *Reference) ThresholdOn(t time.Time) (ThresholdWording, bool) {
	var out ThresholdWording
	found := false
	for _, w := range r.ThresholdWordings {
		if from, ok := parseDay(w.EffectiveFrom); ok && !t.Before(from) {
			out, found = w, true
		}
	}
	return out, found
}

// CautionFor returns the cautions shown at a place ("exploitation-types").
func (r *Reference) CautionFor(where string) []Caution {
	var out []Caution
	for _, c := range r.Cautions {
		if c.Where == where {
			out = append(out, c)
		}
	}
	return out
}

// DirectorySeed returns the seed entry with the given id.
func (r *Reference) DirectorySeed(id string) (DirectoryEntry, bool) {
	for _, e := range r.Directory {
		if e.ID == id {
			return e, true
		}
	}
	return DirectoryEntry{}, false
}
