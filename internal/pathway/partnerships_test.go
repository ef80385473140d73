package pathway

import "testing"

// Only the partnership lead speaks for a partnership to another (§4.3, §7.1).
func TestOnlyThePartnershipLeadActsForThePartnership(t *testing.T) {
	for _, r := range Roles {
		if got, want := ActsForPartnership(r), r == RolePartnershipLead; got != want {
			t.Errorf("ActsForPartnership(%s) = %v, want %v", r, got, want)
		}
	}
}
