package reliability

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// previousSchema is an early schema a database in the field may still be
// at: the first that held the whole pathway's read models, written here in
// plain text as it was then, and upgraded through seal-history. The upgrade
// from the last tagged release, made by that release's own binary, is
// release_test.go.
const previousSchema = "0002"

// A database at the previous schema, holding cases, drafts, people and an
// audit chain as that schema stored them (in plain text: encryption at rest
// came later), is upgraded by `waymark migrate` with a master key configured:
// afterwards every case and event reads back exactly as before, the read
// models rebuild to the same lists, drafts still open, and the audit chain
// verifies.
func TestPreviousSchemaMigratesForwardWithoutLoss(t *testing.T) {
	type stores struct {
		name       string
		made, old  *store.DB
		oldURL     string
		tablesSQL  string
		columnsSQL string
	}
	run := func(t *testing.T, st stores) {
		ctx := context.Background()
		// 1. What the previous schema held: written by the use cases into a
		// scratch database without a master key, so the rows are the plain
		// text the previous release wrote.
		st.made.SetKeyRing(nil)
		clock := storetest.NewClock(time.Now().UTC().Truncate(time.Second).Add(-48 * time.Hour))
		p := storetest.NewPartnership(t, st.made, clock)
		svc := storetest.Service(t, st.made, clock)
		ids := writeHistory(t, svc, p, clock)
		d, err := svc.NewDraft(ctx, p.GPDoctor)
		if err != nil {
			t.Fatal(err)
		}
		draft := casework.DraftAnswers{Concern: storetest.ValidConcern(clock.Now()), Raw: map[string]string{"immediateRisk": "no"}}
		if _, err := svc.SaveDraft(ctx, p.GPDoctor, d.ID, d.Version, draft); err != nil {
			t.Fatal(err)
		}

		// 2. The database at the previous schema, holding those rows.
		if err := st.old.MigrateTo(ctx, previousSchema); err != nil {
			t.Fatal(err)
		}
		if v, _ := st.old.SchemaVersion(ctx); !strings.HasPrefix(v, previousSchema) {
			t.Fatalf("fixture at schema %q, want %s", v, previousSchema)
		}
		copyRows(t, st.made, st.old, st.tablesSQL, st.columnsSQL)
		st.old.Close()

		// 3. The upgrade, by the real program, with encryption at rest on.
		out, err := waymark(t, "migrate", "--database", st.oldURL)
		if err != nil {
			t.Fatalf("waymark migrate: %v\n%s", err, out)
		}
		latest, _ := st.made.SchemaVersion(ctx)
		if !strings.Contains(out, latest) || !strings.Contains(out, "waymark seal-history") {
			t.Errorf("after migrate: %q, want schema %s and the seal-history step", out, latest)
		}
		// Nothing seals the history behind the operator's back: serve's
		// start-up, and every command that writes, refuse until they run
		// seal-history, the one step that seals it as found.
		if out, err := waymark(t, "rebuild", "--database", st.oldURL); err == nil || !strings.Contains(out, "waymark seal-history") {
			t.Fatalf("rebuild on a history that still needs sealing: %v\n%s", err, out)
		}
		if out, err := waymark(t, "seal-history", "--database", st.oldURL); err != nil || !strings.Contains(out, "sealed") {
			t.Fatalf("waymark seal-history: %v\n%s", err, out)
		}
		if out, err := waymark(t, "seal-history", "--database", st.oldURL); err != nil || !strings.Contains(out, "nothing to seal") {
			t.Fatalf("waymark seal-history a second time: %v\n%s", err, out)
		}
		up, err := store.Open(ctx, st.oldURL)
		if err != nil {
			t.Fatal(err)
		}
		defer up.Close()
		up.SetKeyRing(keyRing(t))

		// Every case and event reads back as it was.
		want, wantAudit := snapshot(t, st.made)
		got, gotAudit := snapshot(t, up)
		sameCases(t, want, got)
		if len(got) != len(ids) {
			t.Errorf("%d cases after the upgrade, want %d", len(got), len(ids))
		}
		if gotAudit < wantAudit {
			t.Errorf("audit chain of %d entries after the upgrade, had %d", gotAudit, wantAudit)
		}
		// The read models rebuild, and list the same cases to the same people.
		if out, err := waymark(t, "rebuild", "--database", st.oldURL); err != nil || !strings.Contains(out, fmt.Sprintf("rebuilt read models of %d cases", len(ids))) {
			t.Fatalf("waymark rebuild: %v\n%s", err, out)
		}
		for _, v := range []casework.Viewer{p.Teacher, p.CSWorker, p.PoliceLead, p.GPDoctor} {
			if w, g := listFor(t, st.made, v), listFor(t, up, v); w != g {
				t.Errorf("%s's case list after the upgrade:\n got %s\nwant %s", v.User.Name, g, w)
			}
		}
		// The draft still opens.
		upSvc := storetest.Service(t, up, clock)
		_, a, err := upSvc.Draft(ctx, p.GPDoctor, d.ID)
		if err != nil || a.Concern.Child.FullName() != draft.Concern.Child.FullName() || a.Raw["immediateRisk"] != "no" {
			t.Errorf("draft after the upgrade: %+v, %v", a, err)
		}
		if out, err := waymark(t, "audit", "verify", "--database", st.oldURL); err != nil {
			t.Fatalf("waymark audit verify after the upgrade: %v\n%s", err, out)
		}
	}

	t.Run("sqlite", func(t *testing.T) {
		made := storetest.SQLite(t)
		file := filepath.Join(privateDir(t), "previous.db")
		old, err := store.Open(context.Background(), file)
		if err != nil {
			t.Fatal(err)
		}
		defer old.Close()
		run(t, stores{name: "sqlite", made: made, old: old, oldURL: file,
			tablesSQL:  `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
			columnsSQL: `SELECT name FROM pragma_table_info($1)`})
	})
	if storetest.WantPostgres(t) {
		t.Run("postgres", func(t *testing.T) {
			made := storetest.Postgres(t)
			old, oldURL := emptySchema(t)
			defer old.Close()
			run(t, stores{name: "postgres", made: made, old: old, oldURL: oldURL,
				tablesSQL:  `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`,
				columnsSQL: `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`})
		})
	}
}

// writeHistory raises three concerns and takes them along the pathway by
// the use cases: contact, outcome, notes, a worker assigned.
func writeHistory(t *testing.T, svc *casework.Service, p storetest.Partnership, clock *storetest.Clock) []string {
	t.Helper()
	ctx := context.Background()
	var ids []string
	for i, referrer := range []casework.Viewer{p.Teacher, p.GPDoctor, p.Teacher} {
		id, err := svc.RaiseConcern(ctx, referrer, storetest.ValidConcern(clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		clock.Advance(time.Hour)
		steps := []func(version int) error{
			func(v int) error {
				_, err := svc.RecordContact(ctx, p.CSWorker, id, v, pathway.ContactMethods()[0].Value, "Called back.")
				return err
			},
			func(v int) error {
				return svc.Act(ctx, p.CSWorker, id, v, pathway.AddNote{Text: "Spoke to the nurse."})
			},
			func(v int) error {
				return svc.RecordOutcome(ctx, p.Manager, id, v, pathway.Outcomes()[0].Value, "Strategy discussion tomorrow.")
			},
			func(v int) error {
				return svc.Act(ctx, p.Manager, id, v, pathway.AssignWorker{WorkerEmail: p.SocialWorker.User.Email})
			},
		}
		for j, step := range steps[:1+i*(len(steps)-1)/2] {
			view, err := svc.Case(ctx, p.CSWorker, id)
			if err != nil {
				t.Fatal(err)
			}
			if err := step(view.Case.Version); err != nil {
				t.Fatalf("case %d step %d: %v", i, j, err)
			}
			clock.Advance(10 * time.Minute)
		}
	}
	return ids
}

// copyRows copies every table of the older schema from one database to
// another, taking the columns the older schema has.
func copyRows(t *testing.T, from, to *store.DB, tablesSQL, columnsSQL string) {
	t.Helper()
	strs := func(db *store.DB, q string, args ...any) []string {
		rows, err := db.SQL().Query(q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			rows.Scan(&s)
			out = append(out, s)
		}
		return out
	}
	tables := strs(to, tablesSQL)
	// Parents before children, for the foreign keys.
	order := []string{"organisations", "users", "cases"}
	slices.SortStableFunc(tables, func(a, b string) int {
		ia, ib := slices.Index(order, a), slices.Index(order, b)
		if ia < 0 {
			ia = len(order)
		}
		if ib < 0 {
			ib = len(order)
		}
		return ia - ib
	})
	for _, table := range tables {
		if table == "schema_migrations" {
			continue
		}
		cols := strs(to, columnsSQL, table)
		if _, err := to.SQL().Exec(`DELETE FROM ` + table); err != nil {
			t.Fatal(err)
		}
		sel := slices.Clone(cols)
		for i, c := range sel {
			if table == "organisations" && c == "first_responder" {
				sel[i] = "first_responder_designation <> ''" // the flag migration 0027 made a designation
			}
		}
		rows, err := from.SQL().Query(`SELECT ` + strings.Join(sel, ", ") + ` FROM ` + table)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		marks := make([]string, len(cols))
		for i := range marks {
			marks[i] = fmt.Sprintf("$%d", i+1)
		}
		insert := `INSERT INTO ` + table + `(` + strings.Join(cols, ", ") + `) VALUES (` + strings.Join(marks, ", ") + `)`
		n := 0
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			if _, err := to.SQL().Exec(insert, vals...); err != nil {
				t.Fatalf("%s: %v", insert, err)
			}
			n++
		}
		rows.Close()
		if table == "case_events" && n == 0 {
			t.Fatal("no events copied")
		}
	}
}

// listFor is the viewer's case list as one comparable string.
func listFor(t *testing.T, db *store.DB, v casework.Viewer) string {
	t.Helper()
	var out []string
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		cs, err := tx.CasesFor(v.User.ID, v.User.OrgID, 500)
		for _, c := range cs {
			due := ""
			if c.NextClockDue != nil {
				due = c.NextClockDue.UTC().Format(time.RFC3339)
			}
			out = append(out, fmt.Sprintf("%s|%s|%s|%s|v%d|%s|%s|%s", c.ID, c.Reference, c.Stage, c.ChildName, c.Version,
				c.UpdatedAt.UTC().Format(time.RFC3339Nano), c.NextClockLabel, due))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return strings.Join(out, "\n ")
}

// emptySchema makes a PostgreSQL schema with nothing in it (dropped when
// the test ends) and returns a store on it and its URL.
func emptySchema(t *testing.T) (*store.DB, string) {
	t.Helper()
	base := os.Getenv(storetest.EnvDatabaseURL)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	schema := fmt.Sprintf("t_upgrade_%d", time.Now().UnixNano())
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	u := withSearchPath(t, base, schema)
	db, err := store.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	return db, u
}
