package pathway_test

import (
	"slices"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// suspectLater records, after the concern, the team's answer on whether the
// family is suspected (§1.2, annex).
func suspectLater(t *testing.T, c pathway.Case, answer string) pathway.Case {
	t.Helper()
	c, _ = mustDecide(t, c, frontDoor, pathway.RecordFamilySuspicion{Answer: answer, Reason: "The child said her uncle takes her to the house"}, c.RaisedAt.Add(2*time.Hour))
	return c
}

func warningKinds(c pathway.Case) []string {
	var out []string
	for _, w := range c.Warnings() {
		out = append(out, w.Kind)
	}
	return out
}

// §1.2: "I do not know" on the concern is kept as its own answer, never as no.
func TestFamilyNotKnownOnTheConcernIsKeptAsItsOwnAnswer(t *testing.T) {
	c := supCase(t, func(cn *pathway.Concern) { cn.FamilySuspicion = pathway.FamilySuspectedUnknown })
	if got := c.FamilySuspicion(); got != pathway.FamilySuspectedUnknown {
		t.Fatalf("answer = %q, want not known", got)
	}
	f := c.Flags(now)
	if f.FamilySuspected || !f.FamilyNotKnown {
		t.Errorf("flags = %+v, want not known and not suspected", f)
	}
	if !slices.Contains(warningKinds(c), "family-not-known") {
		t.Errorf("warnings = %v, want family-not-known", warningKinds(c))
	}
	// And it survives the log.
	events, err := raise(func() pathway.Concern { cn := validConcern(); cn.FamilySuspicion = "unknown"; return cn }())
	if err != nil {
		t.Fatal(err)
	}
	stored, err := pathway.EncodePayload(events[0])
	if err != nil {
		t.Fatal(err)
	}
	back := pathway.Event{Type: events[0].Type}
	if err := pathway.DecodePayload(&back, stored); err != nil {
		t.Fatal(err)
	}
	if got := pathway.Replay([]pathway.Event{back}).FamilySuspicion(); got != pathway.FamilySuspectedUnknown {
		t.Errorf("after the round trip the answer is %q, want not known", got)
	}
}

// §1.2: a concern stored before "not known" was kept reads yes or no, as it did.
func TestOldConcernEventsReadTheFamilyAsYesOrNo(t *testing.T) {
	for _, tc := range []struct {
		payload string
		want    string
	}{
		{`{"data":{"concern":{"familySuspected":true},"childrensServicesOrg":"org-cs"}}`, pathway.FamilySuspectedYes},
		{`{"data":{"concern":{"familySuspected":false},"childrensServicesOrg":"org-cs"}}`, pathway.FamilySuspectedNo},
	} {
		e := pathway.Event{CaseID: "case-1", Seq: 1, Type: pathway.EventConcernRaised, At: now, Actor: teacher.Party}
		if err := pathway.DecodePayload(&e, []byte(tc.payload)); err != nil {
			t.Fatal(err)
		}
		if got := pathway.Replay([]pathway.Event{e}).FamilySuspicion(); got != tc.want {
			t.Errorf("%s reads %q, want %q", tc.payload, got, tc.want)
		}
	}
}

// §1.2, annex: the team sets, changes and clears the answer at any point,
// each time with a reason; only Children's Services keep it.
func TestFamilySuspicionCanBeSetChangedAndClearedWithAReason(t *testing.T) {
	c := supCase(t)
	p := pathway.New(cat)
	_, err := p.Decide(c, frontDoor, pathway.RecordFamilySuspicion{Answer: "maybe"}, now.Add(2*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "answer", "not known")
	wantRefused(t, err, waymark.EINVALID, "reason", "why")
	_, err = p.Decide(c, frontDoor, pathway.RecordFamilySuspicion{Answer: "no", Reason: "Still no"}, now.Add(2*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "answer", "already records")
	_, err = p.Decide(c, teacher, pathway.RecordFamilySuspicion{Answer: "yes", Reason: "The uncle"}, now.Add(2*time.Hour))
	wantRefused(t, err, waymark.EFORBIDDEN, "", "Children's Services")

	for _, answer := range []string{pathway.FamilySuspectedYes, pathway.FamilySuspectedUnknown, pathway.FamilySuspectedNo} {
		c = suspectLater(t, c, answer)
		if got := c.FamilySuspicion(); got != answer {
			t.Fatalf("after recording %q the case says %q", answer, got)
		}
	}
	if len(c.Family.History) != 3 || c.Family.History[0].Reason == "" || c.Family.History[0].By.UserID != frontDoor.UserID {
		t.Errorf("history = %+v, want three answers with who and why", c.Family.History)
	}
	if slices.ContainsFunc(warningKinds(c), func(k string) bool { return k == "family-suspected" || k == "family-not-known" }) {
		t.Errorf("cleared, yet warnings = %v", warningKinds(c))
	}
}

// annex, §1.2: suspected later, the case warns and flags it exactly as when
// suspected from the start, for the team and for those outside it.
func TestFamilySuspectedLaterIsFlaggedAndWarnedOnEveryView(t *testing.T) {
	fromStart := supCase(t, func(cn *pathway.Concern) { cn.FamilySuspected = true })
	later := suspectLater(t, supCase(t), pathway.FamilySuspectedYes)
	if !later.Flags(now).FamilySuspected || later.Flags(now).FamilySuspected != fromStart.Flags(now).FamilySuspected {
		t.Errorf("flags later %+v, from the start %+v", later.Flags(now), fromStart.Flags(now))
	}
	if !slices.Equal(warningKinds(later), warningKinds(fromStart)) {
		t.Errorf("warnings later %v, from the start %v", warningKinds(later), warningKinds(fromStart))
	}
	outsider := later.ForOutsider(teacher.UserID)
	if !outsider.Flags(now).FamilySuspected || !slices.Contains(warningKinds(outsider), "family-suspected") {
		t.Errorf("the referrer's view does not carry the flag: %+v", outsider.Flags(now))
	}
	if len(outsider.Family.History) != 0 {
		t.Errorf("the referrer's view carries the team's reasons: %+v", outsider.Family.History)
	}
}

// annex, §1.2: suspected later, no meeting action contacts the family; not
// known is treated as suspected until the team answers.
func TestFamilySuspectedLaterRefusesAnActionThatContactsTheFamily(t *testing.T) {
	for _, answer := range []string{pathway.FamilySuspectedYes, pathway.FamilySuspectedUnknown} {
		t.Run(answer, func(t *testing.T) {
			c, id := mtgHeld(t)
			c, _ = mustDecide(t, c, frontDoor, pathway.RecordFamilySuspicion{Answer: answer, Reason: "What the child said at the meeting"}, now)
			cmd := mtgAction(id)
			cmd.ContactsFamily = mtgBool(true)
			_, err := pathway.New(cat).Decide(c, mtgSocialWorker, cmd, now)
			wantRefused(t, err, waymark.EINVALID, "contactsFamily", "cannot contact them", "annex, §1.2")
			c, _ = mustDecide(t, c, frontDoor, pathway.RecordFamilySuspicion{Answer: "no", Reason: "Police checks cleared the family"}, now)
			mustDecide(t, c, mtgSocialWorker, cmd, now)
		})
	}
}

// annex, §1.2, §7.6: suspected later, nobody contacts the family to trace it;
// not known is treated as suspected until the team answers.
func TestFamilySuspectedLaterRefusesTracingContact(t *testing.T) {
	for _, answer := range []string{pathway.FamilySuspectedYes, pathway.FamilySuspectedUnknown} {
		t.Run(answer, func(t *testing.T) {
			c := supCase(t)
			c, _ = mustDecide(t, c, supSocialWorker, pathway.RecordRepatriationRisk{AssessedOn: "2026-03-10", Findings: "Parents arranged the journey"}, now)
			c = suspectLater(t, c, answer)
			_, err := pathway.New(cat).Decide(c, supSocialWorker, pathway.RecordFamilyTracing{Discreet: true, ContactMade: true, Notes: "Call the parents"}, now.Add(3*time.Hour))
			wantRefused(t, err, waymark.EINVALID, "", "nobody may contact them", "annex, §1.2")
			mustDecide(t, c, supSocialWorker, pathway.RecordFamilyTracing{Discreet: true, ContactMade: false, Notes: "Desk research only"}, now.Add(3*time.Hour))
		})
	}
}

// annex, §1.2: suspected later, a family member refused as interpreter is
// told the family is suspected, as when suspected from the start.
func TestFamilySuspectedLaterIsNamedWhenAFamilyMemberIsRefusedAsInterpreter(t *testing.T) {
	c := suspectLater(t, raisedCase(t), pathway.FamilySuspectedYes)
	c = link(t, c, "Luan Brother", pathway.RelationshipSibling)
	_, err := pathway.New(cat).Decide(c, frontDoor, booking(vetted("int-8", "Luan Brother")), now.Add(4*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "interpreterId", "The family is suspected", "§1.2")

	c = suspectLater(t, c, pathway.FamilySuspectedUnknown)
	_, err = pathway.New(cat).Decide(c, frontDoor, booking(vetted("int-8", "Luan Brother")), now.Add(4*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "interpreterId", "not known whether the family is involved", "§1.2")
}

// §1.2: a concern's answer that is none of the three is refused.
func TestConcernFamilyAnswerMustBeYesNoOrNotKnown(t *testing.T) {
	cn := validConcern()
	cn.FamilySuspicion = "perhaps"
	_, err := raise(cn)
	wantRefused(t, err, waymark.EINVALID, "familySuspicion", "not known")
}
