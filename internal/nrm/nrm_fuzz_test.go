package nrm_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"waymark/internal/nrm"
	"waymark/internal/pathway"
)

// FuzzDraft: the NRM draft assembler over any case (decoded from JSON, so
// the fuzzer can reach states the pathway would not make) and any answer a
// worker types over a field. Nothing panics: assembling, laying the edit
// over the proposals, checking, listing tasks, and rendering as text (the
// PDF has FuzzDraftPDF); the edited answer is the one the draft keeps; and
// no text carries a formatting mistake ("%!"); and nothing proposed is
// refused by the form (nrm.ProposalRefusals): every list answer is an
// entry of its list, every choice the form's, every date, email, number
// and address-free box within the form's rules. Only the length is left
// to the team: a case with hundreds of missing episodes makes an answer
// longer than the form takes, and Check says by how much to shorten it.
func FuzzDraft(f *testing.F) {
	for _, sc := range sampleCases {
		seed, err := json.Marshal(sc.build(f))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(seed, "child-first-name", "Riley")
	}
	f.Add([]byte(`{}`), "", "")
	f.Add([]byte(`{"concern":{"child":{"dateOfBirth":"not a date","estimatedAge":-1}}}`), "exploitation-types", "county-lines\nnot-a-type")
	f.Add([]byte(`{"concern":{"indicators":[{"id":"nope"}]},"nrm":{}}`), "x", "\u202e\x00\ufffd")
	// What the form refuses: a nationality that is no entry, a date of birth
	// to come, evidence holding addresses, an exploitation type not known.
	f.Add([]byte(`{"concern":{"child":{"nationality":"Eritrean (his own account)","dateOfBirth":"2999-01-01"},"exploitationTypes":["sham-marriage","x"],`+
		`"indicators":[{"id":"general.unexplained-contact-from-adults","evidence":"dex@line.uk said.then"},{"id":"labour.begging","evidence":"The boss keeps his wages."}]}}`),
		"pv-under-age", "no")
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, caseJSON []byte, field, value string) {
		var c pathway.Case
		if json.Unmarshal(caseJSON, &c) != nil {
			return
		}
		for _, d := range []nrm.Draft{nrm.Assemble(c, cat, now), nrm.AssembleReconsideration(c, cat, now)} {
			for _, p := range nrm.ProposalRefusals(d) {
				if p.Kind != nrm.ProblemOverLimit {
					t.Fatalf("the form would refuse the proposal for %s: %s", p.Field, p.Message)
				}
			}
			d = nrm.ApplyEdits(d, []nrm.Edit{{Field: field, Version: 1, Value: value, SavedAt: now}})
			for _, fd := range d.Fields() {
				if fd.ID == field && fd.Value != value {
					t.Fatalf("field %s: edited to %q, the draft keeps %q", field, value, fd.Value)
				}
				if strings.Contains(fd.Value, "%!") && !strings.Contains(value+string(caseJSON), "%!") {
					t.Fatalf("field %s proposes %q: a formatting mistake", fd.ID, fd.Value)
				}
			}
			problems := nrm.Check(d)
			nrm.Tasks(d, problems)
			nrm.Ready(problems)
			nrm.Coverage(d)
			text := nrm.Text(d)
			if strings.Contains(string(text), "%!") && !strings.Contains(value+string(caseJSON), "%!") {
				t.Fatalf("the text rendering has a formatting mistake:\n%s", text)
			}
		}
	})
}

// FuzzDraftPDF: any answer typed over any field of a sample case's
// referral, rendered as the PDF (the slow part, apart from FuzzDraft).
// Nothing a user can type breaks the document: any valid UTF-8 (any
// script, emoji and their sequences, marks stacked on marks, private-use
// and unassigned code points, controls, direction overrides) renders
// without an error, and so does invalid UTF-8, drawn as U+FFFD.
func FuzzDraftPDF(f *testing.F) {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	sample, _ := mustCase(f, "groomed-girl")
	d := nrm.Assemble(sample, cat, now)
	fields := d.Fields()
	for i, v := range []string{"Riley", "", "a\nb\r\nc", strings.Repeat("long ", 2000), "\u202e\x00\ufffd", "🙂 emoji and 中文", "%s %d %!",
		"محمد عبد الله (Mohammed) ١٢٣", "ሰላም ተስፋይ", "Nguye\u0302\u0303n Thi\u0323", "👨\u200d👩\u200d👧 🇬🇧 👍🏽 ❤️ 1️⃣", "Z\u0351\u0352\u0357\u0300\u0301\u0302\u0303\u0304",
		"\u0644\u0627\u0644\u0623\u0644\u0625\u0644\u0622 \u0640\u0644\u200d", "\u202b\u202d\u2067abc\u2069\u202c", "\U000F0001\uE000\U0010FFFF\u0378", strings.Repeat("王", 500), strings.Repeat("\u0301", 300)} {
		f.Add(uint(i), v)
	}
	f.Fuzz(func(t *testing.T, n uint, value string) {
		field := fields[n%uint(len(fields))].ID
		e := nrm.ApplyEdits(d, []nrm.Edit{{Field: field, Version: 1, Value: value, SavedAt: now}})
		pdf, err := nrm.PDF(e)
		if err != nil {
			t.Fatalf("%s = %q: the PDF failed: %v", field, value, err)
		}
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("%s = %q: the output is not a PDF", field, value)
		}
	})
}
