package store_test

import (
	"context"
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Two requests with the same code at the same moment: the database lets
// only one of them use its step (the check and the write are one statement).
func TestATOTPStepIsUsedOnceEvenByTwoRequestsAtOnce(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		clock := storetest.NewClock(storetest.Start)
		p := storetest.NewPartnership(t, db, clock)
		ctx := context.Background()
		use := func(step int64) bool {
			var ok bool
			if err := db.Update(ctx, func(tx *store.Tx) error { var err error; ok, err = tx.UseTOTPStep(p.Teacher.User.ID, step); return err }); err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !use(1000) {
			t.Fatal("a fresh step was refused")
		}
		if use(1000) || use(999) {
			t.Fatal("a used step, or an older one, was accepted again")
		}
		if !use(1001) {
			t.Fatal("the next step was refused")
		}
		// A secret not yet confirmed is no second factor at all.
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.ResetTOTP(p.Colleague.User.ID); err != nil {
				return err
			}
			return tx.StartTOTPEnrolment(p.Colleague.User.ID, storetest.TOTPSecret, clock.Now())
		})
		if err != nil {
			t.Fatal(err)
		}
		var ok bool
		db.Update(ctx, func(tx *store.Tx) error { ok, err = tx.UseTOTPStep(p.Colleague.User.ID, 5000); return err })
		if ok || err != nil {
			t.Fatalf("an unconfirmed secret's step was used: %v %v", ok, err)
		}
		// A confirmed secret cannot be replaced by a new enrolment.
		err = db.Update(ctx, func(tx *store.Tx) error {
			return tx.StartTOTPEnrolment(p.Teacher.User.ID, "AAAAAAAAAAAAAAAA", clock.Now().Add(time.Minute))
		})
		if err == nil {
			t.Fatal("a confirmed authenticator was replaced")
		}
	})
}
