package stats

// The rows counting reads: the statistics read model (store, migration
// 0038) as it is stored, one CaseRow per case and one EventRow per counted
// happening. They hold only what counting needs: months where counting by
// period allows, days only where working days or days to a decision are
// counted, and no case id, reference or name.

// CaseRow is one case as the statistics read model keeps it.
type CaseRow struct {
	Partnership        string
	RaisedMonth        string   // YYYY-MM (UK) the concern was raised
	ContactMonth       string   // YYYY-MM the contact was recorded, or ""
	ExploitationTypes  []string // catalogue ids (§2.1, §2.3)
	AgeBand            string   // AgeBand* or "" (not known)
	Gender             string   // pathway.Genders value, or ""
	Nationality        string   // the Home Office list's nationality, or ""
	ReferrerKind       string   // the referring organisation's kind (pathway.OrganisationKinds)
	NRMOn              string   // YYYY-MM-DD the NRM referral was submitted (§8.7), or ""
	FirstResponderName string   // the lead First Responder organisation's name
	DecisionMaker      string   // pathway.MakerSCA, MakerIECA or MakerPanel
	RGOutcome, RGOn    string   // the Reasonable Grounds decision standing now, and its date
	CGOutcome, CGOn    string   // the Conclusive Grounds decision standing now, and its date
}

// EventRow is one counted happening of a case.
type EventRow struct {
	Partnership string
	Month       string // YYYY-MM
	Kind        string // Event*
	Detail      string // a reconsideration's outcome; a clock's kind
	Outcome     string // a clock's: ClockMet, ClockMissed or ClockOpen
	DueOn       string // a clock's due day, YYYY-MM-DD
}

// Kinds of EventRow.
const (
	EventStrategyDiscussion = "strategy_discussion"
	EventMeeting            = "meeting"
	EventMissingEpisode     = "missing_episode"
	EventReturnInterview    = "return_interview"
	EventReconsideration    = "reconsideration"
	EventClock              = "clock"
)

// Clock outcomes.
const (
	ClockMet    = "met"
	ClockMissed = "missed"
	ClockOpen   = "open"
)

// Age bands, at the date the concern was raised.
const (
	AgeBand0to11  = "0-11"
	AgeBand12to15 = "12-15"
	AgeBand16to17 = "16-17"
	AgeBand18Plus = "18+"
)

// AgeBandOf is the band of an age in whole years; negative is not known.
func AgeBandOf(years int) string {
	switch {
	case years < 0:
		return ""
	case years <= 11:
		return AgeBand0to11
	case years <= 15:
		return AgeBand12to15
	case years <= 17:
		return AgeBand16to17
	}
	return AgeBand18Plus
}
