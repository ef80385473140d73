package pathway

import (
	"strconv"
	"strings"
	"time"

	"waymark"
)

// Support and justice: legal advice, the statutory defence, Victims' Right
// to Review, registered intermediaries, the ICTG service, Beacon and the
// services a trafficked child needs (§6.9–6.12, §7.4–7.6, §8.3, annex).

// Event types of support and justice.
const (
	EventSupportRecorded = "support_recorded"
	EventSupportUpdated  = "support_updated"
)

// justiceEvents lists the event types of support and justice.
func justiceEvents() []eventDecoder {
	return append([]eventDecoder{
		decoderOf[SupportRecorded](),
		decoderOf[SupportUpdated](),
	}, criminalJusticeEvents()...) // support_criminal.go
}

// Kinds of support.
const (
	SupportCriminalLegalAdvice    = "criminal-legal-advice"
	SupportImmigrationLegalAdvice = "immigration-legal-advice"
	SupportStatutoryDefence       = "statutory-defence"
	SupportVictimsRightToReview   = "victims-right-to-review"
	SupportRegisteredIntermediary = "registered-intermediary"
	SupportICTG                   = "ictg"
	SupportBeacon                 = "beacon"
	SupportCAMHS                  = "camhs"
	SupportMedical                = "medical"
	SupportEducation              = "education"
	SupportIndependentVisitor     = "independent-visitor"
)

var supportKinds = []struct{ Value, Text string }{
	{SupportCriminalLegalAdvice, "Criminal legal advice (§6.9)"},
	{SupportImmigrationLegalAdvice, "Immigration legal advice from a regulated adviser (§6.9, §7.5)"},
	{SupportStatutoryDefence, "Statutory defence, section 45: the child faces prosecution (§6.10)"},
	{SupportVictimsRightToReview, "Victims' Right to Review of a decision not to prosecute (§6.11)"},
	{SupportRegisteredIntermediary, "Registered intermediary for police interviews or court (§6.12)"},
	{SupportICTG, "Independent Child Trafficking Guardian (ICTG) service (annex)"},
	{SupportBeacon, "Beacon victim support, with the consent of the child or their guardian (§8.3)"},
	{SupportCAMHS, "Counselling through CAMHS (§7.6)"},
	{SupportMedical, "Medical services (§7.6)"},
	{SupportEducation, "Education (§7.6)"},
	{SupportIndependentVisitor, "Independent visitor (§7.4)"},
}

// SupportKinds lists the kinds of support that can be recorded.
func SupportKinds() []struct{ Value, Text string } { return supportKinds }

// Statuses of a support item.
const (
	SupportRequested = "requested"
	SupportInPlace   = "in-place"
	SupportDeclined  = "declined"
	SupportEnded     = "ended"
)

var supportStatuses = []struct{ Value, Text string }{
	{SupportRequested, "Requested or referred"},
	{SupportInPlace, "In place"},
	{SupportDeclined, "Declined"},
	{SupportEnded, "Ended"},
}

// SupportStatuses lists where a support item can stand.
func SupportStatuses() []struct{ Value, Text string } { return supportStatuses }

var consentGivers = []struct{ Value, Text string }{
	{"child", "The child"},
	{"guardian", "The child's guardian"},
}

// ConsentGivers lists who can consent to a Beacon referral (§8.3).
func ConsentGivers() []struct{ Value, Text string } { return consentGivers }

var visitorOffers = []struct{ Value, Text string }{
	{"accepted", "The child accepted"},
	{"declined", "The child declined"},
}

// VisitorOffers lists the child's answers to the offer of an independent visitor (§7.4).
func VisitorOffers() []struct{ Value, Text string } { return visitorOffers }

// Consent is who agreed to a referral that needs it, and when (§8.3).
type Consent struct {
	By   string `json:"by"`   // "child" or "guardian"
	Date string `json:"date"` // YYYY-MM-DD
}

// SupportItem is one piece of support or justice arranged for the child.
type SupportItem struct {
	ID            string   `json:"id"` // the seq of the event that recorded it
	Kind          string   `json:"kind"`
	Status        string   `json:"status"`
	Provider      string   `json:"provider,omitempty"`
	OISCRegulated bool     `json:"oiscRegulated,omitempty"` // immigration advice (§7.5)
	Consent       *Consent `json:"consent,omitempty"`       // Beacon (§8.3)
	BenefitAgreed bool     `json:"benefitAgreed,omitempty"` // Beacon: the team agreed it would help (annex step 4)
	VisitorOffer  string   `json:"visitorOffer,omitempty"`  // independent visitor (§7.4)
	DeclineReason string   `json:"declineReason,omitempty"`
	Notes         string   `json:"notes,omitempty"`
	// A lawyer's (IsLegal): a trafficking specialist, and told of the
	// concerns (§6.9); nil until someone records the answer.
	TraffickingSpecialist *bool     `json:"traffickingSpecialist,omitempty"`
	ConcernsShared        *bool     `json:"concernsShared,omitempty"`
	RecordedAt            time.Time `json:"recordedAt"`
	RecordedBy            Party     `json:"recordedBy"`
	UpdatedAt             time.Time `json:"updatedAt"`
}

// KindLabel is the kind of support in words.
func (it SupportItem) KindLabel() string { return supportLabel(supportKinds, it.Kind) }

// StatusLabel is the status in words.
func (it SupportItem) StatusLabel() string { return supportLabel(supportStatuses, it.Status) }

// ConsentLabel says who consented and when, for a Beacon referral.
func (it SupportItem) ConsentLabel() string {
	if it.Consent == nil {
		return ""
	}
	day := it.Consent.Date
	if t, err := time.Parse("2006-01-02", day); err == nil {
		day = t.Format("2 January 2006")
	}
	return supportLabel(consentGivers, it.Consent.By) + " on " + day
}

// VisitorOfferLabel is the child's answer to the offer of an independent visitor.
func (it SupportItem) VisitorOfferLabel() string { return supportLabel(visitorOffers, it.VisitorOffer) }

// Item finds a support item by id.
func (s SupportState) Item(id string) *SupportItem {
	for i := range s.Items {
		if s.Items[i].ID == id {
			return &s.Items[i]
		}
	}
	return nil
}

// FacingProsecution reports whether a statutory defence is being pursued
// for the child: their lawyer must be told (§6.9, §6.10).
func (s SupportState) FacingProsecution() bool {
	for _, it := range s.Items {
		if it.Kind == SupportStatutoryDefence && it.Status != SupportDeclined && it.Status != SupportEnded {
			return true
		}
	}
	return false
}

// SupportRecorded is a new piece of support (§6.9–6.12, §7.4–7.6, §8.3).
type SupportRecorded struct {
	Item SupportItem `json:"item"`
}

// SupportUpdated moves a piece of support on: in place, declined or ended.
type SupportUpdated struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	DeclineReason string `json:"declineReason,omitempty"`
	Notes         string `json:"notes,omitempty"`
	// A lawyer's answers given or changed (§6.9).
	TraffickingSpecialist *bool `json:"traffickingSpecialist,omitempty"`
	ConcernsShared        *bool `json:"concernsShared,omitempty"`
}

func (SupportRecorded) eventType() string { return EventSupportRecorded }
func (SupportUpdated) eventType() string  { return EventSupportUpdated }

func (d SupportRecorded) apply(c *Case, e Event) {
	it := d.Item
	it.ID, it.RecordedAt, it.RecordedBy, it.UpdatedAt = strconv.Itoa(e.Seq), e.At, e.Actor, e.At
	c.Support.Items = append(c.Support.Items, it)
}

func (d SupportUpdated) apply(c *Case, e Event) {
	it := c.Support.Item(d.ID)
	if it == nil {
		return
	}
	// Items is shared with the state before this event: copy before writing.
	c.Support.Items = append([]SupportItem(nil), c.Support.Items...)
	it = c.Support.Item(d.ID)
	it.Status, it.UpdatedAt = d.Status, e.At
	if d.DeclineReason != "" {
		it.DeclineReason = d.DeclineReason
	}
	if d.Notes != "" {
		it.Notes = d.Notes
	}
	if d.TraffickingSpecialist != nil {
		it.TraffickingSpecialist = d.TraffickingSpecialist
	}
	if d.ConcernsShared != nil {
		it.ConcernsShared = d.ConcernsShared
	}
}

func (d SupportRecorded) summary(e Event) string {
	return "Support recorded: " + shortKind(d.Item.Kind) + " – " + strings.ToLower(supportLabel(supportStatuses, d.Item.Status))
}

func (d SupportUpdated) summary(e Event) string {
	return "Support updated (entry " + d.ID + "): " + strings.ToLower(supportLabel(supportStatuses, d.Status))
}

// shortKind is the kind's label without its explanation or section.
func shortKind(kind string) string {
	l := supportLabel(supportKinds, kind)
	if i := strings.IndexAny(l, ":,("); i > 0 {
		l = strings.TrimSpace(l[:i])
	}
	return l
}

// RecordSupport records a piece of support or justice for the child.
type RecordSupport struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Provider      string `json:"provider"`
	OISCRegulated *bool  `json:"oiscRegulated"` // immigration advice only
	ConsentBy     string `json:"consentBy"`     // Beacon only
	ConsentDate   string `json:"consentDate"`   // Beacon only, YYYY-MM-DD
	BenefitAgreed *bool  `json:"benefitAgreed"` // Beacon only (annex step 4)
	VisitorOffer  string `json:"visitorOffer"`  // independent visitor only
	DeclineReason string `json:"declineReason"`
	Notes         string `json:"notes"`
	// A lawyer only (§6.9): a trafficking specialist? told of the concerns?
	TraffickingSpecialist *bool `json:"traffickingSpecialist"`
	ConcernsShared        *bool `json:"concernsShared"`
}

// UpdateSupport changes the status of a piece of support already recorded.
type UpdateSupport struct {
	Item          string `json:"item"` // the support item's id
	Status        string `json:"status"`
	DeclineReason string `json:"declineReason"`
	Notes         string `json:"notes"`
	// A lawyer only (§6.9): answers given or changed since.
	TraffickingSpecialist *bool `json:"traffickingSpecialist"`
	ConcernsShared        *bool `json:"concernsShared"`
}

func (RecordSupport) commandName() string { return "record support" }
func (UpdateSupport) commandName() string { return "update support" }

// guard says who may give RecordSupport and whether the case allows it now.
func (RecordSupport) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := teamRecordsSupport(c, a); err != nil {
		return err
	}
	return notClosed(c)
}

func (cmd RecordSupport) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	if !supportValid(supportKinds, cmd.Kind) {
		probs.Add("kind", "Select the kind of support")
	}
	if !supportValid(supportStatuses, cmd.Status) {
		probs.Add("status", "Select where the support stands")
	}
	it := SupportItem{Kind: cmd.Kind, Status: cmd.Status, Provider: strings.TrimSpace(cmd.Provider), DeclineReason: strings.TrimSpace(cmd.DeclineReason), Notes: strings.TrimSpace(cmd.Notes)}
	used := cmd.Status != SupportDeclined // the support was, or is being, given
	switch cmd.Kind {
	case SupportImmigrationLegalAdvice:
		if used {
			immigrationAdviceOnlyFromRegulatedAdviser(&probs, cmd.OISCRegulated)
			it.OISCRegulated = cmd.OISCRegulated != nil && *cmd.OISCRegulated
		}
	case SupportBeacon:
		if used {
			if err := beaconReferredByTheLead(c, a); err != nil { // support_beacon.go
				return nil, err
			}
			it.Consent = beaconNeedsConsent(&probs, cmd.ConsentBy, cmd.ConsentDate, now)
			beaconOnlyWhenTheTeamAgreedItWouldHelp(&probs, cmd.BenefitAgreed)
			it.BenefitAgreed = cmd.BenefitAgreed != nil && *cmd.BenefitAgreed
		}
	case SupportIndependentVisitor:
		independentVisitorDeclineIsExplained(&probs, cmd.VisitorOffer, cmd.Status, it.DeclineReason)
		it.VisitorOffer = cmd.VisitorOffer
	}
	if solicitorAnswersOnlyForALawyer(&probs, it, cmd.TraffickingSpecialist, cmd.ConcernsShared) {
		it.TraffickingSpecialist, it.ConcernsShared = cmd.TraffickingSpecialist, cmd.ConcernsShared
	}
	checkLength(&probs, "provider", "Who provides it", it.Provider, MaxShortText)
	checkLength(&probs, "declineReason", "The reason", it.DeclineReason, MaxNarrative)
	checkLength(&probs, "notes", "The notes", it.Notes, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(SupportRecorded{Item: it})}, nil
}

// immigrationAdviceOnlyFromRegulatedAdviser: immigration advice may only be
// given by an adviser regulated by the OISC, or a solicitor regulated through
// the Law Society (§7.5).
func immigrationAdviceOnlyFromRegulatedAdviser(probs *waymark.Problems, regulated *bool) {
	switch {
	case regulated == nil:
		probs.Add("oiscRegulated", "Say whether the adviser is regulated to give immigration advice (OISC, or a solicitor regulated through the Law Society)")
	case !*regulated:
		probs.Add("oiscRegulated", "Immigration advice can only come from a regulated adviser (§7.5). Refer the child to an OISC-regulated adviser or an immigration solicitor instead – the Modern Slavery Helpline or ATLEU can help you find one")
	}
}

// beaconNeedsConsent: unlike the NRM, a Beacon referral needs the consent of
// the child or their guardian, recorded with its date (§8.3, annex).
func beaconNeedsConsent(probs *waymark.Problems, by, date string, now time.Time) *Consent {
	if !supportValid(consentGivers, by) {
		probs.Add("consentBy", "A Beacon referral needs the consent of the child or their guardian (§8.3). Ask them first, then record who consented. (The NRM referral itself needs no consent.)")
	}
	d := supportPastDay(probs, "consentDate", "the date consent was given", date, now)
	if !supportValid(consentGivers, by) || d.IsZero() {
		return nil
	}
	return &Consent{By: by, Date: date}
}

// independentVisitorDeclineIsExplained: the child is offered an independent
// visitor and, if they decline, their reasons are recorded (§7.4).
func independentVisitorDeclineIsExplained(probs *waymark.Problems, offer, status, reason string) {
	switch offer {
	case "accepted":
		if status == SupportDeclined {
			probs.Add("status", "The child accepted the independent visitor: choose 'Requested' or 'In place', or record that they declined")
		}
	case "declined":
		if reason == "" {
			probs.Add("declineReason", "Record the child's reasons for declining an independent visitor (§7.4)")
		}
		if status != SupportDeclined && status != "" {
			probs.Add("status", "The child declined the independent visitor: choose 'Declined' as the status")
		}
	default:
		probs.Add("visitorOffer", "Say whether the child accepted or declined the offer of an independent visitor")
	}
}

// guard says who may give UpdateSupport and whether the case allows it now.
func (UpdateSupport) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := teamRecordsSupport(c, a); err != nil {
		return err
	}
	if len(c.Support.Items) == 0 {
		return waymark.Errorf(waymark.EINVALID, "No support is recorded yet. Record support for the child first.")
	}
	return nil
}

func (cmd UpdateSupport) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	it := c.Support.Item(cmd.Item)
	var probs waymark.Problems
	if it == nil {
		probs.Add("item", "Select the support to update")
	}
	if !supportValid(supportStatuses, cmd.Status) {
		probs.Add("status", "Select where the support stands now")
	}
	reason, notes := strings.TrimSpace(cmd.DeclineReason), strings.TrimSpace(cmd.Notes)
	checkLength(&probs, "declineReason", "The reason", reason, MaxNarrative)
	checkLength(&probs, "notes", "The notes", notes, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	if !solicitorAnswersOnlyForALawyer(&probs, *it, cmd.TraffickingSpecialist, cmd.ConcernsShared) {
		return nil, probs.Err()
	}
	changes := sameAnswer(it.TraffickingSpecialist, cmd.TraffickingSpecialist) && sameAnswer(it.ConcernsShared, cmd.ConcernsShared)
	if it.Status == cmd.Status && notes == "" && reason == "" && changes {
		return nil, waymark.Invalid([]waymark.FieldError{{Field: "status", Message: "This support is already '" + it.StatusLabel() + "'. Choose its new status, or add a note"}})
	}
	starting := cmd.Status == SupportRequested || cmd.Status == SupportInPlace
	if it.Kind == SupportBeacon && starting && it.Status == SupportDeclined {
		if err := beaconReferredByTheLead(c, a); err != nil { // a new referral (annex step 4)
			return nil, err
		}
	}
	switch {
	case it.Kind == SupportIndependentVisitor && cmd.Status == SupportDeclined && reason == "" && it.DeclineReason == "":
		probs.Add("declineReason", "Record the child's reasons for declining an independent visitor (§7.4)")
	case it.Kind == SupportBeacon && starting && it.Consent == nil:
		// §8.3: consent is recorded with the referral, never assumed later.
		probs.Add("status", "This Beacon referral was recorded without consent. Record a new Beacon referral with who consented and when (§8.3)")
	case it.Kind == SupportBeacon && starting && !it.BenefitAgreed:
		probs.Add("status", "This Beacon referral was recorded without the team's agreement that the child would benefit. Record a new Beacon referral once it is agreed (annex step 4)")
	case it.Kind == SupportImmigrationLegalAdvice && starting && !it.OISCRegulated:
		probs.Add("status", "No regulated adviser was recorded for this immigration advice. Record new immigration advice naming an OISC-regulated adviser or immigration solicitor (§7.5)")
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(SupportUpdated{ID: it.ID, Status: cmd.Status, DeclineReason: reason, Notes: notes,
		TraffickingSpecialist: cmd.TraffickingSpecialist, ConcernsShared: cmd.ConcernsShared})}, nil
}

// solicitorAnswersOnlyForALawyer: whether a lawyer is a trafficking
// specialist, and was told of the concerns, is asked of a lawyer acting for
// the child, and of nothing else (§6.9). Unanswered, it stays a prompt
// (Case.JusticePrompts) rather than a refusal: the lawyer is still recorded.
func solicitorAnswersOnlyForALawyer(probs *waymark.Problems, it SupportItem, specialist, shared *bool) bool {
	if it.IsLegal() || (specialist == nil && shared == nil) {
		return true
	}
	if specialist != nil {
		probs.Add("traffickingSpecialist", "Only a lawyer acting for the child is recorded as a trafficking specialist: leave this blank for %s", strings.ToLower(shortKind(it.Kind)))
	}
	if shared != nil {
		probs.Add("concernsShared", "Only a lawyer acting for the child is recorded as told of the concerns: leave this blank for %s", strings.ToLower(shortKind(it.Kind)))
	}
	return false
}

// sameAnswer: an answer not given leaves the recorded one as it is.
func sameAnswer(had, given *bool) bool { return given == nil || (had != nil && *had == *given) }
