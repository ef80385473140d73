package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark/internal/audit"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// A SQLite file's writes run on a connection of their own, so a write,
// and the audit entry every read waits for (auditbatch.go), goes ahead
// while reads hold every connection of the pool (docs/performance.md,
// "Fewer SQLite connections").
func TestAWriteGoesAheadWhileReadsHoldEveryConnection(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		if db.Dialect != store.SQLite {
			t.Skip("PostgreSQL runs writes on the pool: each is a backend of its own")
		}
		ctx := t.Context()
		n := db.SQL().Stats().MaxOpenConnections
		if total, _ := db.Connections(); total != n+1 {
			t.Fatalf("%d connections in all for a pool of %d reads, want one more for writes", total, n)
		}
		release := make(chan struct{})
		held := make(chan struct{}, n)
		done := make(chan error, n)
		for range n {
			go func() {
				done <- db.View(ctx, func(*store.Tx) error { held <- struct{}{}; <-release; return nil })
			}()
		}
		for range n {
			<-held
		}
		defer func() {
			close(release)
			for range n {
				if err := <-done; err != nil {
					t.Error(err)
				}
			}
		}()
		// Both a write and a read's audit entry (written by the group-commit
		// writer through Update) finish while every read connection is held.
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := db.Update(wctx, func(tx *store.Tx) error {
			return tx.AppendAudit(audit.Entry{At: time.Now(), ActorID: "user-1", Action: "test.write"})
		}); err != nil {
			t.Fatalf("a write while reads held the pool: %v", err)
		}
		if err := db.RecordAudit(wctx, audit.Entry{At: time.Now(), ActorID: "user-1", Action: "test.read"}); err != nil {
			t.Fatalf("a read's audit entry while reads held the pool: %v", err)
		}
	})
}

// The write connection is opened with the same settings as the reads':
// an acknowledged write survives power loss (synchronous=FULL in WAL
// mode), foreign keys hold, and deleted content is overwritten.
func TestTheWriteConnectionIsDurableAndChecksForeignKeys(t *testing.T) {
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.WriteSQL() == db.SQL() {
		t.Fatal("a SQLite file of the default pool has no write connection of its own")
	}
	want := map[string]string{"synchronous": "2", "foreign_keys": "1", "journal_mode": "wal", "secure_delete": "1", "busy_timeout": "10000"}
	for name, h := range map[string]*sql.DB{"write": db.WriteSQL(), "read": db.SQL()} {
		for pragma, v := range want {
			var got string
			if err := h.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != v {
				t.Errorf("the %s connection's %s is %s, want %s", name, pragma, got, v)
			}
		}
	}
	// And the write connection enforces them: a row naming no parent is refused.
	err = db.Update(t.Context(), func(tx *store.Tx) error {
		for _, q := range []string{
			`CREATE TABLE parent (id TEXT PRIMARY KEY)`,
			`CREATE TABLE child (parent_id TEXT NOT NULL REFERENCES parent(id))`,
			`INSERT INTO child (parent_id) VALUES ('no-such-parent')`,
		} {
			if _, err := tx.SQLForTest(q); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Fatalf("a row naming no case through the write connection: %v, want a foreign key failure", err)
	}
}

// `--db-max-conns 1` (and the seed) run a SQLite file on one connection
// shared by reads and writes. Reads, their audit entries and writes from
// many requests at once still all finish, in order, on one chain.
func TestOneConnectionServesReadsAuditsAndWritesAtOnce(t *testing.T) {
	ctx := t.Context()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "waymark.db"), store.OpenOptions{MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if most, _ := db.Connections(); db.WriteSQL() != db.SQL() || most != 1 {
		t.Fatalf("one connection asked for, %d may open", most)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	const people, each = 8, 10
	errs := make(chan error, people)
	for p := range people {
		go func() {
			for i := range each {
				if err := db.View(wctx, func(*store.Tx) error { return nil }); err != nil {
					errs <- err
					return
				}
				if err := db.RecordAudit(wctx, audit.Entry{At: time.Now(), ActorID: fmt.Sprintf("user-%d", p), Action: "test.read"}); err != nil {
					errs <- err
					return
				}
				if err := db.Update(wctx, func(tx *store.Tx) error {
					return tx.AppendAudit(audit.Entry{At: time.Now(), ActorID: fmt.Sprintf("user-%d", p), Action: fmt.Sprintf("test.write.%d", i)})
				}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range people {
		if err := <-errs; err != nil {
			t.Fatalf("on one connection: %v", err)
		}
	}
	n, err := db.VerifyAudit(func() error { return nil })
	if err != nil {
		t.Fatalf("the chain after reads and writes on one connection: %v", err)
	}
	if n < 2*people*each {
		t.Fatalf("%d audit entries, want at least %d", n, 2*people*each)
	}
}
