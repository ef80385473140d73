package web

import (
	"strings"
	"time"

	"waymark/internal/casework"
	"waymark/internal/catalog"
	"waymark/internal/nrm"
)

// Reference data shown where practitioners use it (issue 13): the §5.2
// gender-bias caution and the grooming stages (§3.3) where exploitation
// types are chosen, the vulnerability factors (§4.5–§4.9) with the
// indicators, and the Reasonable Grounds test as worded on the day where
// evidence is written (the concern form's evidence page, the NRM draft's
// evidence sections). The words are catalogue data (catalog/reference.go).

// thresholdView is the Reasonable Grounds wording in force on a day, with
// its history.
type thresholdView struct {
	Current catalog.ThresholdWording
	From    string // when the current wording started, for people
	History []thresholdHistory
}

type thresholdHistory struct {
	From, Summary  string
	CheckBeforeUse bool
}

type vulnerabilityGroupView struct {
	Label, Section string
	Factors        []catalog.VulnerabilityFactor
}

func (s *Server) reference() *catalog.Reference {
	if s.cat != nil && s.cat.Reference != nil {
		return s.cat.Reference
	}
	return catalog.MustReference()
}

func (s *Server) thresholdOn(day time.Time) *thresholdView {
	r := s.reference()
	w, ok := r.ThresholdOn(day)
	if !ok {
		return nil
	}
	v := &thresholdView{Current: w, From: catalog.FormatDataDate(w.EffectiveFrom)}
	for _, h := range r.ThresholdWordings {
		v.History = append(v.History, thresholdHistory{From: catalog.FormatDataDate(h.EffectiveFrom), Summary: h.Summary, CheckBeforeUse: h.CheckBeforeUse})
	}
	return v
}

func (s *Server) vulnerabilityGroups() []vulnerabilityGroupView {
	r := s.reference()
	var out []vulnerabilityGroupView
	for _, g := range r.VulnerabilityGroups {
		gv := vulnerabilityGroupView{Label: g.Label, Section: g.Section}
		for _, f := range r.VulnerabilityFactors {
			if f.Group == g.ID {
				gv.Factors = append(gv.Factors, f)
			}
		}
		out = append(out, gv)
	}
	return out
}

// addReference puts the reference data a concern form page shows into its
// options: "cautions" and "grooming" where exploitation types are chosen,
// "vulnerability" with the indicators, "threshold" where evidence is written.
func (s *Server) addReference(opts map[string]any, slug string) {
	r := s.reference()
	switch slug {
	case "exploitation":
		opts["cautions"] = r.CautionFor("exploitation-types")
		opts["grooming"] = r.GroomingStages
	case "indicators":
		opts["vulnerability"] = s.vulnerabilityGroups()
		opts["grooming"] = r.GroomingStages
	case "evidence":
		opts["threshold"] = s.thresholdOn(s.svc.Now())
	}
}

// nrmEvidenceSections are the NRM referral's sections where the team writes
// the evidence the Reasonable Grounds decision rests on (§8.7).
var nrmEvidenceSections = map[string]bool{"exploitation": true, "insight": true}

// nrmTypesSection is the referral's section where the types of
// exploitation are ticked.
const nrmTypesSection = "exploiters"

// nrmSectionPage is nrmSection with the Reasonable Grounds wording of the
// day on the referral's evidence sections.
func (s *Server) nrmSectionPage(view casework.NRMDraftView, kind nrm.Kind, caseID, section string, typed map[string]string) (nrmSectionPage, bool) {
	p, ok := nrmSection(view, kind, caseID, section, typed)
	if ok && kind == nrm.Referral && nrmEvidenceSections[section] {
		p.Threshold = s.thresholdOn(s.svc.Now())
	}
	if ok && kind == nrm.Referral && section == nrmTypesSection {
		p.Cautions = s.reference().CautionFor("exploitation-types") // §5.2
	}
	return p, ok
}

// referenceJSON is the reference data for the API's catalogue: each list
// as the catalogue has it, with the versions of its files and the
// Reasonable Grounds wording in force today.
func (s *Server) referenceJSON() map[string]any {
	r := s.reference()
	current := ""
	if w, ok := r.ThresholdOn(s.svc.Now()); ok {
		current = w.ID
	}
	versions := map[string]string{} // by the file's name in camelCase: "disruptionPowers"
	for file, v := range r.Versions {
		name := strings.TrimSuffix(file, ".json")
		for i := strings.IndexByte(name, '-'); i >= 0 && i+1 < len(name); i = strings.IndexByte(name, '-') {
			name = name[:i] + strings.ToUpper(name[i+1:i+2]) + name[i+2:]
		}
		versions[name] = v
	}
	return map[string]any{
		"versions":                  versions,
		"cautions":                  r.Cautions,
		"groomingStages":            r.GroomingStages,
		"vulnerabilityGroups":       r.VulnerabilityGroups,
		"vulnerabilityFactors":      r.VulnerabilityFactors,
		"disruptionPowers":          r.DisruptionPowers,
		"reasonableGroundsWordings": r.ThresholdWordings,
		"reasonableGroundsCurrent":  current,
	}
}
