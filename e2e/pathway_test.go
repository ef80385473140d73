package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The other demo users the pathway test signs in as (internal/demo/demo.go).
const (
	socialWorkerEmail    = "social.worker@eastshire.example"
	socialWorkerName     = "Grace Adeyemi"
	managerEmail         = "manager@eastshire.example"
	firstResponderEmail  = "first.responder@eastshire-police.example"
	firstResponderName   = "Chris Lawson"
	partnershipLeadEmail = "partnership.lead@eastshire.example"
	partnershipLeadName  = "Ruth Castellano"
	adminEmail           = "admin@eastshire.example"
	adminName            = "Alex Morgan"
)

// The child from abroad, the people around him and his placement. None of
// these names is in a demo story.
const (
	abroadGiven     = "Karwan"
	abroadFamily    = "Aziz"
	abroadChild     = abroadGiven + " " + abroadFamily
	sponsorName     = "Rebwar Aziz"
	interpreterName = "Shilan Rashid"
	advocateName    = "Leyla Ahmed"
	placementStreet = "7 Rowan Mews"
	placementAddr   = placementStreet + ", Eastport EP2 9HL"
	homeOfficeRef   = "NRM-HO-2026-048213"
)

// pathwayTimeout bounds the whole scenario, well over a hundred pages. It
// takes about a minute and a half on an idle 2-core machine; the bound leaves
// room for a machine busy with other work.
const pathwayTimeout = 8 * time.Minute

// TestChildFromAbroadFromConcernToPositiveConclusiveGrounds follows one child
// from abroad along the whole pathway (PATHWAY.md §3): the teacher's concern,
// Children's Services' contact and outcome, the interpreter register, the
// strategy discussion and interview (with the rule that keeps the sponsor out
// of the room), children from abroad, a missing episode, the multi-agency
// meeting, an escalation to the partnership, the NRM to a positive Conclusive
// Grounds decision, support, and what the referrer may see at the end.
//
// The NRM dates are real: a Conclusive Grounds decision comes at least 30
// days after the Reasonable Grounds decision and no decision is in the
// future, so the story starts 33 days ago. The meeting is dated 30 days ago
// (no older meeting can be convened), the referral and the Reasonable Grounds
// decision that day, and the Conclusive Grounds decision today.
func TestChildFromAbroadFromConcernToPositiveConclusiveGrounds(t *testing.T) {
	b := newBrowserFor(t, true, pathwayTimeout)
	lon := london(t)
	now := time.Now().Truncate(time.Minute)
	today := midnight(now.In(lon))
	identified := now.Add(-33 * 24 * time.Hour)
	strategyHeld := identified.Add(24 * time.Hour)
	// A meeting can be convened no more than 30 days back: keep a margin for
	// the time the test takes to get there, and for a change of the clocks
	// whichever way the server counts the 30 days.
	meetingAt := now.UTC().AddDate(0, 0, -30)
	if inLondon := now.In(lon).AddDate(0, 0, -30); inLondon.After(meetingAt) {
		meetingAt = inLondon
	}
	meetingAt = meetingAt.Add(11 * time.Minute).Truncate(time.Minute)
	nrmDay := today.AddDate(0, 0, -30) // the referral and the Reasonable Grounds decision
	submittedAt := meetingAt.Add(20 * time.Minute)
	if !midnight(submittedAt.In(lon)).Equal(nrmDay) { // near midnight, or across a change of the clocks
		submittedAt = nrmDay.Add(12 * time.Hour)
	}
	interviewAt := time.Date(today.Year(), today.Month(), today.Day()+2, 10, 0, 0, 0, lon)

	// 1. The teacher raises the concern about a child from abroad.
	b.signIn(teacherEmail, teacherName)
	casePath := raiseAbroadConcern(b, identified.In(lon))
	b.signOut()

	// 2. Children's Services records the contact and the outcome, and assigns the social worker.
	b.signIn(csEmail, csName)
	b.nav("/inbox")
	follow(b, childLink(abroadChild))
	b.expectHeading(abroadChild)
	b.click(`a.govuk-button[href="` + casePath + `/contact"]`)
	b.expectHeading("Record the contact")
	b.choose("method", "phone")
	b.fill("note", "Mrs Okafor phoned the duty desk about Karwan.")
	b.submit()
	b.expectHeading(abroadChild)
	ref := referencePattern.FindString(b.text(".govuk-notification-banner--success"))
	if ref == "" {
		b.fatalf("after recording the contact the banner says %q, want a reference", b.text(".govuk-notification-banner--success"))
	}
	outcomeNext := "Strategy discussion with police today. Karwan stays at school with the designated lead until the duty social worker arrives."
	b.click(`a.govuk-button[href="` + casePath + `/outcome"]`)
	b.expectHeading("Record the outcome")
	b.choose("decision", "strategy-discussion")
	b.fill("nextStep", outcomeNext)
	b.submit()
	b.expectHeading(abroadChild)
	b.expectText("Strategy discussion to be held (§6.7)", outcomeNext)
	b.startAction(casePath, "assign-worker", "Assign a worker")
	b.chooseOption("workerEmail", socialWorkerName) // chosen from the team, not typed
	b.saveAction(casePath, "Assign a worker")
	b.expectText(socialWorkerName + " (Eastshire County Council Children's Services) assigned to the case")
	b.signOut()

	// 3. The administrator adds a professional, approved, DBS-checked interpreter to the register.
	b.signIn(adminEmail, adminName)
	b.nav("/admin/interpreters")
	b.expectHeading("Interpreter register")
	b.fill("name", interpreterName)
	b.fill("languages", "Kurdish")
	b.fill("dialects", "Sorani")
	b.choose("gender", "female")
	b.choose("professional", "yes")
	b.choose("approved", "yes")
	b.fillDate("dbsCheckedOn", today.AddDate(0, -8, 0))
	if !b.checked("active") { // "Can they be booked now?" starts at yes
		b.choose("active", "yes")
	}
	if status := b.submit(); status != 200 {
		b.fatalf("adding %s to the register: status %d; the page says %s", interpreterName, status, b.errorSummary())
	}
	b.expectText("Interpreter added to the register")
	if row := b.rowOf(interpreterName, "td"); !strings.Contains(row, "Can be booked") || !strings.Contains(row, "Sorani") {
		t.Errorf("the register's row for %s is %q, want Sorani and 'Can be booked'", interpreterName, row)
	}
	b.signOut()

	// The social worker: the sponsor, the strategy discussion, the interpreter and the interview.
	b.signIn(socialWorkerEmail, socialWorkerName)
	b.nav("/cases")
	follow(b, childLink(abroadChild))
	b.expectHeading(abroadChild)

	b.startAction(casePath, "linked-person", "Record a person linked to the child")
	b.fill("name", sponsorName)
	b.choose("relationship", "sponsor")
	b.fill("notes", "Says he is Karwan's uncle. Collected him from the lorry park and keeps his papers.")
	b.saveAction(casePath, "Record a person linked to the child")
	if row := b.rowOf(sponsorName, "td"); !strings.Contains(row, "Sponsor") || !strings.Contains(row, "Kept out of interviews") {
		t.Errorf("the linked person's row is %q, want Sponsor and 'Kept out of interviews'", row)
	}

	b.startAction(casePath, "strategy-discussion", "Record the strategy discussion")
	b.fillDateTime("heldAt", strategyHeld.In(lon))
	b.fill("participants", socialWorkerName+", Eastshire County Council Children's Services\nDS Chris Lawson, Eastshire Police\nHannah Okafor, Northfield Academy")
	b.choose("section47", "yes")
	b.choose("jointInterview", "yes")
	b.fill("notes", "Joint police and social work interview with a Sorani interpreter. The sponsor is not to be told.")
	b.saveAction(casePath, "Record the strategy discussion")
	b.expectText("Section 47 enquiry: yes", "Joint interview: yes", "Strategy discussion held: Section 47 enquiry to start; joint interview agreed")

	// §6.7, §6.8: the Section 47 enquiry's start, completion and outcome.
	b.startAction(casePath, "section47-start", "Record that the Section 47 enquiry started")
	b.fillDateTime("startedAt", strategyHeld.Add(time.Hour).In(lon))
	b.saveAction(casePath, "Record that the Section 47 enquiry started")
	b.startAction(casePath, "section47-complete", "Record that the Section 47 enquiry is complete")
	b.fillDateTime("completedAt", strategyHeld.Add(20*time.Hour).In(lon))
	b.choose("outcome", "continuing-risk")
	b.fill("summary", "The sponsor's account does not hold; the child is at continuing risk.")
	b.saveAction(casePath, "Record that the Section 47 enquiry is complete")
	b.expectText("Section 47 enquiry", "Concerns substantiated and the child is judged to be at continuing risk of significant harm")

	b.startAction(casePath, "book-interpreter", "Book an interpreter for the child")
	b.chooseOption("interpreterId", interpreterName)
	b.choose("genderPreference", "female")
	b.fill("language", "Kurdish")
	b.fill("dialect", "Sorani")
	b.choose("childAskedForChange", "no")
	b.saveAction(casePath, "Book an interpreter for the child")
	b.expectText("The child's interpreter", interpreterName+" (female)", "Sorani – Matches the register", "A female interpreter – Met")

	// The rule check: the sponsor may never be present when the child is interviewed (§6.7, §7.6).
	b.startAction(casePath, "interview-plan", "Plan an interview with the child")
	b.fillDateTime("plannedFor", interviewAt)
	b.fill("interviewers", socialWorkerName+"\nDS Chris Lawson")
	b.fill("present", sponsorName)
	b.chooseOption("interpreterId", interpreterName)
	if status := b.submit(); status != 422 {
		b.fatalf("planning the interview with the sponsor present: status %d, want 422", status)
	}
	b.expectHeading("Plan an interview with the child")
	b.expectRefusal("present", sponsorName+" is recorded on this case as the child's sponsor and must never be present when the child is interviewed")
	if got := b.value("interviewers"); got != socialWorkerName+"\nDS Chris Lawson" {
		t.Errorf("after the refusal the interviewers are %q, want the answer typed before", got)
	}
	b.clear("present")
	b.fill("present", advocateName)
	b.saveAction(casePath, "Plan an interview with the child")
	b.expectText("Interviews with the child", advocateName)
	if row := b.rowOf(advocateName, "td"); strings.Contains(row, sponsorName) || !strings.Contains(row, interpreterName) {
		t.Errorf("the interview's row is %q, want the interpreter and not the sponsor", row)
	}

	// 4. A child from abroad: details, care plan, UKVI, a confidential placement.
	b.startAction(casePath, "child-from-abroad", "Record details of a child from abroad")
	b.choose("uasc", "yes")
	b.choose("accommodationBasis", "section-20")
	b.choose("documentsChecked", "yes")
	b.choose("photographOnFile", "yes")
	b.choose("missingEducationChecked", "yes")
	b.choose("immigrationOptions", "modern-slavery-leave")
	b.choose("immigrationOptions", "asylum")
	b.choose("returnSchemeInformed", "yes")
	b.saveAction(casePath, "Record details of a child from abroad")
	b.expectText("Child from abroad", "Accommodated under section 20 of the Children Act 1989",
		"Discretionary leave as a recognised victim of modern slavery; Asylum or humanitarian protection")

	contingency := "Call 999 at once and give the police the photograph on file and the sponsor's details. Check the lorry park and the car wash on Mill Road."
	b.startAction(casePath, "care-plan", "Agree the care plan")
	b.fillDate("agreedOn", today)
	b.fill("protectionPlan", "Foster carers collect Karwan from school; no contact with the sponsor; phone checked weekly with his agreement.")
	b.fill("missingContingency", contingency)
	b.saveAction(casePath, "Agree the care plan")
	b.expectText("Care plan", contingency)

	b.startAction(casePath, "ukvi-concern", "Record a concern raised by UKVI")
	b.fillDateTime("raisedAt", now.Add(-2*time.Hour).In(lon))
	b.fill("details", "UKVI screening officer at Eastport: Karwan's account matches two other boys found at the same car wash.")
	b.saveAction(casePath, "Record a concern raised by UKVI")
	if row := b.deadline("UKVI confirms its referral in writing"); !strings.Contains(row, "Due in") {
		t.Errorf("the UKVI deadline row is %q, want it running ('Due in …')", row)
	}

	b.startAction(casePath, "start-placement", "Record a placement")
	b.fillDateTime("startedAt", now.Add(-6*time.Hour).In(lon))
	b.choose("placementType", "foster-care")
	b.fill("address", placementAddr)
	b.choose("whereaboutsConfidential", "yes")
	b.saveAction(casePath, "Record a placement")
	b.expectWarnings("Highest risk of going missing: the first 72 hours of this placement", "The child's whereabouts are confidential")
	b.expectText(placementAddr, "Confidential: do not share") // the social worker made the placement, so sees it
	if row := b.deadline("Highest risk of going missing after placement"); !strings.Contains(row, "Highest risk for") {
		t.Errorf("the placement's risk window row is %q, want 'Highest risk for …'", row)
	}
	b.nav("/inbox")
	if row := b.rowOf(abroadChild, "a"); !strings.Contains(row, "First 72 hours of placement") {
		t.Errorf("the inbox row for %s is %q, want 'First 72 hours of placement'", abroadChild, row)
	}
	follow(b, childLink(abroadChild))

	// 5. A missing episode.
	b.startAction(casePath, "report-missing", "Report the child missing")
	b.fillDateTime("startedAt", now.Add(-5*time.Hour).In(lon))
	b.fill("circumstances", "Left the foster home saying he was going to the shop; a grey van was seen waiting at the corner.")
	b.choose("policeInformed", "yes")
	b.fill("policeReference", "EP-2026-0117")
	b.saveAction(casePath, "Report the child missing")
	b.expectWarnings("The child is missing now")
	b.expectText("Missing episodes", "Missing now", "(police reference EP-2026-0117)")
	b.nav("/inbox")
	if row := b.rowOf(abroadChild, "a"); !strings.Contains(row, "Missing now") {
		t.Errorf("the inbox row for %s is %q, want 'Missing now'", abroadChild, row)
	}
	follow(b, childLink(abroadChild))

	b.startAction(casePath, "record-found", "Record that the child has been found")
	b.fillDateTime("endedAt", now.Add(-3*time.Hour).In(lon))
	b.fill("whereFound", "Car wash on Mill Road, found by police")
	b.saveAction(casePath, "Record that the child has been found")
	if b.hasWarning("The child is missing now") {
		t.Errorf("the case still warns that the child is missing after recording him found")
	}
	if row := b.deadline("Return interview held"); !strings.Contains(row, "Due in") {
		t.Errorf("the return interview deadline row is %q, want it running", row)
	}

	disclosed := "A man from the car wash picked him up and said he still owed for the journey."
	b.startAction(casePath, "return-interview", "Record the return interview")
	b.fillDateTime("heldAt", now.Add(-1*time.Hour).In(lon))
	b.fill("by", socialWorkerName+" with "+interpreterName)
	b.fill("disclosed", disclosed)
	b.fill("notDisclosed", "Where he slept last night.")
	b.saveAction(casePath, "Record the return interview")
	b.expectText("Told us: " + disclosed)
	if row := b.deadline("Return interview held"); !strings.Contains(row, "Met") {
		t.Errorf("the return interview deadline row is %q, want Met", row)
	}

	// 6. The multi-agency meeting, convened and recorded by the social worker.
	b.startAction(casePath, "convene-meeting", "Convene a multi-agency meeting")
	b.choose("kind", "strat")
	b.fillDateTime("scheduledFor", meetingAt.In(lon))
	b.fill("inviteeEmails", firstResponderEmail+"\n"+teacherEmail+"\n"+managerEmail)
	b.saveAction(casePath, "Convene a multi-agency meeting")
	b.expectText("Chris Lawson (Eastshire Police)", "Hannah Okafor (Northfield Academy)")
	if stage := onOverview(b, func() string { return b.summaryValue("Stage") }); stage != "Multi-agency meeting arranged" {
		t.Errorf("after the meeting is convened the case's stage is %q", stage)
	}

	b.startAction(casePath, "record-meeting", "Record what the meeting agreed")
	// Attendees are chosen, not typed: the convener and the three invitees
	// start ticked, and all four came (§6.8). The sponsor is not offered (§7.4).
	if n := run(b, "counting the attendees ticked", chromedp.Evaluate[int](`document.querySelectorAll('input[name="attendeeIds"]:checked').length`)); n != 4 {
		t.Errorf("%d attendees start ticked, want the convener and the three invitees", n)
	}
	if n := run(b, "looking for the sponsor among the attendees", chromedp.Evaluate[int](fmt.Sprintf(`Array.from(document.querySelectorAll('label.govuk-checkboxes__label')).filter(l => l.textContent.includes(%q)).length`, sponsorName))); n != 0 {
		t.Errorf("the sponsor is offered as an attendee of a meeting about future action (§7.4)")
	}
	b.choose("nrmDecision", "submit")
	b.chooseOption("leadOrgId", "Eastshire Police")
	b.choose("childProtectionConference", "yes")
	b.choose("childProtectionPlan", "yes")
	b.choose("informationSharedWithPolice", "yes")
	b.saveAction(casePath, "Record what the meeting agreed")
	b.expectText("Multi-agency meeting held", "Yes – an NRM referral is to be submitted by the lead First Responder organisation")
	if got := b.summaryValue("Section 47 enquiry"); !strings.Contains(got, "before the meeting") {
		t.Errorf("the meeting's Section 47 row is %q, want it completed before the meeting (§6.8)", got)
	}
	if got := b.summaryValue("Lead First Responder"); got != "Eastshire Police" {
		t.Errorf("the meeting's lead First Responder is %q, want Eastshire Police", got)
	}

	actionText := "Send the NRM referral with the return interview notes."
	due := today.AddDate(0, 0, 7)
	b.startAction(casePath, "meeting-action", "Add an action from the meeting")
	b.fill("text", actionText)
	b.fill("ownerEmail", firstResponderEmail)
	b.fillDate("dueOn", due)
	b.choose("contactsFamily", "no")
	b.saveAction(casePath, "Add an action from the meeting")
	if row := b.rowOf(actionText, "td"); !strings.Contains(row, "Chris Lawson, Eastshire Police") || !strings.Contains(row, due.Format("2 January 2006")) {
		t.Errorf("the meeting action's row is %q, want its owner and due date %s", row, due.Format("2 January 2006"))
	}

	b.startAction(casePath, "disruption-power", "Record a power the meeting considered")
	b.choose("power", "cawn")
	b.choose("outcome", "to-apply")
	b.fill("reason", "The sponsor keeps seeking Karwan out; police to serve a warning notice.")
	b.saveAction(casePath, "Record a power the meeting considered")
	b.expectText("Child Abduction Warning Notice (§6.8(e))", "To be applied for")
	b.signOut()

	// 7. The teacher escalates a disagreement to the partnership, whose lead resolves it.
	b.signIn(teacherEmail, teacherName)
	b.nav("/cases")
	follow(b, childLink(abroadChild))
	b.startAction(casePath, "raise-escalation", "Escalate a disagreement about the NRM")
	b.fill("reason", "Police want to wait for an age assessment before submitting; the referral must not wait for it (§7.4).")
	b.saveAction(casePath, "Escalate a disagreement about the NRM")
	for _, level := range []string{"Level 2 – senior managers", "Level 3 – the safeguarding children partnership"} {
		b.startAction(casePath, "escalate-further", "Move an escalation to the next level")
		b.tick("escalationId")
		b.fill("note", "Not settled: the referral is still waiting.")
		b.saveAction(casePath, "Move an escalation to the next level")
		b.expectText("Escalation moved up to " + level)
	}
	b.signOut()

	b.signIn(partnershipLeadEmail, partnershipLeadName)
	b.nav("/escalations")
	b.expectHeading("Open escalations")
	follow(b, childLink(abroadChild))
	b.expectHeading(abroadChild)
	b.startAction(casePath, "resolve-escalation", "Record how an escalation was resolved")
	b.tick("escalationId")
	b.choose("outcome", "submit")
	b.fill("note", "Agreed with police: Eastshire Police submits now; an age assessment never holds up the NRM.")
	b.saveAction(casePath, "Record how an escalation was resolved")
	b.expectText("Escalation resolved: An NRM referral is to be submitted", "Resolved")
	b.signOut()

	// 8. The police, lead First Responder, record the NRM and the Home Office's decisions.
	b.signIn(firstResponderEmail, firstResponderName)
	b.nav("/cases")
	follow(b, childLink(abroadChild))
	b.expectHeading(abroadChild)
	b.open(casePath + "/support") // the placements
	if strings.Contains(b.html(), placementStreet) {
		t.Errorf("the police First Responder, without access to the whereabouts, sees the placement address")
	}
	b.expectText("You have not been given access to the child's whereabouts (§7.6).")

	b.startAction(casePath, "nrm-submit", "Record the NRM submission")
	b.fillDateTime("submittedAt", submittedAt.In(lon))
	b.choose("via", "online-form")
	b.choose("declarationMade", "yes")
	b.choose("explainedToChild", "explained")
	b.choose("explainedToCarer", "not-safe")
	b.saveAction(casePath, "Record the NRM submission")
	b.expectText("NRM referral submitted", "A multi-agency meeting agreed to submit (§8.5)", "The declaration was made on the form.",
		"Explained to their parent, guardian or carer: No: telling them could put the child at risk (§8.3).")
	if row := b.deadline("Reasonable Grounds decision (Home Office target: 5 working days)"); row == "" {
		t.Errorf("no Reasonable Grounds target among the deadlines")
	}

	b.startAction(casePath, "nrm-reference", "Record the Home Office reference")
	b.fill("reference", homeOfficeRef)
	b.fillDate("receivedOn", nrmDay)
	b.saveAction(casePath, "Record the Home Office reference")
	b.expectText(homeOfficeRef)

	b.startAction(casePath, "nrm-reasonable-grounds", "Record the Reasonable Grounds decision")
	b.choose("outcome", "positive")
	b.fillDate("decidedOn", nrmDay)
	b.saveAction(casePath, "Record the Reasonable Grounds decision")
	b.expectText("Positive Reasonable Grounds decision – waiting for the Conclusive Grounds decision")
	if stage := onOverview(b, func() string { return b.summaryValue("Stage") }); stage != "Reasonable Grounds decision: positive" {
		t.Errorf("after the Reasonable Grounds decision the case's stage is %q", stage)
	}
	if row := b.deadline("Reasonable Grounds decision (Home Office target"); !strings.Contains(row, "Met") {
		t.Errorf("the Reasonable Grounds target row is %q, want Met", row)
	}

	// A day too early is refused; today, 30 days on, is allowed.
	b.startAction(casePath, "nrm-conclusive-grounds", "Record the Conclusive Grounds decision")
	b.choose("outcome", "positive")
	b.fillDate("decidedOn", nrmDay.AddDate(0, 0, 29))
	if status := b.submit(); status != 422 {
		b.fatalf("recording the Conclusive Grounds decision 29 days after the Reasonable Grounds one: status %d, want 422", status)
	}
	b.expectRefusal("decidedOn", "A Conclusive Grounds decision can be made no earlier than "+today.Format("2 January 2006"))
	for _, id := range []string{"decidedOn", "decidedOn-month", "decidedOn-year"} {
		b.clear(id)
	}
	b.fillDate("decidedOn", today)
	b.saveAction(casePath, "Record the Conclusive Grounds decision")
	if got := onOverview(b, func() string { return b.summaryValue("Stage") }); got != "Conclusive Grounds decision: positive" {
		t.Errorf("the case's progress tag says %q, want 'Conclusive Grounds decision: positive'", got)
	}
	b.expectText("Positive Conclusive Grounds decision")

	// 9. Support: Beacon, referred by the lead organisation with consent
	// and the team's agreement that it would help (annex step 4), and an
	// independent visitor.
	b.startAction(casePath, "record-support", "Record support for the child")
	b.choose("kind", "beacon")
	b.choose("status", "requested")
	b.fill("provider", "Beacon (Eastshire)")
	b.choose("consentBy", "child")
	b.fillDate("consentDate", today)
	b.choose("benefitAgreed", "yes")
	b.saveAction(casePath, "Record support for the child")
	b.expectText("Consent: The child on " + today.Format("2 January 2006"))
	b.signOut()

	b.signIn(socialWorkerEmail, socialWorkerName)
	b.nav("/cases")
	follow(b, childLink(abroadChild))

	b.startAction(casePath, "record-support", "Record support for the child")
	b.choose("kind", "independent-visitor")
	b.choose("status", "requested")
	b.choose("visitorOffer", "accepted")
	b.saveAction(casePath, "Record support for the child")
	b.expectText("The child accepted.")
	b.signOut()

	// 10. The teacher, who referred, sees the reference and the outcome, never where the child lives.
	b.signIn(teacherEmail, teacherName)
	b.nav("/cases")
	follow(b, childLink(abroadChild))
	b.expectHeading(abroadChild)
	if got := b.text(".govuk-caption-l"); got != "Children's Services reference "+ref {
		t.Errorf("the teacher's case caption is %q, want the reference %s", got, ref)
	}
	b.expectText("Strategy discussion to be held (§6.7)", outcomeNext)
	b.expectWarnings("The child's whereabouts are confidential")
	html := b.html()
	for _, secret := range []string{placementStreet, "Rowan", "EP2 9HL"} {
		if strings.Contains(html, secret) {
			t.Errorf("the referrer's view of the case contains %q from the confidential placement address", secret)
		}
	}
	b.signOut()
}

// raiseAbroadConcern raises, as the signed-in practitioner, a concern about
// a boy from abroad whose age is uncertain, and returns the case's path.
func raiseAbroadConcern(b *browser, identified time.Time) string {
	b.t.Helper()
	b.nav("/concerns/new")
	b.expectHeading("Raise a concern about a child")
	b.click(`form[action="/concerns"] button[type="submit"]`)
	b.expectHeading("About the child")
	b.fill("givenNames", abroadGiven)
	b.fill("familyName", abroadFamily)
	b.fill("estimatedAge", "15")
	b.tick("ageUncertain")
	b.choose("gender", "male")
	b.fill("nationality", "Iraqi")
	b.fill("languages", "Kurdish\nArabic")
	b.fill("dialect", "Sorani")
	b.fill("currentLocation", "In the school office with the designated safeguarding lead")
	b.submit()

	b.expectHeading("What happened")
	b.fillDate("identifiedAt", identified)
	b.fill("identifiedTime", identified.Format("15:04"))
	b.fill("identifiedWhere", "Northfield Academy, admissions office")
	b.fill("summary", "Karwan joined Year 10 five weeks ago. He says he came by lorry, works at a car wash every evening for the man he calls his uncle, and owes him for the journey.")
	b.choose("immediateRisk", "no")
	b.submit()

	b.expectHeading("Suspected exploitation")
	b.choose("exploitationTypes", "labour")
	b.choose("familySuspected", "yes")
	b.submit()

	evidence := map[string]string{
		"abroad.no-or-false-documents": "Has no passport; says his uncle keeps his papers.",
		"abroad.limited-english":       "Speaks little English; understood Sorani Kurdish best.",
		"labour.works-many-places":     "Works at the car wash in the evenings and at a takeaway at weekends.",
	}
	b.expectHeading("Indicators you observed")
	for _, id := range []string{"abroad.no-or-false-documents", "abroad.limited-english", "labour.works-many-places"} {
		b.tick("ind-" + id)
	}
	b.submit()
	b.expectHeading("What you saw for each indicator")
	for id, ev := range evidence {
		b.fill("evidence-"+id, ev)
	}
	b.submit()

	b.expectHeading("Which immediate actions have you taken?")
	b.choose("immediateActions", "immediate-risk-assessed")
	b.choose("immediateActions", "interpreter-arranged")
	b.choose("immediateActions", "designated-lead-notified")
	b.submit()

	b.expectHeading("Check your answers before sending")
	b.expectText(abroadChild, "Iraqi", "Sorani", "Labour exploitation", evidence["abroad.limited-english"])
	b.click(`form[action$="/check"] button[type="submit"]`)
	b.expectHeading(abroadChild)
	b.expectWarnings("Family or carers are suspected", "Age uncertain")
	return b.path()
}

// midnight is the start of t's day, in t's location.
func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// choose clicks the radio button or checkbox of the field name with this
// value, and checks that it is then checked.
func (b *browser) choose(name, value string) {
	b.t.Helper()
	sel := `input[name="` + name + `"][value="` + value + `"]`
	b.do("clicking "+sel, chromedp.Click(chromedp.CSS(sel)))
	if !run(b, "reading whether "+sel+" is checked", chromedp.JavascriptAttribute[bool](chromedp.CSS(sel), "checked")) {
		b.fatalf("%s is not checked after clicking it", sel)
	}
}

// chooseOption selects the option of the select with this id whose text contains text.
func (b *browser) chooseOption(id, text string) {
	b.t.Helper()
	v := run(b, "finding the option "+text+" of #"+id, chromedp.Evaluate[string](fmt.Sprintf(
		`(() => { const s = document.getElementById(%q); const o = s && Array.from(s.options).find(o => o.text.includes(%q)); return o ? o.value : "\u0000"; })()`, id, text)))
	if v == "\x00" {
		b.fatalf("the select #%s has no option %q", id, text)
	}
	b.do("selecting "+text+" in #"+id, chromedp.SetValue(byID(id), v))
	if got := b.value(id); got != v {
		b.fatalf("#%s holds %q after selecting %q (%q)", id, got, text, v)
	}
}

// clear empties the input or textarea with this id.
func (b *browser) clear(id string) {
	b.t.Helper()
	b.do("clearing #"+id, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
		`(() => { const e = document.getElementById(%q); e.value = ""; e.dispatchEvent(new Event('input', {bubbles: true})); })()`, id)))
	if got := b.value(id); got != "" {
		b.fatalf("#%s holds %q after clearing it", id, got)
	}
}

// fillDate types t's London day into the GOV.UK date input name (day, month, year).
func (b *browser) fillDate(name string, t time.Time) {
	b.t.Helper()
	t = t.In(london(b.t))
	b.fill(name, fmt.Sprint(t.Day()))
	b.fill(name+"-month", fmt.Sprint(int(t.Month())))
	b.fill(name+"-year", fmt.Sprint(t.Year()))
}

// fillDateTime types t's London day and time into an action's date-and-time question.
func (b *browser) fillDateTime(name string, t time.Time) {
	b.t.Helper()
	b.fillDate(name, t)
	b.fill(name+"-time", t.In(london(b.t)).Format("15:04"))
}

// startAction follows the link to one of the actions the case offers: on
// the page the browser is on, or else on the page of the case's side
// navigation that offers it.
func (b *browser) startAction(casePath, action, title string) {
	b.t.Helper()
	link := `main a[href="` + casePath + `/actions/` + action + `"]`
	if !b.exists(link) {
		// Find the page that offers it without opening every page in turn.
		b.open(casePath)
		where := run(b, "finding the page that offers "+action, chromedp.Evaluate[string](fmt.Sprintf(
			`(async (hrefs, want) => { for (const h of hrefs) { const t = await (await fetch(h)).text(); if (t.includes('href="' + want + '"')) return h; } return ""; })(%s, %q)`,
			`Array.from(document.querySelectorAll('nav.moj-side-navigation a')).map(a => a.getAttribute('href'))`, casePath+"/actions/"+action), chromedp.EvalAwaitPromise))
		if where != "" {
			b.open(where)
		}
	}
	if !b.exists(link) {
		b.fatalf("no page of the case offers %q (%s)", title, action)
	}
	b.click(link)
	b.expectHeading(title)
}

// sideNav is the hrefs of the case's side navigation on the page.
func (b *browser) sideNav() []string {
	b.t.Helper()
	return run(b, "reading the case's side navigation", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('nav.moj-side-navigation a')).map(a => a.getAttribute('href'))`))
}

// onOverview runs read on the case's overview, then goes back to the page
// the browser was on.
func onOverview[T any](b *browser, read func() T) T {
	b.t.Helper()
	was := strings.TrimPrefix(b.location(), b.base)
	overview := regexp.MustCompile(`^/cases/[^/?]+`).FindString(was)
	if overview == "" {
		b.fatalf("not on a case's page")
	}
	b.open(overview)
	defer b.open(was)
	return read()
}

// saveAction submits an action's page and checks it lands back on the case
// page with the action's success banner.
func (b *browser) saveAction(casePath, title string) {
	b.t.Helper()
	if status := b.submit(); status != 200 {
		b.fatalf("saving %q: status %d; the page says: %s", title, status, b.errorSummary())
	}
	if p := b.path(); p != casePath {
		b.fatalf("saving %q landed on %s, want the case page %s; the page says: %s", title, p, casePath, b.errorSummary())
	}
	want := "Saved: " + strings.ToLower(title[:1]) + title[1:]
	if got := b.text(".govuk-notification-banner--success"); !strings.Contains(got, want) {
		b.t.Errorf("after saving %q the banner says %q, want %q", title, got, want)
	}
	// What was saved is shown in its area of the case: go and see it.
	if b.exists("#saved-area") {
		b.click("#saved-area")
	}
}

// errorSummary is the text of the page's GOV.UK error summary, if it has one.
func (b *browser) errorSummary() string {
	b.t.Helper()
	if !b.exists(".govuk-error-summary") {
		return "(no error summary)"
	}
	return b.text(".govuk-error-summary")
}

// expectRefusal checks the GOV.UK error summary links to the field with a
// message containing want, and that the field shows its error.
func (b *browser) expectRefusal(field, want string) {
	b.t.Helper()
	link := `.govuk-error-summary__list a[href="#` + field + `"]`
	if !b.exists(link) {
		b.fatalf("the error summary has no link to #%s; it says: %s", field, b.errorSummary())
	}
	if got := b.text(link); !strings.Contains(got, want) {
		b.t.Errorf("the error summary says %q for #%s, want %q", got, field, want)
	}
	if !b.exists(`[id="` + field + `-error"]`) {
		b.t.Errorf("the field #%s does not show its error message", field)
	}
	if title := b.title(); !strings.HasPrefix(title, "Error: ") {
		b.t.Errorf("page title %q does not start with 'Error: '", title)
	}
}

// rowOf is the text of the table row in the main content holding a cell
// element (a link "a" or a cell "td") whose text contains text.
func (b *browser) rowOf(text, element string) string {
	b.t.Helper()
	return run(b, "reading the row of "+text, chromedp.Evaluate[string](fmt.Sprintf(
		`(() => { const e = Array.from(document.querySelectorAll('main table %s')).find(e => e.innerText.includes(%q)); return e ? e.closest('tr').innerText : ""; })()`, element, text)))
}

// deadline is the text of the row of the case overview's deadlines (running,
// or met and ended) whose label contains label, or "".
func (b *browser) deadline(label string) string {
	b.t.Helper()
	return onOverview(b, func() string {
		return run(b, "reading the deadline "+label, chromedp.Evaluate[string](fmt.Sprintf(
			`(() => { const cs = Array.from(document.querySelectorAll('main caption')).filter(c => ["Deadlines on this case", "Deadlines met or ended"].includes(c.textContent.trim()));
			for (const c of cs) { const r = Array.from(c.closest('table').querySelectorAll('tbody tr')).find(r => r.cells[0].textContent.includes(%q)); if (r) return r.textContent.replace(/\s+/g, " "); }
			return ""; })()`, label)))
	})
}

// summaryValue is the value of the first summary list row in the main content whose key is key.
func (b *browser) summaryValue(key string) string {
	b.t.Helper()
	return run(b, "reading the summary row "+key, chromedp.Evaluate[string](fmt.Sprintf(
		`(() => { const k = Array.from(document.querySelectorAll('main .govuk-summary-list__key')).find(k => k.innerText.trim() === %q); return k ? k.nextElementSibling.innerText.trim() : ""; })()`, key)))
}

// hasWarning reports whether the page has a GOV.UK warning text containing text.
func (b *browser) hasWarning(text string) bool {
	b.t.Helper()
	return onOverview(b, func() bool {
		return run(b, "reading the warnings", chromedp.Evaluate[bool](fmt.Sprintf(
			`Array.from(document.querySelectorAll('main .govuk-warning-text__text')).some(e => e.innerText.includes(%q))`, text)))
	})
}
