package match

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// corrupt makes a duplicate of p with n of the errors FEBRL's generator
// makes (typing slips, missing values, swapped names, changed dates,
// phonetic spellings), written here from their description, not from any
// file, so the figures below are of a set the model was not tuned on.
func corrupt(rng *rand.Rand, p Person, id string, n int) Person {
	q := p
	q.ID = id
	fields := []*string{&q.Given, &q.Family, &q.Street, &q.Locality, &q.Postcode, &q.Region, &q.Identifier, &q.DateOfBirth}
	phonetic := [][2]string{{"ph", "f"}, {"c", "k"}, {"ee", "ea"}, {"y", "ie"}, {"ck", "k"}, {"th", "t"}, {"ou", "ow"}, {"ll", "l"}, {"s", "z"}}
	for range n {
		switch rng.IntN(6) {
		case 0: // a typing slip in one detail
			f := fields[rng.IntN(7)]
			*f = typo(rng, *f)
		case 1: // a detail left out
			*fields[rng.IntN(len(fields))] = ""
		case 2:
			q.Given, q.Family = q.Family, q.Given
		case 3: // the date changed
			if len(q.DateOfBirth) == 10 {
				d := []byte(q.DateOfBirth)
				if rng.IntN(2) == 0 {
					q.DateOfBirth = q.DateOfBirth[:5] + q.DateOfBirth[8:] + "-" + q.DateOfBirth[5:7]
				} else {
					i := []int{2, 3, 6, 9}[rng.IntN(4)]
					d[i] = byte('0' + rng.IntN(10))
					q.DateOfBirth = string(d)
				}
			}
		case 4: // spelt as it sounds
			f := fields[rng.IntN(2)]
			r := phonetic[rng.IntN(len(phonetic))]
			*f = strings.Replace(*f, r[0], r[1], 1)
		case 5: // a slip in the address
			f := fields[2+rng.IntN(2)]
			*f = typo(rng, *f)
		}
	}
	return q
}

// On duplicates made afresh from dataset2's originals, with one to five
// errors each and up to four duplicates of a person, dedupe and link still
// find the same people.
func TestFEBRLStyleDuplicatesMadeAfreshAreFound(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var orig, dup []Person
	for _, p := range readFEBRL(t, "dataset2.csv") {
		if !strings.Contains(p.ID, "-org") {
			continue
		}
		orig = append(orig, p)
		if rng.IntN(2) == 0 {
			for k := range 1 + rng.IntN(4) {
				dup = append(dup, corrupt(rng, p, fmt.Sprintf("%s-new-%d", strings.TrimSuffix(p.ID, "-org"), k), 1+rng.IntN(5)))
			}
		}
	}
	all := append(append([]Person{}, orig...), dup...)
	q := measure(all, nil, Dedupe(all, 0.5).Pairs)
	t.Logf("dedupe %d records: %d predicted, %d true pairs, %d found: precision %.4f recall %.4f F1 %.4f", len(all), q.predicted, q.truePairs, q.found, q.precision(), q.recall(), q.f1())
	l := measure(orig, dup, Link(orig, dup, 0.5).Pairs)
	t.Logf("link %d × %d: %d predicted, %d true pairs, %d found: precision %.4f recall %.4f F1 %.4f", len(orig), len(dup), l.predicted, l.truePairs, l.found, l.precision(), l.recall(), l.f1())
	if q.f1() < 0.98 || l.f1() < 0.98 {
		t.Errorf("F1 %.4f (dedupe), %.4f (link)", q.f1(), l.f1())
	}
}
