package nrm_test

import (
	"strings"
	"testing"
	"time"

	"waymark/internal/nrm"
	"waymark/internal/pathway"
)

// proposed is the draft's proposal and source for the field id.
func proposed(t *testing.T, d nrm.Draft, id string) (string, string) {
	t.Helper()
	f, ok := d.Field(id)
	if !ok {
		t.Fatalf("the draft has no field %q", id)
	}
	return f.Proposed, f.Source
}

// reeceConcern is a county lines concern whose summary says, in the youth
// worker's words, how he lived and what he owes.
func reeceConcern(start time.Time) pathway.Concern {
	return pathway.Concern{
		Child: pathway.Child{GivenNames: "Reece", FamilyName: "Hammond", DateOfBirth: dob(start, 16, 6), Gender: "male", Nationality: "British",
			Languages: []string{"English"}, CurrentLocation: "At home with his parents"},
		IdentifiedAt: start, IdentifiedWhere: "Open Door Youth Project, one-to-one session",
		Summary: "Reece told a youth worker that police found him last week in a flat that dealers had taken over. " +
			"He had been there nine days, sleeping on the floor, answering a phone and delivering 'food' to addresses. He says " +
			"he was robbed and now owes £800.",
		ExploitationTypes: []string{"county-lines"},
		Indicators:        []pathway.ObservedIndicator{seen("general.cannabis-farm-or-cuckooed-home", "Found by police in a flat taken over by dealers.")},
	}
}

// §8.8: with nothing recorded, what the case already says in words about
// how the child lived and was treated is proposed, quoted and dated, and the
// source says nobody has answered the question itself.
func TestWithNothingRecordedTheDraftQuotesWhatTheCaseSays(t *testing.T) {
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s := newStory(t, start).after(time.Hour).raise(outreachWorker, "case-reece", reeceConcern(start))
	d := nrm.Assemble(s.c, cat, start.Add(24*time.Hour))
	living, src := proposed(t, d, "living-conditions")
	if !strings.Contains(living, "sleeping on the floor") || !strings.Contains(living, "Rosa Quinn of Harbour Street Outreach raised the concern on 2 March 2026") {
		t.Errorf("living conditions = %q", living)
	}
	if !strings.Contains(src, "Nobody has recorded an answer yet") {
		t.Errorf("the source does not say nobody answered: %q", src)
	}
	if treated, _ := proposed(t, d, "how-they-were-treated"); !strings.Contains(treated, "owes £800") || strings.Contains(treated, "sleeping on the floor") {
		t.Errorf("how they were treated = %q", treated)
	}
}

// The date the signs were seen is not when the exploitation took place, and
// what the referrer saw is not how it started: neither is proposed as the
// answer, only offered as a lead.
func TestWhenAndHowItStartedAreAskedNotGuessed(t *testing.T) {
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s := newStory(t, start).after(time.Hour).raise(outreachWorker, "case-reece", reeceConcern(start))
	d := nrm.Assemble(s.c, cat, start.Add(24*time.Hour))
	for _, id := range []string{"when-did-the-exploitation-take-place", "how-did-the-exploitation-start"} {
		if v, src := proposed(t, d, id); v != "" || !strings.Contains(src, "Nobody has recorded") {
			t.Errorf("%s = %q (%s), want nothing proposed and the question asked", id, v, src)
		}
	}
	s.contact("CS-2026-000500").do(frontDoor, pathway.RecordSituation{LearntAt: pathway.LearntAtContact, ToldBy: "Reece",
		ExploitationWhen: "Since last October, most weekends.", HowItStarted: "An older boy from his estate offered him £50 to take a bag on a train."})
	d = nrm.Assemble(s.c, cat, start.Add(24*time.Hour))
	if v, src := proposed(t, d, "how-did-the-exploitation-start"); v != "An older boy from his estate offered him £50 to take a bag on a train." ||
		!strings.Contains(src, "when Children's Services took the contact, told by Reece, recorded by Fola Adebayo") {
		t.Errorf("how it started = %q (%s)", v, src)
	}
}

// §7.5: the draft proposes the latest answer to each fact, and the form's
// follow-up questions follow the answer they depend on.
func TestTheDraftProposesTheLatestAnswerAndItsFollowUps(t *testing.T) {
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s := newStory(t, start).after(time.Hour).raise(outreachWorker, "case-reece", reeceConcern(start)).contact("CS-2026-000500")
	s.do(frontDoor, pathway.AssignWorker{WorkerEmail: "grace@example.test", Worker: socialWorker.Party, WorkerRole: socialWorker.Role})
	s.after(time.Hour).do(frontDoor, pathway.RecordSituation{LearntAt: pathway.LearntAtContact, StillInSituation: "yes",
		WhatKeepsThem: "The £800 debt.", ExploitersWhereabouts: "uk", OtherVictims: "not-sure", OtherVictimsDetails: "Other boys answer the same phone.",
		HelpInvestigation: "not-sure", HasChildren: "no", CommunicationNeeds: "no"})
	s.after(24*time.Hour).do(socialWorker, pathway.RecordSituation{LearntAt: pathway.LearntAtOther, ToldBy: "his mother",
		StillInSituation: "no", HowTheyLeft: "His parents moved him to his aunt's in another county.", ExploitersWhereabouts: "abroad", HelpInvestigation: "yes"})
	d := nrm.Assemble(s.c, cat, s.now)
	for id, want := range map[string]string{
		"still-in-exploitative-situation":          "no",
		"how-why-did-they-leave-the-situation":     "His parents moved him to his aunt's in another county.",
		"what-is-keeping-them-in-situation":        "",
		"exploiters-location":                      "yes",
		"are-exploiters-in-the-uk":                 "no",
		"any-other-pvs":                            "not-sure",
		"other-potential-victims-not-sure-details": "Other boys answer the same phone.",
		"other-potential-victims-yes-details":      "",
		"authorities-cooperation":                  "yes",
		"does-pv-have-children":                    "no",
		"pv-other-help-with-communication":         "no",
	} {
		if got, src := proposed(t, d, id); got != want {
			t.Errorf("%s = %q (%s), want %q", id, got, src, want)
		}
	}
}

// §8.7: the form asks the First Responder's job title, work phone and an
// address for when they are away; they come from the profile of whoever
// submits, never from anyone else's.
func TestTheFirstRespondersWorkDetailsComeFromTheirProfile(t *testing.T) {
	c, now := mustCase(t, "child-from-abroad") // submitted by Grace Okonkwo
	ctx := nrm.Context{Staff: map[string]nrm.StaffProfile{
		socialWorker.UserID: {JobTitle: "Senior social worker", Phone: "01632 960 411", AwayEmail: "mash@westmere.example"},
		frontDoor.UserID:    {JobTitle: "Front door manager", Phone: "01632 960 000"},
	}}
	d := nrm.AssembleWith(nrm.Referral, c, cat, now, ctx)
	for id, want := range map[string]string{"fr-details-role": "Senior social worker", "fr-details-phone": "01632 960 411", "fr-alternative-contact": "mash@westmere.example"} {
		if got, src := proposed(t, d, id); got != want || !strings.Contains(src, "Grace Okonkwo's profile") {
			t.Errorf("%s = %q (%s), want %q from Grace Okonkwo's profile", id, got, src, want)
		}
	}
	d = nrm.Assemble(c, cat, now)
	if got, src := proposed(t, d, "fr-details-role"); got != "" || !strings.Contains(src, "has not given a job title") {
		t.Errorf("with no profile, role = %q (%s)", got, src)
	}
}
