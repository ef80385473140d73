package access

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

// TestMain lets this test binary be the hash worker, as serve runs the
// waymark binary: started with HashWorkerEnv=1 it serves hashes and exits.
func TestMain(m *testing.M) {
	if os.Getenv(HashWorkerEnv) == "1" {
		if err := RunHashWorker(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func testWorker(t *testing.T) *HashWorker {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	w := NewHashWorker(exe, nil)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// usingWorker hashes "a long enough password" in this process, then
// sends this process's hashes to a new worker until the test ends.
func usingWorker(t *testing.T) (hash string, w *HashWorker) {
	t.Helper()
	hash, err := HashPassword("a long enough password", small)
	if err != nil {
		t.Fatal(err)
	}
	w = testWorker(t)
	UseHashWorker(w)
	t.Cleanup(func() { UseHashWorker(nil) })
	return hash, w
}

// small parameters keep the tests quick; the worker takes any the server
// would.
var small = Argon2Params{Memory: 1024, Time: 1, Threads: 2, KeyLen: 32, SaltLen: 16}

func TestAHashFromTheWorkerIsTheKeyTheServerWouldDerive(t *testing.T) {
	w := testWorker(t)
	for i, pw := range []string{"correct horse battery staple", "", strings.Repeat("é", 300)} {
		salt := []byte(fmt.Sprintf("salt of test %02d", i))
		got, err := w.Derive([]byte(pw), salt, small.Time, small.Memory, small.Threads, small.KeyLen)
		if err != nil {
			t.Fatal(err)
		}
		if want := argon2.IDKey([]byte(pw), salt, small.Time, small.Memory, small.Threads, small.KeyLen); !bytes.Equal(got, want) {
			t.Errorf("password %d: the worker's key differs from argon2id's", i)
		}
	}
}

// TestSignInChecksPasswordsThroughTheWorker: with the worker in use, a
// password hashed before it checks against the right password only, and
// the worker did the work.
func TestSignInChecksPasswordsThroughTheWorker(t *testing.T) {
	hash, _ := usingWorker(t)
	in := countKDF(t)
	for _, c := range []struct {
		pw   string
		want bool
	}{{"a long enough password", true}, {"a long enough passworD", false}} {
		ok, err := CheckPassword(hash, c.pw)
		if err != nil || ok != c.want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", c.pw, ok, err, c.want)
		}
	}
	if n := in(); n != 0 {
		t.Errorf("%d hashes were derived in this process, not by the worker", n)
	}
}

// countKDF counts the hashes derived in this process from now on.
func countKDF(t *testing.T) func() int {
	var mu sync.Mutex
	n := 0
	old := kdf
	kdf = func(p, s []byte, ti, m uint32, th uint8, k uint32) []byte {
		mu.Lock()
		n++
		mu.Unlock()
		return old(p, s, ti, m, th, k)
	}
	t.Cleanup(func() { kdf = old })
	return func() int { mu.Lock(); defer mu.Unlock(); return n }
}

// TestTheHashWorkerRunsAtALowerPriority: every thread of the worker runs
// at HashWorkerNice, so the kernel gives the server's own threads the
// processors first.
func TestTheHashWorkerRunsAtALowerPriority(t *testing.T) {
	w := testWorker(t)
	// A hash with two lanes makes the worker start its threads.
	if _, err := w.Derive([]byte("pw"), []byte("sixteen byte salt"), 1, 8*1024, 4, 32); err != nil {
		t.Fatal(err)
	}
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", w.PID()))
	if err != nil || len(tasks) == 0 {
		t.Fatalf("the worker's threads: %v, %v", tasks, err)
	}
	for _, f := range tasks {
		nice := niceOf(t, f)
		if nice != HashWorkerNice {
			t.Errorf("%s runs at nice %d, want %d", f, nice, HashWorkerNice)
		}
	}
	if n := niceOf(t, fmt.Sprintf("/proc/%d/stat", os.Getpid())); n != 0 {
		t.Errorf("starting the worker left this process at nice %d", n)
	}
	self, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", os.Getpid()))
	for _, f := range self {
		if n := niceOf(t, f); n != 0 {
			t.Errorf("a thread of the server, %s, runs at nice %d", f, n)
		}
	}
}

// niceOf reads field 19 of a /proc stat file.
func niceOf(t *testing.T, file string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:])) // f[0] is field 3
	n, err := strconv.Atoi(f[16])
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestASignInIsCheckedWhenTheWorkerHasDied: a worker killed (by an
// administrator, or for memory) costs no sign-in: the hash is derived in
// the server's process, and a new worker is started once restartBackoff
// has passed, not for every sign-in.
func TestASignInIsCheckedWhenTheWorkerHasDied(t *testing.T) {
	hash, w := usingWorker(t)
	pid := w.PID()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitDead(w)
	in := countKDF(t)
	for range 3 {
		if ok, err := CheckPassword(hash, "a long enough password"); err != nil || !ok {
			t.Fatalf("the right password after the worker died: %v, %v", ok, err)
		}
	}
	if w.started.Load() != 1 || in() != 3 {
		t.Errorf("within the back-off: %d workers started, %d hashes here; want 1 and 3", w.started.Load(), in())
	}
	w.mu.Lock()
	w.lastStart = time.Now().Add(-restartBackoff) // the back-off has passed
	w.mu.Unlock()
	if ok, err := CheckPassword(hash, "not the password at all"); err != nil || ok {
		t.Errorf("a wrong password with the new worker: %v, %v", ok, err)
	}
	if w.PID() == pid || w.PID() == 0 || w.started.Load() != 2 || in() != 3 {
		t.Errorf("after the back-off: pid %d (was %d), %d started, %d hashes here", w.PID(), pid, w.started.Load(), in())
	}
}

// waitDead waits until the server's end has seen its worker go.
func waitDead(w *HashWorker) {
	for {
		w.mu.Lock()
		p := w.proc
		w.mu.Unlock()
		p.mu.Lock()
		dead := p.dead
		p.mu.Unlock()
		if dead {
			return
		}
		runtime.Gosched()
	}
}

// TestAStoppedWorkerHoldsASignInNoLongerThanItsTimeout: a worker that
// hangs (here stopped with SIGSTOP) is killed after workerTimeout, the
// sign-in is checked in the server's process, and Close does not wait for
// a worker that will not end.
func TestAStoppedWorkerHoldsASignInNoLongerThanItsTimeout(t *testing.T) {
	defer func(d, c time.Duration) { workerTimeout, closeWait = d, c }(workerTimeout, closeWait)
	workerTimeout, closeWait = 300*time.Millisecond, 100*time.Millisecond
	hash, w := usingWorker(t)
	w.mu.Lock()
	p := w.proc
	w.mu.Unlock()
	if err := syscall.Kill(p.cmd.Process.Pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	if ok, err := CheckPassword(hash, "a long enough password"); err != nil || !ok {
		t.Fatalf("the right password with the worker stopped: %v, %v", ok, err)
	}
	<-p.exited // killed and reaped: the test would time out otherwise

	w2 := testWorker(t)
	if err := syscall.Kill(w2.PID(), syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	w2.Close() // returns: the test would time out otherwise
	if _, err := w2.Derive([]byte("pw"), []byte("a sixteen b salt"), 1, 64, 1, 32); !errors.Is(err, errWorkerClosed) || w2.started.Load() != 1 {
		t.Errorf("a hash after Close: %v, %d started; want refused, no new worker", err, w2.started.Load())
	}
}

// TestTheWorkerGetsNoneOfTheServersSecrets: serve's environment may hold
// the database password or the master key; the worker's holds only what
// it needs.
func TestTheWorkerGetsNoneOfTheServersSecrets(t *testing.T) {
	t.Setenv("WAYMARK_MASTER_KEY", "k1:c2VjcmV0IHRoYXQgbXVzdCBub3QgbGVhdmUgc2VydmU=")
	t.Setenv("WAYMARK_DATABASE_PASSWORD", "not for the worker")
	w := testWorker(t)
	env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", w.PID()))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range strings.Split(strings.TrimRight(string(env), "\x00"), "\x00") {
		name, _, _ := strings.Cut(v, "=")
		if name != HashWorkerEnv && name != "GOMAXPROCS" && name != "GODEBUG" && name != "GOTRACEBACK" {
			t.Errorf("the worker's environment holds %s", name)
		}
	}
}

// TestAWorkerStartedAtALowerPriorityKeepsIt: a serve started at nice 15
// has a worker at 15 (it may not raise its priority), which starts and
// answers rather than failing at every sign-in.
func TestAWorkerStartedAtALowerPriorityKeepsIt(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	nice, err := exec.LookPath("nice")
	if err != nil {
		t.Skip("no nice command to start the worker with")
	}
	// A wrapper that starts the worker at nice 15, as a serve started
	// with `nice -n 15` would.
	wrapper := filepath.Join(t.TempDir(), "niced")
	if err := os.WriteFile(wrapper, []byte("#!/bin/sh\nexec "+nice+" -n 15 "+exe+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	p, err := startWorker(wrapper, nil)
	if err != nil {
		t.Fatalf("a worker started at nice 15: %v", err)
	}
	w := &HashWorker{path: wrapper, proc: p}
	t.Cleanup(func() { w.Close() })
	got, err := w.Derive([]byte("pw"), []byte("a sixteen b salt"), 1, 64, 1, 32)
	if err != nil || !bytes.Equal(got, argon2.IDKey([]byte("pw"), []byte("a sixteen b salt"), 1, 64, 1, 32)) {
		t.Fatalf("it answered %x, %v", got, err)
	}
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", w.PID()))
	for _, f := range tasks {
		if nice := niceOf(t, f); nice != 15 {
			t.Errorf("%s runs at nice %d, want 15", f, nice)
		}
	}
}

// TestTheWorkerAnswersEachRequestWithItsOwnKey: hashes asked at once come
// back to the request that asked, whatever order they finish in.
func TestTheWorkerAnswersEachRequestWithItsOwnKey(t *testing.T) {
	w := testWorker(t)
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			pw, salt := fmt.Appendf(nil, "password %d", i), fmt.Appendf(nil, "a salt for %02d", i)
			mem := uint32(256 * (1 + i%4)) // some finish sooner than others
			got, err := w.Derive(pw, salt, 1, mem, 1, 32)
			if err != nil {
				t.Error(err)
				return
			}
			if !bytes.Equal(got, argon2.IDKey(pw, salt, 1, mem, 1, 32)) {
				t.Errorf("request %d got another request's key", i)
			}
		})
	}
	wg.Wait()
}

// TestTheWorkerRefusesRequestsItDoesNotTake: parameters past the limits
// are refused before anything is sent, and a frame the worker cannot take
// stops it with an error rather than allocating what it asks.
func TestTheWorkerRefusesRequestsItDoesNotTake(t *testing.T) {
	w := testWorker(t)
	for _, c := range []struct {
		time, memory uint32
		threads      uint8
	}{{1, maxWorkerMemory + 1, 1}, {0, 1024, 1}, {maxWorkerTime + 1, 1024, 1}, {1, 1024, 0}} {
		if _, err := w.Derive([]byte("pw"), []byte("salt"), c.time, c.memory, c.threads, 32); err == nil {
			t.Errorf("m=%d t=%d p=%d was taken", c.memory, c.time, c.threads)
		}
	}
	if _, err := w.Derive([]byte("pw"), []byte("salt"), 1, 64, 1, 0); err == nil {
		t.Error("an empty key was asked of the worker") // argon2 panics on one
	}
	// A stored hash with a key too short to be Waymark's is malformed, not
	// derived (argon2 cannot derive an empty one).
	if _, err := CheckPassword("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$", "pw"); !errors.Is(err, errBadHash) {
		t.Errorf("a hash with an empty key: %v, want malformed", err)
	}
	frame := make([]byte, workerHeaderBytes)
	binary.BigEndian.PutUint32(frame[8:], 1)
	binary.BigEndian.PutUint32(frame[12:], 1<<31) // 2 TiB of memory
	frame[16] = 1
	binary.BigEndian.PutUint32(frame[17:], 32)
	var out bytes.Buffer
	if err := ServeHashWorker(bytes.NewReader(frame), &out); err == nil || out.Len() != 0 {
		t.Errorf("a frame asking for 2 TiB: %v, %d bytes answered", err, out.Len())
	}
	// A frame cut short ends the worker without an answer.
	if err := ServeHashWorker(bytes.NewReader(frame[:10]), &out); err == nil || out.Len() != 0 {
		t.Errorf("a frame cut short: %v, %d bytes answered", err, out.Len())
	}
}

// TestAWorkerThatCannotStartIsTriedAgainAfterTheBackOff: a worker that
// fails at start-up (here: one that says nothing, then one that exits)
// leaves serve hashing in its own process, and a sign-in after the
// back-off starts one that works.
func TestAWorkerThatCannotStartIsTriedAgainAfterTheBackOff(t *testing.T) {
	defer func(d time.Duration) { workerReady = d }(workerReady)
	workerReady = 200 * time.Millisecond
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// First start: silent until killed. Second: exits at once. Third: the worker.
	script := filepath.Join(dir, "worker")
	body := "#!/bin/sh\n" +
		"if [ ! -e " + dir + "/once ]; then : > " + dir + "/once; exec sleep 30; fi\n" +
		"if [ ! -e " + dir + "/twice ]; then : > " + dir + "/twice; exit 3; fi\n" +
		"exec " + exe + "\n"
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	hash, err := HashPassword("a long enough password", small)
	if err != nil {
		t.Fatal(err)
	}
	w := NewHashWorker(script, nil)
	t.Cleanup(func() { w.Close() })
	if err := w.Start(); err == nil {
		t.Fatal("a worker that never said it was ready started")
	}
	UseHashWorker(w)
	t.Cleanup(func() { StopUsingHashWorker(w) })
	in := countKDF(t)
	back := func() { w.mu.Lock(); w.lastStart = time.Now().Add(-restartBackoff); w.mu.Unlock() }
	for i, want := range []int{1, 2, 2} { // hashes derived here after each sign-in
		if ok, err := CheckPassword(hash, "a long enough password"); err != nil || !ok {
			t.Fatalf("sign-in %d: %v, %v", i, ok, err)
		}
		if in() != want {
			t.Errorf("after sign-in %d, %d hashes were derived here, want %d", i, in(), want)
		}
		back()
	}
	if w.PID() == 0 || w.started.Load() != 1 {
		t.Errorf("the third try did not start the worker: pid %d, %d started", w.PID(), w.started.Load())
	}
}
