package pathway

import "waymark"

// Staff accounts. Who manages the people who sign in, and the one rule that
// keeps a partnership from locking itself out, are decided here; casework
// applies them and the web pages only ask.

// ManagesStaff reports whether someone with role may list, add, change the
// role of, disable, enable and unlock staff accounts: administrators only. It
// gives them no sight of any case (an administrator's viewer sees none).
func ManagesStaff(role string) bool { return role == RoleAdministrator }

// ValidRole reports whether r is one of Roles.
func ValidRole(r string) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// OrganisationKinds are the kinds of member agency a partnership has, in the
// order screens show them (the statutory partners and the others named in
// the procedure's multi-agency sections).
var OrganisationKinds = []string{"local-authority", "police", "health", "school", "voluntary", "support"}

// ValidOrganisationKind reports whether k is one of OrganisationKinds.
func ValidOrganisationKind(k string) bool {
	for _, x := range OrganisationKinds {
		if x == k {
			return true
		}
	}
	return false
}

// ErrLastAdministrator refuses a change that would leave the partnership
// with no enabled administrator: nobody could then manage staff accounts
// without the operator's command line.
var ErrLastAdministrator = waymark.Errorf(waymark.ECONFLICT,
	"That would leave no enabled administrator. Make someone else an administrator first.")

// KeepsAnAdministrator checks a staff change against the rule that at least
// one enabled administrator remains afterwards. enabledAdminsAfter is how
// many there would be once the change is made.
func KeepsAnAdministrator(enabledAdminsAfter int) error {
	if enabledAdminsAfter < 1 {
		return ErrLastAdministrator
	}
	return nil
}

// ErrOwnRole refuses an administrator a change to their own role. An
// administrator sees no case; letting them give themselves a role that does
// would let one person move from managing accounts to reading children's
// records with nobody else involved. Another administrator makes the change.
var ErrOwnRole = waymark.Errorf(waymark.ECONFLICT,
	"You cannot change your own role. Ask another administrator to change it.")

// MayChangeRoleOf checks an administrator (actorID) may change the role of
// the account userID: anyone's but their own.
func MayChangeRoleOf(actorID, userID string) error {
	if actorID == userID {
		return ErrOwnRole
	}
	return nil
}
