package pathway

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"waymark"
)

// Contributions to the NRM referral (§8.5, annex): agencies that are not
// First Responders give what they know to the lead First Responder, who
// writes the referral. The person who raised the concern and the invitees of
// a multi-agency meeting each give it in their own words, by the question it
// answers; the team then uses it in the draft, as given or edited. A
// contribution is never changed once given: its giver adds another.

// ContributionTopic is one thing a contributor can tell the lead First
// Responder, with the Home Office form's questions it helps to answer.
type ContributionTopic struct {
	ID       string
	Question string   // as the contributor is asked it
	Hint     string   // what helps the referral most
	Fields   []string // the referral form's fields it is for (nrm form ids), the first the usual one
}

// NRMContributionTopics are the questions a contributor is asked, in the
// order the Home Office form asks them (§8.5, §8.7).
func NRMContributionTopics() []ContributionTopic {
	return []ContributionTopic{
		{ID: "what-you-saw", Question: "What you saw or heard that worried you, and when",
			Hint:   "The signs themselves, with dates and places where you know them.",
			Fields: []string{"modern-slavery-indicators-details", "when-did-the-exploitation-take-place"}},
		{ID: "how-the-child-presented", Question: "How the child presented and what they said",
			Hint:   "Their words where you remember them, and how they seemed.",
			Fields: []string{"professional-insight", "where-how-interview-carried-out"}},
		{ID: "how-it-started", Question: "How you think the exploitation started",
			Fields: []string{"how-did-the-exploitation-start"}},
		{ID: "what-they-were-made-to-do", Question: "What the child was made to do",
			Fields: []string{"what-were-they-required-to-do"}},
		{ID: "journeys", Question: "Journeys the child was taken on",
			Hint:   "Where from and to, when, and who took them.",
			Fields: []string{"were-they-taken-somewhere-by-their-exploiter-journey-details"}},
		{ID: "living-conditions", Question: "Where and how the child was living",
			Fields: []string{"living-conditions"}},
		{ID: "treatment", Question: "How the exploiters treated the child",
			Hint:   "Threats, debts, violence, what was taken from them.",
			Fields: []string{"how-they-were-treated", "what-is-keeping-them-in-situation"}},
		{ID: "exploiters", Question: "Who the exploiters are and where they are",
			Hint:   "Names, nicknames, descriptions, vehicles, addresses, even if old.",
			Fields: []string{"who-exploited-pv", "exploiters-current-location-details"}},
		{ID: "other-victims", Question: "Other children or adults who may be exploited",
			Fields: []string{"other-potential-victims-yes-details"}},
		{ID: "family-and-education", Question: "The child's family and education",
			Fields: []string{"family", "education"}},
		{ID: "others-involved", Question: "What your agency and others have done",
			Hint:   "Referrals made, actions taken, crime or CAD references.",
			Fields: []string{"are-others-involved-details"}},
		{ID: "risk", Question: "Why you think the child may be exploited again",
			Fields: []string{"future-exploitation-reasons"}},
	}
}

// NRMContributionTopic is the topic with id, if there is one.
func NRMContributionTopic(id string) (ContributionTopic, bool) {
	topics := NRMContributionTopics()
	i := slices.IndexFunc(topics, func(t ContributionTopic) bool { return t.ID == id })
	if i < 0 {
		return ContributionTopic{}, false
	}
	return topics[i], true
}

// NRMContribution is what one contributor told the lead First Responder.
type NRMContribution struct {
	Seq   int       `json:"seq"` // its entry in the case's log, the contribution's id; 0 on an outsider's view
	Topic string    `json:"topic"`
	Text  string    `json:"text"`
	By    Party     `json:"by"`
	At    time.Time `json:"at"`
	// Uses are where the team put it in the draft, oldest first; never on
	// an outsider's view.
	Uses []ContributionUse `json:"uses,omitempty"`
	// AfterSubmission: it arrived once the referral was sent, so it is for
	// the Home Office as further information (§8.7), not for the draft;
	// never on an outsider's view.
	AfterSubmission bool `json:"afterSubmission,omitempty"`
}

// ContributionUse is the team's use of a contribution in the NRM draft.
type ContributionUse struct {
	Field        string    `json:"field"`
	FieldVersion int       `json:"fieldVersion"` // the draft's version of the field that holds it
	Edited       bool      `json:"edited"`
	By           Party     `json:"by"`
	At           time.Time `json:"at"`
}

// TopicQuestion is the contribution's question in words.
func (c NRMContribution) TopicQuestion() string {
	if t, ok := NRMContributionTopic(c.Topic); ok {
		return t.Question
	}
	return c.Topic
}

// Used reports whether the team has used the contribution in the draft.
func (c NRMContribution) Used() bool { return len(c.Uses) > 0 }

// Contribution is the contribution given as entry seq, if there is one.
func (s NRMState) Contribution(seq int) (NRMContribution, bool) {
	i := slices.IndexFunc(s.Contributions, func(c NRMContribution) bool { return c.Seq == seq })
	if i < 0 {
		return NRMContribution{}, false
	}
	return s.Contributions[i], true
}

// ContributionsFor are the contributions that concern the form's field.
func (s NRMState) ContributionsFor(field string) []NRMContribution {
	var out []NRMContribution
	for _, c := range s.Contributions {
		if t, ok := NRMContributionTopic(c.Topic); ok && slices.Contains(t.Fields, field) {
			out = append(out, c)
		}
	}
	return out
}

// contributionsBy are userID's own contributions as they may see them: what
// they said and when, not what the team did with it (§6.5).
func (s NRMState) contributionsBy(userID string) []NRMContribution {
	var out []NRMContribution
	for _, c := range s.Contributions {
		if userID != "" && c.By.UserID == userID {
			c.Seq, c.Uses, c.AfterSubmission = 0, nil, false
			out = append(out, c)
		}
	}
	return out
}

// ContributeToNRM gives the lead First Responder information for the NRM
// referral, in the contributor's own words (§8.5, annex).
type ContributeToNRM struct {
	Topic string `json:"topic"`
	Text  string `json:"text"`
}

// UseNRMContribution records that the team put a contribution into the NRM
// draft's field, as given or edited (§8.5). The use case saves the field's
// new version in the draft and names it here.
type UseNRMContribution struct {
	Contribution int    `json:"contribution"` // the contribution's seq
	Field        string `json:"field"`
	Edited       bool   `json:"edited"`
	// FieldVersion is the draft's new version of the field, filled by the use case.
	FieldVersion int `json:"-"`
}

func (ContributeToNRM) commandName() string    { return "contribute to nrm referral" }
func (UseNRMContribution) commandName() string { return "use nrm contribution" }

// onlyThoseOutsideTheTeamContribute: the team writes the draft itself; the
// person who raised the concern and meeting invitees give their part to the
// lead First Responder (§8.5, annex).
func onlyThoseOutsideTheTeamContribute(c Case, a Actor) error {
	if a.Membership.Team() {
		return waymark.Errorf(waymark.EFORBIDDEN, "You work on this case, so write what you know in the NRM draft itself, or add a case note. Contributions are for the person who raised the concern and meeting invitees (§8.5).")
	}
	if a.UserID == "" || (c.Referrer.UserID != a.UserID && !c.Meetings.invites(a.UserID)) {
		return notOffered()
	}
	return nil
}

// invites reports whether userID is invited to one of the case's meetings.
func (s MeetingState) invites(userID string) bool {
	return slices.ContainsFunc(s.Meetings, func(m Meeting) bool { return slices.Contains(meetingPartyIDs(m.Invitees), userID) })
}

// guard says who may give ContributeToNRM and whether the case allows it
// now. The submission is the team's to know (§6.5), so it does not close
// contributions to those outside the team: what arrives after it is kept
// apart, for the team to send as further information (§8.7), and never
// goes into the draft (UseNRMContribution).
func (ContributeToNRM) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := onlyThoseOutsideTheTeamContribute(c, a); err != nil {
		return err
	}
	return notClosed(c)
}

func (cmd ContributeToNRM) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	text := strings.TrimSpace(cmd.Text)
	var probs waymark.Problems
	if _, ok := NRMContributionTopic(cmd.Topic); !ok {
		probs.Add("topic", "Select what your information is about")
	}
	if text == "" {
		probs.Add("text", "Write what you know, in your own words")
	}
	checkLength(&probs, "text", "What you know", text, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(NRMContributionGiven{Topic: cmd.Topic, Text: text})}, nil
}

// guard says whether the case allows UseNRMContribution now: before the
// referral is sent, once something has been contributed. It is the team's
// to give, who can open the draft (MayGive keeps everyone else out).
func (UseNRMContribution) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := notClosed(c); err != nil {
		return err
	}
	if c.NRM.Submitted() {
		return waymark.Errorf(waymark.ECONFLICT, "The NRM referral has been sent, so its draft takes no more contributions. Send what is new to the Home Office as further information, and record it (§8.7).")
	}
	if len(c.NRM.Contributions) == 0 {
		return waymark.Errorf(waymark.EINVALID, "No one has contributed to the NRM referral yet. The person who raised the concern and meeting invitees can give their information from their view of the case (§8.5).")
	}
	return nil
}

func (cmd UseNRMContribution) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	given, ok := c.NRM.Contribution(cmd.Contribution)
	switch {
	case cmd.Contribution == 0:
		probs.Add("contribution", "Select the contribution to use")
	case !ok:
		probs.Add("contribution", "There is no such contribution on this case")
	}
	if ok {
		t, _ := NRMContributionTopic(given.Topic)
		if !slices.Contains(t.Fields, cmd.Field) {
			probs.Add("field", "Select one of the draft's questions this contribution is for")
		}
	} else if cmd.Field == "" {
		probs.Add("field", "Select the draft's question to use it for")
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(NRMContributionUsed{Contribution: cmd.Contribution, Field: cmd.Field, FieldVersion: cmd.FieldVersion, Edited: cmd.Edited})}, nil
}

// Event types of contributions to the NRM referral.
const (
	EventNRMContributionGiven = "nrm_contribution_given"
	EventNRMContributionUsed  = "nrm_contribution_used"
)

// contributionEvents lists the event types of contributions.
func contributionEvents() []eventDecoder {
	return []eventDecoder{
		decoderOf[NRMContributionGiven](),
		decoderOf[NRMContributionUsed](),
	}
}

// NRMContributionGiven is information given for the NRM referral by someone
// outside the team (§8.5). Its giver sees it on their timeline (VisibleTo).
type NRMContributionGiven struct {
	Topic string `json:"topic"`
	Text  string `json:"text"`
}

// NRMContributionUsed is the team's use of a contribution in the draft.
type NRMContributionUsed struct {
	Contribution int    `json:"contribution"`
	Field        string `json:"field"`
	FieldVersion int    `json:"fieldVersion"`
	Edited       bool   `json:"edited"`
}

func (NRMContributionGiven) eventType() string { return EventNRMContributionGiven }
func (NRMContributionUsed) eventType() string  { return EventNRMContributionUsed }

func (d NRMContributionGiven) apply(c *Case, e Event) {
	c.NRM.Contributions = append(slices.Clone(c.NRM.Contributions),
		NRMContribution{Seq: e.Seq, Topic: d.Topic, Text: d.Text, By: e.Actor, At: e.At, AfterSubmission: c.NRM.Submitted()})
}

func (d NRMContributionUsed) apply(c *Case, e Event) {
	c.NRM.Contributions = slices.Clone(c.NRM.Contributions)
	for i := range c.NRM.Contributions {
		if k := &c.NRM.Contributions[i]; k.Seq == d.Contribution {
			k.Uses = append(slices.Clone(k.Uses), ContributionUse{Field: d.Field, FieldVersion: d.FieldVersion, Edited: d.Edited, By: e.Actor, At: e.At})
		}
	}
}

func (d NRMContributionGiven) summary(e Event) string {
	return "Information for the NRM referral from " + e.Actor.Name + " (" + e.Actor.OrgName + "): " +
		NRMContribution{Topic: d.Topic}.TopicQuestion()
}

func (d NRMContributionUsed) summary(e Event) string {
	how := "as given"
	if d.Edited {
		how = "edited"
	}
	return "Contribution (entry " + strconv.Itoa(d.Contribution) + ") used in the NRM draft, " + how
}

// contributionTopicChoices are the topics as a closed list of answers.
func contributionTopicChoices() []struct{ Value, Text string } {
	var out []struct{ Value, Text string }
	for _, t := range NRMContributionTopics() {
		out = append(out, struct{ Value, Text string }{t.ID, t.Question})
	}
	return out
}

// Topics are the questions a contributor is asked, for pages built from the case.
func (NRMState) Topics() []ContributionTopic { return NRMContributionTopics() }
