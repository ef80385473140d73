package pathway

import "time"

// NRMState is this part of the pathway's state; see the area's commands below.
type NRMState struct{}

func (s *NRMState) members(c *Case) []Member { return nil }

func (s *NRMState) flags(c *Case, now time.Time, f *Flags) {}
