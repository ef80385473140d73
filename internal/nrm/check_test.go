package nrm_test

import (
	"strings"
	"testing"
	"time"

	"waymark/internal/nrm"
	"waymark/internal/pathway"
)

var checkedAt = time.Date(2026, 2, 24, 9, 0, 0, 0, time.UTC)

// draftWith is the county lines boy's referral with some answers saved over it.
func draftWith(t *testing.T, answers map[string]string) nrm.Draft {
	t.Helper()
	c, now := mustCase(t, "county-lines-boy")
	var edits []nrm.Edit
	for field, v := range answers {
		edits = append(edits, nrm.Edit{Field: field, Version: 1, Value: v, SavedAt: now, SavedBy: "user-sw", SavedByName: "Grace Okonkwo"})
	}
	return nrm.ApplyEdits(nrm.Assemble(c, cat, now), edits)
}

func problemsOf(d nrm.Draft, field string) []nrm.Problem {
	var out []nrm.Problem
	for _, p := range nrm.Check(d) {
		if p.Field == field {
			out = append(out, p)
		}
	}
	return out
}

func wantProblem(t *testing.T, d nrm.Draft, field, kind string, blocking bool, says ...string) {
	t.Helper()
	for _, p := range problemsOf(d, field) {
		if p.Kind != kind {
			continue
		}
		if p.Blocking != blocking {
			t.Errorf("%s %s: blocking = %v, want %v", field, kind, p.Blocking, blocking)
		}
		for _, s := range says {
			if !strings.Contains(p.Message, s) {
				t.Errorf("%s %s: %q does not say %q", field, kind, p.Message, s)
			}
		}
		return
	}
	t.Fatalf("%s: no %s problem; problems: %+v", field, kind, problemsOf(d, field))
}

func wantNoProblem(t *testing.T, d nrm.Draft, field string) {
	t.Helper()
	if ps := problemsOf(d, field); len(ps) > 0 {
		t.Fatalf("%s: unexpected problems %+v", field, ps)
	}
}

func TestARequiredAnswerLeftEmptyIsMissing(t *testing.T) {
	d := draftWith(t, map[string]string{"professional-insight": ""})
	wantProblem(t, d, "professional-insight", nrm.ProblemMissing, true, "Why you are making this referral")
	// An optional answer may stay empty.
	d = draftWith(t, map[string]string{"pv-name-nickname": ""})
	wantNoProblem(t, d, "pv-name-nickname")
}

// A question the form shows only after an answer is neither asked nor
// reported until that answer is chosen.
func TestAConditionalQuestionIsAskedOnlyAfterItsAnswer(t *testing.T) {
	d := draftWith(t, map[string]string{"does-pv-have-children": "no"})
	f, _ := d.Field("does-pv-have-children-yes-amount")
	if f.Shown {
		t.Fatal("how many children is shown after 'no'")
	}
	wantNoProblem(t, d, "does-pv-have-children-yes-amount")

	d = draftWith(t, map[string]string{"does-pv-have-children": "yes"})
	wantProblem(t, d, "does-pv-have-children-yes-amount", nrm.ProblemMissing, true)
	d = draftWith(t, map[string]string{"does-pv-have-children": "yes", "does-pv-have-children-yes-amount": "one"})
	wantProblem(t, d, "does-pv-have-children-yes-amount", nrm.ProblemInvalid, true, "digits")

	// A box ticked in a group opens its follow-up question.
	d = draftWith(t, map[string]string{"types-of-exploitation": "forced-to-commit-crime\nother"})
	wantProblem(t, d, "other-exploitation-details", nrm.ProblemMissing, true)
}

// §8.8(2): every indicator needs its evidence. Concerns record evidence,
// but an indicator added later, or a line still waiting for it, is reported.
func TestAnIndicatorWithoutEvidenceIsReported(t *testing.T) {
	c := pathway.Apply(pathway.Case{}, pathway.Event{CaseID: "case-x", Seq: 1, Type: pathway.EventConcernRaised, At: checkedAt.Add(-time.Hour),
		Actor: outreachWorker.Party, Data: pathway.ConcernRaised{ChildrensServicesOrg: "org-cs", Concern: pathway.Concern{
			Child:        pathway.Child{GivenNames: "Sam", DateOfBirth: "2012-01-01", Gender: "male", CurrentLocation: "School"},
			IdentifiedAt: checkedAt.Add(-2 * time.Hour), IdentifiedWhere: "School", Summary: "Seen with older men.", CatalogVersion: cat.Version,
			Indicators: []pathway.ObservedIndicator{{ID: "general.missing-episodes"}, {ID: "general.hypervigilant", Evidence: "Jumpy in class."}},
		}}})
	d := nrm.Assemble(c, cat, checkedAt)
	wantProblem(t, d, "modern-slavery-indicators-details", nrm.ProblemEvidence, true, "Goes missing again and again")
	n := 0
	for _, p := range problemsOf(d, "modern-slavery-indicators-details") {
		if p.Kind == nrm.ProblemEvidence {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d indicators reported without evidence, want 1", n)
	}

	// Writing the evidence in clears it.
	f, _ := d.Field("modern-slavery-indicators-details")
	fixed := strings.Replace(f.Value, "EVIDENCE NEEDED - say what was seen or heard, when, where and by whom.", "Missing three times this term.", 1)
	d = nrm.ApplyEdits(d, []nrm.Edit{{Field: f.ID, Version: 1, Value: fixed}})
	for _, p := range problemsOf(d, f.ID) {
		if p.Kind == nrm.ProblemEvidence {
			t.Fatalf("still reported after the evidence was written: %+v", p)
		}
	}
}

// §8.7: the Home Office decides on what the form says; a few words cannot
// carry a decision.
func TestATooThinAnswerIsReported(t *testing.T) {
	d := draftWith(t, map[string]string{"professional-insight": "He is a victim."})
	wantProblem(t, d, "professional-insight", nrm.ProblemThin, true, "4 words")
	d = draftWith(t, map[string]string{"professional-insight": strings.Repeat("word ", 80)})
	wantNoProblem(t, d, "professional-insight")
}

// The form takes 15,000 characters, counted after trimming and dash
// normalising, with each line break sent as CR+LF and so counting 2.
func TestTheCharacterLimitCountsLineBreaksAsTwo(t *testing.T) {
	exactly := strings.Repeat("a", 7500) + "\n" + strings.Repeat("b", 7498) // 14,999 runes, 15,000 counted
	if n := nrm.FormLength(nrm.TypeTextarea, exactly); n != 15000 {
		t.Fatalf("FormLength = %d, want 15000", n)
	}
	d := draftWith(t, map[string]string{"professional-insight": exactly})
	wantProblem(t, d, "professional-insight", nrm.ProblemNearLimit, false, "aim for 14,500")
	for _, p := range problemsOf(d, "professional-insight") {
		if p.Kind == nrm.ProblemOverLimit {
			t.Fatalf("an answer of exactly 15,000 is over the limit: %+v", p)
		}
	}

	over := exactly + "\nc" // two more: a line break and a letter
	d = draftWith(t, map[string]string{"professional-insight": over})
	wantProblem(t, d, "professional-insight", nrm.ProblemOverLimit, true, "15,003 characters", "takes 15,000", "Shorten it by 3")
	for _, task := range nrm.Tasks(d, nrm.Check(d)) {
		if task.Section == "insight" && task.Status != nrm.StatusOverLimit {
			t.Errorf("the section is %s, want over the limit", task.Status)
		}
	}

	// CR+LF already in the answer is one line break, not two.
	if a, b := nrm.FormLength(nrm.TypeTextarea, "x\r\ny"), nrm.FormLength(nrm.TypeTextarea, "x\ny"); a != 4 || b != 4 {
		t.Errorf("FormLength of a line break = %d and %d, want 4", a, b)
	}
}

func TestDashesAndSpacesAreCountedAsTheFormKeepsThem(t *testing.T) {
	for _, c := range []struct {
		typ, v string
		want   int
	}{
		{nrm.TypeTextarea, "a – b — c", 9},    // en and em dashes become '-'
		{nrm.TypeTextarea, "a---b", 3},        // a run of dashes becomes one
		{nrm.TypeTextarea, "  trimmed  ", 7},  // surrounding spaces do not count
		{nrm.TypeText, "one\nline   box", 12}, // a one-line box collapses breaks and spaces
	} {
		if got := nrm.FormLength(c.typ, c.v); got != c.want {
			t.Errorf("FormLength(%s, %q) = %d, want %d", c.typ, c.v, got, c.want)
		}
	}
	d := draftWith(t, map[string]string{"pv-name-nickname": "JK\nLittle J"})
	wantProblem(t, d, "pv-name-nickname", nrm.ProblemOneLine, false, "one-line")
}

// The form's sanitiser rewrites brackets, pipes, tildes and some sequences:
// the team is warned, nothing blocks.
func TestCharactersTheFormRewritesAreFlagged(t *testing.T) {
	d := draftWith(t, map[string]string{"living-conditions": "Slept [in the loft] <with> others | no bed && no food ~ cold"})
	wantProblem(t, d, "living-conditions", nrm.ProblemRewritten, false, "'['", "'<'", "'|'", "'&&'", "'~'")
	d = draftWith(t, map[string]string{"living-conditions": "Slept in the loft with others - no bed, no food, cold. Nobody came (for days)."})
	wantNoProblem(t, d, "living-conditions")
}

// Two boxes refuse anything shaped like a web or email address, including
// words joined by a full stop.
func TestAddressesAreReportedWhereTheFormRefusesThem(t *testing.T) {
	for _, v := range []string{"Messages from dex@line.uk", "He said.then left", "See kingsport-lines.com", "www.example.com"} {
		d := draftWith(t, map[string]string{"details-last-contact": v})
		wantProblem(t, d, "details-last-contact", nrm.ProblemLink, true, "refuses")
	}
	// What the form's pattern does not match, it takes: a number with a
	// decimal point, abbreviations, a dot before a capital or a long word.
	for _, v := range []string{"He said he would come back. He was 3.5 miles away.", "e.g. a phone", "www.example", "St.Helens", "said.everything"} {
		d := draftWith(t, map[string]string{"details-last-contact": v})
		wantNoProblem(t, d, "details-last-contact")
	}
	// Elsewhere an email address is fine.
	d := draftWith(t, map[string]string{"are-others-involved-details": strings.Repeat("Contact the team at team@cs.example.gov.uk. ", 3)})
	wantNoProblem(t, d, "are-others-involved-details")
}

func TestAnswersMustBeTheFormsOwn(t *testing.T) {
	cases := []struct{ field, value, says string }{
		{"pv-gender", "other", "not one of the form's choices"},
		{"types-of-exploitation", "forced-to-commit-crime\ncounty-lines", "not one of the form's boxes"},
		{"pv-dob", "2009-02-30", "real date"},
		{"pv-dob", "1899-12-31", "after 1 January 1900"},
		{"fr-alternative-contact", "the team inbox", "email address"},
		{"local-authority-contacted-about-child-local-authority-email", "cs at westmere", "email address"},
	}
	for _, c := range cases {
		d := draftWith(t, map[string]string{c.field: c.value})
		wantProblem(t, d, c.field, nrm.ProblemInvalid, true, c.says)
	}
	d := draftWith(t, map[string]string{"fr-alternative-contact": "nrm.team@westmere.gov.uk", "pv-dob": "2009-08-30"})
	wantNoProblem(t, d, "fr-alternative-contact")
	wantNoProblem(t, d, "pv-dob")
}

// The task list: complete when nothing blocks, incomplete with what is
// missing, over the limit when an answer is too long.
func TestTaskStatusesFollowTheProblems(t *testing.T) {
	d := draftWith(t, map[string]string{"reference": "CS-2026-000190", "user-organisation": "Bedford Borough Council"})
	tasks := nrm.Tasks(d, nrm.Check(d))
	status := map[string]string{}
	for _, task := range tasks {
		status[task.Section] = task.Status
	}
	if status["report"] != nrm.StatusComplete || status["responder"] != nrm.StatusIncomplete {
		t.Fatalf("statuses %v: want report complete and responder incomplete", status)
	}
	for _, task := range tasks {
		if task.Status == nrm.StatusIncomplete && len(task.Problems) == 0 {
			t.Errorf("%s is incomplete but says nothing about what is missing", task.Section)
		}
	}
	if nrm.Ready(nrm.Check(d)) {
		t.Error("a draft with missing answers is ready")
	}
}

// Saved edits are laid over the proposals, newest version first, and the
// whole history is kept; nothing is lost.
func TestEditsAreLaidOverProposalsWithTheirHistory(t *testing.T) {
	c, now := mustCase(t, "county-lines-boy")
	base := nrm.Assemble(c, cat, now)
	edits := []nrm.Edit{
		{Field: "fr-details-role", Version: 2, Value: "Detective Sergeant", SavedAt: now.Add(time.Hour), SavedByName: "DS Hannah Price"},
		{Field: "fr-details-role", Version: 1, Value: "DS", SavedAt: now, SavedByName: "DS Hannah Price"},
		{Field: "pv-name-nickname", Version: 1, Value: "", SavedAt: now, SavedByName: "Grace Okonkwo"},
	}
	d := nrm.ApplyEdits(base, edits)
	role, _ := d.Field("fr-details-role")
	if role.Value != "Detective Sergeant" || role.Version != 2 || !role.Edited || len(role.History) != 2 || role.History[0].Value != "DS" {
		t.Fatalf("role = %+v", role)
	}
	nick, _ := d.Field("pv-name-nickname")
	if nick.Value != "" || nick.Proposed != "JK, Little J" || nick.Version != 1 {
		t.Fatalf("a deliberately cleared answer: %+v", nick)
	}
	if f, _ := base.Field("fr-details-role"); f.Value != "" || f.Edited {
		t.Fatal("ApplyEdits changed the draft it was given")
	}
	fromCase, onRoute := nrm.Coverage(d)
	baseFrom, baseRoute := nrm.Coverage(base)
	if onRoute != baseRoute || fromCase != baseFrom-1 {
		t.Errorf("coverage %d/%d after edits, %d/%d before: an edited proposal is no longer filled from the case", fromCase, onRoute, baseFrom, baseRoute)
	}
}
