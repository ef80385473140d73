package pathway

import (
	"strings"
	"time"

	"waymark"
)

// Limits on asking to link (issue 14 §1, §6.5). Each request to link tells
// the asking team something: that the other team still holds a record it
// will answer for. A team that asks again and again after a decline, or
// asks about many records in a day, is probing the other teams' cases, not
// working its own.

// MaxLinkRequestsPerDay is how many requests to link one case may make in
// a London day. A child raised again is rarely recorded more than once or
// twice before; five leaves room for a child known in several areas.
const MaxLinkRequestsPerDay = 5

// mayAskToLink: a case whose request to link the earlier case was declined
// may ask it again only with a reason it has not given before (new
// information), and no case asks more than MaxLinkRequestsPerDay times in
// one London day.
func mayAskToLink(newCase Case, earlierID, reason string, now time.Time) error {
	day := now.In(London).Format("2006-01-02")
	asked := 0
	for _, r := range newCase.Links.Requests {
		if !r.Asked {
			continue
		}
		if r.At.In(London).Format("2006-01-02") == day {
			asked++
		}
		if r.OtherCaseID == earlierID && r.Status == LinkDeclinedStatus && sameReason(r.Reason, reason) {
			var probs waymark.Problems
			probs.Add("reason", "%s", "That team has already declined a request with this reason. Ask again only with new information about why this is the same child.")
			return probs.Err()
		}
	}
	if asked >= MaxLinkRequestsPerDay {
		return waymark.Errorf(waymark.ECONFLICT, "This case has asked to link %d records today, the most a case may ask in a day. Ask again tomorrow, or speak to the partnership lead.", MaxLinkRequestsPerDay)
	}
	return nil
}

// sameReason compares two reasons as typed, ignoring case and spacing.
func sameReason(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// LinksSeenBy is what of case c's links and requests the actor sees. The
// case's own team sees them all. A team that reads the case only because
// it is linked to it (issue 14 §1) sees its own link and request, never the
// case's links to third cases: that the child is recorded elsewhere too,
// and by whom, is the other teams' to share (§6.5).
func LinksSeenBy(c Case, a Actor) CaseLinkState {
	if !readsOnlyAsALinkedTeam(a.Membership) {
		return c.Links
	}
	var out CaseLinkState
	for _, r := range c.Links.Requests {
		if r.OtherOrgID == a.OrgID {
			out.Requests = append(out.Requests, r)
		}
	}
	for _, l := range c.Links.Links {
		if l.OtherOrgID == a.OrgID {
			out.Links = append(out.Links, l)
		}
	}
	return out
}
