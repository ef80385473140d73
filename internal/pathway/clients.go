package pathway

import (
	"strings"
	"time"

	"waymark"
)

// Machine clients on a case. Need to know (§6.5) holds for programs as for
// people: a machine client — a program with its own credential, owned by an
// organisation — reaches a case only when the case's Children's Services
// team gives it access, which is an event in the case's log like assigning
// a worker; withdrawing it is another. Membership is folded from these
// events, so nothing outside the log can add a client to a case.
const (
	EventClientAccessGiven     = "client_access_given"
	EventClientAccessWithdrawn = "client_access_withdrawn"

	// MemberMachineClient is a machine client given access to the case.
	MemberMachineClient = "machine_client"
	// MemberKindClient is the kind of member a machine client is (beside
	// "user" and "org").
	MemberKindClient = "client"

	// RoleMachineClient is the role a machine client acts in. It is never a
	// person's role: no person signs in with it.
	RoleMachineClient = "machine_client"

	// MaxClientAccessReason bounds why a client needs the case.
	MaxClientAccessReason = 500
)

// clientEvents lists the event types of machine clients given access to the case.
func clientEvents() []eventDecoder {
	return []eventDecoder{
		decoderOf[ClientAccessGiven](),
		decoderOf[ClientAccessWithdrawn](),
	}
}

// ClientRef names a machine client as an event records it.
type ClientRef struct {
	ClientID string `json:"clientId"`
	Name     string `json:"name"`
	OrgID    string `json:"orgId"`
	OrgName  string `json:"orgName"`
}

// ClientAccess is a machine client's current access to the case.
type ClientAccess struct {
	ClientRef
	Reason  string    `json:"reason"`
	GivenAt time.Time `json:"givenAt"`
	GivenBy Party     `json:"givenBy"`
}

// ClientState is the machine clients that have access to the case now.
type ClientState struct {
	Clients []ClientAccess `json:"clients,omitempty"`
}

// Has reports whether the client has access now.
func (s *ClientState) Has(clientID string) bool {
	for _, a := range s.Clients {
		if a.ClientID == clientID {
			return true
		}
	}
	return false
}

func (s *ClientState) members(c *Case) []Member {
	var ms []Member
	for _, a := range s.Clients {
		ms = append(ms, Member{Kind: MemberKindClient, ID: a.ClientID, Role: MemberMachineClient})
	}
	return ms
}

func (s *ClientState) flags(c *Case, now time.Time, f *Flags) {}

// ClientAccessGiven makes a machine client a member of the case.
type ClientAccessGiven struct {
	Client ClientRef `json:"client"`
	Reason string    `json:"reason"`
}

// ClientAccessWithdrawn ends a machine client's membership of the case.
type ClientAccessWithdrawn struct {
	Client ClientRef `json:"client"`
}

func (ClientAccessGiven) eventType() string     { return EventClientAccessGiven }
func (ClientAccessWithdrawn) eventType() string { return EventClientAccessWithdrawn }

func (d ClientAccessGiven) apply(c *Case, e Event) {
	if c.Clients.Has(d.Client.ClientID) {
		return
	}
	c.Clients.Clients = append(c.Clients.Clients, ClientAccess{ClientRef: d.Client, Reason: d.Reason, GivenAt: e.At, GivenBy: e.Actor})
}

func (d ClientAccessWithdrawn) apply(c *Case, e Event) {
	kept := c.Clients.Clients[:0:0]
	for _, a := range c.Clients.Clients {
		if a.ClientID != d.Client.ClientID {
			kept = append(kept, a)
		}
	}
	c.Clients.Clients = kept
}

func (d ClientAccessGiven) summary(e Event) string {
	return "Machine client " + d.Client.Name + " (" + d.Client.OrgName + ") given access to the case"
}

func (d ClientAccessWithdrawn) summary(e Event) string {
	return "Machine client " + d.Client.Name + " (" + d.Client.OrgName + ") no longer has access to the case"
}

// GiveClientAccess gives a machine client access to the case. The use case
// fills Client and ClientUsableUntil from ClientID (zero for a revoked one).
type GiveClientAccess struct {
	ClientID          string    `json:"clientId"`
	Reason            string    `json:"reason"`
	Client            ClientRef `json:"-"` // filled by the use case from ClientID
	ClientUsableUntil time.Time `json:"-"`
}

// WithdrawClientAccess ends a machine client's access to the case.
type WithdrawClientAccess struct {
	ClientID string `json:"clientId"`
}

func (GiveClientAccess) commandName() string     { return "give client access" }
func (WithdrawClientAccess) commandName() string { return "withdraw client access" }

// canDecideClientAccess: the Children's Services team that holds the case —
// its workers, social workers and their manager — decides which programs
// may read it (§6.5, §6.7). Administrators never do: they see no case data,
// and giving a program access would be a way round that. A machine client
// never gives access to another.
func canDecideClientAccess(a Actor) error {
	if a.Role == RoleAdministrator || a.Role == RoleMachineClient || !a.InChildrensServices {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only the Children's Services team working this case can decide which machine clients may see it.")
	}
	switch a.Role {
	case RoleChildrensServices, RoleSocialWorker, RoleManager:
		return nil
	}
	return waymark.Errorf(waymark.EFORBIDDEN, "Only the Children's Services team working this case can decide which machine clients may see it.")
}

// guard says who may give GiveClientAccess and whether the case allows it now.
func (GiveClientAccess) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := canDecideClientAccess(a); err != nil {
		return err
	}
	return notClosed(c)
}

func (cmd GiveClientAccess) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	reason := strings.TrimSpace(cmd.Reason)
	var probs waymark.Problems
	switch {
	case strings.TrimSpace(cmd.ClientID) == "":
		probs.Add("clientId", "Enter the id of the machine client, as your administrator gave it to you")
	case cmd.Client.ClientID == "" || !now.Before(cmd.ClientUsableUntil):
		probs.Add("clientId", "There is no active machine client with that id. Check it with your administrator")
	case c.Clients.Has(cmd.Client.ClientID):
		probs.Add("clientId", "%s already has access to this case", cmd.Client.Name)
	}
	if reason == "" {
		probs.Add("reason", "Say why this machine client needs to see the case")
	}
	checkLength(&probs, "reason", "The reason", reason, MaxClientAccessReason)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(ClientAccessGiven{Client: cmd.Client, Reason: reason})}, nil
}

// guard says who may give WithdrawClientAccess and whether the case allows it now.
func (WithdrawClientAccess) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := canDecideClientAccess(a); err != nil {
		return err
	}
	if len(c.Clients.Clients) == 0 {
		return waymark.Invalid([]waymark.FieldError{{Field: "clientId", Message: "No machine client has access to this case"}})
	}
	return nil
}

func (cmd WithdrawClientAccess) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	for _, ca := range c.Clients.Clients {
		if ca.ClientID == cmd.ClientID {
			return []Event{newEvent(ClientAccessWithdrawn{Client: ca.ClientRef})}, nil
		}
	}
	return nil, waymark.Invalid([]waymark.FieldError{{Field: "clientId", Message: "Select a machine client that has access to this case"}})
}

// machineClientMay: a machine client reads the cases it was given and may
// add a note (with the write scope). Every decision on the pathway is a
// person's, so every other command from a machine client is refused.
func machineClientMay(cmd Command) error {
	if _, ok := cmd.(AddNote); ok {
		return nil
	}
	return waymark.Errorf(waymark.EFORBIDDEN, "A machine client can read the cases it has been given and add notes to them. Decisions on a case are recorded by people.")
}
