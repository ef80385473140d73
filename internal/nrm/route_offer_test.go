package nrm_test

import (
	"slices"
	"strings"
	"testing"

	"waymark/internal/nrm"
)

// A follow-up question the proposed answer to its parent does not lead to
// is one the form never asks, so its proposal is kept aside as a suggestion
// and not offered (§8.8: only what the form would send is offered).
func TestAFollowUpTheProposedParentAnswerSkipsIsNotOffered(t *testing.T) {
	checked := 0
	for _, name := range []string{"groomed-girl", "county-lines-boy", "child-from-abroad"} {
		c, now := mustCase(t, name)
		d := nrm.Assemble(c, cat, now)
		for _, f := range d.Fields() {
			if f.ShowIf == nil || f.ShowIf.Filled {
				continue
			}
			parent, ok := d.Field(f.ShowIf.Field)
			if !ok || parent.Proposed == "" || slices.ContainsFunc(strings.Split(parent.Proposed, "\n"), func(v string) bool { return slices.Contains(f.ShowIf.In, v) }) {
				continue
			}
			checked++
			if f.Proposed != "" {
				t.Errorf("%s: %s is offered %q although %s is proposed as %q", name, f.ID, f.Proposed, parent.ID, parent.Proposed)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no sample case has a follow-up its parent's proposal skips: the test checks nothing")
	}
}

// Several kinds of exploitation can be one situation (a cannabis farm is
// labour and crime at once), so "more than one situation" is left to the
// team rather than guessed from the number of kinds.
func TestSeveralKindsOfExploitationAreNotGuessedToBeSeveralSituations(t *testing.T) {
	c, now := mustCase(t, "county-lines-boy")
	c.Concern.ExploitationTypes = []string{"criminal", "labour"}
	d := nrm.Assemble(c, cat, now)
	f, _ := d.Field("potential-victim-exploitative-situation-multiple")
	if f.Proposed != "" || !strings.Contains(f.Source, "separate situations") {
		t.Errorf("proposed %q (%s)", f.Proposed, f.Source)
	}
}
