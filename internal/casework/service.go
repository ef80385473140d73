// Package casework holds Waymark's use cases: each one checks who is asking,
// loads what it needs, asks the pathway to decide, and writes the events,
// read models and audit entries in one transaction.
package casework

import (
	"log/slog"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/audit"
	"waymark/internal/catalog"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// Service runs the use cases.
type Service struct {
	DB      *store.DB
	Pathway *pathway.Pathway
	Catalog *catalog.Catalog
	Now     func() time.Time
	Log     *slog.Logger

	Argon           access.Argon2Params
	SessionIdle     time.Duration  // signed out after this long without activity
	SessionAbsolute time.Duration  // signed out this long after signing in, whatever happens
	Throttle        ThrottlePolicy // how failed sign-ins slow further attempts (throttle.go)
	// PasswordCheck compares a password with an argon2 hash; nil means
	// access.CheckPassword. Tests count calls through it to show every
	// sign-in answer did the same work.
	PasswordCheck func(encoded, password string) (bool, error)

	Access AccessConfig // two-step verification, single sign-on, break-glass and alerts (mfa.go)

	Retention RetentionPolicy // when records are due for review (privacy.go)
}

// New returns a Service with the procedure's defaults.
func New(db *store.DB, cat *catalog.Catalog, now func() time.Time, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{
		DB: db, Pathway: pathway.New(cat), Catalog: cat, Now: now, Log: log,
		Argon:           access.DefaultArgon2,
		SessionIdle:     30 * time.Minute,
		SessionAbsolute: 12 * time.Hour,
		Throttle:        DefaultThrottle,
		Access:          DefaultAccess(),
		Retention:       DefaultRetention,
	}
}

// Viewer is the signed-in person a use case acts for.
type Viewer struct {
	User   store.User
	Scopes []string // for API tokens; nil means a full session
}

// Actor is the viewer as the pathway sees them.
func (v Viewer) Actor() pathway.Actor {
	return pathway.Actor{
		Party:               pathway.Party{UserID: v.User.ID, Name: v.User.Name, OrgID: v.User.OrgID, OrgName: v.User.Org.Name},
		Role:                v.User.Role,
		InChildrensServices: v.User.Org.ChildrensServices,
		InFirstResponderOrg: v.User.Org.FirstResponder,
	}
}

// CanRaiseConcern: anyone who works with children may raise a concern (§6.2);
// administrators manage the system and see no case data.
func (v Viewer) CanRaiseConcern() bool {
	return v.User.Role != pathway.RoleAdministrator && v.allows(ScopeWrite)
}

// seesCases: administrators manage the system and see no case data (§6.5),
// even when their organisation is a member of the case.
func (v Viewer) seesCases() bool { return v.User.Role != pathway.RoleAdministrator }

var errAdministratorNoCases = waymark.Errorf(waymark.EFORBIDDEN, "Administrators manage Waymark and do not see case data.")

// WorksInbox: the Children's Services team receives concerns (annex step 1).
func (v Viewer) WorksInbox() bool {
	if !v.User.Org.ChildrensServices {
		return false
	}
	switch v.User.Role {
	case pathway.RoleChildrensServices, pathway.RoleSocialWorker, pathway.RoleManager:
		return true
	}
	return false
}

// API token scopes.
const (
	ScopeRead  = "cases:read"
	ScopeWrite = "cases:write"
)

func (v Viewer) allows(scope string) bool {
	if v.Scopes == nil {
		return true
	}
	for _, s := range v.Scopes {
		if s == scope || (scope == ScopeRead && s == ScopeWrite) {
			return true
		}
	}
	return false
}

func (v Viewer) require(scope string) error {
	if !v.allows(scope) {
		return waymark.Errorf(waymark.EFORBIDDEN, "This API token does not have the %s scope. Ask an administrator for a token with that scope.", scope)
	}
	return nil
}

func (s *Service) now() time.Time { return s.Now().UTC() }

func (s *Service) auditEntry(v Viewer, caseID, action, detail string) audit.Entry {
	return audit.Entry{At: s.now(), ActorID: v.User.ID, OrgID: v.User.OrgID, CaseID: caseID, Action: action, Detail: detail}
}
