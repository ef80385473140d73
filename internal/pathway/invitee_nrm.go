package pathway

import "slices"

// What a meeting invitee outside the team may know of the NRM referral: the
// one place pages, the API and the timeline ask (issue 13).
//
// The multi-agency meeting decides whether the NRM is submitted (§8.5), and
// any organisation on the case may ask for a negative decision to be
// reconsidered (§8.9): those invited to the meeting need the standing
// decisions to do so. They see that the referral was submitted, and by whom,
// and the Home Office's decisions and reconsiderations; not the referral's
// contents, its declaration, nor the grounds others gave for a
// reconsideration. They are told of the submission as soon as it is made:
// it carries out the decision of the meeting they were invited to, it is why
// an escalation about whether to submit is closed to them, and hiding it
// would not hide it (what they are offered changes with it). The referrer
// who was not invited sees none of it (§6.5).

// SeesNRMDecisions says whether a member with membership m sees the NRM
// referral's decisions (§8.5, §8.9): the team, and meeting invitees.
func SeesNRMDecisions(m Membership) bool {
	return m.Team() || m.Is(MemberInvitee)
}

// invitedToAMeeting says whether userID was invited to any meeting about the
// case: the standing that makes them an invitee (MeetingState.members).
func (s MeetingState) invitedToAMeeting(userID string) bool {
	for _, m := range s.Meetings {
		if userID != "" && slices.Contains(meetingPartyIDs(m.Invitees), userID) {
			return true
		}
	}
	return false
}

// forInvitee is the NRM state an invitee, userID, sees once the referral is
// submitted: the submission's date, route and lead, and the decisions, each numbered 0 (their timeline
// numbers entries their own way), with only their own reconsideration
// grounds. Contributions are added by ForOutsider as for every outsider.
func (s NRMState) forInvitee(userID string) NRMState {
	var out NRMState
	if s.Submission != nil {
		out.Submission = &NRMSubmission{SubmittedAt: s.Submission.SubmittedAt, Via: s.Submission.Via, MeetingAgreed: s.Submission.MeetingAgreed,
			LeadOrgID: s.Submission.LeadOrgID, LeadOrgName: s.Submission.LeadOrgName}
	}
	strip := func(d *GroundsDecision) *GroundsDecision {
		if d == nil {
			return nil
		}
		c := *d
		c.Seq, c.Reconsideration = 0, 0
		return &c
	}
	out.ReasonableGrounds, out.ConclusiveGrounds = strip(s.ReasonableGrounds), strip(s.ConclusiveGrounds)
	for _, d := range s.Decisions {
		out.Decisions = append(out.Decisions, *strip(&d))
	}
	for _, r := range s.Reconsiderations {
		r.Seq = 0
		if r.By.UserID != userID {
			r.EventsSinceReferral, r.GuidanceMisapplied, r.ChildsViews, r.IndicatorsAdded = "", "", "", nil
		}
		out.Reconsiderations = append(out.Reconsiderations, r)
	}
	out.EarliestConclusiveGrounds = s.EarliestConclusiveGrounds
	return out
}

// nrmDecisionEvent says whether an event is a Home Office decision, which an
// invitee's timeline shows (SeesNRMDecisions). A reconsideration's outcome
// names its request by the team's numbering, so the invitee reads it on the
// case (Reconsiderations) rather than the timeline; the request they made
// themselves is on their timeline as everything they record is.
func nrmDecisionEvent(e Event) bool {
	return e.Type == EventNRMDecisionRecorded
}
