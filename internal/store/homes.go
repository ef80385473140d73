package store

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark/internal/pathway"
)

// The queues of the role homes that no other list gives (web's home page):
// each reads a few indexed rows, then asks every case it would show, as the
// other lists do, whether the viewer is a member of it by a sealed row.

// WorkerLoad is one person's caseload on the manager's home: the open
// cases they are assigned to (§6.7).
type WorkerLoad struct {
	UserID, Name, Role string
	OpenCases          int
}

// TeamCaseload counts, for each enabled social worker and manager of the
// organisation, the open cases they are assigned to: numbers and names of
// staff, no case. Each person's count walks their own member rows
// (case_members_member).
func (t *Tx) TeamCaseload(orgID string) ([]WorkerLoad, error) {
	rows, err := t.query(`SELECT u.id, u.name, u.role,
			(SELECT COUNT(*) FROM case_members m JOIN cases c ON c.id = m.case_id
				WHERE m.member_kind = 'user' AND m.member_id = u.id AND m.role = $2 AND NOT c.closed)
		FROM users u WHERE u.org_id = $1 AND NOT u.disabled AND u.role IN ($3, $4)
		ORDER BY u.name, u.id`, orgID, pathway.MemberWorker, pathway.RoleSocialWorker, pathway.RoleManager)
	if err != nil {
		return nil, fmt.Errorf("store: counting the team's caseload: %w", err)
	}
	defer rows.Close()
	var out []WorkerLoad
	for rows.Next() {
		var w WorkerLoad
		if err := rows.Scan(&w.UserID, &w.Name, &w.Role, &w.OpenCases); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// Assignable is a person a case can be assigned to (§6.7).
type Assignable struct {
	UserID, Name, Email, Role string
}

// AssignablePeople lists the enabled people of the organisation who work
// cases (pathway.WorksCases), by name: the choices of "Assign a worker".
func (t *Tx) AssignablePeople(orgID string) ([]Assignable, error) {
	rows, err := t.query(`SELECT id, name, email, role FROM users WHERE org_id = $1 AND NOT disabled ORDER BY name, id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: listing the team: %w", err)
	}
	defer rows.Close()
	var out []Assignable
	for rows.Next() {
		var a Assignable
		if err := rows.Scan(&a.UserID, &a.Name, &a.Email, &a.Role); err != nil {
			return nil, err
		}
		if a.Role != pathway.RoleAdministrator {
			out = append(out, a)
		}
	}
	return out, rows.Err()
}

// UnallocatedCases lists up to limit open cases of the Children's Services
// team orgID that no worker is assigned to, the longest waiting first, each
// one the viewer is a member of by a sealed row. It walks the partial index
// cases_unallocated (migration 0026): only such cases are read.
func (t *Tx) UnallocatedCases(userID, orgID string, limit int) ([]CaseSummary, error) {
	ids, err := t.stringColumn(`SELECT id FROM cases WHERE cs_org_id = $1 AND assigned_workers = 0 AND NOT closed
		ORDER BY raised_at, id LIMIT $2`, orgID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: listing unallocated cases: %w", err)
	}
	return t.summariesInOrder(userID, orgID, ids)
}

// CasesAtProgress lists up to limit open cases the organisation orgID is a
// member of in role, whose progress (pathway.Case.Progress) is one of
// progress, the least recently updated first (it has waited longest), each
// one the viewer is a member of by a sealed row. It walks the
// organisation's member rows (case_members_member).
func (t *Tx) CasesAtProgress(userID, orgID, role string, progress []string, limit int) ([]CaseSummary, error) {
	if len(progress) == 0 {
		return nil, nil
	}
	args := []any{orgID, role, limit}
	var in []string
	for _, p := range progress {
		args = append(args, p)
		in = append(in, fmt.Sprintf("$%d", len(args)))
	}
	ids, err := t.stringColumn(`SELECT c.id FROM case_members m JOIN cases c ON c.id = m.case_id
		WHERE m.member_kind = 'org' AND m.member_id = $1 AND m.role = $2 AND NOT c.closed AND c.progress IN (`+strings.Join(in, ", ")+`)
		ORDER BY c.updated_at, c.id LIMIT $3`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: listing cases by progress: %w", err)
	}
	return t.summariesInOrder(userID, orgID, ids)
}

// summariesInOrder reads the list rows of ids, in their order, keeping only
// the cases the viewer is a member of by a sealed row.
func (t *Tx) summariesInOrder(userID, orgID string, ids []string) ([]CaseSummary, error) {
	roles, err := t.sealedMemberships(ids, userID, orgID)
	if err != nil {
		return nil, err
	}
	byID, err := t.pageSummaries(userID, roles, ids)
	if err != nil {
		return nil, err
	}
	out := make([]CaseSummary, 0, len(ids))
	for _, id := range ids {
		if c, ok := byID[id]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// OrganisationOverdue is how many running deadlines an organisation owns
// that have passed: a number, not case data.
type OrganisationOverdue struct {
	OrgID, Name string
	Overdue     int
}

// OverdueByOrganisation counts the deadlines of one partnership that have
// passed and are still running, by the organisation of the partnership that
// owns them (risk windows are not deadlines). Organisations of other
// partnerships are not read: their names and counts would tell a lead of
// cases they have no part in. For each organisation it walks the index of
// running deadlines up to now (migration 0040), so the count costs what is
// overdue, not every deadline ever started.
func (t *Tx) OverdueByOrganisation(partnershipID string, now time.Time) ([]OrganisationOverdue, error) {
	rows, err := t.query(`SELECT `+orgColumns+`, (SELECT COUNT(*) FROM clocks k
			WHERE k.owner_org_id = o.id AND k.due_at < $1 AND k.stopped_at IS NULL AND NOT k.risk_window)
		FROM organisations o WHERE o.partnership_id = $2 ORDER BY o.name, o.id`, utc(now), partnershipID)
	if err != nil {
		return nil, fmt.Errorf("store: counting overdue deadlines by organisation: %w", err)
	}
	defer rows.Close()
	var out []OrganisationOverdue
	for rows.Next() {
		var org Organisation
		var n int
		if err := rows.Scan(&org.ID, &org.Name, &org.Kind, &org.FirstResponderDesignation, &org.ChildrensServices, &org.CreatedAt, &org.PartnershipID, &org.seal.keyID, &org.seal.mac, &n); err != nil {
			return nil, err
		}
		// An organisation moved into the partnership behind Waymark's
		// back is not counted in it (its seal covers its partnership).
		if n > 0 && t.orgSealed(org) {
			out = append(out, OrganisationOverdue{OrgID: org.ID, Name: org.Name, Overdue: n})
		}
	}
	return out, rows.Err()
}

// assignedNames are the names of the workers assigned to each of the
// cases (§6.7), by name.
func (t *Tx) assignedNames(ids []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args, in := t.idList([]any{pathway.MemberWorker}, ids)
	// The workers' member rows, not the viewer's: those were read once by
	// the walk that chose the page.
	rows, err := t.query(`SELECT w.case_id, u.name FROM case_members w JOIN users u ON u.id = w.member_id
		WHERE w.member_kind = 'user' AND w.role = $1 AND w.case_id IN (`+in+`) ORDER BY u.name`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: reading assigned workers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		if !slices.Contains(out[id], name) {
			out[id] = append(out[id], name)
		}
	}
	return out, rows.Err()
}

// withAssigned names the workers assigned to each case of a page that the
// viewer works on as its team (who is assigned is the team's business).
func (t *Tx) withAssigned(page map[string]CaseSummary, roles map[string][]string) error {
	var ids []string
	for id := range page {
		if (pathway.Membership{Roles: roles[id]}).Team() {
			ids = append(ids, id)
		}
	}
	names, err := t.assignedNames(ids)
	if err != nil {
		return err
	}
	for id, n := range names {
		c := page[id]
		c.AssignedTo = n
		page[id] = c
	}
	return nil
}

// Supervised is a case of the team and the supervision last recorded on it.
type Supervised struct {
	Case   CaseSummary
	At     time.Time
	ByName string
}

// RecentSupervision lists up to limit cases of the Children's Services team
// orgID by the supervision last recorded on them (§6.8), the newest first,
// each one the viewer is a member of by a sealed row. It walks the partial
// index case_events_supervision (migration 0026) from the newest, and reads
// no event's content: the note itself is on the case's page.
func (t *Tx) RecentSupervision(userID, orgID string, limit int) ([]Supervised, error) {
	rows, err := t.query(`SELECT e.case_id, e.at, COALESCE(u.name, '') FROM case_events e JOIN cases c ON c.id = e.case_id
		LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.type = $1 AND c.cs_org_id = $2 ORDER BY e.at DESC, e.case_id LIMIT $3`, pathway.EventSupervisionRecorded, orgID, 4*limit)
	if err != nil {
		return nil, fmt.Errorf("store: listing supervision: %w", err)
	}
	defer rows.Close()
	var ids []string
	last := map[string]Supervised{}
	for rows.Next() {
		var id, by string
		var at time.Time
		if err := rows.Scan(&id, &at, &by); err != nil {
			return nil, err
		}
		if _, seen := last[id]; seen || len(ids) == limit {
			continue
		}
		ids = append(ids, id)
		last[id] = Supervised{At: utc(at), ByName: by}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	cases, err := t.summariesInOrder(userID, orgID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Supervised, 0, len(cases))
	for _, c := range cases {
		s := last[c.ID]
		s.Case = c
		out = append(out, s)
	}
	return out, nil
}
