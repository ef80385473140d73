package nrm_test

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"waymark/internal/nrm"
)

// The form counts an answer as JavaScript does: in UTF-16 code units, so an
// emoji (beyond the Basic Multilingual Plane) counts 2, an accented letter
// 1. An answer of 7,500 emoji is exactly at the limit.
func TestTheFormCountsAnEmojiAsTwoCharacters(t *testing.T) {
	for _, c := range []struct {
		v    string
		want int
	}{
		{"🙂", 2}, {"é", 1}, {"e\u0301", 2}, {"中文", 2}, {"👍🏽", 4}, {"❤️", 2}, {"𝒜", 2},
	} {
		if got := nrm.FormLength(nrm.TypeTextarea, c.v); got != c.want {
			t.Errorf("FormLength(%q) = %d, want %d", c.v, got, c.want)
		}
	}
	atLimit := strings.Repeat("🙂", 7500)
	d := draftWith(t, map[string]string{"professional-insight": atLimit})
	for _, p := range problemsOf(d, "professional-insight") {
		if p.Kind == nrm.ProblemOverLimit {
			t.Fatalf("7,500 emoji (15,000 as the form counts) reported over the limit: %+v", p)
		}
	}
	d = draftWith(t, map[string]string{"professional-insight": atLimit + "🙂"})
	wantProblem(t, d, "professional-insight", nrm.ProblemOverLimit, true, "15,002 characters", "Shorten it by 2")
}

// A browser sends every line break in a box of several lines as CR+LF,
// however it was typed, so each counts 2. A one-line box has none: breaks
// and runs of white space become one space.
func TestALineBreakCountsTwoHoweverItWasTyped(t *testing.T) {
	for _, v := range []string{"a\nb", "a\r\nb", "a\rb"} {
		if got := nrm.FormLength(nrm.TypeTextarea, v); got != 4 {
			t.Errorf("FormLength(textarea, %q) = %d, want 4", v, got)
		}
		if got := nrm.FormValue(nrm.TypeTextarea, v); got != "a\r\nb" {
			t.Errorf("FormValue(textarea, %q) = %q, want the CR+LF the browser sends", v, got)
		}
		if got := nrm.FormValue(nrm.TypeText, v); got != "a b" {
			t.Errorf("FormValue(text, %q) = %q, want one space", v, got)
		}
	}
	if got := nrm.FormLength(nrm.TypeTextarea, "a\n\nb"); got != 6 {
		t.Errorf("a blank line: %d, want 6", got)
	}
}

// The form trims and collapses white space as JavaScript does: a
// no-break space and a byte-order mark are trimmed, a next-line control
// (U+0085) is not.
func TestTheFormTrimsAsJavaScriptDoes(t *testing.T) {
	for _, c := range []struct {
		typ, v, want string
	}{
		{nrm.TypeTextarea, "\ufeff\u00a0abc\u3000", "abc"},
		{nrm.TypeTextarea, "\u0085abc", "\u0085abc"},
		{nrm.TypeText, "a\u00a0\u2003 b", "a b"},
		{nrm.TypeText, "  a\tb  ", "a b"},
	} {
		if got := nrm.FormValue(c.typ, c.v); got != c.want {
			t.Errorf("FormValue(%s, %q) = %q, want %q", c.typ, c.v, got, c.want)
		}
	}
}

// The form folds a run of hyphens, en dashes and em dashes into one '-'
// and leaves every other dash alone (its formatter's [–—-]+).
func TestTheFormFoldsOnlyItsOwnDashes(t *testing.T) {
	for _, c := range []struct{ v, want string }{
		{"a – b — c", "a - b - c"},
		{"a-–—-b", "a-b"},
		{"a‒b", "a‒b"}, // figure dash
		{"a−b", "a−b"}, // minus sign
		{"a―b", "a―b"}, // horizontal bar
	} {
		if got := nrm.FormValue(nrm.TypeTextarea, c.v); got != c.want {
			t.Errorf("FormValue(%q) = %q, want %q", c.v, got, c.want)
		}
	}
}

// formURL is the forms framework's url pattern as the form's code writes
// it; the form refuses an answer in which it finds a match.
var formURL = regexp.MustCompile(`[-a-zA-Z0-9@:%._\+~#=]{2,256}\.[a-z]{2,6}\b([-a-zA-Z0-9@:%_\+.~#?&//=]*)`)

// The two boxes that take no web or email address refuse what the form's
// own pattern matches, and nothing else.
func TestWebAddressesAreRefusedByTheFormsOwnPattern(t *testing.T) {
	refused := []string{"www.example.com", "x@force.police.uk", "He said.then left", "kingsport-lines.com", "see bit.ly/x",
		"https://example.org", "a1.co", "Call 07700 900000 or text on snap.me", "TEXT.me"}
	accepted := []string{"3.5 hours", "He was 3.5 miles away.", "e.g. a phone", "i.e. the flat", "www.example", "St. Helens", "St.Helens",
		"said.everything", "Mr.Smith", "a.bc", "10.30am", "x@gmail", "No address here.", ""}
	for _, v := range refused {
		if !nrm.LooksLikeURL(v) {
			t.Errorf("%q: the form refuses it, Waymark does not flag it", v)
		}
	}
	for _, v := range accepted {
		if nrm.LooksLikeURL(v) {
			t.Errorf("%q: the form takes it, Waymark flags it", v)
		}
	}
	// The scan is the pattern written out: on many strings from the
	// characters that matter, both give the same answer.
	rng := rand.New(rand.NewPCG(12, 34))
	alphabet := []rune("ab.xZ9@_- :/ée")
	for i := 0; i < 20000; i++ {
		n := 1 + rng.IntN(12)
		r := make([]rune, n)
		for j := range r {
			r[j] = alphabet[rng.IntN(len(alphabet))]
		}
		v := string(r)
		if got, want := nrm.LooksLikeURL(v), formURL.MatchString(v); got != want {
			t.Fatalf("%q: LooksLikeURL = %v, the form's pattern says %v", v, got, want)
		}
	}
	// On the draft: only the two boxes, and only what the form refuses.
	d := draftWith(t, map[string]string{"details-last-contact": "Messages on snap.me from dex", "authorities-cooperation": "yes",
		"authorities-cooperation-details": "Will speak to the police at www.example.com"})
	wantProblem(t, d, "details-last-contact", nrm.ProblemLink, true, "snap.me")
	wantProblem(t, d, "authorities-cooperation-details", nrm.ProblemLink, true, "refuses")
	d = draftWith(t, map[string]string{"details-last-contact": "Texts every 3.5 hours, e.g. at night."})
	wantNoProblem(t, d, "details-last-contact")
}

// The form takes a date of birth only before today and after 1 January
// 1900 (its before and after rules; after is strict).
func TestADateOfBirthInTheFutureIsRefused(t *testing.T) {
	c, now := mustCase(t, "county-lines-boy")
	base := nrm.Assemble(c, cat, now)
	today := now.Format("2006-01-02")
	tomorrow := now.AddDate(0, 0, 1).Format("2006-01-02")
	for v, says := range map[string]string{tomorrow: "in the future", "2099-01-01": "in the future", "1900-01-01": "after 1 January 1900", "1899-12-31": "after 1 January 1900", "2010-02-29": "real date"} {
		d := nrm.ApplyEdits(base, []nrm.Edit{{Field: "pv-dob", Version: 1, Value: v}})
		wantProblem(t, d, "pv-dob", nrm.ProblemInvalid, true, says)
	}
	for _, v := range []string{today, "1900-01-02", "2010-02-28"} {
		d := nrm.ApplyEdits(base, []nrm.Edit{{Field: "pv-dob", Version: 1, Value: v}})
		wantNoProblem(t, d, "pv-dob")
	}
	// Today is London's day: at 11:30pm on 31 March in London (22:30
	// UTC), 31 March is today and 1 April is still to come.
	late := time.Date(2026, 3, 31, 22, 30, 0, 0, time.UTC)
	if msg := nrm.DateOfBirthProblem("Date of birth", "2026-03-31", late); msg != "" {
		t.Errorf("today refused: %s", msg)
	}
	if msg := nrm.DateOfBirthProblem("Date of birth", "2026-04-01", late); msg == "" {
		t.Error("tomorrow taken")
	}
	// Another date (the reconsideration's decision date) is only a date.
	if msg := nrm.DateOfBirthProblem("x", "2026-04-01", time.Time{}); msg != "" {
		t.Errorf("with no day given, only the date's shape is checked: %s", msg)
	}
}

// The sanitiser list is the form's own, in its order (HOF's
// config/sanitisation-rules.js), and runs as the form runs it.
func TestTheSanitiserIsTheFormsOwn(t *testing.T) {
	want := []string{"/*", "*/", "|", "&&", "@@", "/..;/", "/etc/passwd", "c:\\", "cmd.exe", "<", ">", "[", "]", "~", "&#", "%U"}
	for _, k := range []nrm.Kind{nrm.Referral, nrm.Reconsideration} {
		if got := nrm.FormFor(k).Rewritten; !slices.Equal(got, want) {
			t.Errorf("%s: rewritten = %q, want the form's %q", k, got, want)
		}
	}
	form := nrm.FormFor(nrm.Referral)
	for _, c := range []struct{ v, want string }{
		{"a/..;/b", "a-b"},
		{"a<b", "a<-b"}, {"a<-b", "a<-b"}, {"a<<<b", "a<-b"},
		{"a]b", "a]-b"}, {"a]-b", "a]--b"}, {"a]]b", "a]-b"},
		{"a&&&b", "a&b"}, {"a&b", "a&b"}, {"x@@y", "x@y"},
		{"%u0041 %U0041", "-0041 -0041"}, {"CMD.EXE C:\\ /ETC/PASSWD", "- - -"},
		{"a|b /*c*/", "a-b -c-"}, {"&#39;", "-39;"}, {"~-~", "~-~-"},
		{"plain words - with a dash", "plain words - with a dash"},
	} {
		if got := form.Sanitise(c.v); got != c.want {
			t.Errorf("Sanitise(%q) = %q, want %q", c.v, got, c.want)
		}
	}
	d := draftWith(t, map[string]string{"living-conditions": "Path was /..;/ in the notes"})
	wantProblem(t, d, "living-conditions", nrm.ProblemRewritten, false, "'/..;/'")
	// What the form keeps as it is is not flagged: '<-' is left alone.
	d = draftWith(t, map[string]string{"living-conditions": "Home <- school, every day. 100% sure."})
	wantNoProblem(t, d, "living-conditions")
}

// The documents to upload are files, not text: their names are not held
// to the text limit or rules.
func TestTheDocumentNamesAreNotLimitedAsText(t *testing.T) {
	long := strings.Repeat("Minutes of the strategy meeting [draft] | copy\n", 400)
	d := draftWith(t, map[string]string{"upload-file": long})
	f, _ := d.Field("upload-file")
	if f.Limit != 0 {
		t.Errorf("the document names have a limit of %d", f.Limit)
	}
	for _, p := range problemsOf(d, "upload-file") {
		t.Errorf("document names reported: %+v", p)
	}
}

// Email and number answers follow the form's own rules.
func TestEmailsAndNumbersFollowTheFormsRules(t *testing.T) {
	for v, ok := range map[string]bool{
		"team@example.gov.uk": true, "first.last+nrm@cs.example.org": true, " team@example.gov.uk ": true,
		"a@b.c": false, "a..b@example.com": false, "a@example": false, "Team <team@example.gov.uk>": false,
		"tëam@example.com": false, "a@b@example.com": false, "team@exa_mple.com": false, strings.Repeat("a", 65) + "@example.com": false,
	} {
		if got := nrm.ValidEmail(nrm.FormValue(nrm.TypeText, v)); got != ok {
			t.Errorf("ValidEmail(%q) = %v, want %v", v, got, ok)
		}
		d := draftWith(t, map[string]string{"fr-alternative-contact": v})
		if ok {
			wantNoProblem(t, d, "fr-alternative-contact")
		} else {
			wantProblem(t, d, "fr-alternative-contact", nrm.ProblemInvalid, true, "email address")
		}
	}
	for v, ok := range map[string]bool{"2": true, " 03 ": true, "٣": false, "2.5": false, "-1": false, "1 2": false} {
		d := draftWith(t, map[string]string{"does-pv-have-children": "yes", "does-pv-have-children-yes-amount": v})
		if ok {
			wantNoProblem(t, d, "does-pv-have-children-yes-amount")
		} else {
			wantProblem(t, d, "does-pv-have-children-yes-amount", nrm.ProblemInvalid, true, "digits only")
		}
	}
}
