package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark"
	"waymark/internal/crypt"
	"waymark/internal/pathway"
	"waymark/internal/stats"
)

// The statistics read model (migration 0038, issue 15): one stats_cases row
// per case and one stats_events row per counted happening, holding only
// what counting needs, so the statistics page counts rows and never opens
// a case (§1.5, §8.10(4)). Rows are filed under a keyed token of the case id
// rather than the id itself (docs/security.md), written by writeProjection
// in the same transaction as the events (only when they change), filled for
// cases recorded before the migration by FillStatistics, and deleted on
// erasure.

// statsPartnership is the partnership a case is counted under: the
// partnership of its Children's Services organisation (pathway.CasePartnership),
// which an agreed transfer changes. A case moves in the counts with its next
// event when an administrator moves its organisation to another partnership.
func (t *Tx) statsPartnership(csOrg string) (string, error) {
	return t.OrganisationPartnership(csOrg)
}

// statsToken is the keyed token a case's statistics rows are filed under:
// without the index key a row cannot be joined to its case.
func statsToken(ix *crypt.Index, caseID string) string {
	return ix.MatchHandle("statistics", caseID)
}

func ukMonth(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(pathway.London).Format("2006-01")
}

func ukDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(pathway.London).Format("2006-01-02")
}

// statsAge is the child's age in whole years on the day the concern was
// raised, from the date of birth or the estimate; -1 when not known.
func statsAge(ch pathway.Child, at time.Time) int {
	if dob, err := time.ParseInLocation("2006-01-02", ch.DateOfBirth, pathway.London); err == nil {
		d := at.In(pathway.London)
		age := d.Year() - dob.Year()
		if d.Month() < dob.Month() || (d.Month() == dob.Month() && d.Day() < dob.Day()) {
			age--
		}
		return age
	}
	if ch.EstimatedAge > 0 {
		return ch.EstimatedAge
	}
	return -1
}

// statsRows derives a case's statistics rows from its state. referrerKind
// is the referring organisation's kind, looked up by the caller.
func statsRows(c pathway.Case, referrerKind string) (stats.CaseRow, []stats.EventRow) {
	part := "" // saveStatistics files the rows under the case's partnership
	ch := c.Concern.Child
	r := stats.CaseRow{
		Partnership: part, RaisedMonth: ukMonth(c.RaisedAt),
		ExploitationTypes: slices.Sorted(slices.Values(slices.Compact(slices.Sorted(slices.Values(c.Concern.ExploitationTypes))))),
		AgeBand:           stats.AgeBandOf(statsAge(ch, c.RaisedAt)), Gender: ch.Gender, Nationality: ch.Nationality,
		ReferrerKind: referrerKind,
	}
	if c.Contact != nil {
		r.ContactMonth = ukMonth(c.Contact.ReceivedAt)
	}
	if s := c.NRM.Submission; s != nil {
		r.NRMOn = ukDay(s.SubmittedAt)
		r.FirstResponderName = s.LeadOrgName
		r.DecisionMaker = pathway.MakerSCA
		if s.Routing != nil && s.Routing.Maker != "" {
			r.DecisionMaker = s.Routing.Maker
		}
	}
	if d := c.NRM.ReasonableGrounds; d != nil {
		r.RGOutcome, r.RGOn = d.Outcome, d.DecidedOn
	}
	if d := c.NRM.ConclusiveGrounds; d != nil {
		r.CGOutcome, r.CGOn = d.Outcome, d.DecidedOn
	}
	var ev []stats.EventRow
	add := func(at time.Time, kind, detail, outcome, due string) {
		ev = append(ev, stats.EventRow{Partnership: part, Month: ukMonth(at), Kind: kind, Detail: detail, Outcome: outcome, DueOn: due})
	}
	for _, d := range c.Strategy.Discussions {
		add(d.HeldAt, stats.EventStrategyDiscussion, "", "", "")
	}
	for _, m := range c.Meetings.Meetings {
		if m.Held != nil {
			add(m.ScheduledFor, stats.EventMeeting, "", "", "")
		}
	}
	for _, e := range c.Safety.Missing {
		add(e.StartedAt, stats.EventMissingEpisode, "", "", "")
		if e.Interview != nil {
			add(e.Interview.HeldAt, stats.EventReturnInterview, "", "", "")
		}
	}
	for _, q := range c.NRM.Reconsiderations {
		add(q.RequestedAt, stats.EventReconsideration, q.Outcome, "", "")
	}
	for _, cl := range c.Clocks {
		if cl.Window { // a span of risk or waiting, not a deadline to meet
			continue
		}
		out := stats.ClockOpen
		switch {
		case cl.StoppedAt != nil && !cl.StoppedAt.After(cl.DueAt):
			out = stats.ClockMet
		case cl.StoppedAt != nil:
			out = stats.ClockMissed
		}
		add(cl.DueAt, stats.EventClock, string(cl.Kind), out, ukDay(cl.DueAt))
	}
	return r, ev
}

// caseLine is a case row as one string, every field of it.
func caseLine(r stats.CaseRow) string {
	return strings.Join([]string{r.Partnership, r.RaisedMonth, r.ContactMonth, strings.Join(r.ExploitationTypes, ","), r.AgeBand, r.Gender,
		r.Nationality, r.ReferrerKind, r.NRMOn, r.FirstResponderName, r.DecisionMaker, r.RGOutcome, r.RGOn, r.CGOutcome, r.CGOn}, "\x1f")
}

func eventLine(e stats.EventRow) string {
	return strings.Join([]string{e.Partnership, e.Month, e.Kind, e.Detail, e.Outcome, e.DueOn}, "\x1f")
}

// statisticsFor fills in what a case's statistics rows take from outside
// the case: the partnership of its Children's Services organisation and
// the referring organisation's kind. events is changed in place.
func (t *Tx) statisticsFor(referrerOrg, csOrg string, row stats.CaseRow, events []stats.EventRow) (stats.CaseRow, []stats.EventRow, error) {
	part, err := t.statsPartnership(csOrg)
	if err != nil {
		return row, events, err
	}
	row.Partnership = part
	for i := range events {
		events[i].Partnership = part
	}
	if referrerOrg != "" {
		ks, err := t.stringColumn(`SELECT kind FROM organisations WHERE id = $1`, referrerOrg)
		if err != nil {
			return row, events, err
		}
		if len(ks) > 0 {
			row.ReferrerKind = ks[0]
		}
	}
	return row, events, nil
}

// statsDerivation names the way statsRows derives a case's rows. Change it
// whenever statsRows counts something differently: every case's rows are
// then written afresh at its next event, as they were before any were left
// alone (statsFiled).
const statsDerivation = "1"

// statsFiled is what a case's cases.stats_filed says once its rows are
// written (migration 0046): the derivation, and the partnership and
// referring organisation's kind they were written with. Those two are
// looked up outside the case, so an event that changes nothing counted
// can still move its rows (an organisation moved to another partnership).
func statsFiled(row stats.CaseRow) string {
	return statsDerivation + "\x1f" + row.Partnership + "\x1f" + row.ReferrerKind
}

// sameStatistics says two projections of a case give the same statistics
// rows before the partnership and the referrer's kind are filled in.
func sameStatistics(a, b projection) bool {
	if caseLine(a.statsCase) != caseLine(b.statsCase) || len(a.statsEvents) != len(b.statsEvents) {
		return false
	}
	for i := range a.statsEvents {
		if a.statsEvents[i] != b.statsEvents[i] {
			return false
		}
	}
	return true
}

// saveStatistics makes a case's statistics rows what its state gives
// (projectCase derives them). The referring organisation's kind is looked
// up here, by referrerOrg. alike says the case's rows were known to be
// what this state gives before its new events (the write compared the
// projections before and after, writeProjection): then, if the case's
// stats_filed says they were written with this partnership, referrer kind
// and derivation, nothing is read or written of them, which is what most
// events (a note, a contact) come to. Otherwise the case row is upserted
// and the events written only when they change.
//
// Rows changed behind Waymark's back stay as they are until the case's
// counts next change, as they did before only until its next event:
// statistics are counts, not evidence, and `waymark rebuild` rewrites them.
func (t *Tx) saveStatistics(caseID, referrerOrg, csOrg string, row stats.CaseRow, events []stats.EventRow, fresh, alike bool) error {
	row, events, err := t.statisticsFor(referrerOrg, csOrg, row, events)
	if err != nil {
		return err
	}
	filed := statsFiled(row)
	if alike && !fresh {
		had, err := t.stringColumn(`SELECT stats_filed FROM cases WHERE id = $1`, caseID)
		if err != nil {
			return fmt.Errorf("store: reading how a case's statistics are filed: %w", err)
		}
		if len(had) == 1 && had[0] == filed {
			return nil
		}
	}
	// On PostgreSQL an organisation's move to another partnership may be
	// under way: it empties stats_filed of the cases it can see, which are
	// not a case being filed now or transferred into it now. So a save that
	// writes takes a share lock on the organisation and reads its
	// partnership again, as saveEntityKeys does: the move then waits for
	// this save to commit and empties what it filed, or this save waits for
	// the move and files the new partnership. (An event on a case the move
	// can see waits for the move's lock on its row before it gets here.)
	if t.dialect == Postgres && !t.readOnly && csOrg != "" {
		part, err := t.orgPartnership(csOrg, " FOR SHARE OF o")
		if err != nil {
			return err
		}
		if part != row.Partnership {
			row.Partnership = part
			for i := range events {
				events[i].Partnership = part
			}
			filed = statsFiled(row)
		}
	}
	if _, err := t.exec(`UPDATE cases SET stats_filed = $2 WHERE id = $1`, caseID, filed); err != nil {
		return fmt.Errorf("store: filing a case's statistics: %w", err)
	}
	ix, err := t.index()
	if err != nil {
		return err
	}
	tok := statsToken(ix, caseID)
	if _, err := t.exec(`INSERT INTO stats_cases(token, partnership_id, raised_month, contact_month, exploitation_types, age_band, gender, nationality,
			referrer_kind, nrm_on, first_responder, decision_maker, rg_outcome, rg_on, cg_outcome, cg_on)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
		ON CONFLICT (token) DO UPDATE SET partnership_id = excluded.partnership_id, raised_month = excluded.raised_month,
			contact_month = excluded.contact_month, exploitation_types = excluded.exploitation_types, age_band = excluded.age_band,
			gender = excluded.gender, nationality = excluded.nationality, referrer_kind = excluded.referrer_kind, nrm_on = excluded.nrm_on,
			first_responder = excluded.first_responder, decision_maker = excluded.decision_maker, rg_outcome = excluded.rg_outcome,
			rg_on = excluded.rg_on, cg_outcome = excluded.cg_outcome, cg_on = excluded.cg_on`,
		tok, row.Partnership, row.RaisedMonth, row.ContactMonth, strings.Join(row.ExploitationTypes, ","), row.AgeBand, row.Gender, row.Nationality,
		row.ReferrerKind, row.NRMOn, row.FirstResponderName, row.DecisionMaker, row.RGOutcome, row.RGOn, row.CGOutcome, row.CGOn); err != nil {
		return fmt.Errorf("store: saving statistics row: %w", err)
	}
	var have []string
	if !fresh {
		rows, err := t.query(`SELECT partnership_id, month, kind, detail, outcome, due_on FROM stats_events WHERE token = $1`, tok)
		if err != nil {
			return err
		}
		for rows.Next() {
			var e stats.EventRow
			if err := rows.Scan(&e.Partnership, &e.Month, &e.Kind, &e.Detail, &e.Outcome, &e.DueOn); err != nil {
				rows.Close()
				return err
			}
			have = append(have, eventLine(e))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	want := make([]string, len(events))
	for i, e := range events {
		want[i] = eventLine(e)
	}
	slices.Sort(have)
	slices.Sort(want)
	if slices.Equal(have, want) {
		return nil
	}
	if len(have) > 0 {
		if _, err := t.exec(`DELETE FROM stats_events WHERE token = $1`, tok); err != nil {
			return err
		}
	}
	for _, e := range events {
		if _, err := t.exec(`INSERT INTO stats_events(token, partnership_id, month, kind, detail, outcome, due_on) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			tok, e.Partnership, e.Month, e.Kind, e.Detail, e.Outcome, e.DueOn); err != nil {
			return fmt.Errorf("store: saving statistics events: %w", err)
		}
	}
	return nil
}

// keylessStatsToken is the token a case's rows were filed under while the
// database had no master key (index gives a key of zeros then).
func keylessStatsToken(caseID string) string {
	return statsToken(crypt.NewIndex(make([]byte, crypt.KeySize)), caseID)
}

// refileKeylessStatistics moves a case's statistics rows filed before the
// database had a master key to the token of the index key, for
// SealPlaintext, which has just saved the case's read models again: those
// rows were derived while the organisations were trusted unsealed, so they
// are kept, and the rows that save wrote (with the organisations not yet
// sealed as found, so under no partnership) are dropped. Left under the old
// token as well, the case would be counted twice. The case row then says
// nothing of how they are filed, so its next event writes them afresh.
func (t *Tx) refileKeylessStatistics(caseID string) error {
	ix, err := t.index()
	if err != nil {
		return err
	}
	tok, old := statsToken(ix, caseID), keylessStatsToken(caseID)
	if tok == old {
		return nil
	}
	had, err := t.stringColumn(`SELECT token FROM stats_cases WHERE token = $1 UNION ALL SELECT token FROM stats_events WHERE token = $1`, old)
	if err != nil || len(had) == 0 {
		return err
	}
	for _, table := range []string{"stats_cases", "stats_events"} {
		if _, err := t.exec(`DELETE FROM `+table+` WHERE token = $1`, tok); err != nil {
			return fmt.Errorf("store: refiling statistics under the index key: %w", err)
		}
		if _, err := t.exec(`UPDATE `+table+` SET token = $2 WHERE token = $1`, old, tok); err != nil {
			return fmt.Errorf("store: refiling statistics under the index key: %w", err)
		}
	}
	if _, err := t.exec(`UPDATE cases SET stats_filed = '' WHERE id = $1`, caseID); err != nil {
		return fmt.Errorf("store: refiling statistics under the index key: %w", err)
	}
	return nil
}

// refileUnsealedStatistics writes again the statistics rows of the cases
// filed under no partnership: those saved at the first start with a master
// key (SealPlaintext, FillStatistics, seal-history) before the
// organisations were sealed as found, when no organisation's partnership
// could be trusted. sealIdentityAsFound calls it once it has sealed them,
// so those cases are counted where they belong, not only from their next
// event. It reads every case row once, and runs only then.
func (t *Tx) refileUnsealedStatistics() error {
	ids, err := t.stringColumn(`SELECT id FROM cases WHERE stats_filed LIKE $1`, statsDerivation+"\x1f\x1f%")
	if err != nil {
		return fmt.Errorf("store: finding statistics filed under no partnership: %w", err)
	}
	for _, id := range ids {
		c, _, err := t.LoadCase(id)
		var te *TamperError
		if errors.As(err, &te) || IsErased(err) || waymark.ErrorCode(err) == waymark.ENOTFOUND {
			continue // verify names it, or it has no rows to file
		}
		if err != nil {
			return err
		}
		row, events := statsRows(c, "")
		if err := t.saveStatistics(id, c.Referrer.OrgID, c.ChildrensServicesOrg, row, events, false, false); err != nil {
			return err
		}
	}
	return nil
}

// ClearAllStatistics deletes every statistics row and empties every case's
// stats_filed, for `waymark rebuild`, which then saves every case's read
// models again: rows under no case's token (which verify names, and which
// would be counted) go with the rest.
func (t *Tx) ClearAllStatistics() error {
	for _, q := range []string{`DELETE FROM stats_cases`, `DELETE FROM stats_events`, `UPDATE cases SET stats_filed = '' WHERE stats_filed <> ''`} {
		if _, err := t.exec(q); err != nil {
			return fmt.Errorf("store: clearing the statistics read model: %w", err)
		}
	}
	return nil
}

// checkStatistics is verify's check of a case's statistics rows. Where the
// case row says they are filed by this derivation (stats_filed), it must
// name the partnership and referrer kind its organisations give now, and
// the rows must be exactly what its events give, filed so. Where it says
// nothing (a case from before migration 0046, one whose organisation has
// moved partnership since, one filed by an older derivation), its next
// event writes them afresh, so they are not compared.
func (t *Tx) checkStatistics(caseID string, want projection) error {
	filed, err := t.stringColumn(`SELECT stats_filed FROM cases WHERE id = $1`, caseID)
	if err != nil || len(filed) != 1 || !strings.HasPrefix(filed[0], statsDerivation+"\x1f") {
		return err
	}
	row, events, err := t.statisticsFor(want.row.referrerOrg, want.row.csOrg, want.statsCase, slices.Clone(want.statsEvents))
	if err != nil {
		return err
	}
	if filed[0] != statsFiled(row) {
		return t.tamper(caseID, 0, 0, "cases.stats_filed does not name the partnership and referrer kind its organisations give: it was changed behind Waymark's back")
	}
	ix, err := t.index()
	if err != nil {
		return err
	}
	tok := statsToken(ix, caseID)
	cs, es, err := t.storedStatistics(tok)
	if err != nil {
		return err
	}
	if len(cs) != 1 || caseLine(cs[0]) != caseLine(row) {
		return t.tamper(caseID, 0, 0, "its stats_cases row is not what its events give, filed as cases.stats_filed says: one or the other was changed behind Waymark's back")
	}
	want2 := make([]string, len(events))
	for i, e := range events {
		want2[i] = eventLine(e)
	}
	got := make([]string, len(es))
	for i, e := range es {
		got[i] = eventLine(e)
	}
	slices.Sort(want2)
	slices.Sort(got)
	if !slices.Equal(want2, got) {
		return t.tamper(caseID, 0, 0, "its stats_events rows are not what its events give, filed as cases.stats_filed says: they were changed behind Waymark's back")
	}
	return nil
}

// storedStatistics reads the statistics rows filed under a token.
func (t *Tx) storedStatistics(tok string) ([]stats.CaseRow, []stats.EventRow, error) {
	rows, err := t.query(`SELECT partnership_id, raised_month, contact_month, exploitation_types, age_band, gender, nationality,
			referrer_kind, nrm_on, first_responder, decision_maker, rg_outcome, rg_on, cg_outcome, cg_on
		FROM stats_cases WHERE token = $1`, tok)
	if err != nil {
		return nil, nil, err
	}
	cs, err := scanStatsCases(rows)
	if err != nil {
		return nil, nil, err
	}
	erows, err := t.query(`SELECT partnership_id, month, kind, detail, outcome, due_on FROM stats_events WHERE token = $1`, tok)
	if err != nil {
		return nil, nil, err
	}
	es, err := scanStatsEvents(erows)
	return cs, es, err
}

// checkStatisticsTokens is verify's check that every statistics row belongs
// to a case whose history it has: a row put there behind Waymark's back
// (or left under an old token) would be counted. cases are the ids of the
// cases not erased.
func (t *Tx) checkStatisticsTokens(cases []string) error {
	ix, err := t.index()
	if err != nil {
		return err
	}
	known := make(map[string]bool, len(cases))
	for _, id := range cases {
		known[statsToken(ix, id)] = true
	}
	for _, q := range []string{`SELECT token FROM stats_cases`, `SELECT DISTINCT token FROM stats_events`} {
		rows, err := t.query(q)
		if err != nil {
			return err
		}
		var stray bool
		for rows.Next() && !stray {
			var tok string
			if err := rows.Scan(&tok); err != nil {
				rows.Close()
				return err
			}
			stray = !known[tok]
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if stray {
			table := strings.Fields(q)[len(strings.Fields(q))-1]
			return &TamperError{Reason: fmt.Sprintf("%s has rows filed under a token of no case: they are counted. They were put there behind Waymark's back, or left by an earlier release when encryption was turned on; `waymark rebuild` writes the statistics again from the cases' events", table)}
		}
	}
	return nil
}

// clearStatistics deletes a case's statistics rows (erasure).
func (t *Tx) clearStatistics(caseID string) error {
	ix, err := t.index()
	if err != nil {
		return err
	}
	tok := statsToken(ix, caseID)
	for _, q := range []string{`DELETE FROM stats_cases WHERE token = $1`, `DELETE FROM stats_events WHERE token = $1`} {
		if _, err := t.exec(q, tok); err != nil {
			return fmt.Errorf("store: erasing statistics: %w", err)
		}
	}
	// Nothing is filed now: were the case to have another event, it would
	// write its rows rather than leave them alone.
	if _, err := t.exec(`UPDATE cases SET stats_filed = '' WHERE id = $1`, caseID); err != nil {
		return fmt.Errorf("store: erasing statistics: %w", err)
	}
	_, err = t.exec(`DELETE FROM stats_unfilled WHERE case_id = $1`, caseID)
	return err
}

// FillStatistics writes the statistics rows of the cases recorded before
// migration 0038: each case's log is read and its rows written, as its next
// event would. Run at every start after the plain text is sealed; with
// nothing unfilled it is one query. Erased cases leave the list unfilled.
func (db *DB) FillStatistics(ctx context.Context) (int, error) {
	var n int
	err := db.Update(ctx, func(t *Tx) error {
		ids, err := t.stringColumn(`SELECT case_id FROM stats_unfilled ORDER BY case_id`)
		if err != nil || len(ids) == 0 {
			return err
		}
		for _, id := range ids {
			e, err := t.CaseErasure(id)
			if err != nil {
				return err
			}
			if e == nil {
				c, err := t.MatchCase(id)
				switch {
				case waymark.ErrorCode(err) == waymark.ENOTFOUND:
				case err != nil:
					return err
				default:
					row, events := statsRows(c, "")
					if err := t.saveStatistics(id, c.Referrer.OrgID, c.ChildrensServicesOrg, row, events, false, false); err != nil {
						return err
					}
					n++
				}
			}
			if _, err := t.exec(`DELETE FROM stats_unfilled WHERE case_id = $1`, id); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// StatisticsRows reads the statistics rows a period needs: the cases with
// anything counted in the months [fromMonth, toMonth) (both YYYY-MM), and
// the events in those months. all counts every partnership; otherwise
// only partnership's.
func (t *Tx) StatisticsRows(partnership string, all bool, fromMonth, toMonth string) ([]stats.CaseRow, []stats.EventRow, error) {
	fromDay, toDay := fromMonth+"-01", toMonth+"-01"
	where := `(raised_month >= $1 AND raised_month < $2 OR contact_month >= $1 AND contact_month < $2 OR
		nrm_on >= $3 AND nrm_on < $4 OR rg_on >= $3 AND rg_on < $4 OR cg_on >= $3 AND cg_on < $4)`
	args := []any{fromMonth, toMonth, fromDay, toDay}
	if !all {
		where += ` AND partnership_id = $5`
		args = append(args, partnership)
	}
	rows, err := t.query(`SELECT partnership_id, raised_month, contact_month, exploitation_types, age_band, gender, nationality,
			referrer_kind, nrm_on, first_responder, decision_maker, rg_outcome, rg_on, cg_outcome, cg_on
		FROM stats_cases WHERE `+where, args...)
	if err != nil {
		return nil, nil, err
	}
	cs, err := scanStatsCases(rows)
	if err != nil {
		return nil, nil, err
	}
	q := `SELECT partnership_id, month, kind, detail, outcome, due_on FROM stats_events WHERE month >= $1 AND month < $2`
	eargs := []any{fromMonth, toMonth}
	if !all {
		q += ` AND partnership_id = $3`
		eargs = append(eargs, partnership)
	}
	erows, err := t.query(q, eargs...)
	if err != nil {
		return nil, nil, err
	}
	es, err := scanStatsEvents(erows)
	return cs, es, err
}

// scanStatsCases reads stats_cases rows, every column in table order but
// the token, and closes them.
func scanStatsCases(rows *sql.Rows) ([]stats.CaseRow, error) {
	defer rows.Close()
	var cs []stats.CaseRow
	for rows.Next() {
		var r stats.CaseRow
		var types string
		if err := rows.Scan(&r.Partnership, &r.RaisedMonth, &r.ContactMonth, &types, &r.AgeBand, &r.Gender, &r.Nationality,
			&r.ReferrerKind, &r.NRMOn, &r.FirstResponderName, &r.DecisionMaker, &r.RGOutcome, &r.RGOn, &r.CGOutcome, &r.CGOn); err != nil {
			return nil, err
		}
		if types != "" {
			r.ExploitationTypes = strings.Split(types, ",")
		}
		cs = append(cs, r)
	}
	return cs, rows.Err()
}

// scanStatsEvents reads stats_events rows (partnership_id, month, kind,
// detail, outcome, due_on) and closes them.
func scanStatsEvents(rows *sql.Rows) ([]stats.EventRow, error) {
	defer rows.Close()
	var es []stats.EventRow
	for rows.Next() {
		var e stats.EventRow
		if err := rows.Scan(&e.Partnership, &e.Month, &e.Kind, &e.Detail, &e.Outcome, &e.DueOn); err != nil {
			return nil, err
		}
		es = append(es, e)
	}
	return es, rows.Err()
}
