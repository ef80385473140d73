package casework

import (
	"context"
	"fmt"
	"strings"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/nrm"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// The local decision panel (Devolved Decision Making pilot, pathway/panel.go).
// Who sits on it is kept by administrators and the partnership lead. Its
// members decide the referrals routed to it without joining the case: they
// see the evidence pack (pathway.EvidencePack) and nothing else of it, and
// every read is audited. To anyone not on the panel a panel case answers as
// a case that does not exist.

// Audit actions of the panel.
const (
	ActionPanelSeat         = "panel.member_seated"
	ActionPanelCasesListed  = "panel.cases_listed"
	ActionPanelEvidenceRead = "panel.evidence_pack_read"
	ActionPanelLetter       = "panel.letter_issued"
)

// ErrNotOnPanel refuses the panel's pages to anyone not sitting on it.
var ErrNotOnPanel = waymark.Errorf(waymark.EFORBIDDEN, "Only members of the local decision panel see its referrals. Ask your partnership lead if you should be on the panel.")

// resolveDecisionRouting gives a submission the dated settings of the
// case's partnership, from which the pathway routes its decisions.
func resolveDecisionRouting(tx *store.Tx, c pathway.Case, cmd pathway.Command) (pathway.Command, error) {
	sub, ok := cmd.(pathway.SubmitNRMReferral)
	if !ok {
		return cmd, nil
	}
	settings, err := caseSettings(tx, c)
	if err != nil {
		return nil, err
	}
	sub.Settings = settings
	return sub, nil
}

// indexPanelCase notes a referral newly routed to the panel, so that its
// members can list it.
func indexPanelCase(tx *store.Tx, before, after pathway.Case) error {
	if before.NRM.DecisionRouting().ByPanel() || !after.NRM.DecisionRouting().ByPanel() {
		return nil
	}
	return tx.IndexPanelCase(after.ID, after.NRM.Submission.SubmittedAt)
}

// partnershipPanel is the panel of a partnership: those seated whose
// organisation belongs to it. A deployment serving several partnerships
// has a panel for each; none sees another's members or referrals (§4.3).
func partnershipPanel(tx *store.Tx, partnership string) ([]store.PanelMember, error) {
	all, err := tx.PanelMembers()
	if err != nil || partnership == "" {
		return nil, err
	}
	var out []store.PanelMember
	for _, m := range all {
		p, err := tx.OrganisationPartnership(m.User.OrgID)
		if err != nil {
			return nil, err
		}
		if p == partnership {
			out = append(out, m)
		}
	}
	return out, nil
}

// PanelRoster is who sits on the viewer's partnership's panel now: for
// those who manage the settings.
func (s *Service) PanelRoster(ctx context.Context, v Viewer) ([]store.PanelMember, error) {
	if !v.ManagesSettings() {
		return nil, ErrSettingsManagers
	}
	var out []store.PanelMember
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		mine, err := viewerPartnership(tx, v)
		if err != nil {
			return err
		}
		out, err = partnershipPanel(tx, mine)
		return err
	})
	return out, err
}

// SeatPanelMember seats the member of staff with email in seat ("" takes
// them off the panel). Administrators see no case data, so none sits on the
// panel; nobody seats themselves. Audited.
func (s *Service) SeatPanelMember(ctx context.Context, v Viewer, email, seat string) error {
	if !v.ManagesSettings() {
		return ErrSettingsManagers
	}
	seat = strings.TrimSpace(seat)
	var probs waymark.Problems
	if seat != "" && pathway.PanelRoleLabel(seat) == seat {
		probs.Add("seat", "Select the seat on the panel")
	}
	email, _ = CleanEmail(email)
	if email == "" {
		probs.Add("email", "Enter the email address of the member of staff")
	}
	if err := probs.Err(); err != nil {
		return err
	}
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		// Only someone of the viewer's own partnership: anyone else is
		// answered as an address nobody has.
		mine, err := viewerPartnership(tx, v)
		if err != nil {
			return err
		}
		u, err := tx.UserByEmail(email)
		if err == nil && !u.Disabled {
			var theirs string
			if theirs, err = tx.OrganisationPartnership(u.OrgID); err == nil && (theirs != mine || mine == "") {
				err = waymark.Errorf(waymark.ENOTFOUND, "not of this partnership")
			}
		}
		if waymark.ErrorCode(err) == waymark.ENOTFOUND || (err == nil && u.Disabled) {
			return waymark.Invalid([]waymark.FieldError{{Field: "email", Message: "There is no active Waymark user with that email address. Check it, or add them on the staff page first"}})
		}
		if err != nil {
			return err
		}
		if err := pathway.MaySitOnPanel(u.Role); err != nil {
			return err
		}
		if err := pathway.MaySeat(v.User.ID, u.ID, seat); err != nil {
			return err
		}
		if err := tx.SeatPanelMember(u.ID, seat, v.User.ID, s.now()); err != nil {
			return err
		}
		what := "off the panel"
		if seat != "" {
			what = "in the " + seat + " seat"
		}
		return tx.AppendAudit(s.auditEntry(v, "", ActionPanelSeat, u.ID+" "+what))
	})
}

// panelSeat is the viewer's seat on their partnership's panel, and that
// panel.
func panelSeat(tx *store.Tx, v Viewer) (seat string, panel []store.PanelMember, err error) {
	if v.Client != nil || !v.seesCases() {
		return "", nil, nil
	}
	mine, err := viewerPartnership(tx, v)
	if err != nil {
		return "", nil, err
	}
	panel, err = partnershipPanel(tx, mine)
	for _, m := range panel {
		if m.User.ID == v.User.ID {
			seat = m.Seat
		}
	}
	return seat, panel, err
}

// SitsOnPanel reports whether the viewer sits on the panel now.
func (s *Service) SitsOnPanel(ctx context.Context, v Viewer) bool {
	var seat string
	_ = s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		seat, _, err = panelSeat(tx, v)
		return err
	})
	return seat != ""
}

// PanelCases are the referrals the panel decides, each as its evidence
// pack, for a panel member; audited with the cases listed.
func (s *Service) PanelCases(ctx context.Context, v Viewer) ([]pathway.PanelEvidence, error) {
	if err := v.require(ScopeRead); err != nil {
		return nil, err
	}
	var out []pathway.PanelEvidence
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		seat, _, err := panelSeat(tx, v)
		if err != nil {
			return audit.Entry{}, err
		}
		if seat == "" {
			return audit.Entry{}, ErrNotOnPanel
		}
		all, err := tx.PanelCaseIDs()
		if err != nil {
			return audit.Entry{}, err
		}
		mine, err := viewerPartnership(tx, v)
		if err != nil {
			return audit.Entry{}, err
		}
		var ids []string
		for _, id := range all {
			c, _, err := tx.LoadCase(id)
			if waymark.ErrorCode(err) == waymark.ENOTFOUND || store.IsErased(err) {
				continue
			}
			if err != nil {
				return audit.Entry{}, err
			}
			// Each partnership's panel decides its own referrals only.
			if p, err := tx.CasePartnership(c); err != nil {
				return audit.Entry{}, err
			} else if p != mine {
				continue
			}
			if e, ok := pathway.EvidencePack(s.Catalog, c); ok {
				out = append(out, e)
				ids = append(ids, id)
			}
		}
		return s.auditEntry(v, "", ActionPanelCasesListed, fmt.Sprintf("%d referrals: %s", len(ids), strings.Join(ids, ","))), nil
	})
	return out, err
}

// panelCase loads a referral the panel decides for a panel member; to
// anyone else, or for any other case, it is not found.
func (s *Service) panelCase(tx *store.Tx, v Viewer, caseID string) (pathway.Case, string, []store.PanelMember, error) {
	seat, panel, err := panelSeat(tx, v)
	if err != nil {
		return pathway.Case{}, "", nil, err
	}
	if seat == "" || caseID == "" || len(caseID) > 64 {
		return pathway.Case{}, "", nil, errDenied
	}
	c, _, err := tx.LoadCase(caseID)
	if waymark.ErrorCode(err) == waymark.ENOTFOUND || store.IsErased(err) { // an erasure, and why, is not the panel's to know
		return pathway.Case{}, "", nil, errDenied
	}
	if err != nil {
		return pathway.Case{}, "", nil, err
	}
	// Need to know comes from the case's own events, not the index, and
	// the case must be the panel's own partnership's.
	if !c.NRM.DecisionRouting().ByPanel() {
		return pathway.Case{}, "", nil, errDenied
	}
	mine, err := viewerPartnership(tx, v)
	if err != nil {
		return pathway.Case{}, "", nil, err
	}
	if p, err := tx.CasePartnership(c); err != nil {
		return pathway.Case{}, "", nil, err
	} else if p != mine {
		return pathway.Case{}, "", nil, errDenied
	}
	return c, seat, panel, nil
}

// PanelEvidence is one referral's evidence pack for a panel member, with
// the panel (to choose who was present); the read is audited. Anyone else
// gets "not found", audited as a refused look-up.
func (s *Service) PanelEvidence(ctx context.Context, v Viewer, caseID string) (pathway.PanelEvidence, []store.PanelMember, error) {
	if err := v.require(ScopeRead); err != nil {
		return pathway.PanelEvidence{}, nil, err
	}
	var e pathway.PanelEvidence
	var panel []store.PanelMember
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		c, _, members, err := s.panelCase(tx, v, caseID)
		if err != nil {
			return audit.Entry{}, err
		}
		e, _ = pathway.EvidencePack(s.Catalog, c)
		panel = members
		return s.auditEntry(v, caseID, ActionPanelEvidenceRead, "evidence pack at version "+fmt.Sprint(c.Version)), nil
	})
	if err == errDenied {
		return e, nil, s.denied(ctx, v, caseID, "panel evidence pack")
	}
	return e, panel, err
}

// PanelDecision is what a panel member records: the decision, or the
// answer to a reconsideration, with the user ids of the members present.
type PanelDecision struct {
	Reconsideration bool
	Grounds         string // for a decision
	Outcome         string
	DecidedOn       string
	Reasons         string
	Present         []string // user ids
}

// RecordPanelDecision records the panel's decision (or its answer to a
// reconsideration) on a referral routed to it. The chair records it, with
// who was present; the pathway checks the quorum, the reasons and the
// national clocks.
func (s *Service) RecordPanelDecision(ctx context.Context, v Viewer, caseID string, d PanelDecision) error {
	if err := v.require(ScopeWrite); err != nil {
		return err
	}
	err := s.updateCase(ctx, func(tx *store.Tx, writing *bool) error {
		c, seat, panel, err := s.panelCase(tx, v, caseID)
		if err != nil {
			return err
		}
		if err := pathway.RecordsPanelDecisions(seat); err != nil {
			return err
		}
		var present []pathway.PanelSeat
		for _, id := range d.Present {
			found := false
			for _, m := range panel {
				if m.User.ID == id {
					present = append(present, pathway.PanelSeat{Party: pathway.Party{UserID: m.User.ID, Name: m.User.Name, OrgID: m.User.OrgID, OrgName: m.User.Org.Name}, Role: m.Seat})
					found = true
				}
			}
			if !found {
				return waymark.Invalid([]waymark.FieldError{{Field: "present", Message: "Choose those present from the members of the panel"}})
			}
		}
		var cmd pathway.Command = pathway.RecordPanelDecision{Grounds: d.Grounds, Outcome: d.Outcome, DecidedOn: d.DecidedOn, Reasons: d.Reasons, Present: present}
		if d.Reconsideration {
			cmd = pathway.RecordPanelReconsideration{Outcome: d.Outcome, DecidedOn: d.DecidedOn, Reasons: d.Reasons, Present: present}
		}
		events, err := s.Pathway.Decide(c, v.Actor(s.Catalog), cmd, s.now())
		if err != nil {
			return err
		}
		*writing = true
		return s.commit(tx, v, c, events, "panel."+strings.ReplaceAll(pathway.CommandName(cmd), " ", "_"))
	})
	if err == errDenied {
		return s.denied(ctx, v, caseID, "panel decision")
	}
	return err
}

// Decision letter formats.
const (
	LetterPDF  = "pdf"
	LetterText = "txt"
)

// PanelLetter is the letter telling audience of the panel's decision seq,
// as PDF or text, for a panel member to send, or for a member of the case
// team. Audited.
func (s *Service) PanelLetter(ctx context.Context, v Viewer, caseID string, seq int, audience, format string) ([]byte, error) {
	if err := v.require(ScopeRead); err != nil {
		return nil, err
	}
	var out []byte
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		c, _, _, err := s.panelCase(tx, v, caseID)
		if err == errDenied { // the case team may have it too
			var m pathway.Membership
			if c, _, m, err = s.load(tx, v, caseID); err == nil && !m.Team() {
				err = errDenied
			}
		}
		if err != nil {
			return audit.Entry{}, err
		}
		e, ok := pathway.EvidencePack(s.Catalog, c)
		if !ok {
			return audit.Entry{}, errDenied
		}
		var d *pathway.GroundsDecision
		for i := range e.Decisions {
			if e.Decisions[i].Seq == seq && e.Decisions[i].Maker == pathway.MakerPanel {
				d = &e.Decisions[i]
			}
		}
		if d == nil {
			return audit.Entry{}, waymark.Errorf(waymark.ENOTFOUND, "The panel made no such decision on this referral.")
		}
		l, ok := pathway.DecisionLetter(e, *d, audience)
		if !ok {
			return audit.Entry{}, waymark.Errorf(waymark.ENOTFOUND, "Decision letters are written for the First Responder, the child and their guardian.")
		}
		switch format {
		case LetterPDF:
			out, err = nrm.LetterPDF(l.Title, caseID, d.RecordedAt.In(pathway.London), l.Paragraphs)
			if err != nil {
				return audit.Entry{}, err
			}
		default:
			out = []byte(l.Text())
		}
		return s.auditEntry(v, caseID, ActionPanelLetter, fmt.Sprintf("letter for %s of decision #%d (%s)", audience, seq, format)), nil
	})
	if err == errDenied {
		return nil, s.denied(ctx, v, caseID, "panel decision letter")
	}
	return out, err
}
