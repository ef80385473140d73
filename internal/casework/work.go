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

// MyWorkPage lists one page of the viewer's and their team's running
// deadlines, open risk windows first, then the most overdue. A cursor that
// is not one a page gave is EINVALID.
func (s *Service) MyWorkPage(ctx context.Context, v Viewer, at *store.Cursor) ([]store.WorkItem, store.Page, error) {
	if err := v.require(ScopeRead); err != nil {
		return nil, store.Page{}, err
	}
	if !v.seesCases() {
		return nil, store.Page{}, errAdministratorNoCases
	}
	var out []store.WorkItem
	var links store.Page
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		var err error
		if out, links, err = tx.WorkPage(v.User.ID, v.User.OrgID, v.isManager(), s.now(), at, PageSize); err != nil {
			return audit.Entry{}, err
		}
		ids := make([]string, 0, len(out))
		for _, w := range out {
			ids = append(ids, w.CaseID)
		}
		return s.auditEntry(v, "", audit.ActionCaseListed, "my work: "+strings.Join(ids, ",")), nil
	})
	return out, links, err
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
