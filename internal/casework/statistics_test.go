package casework_test

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"strconv"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/crypt"
	"waymark/internal/pathway"
	"waymark/internal/stats"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// analyst adds an analyst to the partnership (issue 15): statistics only.
func (p *partnership) analyst() casework.Viewer {
	p.t.Helper()
	u := store.User{ID: "user-analyst", OrgID: p.ChildrensServices.ID, Email: "analyst@partnership.example", Name: "Ana Lyst", Role: pathway.RoleAnalyst, CreatedAt: p.clock.Now()}
	var stored store.User
	err := p.db.Update(p.ctx, func(tx *store.Tx) error {
		if err := tx.InsertUser(u); err != nil {
			return err
		}
		var err error
		stored, err = tx.UserByID(u.ID)
		return err
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return casework.Viewer{User: stored}
}

// countsToToday has the partnership count the year in progress to today
// (pathway.SettingStatisticsYearSoFar), so a test sees work just recorded.
func (p *partnership) countsToToday() { p.publishesYearInProgress("today") }

// publishesYearInProgress records how every partnership of the test
// publishes a year in progress: "year", "quarter" or "today" (each
// partnership keeps its own settings).
func (p *partnership) publishesYearInProgress(how string) {
	p.t.Helper()
	ch := pathway.SettingChange{Key: pathway.SettingStatisticsYearSoFar, Value: how, From: "2000-01-01",
		Reason: "How the test partnership publishes", RecordedBy: "user-admin", RecordedAt: p.clock.Now()}
	err := p.db.Update(p.ctx, func(tx *store.Tx) error {
		ps, err := tx.Partnerships()
		if err != nil {
			return err
		}
		for _, part := range ps {
			if _, err := tx.AppendSetting(part.ID, ch); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		p.t.Fatal(err)
	}
}

func (p *partnership) statistics(v casework.Viewer, period string) stats.Report {
	p.t.Helper()
	per, ok := stats.ParsePeriod(period)
	if !ok {
		p.t.Fatalf("period %q", period)
	}
	rep, err := p.svc.StatisticsReport(p.ctx, v, per)
	if err != nil {
		p.t.Fatalf("statistics for %s: %v", period, err)
	}
	return rep
}

func table(t *testing.T, rep stats.Report, id string) stats.Table {
	t.Helper()
	for _, tb := range rep.Tables {
		if tb.ID == id {
			return tb
		}
	}
	t.Fatalf("no table %s", id)
	return stats.Table{}
}

// §1.5, §8.10(4): the partnership lead and analysts see the partnership's
// statistics; nobody else does, and every look is audited.
func TestStatisticsAreForTheLeadAndAnalystsOnlyAndAudited(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		p.countsToToday()
		per, _ := stats.ParsePeriod("2026")
		for _, v := range []casework.Viewer{p.CSWorker, p.Manager, p.CSAdmin, p.Teacher, p.PoliceLead} {
			if _, err := p.svc.StatisticsReport(p.ctx, v, per); waymark.ErrorCode(err) != waymark.EFORBIDDEN {
				t.Errorf("%s reads the statistics: %v", v.User.Role, err)
			}
		}
		for _, v := range []casework.Viewer{p.lead(), p.analyst()} {
			from := p.auditHead()
			p.statistics(v, "2026")
			entries := p.auditSince(from)
			if len(entries) != 1 || entries[0].Action != casework.ActionStatisticsViewed || entries[0].ActorID != v.User.ID || entries[0].CaseID != "" || !strings.Contains(entries[0].Detail, "2026") {
				t.Errorf("audit of %s's look: %+v", v.User.Role, entries)
			}
		}
	})
}

// §6.5: the analyst counts the partnership's work and sees no case at all,
// even in the organisation that holds it.
func TestAnAnalystSeesNoCase(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		a := p.analyst()
		if _, err := p.svc.Case(p.ctx, a, id); err == nil {
			t.Fatal("the analyst opened a case")
		}
		if a.SeesCases() || a.CanRaiseConcern() || a.WorksInbox() {
			t.Fatal("the analyst is offered case work")
		}
	})
}

// Counts come from the statistics read model, kept in the same transaction
// as each case's events: six concerns raised and contacts recorded are
// counted, and small counts are held back.
func TestStatisticsCountFromTheReadModelKeptWithEachEvent(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		p.countsToToday()
		var ids []string
		for range 6 {
			ids = append(ids, p.raise())
		}
		p.contact(ids[0])
		rep := p.statistics(p.lead(), "2026")
		act := table(t, rep, "activity-by-period")
		if v := act.RowTotals[0]; v.Suppressed || v.N != 6 {
			t.Errorf("concerns raised in 2026: %+v, want 6", v)
		}
		if v := act.RowTotals[1]; !v.Suppressed {
			t.Errorf("one contact is published: %+v", v)
		}
		// The read model holds no case id, reference or name.
		ref := p.loadCase(ids[0]).Reference()
		var rows []string
		r, err := db.SQL().QueryContext(p.ctx, `SELECT token || raised_month || exploitation_types || nationality || gender FROM stats_cases`)
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
			var s string
			r.Scan(&s)
			rows = append(rows, s)
		}
		r.Close()
		if len(rows) != 6 {
			t.Fatalf("%d statistics rows, want 6", len(rows))
		}
		for _, s := range rows {
			for _, id := range ids {
				if strings.Contains(s, id) || (ref != "" && strings.Contains(s, ref)) {
					t.Fatalf("a statistics row names its case: %q", s)
				}
			}
		}
	})
}

// Cases recorded before the statistics read model existed are counted:
// the service fills their rows from their events at start.
func TestCasesRecordedBeforeTheStatisticsAreCounted(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		p.countsToToday()
		for range 7 {
			p.raise()
		}
		// As the migration leaves a database with cases: no rows, every
		// case waiting to be filled.
		for _, q := range []string{`DELETE FROM stats_cases`, `DELETE FROM stats_events`, `INSERT INTO stats_unfilled(case_id) SELECT id FROM cases`} {
			if _, err := db.SQL().ExecContext(p.ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		lead := p.lead()
		if v := table(t, p.statistics(lead, "2026"), "activity-by-period").RowTotals[0]; v.Suppressed || v.N != 0 {
			t.Fatalf("before filling: %+v", v)
		}
		n, err := db.FillStatistics(p.ctx)
		if err != nil || n != 7 {
			t.Fatalf("filled %d, %v; want 7", n, err)
		}
		if v := table(t, p.statistics(lead, "2026"), "activity-by-period").RowTotals[0]; v.Suppressed || v.N != 7 {
			t.Fatalf("after filling: %+v, want 7", v)
		}
		if n, err := db.FillStatistics(p.ctx); err != nil || n != 0 {
			t.Fatalf("filling again: %d, %v", n, err)
		}
	})
}

// Each partnership's statistics count its own cases only (§1.5): a case is
// counted under the partnership of its Children's Services team, and moves
// to the receiving partnership with an agreed transfer (handovers.go).
func TestEachPartnershipCountsItsOwnCasesAndATransferMovesOne(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newHandOverWorld(t, db)
		w.countsToToday()
		for range 5 {
			w.raise()
		}
		concerns := func(v casework.Viewer) stats.Value {
			return table(t, w.statistics(v, "2026"), "activity-by-period").RowTotals[0]
		}
		if v := concerns(w.northLead); v.Suppressed || v.N != 6 {
			t.Fatalf("the first partnership counts %+v concerns, want 6", v)
		}
		if v := concerns(w.southLead); !v.Suppressed && v.N != 0 {
			t.Fatalf("Southshire counts %+v of the first partnership's concerns", v)
		}
		id := w.propose(pathway.HandOverTransfer)
		if err := w.svc.AgreeHandOver(w.ctx, w.southLead, id, "org-south-cs"); err != nil {
			t.Fatal(err)
		}
		if v := concerns(w.northLead); v.Suppressed || v.N != 5 {
			t.Errorf("after the transfer the first partnership counts %+v, want 5", v)
		}
		if v := concerns(w.southLead); !v.Suppressed {
			t.Errorf("after the transfer Southshire publishes %+v, want its one case held back", v)
		}
		if rep := w.statistics(w.westLead, "2026"); rep.Partnership != "Westshire" {
			t.Errorf("Westshire's report is named %q", rep.Partnership)
		}
	})
}

// Differencing (docs/statistics.md, "Periods"): where the partnership
// publishes a year in progress by quarter, it is counted only to the end of
// its last complete quarter, so that two looks on different days cannot be
// set against each other to find one child; work recorded since then waits
// for its quarter to end.
func TestAYearInProgressIsPublishedToTheEndOfItsLastCompleteQuarter(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		p.publishesYearInProgress("quarter")
		lead := p.lead()
		for range 6 {
			p.raise()
		}
		year, _ := stats.ParsePeriod(p.clock.Now().In(pathway.London).Format("2006"))
		_, err := p.svc.StatisticsReport(p.ctx, lead, year)
		if waymark.ErrorCode(err) != waymark.EINVALID || !strings.Contains(waymark.ErrorMessage(err), "No quarter of") || !strings.Contains(waymark.ErrorMessage(err), "The latest year with figures is "+strconv.Itoa(year.From.Year()-1)) {
			t.Fatalf("before the first quarter ends: %v, want the period refused as not yet counted", err)
		}
		qEnd := time.Date(year.From.Year(), time.April, 1, 9, 0, 0, 0, pathway.London)
		p.clock.Set(qEnd)
		for range 3 {
			p.raise() // in the second quarter: not counted until it ends
		}
		rep := p.statistics(lead, year.Slug)
		if v := table(t, rep, "activity-by-period").RowTotals[0]; v.Suppressed || v.N != 6 {
			t.Errorf("the year to the end of March counts %+v concerns, want the first quarter's 6", v)
		}
		if !strings.Contains(rep.Period.Label, "January to March") {
			t.Errorf("the period reads %q, want it to say it is January to March", rep.Period.Label)
		}
		kind, latest, recent, err := p.svc.StatisticsYears(p.ctx, lead)
		if err != nil || kind != stats.YearCalendar || latest != year.Slug || len(recent) != 3 {
			t.Errorf("StatisticsYears = %s %s %v %v", kind, latest, recent, err)
		}
	})
}

// One kind of year only: a calendar year and a financial year overlap by
// nine months, and both published would give small counts away.
func TestThePartnershipPublishesByOneKindOfYear(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		lead := p.lead()
		fy, _ := stats.ParsePeriod("2024-25")
		_, err := p.svc.StatisticsReport(p.ctx, lead, fy)
		if waymark.ErrorCode(err) != waymark.EINVALID || !strings.Contains(waymark.ErrorMessage(err), "publishes by calendar year") {
			t.Fatalf("a financial year from a calendar-year partnership: %v", err)
		}
		ch := pathway.SettingChange{Key: pathway.SettingStatisticsYear, Value: stats.YearFinancial, From: "2000-01-01",
			Reason: "The partnership's annual report runs April to March", RecordedBy: "user-admin", RecordedAt: p.clock.Now()}
		if err := p.db.Update(p.ctx, func(tx *store.Tx) error { _, err := tx.AppendSetting(pathway.DefaultPartnership, ch); return err }); err != nil {
			t.Fatal(err)
		}
		p.statistics(lead, "2024-25")
		cy, _ := stats.ParsePeriod("2024")
		if _, err := p.svc.StatisticsReport(p.ctx, lead, cy); waymark.ErrorCode(err) != waymark.EINVALID {
			t.Errorf("a calendar year once the partnership publishes by financial year: %v", err)
		}
		future, _ := stats.ParsePeriod("2031-32")
		if _, err := p.svc.StatisticsReport(p.ctx, lead, future); waymark.ErrorCode(err) != waymark.EINVALID || !strings.Contains(waymark.ErrorMessage(err), "has not begun") {
			t.Errorf("a year not begun: %v", err)
		}
	})
}

// A change of the kind of year applies from the first year that begins
// after it, and no two overlapping years are ever both published: the
// calendar year 2025, already published, is never set against the
// financial year 2025-26 (found by the hostile review).
func TestChangingTheKindOfYearNeverPublishesTwoOverlappingYears(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		p.publishesYearInProgress("quarter")
		lead := p.lead()
		ch := pathway.SettingChange{Key: pathway.SettingStatisticsYear, Value: stats.YearFinancial, From: "2026-01-01",
			Reason: "The partnership's annual report runs April to March", RecordedBy: "user-admin", RecordedAt: p.clock.Now()}
		if err := p.db.Update(p.ctx, func(tx *store.Tx) error { _, err := tx.AppendSetting(pathway.DefaultPartnership, ch); return err }); err != nil {
			t.Fatal(err)
		}
		p.statistics(lead, "2025") // calendar on its first day, and no overlapping financial year was
		for _, y := range []string{"2025-26", "2026"} {
			per, _ := stats.ParsePeriod(y)
			if _, err := p.svc.StatisticsReport(p.ctx, lead, per); waymark.ErrorCode(err) != waymark.EINVALID {
				t.Errorf("%s, across the change: %v, want it refused", y, err)
			}
		}
		p.clock.Set(time.Date(2026, 7, 2, 9, 0, 0, 0, pathway.London))
		p.statistics(lead, "2026-27") // financial on its first day; the calendar years it overlaps are not published
	})
}

// By default a year is published once it has ended, as one whole: nothing
// of it can be set against an earlier look, so every figure safe on its
// own is shown.
func TestByDefaultAYearIsPublishedOnceItHasEnded(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		lead := p.lead()
		for range 6 {
			p.raise()
		}
		year, _ := stats.ParsePeriod(p.clock.Now().In(pathway.London).Format("2006"))
		_, err := p.svc.StatisticsReport(p.ctx, lead, year)
		if waymark.ErrorCode(err) != waymark.EINVALID || !strings.Contains(waymark.ErrorMessage(err), "has not ended") {
			t.Fatalf("the year in progress: %v, want it refused until it ends", err)
		}
		p.clock.Set(year.To.Add(9 * time.Hour))
		rep := p.statistics(lead, year.Slug)
		if v := table(t, rep, "activity-by-period").RowTotals[0]; v.Suppressed || v.N != 6 {
			t.Errorf("the ended year counts %+v concerns, want 6", v)
		}
		if rep.Period.Label != year.Label {
			t.Errorf("the ended year reads %q, want %q", rep.Period.Label, year.Label)
		}
	})
}

// statsRowsUnder counts the statistics rows (cases and counted happenings)
// filed under each partnership.
func statsRowsUnder(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	n := map[string]int{}
	for _, table := range []string{"stats_cases", "stats_events"} {
		rows, err := db.SQL().Query(`SELECT partnership_id FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var part string
			if err := rows.Scan(&part); err != nil {
				t.Fatal(err)
			}
			n[table+" "+part]++
		}
		rows.Close()
	}
	return n
}

// §1.5: a note counts nothing, so the write that records it leaves the
// case's statistics rows alone, reading none of them (at a million cases
// each is a page from anywhere in a large index). The rows still move with
// the case's next event when its Children's Services organisation is moved
// to another partnership, as they always have: that is looked up outside
// the case, and the case row says where its rows were filed.
func TestANoteLeavesTheCountsAloneUnlessTheCaseHasMovedPartnership(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		first, second := p.raise(), p.raise()
		p.contact(first)
		statements := map[string]int{}
		note := func(id string) {
			t.Helper()
			db.ObserveStatements(func(q string, _ int64) {
				for _, s := range []string{"stats_cases", "stats_events"} {
					if strings.Contains(q, s) {
						statements[s]++
					}
				}
			})
			defer db.ObserveStatements(nil)
			if err := p.svc.Act(p.ctx, p.CSWorker, id, p.version(id), pathway.AddNote{Text: "Spoke to the school nurse."}); err != nil {
				t.Fatal(err)
			}
		}
		before := statsRowsUnder(t, db)
		note(first)
		if len(statements) != 0 {
			t.Errorf("a note ran %v statements on the statistics rows, want none", statements)
		}
		if got := statsRowsUnder(t, db); !maps.Equal(got, before) {
			t.Errorf("after a note the rows are filed %v, want %v as before", got, before)
		}

		// The organisation moves to another partnership: each case's rows
		// follow at its next event, a note included.
		var home string
		if err := db.Update(p.ctx, func(tx *store.Tx) error {
			var err error
			if home, err = tx.OrganisationPartnership(p.ChildrensServices.ID); err != nil {
				return err
			}
			if err := tx.InsertPartnership(store.Partnership{ID: "southshire", Name: "Southshire", Slug: "southshire", CreatedAt: p.clock.Now()}); err != nil {
				return err
			}
			return tx.SetOrganisationPartnership(p.ChildrensServices.ID, "southshire")
		}); err != nil {
			t.Fatal(err)
		}
		// Until then the rows are where they were, and verify knows they
		// are yet to move: their case rows no longer say where they are filed.
		if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Errorf("verify after the move, before the cases' next events: %v", err)
		}
		var naming int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM cases WHERE stats_filed LIKE '%' || $1 || '%'`, home).Scan(&naming); err != nil || naming != 0 {
			t.Errorf("after the move %d case rows still say their counts are filed under the old partnership (%v)", naming, err)
		}
		note(first)
		if statements["stats_cases"] == 0 {
			t.Error("a note on a case whose organisation moved partnership did not refile its statistics")
		}
		after := statsRowsUnder(t, db)
		if after["stats_cases southshire"] != 1 || after["stats_cases "+home] != 1 {
			t.Errorf("after a note on one of two moved cases the case rows are filed %v, want one under each partnership", after)
		}
		if after["stats_events southshire"] == 0 {
			t.Errorf("the noted case's counted happenings stayed behind: %v", after)
		}
		clear(statements)
		note(first)
		if len(statements) != 0 {
			t.Errorf("a second note after the move ran %v statements on the statistics rows, want none", statements)
		}
		note(second)
		if got := statsRowsUnder(t, db); got["stats_cases southshire"] != 2 || got["stats_cases "+home] != 0 {
			t.Errorf("after a note on each moved case the case rows are filed %v, want both under southshire", got)
		}
	})
}

// A database upgraded to where case rows say how their statistics are
// filed (migration 0046) says nothing for the cases already there, so their
// next event writes their rows as every event did before: rows left wrong
// by the last version (here, counted under a partnership the case was
// never in) are put right.
func TestACaseFromBeforeItsCountsWereFiledHasThemWrittenAtItsNextEvent(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		for _, q := range []string{`UPDATE cases SET stats_filed = ''`, `UPDATE stats_cases SET partnership_id = 'elsewhere'`, `UPDATE stats_events SET partnership_id = 'elsewhere'`} {
			if _, err := db.SQL().ExecContext(p.ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if err := p.svc.Act(p.ctx, p.CSWorker, id, p.version(id), pathway.AddNote{Text: "Spoke to the school nurse."}); err != nil {
			t.Fatal(err)
		}
		for k := range statsRowsUnder(t, db) {
			if strings.HasSuffix(k, " elsewhere") {
				t.Errorf("after the first event since the upgrade, %s rows are still filed elsewhere", k)
			}
		}
	})
}

// Before encryption is turned on, the statistics rows are filed under a
// token made with no key; the first start with a master key files them
// under the index key's token (SealPlaintext). A case is still counted
// once, not once under each token.
func TestCountsMadeBeforeEncryptionAreCountedOnceAfterIt(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		db.SetKeyRing(nil)
		p := newPartnership(t, db)
		first := p.raise()
		p.contact(first)
		p.raise()
		before := statsRowsUnder(t, db)
		next := storetest.Reopen(t, db) // the first start with a key
		next.SetKeyRing(storetest.KeyRing())
		if _, err := next.SealPlaintext(p.ctx); err != nil {
			t.Fatal(err)
		}
		if after := statsRowsUnder(t, next); !maps.Equal(after, before) {
			t.Errorf("after encryption was turned on the statistics rows are %v, want %v as before", after, before)
		}
		if _, err := next.SealHistory(p.ctx, p.clock.Now(), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := next.SealIdentityAsFound(p.ctx, p.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := next.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Errorf("verify after the first start with a key: %v", err)
		}
	})
}

// The statistics rows are a read model: `waymark verify` names one changed,
// deleted or added behind Waymark's back (each would be counted), and
// `waymark rebuild` writes them again from the events. A note leaves them
// alone, so without verify such a change would stay unseen.
func TestVerifyNamesStatisticsRowsChangedBehindWaymarksBack(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("verify before any change: %v", err)
		}
		for _, tc := range []struct{ name, sql, named string }{
			{"a case row changed", `UPDATE stats_cases SET gender = 'other'`, "stats_cases"},
			{"its counted happenings deleted", `DELETE FROM stats_events`, "stats_events"},
			{"a case's rows said to be filed elsewhere", `UPDATE cases SET stats_filed = '1' || chr(31) || 'elsewhere' || chr(31) || 'school'`, "stats_filed"},
			{"a case counted that is not there", `INSERT INTO stats_cases(token, partnership_id, raised_month) SELECT 'forged', partnership_id, raised_month FROM stats_cases`, "stats_cases"},
			{"a happening counted that is not there", `INSERT INTO stats_events(token, partnership_id, month, kind) VALUES ('forged', 'default', '2026-01', 'meeting')`, "stats_events"},
		} {
			q := tc.sql
			if db.Dialect == store.SQLite {
				q = strings.ReplaceAll(q, "chr(31)", "char(31)")
			}
			if _, err := db.SQL().ExecContext(p.ctx, q); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			_, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true})
			var te *store.TamperError
			if !errors.As(err, &te) || !strings.Contains(te.Reason, tc.named) {
				t.Errorf("%s: verify said %v, want %s named", tc.name, err, tc.named)
			}
			for _, q := range []string{`DELETE FROM stats_cases WHERE token = 'forged'`, `DELETE FROM stats_events WHERE token = 'forged'`} {
				if _, err := db.SQL().ExecContext(p.ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := p.svc.RebuildReadModels(p.ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
				t.Fatalf("%s: verify after a rebuild: %v", tc.name, err)
			}
		}
	})
}

// An earlier release, at the first start with a master key, left each
// case's statistics rows under the keyless token as well as the keyed one,
// so the case was counted twice. Verify names such rows, and the remedy it
// gives, `waymark rebuild`, leaves each case counted once.
func TestRowsLeftUnderTheKeylessTokenAreNamedAndRebuildCountsEachCaseOnce(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		want := statsRowsUnder(t, db)
		keyless := crypt.NewIndex(make([]byte, crypt.KeySize)).MatchHandle("statistics", id)
		for _, q := range []string{
			`INSERT INTO stats_cases(token, partnership_id, raised_month, contact_month, exploitation_types, age_band, gender, nationality,
				referrer_kind, nrm_on, first_responder, decision_maker, rg_outcome, rg_on, cg_outcome, cg_on)
			SELECT $1, partnership_id, raised_month, contact_month, exploitation_types, age_band, gender, nationality,
				referrer_kind, nrm_on, first_responder, decision_maker, rg_outcome, rg_on, cg_outcome, cg_on FROM stats_cases`,
			`INSERT INTO stats_events(token, partnership_id, month, kind, detail, outcome, due_on)
			SELECT $1, partnership_id, month, kind, detail, outcome, due_on FROM stats_events`,
		} {
			if _, err := db.SQL().ExecContext(p.ctx, q, keyless); err != nil {
				t.Fatal(err)
			}
		}
		_, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true})
		var te *store.TamperError
		if !errors.As(err, &te) || !strings.Contains(te.Reason, "waymark rebuild") {
			t.Errorf("verify with the case counted twice said %v, want the stray rows named and rebuild given as the remedy", err)
		}
		if _, err := p.svc.RebuildReadModels(p.ctx); err != nil {
			t.Fatal(err)
		}
		if got := statsRowsUnder(t, db); !maps.Equal(got, want) {
			t.Errorf("after a rebuild the statistics rows are %v, want %v", got, want)
		}
		if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Errorf("verify after a rebuild: %v", err)
		}
	})
}

// Someone with write access to the database moves a case's counts to
// another partnership and makes it a police referral, changing the rows
// and what the case row says of them alike: verify compares what the case
// row says with what the case's organisations give, and names it.
func TestCountsMovedToAnotherPartnershipBehindWaymarksBackAreNamed(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		sep := "chr(31)"
		if db.Dialect == store.SQLite {
			sep = "char(31)"
		}
		for _, q := range []string{
			`UPDATE stats_cases SET partnership_id = 'elsewhere', referrer_kind = 'police'`,
			`UPDATE stats_events SET partnership_id = 'elsewhere'`,
			`UPDATE cases SET stats_filed = '1' || ` + sep + ` || 'elsewhere' || ` + sep + ` || 'police'`,
		} {
			if _, err := db.SQL().ExecContext(p.ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		_, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true})
		var te *store.TamperError
		if !errors.As(err, &te) || te.CaseID != id || !strings.Contains(te.Reason, "stats_filed") {
			t.Errorf("verify with the case counted elsewhere said %v, want case %s's stats_filed named", err, id)
		}
	})
}

// A database written without a master key, with cases recorded before the
// statistics read model (listed to be filled): the first start with a key
// fills their rows before the organisations are sealed as found, when no
// partnership can be trusted, so they are filed under none; sealing the
// organisations then files them where they belong. Without that, they
// would drop out of their partnership's counts until their next event.
func TestCasesCountedAtTheFirstStartWithAKeyAreCountedUnderTheirPartnership(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		db.SetKeyRing(nil)
		p := newPartnership(t, db)
		p.contact(p.raise())
		p.raise()
		want := statsRowsUnder(t, db)
		for _, q := range []string{`DELETE FROM stats_cases`, `DELETE FROM stats_events`, `UPDATE cases SET stats_filed = ''`, `INSERT INTO stats_unfilled(case_id) SELECT id FROM cases`} {
			if _, err := db.SQL().ExecContext(p.ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		next := storetest.Reopen(t, db) // the first start with a key, in the order a start takes
		next.SetKeyRing(storetest.KeyRing())
		if _, err := next.SealPlaintext(p.ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := next.FillStatistics(p.ctx); err != nil || n != 2 {
			t.Fatalf("filled %d cases' statistics, %v; want 2", n, err)
		}
		if _, err := next.SealHistory(p.ctx, p.clock.Now(), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := next.SealIdentityAsFound(p.ctx, p.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if got := statsRowsUnder(t, next); !maps.Equal(got, want) {
			t.Errorf("after the first start with a key the statistics rows are %v, want %v as they were without one", got, want)
		}
		if _, err := next.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Errorf("verify after the first start with a key: %v", err)
		}
	})
}

// On PostgreSQL a concern raised while its Children's Services organisation
// is moved to another partnership: the move cannot see the new case, so the
// raise's save of its counts holds the organisation until it commits, and
// the move then empties what it filed (or the raise files the new
// partnership). Either way verify finds the counts filed as the case's
// organisations give, rather than naming a change nobody made.
// holdStatistics begins a PostgreSQL transaction of the test's own that
// holds stats_cases in share mode, so a save writing statistics waits there
// once it has read its organisation's partnership. waiting(n, unless) says
// when n sessions wait for a lock, or false once unless has ended (its
// result left in it for the caller).
func holdStatistics(t *testing.T, db *store.DB) (*sql.Tx, func(n int, unless chan error) bool) {
	t.Helper()
	ctx := context.Background()
	hold, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hold.Rollback() })
	if _, err := hold.ExecContext(ctx, `LOCK TABLE stats_cases IN SHARE MODE`); err != nil {
		t.Fatal(err)
	}
	return hold, func(n int, unless chan error) bool {
		t.Helper()
		return storetest.WaitForLockWaiters(t, db, n, storetest.Ended(unless)) // a nil unless never ends
	}
}

func TestAConcernRaisedWhileItsOrganisationMovesIsFiledWhereItEndsUp(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		if db.Dialect != store.Postgres {
			t.Skip("SQLite writers take turns")
		}
		p := newPartnership(t, db)
		p.raise()
		if err := db.Update(p.ctx, func(tx *store.Tx) error {
			return tx.InsertPartnership(store.Partnership{ID: "southshire", Name: "Southshire", Slug: "southshire", CreatedAt: p.clock.Now()})
		}); err != nil {
			t.Fatal(err)
		}
		// A session of the test holds the statistics table: the raise
		// waits there, after it has read its organisation's partnership.
		hold, waiting := holdStatistics(t, db)
		raised := make(chan string, 1)
		go func() {
			id, err := p.svc.RaiseConcern(p.ctx, p.Teacher, storetest.ValidConcern(p.clock.Now()))
			if err != nil {
				t.Error(err)
			}
			raised <- id
		}()
		waiting(1, nil)
		moved := make(chan error, 1)
		go func() {
			moved <- db.Update(p.ctx, func(tx *store.Tx) error { return tx.SetOrganisationPartnership(p.ChildrensServices.ID, "southshire") })
		}()
		if !waiting(2, moved) {
			t.Error("the move committed while the raise that had read the old partnership was still open")
		}
		if err := hold.Rollback(); err != nil {
			t.Fatal(err)
		}
		id := <-raised
		if err := <-moved; err != nil {
			t.Fatal(err)
		}
		if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Errorf("verify after a raise met its organisation's move: %v", err)
		}
		if err := p.svc.Act(p.ctx, p.CSWorker, id, p.version(id), pathway.AddNote{Text: "Spoke to the school nurse."}); err != nil {
			t.Fatal(err)
		}
		if got := statsRowsUnder(t, db); got["stats_cases southshire"] != 1 {
			t.Errorf("after its next event the new case's counts are filed %v, want it under southshire", got)
		}
	})
}

// On PostgreSQL a transfer agreed (§7.1) while the receiving Children's
// Services organisation is moved to a third partnership: the agreement's
// save files the case under the partnership it read, and holds the
// organisation until it commits, so the move waits and then empties what
// it filed. Verify finds nothing wrong, and the case's next event counts it
// where its organisation ended up.
func TestATransferAgreedWhileTheReceivingOrganisationMovesIsFiledWhereItEndsUp(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		if db.Dialect != store.Postgres {
			t.Skip("SQLite writers take turns")
		}
		w := newHandOverWorld(t, db)
		id := w.propose(pathway.HandOverTransfer)
		hold, waiting := holdStatistics(t, db)
		agreed := make(chan error, 1)
		go func() { agreed <- w.svc.AgreeHandOver(w.ctx, w.southLead, id, "org-south-cs") }()
		if !waiting(1, agreed) {
			t.Fatalf("the agreement did not come to write its counts: %v", <-agreed)
		}
		moved := make(chan error, 1)
		go func() { moved <- moveOrganisationErr(w, "org-south-cs", "westshire") }()
		if !waiting(2, moved) {
			t.Error("the move committed while the agreement that had read the old partnership was still open")
		}
		if err := hold.Rollback(); err != nil {
			t.Fatal(err)
		}
		if err := <-agreed; err != nil {
			t.Fatal(err)
		}
		if err := <-moved; err != nil {
			t.Fatal(err)
		}
		if _, err := db.Verify(w.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Errorf("verify after a transfer met its receiving organisation's move: %v", err)
		}
		if err := w.svc.Act(w.ctx, w.southWorker, w.caseID, w.version(w.caseID), pathway.AddNote{Text: "Met the child at the new placement."}); err != nil {
			t.Fatal(err)
		}
		if got := statsRowsUnder(t, db); got["stats_cases westshire"] != 1 || got["stats_cases southshire"] != 0 {
			t.Errorf("after its next event the transferred case's counts are filed %v, want it under westshire", got)
		}
	})
}
