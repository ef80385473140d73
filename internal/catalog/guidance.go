package catalog

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Guidance versions (issue 13): which version of the statutory guidance,
// of the Devolved Decision Making pilot guidance and of the Home Office
// referral form applied to a decision, from data/guidance-versions.json.
// Each list is kept by the date a version came into force. A version whose
// number could not be confirmed has none, and is named by its date.

const fileGuidanceVersions = "guidance-versions.json"

// GuidanceVersion is one version of a document.
type GuidanceVersion struct {
	From   string `json:"from"`   // YYYY-MM-DD: in force from this day
	Number string `json:"number"` // "" when not confirmed
	Title  string `json:"title"`
	Change string `json:"change,omitempty"`
}

// Label names the version: its number when known, else the date it came
// into force ("version in force from 10 July 2023").
func (v GuidanceVersion) Label() string {
	if v.Title == "" {
		return ""
	}
	if v.Number != "" {
		return v.Title + ", version " + v.Number
	}
	from := v.From
	if t, err := time.Parse(time.DateOnly, v.From); err == nil {
		from = t.Format("2 January 2006")
	}
	return v.Title + ", version in force from " + from
}

// GuidanceVersions are the three lists.
type GuidanceVersions struct {
	StatutoryGuidance []GuidanceVersion `json:"statutoryGuidance"`
	DDMGuidance       []GuidanceVersion `json:"ddmGuidance"`
	ReferralForm      []GuidanceVersion `json:"referralForm"`
}

var guidance struct {
	once sync.Once
	v    GuidanceVersions
	err  error
}

// Guidance returns the shipped guidance versions, parsed once.
func Guidance() (GuidanceVersions, error) {
	guidance.once.Do(func() {
		b, err := shipped.ReadFile("data/" + fileGuidanceVersions)
		if err != nil {
			guidance.err = err
			return
		}
		guidance.v, guidance.err = ParseGuidanceVersions(b)
	})
	return guidance.v, guidance.err
}

// ParseGuidanceVersions reads and checks the file.
func ParseGuidanceVersions(b []byte) (GuidanceVersions, error) {
	var g GuidanceVersions
	if err := json.Unmarshal(b, &g); err != nil {
		return g, fmt.Errorf("catalog: %s: %w", fileGuidanceVersions, err)
	}
	for name, list := range map[string][]GuidanceVersion{"statutoryGuidance": g.StatutoryGuidance, "ddmGuidance": g.DDMGuidance, "referralForm": g.ReferralForm} {
		if len(list) == 0 {
			return g, fmt.Errorf("catalog: %s: %s lists no version", fileGuidanceVersions, name)
		}
		for _, v := range list {
			if _, err := time.Parse(time.DateOnly, v.From); err != nil || v.Title == "" {
				return g, fmt.Errorf("catalog: %s: %s: a version needs a title and a from date (YYYY-MM-DD), not %q", fileGuidanceVersions, name, v.From)
			}
		}
		sort.SliceStable(list, func(i, j int) bool { return list[i].From < list[j].From })
	}
	return g, nil
}

// InForce returns the version of list in force on day (YYYY-MM-DD), the zero
// version when day is before the first.
func InForce(list []GuidanceVersion, day string) GuidanceVersion {
	var out GuidanceVersion
	for _, v := range list {
		if v.From <= day {
			out = v
		}
	}
	return out
}
