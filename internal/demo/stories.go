package demo

import (
	"time"

	"waymark/internal/catalog"
	"waymark/internal/pathway"
)

// story is one fictional demo case: what the practitioner saw and recorded,
// and how far Children's Services has taken it. Times are relative to the
// moment of seeding, so the clocks stand the same way whenever the demo starts.
type story struct {
	referrer string   // email of the practitioner who raised the concern
	age      childAge // on the day of seeding; zero when only an estimated age is known
	concern  pathway.Concern

	identified, raised moment
	contacted          moment // nil: Children's Services has not recorded contact yet
	contactMethod      string
	contactNote        string
	outcomeGiven       moment // nil: no outcome given yet
	decision, nextStep string
}

// childAge is years and whole months. A birthday is never near the seeding
// window, so the age checked when each concern is raised is the same.
type childAge struct{ years, months int }

// moment places an event relative to the time of seeding.
type moment func(now time.Time, cal catalog.Calendar) time.Time

// ago is a fixed time before seeding: for recent events whose clocks must be
// running, due soon or overdue whatever the hour the demo starts.
func ago(d time.Duration) moment {
	return func(now time.Time, _ catalog.Calendar) time.Time { return now.Add(-d) }
}

// workingDaysAgoAt is a London time of day some working days before seeding:
// for older events, so that schools and surgeries are seen open on weekdays.
func workingDaysAgoAt(days, hour, minute int) moment {
	return func(now time.Time, cal catalog.Calendar) time.Time {
		d := now.In(pathway.London)
		today := time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, pathway.London)
		return cal.AddWorkingDays(today, -days).UTC()
	}
}

// concernAt is the concern with the child's date of birth and the time they
// were identified filled in for a seeding at now.
func (s story) concernAt(now time.Time, cal catalog.Calendar) pathway.Concern {
	c := s.concern
	if s.age != (childAge{}) {
		dob := now.In(pathway.London).AddDate(-s.age.years, -s.age.months, -14)
		c.Child.DateOfBirth = dob.Format("2006-01-02")
	}
	c.IdentifiedAt = s.identified(now, cal)
	// Copy the lists so that a seeding never shares them with the template.
	c.Indicators = append([]pathway.ObservedIndicator(nil), s.concern.Indicators...)
	c.ExploitationTypes = append([]string(nil), s.concern.ExploitationTypes...)
	c.ImmediateActions = append([]string(nil), s.concern.ImmediateActions...)
	return c
}

func seen(id, evidence string) pathway.ObservedIndicator {
	return pathway.ObservedIndicator{ID: id, Evidence: evidence}
}

const hour = time.Hour

// stories are the twelve demo cases: four waiting for Children's Services
// (one overdue), four with contact recorded (one whose outcome is overdue)
// and four with the outcome given, which go on (work.go) to the NRM and an
// escalation. All people and places are fictional.
var stories = []story{
	// Waiting for Children's Services.
	{
		referrer: teacher, age: childAge{15, 4},
		identified: ago(3 * hour), raised: ago(2 * hour),
		concern: pathway.Concern{
			Child: pathway.Child{GivenNames: "Tyler", FamilyName: "Brooks", Aliases: []string{"TB"}, Gender: "male", Nationality: "British",
				Languages: []string{"English"}, CurrentLocation: "In school with the pastoral lead until the end of the day"},
			IdentifiedWhere: "Northfield Academy, pastoral office",
			Summary: "Tyler came back to school after three days missing; his mother had reported him missing to the police. " +
				"He arrived with a new phone and expensive trainers and would not say where he had been. A friend told his tutor " +
				"that Tyler has been going to Harbourton by train with older boys and is paid for it. He looked exhausted and " +
				"checked his phone every few minutes.",
			ExploitationTypes: []string{"county-lines"},
			Indicators: []pathway.ObservedIndicator{
				seen("general.missing-episodes", "Third missing episode this term; his mother reported each one to the police."),
				seen("general.unexplained-expensive-items", "New phone and designer trainers; his mother says she did not buy them."),
				seen("general.travelling-alone-far-from-home", "A friend says he takes the train to Harbourton, about 60 miles away."),
				seen("general.hypervigilant", "Jumpy; left the room twice to answer calls and would not say who was calling."),
				seen("general.poor-attendance-or-attainment", "Attendance down from 96% to 71% since September."),
			},
			ImmediateActions: []string{"immediate-risk-assessed", "designated-lead-notified"},
		},
	},
	{
		referrer: gp, age: childAge{14, 7},
		identified: ago(7 * hour), raised: ago(5*hour + 30*time.Minute),
		concern: pathway.Concern{
			Child: pathway.Child{GivenNames: "Chloe", FamilyName: "Sutton", Gender: "female", Nationality: "British",
				Languages: []string{"English"}, CurrentLocation: "At home with her mother, who collected her from the surgery"},
			IdentifiedWhere: "Riverside Medical Practice, consulting room 3",
			Summary: "Chloe came about repeated urine infections with a man of about 25 who said he was her boyfriend's brother " +
				"and answered questions for her. Seen alone, she said her boyfriend is 22, collects her in his car, buys her " +
				"things and that she sometimes stays at a friend of his flat. She asked me not to tell her mother.",
			ExploitationTypes: []string{"sexual"},
			Indicators: []pathway.ObservedIndicator{
				seen("sexual.much-older-partner", "Says her boyfriend is 22; she is 14."),
				seen("sexual.urinary-infections", "Third urinary tract infection in four months."),
				seen("general.unexplained-contact-from-adults", "Brought by an adult man who is not family and tried to answer for her."),
				seen("general.withholds-personal-details", "Would not give the address of the flat where she stays."),
				seen("disclosure.does-not-see-self-as-victim", "Says she is in a relationship and 'not a kid'."),
			},
			ImmediateActions: []string{"immediate-risk-assessed", "urgent-health-needs-met", "designated-lead-notified"},
		},
	},
	{
		referrer: youthWorker, age: childAge{15, 9},
		identified: ago(22 * hour), raised: ago(21 * hour),
		concern: pathway.Concern{
			Child: pathway.Child{GivenNames: "Jayden", FamilyName: "Price", Gender: "male", Nationality: "British",
				Languages: []string{"English"}, CurrentLocation: "At home with his grandmother, his main carer"},
			IdentifiedWhere: "Open Door Youth Project, evening drop-in",
			Summary: "Jayden told a youth worker he works at a hand car wash on the ring road most evenings and all weekend for a " +
				"man he calls 'the boss', a friend of his older cousin. He is paid about £20 a day in cash, sometimes nothing, and " +
				"says he owes the boss for his work boots. His hands are cracked and sore and he fell asleep during the session.",
			ExploitationTypes: []string{"labour"},
			Indicators: []pathway.ObservedIndicator{
				seen("general.poor-working-conditions", "Works outside in the cold with cleaning chemicals and no gloves."),
				seen("general.physical-signs-of-work", "Hands chapped and cracked; says his back aches."),
				seen("general.sleep-deprived", "Fell asleep twice during the evening session."),
				seen("general.truancy", "Says he has not been to school 'for a few weeks'."),
				seen("labour.daily-earnings-quota", "Says he is only paid if the takings reach what the boss expects."),
			},
			ImmediateActions: []string{"immediate-risk-assessed", "helpline-advice-sought", "designated-lead-notified"},
		},
	},
	{
		// Overdue: identified two days ago and still waiting for contact (§8.5).
		referrer: teacher, age: childAge{13, 2},
		identified: ago(50 * hour), raised: ago(47 * hour),
		concern: pathway.Concern{
			Child: pathway.Child{GivenNames: "Abena", FamilyName: "Owusu", Gender: "female", Nationality: "Ghanaian",
				Languages: []string{"English", "Twi"}, CurrentLocation: "In school; she goes home to the family friend's address after school"},
			IdentifiedWhere: "Northfield Academy, Year 8 form room",
			Summary: "Abena joined Year 8 in the spring and lives with a family friend she calls 'auntie', who brought her from " +
				"Ghana. She is often late and very tired. Today she told her tutor she gets up at five to clean, cook and take the " +
				"auntie's three young children to nursery, and does the washing and ironing in the evening. She is not allowed on " +
				"trips or to clubs because she is needed at home. She asked the tutor not to phone the auntie.",
			ExploitationTypes: []string{"domestic-servitude"},
			Indicators: []pathway.ObservedIndicator{
				seen("labour.household-chores", "Cleans, cooks and does the laundry for the household before and after school."),
				seen("general.unregulated-private-fostering", "Lives with a family friend, not a relative; no private fostering notification on record."),
				seen("general.no-time-to-play", "Not allowed to join clubs or trips; says she is needed at home."),
				seen("general.tired-or-withdrawn-look", "Late most mornings and often falls asleep in lessons."),
				seen("general.same-clothes", "Usually in the same uniform, which is worn and too small."),
			},
			FamilySuspected:  true,
			ImmediateActions: []string{"immediate-risk-assessed", "designated-lead-notified"},
		},
	},

	// Contact recorded, outcome due.
	{
		// A child from abroad whose age is uncertain (§7.4).
		referrer:   gp,
		identified: ago(30 * hour), raised: ago(28 * hour), contacted: ago(9 * hour), contactMethod: "phone",
		contactNote: "Call from Dr Raman. Not known to us. A professional Tigrinya interpreter is booked for the visit; the adult " +
			"who says he is a cousin must not interpret or be present. Duty social worker and police to visit together.",
		concern: pathway.Concern{
			Child: pathway.Child{GivenNames: "Dawit", EstimatedAge: 16, AgeUncertain: true, Gender: "male", Nationality: "Eritrean (his own account)",
				Languages: []string{"Tigrinya"}, CurrentLocation: "At a room above a restaurant in Eastshire town centre; exact address not known"},
			IdentifiedWhere: "Riverside Medical Practice, new patient registration",
			Summary: "A young man who gave his name as Dawit was brought to register by an adult who said he was a cousin and did all " +
				"the talking. Seen alone with a telephone interpreter, Dawit said he is 16, came to the UK about two months ago in " +
				"the back of a lorry and works in a restaurant kitchen in return for a mattress in a shared room. He has no papers " +
				"and asked several times whether he would be sent back.",
			ExploitationTypes: []string{"labour"},
			Indicators: []pathway.ObservedIndicator{
				seen("abroad.no-or-false-documents", "No passport or identity papers; says the adult keeps 'the papers'."),
				seen("abroad.adult-never-leaves", "The adult tried to stay in the consulting room, then waited outside the door."),
				seen("abroad.limited-english", "Speaks very little English; needed a Tigrinya interpreter."),
				seen("abroad.withholds-accommodation-details", "Cannot give his address, only 'above the restaurant'."),
				seen("labour.service-work", "Works in a restaurant kitchen for food and a bed, with no wages."),
				seen("abroad.fears-removal", "Asked several times whether he would be sent back."),
			},
			FamilySuspected:  true,
			ImmediateActions: []string{"immediate-risk-assessed", "urgent-health-needs-met", "interpreter-arranged", "early-legal-advice", "designated-lead-notified"},
		},
	},
	{
		// Immediate risk: the police were called first (§8.5).
		referrer: youthWorker, age: childAge{15, 1},
		identified: ago(16 * hour), raised: ago(15*hour + 30*time.Minute), contacted: ago(14 * hour), contactMethod: "phone",
		contactNote: "Emergency duty team call. Police attended the project and Leon was checked at the urgent treatment centre. " +
			"With police, agreed he stays with his aunt outside Eastshire overnight. Strategy discussion with police to be set up.",
		concern: pathway.Concern{
			Child: pathway.Child{GivenNames: "Leon", FamilyName: "Carter", Aliases: []string{"Lenny"}, Gender: "male", Nationality: "British",
				Languages: []string{"English"}, CurrentLocation: "Urgent treatment centre with police and a youth worker"},
			IdentifiedWhere: "Open Door Youth Project, reception",
			Summary: "Leon came in late in the evening with a swollen hand and a cut above his eye and said he could not go home " +
				"because 'they know where I live'. He said he lost a package he was holding for older boys and now owes them money, " +
				"and that they were waiting outside his block. He has two phones; one kept ringing. We called 999.",
			ImmediateRisk:     true,
			PoliceInformed:    true,
			PoliceReference:   "ESP-CAD-4417",
			ExploitationTypes: []string{"county-lines"},
			Indicators: []pathway.ObservedIndicator{
				seen("general.assault-or-restraint-injuries", "Swollen hand and a cut above his eye; would not say how it happened."),
				seen("general.moving-drugs", "Says he was 'holding a package' for older boys and lost it."),
				seen("criminal.fears-certain-areas", "Afraid to go back to his estate; says people are waiting outside his block."),
				seen("general.phone-but-no-money", "Has two phones, one a basic handset that rang again and again."),
				seen("disclosure.shame-and-responsibility", "Says it is his own fault and he has to pay the debt back."),
			},
			ImmediateActions: []string{"immediate-risk-assessed", "police-called-if-in-danger", "urgent-health-needs-met", "safe-accommodation-arranged", "designated-lead-notified"},
		},
	},
	{
		// Overdue: contact was recorded late, and the outcome is now overdue too.
		referrer: teacher, age: childAge{14, 5},
		identified: ago(64 * hour), raised: ago(62 * hour), contacted: ago(33 * hour), contactMethod: "online-form",
		contactNote: "Online referral from Northfield Academy picked up from the queue. Mason had a Children's Services case last " +
			"year that closed. Asked police for intelligence on the group before deciding the outcome.",
		concern: pathway.Concern{
			Child: pathway.Child{GivenNames: "Mason", FamilyName: "Kelly", Gender: "male", Nationality: "British",
				Languages: []string{"English"}, CurrentLocation: "At home with his mother"},
			IdentifiedWhere: "Northfield Academy, main entrance",
			Summary: "Mason has been on the roll of three schools in eighteen months. Staff have seen older teenagers on mopeds " +
				"collect him at the gate. Store detectives at the retail park have twice stopped him with bags of stolen goods, " +
				"which he said he was 'asked to get' by someone he would not name. He told a teaching assistant he 'can't say no " +
				"to them'.",
			ExploitationTypes: []string{"criminal"},
			Indicators: []pathway.ObservedIndicator{
				seen("general.school-registration-churn", "Third school in 18 months; his last school saw the same pattern."),
				seen("criminal.gang-association", "Collected at the school gate by older teenagers on mopeds."),
				seen("criminal.group-codes", "Has started using hand signs and slang staff link to a local group."),
				seen("general.inconsistent-account", "His account of where his money and new jacket come from keeps changing."),
			},
			ImmediateActions: []string{"immediate-risk-assessed", "designated-lead-notified"},
		},
	},
	{
		referrer: gp, age: childAge{16, 3},
		identified: ago(20 * hour), raised: ago(18 * hour), contacted: ago(17 * hour), contactMethod: "email",
		contactNote: "Secure email from the practice safeguarding lead, followed by a call to Dr Raman. Not known to us. " +
			"Police online child abuse team asked to check the gaming account details.",
		concern: pathway.Concern{
			Child: pathway.Child{GivenNames: "Ethan", FamilyName: "Ward", Gender: "male", Nationality: "British",
				Languages: []string{"English"}, CurrentLocation: "At home with his mother"},
			IdentifiedWhere: "Riverside Medical Practice, consulting room 1",
			Summary: "Ethan came with his mother about panic attacks and not sleeping. Seen alone, he said an adult man he met in an " +
				"online game has been sending him money and gifts, then asked him to travel to a hotel in Harbourton to 'keep " +
				"people company'. He has been twice. He is frightened his mother will find out and said boys 'don't get abused'.",
			ExploitationTypes: []string{"sexual"},
			Indicators: []pathway.ObservedIndicator{
				seen("disclosure.male-victim-barriers", "Said 'boys don't get abused' and asked me not to tell his mother."),
				seen("general.unexplained-contact-from-adults", "In regular contact with an adult man he met through an online game."),
				seen("general.unexplained-expensive-items", "Has received money transfers and a games console from the same man."),
				seen("general.travelling-alone-far-from-home", "Has travelled alone by train to a hotel in Harbourton twice."),
				seen("general.hypervigilant", "Panic attacks and poor sleep for about two months."),
			},
			ImmediateActions: []string{"immediate-risk-assessed", "urgent-health-needs-met", "helpline-advice-sought", "designated-lead-notified"},
		},
	},

	// Outcome given.
	{
		referrer: teacher, age: childAge{15, 8},
		identified: workingDaysAgoAt(8, 15, 40), raised: workingDaysAgoAt(8, 16, 35),
		contacted: workingDaysAgoAt(7, 9, 15), contactMethod: "phone",
		contactNote:  "Call from Hannah Okafor. Not known to us. Checked with police: the car has been seen near other schools.",
		outcomeGiven: workingDaysAgoAt(7, 15, 5), decision: "strategy-discussion",
		nextStep: "A strategy discussion with Eastshire Police and Northfield Academy will be held within two working days; the " +
			"allocated social worker will contact you to arrange it. Please note any further sightings of the car, with times.",
		concern: pathway.Concern{
			Child: pathway.Child{GivenNames: "Sophie", FamilyName: "Lambert", Gender: "female", Nationality: "British",
				Languages: []string{"English"}, CurrentLocation: "In school, in lessons"},
			IdentifiedWhere: "Northfield Academy, school gates",
			Summary: "Sophie has been picked up from the school gates several times by a man in his twenties in a silver car. She has " +
				"been missing overnight twice this month and came back with new clothes and a phone. Friends say she goes to " +
				"'parties' at a flat in town where older men give girls alcohol. Her attendance and grades have dropped sharply.",
			ExploitationTypes: []string{"sexual"},
			Indicators: []pathway.ObservedIndicator{
				seen("sexual.much-older-partner", "Collected by a man who looks in his twenties; she calls him her boyfriend."),
				seen("general.missing-episodes", "Missing overnight twice in a month."),
				seen("general.unexplained-expensive-items", "Came back with new clothes and a new phone."),
				seen("general.substance-use", "Friends say girls are given alcohol at a flat in town."),
				seen("general.poor-attendance-or-attainment", "Attendance down to 78%; grades have fallen in every subject."),
			},
			ImmediateActions: []string{"immediate-risk-assessed", "designated-lead-notified"},
		},
	},
	{
		referrer: youthWorker, age: childAge{16, 6},
		identified: workingDaysAgoAt(6, 19, 30), raised: workingDaysAgoAt(6, 21, 5),
		contacted: workingDaysAgoAt(5, 9, 40), contactMethod: "phone",
		contactNote:  "Call from Jamie Fletcher. Reece is known to police from his missing episodes. Police confirm the flat is under investigation.",
		outcomeGiven: workingDaysAgoAt(5, 16, 10), decision: "multi-agency-meeting",
		nextStep: "The social worker will convene a multi-agency meeting with police and health, which will consider an NRM referral. " +
			"You are invited, as Reece trusts you. Until then, please keep the project open to him as usual.",
		concern: pathway.Concern{
			Child: pathway.Child{GivenNames: "Reece", FamilyName: "Hammond", Gender: "male", Nationality: "British",
				Languages: []string{"English"}, CurrentLocation: "At home with his parents"},
			IdentifiedWhere: "Open Door Youth Project, one-to-one session",
			Summary: "Reece told a youth worker that police found him last week in a flat in Harbourton that dealers had taken over. " +
				"He had been there nine days, sleeping on the floor, answering a phone and delivering 'food' to addresses. He says " +
				"he was robbed and now owes £800. He has been reported missing four times this year.",
			ExploitationTypes: []string{"county-lines"},
			Indicators: []pathway.ObservedIndicator{
				seen("general.cannabis-farm-or-cuckooed-home", "Found by police in a flat taken over by dealers."),
				seen("general.found-far-from-home", "Found in Harbourton, about 60 miles from home, where he has no family."),
				seen("general.missing-episodes", "Reported missing four times this year."),
				seen("general.silent-at-return-interview", "Said nothing about where he had been at his return interview."),
				seen("general.unwilling-to-disclose", "Will not name the people involved because he owes them money."),
			},
			ImmediateActions: []string{"immediate-risk-assessed", "designated-lead-notified"},
		},
	},
	{
		referrer: gp, age: childAge{13, 10},
		identified: workingDaysAgoAt(4, 10, 15), raised: workingDaysAgoAt(4, 12, 30),
		contacted: workingDaysAgoAt(4, 14, 5), contactMethod: "phone",
		contactNote:  "Call from Dr Raman. Not known to us. Spoke to Oliver's mother, who did not know he was working.",
		outcomeGiven: workingDaysAgoAt(3, 11, 20), decision: "assessment",
		nextStep: "A social worker will carry out a child and family assessment over the next few weeks, working with Oliver's " +
			"mother and the school. Police have been told about the roofing business. Please tell us if Oliver is injured again.",
		concern: pathway.Concern{
			Child: pathway.Child{GivenNames: "Oliver", FamilyName: "Grant", Gender: "male", Nationality: "British",
				Languages: []string{"English"}, CurrentLocation: "At home with his mother"},
			IdentifiedWhere: "Riverside Medical Practice, minor injuries clinic",
			Summary: "Oliver came with a badly bruised foot from a fall from a ladder. He said he works for a neighbour's roofing " +
				"business on school days, carrying tiles, for cash. He was worried the neighbour would be angry he had come to " +
				"the doctor and asked me not to tell his mother.",
			ExploitationTypes: []string{"labour"},
			Indicators: []pathway.ObservedIndicator{
				seen("general.work-injuries", "Bruised foot from a fall from a ladder while carrying roof tiles."),
				seen("general.physical-signs-of-work", "Calloused hands and a sore shoulder from carrying loads."),
				seen("general.truancy", "Works on school days instead of going to school."),
				seen("general.reluctant-to-seek-help", "Worried the neighbour would be angry he came to the doctor."),
			},
			ImmediateActions: []string{"immediate-risk-assessed", "urgent-health-needs-met", "designated-lead-notified"},
		},
	},
	{
		referrer: teacher, age: childAge{15, 2},
		identified: workingDaysAgoAt(3, 11, 0), raised: workingDaysAgoAt(3, 12, 10),
		contacted: workingDaysAgoAt(3, 13, 30), contactMethod: "phone",
		contactNote:  "Call from Hannah Okafor. Kayla is a looked-after child with an allocated social worker.",
		outcomeGiven: workingDaysAgoAt(3, 15, 45), decision: "already-open",
		nextStep: "Kayla's allocated social worker, Grace Adeyemi, has the concern and will arrange a strategy discussion with " +
			"police and the children's home. She will contact you about the school's part in the plan.",
		concern: pathway.Concern{
			Child: pathway.Child{GivenNames: "Kayla", FamilyName: "Morris", Gender: "female", Nationality: "British",
				Languages: []string{"English"}, CurrentLocation: "In school, with the designated safeguarding lead"},
			IdentifiedWhere: "Northfield Academy, safeguarding office",
			Summary: "Kayla lives in a children's home in Eastshire. She has gone missing from the home five times since the " +
				"summer, usually overnight, and staff have seen her get into cars with different adults. Today she had cannabis in " +
				"school, said she was 'minding it for someone', and said she has 'a new family' who look after her.",
			ExploitationTypes: []string{"sexual", "criminal"},
			Indicators: []pathway.ObservedIndicator{
				seen("general.missing-from-care-home-or-school", "Missing from her children's home five times since the summer."),
				seen("general.unexplained-contact-from-adults", "Seen getting into cars with different adults near the home."),
				seen("general.moving-drugs", "Had cannabis in school; said she was minding it for someone."),
				seen("disclosure.sees-trafficker-as-rescuer", "Says she has 'a new family' who look after her."),
			},
			ImmediateActions: []string{"immediate-risk-assessed", "designated-lead-notified"},
		},
	},
	// A pilot site's case, decided by the local panel (panel.go).
	erin,
	// Kayla Morris raised again under another name: a likely earlier record (earlier_record.go).
	kay,
}
