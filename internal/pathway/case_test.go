package pathway_test

import (
	"reflect"
	"strings"
	"testing"

	"waymark/internal/pathway"
)

// Every view of the case shows these first: §8.5 (immediate risk), annex and
// §1.2 (family suspected), §7.4 (age uncertain).
func TestWarningsShowWhatEveryViewMustSayFirst(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*pathway.Concern)
		want   []string
	}{
		{"no warning", func(*pathway.Concern) {}, nil},
		{"immediate risk", func(c *pathway.Concern) { c.ImmediateRisk, c.PoliceInformed = true, true }, []string{"immediate-risk"}},
		{"family suspected", func(c *pathway.Concern) { c.FamilySuspected = true }, []string{"family-suspected"}},
		{"age uncertain", func(c *pathway.Concern) { c.Child.AgeUncertain = true }, []string{"age-uncertain"}},
		{"all three, most urgent first", func(c *pathway.Concern) {
			c.ImmediateRisk, c.PoliceInformed, c.FamilySuspected, c.Child.AgeUncertain = true, true, true, true
		}, []string{"immediate-risk", "family-suspected", "age-uncertain"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			concern := validConcern()
			tc.change(&concern)
			c, _ := mustDecide(t, pathway.Case{}, teacher, pathway.RaiseConcern{CaseID: "case-1", Concern: concern, ChildrensServicesOrg: "org-cs"}, now)
			var kinds []string
			for _, w := range c.Warnings() {
				kinds = append(kinds, w.Kind)
				if w.Text == "" {
					t.Errorf("warning %s has no text", w.Kind)
				}
			}
			if !reflect.DeepEqual(kinds, tc.want) {
				t.Fatalf("warnings = %v, want %v", kinds, tc.want)
			}
		})
	}
}

// Family or carers suspected: the warning tells practitioners not to involve them (annex, §1.2).
func TestFamilySuspectedWarningSaysNotToRaiseConcernsWithThem(t *testing.T) {
	concern := validConcern()
	concern.FamilySuspected = true
	c, _ := mustDecide(t, pathway.Case{}, teacher, pathway.RaiseConcern{CaseID: "case-1", Concern: concern, ChildrensServicesOrg: "org-cs"}, now)
	ws := c.Warnings()
	if len(ws) != 1 || !strings.Contains(ws[0].Text, "Do not raise concerns with them") || !strings.Contains(ws[0].Text, "interpret") {
		t.Fatalf("warnings = %+v", ws)
	}
}

// §6.5: need to know. The referrer and the Children's Services team are the
// only members of a new case.
func TestOnlyTheReferrerAndChildrensServicesAreMembersOfANewCase(t *testing.T) {
	got := pathway.Members(raisedCase(t))
	want := []pathway.Member{
		{Kind: "user", ID: teacher.UserID, Role: pathway.MemberReferrer},
		{Kind: "org", ID: "org-cs", Role: pathway.MemberChildrensServices},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("members = %+v, want %+v", got, want)
	}
}

// §6.5: a referrer sees the concern, the contact and the outcome, and what
// they recorded themselves; the Children's Services team sees everything.
func TestVisibleToShowsTheReferrerOnlyWhatIsTheirsToKnow(t *testing.T) {
	referrer := pathway.Membership{Roles: []string{pathway.MemberReferrer}}
	team := pathway.Membership{Roles: []string{pathway.MemberChildrensServices}}
	socialWorker := pathway.Party{UserID: "user-sw", OrgID: "org-cs"}
	for _, tc := range []struct {
		name           string
		event          pathway.Event
		referrerSeesIt bool
	}{
		{"concern raised", pathway.Event{Type: pathway.EventConcernRaised, Actor: teacher.Party}, true},
		{"contact recorded", pathway.Event{Type: pathway.EventContactRecorded, Actor: frontDoor.Party}, true},
		{"outcome recorded", pathway.Event{Type: pathway.EventOutcomeRecorded, Actor: frontDoor.Party}, true},
		{"the team's internal note", pathway.Event{Type: "strategy_discussion_held", Actor: socialWorker}, false},
		{"something the referrer added", pathway.Event{Type: "note_added", Actor: teacher.Party}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pathway.VisibleTo(tc.event, referrer, teacher.UserID); got != tc.referrerSeesIt {
				t.Errorf("referrer sees it = %v, want %v", got, tc.referrerSeesIt)
			}
			if !pathway.VisibleTo(tc.event, team, frontDoor.UserID) {
				t.Error("the Children's Services team does not see it")
			}
		})
	}
}
