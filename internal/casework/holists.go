package casework

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"waymark"
	"waymark/internal/catalog"
	"waymark/internal/nrm"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// ActionOrgHOLists is the audit action of mapping an organisation, or the
// partnership, to its entries in the Home Office form's lists.
const ActionOrgHOLists = "organisation.ho_list_mapping"

// HOListMappingSubjectPartnership names the partnership itself, in place of
// an organisation id, in SetHOListMapping.
const HOListMappingSubjectPartnership = ""

// phonePattern is a UK or international phone number as people write it.
var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{5,24}[0-9]$`)

// checkHOListMapping accepts, for each list, "" (not mapped) or exactly an
// entry of the form's list: the only answers the form accepts (§8.7).
func (s *Service) checkHOListMapping(m store.HOListMapping) (store.HOListMapping, error) {
	lists := s.Catalog.HOLists
	var errs []waymark.FieldError
	check := func(field string, list catalog.HOList, v *string, what string) {
		*v = strings.TrimSpace(*v)
		if *v != "" && (lists == nil || !lists.Has(list, *v)) {
			errs = append(errs, waymark.FieldError{Field: field, Message: "Choose " + what + " from the Home Office form's list, or \"Not mapped yet\""})
		}
	}
	check("hoOrganisation", catalog.HOOrganisations, &m.Organisation, "the organisation")
	check("hoLocalAuthority", catalog.HOLocalAuthorities, &m.LocalAuthority, "the local authority")
	check("hoPoliceForce", catalog.HOPoliceForces, &m.PoliceForce, "the police force")
	// The local authority's phone and inbox go into the form as typed, so
	// they must pass its rules (§8.7).
	m.LocalAuthorityPhone = strings.Join(strings.Fields(m.LocalAuthorityPhone), " ")
	if p := m.LocalAuthorityPhone; p != "" && !phonePattern.MatchString(p) {
		errs = append(errs, waymark.FieldError{Field: "hoLAPhone", Message: "Enter a phone number, like 01632 960 001 or +44 1632 960 001"})
	}
	m.LocalAuthorityEmail = strings.TrimSpace(m.LocalAuthorityEmail)
	if e := m.LocalAuthorityEmail; e != "" && (len(e) > 254 || !nrm.ValidEmail(e)) {
		errs = append(errs, waymark.FieldError{Field: "hoLAEmail", Message: "Enter an email address in the right format, like childrens.services@council.example"})
	}
	if len(errs) > 0 {
		return m, waymark.Invalid(errs)
	}
	return m, nil
}

// HOListMappings returns every organisation's entries in the form's lists,
// by organisation id, and the partnership's own: administrators only.
func (s *Service) HOListMappings(ctx context.Context, v Viewer) (orgs map[string]store.HOListMapping, partnership store.HOListMapping, err error) {
	if !v.ManagesStaff() {
		return nil, store.HOListMapping{}, ErrStaffAdmin
	}
	err = s.DB.View(ctx, func(tx *store.Tx) error {
		if orgs, err = tx.OrganisationHOListMappings(); err != nil {
			return err
		}
		partnership, err = tx.PartnershipHOListMapping()
		return err
	})
	return orgs, partnership, err
}

// SetHOListMapping maps an organisation (orgID), or the partnership
// (HOListMappingSubjectPartnership), to its entries in the Home Office
// form's organisations, local authorities and police forces lists, so that
// the NRM draft proposes answers the form accepts (§8.7, §8.8). Only
// administrators, after confirming it is them; audited with the old and the
// new entries.
func (s *Service) SetHOListMapping(ctx context.Context, v Viewer, sessionToken, orgID string, m store.HOListMapping) error {
	if !v.ManagesStaff() {
		return ErrStaffAdmin
	}
	m, err := s.checkHOListMapping(m)
	if err != nil {
		return err
	}
	if err := s.staffAdmin(ctx, v, sessionToken); err != nil {
		return err
	}
	m.MappedBy, m.MappedAt = v.User.ID, s.now()
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		var old store.HOListMapping
		var err error
		what := "the partnership"
		if orgID == HOListMappingSubjectPartnership {
			old, err = tx.PartnershipHOListMapping()
		} else {
			what = orgID
			old, err = tx.OrganisationHOListMapping(orgID)
		}
		if err != nil {
			return err
		}
		if old.Organisation == m.Organisation && old.LocalAuthority == m.LocalAuthority && old.PoliceForce == m.PoliceForce &&
			old.LocalAuthorityPhone == m.LocalAuthorityPhone && old.LocalAuthorityEmail == m.LocalAuthorityEmail {
			return nil
		}
		if orgID == HOListMappingSubjectPartnership {
			err = tx.SetPartnershipHOListMapping(m)
		} else {
			err = tx.SetOrganisationHOListMapping(orgID, m)
		}
		if err != nil {
			return err
		}
		e := s.auditEntry(v, "", ActionOrgHOLists, fmt.Sprintf("for %s: organisation %q to %q, local authority %q to %q, police force %q to %q, local authority phone %q to %q, email %q to %q",
			what, old.Organisation, m.Organisation, old.LocalAuthority, m.LocalAuthority, old.PoliceForce, m.PoliceForce,
			old.LocalAuthorityPhone, m.LocalAuthorityPhone, old.LocalAuthorityEmail, m.LocalAuthorityEmail))
		if orgID != HOListMappingSubjectPartnership {
			e.OrgID = orgID
		}
		return tx.AppendAudit(e)
	})
}

// nrmListMappings fills the draft's context with the form's list entries of
// the organisations on the case (the referrer's, Children's Services', the
// workers', the member teams' and the drafter's) and of the partnership, as
// an administrator mapped them (§8.7).
func (s *Service) nrmListMappings(tx *store.Tx, v Viewer, c pathway.Case, nc *nrm.Context) error {
	all, err := tx.OrganisationHOListMappings()
	if err != nil {
		return err
	}
	onCase := []string{c.Referrer.OrgID, c.ChildrensServicesOrg, v.orgID()}
	if c.Contact != nil {
		onCase = append(onCase, c.Contact.By.OrgID)
	}
	for _, w := range c.Workers {
		onCase = append(onCase, w.OrgID)
	}
	for _, m := range pathway.Members(c) {
		if m.Kind == "org" {
			onCase = append(onCase, m.ID)
		}
	}
	for _, id := range onCase {
		if m, ok := all[id]; ok && id != "" {
			if nc.Organisations == nil {
				nc.Organisations = map[string]nrm.HOMapping{}
			}
			nc.Organisations[id] = nrmMapping(m)
		}
	}
	p, err := tx.PartnershipHOListMapping()
	nc.Partnership = nrmMapping(p)
	return err
}

func nrmMapping(m store.HOListMapping) nrm.HOMapping {
	return nrm.HOMapping{Organisation: m.Organisation, LocalAuthority: m.LocalAuthority, PoliceForce: m.PoliceForce,
		LocalAuthorityPhone: m.LocalAuthorityPhone, LocalAuthorityEmail: m.LocalAuthorityEmail}
}
