package pathway

import (
	"time"

	"waymark/internal/catalog"
)

// Email reminders (issue 15 §2): the rules of when a clock's reminder is
// due, which clocks may wake someone at night, and when a reminder that is
// not urgent waits for the working morning. The mailer (casework
// reminders.go) asks these; nothing else decides them.

// ReminderKind names what a reminder is for. Each person chooses which
// kinds they receive, except ReminderOverdueManager (ReminderKind.Optional).
type ReminderKind string

// Reminder kinds.
const (
	ReminderDueSoon        ReminderKind = "due_soon"        // a deadline falls due within its lead time
	ReminderOverdue        ReminderKind = "overdue"         // a deadline has passed, to whoever owns it
	ReminderOverdueManager ReminderKind = "overdue_manager" // the same, to the managers of the team that owns it
	ReminderDigest         ReminderKind = "digest"          // the morning's count of My work
)

// Optional reports whether a person may turn the kind off. A manager
// cannot turn off the alert that their team has missed a deadline: it is
// how a deadline nobody is working on is noticed (§6.7 supervision).
func (k ReminderKind) Optional() bool { return k != ReminderOverdueManager }

// ReminderLead is how long before a deadline its "due soon" reminder goes,
// for clocks of up to UpTo long.
type ReminderLead struct {
	UpTo time.Duration
	Lead time.Duration
}

// ReminderConfig holds the configurable parts of the reminders
// (docs/operations.md "Email reminders").
type ReminderConfig struct {
	// Leads, shortest clocks first; a clock longer than the last UpTo
	// takes the last Lead.
	Leads []ReminderLead
	// Working hours, Europe/London, on working days (Monday to Friday, not
	// bank holidays, as catalog.Calendar counts them): a reminder that is
	// not an emergency found outside them waits until DayStart on the next
	// working day. DayStart is also when the daily digest goes.
	DayStart, DayEnd time.Duration // since local midnight
	// OverdueLookback: a deadline overdue for longer than this when the
	// scanner first sees it (Waymark was down, or reminders newly turned
	// on) gets no overdue email; it is on My work and in the digest.
	OverdueLookback time.Duration
}

// DefaultReminders: 4 hours before a 24-hour clock, 12 hours before a clock
// of up to 3 days, a day before anything longer; working hours 08:00 to
// 18:00.
var DefaultReminders = ReminderConfig{
	Leads: []ReminderLead{
		{UpTo: 24 * time.Hour, Lead: 4 * time.Hour},
		{UpTo: 72 * time.Hour, Lead: 12 * time.Hour},
		{UpTo: 0, Lead: 24 * time.Hour}, // anything longer
	},
	DayStart:        8 * time.Hour,
	DayEnd:          18 * time.Hour,
	OverdueLookback: 7 * 24 * time.Hour,
}

// LeadFor is how long before its due time a clock of length d has its
// "due soon" reminder.
func (rc ReminderConfig) LeadFor(d time.Duration) time.Duration {
	for _, l := range rc.Leads {
		if l.UpTo <= 0 || d <= l.UpTo {
			return l.Lead
		}
	}
	if len(rc.Leads) == 0 {
		return 0
	}
	return rc.Leads[len(rc.Leads)-1].Lead
}

// MaxLead is the longest lead: the scanner looks that far ahead.
func (rc ReminderConfig) MaxLead() time.Duration {
	var m time.Duration
	for _, l := range rc.Leads {
		m = max(m, l.Lead)
	}
	return m
}

// EmergencyClock reports whether a clock's reminders go at any hour: the
// clocks the procedure counts in hours because a child may be at risk now
// — Children's Services told within 24 hours (§8.5) and the outcome back to
// the referrer within 24 hours (annex) — and any deadline on a case flagged
// as a child at immediate risk (§8.5: the child's safety comes first).
// Every other clock counts working days or is days long, and its reminders
// wait for working hours.
func EmergencyClock(k ClockKind, immediateRisk bool) bool {
	switch k {
	case ClockNotifyChildrensServices, ClockOutcomeToReferrer:
		return true
	}
	return immediateRisk
}

// InWorkingHours reports whether t falls in working hours on a working day.
func (rc ReminderConfig) InWorkingHours(cal catalog.Calendar, t time.Time) bool {
	if !cal.IsWorkingDay(t) {
		return false
	}
	since := sinceMidnight(t.In(catalog.London()))
	return since >= rc.DayStart && since < rc.DayEnd
}

// SendAt is when a reminder ready at t may go: at once if it is an
// emergency or t is in working hours, else at DayStart of the next working
// day (today's, before it starts).
func (rc ReminderConfig) SendAt(cal catalog.Calendar, t time.Time, emergency bool) time.Time {
	if emergency || rc.InWorkingHours(cal, t) {
		return t
	}
	loc := catalog.London()
	local := t.In(loc)
	y, m, d := local.Date()
	start := func(y int, m time.Month, d int) time.Time {
		h := int(rc.DayStart / time.Hour)
		min := int(rc.DayStart % time.Hour / time.Minute)
		return time.Date(y, m, d, h, min, 0, 0, loc)
	}
	if cal.IsWorkingDay(local) && sinceMidnight(local) < rc.DayStart {
		return start(y, m, d).UTC()
	}
	next := cal.AddWorkingDays(time.Date(y, m, d, 12, 0, 0, 0, loc), 1)
	y, m, d = next.Date()
	return start(y, m, d).UTC()
}

func sinceMidnight(t time.Time) time.Duration {
	h, m, s := t.Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second
}

// ReminderBackoff is how long a reminder whose send failed waits before
// its next try: a minute, doubling with each failure, at most an hour.
func ReminderBackoff(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}
