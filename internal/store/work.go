package store

import (
	"time"

	"waymark/internal/pathway"
)

// WorkItem is one running deadline on "my work".
type WorkItem struct {
	CaseID      string
	Reference   string
	ChildName   string
	Missing     bool
	ClockID     string
	Label       string
	OwnerUserID string
	OwnerName   string
	DueAt       time.Time
	Window      bool
	Kind        pathway.ClockKind
	Assigned    []string // the workers assigned to the case (§6.7), by name
	// The case's flags, which every list of cases carries (§1.2, §7.4, §8.5).
	FamilySuspected, AgeUncertain, ImmediateRisk bool
}

// Status is how the deadline or window stands at now, as the case shows
// it (pathway.Clock.Status): a wait that has run its length is open, not
// overdue.
func (w WorkItem) Status(now time.Time) pathway.ClockStatus {
	return pathway.Clock{Kind: w.Kind, DueAt: w.DueAt, Window: w.Window}.Status(now)
}

// Waits reports whether the item is a wait before a decision may be made
// (pathway.Clock.Waits), not a deadline or a period of risk.
func (w WorkItem) Waits() bool {
	return pathway.Clock{Kind: w.Kind, Window: w.Window}.Waits()
}
