package pathway

import "waymark"

// Who keeps the partnership's own records — its dated settings (the local
// decision panel pilot, the ICTG service), its directory of contacts (§6.8,
// §9.4) and its panel's seats — and who may do what on the panel. These
// are no case's data; the rules are here so that pages, API and use cases
// ask one place.

// KeepsPartnershipRecords: administrators and partnership leads keep the
// partnership's settings, directory and panel roster. How they must be
// signed in (in person, or with a credential that may write) is the
// credential's matter, decided where the credential is read.
func KeepsPartnershipRecords(role string) bool {
	return role == RoleAdministrator || role == RolePartnershipLead
}

// MaySitOnPanel says whether someone of this role may be seated on the
// local decision panel, whose evidence packs are case data: administrators
// see none (§6.5), so they cannot.
func MaySitOnPanel(role string) error {
	if role == RoleAdministrator {
		return waymark.Invalid([]waymark.FieldError{{Field: "email", Message: "Administrators see no case data, so cannot sit on the panel. Choose another member of staff"}})
	}
	return nil
}

// MaySeat says whether the person seating (seaterID) may put the person
// seated (seatedID) in seat; an empty seat is stepping down. Nobody grants
// themselves the evidence packs (§6.5); stepping down is always allowed.
func MaySeat(seaterID, seatedID, seat string) error {
	if seaterID == seatedID && seat != "" {
		return waymark.Invalid([]waymark.FieldError{{Field: "email", Message: "You cannot seat yourself on the panel. Ask another partnership lead or an administrator to seat you"}})
	}
	return nil
}

// RecordsPanelDecisions says whether the member in seat records the panel's
// decisions: the chair does, for the panel that met.
func RecordsPanelDecisions(seat string) error {
	if seat != PanelChair {
		return waymark.Errorf(waymark.EFORBIDDEN, "The panel's chair records its decisions. Ask the chair to record this one.")
	}
	return nil
}
