package match

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// febrlMapping is the mapping of the FEBRL sets (testdata/febrl/README.md).
const febrlMapping = "id=rec_id,given=given_name,family=surname,dob=date_of_birth:YYYYMMDD,street=street_number+address_1+address_2,locality=suburb,postcode=postcode,region=state,identifier=soc_sec_id"

func readFEBRL(t testing.TB, file string) []Person {
	t.Helper()
	m, err := ParseMapping(febrlMapping)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join("testdata", "febrl", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	people, err := ReadPeople(f, file, m)
	if err != nil {
		t.Fatal(err)
	}
	return people
}

// entity is the person a FEBRL record is of: rec-123-org and rec-123-dup-0
// are both person 123.
func entity(id string) string {
	parts := strings.Split(id, "-")
	return parts[1]
}

// quality is the precision, recall and F1 of predicted pairs against every
// true pair: precision divides the true pairs found by the pairs
// predicted, recall divides them by every pair of records of one person.
type quality struct {
	predicted, truePairs, found int
}

func (q quality) precision() float64 { return float64(q.found) / float64(q.predicted) }
func (q quality) recall() float64    { return float64(q.found) / float64(q.truePairs) }
func (q quality) f1() float64 {
	p, r := q.precision(), q.recall()
	return 2 * p * r / (p + r)
}

func measure(left, right []Person, pairs []Pair) quality {
	count := func(ps []Person) map[string]int {
		n := map[string]int{}
		for _, p := range ps {
			n[entity(p.ID)]++
		}
		return n
	}
	var q quality
	if right == nil {
		for _, n := range count(left) {
			q.truePairs += n * (n - 1) / 2
		}
	} else {
		r := count(right)
		for e, n := range count(left) {
			q.truePairs += n * r[e]
		}
	}
	q.predicted = len(pairs)
	for _, p := range pairs {
		if entity(p.Left) == entity(p.Right) {
			q.found++
		}
	}
	return q
}

func TestFEBRLDeduplicationFindsTheSamePeople(t *testing.T) {
	for _, file := range []string{"dataset1.csv", "dataset2.csv"} {
		people := readFEBRL(t, file)
		run := Dedupe(people, 0.5)
		q := measure(people, nil, run.Pairs)
		t.Logf("%s: %d records, %d candidate pairs, %d predicted, %d true pairs, %d found: precision %.4f recall %.4f F1 %.4f",
			file, len(people), run.Candidates, q.predicted, q.truePairs, q.found, q.precision(), q.recall(), q.f1())
		if q.f1() < 0.995 {
			t.Errorf("%s: F1 %.4f, want at least 0.995", file, q.f1())
		}
	}
}

// split puts the originals of a FEBRL set on the left and the duplicates
// on the right, for linking two files.
func split(people []Person) (orig, dup []Person) {
	for _, p := range people {
		if strings.Contains(p.ID, "-org") {
			orig = append(orig, p)
		} else {
			dup = append(dup, p)
		}
	}
	return orig, dup
}

func TestFEBRLLinkingFindsTheSamePeopleInTwoFiles(t *testing.T) {
	for _, file := range []string{"dataset1.csv", "dataset2.csv"} {
		orig, dup := split(readFEBRL(t, file))
		run := Link(orig, dup, 0.5)
		q := measure(orig, dup, run.Pairs)
		t.Logf("%s originals × duplicates: %d × %d records, %d candidate pairs, %d predicted, %d true pairs, %d found: precision %.4f recall %.4f F1 %.4f",
			file, len(orig), len(dup), run.Candidates, q.predicted, q.truePairs, q.found, q.precision(), q.recall(), q.f1())
		if q.f1() < 0.995 {
			t.Errorf("%s: F1 %.4f, want at least 0.995", file, q.f1())
		}
	}
}

// The identifying number is one detail among others, not a key: without it
// the same people are still found.
func TestFEBRLDeduplicationDoesNotLeanOnTheIdentifier(t *testing.T) {
	people := readFEBRL(t, "dataset2.csv")
	for i := range people {
		people[i].Identifier = ""
	}
	q := measure(people, nil, Dedupe(people, 0.5).Pairs)
	t.Logf("dataset2.csv without soc_sec_id: precision %.4f recall %.4f F1 %.4f", q.precision(), q.recall(), q.f1())
	if q.f1() < 0.99 {
		t.Errorf("F1 %.4f without the identifier, want at least 0.99", q.f1())
	}
}

// Sets too small to train on give no pairs, and no error.
func TestTinySetsGiveNoPairs(t *testing.T) {
	one := []Person{{ID: "1", Given: "Ann", Family: "Lee", DateOfBirth: "2001-02-03"}}
	for _, run := range []Run{Dedupe(nil, 0.5), Dedupe(one, 0.5), Link(one, nil, 0.5), Link(nil, one, 0.5)} {
		if len(run.Pairs) != 0 {
			t.Errorf("pairs from nothing: %v", run.Pairs)
		}
	}
	two := append(one, Person{ID: "2", Given: "Ann", Family: "Lee", DateOfBirth: "2001-02-03"})
	if run := Dedupe(two, 0); len(run.Pairs) != 1 || math.IsNaN(run.Model.Prior) {
		t.Errorf("two records alike: %+v", run)
	}
}
