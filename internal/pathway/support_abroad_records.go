package pathway

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark"
)

// The records a child from abroad needs beyond their details (§4.11,
// §7.3–7.6): contact with UKVI and whether the child's protection came
// first, information shared with the police during the placement, the age
// decision and its communication to the Home Office, information sought from
// overseas, the identity documents seen, and the child's key worker. Each is
// appended, never edited: the history is the record.

// Event types of the records of a child from abroad.
const (
	EventUKVIContactRecorded         = "ukvi_contact_recorded"
	EventPoliceInformationShared     = "police_information_shared"
	EventAgeDecisionRecorded         = "age_decision_recorded"
	EventAgeDecisionCommunicated     = "age_decision_communicated"
	EventOverseasInformationSought   = "overseas_information_sought"
	EventOverseasInformationReceived = "overseas_information_received"
	EventIdentityDocumentSeen        = "identity_document_seen"
	EventKeyWorkerNamed              = "key_worker_named"
)

// abroadRecordEvents lists the event types of these records.
func abroadRecordEvents() []eventDecoder {
	return []eventDecoder{
		decoderOf[UKVIContactRecorded](),
		decoderOf[PoliceInformationShared](),
		decoderOf[AgeDecisionRecorded](),
		decoderOf[AgeDecisionCommunicated](),
		decoderOf[OverseasInformationSought](),
		decoderOf[OverseasInformationReceived](),
		decoderOf[IdentityDocumentSeen](),
		decoderOf[KeyWorkerNamed](),
	}
}

// AbroadRecords are the append-only records of a child from abroad and of
// their placement (§4.11, §7.3–7.6).
type AbroadRecords struct {
	UKVIContacts     []UKVIContact     `json:"ukviContacts"`
	PoliceSharing    []PoliceSharing   `json:"policeSharing"`
	AgeDecisions     []AgeDecision     `json:"ageDecisions"`
	OverseasRequests []OverseasRequest `json:"overseasRequests"`
	Documents        []DocumentSeen    `json:"documents"`
	KeyWorkers       []KeyWorker       `json:"keyWorkers"` // oldest first: the last is the child's key worker now
}

// UKVIContact is a discussion of the child's nationality or immigration with
// UKVI started by the team (§4.11).
type UKVIContact struct {
	Seq       int       `json:"seq"`
	ContactAt time.Time `json:"contactAt"`
	With      string    `json:"with"`
	About     string    `json:"about"`
	// BeforeProtection: the child's protection had not been addressed when
	// the contact happened (ProtectionAddressed), decided when it was recorded.
	BeforeProtection bool      `json:"beforeProtection"`
	RecordedBy       Party     `json:"recordedBy"`
	RecordedAt       time.Time `json:"recordedAt"`
}

// PoliceSharing is one entry of the log of information shared with the
// police while the child is placed (§7.3). An entry that reveals where the
// child lives is withheld from those without access to the whereabouts
// (§7.6): see Case.Redacted.
type PoliceSharing struct {
	Seq                int       `json:"seq"`
	SharedAt           time.Time `json:"sharedAt"`
	Topics             []string  `json:"topics"`
	What               string    `json:"what,omitempty"`
	SharedWith         string    `json:"sharedWith"`
	SharedBy           string    `json:"sharedBy"`
	RevealsWhereabouts bool      `json:"revealsWhereabouts"`
	WhatWithheld       bool      `json:"whatWithheld,omitempty"` // set by Redacted, never stored
	RecordedBy         Party     `json:"recordedBy"`
	RecordedAt         time.Time `json:"recordedAt"`
}

// TopicLabels are the topics in words.
func (s PoliceSharing) TopicLabels() []string {
	var out []string
	for _, t := range s.Topics {
		out = append(out, supportLabel(policeSharingTopics, t))
	}
	return out
}

// AgeDecision is Children's Services' decision whether an age assessment is
// needed, with the Home Office guidance it drew on and when the decision
// was communicated to the Home Office (§7.4).
type AgeDecision struct {
	Seq               int       `json:"seq"`
	GuidanceConsulted bool      `json:"guidanceConsulted"` // the Home Office's "Assessing age"
	Decision          string    `json:"decision"`
	Reasons           string    `json:"reasons"`
	DecidedBy         Party     `json:"decidedBy"`
	RecordedAt        time.Time `json:"recordedAt"`
	CommunicatedOn    string    `json:"communicatedOn,omitempty"` // YYYY-MM-DD
	CommunicatedTo    string    `json:"communicatedTo,omitempty"`
	CommunicatedHow   string    `json:"communicatedHow,omitempty"`
}

// DecisionLabel is the decision in words.
func (d AgeDecision) DecisionLabel() string { return supportLabel(ageDecisions, d.Decision) }

// OverseasRequest is information sought from the authorities of a country
// the child lived in, and the reply (§7.4).
type OverseasRequest struct {
	Seq         int       `json:"seq"`
	Authority   string    `json:"authority"`
	Country     string    `json:"country"`
	Via         string    `json:"via,omitempty"` // the embassy, consulate or FCDO contact
	RequestedOn string    `json:"requestedOn"`   // YYYY-MM-DD
	Asked       string    `json:"asked"`
	RequestedBy Party     `json:"requestedBy"`
	RepliedOn   string    `json:"repliedOn,omitempty"` // YYYY-MM-DD
	Reply       string    `json:"reply,omitempty"`
	RecordedAt  time.Time `json:"recordedAt"`
}

// DocumentSeen is an identity or travel document someone saw, as it was
// given: Waymark records what was seen, not the document, whose copy belongs
// in the case's documents (§7.4).
type DocumentSeen struct {
	Seq           int       `json:"seq"`
	Kind          string    `json:"kind"`
	KindOther     string    `json:"kindOther,omitempty"`
	Number        string    `json:"number,omitempty"` // as given
	Issuer        string    `json:"issuer,omitempty"` // as given
	HeldBy        string    `json:"heldBy,omitempty"`
	SeenBy        string    `json:"seenBy"`
	SeenOn        string    `json:"seenOn"` // YYYY-MM-DD
	Genuineness   string    `json:"genuineness"`
	DoubtsDetails string    `json:"doubtsDetails,omitempty"`
	RecordedBy    Party     `json:"recordedBy"`
	RecordedAt    time.Time `json:"recordedAt"`
}

// KindLabel is the kind of document in words.
func (d DocumentSeen) KindLabel() string {
	if d.Kind == "other" && d.KindOther != "" {
		return "Other: " + d.KindOther
	}
	return supportLabel(documentKinds, d.Kind)
}

// GenuinenessLabel says whether there were doubts that it is genuine.
func (d DocumentSeen) GenuinenessLabel() string { return supportLabel(genuineness, d.Genuineness) }

// KeyWorker is the trusted adult named for the child: someone to spend time
// with them and build trust, kept the same unless there is a reason (§7.6).
type KeyWorker struct {
	Seq        int       `json:"seq"`
	Name       string    `json:"name"`
	Role       string    `json:"role"`
	From       string    `json:"from"`             // YYYY-MM-DD
	Reason     string    `json:"reason,omitempty"` // why the key worker changed
	NamedBy    Party     `json:"namedBy"`
	RecordedAt time.Time `json:"recordedAt"`
}

// KeyWorker is the child's key worker now, if one was named (§7.6).
func (r AbroadRecords) KeyWorker() *KeyWorker {
	if len(r.KeyWorkers) == 0 {
		return nil
	}
	return &r.KeyWorkers[len(r.KeyWorkers)-1]
}

// AgeDecisionNotCommunicated is the latest age decision, when the Home
// Office has not been told of it (§7.4).
func (r AbroadRecords) AgeDecisionNotCommunicated() *AgeDecision {
	if n := len(r.AgeDecisions); n > 0 && r.AgeDecisions[n-1].CommunicatedOn == "" {
		return &r.AgeDecisions[n-1]
	}
	return nil
}

// OpenOverseasRequest finds a request still waiting for a reply by seq.
func (r AbroadRecords) overseasRequest(seq int) *OverseasRequest {
	for i := range r.OverseasRequests {
		if r.OverseasRequests[i].Seq == seq {
			return &r.OverseasRequests[i]
		}
	}
	return nil
}

// AwaitingOverseasReply lists the requests to overseas authorities with no reply yet.
func (r AbroadRecords) AwaitingOverseasReply() []OverseasRequest {
	var out []OverseasRequest
	for _, q := range r.OverseasRequests {
		if q.RepliedOn == "" {
			out = append(out, q)
		}
	}
	return out
}

// ProtectionAddressed says whether the child's need for protection from harm
// has been addressed, so that nationality and immigration may be discussed
// with UKVI (§4.11). We decided, from the procedure: it is when the child is
// not missing now, and the protection plan has been made where the procedure
// makes it – a care plan agreed with its protection from traffickers (§7.2),
// or a multi-agency meeting held (§6.8).
func (c Case) ProtectionAddressed() bool {
	if c.Safety.OpenEpisode() != nil {
		return false
	}
	if len(c.Support.CarePlans) > 0 {
		return true
	}
	return slices.ContainsFunc(c.Meetings.Meetings, func(m Meeting) bool { return m.Held != nil })
}

// UKVIContactBeforeProtection lists the contacts with UKVI made before the
// child's protection was addressed, while it still is not: the team must
// address it now (§4.11). Once it is, the contacts keep their mark in the
// record but the warning goes.
func (c Case) UKVIContactBeforeProtection() []UKVIContact {
	if c.ProtectionAddressed() {
		return nil
	}
	var out []UKVIContact
	for _, u := range c.Support.AbroadRecords.UKVIContacts {
		if u.BeforeProtection {
			out = append(out, u)
		}
	}
	return out
}

// ImmigrationAdviceOwed says whether a child from abroad still has no
// immigration legal advice recorded, asked for or declined: it is sought at
// once for every such child (§4.11, §7.5).
func (c Case) ImmigrationAdviceOwed() bool {
	if !c.FromAbroad() {
		return false
	}
	return !slices.ContainsFunc(c.Support.Items, func(it SupportItem) bool { return it.Kind == SupportImmigrationLegalAdvice })
}

var policeSharingTopics = []struct{ Value, Text string }{
	{"crimes-against-the-child", "Potential crimes against the child"},
	{"risk-to-other-children", "Risk to other children"},
	{"immigration", "Relevant immigration matters"},
	{"other", "Other information about the child's safety"},
}

// PoliceSharingTopics lists what information shared with the police during a placement is about (§7.3).
func PoliceSharingTopics() []struct{ Value, Text string } { return policeSharingTopics }

var ageDecisions = []struct{ Value, Text string }{
	{"assessment-needed", "An age assessment is needed: there is significant reason to doubt they are a child"},
	{"no-assessment", "No age assessment is needed: they are accepted as a child"},
}

// AgeDecisions lists what Children's Services can decide about assessing age (§7.4).
func AgeDecisions() []struct{ Value, Text string } { return ageDecisions }

var documentKinds = []struct{ Value, Text string }{
	{"passport", "Passport"},
	{"national-id", "National identity card"},
	{"travel-document", "Travel document or visa"},
	{"residence-permit", "Residence permit or biometric card"},
	{"birth-certificate", "Birth certificate"},
	{"other", "Other"},
}

// DocumentKinds lists the kinds of identity and travel document (§7.4).
func DocumentKinds() []struct{ Value, Text string } { return documentKinds }

var genuineness = []struct{ Value, Text string }{
	{"no-doubts", "No doubts that it is genuine"},
	{"doubts", "There are doubts that it is genuine"},
	{"cannot-tell", "Could not tell"},
}

// Genuineness lists whether there are doubts that a document is genuine.
func Genuineness() []struct{ Value, Text string } { return genuineness }

// UKVIContactRecorded: the team discussed the child's nationality or
// immigration with UKVI (§4.11).
type UKVIContactRecorded struct {
	ContactAt        time.Time `json:"contactAt"`
	With             string    `json:"with"`
	About            string    `json:"about"`
	BeforeProtection bool      `json:"beforeProtection"`
}

// PoliceInformationShared: information that emerged during the placement was
// shared with the police (§7.3).
type PoliceInformationShared struct {
	SharedAt           time.Time `json:"sharedAt"`
	Topics             []string  `json:"topics"`
	What               string    `json:"what,omitempty"`
	SharedWith         string    `json:"sharedWith"`
	SharedBy           string    `json:"sharedBy"`
	RevealsWhereabouts bool      `json:"revealsWhereabouts"`
	WhatWithheld       bool      `json:"whatWithheld,omitempty"` // set by Event.Redacted, never stored
}

// AgeDecisionRecorded: Children's Services decided whether age is assessed (§7.4).
type AgeDecisionRecorded struct {
	GuidanceConsulted bool   `json:"guidanceConsulted"`
	Decision          string `json:"decision"`
	Reasons           string `json:"reasons"`
}

// AgeDecisionCommunicated: the Home Office was told of the decision (§7.4).
type AgeDecisionCommunicated struct {
	Decision        int    `json:"decision"` // seq of the decision
	CommunicatedOn  string `json:"communicatedOn"`
	CommunicatedTo  string `json:"communicatedTo"`
	CommunicatedHow string `json:"communicatedHow,omitempty"`
}

// OverseasInformationSought: information was asked of an overseas authority (§7.4).
type OverseasInformationSought struct {
	Authority   string `json:"authority"`
	Country     string `json:"country"`
	Via         string `json:"via,omitempty"`
	RequestedOn string `json:"requestedOn"`
	Asked       string `json:"asked"`
}

// OverseasInformationReceived: the overseas authority replied (§7.4).
type OverseasInformationReceived struct {
	Request   int    `json:"request"` // seq of the request
	RepliedOn string `json:"repliedOn"`
	Reply     string `json:"reply"`
}

// IdentityDocumentSeen: an identity or travel document was seen (§7.4).
type IdentityDocumentSeen struct {
	Kind          string `json:"kind"`
	KindOther     string `json:"kindOther,omitempty"`
	Number        string `json:"number,omitempty"`
	Issuer        string `json:"issuer,omitempty"`
	HeldBy        string `json:"heldBy,omitempty"`
	SeenBy        string `json:"seenBy"`
	SeenOn        string `json:"seenOn"`
	Genuineness   string `json:"genuineness"`
	DoubtsDetails string `json:"doubtsDetails,omitempty"`
}

// KeyWorkerNamed: a key worker was named for the child, or changed (§7.6).
type KeyWorkerNamed struct {
	Name   string `json:"name"`
	Role   string `json:"role"`
	From   string `json:"from"`
	Reason string `json:"reason,omitempty"`
}

func (UKVIContactRecorded) eventType() string         { return EventUKVIContactRecorded }
func (PoliceInformationShared) eventType() string     { return EventPoliceInformationShared }
func (AgeDecisionRecorded) eventType() string         { return EventAgeDecisionRecorded }
func (AgeDecisionCommunicated) eventType() string     { return EventAgeDecisionCommunicated }
func (OverseasInformationSought) eventType() string   { return EventOverseasInformationSought }
func (OverseasInformationReceived) eventType() string { return EventOverseasInformationReceived }
func (IdentityDocumentSeen) eventType() string        { return EventIdentityDocumentSeen }
func (KeyWorkerNamed) eventType() string              { return EventKeyWorkerNamed }

// Each apply copies the slice it appends to or writes: the slice is shared
// with the state before the event.
func (d UKVIContactRecorded) apply(c *Case, e Event) {
	r := &c.Support.AbroadRecords
	r.UKVIContacts = append(slices.Clip(r.UKVIContacts), UKVIContact{Seq: e.Seq, ContactAt: d.ContactAt, With: d.With, About: d.About,
		BeforeProtection: d.BeforeProtection, RecordedBy: e.Actor, RecordedAt: e.At})
}

func (d PoliceInformationShared) apply(c *Case, e Event) {
	r := &c.Support.AbroadRecords
	r.PoliceSharing = append(slices.Clip(r.PoliceSharing), PoliceSharing{Seq: e.Seq, SharedAt: d.SharedAt, Topics: slices.Clone(d.Topics), What: d.What,
		SharedWith: d.SharedWith, SharedBy: d.SharedBy, RevealsWhereabouts: d.RevealsWhereabouts, RecordedBy: e.Actor, RecordedAt: e.At})
}

func (d AgeDecisionRecorded) apply(c *Case, e Event) {
	r := &c.Support.AbroadRecords
	r.AgeDecisions = append(slices.Clip(r.AgeDecisions), AgeDecision{Seq: e.Seq, GuidanceConsulted: d.GuidanceConsulted, Decision: d.Decision,
		Reasons: d.Reasons, DecidedBy: e.Actor, RecordedAt: e.At})
}

func (d AgeDecisionCommunicated) apply(c *Case, e Event) {
	r := &c.Support.AbroadRecords
	r.AgeDecisions = slices.Clone(r.AgeDecisions)
	for i := range r.AgeDecisions {
		if ad := &r.AgeDecisions[i]; ad.Seq == d.Decision {
			ad.CommunicatedOn, ad.CommunicatedTo, ad.CommunicatedHow = d.CommunicatedOn, d.CommunicatedTo, d.CommunicatedHow
		}
	}
}

func (d OverseasInformationSought) apply(c *Case, e Event) {
	r := &c.Support.AbroadRecords
	r.OverseasRequests = append(slices.Clip(r.OverseasRequests), OverseasRequest{Seq: e.Seq, Authority: d.Authority, Country: d.Country, Via: d.Via,
		RequestedOn: d.RequestedOn, Asked: d.Asked, RequestedBy: e.Actor, RecordedAt: e.At})
}

func (d OverseasInformationReceived) apply(c *Case, e Event) {
	r := &c.Support.AbroadRecords
	r.OverseasRequests = slices.Clone(r.OverseasRequests)
	if q := r.overseasRequest(d.Request); q != nil {
		q.RepliedOn, q.Reply = d.RepliedOn, d.Reply
	}
}

func (d IdentityDocumentSeen) apply(c *Case, e Event) {
	r := &c.Support.AbroadRecords
	r.Documents = append(slices.Clip(r.Documents), DocumentSeen{Seq: e.Seq, Kind: d.Kind, KindOther: d.KindOther, Number: d.Number, Issuer: d.Issuer,
		HeldBy: d.HeldBy, SeenBy: d.SeenBy, SeenOn: d.SeenOn, Genuineness: d.Genuineness, DoubtsDetails: d.DoubtsDetails, RecordedBy: e.Actor, RecordedAt: e.At})
}

func (d KeyWorkerNamed) apply(c *Case, e Event) {
	r := &c.Support.AbroadRecords
	r.KeyWorkers = append(slices.Clip(r.KeyWorkers), KeyWorker{Seq: e.Seq, Name: d.Name, Role: d.Role, From: d.From, Reason: d.Reason, NamedBy: e.Actor, RecordedAt: e.At})
}

func (d UKVIContactRecorded) summary(e Event) string {
	if d.BeforeProtection {
		return "Immigration discussed with UKVI before the child's protection was addressed (§4.11)"
	}
	return "Immigration discussed with UKVI"
}

// The timeline never says what was shared: it may say where the child is (§7.6).
func (PoliceInformationShared) summary(e Event) string {
	return "Information shared with the police (§7.3)"
}

func (d AgeDecisionRecorded) summary(e Event) string {
	if d.Decision == "no-assessment" {
		return "Decided that no age assessment is needed"
	}
	return "Decided that an age assessment is needed"
}

func (AgeDecisionCommunicated) summary(e Event) string {
	return "The decision about assessing age communicated to the Home Office"
}
func (d OverseasInformationSought) summary(e Event) string {
	return "Information sought from the authorities in " + d.Country
}
func (OverseasInformationReceived) summary(e Event) string {
	return "Reply received from an overseas authority"
}
func (d IdentityDocumentSeen) summary(e Event) string {
	s := "Document seen: " + strings.ToLower(supportLabel(documentKinds, d.Kind))
	if d.Genuineness == "doubts" {
		s += " – doubts that it is genuine"
	}
	return s
}
func (d KeyWorkerNamed) summary(e Event) string {
	if d.Reason != "" {
		return "Key worker changed to " + d.Name
	}
	return "Key worker named: " + d.Name
}

// RecordUKVIContact records a discussion with UKVI about the child's
// nationality or immigration (§4.11). It is never refused for coming too
// early, since it must not hold up protection either: it is marked, and the
// team is warned until the child's protection is addressed.
type RecordUKVIContact struct {
	ContactAt time.Time `json:"contactAt"`
	With      string    `json:"with"`
	About     string    `json:"about"`
}

// SharePoliceInformation records information shared with the police during
// the placement (§7.3).
type SharePoliceInformation struct {
	SharedAt           time.Time `json:"sharedAt"`
	Topics             []string  `json:"topics"`
	What               string    `json:"what"`
	SharedWith         string    `json:"sharedWith"`
	SharedBy           string    `json:"sharedBy"`
	RevealsWhereabouts bool      `json:"revealsWhereabouts"`
}

// RecordAgeDecision records whether an age assessment is needed, and the
// guidance it drew on (§7.4).
type RecordAgeDecision struct {
	GuidanceConsulted bool   `json:"guidanceConsulted"`
	Decision          string `json:"decision"`
	Reasons           string `json:"reasons"`
}

// CommunicateAgeDecision records that the Home Office was told of the latest decision (§7.4).
type CommunicateAgeDecision struct {
	CommunicatedOn  string `json:"communicatedOn"` // YYYY-MM-DD
	CommunicatedTo  string `json:"communicatedTo"`
	CommunicatedHow string `json:"communicatedHow"`
}

// SeekOverseasInformation records a request to an overseas authority (§7.4).
type SeekOverseasInformation struct {
	Authority   string `json:"authority"`
	Country     string `json:"country"`
	Via         string `json:"via"`
	RequestedOn string `json:"requestedOn"` // YYYY-MM-DD
	Asked       string `json:"asked"`
}

// RecordOverseasReply records an overseas authority's reply (§7.4).
type RecordOverseasReply struct {
	Request   string `json:"request"` // the request's entry number
	RepliedOn string `json:"repliedOn"`
	Reply     string `json:"reply"`
}

// RecordDocumentSeen records an identity or travel document that was seen (§7.4).
type RecordDocumentSeen struct {
	Kind          string `json:"kind"`
	KindOther     string `json:"kindOther"`
	Number        string `json:"number"`
	Issuer        string `json:"issuer"`
	HeldBy        string `json:"heldBy"`
	SeenBy        string `json:"seenBy"`
	SeenOn        string `json:"seenOn"` // YYYY-MM-DD
	Genuineness   string `json:"genuineness"`
	DoubtsDetails string `json:"doubtsDetails"`
}

// NameKeyWorker names the child's key worker, or changes them (§7.6).
type NameKeyWorker struct {
	Name   string `json:"name"`
	Role   string `json:"role"`
	From   string `json:"from"` // YYYY-MM-DD
	Reason string `json:"reason"`
}

func (RecordUKVIContact) commandName() string       { return "record ukvi contact" }
func (SharePoliceInformation) commandName() string  { return "share police information" }
func (RecordAgeDecision) commandName() string       { return "record age decision" }
func (CommunicateAgeDecision) commandName() string  { return "communicate age decision" }
func (SeekOverseasInformation) commandName() string { return "seek overseas information" }
func (RecordOverseasReply) commandName() string     { return "record overseas reply" }
func (RecordDocumentSeen) commandName() string      { return "record document seen" }
func (NameKeyWorker) commandName() string           { return "name key worker" }

// abroadRecordGuard: the team records these while the case is open, and
// only where the child may come from abroad (§7).
func abroadRecordGuard(c Case, a Actor) error {
	if err := teamRecordsSupport(c, a); err != nil {
		return err
	}
	if err := notClosed(c); err != nil {
		return err
	}
	return childFromAbroadIsRelevant(c)
}

// guard says who may give RecordUKVIContact and whether the case allows it now.
func (RecordUKVIContact) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	return abroadRecordGuard(c, a)
}

func (cmd RecordUKVIContact) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	supportHappenedBy(&probs, "contactAt", "when the contact with UKVI happened", cmd.ContactAt, now)
	with, about := strings.TrimSpace(cmd.With), strings.TrimSpace(cmd.About)
	if with == "" {
		probs.Add("with", "Enter who at UKVI the contact was with")
	}
	if about == "" {
		probs.Add("about", "Enter what was discussed about the child's nationality or immigration")
	}
	checkLength(&probs, "with", "Who it was with", with, MaxShortText)
	checkLength(&probs, "about", "What was discussed", about, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(UKVIContactRecorded{ContactAt: cmd.ContactAt.UTC(), With: with, About: about, BeforeProtection: !c.ProtectionAddressed()})}, nil
}

// guard says who may give SharePoliceInformation and whether the case allows it now.
func (SharePoliceInformation) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := teamRecordsSupport(c, a); err != nil {
		return err
	}
	if err := notClosed(c); err != nil {
		return err
	}
	if c.Support.CurrentPlacement() == nil {
		return waymark.Errorf(waymark.EINVALID, "No placement is recorded yet. This log is of what is shared with the police while the child is placed (§7.3): record the placement first, or add a case note.")
	}
	return nil
}

func (cmd SharePoliceInformation) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	supportHappenedBy(&probs, "sharedAt", "when the information was shared", cmd.SharedAt, now)
	var topics []string
	for _, t := range cmd.Topics {
		switch {
		case !supportValid(policeSharingTopics, t):
			probs.Add("topics", "Select only the kinds of information listed")
		case !slices.Contains(topics, t):
			topics = append(topics, t)
		}
	}
	if len(cmd.Topics) == 0 {
		probs.Add("topics", "Select what the information is about (§7.3)")
	}
	what, with, by := strings.TrimSpace(cmd.What), strings.TrimSpace(cmd.SharedWith), strings.TrimSpace(cmd.SharedBy)
	if what == "" {
		probs.Add("what", "Enter what was shared with the police")
	}
	if with == "" {
		probs.Add("sharedWith", "Enter who in the police it was shared with")
	}
	if by == "" {
		probs.Add("sharedBy", "Enter who shared it")
	}
	checkLength(&probs, "what", "What was shared", what, MaxNarrative)
	checkLength(&probs, "sharedWith", "Who it was shared with", with, MaxShortText)
	checkLength(&probs, "sharedBy", "Who shared it", by, MaxShortText)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	reveals := cmd.RevealsWhereabouts || namesAConfidentialAddress(c, what)
	return []Event{newEvent(PoliceInformationShared{SharedAt: cmd.SharedAt.UTC(), Topics: topics, What: what, SharedWith: with, SharedBy: by, RevealsWhereabouts: reveals})}, nil
}

// namesAConfidentialAddress: an entry that quotes a line or part of a
// confidential placement's address (split at line ends and commas) reveals
// the child's whereabouts, whatever its author answered (§7.6).
func namesAConfidentialAddress(c Case, text string) bool {
	text = strings.ToLower(text)
	for _, pl := range c.Support.Placements {
		if !pl.WhereaboutsConfidential {
			continue
		}
		parts := strings.FieldsFunc(pl.Address, func(r rune) bool { return r == '\n' || r == ',' })
		for _, part := range parts {
			part = strings.ToLower(strings.TrimSpace(part))
			if len(part) >= 5 && strings.Contains(text, part) {
				return true
			}
		}
	}
	return false
}

// redactedPoliceSharing blanks what was shared where it reveals the
// whereabouts, for a viewer without access to them (§7.6). The address is
// looked for now, not only when the entry was written: whereabouts may
// become confidential after the entry quoted them.
func redactedPoliceSharing(c Case, log []PoliceSharing) []PoliceSharing {
	out := slices.Clone(log)
	for i := range out {
		if out[i].RevealsWhereabouts || namesAConfidentialAddress(c, out[i].What) {
			out[i].What, out[i].WhatWithheld = "", true
		}
	}
	return out
}

// redactedPoliceSharingEvent does the same for the event's data.
func redactedPoliceSharingEvent(c Case, e Event) Event {
	if d, ok := e.Data.(PoliceInformationShared); ok && (d.RevealsWhereabouts || namesAConfidentialAddress(c, d.What)) {
		d.What, d.WhatWithheld = "", true
		e.Data = d
	}
	return e
}

// guard says who may give RecordAgeDecision and whether the case allows it now.
func (RecordAgeDecision) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := childrensServicesDecides(a, "a decision about assessing age"); err != nil {
		return err
	}
	if err := notClosed(c); err != nil {
		return err
	}
	return ageIsInDoubt(c)
}

func (cmd RecordAgeDecision) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	if !supportValid(ageDecisions, cmd.Decision) {
		probs.Add("decision", "Select whether an age assessment is needed")
	}
	reasons := strings.TrimSpace(cmd.Reasons)
	if reasons == "" {
		probs.Add("reasons", "Enter the reasons for the decision (§7.4): never appearance or manner alone")
	}
	checkLength(&probs, "reasons", "The reasons", reasons, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(AgeDecisionRecorded{GuidanceConsulted: cmd.GuidanceConsulted, Decision: cmd.Decision, Reasons: reasons})}, nil
}

// guard says who may give CommunicateAgeDecision and whether the case allows it now.
func (CommunicateAgeDecision) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := childrensServicesDecides(a, "the communication of the age decision"); err != nil {
		return err
	}
	if c.Support.AbroadRecords.AgeDecisionNotCommunicated() == nil {
		return waymark.Errorf(waymark.EINVALID, "No decision about assessing age is waiting to be communicated to the Home Office. Record the decision first.")
	}
	return nil
}

func (cmd CommunicateAgeDecision) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	d := c.Support.AbroadRecords.AgeDecisionNotCommunicated()
	var probs waymark.Problems
	on := supportPastDay(&probs, "communicatedOn", "the date the Home Office was told", cmd.CommunicatedOn, now)
	if y, m, dd := d.RecordedAt.In(London).Date(); !on.IsZero() && on.Before(time.Date(y, m, dd, 0, 0, 0, 0, London)) {
		probs.Add("communicatedOn", "The Home Office cannot be told before the decision was recorded (%s)", d.RecordedAt.In(London).Format("2 January 2006"))
	}
	to, how := strings.TrimSpace(cmd.CommunicatedTo), strings.TrimSpace(cmd.CommunicatedHow)
	if to == "" {
		probs.Add("communicatedTo", "Enter who at the Home Office was told")
	}
	checkLength(&probs, "communicatedTo", "Who was told", to, MaxShortText)
	checkLength(&probs, "communicatedHow", "How they were told", how, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(AgeDecisionCommunicated{Decision: d.Seq, CommunicatedOn: cmd.CommunicatedOn, CommunicatedTo: to, CommunicatedHow: how})}, nil
}

// guard says who may give SeekOverseasInformation and whether the case allows it now.
func (SeekOverseasInformation) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	return abroadRecordGuard(c, a)
}

func (cmd SeekOverseasInformation) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	authority, country, via, asked := strings.TrimSpace(cmd.Authority), strings.TrimSpace(cmd.Country), strings.TrimSpace(cmd.Via), strings.TrimSpace(cmd.Asked)
	if authority == "" {
		probs.Add("authority", "Enter the overseas authority the information was asked of")
	}
	if country == "" {
		probs.Add("country", "Enter the country")
	}
	supportPastDay(&probs, "requestedOn", "the date of the request", cmd.RequestedOn, now)
	if asked == "" {
		probs.Add("asked", "Enter what was asked")
	}
	checkLength(&probs, "authority", "The authority", authority, MaxShortText)
	checkLength(&probs, "country", "The country", country, MaxShortText)
	checkLength(&probs, "via", "Through whom", via, MaxShortText)
	checkLength(&probs, "asked", "What was asked", asked, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(OverseasInformationSought{Authority: authority, Country: country, Via: via, RequestedOn: cmd.RequestedOn, Asked: asked})}, nil
}

// guard says who may give RecordOverseasReply and whether the case allows it now.
func (RecordOverseasReply) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := teamRecordsSupport(c, a); err != nil {
		return err
	}
	if len(c.Support.AbroadRecords.AwaitingOverseasReply()) == 0 {
		return waymark.Errorf(waymark.EINVALID, "No request to an overseas authority is waiting for a reply. Record the request first.")
	}
	return nil
}

func (cmd RecordOverseasReply) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	var q *OverseasRequest
	waiting := c.Support.AbroadRecords.AwaitingOverseasReply()
	for i := range waiting {
		if fmt.Sprint(waiting[i].Seq) == strings.TrimSpace(cmd.Request) {
			q = &waiting[i]
		}
	}
	if q == nil {
		probs.Add("request", "Select the request the reply answers")
	}
	on := supportPastDay(&probs, "repliedOn", "the date of the reply", cmd.RepliedOn, now)
	if asked, ok := supportDay(dayOrEmpty(q)); ok && q != nil && !on.IsZero() && on.Before(asked) {
		probs.Add("repliedOn", "The reply cannot come before the request (%s)", asked.Format("2 January 2006"))
	}
	reply := strings.TrimSpace(cmd.Reply)
	if reply == "" {
		probs.Add("reply", "Enter what the reply said")
	}
	checkLength(&probs, "reply", "The reply", reply, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(OverseasInformationReceived{Request: q.Seq, RepliedOn: cmd.RepliedOn, Reply: reply})}, nil
}

func dayOrEmpty(q *OverseasRequest) string {
	if q == nil {
		return ""
	}
	return q.RequestedOn
}

// guard says who may give RecordDocumentSeen and whether the case allows it now.
func (RecordDocumentSeen) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	return abroadRecordGuard(c, a)
}

func (cmd RecordDocumentSeen) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	if !supportValid(documentKinds, cmd.Kind) {
		probs.Add("kind", "Select the kind of document")
	}
	other, number, issuer, heldBy, seenBy := strings.TrimSpace(cmd.KindOther), strings.TrimSpace(cmd.Number), strings.TrimSpace(cmd.Issuer), strings.TrimSpace(cmd.HeldBy), strings.TrimSpace(cmd.SeenBy)
	if cmd.Kind == "other" && other == "" {
		probs.Add("kindOther", "Describe the other kind of document")
	}
	if cmd.Kind != "other" {
		other = ""
	}
	if seenBy == "" {
		probs.Add("seenBy", "Enter who saw the document")
	}
	supportPastDay(&probs, "seenOn", "the date the document was seen", cmd.SeenOn, now)
	if !supportValid(genuineness, cmd.Genuineness) {
		probs.Add("genuineness", "Select whether there are doubts that the document is genuine")
	}
	doubts := strings.TrimSpace(cmd.DoubtsDetails)
	if cmd.Genuineness == "doubts" && doubts == "" {
		probs.Add("doubtsDetails", "Describe the doubts: what about the document seems not genuine")
	}
	for _, f := range []struct{ field, what, value string }{
		{"kindOther", "The kind of document", other}, {"number", "The number", number}, {"issuer", "The issuer", issuer},
		{"heldBy", "Who held it", heldBy}, {"seenBy", "Who saw it", seenBy},
	} {
		checkLength(&probs, f.field, f.what, f.value, MaxShortText)
	}
	checkLength(&probs, "doubtsDetails", "The doubts", doubts, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(IdentityDocumentSeen{Kind: cmd.Kind, KindOther: other, Number: number, Issuer: issuer, HeldBy: heldBy, SeenBy: seenBy,
		SeenOn: cmd.SeenOn, Genuineness: cmd.Genuineness, DoubtsDetails: doubts})}, nil
}

// guard says who may give NameKeyWorker and whether the case allows it now.
func (NameKeyWorker) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := childrensServicesDecides(a, "the child's key worker"); err != nil {
		return err
	}
	return notClosed(c)
}

func (cmd NameKeyWorker) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	name, role, reason := strings.TrimSpace(cmd.Name), strings.TrimSpace(cmd.Role), strings.TrimSpace(cmd.Reason)
	if name == "" {
		probs.Add("name", "Enter the key worker's name")
	}
	if role == "" {
		probs.Add("role", "Enter who they are to the child, for example their foster carer or a worker at the home")
	}
	from := supportPastDay(&probs, "from", "the date they became the key worker", cmd.From, now)
	cur := c.Support.AbroadRecords.KeyWorker()
	if cur != nil {
		keyWorkerChangesOnlyWithAReason(&probs, cur, name, reason)
		if since, ok := supportDay(cur.From); ok && !from.IsZero() && from.Before(since) {
			probs.Add("from", "The change cannot come before %s became the key worker (%s)", cur.Name, since.Format("2 January 2006"))
		}
	} else {
		reason = ""
	}
	checkLength(&probs, "name", "The name", name, MaxShortText)
	checkLength(&probs, "role", "Who they are to the child", role, MaxShortText)
	checkLength(&probs, "reason", "The reason", reason, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(KeyWorkerNamed{Name: name, Role: role, From: cmd.From, Reason: reason})}, nil
}

// keyWorkerChangesOnlyWithAReason: the child's trusted adult is kept the same
// so that trust can build; a change says why (§7.6).
func keyWorkerChangesOnlyWithAReason(probs *waymark.Problems, cur *KeyWorker, name, reason string) {
	if strings.EqualFold(cur.Name, name) {
		probs.Add("name", "%s is already the child's key worker", cur.Name)
	}
	if reason == "" {
		probs.Add("reason", "Enter why the key worker is changing: the child needs the same trusted adult to build trust (§7.6)")
	}
}
