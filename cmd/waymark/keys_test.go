package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark/internal/crypt"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// serve refuses to start without a master key, saying how to make one.
func TestServeRefusesToStartWithoutAMasterKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	newDatabase(t, "--data", dir)
	// Bounded: a serve that starts after all must not hang the test.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir}, env(nil), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no master key is configured") || !strings.Contains(err.Error(), "WAYMARK_MASTER_KEY_FILE") {
		t.Fatalf("serve without a key: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, DemoKeyFile)); err == nil {
		t.Fatal("serve made a key next to the database")
	}
	// A key file others can read is refused too.
	keys := filepath.Join(t.TempDir(), "keys")
	line, _ := crypt.GenerateKey()
	os.WriteFile(keys, []byte(line+"\n"), 0o644)
	err = run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--master-key-file", keys}, env(nil), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("serve with a world-readable key file: %v", err)
	}
}

// The demo makes a key of its own in the data folder (0600), says where,
// and encrypts with it; rebuild and keys check find it there.
func TestDemoMakesAKeyOfItsOwnAndEncrypts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	startDemo(t, dir)
	info, err := os.Stat(filepath.Join(dir, DemoKeyFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("demo key: %v %v", info, err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"keys", "check", "--data", dir}, env(nil), nil, &out, io.Discard); err != nil {
		t.Fatalf("keys check: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "wraps") || !strings.Contains(out.String(), DemoKeyFile) {
		t.Fatalf("keys check said %q", out.String())
	}
}

// Rotation: a new key is added (newest last) and rotate re-wraps every data
// key under it; the old key stays in the file, to check the seals it made.
func TestKeysRotateMovesEveryDataKeyToTheNewestMasterKey(t *testing.T) {
	dir := stoppedDemo(t) // one instance, stopped while its key file changes
	old, _ := demoKeys(t, dir)
	gen := generateKey(t)
	newKeys, err := crypt.ParseKeys(gen)
	if err != nil {
		t.Fatalf("generated %q: %v", gen, err)
	}
	both := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(both, append(old, gen...), 0o600)
	var out bytes.Buffer
	err = run(context.Background(), []string{"keys", "check", "--data", dir, "--master-key-file", both}, env(nil), nil, &out, io.Discard)
	if err != nil || !strings.Contains(out.String(), "run `waymark keys rotate`") {
		t.Fatalf("check before rotation: %v %s", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"keys", "rotate", "--data", dir, "--master-key-file", both}, env(nil), nil, &out, io.Discard); err != nil {
		t.Fatalf("rotate: %v %s", err, out.String())
	}
	if !strings.Contains(out.String(), "under master key "+newKeys.Primary()) {
		t.Fatalf("rotate said %q", out.String())
	}
	// The old key wraps nothing now, but the history sealed under it is
	// checked with it: keys check says so, and without it the seals cannot
	// be verified, so rebuild refuses.
	out.Reset()
	err = run(context.Background(), []string{"keys", "check", "--data", dir, "--master-key-file", both}, env(nil), nil, &out, io.Discard)
	oldID := strings.SplitN(strings.TrimSpace(string(old[strings.LastIndex(strings.TrimSpace(string(old)), "\n")+1:])), ":", 2)[0]
	if err != nil || !strings.Contains(out.String(), "master key "+oldID+" sealed") || !strings.Contains(out.String(), "keep it configured to verify them") {
		t.Fatalf("check after rotation: %v %s", err, out.String())
	}
	os.Remove(filepath.Join(dir, DemoKeyFile))
	err = run(context.Background(), []string{"rebuild", "--data", dir}, env(map[string]string{"WAYMARK_MASTER_KEY": strings.TrimSpace(gen)}), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), oldID) || !strings.Contains(err.Error(), "not configured") {
		t.Fatalf("rebuild with only the new key: %v", err)
	}
	// With both, everything reads (rebuild replays every case).
	out.Reset()
	err = run(context.Background(), []string{"rebuild", "--data", dir, "--master-key-file", both}, env(nil), nil, &out, io.Discard)
	if err != nil || !strings.Contains(out.String(), "rebuilt read models of 14 cases") {
		t.Fatalf("rebuild with both keys: %v %s", err, out.String())
	}
}

// A database opened without its key cannot be read, and says why.
func TestRebuildWithoutTheKeyFails(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	startDemo(t, dir)
	os.Rename(filepath.Join(dir, DemoKeyFile), filepath.Join(dir, "elsewhere.key"))
	err := run(context.Background(), []string{"rebuild", "--data", dir}, env(nil), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no master key") {
		t.Fatalf("rebuild without the key: %v", err)
	}
}

// Rotation across replicas: a key made with --unwrap-only is staged (keys
// check names the primary and the staged key); rotate refuses, re-wrapping
// nothing, while a replica seen running does not hold the new primary, and
// re-wraps once every running replica wraps under it.
func TestKeysRotateWaitsUntilEveryRunningReplicaWrapsUnderTheNewKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	_, stop := startDemoWith(t, dir) // a replica running with the first key
	old, oldRing := demoKeys(t, dir)
	gen := generateKey(t, "--unwrap-only")
	staged := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(staged, append(old, gen...), 0o600)
	stagedRing, err := crypt.ParseKeys(string(old) + gen)
	if err != nil {
		t.Fatalf("generated %q: %v", gen, err)
	}
	newID := stagedRing.IDs()[len(stagedRing.IDs())-1]
	if stagedRing.Primary() != oldRing.Primary() || !stagedRing.UnwrapOnly(newID) {
		t.Fatalf("keys generate --unwrap-only printed %q", gen)
	}
	keys := func(file string, args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append(append([]string{"keys"}, args...), "--data", dir, "--master-key-file", file), env(nil), nil, &out, io.Discard)
		return out.String(), err
	}
	out, err := keys(staged, "check")
	for _, want := range []string{"master key " + oldRing.Primary() + " is the primary here", "master key " + newID + " is unwrap-only here", "primary " + oldRing.Primary() + ", holds " + oldRing.Primary()} {
		if err != nil || !strings.Contains(out, want) {
			t.Fatalf("keys check with the key staged lacks %q: %v\n%s", want, err, out)
		}
	}
	promoted := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(promoted, []byte(strings.Replace(string(old)+gen, " unwrap-only\n", "\n", 1)), 0o600)
	out, err = keys(promoted, "rotate")
	if err == nil || !strings.Contains(err.Error(), "does not hold master key "+newID) || !strings.Contains(err.Error(), "nothing was re-wrapped") || !strings.Contains(out, "will re-wrap 15 data keys") {
		t.Fatalf("rotate while a replica lacks the new key: %v\n%s", err, out)
	}
	if out, err := keys(promoted, "check"); err != nil || !strings.Contains(out, "master key "+oldRing.Primary()+" wraps 15 data keys") {
		t.Fatalf("rotate re-wrapped something after all: %v\n%s", err, out)
	}
	// Rotating with the key still staged here re-wraps nothing, and says why.
	if out, err := keys(staged, "rotate"); err != nil || !strings.Contains(out, "nothing to re-wrap") || !strings.Contains(out, "master key "+newID+" is unwrap-only in this key file") {
		t.Fatalf("rotate with the key staged: %v\n%s", err, out)
	}
	// The replica restarted with the key staged, then with it promoted.
	stop()
	_, stop = startDemoWith(t, dir, "--master-key-file", staged)
	if _, err := keys(promoted, "rotate"); err == nil || !strings.Contains(err.Error(), "unwrap-only") {
		t.Fatalf("rotate while a replica has the key unwrap-only: %v", err)
	}
	stop()
	startDemoWith(t, dir, "--master-key-file", promoted)
	out, err = keys(promoted, "rotate")
	if err != nil || !strings.Contains(out, "re-wrapped 15 data keys under master key "+newID) {
		t.Fatalf("rotate once every replica wraps under the new key: %v\n%s", err, out)
	}
	// The old key wraps nothing now but sealed the history: keys check does
	// not call it removable. A key that nothing needs, it does.
	unused, _ := crypt.GenerateKey()
	unusedID, _, _ := strings.Cut(unused, ":")
	withUnused := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(withUnused, []byte(unused+"\n"+strings.Replace(string(old)+gen, " unwrap-only\n", "\n", 1)), 0o600)
	out, err = keys(withUnused, "check")
	if err != nil || strings.Contains(out, "master key "+oldRing.Primary()+" wraps and sealed nothing") || !strings.Contains(out, "master key "+unusedID+" wraps and sealed nothing here") {
		t.Fatalf("keys check after rotation: %v\n%s", err, out)
	}
	// A key still needed, missing from the key file, fails the check.
	if _, err := keys(writeKeys(t, gen), "check"); err == nil || !strings.Contains(err.Error(), oldRing.Primary()) {
		t.Fatalf("keys check without the key that sealed the history: %v", err)
	}
}

// stoppedDemo runs the demo once in a new data folder, which seeds it under
// the demo key, and stops it; it returns the folder.
func stoppedDemo(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	_, stop := startDemoWith(t, dir)
	stop()
	return dir
}

// demoKeys is the text of the key file the demo made in dir, and the keys
// it holds.
func demoKeys(t *testing.T, dir string) ([]byte, *crypt.KeyRing) {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(dir, DemoKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	ring, err := crypt.ParseKeys(string(text))
	if err != nil {
		t.Fatal(err)
	}
	return text, ring
}

// generateKey is what `waymark keys generate` prints, with any more flags.
func generateKey(t *testing.T, flags ...string) string {
	t.Helper()
	var gen bytes.Buffer
	if err := run(context.Background(), append([]string{"keys", "generate"}, flags...), env(nil), nil, &gen, io.Discard); err != nil {
		t.Fatal(err)
	}
	return gen.String()
}

func writeKeys(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(p, []byte(strings.Replace(text, " unwrap-only\n", "\n", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// `keys check` says a master key may leave the key files only when nothing
// needs it. Someone who can write to the database but holds no key can
// relabel the data keys wrapped under the old key, and the seals made under
// it, as the new key's: the labels then say the old key is needed by
// nothing. Every data key is opened with the key its label names, so a
// label that lies is named, and no key is called removable.
func TestKeysCheckDoesNotCallAKeyRemovableOnTheDatabasesWordAlone(t *testing.T) {
	dir := stoppedDemo(t)
	old, oldRing := demoKeys(t, dir)
	gen := generateKey(t)
	newRing, err := crypt.ParseKeys(gen)
	if err != nil {
		t.Fatal(err)
	}
	both := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(both, append(old, gen...), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	func() {
		defer db.Close()
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.SQL().Exec(q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		from, to := oldRing.Primary(), newRing.Primary()
		exec(`UPDATE data_keys SET master_key_id = $2 WHERE master_key_id = $1`, from, to)
		exec(`UPDATE case_events SET seal_key = $2 WHERE seal_key = $1`, from, to)
		exec(`UPDATE audit_log SET key_id = $2 WHERE key_id = $1`, from, to)
		for _, table := range []string{"erasures", "break_glass_grants", "case_members", "nrm_drafts", "organisations", "users", "user_identities"} {
			exec(`UPDATE `+table+` SET seal_key = $2 WHERE seal_key = $1`, from, to)
		}
	}()
	var out bytes.Buffer
	err = run(context.Background(), []string{"keys", "check", "--data", dir, "--master-key-file", both}, env(nil), nil, &out, io.Discard)
	if strings.Contains(out.String(), "it can be removed") {
		t.Fatalf("keys check calls the key that wraps every data key removable:\n%s", out.String())
	}
	// Either check names the lie: the one every command runs as it opens
	// (a key that does not unwrap what is labelled under it) or keys check's own.
	if err == nil || !(strings.Contains(err.Error(), "do not open") || strings.Contains(err.Error(), "does not unwrap the data keys wrapped under it")) {
		t.Fatalf("keys check with data keys labelled under the wrong key: %v\n%s", err, out.String())
	}
}

// A key file whose line has the id of the key in use and other bytes (a
// mistyped or regenerated key) stops keys rotate, keys check and every
// other command before anything is written: rotate once said "nothing to
// re-wrap", exit 0, and sealed its audit entry with the wrong key, so the
// chain no longer verified with the right one.
func TestAKeyFileWithTheRightIDAndTheWrongKeyStopsEveryCommandBeforeItWrites(t *testing.T) {
	dir := stoppedDemo(t)
	_, ring := demoKeys(t, dir)
	other, _ := crypt.GenerateKey()
	_, otherBytes, _ := strings.Cut(other, ":")
	wrong := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(wrong, []byte(ring.Primary()+":"+otherBytes+"\n"), 0o600)
	for _, cmd := range [][]string{{"keys", "rotate"}, {"keys", "check"}, {"audit", "verify"}, {"user", "disable", "--email", "nobody@example.org"}, {"check", "--insecure-no-encryption"}} {
		var out bytes.Buffer
		err := run(context.Background(), append(cmd, "--data", dir, "--master-key-file", wrong), env(nil), nil, &out, io.Discard)
		msg := ""
		if err != nil {
			msg = err.Error() + out.String()
		}
		if cmd[0] == "audit" { // a verifying command warns in its log and goes on to name what its key does not check
			if err == nil {
				t.Fatalf("%v with the wrong bytes passed:\n%s", cmd, out.String())
			}
			continue
		}
		if err == nil || !strings.Contains(msg, "is not the key of that id") {
			t.Fatalf("%v with the wrong bytes: %v\n%s", cmd, err, out.String())
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"audit", "verify", "--data", dir}, env(nil), nil, &out, io.Discard); err != nil {
		t.Fatalf("the chain with the right key, afterwards: %v\n%s", err, out.String())
	}
}

// Two replicas on machines with the same host name, listening on the same
// address (cloned from one image, each on [::]:8443), are two replicas to
// keys rotate: they once shared a row, so one's keys hid the other's, and
// the first to stop took the other's row with it.
func TestReplicasWithTheSameHostNameAndAddressAreEachSeen(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	old, _ := crypt.GenerateKey()
	staged, _ := crypt.GenerateKey()
	first, _ := crypt.ParseKeys(old)
	db.SetKeyRing(first)
	forgetFirst := noteReplica(ctx, &sync.WaitGroup{}, db, "[::]:8443", log)
	second, _ := crypt.ParseKeys(old + "\n" + staged)
	db.SetKeyRing(second)
	forgetSecond := noteReplica(ctx, &sync.WaitGroup{}, db, "[::]:8443", log)
	defer forgetSecond()
	running, err := db.RunningReplicas(ctx, time.Now().Add(-time.Minute))
	if err != nil || len(running) != 2 {
		t.Fatalf("two replicas on [::]:8443 of one host name: %v %+v", err, running)
	}
	forgetFirst()
	running, err = db.RunningReplicas(ctx, time.Now().Add(-time.Minute))
	if err != nil || len(running) != 1 || running[0].Primary != second.Primary() {
		t.Fatalf("after the first stopped: %v %+v", err, running)
	}
}
