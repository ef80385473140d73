package pathway

import (
	"strings"
	"time"

	"waymark"
)

// Linking two cases about the same child (issue 14 §1). A child who goes
// missing turns up in another town under another name (§4.3, §4.8, §7.1);
// the team triaging the new concern is told only that an earlier record
// may exist and who to ask, and asks that record's team to link the two.
// Only a person on the earlier case's team can say it is the same child:
// until they do, neither team learns anything of the other's case (§6.5).
//
// Each step is written to both cases' logs in one transaction (casework
// case_links.go): the request on the new case and its arrival on the
// earlier one, then the answer on both. Once confirmed, each case's
// Children's Services team becomes a member of the other case
// (MemberLinkedCase) and sees its whole history from then on; an unlink
// ends that membership, and the history that was written stays as it was.
//
// A decline or an unlink is a fact about two cases, recorded on them; it
// is never fed back into the matching model (internal/match), which learns
// only from the records it compares, so nobody outside a case can teach it
// anything about that case.

// Event types of linking cases.
const (
	EventLinkRequested       = "link_requested"
	EventLinkRequestReceived = "link_request_received"
	EventCasesLinked         = "cases_linked"
	EventLinkDeclined        = "link_declined"
	EventCasesUnlinked       = "cases_unlinked"
)

// caseLinkEvents lists the event types of linking cases.
func caseLinkEvents() []eventDecoder {
	return []eventDecoder{
		decoderOf[LinkRequested](),
		decoderOf[LinkRequestReceived](),
		decoderOf[CasesLinked](),
		decoderOf[LinkDeclined](),
		decoderOf[CasesUnlinked](),
	}
}

// Link request statuses.
const (
	LinkPending        = "pending"
	LinkConfirmed      = "confirmed"
	LinkDeclinedStatus = "declined"
)

// CaseLinkState is what a case holds of its links to other cases.
type CaseLinkState struct {
	Requests []LinkRequest // asked from this case, or received by it
	Links    []CaseLink    // confirmed links, including those since unlinked
}

// LinkRequest is one request to link two cases, as one of them holds it.
type LinkRequest struct {
	ID          string
	OtherCaseID string
	// OtherOrgID and OtherOrgName are the other case's Children's Services
	// team: on the new case, the team asked; on the earlier, the team asking.
	OtherOrgID, OtherOrgName string
	Asked                    bool // this case asked (it is the new case)
	Reason                   string
	By                       Party
	At                       time.Time
	Status                   string
	AnsweredBy               Party
	AnsweredAt               time.Time
	// DeclineReason is kept on the earlier case only: it may speak of that
	// case, which the asking team has no need to know (§6.5).
	DeclineReason string
}

// CaseLink is a confirmed link to another case about the same child.
type CaseLink struct {
	ID                       string
	OtherCaseID              string
	OtherReference           string
	OtherOrgID, OtherOrgName string
	By                       Party // who confirmed it
	At                       time.Time
	Unlinked                 bool
	UnlinkedBy               Party
	UnlinkedAt               time.Time
	UnlinkReason             string
}

// Request returns the link request with id, if the case holds it.
func (s CaseLinkState) Request(id string) (LinkRequest, bool) {
	for _, r := range s.Requests {
		if r.ID == id {
			return r, true
		}
	}
	return LinkRequest{}, false
}

// Link returns the confirmed link with id, if the case holds it.
func (s CaseLinkState) Link(id string) (CaseLink, bool) {
	for _, l := range s.Links {
		if l.ID == id {
			return l, true
		}
	}
	return CaseLink{}, false
}

// Pending lists the requests waiting for an answer that this case received.
func (s CaseLinkState) Pending() []LinkRequest {
	var out []LinkRequest
	for _, r := range s.Requests {
		if !r.Asked && r.Status == LinkPending {
			out = append(out, r)
		}
	}
	return out
}

// Active lists the links in force (not unlinked).
func (s CaseLinkState) Active() []CaseLink {
	var out []CaseLink
	for _, l := range s.Links {
		if !l.Unlinked {
			out = append(out, l)
		}
	}
	return out
}

// With says how this case stands with other: a pending request either way,
// or a link in force.
func (s CaseLinkState) With(other string) (pending, linked bool) {
	for _, r := range s.Requests {
		if r.OtherCaseID == other && r.Status == LinkPending {
			pending = true
		}
	}
	for _, l := range s.Links {
		if l.OtherCaseID == other && !l.Unlinked {
			linked = true
		}
	}
	return pending, linked
}

// members: once two cases are linked, each case's Children's Services team
// is a member of the other. Both ways, because both hold the one child's
// story: the new team needs the earlier history to judge the risk of the
// child going missing again and rejoining the exploiters (§4.3), and the
// earlier team needs to know where the child is now, to close a missing
// episode and hold the return interview (§7.1). Nobody else is added: need
// to know is the two teams, not everyone on either case (§6.5).
func (s *CaseLinkState) members(c *Case) []Member {
	var out []Member
	for _, l := range s.Links {
		if l.Unlinked || l.OtherOrgID == "" || l.OtherOrgID == c.ChildrensServicesOrg {
			continue
		}
		out = append(out, Member{Kind: "org", ID: l.OtherOrgID, Role: MemberLinkedCase})
	}
	return out
}

func (s *CaseLinkState) flags(c *Case, now time.Time, f *Flags) {}

// LinkRequested is the new case asking an earlier case's team to link it.
// It names no reference of the earlier case: the asking team has none.
type LinkRequested struct {
	LinkID         string `json:"linkId"`
	EarlierCaseID  string `json:"earlierCaseId"`
	EarlierOrgID   string `json:"earlierOrgId"`
	EarlierOrgName string `json:"earlierOrgName"`
	Reason         string `json:"reason"`
}

// LinkRequestReceived is the request arriving on the earlier case. It names
// the asking team's organisation, not the new case's child or content.
type LinkRequestReceived struct {
	LinkID      string `json:"linkId"`
	NewCaseID   string `json:"newCaseId"`
	FromOrgID   string `json:"fromOrgId"`
	FromOrgName string `json:"fromOrgName"`
	Reason      string `json:"reason"`
}

// CasesLinked is the link confirmed, on each of the two cases.
type CasesLinked struct {
	LinkID         string `json:"linkId"`
	OtherCaseID    string `json:"otherCaseId"`
	OtherReference string `json:"otherReference"`
	OtherOrgID     string `json:"otherOrgId"`
	OtherOrgName   string `json:"otherOrgName"`
}

// LinkDeclined is the request refused, on each of the two cases; the reason
// only on the earlier one.
type LinkDeclined struct {
	LinkID      string `json:"linkId"`
	OtherCaseID string `json:"otherCaseId"`
	Reason      string `json:"reason,omitempty"`
}

// CasesUnlinked is a link found wrong, on each of the two cases.
type CasesUnlinked struct {
	LinkID         string `json:"linkId"`
	OtherCaseID    string `json:"otherCaseId"`
	OtherReference string `json:"otherReference"`
	Reason         string `json:"reason"`
}

func (LinkRequested) eventType() string       { return EventLinkRequested }
func (LinkRequestReceived) eventType() string { return EventLinkRequestReceived }
func (CasesLinked) eventType() string         { return EventCasesLinked }
func (LinkDeclined) eventType() string        { return EventLinkDeclined }
func (CasesUnlinked) eventType() string       { return EventCasesUnlinked }

func (d LinkRequested) apply(c *Case, e Event) {
	c.Links.Requests = append(c.Links.Requests, LinkRequest{ID: d.LinkID, OtherCaseID: d.EarlierCaseID, OtherOrgID: d.EarlierOrgID,
		OtherOrgName: d.EarlierOrgName, Asked: true, Reason: d.Reason, By: e.Actor, At: e.At, Status: LinkPending})
}

func (d LinkRequestReceived) apply(c *Case, e Event) {
	c.Links.Requests = append(c.Links.Requests, LinkRequest{ID: d.LinkID, OtherCaseID: d.NewCaseID, OtherOrgID: d.FromOrgID,
		OtherOrgName: d.FromOrgName, Reason: d.Reason, By: e.Actor, At: e.At, Status: LinkPending})
}

func (d CasesLinked) apply(c *Case, e Event) {
	c.Links.answer(d.LinkID, LinkConfirmed, e, "")
	c.Links.Links = append(c.Links.Links, CaseLink{ID: d.LinkID, OtherCaseID: d.OtherCaseID, OtherReference: d.OtherReference,
		OtherOrgID: d.OtherOrgID, OtherOrgName: d.OtherOrgName, By: e.Actor, At: e.At})
}

func (d LinkDeclined) apply(c *Case, e Event) {
	c.Links.answer(d.LinkID, LinkDeclinedStatus, e, d.Reason)
}

func (d CasesUnlinked) apply(c *Case, e Event) {
	for i := range c.Links.Links {
		if l := &c.Links.Links[i]; l.ID == d.LinkID && !l.Unlinked {
			l.Unlinked, l.UnlinkedBy, l.UnlinkedAt, l.UnlinkReason = true, e.Actor, e.At, d.Reason
		}
	}
}

func (s *CaseLinkState) answer(id, status string, e Event, reason string) {
	for i := range s.Requests {
		if r := &s.Requests[i]; r.ID == id && r.Status == LinkPending {
			r.Status, r.AnsweredBy, r.AnsweredAt, r.DeclineReason = status, e.Actor, e.At, reason
		}
	}
}

// The summaries name organisations and references, never the child.

func (d LinkRequested) summary(e Event) string {
	return "Asked " + d.EarlierOrgName + " whether a possible earlier record is the same child"
}

func (d LinkRequestReceived) summary(e Event) string {
	return d.FromOrgName + " asked to link a later concern that may be about the same child"
}

func (d CasesLinked) summary(e Event) string {
	return "Linked to " + referenceOrOther(d.OtherReference) + " (the same child)"
}

func (d LinkDeclined) summary(e Event) string {
	return "Request to link a possible earlier record declined: not shown to be the same child"
}

func (d CasesUnlinked) summary(e Event) string {
	return "No longer linked to " + referenceOrOther(d.OtherReference) + ": found not to be the same child"
}

func referenceOrOther(ref string) string {
	if ref == "" {
		return "another case (no reference yet)"
	}
	return ref
}

// readsOnlyAsALinkedTeam: a linked team reads the other case's history and
// gives it no command (not even a note): it is the other team's case, and
// what it knows goes on its own (§6.5). Any other standing it has on the
// case (a referrer, an invitee) gives what that standing gives.
func readsOnlyAsALinkedTeam(m Membership) bool {
	for _, r := range m.Roles {
		if r != MemberLinkedCase {
			return false
		}
	}
	return len(m.Roles) > 0
}

// mayWorkALink: asking for, answering and undoing a link is for the case's
// own team: its Children's Services team, its assigned workers, or the
// partnership lead (issue 14 §1, §6.5). A referrer, an invitee, a linked
// team or someone with emergency access sees the case without speaking for it.
func mayWorkALink(a Actor, what string) error {
	m := a.Membership
	// The partnership lead speaks for a case they stand on as the
	// partnership (§8.6), not for one they only referred, were invited
	// about, reach as a linked team or opened in an emergency.
	if a.Role != RoleMachineClient && (m.Is(MemberChildrensServices) || m.Is(MemberWorker) ||
		(a.Role == RolePartnershipLead && m.Is(MemberPartnership))) {
		return nil
	}
	return waymark.Errorf(waymark.EFORBIDDEN, "Only the case's Children's Services team, its assigned workers or the partnership lead can %s. Ask the case's social worker.", what)
}

// MayRequestLink says whether the actor may ask to link this case to a
// possible earlier record of the child.
func MayRequestLink(c Case, a Actor) error {
	return mayWorkALink(a, "ask to link an earlier record")
}

// MayLookForEarlierRecords says whether the actor may look across the
// partnership for earlier records of the case's child: whoever may ask to
// link one (§6.5, issue 14 §1). A referrer, an invitee, a linked team, a
// First Responder or someone with emergency access works with what the case
// holds; looking for the child elsewhere is the team's work, and each look
// opens other cases' records to be compared.
func MayLookForEarlierRecords(c Case, a Actor) error {
	return mayWorkALink(a, "look for earlier records of the child")
}

// MaySeeCaseLinks says whether the actor may see the case's links to other
// records of the child and the requests to link them: the team working the
// case, and a team linked to it (which reads its whole history).
func MaySeeCaseLinks(c Case, a Actor) error {
	if a.Membership.Team() || a.Membership.Is(MemberLinkedCase) {
		return nil
	}
	return waymark.Errorf(waymark.EFORBIDDEN, "Only the team working the case sees its links to other records (§6.5). Ask the case's social worker.")
}

// MayAnswerLinkRequest says whether the actor may confirm or decline a
// request to link the earlier case c: a member of that case's team, or the
// partnership lead (issue 14 §1): the lead of the case's partnership
// answers even when not on the case, seeing only the request
// (partnerships.go, casework answerLink).
func MayAnswerLinkRequest(c Case, a Actor) error {
	if a.Role == RolePartnershipLead && a.LeadsCasePartnership {
		return nil
	}
	return mayWorkALink(a, "answer a request to link this case")
}

// MayUnlink says whether the actor may undo a link on case c: either
// side's team (issue 14 §1).
func MayUnlink(c Case, a Actor) error {
	return mayWorkALink(a, "remove a link to another case")
}

// stamp fills in what Decide fills for a case's events.
func stamp(c Case, a Actor, now time.Time, data ...EventData) []Event {
	out := make([]Event, len(data))
	for i, d := range data {
		out[i] = Event{CaseID: c.ID, Seq: c.Version + i + 1, Type: d.eventType(), At: now.UTC(), Actor: a.Party, Data: d}
	}
	return out
}

// linkReason trims and checks the reason a request, a decline or an unlink gives.
func linkReason(field, reason, missing string) (string, error) {
	reason = strings.TrimSpace(reason)
	var probs waymark.Problems
	if reason == "" {
		probs.Add(field, "%s", missing)
	}
	checkLength(&probs, field, "The reason", reason, MaxEvidence)
	return reason, probs.Err()
}

// RequestLink asks to link a new case to a possible earlier record.
type RequestLink struct {
	LinkID string // a new id, from the use case
	Reason string
	// The earlier case's Children's Services team, and the new case's,
	// as the directory names them.
	EarlierOrgName, NewOrgName string
}

// DecideLinkRequest decides a request, made on the new case by a, to link
// it to the earlier case; it returns the events for each of the two logs.
func DecideLinkRequest(newCase, earlier Case, a Actor, cmd RequestLink, now time.Time) (onNew, onEarlier []Event, err error) {
	if err := MayRequestLink(newCase, a); err != nil {
		return nil, nil, err
	}
	if newCase.ID == earlier.ID || earlier.Version == 0 {
		return nil, nil, waymark.Errorf(waymark.ENOTFOUND, "There is no such earlier record. Go back to the case and choose one it lists.")
	}
	if pending, linked := newCase.Links.With(earlier.ID); linked {
		return nil, nil, waymark.Errorf(waymark.ECONFLICT, "This case is already linked to that record.")
	} else if pending {
		return nil, nil, waymark.Errorf(waymark.ECONFLICT, "A request to link that record is already waiting for an answer.")
	}
	reason, err := linkReason("reason", cmd.Reason, "Enter why you think this is the same child")
	if err != nil {
		return nil, nil, err
	}
	if err := mayAskToLink(newCase, earlier.ID, reason, now); err != nil { // link_limits.go
		return nil, nil, err
	}
	onNew = stamp(newCase, a, now, LinkRequested{LinkID: cmd.LinkID, EarlierCaseID: earlier.ID, EarlierOrgID: earlier.ChildrensServicesOrg,
		EarlierOrgName: cmd.EarlierOrgName, Reason: reason})
	onEarlier = stamp(earlier, a, now, LinkRequestReceived{LinkID: cmd.LinkID, NewCaseID: newCase.ID, FromOrgID: newCase.ChildrensServicesOrg,
		FromOrgName: cmd.NewOrgName, Reason: reason})
	return onNew, onEarlier, nil
}

// pendingRequest finds the request id waiting on the earlier case.
func pendingRequest(earlier Case, id string) (LinkRequest, error) {
	r, ok := earlier.Links.Request(id)
	if !ok || r.Asked {
		return r, waymark.Errorf(waymark.ENOTFOUND, "There is no such request on this case.")
	}
	if r.Status != LinkPending {
		return r, waymark.Errorf(waymark.ECONFLICT, "This request has already been answered.")
	}
	return r, nil
}

// DecideConfirmLink decides the earlier case's team confirming request id:
// the two cases are about the same child. The person who asked cannot
// confirm their own request, even when they are on both teams: a wrong
// link opens a child's history to another team (§6.5), so two people agree
// to it.
func DecideConfirmLink(newCase, earlier Case, a Actor, id string, now time.Time) (onNew, onEarlier []Event, err error) {
	if err := MayAnswerLinkRequest(earlier, a); err != nil {
		return nil, nil, err
	}
	r, err := pendingRequest(earlier, id)
	if err != nil {
		return nil, nil, err
	}
	asked, ok := newCase.Links.Request(id)
	if !ok || newCase.ID != r.OtherCaseID {
		return nil, nil, waymark.Errorf(waymark.ENOTFOUND, "There is no such request on this case.")
	}
	if r.By.UserID != "" && r.By.UserID == a.UserID {
		return nil, nil, waymark.Errorf(waymark.EFORBIDDEN, "You asked for this link, so someone else on the earlier case's team must confirm it. Ask a colleague or the partnership lead.")
	}
	onEarlier = stamp(earlier, a, now, CasesLinked{LinkID: id, OtherCaseID: newCase.ID, OtherReference: newCase.Reference(),
		OtherOrgID: newCase.ChildrensServicesOrg, OtherOrgName: r.OtherOrgName})
	onNew = stamp(newCase, a, now, CasesLinked{LinkID: id, OtherCaseID: earlier.ID, OtherReference: earlier.Reference(),
		OtherOrgID: earlier.ChildrensServicesOrg, OtherOrgName: asked.OtherOrgName})
	return onNew, onEarlier, nil
}

// DecideDeclineLink decides the earlier case's team declining request id,
// with a reason kept on the earlier case (§6.5).
func DecideDeclineLink(newCase, earlier Case, a Actor, id, reason string, now time.Time) (onNew, onEarlier []Event, err error) {
	if err := MayAnswerLinkRequest(earlier, a); err != nil {
		return nil, nil, err
	}
	if _, err := pendingRequest(earlier, id); err != nil {
		return nil, nil, err
	}
	if _, ok := newCase.Links.Request(id); !ok {
		return nil, nil, waymark.Errorf(waymark.ENOTFOUND, "There is no such request on this case.")
	}
	reason, err = linkReason("reason", reason, "Enter why this is not the same child")
	if err != nil {
		return nil, nil, err
	}
	onEarlier = stamp(earlier, a, now, LinkDeclined{LinkID: id, OtherCaseID: newCase.ID, Reason: reason})
	onNew = stamp(newCase, a, now, LinkDeclined{LinkID: id, OtherCaseID: earlier.ID})
	return onNew, onEarlier, nil
}

// DecideUnlink decides a member of c's team undoing link id between c and
// other, with a reason both cases keep. The membership the link gave ends
// from now; nothing already written is changed (§7.5).
func DecideUnlink(c, other Case, a Actor, id, reason string, now time.Time) (onThis, onOther []Event, err error) {
	if err := MayUnlink(c, a); err != nil {
		return nil, nil, err
	}
	l, ok := c.Links.Link(id)
	if !ok || l.OtherCaseID != other.ID {
		return nil, nil, waymark.Errorf(waymark.ENOTFOUND, "There is no such link on this case.")
	}
	if l.Unlinked {
		return nil, nil, waymark.Errorf(waymark.ECONFLICT, "This link has already been removed.")
	}
	reason, err = linkReason("reason", reason, "Enter why the two records are not the same child")
	if err != nil {
		return nil, nil, err
	}
	onThis = stamp(c, a, now, CasesUnlinked{LinkID: id, OtherCaseID: other.ID, OtherReference: l.OtherReference, Reason: reason})
	onOther = stamp(other, a, now, CasesUnlinked{LinkID: id, OtherCaseID: c.ID, OtherReference: c.Reference(), Reason: reason})
	return onThis, onOther, nil
}
