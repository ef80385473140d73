package storetest

import (
	"strings"
	"sync"
	"time"

	"waymark/internal/access"
	"waymark/internal/store"
)

// TOTPSecret is every test user's authenticator secret: two-step
// verification is on for all of them, as it is for every real account.
const TOTPSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

var (
	codesMu   sync.Mutex
	lastSteps = map[*store.DB]map[string]int64{}
)

// Code is the code the user's authenticator app shows at now. A code is
// accepted once only, one 30-second step either side of now; so that a test
// can sign the same person in more than once without moving its clock, it
// gives the oldest step's code still unused in this database (now's step
// less one, then now's, then the next one's). It panics when all three are
// used: move the clock, or use NextCode.
func Code(db *store.DB, email string, now time.Time) string {
	code, ok := nextCode(db, email, now)
	if !ok {
		panic("storetest: every code of " + email + " within a step of now is used: move the clock on")
	}
	return code
}

// NextCode is Code, moving clock on by a step first when the codes around
// now are used up, as a person would wait for the next code.
func NextCode(db *store.DB, email string, clock *Clock) string {
	if code, ok := nextCode(db, email, clock.Now()); ok {
		return code
	}
	clock.Advance(access.TOTPPeriod)
	return Code(db, email, clock.Now())
}

func nextCode(db *store.DB, email string, now time.Time) (string, bool) {
	codesMu.Lock()
	defer codesMu.Unlock()
	steps := lastSteps[db]
	if steps == nil {
		steps = map[string]int64{}
		lastSteps[db] = steps
	}
	email = strings.ToLower(strings.TrimSpace(email))
	step := max(access.TOTPStep(now)-access.TOTPSkew, steps[email]+1)
	if step > access.TOTPStep(now)+access.TOTPSkew {
		return "", false
	}
	steps[email] = step
	code, err := access.TOTPAtStep(TOTPSecret, step)
	if err != nil {
		panic(err)
	}
	return code, true
}
