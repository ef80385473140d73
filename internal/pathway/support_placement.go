package pathway

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark"
)

// Placements and the confidentiality of the child's whereabouts
// (§4.3, §6.5, §7.1–7.4, §7.6).

// Event types for placements and whereabouts.
const (
	EventPlacementStarted                  = "placement_started"
	EventWhereaboutsConfidentialityChanged = "whereabouts_confidentiality_changed"
	EventWhereaboutsAccessGranted          = "whereabouts_access_granted"
	EventWhereaboutsAccessRevoked          = "whereabouts_access_revoked"
)

// ClockPlacementMissingRisk is the window after a child from abroad is
// placed when they are most likely to go missing (§4.3, §7.4).
const ClockPlacementMissingRisk ClockKind = "placement_missing_risk"

// placementEvents lists the event types of placement and whereabouts.
func placementEvents() []eventDecoder {
	return []eventDecoder{
		decoderOf[PlacementStarted](),
		decoderOf[WhereaboutsConfidentialityChanged](),
		decoderOf[WhereaboutsAccessGranted](),
		decoderOf[WhereaboutsAccessRevoked](),
	}
}

var placementTypes = []struct{ Value, Text string }{
	{"foster-care", "Foster care"},
	{"childrens-home", "Children's home"},
	{"supported-accommodation", "Supported accommodation (16 and 17 year olds)"},
	{"secure", "Secure children's home"},
	{"other", "Other"},
}

// PlacementTypes lists the kinds of placement.
func PlacementTypes() []struct{ Value, Text string } { return placementTypes }

// Placement is where the child is looked after. Its address is confidential
// when WhereaboutsConfidential is set (§7.6): see Case.Redacted.
type Placement struct {
	Seq                     int       `json:"seq"`
	StartedAt               time.Time `json:"startedAt"`
	Type                    string    `json:"type"`
	Address                 string    `json:"address,omitempty"`
	WhereaboutsConfidential bool      `json:"whereaboutsConfidential"`
	AddressWithheld         bool      `json:"addressWithheld,omitempty"` // set by Redacted, never stored
	FromAbroad              bool      `json:"fromAbroad"`                // started the 72-hour window (§4.3)
	RecordedBy              Party     `json:"recordedBy"`
}

// TypeLabel is the kind of placement in words.
func (p Placement) TypeLabel() string { return supportLabel(placementTypes, p.Type) }

// WhereaboutsGrant is an explicit permission to see the child's
// whereabouts while they are confidential (§6.5, §7.6).
type WhereaboutsGrant struct {
	User      Party     `json:"user"`
	Reason    string    `json:"reason"`
	GrantedBy Party     `json:"grantedBy"`
	GrantedAt time.Time `json:"grantedAt"`
}

// PlacementStarted: the child has been placed. When the whereabouts are
// confidential, the person who made the placement holds access to them.
type PlacementStarted struct {
	Placement Placement `json:"placement"`
}

// WhereaboutsConfidentialityChanged makes the current placement's
// whereabouts confidential, or lifts that.
type WhereaboutsConfidentialityChanged struct {
	Confidential bool   `json:"confidential"`
	Reason       string `json:"reason"`
}

// WhereaboutsAccessGranted gives a member of the case access to the child's whereabouts.
type WhereaboutsAccessGranted struct {
	User   Party  `json:"user"`
	Reason string `json:"reason"`
}

// WhereaboutsAccessRevoked takes that access away.
type WhereaboutsAccessRevoked struct {
	User   Party  `json:"user"`
	Reason string `json:"reason,omitempty"`
}

func (PlacementStarted) eventType() string { return EventPlacementStarted }
func (WhereaboutsConfidentialityChanged) eventType() string {
	return EventWhereaboutsConfidentialityChanged
}
func (WhereaboutsAccessGranted) eventType() string { return EventWhereaboutsAccessGranted }
func (WhereaboutsAccessRevoked) eventType() string { return EventWhereaboutsAccessRevoked }

func (d PlacementStarted) apply(c *Case, e Event) {
	pl := d.Placement
	pl.Seq, pl.RecordedBy, pl.AddressWithheld = e.Seq, e.Actor, false
	c.Support.Placements = append(c.Support.Placements, pl)
	if pl.WhereaboutsConfidential {
		c.Support.grant(WhereaboutsGrant{User: e.Actor, Reason: "Made the placement", GrantedBy: e.Actor, GrantedAt: e.At})
	}
}

func (d WhereaboutsConfidentialityChanged) apply(c *Case, e Event) {
	if len(c.Support.Placements) == 0 {
		return
	}
	// Placements is shared with the state before this event: copy before writing.
	c.Support.Placements = slices.Clone(c.Support.Placements)
	c.Support.CurrentPlacement().WhereaboutsConfidential = d.Confidential
	if d.Confidential {
		c.Support.grant(WhereaboutsGrant{User: e.Actor, Reason: "Made the whereabouts confidential", GrantedBy: e.Actor, GrantedAt: e.At})
	}
}

func (d WhereaboutsAccessGranted) apply(c *Case, e Event) {
	c.Support.grant(WhereaboutsGrant{User: d.User, Reason: d.Reason, GrantedBy: e.Actor, GrantedAt: e.At})
}

func (d WhereaboutsAccessRevoked) apply(c *Case, e Event) {
	c.Support.WhereaboutsAccess = slices.DeleteFunc(slices.Clone(c.Support.WhereaboutsAccess), func(g WhereaboutsGrant) bool { return g.User.UserID == d.User.UserID })
}

func (s *SupportState) grant(g WhereaboutsGrant) {
	if !s.HasWhereaboutsAccess(g.User.UserID) {
		s.WhereaboutsAccess = append(slices.Clone(s.WhereaboutsAccess), g)
	}
}

// The timeline never shows an address (§7.6).
func (d PlacementStarted) summary(e Event) string {
	s := "Placement started: " + strings.ToLower(supportLabel(placementTypes, d.Placement.Type))
	if d.Placement.WhereaboutsConfidential {
		s += " – whereabouts confidential"
	}
	if d.Placement.FromAbroad {
		s += " – highest missing risk for the first 72 hours"
	}
	return s
}

func (d WhereaboutsConfidentialityChanged) summary(e Event) string {
	if d.Confidential {
		return "The child's whereabouts made confidential"
	}
	return "The child's whereabouts no longer confidential"
}

func (d WhereaboutsAccessGranted) summary(e Event) string {
	return "Access to the child's whereabouts given to " + d.User.Name + " (" + d.User.OrgName + ")"
}

func (d WhereaboutsAccessRevoked) summary(e Event) string {
	return "Access to the child's whereabouts withdrawn from " + d.User.Name + " (" + d.User.OrgName + ")"
}

// StartPlacement records where the child has been placed.
type StartPlacement struct {
	StartedAt               time.Time `json:"startedAt"`
	PlacementType           string    `json:"placementType"`
	Address                 string    `json:"address"`
	WhereaboutsConfidential bool      `json:"whereaboutsConfidential"`
}

// ChangeWhereaboutsConfidentiality makes the current placement confidential or lifts that.
type ChangeWhereaboutsConfidentiality struct {
	Confidential bool   `json:"confidential"`
	Reason       string `json:"reason"`
}

// GrantWhereaboutsAccess gives a member of the case access to the child's
// whereabouts. The use case finds the user by Email.
type GrantWhereaboutsAccess struct {
	Email    string `json:"email"`
	Reason   string `json:"reason"`
	User     Party  `json:"-"` // filled by the use case from Email
	IsMember bool   `json:"-"` // the user already has need to know about the case
}

// RevokeWhereaboutsAccess withdraws a grant.
type RevokeWhereaboutsAccess struct {
	UserID string `json:"userId"`
	Reason string `json:"reason"`
}

func (StartPlacement) commandName() string { return "start placement" }
func (ChangeWhereaboutsConfidentiality) commandName() string {
	return "change whereabouts confidentiality"
}
func (GrantWhereaboutsAccess) commandName() string  { return "grant whereabouts access" }
func (RevokeWhereaboutsAccess) commandName() string { return "revoke whereabouts access" }

// guard says who may give StartPlacement and whether the case allows it now.
func (StartPlacement) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := childrensServicesDecides(a, "a placement"); err != nil {
		return err
	}
	return notClosed(c)
}

func (cmd StartPlacement) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	supportHappenedBy(&probs, "startedAt", "when the placement started", cmd.StartedAt, now)
	prev := c.Support.CurrentPlacement()
	if prev != nil && !cmd.StartedAt.IsZero() && cmd.StartedAt.Before(prev.StartedAt) {
		probs.Add("startedAt", "This placement cannot start before the current one (%s). Record placements in the order they happened", prev.StartedAt.In(London).Format("2 January 2006 at 3:04pm"))
	}
	if !supportValid(placementTypes, cmd.PlacementType) {
		probs.Add("placementType", "Select the kind of placement")
	}
	address := strings.TrimSpace(cmd.Address)
	if address == "" {
		probs.Add("address", "Enter the placement's address")
	}
	checkLength(&probs, "address", "The address", address, MaxShortText*2)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	start := cmd.StartedAt.UTC()
	var changes []ClockChange
	for _, cl := range c.Clocks {
		// A move ends the previous placement's window.
		if cl.Kind == ClockPlacementMissingRisk && cl.Running() {
			changes = append(changes, stopClock(cl.ID, start))
		}
	}
	fromAbroad := c.FromAbroad()
	if fromAbroad {
		// §4.3, §7.4: a child trafficked from abroad is most likely to go
		// missing in the first 72 hours after being placed.
		w := newClock(ClockPlacementMissingRisk, fmt.Sprintf("placement-risk-%d", c.Version+1), "Highest risk of going missing after placement", "§4.3", start, start.Add(p.Clocks.PlacementMissingRisk))
		w.Start.Window = true
		changes = append(changes, w)
	}
	return []Event{newEvent(PlacementStarted{Placement: Placement{StartedAt: start, Type: cmd.PlacementType, Address: address, WhereaboutsConfidential: cmd.WhereaboutsConfidential, FromAbroad: fromAbroad}}, changes...)}, nil
}

// guard says who may give ChangeWhereaboutsConfidentiality and whether the case allows it now.
func (ChangeWhereaboutsConfidentiality) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := socialWorkerOrManager(a); err != nil {
		return err
	}
	if c.Support.CurrentPlacement() == nil {
		return waymark.Errorf(waymark.EINVALID, "No placement is recorded yet. Record the placement, saying whether its whereabouts are confidential.")
	}
	return nil
}

func (cmd ChangeWhereaboutsConfidentiality) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	cur := c.Support.CurrentPlacement()
	var probs waymark.Problems
	if cur.WhereaboutsConfidential == cmd.Confidential {
		if cmd.Confidential {
			probs.Add("confidential", "The child's whereabouts are already confidential")
		} else {
			probs.Add("confidential", "The child's whereabouts are not confidential now")
		}
	}
	reason := strings.TrimSpace(cmd.Reason)
	if reason == "" {
		probs.Add("reason", "Enter why, so that others understand the decision (§6.5)")
	}
	checkLength(&probs, "reason", "The reason", reason, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(WhereaboutsConfidentialityChanged{Confidential: cmd.Confidential, Reason: reason})}, nil
}

// guard says who may give GrantWhereaboutsAccess and whether the case allows it now.
func (GrantWhereaboutsAccess) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := socialWorkerOrManager(a); err != nil {
		return err
	}
	if !c.Support.anyConfidentialPlacement() {
		return waymark.Errorf(waymark.EINVALID, "The child's whereabouts are not confidential, so everyone on the case can already see the placement.")
	}
	return nil
}

func (cmd GrantWhereaboutsAccess) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	switch {
	case cmd.User.UserID == "":
		probs.Add("email", "Enter the email address of the person who needs to know where the child is")
	case !cmd.IsMember:
		// §6.5: only people directly involved in the case learn anything about it.
		probs.Add("email", "%s is not involved in this case. Assign them to the case first if they need to know about it, then give access", cmd.User.Name)
	case c.Support.HasWhereaboutsAccess(cmd.User.UserID):
		probs.Add("email", "%s can already see the child's whereabouts", cmd.User.Name)
	}
	reason := strings.TrimSpace(cmd.Reason)
	if reason == "" {
		probs.Add("reason", "Enter why they need to know where the child is (§6.5)")
	}
	checkLength(&probs, "reason", "The reason", reason, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(WhereaboutsAccessGranted{User: cmd.User, Reason: reason})}, nil
}

// guard says who may give RevokeWhereaboutsAccess and whether the case allows it now.
func (RevokeWhereaboutsAccess) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := socialWorkerOrManager(a); err != nil {
		return err
	}
	if len(c.Support.WhereaboutsAccess) == 0 {
		return waymark.Errorf(waymark.EINVALID, "Nobody has been given access to the child's whereabouts.")
	}
	return nil
}

func (cmd RevokeWhereaboutsAccess) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	i := slices.IndexFunc(c.Support.WhereaboutsAccess, func(g WhereaboutsGrant) bool { return g.User.UserID == cmd.UserID })
	var probs waymark.Problems
	if i < 0 {
		probs.Add("userId", "Select a person who can see the child's whereabouts")
	}
	reason := strings.TrimSpace(cmd.Reason)
	checkLength(&probs, "reason", "The reason", reason, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(WhereaboutsAccessRevoked{User: c.Support.WhereaboutsAccess[i].User, Reason: reason})}, nil
}
