package pathway

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"waymark"
)

// The child's voice (§7.6, §8.3): their own wishes and feelings in their
// words, that the NRM was explained to them and their guardian, and that
// each NRM decision was told to them.

// Event types of the child's voice.
const (
	EventChildsWishesRecorded = "childs_wishes_recorded"
	EventNRMExplained         = "nrm_explained"
	EventNRMOutcomeTold       = "nrm_outcome_told"
)

// voiceEvents lists the event types of the child's voice.
func voiceEvents() []eventDecoder {
	return []eventDecoder{
		decoderOf[ChildsWishesRecorded](),
		decoderOf[NRMExplained](),
		decoderOf[NRMOutcomeTold](),
	}
}

// Who is told about the NRM (§8.3).
const (
	ToldChild    = "child"
	ToldGuardian = "guardian"
)

var toldWhom = []struct{ Value, Text string }{
	{ToldChild, "The child"},
	{ToldGuardian, "Their parent, guardian or carer"},
}

// ToldWhom lists who can be told about the NRM (§8.3).
func ToldWhom() []struct{ Value, Text string } { return toldWhom }

// ChildVoice is what the child said, and what they were told (§7.6, §8.3).
type ChildVoice struct {
	Wishes       []ChildsWishes   `json:"wishes"`
	Explanations []NRMExplanation `json:"explanations"`
	OutcomesTold []OutcomeTelling `json:"outcomesTold"`
}

// ChildsWishes is one dated entry of the child's own wishes and feelings,
// in their words (§7.6: give the child a voice).
type ChildsWishes struct {
	Seq        int       `json:"seq"`
	SaidOn     string    `json:"saidOn"` // YYYY-MM-DD
	Words      string    `json:"words"`
	How        string    `json:"how,omitempty"` // how they were heard: an interpreter, a visit
	RecordedBy Party     `json:"recordedBy"`
	RecordedAt time.Time `json:"recordedAt"`
}

// NRMExplanation records that the NRM was explained (§8.3).
type NRMExplanation struct {
	Seq           int       `json:"seq"`
	ExplainedOn   string    `json:"explainedOn"` // YYYY-MM-DD
	ExplainedBy   string    `json:"explainedBy"`
	To            []string  `json:"to"`
	HowUnderstood string    `json:"howUnderstood"`
	RecordedBy    Party     `json:"recordedBy"`
	RecordedAt    time.Time `json:"recordedAt"`
}

// ToLabel is who was told, in words.
func (x NRMExplanation) ToLabel() string { return toldLabel(x.To) }

// OutcomeTelling records that an NRM decision was told to the child or their
// guardian (§8.3).
type OutcomeTelling struct {
	Seq           int       `json:"seq"`
	Decision      int       `json:"decision"` // seq of the decision told
	DecisionLabel string    `json:"decisionLabel"`
	ToldOn        string    `json:"toldOn"` // YYYY-MM-DD
	ToldBy        string    `json:"toldBy"`
	To            []string  `json:"to"`
	HowUnderstood string    `json:"howUnderstood"`
	RecordedBy    Party     `json:"recordedBy"`
	RecordedAt    time.Time `json:"recordedAt"`
}

// ToLabel is who was told, in words.
func (x OutcomeTelling) ToLabel() string { return toldLabel(x.To) }

func toldLabel(to []string) string {
	var out []string
	for _, w := range to {
		out = append(out, strings.ToLower(supportLabel(toldWhom, w)))
	}
	return strings.Join(out, " and ")
}

// NRMExplainedTo says whether the NRM has been explained to whom ("child"
// or "guardian"): at the submission, or in an explanation recorded since.
// For the guardian, the submission's "telling them could put the child at
// risk" and "no one to tell" also settle it (§8.3, annex).
func (c Case) NRMExplainedTo(whom string) bool {
	if slices.ContainsFunc(c.Voice().Explanations, func(x NRMExplanation) bool { return slices.Contains(x.To, whom) }) {
		return true
	}
	if c.NRM.Submission == nil {
		return false
	}
	d := c.NRM.Submission.Declaration
	if whom == ToldChild {
		return d.ExplainedToChild == ExplainedYes
	}
	return d.ExplainedToCarer == ExplainedYes || d.ExplainedToCarer == ExplainedNotSafe || d.ExplainedToCarer == ExplainedNoCarer
}

// NRMExplanationOwed: once the referral is submitted, the NRM must have been
// explained to the child and their guardian; until it is recorded, the team
// is prompted (§8.3).
func (c Case) NRMExplanationOwed() bool {
	return c.NRM.Submission != nil && (!c.NRMExplainedTo(ToldChild) || !c.NRMExplainedTo(ToldGuardian))
}

// OutcomesNotTold lists the NRM decisions not yet told to the child or their
// guardian, oldest first (§8.3).
func (c Case) OutcomesNotTold() []GroundsDecision {
	var out []GroundsDecision
	for _, d := range c.NRM.Decisions {
		if !slices.ContainsFunc(c.Voice().OutcomesTold, func(t OutcomeTelling) bool { return t.Decision == d.Seq }) {
			out = append(out, d)
		}
	}
	return out
}

// Voice is the child's voice on the case.
func (c Case) Voice() ChildVoice { return c.Support.Voice }

// ChildsWishesRecorded: the child's wishes and feelings, in their words.
type ChildsWishesRecorded struct {
	SaidOn string `json:"saidOn"`
	Words  string `json:"words"`
	How    string `json:"how,omitempty"`
}

// NRMExplained: the NRM was explained to the child or their guardian (§8.3).
type NRMExplained struct {
	ExplainedOn   string   `json:"explainedOn"`
	ExplainedBy   string   `json:"explainedBy"`
	To            []string `json:"to"`
	HowUnderstood string   `json:"howUnderstood"`
}

// NRMOutcomeTold: an NRM decision was told to the child or their guardian (§8.3).
type NRMOutcomeTold struct {
	Decision      int      `json:"decision"`
	DecisionLabel string   `json:"decisionLabel"`
	ToldOn        string   `json:"toldOn"`
	ToldBy        string   `json:"toldBy"`
	To            []string `json:"to"`
	HowUnderstood string   `json:"howUnderstood"`
}

func (ChildsWishesRecorded) eventType() string { return EventChildsWishesRecorded }
func (NRMExplained) eventType() string         { return EventNRMExplained }
func (NRMOutcomeTold) eventType() string       { return EventNRMOutcomeTold }

func (d ChildsWishesRecorded) apply(c *Case, e Event) {
	v := &c.Support.Voice
	v.Wishes = append(slices.Clip(v.Wishes), ChildsWishes{Seq: e.Seq, SaidOn: d.SaidOn, Words: d.Words, How: d.How, RecordedBy: e.Actor, RecordedAt: e.At})
}

func (d NRMExplained) apply(c *Case, e Event) {
	v := &c.Support.Voice
	v.Explanations = append(slices.Clip(v.Explanations), NRMExplanation{Seq: e.Seq, ExplainedOn: d.ExplainedOn, ExplainedBy: d.ExplainedBy,
		To: slices.Clone(d.To), HowUnderstood: d.HowUnderstood, RecordedBy: e.Actor, RecordedAt: e.At})
}

func (d NRMOutcomeTold) apply(c *Case, e Event) {
	v := &c.Support.Voice
	v.OutcomesTold = append(slices.Clip(v.OutcomesTold), OutcomeTelling{Seq: e.Seq, Decision: d.Decision, DecisionLabel: d.DecisionLabel, ToldOn: d.ToldOn,
		ToldBy: d.ToldBy, To: slices.Clone(d.To), HowUnderstood: d.HowUnderstood, RecordedBy: e.Actor, RecordedAt: e.At})
}

// Summaries do not quote the child: their words stay in the record.
func (ChildsWishesRecorded) summary(e Event) string {
	return "The child's wishes and feelings recorded"
}
func (d NRMExplained) summary(e Event) string {
	return "The NRM explained to " + toldLabel(d.To)
}
func (d NRMOutcomeTold) summary(e Event) string {
	return d.DecisionLabel + " decision told to " + toldLabel(d.To)
}

// RecordChildsWishes records the child's wishes and feelings in their own words (§7.6).
type RecordChildsWishes struct {
	SaidOn string `json:"saidOn"` // YYYY-MM-DD
	Words  string `json:"words"`
	How    string `json:"how"`
}

// RecordNRMExplained records that the NRM was explained (§8.3).
type RecordNRMExplained struct {
	ExplainedOn   string   `json:"explainedOn"` // YYYY-MM-DD
	ExplainedBy   string   `json:"explainedBy"`
	To            []string `json:"to"`
	HowUnderstood string   `json:"howUnderstood"`
}

// RecordNRMOutcomeTold records that an NRM decision was told (§8.3).
type RecordNRMOutcomeTold struct {
	Decision      string   `json:"decision"` // the decision's entry number
	ToldOn        string   `json:"toldOn"`   // YYYY-MM-DD
	ToldBy        string   `json:"toldBy"`
	To            []string `json:"to"`
	HowUnderstood string   `json:"howUnderstood"`
}

func (RecordChildsWishes) commandName() string   { return "record childs wishes" }
func (RecordNRMExplained) commandName() string   { return "record nrm explained" }
func (RecordNRMOutcomeTold) commandName() string { return "record nrm outcome told" }

// guard says who may give RecordChildsWishes and whether the case allows it now.
func (RecordChildsWishes) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := teamRecordsSupport(c, a); err != nil {
		return err
	}
	return notClosed(c)
}

func (cmd RecordChildsWishes) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	supportPastDay(&probs, "saidOn", "the date the child said this", cmd.SaidOn, now)
	words, how := strings.TrimSpace(cmd.Words), strings.TrimSpace(cmd.How)
	if words == "" {
		probs.Add("words", "Enter what the child wants and feels, in their own words")
	}
	checkLength(&probs, "words", "The child's words", words, MaxNarrative)
	checkLength(&probs, "how", "How they were heard", how, MaxShortText)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(ChildsWishesRecorded{SaidOn: cmd.SaidOn, Words: words, How: how})}, nil
}

// guard says who may give RecordNRMExplained and whether the case allows it now.
func (RecordNRMExplained) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := teamRecordsSupport(c, a); err != nil {
		return err
	}
	return notClosed(c)
}

func (cmd RecordNRMExplained) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	supportPastDay(&probs, "explainedOn", "the date it was explained", cmd.ExplainedOn, now)
	by, how := strings.TrimSpace(cmd.ExplainedBy), strings.TrimSpace(cmd.HowUnderstood)
	if by == "" {
		probs.Add("explainedBy", "Enter who explained the NRM")
	}
	to := toldAnswer(&probs, cmd.To)
	if how == "" {
		probs.Add("howUnderstood", "Describe how they understood it: what they said back, and any interpreter used")
	}
	checkLength(&probs, "explainedBy", "Who explained it", by, MaxShortText)
	checkLength(&probs, "howUnderstood", "How they understood it", how, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	if slices.Contains(to, ToldGuardian) {
		if err := noNRMTalkWithSuspectedFamily(c); err != nil {
			return nil, err
		}
	}
	return []Event{newEvent(NRMExplained{ExplainedOn: cmd.ExplainedOn, ExplainedBy: by, To: to, HowUnderstood: how})}, nil
}

// noNRMTalkWithSuspectedFamily: when the family is suspected of involvement,
// concerns are not raised with them (annex, §1.2); a guardian who is not
// family is recorded in words, in the notes of who was told.
func noNRMTalkWithSuspectedFamily(c Case) error {
	if c.Concern.FamilySuspected {
		return waymark.Errorf(waymark.EINVALID, "Family or carers are suspected of involvement, so the NRM is not discussed with them (annex, §1.2). Record that it was explained to the child; if an independent guardian was told, say so in how the child understood it.")
	}
	return nil
}

// toldAnswer checks who was told: at least one of the child and their guardian.
func toldAnswer(probs *waymark.Problems, to []string) []string {
	var out []string
	for _, w := range to {
		switch {
		case !supportValid(toldWhom, w):
			probs.Add("to", "Select only the people listed")
		case !slices.Contains(out, w):
			out = append(out, w)
		}
	}
	if len(to) == 0 {
		probs.Add("to", "Select who was told: the child, their parent, guardian or carer, or both")
	}
	return out
}

// guard says who may give RecordNRMOutcomeTold and whether the case allows it now.
func (RecordNRMOutcomeTold) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := teamRecordsSupport(c, a); err != nil {
		return err
	}
	if len(c.NRM.Decisions) == 0 {
		return waymark.Errorf(waymark.EINVALID, "No NRM decision is recorded yet. Record the decision, then that it was told to the child.")
	}
	return nil
}

func (cmd RecordNRMOutcomeTold) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	var d *GroundsDecision
	for i := range c.NRM.Decisions {
		if strconv.Itoa(c.NRM.Decisions[i].Seq) == strings.TrimSpace(cmd.Decision) {
			d = &c.NRM.Decisions[i]
		}
	}
	if d == nil {
		probs.Add("decision", "Select the decision that was told")
	}
	on := supportPastDay(&probs, "toldOn", "the date it was told", cmd.ToldOn, now)
	if d != nil {
		if decided, ok := supportDay(d.DecidedOn); ok && !decided.IsZero() && !on.IsZero() && on.Before(decided) {
			probs.Add("toldOn", "The decision cannot be told before it was made (%s)", decided.Format("2 January 2006"))
		}
	}
	by, how := strings.TrimSpace(cmd.ToldBy), strings.TrimSpace(cmd.HowUnderstood)
	if by == "" {
		probs.Add("toldBy", "Enter who told them")
	}
	to := toldAnswer(&probs, cmd.To)
	if how == "" {
		probs.Add("howUnderstood", "Describe how they understood the decision and what it means for them")
	}
	checkLength(&probs, "toldBy", "Who told them", by, MaxShortText)
	checkLength(&probs, "howUnderstood", "How they understood it", how, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	if slices.Contains(to, ToldGuardian) {
		if err := noNRMTalkWithSuspectedFamily(c); err != nil {
			return nil, err
		}
	}
	return []Event{newEvent(NRMOutcomeTold{Decision: d.Seq, DecisionLabel: d.Label(), ToldOn: cmd.ToldOn, ToldBy: by, To: to, HowUnderstood: how})}, nil
}
