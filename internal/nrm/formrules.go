package nrm

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"waymark/internal/pathway"
)

// The Home Office form's own rules for what it accepts, read from its code
// (NRM-FORM.md §2; the form's fields and the forms framework it is built
// on, HOF 23.0.4): how it formats an answer before checking it, how it
// counts characters, the pattern it refuses as a web or email address, its
// email and number rules, its date of birth rule, and the sanitiser that
// rewrites some characters after the checks. Each is written here from what
// the form does, not from what it says, so that Waymark flags exactly what
// the form refuses and nothing it accepts.

// jsSpace is a character JavaScript's \s and trim() treat as white space.
func jsSpace(r rune) bool {
	switch {
	case r >= '\t' && r <= '\r', r == ' ', r == '\u00a0', r == '\u1680',
		r >= '\u2000' && r <= '\u200a', r == '\u2028', r == '\u2029',
		r == '\u202f', r == '\u205f', r == '\u3000', r == '\ufeff':
		return true
	}
	return false
}

// jsTrim is JavaScript's String.prototype.trim.
func jsTrim(s string) string { return strings.TrimFunc(s, jsSpace) }

// utf16Length is JavaScript's string length: UTF-16 code units, so a
// character beyond the Basic Multilingual Plane (most emoji) counts 2.
func utf16Length(s string) int {
	n := 0
	for _, r := range s {
		if r > 0xffff {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// isFormDash is one of the three dashes the form folds: the hyphen-minus,
// the en dash and the em dash (its formatter's pattern [–—-]+). Other
// dashes, such as the minus sign, are kept as they are.
func isFormDash(r rune) bool { return r == '-' || r == '\u2013' || r == '\u2014' }

// normaliseDashes does what the form does to every answer: a run of hyphens,
// en dashes and em dashes becomes one '-' (NRM-FORM.md §2).
func normaliseDashes(s string) string {
	prev, clean := false, true
	for _, r := range s {
		d := isFormDash(r)
		if (d && r != '-') || (d && prev) {
			clean = false
			break
		}
		prev = d
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	prev = false
	for _, r := range s {
		d := isFormDash(r)
		switch {
		case d && prev:
		case d:
			b.WriteByte('-')
		default:
			b.WriteRune(r)
		}
		prev = d
	}
	return b.String()
}

// FormValue is an answer as the form's server checks it. A browser sends
// every line break in a box of several lines as CR+LF; the form then trims
// the answer and folds its dashes. A one-line box holds no line breaks (the
// browser turns pasted ones into spaces), and the form also collapses every
// run of white space into one space.
func FormValue(fieldType, v string) string {
	if fieldType == TypeText {
		var b strings.Builder
		space := false
		for _, r := range jsTrim(v) {
			if jsSpace(r) {
				space = true
				continue
			}
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
		return normaliseDashes(b.String())
	}
	v = strings.ReplaceAll(v, "\r\n", "\n")
	v = strings.ReplaceAll(v, "\r", "\n")
	v = strings.ReplaceAll(v, "\n", "\r\n")
	return normaliseDashes(jsTrim(v))
}

// FormLength is the length the form's server checks an answer against: the
// JavaScript length (UTF-16 code units: an emoji counts 2) of FormValue, so
// each line break in a box of several lines counts 2 (NRM-FORM.md §2).
func FormLength(fieldType, v string) int { return utf16Length(FormValue(fieldType, v)) }

// LooksLikeURL reports whether the form refuses v in a box that takes no web
// or email address: the forms framework's notUrl rule refuses any answer in
// which its url pattern, [-a-zA-Z0-9@:%._+~#=]{2,256}\.[a-z]{2,6}\b, finds a
// match. That is a full stop with two of those characters before it and two
// to six lower-case letters after it that end a word: 'www.example.com',
// 'x@force.police.uk' and 'said.then' are refused; '3.5 hours', 'e.g. a
// phone', 'St. Helens' and 'www.example' are not. The scan is the pattern
// written out, so it runs in one pass over the longest answer.
func LooksLikeURL(v string) bool {
	inClass := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-@:%._+~#=", c) >= 0
	}
	word := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
	}
	for p := 2; p < len(v); p++ {
		if v[p] != '.' || !inClass(v[p-1]) || !inClass(v[p-2]) {
			continue
		}
		n := 0
		for p+1+n < len(v) && v[p+1+n] >= 'a' && v[p+1+n] <= 'z' {
			n++
		}
		if n >= 2 && n <= 6 && (p+1+n == len(v) || !word(v[p+1+n])) {
			return true
		}
	}
	return false
}

// formEmail is the forms framework's email pattern; it also refuses a local
// part over 64 characters, a domain over 255 and a domain label over 63.
var formEmail = regexp.MustCompile("^[-!#$%&'*+/0-9=?A-Z^_a-z`{|}~](\\.?[-!#$%&'*+/0-9=?A-Z^_a-z`{|}~])*@[a-zA-Z0-9](-*\\.?[a-zA-Z0-9])*\\.[a-zA-Z](-?[a-zA-Z0-9])+$")

// ValidEmail reports whether the form takes v (as FormValue gives it) as
// an email address.
func ValidEmail(v string) bool {
	account, address, ok := strings.Cut(v, "@")
	if !ok || strings.Contains(address, "@") || utf16Length(account) > 64 || utf16Length(address) > 255 {
		return false
	}
	for _, label := range strings.Split(address, ".") {
		if utf16Length(label) > 63 {
			return false
		}
	}
	return formEmail.MatchString(v)
}

// ValidNumeric reports whether the form takes v as a number: ASCII digits
// only (its numeric rule, /^\d*$/).
func ValidNumeric(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

// DateOfBirthProblem says why the form refuses a date of birth written
// YYYY-MM-DD, or "" when it takes it: it must be a real date, before today
// (its before rule compares with the moment the page is sent, so today is
// taken and tomorrow is not) and after 1 January 1900 (its after rule is
// strict, so 1 January 1900 itself is refused). today is the day in London.
func DateOfBirthProblem(label, v string, today time.Time) string {
	t, err := time.Parse("2006-01-02", v)
	switch {
	case err != nil:
		return fmt.Sprintf("%s must be a real date.", label)
	case !t.After(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)):
		return fmt.Sprintf("%s must be after 1 January 1900.", label)
	case !today.IsZero() && t.After(dayOfLondon(today)):
		return fmt.Sprintf("%s is in the future: the form takes only a date before today.", label)
	}
	return ""
}

// dayOfLondon is the calendar day of t in London, at midnight UTC, to
// compare with a parsed date.
func dayOfLondon(t time.Time) time.Time {
	y, m, d := t.In(pathway.London).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// replaceFold replaces every occurrence of the ASCII sequence seq, in any
// case, with repl.
func replaceFold(s, seq, repl string) string {
	if !containsFoldASCII(s, seq) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if i+len(seq) <= len(s) && equalFoldASCII(s[i:i+len(seq)], seq) {
			b.WriteString(repl)
			i += len(seq)
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// equalFoldASCII compares ignoring the case of ASCII letters only, as a
// JavaScript pattern with the i flag and without u does: no other
// character matches an ASCII letter.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// containsFoldASCII reports whether s holds seq, ignoring the case of
// ASCII letters. It looks only where seq's first byte that is not a
// letter (every sanitiser sequence has one) stands in s.
func containsFoldASCII(s, seq string) bool {
	k := strings.IndexFunc(seq, func(r rune) bool { return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') })
	if k < 0 {
		k = 0
	}
	for from := 0; ; {
		i := strings.IndexByte(s[from:], seq[k])
		if i < 0 {
			return false
		}
		at := from + i - k
		if at >= 0 && at+len(seq) <= len(s) && equalFoldASCII(s[at:at+len(seq)], seq) {
			return true
		}
		from += i + 1
	}
}

// collapseRun replaces each run of c (at least min long) with repl.
func collapseRun(s string, c byte, min int, repl string) string {
	if strings.IndexByte(s, c) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != c {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == c {
			j++
		}
		if j-i >= min {
			b.WriteString(repl)
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}

// markBracket is the sanitiser's two steps for '<', '>', '[' and '~': a run
// becomes one, then one not followed by '-' gets a '-' after it.
func markBracket(c byte) func(string) string {
	return func(s string) string {
		if strings.IndexByte(s, c) < 0 {
			return s
		}
		s = collapseRun(s, c, 1, string(c))
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			b.WriteByte(s[i])
			if s[i] == c && (i+1 == len(s) || s[i+1] != '-') {
				b.WriteByte('-')
			}
		}
		return b.String()
	}
}

func fixed(seq, repl string) func(string) string {
	return func(s string) string { return replaceFold(s, seq, repl) }
}

// sanitiser is every rule of the form's sanitiser, by its key. The
// sanitiser runs after the checks and rewrites the stored answer, each
// rule in turn, ignoring case (HOF's config/sanitisation-rules.js; the
// form's rewritten list names them in that order).
var sanitiser = map[string]func(string) string{
	"/*":          fixed("/*", "-"),
	"*/":          fixed("*/", "-"),
	"|":           fixed("|", "-"),
	"&&":          func(s string) string { return collapseRun(s, '&', 2, "&") },
	"@@":          func(s string) string { return collapseRun(s, '@', 2, "@") },
	"/..;/":       fixed("/..;/", "-"),
	"/etc/passwd": fixed("/etc/passwd", "-"),
	"c:\\":        fixed("c:\\", "-"),
	"cmd.exe":     fixed("cmd.exe", "-"),
	"<":           markBracket('<'),
	">":           markBracket('>'),
	"[":           markBracket('['),
	"]":           func(s string) string { return collapseRun(s, ']', 1, "]-") }, // every ']' gains a '-', even one already followed by '-'
	"~":           markBracket('~'),
	"&#":          fixed("&#", "-"),
	"%U":          fixed("%u", "-"),
}

// Sanitise is what the form stores for v: each of the form's sanitiser
// rules (rewritten, in order) run one after the other.
func (f *Form) Sanitise(v string) string {
	for _, key := range f.Rewritten {
		v = sanitiser[key](v)
	}
	return v
}

// rewrittenBy lists the keys of the sanitiser rules that change v, in the
// form's order, each run on what the rules before it left.
func (f *Form) rewrittenBy(v string) []string {
	var out []string
	for _, key := range f.Rewritten {
		if w := sanitiser[key](v); w != v {
			out = append(out, key)
			v = w
		}
	}
	return out
}
