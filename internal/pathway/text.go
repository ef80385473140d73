package pathway

import (
	"fmt"
	"unicode/utf8"

	"waymark"
)

// TextProblem is the one rule for what text Waymark will keep: every text
// answer of every form, action and API body is held to it, here for the
// pathway's own checks and in internal/web for every field of every form and
// JSON body before anything is decoded. It returns "" when s is acceptable,
// or what is wrong, worded to follow the field's name ("Given names
// contains …").
//
// Refused everywhere: bytes that are not UTF-8; control characters — C0
// (NUL and the rest below U+0020), DEL and C1 (U+0080–U+009F) — which
// print as nothing or break the NRM form, the PDF and the text exports; and
// the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
// U+2066–U+2069), which make a record read differently from what was
// typed (a name or reference shown reversed). Right-to-left names need none
// of them: the Unicode bidirectional algorithm orders Arabic or Tigrinya by
// itself, and the marks U+200E and U+200F stay allowed. Multi-line answers
// (narratives, notes, lists one item a line) may hold tab, line feed and
// carriage return; single-line answers (names, places, references) may
// not, nor the line and paragraph separators U+2028 and U+2029.
func TextProblem(s string, multiLine bool) string {
	if !utf8.ValidString(s) {
		return "contains bytes that are not valid text (UTF-8); retype it rather than pasting it"
	}
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			if !multiLine {
				return "must be on one line: remove the line break"
			}
		case r == '\t':
			if !multiLine {
				return "contains a tab: use a space instead"
			}
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return fmt.Sprintf("contains an invisible control character (U+%04X) that cannot be saved: remove it", r)
		case (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			return fmt.Sprintf("contains an invisible text-direction control (U+%04X) that can make it read differently from what was typed: remove it", r)
		}
	}
	return ""
}

// checkText adds the field's problem, if any, under TextProblem's rule.
func checkText(probs *waymark.Problems, field, what, v string, multiLine bool) {
	if p := TextProblem(v, multiLine); p != "" && !probs.Has(field) {
		probs.Add(field, "%s %s", what, p)
	}
}

// checkItems holds each item of a list answer (one a line on the page) to
// the single-line rule.
func checkItems(probs *waymark.Problems, field, what string, items []string) {
	for _, it := range items {
		if p := TextProblem(it, false); p != "" {
			if !probs.Has(field) {
				probs.Add(field, "%s: one of them %s", what, p)
			}
			return
		}
	}
}
