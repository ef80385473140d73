package nrm_test

import (
	"fmt"
	"testing"
	"time"

	"waymark/internal/catalog"
	"waymark/internal/pathway"
)

// The sample cases are told as the pathway would record them: every step a
// command the pathway decides, so the cases are ones Waymark can really hold.
// All people and places are invented.

var (
	cat = catalog.MustLoad()
	pw  = pathway.New(cat)
)

// The people of the fictional Westmere partnership.
var (
	outreachWorker = actor("user-outreach", "Rosa Quinn", "org-harbour-outreach", "Harbour Street Outreach", pathway.RolePractitioner, false, false)
	transportCop   = actor("user-btp", "PC Dev Malik", "org-police", "Westmere Police", pathway.RoleFirstResponder, false, true)
	frontDoor      = actor("user-front-door", "Fola Adebayo", "org-cs", "Westmere Children's Services", pathway.RoleChildrensServices, true, true)
	socialWorker   = actor("user-sw", "Grace Okonkwo", "org-cs", "Westmere Children's Services", pathway.RoleSocialWorker, true, true)
	policeLead     = actor("user-police-lead", "DS Hannah Price", "org-police", "Westmere Police", pathway.RoleFirstResponder, false, true)
	borderOfficer  = actor("user-border", "Ola Nowak", "org-border", "UK Border Force South", pathway.RoleFirstResponder, false, true)
)

func actor(id, name, orgID, orgName, role string, cs, fr bool) pathway.Actor {
	return pathway.Actor{Party: pathway.Party{UserID: id, Name: name, OrgID: orgID, OrgName: orgName}, Role: role, InChildrensServices: cs, InFirstResponderOrg: fr}
}

// story builds one case, command by command, at moments that move forward.
type story struct {
	t   testing.TB
	c   pathway.Case
	now time.Time
}

func newStory(t testing.TB, at time.Time) *story { return &story{t: t, now: at} }

// after moves the story's clock on.
func (s *story) after(d time.Duration) *story { s.now = s.now.Add(d); return s }

// do has the pathway decide cmd for a at the story's time and applies the events.
func (s *story) do(a pathway.Actor, cmd pathway.Command) *story {
	s.t.Helper()
	events, err := pw.Decide(s.c, a, cmd, s.now)
	if err != nil {
		s.t.Fatalf("%s: %T refused: %v", a.Name, cmd, err)
	}
	for _, e := range events {
		s.c = pathway.Apply(s.c, e)
	}
	return s
}

func (s *story) raise(a pathway.Actor, id string, c pathway.Concern) *story {
	return s.do(a, pathway.RaiseConcern{CaseID: id, Concern: c, ChildrensServicesOrg: "org-cs"})
}

func (s *story) contact(ref string) *story {
	return s.do(frontDoor, pathway.RecordContact{Reference: ref, Method: "phone", Note: "Call from the referrer"})
}

func (s *story) meeting(lead pathway.Actor, invitees ...pathway.Actor) *story {
	var emails []string
	var parties []pathway.Party
	for _, a := range invitees {
		emails = append(emails, a.UserID+"@example.test")
		parties = append(parties, a.Party)
	}
	s.do(socialWorker, pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: s.now.Add(2 * time.Hour), InviteeEmails: emails, Invitees: parties})
	s.after(3 * time.Hour)
	no, yes := false, true
	// Attendees are chosen (§6.8): the social worker and the police officer
	// from the meeting's people, the supervising manager by email, resolved
	// as the use case resolves them.
	manager := pathway.Party{UserID: "user-manager", Name: "Tom Reid", OrgID: socialWorker.OrgID, OrgName: socialWorker.OrgName}
	return s.do(socialWorker, pathway.RecordMeetingHeld{
		AttendeeIDs:    []string{pathway.AttendeeUser(socialWorker.UserID), pathway.AttendeeUser(policeLead.UserID)},
		AttendeeEmails: []string{"tom.reid@example.test"},
		Staff: map[string]pathway.StaffAttendee{
			pathway.AttendeeUser(socialWorker.UserID): {Party: socialWorker.Party},
			pathway.AttendeeUser(policeLead.UserID):   {Party: policeLead.Party, Roles: pathway.MeetingRoles{Police: true}},
			"tom.reid@example.test":                   {Party: manager, Roles: pathway.MeetingRoles{SupervisingManager: true}},
		},
		NRMDecision: pathway.NRMSubmit, LeadOrgID: lead.OrgID, LeadOrg: pathway.LeadOrganisation{ID: lead.OrgID, Name: lead.OrgName, FirstResponder: true},
		ChildProtectionConference: &yes, ChildProtectionPlan: &no, InformationSharedWithPolice: &yes,
		Notes: "The plan keeps the child safe in placement while the police investigate.",
	})
}

func dob(at time.Time, years, months int) string {
	return at.In(pathway.London).AddDate(-years, -months, -10).Format("2006-01-02")
}

func seen(id, evidence string) pathway.ObservedIndicator {
	return pathway.ObservedIndicator{ID: id, Evidence: evidence}
}

var twiInterpreter = pathway.RegisteredInterpreter{ID: "int-twi-1", Name: "Abena Owusu", Languages: []string{"Twi", "English"}, Gender: "female",
	Professional: true, Approved: true, DBSCheckedOn: "2025-09-01", Active: true}

var vietnameseInterpreter = pathway.RegisteredInterpreter{ID: "int-vi-1", Name: "Lan Pham", Languages: []string{"Vietnamese"}, Dialects: []string{"Northern"},
	Gender: "female", Professional: true, Approved: true, DBSCheckedOn: "2025-11-12", Active: true}

// groomedGirl follows the first case study of §5.2 in our own words: a girl
// of twelve from West Africa brought to the UK on the promise of a holiday
// with a family friend, left in a house where men abused her every day, who
// got away after some months and was found sleeping rough. The referral is
// drafted after the multi-agency meeting and before it is submitted.
func groomedGirl(t testing.TB) pathway.Case {
	start := time.Date(2026, 3, 2, 22, 40, 0, 0, time.UTC)
	s := newStory(t, start)
	s.after(50*time.Minute).raise(outreachWorker, "case-girl", pathway.Concern{
		Child: pathway.Child{GivenNames: "Ama", FamilyName: "Boateng", DateOfBirth: dob(start, 12, 3), Gender: "female", Nationality: "Ghanaian",
			Languages: []string{"Twi"}, CurrentLocation: "With the outreach team and police at Harbourton bus station"},
		IdentifiedAt:    start,
		IdentifiedWhere: "Harbourton bus station, the shelter by stand 4",
		Summary: "Ama was sleeping in the shelter on her own. Through a phone interpreter she said a family friend brought her from her village for a holiday, " +
			"then left her in a house with people she did not know. Men came to the house every day and hurt her. She got out some months later and has slept outside since.",
		ImmediateRisk: true, PoliceInformed: true, PoliceReference: "WP-26-0302-117",
		ExploitationTypes: []string{"sexual"},
		Indicators: []pathway.ObservedIndicator{
			seen("abroad.brought-from-another-country", "Says a family friend brought her from a village in Ghana on a plane."),
			seen("abroad.journey-arranged-by-others", "The family friend arranged the journey; her parents stayed at home."),
			seen("abroad.no-or-false-documents", "Has no passport or papers of any kind."),
			seen("general.signs-of-abuse", "Bruising on both wrists and flinches when anyone moves near her."),
			seen("general.malnourished", "Very thin; ate two meals in an hour."),
			seen("general.few-possessions", "Owns the clothes she is wearing and a carrier bag."),
			seen("abroad.limited-english", "Speaks a few words of English; Twi is her language."),
			seen("disclosure.reluctant-to-give-information", "Would not say where the house is and asked us not to tell anyone."),
		},
		ImmediateActions: []string{"immediate-risk-assessed", "police-called-if-in-danger", "safe-accommodation-arranged", "urgent-health-needs-met", "interpreter-arranged"},
	})
	s.after(40 * time.Minute).contact("CS-2026-000311")
	s.do(frontDoor, pathway.AssignWorker{WorkerEmail: "grace@example.test", Worker: socialWorker.Party, WorkerRole: socialWorker.Role})
	s.after(time.Hour).do(socialWorker, pathway.StartPlacement{StartedAt: s.now.Add(-10 * time.Minute), PlacementType: "foster-care", Address: "1 Confidential Close, Westmere", WhereaboutsConfidential: true})
	s.do(socialWorker, pathway.RecordChildFromAbroad{UASC: false, AccommodationBasis: "section-20", DocumentsChecked: true, PhotographOnFile: true,
		Notes: "She remembers the name of her village, Asankrangwa, and the airport in Accra."})
	s.after(10*time.Hour).do(socialWorker, pathway.RecordLinkedPerson{Name: "Auntie Efua", Relationship: pathway.RelationshipSuspectedExploiter,
		Notes: "The family friend who brought her; about 40, speaks Twi and English, gold tooth at the front"})
	s.do(socialWorker, pathway.RecordStrategyDiscussion{HeldAt: s.now.Add(-time.Hour), Participants: []string{"Grace Okonkwo, Westmere Children's Services", "DS Hannah Price, Westmere Police", "Dr Ruth Bell, Westmere Health"},
		Section47: true, JointInterview: true, Notes: "Joint achieving best evidence interview with a Twi interpreter."})
	s.do(socialWorker, pathway.BookInterpreter{InterpreterID: twiInterpreter.ID, Interpreter: &twiInterpreter, GenderPreference: "female", Language: "Twi"})
	s.do(socialWorker, pathway.PlanInterview{PlannedFor: s.now.Add(26 * time.Hour), Interviewers: []string{"DS Hannah Price", "Grace Okonkwo"}, Present: []string{"Jo Marsh, foster carer"},
		InterpreterID: twiInterpreter.ID, Interpreter: &twiInterpreter})
	s.do(socialWorker, pathway.RecordSupport{Kind: pathway.SupportMedical, Status: pathway.SupportInPlace, Provider: "Westmere Sexual Assault Referral Centre", Notes: "Examined the morning after she was found"})
	s.do(socialWorker, pathway.RecordSupport{Kind: pathway.SupportCAMHS, Status: pathway.SupportRequested, Provider: "Westmere CAMHS"})
	s.after(2*time.Hour).meeting(socialWorker, policeLead)
	s.do(socialWorker, pathway.AddMeetingAction{Text: "Find the house from the bus routes Ama remembers", OwnerEmail: "police@example.test", Owner: policeLead.Party,
		DueOn: s.now.In(pathway.London).AddDate(0, 0, 7).Format("2006-01-02"), ContactsFamily: new(bool)})
	s.do(socialWorker, pathway.AddNote{Text: "Ama told her foster carer that the men paid Auntie Efua, and that other girls were kept in the house."})
	s.do(socialWorker, pathway.RecordSituation{LearntAt: pathway.LearntAtMeeting, ToldBy: "DS Hannah Price and Ama's foster carer",
		LivingConditions: "Kept in an upstairs room of the house with two other girls, sleeping on a mattress on the floor. Fed once a day and never allowed out. Since she got away she has slept in bus shelters.",
		Treatment:        "Men came to the house every day and abused her; Auntie Efua took money from them. She was hit when she cried and told the police would put her in prison if she spoke to them.",
		StillInSituation: "no", HowTheyLeft: "One night the door was left unlocked and she ran. She slept outside until the outreach team found her.",
		LastContact:           "within-the-last-3-month",
		ExploitationWhen:      "From when she arrived in the UK, about six months before she was found, until she ran away some weeks before 2 March 2026.",
		HowItStarted:          "Auntie Efua, a family friend, told Ama's parents she would take her to the UK for a holiday and to see a good school. She arranged the journey and the flight, and took Ama to the house the day they landed.",
		Exploiters:            "Auntie Efua, a family friend of about 40 who brought her from Ghana, and the men who came to the house.",
		ExploitersWhereabouts: "uk", ExploitersDetails: "The house is somewhere in Harbourton; the police are tracing it from the bus routes Ama remembers.",
		OtherVictims: "yes", OtherVictimsDetails: "Ama says two other girls were kept in the house.",
		ReportedToPolice: "yes", CrimeReference: "WP-26-0302-117",
		HelpInvestigation: "yes", HelpDetails: "Ama has agreed to a joint interview with the police and a Twi interpreter.",
		HasChildren: "no", CommunicationNeeds: "no", Birthplace: "Asankrangwa, Ghana",
		Family:    "Her parents and two younger brothers live in her village in Ghana. She has had no contact with them since she left.",
		Education: "Went to the primary school in her village until she left. She has not been to school in the UK."})
	return s.c
}

// countyLinesBoy follows the second case study of §5.2 in our own words: a
// boy of sixteen found on a train without a ticket, carrying wraps of cocaine
// and a knife, who says he chose to sell drugs, harms himself, was stabbed,
// goes missing for weeks and has told of group sex arranged by older friends.
func countyLinesBoy(t testing.TB) pathway.Case {
	start := time.Date(2026, 2, 9, 16, 5, 0, 0, time.UTC)
	s := newStory(t, start)
	s.after(2*time.Hour).raise(transportCop, "case-boy", pathway.Concern{
		Child: pathway.Child{GivenNames: "Jordan", FamilyName: "Kell", Aliases: []string{"JK", "Little J"}, DateOfBirth: dob(start, 16, 5), Gender: "male", Nationality: "British",
			Languages: []string{"English"}, CurrentLocation: "Harbourton police station with an appropriate adult"},
		IdentifiedAt:    start,
		IdentifiedWhere: "Platform 2 at Harbourton station, off the 15:20 train from Kingsport",
		Summary: "Jordan swore at the guard when asked for a ticket and got off at Harbourton to avoid the fare. Officers stopped him on the platform and found twelve wraps " +
			"of cocaine and a kitchen knife. He is wanted for a theft. He said nobody makes him do anything and that selling is his choice.",
		ImmediateRisk: true, PoliceInformed: true, PoliceReference: "BTP-26-0209-0442",
		ExploitationTypes: []string{"county-lines", "sexual"},
		Indicators: []pathway.ObservedIndicator{
			seen("general.moving-drugs", "Twelve wraps of cocaine in his sock; tickets between Kingsport and Harbourton."),
			seen("general.travelling-alone-far-from-home", "Alone on a train 80 miles from home, with tickets for cities across the country."),
			seen("disclosure.claims-agency", "Insists selling drugs is his own choice and nobody controls him."),
			seen("general.self-harm-or-suicidal", "Fresh cuts on his forearm; his mother says he often harms himself."),
			seen("general.assault-or-restraint-injuries", "Stabbed on the way home from college in January and needed major surgery."),
			seen("general.long-missing-episodes", "Missing for weeks at a time, three times since October."),
			seen("general.sleep-deprived", "Nightmares and little sleep, his mother says."),
			seen("criminal.gang-association", "Phone contacts saved under line names; older friends collect him from college."),
			seen("disclosure.male-victim-barriers", "Told the appropriate adult about group sex arranged by older friends, then said it was nothing."),
		},
		ImmediateActions: []string{"immediate-risk-assessed", "urgent-health-needs-met", "designated-lead-notified"},
	})
	s.after(time.Hour).contact("CS-2026-000190")
	s.after(time.Hour).do(frontDoor, pathway.RecordOutcome{Decision: "strategy-discussion", NextStep: "Strategy discussion tomorrow with the police"})
	s.do(frontDoor, pathway.AssignWorker{WorkerEmail: "grace@example.test", Worker: socialWorker.Party, WorkerRole: socialWorker.Role})
	s.after(18*time.Hour).do(socialWorker, pathway.RecordStrategyDiscussion{HeldAt: s.now.Add(-time.Hour), Participants: []string{"Grace Okonkwo, Westmere Children's Services", "DS Hannah Price, Westmere Police", "Sam Ortiz, Westmere Youth Justice Service"},
		Section47: true, JointInterview: false, Notes: "Police to interview him about the drugs with a solicitor; Children's Services to see him at home."})
	s.do(socialWorker, pathway.RecordLinkedPerson{Name: "Marcia Kell", Relationship: pathway.RelationshipParent, Notes: "Mother; reported each missing episode"})
	s.do(socialWorker, pathway.RecordLinkedPerson{Name: "Dex, also called D-Money", Relationship: pathway.RelationshipSuspectedExploiter, Notes: "About 22, runs the Kingsport line, white BMW"})
	s.do(socialWorker, pathway.RecordLinkedPerson{Name: "Tyrell", Relationship: pathway.RelationshipOther, Notes: "A 15-year-old found running the same line in January"})
	s.do(socialWorker, pathway.RecordSituation{LearntAt: pathway.LearntAtStrategyDiscussion, ToldBy: "DS Hannah Price",
		Exploiters:            "Dex, also called D-Money, about 22, who runs the Kingsport line, and the older friends who collect Jordan from college.",
		ExploitersWhereabouts: "uk", ExploitersDetails: "Kingsport, where the line is run from; Dex drives a white BMW.",
		OtherVictims: "yes", OtherVictimsDetails: "A 15-year-old boy was found running the same line in January.",
		ReportedToPolice: "yes", CrimeReference: "WP-26-0210-0871", ReportedBefore: "yes",
		ReportedBeforeDetails: "His mother reported him missing three times since October; no NRM referral was made."})
	s.after(24*time.Hour).do(socialWorker, pathway.ReportMissing{StartedAt: s.now.Add(-3 * time.Hour), Circumstances: "Did not come home from college", PoliceInformed: true, PoliceReference: "WP-26-0211-301"})
	s.after(9*24*time.Hour).do(socialWorker, pathway.RecordFound{EndedAt: s.now.Add(-2 * time.Hour), WhereFound: "A flat on the Meadow estate in Kingsport, by the police"})
	s.after(24*time.Hour).do(socialWorker, pathway.RecordReturnInterview{HeldAt: s.now.Add(-time.Hour), By: "Sam Ortiz, Youth Justice Service",
		Disclosed: "He owes Dex for a phone and drugs the police took, and has to work it off", NotDisclosed: "Where he slept in Kingsport"})
	s.do(socialWorker, pathway.RecordSituation{LearntAt: pathway.LearntAtOther, ToldBy: "Jordan, at his return interview",
		Treatment:        "He owes Dex for a phone and the drugs the police took, and has been told he must work it off. He was stabbed in January.",
		StillInSituation: "yes", WhatKeepsThem: "The debt to Dex, and fear of what will happen to him or his mother if he stops.",
		LastContact: "within-the-last-week", LastContactDetails: "Dex's friends collected him from college the day he went missing.",
		HowItStarted:      "Last summer older friends from college started giving him lifts, food and money. After a few weeks they said he owed them and asked him to carry packages to Kingsport, then to stay there for days at a time to sell.",
		HelpInvestigation: "not-sure", Education: "A student at Westmere College; he misses weeks when he goes missing."})
	s.do(socialWorker, pathway.RecordSupport{Kind: pathway.SupportCriminalLegalAdvice, Status: pathway.SupportInPlace, Provider: "Harbour Law"})
	s.do(socialWorker, pathway.RecordSupport{Kind: pathway.SupportStatutoryDefence, Status: pathway.SupportRequested, Provider: "Harbour Law", Notes: "For the possession charge"})
	s.do(socialWorker, pathway.RecordSupport{Kind: pathway.SupportCAMHS, Status: pathway.SupportInPlace, Provider: "Westmere CAMHS"})
	s.after(time.Hour).meeting(policeLead, policeLead)
	s.do(socialWorker, pathway.RecordDisruptionPower{Power: "ddtro", Outcome: "to-apply", Reason: "Dex's line phone is known to the police"})
	return s.c
}

// childFromAbroad is a boy with no papers found in a house turned into a
// cannabis farm, whose age is uncertain. Children's Services submitted the
// referral; the Home Office made a negative Reasonable Grounds decision; he
// went missing from his placement and said more when he came back (§8.9).
func childFromAbroad(t testing.TB) pathway.Case {
	start := time.Date(2026, 1, 13, 6, 15, 0, 0, time.UTC)
	s := newStory(t, start)
	s.after(4*time.Hour).raise(borderOfficer, "case-abroad", pathway.Concern{
		Child: pathway.Child{GivenNames: "Minh", FamilyName: "", Aliases: []string{"Tuan"}, EstimatedAge: 15, AgeUncertain: true, Gender: "male", Nationality: "Vietnamese",
			Languages: []string{"Vietnamese"}, Dialect: "Northern", CurrentLocation: "Westmere police station"},
		IdentifiedAt:    start,
		IdentifiedWhere: "A house on Mill Lane, Kingsport, during a police warrant",
		Summary: "Police found Minh alone in a house where every room was given over to growing cannabis. The windows were boarded and the door locked from outside. " +
			"He had a mattress in the loft and a rice cooker. He says he is 15 and came by lorry.",
		ImmediateRisk: true, PoliceInformed: true, PoliceReference: "WP-26-0113-009",
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
	s.after(time.Hour).contact("CS-2026-000042")
	s.do(frontDoor, pathway.AssignWorker{WorkerEmail: "grace@example.test", Worker: socialWorker.Party, WorkerRole: socialWorker.Role})
	s.after(time.Hour).do(socialWorker, pathway.RecordChildFromAbroad{UASC: true, AccommodationBasis: "section-20", DocumentsChecked: true, PhotographOnFile: true, MissingEducationChecked: true,
		ImmigrationOptions: []string{"asylum", "modern-slavery-leave"}, Notes: "Left his village in Nghe An province last summer; stayed in a camp near Calais."})
	s.do(socialWorker, pathway.RecordUKVIConcern{RaisedAt: s.now.Add(-30 * time.Minute), Details: "Immigration Enforcement officer at the warrant, port reference KP-26-0113"})
	s.do(socialWorker, pathway.BookInterpreter{InterpreterID: vietnameseInterpreter.ID, Interpreter: &vietnameseInterpreter, GenderPreference: "none", Language: "Vietnamese", Dialect: "Northern"})
	s.do(socialWorker, pathway.StartPlacement{StartedAt: s.now.Add(-10 * time.Minute), PlacementType: "foster-care", Address: "7 Hidden Row, Westmere", WhereaboutsConfidential: true})
	s.do(socialWorker, pathway.RequestAgeAssessment{Reason: "No documents, and he looks older than 15 to the officers; he is treated as a child meanwhile"})
	s.do(socialWorker, pathway.AgreeCarePlan{AgreedOn: s.now.In(pathway.London).Format("2006-01-02"), ProtectionPlan: "No phone for the first week; the carer walks him to and from college.",
		MissingContingency: "Call the police at once with his photograph; check the Kingsport address."})
	s.after(26*time.Hour).meeting(socialWorker, policeLead)
	s.after(2*time.Hour).do(socialWorker, pathway.SubmitNRMReferral{SubmittedAt: s.now.Add(-time.Hour), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes})
	s.after(48*time.Hour).do(socialWorker, pathway.RecordHomeOfficeReference{Reference: "NRM-2026-118833", ReceivedOn: s.now.In(pathway.London).Format("2006-01-02")})
	s.after(5*24*time.Hour).do(socialWorker, pathway.RecordReasonableGrounds{Outcome: pathway.DecisionNegative, DecidedOn: s.now.In(pathway.London).Format("2006-01-02")})
	s.after(2*24*time.Hour).do(socialWorker, pathway.ReportMissing{StartedAt: s.now.Add(-5 * time.Hour), Circumstances: "Left the carer's home at night with a phone someone gave him", PoliceInformed: true, PoliceReference: "WP-26-0127-118"})
	s.after(3*24*time.Hour).do(socialWorker, pathway.RecordFound{EndedAt: s.now.Add(-time.Hour), WhereFound: "Another cannabis house in Harbourton, by the police"})
	s.after(24*time.Hour).do(socialWorker, pathway.RecordReturnInterview{HeldAt: s.now.Add(-2 * time.Hour), By: "Grace Okonkwo with the interpreter",
		Disclosed: "The men who brought him say his family owes 20,000 dollars and that his mother will be hurt if he stops", NotDisclosed: "The names of the men"})
	s.do(socialWorker, pathway.RecordNRMFurtherInformation{SentOn: s.now.In(pathway.London).Format("2006-01-02"), Summary: "The return interview record and the second police warrant"})
	s.do(socialWorker, pathway.AddNote{Text: "Minh asked whether telling the truth will stop them sending him back. He wants to stay at college."})
	return s.c
}

// sampleCases are the three cases of the golden tests.
var sampleCases = []struct {
	name  string
	build func(testing.TB) pathway.Case
	now   time.Time
}{
	{"groomed-girl", groomedGirl, time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)},
	{"county-lines-boy", countyLinesBoy, time.Date(2026, 2, 24, 9, 0, 0, 0, time.UTC)},
	{"child-from-abroad", childFromAbroad, time.Date(2026, 2, 3, 9, 0, 0, 0, time.UTC)},
}

func mustCase(t testing.TB, name string) (pathway.Case, time.Time) {
	t.Helper()
	for _, sc := range sampleCases {
		if sc.name == name {
			return sc.build(t), sc.now
		}
	}
	panic(fmt.Sprintf("no sample case %q", name))
}
