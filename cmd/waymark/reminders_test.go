package main

import (
	"testing"
	"time"

	"waymark/internal/pathway"
)

// The reminder settings parse to the documented defaults, and settings
// that cannot be meant stop start-up (docs/operations.md "Email reminders").
func TestReminderSettingsParseAndNonsenseIsRefused(t *testing.T) {
	ok := reminderConfig{hours: "08:00-18:00", leads: "24h=4h,72h=12h,*=24h", interval: time.Minute}
	rc, err := ok.parse()
	if err != nil {
		t.Fatal(err)
	}
	def := pathway.DefaultReminders
	if rc.DayStart != def.DayStart || rc.DayEnd != def.DayEnd || len(rc.Leads) != len(def.Leads) {
		t.Fatalf("the flags' defaults are not pathway.DefaultReminders: %+v", rc)
	}
	for i := range def.Leads {
		if rc.Leads[i] != def.Leads[i] {
			t.Errorf("lead %d: %+v, want %+v", i, rc.Leads[i], def.Leads[i])
		}
	}
	for _, bad := range []reminderConfig{
		{hours: "18:00-08:00", leads: ok.leads, interval: time.Minute},
		{hours: "8am to 6pm", leads: ok.leads, interval: time.Minute},
		{hours: ok.hours, leads: "72h=12h,24h=4h", interval: time.Minute},
		{hours: ok.hours, leads: "24h=0s", interval: time.Minute},
		{hours: ok.hours, leads: "soon", interval: time.Minute},
		{hours: ok.hours, leads: ok.leads, interval: time.Second},
	} {
		if _, err := bad.parse(); err == nil {
			t.Errorf("%+v was accepted", bad)
		}
	}
}
