package nrm_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"waymark/internal/nrm"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ from the drafts assembled now")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/nrm -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs from the draft assembled now, first at line %d:\n got: %s\nwant: %s\n(run go test ./internal/nrm -update if the change is intended, and read the diff)", path, i+1, g, w)
			}
		}
	}
}

// fieldRecord is one field of a golden draft: what was proposed, from
// where, and whether it is on the child's route.
type fieldRecord struct {
	ID     string `json:"id"`
	Shown  bool   `json:"shown"`
	Value  string `json:"value,omitempty"`
	Source string `json:"source,omitempty"`
}

type draftRecord struct {
	Kind     string        `json:"kind"`
	Case     string        `json:"case"`
	Fields   []fieldRecord `json:"fields"`
	Problems []nrm.Problem `json:"problems"`
}

func record(d nrm.Draft) []byte {
	r := draftRecord{Kind: string(d.Kind), Case: d.CaseReference, Problems: nrm.Check(d)}
	for _, f := range d.Fields() {
		r.Fields = append(r.Fields, fieldRecord{ID: f.ID, Shown: f.Shown, Value: f.Value, Source: f.Source})
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

// The assembled drafts of the three sample cases, field by field with their
// sources, and as the plain-text export, are kept as golden files: a change
// to what Waymark proposes shows up as a diff to read.
func TestAssembledDraftsOfTheSampleCases(t *testing.T) {
	for _, sc := range sampleCases {
		t.Run(sc.name, func(t *testing.T) {
			c := sc.build(t)
			d := nrm.Assemble(c, cat, sc.now)
			golden(t, sc.name+".referral.json", record(d))
			golden(t, sc.name+".referral.txt", nrm.Text(d))
			if nrm.ReconsiderationOpen(c) {
				r := nrm.AssembleReconsideration(c, cat, sc.now)
				golden(t, sc.name+".reconsideration.json", record(r))
				golden(t, sc.name+".reconsideration.txt", nrm.Text(r))
			}
		})
	}
}

// Every field of the form that a child's route shows is either answered
// from the case or reported as missing, with where to find the answer.
func TestEveryFieldOnTheRouteIsFilledOrReportedMissing(t *testing.T) {
	for _, sc := range sampleCases {
		t.Run(sc.name, func(t *testing.T) {
			c := sc.build(t)
			for _, d := range []nrm.Draft{nrm.Assemble(c, cat, sc.now), nrm.AssembleReconsideration(c, cat, sc.now)} {
				problems := nrm.Check(d)
				for _, f := range d.Fields() {
					if !f.Shown || !f.Counts() || f.Answered() || !f.Required {
						continue
					}
					found := false
					for _, p := range problems {
						if p.Field == f.ID && p.Kind == nrm.ProblemMissing && p.Blocking {
							found = true
							if !strings.Contains(p.Message, f.Label) {
								t.Errorf("%s: the missing answer %s is reported as %q, which does not name it", d.Kind, f.ID, p.Message)
							}
						}
					}
					if !found {
						t.Errorf("%s: %s is required, shown and empty, but not reported missing", d.Kind, f.ID)
					}
					if f.Source == "" {
						t.Errorf("%s: %s is empty and says nothing about where to find the answer", d.Kind, f.ID)
					}
				}
			}
		})
	}
}

// The referral follows the online form: every page a child sees, in order,
// and none of the pages only an adult sees (NRM-FORM.md §4, §6).
func TestTheReferralFollowsTheChildRouteOfTheForm(t *testing.T) {
	form := nrm.FormFor(nrm.Referral)
	var steps []int
	for _, s := range form.Sections {
		for _, p := range s.Pages {
			steps = append(steps, p.Step)
		}
	}
	want := []int{1, 2, 3, 4, 5}
	for s := 7; s <= 40; s++ {
		want = append(want, s)
	}
	for s := 48; s <= 55; s++ {
		want = append(want, s)
	}
	want = append(want, 59, 60, 61, 62)
	if len(steps) != len(want) {
		t.Fatalf("the referral has pages %v, want the child's route %v", steps, want)
	}
	for i := range want {
		if steps[i] != want[i] {
			t.Fatalf("page %d is step %d, want step %d: the pages must keep the form's order", i, steps[i], want[i])
		}
	}
	for _, skipped := range form.NotForChildren {
		for _, s := range steps {
			if s == skipped.Step {
				t.Errorf("step %d (%s) is for adults only but is in the child's referral", s, skipped.Path)
			}
		}
	}
}

// WCAG 3.3.7 (redundant entry), §8.2: the First Responder signed in and
// drafting the referral is proposed as the person referring, not the social
// worker; someone drafting for an organisation that is no First Responder
// is not.
func TestTheFirstResponderDraftingIsProposedAsThePersonReferring(t *testing.T) {
	c, now := mustCase(t, "groomed-girl")
	referrer := func(d nrm.Draft) string {
		first, _ := d.Field("fr-details-first-name")
		last, _ := d.Field("fr-details-last-name")
		return first.Proposed + " " + last.Proposed
	}
	if got := referrer(nrm.AssembleKindFor(nrm.Referral, c, cat, now, policeLead)); got != "DS Hannah Price" {
		t.Errorf("the police lead drafting is offered %q as the person referring", got)
	}
	d := nrm.AssembleKindFor(nrm.Referral, c, cat, now, policeLead)
	if f, _ := d.Field("fr-details-first-name"); !strings.Contains(f.Source, "signed in") {
		t.Errorf("the proposal's source says %q", f.Source)
	}
	if got := referrer(nrm.AssembleKindFor(nrm.Referral, c, cat, now, outreachWorker)); got != "Grace Okonkwo" {
		t.Errorf("someone outside a First Responder organisation drafting is offered %q, want the social worker to change", got)
	}
}
