package pathway_test

import (
	"testing"
	"time"

	"waymark/internal/pathway"
)

// A reminder that is not urgent, ready on the Thursday evening before
// Easter, waits past Good Friday, the weekend and Easter Monday (bank
// holidays in England and Wales, as the clocks count them) until 08:00
// London time on the Tuesday, which is 07:00 UTC in summer time.
func TestAReminderReadyBeforeEasterWaitsForTheTuesdayMorning(t *testing.T) {
	rc := pathway.DefaultReminders
	ready := time.Date(2026, 4, 2, 19, 0, 0, 0, time.UTC) // Thursday 20:00 BST
	got := rc.SendAt(cat.Holidays, ready, false)
	if want := time.Date(2026, 4, 7, 7, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("held until %s, want %s", got, want)
	}
	if got := rc.SendAt(cat.Holidays, ready, true); !got.Equal(ready) {
		t.Fatalf("an emergency reminder was held until %s", got)
	}
	early := time.Date(2026, 4, 7, 5, 30, 0, 0, time.UTC) // Tuesday 06:30 BST
	if got := rc.SendAt(cat.Holidays, early, false); !got.Equal(time.Date(2026, 4, 7, 7, 0, 0, 0, time.UTC)) {
		t.Fatalf("a reminder ready before the working day began was held until %s", got)
	}
	inHours := time.Date(2026, 4, 7, 9, 0, 0, 0, time.UTC)
	if got := rc.SendAt(cat.Holidays, inHours, false); !got.Equal(inHours) {
		t.Fatalf("a reminder in working hours was held until %s", got)
	}
}

// The clocks counted in hours because a child may be at risk now (§8.5,
// the annex's outcome to the referrer) and any deadline on a case of a
// child at immediate risk remind at any hour; the others wait.
func TestOnlyEmergencyClocksRemindAtNight(t *testing.T) {
	for _, c := range []struct {
		kind      pathway.ClockKind
		immediate bool
		want      bool
	}{
		{pathway.ClockNotifyChildrensServices, false, true},
		{pathway.ClockOutcomeToReferrer, false, true},
		{pathway.ClockMeetingAction, false, false},
		{pathway.ClockNRMReasonableGrounds, false, false},
		{pathway.ClockReturnInterview, false, false},
		{pathway.ClockMeetingAction, true, true},
	} {
		if got := pathway.EmergencyClock(c.kind, c.immediate); got != c.want {
			t.Errorf("%s (immediate risk %t): emergency %t, want %t", c.kind, c.immediate, got, c.want)
		}
	}
}

// Lead times by clock length (docs/operations.md "Email reminders"), and a
// manager's overdue alert is the one reminder nobody can turn off.
func TestReminderLeadTimesAndWhichCanBeTurnedOff(t *testing.T) {
	rc := pathway.DefaultReminders
	for length, want := range map[time.Duration]time.Duration{24 * time.Hour: 4 * time.Hour, 48 * time.Hour: 12 * time.Hour, 72 * time.Hour: 12 * time.Hour, 30 * 24 * time.Hour: 24 * time.Hour} {
		if got := rc.LeadFor(length); got != want {
			t.Errorf("a %s clock: lead %s, want %s", length, got, want)
		}
	}
	for _, k := range []pathway.ReminderKind{pathway.ReminderDueSoon, pathway.ReminderOverdue, pathway.ReminderDigest} {
		if !k.Optional() {
			t.Errorf("%s cannot be turned off", k)
		}
	}
	if pathway.ReminderOverdueManager.Optional() {
		t.Error("a manager can turn off the alert that their team missed a deadline")
	}
	if got := pathway.ReminderBackoff(1); got != time.Minute {
		t.Errorf("first backoff %s", got)
	}
	if got := pathway.ReminderBackoff(20); got != time.Hour {
		t.Errorf("backoff after many failures %s, want at most an hour", got)
	}
}
