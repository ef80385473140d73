package pathway_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// §4.11: nationality and immigration are discussed with UKVI only once the
// child's protection is addressed. An early contact is recorded, never
// refused (it must not hold up protection), but marked, and the team warned
// until the protection is addressed.
func TestUKVIContactBeforeTheChildsProtectionIsAddressedIsWarnedOf(t *testing.T) {
	c := supCase(t)
	if c.ProtectionAddressed() {
		t.Fatal("protection addressed on a case with no care plan and no meeting")
	}
	c, e := mustDecide(t, c, supSocialWorker, pathway.RecordUKVIContact{ContactAt: now, With: "UKVI asylum intake unit", About: "Asked about the child's screening interview"}, now.Add(2*time.Hour))
	if !strings.Contains(e.Summary(), "before the child's protection was addressed") {
		t.Errorf("timeline line %q does not say the contact came first", e.Summary())
	}
	if got := c.UKVIContactBeforeProtection(); len(got) != 1 || !got[0].BeforeProtection {
		t.Fatalf("early contacts = %+v", got)
	}

	c, _ = mustDecide(t, c, supSocialWorker, pathway.AgreeCarePlan{AgreedOn: "2026-03-10", ProtectionPlan: "No phone; escorted to school", MissingContingency: "Call 999 and the social worker"}, now.Add(3*time.Hour))
	if !c.ProtectionAddressed() || len(c.UKVIContactBeforeProtection()) != 0 {
		t.Fatal("the warning stays after the care plan addressed the child's protection (§7.2)")
	}
	if !c.Support.AbroadRecords.UKVIContacts[0].BeforeProtection {
		t.Error("the record lost its mark once protection was addressed")
	}
	c, e = mustDecide(t, c, supSocialWorker, pathway.RecordUKVIContact{ContactAt: now.Add(3 * time.Hour), With: "UKVI", About: "Leave options"}, now.Add(4*time.Hour))
	if c.Support.AbroadRecords.UKVIContacts[1].BeforeProtection || strings.Contains(e.Summary(), "before") {
		t.Errorf("a contact after the care plan is marked as early: %q", e.Summary())
	}
}

// §4.11: a missing child's protection is not addressed, whatever was planned;
// a held multi-agency meeting addresses it as a care plan does (§6.8).
func TestProtectionIsNotAddressedWhileTheChildIsMissing(t *testing.T) {
	c := supCase(t)
	c, _ = mustDecide(t, c, supSocialWorker, pathway.AgreeCarePlan{AgreedOn: "2026-03-10", ProtectionPlan: "Safe placement", MissingContingency: "Call 999"}, now.Add(2*time.Hour))
	c, _ = mustDecide(t, c, supSocialWorker, pathway.ReportMissing{StartedAt: now.Add(2 * time.Hour), Circumstances: "Left the placement", PoliceInformed: true}, now.Add(3*time.Hour))
	if c.ProtectionAddressed() {
		t.Error("protection counted as addressed while the child is missing")
	}
}

// §4.11, §7.5: immigration legal advice is sought at once for a child from
// abroad: the team is prompted until it is recorded, asked for or declined.
func TestImmigrationLegalAdviceIsPromptedForAChildFromAbroad(t *testing.T) {
	p := pathway.New(cat)
	c := supCase(t) // Albanian
	c, _ = mustDecide(t, c, frontDoor, pathway.RecordOutcome{Decision: "assessment", NextStep: "Child and family assessment"}, now.Add(2*time.Hour))
	if !c.ImmigrationAdviceOwed() {
		t.Fatal("no immigration advice owed for a child from abroad")
	}
	step, ok := p.NextStep(c, asMember(c, supSocialWorker), now.Add(3*time.Hour))
	if !ok || step.Name != pathway.CommandName(pathway.RecordSupport{}) {
		t.Fatalf("next step = %+v, %v; want the immigration advice prompt", step, ok)
	}
	c, _ = mustDecide(t, c, supSocialWorker, pathway.RecordSupport{Kind: pathway.SupportImmigrationLegalAdvice, Status: pathway.SupportRequested, Provider: "Law centre", OISCRegulated: supYes()}, now.Add(3*time.Hour))
	if c.ImmigrationAdviceOwed() {
		t.Error("still prompted after immigration advice was asked for")
	}
	if supCase(t, british).ImmigrationAdviceOwed() {
		t.Error("immigration advice prompted for a British child")
	}
}

// §7.3: what is shared with the police during the placement is kept in an
// append-only log: what, when, with whom, by whom.
func TestInformationSharedWithThePoliceDuringThePlacementIsLogged(t *testing.T) {
	p := pathway.New(cat)
	c := supCase(t)
	share := pathway.SharePoliceInformation{SharedAt: now.Add(time.Hour), Topics: []string{"risk-to-other-children"}, What: "A car waited outside school twice", SharedWith: "DC Rowe, exploitation team", SharedBy: "Sam Social"}
	_, err := p.Decide(c, supSocialWorker, share, now.Add(2*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "", "record the placement first")

	c = supPlaced(t, c, false, now.Add(time.Hour))
	_, err = p.Decide(c, supSocialWorker, pathway.SharePoliceInformation{SharedAt: now.Add(time.Hour)}, now.Add(2*time.Hour))
	for _, f := range []string{"topics", "what", "sharedWith", "sharedBy"} {
		if !hasField(err, f) {
			t.Errorf("an empty entry is not refused for %s: %v", f, err)
		}
	}
	_, err = p.Decide(c, teacher, share, now.Add(2*time.Hour))
	wantRefused(t, err, waymark.EFORBIDDEN, "", "Only the team")

	c, _ = mustDecide(t, c, supSocialWorker, share, now.Add(2*time.Hour))
	c, _ = mustDecide(t, c, supSocialWorker, share, now.Add(3*time.Hour))
	log := c.Support.AbroadRecords.PoliceSharing
	if len(log) != 2 || log[0].SharedWith != "DC Rowe, exploitation team" || log[0].RecordedBy.UserID != supSocialWorker.UserID || log[0].TopicLabels()[0] != "Risk to other children" {
		t.Fatalf("log = %+v", log)
	}
}

// §7.6: an entry of the police log that says where the child lives is
// withheld, in the state and in the event, from anyone without access to
// the whereabouts – whether its author said so or quoted the address.
func TestThePoliceLogDoesNotRevealAConfidentialPlacement(t *testing.T) {
	c := supPlaced(t, supCase(t), true, now.Add(time.Hour))
	quoted := pathway.SharePoliceInformation{SharedAt: now.Add(time.Hour), Topics: []string{"crimes-against-the-child"}, What: "Men seen outside 14 larch close, Northtown at night", SharedWith: "PC Hale", SharedBy: "Sam Social"}
	c, quotedEvent := mustDecide(t, c, supSocialWorker, quoted, now.Add(2*time.Hour))
	said := quoted
	said.What, said.RevealsWhereabouts = "The carers' street and the school run", true
	c, _ = mustDecide(t, c, supSocialWorker, said, now.Add(2*time.Hour))
	plain := quoted
	plain.What = "The child mentioned a man called Besnik"
	c, _ = mustDecide(t, c, supSocialWorker, plain, now.Add(2*time.Hour))

	log := c.Support.AbroadRecords.PoliceSharing
	if !log[0].RevealsWhereabouts || !log[1].RevealsWhereabouts || log[2].RevealsWhereabouts {
		t.Fatalf("reveals whereabouts = %v %v %v", log[0].RevealsWhereabouts, log[1].RevealsWhereabouts, log[2].RevealsWhereabouts)
	}
	seen := c.Redacted(supManager.UserID).Support.AbroadRecords.PoliceSharing
	if seen[0].What != "" || !seen[0].WhatWithheld || seen[1].What != "" || seen[2].What != plain.What {
		t.Errorf("the manager without access sees %+v", seen)
	}
	if strings.Contains(quotedEvent.Redacted(c, supManager.UserID).Summary(), "larch") {
		t.Error("the timeline line quotes the address")
	}
	if d := quotedEvent.Redacted(c, supManager.UserID).Data.(pathway.PoliceInformationShared); d.What != "" || !d.WhatWithheld {
		t.Errorf("the event's data shows %+v", d)
	}
	if c.Redacted(supSocialWorker.UserID).Support.AbroadRecords.PoliceSharing[0].What != quoted.What {
		t.Error("the social worker who made the placement cannot read the entry")
	}
	if c.Support.AbroadRecords.PoliceSharing[0].What != quoted.What {
		t.Error("redacting wrote through to the case")
	}
}

// §7.4: the decision whether to assess age draws on the Home Office's
// guidance and is communicated to the Home Office; until it is, the team is
// prompted.
func TestTheAgeDecisionIsCommunicatedToTheHomeOffice(t *testing.T) {
	p := pathway.New(cat)
	c := supCase(t, ageUncertain)
	_, err := p.Decide(c, supSocialWorker, pathway.RecordAgeDecision{}, now.Add(2*time.Hour))
	if !hasField(err, "decision") || !hasField(err, "reasons") {
		t.Fatalf("an empty decision: %v", err)
	}
	_, err = p.Decide(supCase(t), supSocialWorker, pathway.RecordAgeDecision{Decision: "no-assessment", Reasons: "x"}, now.Add(2*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "", "no age assessment applies")

	c, _ = mustDecide(t, c, supSocialWorker, pathway.RecordAgeDecision{GuidanceConsulted: true, Decision: "no-assessment", Reasons: "Birth certificate seen; no significant reason to doubt"}, now.Add(2*time.Hour))
	if c.Support.AbroadRecords.AgeDecisionNotCommunicated() == nil {
		t.Fatal("a new decision is not waiting to be communicated")
	}
	if !p.Expects(c, asMember(c, supSocialWorker), pathway.CommunicateAgeDecision{}, now.Add(2*time.Hour)) {
		t.Error("the team is not prompted to tell the Home Office")
	}
	_, err = p.Decide(c, supSocialWorker, pathway.CommunicateAgeDecision{CommunicatedOn: "2026-03-09", CommunicatedTo: "Asylum intake unit"}, now.Add(2*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "communicatedOn", "before the decision was recorded")
	c, _ = mustDecide(t, c, supSocialWorker, pathway.CommunicateAgeDecision{CommunicatedOn: "2026-03-10", CommunicatedTo: "Asylum intake unit", CommunicatedHow: "Secure email"}, now.Add(3*time.Hour))
	d := c.Support.AbroadRecords.AgeDecisions[0]
	if !d.GuidanceConsulted || d.CommunicatedTo != "Asylum intake unit" || c.Support.AbroadRecords.AgeDecisionNotCommunicated() != nil {
		t.Errorf("decision = %+v", d)
	}
	_, err = p.Decide(c, supSocialWorker, pathway.CommunicateAgeDecision{CommunicatedOn: "2026-03-10", CommunicatedTo: "x"}, now.Add(3*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "", "Record the decision first")
}

// §7.4: information is sought from the authorities of the countries the
// child lived in: the request, to whom, when, and the reply.
func TestInformationSoughtFromOverseasAuthoritiesIsRecordedWithItsReply(t *testing.T) {
	p := pathway.New(cat)
	c := supCase(t)
	_, err := p.Decide(c, supSocialWorker, pathway.RecordOverseasReply{Request: "1", RepliedOn: "2026-03-10", Reply: "x"}, now)
	wantRefused(t, err, waymark.EINVALID, "", "Record the request first")
	c, e := mustDecide(t, c, supSocialWorker, pathway.SeekOverseasInformation{Authority: "State Social Services", Country: "Albania", Via: "Albanian Embassy, London", RequestedOn: "2026-03-09", Asked: "Any child protection history"}, now.Add(2*time.Hour))
	_, err = p.Decide(c, supSocialWorker, pathway.RecordOverseasReply{Request: strconv.Itoa(e.Seq), RepliedOn: "2026-03-08", Reply: "None"}, now.Add(3*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "repliedOn", "before the request")
	_, err = p.Decide(c, supSocialWorker, pathway.RecordOverseasReply{Request: "999", RepliedOn: "2026-03-10", Reply: "None"}, now.Add(3*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "request")
	c, _ = mustDecide(t, c, supSocialWorker, pathway.RecordOverseasReply{Request: strconv.Itoa(e.Seq), RepliedOn: "2026-03-10", Reply: "No record of the child"}, now.Add(3*time.Hour))
	q := c.Support.AbroadRecords.OverseasRequests[0]
	if q.Country != "Albania" || q.Via == "" || q.RepliedOn != "2026-03-10" || len(c.Support.AbroadRecords.AwaitingOverseasReply()) != 0 {
		t.Errorf("request = %+v", q)
	}
	if _, err := p.Decide(supCase(t, british), supSocialWorker, pathway.SeekOverseasInformation{Authority: "a", Country: "b", RequestedOn: "2026-03-09", Asked: "c"}, now); waymark.ErrorCode(err) != waymark.EINVALID {
		t.Errorf("a British child's case takes an overseas request: %v", err)
	}
}

// §7.4: the documents seen are recorded as they were given – kind, number,
// issuer, who saw them, when, and whether there are doubts they are genuine.
func TestTheIdentityDocumentsSeenAreRecorded(t *testing.T) {
	p := pathway.New(cat)
	c := supCase(t)
	_, err := p.Decide(c, supSocialWorker, pathway.RecordDocumentSeen{Kind: "passport", SeenBy: "Sam Social", SeenOn: "2026-03-10", Genuineness: "doubts"}, now.Add(2*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "doubtsDetails", "Describe the doubts")
	_, err = p.Decide(c, supSocialWorker, pathway.RecordDocumentSeen{Kind: "other", SeenBy: "Sam Social", SeenOn: "2026-03-10", Genuineness: "cannot-tell"}, now.Add(2*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "kindOther")
	c, e := mustDecide(t, c, supSocialWorker, pathway.RecordDocumentSeen{Kind: "passport", Number: " AL1234567 ", Issuer: "Republic of Albania", HeldBy: "The child's 'uncle'", SeenBy: "PC Hale", SeenOn: "2026-03-10", Genuineness: "doubts", DoubtsDetails: "Photo page relaminated"}, now.Add(2*time.Hour))
	d := c.Support.AbroadRecords.Documents[0]
	if d.Number != "AL1234567" || d.KindLabel() != "Passport" || d.SeenBy != "PC Hale" || d.GenuinenessLabel() != "There are doubts that it is genuine" {
		t.Errorf("document = %+v", d)
	}
	if !strings.Contains(e.Summary(), "doubts") || strings.Contains(e.Summary(), "AL1234567") {
		t.Errorf("timeline line %q", e.Summary())
	}
}

// §7.6: the child has a trusted adult, kept the same: a change needs a
// reason, and the history of key workers is kept.
func TestTheKeyWorkerChangesOnlyWithAReason(t *testing.T) {
	p := pathway.New(cat)
	c := supCase(t)
	_, err := p.Decide(c, teacher, pathway.NameKeyWorker{Name: "Ana", Role: "Foster carer", From: "2026-03-10"}, now.Add(2*time.Hour))
	wantRefused(t, err, waymark.EFORBIDDEN, "", "Only Children's Services")
	c, _ = mustDecide(t, c, supSocialWorker, pathway.NameKeyWorker{Name: "Ana Berisha", Role: "Foster carer", From: "2026-03-10", Reason: "ignored the first time"}, now.Add(2*time.Hour))
	if k := c.Support.AbroadRecords.KeyWorker(); k == nil || k.Name != "Ana Berisha" || k.Reason != "" {
		t.Fatalf("key worker = %+v", k)
	}
	_, err = p.Decide(c, supSocialWorker, pathway.NameKeyWorker{Name: "Joe Marsh", Role: "Residential worker", From: "2026-03-10"}, now.Add(3*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "reason", "same trusted adult")
	_, err = p.Decide(c, supSocialWorker, pathway.NameKeyWorker{Name: "ana berisha", Role: "Foster carer", From: "2026-03-10", Reason: "again"}, now.Add(3*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "name", "already the child's key worker")
	c, _ = mustDecide(t, c, supSocialWorker, pathway.NameKeyWorker{Name: "Joe Marsh", Role: "Residential worker", From: "2026-03-10", Reason: "The child moved to a children's home"}, now.Add(3*time.Hour))
	ks := c.Support.AbroadRecords.KeyWorkers
	if len(ks) != 2 || c.Support.AbroadRecords.KeyWorker().Name != "Joe Marsh" || ks[1].Reason == "" {
		t.Errorf("history = %+v", ks)
	}
}

func hasField(err error, field string) bool {
	for _, f := range waymark.ErrorFields(err) {
		if f.Field == field {
			return true
		}
	}
	return false
}
