package pathway

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark"
)

// Children from abroad: UASC status, the basis of accommodation, documents,
// immigration options, family tracing, repatriation risk, the care plan with
// its missing-from-care contingency, and UKVI's written confirmation
// (§4.10–4.11, §7.1–7.2, §7.4–7.7).

// Event types for children from abroad.
const (
	EventAbroadDetailsRecorded    = "abroad_details_recorded"
	EventRepatriationRiskAssessed = "repatriation_risk_assessed"
	EventFamilyTracingRecorded    = "family_tracing_recorded"
	EventCarePlanAgreed           = "care_plan_agreed"
	EventUKVIConcernRecorded      = "ukvi_concern_recorded"
	EventUKVIConfirmationRecorded = "ukvi_confirmation_recorded"
)

// ClockUKVIConfirmation: UKVI confirms its referral to children's social care
// in writing within 48 hours (§7.5).
const ClockUKVIConfirmation ClockKind = "ukvi_confirmation"

// abroadEvents lists the event types of a child from abroad.
func abroadEvents() []eventDecoder {
	return []eventDecoder{
		decoderOf[AbroadDetailsRecorded](),
		decoderOf[RepatriationRiskAssessed](),
		decoderOf[FamilyTracingRecorded](),
		decoderOf[CarePlanAgreed](),
		decoderOf[UKVIConcernRecorded](),
		decoderOf[UKVIConfirmationRecorded](),
	}
}

var accommodationBases = []struct{ Value, Text string }{
	{"section-20", "Accommodated under section 20 of the Children Act 1989"},
	{"interim-care-order", "Interim care order"},
	{"other", "Other"},
}

// AccommodationBases lists on what basis a child from abroad is accommodated (§7.1, §7.6).
func AccommodationBases() []struct{ Value, Text string } { return accommodationBases }

// The immigration routes §7.5 lists, in our words.
var immigrationOptions = []struct{ Value, Text string }{
	{"modern-slavery-leave", "Discretionary leave as a recognised victim of modern slavery"},
	{"domestic-worker", "Keeping overseas domestic worker status as a recognised victim"},
	{"asylum", "Asylum or humanitarian protection"},
	{"private-family-life", "Leave based on private or family life in the UK"},
	{"european-rights", "European rights: family, work or the EU Settlement Scheme"},
}

// ImmigrationOptions lists the immigration routes to consider with the child's adviser (§7.5).
func ImmigrationOptions() []struct{ Value, Text string } { return immigrationOptions }

// AbroadDetails is what is known about a child trafficked from abroad (§7).
type AbroadDetails struct {
	UASC                    bool      `json:"uasc"`
	AccommodationBasis      string    `json:"accommodationBasis"`
	AccommodationOther      string    `json:"accommodationOther,omitempty"`
	DocumentsChecked        bool      `json:"documentsChecked"`
	PhotographOnFile        bool      `json:"photographOnFile"`
	MissingEducationChecked bool      `json:"missingEducationChecked"`
	ImmigrationOptions      []string  `json:"immigrationOptions"`
	ReturnSchemeInformed    bool      `json:"returnSchemeInformed"`
	Notes                   string    `json:"notes,omitempty"`
	RecordedAt              time.Time `json:"recordedAt"`
	RecordedBy              Party     `json:"recordedBy"`
}

// AccommodationLabel is the basis of accommodation in words.
func (d AbroadDetails) AccommodationLabel() string {
	if d.AccommodationBasis == "other" && d.AccommodationOther != "" {
		return "Other: " + d.AccommodationOther
	}
	return supportLabel(accommodationBases, d.AccommodationBasis)
}

// ImmigrationOptionLabels are the routes considered, in words.
func (d AbroadDetails) ImmigrationOptionLabels() []string {
	var out []string
	for _, o := range d.ImmigrationOptions {
		out = append(out, supportLabel(immigrationOptions, o))
	}
	return out
}

// RepatriationRiskAssessment is the assessment of the danger the child would
// face if returned (§7.6, §7.7).
type RepatriationRiskAssessment struct {
	Seq        int       `json:"seq"`
	AssessedOn string    `json:"assessedOn"`
	Findings   string    `json:"findings"`
	RecordedBy Party     `json:"recordedBy"`
	RecordedAt time.Time `json:"recordedAt"`
}

// FamilyTracing is one step taken to trace the child's family (§7.6).
type FamilyTracing struct {
	Seq         int       `json:"seq"`
	Discreet    bool      `json:"discreet"`
	ContactMade bool      `json:"contactMade"`
	Notes       string    `json:"notes"`
	RecordedBy  Party     `json:"recordedBy"`
	RecordedAt  time.Time `json:"recordedAt"`
}

// CarePlan is the plan for a looked-after child, with how they will be kept
// from their traffickers and what to do if they go missing (§7.2).
type CarePlan struct {
	Seq                int       `json:"seq"`
	AgreedOn           string    `json:"agreedOn"`
	ProtectionPlan     string    `json:"protectionPlan"`
	MissingContingency string    `json:"missingContingency"`
	AgreedBy           Party     `json:"agreedBy"`
	RecordedAt         time.Time `json:"recordedAt"`
}

// UKVIReferral is a concern UKVI raised about the child, and its written
// confirmation to children's social care (§7.5).
type UKVIReferral struct {
	Seq         int        `json:"seq"`
	ClockID     string     `json:"clockId"`
	RaisedAt    time.Time  `json:"raisedAt"`
	Details     string     `json:"details"`
	ConfirmedAt *time.Time `json:"confirmedAt,omitempty"`
	Notes       string     `json:"notes,omitempty"`
}

// AwaitingUKVIConfirmation is the UKVI concern still waiting for its
// written confirmation, if any.
func (s SupportState) AwaitingUKVIConfirmation() *UKVIReferral {
	for i := range s.UKVI {
		if s.UKVI[i].ConfirmedAt == nil {
			return &s.UKVI[i]
		}
	}
	return nil
}

// britishNationalities are the answers that say the child is a British national.
var britishNationalities = []string{"british", "uk", "united kingdom", "great britain", "english", "welsh", "scottish", "northern irish", "british citizen", "uk national"}

// unknownNationalities are answers that say nothing about where the child is from.
var unknownNationalities = []string{"", "unknown", "not known", "not given", "n/a"}

// FromAbroad reports whether the child is treated as a child from abroad for
// the highest missing risk after placement (§4.3, §7.4). We decided: they are
// when recorded as an unaccompanied asylum-seeking child, or when their
// recorded nationality is anything but British, dual nationals included (a
// false alarm costs a warning; a missed child may be lost). An unknown
// nationality alone does not count: record the child from abroad instead.
func (c *Case) FromAbroad() bool {
	if c.Support.Abroad != nil && c.Support.Abroad.UASC {
		return true
	}
	n := strings.ToLower(strings.TrimSpace(c.Concern.Child.Nationality))
	return !slices.Contains(britishNationalities, n) && !slices.Contains(unknownNationalities, n)
}

// AbroadDetailsRecorded records or updates what is known about a child from abroad.
type AbroadDetailsRecorded struct {
	Details AbroadDetails `json:"details"`
}

// RepatriationRiskAssessed records the danger the child would face if returned (§7.6).
type RepatriationRiskAssessed struct {
	AssessedOn string `json:"assessedOn"`
	Findings   string `json:"findings"`
}

// FamilyTracingRecorded records a step to trace the child's family (§7.6).
type FamilyTracingRecorded struct {
	Discreet    bool   `json:"discreet"`
	ContactMade bool   `json:"contactMade"`
	Notes       string `json:"notes"`
}

// CarePlanAgreed records the care plan (§7.2).
type CarePlanAgreed struct {
	AgreedOn           string `json:"agreedOn"`
	ProtectionPlan     string `json:"protectionPlan"`
	MissingContingency string `json:"missingContingency"`
}

// UKVIConcernRecorded: UKVI raised a concern; its written confirmation is due within 48 hours (§7.5).
type UKVIConcernRecorded struct {
	RaisedAt time.Time `json:"raisedAt"`
	Details  string    `json:"details"`
}

// UKVIConfirmationRecorded: UKVI's written confirmation arrived (§7.5).
type UKVIConfirmationRecorded struct {
	Referral   int       `json:"referral"` // seq of the UKVI concern it confirms
	ReceivedAt time.Time `json:"receivedAt"`
	Notes      string    `json:"notes,omitempty"`
}

func (AbroadDetailsRecorded) eventType() string    { return EventAbroadDetailsRecorded }
func (RepatriationRiskAssessed) eventType() string { return EventRepatriationRiskAssessed }
func (FamilyTracingRecorded) eventType() string    { return EventFamilyTracingRecorded }
func (CarePlanAgreed) eventType() string           { return EventCarePlanAgreed }
func (UKVIConcernRecorded) eventType() string      { return EventUKVIConcernRecorded }
func (UKVIConfirmationRecorded) eventType() string { return EventUKVIConfirmationRecorded }

func (d AbroadDetailsRecorded) apply(c *Case, e Event) {
	ad := d.Details
	ad.ImmigrationOptions = slices.Clone(ad.ImmigrationOptions)
	ad.RecordedAt, ad.RecordedBy = e.At, e.Actor
	c.Support.Abroad = &ad
}

func (d RepatriationRiskAssessed) apply(c *Case, e Event) {
	c.Support.RepatriationRisk = append(c.Support.RepatriationRisk, RepatriationRiskAssessment{Seq: e.Seq, AssessedOn: d.AssessedOn, Findings: d.Findings, RecordedBy: e.Actor, RecordedAt: e.At})
}

func (d FamilyTracingRecorded) apply(c *Case, e Event) {
	c.Support.Tracing = append(c.Support.Tracing, FamilyTracing{Seq: e.Seq, Discreet: d.Discreet, ContactMade: d.ContactMade, Notes: d.Notes, RecordedBy: e.Actor, RecordedAt: e.At})
}

func (d CarePlanAgreed) apply(c *Case, e Event) {
	c.Support.CarePlans = append(c.Support.CarePlans, CarePlan{Seq: e.Seq, AgreedOn: d.AgreedOn, ProtectionPlan: d.ProtectionPlan, MissingContingency: d.MissingContingency, AgreedBy: e.Actor, RecordedAt: e.At})
}

func (d UKVIConcernRecorded) apply(c *Case, e Event) {
	c.Support.UKVI = append(c.Support.UKVI, UKVIReferral{Seq: e.Seq, ClockID: ukviClockID(e.Seq), RaisedAt: d.RaisedAt, Details: d.Details})
}

func (d UKVIConfirmationRecorded) apply(c *Case, e Event) {
	// UKVI is shared with the state before this event: copy before writing.
	c.Support.UKVI = slices.Clone(c.Support.UKVI)
	for i := range c.Support.UKVI {
		if r := &c.Support.UKVI[i]; r.Seq == d.Referral {
			at := d.ReceivedAt
			r.ConfirmedAt, r.Notes = &at, d.Notes
		}
	}
}

func (AbroadDetailsRecorded) summary(e Event) string {
	return "Details of a child from abroad recorded"
}
func (RepatriationRiskAssessed) summary(e Event) string {
	return "Repatriation risk assessment recorded"
}
func (d FamilyTracingRecorded) summary(e Event) string {
	if d.ContactMade {
		return "Family tracing recorded, with tracing contact"
	}
	return "Family tracing recorded"
}
func (CarePlanAgreed) summary(e Event) string {
	return "Care plan agreed, with a missing-from-care contingency plan"
}
func (UKVIConcernRecorded) summary(e Event) string {
	return "UKVI raised a concern: written confirmation due within 48 hours"
}
func (UKVIConfirmationRecorded) summary(e Event) string {
	return "UKVI's written confirmation received"
}

func ukviClockID(seq int) string { return fmt.Sprintf("ukvi-%d", seq) }

// RecordChildFromAbroad records what is known about a child from abroad (§7).
type RecordChildFromAbroad struct {
	UASC                    bool     `json:"uasc"`
	AccommodationBasis      string   `json:"accommodationBasis"`
	AccommodationOther      string   `json:"accommodationOther"`
	DocumentsChecked        bool     `json:"documentsChecked"`
	PhotographOnFile        bool     `json:"photographOnFile"`
	MissingEducationChecked bool     `json:"missingEducationChecked"`
	ImmigrationOptions      []string `json:"immigrationOptions"`
	ReturnSchemeInformed    bool     `json:"returnSchemeInformed"`
	Notes                   string   `json:"notes"`
}

// RecordRepatriationRisk records the assessment of the danger of return (§7.6).
type RecordRepatriationRisk struct {
	AssessedOn string `json:"assessedOn"` // YYYY-MM-DD
	Findings   string `json:"findings"`
}

// RecordFamilyTracing records a step taken to trace the child's family (§7.6).
type RecordFamilyTracing struct {
	Discreet    bool   `json:"discreet"`
	ContactMade bool   `json:"contactMade"`
	Notes       string `json:"notes"`
}

// AgreeCarePlan records the child's care plan (§7.2).
type AgreeCarePlan struct {
	AgreedOn           string `json:"agreedOn"` // YYYY-MM-DD
	ProtectionPlan     string `json:"protectionPlan"`
	MissingContingency string `json:"missingContingency"`
}

// RecordUKVIConcern records that UKVI raised a concern about the child (§7.5).
type RecordUKVIConcern struct {
	RaisedAt time.Time `json:"raisedAt"`
	Details  string    `json:"details"`
}

// RecordUKVIConfirmation records UKVI's written confirmation of its referral (§7.5).
type RecordUKVIConfirmation struct {
	ReceivedAt time.Time `json:"receivedAt"`
	Notes      string    `json:"notes"`
}

func (RecordChildFromAbroad) commandName() string  { return "record child from abroad" }
func (RecordRepatriationRisk) commandName() string { return "record repatriation risk" }
func (RecordFamilyTracing) commandName() string    { return "record family tracing" }
func (AgreeCarePlan) commandName() string          { return "agree care plan" }
func (RecordUKVIConcern) commandName() string      { return "record ukvi concern" }
func (RecordUKVIConfirmation) commandName() string { return "record ukvi confirmation" }

// guard says who may give RecordChildFromAbroad and whether the case allows it now.
func (RecordChildFromAbroad) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := childrensServicesDecides(a, "the details of a child from abroad"); err != nil {
		return err
	}
	if err := notClosed(c); err != nil {
		return err
	}
	return childFromAbroadIsRelevant(c)
}

func (cmd RecordChildFromAbroad) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	if !supportValid(accommodationBases, cmd.AccommodationBasis) {
		probs.Add("accommodationBasis", "Select on what basis the child is accommodated")
	}
	other := strings.TrimSpace(cmd.AccommodationOther)
	if cmd.AccommodationBasis == "other" && other == "" {
		probs.Add("accommodationOther", "Describe the other basis of accommodation")
	}
	if cmd.AccommodationBasis != "other" {
		other = ""
	}
	var options []string
	for _, o := range cmd.ImmigrationOptions {
		switch {
		case !supportValid(immigrationOptions, o):
			probs.Add("immigrationOptions", "Select only the immigration options listed")
		case !slices.Contains(options, o):
			options = append(options, o)
		}
	}
	notes := strings.TrimSpace(cmd.Notes)
	checkLength(&probs, "accommodationOther", "The basis of accommodation", other, MaxShortText)
	checkLength(&probs, "notes", "The notes", notes, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	if options == nil {
		options = []string{}
	}
	return []Event{newEvent(AbroadDetailsRecorded{Details: AbroadDetails{
		UASC: cmd.UASC, AccommodationBasis: cmd.AccommodationBasis, AccommodationOther: other,
		DocumentsChecked: cmd.DocumentsChecked, PhotographOnFile: cmd.PhotographOnFile, MissingEducationChecked: cmd.MissingEducationChecked,
		ImmigrationOptions: options, ReturnSchemeInformed: cmd.ReturnSchemeInformed, Notes: notes,
	}})}, nil
}

// guard says who may give RecordRepatriationRisk and whether the case allows it now.
func (RecordRepatriationRisk) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := childrensServicesDecides(a, "a repatriation risk assessment"); err != nil {
		return err
	}
	if err := notClosed(c); err != nil {
		return err
	}
	return childFromAbroadIsRelevant(c)
}

func (cmd RecordRepatriationRisk) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	supportPastDay(&probs, "assessedOn", "the date of the assessment", cmd.AssessedOn, now)
	findings := strings.TrimSpace(cmd.Findings)
	if findings == "" {
		probs.Add("findings", "Describe the danger the child would face if returned, and from whom")
	}
	checkLength(&probs, "findings", "The findings", findings, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(RepatriationRiskAssessed{AssessedOn: cmd.AssessedOn, Findings: findings})}, nil
}

// guard says who may give RecordFamilyTracing and whether the case allows it now.
func (RecordFamilyTracing) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := childrensServicesDecides(a, "family tracing"); err != nil {
		return err
	}
	if err := notClosed(c); err != nil {
		return err
	}
	return childFromAbroadIsRelevant(c)
}

func (cmd RecordFamilyTracing) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	tracingIsDiscreet(&probs, cmd.Discreet)
	notes := strings.TrimSpace(cmd.Notes)
	if notes == "" {
		probs.Add("notes", "Describe what was done to trace the family, and through whom")
	}
	checkLength(&probs, "notes", "What was done", notes, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	if cmd.ContactMade {
		if err := tracingContactNeedsRepatriationRiskAssessment(c); err != nil {
			return nil, err
		}
		if err := noTracingContactWhenFamilySuspected(c); err != nil {
			return nil, err
		}
	}
	return []Event{newEvent(FamilyTracingRecorded{Discreet: true, ContactMade: cmd.ContactMade, Notes: notes})}, nil
}

// tracingIsDiscreet: the family is traced with discretion and caution (§7.6).
func tracingIsDiscreet(probs *waymark.Problems, discreet bool) {
	if !discreet {
		probs.Add("discreet", "Family tracing must be discreet and cautious (§7.6): the family may be linked to the traffickers. Plan tracing that does not reveal where the child is, then record it")
	}
}

// tracingContactNeedsRepatriationRiskAssessment: the danger of return is
// assessed before anyone is contacted to trace the family (§7.6).
func tracingContactNeedsRepatriationRiskAssessment(c Case) error {
	if len(c.Support.RepatriationRisk) == 0 {
		return waymark.Errorf(waymark.EINVALID, "Assess the risk to the child if they were returned before contacting anyone to trace their family (§7.6). Record the repatriation risk assessment first.")
	}
	return nil
}

// noTracingContactWhenFamilySuspected: when the family is suspected of
// involvement, no one contacts them (annex, §1.2). Tracing is cautious
// (§7.6), so "not known" is treated as suspected until the team answers.
func noTracingContactWhenFamilySuspected(c Case) error {
	if c.FamilySuspicion() == FamilySuspectedUnknown {
		return waymark.Errorf(waymark.EINVALID, "Nobody knows yet whether the family or carers are involved, so nobody may contact them to trace the family (annex, §1.2, §7.6). Record whether the family is suspected first, or record tracing without contact.")
	}
	if c.FamilySuspected() {
		return waymark.Errorf(waymark.EINVALID, "Family or carers are suspected of involvement, so nobody may contact them to trace the family (annex, §1.2). Record tracing without contact, and discuss it at the multi-agency meeting.")
	}
	return nil
}

// guard says who may give AgreeCarePlan and whether the case allows it now.
func (AgreeCarePlan) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := childrensServicesDecides(a, "the care plan"); err != nil {
		return err
	}
	if err := notClosed(c); err != nil {
		return err
	}
	return nil // §7.2–7.3: every trafficked child looked after has one, wherever they are from
}

func (cmd AgreeCarePlan) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	supportPastDay(&probs, "agreedOn", "the date the plan was agreed", cmd.AgreedOn, now)
	protection, contingency := strings.TrimSpace(cmd.ProtectionPlan), strings.TrimSpace(cmd.MissingContingency)
	if protection == "" {
		probs.Add("protectionPlan", "Describe how the child will be protected from traffickers trying to involve them again (§7.2)")
	}
	carePlanHasMissingContingency(&probs, contingency)
	checkLength(&probs, "protectionPlan", "The protection plan", protection, MaxNarrative)
	checkLength(&probs, "missingContingency", "The contingency plan", contingency, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(CarePlanAgreed{AgreedOn: cmd.AgreedOn, ProtectionPlan: protection, MissingContingency: contingency})}, nil
}

// carePlanHasMissingContingency: a trafficked child's care plan says what
// happens if they go missing (§7.2).
func carePlanHasMissingContingency(probs *waymark.Problems, contingency string) {
	if contingency == "" {
		probs.Add("missingContingency", "A care plan cannot be agreed without a plan for what to do if the child goes missing (§7.2). Add who to call, what to share with the police and where to look, then agree the plan")
	}
}

// guard says who may give RecordUKVIConcern and whether the case allows it now.
func (RecordUKVIConcern) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := teamRecordsSupport(c, a); err != nil {
		return err
	}
	if err := notClosed(c); err != nil {
		return err
	}
	if err := childFromAbroadIsRelevant(c); err != nil {
		return err
	}
	if r := c.Support.AwaitingUKVIConfirmation(); r != nil {
		return waymark.Errorf(waymark.EINVALID, "UKVI's written confirmation of the concern raised on %s is still awaited. Record the confirmation when it arrives, or add a case note about the new contact.", r.RaisedAt.In(London).Format("2 January 2006 at 3:04pm"))
	}
	return nil
}

func (cmd RecordUKVIConcern) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	supportHappenedBy(&probs, "raisedAt", "when UKVI raised the concern", cmd.RaisedAt, now)
	details := strings.TrimSpace(cmd.Details)
	if details == "" {
		probs.Add("details", "Enter who at UKVI raised the concern and what they said")
	}
	checkLength(&probs, "details", "The details", details, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	seq := c.Version + 1
	// §7.5: trafficked children may go missing soon after screening, so UKVI
	// confirms its referral in writing within 48 hours of raising it.
	clock := newClock(ClockUKVIConfirmation, ukviClockID(seq), "UKVI confirms its referral in writing", "§7.5", cmd.RaisedAt, cmd.RaisedAt.Add(p.Clocks.UKVIConfirmation))
	return []Event{newEvent(UKVIConcernRecorded{RaisedAt: cmd.RaisedAt.UTC(), Details: details}, clock)}, nil
}

// guard says who may give RecordUKVIConfirmation and whether the case allows it now.
func (RecordUKVIConfirmation) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := teamRecordsSupport(c, a); err != nil {
		return err
	}
	if c.Support.AwaitingUKVIConfirmation() == nil {
		return waymark.Errorf(waymark.EINVALID, "No UKVI concern is waiting for written confirmation. Record the UKVI concern first.")
	}
	return nil
}

func (cmd RecordUKVIConfirmation) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	r := c.Support.AwaitingUKVIConfirmation()
	var probs waymark.Problems
	supportHappenedBy(&probs, "receivedAt", "when the written confirmation arrived", cmd.ReceivedAt, now)
	if !cmd.ReceivedAt.IsZero() && cmd.ReceivedAt.Before(r.RaisedAt) {
		probs.Add("receivedAt", "The confirmation cannot arrive before UKVI raised the concern (%s)", r.RaisedAt.In(London).Format("2 January 2006 at 3:04pm"))
	}
	notes := strings.TrimSpace(cmd.Notes)
	checkLength(&probs, "notes", "The notes", notes, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(UKVIConfirmationRecorded{Referral: r.Seq, ReceivedAt: cmd.ReceivedAt.UTC(), Notes: notes}, stopClock(r.ClockID, cmd.ReceivedAt))}, nil
}

// childFromAbroadIsRelevant: the steps for a child from abroad apply when the
// child is not recorded as British, or something about their coming from
// abroad is already recorded (§7.1–7.7).
func childFromAbroadIsRelevant(c Case) error {
	s := c.Support
	if s.Abroad != nil || len(s.UKVI) > 0 || len(s.RepatriationRisk) > 0 || len(s.Tracing) > 0 {
		return nil
	}
	n := strings.ToLower(strings.TrimSpace(c.Concern.Child.Nationality))
	if !slices.Contains(britishNationalities, n) {
		return nil
	}
	return waymark.Errorf(waymark.EINVALID, "The child is recorded as British and nothing on the case says they came from abroad, so the steps for a child from abroad do not apply (§7). If that is wrong, add a case note and ask Children's Services to record it.")
}
