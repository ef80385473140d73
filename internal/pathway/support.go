package pathway

import (
	"slices"
	"strings"
	"time"

	"waymark"
)

// Support and justice, children from abroad, age assessment and placements
// (§6.9–6.12, §7.1–7.7, §8.3). The commands live in support_*.go, one file
// per part: justice and support, from abroad, placement, age.

// SupportState is what has been arranged around the child after the concern.
type SupportState struct {
	Items             []SupportItem                `json:"items"`
	Abroad            *AbroadDetails               `json:"abroad,omitempty"`
	RepatriationRisk  []RepatriationRiskAssessment `json:"repatriationRisk"`
	Tracing           []FamilyTracing              `json:"tracing"`
	CarePlans         []CarePlan                   `json:"carePlans"`
	UKVI              []UKVIReferral               `json:"ukvi"`
	Placements        []Placement                  `json:"placements"`
	WhereaboutsAccess []WhereaboutsGrant           `json:"whereaboutsAccess"`
	AgeAssessments    []AgeAssessment              `json:"ageAssessments"`
	// Justice is the child in the criminal justice system (support_criminal.go, §6.9–6.11, §8.10).
	Justice       JusticeState  `json:"justice"`
	AbroadRecords AbroadRecords `json:"abroadRecords"` // support_abroad_records.go
	Voice         ChildVoice    `json:"voice"`         // support_voice.go
}

// Support makes nobody a member: every person it names (a grantee of the
// whereabouts) must already have need to know (§6.5).
func (s *SupportState) members(c *Case) []Member { return nil }

func (s *SupportState) flags(c *Case, now time.Time, f *Flags) {
	if p := s.CurrentPlacement(); p != nil {
		f.WhereaboutsConfidential = p.WhereaboutsConfidential
	}
	// §4.3: the window of the latest placement of a child from abroad; a later
	// placement stops it, and readers compare the time with their own now.
	for _, cl := range c.Clocks {
		if cl.Kind == ClockPlacementMissingRisk && cl.Running() && cl.DueAt.After(f.HighMissingRiskUntil) {
			f.HighMissingRiskUntil = cl.DueAt
		}
	}
}

// CurrentPlacement is the latest placement, if any.
func (s SupportState) CurrentPlacement() *Placement {
	if len(s.Placements) == 0 {
		return nil
	}
	return &s.Placements[len(s.Placements)-1]
}

// CarePlan is the care plan agreed most recently, if any (§7.2).
func (s SupportState) CarePlan() *CarePlan {
	if len(s.CarePlans) == 0 {
		return nil
	}
	return &s.CarePlans[len(s.CarePlans)-1]
}

// HasWhereaboutsAccess reports whether the user was explicitly given access
// to the child's whereabouts (§7.6).
func (s SupportState) HasWhereaboutsAccess(userID string) bool {
	return userID != "" && slices.ContainsFunc(s.WhereaboutsAccess, func(g WhereaboutsGrant) bool { return g.User.UserID == userID })
}

// anyConfidentialPlacement: once a placement's whereabouts were confidential,
// its address stays hidden even after the child moves on (§7.6).
func (s SupportState) anyConfidentialPlacement() bool {
	return slices.ContainsFunc(s.Placements, func(p Placement) bool { return p.WhereaboutsConfidential })
}

// Redacted is the case as the viewer may see it: where the child's
// whereabouts are confidential, every confidential placement's address is
// blanked unless the viewer holds an explicit grant (§6.5, §7.6). Every view
// of a case goes through it; it never writes through the original's slices.
func (c Case) Redacted(viewerUserID string) Case {
	if !c.Support.anyConfidentialPlacement() || c.Support.HasWhereaboutsAccess(viewerUserID) {
		return c
	}
	// support_abroad_records.go: the police log may name where the child
	// lives; it is read against the addresses before they are blanked.
	police := redactedPoliceSharing(c, c.Support.AbroadRecords.PoliceSharing)
	ps := slices.Clone(c.Support.Placements)
	for i := range ps {
		if ps[i].WhereaboutsConfidential {
			ps[i].Address, ps[i].AddressWithheld = "", true
		}
	}
	c.Support.Placements = ps
	c.Places = c.Places.redactedWhereNow() // places.go
	c.Support.AbroadRecords.PoliceSharing = police
	return c
}

// Redacted is the event as a viewer of c may see it: a confidential
// placement's address is blanked unless the viewer holds a grant (§7.6).
// Summaries never hold an address; this protects the event's data too.
func (e Event) Redacted(c Case, viewerUserID string) Event {
	if c.Support.anyConfidentialPlacement() && !c.Support.HasWhereaboutsAccess(viewerUserID) {
		e = redactedWhereNowEvent(e) // places.go
		// support_abroad_records.go
		e = redactedPoliceSharingEvent(c, e)
	}
	d, ok := e.Data.(PlacementStarted)
	if !ok || !d.Placement.WhereaboutsConfidential || c.Support.HasWhereaboutsAccess(viewerUserID) {
		return e
	}
	d.Placement.Address, d.Placement.AddressWithheld = "", true
	e.Data = d
	return e
}

// supportOnTheTeam: support is recorded by those who work the case, not by a
// referrer or a meeting invitee, who see only what is theirs to know (§6.5).
func supportOnTheTeam(c Case, a Actor) bool {
	var m Membership
	for _, mem := range Members(c) {
		if mem.Covers(a.UserID, a.OrgID) {
			m.Roles = append(m.Roles, mem.Role)
		}
	}
	return m.Team()
}

func teamRecordsSupport(c Case, a Actor) error {
	if !supportOnTheTeam(c, a) {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only the team working this case can record support. Tell the social worker what you know, or add a case note.")
	}
	return nil
}

// childrensServicesDecides: care plans, placements, the details of a child
// from abroad and age assessments are the local authority's (§7.1–7.4).
func childrensServicesDecides(a Actor, what string) error {
	if !a.InChildrensServices {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only Children's Services can record %s. Tell the child's social worker what you know, or add a case note.", what)
	}
	return nil
}

// socialWorkerOrManager: who may see the child's whereabouts is decided by the
// social worker or their manager in Children's Services (§6.5, §7.6).
func socialWorkerOrManager(a Actor) error {
	if !a.InChildrensServices || (a.Role != RoleSocialWorker && a.Role != RoleManager) {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only the child's social worker or a manager in Children's Services can decide who sees the child's whereabouts. Ask them.")
	}
	return nil
}

// supportDay reads a "YYYY-MM-DD" answer: the zero time when empty, and an
// error when it is not a real date.
func supportDay(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	d, err := time.ParseInLocation("2006-01-02", s, London)
	return d, err == nil
}

// supportPastDay checks a required date answer that cannot be in the future.
func supportPastDay(probs *waymark.Problems, field, what, value string, now time.Time) time.Time {
	d, ok := supportDay(value)
	switch {
	case !ok:
		probs.Add(field, "%s must be a real date, like 2026-03-27", supportUpperFirst(what))
	case d.IsZero():
		probs.Add(field, "Enter %s", what)
	case d.After(now.In(London)):
		probs.Add(field, "%s cannot be in the future", supportUpperFirst(what))
	}
	return d
}

func supportUpperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// supportLabel is the text of value in opts; an unknown value comes back unchanged.
func supportLabel(opts []struct{ Value, Text string }, value string) string {
	for _, o := range opts {
		if o.Value == value {
			return o.Text
		}
	}
	return value
}

func supportValid(opts []struct{ Value, Text string }, value string) bool {
	return slices.ContainsFunc(opts, func(o struct{ Value, Text string }) bool { return o.Value == value })
}

// supportHappenedBy checks a required moment that cannot be in the future.
func supportHappenedBy(probs *waymark.Problems, field, what string, t, now time.Time) {
	switch {
	case t.IsZero():
		probs.Add(field, "Enter %s", what)
	case t.After(now):
		probs.Add(field, "%s cannot be in the future", supportUpperFirst(what))
	}
}
