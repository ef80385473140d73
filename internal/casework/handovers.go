package casework

import (
	"context"
	"fmt"
	"slices"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/audit"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// Hand-over of a case between partnerships (issue 14, "Across areas";
// §4.3, §7.1; the rules are pathway/partnerships.go). The lead of the
// case's partnership reaches the case through these use cases even when
// they are not a member of it; the receiving lead reaches only the
// proposal until they agree. Anyone else, a lead of a third partnership
// included, gets the same not-found as for a made-up id, audited.
//
// Every step appends to the case's log (s.commit, audited as any write)
// and writes one more audit entry naming both partnerships, so that each
// partnership's audit shows the hand-over.

// Audit actions of hand-overs.
const (
	actionHandOverViewed    = "case.handover_viewed"
	actionHandOverProposed  = "case.handover_proposed"
	actionHandOverAgreed    = "case.handover_agreed"
	actionHandOverDeclined  = "case.handover_declined"
	actionHandOverWithdrawn = "case.handover_withdrawn"
)

// errNoHandOver is the one answer to a hand-over the viewer may not see.
var errNoHandOver = &waymark.Error{Code: waymark.ENOTFOUND, Message: "There is no such hand-over. Check the link, or go to your partnership's hand-overs."}

// PartnershipOption is a partnership a case may be handed to.
type PartnershipOption struct{ ID, Name string }

// CaseHandOvers is what the lead of the case's partnership sees on the
// case's hand-over page.
type CaseHandOvers struct {
	CaseID, Reference string
	Partnership       string // the case's partnership's name
	Others            []PartnershipOption
	HandOvers         []pathway.HandOver
	MayPropose        error
	// Unanswerable says why nobody could answer the hand-over waiting
	// now (pathway.HandOverUnanswerable), or is "".
	Unanswerable string
}

// actsForPartnership: a person (never a machine client) whose role speaks
// for their partnership (pathway.ActsForPartnership).
func (v Viewer) actsForPartnership() bool {
	return v.Client == nil && pathway.ActsForPartnership(v.User.Role)
}

// viewerPartnership is the partnership of the viewer's organisation.
func viewerPartnership(tx *store.Tx, v Viewer) (string, error) {
	if v.Client != nil || v.User.OrgID == "" {
		return "", nil
	}
	return tx.OrganisationPartnership(v.User.OrgID)
}

// casePartnerships are the partnerships whose people and organisations a
// case may name (invitees, attendees, action owners, its lead
// organisation): its own, and those of the teams an agreed share brought
// onto it. Anyone else's is answered as an address or organisation that
// does not exist, so a case's team learns nothing of another partnership
// and nobody of one is made a member of another's case outside a
// hand-over (§4.3, §7.1).
func casePartnerships(tx *store.Tx, c pathway.Case) (map[string]bool, error) {
	out := map[string]bool{}
	for _, org := range append([]string{c.ChildrensServicesOrg}, c.HandOvers.SharedWith(c)...) {
		if org == "" {
			continue
		}
		p, err := tx.OrganisationPartnership(org)
		if err != nil {
			return nil, err
		}
		if p != "" {
			out[p] = true
		}
	}
	return out, nil
}

// inCasePartnerships reports whether organisation org belongs to one of
// the partnerships a case may name.
func inCasePartnerships(tx *store.Tx, allowed map[string]bool, org string) (bool, error) {
	p, err := tx.OrganisationPartnership(org)
	return err == nil && allowed[p], err
}

// loadAsCaseLead loads a case for the lead of its partnership. Anyone else
// gets errDenied, whatever the case holds.
func (s *Service) loadAsCaseLead(tx *store.Tx, v Viewer, caseID string) (pathway.Case, string, string, error) {
	if caseID == "" || len(caseID) > 64 || !v.actsForPartnership() {
		return pathway.Case{}, "", "", errDenied
	}
	mine, err := viewerPartnership(tx, v)
	if err != nil {
		return pathway.Case{}, "", "", err
	}
	c, _, err := tx.LoadCase(caseID)
	if waymark.ErrorCode(err) == waymark.ENOTFOUND {
		return c, "", "", errDenied
	}
	if err != nil {
		return c, "", "", err
	}
	cp, err := tx.CasePartnership(c)
	if err != nil {
		return c, "", "", err
	}
	if !pathway.LeadsPartnership(v.Actor(s.Catalog), mine, cp) {
		return pathway.Case{}, "", "", errDenied
	}
	return c, mine, cp, nil
}

func partnershipName(tx *store.Tx, id string) string {
	p, err := tx.PartnershipByID(id)
	if err != nil {
		return "another partnership"
	}
	return p.Name
}

// receivers is who in partnership id could take a hand-over, as the
// directory stands: its active leads, and whether it has a Children's
// Services team (pathway.HandOverUnanswerable).
func receivers(tx *store.Tx, id string) (leads int, childrensServices bool, err error) {
	ls, err := tx.PartnershipLeadsOf(id)
	if err != nil {
		return 0, false, err
	}
	orgs, err := tx.PartnershipOrganisations(id)
	if err != nil {
		return 0, false, err
	}
	return len(ls), slices.ContainsFunc(orgs, func(o store.Organisation) bool { return o.ChildrensServices }), nil
}

// CaseHandOvers returns the case's hand-overs for the lead of its
// partnership, and audits the read.
func (s *Service) CaseHandOvers(ctx context.Context, v Viewer, caseID string) (CaseHandOvers, error) {
	if err := v.require(ScopeRead); err != nil {
		return CaseHandOvers{}, err
	}
	var out CaseHandOvers
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		c, mine, cp, err := s.loadAsCaseLead(tx, v, caseID)
		if err != nil {
			return audit.Entry{}, err
		}
		out = CaseHandOvers{CaseID: c.ID, Reference: c.Reference(), Partnership: partnershipName(tx, cp), HandOvers: c.HandOvers.HandOvers,
			MayPropose: pathway.MayProposeHandOver(c, v.Actor(s.Catalog), mine, cp)}
		// A hand-over still waiting that nobody could now answer (its lead
		// left, or its team moved, since it was proposed) is pointed out, so
		// the proposer withdraws it rather than waits.
		if h, ok := c.HandOvers.Pending(); ok {
			leads, cs, err := receivers(tx, h.ToPartnership)
			if err != nil {
				return audit.Entry{}, err
			}
			out.Unanswerable = pathway.HandOverUnanswerable(h.ToName, leads, cs)
		}
		ps, err := tx.Partnerships()
		if err != nil {
			return audit.Entry{}, err
		}
		for _, p := range ps {
			if p.ID != cp {
				out.Others = append(out.Others, PartnershipOption{ID: p.ID, Name: p.Name})
			}
		}
		return s.auditEntry(v, caseID, actionHandOverViewed, "as the lead of partnership "+cp), nil
	})
	if err == errDenied {
		return CaseHandOvers{}, s.denied(ctx, v, caseID, "view hand-overs")
	}
	return out, err
}

// ProposeHandOver is the lead of the case's partnership proposing to share
// or transfer it to partnership to, with a reason.
func (s *Service) ProposeHandOver(ctx context.Context, v Viewer, caseID, kind, to, reason string) error {
	if err := v.require(ScopeWrite); err != nil {
		return err
	}
	err := s.updateCase(ctx, func(tx *store.Tx, writing *bool) error {
		c, mine, cp, err := s.loadAsCaseLead(tx, v, caseID)
		if err != nil {
			return err
		}
		cmd := pathway.ProposeHandOver{HandOverID: "handover-" + access.NewID(), Kind: kind, FromName: partnershipName(tx, cp), Reason: reason}
		if to != "" {
			if p, err := tx.PartnershipByID(to); err == nil {
				cmd.ToPartnership, cmd.ToName = p.ID, p.Name
				if cmd.ToLeads, cmd.ToHasChildrensServices, err = receivers(tx, p.ID); err != nil {
					return err
				}
			}
		}
		events, err := pathway.DecideProposeHandOver(c, v.Actor(s.Catalog), mine, cp, cmd, s.now())
		if err != nil {
			return err
		}
		*writing = true
		if err := s.commit(tx, v, c, events, actionHandOverProposed); err != nil {
			return err
		}
		if err := tx.SaveHandOver(store.HandOverRow{ID: cmd.HandOverID, CaseID: c.ID, FromPartnership: cp, ToPartnership: cmd.ToPartnership,
			Status: pathway.HandOverStatusPending, ProposedAt: s.now()}); err != nil {
			return err
		}
		return s.auditBoth(tx, v, c.ID, actionHandOverProposed, cmd.HandOverID, cp, cmd.ToPartnership, kind)
	})
	if err == errDenied {
		return s.denied(ctx, v, caseID, "propose hand-over")
	}
	return err
}

// WithdrawHandOver is the lead of the case's partnership withdrawing a
// hand-over that waits for an answer.
func (s *Service) WithdrawHandOver(ctx context.Context, v Viewer, caseID, id, reason string) error {
	if err := v.require(ScopeWrite); err != nil {
		return err
	}
	err := s.updateCase(ctx, func(tx *store.Tx, writing *bool) error {
		c, mine, cp, err := s.loadAsCaseLead(tx, v, caseID)
		if err != nil {
			return err
		}
		events, err := pathway.DecideWithdrawHandOver(c, v.Actor(s.Catalog), mine, cp, id, reason, s.now())
		if err != nil {
			return err
		}
		h, _ := c.HandOvers.Get(id)
		*writing = true
		if err := s.commit(tx, v, c, events, actionHandOverWithdrawn); err != nil {
			return err
		}
		if err := tx.SaveHandOver(store.HandOverRow{ID: id, Status: pathway.HandOverStatusWithdrawn}); err != nil {
			return err
		}
		return s.auditBoth(tx, v, c.ID, actionHandOverWithdrawn, id, h.FromPartnership, h.ToPartnership, h.Kind)
	})
	if err == errDenied {
		return s.denied(ctx, v, caseID, "withdraw hand-over")
	}
	return err
}

// auditBoth writes the entry that names both partnerships.
func (s *Service) auditBoth(tx *store.Tx, v Viewer, caseID, action, id, from, to, kind string) error {
	return tx.AppendAudit(s.auditEntry(v, caseID, action, fmt.Sprintf("%s %s from partnership %s (%s) to partnership %s (%s)",
		id, kind, from, partnershipName(tx, from), to, partnershipName(tx, to))))
}

// IncomingHandOver is a hand-over as the receiving lead sees it: the
// proposal, never the case, until it is agreed (§6.5). CaseID is set only
// once the viewer's team is on the case.
type IncomingHandOver struct {
	ID, Kind             string
	FromName             string
	By                   pathway.Party
	At                   time.Time
	Reason               string
	Status               string
	AnsweredBy           pathway.Party
	AnswerReason         string
	ReceivingOrgName     string
	CaseID, Reference    string
	ReceivingOrgs        []PartnershipOption // the Children's Services teams the lead may name
	MayAnswer            error
	ReceivingPartnership string
}

// loadIncoming loads the case of hand-over id for the lead of the
// receiving partnership; anyone else gets errNoHandOver.
func (s *Service) loadIncoming(tx *store.Tx, v Viewer, id string) (pathway.Case, pathway.HandOver, string, error) {
	if !v.actsForPartnership() || id == "" || len(id) > 80 {
		return pathway.Case{}, pathway.HandOver{}, "", errNoHandOver
	}
	mine, err := viewerPartnership(tx, v)
	if err != nil {
		return pathway.Case{}, pathway.HandOver{}, "", err
	}
	row, err := tx.HandOverByID(id)
	if waymark.ErrorCode(err) == waymark.ENOTFOUND || (err == nil && row.ToPartnership != mine) {
		return pathway.Case{}, pathway.HandOver{}, "", errNoHandOver
	}
	if err != nil {
		return pathway.Case{}, pathway.HandOver{}, "", err
	}
	c, _, err := tx.LoadCase(row.CaseID)
	if waymark.ErrorCode(err) == waymark.ENOTFOUND {
		return c, pathway.HandOver{}, "", errNoHandOver
	}
	if err != nil {
		return c, pathway.HandOver{}, "", err
	}
	// The row opens nothing: the case's own events say where it goes.
	h, ok := c.HandOvers.Get(id)
	if !ok || !pathway.LeadsPartnership(v.Actor(s.Catalog), mine, h.ToPartnership) {
		return pathway.Case{}, pathway.HandOver{}, "", errNoHandOver
	}
	return c, h, mine, nil
}

func (s *Service) incoming(tx *store.Tx, v Viewer, c pathway.Case, h pathway.HandOver, mine string) (IncomingHandOver, error) {
	out := IncomingHandOver{ID: h.ID, Kind: h.Kind, FromName: h.FromName, By: h.By, At: h.At, Reason: h.Reason, Status: h.Status,
		AnsweredBy: h.AnsweredBy, AnswerReason: h.AnswerReason, ReceivingOrgName: h.ReceivingOrgName, ReceivingPartnership: h.ToName}
	_, out.MayAnswer = pathway.MayAnswerHandOver(c, v.Actor(s.Catalog), mine, h.ID)
	if h.Status == pathway.HandOverStatusAgreed {
		m, err := tx.Membership(c.ID, v.User.ID, v.User.OrgID)
		if err != nil {
			return out, err
		}
		if len(m.Roles) > 0 {
			out.CaseID, out.Reference = c.ID, c.Reference()
		}
	}
	if out.MayAnswer == nil {
		orgs, err := tx.PartnershipOrganisations(mine)
		if err != nil {
			return out, err
		}
		for _, o := range orgs {
			if o.ChildrensServices {
				out.ReceivingOrgs = append(out.ReceivingOrgs, PartnershipOption{ID: o.ID, Name: o.Name})
			}
		}
	}
	return out, nil
}

// IncomingHandOvers lists the hand-overs addressed to the viewer's
// partnership (partnership leads only), and audits the read.
func (s *Service) IncomingHandOvers(ctx context.Context, v Viewer) ([]IncomingHandOver, error) {
	if err := v.require(ScopeRead); err != nil {
		return nil, err
	}
	if !v.actsForPartnership() {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Only a partnership lead answers hand-overs from other partnerships.")
	}
	var out []IncomingHandOver
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		mine, err := viewerPartnership(tx, v)
		if err != nil {
			return audit.Entry{}, err
		}
		rows, err := tx.HandOversTo(mine)
		if err != nil {
			return audit.Entry{}, err
		}
		for _, r := range rows {
			c, h, _, err := s.loadIncoming(tx, v, r.ID)
			if err == errNoHandOver {
				continue
			}
			if err != nil {
				return audit.Entry{}, err
			}
			in, err := s.incoming(tx, v, c, h, mine)
			if err != nil {
				return audit.Entry{}, err
			}
			out = append(out, in)
		}
		return s.auditEntry(v, "", actionHandOverViewed, fmt.Sprintf("incoming to partnership %s: %d", mine, len(out))), nil
	})
	return out, err
}

// IncomingHandOverByID is one hand-over addressed to the viewer's partnership.
func (s *Service) IncomingHandOverByID(ctx context.Context, v Viewer, id string) (IncomingHandOver, error) {
	if err := v.require(ScopeRead); err != nil {
		return IncomingHandOver{}, err
	}
	var out IncomingHandOver
	caseID := ""
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		c, h, mine, err := s.loadIncoming(tx, v, id)
		if err != nil {
			return audit.Entry{}, err
		}
		caseID = c.ID
		out, err = s.incoming(tx, v, c, h, mine)
		return s.auditEntry(v, c.ID, actionHandOverViewed, "proposal "+id+" as the lead of receiving partnership "+mine), err
	})
	if err == errNoHandOver {
		_ = s.DB.RecordAudit(ctx, s.auditEntry(v, caseID, audit.ActionCaseDenied, "view hand-over"))
	}
	return out, err
}

// AgreeHandOver is the receiving lead agreeing, naming the receiving
// Children's Services organisation orgID.
func (s *Service) AgreeHandOver(ctx context.Context, v Viewer, id, orgID string) error {
	return s.answerHandOver(ctx, v, id, actionHandOverAgreed, pathway.HandOverStatusAgreed, func(tx *store.Tx, c pathway.Case, mine string) ([]pathway.Event, error) {
		var org pathway.ReceivingOrg
		if o, err := tx.OrganisationByID(orgID); err == nil && orgID != "" {
			p, err := tx.OrganisationPartnership(o.ID)
			if err != nil {
				return nil, err
			}
			org = pathway.ReceivingOrg{ID: o.ID, Name: o.Name, Partnership: p, ChildrensServices: o.ChildrensServices}
			leads, err := tx.PartnershipLeadsOf(p)
			if err != nil {
				return nil, err
			}
			for _, u := range leads {
				org.Leads = append(org.Leads, partyOf(u))
			}
		}
		return pathway.DecideAgreeHandOver(c, v.Actor(s.Catalog), mine, id, org, s.now())
	})
}

// DeclineHandOver is the receiving lead declining, with a reason.
func (s *Service) DeclineHandOver(ctx context.Context, v Viewer, id, reason string) error {
	return s.answerHandOver(ctx, v, id, actionHandOverDeclined, pathway.HandOverStatusDeclined, func(tx *store.Tx, c pathway.Case, mine string) ([]pathway.Event, error) {
		return pathway.DecideDeclineHandOver(c, v.Actor(s.Catalog), mine, id, reason, s.now())
	})
}

func (s *Service) answerHandOver(ctx context.Context, v Viewer, id, action, status string, decide func(tx *store.Tx, c pathway.Case, mine string) ([]pathway.Event, error)) error {
	if err := v.require(ScopeWrite); err != nil {
		return err
	}
	caseID := ""
	err := s.updateCase(ctx, func(tx *store.Tx, writing *bool) error {
		c, h, mine, err := s.loadIncoming(tx, v, id)
		if err != nil {
			return err
		}
		caseID = c.ID
		events, err := decide(tx, c, mine)
		if err != nil {
			return err
		}
		*writing = true
		if err := s.commit(tx, v, c, events, action); err != nil {
			return err
		}
		if err := tx.SaveHandOver(store.HandOverRow{ID: id, Status: status}); err != nil {
			return err
		}
		return s.auditBoth(tx, v, c.ID, action, id, h.FromPartnership, h.ToPartnership, h.Kind)
	})
	if err == errNoHandOver {
		_ = s.DB.RecordAudit(ctx, s.auditEntry(v, caseID, audit.ActionCaseDenied, "answer hand-over"))
	}
	return err
}

// listLinkRequest lists a request to link the earlier case for the lead of
// the earlier case's partnership (issue 14 §1: "or the partnership lead").
func listLinkRequest(tx *store.Tx, newCase, earlier pathway.Case, linkID string, now time.Time) error {
	to, err := tx.CasePartnership(earlier)
	if err != nil {
		return err
	}
	from, err := tx.CasePartnership(newCase)
	if err != nil {
		return err
	}
	return tx.SaveHandOver(store.HandOverRow{ID: linkID, Kind: store.LinkRequestKind, CaseID: earlier.ID, FromPartnership: from, ToPartnership: to,
		Status: pathway.LinkPending, ProposedAt: now})
}

// loadForLinkAnswer loads the earlier case for the lead of its partnership
// who is not on it, when linkID is a request waiting on it. Anyone else,
// and a request that is not waiting there, gets errDenied: the same answer
// as for a made-up case.
func (s *Service) loadForLinkAnswer(tx *store.Tx, v Viewer, caseID, linkID string) (pathway.Case, bool, error) {
	c, _, _, err := s.loadAsCaseLead(tx, v, caseID)
	if err != nil {
		return pathway.Case{}, false, errDenied
	}
	if r, ok := c.Links.Request(linkID); !ok || r.Asked || r.Status != pathway.LinkPending {
		return pathway.Case{}, false, errDenied
	}
	return c, true, nil
}

// PartnershipLinkRequest is a request to link one of the partnership's
// cases, as its lead sees it when not on the case: who asks and why, never
// the case's content (§6.5).
type PartnershipLinkRequest struct {
	CaseID, LinkID string
	FromOrgName    string
	Reason         string
	By             pathway.Party
	At             time.Time
}

// PartnershipLinkRequests lists the requests waiting to link a case of the
// lead's partnership whose team has not answered, audited.
func (s *Service) PartnershipLinkRequests(ctx context.Context, v Viewer) ([]PartnershipLinkRequest, error) {
	if err := v.require(ScopeRead); err != nil {
		return nil, err
	}
	if !v.actsForPartnership() {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Only a partnership lead answers link requests for the partnership.")
	}
	var out []PartnershipLinkRequest
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		mine, err := viewerPartnership(tx, v)
		if err != nil {
			return audit.Entry{}, err
		}
		rows, err := tx.LinkRequestsTo(mine)
		if err != nil {
			return audit.Entry{}, err
		}
		var ids []string
		for _, row := range rows {
			c, _, _, err := s.loadAsCaseLead(tx, v, row.CaseID)
			if err == errDenied {
				continue // the case has since moved to another partnership
			}
			if err != nil {
				return audit.Entry{}, err
			}
			r, ok := c.Links.Request(row.ID)
			if !ok || r.Asked || r.Status != pathway.LinkPending {
				continue
			}
			out = append(out, PartnershipLinkRequest{CaseID: c.ID, LinkID: r.ID, FromOrgName: r.OtherOrgName, Reason: r.Reason, By: r.By, At: r.At})
			ids = append(ids, r.ID)
		}
		return s.auditEntry(v, "", actionHandOverViewed, fmt.Sprintf("link requests to partnership %s: %v", mine, ids)), nil
	})
	return out, err
}
