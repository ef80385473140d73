package casework

import (
	"context"
	"strings"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// The queues of the role homes that the other lists do not give. Each reads
// read models only, never a case's history, and every list of cases is
// audited with the ids it showed, as the other lists are.

// homeQueueSize is how many cases a home's queue shows; the lists behind
// them page through the rest.
const homeQueueSize = 10

// SeesTeamCaseload: a Children's Services manager oversees the team's
// caseload and supervision (§6.7).
func (v Viewer) SeesTeamCaseload() bool {
	return v.User.Role == pathway.RoleManager && v.User.Org.ChildrensServices && v.Client == nil
}

// LeadsFirstResponse: the First Responder's home lists the referrals their
// organisation must submit and the decisions it waits for (§8.5, §8.7–8.9).
func (v Viewer) LeadsFirstResponse() bool {
	return v.User.Role == pathway.RoleFirstResponder && v.Client == nil
}

// TeamCaseload is how many open cases each social worker and manager of the
// viewer's team is assigned to: staff names and numbers, no case, so it is
// not audited (as OverdueCount is not).
func (s *Service) TeamCaseload(ctx context.Context, v Viewer) ([]store.WorkerLoad, error) {
	if !v.SeesTeamCaseload() {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "The team's caseload is for its managers.")
	}
	var out []store.WorkerLoad
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.TeamCaseload(v.User.OrgID)
		return err
	})
	return out, err
}

// UnallocatedCases lists the open cases of the viewer's team that no worker
// is assigned to, the longest waiting first (§6.7).
func (s *Service) UnallocatedCases(ctx context.Context, v Viewer) ([]store.CaseSummary, error) {
	if !v.SeesTeamCaseload() {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "The list of unallocated cases is for the team's managers.")
	}
	out, _, err := s.list(ctx, v, audit.ActionCaseListed, "unallocated", func(tx *store.Tx) ([]store.CaseSummary, store.Page, error) {
		cs, err := tx.UnallocatedCases(v.User.ID, v.User.OrgID, homeQueueSize)
		return cs, store.Page{}, err
	})
	return out, err
}

// FirstResponderQueues are the First Responder's home: the referrals a
// meeting agreed their organisation submits (§8.5), the referrals waiting
// for a Home Office decision (§8.7), and the negative decisions that may
// be reconsidered (§8.9).
type FirstResponderQueues struct {
	AwaitingSubmission, AwaitingDecision, Reconsideration []store.CaseSummary
}

// FirstResponderHome reads the First Responder's queues, each the cases
// their organisation leads at that point of the pathway, in one audited
// read.
func (s *Service) FirstResponderHome(ctx context.Context, v Viewer) (FirstResponderQueues, error) {
	var q FirstResponderQueues
	if !v.LeadsFirstResponse() {
		return q, waymark.Errorf(waymark.EFORBIDDEN, "These lists are for First Responders.")
	}
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		var shown []string
		for _, part := range []struct {
			list     *[]store.CaseSummary
			progress []string
		}{
			{&q.AwaitingSubmission, pathway.AwaitingNRMSubmission()},
			{&q.AwaitingDecision, pathway.AwaitingNRMDecision()},
			{&q.Reconsideration, pathway.NRMDecisionsToReconsider()},
		} {
			cs, err := tx.CasesAtProgress(v.User.ID, v.User.OrgID, pathway.MemberFirstResponder, part.progress, homeQueueSize)
			if err != nil {
				return audit.Entry{}, err
			}
			if part.list == &q.AwaitingSubmission {
				// §8.5: a later meeting may have agreed not to submit, or
				// named another lead: the pathway says whose referral it is.
				if cs, err = s.expectedToSubmit(tx, v, cs); err != nil {
					return audit.Entry{}, err
				}
			}
			*part.list = cs
			for _, c := range cs {
				shown = append(shown, c.ID)
			}
		}
		return s.auditEntry(v, "", audit.ActionCaseListed, "first responder home: "+strings.Join(shown, ",")), nil
	})
	return q, err
}

// expectedToSubmit keeps the cases whose NRM referral the pathway expects
// the viewer to submit now (pathway.Expects), reading each from its history.
func (s *Service) expectedToSubmit(tx *store.Tx, v Viewer, cs []store.CaseSummary) ([]store.CaseSummary, error) {
	out := cs[:0]
	for _, sum := range cs {
		m, err := tx.Membership(sum.ID, v.User.ID, v.User.OrgID)
		if err != nil {
			return nil, err
		}
		c, _, err := tx.LoadCase(sum.ID)
		if err != nil {
			return nil, err
		}
		if s.Pathway.Expects(c, v.actorOn(s.Catalog, m), pathway.SubmitNRMReferral{}, s.now()) {
			out = append(out, sum)
		}
	}
	return out, nil
}

// OverdueAcrossThePartnership counts, for the partnership lead, the running
// deadlines that have passed by the organisation of their partnership that
// owns them: numbers, not case data, so the lead needs to be on no case to
// see them.
func (s *Service) OverdueAcrossThePartnership(ctx context.Context, v Viewer) ([]store.OrganisationOverdue, error) {
	if v.User.Role != pathway.RolePartnershipLead || v.Client != nil {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "The partnership's overdue deadlines are for the partnership lead.")
	}
	var out []store.OrganisationOverdue
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		// Only the lead's own partnership (§4.3): another's organisations,
		// and whether they have deadlines at all, are not theirs to know.
		partnership, err := tx.OrganisationPartnership(v.User.OrgID)
		if err != nil {
			return err
		}
		out, err = tx.OverdueByOrganisation(partnership, s.now())
		return err
	})
	return out, err
}

// AssignablePeople are the people of a case's Children's Services team that
// the team may assign to it (§6.7): the choices of "Assign a worker". Only
// the team is told (the case view says whether the viewer is on it).
func (s *Service) AssignablePeople(ctx context.Context, view CaseView) ([]store.Assignable, error) {
	if !view.Membership.Team() || view.Case.ChildrensServicesOrg == "" {
		return nil, nil
	}
	var out []store.Assignable
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.AssignablePeople(view.Case.ChildrensServicesOrg)
		return err
	})
	return out, err
}

// RecentSupervision lists the team's cases by the supervision last recorded
// on them, the newest first (§6.8), for the manager's home.
func (s *Service) RecentSupervision(ctx context.Context, v Viewer) ([]store.Supervised, error) {
	if !v.SeesTeamCaseload() {
		return nil, waymark.Errorf(waymark.EFORBIDDEN, "Supervision notes are for the team's managers.")
	}
	var out []store.Supervised
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		var err error
		if out, err = tx.RecentSupervision(v.User.ID, v.User.OrgID, homeQueueSize); err != nil {
			return audit.Entry{}, err
		}
		ids := make([]string, len(out))
		for i, s := range out {
			ids[i] = s.Case.ID
		}
		return s.auditEntry(v, "", audit.ActionCaseListed, "supervision: "+strings.Join(ids, ",")), nil
	})
	return out, err
}
