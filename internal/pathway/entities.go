package pathway

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"waymark"
	"waymark/internal/match"
)

// Entities: the people (suspected exploiters, associates), nicknames,
// addresses, phone numbers, vehicles and online handles around a child,
// which the team records so that the same exploiters can be recognised
// across children (§6.8, §8.8(4)(d)). The multi-agency meeting shares that
// intelligence and disrupts it with the powers of §6.8 a–j
// (RecordEntityDisruption). An entity is the case's own record: only the
// team sees it (VisibleTo). Where one recurs in other cases is shown only
// to the meeting chair and the partnership lead (MaySeeRecurrence), as how
// many other cases and their references, never their contents.
//
// People already linked to the child (RecordLinkedPerson) count as person
// entities without being entered again (Case.Entities derives them).

// Event types of entities.
const (
	EventEntityRecorded           = "entity_recorded"
	EventEntityRemoved            = "entity_removed"
	EventEntityDisruptionRecorded = "entity_disruption_recorded"
)

// entityEvents lists the event types of entities.
func entityEvents() []eventDecoder {
	return []eventDecoder{
		decoderOf[EntityRecorded](),
		decoderOf[EntityRemoved](),
		decoderOf[EntityDisruptionRecorded](),
	}
}

// Entity kinds.
const (
	EntityPerson   = "person"
	EntityNickname = "nickname"
	EntityAddress  = "address"
	EntityPhone    = "phone"
	EntityVehicle  = "vehicle"
	EntityHandle   = "handle"
)

var entityKinds = []struct{ Value, Text string }{
	{EntityPerson, "Person"},
	{EntityNickname, "Nickname or street name"},
	{EntityAddress, "Address"},
	{EntityPhone, "Phone number"},
	{EntityVehicle, "Vehicle registration"},
	{EntityHandle, "Online handle or username"},
}

// EntityKinds lists the kinds of entity.
func EntityKinds() []struct{ Value, Text string } { return entityKinds }

// EntityKindLabel is a kind in words.
func EntityKindLabel(k string) string { return optionLabel(entityKinds, k) }

// Entity roles: how the entity is linked to the child's exploitation.
const (
	EntityRoleSuspectedExploiter = "suspected-exploiter"
	EntityRoleAssociate          = "associate"
	EntityRolePlace              = "place-of-exploitation"
	EntityRoleContact            = "contact-with-child"
	EntityRoleOther              = "other"
)

var entityRoles = []struct{ Value, Text string }{
	{EntityRoleSuspectedExploiter, "A suspected exploiter, or theirs"},
	{EntityRoleAssociate, "An associate of the exploiters, or theirs"},
	{EntityRolePlace, "Where the child was exploited, kept or taken"},
	{EntityRoleContact, "Used to contact or control the child"},
	{EntityRoleOther, "Linked in another way (say how in the notes)"},
}

// EntityRoles lists how an entity can be linked to the child.
func EntityRoles() []struct{ Value, Text string } { return entityRoles }

// EntityRoleLabel is a role in words; a linked person's relationship reads as itself.
func EntityRoleLabel(r string) string {
	if l := optionLabel(entityRoles, r); l != r {
		return l
	}
	return RelationshipLabel(r)
}

// EntityState is the entities the team recorded, removed ones included:
// history is kept (§7.5).
type EntityState struct {
	Recorded []Entity `json:"recorded,omitempty"`
}

// Entity is one person, nickname, address, phone number, vehicle or handle
// linked to the case.
type Entity struct {
	ID         string    `json:"id"` // "entity-<seq>"; a linked person's is "linked-<seq>"
	Seq        int       `json:"seq"`
	Kind       string    `json:"kind"`
	Value      string    `json:"value"`
	Role       string    `json:"role"`
	Notes      string    `json:"notes,omitempty"`
	MeetingID  string    `json:"meetingId,omitempty"` // recorded at this multi-agency meeting
	RecordedAt time.Time `json:"recordedAt"`
	RecordedBy Party     `json:"recordedBy"`
	// LinkedPerson says the entity is a person linked to the child
	// (RecordLinkedPerson), not entered as an entity.
	LinkedPerson bool               `json:"linkedPerson,omitempty"`
	Removed      *EntityRemoval     `json:"removed,omitempty"`
	Disruptions  []EntityDisruption `json:"disruptions,omitempty"`
}

// EntityRemoval is why and when an entity was removed.
type EntityRemoval struct {
	Seq    int       `json:"seq"`
	At     time.Time `json:"at"`
	By     Party     `json:"by"`
	Reason string    `json:"reason"`
}

// EntityDisruption is a disruption power the meeting decided on against an
// entity (§6.8 a–j).
type EntityDisruption struct {
	Seq       int       `json:"seq"`
	At        time.Time `json:"at"`
	By        Party     `json:"by"`
	MeetingID string    `json:"meetingId"`
	Power     string    `json:"power"`
	Outcome   string    `json:"outcome"`
	Reason    string    `json:"reason"`
}

// PowerLabel is the power's name; OutcomeLabel what became of it.
func (d EntityDisruption) PowerLabel() string   { return DisruptionPowerLabel(d.Power) }
func (d EntityDisruption) OutcomeLabel() string { return meetingOptionText(powerOutcomes, d.Outcome) }

// KindLabel, RoleLabel: the entity in words.
func (e Entity) KindLabel() string { return EntityKindLabel(e.Kind) }
func (e Entity) RoleLabel() string {
	if e.LinkedPerson {
		return RelationshipLabel(e.Role)
	}
	return EntityRoleLabel(e.Role)
}

// Key is the entity's value normalised for matching (EntityKey).
func (e Entity) Key() string { return EntityKey(e.Kind, e.Value) }

// Entities lists the case's entities in force, oldest first: the people
// linked to the child who may be exploiters or their associates, then those
// recorded and not removed. A linked parent or brother or sister is the
// child's own family, not an entity.
func (c Case) Entities() []Entity {
	var out []Entity
	for _, p := range c.Strategy.LinkedPeople {
		if p.Relationship == RelationshipParent || p.Relationship == RelationshipSibling {
			continue
		}
		out = append(out, Entity{ID: linkedEntityID(p.Seq), Seq: p.Seq, Kind: EntityPerson, Value: p.Name, Role: p.Relationship,
			Notes: p.Notes, RecordedAt: p.RecordedAt, RecordedBy: p.RecordedBy, LinkedPerson: true, Disruptions: c.Entity.disruptionsOf(linkedEntityID(p.Seq))})
	}
	for _, e := range c.Entity.Recorded {
		if e.Removed == nil && !e.LinkedPerson {
			out = append(out, e)
		}
	}
	return out
}

// RemovedEntities lists the entities removed, with why.
func (c Case) RemovedEntities() []Entity {
	var out []Entity
	for _, e := range c.Entity.Recorded {
		if e.Removed != nil && !e.LinkedPerson {
			out = append(out, e)
		}
	}
	return out
}

// EntityByID finds an entity in force by id.
func (c Case) EntityByID(id string) (Entity, bool) {
	for _, e := range c.Entities() {
		if e.ID == id {
			return e, true
		}
	}
	return Entity{}, false
}

// EntityKeys are the distinct (kind, key) pairs of the case's entities in
// force: what the store files the case under (as keyed hashes) to find
// where an entity recurs.
func (c Case) EntityKeys() []EntityMatchKey {
	seen := map[EntityMatchKey]bool{}
	var out []EntityMatchKey
	for _, e := range c.Entities() {
		k := EntityMatchKey{Kind: e.Kind, Key: e.Key()}
		if k.Key != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// EntityMatchKey is an entity's kind and normalised value.
type EntityMatchKey struct{ Kind, Key string }

func linkedEntityID(seq int) string { return fmt.Sprintf("linked-%d", seq) }

func (s EntityState) disruptionsOf(id string) []EntityDisruption {
	for _, e := range s.linkedDisruptions() {
		if e.ID == id {
			return e.Disruptions
		}
	}
	return nil
}

// linkedDisruptions are the placeholder records that carry the
// disruptions recorded against linked people (they are not entities of
// their own: Entities shows them on the linked person).
func (s EntityState) linkedDisruptions() []Entity {
	var out []Entity
	for _, e := range s.Recorded {
		if e.LinkedPerson {
			out = append(out, e)
		}
	}
	return out
}

// EntityKey normalises an entity's value for matching, by kind: a phone
// number to its digits with the UK forms 07… and +44 7… made one; a vehicle
// registration upper case without spaces; a handle lower case without @; an
// address by postcode and house number (its words when it has no postcode);
// a person's name by the matching engine's name keys (internal/match), so
// case, spacing and the order of the names do not matter. "" when nothing
// is left to match.
func EntityKey(kind, value string) string {
	switch kind {
	case EntityPhone:
		return phoneKey(value)
	case EntityVehicle:
		return strings.ToUpper(alnum(value))
	case EntityHandle:
		return strings.ToLower(strings.TrimLeft(strings.Join(strings.Fields(value), ""), "@"))
	case EntityAddress:
		return addressKey(value)
	case EntityPerson:
		return personNameKey(value)
	case EntityNickname:
		return strings.Join(words(value), " ")
	}
	return ""
}

func alnum(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// phoneKey: only digits count; an international prefix 00 is +; +44 and
// +44 (0) are the UK's trunk 0, so 07700 900123, +44 7700 900123 and
// 0044 (0)7700 900123 are one number. Fewer than 6 digits is no number.
func phoneKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	d = strings.TrimPrefix(d, "00")
	if strings.HasPrefix(d, "44") && len(d) >= 11 {
		d = "0" + strings.TrimPrefix(d[2:], "0")
	}
	if len(d) < 6 {
		return ""
	}
	return d
}

var postcodeRE = regexp.MustCompile(`(?i)\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b`)

// addressKey is the postcode and the house number (or name) before it:
// "Flat 2, 14 Mill Lane, EA1 4QT" and "14 mill lane ea14qt" are one address
// only when their numbers agree, so the first number of the address counts.
func addressKey(s string) string {
	loc := postcodeRE.FindStringSubmatchIndex(s)
	if loc == nil {
		return strings.Join(words(s), " ")
	}
	pc := strings.ToUpper(s[loc[2]:loc[3]] + s[loc[4]:loc[5]])
	rest := s[:loc[0]] + " " + s[loc[1]:]
	num := ""
	for _, w := range words(rest) {
		if w[0] >= '0' && w[0] <= '9' {
			num = w
			break
		}
	}
	if num == "" {
		// A named house: its first word.
		if ws := words(rest); len(ws) > 0 {
			num = ws[0]
		}
	}
	return pc + "/" + num
}

// personNameKey is a name's keys as the matching engine files a person
// (match.BlockingKeys' name keys), sorted, so that "Ali Karim" and "KARIM,
// ali" are one name, and whatever else the engine forgives in a name
// (spelling that sounds the same, accents, transliteration) is forgiven
// here too. The last word is taken as the family name; the engine's keys
// do not depend on which name comes first. A name the engine gives no key
// is its words, sorted.
func personNameKey(name string) string {
	ws := words(name)
	if len(ws) == 0 {
		return ""
	}
	p := match.Person{Family: ws[len(ws)-1]}
	if len(ws) > 1 {
		p.Given = strings.Join(ws[:len(ws)-1], " ")
	}
	var ks []string
	for _, k := range match.BlockingKeys(p) {
		if kind, rest, ok := strings.Cut(k, ":"); ok && (kind == "n" || kind == "n1") && rest != "" {
			ks = append(ks, rest)
		}
	}
	if len(ks) == 0 {
		ks = ws
	}
	slices.Sort(ks)
	return strings.Join(slices.Compact(ks), " ")
}

// EntityRecorded is an entity the team recorded on the case.
type EntityRecorded struct {
	EntityID  string `json:"entityId"`
	Kind      string `json:"kind"`
	Value     string `json:"value"`
	Role      string `json:"role"`
	Notes     string `json:"notes,omitempty"`
	MeetingID string `json:"meetingId,omitempty"`
}

// EntityRemoved is an entity removed, with why: a mistake, or found to
// have nothing to do with the child. Its record is kept.
type EntityRemoved struct {
	EntityID string `json:"entityId"`
	Reason   string `json:"reason"`
}

// EntityDisruptionRecorded is a power the meeting decided on against an
// entity (§6.8 a–j).
type EntityDisruptionRecorded struct {
	EntityID  string `json:"entityId"`
	MeetingID string `json:"meetingId"`
	Power     string `json:"power"`
	Outcome   string `json:"outcome"`
	Reason    string `json:"reason"`
}

func (EntityRecorded) eventType() string           { return EventEntityRecorded }
func (EntityRemoved) eventType() string            { return EventEntityRemoved }
func (EntityDisruptionRecorded) eventType() string { return EventEntityDisruptionRecorded }

func (d EntityRecorded) apply(c *Case, e Event) {
	c.Entity.Recorded = append(slices.Clone(c.Entity.Recorded), Entity{ID: d.EntityID, Seq: e.Seq, Kind: d.Kind, Value: d.Value,
		Role: d.Role, Notes: d.Notes, MeetingID: d.MeetingID, RecordedAt: e.At, RecordedBy: e.Actor})
}

func (d EntityRemoved) apply(c *Case, e Event) {
	rs := slices.Clone(c.Entity.Recorded)
	for i := range rs {
		if rs[i].ID == d.EntityID && !rs[i].LinkedPerson && rs[i].Removed == nil {
			rs[i].Removed = &EntityRemoval{Seq: e.Seq, At: e.At, By: e.Actor, Reason: d.Reason}
		}
	}
	c.Entity.Recorded = rs
}

func (d EntityDisruptionRecorded) apply(c *Case, e Event) {
	rs := slices.Clone(c.Entity.Recorded)
	dis := EntityDisruption{Seq: e.Seq, At: e.At, By: e.Actor, MeetingID: d.MeetingID, Power: d.Power, Outcome: d.Outcome, Reason: d.Reason}
	for i := range rs {
		if rs[i].ID == d.EntityID {
			rs[i].Disruptions = append(slices.Clone(rs[i].Disruptions), dis)
			c.Entity.Recorded = rs
			return
		}
	}
	// A linked person's disruptions ride on a placeholder of their own.
	c.Entity.Recorded = append(rs, Entity{ID: d.EntityID, LinkedPerson: true, Disruptions: []EntityDisruption{dis}})
}

func (d EntityRecorded) summary(e Event) string {
	return EntityKindLabel(d.Kind) + " recorded: " + d.Value
}
func (EntityRemoved) summary(e Event) string { return "Entity removed" }
func (d EntityDisruptionRecorded) summary(e Event) string {
	return "Disruption recorded against an entity: " + DisruptionPowerLabel(d.Power)
}

// MaxEntities bounds the entities one case records.
const MaxEntities = 200

// RecordEntity records an entity linked to the case, by the team or at a
// multi-agency meeting (§6.8, §8.8(4)(d)).
type RecordEntity struct {
	Kind      string `json:"kind"`
	Value     string `json:"value"`
	Role      string `json:"role"`
	Notes     string `json:"notes"`
	MeetingID string `json:"meetingId"` // optional: the meeting it was shared at
}

// RemoveEntity removes an entity recorded in error, with the reason; the
// record is kept.
type RemoveEntity struct {
	EntityID string `json:"entityId"`
	Reason   string `json:"reason"`
}

// RecordEntityDisruption records a power the meeting decided on against an
// entity (§6.8 a–j): only a power in force on the day.
type RecordEntityDisruption struct {
	EntityID  string `json:"entityId"`
	MeetingID string `json:"meetingId"`
	Power     string `json:"power"`
	Outcome   string `json:"outcome"`
	Reason    string `json:"reason"`
}

func (RecordEntity) commandName() string           { return "record entity" }
func (RemoveEntity) commandName() string           { return "remove entity" }
func (RecordEntityDisruption) commandName() string { return "record entity disruption" }

// onlyTheTeamRecordsEntities: the exploiters' details are for those working
// the case (§6.5); the meeting's are recorded by its social worker.
func onlyTheTeamRecordsEntities(c Case, a Actor) error {
	if strategyTeamMember(c, a) {
		return nil
	}
	return waymark.Errorf(waymark.EFORBIDDEN, "Only the people working this case can record the exploiters' details. Tell the case's social worker what you know so they can record it.")
}

func (RecordEntity) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := onlyTheTeamRecordsEntities(c, a); err != nil {
		return err
	}
	return notClosed(c)
}

func (cmd RecordEntity) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	value := strings.Join(strings.Fields(cmd.Value), " ")
	notes := strings.TrimSpace(cmd.Notes)
	var probs waymark.Problems
	kindOK := meetingIsOption(entityKinds, cmd.Kind)
	if !kindOK {
		probs.Add("kind", "Select what kind of detail this is")
	}
	switch {
	case value == "":
		probs.Add("value", "Enter the %s", strings.ToLower(entityValueName(cmd.Kind)))
	case kindOK && EntityKey(cmd.Kind, value) == "":
		probs.Add("value", "Enter a %s that can be matched, such as %s", strings.ToLower(entityValueName(cmd.Kind)), entityExample(cmd.Kind))
	}
	checkLength(&probs, "value", "The detail", value, MaxShortText)
	if !meetingIsOption(entityRoles, cmd.Role) {
		probs.Add("role", "Select how this is linked to the child")
	}
	checkLength(&probs, "notes", "The notes", notes, MaxNarrative)
	if cmd.MeetingID != "" {
		if _, ok := c.Meetings.Meeting(cmd.MeetingID); !ok {
			probs.Add("meetingId", "Select a meeting of this case, or none")
		}
	}
	if len(c.Entity.Recorded) >= MaxEntities {
		probs.Add("value", "This case already has %d entities recorded: remove those recorded in error first", MaxEntities)
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	// One record each: a linked person is a person entity already.
	key := EntityKey(cmd.Kind, value)
	for _, e := range c.Entities() {
		if e.Kind == cmd.Kind && e.Key() == key {
			if e.LinkedPerson {
				return nil, waymark.Invalid([]waymark.FieldError{{Field: "value", Message: e.Value + " is already recorded as a person linked to the child, so they count here already"}})
			}
			return nil, waymark.Invalid([]waymark.FieldError{{Field: "value", Message: "This " + strings.ToLower(EntityKindLabel(cmd.Kind)) + " is already recorded on the case (" + e.Value + ")"}})
		}
	}
	return []Event{newEvent(EntityRecorded{EntityID: fmt.Sprintf("entity-%d", c.Version+1), Kind: cmd.Kind, Value: value, Role: cmd.Role, Notes: notes, MeetingID: cmd.MeetingID})}, nil
}

func entityValueName(kind string) string {
	switch kind {
	case EntityPerson:
		return "Person's name"
	case EntityNickname:
		return "Nickname"
	case EntityAddress:
		return "Address"
	case EntityPhone:
		return "Phone number"
	case EntityVehicle:
		return "Vehicle registration"
	case EntityHandle:
		return "Handle"
	}
	return "Detail"
}

func entityExample(kind string) string {
	switch kind {
	case EntityPhone:
		return "07700 900123"
	case EntityVehicle:
		return "AB12 CDE"
	case EntityHandle:
		return "@name"
	case EntityAddress:
		return "14 Mill Lane, EA1 4QT"
	}
	return "a name"
}

func (RemoveEntity) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := onlyTheTeamRecordsEntities(c, a); err != nil {
		return err
	}
	if err := notClosed(c); err != nil {
		return err
	}
	for _, e := range c.Entity.Recorded {
		if e.Removed == nil && !e.LinkedPerson {
			return nil
		}
	}
	return waymark.Errorf(waymark.EINVALID, "No entity has been recorded on this case to remove. A person linked to the child is changed by correcting their entry.")
}

func (cmd RemoveEntity) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	e, ok := c.EntityByID(cmd.EntityID)
	switch {
	case !ok:
		probs.Add("entityId", "Select the entity to remove")
	case e.LinkedPerson:
		probs.Add("entityId", "%s is a person linked to the child: correct their entry instead", e.Value)
	}
	reason := strings.TrimSpace(cmd.Reason)
	if reason == "" {
		probs.Add("reason", "Enter why the entity is removed, so others can follow it later")
	}
	checkLength(&probs, "reason", "The reason", reason, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(EntityRemoved{EntityID: e.ID, Reason: reason})}, nil
}

func (RecordEntityDisruption) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := canRecordMeeting(a); err != nil {
		return err
	}
	if err := notClosed(c); err != nil {
		return err
	}
	if err := c.Meetings.aMeetingWasHeld("the powers it decided on against an entity"); err != nil {
		return err
	}
	if len(c.Entities()) == 0 {
		return waymark.Errorf(waymark.EINVALID, "Record the person, address, phone number, vehicle or handle first, then the power the meeting decided on against it (§6.8).")
	}
	return nil
}

func (cmd RecordEntityDisruption) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	m, err := c.Meetings.meetingFor(cmd.MeetingID, true)
	if err != nil {
		return nil, err
	}
	if m.Held == nil {
		return nil, waymark.Errorf(waymark.EINVALID, "Record what the %s agreed first, then the powers it decided on (§6.8).", m.Title())
	}
	var probs waymark.Problems
	e, ok := c.EntityByID(cmd.EntityID)
	if !ok {
		probs.Add("entityId", "Select the entity the power is against")
	}
	if pw, ok := disruptionPower(cmd.Power); !ok || !pw.InForce(now) {
		probs.Add("power", "Select a power in force that the meeting decided on")
	}
	if !meetingIsOption(powerOutcomes, cmd.Outcome) {
		probs.Add("outcome", "Select what became of the power")
	}
	reason := strings.TrimSpace(cmd.Reason)
	if reason == "" {
		probs.Add("reason", "Enter why the meeting decided this, so others can follow the reasoning later")
	}
	checkLength(&probs, "reason", "The reason", reason, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(EntityDisruptionRecorded{EntityID: e.ID, MeetingID: m.ID, Power: cmd.Power, Outcome: cmd.Outcome, Reason: reason})}, nil
}

// ChairsAMeetingOf reports whether the user chairs a multi-agency meeting of
// the case. Waymark records no separate chair: the social worker or manager
// who convened the meeting chairs it (§6.8).
func (c Case) ChairsAMeetingOf(userID string) bool {
	for _, m := range c.Meetings.Meetings {
		if userID != "" && m.ConvenedBy.UserID == userID {
			return true
		}
	}
	return false
}

// MaySeeRecurrence says whether the actor may see where the case's entities
// recur in other cases: the team's meeting chair, who shares the
// intelligence at the meeting, and the partnership lead working the case
// (§6.8). They see counts and references, never the other cases' contents.
func MaySeeRecurrence(c Case, a Actor) error {
	if a.Membership.Team() && (c.ChairsAMeetingOf(a.UserID) || a.Role == RolePartnershipLead) {
		return nil
	}
	return waymark.Errorf(waymark.EFORBIDDEN, "Only the chair of this case's multi-agency meeting and the partnership lead see where its entities appear in other cases (§6.8).")
}

// MaySeeNetwork says whether the actor may see the partnership's network of
// recurring entities and the cases they link: the partnership lead only
// (§6.8). It shows kinds, fingerprints and references, never values.
func MaySeeNetwork(a Actor) error {
	if a.Role == RolePartnershipLead {
		return nil
	}
	return waymark.Errorf(waymark.EFORBIDDEN, "Only the partnership lead sees the network of entities across cases (§6.8).")
}

// MaySeeEntities says whether the actor may see the case's entities: the team.
func MaySeeEntities(a Actor) error {
	if a.Membership.Team() {
		return nil
	}
	return waymark.Errorf(waymark.EFORBIDDEN, "Only the people working this case see its entities.")
}
