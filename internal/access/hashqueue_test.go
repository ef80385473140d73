package access

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
)

// withOneSlotTaken runs fn with a single hash slot, already in use, which
// free gives back.
func withOneSlotTaken(t *testing.T, fn func(t *testing.T, free func())) {
	synctest.Test(t, func(t *testing.T) {
		slots := hashSlots
		defer func() { hashSlots = slots }()
		hashSlots = make(chan struct{}, 1)
		hashSlots <- struct{}{}
		fn(t, func() { <-hashSlots })
	})
}

// A sign-in waiting for a hash slot stops waiting when its request ends
// (the person closed the page, or the client gave up): a burst of requests
// abandoned at once does not keep the processors busy long after.
func TestAPasswordCheckStopsWaitingForASlotWhenItsRequestEnds(t *testing.T) {
	hash, err := HashPassword("a long enough password", fastArgon)
	if err != nil {
		t.Fatal(err)
	}
	withOneSlotTaken(t, func(t *testing.T, free func()) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := CheckPasswordContext(ctx, hash, "a long enough password")
			done <- err
		}()
		synctest.Wait() // waiting for the slot
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want the cancellation", err)
		}
		if n := hashWaiting.Load(); n != 0 {
			t.Fatalf("%d still counted as waiting", n)
		}
		free()
	})
}

// When HashQueuePerSlot checks already wait for each slot, one more is
// refused at once with ErrHashBusy rather than queued without end; those
// waiting still get their turn, and a new password being set (an
// administrator adding someone) is never refused: it waits.
func TestAPasswordCheckIsRefusedAtOnceWhenTheQueueIsFull(t *testing.T) {
	hash, err := HashPassword("a long enough password", fastArgon)
	if err != nil {
		t.Fatal(err)
	}
	withOneSlotTaken(t, func(t *testing.T, free func()) {
		var wg sync.WaitGroup
		ok := make([]bool, HashQueuePerSlot)
		for i := range HashQueuePerSlot {
			wg.Go(func() { ok[i], _ = CheckPasswordContext(context.Background(), hash, "a long enough password") })
		}
		synctest.Wait() // all of them wait for the slot
		if _, err := CheckPasswordContext(context.Background(), hash, "a long enough password"); !errors.Is(err, ErrHashBusy) {
			t.Fatalf("one more check: err = %v, want ErrHashBusy", err)
		}
		var newHash string
		wg.Go(func() { newHash, _ = HashPassword("someone new's password", fastArgon) })
		free()
		wg.Wait()
		for i, good := range ok {
			if !good {
				t.Errorf("waiting check %d did not get its turn", i)
			}
		}
		if newHash == "" {
			t.Error("a new password was refused while the queue was full")
		}
	})
}
