package store_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"waymark"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Two writes that each hold a row the other needs deadlock on PostgreSQL,
// which fails one of them. The one failed saves nothing and says to try
// again; only a write that appended to a case speaks of a case, so a
// sign-in or a change of staff caught this way is not told to reload a
// case it never saw. (SQLite runs one write at a time, so two of its
// writes never deadlock; it says the same when another process holds the
// file past the busy timeout.)
func TestAClashingWriteSavesNothingAndNamesACaseOnlyIfItWroteOne(t *testing.T) {
	for _, tc := range []struct {
		name     string
		caseData bool
		want     string
		notWant  string
	}{
		{"a write that is not a case's", false, "Another change to the same records", "case"},
		{"a case's write", true, "Someone else saved this case", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !storetest.WantPostgres(t) {
				t.Skip("only PostgreSQL runs two writes at once")
			}
			db := storetest.Postgres(t)
			if err := db.Update(ctx, func(tx *store.Tx) error {
				_, err := tx.SQLForTest(`CREATE TABLE clash(id int PRIMARY KEY, n int NOT NULL); INSERT INTO clash VALUES (1, 0), (2, 0)`)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			// write takes row first, then, once the other holds its own
			// first row, row then: the two orders cross.
			held := [2]chan struct{}{make(chan struct{}), make(chan struct{})}
			done := make(chan struct{}) // closed when either write has ended
			end := sync.OnceFunc(func() { close(done) })
			write := func(i int, caseID string, first, then int) error {
				return db.Update(ctx, func(tx *store.Tx) error {
					hold := sync.OnceFunc(func() { close(held[i]) })
					defer hold() // a write failing early must not leave the other waiting
					if tc.caseData {
						if err := tx.AppendEvents(caseID, 0, []pathway.Event{concernRaised(t, caseID, storetest.Start)}); err != nil {
							return err
						}
					}
					if _, err := tx.SQLForTest(`UPDATE clash SET n = n + 1 WHERE id = $1`, first); err != nil {
						return err
					}
					hold()
					select {
					case <-held[1-i]:
					case <-done: // the other write ended without holding its row
						return errors.New("the other write ended before it held its row")
					}
					_, err := tx.SQLForTest(`UPDATE clash SET n = n + 1 WHERE id = $1`, then)
					return err
				})
			}
			errs := make(chan error, 2)
			go func() { defer end(); errs <- write(0, "case-a", 1, 2) }()
			go func() { defer end(); errs <- write(1, "case-b", 2, 1) }()
			var failed []error
			for range 2 {
				if err := <-errs; err != nil {
					failed = append(failed, err)
				}
			}
			if len(failed) != 1 {
				t.Fatalf("%d of the two crossing writes failed (%v), want one: PostgreSQL breaks the deadlock by failing one", len(failed), failed)
			}
			err := failed[0]
			var we *waymark.Error
			if !errors.As(err, &we) || we.Code != waymark.ECONFLICT || !waymark.IsClash(err) {
				t.Fatalf("the write PostgreSQL failed: %v, want ECONFLICT marked as a clash", err)
			}
			if !strings.Contains(we.Message, tc.want) || (tc.notWant != "" && strings.Contains(we.Message, tc.notWant)) {
				t.Fatalf("the write PostgreSQL failed says %q, want it to say %q and not %q", we.Message, tc.want, tc.notWant)
			}
			if n := count(t, db, `SELECT SUM(n) FROM clash`); n != 2 {
				t.Fatalf("the rows were raised %d times, want 2: the failed write must save nothing", n)
			}
			if tc.caseData {
				if n := count(t, db, `SELECT COUNT(*) FROM case_events`); n != 1 {
					t.Fatalf("%d events saved, want the one of the write that succeeded", n)
				}
			}
		})
	}
}
