package casework

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/audit"
	"waymark/internal/notify"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// Staff accounts managed by administrators (pages and API in
// web/staff.go), and the checks every way of adding an account or an
// organisation shares (the operator's `user add` and `org add` too). Who may
// do it is pathway.ManagesStaff; every change is audited with the
// administrator, the account and what changed. An administrator sees names,
// email addresses, roles and organisations of staff — never a case, nor how
// many cases anyone has.

// Audit actions of staff administration.
const (
	ActionUserRoleChanged = "user.role_changed"
	ActionUserEnabled     = "user.enabled"
	ActionUserUnlocked    = "user.unlocked"
)

// ErrStaffAdmin refuses staff administration to anyone but an administrator
// signed in in person.
var ErrStaffAdmin = waymark.Errorf(waymark.EFORBIDDEN, "Only an administrator, signed in to Waymark in person, manages staff accounts.")

// ManagesStaff: administrators manage staff accounts, signed in in person
// (a session, not an API token or a machine client).
func (v Viewer) ManagesStaff() bool {
	return v.Client == nil && v.Scopes == nil && pathway.ManagesStaff(v.User.Role)
}

// staffAdmin checks the viewer may change staff accounts now: an
// administrator whose session re-authenticated within Access.ReauthWithin.
func (s *Service) staffAdmin(ctx context.Context, v Viewer, sessionToken string) error {
	if !v.ManagesStaff() {
		return ErrStaffAdmin
	}
	return s.RequireRecentAuth(ctx, sessionToken, s.Access.ReauthWithin)
}

// CleanEmail checks an email address is a plain address (ASCII, no display
// name, one @, a dotted domain, at most 254 characters) and returns it trimmed and
// lower-cased, as it is stored and matched.
func CleanEmail(email string) (string, bool) {
	e := strings.ToLower(strings.TrimSpace(email))
	// ASCII only: an address with a Cyrillic "а" for a Latin "a" would look
	// like a colleague's in every list and on every page.
	if e == "" || len(e) > 254 || !isASCII(e) || strings.ContainsAny(e, " \t\r\n<>\"") {
		return "", false
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Name != "" || a.Address != e {
		return "", false
	}
	at := strings.LastIndexByte(e, '@')
	if at < 1 || strings.Count(e, "@") != 1 {
		return "", false
	}
	domain := e[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", false
	}
	return e, true
}

// truncateID shortens an id typed by a caller for a message.
func truncateID(id string) string {
	if r := []rune(id); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return id
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

var orgIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// unknownOrganisation is the answer when an account names an organisation
// that is not there: a clear sentence, never the database's complaint about
// a foreign key.
func unknownOrganisation(id string) error {
	return &waymark.Error{Code: waymark.EINVALID, Message: "No organisation with id " + id,
		Fields: []waymark.FieldError{{Field: "organisation", Message: "No organisation with id " + id}}}
}

// checkNewUser validates an account before it is stored, filling in its
// cleaned email address. The organisation is checked in tx.
func checkNewUser(tx *store.Tx, u *store.User) error {
	var probs waymark.Problems
	if e, ok := CleanEmail(u.Email); ok {
		u.Email = e
	} else if !isASCII(u.Email) {
		probs.Add("email", "Enter the email address in plain letters a to z, digits and . - _ + @: letters from other alphabets, which can look like these, are not accepted")
	} else {
		probs.Add("email", "Enter an email address in the correct format, like name@example.org")
	}
	u.Name = strings.TrimSpace(u.Name)
	if u.Name == "" || len(u.Name) > 200 {
		probs.Add("name", "Enter the person's full name, up to 200 characters")
	} else if p := pathway.TextProblem(u.Name, false); p != "" {
		probs.Add("name", "The name %s", p)
	}
	if !pathway.ValidRole(u.Role) {
		probs.Add("role", "Select the person's role")
	}
	if strings.TrimSpace(u.OrgID) == "" {
		probs.Add("organisation", "Choose the person's organisation")
	}
	if err := probs.Err(); err != nil {
		return err
	}
	if _, err := tx.OrganisationByID(u.OrgID); waymark.ErrorCode(err) == waymark.ENOTFOUND {
		return unknownOrganisation(u.OrgID)
	} else if err != nil {
		return err
	}
	return nil
}

// checkNewOrganisation validates an organisation before it is stored.
func checkNewOrganisation(o *store.Organisation) error {
	var probs waymark.Problems
	o.ID = strings.TrimSpace(o.ID)
	if !orgIDPattern.MatchString(o.ID) {
		probs.Add("id", "Enter an id of lower-case letters, digits and hyphens, up to 63 characters, like org-hillside")
	}
	o.Name = strings.TrimSpace(o.Name)
	if o.Name == "" || len(o.Name) > 200 {
		probs.Add("name", "Enter the organisation's name, up to 200 characters")
	}
	if !pathway.ValidOrganisationKind(o.Kind) {
		probs.Add("kind", "Choose the kind of organisation: one of %s", strings.Join(pathway.OrganisationKinds, ", "))
	}
	return probs.Err()
}

// StaffFilter narrows the list of staff: by organisation id and by status
// ("active", "disabled", "locked"; "" for all).
type StaffFilter struct {
	OrgID  string
	Status string
}

// StaffStatuses are the statuses the list can be filtered by.
var StaffStatuses = []string{"active", "disabled", "locked"}

// StaffMember is one account as an administrator sees it: no case, no count
// of cases.
type StaffMember struct {
	ID, Name, Email, Role, OrgID, OrgName string
	Disabled                              bool
	Locked                                bool // failed sign-ins are holding attempts back (unlock clears them)
	SingleSignOnOnly                      bool // no password: signs in through the organisation's identity provider
	LinkedToProvider                      bool // has signed in through an identity provider: never sent a link to set a password
	Self                                  bool
	CreatedAt                             time.Time
}

// Staff lists staff accounts for an administrator.
func (s *Service) Staff(ctx context.Context, v Viewer, f StaffFilter) ([]StaffMember, error) {
	if !v.ManagesStaff() {
		return nil, ErrStaffAdmin
	}
	if f.Status != "" && !slices.Contains(StaffStatuses, f.Status) {
		return nil, waymark.Invalid([]waymark.FieldError{{Field: "status", Message: "Choose a status: active, disabled or locked"}})
	}
	now := s.now()
	var out []StaffMember
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		users, err := tx.Users()
		if err != nil {
			return err
		}
		for _, u := range users {
			if f.OrgID != "" && u.OrgID != f.OrgID {
				continue
			}
			locked, err := tx.AccountBlocked(hashKey("account", u.Email), now)
			if err != nil {
				return err
			}
			linked, err := tx.IdentityLinked(u.ID)
			if err != nil {
				return err
			}
			m := StaffMember{ID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, OrgID: u.OrgID, OrgName: u.Org.Name,
				Disabled: u.Disabled, Locked: locked, SingleSignOnOnly: u.PasswordHash == "", LinkedToProvider: linked, Self: u.ID == v.User.ID, CreatedAt: u.CreatedAt}
			switch f.Status {
			case "active":
				if m.Disabled {
					continue
				}
			case "disabled":
				if !m.Disabled {
					continue
				}
			case "locked":
				if !m.Locked {
					continue
				}
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// StaffOrganisations lists the partnership's organisations for an administrator.
func (s *Service) StaffOrganisations(ctx context.Context, v Viewer) ([]store.Organisation, error) {
	if !v.ManagesStaff() {
		return nil, ErrStaffAdmin
	}
	var out []store.Organisation
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Organisations()
		for i := range out {
			out[i] = s.withFirstResponder(out[i])
		}
		return err
	})
	return out, err
}

// NewStaff is the account an administrator adds.
type NewStaff struct {
	Email, Name, Role, OrgID string
	Profile                  Profile // their work details, if the administrator knows them (profile.go)
}

// AddStaff adds an account with no password. The person signs in through
// their organisation's identity provider (single sign-on), or the operator
// gives them a first password with `waymark user reset`, which the
// administrator never sees. Audited with the role and organisation.
func (s *Service) AddStaff(ctx context.Context, v Viewer, sessionToken string, in NewStaff) (StaffMember, error) {
	if !v.ManagesStaff() {
		return StaffMember{}, ErrStaffAdmin
	}
	u := store.User{ID: access.NewID(), OrgID: strings.TrimSpace(in.OrgID), Email: in.Email, Name: in.Name, Role: in.Role, CreatedAt: s.now()}
	// Answers first, so a mistake is shown before asking who it is.
	if err := s.DB.View(ctx, func(tx *store.Tx) error { return checkNewUser(tx, &u) }); err != nil {
		return StaffMember{}, err
	}
	profile, err := in.Profile.Valid()
	if err != nil {
		return StaffMember{}, err
	}
	if err := s.staffAdmin(ctx, v, sessionToken); err != nil {
		return StaffMember{}, err
	}
	var m StaffMember
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		if err := checkNewUser(tx, &u); err != nil {
			return err
		}
		if err := tx.InsertUser(u); err != nil {
			return err
		}
		if profile != (Profile{}) {
			if err := tx.SetStaffProfile(store.StaffProfile{UserID: u.ID, JobTitle: profile.JobTitle, WorkPhone: profile.WorkPhone,
				AwayEmail: profile.AwayEmail, UpdatedAt: s.now(), UpdatedBy: v.User.ID}); err != nil {
				return err
			}
		}
		got, err := tx.UserByID(u.ID)
		if err != nil {
			return err
		}
		m = StaffMember{ID: got.ID, Name: got.Name, Email: got.Email, Role: got.Role, OrgID: got.OrgID, OrgName: got.Org.Name, SingleSignOnOnly: true, CreatedAt: got.CreatedAt}
		e := s.auditEntry(v, "", ActionUserAdded, "for "+u.ID+" as "+u.Role+" in "+u.OrgID)
		e.OrgID = u.OrgID
		return tx.AppendAudit(e)
	})
	return m, err
}

// enabledAdministrators counts the enabled administrators, leaving out the
// accounts in except.
func enabledAdministrators(tx *store.Tx, except map[string]bool) (int, error) {
	// Two administrators disabling each other at once must not both see the
	// other still enabled.
	if err := tx.LockAdministrators(); err != nil {
		return 0, err
	}
	users, err := tx.Users()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, u := range users {
		if u.Role == pathway.RoleAdministrator && !u.Disabled && !except[u.ID] {
			n++
		}
	}
	return n, nil
}

// ChangeStaffRole gives an account another role. Taking the last enabled
// administrator's role away is refused (pathway.KeepsAnAdministrator).
// Audited with the old and new role. A person who signs in by single
// sign-on gets the role their identity provider's groups give them again at
// their next sign-in.
func (s *Service) ChangeStaffRole(ctx context.Context, v Viewer, sessionToken, userID, role string) error {
	if !v.ManagesStaff() {
		return ErrStaffAdmin
	}
	if !pathway.ValidRole(role) {
		return waymark.Invalid([]waymark.FieldError{{Field: "role", Message: "Select the person's role"}})
	}
	if err := s.staffAdmin(ctx, v, sessionToken); err != nil {
		return err
	}
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByID(userID)
		if err != nil {
			return err
		}
		if u.Role == role {
			return nil
		}
		if u.Role == pathway.RoleAdministrator && !u.Disabled {
			n, err := enabledAdministrators(tx, map[string]bool{u.ID: true})
			if err != nil {
				return err
			}
			if err := pathway.KeepsAnAdministrator(n); err != nil {
				return err
			}
		}
		if err := pathway.MayChangeRoleOf(v.User.ID, u.ID); err != nil {
			return err
		}
		if err := tx.SetUserAccess(u.ID, u.OrgID, role, u.Name); err != nil {
			return err
		}
		e := s.auditEntry(v, "", ActionUserRoleChanged, fmt.Sprintf("for %s: %s to %s", u.ID, u.Role, role))
		e.OrgID = u.OrgID
		return tx.AppendAudit(e)
	})
}

// SetStaffDisabled disables (every session and API token ends at once) or
// enables the accounts, all or none: a change that would leave no enabled
// administrator is refused whole. One audit entry per account changed.
func (s *Service) SetStaffDisabled(ctx context.Context, v Viewer, sessionToken string, userIDs []string, disabled bool) (changed int, err error) {
	if !v.ManagesStaff() {
		return 0, ErrStaffAdmin
	}
	if len(userIDs) == 0 {
		return 0, waymark.Invalid([]waymark.FieldError{{Field: "users", Message: "Select at least one person"}})
	}
	if len(userIDs) > 500 {
		return 0, waymark.Invalid([]waymark.FieldError{{Field: "users", Message: "Select at most 500 people at a time"}})
	}
	if err := s.staffAdmin(ctx, v, sessionToken); err != nil {
		return 0, err
	}
	now := s.now()
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		changed = 0
		ids := map[string]bool{}
		var users []store.User
		for _, id := range userIDs {
			if ids[id] {
				continue
			}
			ids[id] = true
			u, err := tx.UserByID(id)
			if waymark.ErrorCode(err) == waymark.ENOTFOUND {
				// Named, and nothing of the selection is changed.
				return waymark.Errorf(waymark.ENOTFOUND, "There is no account with id %s: nothing was changed", truncateID(id))
			}
			if err != nil {
				return err
			}
			users = append(users, u)
		}
		if disabled {
			n, err := enabledAdministrators(tx, ids)
			if err != nil {
				return err
			}
			if err := pathway.KeepsAnAdministrator(n); err != nil {
				return err
			}
		}
		action := ActionUserEnabled
		if disabled {
			action = ActionUserDisabled
		}
		for _, u := range users {
			if u.Disabled == disabled {
				continue
			}
			if err := tx.SetDisabled(u.ID, disabled, now); err != nil {
				return err
			}
			if disabled { // a link sent before stays dead if the account is enabled again
				if err := tx.DeleteInvitations(u.ID); err != nil {
					return err
				}
			}
			e := s.auditEntry(v, "", action, "for "+u.ID)
			e.OrgID = u.OrgID
			if err := tx.AppendAudit(e); err != nil {
				return err
			}
			changed++
		}
		return nil
	})
	return changed, err
}

// UnlockStaff forgets the failed sign-ins counted against an account, from
// every address, so that the person can try again at once. The password,
// authenticator and sessions are left as they are. Audited.
func (s *Service) UnlockStaff(ctx context.Context, v Viewer, sessionToken, userID string) error {
	if !v.ManagesStaff() {
		return ErrStaffAdmin
	}
	if err := s.staffAdmin(ctx, v, sessionToken); err != nil {
		return err
	}
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByID(userID)
		if err != nil {
			return err
		}
		if err := ClearThrottleFor(tx, u.Email); err != nil {
			return err
		}
		e := s.auditEntry(v, "", ActionUserUnlocked, "for "+u.ID)
		e.OrgID = u.OrgID
		return tx.AppendAudit(e)
	})
}

// auditSystem is an audit entry of the operator's command line.
func (s *Service) auditSystem(orgID, action, detail string) audit.Entry {
	return audit.Entry{At: s.now(), ActorID: "system", OrgID: orgID, Action: action, Detail: detail}
}

// Audit actions of invitations.
const (
	ActionUserInvited      = "user.invited"
	ActionPasswordFromLink = "user.password_set"
)

// InvitationValidFor is how long a link to set a first password works.
const InvitationValidFor = 72 * time.Hour

// CanInvite reports whether links to set a first password can be sent:
// only by email, so only with a mailer and the public address for links.
func (s *Service) CanInvite() bool { return s.Access.Mailer != nil && s.Access.PublicURL != "" }

// InviteStaff emails a person who has no password a one-time link to set
// one (valid InvitationValidFor; a new link replaces the old). The link
// goes only to the person's address: the administrator never sees it.
// Audited.
func (s *Service) InviteStaff(ctx context.Context, v Viewer, sessionToken, userID string) error {
	if !v.ManagesStaff() {
		return ErrStaffAdmin
	}
	if !s.CanInvite() {
		return waymark.Errorf(waymark.ECONFLICT, "Waymark cannot send emails here. Ask your operator to give the person a first password with `waymark user reset`.")
	}
	if err := s.staffAdmin(ctx, v, sessionToken); err != nil {
		return err
	}
	now := s.now()
	tok, hash := access.NewToken()
	var u store.User
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		var err error
		if u, err = tx.UserByID(userID); err != nil {
			return err
		}
		if u.Disabled || u.PasswordHash != "" {
			return waymark.Errorf(waymark.ECONFLICT, "Only an active account with no password can be sent a link to set one. To replace a password, the operator uses `waymark user reset`.")
		}
		// A password would outlive the identity provider dropping the person.
		if linked, err := tx.IdentityLinked(u.ID); err != nil {
			return err
		} else if linked {
			return waymark.Errorf(waymark.ECONFLICT, "This person signs in through their organisation's account, so they are not sent a link to set a password.")
		}
		if err := tx.InsertInvitation(store.Invitation{TokenHash: hash, UserID: u.ID, CreatedBy: v.User.ID, CreatedAt: now, ExpiresAt: now.Add(InvitationValidFor)}); err != nil {
			return err
		}
		e := s.auditEntry(v, "", ActionUserInvited, "for "+u.ID+": a link to set a first password, by email")
		e.OrgID = u.OrgID
		return tx.AppendAudit(e)
	})
	if err != nil {
		return err
	}
	link := s.Access.PublicURL + "/sign-in/first-password?token=" + tok
	if err := s.Access.Mailer.Send(ctx, u.Email, notify.InvitationMessage(link, InvitationValidFor)); err != nil {
		s.Log.Error("sending a link to set a first password", "user", u.ID, "err", err)
		return waymark.Errorf(waymark.ECONFLICT, "The email could not be sent. Try again later, or ask your operator.")
	}
	return nil
}

// SetFirstPassword is the person following their link: the link must be
// live and theirs to use once, the account active and still without a
// password. Their failed sign-ins are cleared; they set up two-step
// verification at their first sign-in. Audited.
func (s *Service) SetFirstPassword(ctx context.Context, token, password, confirm string) error {
	if token == "" || len(token) > 100 {
		return waymark.Errorf(waymark.ENOTFOUND, "This link has expired or has been used. Ask your administrator for a new one.")
	}
	var probs waymark.Problems
	switch {
	case len([]rune(password)) < access.MinPasswordLength:
		probs.Add("password", "Enter a password of at least %d characters", access.MinPasswordLength)
	case len(password) > 1024:
		probs.Add("password", "Enter a password of at most 1024 characters")
	case password != confirm:
		probs.Add("confirmPassword", "Enter the same password twice")
	}
	if err := probs.Err(); err != nil {
		return err
	}
	hash, err := access.HashPassword(password, s.Argon)
	if err != nil {
		return err
	}
	now := s.now()
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		inv, err := tx.InvitationByTokenHash(access.HashToken(token), now)
		if err != nil {
			return err
		}
		u, err := tx.UserByID(inv.UserID)
		if err != nil {
			return err
		}
		linked, err := tx.IdentityLinked(u.ID)
		if err != nil {
			return err
		}
		if u.Disabled || u.PasswordHash != "" || linked {
			return waymark.Errorf(waymark.ENOTFOUND, "This link has expired or has been used. Ask your administrator for a new one.")
		}
		if err := tx.DeleteInvitations(u.ID); err != nil {
			return err
		}
		if err := tx.SetPassword(u.ID, hash); err != nil {
			return err
		}
		if err := ClearThrottleFor(tx, u.Email); err != nil {
			return err
		}
		return tx.AppendAudit(audit.Entry{At: now, ActorID: u.ID, OrgID: u.OrgID, Action: ActionPasswordFromLink, Detail: "from the link sent by " + inv.CreatedBy})
	})
}
