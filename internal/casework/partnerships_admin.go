package casework

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// Partnerships as records, for administrators (issue 14, "Across areas";
// pathway/partnerships.go). An administrator adds a partnership and sets
// which partnership an organisation belongs to; both are audited and need
// the administrator to have confirmed it is them recently, as every change
// to who works where does (staffAdmin).

// Audit actions of partnership administration.
const (
	ActionPartnershipCreated = "partnership.created"
	ActionOrgPartnership     = "organisation.partnership"
)

// PartnershipDirectory is the partnerships and, by organisation id, the
// partnership each organisation belongs to.
type PartnershipDirectory struct {
	Partnerships []store.Partnership
	OfOrg        map[string]string
}

// Name is the name of partnership id.
func (d PartnershipDirectory) Name(id string) string {
	for _, p := range d.Partnerships {
		if p.ID == id {
			return p.Name
		}
	}
	return id
}

// Partnerships lists the partnerships and where each organisation belongs.
func (s *Service) Partnerships(ctx context.Context, v Viewer) (PartnershipDirectory, error) {
	if !v.ManagesStaff() {
		return PartnershipDirectory{}, ErrStaffAdmin
	}
	d := PartnershipDirectory{OfOrg: map[string]string{}}
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		if d.Partnerships, err = tx.Partnerships(); err != nil {
			return err
		}
		for _, p := range d.Partnerships {
			orgs, err := tx.PartnershipOrganisations(p.ID)
			if err != nil {
				return err
			}
			for _, o := range orgs {
				d.OfOrg[o.ID] = p.ID
			}
		}
		return nil
	})
	return d, err
}

// partnershipSlug is a name as lower-case letters, digits and hyphens.
func partnershipSlug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// CreatePartnership adds a partnership named name; its id is its slug.
func (s *Service) CreatePartnership(ctx context.Context, v Viewer, sessionToken, name string) (string, error) {
	if !v.ManagesStaff() {
		return "", ErrStaffAdmin
	}
	name = strings.TrimSpace(name)
	slug := partnershipSlug(name)
	var probs waymark.Problems
	switch {
	case name == "":
		probs.Add("name", "Enter the partnership's name")
	case utf8.RuneCountInString(name) > 120:
		probs.Add("name", "The name must be 120 characters or fewer")
	case pathway.TextProblem(name, false) != "":
		probs.Add("name", "The name %s", pathway.TextProblem(name, false))
	case slug == "":
		probs.Add("name", "Enter a name with at least one letter or digit")
	}
	if err := probs.Err(); err != nil {
		return "", err
	}
	if err := s.staffAdmin(ctx, v, sessionToken); err != nil {
		return "", err
	}
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		if err := tx.InsertPartnership(store.Partnership{ID: slug, Name: name, Slug: slug, CreatedAt: s.now()}); err != nil {
			return err
		}
		return tx.AppendAudit(s.auditEntry(v, "", ActionPartnershipCreated, fmt.Sprintf("%s %q", slug, name)))
	})
	return slug, err
}

// SetOrganisationPartnership moves an organisation to partnership pid. Its
// cases follow it (pathway.CasePartnership); to move one case, its
// partnership's lead transfers it (handovers.go).
func (s *Service) SetOrganisationPartnership(ctx context.Context, v Viewer, sessionToken, orgID, pid string) error {
	if !v.ManagesStaff() {
		return ErrStaffAdmin
	}
	if strings.TrimSpace(pid) == "" {
		var probs waymark.Problems
		probs.Add("partnership", "Choose the partnership the organisation belongs to")
		return probs.Err()
	}
	if err := s.staffAdmin(ctx, v, sessionToken); err != nil {
		return err
	}
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		before, err := tx.OrganisationPartnership(orgID)
		if err != nil {
			return err
		}
		if _, err := tx.PartnershipByID(pid); waymark.ErrorCode(err) == waymark.ENOTFOUND {
			var probs waymark.Problems
			probs.Add("partnership", "Choose a partnership from the list")
			return probs.Err()
		}
		if err := tx.SetOrganisationPartnership(orgID, pid); err != nil {
			return err
		}
		e := s.auditEntry(v, "", ActionOrgPartnership, fmt.Sprintf("for %s: %q to %q", orgID, before, pid))
		e.OrgID = orgID
		return tx.AppendAudit(e)
	})
}

// PlaceOrganisation puts an organisation in partnership pid, adding the
// partnership (named name, or its id) if there is none: `waymark org add
// --partnership`, run by whoever runs the deployment. Audited as "system".
func (s *Service) PlaceOrganisation(ctx context.Context, orgID, pid, name string) error {
	pid = strings.TrimSpace(pid)
	if pid != partnershipSlug(pid) || pid == "" {
		return waymark.Errorf(waymark.EINVALID, "--partnership: use lower-case letters, digits and hyphens, such as southshire")
	}
	if name = strings.TrimSpace(name); name == "" {
		name = pid
	}
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.PartnershipByID(pid); waymark.ErrorCode(err) == waymark.ENOTFOUND {
			if err := tx.InsertPartnership(store.Partnership{ID: pid, Name: name, Slug: pid, CreatedAt: s.now()}); err != nil {
				return err
			}
			if err := tx.AppendAudit(audit.Entry{At: s.now(), ActorID: "system", Action: ActionPartnershipCreated, Detail: fmt.Sprintf("%s %q", pid, name)}); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		if err := tx.SetOrganisationPartnership(orgID, pid); err != nil {
			return err
		}
		return tx.AppendAudit(audit.Entry{At: s.now(), ActorID: "system", OrgID: orgID, Action: ActionOrgPartnership, Detail: fmt.Sprintf("for %s: to %q", orgID, pid)})
	})
}
