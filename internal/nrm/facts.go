package nrm

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark/internal/catalog"
	"waymark/internal/pathway"
)

// facts is what the case holds, read once and arranged the way the form asks
// for it. Proposals read facts; nothing here writes to the case.
type facts struct {
	c      pathway.Case
	cat    *catalog.Catalog
	now    time.Time // London
	age    int       // years; -1 when nothing says
	groups map[string]catalog.IndicatorGroup

	indicators []observed
	types      []catalog.ExploitationType

	drafter *pathway.Actor // who is signed in and drafting, when known
	ctx     Context        // what the assembler knows beyond the case
}

// observed is an indicator recorded on the concern, as the catalogue names it.
type observed struct {
	ID, Label, Section, Group, GroupLabel, Evidence string
}

func newFacts(c pathway.Case, cat *catalog.Catalog, now time.Time) *facts {
	f := &facts{c: c, cat: cat, now: now.In(pathway.London), age: -1, groups: map[string]catalog.IndicatorGroup{}}
	for _, g := range cat.IndicatorGroups {
		f.groups[g.ID] = g
	}
	for _, o := range c.Concern.Indicators {
		ob := observed{ID: o.ID, Label: o.ID, Evidence: strings.TrimSpace(o.Evidence)}
		if in, ok := cat.Indicator(o.ID); ok {
			ob.Label, ob.Section, ob.Group, ob.GroupLabel = in.Label, in.Section, in.Group, f.groups[in.Group].Label
		}
		f.indicators = append(f.indicators, ob)
	}
	for _, t := range c.Concern.ExploitationTypes {
		if et, ok := cat.ExploitationType(t); ok {
			f.types = append(f.types, et)
		}
	}
	f.age = f.ageNow()
	return f
}

// dateOfBirth is the assessed date of birth when an age assessment gave one,
// else the one recorded with the concern (§7.4).
func (f *facts) dateOfBirth() string {
	if a := f.completedAgeAssessment(); a != nil && a.AssessedDateOfBirth != "" {
		return a.AssessedDateOfBirth
	}
	return f.c.Concern.Child.DateOfBirth
}

func (f *facts) ageNow() int {
	if dob, err := time.ParseInLocation("2006-01-02", f.dateOfBirth(), pathway.London); err == nil {
		return pathway.AgeOn(dob, f.now)
	}
	if a := f.completedAgeAssessment(); a != nil && a.AssessedAge > 0 {
		return a.AssessedAge
	}
	if f.c.Concern.Child.EstimatedAge > 0 {
		return f.c.Concern.Child.EstimatedAge
	}
	return -1
}

func (f *facts) completedAgeAssessment() *pathway.AgeAssessment {
	as := f.c.Support.AgeAssessments
	for i := len(as) - 1; i >= 0; i-- {
		if as[i].Completed {
			return &as[i]
		}
	}
	return nil
}

func (f *facts) openAgeAssessment() *pathway.AgeAssessment {
	for i, a := range f.c.Support.AgeAssessments {
		if !a.Completed {
			return &f.c.Support.AgeAssessments[i]
		}
	}
	return nil
}

// ageWords is "aged 15", or "of unknown age".
func (f *facts) ageWords() string {
	if f.age < 0 {
		return "of unknown age"
	}
	s := fmt.Sprintf("aged %d", f.age)
	if f.c.Concern.Child.DateOfBirth == "" && f.completedAgeAssessment() == nil {
		s = fmt.Sprintf("thought to be about %d", f.age)
	}
	return s
}

// in returns the observed indicators with the given ids or group ids, in the
// order they were recorded.
func (f *facts) in(idsOrGroups ...string) []observed {
	var out []observed
	for _, o := range f.indicators {
		if slices.Contains(idsOrGroups, o.ID) || slices.Contains(idsOrGroups, o.Group) {
			out = append(out, o)
		}
	}
	return out
}

// evidenceLines writes each indicator as "Label: evidence".
func evidenceLines(obs []observed) []string {
	var out []string
	for _, o := range obs {
		if o.Evidence == "" {
			out = append(out, o.Label+": "+evidenceNeeded)
			continue
		}
		out = append(out, o.Label+": "+sentence(o.Evidence))
	}
	return out
}

// evidenceNeeded marks an indicator recorded without what was seen; Check
// reports every line that still carries it (§8.8(2)).
const evidenceNeeded = "EVIDENCE NEEDED - say what was seen or heard, when, where and by whom."

func (f *facts) linked(relationships ...string) []pathway.LinkedPerson {
	var out []pathway.LinkedPerson
	for _, p := range f.c.Strategy.LinkedPeople {
		if slices.Contains(relationships, p.Relationship) {
			out = append(out, p)
		}
	}
	return out
}

// childrensServicesWorker is the first worker assigned from Children's
// Services (the social worker), else who recorded the contact.
func (f *facts) childrensServicesWorker() (pathway.Party, string) {
	for _, w := range f.c.Workers {
		if w.OrgID == f.c.ChildrensServicesOrg {
			return w, "the worker Children's Services assigned to the case"
		}
	}
	if f.c.Contact != nil {
		return f.c.Contact.By, "who recorded the contact for Children's Services"
	}
	return pathway.Party{}, ""
}

func (f *facts) statisticsGroups() []string {
	var out []string
	for _, t := range f.types {
		if !slices.Contains(out, t.StatisticsGroup) {
			out = append(out, t.StatisticsGroup)
		}
	}
	return out
}

func (f *facts) typeLabels() []string {
	var out []string
	for _, t := range f.types {
		out = append(out, t.Label)
	}
	return out
}

// fromAbroad: the case records the child as from abroad, or an indicator
// says they were brought from another country (§5.3, §7).
func (f *facts) fromAbroad() bool {
	return f.c.Support.Abroad != nil || len(f.in("abroad.brought-from-another-country", "abroad.entered-illegally", "abroad-port-of-entry")) > 0
}

// missingEpisodes writes each missing episode with its dates and place found.
func (f *facts) missingEpisodes(since time.Time) []string {
	var out []string
	for _, m := range f.c.Safety.Missing {
		if m.StartedAt.Before(since) {
			continue
		}
		s := "Missing from " + when(m.StartedAt)
		if m.EndedAt != nil {
			s += " until " + when(*m.EndedAt) + "."
			if m.WhereFound != "" {
				s += " Where found: " + sentence(m.WhereFound)
			}
		} else {
			s += ", and still missing."
		}
		if m.Circumstances != "" {
			s += " How they went: " + sentence(lowerFirst(m.Circumstances))
		}
		if m.PoliceReference != "" {
			s += " Police reference " + m.PoliceReference + "."
		}
		out = append(out, s)
	}
	return out
}

// The helpers below write plain text the form keeps as it is: full
// sentences, "-" bullets, no brackets, pipes or angle brackets (NRM-FORM §2).

func day(t time.Time) string { return t.In(pathway.London).Format("2 January 2006") }

func when(t time.Time) string { return t.In(pathway.London).Format("2 January 2006 at 3:04pm") }

// dayOf turns YYYY-MM-DD into "2 January 2006"; anything else comes back as it is.
func dayOf(s string) string {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Format("2 January 2006")
	}
	return s
}

func bullets(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("- ")
		b.WriteString(l)
	}
	return b.String()
}

// paragraphs joins the non-empty parts with a blank line between them.
func paragraphs(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, "\n\n")
}

// titled is a heading line above its body, or nothing when the body is empty.
func titled(title, body string) string {
	if strings.TrimSpace(body) == "" {
		return ""
	}
	return title + "\n" + body
}

// sentence ends s with a full stop unless it already ends a sentence.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func optionText(opts []struct{ Value, Text string }, v string) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Text
		}
	}
	return v
}

// lowerFirst lowers the first letter of a label used inside a sentence.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// splitName splits a practitioner's name into a first name and the rest.
func splitName(n string) (string, string) {
	first, rest, _ := strings.Cut(strings.TrimSpace(n), " ")
	return first, strings.TrimSpace(rest)
}
