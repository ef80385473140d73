package nrm

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark/internal/catalog"
	"waymark/internal/pathway"
)

// proposal answers one field from the case: the answer, and where it came
// from (or, with no answer, what to find out and where).
type proposal func(f *facts) (value, source string)

// Assemble proposes the NRM referral for the case: every page and field of
// the online form in its order, each answered from what the case holds
// (§8.8). c should be the case as the viewer may see it (Case.Redacted); the
// draft never carries a placement's address anyway (§7.6). now dates the
// draft and every document rendered from it.
func Assemble(c pathway.Case, cat *catalog.Catalog, now time.Time) Draft {
	return assemble(Referral, referralProposals, c, cat, now)
}

// AssembleReconsideration proposes the request to reconsider a negative
// decision (§8.9). Whether one may be made is ReconsiderationOpen's to say.
func AssembleReconsideration(c pathway.Case, cat *catalog.Catalog, now time.Time) Draft {
	return assemble(Reconsideration, reconsiderationProposals, c, cat, now)
}

// AssembleKind assembles the document of kind k.
func AssembleKind(k Kind, c pathway.Case, cat *catalog.Catalog, now time.Time) Draft {
	if k == Reconsideration {
		return AssembleReconsideration(c, cat, now)
	}
	return Assemble(c, cat, now)
}

// AssembleKindFor assembles the document of kind k for drafter, the person
// signed in: a First Responder drafting is proposed as the person referring
// (WCAG 3.3.7: nothing Waymark knows is asked again).
func AssembleKindFor(k Kind, c pathway.Case, cat *catalog.Catalog, now time.Time, drafter pathway.Actor) Draft {
	return AssembleWith(k, c, cat, now, Context{Drafter: &drafter})
}

// Context is what the assembler needs to know beyond the case itself: who is
// drafting, how the organisations on the case appear in the form's lists,
// the files on the case, and the staff's work details. Casework fills it
// from what the viewer may see; the assembler stays pure.
type Context struct {
	// Drafter is the person signed in and drafting, when known.
	Drafter *pathway.Actor
	// Organisations maps a Waymark organisation id to its entries in the
	// form's lists, as an administrator set them once.
	Organisations map[string]HOMapping
	// Partnership is the partnership's own mapping: its local authority and
	// police force.
	Partnership HOMapping
	// Attachments are the files held on the case, for the upload page.
	Attachments []Attachment
	// Staff are the work details of the people on the case, by user id.
	Staff map[string]StaffProfile
}

// HOMapping is an organisation's entries in the Home Office form's lists
// (catalog.HOLists). An empty entry is not mapped yet.
type HOMapping struct {
	Organisation   string // catalog.HOOrganisations
	LocalAuthority string // catalog.HOLocalAuthorities
	PoliceForce    string // catalog.HOPoliceForces
	// LocalAuthorityPhone and LocalAuthorityEmail reach the local
	// authority's Children's Services (the form asks them with the local
	// authority contacted about the child).
	LocalAuthorityPhone string
	LocalAuthorityEmail string
}

// Attachment is one file held on the case (§8.7: the form takes the
// documents as uploads).
type Attachment struct {
	ID       string
	Name     string // as uploaded
	Type     string // the checked content type, e.g. application/pdf
	Size     int64
	Uploaded time.Time
	What     string // what the document is, in the uploader's words
}

// StaffProfile is the work details a user keeps on their profile.
type StaffProfile struct {
	JobTitle string
	Phone    string
	// AwayEmail is for when they are away: a manager's, a colleague's or
	// the team's shared inbox.
	AwayEmail string
}

// AssembleWith assembles the document of kind k with what ctx adds.
func AssembleWith(k Kind, c pathway.Case, cat *catalog.Catalog, now time.Time, ctx Context) Draft {
	proposals := referralProposals
	if k == Reconsideration {
		proposals = reconsiderationProposals
	}
	return assembleCtx(k, proposals, c, cat, now, ctx)
}

// ReconsiderationOpen: a reconsideration can be asked for once a decision
// on the case has been negative (§8.9).
func ReconsiderationOpen(c pathway.Case) bool {
	return slices.ContainsFunc(c.NRM.Decisions, func(d pathway.GroundsDecision) bool { return !d.Positive() })
}

func assemble(k Kind, proposals map[string]proposal, c pathway.Case, cat *catalog.Catalog, now time.Time) Draft {
	return assembleCtx(k, proposals, c, cat, now, Context{})
}

func assembleCtx(k Kind, proposals map[string]proposal, c pathway.Case, cat *catalog.Catalog, now time.Time, ctx Context) Draft {
	form := FormFor(k)
	f := newFacts(c, cat, now)
	f.drafter = ctx.Drafter
	f.ctx = ctx
	d := Draft{Kind: k, FormVersion: form.Version, CaseID: c.ID, CaseReference: caseReference(c),
		HomeOfficeReference: c.NRM.HomeOfficeReference, AssembledAt: now.UTC()}
	if k == Referral {
		d.Declaration = declarationOf(c)
	}
	for _, fs := range form.Sections {
		s := Section{ID: fs.ID, Title: fs.Title}
		for _, fp := range fs.Pages {
			p := Page{Step: fp.Step, Path: fp.Path, Title: fp.Title, Note: fp.Note}
			for _, ff := range fp.Fields {
				fld := Field{ID: ff.ID, Label: ff.Label, Hint: ff.Hint, Type: ff.Type, Required: ff.Required == RequiredYes,
					Limit: form.LimitOf(ff), Options: ff.Options, ShowIf: ff.ShowIf, List: ff.List, Format: ff.Format, NoLinks: ff.NoLinks, thin: ff.ThinBelow}
				fld.HOList = ff.HOList
				if propose, ok := proposals[ff.ID]; ok {
					fld.Proposed, fld.Source = propose(f)
					fld.Proposed = normaliseDashes(strings.TrimSpace(fld.Proposed)) // as the form would
					offer(f, &fld)                                                  // only what the form takes is offered
				}
				fld.Value = fld.Proposed
				p.Fields = append(p.Fields, fld)
			}
			s.Pages = append(s.Pages, p)
		}
		d.Sections = append(d.Sections, s)
	}
	offerOnlyWhatTheRouteAsks(&d)
	d.settle()
	return d
}

// offerOnlyWhatTheRouteAsks: a follow-up question whose parent question has
// a proposed answer that does not lead to it is not asked by the form, so
// its proposal is not offered as an answer (the form would never send it).
// What the case holds stays as the field's suggestion, to use if the parent
// answer is changed. A follow-up whose parent is unanswered keeps its
// proposal: the person answering the parent decides.
func offerOnlyWhatTheRouteAsks(d *Draft) {
	for _, fld := range d.Fields() {
		if fld.ShowIf == nil || fld.Proposed == "" {
			continue
		}
		parent, ok := d.Field(fld.ShowIf.Field)
		if !ok || parent.Proposed == "" || fld.ShowIf.holds(parent.Proposed) {
			continue
		}
		fld.Suggestion, fld.Proposed, fld.Value = fld.Proposed, "", ""
		fld.Source = strings.TrimSpace(fld.Source + " The form asks this only with another answer to '" + parent.Label + "', so it is not offered; it is kept here in case that answer changes.")
	}
}

// caseReference names the case on every document and file: the Children's
// Services reference, or the start of Waymark's id before one is issued.
// Never the child's name.
func caseReference(c pathway.Case) string {
	if r := c.Reference(); r != "" {
		return r
	}
	id := c.ID
	if len(id) > 8 {
		id = id[:8]
	}
	return "case-" + id
}

var referralProposals = map[string]proposal{
	"reference": func(f *facts) (string, string) {
		return caseReference(f.c), "The Children's Services reference for the case (annex step 1). It stays with you: the form does not send it."
	},
	"user-organisation": proposeOrganisation,
	"fr-location": func(f *facts) (string, string) {
		return "england", "Waymark follows the English safeguarding pathway."
	},
	"pv-under-age": proposeUnderAge,
	"local-authority-contacted-about-child-local-authority-name":  proposeLocalAuthority,
	"local-authority-contacted-about-child-local-authority-phone": proposeLocalAuthorityContact(false),
	"local-authority-contacted-about-child-local-authority-email": proposeLocalAuthorityContact(true),
	"local-authority-contacted-about-child-local-authority-first-name": func(f *facts) (string, string) {
		p, src := f.childrensServicesWorker()
		first, _ := splitName(p.Name)
		return first, "From " + src + "."
	},
	"local-authority-contacted-about-child-local-authority-last-name": func(f *facts) (string, string) {
		p, src := f.childrensServicesWorker()
		_, last := splitName(p.Name)
		return last, "From " + src + "."
	},
	"birthplace":         recorded(pathway.FactBirthplace, birthplaceNotRecorded),
	"family":             recorded(pathway.FactFamily, proposeFamily),
	"education":          recorded(pathway.FactEducation, proposeEducation),
	"employment-history": proposeEmployment,
	"potential-victim-exploitative-situation-multiple": func(f *facts) (string, string) {
		switch g := f.statisticsGroups(); {
		case len(g) > 1:
			// Several kinds can be one situation (a cannabis farm is labour
			// and crime at once): only the team can say.
			return "", "The concern records more than one kind of exploitation: " + strings.Join(f.typeLabels(), ", ") + ". Answer yes if they were separate situations, no if they were one."
		case len(g) == 1:
			return "no", "The concern records one kind of exploitation: " + strings.Join(f.typeLabels(), ", ") + ". Answer yes if there was more than one situation."
		}
		return "", "The concern records no kind of exploitation."
	},
	"when-did-the-exploitation-take-place":          recorded(pathway.FactExploitationWhen, whenNotRecorded),
	"when-did-the-exploitation-take-place-multiple": recorded(pathway.FactExploitationWhen, proposeWhen(true)),
	"how-did-the-exploitation-start":                recorded(pathway.FactHowItStarted, howItStartedNotRecorded),
	"were-they-taken-somewhere-by-their-exploiter": func(f *facts) (string, string) {
		if journeys(f) != "" {
			return "yes", "The case records travel or missing episodes: see the journey details."
		}
		return "", "Nothing on the case says the child was taken anywhere."
	},
	"were-they-taken-somewhere-by-their-exploiter-journey-details": func(f *facts) (string, string) {
		return journeys(f), "Missing episodes (§7.1), travel indicators (§5.1(5), §5.1(6), §5.3) and the record of a child from abroad (§7)."
	},
	"what-were-they-required-to-do": func(f *facts) (string, string) {
		lines := evidenceLines(f.in("specific-labour-servitude", "specific-sexual", "specific-criminal", "specific-county-lines",
			"general.moving-drugs", "general.cannabis-farm-or-cuckooed-home", "general.works-in-building-factory-or-barbers", "general.poor-working-conditions"))
		if len(f.types) == 0 && len(lines) == 0 {
			return "", "The concern records no kind of exploitation and no sign of what the child was made to do."
		}
		v := paragraphs(titled("Suspected exploitation:", bullets(f.typeLabels())), titled("What was seen:", bullets(lines)))
		return v, "The exploitation types and the exploitation-specific indicators recorded with the concern (§2.1, §5.2). Add tasks, hours and breaks as the child describes them."
	},
	"living-conditions":                    recorded(pathway.FactLivingConditions, saidOnTheCase(livingWords, fromIndicators(livingConditionsFromIndicators))),
	"how-they-were-treated":                recorded(pathway.FactTreatment, saidOnTheCase(treatmentWords, fromIndicators(treatmentFromIndicators))),
	"still-in-exploitative-situation":      recorded(pathway.FactStillInSituation, stillInSituationFromTheCase),
	"what-is-keeping-them-in-situation":    recordedOnlyIf(pathway.FactWhatKeepsThem, pathway.FactStillInSituation, []string{"yes"}, saidOnTheCase(keepingWords, fromIndicators(whatKeepsThemFromIndicators))),
	"how-why-did-they-leave-the-situation": recordedOnlyIf(pathway.FactHowTheyLeft, pathway.FactStillInSituation, []string{"no"}, howTheyLeftFromThePlacement),
	"when-last-contact":                    recorded(pathway.FactLastContact, nothingRecorded("Nobody has recorded when the child last had contact with the exploiters: ask the child, or the police, and record it on the case.")),
	"details-last-contact":                 recorded(pathway.FactLastContactDetail, fromIndicators(lastContactDetailsFromIndicators)),
	"is-this-the-first-chance-to-report":   proposeReportedBefore,
	"yes-the-first-chance-to-report":       proposeEarlierReports,
	"not-sure-the-first-chance-to-report":  recordedOnlyIf(pathway.FactReportedBeforeHow, pathway.FactReportedBefore, []string{"not-sure"}, nothingRecorded("Optional. Say what may have been reported before, and any NRM or Home Office reference.")),
	"why-report-now": func(f *facts) (string, string) {
		lines := evidenceLines(f.in("disclosure-barriers", "general.unwilling-to-disclose", "general.reluctant-to-seek-help"))
		if len(lines) == 0 {
			return "", "No barrier to disclosure is recorded (§5.4). Say in your judgement what delayed it."
		}
		return bullets(lines), "Barriers to disclosure recorded as indicators (§5.4)."
	},
	"modern-slavery-indicators": func(f *facts) (string, string) {
		if len(f.indicators) == 0 {
			return "", "No indicator is recorded on the concern."
		}
		return "yes", fmt.Sprintf("%d indicators are recorded on the concern.", len(f.indicators))
	},
	"modern-slavery-indicators-details": proposeIndicators,
	"where-how-interview-carried-out":   proposeInterviews,
	"professional-insight":              proposeInsight,
	"evidence-of-dishonesty": func(f *facts) (string, string) {
		return "no", "No evidence-based concern about the child's credibility is recorded. An account given late, in pieces or with errors is itself a recognised sign (§5.4), not dishonesty."
	},
	"are-others-involved": func(f *facts) (string, string) {
		if involvement(f) == "" {
			return "", "Nobody else is recorded on the case yet."
		}
		return "yes", "Children's Services, the people assigned and the agencies at meetings are on the case."
	},
	"are-others-involved-details": func(f *facts) (string, string) {
		return involvement(f), "Contact, workers, strategy discussions, meetings, actions, support and immediate actions on the case (§8.8(5))."
	},
	"where-exploitation-happened":                               proposeWhereExploitationHappened,
	"where-exploitation-happened-uk-city-1":                     proposeUKTown(1),
	"where-exploitation-happened-uk-city-2":                     proposeUKTown(2),
	"where-exploitation-happened-uk-city-3":                     proposeUKTown(3),
	"where-exploitation-happened-uk-city-4":                     proposeUKTown(4),
	"where-exploitation-happened-uk-city-5":                     proposeUKTown(5),
	"where-exploitation-happened-uk-city-6":                     proposeUKTown(6),
	"where-exploitation-happened-uk-city-7":                     proposeUKTown(7),
	"where-exploitation-happened-uk-city-8":                     proposeUKTown(8),
	"where-exploitation-happened-uk-city-9":                     proposeUKTown(9),
	"where-exploitation-happened-uk-city-10":                    proposeUKTown(10),
	"where-exploitation-happened-other-uk-other-location":       proposeOtherUKPlaces,
	"where-exploitation-happened-overseas-country-1":            proposeCountry(1),
	"where-exploitation-happened-overseas-country-2":            proposeCountry(2),
	"where-exploitation-happened-overseas-country-3":            proposeCountry(3),
	"where-exploitation-happened-overseas-country-4":            proposeCountry(4),
	"where-exploitation-happened-overseas-country-5":            proposeCountry(5),
	"where-exploitation-happened-overseas-country-6":            proposeCountry(6),
	"where-exploitation-happened-overseas-country-7":            proposeCountry(7),
	"where-exploitation-happened-overseas-country-8":            proposeCountry(8),
	"where-exploitation-happened-overseas-country-9":            proposeCountry(9),
	"where-exploitation-happened-overseas-country-10":           proposeCountry(10),
	"where-exploitation-happened-other-overseas-other-location": proposeOtherOverseasPlaces,
	"current-pv-location-uk-city":                               proposeWhereNow(false),
	"current-pv-location-uk-region":                             proposeWhereNow(true),
	"who-exploited-pv":                                          recorded(pathway.FactExploiters, proposeExploiters),
	"exploiters-location":                                       proposeExploitersWhereabouts,
	"are-exploiters-in-the-uk":                                  proposeExploitersInTheUK,
	"exploiters-current-location-details":                       recorded(pathway.FactExploitersDetail, nothingRecorded("Nobody has recorded where the exploiters are: give any information, even old.")),

	"types-of-exploitation":                    proposeTypes,
	"other-exploitation-details":               proposeOtherExploitation,
	"any-other-pvs":                            proposeOtherVictims,
	"other-potential-victims-yes-details":      recordedOnlyIf(pathway.FactOtherVictimsInfo, pathway.FactOtherVictims, []string{"yes"}, otherVictimsFromTheCase),
	"other-potential-victims-not-sure-details": recordedOnlyIf(pathway.FactOtherVictimsInfo, pathway.FactOtherVictims, []string{"not-sure"}, nothingRecorded("Optional. Say why there may be other potential victims.")),
	"future-exploitation-concerns": func(f *facts) (string, string) {
		if futureRisk(f) == "" {
			return "", "Nothing on the case yet evidences a risk of further exploitation."
		}
		return "yes", "Missing episodes, immediate risk and dependence on the exploiters are recorded."
	},
	"future-exploitation-reasons": func(f *facts) (string, string) {
		return futureRisk(f), "Evidence of ongoing risk recorded on the case (§4.3, §5.1)."
	},
	"reported-to-police":                 proposeReportedToPolice,
	"reported-to-police-police-forces":   proposePoliceForce,
	"reported-to-police-crime-reference": proposeCrimeReference,
	"authorities-cooperation":            proposeCooperation,
	"authorities-cooperation-details":    recordedOnlyIf(pathway.FactHelpDetails, pathway.FactHelpInvestigation, []string{"yes"}, nothingRecorded("Optional. Any co-operation with the police, now or planned. Do not write web or email addresses: the form refuses them.")),
	"pv-want-to-submit-nrm": func(f *facts) (string, string) {
		return "", "Nothing to answer for a child (§8.3)."
	},
	"pv-name-first-name": func(f *facts) (string, string) {
		if n := f.c.Concern.Child.GivenNames; n != "" {
			return n, "The child's given names as recorded, with any correction (§7.5)."
		}
		return "", "No given name is recorded, and the form requires one: give the name the child uses, or write 'Not known'."
	},
	"pv-name-last-name": func(f *facts) (string, string) {
		if n := f.c.Concern.Child.FamilyName; n != "" {
			return n, "The child's family name as recorded, with any correction (§7.5)."
		}
		return "", "No family name is recorded, and the form requires one: give the name the child uses, or write 'Not known'."
	},
	"pv-name-nickname": func(f *facts) (string, string) {
		return strings.Join(f.c.Concern.Child.Aliases, ", "), "Other names recorded for the child."
	},
	"pv-dob": func(f *facts) (string, string) {
		if a := f.completedAgeAssessment(); a != nil && a.AssessedDateOfBirth != "" {
			return a.AssessedDateOfBirth, "The date of birth given by the age assessment completed on " + dayOf(a.CompletedOn) + " (§7.4)."
		}
		if dob := f.c.Concern.Child.DateOfBirth; dob != "" {
			return dob, "The date of birth recorded for the child."
		}
		return "", "Optional. No date of birth is recorded; leave it blank rather than guess."
	},
	"pv-gender": func(f *facts) (string, string) {
		switch g := f.c.Concern.Child.Gender; g {
		case "female", "male":
			return g, "The gender recorded for the child."
		case "other":
			return "unknown", "Recorded as another gender; the form's choice is 'identifies as neither'."
		}
		return "", "The child's gender is recorded as not known."
	},
	"does-pv-have-children":                proposeHasChildren,
	"does-pv-have-children-yes-amount":     recorded(pathway.FactNumberOfChildren, nothingRecorded("Nobody has recorded how many children they have.")),
	"pv-nationality":                       proposeNationality(0),
	"pv-nationality-second":                proposeNationality(1),
	"pv-interpreter-requirements":          proposeInterpreter(false),
	"pv-interpreter-requirements-language": proposeInterpreter(true),
	"pv-other-help-with-communication":     proposeCommunicationNeeds,
	"pv-other-help-with-communication-aid": proposeCommunicationAid,
	"pv-ho-reference": func(f *facts) (string, string) {
		switch {
		case len(f.c.Support.UKVI) > 0:
			return "yes", "UK Visas and Immigration raised a concern about the child (§7.5)."
		case strings.EqualFold(f.c.Concern.Child.Nationality, "British"):
			return "no", "The child is recorded as British."
		}
		return "", "Ask whether the child has a visa, asylum or port reference."
	},
	"pv-ho-reference-type": func(f *facts) (string, string) {
		var lines []string
		for _, u := range f.c.Support.UKVI {
			lines = append(lines, "UKVI referral of "+day(u.RaisedAt)+": "+sentence(u.Details))
		}
		return strings.Join(lines, " "), "The UKVI concern recorded on the case (§7.5). Add the reference number."
	},
	"fr-details-first-name": func(f *facts) (string, string) {
		p, src := firstResponder(f)
		first, _ := splitName(p.Name)
		return first, src
	},
	"fr-details-last-name": func(f *facts) (string, string) {
		p, src := firstResponder(f)
		_, last := splitName(p.Name)
		return last, src
	},
	"fr-details-role":               proposeFRRole,
	"fr-details-phone":              proposeFRPhone,
	"fr-alternative-contact":        proposeFRAlternative,
	"upload-file":                   proposeUploads,  // assemble_files.go
	"what-evidence-you-will-submit": proposeEvidence, // assemble_files.go
}

func proposeUnderAge(f *facts) (string, string) {
	ch := f.c.Concern.Child
	done := f.completedAgeAssessment()
	switch {
	case f.openAgeAssessment() != nil:
		return "not-sure", "An age assessment is under way: the child is treated as a child until it decides, and it never holds up the referral (§7.4)."
	case done != nil && done.Outcome == "adult":
		return "", "The age assessment completed on " + dayOf(done.CompletedOn) + " found the person to be an adult: take advice before using the child route (§7.4)."
	case done != nil:
		return "yes", "The age assessment completed on " + dayOf(done.CompletedOn) + " found the person to be a child (§7.4)."
	case ch.AgeUncertain:
		return "not-sure", "The child's age is uncertain: they are treated as a child until an assessment decides (§7.4)."
	case f.age >= 0 && f.age < 18:
		return "yes", "The child is " + f.ageWords() + "."
	}
	return "not-sure", "No age is recorded: a person who may be under 18 is treated as a child (§7.4)."
}

func proposeFamily(f *facts) (string, string) {
	var lines []string
	for _, p := range f.linked(pathway.RelationshipParent, pathway.RelationshipCarer, pathway.RelationshipSibling,
		pathway.RelationshipSponsor, pathway.RelationshipClaimedRelative) {
		l := p.Name + ": " + lowerFirst(pathway.RelationshipLabel(p.Relationship))
		if p.Notes != "" {
			l += ". " + sentence(p.Notes)
		} else {
			l += "."
		}
		lines = append(lines, l)
	}
	for _, t := range f.c.Support.Tracing {
		l := "Family tracing recorded on " + day(t.RecordedAt)
		if t.ContactMade {
			l += ", contact made"
		}
		lines = append(lines, l+": "+sentence(t.Notes))
	}
	lines = append(lines, evidenceLines(f.in("general-family"))...)
	var head string
	if f.c.FamilySuspected() {
		head = "Family or carers are suspected of involvement in the exploitation."
	}
	if head == "" && len(lines) == 0 {
		return "", "No family member is recorded on the case. If nothing is known, say so."
	}
	return paragraphs(head, bullets(lines)), "People linked to the child at the strategy discussion (§6.7), family tracing (§7.6) and family indicators (§5.1(4))."
}

func proposeEducation(f *facts) (string, string) {
	var lines []string
	for _, s := range f.c.Support.Items {
		if s.Kind != pathway.SupportEducation {
			continue
		}
		l := "Education support: " + lowerFirst(optionText(pathway.SupportStatuses(), s.Status))
		if s.Provider != "" {
			l += ", " + s.Provider
		}
		if s.Notes != "" {
			l += ". " + sentence(s.Notes)
		} else {
			l += "."
		}
		lines = append(lines, l)
	}
	if a := f.c.Support.Abroad; a != nil && a.MissingEducationChecked {
		lines = append(lines, "A check with the children missing education service has been made (§7.1).")
	}
	lines = append(lines, evidenceLines(f.in("general.truancy", "general.poor-attendance-or-attainment", "general.school-registration-churn", "abroad.not-in-school"))...)
	if len(lines) == 0 {
		return "", "Nothing about the child's schooling is recorded. Ask the school or the virtual school."
	}
	return bullets(lines), "Education support, school-related indicators and the missing education check (§5.1(2), §5.1(5), §7.1)."
}

func proposeEmployment(f *facts) (string, string) {
	if f.age >= 0 && f.age < 18 {
		return "None recorded. The child is " + f.ageWords() + ".", "Waymark records no work before the exploitation. Check with the child."
	}
	return "", "Waymark records no work before the exploitation. Check with the child."
}

func proposeWhen(multiple bool) proposal {
	return func(f *facts) (string, string) {
		identified := "The signs were first identified on " + day(f.c.Concern.IdentifiedAt) + ", when the child was " + f.ageWords() + ". Where: " + sentence(f.c.Concern.IdentifiedWhere)
		var situations []string
		if multiple {
			for _, t := range f.types {
				situations = append(situations, t.Label+": start and end dates not yet established; signs identified "+day(f.c.Concern.IdentifiedAt)+".")
			}
		}
		v := paragraphs(identified, bullets(situations), titled("Missing episodes:", bullets(f.missingEpisodes(time.Time{}))))
		return v, "When the concern was identified and the missing episodes (§7.1). Add when it began if the child or others have said."
	}
}

func journeys(f *facts) string {
	var lines []string
	lines = append(lines, f.missingEpisodes(time.Time{})...)
	lines = append(lines, evidenceLines(f.in("general.travelling-alone-far-from-home", "general.found-far-from-home",
		"general.unexplained-moves", "abroad.brought-from-another-country", "abroad.journey-arranged-by-others", "abroad.entered-illegally"))...)
	if a := f.c.Support.Abroad; a != nil {
		l := "The child came to the UK from abroad"
		if a.UASC {
			l += " as an unaccompanied asylum-seeking child"
		}
		lines = append(lines, l+".")
	}
	return bullets(lines)
}

func (f *facts) placementSince(t time.Time) *pathway.Placement {
	p := f.c.Support.CurrentPlacement()
	if p == nil || p.StartedAt.Before(t) {
		return nil
	}
	return p
}

func earlierReports(f *facts) []string {
	var out []string
	if r := f.c.Concern.PoliceReference; r != "" {
		out = append(out, "Police told when the concern was raised on "+day(f.c.RaisedAt)+", reference "+r+".")
	}
	for _, m := range f.c.Safety.Missing {
		if m.PoliceReference != "" {
			out = append(out, "Reported missing to the police on "+day(m.StartedAt)+", reference "+m.PoliceReference+".")
		}
	}
	return out
}

func proposeIndicators(f *facts) (string, string) {
	if len(f.indicators) == 0 {
		return "", "No indicator is recorded on the concern."
	}
	var lines []string
	for _, o := range f.indicators {
		l := o.Label
		if o.Section != "" {
			l += " (" + o.Section + ", " + lowerFirst(o.GroupLabel) + ")"
		}
		if o.Evidence == "" {
			lines = append(lines, l+": "+evidenceNeeded)
			continue
		}
		lines = append(lines, l+": "+sentence(o.Evidence))
	}
	intro := fmt.Sprintf("Observed by %s of %s and recorded on %s against indicator catalogue version %s, which follows sections 5.1 to 5.4 of the local child trafficking procedure. The indicators support a professional assessment; they are not a score.",
		f.c.Referrer.Name, f.c.Referrer.OrgName, day(f.c.RaisedAt), f.c.Concern.CatalogVersion)
	return paragraphs(intro, bullets(lines)), "Each indicator recorded with the concern and the evidence written for it (§8.8(2))."
}

func proposeInterviews(f *facts) (string, string) {
	c := f.c
	lines := []string{fmt.Sprintf("%s of %s identified the child on %s. Where: %s", c.Referrer.Name, c.Referrer.OrgName, when(c.Concern.IdentifiedAt), sentence(c.Concern.IdentifiedWhere))}
	for _, sd := range c.Strategy.Discussions {
		l := "Strategy discussion on " + day(sd.HeldAt) + ": "
		if sd.JointInterview {
			l += "a joint interview by police and Children's Services was agreed."
		} else {
			l += "no joint interview was agreed."
		}
		lines = append(lines, l)
	}
	for _, iv := range c.Strategy.Interviews {
		l := "Interview planned for " + when(iv.PlannedFor)
		if iv.PlannedFor.After(f.now) {
			l += ", not yet held"
		}
		l += ". Interviewers: " + strings.Join(iv.Interviewers, "; ") + "."
		if len(iv.Present) > 0 {
			l += " Also present: " + strings.Join(iv.Present, "; ") + "."
		}
		if iv.Interpreter != nil {
			l += " With a professional, approved and DBS-checked interpreter."
		}
		lines = append(lines, l+" Family, carers and anyone suspected are never present (§6.7).")
	}
	if b := c.Strategy.CurrentInterpreter(); b != nil {
		l := "The child's interpreter speaks " + b.Language
		if b.Dialect != "" {
			l += ", " + b.Dialect + " dialect"
		}
		lines = append(lines, l+"; the child's preference: "+lowerFirst(b.GenderPreferenceLabel())+".")
	}
	for _, m := range c.Safety.Missing {
		if iv := m.Interview; iv != nil {
			l := "Return interview on " + day(iv.HeldAt) + " by " + iv.By + "."
			if iv.NotDisclosed != "" {
				l += " Not disclosed: " + sentence(iv.NotDisclosed)
			}
			lines = append(lines, l)
		}
	}
	obs := evidenceLines(f.in("general-behaviour", "general.tired-or-withdrawn-look", "abroad.afraid-to-talk-to-officials"))
	v := paragraphs(bullets(lines), titled("How the child presented:", bullets(obs)))
	return v, "The encounter, strategy discussions, planned interviews, interpreters and return interviews (§6.7, §7.1, §7.5). Add breaks, who was present and how the child was."
}

func proposeInsight(f *facts) (string, string) {
	c := f.c
	encounter := fmt.Sprintf("How the child came to our attention: %s of %s identified the child on %s. Where: %s %s",
		c.Referrer.Name, c.Referrer.OrgName, day(c.Concern.IdentifiedAt), sentence(c.Concern.IdentifiedWhere), sentence(c.Concern.Summary))

	var groups []string
	for _, o := range f.indicators {
		if g := lowerFirst(o.GroupLabel); g != "" && !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
	}
	why := ""
	if len(f.indicators) > 0 {
		why = fmt.Sprintf("Why we consider the child a potential victim: %d indicators are recorded, in these areas: %s. They are set out with their evidence under the indicators question.",
			len(f.indicators), strings.Join(groups, "; "))
		if len(f.types) > 0 {
			why += " The suspected exploitation: " + lowerFirst(andList(f.typeLabels())) + "."
		}
		why += " A child cannot consent to their own exploitation, so the means used to control them need not be shown (§2.6)."
	}

	var support []string
	if ct := c.Contact; ct != nil {
		support = append(support, "Children's Services received the concern on "+day(ct.ReceivedAt)+", reference "+ct.Reference+".")
	}
	for _, sd := range c.Strategy.Discussions {
		if sd.Section47 {
			support = append(support, "A strategy discussion on "+day(sd.HeldAt)+" started a Section 47 child protection enquiry.")
		}
	}
	for _, m := range c.Meetings.Meetings {
		if r := m.Held; r != nil && r.NRMDecision == pathway.NRMSubmit {
			support = append(support, "The "+m.KindLabelShort()+" multi-agency meeting on "+day(m.ScheduledFor)+" agreed to refer the child to the NRM, with "+r.LeadOrgName+" as lead First Responder (§8.5).")
		}
	}
	if r := c.Concern.PoliceReference; r != "" {
		support = append(support, "The police were told when the concern was raised, reference "+r+".")
	}

	var vulnerable []string
	vulnerable = append(vulnerable, "The child is "+f.ageWords()+".")
	if c.Concern.Child.AgeUncertain {
		vulnerable = append(vulnerable, "Their age is uncertain; they are treated as a child (§7.4).")
	}
	if a := c.Support.Abroad; a != nil {
		s := "They came to the UK from abroad"
		if a.UASC {
			s += " as an unaccompanied asylum-seeking child"
		}
		vulnerable = append(vulnerable, s+" (§7).")
	}
	if c.FamilySuspected() {
		vulnerable = append(vulnerable, "Family or carers are suspected of involvement (§1.2).")
	}
	if n := len(c.Safety.Missing); n > 0 {
		vulnerable = append(vulnerable, "They have gone missing "+times(n)+" since the concern was raised.")
	}

	return paragraphs(encounter, why,
			titled("What supports this account:", bullets(support)),
			titled("What makes the child vulnerable:", bullets(vulnerable)),
			titled("Further information likely to follow (§8.8(3)):", bullets(furtherInformation(f))),
			titled("Immediate concerns for the child's health, well-being and safety (§8.8(6)):", bullets(immediateConcerns(f)))),
		"Built from the concern, the indicators, the decisions on the case, what is still open and the immediate concerns (§8.8(1), (3), (6)). Add your reasoning in your own words."
}

func furtherInformation(f *facts) []string {
	var out []string
	for _, a := range f.c.Meetings.Actions {
		if !a.Done() {
			out = append(out, sentence(a.Text)+" Owner: "+a.Owner.Name+", due "+dayOf(a.DueOn)+".")
		}
	}
	for _, iv := range f.c.Strategy.Interviews {
		if iv.PlannedFor.After(f.now) {
			out = append(out, "An interview with the child is planned for "+day(iv.PlannedFor)+".")
		}
	}
	if a := f.openAgeAssessment(); a != nil {
		out = append(out, "An age assessment requested on "+day(a.RequestedAt)+" is under way.")
	}
	if u := f.c.Support.AwaitingUKVIConfirmation(); u != nil {
		out = append(out, "UKVI's written confirmation of its referral of "+day(u.RaisedAt)+" is awaited (§7.5).")
	}
	return out
}

func immediateConcerns(f *facts) []string {
	var out []string
	if f.c.Concern.ImmediateRisk {
		out = append(out, "Immediate risk of harm was reported when the concern was raised.")
	}
	if ep := f.c.Safety.OpenEpisode(); ep != nil {
		out = append(out, "The child is missing now, since "+when(ep.StartedAt)+".")
	}
	out = append(out, evidenceLines(f.in("general.self-harm-or-suicidal", "general.trauma-symptoms", "general.low-mood", "general.substance-use",
		"general.unexplained-injuries", "general.assault-or-restraint-injuries", "general.refuses-medical-treatment", "county-lines.internal-concealment",
		"sexual.sexually-transmitted-infection", "sexual.pregnancy"))...)
	for _, s := range f.c.Support.Items {
		if (s.Kind == pathway.SupportMedical || s.Kind == pathway.SupportCAMHS) && s.Status != pathway.SupportDeclined {
			out = append(out, optionText(pathway.SupportKinds(), s.Kind)+": "+lowerFirst(optionText(pathway.SupportStatuses(), s.Status))+".")
		}
	}
	return out
}

func involvement(f *facts) string {
	c := f.c
	var lines []string
	if ct := c.Contact; ct != nil {
		l := ct.By.OrgName + " received the concern on " + day(ct.ReceivedAt) + ", reference " + ct.Reference + "."
		if o := c.Outcome; o != nil {
			l += " Outcome given on " + day(o.GivenAt) + ": " + lowerFirst(pathway.OutcomeLabel(o.Decision)) + "."
		}
		lines = append(lines, l)
	}
	for _, w := range c.Workers {
		lines = append(lines, w.Name+", "+w.OrgName+", is assigned to the case.")
	}
	for _, sd := range c.Strategy.Discussions {
		var orgs []string
		for _, p := range sd.Participants {
			if p.Organisation != "" && !slices.Contains(orgs, p.Organisation) {
				orgs = append(orgs, p.Organisation)
			}
		}
		lines = append(lines, "Strategy discussion on "+day(sd.HeldAt)+" with "+strings.Join(orgs, ", ")+": Section 47 enquiry "+yesNo(sd.Section47)+", joint interview "+yesNo(sd.JointInterview)+".")
	}
	for _, m := range c.Meetings.Meetings {
		r := m.Held
		if r == nil {
			lines = append(lines, m.KindLabelShort()+" multi-agency meeting arranged for "+day(m.ScheduledFor)+".")
			continue
		}
		l := m.KindLabelShort() + " multi-agency meeting on " + day(m.ScheduledFor) + ". Attended by: " + strings.Join(r.Attendees, "; ") + "."
		if r.NRMDecision == pathway.NRMSubmit {
			l += " It agreed to refer the child to the NRM, with " + r.LeadOrgName + " as lead First Responder."
		} else {
			l += " NRM referral: " + lowerFirst(r.NRMDecisionLabel()) + "."
		}
		l += " Child protection conference: " + yesNo(r.ChildProtectionConference) + ". Information shared with the police: " + yesNo(r.InformationSharedWithPolice) + "."
		for _, p := range m.Powers {
			l += " " + p.PowerLabel() + ": " + lowerFirst(p.OutcomeLabel()) + "."
		}
		lines = append(lines, l)
	}
	for _, a := range c.Meetings.Actions {
		status := "open, due " + dayOf(a.DueOn)
		if a.Done() {
			status = "done on " + day(*a.DoneAt)
		}
		lines = append(lines, "Action: "+strings.TrimSuffix(a.Text, ".")+". Owner "+a.Owner.Name+", "+a.Owner.OrgName+"; "+status+".")
	}
	for _, s := range c.Support.Items {
		l := optionText(pathway.SupportKinds(), s.Kind) + ": " + lowerFirst(optionText(pathway.SupportStatuses(), s.Status))
		if s.Provider != "" {
			l += ", " + s.Provider
		}
		lines = append(lines, l+".")
	}
	for _, u := range c.Support.UKVI {
		l := "UK Visas and Immigration raised a concern on " + day(u.RaisedAt)
		if u.ConfirmedAt != nil {
			l += " and confirmed it in writing on " + day(*u.ConfirmedAt)
		}
		lines = append(lines, l+" (§7.5).")
	}
	var actions []string
	for _, a := range c.Concern.ImmediateActions {
		if ia, ok := f.cat.ImmediateAction(a); ok {
			actions = append(actions, lowerFirst(ia.Label))
		}
	}
	if len(actions) > 0 {
		lines = append(lines, "Immediate actions recorded when the concern was raised (§6.4): "+strings.Join(actions, "; ")+".")
	}
	for _, fi := range c.NRM.FurtherInformation {
		lines = append(lines, "Further information sent to the Home Office on "+dayOf(fi.SentOn)+": "+sentence(fi.Summary))
	}
	return bullets(lines)
}

func places(f *facts) []string {
	out := []string{"Where the child was identified: " + sentence(f.c.Concern.IdentifiedWhere)}
	for _, m := range f.c.Safety.Missing {
		if m.WhereFound != "" && m.EndedAt != nil {
			out = append(out, "Where the child was found on "+day(*m.EndedAt)+": "+sentence(m.WhereFound))
		}
	}
	out = append(out, evidenceLines(f.in("general.travelling-alone-far-from-home", "general.found-far-from-home", "general.cannabis-farm-or-cuckooed-home", "sexual.found-in-brothel-or-sauna"))...)
	return out
}

func proposeExploiters(f *facts) (string, string) {
	var lines []string
	for _, p := range f.linked(pathway.RelationshipSuspectedExploiter) {
		l := p.Name + ": suspected exploiter."
		if p.Notes != "" {
			l += " " + sentence(p.Notes)
		}
		lines = append(lines, l)
	}
	lines = append(lines, evidenceLines(f.in("sexual.much-older-partner", "criminal.gang-association", "criminal.gang-members-in-family", "abroad.no-prior-relationship-with-adult"))...)
	head := ""
	if f.c.FamilySuspected() {
		head = "Family or carers are suspected of involvement."
	}
	if head == "" && len(lines) == 0 {
		return "", "No suspected exploiter is recorded. If nothing is known, say so."
	}
	return paragraphs(head, bullets(lines)), "Suspected exploiters linked to the child (§6.7) and indicators about the people around them (§5.2) (§8.8(4)(d))."
}

func (f *Form) fieldOptions(id string) []Option {
	ff, _ := f.Field(id)
	return ff.Options
}

func otherVictims(f *facts) string {
	var lines []string
	for _, p := range f.linked(pathway.RelationshipOther) {
		l := "Someone else was found with the child"
		if p.Notes != "" {
			l += ": " + sentence(p.Notes)
		} else {
			l += "."
		}
		lines = append(lines, l)
	}
	lines = append(lines, evidenceLines(f.in("general.several-unrelated-children", "general.unrelated-child-at-address", "abroad.story-matches-others"))...)
	return bullets(lines)
}

func futureRisk(f *facts) string {
	var lines []string
	if f.c.Concern.ImmediateRisk {
		lines = append(lines, "Immediate risk of harm was reported when the concern was raised.")
	}
	if n := len(f.c.Safety.Missing); n > 0 {
		lines = append(lines, "The child has gone missing "+times(n)+" since the concern was raised; missing children are at risk of being re-trafficked (§4.3).")
	}
	if ep := f.c.Safety.OpenEpisode(); ep != nil {
		lines = append(lines, "The child is missing now, since "+when(ep.StartedAt)+".")
	}
	lines = append(lines, evidenceLines(f.in("general-dependency", "general.missing-episodes", "general.long-missing-episodes", "general.unexplained-contact-from-adults"))...)
	for _, r := range f.c.Support.RepatriationRisk {
		lines = append(lines, "Repatriation risk assessment of "+dayOf(r.AssessedOn)+": "+sentence(r.Findings))
	}
	return bullets(lines)
}

func proposeInterpreter(language bool) proposal {
	return func(f *facts) (string, string) {
		ch := f.c.Concern.Child
		if b := f.c.Strategy.CurrentInterpreter(); b != nil {
			if language {
				l := b.Language
				if b.Dialect != "" {
					l += ", " + b.Dialect + " dialect"
				}
				return l, "The language of the interpreter booked for the child (§7.5)."
			}
			return "yes", "An interpreter is booked for the child (§7.5)."
		}
		english := slices.ContainsFunc(ch.Languages, func(l string) bool { return strings.EqualFold(strings.TrimSpace(l), "English") })
		switch {
		case len(ch.Languages) == 0:
			return "", "No language is recorded for the child."
		case english && !language:
			return "no", "The child speaks English, as recorded."
		case english:
			return "", ""
		case language:
			l := ch.Languages[0]
			if ch.Dialect != "" {
				l += ", " + ch.Dialect + " dialect"
			}
			return l, "The child's first recorded language."
		}
		return "yes", "The child's recorded languages do not include English: " + strings.Join(ch.Languages, ", ") + "."
	}
}

func intermediary(f *facts) *pathway.SupportItem {
	for i, s := range f.c.Support.Items {
		if s.Kind == pathway.SupportRegisteredIntermediary && s.Status != pathway.SupportDeclined {
			return &f.c.Support.Items[i]
		}
	}
	return nil
}

// firstResponder is who submits: who recorded the submission, else the
// person signed in when their organisation is a First Responder (§8.2),
// else the social worker on the case.
func firstResponder(f *facts) (pathway.Party, string) {
	if s := f.c.NRM.Submission; s != nil {
		return s.By, "Who recorded the NRM submission."
	}
	if d := f.drafter; d != nil && d.InFirstResponderOrg && d.Name != "" {
		return d.Party, "You, signed in to Waymark for a First Responder organisation (" + d.OrgName + "): the person referring."
	}
	p, src := f.childrensServicesWorker()
	if p.Name == "" {
		return p, "The First Responder who will submit the form."
	}
	return p, "From " + src + ": change it to whoever submits the form."
}

type document struct{ name, what string }

// documents are the records on the case worth attaching to the referral.
func documents(f *facts) []document {
	c := f.c
	var out []document
	for _, sd := range c.Strategy.Discussions {
		out = append(out, document{"Record of the strategy discussion of " + day(sd.HeldAt), "who took part and what was decided, including any Section 47 enquiry, made " + day(sd.HeldAt) + "."})
	}
	for _, m := range c.Meetings.Meetings {
		if m.Held != nil {
			out = append(out, document{"Minutes of the " + m.KindLabelShort() + " meeting of " + day(m.ScheduledFor), "the multi-agency plan and the decision on the NRM referral, written " + day(m.Held.RecordedAt) + "."})
		}
	}
	if cp := c.Support.CarePlan(); cp != nil {
		out = append(out, document{"Care plan agreed " + dayOf(cp.AgreedOn), "how the child is protected from the exploiters and what happens if they go missing (§7.2)."})
	}
	for _, a := range c.Support.AgeAssessments {
		if a.Completed {
			out = append(out, document{"Age assessment completed " + dayOf(a.CompletedOn), "the local authority's assessment of the child's age (§7.4)."})
		}
	}
	for _, r := range c.Support.RepatriationRisk {
		out = append(out, document{"Repatriation risk assessment of " + dayOf(r.AssessedOn), "the danger the child would face if returned (§7.6)."})
	}
	for _, m := range c.Safety.Missing {
		if iv := m.Interview; iv != nil {
			out = append(out, document{"Return interview of " + day(iv.HeldAt), "what the child said and did not say after going missing (§7.1)."})
		}
	}
	for _, u := range c.Support.UKVI {
		if u.ConfirmedAt != nil {
			out = append(out, document{"UKVI written confirmation of " + day(*u.ConfirmedAt), "UK Visas and Immigration's referral to children's social care (§7.5)."})
		}
	}
	return out
}

// andList joins items as people write them: "a, b and c".
func andList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	lowered := make([]string, len(items))
	for i, it := range items {
		lowered[i] = it
		if i > 0 {
			lowered[i] = lowerFirst(it)
		}
	}
	return strings.Join(lowered[:len(lowered)-1], ", ") + " and " + lowered[len(lowered)-1]
}

// times is "once", "twice" or "5 times".
func times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}
