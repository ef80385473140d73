package pathway_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

var (
	supSocialWorker = pathway.Actor{
		Party: pathway.Party{UserID: "user-sw", Name: "Sam Social", OrgID: "org-cs", OrgName: "Northshire Children's Services"},
		Role:  pathway.RoleSocialWorker, InChildrensServices: true, InFirstResponderOrg: true,
	}
	supManager = pathway.Actor{
		Party: pathway.Party{UserID: "user-manager", Name: "Mo Manager", OrgID: "org-cs", OrgName: "Northshire Children's Services"},
		Role:  pathway.RoleManager, InChildrensServices: true, InFirstResponderOrg: true,
	}
)

const supAddress = "14 Larch Close, Northtown NT4 7QP"

func supYes() *bool { v := true; return &v }

// supSubmitted is Children's Services submitting the NRM before any meeting,
// which makes them the lead organisation (annex steps 3–4).
var supSubmitted = pathway.SubmitNRMReferral{SubmittedAt: now.Add(-time.Hour), Via: "online-form", DeclarationMade: true,
	ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes, ReasonWithoutMeeting: "The child is to be moved tonight."}

func supNo() *bool { v := false; return &v }

// supCase is a contacted case, for a child whose concern is changed by each change.
func supCase(t *testing.T, changes ...func(*pathway.Concern)) pathway.Case {
	t.Helper()
	concern := validConcern()
	for _, ch := range changes {
		ch(&concern)
	}
	c, _ := mustDecide(t, pathway.Case{}, teacher, pathway.RaiseConcern{CaseID: "case-1", Concern: concern, ChildrensServicesOrg: "org-cs"}, now)
	c, _ = mustDecide(t, c, frontDoor, pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone"}, now.Add(time.Hour))
	return c
}

func british(c *pathway.Concern) { c.Child.Nationality = "British" }

func ageUncertain(c *pathway.Concern) { c.Child.AgeUncertain = true }

// supPlaced has the social worker place the child, whereabouts confidential or not.
func supPlaced(t *testing.T, c pathway.Case, confidential bool, at time.Time) pathway.Case {
	t.Helper()
	c, _ = mustDecide(t, c, supSocialWorker, pathway.StartPlacement{StartedAt: at, PlacementType: "foster-care", Address: supAddress, WhereaboutsConfidential: confidential}, at)
	return c
}

// --- Support and justice (§6.9–6.12, §7.4–7.6, §8.3) ---

// §6.5: support is recorded by those who work the case; the referrer, who
// sees only what is theirs to know, tells the social worker instead.
func TestOnlyTheTeamRecordsSupport(t *testing.T) {
	c := supCase(t)
	cmd := pathway.RecordSupport{Kind: pathway.SupportCAMHS, Status: pathway.SupportRequested}
	_, err := pathway.New(cat).Decide(c, teacher, cmd, now)
	wantRefused(t, err, waymark.EFORBIDDEN, "", "Only the team working this case")
	_, err = pathway.New(cat).Decide(c, policeLead, cmd, now)
	wantRefused(t, err, waymark.EFORBIDDEN, "", "Only the team")

	c, _ = mustDecide(t, c, frontDoor, pathway.AssignWorker{WorkerEmail: "pat@police.example", Worker: policeLead.Party}, now)
	c, _ = mustDecide(t, c, policeLead, pathway.RecordSupport{Kind: pathway.SupportRegisteredIntermediary, Status: pathway.SupportRequested}, now)
	if got := c.Support.Items[0]; got.Kind != pathway.SupportRegisteredIntermediary || got.RecordedBy.UserID != policeLead.UserID {
		t.Fatalf("an assigned police officer's support item = %+v", got)
	}
}

// §7.5: immigration advice only from an adviser regulated to give it.
func TestImmigrationAdviceOnlyFromARegulatedAdviser(t *testing.T) {
	c := supCase(t)
	p := pathway.New(cat)
	cmd := pathway.RecordSupport{Kind: pathway.SupportImmigrationLegalAdvice, Status: pathway.SupportRequested, Provider: "Someone at the community centre"}

	_, err := p.Decide(c, supSocialWorker, cmd, now)
	wantRefused(t, err, waymark.EINVALID, "oiscRegulated", "Say whether the adviser is regulated")

	cmd.OISCRegulated = supNo()
	_, err = p.Decide(c, supSocialWorker, cmd, now)
	wantRefused(t, err, waymark.EINVALID, "oiscRegulated", "only come from a regulated adviser", "§7.5", "OISC-regulated adviser")

	cmd.OISCRegulated, cmd.Provider = supYes(), "Northtown Law (OISC level 3)"
	c2, _ := mustDecide(t, c, supSocialWorker, cmd, now)
	if !c2.Support.Items[0].OISCRegulated {
		t.Fatal("a regulated adviser is not recorded as regulated")
	}

	// The child declining advice names no adviser, so there is nothing to check.
	mustDecide(t, c, supSocialWorker, pathway.RecordSupport{Kind: pathway.SupportImmigrationLegalAdvice, Status: pathway.SupportDeclined}, now)
}

// §8.3, annex: a Beacon referral needs the recorded consent of the child or
// their guardian – unlike the NRM referral, which needs none.
func TestBeaconReferralNeedsConsentOfTheChildOrTheirGuardian(t *testing.T) {
	c, _ := mustDecide(t, supCase(t), supSocialWorker, supSubmitted, now) // Children's Services lead (annex step 4)
	p := pathway.New(cat)
	cmd := pathway.RecordSupport{Kind: pathway.SupportBeacon, Status: pathway.SupportRequested, BenefitAgreed: supYes()}
	_, err := p.Decide(c, supSocialWorker, cmd, now)
	wantRefused(t, err, waymark.EINVALID, "consentBy", "consent of the child or their guardian", "§8.3", "NRM referral itself needs no consent")
	wantRefused(t, err, waymark.EINVALID, "consentDate", "Enter the date consent was given")

	cmd.ConsentBy, cmd.ConsentDate = "neighbour", "2026-03-09"
	_, err = p.Decide(c, supSocialWorker, cmd, now)
	wantRefused(t, err, waymark.EINVALID, "consentBy", "consent of the child or their guardian")

	cmd.ConsentBy, cmd.ConsentDate = "guardian", "2026-03-11"
	_, err = p.Decide(c, supSocialWorker, cmd, now)
	wantRefused(t, err, waymark.EINVALID, "consentDate", "cannot be in the future")

	cmd.ConsentDate = "2026-03-09"
	c2, _ := mustDecide(t, c, supSocialWorker, cmd, now)
	if got := c2.Support.Items[0].Consent; got == nil || got.By != "guardian" || got.Date != "2026-03-09" {
		t.Fatalf("consent recorded as %+v", got)
	}

	// Consent refused: the referral is declined and no consent is recorded.
	c3, _ := mustDecide(t, c, supSocialWorker, pathway.RecordSupport{Kind: pathway.SupportBeacon, Status: pathway.SupportDeclined}, now)
	// ...and a declined referral cannot quietly become a live one later.
	_, err = p.Decide(c3, supSocialWorker, pathway.UpdateSupport{Item: c3.Support.Items[0].ID, Status: pathway.SupportInPlace}, now)
	wantRefused(t, err, waymark.EINVALID, "status", "without consent", "§8.3")
}

// §7.4: the child is offered an independent visitor; if they decline, their
// reasons are recorded.
func TestDecliningAnIndependentVisitorNeedsTheChildsReasons(t *testing.T) {
	c := supCase(t)
	p := pathway.New(cat)
	_, err := p.Decide(c, supSocialWorker, pathway.RecordSupport{Kind: pathway.SupportIndependentVisitor, Status: pathway.SupportRequested}, now)
	wantRefused(t, err, waymark.EINVALID, "visitorOffer", "accepted or declined")

	_, err = p.Decide(c, supSocialWorker, pathway.RecordSupport{Kind: pathway.SupportIndependentVisitor, Status: pathway.SupportDeclined, VisitorOffer: "declined"}, now)
	wantRefused(t, err, waymark.EINVALID, "declineReason", "reasons for declining", "§7.4")

	_, err = p.Decide(c, supSocialWorker, pathway.RecordSupport{Kind: pathway.SupportIndependentVisitor, Status: pathway.SupportInPlace, VisitorOffer: "declined", DeclineReason: "Wants to settle first"}, now)
	wantRefused(t, err, waymark.EINVALID, "status", "choose 'Declined'")

	c2, _ := mustDecide(t, c, supSocialWorker, pathway.RecordSupport{Kind: pathway.SupportIndependentVisitor, Status: pathway.SupportDeclined, VisitorOffer: "declined", DeclineReason: "Wants to settle first"}, now)
	if it := c2.Support.Items[0]; it.DeclineReason != "Wants to settle first" || it.VisitorOffer != "declined" {
		t.Fatalf("declined visitor recorded as %+v", it)
	}

	// Accepted, then declined later: the reasons are still needed.
	c3, _ := mustDecide(t, c, supSocialWorker, pathway.RecordSupport{Kind: pathway.SupportIndependentVisitor, Status: pathway.SupportRequested, VisitorOffer: "accepted"}, now)
	_, err = p.Decide(c3, supSocialWorker, pathway.UpdateSupport{Item: c3.Support.Items[0].ID, Status: pathway.SupportDeclined}, now)
	wantRefused(t, err, waymark.EINVALID, "declineReason", "§7.4")
	c3, _ = mustDecide(t, c3, supSocialWorker, pathway.UpdateSupport{Item: c3.Support.Items[0].ID, Status: pathway.SupportDeclined, DeclineReason: "Met the visitor and did not get on"}, now.Add(time.Hour))
	if it := c3.Support.Items[0]; it.Status != pathway.SupportDeclined || it.DeclineReason == "" || !it.UpdatedAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("updated visitor = %+v", it)
	}
}

// §6.9, §6.10: a child facing prosecution is flagged so that the statutory
// defence is raised with their lawyer.
func TestStatutoryDefenceFlagsAChildFacingProsecution(t *testing.T) {
	c := supCase(t)
	if c.Support.FacingProsecution() {
		t.Fatal("a new case is flagged as facing prosecution")
	}
	c, _ = mustDecide(t, c, supSocialWorker, pathway.RecordSupport{Kind: pathway.SupportStatutoryDefence, Status: pathway.SupportRequested, Notes: "Charged with possession with intent; solicitor told"}, now)
	if !c.Support.FacingProsecution() {
		t.Fatal("a statutory defence does not flag the child as facing prosecution")
	}
	c, _ = mustDecide(t, c, supSocialWorker, pathway.UpdateSupport{Item: c.Support.Items[0].ID, Status: pathway.SupportEnded, Notes: "Prosecution discontinued"}, now)
	if c.Support.FacingProsecution() {
		t.Fatal("an ended statutory defence still flags the child")
	}
}

func TestSupportNeedsAKnownKindAndStatus(t *testing.T) {
	_, err := pathway.New(cat).Decide(supCase(t), supSocialWorker, pathway.RecordSupport{Kind: "horoscope", Status: "maybe"}, now)
	wantRefused(t, err, waymark.EINVALID, "kind", "Select the kind of support")
	wantRefused(t, err, waymark.EINVALID, "status", "Select where the support stands")

	c, _ := mustDecide(t, supCase(t), supSocialWorker, pathway.RecordSupport{Kind: pathway.SupportMedical, Status: pathway.SupportInPlace}, now)
	_, err = pathway.New(cat).Decide(c, supSocialWorker, pathway.UpdateSupport{Item: "99", Status: pathway.SupportEnded}, now)
	wantRefused(t, err, waymark.EINVALID, "item", "Select the support")
	_, err = pathway.New(cat).Decide(c, supSocialWorker, pathway.UpdateSupport{Item: c.Support.Items[0].ID, Status: pathway.SupportInPlace}, now)
	wantRefused(t, err, waymark.EINVALID, "status", "already 'In place'")
}

// --- Children from abroad (§7) ---

// §7.2: a trafficked child's care plan says what happens if they go missing.
func TestCarePlanCannotBeAgreedWithoutAMissingFromCareContingency(t *testing.T) {
	c := supCase(t)
	cmd := pathway.AgreeCarePlan{AgreedOn: "2026-03-10", ProtectionPlan: "No contact with the 'uncle'; carers briefed on cars waiting outside (§7.3)."}
	_, err := pathway.New(cat).Decide(c, supSocialWorker, cmd, now)
	wantRefused(t, err, waymark.EINVALID, "missingContingency", "cannot be agreed without a plan for what to do if the child goes missing", "§7.2")

	cmd.MissingContingency = "   "
	_, err = pathway.New(cat).Decide(c, supSocialWorker, cmd, now)
	wantRefused(t, err, waymark.EINVALID, "missingContingency", "§7.2")

	cmd.MissingContingency = "Carers call 999 at once and give the police the photograph and phone numbers on file."
	c, _ = mustDecide(t, c, supSocialWorker, cmd, now)
	if cp := c.Support.CarePlan(); cp == nil || cp.MissingContingency != cmd.MissingContingency || cp.AgreedBy.UserID != supSocialWorker.UserID {
		t.Fatalf("care plan = %+v", cp)
	}

	_, err = pathway.New(cat).Decide(c, teacher, cmd, now)
	wantRefused(t, err, waymark.EFORBIDDEN, "", "Only Children's Services can record the care plan")
}

// §7.5: UKVI confirms its referral in writing within 48 hours of raising it.
func TestUKVIConcernStartsThe48HourConfirmationClock(t *testing.T) {
	raised := now.Add(-5 * time.Hour)
	c, _ := mustDecide(t, supCase(t), supSocialWorker, pathway.RecordUKVIConcern{RaisedAt: raised, Details: "Screening officer at the asylum intake unit phoned"}, now)
	cl := clockOf(t, c, pathway.ClockUKVIConfirmation)
	if !cl.StartedAt.Equal(raised) || !cl.DueAt.Equal(raised.Add(48*time.Hour)) || cl.Section != "§7.5" || cl.Window {
		t.Fatalf("UKVI clock = %+v, want a §7.5 deadline from %s to %s", cl, raised, raised.Add(48*time.Hour))
	}
	if cl.Status(now) != pathway.ClockRunning || cl.Status(raised.Add(49*time.Hour)) != pathway.ClockOverdue {
		t.Fatalf("UKVI clock status now %s, after 49h %s", cl.Status(now), cl.Status(raised.Add(49*time.Hour)))
	}

	// A second concern while the first awaits confirmation would start a second clock.
	_, err := pathway.New(cat).Decide(c, supSocialWorker, pathway.RecordUKVIConcern{RaisedAt: now, Details: "Again"}, now)
	wantRefused(t, err, waymark.EINVALID, "", "still awaited")

	// The clock length is configuration.
	p := pathway.New(cat)
	p.Clocks.UKVIConfirmation = 24 * time.Hour
	events, err := p.Decide(supCase(t), supSocialWorker, pathway.RecordUKVIConcern{RaisedAt: raised, Details: "x"}, now)
	if err != nil || !events[0].Clocks[0].Start.DueAt.Equal(raised.Add(24*time.Hour)) {
		t.Fatalf("configured 24h clock: %v %+v", err, events)
	}
}

func TestUKVIWrittenConfirmationStopsTheClock(t *testing.T) {
	raised := now.Add(-5 * time.Hour)
	base, _ := mustDecide(t, supCase(t), supSocialWorker, pathway.RecordUKVIConcern{RaisedAt: raised, Details: "Phoned by UKVI"}, now)
	for _, tc := range []struct {
		name     string
		received time.Time
		want     pathway.ClockStatus
	}{
		{"within 48 hours", raised.Add(20 * time.Hour), pathway.ClockMet},
		{"after 48 hours", raised.Add(50 * time.Hour), pathway.ClockLate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := mustDecide(t, base, supSocialWorker, pathway.RecordUKVIConfirmation{ReceivedAt: tc.received}, tc.received.Add(time.Hour))
			cl := clockOf(t, c, pathway.ClockUKVIConfirmation)
			if cl.Running() || !cl.StoppedAt.Equal(tc.received) || cl.Status(tc.received.Add(100*time.Hour)) != tc.want {
				t.Fatalf("clock after confirmation = %+v, want stopped at %s, %s", cl, tc.received, tc.want)
			}
			if c.Support.AwaitingUKVIConfirmation() != nil || c.Support.UKVI[0].ConfirmedAt == nil {
				t.Fatal("the concern still awaits confirmation")
			}
		})
	}
	_, err := pathway.New(cat).Decide(base, supSocialWorker, pathway.RecordUKVIConfirmation{ReceivedAt: raised.Add(-time.Hour)}, now)
	wantRefused(t, err, waymark.EINVALID, "receivedAt", "before UKVI raised the concern")
	_, err = pathway.New(cat).Decide(supCase(t), supSocialWorker, pathway.RecordUKVIConfirmation{ReceivedAt: now}, now)
	wantRefused(t, err, waymark.EINVALID, "", "Record the UKVI concern first")
}

// §7.6: families are traced with discretion and caution.
func TestFamilyTracingMustBeDiscreet(t *testing.T) {
	_, err := pathway.New(cat).Decide(supCase(t), supSocialWorker, pathway.RecordFamilyTracing{Discreet: false, Notes: "Asked around the community"}, now)
	wantRefused(t, err, waymark.EINVALID, "discreet", "discreet and cautious", "§7.6")
	mustDecide(t, supCase(t), supSocialWorker, pathway.RecordFamilyTracing{Discreet: true, Notes: "Checked Red Cross records without naming the child's placement"}, now)
}

// §7.6: the danger of return is assessed before anyone is contacted to trace the family.
func TestTracingContactNeedsARepatriationRiskAssessmentFirst(t *testing.T) {
	c := supCase(t)
	tracing := pathway.RecordFamilyTracing{Discreet: true, ContactMade: true, Notes: "Red Cross family tracing request"}
	_, err := pathway.New(cat).Decide(c, supSocialWorker, tracing, now)
	wantRefused(t, err, waymark.EINVALID, "", "Assess the risk to the child if they were returned before contacting anyone", "§7.6")

	_, err = pathway.New(cat).Decide(c, supSocialWorker, pathway.RecordRepatriationRisk{AssessedOn: "2026-03-10"}, now)
	wantRefused(t, err, waymark.EINVALID, "findings", "danger the child would face")
	c, _ = mustDecide(t, c, supSocialWorker, pathway.RecordRepatriationRisk{AssessedOn: "2026-03-10", Findings: "High risk of re-trafficking by the network that arranged travel"}, now)
	c, _ = mustDecide(t, c, supSocialWorker, tracing, now)
	if tr := c.Support.Tracing[0]; !tr.ContactMade || !tr.Discreet {
		t.Fatalf("tracing = %+v", tr)
	}
}

// annex, §1.2: when family or carers are suspected, nobody contacts them.
func TestNoTracingContactWhenTheFamilyIsSuspected(t *testing.T) {
	c := supCase(t, func(c *pathway.Concern) { c.FamilySuspected = true })
	c, _ = mustDecide(t, c, supSocialWorker, pathway.RecordRepatriationRisk{AssessedOn: "2026-03-10", Findings: "Parents arranged the journey"}, now)
	_, err := pathway.New(cat).Decide(c, supSocialWorker, pathway.RecordFamilyTracing{Discreet: true, ContactMade: true, Notes: "Call the parents"}, now)
	wantRefused(t, err, waymark.EINVALID, "", "suspected of involvement", "annex, §1.2")
	mustDecide(t, c, supSocialWorker, pathway.RecordFamilyTracing{Discreet: true, ContactMade: false, Notes: "Desk research only"}, now)
}

func TestChildFromAbroadDetailsAreChecked(t *testing.T) {
	c := supCase(t)
	p := pathway.New(cat)
	_, err := p.Decide(c, supSocialWorker, pathway.RecordChildFromAbroad{AccommodationBasis: "hotel", ImmigrationOptions: []string{"marriage"}}, now)
	wantRefused(t, err, waymark.EINVALID, "accommodationBasis", "Select on what basis")
	wantRefused(t, err, waymark.EINVALID, "immigrationOptions", "listed")
	_, err = p.Decide(c, supSocialWorker, pathway.RecordChildFromAbroad{AccommodationBasis: "other"}, now)
	wantRefused(t, err, waymark.EINVALID, "accommodationOther", "Describe")
	_, err = p.Decide(c, frontDoor, pathway.RecordChildFromAbroad{AccommodationBasis: "section-20"}, now)
	if err != nil {
		t.Fatalf("Children's Services front door refused: %v", err)
	}
	_, err = p.Decide(c, policeLead, pathway.RecordChildFromAbroad{AccommodationBasis: "section-20"}, now)
	wantRefused(t, err, waymark.EFORBIDDEN, "", "Only Children's Services")

	c, _ = mustDecide(t, c, supSocialWorker, pathway.RecordChildFromAbroad{UASC: true, AccommodationBasis: "interim-care-order", DocumentsChecked: true, PhotographOnFile: true,
		MissingEducationChecked: true, ImmigrationOptions: []string{"asylum", "modern-slavery-leave", "asylum"}, ReturnSchemeInformed: true}, now)
	ab := c.Support.Abroad
	if ab == nil || !ab.UASC || !slices.Equal(ab.ImmigrationOptions, []string{"asylum", "modern-slavery-leave"}) || ab.AccommodationLabel() != "Interim care order" {
		t.Fatalf("abroad details = %+v", ab)
	}
}

// --- Placement and the 72-hour window (§4.3, §7.4) ---

// We decided: a child is from abroad when recorded as UASC, or when their
// nationality is anything but British; an unknown nationality alone is not.
func TestWhoCountsAsAChildFromAbroad(t *testing.T) {
	for _, tc := range []struct {
		nationality string
		uasc        bool
		want        bool
	}{
		{"Albanian", false, true},
		{"Vietnamese", false, true},
		{"British", false, false},
		{" british ", false, false},
		{"UK", false, false},
		{"British/Albanian", false, true},
		{"", false, false},
		{"Not known", false, false},
		{"", true, true},
	} {
		c := supCase(t, func(c *pathway.Concern) { c.Child.Nationality = tc.nationality })
		if tc.uasc {
			c, _ = mustDecide(t, c, supSocialWorker, pathway.RecordChildFromAbroad{UASC: true, AccommodationBasis: "section-20"}, now)
		}
		if got := c.FromAbroad(); got != tc.want {
			t.Errorf("nationality %q, UASC %v: from abroad = %v, want %v", tc.nationality, tc.uasc, got, tc.want)
		}
	}
}

// §4.3, §7.4: a child from abroad is at the highest risk of going missing in
// the first 72 hours of a placement; every view shows it until then.
func TestPlacingAChildFromAbroadOpensThe72HourMissingRiskWindow(t *testing.T) {
	start := now.Add(-2 * time.Hour)
	c := supPlaced(t, supCase(t), false, start)
	cl := clockOf(t, c, pathway.ClockPlacementMissingRisk)
	if !cl.Window || !cl.StartedAt.Equal(start) || !cl.DueAt.Equal(start.Add(72*time.Hour)) {
		t.Fatalf("window = %+v, want a window from %s for 72 hours", cl, start)
	}
	f := c.Flags(now)
	if !f.HighMissingRiskUntil.Equal(start.Add(72 * time.Hour)) {
		t.Fatalf("HighMissingRiskUntil = %s, want %s", f.HighMissingRiskUntil, start.Add(72*time.Hour))
	}
	if !supHasWarning(c.WarningsAt(now), "high-missing-risk") {
		t.Fatal("no high missing-risk warning during the window")
	}
	if supHasWarning(c.WarningsAt(start.Add(73*time.Hour)), "high-missing-risk") {
		t.Fatal("the warning outlives the 72 hours")
	}
	if !c.Support.Placements[0].FromAbroad {
		t.Fatal("the placement does not say it started the window")
	}

	// A move ends the old window and starts a new one.
	moved := now.Add(24 * time.Hour)
	c = supPlaced(t, c, false, moved)
	var running, stopped int
	for _, cl := range c.Clocks {
		if cl.Kind == pathway.ClockPlacementMissingRisk {
			if cl.Running() {
				running++
			} else if cl.StoppedAt.Equal(moved) {
				stopped++
			}
		}
	}
	if running != 1 || stopped != 1 {
		t.Fatalf("after a move: %d windows running, %d stopped at the move; want 1 and 1", running, stopped)
	}
	if got := c.Flags(moved).HighMissingRiskUntil; !got.Equal(moved.Add(72 * time.Hour)) {
		t.Fatalf("after a move the window runs until %s, want %s", got, moved.Add(72*time.Hour))
	}

	// The length is configuration.
	p := pathway.New(cat)
	p.Clocks.PlacementMissingRisk = 96 * time.Hour
	events, err := p.Decide(supCase(t), supSocialWorker, pathway.StartPlacement{StartedAt: start, PlacementType: "foster-care", Address: supAddress}, now)
	if err != nil || !events[0].Clocks[0].Start.DueAt.Equal(start.Add(96*time.Hour)) {
		t.Fatalf("configured 96h window: %v %+v", err, events)
	}
}

func TestPlacingABritishChildOpensNoWindow(t *testing.T) {
	c := supPlaced(t, supCase(t, british), false, now)
	if _, err := pathway.New(cat).Decide(c, supSocialWorker, pathway.RecordChildFromAbroad{UASC: true, AccommodationBasis: "section-20"}, now); waymark.ErrorCode(err) != waymark.EINVALID {
		t.Fatalf("the steps for a child from abroad were open for a British child: %v", err)
	}
	// A child whose nationality is not known opens no window either, until recorded from abroad.
	c = supPlaced(t, supCase(t, func(c *pathway.Concern) { c.Child.Nationality = "Not known" }), false, now)
	if _, ok := c.RunningClock(pathway.ClockPlacementMissingRisk); ok {
		t.Fatal("the placement of a child not known to be from abroad opened the window")
	}
	if _, ok := c.RunningClock(pathway.ClockPlacementMissingRisk); ok || !c.Flags(now).HighMissingRiskUntil.IsZero() {
		t.Fatal("a British child's placement opened the from-abroad window")
	}
	// Recorded later as an unaccompanied asylum-seeking child: the next placement opens it.
	c, _ = mustDecide(t, c, supSocialWorker, pathway.RecordChildFromAbroad{UASC: true, AccommodationBasis: "section-20"}, now)
	c = supPlaced(t, c, false, now.Add(time.Hour))
	if _, ok := c.RunningClock(pathway.ClockPlacementMissingRisk); !ok {
		t.Fatal("a UASC's placement opened no window")
	}
}

func TestPlacementAnswersAreChecked(t *testing.T) {
	c := supCase(t)
	p := pathway.New(cat)
	_, err := p.Decide(c, supSocialWorker, pathway.StartPlacement{}, now)
	wantRefused(t, err, waymark.EINVALID, "startedAt", "Enter when the placement started")
	wantRefused(t, err, waymark.EINVALID, "placementType", "Select the kind")
	wantRefused(t, err, waymark.EINVALID, "address", "Enter the placement's address")
	_, err = p.Decide(c, supSocialWorker, pathway.StartPlacement{StartedAt: now.Add(time.Hour), PlacementType: "foster-care", Address: supAddress}, now)
	wantRefused(t, err, waymark.EINVALID, "startedAt", "cannot be in the future")
	c = supPlaced(t, c, false, now)
	_, err = p.Decide(c, supSocialWorker, pathway.StartPlacement{StartedAt: now.Add(-time.Hour), PlacementType: "foster-care", Address: supAddress}, now)
	wantRefused(t, err, waymark.EINVALID, "startedAt", "before the current one")
	_, err = p.Decide(c, teacher, pathway.StartPlacement{StartedAt: now, PlacementType: "foster-care", Address: supAddress}, now)
	wantRefused(t, err, waymark.EFORBIDDEN, "", "Only Children's Services can record a placement")
}

// --- Whereabouts confidential (§6.5, §7.6) ---

// §7.6: a confidential placement's address is hidden from every member
// without an explicit grant – the team included – and shown to those with one.
func TestConfidentialWhereaboutsAreHiddenFromEveryoneWithoutAGrant(t *testing.T) {
	c := supPlaced(t, supCase(t), true, now)
	if !c.Flags(now).WhereaboutsConfidential || !supHasWarning(c.WarningsAt(now), "whereabouts-confidential") {
		t.Fatal("a confidential placement does not flag the case")
	}
	for _, viewer := range []string{teacher.UserID, frontDoor.UserID, supManager.UserID, policeLead.UserID, ""} {
		r := c.Redacted(viewer)
		if pl := r.Support.Placements[0]; pl.Address != "" || !pl.AddressWithheld {
			t.Errorf("viewer %q sees the placement as %+v", viewer, pl)
		}
	}
	// The person who made the placement knows the address.
	if pl := c.Redacted(supSocialWorker.UserID).Support.Placements[0]; pl.Address != supAddress || pl.AddressWithheld {
		t.Fatalf("the social worker who placed the child sees %+v", pl)
	}
	// Redacting never writes through to the case it was given.
	if c.Support.Placements[0].Address != supAddress {
		t.Fatal("Redacted changed the original case")
	}

	c, _ = mustDecide(t, c, supSocialWorker, pathway.GrantWhereaboutsAccess{Email: "pat@police.example", Reason: "Investigating officer", User: policeLead.Party, IsMember: true}, now)
	if pl := c.Redacted(policeLead.UserID).Support.Placements[0]; pl.Address != supAddress {
		t.Fatalf("a member given access sees %+v", pl)
	}
	if pl := c.Redacted(frontDoor.UserID).Support.Placements[0]; pl.Address != "" {
		t.Fatal("a grant to one member showed the address to another")
	}
	c, _ = mustDecide(t, c, supManager, pathway.RevokeWhereaboutsAccess{UserID: policeLead.UserID, Reason: "Investigation closed"}, now)
	if pl := c.Redacted(policeLead.UserID).Support.Placements[0]; pl.Address != "" {
		t.Fatal("access withdrawn but the address still shows")
	}
}

// §7.6: the log itself, and every timeline line, keep the address from
// those without a grant; a later non-confidential move does not reveal it.
func TestConfidentialAddressNeverReachesTheTimeline(t *testing.T) {
	var events []pathway.Event
	c := supCase(t)
	for _, step := range []struct {
		actor pathway.Actor
		cmd   pathway.Command
	}{
		{supSocialWorker, pathway.StartPlacement{StartedAt: now, PlacementType: "foster-care", Address: supAddress, WhereaboutsConfidential: true}},
		{supSocialWorker, pathway.GrantWhereaboutsAccess{Email: "pat@police.example", Reason: "Officer in the case", User: policeLead.Party, IsMember: true}},
		{supSocialWorker, pathway.RevokeWhereaboutsAccess{UserID: policeLead.UserID}},
		{supSocialWorker, pathway.StartPlacement{StartedAt: now.Add(time.Hour), PlacementType: "childrens-home", Address: "Oak House, Southtown", WhereaboutsConfidential: false}},
	} {
		var e pathway.Event
		c, e = mustDecide(t, c, step.actor, step.cmd, now.Add(time.Hour))
		events = append(events, e)
	}
	for _, e := range events {
		if s := e.Summary(); strings.Contains(s, "Larch") || strings.Contains(s, "Oak House") {
			t.Errorf("timeline line %q shows an address", s)
		}
		r := e.Redacted(c, frontDoor.UserID)
		if d, ok := r.Data.(pathway.PlacementStarted); ok && d.Placement.WhereaboutsConfidential && d.Placement.Address != "" {
			t.Errorf("event %d keeps the confidential address for a viewer without access", e.Seq)
		}
	}
	if pl := c.Redacted(frontDoor.UserID).Support.Placements; pl[0].Address != "" || pl[1].Address != "Oak House, Southtown" {
		t.Fatalf("after a non-confidential move, the team sees %+v", pl)
	}
	if c.Flags(now).WhereaboutsConfidential {
		t.Fatal("the flag follows the current placement, which is not confidential")
	}
	// The placer's own event still shows them the address.
	if d := events[0].Redacted(c, supSocialWorker.UserID).Data.(pathway.PlacementStarted); d.Placement.Address != supAddress {
		t.Fatal("the social worker lost the address they recorded")
	}
}

// §6.5, §7.6: who sees the whereabouts is decided by the social worker or a
// manager in Children's Services, only for people already on the case.
func TestOnlyTheSocialWorkerOrManagerGivesAccessToTheWhereabouts(t *testing.T) {
	c := supPlaced(t, supCase(t), true, now)
	grant := pathway.GrantWhereaboutsAccess{Email: "pat@police.example", Reason: "Officer in the case", User: policeLead.Party, IsMember: true}
	for _, a := range []pathway.Actor{frontDoor, policeLead, teacher} {
		_, err := pathway.New(cat).Decide(c, a, grant, now)
		wantRefused(t, err, waymark.EFORBIDDEN, "", "Only the child's social worker or a manager")
	}
	mustDecide(t, c, supManager, grant, now)

	outsider := grant
	outsider.IsMember = false
	_, err := pathway.New(cat).Decide(c, supSocialWorker, outsider, now)
	wantRefused(t, err, waymark.EINVALID, "email", "not involved in this case")

	_, err = pathway.New(cat).Decide(c, supSocialWorker, pathway.GrantWhereaboutsAccess{Email: "x@example.org", Reason: "r"}, now)
	wantRefused(t, err, waymark.EINVALID, "email", "Enter the email address")

	again := grant
	again.User = supSocialWorker.Party
	_, err = pathway.New(cat).Decide(c, supSocialWorker, again, now)
	wantRefused(t, err, waymark.EINVALID, "email", "can already see")

	noReason := grant
	noReason.Reason = ""
	_, err = pathway.New(cat).Decide(c, supSocialWorker, noReason, now)
	wantRefused(t, err, waymark.EINVALID, "reason", "need to know", "§6.5")

	_, err = pathway.New(cat).Decide(supPlaced(t, supCase(t), false, now), supSocialWorker, grant, now)
	wantRefused(t, err, waymark.EINVALID, "", "not confidential")

	_, err = pathway.New(cat).Decide(c, supSocialWorker, pathway.RevokeWhereaboutsAccess{UserID: policeLead.UserID}, now)
	wantRefused(t, err, waymark.EINVALID, "userId", "Select a person")
}

func TestWhereaboutsCanBeMadeConfidentialLater(t *testing.T) {
	c := supPlaced(t, supCase(t), false, now)
	if c.Redacted(frontDoor.UserID).Support.Placements[0].Address != supAddress {
		t.Fatal("a non-confidential address is hidden")
	}
	_, err := pathway.New(cat).Decide(c, frontDoor, pathway.ChangeWhereaboutsConfidentiality{Confidential: true, Reason: "Network looking for her"}, now)
	wantRefused(t, err, waymark.EFORBIDDEN, "", "social worker or a manager")
	c, _ = mustDecide(t, c, supManager, pathway.ChangeWhereaboutsConfidentiality{Confidential: true, Reason: "Police intelligence: the network is looking for her"}, now)
	if c.Redacted(frontDoor.UserID).Support.Placements[0].Address != "" || c.Redacted(supManager.UserID).Support.Placements[0].Address != supAddress {
		t.Fatal("making the whereabouts confidential did not hide the address from all but the manager who decided it")
	}
	_, err = pathway.New(cat).Decide(c, supManager, pathway.ChangeWhereaboutsConfidentiality{Confidential: true, Reason: "again"}, now)
	wantRefused(t, err, waymark.EINVALID, "confidential", "already confidential")
}

// --- Age (§7.4) ---

// §7.4: a person whose age is uncertain is treated as a child, and an open
// age assessment never holds up the NRM referral – nor anything else.
func TestAnOpenAgeAssessmentNeverHoldsUpTheNRMReferral(t *testing.T) {
	uncertain := func(c *pathway.Concern) {
		c.Child.DateOfBirth, c.Child.EstimatedAge, c.Child.AgeUncertain = "", 17, true
	}
	before := supCase(t, uncertain)
	c, _ := mustDecide(t, before, supSocialWorker, pathway.RequestAgeAssessment{Reason: "Says 16; documents found with him give 19"}, now)
	if c.Support.OpenAgeAssessment() == nil {
		t.Fatal("the assessment is not open")
	}
	if !c.Concern.Child.TreatedAsChild(now) || !c.Flags(now).AgeUncertain {
		t.Fatal("the person is no longer treated as a child while the assessment is open")
	}
	if c.Flags(now) != before.Flags(now) {
		t.Fatalf("an open assessment changed the case's flags: %+v, was %+v", c.Flags(now), before.Flags(now))
	}
	_, err := pathway.New(cat).Decide(c, frontDoor, pathway.SubmitNRMReferral{SubmittedAt: now, Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes, ReasonWithoutMeeting: "Child likely to be moved tonight"}, now)
	if err != nil {
		t.Fatalf("the NRM submission was refused while an age assessment is open: %v", err)
	}
	// Nor does it hold up support or a placement.
	c, _ = mustDecide(t, c, supSocialWorker, pathway.RecordSupport{Kind: pathway.SupportICTG, Status: pathway.SupportRequested}, now)
	supPlaced(t, c, true, now)
}

func TestAgeAssessmentIsRequestedWithAReasonAndCompletedOnce(t *testing.T) {
	c := supCase(t, ageUncertain)
	p := pathway.New(cat)
	_, err := p.Decide(c, supSocialWorker, pathway.RequestAgeAssessment{}, now)
	wantRefused(t, err, waymark.EINVALID, "reason", "significant reason to doubt", "§7.4")
	_, err = p.Decide(c, policeLead, pathway.RequestAgeAssessment{Reason: "Looks older"}, now)
	wantRefused(t, err, waymark.EFORBIDDEN, "", "Only Children's Services")
	_, err = p.Decide(c, supSocialWorker, pathway.CompleteAgeAssessment{CompletedOn: "2026-03-10", Outcome: "child", AssessedAge: 15}, now)
	wantRefused(t, err, waymark.EINVALID, "", "No age assessment is open")

	c, _ = mustDecide(t, c, supSocialWorker, pathway.RequestAgeAssessment{Reason: "Conflicting documents"}, now)
	_, err = p.Decide(c, supSocialWorker, pathway.RequestAgeAssessment{Reason: "Again"}, now)
	wantRefused(t, err, waymark.EINVALID, "", "already open")

	for _, tc := range []struct {
		name  string
		cmd   pathway.CompleteAgeAssessment
		field string
		says  string
	}{
		{"no outcome", pathway.CompleteAgeAssessment{CompletedOn: "2026-03-10", AssessedAge: 15}, "outcome", "child or an adult"},
		{"no age", pathway.CompleteAgeAssessment{CompletedOn: "2026-03-10", Outcome: "child"}, "assessedDateOfBirth", "or the assessed age"},
		{"both", pathway.CompleteAgeAssessment{CompletedOn: "2026-03-10", Outcome: "child", AssessedAge: 15, AssessedDateOfBirth: "2011-01-01"}, "assessedAge", "not both"},
		{"child aged 19", pathway.CompleteAgeAssessment{CompletedOn: "2026-03-10", Outcome: "child", AssessedAge: 19}, "outcome", "not a child"},
		{"adult born 2011", pathway.CompleteAgeAssessment{CompletedOn: "2026-03-10", Outcome: "adult", AssessedDateOfBirth: "2011-01-01"}, "outcome", "which is a child"},
		{"future", pathway.CompleteAgeAssessment{CompletedOn: "2026-04-10", Outcome: "child", AssessedAge: 15}, "completedOn", "future"},
		{"before the request", pathway.CompleteAgeAssessment{CompletedOn: "2026-03-01", Outcome: "child", AssessedAge: 15}, "completedOn", "before it was requested"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.Decide(c, supSocialWorker, tc.cmd, now)
			wantRefused(t, err, waymark.EINVALID, tc.field, tc.says)
		})
	}
	c, _ = mustDecide(t, c, supSocialWorker, pathway.CompleteAgeAssessment{CompletedOn: "2026-03-10", MertonCompliant: true, Outcome: "child", AssessedDateOfBirth: "2010-06-01"}, now)
	as := c.Support.AgeAssessments[0]
	if !as.Completed || !as.MertonCompliant || as.OutcomeLabel() != "A child (under 18)" || c.Support.OpenAgeAssessment() != nil {
		t.Fatalf("completed assessment = %+v", as)
	}
}

// --- Apply and replay ---

func supHistory(t *testing.T) []pathway.Event {
	t.Helper()
	concern := validConcern()
	concern.Child.AgeUncertain = true
	c, e := mustDecide(t, pathway.Case{}, teacher, pathway.RaiseConcern{CaseID: "case-1", Concern: concern, ChildrensServicesOrg: "org-cs"}, now)
	events := []pathway.Event{e}
	at := now
	for _, step := range []struct {
		actor pathway.Actor
		cmd   pathway.Command
	}{
		{frontDoor, pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone"}},
		{supSocialWorker, supSubmitted},
		{supSocialWorker, pathway.RecordSupport{Kind: pathway.SupportBeacon, Status: pathway.SupportRequested, ConsentBy: "child", ConsentDate: "2026-03-10", BenefitAgreed: supYes(), Provider: "Beacon", Notes: "Referred online"}},
		{supSocialWorker, pathway.RecordSupport{Kind: pathway.SupportImmigrationLegalAdvice, Status: pathway.SupportRequested, OISCRegulated: supYes()}},
		{supSocialWorker, pathway.UpdateSupport{Item: "4", Status: pathway.SupportInPlace, Notes: "Case manager allocated"}},
		{supSocialWorker, pathway.RecordChildFromAbroad{UASC: true, AccommodationBasis: "other", AccommodationOther: "Police protection, then section 20", DocumentsChecked: true, ImmigrationOptions: []string{"asylum"}}},
		{supSocialWorker, pathway.RecordRepatriationRisk{AssessedOn: "2026-03-10", Findings: "High"}},
		{supSocialWorker, pathway.RecordFamilyTracing{Discreet: true, ContactMade: true, Notes: "Red Cross"}},
		{supSocialWorker, pathway.AgreeCarePlan{AgreedOn: "2026-03-10", ProtectionPlan: "p", MissingContingency: "m"}},
		{supSocialWorker, pathway.RecordUKVIConcern{RaisedAt: now, Details: "UKVI phoned"}},
		{supSocialWorker, pathway.RecordUKVIConfirmation{ReceivedAt: now.Add(time.Hour)}},
		{supSocialWorker, pathway.StartPlacement{StartedAt: now.Add(time.Hour), PlacementType: "foster-care", Address: supAddress, WhereaboutsConfidential: true}},
		{supManager, pathway.GrantWhereaboutsAccess{Email: "p@x", Reason: "Officer", User: policeLead.Party, IsMember: true}},
		{supManager, pathway.ChangeWhereaboutsConfidentiality{Confidential: false, Reason: "Risk has passed"}},
		{supManager, pathway.RevokeWhereaboutsAccess{UserID: policeLead.UserID}},
		{supSocialWorker, pathway.RequestAgeAssessment{Reason: "Documents disagree"}},
		{supSocialWorker, pathway.CompleteAgeAssessment{CompletedOn: "2026-03-10", MertonCompliant: true, Outcome: "child", AssessedAge: 16, Notes: "n"}},
	} {
		at = at.Add(10 * time.Minute)
		c, e = mustDecide(t, c, step.actor, step.cmd, at.Add(2*time.Hour))
		events = append(events, e)
	}
	return events
}

// §7.5: what is stored is what was decided; replay rebuilds the same state.
func TestSupportEventsRoundTripAndReplay(t *testing.T) {
	events := supHistory(t)
	for _, e := range events {
		payload, err := pathway.EncodePayload(e)
		if err != nil {
			t.Fatal(err)
		}
		back := pathway.Event{CaseID: e.CaseID, Seq: e.Seq, Type: e.Type, At: e.At, Actor: e.Actor}
		if err := pathway.DecodePayload(&back, payload); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, e) {
			t.Errorf("%s changed in the round trip:\n got %+v\nwant %+v", e.Type, back, e)
		}
	}
	var stepwise pathway.Case
	states := []pathway.Case{}
	for _, e := range events {
		stepwise = pathway.Apply(stepwise, e)
		states = append(states, stepwise)
	}
	if replayed := pathway.Replay(events); !reflect.DeepEqual(replayed, stepwise) {
		t.Fatal("replay differs from applying one event at a time")
	}
	// Apply never writes through an earlier state: the Beacon item was
	// "requested" before its update, and access was held before it was revoked.
	if got := states[4].Support.Items[0].Status; got != pathway.SupportRequested {
		t.Errorf("the state before the update now says %q", got)
	}
	if !states[13].Support.HasWhereaboutsAccess(policeLead.UserID) || !states[13].Support.Placements[0].WhereaboutsConfidential {
		t.Error("a later event changed an earlier state's grants or placement")
	}
	if states[10].Support.UKVI[0].ConfirmedAt != nil || states[16].Support.AgeAssessments[0].Completed {
		t.Error("a later event changed an earlier state's UKVI referral or age assessment")
	}
	final := states[len(states)-1]
	if len(final.Support.WhereaboutsAccess) != 1 || final.Support.WhereaboutsAccess[0].User.UserID != supSocialWorker.UserID {
		t.Errorf("final grants = %+v", final.Support.WhereaboutsAccess)
	}
}

func TestClosedCaseTakesNoNewSupport(t *testing.T) {
	c, _ := mustDecide(t, supCase(t), supSocialWorker, pathway.CloseCase{NoNRMReason: "No indicators of exploitation after assessment.", Reason: "Settled", Monitoring: "School DSL monitors"}, now)
	_, err := pathway.New(cat).Decide(c, supSocialWorker, pathway.RecordSupport{Kind: pathway.SupportEducation, Status: pathway.SupportRequested}, now)
	wantRefused(t, err, waymark.EINVALID, "", "closed")
}

func supHasWarning(ws []pathway.Warning, kind string) bool {
	return slices.ContainsFunc(ws, func(w pathway.Warning) bool { return w.Kind == kind })
}
