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
	SessionWarning  time.Duration  // how long before the session ends pages warn, with a way to stay signed in
	SavedAnswersFor time.Duration  // how long the answers of a form posted after the session ended are kept (answers.go)
	Throttle        ThrottlePolicy // how failed sign-ins slow further attempts (throttle.go)
	// PasswordCheck compares a password with an argon2 hash; nil means
	// access.CheckPasswordContext. Tests count calls through it to show
	// every sign-in answer did the same work, and hold one to show what a
	// sign-in holds while it hashes.
	PasswordCheck func(encoded, password string) (bool, error)

	Access AccessConfig // two-step verification, single sign-on, break-glass and alerts (mfa.go)

	Retention RetentionPolicy // when records are due for review (privacy.go)

	Reminders pathway.ReminderConfig // email reminders' lead times and working hours (reminders.go)

	// beforeAppend, when set (by tests only), runs in a use case's
	// transaction after it has decided and before it appends its events,
	// where another write to the case can race it (updateCase).
	beforeAppend func()
	// afterCommonKeys, when set (by tests only), runs between a raise's
	// snapshot of its child's keys and its write, to force a change in
	// between deterministically (earlier_hints.go).
	afterCommonKeys func()

	// resolvers look up what commands name (act.go), in this order.
	resolvers []resolver

	// Workers is when each background job last succeeded (workers.go); a
	// pointer, so the copies of the service the demo makes share it.
	Workers *Workers

	// published keeps the statistics last published for the same
	// inputs (statistics_cache.go); nil publishes every time.
	published *publishedStatistics
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
		SessionWarning:  DefaultSessionWarning,
		SavedAnswersFor: DefaultSavedAnswersFor,
		Throttle:        DefaultThrottle,
		Access:          DefaultAccess(),
		Retention:       DefaultRetention,
		Reminders:       pathway.DefaultReminders,
		Workers:         &Workers{},
		published:       newPublishedStatistics(8),
		resolvers:       caseResolvers(cat),
	}
}

// Viewer is who a use case acts for: a signed-in person, or a machine
// client acting as itself.
type Viewer struct {
	User    store.User
	Scopes  []string // for API tokens and machine clients; nil means a full session
	TokenID string   // the person's own API token this request came with, if any

	// Client is set when a machine client asks. User then describes the
	// client (its id, its name, role pathway.RoleMachineClient) and has no
	// organisation of its own, so that no membership of its owning
	// organisation's team ever reaches it: it sees only the cases whose
	// log made it a member.
	Client *store.MachineClient
}

// machineClientViewer is the viewer for a machine client's request.
func machineClientViewer(c store.MachineClient) Viewer {
	return Viewer{
		User: store.User{ID: c.ID, Name: c.Name, Role: pathway.RoleMachineClient, Email: "",
			Org: store.Organisation{ID: c.OrgID, Name: c.OrgName}}, // OrgID stays "": no org membership
		Scopes: c.Scopes,
		Client: &c,
	}
}

// IsMachineClient reports whether a program, not a person, is asking.
func (v Viewer) IsMachineClient() bool { return v.Client != nil }

// orgID is the organisation the viewer acts for, as the audit records it.
func (v Viewer) orgID() string {
	if v.Client != nil {
		return v.Client.OrgID
	}
	return v.User.OrgID
}

// Actor is the viewer as the pathway sees them; whether their organisation
// is a First Responder comes from its designation and the catalogue cat
// (IsFirstResponder), and from nothing else.
func (v Viewer) Actor(cat *catalog.Catalog) pathway.Actor {
	if v.Client != nil {
		return pathway.Actor{Party: pathway.Party{UserID: v.Client.ID, Name: v.Client.Name, OrgID: v.Client.OrgID, OrgName: v.Client.OrgName},
			Role: pathway.RoleMachineClient}
	}
	return pathway.Actor{
		Party:               pathway.Party{UserID: v.User.ID, Name: v.User.Name, OrgID: v.User.OrgID, OrgName: v.User.Org.Name},
		Role:                v.User.Role,
		InChildrensServices: v.User.Org.ChildrensServices,
		InFirstResponderOrg: IsFirstResponder(cat, v.User.Org),
	}
}

// actorOn is the viewer as the pathway sees them on a case where their
// standing is m.
func (v Viewer) actorOn(cat *catalog.Catalog, m pathway.Membership) pathway.Actor {
	a := v.Actor(cat)
	a.Membership = m
	return a
}

// CanRaiseConcern: anyone who works with children may raise a concern (§6.2);
// administrators manage the system and see no case data.
func (v Viewer) CanRaiseConcern() bool {
	return !pathway.SeesNoCaseData(v.User.Role) && v.Client == nil && v.allows(ScopeWrite)
}

// seesCases: administrators manage the system and analysts count it; neither
// sees case data (§6.5), even when their organisation is a member of the case.
func (v Viewer) seesCases() bool { return !pathway.SeesNoCaseData(v.User.Role) }

// SeesCases says whether the viewer has any case to see: pages ask it rather
// than checking a role themselves.
func (v Viewer) SeesCases() bool { return v.seesCases() }

var errAdministratorNoCases = waymark.Errorf(waymark.EFORBIDDEN, "Administrators manage Waymark and analysts count it: neither sees case data.")

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
		return waymark.Errorf(waymark.EFORBIDDEN, "This API token does not have the %s scope. Use a token with that scope.", scope)
	}
	return nil
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// auditEntry is an audit entry of the viewer's. The detail names the credential when it is not a session, so the log
// tells a read in the browser from one through a program: a person's API
// token by its id ("via token <id>", never the token), and a machine client
// by the custodian who holds its token ("custodian <user id>"). The entry's
// MAC covers the detail, so neither can be changed unnoticed.
func (s *Service) auditEntry(v Viewer, caseID, action, detail string) audit.Entry {
	return audit.Entry{At: s.now(), ActorID: v.User.ID, OrgID: v.orgID(), CaseID: caseID, Action: action, Detail: withCredential(v, detail)}
}

// withCredential adds the credential the viewer came with to an audit detail.
func withCredential(v Viewer, detail string) string {
	var via string
	switch {
	case v.Client != nil:
		via = "custodian " + v.Client.CustodianID
	case v.TokenID != "":
		via = "via token " + v.TokenID
	default:
		return detail
	}
	if detail == "" {
		return via
	}
	return detail + "; " + via
}
