package nrm_test

import (
	"testing"
	"time"

	"waymark/internal/nrm"
	"waymark/internal/pathway"
)

// The golden cases: five children's stories, each told twice. Once here,
// as the pathway would record it, every step a command the pathway decides;
// and once in testdata/golden/<name>.json, as the story in words with the
// answers a First Responder would give the Home Office form, written from
// the story and never from what the assembler proposes. The two §5.2 case
// studies come first; the others are written from the procedure (§5.1–5.3).
// All people are invented; the places are real towns, so that the form's
// lists have an answer for them.

// The people of the Bristol partnership in the golden stories.
var (
	gOutreach   = actor("user-g-outreach", "Rosa Quinn", "org-g-outreach", "Harbour Street Outreach", pathway.RolePractitioner, false, false)
	gFrontDoor  = actor("user-g-front-door", "Priya Shah", "org-bcc", "Bristol City Council Children's Services", pathway.RoleChildrensServices, true, true)
	gSocial     = actor("user-g-sw", "Daniel Hughes", "org-bcc", "Bristol City Council Children's Services", pathway.RoleSocialWorker, true, true)
	gPolice     = actor("user-g-police", "DC Laura Bennett", "org-asp", "Avon and Somerset Constabulary", pathway.RoleFirstResponder, false, true)
	gTransport  = actor("user-g-btp", "PC Sam Dale", "org-btp", "British Transport Police", pathway.RoleFirstResponder, false, true)
	gTeacher    = actor("user-g-teacher", "Megan Ellis", "org-g-school", "Bedminster Down School", pathway.RolePractitioner, false, false)
	gHealth     = actor("user-g-hv", "Joy Barker", "org-g-health", "Bath Community Health", pathway.RolePractitioner, false, false)
	gBathDoor   = actor("user-g-bath-door", "Ian Moss", "org-bathnes", "Bath and North East Somerset Children's Services", pathway.RoleChildrensServices, true, true)
	gBathSocial = actor("user-g-bath-sw", "Ruth Adams", "org-bathnes", "Bath and North East Somerset Children's Services", pathway.RoleSocialWorker, true, true)
)

// goldenContext is what casework would give the assembler for the golden
// cases: the drafter, the organisations as an administrator mapped them to
// the form's lists, the staff's work details and the files on the case.
func goldenContext(drafter pathway.Actor, la string, files ...nrm.Attachment) nrm.Context {
	return nrm.Context{
		Drafter: &drafter,
		Organisations: map[string]nrm.HOMapping{
			"org-bcc": {Organisation: "Bristol City Council", LocalAuthority: "Bristol City Council",
				LocalAuthorityPhone: "0117 903 6444", LocalAuthorityEmail: "first.response@bristol.example"},
			"org-bathnes": {Organisation: "Bath and North East Somerset Council", LocalAuthority: "Bath and North East Somerset Council",
				LocalAuthorityPhone: "01225 396312", LocalAuthorityEmail: "childrens.services@bathnes.example"},
			"org-asp": {Organisation: "Avon and Somerset Constabulary", PoliceForce: "Avon and Somerset Constabulary"},
			"org-btp": {Organisation: "British Transport Police", PoliceForce: "British Transport Police"},
		},
		Partnership: nrm.HOMapping{LocalAuthority: la, PoliceForce: "Avon and Somerset Constabulary"},
		Attachments: files,
		Staff: map[string]nrm.StaffProfile{
			gSocial.UserID:     {JobTitle: "Social worker", Phone: "0117 903 0001", AwayEmail: "first.response@bristol.example"},
			gPolice.UserID:     {JobTitle: "Detective Constable", Phone: "0117 945 5001", AwayEmail: "exploitation.team@avonandsomerset.example"},
			gBathSocial.UserID: {JobTitle: "Social worker", Phone: "01225 396000", AwayEmail: "childrens.services@bathnes.example"},
		},
	}
}

func file(id, name, what string, at time.Time) nrm.Attachment {
	return nrm.Attachment{ID: id, Name: name, Type: "application/pdf", Size: 180_000, Uploaded: at, What: what}
}

// goldenMeeting convenes and holds the meeting that agrees the NRM referral
// with lead as lead First Responder.
func (s *story) goldenMeeting(by, lead pathway.Actor, notes string, invitees ...pathway.Actor) *story {
	var emails []string
	var parties []pathway.Party
	for _, a := range invitees {
		emails = append(emails, a.UserID+"@example.test")
		parties = append(parties, a.Party)
	}
	s.do(by, pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: s.now.Add(2 * time.Hour), InviteeEmails: emails, Invitees: parties})
	s.after(3 * time.Hour)
	// Attendees are chosen from the meeting's people (§6.8) and resolved as
	// the use case resolves them: each shows as "Name, Organisation".
	ids := []string{pathway.AttendeeUser(by.UserID)}
	staff := map[string]pathway.StaffAttendee{ids[0]: {Party: by.Party}}
	for _, a := range invitees {
		id := pathway.AttendeeUser(a.UserID)
		ids = append(ids, id)
		staff[id] = pathway.StaffAttendee{Party: a.Party}
	}
	no, yes := false, true
	return s.do(by, pathway.RecordMeetingHeld{
		AttendeeIDs: ids, Staff: staff, NRMDecision: pathway.NRMSubmit, LeadOrgID: lead.OrgID,
		LeadOrg:                   pathway.LeadOrganisation{ID: lead.OrgID, Name: lead.OrgName, FirstResponder: true},
		ChildProtectionConference: &yes, ChildProtectionPlan: &no, InformationSharedWithPolice: &yes, Notes: notes,
	})
}

var twiFemale = pathway.RegisteredInterpreter{ID: "int-g-twi", Name: "Akosua Mensah", Languages: []string{"Twi", "English"}, Gender: "female",
	Professional: true, Approved: true, DBSCheckedOn: "2025-09-01", Active: true}

var vietnameseNorthern = pathway.RegisteredInterpreter{ID: "int-g-vi", Name: "Linh Pham", Languages: []string{"Vietnamese"}, Dialects: []string{"Northern"},
	Gender: "female", Professional: true, Approved: true, DBSCheckedOn: "2025-11-12", Active: true}

// goldenCase is one golden case: its builder, the moment the referral is
// drafted, and the context casework would give.
type goldenCase struct {
	name  string
	build func(testing.TB) pathway.Case
	now   time.Time
	ctx   func() nrm.Context
}

var goldenCases = []goldenCase{
	{"holiday-girl", holidayGirl, time.Date(2026, 3, 4, 17, 0, 0, 0, time.UTC), func() nrm.Context {
		return goldenContext(gSocial, "Bristol City Council",
			file("f1", "sarc-medical-report.pdf", "SARC medical report, 3 March 2026", time.Date(2026, 3, 3, 15, 0, 0, 0, time.UTC)),
			file("f2", "strategy-discussion-record.pdf", "Strategy discussion record, 3 March 2026", time.Date(2026, 3, 3, 18, 0, 0, 0, time.UTC)))
	}},
	{"train-boy", trainBoy, time.Date(2026, 2, 24, 10, 0, 0, 0, time.UTC), func() nrm.Context {
		return goldenContext(gPolice, "Bristol City Council",
			file("f1", "return-home-interview.pdf", "Return home interview record, 21 February 2026", time.Date(2026, 2, 21, 16, 0, 0, 0, time.UTC)),
			file("f2", "strategy-discussion-record.pdf", "Strategy discussion record, 10 February 2026", time.Date(2026, 2, 10, 16, 0, 0, 0, time.UTC)))
	}},
	{"cannabis-boy", cannabisBoy, time.Date(2026, 1, 16, 10, 0, 0, 0, time.UTC), func() nrm.Context {
		return goldenContext(gSocial, "Bristol City Council",
			file("f1", "police-warrant-record.pdf", "Police warrant record, 13 January 2026", time.Date(2026, 1, 13, 20, 0, 0, 0, time.UTC)),
			file("f2", "age-assessment-referral.pdf", "Age assessment referral, 14 January 2026", time.Date(2026, 1, 14, 12, 0, 0, 0, time.UTC)))
	}},
	{"house-girl", houseGirl, time.Date(2026, 2, 17, 10, 0, 0, 0, time.UTC), func() nrm.Context {
		return goldenContext(gPolice, "Bath and North East Somerset Council",
			file("f1", "health-visitor-referral.pdf", "Health visitor's referral, 12 February 2026", time.Date(2026, 2, 12, 16, 0, 0, 0, time.UTC)),
			file("f2", "police-protection-record.pdf", "Police protection record, 13 February 2026", time.Date(2026, 2, 13, 19, 0, 0, 0, time.UTC)))
	}},
	{"party-girl", partyGirl, time.Date(2026, 2, 27, 10, 0, 0, 0, time.UTC), func() nrm.Context {
		return goldenContext(gSocial, "Bristol City Council",
			file("f1", "police-report.pdf", "Police report, 20 February 2026", time.Date(2026, 2, 20, 23, 0, 0, 0, time.UTC)),
			file("f2", "school-safeguarding-chronology.pdf", "School safeguarding chronology, 23 February 2026", time.Date(2026, 2, 23, 15, 0, 0, 0, time.UTC)))
	}},
}

// holidayGirl: the first case study of §5.2 (testdata/golden/holiday-girl.json).
func holidayGirl(t testing.TB) pathway.Case {
	start := time.Date(2026, 3, 2, 22, 40, 0, 0, time.UTC)
	s := newStory(t, start)
	s.after(50*time.Minute).raise2(gOutreach, "case-g-holiday", "org-bcc", pathway.Concern{
		Child: pathway.Child{GivenNames: "Adjoa", FamilyName: "Asante", DateOfBirth: "2013-11-20", Gender: "female", Nationality: "Ghanaian",
			Languages: []string{"Twi"}, CurrentLocation: "With the outreach team and police at Bristol bus station"},
		IdentifiedAt:    start,
		IdentifiedWhere: "Bristol bus station, sleeping in the shelter by bay 4",
		Summary: "Adjoa was sleeping rough at the bus station. Through a phone interpreter she said a family friend, Auntie Akosua, told her mother she could come to the UK for a holiday, " +
			"then left her in a house on Stapleton Road in Easton with a man called Kofi. Men came to the house every day and made her have sex with them; Kofi hit her. " +
			"She got out through a back door on 14 February and has slept outside since.",
		ImmediateRisk: true, PoliceInformed: true, PoliceReference: "5226-0302-117",
		ExploitationTypes: []string{"sexual"},
		Indicators: []pathway.ObservedIndicator{
			seen("abroad.brought-from-another-country", "Says Auntie Akosua flew with her from Accra to London Heathrow in June 2025."),
			seen("abroad.journey-arranged-by-others", "The family friend arranged the journey and kept the passport."),
			seen("abroad.no-or-false-documents", "Has no passport or papers of any kind."),
			seen("general.signs-of-abuse", "Bruising on both wrists; flinches when anyone moves near her."),
			seen("general.malnourished", "Very thin; was given one meal a day."),
			seen("general.few-possessions", "Owns the clothes she is wearing and a carrier bag."),
			seen("abroad.limited-english", "Speaks a few words of English; Twi is her language."),
			seen("disclosure.reluctant-to-give-information", "Would not say at first where the house is."),
		},
		ImmediateActions: []string{"immediate-risk-assessed", "police-called-if-in-danger", "safe-accommodation-arranged", "urgent-health-needs-met", "interpreter-arranged"},
	})
	s.after(40*time.Minute).do(gFrontDoor, pathway.RecordContact{Reference: "CS-2026-000311", Method: "phone", Note: "Call from the outreach worker"})
	s.do(gFrontDoor, pathway.AssignWorker{WorkerEmail: "daniel@example.test", Worker: gSocial.Party, WorkerRole: gSocial.Role})
	s.after(time.Hour).do(gSocial, pathway.StartPlacement{StartedAt: s.now.Add(-10 * time.Minute), PlacementType: "foster-care", Address: "1 Confidential Close, Bristol", WhereaboutsConfidential: true})
	s.do(gSocial, pathway.RecordChildFromAbroad{AccommodationBasis: "section-20", DocumentsChecked: true, PhotographOnFile: true,
		Notes: "Born in Asankrangwa, Western Region, Ghana. Flew from Accra to Heathrow on 14 June 2025, then by coach to Bristol."})
	s.after(10*time.Hour).do(gSocial, pathway.RecordLinkedPerson{Name: "Kofi", Relationship: pathway.RelationshipSuspectedExploiter,
		Notes: "About 35, speaks Twi and English, scar on his left cheek; the house on Stapleton Road, Easton"})
	s.do(gSocial, pathway.RecordLinkedPerson{Name: "Auntie Akosua", Relationship: pathway.RelationshipSuspectedExploiter,
		Notes: "The family friend who brought her; about 40, speaks Twi and English, gold front tooth"})
	s.do(gSocial, pathway.RecordStrategyDiscussion{HeldAt: s.now.Add(-time.Hour), Participants: []string{"Daniel Hughes, Bristol City Council", "DC Laura Bennett, Avon and Somerset Constabulary"},
		Section47: true, JointInterview: true, Notes: "Joint achieving best evidence interview with a female Twi interpreter."})
	s.do(gSocial, pathway.BookInterpreter{InterpreterID: twiFemale.ID, Interpreter: &twiFemale, GenderPreference: "female", Language: "Twi"})
	s.do(gSocial, pathway.PlanInterview{PlannedFor: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC), Interviewers: []string{"DC Laura Bennett", "Daniel Hughes"}, InterpreterID: twiFemale.ID, Interpreter: &twiFemale})
	s.do(gSocial, pathway.RecordSupport{Kind: pathway.SupportMedical, Status: pathway.SupportInPlace, Provider: "The Bridge sexual assault referral centre", Notes: "Examined on 3 March 2026"})
	s.do(gSocial, pathway.RecordSupport{Kind: pathway.SupportCAMHS, Status: pathway.SupportRequested, Provider: "Bristol CAMHS"})
	s.after(24*time.Hour).goldenMeeting(gSocial, gSocial, "Children's Services refer her to the NRM; police investigate the house on Stapleton Road.", gPolice)
	// What the team learnt, where it learnt it (§8.8), and the places chosen from the form's lists.
	s.do(gSocial, pathway.RecordSituation{LearntAt: pathway.LearntAtInterview, ToldBy: "Adjoa, at her joint interview with a Twi interpreter",
		LivingConditions: "Kept in a house on Stapleton Road, Easton, with the door locked; slept on a mattress on the floor of a back bedroom; given one meal a day.",
		Treatment:        "Kofi hit her when she cried or refused; she was locked in and made to have sex with the men who came to the house every day.",
		StillInSituation: "no",
		HowTheyLeft:      "She got out through a back door left unlocked on 14 February 2026 and slept rough around Bristol bus station until an outreach worker found her on 2 March 2026.",
		LastContact:      "within-the-last-month", LastContactDetails: "No contact with Kofi, Auntie Akosua or the men since she ran away on 14 February 2026.",
		ExploitationWhen:      "From 14 June 2025, when she arrived in the UK, to 14 February 2026, when she got away.",
		HowItStarted:          "In June 2025 a family friend, Auntie Akosua, told her mother that Adjoa could come to the UK for a holiday with her.",
		Exploiters:            "Kofi, about 35, speaks Twi and English, scar on his left cheek; Auntie Akosua, about 40, speaks Twi and English, gold front tooth; and the men who came to the house.",
		ExploitersWhereabouts: "uk", ExploitersDetails: "Last known at the house on Stapleton Road, Easton, Bristol.",
		OtherVictims: "yes", OtherVictimsDetails: "She told her foster carer that other girls were kept in the house.",
		ReportedToPolice: "yes", CrimeReference: "5226-0302-117", ReportedBefore: "no",
		HelpInvestigation: "yes", HelpDetails: "Gave a joint achieving best evidence interview on 4 March 2026 and wants the police to find the men.",
		HasChildren: "no", CommunicationNeeds: "no",
		Birthplace: "Asankrangwa, Western Region, Ghana",
		Family:     "Her mother, her grandmother and her two younger brothers live in Asankrangwa; her father died when she was small.",
		Education:  "The village primary school up to Class 5; she has not been to school in the UK.",
	})
	s.do(gSocial, pathway.RecordChildOrigin{Nationality: "Ghanaian", NationalityWords: "Ghanaian", CountryOfBirth: "Ghana", BirthWords: "Asankrangwa, Western Region"})
	s.do(gSocial, pathway.RecordExploitationPlaces{UKTowns: []string{"Bristol"}, UKWords: "A house on Stapleton Road, Easton"})
	s.do(gSocial, pathway.RecordWhereChildIsNow{Town: "Bristol", Region: "Bristol", Words: "In foster care"})
	s.do(gSocial, pathway.AddNote{Text: "Adjoa told her foster carer that other girls were kept in the house."})
	return s.c
}

// trainBoy: the second case study of §5.2 (testdata/golden/train-boy.json).
func trainBoy(t testing.TB) pathway.Case {
	start := time.Date(2026, 2, 9, 16, 5, 0, 0, time.UTC)
	s := newStory(t, start)
	s.after(2*time.Hour).raise2(gTransport, "case-g-train", "org-bcc", pathway.Concern{
		Child: pathway.Child{GivenNames: "Tyrese", FamilyName: "Campbell", Aliases: []string{"Little T"}, DateOfBirth: "2009-09-03", Gender: "male", Nationality: "British",
			Languages: []string{"English"}, CurrentLocation: "Bath custody suite with an appropriate adult"},
		IdentifiedAt:    start,
		IdentifiedWhere: "Platform 1 at Weston-super-Mare station, off the train from Bristol Temple Meads",
		Summary: "Tyrese swore at the ticket inspector and got off at Weston-super-Mare to dodge the fare. Officers found twelve wraps of cocaine and a kitchen knife. " +
			"He is wanted for a theft. He said selling is his choice and nobody makes him do anything.",
		ImmediateRisk: true, PoliceInformed: true, PoliceReference: "BTP-26-0209-0442",
		ExploitationTypes: []string{"county-lines", "sexual"},
		Indicators: []pathway.ObservedIndicator{
			seen("general.moving-drugs", "Twelve wraps of cocaine; tickets between Bristol, Weston-super-Mare and Exeter."),
			seen("general.travelling-alone-far-from-home", "Alone on trains across the South West."),
			seen("disclosure.claims-agency", "Insists selling drugs is his own choice."),
			seen("general.self-harm-or-suicidal", "Fresh cuts on his forearm; he often harms himself."),
			seen("general.assault-or-restraint-injuries", "Stabbed on the way home from college in January 2026 and needed major surgery."),
			seen("general.long-missing-episodes", "Missing for weeks at a time, three times since October 2025."),
			seen("general.sleep-deprived", "Nightmares and little sleep."),
			seen("disclosure.male-victim-barriers", "Told the appropriate adult about group sex arranged by older friends."),
		},
		ImmediateActions: []string{"immediate-risk-assessed", "urgent-health-needs-met", "designated-lead-notified"},
	})
	s.after(time.Hour).do(gFrontDoor, pathway.RecordContact{Reference: "CS-2026-000190", Method: "phone", Note: "Call from British Transport Police"})
	s.after(time.Hour).do(gFrontDoor, pathway.RecordOutcome{Decision: "strategy-discussion", NextStep: "Strategy discussion tomorrow with the police"})
	s.do(gFrontDoor, pathway.AssignWorker{WorkerEmail: "daniel@example.test", Worker: gSocial.Party, WorkerRole: gSocial.Role})
	s.after(18*time.Hour).do(gSocial, pathway.RecordStrategyDiscussion{HeldAt: s.now.Add(-time.Hour), Participants: []string{"Daniel Hughes, Bristol City Council", "DC Laura Bennett, Avon and Somerset Constabulary", "Sam Ortiz, Bristol Youth Justice Service"},
		Section47: true, Notes: "Police interviewed him at Bath custody with a solicitor and an appropriate adult; Children's Services to see him at home with his mother."})
	s.do(gSocial, pathway.RecordLinkedPerson{Name: "Marcia Campbell", Relationship: pathway.RelationshipParent, Notes: "Mother; reported each missing episode"})
	s.do(gSocial, pathway.RecordLinkedPerson{Name: "Dex, also called D-Money", Relationship: pathway.RelationshipSuspectedExploiter, Notes: "About 22, white BMW, runs a line from Bristol to Weston-super-Mare and Exeter; lives in Knowle West"})
	s.do(gSocial, pathway.RecordLinkedPerson{Name: "Tyrell", Relationship: pathway.RelationshipOther, Notes: "A 15-year-old found running the same line in January"})
	s.after(11*24*time.Hour).do(gSocial, pathway.ReportMissing{StartedAt: s.now.Add(-50 * time.Hour), Circumstances: "Did not come home from college", PoliceInformed: true, PoliceReference: "5226-0218-301"})
	s.after(time.Hour).do(gSocial, pathway.RecordFound{EndedAt: s.now.Add(-20 * time.Hour), WhereFound: "A flat in Weston-super-Mare the line had taken over, by the police"})
	s.after(time.Hour).do(gSocial, pathway.RecordReturnInterview{HeldAt: s.now.Add(-time.Hour), By: "Sam Ortiz, Youth Justice Service",
		Disclosed: "It began in October 2025 when older boys at college paid him to carry packages on the train. Dex says he owes £600 for a phone and the drugs the police took and must work it off; Dex said he would hurt his sister if he stopped.", NotDisclosed: "The flat's address"})
	s.do(gSocial, pathway.RecordSupport{Kind: pathway.SupportCriminalLegalAdvice, Status: pathway.SupportInPlace, Provider: "Harbour Law"})
	s.do(gSocial, pathway.RecordSupport{Kind: pathway.SupportCAMHS, Status: pathway.SupportInPlace, Provider: "Bristol CAMHS"})
	s.after(40*time.Hour).goldenMeeting(gSocial, gPolice, "Avon and Somerset Constabulary refer him to the NRM.", gPolice)
	// What the team learnt, where it learnt it (§8.8), and the places chosen from the form's lists.
	s.do(gSocial, pathway.RecordSituation{LearntAt: pathway.LearntAtOther, ToldBy: "Tyrese, at his return home interview with Sam Ortiz",
		LivingConditions: "At home with his mother in Knowle West; when missing he slept on a sofa in a flat in Weston-super-Mare the line had taken over, with little food.",
		Treatment:        "Dex says he owes £600 for a phone and the drugs the police took and must work it off, and threatened to hurt his sister if he stops.",
		StillInSituation: "yes", WhatKeepsThem: "The debt Dex says he owes, and Dex's threat to hurt his sister.",
		LastContact: "within-the-last-week", LastContactDetails: "Dex messaged him on 22 February 2026 demanding the money.",
		ExploitationWhen:      "Criminal exploitation on the line from October 2025; sexual exploitation at parties arranged by older friends from December 2025; both continuing.",
		HowItStarted:          "In October 2025 older boys at college offered him cash and cannabis to carry packages on the train; then Dex said he owed him for a phone and drugs.",
		Exploiters:            "Dex, also called D-Money, about 22, drives a white BMW and runs a line selling drugs from Bristol to Weston-super-Mare and Exeter; older friends who arranged group sex.",
		ExploitersWhereabouts: "uk", ExploitersDetails: "Dex lives in Knowle West, Bristol.",
		OtherVictims: "yes", OtherVictimsDetails: "Tyrell, 15, was found running the same line in January 2026.",
		ReportedToPolice: "yes", CrimeReference: "5226-0212-0815", ReportedBefore: "no",
		HelpInvestigation: "no", HasChildren: "no", CommunicationNeeds: "no",
		Birthplace: "Southmead Hospital, Bristol",
		Family:     "Lives with his mother Marcia and his sister, who is 14; his father is not in touch.",
		Education:  "On a motor vehicle course at City of Bristol College.",
	})
	s.do(gSocial, pathway.RecordChildOrigin{Nationality: "British", BirthWords: "Southmead Hospital, Bristol"})
	s.do(gSocial, pathway.RecordExploitationPlaces{UKTowns: []string{"Bristol", "Weston-Super-Mare", "Exeter"}})
	s.do(gSocial, pathway.RecordWhereChildIsNow{Town: "Bristol", Region: "Bristol", Words: "At home with his mother"})
	return s.c
}

// cannabisBoy: a boy from Vietnam made to tend cannabis (testdata/golden/cannabis-boy.json).
func cannabisBoy(t testing.TB) pathway.Case {
	start := time.Date(2026, 1, 13, 6, 15, 0, 0, time.UTC)
	s := newStory(t, start)
	s.after(4*time.Hour).raise2(gPolice, "case-g-cannabis", "org-bcc", pathway.Concern{
		Child: pathway.Child{GivenNames: "Minh", FamilyName: "Tran", Aliases: []string{"Tuan"}, EstimatedAge: 15, AgeUncertain: true, Gender: "male", Nationality: "Vietnamese",
			Languages: []string{"Vietnamese"}, Dialect: "Northern", CurrentLocation: "Bristol police station"},
		IdentifiedAt:    start,
		IdentifiedWhere: "A house on Lodge Causeway, Fishponds, Bristol, during a police warrant",
		Summary: "Police found Minh alone in a house where every room was given over to growing cannabis. The windows were boarded and the door locked from outside. " +
			"He had a mattress in the loft and a rice cooker. He says he is 15 and came by lorry.",
		ImmediateRisk: true, PoliceInformed: true, PoliceReference: "5226-0113-009",
		ExploitationTypes: []string{"criminal", "labour"},
		Indicators: []pathway.ObservedIndicator{
			seen("general.cannabis-farm-or-cuckooed-home", "Found alone tending the plants; his hands were stained and cut."),
			seen("labour.restricted-movement", "The door was locked from outside and the windows boarded."),
			seen("general.poor-living-conditions", "Slept on a mattress in the loft next to the lamps' wiring."),
			seen("abroad.entered-illegally", "Says he came hidden in a lorry from France."),
			seen("abroad.no-or-false-documents", "No passport or identity papers."),
			seen("abroad.fears-removal", "Asked several times whether he would be sent back."),
			seen("disclosure.coached-narrative", "Told the same short story to each officer, in the same words."),
		},
		ImmediateActions: []string{"immediate-risk-assessed", "safe-accommodation-arranged", "interpreter-arranged", "early-legal-advice"},
	})
	s.after(time.Hour).do(gFrontDoor, pathway.RecordContact{Reference: "CS-2026-000042", Method: "phone", Note: "Call from Avon and Somerset Constabulary"})
	s.do(gFrontDoor, pathway.AssignWorker{WorkerEmail: "daniel@example.test", Worker: gSocial.Party, WorkerRole: gSocial.Role})
	s.after(time.Hour).do(gSocial, pathway.RecordChildFromAbroad{UASC: true, AccommodationBasis: "section-20", DocumentsChecked: true, PhotographOnFile: true, MissingEducationChecked: true,
		ImmigrationOptions: []string{"asylum", "modern-slavery-leave"}, Notes: "From a village in Nghe An province; flew to Moscow, by lorry across Europe to a camp near Calais, then hidden in a lorry to England in December 2025."})
	s.do(gSocial, pathway.RecordUKVIConcern{RaisedAt: s.now.Add(-30 * time.Minute), Details: "Immigration Enforcement officers at the warrant, reference IE-26-0113-BR"})
	s.do(gSocial, pathway.BookInterpreter{InterpreterID: vietnameseNorthern.ID, Interpreter: &vietnameseNorthern, GenderPreference: "none", Language: "Vietnamese", Dialect: "Northern"})
	s.do(gSocial, pathway.StartPlacement{StartedAt: s.now.Add(-10 * time.Minute), PlacementType: "foster-care", Address: "7 Hidden Row, Bristol", WhereaboutsConfidential: true})
	s.do(gSocial, pathway.RequestAgeAssessment{Reason: "No documents; he says he is 15 and is treated as a child meanwhile"})
	s.do(gSocial, pathway.RecordLinkedPerson{Name: "Anh Hai", Relationship: pathway.RelationshipSuspectedExploiter, Notes: "Locked him in and brought food twice a week"})
	s.do(gSocial, pathway.RecordLinkedPerson{Name: "Chu Long", Relationship: pathway.RelationshipSuspectedExploiter, Notes: "Came with Anh Hai; said his mother would be hurt if he ran"})
	s.do(gSocial, pathway.RecordSupport{Kind: pathway.SupportImmigrationLegalAdvice, Status: pathway.SupportInPlace, Provider: "Bristol Refugee Law", OISCRegulated: ptr(true)})
	s.do(gSocial, pathway.RecordSupport{Kind: pathway.SupportICTG, Status: pathway.SupportRequested, Provider: "Independent Child Trafficking Guardian service"})
	s.after(50*time.Hour).goldenMeeting(gSocial, gSocial, "Children's Services refer him to the NRM; the carer keeps him close for the first weeks.", gPolice)
	// What the team learnt, where it learnt it (§8.8), and the places chosen from the form's lists.
	s.do(gSocial, pathway.RecordSituation{LearntAt: pathway.LearntAtOther, ToldBy: "Minh, with a Vietnamese interpreter",
		LivingConditions: "Locked in a house in Fishponds given over to cannabis, windows boarded; slept on a mattress in the loft next to the lamps' wiring, with a rice cooker and rice.",
		Treatment:        "Locked in, made to tend the plants all day for no pay, told the work paid off his family's debt and that his mother would be hurt if he ran.",
		StillInSituation: "no", HowTheyLeft: "The police found him during a warrant on 13 January 2026.",
		LastContact: "within-the-last-week", LastContactDetails: "The men last came to the house with food on 11 January 2026.",
		ExploitationWhen:      "From about 20 December 2025 to 13 January 2026.",
		HowItStarted:          "In summer 2025 men in his village offered him work in the UK to pay a family debt; his family borrowed 20,000 dollars from them.",
		Exploiters:            "Two men he knows as Anh Hai and Chu Long, who locked him in and brought food twice a week.",
		ExploitersWhereabouts: "not-known",
		OtherVictims:          "not-sure", OtherVictimsDetails: "He thinks another boy was moved out of the house the week before.",
		ReportedToPolice: "yes", CrimeReference: "5226-0113-009", ReportedBefore: "no",
		HelpInvestigation: "yes", HelpDetails: "He has agreed to be interviewed by the police with an interpreter.",
		HasChildren: "no", CommunicationNeeds: "no",
		Birthplace: "A village in Nghe An province, Vietnam",
		Family:     "His mother and younger sister live in Nghe An; his father died.",
		Education:  "He left school at 12 to work on the family's rice farm.",
	})
	s.do(gSocial, pathway.RecordChildOrigin{Nationality: "Vietnamese", CountryOfBirth: "Vietnam", BirthWords: "A village in Nghe An province"})
	s.do(gSocial, pathway.RecordExploitationPlaces{UKTowns: []string{"Bristol"}, UKWords: "A house on Lodge Causeway, Fishponds"})
	s.do(gSocial, pathway.RecordWhereChildIsNow{Town: "Bristol", Region: "Bristol", Words: "In foster care"})
	s.do(gSocial, pathway.AddNote{Text: "Minh said another boy was moved out of the house the week before. His family borrowed 20,000 dollars from the men."})
	return s.c
}

// houseGirl: a girl brought from Nigeria for domestic servitude (testdata/golden/house-girl.json).
func houseGirl(t testing.TB) pathway.Case {
	start := time.Date(2026, 2, 12, 11, 0, 0, 0, time.UTC)
	s := newStory(t, start)
	s.after(2*time.Hour).raise2(gHealth, "case-g-house", "org-bathnes", pathway.Concern{
		Child: pathway.Child{GivenNames: "Blessing", FamilyName: "Okoro", Aliases: []string{"Grace Adeyemi"}, DateOfBirth: "2011-10-05", Gender: "female", Nationality: "Nigerian",
			Languages: []string{"English", "Edo"}, CurrentLocation: "At the Adeyemis' home in Twerton, Bath"},
		IdentifiedAt:    start,
		IdentifiedWhere: "The Adeyemis' home in Twerton, Bath, at a health visitor's visit for their baby",
		Summary: "A girl of about 14 was cooking and looking after three children during my visit. She is not at school. She said she came from Lagos with the family in August 2025, " +
			"that she sleeps on the kitchen floor, is not allowed out and that Mrs Adeyemi beats her with a belt.",
		PoliceInformed: true, PoliceReference: "5226-0213-044", FamilySuspected: true,
		ExploitationTypes: []string{"domestic-servitude"},
		Indicators: []pathway.ObservedIndicator{
			seen("labour.household-chores", "Cooks, cleans and looks after three children all day."),
			seen("general.no-time-to-play", "Not allowed out alone or to school."),
			seen("general.poor-living-conditions", "Sleeps on a mat on the kitchen floor; eats what is left over."),
			seen("general.signs-of-abuse", "Marks on her arms from a belt."),
			seen("abroad.no-or-false-documents", "Travelled on a passport in the name of Grace Adeyemi."),
		},
		ImmediateActions: []string{"immediate-risk-assessed", "designated-lead-notified"},
	})
	s.after(time.Hour).do(gBathDoor, pathway.RecordContact{Reference: "CS-2026-000512", Method: "phone", Note: "Call from the health visitor"})
	s.do(gBathDoor, pathway.AssignWorker{WorkerEmail: "ruth@example.test", Worker: gBathSocial.Party, WorkerRole: gBathSocial.Role})
	s.after(20*time.Hour).do(gBathSocial, pathway.StartPlacement{StartedAt: s.now.Add(-time.Hour), PlacementType: "foster-care", Address: "3 Quiet Lane, Bristol", WhereaboutsConfidential: true})
	s.do(gBathSocial, pathway.RecordChildFromAbroad{AccommodationBasis: "section-20", DocumentsChecked: true, PhotographOnFile: true, MissingEducationChecked: true,
		Notes: "Born in Benin City, Edo State; raised by her grandmother. With the Adeyemis in Lagos (Surulere) from late 2022; flew Lagos to Heathrow in August 2025 as their daughter Grace Adeyemi."})
	s.do(gBathSocial, pathway.RecordLinkedPerson{Name: "Funke Adeyemi", Relationship: pathway.RelationshipSuspectedExploiter, Notes: "About 45; Twerton, Bath"})
	s.do(gBathSocial, pathway.RecordLinkedPerson{Name: "Tunde Adeyemi", Relationship: pathway.RelationshipSuspectedExploiter, Notes: "About 50; Twerton, Bath"})
	s.after(time.Hour).do(gBathSocial, pathway.RecordStrategyDiscussion{HeldAt: s.now.Add(-time.Hour), Participants: []string{"Ruth Adams, Bath and North East Somerset Council", "DC Laura Bennett, Avon and Somerset Constabulary", "Joy Barker, health visitor"},
		Section47: true, Notes: "Police protection taken on 13 February; DC Bennett and Ruth Adams to see her at the foster home."})
	s.after(72*time.Hour).goldenMeeting(gBathSocial, gPolice, "Avon and Somerset Constabulary refer her to the NRM.", gPolice)
	// What the team learnt, where it learnt it (§8.8), and the places chosen from the form's lists.
	s.do(gBathSocial, pathway.RecordSituation{LearntAt: pathway.LearntAtOther, ToldBy: "Blessing, at the foster home on 14 February 2026",
		LivingConditions: "Slept on a mat on the kitchen floor and ate what was left over.",
		Treatment:        "Mrs Adeyemi beat her with a belt; she was not allowed out alone or to school and worked from five in the morning until late for no pay.",
		StillInSituation: "no", HowTheyLeft: "A health visitor noticed her and referred her; the police took her into police protection on 13 February 2026.",
		LastContact: "within-the-last-month", LastContactDetails: "No contact with the Adeyemis since 13 February 2026.",
		ExploitationWhen:      "From late 2022 in Lagos, and in Bath from August 2025, until 13 February 2026.",
		HowItStarted:          "In late 2022 Mrs Funke Adeyemi, from church, told her grandmother she would take Blessing to Lagos, send her to school and pay her fees, in return for a little help at home.",
		Exploiters:            "Funke Adeyemi, about 45, and Tunde Adeyemi, about 50.",
		ExploitersWhereabouts: "uk", ExploitersDetails: "At their home in Twerton, Bath.",
		OtherVictims:     "no",
		ReportedToPolice: "yes", CrimeReference: "5226-0213-044", ReportedBefore: "no",
		HelpInvestigation: "yes", HelpDetails: "She wants to help the police and has given a first account to DC Laura Bennett.",
		HasChildren: "no", CommunicationNeeds: "no",
		Birthplace: "Benin City, Edo State, Nigeria",
		Family:     "Raised by her grandmother in Benin City after her mother died; she does not know her father.",
		Education:  "Primary school in Benin City until she was 11; no school since.",
	})
	s.do(gBathSocial, pathway.RecordChildOrigin{Nationality: "Nigerian", CountryOfBirth: "Nigeria", BirthWords: "Benin City, Edo State"})
	s.do(gBathSocial, pathway.RecordExploitationPlaces{UKTowns: []string{"Bath"}, Countries: []string{"Nigeria"},
		UKWords: "The Adeyemis' home in Twerton, Bath", OverseasWords: "The Adeyemis' house in Surulere, Lagos"})
	s.do(gBathSocial, pathway.RecordWhereChildIsNow{Town: "Bristol", Region: "Bristol", Words: "In foster care"})
	return s.c
}

// partyGirl: a girl sexually exploited in Bristol and Gloucester (testdata/golden/party-girl.json).
func partyGirl(t testing.TB) pathway.Case {
	start := time.Date(2026, 2, 23, 9, 0, 0, 0, time.UTC)
	s := newStory(t, start)
	s.after(time.Hour).raise2(gTeacher, "case-g-party", "org-bcc", pathway.Concern{
		Child: pathway.Child{GivenNames: "Lily", FamilyName: "Parsons", DateOfBirth: "2011-05-18", Gender: "female", Nationality: "British",
			Languages: []string{"English"}, CurrentLocation: "In school with the designated safeguarding lead"},
		IdentifiedAt:    start,
		IdentifiedWhere: "Bedminster Down School, safeguarding office",
		Summary: "Police found Lily on 20 February in a hotel room in Gloucester with two adult men. Her boyfriend Jay is 22; he gives her vodka, cannabis and a phone and takes her to parties " +
			"at a flat in St Pauls where men have sex with her, and takes money from them. She has been missing overnight four times since November.",
		PoliceInformed: true, PoliceReference: "5226-0220-311",
		ExploitationTypes: []string{"sexual"},
		Indicators: []pathway.ObservedIndicator{
			seen("sexual.much-older-partner", "Her boyfriend Jay is 22; she is 14."),
			seen("general.missing-episodes", "Missing overnight four times since November 2025."),
			seen("general.unexplained-expensive-items", "A phone and gifts from Jay."),
			seen("general.substance-use", "Given vodka and cannabis at the parties."),
		},
		ImmediateActions: []string{"immediate-risk-assessed", "designated-lead-notified"},
	})
	s.after(time.Hour).do(gFrontDoor, pathway.RecordContact{Reference: "CS-2026-000377", Method: "phone", Note: "Call from the school's safeguarding lead"})
	s.do(gFrontDoor, pathway.AssignWorker{WorkerEmail: "daniel@example.test", Worker: gSocial.Party, WorkerRole: gSocial.Role})
	s.after(2*time.Hour).do(gSocial, pathway.RecordLinkedPerson{Name: "Jay (Jason Reed)", Relationship: pathway.RelationshipSuspectedExploiter, Notes: "22, white, swallow tattoo on his neck, black Audi; lives in St Pauls, Bristol"})
	s.do(gSocial, pathway.RecordStrategyDiscussion{HeldAt: s.now.Add(-time.Hour), Participants: []string{"Daniel Hughes, Bristol City Council", "DC Laura Bennett, Avon and Somerset Constabulary", "Megan Ellis, Bedminster Down School"},
		Section47: true, Notes: "Seen at school today with the safeguarding lead; she was defensive and left after twenty minutes."})
	s.do(gSocial, pathway.RecordSupport{Kind: pathway.SupportMedical, Status: pathway.SupportInPlace, Provider: "Bristol sexual health clinic"})
	s.after(72*time.Hour).goldenMeeting(gSocial, gSocial, "Children's Services refer her to the NRM; police pursue Jay.", gPolice, gTeacher)
	// What the team learnt, where it learnt it (§8.8), and the places chosen from the form's lists.
	s.do(gSocial, pathway.RecordSituation{LearntAt: pathway.LearntAtOther, ToldBy: "Lily, seen at school with the safeguarding lead",
		LivingConditions: "Lives at home in Hartcliffe with her mother, her stepfather and two younger half-brothers.",
		Treatment:        "Jay gives her vodka, cannabis and a phone, takes money from the men who have sex with her, and says he will share pictures of her if she stops coming.",
		StillInSituation: "yes", WhatKeepsThem: "She believes Jay is her boyfriend and loves her, and she is afraid of the pictures.",
		LastContact: "within-the-last-week", LastContactDetails: "Jay messaged her on 25 February 2026.",
		ExploitationWhen:      "From September 2025 and still going on.",
		HowItStarted:          "From September 2025 Jay messaged her on Snapchat and gave her vodka, cannabis and a phone.",
		Exploiters:            "Jay (Jason Reed), 22, white, a swallow tattoo on his neck, drives a black Audi; two adult men at the hotel, not known.",
		ExploitersWhereabouts: "uk", ExploitersDetails: "Jay lives in St Pauls, Bristol.",
		OtherVictims: "yes", OtherVictimsDetails: "Other girls from her school go to the same parties.",
		ReportedToPolice: "yes", CrimeReference: "5226-0220-311",
		ReportedBefore: "yes", ReportedBeforeDetails: "In November 2025 the school referred her to Children's Services about an older boyfriend, reference CS-2025-004512.",
		HelpInvestigation: "no", HasChildren: "no",
		CommunicationNeeds: "yes", CommunicationAid: "A hearing aid in her left ear",
		Birthplace: "Southmead Hospital, Bristol",
		Family:     "Lives with her mother, her stepfather and two younger half-brothers.",
		Education:  "Year 10 at Bedminster Down School.",
	})
	s.do(gSocial, pathway.RecordChildOrigin{Nationality: "British", BirthWords: "Southmead Hospital, Bristol"})
	s.do(gSocial, pathway.RecordExploitationPlaces{UKTowns: []string{"Bristol", "Gloucester"}, UKWords: "A flat in St Pauls, Bristol; a hotel in Gloucester"})
	s.do(gSocial, pathway.RecordWhereChildIsNow{Town: "Bristol", Region: "Bristol", Words: "At home"})
	s.do(gSocial, pathway.AddNote{Text: "Jay messaged her on 25 February and says he will share pictures of her if she stops coming. Other girls from school go to the same parties."})
	return s.c
}

// raise2 raises a concern to the given Children's Services organisation.
func (s *story) raise2(a pathway.Actor, id, csOrg string, c pathway.Concern) *story {
	return s.do(a, pathway.RaiseConcern{CaseID: id, Concern: c, ChildrensServicesOrg: csOrg})
}

func ptr[T any](v T) *T { return &v }
