package demo

import (
	"context"
	"fmt"
	"time"

	"waymark/internal/casework"
	"waymark/internal/catalog"
	"waymark/internal/pathway"
)

// Eastshire is a Devolved Decision Making pilot site (issue 13): from about
// four months before seeding its local decision panel, not the Home
// Office's Single Competent Authority, decides the referrals of children in
// scope. The panel: the partnership lead in the chair, the Children's
// Services manager for the local authority, the police First Responder and
// the GP. One case, Erin Walsh's, has been through it from the referral to
// a positive Conclusive Grounds decision; Sophie Lambert's negative
// Reasonable Grounds decision and Oliver Grant's awaited one are the panel's
// too (work.go).

// panelName is the demo panel's name, as letters give it.
const panelName = "Eastshire Child Decision Panel"

// panelSeats are the demo panel's members by email.
var panelSeats = []struct{ email, seat string }{
	{partnershipLead, pathway.PanelChair},
	{manager, pathway.PanelLocalAuthority},
	{firstResponder, pathway.PanelPolice},
	{gp, pathway.PanelHealth},
}

// panelPresent are the user ids of the whole panel, present at each decision.
var panelPresent = []string{"user-demo-partnership-lead", "user-demo-manager", "user-demo-first-responder", "user-demo-gp"}

// setUpPilot has the administrator record the pilot and seat the panel,
// well before any demo case.
func setUpPilot(now time.Time, cal catalog.Calendar) []step {
	at := workingDaysAgoAt(85, 9, 0)(now, cal)
	from := at.In(pathway.London).Format(time.DateOnly)
	return []step{{at: at, what: "making Eastshire a Devolved Decision Making pilot site with its panel",
		do: func(ctx context.Context, svc *casework.Service, vs map[string]casework.Viewer) error {
			for _, c := range []pathway.SettingChange{
				{Key: pathway.SettingDDMPilot, Value: "yes", From: from, Reason: "Eastshire joins the Devolved Decision Making pilot programme."},
				{Key: pathway.SettingDDMPanelName, Value: panelName, From: from},
			} {
				if _, err := svc.RecordSetting(ctx, vs[administrator], c); err != nil {
					return err
				}
			}
			for _, s := range panelSeats {
				if err := svc.SeatPanelMember(ctx, vs[administrator], s.email, s.seat); err != nil {
					return fmt.Errorf("seating %s: %w", s.email, err)
				}
			}
			return nil
		}}}
}

// panelDecision is a decision of the demo panel, made on the step's day.
func panelDecision(grounds, outcome, reasons string) func(pathway.Case, time.Time, time.Time, catalog.Calendar) pathway.Command {
	return func(_ pathway.Case, at, _ time.Time, _ catalog.Calendar) pathway.Command {
		return pathway.RecordPanelDecision{Grounds: grounds, Outcome: outcome, DecidedOn: at.In(pathway.London).Format(time.DateOnly), Reasons: reasons}
	}
}

// erin is the case the panel took from the referral to a positive
// Conclusive Grounds decision.
var erin = story{
	referrer: gp, age: childAge{15, 3},
	identified: workingDaysAgoAt(64, 10, 20), raised: workingDaysAgoAt(64, 12, 5),
	contacted: workingDaysAgoAt(63, 9, 10), contactMethod: "phone",
	contactNote:  "Call from Dr Priya Raman. Erin is known to the police from two missing episodes.",
	outcomeGiven: workingDaysAgoAt(63, 14, 30), decision: "multi-agency-meeting",
	nextStep: "A multi-agency meeting with Eastshire Police will be held tomorrow; the allocated social worker will contact you.",
	concern: pathway.Concern{
		Child: pathway.Child{GivenNames: "Erin", FamilyName: "Walsh", Gender: "female", Nationality: "British",
			Languages: []string{"English"}, CurrentLocation: "At home with her mother"},
		IdentifiedWhere: "Riverside Medical Practice, consulting room",
		Summary: "Erin came to the surgery with an injury to her hand she would not explain. She has been missing twice this month " +
			"and her mother says she is collected late at night by older boys in a car. She carries two phones and cash, and " +
			"said she 'owes' someone and has to keep working for them.",
		ExploitationTypes: []string{"county-lines"},
		Indicators: []pathway.ObservedIndicator{
			seen("general.missing-episodes", "Missing twice this month; her mother reported both to the police."),
			seen("general.unexplained-expensive-items", "Two phones and a roll of cash she would not explain."),
			seen("general.hypervigilant", "Checked both phones throughout the appointment and asked to leave early."),
		},
		ImmediateActions: []string{"immediate-risk-assessed", "designated-lead-notified"},
	},
}

// erinAfterOutcome is Erin's pathway after the outcome: afterOutcome
// (work.go) lists it under her name.
func erinAfterOutcome() []later {
	return []later{
		assignSocialWorker(workingDaysAgoAt(62, 9, 30)),
		convene(workingDaysAgoAt(62, 10, 0), "strat", workingDaysAgoAt(61, 10, 0), firstResponder, gp),
		recordMeeting(workingDaysAgoAt(61, 12, 0), pathway.NRMSubmit, "Police to submit the NRM referral today; Eastshire is a pilot site, so the panel decides."),
		learnt(workingDaysAgoAt(61, 12, 30), socialWorker, erinAtTheMeeting), // facts.go
		// The list entries, as placesChosen (places.go) gives the others, but
		// chosen after the meeting, before the referral: Eastshire town is
		// Ipswich in the form's lists, Harbourton Great Yarmouth.
		{workingDaysAgoAt(61, 13, 0), socialWorker, "choosing the nationality from the Home Office list", func(c pathway.Case, _, _ time.Time, _ catalog.Calendar) pathway.Command {
			return pathway.RecordChildOrigin{Nationality: "British", NationalityWords: c.Concern.Child.Nationality, CountryOfBirth: "United Kingdom"}
		}},
		{workingDaysAgoAt(61, 13, 10), socialWorker, "choosing where the exploitation happened from the Home Office lists", func(pathway.Case, time.Time, time.Time, catalog.Calendar) pathway.Command {
			return pathway.RecordExploitationPlaces{UKTowns: []string{"Great Yarmouth", "Ipswich"}, UKWords: "Harbourton, where the line sells drugs, and Eastshire town, where the car collects her"}
		}},
		{workingDaysAgoAt(61, 13, 20), socialWorker, "choosing the town and area where the child is now", func(c pathway.Case, _, _ time.Time, _ catalog.Calendar) pathway.Command {
			return pathway.RecordWhereChildIsNow{Town: "Ipswich", Region: "Suffolk", Words: c.Concern.Child.CurrentLocation}
		}},
		{workingDaysAgoAt(60, 11, 0), firstResponder, "recording the NRM submission", func(_ pathway.Case, at, _ time.Time, _ catalog.Calendar) pathway.Command {
			return pathway.SubmitNRMReferral{SubmittedAt: at.Add(-30 * time.Minute), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes}
		}},
		{workingDaysAgoAt(57, 14, 0), partnershipLead, "recording the panel's positive Reasonable Grounds decision", panelDecision(pathway.ReasonableGrounds, pathway.DecisionPositive,
			"Erin's unexplained injury, the missing episodes, the phones and cash and her own words about a debt give the panel a founded suspicion that she is being criminally exploited, though it is not yet proved.")},
		{workingDaysAgoAt(30, 14, 0), partnershipLead, "recording the panel's positive Conclusive Grounds decision", panelDecision(pathway.ConclusiveGrounds, pathway.DecisionPositive,
			"Since the Reasonable Grounds decision the police found Erin at an address linked to a county line and she has described being made to carry drugs to repay a debt. On the balance of probabilities she is a victim of modern slavery.")},
	}
}
