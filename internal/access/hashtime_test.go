package access

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// Every password check made under a request's context adds its time to
// the request's HashTime; a context without one is checked as before.
func TestEachPasswordCheckAddsItsTimeToTheRequestsHashTime(t *testing.T) {
	hash, err := HashPassword("correct horse", fastArgon)
	if err != nil {
		t.Fatal(err)
	}
	ctx, h := WithHashTime(context.Background())
	if h.Duration() != 0 {
		t.Fatalf("a new HashTime says %s", h.Duration())
	}
	if ok, err := CheckPasswordContext(ctx, hash, "correct horse"); !ok || err != nil {
		t.Fatalf("check: %v %v", ok, err)
	}
	one := h.Duration()
	if one <= 0 {
		t.Fatalf("after one check the HashTime says %s", one)
	}
	if ok, err := CheckPasswordContext(ctx, hash, "wrong"); ok || err != nil {
		t.Fatalf("a wrong password: %v %v", ok, err)
	}
	if h.Duration() <= one {
		t.Fatalf("a second check added nothing: %s then %s", one, h.Duration())
	}
	if ok, err := CheckPasswordContext(context.Background(), hash, "correct horse"); !ok || err != nil {
		t.Fatalf("a check without a HashTime: %v %v", ok, err)
	}
	var none *HashTime
	if none.Duration() != 0 {
		t.Fatal("a nil HashTime says a time")
	}
}

// The time a check waits for a hash slot counts as its hash's (the sign-in
// target leaves out the hash and its queue alike); a check refused because
// the queue is full, or given up while waiting, ran no hash and adds nothing.
func TestTheWaitForAHashSlotCountsAndARefusalAddsNothing(t *testing.T) {
	hash, err := HashPassword("correct horse", fastArgon)
	if err != nil {
		t.Fatal(err)
	}
	var moved atomic.Int64
	defer func(c func() time.Time) { hashClock = c }(hashClock)
	start := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	hashClock = func() time.Time { return start.Add(time.Duration(moved.Load())) }
	withOneSlotTaken(t, func(t *testing.T, free func()) {
		ctx, h := WithHashTime(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := CheckPasswordContext(ctx, hash, "correct horse")
			done <- err
		}()
		synctest.Wait() // waiting for the slot
		moved.Store(int64(10 * time.Second))
		free()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if h.Duration() < 10*time.Second {
			t.Errorf("a check that waited 10 s for its slot says %s", h.Duration())
		}
	})
	withOneSlotTaken(t, func(t *testing.T, free func()) {
		defer hashWaiting.Store(0)
		hashWaiting.Store(HashQueuePerSlot) // the queue is full
		ctx, h := WithHashTime(context.Background())
		if _, err := CheckPasswordContext(ctx, hash, "correct horse"); !errors.Is(err, ErrHashBusy) {
			t.Fatalf("err = %v, want ErrHashBusy", err)
		}
		hashWaiting.Store(0)
		gone, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() {
			_, err := CheckPasswordContext(gone, hash, "correct horse")
			done <- err
		}()
		synctest.Wait()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want the cancellation", err)
		}
		if h.Duration() != 0 {
			t.Errorf("refused and given-up checks say %s", h.Duration())
		}
		free()
	})
}
