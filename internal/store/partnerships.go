package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// Partnerships as records (migration 0036; pathway/partnerships.go has the
// rules). Every organisation belongs to one partnership; the default one
// holds every organisation a deployment had before partnerships existed.

// Partnership is one safeguarding children partnership on the deployment.
type Partnership struct {
	ID, Name, Slug string
	CreatedAt      time.Time
}

// Partnerships lists the partnerships by name.
func (t *Tx) Partnerships() ([]Partnership, error) {
	rows, err := t.query(`SELECT id, name, slug, created_at FROM partnerships ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("store: listing partnerships: %w", err)
	}
	defer rows.Close()
	var out []Partnership
	for rows.Next() {
		var p Partnership
		if err := rows.Scan(&p.ID, &p.Name, &p.Slug, &p.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: scanning partnership: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PartnershipByID finds a partnership.
func (t *Tx) PartnershipByID(id string) (Partnership, error) {
	var p Partnership
	err := t.queryRow(`SELECT id, name, slug, created_at FROM partnerships WHERE id = $1`, id).Scan(&p.ID, &p.Name, &p.Slug, &p.CreatedAt)
	return p, notFound(err, "No such partnership")
}

// InsertPartnership adds a partnership; its id and slug are unique.
func (t *Tx) InsertPartnership(p Partnership) error {
	_, err := t.exec(`INSERT INTO partnerships(id, name, slug, created_at) VALUES ($1, $2, $3, $4)`, p.ID, p.Name, p.Slug, utc(p.CreatedAt))
	if isUniqueViolation(err) {
		return waymark.Errorf(waymark.ECONFLICT, "A partnership with that name already exists")
	}
	if err != nil {
		return fmt.Errorf("store: inserting partnership: %w", err)
	}
	return nil
}

// RenamePartnership changes a partnership's name (not its id or slug).
func (t *Tx) RenamePartnership(id, name string) error {
	if _, err := t.exec(`UPDATE partnerships SET name = $2 WHERE id = $1`, id, name); err != nil {
		return fmt.Errorf("store: renaming partnership: %w", err)
	}
	return nil
}

// OrganisationPartnership is the partnership an organisation belongs to;
// an organisation that is not found, or whose row's seal does not match
// (moved to another partnership behind Waymark's back, say), belongs to
// none ("").
func (t *Tx) OrganisationPartnership(orgID string) (string, error) {
	return t.orgPartnership(orgID, "")
}

// orgPartnership is OrganisationPartnership with lock appended to its
// query: "" or, on PostgreSQL, a row lock on the organisation.
func (t *Tx) orgPartnership(orgID, lock string) (string, error) {
	o, err := scanOrg(t.queryRow(`SELECT `+orgColumns+` FROM organisations o WHERE o.id = $1`+lock, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: reading an organisation's partnership: %w", err)
	}
	if !t.orgSealed(o) {
		return "", nil
	}
	return o.PartnershipID, nil
}

// SetOrganisationPartnership moves an organisation to a partnership. Its
// cases follow it (pathway.CasePartnership): a case moves between
// partnerships on its own only by an agreed transfer.
func (t *Tx) SetOrganisationPartnership(orgID, partnershipID string) error {
	if _, err := t.OrganisationByID(orgID); err != nil {
		return err
	}
	if _, err := t.PartnershipByID(partnershipID); err != nil {
		return err
	}
	// On PostgreSQL the organisation's cases rows are locked first: a
	// transfer of one of them to another organisation that is under way
	// commits before this reads which cases are the organisation's (the
	// lock's check sees the row as the transfer left it), so its closed
	// case and entity rows, filed where it went, are not moved below; and
	// an event on one of them starts only after this commits. (Locked
	// after the organisation's row, an event holding its case's row and
	// waiting for a share lock on the organisation would deadlock with
	// this.)
	if t.dialect == Postgres {
		if _, err := t.stringColumn(`SELECT id FROM cases WHERE cs_org_id = $1 FOR UPDATE`, orgID); err != nil {
			return fmt.Errorf("store: locking an organisation's cases: %w", err)
		}
	}
	if _, err := t.exec(`UPDATE organisations SET partnership_id = $2 WHERE id = $1`, orgID, partnershipID); err != nil {
		return fmt.Errorf("store: setting an organisation's partnership: %w", err)
	}
	if err := t.sealOrg(orgID); err != nil { // the seal covers the partnership (identity.go)
		return err
	}
	// Its closed cases go onto the new partnership's retention review
	// (retention.go); a save of one that read the old partnership has
	// committed by now (the UPDATE above waited for its share lock).
	if _, err := t.exec(`UPDATE closed_cases SET partnership_id = $2 WHERE case_id IN (SELECT id FROM cases WHERE cs_org_id = $1)`, orgID, partnershipID); err != nil {
		return fmt.Errorf("store: moving an organisation's closed cases: %w", err)
	}
	// Its cases' statistics rows are filed under a keyed token, which the
	// move cannot find: their case rows stop saying the rows are filed, so
	// each case's next event writes them under the new partnership
	// (statistics.go), and nothing says where the case was before.
	if _, err := t.exec(`UPDATE cases SET stats_filed = '' WHERE cs_org_id = $1`, orgID); err != nil {
		return fmt.Errorf("store: moving an organisation's statistics: %w", err)
	}
	// Its people's drafts too; a draft being saved that read the old
	// partnership has committed by now, as above (InsertDraft).
	if err := t.refileDraftsOf(`u.org_id = $1`, orgID); err != nil {
		return err
	}
	return t.recountEntitiesOf(orgID, partnershipID) // entities.go
}

// PartnershipOrganisations lists the sealed organisations of a partnership.
func (t *Tx) PartnershipOrganisations(partnershipID string) ([]Organisation, error) {
	return t.partnershipOrgs(partnershipID, func(Organisation) bool { return true })
}

// partnershipOrgs lists the organisations of a partnership that keep
// accepts and whose seals match; only those keep accepts are checked.
func (t *Tx) partnershipOrgs(partnershipID string, keep func(Organisation) bool) ([]Organisation, error) {
	rows, err := t.query(`SELECT `+orgColumns+` FROM organisations o WHERE o.partnership_id = $1 ORDER BY o.name, o.id`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("store: listing a partnership's organisations: %w", err)
	}
	defer rows.Close()
	var out []Organisation
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, err
		}
		if keep(o) && t.orgSealed(o) {
			out = append(out, o)
		}
	}
	return out, rows.Err()
}

// PartnershipLeadsOf lists the active partnership leads whose organisation
// belongs to the partnership (§8.6): the leads of one area, not every
// area's on the deployment.
func (t *Tx) PartnershipLeadsOf(partnershipID string) ([]User, error) {
	if partnershipID == "" {
		return nil, nil // no partnership: no leads (never every lead)
	}
	return t.partnershipLeads(partnershipID)
}

// ChildrensServicesOrgFor is the organisation that receives concerns raised
// in a partnership: its one sealed organisation with the Children's
// Services flag, or the configured front door when that is in the
// partnership. Otherwise it answers as ChildrensServicesOrg does, so a
// deployment of one partnership behaves as before.
func (t *Tx) ChildrensServicesOrgFor(partnershipID string) (Organisation, error) {
	// Only the flagged rows are checked against their seals: a county's
	// partnership holds hundreds of schools and surgeries, and every
	// concern raised asks this. The flag is read as every other read of the
	// row reads it (database/sql's conversion, so a flag stored as the
	// text "true" counts as on SQLite too) and is itself sealed, so a row
	// whose flag was set behind Waymark's back fails its seal here, and one
	// whose flag was cleared would have failed it in a full check too.
	// Altered rows without the flag are not named in the log here; `waymark
	// verify` and every other read of them name them.
	flagged, err := t.partnershipOrgs(partnershipID, func(o Organisation) bool { return o.ChildrensServices })
	if err != nil {
		return Organisation{}, err
	}
	named := ""
	if p := t.db.frontDoor.Load(); p != nil {
		named = *p
	}
	for _, o := range flagged {
		if named != "" && o.ID == named {
			return o, nil
		}
	}
	if named != "" { // a front door named but not a sealed Children's Services organisation anywhere: refused as before
		if o, err := t.OrganisationByID(named); err != nil || !o.ChildrensServices {
			return t.ChildrensServicesOrg()
		}
	}
	if len(flagged) == 1 {
		return flagged[0], nil
	}
	return t.ChildrensServicesOrg()
}

// HandOverRow is a hand-over between partnerships as the receiving
// partnership's list holds it. It opens nothing: casework checks each
// against the case's own events.
type HandOverRow struct {
	ID, CaseID                     string
	Kind                           string // HandOverKind or LinkRequestKind
	FromPartnership, ToPartnership string
	Status                         string
	ProposedAt                     time.Time
}

// Kinds of row in the partnership's list.
const (
	HandOverKind    = "handover"
	LinkRequestKind = "link"
)

// SaveHandOver writes or updates a hand-over's (or link request's) row.
func (t *Tx) SaveHandOver(h HandOverRow) error {
	res, err := t.exec(`UPDATE partnership_handovers SET status = $2 WHERE id = $1`, h.ID, h.Status)
	if err != nil {
		return fmt.Errorf("store: updating hand-over: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 || h.CaseID == "" { // an answer to a request listed before this table: nothing to list
		return nil
	}
	if h.Kind == "" {
		h.Kind = HandOverKind
	}
	if _, err := t.exec(`INSERT INTO partnership_handovers(id, kind, case_id, from_partnership, to_partnership, status, proposed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		h.ID, h.Kind, h.CaseID, h.FromPartnership, h.ToPartnership, h.Status, utc(h.ProposedAt)); err != nil {
		return fmt.Errorf("store: inserting hand-over: %w", err)
	}
	return nil
}

// HandOversTo lists the hand-overs addressed to a partnership, newest first.
func (t *Tx) HandOversTo(partnershipID string) ([]HandOverRow, error) {
	return t.partnershipRows(partnershipID, HandOverKind, "")
}

// LinkRequestsTo lists the requests waiting to link an earlier case of the
// partnership, newest first.
func (t *Tx) LinkRequestsTo(partnershipID string) ([]HandOverRow, error) {
	return t.partnershipRows(partnershipID, LinkRequestKind, "pending")
}

func (t *Tx) partnershipRows(partnershipID, kind, status string) ([]HandOverRow, error) {
	q, args := `SELECT id, kind, case_id, from_partnership, to_partnership, status, proposed_at FROM partnership_handovers
		WHERE to_partnership = $1 AND kind = $2`, []any{partnershipID, kind}
	if status != "" {
		q += ` AND status = $3`
		args = append(args, status)
	}
	rows, err := t.query(q+` ORDER BY proposed_at DESC, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: listing hand-overs: %w", err)
	}
	defer rows.Close()
	var out []HandOverRow
	for rows.Next() {
		var h HandOverRow
		if err := rows.Scan(&h.ID, &h.Kind, &h.CaseID, &h.FromPartnership, &h.ToPartnership, &h.Status, &h.ProposedAt); err != nil {
			return nil, fmt.Errorf("store: scanning hand-over: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// HandOverByID finds a hand-over's row.
func (t *Tx) HandOverByID(id string) (HandOverRow, error) {
	var h HandOverRow
	err := t.queryRow(`SELECT id, kind, case_id, from_partnership, to_partnership, status, proposed_at FROM partnership_handovers WHERE id = $1 AND kind = $2`,
		strings.TrimSpace(id), HandOverKind).Scan(&h.ID, &h.Kind, &h.CaseID, &h.FromPartnership, &h.ToPartnership, &h.Status, &h.ProposedAt)
	return h, notFound(err, "No such hand-over")
}

// CasePartnership is the partnership a case belongs to: its Children's
// Services organisation's (pathway.CasePartnership says why).
func (t *Tx) CasePartnership(c pathway.Case) (string, error) {
	return t.OrganisationPartnership(c.ChildrensServicesOrg)
}
