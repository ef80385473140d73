package casework

import (
	"context"
	"strings"

	"waymark/internal/audit"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// isManager: a manager sees their whole team's deadlines, so an overdue one
// reaches them as well as its owner.
func (v Viewer) isManager() bool { return v.User.Role == pathway.RoleManager }

// MyWork lists the viewer's and their team's running deadlines, overdue first.
func (s *Service) MyWork(ctx context.Context, v Viewer) ([]store.WorkItem, error) {
	if err := v.require(ScopeRead); err != nil {
		return nil, err
	}
	if !v.seesCases() {
		return nil, errAdministratorNoCases
	}
	var out []store.WorkItem
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		var err error
		if out, err = tx.WorkFor(v.User.ID, v.User.OrgID, v.isManager(), 500); err != nil {
			return audit.Entry{}, err
		}
		ids := make([]string, 0, len(out))
		for _, w := range out {
			ids = append(ids, w.CaseID)
		}
		return s.auditEntry(v, "", audit.ActionCaseListed, "my work: "+strings.Join(ids, ",")), nil
	})
	return out, err
}

// OverdueCount is how many of the viewer's deadlines have passed: a number,
// not case data, so it is shown on every page without an audit entry.
func (s *Service) OverdueCount(ctx context.Context, v Viewer) (int, error) {
	if !v.seesCases() {
		return 0, nil
	}
	var n int
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.OverdueCount(v.User.ID, v.User.OrgID, v.isManager(), s.now())
		return err
	})
	return n, err
}
