package pathway

import "time"

// The Independent Child Trafficking Guardian (ICTG) service (issue 13; §6.8,
// §9.4). Guardians work only in the areas the service covers, so whether
// the partnership has it is a dated setting (SettingICTGAvailable). Where
// the service ran on the day the child was referred to the NRM, the team is
// prompted to refer the child to it alongside the NRM, until the referral
// is recorded: a support item of kind SupportICTG (RecordSupport), which
// keeps who recorded it, when, and its outcome (UpdateSupport: in place,
// declined, ended). Everywhere else the ICTG's 24-hour advice line for
// professionals is still in the directory (§6.8).

// SettingICTGAvailable: the partnership's area has the ICTG service.
const SettingICTGAvailable SettingKey = "ictg_available"

// ICTGPrompt asks the team to refer the child to the ICTG service.
type ICTGPrompt struct {
	// ServiceSince is the date ("YYYY-MM-DD") from which the partnership
	// has had the service, "" when it has had it since before any change
	// was recorded.
	ServiceSince string `json:"serviceSince"`
	// NRMSubmittedAt is the day the child was referred to the NRM: the day
	// whose setting counts.
	NRMSubmittedAt time.Time `json:"nrmSubmittedAt"`
	Section        string    `json:"section"`
}

// ICTGReferralDue reports whether the team is to be prompted to refer the
// child to the ICTG service: the child has been referred to the NRM, the
// partnership had the service on the day of that referral, the case is
// open, and no ICTG referral is recorded yet (§6.8, §9.4).
func ICTGReferralDue(c Case, settings DatedSettings) (ICTGPrompt, bool) {
	if !c.NRM.ICTGEligible() || c.Flags(time.Time{}).Closed || ICTGReferral(c) != nil {
		return ICTGPrompt{}, false
	}
	on := c.NRM.ICTGEligibleFrom() // §8.10(3): eligible from the NRM referral
	s := settings.Setting(SettingICTGAvailable)
	if !s.YesOn(on) {
		return ICTGPrompt{}, false
	}
	return ICTGPrompt{ServiceSince: s.Since(on), NRMSubmittedAt: on, Section: "§6.8, §9.4"}, true
}

// ICTGReferral is the latest ICTG referral recorded on the case, or nil.
func ICTGReferral(c Case) *SupportItem {
	for i := len(c.Support.Items) - 1; i >= 0; i-- {
		if c.Support.Items[i].Kind == SupportICTG {
			return &c.Support.Items[i]
		}
	}
	return nil
}
