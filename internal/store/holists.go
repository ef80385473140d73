package store

import (
	"fmt"
	"time"
)

// HOListMapping is an organisation's, or the partnership's, entries in the
// Home Office NRM form's closed lists (catalog.HOLists), set once by an
// administrator (migration 0029). An empty entry is not mapped yet.
type HOListMapping struct {
	Organisation   string // an entry of the form's organisations list
	LocalAuthority string // an entry of its local-authorities list
	PoliceForce    string // an entry of its police-forces list
	// LocalAuthorityPhone and LocalAuthorityEmail reach the local
	// authority's Children's Services about a child: the form asks them
	// with the local authority contacted (§8.7).
	LocalAuthorityPhone string
	LocalAuthorityEmail string
	MappedBy            string // the administrator's user id
	MappedAt            time.Time
}

// Mapped reports whether any entry is set.
func (m HOListMapping) Mapped() bool {
	return m.Organisation != "" || m.LocalAuthority != "" || m.PoliceForce != "" || m.LocalAuthorityPhone != "" || m.LocalAuthorityEmail != ""
}

// The kinds of row in ho_list_mappings.
const (
	mappingOrganisation = "organisation"
	mappingPartnership  = "partnership"
)

// SetOrganisationHOListMapping writes an organisation's entries; the
// caller has checked them against the lists.
func (t *Tx) SetOrganisationHOListMapping(orgID string, m HOListMapping) error {
	if _, err := t.OrganisationByID(orgID); err != nil {
		return err
	}
	return t.setHOListMapping(mappingOrganisation, orgID, m)
}

// SetPartnershipHOListMapping writes the partnership's own local authority
// and police force.
func (t *Tx) SetPartnershipHOListMapping(m HOListMapping) error {
	return t.setHOListMapping(mappingPartnership, "", m)
}

func (t *Tx) setHOListMapping(kind, subject string, m HOListMapping) error {
	_, err := t.exec(`INSERT INTO ho_list_mappings(kind, subject, organisation, local_authority, police_force, mapped_by, mapped_at, la_phone, la_email)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (kind, subject) DO UPDATE SET organisation = $3, local_authority = $4, police_force = $5, mapped_by = $6, mapped_at = $7, la_phone = $8, la_email = $9`,
		kind, subject, m.Organisation, m.LocalAuthority, m.PoliceForce, m.MappedBy, utc(m.MappedAt), m.LocalAuthorityPhone, m.LocalAuthorityEmail)
	if err != nil {
		return fmt.Errorf("store: saving the Home Office list mapping: %w", err)
	}
	return nil
}

// OrganisationHOListMappings returns every organisation's mapping, by
// organisation id; an organisation never mapped is absent.
func (t *Tx) OrganisationHOListMappings() (map[string]HOListMapping, error) {
	rows, err := t.query(`SELECT subject, organisation, local_authority, police_force, mapped_by, mapped_at, la_phone, la_email
		FROM ho_list_mappings WHERE kind = $1 ORDER BY subject`, mappingOrganisation)
	if err != nil {
		return nil, fmt.Errorf("store: listing Home Office list mappings: %w", err)
	}
	defer rows.Close()
	out := map[string]HOListMapping{}
	for rows.Next() {
		var id string
		var m HOListMapping
		if err := rows.Scan(&id, &m.Organisation, &m.LocalAuthority, &m.PoliceForce, &m.MappedBy, &m.MappedAt, &m.LocalAuthorityPhone, &m.LocalAuthorityEmail); err != nil {
			return nil, fmt.Errorf("store: scanning a Home Office list mapping: %w", err)
		}
		m.MappedAt = m.MappedAt.UTC()
		out[id] = m
	}
	return out, rows.Err()
}

// OrganisationHOListMapping returns one organisation's mapping, the zero
// mapping when it has none.
func (t *Tx) OrganisationHOListMapping(orgID string) (HOListMapping, error) {
	return t.hoListMapping(mappingOrganisation, orgID)
}

// PartnershipHOListMapping returns the partnership's mapping, the zero
// mapping when it has none.
func (t *Tx) PartnershipHOListMapping() (HOListMapping, error) {
	return t.hoListMapping(mappingPartnership, "")
}

func (t *Tx) hoListMapping(kind, subject string) (HOListMapping, error) {
	rows, err := t.query(`SELECT organisation, local_authority, police_force, mapped_by, mapped_at, la_phone, la_email
		FROM ho_list_mappings WHERE kind = $1 AND subject = $2`, kind, subject)
	if err != nil {
		return HOListMapping{}, fmt.Errorf("store: reading a Home Office list mapping: %w", err)
	}
	defer rows.Close()
	var m HOListMapping
	if rows.Next() {
		if err := rows.Scan(&m.Organisation, &m.LocalAuthority, &m.PoliceForce, &m.MappedBy, &m.MappedAt, &m.LocalAuthorityPhone, &m.LocalAuthorityEmail); err != nil {
			return HOListMapping{}, fmt.Errorf("store: scanning a Home Office list mapping: %w", err)
		}
		m.MappedAt = m.MappedAt.UTC()
	}
	return m, rows.Err()
}
