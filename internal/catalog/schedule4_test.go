package catalog

import (
	"strings"
	"testing"
	"testing/fstest"
)

// §6.10: Schedule 4 is data with its source on legislation.gov.uk, marked to
// be checked before use with the date it last was, and honest that it is
// incomplete.
func TestScheduleFourIsDataWithItsSourceAndACheckBeforeUseDate(t *testing.T) {
	s, err := LoadScheduleFour()
	if err != nil {
		t.Fatal(err)
	}
	if !s.CheckBeforeUse || s.LastChecked == "" || !strings.Contains(s.Note, "legislation.gov.uk") {
		t.Errorf("the schedule is not marked to be checked against legislation.gov.uk before use: %+v", s)
	}
	if s.Complete {
		t.Error("the copy claims to be complete; it holds only the offences its authors were confident of")
	}
	for _, id := range []string{"common-law.murder", "theft-1968.s8", "modern-slavery-2015.s2"} {
		if _, _, ok := s.Offence(id); !ok {
			t.Errorf("%s is not listed", id)
		}
	}
	// Drug supply, the offence county lines children are most often charged
	// with, is not in the schedule: the defence may apply.
	for _, g := range s.Groups {
		if strings.Contains(g.Label, "Misuse of Drugs") {
			t.Errorf("%s is listed as outside the defence", g.Label)
		}
	}
}

func TestScheduleFourRefusesACopyWithoutItsSourceOrWithRepeatedOffences(t *testing.T) {
	good := `{"title":"t","source":"https://www.legislation.gov.uk/ukpga/2015/30/schedule/4","checkBeforeUse":true,"lastChecked":"2026-12-04","checkedAgainst":"x","note":"n",
		"groups":[{"id":"g","label":"G","offences":[{"id":"g.a","label":"A"}]}]}`
	for name, data := range map[string]string{
		"good":           good,
		"another source": strings.Replace(good, "https://www.legislation.gov.uk/", "https://example.com/", 1),
		"never checked":  strings.Replace(good, `"checkBeforeUse":true`, `"checkBeforeUse":false`, 1),
		"no date":        strings.Replace(good, `"2026-12-04"`, `"soon"`, 1),
		"repeated":       strings.Replace(good, `{"id":"g.a","label":"A"}`, `{"id":"g.a","label":"A"},{"id":"g.a","label":"B"}`, 1),
		"outside group":  strings.Replace(good, `"g.a"`, `"h.a"`, 1),
	} {
		_, err := ParseScheduleFour(fstest.MapFS{fileScheduleFour: {Data: []byte(data)}})
		if (err == nil) != (name == "good") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
