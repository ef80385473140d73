package pathway_test

import (
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// Devolved Decision Making (issue 13): in a pilot site the local panel
// decides for children in scope; the national clocks still apply (§8.7,
// national guidance), and a negative decision is reconsidered (§8.9) by
// whoever made it.

const panelName = "Northshire Child Decision Panel"

// pilotFrom: the partnership is a pilot site from day.
func pilotFrom(day string) pathway.DatedSettings {
	return pathway.DatedSettings{
		{Seq: 1, Key: pathway.SettingDDMPilot, Value: "yes", From: day},
		{Seq: 2, Key: pathway.SettingDDMPanelName, Value: panelName, From: day},
	}
}

var quorum = []pathway.PanelSeat{
	{Party: pathway.Party{UserID: "u-chair", Name: "Chris Chair", OrgID: "org-cs"}, Role: pathway.PanelChair},
	{Party: pathway.Party{UserID: "u-la", Name: "Lee Council", OrgID: "org-cs"}, Role: pathway.PanelLocalAuthority},
	{Party: pathway.Party{UserID: "u-police", Name: "Pat Police", OrgID: "org-police"}, Role: pathway.PanelPolice},
	{Party: pathway.Party{UserID: "u-health", Name: "Hana Health", OrgID: "org-gp"}, Role: pathway.PanelHealth},
}

// panelCase is a child's referral submitted in a pilot site, with dob.
func panelCase(t *testing.T, dob string, settings pathway.DatedSettings) pathway.Case {
	t.Helper()
	c := raisedCase(t)
	if dob != "" {
		c.Concern.Child.DateOfBirth = dob
	}
	sub := nrmSubmission(now.Add(2 * time.Hour))
	sub.Settings = settings
	c, _ = mustDecide(t, c, policeLead, sub, now.Add(2*time.Hour))
	return c
}

func panelDecision(grounds, outcome, day string) pathway.RecordPanelDecision {
	return pathway.RecordPanelDecision{Grounds: grounds, Outcome: outcome, DecidedOn: day, Present: quorum,
		Reasons: "The account and the indicators observed give a founded suspicion of criminal exploitation."}
}

func TestPilotSiteReferralGoesToThePanel(t *testing.T) {
	c := panelCase(t, "", pilotFrom("2026-01-01"))
	r := c.NRM.DecisionRouting()
	if !r.ByPanel() || r.Label() != panelName || !strings.Contains(r.Reason, "pilot site since 1 January 2026") {
		t.Fatalf("routing: %+v", r)
	}
	cl, ok := c.RunningClock(pathway.ClockNRMReasonableGrounds)
	if !ok || !strings.Contains(cl.Label, "local panel target: 5 working days") {
		t.Fatalf("the 5 working day target: %+v", cl)
	}
}

func TestChildNear18GoesToTheSingleCompetentAuthority(t *testing.T) {
	// 18 on 1 May 2026: 52 days after the referral of 10 March.
	c := panelCase(t, "2008-05-01", pilotFrom("2026-01-01"))
	r := c.NRM.DecisionRouting()
	if r.Maker != pathway.MakerSCA || !strings.Contains(r.Reason, "turns 18 on 1 May 2026") {
		t.Fatalf("routing: %+v", r)
	}
	// 101 days from 18 is in scope.
	if r := panelCase(t, "2008-06-19", pilotFrom("2026-01-01")).NRM.DecisionRouting(); !r.ByPanel() {
		t.Fatalf("a child 101 days from 18: %+v", r)
	}
}

func TestAgeUncertainGoesToTheSingleCompetentAuthority(t *testing.T) {
	c := raisedCase(t)
	c.Concern.Child.AgeUncertain = true
	r := pathway.RouteDecisions(c, pilotFrom("2026-01-01"), now)
	if r.Maker != pathway.MakerSCA || !strings.Contains(r.Reason, "uncertain") {
		t.Fatalf("routing: %+v", r)
	}
}

// Whether the partnership is a pilot site is read on the day of the
// submission: a site that joins later, or left earlier, routes to the
// Single Competent Authority.
func TestPilotSiteIsReadOnTheSubmissionDay(t *testing.T) {
	if r := panelCase(t, "", pilotFrom("2026-04-01")).NRM.DecisionRouting(); r.Maker != pathway.MakerSCA || !strings.Contains(r.Reason, "not a Devolved Decision Making pilot site on 10 March 2026") {
		t.Fatalf("before the site joined: %+v", r)
	}
	ended := append(pilotFrom("2025-01-01"), pathway.SettingChange{Seq: 3, Key: pathway.SettingDDMPilot, Value: "no", From: "2026-03-01"})
	if r := panelCase(t, "", ended).NRM.DecisionRouting(); r.ByPanel() {
		t.Fatalf("after the pilot ended: %+v", r)
	}
}

func TestPanelNeedsQuorum(t *testing.T) {
	c := panelCase(t, "", pilotFrom("2026-01-01"))
	p := pathway.New(cat)
	cmd := panelDecision(pathway.ReasonableGrounds, pathway.DecisionPositive, "2026-03-12")
	cmd.Present = quorum[:3] // no health member
	_, err := p.Decide(c, policeLead, cmd, nrmAfter("2026-03-12"))
	if waymark.ErrorCode(err) != waymark.EINVALID || !strings.Contains(waymark.ErrorMessage(err)+strings.Join(fieldMessages(err), " "), "Missing: health") {
		t.Fatalf("without a health member: %v %v", err, fieldMessages(err))
	}
	cmd.Present = append(quorum[:3:3], pathway.PanelSeat{Party: quorum[0].Party, Role: pathway.PanelHealth}) // the chair in two seats
	if _, err := p.Decide(c, policeLead, cmd, nrmAfter("2026-03-12")); waymark.ErrorCode(err) != waymark.EINVALID {
		t.Fatalf("one person in two seats: %v", err)
	}
	if err := pathway.PanelQuorum(quorum); err != nil {
		t.Fatal(err)
	}
}

func fieldMessages(err error) []string {
	var out []string
	for _, f := range waymark.ErrorFields(err) {
		out = append(out, f.Message)
	}
	return out
}

func TestPanelDecisionGivesReasonsAgainstTheThreshold(t *testing.T) {
	c := panelCase(t, "", pilotFrom("2026-01-01"))
	cmd := panelDecision(pathway.ReasonableGrounds, pathway.DecisionPositive, "2026-03-12")
	cmd.Reasons = "Yes."
	_, err := pathway.New(cat).Decide(c, policeLead, cmd, nrmAfter("2026-03-12"))
	if msgs := strings.Join(fieldMessages(err), " "); !strings.Contains(msgs, "suspect, though not yet to prove") {
		t.Fatalf("no reasons: %v", msgs)
	}
}

// A pilot-site case from the submission to the panel's positive Conclusive
// Grounds decision, on the national clocks: the Reasonable Grounds target
// stops on the day of the decision, and the Conclusive Grounds decision
// waits at least 30 days after it.
func TestPanelDecidesReasonableThenConclusiveGroundsOnTheNationalClocks(t *testing.T) {
	c := panelCase(t, "", pilotFrom("2026-01-01"))
	c, e := mustDecide(t, c, policeLead, panelDecision(pathway.ReasonableGrounds, pathway.DecisionPositive, "2026-03-12"), nrmAfter("2026-03-12"))
	rg := c.NRM.ReasonableGrounds
	if rg.Maker != pathway.MakerPanel || rg.MakerLabel() != panelName || len(rg.Present) != 4 || rg.Reasons == "" ||
		!strings.Contains(rg.PilotGuidanceVersion, "version 6.0") || rg.GuidanceVersion == "" || rg.FormVersion == "" {
		t.Fatalf("the panel's decision: %+v", rg)
	}
	if _, running := c.RunningClock(pathway.ClockNRMReasonableGrounds); running {
		t.Fatal("the Reasonable Grounds target still runs")
	}
	if c.NRM.EarliestConclusiveGrounds != "2026-04-11" {
		t.Fatalf("earliest Conclusive Grounds: %s", c.NRM.EarliestConclusiveGrounds)
	}
	if !strings.Contains(e.Summary(), "by "+panelName) {
		t.Fatalf("timeline: %q", e.Summary())
	}
	p := pathway.New(cat)
	_, err := p.Decide(c, policeLead, panelDecision(pathway.ConclusiveGrounds, pathway.DecisionPositive, "2026-04-01"), nrmAfter("2026-04-01"))
	if msgs := strings.Join(fieldMessages(err), " "); !strings.Contains(msgs, "no earlier than 11 April 2026") {
		t.Fatalf("before the 30 days: %v %v", err, msgs)
	}
	c, _ = mustDecide(t, c, policeLead, panelDecision(pathway.ConclusiveGrounds, pathway.DecisionPositive, "2026-04-14"), nrmAfter("2026-04-14"))
	if cg := c.NRM.ConclusiveGrounds; cg == nil || !cg.Positive() || cg.Maker != pathway.MakerPanel {
		t.Fatalf("Conclusive Grounds: %+v", cg)
	}
}

func TestHomeOfficeDecisionIsRefusedOnAPanelCase(t *testing.T) {
	c := panelCase(t, "", pilotFrom("2026-01-01"))
	_, err := pathway.New(cat).Decide(c, policeLead, pathway.RecordReasonableGrounds{Outcome: "positive", DecidedOn: "2026-03-12"}, nrmAfter("2026-03-12"))
	if waymark.ErrorCode(err) != waymark.EINVALID || !strings.Contains(waymark.ErrorMessage(err), panelName) {
		t.Fatalf("a Home Office decision on a panel case: %v", err)
	}
	// And a panel decision on a Single Competent Authority case.
	sca := panelCase(t, "2008-05-01", pilotFrom("2026-01-01"))
	_, err = pathway.New(cat).Decide(sca, policeLead, panelDecision(pathway.ReasonableGrounds, pathway.DecisionPositive, "2026-03-12"), nrmAfter("2026-03-12"))
	if waymark.ErrorCode(err) != waymark.EFORBIDDEN {
		t.Fatalf("a panel decision on a Single Competent Authority case: %v", err)
	}
}

// §8.9: in a pilot site the panel reconsiders its own negative decision.
func TestPanelReconsidersItsOwnNegativeDecision(t *testing.T) {
	c := panelCase(t, "", pilotFrom("2026-01-01"))
	c, _ = mustDecide(t, c, policeLead, panelDecision(pathway.ReasonableGrounds, pathway.DecisionNegative, "2026-03-12"), nrmAfter("2026-03-12"))
	c, _ = mustDecide(t, c, policeLead, nrmReconsideration(pathway.ReasonableGrounds), nrmAfter("2026-03-13"))
	if _, err := pathway.New(cat).Decide(c, policeLead, pathway.RecordNRMReconsiderationOutcome{Outcome: pathway.ReconsiderationOverturned, DecidedOn: "2026-03-20"}, nrmAfter("2026-03-20")); waymark.ErrorCode(err) != waymark.EINVALID {
		t.Fatalf("the Home Office's answer on a panel case: %v", err)
	}
	cmd := pathway.RecordPanelReconsideration{Outcome: pathway.ReconsiderationOverturned, DecidedOn: "2026-03-20", Present: quorum,
		Reasons: "The school's new account of the nights away meets the threshold of a founded suspicion."}
	c, _ = mustDecide(t, c, policeLead, cmd, nrmAfter("2026-03-20"))
	rg := c.NRM.ReasonableGrounds
	if !rg.Positive() || rg.Maker != pathway.MakerPanel || rg.Reconsideration == 0 || c.NRM.EarliestConclusiveGrounds != "2026-04-19" {
		t.Fatalf("after the panel overturned it: %+v, earliest %s", rg, c.NRM.EarliestConclusiveGrounds)
	}
}

// Every decision names who made it: those recorded before Waymark kept it
// read as the Single Competent Authority's, and the Home Office's letter
// may come from the Immigration Enforcement Competent Authority.
func TestEveryDecisionNamesItsMaker(t *testing.T) {
	old := nrmWithRG(t, nrmSubmittedCase(t), pathway.DecisionPositive, "2026-03-12")
	old.NRM.ReasonableGrounds.DecisionMaking = pathway.DecisionMaking{}
	if got := old.NRM.ReasonableGrounds.MakerLabel(); got != "Single Competent Authority" {
		t.Fatalf("a decision with no maker: %q", got)
	}
	if r := (pathway.NRMState{Submission: &pathway.NRMSubmission{}}).DecisionRouting(); r.Maker != pathway.MakerSCA {
		t.Fatalf("a submission with no routing: %+v", r)
	}
	c, _ := mustDecide(t, nrmSubmittedCase(t), policeLead, pathway.RecordReasonableGrounds{Outcome: "positive", DecidedOn: "2026-03-12", Maker: pathway.MakerIECA}, nrmAfter("2026-03-12"))
	rg := c.NRM.ReasonableGrounds
	if rg.MakerLabel() != "Immigration Enforcement Competent Authority" || rg.GuidanceVersion == "" || rg.FormVersion == "" || rg.PilotGuidanceVersion != "" {
		t.Fatalf("an IECA decision: %+v", rg)
	}
	if _, err := pathway.New(cat).Decide(nrmSubmittedCase(t), policeLead, pathway.RecordReasonableGrounds{Outcome: "positive", DecidedOn: "2026-03-12", Maker: pathway.MakerPanel}, nrmAfter("2026-03-12")); waymark.ErrorCode(err) != waymark.EINVALID {
		t.Fatalf("a Home Office decision recorded as the panel's: %v", err)
	}
}
