package synth

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/"+sampleFile+" from the generator")

// sampleFile is the checked-in sample others can match against:
//
//	waymark match dedupe --in internal/match/synth/testdata/children-2000.csv --map "$(go run ...)"
const sampleFile = "children-2000.csv"

func TestTheSameSeedMakesTheSameRecords(t *testing.T) {
	a, b := Generate(DefaultConfig(500)), Generate(DefaultConfig(500))
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs with one seed differ")
	}
	c := DefaultConfig(500)
	c.Seed++
	if reflect.DeepEqual(a, Generate(c)) {
		t.Fatal("another seed made the same records")
	}
}

// TestLaterRecordsCarryTheDomainsErrors checks that every error mode of a
// child turning up again under another name or date of birth (§4.3, §4.8,
// §7.1, §7.4) is in the evaluated set, and that only later records carry
// them.
func TestLaterRecordsCarryTheDomainsErrors(t *testing.T) {
	records := Generate(DefaultConfig(5000))
	if len(records) != 5000 {
		t.Fatalf("%d records, want 5000", len(records))
	}
	seen := map[Mode]int{}
	later := 0
	ids := map[string]bool{}
	for _, r := range records {
		if ids[r.Person.ID] {
			t.Fatalf("id %s twice", r.Person.ID)
		}
		ids[r.Person.ID] = true
		if r.Later != strings.Contains(r.Person.ID, "-dup-") {
			t.Fatalf("%s: later is %v", r.Person.ID, r.Later)
		}
		if !r.Later {
			if len(r.Modes) > 0 {
				t.Fatalf("first record %s carries %v", r.Person.ID, r.Modes)
			}
			continue
		}
		later++
		if len(r.Modes) == 0 {
			t.Fatalf("later record %s carries no error", r.Person.ID)
		}
		for _, m := range r.Modes {
			seen[m]++
		}
	}
	if later != 1000 {
		t.Errorf("%d later records, want 1000", later)
	}
	for _, m := range Modes {
		if seen[m] < 10 {
			t.Errorf("mode %s on %d later records, want at least 10", m, seen[m])
		}
	}
}

func TestADisputedAgeReplacesTheDateOfBirth(t *testing.T) {
	for _, r := range Generate(DefaultConfig(5000)) {
		p := r.Person
		if p.AgeOn.IsZero() {
			continue
		}
		if p.DateOfBirth != "" || p.AgeFrom > p.AgeTo || p.AgeFrom < 8 || p.AgeTo > 19 {
			t.Fatalf("%s: dob %q, age %d–%d", p.ID, p.DateOfBirth, p.AgeFrom, p.AgeTo)
		}
		if !hasMode(r.Modes, ModeAgeRange) {
			t.Fatalf("%s has an age range but modes %v", p.ID, r.Modes)
		}
	}
}

func TestDatesOfBirthAreValidDates(t *testing.T) {
	for _, r := range Generate(DefaultConfig(5000)) {
		if d := r.Person.DateOfBirth; d != "" {
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				t.Fatalf("%s: %v", r.Person.ID, err)
			}
		}
	}
}

// TestSiblingsAreDifferentChildrenOfOneHome makes sure the set holds the
// hard non-matches: brothers and sisters with the same family name and
// address, some of them twins.
func TestSiblingsAreDifferentChildrenOfOneHome(t *testing.T) {
	firsts := map[int][]Record{}
	for _, r := range Generate(DefaultConfig(5000)) {
		if !r.Later {
			firsts[r.Household] = append(firsts[r.Household], r)
		}
	}
	pairs, twins := 0, 0
	for _, rs := range firsts {
		for i := range rs {
			for j := i + 1; j < len(rs); j++ {
				a, b := rs[i], rs[j]
				if a.Child == b.Child || a.Person.Family != b.Person.Family || a.Person.Street != b.Person.Street {
					t.Fatalf("siblings %s and %s: %+v %+v", a.Person.ID, b.Person.ID, a.Person, b.Person)
				}
				pairs++
				if a.Person.DateOfBirth == b.Person.DateOfBirth {
					twins++
				}
			}
		}
	}
	if pairs < 200 || twins < 10 {
		t.Errorf("%d sibling pairs, %d twins; want at least 200 and 10", pairs, twins)
	}
}

func TestCommonNamesAreCommon(t *testing.T) {
	var vietnamese, nguyen, mohammed int
	for _, r := range Generate(DefaultConfig(5000)) {
		if r.Later {
			continue
		}
		if r.Person.Nationality == "Vietnamese" {
			vietnamese++
			if foldKey(r.Person.Family) == "nguyen" {
				nguyen++
			}
		}
		for _, w := range strings.Fields(r.Person.Given + " " + r.Person.Family) {
			if foldKey(w) == "mohammed" || foldKey(w) == "mohammad" {
				mohammed++
			}
		}
	}
	if nguyen*4 < vietnamese {
		t.Errorf("%d Nguyen among %d Vietnamese children, want a quarter or more", nguyen, vietnamese)
	}
	if mohammed < 100 {
		t.Errorf("%d Mohammed, want 100 or more", mohammed)
	}
}

func TestTransliterationKeepsTheNameRecognisable(t *testing.T) {
	g := &generator{r: newRand(1)}
	for _, w := range []string{"Mohammed", "Tesfaye", "Ahmadi", "Nguyễn"} {
		v := g.spelling(w)
		if v == "" || foldKey(v) == foldKey(w) {
			t.Errorf("spelling(%q) = %q", w, v)
		}
	}
	if got := stripDiacritics("Đặng Thị Quỳnh"); got != "Dang Thi Quynh" {
		t.Errorf("stripDiacritics = %q", got)
	}
}

func TestTruePairsAreThePairsOfOneChild(t *testing.T) {
	records := Generate(DefaultConfig(2000))
	pairs := TruePairs(records)
	for _, p := range pairs {
		if records[p[0]].Child != records[p[1]].Child || p[0] >= p[1] {
			t.Fatalf("pair %v is not of one child", p)
		}
	}
	later := 0
	for _, r := range records {
		if r.Later {
			later++
		}
	}
	if len(pairs) < later {
		t.Errorf("%d true pairs for %d later records", len(pairs), later)
	}
}

func TestTheCSVReadsBackAsWritten(t *testing.T) {
	records := Generate(DefaultConfig(1000))
	var buf bytes.Buffer
	if err := WriteCSV(&buf, records); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(records) {
		t.Fatalf("%d records back, want %d", len(back), len(records))
	}
	for i := range records {
		if !reflect.DeepEqual(back[i], records[i]) {
			t.Fatalf("record %d\n got %+v\nwant %+v", i, back[i], records[i])
		}
	}
}

// TestTheSampleIsCurrent keeps testdata/children-2000.csv what the
// generator makes; rewrite it with -update after changing the generator.
func TestTheSampleIsCurrent(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, Generate(DefaultConfig(2000))); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", sampleFile)
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("%s is not what the generator makes: run go test ./internal/match/synth -run TestTheSampleIsCurrent -update", path)
	}
}
