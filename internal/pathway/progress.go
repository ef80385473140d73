package pathway

// Progress says where the case stands on the whole pathway in practitioners'
// words: the furthest stage reached, closure first (PATHWAY.md §3).
func (c Case) Progress() string {
	switch {
	case c.Safety.Closed != nil:
		return "Closed"
	case c.NRM.ConclusiveGrounds != nil:
		return "Conclusive Grounds decision: " + c.NRM.ConclusiveGrounds.Outcome
	case c.NRM.ReasonableGrounds != nil:
		return "Reasonable Grounds decision: " + c.NRM.ReasonableGrounds.Outcome
	case c.NRM.Submission != nil:
		return "NRM referral submitted"
	}
	for i := len(c.Meetings.Meetings) - 1; i >= 0; i-- {
		if c.Meetings.Meetings[i].Held != nil {
			return "Multi-agency meeting held"
		}
	}
	if len(c.Meetings.Meetings) > 0 {
		return "Multi-agency meeting arranged"
	}
	if len(c.Strategy.Discussions) > 0 {
		return "Strategy discussion held"
	}
	return c.Stage.Label()
}
