package store

import (
	"time"
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
	Assigned    []string // the workers assigned to the case (§6.7), by name
	// The case's flags, which every list of cases carries (§1.2, §7.4, §8.5).
	FamilySuspected, AgeUncertain, ImmediateRisk bool
}
