package casework

import (
	"context"
	"strings"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/audit"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// Linking a new case to an earlier record of the same child (issue 14 §1;
// the rules are pathway/case_links.go). Each step writes to both cases in
// one transaction, audited on both. The earlier case is read by the use
// case, not shown to the viewer: until a link is confirmed, the asking team
// learns only the name of the team to ask (§6.5).

// Audit actions of linking cases (on both cases' chains).
const (
	actionLinkRequested = "case.link_requested"
	actionLinkReceived  = "case.link_request_received"
	actionLinkConfirmed = "case.link_confirmed"
	actionLinkDeclined  = "case.link_declined"
	actionLinkRemoved   = "case.link_removed"
)

// CaseLinks is what a viewer on the case's team sees of its links: the
// possible earlier records (for those who may ask), the requests this case
// made, those waiting for its answer, and its links.
type CaseLinks struct {
	CaseID    string
	Reference string
	Earlier   []EarlierRecord
	// EarlierState is, for each of Earlier, how this case stands with it:
	// "" (nothing asked), pathway.LinkPending or pathway.LinkConfirmed.
	EarlierState []string
	Asked        []pathway.LinkRequest // this case's own requests
	Received     []pathway.LinkRequest // requests waiting for this case's answer
	Answered     []pathway.LinkRequest // requests this case received and answered
	Links        []pathway.CaseLink    // links in force and links undone
	// What the viewer may do, and why not (pathway.MayRequestLink ...).
	MayRequest, MayAnswer, MayUnlink error
	// PartnershipLeads are who else a team may ask about an earlier record.
	PartnershipLeads []string
	// Summary is, for the overview (CaseLinksOverview), what the stored
	// hint says of the possible earlier records; EarlierHeld says the
	// earlier-records page compared nothing: the probing limit
	// (earlier_hints.go).
	Summary     EarlierSummary
	EarlierHeld bool
}

// CaseLinks returns the case's links and possible earlier records as the
// viewer may see them, and audits the read. A non-member gets not-found;
// a member outside the team and not on a linked team is refused (§6.5).
func (s *Service) CaseLinks(ctx context.Context, v Viewer, caseID string) (CaseLinks, error) {
	return s.caseLinks(ctx, v, caseID, true)
}

// CaseLinksOverview is CaseLinks for the case overview: instead of
// comparing the child with other cases, it reads the summary worked out
// when the child's details last changed (earlier_hints.go), so that a view
// of the overview opens no other case.
func (s *Service) CaseLinksOverview(ctx context.Context, v Viewer, caseID string) (CaseLinks, error) {
	return s.caseLinks(ctx, v, caseID, false)
}

func (s *Service) caseLinks(ctx context.Context, v Viewer, caseID string, full bool) (CaseLinks, error) {
	if err := v.require(ScopeRead); err != nil {
		return CaseLinks{}, err
	}
	var out CaseLinks
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		c, _, m, err := s.load(tx, v, caseID)
		if err != nil {
			return audit.Entry{}, err
		}
		a := v.actorOn(s.Catalog, m)
		if err := pathway.MaySeeCaseLinks(c, a); err != nil {
			return audit.Entry{}, err
		}
		seen := pathway.LinksSeenBy(c, a) // a linked team: its own link only
		out = CaseLinks{CaseID: c.ID, Reference: c.Reference(), Links: seen.Links,
			MayRequest: pathway.MayRequestLink(c, a), MayAnswer: pathway.MayAnswerLinkRequest(c, a), MayUnlink: pathway.MayUnlink(c, a)}
		for _, r := range seen.Requests {
			switch {
			case r.Asked:
				out.Asked = append(out.Asked, r)
			case r.Status == pathway.LinkPending:
				out.Received = append(out.Received, r)
			default:
				out.Answered = append(out.Answered, r)
			}
		}
		// The leads of this case's own partnership (partnerships.go); each
		// earlier record names its own partnership's leads (askPartnership).
		if out.PartnershipLeads, _, err = askPartnership(tx, c.ChildrensServicesOrg, c.ChildrensServicesOrg); err != nil {
			return audit.Entry{}, err
		}
		if !full && out.MayRequest == nil && pathway.MayLookForEarlierRecords(c, a) == nil {
			if out.Summary, err = earlierSummary(tx, c.ID); err != nil {
				return audit.Entry{}, err
			}
		}
		return s.auditEntry(v, caseID, audit.ActionCaseViewed, "links: "+strings.Join(m.Roles, ",")), nil
	})
	if err == errDenied {
		return CaseLinks{}, s.denied(ctx, v, caseID, "view links")
	}
	if err != nil || out.MayRequest != nil || !full {
		return out, err
	}
	// The matching reads and audits the candidates itself (earlier_records.go).
	out.Earlier, err = s.EarlierRecords(ctx, v, caseID)
	if IsEarlierHeld(err) {
		out.EarlierHeld = true
		return out, nil
	}
	if err != nil || len(out.Earlier) == 0 {
		return out, err
	}
	out.EarlierState, err = s.earlierStates(ctx, v, caseID, out.Earlier)
	return out, err
}

// earlierStates says, for each earlier record, whether this case has asked
// to link it or is linked to it, so that a page offers "Ask to link" only
// once. The handle is resolved inside the service; no id leaves it.
func (s *Service) earlierStates(ctx context.Context, v Viewer, caseID string, recs []EarlierRecord) ([]string, error) {
	out := make([]string, len(recs))
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		c, _, _, err := s.load(tx, v, caseID)
		if err != nil {
			return err
		}
		for i, r := range recs {
			id, err := s.resolveEarlierRecord(tx, v, caseID, r.Handle)
			if waymark.ErrorCode(err) == waymark.EINVALID {
				continue // no longer filed with this case: nothing to say
			}
			if err != nil {
				return err
			}
			switch pending, linked := c.Links.With(id); {
			case linked:
				out[i] = pathway.LinkConfirmed
			case pending:
				out[i] = pathway.LinkPending
			}
		}
		return nil
	})
	return out, err
}

// RequestLink asks the team of the earlier record named by handle (one the
// viewer was shown for this case by EarlierRecords) to link it to the
// case, with the reason. A handle that is not one of this case's earlier
// records, forged or taken from another case, is not found.
func (s *Service) RequestLink(ctx context.Context, v Viewer, caseID, handle, reason string) error {
	if err := v.require(ScopeWrite); err != nil {
		return err
	}
	err := s.updateCase(ctx, func(tx *store.Tx, writing *bool) error {
		c, _, m, err := s.load(tx, v, caseID)
		if err != nil {
			return err
		}
		// Who may ask is decided before the handle is looked at: someone
		// who may not learns nothing of whether it names a record.
		if err := pathway.MayRequestLink(c, v.actorOn(s.Catalog, m)); err != nil {
			return err
		}
		earlierID, err := s.resolveEarlierRecord(tx, v, caseID, handle)
		if err != nil {
			return err
		}
		earlier, _, err := tx.LoadCase(earlierID)
		if err != nil {
			return err
		}
		cmd := pathway.RequestLink{LinkID: "link-" + access.NewID(), Reason: reason,
			EarlierOrgName: s.orgName(tx, earlier.ChildrensServicesOrg), NewOrgName: s.orgName(tx, c.ChildrensServicesOrg)}
		onNew, onEarlier, err := pathway.DecideLinkRequest(c, earlier, v.actorOn(s.Catalog, m), cmd, s.now())
		if err != nil {
			return err
		}
		*writing = true
		if err := s.commitBoth(tx, v, c, onNew, actionLinkRequested, earlier, onEarlier, actionLinkReceived); err != nil {
			return err
		}
		return listLinkRequest(tx, c, earlier, cmd.LinkID, s.now()) // handovers.go: for the earlier case's partnership lead
	})
	if err == errDenied {
		return s.denied(ctx, v, caseID, "request link")
	}
	return err
}

// ConfirmLink is the earlier case's team confirming request linkID: the
// two cases are about the same child. Each team becomes a member of the
// other's case from now on (pathway.CaseLinkState.members).
func (s *Service) ConfirmLink(ctx context.Context, v Viewer, caseID, linkID string) error {
	return s.answerLink(ctx, v, caseID, linkID, "confirm link", func(newCase, earlier pathway.Case, a pathway.Actor) ([]pathway.Event, []pathway.Event, error) {
		return pathway.DecideConfirmLink(newCase, earlier, a, linkID, s.now())
	}, actionLinkConfirmed)
}

// DeclineLink is the earlier case's team declining request linkID, with
// the reason, which stays on their case (§6.5).
func (s *Service) DeclineLink(ctx context.Context, v Viewer, caseID, linkID, reason string) error {
	return s.answerLink(ctx, v, caseID, linkID, "decline link", func(newCase, earlier pathway.Case, a pathway.Actor) ([]pathway.Event, []pathway.Event, error) {
		return pathway.DecideDeclineLink(newCase, earlier, a, linkID, reason, s.now())
	}, actionLinkDeclined)
}

func (s *Service) answerLink(ctx context.Context, v Viewer, caseID, linkID, what string,
	decide func(newCase, earlier pathway.Case, a pathway.Actor) ([]pathway.Event, []pathway.Event, error), action string) error {
	return s.changeBothCases(ctx, v, caseID, what, linkID, pathway.MayAnswerLinkRequest,
		func(tx *store.Tx, earlier pathway.Case) (pathway.Case, error) {
			return s.otherCase(tx, earlier.Links.Requests, linkID)
		},
		func(earlier, newCase pathway.Case, a pathway.Actor) ([]pathway.Event, []pathway.Event, error) {
			onNew, onEarlier, err := decide(newCase, earlier, a)
			return onEarlier, onNew, err
		}, action)
}

// Unlink undoes link linkID from either side, with the reason both cases
// keep. The other team's membership ends; the history stays (§7.5).
func (s *Service) Unlink(ctx context.Context, v Viewer, caseID, linkID, reason string) error {
	return s.changeBothCases(ctx, v, caseID, "unlink", "", pathway.MayUnlink,
		func(tx *store.Tx, c pathway.Case) (pathway.Case, error) {
			l, ok := c.Links.Link(linkID)
			if !ok {
				return pathway.Case{}, waymark.Errorf(waymark.ENOTFOUND, "There is no such link on this case.")
			}
			other, _, err := tx.LoadCase(l.OtherCaseID)
			return other, err
		},
		func(c, other pathway.Case, a pathway.Actor) ([]pathway.Event, []pathway.Event, error) {
			return pathway.DecideUnlink(c, other, a, linkID, reason, s.now())
		}, actionLinkRemoved)
}

// changeBothCases is the one sequence of answering a link request and of
// undoing a link: the viewer's case is loaded for them, the pathway rule
// may says whether they may, other finds the case on the link's other
// side, decide gives each case's events, and both are written in one
// transaction, each audited as action. A viewer who may not see the case
// is refused as for any case (what names the refusal).
//
// answering, when not empty, is the link request being answered: the lead of
// the case's partnership may then answer it without being on the case
// (handovers.go), and the request leaves their list once answered.
func (s *Service) changeBothCases(ctx context.Context, v Viewer, caseID, what, answering string,
	may func(pathway.Case, pathway.Actor) error,
	other func(tx *store.Tx, c pathway.Case) (pathway.Case, error),
	decide func(c, other pathway.Case, a pathway.Actor) (onThis, onOther []pathway.Event, err error), action string) error {
	if err := v.require(ScopeWrite); err != nil {
		return err
	}
	err := s.updateCase(ctx, func(tx *store.Tx, writing *bool) error {
		c, _, m, err := s.load(tx, v, caseID)
		asLead := false
		if err == errDenied && answering != "" { // the lead of the case's partnership, not on it (handovers.go)
			c, asLead, err = s.loadForLinkAnswer(tx, v, caseID, answering)
		}
		if err != nil {
			return err
		}
		a := v.actorOn(s.Catalog, m)
		a.LeadsCasePartnership = asLead
		if err := may(c, a); err != nil {
			return err
		}
		o, err := other(tx, c)
		if err != nil {
			return err
		}
		onThis, onOther, err := decide(c, o, a)
		if err != nil {
			return err
		}
		*writing = true
		if err := s.commitBoth(tx, v, c, onThis, action, o, onOther, action); err != nil {
			return err
		}
		if answering == "" {
			return nil
		}
		return tx.SaveHandOver(store.HandOverRow{ID: answering, Status: "answered"}) // handovers.go
	})
	if err == errDenied {
		return s.denied(ctx, v, caseID, what)
	}
	return err
}

// otherCase loads the case on the other side of request id.
func (s *Service) otherCase(tx *store.Tx, requests []pathway.LinkRequest, id string) (pathway.Case, error) {
	for _, r := range requests {
		if r.ID == id {
			c, _, err := tx.LoadCase(r.OtherCaseID)
			return c, err
		}
	}
	return pathway.Case{}, waymark.Errorf(waymark.ENOTFOUND, "There is no such request on this case.")
}

// commitBoth writes each case's events, read models and audit entry, in
// the one transaction: a link is on both cases or on neither.
func (s *Service) commitBoth(tx *store.Tx, v Viewer, a pathway.Case, onA []pathway.Event, actionA string, b pathway.Case, onB []pathway.Event, actionB string) error {
	if err := s.commit(tx, v, a, onA, actionA); err != nil {
		return err
	}
	return s.commit(tx, v, b, onB, actionB)
}

// orgName is an organisation's name as the directory holds it; a team
// that cannot be found is named generically rather than refused.
func (s *Service) orgName(tx *store.Tx, id string) string {
	o, err := tx.OrganisationByID(id)
	if err != nil || o.Name == "" {
		return "Children's Services"
	}
	return o.Name
}

// SeesCaseLinks says whether the viewer of a case may see its links and
// possible earlier records (pathway.MaySeeCaseLinks), so that a page
// offers them only to those who may.
func (s *Service) SeesCaseLinks(view CaseView, v Viewer) error {
	return pathway.MaySeeCaseLinks(view.Case, v.actorOn(s.Catalog, view.Membership))
}
