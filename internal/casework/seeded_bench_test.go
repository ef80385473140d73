package casework_test

// Benchmarks on a database written by `waymark-load seed`, so that the same
// queries can be timed at 10,000, 100,000 and 1,000,000 cases without
// loading them in the test binary:
//
//	waymark-load seed --database /tmp/s/w.db --master-key-file /tmp/s/keys --cases 1000000 --audit case
//	WAYMARK_BENCH_SEEDED=/tmp/s/w.db WAYMARK_BENCH_SEEDED_KEYS=/tmp/s/keys \
//	  go test ./internal/casework -run '^$' -bench BenchmarkSeeded -benchtime 200x
//
// The benchmarks act as the first seeded partnership's people (cs1, the
// manager, the lead, the teacher). Every read they time is audited, as in
// the service, so the file grows by one audit entry a read, and the write
// benchmark appends notes to seeded cases: run it on a copy you can spare.
// The database is migrated first, as `waymark serve` would.

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/crypt"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

type seededFixture struct {
	db      *store.DB
	svc     *casework.Service
	size    int64 // the file and its -wal, bytes
	cases   int
	cs      casework.Viewer // cs1: Children's Services front door
	manager casework.Viewer
	lead    casework.Viewer
	teacher casework.Viewer
	open    []string // cases cs1 can open: the first page of their case list
}

func openSeeded(b *testing.B) *seededFixture {
	b.Helper()
	file, keys := os.Getenv("WAYMARK_BENCH_SEEDED"), os.Getenv("WAYMARK_BENCH_SEEDED_KEYS")
	if file == "" || keys == "" {
		b.Skip("set WAYMARK_BENCH_SEEDED (a database written by waymark-load seed) and WAYMARK_BENCH_SEEDED_KEYS (its master key file)")
	}
	ctx := context.Background()
	text, err := os.ReadFile(keys)
	if err != nil {
		b.Fatal(err)
	}
	ring, err := crypt.ParseKeys(string(text))
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(ctx, file)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	db.SetKeyRing(ring)
	if err := db.CheckKeysMatch(ctx); err != nil {
		b.Fatal(err)
	}
	f := &seededFixture{db: db}
	f.svc = casework.New(db, storetest.Catalog(), time.Now, nil)
	viewer := func(slot string) casework.Viewer {
		var u store.User
		if err := db.View(ctx, func(tx *store.Tx) error {
			var err error
			u, err = tx.UserByEmail(slot + ".p001@load.waymark.example")
			return err
		}); err != nil {
			b.Fatalf("%s of the first seeded partnership: %v", slot, err)
		}
		return casework.Viewer{User: u}
	}
	f.cs, f.manager, f.lead, f.teacher = viewer(benchViewer()), viewer("manager"), viewer("lead"), viewer("teacher")
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&f.cases); err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{file, file + "-wal"} {
		if st, err := os.Stat(name); err == nil {
			f.size += st.Size()
		}
	}
	cases, _, err := f.svc.MyCasesPage(ctx, f.cs, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range cases {
		f.open = append(f.open, c.ID)
	}
	if len(f.open) == 0 {
		b.Fatal("cs1.p001 has no cases to open")
	}
	return f
}

func (f *seededFixture) report(b *testing.B, listed int) {
	b.ReportMetric(float64(f.cases), "cases")
	b.ReportMetric(float64(f.size), "db-bytes")
	b.ReportMetric(float64(listed), "listed")
}

// BenchmarkSeededLists times every list a person opens, and the case page,
// on a seeded database; compare runs on seeds of 10,000, 100,000 and
// 1,000,000 cases to see whether a list grows with the number of cases.
func BenchmarkSeededLists(b *testing.B) {
	f := openSeeded(b)
	ctx := context.Background()
	secondPage := func(v casework.Viewer) func() (int, error) {
		_, first, err := f.svc.MyCasesPage(ctx, v, nil)
		if err != nil {
			b.Fatal(err)
		}
		if first.Next == nil {
			return nil
		}
		return func() (int, error) { cs, _, err := f.svc.MyCasesPage(ctx, v, first.Next); return len(cs), err }
	}
	inboxNext := func() func() (int, error) {
		_, links, err := f.svc.InboxPage(ctx, f.cs, nil)
		if err != nil {
			b.Fatal(err)
		}
		if links.Next == nil {
			return nil
		}
		next := links.Next
		return func() (int, error) {
			l, _, err := f.svc.InboxPage(ctx, f.cs, next)
			return len(l), err
		}
	}
	search := func(q string) func() (int, error) {
		return func() (int, error) { c, _, err := f.svc.SearchPage(ctx, f.cs, q, nil); return len(c), err }
	}
	searchNext := func(q string) func() (int, error) {
		_, first, err := f.svc.SearchPage(ctx, f.cs, q, nil)
		if err != nil {
			b.Fatal(err)
		}
		if first.Next == nil {
			return nil
		}
		return func() (int, error) { c, _, err := f.svc.SearchPage(ctx, f.cs, q, first.Next); return len(c), err }
	}
	var opened int
	lists := []struct {
		name string
		list func() (int, error)
	}{
		{"Inbox", func() (int, error) { l, _, err := f.svc.InboxPage(ctx, f.cs, nil); return len(l), err }},
		{"Inbox/page-2", inboxNext()},
		{"MyWork", func() (int, error) { w, _, err := f.svc.MyWorkPage(ctx, f.cs, nil); return len(w), err }},
		{"MyWork/manager", func() (int, error) { w, _, err := f.svc.MyWorkPage(ctx, f.manager, nil); return len(w), err }},
		{"OverdueCount", func() (int, error) { return f.svc.OverdueCount(ctx, f.cs) }},
		{"MyCases/childrens-services", func() (int, error) { c, _, err := f.svc.MyCasesPage(ctx, f.cs, nil); return len(c), err }},
		{"MyCases/childrens-services/page-2", secondPage(f.cs)},
		{"MyCases/referrer", func() (int, error) { c, _, err := f.svc.MyCasesPage(ctx, f.teacher, nil); return len(c), err }},
		{"MyCases/referrer/page-2", secondPage(f.teacher)},
		// A given name (one case in 20 of the seed's), a given and a family
		// name (one in 280), and a word every seeded case has (its alias
		// "Kid N"), first page and second.
		{"Search", search("Amira")},
		{"Search/two-names", search("Amira Example")},
		{"Search/every-case", search("Kid")},
		{"Search/every-case/page-2", searchNext("Kid")},
		{"Alerts", func() (int, error) { a, _, err := f.svc.AlertsPage(ctx, f.lead, nil); return len(a), err }},
		{"Escalations", func() (int, error) { e, _, err := f.svc.EscalationsPage(ctx, f.lead, nil); return len(e), err }},
		{"RetentionReview", func() (int, error) { r, err := f.svc.RetentionReview(ctx, f.lead); return len(r), err }},
		// Readers of running deadlines only (migration 0040): the lead's
		// count by organisation, the /metrics counts and the reminder
		// scanner's window (pathway.DefaultReminders).
		{"OverdueByOrganisation", func() (int, error) { o, err := f.svc.OverdueAcrossThePartnership(ctx, f.lead); return len(o), err }},
		{"MetricsGauges", func() (int, error) {
			g, err := f.db.ReadGauges(ctx, time.Now(), 2*time.Hour)
			return len(g.ClocksOverdue), err
		}},
		{"ReminderWindow", func() (int, error) {
			rc, now := pathway.DefaultReminders, time.Now()
			var n int
			err := f.db.View(ctx, func(tx *store.Tx) error {
				due, err := tx.ReminderClocks(now.Add(-rc.OverdueLookback), now.Add(rc.MaxLead()))
				n = len(due)
				return err
			})
			return n, err
		}},
		{"CasePage", func() (int, error) {
			opened++
			_, err := f.svc.Case(ctx, f.cs, f.open[opened%len(f.open)])
			return 1, err
		}},
	}
	for _, l := range lists {
		if l.list == nil {
			continue
		}
		b.Run(l.name, func(b *testing.B) {
			var listed int
			for range b.N {
				n, err := l.list()
				if err != nil {
					b.Fatal(err)
				}
				listed = n
			}
			b.StopTimer()
			f.report(b, listed)
		})
	}
}

// BenchmarkSeededRecordNote: cs1 adds a note to one of their cases, one
// durable, audited write a time, on a seeded database.
func BenchmarkSeededRecordNote(b *testing.B) {
	f := openSeeded(b)
	ctx := context.Background()
	b.StopTimer()
	for i := range b.N {
		id := f.open[i%len(f.open)]
		view, err := f.svc.Case(ctx, f.cs, id)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := f.svc.Act(ctx, f.cs, id, view.Case.Version, pathway.AddNote{Text: fmt.Sprintf("Benchmark note %d (fictional).", i)}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
	}
	f.report(b, 1)
}

// BenchmarkSeededRaiseConcern: the teacher of the first seeded partnership
// raises a concern (§5.1), one durable, audited write a time: the
// partnership's Children's Services team is found, the case filed, and the
// child compared with the cases filed under the same matching keys.
//
// write-ms/op is how long each raise's write transaction took, begin to
// commit: one at a time, that is how long it held the write lock every
// page's audit entry waits for.
func BenchmarkSeededRaiseConcern(b *testing.B) {
	f := openSeeded(b)
	ctx := context.Background()
	f.db.SetChildrensServicesOrg("org-p001-cs") // as the load runs serve it
	writes := &writeTimes{}
	f.db.SetTimings(writes)
	defer f.db.SetTimings(nil)
	b.ResetTimer()
	for range b.N {
		if _, err := f.svc.RaiseConcern(ctx, f.teacher, storetest.ValidConcern(time.Now())); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	f.report(b, 1)
	b.ReportMetric(float64(writes.total.Load())/1e6/float64(b.N), "write-ms/op")
}

// writeTimes adds up the durations of write transactions (store.Timings).
type writeTimes struct{ total atomic.Int64 }

func (w *writeTimes) ObserveTransaction(kind string, d time.Duration) {
	if kind == "update" {
		w.total.Add(int64(d))
	}
}

func (w *writeTimes) ObserveStatement(string, time.Duration) {}

// benchViewer is the Children's Services slot the seeded list benchmarks
// view as: cs1, who holds no case of their own, unless
// WAYMARK_BENCH_SEEDED_VIEWER names another (sw1 is assigned cases, so
// their lists walk their own cases beside their team's).
func benchViewer() string {
	if v := os.Getenv("WAYMARK_BENCH_SEEDED_VIEWER"); v != "" {
		return v
	}
	return "cs1"
}
