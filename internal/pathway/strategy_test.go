package pathway_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// assignedWorker is a youth justice worker Children's Services assigned to the case.
var assignedWorker = pathway.Actor{
	Party: pathway.Party{UserID: "user-yot", Name: "Yara Youth", OrgID: "org-yot", OrgName: "Northshire Youth Justice Service"},
	Role:  pathway.RolePractitioner,
}

// strategyCase is a contacted case with assignedWorker assigned to it.
func strategyCase(t *testing.T) pathway.Case {
	t.Helper()
	c, _ := mustDecide(t, contactedCase(t), frontDoor, pathway.AssignWorker{WorkerEmail: "yara@yot.example", Worker: assignedWorker.Party}, now.Add(2*time.Hour))
	return c
}

// link records a person linked to the child.
func link(t *testing.T, c pathway.Case, name, relationship string) pathway.Case {
	t.Helper()
	c, _ = mustDecide(t, c, frontDoor, pathway.RecordLinkedPerson{Name: name, Relationship: relationship}, now.Add(3*time.Hour))
	return c
}

// vetted is a professional, approved, DBS-checked interpreter on the register.
func vetted(id, name string) *pathway.RegisteredInterpreter {
	return &pathway.RegisteredInterpreter{ID: id, Name: name, Languages: []string{"Albanian", "Italian"}, Dialects: []string{"Gheg"},
		Gender: "female", Professional: true, Approved: true, DBSCheckedOn: "2025-11-03", Active: true}
}

// booking books in for Albanian (Gheg), with no gender preference.
func booking(in *pathway.RegisteredInterpreter) pathway.BookInterpreter {
	return pathway.BookInterpreter{InterpreterID: in.ID, Interpreter: in, GenderPreference: "none", Language: "Albanian", Dialect: "Gheg"}
}

func discussion() pathway.RecordStrategyDiscussion {
	return pathway.RecordStrategyDiscussion{
		HeldAt:       now.Add(90 * time.Minute),
		Participants: []string{"Sam Social, Northshire Children's Services", "  Pat Police ,Northshire Police", ""},
		Section47:    true, JointInterview: true, Notes: "Joint interview with police on Thursday.",
	}
}

func interview() pathway.PlanInterview {
	return pathway.PlanInterview{PlannedFor: now.Add(48 * time.Hour), Interviewers: []string{"Sam Social", "DC Pat Police"}, Present: []string{"Ivy Advocate"}}
}

// §6.7: the strategy discussion and the Section 47 enquiry are Children's
// Services' to lead, with the workers they assign; the referrer and
// agencies not working the case cannot record one.
func TestOnlyChildrensServicesOrAnAssignedWorkerRecordTheStrategyDiscussion(t *testing.T) {
	c := strategyCase(t)
	for _, actor := range []pathway.Actor{teacher, policeLead} {
		_, err := pathway.New(cat).Decide(c, actor, discussion(), now.Add(2*time.Hour))
		wantRefused(t, err, waymark.EFORBIDDEN, "", "Only Children's Services or a worker assigned", "§6.7")
	}
	for _, actor := range []pathway.Actor{frontDoor, assignedWorker} {
		mustDecide(t, c, actor, discussion(), now.Add(2*time.Hour))
	}
}

// §6.7: the discussion decides on a Section 47 enquiry and a joint interview.
func TestStrategyDiscussionRecordsItsDecisions(t *testing.T) {
	c, e := mustDecide(t, strategyCase(t), frontDoor, discussion(), now.Add(2*time.Hour))
	d := c.Strategy.LatestDiscussion()
	if d == nil || !d.Section47 || !d.JointInterview || !d.HeldAt.Equal(now.Add(90*time.Minute)) || d.RecordedBy.UserID != frontDoor.UserID {
		t.Fatalf("discussion = %+v", d)
	}
	want := []pathway.StrategyParticipant{{Name: "Sam Social", Organisation: "Northshire Children's Services"}, {Name: "Pat Police", Organisation: "Northshire Police"}}
	if !reflect.DeepEqual(d.Participants, want) {
		t.Fatalf("participants = %+v, want %+v", d.Participants, want)
	}
	if got := e.Summary(); got != "Strategy discussion held: Section 47 enquiry to start; joint interview agreed" {
		t.Errorf("summary = %q", got)
	}
	later := discussion()
	later.HeldAt, later.Section47, later.JointInterview = now.Add(100*time.Minute), false, false
	c, e = mustDecide(t, c, frontDoor, later, now.Add(2*time.Hour))
	if len(c.Strategy.Discussions) != 2 || c.Strategy.LatestDiscussion().Section47 {
		t.Fatalf("a second discussion was not kept beside the first: %+v", c.Strategy.Discussions)
	}
	if got := e.Summary(); got != "Strategy discussion held: no Section 47 enquiry; no joint interview" {
		t.Errorf("summary = %q", got)
	}
}

func TestStrategyDiscussionNeedsWhenAndWho(t *testing.T) {
	c := strategyCase(t)
	for _, tc := range []struct {
		name   string
		change func(*pathway.RecordStrategyDiscussion)
		field  string
		says   string
	}{
		{"no time", func(d *pathway.RecordStrategyDiscussion) { d.HeldAt = time.Time{} }, "heldAt", "Enter the date and time"},
		{"in the future", func(d *pathway.RecordStrategyDiscussion) { d.HeldAt = now.Add(3 * time.Hour) }, "heldAt", "once it has been held"},
		{"before the child was identified", func(d *pathway.RecordStrategyDiscussion) { d.HeldAt = now.Add(-3 * time.Hour) }, "heldAt", "before the child was identified"},
		{"participant without organisation", func(d *pathway.RecordStrategyDiscussion) {
			d.Participants = []string{"Sam Social", "Pat Police, Police"}
		}, "participants", "'Sam Social'"},
		{"only one participant", func(d *pathway.RecordStrategyDiscussion) { d.Participants = d.Participants[:1] }, "participants", "at least two"},
		{"notes too long", func(d *pathway.RecordStrategyDiscussion) { d.Notes = strings.Repeat("n", pathway.MaxNarrative+1) }, "notes", "10000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := discussion()
			tc.change(&d)
			_, err := pathway.New(cat).Decide(c, frontDoor, d, now.Add(2*time.Hour))
			wantRefused(t, err, waymark.EINVALID, tc.field, tc.says)
		})
	}
}

// §6.5: the people around the child are recorded by those working the case.
func TestOnlyThePeopleWorkingTheCaseRecordLinkedPeople(t *testing.T) {
	c := strategyCase(t)
	cmd := pathway.RecordLinkedPerson{Name: "Viktor Sponsor", Relationship: pathway.RelationshipSponsor}
	for _, actor := range []pathway.Actor{teacher, policeLead} {
		_, err := pathway.New(cat).Decide(c, actor, cmd, now)
		wantRefused(t, err, waymark.EFORBIDDEN, "", "Only the people working this case")
	}
	for _, actor := range []pathway.Actor{frontDoor, assignedWorker} {
		got, _ := mustDecide(t, c, actor, cmd, now.Add(3*time.Hour))
		lp := got.Strategy.LinkedPeople
		if len(lp) != 1 || lp[0].Name != "Viktor Sponsor" || lp[0].Relationship != pathway.RelationshipSponsor || lp[0].RecordedBy.UserID != actor.UserID || lp[0].Seq != got.Version {
			t.Fatalf("linked people = %+v", lp)
		}
	}
}

func TestLinkedPersonNeedsANameAndAKnownRelationship(t *testing.T) {
	c := strategyCase(t)
	_, err := pathway.New(cat).Decide(c, frontDoor, pathway.RecordLinkedPerson{Name: "  ", Relationship: "uncle-ish"}, now)
	wantRefused(t, err, waymark.EINVALID, "name", "Enter the person's name")
	wantRefused(t, err, waymark.EINVALID, "relationship", "Select how the person is linked")

	c = link(t, c, "Viktor Sponsor", pathway.RelationshipSponsor)
	_, err = pathway.New(cat).Decide(c, frontDoor, pathway.RecordLinkedPerson{Name: "viktor  SPONSOR", Relationship: pathway.RelationshipSponsor}, now)
	wantRefused(t, err, waymark.EINVALID, "name", "already recorded as the child's sponsor")
	// The same person can be recorded again in another role: a sponsor may also be suspected.
	c = link(t, c, "Viktor Sponsor", pathway.RelationshipSuspectedExploiter)
	if len(c.Strategy.LinkedPeople) != 2 {
		t.Fatalf("linked people = %+v", c.Strategy.LinkedPeople)
	}
}

// §6.5: a suspected exploiter's name stays in the team's view, not on the timeline line.
func TestLinkedPersonTimelineLineNeverNamesThePerson(t *testing.T) {
	_, e := mustDecide(t, strategyCase(t), frontDoor, pathway.RecordLinkedPerson{Name: "Viktor Sponsor", Relationship: pathway.RelationshipSuspectedExploiter, Notes: "Drives a blue van"}, now)
	if got := e.Summary(); strings.Contains(got, "Viktor") || strings.Contains(got, "van") || !strings.Contains(got, "suspected exploiter") {
		t.Fatalf("summary = %q", got)
	}
}

// §6.7, §7.4, §7.6: parents, carers, sponsors, adults claiming to be
// relatives and suspected exploiters are never present at the child's
// interview, however their name is typed.
func TestChildIsNeverInterviewedWithThoseAroundThem(t *testing.T) {
	for _, rel := range []string{pathway.RelationshipParent, pathway.RelationshipCarer, pathway.RelationshipSponsor, pathway.RelationshipClaimedRelative, pathway.RelationshipSuspectedExploiter} {
		t.Run(rel, func(t *testing.T) {
			c := link(t, strategyCase(t), "Arben Hoxha", rel)
			iv := interview()
			iv.Present = []string{"Ivy Advocate", "  arben   HOXHA "}
			_, err := pathway.New(cat).Decide(c, frontDoor, iv, now.Add(4*time.Hour))
			wantRefused(t, err, waymark.EINVALID, "present", "Arben Hoxha is recorded on this case as", "must never be present", "§6.7", "independent advocate")
		})
	}
	// A brother or sister, or someone else found with the child, is for the team to judge.
	for _, rel := range []string{pathway.RelationshipSibling, pathway.RelationshipOther} {
		c := link(t, strategyCase(t), "Arben Hoxha", rel)
		iv := interview()
		iv.Present = []string{"Arben Hoxha"}
		mustDecide(t, c, frontDoor, iv, now.Add(4*time.Hour))
	}
}

// §6.7: the sponsor cannot lead the interview either.
func TestInterviewerCannotBeTheSponsor(t *testing.T) {
	c := link(t, strategyCase(t), "Viktor Sponsor", pathway.RelationshipSponsor)
	iv := interview()
	iv.Interviewers = append(iv.Interviewers, "Viktor Sponsor")
	_, err := pathway.New(cat).Decide(c, frontDoor, iv, now.Add(4*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "interviewers", "Viktor Sponsor is recorded on this case as the child's sponsor")
}

func TestInterviewPlanRecordsWhenAndWhoButTheTimelineNamesNobody(t *testing.T) {
	iv := interview()
	iv.Present = append(iv.Present, " ivy  advocate ")
	c, e := mustDecide(t, strategyCase(t), assignedWorker, iv, now.Add(4*time.Hour))
	got := c.Strategy.Interviews
	if len(got) != 1 || !got[0].PlannedFor.Equal(now.Add(48*time.Hour)) || !reflect.DeepEqual(got[0].Present, []string{"Ivy Advocate"}) ||
		len(got[0].Interviewers) != 2 || got[0].Interpreter != nil || got[0].PlannedBy.UserID != assignedWorker.UserID {
		t.Fatalf("interviews = %+v", got)
	}
	if s := e.Summary(); s != "Interview with the child planned for 12 March 2026 at 9:00am" {
		t.Errorf("summary = %q", s)
	}
	_, err := pathway.New(cat).Decide(strategyCase(t), teacher, interview(), now)
	wantRefused(t, err, waymark.EFORBIDDEN, "", "Only the people working this case")
}

func TestInterviewPlanNeedsATimeAndInterviewers(t *testing.T) {
	c := strategyCase(t)
	iv := pathway.PlanInterview{Interviewers: []string{" ", ""}, InterpreterID: "int-unknown"}
	_, err := pathway.New(cat).Decide(c, frontDoor, iv, now)
	wantRefused(t, err, waymark.EINVALID, "plannedFor", "Enter the date and time")
	wantRefused(t, err, waymark.EINVALID, "interviewers", "Enter who will interview")
	wantRefused(t, err, waymark.EINVALID, "interpreterId", "Choose an interpreter from the register")

	iv = interview()
	iv.PlannedFor = now.Add(400 * 24 * time.Hour)
	_, err = pathway.New(cat).Decide(c, frontDoor, iv, now)
	wantRefused(t, err, waymark.EINVALID, "plannedFor", "within the next year")
}

// §6.7, §7.5: the interview's interpreter is never a person linked to the child.
func TestInterviewInterpreterCannotBeALinkedPerson(t *testing.T) {
	c := link(t, strategyCase(t), "Dritan Cousin", pathway.RelationshipClaimedRelative)
	iv := interview()
	iv.InterpreterID, iv.Interpreter = "int-9", vetted("int-9", "Dritan Cousin")
	_, err := pathway.New(cat).Decide(c, frontDoor, iv, now.Add(4*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "interpreterId", "Dritan Cousin is recorded on this case as an adult claiming to be the child's relative", "must never interpret")

	iv.InterpreterID, iv.Interpreter = "int-1", vetted("int-1", "Elira Interpreter")
	c, _ = mustDecide(t, c, frontDoor, iv, now.Add(4*time.Hour))
	if in := c.Strategy.Interviews[0].Interpreter; in == nil || in.Name != "Elira Interpreter" {
		t.Fatalf("interview interpreter = %+v", in)
	}
}

// §7.5: the interview uses the interpreter the child knows.
func TestInterviewUsesTheChildsInterpreter(t *testing.T) {
	c, _ := mustDecide(t, strategyCase(t), frontDoor, booking(vetted("int-1", "Elira Interpreter")), now.Add(3*time.Hour))
	iv := interview()
	iv.InterpreterID, iv.Interpreter = "int-2", vetted("int-2", "Besa Other")
	_, err := pathway.New(cat).Decide(c, frontDoor, iv, now.Add(4*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "interpreterId", "The child's interpreter is Elira Interpreter", "book the new one first")

	iv.InterpreterID, iv.Interpreter = "int-1", vetted("int-1", "Elira Interpreter")
	mustDecide(t, c, frontDoor, iv, now.Add(4*time.Hour))
}

// §6.7: only professional interpreters, approved and DBS checked, and still
// active on the register, interpret for the child.
func TestInterpreterMustBeProfessionalApprovedAndDBSChecked(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*pathway.RegisteredInterpreter)
		says   string
	}{
		{"not professional", func(in *pathway.RegisteredInterpreter) { in.Professional = false }, "not recorded in the register as a professional interpreter"},
		{"not approved", func(in *pathway.RegisteredInterpreter) { in.Approved = false }, "as approved"},
		{"not DBS checked", func(in *pathway.RegisteredInterpreter) { in.DBSCheckedOn = "" }, "as DBS checked"},
		{"no longer active", func(in *pathway.RegisteredInterpreter) { in.Active = false }, "no longer active"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := vetted("int-1", "Elira Interpreter")
			tc.change(in)
			_, err := pathway.New(cat).Decide(strategyCase(t), frontDoor, booking(in), now.Add(3*time.Hour))
			wantRefused(t, err, waymark.EINVALID, "interpreterId", "Elira Interpreter", tc.says)

			iv := interview()
			iv.InterpreterID, iv.Interpreter = in.ID, in
			_, err = pathway.New(cat).Decide(strategyCase(t), frontDoor, iv, now.Add(3*time.Hour))
			wantRefused(t, err, waymark.EINVALID, "interpreterId", tc.says)
		})
	}
}

// §6.7: under no circumstances is the interpreter the sponsor.
func TestInterpreterCannotBeTheSponsor(t *testing.T) {
	c := link(t, strategyCase(t), "Viktor Sponsor", pathway.RelationshipSponsor)
	_, err := pathway.New(cat).Decide(c, frontDoor, booking(vetted("int-7", " VIKTOR   sponsor")), now.Add(4*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "interpreterId", "Viktor Sponsor is recorded on this case as the child's sponsor", "must never interpret", "§6.7")
}

// §6.7, §7.5: family, carers, adults claiming to be relatives, suspected
// exploiters and anyone else found with the child never interpret.
func TestInterpreterCannotBeAnyoneLinkedToTheChild(t *testing.T) {
	for _, rel := range pathway.Relationships() {
		t.Run(rel.Value, func(t *testing.T) {
			c := link(t, strategyCase(t), "Arben Hoxha", rel.Value)
			_, err := pathway.New(cat).Decide(c, frontDoor, booking(vetted("int-7", "Arben Hoxha")), now.Add(4*time.Hour))
			wantRefused(t, err, waymark.EINVALID, "interpreterId", "Arben Hoxha is recorded on this case as", "must never interpret")
		})
	}
}

// annex, §1.2: when the family is suspected, no family member interprets,
// and the refusal says why.
func TestFamilySuspectedMeansNoFamilyMemberInterprets(t *testing.T) {
	concern := validConcern()
	concern.FamilySuspected = true
	c, _ := mustDecide(t, pathway.Case{}, teacher, pathway.RaiseConcern{CaseID: "case-1", Concern: concern, ChildrensServicesOrg: "org-cs"}, now)
	c = link(t, c, "Luan Brother", pathway.RelationshipSibling)
	_, err := pathway.New(cat).Decide(c, frontDoor, booking(vetted("int-8", "Luan Brother")), now.Add(4*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "interpreterId", "a brother or sister of the child", "The family is suspected", "§1.2")
}

// §7.5: the child keeps their interpreter unless they ask for a change.
func TestChildKeepsTheirInterpreterUnlessTheyAskForAChange(t *testing.T) {
	first := vetted("int-1", "Elira Interpreter")
	second := vetted("int-2", "Besa Other")
	c, _ := mustDecide(t, strategyCase(t), frontDoor, booking(first), now.Add(3*time.Hour))

	_, err := pathway.New(cat).Decide(c, frontDoor, booking(second), now.Add(4*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "childAskedForChange", "The child already works with Elira Interpreter", "unless the child asks")

	change := booking(second)
	change.ChildAskedForChange = true
	_, err = pathway.New(cat).Decide(c, frontDoor, change, now.Add(4*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "changeReason", "why the child asked")

	change.ChangeReason = "Would rather talk to someone from her own region"
	c, e := mustDecide(t, c, frontDoor, change, now.Add(4*time.Hour))
	cur := c.Strategy.CurrentInterpreter()
	if cur == nil || cur.Interpreter.ID != "int-2" || cur.Replaces != "int-1" || !cur.ChildAskedForChange || len(c.Strategy.Interpreters) != 2 {
		t.Fatalf("interpreters = %+v", c.Strategy.Interpreters)
	}
	if s := e.Summary(); !strings.Contains(s, "Besa Other") || !strings.Contains(s, "at the child's request") {
		t.Errorf("summary = %q", s)
	}

	_, err = pathway.New(cat).Decide(c, frontDoor, booking(second), now.Add(5*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "interpreterId", "already the child's interpreter")
}

// §6.7, §7.5: an interpreter later found to be linked to the child is no
// longer theirs to keep: the case says so, and another can be booked at once.
func TestAnInterpreterFoundToBeLinkedIsReplacedWithoutWaitingForTheChild(t *testing.T) {
	c, _ := mustDecide(t, strategyCase(t), frontDoor, booking(vetted("int-1", "Elira Interpreter")), now.Add(3*time.Hour))
	iv := interview()
	iv.InterpreterID, iv.Interpreter = "int-1", vetted("int-1", "Elira Interpreter")
	iv.Present = []string{"Agim Uncle"}
	c, _ = mustDecide(t, c, frontDoor, iv, now.Add(3*time.Hour))
	if a := c.Strategy.Alerts(); len(a) != 0 {
		t.Fatalf("alerts before anything was found: %q", a)
	}
	c = link(t, c, "Elira Interpreter", pathway.RelationshipSuspectedExploiter)
	c = link(t, c, "Agim Uncle", pathway.RelationshipClaimedRelative)
	alerts := strings.Join(c.Strategy.Alerts(), "\n")
	for _, want := range []string{"The child's interpreter, Elira Interpreter, is recorded as a suspected exploiter", "lists Agim Uncle", "interpreter for the interview planned for"} {
		if !strings.Contains(alerts, want) {
			t.Errorf("alerts %q do not say %q", alerts, want)
		}
	}
	mustDecide(t, c, frontDoor, booking(vetted("int-2", "Besa Other")), now.Add(4*time.Hour))
}

// §7.5: the child chooses the interpreter's gender and the dialect is
// double-checked; a booking that misses either says so.
func TestBookingRecordsWhetherDialectAndGenderChoiceAreMet(t *testing.T) {
	in := vetted("int-1", "Elira Interpreter")
	for _, tc := range []struct {
		name            string
		dialect, gender string
		dialectOK       bool
		genderOK        bool
		warns           []string
	}{
		{"both met", "gheg", "female", true, true, nil},
		{"no preference", "Gheg", "none", true, true, nil},
		{"dialect differs", "Tosk", "none", false, true, []string{"dialect not matched"}},
		{"gender not met", "Gheg", "male", true, false, []string{"choice of gender is not met"}},
		{"dialect not given", "", "none", false, true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := booking(in)
			cmd.Dialect, cmd.GenderPreference = tc.dialect, tc.gender
			c, e := mustDecide(t, strategyCase(t), frontDoor, cmd, now.Add(3*time.Hour))
			b := c.Strategy.CurrentInterpreter()
			if b.DialectMatches != tc.dialectOK || b.GenderPreferenceMet != tc.genderOK || b.Interpreter.Name != "Elira Interpreter" || b.BookedBy.UserID != frontDoor.UserID {
				t.Fatalf("booking = %+v", b)
			}
			s := e.Summary()
			if len(tc.warns) == 0 && strings.Contains(s, "Warning") {
				t.Errorf("summary %q warns of nothing to warn about", s)
			}
			for _, w := range tc.warns {
				if !strings.Contains(s, w) {
					t.Errorf("summary %q does not warn %q", s, w)
				}
			}
			if tc.dialect == "" && !strings.Contains(strings.Join(b.Warnings(), " "), "dialect was not recorded") {
				t.Errorf("warnings %q do not ask to double-check the dialect", b.Warnings())
			}
		})
	}
}

func TestInterpreterMustBeRegisteredForTheChildsLanguage(t *testing.T) {
	cmd := booking(vetted("int-1", "Elira Interpreter"))
	cmd.Language = "Vietnamese"
	_, err := pathway.New(cat).Decide(strategyCase(t), frontDoor, cmd, now.Add(3*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "language", "not registered to interpret Vietnamese", "Albanian, Italian")
}

func TestBookingNeedsAnInterpreterTheChildsChoiceAndALanguage(t *testing.T) {
	_, err := pathway.New(cat).Decide(strategyCase(t), frontDoor, pathway.BookInterpreter{InterpreterID: "int-x", GenderPreference: "whoever"}, now)
	wantRefused(t, err, waymark.EINVALID, "interpreterId", "Choose an interpreter from the register")
	wantRefused(t, err, waymark.EINVALID, "genderPreference", "Ask the child", "§7.5")
	wantRefused(t, err, waymark.EINVALID, "language", "Enter the language")
}

// §6.7: the child's interpreter is arranged by Children's Services.
func TestOnlyChildrensServicesOrAnAssignedWorkerBookTheInterpreter(t *testing.T) {
	c := strategyCase(t)
	for _, actor := range []pathway.Actor{teacher, policeLead} {
		_, err := pathway.New(cat).Decide(c, actor, booking(vetted("int-1", "Elira Interpreter")), now)
		wantRefused(t, err, waymark.EFORBIDDEN, "", "Only Children's Services or a worker assigned")
	}
	mustDecide(t, c, assignedWorker, booking(vetted("int-1", "Elira Interpreter")), now.Add(3*time.Hour))
}

// §6.5: linked people are data about the child; nobody becomes a member of
// the case through this area.
func TestStrategyWorkMakesNobodyAMember(t *testing.T) {
	c := strategyCase(t)
	before := pathway.Members(c)
	c = link(t, c, "Viktor Sponsor", pathway.RelationshipSponsor)
	c, _ = mustDecide(t, c, frontDoor, discussion(), now.Add(3*time.Hour))
	c, _ = mustDecide(t, c, frontDoor, interview(), now.Add(3*time.Hour))
	c, _ = mustDecide(t, c, frontDoor, booking(vetted("int-1", "Elira Interpreter")), now.Add(3*time.Hour))
	if after := pathway.Members(c); !reflect.DeepEqual(before, after) {
		t.Fatalf("members changed:\nbefore %+v\n after %+v", before, after)
	}
	plain := pathway.Case{Concern: c.Concern, Safety: c.Safety}
	if f := c.Flags(now); f != plain.Flags(now) {
		t.Fatalf("flags changed: %+v", f)
	}
}

// strategyHistory is a case log through every event of this area.
func strategyHistory(t *testing.T) []pathway.Event {
	t.Helper()
	var events []pathway.Event
	c := pathway.Case{}
	iv := interview()
	iv.InterpreterID, iv.Interpreter = "int-1", vetted("int-1", "Elira Interpreter")
	for _, step := range []struct {
		actor pathway.Actor
		cmd   pathway.Command
		at    time.Time
	}{
		{teacher, pathway.RaiseConcern{CaseID: "case-1", Concern: validConcern(), ChildrensServicesOrg: "org-cs"}, now},
		{frontDoor, pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone"}, now.Add(time.Hour)},
		{frontDoor, pathway.RecordLinkedPerson{Name: "Viktor Sponsor", Relationship: pathway.RelationshipSponsor, Notes: "Met her at the port"}, now.Add(2 * time.Hour)},
		{frontDoor, discussion(), now.Add(2 * time.Hour)},
		{frontDoor, booking(vetted("int-1", "Elira Interpreter")), now.Add(3 * time.Hour)},
		{frontDoor, iv, now.Add(3 * time.Hour)},
	} {
		var e pathway.Event
		c, e = mustDecide(t, c, step.actor, step.cmd, step.at)
		events = append(events, e)
	}
	return events
}

// §7.5: what is stored is what was decided, and the case folds back the same.
func TestStrategyEventsRoundTripAndReplay(t *testing.T) {
	events := strategyHistory(t)
	for _, e := range events[2:] {
		payload, err := pathway.EncodePayload(e)
		if err != nil {
			t.Fatal(err)
		}
		back := pathway.Event{CaseID: e.CaseID, Seq: e.Seq, Type: e.Type, At: e.At, Actor: e.Actor}
		if err := pathway.DecodePayload(&back, payload); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, e) {
			t.Fatalf("%s changed in the round trip:\n got %+v\nwant %+v", e.Type, back, e)
		}
	}
	var stepwise pathway.Case
	for _, e := range events {
		stepwise = pathway.Apply(stepwise, e)
	}
	if got := pathway.Replay(events); !reflect.DeepEqual(got, stepwise) {
		t.Fatalf("replay differs from stepwise apply")
	}
	s := stepwise.Strategy
	if len(s.LinkedPeople) != 1 || len(s.Discussions) != 1 || len(s.Interviews) != 1 || len(s.Interpreters) != 1 {
		t.Fatalf("strategy state = %+v", s)
	}
}

// Apply is pure: two futures from one state do not overwrite each other.
func TestStrategyApplyLeavesTheEarlierStateUnchanged(t *testing.T) {
	events := strategyHistory(t)
	base := pathway.Replay(events[:3])
	base.Strategy.LinkedPeople = append(make([]pathway.LinkedPerson, 0, 8), base.Strategy.LinkedPeople...)
	a, _ := mustDecide(t, base, frontDoor, pathway.RecordLinkedPerson{Name: "Agim Uncle", Relationship: pathway.RelationshipClaimedRelative}, now.Add(3*time.Hour))
	_, _ = mustDecide(t, base, frontDoor, pathway.RecordLinkedPerson{Name: "Drita Aunt", Relationship: pathway.RelationshipCarer}, now.Add(3*time.Hour))
	if got := a.Strategy.LinkedPeople[1].Name; got != "Agim Uncle" {
		t.Fatalf("a second Apply from the same state overwrote the first: %q", got)
	}
	if len(base.Strategy.LinkedPeople) != 1 {
		t.Fatalf("the earlier state changed: %+v", base.Strategy.LinkedPeople)
	}
}
