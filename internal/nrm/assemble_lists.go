package nrm

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"

	"waymark/internal/catalog"
	"waymark/internal/pathway"
)

// The form's list questions and tick boxes: a list question takes only the
// exact value of an entry of the form's own list (catalog.HOLists), so a
// proposal that is not one is never offered as the answer; and the
// exploitation boxes are ticked by what each box means (§8.8(4)).

// formLists is the copy of the form's lists built into Waymark, the same
// one the catalogue holds (catalog parses it once); Check reads it, and so
// does the assembler when its catalogue was parsed without them.
func formLists() *catalog.HOLists { return catalog.MustLoadHOLists() }

// lists is the form's lists as the assembler's catalogue holds them.
func (f *facts) lists() *catalog.HOLists {
	if f.cat != nil && f.cat.HOLists != nil {
		return f.cat.HOLists
	}
	return formLists()
}

// listWords names a list in a sentence.
func listWords(l catalog.HOList) string {
	switch l {
	case catalog.HOOrganisations:
		return "organisations"
	case catalog.HOLocalAuthorities:
		return "local authorities"
	case catalog.HOTowns:
		return "UK cities and towns"
	case catalog.HORegions:
		return "UK counties and areas"
	case catalog.HOCountries:
		return "countries"
	case catalog.HONationalities:
		return "nationalities"
	case catalog.HOPoliceForces:
		return "police forces"
	}
	return string(l)
}

// nearestValues are the values of up to three entries close to text,
// leaving out those that share with it only words saying what kind of
// body an entry is ('Westmere Police' is no nearer to 'Cleveland Police'
// than to any other force).
func nearestValues(lists *catalog.HOLists, l catalog.HOList, text string) []string {
	key := nearKey{lists, l, text}
	memo := l == catalog.HOOrganisations || l == catalog.HOLocalAuthorities || l == catalog.HOPoliceForces
	if memo {
		nearMemo.Lock()
		out, ok := nearMemo.m[key]
		nearMemo.Unlock()
		if ok {
			return slices.Clone(out)
		}
	}
	var out []string
	for _, e := range lists.Nearest(l, text, 3) {
		if related(e.Label, text) || related(e.Value, text) {
			out = append(out, e.Value)
		}
	}
	if !memo {
		return out
	}
	nearMemo.Lock()
	if len(nearMemo.m) >= 4096 || nearMemo.m == nil {
		nearMemo.m = map[nearKey][]string{}
	}
	nearMemo.m[key] = out
	nearMemo.Unlock()
	return slices.Clone(out)
}

// nearMemo keeps the nearest entries found for organisations' names:
// Nearest reads every entry of a list, and the same names come back with
// every draft. It holds only the names of organisations, never what a case
// says about the child (a nationality, a place), and is emptied when it
// reaches 4,096 names.
var nearMemo struct {
	sync.Mutex
	m map[nearKey][]string
}

type nearKey struct {
	lists *catalog.HOLists
	list  catalog.HOList
	text  string
}

// genericWords name a kind of body or place, not which one.
var genericWords = []string{"and", "authority", "borough", "care", "children", "childrens", "city", "constabulary", "council", "county",
	"district", "for", "local", "metropolitan", "of", "police", "service", "services", "social", "the", "trust"}

// related: one names the other outright, or they share a word that is
// not generic.
func related(entry, text string) bool {
	e, t := foldWords(entry), foldWords(text)
	ej, tj := strings.Join(e, " "), strings.Join(t, " ")
	if ej == "" || tj == "" {
		return false
	}
	if strings.Contains(ej, tj) || strings.Contains(tj, ej) {
		return true
	}
	for _, w := range e {
		if slices.Contains(t, w) && !slices.Contains(genericWords, w) {
			return true
		}
	}
	return false
}

// foldWords lowers s and splits it into words of letters and digits, an
// apostrophe joining ("children's" is "childrens").
func foldWords(s string) []string {
	s = strings.NewReplacer("'", "", "\u2019", "").Replace(strings.ToLower(s))
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// offerListed keeps a list question's proposal only when it is an entry of
// the form's list: the exact value as it is, or the entry the text names
// outright (catalog.HOLists.Lookup, which never guesses). Anything else is
// not offered: the answer stays empty, and what the case says is kept as
// the field's Suggestion, with the nearest entries, and a note in Source.
func offerListed(lists *catalog.HOLists, fld *Field) {
	if fld.Type != TypeSelect || fld.HOList == "" || fld.Proposed == "" || lists.Has(fld.HOList, fld.Proposed) {
		return
	}
	said := fld.Proposed
	if e, ok := lists.Lookup(fld.HOList, said); ok {
		fld.Proposed = e.Value
		if e.Value != said {
			fld.Source = strings.TrimSpace(fld.Source + " The case says '" + said + "': the form's entry is '" + e.Value + "'.")
		}
		return
	}
	fld.Proposed, fld.Suggestion = "", said
	fld.Nearest = nearestValues(lists, fld.HOList, said)
	note := "The case says '" + said + "', which is not an entry of the form's list of " + listWords(fld.HOList) + ", so it is not offered as the answer."
	if len(fld.Nearest) > 0 {
		note += " Nearest entries: " + quoteList(fld.Nearest) + "."
	}
	fld.Source = strings.TrimSpace(fld.Source + " " + note)
}

// offer keeps a proposal as the answer only when the form takes it: a list
// question's proposal goes through offerListed, and any other proposal the
// form would refuse (a date of birth in the future, a web address where the
// box refuses one, an email or number the form's rules refuse) is not
// offered either: the answer stays empty and what the case says is kept as
// the field's Suggestion, with why in Source. An answer over the length
// limit is still offered: the team shortens it, and Check says by how much.
func offer(f *facts, fld *Field) {
	offerListed(f.lists(), fld)
	if fld.Proposed == "" || fld.Type == TypeSelect {
		return
	}
	why := strings.TrimSuffix(invalid(*fld, jsTrim(fld.Proposed), f.now), ".")
	if why == "" && fld.NoLinks && (fld.Type == TypeText || fld.Type == TypeTextarea) {
		if sent := FormValue(fld.Type, fld.Proposed); LooksLikeURL(sent) {
			why = "The form refuses anything in this box shaped like a web or email address, such as " + quoteList(urlsIn(sent))
		}
	}
	if why == "" {
		return
	}
	fld.Suggestion, fld.Proposed = fld.Proposed, ""
	fld.Source = strings.TrimSpace(fld.Source + " What the case says is not offered as the answer. " + why + ": write the answer without it.")
}

// urlsIn are the words of v the form takes for web or email addresses.
func urlsIn(v string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(v, jsSpace) {
		if LooksLikeURL(w) && !slices.Contains(out, w) && len(out) < 3 {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		out = []string{"a full stop between words"}
	}
	return out
}

// mapOnce is what to do when an organisation has no entry yet.
const mapOnce = "An administrator maps each organisation to its entries in the form's lists once; every draft then proposes them."

// leadFirstResponderOrg is the organisation that submits the referral, with
// its id: the one that did, else the one a meeting or an escalation last
// agreed (§8.5, §8.6), else Children's Services, itself a First Responder
// (§8.2).
func (f *facts) leadFirstResponderOrg() (id, name, src string) {
	if s := f.c.NRM.Submission; s != nil && (s.LeadOrgID != "" || s.LeadOrgName != "") {
		return s.LeadOrgID, s.LeadOrgName, "the lead First Responder that recorded the submission"
	}
	seq := 0
	src = "the lead First Responder agreed at the multi-agency meeting (§8.5)"
	for _, m := range f.c.Meetings.Meetings {
		if r := m.Held; r != nil && (r.LeadOrgID != "" || r.LeadOrgName != "") && r.Seq > seq {
			id, name, seq = r.LeadOrgID, r.LeadOrgName, r.Seq
		}
	}
	for _, e := range f.c.Meetings.Escalations {
		if r := e.Resolution; r != nil && (r.LeadOrgID != "" || r.LeadOrgName != "") && r.Seq > seq {
			id, name, seq, src = r.LeadOrgID, r.LeadOrgName, r.Seq, "the lead First Responder agreed when the escalation was resolved (§8.6)"
		}
	}
	if seq > 0 {
		return id, name, src
	}
	if ct := f.c.Contact; ct != nil && (ct.By.OrgID != "" || ct.By.OrgName != "") {
		return ct.By.OrgID, ct.By.OrgName, "Children's Services, a First Responder (§8.2); no lead First Responder has been agreed yet (§8.5)"
	}
	return "", "", ""
}

// proposeOrganisation: the lead First Responder's entry in the form's list
// of organisations, as an administrator mapped it.
func proposeOrganisation(f *facts) (string, string) {
	id, name, src := f.leadFirstResponderOrg()
	if id == "" && name == "" {
		return "", "No First Responder organisation is on the case yet: the multi-agency meeting agrees the lead (§8.5)."
	}
	if m := f.ctx.Organisations[id].Organisation; id != "" && m != "" {
		return m, "The form's entry for " + name + ", " + src + ", as an administrator mapped it."
	}
	return name, "From " + src + ". " + name + " is not mapped to the form's list of organisations yet. " + mapOnce
}

// proposeLocalAuthority: the local authority of Children's Services, as an
// administrator mapped it, else the partnership's.
func proposeLocalAuthority(f *facts) (string, string) {
	contact := "Children's Services have not recorded the contact yet. The local authority must be contacted to safeguard the child before the referral."
	said := ""
	if ct := f.c.Contact; ct != nil {
		contact = "Children's Services recorded the contact on " + day(ct.ReceivedAt) + ", reference " + ct.Reference + "."
		said = ct.By.OrgName
	}
	if cs := f.c.ChildrensServicesOrg; cs != "" {
		if la := f.ctx.Organisations[cs].LocalAuthority; la != "" {
			return la, "The local authority of Children's Services on the case, as an administrator mapped it. " + contact
		}
	}
	if la := f.ctx.Partnership.LocalAuthority; la != "" {
		return la, "The partnership's local authority, as an administrator mapped it. " + contact
	}
	if said == "" {
		return "", contact + " " + mapOnce
	}
	return said, contact + " Children's Services are not mapped to the form's list of local authorities yet. " + mapOnce
}

// proposeLocalAuthorityContact: the phone (or, with email, the inbox) of
// the local authority's Children's Services, as an administrator recorded
// it with the organisation's list entries, else the partnership's.
func proposeLocalAuthorityContact(email bool) proposal {
	return func(f *facts) (string, string) {
		pick := func(m HOMapping) string {
			if email {
				return m.LocalAuthorityEmail
			}
			return m.LocalAuthorityPhone
		}
		if cs := f.c.ChildrensServicesOrg; cs != "" {
			if v := pick(f.ctx.Organisations[cs]); v != "" {
				return v, "How Children's Services on the case are reached, as an administrator recorded it with their entries in the form's lists."
			}
		}
		if v := pick(f.ctx.Partnership); v != "" {
			return v, "How the partnership's Children's Services are reached, as an administrator recorded it with the partnership's entries in the form's lists."
		}
		if email {
			return "", "Enter the inbox of the Children's Services team working the case. An administrator can record it once with the organisation's entries in the form's lists."
		}
		return "", "Enter the number of the Children's Services team working the case. An administrator can record it once with the organisation's entries in the form's lists."
	}
}

// policeOrg is a police organisation on the case: one whose name, or whose
// mapped entry in the form's list of organisations, says it is a police
// force.
func (f *facts) policeOrg() pathway.Party {
	var parties []pathway.Party
	if s := f.c.NRM.Submission; s != nil {
		parties = append(parties, pathway.Party{OrgID: s.LeadOrgID, OrgName: s.LeadOrgName})
	}
	for _, m := range f.c.Meetings.Meetings {
		parties = append(parties, m.Invitees...)
		if m.Held != nil {
			parties = append(parties, pathway.Party{OrgID: m.Held.LeadOrgID, OrgName: m.Held.LeadOrgName})
		}
	}
	parties = append(parties, f.c.Workers...)
	parties = append(parties, f.c.Referrer)
	police := func(n string) bool {
		n = strings.ToLower(n)
		return strings.Contains(n, "police") || strings.Contains(n, "constabulary")
	}
	for _, p := range parties {
		if police(p.OrgName) || (p.OrgID != "" && police(f.ctx.Organisations[p.OrgID].Organisation)) {
			return p
		}
	}
	return pathway.Party{}
}

// proposePoliceForce: the police force of the police organisation on the
// case, as an administrator mapped it, else the partnership's.
func proposePoliceForce(f *facts) (string, string) {
	p := f.policeOrg()
	if pf := f.ctx.Organisations[p.OrgID].PoliceForce; p.OrgID != "" && pf != "" {
		return pf, "The police force of " + p.OrgName + ", on the case, as an administrator mapped it. Change it if another force holds the crime reference."
	}
	if pf := f.ctx.Partnership.PoliceForce; pf != "" {
		return pf, "The partnership's police force, as an administrator mapped it. Change it if another force holds the crime reference."
	}
	if p.OrgName != "" {
		return p.OrgName, "The police force on the case is not mapped to the form's list of police forces yet. " + mapOnce
	}
	return "", "Choose the police force that holds the crime reference. " + mapOnce
}

// formBoxes are the form's tick boxes for each exploitation type of the
// catalogue (§2.1, §2.3), by what the box means rather than by the Home
// Office statistics group: county lines is forced crime, sexual
// exploitation of a child is child sexual exploitation, and a sham marriage
// makes the child part of a fraud on the immigration system as well as
// being named under 'other'. A type missing here is ticked as 'other'.
var formBoxes = map[string][]string{
	"labour":             {"forced-to-work"},
	"sexual":             {"child-exploitation"},
	"criminal":           {"forced-to-commit-crime"},
	"county-lines":       {"forced-to-commit-crime"},
	"domestic-servitude": {"unpaid-household-work"},
	"organ-harvesting":   {"organs-removed"},
	"illegal-adoption":   {"other"},
	"baby-farming":       {"other"},
	"sham-marriage":      {"forced-to-commit-fraud", "other"},
	"forced-marriage":    {"other"},
}

// indicatorBoxes are the indicators (§5.1, §5.2) that by themselves say what
// one box says: a child found in a brothel, begging, moving drugs, working
// a cannabis farm, or doing the household's work.
var indicatorBoxes = map[string][]string{
	"sexual.found-in-brothel-or-sauna":       {"prostitution"},
	"labour.begging":                         {"forced-to-commit-crime"},
	"general.moving-drugs":                   {"forced-to-commit-crime"},
	"general.cannabis-farm-or-cuckooed-home": {"forced-to-commit-crime"},
	"labour.household-chores":                {"unpaid-household-work"},
}

// heldIndicators say the child is not free to leave.
var heldIndicators = []string{"labour.restricted-movement", "general.rarely-goes-out"}

// evidenceBoxes are what the evidence written for an indicator must say,
// plainly, for a box no type or indicator ticks on its own: their wages or
// bank account taken, benefits or accounts in their name, or being held
// somewhere (which with sexual exploitation is the 'taken somewhere' box).
var evidenceBoxes = []struct {
	box   string
	words []string // one of these must be in the evidence before the pattern is tried
	says  *regexp.Regexp
}{
	{"wages-taken", []string{"wage", "pay", "earning", "salar", "bank"}, regexp.MustCompile(`(?i)\b(wages?|pay|earnings|salary|bank cards?|bank accounts?)\b[^.!?\n]{0,40}\b(taken|took|kept|keeps|withheld|withholds|controlled|controls|confiscated|handed over|hands over)\b|\b(takes|took|keep|keeps|kept|withholds|withheld|controls|controlled|confiscates|confiscated)\b[^.!?\n]{0,25}\b(wages?|pay|earnings|salary|bank cards?|bank accounts?)\b`)},
	{"forced-to-commit-fraud", []string{"benefit", "credit", "loan", "account", "contract", "identity", "passport"}, regexp.MustCompile(`(?i)\b(benefits?|universal credit|loans?|bank accounts?|credit cards?|phone contracts?)\b[^.!?\n]{0,40}\b(in (his|her|their) (own )?names?|claimed|opened)\b|\b(identity|passport|id documents?)\b[^.!?\n]{0,30}\bused (to|for)\b`)},
	{"held", []string{"held", "locked", "kept", "leave"}, regexp.MustCompile(`(?i)\bheld against (his|her|their) will\b|\blocked (in|up|inside)\b|\b(kept|held) (in|at) (a|an|the) (room|flat|house|hotel|address|property)\b|\bnot allowed to leave\b`)},
}

// boxes is the form's tick boxes for the case, in the form's order, each
// with why it is ticked.
func (f *facts) boxes() (ticked []string, why []string) {
	reasons := map[string][]string{}
	tick := func(box, reason string) {
		if !slices.Contains(reasons[box], reason) {
			reasons[box] = append(reasons[box], reason)
		}
	}
	for _, t := range f.types {
		bs, ok := formBoxes[t.ID]
		if !ok {
			bs = []string{"other"}
		}
		for _, b := range bs {
			tick(b, t.Label)
		}
	}
	for _, o := range f.indicators {
		for _, b := range indicatorBoxes[o.ID] {
			tick(b, "the indicator '"+o.Label+"'")
		}
	}
	held := len(f.in(heldIndicators...)) > 0
	for _, o := range f.indicators {
		lower := strings.ToLower(o.Evidence)
		for _, e := range evidenceBoxes {
			if !slices.ContainsFunc(e.words, func(w string) bool { return strings.Contains(lower, w) }) || !e.says.MatchString(o.Evidence) {
				continue
			}
			if e.box == "held" {
				held = true
				continue
			}
			tick(e.box, "what was seen for '"+o.Label+"'")
		}
	}
	sexual := len(reasons["child-exploitation"]) > 0 || len(reasons["prostitution"]) > 0 || len(f.in("specific-sexual")) > 0
	if sexual && held {
		tick("taken-somewhere", "sexual exploitation of a child who is not free to leave")
	}
	for _, o := range FormFor(Referral).fieldOptions("types-of-exploitation") {
		if rs := reasons[o.Value]; len(rs) > 0 {
			ticked = append(ticked, o.Value)
			why = append(why, lowerFirst(o.Text)+" ("+strings.Join(rs, "; ")+")")
		}
	}
	return ticked, why
}

// proposeTypes ticks the boxes the case's exploitation types and indicators
// mean (§2.1, §5.2).
func proposeTypes(f *facts) (string, string) {
	ticked, why := f.boxes()
	if len(ticked) == 0 {
		return "", "The concern records no kind of exploitation: tick at least one box."
	}
	return strings.Join(ticked, "\n"), "Ticked by what each box means, from the exploitation types and indicators recorded with the concern: " + strings.Join(why, "; ") + "."
}

// proposeOtherExploitation names the types the form has no box of its own for.
func proposeOtherExploitation(f *facts) (string, string) {
	var labels []string
	for _, t := range f.types {
		if bs, ok := formBoxes[t.ID]; !ok || slices.Contains(bs, "other") {
			labels = append(labels, t.Label)
		}
	}
	return strings.Join(labels, ", "), "Exploitation types with no box of their own (§2.1)."
}
