package casework

import (
	"context"
	"fmt"
	"strings"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// The same exploiters across cases (§6.8, §8.8): the team records a case's
// entities through Act (pathway/entities.go: RecordEntity, RemoveEntity,
// RecordEntityDisruption) and sees them with the case (Case); where they
// recur in other cases is for the meeting chair and the partnership lead
// working the case (EntityRecurrence), and the network of recurring
// entities for the partnership lead (Network). Both tell counts, references
// and whose team to ask, never the other cases' contents, and every look is
// audited with the references it disclosed.

// Audit actions of entity recurrence and the network view.
const (
	ActionEntityRecurrenceViewed = "entities.recurrence_viewed"
	ActionEntityRecurrenceDenied = "entities.recurrence_denied"
	// ActionEntityRecurrenceDisclosed is on each case a look at recurrence
	// named to the chair or lead of another case.
	ActionEntityRecurrenceDisclosed = "entities.recurrence_disclosed"
	ActionEntityNetworkViewed       = "entities.network_viewed"
	ActionEntityNetworkDenied       = "entities.network_denied"
)

// RecurrenceLimit is how many of the other cases an entity is in are named;
// the count is always whole.
const RecurrenceLimit = 20

// EntityRecurrence is where one of a case's entities recurs.
type EntityRecurrence struct {
	EntityID string
	Others   int                // how many other cases have it
	Cases    []store.EntityCase // the first RecurrenceLimit of them: references and teams only
}

// EntityRecurrence says, for each entity of the case that other cases
// share, how many and which (references and teams to ask), by entity id.
// Only the meeting chair and the partnership lead working the case may ask
// (pathway.MaySeeRecurrence); a non-member gets "not found". The look is
// audited with every reference it disclosed; a refused one too.
func (s *Service) EntityRecurrence(ctx context.Context, v Viewer, caseID string) (map[string]EntityRecurrence, error) {
	if err := v.require(ScopeRead); err != nil {
		return nil, err
	}
	out := map[string]EntityRecurrence{}
	var refused error
	var entries []audit.Entry
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		c, _, m, err := s.load(tx, v, caseID)
		if err != nil {
			return err
		}
		if err := pathway.MaySeeRecurrence(c, v.actorOn(s.Catalog, m)); err != nil {
			refused = err
			entries = []audit.Entry{s.auditEntry(v, caseID, ActionEntityRecurrenceDenied, "not the meeting chair or the partnership lead")}
			return nil
		}
		// Only the cases of the viewer's own partnership: another
		// partnership's are not told, nor how many there are, even when
		// this case is shared with it, for a share opens one case, not the
		// rest of that partnership's (§4.3, §7.1).
		mine, err := viewerPartnership(tx, v)
		if err != nil {
			return err
		}
		rec, err := tx.EntityRecurrence(caseID, []string{mine}, RecurrenceLimit)
		if err != nil {
			return err
		}
		var told []string
		// Each case named is told too, on its own audit trail: a chair who
		// records a number to find where it is held leaves a trace on every
		// case that number disclosed, not only on their own (§6.5).
		disclosed := map[string]bool{}
		var others []audit.Entry
		for _, e := range c.Entities() {
			h, err := tx.EntityKeyHash(e.Kind, e.Key())
			if err != nil {
				return err
			}
			r, ok := rec[h]
			if !ok || r.Kind != e.Kind {
				continue
			}
			out[e.ID] = EntityRecurrence{EntityID: e.ID, Others: r.Others, Cases: r.Cases}
			var refs []string
			for _, oc := range r.Cases {
				refs = append(refs, caseLabel(oc))
				if !disclosed[oc.CaseID] {
					disclosed[oc.CaseID] = true
					others = append(others, s.auditEntry(v, oc.CaseID, ActionEntityRecurrenceDisclosed,
						"named as sharing a "+pathway.EntityKindLabel(e.Kind)+" with case "+c.Reference()+" ("+c.ID+")"))
				}
			}
			told = append(told, fmt.Sprintf("%s in %d other cases (%s)", e.ID, r.Others, strings.Join(refs, " ")))
		}
		detail := "no entity recurs"
		if len(told) > 0 {
			detail = strings.Join(told, "; ")
		}
		entries = append([]audit.Entry{s.auditEntry(v, caseID, ActionEntityRecurrenceViewed, detail)}, others...)
		return nil
	})
	if err == errDenied {
		return nil, s.denied(ctx, v, caseID, "entity recurrence")
	}
	if err != nil {
		return nil, err
	}
	// Shown only once every entry is durable.
	if err := s.recordAudits(ctx, entries); err != nil {
		return nil, err
	}
	if refused != nil {
		return nil, refused
	}
	return out, nil
}

// caseLabel names a case in an audit entry: its reference, or its id until
// it has one.
func caseLabel(c store.EntityCase) string {
	if c.Reference != "" {
		return c.Reference
	}
	return c.CaseID
}

// NetworkPageSize is how many recurring entities a page of the network shows.
const NetworkPageSize = 25

// NetworkCasesPerEntity is how many of an entity's cases the network names.
const NetworkCasesPerEntity = 20

// Network is a page of the partnership's recurring entities (in two or more
// cases), most cases first, each with its cases' references and teams: the
// partnership lead's network view (pathway.MaySeeNetwork). An entity is
// shown by kind and fingerprint, never by value. Audited with every
// reference it disclosed; a refused look too.
func (s *Service) Network(ctx context.Context, v Viewer, at *store.Cursor) ([]store.RecurringEntity, store.Page, error) {
	if err := v.require(ScopeRead); err != nil {
		return nil, store.Page{}, err
	}
	if err := pathway.MaySeeNetwork(v.Actor(s.Catalog)); err != nil || !v.seesCases() {
		if aerr := s.DB.RecordAudit(ctx, s.auditEntry(v, "", ActionEntityNetworkDenied, "not the partnership lead")); aerr != nil {
			return nil, store.Page{}, aerr
		}
		if err == nil {
			err = waymark.Errorf(waymark.EFORBIDDEN, "Only the partnership lead sees the network of entities across cases (§6.8).")
		}
		return nil, store.Page{}, err
	}
	var out []store.RecurringEntity
	var page store.Page
	err := s.DB.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		// The lead's own partnership's entities, counted, ordered and paged
		// among its own cases only (issue 14, "Across areas"; migration
		// 0042): another partnership's cases are not even counted.
		mine, err := viewerPartnership(tx, v)
		if err != nil {
			return audit.Entry{}, err
		}
		if out, page, err = tx.RecurringEntitiesPage(mine, at, NetworkPageSize, NetworkCasesPerEntity); err != nil {
			return audit.Entry{}, err
		}
		var told []string
		for _, r := range out {
			var refs []string
			for _, c := range r.Cases {
				refs = append(refs, caseLabel(c))
			}
			told = append(told, fmt.Sprintf("%s %s in %d cases (%s)", r.Kind, r.Fingerprint(), r.Count, strings.Join(refs, " ")))
		}
		return s.auditEntry(v, "", ActionEntityNetworkViewed, fmt.Sprintf("%d recurring entities: %s", len(out), strings.Join(told, "; "))), nil
	})
	return out, page, err
}

// SeesRecurrence says whether the viewer of a case may see where its
// entities recur (pathway.MaySeeRecurrence), so a page offers it only to them.
func (s *Service) SeesRecurrence(view CaseView, v Viewer) error {
	return pathway.MaySeeRecurrence(view.Case, v.actorOn(s.Catalog, view.Membership))
}

// SeesEntities says whether the viewer of a case may see its entities: the
// team (pathway.MaySeeEntities).
func (s *Service) SeesEntities(view CaseView, v Viewer) error {
	return pathway.MaySeeEntities(v.actorOn(s.Catalog, view.Membership))
}
