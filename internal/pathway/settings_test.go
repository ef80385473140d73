package pathway

import (
	"testing"
	"time"

	"waymark"
)

// Issue 13: whether a partnership is a Devolved Decision Making pilot site
// is a dated setting: sites join and the pilot may end, and a rule asks
// what it was on the day that matters, not what it is now.
func TestPilotSiteSettingIsAnsweredForTheDayAsked(t *testing.T) {
	at := func(d string) time.Time {
		tm, _ := time.ParseInLocation(time.DateOnly, d, London)
		return tm.Add(12 * time.Hour)
	}
	h := DatedSettings{
		{Seq: 1, Key: SettingDDMPilot, Value: "yes", From: "2026-03-01"},
		{Seq: 2, Key: SettingDDMPilot, Value: "no", From: "2026-09-01"},
		{Seq: 3, Key: "other", Value: "yes", From: "2020-01-01"},
	}
	s := h.Setting(SettingDDMPilot)
	for day, want := range map[string]string{"2026-02-28": "no", "2026-03-01": "yes", "2026-08-31": "yes", "2026-09-01": "no", "2027-01-01": "no"} {
		if got := s.On(at(day)); got != want {
			t.Errorf("on %s: %q, want %q", day, got, want)
		}
	}
	if !s.YesOn(at("2026-05-05")) || s.Since(at("2026-05-05")) != "2026-03-01" {
		t.Errorf("since: %q", s.Since(at("2026-05-05")))
	}
	if len(s.History()) != 2 {
		t.Errorf("history: %+v", s.History())
	}
}

// A change recorded later for the same day wins: the history is never
// rewritten, so a correction is a further change.
func TestALaterCorrectionOfTheSameDayWins(t *testing.T) {
	h := DatedSettings{
		{Seq: 2, Key: SettingDDMPilot, Value: "no", From: "2026-03-01"},
		{Seq: 1, Key: SettingDDMPilot, Value: "yes", From: "2026-03-01"},
	}
	if got := h.Setting(SettingDDMPilot).OnDate("2026-03-02"); got != "no" {
		t.Fatalf("got %q", got)
	}
	if got := (DatedSettings{}).Setting(SettingDDMPilot).OnDate("2026-03-02"); got != "no" {
		t.Fatalf("a partnership never recorded as a pilot site reads %q", got)
	}
}

func TestSettingChangeNeedsAKnownKeyValueAndDate(t *testing.T) {
	for _, c := range []SettingChange{
		{Key: "nonsense", Value: "yes", From: "2026-01-01"},
		{Key: SettingDDMPilot, Value: "maybe", From: "2026-01-01"},
		{Key: SettingDDMPilot, Value: "yes", From: "2026-02-30"},
	} {
		if _, err := CheckSettingChange(c, time.Date(2026, 3, 1, 9, 0, 0, 0, London)); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("%+v accepted: %v", c, err)
		}
	}
	if _, err := CheckSettingChange(SettingChange{Key: SettingDDMPilot, Value: " yes ", From: "2026-01-01"}, time.Date(2026, 3, 1, 9, 0, 0, 0, London)); err != nil {
		t.Fatal(err) // a pilot may be recorded from when it began
	}
}

// The statistics' disclosure settings take effect from the day they are
// recorded on: a year already published must never be published again under
// other rules (docs/statistics.md, "Periods").
func TestStatisticsSettingsCannotBeBackdated(t *testing.T) {
	today := time.Date(2026, 3, 1, 23, 30, 0, 0, London)
	for _, key := range []SettingKey{SettingStatisticsThreshold, SettingStatisticsRounding, SettingStatisticsYear, SettingStatisticsYearSoFar} {
		def, _ := SettingDefOf(key)
		c := SettingChange{Key: key, Value: def.AllowedValues()[len(def.AllowedValues())-1], From: "2026-02-28"}
		if _, err := CheckSettingChange(c, today); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("%s backdated to 2026-02-28 accepted: %v", key, err)
		}
		c.From = "2026-03-01"
		if _, err := CheckSettingChange(c, today); err != nil {
			t.Errorf("%s from today refused: %v", key, err)
		}
	}
}
