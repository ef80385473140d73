package pathway

import (
	"strings"
	"time"
)

// A child whose preferred language is not English has a professional
// interpreter at their interviews and meetings (§6.7, §7.5).

// childNeedsAnInterpreter reports the child's preferred language, the first
// recorded, when it is not English.
func (c Case) childNeedsAnInterpreter() (language string, needs bool) {
	langs := trimList(c.Concern.Child.Languages)
	if len(langs) == 0 {
		return "", false
	}
	first := langs[0]
	if strings.HasPrefix(personKey(first), "english") {
		return first, false
	}
	return first, true
}

// InterviewWarnings are what the team must know about a planned interview:
// a child who needs an interpreter and has none booked for it (§6.7, §7.5).
func (c Case) InterviewWarnings(iv InterviewPlan) []string {
	if lang, needs := c.childNeedsAnInterpreter(); needs && iv.Interpreter == nil {
		return []string{"The child's language is " + lang + " and no interpreter is booked for the interview planned for " +
			iv.PlannedFor.In(London).Format("2 January 2006 at 3:04pm") + ". Plan it again with a professional, approved and DBS-checked interpreter (§6.7)."}
	}
	return nil
}

// TeamWarnings are the warnings for those working the case, beside
// WarningsAt: interviews and meetings still to come that lack an
// interpreter the child needs, or people §6.8 expects (§6.7, §6.8). They
// name the team's arrangements, so only the team is shown them (§6.5).
// A zero now counts every interview as still to come.
func (c Case) TeamWarnings(now time.Time) []Warning {
	var ws []Warning
	for _, iv := range c.Strategy.Interviews {
		if now.IsZero() || iv.PlannedFor.After(now) {
			for _, w := range c.InterviewWarnings(iv) {
				ws = append(ws, Warning{"interpreter-needed", w})
			}
		}
	}
	for _, m := range c.Meetings.Meetings {
		if m.Held == nil {
			for _, w := range c.MeetingWarnings(m) {
				ws = append(ws, Warning{"meeting", w})
			}
		}
	}
	return ws
}
