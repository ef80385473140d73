package nrm_test

import (
	"fmt"
	"testing"
	"time"

	"waymark/internal/nrm"
	"waymark/internal/pathway"
)

// busyCase is a long case: a concern with 50 indicators, then missing
// episodes with return interviews, notes, support and people linked to the
// child until its log holds 200 events.
func busyCase(tb testing.TB) (pathway.Case, time.Time) {
	start := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	var indicators []pathway.ObservedIndicator
	for _, in := range cat.Indicators[:50] {
		indicators = append(indicators, seen(in.ID, "Seen by two practitioners on separate days and written up the same day: "+in.Label+"."))
	}
	s := newStory(tb, start)
	s.after(time.Hour).raise(outreachWorker, "case-busy", pathway.Concern{
		Child: pathway.Child{GivenNames: "Riley", FamilyName: "Stone", DateOfBirth: dob(start, 14, 2), Gender: "female", Nationality: "British",
			Languages: []string{"English"}, CurrentLocation: "At the youth project"},
		IdentifiedAt: start, IdentifiedWhere: "Harbour Street Outreach drop-in",
		Summary:           "Riley came to the drop-in with a new phone and cash, and left with two men in a car.",
		ExploitationTypes: []string{"county-lines", "sexual", "labour"},
		Indicators:        indicators,
		ImmediateActions:  []string{"immediate-risk-assessed", "designated-lead-notified"},
	})
	s.after(time.Hour).contact("CS-2025-004711")
	s.do(frontDoor, pathway.AssignWorker{WorkerEmail: "grace@example.test", Worker: socialWorker.Party, WorkerRole: socialWorker.Role})
	kinds := []string{pathway.SupportMedical, pathway.SupportCAMHS, pathway.SupportEducation, pathway.SupportCriminalLegalAdvice, pathway.SupportICTG}
	for i := 0; s.c.Version < 200; i++ {
		switch i % 7 {
		case 0:
			s.after(30*time.Hour).do(socialWorker, pathway.ReportMissing{StartedAt: s.now.Add(-2 * time.Hour), Circumstances: fmt.Sprintf("Left the house after a phone call, episode %d", i/7+1), PoliceInformed: true, PoliceReference: fmt.Sprintf("WP-25-%04d", i)})
		case 1:
			s.after(20*time.Hour).do(socialWorker, pathway.RecordFound{EndedAt: s.now.Add(-time.Hour), WhereFound: "A flat in Kingsport, by the police"})
		case 2:
			s.after(20*time.Hour).do(socialWorker, pathway.RecordReturnInterview{HeldAt: s.now.Add(-time.Hour), By: "Sam Ortiz", Disclosed: "She was taken to a flat and told to hold a bag", NotDisclosed: "Who drove"})
		case 3, 4:
			s.after(time.Hour).do(socialWorker, pathway.AddNote{Text: fmt.Sprintf("Call with the school about attendance and a new friend group, number %d.", i)})
		case 5:
			s.after(time.Hour).do(socialWorker, pathway.RecordSupport{Kind: kinds[(i/7)%len(kinds)], Status: pathway.SupportRequested, Provider: "Westmere services"})
		case 6:
			s.after(time.Hour).do(socialWorker, pathway.RecordLinkedPerson{Name: fmt.Sprintf("Older man %d", i/7+1), Relationship: pathway.RelationshipSuspectedExploiter, Notes: "Seen collecting her in a grey car"})
		}
	}
	return s.c, s.now.Add(time.Hour)
}

// BenchmarkAssembleAndRenderDraft assembles the referral of a case with 50
// indicators and 200 events, checks it and renders it as PDF and as text:
// what a download of the draft as a document costs (target: under 50 ms).
func BenchmarkAssembleAndRenderDraft(b *testing.B) {
	c, now := busyCase(b)
	if c.Version != 200 || len(c.Concern.Indicators) != 50 {
		b.Fatalf("the case has %d events and %d indicators, want 200 and 50", c.Version, len(c.Concern.Indicators))
	}
	var size int
	b.ReportAllocs()
	for b.Loop() {
		d := nrm.Assemble(c, cat, now)
		pdf, err := nrm.PDF(d)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf) + len(nrm.Text(d))
	}
	b.ReportMetric(float64(size), "bytes/draft")
}

// BenchmarkRenderDraftInEveryScript renders a referral whose answers need
// every fallback face (Arabic, Ethiopic, Chinese) and a placeholder: the
// PDF library parses each added face for each document, the CJK one 4 MB.
func BenchmarkRenderDraftInEveryScript(b *testing.B) {
	c, now := mustCase(b, "groomed-girl")
	d := nrm.ApplyEdits(nrm.Assemble(c, cat, now), []nrm.Edit{
		{Field: "pv-name-first-name", Version: 1, Value: "محمد عبد الله", SavedAt: now},
		{Field: "pv-name-last-name", Version: 1, Value: "ሰላም ተስፋይ", SavedAt: now},
		{Field: "pv-name-nickname", Version: 1, Value: "王小明 🙂", SavedAt: now},
	})
	var size int
	b.ReportAllocs()
	for b.Loop() {
		pdf, err := nrm.PDF(d)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "bytes/pdf")
}

// BenchmarkRenderDraftInLatinScript is the same referral as typed in the
// Latin script, for comparison.
func BenchmarkRenderDraftInLatinScript(b *testing.B) {
	c, now := mustCase(b, "groomed-girl")
	d := nrm.Assemble(c, cat, now)
	var size int
	b.ReportAllocs()
	for b.Loop() {
		pdf, err := nrm.PDF(d)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "bytes/pdf")
}
