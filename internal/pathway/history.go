package pathway

// History is a case's log as one viewer may see it (§6.5). The team sees it
// all, numbered as it is stored. A member outside the team — the referrer, a
// meeting invitee — sees only the entries VisibleTo them, numbered 1, 2, 3…
// without gaps, so neither the numbers nor the version count the team's
// entries they cannot see.
//
// The version such a viewer is given is the number of entries they can see,
// and it is what their changes are checked against (optimistic concurrency,
// casework.Act): a change conflicts when something they could see has
// happened since they read the case, which is the only thing their decision
// could have rested on. The team's hidden work does not make it stale — and
// must not, or a referrer could learn of it by watching for conflicts. The
// pathway still decides every command against the whole current case, so a
// rule the hidden work changed (a closed case, say) is still applied.
type History struct {
	Version  int     // the viewer's version of the case
	Events   []Event // the entries the viewer sees, numbered as they see them
	filtered bool
	seqs     []int // seqs[n-1] is the stored number of the viewer's entry n
}

// HistoryFor is the case's log as the viewer with membership m sees it.
func HistoryFor(c Case, events []Event, m Membership, viewerUserID string) History {
	if m.Team() {
		return History{Version: c.Version, Events: events}
	}
	h := History{filtered: true}
	number := map[int]int{}
	for _, e := range events {
		if !VisibleTo(e, m, viewerUserID) {
			continue
		}
		h.seqs = append(h.seqs, e.Seq)
		number[e.Seq] = len(h.seqs)
		e.Seq = len(h.seqs)
		e.Corrects = number[e.Corrects] // 0 when what it corrects is not theirs to see
		h.Events = append(h.Events, e)
	}
	h.Version = len(h.seqs)
	return h
}

// stored is the stored number of the viewer's entry n, or 0 when they have
// no entry n.
func (h History) stored(n int) int {
	if !h.filtered {
		if n < 1 || n > h.Version {
			return 0
		}
		return n
	}
	if n < 1 || n > len(h.seqs) {
		return 0
	}
	return h.seqs[n-1]
}

// InViewOf gives a command the history its author sees, for a command that
// names an entry of the log by number (a correction): the number is read as
// the author's, and an entry they cannot see is no entry at all.
func InViewOf(cmd Command, h History) Command {
	if ce, ok := cmd.(CorrectEntry); ok {
		ce.view = &h
		return ce
	}
	return cmd
}
