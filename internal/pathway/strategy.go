package pathway

import "time"

// StrategyState is this part of the pathway's state; see the area's commands below.
type StrategyState struct{}

func (s *StrategyState) members(c *Case) []Member { return nil }

func (s *StrategyState) flags(c *Case, now time.Time, f *Flags) {}
