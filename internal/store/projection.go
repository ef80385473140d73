package store

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"waymark"
	"waymark/internal/crypt"
	"waymark/internal/pathway"
	"waymark/internal/stats"
)

// projection is every read-model row of one case, as its state says it
// should be: the one derivation both SaveProjection and `waymark verify`
// use, so what is written and what is checked cannot drift apart.
type projection struct {
	row       caseRow
	childName string // in clear; sealed when written
	members   []pathway.Member
	clocks    []clockRow
	tokens    []string
	// matchKeys are the keyed hashes the child is filed under for finding
	// earlier records of them (matchkeys.go, migration 0034);
	// matchKeysUnfiled says the stored case has none because it was
	// recorded before that migration and not filed since.
	matchKeys        []string
	matchKeysUnfiled bool
	// matchRecord is what the engine compares of the child (JSON of
	// pathway.MatchPerson), in clear, and matchDigest its keyed digest;
	// matchRecordSealed is it sealed, set before it is written.
	matchRecord, matchDigest, matchRecordSealed string
	entities                                    []entityRow // entity_keys (entities.go)
	// statsCase and statsEvents are the statistics read model (statistics.go, migration 0038).
	statsCase   stats.CaseRow
	statsEvents []stats.EventRow
	// clockOwnerLooked says a clock's owning organisation was looked up
	// from its owner's user row, outside the case.
	clockOwnerLooked bool
}

type caseRow struct {
	reference, stage, searchText, referrerUser, referrerOrg, csOrg string
	familySuspected, ageUncertain, immediateRisk                   bool
	raisedAt, updatedAt                                            time.Time
	version                                                        int
	missing, closed                                                bool
	openEscalations                                                int
	riskUntil                                                      *time.Time
	whereaboutsConfidential                                        bool
	closedAt                                                       *time.Time
	// progress is pathway.Case.Progress (migration 0026); progressUnset
	// says the stored row has none, as rows saved before that migration.
	progress      string
	progressUnset bool
	// assignedWorkers is how many workers are assigned (migration 0026).
	assignedWorkers int
}

type clockRow struct {
	id, kind, label, ownerOrg, ownerUser string
	startedAt, dueAt                     time.Time
	stoppedAt                            *time.Time
	window                               bool
}

// lineTime is a time as the lines verify compares give it.
func lineTime(t *time.Time) string {
	if t == nil {
		return "none"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// line is the clock row as verify compares it.
func (c clockRow) line() string {
	return fmt.Sprintf("clocks: %s (%s, %q) owner %s/%s started %s due %s stopped %s window %t",
		c.id, c.kind, c.label, c.ownerOrg, c.ownerUser, lineTime(&c.startedAt), lineTime(&c.dueAt), lineTime(c.stoppedAt), c.window)
}

// storedClocks reads a case's clock rows.
func (t *Tx) storedClocks(caseID string) ([]clockRow, error) {
	rows, err := t.query(`SELECT clock_id, kind, label, owner_org_id, owner_user_id, started_at, due_at, stopped_at, risk_window FROM clocks WHERE case_id = $1`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []clockRow
	for rows.Next() {
		var c clockRow
		var stopped sql.NullTime
		if err := rows.Scan(&c.id, &c.kind, &c.label, &c.ownerOrg, &c.ownerUser, &c.startedAt, &c.dueAt, &stopped, &c.window); err != nil {
			return nil, err
		}
		c.startedAt, c.dueAt, c.stoppedAt = utc(c.startedAt), utc(c.dueAt), timePtr(stopped)
		out = append(out, c)
	}
	return out, rows.Err()
}

// project derives a case's read models from its state. updatedAt is the
// time of its last event.
func (t *Tx) project(c pathway.Case, updatedAt time.Time) (projection, error) {
	ix, err := t.index()
	if err != nil {
		return projection{}, err
	}
	return projectCase(c, updatedAt, t.clockOwnerOrg, ix)
}

// clockOwnerOrg is the organisation of a person who owns a clock, by their
// user row; found is false when there is no such user, or their row was
// altered behind Waymark's back (only a sealed row counts, identity.go).
func (t *Tx) clockOwnerOrg(userID string) (orgID string, found bool, err error) {
	u, err := t.UserByID(userID)
	switch {
	case err == nil:
		return u.OrgID, true, nil
	case waymark.ErrorCode(err) == waymark.ENOTFOUND:
		return "", false, nil
	}
	return "", false, err
}

// projectCase is project with the look-ups it needs given: ownerOrg finds
// a clock owner's organisation, ix hashes the search tokens.
func projectCase(c pathway.Case, updatedAt time.Time, ownerOrg func(userID string) (string, bool, error), ix *crypt.Index) (projection, error) {
	ch := c.Concern.Child
	f := c.Flags(updatedAt)
	p := projection{childName: ch.FullName(), members: pathway.Members(c)}
	p.row = caseRow{
		reference: c.Reference(), stage: string(c.Stage), searchText: strings.ToLower(c.Reference()),
		referrerUser: c.Referrer.UserID, referrerOrg: c.Referrer.OrgID, csOrg: c.ChildrensServicesOrg,
		familySuspected: f.FamilySuspected, ageUncertain: f.AgeUncertain, immediateRisk: f.ImmediateRisk,
		raisedAt: utc(c.RaisedAt), updatedAt: utc(updatedAt), version: c.Version,
		missing: f.Missing, closed: f.Closed, openEscalations: f.OpenEscalations, whereaboutsConfidential: f.WhereaboutsConfidential,
		progress: c.Progress(), assignedWorkers: len(c.Workers),
	}
	if !f.HighMissingRiskUntil.IsZero() {
		u := utc(f.HighMissingRiskUntil)
		p.row.riskUntil = &u
	}
	if c.Safety.Closed != nil {
		u := utc(c.Safety.Closed.At)
		p.row.closedAt = &u
	}
	for _, cl := range c.Clocks {
		// Whose organisation the clock belongs to is pathway's rule
		// (Clock.Owner); a person's is looked up only when the clock names
		// none. Only a sealed user row counts (identity.go): one moved to
		// another organisation behind Waymark's back gives that team nothing.
		var personOrg string
		if cl.OwnerOrgID == "" && cl.OwnerUserID != "" {
			p.clockOwnerLooked = true
			org, found, err := ownerOrg(cl.OwnerUserID)
			if err != nil {
				return p, fmt.Errorf("store: reading a clock owner's organisation: %w", err)
			}
			if found {
				personOrg = org
			}
		}
		owner := cl.Owner(c.ChildrensServicesOrg, personOrg)
		r := clockRow{id: cl.ID, kind: string(cl.Kind), label: cl.Label, ownerOrg: owner.OrgID, ownerUser: owner.UserID,
			startedAt: utc(cl.StartedAt), dueAt: utc(cl.DueAt), window: cl.Window}
		if cl.StoppedAt != nil {
			u := utc(*cl.StoppedAt)
			r.stoppedAt = &u
		}
		p.clocks = append(p.clocks, r)
	}
	p.tokens = ix.Tokens(append([]string{ch.GivenNames, ch.FamilyName}, ch.Aliases...)...)
	p.matchKeys = matchKeysOf(c, ix)
	rec, err := matchRecordOf(c)
	if err != nil {
		return p, err
	}
	p.matchRecord = rec
	p.matchDigest = ix.MatchRecordDigest(c.ID, []byte(p.matchRecord))
	p.entities = entityRows(c, ix)                // entities.go
	p.statsCase, p.statsEvents = statsRows(c, "") // statistics.go
	return p, nil
}

// lines renders a projection as one line per column or row, so that two
// can be compared and the first difference named.
func (p projection) lines() []string {
	r := p.row
	tm := lineTime
	out := []string{
		"cases.reference = " + strconv.Quote(r.reference),
		"cases.stage = " + r.stage,
		"cases.search_text = " + strconv.Quote(r.searchText),
		"cases.referrer_user_id = " + r.referrerUser,
		"cases.referrer_org_id = " + r.referrerOrg,
		"cases.cs_org_id = " + r.csOrg,
		"cases.family_suspected = " + strconv.FormatBool(r.familySuspected),
		"cases.age_uncertain = " + strconv.FormatBool(r.ageUncertain),
		"cases.immediate_risk = " + strconv.FormatBool(r.immediateRisk),
		"cases.raised_at = " + tm(&r.raisedAt),
		"cases.updated_at = " + tm(&r.updatedAt),
		"cases.version = " + strconv.Itoa(r.version),
		"cases.missing = " + strconv.FormatBool(r.missing),
		"cases.closed = " + strconv.FormatBool(r.closed),
		"cases.open_escalations = " + strconv.Itoa(r.openEscalations),
		"cases.high_missing_risk_until = " + tm(r.riskUntil),
		"cases.whereabouts_confidential = " + strconv.FormatBool(r.whereaboutsConfidential),
		"cases.closed_at = " + tm(r.closedAt),
		"cases.progress = " + strconv.Quote(r.progress),
		"cases.assigned_workers = " + strconv.Itoa(r.assignedWorkers),
	}
	var ms []string
	for _, m := range p.members {
		// One row per member and role, as saveMembers writes them: a
		// referrer invited to a meeting is the referrer and an invitee.
		ms = append(ms, "case_members: "+m.Kind+" "+m.ID+" as "+m.Role)
	}
	slices.Sort(ms)
	out = append(out, slices.Compact(ms)...)
	var cs []string
	for _, c := range p.clocks {
		cs = append(cs, c.line())
	}
	slices.Sort(cs)
	out = append(out, cs...)
	ts := slices.Clone(p.tokens)
	slices.Sort(ts)
	for _, h := range slices.Compact(ts) {
		out = append(out, "search_tokens: "+h)
	}
	mk := slices.Clone(p.matchKeys)
	slices.Sort(mk)
	for _, h := range slices.Compact(mk) {
		out = append(out, "person_match_keys: "+h)
	}
	out = append(out, sortEntityRows(p.entities)...) // entities.go
	return out
}

// storedProjection reads a case's read-model rows as they are. found is
// false when it has no row in cases.
func (t *Tx) storedProjection(caseID string) (p projection, found bool, err error) {
	var r caseRow
	var ref sql.NullString
	var name, master, wrapped string
	var destroyed bool
	var risk, closedAt sql.NullTime
	var progress sql.NullString
	err = t.queryRow(`SELECT c.reference, c.stage, c.child_name, c.search_text, c.referrer_user_id, c.referrer_org_id, c.cs_org_id,
			c.family_suspected, c.age_uncertain, c.immediate_risk, c.raised_at, c.updated_at, c.version,
			c.missing, c.closed, c.open_escalations, c.high_missing_risk_until, c.whereabouts_confidential, c.closed_at, c.progress, c.assigned_workers, `+caseKeyColumns+`
		FROM cases c`+caseKeyJoin+` WHERE c.id = $1`, caseID).Scan(&ref, &r.stage, &name, &r.searchText, &r.referrerUser, &r.referrerOrg, &r.csOrg,
		&r.familySuspected, &r.ageUncertain, &r.immediateRisk, &r.raisedAt, &r.updatedAt, &r.version,
		&r.missing, &r.closed, &r.openEscalations, &risk, &r.whereaboutsConfidential, &closedAt, &progress, &r.assignedWorkers, &master, &wrapped, &destroyed)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		found = false
	case err != nil:
		return p, false, fmt.Errorf("store: reading case row: %w", err)
	default:
		found = true
		r.reference = ref.String
		r.raisedAt, r.updatedAt = utc(r.raisedAt), utc(r.updatedAt)
		r.riskUntil, r.closedAt = timePtr(risk), timePtr(closedAt)
		r.progress, r.progressUnset = progress.String, !progress.Valid
		if p.childName, err = t.openChildName(caseID, name, master, wrapped, destroyed); err != nil {
			return p, found, err
		}
		p.row = r
	}
	sealed, err := t.historySealed()
	if err != nil {
		return p, found, err
	}
	rows, err := t.query(`SELECT m.member_kind, m.member_id, m.role, m.seal_key, m.mac, `+caseVersion+` FROM case_members m WHERE m.case_id = $1`, caseID)
	if err != nil {
		return p, found, err
	}
	var forged string
	for rows.Next() {
		var m pathway.Member
		var keyID, mac string
		var version int
		if err := rows.Scan(&m.Kind, &m.ID, &m.Role, &keyID, &mac, &version); err != nil {
			rows.Close()
			return p, found, err
		}
		if forged == "" && !t.memberSealed(sealed, caseID, m.Kind, m.ID, m.Role, version, keyID, mac) {
			forged = "case_members: " + m.Kind + " " + m.ID + " as " + m.Role
		}
		p.members = append(p.members, m)
	}
	rows.Close()
	if forged != "" {
		return p, found, t.tamper(caseID, 0, 0, "the read model has "+forged+", whose seal does not match: it was inserted or changed behind Waymark's back")
	}
	if p.clocks, err = t.storedClocks(caseID); err != nil {
		return p, found, err
	}
	if p.tokens, err = t.stringColumn(`SELECT token_hash FROM search_tokens WHERE case_id = $1`, caseID); err != nil {
		return p, found, err
	}
	if p.matchKeys, p.matchKeysUnfiled, err = t.storedMatchKeys(caseID); err != nil {
		return p, found, err
	}
	if p.matchRecord, p.matchDigest, err = t.storedMatchRecord(caseID); err != nil {
		return p, found, err
	}
	p.entities, err = t.storedEntityKeys(caseID) // entities.go
	return p, found, err
}

// compareProjection names the first read-model row of a case that is not
// what its sealed events make it, or returns "".
func compareProjection(want, got projection) string {
	if want.childName != got.childName {
		return "cases.child_name is not the name its events give"
	}
	if got.row.progressUnset {
		// Saved before migration 0026, which could not write it: the lists
		// show the stage until the next event or a rebuild writes it.
		got.row.progress = want.row.progress
	}
	if got.matchKeysUnfiled {
		// Recorded before migration 0034, which could not file it: it has
		// no match keys until its next event or a rebuild writes them.
		got.matchKeys = want.matchKeys
		if got.matchRecord == "" {
			got.matchRecord, got.matchDigest = want.matchRecord, want.matchDigest
		}
	}
	switch {
	case got.matchRecord == "" && want.matchRecord != "":
		return "the read model lacks the person_match_records row its events give (a row was deleted)"
	case got.matchRecord != want.matchRecord:
		return "person_match_records.record is not the record its events give"
	case got.matchDigest != want.matchDigest:
		return "person_match_records.digest is not the digest of the record its events give"
	}
	return compareLines(want.lines(), got.lines())
}

// erasedLines is what an erased case's read model keeps: its case row and
// members (no name, clocks or search tokens).
func erasedLines(p projection) []string {
	var out []string
	for _, l := range p.lines() {
		if strings.HasPrefix(l, "cases.") || strings.HasPrefix(l, "case_members: ") {
			out = append(out, l)
		}
	}
	return out
}

// compareLines names the first line of got that is not what want says.
func compareLines(w, g []string) string {
	gs, ws := map[string]bool{}, map[string]bool{}
	for _, l := range g {
		gs[l] = true
	}
	for _, l := range w {
		ws[l] = true
	}
	for _, l := range w {
		if !gs[l] {
			col, _, _ := strings.Cut(l, " = ")
			for _, o := range g {
				if strings.HasPrefix(o, col+" = ") {
					return fmt.Sprintf("the read model has %s, but its events give %s", o, l)
				}
			}
			return "the read model lacks " + l + ", which its events give (a row was deleted)"
		}
	}
	for _, l := range g {
		if !ws[l] {
			return "the read model has " + l + ", which its events do not give (a row was inserted or changed)"
		}
	}
	return ""
}
