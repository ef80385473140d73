package pathway_test

import (
	"testing"

	"waymark"
	"waymark/internal/pathway"
)

func TestOnlyAdministratorsAndPartnershipLeadsKeepThePartnershipsRecords(t *testing.T) {
	for _, role := range pathway.Roles {
		want := role == pathway.RoleAdministrator || role == pathway.RolePartnershipLead
		if got := pathway.KeepsPartnershipRecords(role); got != want {
			t.Errorf("KeepsPartnershipRecords(%q) = %v, want %v", role, got, want)
		}
	}
	if pathway.KeepsPartnershipRecords(pathway.RoleMachineClient) {
		t.Error("a machine client keeps the partnership's records")
	}
}

// §6.5: the panel's evidence packs are case data, which administrators never see.
func TestAdministratorsCannotSitOnTheLocalDecisionPanel(t *testing.T) {
	for _, role := range pathway.Roles {
		err := pathway.MaySitOnPanel(role)
		if (role == pathway.RoleAdministrator) != (err != nil) {
			t.Errorf("MaySitOnPanel(%q) = %v", role, err)
		}
		if err != nil && waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("MaySitOnPanel(%q): code %q, want invalid (the form names the email)", role, waymark.ErrorCode(err))
		}
	}
}

// §6.5: nobody grants themselves access to the evidence packs.
func TestNobodySeatsThemselvesOnThePanelButAnyoneMayStepDown(t *testing.T) {
	for _, seat := range pathway.PanelRoles {
		if pathway.MaySeat("u1", "u1", seat.Value) == nil {
			t.Errorf("u1 seated themselves as %s", seat.Text)
		}
		if err := pathway.MaySeat("u1", "u2", seat.Value); err != nil {
			t.Errorf("u1 seating u2 as %s: %v", seat.Text, err)
		}
	}
	if err := pathway.MaySeat("u1", "u1", ""); err != nil {
		t.Errorf("stepping down from the panel: %v", err)
	}
}

func TestOnlyThePanelsChairRecordsItsDecisions(t *testing.T) {
	for _, seat := range pathway.PanelRoles {
		err := pathway.RecordsPanelDecisions(seat.Value)
		if (seat.Value == pathway.PanelChair) != (err == nil) {
			t.Errorf("RecordsPanelDecisions(%s) = %v", seat.Text, err)
		}
		if err != nil && waymark.ErrorCode(err) != waymark.EFORBIDDEN {
			t.Errorf("RecordsPanelDecisions(%s): code %q, want forbidden", seat.Text, waymark.ErrorCode(err))
		}
	}
	if pathway.RecordsPanelDecisions("") == nil {
		t.Error("someone with no seat records the panel's decision")
	}
}
