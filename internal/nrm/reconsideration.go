package nrm

import (
	"slices"
	"time"

	"waymark/internal/pathway"
)

// The request to reconsider a negative decision (§8.9): events since the
// referral, guidance misapplied, indicators to add and the child's views.
// When a request has been recorded on the case already, its answers are
// proposed as they were recorded.

// negativeDecision is the decision to reconsider: the standing negative one,
// else the latest negative decision ever recorded.
func negativeDecision(c pathway.Case) *pathway.GroundsDecision {
	if d := c.NRM.NegativeDecision(); d != nil {
		return d
	}
	for i := len(c.NRM.Decisions) - 1; i >= 0; i-- {
		if !c.NRM.Decisions[i].Positive() {
			d := c.NRM.Decisions[i]
			return &d
		}
	}
	return nil
}

// recordedRequest is the latest reconsideration request recorded on the case.
func recordedRequest(c pathway.Case) *pathway.Reconsideration {
	rs := c.NRM.Reconsiderations
	if len(rs) == 0 {
		return nil
	}
	r := rs[len(rs)-1]
	return &r
}

const fromRequest = "The reconsideration request recorded on the case on "

var reconsiderationProposals = map[string]proposal{
	"decision-grounds": func(f *facts) (string, string) {
		if d := negativeDecision(f.c); d != nil {
			return d.Grounds, "The negative " + pathway.GroundsLabel(d.Grounds) + " decision recorded on the case."
		}
		return "", "No negative decision is recorded: a reconsideration can only follow one (§8.9)."
	},
	"decision-date": func(f *facts) (string, string) {
		if d := negativeDecision(f.c); d != nil {
			return d.DecidedOn, "The date on the decision letter, as recorded."
		}
		return "", "No negative decision is recorded: a reconsideration can only follow one (§8.9)."
	},
	"home-office-reference": func(f *facts) (string, string) {
		if r := f.c.NRM.HomeOfficeReference; r != "" {
			return r, "The reference the Home Office sent when it received the referral (§8.7)."
		}
		return "", "The Home Office reference is not recorded on the case: find it on the decision letter."
	},
	"case-reference": func(f *facts) (string, string) {
		return caseReference(f.c), "The Children's Services reference for the case."
	},
	"events-since-referral": func(f *facts) (string, string) {
		if r := recordedRequest(f.c); r != nil && r.EventsSinceReferral != "" {
			return r.EventsSinceReferral, fromRequest + day(r.RequestedAt) + "."
		}
		v := eventsSince(f)
		if v == "" {
			return "", "Nothing is recorded on the case since the referral. Say what has happened."
		}
		return v, "What the case records since the referral was submitted: missing episodes, what the child said, meetings, support, placements, notes and information sent (§8.9)."
	},
	"guidance-misapplied": func(f *facts) (string, string) {
		if r := recordedRequest(f.c); r != nil && r.GuidanceMisapplied != "" {
			return r.GuidanceMisapplied, fromRequest + day(r.RequestedAt) + "."
		}
		src := "Quote the decision minutes where they misread the guidance."
		if len(f.in("disclosure.claims-agency", "general.appears-willing")) > 0 {
			src += " The case records that the child presents their exploitation as their own choice: a child cannot consent to it (§2.6, §5.4)."
		}
		if len(f.in("disclosure.story-with-obvious-errors", "disclosure.coached-narrative", "general.inconsistent-account")) > 0 {
			src += " The case records a coached or inconsistent account, which is itself a sign of trafficking (§5.4)."
		}
		return "", src
	},
	"indicators-added": func(f *facts) (string, string) {
		r := recordedRequest(f.c)
		if r == nil || len(r.IndicatorsAdded) == 0 {
			return "", "Optional. Cite each indicator the decision did not take into account, as the referral form's table names it, with its evidence."
		}
		var lines []string
		for _, in := range r.IndicatorsAdded {
			lines = append(lines, in.Label+" ("+in.Section+"): "+evidenceNeeded)
		}
		return bullets(lines), fromRequest + day(r.RequestedAt) + ", catalogue version " + r.CatalogVersion + ". Write the evidence for each."
	},
	"childs-views": func(f *facts) (string, string) {
		if r := recordedRequest(f.c); r != nil && r.ChildsViews != "" {
			return r.ChildsViews, fromRequest + day(r.RequestedAt) + "."
		}
		return "", "Ask the child, with their advocate or guardian, what they want the Home Office to know, and write it in their words."
	},
	"requester-organisation": func(f *facts) (string, string) {
		if r := recordedRequest(f.c); r != nil {
			return r.By.OrgName, fromRequest + day(r.RequestedAt) + "."
		}
		return "", "Any organisation on the case may ask (§8.9)."
	},
	"requester-name": func(f *facts) (string, string) {
		if r := recordedRequest(f.c); r != nil {
			return r.By.Name, fromRequest + day(r.RequestedAt) + "."
		}
		return "", "The person asking for the reconsideration."
	},
	"requester-role": func(f *facts) (string, string) {
		return "", "Waymark does not hold job titles."
	},
	"requester-contact": func(f *facts) (string, string) {
		return "", "Where the Home Office should reply: a work phone number or a team inbox."
	},
}

// eventsSince lists what happened after the referral was submitted, oldest first.
func eventsSince(f *facts) string {
	c := f.c
	since := time.Time{}
	if s := c.NRM.Submission; s != nil {
		since = s.SubmittedAt
	}
	type dated struct {
		at   time.Time
		line string
	}
	var ds []dated
	add := func(at time.Time, line string) {
		if !at.Before(since) {
			ds = append(ds, dated{at, line})
		}
	}
	for _, m := range c.Safety.Missing {
		s := "The child went missing"
		if m.EndedAt != nil {
			s += " until " + when(*m.EndedAt) + "."
			if m.WhereFound != "" {
				s += " Where found: " + sentence(m.WhereFound)
			}
		} else {
			s += " and is still missing."
		}
		add(m.StartedAt, s)
		if iv := m.Interview; iv != nil && iv.Disclosed != "" {
			add(iv.HeldAt, "At the return interview the child said: "+sentence(iv.Disclosed))
		}
	}
	for _, m := range c.Meetings.Meetings {
		if r := m.Held; r != nil {
			add(r.RecordedAt, m.KindLabelShort()+" multi-agency meeting held. "+sentence(r.Notes))
		}
	}
	for _, s := range c.Support.Items {
		add(s.RecordedAt, optionText(pathway.SupportKinds(), s.Kind)+": "+lowerFirst(optionText(pathway.SupportStatuses(), s.Status))+".")
	}
	for _, p := range c.Support.Placements {
		add(p.StartedAt, "Placed in "+lowerFirst(optionText(pathway.PlacementTypes(), p.Type))+".")
	}
	for _, a := range c.Support.AgeAssessments {
		if a.Completed {
			add(a.RequestedAt, "Age assessment completed on "+dayOf(a.CompletedOn)+": "+lowerFirst(optionText(pathway.AgeOutcomes(), a.Outcome))+".")
		}
	}
	for _, n := range c.Notes {
		add(n.At, n.By.Name+" noted: "+sentence(n.Text))
	}
	for _, fi := range c.NRM.FurtherInformation {
		if t, err := time.ParseInLocation("2006-01-02", fi.SentOn, pathway.London); err == nil {
			add(t, "Further information sent to the Home Office: "+sentence(fi.Summary))
		}
	}
	// Oldest first; equal times keep the order above.
	slices.SortStableFunc(ds, func(a, b dated) int { return a.at.Compare(b.at) })
	var lines []string
	for _, d := range ds {
		lines = append(lines, day(d.at)+": "+d.line)
	}
	return bullets(lines)
}
