package pathway_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// answeredCommands are the commands a member gives after the concern, as
// their zero values: every answer left out.
var answeredCommands = []pathway.Command{
	pathway.RecordContact{}, pathway.RecordOutcome{},
	pathway.AddNote{}, pathway.AssignWorker{}, pathway.GiveClientAccess{}, pathway.WithdrawClientAccess{},
	pathway.ConveneMeeting{}, pathway.RecordMeetingHeld{}, pathway.RecordDisruptionPower{}, pathway.AddMeetingAction{},
	pathway.CompleteMeetingAction{}, pathway.RaiseEscalation{}, pathway.EscalateFurther{}, pathway.ResolveEscalation{},
	pathway.SubmitNRMReferral{}, pathway.RecordHomeOfficeReference{}, pathway.RecordNRMFurtherInformation{},
	pathway.RecordReasonableGrounds{}, pathway.RecordConclusiveGrounds{}, pathway.RequestNRMReconsideration{},
	pathway.RecordNRMReconsiderationOutcome{}, pathway.ReportMissing{}, pathway.RecordFound{}, pathway.RecordReturnInterview{},
	pathway.CloseCase{}, pathway.ReopenCase{}, pathway.CorrectEntry{}, pathway.CorrectChildDetails{},
	pathway.RecordLinkedPerson{}, pathway.RecordStrategyDiscussion{}, pathway.PlanInterview{}, pathway.BookInterpreter{},
	pathway.RecordSupport{}, pathway.UpdateSupport{}, pathway.RecordChildFromAbroad{}, pathway.RecordRepatriationRisk{},
	pathway.RecordFamilyTracing{}, pathway.AgreeCarePlan{}, pathway.RecordUKVIConcern{}, pathway.RecordUKVIConfirmation{},
	pathway.StartPlacement{}, pathway.ChangeWhereaboutsConfidentiality{}, pathway.GrantWhereaboutsAccess{},
	pathway.RevokeWhereaboutsAccess{}, pathway.RequestAgeAssessment{}, pathway.CompleteAgeAssessment{},
	pathway.RecordSupervision{}, pathway.ContributeToNRM{}, pathway.UseNRMContribution{},
	pathway.RecordChildOrigin{}, pathway.RecordExploitationPlaces{}, pathway.RecordWhereChildIsNow{},
	pathway.RecordSituation{},
	pathway.RecordRightsTold{}, pathway.RecordVictimLiaisonOfficer{}, pathway.RecordSuspectedOffence{},
	pathway.RecordDefenceTold{}, pathway.RecordCrimeReference{}, // support_criminal.go
	pathway.RecordUKVIContact{}, pathway.SharePoliceInformation{}, pathway.RecordAgeDecision{}, pathway.CommunicateAgeDecision{},
	pathway.SeekOverseasInformation{}, pathway.RecordOverseasReply{}, pathway.RecordDocumentSeen{}, pathway.NameKeyWorker{},
	pathway.RecordChildsWishes{}, pathway.RecordNRMExplained{}, pathway.RecordNRMOutcomeTold{},
	pathway.RecordFamilySuspicion{}, pathway.RecordImmediateAction{},
	pathway.RecordHousehold{}, pathway.RecordUnrelatedChildConsidered{},
	pathway.StartSection47{}, pathway.CompleteSection47{},
	pathway.RecordPanelDecision{}, pathway.RecordPanelReconsideration{},
	pathway.RecordEntity{}, pathway.RemoveEntity{}, pathway.RecordEntityDisruption{}, // entities.go
}

// refusedAnswers decides cmd, with every answer left out, on each case for
// each actor, and returns the answers named by the first refusal that is
// about the answers (EINVALID); reached is false if none was.
func refusedAnswers(t *testing.T, cmd pathway.Command, cases []pathway.Case, actors []pathway.Actor) (fields []string, reached bool) {
	p := pathway.New(cat)
	for _, c := range cases {
		for _, a := range actors {
			_, err := p.Decide(c, a, cmd, now.Add(48*time.Hour))
			if waymark.ErrorCode(err) != waymark.EINVALID || len(waymark.ErrorFields(err)) == 0 {
				continue
			}
			for _, f := range waymark.ErrorFields(err) {
				if !slices.Contains(fields, f.Field) {
					fields = append(fields, f.Field)
				}
			}
			slices.Sort(fields)
			return fields, true
		}
	}
	return nil, false
}

// then is c after cmd, or c as it was if the pathway refuses cmd.
func then(t *testing.T, c pathway.Case, a pathway.Actor, cmd pathway.Command, at time.Time) pathway.Case {
	t.Helper()
	events, err := pathway.New(cat).Decide(c, a, cmd, at)
	if err != nil {
		t.Logf("set-up: %T refused: %v", cmd, err)
		return c
	}
	for _, e := range events {
		c = pathway.Apply(c, e)
	}
	return c
}

// casesAtEveryStep are cases at the steps the commands after the concern need.
func casesAtEveryStep(t *testing.T) []pathway.Case {
	hidden, _, _ := hiddenWorkCase(t)
	convened, _ := mtgConvened(t)
	submitted := nrmSubmittedCase(t)
	rgPositive := nrmWithRG(t, submitted, pathway.DecisionPositive, "2026-03-12")
	reconsidering := then(t, nrmWithRG(t, submitted, pathway.DecisionNegative, "2026-03-12"), policeLead, nrmReconsideration(pathway.ReasonableGrounds), nrmAfter("2026-03-13"))
	goMissing := func() pathway.Case {
		return then(t, contactedCase(t), frontDoor, pathway.ReportMissing{StartedAt: now.Add(-time.Hour), Circumstances: "Left school at lunch", PoliceInformed: true}, now)
	}
	missing := goMissing()
	// Apply shares the episodes' backing array, so the found case starts afresh.
	found := then(t, goMissing(), frontDoor, pathway.RecordFound{EndedAt: now.Add(time.Hour), WhereFound: "At a friend's house"}, now.Add(2*time.Hour))
	closed := then(t, raisedCase(t), frontDoor, pathway.CloseCase{NoNRMReason: "No indicators of exploitation after assessment.", Reason: "No further action", Monitoring: "None"}, now.Add(time.Hour))
	// An age assessment applies only when the age is in doubt (§7.4).
	ageInDoubt := supCase(t, func(c *pathway.Concern) { c.Child.AgeUncertain = true })
	ageOpen := then(t, ageInDoubt, frontDoor, pathway.RequestAgeAssessment{Reason: "Documents say 19; the child says 16."}, now.Add(2*time.Hour))
	supported := then(t, supCase(t), frontDoor, pathway.RecordSupport{Kind: pathway.SupportCAMHS, Status: pathway.SupportRequested}, now.Add(2*time.Hour))
	negative := nrmWithRG(t, nrmSubmittedCase(t), pathway.DecisionNegative, "2026-03-12")
	ukvi := then(t, supCase(t), frontDoor, pathway.RecordUKVIConcern{RaisedAt: now.Add(time.Hour), Details: "UKVI raised a concern at the port."}, now.Add(2*time.Hour))
	placed := then(t, supCase(t), frontDoor, pathway.StartPlacement{StartedAt: now.Add(time.Hour), PlacementType: pathway.PlacementTypes()[0].Value, Address: supAddress, WhereaboutsConfidential: true}, now.Add(2*time.Hour))
	contributed := then(t, contactedCase(t), teacher, contribLivingConditions, now.Add(2*time.Hour))
	// A positive Conclusive Grounds decision for a child suspected of an offence (§8.10(5)).
	defenceDue := then(t, crimCG(t), frontDoor, pathway.RecordSuspectedOffence{Offence: "Robbery", ScheduleFour: pathway.ScheduleFourNotSure}, nrmAfter("2026-04-21"))
	// support_abroad_records.go: an age decision to communicate, a request overseas awaiting its reply.
	ageDecided := then(t, ageInDoubt, frontDoor, pathway.RecordAgeDecision{Decision: "no-assessment", Reasons: "Birth certificate seen"}, now.Add(2*time.Hour))
	askedAbroad := then(t, supCase(t), frontDoor, pathway.SeekOverseasInformation{Authority: "Ministry of Social Affairs", Country: "Albania", RequestedOn: "2026-03-10", Asked: "Family records"}, now.Add(2*time.Hour))
	unrelated, _ := unrelatedChildAfterMeeting(t) // household_test.go
	s47Open := then(t, strategyCase(t), mtgSocialWorker, pathway.StartSection47{StartedAt: now.Add(time.Hour)}, now.Add(2*time.Hour))
	// A pilot site's panel decides (panel.go), and reconsiders its own negative decision.
	panel := panelCase(t, "", pilotFrom("2026-01-01"))
	panelReconsidering := then(t, then(t, panel, policeLead, panelDecision(pathway.ReasonableGrounds, pathway.DecisionNegative, "2026-03-12"), nrmAfter("2026-03-12")),
		policeLead, nrmReconsideration(pathway.ReasonableGrounds), nrmAfter("2026-03-13"))
	return []pathway.Case{contactedCase(t), strategyCase(t), supCase(t), hidden, convened, submitted, rgPositive, reconsidering, missing, found, closed, ageInDoubt, ageOpen, supported, negative, ukvi, placed, contributed,
		defenceDue, ageDecided, askedAbroad, unrelated, s47Open, panel, panelReconsidering, entityCase(t)}
}

// The answers RequiredAnswers lists are exactly those the pathway refuses
// a command without, on a case where the command can be given.
func TestRequiredAnswersAreThoseThePathwayRefusesWithout(t *testing.T) {
	// Answers refused when left out only because another answer is left out too.
	dependsOnAnother := map[string][]string{
		"SubmitNRMReferral":        {"reasonWithoutMeeting"}, // needed only without a meeting's decision to submit (§8.5)
		"CloseCase":                {"noNrmReason"},          // needed only with the NRM not accounted for (§8.2)
		"CompleteAgeAssessment":    {"assessedDateOfBirth"},  // or assessedAge
		"RecordExploitationPlaces": {"ukTowns"},              // or countries, or the places in words
	}
	cases := casesAtEveryStep(t)
	actors := []pathway.Actor{mtgSocialWorker, frontDoor, policeLead, mtgManager, mtgPartnershipLead, teacher}
	for _, cmd := range answeredCommands {
		name := reflect.TypeOf(cmd).Name()
		declared, ok := pathway.RequiredAnswers(cmd)
		if !ok {
			t.Errorf("RequiredAnswers does not know %s", name)
			continue
		}
		refused, reached := refusedAnswers(t, cmd, cases, actors)
		if !reached {
			t.Errorf("%s: no case here lets the command be given: add one to casesAtEveryStep", name)
			continue
		}
		refused = slices.DeleteFunc(refused, func(f string) bool { return slices.Contains(dependsOnAnother[name], f) })
		if want := slices.Sorted(slices.Values(declared)); !slices.Equal(refused, want) {
			t.Errorf("%s: the pathway refuses it without %v; RequiredAnswers lists %v", name, refused, want)
		}
	}
}

// Every command the pathway decides is among answeredCommands (so its
// required answers are checked), but for the concern, described on its own.
func TestEveryCommandsRequiredAnswersAreChecked(t *testing.T) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, c := range answeredCommands {
		listed = append(listed, reflect.TypeOf(c).Name())
	}
	n := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, e.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Name.Name != "decide" {
				continue
			}
			recv, ok := fn.Recv.List[0].Type.(*ast.Ident)
			if !ok {
				continue
			}
			n++
			if recv.Name != "RaiseConcern" && !slices.Contains(listed, recv.Name) {
				t.Errorf("%s is a command, but not in answeredCommands: add it, and its required answers to RequiredAnswers", recv.Name)
			}
		}
	}
	if n < 40 {
		t.Fatalf("found only %d commands: have their decide methods changed?", n)
	}
}
