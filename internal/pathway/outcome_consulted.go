package pathway

import (
	"slices"
	"strings"

	"waymark"
)

// Who was consulted about the outcome of a referral (§6.2): the decision
// normally follows discussion with the police and with the person who made
// the referral, and may involve other professionals. "Normally" admits
// exceptions, so Waymark records who was consulted and warns when the police
// or the referrer were not (ConsultationGap); it does not refuse the outcome.
// A reason for leaving one out can be recorded beside it.

// The parties the outcome can be discussed with (§6.2).
const (
	ConsultedPolice   = "police"
	ConsultedReferrer = "referrer"
	ConsultedOthers   = "other-professionals"
)

var consultedParties = []struct{ Value, Text string }{
	{ConsultedPolice, "The police"},
	{ConsultedReferrer, "The person who made the referral"},
	{ConsultedOthers, "Other professionals or services"},
}

// ConsultedParties lists who the outcome can be discussed with (§6.2).
func ConsultedParties() []struct{ Value, Text string } { return consultedParties }

// validateConsultation checks the answers on who was consulted (§6.2).
func validateConsultation(probs *waymark.Problems, cmd RecordOutcome) {
	for _, v := range cmd.Consulted {
		if !slices.ContainsFunc(consultedParties, func(p struct{ Value, Text string }) bool { return p.Value == v }) {
			probs.Add("consulted", "Select who the outcome was discussed with from the list")
			break
		}
	}
	if slices.Contains(cmd.Consulted, ConsultedOthers) && strings.TrimSpace(cmd.ConsultedOthersNames) == "" {
		probs.Add("consultedOthersNames", "Name the other professionals or services the outcome was discussed with")
	}
	checkLength(probs, "consultedOthersNames", "The other professionals", cmd.ConsultedOthersNames, MaxShortText)
	checkLength(probs, "notConsultedReason", "The reason", cmd.NotConsultedReason, MaxNarrative)
}

// ConsultationGap is the warning an outcome carries when it was decided
// without the police or the referrer (§6.2); "" when both were consulted.
// An outcome recorded before consultation was kept says nothing was recorded.
func (o Outcome) ConsultationGap() string {
	var missing []string
	if !slices.Contains(o.Consulted, ConsultedPolice) {
		missing = append(missing, "the police")
	}
	if !slices.Contains(o.Consulted, ConsultedReferrer) {
		missing = append(missing, "the person who made the referral")
	}
	if len(missing) == 0 {
		return ""
	}
	msg := "The outcome is recorded as decided without discussion with " + strings.Join(missing, " or ") + ", which the procedure normally expects (§6.2)."
	if o.NotConsultedReason != "" {
		msg += " Reason given: " + o.NotConsultedReason
	} else {
		msg += " Discuss it with them, or record why not in a case note."
	}
	return msg
}

// OutcomeConsultedLabel is the party in words; "" for a value not on the list.
func OutcomeConsultedLabel(v string) string {
	for _, p := range consultedParties {
		if p.Value == v {
			return p.Text
		}
	}
	return ""
}
