package pathway

import "time"

// ClockKind names a statutory or procedural time limit (PATHWAY.md §5).
type ClockKind string

// Clocks built so far.
const (
	ClockNotifyChildrensServices ClockKind = "notify_childrens_services" // §8.5
	ClockOutcomeToReferrer       ClockKind = "outcome_to_referrer"       // annex step 1
)

// ClockConfig holds the configurable lengths of the clocks (PATHWAY.md §5).
type ClockConfig struct {
	NotifyChildrensServices time.Duration
	OutcomeToReferrer       time.Duration
	UKVIConfirmation        time.Duration // UKVI confirms a referral in writing (§7.5)
	PlacementMissingRisk    time.Duration // highest missing risk after placement (§4.3, §7.4)
	RGTargetWorkingDays     int           // Reasonable Grounds decision target (national)
	// CGMinimum is the rule's history: the shortest wait between a positive
	// Reasonable Grounds decision and the Conclusive Grounds decision, by the
	// date the Reasonable Grounds decision was made (national).
	CGMinimum []MinimumPeriod
}

// MinimumPeriod is a number of days that applies to decisions made on or after From.
type MinimumPeriod struct {
	From time.Time
	Days int
}

// DefaultClocks are the lengths the procedure and national guidance set.
var DefaultClocks = ClockConfig{
	NotifyChildrensServices: 24 * time.Hour, // §8.5
	OutcomeToReferrer:       24 * time.Hour, // annex
	UKVIConfirmation:        48 * time.Hour, // §7.5
	PlacementMissingRisk:    72 * time.Hour, // §4.3
	RGTargetWorkingDays:     5,
	CGMinimum: []MinimumPeriod{
		{From: time.Time{}, Days: 45},
		{From: time.Date(2023, 1, 30, 0, 0, 0, 0, time.UTC), Days: 30},
	},
}

// CGMinimumDays is the minimum wait that applies to a positive Reasonable
// Grounds decision made on day.
func (cfg ClockConfig) CGMinimumDays(day time.Time) int {
	days := 0
	for _, mp := range cfg.CGMinimum {
		if !day.Before(mp.From) {
			days = mp.Days
		}
	}
	return days
}

// Clock is one running or stopped time limit on a case.
type Clock struct {
	ID        string     `json:"id"`
	Kind      ClockKind  `json:"kind"`
	Label     string     `json:"label"`
	Section   string     `json:"section"`
	StartedAt time.Time  `json:"startedAt"`
	DueAt     time.Time  `json:"dueAt"`
	StoppedAt *time.Time `json:"stoppedAt,omitempty"`
	// Who must act: a person (a meeting action's owner) or, when empty, the
	// Children's Services team that holds the case.
	OwnerUserID string `json:"ownerUserId,omitempty"`
	OwnerName   string `json:"ownerName,omitempty"`
	OwnerOrgID  string `json:"ownerOrgId,omitempty"`
	// Window marks a period of heightened risk rather than a deadline to meet.
	Window bool `json:"window,omitempty"`
}

// ClockChange starts or stops a clock; it travels inside an event so that
// history keeps the due time that applied when the clock started.
type ClockChange struct {
	Start *Clock    `json:"start,omitempty"`
	Stop  string    `json:"stop,omitempty"` // clock id
	At    time.Time `json:"at,omitzero"`
}

// ClockStatus is how a clock stands at a moment.
type ClockStatus string

// Clock statuses.
const (
	ClockRunning ClockStatus = "running"
	ClockOverdue ClockStatus = "overdue"
	ClockMet     ClockStatus = "met"
	ClockLate    ClockStatus = "met_late"
	// A window is not a deadline, so it is never overdue: a wait that has
	// run its length is open (the Conclusive Grounds decision may now be
	// made), and a period of risk that has passed, or a stopped window, has
	// ended.
	ClockOpen  ClockStatus = "open"
	ClockEnded ClockStatus = "ended"
)

// Status tells whether the clock is running, overdue, met in time or met late.
func (c Clock) Status(now time.Time) ClockStatus {
	if c.Window {
		return c.windowStatus(now)
	}
	if c.StoppedAt != nil {
		if c.StoppedAt.After(c.DueAt) {
			return ClockLate
		}
		return ClockMet
	}
	if now.After(c.DueAt) {
		return ClockOverdue
	}
	return ClockRunning
}

// windowStatus: a window runs until its end; then a wait is open and a
// period of risk has ended (national guidance, §4.3).
func (c Clock) windowStatus(now time.Time) ClockStatus {
	switch {
	case c.StoppedAt != nil:
		return ClockEnded
	case now.Before(c.DueAt):
		return ClockRunning
	case c.Waits():
		return ClockOpen
	}
	return ClockEnded
}

// Waits reports whether the clock is a wait before something may happen
// (the minimum period before a Conclusive Grounds decision) rather than a
// deadline or a period of risk.
func (c Clock) Waits() bool { return c.Window && c.Kind == ClockNRMEarliestConclusiveGrounds }

// Remaining is the time left (negative when overdue) at now.
func (c Clock) Remaining(now time.Time) time.Duration { return c.DueAt.Sub(now) }

// Running reports whether the clock has not been stopped.
func (c Clock) Running() bool { return c.StoppedAt == nil }

func clockLabel(k ClockKind) (label, section string) {
	switch k {
	case ClockNotifyChildrensServices:
		return "Children's Services acknowledge the concern", "§8.5"
	case ClockOutcomeToReferrer:
		return "Outcome given to the referrer", "annex"
	}
	return string(k), ""
}

// newClock starts a clock of any kind with its label and section; the areas
// of the pathway use it for their own clocks.
func newClock(k ClockKind, id, label, section string, start, due time.Time) ClockChange {
	return ClockChange{Start: &Clock{ID: id, Kind: k, Label: label, Section: section, StartedAt: start.UTC(), DueAt: due.UTC()}}
}

func startClock(k ClockKind, id string, from time.Time, d time.Duration) ClockChange {
	label, section := clockLabel(k)
	return ClockChange{Start: &Clock{ID: id, Kind: k, Label: label, Section: section, StartedAt: from.UTC(), DueAt: from.Add(d).UTC()}}
}

func stopClock(id string, at time.Time) ClockChange {
	return ClockChange{Stop: id, At: at.UTC()}
}

// RunningClock returns the running clock of kind k, if any.
func (c *Case) RunningClock(k ClockKind) (Clock, bool) {
	for _, cl := range c.Clocks {
		if cl.Kind == k && cl.Running() {
			return cl, true
		}
	}
	return Clock{}, false
}
