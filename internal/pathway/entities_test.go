package pathway_test

import (
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// entityCase is a case whose meeting was held, with a phone number recorded
// by the social worker who convened it (§6.8).
func entityCase(t *testing.T) pathway.Case {
	t.Helper()
	c, _ := mtgHeld(t)
	c, _ = mustDecide(t, c, mtgSocialWorker, pathway.RecordEntity{Kind: pathway.EntityPhone, Value: "07700 900123", Role: pathway.EntityRoleContact, Notes: "The number that texted her"}, now.Add(26*time.Hour))
	return c
}

// §6.8, §8.8(4)(d): the same exploiters recur across children; their
// details match whatever way they were written.
func TestEntityValuesMatchHoweverTheyWereWritten(t *testing.T) {
	for _, tc := range []struct {
		kind, a, b string
		same       bool
	}{
		{pathway.EntityPhone, "07700 900123", "+44 7700 900123", true},
		{pathway.EntityPhone, "07700 900123", "0044 (0)7700-900-123", true},
		{pathway.EntityPhone, "07700 900123", "07700 900124", false},
		{pathway.EntityVehicle, "ab12 cde", "AB12CDE", true},
		{pathway.EntityHandle, "@Dee_Runner", "dee_runner", true},
		{pathway.EntityAddress, "14 Mill Lane, Eastport EA1 4QT", "14 mill lane ea14qt", true},
		{pathway.EntityAddress, "14 Mill Lane, EA1 4QT", "16 Mill Lane, EA1 4QT", false},
		{pathway.EntityPerson, "Ali Karim", "KARIM  ali", true},
		{pathway.EntityPerson, "Ali Karim", "Tom Jones", false},
		// The engine's name keys forgive transliteration and name order (§4.8).
		{pathway.EntityPerson, "Mohammed Ali", "Muhammad Ali", true},
		{pathway.EntityPerson, "Nguyễn Văn An", "Nguyen Van An", true},
		{pathway.EntityNickname, "Big T", "big-t", true},
	} {
		ka, kb := pathway.EntityKey(tc.kind, tc.a), pathway.EntityKey(tc.kind, tc.b)
		if ka == "" || (ka == kb) != tc.same {
			t.Errorf("%s %q → %q and %q → %q: same = %t, want %t", tc.kind, tc.a, ka, tc.b, kb, ka == kb, tc.same)
		}
	}
	if pathway.EntityKey(pathway.EntityPhone, "999") != "" {
		t.Errorf("a three-digit number matched as a phone number")
	}
}

// §6.5, §6.8: the team records the exploiters' details; someone outside it
// cannot, and a detail that cannot be matched is refused with what to enter.
func TestEntitiesAreRecordedByTheTeamOnly(t *testing.T) {
	c := entityCase(t)
	es := c.Entities()
	if len(es) != 1 || es[0].Kind != pathway.EntityPhone || es[0].Value != "07700 900123" || es[0].RecordedBy.UserID != mtgSocialWorker.UserID {
		t.Fatalf("entities = %+v", es)
	}
	_, err := pathway.New(cat).Decide(c, asMember(c, teacher), pathway.RecordEntity{Kind: pathway.EntityPhone, Value: "07700 900999", Role: pathway.EntityRoleOther}, now.Add(27*time.Hour))
	wantRefused(t, err, waymark.EFORBIDDEN, "", "people working this case")
	_, err = pathway.New(cat).Decide(c, mtgSocialWorker, pathway.RecordEntity{Kind: pathway.EntityPhone, Value: "12", Role: pathway.EntityRoleOther}, now.Add(27*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "value", "07700 900123")
	_, err = pathway.New(cat).Decide(c, mtgSocialWorker, pathway.RecordEntity{Kind: "email", Value: "x", Role: "boss"}, now.Add(27*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "kind")
	wantRefused(t, err, waymark.EINVALID, "role")
	// The same number written another way is the one already recorded.
	_, err = pathway.New(cat).Decide(c, mtgSocialWorker, pathway.RecordEntity{Kind: pathway.EntityPhone, Value: "+447700900123", Role: pathway.EntityRoleOther}, now.Add(27*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "value", "already recorded")
}

// §6.8, §8.8(4)(d): a person linked to the child as a suspected exploiter is
// a person entity already, and is not entered twice; the child's own parent
// is not an entity.
func TestLinkedSuspectedExploiterCountsAsAPersonEntity(t *testing.T) {
	c := entityCase(t)
	c, _ = mustDecide(t, c, mtgSocialWorker, pathway.RecordLinkedPerson{Name: "Ali Karim", Relationship: pathway.RelationshipSuspectedExploiter}, now.Add(27*time.Hour))
	c, _ = mustDecide(t, c, mtgSocialWorker, pathway.RecordLinkedPerson{Name: "Rose Parent", Relationship: pathway.RelationshipParent}, now.Add(27*time.Hour))
	var people []pathway.Entity
	for _, e := range c.Entities() {
		if e.Kind == pathway.EntityPerson {
			people = append(people, e)
		}
	}
	if len(people) != 1 || people[0].Value != "Ali Karim" || !people[0].LinkedPerson || people[0].RoleLabel() != "Suspected exploiter" {
		t.Fatalf("person entities = %+v, want Ali Karim from the linked people only", people)
	}
	_, err := pathway.New(cat).Decide(c, mtgSocialWorker, pathway.RecordEntity{Kind: pathway.EntityPerson, Value: "karim ali", Role: pathway.EntityRoleSuspectedExploiter}, now.Add(28*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "value", "linked to the child")
	if ks := c.EntityKeys(); len(ks) != 2 {
		t.Errorf("entity keys = %+v, want the phone and Ali Karim", ks)
	}
}

// §7.5: an entity recorded in error is removed with the reason, and its
// record kept; a linked person is corrected, not removed here.
func TestEntityIsRemovedWithAReasonAndItsHistoryKept(t *testing.T) {
	c := entityCase(t)
	id := c.Entities()[0].ID
	_, err := pathway.New(cat).Decide(c, mtgSocialWorker, pathway.RemoveEntity{EntityID: id}, now.Add(27*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "reason")
	c, _ = mustDecide(t, c, mtgSocialWorker, pathway.RemoveEntity{EntityID: id, Reason: "The number was the foster carer's"}, now.Add(27*time.Hour))
	if len(c.Entities()) != 0 || len(c.EntityKeys()) != 0 {
		t.Fatalf("entities after removal = %+v", c.Entities())
	}
	rm := c.RemovedEntities()
	if len(rm) != 1 || rm[0].Removed.Reason != "The number was the foster carer's" || rm[0].Value != "07700 900123" {
		t.Fatalf("removed = %+v, want the number kept with why", rm)
	}
	_, err = pathway.New(cat).Decide(c, mtgSocialWorker, pathway.RemoveEntity{EntityID: id, Reason: "again"}, now.Add(28*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "")
}

// §6.8 a–j: the meeting records a disruption power against an entity; a
// power not in force (the CCE Prevention Order) is refused, and only the
// social worker or manager records it.
func TestMeetingRecordsADisruptionPowerAgainstAnEntityInForceOnly(t *testing.T) {
	c := entityCase(t)
	id := c.Entities()[0].ID
	cmd := pathway.RecordEntityDisruption{EntityID: id, Power: "ddtro", Outcome: "to-apply", Reason: "The number runs the line"}
	bad := cmd
	bad.Power = "ccepo"
	_, err := pathway.New(cat).Decide(c, mtgSocialWorker, bad, now.Add(27*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "power")
	_, err = pathway.New(cat).Decide(c, asMember(c, policeLead), cmd, now.Add(27*time.Hour))
	wantRefused(t, err, waymark.EFORBIDDEN, "")
	c, _ = mustDecide(t, c, mtgSocialWorker, cmd, now.Add(27*time.Hour))
	ds := c.Entities()[0].Disruptions
	if len(ds) != 1 || !strings.HasPrefix(ds[0].PowerLabel(), "Drug Dealing Telecommunications Restriction Order") || ds[0].MeetingID == "" {
		t.Fatalf("disruptions = %+v", ds)
	}
	// Against a linked suspected exploiter too.
	c, _ = mustDecide(t, c, mtgSocialWorker, pathway.RecordLinkedPerson{Name: "Ali Karim", Relationship: pathway.RelationshipSuspectedExploiter}, now.Add(28*time.Hour))
	var ali pathway.Entity
	for _, e := range c.Entities() {
		if e.LinkedPerson {
			ali = e
		}
	}
	c, _ = mustDecide(t, c, mtgSocialWorker, pathway.RecordEntityDisruption{EntityID: ali.ID, Power: "stro", Outcome: "applied", Reason: "Moves children between towns"}, now.Add(29*time.Hour))
	if e, ok := c.EntityByID(ali.ID); !ok || len(e.Disruptions) != 1 || len(c.Entities()) != 2 {
		t.Fatalf("entities = %+v", c.Entities())
	}
}

// §6.8: where an entity recurs is for the meeting's chair (who convened it)
// and the partnership lead working the case; the network view for the
// partnership lead alone.
func TestRecurrenceIsForTheMeetingChairAndThePartnershipLead(t *testing.T) {
	c := entityCase(t)
	if err := pathway.MaySeeRecurrence(c, asMember(c, mtgSocialWorker)); err != nil {
		t.Errorf("the chair may not see recurrence: %v", err)
	}
	for _, a := range []pathway.Actor{mtgManager, policeLead, teacher, mtgPartnershipLead} {
		if err := pathway.MaySeeRecurrence(c, asMember(c, a)); err == nil {
			t.Errorf("%s (%s) may see recurrence without chairing the meeting", a.Name, a.Role)
		}
	}
	lead := mtgPartnershipLead
	lead.Membership = pathway.Membership{Roles: []string{pathway.MemberPartnership}}
	if err := pathway.MaySeeRecurrence(c, lead); err != nil {
		t.Errorf("the partnership lead working the case may not see recurrence: %v", err)
	}
	if pathway.MaySeeNetwork(mtgPartnershipLead) != nil || pathway.MaySeeNetwork(mtgSocialWorker) == nil {
		t.Errorf("the network view is not the partnership lead's alone")
	}
}

// §6.5: the team's entities are not shown to someone outside the team.
func TestEntitiesAreNotShownOutsideTheTeam(t *testing.T) {
	c := entityCase(t)
	if out := c.ForOutsider(teacher.UserID); len(out.Entities()) != 0 {
		t.Errorf("the referrer sees entities %+v", out.Entities())
	}
	e := pathway.Event{Type: pathway.EventEntityRecorded, Actor: mtgSocialWorker.Party, Data: pathway.EntityRecorded{Kind: pathway.EntityPhone, Value: "07700 900123"}}
	if pathway.VisibleTo(e, asMember(c, teacher).Membership, teacher.UserID) {
		t.Errorf("the referrer's timeline shows %s", e.Summary())
	}
}
