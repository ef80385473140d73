package web

import (
	"strings"

	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// expectedAttendees starts "Who attended?" with the people already known to
// be coming (WCAG 3.3.7, redundant entry): whoever convened the meeting the
// form first offers (the newest not yet recorded as held) and everyone
// invited to it, one on each line as "name, organisation". The person
// recording removes anyone who did not come and adds anyone else.
func expectedAttendees(v casework.CaseView) string {
	ms := v.Case.Meetings.Meetings
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].Held != nil {
			continue
		}
		var lines []string
		seen := map[string]bool{}
		for _, p := range append([]pathway.Party{ms[i].ConvenedBy}, ms[i].Invitees...) {
			line := p.Name
			if p.OrgName != "" {
				line += ", " + p.OrgName
			}
			if p.Name == "" || seen[line] {
				continue
			}
			seen[line] = true
			lines = append(lines, line)
		}
		return strings.Join(lines, "\n")
	}
	return ""
}
