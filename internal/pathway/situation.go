package pathway

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"waymark"
)

// Fact names one thing the team learns about the child's situation, the
// exploiters and the child's background, as the procedure expects it to be
// found out and recorded (§5, §6.7, §6.8, §8.5, §8.8). Its value is the
// answer's JSON name on RecordSituation.
type Fact string

// The facts, in the order a page shows them.
const (
	FactLivingConditions  Fact = "livingConditions"   // §8.8(4)
	FactTreatment         Fact = "treatment"          // §8.8(4): how the exploiters treated the child
	FactStillInSituation  Fact = "stillInSituation"   // yes, no
	FactWhatKeepsThem     Fact = "whatKeepsThem"      // §5.4: why they stay
	FactHowTheyLeft       Fact = "howTheyLeft"        // how and why they left
	FactLastContact       Fact = "lastContact"        // the form's closed list (LastContactOptions)
	FactLastContactDetail Fact = "lastContactDetails" // how, who, threats, contact blocked
	FactExploitationWhen  Fact = "exploitationWhen"   // when it took place
	FactHowItStarted      Fact = "howItStarted"       // how contact with the exploiters began
	FactExploiters        Fact = "exploiters"         // §8.8(4)(d): who they are
	FactExploitersWhere   Fact = "exploitersWhereabouts"
	FactExploitersDetail  Fact = "exploitersWhereaboutsDetails"
	FactOtherVictims      Fact = "otherVictims" // §8.8(4)(e): yes, no, not-sure
	FactOtherVictimsInfo  Fact = "otherVictimsDetails"
	FactReportedToPolice  Fact = "reportedToPolice" // §8.5: a crime reported
	FactCrimeReference    Fact = "crimeReference"
	FactReportedBefore    Fact = "reportedBefore" // reported to anyone before, yes, no, not-sure
	FactReportedBeforeHow Fact = "reportedBeforeDetails"
	FactHelpInvestigation Fact = "helpInvestigation" // the child's willingness to help the police
	FactHelpDetails       Fact = "helpInvestigationDetails"
	FactHasChildren       Fact = "hasChildren" // children of their own
	FactNumberOfChildren  Fact = "numberOfChildren"
	FactCommunicationNeed Fact = "communicationNeeds" // help to communicate other than an interpreter (§6.12)
	FactCommunicationAid  Fact = "communicationAid"
	FactBirthplace        Fact = "birthplace"
	FactFamily            Fact = "family"
	FactEducation         Fact = "education"
)

// Where in the pathway a fact was learnt.
const (
	LearntAtContact            = "contact"             // Children's Services' contact (annex step 1)
	LearntAtStrategyDiscussion = "strategy-discussion" // §6.7
	LearntAtInterview          = "interview"           // §6.7, §7.5
	LearntAtMeeting            = "meeting"             // §6.8, §8.5
	LearntAtOther              = "other"               // any other conversation, recorded as a note would be (§7.5)
	LearntAtConcern            = "concern"             // told to the referrer, recorded with the concern (§8.5)
	LearntAtPoliceCrimeRecord  = "police-crime-record" // the police's crime record (support_criminal.go, §8.10(6))
)

var learntAtOptions = []struct{ Value, Text string }{
	{LearntAtContact, "When Children's Services took the contact"},
	{LearntAtStrategyDiscussion, "At the strategy discussion"},
	{LearntAtInterview, "At an interview with the child"},
	{LearntAtMeeting, "At a multi-agency meeting"},
	{LearntAtOther, "In another conversation with the child or someone who knows them"},
}

// LearntAtOptions lists where a recorded fact may have been learnt.
func LearntAtOptions() []struct{ Value, Text string } { return learntAtOptions }

// LearntAtLabel is where a fact was learnt, in words.
func LearntAtLabel(v string) string {
	if v == LearntAtConcern {
		return "When the concern was raised"
	}
	if v == LearntAtPoliceCrimeRecord {
		return "From the police's crime record"
	}
	return optionLabel(learntAtOptions, v)
}

var yesNo = []struct{ Value, Text string }{{"yes", "Yes"}, {"no", "No"}}

var yesNoNotSure = []struct{ Value, Text string }{{"yes", "Yes"}, {"no", "No"}, {"not-sure", "Not sure"}}

// The Home Office form's own answers to when the child last had contact with
// the exploiters, of any kind, including through someone else.
var lastContactOptions = []struct{ Value, Text string }{
	{"within-the-last-week", "Within the last week"},
	{"within-the-last-month", "Within the last month"},
	{"within-the-last-3-month", "Within the last 3 months"},
	{"within-the-last-6-month", "Within the last 6 months"},
	{"within-the-last-6-12-month", "Within the last 6 to 12 months"},
	{"over-a-year-ago", "Over a year ago"},
	{"not-sure", "Not sure"},
}

// LastContactOptions lists the answers to when the last contact was.
func LastContactOptions() []struct{ Value, Text string } { return lastContactOptions }

var exploitersWhereabouts = []struct{ Value, Text string }{
	{"uk", "In the UK"},
	{"abroad", "Outside the UK"},
	{"not-known", "Not known"},
}

// ExploitersWhereabouts lists the answers to where the exploiters are now
// (or were last known to be).
func ExploitersWhereabouts() []struct{ Value, Text string } { return exploitersWhereabouts }

// YesNoNotSure lists the answers to a question that may not be known.
func YesNoNotSure() []struct{ Value, Text string } { return yesNoNotSure }

// YesNo lists the answers to a yes-or-no fact.
func YesNo() []struct{ Value, Text string } { return yesNo }

// factSpec is what one fact may hold.
type factSpec struct {
	Fact    Fact
	Label   string // what the fact is, in words
	Options []struct{ Value, Text string }
	Max     int  // text length; MaxShortText makes it one line
	Number  bool // a whole number of 1 or more
}

var situationFacts = []factSpec{
	{Fact: FactLivingConditions, Label: "The child's living conditions", Max: MaxNarrative},
	{Fact: FactTreatment, Label: "How the exploiters treated the child", Max: MaxNarrative},
	{Fact: FactStillInSituation, Label: "Whether the child is still in the situation", Options: yesNo},
	{Fact: FactWhatKeepsThem, Label: "What keeps the child in the situation", Max: MaxNarrative},
	{Fact: FactHowTheyLeft, Label: "How and why the child left the situation", Max: MaxNarrative},
	{Fact: FactLastContact, Label: "When the child last had contact with the exploiters", Options: lastContactOptions},
	{Fact: FactLastContactDetail, Label: "The last contact with the exploiters", Max: MaxNarrative},
	{Fact: FactExploitationWhen, Label: "When the exploitation took place", Max: MaxNarrative},
	{Fact: FactHowItStarted, Label: "How the exploitation started", Max: MaxNarrative},
	{Fact: FactExploiters, Label: "Who the exploiters are", Max: MaxNarrative},
	{Fact: FactExploitersWhere, Label: "Where the exploiters are", Options: exploitersWhereabouts},
	{Fact: FactExploitersDetail, Label: "Where the exploiters are, in detail", Max: MaxNarrative},
	{Fact: FactOtherVictims, Label: "Whether there are other potential victims", Options: yesNoNotSure},
	{Fact: FactOtherVictimsInfo, Label: "The other potential victims", Max: MaxNarrative},
	{Fact: FactReportedToPolice, Label: "Whether a crime has been reported to the police", Options: yesNo},
	{Fact: FactCrimeReference, Label: "The crime reference", Max: MaxShortText},
	{Fact: FactReportedBefore, Label: "Whether the exploitation was reported before", Options: yesNoNotSure},
	{Fact: FactReportedBeforeHow, Label: "The earlier reports", Max: MaxNarrative},
	{Fact: FactHelpInvestigation, Label: "Whether the child is willing to help an investigation", Options: yesNoNotSure},
	{Fact: FactHelpDetails, Label: "How the child is helping or will help", Max: MaxNarrative},
	{Fact: FactHasChildren, Label: "Whether the child has children of their own", Options: yesNo},
	{Fact: FactNumberOfChildren, Label: "How many children they have", Number: true},
	{Fact: FactCommunicationNeed, Label: "Whether the child needs help to communicate, besides an interpreter", Options: yesNo},
	{Fact: FactCommunicationAid, Label: "The help the child needs to communicate", Max: MaxShortText},
	{Fact: FactBirthplace, Label: "Where the child was born", Max: MaxShortText},
	{Fact: FactFamily, Label: "The child's family", Max: MaxNarrative},
	{Fact: FactEducation, Label: "The child's education", Max: MaxNarrative},
}

// Facts lists every fact the pathway records, in order.
func Facts() []Fact {
	out := make([]Fact, len(situationFacts))
	for i, s := range situationFacts {
		out[i] = s.Fact
	}
	return out
}

func specOf(f Fact) (factSpec, bool) {
	for _, s := range situationFacts {
		if s.Fact == f {
			return s, true
		}
	}
	return factSpec{}, false
}

// Label is the fact in words.
func (f Fact) Label() string {
	if s, ok := specOf(f); ok {
		return s.Label
	}
	return string(f)
}

// FactAnswer is one fact's answer as told.
type FactAnswer struct {
	Fact  Fact   `json:"fact"`
	Value string `json:"value"`
}

// Text is the answer in words: a choice's text, or the answer as written.
func (a FactAnswer) Text() string {
	if s, ok := specOf(a.Fact); ok && s.Options != nil {
		return optionLabel(s.Options, a.Value)
	}
	return a.Value
}

// RecordedFact is one answer with where it was learnt and who recorded it
// when. A later answer to the same fact replaces it; the earlier ones stay
// in the history (§7.5: disclosures come in instalments).
type RecordedFact struct {
	FactAnswer
	LearntAt string    `json:"learntAt"`
	ToldBy   string    `json:"toldBy,omitempty"` // who said it, in the recorder's words
	Seq      int       `json:"seq"`
	At       time.Time `json:"at"`
	By       Party     `json:"by"`
}

// Where is where and when the fact was learnt and who recorded it, in words:
// "At the strategy discussion, recorded by Sam Social on 3 March 2026".
func (r RecordedFact) Where() string {
	s := LearntAtLabel(r.LearntAt)
	if r.LearntAt == LearntAtOther {
		s = "In another conversation"
	}
	if r.ToldBy != "" {
		s += ", told by " + r.ToldBy
	}
	if r.By.Name != "" {
		s += ", recorded by " + r.By.Name
	}
	if !r.At.IsZero() {
		s += " on " + r.At.In(London).Format("2 January 2006")
	}
	return s
}

// SituationState is every fact the team has recorded, oldest first.
type SituationState struct {
	Recorded []RecordedFact `json:"recorded,omitempty"`
}

// Fact is the latest answer to f: recorded by the team, or else told to the
// referrer with the concern (§8.5). The latest answer wins; History keeps
// the others.
func (c Case) Fact(f Fact) (RecordedFact, bool) {
	for i := len(c.Situation.Recorded) - 1; i >= 0; i-- {
		if r := c.Situation.Recorded[i]; r.Fact == f {
			return r, true
		}
	}
	for _, a := range c.Concern.Facts {
		if a.Fact == f {
			return RecordedFact{FactAnswer: a, LearntAt: LearntAtConcern, At: c.RaisedAt, By: c.Referrer}, true
		}
	}
	return RecordedFact{}, false
}

// FactHistory is every answer to f, oldest first, the concern's first.
func (c Case) FactHistory(f Fact) []RecordedFact {
	var out []RecordedFact
	for _, a := range c.Concern.Facts {
		if a.Fact == f {
			out = append(out, RecordedFact{FactAnswer: a, LearntAt: LearntAtConcern, At: c.RaisedAt, By: c.Referrer})
		}
	}
	for _, r := range c.Situation.Recorded {
		if r.Fact == f {
			out = append(out, r)
		}
	}
	return out
}

// Event type of a recorded fact.
const EventSituationRecorded = "situation_recorded"

func situationEvents() []eventDecoder {
	return []eventDecoder{decoderOf[SituationRecorded]()}
}

// SituationRecorded records what the team has learnt of the child's
// situation (§8.8).
type SituationRecorded struct {
	LearntAt string       `json:"learntAt"`
	ToldBy   string       `json:"toldBy,omitempty"`
	Facts    []FactAnswer `json:"facts"`
}

func (SituationRecorded) eventType() string { return EventSituationRecorded }

func (d SituationRecorded) apply(c *Case, e Event) {
	rs := slices.Clip(c.Situation.Recorded) // never write through the caller's slice: Apply is pure
	for _, a := range d.Facts {
		rs = append(rs, RecordedFact{FactAnswer: a, LearntAt: d.LearntAt, ToldBy: d.ToldBy, Seq: e.Seq, At: e.At, By: e.Actor})
	}
	c.Situation.Recorded = rs
}

// The timeline names the facts, never their content: it is read in lists.
func (d SituationRecorded) summary(e Event) string {
	n := len(d.Facts)
	what := "1 fact"
	if n != 1 {
		what = strconv.Itoa(n) + " facts"
	}
	return "Recorded " + what + " about the child's situation, learnt " + lowerFirstWord(LearntAtLabel(d.LearntAt))
}

func lowerFirstWord(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// RecordSituation records what the team has learnt of the child's situation,
// the exploiters and the child's background, where they learnt it (§5, §6.7,
// §6.8, §8.8). Every fact is optional: record what is known, when it is
// known; a later answer replaces an earlier one.
type RecordSituation struct {
	LearntAt string `json:"learntAt"`
	ToldBy   string `json:"toldBy"`

	LivingConditions      string `json:"livingConditions"`
	Treatment             string `json:"treatment"`
	StillInSituation      string `json:"stillInSituation"`
	WhatKeepsThem         string `json:"whatKeepsThem"`
	HowTheyLeft           string `json:"howTheyLeft"`
	LastContact           string `json:"lastContact"`
	LastContactDetails    string `json:"lastContactDetails"`
	ExploitationWhen      string `json:"exploitationWhen"`
	HowItStarted          string `json:"howItStarted"`
	Exploiters            string `json:"exploiters"`
	ExploitersWhereabouts string `json:"exploitersWhereabouts"`
	ExploitersDetails     string `json:"exploitersWhereaboutsDetails"`
	OtherVictims          string `json:"otherVictims"`
	OtherVictimsDetails   string `json:"otherVictimsDetails"`
	ReportedToPolice      string `json:"reportedToPolice"`
	CrimeReference        string `json:"crimeReference"`
	ReportedBefore        string `json:"reportedBefore"`
	ReportedBeforeDetails string `json:"reportedBeforeDetails"`
	HelpInvestigation     string `json:"helpInvestigation"`
	HelpDetails           string `json:"helpInvestigationDetails"`
	HasChildren           string `json:"hasChildren"`
	NumberOfChildren      int    `json:"numberOfChildren"`
	CommunicationNeeds    string `json:"communicationNeeds"`
	CommunicationAid      string `json:"communicationAid"`
	Birthplace            string `json:"birthplace"`
	Family                string `json:"family"`
	Education             string `json:"education"`
}

func (RecordSituation) commandName() string { return "record situation" }

// Answers lists the facts the command gives, in order, trimmed; a fact left
// blank is not in the list.
func (cmd RecordSituation) Answers() []FactAnswer {
	n := ""
	if cmd.NumberOfChildren != 0 {
		n = strconv.Itoa(cmd.NumberOfChildren)
	}
	all := []FactAnswer{
		{FactLivingConditions, cmd.LivingConditions},
		{FactTreatment, cmd.Treatment},
		{FactStillInSituation, cmd.StillInSituation},
		{FactWhatKeepsThem, cmd.WhatKeepsThem},
		{FactHowTheyLeft, cmd.HowTheyLeft},
		{FactLastContact, cmd.LastContact},
		{FactLastContactDetail, cmd.LastContactDetails},
		{FactExploitationWhen, cmd.ExploitationWhen},
		{FactHowItStarted, cmd.HowItStarted},
		{FactExploiters, cmd.Exploiters},
		{FactExploitersWhere, cmd.ExploitersWhereabouts},
		{FactExploitersDetail, cmd.ExploitersDetails},
		{FactOtherVictims, cmd.OtherVictims},
		{FactOtherVictimsInfo, cmd.OtherVictimsDetails},
		{FactReportedToPolice, cmd.ReportedToPolice},
		{FactCrimeReference, cmd.CrimeReference},
		{FactReportedBefore, cmd.ReportedBefore},
		{FactReportedBeforeHow, cmd.ReportedBeforeDetails},
		{FactHelpInvestigation, cmd.HelpInvestigation},
		{FactHelpDetails, cmd.HelpDetails},
		{FactHasChildren, cmd.HasChildren},
		{FactNumberOfChildren, n},
		{FactCommunicationNeed, cmd.CommunicationNeeds},
		{FactCommunicationAid, cmd.CommunicationAid},
		{FactBirthplace, cmd.Birthplace},
		{FactFamily, cmd.Family},
		{FactEducation, cmd.Education},
	}
	return normaliseFacts(all)
}

// normaliseFacts trims the answers and drops the blank ones.
func normaliseFacts(in []FactAnswer) []FactAnswer {
	var out []FactAnswer
	for _, a := range in {
		a.Value = strings.TrimSpace(a.Value)
		if a.Value != "" {
			out = append(out, a)
		}
	}
	return out
}

// guard: the facts of the child's situation are the team's to record (§6.5),
// on a case that is open.
func (RecordSituation) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if !strategyTeamMember(c, a) {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only the people working this case can record what is known of the child's situation. Tell the case's social worker what you know so they can record it.")
	}
	return notClosed(c)
}

func (cmd RecordSituation) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	given := cmd.Answers()
	facts := unchangedLeftOut(c, given)
	toldBy := strings.Join(strings.Fields(cmd.ToldBy), " ")
	var probs waymark.Problems
	if optionLabel(learntAtOptions, cmd.LearntAt) == cmd.LearntAt {
		probs.Add("learntAt", "Select where you learnt this")
	} else if msg := learntAtHappened(c, cmd.LearntAt, now); msg != "" {
		probs.Add("learntAt", "%s", msg)
	}
	checkLength(&probs, "toldBy", "Who told you", toldBy, MaxShortText)
	if cmd.NumberOfChildren < 0 {
		probs.Add(string(FactNumberOfChildren), "How many children they have must be a whole number, 1 or more")
	}
	checkFacts(&probs, facts)
	switch {
	case len(probs) > 0:
	case len(given) == 0:
		probs.Add(string(FactLivingConditions), "Answer at least one question: record what you have learnt, and leave the rest blank")
	case len(facts) == 0:
		probs.Add(string(given[0].Fact), "These answers are already recorded. Change an answer, or add what you have learnt since")
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(SituationRecorded{LearntAt: cmd.LearntAt, ToldBy: toldBy, Facts: facts})}, nil
}

// unchangedLeftOut drops the answers that say what the case already holds,
// so a page that shows the answers so far records only what changed.
func unchangedLeftOut(c Case, given []FactAnswer) []FactAnswer {
	var out []FactAnswer
	for _, a := range given {
		if r, ok := c.Fact(a.Fact); ok && r.Value == a.Value {
			continue
		}
		out = append(out, a)
	}
	return out
}

// checkFacts checks each answer against what its fact may hold, naming the
// answer by its JSON name; follow-up answers need the answer they follow.
func checkFacts(probs *waymark.Problems, facts []FactAnswer) {
	given := map[Fact]string{}
	for _, a := range facts {
		given[a.Fact] = a.Value
		s, ok := specOf(a.Fact)
		field := string(a.Fact)
		switch {
		case !ok:
			probs.Add(field, "%q is not something Waymark records", clip(field))
		case s.Options != nil:
			if optionLabel(s.Options, a.Value) == a.Value {
				probs.Add(field, "%s: select one of the answers", s.Label)
			}
		case s.Number:
			if n, err := strconv.Atoi(a.Value); err != nil || n < 1 || n > 30 {
				probs.Add(field, "%s must be a whole number between 1 and 30", s.Label)
			}
		default:
			checkLength(probs, field, s.Label, a.Value, s.Max)
		}
	}
	// A number of children follows a yes to having children; a crime
	// reference follows a crime reported to the police (§8.5).
	if given[FactNumberOfChildren] != "" && given[FactHasChildren] == "no" {
		probs.Add(string(FactNumberOfChildren), "You said the child has no children of their own: leave how many blank, or change the answer to yes")
	}
	if given[FactCrimeReference] != "" && given[FactReportedToPolice] == "no" {
		probs.Add(string(FactCrimeReference), "You said no crime has been reported to the police: leave the crime reference blank, or change the answer to yes")
	}
}

// learntAtHappened: a fact is learnt at a step of the pathway that has
// taken place on the case (annex step 1, §6.7, §6.8).
func learntAtHappened(c Case, at string, now time.Time) string {
	switch at {
	case LearntAtContact:
		if c.Contact == nil {
			return "Children's Services have not recorded the contact yet. Record the contact first, or choose where else you learnt this"
		}
	case LearntAtStrategyDiscussion:
		if len(c.Strategy.Discussions) == 0 {
			return "No strategy discussion is recorded on this case. Record it first (§6.7), or choose where else you learnt this"
		}
	case LearntAtInterview:
		if !slices.ContainsFunc(c.Strategy.Interviews, func(iv InterviewPlan) bool { return !iv.PlannedFor.After(now) }) {
			return "No interview with the child has taken place on this case yet. Plan it first (§6.7), or choose where else you learnt this"
		}
	case LearntAtMeeting:
		if !slices.ContainsFunc(c.Meetings.Meetings, func(m Meeting) bool { return m.Held != nil }) {
			return "No multi-agency meeting is recorded as held on this case. Record the meeting first (§6.8), or choose where else you learnt this"
		}
	}
	return ""
}

// ValidateConcernFacts checks only what the referrer recorded of the
// child's situation (one page of the concern form).
func (p *Pathway) ValidateConcernFacts(facts []FactAnswer) error {
	var probs waymark.Problems
	validateConcernFacts(&probs, facts)
	return probs.Err()
}

// validateConcernFacts checks what the child told the referrer, recorded
// with the concern (§8.5): the facts a referrer may learn.
func validateConcernFacts(probs *waymark.Problems, facts []FactAnswer) {
	for _, a := range facts {
		if !slices.Contains(ConcernFacts(), a.Fact) {
			probs.Add(string(a.Fact), "%s is recorded by the team working the case, not with the concern", a.Fact.Label())
		}
	}
	checkFacts(probs, facts)
}

// ConcernFacts are the facts a referrer may record with the concern: what a
// child may say, or a professional may see, when the signs are spotted (§5,
// §8.5). The rest are learnt later, by the team.
func ConcernFacts() []Fact {
	return []Fact{FactLivingConditions, FactTreatment, FactExploiters, FactOtherVictims, FactOtherVictimsInfo,
		FactHowItStarted, FactExploitationWhen, FactCommunicationNeed, FactCommunicationAid, FactBirthplace, FactFamily, FactEducation}
}

func optionLabel(opts []struct{ Value, Text string }, v string) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Text
		}
	}
	return v
}

// KnownFacts is the latest answer to every fact the case holds, in the
// order of Facts.
func (c Case) KnownFacts() []RecordedFact {
	var out []RecordedFact
	for _, f := range Facts() {
		if r, ok := c.Fact(f); ok {
			out = append(out, r)
		}
	}
	return out
}
