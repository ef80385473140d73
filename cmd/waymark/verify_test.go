package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark/internal/crypt"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// serve signs a checkpoint at every tick of its clock: the ticks are
// injected, so the test drives it without waiting. Each one lands in the
// audit log and replaces the checkpoint file, and verifies with the
// published public key.
func TestServeSignsACheckpointAtEveryTick(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		clock := storetest.NewClock(storetest.Start)
		p := storetest.NewPartnership(t, db, clock)
		svc := storetest.Service(t, db, clock)
		if _, err := svc.RaiseConcern(context.Background(), p.Teacher, storetest.ValidConcern(clock.Now())); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "checkpoint.json")
		ticks := make(chan time.Time)
		done := make(chan struct{})
		go func() {
			runCheckpoints(context.Background(), db, path, ticks, slog.New(slog.DiscardHandler))
			close(done)
		}()
		ticks <- clock.Now()
		clock.Advance(time.Hour)
		ticks <- clock.Now()
		close(ticks)
		<-done
		var n int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'checkpoint.signed'`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("%d checkpoints in the audit log (%v), want 2", n, err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var cp store.Checkpoint
		if err := json.Unmarshal(b, &cp); err != nil {
			t.Fatal(err)
		}
		if !cp.At.Equal(storetest.Start.Add(time.Hour)) || cp.Cases != 1 {
			t.Fatalf("the file holds %+v, want the second checkpoint, of 1 case", cp)
		}
		if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
			t.Fatalf("checkpoint file mode %o", info.Mode().Perm())
		}
		_, pub, err := db.CheckpointPublicKey()
		if err != nil {
			t.Fatal(err)
		}
		if err := cp.CheckSignature(pub); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Verify(context.Background(), store.VerifyOptions{ReadModels: true, Checkpoints: []store.Checkpoint{cp}}); err != nil {
			t.Fatal(err)
		}
	})
}

// A database whose seals were all stripped looks like one written before
// sealing began; the checkpoint file beside it says otherwise, and the
// history is not sealed again as found.
func TestStrippedSealsAreNotResealedWhenTheCheckpointSaysTheyExisted(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil { // Waymark refuses a data folder others can read
		t.Fatal(err)
	}
	line, _ := crypt.GenerateKey()
	vars := map[string]string{"WAYMARK_MASTER_KEY": line}
	db := storetest.SQLite(t)
	ring, _ := crypt.ParseKeys(line)
	db.SetKeyRing(ring)
	clock := storetest.NewClock(storetest.Start)
	p := storetest.NewPartnership(t, db, clock)
	if _, err := storetest.Service(t, db, clock).RaiseConcern(context.Background(), p.Teacher, storetest.ValidConcern(clock.Now())); err != nil {
		t.Fatal(err)
	}
	var file string
	db.SQL().QueryRow(`PRAGMA database_list`).Scan(new(int), new(string), &file)
	if err := os.Chmod(filepath.Dir(file), 0o700); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"checkpoint", "--database", file, "--data", dir}, env(vars), nil, &out, &out); err != nil {
		t.Fatalf("checkpoint: %v\n%s", err, out.String())
	}
	for _, q := range []string{`UPDATE case_events SET seal_key = '', mac = ''`, `UPDATE case_members SET seal_key = '', mac = ''`, `DELETE FROM audit_log`, `UPDATE audit_head SET seq = 0, hash = '', keyed_from = 0`} {
		if _, err := db.SQL().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	out.Reset()
	err := run(context.Background(), []string{"verify", "--database", file, "--data", dir}, env(vars), nil, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "carries no seals") {
		t.Fatalf("verify on stripped seals: %v\n%s", err, out.String())
	}
	// serve does not start on it, and does not seal it either.
	out.Reset()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = run(sctx, []string{"serve", "--database", file, "--data", dir, "--addr", "127.0.0.1:0"}, env(vars), nil, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "waymark seal-history") {
		t.Fatalf("serve on stripped seals: %v\n%s", err, out.String())
	}
	// Naming another checkpoint file does not hide the one beside the database.
	out.Reset()
	err = run(context.Background(), []string{"seal-history", "--database", file, "--data", dir, "--checkpoint-file", filepath.Join(t.TempDir(), "elsewhere.json")}, env(vars), nil, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "carries no seals, but the checkpoint") {
		t.Fatalf("seal-history on stripped seals: %v\n%s", err, out.String())
	}
}

// `waymark verify` names every user and organisation row changed behind
// Waymark's back, each by table and id (docs/security.md, sealed identity).
func TestWaymarkVerifyNamesEachAlteredUserAndOrganisation(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	line, _ := crypt.GenerateKey()
	vars := map[string]string{"WAYMARK_MASTER_KEY": line}
	db := storetest.SQLite(t)
	ring, _ := crypt.ParseKeys(line)
	db.SetKeyRing(ring)
	clock := storetest.NewClock(storetest.Start)
	storetest.NewPartnership(t, db, clock)
	var file string
	db.SQL().QueryRow(`PRAGMA database_list`).Scan(new(int), new(string), &file)
	if err := os.Chmod(filepath.Dir(file), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE users SET org_id = 'org-cs', role = 'manager' WHERE id = 'user-gp'`,
		`UPDATE users SET name = 'Mo Manager' WHERE id = 'user-teacher'`,
		`UPDATE organisations SET childrens_services = TRUE, created_at = '2000-01-01 00:00:00' WHERE id = 'org-school'`,
	} {
		if _, err := db.SQL().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	var out bytes.Buffer
	err := run(context.Background(), []string{"verify", "--database", file, "--data", dir}, env(vars), nil, &out, &out)
	if err == nil {
		t.Fatalf("verify passed an altered database\n%s", out.String())
	}
	for _, want := range []string{"users row user-gp", "users row user-teacher", "organisations row org-school"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("verify does not name %s: %v", want, err)
		}
	}
}
