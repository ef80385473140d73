package demo

import "waymark/internal/pathway"

// The same child under another name (issue 14 §1): Kayla Morris, whose
// case the Eastshire team already holds (stories.go), goes missing again
// and is found by the youth project's outreach worker at Harbourton
// station, where she gives her name as Kay Morrison (§4.3, §4.8, §7.1).
// The same date of birth and a name close to hers (Kay for Kayla, Morrison
// for Morris) make her case a likely earlier record of this one: a reviewer
// signed in as the Children's Services worker sees it on this case's page,
// with whom to ask and the form to ask for the two to be linked.

// kay is the concern raised under the alias.
var kay = story{
	referrer: youthWorker, age: childAge{15, 2}, // Kayla's age: the same date of birth
	identified: workingDaysAgoAt(2, 21, 40), raised: workingDaysAgoAt(2, 22, 30),
	contacted: workingDaysAgoAt(1, 9, 15), contactMethod: "phone",
	contactNote:  "Call from Jamie Fletcher, Open Door outreach, about a girl found at Harbourton station late last night.",
	outcomeGiven: workingDaysAgoAt(1, 13, 40), decision: "strategy-discussion",
	nextStep: "We will hold a strategy discussion with the police today and check whether she is known to us under another name.",
	concern: pathway.Concern{
		Child: pathway.Child{GivenNames: "Kay", FamilyName: "Morrison", Gender: "female", Nationality: "British",
			Languages: []string{"English"}, CurrentLocation: "Emergency foster placement in Harbourton"},
		IdentifiedWhere: "Harbourton railway station, on the outreach team's late round",
		Summary: "A girl who gave her name as Kay was alone on the platform after the last train, with two phones and no coat. " +
			"She said an older friend was coming to collect her and would not say where she lives. When a car pulled up she " +
			"asked us not to let the driver see her talking to us.",
		ExploitationTypes: []string{"sexual", "criminal"},
		Indicators: []pathway.ObservedIndicator{
			seen("general.unexplained-contact-from-adults", "Waiting to be collected by an older 'friend' in a car; frightened of the driver."),
			seen("general.unexplained-expensive-items", "Two phones and cash, and no coat on a cold night."),
			seen("general.missing-from-care-home-or-school", "Would not say where she lives; out alone after the last train."),
		},
		ImmediateActions: []string{"immediate-risk-assessed", "designated-lead-notified"},
	},
}
