package pathway

import "testing"

func TestTextProblemRefusesControlsOverridesAndBadUTF8(t *testing.T) {
	for _, tc := range []struct {
		s         string
		multiLine bool
		ok        bool
	}{
		{"Amira Example", false, true}, {"أمينة حداد", false, true}, {"Nguyễn Thị Ánh", false, true}, {"\u200fحداد", false, true},
		{"line one\nline two\r\n\tindented", true, true}, {"line one\nline two", false, false}, {"a\tb", false, false}, {"a\u2028b", false, false},
		{"a\x00b", true, false}, {"a\x1bb", true, false}, {"a\x7fb", true, false}, {"a\u0085b", true, false}, {"a\u009fb", true, false},
		{"a\u202eb", true, false}, {"a\u202ab", true, false}, {"a\u2066b", true, false}, {"a\u2069b", true, false},
		{"caf\xe9", true, false}, {"\xc0\xaf", true, false}, {"\uFFFD", true, true}, {"", false, true},
	} {
		if got := TextProblem(tc.s, tc.multiLine) == ""; got != tc.ok {
			t.Errorf("TextProblem(%q, multi-line %v): acceptable %v, want %v", tc.s, tc.multiLine, got, tc.ok)
		}
	}
}
