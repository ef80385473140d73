package nrm

import (
	"strings"
	"time"

	"waymark/internal/pathway"
)

// The answers the team records where it learns them (pathway.RecordSituation,
// §5, §6.7, §6.8, §8.8) and the staff's work details (Context.Staff). A
// recorded answer is proposed as it stands, saying where it was learnt; with
// none, what the case already holds in words is used, saying where it came
// from, or nothing is proposed and the source says what to find out.

// told is the latest recorded answer to fact.
func (f *facts) told(fact pathway.Fact) (pathway.RecordedFact, bool) {
	r, ok := f.c.Fact(fact)
	if !ok || strings.TrimSpace(r.Value) == "" {
		return pathway.RecordedFact{}, false
	}
	return r, true
}

// toldSource says where a recorded answer was learnt, for the source line.
func toldSource(r pathway.RecordedFact) string {
	return "Recorded on the case: " + lowerFirst(r.Where()) + "."
}

// recorded proposes the recorded answer to fact, or else what fallback finds.
func recorded(fact pathway.Fact, fallback proposal) proposal {
	return func(f *facts) (string, string) {
		if r, ok := f.told(fact); ok {
			return r.Value, toldSource(r)
		}
		return fallback(f)
	}
}

// recordedOnlyIf proposes the recorded answer to fact when the answer to
// parent is one of the values it follows from (a follow-up question).
func recordedOnlyIf(fact, parent pathway.Fact, values []string, fallback proposal) proposal {
	return func(f *facts) (string, string) {
		p, ok := f.told(parent)
		if ok && !contains(values, p.Value) {
			return "", "The form asks this only after another answer than the one recorded: " + lowerFirst(p.Fact.Label()) + " is '" + strings.ToLower(p.Text()) + "'."
		}
		if r, has := f.told(fact); has {
			return r.Value, toldSource(r)
		}
		return fallback(f)
	}
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

// nothingRecorded is a fallback that proposes nothing and says what to ask.
func nothingRecorded(ask string) proposal {
	return func(*facts) (string, string) { return "", ask }
}

// fromIndicators marks a proposal drawn from the indicators' evidence as
// such: nobody has answered the question itself.
func fromIndicators(p proposal) proposal {
	return func(f *facts) (string, string) {
		v, src := p(f)
		if v == "" {
			return v, src
		}
		return v, "Nobody has recorded an answer yet, so this is what the concern's indicators say, in the words written with them. " + src +
			" Record the answer where you learn it (What we know of the child's situation)."
	}
}

// saidOnTheCase proposes what the case already holds in words about what a
// question asks (sentences holding any of words): in the concern's summary,
// what the child said at return interviews and the case notes, each quoted
// and dated; then what fallback finds.
func saidOnTheCase(words []string, fallback proposal) proposal {
	return func(f *facts) (string, string) {
		v, src := fallback(f)
		var said []string
		if s := summarySentences(f.c.Concern.Summary, words); len(s) > 0 {
			said = append(said, "When "+f.c.Referrer.Name+" of "+f.c.Referrer.OrgName+" raised the concern on "+day(f.c.RaisedAt)+" they wrote: "+strings.Join(s, " "))
		}
		for _, m := range f.c.Safety.Missing {
			if iv := m.Interview; iv != nil {
				if s := summarySentences(iv.Disclosed, words); len(s) > 0 {
					said = append(said, "At the return interview on "+day(iv.HeldAt)+" the child said: "+strings.Join(s, " "))
				}
			}
		}
		for _, n := range f.c.Notes {
			if s := summarySentences(n.Text, words); len(s) > 0 {
				said = append(said, "Case note of "+day(n.At)+" by "+n.By.Name+": "+strings.Join(s, " "))
			}
		}
		if len(said) == 0 {
			return v, src
		}
		const why = "Nobody has recorded an answer yet: these are the words on the case about this, from the concern, return interviews (§7.1) and case notes (§7.5)"
		if v == "" {
			return paragraphs(said...), why + ". Ask, and record the answer on the case."
		}
		return paragraphs(paragraphs(said...), v), why + ", and the indicators. " + src
	}
}

// summarySentences are the sentences of s holding any of words.
func summarySentences(s string, words []string) []string {
	var out []string
	for _, sn := range splitSentences(s) {
		l := strings.ToLower(sn)
		for _, w := range words {
			if strings.Contains(l, w) {
				out = append(out, sn)
				break
			}
		}
	}
	return out
}

func splitSentences(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if (s[i] == '.' || s[i] == '!' || s[i] == '?') && (i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\n') {
			if sn := strings.TrimSpace(s[start : i+1]); sn != "" {
				out = append(out, sn)
			}
			start = i + 1
		}
	}
	if sn := strings.TrimSpace(s[start:]); sn != "" {
		out = append(out, sentence(sn))
	}
	return out
}

// Words that mark a sentence about where and how the child lived, and about
// how the exploiters treated them.
var (
	livingWords    = []string{"sleep", "slept", "floor", "mattress", "hungry", "no food", "washing", "lives with", "lived with", "living conditions"}
	keepingWords   = []string{"owe", "debt", "afraid", "scared", "fear", "threat", "will be hurt", "work it off"}
	treatmentWords = []string{"owe", "debt", "threat", "beaten", "beat him", "beat her", "hit him", "hit her", "robbed", "hurt", "assault", "violen", "punish", "angry", "afraid", "scared"}
)

func livingConditionsFromIndicators(f *facts) (string, string) {
	lines := evidenceLines(f.in("general.poor-living-conditions", "general.few-possessions", "general.same-clothes", "general.malnourished",
		"general.unkempt", "general.rarely-goes-out", "general.no-time-to-play", "general.unrelated-child-at-address",
		"general.several-unrelated-children", "general.unregulated-private-fostering", "general.returns-well-cared-for"))
	if len(lines) == 0 {
		return "", "No indicator about where or how the child lived is recorded. Ask about sleeping, washing and food, and record the answer on the case; if nothing is known, say so."
	}
	return bullets(lines), "Indicators about how the child lived (§5.1(1), §5.1(4), §5.1(6))."
}

func treatmentFromIndicators(f *facts) (string, string) {
	lines := evidenceLines(f.in("general.signs-of-abuse", "general.assault-or-restraint-injuries", "general.unexplained-injuries",
		"general.refuses-medical-treatment", "general.assault-symptoms", "general.fear-of-touch", "labour.restricted-movement",
		"labour.daily-earnings-quota", "county-lines.filmed-for-blackmail",
		"county-lines.internal-concealment", "sexual.sexual-injuries", "abroad.adult-never-leaves",
		"general.false-documents-or-name", "abroad.arrived-without-or-with-false-documents", "abroad.no-or-false-documents"))
	if len(lines) == 0 {
		return "", "No indicator of violence, threats, debt, control or documents taken is recorded. Ask, record the answer on the case, and say what is known."
	}
	return bullets(lines), "Indicators of abuse, debt, control and coercion (§5.1, §5.2)."
}

func stillInSituationFromTheCase(f *facts) (string, string) {
	if ep := f.c.Safety.OpenEpisode(); ep != nil {
		return "yes", "Nobody has recorded whether the child is still in the situation; the child has been missing since " + when(ep.StartedAt) + "."
	}
	if p := f.placementSince(f.c.Concern.IdentifiedAt); p != nil {
		return "no", "Nobody has recorded whether the child is still in the situation; the child was placed on " + day(p.StartedAt) + ". Answer yes if the exploiters still reach them."
	}
	return "", "The case does not say whether the child is still being exploited: record it where you learn it."
}

func whatKeepsThemFromIndicators(f *facts) (string, string) {
	lines := evidenceLines(f.in("general-dependency", "disclosure-barriers", "abroad.fears-removal", "abroad.told-to-distrust-authorities"))
	if len(lines) == 0 {
		return "", "No indicator of dependence on the exploiters is recorded."
	}
	return bullets(lines), "Indicators of dependence on the exploiters and barriers to telling (§5.1(3), §5.4)."
}

func howTheyLeftFromThePlacement(f *facts) (string, string) {
	p := f.placementSince(f.c.Concern.IdentifiedAt)
	if p == nil {
		return "", "Nobody has recorded how the child left, and no placement is recorded since the child was identified."
	}
	v := "On " + day(p.StartedAt) + " Children's Services placed the child in " + lowerFirst(optionText(pathway.PlacementTypes(), p.Type)) + "."
	if cp := f.c.Support.CarePlan(); cp != nil && cp.ProtectionPlan != "" {
		v += "\n\nHow the care plan of " + dayOf(cp.AgreedOn) + " keeps the child from the exploiters: " + sentence(cp.ProtectionPlan)
	}
	return v, "Nobody has recorded how the child left: this is the placement and the care plan (§7.2). The placement's address is never put in the form (§7.6)."
}

func lastContactDetailsFromIndicators(f *facts) (string, string) {
	lines := evidenceLines(f.in("general.unexplained-contact-from-adults", "general.phone-but-no-money"))
	if len(lines) == 0 {
		return "", "Optional. Nothing on the case describes contact from the exploiters."
	}
	return bullets(lines), "Indicators of contact from unknown adults (§5.1(6)). Remove phone handles written like web or email addresses: the form refuses them."
}

// proposeReportedBefore: the form's question, despite its name, asks
// whether the exploitation was reported before (NRM-FORM.md, step 19).
func proposeReportedBefore(f *facts) (string, string) {
	if r, ok := f.told(pathway.FactReportedBefore); ok {
		return r.Value, toldSource(r)
	}
	if len(earlierReports(f)) > 0 {
		return "yes", "The case records earlier reports to the police."
	}
	return "", "No earlier report to the police or the NRM is recorded. Answer no if this is the first."
}

// proposeEarlierReports: what the team recorded of earlier reports, with
// the police references the case holds, which the form asks for.
func proposeEarlierReports(f *facts) (string, string) {
	refs := bullets(earlierReports(f))
	const fromCase = "Police references recorded with the concern and the missing episodes."
	r, ok := f.told(pathway.FactReportedBeforeHow)
	if !ok {
		return refs, fromCase
	}
	if p, asked := f.told(pathway.FactReportedBefore); asked && p.Value != "yes" {
		return refs, fromCase
	}
	if refs == "" {
		return r.Value, toldSource(r)
	}
	return paragraphs(r.Value, refs), toldSource(r) + " Then the " + lowerFirst(fromCase)
}

// proposeExploitersWhereabouts answers whether anything is known of where
// the exploiters are, even if old.
func proposeExploitersWhereabouts(f *facts) (string, string) {
	if r, ok := f.told(pathway.FactExploitersWhere); ok {
		if r.Value == "not-known" {
			return "no", toldSource(r) + " Where they are is not known."
		}
		return "yes", toldSource(r)
	}
	if r, ok := f.told(pathway.FactExploitersDetail); ok {
		return "yes", toldSource(r)
	}
	return "", "Nobody has recorded where the exploiters are. Answer yes if there is any information, even old."
}

// proposeExploitersInTheUK: where they are now, or else last known to be.
func proposeExploitersInTheUK(f *facts) (string, string) {
	r, ok := f.told(pathway.FactExploitersWhere)
	switch {
	case !ok:
		return "", "Nobody has recorded whether the exploiters are in the UK. If unsure, answer by their last known location."
	case r.Value == "uk":
		return "yes", toldSource(r)
	case r.Value == "abroad":
		return "no", toldSource(r)
	}
	return "", toldSource(r) + " Where they are is not known."
}

func proposeOtherVictims(f *facts) (string, string) {
	if r, ok := f.told(pathway.FactOtherVictims); ok {
		return r.Value, toldSource(r)
	}
	if otherVictims(f) != "" {
		return "yes", "Nobody has recorded an answer; the case records other children found with this child."
	}
	return "", "No other potential victim is recorded."
}

func otherVictimsFromTheCase(f *facts) (string, string) {
	return otherVictims(f), "People found with the child and related indicators (§8.8(4)(e)). Names are not needed."
}

func proposeReportedToPolice(f *facts) (string, string) {
	if r, ok := f.told(pathway.FactReportedToPolice); ok {
		return r.Value, toldSource(r)
	}
	if r, ok := f.told(pathway.FactCrimeReference); ok {
		return "yes", "A crime reference is recorded: " + lowerFirst(r.Where()) + "."
	}
	if f.c.Concern.PoliceReference != "" {
		return "yes", "A police reference was recorded with the concern. Check it is a crime reference for a modern slavery offence against the child."
	}
	return "", "No crime reference is recorded. Ask the police whether a crime has been recorded, and record the answer on the case."
}

func proposeCrimeReference(f *facts) (string, string) {
	if r, ok := f.told(pathway.FactCrimeReference); ok {
		return r.Value, toldSource(r)
	}
	if ref := f.c.Concern.PoliceReference; ref != "" {
		return ref, "No crime reference is recorded; this is the police reference recorded with the concern. Check it is a crime reference."
	}
	return "", "No crime reference is recorded."
}

// proposeCooperation: the form asks yes or no; a child who is not sure is
// not proposed either way.
func proposeCooperation(f *facts) (string, string) {
	r, ok := f.told(pathway.FactHelpInvestigation)
	switch {
	case !ok:
		return "", "Not recorded: ask the child, with their advocate or guardian, whether they want to help an investigation."
	case r.Value == "not-sure":
		return "", toldSource(r) + " The child is not sure: the form takes yes or no, so ask again before you submit."
	}
	return r.Value, toldSource(r)
}

func proposeHasChildren(f *facts) (string, string) {
	if r, ok := f.told(pathway.FactHasChildren); ok {
		return r.Value, toldSource(r)
	}
	if r, ok := f.told(pathway.FactNumberOfChildren); ok {
		return "yes", toldSource(r)
	}
	return "", "Nobody has recorded whether the child has children of their own: ask, and record the answer on the case."
}

func proposeCommunicationNeeds(f *facts) (string, string) {
	if r, ok := f.told(pathway.FactCommunicationNeed); ok {
		return r.Value, toldSource(r)
	}
	if intermediary(f) != nil {
		return "yes", "A registered intermediary is recorded in the child's support (§6.12)."
	}
	return "", "No communication need is recorded."
}

func proposeCommunicationAid(f *facts) (string, string) {
	if r, ok := f.told(pathway.FactCommunicationAid); ok {
		return r.Value, toldSource(r)
	}
	if intermediary(f) != nil {
		return "A registered intermediary", "The child's support (§6.12)."
	}
	return "", ""
}

func birthplaceNotRecorded(f *facts) (string, string) {
	src := "Nobody has recorded where the child was born. If nobody knows, write 'Not known'."
	if n := f.c.Concern.Child.Nationality; n != "" {
		src += " Nationality recorded: " + n + "."
	}
	return "", src
}

// whenNotRecorded: the date the signs were seen is not when the
// exploitation took place, so it is offered only as a lead.
func whenNotRecorded(f *facts) (string, string) {
	src := "Nobody has recorded when the exploitation took place: ask the child or those who know, and record it on the case. The signs were first identified on " +
		day(f.c.Concern.IdentifiedAt) + ", when the child was " + f.ageWords() + "."
	if eps := f.missingEpisodes(time.Time{}); len(eps) > 0 {
		src += " Missing episodes may help date it: " + strings.Join(eps, " ")
	}
	return "", src
}

// howItStartedNotRecorded: what the referrer saw is not how the
// exploitation started, so it is offered only as a lead.
func howItStartedNotRecorded(f *facts) (string, string) {
	src := "Nobody has recorded how the exploitation started: how the child met the exploiters, promises made, any debt. Ask, and record it on the case."
	for _, m := range f.c.Safety.Missing {
		if iv := m.Interview; iv != nil && iv.Disclosed != "" {
			src += " At the return interview on " + day(iv.HeldAt) + " the child said: " + sentence(iv.Disclosed)
		}
	}
	return "", src
}

// staffOf is the work details of who submits the form (firstResponder).
func (f *facts) staffOf() (pathway.Party, StaffProfile, bool) {
	p, _ := firstResponder(f)
	if p.UserID == "" {
		return p, StaffProfile{}, false
	}
	sp, ok := f.ctx.Staff[p.UserID]
	return p, sp, ok
}

func proposeFRRole(f *facts) (string, string) {
	p, sp, _ := f.staffOf()
	if sp.JobTitle != "" {
		return sp.JobTitle, "The job title on " + p.Name + "'s profile in Waymark."
	}
	if p.Name == "" {
		return "", "Enter the job title of the First Responder who submits the form."
	}
	return "", p.Name + " has not given a job title on their Waymark profile: enter it, and add it to the profile so it is filled in next time."
}

func proposeFRPhone(f *facts) (string, string) {
	p, sp, _ := f.staffOf()
	if sp.Phone != "" {
		return sp.Phone, "The work phone number on " + p.Name + "'s profile in Waymark."
	}
	if p.Name == "" {
		return "", "Enter the work phone number of the First Responder who submits the form."
	}
	return "", p.Name + " has not given a work phone number on their Waymark profile: enter it, and add it to the profile so it is filled in next time."
}

func proposeFRAlternative(f *facts) (string, string) {
	p, sp, _ := f.staffOf()
	if sp.AwayEmail != "" {
		return sp.AwayEmail, "The email address for when they are away, on " + p.Name + "'s profile in Waymark."
	}
	return "", "A manager's, a colleague's or the team's email address. Add it to your Waymark profile so it is filled in next time."
}
