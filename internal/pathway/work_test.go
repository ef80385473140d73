package pathway_test

import (
	"slices"
	"testing"

	"waymark/internal/pathway"
)

// A person sees as their work the deadlines they own, their team's with
// no person named and, when they manage the team, every deadline of their
// organisation, so that they see their staff's run late. Nobody sees
// another person's deadline, nor another organisation's.
func TestADeadlineIsTheWorkOfItsOwnerTheirTeamAndTheirManagers(t *testing.T) {
	worker := pathway.Worker{UserID: "social-worker", OrgID: "northfield-cs"}
	colleague := pathway.Worker{UserID: "colleague", OrgID: "northfield-cs"}
	manager := pathway.Worker{UserID: "team-manager", OrgID: "northfield-cs", Manager: true}
	otherManager := pathway.Worker{UserID: "other-manager", OrgID: "southfield-cs", Manager: true}

	theirOwn := pathway.DeadlineOwner{UserID: "social-worker", OrgID: "northfield-cs"}
	theTeams := pathway.DeadlineOwner{OrgID: "northfield-cs"}
	anotherTeams := pathway.DeadlineOwner{OrgID: "southfield-cs"}

	for _, tc := range []struct {
		name     string
		deadline pathway.DeadlineOwner
		who      pathway.Worker
		sees     bool
	}{
		{"the person who owns a deadline", theirOwn, worker, true},
		{"a colleague, of another person's deadline", theirOwn, colleague, false},
		{"the owner's manager", theirOwn, manager, true},
		{"a manager of another organisation", theirOwn, otherManager, false},
		{"a member of the team, of the team's deadline", theTeams, worker, true},
		{"the team's manager, of the team's deadline", theTeams, manager, true},
		{"a member of another team, of that team's deadline", anotherTeams, worker, false},
		{"a manager, of another organisation's team deadline", anotherTeams, manager, false},
	} {
		if got := tc.deadline.IsWorkOf(tc.who); got != tc.sees {
			t.Errorf("%s: sees it %v, want %v", tc.name, got, tc.sees)
		}
		// The lists walk the queue of each audience the worker is in: the
		// deadline is on one of them exactly when it is their work.
		if got := slices.ContainsFunc(tc.deadline.Audiences(), func(a pathway.WorkAudience) bool { return slices.Contains(tc.who.Audiences(), a) }); got != tc.sees {
			t.Errorf("%s: on one of their queues %v, want %v", tc.name, got, tc.sees)
		}
	}
}

// A deadline a person owns belongs to the organisation the clock names, or
// else to the one they work for; one with nobody named, to the
// Children's Services team that holds the case.
func TestADeadlineBelongsToItsOwnersOrganisationOrElseTheTeamHoldingTheCase(t *testing.T) {
	for _, tc := range []struct {
		name      string
		clock     pathway.Clock
		personOrg string
		want      pathway.DeadlineOwner
	}{
		{"a team's deadline", pathway.Clock{}, "", pathway.DeadlineOwner{OrgID: "holding-cs"}},
		{"a person's deadline", pathway.Clock{OwnerUserID: "police-officer"}, "police", pathway.DeadlineOwner{UserID: "police-officer", OrgID: "police"}},
		{"a person's deadline naming an organisation", pathway.Clock{OwnerUserID: "police-officer", OwnerOrgID: "named"}, "police", pathway.DeadlineOwner{UserID: "police-officer", OrgID: "named"}},
		{"a person not known", pathway.Clock{OwnerUserID: "gone"}, "", pathway.DeadlineOwner{UserID: "gone", OrgID: "holding-cs"}},
	} {
		if got := tc.clock.Owner("holding-cs", tc.personOrg); got != tc.want {
			t.Errorf("%s: owned by %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
