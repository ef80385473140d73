package pathway

import "time"

// SafetyState is this part of the pathway's state; see the area's commands below.
type SafetyState struct{}

func (s *SafetyState) members(c *Case) []Member { return nil }

func (s *SafetyState) flags(c *Case, now time.Time, f *Flags) {}
