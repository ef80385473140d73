package demo

import (
	"fmt"
	"time"

	"waymark/internal/catalog"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// What the team learnt of each child's situation at the multi-agency
// meeting, and the staff's work details: what the NRM referral asks for
// (§6.8, §8.5, §8.8). All of it is invented, and agrees with each story.

// staffProfiles are the work details the demo staff keep on their profiles.
var staffProfiles = map[string]store.StaffProfile{
	firstResponder: {JobTitle: "Detective Sergeant, Child Exploitation Team", WorkPhone: "01632 960 214", AwayEmail: "child.exploitation@eastshire-police.example"},
	socialWorker:   {JobTitle: "Senior social worker", WorkPhone: "01632 960 482", AwayEmail: "mash@eastshire.example"},
	csWorker:       {JobTitle: "Multi-agency safeguarding hub officer", WorkPhone: "01632 960 400", AwayEmail: "mash@eastshire.example"},
	manager:        {JobTitle: "Team manager, safeguarding", WorkPhone: "01632 960 401"},
}

// insertStaffProfiles gives the demo staff their work details.
func insertStaffProfiles(tx *store.Tx, now time.Time) error {
	for _, u := range users {
		p, ok := staffProfiles[u.Email]
		if !ok {
			continue
		}
		p.UserID, p.UpdatedAt, p.UpdatedBy = u.id, now.AddDate(0, -2, 0), u.id
		if err := tx.SetStaffProfile(p); err != nil {
			return fmt.Errorf("giving %s their work details: %w", u.Email, err)
		}
	}
	return nil
}

// learnt records what someone on the team learnt of the child's situation.
func learnt(at moment, by string, what pathway.RecordSituation) later {
	return later{at, by, "recording what was learnt of the child's situation", func(pathway.Case, time.Time, time.Time, catalog.Calendar) pathway.Command {
		return what
	}}
}

// Sophie: groomed by a man in his twenties who takes her to a flat in town.
var (
	sophieAtTheMeeting = pathway.RecordSituation{LearntAt: pathway.LearntAtMeeting, ToldBy: "Northfield Academy and Sophie's mother",
		LivingConditions: "Lives at home with her mother and younger brother, where she is cared for. On the two nights she was missing she stayed at a flat above a takeaway " +
			"on Station Road, where she says she slept on a sofa and was given alcohol instead of food.",
		Treatment: "The man she calls her boyfriend gives her alcohol, clothes and a phone, and has told her she owes him for them. Friends say she has been made to go " +
			"with other men at the 'parties' at the flat. He messages her all day and becomes angry when she does not answer at once.",
		StillInSituation: "yes",
		WhatKeepsThem: "She believes he is her boyfriend and is afraid of losing him. He tells her she owes him for the phone and the clothes, and that her mother " +
			"will find out about the parties if she stops seeing him.",
		LastContact:        "within-the-last-week",
		LastContactDetails: "He collected her from the school gates two days before the meeting, and messages her every day on the phone he gave her.",
		ExploitationWhen:   "Since the start of the autumn term, when the man first appeared at the school gates, and still going on.",
		HowItStarted: "She met him in the summer through an older girl at a party. He gave her lifts, alcohol and presents, said he was her boyfriend, and after a few " +
			"weeks took her to the flat in town where older men came to the parties.",
		Exploiters:            "A man in his twenties she knows as 'Jay', who drives a silver car, and the older men who come to the flat in town.",
		ExploitersWhereabouts: "uk", ExploitersDetails: "Jay lives in Eastshire and uses the flat above a takeaway on Station Road in town. The police have the car's registration.",
		OtherVictims: "yes", OtherVictimsDetails: "Friends say other girls from the school have been taken to the same flat.",
		ReportedBefore: "yes", ReportedBeforeDetails: "Her mother reported her missing to Eastshire Police twice this month. No NRM referral was made.",
		HasChildren: "no", CommunicationNeeds: "no", Birthplace: "Eastshire, England",
		Family: "Lives with her mother and her brother, who is 9. Her father lives in another county and sees her a few times a year. Her mother is worried " +
			"and is working with the school.",
		Education: "In Year 11 at Northfield Academy. Her attendance has fallen to 78% this term and her grades have dropped in every subject.",
	}
	sophieFromThePolice = pathway.RecordSituation{LearntAt: pathway.LearntAtMeeting, ToldBy: "Eastshire Police",
		ReportedToPolice: "yes", CrimeReference: "EP-26-004417",
		HelpInvestigation: "no", // she sees him as her boyfriend
	}
)

// Reece: county lines, found in a flat dealers had taken over, owes £800.
var reeceAtTheMeeting = pathway.RecordSituation{LearntAt: pathway.LearntAtMeeting, ToldBy: "Reece, through Jamie Fletcher of Open Door, and Eastshire Police",
	LivingConditions: "Lives at home with his mother and stepfather. In the flat in Harbourton he slept on the floor of one room with another boy for nine days, " +
		"with little food and no heating.",
	Treatment: "He was made to answer the line phone and deliver drugs at all hours. When he was robbed of the drugs and the money, the dealers told him he owes " +
		"them £800 and threatened him.",
	StillInSituation: "yes",
	WhatKeepsThem:    "The £800 debt, and threats of what will happen to him if he does not work it off.",
	LastContact:      "within-the-last-week", LastContactDetails: "Since the police found him he has had messages from numbers he does not know, asking when he will pay.",
	ExploitationWhen: "Over the last year: the four times he was reported missing, and the nine days in the flat in Harbourton before the police found him.",
	HowItStarted: "Older boys he knew from the skate park gave him cannabis and cash, then told him he owed them for it and sent him on a 'run' to Harbourton to " +
		"pay it back.",
	Exploiters:            "The dealers running the line from the flat in Harbourton, and the older boys from the skate park. Reece will not name them.",
	ExploitersWhereabouts: "uk", ExploitersDetails: "The flat in Harbourton where the police found him, which they are investigating.",
	OtherVictims: "yes", OtherVictimsDetails: "The police found another boy of about 15 in the flat with him.",
	ReportedToPolice: "yes", CrimeReference: "EP-26-004602",
	ReportedBefore: "yes", ReportedBeforeDetails: "He was reported missing to Eastshire Police four times this year. No NRM referral was made.",
	HelpInvestigation: "no", HasChildren: "no", CommunicationNeeds: "no", Birthplace: "Eastshire, England",
	Family:    "Lives with his mother and stepfather, who reported each time he went missing. Things at home are tense since the last episode.",
	Education: "Left school last summer and is enrolled at Eastshire College, but has rarely attended this term.",
}

// Oliver: carries tiles for a neighbour's roofing business on school days.
var (
	oliverAtTheMeeting = pathway.RecordSituation{LearntAt: pathway.LearntAtMeeting, ToldBy: "Oliver and his mother, through the social worker",
		LivingConditions: "Lives at home with his mother and sister, where he is well cared for. His mother did not know he was working.",
		Treatment: "The neighbour pays him £20 a day in cash to carry roof tiles up ladders, with no safety equipment. He shouts at Oliver when he is slow, and told " +
			"him he would be in trouble with the police if he told anyone.",
		StillInSituation: "no",
		HowTheyLeft:      "His mother stopped him going once the doctor told Children's Services, and the police have told the neighbour not to contact him.",
		LastContact:      "within-the-last-week", LastContactDetails: "The neighbour knocked at the door asking for Oliver the day after the doctor's appointment; his mother sent him away.",
		ExploitationWhen: "Since the start of the school year, about three school days a week, until the doctor's appointment.",
		HowItStarted: "The neighbour offered him cash to help on a job in the summer holidays, then asked him to keep coming on school days and not to tell his " +
			"mother.",
		Exploiters:            "A neighbour of about 45 who runs a roofing business from his house on the same street.",
		ExploitersWhereabouts: "uk", ExploitersDetails: "He lives on Oliver's street in Eastshire and works on building sites around the county.",
		OtherVictims: "not-sure", OtherVictimsDetails: "Oliver says another boy from the estate sometimes worked with him.",
		ReportedBefore: "no", HasChildren: "no", CommunicationNeeds: "no", Birthplace: "Eastshire, England",
		Family:    "Lives with his mother, who works shifts, and his older sister, who is at college. He has no contact with his father.",
		Education: "In Year 9 at a secondary school in Eastshire. He has missed many school days this term while working.",
	}
	oliverFromThePolice = pathway.RecordSituation{LearntAt: pathway.LearntAtMeeting, ToldBy: "Eastshire Police",
		ReportedToPolice: "yes", CrimeReference: "EP-26-004530",
		HelpInvestigation: "yes", HelpDetails: "Oliver and his mother have agreed to talk to the police about the work he was made to do.",
	}
)

// Kayla: the meeting did not decide; what it learnt is recorded all the same.
var kaylaAtTheMeeting = pathway.RecordSituation{LearntAt: pathway.LearntAtMeeting, ToldBy: "the children's home and Northfield Academy",
	LivingConditions: "Lives in a children's home in Eastshire. When she goes missing she stays overnight at addresses she will not name.",
	StillInSituation: "yes",
	WhatKeepsThem:    "She says the adults are 'a new family' who look after her, and she does not see herself as at risk.",
	LastContact:      "within-the-last-week",
	Family:           "A looked-after child with an allocated social worker. She has supervised contact with her mother once a month.",
	Education:        "In Year 10 at Northfield Academy, where her attendance has fallen since the summer.",
	Birthplace:       "Eastshire, England", HasChildren: "no", CommunicationNeeds: "no",
}

// Erin: collected at night by older boys who run a county line from
// Eastshire town to Harbourton; she says she owes them. What the strategy
// meeting learnt, from her GP, the police, and her mother and school through
// the social worker (§6.8, §8.5). Her own account of carrying drugs came
// after the referral (the panel's Conclusive Grounds reasons, panel.go), so
// it is not here.
var erinAtTheMeeting = pathway.RecordSituation{LearntAt: pathway.LearntAtMeeting,
	ToldBy: "Dr Priya Raman of Riverside Medical Practice, Eastshire Police, and Erin's mother and Castlegate School through the social worker",
	LivingConditions: "Lives at home with her mother and younger brother, where she is cared for. On the nights she was missing she stayed somewhere in " +
		"Harbourton she will not name: after the second, the police found her at Harbourton station at 1 a.m., hungry, with £240 in cash.",
	Treatment: "She says she 'owes' someone and has to keep working for them. She came to the surgery with an injury to her hand she would not " +
		"explain; her mother says she came home with it after the second missing episode. The boys message her on the second phone at all hours " +
		"telling her where to be, and the police believe she is made to carry drugs and cash between Eastshire town and Harbourton for them.",
	StillInSituation: "yes",
	WhatKeepsThem: "She says she owes someone and has to keep working for them. Her mother has seen messages on the second phone saying she owes " +
		"£500 and that her family will 'find out what happens' if she stops.",
	LastContact:        "within-the-last-week",
	LastContactDetails: "The car collected her from the end of her road three nights before the meeting, and the boys message her every day on the second phone.",
	ExploitationWhen: "Since the October half-term, when the boys began collecting her late at night, and still going on: most weekends, and the two " +
		"missing episodes this month, of two nights each.",
	HowItStarted: "Her mother says that in the summer holidays Erin began spending time with an older girl from the estate, who introduced her to the " +
		"boys. They gave her lifts, cannabis, a phone and cash, then in October told her she owed them for it and had to work for them to pay it back.",
	Exploiters: "Older boys of about 17 to 19 who collect her in a car late at night. The police link the car to a county line that sells drugs in " +
		"Harbourton. Erin will not name them.",
	ExploitersWhereabouts: "uk", ExploitersDetails: "The police have seen the car in Eastshire town and in Harbourton, where they are investigating the line.",
	OtherVictims: "yes", OtherVictimsDetails: "Her mother has seen a younger boy from the estate in the same car, and the police believe other Eastshire " +
		"children carry for the line.",
	ReportedToPolice: "yes", CrimeReference: "EP-25-011582",
	ReportedBefore: "yes", ReportedBeforeDetails: "Her mother reported both missing episodes to Eastshire Police this month. No NRM referral was made.",
	HelpInvestigation: "no", // she will not name the boys
	HasChildren:       "no", CommunicationNeeds: "no", Birthplace: "Eastshire, England",
	Family: "Lives with her mother, who works nights as a care assistant, and her brother, who is 11. She has no contact with her father. Her mother " +
		"reported both of her missing episodes to the police and is working with the school.",
	Education: "In Year 10 at Castlegate School in Eastshire town. Her attendance has fallen to 64% since the October half-term, and staff have seen " +
		"her leave at lunchtime to get into a car.",
}
