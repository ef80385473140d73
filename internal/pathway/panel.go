package pathway

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark"
	"waymark/internal/catalog"
)

// Local decision panels: Devolved Decision Making (issue 13). Since June
// 2021, in pilot sites a multi-agency panel of the partnership, not the Home
// Office's Single Competent Authority, makes the Reasonable Grounds and
// Conclusive Grounds decisions for children in scope ("Devolving child
// decision-making pilot programme: general guidance", v6.0). The NRM
// referral itself is still made as §8.2–8.7 say; only who decides changes,
// and the decisions keep the national clocks (nrm_commands.go).

// Who made a decision.
const (
	MakerSCA   = "sca"   // the Home Office's Single Competent Authority
	MakerIECA  = "ieca"  // the Immigration Enforcement Competent Authority
	MakerPanel = "panel" // the partnership's local decision panel (pilot sites)
)

// DDMScopeDays: a child is in the pilot's scope when their 18th birthday is
// more than this many days after the referral is submitted.
const DDMScopeDays = 100

// MakerLabel names who decided; a decision recorded before Waymark kept
// the maker ("") was the Single Competent Authority's.
func MakerLabel(maker, panelName string) string {
	switch maker {
	case MakerIECA:
		return "Immigration Enforcement Competent Authority"
	case MakerPanel:
		if panelName == "" {
			return "The local decision panel"
		}
		return panelName
	}
	return "Single Competent Authority"
}

// DecisionMakers lists who can have made a decision the Home Office sent.
func DecisionMakers() []struct{ Value, Text string } {
	return []struct{ Value, Text string }{{MakerSCA, MakerLabel(MakerSCA, "")}, {MakerIECA, MakerLabel(MakerIECA, "")}}
}

// DecisionRouting is who makes a referral's decisions, fixed when it is
// submitted, and why.
type DecisionRouting struct {
	Maker     string `json:"maker"`
	PanelName string `json:"panelName,omitempty"`
	Reason    string `json:"reason"`
}

// Label names who makes the decisions.
func (r DecisionRouting) Label() string { return MakerLabel(r.Maker, r.PanelName) }

// ByPanel reports whether the local panel makes the decisions.
func (r DecisionRouting) ByPanel() bool { return r.Maker == MakerPanel }

// SettingDDMPanelName is the name of the partnership's local decision panel
// as letters and decisions give it.
const SettingDDMPanelName SettingKey = "ddm_panel_name"

// RouteDecisions decides who makes the decisions on a child's NRM referral
// submitted at submittedAt: the partnership's panel when the partnership was
// a pilot site on that day and the child is in scope, the Single Competent
// Authority otherwise. A person whose age is uncertain goes to the Single
// Competent Authority, as the pilot guidance says; nothing else waits for
// the age (§7.4).
func RouteDecisions(c Case, settings DatedSettings, submittedAt time.Time) DecisionRouting {
	day := submittedAt.In(London).Format(time.DateOnly)
	pilot := settings.Setting(SettingDDMPilot)
	sca := func(reason string) DecisionRouting { return DecisionRouting{Maker: MakerSCA, Reason: reason} }
	if !pilot.YesOn(submittedAt) {
		return sca("The partnership was not a Devolved Decision Making pilot site on " + nrmDayLabel(day) + ", when the referral was submitted.")
	}
	ch := c.Concern.Child
	switch {
	case ch.AgeUncertain || ch.DateOfBirth == "":
		return sca("It is uncertain whether the person is a child (no confirmed date of birth), so the Single Competent Authority decides, not the pilot panel.")
	case c.Support.OpenAgeAssessment() != nil:
		return sca("An age assessment is open, so it is uncertain whether the person is a child: the Single Competent Authority decides, not the pilot panel.")
	}
	dob, err := time.ParseInLocation(time.DateOnly, ch.DateOfBirth, London)
	if err != nil {
		return sca("The date of birth could not be read, so the Single Competent Authority decides.")
	}
	eighteen := dob.AddDate(18, 0, 0)
	days := int(eighteen.Sub(nrmLondonDay(submittedAt)).Hours()/24 + 0.5)
	if days <= DDMScopeDays {
		return sca(fmt.Sprintf("The child turns 18 on %s, %d days after the referral was submitted: only children more than %d days from their 18th birthday are in the pilot's scope.",
			eighteen.Format("2 January 2006"), days, DDMScopeDays))
	}
	name := settings.Setting(SettingDDMPanelName).On(submittedAt)
	return DecisionRouting{Maker: MakerPanel, PanelName: name, Reason: fmt.Sprintf("The partnership has been a Devolved Decision Making pilot site since %s and the child is %d days from their 18th birthday, so the local panel decides.",
		nrmDayLabel(pilot.Since(submittedAt)), days)}
}

// DecisionRouting is who makes this referral's decisions. A referral
// submitted before Waymark routed decisions went to the Single Competent
// Authority, as every referral then did.
func (s NRMState) DecisionRouting() DecisionRouting {
	if s.Submission == nil {
		return DecisionRouting{}
	}
	if s.Submission.Routing != nil {
		return *s.Submission.Routing
	}
	return DecisionRouting{Maker: MakerSCA, Reason: "Submitted before Waymark recorded who decides: the Single Competent Authority."}
}

// MakerLabel names who made the decision.
func (d GroundsDecision) MakerLabel() string { return MakerLabel(d.Maker, d.PanelName) }

// The panel's seats. A decision needs each filled (the quorum).
const (
	PanelChair          = "chair"
	PanelLocalAuthority = "local-authority"
	PanelPolice         = "police"
	PanelHealth         = "health"
)

// PanelRoles are the seats in the order screens show them.
var PanelRoles = []struct{ Value, Text string }{
	{PanelChair, "Chair"},
	{PanelLocalAuthority, "Local authority"},
	{PanelPolice, "Police"},
	{PanelHealth, "Health"},
}

// PanelRoleLabel is a seat in words.
func PanelRoleLabel(r string) string {
	for _, x := range PanelRoles {
		if x.Value == r {
			return x.Text
		}
	}
	return r
}

// PanelSeat is one panel member present at a decision.
type PanelSeat struct {
	Party
	Role string `json:"role"`
}

// RoleLabel is the seat in words.
func (s PanelSeat) RoleLabel() string { return PanelRoleLabel(s.Role) }

// PanelQuorum: a panel decides only with its chair and a local authority,
// a police and a health member present, each a different person (the
// multi-agency make-up the pilot guidance sets; Waymark's rule is that all
// four seats are filled).
func PanelQuorum(present []PanelSeat) error {
	seen := map[string]bool{}
	people := map[string]string{}
	for _, s := range present {
		if other, ok := people[s.UserID]; ok && other != s.Role {
			return waymark.Invalid([]waymark.FieldError{{Field: "present", Message: s.Name + " can sit in only one seat at a decision: choose another member for the " + strings.ToLower(PanelRoleLabel(s.Role)) + " seat"}})
		}
		people[s.UserID] = s.Role
		seen[s.Role] = true
	}
	var missing []string
	for _, r := range PanelRoles {
		if !seen[r.Value] {
			missing = append(missing, strings.ToLower(r.Text))
		}
	}
	if len(missing) > 0 {
		return waymark.Invalid([]waymark.FieldError{{Field: "present", Message: "The panel is not quorate: it needs its chair and a local authority, a police and a health member present. Missing: " + strings.Join(missing, ", ")}})
	}
	return nil
}

// Thresholds, in Waymark's words, shown where the panel writes its reasons.
const (
	ThresholdReasonableGrounds = "Reasonable Grounds: is there enough to suspect, though not yet to prove, that the child is a victim of modern slavery? A suspicion founded on the evidence is enough; proof is not needed at this stage."
	ThresholdConclusiveGrounds = "Conclusive Grounds: on the balance of probabilities, is it more likely than not that the child is a victim of modern slavery?"
)

// Threshold is the test a decision on grounds applies.
func Threshold(grounds string) string {
	if grounds == ConclusiveGrounds {
		return ThresholdConclusiveGrounds
	}
	return ThresholdReasonableGrounds
}

// versions records the guidance and form in force on the day of a decision.
func versions(d *NRMDecisionRecorded, day string, panel bool) { d.DecisionMaking.versions(day, panel) }

func (d *DecisionMaking) versions(day string, panel bool) {
	g, err := catalog.Guidance()
	if err != nil {
		return
	}
	d.GuidanceVersion = catalog.InForce(g.StatutoryGuidance, day).Label()
	d.FormVersion = catalog.InForce(g.ReferralForm, day).Label()
	if panel {
		d.PilotGuidanceVersion = catalog.InForce(g.DDMGuidance, day).Label()
	}
}

// RecordPanelDecision is the local panel's Reasonable or Conclusive Grounds
// decision on a referral routed to it, with its written reasons against the
// threshold and the members present. The use case fills Present from the
// partnership's panel and PanelName from its settings.
type RecordPanelDecision struct {
	Grounds   string      `json:"grounds"`
	Outcome   string      `json:"outcome"`
	DecidedOn string      `json:"decidedOn"` // YYYY-MM-DD
	Reasons   string      `json:"reasons"`
	Present   []PanelSeat `json:"-"`
}

// RecordPanelReconsideration is the panel's answer to a request that it
// look again at its negative decision (§8.9: in a pilot site the panel
// reconsiders its own decisions).
type RecordPanelReconsideration struct {
	Outcome   string      `json:"outcome"` // ReconsiderationUpheld or ReconsiderationOverturned
	DecidedOn string      `json:"decidedOn"`
	Reasons   string      `json:"reasons"`
	Present   []PanelSeat `json:"-"`
}

func (RecordPanelDecision) commandName() string        { return "record panel decision" }
func (RecordPanelReconsideration) commandName() string { return "record panel reconsideration" }

// routedToThePanel: only a referral the panel decides gets its decisions.
func routedToThePanel(c Case) error {
	if err := nrmSubmittedFirst(c, "a panel decision"); err != nil {
		return err
	}
	if r := c.NRM.DecisionRouting(); !r.ByPanel() {
		return waymark.Errorf(waymark.EFORBIDDEN, "This referral's decisions are made by the %s, not the local panel: %s", r.Label(), r.Reason)
	}
	return nil
}

// theHomeOfficeDecidesOnlyWhatItWasSent: on a referral routed to the local
// panel, the Home Office's answers are not recorded as its decisions.
func theHomeOfficeDecidesOnlyWhatItWasSent(c Case) error {
	if r := c.NRM.DecisionRouting(); c.NRM.Submission != nil && r.ByPanel() {
		return waymark.Errorf(waymark.EINVALID, "This referral's decisions are made by %s (Devolved Decision Making pilot): the panel records them, and answers any reconsideration.", r.Label())
	}
	return nil
}

func (cmd RecordPanelDecision) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := notClosed(c); err != nil {
		return err
	}
	if err := routedToThePanel(c); err != nil {
		return err
	}
	switch cmd.Grounds {
	case ReasonableGrounds:
		if rg := c.NRM.ReasonableGrounds; rg != nil {
			return waymark.Errorf(waymark.ECONFLICT, "The panel already made the Reasonable Grounds decision (%s, %s). To change a negative decision, the panel answers a reconsideration.", rg.Outcome, rg.DecidedOnLabel())
		}
	case ConclusiveGrounds:
		if err := conclusiveGroundsFollowsAPositiveReasonableGrounds(c.NRM.ReasonableGrounds); err != nil {
			return err
		}
		if cg := c.NRM.ConclusiveGrounds; cg != nil {
			return waymark.Errorf(waymark.ECONFLICT, "The panel already made the Conclusive Grounds decision (%s, %s).", cg.Outcome, cg.DecidedOnLabel())
		}
	}
	if open := c.NRM.OpenReconsideration(); open != nil {
		return waymark.Errorf(waymark.ECONFLICT, "A reconsideration of the %s decision is waiting: the panel answers it first.", GroundsLabel(open.Grounds))
	}
	return nil
}

func (cmd RecordPanelDecision) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	outcome := strings.TrimSpace(cmd.Outcome)
	reasons := strings.TrimSpace(cmd.Reasons)
	var probs waymark.Problems
	if cmd.Grounds != ReasonableGrounds && cmd.Grounds != ConclusiveGrounds {
		probs.Add("grounds", "Select the decision the panel is making")
	}
	validDecisionOutcome(&probs, outcome)
	notBefore, notBeforeWhat := nrmLondonDay(c.NRM.Submission.SubmittedAt), "the NRM submission"
	var rgDay time.Time
	if cmd.Grounds == ConclusiveGrounds {
		rgDay, _ = time.ParseInLocation(time.DateOnly, c.NRM.ReasonableGrounds.DecidedOn, London)
		notBefore, notBeforeWhat = rgDay, "the positive Reasonable Grounds decision"
	}
	day, ok := nrmDay(&probs, "decidedOn", "the date of the decision", cmd.DecidedOn, now, notBefore, notBeforeWhat)
	if ok && cmd.Grounds == ConclusiveGrounds {
		conclusiveGroundsWaitsForTheMinimumPeriod(&probs, c.NRM, rgDay, day)
	}
	panelGivesReasons(&probs, reasons, cmd.Grounds)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	if err := PanelQuorum(cmd.Present); err != nil {
		return nil, err
	}
	r := c.NRM.DecisionRouting()
	data := NRMDecisionRecorded{Grounds: cmd.Grounds, Outcome: outcome, DecidedOn: day.Format(time.DateOnly),
		DecisionMaking: DecisionMaking{Maker: MakerPanel, PanelName: r.PanelName, Reasons: reasons, Present: slices.Clone(cmd.Present)}}
	versions(&data, data.DecidedOn, true)
	var changes []ClockChange
	switch cmd.Grounds {
	case ReasonableGrounds:
		if cl, ok := c.RunningClock(ClockNRMReasonableGrounds); ok {
			stop := day
			if stop.Before(cl.StartedAt) {
				stop = cl.StartedAt
			}
			changes = append(changes, stopClock(cl.ID, stop))
		}
		if outcome == DecisionPositive {
			earliest, window := p.earliestConclusiveGrounds(c, day, c.NRM.Submission.LeadOrgID)
			data.EarliestConclusiveGrounds = earliest.Format(time.DateOnly)
			changes = append(changes, window)
		}
	case ConclusiveGrounds:
		if cl, ok := c.RunningClock(ClockNRMEarliestConclusiveGrounds); ok {
			changes = append(changes, stopClock(cl.ID, cl.DueAt))
		}
	}
	return []Event{newEvent(data, changes...)}, nil
}

// panelGivesReasons: a panel decision says why, against the threshold.
func panelGivesReasons(probs *waymark.Problems, reasons, grounds string) {
	if len([]rune(reasons)) < 20 {
		probs.Add("reasons", "Write the panel's reasons: how the evidence meets, or does not meet, the threshold. %s", Threshold(grounds))
	}
	checkLength(probs, "reasons", "The reasons", reasons, MaxNarrative)
}

func (cmd RecordPanelReconsideration) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := notClosed(c); err != nil {
		return err
	}
	if err := routedToThePanel(c); err != nil {
		return err
	}
	if c.NRM.OpenReconsideration() == nil {
		return waymark.Errorf(waymark.EINVALID, "No reconsideration is waiting for the panel. One is asked for after a negative decision (§8.9).")
	}
	return nil
}

func (cmd RecordPanelReconsideration) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	open := c.NRM.OpenReconsideration()
	outcome := strings.TrimSpace(cmd.Outcome)
	reasons := strings.TrimSpace(cmd.Reasons)
	var probs waymark.Problems
	if outcome != ReconsiderationUpheld && outcome != ReconsiderationOverturned {
		probs.Add("outcome", "Select whether the panel upholds or overturns its %s decision", GroundsLabel(open.Grounds))
	}
	day, _ := nrmDay(&probs, "decidedOn", "the date of the panel's answer", cmd.DecidedOn, now, nrmLondonDay(open.RequestedAt), "the request")
	panelGivesReasons(&probs, reasons, open.Grounds)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	if err := PanelQuorum(cmd.Present); err != nil {
		return nil, err
	}
	r := c.NRM.DecisionRouting()
	data := NRMReconsiderationOutcome{Request: open.Seq, Grounds: open.Grounds, Outcome: outcome, DecidedOn: day.Format(time.DateOnly),
		DecisionMaking: DecisionMaking{Maker: MakerPanel, PanelName: r.PanelName, Reasons: reasons, Present: slices.Clone(cmd.Present)}}
	data.versions(data.DecidedOn, true)
	var changes []ClockChange
	if outcome == ReconsiderationOverturned && open.Grounds == ReasonableGrounds {
		earliest, window := p.earliestConclusiveGrounds(c, day, c.NRM.Submission.LeadOrgID)
		data.EarliestConclusiveGrounds = earliest.Format(time.DateOnly)
		changes = append(changes, window)
	}
	return []Event{newEvent(data, changes...)}, nil
}

// homeOfficeMaker reads who at the Home Office made a decision: the Single
// Competent Authority unless the letter came from the Immigration
// Enforcement Competent Authority.
func homeOfficeMaker(probs *waymark.Problems, maker string) string {
	switch maker = strings.TrimSpace(maker); maker {
	case "", MakerSCA:
		return MakerSCA
	case MakerIECA:
		return MakerIECA
	}
	probs.Add("maker", "Select who made the decision: the Single Competent Authority or the Immigration Enforcement Competent Authority")
	return ""
}

// clone copies the slices, so that a fold never shares them.
func (d DecisionMaking) clone() DecisionMaking {
	d.Present = slices.Clone(d.Present)
	return d
}
