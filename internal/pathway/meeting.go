package pathway

import "time"

// MeetingState is this part of the pathway's state; see the area's commands below.
type MeetingState struct{}

func (s *MeetingState) members(c *Case) []Member { return nil }

func (s *MeetingState) flags(c *Case, now time.Time, f *Flags) {}
