package pathway_test

import (
	"testing"
	"time"

	"waymark/internal/pathway"
)

// National guidance, §4.3: a window is not a deadline. The wait before a
// Conclusive Grounds decision is open once it has run its length, never
// overdue; the first 72 hours of a placement end; deadlines stay as they were.
func TestAWindowThatHasOpenedIsNotOverdue(t *testing.T) {
	start := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	due := start.Add(30 * 24 * time.Hour)
	stopped := due
	for _, tc := range []struct {
		name string
		cl   pathway.Clock
		at   time.Time
		want pathway.ClockStatus
	}{
		{"the wait before Conclusive Grounds, running", pathway.Clock{Kind: pathway.ClockNRMEarliestConclusiveGrounds, Window: true, DueAt: due}, due.Add(-time.Hour), pathway.ClockRunning},
		{"the wait before Conclusive Grounds, passed", pathway.Clock{Kind: pathway.ClockNRMEarliestConclusiveGrounds, Window: true, DueAt: due}, due.Add(48 * time.Hour), pathway.ClockOpen},
		{"the wait before Conclusive Grounds, decided", pathway.Clock{Kind: pathway.ClockNRMEarliestConclusiveGrounds, Window: true, DueAt: due, StoppedAt: &stopped}, due.Add(48 * time.Hour), pathway.ClockEnded},
		{"the first 72 hours of a placement, passed", pathway.Clock{Kind: pathway.ClockPlacementMissingRisk, Window: true, DueAt: due}, due.Add(time.Hour), pathway.ClockEnded},
		{"the first 72 hours of a placement, running", pathway.Clock{Kind: pathway.ClockPlacementMissingRisk, Window: true, DueAt: due}, due.Add(-time.Hour), pathway.ClockRunning},
		{"a deadline, passed", pathway.Clock{Kind: pathway.ClockNRMReasonableGrounds, DueAt: due}, due.Add(time.Hour), pathway.ClockOverdue},
	} {
		if got := tc.cl.Status(tc.at); got != tc.want {
			t.Errorf("%s: status %q, want %q", tc.name, got, tc.want)
		}
	}
}
