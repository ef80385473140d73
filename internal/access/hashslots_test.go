package access

import (
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
)

// However many people sign in at once, no more password hashes are
// computed at once than there are slots (one a processor): each holds 64
// MiB while it runs, so two hundred at once held 12 GiB. The others wait
// their turn, and then their passwords check.
func TestPasswordHashesRunNoMoreAtOnceThanThereAreSlots(t *testing.T) {
	hash, err := HashPassword("a long enough password", fastArgon)
	if err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		slots, derive := hashSlots, kdf
		defer func() { hashSlots, kdf = slots, derive }()
		hashSlots = make(chan struct{}, 2)
		release := make(chan struct{})
		var mu sync.Mutex
		running, most := 0, 0
		kdf = func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
			mu.Lock()
			running++
			most = max(most, running)
			mu.Unlock()
			<-release
			mu.Lock()
			running--
			mu.Unlock()
			return derive(password, salt, time, memory, threads, keyLen)
		}
		const people = 10
		ok := make([]bool, people)
		var wg sync.WaitGroup
		for i := range people {
			wg.Go(func() { ok[i], _ = CheckPassword(hash, "a long enough password") })
		}
		synctest.Wait() // every one is hashing, or waiting for a slot
		mu.Lock()
		if running != 2 {
			t.Errorf("%d hashes running at once, want 2 (the slots)", running)
		}
		mu.Unlock()
		close(release)
		wg.Wait()
		for i, good := range ok {
			if !good {
				t.Errorf("person %d's password did not check", i)
			}
		}
		if most != 2 {
			t.Errorf("at most %d hashes ran at once, want 2", most)
		}
	})
}

// A hash that starts after another has ended first has the collector take
// the earlier one's 64 MiB, so it reuses that memory instead of adding its
// own beside it; the first hash, with nothing left behind, starts at once.
func TestAPasswordHashReusesTheMemoryTheLastOneLeft(t *testing.T) {
	hash, collections := countCollections(t)
	liveHeap = func() uint64 { return 20 << 20 } // serve's, about
	ended, _ := HashActivity()
	for i, want := range []int{0, 1, 2} {
		if ok, err := CheckPassword(hash, "a long enough password"); !ok || err != nil {
			t.Fatalf("check %d: %v %v", i, ok, err)
		}
		if *collections != want {
			t.Fatalf("after %d checks, %d collections before a hash; want %d", i+1, *collections, want)
		}
	}
	if now, busy := HashActivity(); now != ended+3 || busy {
		t.Fatalf("HashActivity: %d ended (want %d), busy %v", now, ended+3, busy)
	}
}

// A process whose live heap is large (a test run holding many servers)
// does not collect before each hash: marking gigabytes to win back one
// hash's 64 MiB cost seconds a sign-in. It leaves it to the collector.
func TestAPasswordHashLeavesALargeHeapToTheCollector(t *testing.T) {
	hash, collections := countCollections(t)
	liveHeap = func() uint64 { return 2 << 30 }
	checkTimes(t, hash, 3)
	if *collections != 0 {
		t.Fatalf("%d collections before hashes with 2 GiB live, want none", *collections)
	}
	liveHeap = func() uint64 { return reclaimLiveLimit } // the heap shrinks: the next hash collects what the others left
	if ok, err := CheckPassword(hash, "a long enough password"); !ok || err != nil {
		t.Fatalf("check: %v %v", ok, err)
	}
	if *collections != 1 {
		t.Fatalf("%d collections once the heap is small again, want 1", *collections)
	}
}

// Hashes far smaller than the default (a test's 1 MiB) each leave too
// little behind to be worth marking the heap for: they are collected
// together once their garbage reaches half a default hash's memory.
func TestSmallPasswordHashesAreCollectedOnlyOnceTheirGarbageAddsUp(t *testing.T) {
	hash, collections := countCollections(t)
	reclaimMinGarbage = int64(DefaultArgon2.Memory) / 2
	liveHeap = func() uint64 { return 20 << 20 }
	checks := int(reclaimMinGarbage / int64(fastArgon.Memory)) // 32 of 1 MiB
	checkTimes(t, hash, checks)
	if *collections != 0 {
		t.Fatalf("%d collections after %d small hashes, want none", *collections, checks)
	}
	if ok, err := CheckPassword(hash, "a long enough password"); !ok || err != nil {
		t.Fatalf("check: %v %v", ok, err)
	}
	if *collections != 1 {
		t.Fatalf("%d collections once %d MiB of small hashes were garbage, want 1", *collections, checks)
	}
}

// With the package's own threshold, a hash of the default parameters
// leaves enough behind that the next one collects first, every time, as
// before small hashes were left to add up (serve's resident memory under
// sign-ins depends on it, docs/performance.md).
func TestEveryDefaultHashCollectsWhatTheLastOneLeft(t *testing.T) {
	least := reclaimMinGarbage // the package's own, which countCollections replaces
	_, collections := countCollections(t)
	reclaimMinGarbage = least
	liveHeap = func() uint64 { return 20 << 20 }
	hash, err := HashPassword("a long enough password", DefaultArgon2)
	if err != nil {
		t.Fatal(err)
	}
	*collections = 0 // the hash above counted as the first
	for i, want := range []int{1, 2, 3} {
		if ok, err := CheckPassword(hash, "a long enough password"); !ok || err != nil {
			t.Fatalf("check %d: %v %v", i, ok, err)
		}
		if *collections != want {
			t.Fatalf("after %d default checks, %d collections; want %d", i+1, *collections, want)
		}
	}
}

// After a collection the count of what hashes left behind starts again:
// small hashes collect once each time their garbage adds up, not before
// every hash from then on.
func TestTheGarbageCountStartsAgainAfterACollection(t *testing.T) {
	hash, collections := countCollections(t)
	reclaimMinGarbage = 4 * int64(fastArgon.Memory)
	liveHeap = func() uint64 { return 20 << 20 }
	checkTimes(t, hash, 9)
	// Before checks 5 and 9, four small hashes' garbage had added up.
	if *collections != 2 {
		t.Fatalf("%d collections in 9 small checks at a threshold of 4, want 2", *collections)
	}
}

// The live heap is read from the runtime, and is a plausible size.
func TestTheLiveHeapIsReadFromTheRuntime(t *testing.T) {
	runtime.GC() // the figure is of the last collection
	if n := liveHeap(); n == 0 || n > 1<<40 {
		t.Fatalf("live heap %d bytes", n)
	}
}

// checkTimes checks hash's password n times.
func checkTimes(t *testing.T, hash string, n int) {
	t.Helper()
	for i := range n {
		if ok, err := CheckPassword(hash, "a long enough password"); !ok || err != nil {
			t.Fatalf("check %d: %v %v", i, ok, err)
		}
	}
}

// countCollections makes a password hash of fastArgon and has the
// collections before hashes counted instead of run, with no hash counted
// as ended yet; the test sets liveHeap. Both are put back when it ends.
func countCollections(t *testing.T) (hash string, collections *int) {
	t.Helper()
	hash, err := HashPassword("a long enough password", fastArgon)
	if err != nil {
		t.Fatal(err)
	}
	gc, live, least := collect, liveHeap, reclaimMinGarbage
	t.Cleanup(func() { collect, liveHeap, reclaimMinGarbage = gc, live, least })
	collections = new(int)
	collect = func() { *collections++ }
	reclaimMinGarbage = int64(fastArgon.Memory) // fastArgon stands for a default hash
	hashGarbage.Store(0)
	return hash, collections
}
