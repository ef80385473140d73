package pathway

import "time"

// SupportState is this part of the pathway's state; see the area's commands below.
type SupportState struct{}

func (s *SupportState) members(c *Case) []Member { return nil }

func (s *SupportState) flags(c *Case, now time.Time, f *Flags) {}
