package pathway_test

import (
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

var caseSystem = pathway.ClientRef{ClientID: "client-0123", Name: "Case system link", OrgID: "org-cs", OrgName: "Northshire Children's Services"}

func giveCaseSystem() pathway.GiveClientAccess {
	return pathway.GiveClientAccess{ClientID: caseSystem.ClientID, Reason: "Copies the outcome into the council's case system", Client: caseSystem, ClientUsableUntil: now.Add(24 * time.Hour)}
}

func hasClientMember(c pathway.Case, id string) bool {
	for _, m := range pathway.Members(c) {
		if m.Kind == pathway.MemberKindClient && m.ID == id && m.Role == pathway.MemberMachineClient {
			return true
		}
	}
	return false
}

// §6.5: a machine client becomes a member of a case by an event in its
// log, given by the Children's Services team, and stops being one when the
// team withdraws it.
func TestAMachineClientIsAMemberOnlyWhileTheTeamGivesItAccess(t *testing.T) {
	c := raisedCase(t)
	if hasClientMember(c, caseSystem.ClientID) {
		t.Fatal("a client is a member before anyone gave it access")
	}
	c, e := mustDecide(t, c, frontDoor, giveCaseSystem(), now)
	if e.Type != pathway.EventClientAccessGiven || !hasClientMember(c, caseSystem.ClientID) {
		t.Fatalf("after %s the members are %+v", e.Type, pathway.Members(c))
	}
	wantRefused(t, decideErr(c, frontDoor, giveCaseSystem()), waymark.EINVALID, "clientId")
	c, e = mustDecide(t, c, frontDoor, pathway.WithdrawClientAccess{ClientID: caseSystem.ClientID}, now)
	if e.Type != pathway.EventClientAccessWithdrawn || hasClientMember(c, caseSystem.ClientID) {
		t.Fatalf("after %s the members are %+v", e.Type, pathway.Members(c))
	}
	wantRefused(t, decideErr(c, frontDoor, pathway.WithdrawClientAccess{ClientID: caseSystem.ClientID}), waymark.EINVALID, "clientId")
}

func decideErr(c pathway.Case, a pathway.Actor, cmd pathway.Command) error {
	_, err := pathway.New(cat).Decide(c, a, cmd, now)
	return err
}

// Only the Children's Services team decides which programs see the case:
// never the referrer, another agency, an administrator or a machine client;
// and only a client that is active now.
func TestOnlyTheChildrensServicesTeamGivesAMachineClientAccess(t *testing.T) {
	c := raisedCase(t)
	admin := frontDoor
	admin.Role = pathway.RoleAdministrator
	client := pathway.Actor{Party: pathway.Party{UserID: "client-9", OrgID: "org-cs"}, Role: pathway.RoleMachineClient}
	for name, a := range map[string]pathway.Actor{"the referrer": teacher, "the police": policeLead, "an administrator": admin, "a machine client": client} {
		if err := decideErr(c, a, giveCaseSystem()); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("%s gave a machine client access: %v", name, err)
		}
	}
	expired := giveCaseSystem()
	expired.ClientUsableUntil = now
	wantRefused(t, decideErr(c, frontDoor, expired), waymark.EINVALID, "clientId")
	unknown := giveCaseSystem()
	unknown.Client = pathway.ClientRef{}
	wantRefused(t, decideErr(c, frontDoor, unknown), waymark.EINVALID, "clientId")
	noReason := giveCaseSystem()
	noReason.Reason = " "
	wantRefused(t, decideErr(c, frontDoor, noReason), waymark.EINVALID, "reason")
}

// A machine client may add a note; every decision on the pathway is a person's.
func TestAMachineClientMayOnlyAddNotes(t *testing.T) {
	c := raisedCase(t)
	client := pathway.Actor{Party: pathway.Party{UserID: "client-9", Name: "Case system link", OrgID: "org-cs"}, Role: pathway.RoleMachineClient, InChildrensServices: true}
	if _, err := pathway.New(cat).Decide(c, client, pathway.AddNote{Text: "Synced"}, now); err != nil {
		t.Fatalf("a note from a machine client: %v", err)
	}
	for _, cmd := range []pathway.Command{
		pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone"},
		missingReport(),
		pathway.AssignWorker{WorkerEmail: "x@example", Worker: pathway.Party{UserID: "u"}},
	} {
		if err := decideErr(c, client, cmd); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("a machine client's %s: %v", pathway.CommandName(cmd), err)
		}
	}
}
