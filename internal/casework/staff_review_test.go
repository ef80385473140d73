package casework_test

import (
	"fmt"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Someone at a council office's shared address who fails to sign in a
// hundred times (a stranger on the guest network, a script gone wrong)
// must not keep the office out for the hour: people who have signed in
// from that address before go on signing in. Only accounts new to the
// address wait, and the failures still count against the address.
func TestOneFailingMachineInAnOfficeDoesNotLockTheOfficeOut(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		if err := p.svc.Throttle.SetAddressLimit(40); err != nil {
			t.Fatal(err)
		}
		office := p.from("198.51.100.80")
		var staff []string
		for i := range 3 {
			email := fmt.Sprintf("officer%02d@council.example", i)
			p.staffer(email, pathway.RolePractitioner)
			if _, _, _, err := p.svc.SignIn(office, email, storetest.Password, p.code(email)); err != nil {
				t.Fatal(err)
			}
			staff = append(staff, email)
			p.clock.Advance(time.Minute)
		}
		for i := range 40 {
			_, _, _, err := p.svc.SignIn(office, fmt.Sprintf("guess%d@council.example", i), "Summer2026!", "000000")
			wantCode(t, err, waymark.EUNAUTHORIZED)
		}
		// The address is held back for strangers to it...
		_, _, _, err := p.svc.SignIn(office, "guess99@council.example", "Summer2026!", "000000")
		wantCode(t, err, waymark.ETOOMANY)
		// ...and the office works on.
		for _, email := range staff {
			p.clock.Advance(time.Minute)
			if _, _, _, err := p.svc.SignIn(office, email, storetest.Password, p.code(email)); err != nil {
				t.Fatalf("%s, who signs in from the office every day: %v", email, err)
			}
		}
		// A colleague's success clears nothing of the address's count.
		_, _, _, err = p.svc.SignIn(office, "guess100@council.example", "Summer2026!", "000000")
		wantCode(t, err, waymark.ETOOMANY)
	})
}
