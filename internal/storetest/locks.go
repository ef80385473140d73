package storetest

import (
	"context"
	"testing"
	"time"

	"waymark/internal/store"
)

// WaitForLockWaiters waits until n sessions of the test's own wait for a
// lock on its PostgreSQL server, and reports true; or reports false as
// soon as stop does (a session expected to come to wait has ended
// instead). It fails the test when fewer than n wait within 30 s. Only
// sessions named as db's are counted (application_name, which storetest
// sets to the test's schema): tests of other packages share the server and
// its database, and their waiters are not this test's. It polls the
// server's own lock table: the test waits for a state, not for a time.
func WaitForLockWaiters(t testing.TB, db *store.DB, n int, stop func() bool) bool {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		if stop != nil && stop() {
			return false
		}
		var got int
		if err := db.SQL().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
			AND application_name = current_setting('application_name')`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got >= n {
			return true
		}
		time.Sleep(10 * time.Millisecond) // polling the server's lock table, not timing
	}
	t.Fatalf("fewer than %d of the test's sessions came to wait for a lock within 30 s", n)
	return false
}

// Ended reports, without waiting, whether ch has given its value; the
// value is put back for the caller. For WaitForLockWaiters' stop; a nil
// channel never ends.
func Ended[T any](ch chan T) func() bool {
	return func() bool {
		select {
		case v := <-ch:
			ch <- v
			return true
		default:
			return false
		}
	}
}
