package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark/internal/audit"
	"waymark/internal/casework"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Two replicas on one database, each with a ledger of its own: an erasure
// made on A reaches B's ledger at B's next sync tick, without a restart.
func TestARunningReplicaCopiesAnotherReplicasErasureIntoItsLedger(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, a *store.DB) {
		ctx := context.Background()
		clock := storetest.NewClock(storetest.Start)
		p := storetest.NewPartnership(t, a, clock)
		svc := storetest.Service(t, a, clock)
		id, err := svc.RaiseConcern(ctx, p.Teacher, storetest.ValidConcern(clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		b := storetest.Reopen(t, a)
		b.SetKeyRing(a.KeyRing())
		ledgers := map[string]*store.Ledger{}
		for name, db := range map[string]*store.DB{"A": a, "B": b} {
			l, err := store.OpenLedger(filepath.Join(t.TempDir(), "erasures.ledger"))
			if err != nil {
				t.Fatal(err)
			}
			db.SetErasureLedger(l)
			ledgers[name] = l
		}
		err = a.Update(ctx, func(tx *store.Tx) error {
			return tx.EraseCase(store.Erasure{CaseID: id, At: clock.Now(), By: p.Manager.User.ID, Reason: "Raised about the wrong child", LegalBasis: "art17-1d"})
		})
		if err != nil {
			t.Fatal(err)
		}
		ticks := make(chan time.Time)
		done := make(chan struct{})
		var workers casework.Workers
		go func() {
			runLedgerSync(ctx, b, ticks, slog.New(slog.DiscardHandler), &workers)
			close(done)
		}()
		ticks <- clock.Now()
		close(ticks)
		<-done
		entries, err := ledgers["B"].Entries(b.KeyRing())
		if erased := store.Erased(entries); err != nil || len(erased) != 1 || erased[0].CaseID != id {
			t.Fatalf("replica B's ledger after a tick: %+v %v", entries, err)
		}
		// The sync's last good run is on /metrics, so one that stopped is alerted on.
		if at := workers.Last()[casework.WorkerErasureLedger]; !at.Equal(clock.Now()) {
			t.Fatalf("the sync's last successful run: %v, want %v", at, clock.Now())
		}
	})
}

// serve on PostgreSQL needs a ledger, or --no-erasure-ledger said out
// loud; SQLite's is beside the database.
func TestServeOnPostgresNeedsAnErasureLedger(t *testing.T) {
	pg := "postgres://waymark@db.internal/waymark"
	for _, tc := range []struct {
		c    config
		want string // ledger path, or the start of the error
	}{
		{config{erasure: erasureConfig{required: true}}, "error: on PostgreSQL, serve needs an erasure ledger"},
		{config{erasure: erasureConfig{required: true, none: true}}, ""},
		{config{erasure: erasureConfig{required: true, ledger: "/var/lib/waymark/erasures.ledger"}}, "/var/lib/waymark/erasures.ledger"},
		{config{erasure: erasureConfig{required: true, ledger: "/x", none: true}}, "error: --erasure-ledger and --no-erasure-ledger contradict"},
		{config{}, ""}, // other commands on PostgreSQL: none unless given
	} {
		got, err := tc.c.ledgerPath(pg)
		if err != nil {
			got = "error: " + err.Error()
		}
		if !strings.HasPrefix(got, tc.want) || (tc.want == "" && got != "") {
			t.Errorf("%+v: %q, want %q", tc.c.erasure, got, tc.want)
		}
	}
	var c config
	if got, err := c.ledgerPath(filepath.Join("/srv/waymark", "waymark.db")); err != nil || got != "/srv/waymark/erasures.ledger" {
		t.Errorf("SQLite's default ledger: %q %v", got, err)
	}
}

// The ledger beside a SQLite database is made by every start: when it is
// missing while the database records lawful erasures, it was deleted (with
// the database swapped for an older one, that is how an erased child comes
// back). `waymark verify` says so and fails, rather than "no erasure ledger
// configured".
func TestVerifyFailsWhenTheLedgerBesideTheDatabaseIsMissing(t *testing.T) {
	dir := stoppedDemo(t)
	_, ring := demoKeys(t, dir)
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.SetKeyRing(ring)
	l, err := store.OpenLedger(filepath.Join(dir, DefaultLedgerFile))
	if err != nil {
		t.Fatal(err)
	}
	db.SetErasureLedger(l)
	var id string
	if err := db.SQL().QueryRow(`SELECT id FROM cases ORDER BY id LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.EraseCase(store.Erasure{CaseID: id, At: time.Now(), By: "user-lead", Reason: "Raised about the wrong child", LegalBasis: "art17-1d"}); err != nil {
			return err
		}
		return tx.AppendAudit(audit.Entry{At: time.Now(), ActorID: "user-lead", CaseID: id, Action: "case.erased", Detail: "legal basis: art17-1d; reason: Raised about the wrong child"})
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var out bytes.Buffer
	if err := run(ctx, []string{"verify", "--data", dir}, env(nil), nil, &out, io.Discard); err != nil {
		t.Fatalf("verify with the ledger in place: %v\n%s", err, out.String())
	}
	if err := os.Remove(filepath.Join(dir, DefaultLedgerFile)); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = run(ctx, []string{"verify", "--data", dir}, env(nil), nil, &out, io.Discard)
	if err == nil || !strings.Contains(out.String(), "is missing") {
		t.Fatalf("verify with the ledger deleted: %v\n%s", err, out.String())
	}
}
