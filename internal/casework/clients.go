package casework

import (
	"context"
	"strconv"
	"strings"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/audit"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// Credentials for programs. Nobody can make a credential that acts as
// someone else: a person's API token is made by that person, for
// themselves, and a program that is not a person's is a machine client —
// its own principal, audited as itself, seeing only the cases whose team
// gave it access (pathway.GiveClientAccess).

// Audit actions of API tokens and machine clients.
const (
	ActionTokenRevoked         = "token.revoked"
	ActionMachineClientCreated = "machine_client.created"
	ActionMachineClientRevoked = "machine_client.revoked"
	// ActionMachineClientTokenIssued: the custodian collected, or re-issued, a client's token.
	ActionMachineClientTokenIssued = "machine_client.token_issued"
	ActionMachineClientsListed     = "machine_clients.listed"
)

// Limits of tokens and machine clients.
const (
	MaxTokenName     = 100
	MaxTokenLifetime = 366 * 24 * time.Hour
)

// credentialAnswers checks what every token and client is made with.
func credentialAnswers(probs *waymark.Problems, name string, scopes []string, ttl time.Duration) {
	for _, sc := range scopes {
		if sc != ScopeRead && sc != ScopeWrite {
			probs.Add("scopes", "Scopes must be %s or %s", ScopeRead, ScopeWrite)
			break
		}
	}
	if len(scopes) == 0 {
		probs.Add("scopes", "Choose at least one scope: %s (read only) or %s (read and write)", ScopeRead, ScopeWrite)
	}
	if n := len([]rune(strings.TrimSpace(name))); n == 0 || n > MaxTokenName {
		probs.Add("name", "Enter a name of up to %d characters, so it can be recognised later", MaxTokenName)
	}
	if ttl <= 0 || ttl > MaxTokenLifetime {
		probs.Add("expiresInDays", "Choose when it expires: between 1 and 366 days from now")
	}
}

// errSignedInInPerson refuses managing credentials through a bearer token
// of any kind (finding B of the token review): listing, making and revoking
// tokens and collecting a machine client's token need a person's session.
var errSignedInInPerson = waymark.Errorf(waymark.EFORBIDDEN, "This needs you signed in in person (the sign-in page, or POST /api/v1/sessions), not an API token or a machine client's token")

// errNotAPerson refuses what only a person may do with their own credentials.
var errNotAPerson = waymark.Errorf(waymark.EFORBIDDEN, "A machine client has no API tokens of its own to manage: it is revoked by an administrator.")

// CreateAPIToken makes an API token for the viewer themself — never for
// anyone else. It needs a session (a token cannot make tokens) that
// re-authenticated within Access.ReauthWithin. It returns the token, shown
// once: only its hash is kept.
func (s *Service) CreateAPIToken(ctx context.Context, v Viewer, sessionToken, name string, scopes []string, ttl time.Duration) (string, store.APIToken, error) {
	if v.Client != nil {
		return "", store.APIToken{}, errNotAPerson
	}
	if v.Scopes != nil {
		return "", store.APIToken{}, waymark.Errorf(waymark.EFORBIDDEN, "An API token cannot make another: sign in with POST /api/v1/sessions to make one")
	}
	var probs waymark.Problems
	credentialAnswers(&probs, name, scopes, ttl)
	if err := probs.Err(); err != nil {
		return "", store.APIToken{}, err
	}
	if err := s.RequireRecentAuth(ctx, sessionToken, s.Access.ReauthWithin); err != nil {
		return "", store.APIToken{}, err
	}
	tok, hash := access.NewToken()
	now := s.now()
	a := store.APIToken{ID: access.NewID(), TokenHash: hash, UserID: v.User.ID, Name: strings.TrimSpace(name), Scopes: scopes, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByID(v.User.ID)
		if err != nil {
			return err
		}
		if u.Disabled {
			return errSessionEnded
		}
		if err := tx.InsertAPIToken(a); err != nil {
			return err
		}
		return tx.AppendAudit(s.auditEntry(v, "", audit.ActionTokenCreated, "own token "+a.ID+": "+strings.Join(scopes, " ")+" until "+a.ExpiresAt.Format(time.RFC3339)))
	})
	if err != nil {
		return "", store.APIToken{}, err
	}
	return tok, a, nil
}

// APITokens lists the viewer's own API tokens, revoked and expired ones
// too. It needs a session: a token (even a read-only one) cannot see or
// manage its siblings.
func (s *Service) APITokens(ctx context.Context, v Viewer) ([]store.APIToken, error) {
	if v.Client != nil {
		return nil, errNotAPerson
	}
	if v.Scopes != nil {
		return nil, errSignedInInPerson
	}
	var out []store.APIToken
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.APITokensFor(v.User.ID)
		return err
	})
	return out, err
}

// RevokeAPIToken revokes one of the viewer's own tokens. It stops working
// at the next request: every request checks it again. It needs a session:
// a token ends only itself (SignOut), never another.
func (s *Service) RevokeAPIToken(ctx context.Context, v Viewer, id string) error {
	if v.Client != nil {
		return errNotAPerson
	}
	if v.Scopes != nil {
		return errSignedInInPerson
	}
	return s.revokeAPIToken(ctx, v, id)
}

func (s *Service) revokeAPIToken(ctx context.Context, v Viewer, id string) error {
	if id == "" || len(id) > 64 {
		return waymark.Errorf(waymark.ENOTFOUND, "You have no API token with that id")
	}
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		revoked, err := tx.RevokeAPIToken(v.User.ID, id, s.now())
		if err != nil || !revoked {
			return err
		}
		return tx.AppendAudit(s.auditEntry(v, "", ActionTokenRevoked, "own token "+id))
	})
}

// ManagesMachineClients: administrators manage machine clients, signed in
// in person (not through a token).
func (v Viewer) ManagesMachineClients() bool {
	return v.Client == nil && v.User.Role == pathway.RoleAdministrator && v.Scopes == nil
}

// ErrMachineClientsAdmin refuses machine-client administration to anyone but
// an administrator signed in in person.
var ErrMachineClientsAdmin = waymark.Errorf(waymark.EFORBIDDEN, "Only an administrator, signed in to Waymark in person, manages machine clients.")

// machineClientAdmin checks the viewer may manage machine clients now: an
// administrator whose session re-authenticated within Access.ReauthWithin.
func (s *Service) machineClientAdmin(ctx context.Context, v Viewer, sessionToken string) error {
	if !v.ManagesMachineClients() {
		return ErrMachineClientsAdmin
	}
	return s.RequireRecentAuth(ctx, sessionToken, s.Access.ReauthWithin)
}

// NewMachineClient is what an administrator asks for. CustodianEmail names
// the person of the owning organisation (not an administrator) who collects
// the client's token: the administrator never sees it.
type NewMachineClient struct {
	OrgID          string
	Name           string
	Scopes         []string
	TTL            time.Duration
	CustodianEmail string
}

// CreateMachineClient makes a machine client owned by an organisation. It
// has no usable token yet: its custodian collects one on a page of their
// own (IssueMachineClientToken), so the administrator who made it — who
// must see no case data — never holds a credential that could read a case
// once a team gives the client access. The client sees no case until a
// case's team gives it access. Every partnership lead is alerted, in
// Waymark and by email.
func (s *Service) CreateMachineClient(ctx context.Context, v Viewer, sessionToken string, in NewMachineClient) (store.MachineClient, error) {
	if !v.ManagesMachineClients() {
		return store.MachineClient{}, ErrMachineClientsAdmin
	}
	var probs waymark.Problems
	if strings.TrimSpace(in.OrgID) == "" {
		probs.Add("organisation", "Choose the organisation that owns the machine client")
	}
	credentialAnswers(&probs, in.Name, in.Scopes, in.TTL)
	custodianEmail := strings.TrimSpace(in.CustodianEmail)
	if custodianEmail == "" || len(custodianEmail) > 320 {
		probs.Add("custodianEmail", "Enter the email address of the person in the owning organisation who will collect the token")
	}
	if err := probs.Err(); err != nil {
		return store.MachineClient{}, err
	}
	if err := s.machineClientAdmin(ctx, v, sessionToken); err != nil {
		return store.MachineClient{}, err
	}
	// The stored hash is of a token nobody is given: the client works only
	// once its custodian collects a token of their own.
	_, hash := access.NewToken()
	now := s.now()
	c := store.MachineClient{ID: store.MachineClientIDPrefix + access.NewID(), OrgID: in.OrgID, Name: strings.TrimSpace(in.Name), Scopes: in.Scopes,
		TokenHash: hash, CreatedBy: v.User.ID, CreatedAt: now, ExpiresAt: now.Add(in.TTL)}
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		org, err := tx.OrganisationByID(in.OrgID)
		if waymark.ErrorCode(err) == waymark.ENOTFOUND {
			return waymark.Invalid([]waymark.FieldError{{Field: "organisation", Message: "Choose one of the partnership's organisations"}})
		}
		if err != nil {
			return err
		}
		custodian, err := tx.UserByEmail(custodianEmail)
		if err != nil && waymark.ErrorCode(err) != waymark.ENOTFOUND {
			return err
		}
		if err != nil || custodian.Disabled || custodian.OrgID != org.ID || custodian.Role == pathway.RoleAdministrator {
			return waymark.Invalid([]waymark.FieldError{{Field: "custodianEmail",
				Message: "Enter the email address of someone in " + org.Name + " who is not an administrator and whose account is active: they collect the token"}})
		}
		c.OrgName, c.CreatedByName = org.Name, v.User.Name
		c.CustodianID, c.CustodianName, c.CustodianEmail = custodian.ID, custodian.Name, custodian.Email
		c.CustodianOrgID, c.CustodianRole = custodian.OrgID, custodian.Role
		if err := tx.InsertMachineClient(c); err != nil {
			return err
		}
		if err := s.alertLeads(tx, store.AlertMachineClientCreated, c.ID, now); err != nil {
			return err
		}
		return tx.AppendAudit(s.auditEntry(v, "", ActionMachineClientCreated, c.ID+" for "+c.OrgID+": "+strings.Join(c.Scopes, " ")+
			" until "+c.ExpiresAt.Format(time.RFC3339)+"; custodian "+c.CustodianID))
	})
	if err != nil {
		return store.MachineClient{}, err
	}
	s.wakeAlertMailer()
	return c, nil
}

// errNotCustodian refuses a machine client's token to anyone but its custodian.
var errNotCustodian = waymark.Errorf(waymark.ENOTFOUND, "You are not the custodian of a machine client with that id")

// MachineClientsInCustody lists the machine clients whose token the viewer
// collects. It needs a person signed in in person: not a token of any kind.
func (s *Service) MachineClientsInCustody(ctx context.Context, v Viewer) ([]store.MachineClient, error) {
	if v.Client != nil || v.Scopes != nil {
		return nil, errSignedInInPerson
	}
	var out []store.MachineClient
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.MachineClientsOfCustodian(v.User.ID)
		return err
	})
	return out, err
}

// IssueMachineClientToken gives the client's custodian a new token for it,
// shown once (only its hash is kept): the first time it is collected, and
// afterwards re-issued, which stops the old token at once. Only the
// custodian may, signed in in person and re-authenticated within
// Access.ReauthWithin, while they are still of the owning organisation and
// not an administrator. Every partnership lead is alerted.
func (s *Service) IssueMachineClientToken(ctx context.Context, v Viewer, sessionToken, id string) (string, store.MachineClient, error) {
	if v.Client != nil || v.Scopes != nil {
		return "", store.MachineClient{}, errSignedInInPerson
	}
	if v.User.Role == pathway.RoleAdministrator {
		return "", store.MachineClient{}, waymark.Errorf(waymark.EFORBIDDEN, "An administrator never holds a machine client's token: its custodian collects it.")
	}
	if id == "" || len(id) > 100 {
		return "", store.MachineClient{}, errNotCustodian
	}
	var c store.MachineClient
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		c, err = tx.MachineClientByID(id)
		return err
	})
	if waymark.ErrorCode(err) == waymark.ENOTFOUND || (err == nil && c.CustodianID != v.User.ID) {
		return "", store.MachineClient{}, errNotCustodian
	}
	if err != nil {
		return "", store.MachineClient{}, err
	}
	if !c.Active(s.now()) {
		return "", store.MachineClient{}, waymark.Errorf(waymark.ECONFLICT, "This machine client has been revoked or has expired: ask your administrator for a new one")
	}
	if !c.CustodianValid(pathway.RoleAdministrator) {
		return "", store.MachineClient{}, waymark.Errorf(waymark.EFORBIDDEN, "Only a custodian of the organisation that owns the machine client, who is not an administrator, collects its token.")
	}
	if err := s.RequireRecentAuth(ctx, sessionToken, s.Access.ReauthWithin); err != nil {
		return "", store.MachineClient{}, err
	}
	tok, hash := access.NewToken()
	now := s.now()
	how := "collected"
	if c.TokenIssuedAt != nil {
		how = "re-issued"
	}
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		if err := tx.SetMachineClientToken(c.ID, hash, now); err != nil {
			return err
		}
		if err := s.alertLeads(tx, store.AlertMachineClientTokenIssued, c.ID, now); err != nil {
			return err
		}
		return tx.AppendAudit(s.auditEntry(v, "", ActionMachineClientTokenIssued, c.ID+": token "+how+" by its custodian "+v.User.ID))
	})
	if err != nil {
		return "", store.MachineClient{}, err
	}
	s.wakeAlertMailer()
	c.TokenHash, c.TokenIssuedAt = hash, &now
	return tok, c, nil
}

// MachineClients lists every machine client for an administrator who has
// re-authenticated; the listing is audited.
func (s *Service) MachineClients(ctx context.Context, v Viewer, sessionToken string) ([]store.MachineClient, error) {
	if err := s.machineClientAdmin(ctx, v, sessionToken); err != nil {
		return nil, err
	}
	var out []store.MachineClient
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		var err error
		if out, err = tx.MachineClients(); err != nil {
			return audit.Entry{}, err
		}
		return s.auditEntry(v, "", ActionMachineClientsListed, strconv.Itoa(len(out))+" machine clients"), nil
	})
	return out, err
}

// RevokeMachineClient revokes a machine client at once (its next request
// is refused) for an administrator who has re-authenticated, and alerts
// the partnership leads.
func (s *Service) RevokeMachineClient(ctx context.Context, v Viewer, sessionToken, id string) error {
	if err := s.machineClientAdmin(ctx, v, sessionToken); err != nil {
		return err
	}
	return s.revokeMachineClient(ctx, v, id)
}

// revokeMachineClient revokes the client: by an administrator, or by the
// client itself signing out.
func (s *Service) revokeMachineClient(ctx context.Context, v Viewer, id string) error {
	if id == "" || len(id) > 100 {
		return waymark.Errorf(waymark.ENOTFOUND, "No machine client with that id")
	}
	now := s.now()
	revoked := false
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.MachineClientByID(id); err != nil {
			return err
		}
		var err error
		if revoked, err = tx.RevokeMachineClient(id, v.User.ID, now); err != nil || !revoked {
			return err
		}
		if err := s.alertLeads(tx, store.AlertMachineClientRevoked, id, now); err != nil {
			return err
		}
		return tx.AppendAudit(s.auditEntry(v, "", ActionMachineClientRevoked, id))
	})
	if err == nil && revoked {
		s.wakeAlertMailer()
	}
	return err
}

// alertLeads tells the leads of the machine client's partnership about it, as
// break-glass does: on their alerts page and by an email with no details.
func (s *Service) alertLeads(tx *store.Tx, kind, clientID string, now time.Time) error {
	// The leads of the client's own partnership: another partnership's
	// leads must not learn its organisation, name or custodian.
	mc, err := tx.MachineClientByID(clientID)
	if err != nil {
		return err
	}
	part, err := tx.OrganisationPartnership(mc.OrgID)
	if err != nil {
		return err
	}
	leads, err := tx.PartnershipLeadsOf(part)
	if err != nil {
		return err
	}
	for _, l := range leads {
		if err := tx.InsertAlert(store.Alert{ID: access.NewID(), Kind: kind, RecipientUserID: l.ID, MachineClientID: clientID, CreatedAt: now}); err != nil {
			return err
		}
	}
	return nil
}

// resolveClient finds the machine client a GiveClientAccess names, and
// until when it may be used (the pathway refuses one revoked or expired).
func resolveClient(tx *store.Tx, c pathway.Case, cmd pathway.Command) (pathway.Command, error) {
	g, ok := cmd.(pathway.GiveClientAccess)
	if !ok {
		return cmd, nil
	}
	id := strings.TrimSpace(g.ClientID)
	if id == "" || len(id) > 100 {
		return g, nil // the pathway reports the missing or unknown client
	}
	mc, err := tx.MachineClientByID(id)
	if waymark.ErrorCode(err) == waymark.ENOTFOUND {
		return g, nil
	}
	if err != nil {
		return nil, err
	}
	// Another partnership's client is answered as one that does not exist:
	// given access, it would read the case outside any hand-over.
	if ok, err := namesOnCase(tx, c, mc.OrgID); err != nil || !ok {
		return g, err
	}
	g.Client = pathway.ClientRef{ClientID: mc.ID, Name: mc.Name, OrgID: mc.OrgID, OrgName: mc.OrgName}
	g.ClientUsableUntil = mc.ExpiresAt
	if mc.RevokedAt != nil {
		g.ClientUsableUntil = time.Time{}
	}
	return g, nil
}

// MachineClientOrganisations lists the organisations a machine client can
// belong to, for the administrator's form.
func (s *Service) MachineClientOrganisations(ctx context.Context, v Viewer) ([]store.Organisation, error) {
	if !v.ManagesMachineClients() {
		return nil, ErrMachineClientsAdmin
	}
	var out []store.Organisation
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Organisations()
		return err
	})
	return out, err
}
