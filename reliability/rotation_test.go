package reliability

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark/internal/crypt"
	"waymark/internal/storetest"
)

// Rotating the master key across two replicas on one database, following
// docs/operations.md "Encryption keys" step by step with a rolling restart
// between steps: after each restart, a case raised through either replica
// reads through the other.
//
// What this replaces, and what broke: the old single-instance steps appended
// the new key as the newest line, which made it the one that wraps at once.
// During the rolling restart the replica restarted first wrapped (and
// sealed) new cases under a key the other did not hold, and the other
// could not read them: 500, or 404 where the membership sealed under the
// new key does not check there (this test fails so at "step 1, a
// restarted" with the marker left out of the staged file). The store test
// TestAReplicaWithoutTheNewKeyReadsWhatAnotherWritesWhileTheKeyIsUnwrapOnly
// shows that failure directly; here the key is first added unwrap-only.
func TestRotatingTheMasterKeyAcrossTwoReplicasKeepsEveryCaseReadableOnBoth(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the program six times: not under -short")
	}
	forEachTarget(t, func(t *testing.T, tg *target) {
		s := seed(t, tg.open(t)) // written under the tests' key, k1
		tg.release(t)
		k1 := binary.keyLine
		k2, err := crypt.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		k1ID, _, _ := strings.Cut(k1, ":")
		k2ID, _, _ := strings.Cut(k2, ":")
		dir := privateDir(t)
		keyFile := func(name, text string) string {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}
		before := keyFile("1-before", k1+"\n")
		staged := keyFile("2-staged", k1+"\n"+k2+" "+crypt.UnwrapOnlyMarker+"\n")
		promoted := keyFile("3-promoted", k1+"\n"+k2+"\n")
		start := func(file string) *server { return startServe(t, tg.url, "--master-key-file", file) }
		a, b := start(before), start(before)
		var ids []string
		crossCheck := func(step string) {
			t.Helper()
			for _, pair := range []struct {
				name        string
				write, read *server
			}{{"a→b", a, b}, {"b→a", b, a}} {
				teacher := newClient(s.tokens[s.p.Teacher.User.ID], func() string { return pair.write.url })
				status, body, err := teacher.do("POST", "/api/v1/cases", storetest.ValidConcern(time.Now()))
				if err != nil || status != http.StatusCreated {
					t.Fatalf("%s: raising a case through %s: %d %v %s", step, pair.name, status, err, body)
				}
				var c apiCase
				json.Unmarshal(body, &c)
				ids = append(ids, c.ID)
			}
			// Every case so far, the new ones above all, reads through
			// both replicas, one by one and in the case list.
			for _, srv := range []*server{a, b} {
				cs := newClient(s.tokens[s.p.CSWorker.User.ID], func() string { return srv.url })
				for _, id := range ids {
					if status, body, err := cs.do("GET", "/api/v1/cases/"+id, nil); err != nil || status != http.StatusOK {
						t.Fatalf("%s: reading case %s through %s: %d %v %s", step, id, srv.url, status, err, body)
					}
				}
				if status, body, err := cs.do("GET", "/api/v1/cases", nil); err != nil || status != http.StatusOK {
					t.Fatalf("%s: listing cases through %s: %d %v %s", step, srv.url, status, err, body)
				}
			}
		}
		restart := func(srv **server, file, step string) {
			t.Helper()
			(*srv).stop(t)
			*srv = start(file)
			crossCheck(step) // halfway through the rolling restart, and at its end
		}
		crossCheck("before rotation")

		// Step 1: the new key, unwrap-only, to every replica.
		restart(&a, staged, "step 1, a restarted")
		restart(&b, staged, "step 1, both restarted")
		if out, err := waymark(t, "keys", "check", "--database", tg.url, "--master-key-file", staged); err != nil ||
			!strings.Contains(out, "master key "+k1ID+" is the primary here") || !strings.Contains(out, "master key "+k2ID+" is unwrap-only here") {
			t.Fatalf("keys check after step 1: %v\n%s", err, out)
		}

		// Step 2: the marker removed, replica by replica. Halfway, rotate
		// refuses: b still wraps under k1.
		restart(&a, promoted, "step 2, a restarted")
		if out, err := waymark(t, "keys", "rotate", "--database", tg.url, "--master-key-file", promoted); err == nil || !strings.Contains(out, "nothing was re-wrapped") {
			t.Fatalf("keys rotate halfway through step 2: %v\n%s", err, out)
		}
		restart(&b, promoted, "step 2, both restarted")

		// Step 3: re-wrap; keys check then finds nothing wrapped under k1.
		if out, err := waymark(t, "keys", "rotate", "--database", tg.url, "--master-key-file", promoted); err != nil || !strings.Contains(out, "under master key "+k2ID) {
			t.Fatalf("keys rotate: %v\n%s", err, out)
		}
		out, err := waymark(t, "keys", "check", "--database", tg.url, "--master-key-file", promoted)
		if err != nil || strings.Contains(out, "master key "+k1ID+" wraps") || !strings.Contains(out, "master key "+k2ID+" wraps") {
			t.Fatalf("keys check after rotation: %v\n%s", err, out)
		}
		crossCheck("after keys rotate")
	})
}
