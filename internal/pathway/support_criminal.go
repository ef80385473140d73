package pathway

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"waymark"
	"waymark/internal/catalog"
)

// The child in the criminal justice system: their rights told to them and
// their solicitor told of the concerns (§6.9), the offence they are suspected
// of and whether the section 45 defence can cover it (§6.10), a positive
// Conclusive Grounds decision passed to the defence (§6.10, §8.10(5)), the
// victim liaison officer (§6.11) and the police's crime record once the NRM
// referral is in (§8.10(6)). Legal advice itself is a support item
// (support_justice.go).

// Event types of the child in the criminal justice system.
const (
	EventChildToldOfRights                = "child_told_of_rights"
	EventVictimLiaisonOfficerRecorded     = "victim_liaison_officer_recorded"
	EventSuspectedOffenceRecorded         = "suspected_offence_recorded"
	EventConclusiveGroundsPassedToDefence = "conclusive_grounds_passed_to_defence"
	EventCrimeReferenceRecorded           = "crime_reference_recorded"
)

func criminalJusticeEvents() []eventDecoder {
	return []eventDecoder{
		decoderOf[ChildToldOfRights](),
		decoderOf[VictimLiaisonOfficerRecorded](),
		decoderOf[SuspectedOffenceRecorded](),
		decoderOf[ConclusiveGroundsPassedToDefence](),
		decoderOf[CrimeReferenceRecorded](),
	}
}

// JusticeState is the child's part in criminal proceedings, as the team
// records it. Each list is oldest first; nothing is overwritten.
type JusticeState struct {
	RightsTold      []RightsTold           `json:"rightsTold"`
	LiaisonOfficers []VictimLiaisonOfficer `json:"liaisonOfficers"`
	Offences        []SuspectedOffence     `json:"offences"`
	DefenceTold     []DefenceTold          `json:"defenceTold"`
	CrimeRecords    []CrimeRecord          `json:"crimeRecords"`
}

// RightsTold records that the child was told of their right to protection,
// support and help in any criminal proceedings against offenders (§6.9).
type RightsTold struct {
	ToldOn     string    `json:"toldOn"` // YYYY-MM-DD
	ToldBy     string    `json:"toldBy,omitempty"`
	Notes      string    `json:"notes,omitempty"`
	RecordedAt time.Time `json:"recordedAt"`
	RecordedBy Party     `json:"recordedBy"`
}

// ToldOnLabel is the day the child was told, in words.
func (r RightsTold) ToldOnLabel() string { return nrmDayLabel(r.ToldOn) }

// VictimLiaisonOfficer is the police officer who keeps the child informed of
// an investigation or prosecution (§6.11). A later record replaces them.
type VictimLiaisonOfficer struct {
	Name       string    `json:"name"`
	Force      string    `json:"force"`
	Contact    string    `json:"contact"`
	Notes      string    `json:"notes,omitempty"`
	RecordedAt time.Time `json:"recordedAt"`
	RecordedBy Party     `json:"recordedBy"`
}

// Answers to whether an offence is in Schedule 4, besides an offence's id.
const (
	ScheduleFourNotListed = "not-listed" // none of the offences Waymark lists
	ScheduleFourNotSure   = "not-sure"
)

// SuspectedOffence is an offence the child is suspected or accused of
// (§6.10), with whether it is one the section 45 defence does not cover, as
// Waymark's copy of Schedule 4 listed it when it was recorded.
type SuspectedOffence struct {
	ID           string `json:"id"` // the seq of the event that recorded it
	Offence      string `json:"offence"`
	ScheduleFour string `json:"scheduleFour"` // an offence's id, ScheduleFourNotListed or ScheduleFourNotSure
	// The schedule's heading and words for the offence, and the date its
	// copy was last checked, as they stood when it was recorded.
	ScheduleFourGroup   string    `json:"scheduleFourGroup,omitempty"`
	ScheduleFourLabel   string    `json:"scheduleFourLabel,omitempty"`
	ScheduleFourChecked string    `json:"scheduleFourChecked,omitempty"`
	Notes               string    `json:"notes,omitempty"`
	RecordedAt          time.Time `json:"recordedAt"`
	RecordedBy          Party     `json:"recordedBy"`
}

// OutsideTheDefence reports whether the offence is listed in Schedule 4, so
// the section 45 defence does not cover it (§6.10).
func (o SuspectedOffence) OutsideTheDefence() bool {
	return o.ScheduleFour != ScheduleFourNotListed && o.ScheduleFour != ScheduleFourNotSure && o.ScheduleFour != ""
}

// DefenceLabel says what Schedule 4 means for the offence, in words.
func (o SuspectedOffence) DefenceLabel() string {
	switch {
	case o.OutsideTheDefence():
		return "Listed in Schedule 4 (" + o.ScheduleFourGroup + ": " + o.ScheduleFourLabel + "): the section 45 defence does not apply to it (§6.10)"
	case o.ScheduleFour == ScheduleFourNotSure:
		return "Not known whether it is in Schedule 4: ask the child's solicitor (§6.10)"
	}
	return "Not among the Schedule 4 offences Waymark lists. Waymark's list is incomplete: the child's solicitor must check the schedule (§6.10)"
}

// DefenceTold records that a positive Conclusive Grounds decision was passed
// to the child's defence (§6.10, §8.10(5)).
type DefenceTold struct {
	Decision   int       `json:"decision"` // the seq of the Conclusive Grounds decision passed on
	PassedOn   string    `json:"passedOn"` // YYYY-MM-DD
	PassedTo   string    `json:"passedTo"`
	Notes      string    `json:"notes,omitempty"`
	RecordedAt time.Time `json:"recordedAt"`
	RecordedBy Party     `json:"recordedBy"`
}

// PassedOnLabel is the day it was passed on, in words.
func (d DefenceTold) PassedOnLabel() string { return nrmDayLabel(d.PassedOn) }

// CrimeRecord is the police's record of the crime against the child: the
// NRM referral puts the police under a duty to investigate (§8.10(6)).
type CrimeRecord struct {
	Reference  string    `json:"reference"`
	Force      string    `json:"force"`
	Notes      string    `json:"notes,omitempty"`
	RecordedAt time.Time `json:"recordedAt"`
	RecordedBy Party     `json:"recordedBy"`
}

// LiaisonOfficer is the victim liaison officer recorded last, if any (§6.11).
func (j JusticeState) LiaisonOfficer() *VictimLiaisonOfficer {
	if len(j.LiaisonOfficers) == 0 {
		return nil
	}
	return &j.LiaisonOfficers[len(j.LiaisonOfficers)-1]
}

// legalKinds are the support items that are a lawyer acting for the child:
// they must know of the trafficking concerns (§6.9).
var legalKinds = []string{SupportCriminalLegalAdvice, SupportImmigrationLegalAdvice, SupportStatutoryDefence}

// IsLegal reports whether the support is a lawyer acting for the child (§6.9).
func (it SupportItem) IsLegal() bool { return slices.Contains(legalKinds, it.Kind) }

func (it SupportItem) active() bool {
	return it.Status != SupportDeclined && it.Status != SupportEnded
}

// SpecialistLabel says whether the lawyer is a trafficking specialist, in words.
func (it SupportItem) SpecialistLabel() string { return yesNoUnknown(it.TraffickingSpecialist) }

// ConcernsSharedLabel says whether the concerns were shared with the lawyer, in words.
func (it SupportItem) ConcernsSharedLabel() string { return yesNoUnknown(it.ConcernsShared) }

func yesNoUnknown(b *bool) string {
	switch {
	case b == nil:
		return "Not recorded"
	case *b:
		return "Yes"
	}
	return "No"
}

// CriminalMatter reports whether the child is suspected of an offence or
// faces prosecution (§6.9, §6.10).
func (c Case) CriminalMatter() bool {
	return len(c.Support.Justice.Offences) > 0 || c.Support.FacingProsecution()
}

// hasCrimeReference: the police's crime reference is known, however it was
// recorded (this record, or the situation's facts, §8.5).
func (c Case) hasCrimeReference() bool {
	_, ok := c.Fact(FactCrimeReference)
	return ok
}

// CrimeReferenceDue: once the NRM referral is submitted the police must
// investigate, so their crime record is asked for (§8.10(6)).
func (c Case) CrimeReferenceDue() bool {
	return c.NRM.Submission != nil && !c.hasCrimeReference()
}

// DefenceDue: a positive Conclusive Grounds decision, when the child is in
// the criminal justice system, goes to their defence, so that they are
// treated as a victim rather than an offender (§6.10, §8.10(5)).
func (c Case) DefenceDue() bool {
	cg := c.NRM.ConclusiveGrounds
	if cg == nil || !cg.Positive() || !c.CriminalMatter() {
		return false
	}
	return !slices.ContainsFunc(c.Support.Justice.DefenceTold, func(d DefenceTold) bool { return d.Decision == cg.Seq })
}

// Prompt is something the procedure still expects of the team, shown where
// they work on the case until it is recorded.
type Prompt struct {
	Kind string `json:"kind"` // one of JusticePromptKinds
	Text string `json:"text"` // what to do, with its section
}

// JusticePrompts lists what the procedure still expects of the team for the
// child in the criminal justice system, each with its section.
func (c Case) JusticePrompts() []Prompt {
	var ws []Prompt
	j := c.Support.Justice
	if c.Contact != nil && len(j.RightsTold) == 0 {
		ws = append(ws, Prompt{"rights-not-told", "Tell the child of their right to protection, support and help in any criminal proceedings, then record it (§6.9)."})
	}
	for _, it := range c.Support.Items {
		if !it.IsLegal() || !it.active() {
			continue
		}
		who := it.Provider
		if who == "" {
			who = "the child's lawyer (" + shortKind(it.Kind) + ")"
		}
		if it.TraffickingSpecialist == nil {
			ws = append(ws, Prompt{"solicitor-specialism", "Record whether " + who + " is a trafficking specialist (§6.9)."})
		}
		if it.ConcernsShared == nil || !*it.ConcernsShared {
			ws = append(ws, Prompt{"solicitor-concerns", "Raise the trafficking concerns clearly with " + who + ", then record that they were shared (§6.9)."})
		}
	}
	for _, o := range j.Offences {
		if o.OutsideTheDefence() {
			ws = append(ws, Prompt{"section-45-excluded", "“" + o.Offence + "” is listed in Schedule 4: the section 45 defence does not cover it. Make sure the child's solicitor knows (§6.10)."})
		}
	}
	if c.DefenceDue() {
		ws = append(ws, Prompt{"conclusive-grounds-to-defence", "Pass the positive Conclusive Grounds decision to the child's defence, then record it (§6.10, §8.10(5))."})
	}
	if c.CrimeReferenceDue() {
		ws = append(ws, Prompt{"crime-reference", "The NRM referral is in: ask the police for their crime record and record its reference (§8.10(6))."})
	}
	return ws
}

// JusticePromptKinds lists every kind JusticePrompts gives, in its order.
func JusticePromptKinds() []string {
	return []string{"rights-not-told", "solicitor-specialism", "solicitor-concerns", "section-45-excluded", "conclusive-grounds-to-defence", "crime-reference"}
}

// --- Events ---

// ChildToldOfRights records that the child was told their rights (§6.9).
type ChildToldOfRights struct {
	Told RightsTold `json:"told"`
}

// VictimLiaisonOfficerRecorded names the child's victim liaison officer (§6.11).
type VictimLiaisonOfficerRecorded struct {
	Officer VictimLiaisonOfficer `json:"officer"`
}

// SuspectedOffenceRecorded records an offence the child is suspected of (§6.10).
type SuspectedOffenceRecorded struct {
	Offence SuspectedOffence `json:"offence"`
}

// ConclusiveGroundsPassedToDefence records that the decision went to the
// child's defence (§6.10, §8.10(5)).
type ConclusiveGroundsPassedToDefence struct {
	Told DefenceTold `json:"told"`
}

// CrimeReferenceRecorded records the police's crime record (§8.10(6)).
type CrimeReferenceRecorded struct {
	Record CrimeRecord `json:"record"`
}

func (ChildToldOfRights) eventType() string            { return EventChildToldOfRights }
func (VictimLiaisonOfficerRecorded) eventType() string { return EventVictimLiaisonOfficerRecorded }
func (SuspectedOffenceRecorded) eventType() string     { return EventSuspectedOffenceRecorded }
func (ConclusiveGroundsPassedToDefence) eventType() string {
	return EventConclusiveGroundsPassedToDefence
}
func (CrimeReferenceRecorded) eventType() string { return EventCrimeReferenceRecorded }

// Each apply appends to a fresh slice: Apply never writes through an earlier state.
func (d ChildToldOfRights) apply(c *Case, e Event) {
	r := d.Told
	r.RecordedAt, r.RecordedBy = e.At, e.Actor
	c.Support.Justice.RightsTold = append(slices.Clip(c.Support.Justice.RightsTold), r)
}

func (d VictimLiaisonOfficerRecorded) apply(c *Case, e Event) {
	o := d.Officer
	o.RecordedAt, o.RecordedBy = e.At, e.Actor
	c.Support.Justice.LiaisonOfficers = append(slices.Clip(c.Support.Justice.LiaisonOfficers), o)
}

func (d SuspectedOffenceRecorded) apply(c *Case, e Event) {
	o := d.Offence
	o.ID, o.RecordedAt, o.RecordedBy = strconv.Itoa(e.Seq), e.At, e.Actor
	c.Support.Justice.Offences = append(slices.Clip(c.Support.Justice.Offences), o)
}

func (d ConclusiveGroundsPassedToDefence) apply(c *Case, e Event) {
	t := d.Told
	t.RecordedAt, t.RecordedBy = e.At, e.Actor
	c.Support.Justice.DefenceTold = append(slices.Clip(c.Support.Justice.DefenceTold), t)
}

// The crime reference is also a fact of the child's situation, so the NRM
// referral's answers and the situation's page read it from one place (§8.5).
func (d CrimeReferenceRecorded) apply(c *Case, e Event) {
	r := d.Record
	r.RecordedAt, r.RecordedBy = e.At, e.Actor
	c.Support.Justice.CrimeRecords = append(slices.Clip(c.Support.Justice.CrimeRecords), r)
	facts := []FactAnswer{{FactReportedToPolice, "yes"}, {FactCrimeReference, r.Reference}}
	rs := slices.Clip(c.Situation.Recorded)
	for _, a := range facts {
		rs = append(rs, RecordedFact{FactAnswer: a, LearntAt: LearntAtPoliceCrimeRecord, ToldBy: r.Force, Seq: e.Seq, At: e.At, By: e.Actor})
	}
	c.Situation.Recorded = rs
}

// Summaries name what was recorded, never the child's offence: the timeline
// is read in lists.
func (d ChildToldOfRights) summary(e Event) string {
	return "The child was told their rights to protection, support and help in criminal proceedings (§6.9)"
}

func (d VictimLiaisonOfficerRecorded) summary(e Event) string {
	return "Victim liaison officer recorded: " + d.Officer.Name + ", " + d.Officer.Force + " (§6.11)"
}

func (d SuspectedOffenceRecorded) summary(e Event) string {
	if d.Offence.OutsideTheDefence() {
		return "Offence the child is suspected of recorded: listed in Schedule 4, outside the section 45 defence (§6.10)"
	}
	return "Offence the child is suspected of recorded (§6.10)"
}

func (d ConclusiveGroundsPassedToDefence) summary(e Event) string {
	return "Positive Conclusive Grounds decision passed to the child's defence (§8.10(5))"
}

func (d CrimeReferenceRecorded) summary(e Event) string {
	return "The police's crime reference recorded (§8.10(6))"
}

// --- Commands ---

// RecordRightsTold records that the child was told of their right to
// protection, support and help in criminal proceedings (§6.9).
type RecordRightsTold struct {
	ToldOn string `json:"toldOn"` // YYYY-MM-DD
	ToldBy string `json:"toldBy"` // who told them, when not the recorder
	Notes  string `json:"notes"`
}

// RecordVictimLiaisonOfficer names the police officer who keeps the child
// informed of the investigation or prosecution (§6.11).
type RecordVictimLiaisonOfficer struct {
	Name    string `json:"name"`
	Force   string `json:"force"`
	Contact string `json:"contact"` // phone or email
	Notes   string `json:"notes"`
}

// RecordSuspectedOffence records an offence the child is suspected or
// accused of, and whether Schedule 4 lists it (§6.10).
type RecordSuspectedOffence struct {
	Offence      string `json:"offence"`
	ScheduleFour string `json:"scheduleFour"` // an offence's id from the catalogue, "not-listed" or "not-sure"
	Notes        string `json:"notes"`
}

// RecordDefenceTold records that the positive
// Conclusive Grounds decision went to the child's defence (§6.10, §8.10(5)).
type RecordDefenceTold struct {
	PassedOn string `json:"passedOn"` // YYYY-MM-DD
	PassedTo string `json:"passedTo"` // the solicitor or firm
	Notes    string `json:"notes"`
}

// RecordCrimeReference records the police's crime record of the offence
// against the child (§8.10(6)).
type RecordCrimeReference struct {
	Reference string `json:"reference"`
	Force     string `json:"force"`
	Notes     string `json:"notes"`
}

func (RecordRightsTold) commandName() string           { return "record rights told" }
func (RecordVictimLiaisonOfficer) commandName() string { return "record victim liaison officer" }
func (RecordSuspectedOffence) commandName() string     { return "record suspected offence" }
func (RecordDefenceTold) commandName() string {
	return "record conclusive grounds passed to defence"
}
func (RecordCrimeReference) commandName() string { return "record crime reference" }

// The team records the child's part in criminal proceedings; a referrer or
// invitee tells the social worker instead (§6.5).
func teamOnOpenCase(c Case, a Actor) error {
	if err := teamRecordsSupport(c, a); err != nil {
		return err
	}
	return notClosed(c)
}

func (RecordRightsTold) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	return teamOnOpenCase(c, a)
}

func (cmd RecordRightsTold) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	supportPastDay(&probs, "toldOn", "the date the child was told", cmd.ToldOn, now)
	r := RightsTold{ToldOn: cmd.ToldOn, ToldBy: oneLine(cmd.ToldBy), Notes: strings.TrimSpace(cmd.Notes)}
	checkLength(&probs, "toldBy", "Who told the child", r.ToldBy, MaxShortText)
	checkLength(&probs, "notes", "The notes", r.Notes, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(ChildToldOfRights{Told: r})}, nil
}

func (RecordVictimLiaisonOfficer) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	return teamOnOpenCase(c, a)
}

func (cmd RecordVictimLiaisonOfficer) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	o := VictimLiaisonOfficer{Name: oneLine(cmd.Name), Force: oneLine(cmd.Force), Contact: oneLine(cmd.Contact), Notes: strings.TrimSpace(cmd.Notes)}
	var probs waymark.Problems
	victimLiaisonOfficerCanBeReached(&probs, o)
	checkLength(&probs, "notes", "The notes", o.Notes, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	if cur := c.Support.Justice.LiaisonOfficer(); cur != nil && cur.Name == o.Name && cur.Force == o.Force && cur.Contact == o.Contact && o.Notes == "" {
		return nil, waymark.Invalid([]waymark.FieldError{{Field: "name", Message: "This victim liaison officer is already recorded. Change their details, or add a note"}})
	}
	return []Event{newEvent(VictimLiaisonOfficerRecorded{Officer: o})}, nil
}

// victimLiaisonOfficerCanBeReached: the officer is recorded so that the team
// and the child can reach them: their name, force and a way to contact them (§6.11).
func victimLiaisonOfficerCanBeReached(probs *waymark.Problems, o VictimLiaisonOfficer) {
	for _, f := range []struct{ field, what, v string }{
		{"name", "the officer's name", o.Name},
		{"force", "the officer's police force", o.Force},
		{"contact", "how to contact the officer", o.Contact},
	} {
		if f.v == "" {
			probs.Add(f.field, "Enter %s", f.what)
		}
		checkLength(probs, f.field, supportUpperFirst(f.what), f.v, MaxShortText)
	}
}

func (RecordSuspectedOffence) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	return teamOnOpenCase(c, a)
}

func (cmd RecordSuspectedOffence) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	o := SuspectedOffence{Offence: oneLine(cmd.Offence), ScheduleFour: cmd.ScheduleFour, Notes: strings.TrimSpace(cmd.Notes)}
	var probs waymark.Problems
	if o.Offence == "" {
		probs.Add("offence", "Enter the offence the child is suspected of")
	}
	checkLength(&probs, "offence", "The offence", o.Offence, MaxShortText)
	checkLength(&probs, "notes", "The notes", o.Notes, MaxNarrative)
	scheduleFourFlagsExcludedOffences(&probs, &o)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(SuspectedOffenceRecorded{Offence: o})}, nil
}

// scheduleFourFlagsExcludedOffences: the section 45 defence does not cover
// the offences of Schedule 4, kept as catalogue data (§6.10). The answer is
// one of them, none of them, or not known; a listed one is kept with the
// schedule's words as they stood, so a later copy never rewrites history.
func scheduleFourFlagsExcludedOffences(probs *waymark.Problems, o *SuspectedOffence) {
	s := catalog.MustLoadScheduleFour()
	switch o.ScheduleFour {
	case ScheduleFourNotListed, ScheduleFourNotSure:
	default:
		g, off, ok := s.Offence(o.ScheduleFour)
		if !ok {
			probs.Add("scheduleFour", "Select the Schedule 4 offence, or say it is none of them or you are not sure")
			return
		}
		o.ScheduleFourGroup, o.ScheduleFourLabel = g.Label, off.Label
	}
	o.ScheduleFourChecked = s.LastChecked
}

// ScheduleFourChoices are the answers to whether Schedule 4 lists an offence:
// each listed offence under its heading, then none of them, then not sure.
func ScheduleFourChoices() []struct{ Value, Text string } {
	var out []struct{ Value, Text string }
	for _, g := range catalog.MustLoadScheduleFour().Groups {
		for _, o := range g.Offences {
			out = append(out, struct{ Value, Text string }{o.ID, g.Label + ": " + o.Label})
		}
	}
	return append(out,
		struct{ Value, Text string }{ScheduleFourNotListed, "None of the offences listed here"},
		struct{ Value, Text string }{ScheduleFourNotSure, "Not sure"})
}

func (RecordDefenceTold) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := teamOnOpenCase(c, a); err != nil {
		return err
	}
	cg := c.NRM.ConclusiveGrounds
	switch {
	case cg == nil || !cg.Positive():
		return waymark.Errorf(waymark.EINVALID, "There is no positive Conclusive Grounds decision to pass on. Record the Home Office's decision first (§8.10(5)).")
	case !c.CriminalMatter():
		return waymark.Errorf(waymark.EINVALID, "No criminal matter is recorded for the child. Record the offence they are suspected of, or the statutory defence, first (§6.10).")
	case !c.DefenceDue():
		return waymark.Errorf(waymark.ECONFLICT, "This Conclusive Grounds decision was already passed to the child's defence.")
	}
	return nil
}

func (cmd RecordDefenceTold) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	cg := c.NRM.ConclusiveGrounds
	t := DefenceTold{Decision: cg.Seq, PassedOn: cmd.PassedOn, PassedTo: oneLine(cmd.PassedTo), Notes: strings.TrimSpace(cmd.Notes)}
	var probs waymark.Problems
	if d := supportPastDay(&probs, "passedOn", "the date it was passed on", cmd.PassedOn, now); !d.IsZero() && cmd.PassedOn < cg.DecidedOn {
		probs.Add("passedOn", "The decision was made on %s: it cannot have been passed on before then", cg.DecidedOnLabel())
	}
	if t.PassedTo == "" {
		probs.Add("passedTo", "Enter who in the child's defence it was passed to")
	}
	checkLength(&probs, "passedTo", "Who it was passed to", t.PassedTo, MaxShortText)
	checkLength(&probs, "notes", "The notes", t.Notes, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(ConclusiveGroundsPassedToDefence{Told: t})}, nil
}

func (RecordCrimeReference) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	return teamOnOpenCase(c, a)
}

func (cmd RecordCrimeReference) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	r := CrimeRecord{Reference: oneLine(cmd.Reference), Force: oneLine(cmd.Force), Notes: strings.TrimSpace(cmd.Notes)}
	var probs waymark.Problems
	if r.Reference == "" {
		probs.Add("reference", "Enter the police's crime reference")
	}
	if r.Force == "" {
		probs.Add("force", "Enter the police force that recorded the crime")
	}
	checkLength(&probs, "reference", "The crime reference", r.Reference, MaxShortText)
	checkLength(&probs, "force", "The police force", r.Force, MaxShortText)
	checkLength(&probs, "notes", "The notes", r.Notes, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	if f, ok := c.Fact(FactCrimeReference); ok && f.Value == r.Reference {
		return nil, waymark.Invalid([]waymark.FieldError{{Field: "reference", Message: "This crime reference is already recorded"}})
	}
	return []Event{newEvent(CrimeReferenceRecorded{Record: r})}, nil
}

// oneLine trims an answer and folds its runs of spaces into one.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
