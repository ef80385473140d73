package pathway

import (
	"fmt"
	"strings"
	"time"

	"waymark"
)

// Missing episodes, return interviews, closure and corrections
// (§4.3, §5.1, §7.1–7.4, §7.5).

// Event types of this area.
const (
	EventMissingStarted        = "missing_started"
	EventMissingEnded          = "missing_ended"
	EventReturnInterviewHeld   = "return_interview_held"
	EventCaseClosed            = "case_closed"
	EventCaseReopened          = "case_reopened"
	EventCorrectionRecorded    = "correction_recorded"
	EventChildDetailsCorrected = "child_details_corrected"
)

// ClockReturnInterview: a child who comes back from a missing episode is
// offered a return interview within 72 hours (national statutory guidance on
// children who go missing; §7.1–7.3 ask for the episode to be followed up).
const ClockReturnInterview ClockKind = "return_interview"

// ReturnInterviewWithin is how soon after the return the interview is due.
const ReturnInterviewWithin = 72 * time.Hour

// safetyEvents lists the event types of missing episodes, closing and corrections.
func safetyEvents() []eventDecoder {
	return []eventDecoder{
		decoderOf[MissingStarted](),
		decoderOf[MissingEnded](),
		decoderOf[ReturnInterviewHeld](),
		decoderOf[CaseClosed](),
		decoderOf[CaseReopened](),
		decoderOf[CorrectionRecorded](),
		decoderOf[ChildDetailsCorrected](),
	}
}

// MissingEpisode is one time the child went missing (§7.1).
type MissingEpisode struct {
	Seq             int              `json:"seq"`
	StartedAt       time.Time        `json:"startedAt"`
	Circumstances   string           `json:"circumstances"`
	PoliceReference string           `json:"policeReference,omitempty"`
	EndedAt         *time.Time       `json:"endedAt,omitempty"`
	WhereFound      string           `json:"whereFound,omitempty"`
	Interview       *ReturnInterview `json:"interview,omitempty"`
}

// ReturnInterview records what the child did and did not say on return.
type ReturnInterview struct {
	HeldAt       time.Time `json:"heldAt"`
	By           string    `json:"by"`
	Disclosed    string    `json:"disclosed"`
	NotDisclosed string    `json:"notDisclosed"`
}

// Closure is why and how a case was closed (§7.4).
type Closure struct {
	At         time.Time `json:"at"`
	By         Party     `json:"by"`
	Reason     string    `json:"reason"`
	Monitoring string    `json:"monitoring"`
	// NoNRMReason says why the case closed with no NRM referral submitted
	// and no decision not to submit one (§8.2, closing_nrm.go).
	NoNRMReason string `json:"noNrmReason,omitempty"`
}

// Correction points at an earlier event and says what was wrong (§7.5).
type Correction struct {
	Seq        int       `json:"seq"`
	Corrects   int       `json:"corrects"`
	At         time.Time `json:"at"`
	By         Party     `json:"by"`
	What       string    `json:"what"`
	Correction string    `json:"correction"`
	Reason     string    `json:"reason"`
}

// SafetyState holds missing episodes, closure and corrections.
type SafetyState struct {
	Missing     []MissingEpisode
	Closed      *Closure
	Closures    []Closure // every closure, including those later reopened
	Corrections []Correction
}

func (s *SafetyState) members(c *Case) []Member { return nil }

func (s *SafetyState) flags(c *Case, now time.Time, f *Flags) {
	f.Missing = s.OpenEpisode() != nil
	f.Closed = s.Closed != nil
}

// OpenEpisode is the missing episode still running, if any.
func (s *SafetyState) OpenEpisode() *MissingEpisode {
	for i := range s.Missing {
		if s.Missing[i].EndedAt == nil {
			return &s.Missing[i]
		}
	}
	return nil
}

// CorrectionsOf lists the corrections that point at event seq.
func (s *SafetyState) CorrectionsOf(seq int) []Correction {
	var out []Correction
	for _, c := range s.Corrections {
		if c.Corrects == seq {
			out = append(out, c)
		}
	}
	return out
}

// MissingStarted: the child has gone missing (§7.1).
type MissingStarted struct {
	StartedAt       time.Time `json:"startedAt"`
	Circumstances   string    `json:"circumstances"`
	PoliceReference string    `json:"policeReference,omitempty"`
}

// MissingEnded: the child has been found or has come back.
type MissingEnded struct {
	EndedAt    time.Time `json:"endedAt"`
	WhereFound string    `json:"whereFound"`
}

// ReturnInterviewHeld: the return interview took place.
type ReturnInterviewHeld struct {
	Interview ReturnInterview `json:"interview"`
}

// CaseClosed closes the case with the monitoring that continues (§7.4).
type CaseClosed struct {
	Reason      string `json:"reason"`
	Monitoring  string `json:"monitoring"`
	NoNRMReason string `json:"noNrmReason,omitempty"` // §8.2, closing_nrm.go
}

// CaseReopened reopens a closed case: a new event, never an edit of the closure.
type CaseReopened struct {
	Reason string `json:"reason"`
}

// CorrectionRecorded corrects an earlier event without changing it (§7.5).
type CorrectionRecorded struct {
	What       string `json:"what"`
	Correction string `json:"correction"`
	Reason     string `json:"reason"`
}

// ChildDetailsCorrected replaces the child's name, other names or date of
// birth from now on, keeping the original in the concern event.
type ChildDetailsCorrected struct {
	GivenNames  string   `json:"givenNames"`
	FamilyName  string   `json:"familyName"`
	Aliases     []string `json:"aliases,omitempty"`
	DateOfBirth string   `json:"dateOfBirth,omitempty"`
	Reason      string   `json:"reason"`
}

func (MissingStarted) eventType() string        { return EventMissingStarted }
func (MissingEnded) eventType() string          { return EventMissingEnded }
func (ReturnInterviewHeld) eventType() string   { return EventReturnInterviewHeld }
func (CaseClosed) eventType() string            { return EventCaseClosed }
func (CaseReopened) eventType() string          { return EventCaseReopened }
func (CorrectionRecorded) eventType() string    { return EventCorrectionRecorded }
func (ChildDetailsCorrected) eventType() string { return EventChildDetailsCorrected }

func (d MissingStarted) apply(c *Case, e Event) {
	c.Safety.Missing = append(c.Safety.Missing, MissingEpisode{Seq: e.Seq, StartedAt: d.StartedAt, Circumstances: d.Circumstances, PoliceReference: d.PoliceReference})
}

func (d MissingEnded) apply(c *Case, e Event) {
	if ep := c.Safety.OpenEpisode(); ep != nil {
		at := d.EndedAt
		ep.EndedAt, ep.WhereFound = &at, d.WhereFound
	}
}

func (d ReturnInterviewHeld) apply(c *Case, e Event) {
	for i := len(c.Safety.Missing) - 1; i >= 0; i-- {
		ep := &c.Safety.Missing[i]
		if ep.EndedAt != nil && ep.Interview == nil {
			iv := d.Interview
			ep.Interview = &iv
			return
		}
	}
}

func (d CaseClosed) apply(c *Case, e Event) {
	cl := Closure{At: e.At, By: e.Actor, Reason: d.Reason, Monitoring: d.Monitoring, NoNRMReason: d.NoNRMReason}
	c.Safety.Closed = &cl
	c.Safety.Closures = append(c.Safety.Closures, cl)
}

func (d CaseReopened) apply(c *Case, e Event) { c.Safety.Closed = nil }

func (d CorrectionRecorded) apply(c *Case, e Event) {
	c.Safety.Corrections = append(c.Safety.Corrections, Correction{Seq: e.Seq, Corrects: e.Corrects, At: e.At, By: e.Actor, What: d.What, Correction: d.Correction, Reason: d.Reason})
}

func (d ChildDetailsCorrected) apply(c *Case, e Event) {
	ch := &c.Concern.Child
	ch.GivenNames, ch.FamilyName, ch.Aliases = d.GivenNames, d.FamilyName, d.Aliases
	if d.DateOfBirth != "" {
		ch.DateOfBirth, ch.EstimatedAge = d.DateOfBirth, 0
	}
	c.Safety.Corrections = append(c.Safety.Corrections, Correction{Seq: e.Seq, Corrects: e.Corrects, At: e.At, By: e.Actor, What: "The child's details", Correction: "Name, other names or date of birth corrected", Reason: d.Reason})
}

func (MissingStarted) summary(e Event) string { return "Child reported missing" }
func (d MissingEnded) summary(e Event) string { return "Child found or returned" }
func (ReturnInterviewHeld) summary(e Event) string {
	return "Return interview held"
}
func (CaseClosed) summary(e Event) string   { return "Case closed" }
func (CaseReopened) summary(e Event) string { return "Case reopened" }
func (d CorrectionRecorded) summary(e Event) string {
	return fmt.Sprintf("Correction to entry %d: %s", e.Corrects, d.What)
}
func (ChildDetailsCorrected) summary(e Event) string {
	return fmt.Sprintf("Correction to entry %d: the child's details", e.Corrects)
}

// ReportMissing records that the child has gone missing (§7.1).
type ReportMissing struct {
	StartedAt       time.Time `json:"startedAt"`
	Circumstances   string    `json:"circumstances"`
	PoliceInformed  bool      `json:"policeInformed"`
	PoliceReference string    `json:"policeReference"`
}

// RecordFound records the end of a missing episode.
type RecordFound struct {
	EndedAt    time.Time `json:"endedAt"`
	WhereFound string    `json:"whereFound"`
}

// RecordReturnInterview records the return interview after an episode.
type RecordReturnInterview struct {
	HeldAt       time.Time `json:"heldAt"`
	By           string    `json:"by"`
	Disclosed    string    `json:"disclosed"`
	NotDisclosed string    `json:"notDisclosed"`
}

// CloseCase closes the case (§7.4).
type CloseCase struct {
	Reason      string `json:"reason"`
	Monitoring  string `json:"monitoring"`
	NoNRMReason string `json:"noNrmReason"` // §8.2: needed only when the NRM is not accounted for
}

// ReopenCase reopens a closed case.
type ReopenCase struct {
	Reason string `json:"reason"`
}

// CorrectEntry records a correction to an earlier entry of the log (§7.5).
type CorrectEntry struct {
	Corrects   int    `json:"corrects"` // the entry's number as its author sees it on the timeline
	What       string `json:"what"`
	Correction string `json:"correction"`
	Reason     string `json:"reason"`

	view *History // the author's view of the log (InViewOf); nil: the whole log
}

// CorrectChildDetails corrects the child's name, other names or date of birth.
type CorrectChildDetails struct {
	GivenNames  string   `json:"givenNames"`
	FamilyName  string   `json:"familyName"`
	Aliases     []string `json:"aliases"`
	DateOfBirth string   `json:"dateOfBirth"`
	Reason      string   `json:"reason"`
}

func (ReportMissing) commandName() string         { return "report missing" }
func (RecordFound) commandName() string           { return "record found" }
func (RecordReturnInterview) commandName() string { return "record return interview" }
func (CloseCase) commandName() string             { return "close case" }
func (ReopenCase) commandName() string            { return "reopen case" }
func (CorrectEntry) commandName() string          { return "correct entry" }
func (CorrectChildDetails) commandName() string   { return "correct child details" }

func pastTime(probs *waymark.Problems, field, what string, t, now time.Time) {
	switch {
	case t.IsZero():
		probs.Add(field, "Enter %s", what)
	case t.After(now):
		probs.Add(field, "%s must be in the past", strings.ToUpper(what[:1])+what[1:])
	}
}

// guard says who may give ReportMissing and whether the case allows it now.
func (ReportMissing) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := notClosed(c); err != nil {
		return err
	}
	if c.Safety.OpenEpisode() != nil {
		return waymark.Errorf(waymark.EINVALID, "The child is already recorded as missing. Record when they are found before reporting a new episode.")
	}
	return nil
}

func (cmd ReportMissing) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	pastTime(&probs, "startedAt", "when the child went missing", cmd.StartedAt, now)
	// §7.1: a missing trafficked child is reported to the police at once.
	if !cmd.PoliceInformed {
		probs.Add("policeInformed", "Report the child missing to the police now (999 if they are in danger), then record it here")
	}
	if strings.TrimSpace(cmd.Circumstances) == "" {
		probs.Add("circumstances", "Describe when and where the child was last seen, and with whom")
	}
	checkLength(&probs, "circumstances", "The circumstances", cmd.Circumstances, MaxNarrative)
	checkLength(&probs, "policeReference", "The police reference", cmd.PoliceReference, MaxShortText)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(MissingStarted{StartedAt: cmd.StartedAt.UTC(), Circumstances: strings.TrimSpace(cmd.Circumstances), PoliceReference: strings.TrimSpace(cmd.PoliceReference)})}, nil
}

// guard says who may give RecordFound and whether the case allows it now.
func (RecordFound) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if c.Safety.OpenEpisode() == nil {
		return waymark.Errorf(waymark.EINVALID, "The child is not recorded as missing, so there is no episode to end.")
	}
	return nil
}

func (cmd RecordFound) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	ep := c.Safety.OpenEpisode()
	var probs waymark.Problems
	pastTime(&probs, "endedAt", "when the child was found", cmd.EndedAt, now)
	if !cmd.EndedAt.IsZero() && cmd.EndedAt.Before(ep.StartedAt) {
		probs.Add("endedAt", "The child cannot be found before they went missing (%s)", ep.StartedAt.In(London).Format("2 January 2006 at 3:04pm"))
	}
	if strings.TrimSpace(cmd.WhereFound) == "" {
		probs.Add("whereFound", "Enter where the child was found, or 'Returned by themselves'")
	}
	checkLength(&probs, "whereFound", "Where the child was found", cmd.WhereFound, MaxShortText)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	due := newClock(ClockReturnInterview, fmt.Sprintf("return-interview-%d", c.Version+1), "Return interview held", "§7.1", cmd.EndedAt, cmd.EndedAt.Add(ReturnInterviewWithin))
	return []Event{newEvent(MissingEnded{EndedAt: cmd.EndedAt.UTC(), WhereFound: strings.TrimSpace(cmd.WhereFound)}, due)}, nil
}

// guard says who may give RecordReturnInterview and whether the case allows it now.
func (RecordReturnInterview) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	for _, ep := range c.Safety.Missing {
		if ep.EndedAt != nil && ep.Interview == nil {
			return nil
		}
	}
	return waymark.Errorf(waymark.EINVALID, "There is no ended missing episode waiting for a return interview. Record when the child was found first.")
}

func (cmd RecordReturnInterview) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var last *MissingEpisode
	for i := range c.Safety.Missing {
		if ep := &c.Safety.Missing[i]; ep.EndedAt != nil && ep.Interview == nil {
			last = ep
		}
	}
	var probs waymark.Problems
	pastTime(&probs, "heldAt", "when the interview was held", cmd.HeldAt, now)
	if !cmd.HeldAt.IsZero() && cmd.HeldAt.Before(*last.EndedAt) {
		probs.Add("heldAt", "The interview cannot be before the child returned")
	}
	if strings.TrimSpace(cmd.By) == "" {
		probs.Add("by", "Enter who held the interview")
	}
	if strings.TrimSpace(cmd.Disclosed) == "" && strings.TrimSpace(cmd.NotDisclosed) == "" {
		probs.Add("disclosed", "Record what the child told you, or what they chose not to talk about")
	}
	checkLength(&probs, "by", "Who held the interview", cmd.By, MaxShortText)
	checkLength(&probs, "disclosed", "What was disclosed", cmd.Disclosed, MaxNarrative)
	checkLength(&probs, "notDisclosed", "What was not disclosed", cmd.NotDisclosed, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	var changes []ClockChange
	for _, cl := range c.Clocks {
		if cl.Kind == ClockReturnInterview && cl.Running() {
			changes = append(changes, stopClock(cl.ID, now))
		}
	}
	iv := ReturnInterview{HeldAt: cmd.HeldAt.UTC(), By: strings.TrimSpace(cmd.By), Disclosed: strings.TrimSpace(cmd.Disclosed), NotDisclosed: strings.TrimSpace(cmd.NotDisclosed)}
	return []Event{newEvent(ReturnInterviewHeld{Interview: iv}, changes...)}, nil
}

// guard says who may give CloseCase and whether the case allows it now.
func (CloseCase) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := canManageCase(a); err != nil {
		return err
	}
	if c.Safety.Closed != nil {
		return waymark.Errorf(waymark.EINVALID, "This case is already closed.")
	}
	// A missing child's case stays open until they are found (§7.1).
	if c.Safety.OpenEpisode() != nil {
		return waymark.Errorf(waymark.EINVALID, "The child is missing: a case cannot be closed while they are. Record when they are found first.")
	}
	return nil
}

func (cmd CloseCase) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	if strings.TrimSpace(cmd.Reason) == "" {
		probs.Add("reason", "Enter why the case is being closed")
	}
	// §7.4: closing is followed by monitoring, which must be written down.
	if strings.TrimSpace(cmd.Monitoring) == "" {
		probs.Add("monitoring", "Enter the monitoring arrangements that continue after closure, or say there are none and why")
	}
	checkLength(&probs, "reason", "The reason", cmd.Reason, MaxNarrative)
	checkLength(&probs, "monitoring", "The monitoring arrangements", cmd.Monitoring, MaxNarrative)
	closingAccountsForTheNRM(&probs, c, cmd.NoNRMReason)
	checkLength(&probs, "noNrmReason", "The reason there is no NRM referral", cmd.NoNRMReason, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	var noNRM string
	if !NRMAccountedForAtClosure(c) {
		noNRM = strings.TrimSpace(cmd.NoNRMReason)
	}
	return []Event{newEvent(CaseClosed{Reason: strings.TrimSpace(cmd.Reason), Monitoring: strings.TrimSpace(cmd.Monitoring), NoNRMReason: noNRM})}, nil
}

// guard says who may give ReopenCase and whether the case allows it now.
func (ReopenCase) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := canManageCase(a); err != nil {
		return err
	}
	if c.Safety.Closed == nil {
		return waymark.Errorf(waymark.EINVALID, "This case is open already.")
	}
	return nil
}

func (cmd ReopenCase) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	if strings.TrimSpace(cmd.Reason) == "" {
		probs.Add("reason", "Enter why the case is being reopened")
	}
	checkLength(&probs, "reason", "The reason", cmd.Reason, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(CaseReopened{Reason: strings.TrimSpace(cmd.Reason)})}, nil
}

// guard says who may give CorrectEntry and whether the case allows it now.
func (CorrectEntry) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	return nil // any member may correct what they can see (§7.5); MayGive and the entry named decide the rest
}

func (cmd CorrectEntry) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	// §7.5: history is never rewritten; a correction must point at a real
	// entry — one its author can see (§6.5). An entry hidden from them gets
	// the same answer as one that does not exist, and the range named is
	// that of their own timeline, so the refusal tells them nothing.
	h := History{Version: c.Version}
	if cmd.view != nil {
		h = *cmd.view
	}
	target := h.stored(cmd.Corrects)
	if target == 0 || target > c.Version {
		probs.Add("corrects", "Enter the number of the entry to correct, between 1 and %d (the numbers are on the timeline)", h.Version)
	}
	if strings.TrimSpace(cmd.What) == "" {
		probs.Add("what", "Say which answer or statement was wrong")
	}
	if strings.TrimSpace(cmd.Correction) == "" {
		probs.Add("correction", "Enter the correct information")
	}
	if strings.TrimSpace(cmd.Reason) == "" {
		probs.Add("reason", "Enter why the correction is needed")
	}
	checkLength(&probs, "what", "What was wrong", cmd.What, MaxShortText)
	checkLength(&probs, "correction", "The correction", cmd.Correction, MaxNarrative)
	checkLength(&probs, "reason", "The reason", cmd.Reason, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	e := newEvent(CorrectionRecorded{What: strings.TrimSpace(cmd.What), Correction: strings.TrimSpace(cmd.Correction), Reason: strings.TrimSpace(cmd.Reason)})
	e.Corrects = target
	return []Event{e}, nil
}

// guard says who may give CorrectChildDetails and whether the case allows it now.
func (CorrectChildDetails) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if !a.InChildrensServices && a.UserID != c.Referrer.UserID {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only Children's Services or the person who raised the concern can correct the child's details. Add a case note saying what is wrong instead.")
	}
	return nil
}

func (cmd CorrectChildDetails) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	ch := c.Concern.Child
	ch.GivenNames, ch.FamilyName, ch.Aliases = strings.TrimSpace(cmd.GivenNames), strings.TrimSpace(cmd.FamilyName), trimList(cmd.Aliases)
	if cmd.DateOfBirth != "" {
		ch.DateOfBirth, ch.EstimatedAge = cmd.DateOfBirth, 0
	}
	var probs waymark.Problems
	p.validateChild(&probs, ch, now)
	if strings.TrimSpace(cmd.Reason) == "" {
		probs.Add("reason", "Enter why the details are being corrected, for example 'The child told us their real name'")
	}
	checkLength(&probs, "reason", "The reason", cmd.Reason, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	e := newEvent(ChildDetailsCorrected{GivenNames: ch.GivenNames, FamilyName: ch.FamilyName, Aliases: ch.Aliases, DateOfBirth: cmd.DateOfBirth, Reason: strings.TrimSpace(cmd.Reason)})
	e.Corrects = 1 // the concern event holds the details as first recorded
	return []Event{e}, nil
}
