package pathway

// MaySeeStatistics says whether a role sees the partnership's statistics
// (§1.5, §8.10(4)): the partnership lead, who answers for the partnership's
// picture, and the analyst, who counts it and sees no case at all.
func MaySeeStatistics(role string) bool {
	return role == RolePartnershipLead || role == RoleAnalyst
}

// SeesNoCaseData says whether a role is kept from every case, whatever its
// organisation or membership: administrators manage Waymark and analysts
// count it; neither needs to know about any child (§6.5).
func SeesNoCaseData(role string) bool {
	return role == RoleAdministrator || role == RoleAnalyst
}
