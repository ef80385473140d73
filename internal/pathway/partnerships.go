package pathway

import (
	"slices"
	"strings"
	"time"

	"waymark"
)

// Partnerships and the hand-over of a case between them (issue 14, "Across
// areas"). A child who goes missing turns up in another area, or moves
// area (§4.3, §7.1); the case then needs the other area's Children's
// Services team. One deployment may serve several safeguarding
// partnerships: each organisation belongs to one (store, migration 0036),
// and a case belongs to the partnership of its Children's Services
// organisation (CasePartnership) until an agreed transfer moves it.
//
// The lead of the case's partnership proposes to SHARE the case (the other
// partnership's team joins; the case stays) or to TRANSFER it (the case
// moves), with a reason. The receiving partnership's lead agrees, naming
// the receiving Children's Services organisation, or declines with a
// reason; the proposing lead may withdraw while it waits. Every step is an
// event in the case's log, so the history stays whole.
//
// Need to know (§6.5): before agreeing, the receiving lead sees only the
// proposal (which partnership, who proposes, share or transfer, the
// reason), never the case. A lead of any third partnership learns nothing,
// not even that the case exists (casework answers as for a made-up id).
//
// What the sending team keeps after a transfer (the simplest safe rule):
// nothing. The case's Children's Services organisation becomes the
// receiving one, so the sending team's membership ends, and its assigned
// workers leave the case; what they wrote stays in the history, which the
// receiving team reads whole. The person who raised the concern stays its
// referrer. After a share both teams work the case (MemberPartnershipShare).

// DefaultPartnership is the partnership every organisation a deployment
// had before partnerships were records belongs to (migration 0036).
const DefaultPartnership = "default"

// CasePartnership is the partnership a case belongs to: its Children's
// Services organisation's, which an agreed transfer changes
// (HandOverAgreed.apply). partnershipOf looks an organisation up.
func CasePartnership(c Case, partnershipOf func(orgID string) string) string {
	if c.ChildrensServicesOrg == "" {
		return ""
	}
	return partnershipOf(c.ChildrensServicesOrg)
}

// LeadsPartnership reports whether the actor is a partnership lead of
// partnership p: the one test of "the lead of this case's partnership".
func LeadsPartnership(a Actor, actorPartnership, p string) bool {
	return a.Role == RolePartnershipLead && p != "" && actorPartnership == p
}

// Hand-over kinds.
const (
	HandOverShare    = "share"
	HandOverTransfer = "transfer"
)

// Hand-over statuses.
const (
	HandOverStatusPending   = "pending"
	HandOverStatusAgreed    = "agreed"
	HandOverStatusDeclined  = "declined"
	HandOverStatusWithdrawn = "withdrawn"
)

// HandOverKindLabel says a kind in words.
func HandOverKindLabel(kind string) string {
	if kind == HandOverTransfer {
		return "Transfer the case"
	}
	return "Share the case"
}

// Event types of hand-overs between partnerships.
const (
	EventHandOverProposed  = "handover_proposed"
	EventHandOverAgreed    = "handover_agreed"
	EventHandOverDeclined  = "handover_declined"
	EventHandOverWithdrawn = "handover_withdrawn"
)

func handOverEvents() []eventDecoder {
	return []eventDecoder{
		decoderOf[HandOverProposed](),
		decoderOf[HandOverAgreed](),
		decoderOf[HandOverDeclined](),
		decoderOf[HandOverWithdrawn](),
	}
}

// HandOver is one proposal to share or transfer the case.
type HandOver struct {
	ID                               string
	Kind                             string
	FromPartnership, FromName        string
	ToPartnership, ToName            string
	Reason                           string
	By                               Party
	At                               time.Time
	Status                           string
	AnsweredBy                       Party
	AnsweredAt                       time.Time
	AnswerReason                     string // why it was declined or withdrawn
	ReceivingOrgID, ReceivingOrgName string
	SendingOrgID                     string
}

// HandOverState is what a case holds of its hand-overs.
type HandOverState struct {
	HandOvers []HandOver
}

// Get returns hand-over id.
func (s HandOverState) Get(id string) (HandOver, bool) {
	for _, h := range s.HandOvers {
		if h.ID == id {
			return h, true
		}
	}
	return HandOver{}, false
}

// Pending returns the hand-over waiting for an answer, if any.
func (s HandOverState) Pending() (HandOver, bool) {
	for _, h := range s.HandOvers {
		if h.Status == HandOverStatusPending {
			return h, true
		}
	}
	return HandOver{}, false
}

// members: after an agreed share the receiving Children's Services team
// works the case beside the sending one (§4.3, §7.1).
func (s *HandOverState) members(c *Case) []Member {
	var out []Member
	for _, org := range s.SharedWith(*c) {
		out = append(out, Member{Kind: "org", ID: org, Role: MemberPartnershipShare})
	}
	return out
}

// SharedWith lists the Children's Services organisations of other
// partnerships that an agreed share has brought onto the case: with the
// case's own partnership, theirs are the partnerships whose people and
// organisations the case may name (casework.casePartnerships).
func (s HandOverState) SharedWith(c Case) []string {
	var out []string
	for _, h := range s.HandOvers {
		if h.Status == HandOverStatusAgreed && h.Kind == HandOverShare && h.ReceivingOrgID != "" && h.ReceivingOrgID != c.ChildrensServicesOrg {
			out = append(out, h.ReceivingOrgID)
		}
	}
	return out
}

func (s *HandOverState) flags(c *Case, now time.Time, f *Flags) {}

// HandOverProposed is the lead of the case's partnership proposing it.
type HandOverProposed struct {
	HandOverID      string `json:"handOverId"`
	Kind            string `json:"kind"`
	FromPartnership string `json:"fromPartnership"`
	FromName        string `json:"fromName"`
	ToPartnership   string `json:"toPartnership"`
	ToName          string `json:"toName"`
	Reason          string `json:"reason"`
}

// HandOverAgreed is the receiving lead agreeing, naming the receiving team.
type HandOverAgreed struct {
	HandOverID       string `json:"handOverId"`
	ReceivingOrgID   string `json:"receivingOrgId"`
	ReceivingOrgName string `json:"receivingOrgName"`
	SendingOrgID     string `json:"sendingOrgId"`
	// PartnershipLeads are the receiving partnership's leads, who take
	// over any escalation open when a transfer is agreed: the sending
	// partnership's leads were members only through it (§8.6).
	PartnershipLeads []Party `json:"partnershipLeads,omitempty"`
}

// HandOverDeclined is the receiving lead declining, with a reason.
type HandOverDeclined struct {
	HandOverID string `json:"handOverId"`
	Reason     string `json:"reason"`
}

// HandOverWithdrawn is the proposing side withdrawing, with a reason.
type HandOverWithdrawn struct {
	HandOverID string `json:"handOverId"`
	Reason     string `json:"reason"`
}

func (HandOverProposed) eventType() string  { return EventHandOverProposed }
func (HandOverAgreed) eventType() string    { return EventHandOverAgreed }
func (HandOverDeclined) eventType() string  { return EventHandOverDeclined }
func (HandOverWithdrawn) eventType() string { return EventHandOverWithdrawn }

func (d HandOverProposed) apply(c *Case, e Event) {
	c.HandOvers.HandOvers = append(c.HandOvers.HandOvers, HandOver{ID: d.HandOverID, Kind: d.Kind, FromPartnership: d.FromPartnership,
		FromName: d.FromName, ToPartnership: d.ToPartnership, ToName: d.ToName, Reason: d.Reason, By: e.Actor, At: e.At, Status: HandOverStatusPending})
}

func (d HandOverAgreed) apply(c *Case, e Event) {
	h := c.HandOvers.answer(d.HandOverID, HandOverStatusAgreed, e, "")
	if h == nil {
		return
	}
	h.ReceivingOrgID, h.ReceivingOrgName, h.SendingOrgID = d.ReceivingOrgID, d.ReceivingOrgName, d.SendingOrgID
	if h.Kind != HandOverTransfer {
		return
	}
	// The case moves: the receiving team is its Children's Services team
	// from now on, and the sending team's workers leave it.
	c.ChildrensServicesOrg = d.ReceivingOrgID
	kept := c.Workers[:0:0]
	for _, w := range c.Workers {
		if w.OrgID != d.SendingOrgID {
			kept = append(kept, w)
		}
	}
	c.Workers = kept
	// The sending side keeps nothing: an open escalation's partnership
	// leads were the sending partnership's; the receiving one's take over.
	for _, x := range c.Meetings.Escalations {
		if x.Open() {
			c.Meetings.updateEscalation(x.ID, func(e *Escalation) { e.PartnershipLeads = slices.Clone(d.PartnershipLeads) })
		}
	}
}

func (d HandOverDeclined) apply(c *Case, e Event) {
	c.HandOvers.answer(d.HandOverID, HandOverStatusDeclined, e, d.Reason)
}

func (d HandOverWithdrawn) apply(c *Case, e Event) {
	c.HandOvers.answer(d.HandOverID, HandOverStatusWithdrawn, e, d.Reason)
}

func (s *HandOverState) answer(id, status string, e Event, reason string) *HandOver {
	for i := range s.HandOvers {
		if h := &s.HandOvers[i]; h.ID == id && h.Status == HandOverStatusPending {
			h.Status, h.AnsweredBy, h.AnsweredAt, h.AnswerReason = status, e.Actor, e.At, reason
			return h
		}
	}
	return nil
}

func (d HandOverProposed) summary(e Event) string {
	verb := "share the case with "
	if d.Kind == HandOverTransfer {
		verb = "transfer the case to "
	}
	return d.FromName + " proposed to " + verb + d.ToName
}

func (d HandOverAgreed) summary(e Event) string {
	return "Hand-over agreed by " + e.Actor.Name + ": " + d.ReceivingOrgName + " joins the case"
}

func (d HandOverDeclined) summary(e Event) string {
	return "Hand-over declined by " + e.Actor.Name
}

func (d HandOverWithdrawn) summary(e Event) string {
	return "Hand-over withdrawn by " + e.Actor.Name
}

// MayProposeHandOver: the lead of the case's partnership proposes, on an
// open case, one hand-over at a time (§4.3, §7.1).
func MayProposeHandOver(c Case, a Actor, actorPartnership, casePartnership string) error {
	if !LeadsPartnership(a, actorPartnership, casePartnership) {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only the lead of the case's partnership can propose to share or transfer it. Ask your partnership lead.")
	}
	if c.Flags(time.Time{}).Closed {
		return waymark.Errorf(waymark.ECONFLICT, "This case is closed. Reopen it before handing it over.")
	}
	if _, ok := c.HandOvers.Pending(); ok {
		return waymark.Errorf(waymark.ECONFLICT, "A hand-over of this case is already waiting for an answer.")
	}
	return nil
}

// ProposeHandOver is the command; the use case fills the partnerships'
// names and checks the receiving partnership exists.
type ProposeHandOver struct {
	HandOverID      string
	Kind            string
	FromPartnership string
	FromName        string
	ToPartnership   string
	ToName          string
	Reason          string
	// Who could receive it, as the directory stands: the receiving
	// partnership's active leads (one answers) and whether it has a
	// Children's Services team (the case would go to one).
	ToLeads                int
	ToHasChildrensServices bool
}

// HandOverUnanswerable says why nobody in partnership name could take a
// hand-over, or "": only its active leads answer one (MayAnswerHandOver),
// and a case handed over goes to its Children's Services team
// (DecideAgreeHandOver). A proposal that nobody can answer would wait for
// ever and hold back any other hand-over of the case until withdrawn
// (§4.3, §7.1), so it is refused, and one left so by a change since is
// pointed out to the proposing lead.
func HandOverUnanswerable(name string, leads int, hasChildrensServices bool) string {
	switch {
	case leads == 0:
		return name + " has no partnership lead to agree or decline a hand-over. Ask its administrator to give someone that role"
	case !hasChildrensServices:
		return name + " has no Children's Services team to receive the case. Ask its administrator to set one up"
	}
	return ""
}

// DecideProposeHandOver decides a proposal.
func DecideProposeHandOver(c Case, a Actor, actorPartnership, casePartnership string, cmd ProposeHandOver, now time.Time) ([]Event, error) {
	if err := MayProposeHandOver(c, a, actorPartnership, casePartnership); err != nil {
		return nil, err
	}
	var probs waymark.Problems
	if cmd.Kind != HandOverShare && cmd.Kind != HandOverTransfer {
		probs.Add("kind", "Select whether to share or transfer the case")
	}
	if cmd.ToPartnership == "" {
		probs.Add("partnership", "Select the partnership to hand the case to")
	} else if cmd.ToPartnership == casePartnership {
		probs.Add("partnership", "Select another partnership: the case already belongs to this one")
	} else if why := HandOverUnanswerable(cmd.ToName, cmd.ToLeads, cmd.ToHasChildrensServices); why != "" {
		probs.Add("partnership", "%s, then propose it again", why)
	}
	reason := strings.TrimSpace(cmd.Reason)
	if reason == "" {
		probs.Add("reason", "Enter why the case should be handed over")
	}
	checkLength(&probs, "reason", "The reason", reason, MaxEvidence)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return stamp(c, a, now, HandOverProposed{HandOverID: cmd.HandOverID, Kind: cmd.Kind, FromPartnership: casePartnership, FromName: cmd.FromName,
		ToPartnership: cmd.ToPartnership, ToName: cmd.ToName, Reason: reason}), nil
}

// MayAnswerHandOver: the lead of the receiving partnership answers a
// waiting hand-over. A lead of any other partnership is told there is no
// such hand-over (§6.5).
func MayAnswerHandOver(c Case, a Actor, actorPartnership, id string) (HandOver, error) {
	h, ok := c.HandOvers.Get(id)
	if !ok || !LeadsPartnership(a, actorPartnership, h.ToPartnership) {
		return HandOver{}, waymark.Errorf(waymark.ENOTFOUND, "There is no such hand-over.")
	}
	if h.Status != HandOverStatusPending {
		return h, waymark.Errorf(waymark.ECONFLICT, "This hand-over has already been answered.")
	}
	return h, nil
}

// ReceivingOrg is the Children's Services organisation the receiving lead
// names, as the directory holds it.
type ReceivingOrg struct {
	ID, Name          string
	Partnership       string
	ChildrensServices bool
	Leads             []Party // the receiving partnership's leads (HandOverAgreed.PartnershipLeads)
}

// DecideAgreeHandOver decides the receiving lead agreeing to hand-over id,
// naming the receiving team, which must be a Children's Services
// organisation of the receiving partnership.
func DecideAgreeHandOver(c Case, a Actor, actorPartnership, id string, org ReceivingOrg, now time.Time) ([]Event, error) {
	h, err := MayAnswerHandOver(c, a, actorPartnership, id)
	if err != nil {
		return nil, err
	}
	if org.ID == "" || !org.ChildrensServices || org.Partnership != h.ToPartnership {
		var probs waymark.Problems
		probs.Add("org", "Select the Children's Services team in your partnership that will receive the case")
		return nil, probs.Err()
	}
	return stamp(c, a, now, HandOverAgreed{HandOverID: id, ReceivingOrgID: org.ID, ReceivingOrgName: org.Name, SendingOrgID: c.ChildrensServicesOrg, PartnershipLeads: org.Leads}), nil
}

// DecideDeclineHandOver decides the receiving lead declining, with a reason.
func DecideDeclineHandOver(c Case, a Actor, actorPartnership, id, reason string, now time.Time) ([]Event, error) {
	if _, err := MayAnswerHandOver(c, a, actorPartnership, id); err != nil {
		return nil, err
	}
	reason, err := linkReason("reason", reason, "Enter why you are declining the hand-over")
	if err != nil {
		return nil, err
	}
	return stamp(c, a, now, HandOverDeclined{HandOverID: id, Reason: reason}), nil
}

// DecideWithdrawHandOver decides the lead of the case's partnership
// withdrawing a waiting hand-over, with a reason.
func DecideWithdrawHandOver(c Case, a Actor, actorPartnership, casePartnership, id, reason string, now time.Time) ([]Event, error) {
	h, ok := c.HandOvers.Get(id)
	if !ok || !LeadsPartnership(a, actorPartnership, casePartnership) || h.FromPartnership != casePartnership {
		return nil, waymark.Errorf(waymark.ENOTFOUND, "There is no such hand-over.")
	}
	if h.Status != HandOverStatusPending {
		return nil, waymark.Errorf(waymark.ECONFLICT, "This hand-over has already been answered.")
	}
	reason, err := linkReason("reason", reason, "Enter why you are withdrawing the hand-over")
	if err != nil {
		return nil, err
	}
	return stamp(c, a, now, HandOverWithdrawn{HandOverID: id, Reason: reason}), nil
}

// ActsForPartnership says whether a role speaks for its partnership to
// other partnerships and to teams asking to link a case: proposing and
// answering hand-overs and answering link requests addressed to the
// partnership (§4.3, §7.1, §8.6). Only the partnership lead does.
func ActsForPartnership(role string) bool { return role == RolePartnershipLead }
