package casework

import (
	"context"
	"fmt"
	"strings"

	"waymark"
	"waymark/internal/catalog"
	"waymark/internal/store"
)

// ActionOrgFirstResponder is the audit action of mapping an organisation to
// a First Responder designation.
const ActionOrgFirstResponder = "organisation.first_responder_designation"

// IsFirstResponder: an organisation is a First Responder only while it is
// mapped to a designation the catalogue in use lists (§8.2, annex). This is
// the one place that decides it; an id the catalogue no longer lists means
// not a First Responder.
func IsFirstResponder(cat *catalog.Catalog, o store.Organisation) bool {
	if cat == nil || o.FirstResponderDesignation == "" {
		return false
	}
	_, listed := cat.FirstResponder(o.FirstResponderDesignation)
	return listed
}

// withFirstResponder fills in whether the organisation is a First
// Responder, from its designation and the catalogue.
func (s *Service) withFirstResponder(o store.Organisation) store.Organisation {
	o.FirstResponder = IsFirstResponder(s.Catalog, o)
	return o
}

// withFirstResponderOrg fills in whether the viewer's organisation is a
// First Responder.
func (s *Service) withFirstResponderOrg(v Viewer) Viewer {
	v.User.Org = s.withFirstResponder(v.User.Org)
	return v
}

// FirstResponderStatus is how an organisation's designation reads to an
// administrator.
type FirstResponderStatus struct {
	Designation string // the id the organisation is mapped to, "" for none
	Name        string // the catalogue's name for it, "" when unlisted or none
	Unlisted    bool   // mapped to an id the catalogue does not list: not a First Responder
}

// FirstResponderStatusOf describes o's designation against the catalogue.
func (s *Service) FirstResponderStatusOf(o store.Organisation) FirstResponderStatus {
	st := FirstResponderStatus{Designation: o.FirstResponderDesignation}
	if st.Designation == "" {
		return st
	}
	if r, ok := s.Catalog.FirstResponder(st.Designation); ok {
		st.Name = r.Name
	} else {
		st.Unlisted = true
	}
	return st
}

// checkDesignation accepts "" (not a First Responder) or an id the
// catalogue lists.
func (s *Service) checkDesignation(designation string) (string, error) {
	designation = strings.TrimSpace(designation)
	if designation == "" {
		return "", nil
	}
	if _, ok := s.Catalog.FirstResponder(designation); !ok {
		return "", waymark.Invalid([]waymark.FieldError{{Field: "designation", Message: "Choose a First Responder designation from the list, or \"Not a First Responder\""}})
	}
	return designation, nil
}

// SetFirstResponderDesignation maps an organisation to one of the
// catalogue's First Responder designations, or to none: administrators
// only, after confirming it is them (it decides who may submit NRM
// referrals, §8.2). Audited with the old and new designation.
func (s *Service) SetFirstResponderDesignation(ctx context.Context, v Viewer, sessionToken, orgID, designation string) error {
	if !v.ManagesStaff() {
		return ErrStaffAdmin
	}
	designation, err := s.checkDesignation(designation)
	if err != nil {
		return err
	}
	if err := s.staffAdmin(ctx, v, sessionToken); err != nil {
		return err
	}
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		o, err := tx.OrganisationByID(orgID)
		if err != nil {
			return err
		}
		if o.FirstResponderDesignation == designation {
			return nil
		}
		if err := tx.SetFirstResponderDesignation(o.ID, designation); err != nil {
			return err
		}
		e := s.auditEntry(v, "", ActionOrgFirstResponder, fmt.Sprintf("for %s: %q to %q", o.ID, o.FirstResponderDesignation, designation))
		e.OrgID = o.ID
		return tx.AppendAudit(e)
	})
}
