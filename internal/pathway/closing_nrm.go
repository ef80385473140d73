package pathway

import (
	"strings"

	"waymark"
)

// NRMAccountedForAtClosure says whether the case's NRM referral is settled
// enough for it to close with no reason given: the referral was submitted,
// or a meeting (or the escalation that followed) decided not to submit it
// (§8.2, §2.4). Pages ask it to say why a reason is needed.
func NRMAccountedForAtClosure(c Case) bool {
	if c.NRM.Submission != nil {
		return true
	}
	decided, submit, _ := c.Meetings.NRMDecision()
	return decided && !submit
}

// closingAccountsForTheNRM: every suspected child victim is referred to the
// NRM (§8.2, §2.4), so a case closes only with the referral submitted, a
// recorded decision not to submit it, or the reason there is neither.
func closingAccountsForTheNRM(probs *waymark.Problems, c Case, reason string) {
	if NRMAccountedForAtClosure(c) || strings.TrimSpace(reason) != "" {
		return
	}
	probs.Add("noNrmReason", "No NRM referral was submitted and no multi-agency meeting recorded a decision not to submit one. "+
		"Every suspected child victim is referred to the NRM (§8.2): record the submission, or the meeting's decision not to submit, or say here why the case closes without either")
}
