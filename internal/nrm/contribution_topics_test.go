package nrm_test

import (
	"testing"

	"waymark/internal/nrm"
	"waymark/internal/pathway"
)

// §8.5: what a contributor gives is used in the referral's own words boxes,
// so every topic names text-area questions of the Home Office form.
func TestEveryContributionTopicNamesTheFormsTextAreas(t *testing.T) {
	types := map[string]string{}
	for _, s := range nrm.FormFor(nrm.Referral).Sections {
		for _, p := range s.Pages {
			for _, f := range p.Fields {
				types[f.ID] = f.Type
			}
		}
	}
	for _, tp := range pathway.NRMContributionTopics() {
		for _, id := range tp.Fields {
			if types[id] != nrm.TypeTextarea {
				t.Errorf("topic %s names %q, a %q question, not one of the form's text areas", tp.ID, id, types[id])
			}
		}
	}
}
