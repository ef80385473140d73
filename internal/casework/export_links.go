package casework

import (
	"bytes"
	"regexp"
	"strings"

	"waymark/internal/audit"
	"waymark/internal/pathway"
)

// A subject access export (privacy.go) holds everything about one child's
// case, and is given to that child or whoever asks for them. Another case
// is another child's until the two teams confirm they are the same child
// (issue 14 §1, §6.5): the export names no case this one is not linked to
// now, neither one whose team declined or undid a link, nor one asked
// about and not yet answered, nor one compared with it for matching. Each
// such id is replaced by words saying what it was.

// otherCases are the cases an export's links name: true for one it must
// not name, false for one linked to it now.
type otherCases map[string]bool

// hiddenCase stands in for a case the export does not name.
const hiddenCase = "another case (not linked)"

// unlinkedCases are the cases c's links and requests name that are not
// linked to it now.
func unlinkedCases(c pathway.Case) otherCases {
	linked := map[string]bool{}
	for _, l := range c.Links.Active() {
		linked[l.OtherCaseID] = true
	}
	out := otherCases{}
	for _, r := range c.Links.Requests {
		if !linked[r.OtherCaseID] && r.OtherCaseID != "" {
			out[r.OtherCaseID] = true
		}
	}
	for _, l := range c.Links.Links {
		if !linked[l.OtherCaseID] && l.OtherCaseID != "" {
			out[l.OtherCaseID] = true
		}
	}
	for id := range linked {
		out[id] = false // linked now: the export may name it
	}
	return out
}

func (h otherCases) text(s string) string {
	for id, hide := range h {
		if hide {
			s = strings.ReplaceAll(s, id, hiddenCase)
		}
	}
	return s
}

func (h otherCases) json(b []byte) []byte {
	for id, hide := range h {
		if hide {
			b = bytes.ReplaceAll(b, []byte(`"`+id+`"`), []byte(`"`+hiddenCase+`"`))
		}
	}
	return b
}

// comparedWith is how the audit names a case compared for matching with
// this one (earlier_records.go, earlier_hints.go).
var comparedWith = regexp.MustCompile(`compared for matching with case (\S+)`)

// audit takes other cases' ids out of the entries' details: those the
// links name, and any case compared with this one that is not linked;
// and out of the heads of the case chains each entry's transaction wrote.
func (h otherCases) audit(entries []audit.Entry) {
	for i := range entries {
		d := comparedWith.ReplaceAllStringFunc(entries[i].Detail, func(m string) string {
			if hide, known := h[comparedWith.FindStringSubmatch(m)[1]]; known && !hide {
				return m // linked now: the export may name it
			}
			return "compared for matching with " + hiddenCase
		})
		entries[i].Detail = h.text(d)
		// The case chains a transaction appended to: a link's request
		// and answer write both cases in one.
		entries[i].Heads = h.text(entries[i].Heads)
	}
}
