package pathway

import (
	"sort"
	"strings"
	"time"

	"waymark"
)

// Dated partnership settings (issue 13). Some facts about a partnership
// hold from a date and change later: whether it is a Devolved Decision
// Making pilot site (sites join, and the pilot may end), whether the area
// has the Independent Child Trafficking Guardian service. Each change is
// kept with the day it takes effect, never overwritten, so that a rule can
// ask what the setting was on the day that matters (the day an NRM referral
// was submitted, say) rather than what it is now.

// SettingKey names a dated partnership setting.
type SettingKey string

// The settings. To add one, add its key here and its definition to
// SettingDefs; the store, the casework, the admin page and the API then
// carry it without further change.
const (
	// SettingDDMPilot: the partnership is a Devolved Decision Making pilot
	// site, whose local panel makes the Reasonable Grounds and Conclusive
	// Grounds decisions for children in scope (panel.go).
	SettingDDMPilot SettingKey = "ddm_pilot"
)

// SettingDef describes a setting: its values are "yes" or "no" unless
// Values says otherwise, and a setting never recorded reads as Default.
type SettingDef struct {
	Key     SettingKey
	Name    string   // as the admin page shows it
	Hint    string   // what it changes
	Values  []string // the values it may take; nil means "yes" and "no"
	Text    bool     // the value is a line of text (up to 200 characters), not a choice
	Default string   // the value before any change is recorded
	// FromTodayOn: a change may not take effect before the day it is
	// recorded. The statistics' disclosure settings are so: figures already
	// published under the old rule would otherwise be published again
	// under the new one, and the two set against each other.
	FromTodayOn bool
}

// SettingDefs are the partnership's dated settings, in the order the admin
// page shows them.
var SettingDefs = []SettingDef{
	{Key: SettingDDMPilot, Name: "Devolved Decision Making pilot site",
		Hint:    "When yes, the partnership's local decision panel makes the Reasonable Grounds and Conclusive Grounds decisions for child referrals in scope submitted on or after this date; the rest go to the Single Competent Authority.",
		Default: "no"},
	{Key: SettingDDMPanelName, Name: "Name of the local decision panel",
		Hint: "As decision letters and the case record name the panel, for example \"Northshire Child Decision Panel\".", Text: true},
	{Key: SettingICTGAvailable, Name: "Independent Child Trafficking Guardian service", // ictg.go
		Hint:    "When yes, a child referred to the NRM on or after this date is to be referred to the ICTG service too, and Waymark prompts the team until the referral is recorded (§6.8, §9.4).",
		Default: "no"},
	// Disclosure control of the published statistics (statistics.go).
	{Key: SettingStatisticsThreshold, Name: "Statistics: smallest count published",
		Hint:   "Counts of children below this are shown as [c] in the statistics and their exports, with further counts held back so that none can be worked out (§1.5).",
		Values: []string{"3", "5", "10"}, Default: "5", FromTodayOn: true},
	{Key: SettingStatisticsRounding, Name: "Statistics: round totals to",
		Hint:   "When above 1, published totals are rounded to a multiple of this, as some partnerships' publication rules ask.",
		Values: []string{"1", "5", "10"}, Default: "1", FromTodayOn: true},
	{Key: SettingStatisticsYear, Name: "Statistics: publish by",
		Hint:   "\"calendar\" (January to December, as the Home Office's end-of-year figures) or \"financial\" (April to March, as most annual reports). Only one: the two overlap, and the difference would give small counts away (§1.5).",
		Values: []string{"calendar", "financial"}, Default: "calendar", FromTodayOn: true},
	{Key: SettingStatisticsYearSoFar, Name: "Statistics: publish a year in progress",
		Hint:   "\"year\": only once it has ended, so every figure of the year can be shown that is safe on its own. \"quarter\": also to the end of each quarter; a year's figures are then held back more often, so that no quarter's small numbers can be worked out from the difference. \"today\": also up to today, provisional; two looks on different days can differ by one child.",
		Values: []string{"year", "quarter", "today"}, Default: "year", FromTodayOn: true},
}

// SettingDefOf returns the definition of key.
func SettingDefOf(key SettingKey) (SettingDef, bool) {
	for _, d := range SettingDefs {
		if d.Key == key {
			return d, true
		}
	}
	return SettingDef{}, false
}

// AllowedValues are the values d may take.
func (d SettingDef) AllowedValues() []string {
	if d.Values == nil {
		return []string{"yes", "no"}
	}
	return d.Values
}

// SettingChange is one recorded change: from the start of the day From
// (YYYY-MM-DD, London), Key has Value.
type SettingChange struct {
	Seq        int64      `json:"seq"`
	Key        SettingKey `json:"key"`
	Value      string     `json:"value"`
	From       string     `json:"effectiveFrom"`
	Reason     string     `json:"reason,omitempty"`
	RecordedBy string     `json:"recordedBy"`
	RecordedAt time.Time  `json:"recordedAt"`
}

// DatedSettings is the partnership's history of setting changes, in any
// order.
type DatedSettings []SettingChange

// Setting is one setting's view of the history.
type Setting struct {
	def     SettingDef
	changes DatedSettings
}

// Setting returns key's view of the history.
func (d DatedSettings) Setting(key SettingKey) Setting {
	def, ok := SettingDefOf(key)
	if !ok {
		def = SettingDef{Key: key}
	}
	var mine DatedSettings
	for _, c := range d {
		if c.Key == key {
			mine = append(mine, c)
		}
	}
	sort.SliceStable(mine, func(i, j int) bool {
		if mine[i].From != mine[j].From {
			return mine[i].From < mine[j].From
		}
		return mine[i].Seq < mine[j].Seq
	})
	return Setting{def: def, changes: mine}
}

// On returns the setting's value on day: that of the latest change taking
// effect on or before it (of two on the same day, the one recorded later),
// or the default when none does. Only the civil date of day in London
// counts.
func (s Setting) On(day time.Time) string {
	return s.OnDate(day.In(London).Format(time.DateOnly))
}

// OnDate is On for a civil date, YYYY-MM-DD.
func (s Setting) OnDate(date string) string {
	v := s.def.Default
	for _, c := range s.changes {
		if c.From > date {
			break
		}
		v = c.Value
	}
	return v
}

// YesOn reports whether the setting is "yes" on day.
func (s Setting) YesOn(day time.Time) bool { return s.On(day) == "yes" }

// Since returns the date from which the setting has held its value on day,
// "" when it has held it since before any change was recorded.
func (s Setting) Since(day time.Time) string {
	date := day.In(London).Format(time.DateOnly)
	v, since := s.def.Default, ""
	for _, c := range s.changes {
		if c.From > date {
			break
		}
		if c.Value != v {
			since = c.From
		}
		v = c.Value
	}
	return since
}

// History returns the setting's changes, earliest effective date first.
func (s Setting) History() DatedSettings { return s.changes }

// CheckSettingChange checks a change a person asks for: a known key, one of
// its values and a real date. The reason is optional.
//
// today is the London day the change is recorded, for FromTodayOn.
func CheckSettingChange(c SettingChange, today time.Time) (SettingChange, error) {
	var probs waymark.Problems
	c.Value = strings.TrimSpace(c.Value)
	c.From = strings.TrimSpace(c.From)
	c.Reason = strings.TrimSpace(c.Reason)
	def, ok := SettingDefOf(c.Key)
	if !ok {
		probs.Add("key", "Choose a setting Waymark knows")
	} else if def.Text {
		if c.Value == "" || len([]rune(c.Value)) > 200 {
			probs.Add("value", "Enter the %s, in 200 characters or fewer", strings.ToLower(def.Name))
		}
	} else {
		allowed := false
		for _, v := range def.AllowedValues() {
			allowed = allowed || v == c.Value
		}
		if !allowed {
			probs.Add("value", "Choose %s", strings.Join(def.AllowedValues(), " or "))
		}
	}
	if _, err := time.ParseInLocation(time.DateOnly, c.From, London); err != nil {
		probs.Add("effectiveFrom", "Enter the date the change takes effect, like 2026-06-01")
	} else if ok && def.FromTodayOn && c.From < today.In(London).Format(time.DateOnly) {
		probs.Add("effectiveFrom", "Enter a date from today on: figures already published under the old setting would otherwise be published again under the new one, and the difference could give small counts away")
	}
	if len(c.Reason) > 2000 {
		probs.Add("reason", "The reason must be 2,000 characters or fewer")
	}
	return c, probs.Err()
}
